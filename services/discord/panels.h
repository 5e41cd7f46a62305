/*  panels: the component interactions (buttons and selects) and the Docker
    actions behind them. Owns the flows: container select -> ephemeral
    control panel; start/stop/restart -> the panel turns to "pending" at
    once (UPDATE_MESSAGE, well inside Discord's 3 s), an ACTION goes to
    docker@HOST through the broker, the result edits the panel and the
    overviews are re-rendered; Restart All / Stop All -> confirmation, then
    one ACTION per running container that allows it (one bulk operation at
    a time); refresh buttons; 📝 -> the info form, whose text is saved as a
    compare-and-swap of the containers section that keeps a change made
    since the form was opened (the admin is told, with both texts). Logs go
    to livelogs.c, tasks to tasks.c, what the overviews show to overviews.c,
    each through the hooks panels is made with (main wires them). Every
    permission refusal and cooldown is an ephemeral reply. Bounded:
    PANELS_PENDING_MAX actions in flight. */
#ifndef DDC_DISCORD_PANELS_H
#define DDC_DISCORD_PANELS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "payload.h"

#define PANELS_PENDING_MAX 1024  //  >= DDC_CONTAINERS_MAX: "Stop all" of every container fits
#define PANELS_PENDING_MS 120000 //  a container shows 🟡 at most this long

//  Where panels hands on and what it tells.
typedef struct {
    //  What the overviews show may have changed (a container pending, an
    //  action's result).
    void (*changed) (void *arg);
    //  Which part of channel's overview message is (from 0), or -1.
    int (*overview_part) (void *arg, const char *channel, const char *message);
    //  A refresh button updated message of channel's overview.
    void (*refreshed) (void *arg, const char *channel, const char *message);
    //  The logs button of container c; with c NULL, a component of a live
    //  log message ("lg:").
    void (*logs) (void *arg, const gw_interaction_t *ix, const live_ctr_t *c);
    //  A component of the tasks flow ("pn:tasks:", "tk:").
    void (*task) (void *arg, const gw_interaction_t *ix);
    //  Send an ACTION request to the broker (*msg_p taken, set to NULL);
    //  cb gets its reply (NULL when none came in timeout_ms). 0 or -1.
    int (*request) (void *arg, zmsg_t **msg_p, int64_t timeout_ms, ddc_reply_fn *cb, void *cb_arg);
    void *arg;
} panels_hooks_t;

//  The hooks are copied; each must be set.
panels_t *panels_new (app_t *app, const panels_hooks_t *hooks);
//  Actions still in flight are forgotten (their replies released).
void panels_destroy (panels_t **self_p);
void panels_on_component (panels_t *self, const gw_interaction_t *ix);
//  The info form's submit ("in:ed:KEY:HASH").
void panels_on_modal (panels_t *self, const gw_interaction_t *ix);
size_t panels_pending (panels_t *self);
//  Whom an action is for: the user of an interaction.
typedef struct {
    char by [200]; //  "discord:NAME (ID)"
    char user [GW_NAME_MAX];
    char user_id [GW_ID_MAX];
    char channel_id [GW_ID_MAX];
} panels_who_t;
void panels_who (const gw_interaction_t *ix, panels_who_t *out);
//  Send action (an ACT_ bit) on host/container through the broker for who,
//  with the timeout the action needs; cb gets the reply (NULL when none
//  came). 0, or -1 when the request queue is full.
int panels_request (app_t *app, const char *host, const char *container, unsigned action,
                    const panels_who_t *who, ddc_reply_fn *cb, void *arg);
//  The outcome of such a reply for people, in buf; ok tells success and
//  body_out gets the RESULT body (NULL if none).
void panels_outcome (app_t *app, const char *display, const char *host, unsigned action,
                     const ddc_msg_t *reply, bool *ok, char *buf, size_t size,
                     const cJSON **body_out);

#endif
