/*  logstream: logs followed live over Server-Sent Events. See logstream.h. */
#include "logstream.h"

#include "bridge.h"
#include "logtail.h"
#include "sse.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

#define S_PING_MS 15000
#define S_CHECK_MS 2000

typedef struct s_stream s_stream_t;

//  A logs request in flight: the stream may close before it comes back,
//  and the broker client may go first (logstream_stop frees what is left).
typedef struct s_fetch {
    s_stream_t *stream; //  NULL once orphaned
    struct s_fetch *next;
} s_fetch_t;

struct s_stream {
    struct connection *c;
    session_t s;
    unsigned char key [SESSION_KEY_BYTES];
    char host [64];
    char name [129];
    char addr [WEB_ADDR_MAX];
    logtail_t *tail;
    s_fetch_t *fetch;   //  in flight, or NULL
    int64_t next_fetch; //  mono ms
    int64_t last_sent;
    int64_t last_change; //  mono ms of the last new line
    bool sent_lines;     //  the first "lines" (reset) went
    bool asked;          //  the first read was sent (the one recorded)
    s_stream_t *next;
};

static struct {
    s_stream_t *list;
    s_fetch_t *fetches; //  in flight
    size_t count;
    int64_t last_check;
} s;

static void
s_remove (struct connection *c)
{
    for (s_stream_t **p = &s.list; *p; p = &(*p)->next)
        if ((*p)->c == c) {
            s_stream_t *dead = *p;
            *p = dead->next;
            if (dead->fetch)
                dead->fetch->stream = NULL;
            logtail_destroy (&dead->tail);
            memset (dead->key, 0, sizeof (dead->key));
            free (dead);
            s.count--;
            return;
        }
}

static void
s_disconnect (struct connection *c)
{
    s_remove (c);
    c->disconnect = NULL;
}

//  Send one event whose data is *obj_p (destroyed, *obj_p set to NULL).
static void
s_event (s_stream_t *st, const char *event, cJSON **obj_p)
{
    char *json = ddc_json_print (*obj_p);
    cJSON_Delete (*obj_p);
    *obj_p = NULL;
    //  one "data:" line: the JSON has no raw newline
    char *text = ddc_asprintf ("event: %s\ndata: %s\n\n", event, json ? json : "{}");
    free (json);
    st->last_sent = ddc_mono_ms ();
    sse_write (st->c, text, strlen (text)); //  may close st->c, freeing st
    free (text);
}

static void
s_problem (s_stream_t *st, const char *message)
{
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddStringToObject (o, "message", message ? message : "");
    s_event (st, "problem", &o);
}

static void
s_on_reply (void *arg, const ddc_msg_t *reply)
{
    s_fetch_t *f = arg;
    s_stream_t *st = f->stream;
    for (s_fetch_t **p = &s.fetches; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
    free (f);
    if (!st)
        return;
    st->fetch = NULL;
    int64_t now = ddc_mono_ms ();
    st->next_fetch =
        now + (now - st->last_change < LOGSTREAM_BRISK_MS ? LOGSTREAM_EVERY_MS : LOGSTREAM_SLOW_MS);
    if (!reply) {
        s_problem (st, "the broker did not answer");
        return;
    }
    if (reply->type == DDC_ERROR) {
        s_problem (st, reply->frame [DDC_ERROR_MESSAGE]);
        return;
    }
    const cJSON *body = reply->type == DDC_RESULT ? reply->json [DDC_RESULT_BODY] : NULL;
    if (!cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (body, "ok"))) {
        const char *m = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "message"));
        s_problem (st, m ? m : "the Docker agent did not give the logs");
        return;
    }
    const char *text = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (body, "logs"));
    cJSON *o = cJSON_CreateObject ();
    cJSON *lines = cJSON_AddArrayToObject (o, "lines");
    bool gap = false;
    size_t n = logtail_feed (st->tail, text ? text : "", text ? strlen (text) : 0, lines, &gap);
    if (n == 0 && st->sent_lines) {
        cJSON_Delete (o);
        return;
    }
    if (n)
        st->last_change = now;
    cJSON_AddBoolToObject (o, "reset", !st->sent_lines);
    cJSON_AddBoolToObject (o, "gap", gap && st->sent_lines);
    st->sent_lines = true;
    s_event (st, "lines", &o);
}

//  Ask the agent for the newest lines.
static void
s_fetch (s_stream_t *st, int64_t now)
{
    int64_t ms;
    //  the first read is an action in the audit logs, the later ones
    //  (every few seconds) are not
    zmsg_t *msg = web_action_msg (WEB_USER, st->addr, st->host, st->name, "logs", LOGSTREAM_LINES,
                                  st->asked, &ms);
    s_fetch_t *f = ddc_calloc (1, sizeof (*f));
    f->stream = st;
    if (!bridge_up () || !msg
        || ddc_client_request (bridge_client (), &msg, ms + 3000, 1, s_on_reply, f) < 0) {
        zmsg_destroy (&msg);
        free (f);
        st->next_fetch = now + LOGSTREAM_EVERY_MS;
        s_problem (st, "the broker cannot be reached");
        return;
    }
    st->fetch = f;
    st->asked = true;
    f->next = s.fetches;
    s.fetches = f;
    bridge_kick ();
}

int
logstream_open (struct http_request *req, const web_auth_t *a, const char *host, const char *name,
                const char *addr)
{
    if (s.count >= LOGSTREAM_MAX) {
        http_response_header (req, "retry-after", "10");
        web_respond (req, 503, "text/plain; charset=utf-8", "too many logs followed\n", 23, false);
        return -1;
    }
    s_stream_t *st = ddc_calloc (1, sizeof (*st));
    st->c = req->owner;
    st->s = a->s;
    memcpy (st->key, a->key, sizeof (st->key));
    ddc_strlcpy (st->host, host, sizeof (st->host));
    ddc_strlcpy (st->name, name, sizeof (st->name));
    ddc_strlcpy (st->addr, addr, sizeof (st->addr));
    st->tail = logtail_new ();
    st->next_fetch = 0;
    st->last_sent = ddc_mono_ms ();
    st->last_change = st->last_sent;
    st->next = s.list;
    s.list = st;
    s.count++;
    sse_start (req, s_disconnect);
    return 0;
}

void
logstream_tick (void)
{
    if (!s.count)
        return;
    int64_t now = ddc_mono_ms ();
    bool check = now - s.last_check >= S_CHECK_MS;
    if (check)
        s.last_check = now;
    int64_t now_s = ddc_wall_ms () / 1000;
    s_stream_t *next;
    for (s_stream_t *st = s.list; st; st = next) {
        next = st->next; //  closing frees st
        const char *ended = check ? sse_session_ended (&st->s, st->key, now_s) : NULL;
        if (ended) {
            sse_signed_out (st->c, ended);
            continue;
        }
        if (check && !web_action_allowed (st->host, st->name, "logs")) {
            struct connection *c = st->c;
            s_problem (st, "the configuration no longer allows this container's logs");
            if (c->state == CONN_STATE_ESTABLISHED)
                kore_connection_disconnect (c);
            continue;
        }
        if (now - st->last_change >= (int64_t) web_opts.log_idle_s * 1000) {
            //  nobody may be looking: stop reading (the page can follow again)
            struct connection *c = st->c;
            cJSON *o = cJSON_CreateObject ();
            cJSON_AddNumberToObject (o, "idle_s", web_opts.log_idle_s);
            s_event (st, "idle", &o);
            if (c->state == CONN_STATE_ESTABLISHED)
                kore_connection_disconnect (c);
            continue;
        }
        if (!st->fetch && now >= st->next_fetch) {
            s_fetch (st, now);
            continue;
        }
        if (now - st->last_sent >= S_PING_MS) {
            static const char ping [] = ": ping\n\n";
            st->last_sent = now;
            sse_write (st->c, ping, sizeof (ping) - 1);
        }
    }
}

void
logstream_stop (void)
{
    while (s.fetches) {
        s_fetch_t *f = s.fetches;
        s.fetches = f->next;
        if (f->stream)
            f->stream->fetch = NULL;
        free (f);
    }
}

size_t
logstream_count (void)
{
    return s.count;
}
