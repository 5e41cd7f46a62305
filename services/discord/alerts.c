/*  alerts: the agents' alerts posted, edited and followed up in Discord.
    See alerts.h. */
#include "alerts.h"

#include "alertview.h"
#include "ddc_log.h"
#include "ddc_util.h"
#include "payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char channel [GW_ID_MAX];
    char message [GW_ID_MAX]; //  "" until the post is answered
    bool posting;
    bool failed;   //  not posted: nothing to edit
    bool edit_due; //  an edit and a follow-up wait for the id
} s_post_t;

typedef struct s_inc {
    struct s_inc *next;
    alerts_t *owner; //  NULL once forgotten (calls still out)
    char host [64];
    char id [64];
    alert_t open; //  the opening or escalation (with the logs)
    alert_t now;  //  the latest report (without logs)
    s_post_t posts [ALERTS_CHANNELS];
    int nposts;
    int inflight; //  REST calls whose callback is to come
} s_inc_t;

//  The context of one REST call.
typedef struct {
    s_inc_t *inc;
    int post;
} s_call_t;

struct _alerts_t {
    app_t *app;
    s_inc_t *incs; //  newest first
    size_t count;
};

static void s_edit (s_inc_t *inc, int post);

//  --------------------------------------------------------------------------
//  Incidents

static void
s_inc_free (s_inc_t *inc)
{
    alertview_free (&inc->open);
    alertview_free (&inc->now);
    free (inc);
}

static s_inc_t *
s_find (alerts_t *self, const char *host, const char *id)
{
    for (s_inc_t *inc = self->incs; inc; inc = inc->next)
        if (strcmp (inc->host, host) == 0 && strcmp (inc->id, id) == 0)
            return inc;
    return NULL;
}

//  Forget the oldest incidents beyond ALERTS_KEEP.
static void
s_trim (alerts_t *self)
{
    if (self->count <= ALERTS_KEEP)
        return;
    s_inc_t **pp = &self->incs;
    for (size_t i = 0; *pp && i < ALERTS_KEEP; i++)
        pp = &(*pp)->next;
    while (*pp) {
        s_inc_t *old = *pp;
        *pp = old->next;
        self->count--;
        old->owner = NULL;
        if (old->inflight == 0)
            s_inc_free (old);
    }
}

//  A call of inc is over: true when inc is still ours to use.
static bool
s_call_done (s_call_t *call, s_inc_t **inc_p)
{
    s_inc_t *inc = call->inc;
    *inc_p = inc;
    free (call);
    inc->inflight--;
    if (!inc->owner) {
        if (inc->inflight == 0)
            s_inc_free (inc);
        return false;
    }
    return true;
}

static void
s_call (s_inc_t *inc, int post, const char *method, const char *path, cJSON **body_p,
        rest_done_fn *cb)
{
    s_call_t *call = ddc_malloc (sizeof (*call));
    call->inc = inc;
    call->post = post;
    inc->inflight++;
    rest_call (inc->owner->app->rest, method, path, body_p, 0, cb, call);
}

//  --------------------------------------------------------------------------
//  Messages

static void
s_on_followup (void *arg, int status, const cJSON *json, int code)
{
    (void) json;
    s_inc_t *inc;
    if (!s_call_done (arg, &inc))
        return;
    if (status != 200 && status != REST_CANCELLED)
        ddc_warn ("alerts: the follow-up of %s/%s was refused (HTTP %d, code %d)", inc->host,
                  inc->id, status, code);
}

static void
s_on_edit (void *arg, int status, const cJSON *json, int code)
{
    (void) json;
    s_inc_t *inc;
    if (!s_call_done (arg, &inc))
        return;
    if (status != 200 && status != REST_CANCELLED)
        ddc_warn ("alerts: editing the alert %s/%s failed (HTTP %d, code %d)", inc->host, inc->id,
                  status, code);
}

//  Edit the message of post to what the incident is now, and answer it.
static void
s_edit (s_inc_t *inc, int post)
{
    s_post_t *p = &inc->posts [post];
    if (p->failed)
        return;
    if (!p->message [0]) {
        p->edit_due = true;
        return;
    }
    p->edit_due = false;
    lang_t lang = inc->owner->app->lang;
    char path [96];
    snprintf (path, sizeof (path), "/channels/%s/messages/%s", p->channel, p->message);
    cJSON *body = alertview_message (lang, &inc->open, &inc->now);
    s_call (inc, post, "PATCH", path, &body, s_on_edit);
    snprintf (path, sizeof (path), "/channels/%s/messages", p->channel);
    body = alertview_followup (lang, &inc->now, p->channel, p->message);
    s_call (inc, post, "POST", path, &body, s_on_followup);
}

static void
s_on_post (void *arg, int status, const cJSON *json, int code)
{
    s_call_t *call = arg;
    int post = call->post;
    s_inc_t *inc;
    if (!s_call_done (call, &inc))
        return;
    s_post_t *p = &inc->posts [post];
    p->posting = false;
    char id [GW_ID_MAX];
    if (status == 200 && gw_get_id (json, "id", id) == 0) {
        ddc_strlcpy (p->message, id, sizeof (p->message));
        ddc_info ("alerts: %s/%s posted in %s", inc->host, inc->id, p->channel);
        if (p->edit_due)
            s_edit (inc, post);
        return;
    }
    p->failed = true;
    if (status != REST_CANCELLED)
        ddc_warn ("alerts: posting the alert %s/%s in channel %s failed (HTTP %d, code %d)",
                  inc->host, inc->id, p->channel, status, code);
}

//  Post the incident as it stands in every channel that asks for alerts.
static void
s_post_all (alerts_t *self, s_inc_t *inc)
{
    const live_t *live = self->app->live;
    for (size_t i = 0; i < live->nchans && inc->nposts < ALERTS_CHANNELS; i++) {
        if (!live->chans [i].alerts)
            continue;
        s_post_t *p = &inc->posts [inc->nposts];
        ddc_strlcpy (p->channel, live->chans [i].id, sizeof (p->channel));
        p->posting = true;
        char path [64];
        snprintf (path, sizeof (path), "/channels/%s/messages", p->channel);
        cJSON *body = alertview_message (self->app->lang, &inc->open, &inc->now);
        s_call (inc, inc->nposts++, "POST", path, &body, s_on_post);
    }
    if (!inc->nposts)
        ddc_debug ("alerts: no channel asks for alerts: %s/%s not posted", inc->host, inc->id);
}

//  --------------------------------------------------------------------------
//  API

alerts_t *
alerts_new (app_t *app)
{
    alerts_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    return self;
}

void
alerts_destroy (alerts_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    alerts_t *self = *self_p;
    while (self->incs) {
        s_inc_t *inc = self->incs;
        self->incs = inc->next;
        inc->owner = NULL;
        if (inc->inflight == 0)
            s_inc_free (inc);
    }
    free (self);
    *self_p = NULL;
}

size_t
alerts_known (alerts_t *self)
{
    return self->count;
}

void
alerts_on_report (alerts_t *self, const char *peer, const cJSON *body)
{
    if (!peer || strncmp (peer, "docker@", 7) != 0)
        return;
    alert_t a;
    if (alertview_parse (body, peer + 7, &a) < 0) {
        ddc_warn ("alerts: a report from %.80s that is not an alert: ignored", peer);
        return;
    }
    int64_t now = ddc_wall_ms ();
    if (a.time_ms && now - a.time_ms > ALERTS_STALE_MS) {
        ddc_info ("alerts: %s/%s is from %lld s ago: not posted", a.host, a.id,
                  (long long) (now - a.time_ms) / 1000);
        alertview_free (&a);
        return;
    }
    s_inc_t *inc = s_find (self, a.host, a.id);
    if (inc && inc->now.event == a.event && inc->now.time_ms == a.time_ms) {
        alertview_free (&a); //  heard twice
        return;
    }
    if (!inc) {
        //  new (or an escalation or end of one never heard of): post it
        inc = ddc_calloc (1, sizeof (*inc));
        inc->owner = self;
        ddc_strlcpy (inc->host, a.host, sizeof (inc->host));
        ddc_strlcpy (inc->id, a.id, sizeof (inc->id));
        inc->open = a;
        inc->now = a;
        inc->now.logs = NULL; //  the logs live in open only
        inc->next = self->incs;
        self->incs = inc;
        self->count++;
        ddc_info ("alerts: %s/%s %s: %s", a.host, a.id, a.container,
                  a.event == ALERT_RESOLVED ? a.resolution : a.reason);
        s_post_all (self, inc);
        s_trim (self);
        return;
    }
    ddc_info ("alerts: %s/%s %s: %s", a.host, a.id, a.container,
              a.event == ALERT_RESOLVED ? a.resolution : a.reason);
    if (a.event == ALERT_ESCALATED) {
        alertview_free (&inc->open);
        alertview_copy (&inc->open, &a);
    }
    alertview_free (&inc->now);
    alertview_free (&a); //  the logs live in open only
    inc->now = a;
    //  the newest incident first
    s_inc_t **pp = &self->incs;
    while (*pp != inc)
        pp = &(*pp)->next;
    *pp = inc->next;
    inc->next = self->incs;
    self->incs = inc;
    for (int i = 0; i < inc->nposts; i++)
        s_edit (inc, i);
}
