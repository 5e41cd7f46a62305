/*  app: the ddc-discord process as one struct shared by its modules (main
    owns it): the broker client, the gateway and its transport, the REST
    client, the live configuration and status, cooldowns, the state file,
    and the three feature modules (commands, panels, overviews). Everything
    runs on the main thread; only ws.c has a thread of its own. */
#ifndef DDC_DISCORD_APP_H
#define DDC_DISCORD_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "ddc_client.h"
#include "ddc_tz.h"
#include "gateway.h"
#include "i18n.h"
#include "live.h"
#include "perms.h"
#include "render.h"
#include "rest.h"
#include "state.h"
#include "ws.h"
#include "zstream.h"

typedef struct _commands_t commands_t;
typedef struct _hosts_t hosts_t;
typedef struct _saves_t saves_t;
typedef struct _taskflow_t taskflow_t;
typedef struct _livelogs_t livelogs_t;
typedef struct _panels_t panels_t;
typedef struct _overviews_t overviews_t;
typedef struct _alerts_t alerts_t;

//  What the bot counts for its metrics report (main.c renders it).
typedef struct {
    uint64_t interactions; //  INTERACTION_CREATE received
    uint64_t acks_ok, acks_failed;
    ddc_histogram_t ack_seconds; /* from the interaction to Discord's answer
                                    to its first response                  */
} app_metrics_t;

typedef struct {
    ddc_client_t *client;
    ws_t *ws;
    zstream_t *z;
    gateway_t *gw;
    rest_t *rest;
    live_t *live;
    cd_t *cd;
    state_t *state;
    commands_t *commands;
    panels_t *panels;
    overviews_t *overviews;
    hosts_t *hosts;
    alerts_t *alerts;
    saves_t *saves;
    taskflow_t *tasks;
    livelogs_t *livelogs;
    ddc_tz_t *tz;
    char tz_name [65];
    lang_t lang;
    bool synced;       //  the first configuration was applied
    bool report_due;   //  the gateway status changed
    int64_t report_at; //  mono ms of the next periodic report
    app_metrics_t metrics;
} app_t;

//  A render context for now, in the bot language and time zone.
void app_render_ctx (app_t *app, render_ctx_t *r);

#endif
