/*  livelogs: log messages that refresh themselves. The 📋 button answers
    with the container's last lines (an ephemeral message) and then, for
    LIVELOGS_FOR_MS, fetches them again every LIVELOGS_EVERY_MS through the
    Docker agent and edits the message when they changed: one edit per
    5 s at most, below Discord's limit for editing an interaction's
    response, and none when nothing changed. Discord does not tell a bot
    whether anyone still looks at a message, so a session also ends early
    when the message is dismissed or deleted (the edit is refused),
    when no new line came for LIVELOGS_IDLE_MS, on its ⏹️ button, or when
    the container is no longer configured; its 🔁 button fetches at once
    and starts the time again (a new session when the old one ended).
    Owns the sessions; bounded: LIVELOGS_MAX at once (the oldest ends). */
#ifndef DDC_DISCORD_LIVELOGS_H
#define DDC_DISCORD_LIVELOGS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "payload.h"

#define LIVELOGS_MAX 16
#define LIVELOGS_EVERY_MS 5000
#define LIVELOGS_FOR_MS 120000
#define LIVELOGS_IDLE_MS 30000

typedef struct _livelogs_t livelogs_t;

livelogs_t *livelogs_new (app_t *app);
void livelogs_destroy (livelogs_t **self_p);
//  The 📋 button on container c (permission and cooldown checked).
void livelogs_start (livelogs_t *self, const gw_interaction_t *ix, const live_ctr_t *c);
//  "lg:ref:KEY" and "lg:stop:KEY".
void livelogs_on_component (livelogs_t *self, const gw_interaction_t *ix);
void livelogs_tick (livelogs_t *self, int64_t now);
int64_t livelogs_next_ms (livelogs_t *self, int64_t now);
//  Sessions that update themselves now.
size_t livelogs_running (livelogs_t *self);

#endif
