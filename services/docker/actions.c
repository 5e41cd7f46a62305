/*  actions: start/stop/restart/logs jobs, their results and the audit
    file. See actions.h. */
#include "actions.h"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define S_INSPECT_TIMEOUT 10000

struct _actions_t {
    engine_t *engine;
    agent_t *agent;
    status_t *status;
    char *audit_path;
    bool audit_warned;
    actions_done_fn *done;
    void *arg;
    actions_stop_fn *on_stop;
    void *stop_arg;
    size_t pending;
    bool closing;
};

static void s_start (actions_t *self, job_t *job);

//  --------------------------------------------------------------------------
//  Jobs

job_t *
job_new (const char *action, const char *container, int lines, const char *by)
{
    job_t *job = ddc_calloc (1, sizeof (*job));
    ddc_strlcpy (job->action, action ? action : "", sizeof (job->action));
    ddc_strlcpy (job->container, container ? container : "", sizeof (job->container));
    if (lines <= 0)
        lines = AGENT_LOG_LINES;
    job->lines = lines > AGENT_LOG_LINES_MAX ? AGENT_LOG_LINES_MAX : lines;
    //  by: printable text, valid UTF-8, at most 200 bytes.
    size_t o = 0;
    const unsigned char *p = (const unsigned char *) (by ? by : "");
    while (*p && o < 200) {
        size_t n = ddc_utf8_seq (p, strlen ((const char *) p));
        if (n == 0) {
            job->by [o++] = '?';
            p++;
        }
        else if (n == 1) {
            job->by [o++] = (*p < 0x20 || *p == 0x7F) ? ' ' : (char) *p;
            p++;
        }
        else {
            if (o + n > 200)
                break;
            memcpy (job->by + o, p, n);
            o += n;
            p += n;
        }
    }
    job->by [o] = '\0';
    if (!job->by [0])
        ddc_strlcpy (job->by, "unknown", sizeof (job->by));
    return job;
}

void
job_destroy (job_t **job_p)
{
    if (!job_p || !*job_p)
        return;
    free ((*job_p)->logs);
    docker_logs_destroy (&(*job_p)->reader);
    free (*job_p);
    *job_p = NULL;
}

//  --------------------------------------------------------------------------
//  Audit

static void
s_audit (actions_t *self, const job_t *job, const cJSON *result, int64_t end_wall)
{
    if (!self->audit_path)
        return;
    cJSON *line = cJSON_CreateObject ();
    char iso [32];
    ddc_iso_time (end_wall, iso);
    cJSON_AddStringToObject (line, "time", iso);
    cJSON_AddStringToObject (line, "host", agent_host (self->agent));
    cJSON_AddStringToObject (line, "by", job->by);
    if (job->origin [0])
        cJSON_AddStringToObject (line, "origin", job->origin);
    if (job->task_id [0])
        cJSON_AddStringToObject (line, "task", job->task_id);
    cJSON_AddStringToObject (line, "action", job->action);
    cJSON_AddStringToObject (line, "container", job->container);
    const char *keys [] = { "ok", "error", "message", "state", "duration_ms", "lines", "cut", NULL };
    for (const char **k = keys; *k; k++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive (result, *k);
        if (item)
            cJSON_AddItemToObject (line, *k, cJSON_Duplicate (item, 1));
    }
    int64_t now = ddc_mono_ms ();
    cJSON_AddNumberToObject (line, "queued_ms",
                             (double) ((job->started_ms ? job->started_ms : now) - job->queued_ms));
    cJSON_AddNumberToObject (line, "start_ms",
                             (double) (job->started_wall ? job->started_wall : end_wall));
    cJSON_AddNumberToObject (line, "end_ms", (double) end_wall);
    char *text = ddc_json_print (line);
    cJSON_Delete (line);
    if (!text)
        return;
    if (ddc_append_rotated (self->audit_path, text, ACTIONS_AUDIT_MAX, 0600) < 0) {
        if (!self->audit_warned)
            ddc_error ("cannot append to the audit file %s: %s", self->audit_path, strerror (errno));
        self->audit_warned = true;
    }
    else
        self->audit_warned = false;
    free (text);
}

//  --------------------------------------------------------------------------
//  Completion

//  Deliver the result of *job_p and destroy it (*job_p set to NULL). Does
//  not touch the queue.
static void
s_complete (actions_t *self, job_t **job_p, bool ok, const char *error, const char *message,
            const char *state)
{
    job_t *job = *job_p;
    *job_p = NULL;
    int64_t now = ddc_mono_ms ();
    int64_t end_wall = ddc_wall_ms ();
    int64_t duration = job->started_ms ? now - job->started_ms : 0;
    cJSON *result = cJSON_CreateObject ();
    cJSON_AddBoolToObject (result, "ok", ok);
    cJSON_AddStringToObject (result, "action", job->action);
    cJSON_AddStringToObject (result, "container", job->container);
    cJSON_AddStringToObject (result, "host", agent_host (self->agent));
    if (!ok) {
        cJSON_AddStringToObject (result, "error", error ? error : "failed");
        cJSON_AddStringToObject (result, "message", message ? message : "");
    }
    if (state)
        cJSON_AddStringToObject (result, "state", state);
    cJSON_AddNumberToObject (result, "duration_ms", (double) duration);
    if (ok && strcmp (job->action, "logs") == 0) {
        cJSON_AddStringToObject (result, "logs", job->logs ? job->logs : "");
        cJSON_AddNumberToObject (result, "lines", (double) job->log_lines);
        cJSON_AddNumberToObject (result, "lines_asked", (double) job->lines);
        cJSON_AddBoolToObject (result, "cut", job->logs_cut);
        if (job->logs_cut) {
            char note [160];
            snprintf (note, sizeof (note),
                      "cut to the newest %zu of %d lines (the reply holds "
                      "at most %d KiB of logs)",
                      job->log_lines, job->lines, ACTIONS_LOGS_TEXT_MAX / 1024);
            cJSON_AddStringToObject (result, "note", note);
        }
    }
    //  a followed log is read every few seconds: only its first read is
    //  logged at info and audited
    ddc_log_level_t level = job->follow ? DDC_LOG_DEBUG : DDC_LOG_INFO;
    if (ok)
        ddc_log (level, "%s %s by %s%s%s: ok, %s in %lld ms", job->action, job->container, job->by,
                 job->task_id [0] ? " (task " : "", job->task_id [0] ? ")" : "",
                 state ? state : "?", (long long) duration);
    else
        ddc_log (level, "%s %s by %s: %s: %s", job->action, job->container, job->by,
                 error ? error : "failed", message ? message : "");
    if (!job->follow)
        s_audit (self, job, result, end_wall);
    if (self->done)
        self->done (self->arg, job, result);
    cJSON_Delete (result);
    self->pending--;
    job_destroy (&job);
}

//  The running job of container is over: start the next one, if any.
static void
s_next (actions_t *self, const char *container)
{
    if (self->closing)
        return;
    char name [DOCKER_NAME_MAX];
    ddc_strlcpy (name, container, sizeof (name));
    job_t *next = agent_finish (self->agent, name);
    if (next)
        s_start (self, next);
}

//  Complete job (the running one of its container) and move its queue on.
static void
s_finish (actions_t *self, job_t **job_p, bool ok, const char *error, const char *message,
          const char *state)
{
    char name [DOCKER_NAME_MAX];
    ddc_strlcpy (name, (*job_p)->container, sizeof (name));
    s_complete (self, job_p, ok, error, message, state);
    s_next (self, name);
}

//  --------------------------------------------------------------------------
//  Docker calls

static void
s_on_inspect (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    job_t *job = arg;
    actions_t *self = job->owner;
    job->call_id = 0;
    const char *state = NULL;
    docker_inspect_t in;
    if (status == 200 && docker_inspect_parse (body, len, &in) == 0) {
        status_inspected (self->status, job->container, 200, &in);
        state = in.status;
    }
    else if (status == 404) {
        status_inspected (self->status, job->container, 404, NULL);
        state = "missing";
    }
    else {
        ddc_warn ("inspect of %s after %s failed: %s", job->container, job->action,
                  status < 0 && errmsg ? errmsg : "HTTP error");
        status_refresh (self->status, job->container);
        state = "unknown";
    }
    //  state points into in (a local) or a literal: used before returning.
    if (job->error)
        s_finish (self, &job, false, job->error, job->message, state);
    else
        s_finish (self, &job, true, NULL, NULL, state);
}

static void
s_on_call (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    job_t *job = arg;
    actions_t *self = job->owner;
    job->call_id = 0;
    job->http = status;
    if (self->closing && status < 0) {
        s_complete (self, &job, false, "failed",
                    "ddc-docker stopped before Docker answered; "
                    "the action may still complete",
                    NULL);
        return;
    }
    bool logs = strcmp (job->action, "logs") == 0;
    if (logs && job->logs_bad)
        status = job->http = 200; //  Docker answered; its reply is bad
    if (status >= 200 && status <= 299) {
        if (logs
            && docker_logs_finish (job->reader, &job->logs, &job->log_lines, &job->logs_cut) != 0) {
            job->error = "failed";
            ddc_strlcpy (job->message, "the logs reply from Docker is malformed",
                         sizeof (job->message));
        }
    }
    else if (status == 304 && !logs)
        ; //  already in that state
    else if (status < 0) {
        int64_t elapsed = ddc_mono_ms () - job->started_ms;
        bool timeout = (errmsg && strstr (errmsg, "timed out")) || elapsed >= job->timeout_ms;
        job->error = timeout ? "timeout" : "failed";
        if (timeout)
            snprintf (job->message, sizeof (job->message), "Docker did not answer within %ld s",
                      job->timeout_ms / 1000);
        else
            ddc_strlcpy (job->message, errmsg ? errmsg : "no reply from Docker",
                         sizeof (job->message));
        if (!self->closing)
            status_docker_error (self->status, errmsg);
    }
    else {
        job->error = "failed";
        docker_error_parse (body, len, job->message, sizeof (job->message));
        if (!job->message [0])
            snprintf (job->message, sizeof (job->message), "Docker answered HTTP %d", status);
    }
    if (self->closing) {
        //  Docker answered just as we stop: no inspect any more.
        if (job->error)
            s_complete (self, &job, false, job->error, job->message, NULL);
        else
            s_complete (self, &job, true, NULL, NULL, NULL);
        return;
    }
    //  A transport failure: no inspect (Docker is away); the status module
    //  probes and resyncs by itself.
    if (status < 0 && job->error && strcmp (job->error, "timeout") != 0) {
        s_finish (self, &job, false, job->error, job->message, NULL);
        return;
    }
    char path [DOCKER_NAME_MAX + 32];
    snprintf (path, sizeof (path), "/containers/%s/json", job->container);
    job->call_id =
        engine_request (self->engine, "GET", path, NULL, S_INSPECT_TIMEOUT, s_on_inspect, job);
    if (job->call_id < 0) {
        job->call_id = 0;
        if (job->error)
            s_finish (self, &job, false, job->error, job->message, NULL);
        else
            s_finish (self, &job, true, NULL, NULL, NULL);
    }
}

//  A piece of a logs reply: into the job's reader, which keeps the newest
//  lines that fit. A malformed frame header stops the transfer.
static int
s_on_logs_data (void *arg, const char *data, size_t len)
{
    job_t *job = arg;
    if (docker_logs_feed (job->reader, data, len) == 0)
        return 0;
    job->logs_bad = true;
    return -1;
}

//  The refusal of a container that is not this agent's (outside its label
//  scope, or not found with its labels yet): as an unknown container.
static const char *
s_out_of_scope (actions_t *self, const job_t *job, char *why, size_t size)
{
    snprintf (why, size, "container %.128s is not configured on %.64s", job->container,
              agent_host (self->agent));
    return why;
}

//  Start the running job of its container (its turn has come).
static void
s_start (actions_t *self, job_t *job)
{
    job->started_ms = ddc_mono_ms ();
    job->started_wall = ddc_wall_ms ();
    //  The configuration may have changed while the job waited.
    char why [512];
    if (agent_check (self->agent, job->container, job->action, why, sizeof (why)) != AGENT_OK) {
        s_finish (self, &job, false, "refused", why, NULL);
        return;
    }
    if (!status_in_scope (self->status, job->container)) {
        s_finish (self, &job, false, "refused", s_out_of_scope (self, job, why, sizeof (why)), NULL);
        return;
    }
    int stop_timeout = agent_stop_timeout_s (self->agent);
    job->timeout_ms = (long) (stop_timeout + ACTIONS_EXTRA_TIMEOUT) * 1000;
    char path [DOCKER_NAME_MAX + 96];
    if (strcmp (job->action, "logs") == 0) {
        snprintf (path, sizeof (path), "/containers/%s/logs?stdout=1&stderr=1&tail=%d",
                  job->container, job->lines);
        docker_logs_destroy (&job->reader);
        job->reader = docker_logs_new (status_logs_mode (self->status, job->container),
                                       (size_t) job->lines, ACTIONS_LOGS_TEXT_MAX);
        job->call_id = engine_request_sink (self->engine, "GET", path, job->timeout_ms,
                                            s_on_logs_data, s_on_call, job);
    }
    else {
        if (strcmp (job->action, "start") == 0)
            snprintf (path, sizeof (path), "/containers/%s/start", job->container);
        else {
            snprintf (path, sizeof (path), "/containers/%s/%s?t=%d", job->container, job->action,
                      stop_timeout);
            if (self->on_stop)
                self->on_stop (self->stop_arg, job->container, ddc_wall_ms () + job->timeout_ms);
        }
        job->call_id =
            engine_request (self->engine, "POST", path, NULL, job->timeout_ms, s_on_call, job);
    }
    if (job->call_id < 0) {
        job->call_id = 0;
        s_finish (self, &job, false, "failed", "cannot queue the request to Docker", NULL);
    }
}

//  --------------------------------------------------------------------------
//  Public API

actions_t *
actions_new (engine_t *engine, agent_t *agent, status_t *status, const char *audit_path,
             actions_done_fn *done, void *arg)
{
    actions_t *self = ddc_calloc (1, sizeof (*self));
    self->engine = engine;
    self->agent = agent;
    self->status = status;
    self->audit_path = audit_path ? ddc_strdup (audit_path) : NULL;
    self->done = done;
    self->arg = arg;
    return self;
}

void
actions_destroy (actions_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    actions_t *self = *self_p;
    free (self->audit_path);
    free (self);
    *self_p = NULL;
}

void
actions_submit (actions_t *self, job_t **job_p)
{
    assert (self);
    assert (job_p && *job_p);
    job_t *job = *job_p;
    *job_p = NULL;
    job->owner = self;
    job->queued_ms = ddc_mono_ms ();
    self->pending++;
    if (self->closing) {
        s_complete (self, &job, false, "failed", "ddc-docker is shutting down", NULL);
        return;
    }
    if (!docker_name_valid (job->container)) {
        s_complete (self, &job, false, "invalid", "container must be a Docker container name", NULL);
        return;
    }
    char why [512];
    if (agent_check (self->agent, job->container, job->action, why, sizeof (why)) != AGENT_OK) {
        s_complete (self, &job, false, "refused", why, NULL);
        return;
    }
    if (!status_in_scope (self->status, job->container)) {
        s_complete (self, &job, false, "refused", s_out_of_scope (self, job, why, sizeof (why)),
                    NULL);
        return;
    }
    int rc = agent_enqueue (self->agent, job->container, job);
    if (rc < 0) {
        snprintf (why, sizeof (why), "container %s already has %d actions waiting; try again later",
                  job->container, AGENT_QUEUE_MAX);
        s_complete (self, &job, false, "busy", why, NULL);
        return;
    }
    if (rc == 1)
        s_start (self, job);
    else
        ddc_debug ("%s %s queued behind %zu", job->action, job->container,
                   agent_waiting (self->agent, job->container));
}

void
actions_on_stop (actions_t *self, actions_stop_fn *fn, void *arg)
{
    self->on_stop = fn;
    self->stop_arg = arg;
}

size_t
actions_pending (actions_t *self)
{
    return self->pending;
}

static void
s_drain_one (void *arg, void *item)
{
    job_t *job = item;
    s_complete ((actions_t *) arg, &job, false, "failed", "ddc-docker is shutting down", NULL);
}

void
actions_close (actions_t *self)
{
    self->closing = true;
    agent_drain (self->agent, s_drain_one, self);
}
