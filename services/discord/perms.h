/*  perms: who may do what where, and the per-user cooldowns. Pure
    decisions from the live configuration (live.h): channel kinds (status:
    anyone may view, /serverstatus and /ss; control: /control, Restart All
    and Stop All), the admin list (container actions, logs and bulk actions
    need an admin, or for one container's action a member of a Discord role
    allowed it there: containers[].roles, checked against the member's
    roles in the interaction; tasks and info texts need an admin),
    allowed_actions, and the spam section's cooldowns,
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
    PERM_CHANNEL,      //  the channel is not set up for ddc
    PERM_STATUS_ONLY,  //  only in status channels
    PERM_CONTROL_ONLY, //  only in control channels
    PERM_ADMIN,        //  only admins
    PERM_ROLE,         //  only admins and the roles allowed it here
    PERM_ACTION,       //  the action is not in allowed_actions
    PERM_UNKNOWN       //  unknown command or container
} perm_t;

//  A slash command (its name) used by user in channel; also "task" for
//  every task button and "edit" for editing an info text (admins).
perm_t perm_command (const live_t *live, const char *command, const char *channel, const char *user);
//  The member's roles, as the interaction gives them.
typedef struct {
    const char (*ids) [24];
    int n;
} perm_roles_t;

//  A container action (start, stop, restart, logs) on container c by user
//  with roles (may be NULL: none).
perm_t perm_action (const live_t *live, const char *channel, const char *user,
                    const perm_roles_t *roles, const live_ctr_t *c, const char *action);
//  The actions (ACT_* bits) user with roles may use on c: all allowed ones
//  and ACT_ADMIN (tasks, the info text) for an admin, else those a role of
//  theirs is allowed; 0 when c is NULL.
//  When granted is not NULL it gets, per action bit index (0 start .. 3
//  logs), the first of their roles that allows it (NULL: none or admin).
unsigned perm_may (const live_t *live, const char *user, const perm_roles_t *roles,
                   const live_ctr_t *c, const char *granted [4]);
//  Restart All / Stop All.
perm_t perm_bulk (const live_t *live, const char *channel, const char *user);
//  Viewing (panels, info, refresh): any channel that is set up.
perm_t perm_view (const live_t *live, const char *channel);
//  The i18n key of a refusal ("deny.admin", ...), NULL for PERM_OK.
const char *perm_text_key (perm_t p);

typedef struct _cd_t cd_t;

cd_t *cd_new (void);
void cd_destroy (cd_t **self_p);
//  May user use key now, with a cooldown of seconds? Returns 0 and records
//  the use, or the whole seconds left (>= 1). seconds <= 0: always 0. The
//  time left is counted from the last use with the seconds given now, so a
//  cooldown changed in the configuration applies to running ones at once.
int cd_check (cd_t *self, const char *user, const char *key, int seconds, int64_t now_ms);
size_t cd_count (cd_t *self);

#endif
