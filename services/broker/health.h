/*  health: whether the ddc system is well, as the watchdog reports it to an
    outside monitor. Well means: the broker is up (it is judging), the bot's
    gateway is ready when a bot token is set (a connected ddc-discord whose
    "gateway" report says "ready"), and for every Docker host with an active
    container its ddc-docker agent (docker@HOST) is connected and does not
    report its Docker engine unreachable (its "status" report). Reads the
    configuration and the peer table; no I/O. Single-threaded. */
#ifndef DDC_HEALTH_H
#define DDC_HEALTH_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "peers.h"

//  true when all is well. reason[size] says why not (the first thing
//  wrong, and how many more), or what was judged well. bot and containers
//  are the sections (borrowed).
bool health_judge (const cJSON *bot, const cJSON *containers, peers_t *peers, char *reason,
                   size_t size);

#endif
