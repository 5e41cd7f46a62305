/*  tasks: scheduling of the tasks of this host. See tasks.h. No main()
    here: the unit tests include it. */
#include "tasks.h"

#include "ddc_config.h"
#include "ddc_schedule.h"
#include "ddc_schema.h"
#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    cJSON *task; //  the definition, copied
    char id [72];
    bool active;
    int64_t next;     //  epoch s, -1 = none
    int64_t last_run; //  epoch s, 0 = never
    int last_result;  //  -1 none, 0 error, 1 ok
    char last_message [256];
} s_task_t;

struct _tasks_t {
    char *host;
    s_task_t *items;
    size_t count;
};

tasks_t *
tasks_new (const char *host)
{
    tasks_t *self = ddc_calloc (1, sizeof (*self));
    self->host = ddc_strdup (host ? host : "");
    return self;
}

static void
s_clear (tasks_t *self)
{
    for (size_t i = 0; i < self->count; i++)
        cJSON_Delete (self->items [i].task);
    free (self->items);
    self->items = NULL;
    self->count = 0;
}

void
tasks_destroy (tasks_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tasks_t *self = *self_p;
    s_clear (self);
    free (self->host);
    free (self);
    *self_p = NULL;
}

static int64_t
s_next (const s_task_t *t, int64_t after)
{
    int64_t next;
    if (!t->active || ddc_schedule_next (t->task, after, &next) != 0)
        return -1;
    return next;
}

void
tasks_sync (tasks_t *self, const cJSON *section, int64_t now_s)
{
    size_t n = 0;
    for (const cJSON *t = cJSON_IsArray (section) ? section->child : NULL; t; t = t->next)
        n++;
    if (n > DDC_TASKS_MAX)
        n = DDC_TASKS_MAX;
    s_task_t *items = n ? ddc_calloc (n, sizeof (*items)) : NULL;
    size_t count = 0;
    for (const cJSON *t = cJSON_IsArray (section) ? section->child : NULL; t && count < n;
         t = t->next) {
        const char *host = ddc_schema_str (DDC_SEC_TASKS, t, "host");
        const char *id = ddc_schema_str (DDC_SEC_TASKS, t, "id");
        if (!*id || strcmp (host, self->host) != 0 || strlen (id) >= sizeof (items->id))
            continue;
        bool dup = false;
        for (size_t k = 0; k < count && !dup; k++)
            dup = strcmp (items [k].id, id) == 0;
        if (dup)
            continue; //  first one wins (the agent refused such a section)
        s_task_t *it = &items [count++];
        it->task = cJSON_Duplicate (t, 1);
        ddc_strlcpy (it->id, id, sizeof (it->id));
        it->active = ddc_schema_bool (DDC_SEC_TASKS, t, "active");
        it->last_result = -1;
        s_task_t *old = NULL;
        for (size_t k = 0; k < self->count && !old; k++)
            if (strcmp (self->items [k].id, id) == 0)
                old = &self->items [k];
        if (old) {
            it->last_run = old->last_run;
            it->last_result = old->last_result;
            ddc_strlcpy (it->last_message, old->last_message, sizeof (it->last_message));
        }
        if (old && ddc_json_equal (old->task, t))
            it->next = old->next; //  unchanged: a due run is not lost
        else
            it->next = s_next (it, now_s);
    }
    s_clear (self);
    self->items = items;
    self->count = count;
}

int64_t
tasks_next_due (tasks_t *self)
{
    int64_t best = -1;
    for (size_t i = 0; i < self->count; i++)
        if (self->items [i].next >= 0 && (best < 0 || self->items [i].next < best))
            best = self->items [i].next;
    return best;
}

const cJSON *
tasks_take_due (tasks_t *self, int64_t now_s)
{
    s_task_t *best = NULL;
    for (size_t i = 0; i < self->count; i++) {
        s_task_t *t = &self->items [i];
        if (t->next >= 0 && t->next <= now_s && (!best || t->next < best->next))
            best = t;
    }
    if (!best)
        return NULL;
    //  No catch-up: the next run is the first after now, not after the
    //  missed one.
    best->next = s_next (best, now_s);
    return best->task;
}

void
tasks_record (tasks_t *self, const char *id, int64_t run_s, bool ok, const char *message)
{
    for (size_t i = 0; id && i < self->count; i++)
        if (strcmp (self->items [i].id, id) == 0) {
            s_task_t *t = &self->items [i];
            t->last_run = run_s;
            t->last_result = ok ? 1 : 0;
            ddc_strlcpy (t->last_message, message ? message : "", sizeof (t->last_message));
            return;
        }
}

size_t
tasks_count (tasks_t *self)
{
    return self->count;
}

static void
s_add_time (cJSON *obj, const char *key, int64_t epoch_s, bool set)
{
    if (!set) {
        cJSON_AddNullToObject (obj, key);
        return;
    }
    char iso [32];
    ddc_iso_time (epoch_s * 1000, iso);
    cJSON_AddStringToObject (obj, key, iso);
}

cJSON *
tasks_report (tasks_t *self)
{
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "host", self->host);
    char now [32];
    ddc_iso_time (ddc_wall_ms (), now);
    cJSON_AddStringToObject (body, "time", now);
    cJSON *tasks = cJSON_AddObjectToObject (body, "tasks");
    for (size_t i = 0; i < self->count; i++) {
        const s_task_t *t = &self->items [i];
        cJSON *o = cJSON_CreateObject ();
        char desc [160];
        if (ddc_schedule_describe (t->task, desc, sizeof (desc)) != 0)
            ddc_strlcpy (desc, "invalid schedule", sizeof (desc));
        cJSON_AddStringToObject (o, "description", desc);
        cJSON_AddStringToObject (o, "container",
                                 ddc_schema_str (DDC_SEC_TASKS, t->task, "container"));
        cJSON_AddStringToObject (o, "action", ddc_schema_str (DDC_SEC_TASKS, t->task, "action"));
        cJSON_AddBoolToObject (o, "active", t->active);
        s_add_time (o, "next_run", t->next, t->next >= 0);
        s_add_time (o, "last_run", t->last_run, t->last_run > 0);
        if (t->last_result < 0)
            cJSON_AddNullToObject (o, "last_result");
        else
            cJSON_AddStringToObject (o, "last_result", t->last_result ? "ok" : "error");
        if (t->last_result < 0)
            cJSON_AddNullToObject (o, "last_message");
        else
            cJSON_AddStringToObject (o, "last_message", t->last_message);
        cJSON_AddItemToObject (tasks, t->id, o);
    }
    return body;
}
