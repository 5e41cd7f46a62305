/*  panels: buttons, selects and the Docker actions. See panels.h. */
#include "panels.h"

#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"
#include "overviews.h"
#include "reply.h"
#include "roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ACTION_EXTRA_MS 30000     //  beyond docker.stop_timeout_seconds
#define S_START_TIMEOUT   60000
#define S_LOGS_TIMEOUT    30000
#define S_MAX_TIMEOUT     120000    //  the broker's clamp

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
    reply_t *reply;             //  single actions
    s_bulk_t *bulk;             //  bulk members
    unsigned action;
    char key [LIVE_KEY_LEN + 1];
    char host [64];
    char name [129];
    char display [101];
    unsigned may;               //  the actions its user may use (panel buttons)
} s_op_t;

struct _panels_t {
    app_t *app;
    s_op_t *ops;
    size_t nops;
    s_bulk_t *bulk;
};

panels_t *
panels_new (app_t *app)
{
    panels_t *self = ddc_calloc (1, sizeof *self);
    self->app = app;
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
    s_op_t *op = ddc_calloc (1, sizeof *op);
    op->owner = self;
    op->action = action;
    ddc_strlcpy (op->key, c->key, sizeof op->key);
    ddc_strlcpy (op->host, c->host, sizeof op->host);
    ddc_strlcpy (op->name, c->name, sizeof op->name);
    ddc_strlcpy (op->display, c->display, sizeof op->display);
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
    snprintf (key, sizeof key, "verb.%s", live_action_name (action));
    return i18n_get (lang, key);
}

//  The text of an outcome into buf; ok tells success.
static void
s_outcome (app_t *app, const s_op_t *op, const ddc_msg_t *reply, bool *ok, char *buf,
           size_t size, const cJSON **body_out)
{
    lang_t lang = app->lang;
    *ok = false;
    *body_out = NULL;
    char name [128];
    render_trunc (op->display, 60, name, sizeof name);
    if (!reply) {
        i18n_fmt (buf, size, lang, "act.timeout", op->host, NULL);
        return;
    }
    if (reply->type == DDC_ERROR) {
        uint64_t code = reply->u64 [DDC_ERROR_CODE];
        if (code == DDC_E_NOT_FOUND)
            i18n_fmt (buf, size, lang, "act.host_down", op->host, NULL);
        else
        if (code == DDC_E_TIMEOUT)
            i18n_fmt (buf, size, lang, "act.timeout", op->host, NULL);
        else
            i18n_fmt (buf, size, lang, "act.failed", s_verb (lang, op->action), name,
                      reply->frame [DDC_ERROR_MESSAGE], NULL);
        return;
    }
    if (reply->type != DDC_RESULT) {
        i18n_fmt (buf, size, lang, "act.failed", s_verb (lang, op->action), name,
                  ddc_msg_name (reply->type), NULL);
        return;
    }
    const cJSON *body = reply->json [DDC_RESULT_BODY];
    *body_out = body;
    if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (body, "ok"))) {
        *ok = true;
        char key [32];
        snprintf (key, sizeof key, "act.done.%s", live_action_name (op->action));
        i18n_fmt (buf, size, lang, key, name, NULL);
        return;
    }
    const char *error = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "error"));
    const char *message = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body,
                                                                                  "message"));
    char msg [300];
    render_trunc (message ? message : (error ? error : "?"), 250, msg, sizeof msg);
    if (error && strcmp (error, "timeout") == 0)
        i18n_fmt (buf, size, lang, "act.timeout", op->host, NULL);
    else
        i18n_fmt (buf, size, lang, error && strcmp (error, "refused") == 0 ? "act.refused"
                                                                           : "act.failed",
                  s_verb (lang, op->action), name, msg, NULL);
}

static void
s_bulk_finish (panels_t *self)
{
    s_bulk_t *b = self->bulk;
    if (!b || b->outstanding > 0)
        return;
    app_t *app = self->app;
    char ok [16], failed [16], text [1200];
    snprintf (ok, sizeof ok, "%d", b->ok);
    snprintf (failed, sizeof failed, "%d", b->failed);
    i18n_fmt (text, sizeof text, app->lang, "bulk.done", ok, failed, NULL);
    if (b->failures [0]) {
        size_t n = strlen (text);
        snprintf (text + n, sizeof text - n, "\n%s", b->failures);
    }
    ddc_info ("bulk %s: %d ok, %d failed", live_action_name (b->action), b->ok, b->failed);
    reply_edit (b->reply, render_text (text));
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
    s_outcome (app, op, reply, &ok, text, sizeof text, &body);
    int64_t now = ddc_mono_ms ();
    const char *state = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "state"));
    if (op->action != ACT_LOGS) {
        live_clear_pending (app->live, op->key);
        if (state)
            live_patch_state (app->live, op->host, op->name, state, now);
        overviews_dirty (app->overviews);
    }
    s_op_unlink (self, op);
    if (op->bulk) {
        s_bulk_t *b = op->bulk;
        b->outstanding--;
        if (ok)
            b->ok++;
        else {
            b->failed++;
            size_t n = strlen (b->failures), tl = strlen (text);
            if (n + tl + 2 < sizeof b->failures) {
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
    if (op->action == ACT_LOGS) {
        const live_ctr_t *c = live_ctr_by_key (app->live, op->key);
        if (ok && c) {
            const cJSON *lines = cJSON_GetObjectItemCaseSensitive (body, "lines");
            reply_edit (op->reply, render_logs (&r, c, cJSON_GetStringValue (
                                                    cJSON_GetObjectItemCaseSensitive (body,
                                                                                      "logs")),
                                                cJSON_IsNumber (lines)
                                                    ? (int) lines->valuedouble : 0));
        }
        else
            reply_edit (op->reply, render_text (text));
    }
    else {
        const live_ctr_t *c = live_ctr_by_key (app->live, op->key);
        if (c)
            reply_edit (op->reply, render_panel (&r, c, op->may, text, false));
        else
            reply_edit (op->reply, render_text (text));
    }
    ddc_debug ("action %s %s@%s: %s", live_action_name (op->action), op->name, op->host,
               ok ? "ok" : "failed");
    reply_release (op->reply);
    free (op);
}

//  Send the ACTION of op. -1 (op untouched) when it cannot be queued.
static int
s_send (panels_t *self, s_op_t *op, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "action", live_action_name (op->action));
    cJSON_AddStringToObject (body, "container", op->name);
    char by [200], who [GW_NAME_MAX];
    render_trunc (ix->username, 60, who, sizeof who);
    snprintf (by, sizeof by, "discord:%s (%s)", who, ix->user_id);
    cJSON_AddStringToObject (body, "by", by);
    //  Whom the bot acts for, for the broker's audit log (proto/ddcp.md 5.7).
    cJSON *claimed = cJSON_AddObjectToObject (body, "for");
    cJSON_AddStringToObject (claimed, "user", who);
    cJSON_AddStringToObject (claimed, "user_id", ix->user_id);
    if (ix->channel_id [0])
        cJSON_AddStringToObject (claimed, "channel_id", ix->channel_id);
    int64_t timeout = S_START_TIMEOUT;
    if (op->action == ACT_LOGS) {
        cJSON_AddNumberToObject (body, "lines", PANELS_LOG_LINES);
        timeout = S_LOGS_TIMEOUT;
    }
    else
    if (op->action != ACT_START)
        timeout = (int64_t) app->live->stop_timeout_s * 1000 + S_ACTION_EXTRA_MS;
    if (timeout > S_MAX_TIMEOUT)
        timeout = S_MAX_TIMEOUT;
    char *text = cJSON_PrintUnformatted (body);
    cJSON_Delete (body);
    char req [40], target [80], tmo [24];
    ddc_req_id (req);
    snprintf (target, sizeof target, "docker@%s", op->host);
    snprintf (tmo, sizeof tmo, "%lld", (long long) timeout);
    zmsg_t *msg = ddc_msg_buildv (DDC_ACTION, req, target, tmo, text, NULL);
    free (text);
    //  The broker answers 408 after timeout; our own deadline comes later.
    if (!msg || ddc_client_request (app->client, &msg, timeout + 5000, 1, s_on_result, op) < 0) {
        zmsg_destroy (&msg);
        return -1;
    }
    ddc_info ("action %s %s@%s by %s", live_action_name (op->action), op->name, op->host, by);
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
    cJSON *data = render_panel (&r, c, perm_may (app->live, ix->user_id, &roles, c, NULL), NULL,
                                false);
    if (type == CB_MESSAGE)
        reply_ephemeral (data);
    reply_once (app, ix, type, data);
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
        reply_once (app, ix, CB_MESSAGE, roles_refusal (&r, c, live_action_bit (action)));
        return;
    }
    if (p != PERM_OK) {
        char name [128], label [32];
        render_trunc (c->display, 60, name, sizeof name);
        snprintf (label, sizeof label, "btn.%s", action);
        reply_deny (app, ix, p, live_action_bit (action) ? i18n_get (app->lang, label) : action,
                    name);
        return;
    }
    if (!reply_cooldown_ok (app, ix, true, action))
        return;
    if (self->nops >= PANELS_PENDING_MAX) {
        reply_text (app, ix, i18n_get (app->lang, "act.busy"), true);
        return;
    }
    unsigned bit = live_action_bit (action);
    s_op_t *op = s_op_new (self, c, bit);
    op->may = perm_may (app->live, ix->user_id, &roles, c, NULL);
    op->reply = reply_new (app, ix);
    render_ctx_t r;
    app_render_ctx (app, &r);
    char text [300], name [128];
    render_trunc (c->display, 60, name, sizeof name);
    if (bit == ACT_LOGS) {
        cJSON *data = cJSON_CreateObject ();
        reply_ephemeral (data);
        reply_ack (op->reply, CB_DEFER_MESSAGE, data);
    }
    else {
        char key2 [32];
        snprintf (key2, sizeof key2, "act.pending.%s", action);
        live_set_pending (app->live, c->key, ddc_mono_ms () + PANELS_PENDING_MS);
        reply_ack (op->reply, CB_UPDATE,
                   render_panel (&r, c, op->may, i18n_fmt (text, sizeof text, app->lang, key2, name,
                                                        NULL), true));
        overviews_dirty (app->overviews);
    }
    if (s_send (self, op, ix) < 0) {
        if (bit != ACT_LOGS)
            live_clear_pending (app->live, c->key);
        reply_edit (op->reply, render_text (i18n_get (app->lang, "act.busy")));
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
        if (len + 70 < sizeof skipped) {
            char name [128];
            render_trunc (c->display, 60, name, sizeof name);
            snprintf (skipped + len, sizeof skipped - len, "%s%s", len ? ", " : "", name);
        }
    }
    render_ctx_t r;
    app_render_ctx (app, &r);
    cJSON *data = render_confirm (&r, live_action_name (action), n, running, skipped);
    reply_ephemeral (data);
    reply_once (app, ix, CB_MESSAGE, data);
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
        reply_once (app, ix, CB_UPDATE, render_text (i18n_get (app->lang, "bulk.busy")));
        return;
    }
    const live_ctr_t *targets [500];
    size_t n = s_targets (self, action, targets, 500);
    if (n > 500)
        n = 500;
    if (n == 0) {
        reply_once (app, ix, CB_UPDATE, render_text (i18n_get (app->lang, "bulk.none")));
        return;
    }
    if (self->nops + n > PANELS_PENDING_MAX) {
        reply_once (app, ix, CB_UPDATE, render_text (i18n_get (app->lang, "act.busy")));
        return;
    }
    s_bulk_t *b = ddc_calloc (1, sizeof *b);
    b->action = action;
    b->reply = reply_new (app, ix);
    self->bulk = b;
    char num [24], text [256];
    snprintf (num, sizeof num, "%zu", n);
    reply_ack (b->reply, CB_UPDATE,
               render_text (i18n_fmt (text, sizeof text, app->lang,
                                      action == ACT_RESTART ? "bulk.pending.restart"
                                                            : "bulk.pending.stop", num, NULL)));
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
    overviews_dirty (app->overviews);
    s_bulk_finish (self);
}

void
panels_on_component (panels_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    const char *id = ix->custom_id;
    ddc_debug ("interaction %s: component %s by %s in %s", ix->id, id, ix->user_id,
               ix->channel_id);
    if (strcmp (id, "ov:sel") == 0) {
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
        reply_once (app, ix, CB_MESSAGE, data);
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
        reply_once (app, ix, CB_UPDATE, render_overview (&r, ch->kind));
        overviews_touched (app->overviews, ix->channel_id, ix->message_id);
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
        reply_once (app, ix, CB_UPDATE, render_text (i18n_get (app->lang, "bulk.cancelled")));
        return;
    }
    if (strncmp (id, "pn:", 3) == 0) {
        char action [16];
        const char *colon = strchr (id + 3, ':');
        size_t n = colon ? (size_t) (colon - (id + 3)) : 0;
        if (!colon || n == 0 || n >= sizeof action) {
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
