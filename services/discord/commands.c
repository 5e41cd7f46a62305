/*  commands: slash command registration and dispatch. See commands.h. */
#include "commands.h"

#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"
#include "reply.h"
#include "roles.h"
#include "saves.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct _commands_t {
    app_t *app;
    commands_hooks_t hooks;
    char registered [32];      //  scope last registered ("" none)
    char lang_done [8];        //  a language code ("zh-CN")
    char app_done [GW_ID_MAX]; //  the application registered for
    bool done_this_run;
    bool busy;
    char busy_scope [32];
    char busy_lang [8];
    int64_t retry_at;
    char error [400]; //  why the last registration failed, "" if it did not
};

//  --------------------------------------------------------------------------
//  Definitions and registration

//  The Discord locales of the catalogue's languages (Discord names English
//  and Spanish twice, Swedish sv-SE).
static const char *const s_discord_locales [] = { "en-US",  "en-GB", "de", "fr",    "es-ES",
                                                  "es-419", "it",    "nl", "pl",    "pt-BR",
                                                  "ru",     "sv-SE", "tr", "zh-CN", NULL };

//  What the definitions are made of: the bot's language. The texts of
//  every language are filled in afterwards, one language at a time
//  (s_fill_language).
typedef struct {
    lang_t lang;
} s_defs_t;

//  The text of key in every language by Discord locale, as field
//  ("description_localizations", "name_localizations"): each user's client
//  shows the commands in its own language, the bot language being the
//  default. Each locale holds key itself until s_fill_language replaces it.
static void
s_localize (const s_defs_t *d, cJSON *obj, const char *field, const char *key)
{
    (void) d;
    cJSON *map = cJSON_AddObjectToObject (obj, field);
    for (size_t i = 0; s_discord_locales [i]; i++)
        cJSON_AddStringToObject (map, s_discord_locales [i], key);
}

//  The catalogue language of a Discord locale (English for one of none).
static lang_t
s_locale_lang (const char *locale)
{
    int l = ddc_i18n_match (locale);
    return l < 0 ? LANG_EN : (lang_t) l;
}

//  Replace, everywhere under node, the key held by each locale of lang in
//  a localization map by its text.
static void
s_fill (cJSON *node, lang_t lang)
{
    for (cJSON *c = node->child; c; c = c->next) {
        if (cJSON_IsObject (c) && c->string && strstr (c->string, "_localizations")) {
            for (cJSON *e = c->child; e; e = e->next)
                if (cJSON_IsString (e) && s_locale_lang (e->string) == lang)
                    cJSON_SetValuestring (e, i18n_get (lang, e->valuestring));
        }
        else if (cJSON_IsObject (c) || cJSON_IsArray (c))
            s_fill (c, lang);
    }
}

//  Fill in the texts of lang. A language the bot had not parsed yet is
//  dropped again once copied: the bot keeps the languages it shows, and
//  the definitions hold one more language at a time, not all of them.
static void
s_fill_language (cJSON *list, lang_t lang)
{
    bool had = i18n_loaded (lang);
    s_fill (list, lang);
    if (!had)
        i18n_unload (lang);
}

static cJSON *
s_command (cJSON *list, const char *name, const s_defs_t *d, const char *key)
{
    cJSON *c = cJSON_CreateObject ();
    cJSON_AddStringToObject (c, "name", name);
    cJSON_AddNumberToObject (c, "type", 1);
    cJSON_AddStringToObject (c, "description", i18n_get (d->lang, key));
    s_localize (d, c, "description_localizations", key);
    cJSON_AddItemToArray (list, c);
    return c;
}

//  An option of a command (type 3 string, 1 sub-command) into list.
static cJSON *
s_option (cJSON *list, int type, const char *name, const s_defs_t *d, const char *key, bool required)
{
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddNumberToObject (o, "type", type);
    cJSON_AddStringToObject (o, "name", name);
    cJSON_AddStringToObject (o, "description", i18n_get (d->lang, key));
    s_localize (d, o, "description_localizations", key);
    if (required)
        cJSON_AddTrueToObject (o, "required");
    cJSON_AddItemToArray (list, o);
    return o;
}

//  Fixed choices of an option, named in lang by prefix + value.
static void
s_choices (cJSON *option, const s_defs_t *d, const char *prefix, const char *const *values)
{
    cJSON *choices = cJSON_AddArrayToObject (option, "choices");
    for (size_t i = 0; values [i]; i++) {
        char key [40];
        snprintf (key, sizeof (key), "%s%s", prefix, values [i]);
        cJSON *c = cJSON_CreateObject ();
        cJSON_AddStringToObject (c, "name", i18n_get (d->lang, key));
        s_localize (d, c, "name_localizations", key);
        cJSON_AddStringToObject (c, "value", values [i]);
        cJSON_AddItemToArray (choices, c);
    }
}

cJSON *
commands_definitions (lang_t lang)
{
    s_defs_t defs = { lang }, *d = &defs;
    cJSON *list = cJSON_CreateArray ();
    s_command (list, "serverstatus", d, "cmd.serverstatus");
    s_command (list, "ss", d, "cmd.ss");
    s_command (list, "control", d, "cmd.control");
    cJSON *info = s_command (list, "info", d, "cmd.info");
    cJSON_AddTrueToObject (s_option (cJSON_AddArrayToObject (info, "options"), 3, "container", d,
                                     "cmd.info.container", true),
                           "autocomplete");
    s_command (list, "help", d, "cmd.help");
    s_command (list, "ping", d, "cmd.ping");
    s_command (list, "addadmin", d, "cmd.addadmin");
    //  /task list [container] | add container action cycle time [day]
    //  [timezone] | delete task
    cJSON *task = s_command (list, "task", d, "cmd.task");
    cJSON *subs = cJSON_AddArrayToObject (task, "options");
    cJSON *sub = s_option (subs, 1, "list", d, "cmd.task.list", false);
    s_option (cJSON_AddArrayToObject (sub, "options"), 3, "container", d, "cmd.task.o.container",
              false);
    sub = s_option (subs, 1, "add", d, "cmd.task.add", false);
    cJSON *o = cJSON_AddArrayToObject (sub, "options");
    s_option (o, 3, "container", d, "cmd.task.o.container", true);
    static const char *const actions [] = { "restart", "start", "stop", NULL };
    static const char *const cycles [] = { "daily", "weekly", "monthly", "yearly", "once", NULL };
    s_choices (s_option (o, 3, "action", d, "cmd.task.o.action", true), d, "task.action.", actions);
    s_choices (s_option (o, 3, "cycle", d, "cmd.task.o.cycle", true), d, "task.c.", cycles);
    s_option (o, 3, "time", d, "cmd.task.o.time", true);
    s_option (o, 3, "day", d, "cmd.task.o.day", false);
    s_option (o, 3, "timezone", d, "cmd.task.o.timezone", false);
    sub = s_option (subs, 1, "delete", d, "cmd.task.delete", false);
    s_option (cJSON_AddArrayToObject (sub, "options"), 3, "task", d, "cmd.task.o.task", true);
    //  autocomplete for what the bot knows
    for (cJSON *sc = subs->child; sc; sc = sc->next)
        for (cJSON *x = cJSON_GetObjectItemCaseSensitive (sc, "options")
                            ? cJSON_GetObjectItemCaseSensitive (sc, "options")->child
                            : NULL;
             x; x = x->next) {
            const char *n = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (x, "name"));
            if (strcmp (n, "container") == 0 || strcmp (n, "task") == 0
                || strcmp (n, "timezone") == 0)
                cJSON_AddTrueToObject (x, "autocomplete");
        }
    for (int l = 0; l < LANG_COUNT; l++)
        s_fill_language (list, (lang_t) l);
    return list;
}

commands_t *
commands_new (app_t *app, const commands_hooks_t *hooks)
{
    assert (app);
    assert (hooks && hooks->panel && hooks->task && hooks->repost && hooks->changed && hooks->app_id
            && hooks->call);
    commands_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    self->hooks = *hooks;
    ddc_strlcpy (self->registered, state_commands (app->state), sizeof (self->registered));
    return self;
}

void
commands_destroy (commands_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    commands_t *self = *self_p;
    free (self);
    *self_p = NULL;
}

const char *
commands_scope (commands_t *self)
{
    assert (self);
    return self->registered;
}

const char *
commands_error (commands_t *self)
{
    assert (self);
    return self->error;
}

static void
s_path (commands_t *self, const char *scope, char *buf, size_t size)
{
    const char *app_id = self->hooks.app_id (self->hooks.arg);
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
        ddc_info ("commands: removed from %s%s", strcmp (scope, "global") ? "guild " : "", scope);
    else if (status != REST_CANCELLED)
        ddc_warn ("commands: cannot remove them from %s (HTTP %d, code %d)", scope, status, code);
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
        ddc_strlcpy (old, self->registered, sizeof (old));
        ddc_strlcpy (self->registered, self->busy_scope, sizeof (self->registered));
        ddc_strlcpy (self->lang_done, self->busy_lang, sizeof (self->lang_done));
        ddc_strlcpy (self->app_done, self->hooks.app_id (self->hooks.arg), sizeof (self->app_done));
        self->done_this_run = true;
        self->retry_at = 0;
        self->error [0] = '\0';
        state_set_commands (self->app->state, self->registered);
        self->hooks.changed (self->hooks.arg);
        ddc_info ("commands: %d registered in %s%s (%s)", cJSON_GetArraySize (json),
                  strcmp (self->registered, "global") ? "guild " : "", self->registered,
                  self->lang_done);
        if (old [0] && strcmp (old, self->registered) != 0
            && self->hooks.app_id (self->hooks.arg) [0]) {
            char path [200];
            s_path (self, old, path, sizeof (path));
            cJSON *none = cJSON_CreateArray ();
            self->hooks.call (self->hooks.arg, "PUT", path, &none, s_on_clear, ddc_strdup (old));
        }
    }
    else {
        //  Shown in the gateway report (ddc-ctl status, the web dashboard):
        //  a guild that refuses them (403: the bot was not invited with
        //  applications.commands) is the operator's to fix.
        const char *why = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (json, "message"));
        char shown [100] = "", detail [160];
        if (why)
            render_trunc (why, 80, shown, sizeof (shown));
        if (status < 0)
            snprintf (detail, sizeof (detail), "no answer from Discord");
        else if (code && shown [0])
            snprintf (detail, sizeof (detail), "HTTP %d (code %d: %s)", status, code, shown);
        else if (shown [0])
            snprintf (detail, sizeof (detail), "HTTP %d (%s)", status, shown);
        else
            snprintf (detail, sizeof (detail), "HTTP %d", status);
        snprintf (self->error, sizeof (self->error), "slash commands not registered in %s%s: %s%s",
                  strcmp (self->busy_scope, "global") ? "guild " : "", self->busy_scope, detail,
                  status == 403 ? "; is the bot in that server, invited with the "
                                  "applications.commands scope?"
                                : "");
        ddc_warn ("commands: cannot register them in %s%s (HTTP %d, code %d): retrying in %d s",
                  strcmp (self->busy_scope, "global") ? "guild " : "", self->busy_scope, status,
                  code, COMMANDS_RETRY_MS / 1000);
        self->retry_at = ddc_mono_ms () + COMMANDS_RETRY_MS;
        self->hooks.changed (self->hooks.arg);
    }
    commands_sync (self);
}

void
commands_sync (commands_t *self)
{
    assert (self);
    app_t *app = self->app;
    const char *app_id = self->hooks.app_id (self->hooks.arg);
    if (self->busy || !app_id [0])
        return;
    const char *desired = app->live->guild [0] ? app->live->guild : "global";
    const char *lang = i18n_code (app->lang);
    if (self->done_this_run && strcmp (self->registered, desired) == 0
        && strcmp (self->lang_done, lang) == 0 && strcmp (self->app_done, app_id) == 0)
        return;
    if (self->retry_at && ddc_mono_ms () < self->retry_at && strcmp (self->busy_scope, desired) == 0)
        return;
    ddc_strlcpy (self->busy_scope, desired, sizeof (self->busy_scope));
    ddc_strlcpy (self->busy_lang, lang, sizeof (self->busy_lang));
    self->busy = true;
    char path [200];
    s_path (self, desired, path, sizeof (path));
    cJSON *definitions = commands_definitions (app->lang);
    self->hooks.call (self->hooks.arg, "PUT", path, &definitions, s_on_put, self);
}

void
commands_tick (commands_t *self, int64_t now)
{
    assert (self);
    if (self->retry_at && now >= self->retry_at) {
        self->retry_at = 0;
        commands_sync (self);
    }
}

int64_t
commands_next_ms (commands_t *self, int64_t now)
{
    assert (self);
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
        reply_once (app, ix, CB_MESSAGE, &data);
    }
    else if (strcmp (ix->name, "ping") == 0) {
        cJSON *data = render_ping (&r, gateway_latency_ms (app->gw), rest_rtt_ms (app->rest));
        reply_once (app, ix, CB_MESSAGE, &data);
    }
    else if (strcmp (ix->name, "serverstatus") == 0 || strcmp (ix->name, "ss") == 0
             || strcmp (ix->name, "control") == 0) {
        reply_text (app, ix, i18n_get (app->lang, "ov.posted"), true);
        self->hooks.repost (self->hooks.arg, ix->channel_id);
    }
    else if (strcmp (ix->name, "info") == 0) {
        const gw_option_t *o = gw_option (ix, "container");
        const live_ctr_t *c = o ? live_ctr_find (app->live, o->value) : NULL;
        if (!c) {
            char name [80], text [256];
            render_trunc (o ? o->value : "", 60, name, sizeof (name));
            reply_text (app, ix,
                        i18n_fmt (text, sizeof (text), app->lang, "deny.container", name, NULL),
                        true);
            return;
        }
        perm_roles_t roles = reply_roles (ix);
        cJSON *data =
            render_panel (&r, c, perm_may (app->live, ix->user_id, &roles, c, NULL), NULL, false);
        reply_ephemeral (data);
        reply_once (app, ix, CB_MESSAGE, &data);
    }
    else if (strcmp (ix->name, "addadmin") == 0) {
        cJSON *data = render_addadmin_modal (&r);
        reply_once (app, ix, CB_MODAL, &data);
    }
    else if (strcmp (ix->name, "task") == 0)
        self->hooks.task (self->hooks.arg, ix);
    else
        reply_deny (app, ix, PERM_UNKNOWN, NULL, NULL);
}

static void
s_on_autocomplete (commands_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    render_ctx_t r;
    app_render_ctx (app, &r);
    if (strcmp (ix->name, "task") == 0) {
        self->hooks.task (self->hooks.arg, ix);
        return;
    }
    const gw_option_t *o = gw_focused (ix);
    cJSON *data = render_choices (&r, o ? o->value : "");
    reply_once (app, ix, CB_AUTOCOMPLETE, &data);
}

//  --------------------------------------------------------------------------
//  /addadmin

//  An /addadmin save in flight.
typedef struct {
    app_t *app;
    reply_t *reply;
    char new_id [GW_ID_MAX];
    char note [101];
} s_addadmin_t;

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

static save_edit_t
s_addadmin_edit (void *arg, const cJSON *current, cJSON **out, char *why, size_t size)
{
    s_addadmin_t *a = arg;
    if (s_has_admin (current, a->new_id))
        return SAVE_EDIT_SAME;
    if (cJSON_GetArraySize (current) >= 100) {
        ddc_strlcpy (why, i18n_get (a->app->lang, "admin.full"), size);
        return SAVE_EDIT_FAIL;
    }
    *out = cJSON_IsArray (current) ? cJSON_Duplicate (current, 1) : cJSON_CreateArray ();
    cJSON *entry = cJSON_CreateObject ();
    cJSON_AddStringToObject (entry, "id", a->new_id);
    cJSON_AddStringToObject (entry, "note", a->note);
    cJSON_AddItemToArray (*out, entry);
    return SAVE_EDIT_OK;
}

static void
s_addadmin_done (void *arg, const save_result_t *res)
{
    s_addadmin_t *a = arg;
    char text [512];
    lang_t lang = a->app->lang;
    if (res->outcome == SAVE_DONE)
        i18n_fmt (text, sizeof (text), lang, "admin.added", a->new_id, NULL);
    else if (res->outcome == SAVE_SAME)
        i18n_fmt (text, sizeof (text), lang, "admin.exists", a->new_id, NULL);
    else if (res->outcome == SAVE_FAILED && strcmp (res->why, i18n_get (lang, "admin.full")) == 0)
        ddc_strlcpy (text, res->why, sizeof (text));
    else
        i18n_fmt (text, sizeof (text), lang, "admin.failed", res->why, NULL);
    reply_edit_text (a->reply, text);
    reply_release (a->reply);
    free (a);
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
        while (field [n] >= '0' && field [n] <= '9' && n < sizeof (id) - 1) {
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
    if (live_is_admin (app->live, id)) {
        reply_text (app, ix, i18n_fmt (text, sizeof (text), app->lang, "admin.exists", id, NULL),
                    true);
        return;
    }
    s_addadmin_t *a = ddc_calloc (1, sizeof (*a));
    a->app = app;
    ddc_strlcpy (a->new_id, id, sizeof (a->new_id));
    char author [160], who [64];
    saves_author (ix, author, sizeof (author));
    render_trunc (ix->username, 60, who, sizeof (who));
    snprintf (a->note, sizeof (a->note), "added by %.60s via /addadmin", who);
    a->reply = reply_deferred (app, ix, CB_DEFER_MESSAGE);
    saves_start (app->saves, "admins", author, s_addadmin_edit, s_addadmin_done, a);
}

//  --------------------------------------------------------------------------
//  Dispatch

void
commands_on_interaction (commands_t *self, const gw_interaction_t *ix)
{
    assert (self);
    switch (ix->type) {
        case GW_IX_COMMAND:
            s_on_command (self, ix);
            break;
        case GW_IX_AUTOCOMPLETE:
            s_on_autocomplete (self, ix);
            break;
        case GW_IX_COMPONENT:
            self->hooks.panel (self->hooks.arg, ix);
            break;
        case GW_IX_MODAL:
            if (strcmp (ix->custom_id, "adm:add") == 0)
                s_on_addadmin (self, ix);
            else if (strncmp (ix->custom_id, "tk:", 3) == 0)
                self->hooks.task (self->hooks.arg, ix);
            else if (strncmp (ix->custom_id, "in:", 3) == 0)
                self->hooks.panel (self->hooks.arg, ix);
            else
                reply_deny (self->app, ix, PERM_UNKNOWN, NULL, NULL);
            break;
        default:
            break;
    }
}
