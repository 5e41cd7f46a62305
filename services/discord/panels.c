/*  panels: buttons, selects and the Docker actions. See panels.h. */
#include "panels.h"

#include "ddc_config.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"
#include "reply.h"
#include "roles.h"
#include "saves.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ACTION_EXTRA_MS 30000 //  beyond docker.stop_timeout_seconds
#define S_START_TIMEOUT 60000
#define S_LOGS_TIMEOUT 30000
#define S_MAX_TIMEOUT 120000 //  the broker's clamp

typedef struct s_bulk {
    reply_t *reply;
    unsigned action;
    int outstanding;
    int ok, failed;
    char failures [600];
} s_bulk_t;

typedef struct s_op {
    struct s_op *prev, *next;
    panels_t *owner;
    reply_t *reply; //  single actions
    s_bulk_t *bulk; //  bulk members
    unsigned action;
    char key [LIVE_KEY_LEN + 1];
    char host [64];
    char name [129];
    char display [101];
    unsigned may; //  the actions its user may use (panel buttons)
} s_op_t;

struct _panels_t {
    app_t *app;
    panels_hooks_t hooks;
    s_op_t *ops;
    size_t nops;
    s_bulk_t *bulk;
};

panels_t *
panels_new (app_t *app, const panels_hooks_t *hooks)
{
    assert (app);
    assert (hooks && hooks->changed && hooks->overview_part && hooks->refreshed && hooks->logs
            && hooks->task && hooks->request);
    panels_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    self->hooks = *hooks;
    return self;
}

void
panels_destroy (panels_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    panels_t *self = *self_p;
    while (self->ops) {
        s_op_t *op = self->ops;
        self->ops = op->next;
        reply_release (op->reply);
        free (op);
    }
    if (self->bulk) {
        reply_release (self->bulk->reply);
        free (self->bulk);
    }
    free (self);
    *self_p = NULL;
}

size_t
panels_pending (panels_t *self)
{
    assert (self);
    return self->nops;
}

//  --------------------------------------------------------------------------
//  Helpers

static void
s_op_unlink (panels_t *self, s_op_t *op)
{
    if (op->prev)
        op->prev->next = op->next;
    else
        self->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    self->nops--;
}

static s_op_t *
s_op_new (panels_t *self, const live_ctr_t *c, unsigned action)
{
    s_op_t *op = ddc_calloc (1, sizeof (*op));
    op->owner = self;
    op->action = action;
    ddc_strlcpy (op->key, c->key, sizeof (op->key));
    ddc_strlcpy (op->host, c->host, sizeof (op->host));
    ddc_strlcpy (op->name, c->name, sizeof (op->name));
    ddc_strlcpy (op->display, c->display, sizeof (op->display));
    op->next = self->ops;
    if (self->ops)
        self->ops->prev = op;
    self->ops = op;
    self->nops++;
    return op;
}

static const char *
s_verb (lang_t lang, unsigned action)
{
    char key [32];
    snprintf (key, sizeof (key), "verb.%s", live_action_name (action));
    return i18n_get (lang, key);
}

void
panels_outcome (app_t *app, const char *display, const char *host, unsigned action,
                const ddc_msg_t *reply, bool *ok, char *buf, size_t size, const cJSON **body_out)
{
    lang_t lang = app->lang;
    *ok = false;
    *body_out = NULL;
    char name [128];
    render_trunc (display, 60, name, sizeof (name));
    if (!reply) {
        i18n_fmt (buf, size, lang, "act.timeout", host, NULL);
        return;
    }
    if (reply->type == DDC_ERROR) {
        uint64_t code = reply->u64 [DDC_ERROR_CODE];
        if (code == DDC_E_NOT_FOUND)
            i18n_fmt (buf, size, lang, "act.host_down", host, NULL);
        else if (code == DDC_E_TIMEOUT)
            i18n_fmt (buf, size, lang, "act.timeout", host, NULL);
        else
            i18n_fmt (buf, size, lang, "act.failed", s_verb (lang, action), name,
                      reply->frame [DDC_ERROR_MESSAGE], NULL);
        return;
    }
    if (reply->type != DDC_RESULT) {
        i18n_fmt (buf, size, lang, "act.failed", s_verb (lang, action), name,
                  ddc_msg_name (reply->type), NULL);
        return;
    }
    const cJSON *body = reply->json [DDC_RESULT_BODY];
    *body_out = body;
    if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (body, "ok"))) {
        *ok = true;
        char key [32];
        snprintf (key, sizeof (key), "act.done.%s", live_action_name (action));
        i18n_fmt (buf, size, lang, key, name, NULL);
        return;
    }
    const char *error = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "error"));
    const char *message = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "message"));
    char msg [300];
    render_trunc (message ? message : (error ? error : "?"), 250, msg, sizeof (msg));
    if (error && strcmp (error, "timeout") == 0)
        i18n_fmt (buf, size, lang, "act.timeout", host, NULL);
    else
        i18n_fmt (buf, size, lang,
                  error && strcmp (error, "refused") == 0 ? "act.refused" : "act.failed",
                  s_verb (lang, action), name, msg, NULL);
}

static void
s_bulk_finish (panels_t *self)
{
    s_bulk_t *b = self->bulk;
    if (!b || b->outstanding > 0)
        return;
    app_t *app = self->app;
    char ok [16], failed [16], text [1200];
    snprintf (ok, sizeof (ok), "%d", b->ok);
    snprintf (failed, sizeof (failed), "%d", b->failed);
    i18n_fmt (text, sizeof (text), app->lang, "bulk.done", ok, failed, NULL);
    if (b->failures [0]) {
        size_t n = strlen (text);
        snprintf (text + n, sizeof (text) - n, "\n%s", b->failures);
    }
    ddc_info ("bulk %s: %d ok, %d failed", live_action_name (b->action), b->ok, b->failed);
    reply_edit_text (b->reply, text);
    reply_release (b->reply);
    free (b);
    self->bulk = NULL;
}

static void
s_on_result (void *arg, const ddc_msg_t *reply)
{
    s_op_t *op = arg;
    panels_t *self = op->owner;
    app_t *app = self->app;
    bool ok;
    char text [600];
    const cJSON *body;
    panels_outcome (app, op->display, op->host, op->action, reply, &ok, text, sizeof (text), &body);
    int64_t now = ddc_mono_ms ();
    const char *state = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "state"));
    live_clear_pending (app->live, op->key);
    if (state)
        live_patch_state (app->live, op->host, op->name, state, now);
    self->hooks.changed (self->hooks.arg);
    s_op_unlink (self, op);
    if (op->bulk) {
        s_bulk_t *b = op->bulk;
        b->outstanding--;
        if (ok)
            b->ok++;
        else {
            b->failed++;
            size_t n = strlen (b->failures), tl = strlen (text);
            if (n + tl + 2 < sizeof (b->failures)) {
                if (n)
                    b->failures [n++] = '\n';
                memcpy (b->failures + n, text, tl + 1);
            }
        }
        free (op);
        s_bulk_finish (self);
        return;
    }
    render_ctx_t r;
    app_render_ctx (app, &r);
    const live_ctr_t *c = live_ctr_by_key (app->live, op->key);
    if (c) {
        cJSON *data = render_panel (&r, c, op->may, text, false);
        reply_edit (op->reply, &data);
    }
    else
        reply_edit_text (op->reply, text);
    ddc_debug ("action %s %s@%s: %s", live_action_name (op->action), op->name, op->host,
               ok ? "ok" : "failed");
    reply_release (op->reply);
    free (op);
}

void
panels_who (const gw_interaction_t *ix, panels_who_t *out)
{
    memset (out, 0, sizeof (*out));
    render_trunc (ix->username, 60, out->user, sizeof (out->user));
    snprintf (out->by, sizeof (out->by), "discord:%s (%s)", out->user, ix->user_id);
    ddc_strlcpy (out->user_id, ix->user_id, sizeof (out->user_id));
    ddc_strlcpy (out->channel_id, ix->channel_id, sizeof (out->channel_id));
}

//  The ACTION request of action on host/container for who (NULL when it
//  cannot be built) and, in *timeout_p, how long its answer may take.
static zmsg_t *
s_action_msg (const live_t *live, const char *host, const char *container, unsigned action,
              const panels_who_t *who, int64_t *timeout_p)
{
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "action", live_action_name (action));
    cJSON_AddStringToObject (body, "container", container);
    cJSON_AddStringToObject (body, "by", who->by);
    //  Whom the bot acts for, for the broker's audit log (proto/ddcp.md 5.7).
    cJSON *claimed = cJSON_AddObjectToObject (body, "for");
    cJSON_AddStringToObject (claimed, "user", who->user);
    cJSON_AddStringToObject (claimed, "user_id", who->user_id);
    if (who->channel_id [0])
        cJSON_AddStringToObject (claimed, "channel_id", who->channel_id);
    int64_t timeout = S_START_TIMEOUT;
    if (action == ACT_LOGS) {
        cJSON_AddNumberToObject (body, "lines", live->log_lines);
        timeout = S_LOGS_TIMEOUT;
    }
    else if (action != ACT_START)
        timeout = (int64_t) live->stop_timeout_s * 1000 + S_ACTION_EXTRA_MS;
    if (timeout > S_MAX_TIMEOUT)
        timeout = S_MAX_TIMEOUT;
    char *text = ddc_json_print (body);
    cJSON_Delete (body);
    char req [40], target [80], tmo [24];
    ddc_req_id (req);
    snprintf (target, sizeof (target), "docker@%s", host);
    snprintf (tmo, sizeof (tmo), "%lld", (long long) timeout);
    zmsg_t *msg = ddc_msg_buildv (DDC_ACTION, req, target, tmo, text, NULL);
    free (text);
    *timeout_p = timeout;
    return msg;
}

int
panels_request (app_t *app, const char *host, const char *container, unsigned action,
                const panels_who_t *who, ddc_reply_fn *cb, void *arg)
{
    assert (app);
    int64_t timeout;
    zmsg_t *msg = s_action_msg (app->live, host, container, action, who, &timeout);
    //  The broker answers 408 after timeout; our own deadline comes later.
    if (!msg || ddc_client_request (app->client, &msg, timeout + 5000, 1, cb, arg) < 0) {
        zmsg_destroy (&msg);
        return -1;
    }
    return 0;
}

//  Send the ACTION of op. -1 (op untouched) when it cannot be queued.
static int
s_send (panels_t *self, s_op_t *op, const gw_interaction_t *ix)
{
    panels_who_t who;
    panels_who (ix, &who);
    int64_t timeout;
    zmsg_t *msg = s_action_msg (self->app->live, op->host, op->name, op->action, &who, &timeout);
    //  The broker answers 408 after timeout; our own deadline comes later.
    if (!msg || self->hooks.request (self->hooks.arg, &msg, timeout + 5000, s_on_result, op) < 0) {
        zmsg_destroy (&msg);
        return -1;
    }
    ddc_info ("action %s %s@%s by %s", live_action_name (op->action), op->name, op->host, who.by);
    return 0;
}

//  --------------------------------------------------------------------------
//  Handlers

static void
s_open_panel (panels_t *self, const gw_interaction_t *ix, const char *key, int type)
{
    app_t *app = self->app;
    perm_t p = perm_view (app->live, ix->channel_id);
    if (p != PERM_OK) {
        reply_deny (app, ix, p, NULL, NULL);
        return;
    }
    const live_ctr_t *c = live_ctr_by_key (app->live, key);
    if (!c) {
        reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
        return;
    }
    if (!reply_cooldown_ok (app, ix, true, type == CB_UPDATE ? "refresh" : "info"))
        return;
    render_ctx_t r;
    app_render_ctx (app, &r);
    perm_roles_t roles = reply_roles (ix);
    cJSON *data =
        render_panel (&r, c, perm_may (app->live, ix->user_id, &roles, c, NULL), NULL, false);
    if (type == CB_MESSAGE)
        reply_ephemeral (data);
    reply_once (app, ix, type, &data);
}

static void
s_action (panels_t *self, const gw_interaction_t *ix, const char *action, const char *key)
{
    app_t *app = self->app;
    const live_ctr_t *c = live_ctr_by_key (app->live, key);
    if (!c) {
        reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
        return;
    }
    perm_roles_t roles = reply_roles (ix);
    perm_t p = perm_action (app->live, ix->channel_id, ix->user_id, &roles, c, action);
    if (p == PERM_ROLE) {
        render_ctx_t r;
        app_render_ctx (app, &r);
        cJSON *data = roles_refusal (&r, c, live_action_bit (action));
        reply_once (app, ix, CB_MESSAGE, &data);
        return;
    }
    if (p != PERM_OK) {
        char name [128], label [32];
        render_trunc (c->display, 60, name, sizeof (name));
        snprintf (label, sizeof (label), "btn.%s", action);
        reply_deny (app, ix, p, live_action_bit (action) ? i18n_get (app->lang, label) : action,
                    name);
        return;
    }
    if (!reply_cooldown_ok (app, ix, true, action))
        return;
    unsigned bit = live_action_bit (action);
    if (bit == ACT_LOGS) {
        //  A log message that refreshes itself for a while.
        self->hooks.logs (self->hooks.arg, ix, c);
        return;
    }
    if (self->nops >= PANELS_PENDING_MAX) {
        reply_text (app, ix, i18n_get (app->lang, "act.busy"), true);
        return;
    }
    s_op_t *op = s_op_new (self, c, bit);
    op->may = perm_may (app->live, ix->user_id, &roles, c, NULL);
    op->reply = reply_new (app, ix);
    render_ctx_t r;
    app_render_ctx (app, &r);
    char text [300], name [128], key2 [32];
    render_trunc (c->display, 60, name, sizeof (name));
    snprintf (key2, sizeof (key2), "act.pending.%s", action);
    live_set_pending (app->live, c->key, ddc_mono_ms () + PANELS_PENDING_MS);
    cJSON *data = render_panel (&r, c, op->may,
                                i18n_fmt (text, sizeof (text), app->lang, key2, name, NULL), true);
    reply_ack (op->reply, CB_UPDATE, &data);
    self->hooks.changed (self->hooks.arg);
    if (s_send (self, op, ix) < 0) {
        live_clear_pending (app->live, c->key);
        reply_edit_text (op->reply, i18n_get (app->lang, "act.busy"));
        reply_release (op->reply);
        s_op_unlink (self, op);
        free (op);
    }
}

//  Active, running containers that allow action and have none in flight.
static size_t
s_targets (panels_t *self, unsigned action, const live_ctr_t **out, size_t max)
{
    app_t *app = self->app;
    size_t n = 0;
    int64_t now = ddc_mono_ms ();
    for (size_t i = 0; i < app->live->nctrs; i++) {
        const live_ctr_t *c = &app->live->ctrs [i];
        if (!c->active || !(c->allowed & action))
            continue;
        live_st_t st;
        live_ctr_status (app->live, c, now, &st);
        if (st.state != ST_RUNNING)
            continue;
        if (out && n < max)
            out [n] = c;
        n++;
    }
    return n;
}

static void
s_bulk_ask (panels_t *self, const gw_interaction_t *ix, unsigned action)
{
    app_t *app = self->app;
    perm_t p = perm_bulk (app->live, ix->channel_id, ix->user_id);
    if (p != PERM_OK) {
        reply_deny (app, ix, p, NULL, NULL);
        return;
    }
    if (self->bulk) {
        reply_text (app, ix, i18n_get (app->lang, "bulk.busy"), true);
        return;
    }
    size_t n = s_targets (self, action, NULL, 0);
    if (n == 0) {
        reply_text (app, ix, i18n_get (app->lang, "bulk.none"), true);
        return;
    }
    //  The running containers that do not allow the action, by name.
    size_t running = n;
    char skipped [1000] = "";
    int64_t now = ddc_mono_ms ();
    for (size_t i = 0; i < app->live->nctrs; i++) {
        const live_ctr_t *c = &app->live->ctrs [i];
        live_st_t st;
        if (!c->active || (c->allowed & action))
            continue;
        live_ctr_status (app->live, c, now, &st);
        if (st.state != ST_RUNNING)
            continue;
        running++;
        size_t len = strlen (skipped);
        if (len + 70 < sizeof (skipped)) {
            char name [128];
            render_trunc (c->display, 60, name, sizeof (name));
            snprintf (skipped + len, sizeof (skipped) - len, "%s%s", len ? ", " : "", name);
        }
    }
    render_ctx_t r;
    app_render_ctx (app, &r);
    cJSON *data = render_confirm (&r, live_action_name (action), n, running, skipped);
    reply_ephemeral (data);
    reply_once (app, ix, CB_MESSAGE, &data);
}

static void
s_bulk_go (panels_t *self, const gw_interaction_t *ix, unsigned action)
{
    app_t *app = self->app;
    perm_t p = perm_bulk (app->live, ix->channel_id, ix->user_id);
    if (p != PERM_OK) {
        reply_deny (app, ix, p, NULL, NULL);
        return;
    }
    if (!reply_cooldown_ok (app, ix, true, action == ACT_RESTART ? "restart_all" : "stop_all"))
        return;
    if (self->bulk) {
        reply_update_text (app, ix, i18n_get (app->lang, "bulk.busy"));
        return;
    }
    //  Every target or none: the pending bounds hold all the containers
    //  a configuration may have.
    _Static_assert(PANELS_PENDING_MAX >= DDC_CONTAINERS_MAX && LIVE_PENDING_MAX >= DDC_CONTAINERS_MAX,
                   "a bulk action fits");
    const live_ctr_t *targets [DDC_CONTAINERS_MAX];
    size_t n = s_targets (self, action, targets, DDC_CONTAINERS_MAX);
    if (n > DDC_CONTAINERS_MAX)
        n = DDC_CONTAINERS_MAX;
    if (n == 0) {
        reply_update_text (app, ix, i18n_get (app->lang, "bulk.none"));
        return;
    }
    if (self->nops + n > PANELS_PENDING_MAX) {
        reply_update_text (app, ix, i18n_get (app->lang, "act.busy"));
        return;
    }
    s_bulk_t *b = ddc_calloc (1, sizeof (*b));
    b->action = action;
    b->reply = reply_new (app, ix);
    self->bulk = b;
    char num [24], text [256];
    snprintf (num, sizeof (num), "%zu", n);
    cJSON *data = render_text (
        i18n_fmt (text, sizeof (text), app->lang,
                  action == ACT_RESTART ? "bulk.pending.restart" : "bulk.pending.stop", num, NULL));
    reply_ack (b->reply, CB_UPDATE, &data);
    int64_t until = ddc_mono_ms () + PANELS_PENDING_MS;
    for (size_t i = 0; i < n; i++) {
        s_op_t *op = s_op_new (self, targets [i], action);
        op->bulk = b;
        op->may = targets [i]->allowed;
        live_set_pending (app->live, op->key, until);
        b->outstanding++;
        if (s_send (self, op, ix) < 0) {
            live_clear_pending (app->live, op->key);
            b->outstanding--;
            b->failed++;
            s_op_unlink (self, op);
            free (op);
        }
    }
    self->hooks.changed (self->hooks.arg);
    s_bulk_finish (self);
}

//  --------------------------------------------------------------------------
//  A container's info text

//  An info save in flight.
typedef struct {
    app_t *app;
    reply_t *reply;
    char key [LIVE_KEY_LEN + 1];
    char host [64];
    char name [129];
    uint32_t opened; //  render_info_hash of the info the form showed
    bool show;
    char *text;   //  what the admin wrote
    unsigned may; //  the admin's buttons on the panel
} s_info_t;

//  The hash of a container's info as it is in a containers value.
static uint32_t
s_info_hash (const cJSON *info)
{
    const char *text = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (info, "text"));
    live_ctr_t c = { .info_enabled =
                         cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (info, "enabled")),
                     .info_text = (char *) (text ? text : "") };
    return render_info_hash (&c);
}

static save_edit_t
s_info_edit (void *arg, const cJSON *current, cJSON **out, char *why, size_t size)
{
    s_info_t *e = arg;
    lang_t lang = e->app->lang;
    *out = cJSON_IsArray (current) ? cJSON_Duplicate (current, 1) : cJSON_CreateArray ();
    for (cJSON *c = (*out)->child; c; c = c->next) {
        const char *host = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "host"));
        const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "name"));
        if (!host || !name || strcmp (host, e->host) != 0 || strcmp (name, e->name) != 0)
            continue;
        const cJSON *info = cJSON_GetObjectItemCaseSensitive (c, "info");
        if (s_info_hash (info) != e->opened) {
            //  Someone changed it since the form was opened: theirs stays.
            char theirs [700], mine [700];
            const char *t = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (info, "text"));
            render_trunc_text (t && *t ? t : "-", 300, theirs, sizeof (theirs));
            render_trunc_text (*e->text ? e->text : "-", 300, mine, sizeof (mine));
            i18n_fmt (why, size, lang, "info.conflict", theirs, mine, NULL);
            return SAVE_EDIT_FAIL;
        }
        cJSON *fresh = cJSON_CreateObject ();
        cJSON_AddBoolToObject (fresh, "enabled", e->show);
        cJSON_AddStringToObject (fresh, "text", e->text);
        bool same = cJSON_Compare (fresh, info, true);
        if (info)
            cJSON_ReplaceItemInObjectCaseSensitive (c, "info", fresh);
        else
            cJSON_AddItemToObject (c, "info", fresh);
        return same ? SAVE_EDIT_SAME : SAVE_EDIT_OK;
    }
    ddc_strlcpy (why, i18n_get (lang, "deny.expired"), size);
    return SAVE_EDIT_FAIL;
}

static void
s_info_done (void *arg, const save_result_t *res)
{
    s_info_t *e = arg;
    app_t *app = e->app;
    char text [1800];
    if (res->outcome == SAVE_DONE || res->outcome == SAVE_SAME)
        ddc_strlcpy (text,
                     i18n_get (app->lang, res->outcome == SAVE_DONE ? "info.saved" : "info.same"),
                     sizeof (text));
    else if (res->outcome == SAVE_FAILED)
        ddc_strlcpy (text, res->why, sizeof (text));
    else
        i18n_fmt (text, sizeof (text), app->lang, "info.not_saved", res->why, NULL);
    const live_ctr_t *c = live_ctr_by_key (app->live, e->key);
    if (c) {
        //  The panel with the new text (the saved revision may reach the
        //  bot a moment after the broker's answer).
        live_ctr_t shown = *c;
        if (res->outcome == SAVE_DONE) {
            shown.info_enabled = e->show;
            shown.info_text = e->text;
        }
        render_ctx_t r;
        app_render_ctx (app, &r);
        cJSON *data = render_panel (&r, &shown, e->may, text, false);
        reply_edit (e->reply, &data);
    }
    else
        reply_edit_text (e->reply, text);
    reply_release (e->reply);
    free (e->text);
    free (e);
}

//  The container of key when the user of ix may edit its info; else
//  answered, NULL.
static const live_ctr_t *
s_editable (app_t *app, const gw_interaction_t *ix, const char *key)
{
    const live_ctr_t *c = key && *key ? live_ctr_by_key (app->live, key) : NULL;
    if (!c) {
        reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
        return NULL;
    }
    perm_t p = perm_command (app->live, "edit", ix->channel_id, ix->user_id);
    if (p != PERM_OK) {
        reply_deny (app, ix, p, NULL, NULL);
        return NULL;
    }
    return c;
}

//  The 📝 button: the form with the info text.
static void
s_edit_info (panels_t *self, const gw_interaction_t *ix, const char *key)
{
    app_t *app = self->app;
    const live_ctr_t *c = s_editable (app, ix, key);
    if (!c)
        return;
    render_ctx_t r;
    app_render_ctx (app, &r);
    cJSON *data = render_info_modal (&r, c);
    reply_once (app, ix, CB_MODAL, &data);
}

void
panels_on_modal (panels_t *self, const gw_interaction_t *ix)
{
    assert (self);
    app_t *app = self->app;
    //  in:ed:KEY:HASH
    char key [LIVE_KEY_LEN + 1] = "";
    unsigned opened = 0;
    const char *id = ix->custom_id;
    if (strncmp (id, "in:ed:", 6) == 0 && strlen (id) == 6 + LIVE_KEY_LEN + 1 + 8
        && id [6 + LIVE_KEY_LEN] == ':') {
        memcpy (key, id + 6, LIVE_KEY_LEN);
        key [LIVE_KEY_LEN] = '\0';
        opened = (unsigned) strtoul (id + 7 + LIVE_KEY_LEN, NULL, 16);
    }
    const live_ctr_t *c = s_editable (app, ix, key);
    if (!c)
        return;
    const char *text = gw_field (ix, "text");
    const char *show = gw_field (ix, "show");
    s_info_t *e = ddc_calloc (1, sizeof (*e));
    e->app = app;
    ddc_strlcpy (e->key, c->key, sizeof (e->key));
    ddc_strlcpy (e->host, c->host, sizeof (e->host));
    ddc_strlcpy (e->name, c->name, sizeof (e->name));
    e->opened = opened;
    perm_roles_t roles = reply_roles (ix);
    e->may = perm_may (app->live, ix->user_id, &roles, c, NULL);
    e->show = !show || strcmp (show, "no") != 0;
    //  Line breaks as Discord sends them (\r\n from some clients) become \n.
    e->text = ddc_strdup (text ? text : "");
    char *o = e->text;
    for (const char *q = e->text; *q; q++)
        if (*q != '\r')
            *o++ = *q;
    *o = '\0';
    //  From a panel: the panel shows the outcome.
    e->reply = reply_deferred (app, ix, ix->message_id [0] ? CB_DEFER_UPDATE : CB_DEFER_MESSAGE);
    char author [160];
    saves_author (ix, author, sizeof (author));
    saves_start (app->saves, "containers", author, s_info_edit, s_info_done, e);
}

void
panels_on_component (panels_t *self, const gw_interaction_t *ix)
{
    assert (self);
    app_t *app = self->app;
    const char *id = ix->custom_id;
    ddc_debug ("interaction %s: component %s by %s in %s", ix->id, id, ix->user_id, ix->channel_id);
    if (strcmp (id, "ov:sel") == 0 || strncmp (id, "ov:sel:", 7) == 0) {
        if (ix->nvalues < 1) {
            reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
            return;
        }
        s_open_panel (self, ix, ix->values [0], CB_MESSAGE);
        return;
    }
    if (strcmp (id, "ov:help") == 0) {
        render_ctx_t r;
        app_render_ctx (app, &r);
        cJSON *data = render_help (&r);
        perm_roles_t roles = reply_roles (ix);
        roles_help (&r, data, ix->user_id, &roles, ix->channel_id);
        reply_ephemeral (data);
        reply_once (app, ix, CB_MESSAGE, &data);
        return;
    }
    if (strcmp (id, "ov:ref") == 0) {
        const live_chan_t *ch = live_channel (app->live, ix->channel_id);
        if (!ch) {
            reply_deny (app, ix, PERM_CHANNEL, NULL, NULL);
            return;
        }
        if (!reply_cooldown_ok (app, ix, true, "refresh"))
            return;
        render_ctx_t r;
        app_render_ctx (app, &r);
        //  The part of the overview this message is (the last one, which
        //  has the buttons, when it is not known).
        int part = self->hooks.overview_part (self->hooks.arg, ix->channel_id, ix->message_id);
        cJSON *data = render_overview (&r, ch->kind, part < 0 ? RENDER_PARTS_MAX : (size_t) part);
        reply_once (app, ix, CB_UPDATE, &data);
        self->hooks.refreshed (self->hooks.arg, ix->channel_id, ix->message_id);
        return;
    }
    if (strcmp (id, "ov:rall") == 0 || strcmp (id, "ov:sall") == 0) {
        s_bulk_ask (self, ix, id [3] == 'r' ? ACT_RESTART : ACT_STOP);
        return;
    }
    if (strcmp (id, "bk:restart") == 0 || strcmp (id, "bk:stop") == 0) {
        s_bulk_go (self, ix, id [3] == 'r' ? ACT_RESTART : ACT_STOP);
        return;
    }
    if (strcmp (id, "bk:no") == 0) {
        reply_update_text (app, ix, i18n_get (app->lang, "bulk.cancelled"));
        return;
    }
    if (strncmp (id, "pn:tasks:", 9) == 0 || strncmp (id, "tk:", 3) == 0) {
        self->hooks.task (self->hooks.arg, ix);
        return;
    }
    if (strncmp (id, "lg:", 3) == 0) {
        self->hooks.logs (self->hooks.arg, ix, NULL);
        return;
    }
    if (strncmp (id, "pn:edit:", 8) == 0) {
        s_edit_info (self, ix, id + 8);
        return;
    }
    if (strncmp (id, "pn:", 3) == 0) {
        char action [16];
        const char *colon = strchr (id + 3, ':');
        size_t n = colon ? (size_t) (colon - (id + 3)) : 0;
        if (!colon || n == 0 || n >= sizeof (action)) {
            reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
            return;
        }
        memcpy (action, id + 3, n);
        action [n] = '\0';
        if (strcmp (action, "ref") == 0)
            s_open_panel (self, ix, colon + 1, CB_UPDATE);
        else
            s_action (self, ix, action, colon + 1);
        return;
    }
    reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
}
