/*  overviews: the overview messages of each channel (the server overview
    in status channels, the admin overview in control channels), one
    message or, with many containers, several in a row (render.h's parts).
    Owns their lifecycle: posted at start where post_initial (or edited in
    place when the state file knows their ids), each message edited in
    place soon after what it shows changes (a state, a name, the list;
    coalesced to one edit per OV_MIN_GAP_MS per message, one request in
    flight per channel, OV_PART_GAP_MS between two) and every
    refresh_minutes for the CPU and RAM figures, but only when the rendered
    message (without its clock) differs from what was sent last: nothing a
    user can see changed, no edit. When the number of messages grows, the
    new ones are posted below (all anew when someone wrote below them);
    when it shrinks, the last ones are deleted. Re-posted when one of them
    is deleted (MESSAGE_DELETE), moved to the bottom (new posts, then the
    old ones deleted) after recreate_minutes of inactivity once someone
    else wrote in the channel (MESSAGE_CREATE), re-posted by /serverstatus,
    /ss and /control. Message ids are kept in the state file. Errors back
    off per channel (up to 10 minutes). Made with what it reads (the live
    configuration, the state file) and hooks for the rest: the render
    context, whether the configuration is in sync, the bot's user id, and
    the REST calls (rest_call in ddc-discord, a recorder in its tests). */
#ifndef DDC_DISCORD_OVERVIEWS_H
#define DDC_DISCORD_OVERVIEWS_H

#include <cJSON.h>
#include <stdint.h>

#include "live.h"
#include "render.h"
#include "rest.h"
#include "state.h"

#define OV_MIN_GAP_MS 1500
#define OV_BACKOFF_MAX (10 * 60 * 1000)
#define OV_PART_GAP_MS 250
#define OV_PARTS_MAX RENDER_PARTS_MAX

typedef struct _overviews_t overviews_t;

//  What overviews asks of its maker.
typedef struct {
    //  A render context for now (language, time zone, clocks).
    void (*render_ctx) (void *arg, render_ctx_t *r);
    //  The first configuration was applied (nothing is posted before).
    bool (*synced) (void *arg);
    //  The bot's user id ("" until the gateway is ready: nothing is posted
    //  before).
    const char *(*user_id) (void *arg);
    //  A REST call as rest_call makes it (body destroyed, *body_p NULL).
    int (*call) (void *arg, const char *method, const char *path, cJSON **body_p, rest_done_fn *cb,
                 void *cb_arg);
    void *arg;
} overviews_hooks_t;

//  The hooks are copied; each must be set. live and state are borrowed and
//  must outlive the overviews.
overviews_t *overviews_new (live_t *live, state_t *state, const overviews_hooks_t *hooks);
void overviews_destroy (overviews_t **self_p);
//  The channels section changed, or the gateway became ready.
void overviews_sync (overviews_t *self);
//  Something an overview shows may have changed (checked by signature).
void overviews_dirty (overviews_t *self);
//  Re-render every overview (language, time zone).
void overviews_force (overviews_t *self);
//  Post a new overview in channel (replacing the old one).
void overviews_repost (overviews_t *self, const char *channel);
//  A refresh button updated message in channel.
void overviews_touched (overviews_t *self, const char *channel, const char *message);
//  MESSAGE_CREATE / MESSAGE_DELETE / MESSAGE_DELETE_BULK.
void overviews_on_dispatch (overviews_t *self, const char *t, const cJSON *d);
void overviews_tick (overviews_t *self, int64_t now);
int64_t overviews_next_ms (overviews_t *self, int64_t now);
//  The first tracked message of a channel ("" none; tests and logs).
const char *overviews_message (overviews_t *self, const char *channel);
//  Which part of the channel's overview message is (from 0), or -1.
int overviews_part (overviews_t *self, const char *channel, const char *message);
//  How many edits (PATCH) were sent since the start.
size_t overviews_edits (overviews_t *self);

#endif
