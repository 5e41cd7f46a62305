/*  taskflow: /task and the ⏰ flow. See taskflow.h. */
#include "taskflow.h"

#include "ddc_log.h"
#include "ddc_tz.h"
#include "ddc_util.h"
#include "perms.h"
#include "reply.h"
#include "saves.h"
#include "tasks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct _taskflow_t {
    app_t *app;
};

taskflow_t *
taskflow_new (app_t *app)
{
    taskflow_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    return self;
}

void
taskflow_destroy (taskflow_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

static const char *
s_str (const cJSON *obj, const char *key)
{
    const char *v = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
    return v ? v : "";
}

//  --------------------------------------------------------------------------
//  Saving

//  An add or a delete in flight.
typedef struct {
    taskflow_t *owner;
    reply_t *reply;
    cJSON *task;                 //  add: the new task (its id made unique)
    char id [72];                //  delete: the task
    char key [LIVE_KEY_LEN + 1]; //  the list to show after ("" none)
} s_change_t;

static save_edit_t
s_add_edit (void *arg, const cJSON *current, cJSON **out, char *why, size_t size)
{
    (void) why;
    (void) size;
    s_change_t *ch = arg;
    //  Its id must be unique in the value it goes into.
    char id [72];
    tasks_new_id (current, s_str (ch->task, "container"), s_str (ch->task, "action"),
                  s_str (ch->task, "cycle"), id, sizeof (id));
    cJSON_ReplaceItemInObjectCaseSensitive (ch->task, "id", cJSON_CreateString (id));
    ddc_strlcpy (ch->id, id, sizeof (ch->id));
    *out = cJSON_IsArray (current) ? cJSON_Duplicate (current, 1) : cJSON_CreateArray ();
    cJSON_AddItemToArray (*out, cJSON_Duplicate (ch->task, 1));
    return SAVE_EDIT_OK;
}

static save_edit_t
s_delete_edit (void *arg, const cJSON *current, cJSON **out, char *why, size_t size)
{
    s_change_t *ch = arg;
    taskflow_t *self = ch->owner;
    *out = cJSON_IsArray (current) ? cJSON_Duplicate (current, 1) : cJSON_CreateArray ();
    int i = 0;
    for (cJSON *t = (*out)->child; t; t = t->next, i++)
        if (strcmp (s_str (t, "id"), ch->id) == 0) {
            cJSON_DeleteItemFromArray (*out, i);
            return SAVE_EDIT_OK;
        }
    i18n_fmt (why, size, self->app->lang, "task.gone", ch->id, NULL);
    return SAVE_EDIT_FAIL;
}

static void
s_change_done (void *arg, const save_result_t *res)
{
    s_change_t *ch = arg;
    app_t *app = ch->owner->app;
    char text [900], desc [240] = "";
    if (ch->task)
        tasks_describe (app->lang, ch->task, desc, sizeof (desc));
    switch (res->outcome) {
        case SAVE_DONE:
            if (ch->task)
                i18n_fmt (text, sizeof (text), app->lang, "task.saved", ch->id, desc, NULL);
            else
                i18n_fmt (text, sizeof (text), app->lang, "task.deleted", ch->id, NULL);
            break;
        case SAVE_FAILED:
            ddc_strlcpy (text, res->why, sizeof (text));
            break;
        default:
            i18n_fmt (text, sizeof (text), app->lang, "task.not_saved", res->why, NULL);
            break;
    }
    const live_ctr_t *c = ch->key [0] ? live_ctr_by_key (app->live, ch->key) : NULL;
    if (c) {
        //  The list as it is now (the saved revision has been published to
        //  the bot by the time the broker answered OK, or comes right after:
        //  the change is shown in the note either way).
        render_ctx_t r;
        app_render_ctx (app, &r);
        uint64_t rev;
        const cJSON *tasks = ddc_client_section (app->client, "tasks", &rev);
        cJSON *shown = cJSON_IsArray (tasks) ? cJSON_Duplicate (tasks, 1) : cJSON_CreateArray ();
        if (res->outcome == SAVE_DONE && ch->task && !tasks_has_id (shown, ch->id))
            cJSON_AddItemToArray (shown, cJSON_Duplicate (ch->task, 1));
        if (res->outcome == SAVE_DONE && !ch->task) {
            int i = 0;
            for (cJSON *t = shown->child; t; t = t->next, i++)
                if (strcmp (s_str (t, "id"), ch->id) == 0) {
                    cJSON_DeleteItemFromArray (shown, i);
                    break;
                }
        }
        cJSON *data = tasks_render_list (&r, shown, c, r.wall_ms / 1000, text);
        reply_edit (ch->reply, &data);
        cJSON_Delete (shown);
    }
    else
        reply_edit_text (ch->reply, text);
    reply_release (ch->reply);
    cJSON_Delete (ch->task);
    free (ch);
}

//  Start a change for the user of ix, acknowledged with ack_type (a
//  deferred message or update).
static void
s_change (taskflow_t *self, const gw_interaction_t *ix, s_change_t *ch, int ack_type,
          save_edit_fn *edit)
{
    app_t *app = self->app;
    ch->owner = self;
    ch->reply = reply_deferred (app, ix, ack_type);
    char author [160];
    saves_author (ix, author, sizeof (author));
    saves_start (app->saves, "tasks", author, edit, s_change_done, ch);
}

//  --------------------------------------------------------------------------
//  Interactions

//  May the user of ix manage tasks here? Else answered.
static bool
s_allowed (taskflow_t *self, const gw_interaction_t *ix)
{
    perm_t p = perm_command (self->app->live, "task", ix->channel_id, ix->user_id);
    if (p == PERM_OK)
        return true;
    reply_deny (self->app, ix, p, NULL, NULL);
    return false;
}

static const cJSON *
s_tasks (taskflow_t *self)
{
    uint64_t rev;
    return ddc_client_section (self->app->client, "tasks", &rev);
}

static void
s_show (taskflow_t *self, const gw_interaction_t *ix, const live_ctr_t *c)
{
    render_ctx_t r;
    app_render_ctx (self->app, &r);
    cJSON *msg = tasks_render_list (&r, s_tasks (self), c, r.wall_ms / 1000, NULL);
    reply_ephemeral (msg);
    reply_once (self->app, ix, CB_MESSAGE, &msg);
}

//  A new task for container c from the inputs; answered either way.
static void
s_add (taskflow_t *self, const gw_interaction_t *ix, const live_ctr_t *c, const char *action,
       const char *cycle, const char *time, const char *when, const char *tz, int ack_type)
{
    app_t *app = self->app;
    char who [64], note [200], arg [96], text [400];
    render_trunc (ix->username, 60, who, sizeof (who));
    i18n_fmt (note, sizeof (note), LANG_EN, "task.note", who, NULL);
    const char *why;
    cJSON *task =
        tasks_build ("new", c->host, c->name, action, cycle, time, when, tz, app->live->timezone,
                     note, ddc_wall_ms () / 1000, &why, arg, sizeof (arg));
    if (!task) {
        char shown [100];
        render_trunc (arg, 60, shown, sizeof (shown));
        reply_text (app, ix, i18n_fmt (text, sizeof (text), app->lang, why, shown, NULL), true);
        return;
    }
    s_change_t *ch = ddc_calloc (1, sizeof (*ch));
    ch->task = task;
    if (ack_type == CB_DEFER_UPDATE)
        ddc_strlcpy (ch->key, c->key, sizeof (ch->key));
    s_change (self, ix, ch, ack_type, s_add_edit);
}

static void
s_delete (taskflow_t *self, const gw_interaction_t *ix, const char *id, const char *key,
          int ack_type)
{
    s_change_t *ch = ddc_calloc (1, sizeof (*ch));
    ddc_strlcpy (ch->id, id, sizeof (ch->id));
    if (key)
        ddc_strlcpy (ch->key, key, sizeof (ch->key));
    s_change (self, ix, ch, ack_type, s_delete_edit);
}

//  The container named by option name of ix; answered when there is none.
static const live_ctr_t *
s_container (taskflow_t *self, const gw_interaction_t *ix, const char *name, bool required)
{
    const gw_option_t *o = gw_option (ix, name);
    if (!o && !required)
        return NULL;
    const live_ctr_t *c = o ? live_ctr_find (self->app->live, o->value) : NULL;
    if (!c) {
        char shown [80], text [256];
        render_trunc (o ? o->value : "", 60, shown, sizeof (shown));
        reply_text (self->app, ix,
                    i18n_fmt (text, sizeof (text), self->app->lang, "deny.container", shown, NULL),
                    true);
    }
    return c;
}

static const char *
s_opt (const gw_interaction_t *ix, const char *name)
{
    const gw_option_t *o = gw_option (ix, name);
    return o ? o->value : "";
}

void
taskflow_on_command (taskflow_t *self, const gw_interaction_t *ix)
{
    if (!s_allowed (self, ix))
        return;
    if (strcmp (ix->subcommand, "list") == 0) {
        const live_ctr_t *c = s_container (self, ix, "container", false);
        if (!c && gw_option (ix, "container"))
            return; //  answered: unknown container
        s_show (self, ix, c);
    }
    else if (strcmp (ix->subcommand, "add") == 0) {
        const live_ctr_t *c = s_container (self, ix, "container", true);
        if (c)
            s_add (self, ix, c, s_opt (ix, "action"), s_opt (ix, "cycle"), s_opt (ix, "time"),
                   s_opt (ix, "day"), s_opt (ix, "timezone"), CB_DEFER_MESSAGE);
    }
    else if (strcmp (ix->subcommand, "delete") == 0)
        s_delete (self, ix, s_opt (ix, "task"), NULL, CB_DEFER_MESSAGE);
    else
        reply_deny (self->app, ix, PERM_UNKNOWN, NULL, NULL);
}

static bool
s_contains (const char *hay, const char *needle)
{
    size_t n = strlen (needle);
    for (const char *p = hay; n && *p; p++)
        if (strncasecmp (p, needle, n) == 0)
            return true;
    return n == 0;
}

static void
s_choice (cJSON *choices, const char *name, const char *value)
{
    if (cJSON_GetArraySize (choices) >= 25)
        return;
    for (const cJSON *c = choices->child; c; c = c->next)
        if (strcmp (s_str (c, "value"), value) == 0)
            return;
    char cut [128];
    render_trunc (name, 100, cut, sizeof (cut));
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddStringToObject (o, "name", cut);
    cJSON_AddStringToObject (o, "value", value);
    cJSON_AddItemToArray (choices, o);
}

void
taskflow_on_autocomplete (taskflow_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    render_ctx_t r;
    app_render_ctx (app, &r);
    const gw_option_t *o = gw_focused (ix);
    const char *q = o ? o->value : "";
    //  Only admins learn the tasks; the others get nothing to choose.
    bool admin = perm_command (app->live, "task", ix->channel_id, ix->user_id) == PERM_OK;
    if (o && strcmp (o->name, "container") == 0 && admin) {
        cJSON *data = render_choices (&r, q);
        reply_once (app, ix, CB_AUTOCOMPLETE, &data);
        return;
    }
    cJSON *data = cJSON_CreateObject ();
    cJSON *choices = cJSON_AddArrayToObject (data, "choices");
    const cJSON *tasks = s_tasks (self);
    if (o && strcmp (o->name, "task") == 0 && admin) {
        for (const cJSON *t = cJSON_IsArray (tasks) ? tasks->child : NULL; t; t = t->next) {
            char desc [240], name [400];
            tasks_describe (app->lang, t, desc, sizeof (desc));
            snprintf (name, sizeof (name), "%s · %s · %s", s_str (t, "id"), s_str (t, "container"),
                      desc);
            if (s_contains (name, q))
                s_choice (choices, name, s_str (t, "id"));
        }
    }
    else if (o && strcmp (o->name, "timezone") == 0 && admin) {
        //  What was typed when it is a zone, the bot's, those of the tasks.
        char typed [80];
        tasks_trim (q, typed, sizeof (typed));
        if (typed [0] && ddc_tz_valid (typed))
            s_choice (choices, typed, typed);
        if (s_contains (app->live->timezone, typed))
            s_choice (choices, app->live->timezone, app->live->timezone);
        for (const cJSON *t = cJSON_IsArray (tasks) ? tasks->child : NULL; t; t = t->next)
            if (s_contains (s_str (t, "timezone"), typed))
                s_choice (choices, s_str (t, "timezone"), s_str (t, "timezone"));
        if (s_contains ("UTC", typed))
            s_choice (choices, "UTC", "UTC");
    }
    reply_once (app, ix, CB_AUTOCOMPLETE, &data);
}

void
taskflow_on_component (taskflow_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    const char *id = ix->custom_id;
    const char *key = strncmp (id, "pn:tasks:", 9) == 0 ? id + 9 : strlen (id) > 7 ? id + 7 : "";
    const live_ctr_t *c = live_ctr_by_key (app->live, key);
    if (!c) {
        reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
        return;
    }
    if (!s_allowed (self, ix))
        return;
    if (strncmp (id, "pn:tasks:", 9) == 0)
        s_show (self, ix, c);
    else if (strncmp (id, "tk:add:", 7) == 0) {
        render_ctx_t r;
        app_render_ctx (app, &r);
        cJSON *data = tasks_render_form (&r, c);
        reply_once (app, ix, CB_MODAL, &data);
    }
    else if (strncmp (id, "tk:del:", 7) == 0 && ix->nvalues >= 1)
        s_delete (self, ix, ix->values [0], c->key, CB_DEFER_UPDATE);
    else
        reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
}

void
taskflow_on_modal (taskflow_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    const live_ctr_t *c = strncmp (ix->custom_id, "tk:new:", 7) == 0
                              ? live_ctr_by_key (app->live, ix->custom_id + 7)
                              : NULL;
    if (!c) {
        reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
        return;
    }
    if (!s_allowed (self, ix))
        return;
    const char *f [5];
    static const char *const names [] = { "action", "cycle", "time", "when", "tz" };
    for (int i = 0; i < 5; i++) {
        f [i] = gw_field (ix, names [i]);
        if (!f [i])
            f [i] = "";
    }
    //  From the list's button: the list is updated with the outcome.
    s_add (self, ix, c, f [0], f [1], f [2], f [3], f [4],
           ix->message_id [0] ? CB_DEFER_UPDATE : CB_DEFER_MESSAGE);
}
