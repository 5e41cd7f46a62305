/*  overviews: one overview message per channel. See overviews.h. */
#include "overviews.h"

#include "ddc_log.h"
#include "ddc_util.h"
#include "payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OP_NONE, OP_POST, OP_EDIT } s_op_kind_t;

typedef struct s_entry {
    struct s_entry *next;
    overviews_t *owner;
    char channel [GW_ID_MAX];
    chan_kind_t kind;
    char message [GW_ID_MAX];
    s_op_kind_t op;
    bool removed;               //  no longer configured; freed when idle
    bool want_post, want_edit;
    //  What the message shows, or will once the request in flight is done,
    //  as hashes of the rendered payload without its clock: with the CPU
    //  and RAM figures (full) and without them (states); 0 = not known.
    uint64_t sent_full, sent_states;
    int64_t last_edit;          //  mono ms of the last post/edit
    int64_t next_refresh;
    int64_t not_before;
    int failures;
    int64_t activity_at;        //  mono ms of the last message by someone else
    int64_t post_at;            //  mono ms the last post was sent
    bool buried;                //  someone else wrote below the overview
} s_entry_t;

struct _overviews_t {
    app_t *app;
    s_entry_t *entries;
    size_t count;
    bool started;               //  the first sync after READY happened
    bool check;                 //  compare what is shown at the next tick
    size_t edits;               //  PATCHes sent (tests, logs)
};

//  --------------------------------------------------------------------------
//  What an overview shows

//  The hash of the overview of kind as it would be rendered now, with its
//  clock fixed and, unless stats, without CPU and RAM.
static uint64_t
s_shown (overviews_t *self, chan_kind_t kind, bool stats)
{
    render_ctx_t r;
    app_render_ctx (self->app, &r);
    r.no_clock = true;
    r.no_stats = !stats;
    cJSON *msg = render_overview (&r, kind);
    uint64_t h = render_hash (msg);
    cJSON_Delete (msg);
    return h;
}

//  A post or an edit of e's message is on its way with what is current.
static void
s_sending (overviews_t *self, s_entry_t *e)
{
    e->sent_full = s_shown (self, e->kind, true);
    e->sent_states = s_shown (self, e->kind, false);
}

//  --------------------------------------------------------------------------
//  Entries

static s_entry_t *
s_find (overviews_t *self, const char *channel)
{
    for (s_entry_t *e = self->entries; e; e = e->next)
        if (!e->removed && strcmp (e->channel, channel) == 0)
            return e;
    return NULL;
}

static s_entry_t *
s_add (overviews_t *self, const char *channel, chan_kind_t kind)
{
    s_entry_t *e = ddc_calloc (1, sizeof *e);
    e->owner = self;
    ddc_strlcpy (e->channel, channel, sizeof e->channel);
    e->kind = kind;
    e->next = self->entries;
    self->entries = e;
    self->count++;
    return e;
}

//  Free removed entries that have nothing in flight.
static void
s_sweep (overviews_t *self)
{
    s_entry_t **pp = &self->entries;
    while (*pp) {
        s_entry_t *e = *pp;
        if (e->removed && e->op == OP_NONE) {
            *pp = e->next;
            self->count--;
            free (e);
        }
        else
            pp = &e->next;
    }
}

overviews_t *
overviews_new (app_t *app)
{
    overviews_t *self = ddc_calloc (1, sizeof *self);
    self->app = app;
    return self;
}

void
overviews_destroy (overviews_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    overviews_t *self = *self_p;
    while (self->entries) {
        s_entry_t *e = self->entries;
        self->entries = e->next;
        free (e);
    }
    free (self);
    *self_p = NULL;
}

const char *
overviews_message (overviews_t *self, const char *channel)
{
    s_entry_t *e = s_find (self, channel);
    return e ? e->message : "";
}

static const char *
s_kind_name (chan_kind_t kind)
{
    return kind == CHAN_CONTROL ? "control" : "status";
}

static int64_t
s_refresh_ms (overviews_t *self, s_entry_t *e)
{
    const live_chan_t *ch = live_channel (self->app->live, e->channel);
    return (int64_t) (ch ? ch->refresh_minutes : 5) * 60000;
}

static void
s_backoff (s_entry_t *e, int64_t now, int64_t base)
{
    int64_t d = base;
    for (int i = 0; i < e->failures && d < OV_BACKOFF_MAX; i++)
        d *= 2;
    if (d > OV_BACKOFF_MAX)
        d = OV_BACKOFF_MAX;
    e->failures++;
    e->not_before = now + d;
}

//  --------------------------------------------------------------------------
//  Requests

static void
s_on_delete (void *arg, int status, const cJSON *json, int code)
{
    (void) json;
    (void) code;
    char *what = arg;
    if (status != 204 && status != 404 && status != REST_CANCELLED)
        ddc_warn ("overviews: cannot delete the old overview %s (HTTP %d)", what, status);
    free (what);
}

static void
s_delete (overviews_t *self, const char *channel, const char *message)
{
    char path [96];
    snprintf (path, sizeof path, "/channels/%s/messages/%s", channel, message);
    rest_call (self->app->rest, "DELETE", path, NULL, 0, s_on_delete,
               ddc_asprintf ("%s in %s", message, channel));
}

//  The start of a post's or an edit's reply: true when there is nothing
//  more to do (the channel is no longer configured, or the call was dropped
//  from the queue by a new token or the shutdown: *again is set to try
//  again in a second).

static bool
s_reply_done (s_entry_t *e, int status, bool *again)
{
    e->op = OP_NONE;
    if (e->removed)
        return true;
    if (status != REST_CANCELLED)
        return false;
    *again = true;
    e->not_before = ddc_mono_ms () + 1000;
    return true;
}

//  A post or an edit went through: the overview shows what was sent.

static void
s_sent (overviews_t *self, s_entry_t *e, int64_t now)
{
    e->last_edit = now;
    e->next_refresh = now + s_refresh_ms (self, e);
    e->failures = 0;
}

static void
s_on_post (void *arg, int status, const cJSON *json, int code)
{
    s_entry_t *e = arg;
    overviews_t *self = e->owner;
    if (s_reply_done (e, status, &e->want_post))
        return;
    int64_t now = ddc_mono_ms ();
    char id [GW_ID_MAX];
    if (status == 200 && gw_get_id (json, "id", id) == 0) {
        char old [GW_ID_MAX];
        ddc_strlcpy (old, e->message, sizeof old);
        ddc_strlcpy (e->message, id, sizeof e->message);
        s_sent (self, e, now);
        //  A message by someone else that arrived while the post was in
        //  flight may sit below the new overview: it stays buried then.
        e->buried = e->buried && e->activity_at >= e->post_at;
        state_set_message (self->app->state, e->channel, e->message, s_kind_name (e->kind));
        ddc_info ("overviews: %s overview posted in %s (%s)", s_kind_name (e->kind), e->channel,
                  e->message);
        if (old [0] && strcmp (old, id) != 0)
            s_delete (self, e->channel, old);
        return;
    }
    e->want_post = true;
    e->sent_full = e->sent_states = 0;
    s_backoff (e, now, status == 403 || status == 404 ? 30000 : 5000);
    ddc_warn ("overviews: cannot post in channel %s (HTTP %d, code %d): retrying in %lld s",
              e->channel, status, code, (long long) ((e->not_before - now) / 1000));
}

static void
s_post (overviews_t *self, s_entry_t *e, int64_t now)
{
    render_ctx_t r;
    app_render_ctx (self->app, &r);
    e->want_post = false;
    e->want_edit = false;
    s_sending (self, e);
    e->op = OP_POST;
    e->post_at = now;
    e->not_before = now + OV_MIN_GAP_MS;
    char path [64];
    snprintf (path, sizeof path, "/channels/%s/messages", e->channel);
    rest_call (self->app->rest, "POST", path, render_overview (&r, e->kind), 0, s_on_post, e);
}

static void
s_on_edit (void *arg, int status, const cJSON *json, int code)
{
    (void) json;
    s_entry_t *e = arg;
    overviews_t *self = e->owner;
    if (s_reply_done (e, status, &e->want_edit)) {
        e->sent_full = e->sent_states = 0;
        return;
    }
    int64_t now = ddc_mono_ms ();
    if (status == 200) {
        s_sent (self, e, now);
        return;
    }
    e->sent_full = e->sent_states = 0;
    if ((status == 404 && code != 10003) || (status == 403 && code == 50005)) {
        //  Deleted while we were away, or posted by another bot (a new
        //  token): post a new one.
        ddc_info ("overviews: the overview %s in %s is gone: posting a new one", e->message,
                  e->channel);
        e->message [0] = '\0';
        state_set_message (self->app->state, e->channel, NULL, NULL);
        e->want_post = true;
        e->not_before = now;
        return;
    }
    e->want_edit = true;
    s_backoff (e, now, status == 403 || status == 404 ? 30000 : 5000);
    ddc_warn ("overviews: cannot edit %s in %s (HTTP %d, code %d)", e->message, e->channel,
              status, code);
}

static void
s_edit (overviews_t *self, s_entry_t *e, int64_t now)
{
    render_ctx_t r;
    app_render_ctx (self->app, &r);
    e->want_edit = false;
    s_sending (self, e);
    e->op = OP_EDIT;
    self->edits++;
    e->not_before = now + OV_MIN_GAP_MS;
    char path [96];
    snprintf (path, sizeof path, "/channels/%s/messages/%s", e->channel, e->message);
    rest_call (self->app->rest, "PATCH", path, render_overview (&r, e->kind), 0, s_on_edit, e);
}

//  --------------------------------------------------------------------------
//  API

void
overviews_sync (overviews_t *self)
{
    app_t *app = self->app;
    if (!app->synced || !gateway_user_id (app->gw) [0])
        return;
    self->started = true;
    int64_t now = ddc_mono_ms ();
    const live_t *live = app->live;
    for (size_t i = 0; i < live->nchans; i++) {
        const live_chan_t *ch = &live->chans [i];
        s_entry_t *e = s_find (self, ch->id);
        if (!e) {
            const char *msg = state_message (app->state, ch->id);
            if (msg) {
                e = s_add (self, ch->id, ch->kind);
                ddc_strlcpy (e->message, msg, sizeof e->message);
                e->want_edit = true;
            }
            else
            if (ch->post_initial) {
                e = s_add (self, ch->id, ch->kind);
                e->want_post = true;
            }
            else
                continue;
        }
        if (e->kind != ch->kind) {
            e->kind = ch->kind;
            e->want_edit = true;
        }
        int64_t refresh = (int64_t) ch->refresh_minutes * 60000;
        if (e->last_edit && e->last_edit + refresh < e->next_refresh)
            e->next_refresh = e->last_edit + refresh;
        (void) now;
    }
    for (s_entry_t *e = self->entries; e; e = e->next)
        if (!e->removed && !live_channel (live, e->channel)) {
            ddc_info ("overviews: channel %s is no longer configured: its overview is left "
                      "as is", e->channel);
            state_set_message (app->state, e->channel, NULL, NULL);
            e->removed = true;
        }
    //  State entries of channels that are gone.
    for (size_t i = 0; state_channel_at (app->state, i);) {
        const char *c = state_channel_at (app->state, i);
        if (!live_channel (live, c))
            state_set_message (app->state, c, NULL, NULL);
        else
            i++;
    }
    s_sweep (self);
}

void
overviews_dirty (overviews_t *self)
{
    self->check = true;
}

void
overviews_force (overviews_t *self)
{
    for (s_entry_t *e = self->entries; e; e = e->next)
        if (!e->removed) {
            e->want_edit = true;
            e->sent_full = e->sent_states = 0;
        }
}

void
overviews_repost (overviews_t *self, const char *channel)
{
    const live_chan_t *ch = live_channel (self->app->live, channel);
    if (!ch)
        return;
    s_entry_t *e = s_find (self, channel);
    if (!e)
        e = s_add (self, channel, ch->kind);
    e->kind = ch->kind;
    e->want_post = true;
    e->not_before = 0;
    e->failures = 0;
}

void
overviews_touched (overviews_t *self, const char *channel, const char *message)
{
    s_entry_t *e = s_find (self, channel);
    if (!e || !message || strcmp (e->message, message) != 0)
        return;
    int64_t now = ddc_mono_ms ();
    e->last_edit = now;
    e->next_refresh = now + s_refresh_ms (self, e);
    s_sending (self, e);
}

static void
s_deleted (overviews_t *self, const char *channel, const char *id)
{
    s_entry_t *e = s_find (self, channel);
    if (!e || strcmp (e->message, id) != 0)
        return;
    ddc_info ("overviews: the overview in %s was deleted: posting it again", channel);
    e->message [0] = '\0';
    state_set_message (self->app->state, channel, NULL, NULL);
    e->want_post = true;
    e->not_before = ddc_mono_ms () + 250;
}

void
overviews_on_dispatch (overviews_t *self, const char *t, const cJSON *d)
{
    if (strcmp (t, "MESSAGE_DELETE") == 0) {
        char id [GW_ID_MAX], channel [GW_ID_MAX];
        if (gw_get_id (d, "id", id) == 0 && gw_get_id (d, "channel_id", channel) == 0)
            s_deleted (self, channel, id);
    }
    else
    if (strcmp (t, "MESSAGE_DELETE_BULK") == 0) {
        char channel [GW_ID_MAX];
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive (d, "ids");
        if (gw_get_id (d, "channel_id", channel) < 0 || !cJSON_IsArray (ids))
            return;
        int n = 0;
        for (const cJSON *i = ids->child; i && n < 1000; i = i->next, n++)
            if (cJSON_IsString (i) && gw_snowflake_ok (i->valuestring))
                s_deleted (self, channel, i->valuestring);
    }
    else
    if (strcmp (t, "MESSAGE_CREATE") == 0) {
        gw_message_t m;
        if (gw_message_parse (d, &m) < 0)
            return;
        if (strcmp (m.author_id, gateway_user_id (self->app->gw)) == 0)
            return;                     //  our own messages do not bury the overview
        s_entry_t *e = s_find (self, m.channel_id);
        if (!e || strcmp (e->message, m.id) == 0)
            return;
        e->buried = true;
        e->activity_at = ddc_mono_ms ();
    }
}

void
overviews_tick (overviews_t *self, int64_t now)
{
    if (!self->started)
        return;
    bool check = self->check;
    self->check = false;
    //  What each kind of overview shows now, rendered at most once a tick.
    uint64_t states [3] = { 0, 0, 0 }, full [3] = { 0, 0, 0 };
    for (s_entry_t *e = self->entries; e; e = e->next) {
        if (e->removed)
            continue;
        int k = e->kind == CHAN_CONTROL ? 2 : 1;
        const live_chan_t *ch = live_channel (self->app->live, e->channel);
        //  A state, a name, the list: soon. Compared with what was sent
        //  last, which may still be on its way.
        if (check && (e->message [0] || e->op == OP_POST) && !e->want_post) {
            if (!states [k])
                states [k] = s_shown (self, e->kind, false);
            if (states [k] != e->sent_states)
                e->want_edit = true;
        }
        if (ch && ch->recreate_minutes > 0 && e->buried && e->message [0]
            && now - e->activity_at >= (int64_t) ch->recreate_minutes * 60000) {
            ddc_info ("overviews: %d min without activity after others wrote in %s: moving "
                      "the overview to the bottom", ch->recreate_minutes, e->channel);
            e->buried = false;
            e->want_post = true;
        }
        if (e->op != OP_NONE || now < e->not_before)
            continue;
        bool refresh = e->next_refresh && now >= e->next_refresh;
        if (e->want_post || ((e->want_edit || refresh) && !e->message [0]))
            s_post (self, e, now);
        else
        if (e->message [0] && e->want_edit)
            s_edit (self, e, now);
        else
        if (e->message [0] && refresh) {
            //  The periodic refresh shows the latest CPU and RAM: only when
            //  they (or anything else visible) changed.
            if (!full [k])
                full [k] = s_shown (self, e->kind, true);
            if (full [k] != e->sent_full)
                s_edit (self, e, now);
            else
                e->next_refresh = now + s_refresh_ms (self, e);
        }
    }
    s_sweep (self);
}

size_t
overviews_edits (overviews_t *self)
{
    return self->edits;
}

int64_t
overviews_next_ms (overviews_t *self, int64_t now)
{
    int64_t due = now + 60000;
    if (self->check)
        return 0;
    for (s_entry_t *e = self->entries; e; e = e->next) {
        if (e->removed || e->op != OP_NONE)
            continue;
        if (e->want_post || e->want_edit) {
            if (e->not_before < due)
                due = e->not_before;
        }
        if (e->next_refresh && e->next_refresh < due)
            due = e->next_refresh > e->not_before ? e->next_refresh : e->not_before;
        const live_chan_t *ch = live_channel (self->app->live, e->channel);
        if (ch && ch->recreate_minutes > 0 && e->buried) {
            int64_t at = e->activity_at + (int64_t) ch->recreate_minutes * 60000;
            if (at < due)
                due = at;
        }
    }
    return due > now ? due - now : 0;
}
