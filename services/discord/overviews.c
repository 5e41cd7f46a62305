/*  overviews: the overview messages of each channel. See overviews.h. */
#include "overviews.h"

#include "ddc_log.h"
#include "ddc_util.h"
#include "payload.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(OV_PARTS_MAX <= STATE_PARTS_MAX, "the state file keeps every part");

typedef enum { OP_NONE, OP_POST, OP_EDIT } s_op_kind_t;

#define OV_EARLY_DELETED 4

//  One message of an overview.
typedef struct {
    char id [GW_ID_MAX]; //  "" while not posted
    bool want_edit;
    //  What the message shows, or will once the request in flight is done,
    //  as hashes of the rendered payload without its clock: with the CPU
    //  and RAM figures (full) and without them (states); 0 = not known.
    uint64_t sent_full, sent_states;
    int64_t not_before; //  mono ms: OV_MIN_GAP_MS after its last edit
} s_part_t;

typedef struct s_entry {
    struct s_entry *next;
    overviews_t *owner;
    char channel [GW_ID_MAX];
    chan_kind_t kind;
    s_part_t parts [OV_PARTS_MAX]; //  the messages, in order
    size_t nparts;
    //  Posting: parts [posted, nparts) are still to be posted, one after
    //  the other; then the old messages (those a new post replaces) go.
    bool posting;
    size_t posted;
    char old [OV_PARTS_MAX * 2][GW_ID_MAX];
    size_t nold;
    s_op_kind_t op;
    size_t op_part;
    bool removed; //  no longer configured; freed when idle
    bool want_post;
    int64_t next_refresh;
    int64_t not_before; //  mono ms: backoff, the gap between requests
    int failures;
    int64_t activity_at; //  mono ms of the last message by someone else
    int64_t post_at;     //  mono ms the last post began
    bool buried;         //  someone else wrote below the overview
    //  Messages deleted while a post was in flight, whose id the post's
    //  answer may bring only afterwards (newest last, the oldest dropped).
    char early_deleted [OV_EARLY_DELETED][GW_ID_MAX];
    size_t nearly_deleted;
} s_entry_t;

//  What each kind of overview shows now, rendered at most once a tick.
typedef struct {
    size_t nparts [3];
    uint64_t states [3][OV_PARTS_MAX];
    uint64_t full [3][OV_PARTS_MAX];
} s_shown_t;

struct _overviews_t {
    live_t *live;
    state_t *state;
    overviews_hooks_t hooks;
    s_entry_t *entries;
    size_t count;
    bool started; //  the first sync after READY happened
    bool check;   //  compare what is shown at the next tick
    size_t edits; //  PATCHes sent (tests, logs)
};

//  --------------------------------------------------------------------------
//  What an overview shows

//  The hash of part of the overview of kind as it would be rendered now,
//  with its clock fixed and, unless stats, without CPU and RAM.
static uint64_t
s_hash (overviews_t *self, chan_kind_t kind, size_t part, bool stats)
{
    render_ctx_t r;
    self->hooks.render_ctx (self->hooks.arg, &r);
    r.no_clock = true;
    r.no_stats = !stats;
    cJSON *msg = render_overview (&r, kind, part);
    uint64_t h = render_hash (msg);
    cJSON_Delete (msg);
    return h;
}

static int
s_k (chan_kind_t kind)
{
    return kind == CHAN_CONTROL ? 2 : 1;
}

static size_t
s_nparts (overviews_t *self, s_shown_t *sh, chan_kind_t kind)
{
    int k = s_k (kind);
    if (!sh->nparts [k]) {
        render_ctx_t r;
        self->hooks.render_ctx (self->hooks.arg, &r);
        sh->nparts [k] = render_overview_parts (&r, kind);
        if (sh->nparts [k] > OV_PARTS_MAX)
            sh->nparts [k] = OV_PARTS_MAX;
    }
    return sh->nparts [k];
}

static uint64_t
s_shown (overviews_t *self, s_shown_t *sh, chan_kind_t kind, size_t part, bool stats)
{
    uint64_t *h = stats ? &sh->full [s_k (kind)][part] : &sh->states [s_k (kind)][part];
    if (!*h)
        *h = s_hash (self, kind, part, stats);
    return *h;
}

//  A post or an edit of part i is on its way with what is current.
static void
s_sending (overviews_t *self, s_entry_t *e, size_t i)
{
    e->parts [i].sent_full = s_hash (self, e->kind, i, true);
    e->parts [i].sent_states = s_hash (self, e->kind, i, false);
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

//  The part of e whose message is id, or -1.
static int
s_part_of (const s_entry_t *e, const char *id)
{
    for (size_t i = 0; id && *id && i < e->nparts; i++)
        if (strcmp (e->parts [i].id, id) == 0)
            return (int) i;
    return -1;
}

static s_entry_t *
s_add (overviews_t *self, const char *channel, chan_kind_t kind)
{
    s_entry_t *e = ddc_calloc (1, sizeof (*e));
    e->owner = self;
    ddc_strlcpy (e->channel, channel, sizeof (e->channel));
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
overviews_new (live_t *live, state_t *state, const overviews_hooks_t *hooks)
{
    assert (live);
    assert (state);
    assert (hooks && hooks->render_ctx && hooks->synced && hooks->user_id && hooks->call);
    overviews_t *self = ddc_calloc (1, sizeof (*self));
    self->live = live;
    self->state = state;
    self->hooks = *hooks;
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
    assert (self);
    s_entry_t *e = s_find (self, channel);
    return e && e->nparts ? e->parts [0].id : "";
}

int
overviews_part (overviews_t *self, const char *channel, const char *message)
{
    assert (self);
    s_entry_t *e = s_find (self, channel);
    return e ? s_part_of (e, message) : -1;
}

static const char *
s_kind_name (chan_kind_t kind)
{
    return kind == CHAN_CONTROL ? "control" : "status";
}

static int64_t
s_refresh_ms (overviews_t *self, s_entry_t *e)
{
    const live_chan_t *ch = live_channel (self->live, e->channel);
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

//  The state file remembers the posted messages of e.
static void
s_remember (overviews_t *self, s_entry_t *e)
{
    char ids [OV_PARTS_MAX][STATE_ID_MAX];
    size_t n = 0;
    for (size_t i = 0; i < e->nparts; i++)
        if (e->parts [i].id [0])
            ddc_strlcpy (ids [n++], e->parts [i].id, sizeof (ids [0]));
    state_set_messages (self->state, e->channel, ids, n, s_kind_name (e->kind));
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
    snprintf (path, sizeof (path), "/channels/%s/messages/%s", channel, message);
    self->hooks.call (self->hooks.arg, "DELETE", path, NULL, s_on_delete,
                      ddc_asprintf ("%s in %s", message, channel));
}

//  The start of a post's or an edit's reply: true when there is nothing
//  more to do (the channel is no longer configured, or the call was dropped
//  from the queue by a new token or the shutdown: it is tried again in a
//  second).
static bool
s_reply_done (s_entry_t *e, int status)
{
    e->op = OP_NONE;
    if (e->removed)
        return true;
    if (status != REST_CANCELLED)
        return false;
    if (e->op_part < e->nparts && !e->posting) {
        e->parts [e->op_part].want_edit = true;
        e->parts [e->op_part].sent_full = e->parts [e->op_part].sent_states = 0;
    }
    e->not_before = ddc_mono_ms () + 1000;
    return true;
}

//  Start posting e anew: every message it has now is replaced once the new
//  ones are posted.
static void
s_repost (s_entry_t *e)
{
    for (size_t i = 0; i < e->nparts; i++)
        if (e->parts [i].id [0] && e->nold < OV_PARTS_MAX * 2)
            ddc_strlcpy (e->old [e->nold++], e->parts [i].id, sizeof (e->old [0]));
    memset (e->parts, 0, sizeof (e->parts));
    e->nparts = 0;
    e->posting = true;
    e->posted = 0;
    e->want_post = false;
}

//  Every part is posted: the old messages go.
static void
s_posted (overviews_t *self, s_entry_t *e, int64_t now)
{
    e->posting = false;
    e->next_refresh = now + s_refresh_ms (self, e);
    //  A message by someone else that arrived while the post was in
    //  flight may sit below the new overview: it stays buried then.
    e->buried = e->buried && e->activity_at >= e->post_at;
    s_remember (self, e);
    for (size_t i = 0; i < e->nold; i++)
        if (s_part_of (e, e->old [i]) < 0)
            s_delete (self, e->channel, e->old [i]);
    e->nold = 0;
    ddc_info ("overviews: %s overview posted in %s (%s%s)", s_kind_name (e->kind), e->channel,
              e->nparts ? e->parts [0].id : "", e->nparts > 1 ? " and more" : "");
}

static void s_deleted (overviews_t *self, const char *channel, const char *id);

static void
s_on_post (void *arg, int status, const cJSON *json, int code)
{
    s_entry_t *e = arg;
    overviews_t *self = e->owner;
    if (s_reply_done (e, status))
        return;
    int64_t now = ddc_mono_ms ();
    char id [GW_ID_MAX];
    size_t i = e->op_part;
    if (status == 200 && gw_get_id (json, "id", id) == 0) {
        e->failures = 0;
        if (!e->posting || i != e->posted || i >= e->nparts) {
            //  Reposted since: this one is not needed.
            s_delete (self, e->channel, id);
            return;
        }
        ddc_strlcpy (e->parts [i].id, id, sizeof (e->parts [i].id));
        e->parts [i].not_before = now + OV_MIN_GAP_MS;
        e->posted++;
        if (e->posted == e->nparts)
            s_posted (self, e, now);
        //  Deleted before this answer came: posted again like any deleted part.
        for (size_t k = 0; k < e->nearly_deleted; k++)
            if (strcmp (e->early_deleted [k], id) == 0) {
                e->nearly_deleted = 0;
                s_deleted (self, e->channel, id);
                break;
            }
        return;
    }
    if (i < e->nparts)
        e->parts [i].sent_full = e->parts [i].sent_states = 0;
    s_backoff (e, now, status == 403 || status == 404 ? 30000 : 5000);
    ddc_warn ("overviews: cannot post in channel %s (HTTP %d, code %d): retrying in %lld s",
              e->channel, status, code, (long long) ((e->not_before - now) / 1000));
}

static void
s_post (overviews_t *self, s_entry_t *e, int64_t now)
{
    render_ctx_t r;
    self->hooks.render_ctx (self->hooks.arg, &r);
    size_t i = e->posted;
    s_sending (self, e, i);
    e->parts [i].want_edit = false;
    e->op = OP_POST;
    e->op_part = i;
    if (i == 0)
        e->post_at = now;
    e->not_before = now + OV_PART_GAP_MS;
    char path [64];
    snprintf (path, sizeof (path), "/channels/%s/messages", e->channel);
    cJSON *body = render_overview (&r, e->kind, i);
    self->hooks.call (self->hooks.arg, "POST", path, &body, s_on_post, e);
}

static void
s_on_edit (void *arg, int status, const cJSON *json, int code)
{
    (void) json;
    s_entry_t *e = arg;
    if (s_reply_done (e, status))
        return;
    int64_t now = ddc_mono_ms ();
    size_t i = e->op_part;
    if (i >= e->nparts || e->posting)
        return; //  reposted since
    s_part_t *p = &e->parts [i];
    if (status == 200) {
        e->failures = 0;
        return;
    }
    p->sent_full = p->sent_states = 0;
    if ((status == 404 && code != 10003) || (status == 403 && code == 50005)) {
        //  Deleted while we were away, or posted by another bot (a new
        //  token): post the overview anew.
        ddc_info ("overviews: the overview %s in %s is gone: posting it again", p->id, e->channel);
        p->id [0] = '\0';
        e->want_post = true;
        e->not_before = now;
        return;
    }
    p->want_edit = true;
    s_backoff (e, now, status == 403 || status == 404 ? 30000 : 5000);
    ddc_warn ("overviews: cannot edit %s in %s (HTTP %d, code %d)", p->id, e->channel, status, code);
}

static void
s_edit (overviews_t *self, s_entry_t *e, size_t i, int64_t now)
{
    render_ctx_t r;
    self->hooks.render_ctx (self->hooks.arg, &r);
    s_part_t *p = &e->parts [i];
    p->want_edit = false;
    s_sending (self, e, i);
    e->op = OP_EDIT;
    e->op_part = i;
    self->edits++;
    p->not_before = now + OV_MIN_GAP_MS;
    e->not_before = now + OV_PART_GAP_MS;
    char path [96];
    snprintf (path, sizeof (path), "/channels/%s/messages/%s", e->channel, p->id);
    cJSON *body = render_overview (&r, e->kind, i);
    self->hooks.call (self->hooks.arg, "PATCH", path, &body, s_on_edit, e);
}

//  --------------------------------------------------------------------------
//  API

void
overviews_sync (overviews_t *self)
{
    assert (self);
    if (!self->hooks.synced (self->hooks.arg) || !self->hooks.user_id (self->hooks.arg) [0])
        return;
    self->started = true;
    self->check = true;
    const live_t *live = self->live;
    for (size_t i = 0; i < live->nchans; i++) {
        const live_chan_t *ch = &live->chans [i];
        s_entry_t *e = s_find (self, ch->id);
        if (!e) {
            char ids [OV_PARTS_MAX][STATE_ID_MAX];
            size_t n = state_messages (self->state, ch->id, ids, OV_PARTS_MAX);
            if (n) {
                e = s_add (self, ch->id, ch->kind);
                for (size_t k = 0; k < n; k++) {
                    ddc_strlcpy (e->parts [k].id, ids [k], sizeof (e->parts [k].id));
                    e->parts [k].want_edit = true;
                }
                e->nparts = n;
            }
            else if (ch->post_initial) {
                e = s_add (self, ch->id, ch->kind);
                e->want_post = true;
            }
            else
                continue;
        }
        if (e->kind != ch->kind) {
            e->kind = ch->kind;
            for (size_t k = 0; k < e->nparts; k++)
                e->parts [k].want_edit = true;
        }
        int64_t refresh = (int64_t) ch->refresh_minutes * 60000;
        if (e->next_refresh > ddc_mono_ms () + refresh)
            e->next_refresh = ddc_mono_ms () + refresh;
    }
    for (s_entry_t *e = self->entries; e; e = e->next)
        if (!e->removed && !live_channel (live, e->channel)) {
            ddc_info ("overviews: channel %s is no longer configured: its overview is left "
                      "as is",
                      e->channel);
            state_set_message (self->state, e->channel, NULL, NULL);
            e->removed = true;
        }
    //  State entries of channels that are gone.
    for (size_t i = 0; state_channel_at (self->state, i);) {
        const char *c = state_channel_at (self->state, i);
        if (!live_channel (live, c))
            state_set_message (self->state, c, NULL, NULL);
        else
            i++;
    }
    s_sweep (self);
}

void
overviews_dirty (overviews_t *self)
{
    assert (self);
    self->check = true;
}

void
overviews_force (overviews_t *self)
{
    assert (self);
    self->check = true;
    for (s_entry_t *e = self->entries; e; e = e->next)
        for (size_t k = 0; !e->removed && k < e->nparts; k++) {
            e->parts [k].want_edit = true;
            e->parts [k].sent_full = e->parts [k].sent_states = 0;
        }
}

void
overviews_repost (overviews_t *self, const char *channel)
{
    assert (self);
    const live_chan_t *ch = live_channel (self->live, channel);
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
    assert (self);
    s_entry_t *e = s_find (self, channel);
    int i = e ? s_part_of (e, message) : -1;
    if (i < 0 || e->posting)
        return;
    int64_t now = ddc_mono_ms ();
    s_sending (self, e, (size_t) i);
    e->parts [i].want_edit = false;
    e->parts [i].not_before = now + OV_MIN_GAP_MS;
    //  The others show the latest figures soon too (when they changed).
    e->next_refresh = now;
}

static void
s_deleted (overviews_t *self, const char *channel, const char *id)
{
    s_entry_t *e = s_find (self, channel);
    if (e && s_part_of (e, id) < 0 && e->op == OP_POST) {
        //  Perhaps the message being posted: its id is not known yet.
        if (e->nearly_deleted == OV_EARLY_DELETED) {
            memmove (e->early_deleted [0], e->early_deleted [1],
                     (OV_EARLY_DELETED - 1) * sizeof (e->early_deleted [0]));
            e->nearly_deleted--;
        }
        ddc_strlcpy (e->early_deleted [e->nearly_deleted++], id, sizeof (e->early_deleted [0]));
        return;
    }
    if (!e || s_part_of (e, id) < 0)
        return;
    ddc_info ("overviews: the overview %s in %s was deleted: posting it again", id, channel);
    e->parts [s_part_of (e, id)].id [0] = '\0';
    e->want_post = true;
    e->not_before = ddc_mono_ms () + 250;
}

void
overviews_on_dispatch (overviews_t *self, const char *t, const cJSON *d)
{
    assert (self);
    if (strcmp (t, "MESSAGE_DELETE") == 0) {
        char id [GW_ID_MAX], channel [GW_ID_MAX];
        if (gw_get_id (d, "id", id) == 0 && gw_get_id (d, "channel_id", channel) == 0)
            s_deleted (self, channel, id);
    }
    else if (strcmp (t, "MESSAGE_DELETE_BULK") == 0) {
        char channel [GW_ID_MAX];
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive (d, "ids");
        if (gw_get_id (d, "channel_id", channel) < 0 || !cJSON_IsArray (ids))
            return;
        int n = 0;
        for (const cJSON *i = ids->child; i && n < 1000; i = i->next, n++)
            if (cJSON_IsString (i) && gw_snowflake_ok (i->valuestring))
                s_deleted (self, channel, i->valuestring);
    }
    else if (strcmp (t, "MESSAGE_CREATE") == 0) {
        gw_message_t m;
        if (gw_message_parse (d, &m) < 0)
            return;
        if (strcmp (m.author_id, self->hooks.user_id (self->hooks.arg)) == 0)
            return; //  our own messages do not bury the overview
        s_entry_t *e = s_find (self, m.channel_id);
        if (!e || s_part_of (e, m.id) >= 0)
            return;
        e->buried = true;
        e->activity_at = ddc_mono_ms ();
    }
}

//  The number of parts changed: more are posted below the others (or all
//  anew when someone wrote below them), fewer lose their last messages.
static void
s_resize (overviews_t *self, s_entry_t *e, size_t n)
{
    if (n > e->nparts) {
        if (e->buried) {
            e->want_post = true;
            return;
        }
        e->posting = true;
        e->posted = e->nparts;
        e->nparts = n;
        return;
    }
    for (size_t i = n; i < e->nparts; i++)
        if (e->parts [i].id [0])
            s_delete (self, e->channel, e->parts [i].id);
    memset (e->parts + n, 0, (e->nparts - n) * sizeof (e->parts [0]));
    e->nparts = n;
    s_remember (self, e);
}

//  The next request of e, if one is due.
static void
s_step (overviews_t *self, s_entry_t *e, s_shown_t *sh, int64_t now)
{
    if (e->op != OP_NONE || now < e->not_before)
        return;
    size_t n = s_nparts (self, sh, e->kind);
    if (e->want_post || (!e->posting && e->nparts == 0))
        s_repost (e);
    if (!e->next_refresh)
        e->next_refresh = now + s_refresh_ms (self, e);
    if (e->posting) {
        //  Fewer parts than were posted already: the extra ones go.
        for (size_t i = n; i < e->posted; i++)
            if (e->parts [i].id [0])
                s_delete (self, e->channel, e->parts [i].id);
        if (e->posted > n) {
            memset (e->parts + n, 0, (e->posted - n) * sizeof (e->parts [0]));
            e->posted = n;
        }
        e->nparts = n;
        if (e->posted < n)
            s_post (self, e, now);
        else
            s_posted (self, e, now);
        return;
    }
    if (n != e->nparts) {
        s_resize (self, e, n);
        if (e->posting || e->want_post)
            return;
    }
    if (e->next_refresh && now >= e->next_refresh) {
        //  The periodic refresh shows the latest CPU and RAM: only where
        //  they (or anything else visible) changed.
        e->next_refresh = now + s_refresh_ms (self, e);
        for (size_t i = 0; i < e->nparts; i++)
            if (s_shown (self, sh, e->kind, i, true) != e->parts [i].sent_full)
                e->parts [i].want_edit = true;
    }
    for (size_t i = 0; i < e->nparts; i++)
        if (e->parts [i].want_edit && now >= e->parts [i].not_before) {
            s_edit (self, e, i, now);
            return;
        }
}

void
overviews_tick (overviews_t *self, int64_t now)
{
    assert (self);
    if (!self->started)
        return;
    bool check = self->check;
    self->check = false;
    s_shown_t *sh = ddc_calloc (1, sizeof (*sh));
    for (s_entry_t *e = self->entries; e; e = e->next) {
        if (e->removed)
            continue;
        const live_chan_t *ch = live_channel (self->live, e->channel);
        //  A state, a name, the list: soon. Compared with what was sent
        //  last, which may still be on its way.
        if (check && !e->want_post) {
            size_t n = s_nparts (self, sh, e->kind);
            size_t upto = e->posting ? e->posted + (e->op == OP_POST) : e->nparts;
            for (size_t i = 0; i < upto && i < n; i++)
                if (s_shown (self, sh, e->kind, i, false) != e->parts [i].sent_states)
                    e->parts [i].want_edit = true;
        }
        if (ch && ch->recreate_minutes > 0 && e->buried && e->nparts && !e->posting
            && now - e->activity_at >= (int64_t) ch->recreate_minutes * 60000) {
            ddc_info ("overviews: %d min without activity after others wrote in %s: moving "
                      "the overview to the bottom",
                      ch->recreate_minutes, e->channel);
            e->buried = false;
            e->want_post = true;
        }
        s_step (self, e, sh, now);
    }
    free (sh);
    s_sweep (self);
}

size_t
overviews_edits (overviews_t *self)
{
    assert (self);
    return self->edits;
}

int64_t
overviews_next_ms (overviews_t *self, int64_t now)
{
    assert (self);
    int64_t due = now + 60000;
    if (self->check)
        return 0;
    for (s_entry_t *e = self->entries; e; e = e->next) {
        if (e->removed || e->op != OP_NONE)
            continue;
        int64_t at = INT64_MAX;
        if (e->want_post || e->posting || e->nparts == 0)
            at = e->not_before;
        for (size_t i = 0; i < e->nparts; i++)
            if (e->parts [i].want_edit) {
                int64_t t = e->parts [i].not_before;
                if (t < e->not_before)
                    t = e->not_before;
                if (t < at)
                    at = t;
            }
        if (e->next_refresh) {
            int64_t t = e->next_refresh > e->not_before ? e->next_refresh : e->not_before;
            if (t < at)
                at = t;
        }
        const live_chan_t *ch = live_channel (self->live, e->channel);
        if (ch && ch->recreate_minutes > 0 && e->buried) {
            int64_t t = e->activity_at + (int64_t) ch->recreate_minutes * 60000;
            if (t < at)
                at = t;
        }
        if (at < due)
            due = at;
    }
    return due > now ? due - now : 0;
}
