/*  livelogs: log messages that refresh themselves. See livelogs.h. */
#include "livelogs.h"

#include "ddc_log.h"
#include "ddc_util.h"
#include "panels.h"
#include "perms.h"
#include "reply.h"
#include "roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_TEXT_KEPT (RENDER_LOGS_MAX * 2) //  bytes of the latest logs kept

typedef struct s_live {
    struct s_live *next;
    livelogs_t *owner;
    uint64_t id;
    reply_t *reply;
    char key [LIVE_KEY_LEN + 1];
    char host [64];
    char name [129];
    panels_who_t who;         //  whom the fetches are for
    char message [GW_ID_MAX]; //  the log message, once an edit said so
    int64_t until;            //  mono ms: updates end
    int64_t until_wall;
    int64_t next_fetch;
    int64_t last_change; //  mono ms of the last new lines
    bool fetching;
    char *text; //  the latest logs (their tail), NULL before
    int lines;
    char note [400]; //  an error from the last fetch, "" none
    uint64_t shown;  //  hash of what the message shows
} s_live_t;

struct _livelogs_t {
    app_t *app;
    s_live_t *list;
    size_t count;
    uint64_t next_id;
};

//  A fetch in flight: the session may end before it comes back.
typedef struct {
    livelogs_t *owner;
    uint64_t id;
} s_fetch_t;

livelogs_t *
livelogs_new (app_t *app)
{
    livelogs_t *self = ddc_calloc (1, sizeof (*self));
    self->app = app;
    return self;
}

static void
s_free (s_live_t *s)
{
    if (s->reply) {
        reply_on_edit (s->reply, NULL, NULL);
        reply_release (s->reply);
    }
    free (s->text);
    free (s);
}

void
livelogs_destroy (livelogs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    livelogs_t *self = *self_p;
    while (self->list) {
        s_live_t *s = self->list;
        self->list = s->next;
        s_free (s);
    }
    free (self);
    *self_p = NULL;
}

size_t
livelogs_running (livelogs_t *self)
{
    return self->count;
}

static s_live_t *
s_find (livelogs_t *self, uint64_t id)
{
    for (s_live_t *s = self->list; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

//  Edit the message to what the session has now, unless it shows that
//  already. live: with the time it updates until and the stop button.
static void
s_show (s_live_t *s, bool live, const char *note)
{
    app_t *app = s->owner->app;
    const live_ctr_t *c = live_ctr_by_key (app->live, s->key);
    if (!c || !s->reply)
        return;
    render_ctx_t r;
    app_render_ctx (app, &r);
    cJSON *msg = s->text ? render_logs (&r, c, s->text, s->lines, live ? s->until_wall : 0,
                                        note && *note ? note : s->note)
                         : render_text (note && *note ? note : s->note);
    uint64_t h = render_hash (msg);
    if (h == s->shown) {
        cJSON_Delete (msg);
        return;
    }
    s->shown = h;
    reply_edit (s->reply, &msg);
}

//  The end of a session; note (may be NULL) says why on the message.
static void
s_end (livelogs_t *self, s_live_t *s, const char *note)
{
    if (note)
        s_show (s, false, note);
    s_live_t **pp = &self->list;
    while (*pp && *pp != s)
        pp = &(*pp)->next;
    if (*pp) {
        *pp = s->next;
        self->count--;
    }
    ddc_debug ("live logs of %s@%s: ended (%s)", s->name, s->host, note ? note : "gone");
    s_free (s);
}

//  The answer to an edit: the message's id, or that it is gone.
static void
s_on_edit (void *arg, int status, const cJSON *json)
{
    s_live_t *s = arg;
    if (status == 200) {
        if (!s->message [0])
            gw_get_id (json, "id", s->message);
        return;
    }
    if (status >= 400 && status < 500) {
        //  Dismissed, deleted, or the interaction's token is gone: nobody
        //  can see it any more. Ended at the next tick (not inside reply.c).
        reply_on_edit (s->reply, NULL, NULL);
        reply_release (s->reply);
        s->reply = NULL;
    }
}

static void
s_on_logs (void *arg, const ddc_msg_t *reply)
{
    s_fetch_t *f = arg;
    livelogs_t *self = f->owner;
    s_live_t *s = s_find (self, f->id);
    free (f);
    if (!s)
        return;
    app_t *app = self->app;
    int64_t now = ddc_mono_ms ();
    s->fetching = false;
    s->next_fetch = now + LIVELOGS_EVERY_MS;
    const live_ctr_t *c = live_ctr_by_key (app->live, s->key);
    if (!c || !s->reply)
        return;
    bool ok;
    char text [600];
    const cJSON *body;
    panels_outcome (app, c->display, s->host, ACT_LOGS, reply, &ok, text, sizeof (text), &body);
    if (ok) {
        const char *logs = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "logs"));
        const cJSON *lines = cJSON_GetObjectItemCaseSensitive (body, "lines");
        size_t len = logs ? strlen (logs) : 0;
        const char *tail = logs ? logs + (len > S_TEXT_KEPT ? len - S_TEXT_KEPT : 0) : "";
        if (!s->text || strcmp (s->text, tail) != 0) {
            free (s->text);
            s->text = ddc_strdup (tail);
            s->last_change = now;
        }
        s->lines = cJSON_IsNumber (lines) ? (int) lines->valuedouble : 0;
        s->note [0] = '\0';
    }
    else
        ddc_strlcpy (s->note, text, sizeof (s->note));
    s_show (s, true, NULL);
}

static void
s_fetch (livelogs_t *self, s_live_t *s, int64_t now)
{
    s_fetch_t *f = ddc_calloc (1, sizeof (*f));
    f->owner = self;
    f->id = s->id;
    s->fetching = true;
    if (panels_request (self->app, s->host, s->name, ACT_LOGS, &s->who, s_on_logs, f) < 0) {
        free (f);
        s->fetching = false;
        s->next_fetch = now + LIVELOGS_EVERY_MS;
    }
}

//  A new session answering ix with ack_type (its message: message_id, or
//  the deferred reply's), fetching at once.
static s_live_t *
s_start (livelogs_t *self, const gw_interaction_t *ix, const live_ctr_t *c, int ack_type)
{
    app_t *app = self->app;
    if (self->count >= LIVELOGS_MAX) {
        s_live_t *oldest = self->list;
        for (s_live_t *s = self->list; s; s = s->next)
            if (s->until < oldest->until)
                oldest = s;
        s_end (self, oldest, i18n_get (app->lang, "logs.ended"));
    }
    s_live_t *s = ddc_calloc (1, sizeof (*s));
    s->owner = self;
    s->id = ++self->next_id;
    ddc_strlcpy (s->key, c->key, sizeof (s->key));
    ddc_strlcpy (s->host, c->host, sizeof (s->host));
    ddc_strlcpy (s->name, c->name, sizeof (s->name));
    panels_who (ix, &s->who);
    //  A deferred update edits the component's message; a deferred
    //  message is a new one, whose id the first edit's answer gives.
    if (ack_type == CB_DEFER_UPDATE)
        ddc_strlcpy (s->message, ix->message_id, sizeof (s->message));
    int64_t now = ddc_mono_ms ();
    s->until = now + LIVELOGS_FOR_MS;
    s->until_wall = ddc_wall_ms () + LIVELOGS_FOR_MS;
    s->last_change = now;
    s->reply = reply_deferred (app, ix, ack_type);
    reply_on_edit (s->reply, s_on_edit, s);
    s->next = self->list;
    self->list = s;
    self->count++;
    s_fetch (self, s, now);
    ddc_debug ("live logs of %s@%s for %s", s->name, s->host, s->who.by);
    return s;
}

void
livelogs_start (livelogs_t *self, const gw_interaction_t *ix, const live_ctr_t *c)
{
    s_start (self, ix, c, CB_DEFER_MESSAGE);
}

void
livelogs_on_component (livelogs_t *self, const gw_interaction_t *ix)
{
    app_t *app = self->app;
    const char *id = ix->custom_id;
    bool refresh = strncmp (id, "lg:ref:", 7) == 0, stop = strncmp (id, "lg:stop:", 8) == 0;
    const live_ctr_t *c = live_ctr_by_key (app->live, refresh ? id + 7 : stop ? id + 8 : "");
    if (!c) {
        reply_text (app, ix, i18n_get (app->lang, "deny.expired"), true);
        return;
    }
    perm_roles_t roles = reply_roles (ix);
    perm_t p = perm_action (app->live, ix->channel_id, ix->user_id, &roles, c, "logs");
    if (p == PERM_ROLE) {
        render_ctx_t r;
        app_render_ctx (app, &r);
        cJSON *data = roles_refusal (&r, c, ACT_LOGS);
        reply_once (app, ix, CB_MESSAGE, &data);
        return;
    }
    if (p != PERM_OK) {
        char name [128];
        render_trunc (c->display, 60, name, sizeof (name));
        reply_deny (app, ix, p, i18n_get (app->lang, "btn.logs"), name);
        return;
    }
    s_live_t *s = NULL;
    for (s_live_t *x = self->list; x && ix->message_id [0]; x = x->next)
        if (x->reply && strcmp (x->message, ix->message_id) == 0)
            s = x;
    if (stop) {
        reply_once (app, ix, CB_DEFER_UPDATE, NULL);
        if (s)
            s_end (self, s, i18n_get (app->lang, "logs.stopped"));
        return;
    }
    if (!reply_cooldown_ok (app, ix, true, "refresh"))
        return;
    if (!s) {
        //  The session ended (or the bot restarted): a new one on this message.
        s_start (self, ix, c, CB_DEFER_UPDATE);
        return;
    }
    reply_once (app, ix, CB_DEFER_UPDATE, NULL);
    int64_t now = ddc_mono_ms ();
    s->until = now + LIVELOGS_FOR_MS;
    s->until_wall = ddc_wall_ms () + LIVELOGS_FOR_MS;
    s->last_change = now;
    s->shown = 0; //  the footer's time changed
    if (!s->fetching)
        s_fetch (self, s, now);
}

void
livelogs_tick (livelogs_t *self, int64_t now)
{
    app_t *app = self->app;
    s_live_t *s = self->list;
    while (s) {
        s_live_t *next = s->next;
        if (!s->reply || !live_ctr_by_key (app->live, s->key))
            s_end (self, s, NULL);
        else if (now >= s->until)
            s_end (self, s, i18n_get (app->lang, "logs.ended"));
        else if (now - s->last_change >= LIVELOGS_IDLE_MS)
            s_end (self, s, i18n_get (app->lang, "logs.idle"));
        else if (!s->fetching && now >= s->next_fetch)
            s_fetch (self, s, now);
        s = next;
    }
}

int64_t
livelogs_next_ms (livelogs_t *self, int64_t now)
{
    int64_t due = now + 60000;
    for (s_live_t *s = self->list; s; s = s->next) {
        int64_t at = s->until;
        if (s->last_change + LIVELOGS_IDLE_MS < at)
            at = s->last_change + LIVELOGS_IDLE_MS;
        if (!s->fetching && s->next_fetch < at)
            at = s->next_fetch;
        if (!s->reply)
            at = now;
        if (at < due)
            due = at;
    }
    return due > now ? due - now : 0;
}
