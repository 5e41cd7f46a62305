/*  agent: configuration copies, allow-list and per-container FIFOs of
    ddc-docker. See agent.h. No main() here: the unit tests include it. */
#include "agent.h"

#include "ddc_schema.h"
#include "ddc_util.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    void *running;                 //  the job in progress, never NULL
    void *items [AGENT_QUEUE_MAX]; //  ring of waiting jobs
    size_t head, count;
} s_queue_t;

typedef struct {
    int stats_interval;
    int stop_timeout;
} s_docker_t;

struct _agent_t {
    char *host;
    agent_container_t *ours;            //  this host's containers entries, decoded
    size_t nours;                       //  (their strings: s_own_strings)
    cJSON *tasks;                       //  this host's entries, as accepted
    s_docker_t docker;                  //  the docker section, decoded
    cJSON *alerts_value;                //  object, as accepted
    agent_alerts_t alerts;              //  decoded (its strings point into it)
    s_queue_t *queues [AGENT_BUSY_MAX]; //  busy containers only
    size_t nqueues;
};

//  A task: its host, then (ours) the fields the agent runs it by.
typedef struct {
    const char *host, *id, *container, *action, *cycle;
    bool active;
} s_task_row_t;

//  What the agent reads of each section: the members its structs get
//  from ddc_schema (types, limits and defaults are the rows').
// clang-format off
static const ddc_bind_t s_entry_binds [] = {
    DDC_BIND (agent_container_t, host,                 "host"),
    DDC_BIND (agent_container_t, name,                 "name"),
    { NULL, 0 }
};
static const ddc_bind_t s_container_binds [] = {
    DDC_BIND (agent_container_t, active,               "active"),
    DDC_BIND (agent_container_t, display_name,         "display_name"),
    DDC_BIND (agent_container_t, actions,              "allowed_actions"),
    DDC_BIND (agent_container_t, alerts,               "alerts"),
    { NULL, 0 }
};
static const ddc_bind_t s_task_host_binds [] = {
    DDC_BIND (s_task_row_t,      host,                 "host"),
    { NULL, 0 }
};
static const ddc_bind_t s_task_binds [] = {
    DDC_BIND (s_task_row_t,      id,                   "id"),
    DDC_BIND (s_task_row_t,      container,            "container"),
    DDC_BIND (s_task_row_t,      action,               "action"),
    DDC_BIND (s_task_row_t,      cycle,                "cycle"),
    DDC_BIND (s_task_row_t,      active,               "active"),
    { NULL, 0 }
};
static const ddc_bind_t s_docker_binds [] = {
    DDC_BIND (s_docker_t,        stats_interval,       "stats_interval_seconds"),
    DDC_BIND (s_docker_t,        stop_timeout,         "stop_timeout_seconds"),
    { NULL, 0 }
};
static const ddc_bind_t s_alerts_binds [] = {
    DDC_BIND (agent_alerts_t,    enabled,              "enabled"),
    DDC_BIND (agent_alerts_t,    webhook_url,          "webhook_url"),
    DDC_BIND (agent_alerts_t,    webhook_format,       "webhook_format"),
    DDC_BIND (agent_alerts_t,    restart_loop_count,   "restart_loop_count"),
    DDC_BIND (agent_alerts_t,    restart_loop_minutes, "restart_loop_minutes"),
    DDC_BIND (agent_alerts_t,    cooldown_minutes,     "cooldown_minutes"),
    DDC_BIND (agent_alerts_t,    max_per_hour,         "max_per_hour"),
    DDC_BIND (agent_alerts_t,    log_lines,            "log_lines"),
    { NULL, 0 }
};
// clang-format on

static int s_apply_docker (agent_t *self, const cJSON *value, ddc_walk_t *walk);
//  e's strings (host, name, display_name: the section's, borrowed) copied
//  into one block of the agent's own that starts with host: all an
//  entry keeps of the section (not a copy of its tree)
static void
s_own_strings (agent_container_t *e)
{
    const char *display = e->display_name ? e->display_name : "";
    size_t lh = strlen (e->host) + 1, ln = strlen (e->name) + 1, ld = strlen (display) + 1;
    char *block = ddc_malloc (lh + ln + ld);
    memcpy (block, e->host, lh);
    memcpy (block + lh, e->name, ln);
    memcpy (block + lh + ln, display, ld);
    e->host = block;
    e->name = block + lh;
    e->display_name = block + lh + ln;
}

static void
s_ours_free (agent_container_t *ours, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free ((char *) ours [i].host); //  the block s_own_strings made
    free (ours);
}
static int s_apply_alerts (agent_t *self, const cJSON *value, ddc_walk_t *walk);

//  Delete an accepted alerts section, its webhook URL (a secret) wiped.
static void
s_alerts_delete (cJSON *value)
{
    cJSON *url = cJSON_GetObjectItemCaseSensitive (value, "webhook_url");
    if (cJSON_IsString (url))
        memset (url->valuestring, 0, strlen (url->valuestring));
    cJSON_Delete (value);
}

agent_t *
agent_new (const char *host)
{
    agent_t *self = ddc_calloc (1, sizeof (*self));
    self->host = ddc_strdup (host ? host : "");
    self->tasks = cJSON_CreateArray ();
    //  the defaults: what an empty section decodes to
    cJSON *empty = cJSON_CreateObject ();
    ddc_walk_t walk = { 0 };
    s_apply_docker (self, empty, &walk);
    s_apply_alerts (self, empty, &walk);
    assert (walk.count == 0);
    cJSON_Delete (empty);
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
    s_ours_free (self->ours, self->nours);
    cJSON_Delete (self->tasks);
    s_alerts_delete (self->alerts_value);
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
//  Accepting sections

//  containers: every entry has a host and a name; those of this host
//  are decoded whole (another host's are not ours to judge). Only this
//  host's entries are kept (copied): at 1,000 containers on 20 hosts the
//  whole section would be 20 times what the agent runs by.
static int
s_apply_containers (agent_t *self, const cJSON *value, ddc_walk_t *walk)
{
    if (!ddc_schema_list_ok (walk, ddc_schema_section (DDC_SEC_CONTAINERS), value, "containers"))
        return -1;
    agent_container_t *ours = NULL;
    size_t n = 0, cap = 0;
    int index = 0;
    for (const cJSON *c = value->child; c; c = c->next, index++) {
        char path [48];
        snprintf (path, sizeof (path), "containers[%d]", index);
        agent_container_t entry;
        if (ddc_schema_decode (walk, DDC_SEC_CONTAINERS, c, path, s_entry_binds, &entry) < 0
            || strcmp (entry.host, self->host) != 0
            || ddc_schema_decode (walk, DDC_SEC_CONTAINERS, c, path, s_container_binds, &entry) < 0)
            continue;
        s_own_strings (&entry);
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ours = ddc_realloc (ours, cap * sizeof (*ours));
        }
        ours [n++] = entry;
    }
    if (walk->count) {
        s_ours_free (ours, n);
        return -1;
    }
    s_ours_free (self->ours, self->nours);
    self->ours = ours;
    self->nours = n;
    return 0;
}

//  tasks: every entry has a host; those of this host the fields the
//  agent runs them by, and ids no other entry has (two tasks with one id
//  would share their run records). Only this host's entries are kept.
static int
s_apply_tasks (agent_t *self, const cJSON *value, ddc_walk_t *walk)
{
    if (!ddc_schema_list_ok (walk, ddc_schema_section (DDC_SEC_TASKS), value, "tasks"))
        return -1;
    cJSON *mine = cJSON_CreateArray ();
    int index = 0;
    for (const cJSON *t = value->child; t; t = t->next, index++) {
        char path [48];
        snprintf (path, sizeof (path), "tasks[%d]", index);
        s_task_row_t task;
        if (ddc_schema_decode (walk, DDC_SEC_TASKS, t, path, s_task_host_binds, &task) < 0
            || strcmp (task.host, self->host) != 0
            || ddc_schema_decode (walk, DDC_SEC_TASKS, t, path, s_task_binds, &task) < 0)
            continue;
        int other = 0;
        for (const cJSON *o = value->child; o != t; o = o->next, other++)
            if (strcmp (ddc_schema_str (DDC_SEC_TASKS, o, "id"), task.id) == 0) {
                char field [96];
                snprintf (field, sizeof (field), "%s.id", path);
                ddc_walk_error (walk, field, "duplicate",
                                "Task id %s is used twice (also by tasks[%d]).", task.id, other);
                break;
            }
        cJSON_AddItemToArray (mine, cJSON_Duplicate (t, 1));
    }
    if (walk->count) {
        cJSON_Delete (mine);
        return -1;
    }
    cJSON_Delete (self->tasks);
    self->tasks = mine;
    return 0;
}

static int
s_apply_docker (agent_t *self, const cJSON *value, ddc_walk_t *walk)
{
    s_docker_t docker;
    if (ddc_schema_decode (walk, DDC_SEC_DOCKER, value, "docker", s_docker_binds, &docker) < 0)
        return -1;
    self->docker = docker;
    return 0;
}

static int
s_apply_alerts (agent_t *self, const cJSON *value, ddc_walk_t *walk)
{
    cJSON *copy = cJSON_Duplicate (value, 1);
    agent_alerts_t alerts;
    if (ddc_schema_decode (walk, DDC_SEC_ALERTS, copy, "alerts", s_alerts_binds, &alerts) < 0) {
        s_alerts_delete (copy);
        return -1;
    }
    alerts.webhook_json = strcmp (alerts.webhook_format, "json") == 0;
    s_alerts_delete (self->alerts_value);
    self->alerts_value = copy;
    self->alerts = alerts;
    return 0;
}

int
agent_apply (agent_t *self, const char *section, const cJSON *value, cJSON *errors)
{
    ddc_walk_t walk = { .errors = errors };
    if (!section)
        return 0;
    if (strcmp (section, "containers") == 0)
        return s_apply_containers (self, value, &walk);
    if (strcmp (section, "tasks") == 0)
        return s_apply_tasks (self, value, &walk);
    if (strcmp (section, "docker") == 0)
        return s_apply_docker (self, value, &walk);
    if (strcmp (section, "alerts") == 0)
        return s_apply_alerts (self, value, &walk);
    return 0;
}

const agent_container_t *
agent_containers (agent_t *self, size_t *count)
{
    *count = self->nours;
    return self->ours;
}
const cJSON *
agent_tasks (agent_t *self)
{
    return self->tasks;
}
int
agent_stats_interval_s (agent_t *self)
{
    return self->docker.stats_interval;
}
int
agent_stop_timeout_s (agent_t *self)
{
    return self->docker.stop_timeout;
}
const agent_alerts_t *
agent_alerts (agent_t *self)
{
    return &self->alerts;
}

//  --------------------------------------------------------------------------
//  Allow-list

const agent_container_t *
agent_container (agent_t *self, const char *name)
{
    for (size_t i = 0; name && i < self->nours; i++)
        if (strcmp (self->ours [i].name, name) == 0)
            return &self->ours [i];
    return NULL;
}

bool
agent_action_known (const char *action)
{
    for (const char *const *a = ddc_schema_actions; action && *a; a++)
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
    const agent_container_t *entry = agent_container (self, name);
    if (!entry) {
        snprintf (msg, size, "container %.128s is not configured on %.64s", name ? name : "",
                  self->host);
        return AGENT_NOT_CONFIGURED;
    }
    if (!entry->active) {
        snprintf (msg, size, "container %.128s on host %.64s is inactive", name, self->host);
        return AGENT_INACTIVE;
    }
    char list [64] = "";
    bool ok = false;
    for (int a = 0; ddc_schema_actions [a]; a++) {
        if (!(entry->actions & (1u << a)))
            continue;
        if (strcmp (ddc_schema_actions [a], action) == 0)
            ok = true;
        if (list [0])
            strncat (list, ", ", sizeof (list) - strlen (list) - 1);
        strncat (list, ddc_schema_actions [a], sizeof (list) - strlen (list) - 1);
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
