/*  zmon: the ZeroMQ events of the broker's sockets. See zmon.h. */
#include "zmon.h"
#include "endpoints.h"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"

#include <assert.h>
#include <string.h>

#define S_SOCKS 2        //  CTL and PUB
#define S_PENDING 64     //  handshakes under way tracked a socket
#define S_BATCH_START 16 //  events a batch holds at first; doubled to ZMON_BATCH

typedef enum {
    E_ACCEPTED,
    E_ACCEPT_FAILED,
    E_DISCONNECTED,
    E_HANDSHAKE_SUCCEEDED,
    E_HANDSHAKE_FAILED_AUTH,
    E_HANDSHAKE_FAILED_PROTOCOL,
    E_HANDSHAKE_FAILED,
    E_COUNT
} s_event_t;

static const char *const s_names [E_COUNT] = { "accepted",
                                               "accept_failed",
                                               "disconnected",
                                               "handshake_succeeded",
                                               "handshake_failed_auth",
                                               "handshake_failed_protocol",
                                               "handshake_failed" };

typedef struct { //  one event as libzmq sent it
    uint16_t event;
    uint32_t value;
    char endpoint [128];
    char peer [96]; //  an accepted connection's, looked up
} s_raw_t;

typedef struct {
    char name [8];    //  "ctl", "pub"
    zsock_t *watched; //  the broker's socket (borrowed)
    zsock_t *pair;    //  the monitor's events
    endpoints_t *endpoints;
    uint64_t counts [E_COUNT];
    double tokens; //  events it may publish now
    int64_t refill_ms;
    uint64_t suppressed [E_COUNT];
    uint64_t suppressed_n;
    int64_t suppressed_since; //  wall ms of the first one suppressed
    int pending [S_PENDING];  //  accepted, handshake not over yet (fds)
    int npending;
    bool pending_lost; //  more than S_PENDING: not all are known
    s_raw_t *batch;    //  events read, not yet handled (grown as floods need)
    int nbatch, batch_cap;
} s_sock_t;

struct zmon_t {
    zloop_t *loop;
    zsock_t *pub;
    zap_t *zap;
    refused_t *refused;
    loopstat_t *loopstat;
    s_sock_t socks [S_SOCKS];
    int nsocks;
    zhashx_t *conns; //  fd (text) -> the peer's address
    uint64_t published, suppressed;
    uint64_t *sent; //  the broker's count of mon/ messages
    int timer;
};

static int s_on_events (zloop_t *loop, zsock_t *sock, void *arg);
static int s_on_second (zloop_t *loop, int timer_id, void *arg);

zmon_t *
zmon_new (zloop_t *loop, zsock_t *pub, zap_t *zap, refused_t *refused, loopstat_t *loopstat,
          uint64_t *sent)
{
    zmon_t *self = ddc_calloc (1, sizeof (*self));
    self->sent = sent;
    self->loop = loop;
    self->pub = pub;
    self->zap = zap;
    self->refused = refused;
    self->loopstat = loopstat;
    self->conns = zhashx_new ();
    zhashx_set_destructor (self->conns, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_duplicator (self->conns, (zhashx_duplicator_fn *) strdup);
    self->timer = zloop_timer (loop, 1000, 0, s_on_second, self);
    return self;
}

void
zmon_destroy (zmon_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zmon_t *self = *self_p;
    for (int i = 0; i < self->nsocks; i++) {
        //  libzmq stops sending first: no event waits for a reader then.
        //  It sends an event with a lock held, waiting while the queue is
        //  full, and stopping takes that lock: the queue is emptied just
        //  before, so that a sender waiting on it gets through.
        char skip [256];
        while (zmq_recv (zsock_resolve (self->socks [i].pair), skip, sizeof (skip), ZMQ_DONTWAIT)
               >= 0)
            ;
        zmq_socket_monitor (zsock_resolve (self->socks [i].watched), NULL, 0);
        zloop_reader_end (self->loop, self->socks [i].pair);
        zsock_destroy (&self->socks [i].pair);
        endpoints_destroy (&self->socks [i].endpoints);
        free (self->socks [i].batch);
    }
    if (self->timer >= 0)
        zloop_timer_end (self->loop, self->timer);
    zhashx_destroy (&self->conns);
    free (self);
    *self_p = NULL;
}

int
zmon_watch (zmon_t *self, zsock_t *sock, const char *name, const char *endpoints, char *err,
            size_t errlen)
{
    static int counter; //  inproc names are per process
    if (self->nsocks == S_SOCKS) {
        snprintf (err, errlen, "cannot monitor more sockets");
        return -1;
    }
    char inproc [96];
    snprintf (inproc, sizeof (inproc), "inproc://ddc-zmon-%s-%d", name, ++counter);
    int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_DISCONNECTED
                 | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                 | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor (zsock_resolve (sock), inproc, events) < 0) {
        snprintf (err, errlen, "cannot monitor the %s socket: %s", name,
                  zmq_strerror (zmq_errno ()));
        return -1;
    }
    s_sock_t *s = &self->socks [self->nsocks];
    memset (s, 0, sizeof (*s));
    s->pair = zsock_new (ZMQ_PAIR);
    if (!s->pair) {
        zmq_socket_monitor (zsock_resolve (sock), NULL, 0);
        snprintf (err, errlen, "cannot monitor the %s socket", name);
        return -1;
    }
    //  libzmq's I/O thread waits while this queue is full: the loop reads
    //  it at every turn, so it drains within milliseconds.
    zsock_set_rcvhwm (s->pair, ZMON_QUEUE);
    zsock_set_linger (s->pair, 0);
    if (zsock_connect (s->pair, "%s", inproc) < 0) {
        zmq_socket_monitor (zsock_resolve (sock), NULL, 0);
        zsock_destroy (&s->pair);
        snprintf (err, errlen, "cannot monitor the %s socket", name);
        return -1;
    }
    ddc_strlcpy (s->name, name, sizeof (s->name));
    s->watched = sock;
    s->endpoints = endpoints_new (endpoints);
    s->tokens = ZMON_RATE;
    s->refill_ms = ddc_mono_ms ();
    zloop_reader (self->loop, s->pair, s_on_events, self);
    self->nsocks++;
    return 0;
}

//  --------------------------------------------------------------- events

//  A protocol error in words (libzmq's ZMQ_PROTOCOL_ERROR_*).
static const char *
s_protocol_error (uint32_t code)
{
    switch (code) {
        case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
            return "the peer uses another security mechanism (CURVE on one side only)";
        case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
            return "a CURVE handshake that does not decrypt (the client has another server key)";
        case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
            return "a failed CURVE key exchange";
        case ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND:
        case ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE:
            return "an unexpected ZMTP command (not a ZeroMQ peer of this kind?)";
        case ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA:
            return "invalid ZMTP metadata";
        default:
            if ((code & 0xFFFFFFF0u) == 0x10000010u)
                return "a malformed ZMTP command";
            if ((code & 0xF0000000u) == 0x20000000u)
                return "a ZAP handler error";
            return "a ZMTP protocol error";
    }
}

//  Forget fd among the handshakes under way.
static void
s_pending_drop (s_sock_t *s, int fd)
{
    for (int i = 0; i < s->npending; i++)
        if (s->pending [i] == fd) {
            memmove (&s->pending [i], &s->pending [i + 1],
                     (size_t) (s->npending - i - 1) * sizeof (s->pending [0]));
            s->npending--;
            return;
        }
}

//  A handshake is over: it is taken to be the oldest under way (they end
//  in about the order they began). Its peer is named only when it was the
//  only one under way, so that no event names a wrong peer.
static bool
s_handshake_peer (zmon_t *self, s_sock_t *s, char *out, size_t size)
{
    if (s->npending == 0)
        return false;
    bool only = s->npending == 1 && !s->pending_lost;
    char key [16];
    snprintf (key, sizeof (key), "%d", s->pending [0]);
    s_pending_drop (s, s->pending [0]);
    if (s->npending == 0)
        s->pending_lost = false;
    const char *address = only ? zhashx_lookup (self->conns, key) : NULL;
    if (address)
        ddc_strlcpy (out, address, size);
    return address != NULL;
}

void
zmon_publish (zmon_t *self, const char *topic, cJSON **body_p)
{
    assert (topic);
    assert (body_p);
    char *text = self && *body_p ? ddc_json_print (*body_p) : NULL;
    cJSON_Delete (*body_p);
    *body_p = NULL;
    zmsg_t *zmsg = text ? ddc_msg_buildv (DDC_MONPUB, topic, text, NULL) : NULL;
    free (text);
    if (zmsg && zmsg_send (&zmsg, self->pub) == 0) {
        self->published++;
        (*self->sent)++;
    }
    zmsg_destroy (&zmsg);
}

//  Publish *body_p as mon/zmq/<socket>/ (destroyed, set to NULL).
static void
s_send (zmon_t *self, s_sock_t *s, cJSON **body_p)
{
    char topic [32];
    snprintf (topic, sizeof (topic), "mon/zmq/%s/", s->name);
    zmon_publish (self, topic, body_p);
}

//  Publish (or count, over the rate) one event.
static void
s_publish (zmon_t *self, s_sock_t *s, s_event_t ev, const char *endpoint, const char *address,
           const char *detail)
{
    int64_t now = ddc_mono_ms ();
    s->tokens += (double) (now - s->refill_ms) * ZMON_RATE / 1000.0;
    if (s->tokens > ZMON_RATE)
        s->tokens = ZMON_RATE;
    s->refill_ms = now;
    if (s->tokens < 1) {
        if (!s->suppressed_n)
            s->suppressed_since = ddc_wall_ms ();
        s->suppressed [ev]++;
        s->suppressed_n++;
        self->suppressed++;
        return;
    }
    s->tokens -= 1;
    cJSON *body = cJSON_CreateObject ();
    char when [32];
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON_AddStringToObject (body, "socket", s->name);
    cJSON_AddStringToObject (body, "event", s_names [ev]);
    cJSON_AddStringToObject (body, "time", when);
    cJSON_AddStringToObject (body, "endpoint", endpoint);
    if (address)
        cJSON_AddStringToObject (body, "address", address);
    else
        cJSON_AddNullToObject (body, "address");
    if (detail)
        cJSON_AddStringToObject (body, "detail", detail);
    else
        cJSON_AddNullToObject (body, "detail");
    s_send (self, s, &body);
}

//  One event of socket s: value is libzmq's (an fd, an errno, a status or
//  protocol code), endpoint the local endpoint it names; peer, for an
//  accepted connection, its other end as looked up (NULL: unknown).
static void
s_event (zmon_t *self, s_sock_t *s, uint16_t event, uint32_t value, const char *endpoint,
         const char *peer)
{
    char key [16], address [128] = "", detail [160] = "";
    snprintf (key, sizeof (key), "%u", value);
    bool have = false;
    s_event_t ev;
    switch (event) {
        case ZMQ_EVENT_ACCEPTED:
            ev = E_ACCEPTED;
            zhashx_delete (self->conns, key);
            if (peer) {
                ddc_strlcpy (address, peer, sizeof (address));
                have = true;
                if (zhashx_size (self->conns) < ZMON_CONNS_MAX)
                    zhashx_insert (self->conns, key, address);
            }
            s_pending_drop (s, (int) value);
            if (s->npending == S_PENDING) {
                s_pending_drop (s, s->pending [0]);
                s->pending_lost = true;
            }
            s->pending [s->npending++] = (int) value;
            break;
        case ZMQ_EVENT_ACCEPT_FAILED:
            ev = E_ACCEPT_FAILED;
            snprintf (detail, sizeof (detail), "%s", strerror ((int) value));
            break;
        case ZMQ_EVENT_DISCONNECTED: {
            ev = E_DISCONNECTED;
            const char *known = zhashx_lookup (self->conns, key);
            if (known) {
                ddc_strlcpy (address, known, sizeof (address));
                have = true;
                zhashx_delete (self->conns, key);
            }
            s_pending_drop (s, (int) value);
            break;
        }
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            ev = E_HANDSHAKE_SUCCEEDED;
            have = s_handshake_peer (self, s, address, sizeof (address));
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            ev = E_HANDSHAKE_FAILED_AUTH;
            snprintf (detail, sizeof (detail), "the ZAP handler refused the handshake (status %u)",
                      value);
            have = s_handshake_peer (self, s, address, sizeof (address));
            //  The refusal itself names the address libzmq gave the handler.
            char zap_address [96];
            if (self->zap && zap_take_refused (self->zap, zap_address, sizeof (zap_address))
                && !have) {
                ddc_strlcpy (address, zap_address, sizeof (address));
                have = true;
            }
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            ev = E_HANDSHAKE_FAILED_PROTOCOL;
            snprintf (detail, sizeof (detail), "%s", s_protocol_error (value));
            have = s_handshake_peer (self, s, address, sizeof (address));
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            ev = E_HANDSHAKE_FAILED;
            if (value)
                snprintf (detail, sizeof (detail), "%s", strerror ((int) value));
            have = s_handshake_peer (self, s, address, sizeof (address));
            break;
        default:
            return;
    }
    s->counts [ev]++;
    if (ev == E_HANDSHAKE_FAILED_PROTOCOL) {
        char reason [448];
        snprintf (reason, sizeof (reason), "handshake on %s failed: %s", endpoint, detail);
        refused_add (self->refused, have ? address : NULL, NULL, reason);
    }
    s_publish (self, s, ev, endpoint, have ? address : NULL, detail [0] ? detail : NULL);
}

//  Append the events waiting on s's monitor socket to the batch, as many
//  as fit. false when some were left (the batch is full).
static bool
s_read (s_sock_t *s)
{
    void *handle = zsock_resolve (s->pair);
    while (s->nbatch < ZMON_BATCH) {
        //  frame 1: the event (16 bits) and its value (32 bits); frame 2:
        //  the endpoint
        unsigned char head [6];
        int n = zmq_recv (handle, head, sizeof (head), ZMQ_DONTWAIT);
        if (n < 0)
            return true;
        if (s->nbatch == s->batch_cap) {
            s->batch_cap = s->batch_cap ? 2 * s->batch_cap : S_BATCH_START;
            if (s->batch_cap > ZMON_BATCH)
                s->batch_cap = ZMON_BATCH;
            s->batch = ddc_realloc (s->batch, (size_t) s->batch_cap * sizeof (*s->batch));
        }
        s_raw_t *raw = &s->batch [s->nbatch];
        raw->endpoint [0] = '\0';
        raw->peer [0] = '\0';
        if (zsock_rcvmore (s->pair)) {
            int m = zmq_recv (handle, raw->endpoint, sizeof (raw->endpoint) - 1, ZMQ_DONTWAIT);
            m = m < 0 ? 0 : m < (int) sizeof (raw->endpoint) ? m : (int) sizeof (raw->endpoint) - 1;
            raw->endpoint [m] = '\0';
            while (zsock_rcvmore (s->pair)) {
                char skip [8];
                if (zmq_recv (handle, skip, sizeof (skip), ZMQ_DONTWAIT) < 0)
                    break;
            }
        }
        if (n != (int) sizeof (head))
            continue;
        memcpy (&raw->event, head, sizeof (raw->event));
        memcpy (&raw->value, head + sizeof (raw->event), sizeof (raw->value));
        s->nbatch++;
    }
    return false;
}

//  true when the connection of the accepted event at i is closed by an
//  event in [from, to) of the batch.
static bool
s_closed_in (s_sock_t *s, int i, int from, int to)
{
    for (int j = from > i + 1 ? from : i + 1; j < to; j++)
        if (s->batch [j].event == ZMQ_EVENT_DISCONNECTED && s->batch [j].value == s->batch [i].value)
            return true;
    return false;
}

//  The peers of the connections accepted in [0, n) of the batch, read from
//  their descriptors now, unless the batch already holds their closing
//  (the descriptor may be another connection's by now).
static void
s_look_up (s_sock_t *s, int n)
{
    for (int i = 0; i < n; i++) {
        s_raw_t *raw = &s->batch [i];
        endpoints_peer_t peer;
        if (raw->event == ZMQ_EVENT_ACCEPTED && !raw->peer [0] && !s_closed_in (s, i, 0, n)
            && endpoints_fd_peer (s->endpoints, (int) raw->value, &peer))
            endpoints_peer_text (&peer, raw->peer, sizeof (raw->peer));
    }
}

//  libzmq queues a connection's closing before it closes the descriptor. A
//  peer looked up for [0, n) is sure when the events read after the look-up
//  do not close that connection (read to the end: none was left behind);
//  otherwise the descriptor may have been reused, and the peer is dropped.
static void
s_check (s_sock_t *s, int n, bool complete)
{
    for (int i = 0; i < n; i++)
        if (s->batch [i].peer [0] && (!complete || s_closed_in (s, i, n, s->nbatch)))
            s->batch [i].peer [0] = '\0';
}

static int
s_on_events (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    zmon_t *self = arg;
    s_sock_t *s = NULL;
    for (int i = 0; i < self->nsocks && !s; i++)
        if (self->socks [i].pair == sock)
            s = &self->socks [i];
    if (!s)
        return 0;
    loopstat_step_t start = loopstat_begin ();
    int64_t begin = ddc_mono_ms ();
    s->nbatch = 0;
    s_read (s);
    int n = s->nbatch;
    s_look_up (s, n);
    while (n > 0) {
        //  what came meanwhile checks the look-ups; then [0, n) is final
        bool complete = s_read (s);
        bool over = ddc_mono_ms () - begin >= ZMON_STEP_MS;
        s_check (s, n, complete && !over);
        if (over)
            n = s->nbatch; //  the rest goes out unlooked-up
        for (int i = 0; i < n; i++) {
            s_raw_t *raw = &s->batch [i];
            s_event (self, s, raw->event, raw->value, raw->endpoint,
                     raw->peer [0] ? raw->peer : NULL);
        }
        memmove (&s->batch [0], &s->batch [n], (size_t) (s->nbatch - n) * sizeof (s->batch [0]));
        s->nbatch -= n;
        n = s->nbatch;
        s_look_up (s, n);
    }
    loopstat_done (self->loopstat, &start, "socket events");
    return 0;
}

//  Once a second: what each socket did not publish, summed up.
static int
s_on_second (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    zmon_t *self = arg;
    for (int i = 0; i < self->nsocks; i++) {
        s_sock_t *s = &self->socks [i];
        if (!s->suppressed_n)
            continue;
        cJSON *body = cJSON_CreateObject ();
        char when [32], since [32];
        ddc_iso_time (ddc_wall_ms (), when);
        ddc_iso_time (s->suppressed_since, since);
        cJSON_AddStringToObject (body, "socket", s->name);
        cJSON_AddStringToObject (body, "event", "suppressed");
        cJSON_AddStringToObject (body, "time", when);
        cJSON_AddStringToObject (body, "since", since);
        cJSON_AddNumberToObject (body, "count", (double) s->suppressed_n);
        cJSON *by = cJSON_AddObjectToObject (body, "events");
        for (int e = 0; e < E_COUNT; e++)
            if (s->suppressed [e])
                cJSON_AddNumberToObject (by, s_names [e], (double) s->suppressed [e]);
        s_send (self, s, &body);
        ddc_debug ("socket events: %llu on %s over the rate, summed up",
                   (unsigned long long) s->suppressed_n, s->name);
        memset (s->suppressed, 0, sizeof (s->suppressed));
        s->suppressed_n = 0;
    }
    return 0;
}

cJSON *
zmon_status (zmon_t *self)
{
    cJSON *out = cJSON_CreateObject ();
    for (int i = 0; i < self->nsocks; i++) {
        cJSON *counts = cJSON_AddObjectToObject (out, self->socks [i].name);
        for (int e = 0; e < E_COUNT; e++)
            cJSON_AddNumberToObject (counts, s_names [e], (double) self->socks [i].counts [e]);
    }
    cJSON_AddNumberToObject (out, "published", (double) self->published);
    cJSON_AddNumberToObject (out, "suppressed", (double) self->suppressed);
    cJSON_AddNumberToObject (out, "connections", (double) zhashx_size (self->conns));
    cJSON_AddNumberToObject (out, "rate", ZMON_RATE);
    return out;
}
