/*  panels: the component interactions (buttons and selects) and the Docker
    actions behind them. Owns the flows: container select -> ephemeral
    control panel; start/stop/restart -> the panel turns to "pending" at
    once (UPDATE_MESSAGE, well inside Discord's 3 s), an ACTION goes to
    docker@HOST through the broker, the result edits the panel and the
    overviews are re-rendered; logs -> deferred ephemeral reply, then the
    last lines; Restart All / Stop All -> confirmation, then one ACTION per
    running container that allows it (one bulk operation at a time);
    refresh buttons. Every permission refusal and cooldown is an ephemeral
    reply. Bounded: PANELS_PENDING_MAX actions in flight. */
#ifndef DDC_DISCORD_PANELS_H
#define DDC_DISCORD_PANELS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "payload.h"

#define PANELS_PENDING_MAX 256
#define PANELS_LOG_LINES   50
#define PANELS_PENDING_MS  120000   /* a container shows 🟡 at most this long */

panels_t *panels_new (app_t *app);
/* Actions still in flight are forgotten (their replies released). */
void panels_destroy (panels_t **self_p);
void panels_on_component (panels_t *self, const gw_interaction_t *ix);
size_t panels_pending (panels_t *self);

#endif
