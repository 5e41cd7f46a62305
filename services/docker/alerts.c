/*  alerts: ddc-docker's alerts. See alerts.h. */
#include "alerts.h"

#include "ddc_config.h"
#include "ddc_log.h"
#include "ddc_schema.h"
#include "ddc_util.h"
#include "incidents.h"
#include "webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A report on its way out.
typedef struct {
    alerts_t *owner;
    cJSON *body;
    char name [DOCKER_NAME_MAX];
    int fetching;      //  Docker requests not answered yet
    int64_t oom_until; //  a SIGKILL exit waits for Docker's "oom" until then
    docker_logs_t *reader;
} s_item_t;

struct _alerts_t {
    engine_t *engine;
    agent_t *agent;
    status_t *status;
    status_report_fn *report;
    void *arg;
    incidents_t *incidents;
    webhook_t *webhook;
    char run [24]; //  this run's part of the incident ids
    int log_lines;
    int loop_minutes;
    bool closing;
    s_item_t *pending [ALERTS_PENDING_MAX];
    size_t npending;
};

static void s_emit (void *arg, const inc_report_t *r);

//  --------------------------------------------------------------------------
//  Publishing

static void
s_item_free (s_item_t *item)
{
    cJSON_Delete (item->body);
    docker_logs_destroy (&item->reader);
    free (item);
}

static bool
s_ready (const s_item_t *item, int64_t now)
{
    return item->fetching == 0 && item->oom_until <= now;
}

//  Publish the reports at the head that have what they waited for.
static void
s_flush (alerts_t *self, bool all)
{
    size_t done = 0;
    int64_t now = ddc_mono_ms ();
    while (done < self->npending && (all || s_ready (self->pending [done], now))) {
        s_item_t *item = self->pending [done++];
        if (self->report)
            self->report (self->arg, "alerts", item->body);
        webhook_send (self->webhook, item->body);
        if (item->fetching)
            item->owner = NULL; //  its callbacks still to come free it
        else
            s_item_free (item);
    }
    memmove (self->pending, self->pending + done, (self->npending - done) * sizeof (*self->pending));
    self->npending -= done;
}

//  One fetch of item is over; the callback's context.
static void
s_fetched (s_item_t *item)
{
    item->fetching--;
    if (!item->owner) {
        if (item->fetching == 0)
            s_item_free (item);
        return;
    }
    if (!item->owner->closing)
        s_flush (item->owner, false);
}

static int
s_on_logs_data (void *arg, const char *data, size_t len)
{
    s_item_t *item = arg;
    return docker_logs_feed (item->reader, data, len) == 0 ? 0 : -1;
}

static void
s_on_logs (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    (void) body;
    (void) len;
    s_item_t *item = arg;
    char *text = NULL;
    size_t lines = 0;
    bool cut = false;
    if (item->owner && status >= 200 && status <= 299
        && docker_logs_finish (item->reader, &text, &lines, &cut) == 0) {
        cJSON_AddStringToObject (item->body, "logs", text);
        cJSON_AddNumberToObject (item->body, "log_lines", (double) lines);
    }
    else if (item->owner) {
        cJSON_AddNullToObject (item->body, "logs");
        cJSON_AddStringToObject (item->body, "logs_error",
                                 status < 0 ? (errmsg ? errmsg : "no reply from Docker")
                                            : "Docker did not give the logs");
    }
    free (text);
    s_fetched (item);
}

//  A crash report of an exit by SIGKILL (code 137) not yet known as a
//  memory kill: Docker's state tells whether it was one.
static bool
s_sigkill_exit (const cJSON *body)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive (body, "exit_code");
    const char *reason = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "reason"));
    return cJSON_IsNumber (code) && code->valueint == ALERTS_SIGKILL_EXIT && reason
           && strcmp (reason, "exit") == 0;
}

//  The SIGKILL exit item reports was a memory kill.
static void
s_memory_kill (s_item_t *item)
{
    cJSON_ReplaceItemInObjectCaseSensitive (item->body, "reason", cJSON_CreateString ("oom"));
    item->oom_until = 0;
    ddc_info ("alert %s: %s: the exit was a memory kill",
              cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (item->body, "id")),
              item->name);
}

static void
s_on_inspect (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    (void) errmsg;
    s_item_t *item = arg;
    docker_inspect_t in;
    if (item->owner && status == 200 && docker_inspect_parse (body, len, &in) == 0) {
        if (in.health_output [0]) {
            cJSON_DeleteItemFromObjectCaseSensitive (item->body, "health_output");
            cJSON_AddStringToObject (item->body, "health_output", in.health_output);
        }
        //  Docker's own word on a kill, when its state already has it
        if (in.oom_killed && s_sigkill_exit (item->body))
            s_memory_kill (item);
    }
    s_fetched (item);
}

//  Ask Docker what an alert shows: the last log lines; with inspect, the
//  container's state (a health incident's check output, whether a kill
//  was for memory).
static void
s_fetch (alerts_t *self, s_item_t *item, bool inspect)
{
    if (self->closing || !status_reachable (self->status)) {
        cJSON_AddNullToObject (item->body, "logs");
        cJSON_AddStringToObject (item->body, "logs_error", "Docker is not reachable");
        return;
    }
    char path [DOCKER_NAME_MAX + 80];
    if (self->log_lines > 0) {
        snprintf (path, sizeof (path), "/containers/%s/logs?stdout=1&stderr=1&tail=%d", item->name,
                  self->log_lines);
        item->reader = docker_logs_new (status_logs_mode (self->status, item->name),
                                        (size_t) self->log_lines, ALERTS_LOGS_MAX);
        item->fetching++;
        if (engine_request_sink (self->engine, "GET", path, ALERTS_FETCH_MS, s_on_logs_data,
                                 s_on_logs, item)
            < 0) {
            item->fetching--;
            cJSON_AddNullToObject (item->body, "logs");
            cJSON_AddStringToObject (item->body, "logs_error", "cannot queue the request");
        }
    }
    if (inspect) {
        snprintf (path, sizeof (path), "/containers/%s/json", item->name);
        item->fetching++;
        if (engine_request (self->engine, "GET", path, NULL, ALERTS_FETCH_MS, s_on_inspect, item) < 0)
            item->fetching--;
    }
}

static void
s_add_time (cJSON *obj, const char *key, int64_t wall_ms)
{
    char iso [32];
    ddc_iso_time (wall_ms, iso);
    cJSON_AddStringToObject (obj, key, iso);
}

static const char *
s_display_name (alerts_t *self, const char *name)
{
    const agent_container_t *entry = agent_container (self->agent, name);
    return entry && *entry->display_name ? entry->display_name : name;
}

static void
s_emit (void *arg, const inc_report_t *r)
{
    alerts_t *self = arg;
    const char *what = r->what == INC_OPENED      ? "opened"
                       : r->what == INC_ESCALATED ? "escalated"
                                                  : "resolved";
    const char *kind = incidents_kind_name (r->kind);
    if (!r->send) {
        ddc_info ("alert held back (quiet time or hourly cap): %s %s %s (%s)", r->container, what,
                  kind, r->resolution ? r->resolution : r->reason);
        return;
    }
    if (r->what == INC_RESOLVED)
        ddc_info ("alert %s-%llu: %s %s: %s", self->run, (unsigned long long) r->id, r->container,
                  kind, r->resolution);
    else if (r->exit_code >= 0)
        ddc_info ("alert %s-%llu: %s %s %s (%s, exit code %lld)", self->run,
                  (unsigned long long) r->id, r->container, what, kind, r->reason,
                  (long long) r->exit_code);
    else
        ddc_info ("alert %s-%llu: %s %s %s (%s)", self->run, (unsigned long long) r->id,
                  r->container, what, kind, r->reason);
    if (self->npending == ALERTS_PENDING_MAX) {
        ddc_warn ("alerts: %d reports are waiting for Docker: this one is dropped",
                  ALERTS_PENDING_MAX);
        return;
    }
    cJSON *b = cJSON_CreateObject ();
    cJSON_AddStringToObject (b, "host", agent_host (self->agent));
    s_add_time (b, "time", ddc_wall_ms ());
    cJSON_AddStringToObject (b, "event", what);
    char id [64];
    snprintf (id, sizeof (id), "%s-%llu", self->run, (unsigned long long) r->id);
    cJSON_AddStringToObject (b, "id", id);
    cJSON_AddStringToObject (b, "container", r->container);
    cJSON_AddStringToObject (b, "display_name", s_display_name (self, r->container));
    cJSON_AddStringToObject (b, "kind", kind);
    cJSON_AddStringToObject (b, "reason", r->reason);
    if (r->exit_code >= 0)
        cJSON_AddNumberToObject (b, "exit_code", (double) r->exit_code);
    else
        cJSON_AddNullToObject (b, "exit_code");
    cJSON_AddNumberToObject (b, "restarts", r->restarts);
    cJSON_AddNumberToObject (b, "window_minutes", self->loop_minutes);
    s_add_time (b, "opened", r->opened_ms);
    cJSON_AddBoolToObject (b, "running", r->running);
    cJSON_AddNumberToObject (b, "suppressed", r->suppressed);
    if (r->what == INC_RESOLVED) {
        cJSON_AddStringToObject (b, "resolution", r->resolution);
        int64_t d = r->at_ms - r->opened_ms;
        cJSON_AddNumberToObject (b, "duration_s", (double) (d > 0 ? d / 1000 : 0));
    }
    else
        cJSON_AddNullToObject (b, "health_output");
    s_item_t *item = ddc_calloc (1, sizeof (*item));
    item->owner = self;
    item->body = b;
    ddc_strlcpy (item->name, r->container, sizeof (item->name));
    self->pending [self->npending++] = item;
    //  Docker's "oom" event may come after the "die" it explains (they are
    //  sent from different places, and then its state never says
    //  OOMKilled): a SIGKILL exit waits a moment for it
    bool sigkill = r->what != INC_RESOLVED && s_sigkill_exit (b);
    if (sigkill)
        item->oom_until = ddc_mono_ms () + ALERTS_OOM_WAIT_MS;
    if (r->what != INC_RESOLVED)
        s_fetch (self, item, r->kind == INC_UNHEALTHY || sigkill);
    s_flush (self, false);
}

//  --------------------------------------------------------------------------
//  API

alerts_t *
alerts_new (engine_t *engine, agent_t *agent, status_t *status, status_report_fn *report, void *arg)
{
    alerts_t *self = ddc_calloc (1, sizeof (*self));
    self->webhook = webhook_new ();
    if (!self->webhook) {
        free (self);
        return NULL;
    }
    self->engine = engine;
    self->agent = agent;
    self->status = status;
    self->report = report;
    self->arg = arg;
    self->incidents = incidents_new (s_emit, self);
    //  incident ids stay unique across restarts of the agent
    snprintf (self->run, sizeof (self->run), "%llx", (unsigned long long) (ddc_wall_ms () / 1000));
    alerts_config_changed (self);
    return self;
}

void
alerts_destroy (alerts_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    alerts_t *self = *self_p;
    for (size_t i = 0; i < self->npending; i++) {
        if (self->pending [i]->fetching)
            self->pending [i]->owner = NULL;
        else
            s_item_free (self->pending [i]);
    }
    incidents_destroy (&self->incidents);
    webhook_destroy (&self->webhook);
    free (self);
    *self_p = NULL;
}

void
alerts_config_changed (alerts_t *self)
{
    const agent_alerts_t *a = agent_alerts (self->agent);
    int64_t now = ddc_wall_ms ();
    inc_settings_t st = {
        .enabled = a->enabled,
        .loop_count = a->restart_loop_count,
        .loop_ms = (int64_t) a->restart_loop_minutes * 60000,
        .cooldown_ms = (int64_t) a->cooldown_minutes * 60000,
        .max_per_hour = a->max_per_hour,
    };
    self->log_lines = a->log_lines;
    self->loop_minutes = a->restart_loop_minutes;
    incidents_settings (self->incidents, &st, now);
    webhook_configure (self->webhook, a->webhook_url,
                       a->webhook_json ? WEBHOOK_JSON : WEBHOOK_DISCORD);
    //  the active containers of this host, with the kinds each asks for
    size_t count;
    const agent_container_t *containers = agent_containers (self->agent, &count);
    const char **names = ddc_calloc (count ? count : 1, sizeof (*names));
    unsigned *kinds = ddc_calloc (count ? count : 1, sizeof (*kinds));
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (!containers [i].active)
            continue;
        unsigned k = 0;
        for (int b = 0; ddc_schema_alert_kinds [b]; b++)
            if (containers [i].alerts & (1u << b))
                k |= incidents_kind_bit (ddc_schema_alert_kinds [b]);
        names [n] = containers [i].name;
        kinds [n++] = k;
    }
    incidents_follow (self->incidents, names, kinds, n, now);
    free (names);
    free (kinds);
}

//  An "oom" event of container name: the report of its SIGKILL exit still
//  waiting for it was a memory kill.
static void
s_oom_event (alerts_t *self, const char *name)
{
    bool found = false;
    for (size_t i = 0; i < self->npending; i++) {
        s_item_t *item = self->pending [i];
        if (item->oom_until && strcmp (item->name, name) == 0 && s_sigkill_exit (item->body)) {
            s_memory_kill (item);
            found = true;
        }
    }
    if (found && !self->closing)
        s_flush (self, false);
}

void
alerts_event (void *arg, const docker_event_t *ev)
{
    alerts_t *self = arg;
    int64_t t = ev->time_nano ? ev->time_nano / 1000000 : ev->time * 1000;
    inc_ev_t what;
    int64_t code = 0;
    if (strcmp (ev->action, "start") == 0)
        what = INC_EV_START;
    else if (strcmp (ev->action, "die") == 0) {
        what = INC_EV_DIE;
        code = ev->exit_code;
    }
    else if (strcmp (ev->action, "oom") == 0) {
        what = INC_EV_OOM;
        s_oom_event (self, ev->name);
    }
    else if (strcmp (ev->action, "kill") == 0) {
        what = INC_EV_KILL;
        code = ev->signal;
    }
    else if (strcmp (ev->action, "destroy") == 0)
        what = INC_EV_DESTROY;
    else if (strcmp (ev->action, "health_status") == 0 && strcmp (ev->detail, "healthy") == 0)
        what = INC_EV_HEALTHY;
    else if (strcmp (ev->action, "health_status") == 0 && strcmp (ev->detail, "unhealthy") == 0)
        what = INC_EV_UNHEALTHY;
    else
        return;
    incidents_event (self->incidents, ev->name, what, code, t);
}

void
alerts_inspected (void *arg, const char *name, const docker_inspect_t *in)
{
    alerts_t *self = arg;
    incidents_inspected (self->incidents, name, in->running, in->restarting, in->health,
                         ddc_wall_ms ());
}

void
alerts_asked (void *arg, const char *container, int64_t until)
{
    alerts_t *self = arg;
    incidents_asked (self->incidents, container, until);
}

void
alerts_tick (alerts_t *self)
{
    incidents_tick (self->incidents, ddc_wall_ms ());
    if (self->npending && !self->closing)
        s_flush (self, false); //  the reports whose wait for "oom" is over
}

int64_t
alerts_timeout_ms (alerts_t *self)
{
    int64_t t = webhook_timeout_ms (self->webhook);
    if (t < 0 || t > 1000)
        t = 1000;
    //  the head report's wait for an "oom" event
    if (self->npending && self->pending [0]->fetching == 0 && self->pending [0]->oom_until) {
        int64_t left = self->pending [0]->oom_until - ddc_mono_ms ();
        if (left < t)
            t = left > 0 ? left : 0;
    }
    return t;
}

size_t
alerts_fds (alerts_t *self, struct curl_waitfd *out, size_t max)
{
    return webhook_fds (self->webhook, out, max);
}

void
alerts_perform (alerts_t *self, const struct curl_waitfd *fds, size_t n)
{
    webhook_perform (self->webhook, fds, n);
}

void
alerts_close (alerts_t *self)
{
    self->closing = true;
    s_flush (self, true);
}
