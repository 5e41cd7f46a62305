/*  test_docker_engine: unit tests of services/docker/engine.c (compiled in
    here with docker_parse.c) against a tiny fake Docker HTTP server on a
    unix socket in a temp dir, run in a forked child (one process per
    connection) so every test is hermetic: version negotiation, requests
    that never wait for each other, transport errors, caps, streams,
    cancel, destroy, the concurrency limit and the poll integration. */
#include "../../services/docker/docker_parse.c"
#include "../../services/docker/engine.c"

#include "ddc_test.h"
#include "ddc_test_json.h"

#include <czmq.h>
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>

//  --------------------------------------------------------------------------
//  Fake Docker server

typedef struct {
    int cur;   //  requests being answered now
    int max;   //  highest cur seen
    int total; //  requests answered
} shared_t;

typedef struct {
    char dir [64];
    char sock [128];
    pid_t pid;
    const char *api;          //  API-Version header, NULL = none
    const char *version_json; //  body of /version, NULL = 404
    shared_t *shared;         //  counters across processes
} fake_t;

static int
s_write_all (int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write (fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

static int
s_reply (int fd, int status, const char *extra_headers, const char *body)
{
    char head [512];
    int n = snprintf (head, sizeof (head),
                      "HTTP/1.1 %d X\r\nServer: fake-docker\r\n%sContent-Length: %zu\r\n\r\n",
                      status, extra_headers ? extra_headers : "", strlen (body));
    if (s_write_all (fd, head, (size_t) n) || s_write_all (fd, body, strlen (body)))
        return -1;
    return 0;
}

static int
s_chunk (int fd, const char *data, size_t len)
{
    char head [32];
    int n = snprintf (head, sizeof (head), "%zx\r\n", len);
    if (s_write_all (fd, head, (size_t) n) || s_write_all (fd, data, len)
        || s_write_all (fd, "\r\n", 2))
        return -1;
    return 0;
}

static bool
s_ends_with (const char *path, const char *suffix)
{
    const char *q = strchr (path, '?');
    size_t len = q ? (size_t) (q - path) : strlen (path);
    size_t n = strlen (suffix);
    return len >= n && memcmp (path + len - n, suffix, n) == 0;
}

//  Answer one request. Returns 0 to keep the connection, -1 to close it.
static int
s_route (fake_t *f, int fd, const char *method, const char *path, const char *ua, const char *ctype,
         const char *body, size_t body_len)
{
    if (strcmp (path, "/_ping") == 0) {
        char hdr [64] = "";
        if (f->api)
            snprintf (hdr, sizeof (hdr), "Api-Version: %s\r\n", f->api);
        return s_reply (fd, 200, hdr, "OK");
    }
    if (strcmp (path, "/version") == 0)
        return f->version_json ? s_reply (fd, 200, NULL, f->version_json)
                               : s_reply (fd, 404, NULL, "{\"message\":\"page not found\"}");
    if (s_ends_with (path, "/echo")) {
        cJSON *obj = cJSON_CreateObject ();
        cJSON_AddStringToObject (obj, "method", method);
        cJSON_AddStringToObject (obj, "path", path);
        cJSON_AddStringToObject (obj, "ua", ua);
        cJSON_AddStringToObject (obj, "ctype", ctype);
        char *copy = ddc_strndup (body, body_len);
        cJSON_AddStringToObject (obj, "body", copy);
        cJSON_AddNumberToObject (obj, "cl", (double) body_len);
        free (copy);
        char *text = cJSON_PrintUnformatted (obj);
        int rc = s_reply (fd, 200, NULL, text);
        free (text);
        cJSON_Delete (obj);
        return rc;
    }
    if (s_ends_with (path, "/slow")) {
        usleep (1500 * 1000);
        return s_reply (fd, 200, NULL, "slow");
    }
    if (s_ends_with (path, "/fast"))
        return s_reply (fd, 200, NULL, "fast");
    if (s_ends_with (path, "/hang")) {
        sleep (30);
        return -1;
    }
    if (s_ends_with (path, "/count")) {
        int cur = __atomic_add_fetch (&f->shared->cur, 1, __ATOMIC_SEQ_CST);
        int max = __atomic_load_n (&f->shared->max, __ATOMIC_SEQ_CST);
        while (cur > max
               && !__atomic_compare_exchange_n (&f->shared->max, &max, cur, false, __ATOMIC_SEQ_CST,
                                                __ATOMIC_SEQ_CST))
            ;
        usleep (200 * 1000);
        __atomic_sub_fetch (&f->shared->cur, 1, __ATOMIC_SEQ_CST);
        __atomic_add_fetch (&f->shared->total, 1, __ATOMIC_SEQ_CST);
        return s_reply (fd, 200, NULL, "{}");
    }
    if (s_ends_with (path, "/missing"))
        return s_reply (fd, 404, NULL, "{\"message\":\"No such container: missing\"}");
    if (s_ends_with (path, "/bigcl")) {
        //  Content-Length over the cap.
        size_t total = 9u * 1024 * 1024;
        char head [128];
        int n =
            snprintf (head, sizeof (head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", total);
        s_write_all (fd, head, (size_t) n);
        char block [65536];
        memset (block, '[', sizeof (block));
        for (size_t sent = 0; sent < total; sent += sizeof (block))
            if (s_write_all (fd, block, sizeof (block)))
                break;
        return -1;
    }
    if (s_ends_with (path, "/endless")) {
        //  A body without end: the client must stop it, not buffer it.
        const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        s_write_all (fd, head, strlen (head));
        char block [65536];
        memset (block, 'x', sizeof (block));
        while (s_chunk (fd, block, sizeof (block)) == 0)
            ;
        return -1;
    }
    if (s_ends_with (path, "/events")) {
        const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n";
        s_write_all (fd, head, strlen (head));
        s_chunk (fd, "{\"a\":1}\n{\"b\"", 12);
        usleep (50 * 1000);
        s_chunk (fd, ":2}\r\n{\"c\":", 10);
        usleep (50 * 1000);
        s_chunk (fd, "3}\n", 3);
        //  An overlong line (over ENGINE_MAX_LINE) in many chunks: dropped.
        char block [65536];
        memset (block, 'x', sizeof (block));
        for (int i = 0; i < 6; i++)
            s_chunk (fd, block, sizeof (block));
        s_chunk (fd, "\n{\"d\":4}\n\n{\"e\":5}", 17);
        s_write_all (fd, "0\r\n\r\n", 5);
        return -1;
    }
    if (s_ends_with (path, "/events-hang")) {
        const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        s_write_all (fd, head, strlen (head));
        s_chunk (fd, "{\"first\":1}\n", 12);
        usleep (100 * 1000);
        s_chunk (fd, "{\"second\":2}\n{\"third\":3}\n", 25);
        sleep (30);
        return -1;
    }
    if (s_ends_with (path, "/events-bad")) {
        s_reply (fd, 400, NULL, "{\"message\":\"invalid filter 'x'\"}");
        return -1;
    }
    return s_reply (fd, 404, NULL, "{\"message\":\"page not found\"}");
}

//  Header value (case-insensitive name) from the raw header block into out.
static void
s_header_value (const char *head, const char *name, char *out, size_t size)
{
    out [0] = '\0';
    size_t n = strlen (name);
    for (const char *p = head; p && *p; p = strstr (p, "\r\n")) {
        if (p [0] == '\r')
            p += 2;
        if (strncasecmp (p, name, n) == 0 && p [n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            const char *end = strstr (v, "\r\n");
            size_t len = end ? (size_t) (end - v) : strlen (v);
            if (len >= size)
                len = size - 1;
            memcpy (out, v, len);
            out [len] = '\0';
            return;
        }
    }
}

static void
s_connection (fake_t *f, int fd)
{
    static char buf [256 * 1024];
    size_t have = 0;
    while (true) {
        char *end;
        while (!(end = memmem (buf, have, "\r\n\r\n", 4))) {
            if (have == sizeof (buf) - 1)
                return;
            ssize_t n = read (fd, buf + have, sizeof (buf) - 1 - have);
            if (n <= 0)
                return;
            have += (size_t) n;
        }
        *end = '\0';
        size_t head_len = (size_t) (end - buf) + 4;
        char method [16] = "", path [1024] = "";
        if (sscanf (buf, "%15s %1023s", method, path) != 2)
            return;
        char ua [128], ctype [128], cl [32];
        s_header_value (buf, "User-Agent", ua, sizeof (ua));
        s_header_value (buf, "Content-Type", ctype, sizeof (ctype));
        s_header_value (buf, "Content-Length", cl, sizeof (cl));
        size_t body_len = cl [0] ? (size_t) strtoul (cl, NULL, 10) : 0;
        if (body_len > sizeof (buf) / 2)
            return;
        while (have < head_len + body_len) {
            ssize_t n = read (fd, buf + have, sizeof (buf) - 1 - have);
            if (n <= 0)
                return;
            have += (size_t) n;
        }
        if (s_route (f, fd, method, path, ua, ctype, buf + head_len, body_len) != 0)
            return;
        size_t used = head_len + body_len;
        memmove (buf, buf + used, have - used);
        have -= used;
    }
}

static void
s_serve (fake_t *f, int lfd)
{
    signal (SIGCHLD, SIG_IGN); //  connection children reap themselves
    signal (SIGPIPE, SIG_IGN);
    while (true) {
        int fd = accept (lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pid_t pid = fork ();
        if (pid == 0) {
            prctl (PR_SET_PDEATHSIG, SIGKILL);
            if (getppid () == 1)
                _exit (0);
            close (lfd);
            s_connection (f, fd);
            close (fd);
            _exit (0);
        }
        close (fd);
    }
}

//  Start a fake server at a fresh socket; listen before fork (no race).
static int
s_fake_start (fake_t *f, const char *api, const char *version_json)
{
    memset (f, 0, sizeof (*f));
    strcpy (f->dir, "/tmp/ddc-engine-test.XXXXXX");
    if (!mkdtemp (f->dir))
        return -1;
    snprintf (f->sock, sizeof (f->sock), "%s/docker.sock", f->dir);
    f->api = api;
    f->version_json = version_json;
    f->shared =
        mmap (NULL, sizeof (shared_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (f->shared == MAP_FAILED)
        return -1;
    memset (f->shared, 0, sizeof (shared_t));
    int lfd = socket (AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    ddc_strlcpy (addr.sun_path, f->sock, sizeof (addr.sun_path));
    if (lfd < 0 || bind (lfd, (struct sockaddr *) &addr, sizeof (addr)) != 0
        || listen (lfd, 256) != 0)
        return -1;
    fflush (stdout);
    fflush (stderr);
    f->pid = fork ();
    if (f->pid == 0) {
        s_serve (f, lfd);
        _exit (0);
    }
    close (lfd);
    return f->pid > 0 ? 0 : -1;
}

static void
s_fake_stop (fake_t *f)
{
    if (f->pid > 0) {
        kill (f->pid, SIGKILL);
        waitpid (f->pid, NULL, 0);
        f->pid = 0;
    }
    unlink (f->sock);
    rmdir (f->dir);
    if (f->shared && f->shared != MAP_FAILED)
        munmap (f->shared, sizeof (shared_t));
    f->shared = NULL;
}

//  --------------------------------------------------------------------------
//  Client helpers

typedef struct {
    bool done;
    int calls;
    int status;
    char body [4096];
    size_t len;
    char errmsg [512];
    int64_t done_us;
} reply_t;

static void
s_on_reply (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    reply_t *r = arg;
    r->calls++;
    r->done = true;
    r->status = status;
    r->len = len;
    ddc_strlcpy (r->body, body ? body : "(null)", sizeof (r->body));
    ddc_strlcpy (r->errmsg, errmsg ? errmsg : "", sizeof (r->errmsg));
    r->done_us = ddc_mono_us ();
}

static void
s_run (engine_t *engine, const bool *done, int timeout_ms)
{
    int64_t deadline = ddc_mono_ms () + timeout_ms;
    while ((!done || !*done) && ddc_mono_ms () < deadline) {
        engine_poll (engine, NULL, 0, 20);
        engine_perform (engine);
    }
}

//  GET path and wait for the reply.
static void
s_fetch (engine_t *engine, const char *path, reply_t *r)
{
    memset (r, 0, sizeof (*r));
    CHECK (engine_request (engine, "GET", path, NULL, 5000, s_on_reply, r) > 0);
    s_run (engine, &r->done, 10000);
    CHECK (r->done);
}

//  The "path" field of an /echo reply.
static void
s_echo_field (const reply_t *r, const char *key, char *out, size_t size)
{
    out [0] = '\0';
    cJSON *obj = ddc_test_parse (r->body);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    if (cJSON_IsString (item))
        ddc_strlcpy (out, item->valuestring, size);
    else if (cJSON_IsNumber (item))
        snprintf (out, size, "%d", item->valueint);
    cJSON_Delete (obj);
}

//  --------------------------------------------------------------------------
//  Tests

DDC_TEST (test_negotiates_min_of_server_and_141)
{
    struct {
        const char *api;
        const char *version_json;
        const char *want;
    } cases [] = {
        { "1.43", NULL, "1.41" },                                            //  newer server
        { "1.40", NULL, "1.40" },                                            //  older server
        { NULL, "{\"ApiVersion\":\"1.38\",\"Version\":\"18.09\"}", "1.38" }, //  /version
        { NULL, NULL, "1.41" },                                              //  nothing: pinned
        { "garbage", "{\"ApiVersion\":\"2.1\"}", "1.41" },                   //  bad header
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        fake_t f;
        CHECK_EQ (s_fake_start (&f, cases [i].api, cases [i].version_json), 0);
        engine_t *engine = engine_new (f.sock);
        CHECK (engine_api_version (engine) == NULL);
        reply_t r;
        s_fetch (engine, "/containers/x/echo", &r);
        CHECK_EQ (r.status, 200);
        CHECK_STR (engine_api_version (engine), cases [i].want);
        char path [256], want [256], ua [64];
        s_echo_field (&r, "path", path, sizeof (path));
        snprintf (want, sizeof (want), "/v%s/containers/x/echo", cases [i].want);
        CHECK_STR (path, want);
        s_echo_field (&r, "ua", ua, sizeof (ua));
        CHECK_STR (ua, "ddc-docker/0.1.0");
        engine_destroy (&engine);
        CHECK (engine == NULL);
        s_fake_stop (&f);
    }
}

DDC_TEST (test_slow_request_does_not_delay_fast_one)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    reply_t warm;
    s_fetch (engine, "/_ping", &warm); //  negotiated up front

    reply_t slow = { 0 }, fast = { 0 };
    int64_t t0 = ddc_mono_us ();
    CHECK (engine_request (engine, "POST", "/containers/x/slow", NULL, 10000, s_on_reply, &slow) > 0);
    //  Let the slow one reach the server before the fast one is issued.
    int64_t until = ddc_mono_ms () + 30;
    while (ddc_mono_ms () < until) {
        engine_poll (engine, NULL, 0, 5);
        engine_perform (engine);
    }
    CHECK_EQ (engine_active (engine), 1);
    int64_t t1 = ddc_mono_us ();
    CHECK (engine_request (engine, "GET", "/containers/x/fast", NULL, 10000, s_on_reply, &fast) > 0);
    s_run (engine, &slow.done, 5000);
    CHECK (fast.done && slow.done);
    CHECK_EQ (fast.status, 200);
    CHECK_EQ (slow.status, 200);
    CHECK_STR (fast.body, "fast");
    CHECK (fast.done_us < slow.done_us);
    double fast_ms = (double) (fast.done_us - t1) / 1000.0;
    double slow_ms = (double) (slow.done_us - t0) / 1000.0;
    printf ("     fast %.1f ms while slow pending; slow %.1f ms\n", fast_ms, slow_ms);
    CHECK (fast_ms < 100.0);
    CHECK (slow_ms >= 1500.0);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

DDC_TEST (test_missing_socket_is_transport_error)
{
    char dir [] = "/tmp/ddc-engine-test.XXXXXX";
    CHECK (mkdtemp (dir) != NULL);
    char *sock = ddc_asprintf ("%s/docker.sock", dir);
    engine_t *engine = engine_new (sock);
    reply_t r;
    int64_t t0 = ddc_mono_ms ();
    s_fetch (engine, "/containers/json", &r);
    CHECK_EQ (r.status, -1);
    CHECK_EQ (r.calls, 1);
    CHECK (r.errmsg [0] != '\0');
    CHECK (ddc_mono_ms () - t0 < 1000);
    printf ("     errmsg: %s\n", r.errmsg);
    CHECK (engine_api_version (engine) == NULL);

    //  The daemon comes up at that path: the next request negotiates again.
    fake_t f;
    memset (&f, 0, sizeof (f));
    CHECK (s_fake_start (&f, "1.40", NULL) == 0);
    rename (f.sock, sock);
    s_fetch (engine, "/x/echo", &r);
    CHECK_EQ (r.status, 200);
    CHECK_STR (engine_api_version (engine), "1.40");
    engine_destroy (&engine);
    unlink (sock);
    free (sock);
    rmdir (dir);
    s_fake_stop (&f);
}

DDC_TEST (test_methods_body_and_errors)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    reply_t r = { 0 };
    CHECK (engine_request (engine, "POST", "/containers/x/echo?t=5", "{\"x\":1}", 0, s_on_reply, &r)
           > 0);
    s_run (engine, &r.done, 5000);
    char field [256];
    s_echo_field (&r, "method", field, sizeof (field));
    CHECK_STR (field, "POST");
    s_echo_field (&r, "path", field, sizeof (field));
    CHECK_STR (field, "/v1.41/containers/x/echo?t=5");
    s_echo_field (&r, "body", field, sizeof (field));
    CHECK_STR (field, "{\"x\":1}");
    s_echo_field (&r, "ctype", field, sizeof (field));
    CHECK_STR (field, "application/json");

    memset (&r, 0, sizeof (r));
    CHECK (engine_request (engine, "POST", "/containers/x/echo", NULL, 0, s_on_reply, &r) > 0);
    s_run (engine, &r.done, 5000);
    s_echo_field (&r, "cl", field, sizeof (field));
    CHECK_STR (field, "0");
    s_echo_field (&r, "ctype", field, sizeof (field));
    CHECK_STR (field, "");

    memset (&r, 0, sizeof (r));
    CHECK (engine_request (engine, "DELETE", "/containers/x/echo", NULL, 0, s_on_reply, &r) > 0);
    s_run (engine, &r.done, 5000);
    s_echo_field (&r, "method", field, sizeof (field));
    CHECK_STR (field, "DELETE");

    //  HTTP errors are replies, not transport errors.
    s_fetch (engine, "/containers/missing", &r);
    CHECK_EQ (r.status, 404);
    CHECK_EQ (r.errmsg [0], '\0');
    char msg [128];
    CHECK_EQ (docker_error_parse (r.body, r.len, msg, sizeof (msg)), 0);
    CHECK_STR (msg, "No such container: missing");

    //  Bad arguments: refused at once, callback never runs.
    const char *bad_paths [] = { "",
                                 "containers/json",
                                 "/a b",
                                 "/a#b",
                                 "/a\\b",
                                 "/../x",
                                 "/containers/../images/json",
                                 "/containers/./json",
                                 "/containers/..",
                                 "/x/%2e%2e/json",
                                 "/x\n",
                                 "/caf\xc3\xa9" };
    memset (&r, 0, sizeof (r));
    for (size_t i = 0; i < sizeof (bad_paths) / sizeof (bad_paths [0]); i++)
        CHECK (engine_request (engine, "GET", bad_paths [i], NULL, 0, s_on_reply, &r) == -1);
    CHECK (engine_request (engine, "GET", NULL, NULL, 0, s_on_reply, &r) == -1);
    CHECK (engine_request (engine, "PATCH", "/x", NULL, 0, s_on_reply, &r) == -1);
    CHECK (engine_request (engine, "GET", "/x", NULL, -5, s_on_reply, &r) == -1);
    CHECK (engine_request (NULL, "GET", "/x", NULL, 0, s_on_reply, &r) == -1);
    //  Query strings may hold dots and percent-encoding.
    CHECK (engine_request (engine, "GET", "/x/echo?filters=%7B%22a%22%7D&v=../..", NULL, 0,
                           s_on_reply, &r)
           > 0);
    s_run (engine, &r.done, 5000);
    CHECK_EQ (r.status, 200);
    CHECK_EQ (r.calls, 1);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

DDC_TEST (test_timeout)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    reply_t r = { 0 };
    int64_t t0 = ddc_mono_ms ();
    CHECK (engine_request (engine, "GET", "/x/hang", NULL, 300, s_on_reply, &r) > 0);
    s_run (engine, &r.done, 5000);
    int64_t ms = ddc_mono_ms () - t0;
    CHECK_EQ (r.status, -1);
    CHECK (strstr (r.errmsg, "imed out") != NULL);
    CHECK (ms >= 290 && ms < 1500);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

DDC_TEST (test_oversized_body_is_error_and_bounded)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    reply_t r;
    //  Endless chunked body: stopped at the 8 MiB cap.
    int64_t t0 = ddc_mono_ms ();
    s_fetch (engine, "/x/endless", &r);
    CHECK_EQ (r.status, -1);
    CHECK (strstr (r.errmsg, "over 8388608 bytes") != NULL);
    printf ("     endless body cut after %lld ms: %s\n", (long long) (ddc_mono_ms () - t0),
            r.errmsg);
    //  Content-Length over the cap.
    s_fetch (engine, "/x/bigcl", &r);
    CHECK_EQ (r.status, -1);
    CHECK (strstr (r.errmsg, "over") != NULL);
    //  A smaller per-request cap.
    memset (&r, 0, sizeof (r));
    CHECK (engine_request_capped (engine, "GET", "/x/echo", NULL, 0, 10, s_on_reply, &r) > 0);
    s_run (engine, &r.done, 5000);
    CHECK (r.status == -1 && strstr (r.errmsg, "over 10 bytes"));
    //  The engine still works afterwards.
    s_fetch (engine, "/x/fast", &r);
    CHECK_EQ (r.status, 200);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

typedef struct {
    reply_t r;
    size_t bytes, pieces;
    size_t stop_after; //  refuse once this many bytes came
} sink_t;

static int
s_on_piece (void *arg, const char *data, size_t len)
{
    sink_t *k = arg;
    (void) data;
    k->bytes += len;
    k->pieces++;
    return k->stop_after && k->bytes >= k->stop_after ? -1 : 0;
}

static void
s_on_sink_reply (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    s_on_reply (&((sink_t *) arg)->r, status, body, len, errmsg);
}

//  GET path as a sink and wait for the reply.
static void
s_sink (engine_t *engine, const char *path, sink_t *k)
{
    size_t stop_after = k->stop_after;
    memset (k, 0, sizeof (*k));
    k->stop_after = stop_after;
    CHECK (engine_request_sink (engine, "GET", path, 10000, s_on_piece, s_on_sink_reply, k) > 0);
    s_run (engine, &k->r.done, 15000);
    CHECK (k->r.done && k->r.calls == 1);
}

DDC_TEST (test_sink_reads_any_size_in_pieces)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    //  9 MiB (over the 8 MiB cap of a collected reply), in pieces; the
    //  reply callback gets the status and an empty body.
    sink_t k = { 0 };
    s_sink (engine, "/x/bigcl", &k);
    CHECK (k.r.status == 200 && k.r.len == 0 && k.r.errmsg [0] == '\0');
    CHECK (k.bytes == 9u * 1024 * 1024 && k.pieces > 1);
    //  An error reply is collected for the callback, not handed over.
    s_sink (engine, "/x/missing", &k);
    CHECK_EQ (k.r.status, 404);
    CHECK_EQ (k.bytes, 0);
    CHECK_STR (k.r.body, "{\"message\":\"No such container: missing\"}");
    //  The reader may stop the transfer.
    k.stop_after = 100000;
    s_sink (engine, "/x/bigcl", &k);
    CHECK (k.r.status == -1 && strcmp (k.r.errmsg, "docker: reply refused by its reader") == 0);
    CHECK (k.bytes < 1024 * 1024);
    //  The engine still works afterwards.
    reply_t r;
    s_fetch (engine, "/x/fast", &r);
    CHECK_EQ (r.status, 200);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

typedef struct {
    engine_t *engine;
    int64_t id;
    char lines [16][64];
    int count;
    bool ended;
    int end_calls;
    int status;
    char errmsg [256];
    bool cancel_in_line; //  cancel from inside on_line
} stream_t;

static void
s_on_line (void *arg, const char *line, size_t len)
{
    stream_t *s = arg;
    CHECK_EQ (strlen (line), len);
    if (s->count < 16)
        ddc_strlcpy (s->lines [s->count], line, sizeof (s->lines [0]));
    s->count++;
    if (s->cancel_in_line)
        CHECK_EQ (engine_cancel (s->engine, s->id), 0);
}

static void
s_on_end (void *arg, int status, const char *errmsg)
{
    stream_t *s = arg;
    s->ended = true;
    s->end_calls++;
    s->status = status;
    ddc_strlcpy (s->errmsg, errmsg ? errmsg : "", sizeof (s->errmsg));
}

DDC_TEST (test_stream_lines_split_across_chunks)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    stream_t s = { 0 };
    s.engine = engine;
    s.id = engine_stream (engine, "/events?filters=%7B%7D", s_on_line, s_on_end, &s);
    CHECK (s.id > 0);
    CHECK_EQ (engine_streams (engine), 1);
    s_run (engine, &s.ended, 5000);
    CHECK (s.ended && s.end_calls == 1);
    CHECK_EQ (s.status, 200);
    CHECK_EQ (s.count, 5);
    CHECK_STR (s.lines [0], "{\"a\":1}");
    CHECK_STR (s.lines [1], "{\"b\":2}"); //  split over 2 chunks, "\r\n"
    CHECK_STR (s.lines [2], "{\"c\":3}");
    CHECK_STR (s.lines [3], "{\"d\":4}"); //  after the dropped long line
    CHECK_STR (s.lines [4], "{\"e\":5}"); //  last line without "\n"
    CHECK_EQ (engine_streams (engine), 0);

    //  A refused stream: on_end gets the status and the body.
    stream_t bad = { 0 };
    CHECK (engine_stream (engine, "/events-bad", s_on_line, s_on_end, &bad) > 0);
    s_run (engine, &bad.ended, 5000);
    CHECK_EQ (bad.status, 400);
    CHECK_EQ (bad.count, 0);
    CHECK (strstr (bad.errmsg, "invalid filter") != NULL);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

DDC_TEST (test_stream_cancel)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    //  Cancel from outside once the stream is open: on_end runs at once.
    stream_t s = { 0 };
    s.engine = engine;
    s.id = engine_stream (engine, "/events-hang", s_on_line, s_on_end, &s);
    int64_t deadline = ddc_mono_ms () + 5000;
    while (s.count < 1 && ddc_mono_ms () < deadline) {
        engine_poll (engine, NULL, 0, 20);
        engine_perform (engine);
    }
    CHECK_EQ (engine_status (engine, s.id), 200);
    CHECK_EQ (engine_cancel (engine, s.id), 0);
    CHECK (s.ended && s.end_calls == 1 && s.status == -1);
    CHECK_STR (s.errmsg, "cancelled");
    CHECK_EQ (engine_cancel (engine, s.id), -1);
    CHECK_EQ (engine_status (engine, s.id), -1);
    CHECK_EQ (engine_streams (engine), 0);

    //  Cancel from inside on_line: no line after it, on_end once.
    stream_t in = { 0 };
    in.engine = engine;
    in.cancel_in_line = true;
    in.id = engine_stream (engine, "/events-hang", s_on_line, s_on_end, &in);
    s_run (engine, &in.ended, 5000);
    s_run (engine, NULL, 300);
    CHECK (in.ended && in.end_calls == 1 && in.count == 1);
    CHECK_STR (in.errmsg, "cancelled");

    //  Cancel a request in flight.
    reply_t a = { 0 };
    int64_t id = engine_request (engine, "GET", "/x/hang", NULL, 0, s_on_reply, &a);
    s_run (engine, NULL, 50);
    CHECK_EQ (engine_cancel (engine, id), 0);
    CHECK_EQ (a.calls, 1);
    CHECK_EQ (a.status, -1);
    CHECK_STR (a.errmsg, "cancelled");
    engine_destroy (&engine);
    s_fake_stop (&f);
}

DDC_TEST (test_destroy_finishes_everything)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    reply_t running = { 0 }, queued = { 0 };
    stream_t s = { 0 };
    CHECK (engine_request (engine, "GET", "/x/hang", NULL, 0, s_on_reply, &running) > 0);
    s_run (engine, NULL, 100);
    CHECK (engine_stream (engine, "/events-hang", s_on_line, s_on_end, &s) > 0);
    engine_destroy (&engine);
    CHECK_EQ (running.calls, 1);
    CHECK_EQ (running.status, -1);
    CHECK_STR (running.errmsg, "engine destroyed");
    CHECK_EQ (s.end_calls, 1);
    CHECK_EQ (s.status, -1);
    //  Before any I/O: queued behind the negotiation.
    engine = engine_new (f.sock);
    CHECK (engine_request (engine, "GET", "/x/fast", NULL, 0, s_on_reply, &queued) > 0);
    engine_destroy (&engine);
    CHECK_EQ (queued.calls, 1);
    CHECK_EQ (queued.status, -1);
    engine_destroy (&engine);
    engine_destroy (NULL);
    s_fake_stop (&f);
}

DDC_TEST (test_concurrency_is_bounded)
{
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    reply_t warm;
    s_fetch (engine, "/_ping", &warm);
    enum { N = 100 };
    static reply_t r [N];
    memset (r, 0, sizeof (r));
    for (int i = 0; i < N; i++)
        CHECK (engine_request (engine, "GET", "/x/count", NULL, 10000, s_on_reply, &r [i]) > 0);
    CHECK_EQ (engine_active (engine), ENGINE_MAX_ACTIVE);
    CHECK_EQ (engine_queued (engine), N - ENGINE_MAX_ACTIVE);
    int64_t deadline = ddc_mono_ms () + 15000;
    int done = 0;
    while (done < N && ddc_mono_ms () < deadline) {
        engine_poll (engine, NULL, 0, 20);
        engine_perform (engine);
        CHECK (engine_active (engine) <= ENGINE_MAX_ACTIVE);
        done = 0;
        for (int i = 0; i < N; i++)
            done += r [i].done && r [i].status == 200;
    }
    CHECK_EQ (done, N);
    CHECK (f.shared->total == N);
    CHECK (f.shared->max <= ENGINE_MAX_ACTIVE);
    printf ("     %d requests, at most %d at the server at once\n", N, f.shared->max);
    CHECK (engine_active (engine) == 0 && engine_queued (engine) == 0);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

DDC_TEST (test_poll_integration)
{
    engine_t *engine = engine_new ("/nonexistent/docker.sock");
    //  An extra fd (a ZMQ_FD in the service) wakes engine_poll.
    int fds [2];
    CHECK_EQ (pipe (fds), 0);
    CHECK_EQ (write (fds [1], "x", 1), 1);
    struct curl_waitfd extra = { .fd = fds [0], .events = CURL_WAIT_POLLIN };
    int64_t t0 = ddc_mono_ms ();
    CHECK_EQ (engine_poll (engine, &extra, 1, 2000), 1);
    CHECK (extra.revents & CURL_WAIT_POLLIN);
    CHECK (ddc_mono_ms () - t0 < 100);
    //  Idle: the full timeout.
    char c;
    CHECK_EQ (read (fds [0], &c, 1), 1);
    extra.revents = 0;
    t0 = ddc_mono_ms ();
    CHECK_EQ (engine_poll (engine, &extra, 1, 200), 0);
    CHECK (ddc_mono_ms () - t0 >= 190);
    CHECK_EQ (engine_timeout_ms (engine), -1);
    //  engine_wakeup makes the next poll return at once.
    engine_wakeup (engine);
    t0 = ddc_mono_ms ();
    engine_poll (engine, NULL, 0, 2000);
    CHECK (ddc_mono_ms () - t0 < 100);
    //  A new request sets a due timer.
    reply_t r = { 0 };
    CHECK (engine_request (engine, "GET", "/x", NULL, 0, s_on_reply, &r) > 0);
    CHECK (engine_timeout_ms (engine) >= 0 && engine_timeout_ms (engine) < 100);
    s_run (engine, &r.done, 5000);
    CHECK_EQ (r.status, -1);
    close (fds [0]);
    close (fds [1]);
    engine_destroy (&engine);
    CHECK (engine_new (NULL) == NULL);
    CHECK (engine_new ("") == NULL);
}

DDC_TEST (test_poll_with_zmq_socket)
{
    //  The service's loop: engine_poll on the Docker transfers plus ZMQ_FD,
    //  then always drain the zmq socket while ZMQ_EVENTS says POLLIN.
    zsys_handler_set (NULL);
    fake_t f;
    CHECK (s_fake_start (&f, "1.41", NULL) == 0);
    engine_t *engine = engine_new (f.sock);
    zsock_t *reader = zsock_new_pair ("@inproc://engine-test");
    zsock_t *writer = zsock_new_pair (">inproc://engine-test");
    struct curl_waitfd extra = { .fd = zsock_fd (reader), .events = CURL_WAIT_POLLIN };
    reply_t slow = { 0 };
    CHECK (engine_request (engine, "GET", "/x/slow", NULL, 5000, s_on_reply, &slow) > 0);
    int got = 0;
    int64_t sent_us = 0, recv_us = 0;
    int64_t deadline = ddc_mono_ms () + 5000;
    while (!slow.done && ddc_mono_ms () < deadline) {
        if (!sent_us && ddc_mono_ms () > deadline - 4700) {
            sent_us = ddc_mono_us ();
            zstr_send (writer, "hello");
        }
        extra.revents = 0;
        engine_poll (engine, &extra, 1, 1000);
        engine_perform (engine);
        while (zsock_events (reader) & ZMQ_POLLIN) {
            char *msg = zstr_recv (reader);
            CHECK_STR (msg, "hello");
            zstr_free (&msg);
            got++;
            recv_us = ddc_mono_us ();
        }
    }
    CHECK_EQ (got, 1);
    CHECK_EQ (slow.status, 200);
    CHECK (recv_us > sent_us && recv_us - sent_us < 100000);
    CHECK (slow.done_us > recv_us); //  zmq served while Docker was slow
    printf ("     zmq message handled %.1f ms after send, during a pending request\n",
            (double) (recv_us - sent_us) / 1000.0);
    zsock_destroy (&writer);
    zsock_destroy (&reader);
    engine_destroy (&engine);
    s_fake_stop (&f);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_init ("test_docker_engine");
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_negotiates_min_of_server_and_141);
    DDC_RUN (test_slow_request_does_not_delay_fast_one);
    DDC_RUN (test_missing_socket_is_transport_error);
    DDC_RUN (test_methods_body_and_errors);
    DDC_RUN (test_timeout);
    DDC_RUN (test_oversized_body_is_error_and_bounded);
    DDC_RUN (test_sink_reads_any_size_in_pieces);
    DDC_RUN (test_stream_lines_split_across_chunks);
    DDC_RUN (test_stream_cancel);
    DDC_RUN (test_destroy_finishes_everything);
    DDC_RUN (test_concurrency_is_bounded);
    DDC_RUN (test_poll_integration);
    DDC_RUN (test_poll_with_zmq_socket);
    DDC_DONE ();
}
