/*  commands: slash command registration and dispatch. See commands.h. */
#include "commands.h"

#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"
#include "overviews.h"
#include "panels.h"
#include "reply.h"
#include "roles.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SAVE_TIMEOUT_MS 5000
#define S_SAVES_MAX       32

//  An /addadmin save in flight.
typedef struct s_save {
    struct s_save *next;
    commands_t *owner;
    reply_t *reply;
    char new_id [GW_ID_MAX];
    char author [160];
    char note [101];
    int tries;
} s_save_t;

struct _commands_t {
    app_t *app;
    char registered [32];       //  scope last registered ("" none)
    char lang_done [4];
    char app_done [GW_ID_MAX];      //  the application registered for
    bool done_this_run;
    bool busy;
    char busy_scope [32];
    char busy_lang [4];
    int64_t retry_at;
    s_save_t *saves;
    size_t nsaves;
    char error [400];           //  why the last registration failed, "" if it did not
};

//  --------------------------------------------------------------------------
//  Definitions and registration

static cJSON *
s_command (cJSON *list, const char *name, lang_t lang, const char *key)
{
    cJSON *c = cJSON_CreateObject ();
    cJSON_AddStringToObject (c, "name", name);
    cJSON_AddNumberToObject (c, "type", 1);
    cJSON_AddStringToObject (c, "description", i18n_get (lang, key));
    cJSON_AddItemToArray (list, c);
    return c;
}

cJSON *
commands_definitions (lang_t lang)
{
    cJSON *list = cJSON_CreateArray ();
    s_command (list, "serverstatus", lang, "cmd.serverstatus");
    s_command (list, "ss", lang, "cmd.ss");
    s_command (list, "control", lang, "cmd.control");
    cJSON *info = s_command (list, "info", lang, "cmd.info");
    cJSON *opts = cJSON_AddArrayToObject (info, "options");
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddNumberToObject (o, "type", 3);
    cJSON_AddStringToObject (o, "name", "container");
    cJSON_AddStringToObject (o, "description", i18n_get (lang, "cmd.info.container"));
    cJSON_AddTrueToObject (o, "required");
    cJSON_AddTrueToObject (o, "autocomplete");
    cJSON_AddItemToArray (opts, o);
    s_command (list, "help", lang, "cmd.help");
    s_command (list, "ping", lang, "cmd.ping");
    s_command (list, "addadmin", lang, "cmd.addadmin");
    return list;
}

commands_t *
commands_new (app_t *app)
{
    commands_t *self = ddc_calloc (1, sizeof *self);
    self->app = app;
    ddc_strlcpy (self->registered, state_commands (app->state), sizeof self->registered);
    return self;
}

void
commands_destroy (commands_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    commands_t *self = *self_p;
    while (self->saves) {
        s_save_t *s = self->saves;
        self->saves = s->next;
        reply_release (s->reply);
        free (s);
    }
    free (self);
    *self_p = NULL;
}

const char *
commands_scope (commands_t *self)
{
    return self->registered;
}

const char *
commands_error (commands_t *self)
{
    return self->error;
}

static void
s_path (commands_t *self, const char *scope, char *buf, size_t size)
{
    const char *app_id = gateway_app_id (self->app->gw);
    if (strcmp (scope, "global") == 0)
        snprintf (buf, size, "/applications/%s/commands", app_id);
    else
        snprintf (buf, size, "/applications/%s/guilds/%s/commands", app_id, scope);
}

static void
s_on_clear (void *arg, int status, const cJSON *json, int code)
{
    (void) json;
    char *scope = arg;
    if (status == 200)
        ddc_info ("commands: removed from %s%s", strcmp (scope, "global") ? "guild " : "",
                  scope);
    else
    if (status != REST_CANCELLED)
        ddc_warn ("commands: cannot remove them from %s (HTTP %d, code %d)", scope, status,
                  code);
    free (scope);
}

static void
s_on_put (void *arg, int status, const cJSON *json, int code)
{
    commands_t *self = arg;
    self->busy = false;
    if (status == REST_CANCELLED)
        return;
    if (status == 200) {
        char old [32];
        ddc_strlcpy (old, self->registered, sizeof old);
        ddc_strlcpy (self->registered, self->busy_scope, sizeof self->registered);
        ddc_strlcpy (self->lang_done, self->busy_lang, sizeof self->lang_done);
        ddc_strlcpy (self->app_done, gateway_app_id (self->app->gw), sizeof self->app_done);
        self->done_this_run = true;
        self->retry_at = 0;
        self->error [0] = '\0';
        state_set_commands (self->app->state, self->registered);
        self->app->report_due = true;
        ddc_info ("commands: %d registered in %s%s (%s)", cJSON_GetArraySize (json),
                  strcmp (self->registered, "global") ? "guild " : "", self->registered,
                  self->lang_done);
        if (old [0] && strcmp (old, self->registered) != 0 && gateway_app_id (self->app->gw) [0]) {
            char path [200];
            s_path (self, old, path, sizeof path);
            rest_call (self->app->rest, "PUT", path, cJSON_CreateArray (), 0, s_on_clear,
                       ddc_strdup (old));
        }
    }
    else {
        //  Shown in the gateway report (ddc-ctl status, the web dashboard):
        //  a guild that refuses them (403: the bot was not invited with
        //  applications.commands) is the operator's to fix.
        const char *why = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (json, "message"));
        char shown [100] = "", detail [160];
        if (why)
            render_trunc (why, 80, shown, sizeof shown);
        if (status < 0)
            snprintf (detail, sizeof detail, "no answer from Discord");
        else
        if (code && shown [0])
            snprintf (detail, sizeof detail, "HTTP %d (code %d: %s)", status, code, shown);
        else
        if (shown [0])
            snprintf (detail, sizeof detail, "HTTP %d (%s)", status, shown);
        else
            snprintf (detail, sizeof detail, "HTTP %d", status);
        snprintf (self->error, sizeof self->error, "slash commands not registered in %s%s: %s%s",
                  strcmp (self->busy_scope, "global") ? "guild " : "", self->busy_scope, detail,
                  status == 403 ? "; is the bot in that server, invited with the "
                                  "applications.commands scope?" : "");
        ddc_warn ("commands: cannot register them in %s%s (HTTP %d, code %d): retrying in %d s",
                  strcmp (self->busy_scope, "global") ? "guild " : "", self->busy_scope, status,
                  code, COMMANDS_RETRY_MS / 1000);
        self->retry_at = ddc_mono_ms () + COMMANDS_RETRY_MS;
        self->app->report_due = true;
    }
    commands_sync (self);
}

void
commands_sync (commands_t *self)
{
    app_t *app = self->app;
    if (self->busy || !gateway_is_ready (app->gw) || !gateway_app_id (app->gw) [0])
        return;
    const char *desired = app->live->guild [0] ? app->live->guild : "global";
    const char *lang = i18n_code (app->lang);
    if (self->done_this_run && strcmp (self->registered, desired) == 0
        && strcmp (self->lang_done, lang) == 0
        && strcmp (self->app_done, gateway_app_id (app->gw)) == 0)
        return;
    if (self->retry_at && ddc_mono_ms () < self->retry_at
        && strcmp (self->busy_scope, desired) == 0)
        return;
    ddc_strlcpy (self->busy_scope, desired, sizeof self->busy_scope);
    ddc_strlcpy (self->busy_lang, lang, sizeof self->busy_lang);
    self->busy = true;
    char path [200];
    s_path (self, desired, path, sizeof path);
    rest_call (app->rest, "PUT", path, commands_definitions (app->lang), 0, s_on_put, self);
}

void
commands_tick (commands_t *self, int64_t now)
{
    if (self->retry_at && now >= self->retry_at) {
        self->retry_at = 0;
        commands_sync (self);
    }
}

int64_t
commands_next_ms (commands_t *self, int64_t now)
{
    if (!self->retry_at)
        return 60000;
    return self->retry_at > now ? self->retry_at - now : 0;
}

//  --------------------------------------------------------------------------
//  Slash commands

static void
s_on_command (commands_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    render_ctx_t r;
    app_render_ctx (app, &r);
    perm_t p = perm_command (app->live, ix->name, ix->channel_id, ix->user_id);
    ddc_debug ("interaction %s: /%s by %s in %s", ix->id, ix->name, ix->user_id, ix->channel_id);
    if (p != PERM_OK) {
        reply_deny (app, ix, p, NULL, NULL);
        return;
    }
    if (!reply_cooldown_ok (app, ix, false, ix->name))
        return;
    if (strcmp (ix->name, "help") == 0) {
        cJSON *data = render_help (&r);
        perm_roles_t roles = reply_roles (ix);
        roles_help (&r, data, ix->user_id, &roles, ix->channel_id);
        reply_ephemeral (data);
        reply_once (app, ix, CB_MESSAGE, data);
    }
    else
    if (strcmp (ix->name, "ping") == 0)
        reply_once (app, ix, CB_MESSAGE, render_ping (&r, gateway_latency_ms (app->gw),
                                                       rest_rtt_ms (app->rest)));
    else
    if (strcmp (ix->name, "serverstatus") == 0 || strcmp (ix->name, "ss") == 0
        || strcmp (ix->name, "control") == 0) {
        reply_text (app, ix, i18n_get (app->lang, "ov.posted"), true);
        overviews_repost (app->overviews, ix->channel_id);
    }
    else
    if (strcmp (ix->name, "info") == 0) {
        const gw_option_t *o = gw_option (ix, "container");
        const live_ctr_t *c = o ? live_ctr_find (app->live, o->value) : NULL;
        if (!c) {
            char name [80], text [256];
            render_trunc (o ? o->value : "", 60, name, sizeof name);
            reply_text (app, ix, i18n_fmt (text, sizeof text, app->lang, "deny.container", name,
                                           NULL), true);
            return;
        }
        perm_roles_t roles = reply_roles (ix);
        cJSON *data = render_panel (&r, c, perm_may (app->live, ix->user_id, &roles, c, NULL),
                                    NULL, false);
        reply_ephemeral (data);
        reply_once (app, ix, CB_MESSAGE, data);
    }
    else
    if (strcmp (ix->name, "addadmin") == 0)
        reply_once (app, ix, CB_MODAL, render_addadmin_modal (&r));
    else
        reply_deny (app, ix, PERM_UNKNOWN, NULL, NULL);
}

static void
s_on_autocomplete (commands_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    render_ctx_t r;
    app_render_ctx (app, &r);
    const gw_option_t *o = gw_focused (ix);
    reply_once (app, ix, CB_AUTOCOMPLETE, render_choices (&r, o ? o->value : ""));
}

//  --------------------------------------------------------------------------
//  /addadmin

static void s_save_send (s_save_t *s, const cJSON *current, uint64_t rev);

static void
s_save_done (s_save_t *s, const char *text)
{
    commands_t *self = s->owner;
    reply_edit (s->reply, render_text (text));
    reply_release (s->reply);
    s_save_t **pp = &self->saves;
    while (*pp && *pp != s)
        pp = &(*pp)->next;
    if (*pp)
        *pp = s->next;
    self->nsaves--;
    free (s);
}

static void
s_save_failed (s_save_t *s, const char *why)
{
    char text [512];
    i18n_fmt (text, sizeof text, s->owner->app->lang, "admin.failed", why, NULL);
    ddc_warn ("addadmin: the admins section was not saved: %s", why);
    s_save_done (s, text);
}

static bool
s_has_admin (const cJSON *admins, const char *id)
{
    for (const cJSON *a = cJSON_IsArray (admins) ? admins->child : NULL; a; a = a->next) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive (a, "id");
        if (cJSON_IsString (v) && strcmp (v->valuestring, id) == 0)
            return true;
    }
    return false;
}

static void
s_on_saved (void *arg, const ddc_msg_t *reply)
{
    s_save_t *s = arg;
    app_t *app = s->owner->app;
    char text [512];
    if (!reply) {
        s_save_failed (s, "the broker did not answer");
        return;
    }
    switch (reply->type) {
    case DDC_OK:
        ddc_info ("addadmin: %s added by %s", s->new_id, s->author);
        s_save_done (s, i18n_fmt (text, sizeof text, app->lang, "admin.added", s->new_id, NULL));
        return;
    case DDC_CONFLICT: {
        const cJSON *value = reply->json [DDC_CONFLICT_VALUE];
        if (s_has_admin (value, s->new_id)) {
            s_save_done (s, i18n_fmt (text, sizeof text, app->lang, "admin.exists", s->new_id,
                                      NULL));
            return;
        }
        if (++s->tries > 2) {
            s_save_failed (s, "conflicting changes");
            return;
        }
        s_save_send (s, value, reply->u64 [DDC_CONFLICT_SECTION_REV]);
        return;
    }
    case DDC_DENIED:
        s_save_failed (s, reply->frame [DDC_DENIED_REASON]);
        return;
    case DDC_INVALID: {
        const cJSON *first = cJSON_GetArrayItem (reply->json [DDC_INVALID_ERRORS], 0);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive (first, "message");
        s_save_failed (s, cJSON_IsString (m) ? m->valuestring : "invalid");
        return;
    }
    case DDC_ERROR:
        s_save_failed (s, reply->frame [DDC_ERROR_MESSAGE]);
        return;
    default:
        s_save_failed (s, "unexpected reply");
        return;
    }
}

static void
s_save_send (s_save_t *s, const cJSON *current, uint64_t rev)
{
    app_t *app = s->owner->app;
    cJSON *value = cJSON_IsArray (current) ? cJSON_Duplicate (current, 1) : cJSON_CreateArray ();
    if (cJSON_GetArraySize (value) >= 100) {
        cJSON_Delete (value);
        s_save_done (s, i18n_get (app->lang, "admin.full"));
        return;
    }
    cJSON *entry = cJSON_CreateObject ();
    cJSON_AddStringToObject (entry, "id", s->new_id);
    cJSON_AddStringToObject (entry, "note", s->note);
    cJSON_AddItemToArray (value, entry);
    char *text = cJSON_PrintUnformatted (value);
    cJSON_Delete (value);
    char req [40], revs [24];
    ddc_req_id (req);
    snprintf (revs, sizeof revs, "%llu", (unsigned long long) rev);
    zmsg_t *msg = ddc_msg_buildv (DDC_SAVE, req, "admins", revs, s->author, text, NULL);
    free (text);
    if (!msg || ddc_client_request (app->client, &msg, S_SAVE_TIMEOUT_MS, 3, s_on_saved, s) < 0) {
        zmsg_destroy (&msg);
        s_save_failed (s, "the request queue is full");
    }
}

//  Printable ASCII for a TEXT frame.
static void
s_ascii (const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *) in; *p && o + 1 < size; p++)
        out [o++] = *p >= 0x20 && *p < 0x7f ? (char) *p : '?';
    out [o] = '\0';
}

static void
s_on_addadmin (commands_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    perm_t p = perm_command (app->live, "addadmin", ix->channel_id, ix->user_id);
    if (p != PERM_OK) {
        reply_deny (app, ix, p, NULL, NULL);
        return;
    }
    const char *field = gw_field (ix, "user_id");
    char id [GW_ID_MAX] = "";
    if (field) {
        while (isspace ((unsigned char) *field))
            field++;
        size_t n = 0;
        while (field [n] >= '0' && field [n] <= '9' && n < sizeof id - 1) {
            id [n] = field [n];
            n++;
        }
        id [n] = '\0';
        const char *rest = field + n;
        while (isspace ((unsigned char) *rest))
            rest++;
        if (*rest || n < 17 || n > 20 || id [0] == '0')
            id [0] = '\0';
    }
    char text [512];
    if (!id [0]) {
        reply_text (app, ix, i18n_get (app->lang, "admin.invalid"), true);
        return;
    }
    uint64_t rev = 0;
    const cJSON *admins = ddc_client_section (app->client, "admins", &rev);
    if (live_is_admin (app->live, id) || s_has_admin (admins, id)) {
        reply_text (app, ix, i18n_fmt (text, sizeof text, app->lang, "admin.exists", id, NULL),
                    true);
        return;
    }
    if (self->nsaves >= S_SAVES_MAX) {
        reply_text (app, ix, i18n_get (app->lang, "act.busy"), true);
        return;
    }
    s_save_t *s = ddc_calloc (1, sizeof *s);
    s->owner = self;
    ddc_strlcpy (s->new_id, id, sizeof s->new_id);
    char who [GW_NAME_MAX];
    s_ascii (ix->username, who, sizeof who);
    snprintf (s->author, sizeof s->author, "discord:%.60s (%s)", who, ix->user_id);
    snprintf (s->note, sizeof s->note, "added by %.60s via /addadmin", who);
    s->reply = reply_new (app, ix);
    cJSON *data = cJSON_CreateObject ();
    reply_ephemeral (data);
    reply_ack (s->reply, CB_DEFER_MESSAGE, data);
    s->next = self->saves;
    self->saves = s;
    self->nsaves++;
    s_save_send (s, admins, rev);
}

//  --------------------------------------------------------------------------
//  Dispatch

void
commands_on_interaction (commands_t *self, const gw_interaction_t *ix)
{
    switch (ix->type) {
    case GW_IX_COMMAND:
        s_on_command (self, ix);
        break;
    case GW_IX_AUTOCOMPLETE:
        s_on_autocomplete (self, ix);
        break;
    case GW_IX_COMPONENT:
        panels_on_component (self->app->panels, ix);
        break;
    case GW_IX_MODAL:
        if (strcmp (ix->custom_id, "adm:add") == 0)
            s_on_addadmin (self, ix);
        else
            reply_deny (self->app, ix, PERM_UNKNOWN, NULL, NULL);
        break;
    default:
        break;
    }
}
