/*  fuzz_ws: libFuzzer target for the gateway's WebSocket transport
    (services/discord/ws.c, included): what libwebsockets hands it (message
    fragments with their binary/final flags, the peer's close frame,
    connection errors and ends) and what the main thread asks of it
    (connect, send, close), in any order, on up to 8 connections. The
    libwebsockets calls ws.c makes are replaced by the small fakes below
    (the frame parser itself is libwebsockets' own); the lws thread's work
    runs inline. Each input is a list of operations:

      0 url     connect (url: len byte, bytes after "ws://")
      1 i       the connection is established
      2 i flags len2 bytes   a received fragment (flags: 1 binary, 2 final,
                             4 more of this frame to come)
      3 i       writeable      4 i len bytes   the peer's close frame
      5 i len bytes  connection error   6 i  closed   7 i  wsi destroyed
      8 i len bytes  send (or, with an odd len, close with that reason)
      9         the main thread takes every event

    Checked: events only for connections asked for, at most one OPEN and
    exactly one CLOSED each (the last thing it gets), messages NUL-terminated within
    WS_MSG_MAX, the event queue within its bound; no crash, leak or UB. */
#include <libwebsockets.h>
#include <openssl/ssl.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lws_context {
    void *user;
};

struct lws {
    struct lws_context *ctx;
    void *opaque;
    bool binary, final;
    size_t remaining;
    bool established; //  lws's order: ESTABLISHED once, then
    bool gone;        //  RECEIVE/WRITEABLE/..., CLOSED or an
};                    //  ERROR before it, DESTROY last

#define S_MAX_WSI 8
static struct lws s_wsi [S_MAX_WSI];
static int s_nwsi;
static struct lws_context s_ctx;

void
lws_set_log_level (int level, void (*log_emit_function) (int level, const char *line))
{
    (void) level;
    (void) log_emit_function;
}
int
lws_callback_on_writable (struct lws *wsi)
{
    (void) wsi;
    return 1;
}
void
lws_cancel_service (struct lws_context *context)
{
    (void) context;
}
void
lws_close_reason (struct lws *wsi, enum lws_close_status status, unsigned char *buf, size_t len)
{
    (void) wsi;
    (void) status;
    (void) buf;
    (void) len;
}
void
lws_context_destroy (struct lws_context *context)
{
    (void) context;
}
void *
lws_context_user (struct lws_context *context)
{
    return context->user;
}
struct lws_context *
lws_create_context (const struct lws_context_creation_info *info)
{
    (void) info;
    return &s_ctx;
}
int
lws_frame_is_binary (struct lws *wsi)
{
    return wsi->binary;
}
struct lws_context *
lws_get_context (const struct lws *wsi)
{
    return wsi->ctx;
}
void *
lws_get_opaque_user_data (const struct lws *wsi)
{
    return wsi->opaque;
}
void
lws_set_opaque_user_data (struct lws *wsi, void *data)
{
    wsi->opaque = data;
}
int
lws_is_final_fragment (struct lws *wsi)
{
    return wsi->final;
}
size_t
lws_remaining_packet_payload (struct lws *wsi)
{
    return wsi->remaining;
}
int
lws_service (struct lws_context *context, int timeout_ms)
{
    (void) context;
    (void) timeout_ms;
    return 0;
}
void
lws_set_timeout (struct lws *wsi, enum pending_timeout reason, int secs)
{
    (void) reason;
    (void) secs;
    wsi->gone = true;
}
int
lws_write (struct lws *wsi, unsigned char *buf, size_t len, enum lws_write_protocol protocol)
{
    (void) wsi;
    (void) buf;
    (void) protocol;
    return (int) len;
}
int
SSL_CTX_load_verify_locations (SSL_CTX *ctx, const char *file, const char *dir)
{
    (void) ctx;
    (void) file;
    (void) dir;
    return 1;
}

//  "prot://addr[:port][/path]", cut in place like lws_parse_uri.
int
lws_parse_uri (char *p, const char **prot, const char **ads, int *port, const char **path)
{
    char *sep = strstr (p, "://");
    if (!sep)
        return -1;
    *sep = '\0';
    *prot = p;
    p = sep + 3;
    *ads = p;
    *port = 80;
    *path = "";
    while (*p && *p != ':' && *p != '/')
        p++;
    if (*p == ':') {
        *p++ = '\0';
        *port = atoi (p);
        while (*p && *p != '/')
            p++;
    }
    if (*p == '/') {
        *p++ = '\0';
        *path = p;
    }
    return 0;
}

struct lws *
lws_client_connect_via_info (const struct lws_client_connect_info *info)
{
    if (s_nwsi == S_MAX_WSI || strstr (info->address, "fail"))
        return NULL;
    struct lws *wsi = &s_wsi [s_nwsi++];
    memset (wsi, 0, sizeof (*wsi));
    wsi->ctx = info->context;
    wsi->opaque = info->opaque_user_data;
    if (info->pwsi)
        *info->pwsi = wsi;
    return wsi;
}

#include "../../services/discord/ws.c"

//  What the main thread saw of each connection id (ids count from 1, one
//  per connect: at most one per two input bytes).
typedef struct {
    bool asked; //  ws_connect gave this id
    int opens;
    bool closed;
} s_seen_t;

#define S_MAX_IDS 65536
static s_seen_t s_seen [S_MAX_IDS];
static uint32_t s_max_id;

static s_seen_t *
s_seen_of (uint32_t id)
{
    if (id == 0 || id >= S_MAX_IDS)
        abort ();
    if (id > s_max_id)
        s_max_id = id;
    return &s_seen [id];
}

static void
s_drain (ws_t *self)
{
    ws_event_t *ev;
    while ((ev = ws_next (self)) != NULL) {
        s_seen_t *s = s_seen_of (ev->conn);
        if (!s->asked || s->closed)
            abort (); //  nothing after CLOSED
        if (ev->kind == WS_EV_OPEN && ++s->opens > 1)
            abort ();
        if (ev->kind == WS_EV_MESSAGE
            && (!ev->data || ev->len > WS_MSG_MAX || ev->data [ev->len] != '\0'))
            abort ();
        if (ev->kind == WS_EV_CLOSED) {
            s->closed = true;
            if (strlen (ev->reason) >= sizeof (ev->reason))
                abort ();
        }
        ws_event_free (&ev);
    }
}

static const uint8_t *
s_take (const uint8_t **p, const uint8_t *end, size_t n, size_t *got)
{
    size_t left = (size_t) (end - *p);
    *got = n < left ? n : left;
    const uint8_t *at = *p;
    *p += *got;
    return at;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_nwsi = 0;
    memset (s_seen, 0, (s_max_id + 1) * sizeof (s_seen [0]));
    s_max_id = 0;
    ws_t *self = ddc_calloc (1, sizeof (*self));
    pthread_mutex_init (&self->mu, NULL);
    pthread_cond_init (&self->cond, NULL);
    self->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    s_ctx.user = self;
    self->ctx = &s_ctx;
    uint32_t conns [16];
    int nconns = 0;

    const uint8_t *p = data, *end = data + size;
    while (p < end) {
        uint8_t op = *p++ % 10;
        size_t n;
        struct lws *wsi = NULL;
        if (op >= 1 && op <= 8 && p < end) {
            int i = *p++;
            wsi = s_nwsi ? &s_wsi [i % s_nwsi] : NULL;
            if (op == 8 && nconns) {
                uint32_t conn = conns [i % nconns];
                size_t len = p < end ? *p++ : 0;
                const uint8_t *bytes = s_take (&p, end, len, &n);
                if (len % 2 == 0)
                    ws_send (self, conn, (const char *) bytes, n);
                else {
                    char reason [128];
                    memcpy (reason, bytes, n < 127 ? n : 127);
                    reason [n < 127 ? n : 127] = '\0';
                    ws_close (self, conn, 1000 + (int) len, reason);
                }
                s_run_commands (self);
                continue;
            }
        }
        if (op >= 1 && op <= 7 && (!wsi || wsi->gone))
            continue;
        if ((op == 1 || op == 5) && wsi->established)
            continue;
        if ((op == 2 || op == 3 || op == 4 || op == 6) && !wsi->established)
            continue;
        switch (op) {
            case 0: {
                size_t len = p < end ? *p++ : 0;
                const uint8_t *bytes = s_take (&p, end, len, &n);
                char url [300] = "ws://";
                memcpy (url + 5, bytes, n);
                url [5 + n] = '\0';
                uint32_t id = ws_connect (self, url);
                if (id)
                    s_seen_of (id)->asked = true;
                if (id && nconns < 16)
                    conns [nconns++] = id;
                s_run_commands (self);
                break;
            }
            case 1:
                wsi->established = true;
                if (s_callback (wsi, LWS_CALLBACK_CLIENT_ESTABLISHED, NULL, NULL, 0) < 0)
                    wsi->gone = true;
                break;
            case 2: {
                uint8_t flags = p < end ? *p++ : 0;
                size_t len = 0;
                if (end - p >= 2) {
                    len = ((size_t) p [0] << 8) | p [1];
                    p += 2;
                }
                const uint8_t *bytes = s_take (&p, end, len, &n);
                wsi->binary = flags & 1;
                wsi->final = flags & 2;
                wsi->remaining = flags & 4 ? 1 : 0;
                s_callback (wsi, LWS_CALLBACK_CLIENT_RECEIVE, NULL, (void *) bytes, n);
                break;
            }
            case 3:
                if (s_callback (wsi, LWS_CALLBACK_CLIENT_WRITEABLE, NULL, NULL, 0) < 0) {
                    s_callback (wsi, LWS_CALLBACK_CLIENT_CLOSED, NULL, NULL, 0);
                    wsi->gone = true;
                }
                break;
            case 4: {
                size_t len = p < end ? *p++ : 0;
                const uint8_t *bytes = s_take (&p, end, len, &n);
                s_callback (wsi, LWS_CALLBACK_WS_PEER_INITIATED_CLOSE, NULL, (void *) bytes, n);
                break;
            }
            case 5: {
                size_t len = p < end ? *p++ : 0;
                const uint8_t *bytes = s_take (&p, end, len, &n);
                char msg [256];
                memcpy (msg, bytes, n);
                msg [n] = '\0';
                s_callback (wsi, LWS_CALLBACK_CLIENT_CONNECTION_ERROR, NULL, msg, n);
                wsi->gone = true;
                break;
            }
            case 6:
                s_callback (wsi, LWS_CALLBACK_CLIENT_CLOSED, NULL, NULL, 0);
                wsi->gone = true;
                break;
            case 7:
                s_callback (wsi, LWS_CALLBACK_WSI_DESTROY, NULL, NULL, 0);
                wsi->gone = true;
                break;
            case 9:
                s_drain (self);
                s_sweep (self);
                break;
            default:
                break;
        }
        if (self->ev_bytes > WS_QUEUE_MAX + WS_MSG_MAX + 64 * sizeof (ws_event_t))
            abort ();
    }
    //  The thread's end: every open connection ends; then every event.
    for (s_conn_t *c = self->conns; c; c = c->next)
        if (!c->ended) {
            c->wsi = NULL;
            s_conn_end (self, c, 1006, false, "stopped");
        }
    s_sweep (self);
    s_drain (self);
    for (uint32_t id = 1; id <= s_max_id; id++)
        if (s_seen [id].asked && !s_seen [id].closed)
            abort (); //  every connection ends with CLOSED
    self->ctx = NULL;
    ws_destroy (&self);
    return 0;
}
