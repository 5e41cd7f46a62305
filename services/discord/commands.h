/*  commands: the slash commands. Owns their definitions (in the bot
    language, with the texts of every catalogue language by Discord
    locale, which each user's client shows), their registration (bulk overwrite PUT of the guild's
    commands, or the global ones while no guild is set; the scope they
    were last put in loses them with PUT [] when the guild changes, also
    across restarts through the state file; retried every minute on
    failure) and the dispatch of interactions: slash commands and
    autocomplete here, the /addadmin modal (a SAVE of the admins section
    through saves.c); what it does not own (components and the info form,
    /task with its autocomplete and form, the overview commands) it hands
    on through the hooks it is made with (main routes them to panels.c,
    taskflow.c and overviews.c). */
#ifndef DDC_DISCORD_COMMANDS_H
#define DDC_DISCORD_COMMANDS_H

#include <cJSON.h>
#include <stdint.h>

#include "app.h"
#include "i18n.h"
#include "payload.h"

#define COMMANDS_RETRY_MS 60000

//  Where commands hands on and what it tells.
typedef struct {
    //  A component (button, select) or the info form ("in:") submitted.
    void (*panel) (void *arg, const gw_interaction_t *ix);
    //  /task, its autocomplete, its form ("tk:").
    void (*task) (void *arg, const gw_interaction_t *ix);
    //  /serverstatus, /ss or /control in channel: post its overview anew.
    void (*repost) (void *arg, const char *channel);
    //  The registration's scope or error changed (commands_scope,
    //  commands_error): the gateway report is due.
    void (*changed) (void *arg);
    //  The application id the commands belong to, "" until the gateway is
    //  ready (nothing is registered before).
    const char *(*app_id) (void *arg);
    //  The registration's REST calls, as rest_call makes them.
    int (*call) (void *arg, const char *method, const char *path, cJSON **body_p, rest_done_fn *cb,
                 void *cb_arg);
    void *arg;
} commands_hooks_t;

//  The hooks are copied; each must be set.
commands_t *commands_new (app_t *app, const commands_hooks_t *hooks);
void commands_destroy (commands_t **self_p);
//  The command definitions in a language, localized for every other
//  (caller owns). The other languages' texts are parsed for this one at a
//  time and dropped again: the bot keeps only the languages it shows.
cJSON *commands_definitions (lang_t lang);
//  Register where the configuration says, if not done yet (call on READY
//  and when bot.guild_id or bot.language change).
void commands_sync (commands_t *self);
void commands_tick (commands_t *self, int64_t now);
int64_t commands_next_ms (commands_t *self, int64_t now);
//  An INTERACTION_CREATE.
void commands_on_interaction (commands_t *self, const gw_interaction_t *ix);
//  Scope the commands are registered in ("" none, "global", a guild id).
const char *commands_scope (commands_t *self);
//  Why the latest registration failed ("" when it did not): shown in the
//  gateway report until a registration succeeds.
const char *commands_error (commands_t *self);

#endif
