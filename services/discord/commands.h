/*  commands: the slash commands. Owns their definitions (in the bot
    language, with the texts of every catalogue language by Discord
    locale, which each user's client shows), their registration (bulk overwrite PUT of the guild's
    commands, or the global ones while no guild is set; the scope they
    were last put in loses them with PUT [] when the guild changes, also
    across restarts through the state file; retried every minute on
    failure) and the dispatch of interactions: slash commands and
    autocomplete here, the /addadmin modal (a SAVE of the admins section
    through saves.c), /task and its modal to tasks.c, components to
    panels.c. */
#ifndef DDC_DISCORD_COMMANDS_H
#define DDC_DISCORD_COMMANDS_H

#include <cJSON.h>
#include <stdint.h>

#include "app.h"
#include "i18n.h"
#include "payload.h"

#define COMMANDS_RETRY_MS 60000

commands_t *commands_new (app_t *app);
void commands_destroy (commands_t **self_p);
/* The command definitions in a language, localized for every other
   (caller owns). */
cJSON *commands_definitions (lang_t lang);
/* Register where the configuration says, if not done yet (call on READY
   and when bot.guild_id or bot.language change). */
void commands_sync (commands_t *self);
void commands_tick (commands_t *self, int64_t now);
int64_t commands_next_ms (commands_t *self, int64_t now);
/* An INTERACTION_CREATE. */
void commands_on_interaction (commands_t *self, const gw_interaction_t *ix);
/* Scope the commands are registered in ("" none, "global", a guild id). */
const char *commands_scope (commands_t *self);
/* Why the latest registration failed ("" when it did not): shown in the
   gateway report until a registration succeeds. */
const char *commands_error (commands_t *self);

#endif
