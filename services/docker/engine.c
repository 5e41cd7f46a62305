/*  engine: asynchronous Docker Engine API client (libcurl multi over the
    unix socket). See engine.h. Owns the CURLM handle, every transfer (one
    easy handle each, made when it starts) and the API version; transfers
    wait in one FIFO for the negotiation and a free slot. Inside libcurl's
    callbacks (on_line) the engine only queues and defers, never re-enters.
    libcurl is the loaded one (ddc_curl_load), not linked. */
#include "engine.h"

#include "ddc_buf.h"
#include "ddc_curl.h"
#include "ddc_log.h"
#include "ddc_util.h"
#include "docker_parse.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ENGINE_USER_AGENT "ddc-docker/" DDC_VERSION
#define ENGINE_PING_TIMEOUT_MS 5000
#define ENGINE_CONNECT_TIMEOUT_MS 5000
#define ENGINE_STREAM_ERR_MAX 4096 //  body kept of a failed stream

typedef enum { KIND_REQUEST, KIND_STREAM, KIND_PING, KIND_VERSION } kind_t;
typedef enum { NEG_NONE, NEG_RUNNING, NEG_DONE } neg_t;

typedef struct _transfer_t transfer_t;
struct _transfer_t {
    engine_t *engine;
    int64_t id;
    kind_t kind;
    CURL *easy;   //  NULL while queued
    char *method; //  "GET", "POST", ...
    char *path;   //  as given, without the version prefix
    char *body;   //  request body or NULL
    struct curl_slist *headers;
    int64_t deadline_ms; //  mono ms; 0 = none (streams)
    size_t max_body;     //  reply cap
    //  Made on first use: the reply body (max_body), a stream's current
    //  line (ENGINE_MAX_LINE) or an error reply's start
    //  (ENGINE_STREAM_ERR_MAX). Its overflow: the reply hit max_body.
    ddc_buf_t *buf;
    bool refused;          //  on_data said stop
    bool skipping;         //  stream: dropping an overlong line
    bool cancelled;        //  engine_cancel inside engine_perform
    char api_version [16]; //  KIND_PING: the API-Version header
    char errbuf [CURL_ERROR_SIZE];
    engine_reply_fn *cb;
    engine_line_fn *on_line;
    engine_data_fn *on_data; //  engine_request_sink
    engine_end_fn *on_end;
    void *arg;
    transfer_t *prev, *next; //  in engine's queue or running list
};

typedef struct {
    transfer_t *head, *tail;
} tlist_t;

struct _engine_t {
    CURLM *multi;
    char *socket_path;
    int64_t next_id;
    neg_t neg;             //  version negotiation state
    char api_version [16]; //  "1.41" once negotiated
    char prefix [24];      //  "/v1.41"
    tlist_t queue;         //  waiting: requests and streams
    tlist_t running;       //  added to the multi handle
    size_t n_active;       //  running requests
    size_t n_streams;      //  running + queued streams
    size_t n_queued;       //  queued requests + streams
    bool in_perform;       //  inside curl_multi_perform
    bool promoting;        //  inside s_promote
    bool cancel_pending;   //  some running transfer is cancelled
    bool destroying;
};

//  libcurl, loaded by the first engine_new.
static const ddc_curl_t *s_curl;

static void s_promote (engine_t *self);

//  --------------------------------------------------------------------------
//  Lists

static void
s_list_append (tlist_t *list, transfer_t *t)
{
    t->prev = list->tail;
    t->next = NULL;
    if (list->tail)
        list->tail->next = t;
    else
        list->head = t;
    list->tail = t;
}

static void
s_list_remove (tlist_t *list, transfer_t *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        list->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        list->tail = t->prev;
    t->prev = t->next = NULL;
}

static transfer_t *
s_list_find (tlist_t *list, int64_t id)
{
    for (transfer_t *t = list->head; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

//  --------------------------------------------------------------------------
//  Transfers: creation, completion

static void
s_transfer_free (transfer_t *t)
{
    if (t->easy)
        s_curl->easy_cleanup (t->easy);
    s_curl->slist_free_all (t->headers);
    free (t->method);
    free (t->path);
    free (t->body);
    ddc_buf_destroy (&t->buf);
    free (t);
}

//  Take t out of the engine (queue or running list, counters, multi).
static void
s_detach (engine_t *self, transfer_t *t)
{
    if (t->easy) {
        s_list_remove (&self->running, t);
        s_curl->multi_remove_handle (self->multi, t->easy);
        if (t->kind == KIND_REQUEST)
            self->n_active--;
    }
    else {
        s_list_remove (&self->queue, t);
        self->n_queued--;
    }
    if (t->kind == KIND_STREAM)
        self->n_streams--;
}

//  Detach t, run its callback once, free it. body may be NULL.
static void
s_finish (engine_t *self, transfer_t *t, int status, const char *body, size_t len,
          const char *errmsg)
{
    s_detach (self, t);
    if (t->kind == KIND_REQUEST && t->cb)
        t->cb (t->arg, status, body ? body : "", body ? len : 0, errmsg);
    else if (t->kind == KIND_STREAM && t->on_end)
        t->on_end (t->arg, status, errmsg);
    s_transfer_free (t);
}

//  Fail every queued transfer (negotiation failed).
static void
s_fail_queue (engine_t *self, const char *errmsg)
{
    //  Callbacks may queue new transfers (higher ids): fail only the
    //  ones present now.
    if (!self->queue.tail)
        return;
    int64_t last_id = self->queue.tail->id;
    while (self->queue.head && self->queue.head->id <= last_id)
        s_finish (self, self->queue.head, -1, NULL, 0, errmsg);
}

//  --------------------------------------------------------------------------
//  libcurl callbacks

//  The bytes in t->buf, and its text ("" before it is made).
static size_t
s_len (const transfer_t *t)
{
    return t->buf ? ddc_buf_len (t->buf) : 0;
}

static const char *
s_text (const transfer_t *t)
{
    return t->buf ? ddc_buf_text (t->buf) : "";
}

static size_t
s_write_body (char *data, size_t size, size_t nmemb, void *userp)
{
    transfer_t *t = userp;
    size_t n = size * nmemb;
    if (t->cancelled)
        return 0;
    if (!t->buf)
        t->buf = ddc_buf_new (t->max_body);
    ddc_buf_add (t->buf, data, n);
    //  past max_body: aborts with CURLE_WRITE_ERROR
    return ddc_buf_overflow (t->buf) ? 0 : n;
}

//  Deliver the line in t->buf (if any) and empty it.
static void
s_stream_line (transfer_t *t)
{
    size_t len = s_len (t);
    if (len > 0 && s_text (t) [len - 1] == '\r')
        len--;
    if (len > 0 && !t->cancelled && t->on_line) {
        ddc_buf_truncate (t->buf, len);
        t->on_line (t->arg, ddc_buf_text (t->buf), len);
    }
    if (t->buf)
        ddc_buf_reset (t->buf);
}

//  Streams and sinks: an error reply is kept (its start, for the callback),
//  the rest dropped. True when the reply is such an error.
static bool
s_error_reply (transfer_t *t, char *data, size_t n)
{
    long code = 0;
    s_curl->easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code <= 299)
        return false;
    t->max_body = ENGINE_STREAM_ERR_MAX;
    size_t room = ENGINE_STREAM_ERR_MAX - s_len (t);
    s_write_body (data, 1, n < room ? n : room, t);
    return true;
}

static size_t
s_write_sink (char *data, size_t size, size_t nmemb, void *userp)
{
    transfer_t *t = userp;
    size_t n = size * nmemb;
    if (t->cancelled)
        return 0;
    if (s_error_reply (t, data, n))
        return n;
    if (t->on_data (t->arg, data, n) < 0) {
        t->refused = true;
        return 0; //  aborts with CURLE_WRITE_ERROR
    }
    return n;
}

//  Split a 2xx stream's bytes into lines for on_line: "\r" before "\n" is
//  dropped, empty lines are skipped and a line over ENGINE_MAX_LINE is
//  dropped whole (with a warning). Pure but for on_line: fuzzed. Returns
//  false when on_line cancelled the transfer.
static bool
s_stream_feed (transfer_t *t, const char *data, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr (data + i, '\n', n - i);
        size_t seg = nl ? (size_t) (nl - (data + i)) : n - i;
        if (t->skipping)
            ; //  rest of an overlong line: drop
        else if (seg > ENGINE_MAX_LINE - s_len (t)) {
            ddc_warn ("docker stream: line over %u bytes dropped", (unsigned) ENGINE_MAX_LINE);
            t->skipping = true;
            if (t->buf)
                ddc_buf_reset (t->buf);
        }
        else {
            if (!t->buf)
                t->buf = ddc_buf_new (ENGINE_MAX_LINE);
            ddc_buf_add (t->buf, data + i, seg);
        }
        i += seg;
        if (nl) {
            i++;
            if (t->skipping)
                t->skipping = false;
            else
                s_stream_line (t);
            if (t->cancelled)
                return false;
        }
    }
    return true;
}

static size_t
s_write_stream (char *data, size_t size, size_t nmemb, void *userp)
{
    transfer_t *t = userp;
    size_t n = size * nmemb;
    if (t->cancelled)
        return 0;
    if (s_error_reply (t, data, n))
        return n;
    return s_stream_feed (t, data, n) ? n : 0;
}

static size_t
s_header (char *data, size_t size, size_t nmemb, void *userp)
{
    transfer_t *t = userp;
    size_t n = size * nmemb;
    static const char name [] = "api-version:";
    if (t->kind == KIND_PING && n > sizeof (name) - 1
        && strncasecmp (data, name, sizeof (name) - 1) == 0) {
        const char *v = data + sizeof (name) - 1;
        const char *end = data + n;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end [-1] == '\r' || end [-1] == '\n' || end [-1] == ' '))
            end--;
        size_t len = (size_t) (end - v);
        if (len < sizeof (t->api_version)) {
            memcpy (t->api_version, v, len);
            t->api_version [len] = '\0';
        }
    }
    return n;
}

//  --------------------------------------------------------------------------
//  Starting transfers

static int
s_start (engine_t *self, transfer_t *t)
{
    CURL *easy = s_curl->easy_init ();
    if (!easy)
        return -1;
    bool versioned = t->kind == KIND_REQUEST || t->kind == KIND_STREAM;
    char *url = ddc_asprintf ("http://localhost%s%s", versioned ? self->prefix : "", t->path);
    s_curl->easy_setopt (easy, CURLOPT_UNIX_SOCKET_PATH, self->socket_path);
    s_curl->easy_setopt (easy, CURLOPT_URL, url);
    free (url);
    s_curl->easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http");
    s_curl->easy_setopt (easy, CURLOPT_USERAGENT, ENGINE_USER_AGENT);
    s_curl->easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    s_curl->easy_setopt (easy, CURLOPT_BUFFERSIZE, (long) ENGINE_RECV_BUFFER);
    s_curl->easy_setopt (easy, CURLOPT_PRIVATE, t);
    s_curl->easy_setopt (easy, CURLOPT_ERRORBUFFER, t->errbuf);
    s_curl->easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) ENGINE_CONNECT_TIMEOUT_MS);
    s_curl->easy_setopt (easy, CURLOPT_HEADERFUNCTION, s_header);
    s_curl->easy_setopt (easy, CURLOPT_HEADERDATA, t);
    s_curl->easy_setopt (easy, CURLOPT_WRITEFUNCTION,
                         t->kind == KIND_STREAM ? s_write_stream
                         : t->on_data           ? s_write_sink
                                                : s_write_body);
    s_curl->easy_setopt (easy, CURLOPT_WRITEDATA, t);
    if (t->deadline_ms) {
        int64_t left = t->deadline_ms - ddc_mono_ms ();
        s_curl->easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) (left > 1 ? left : 1));
    }
    //  No "Expect: 100-continue" round trip for larger bodies.
    t->headers = s_curl->slist_append (t->headers, "Expect:");
    //  JSON bodies are labelled; an empty POST gets no form content type.
    t->headers = s_curl->slist_append (t->headers, t->body ? "Content-Type: application/json"
                                                           : "Content-Type:");
    s_curl->easy_setopt (easy, CURLOPT_HTTPHEADER, t->headers);
    if (strcmp (t->method, "POST") == 0 || strcmp (t->method, "PUT") == 0) {
        s_curl->easy_setopt (easy, CURLOPT_POST, 1L);
        s_curl->easy_setopt (easy, CURLOPT_POSTFIELDS, t->body ? t->body : "");
        s_curl->easy_setopt (easy, CURLOPT_POSTFIELDSIZE, (long) (t->body ? strlen (t->body) : 0));
        if (t->method [1] == 'U')
            s_curl->easy_setopt (easy, CURLOPT_CUSTOMREQUEST, "PUT");
    }
    else if (strcmp (t->method, "DELETE") == 0) {
        s_curl->easy_setopt (easy, CURLOPT_CUSTOMREQUEST, "DELETE");
        if (t->body) {
            s_curl->easy_setopt (easy, CURLOPT_POSTFIELDS, t->body);
            s_curl->easy_setopt (easy, CURLOPT_POSTFIELDSIZE, (long) strlen (t->body));
        }
    }
    else if (strcmp (t->method, "HEAD") == 0)
        s_curl->easy_setopt (easy, CURLOPT_NOBODY, 1L);

    if (s_curl->multi_add_handle (self->multi, easy) != CURLM_OK) {
        s_curl->easy_cleanup (easy);
        return -1;
    }
    t->easy = easy;
    s_list_append (&self->running, t);
    if (t->kind == KIND_REQUEST)
        self->n_active++;
    return 0;
}

//  Start an internal negotiation transfer (not counted, not queued).
static void
s_start_negotiation (engine_t *self, kind_t kind)
{
    transfer_t *t = ddc_calloc (1, sizeof (*t));
    t->engine = self;
    t->id = self->next_id++;
    t->kind = kind;
    t->method = ddc_strdup ("GET");
    t->path = ddc_strdup (kind == KIND_PING ? "/_ping" : "/version");
    t->max_body = 64 * 1024;
    t->deadline_ms = ddc_mono_ms () + ENGINE_PING_TIMEOUT_MS;
    self->neg = NEG_RUNNING;
    if (s_start (self, t) != 0) {
        s_transfer_free (t);
        self->neg = NEG_NONE;
        s_fail_queue (self, "docker: cannot start a transfer");
    }
}

//  Use min(server, ENGINE_API_MAX) as the prefix. Returns 0, or -1 when
//  server is not an API version.
static int
s_set_version (engine_t *self, const char *server)
{
    int major, minor;
    if (docker_parse_api_version (server, &major, &minor) != 0)
        return -1;
    if (major > ENGINE_API_MAX_MAJOR
        || (major == ENGINE_API_MAX_MAJOR && minor > ENGINE_API_MAX_MINOR)) {
        major = ENGINE_API_MAX_MAJOR;
        minor = ENGINE_API_MAX_MINOR;
    }
    snprintf (self->api_version, sizeof (self->api_version), "%d.%d", major, minor);
    snprintf (self->prefix, sizeof (self->prefix), "/v%s", self->api_version);
    self->neg = NEG_DONE;
    ddc_info ("docker: server API %s, using %s", server, self->api_version);
    return 0;
}

//  A negotiation transfer finished with status (-1 = transport error).
static void
s_negotiation_done (engine_t *self, transfer_t *t, int status)
{
    if (status < 0) {
        char msg [CURL_ERROR_SIZE + 160];
        snprintf (msg, sizeof (msg), "docker socket %s: %s", self->socket_path,
                  t->errbuf [0] ? t->errbuf : "no reply");
        self->neg = NEG_NONE;
        s_detach (self, t);
        s_transfer_free (t);
        s_fail_queue (self, msg);
        return;
    }
    int rc = -1;
    if (t->kind == KIND_PING)
        rc = s_set_version (self, t->api_version);
    else if (status == 200) {
        docker_version_t v;
        if (docker_version_parse (s_text (t), s_len (t), &v) == 0)
            rc = s_set_version (self, v.api_version);
    }
    kind_t kind = t->kind;
    s_detach (self, t);
    s_transfer_free (t);
    if (rc == 0)
        return;
    if (kind == KIND_PING)
        s_start_negotiation (self, KIND_VERSION);
    else {
        //  The socket answers but tells no version (a proxy?): pin ours.
        char pinned [16];
        snprintf (pinned, sizeof (pinned), "%d.%d", ENGINE_API_MAX_MAJOR, ENGINE_API_MAX_MINOR);
        ddc_warn ("docker: no API version from /_ping or /version, pinning %s", pinned);
        s_set_version (self, pinned);
    }
}

//  Start queued transfers while there are slots; negotiate first.
static void
s_promote (engine_t *self)
{
    if (self->in_perform || self->destroying || self->promoting || !self->queue.head)
        return;
    self->promoting = true;
    if (self->neg == NEG_NONE)
        s_start_negotiation (self, KIND_PING);
    transfer_t *t = self->neg == NEG_DONE ? self->queue.head : NULL;
    while (t) {
        transfer_t *next = t->next;
        if (t->kind == KIND_STREAM || self->n_active < ENGINE_MAX_ACTIVE) {
            s_list_remove (&self->queue, t);
            self->n_queued--;
            if (s_start (self, t) != 0) {
                //  Back in the queue's accounting so s_finish can detach it;
                //  its callback may change the queue: start over.
                s_list_append (&self->queue, t);
                self->n_queued++;
                s_finish (self, t, -1, NULL, 0, "docker: cannot start a transfer");
                next = self->queue.head;
            }
        }
        t = next;
    }
    self->promoting = false;
}

//  --------------------------------------------------------------------------
//  Public API

engine_t *
engine_new (const char *socket_path)
{
    if (!socket_path || !*socket_path)
        return NULL;
    char err [300];
    if (!s_curl && !(s_curl = ddc_curl_load (err, sizeof (err)))) {
        ddc_error ("docker: cannot use libcurl: %s", err);
        return NULL;
    }
    engine_t *self = ddc_calloc (1, sizeof (*self));
    self->multi = s_curl->multi_init ();
    if (!self->multi) {
        free (self);
        return NULL;
    }
    //  Idle keep-alive connections kept for reuse (a reused connection
    //  saves ~2/3 of a small request's time).
    s_curl->multi_setopt (self->multi, CURLMOPT_MAXCONNECTS, 16L);
    self->socket_path = ddc_strdup (socket_path);
    self->next_id = 1;
    return self;
}

void
engine_destroy (engine_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    engine_t *self = *self_p;
    self->destroying = true;
    while (self->running.head) {
        transfer_t *t = self->running.head;
        s_finish (self, t, -1, NULL, 0, "engine destroyed");
    }
    while (self->queue.head)
        s_finish (self, self->queue.head, -1, NULL, 0, "engine destroyed");
    s_curl->multi_cleanup (self->multi);
    free (self->socket_path);
    free (self);
    *self_p = NULL;
}

static bool
s_path_ok (const char *path)
{
    if (!path || path [0] != '/')
        return false;
    size_t len = strnlen (path, ENGINE_MAX_PATH);
    if (len >= ENGINE_MAX_PATH)
        return false;
    bool in_query = false;
    const char *seg = path + 1; //  start of the current segment
    for (size_t i = 0; i <= len; i++) {
        unsigned char c = (unsigned char) path [i];
        if (!in_query && (c == '/' || c == '?' || c == '\0')) {
            size_t n = (size_t) (path + i - seg);
            if (i > 0 && ((n == 1 && seg [0] == '.') || (n == 2 && seg [0] == '.' && seg [1] == '.')))
                return false; //  dot segment: libcurl would fold it
            seg = path + i + 1;
            if (c == '?')
                in_query = true;
            continue;
        }
        if (c == '\0')
            break;
        if (c <= 0x20 || c >= 0x7F || c == '#' || c == '\\')
            return false;
        if (!in_query && c == '%')
            return false; //  no encoded '/' or '.' in the path
    }
    return true;
}

static bool
s_method_ok (const char *m)
{
    return m
           && (strcmp (m, "GET") == 0 || strcmp (m, "POST") == 0 || strcmp (m, "PUT") == 0
               || strcmp (m, "DELETE") == 0 || strcmp (m, "HEAD") == 0);
}

static int64_t
s_submit (engine_t *self, transfer_t *t)
{
    t->engine = self;
    t->id = self->next_id++;
    s_list_append (&self->queue, t);
    self->n_queued++;
    if (t->kind == KIND_STREAM)
        self->n_streams++;
    int64_t id = t->id;
    s_promote (self);
    return id;
}

static int64_t
s_new_request (engine_t *self, const char *method, const char *path, const char *body_json,
               long timeout_ms, size_t max_body, engine_data_fn *on_data, engine_reply_fn *cb,
               void *arg)
{
    if (!self || self->destroying || !s_method_ok (method) || !s_path_ok (path) || timeout_ms < 0
        || self->n_queued >= ENGINE_MAX_QUEUED)
        return -1;
    transfer_t *t = ddc_calloc (1, sizeof (*t));
    t->kind = KIND_REQUEST;
    t->method = ddc_strdup (method);
    t->path = ddc_strdup (path);
    t->body = body_json ? ddc_strdup (body_json) : NULL;
    t->max_body = max_body ? max_body : ENGINE_MAX_BODY;
    t->deadline_ms = ddc_mono_ms () + (timeout_ms ? timeout_ms : ENGINE_DEFAULT_TIMEOUT_MS);
    t->on_data = on_data;
    t->cb = cb;
    t->arg = arg;
    return s_submit (self, t);
}

int64_t
engine_request_capped (engine_t *self, const char *method, const char *path, const char *body_json,
                       long timeout_ms, size_t max_body, engine_reply_fn *cb, void *arg)
{
    return s_new_request (self, method, path, body_json, timeout_ms, max_body, NULL, cb, arg);
}

int64_t
engine_request_sink (engine_t *self, const char *method, const char *path, long timeout_ms,
                     engine_data_fn *on_data, engine_reply_fn *cb, void *arg)
{
    if (!on_data)
        return -1;
    return s_new_request (self, method, path, NULL, timeout_ms, ENGINE_STREAM_ERR_MAX, on_data, cb,
                          arg);
}

int64_t
engine_request (engine_t *self, const char *method, const char *path, const char *body_json,
                long timeout_ms, engine_reply_fn *cb, void *arg)
{
    return engine_request_capped (self, method, path, body_json, timeout_ms, 0, cb, arg);
}

int64_t
engine_stream (engine_t *self, const char *path, engine_line_fn *on_line, engine_end_fn *on_end,
               void *arg)
{
    if (!self || self->destroying || !s_path_ok (path) || self->n_streams >= ENGINE_MAX_STREAMS
        || self->n_queued >= ENGINE_MAX_QUEUED)
        return -1;
    transfer_t *t = ddc_calloc (1, sizeof (*t));
    t->kind = KIND_STREAM;
    t->method = ddc_strdup ("GET");
    t->path = ddc_strdup (path);
    t->max_body = ENGINE_MAX_LINE;
    t->on_line = on_line;
    t->on_end = on_end;
    t->arg = arg;
    return s_submit (self, t);
}

int
engine_cancel (engine_t *self, int64_t id)
{
    if (!self)
        return -1;
    transfer_t *t = s_list_find (&self->queue, id);
    if (!t) {
        t = s_list_find (&self->running, id);
        if (!t || t->kind == KIND_PING || t->kind == KIND_VERSION || t->cancelled)
            return -1;
        if (self->in_perform) {
            //  Inside a libcurl callback: finish it after curl_multi_perform.
            t->cancelled = true;
            self->cancel_pending = true;
            return 0;
        }
    }
    s_finish (self, t, -1, NULL, 0, "cancelled");
    s_promote (self);
    return 0;
}

int
engine_status (engine_t *self, int64_t id)
{
    if (!self)
        return -1;
    if (s_list_find (&self->queue, id))
        return 0;
    transfer_t *t = s_list_find (&self->running, id);
    if (!t)
        return -1;
    long code = 0;
    s_curl->easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &code);
    return (int) code;
}

int
engine_poll (engine_t *self, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
    if (!self)
        return -1;
    int numfds = 0;
    if (s_curl->multi_poll (self->multi, extra, n_extra, timeout_ms < 0 ? INT_MAX : timeout_ms,
                            &numfds)
        != CURLM_OK)
        return -1;
    return numfds;
}

//  A transfer libcurl reports as done with result res.
static void
s_done (engine_t *self, transfer_t *t, CURLcode res)
{
    long code = 0;
    s_curl->easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &code);
    int status = res == CURLE_OK ? (int) code : -1;
    if (t->kind == KIND_PING || t->kind == KIND_VERSION) {
        s_negotiation_done (self, t, status);
        return;
    }
    char msg [CURL_ERROR_SIZE + 160];
    const char *errmsg = NULL;
    if (t->cancelled)
        errmsg = "cancelled";
    else if (t->buf && ddc_buf_overflow (t->buf) && t->kind == KIND_REQUEST) {
        snprintf (msg, sizeof (msg), "docker: reply body over %zu bytes", t->max_body);
        errmsg = msg;
    }
    else if (t->refused)
        errmsg = "docker: reply refused by its reader";
    else if (res != CURLE_OK) {
        snprintf (msg, sizeof (msg), "docker socket %s: %s", self->socket_path,
                  t->errbuf [0] ? t->errbuf : s_curl->easy_strerror (res));
        errmsg = msg;
        //  The daemon may have restarted as another version: renegotiate.
        if (res != CURLE_OPERATION_TIMEDOUT && self->neg == NEG_DONE)
            self->neg = NEG_NONE;
    }
    if (errmsg)
        status = -1;
    if (t->kind == KIND_STREAM) {
        bool ok = status >= 200 && status <= 299;
        if (ok && s_len (t) > 0 && !t->skipping) {
            //  A last line without "\n". engine_cancel from on_line must
            //  not free t under us: make it defer as inside a perform.
            self->in_perform = true;
            s_stream_line (t);
            self->in_perform = false;
            if (t->cancelled) {
                errmsg = "cancelled";
                status = -1;
                ok = false;
            }
        }
        if (!ok && status > 0 && !errmsg)
            errmsg = s_len (t) ? s_text (t) : "stream refused";
        if (ok && !errmsg)
            errmsg = "stream ended";
        s_finish (self, t, status, NULL, 0, errmsg);
    }
    else
        s_finish (self, t, status, status >= 0 ? s_text (t) : NULL, s_len (t), errmsg);
}

void
engine_perform (engine_t *self)
{
    if (!self || self->destroying)
        return;
    int running = 0;
    self->in_perform = true;
    s_curl->multi_perform (self->multi, &running);
    self->in_perform = false;

    CURLMsg *msg;
    int left = 0;
    while ((msg = s_curl->multi_info_read (self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode res = msg->data.result;
        char *priv = NULL;
        s_curl->easy_getinfo (easy, CURLINFO_PRIVATE, &priv);
        if (priv)
            s_done (self, (transfer_t *) priv, res);
    }
    if (self->cancel_pending) {
        self->cancel_pending = false;
        transfer_t *t = self->running.head;
        while (t) {
            transfer_t *next = t->next;
            if (t->cancelled) {
                s_finish (self, t, -1, NULL, 0, "cancelled");
                next = self->running.head; //  callbacks may change the list
            }
            t = next;
        }
    }
    //  Requests whose deadline passed while they waited in the queue.
    int64_t now = ddc_mono_ms ();
    transfer_t *t = self->queue.head;
    while (t) {
        transfer_t *next = t->next;
        if (t->deadline_ms && now >= t->deadline_ms) {
            s_finish (self, t, -1, NULL, 0, "docker: timed out waiting for a free slot");
            next = self->queue.head;
        }
        t = next;
    }
    s_promote (self);
}

long
engine_timeout_ms (engine_t *self)
{
    long ms = -1;
    if (self)
        s_curl->multi_timeout (self->multi, &ms);
    return ms;
}

void
engine_wakeup (engine_t *self)
{
    if (self)
        s_curl->multi_wakeup (self->multi);
}

size_t
engine_active (engine_t *self)
{
    return self ? self->n_active : 0;
}
size_t
engine_queued (engine_t *self)
{
    return self ? self->n_queued : 0;
}
size_t
engine_streams (engine_t *self)
{
    return self ? self->n_streams : 0;
}

const char *
engine_api_version (engine_t *self)
{
    return self && self->neg == NEG_DONE ? self->api_version : NULL;
}
