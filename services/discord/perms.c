/*  perms: permission decisions and cooldowns. See perms.h. */
#include "perms.h"

#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

perm_t
perm_command (const live_t *live, const char *command, const char *channel, const char *user)
{
    if (!command)
        return PERM_UNKNOWN;
    if (strcmp (command, "help") == 0 || strcmp (command, "ping") == 0)
        return PERM_OK;
    const live_chan_t *ch = live_channel (live, channel);
    if (strcmp (command, "serverstatus") == 0 || strcmp (command, "ss") == 0) {
        if (!ch)
            return PERM_CHANNEL;
        return ch->kind == CHAN_STATUS ? PERM_OK : PERM_STATUS_ONLY;
    }
    if (strcmp (command, "control") == 0) {
        if (!ch)
            return PERM_CHANNEL;
        return ch->kind == CHAN_CONTROL ? PERM_OK : PERM_CONTROL_ONLY;
    }
    if (strcmp (command, "info") == 0)
        return ch ? PERM_OK : PERM_CHANNEL;
    if (strcmp (command, "task") == 0 || strcmp (command, "edit") == 0) {
        //  Tasks and info texts: admins, in any channel set up for ddc.
        if (!ch)
            return PERM_CHANNEL;
        return live_is_admin (live, user) ? PERM_OK : PERM_ADMIN;
    }
    if (strcmp (command, "addadmin") == 0) {
        if (!ch)
            return PERM_CHANNEL;
        if (live_is_admin (live, user))
            return PERM_OK;
        if (live->nadmins == 0)
            return ch->kind == CHAN_CONTROL ? PERM_OK : PERM_CONTROL_ONLY;
        return PERM_ADMIN;
    }
    return PERM_UNKNOWN;
}

unsigned
perm_may (const live_t *live, const char *user, const perm_roles_t *roles, const live_ctr_t *c,
          const char *granted [4])
{
    if (granted)
        for (int i = 0; i < 4; i++)
            granted [i] = NULL;
    if (!c)
        return 0;
    if (live_is_admin (live, user))
        return c->allowed | ACT_ADMIN;
    unsigned may = 0;
    for (size_t r = 0; r < c->nroles; r++)
        for (int m = 0; roles && m < roles->n; m++) {
            if (strcmp (c->roles [r].id, roles->ids [m]) != 0)
                continue;
            unsigned grant = c->roles [r].actions & c->allowed;
            for (int i = 0; granted && i < 4; i++)
                if ((grant & (1u << i)) && !granted [i])
                    granted [i] = c->roles [r].id;
            may |= grant;
        }
    return may;
}

perm_t
perm_action (const live_t *live, const char *channel, const char *user, const perm_roles_t *roles,
             const live_ctr_t *c, const char *action)
{
    if (!live_channel (live, channel))
        return PERM_CHANNEL;
    if (!c)
        return PERM_UNKNOWN;
    unsigned bit = live_action_bit (action);
    if (!bit)
        return PERM_UNKNOWN;
    if (!(c->allowed & bit))
        return live_is_admin (live, user) ? PERM_ACTION : PERM_ADMIN;
    if (perm_may (live, user, roles, c, NULL) & bit)
        return PERM_OK;
    for (size_t r = 0; r < c->nroles; r++)
        if (c->roles [r].actions & bit)
            return PERM_ROLE;
    return PERM_ADMIN;
}

perm_t
perm_bulk (const live_t *live, const char *channel, const char *user)
{
    const live_chan_t *ch = live_channel (live, channel);
    if (!ch)
        return PERM_CHANNEL;
    if (ch->kind != CHAN_CONTROL)
        return PERM_CONTROL_ONLY;
    return live_is_admin (live, user) ? PERM_OK : PERM_ADMIN;
}

perm_t
perm_view (const live_t *live, const char *channel)
{
    return live_channel (live, channel) ? PERM_OK : PERM_CHANNEL;
}

const char *
perm_text_key (perm_t p)
{
    switch (p) {
        case PERM_OK:
            return NULL;
        case PERM_CHANNEL:
            return "deny.channel";
        case PERM_STATUS_ONLY:
            return "deny.status_only";
        case PERM_CONTROL_ONLY:
            return "deny.control_only";
        case PERM_ADMIN:
            return "deny.admin";
        case PERM_ROLE:
            return "deny.role";
        case PERM_ACTION:
            return "deny.action";
        case PERM_UNKNOWN:
            return "err.unknown_command";
    }
    return "err.unknown_command";
}

//  --------------------------------------------------------------------------
//  Cooldowns

typedef struct {
    char user [24];
    char key [24];
    int64_t at;    //  mono ms of the use
    int64_t until; //  at + the cooldown then: the slot's reuse
} s_cd_entry_t;

struct _cd_t {
    s_cd_entry_t *entries;
    size_t count;
};

cd_t *
cd_new (void)
{
    cd_t *self = ddc_calloc (1, sizeof (*self));
    self->entries = ddc_calloc (CD_MAX, sizeof (*self->entries));
    return self;
}

void
cd_destroy (cd_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->entries);
    free (*self_p);
    *self_p = NULL;
}

int
cd_check (cd_t *self, const char *user, const char *key, int seconds, int64_t now_ms)
{
    if (seconds <= 0 || !user || !key)
        return 0;
    int64_t length = (int64_t) seconds * 1000;
    s_cd_entry_t *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < self->count; i++) {
        s_cd_entry_t *e = &self->entries [i];
        if (strcmp (e->user, user) == 0 && strcmp (e->key, key) == 0) {
            //  Measured from the use with today's length: a cooldown
            //  lowered in the configuration applies to running ones too.
            if (e->at + length > now_ms)
                return (int) ((e->at + length - now_ms + 999) / 1000);
            e->at = now_ms;
            e->until = now_ms + length;
            return 0;
        }
        if (e->until <= now_ms && !free_slot)
            free_slot = e;
        if (!oldest || e->until < oldest->until)
            oldest = e;
    }
    s_cd_entry_t *e = free_slot;
    if (!e)
        e = self->count < CD_MAX ? &self->entries [self->count++] : oldest;
    ddc_strlcpy (e->user, user, sizeof (e->user));
    ddc_strlcpy (e->key, key, sizeof (e->key));
    e->at = now_ms;
    e->until = now_ms + length;
    return 0;
}

size_t
cd_count (cd_t *self)
{
    return self->count;
}
