/*  alerts: the Docker agents' alerts in Discord. Owns, per incident (host +
    id) it has heard of, the alert message posted in each channel that asks
    for alerts (channels[].alerts, as configured when the incident opened):
    posted on the opening, edited (and answered with a follow-up reply) on
    an escalation and at the end; an end of an incident it never saw is
    posted on its own. Edits wait for their message's id; each report is
    handled once (a repeated one, or one older than ALERTS_STALE_MS, is
    dropped). Bounded: ALERTS_KEEP incidents (the oldest forgotten first),
    ALERTS_CHANNELS channels each. Messages come from alertview.c. */
#ifndef DDC_DISCORD_ALERTS_H
#define DDC_DISCORD_ALERTS_H

#include <cJSON.h>
#include <stddef.h>

#include "app.h"

#define ALERTS_KEEP 256
#define ALERTS_CHANNELS 10
#define ALERTS_STALE_MS (5 * 60 * 1000)

alerts_t *alerts_new (app_t *app);
//  Calls still in flight are abandoned (their callbacks only free).
void alerts_destroy (alerts_t **self_p);
//  A report of topic "alerts" from peer "docker@HOST" (body borrowed).
void alerts_on_report (alerts_t *self, const char *peer, const cJSON *body);
//  Incidents remembered.
size_t alerts_known (alerts_t *self);

#endif
