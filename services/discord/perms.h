/*  perms: who may do what where, and the per-user cooldowns. Pure
    decisions from the live configuration (live.h): channel kinds (status:
    anyone may view, /serverstatus and /ss; control: /control, Restart All
    and Stop All), the admin list (container actions, logs and bulk actions
    need an admin), allowed_actions, and the spam section's cooldowns,
    kept per user and key in memory (at most CD_MAX entries; expired ones
    are reused first, then the oldest). /addadmin: admins anywhere the bot
    is set up; while the admin list is empty, anyone in a control channel
    (to bootstrap the first admin). A cooldown runs from a user's last use
    with the length configured now, and /ss and /serverstatus share one. */
#ifndef DDC_DISCORD_PERMS_H
#define DDC_DISCORD_PERMS_H

#include <stdbool.h>
#include <stdint.h>

#include "live.h"

#define CD_MAX 4096

typedef enum {
    PERM_OK,
    PERM_CHANNEL,          /* the channel is not set up for ddc            */
    PERM_STATUS_ONLY,      /* only in status channels                      */
    PERM_CONTROL_ONLY,     /* only in control channels                     */
    PERM_ADMIN,            /* only admins                                  */
    PERM_ACTION,           /* the action is not in allowed_actions         */
    PERM_UNKNOWN           /* unknown command or container                 */
} perm_t;

/* A slash command (its name) used by user in channel. */
perm_t perm_command (const live_t *live, const char *command, const char *channel,
                     const char *user);
/* A container action (start, stop, restart, logs) on container c. */
perm_t perm_action (const live_t *live, const char *channel, const char *user,
                    const live_ctr_t *c, const char *action);
/* Restart All / Stop All. */
perm_t perm_bulk (const live_t *live, const char *channel, const char *user);
/* Viewing (panels, info, refresh): any channel that is set up. */
perm_t perm_view (const live_t *live, const char *channel);
/* The i18n key of a refusal ("deny.admin", ...), NULL for PERM_OK. */
const char *perm_text_key (perm_t p);

typedef struct _cd_t cd_t;

cd_t *cd_new (void);
void cd_destroy (cd_t **self_p);
/* May user use key now, with a cooldown of seconds? Returns 0 and records
   the use, or the whole seconds left (>= 1). seconds <= 0: always 0. The
   time left is counted from the last use with the seconds given now, so a
   cooldown changed in the configuration applies to running ones at once. */
int cd_check (cd_t *self, const char *user, const char *key, int seconds, int64_t now_ms);
size_t cd_count (cd_t *self);

#endif
