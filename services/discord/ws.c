/*  ws: the gateway's WebSocket transport, libwebsockets in its own thread.
    See ws.h. Everything below "lws thread" runs only in that thread; the
    queues between the threads are guarded by one mutex. */
#include "ws.h"

#include "ddc_buf.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define S_URL_MAX 1024

typedef enum { CMD_CONNECT, CMD_SEND, CMD_CLOSE } s_cmd_kind_t;

typedef struct s_cmd {
    struct s_cmd *next;
    s_cmd_kind_t kind;
    uint32_t conn;
    int code;
    char reason [104];
    char *data; //  CONNECT: url; SEND: the frame
    size_t len;
} s_cmd_t;

typedef struct s_frame {
    struct s_frame *next;
    size_t len;
    unsigned char buf []; //  LWS_PRE bytes, then the payload
} s_frame_t;

typedef struct s_conn {
    struct s_conn *next;
    uint32_t id;
    struct lws *wsi;
    bool open;
    bool ended; //  CLOSED emitted; freed by the sweep
    s_frame_t *out_head, *out_tail;
    size_t nout;
    bool close_wanted;
    int close_code;
    char close_reason [104];
    int peer_code;
    char peer_reason [124];
    ddc_buf_t *rx; //  the message coming in (made for each one)
    bool in_msg, rx_binary, rx_skip;
} s_conn_t;

typedef struct s_evnode {
    struct s_evnode *next;
    ws_event_t *ev;
} s_evnode_t;

struct _ws_t {
    pthread_t thread;
    bool thread_started;
    struct lws_context *ctx;
    int efd;
    pthread_mutex_t mu;
    pthread_cond_t cond; //  commands for a thread with no context yet
    atomic_bool stop;
    s_cmd_t *cmd_head, *cmd_tail;
    s_evnode_t *ev_head, *ev_tail;
    size_t ev_bytes;
    uint32_t next_id;
    //  lws thread only
    s_conn_t *conns;
};

//  --------------------------------------------------------------------------
//  Event queue (either thread)

static void
s_emit (ws_t *self, ws_event_t *ev)
{
    s_evnode_t *node = ddc_calloc (1, sizeof (*node));
    node->ev = ev;
    pthread_mutex_lock (&self->mu);
    if (self->ev_tail)
        self->ev_tail->next = node;
    else
        self->ev_head = node;
    self->ev_tail = node;
    self->ev_bytes += ev->len + sizeof (*ev);
    pthread_mutex_unlock (&self->mu);
    uint64_t one = 1;
    ssize_t n = write (self->efd, &one, sizeof (one));
    (void) n;
}

static size_t
s_queued_bytes (ws_t *self)
{
    pthread_mutex_lock (&self->mu);
    size_t n = self->ev_bytes;
    pthread_mutex_unlock (&self->mu);
    return n;
}

void
ws_event_free (ws_event_t **ev_p)
{
    if (!ev_p || !*ev_p)
        return;
    free ((*ev_p)->data);
    free (*ev_p);
    *ev_p = NULL;
}

//  --------------------------------------------------------------------------
//  lws thread

static void
s_emit_simple (ws_t *self, ws_event_kind_t kind, uint32_t conn, int code, bool by_us,
               const char *reason)
{
    ws_event_t *ev = ddc_calloc (1, sizeof (*ev));
    ev->kind = kind;
    ev->conn = conn;
    ev->code = code;
    ev->by_us = by_us;
    ddc_strlcpy (ev->reason, reason ? reason : "", sizeof (ev->reason));
    s_emit (self, ev);
}

static void
s_frames_free (s_conn_t *c)
{
    while (c->out_head) {
        s_frame_t *f = c->out_head;
        c->out_head = f->next;
        free (f);
    }
    c->out_tail = NULL;
    c->nout = 0;
}

//  The connection is over: one CLOSED event, detach from the wsi.
static void
s_conn_end (ws_t *self, s_conn_t *c, int code, bool by_us, const char *reason)
{
    if (c->ended)
        return;
    c->ended = true;
    if (c->wsi)
        lws_set_opaque_user_data (c->wsi, NULL);
    c->wsi = NULL;
    s_frames_free (c);
    ddc_buf_destroy (&c->rx);
    c->in_msg = false;
    s_emit_simple (self, WS_EV_CLOSED, c->id, code, by_us, reason);
}

static void
s_sweep (ws_t *self)
{
    s_conn_t **pp = &self->conns;
    while (*pp) {
        s_conn_t *c = *pp;
        if (c->ended) {
            *pp = c->next;
            free (c);
        }
        else
            pp = &c->next;
    }
}

static s_conn_t *
s_conn_find (ws_t *self, uint32_t id)
{
    for (s_conn_t *c = self->conns; c; c = c->next)
        if (c->id == id && !c->ended)
            return c;
    return NULL;
}

static void
s_do_connect (ws_t *self, uint32_t id, const char *url)
{
    s_conn_t *c = ddc_calloc (1, sizeof (*c));
    c->id = id;
    c->next = self->conns;
    self->conns = c;

    char buf [S_URL_MAX];
    ddc_strlcpy (buf, url, sizeof (buf));
    const char *prot = NULL, *addr = NULL, *path = NULL;
    int port = 0;
    if (lws_parse_uri (buf, &prot, &addr, &port, &path) != 0 || !addr || !*addr
        || (strcmp (prot, "ws") != 0 && strcmp (prot, "wss") != 0)) {
        s_conn_end (self, c, 1006, false, "bad gateway url");
        return;
    }
    char pathbuf [S_URL_MAX + 2];
    snprintf (pathbuf, sizeof (pathbuf), "/%s", path ? path : "");
    struct lws_client_connect_info info;
    memset (&info, 0, sizeof (info));
    info.context = self->ctx;
    info.address = addr;
    info.port = port;
    info.path = pathbuf;
    info.host = addr;
    info.origin = addr;
    info.ssl_connection = strcmp (prot, "wss") == 0 ? LCCSCF_USE_SSL : 0;
    info.protocol = NULL; //  no Sec-WebSocket-Protocol header
    info.local_protocol_name = "ddc-gateway";
    info.opaque_user_data = c;
    info.pwsi = &c->wsi;
    if (!lws_client_connect_via_info (&info))
        s_conn_end (self, c, 1006, false, "cannot connect to the gateway");
}

static void
s_do_send (s_conn_t *c, char *data, size_t len)
{
    if (c->nout >= WS_SENDQ_MAX) {
        ddc_warn ("gateway: send queue full, frame dropped");
        return;
    }
    s_frame_t *f = ddc_malloc (sizeof (*f) + LWS_PRE + len);
    f->next = NULL;
    f->len = len;
    memcpy (f->buf + LWS_PRE, data, len);
    if (c->out_tail)
        c->out_tail->next = f;
    else
        c->out_head = f;
    c->out_tail = f;
    c->nout++;
    if (c->open && c->wsi)
        lws_callback_on_writable (c->wsi);
}

static void
s_run_commands (ws_t *self)
{
    pthread_mutex_lock (&self->mu);
    s_cmd_t *cmd = self->cmd_head;
    self->cmd_head = self->cmd_tail = NULL;
    pthread_mutex_unlock (&self->mu);
    while (cmd) {
        s_cmd_t *next = cmd->next;
        s_conn_t *c = cmd->kind == CMD_CONNECT ? NULL : s_conn_find (self, cmd->conn);
        switch (cmd->kind) {
            case CMD_CONNECT:
                s_do_connect (self, cmd->conn, cmd->data);
                break;
            case CMD_SEND:
                if (c)
                    s_do_send (c, cmd->data, cmd->len);
                break;
            case CMD_CLOSE:
                if (c) {
                    c->close_wanted = true;
                    c->close_code = cmd->code;
                    ddc_strlcpy (c->close_reason, cmd->reason, sizeof (c->close_reason));
                    if (c->wsi && c->open)
                        lws_callback_on_writable (c->wsi);
                    else {
                        //  Still connecting: abandon it.
                        struct lws *wsi = c->wsi;
                        s_conn_end (self, c, cmd->code, true, "closed while connecting");
                        if (wsi)
                            lws_set_timeout (wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
                    }
                }
                break;
        }
        free (cmd->data);
        free (cmd);
        cmd = next;
    }
    s_sweep (self);
}

static void
s_receive (ws_t *self, s_conn_t *c, struct lws *wsi, const void *in, size_t len)
{
    if (!c->in_msg) {
        c->in_msg = true;
        if (c->rx)
            ddc_buf_reset (c->rx);
        else
            c->rx = ddc_buf_new (WS_MSG_MAX);
        c->rx_skip = false;
        c->rx_binary = lws_frame_is_binary (wsi) != 0;
    }
    if (!c->rx_skip) {
        if (ddc_buf_len (c->rx) + len > WS_MSG_MAX) {
            ddc_warn ("gateway: a message over %d bytes: closing", WS_MSG_MAX);
            c->rx_skip = true;
            c->close_wanted = true;
            c->close_code = 1009;
            ddc_strlcpy (c->close_reason, "message too big", sizeof (c->close_reason));
            lws_callback_on_writable (wsi);
        }
        else
            ddc_buf_add (c->rx, in, len);
    }
    if (lws_is_final_fragment (wsi) && !lws_remaining_packet_payload (wsi)) {
        c->in_msg = false;
        if (c->rx_skip)
            return;
        if (s_queued_bytes (self) + ddc_buf_len (c->rx) > WS_QUEUE_MAX) {
            ddc_warn ("gateway: %zu bytes of events not processed: dropping the connection",
                      s_queued_bytes (self));
            c->close_wanted = true;
            c->close_code = 4000;
            ddc_strlcpy (c->close_reason, "backlog", sizeof (c->close_reason));
            lws_callback_on_writable (wsi);
            return;
        }
        ws_event_t *ev = ddc_calloc (1, sizeof (*ev));
        ev->kind = WS_EV_MESSAGE;
        ev->conn = c->id;
        ev->binary = c->rx_binary;
        ev->data = ddc_buf_release (&c->rx, &ev->len);
        s_emit (self, ev);
    }
}

static int
s_callback (struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void) user;
    struct lws_context *ctx = lws_get_context (wsi);
    ws_t *self = ctx ? lws_context_user (ctx) : NULL;
    if (!self)
        return 0;
    s_conn_t *c = NULL;
    if (reason != LWS_CALLBACK_EVENT_WAIT_CANCELLED && wsi)
        c = lws_get_opaque_user_data (wsi);
    switch (reason) {
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            s_run_commands (self);
            break;
        case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS: {
            //  The system's hashed CA folder, read lazily (one file per issuer
            //  when needed) instead of the whole bundle in memory.
            const char *dir = getenv (X509_get_default_cert_dir_env ());
            if (!dir || !*dir)
                dir = X509_get_default_cert_dir ();
            if (user && SSL_CTX_load_verify_locations ((SSL_CTX *) user, NULL, dir) != 1)
                ddc_warn ("gateway: cannot use the CA folder %s: wss:// will fail", dir);
            break;
        }
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            if (!c)
                return -1;
            c->open = true;
            if (c->close_wanted || c->out_head)
                lws_callback_on_writable (wsi);
            s_emit_simple (self, WS_EV_OPEN, c->id, 0, false, NULL);
            break;
        case LWS_CALLBACK_CLIENT_RECEIVE:
            if (!c)
                return -1;
            s_receive (self, c, wsi, in, len);
            break;
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            if (!c)
                return -1;
            if (c->close_wanted) {
                size_t rlen = strlen (c->close_reason);
                lws_close_reason (wsi, (enum lws_close_status) c->close_code,
                                  (unsigned char *) c->close_reason, rlen);
                return -1;
            }
            if (c->out_head) {
                s_frame_t *f = c->out_head;
                c->out_head = f->next;
                if (!c->out_head)
                    c->out_tail = NULL;
                c->nout--;
                int n = lws_write (wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
                free (f);
                if (n < 0)
                    return -1;
                if (c->out_head)
                    lws_callback_on_writable (wsi);
            }
            break;
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            if (c && in && len >= 2) {
                const unsigned char *p = in;
                c->peer_code = (p [0] << 8) | p [1];
                size_t rl =
                    len - 2 < sizeof (c->peer_reason) - 1 ? len - 2 : sizeof (c->peer_reason) - 1;
                memcpy (c->peer_reason, p + 2, rl);
                c->peer_reason [rl] = '\0';
            }
            break;
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            if (c) {
                char msg [128];
                snprintf (msg, sizeof (msg), "%.120s",
                          in && len ? (const char *) in : "connection failed");
                s_conn_end (self, c, 1006, false, msg);
            }
            break;
        case LWS_CALLBACK_CLIENT_CLOSED:
            if (c) {
                if (c->close_wanted)
                    s_conn_end (self, c, c->close_code, true, c->close_reason);
                else if (c->peer_code)
                    s_conn_end (self, c, c->peer_code, false, c->peer_reason);
                else
                    s_conn_end (self, c, 1006, false, "connection dropped");
            }
            break;
        case LWS_CALLBACK_WSI_DESTROY:
            if (c)
                s_conn_end (self, c, c->close_wanted ? c->close_code : 1006, c->close_wanted,
                            "connection gone");
            break;
        default:
            break;
    }
    return 0;
}

static const struct lws_protocols s_protocols [] = {
    { "ddc-gateway", s_callback, 0, 16384, 0, NULL, 0 }, { NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
s_lws_log (int level, const char *line)
{
    char buf [256];
    ddc_strlcpy (buf, line, sizeof (buf));
    size_t n = strlen (buf);
    while (n && (buf [n - 1] == '\n' || buf [n - 1] == '\r'))
        buf [--n] = '\0';
    if (level & LLL_ERR)
        ddc_warn ("lws: %s", buf);
    else
        ddc_debug ("lws: %s", buf);
}

//  The context is made when the first connection is asked for, with TLS
//  only when that url is wss:// (no token, no context; a ws:// gateway in
//  tests, no TLS memory). Returns NULL (logged) on failure.
static struct lws_context *
s_context (ws_t *self, bool tls)
{
    struct lws_context_creation_info info;
    memset (&info, 0, sizeof (info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = s_protocols;
    info.gid = -1;
    info.uid = -1;
    info.user = self;
    info.options = tls ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
    info.fd_limit_per_thread = 32;
    info.connect_timeout_secs = 15;
    info.timeout_secs = 15;
    struct lws_context *ctx = lws_create_context (&info);
    if (!ctx)
        ddc_error ("gateway: cannot create the libwebsockets context%s", tls ? " (TLS)" : "");
    return ctx;
}

//  Wait for the first CONNECT; true when it asks for wss://.
static bool
s_wait_first (ws_t *self)
{
    bool tls = false;
    pthread_mutex_lock (&self->mu);
    while (!atomic_load (&self->stop)) {
        for (s_cmd_t *c = self->cmd_head; c; c = c->next)
            if (c->kind == CMD_CONNECT) {
                tls = strncmp (c->data, "wss://", 6) == 0;
                pthread_mutex_unlock (&self->mu);
                return tls;
            }
        pthread_cond_wait (&self->cond, &self->mu);
    }
    pthread_mutex_unlock (&self->mu);
    return tls;
}

//  No context could be made: every connection asked for fails.
static void
s_fail_commands (ws_t *self)
{
    pthread_mutex_lock (&self->mu);
    s_cmd_t *cmd = self->cmd_head;
    self->cmd_head = self->cmd_tail = NULL;
    pthread_mutex_unlock (&self->mu);
    while (cmd) {
        s_cmd_t *next = cmd->next;
        if (cmd->kind == CMD_CONNECT)
            s_emit_simple (self, WS_EV_CLOSED, cmd->conn, 1006, false,
                           "cannot set up libwebsockets");
        free (cmd->data);
        free (cmd);
        cmd = next;
    }
}

static void *
s_thread (void *arg)
{
    ws_t *self = arg;
    struct lws_context *ctx = NULL;
    bool tls = s_wait_first (self);
    while (!atomic_load (&self->stop)) {
        ctx = s_context (self, tls);
        if (ctx)
            break;
        s_fail_commands (self);
        tls = s_wait_first (self);
    }
    if (!ctx)
        return NULL;
    pthread_mutex_lock (&self->mu);
    self->ctx = ctx;
    pthread_mutex_unlock (&self->mu);
    if (tls)
        ddc_debug ("gateway: libwebsockets context with TLS");
    s_run_commands (self);
    while (!atomic_load (&self->stop)) {
        lws_service (ctx, 0);
        s_sweep (self);
    }
    lws_context_destroy (ctx);
    pthread_mutex_lock (&self->mu);
    self->ctx = NULL;
    pthread_mutex_unlock (&self->mu);
    for (s_conn_t *c = self->conns; c; c = c->next)
        if (!c->ended) {
            c->wsi = NULL;
            s_conn_end (self, c, 1006, false, "stopped");
        }
    s_sweep (self);
    return NULL;
}

//  --------------------------------------------------------------------------
//  Main thread API

ws_t *
ws_new (void)
{
    lws_set_log_level (LLL_ERR | LLL_WARN, s_lws_log);
    ws_t *self = ddc_calloc (1, sizeof (*self));
    pthread_mutex_init (&self->mu, NULL);
    pthread_cond_init (&self->cond, NULL);
    atomic_init (&self->stop, false);
    self->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (self->efd < 0) {
        ddc_error ("gateway: eventfd: %s", strerror (errno));
        ws_destroy (&self);
        return NULL;
    }
    if (pthread_create (&self->thread, NULL, s_thread, self) != 0) {
        ddc_error ("gateway: cannot start the WebSocket thread");
        ws_destroy (&self);
        return NULL;
    }
    self->thread_started = true;
    return self;
}

void
ws_destroy (ws_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ws_t *self = *self_p;
    if (self->thread_started) {
        atomic_store (&self->stop, true);
        pthread_mutex_lock (&self->mu);
        if (self->ctx)
            lws_cancel_service (self->ctx);
        pthread_cond_broadcast (&self->cond);
        pthread_mutex_unlock (&self->mu);
        pthread_join (self->thread, NULL);
    }
    while (self->cmd_head) {
        s_cmd_t *c = self->cmd_head;
        self->cmd_head = c->next;
        free (c->data);
        free (c);
    }
    while (self->ev_head) {
        s_evnode_t *n = self->ev_head;
        self->ev_head = n->next;
        ws_event_free (&n->ev);
        free (n);
    }
    if (self->efd >= 0)
        close (self->efd);
    pthread_mutex_destroy (&self->mu);
    pthread_cond_destroy (&self->cond);
    free (self);
    *self_p = NULL;
}

int
ws_fd (ws_t *self)
{
    return self->efd;
}

static void
s_push_cmd (ws_t *self, s_cmd_t *cmd)
{
    pthread_mutex_lock (&self->mu);
    if (self->cmd_tail)
        self->cmd_tail->next = cmd;
    else
        self->cmd_head = cmd;
    self->cmd_tail = cmd;
    if (self->ctx)
        lws_cancel_service (self->ctx);
    else
        pthread_cond_broadcast (&self->cond);
    pthread_mutex_unlock (&self->mu);
}

uint32_t
ws_connect (ws_t *self, const char *url)
{
    if (!url || strlen (url) >= S_URL_MAX)
        return 0;
    if (strncmp (url, "ws://", 5) != 0 && strncmp (url, "wss://", 6) != 0)
        return 0;
    s_cmd_t *cmd = ddc_calloc (1, sizeof (*cmd));
    cmd->kind = CMD_CONNECT;
    pthread_mutex_lock (&self->mu);
    if (++self->next_id == 0)
        self->next_id = 1;
    cmd->conn = self->next_id;
    pthread_mutex_unlock (&self->mu);
    cmd->data = ddc_strdup (url);
    uint32_t id = cmd->conn;
    s_push_cmd (self, cmd);
    return id;
}

int
ws_send (ws_t *self, uint32_t conn, const char *text, size_t len)
{
    if (!conn || !text)
        return -1;
    s_cmd_t *cmd = ddc_calloc (1, sizeof (*cmd));
    cmd->kind = CMD_SEND;
    cmd->conn = conn;
    //  len bytes exactly (a NUL inside would make a string copy shorter
    //  than the frame s_do_send copies).
    cmd->data = ddc_malloc (len + 1);
    memcpy (cmd->data, text, len);
    cmd->data [len] = '\0';
    cmd->len = len;
    s_push_cmd (self, cmd);
    return 0;
}

void
ws_close (ws_t *self, uint32_t conn, int code, const char *reason)
{
    if (!conn)
        return;
    s_cmd_t *cmd = ddc_calloc (1, sizeof (*cmd));
    cmd->kind = CMD_CLOSE;
    cmd->conn = conn;
    cmd->code = code;
    ddc_strlcpy (cmd->reason, reason ? reason : "", sizeof (cmd->reason));
    s_push_cmd (self, cmd);
}

ws_event_t *
ws_next (ws_t *self)
{
    pthread_mutex_lock (&self->mu);
    s_evnode_t *n = self->ev_head;
    if (n) {
        self->ev_head = n->next;
        if (!self->ev_head)
            self->ev_tail = NULL;
        self->ev_bytes -= n->ev->len + sizeof (*n->ev);
    }
    else {
        uint64_t v;
        ssize_t r = read (self->efd, &v, sizeof (v));
        (void) r;
    }
    pthread_mutex_unlock (&self->mu);
    if (!n)
        return NULL;
    ws_event_t *ev = n->ev;
    free (n);
    return ev;
}
