/*  agent: configuration copies, allow-list and per-container FIFOs of
    ddc-docker. See agent.h. No main() here: the unit tests include it. */
#include "agent.h"

#include "ddc_config.h"
#include "ddc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    void *running;                 //  the job in progress, never NULL
    void *items [AGENT_QUEUE_MAX]; //  ring of waiting jobs
    size_t head, count;
} s_queue_t;

struct _agent_t {
    char *host;
    cJSON *containers; //  array, as accepted
    cJSON *tasks;      //  array, as accepted
    cJSON *docker;     //  object, as accepted
    int stats_interval;
    int stop_timeout;
    agent_alerts_t alerts;
    s_queue_t *queues [AGENT_BUSY_MAX]; //  busy containers only
    size_t nqueues;
};

static const char *const s_actions [] = { "start", "stop", "restart", "logs", NULL };
//  allowed_actions when an entry has none (ddc_config's default).
static const char *const s_default_allowed [] = { "start", "stop", "restart", NULL };

agent_t *
agent_new (const char *host)
{
    agent_t *self = ddc_calloc (1, sizeof (*self));
    self->host = ddc_strdup (host ? host : "");
    self->containers = cJSON_CreateArray ();
    self->tasks = cJSON_CreateArray ();
    self->docker = cJSON_CreateObject ();
    self->stats_interval = AGENT_STATS_DEFAULT;
    self->stop_timeout = AGENT_STOP_DEFAULT;
    self->alerts = (agent_alerts_t){ .enabled = true,
                                     .restart_loop_count = 3,
                                     .restart_loop_minutes = 10,
                                     .cooldown_minutes = 10,
                                     .max_per_hour = 30,
                                     .log_lines = 20 };
    return self;
}

void
agent_destroy (agent_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    agent_t *self = *self_p;
    for (size_t i = 0; i < self->nqueues; i++) {
        free (self->queues [i]->name);
        free (self->queues [i]);
    }
    cJSON_Delete (self->containers);
    cJSON_Delete (self->tasks);
    cJSON_Delete (self->docker);
    memset (self->alerts.webhook_url, 0, sizeof (self->alerts.webhook_url));
    free (self->host);
    free (self);
    *self_p = NULL;
}

const char *
agent_host (agent_t *self)
{
    return self->host;
}

//  --------------------------------------------------------------------------
//  Shape checks

//  The string member key of obj, or NULL (and an error) when it is not a
//  non-empty string.
static const char *
s_want_str (const cJSON *obj, const char *path, const char *key, cJSON *errors, int *bad)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    if (cJSON_IsString (item) && item->valuestring [0])
        return item->valuestring;
    char field [96];
    snprintf (field, sizeof (field), "%s.%s", path, key);
    ddc_config_error (errors, field, item ? "type" : "required", "%s must be a non-empty string.",
                      key);
    (*bad)++;
    return NULL;
}

//  An optional boolean (absent = ddc_config's default, true).
static void
s_want_bool (const cJSON *obj, const char *path, const char *key, cJSON *errors, int *bad)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    if (!item || cJSON_IsBool (item))
        return;
    char field [96];
    snprintf (field, sizeof (field), "%s.%s", path, key);
    ddc_config_error (errors, field, "type", "%s must be true or false.", key);
    (*bad)++;
}

static int
s_check_containers (agent_t *self, const cJSON *value, cJSON *errors)
{
    if (!cJSON_IsArray (value)) {
        ddc_config_error (errors, "containers", "type", "containers must be a JSON array.");
        return -1;
    }
    if (cJSON_GetArraySize (value) > DDC_CONTAINERS_MAX) {
        ddc_config_error (errors, "containers", "too_many", "At most %d containers are allowed.",
                          DDC_CONTAINERS_MAX);
        return -1;
    }
    int bad = 0, index = 0;
    for (const cJSON *c = value->child; c; c = c->next, index++) {
        char path [48];
        snprintf (path, sizeof (path), "containers[%d]", index);
        if (!cJSON_IsObject (c)) {
            ddc_config_error (errors, path, "type", "Each container must be a JSON object.");
            bad++;
            continue;
        }
        const char *host = s_want_str (c, path, "host", errors, &bad);
        s_want_str (c, path, "name", errors, &bad);
        if (!host || strcmp (host, self->host) != 0)
            continue; //  another host's entry: not ours to judge
        s_want_bool (c, path, "active", errors, &bad);
        const cJSON *allowed = cJSON_GetObjectItemCaseSensitive (c, "allowed_actions");
        if (allowed) {
            bool ok = cJSON_IsArray (allowed);
            for (const cJSON *a = ok ? allowed->child : NULL; a; a = a->next)
                ok = ok && cJSON_IsString (a);
            if (!ok) {
                char field [96];
                snprintf (field, sizeof (field), "%s.allowed_actions", path);
                ddc_config_error (errors, field, "type",
                                  "allowed_actions must be an array of strings.");
                bad++;
            }
        }
    }
    return bad ? -1 : 0;
}

static int
s_check_tasks (agent_t *self, const cJSON *value, cJSON *errors)
{
    if (!cJSON_IsArray (value)) {
        ddc_config_error (errors, "tasks", "type", "tasks must be a JSON array.");
        return -1;
    }
    if (cJSON_GetArraySize (value) > DDC_TASKS_MAX) {
        ddc_config_error (errors, "tasks", "too_many", "At most %d tasks are allowed.",
                          DDC_TASKS_MAX);
        return -1;
    }
    int bad = 0, index = 0;
    for (const cJSON *t = value->child; t; t = t->next, index++) {
        char path [48];
        snprintf (path, sizeof (path), "tasks[%d]", index);
        if (!cJSON_IsObject (t)) {
            ddc_config_error (errors, path, "type", "Each task must be a JSON object.");
            bad++;
            continue;
        }
        const char *host = s_want_str (t, path, "host", errors, &bad);
        if (!host || strcmp (host, self->host) != 0)
            continue;
        const char *id = s_want_str (t, path, "id", errors, &bad);
        if (id && strlen (id) > 64) {
            char field [96];
            snprintf (field, sizeof (field), "%s.id", path);
            ddc_config_error (errors, field, "too_long", "id may have at most 64 characters.");
            bad++;
        }
        s_want_str (t, path, "container", errors, &bad);
        s_want_str (t, path, "action", errors, &bad);
        s_want_str (t, path, "cycle", errors, &bad);
        s_want_bool (t, path, "active", errors, &bad);
        //  Two tasks of ours with one id would share their run records.
        int other = 0;
        for (const cJSON *o = value->child; id && o != t; o = o->next, other++) {
            const char *oid = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (o, "id"));
            if (oid && strcmp (oid, id) == 0) {
                char field [96];
                snprintf (field, sizeof (field), "%s.id", path);
                ddc_config_error (errors, field, "duplicate",
                                  "Task id %s is used twice (also by tasks[%d]).", id, other);
                bad++;
                break;
            }
        }
    }
    return bad ? -1 : 0;
}

//  An optional integer setting in [min, max]; *out keeps dflt when absent.
static int
s_setting (const char *section, const cJSON *value, const char *key, int min, int max, int dflt,
           int *out, cJSON *errors)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (value, key);
    *out = dflt;
    if (!item)
        return 0;
    char field [96];
    snprintf (field, sizeof (field), "%s.%s", section, key);
    if (!cJSON_IsNumber (item) || item->valuedouble != (double) (long long) item->valuedouble) {
        ddc_config_error (errors, field, "type", "%s must be a whole number.", key);
        return -1;
    }
    if (item->valuedouble < min || item->valuedouble > max) {
        ddc_config_error (errors, field, "out_of_range", "%s must be between %d and %d.", key, min,
                          max);
        return -1;
    }
    *out = (int) item->valuedouble;
    return 0;
}

static int
s_apply_alerts (agent_t *self, const cJSON *value, cJSON *errors)
{
    if (!cJSON_IsObject (value)) {
        ddc_config_error (errors, "alerts", "type", "alerts must be a JSON object.");
        return -1;
    }
    agent_alerts_t a = { .enabled = true };
    int bad = 0;
    const cJSON *enabled = cJSON_GetObjectItemCaseSensitive (value, "enabled");
    s_want_bool (value, "alerts", "enabled", errors, &bad);
    a.enabled = !cJSON_IsFalse (enabled);
    const cJSON *url = cJSON_GetObjectItemCaseSensitive (value, "webhook_url");
    const cJSON *format = cJSON_GetObjectItemCaseSensitive (value, "webhook_format");
    if (url && (!cJSON_IsString (url) || strlen (url->valuestring) >= sizeof (a.webhook_url))) {
        ddc_config_error (errors, "alerts.webhook_url", "type",
                          "webhook_url must be a URL (a string).");
        bad++;
    }
    else if (url && strcmp (url->valuestring, "***") != 0)
        ddc_strlcpy (a.webhook_url, url->valuestring, sizeof (a.webhook_url));
    if (format
        && (!cJSON_IsString (format)
            || (strcmp (format->valuestring, "discord") != 0
                && strcmp (format->valuestring, "json") != 0))) {
        ddc_config_error (errors, "alerts.webhook_format", "not_supported",
                          "webhook_format must be discord or json.");
        bad++;
    }
    a.webhook_json = format && cJSON_IsString (format) && strcmp (format->valuestring, "json") == 0;
    int rc =
        s_setting ("alerts", value, "restart_loop_count", 2, 100, 3, &a.restart_loop_count, errors);
    rc |= s_setting ("alerts", value, "restart_loop_minutes", 1, 1440, 10, &a.restart_loop_minutes,
                     errors);
    rc |= s_setting ("alerts", value, "cooldown_minutes", 0, 1440, 10, &a.cooldown_minutes, errors);
    rc |= s_setting ("alerts", value, "max_per_hour", 1, 1000, 30, &a.max_per_hour, errors);
    rc |= s_setting ("alerts", value, "log_lines", 0, 100, 20, &a.log_lines, errors);
    if (rc || bad) {
        memset (a.webhook_url, 0, sizeof (a.webhook_url));
        return -1;
    }
    memset (self->alerts.webhook_url, 0, sizeof (self->alerts.webhook_url));
    self->alerts = a;
    memset (a.webhook_url, 0, sizeof (a.webhook_url));
    return 0;
}

int
agent_apply (agent_t *self, const char *section, const cJSON *value, cJSON *errors)
{
    if (!section)
        return 0;
    if (strcmp (section, "containers") == 0) {
        if (s_check_containers (self, value, errors) < 0)
            return -1;
        cJSON_Delete (self->containers);
        self->containers = cJSON_Duplicate (value, 1);
        return 0;
    }
    if (strcmp (section, "tasks") == 0) {
        if (s_check_tasks (self, value, errors) < 0)
            return -1;
        cJSON_Delete (self->tasks);
        self->tasks = cJSON_Duplicate (value, 1);
        return 0;
    }
    if (strcmp (section, "docker") == 0) {
        if (!cJSON_IsObject (value)) {
            ddc_config_error (errors, "docker", "type", "docker must be a JSON object.");
            return -1;
        }
        int stats, stop;
        int rc = s_setting ("docker", value, "stats_interval_seconds", 2, 3600, AGENT_STATS_DEFAULT,
                            &stats, errors);
        rc |= s_setting ("docker", value, "stop_timeout_seconds", 0, 300, AGENT_STOP_DEFAULT, &stop,
                         errors);
        if (rc)
            return -1;
        cJSON_Delete (self->docker);
        self->docker = cJSON_Duplicate (value, 1);
        self->stats_interval = stats;
        self->stop_timeout = stop;
        return 0;
    }
    if (strcmp (section, "alerts") == 0)
        return s_apply_alerts (self, value, errors);
    return 0;
}

const cJSON *
agent_containers (agent_t *self)
{
    return self->containers;
}
const cJSON *
agent_tasks (agent_t *self)
{
    return self->tasks;
}
int
agent_stats_interval_s (agent_t *self)
{
    return self->stats_interval;
}
int
agent_stop_timeout_s (agent_t *self)
{
    return self->stop_timeout;
}
const agent_alerts_t *
agent_alerts (agent_t *self)
{
    return &self->alerts;
}

//  --------------------------------------------------------------------------
//  Allow-list

const cJSON *
agent_container (agent_t *self, const char *name)
{
    if (!name)
        return NULL;
    for (const cJSON *c = self->containers->child; c; c = c->next) {
        const char *host = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "host"));
        const char *cname = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "name"));
        if (host && cname && strcmp (host, self->host) == 0 && strcmp (cname, name) == 0)
            return c;
    }
    return NULL;
}

bool
agent_action_known (const char *action)
{
    for (const char *const *a = s_actions; action && *a; a++)
        if (strcmp (*a, action) == 0)
            return true;
    return false;
}

agent_verdict_t
agent_check (agent_t *self, const char *name, const char *action, char *msg, size_t size)
{
    if (size)
        msg [0] = '\0';
    if (!agent_action_known (action)) {
        snprintf (msg, size, "unknown action '%.32s' (start, stop, restart, logs)",
                  action ? action : "");
        return AGENT_BAD_ACTION;
    }
    const cJSON *entry = agent_container (self, name);
    if (!entry) {
        snprintf (msg, size, "container %.128s is not configured on %.64s", name ? name : "",
                  self->host);
        return AGENT_NOT_CONFIGURED;
    }
    if (cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (entry, "active"))) {
        snprintf (msg, size, "container %.128s on host %.64s is inactive", name, self->host);
        return AGENT_INACTIVE;
    }
    const cJSON *allowed = cJSON_GetObjectItemCaseSensitive (entry, "allowed_actions");
    char list [64] = "";
    bool ok = false;
    if (allowed) {
        for (const cJSON *a = allowed->child; a; a = a->next) {
            if (!cJSON_IsString (a))
                continue;
            if (strcmp (a->valuestring, action) == 0)
                ok = true;
            if (agent_action_known (a->valuestring) && !strstr (list, a->valuestring)) {
                if (list [0])
                    strncat (list, ", ", sizeof (list) - strlen (list) - 1);
                strncat (list, a->valuestring, sizeof (list) - strlen (list) - 1);
            }
        }
    }
    else
        for (const char *const *a = s_default_allowed; *a; a++) {
            if (strcmp (*a, action) == 0)
                ok = true;
            if (list [0])
                strncat (list, ", ", sizeof (list) - strlen (list) - 1);
            strncat (list, *a, sizeof (list) - strlen (list) - 1);
        }
    if (!ok) {
        snprintf (msg, size,
                  "action %s is not allowed for container %.128s on host %.64s "
                  "(allowed: %s)",
                  action, name, self->host, list [0] ? list : "none");
        return AGENT_NOT_ALLOWED;
    }
    return AGENT_OK;
}

//  --------------------------------------------------------------------------
//  Queues

static s_queue_t *
s_queue_find (agent_t *self, const char *name, size_t *index_p)
{
    for (size_t i = 0; name && i < self->nqueues; i++)
        if (strcmp (self->queues [i]->name, name) == 0) {
            if (index_p)
                *index_p = i;
            return self->queues [i];
        }
    return NULL;
}

int
agent_enqueue (agent_t *self, const char *name, void *job)
{
    if (!name || !*name || !job)
        return -1;
    s_queue_t *q = s_queue_find (self, name, NULL);
    if (!q) {
        if (self->nqueues == AGENT_BUSY_MAX)
            return -1;
        q = ddc_calloc (1, sizeof (*q));
        q->name = ddc_strdup (name);
        q->running = job;
        self->queues [self->nqueues++] = q;
        return 1;
    }
    if (q->count == AGENT_QUEUE_MAX)
        return -1;
    q->items [(q->head + q->count) % AGENT_QUEUE_MAX] = job;
    q->count++;
    return 0;
}

void *
agent_finish (agent_t *self, const char *name)
{
    size_t index = 0;
    s_queue_t *q = s_queue_find (self, name, &index);
    if (!q)
        return NULL;
    if (q->count == 0) {
        free (q->name);
        free (q);
        self->queues [index] = self->queues [--self->nqueues];
        return NULL;
    }
    q->running = q->items [q->head];
    q->head = (q->head + 1) % AGENT_QUEUE_MAX;
    q->count--;
    return q->running;
}

size_t
agent_waiting (agent_t *self, const char *name)
{
    s_queue_t *q = s_queue_find (self, name, NULL);
    return q ? q->count : 0;
}

void *
agent_running (agent_t *self, const char *name)
{
    s_queue_t *q = s_queue_find (self, name, NULL);
    return q ? q->running : NULL;
}

size_t
agent_drain (agent_t *self, void (*fn) (void *arg, void *job), void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nqueues; i++) {
        s_queue_t *q = self->queues [i];
        while (q->count) {
            void *job = q->items [q->head];
            q->head = (q->head + 1) % AGENT_QUEUE_MAX;
            q->count--;
            n++;
            if (fn)
                fn (arg, job);
        }
    }
    return n;
}
