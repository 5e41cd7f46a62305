/*  hosts: what the bot learns from the broker about the Docker hosts, so
    that every container shows its true state at every moment. Owns the
    STATUS request sent each time the bot connects to the broker (the
    latest "status" report of every agent and whether it is connected:
    no container waits for the agent's next report after a restart of the
    bot), the agents' status reports as they are published, and the
    broker's peer events (mon/peer/<name>/: an agent that says BYE or goes
    quiet shows as gone at once). Everything goes into live.h; what came
    later wins over the STATUS table. The overviews are told when what
    they show may have changed. */
#ifndef DDC_DISCORD_HOSTS_H
#define DDC_DISCORD_HOSTS_H

#include <cJSON.h>

#include "app.h"

typedef struct _hosts_t hosts_t;

hosts_t *hosts_new (app_t *app);
void hosts_destroy (hosts_t **self_p);
//  The bot is connected to the broker (again): ask for the peers table.
void hosts_on_connected (hosts_t *self);
//  A status/<peer>/<topic>/ message (body borrowed).
void hosts_on_status (hosts_t *self, const char *peer, const char *topic, const cJSON *body);
//  A mon/<...>/ message (topic and body borrowed).
void hosts_on_mon (hosts_t *self, const char *topic, const cJSON *body);

#endif
