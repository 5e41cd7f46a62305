/*  ddc-docker: the Docker control agent of ddc, one per Docker host; it
    connects out to ddc-broker as docker@HOST. This file owns the command
    line, signals (a self-pipe), the wiring of the modules (agent, status,
    actions, tasks, alerts) and the parts of the one event loop (ddc_loop):
    engine_poll over the Docker transfers plus the client's two ZMQ_FDs and
    the alerts webhook's sockets, then handle/perform/timers. */
#include "actions.h"
#include "agent.h"
#include "alerts.h"
#include "scope.h"
#include "webhook.h"
#include "ddc_args.h"
#include "ddc_config.h"
#include "ddc_client.h"
#include "ddc_curl.h"
#include "ddc_fdlimit.h"
#include "ddc_log.h"
#include "ddc_loop.h"
#include "ddc_signal.h"
#include "ddc_schedule.h"
#include "ddc_schema.h"
#include "ddc_util.h"
#include "docker_parse.h"
#include "engine.h"
#include "records.h"
#include "status.h"
#include "tasks.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


//  The actions and results counted for the metrics ("other": anything else).
static const char *const s_actions [] = { "start",  "stop",      "restart", "logs",
                                          "status", "inventory", "other" };
static const char *const s_results [] = { "ok",   "refused", "failed", "timeout",
                                          "busy", "invalid", "other" };
#define S_ACTIONS (sizeof (s_actions) / sizeof (s_actions [0]))
#define S_RESULTS (sizeof (s_results) / sizeof (s_results [0]))

typedef struct {
    char host [DDC_HOST_NAME_MAX + 1];
    ddc_client_t *client;
    engine_t *engine;
    agent_t *agent;
    status_t *status;
    tasks_t *tasks;
    actions_t *actions;
    alerts_t *alerts;
    records_t *records;                      //  task runs for the broker's audit log
    uint64_t counted [S_ACTIONS][S_RESULTS]; //  actions by action and result
    bool tasks_report_due;
} s_daemon_t;


static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: ddc-docker --broker ENDPOINT [options]\n"
             "\n"
             "The Docker control agent of ddc: connects out to ddc-broker as docker@HOST,\n"
             "follows the containers, tasks, docker and alerts sections live, runs the\n"
             "allowed actions (start, stop, restart, logs) on this host's containers, runs\n"
             "the scheduled tasks, reports status (topics status, inventory, tasks) and\n"
             "raises alerts when a container crashes, turns unhealthy or restarts in a\n"
             "loop (topic alerts, and alerts.webhook_url when set).\n"
             "\n"
             "  --broker ENDPOINT     CTL endpoint of the broker, ipc://PATH or\n"
             "                        tcp://HOST:PORT (env DDC_BROKER)\n"
             "  --cert FILE           CURVE certificate of this agent, for tcp://; FILE_secret\n"
             "                        is read too (env DDC_CERT)\n"
             "  --broker-cert FILE    the broker's public certificate (env DDC_BROKER_CERT)\n"
             "  --insecure            allow tcp:// without certificates, as plain TCP\n"
             "                        (env DDC_INSECURE=1)\n"
             "  --host NAME           this Docker host's name in the configuration\n"
             "                        (default: the system host name)\n"
             "  --docker-socket PATH  Docker engine socket (default /var/run/docker.sock);\n"
             "                        Docker may come later: it is retried with backoff\n"
             "  --data DIR            the folder of the agent's files (env DDC_DATA; default\n"
             "                        /var/lib/ddc when writable, else $XDG_STATE_HOME/ddc or\n"
             "                        ~/.local/state/ddc), created with mode 0700\n"
             "  --cache FILE          last good configuration, used when the broker is\n"
             "                        down at start (default DIR/docker-HOST.cache.json)\n"
             "  --audit FILE          one JSON line per action, mode 0600, rotated to\n"
             "                        FILE.1 past 16 MiB (default DIR/docker-HOST.audit.log)\n"
             "  --label KEY[=VALUE]   own only the containers carrying this Docker label\n"
             "                        (repeatable, up to 8: all of them): the inventory,\n"
             "                        status, actions and tasks then concern those alone,\n"
             "                        for an engine shared by several agents (default:\n"
             "                        every container of the engine)\n"
             "  -v, --verbose         debug logging\n"
             "  -h, --help            this text\n"
             "  -V, --version         version\n"
             "\n"
             "A flag wins over its environment variable. A tcp:// broker without\n"
             "certificates is refused unless --insecure is given.\n"
             "\n"
             "Tasks run at their scheduled minute while the agent runs; runs missed while\n"
             "it was down are not caught up. Stops cleanly on SIGTERM or SIGINT.\n");
}

//  --------------------------------------------------------------------------
//  Callbacks

static void
s_report (void *arg, const char *topic, const cJSON *body)
{
    s_daemon_t *self = arg;
    if (self->client && ddc_client_report (self->client, topic, body) < 0)
        ddc_warn ("cannot publish the %s report (too large?)", topic);
}

static int
s_on_apply (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
            cJSON *errors)
{
    s_daemon_t *self = arg;
    if (agent_apply (self->agent, section, value, errors) < 0) {
        ddc_warn ("%s rev %llu rejected: it does not have the expected shape", section,
                  (unsigned long long) rev);
        return -1;
    }
    ddc_info ("applied %s rev %llu%s", section, (unsigned long long) rev,
              from_cache ? " (from the cache)" : "");
    if (strcmp (section, "containers") == 0 || strcmp (section, "docker") == 0)
        status_config_changed (self->status);
    if (strcmp (section, "containers") == 0 || strcmp (section, "alerts") == 0)
        alerts_config_changed (self->alerts);
    tasks_sync (self->tasks, agent_tasks (self->agent), ddc_wall_ms () / 1000);
    self->tasks_report_due = true;
    return 0;
}

static void
s_on_event (void *arg, ddc_client_event_t event, const char *detail)
{
    (void) arg;
    switch (event) {
        case DDC_EV_CONNECTED:
            ddc_info ("connected to the broker as %s", detail);
            break;
        case DDC_EV_SYNCED:
            ddc_info ("configuration in sync");
            break;
        case DDC_EV_DISCONNECTED:
            ddc_warn ("%s; running on the last good configuration", detail);
            break;
        case DDC_EV_RESYNC:
            ddc_info ("resync: %s", detail);
            break;
        case DDC_EV_CACHE_LOADED:
            ddc_info ("started from the cache %s", detail);
            break;
        case DDC_EV_ERROR:
            ddc_warn ("%s", detail);
            break;
        case DDC_EV_REFUSED:
            break; //  logged by the client; shown in the "link" report
    }
}

static size_t
s_index (const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (name && strcmp (names [i], name) == 0)
            return i;
    return n - 1;
}

//  Count an action (a request or a task) by its result body.
static void
s_count (s_daemon_t *self, const char *action, const cJSON *result)
{
    bool ok = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "ok"));
    const char *error = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (result, "error"));
    self->counted [s_index (s_actions, S_ACTIONS, action)]
                  [ok ? 0 : s_index (s_results, S_RESULTS, error)]++;
}

//  The agent's metrics (ddc_client calls it every DDC_METRICS_INTERVAL_MS).
static void
s_on_metrics (void *arg, ddc_metrics_t *m)
{
    s_daemon_t *self = arg;
    for (size_t a = 0; a < S_ACTIONS; a++)
        for (size_t r = 0; r < S_RESULTS; r++)
            if (self->counted [a][r])
                ddc_metrics_counter (m, "ddc_docker_actions_total",
                                     "Actions and task runs, by "
                                     "action and result.",
                                     (double) self->counted [a][r], "action", s_actions [a],
                                     "result", s_results [r], NULL);
    ddc_metrics_gauge (m, "ddc_docker_reachable", "1 when the Docker engine answers.",
                       status_reachable (self->status) ? 1 : 0, NULL);
    ddc_metrics_counter (m, "ddc_docker_events_total", "Docker events read.",
                         (double) status_events (self->status), NULL);
    int64_t lag = status_event_lag_ms (self->status);
    if (lag >= 0)
        ddc_metrics_gauge (m, "ddc_docker_event_lag_seconds",
                           "How late the last Docker event "
                           "was read (its time to the agent's).",
                           (double) lag / 1000.0, NULL);
    //  the configured containers of this host, by state
    cJSON *body = status_body (self->status, NULL);
    const cJSON *c;
    const char *states [] = { "running", "exited", "paused",  "restarting",
                              "created", "dead",   "missing", "unknown" };
    uint64_t by [sizeof (states) / sizeof (states [0])] = { 0 };
    cJSON_ArrayForEach (c, cJSON_GetObjectItemCaseSensitive (body, "containers")) {
        const char *state = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "state"));
        by [s_index (states, sizeof (states) / sizeof (states [0]), state)]++;
    }
    cJSON_Delete (body);
    for (size_t i = 0; i < sizeof (states) / sizeof (states [0]); i++)
        ddc_metrics_gauge (m, "ddc_docker_containers",
                           "This host's configured containers, by "
                           "state.",
                           (double) by [i], "state", states [i], NULL);
    ddc_metrics_gauge (m, "ddc_docker_pending_actions", "Actions running or waiting.",
                       (double) actions_pending (self->actions), NULL);
    ddc_metrics_gauge (m, "ddc_docker_tasks", "This host's scheduled tasks.",
                       (double) tasks_count (self->tasks), NULL);
    ddc_metrics_gauge (m, "ddc_docker_unreported_task_runs",
                       "Task runs not yet in the "
                       "broker's audit log.",
                       (double) records_queued (self->records), NULL);
}

static void
s_answer (s_daemon_t *self, const char *req, cJSON *body)
{
    s_count (self, cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "action")), body);
    if (ddc_client_result (self->client, req, body) < 0)
        ddc_warn ("cannot send the result of %s", req);
    cJSON_Delete (body);
}

static cJSON *
s_error_body (const char *error, const char *message)
{
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddFalseToObject (body, "ok");
    cJSON_AddStringToObject (body, "error", error);
    cJSON_AddStringToObject (body, "message", message);
    return body;
}

static void
s_on_action (void *arg, const char *req, const char *origin, const cJSON *body)
{
    s_daemon_t *self = arg;
    const char *action = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "action"));
    const cJSON *jcontainer = cJSON_GetObjectItemCaseSensitive (body, "container");
    const char *container = cJSON_GetStringValue (jcontainer);
    if (!action) {
        s_answer (self, req,
                  s_error_body ("invalid", "the body needs an \"action\" string "
                                           "(start, stop, restart, logs, status, inventory)"));
        return;
    }
    if (jcontainer && !cJSON_IsNull (jcontainer) && !container) {
        s_answer (self, req, s_error_body ("invalid", "\"container\" must be a string"));
        return;
    }
    if (strcmp (action, "status") == 0) {
        cJSON *out = cJSON_CreateObject ();
        cJSON_AddTrueToObject (out, "ok");
        cJSON_AddStringToObject (out, "action", "status");
        cJSON_AddStringToObject (out, "host", self->host);
        if (container) {
            cJSON *entry = status_body (self->status, container);
            if (!entry) {
                cJSON_Delete (out);
                char msg [400];
                snprintf (msg, sizeof (msg), "container %.128s is not configured on %s", container,
                          self->host);
                s_answer (self, req, s_error_body ("refused", msg));
                return;
            }
            cJSON_AddStringToObject (out, "container", container);
            cJSON_AddItemToObject (out, "status", entry);
        }
        else
            cJSON_AddItemToObject (out, "status", status_body (self->status, NULL));
        s_answer (self, req, out);
        return;
    }
    if (strcmp (action, "inventory") == 0) {
        cJSON *out = cJSON_CreateObject ();
        cJSON_AddTrueToObject (out, "ok");
        cJSON_AddStringToObject (out, "action", "inventory");
        cJSON_AddStringToObject (out, "host", self->host);
        cJSON_AddItemToObject (out, "inventory", status_inventory (self->status));
        s_answer (self, req, out);
        return;
    }
    if (!agent_action_known (action)) {
        char msg [200];
        snprintf (msg, sizeof (msg),
                  "unknown action '%.32s' (start, stop, restart, logs, "
                  "status, inventory)",
                  action);
        s_answer (self, req, s_error_body ("invalid", msg));
        return;
    }
    if (!container || !docker_name_valid (container)) {
        s_answer (self, req,
                  s_error_body ("invalid", "\"container\" must be a Docker container "
                                           "name"));
        return;
    }
    int lines = 0;
    const cJSON *jlines = cJSON_GetObjectItemCaseSensitive (body, "lines");
    if (jlines && !cJSON_IsNull (jlines)) {
        if (!cJSON_IsNumber (jlines) || jlines->valuedouble < 1) {
            s_answer (self, req,
                      s_error_body ("invalid", "\"lines\" must be a number from 1 "
                                               "to 1000"));
            return;
        }
        lines = jlines->valuedouble > AGENT_LOG_LINES_MAX ? AGENT_LOG_LINES_MAX
                                                          : (int) jlines->valuedouble;
    }
    const char *by = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "by"));
    job_t *job = job_new (action, container, lines, by ? by : origin);
    ddc_strlcpy (job->req, req, sizeof (job->req));
    ddc_strlcpy (job->origin, origin ? origin : "", sizeof (job->origin));
    job->follow = strcmp (action, "logs") == 0
                  && cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (body, "follow"));
    actions_submit (self->actions, &job);
}

static void
s_on_done (void *arg, const job_t *job, const cJSON *result)
{
    s_daemon_t *self = arg;
    s_count (self, job->action, result);
    if (job->req [0] && self->client && ddc_client_result (self->client, job->req, result) < 0)
        ddc_warn ("cannot send the result of %s %s", job->action, job->container);
    if (job->task_id [0]) {
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive (result, "ok");
        const char *message =
            cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (result, "message"));
        const char *state =
            cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (result, "state"));
        char text [256];
        if (cJSON_IsTrue (ok))
            snprintf (text, sizeof (text), "%s %.128s: %.32s", job->action, job->container,
                      state ? state : "done");
        else
            snprintf (text, sizeof (text), "%s", message ? message : "failed");
        int64_t run_ms = job->started_wall ? job->started_wall : ddc_wall_ms ();
        tasks_record (self->tasks, job->task_id, run_ms / 1000, cJSON_IsTrue (ok), text);
        self->tasks_report_due = true;
        cJSON *entry = records_entry (job, result);
        records_add (self->records, entry);
        cJSON_Delete (entry);
    }
}

//  Start every task that is due.
static void
s_run_tasks (s_daemon_t *self)
{
    int64_t now_s = ddc_wall_ms () / 1000;
    int64_t due = tasks_next_due (self->tasks);
    if (due < 0 || due > now_s)
        return;
    const cJSON *task;
    while ((task = tasks_take_due (self->tasks, now_s))) {
        const char *id = ddc_schema_str (DDC_SEC_TASKS, task, "id");
        const char *action = ddc_schema_str (DDC_SEC_TASKS, task, "action");
        const char *container = ddc_schema_str (DDC_SEC_TASKS, task, "container");
        char by [96];
        snprintf (by, sizeof (by), "task %.64s", id);
        ddc_info ("task %s due: %s %s", id, action, container);
        job_t *job = job_new (action, container, 0, by);
        ddc_strlcpy (job->task_id, id, sizeof (job->task_id));
        actions_submit (self->actions, &job);
        self->tasks_report_due = true;
    }
}

//  --------------------------------------------------------------------------
//  Loop

static int64_t
s_min (int64_t a, int64_t b)
{
    return a < b ? a : b;
}

//  The agent's part of the main loop (ddc_loop), after the broker
//  client's: Docker replies, status, alerts and their webhooks, tasks.
static int64_t
s_agent_next (void *arg, int64_t now)
{
    (void) now;
    s_daemon_t *self = arg;
    if (self->tasks_report_due)
        return 0;
    int64_t wait = s_min (status_timeout_ms (self->status), alerts_timeout_ms (self->alerts));
    int64_t due = tasks_next_due (self->tasks);
    if (due >= 0)
        wait = s_min (wait, due * 1000 - ddc_wall_ms ());
    return wait;
}

static size_t
s_agent_fds (void *arg, struct curl_waitfd *fds, size_t max)
{
    s_daemon_t *self = arg;
    return alerts_fds (self->alerts, fds, max < WEBHOOK_FDS_MAX ? max : WEBHOOK_FDS_MAX);
}

static void
s_agent_run (void *arg, const struct curl_waitfd *fds, size_t n)
{
    s_daemon_t *self = arg;
    engine_perform (self->engine);
    status_tick (self->status);
    alerts_perform (self->alerts, fds, n);
    alerts_tick (self->alerts);
    s_run_tasks (self);
    records_pump (self->records, self->client);
    if (self->tasks_report_due) {
        self->tasks_report_due = false;
        cJSON *body = tasks_report (self->tasks);
        s_report (self, "tasks", body);
        cJSON_Delete (body);
    }
}

//  The wait of a turn: curl_multi_poll over the engine's sockets and the fds.
static int
s_poll (void *arg, struct curl_waitfd *fds, unsigned n, int timeout_ms)
{
    s_daemon_t *self = arg;
    return engine_poll (self->engine, fds, n, timeout_ms) < 0 ? -1 : 0;
}

static void
s_loop (s_daemon_t *self)
{
    ddc_loop_t *loop = ddc_loop_new (s_poll, self);
    ddc_loop_add_client (loop, self->client);
    ddc_loop_add (loop, &(ddc_loop_part_t){ .next_ms = s_agent_next,
                                            .fds = s_agent_fds,
                                            .run = s_agent_run,
                                            .arg = self });
    ddc_loop_run (loop);
    ddc_loop_destroy (&loop);
}

//  --------------------------------------------------------------------------
//  Main


int
main (int argc, char **argv)
{
    ddc_malloc_policy ();
    ddc_log_init ("ddc-docker");
    static const struct option longopts [] = {
        { "broker", required_argument, NULL, 'b' },
        { "host", required_argument, NULL, 'H' },
        { "docker-socket", required_argument, NULL, 's' },
        { "cache", required_argument, NULL, 'c' },
        { "audit", required_argument, NULL, 'a' },
        { "cert", required_argument, NULL, 'C' },
        { "broker-cert", required_argument, NULL, 'B' },
        { "insecure", no_argument, NULL, 'I' },
        { "data", required_argument, NULL, 'D' },
        { "label", required_argument, NULL, 'L' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    ddc_args_conn_t conn;
    char err [512];
    if (ddc_args_conn_env (&conn, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-docker: %s\n", err);
        return DDC_ARGS_USAGE;
    }
    const char *host = NULL, *socket_path = "/var/run/docker.sock";
    const char *cache = NULL, *audit = NULL, *data = NULL;
    const char *labels [SCOPE_LABELS_MAX + 1];
    size_t nlabels = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long (argc, argv, ":vhV", longopts, NULL)) != -1) {
        switch (c) {
            case 'b':
                conn.broker = optarg;
                break;
            case 'H':
                host = optarg;
                break;
            case 's':
                socket_path = optarg;
                break;
            case 'c':
                cache = optarg;
                break;
            case 'a':
                audit = optarg;
                break;
            case 'C':
                conn.cert = optarg;
                break;
            case 'B':
                conn.broker_cert = optarg;
                break;
            case 'I':
                conn.insecure = true;
                break;
            case 'D':
                data = optarg;
                break;
            case 'L':
                if (nlabels <= SCOPE_LABELS_MAX)
                    labels [nlabels++] = optarg;
                break;
            case 'v':
                ddc_log_set_level (DDC_LOG_DEBUG);
                break;
            case 'h':
                s_usage (stdout);
                return 0;
            case 'V': {
                char why [300];
                const ddc_curl_t *curl = ddc_curl_load (why, sizeof (why));
                printf ("ddc-docker %s (libzmq %d.%d.%d, czmq %d.%d.%d, %s)\n", DDC_VERSION,
                        ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH, CZMQ_VERSION_MAJOR,
                        CZMQ_VERSION_MINOR, CZMQ_VERSION_PATCH, curl ? curl->version () : why);
                ddc_curl_unload ();
                return 0;
            }
            default:
                return ddc_args_bad_option ("ddc-docker", c, argv);
        }
    }
    if (ddc_args_no_more ("ddc-docker", argc, argv) || ddc_args_connection ("ddc-docker", &conn))
        return DDC_ARGS_USAGE;
    //  The containers this agent owns: those with every --label.
    scope_t *scope = scope_new ();
    err [0] = '\0';
    for (size_t i = 0; i < nlabels; i++)
        if (scope_add (scope, labels [i], err, sizeof (err)) < 0)
            break;
    scope_destroy (&scope);
    if (*err) {
        fprintf (stderr, "ddc-docker: %s\n", err);
        return DDC_ARGS_USAGE;
    }
    if (!*socket_path) {
        fprintf (stderr, "ddc-docker: --docker-socket needs a path\n");
        return 2;
    }
    s_daemon_t daemon_ = { 0 };
    s_daemon_t *self = &daemon_;
    char hostbuf [256] = "";
    if (!host) {
        ddc_args_host_name (hostbuf, sizeof (hostbuf));
        host = hostbuf;
    }
    ddc_strlcpy (self->host, host, sizeof (self->host));
    if (!ddc_config_name_ok (host, DDC_HOST_NAME_MAX)) {
        fprintf (stderr,
                 "ddc-docker: host name '%s' is not usable: 1 to 63 characters from "
                 "A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit (pass "
                 "--host)\n",
                 host);
        return 2;
    }
    //  The files go to the data folder unless each is given.
    char name [DDC_HOST_NAME_MAX + 32]; //  docker-HOST.cache.json
    char *data_dir = NULL, *audit_path = NULL;
    snprintf (name, sizeof (name), "docker-%.*s.cache.json", DDC_HOST_NAME_MAX, self->host);
    char *cache_path = ddc_args_data_file (cache, data, &data_dir, name, err, sizeof (err));
    snprintf (name, sizeof (name), "docker-%.*s.audit.log", DDC_HOST_NAME_MAX, self->host);
    if (cache_path)
        audit_path = ddc_args_data_file (audit, data, &data_dir, name, err, sizeof (err));
    if (!audit_path) {
        fprintf (stderr, "ddc-docker: %s\n", err);
        free (cache_path);
        return 1;
    }

    //  libcurl loaded and started before any thread (ddc_curl.h).
    if (!ddc_curl_load (err, sizeof (err))) {
        fprintf (stderr, "ddc-docker: cannot use libcurl: %s\n", err);
        free (cache_path);
        free (audit_path);
        free (data_dir);
        return 1;
    }
    //  czmq and libzmq abort when a socket gets no descriptor.
    if (ddc_fdlimit_ensure (DDC_FDLIMIT_SERVICE, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-docker: %s\n", err);
        free (cache_path);
        free (audit_path);
        free (data_dir);
        return 1;
    }
    //  Our own handlers (a self-pipe wakes the loop), not czmq's.
    zsys_handler_set (NULL);
    zsys_init ();
    zsys_set_logstream (NULL);
    if (ddc_signal_open () < 0) {
        fprintf (stderr, "ddc-docker: cannot set up signals: %s\n", strerror (errno));
        return 1;
    }
    self->engine = engine_new (socket_path);
    if (!self->engine) {
        fprintf (stderr, "ddc-docker: cannot set up libcurl\n");
        return 1;
    }
    scope = scope_new ();
    for (size_t i = 0; i < nlabels; i++)
        scope_add (scope, labels [i], err, sizeof (err));
    self->agent = agent_new (self->host);
    self->tasks = tasks_new (self->host);
    self->records = records_new ();
    self->status = status_new (self->engine, socket_path, self->agent, scope, s_report, self);
    self->actions =
        actions_new (self->engine, self->agent, self->status, audit_path, s_on_done, self);
    self->alerts = alerts_new (self->engine, self->agent, self->status, s_report, self);
    if (!self->alerts) {
        fprintf (stderr, "ddc-docker: cannot set up libcurl for the alerts' webhook\n");
        return 1;
    }
    status_watch (self->status, alerts_event, alerts_inspected, self->alerts);
    actions_on_stop (self->actions, alerts_asked, self->alerts);
    static const char *const sections [] = { "containers", "tasks", "docker", "alerts", NULL };
    ddc_client_opts_t opts = {
        .broker = conn.broker,
        .role = "docker",
        .instance = self->host,
        .sections = sections,
        .cache_path = cache_path,
        .cert_path = conn.cert,
        .broker_cert_path = conn.broker_cert,
        .on_apply = s_on_apply,
        .on_event = s_on_event,
        .on_action = s_on_action,
        .on_metrics = s_on_metrics,
        .arg = self,
        .compact = true, //  the agent keeps its own host's entries
    };
    int rc = 0;
    self->client = ddc_client_new (&opts);
    if (!self->client) {
        fprintf (stderr,
                 "ddc-docker: cannot connect to %s (bad endpoint or certificate; "
                 "-v tells why)\n",
                 conn.broker);
        rc = 1;
    }
    else {
        ddc_info ("docker@%s starting: broker %s%s, Docker %s, containers %s%s, data %s, "
                  "cache %s, audit %s",
                  self->host, conn.broker, conn.cert ? " (CURVE)" : "", socket_path,
                  scope_empty (scope) ? "all" : "labelled ", scope_text (scope),
                  data_dir ? data_dir : "(not used)", cache_path, audit_path);
        status_start (self->status);
        s_loop (self);
        ddc_info ("stopping: %zu action(s) in progress are cancelled",
                  actions_pending (self->actions));
    }
    //  Shutdown: no new Docker calls, waiting jobs answered, then the
    //  engine cancels what is in flight (their callbacks answer too), and
    //  the client says BYE.
    status_close (self->status);
    actions_close (self->actions);
    alerts_close (self->alerts);
    engine_destroy (&self->engine);
    ddc_client_destroy (&self->client);
    alerts_destroy (&self->alerts);
    actions_destroy (&self->actions);
    status_destroy (&self->status);
    tasks_destroy (&self->tasks);
    records_destroy (&self->records);
    agent_destroy (&self->agent);
    scope_destroy (&scope);
    ddc_schedule_flush ();
    free (cache_path);
    free (audit_path);
    free (data_dir);
    ddc_curl_unload ();
    ddc_signal_close ();
    zsys_shutdown ();
    return rc;
}
