/*  sse: live view over Server-Sent Events. See sse.h. */
#include "sse.h"

#include "bridge.h"
#include "cache.h"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_CLIENTS 256
#define S_DEBOUNCE_MS 100
#define S_PING_MS 15000
#define S_CHECK_MS 2000
#define S_BIG_EVENT (256 * 1024) //  bytes: the memory it took is handed back

#define S_HASH 16 //  bytes of a part's hash

//  What the views were last sent of one host: its head (the host without
//  its rows, with the rows' names) and each row, as hashes.
typedef struct {
    unsigned char head [S_HASH]; //  its html without the rows, and the rows' names
    unsigned char data [S_HASH]; //  the host's view without the rows
    unsigned char *rows;         //  S_HASH per row, in order
    size_t nrows;
    uint64_t id; //  the build of the host shown (cache_view_host)
} s_host_t;

//  What every open view shows (the last event sent), as hashes.
typedef struct {
    bool valid;
    char lang [16];
    unsigned char top [S_HASH];   //  the view without its hosts, the html outside them
    unsigned char names [S_HASH]; //  the hosts' names, in order
    s_host_t *hosts;
    size_t nhosts;
} s_state_t;

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
    s_state_t shown; //  what the open views show
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
    //  (by SSE_QUEUE_MAX and one event, which may be larger on its own: a
    //  whole view of many hosts)
    size_t queued = 0;
    struct netbuf *nb;
    TAILQ_FOREACH (nb, &c->send_queue, list)
    queued += nb->b_len - nb->s_off;
    if (queued > 0 && queued + len > SSE_QUEUE_MAX) {
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

static void
s_state_clear (s_state_t *st)
{
    for (size_t i = 0; i < st->nhosts; i++)
        free (st->hosts [i].rows);
    free (st->hosts);
    memset (st, 0, sizeof (*st));
}

static void
s_hash_text (crypto_generichash_state *h, const char *text, size_t len)
{
    crypto_generichash_update (h, (const unsigned char *) text, len);
    crypto_generichash_update (h, (const unsigned char *) "", 1); //  a separator
}

static void
s_hash_json (crypto_generichash_state *h, const cJSON *json)
{
    char *text = ddc_json_print (json);
    s_hash_text (h, text ? text : "", text ? strlen (text) : 0);
    free (text);
}

//  A shallow copy of obj without its member skip (the members referenced:
//  delete it before obj).
static cJSON *
s_without (const cJSON *obj, const char *skip)
{
    cJSON *out = cJSON_CreateObject ();
    const cJSON *m;
    cJSON_ArrayForEach (m, obj)
        if (m->string && strcmp (m->string, skip) != 0)
            cJSON_AddItemReferenceToObject (out, m->string, (cJSON *) m);
    return out;
}

//  The text from offset from of b as a JSON string.
static cJSON *
s_slice (const ddc_buf_t *b, size_t from)
{
    const char *text = ddc_buf_text (b);
    size_t len = ddc_buf_len (b) - from;
    char *copy = ddc_malloc (len + 1);
    memcpy (copy, text + from, len);
    copy [len] = '\0';
    cJSON *out = cJSON_CreateString (copy);
    free (copy);
    return out;
}

//  One host of the view: its hashes into *nh and, when base (the host at
//  the same place in what is shown) differs, what changed into patch: the
//  host without its rows, and either its whole section (its html outside
//  the rows or the rows' names changed: "section", with every row's data)
//  or the rows that changed ("rows": [{"view", "html"}], none when only
//  data the html does not show changed). Its html is appended to hb.
static void
s_host (ddc_buf_t *hb, const rctx_t *rc, const cJSON *h, s_host_t *nh, const s_host_t *base,
        cJSON *patch)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive (h, "containers");
    size_t start = ddc_buf_len (hb);
    bool has_rows = render_view_host_open (hb, rc, h);
    crypto_generichash_state st;
    crypto_generichash_init (&st, NULL, 0, S_HASH);
    cJSON *hv = s_without (h, "containers");
    s_hash_json (&st, hv);
    crypto_generichash_final (&st, nh->data, S_HASH);
    crypto_generichash_init (&st, NULL, 0, S_HASH);
    s_hash_text (&st, ddc_buf_text (hb) + start, ddc_buf_len (hb) - start);
    const cJSON *c;
    cJSON_ArrayForEach (c, rows) {
        const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "name"));
        s_hash_text (&st, name ? name : "", name ? strlen (name) : 0);
    }
    crypto_generichash_final (&st, nh->head, S_HASH);
    bool whole = !base || memcmp (base->head, nh->head, S_HASH) != 0;
    nh->nrows = (size_t) cJSON_GetArraySize (rows);
    nh->rows = ddc_malloc ((nh->nrows ? nh->nrows : 1) * S_HASH);
    cJSON *changed = whole ? NULL : cJSON_CreateArray ();
    size_t r = 0;
    const cJSON *shown = has_rows ? rows : NULL;
    cJSON_ArrayForEach (c, shown) {
        size_t from = ddc_buf_len (hb);
        render_view_host_row (hb, rc, h, c);
        unsigned char *rh = nh->rows + r * S_HASH;
        crypto_generichash_init (&st, NULL, 0, S_HASH);
        s_hash_json (&st, c);
        s_hash_text (&st, ddc_buf_text (hb) + from, ddc_buf_len (hb) - from);
        crypto_generichash_final (&st, rh, S_HASH);
        if (changed && (r >= base->nrows || memcmp (base->rows + r * S_HASH, rh, S_HASH) != 0)) {
            cJSON *row = cJSON_CreateObject ();
            cJSON_AddItemReferenceToObject (row, "view", (cJSON *) c);
            cJSON_AddItemToObject (row, "html", s_slice (hb, from));
            cJSON_AddItemToArray (changed, row);
        }
        r++;
    }
    if (has_rows)
        render_view_host_close (hb);
    if (whole) {
        cJSON *p = cJSON_CreateObject ();
        cJSON_AddItemReferenceToObject (p, "view", (cJSON *) h);
        cJSON_AddItemToObject (p, "section", s_slice (hb, start));
        cJSON_AddItemToArray (patch, p);
        cJSON_Delete (hv);
    }
    //  data of the host that its html does not show (the report's time)
    //  goes with the rows that changed, not with the whole section
    else if (cJSON_GetArraySize (changed) > 0 || memcmp (base->data, nh->data, S_HASH) != 0) {
        cJSON *p = cJSON_CreateObject ();
        cJSON_AddItemToObject (p, "view", hv);
        cJSON_AddItemToObject (p, "rows", changed);
        cJSON_AddItemToArray (patch, p);
    }
    else {
        cJSON_Delete (changed);
        cJSON_Delete (hv);
    }
}

//  to as from: the hashes of a host shown as it is.
static void
s_host_copy (s_host_t *to, const s_host_t *from)
{
    memcpy (to->head, from->head, S_HASH);
    memcpy (to->data, from->data, S_HASH);
    to->nrows = from->nrows;
    to->rows = ddc_malloc ((from->nrows ? from->nrows : 1) * S_HASH);
    memcpy (to->rows, from->rows, from->nrows * S_HASH);
}

//  The event that brings a view showing *base (NULL: nothing) to the
//  current one (caller frees), and the current one's hashes in *next:
//      event: view   {"lang", "view", "html": {"services", "gateway",
//                    "hosts", "broker"}}: the whole view, when there is no
//                    base or its language or its hosts' names differ;
//      event: patch  {"lang", "view" (without "hosts"), "html" (without
//                    "hosts"), "hosts": [{"view", "section"} or {"view"
//                    (without "containers"), "rows": [{"view", "html"}]}]}:
//                    the hosts and rows that changed (by their place);
//  NULL when nothing changed. So one container's change costs the views
//  one row, however many hosts and containers they show.
static char *
s_event (const s_state_t *base, s_state_t *next)
{
    const cJSON *view = cache_view ();
    rctx_t rc;
    web_rctx (&rc, NULL, NULL);
    memset (next, 0, sizeof (*next));
    next->valid = true;
    snprintf (next->lang, sizeof (next->lang), "%s", rc.lang);
    if (base && (!base->valid || strcmp (base->lang, next->lang) != 0))
        base = NULL;

    //  the view outside its hosts
    cJSON *top = s_without (view, "hosts");
    cJSON *html = cJSON_CreateObject ();
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    static const struct {
        const char *name;
        void (*render) (ddc_buf_t *, const rctx_t *, const cJSON *);
    } parts [] = { { "services", render_view_services },
                   { "gateway", render_view_gateway },
                   { "broker", render_view_broker } };
    crypto_generichash_state st;
    crypto_generichash_init (&st, NULL, 0, S_HASH);
    s_hash_json (&st, top);
    for (size_t i = 0; i < sizeof (parts) / sizeof (parts [0]); i++) {
        ddc_buf_reset (b);
        parts [i].render (b, &rc, view);
        s_hash_text (&st, ddc_buf_text (b), ddc_buf_len (b));
        cJSON_AddStringToObject (html, parts [i].name, ddc_buf_text (b));
    }
    crypto_generichash_final (&st, next->top, S_HASH);

    //  the hosts' names: other hosts, or the same in another order, get
    //  the whole view
    const cJSON *hosts = cJSON_GetObjectItemCaseSensitive (view, "hosts");
    next->nhosts = (size_t) cJSON_GetArraySize (hosts);
    next->hosts = ddc_calloc (next->nhosts ? next->nhosts : 1, sizeof (*next->hosts));
    crypto_generichash_init (&st, NULL, 0, S_HASH);
    const cJSON *h;
    cJSON_ArrayForEach (h, hosts) {
        const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (h, "host"));
        s_hash_text (&st, name ? name : "", name ? strlen (name) : 0);
    }
    crypto_generichash_final (&st, next->names, S_HASH);
    if (base && (base->nhosts != next->nhosts || memcmp (base->names, next->names, S_HASH) != 0))
        base = NULL;
    //  each host: one built again is rendered and compared row by row, one
    //  taken over as it was shown keeps its hashes (nothing of it to send:
    //  50 rows not rendered for nothing)
    cJSON *patch = cJSON_CreateArray ();
    ddc_buf_reset (b);
    if (!next->nhosts)
        render_view_hosts (b, &rc, view);
    size_t i = 0;
    cJSON_ArrayForEach (h, hosts) {
        const s_host_t *was = base ? &base->hosts [i] : NULL;
        uint64_t id = cache_view_host (i);
        if (was && id && was->id == id)
            s_host_copy (&next->hosts [i], was);
        else
            s_host (b, &rc, h, &next->hosts [i], was, patch);
        next->hosts [i].id = id;
        i++;
    }
    cJSON *msg = cJSON_CreateObject ();
    cJSON_AddStringToObject (msg, "lang", rc.lang);
    const char *kind = "view";
    if (!base) {
        cJSON_AddStringToObject (html, "hosts", ddc_buf_text (b));
        cJSON_AddItemReferenceToObject (msg, "view", (cJSON *) view);
        cJSON_AddItemToObject (msg, "html", html);
        cJSON_AddItemToObject (msg, "labels", render_rejected_labels (&rc, view));
        cJSON_Delete (patch);
    }
    else if (cJSON_GetArraySize (patch) > 0 || memcmp (base->top, next->top, S_HASH) != 0) {
        kind = "patch";
        cJSON_AddItemToObject (msg, "view", top);
        top = NULL;
        cJSON_AddItemToObject (msg, "html", html);
        cJSON_AddItemToObject (msg, "hosts", patch);
        cJSON_AddItemToObject (msg, "labels", render_rejected_labels (&rc, view));
    }
    else {
        kind = NULL; //  nothing changed
        cJSON_Delete (html);
        cJSON_Delete (patch);
    }
    ddc_buf_destroy (&b);
    char *event = NULL;
    if (kind) {
        char *json = ddc_json_print (msg);
        //  one "data:" line: the JSON has no raw newline
        event = ddc_asprintf ("event: %s\ndata: %s\n\n", kind, json ? json : "{}");
        free (json);
    }
    cJSON_Delete (msg);
    cJSON_Delete (top);
    return event;
}

//  Bring the open views up to date with what changed.
static void
s_flush (void)
{
    s_state_t next;
    char *event = s_event (&s.shown, &next);
    s_state_clear (&s.shown);
    s.shown = next;
    if (event) {
        s_broadcast (event, strlen (event));
        if (strlen (event) > S_BIG_EVENT)
            bridge_trim_soon ();
        s.last_ping = ddc_mono_ms ();
        free (event);
    }
}

int
sse_open (struct http_request *req, const web_auth_t *a)
{
    if (s.count >= S_MAX_CLIENTS) {
        http_response_header (req, "retry-after", "10");
        web_respond (req, 503, "text/plain; charset=utf-8", "too many live views\n", 20, false);
        return -1;
    }
    //  the open views catch up first: the new one starts where they are
    if (s.count && s.dirty) {
        s.dirty = false;
        s_flush ();
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
    s_state_t now;
    char *event = s_event (NULL, &now);
    net_send_queue (c, event, strlen (event));
    if (strlen (event) > S_BIG_EVENT)
        bridge_trim_soon ();
    free (event);
    s_state_clear (&s.shown);
    s.shown = now;
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
        if (s.count)
            s_flush ();
        else
            s_state_clear (&s.shown);
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
