/*  sse: live view over Server-Sent Events. See sse.h. */
#include "sse.h"

#include "bridge.h"
#include "cache.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_CLIENTS 256
#define S_DEBOUNCE_MS 100
#define S_PING_MS 15000
#define S_CHECK_MS 2000

typedef struct s_client {
    struct connection *c;
    session_t s;
    unsigned char key [SESSION_KEY_BYTES];
    struct s_client *next;
} s_client_t;

static struct {
    s_client_t *clients;
    size_t count;
    bool dirty;
    int64_t dirty_at;
    char *last; //  the last "view" event sent
    int64_t last_ping, last_check;
} s;

static void
s_remove (struct connection *c)
{
    for (s_client_t **p = &s.clients; *p; p = &(*p)->next)
        if ((*p)->c == c) {
            s_client_t *dead = *p;
            *p = dead->next;
            memset (dead->key, 0, sizeof (dead->key));
            free (dead);
            s.count--;
            web_metrics.sse_clients = s.count;
            return;
        }
}

static void
s_disconnect (struct connection *c)
{
    s_remove (c);
    c->disconnect = NULL;
}

void
sse_write (struct connection *c, const char *text, size_t len)
{
    if (c->state != CONN_STATE_ESTABLISHED)
        return;
    //  a browser that reads nothing is let go: what waits for it is bounded
    size_t queued = 0;
    struct netbuf *nb;
    TAILQ_FOREACH (nb, &c->send_queue, list)
    queued += nb->b_len - nb->s_off;
    if (queued + len > SSE_QUEUE_MAX) {
        kore_connection_disconnect (c);
        return;
    }
    //  Kore re-arms a connection's idle timer whenever it handles an event on
    //  it: a live view is idle by nature and ends only with its session
    kore_connection_stop_idletimer (c);
    net_send_queue (c, text, len);
    if (net_send_flush (c) == KORE_RESULT_ERROR)
        kore_connection_disconnect (c);
}

void
sse_start (struct http_request *req, void (*on_disconnect) (struct connection *))
{
    struct connection *c = req->owner;
    req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
    c->flags |= CONN_IS_BUSY; //  Kore reads no further request
    c->disconnect = on_disconnect;
    http_response_header (req, "x-accel-buffering", "no");
    web_respond (req, 200, "text/event-stream; charset=utf-8", NULL, 0, false);
    kore_connection_stop_idletimer (c);
    static const char hello [] = "retry: 3000\n\n";
    net_send_queue (c, hello, sizeof (hello) - 1);
}

const char *
sse_session_ended (const session_t *ss, const unsigned char key [SESSION_KEY_BYTES], int64_t now_s)
{
    unsigned char cur [SESSION_KEY_BYTES];
    bool same = web_session_key (cur) == 0 && sodium_memcmp (cur, key, sizeof (cur)) == 0;
    sodium_memzero (cur, sizeof (cur));
    if (!same)
        return "password";
    if (now_s - ss->issued > SESSION_MAX_AGE_S)
        return "age";
    if (now_s - ss->last > bridge_idle_seconds ())
        return "idle";
    return NULL;
}

static void
s_broadcast (const char *text, size_t len)
{
    s_client_t *next;
    for (s_client_t *cl = s.clients; cl; cl = next) {
        next = cl->next; //  a failed send frees cl
        sse_write (cl->c, text, len);
    }
}

//  The "view" event text (caller frees).
static char *
s_view_event (void)
{
    const cJSON *view = cache_view ();
    rctx_t rc;
    web_rctx (&rc, NULL, NULL);
    cJSON *msg = cJSON_CreateObject ();
    cJSON *html = cJSON_CreateObject ();
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_view_services (b, &rc, view);
    cJSON_AddStringToObject (html, "services", ddc_buf_text (b));
    ddc_buf_reset (b);
    render_view_gateway (b, &rc, view);
    cJSON_AddStringToObject (html, "gateway", ddc_buf_text (b));
    ddc_buf_reset (b);
    render_view_hosts (b, &rc, view);
    cJSON_AddStringToObject (html, "hosts", ddc_buf_text (b));
    ddc_buf_reset (b);
    render_view_broker (b, &rc, view);
    cJSON_AddStringToObject (html, "broker", ddc_buf_text (b));
    ddc_buf_destroy (&b);
    cJSON_AddStringToObject (msg, "lang", rc.lang);
    cJSON_AddItemReferenceToObject (msg, "view", (cJSON *) view);
    cJSON_AddItemToObject (msg, "html", html);
    char *json = cJSON_PrintUnformatted (msg);
    cJSON_Delete (msg);
    //  one "data:" line: the JSON has no raw newline
    char *event = ddc_asprintf ("event: view\ndata: %s\n\n", json ? json : "{}");
    free (json);
    return event;
}

int
sse_open (struct http_request *req, const web_auth_t *a)
{
    if (s.count >= S_MAX_CLIENTS) {
        http_response_header (req, "retry-after", "10");
        web_respond (req, 503, "text/plain; charset=utf-8", "too many live views\n", 20, false);
        return -1;
    }
    struct connection *c = req->owner;
    s_client_t *cl = ddc_calloc (1, sizeof (*cl));
    cl->c = c;
    cl->s = a->s;
    memcpy (cl->key, a->key, sizeof (cl->key));
    cl->next = s.clients;
    s.clients = cl;
    s.count++;
    web_metrics.sse_clients = s.count;

    sse_start (req, s_disconnect);
    char *event = s_view_event ();
    net_send_queue (c, event, strlen (event));
    free (event);
    bridge_refresh_table ();
    return 0;
}

void
sse_signed_out (struct connection *c, const char *why)
{
    if (c->state == CONN_STATE_ESTABLISHED) {
        char *bye = ddc_asprintf ("event: signedout\ndata: {\"reason\":\"%s\"}\n\n", why);
        sse_write (c, bye, strlen (bye));
        free (bye);
        kore_connection_disconnect (c); //  idempotent
    }
}

void
sse_changed (void)
{
    if (!s.dirty) {
        s.dirty = true;
        s.dirty_at = ddc_mono_ms ();
    }
}

//  Close the views whose session ended.
static void
s_check_sessions (int64_t now_s)
{
    s_client_t *next;
    for (s_client_t *cl = s.clients; cl; cl = next) {
        next = cl->next; //  disconnecting frees cl
        const char *why = sse_session_ended (&cl->s, cl->key, now_s);
        if (why)
            sse_signed_out (cl->c, why);
    }
}

void
sse_tick (void)
{
    int64_t now = ddc_mono_ms ();
    if (now - s.last_check >= S_CHECK_MS) {
        s.last_check = now;
        if (s.count)
            s_check_sessions (ddc_wall_ms () / 1000);
    }
    if (s.dirty && now - s.dirty_at >= S_DEBOUNCE_MS) {
        s.dirty = false;
        if (s.count) {
            char *event = s_view_event ();
            if (!s.last || strcmp (event, s.last) != 0) {
                s_broadcast (event, strlen (event));
                free (s.last);
                s.last = event;
                s.last_ping = now;
            }
            else
                free (event);
        }
        else {
            free (s.last);
            s.last = NULL;
        }
    }
    if (s.count && now - s.last_ping >= S_PING_MS) {
        static const char ping [] = ": ping\n\n";
        s.last_ping = now;
        s_broadcast (ping, sizeof (ping) - 1);
    }
}

size_t
sse_count (void)
{
    return s.count;
}
