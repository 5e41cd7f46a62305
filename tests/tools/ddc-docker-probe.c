/*  ddc-docker-probe: drives services/docker (engine + parsers) against a
    real Docker socket and prints one JSON object per line, for the
    integration tests and for people checking a Docker host by hand.

    ddc-docker-probe [--socket PATH] list | inspect NAME | stats NAME
        | logs NAME N | start NAME | stop NAME [T] | restart NAME [T]
        | events SECONDS | concurrency NAME

    concurrency: issues a stop (t=10) and, while it is pending, 5 inspects
    (one every 150 ms) and a list; prints every completion time and whether
    they all finished before the stop. Exit 0 when the main reply was 2xx or
    304, 1 otherwise, 2 on usage errors. Compiled with the service sources
    (#include of the .c files), since the Makefile links tools with libddc. */

#include "../../services/docker/docker_parse.c"
#include "../../services/docker/engine.c"

#include "ddc_log.h"
#include "ddc_util.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_LOGS_MAX (1024 * 1024)

//  One finished request: what the callback saw.
typedef struct {
    bool done;
    int status;
    char *body;
    size_t len;
    char errmsg [512];
    int64_t issued_us;
    int64_t done_us;
} reply_t;

static void
s_on_reply (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    reply_t *r = arg;
    r->done = true;
    r->status = status;
    r->body = ddc_malloc (len + 1);
    memcpy (r->body, body, len);
    r->body [len] = '\0';
    r->len = len;
    r->done_us = ddc_mono_us ();
    if (errmsg)
        ddc_strlcpy (r->errmsg, errmsg, sizeof (r->errmsg));
    else if (status >= 300 && status != 304)
        docker_error_parse (body, len, r->errmsg, sizeof (r->errmsg));
}

static void
s_reply_reset (reply_t *r)
{
    free (r->body);
    memset (r, 0, sizeof (*r));
}

//  Run the engine until *done or timeout_ms passed.
static void
s_run_until (engine_t *engine, const bool *done, int64_t timeout_ms)
{
    int64_t deadline = ddc_mono_ms () + timeout_ms;
    while (!*done && ddc_mono_ms () < deadline) {
        engine_poll (engine, NULL, 0, 100);
        engine_perform (engine);
    }
}

static int
s_request (engine_t *engine, const char *method, const char *path, long timeout_ms, size_t max_body,
           reply_t *r)
{
    memset (r, 0, sizeof (*r));
    r->issued_us = ddc_mono_us ();
    int64_t id =
        engine_request_capped (engine, method, path, NULL, timeout_ms, max_body, s_on_reply, r);
    if (id < 0) {
        r->done = true;
        r->status = -1;
        ddc_strlcpy (r->errmsg, "request refused", sizeof (r->errmsg));
        return -1;
    }
    s_run_until (engine, &r->done, timeout_ms + 5000);
    if (!r->done)
        engine_cancel (engine, id); //  runs s_on_reply with -1
    return 0;
}

static double
s_ms (const reply_t *r)
{
    return (double) (r->done_us - r->issued_us) / 1000.0;
}

static bool
s_ok (int status)
{
    return (status >= 200 && status <= 299) || status == 304;
}

//  Print obj as one line and free it.
static void
s_print (cJSON *obj)
{
    char *text = cJSON_PrintUnformatted (obj);
    printf ("%s\n", text);
    fflush (stdout);
    free (text);
    cJSON_Delete (obj);
}

static cJSON *
s_result (const char *cmd, const reply_t *r)
{
    cJSON *obj = cJSON_CreateObject ();
    cJSON_AddStringToObject (obj, "cmd", cmd);
    cJSON_AddNumberToObject (obj, "status", r->status);
    cJSON_AddNumberToObject (obj, "ms", s_ms (r));
    if (r->errmsg [0])
        cJSON_AddStringToObject (obj, "error", r->errmsg);
    return obj;
}

static void
s_add_inspect (cJSON *obj, const docker_inspect_t *in)
{
    cJSON_AddStringToObject (obj, "id", in->id);
    cJSON_AddStringToObject (obj, "name", in->name);
    cJSON_AddStringToObject (obj, "state", in->status);
    cJSON_AddBoolToObject (obj, "running", in->running);
    cJSON_AddStringToObject (obj, "health", in->health);
    cJSON_AddNumberToObject (obj, "started_at", (double) in->started_at);
    cJSON_AddNumberToObject (obj, "finished_at", (double) in->finished_at);
    cJSON_AddNumberToObject (obj, "restart_count", (double) in->restart_count);
    cJSON_AddNumberToObject (obj, "exit_code", (double) in->exit_code);
    cJSON_AddStringToObject (obj, "image", in->image);
    cJSON_AddBoolToObject (obj, "tty", in->tty);
}

//  --------------------------------------------------------------------------
//  Commands

static int
s_cmd_list (engine_t *engine)
{
    reply_t r;
    s_request (engine, "GET", "/containers/json?all=1", 30000, 0, &r);
    cJSON *obj = s_result ("list", &r);
    int rc = 1;
    if (r.status == 200) {
        docker_list_t *list = docker_list_parse (r.body, r.len, NULL, 0);
        if (list) {
            cJSON_AddNumberToObject (obj, "count", (double) list->count);
            cJSON_AddNumberToObject (obj, "skipped", (double) list->skipped);
            cJSON *arr = cJSON_AddArrayToObject (obj, "containers");
            for (size_t i = 0; i < list->count; i++) {
                const docker_container_t *c = &list->items [i];
                cJSON *item = cJSON_CreateObject ();
                cJSON_AddStringToObject (item, "id", c->id);
                cJSON_AddStringToObject (item, "name", c->name);
                cJSON_AddStringToObject (item, "image", c->image);
                cJSON_AddStringToObject (item, "state", c->state);
                cJSON_AddStringToObject (item, "status", c->status);
                cJSON_AddNumberToObject (item, "created", (double) c->created);
                cJSON_AddItemToArray (arr, item);
            }
            docker_list_destroy (&list);
            rc = 0;
        }
        else
            cJSON_AddStringToObject (obj, "error", "unparsable list");
    }
    s_print (obj);
    s_reply_reset (&r);
    return rc;
}

static int
s_cmd_inspect (engine_t *engine, const char *name)
{
    char *path = ddc_asprintf ("/containers/%s/json", name);
    reply_t r;
    s_request (engine, "GET", path, 30000, 0, &r);
    free (path);
    cJSON *obj = s_result ("inspect", &r);
    int rc = 1;
    docker_inspect_t in;
    if (r.status == 200 && docker_inspect_parse (r.body, r.len, &in) == 0) {
        s_add_inspect (obj, &in);
        rc = 0;
    }
    s_print (obj);
    s_reply_reset (&r);
    return rc;
}

static int
s_cmd_stats (engine_t *engine, const char *name)
{
    char *path = ddc_asprintf ("/containers/%s/stats?stream=false", name);
    reply_t r;
    s_request (engine, "GET", path, 30000, 0, &r);
    free (path);
    cJSON *obj = s_result ("stats", &r);
    int rc = 1;
    docker_stats_t st;
    if (r.status == 200 && docker_stats_parse (r.body, r.len, &st) == 0) {
        cJSON_AddBoolToObject (obj, "running", st.running);
        cJSON_AddNumberToObject (obj, "cpu_percent", st.cpu_percent);
        cJSON_AddNumberToObject (obj, "online_cpus", st.cpu.online_cpus);
        cJSON_AddNumberToObject (obj, "mem_usage", (double) st.mem_usage);
        cJSON_AddNumberToObject (obj, "mem_used", (double) st.mem_used);
        cJSON_AddNumberToObject (obj, "mem_limit", (double) st.mem_limit);
        cJSON_AddNumberToObject (obj, "mem_percent", st.mem_percent);
        cJSON_AddNumberToObject (obj, "pids", (double) st.pids);
        rc = 0;
    }
    s_print (obj);
    s_reply_reset (&r);
    return rc;
}

static int
s_cmd_logs (engine_t *engine, const char *name, const char *count)
{
    uint64_t n;
    if (ddc_parse_u64 (count, &n) || n == 0 || n > 100000) {
        fprintf (stderr, "ddc-docker-probe: bad line count\n");
        return 2;
    }
    //  Inspect first: Config.Tty decides raw text versus framed streams.
    char *path = ddc_asprintf ("/containers/%s/json", name);
    reply_t r;
    s_request (engine, "GET", path, 30000, 0, &r);
    free (path);
    docker_inspect_t in;
    if (r.status != 200 || docker_inspect_parse (r.body, r.len, &in) != 0) {
        s_print (s_result ("logs", &r));
        s_reply_reset (&r);
        return 1;
    }
    s_reply_reset (&r);
    path = ddc_asprintf ("/containers/%s/logs?stdout=1&stderr=1&tail=%llu", name,
                         (unsigned long long) n);
    s_request (engine, "GET", path, 30000, PROBE_LOGS_MAX, &r);
    free (path);
    cJSON *obj = s_result ("logs", &r);
    int rc = 1;
    char *text = NULL;
    size_t lines = 0;
    if (r.status == 200
        && docker_logs_text (r.body, r.len, in.tty ? DOCKER_LOGS_RAW : DOCKER_LOGS_MUX, (size_t) n,
                             PROBE_LOGS_MAX, &text, &lines)
               == 0) {
        cJSON_AddBoolToObject (obj, "tty", in.tty);
        cJSON_AddNumberToObject (obj, "bytes", (double) r.len);
        cJSON_AddNumberToObject (obj, "count", (double) lines);
        cJSON *arr = cJSON_AddArrayToObject (obj, "lines");
        char *save = NULL;
        for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
            cJSON_AddItemToArray (arr, cJSON_CreateString (line));
        rc = 0;
    }
    free (text);
    s_print (obj);
    s_reply_reset (&r);
    return rc;
}

static int
s_cmd_action (engine_t *engine, const char *action, const char *name, const char *grace)
{
    uint64_t t = 10;
    if (grace && (ddc_parse_u64 (grace, &t) || t > 3600)) {
        fprintf (stderr, "ddc-docker-probe: bad grace time\n");
        return 2;
    }
    char *path = strcmp (action, "start") == 0 ? ddc_asprintf ("/containers/%s/start", name)
                                               : ddc_asprintf ("/containers/%s/%s?t=%llu", name,
                                                               action, (unsigned long long) t);
    reply_t r;
    s_request (engine, "POST", path, (long) t * 1000 + 30000, 0, &r);
    free (path);
    cJSON *obj = s_result (action, &r);
    int rc = s_ok (r.status) ? 0 : 1;
    s_print (obj);
    s_reply_reset (&r);
    return rc;
}

typedef struct {
    int64_t id;
    bool ready;
    bool ended;
    int status;
    size_t count;
} events_t;

static void
s_on_event (void *arg, const char *line, size_t len)
{
    events_t *ev = arg;
    int64_t recv_ms = ddc_wall_ms ();
    docker_event_t e;
    cJSON *obj = cJSON_CreateObject ();
    cJSON_AddStringToObject (obj, "cmd", "event");
    if (docker_event_parse (line, len, &e) == 0) {
        cJSON_AddStringToObject (obj, "type", e.type);
        cJSON_AddStringToObject (obj, "action", e.action);
        cJSON_AddStringToObject (obj, "detail", e.detail);
        cJSON_AddStringToObject (obj, "id", e.id);
        cJSON_AddStringToObject (obj, "name", e.name);
        cJSON_AddNumberToObject (obj, "time", (double) e.time);
        cJSON_AddNumberToObject (obj, "time_ms", (double) (e.time_nano / 1000000));
        cJSON_AddNumberToObject (obj, "recv_ms", (double) recv_ms);
        cJSON_AddNumberToObject (obj, "latency_ms",
                                 (double) recv_ms - (double) (e.time_nano / 1000000));
    }
    else
        cJSON_AddStringToObject (obj, "error", "unparsable event");
    ev->count++;
    s_print (obj);
}

static void
s_on_events_end (void *arg, int status, const char *errmsg)
{
    events_t *ev = arg;
    ev->ended = true;
    ev->status = status;
    if (errmsg && strcmp (errmsg, "cancelled") != 0)
        fprintf (stderr, "ddc-docker-probe: events: %s\n", errmsg);
}

static int
s_cmd_events (engine_t *engine, const char *seconds)
{
    uint64_t secs;
    if (ddc_parse_u64 (seconds, &secs) || secs == 0 || secs > 86400) {
        fprintf (stderr, "ddc-docker-probe: bad seconds\n");
        return 2;
    }
    char *filters = curl_easy_escape (NULL, "{\"type\":[\"container\"]}", 0);
    char *path = ddc_asprintf ("/events?filters=%s", filters);
    curl_free (filters);
    events_t ev = { 0 };
    ev.id = engine_stream (engine, path, s_on_event, s_on_events_end, &ev);
    free (path);
    if (ev.id < 0)
        return 1;
    int64_t deadline = ddc_mono_ms () + (int64_t) secs * 1000;
    while (!ev.ended && ddc_mono_ms () < deadline) {
        engine_poll (engine, NULL, 0, 50);
        engine_perform (engine);
        if (!ev.ready && engine_status (engine, ev.id) == 200) {
            ev.ready = true;
            cJSON *obj = cJSON_CreateObject ();
            cJSON_AddStringToObject (obj, "cmd", "events");
            cJSON_AddBoolToObject (obj, "ready", true);
            cJSON_AddStringToObject (obj, "api", engine_api_version (engine));
            s_print (obj);
        }
    }
    bool ended_early = ev.ended;
    if (!ev.ended)
        engine_cancel (engine, ev.id);
    cJSON *obj = cJSON_CreateObject ();
    cJSON_AddStringToObject (obj, "cmd", "events");
    cJSON_AddBoolToObject (obj, "done", true);
    cJSON_AddNumberToObject (obj, "count", (double) ev.count);
    if (ended_early)
        cJSON_AddNumberToObject (obj, "status", ev.status);
    s_print (obj);
    return ev.ready && !ended_early ? 0 : 1;
}

static void
s_print_completion (const char *op, const reply_t *r, int64_t t0_us)
{
    cJSON *obj = cJSON_CreateObject ();
    cJSON_AddStringToObject (obj, "cmd", "completion");
    cJSON_AddStringToObject (obj, "op", op);
    cJSON_AddNumberToObject (obj, "status", r->status);
    cJSON_AddNumberToObject (obj, "issued_ms", (double) (r->issued_us - t0_us) / 1000.0);
    cJSON_AddNumberToObject (obj, "done_ms", (double) (r->done_us - t0_us) / 1000.0);
    cJSON_AddNumberToObject (obj, "latency_ms", s_ms (r));
    docker_inspect_t in;
    if (strcmp (op, "inspect") == 0 && r->status == 200
        && docker_inspect_parse (r->body, r->len, &in) == 0)
        cJSON_AddStringToObject (obj, "state", in.status);
    if (strcmp (op, "list") == 0 && r->status == 200) {
        docker_list_t *list = docker_list_parse (r->body, r->len, NULL, 0);
        cJSON_AddNumberToObject (obj, "count", list ? (double) list->count : -1.0);
        docker_list_destroy (&list);
    }
    s_print (obj);
}

static int
s_cmd_concurrency (engine_t *engine, const char *name)
{
    enum { N_INSPECT = 5 };
    reply_t stop, list, inspect [N_INSPECT];
    memset (&stop, 0, sizeof (stop));
    memset (&list, 0, sizeof (list));
    memset (inspect, 0, sizeof (inspect));
    bool printed_stop = false, printed_list = false, printed [N_INSPECT] = { false };

    //  Negotiate first so the stop is not delayed by the version ping.
    reply_t ping;
    s_request (engine, "GET", "/_ping", 5000, 0, &ping);
    s_reply_reset (&ping);

    char *stop_path = ddc_asprintf ("/containers/%s/stop?t=10", name);
    char *inspect_path = ddc_asprintf ("/containers/%s/json", name);
    int64_t t0 = ddc_mono_us ();
    stop.issued_us = t0;
    if (engine_request (engine, "POST", stop_path, NULL, 40000, s_on_reply, &stop) < 0)
        return 1;
    int issued = 0;
    bool list_issued = false;
    int64_t deadline = ddc_mono_ms () + 45000;
    while (ddc_mono_ms () < deadline) {
        int64_t now = ddc_mono_us ();
        //  One inspect every 150 ms, the list with the third.
        if (issued < N_INSPECT && now - t0 >= (int64_t) issued * 150000 + 100000) {
            inspect [issued].issued_us = now;
            engine_request (engine, "GET", inspect_path, NULL, 30000, s_on_reply, &inspect [issued]);
            issued++;
            if (issued == 3 && !list_issued) {
                list.issued_us = now;
                engine_request (engine, "GET", "/containers/json?all=1", NULL, 30000, s_on_reply,
                                &list);
                list_issued = true;
            }
        }
        engine_poll (engine, NULL, 0, 20);
        engine_perform (engine);
        for (int i = 0; i < issued; i++)
            if (inspect [i].done && !printed [i]) {
                s_print_completion ("inspect", &inspect [i], t0);
                printed [i] = true;
            }
        if (list.done && !printed_list) {
            s_print_completion ("list", &list, t0);
            printed_list = true;
        }
        if (stop.done && !printed_stop) {
            s_print_completion ("stop", &stop, t0);
            printed_stop = true;
        }
        bool all = stop.done && list.done && issued == N_INSPECT;
        for (int i = 0; i < issued; i++)
            all = all && inspect [i].done;
        if (all)
            break;
    }
    free (stop_path);
    free (inspect_path);

    double max_other = 0, last_other_done = 0;
    bool before = true;
    for (int i = 0; i < N_INSPECT + 1; i++) {
        const reply_t *r = i < N_INSPECT ? &inspect [i] : &list;
        if (!r->done || r->status != 200 || (stop.done && r->done_us > stop.done_us))
            before = false;
        if (r->done) {
            max_other = s_ms (r) > max_other ? s_ms (r) : max_other;
            double done = (double) (r->done_us - t0) / 1000.0;
            last_other_done = done > last_other_done ? done : last_other_done;
        }
    }
    cJSON *obj = cJSON_CreateObject ();
    cJSON_AddStringToObject (obj, "cmd", "concurrency");
    cJSON_AddNumberToObject (obj, "stop_status", stop.status);
    cJSON_AddNumberToObject (obj, "stop_ms", stop.done ? s_ms (&stop) : -1.0);
    cJSON_AddNumberToObject (obj, "others_max_latency_ms", max_other);
    cJSON_AddNumberToObject (obj, "others_last_done_ms", last_other_done);
    cJSON_AddBoolToObject (obj, "others_done_before_stop", before && stop.done);
    s_print (obj);
    int rc = stop.done && s_ok (stop.status) && before ? 0 : 1;
    s_reply_reset (&stop);
    s_reply_reset (&list);
    for (int i = 0; i < N_INSPECT; i++)
        s_reply_reset (&inspect [i]);
    return rc;
}

//  --------------------------------------------------------------------------

static int
s_usage (void)
{
    fprintf (stderr, "usage: ddc-docker-probe [--socket PATH] list | inspect NAME | stats NAME\n"
                     "       | logs NAME N | start NAME | stop NAME [T] | restart NAME [T]\n"
                     "       | events SECONDS | concurrency NAME\n");
    return 2;
}

int
main (int argc, char **argv)
{
    ddc_log_init ("ddc-docker-probe");
    ddc_log_set_level (DDC_LOG_WARN);
    const char *socket_path = "/var/run/docker.sock";
    int i = 1;
    if (i + 1 < argc && strcmp (argv [i], "--socket") == 0) {
        socket_path = argv [i + 1];
        i += 2;
    }
    if (i >= argc)
        return s_usage ();
    const char *cmd = argv [i];
    const char *a1 = i + 1 < argc ? argv [i + 1] : NULL;
    const char *a2 = i + 2 < argc ? argv [i + 2] : NULL;
    bool needs_name = strcmp (cmd, "list") != 0 && strcmp (cmd, "events") != 0;
    if (needs_name && !docker_name_valid (a1)) {
        fprintf (stderr, "ddc-docker-probe: missing or invalid container name\n");
        return 2;
    }
    engine_t *engine = engine_new (socket_path);
    if (!engine)
        return 1;
    int rc;
    if (strcmp (cmd, "list") == 0)
        rc = s_cmd_list (engine);
    else if (strcmp (cmd, "inspect") == 0)
        rc = s_cmd_inspect (engine, a1);
    else if (strcmp (cmd, "stats") == 0)
        rc = s_cmd_stats (engine, a1);
    else if (strcmp (cmd, "logs") == 0)
        rc = a2 ? s_cmd_logs (engine, a1, a2) : s_usage ();
    else if (strcmp (cmd, "start") == 0 || strcmp (cmd, "stop") == 0 || strcmp (cmd, "restart") == 0)
        rc = s_cmd_action (engine, cmd, a1, a2);
    else if (strcmp (cmd, "events") == 0)
        rc = a1 ? s_cmd_events (engine, a1) : s_usage ();
    else if (strcmp (cmd, "concurrency") == 0)
        rc = s_cmd_concurrency (engine, a1);
    else
        rc = s_usage ();
    engine_destroy (&engine);
    return rc;
}
