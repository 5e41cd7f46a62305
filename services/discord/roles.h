/*  roles: what a member may do where, and why, in words. Owns the refusal
    of a container action to a member none of whose roles is allowed it
    (naming the roles that are, without pinging them) and the part of /help
    that tells this member which actions they may use on which container
    and through which role (or that they are an admin), and in which
    channels. Pure: the decisions are perms.c's, the words the locale's;
    no I/O. */
#ifndef DDC_DISCORD_ROLES_H
#define DDC_DISCORD_ROLES_H

#include <cJSON.h>

#include "perms.h"
#include "render.h"

#define ROLES_HELP_MAX 950 //  bytes of one help field's text

//  The ephemeral refusal of action (an ACT_* bit) on c (caller owns).
cJSON *roles_refusal (const render_ctx_t *r, const live_ctr_t *c, unsigned action);
//  Add "your permissions" and "where" fields to the /help message help (its
//  first embed) for user with roles, asked in channel.
void roles_help (const render_ctx_t *r, cJSON *help, const char *user, const perm_roles_t *roles,
                 const char *channel);

#endif
