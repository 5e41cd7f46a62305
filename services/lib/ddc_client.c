/*  ddc_client: the subscriber and requester of DDCP/1 (proto/ddcp.md,
    section 7). See ddc_client.h for the API.

    Owns: the DEALER (CTL) and SUB (PUB) sockets, the HELLO/WELCOME cycle,
    the per-section chain (applied, rejected and link revisions), the
    SNAPSHOT scheduling (one in flight at a time, at most 2 a second), the
    updates buffered while a snapshot is in flight, liveness (PING/PONG and
    HUGZ), the queue of pending requests with their retries, the latest
    REPORT per topic, the cache file, and a ZeroMQ socket monitor on each
    socket that tells a refused CURVE handshake from a broker that does
    not answer (and dials again where libzmq gives a refused connection
    up for good).

    Choices the spec leaves open (also documented in the report):
    - on_apply is called only when a section's content differs from the
      value the service runs: a snapshot that brings back the same content
      (after a reconnect, an epoch change, or over a cached value) only
      adopts the new revision and sends APPLIED. A compact client keeps
      each value as text and compares texts (the broker sends a section
      as it stores it, so the same content is the same text).
    - After any HELLO (start, ERROR 401, new boot id, broker unreachable)
      the client resyncs every followed section with one SNAPSHOT.
    - A value rejected at revision r is not offered again at r (the same
      content); r is the chain link for the next prev_rev check.
    - ddc_client_call does not resend an ACTION or a THROTTLE (neither is
      idempotent); other calls are resent on a per-try timeout.
    Memory is bounded: 256 requests, 256 buffered updates (16 MiB), 16
    report topics, 16 status subscriptions, 32 followed sections. */
#include "ddc_client.h"
#include "ddc_fdlimit.h"
#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_keys.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#define S_MAX_REQS 256
#define S_MAX_SECTIONS 32
#define S_MAX_SECTION_NAME 64
#define S_MAX_TOPICS 16
#define S_MAX_STATUS 16
#define S_MAX_BUFFERED 256
#define S_MAX_BUFFERED_BYTES (16 * 1024 * 1024)
#define S_MAX_CACHE (16 * 1024 * 1024)
#define S_MAX_ERRORS_BYTES (64 * 1024)
#define S_BACKOFF_MIN 500      //  internal retries: 0.5 s doubling
#define S_BACKOFF_MAX 8000     //  ... up to 8 s
#define S_BACKOFF_IN_USE 1000  //  HELLO refused with 409: every 1 s
#define S_EAGAIN_MS 100        //  no connection yet: try again soon
#define S_RECONNECT_MS 10      //  libzmq's reconnect interval ...
#define S_RECONNECT_MAX_MS 100 //  ... doubling up to this
#define S_AHEAD_MS 2000        //  hugz ahead, not repaired: SNAPSHOT
#define S_DOWN_HUGZ_MS 3000
#define S_DOWN_PINGS 3
#define S_HUGZ_WAIT_MS 3000  //  give up waiting for the first HUGZ
#define S_START_DOWN_MS 3000 //  no WELCOME at start: DISCONNECTED
#define S_MAX_TICK_MS 1000
#define S_CACHE_DELAY_MS 1000 //  a change reaches the cache file this much later
#define S_CUT_OFFS 2          //  CURVE handshakes cut off in a row = refused
#define S_REDIAL_MIN 1000     //  after a refusal libzmq gives up: dial again
#define S_REDIAL_MAX 30000    //  ... backing off to 30 s
#define S_MON_EVENTS                                                              \
    (ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED \
     | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL \
     | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)

enum { S_LINK_CTL, S_LINK_SUB, S_LINKS };

typedef struct {
    char *id;
    zmsg_t *msg;        //  kept for resends
    int64_t timeout_ms; //  per try
    int tries_left;
    int64_t deadline; //  end of the current try
    bool sent;        //  sent during the current try
    bool steal;       //  ddc_client_call: arg is ddc_msg_t **
    ddc_reply_fn *reply;
    void *arg;
} s_req_t;

typedef struct {
    char *name;
    cJSON *value;           //  accepted value (not compact) or NULL
    char *text;             //  accepted value's text (compact) or NULL
    cJSON *parsed;          //  compact: text parsed for ddc_client_section
    uint64_t rev;           //  revision of value
    uint64_t link_rev;      //  last revision applied or rejected
    uint64_t rejected_rev;  //  0 or the rejected revision
    cJSON *rejected_errors; //  errors sent with it
    bool from_cache;
    bool secret;         //  the role reads a secret field of it
    bool wanted;         //  needs a SNAPSHOT
    bool in_flight;      //  part of the SNAPSHOT in flight
    bool missing;        //  the broker left it out of STATE
    int64_t ahead_since; //  HUGZ showed a newer rev; 0 = no
    uint64_t ahead_rev;
} s_section_t;

typedef struct {
    char *topic;
    char *body; //  JSON text
} s_report_t;

//  What the socket monitor of one socket (CTL or SUB) tells.
typedef struct {
    zsock_t *pipe;        //  PAIR end of the monitor, or NULL
    bool up;              //  CONNECTED since the last DISCONNECTED
    int cut_offs;         //  CURVE handshakes cut off in a row
    char refused [640];   //  why the handshake is refused, or ""
    char last [640];      //  the last refusal, kept once accepted
    int64_t refused_wall; //  its time, wall clock ms
    int64_t redial_at;    //  0, or when to dial again
    int64_t redial_backoff;
} s_link_t;

struct ddc_client_t {
    //  options
    char *broker, *role, *instance, *cache_path, *cert_path, *broker_cert_path;
    ddc_apply_fn *on_apply;
    ddc_event_fn *on_event;
    ddc_action_fn *on_action;
    ddc_status_fn *on_status;
    ddc_mon_fn *on_mon;
    ddc_metrics_fn *on_metrics;
    void *arg;
    bool compact;

    //  sockets
    zsock_t *ctl, *sub;
    zpoller_t *poller;
    char *pub_endpoint; //  from WELCOME, host substituted
    char *sub_endpoint; //  what sub is connected to, or NULL
    bool sub_hugz;      //  subscribed to hugz/

    //  followed sections, status and mon subscriptions
    s_section_t sections [S_MAX_SECTIONS];
    size_t nsections;
    char *status_subs [S_MAX_STATUS];
    size_t nstatus;

    //  connection
    int64_t created;
    bool hello_pending;
    char hello_req [40];
    int64_t hello_next, hello_backoff, hello_sent_at, hello_eagain;
    bool hello_blocked; //  the last try found no connection
    bool welcomed, ever_welcomed, down, synced;
    bool await_hugz;
    int64_t await_since;
    char epoch [17], boot [17];
    uint64_t known_rev;   //  highest global rev seen from broker
    uint64_t applied_rev; //  highest applied global rev
    char *name;
    cJSON *access;
    int64_t heartbeat_ms;
    int64_t next_ping;
    bool ping_outstanding;
    int missed_pings;
    int64_t last_hugz;
    int64_t last_rx; //  last valid message from the broker

    //  snapshot
    bool full_wanted; //  next SNAPSHOT is a full resync
    bool snap_in_flight, snap_full;
    char snap_req [40];
    zmsg_t *snap_msg;
    int64_t snap_deadline, snap_backoff;
    int64_t snap_times [2]; //  the last two first sends

    //  requests and reports
    s_req_t *reqs [S_MAX_REQS];
    size_t nreqs;
    s_report_t reports [S_MAX_TOPICS];
    size_t nreports;

    //  updates received while their section is being snapshotted
    ddc_msg_t *buf [S_MAX_BUFFERED];
    size_t nbuf, buf_bytes;

    //  metrics
    int64_t next_metrics; //  mono ms of the next report; 0 = at once
    int64_t started_wall_ms;
    uint64_t reconnects, resyncs;
    bool metrics_warned;

    //  socket monitors
    s_link_t links [S_LINKS];

    const cJSON *update_props; //  props of the UPDATE being applied

    int depth; //  > 0 while inside a callback
    bool stop;
    bool cache_dirty;
    int64_t cache_due; //  when the pending cache write is due (0: none)
    bool cache_warned;
};

//  ------------------------------------------------------------------------
//  small helpers

static void
s_u64 (char buf [24], uint64_t v)
{
    ddc_buf_fmt_u64 (v, buf);
}

static bool
s_name_ok (const char *s, size_t max, const char *extra_forbidden)
{
    size_t len = s ? strlen (s) : 0;
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                  || strchr ("._@/:*,-", c) != NULL;
        if (!ok || strchr (extra_forbidden, c))
            return false;
    }
    return true;
}

static void
s_event (ddc_client_t *self, ddc_client_event_t ev, const char *detail)
{
    if (ev == DDC_EV_RESYNC)
        self->resyncs++;
    if (!self->on_event)
        return;
    self->depth++;
    self->on_event (self->arg, ev, detail ? detail : "");
    self->depth--;
}

//  Send a copy of msg without blocking; msg is kept. 0 or -1 (EAGAIN when
//  there is no connection: ZMQ_IMMEDIATE is set on CTL).
static int
s_send_copy (zsock_t *sock, zmsg_t *msg)
{
    void *handle = zsock_resolve (sock);
    size_t n = zmsg_size (msg), i = 0;
    for (zframe_t *f = zmsg_first (msg); f; f = zmsg_next (msg), i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
        if (zmq_send (handle, zframe_data (f), zframe_size (f), flags) < 0)
            return -1;
    }
    return 0;
}

//  Send *msg_p, a message that expects no reply (destroyed, *msg_p set to
//  NULL).
static int
s_send_ff (ddc_client_t *self, zmsg_t **msg_p)
{
    assert (msg_p);
    zmsg_t *msg = *msg_p;
    *msg_p = NULL;
    assert (msg); //  frames match the table: programmer error
    int rc = s_send_copy (self->ctl, msg);
    if (rc < 0) {
        char *cmd = zframe_strdup (zmsg_first (msg));
        ddc_debug ("client: could not send %s: %s", cmd, zmq_strerror (errno));
        free (cmd);
    }
    zmsg_destroy (&msg);
    return rc;
}

static s_section_t *
s_section (ddc_client_t *self, const char *name)
{
    for (size_t i = 0; i < self->nsections; i++)
        if (strcmp (self->sections [i].name, name) == 0)
            return &self->sections [i];
    return NULL;
}

//  A value has been accepted for the section (tree or text).
static bool
s_accepted (const s_section_t *s)
{
    return s->value || s->text;
}

//  Forget the trees ddc_client_section parsed from compact texts (they
//  are valid until the next handle or tick).
static void
s_parsed_drop (ddc_client_t *self)
{
    if (self->depth)
        return;
    for (size_t i = 0; i < self->nsections; i++) {
        cJSON_Delete (self->sections [i].parsed);
        self->sections [i].parsed = NULL;
    }
}

//  Keep value as the section's accepted one: the tree, or (compact) its
//  text, given as text (taken, *text_p set to NULL) or printed here when
//  *text_p is NULL. The tree is taken when *tree_p is value (tree_p, when
//  not NULL, is where an UPDATE holds its value; set to NULL), else copied.
static void
s_keep (ddc_client_t *self, s_section_t *s, const cJSON *value, char **text_p, cJSON **tree_p)
{
    cJSON_Delete (s->value);
    s->value = NULL;
    free (s->text);
    s->text = NULL;
    cJSON_Delete (s->parsed);
    s->parsed = NULL;
    if (!self->compact) {
        if (tree_p && *tree_p == value) {
            s->value = *tree_p;
            *tree_p = NULL;
        }
        else
            s->value = cJSON_Duplicate (value, true);
        ddc_keys_share (s->value);
        return;
    }
    s->text = *text_p ? *text_p : ddc_json_print (value);
    *text_p = NULL;
}

static bool
s_json_u64 (const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber (item) || item->valuedouble < 0 || item->valuedouble > 9007199254740992.0)
        return false;
    *out = (uint64_t) item->valuedouble;
    return (double) *out == item->valuedouble;
}

static bool
s_epoch_ok (const char *s)
{
    return s && strlen (s) == 16 && strspn (s, "0123456789abcdef") == 16;
}

//  ------------------------------------------------------------------------
//  cache

//  Write the cache file when the configuration changed: S_CACHE_DELAY_MS
//  after the first change not written yet (the changes of that second in
//  one write, none of it beside the other services applying the same
//  change), or now.
static void
s_cache_write (ddc_client_t *self, bool now)
{
    if (!self->cache_path || !self->cache_dirty || !self->epoch [0])
        return;
    int64_t mono = ddc_mono_ms ();
    if (!self->cache_due)
        self->cache_due = mono + S_CACHE_DELAY_MS;
    if (!now && mono < self->cache_due)
        return;
    self->cache_dirty = false;
    self->cache_due = 0;
    cJSON *root = cJSON_CreateObject ();
    cJSON_AddStringToObject (root, "epoch", self->epoch);
    cJSON_AddNumberToObject (root, "rev", (double) self->applied_rev);
    cJSON *secs = cJSON_AddObjectToObject (root, "sections");
    cJSON *revs = cJSON_AddObjectToObject (root, "revs");
    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        if (!s_accepted (s))
            continue;
        //  the accepted values themselves, not copies: printed as they are
        if (s->text)
            cJSON_AddItemToObject (secs, s->name, cJSON_CreateRaw (s->text));
        else
            cJSON_AddItemReferenceToObject (secs, s->name, s->value);
        cJSON_AddNumberToObject (revs, s->name, (double) s->rev);
    }
    char *text = ddc_json_print (root);
    cJSON_Delete (root);
    if (!text) {
        ddc_warn ("client: could not serialise the cache");
        return;
    }
    if (ddc_write_file_atomic (self->cache_path, text, strlen (text), 0600) < 0) {
        if (!self->cache_warned) {
            char detail [512];
            snprintf (detail, sizeof (detail), "cannot write cache %s: %s", self->cache_path,
                      strerror (errno));
            ddc_warn ("client: %s", detail);
            s_event (self, DDC_EV_ERROR, detail);
        }
        self->cache_warned = true;
    }
    else
        self->cache_warned = false;
    free (text);
}

static void
s_cache_load (ddc_client_t *self)
{
    char *data = NULL;
    size_t len = 0;
    if (ddc_read_file (self->cache_path, S_MAX_CACHE, &data, &len) < 0) {
        if (errno != ENOENT)
            ddc_warn ("client: cannot read cache %s: %s", self->cache_path, strerror (errno));
        return;
    }
    char why [160];
    cJSON *root = ddc_json_parse (data, len, S_MAX_CACHE, why, sizeof (why));
    free (data);
    if (!root) {
        ddc_warn ("client: ignoring cache %s: not valid JSON: %s", self->cache_path, why);
        return;
    }
    const cJSON *epoch = cJSON_GetObjectItemCaseSensitive (root, "epoch");
    const cJSON *secs = cJSON_GetObjectItemCaseSensitive (root, "sections");
    const cJSON *revs = cJSON_GetObjectItemCaseSensitive (root, "revs");
    uint64_t rev = 0;
    if (!cJSON_IsObject (root) || !s_epoch_ok (cJSON_GetStringValue (epoch))
        || !cJSON_IsObject (secs) || !cJSON_IsObject (revs)
        || !s_json_u64 (cJSON_GetObjectItemCaseSensitive (root, "rev"), &rev)) {
        ddc_warn ("client: ignoring cache %s: not a ddc cache file", self->cache_path);
        cJSON_Delete (root);
        return;
    }
    ddc_strlcpy (self->epoch, cJSON_GetStringValue (epoch), sizeof (self->epoch));
    self->applied_rev = rev;
    int loaded = 0;
    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        const cJSON *value = cJSON_GetObjectItemCaseSensitive (secs, s->name);
        uint64_t srev = 0;
        if (!value || !s_json_u64 (cJSON_GetObjectItemCaseSensitive (revs, s->name), &srev))
            continue;
        int rc = 0;
        if (self->on_apply) {
            cJSON *errors = cJSON_CreateArray ();
            self->depth++;
            rc = self->on_apply (self->arg, s->name, value, srev, true, errors);
            self->depth--;
            cJSON_Delete (errors);
        }
        if (rc == 0) {
            char *text = NULL;
            s_keep (self, s, value, &text, NULL);
            s->rev = s->link_rev = srev;
            s->from_cache = true;
            loaded++;
        }
        else
            ddc_warn ("client: cached section %s rev %" PRIu64 " rejected by the service", s->name,
                      srev);
    }
    cJSON_Delete (root);
    ddc_info ("client: loaded %d section(s) from cache %s (epoch %s rev %" PRIu64 ")", loaded,
              self->cache_path, self->epoch, rev);
    s_event (self, DDC_EV_CACHE_LOADED, self->cache_path);
}

//  ------------------------------------------------------------------------
//  requests

static int
s_req_find (ddc_client_t *self, const char *id)
{
    for (size_t i = 0; i < self->nreqs; i++)
        if (strcmp (self->reqs [i]->id, id) == 0)
            return (int) i;
    return -1;
}

static s_req_t *
s_req_remove (ddc_client_t *self, size_t index)
{
    s_req_t *r = self->reqs [index];
    memmove (&self->reqs [index], &self->reqs [index + 1],
             (self->nreqs - index - 1) * sizeof (self->reqs [0]));
    self->nreqs--;
    return r;
}

static void
s_req_free (s_req_t **r_p)
{
    s_req_t *r = *r_p;
    if (!r)
        return;
    free (r->id);
    zmsg_destroy (&r->msg);
    free (r);
    *r_p = NULL;
}

//  Deliver the reply (or NULL) of a removed request and free it.
static void
s_req_finish (ddc_client_t *self, s_req_t *r, ddc_msg_t **reply_p)
{
    if (r->steal) {
        *(ddc_msg_t **) r->arg = reply_p ? *reply_p : NULL;
        if (reply_p)
            *reply_p = NULL;
    }
    else if (r->reply) {
        self->depth++;
        r->reply (r->arg, reply_p ? *reply_p : NULL);
        self->depth--;
    }
    s_req_free (&r);
}

static void
s_req_send (ddc_client_t *self, s_req_t *r)
{
    r->sent = self->welcomed && s_send_copy (self->ctl, r->msg) == 0;
}

//  ------------------------------------------------------------------------
//  snapshots

static bool
s_full_pending (ddc_client_t *self)
{
    return self->full_wanted || (self->snap_in_flight && self->snap_full);
}

static void
s_snap_cancel (ddc_client_t *self)
{
    if (!self->snap_in_flight)
        return;
    for (size_t i = 0; i < self->nsections; i++)
        if (self->sections [i].in_flight) {
            self->sections [i].in_flight = false;
            self->sections [i].wanted = true;
        }
    if (self->snap_full)
        self->full_wanted = true;
    self->snap_in_flight = false;
    zmsg_destroy (&self->snap_msg);
}

//  Forget the revisions of another epoch: they no longer compare.
static void
s_reset_revs (ddc_client_t *self)
{
    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        s->link_rev = 0;
        s->rejected_rev = 0;
        cJSON_Delete (s->rejected_errors);
        s->rejected_errors = NULL;
        s->ahead_since = 0;
    }
    self->known_rev = 0;
    self->applied_rev = 0;
}

//  Resync every followed section. why: the RESYNC detail, or NULL for a
//  normal (re)connection. Idempotent while a full resync is pending.
static void
s_full_resync (ddc_client_t *self, const char *why)
{
    if (self->nsections == 0) {
        self->synced = self->welcomed;
        return;
    }
    if (s_full_pending (self))
        return;
    if (why) {
        ddc_info ("client: full resync: %s", why);
        s_event (self, DDC_EV_RESYNC, why);
    }
    s_snap_cancel (self);
    self->full_wanted = true;
    self->synced = false;
    for (size_t i = 0; i < self->nsections; i++) {
        self->sections [i].wanted = true;
        self->sections [i].missing = false;
        self->sections [i].ahead_since = 0;
    }
}

static void
s_want (ddc_client_t *self, s_section_t *s, const char *why)
{
    if (s->wanted || s->in_flight)
        return;
    s->wanted = true;
    s->ahead_since = 0;
    if (why) {
        ddc_info ("client: resync: %s", why);
        s_event (self, DDC_EV_RESYNC, why);
    }
}

static void
s_snap_send (ddc_client_t *self)
{
    int64_t now = ddc_mono_ms ();
    if (s_send_copy (self->ctl, self->snap_msg) == 0) {
        self->snap_deadline = now + self->snap_backoff;
        self->snap_backoff =
            self->snap_backoff * 2 > S_BACKOFF_MAX ? S_BACKOFF_MAX : self->snap_backoff * 2;
    }
    else
        self->snap_deadline = now + S_EAGAIN_MS;
}

//  Send a SNAPSHOT of the wanted sections when allowed.
static void
s_maybe_snapshot (ddc_client_t *self)
{
    if (!self->welcomed || self->await_hugz || self->snap_in_flight)
        return;
    char list [DDC_MAX_TEXT + 1] = "";
    size_t len = 0;
    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        if (!s->wanted && !self->full_wanted)
            continue;
        len += (size_t) snprintf (list + len, sizeof (list) - len, "%s%s", len ? "," : "", s->name);
    }
    if (len == 0) {
        self->full_wanted = false;
        return;
    }
    int64_t now = ddc_mono_ms ();
    if (self->snap_times [0] && now - self->snap_times [0] < 1000)
        return; //  at most 2 a second (rule 7)
    self->snap_times [0] = self->snap_times [1];
    self->snap_times [1] = now;
    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        if (s->wanted || self->full_wanted) {
            s->wanted = false;
            s->in_flight = true;
            s->ahead_since = 0;
        }
    }
    self->snap_full = self->full_wanted;
    self->full_wanted = false;
    self->snap_in_flight = true;
    ddc_req_id (self->snap_req);
    zmsg_destroy (&self->snap_msg);
    self->snap_msg = ddc_msg_buildv (DDC_SNAPSHOT, self->snap_req, list, NULL);
    assert (self->snap_msg);
    self->snap_backoff = S_BACKOFF_MIN;
    ddc_debug ("client: SNAPSHOT %s", list);
    s_snap_send (self);
}

//  ------------------------------------------------------------------------
//  applying

static void
s_send_applied (ddc_client_t *self, s_section_t *s)
{
    if (!self->welcomed)
        return;
    char req [40], rev [24];
    ddc_req_id (req);
    s_u64 (rev, s->rev);
    //  Sent once per update and service: straight from its frames.
    if (ddc_msg_sendv (zsock_resolve (self->ctl), ZMQ_DONTWAIT, DDC_APPLIED, req, s->name, rev, NULL)
        < 0)
        ddc_debug ("client: could not send APPLIED: %s", zmq_strerror (errno));
}

static void
s_send_rejected (ddc_client_t *self, s_section_t *s)
{
    if (!self->welcomed)
        return;
    char req [40], rev [24], running [24];
    ddc_req_id (req);
    s_u64 (rev, s->rejected_rev);
    s_u64 (running, s_accepted (s) ? s->rev : 0);
    char *errors = s->rejected_errors ? ddc_json_print (s->rejected_errors) : NULL;
    zmsg_t *msg =
        ddc_msg_buildv (DDC_REJECTED, req, s->name, rev, running, errors ? errors : "[]", NULL);
    s_send_ff (self, &msg);
    free (errors);
}

//  Keep a service's error list small enough to send. Takes errors.
static cJSON *
s_bound_errors (cJSON *errors, const char *section)
{
    char *text = cJSON_IsArray (errors) ? ddc_json_print (errors) : NULL;
    bool ok = text && strlen (text) <= S_MAX_ERRORS_BYTES && cJSON_GetArraySize (errors) > 0;
    free (text);
    if (ok)
        return errors;
    bool empty = cJSON_IsArray (errors) && cJSON_GetArraySize (errors) == 0;
    cJSON_Delete (errors);
    cJSON *out = cJSON_CreateArray ();
    cJSON *e = cJSON_CreateObject ();
    cJSON_AddStringToObject (e, "field", section);
    cJSON_AddStringToObject (e, "reason", empty ? "invalid" : "too_many");
    cJSON_AddStringToObject (e, "message",
                             empty ? "rejected by the service" : "too many errors to report");
    cJSON_AddItemToArray (out, e);
    return out;
}

//  Apply one section revision (from STATE, value in its body, or from
//  update, an UPDATE whose value frame's text or tree the client takes
//  to keep instead of printing or copying the value again).
static void
s_apply (ddc_client_t *self, s_section_t *s, const cJSON *value, uint64_t rev, ddc_msg_t *update)
{
    if (s->rejected_rev && rev == s->rejected_rev) {
        //  the content we already refused: say so again, don't retry
        s_send_rejected (self, s);
        return;
    }
    //  compact: the value's text, compared with the accepted one's. The
    //  broker prints a value as ddc_json_print does, so an UPDATE's own
    //  frame is that text, taken instead of printed again (220 KB at
    //  1,000 containers); should a frame be written otherwise, the one cost
    //  is an apply of a value that did not change.
    char *text = NULL;
    if (self->compact && update) {
        text = update->frame [DDC_UPDATE_VALUE];
        update->frame [DDC_UPDATE_VALUE] = NULL;
    }
    else if (self->compact)
        text = ddc_json_print (value);
    bool same = text ? s->text && strcmp (s->text, text) == 0
                     : s->value && cJSON_Compare (s->value, value, true);
    if (same) {
        free (text);
        //  same content (e.g. a resync or a cached value): adopt the rev
        s->rev = s->link_rev = rev;
        s->rejected_rev = 0;
        cJSON_Delete (s->rejected_errors);
        s->rejected_errors = NULL;
        s->from_cache = false;
        if (rev > self->applied_rev)
            self->applied_rev = rev;
        self->cache_dirty = true;
        s_send_applied (self, s);
        return;
    }
    cJSON *errors = cJSON_CreateArray ();
    int rc = 0;
    if (self->on_apply) {
        self->depth++;
        rc = self->on_apply (self->arg, s->name, value, rev, false, errors);
        self->depth--;
    }
    if (rc == 0) {
        cJSON_Delete (errors);
        s_keep (self, s, value, &text, update ? &update->json [DDC_UPDATE_VALUE] : NULL);
        s->rev = s->link_rev = rev;
        s->rejected_rev = 0;
        cJSON_Delete (s->rejected_errors);
        s->rejected_errors = NULL;
        s->from_cache = false;
        if (rev > self->applied_rev)
            self->applied_rev = rev;
        self->cache_dirty = true;
        ddc_debug ("client: applied %s rev %" PRIu64, s->name, rev);
        s_send_applied (self, s);
    }
    else {
        free (text);
        cJSON_Delete (s->rejected_errors);
        s->rejected_errors = s_bound_errors (errors, s->name);
        s->link_rev = s->rejected_rev = rev;
        ddc_warn ("client: rejected %s rev %" PRIu64 " (%d error(s)); still running rev %" PRIu64,
                  s->name, rev, cJSON_GetArraySize (s->rejected_errors),
                  s_accepted (s) ? s->rev : 0);
        s_send_rejected (self, s);
    }
    if (s->ahead_since && s->link_rev >= s->ahead_rev)
        s->ahead_since = 0;
}

//  ------------------------------------------------------------------------
//  HELLO / WELCOME and liveness

static void
s_hello_send (ddc_client_t *self)
{
    int64_t now = ddc_mono_ms ();
    zmsg_t *msg = ddc_msg_buildv (DDC_HELLO, self->hello_req, DDC_PROTO_NAME, self->role,
                                  self->instance, NULL);
    assert (msg);
    self->hello_blocked = s_send_copy (self->ctl, msg) < 0;
    if (!self->hello_blocked) {
        self->hello_sent_at = now;
        self->hello_next = now + self->hello_backoff;
        self->hello_backoff =
            self->hello_backoff * 2 > S_BACKOFF_MAX ? S_BACKOFF_MAX : self->hello_backoff * 2;
    }
    else {
        //  not connected yet: sent as soon as the connection is up (its
        //  arrival wakes the caller's poll on the CTL socket's fd, and
        //  ddc_client_handle sees it), else retried soon (10 ms doubling
        //  to 100 ms)
        self->hello_next = now + self->hello_eagain;
        self->hello_eagain =
            self->hello_eagain * 2 > S_EAGAIN_MS ? S_EAGAIN_MS : self->hello_eagain * 2;
    }
    zmsg_destroy (&msg);
}

//  Start a HELLO cycle; a full resync follows the WELCOME.
static void
s_hello (ddc_client_t *self, const char *why)
{
    if (why)
        ddc_info ("client: HELLO again: %s", why);
    if (why && self->nsections) {
        s_event (self, DDC_EV_RESYNC, why);
    }
    self->welcomed = false;
    self->await_hugz = false;
    s_snap_cancel (self);
    if (self->nsections) {
        self->full_wanted = true;
        self->synced = false;
        for (size_t i = 0; i < self->nsections; i++)
            self->sections [i].wanted = true;
    }
    if (self->hello_pending)
        return;
    self->hello_pending = true;
    ddc_req_id (self->hello_req);
    self->hello_backoff = S_BACKOFF_MIN;
    self->hello_eagain = 10;
    s_hello_send (self);
}

//  ------------------------------------------------------------------------
//  socket monitors: refused handshakes

//  The endpoint the socket of link i is connected to, or NULL.
static const char *
s_link_endpoint (ddc_client_t *self, int i)
{
    return i == S_LINK_CTL ? self->broker : self->sub_endpoint;
}

//  The refusal to show: the CTL socket's, else the SUB socket's, or NULL.
static const char *
s_refused (ddc_client_t *self)
{
    for (int i = 0; i < S_LINKS; i++)
        if (self->links [i].refused [0])
            return self->links [i].refused;
    return NULL;
}

//  The status topic "link", from the first refusal on: the last refusal of
//  each socket and whether it still holds.
static void
s_link_report (ddc_client_t *self)
{
    cJSON *body = cJSON_CreateObject ();
    for (int i = 0; i < S_LINKS; i++) {
        s_link_t *l = &self->links [i];
        if (!l->last [0])
            continue;
        cJSON *o = cJSON_AddObjectToObject (body, i == S_LINK_CTL ? "ctl" : "pub");
        cJSON_AddBoolToObject (o, "refused", l->refused [0] != '\0');
        cJSON_AddStringToObject (o, "reason", l->last);
        char iso [32];
        ddc_iso_time (l->refused_wall, iso);
        cJSON_AddStringToObject (o, "time", iso);
    }
    if (ddc_client_report (self, "link", body) < 0)
        ddc_warn ("client: cannot keep the link report");
    cJSON_Delete (body);
}

//  The handshake on link i was refused (why is the whole sentence). When
//  the broker answered with the refusal (redial), libzmq never dials that
//  endpoint again by itself, so the client does, backing off.
static void
s_refuse (ddc_client_t *self, int i, bool redial, const char *why)
{
    s_link_t *l = &self->links [i];
    if (redial) {
        l->redial_at = ddc_mono_ms () + l->redial_backoff;
        l->redial_backoff =
            l->redial_backoff * 2 > S_REDIAL_MAX ? S_REDIAL_MAX : l->redial_backoff * 2;
    }
    if (strcmp (l->refused, why) == 0)
        return;
    ddc_strlcpy (l->refused, why, sizeof (l->refused));
    ddc_strlcpy (l->last, why, sizeof (l->last));
    l->refused_wall = ddc_wall_ms ();
    ddc_warn ("client: %s", why);
    s_event (self, DDC_EV_REFUSED, why);
    s_link_report (self);
}

//  One event of the monitor of link i.
static void
s_link_event (ddc_client_t *self, int i, unsigned event, uint32_t value, const char *endpoint)
{
    s_link_t *l = &self->links [i];
    const char *cert = self->cert_path;
    char why [640];
    switch (event) {
        case ZMQ_EVENT_CONNECTED:
            l->up = true;
            break;
        case ZMQ_EVENT_DISCONNECTED:
            l->up = false;
            break;
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            l->cut_offs = 0;
            l->redial_at = 0;
            l->redial_backoff = S_REDIAL_MIN;
            if (l->refused [0]) {
                ddc_info ("client: the broker accepts this %s at %s again",
                          cert ? "certificate" : "client", endpoint);
                l->refused [0] = '\0';
                s_link_report (self);
            }
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            if (value == 400)
                snprintf (why, sizeof (why),
                          "the broker refused this certificate (%.200s: the broker "
                          "does not know its public key; it must be in the clients/ folder of the "
                          "broker's keys) at %.200s",
                          cert ? cert : "no certificate", endpoint);
            else
                snprintf (why, sizeof (why),
                          "the broker refused this certificate (%.200s: its "
                          "authentication answered %u) at %.200s",
                          cert ? cert : "no certificate", (unsigned) value, endpoint);
            s_refuse (self, i, true, why);
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH && cert)
                snprintf (why, sizeof (why),
                          "the broker refused this certificate (this endpoint "
                          "does not use CURVE: a broker without --keys, or its ipc:// side) at "
                          "%.200s",
                          endpoint);
            else if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
                snprintf (why, sizeof (why),
                          "the broker refused the handshake (this endpoint "
                          "requires CURVE: give --cert and --broker-cert) at %.200s",
                          endpoint);
            else
                snprintf (why, sizeof (why),
                          "the broker refused %s (ZMTP protocol error 0x%08x) at "
                          "%.200s",
                          cert ? "this certificate" : "the handshake", (unsigned) value, endpoint);
            s_refuse (self, i, true, why);
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
            //  Over CURVE the broker drops a HELLO it cannot open: the client
            //  holds the wrong broker certificate. Once could be a restart.
            if (!cert || ++l->cut_offs < S_CUT_OFFS)
                break;
            snprintf (why, sizeof (why),
                      "the broker refused this certificate (it closed the "
                      "handshake: is %.200s the public certificate of this broker?) at %.200s",
                      self->broker_cert_path, endpoint);
            s_refuse (self, i, false, why);
            break;
        default:
            break;
    }
}

//  Take every event the monitors hold (never blocks).
static void
s_monitor_drain (ddc_client_t *self)
{
    for (int i = 0; i < S_LINKS; i++) {
        zsock_t *pipe = self->links [i].pipe;
        if (!pipe)
            continue;
        void *handle = zsock_resolve (pipe);
        unsigned char head [6]; //  event (16 bits), value (32 bits)
        while (zmq_recv (handle, head, sizeof (head), ZMQ_DONTWAIT) >= 0) {
            char endpoint [256] = "";
            while (zsock_rcvmore (pipe)) { //  the parts arrive together
                int n = zmq_recv (handle, endpoint, sizeof (endpoint) - 1, ZMQ_DONTWAIT);
                if (n < 0)
                    break;
                endpoint [n < (int) sizeof (endpoint) - 1 ? n : (int) sizeof (endpoint) - 1] = '\0';
            }
            uint16_t event;
            uint32_t value;
            memcpy (&event, head, sizeof (event));
            memcpy (&value, head + 2, sizeof (value));
            s_link_event (self, i, event, value, endpoint);
        }
    }
}

//  Dial the endpoints again whose connection libzmq gave up.
static void
s_redial (ddc_client_t *self, int64_t now)
{
    for (int i = 0; i < S_LINKS; i++) {
        s_link_t *l = &self->links [i];
        const char *endpoint = s_link_endpoint (self, i);
        if (!l->redial_at || now < l->redial_at)
            continue;
        l->redial_at = 0;
        if (!endpoint)
            continue;
        zsock_t *sock = i == S_LINK_CTL ? self->ctl : self->sub;
        zsock_disconnect (sock, "%s", endpoint); //  fails when nothing is left
        if (zsock_connect (sock, "%s", endpoint) < 0)
            ddc_warn ("client: cannot dial %s again: %s", endpoint, zmq_strerror (errno));
        else
            ddc_debug ("client: dialling %s again after a refused handshake", endpoint);
    }
}

static void
s_go_down (ddc_client_t *self, const char *why)
{
    if (self->down)
        return;
    self->down = true;
    s_monitor_drain (self);
    const char *refused = s_refused (self);
    char detail [700];
    if (refused)
        ddc_strlcpy (detail, refused, sizeof (detail));
    else
        snprintf (detail, sizeof (detail), "broker unreachable (%s)", why);
    if (self->on_event) //  the service says it in its own words
        ddc_debug ("client: %s; running on the last applied configuration", detail);
    else
        ddc_warn ("client: %s; running on the last applied configuration", detail);
    s_event (self, DDC_EV_DISCONNECTED, detail);
}

//  Any valid message from the broker.
static void
s_alive (ddc_client_t *self)
{
    int64_t now = ddc_mono_ms ();
    self->missed_pings = 0;
    self->ping_outstanding = false;
    self->last_rx = now;
    //  traffic is back while a HELLO waits for a backoff: send it now
    if (self->hello_pending && now - self->hello_sent_at >= S_BACKOFF_MIN && self->hello_next > now) {
        self->hello_backoff = S_BACKOFF_MIN;
        s_hello_send (self);
    }
}

//  A PUB endpoint bound to any address ("tcp://" "*:5556" or 0.0.0.0) gets
//  the host of the broker endpoint ("tcp://nas:5555" -> "tcp://nas:5556").
static char *
s_pub_endpoint (const char *pub, const char *broker)
{
    const char *sep = strstr (pub, "://");
    if (!sep || strncmp (pub, "ipc://", 6) == 0 || strncmp (pub, "inproc://", 9) == 0)
        return ddc_strdup (pub);
    const char *host = sep + 3;
    const char *colon = strrchr (host, ':');
    if (!colon)
        return ddc_strdup (pub);
    size_t hlen = (size_t) (colon - host);
    bool any = (hlen == 1 && host [0] == '*') || (hlen == 7 && strncmp (host, "0.0.0.0", 7) == 0);
    if (!any)
        return ddc_strdup (pub);
    const char *bsep = strstr (broker, "://");
    const char *bhost = bsep ? bsep + 3 : NULL;
    const char *bcolon = bhost ? strrchr (bhost, ':') : NULL;
    if (!bcolon || strncmp (broker, "tcp://", 6) != 0)
        return ddc_asprintf ("%.*s127.0.0.1%s", (int) (host - pub), pub, colon);
    //  "tcp://iface;host:port": the host follows the ';'
    const char *semi = memchr (bhost, ';', (size_t) (bcolon - bhost));
    if (semi)
        bhost = semi + 1;
    return ddc_asprintf ("%.*s%.*s%s", (int) (host - pub), pub, (int) (bcolon - bhost), bhost,
                         colon);
}

static bool
s_sub_needed (ddc_client_t *self)
{
    return self->nsections > 0 || self->nstatus > 0;
}

static void
s_sub_connect (ddc_client_t *self)
{
    if (!self->pub_endpoint || !s_sub_needed (self))
        return;
    if (self->sub_endpoint && strcmp (self->sub_endpoint, self->pub_endpoint) == 0)
        return;
    if (self->sub_endpoint) {
        zsock_disconnect (self->sub, "%s", self->sub_endpoint);
        free (self->sub_endpoint);
        self->sub_endpoint = NULL;
    }
    if (zsock_connect (self->sub, "%s", self->pub_endpoint) < 0) {
        char detail [512];
        snprintf (detail, sizeof (detail), "cannot connect to PUB endpoint %s: %s",
                  self->pub_endpoint, zmq_strerror (errno));
        ddc_error ("client: %s", detail);
        s_event (self, DDC_EV_ERROR, detail);
        return;
    }
    self->sub_endpoint = ddc_strdup (self->pub_endpoint);
    self->last_hugz = 0;
    ddc_debug ("client: SUB connected to %s", self->sub_endpoint);
}

static void
s_on_welcome (ddc_client_t *self, ddc_msg_t *msg)
{
    if (!self->hello_pending) {
        ddc_debug ("client: dropping an unexpected WELCOME");
        return;
    }
    const cJSON *access = msg->json [DDC_WELCOME_ACCESS];
    const char *epoch = msg->frame [DDC_WELCOME_EPOCH];
    const char *boot = msg->frame [DDC_WELCOME_BOOT];
    const char *pub = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (access, "pub"));
    //  A broker bound on several transports lists them all in "pubs": take
    //  the one of the transport this client reached the broker by.
    const cJSON *pubs = cJSON_GetObjectItemCaseSensitive (access, "pubs");
    const cJSON *each;
    const char *scheme_end = strstr (self->broker, "://");
    cJSON_ArrayForEach (each, pubs) {
        if (cJSON_IsString (each) && scheme_end
            && strncmp (each->valuestring, self->broker, (size_t) (scheme_end - self->broker) + 3)
                   == 0) {
            pub = each->valuestring;
            break;
        }
    }
    const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (access, "name"));
    uint64_t hb = 1000;
    s_json_u64 (cJSON_GetObjectItemCaseSensitive (access, "heartbeat_ms"), &hb);
    self->heartbeat_ms = hb < 100 ? 100 : hb > 60000 ? 60000 : (int64_t) hb;

    if (self->epoch [0] && strcmp (self->epoch, epoch) != 0) {
        ddc_info ("client: epoch changed from %s to %s", self->epoch, epoch);
        s_reset_revs (self);
    }
    ddc_strlcpy (self->epoch, epoch, sizeof (self->epoch));
    ddc_strlcpy (self->boot, boot, sizeof (self->boot));
    if (msg->u64 [DDC_WELCOME_REV] > self->known_rev)
        self->known_rev = msg->u64 [DDC_WELCOME_REV];
    cJSON_Delete (self->access);
    self->access = cJSON_Duplicate (access, true);
    free (self->name);
    self->name = name && s_name_ok (name, DDC_MAX_TEXT, "")
                     ? ddc_strdup (name)
                     : ddc_asprintf ("%s@%s", self->role, self->instance);

    //  sections whose secret fields this role reads come by SNAPSHOT only
    const cJSON *secrets = cJSON_GetObjectItemCaseSensitive (access, "secrets");
    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        size_t n = strlen (s->name);
        s->secret = false;
        const cJSON *item;
        cJSON_ArrayForEach (item, secrets) {
            const char *secret = cJSON_GetStringValue (item);
            if (secret && strncmp (secret, s->name, n) == 0 && secret [n] == '.')
                s->secret = true;
        }
    }
    free (self->pub_endpoint);
    self->pub_endpoint = pub ? s_pub_endpoint (pub, self->broker) : NULL;
    if (!pub && s_sub_needed (self)) {
        ddc_error ("client: WELCOME has no PUB endpoint");
        s_event (self, DDC_EV_ERROR, "WELCOME has no PUB endpoint");
    }
    s_sub_connect (self);

    int64_t now = ddc_mono_ms ();
    self->hello_pending = false;
    if (self->ever_welcomed)
        self->reconnects++;
    self->welcomed = self->ever_welcomed = true;
    self->down = false;
    self->missed_pings = 0;
    self->ping_outstanding = false;
    self->next_ping = now + self->heartbeat_ms;
    ddc_info ("client: welcomed as %s (epoch %s rev %" PRIu64 ")", self->name, self->epoch,
              msg->u64 [DDC_WELCOME_REV]);
    s_event (self, DDC_EV_CONNECTED, self->name);

    //  the broker (maybe a new one) holds none of our reports; requests it
    //  answered with ERROR 401, or never got, go now (the others are
    //  resent by their own timeouts: an ACTION must not run twice)
    for (size_t i = 0; i < self->nreports; i++) {
        char req [40];
        ddc_req_id (req);
        zmsg_t *report =
            ddc_msg_buildv (DDC_REPORT, req, self->reports [i].topic, self->reports [i].body, NULL);
        s_send_ff (self, &report);
    }
    for (size_t i = 0; i < self->nreqs; i++)
        if (!self->reqs [i]->sent)
            s_req_send (self, self->reqs [i]);

    if (self->nsections) {
        self->full_wanted = true;
        self->synced = false;
        for (size_t i = 0; i < self->nsections; i++) {
            self->sections [i].wanted = true;
            self->sections [i].missing = false;
        }
        if (self->sub_endpoint) {
            self->await_hugz = true; //  rule 1: the subscription is in place
            self->await_since = now;
        }
        s_maybe_snapshot (self);
    }
    else
        self->synced = true;
}

//  ------------------------------------------------------------------------
//  incoming messages

static void s_on_update (ddc_client_t *self, ddc_msg_t **msg_p, bool from_buffer);

static bool
s_syncing (ddc_client_t *self, const s_section_t *s)
{
    return s->wanted || s->in_flight || !self->welcomed;
}

static void
s_buffer (ddc_client_t *self, ddc_msg_t **msg_p)
{
    ddc_msg_t *msg = *msg_p;
    *msg_p = NULL;
    size_t bytes = msg->len [DDC_UPDATE_VALUE] + 256;
    while (self->nbuf > 0
           && (self->nbuf >= S_MAX_BUFFERED || self->buf_bytes + bytes > S_MAX_BUFFERED_BYTES)) {
        //  drop the oldest: the chain check repairs whatever it misses
        ddc_msg_t *old = self->buf [0];
        self->buf_bytes -= old->len [DDC_UPDATE_VALUE] + 256;
        ddc_msg_destroy (&old);
        memmove (&self->buf [0], &self->buf [1], (self->nbuf - 1) * sizeof (self->buf [0]));
        self->nbuf--;
    }
    self->buf [self->nbuf++] = msg;
    self->buf_bytes += bytes;
}

//  Process the buffered updates of sections that are no longer syncing.
static void
s_drain_buffer (ddc_client_t *self)
{
    size_t i = 0;
    while (i < self->nbuf) {
        ddc_msg_t *msg = self->buf [i];
        char name [S_MAX_SECTION_NAME + 1];
        s_section_t *s =
            ddc_msg_topic_part (msg, 1, name, sizeof (name)) == 0 ? s_section (self, name) : NULL;
        if (s && s_syncing (self, s)) {
            i++;
            continue;
        }
        self->buf_bytes -= msg->len [DDC_UPDATE_VALUE] + 256;
        memmove (&self->buf [i], &self->buf [i + 1], (self->nbuf - i - 1) * sizeof (self->buf [0]));
        self->nbuf--;
        s_on_update (self, &msg, true);
        ddc_msg_destroy (&msg);
    }
}

static void
s_on_update (ddc_client_t *self, ddc_msg_t **msg_p, bool from_buffer)
{
    ddc_msg_t *msg = *msg_p;
    char name [S_MAX_SECTION_NAME + 1];
    s_section_t *s = NULL;
    if (ddc_msg_topic_part (msg, 1, name, sizeof (name)) == 0
        && strlen (msg->topic) == strlen (name) + 5)
        s = s_section (self, name);
    if (!s || s->missing)
        return;
    if (s_syncing (self, s)) {
        if (!from_buffer)
            s_buffer (self, msg_p);
        return;
    }
    uint64_t rev = msg->u64 [DDC_UPDATE_REV];
    uint64_t prev = msg->u64 [DDC_UPDATE_PREV];
    if (strcmp (msg->frame [DDC_UPDATE_EPOCH], self->epoch) != 0) {
        s_full_resync (self, "epoch changed");
        return;
    }
    if (rev > self->known_rev)
        self->known_rev = rev;
    if (rev <= s->link_rev) {
        ddc_debug ("client: dropping duplicate update of %s rev %" PRIu64, s->name, rev);
        return;
    }
    if (prev != s->link_rev) {
        char why [160];
        snprintf (why, sizeof (why), "gap in %s: expected prev %" PRIu64 ", got %" PRIu64, s->name,
                  s->link_rev, prev);
        s_want (self, s, why);
        return;
    }
    if (s->secret) {
        //  PUB carries secrets redacted; fetch the section in clear
        s_want (self, s, NULL);
        return;
    }
    self->update_props = msg->json [DDC_UPDATE_PROPS];
    s_apply (self, s, msg->json [DDC_UPDATE_VALUE], rev, msg);
    self->update_props = NULL;
}

static void
s_on_hugz (ddc_client_t *self, ddc_msg_t *msg)
{
    int64_t now = ddc_mono_ms ();
    self->last_hugz = now;
    s_alive (self);
    if (!self->welcomed)
        return;
    const char *epoch = msg->frame [DDC_HUGZ_EPOCH];
    const char *boot = msg->frame [DDC_HUGZ_BOOT];
    uint64_t rev = msg->u64 [DDC_HUGZ_REV];
    if (self->nsections == 0) {
        //  nothing to resync: just follow the broker's epoch
        ddc_strlcpy (self->epoch, epoch, sizeof (self->epoch));
        self->known_rev = rev;
    }
    if (strcmp (boot, self->boot) != 0) {
        s_hello (self, "broker restarted (new boot id)");
        return;
    }
    if (strcmp (epoch, self->epoch) != 0) {
        s_full_resync (self, "epoch changed");
        self->await_hugz = false;
        return;
    }
    if (rev < self->known_rev) {
        char why [128];
        snprintf (why, sizeof (why), "broker revision went back from %" PRIu64 " to %" PRIu64,
                  self->known_rev, rev);
        self->known_rev = rev;
        s_full_resync (self, why);
        self->await_hugz = false;
        return;
    }
    self->known_rev = rev;
    if (self->await_hugz) {
        self->await_hugz = false;
        return; //  the full snapshot follows
    }
    const cJSON *revs = msg->json [DDC_HUGZ_REVS];
    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        uint64_t srev;
        if (s->wanted || s->in_flight || s->missing
            || !s_json_u64 (cJSON_GetObjectItemCaseSensitive (revs, s->name), &srev)
            || srev <= s->link_rev) {
            s->ahead_since = 0;
            continue;
        }
        if (!s->ahead_since)
            s->ahead_since = now;
        s->ahead_rev = srev;
    }
}

static void
s_on_status (ddc_client_t *self, ddc_msg_t *msg)
{
    char peer [DDC_MAX_TEXT + 1], topic [DDC_MAX_TEXT + 1];
    if (!self->on_status || ddc_msg_topic_part (msg, 1, peer, sizeof (peer)) < 0
        || ddc_msg_topic_part (msg, 2, topic, sizeof (topic)) < 0)
        return;
    self->depth++;
    self->on_status (self->arg, peer, topic, msg->json [DDC_STATUSPUB_BODY]);
    self->depth--;
}

static void
s_on_mon (ddc_client_t *self, ddc_msg_t *msg)
{
    if (!self->on_mon)
        return;
    self->depth++;
    self->on_mon (self->arg, ddc_msg_topic (msg), msg->json [DDC_MONPUB_BODY]);
    self->depth--;
}

static void
s_on_state (ddc_client_t *self, ddc_msg_t *msg)
{
    bool full = self->snap_full;
    self->snap_in_flight = false;
    zmsg_destroy (&self->snap_msg);
    const char *epoch = msg->frame [DDC_STATE_EPOCH];
    uint64_t rev = msg->u64 [DDC_STATE_REV];
    const cJSON *body = msg->json [DDC_STATE_BODY];
    const cJSON *secs = cJSON_GetObjectItemCaseSensitive (body, "sections");
    const cJSON *revs = cJSON_GetObjectItemCaseSensitive (body, "revs");

    if (strcmp (epoch, self->epoch) != 0) {
        if (!full) {
            for (size_t i = 0; i < self->nsections; i++)
                self->sections [i].in_flight = false;
            s_full_resync (self, "epoch changed");
            return;
        }
        ddc_info ("client: epoch changed from %s to %s", self->epoch, epoch);
        s_reset_revs (self);
        ddc_strlcpy (self->epoch, epoch, sizeof (self->epoch));
    }
    if (full)
        self->known_rev = rev;
    else if (rev > self->known_rev)
        self->known_rev = rev;

    for (size_t i = 0; i < self->nsections; i++) {
        s_section_t *s = &self->sections [i];
        if (!s->in_flight)
            continue;
        s->in_flight = false;
        const cJSON *value = cJSON_GetObjectItemCaseSensitive (secs, s->name);
        uint64_t srev;
        if (!value || !s_json_u64 (cJSON_GetObjectItemCaseSensitive (revs, s->name), &srev)) {
            if (!s->missing) {
                char detail [160];
                snprintf (detail, sizeof (detail), "the broker did not send section %s", s->name);
                ddc_warn ("client: %s", detail);
                s_event (self, DDC_EV_ERROR, detail);
            }
            s->missing = true;
            continue;
        }
        s->missing = false;
        s_apply (self, s, value, srev, NULL);
    }
    if (full) {
        if (rev > self->applied_rev)
            self->applied_rev = rev;
        self->synced = true;
        ddc_info ("client: synced at rev %" PRIu64, rev);
        s_cache_write (self, false);
        s_event (self, DDC_EV_SYNCED, "");
    }
    else
        s_cache_write (self, false);
    s_drain_buffer (self);
}

static void
s_on_error (ddc_client_t *self, ddc_msg_t **msg_p)
{
    ddc_msg_t *msg = *msg_p;
    const char *req = msg->frame [DDC_REQ];
    uint64_t code = msg->u64 [DDC_ERROR_CODE];
    if (code == DDC_E_HELLO) {
        //  the broker does not know us: HELLO, then resend the requests
        int i = s_req_find (self, req);
        if (i >= 0)
            self->reqs [i]->sent = false;
        if (!self->hello_pending)
            s_hello (self, "the broker does not know this peer (ERROR 401)");
        return;
    }
    char detail [DDC_MAX_TEXT + 64];
    if (self->hello_pending && strcmp (req, self->hello_req) == 0) {
        snprintf (detail, sizeof (detail), "HELLO refused: %" PRIu64 " %s", code,
                  msg->frame [DDC_ERROR_MESSAGE]);
        ddc_error ("client: %s", detail);
        s_event (self, DDC_EV_ERROR, detail);
        if (code == DDC_E_IN_USE) {
            //  The name is still held by our former connection (a restart
            //  after a crash): it is free once that one has been quiet for
            //  the broker's peer timeout, so ask again every second.
            self->hello_backoff = S_BACKOFF_IN_USE;
            self->hello_next = ddc_mono_ms () + S_BACKOFF_IN_USE;
        }
        return; //  retried with backoff
    }
    if (self->snap_in_flight && strcmp (req, self->snap_req) == 0) {
        snprintf (detail, sizeof (detail), "SNAPSHOT refused: %" PRIu64 " %s", code,
                  msg->frame [DDC_ERROR_MESSAGE]);
        ddc_error ("client: %s", detail);
        for (size_t i = 0; i < self->nsections; i++)
            self->sections [i].in_flight = false;
        self->snap_in_flight = false;
        zmsg_destroy (&self->snap_msg);
        s_event (self, DDC_EV_ERROR, detail);
        return;
    }
    int i = s_req_find (self, req);
    if (i >= 0) {
        s_req_t *r = s_req_remove (self, (size_t) i);
        s_req_finish (self, r, msg_p);
    }
    else
        ddc_debug ("client: dropping ERROR %" PRIu64 " for an unknown request", code);
}

static void
s_on_action (ddc_client_t *self, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    if (self->on_action) {
        self->depth++;
        self->on_action (self->arg, req, msg->frame [DDC_ACTION_PEER], msg->json [DDC_ACTION_BODY]);
        self->depth--;
        return;
    }
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddBoolToObject (body, "ok", false);
    cJSON_AddStringToObject (body, "error", "not_supported");
    cJSON_AddStringToObject (body, "message", "this service takes no actions");
    ddc_client_result (self, req, body);
    cJSON_Delete (body);
}

static void
s_on_ctl (ddc_client_t *self, zmsg_t *zmsg)
{
    char err [128];
    ddc_msg_t *msg = ddc_msg_decode (zmsg, err, sizeof (err));
    if (!msg) {
        ddc_warn ("client: dropping a malformed CTL message: %s", err);
        return;
    }
    s_alive (self);
    const char *req = msg->frame [DDC_REQ];
    switch (msg->type) {
        case DDC_WELCOME:
            s_on_welcome (self, msg);
            break;
        case DDC_ERROR:
            s_on_error (self, &msg);
            break;
        case DDC_ACTION:
            s_on_action (self, msg);
            break;
        case DDC_STATE:
            if (self->snap_in_flight && strcmp (req, self->snap_req) == 0) {
                s_on_state (self, msg);
                break;
            }
            //  a SNAPSHOT the program sent itself
            //  fall through
        default: {
            int i = s_req_find (self, req);
            if (i >= 0) {
                s_req_t *r = s_req_remove (self, (size_t) i);
                s_req_finish (self, r, &msg);
            }
            else if (msg->type == DDC_PONG) {
                if (self->nsections == 0)
                    ddc_strlcpy (self->epoch, msg->frame [DDC_PONG_EPOCH], sizeof (self->epoch));
                if (self->welcomed && strcmp (msg->frame [DDC_PONG_EPOCH], self->epoch) != 0)
                    s_full_resync (self, "epoch changed");
                else if (msg->u64 [DDC_PONG_REV] > self->known_rev)
                    self->known_rev = msg->u64 [DDC_PONG_REV];
            }
            else
                ddc_debug ("client: dropping %s for an unknown request", ddc_msg_name (msg->type));
            break;
        }
    }
    ddc_msg_destroy (&msg);
}

//  A decoded PUB message, taken (destroyed here).
static void
s_on_pub_msg (ddc_client_t *self, ddc_msg_t *msg)
{
    if (msg->type == DDC_UPDATE)
        s_on_update (self, &msg, false);
    else if (msg->type == DDC_HUGZ)
        s_on_hugz (self, msg);
    else if (msg->type == DDC_STATUSPUB)
        s_on_status (self, msg);
    else if (msg->type == DDC_MONPUB)
        s_on_mon (self, msg);
    ddc_msg_destroy (&msg);
}

//  ------------------------------------------------------------------------
//  public API

static void s_free (ddc_client_t *self);

//  The client's certificate (with its secret) and the broker's. 0, or -1
//  with the reason in why.
static int
s_load_certs (const char *cert_path, const char *broker_cert_path, zcert_t **cert, zcert_t **server,
              char *why, size_t whylen)
{
    if (!zsys_has_curve ()) {
        snprintf (why, whylen, "this libzmq has no CURVE support");
        return -1;
    }
    *cert = zcert_load (cert_path);
    *server = broker_cert_path ? zcert_load (broker_cert_path) : NULL;
    const char *zero = "0000000000000000000000000000000000000000";
    if (!*cert || strcmp (zcert_secret_txt (*cert), zero) == 0)
        snprintf (why, whylen, "cannot load the client certificate %s (and its _secret file)",
                  cert_path);
    else if (!*server)
        snprintf (why, whylen, "cannot load the broker certificate %s",
                  broker_cert_path ? broker_cert_path : "(none given)");
    else
        return 0;
    zcert_destroy (cert);
    zcert_destroy (server);
    return -1;
}

int
ddc_client_check_certs (const char *cert_path, const char *broker_cert_path, char *why,
                        size_t whylen)
{
    zcert_t *cert = NULL, *server = NULL;
    if (s_load_certs (cert_path, broker_cert_path, &cert, &server, why, whylen) < 0)
        return -1;
    zcert_destroy (&cert);
    zcert_destroy (&server);
    return 0;
}

ddc_client_t *
ddc_client_new (const ddc_client_opts_t *opts)
{
    assert (opts);
    if (!opts->broker || !*opts->broker) {
        ddc_error ("client: no broker endpoint given");
        return NULL;
    }
    if (!s_name_ok (opts->role, 64, "/,*")) {
        ddc_error ("client: invalid role");
        return NULL;
    }
    char host [256] = "";
    const char *instance = opts->instance;
    if (!instance || !*instance) {
        if (gethostname (host, sizeof (host) - 1) < 0 || !host [0])
            ddc_strlcpy (host, "localhost", sizeof (host));
        instance = host;
    }
    if (!s_name_ok (instance, 128, "/,*")) {
        ddc_error ("client: invalid instance name");
        return NULL;
    }
    if ((opts->cert_path == NULL) != (opts->broker_cert_path == NULL)) {
        ddc_error ("client: CURVE needs both a client certificate and the broker certificate");
        return NULL;
    }

    ddc_client_t *self = ddc_calloc (1, sizeof (*self));
    self->broker = ddc_strdup (opts->broker);
    self->role = ddc_strdup (opts->role);
    self->instance = ddc_strdup (instance);
    self->cache_path = opts->cache_path ? ddc_strdup (opts->cache_path) : NULL;
    self->cert_path = opts->cert_path ? ddc_strdup (opts->cert_path) : NULL;
    self->broker_cert_path = opts->broker_cert_path ? ddc_strdup (opts->broker_cert_path) : NULL;
    self->on_apply = opts->on_apply;
    self->on_event = opts->on_event;
    self->on_action = opts->on_action;
    self->on_status = opts->on_status;
    self->on_mon = opts->on_mon;
    self->on_metrics = opts->on_metrics;
    self->compact = opts->compact;
    self->started_wall_ms = ddc_wall_ms ();
    self->arg = opts->arg;
    self->heartbeat_ms = 1000;
    self->created = ddc_mono_ms ();

    size_t listlen = 0;
    for (size_t i = 0; opts->sections && opts->sections [i]; i++) {
        const char *name = opts->sections [i];
        if (!s_name_ok (name, S_MAX_SECTION_NAME, "/,*@:")) {
            ddc_error ("client: invalid section name");
            s_free (self);
            return NULL;
        }
        if (s_section (self, name))
            continue;
        listlen += strlen (name) + 1;
        if (self->nsections == S_MAX_SECTIONS || listlen > DDC_MAX_TEXT + 1) {
            ddc_error ("client: too many sections to follow");
            s_free (self);
            return NULL;
        }
        self->sections [self->nsections++].name = ddc_strdup (name);
    }

    //  czmq and libzmq abort when a socket gets no descriptor: the limit
    //  is checked (and raised when it can be) first.
    char why [1200];
    if (ddc_fdlimit_ensure (DDC_FDLIMIT_SERVICE, why, sizeof (why)) < 0) {
        ddc_error ("client: %s", why);
        s_free (self);
        return NULL;
    }
    self->ctl = zsock_new (ZMQ_DEALER);
    self->sub = zsock_new (ZMQ_SUB);
    if (!self->ctl || !self->sub) {
        ddc_error ("client: cannot create sockets: %s", zmq_strerror (errno));
        s_free (self);
        return NULL;
    }
    char id [24] = "ddc-";
    ddc_random_hex (id + 4, 8);
    zsock_set_identity (self->ctl, id);
    zsock_t *socks [2] = { self->ctl, self->sub };
    for (int i = 0; i < 2; i++) {
        zsock_set_linger (socks [i], 0);
        //  never block in a receive: ZMQ_EVENTS may announce a message that
        //  is gone by the time it is read (its connection ended meanwhile),
        //  and a blocked loop would not notice SIGTERM
        zsock_set_rcvtimeo (socks [i], 0);
        zsock_set_rcvhwm (socks [i], 10000);
        zsock_set_maxmsgsize (socks [i], DDC_MAX_MSG);
        zsock_set_heartbeat_ivl (socks [i], 2000);
        zsock_set_heartbeat_timeout (socks [i], 6000);
        //  a broker not there yet (started at the same time) is tried
        //  again after 10 ms, doubling to libzmq's default of 100 ms
        zsock_set_reconnect_ivl (socks [i], S_RECONNECT_MS);
        zsock_set_reconnect_ivl_max (socks [i], S_RECONNECT_MAX_MS);
    }
    zsock_set_immediate (self->ctl, 1);
    //  A monitor on each socket: a refused handshake is told apart from a
    //  broker that does not answer.
    for (int i = 0; i < S_LINKS; i++) {
        char endpoint [64];
        snprintf (endpoint, sizeof (endpoint), "inproc://%s-%s-monitor", id,
                  i == S_LINK_CTL ? "ctl" : "sub");
        self->links [i].redial_backoff = S_REDIAL_MIN;
        if (zmq_socket_monitor (zsock_resolve (socks [i]), endpoint, S_MON_EVENTS) == 0) {
            char attach [72];
            snprintf (attach, sizeof (attach), ">%s", endpoint);
            self->links [i].pipe = zsock_new_pair (attach);
        }
        if (!self->links [i].pipe) {
            //  connect-before-bind is fine for inproc; a failure here only
            //  loses the diagnosis
            ddc_warn ("client: no socket monitor on %s: %s", endpoint, zmq_strerror (errno));
            zmq_socket_monitor (zsock_resolve (socks [i]), NULL, 0);
        }
    }

    if (opts->cert_path) {
        zcert_t *cert = NULL, *server = NULL;
        if (s_load_certs (opts->cert_path, opts->broker_cert_path, &cert, &server, why, sizeof (why))
            < 0) {
            ddc_error ("client: %s", why);
            s_free (self);
            return NULL;
        }
        for (int i = 0; i < 2; i++) {
            zcert_apply (cert, socks [i]);
            zsock_set_curve_serverkey (socks [i], zcert_public_txt (server));
        }
        zcert_destroy (&cert);
        zcert_destroy (&server);
    }

    if (zsock_connect (self->ctl, "%s", self->broker) < 0) {
        ddc_error ("client: cannot connect to %s: %s", self->broker, zmq_strerror (errno));
        s_free (self);
        return NULL;
    }
    if (self->nsections) {
        zsock_set_subscribe (self->sub, "hugz/");
        self->sub_hugz = true;
        for (size_t i = 0; i < self->nsections; i++) {
            char topic [S_MAX_SECTION_NAME + 8];
            snprintf (topic, sizeof (topic), "cfg/%s/", self->sections [i].name);
            zsock_set_subscribe (self->sub, topic);
        }
    }
    self->poller = zpoller_new (self->ctl, self->sub, NULL);
    assert (self->poller);
    for (int i = 0; i < S_LINKS; i++)
        if (self->links [i].pipe)
            zpoller_add (self->poller, self->links [i].pipe);

    if (self->cache_path && self->nsections)
        s_cache_load (self);
    s_hello (self, NULL);
    return self;
}

static void
s_free (ddc_client_t *self)
{
    for (size_t i = 0; i < self->nreqs; i++)
        s_req_free (&self->reqs [i]);
    for (size_t i = 0; i < self->nreports; i++) {
        free (self->reports [i].topic);
        free (self->reports [i].body);
    }
    for (size_t i = 0; i < self->nbuf; i++)
        ddc_msg_destroy (&self->buf [i]);
    for (size_t i = 0; i < self->nsections; i++) {
        free (self->sections [i].name);
        cJSON_Delete (self->sections [i].value);
        free (self->sections [i].text);
        cJSON_Delete (self->sections [i].parsed);
        cJSON_Delete (self->sections [i].rejected_errors);
    }
    for (size_t i = 0; i < self->nstatus; i++)
        free (self->status_subs [i]);
    zmsg_destroy (&self->snap_msg);
    zpoller_destroy (&self->poller);
    zsock_t *socks [S_LINKS] = { self->ctl, self->sub };
    for (int i = 0; i < S_LINKS; i++)
        if (self->links [i].pipe) {
            zmq_socket_monitor (zsock_resolve (socks [i]), NULL, 0);
            zsock_destroy (&self->links [i].pipe);
        }
    zsock_destroy (&self->ctl);
    zsock_destroy (&self->sub);
    cJSON_Delete (self->access);
    free (self->name);
    free (self->pub_endpoint);
    free (self->sub_endpoint);
    free (self->broker);
    free (self->role);
    free (self->instance);
    free (self->cache_path);
    free (self->cert_path);
    free (self->broker_cert_path);
    free (self);
}

void
ddc_client_destroy (ddc_client_t **self_p)
{
    assert (self_p);
    ddc_client_t *self = *self_p;
    if (!self)
        return;
    if (self->welcomed) {
        char req [40];
        ddc_req_id (req);
        zsock_set_linger (self->ctl, 200); //  let the BYE out
        zmsg_t *msg = ddc_msg_buildv (DDC_BYE, req, NULL);
        s_send_ff (self, &msg);
    }
    s_cache_write (self, true);
    s_free (self);
    *self_p = NULL;
}

zsock_t *
ddc_client_ctl_sock (ddc_client_t *self)
{
    return self->ctl;
}

zsock_t *
ddc_client_sub_sock (ddc_client_t *self)
{
    return self->sub;
}

void
ddc_client_handle (ddc_client_t *self)
{
    s_parsed_drop (self);
    s_monitor_drain (self);
    if (self->hello_pending && self->hello_blocked && (zsock_events (self->ctl) & ZMQ_POLLOUT))
        s_hello_send (self);
    for (int i = 0; i < 256 && (zsock_events (self->ctl) & ZMQ_POLLIN); i++) {
        zmsg_t *zmsg = zmsg_recv (self->ctl);
        if (!zmsg)
            break;
        s_on_ctl (self, zmsg);
        zmsg_destroy (&zmsg);
    }
    //  Each message read and decoded straight from libzmq's frames.
    void *sub = zsock_resolve (self->sub);
    for (int i = 0; i < 256 && (zsock_events (self->sub) & ZMQ_POLLIN); i++) {
        char err [128];
        ddc_msg_t *msg = ddc_msg_recv (sub, true, err, sizeof (err));
        if (msg)
            s_on_pub_msg (self, msg);
        else if (errno == EPROTO || errno == EMSGSIZE)
            ddc_warn ("client: dropping a malformed PUB message: %s", err);
        else
            break; //  none waits (EAGAIN), or the socket is going (ETERM, EINTR)
    }
    s_maybe_snapshot (self);
    s_cache_write (self, false);
}

cJSON *
ddc_client_metrics (ddc_client_t *self)
{
    ddc_metrics_t *m = ddc_metrics_new ();
    ddc_metrics_gauge (m, "ddc_service_info", "The service's version (the value is 1).", 1,
                       "version", DDC_VERSION, NULL);
    ddc_metrics_gauge (m, "ddc_service_start_time_seconds",
                       "When the service started (Unix "
                       "time).",
                       (double) (self->started_wall_ms / 1000), NULL);
    ddc_metrics_counter (m, "ddc_client_reconnects_total",
                         "Registrations with the broker "
                         "after the first (the broker restarted or was unreachable).",
                         (double) self->reconnects, NULL);
    ddc_metrics_counter (m, "ddc_client_resyncs_total",
                         "Snapshots taken to repair a gap, "
                         "an epoch change or a new broker.",
                         (double) self->resyncs, NULL);
    ddc_metrics_gauge (m, "ddc_client_applied_revision",
                       "The highest configuration revision "
                       "the service applied.",
                       (double) self->applied_rev, NULL);
    if (self->on_metrics) {
        self->depth++;
        self->on_metrics (self->arg, m);
        self->depth--;
    }
    cJSON *body = ddc_metrics_json (m);
    ddc_metrics_destroy (&m);
    return body;
}

//  The "metrics" report, every DDC_METRICS_INTERVAL_MS.
static void
s_metrics_report (ddc_client_t *self, int64_t now)
{
    self->next_metrics = now + DDC_METRICS_INTERVAL_MS;
    cJSON *body = ddc_client_metrics (self);
    char *text = ddc_json_print (body);
    size_t len = strlen (text);
    free (text);
    if (len > DDC_METRICS_MAX) {
        if (!self->metrics_warned)
            ddc_warn ("client: metrics report of %zu bytes not sent: over %d bytes", len,
                      DDC_METRICS_MAX);
        self->metrics_warned = true;
    }
    else
        ddc_client_report (self, "metrics", body);
    cJSON_Delete (body);
}

void
ddc_client_tick (ddc_client_t *self)
{
    s_parsed_drop (self);
    int64_t now = ddc_mono_ms ();
    if (self->on_metrics && self->welcomed && now >= self->next_metrics)
        s_metrics_report (self, now);
    s_monitor_drain (self);
    s_redial (self, now);
    if (self->hello_pending && now >= self->hello_next)
        s_hello_send (self);
    if (!self->ever_welcomed && !self->down
        && now - (self->last_rx > self->created ? self->last_rx : self->created) >= S_START_DOWN_MS)
        s_go_down (self, "no answer from the broker");

    if (self->welcomed && now >= self->next_ping) {
        if (self->ping_outstanding)
            self->missed_pings++;
        bool hugz_stale = !self->sub_endpoint || now - self->last_hugz >= S_DOWN_HUGZ_MS;
        if (self->missed_pings >= S_DOWN_PINGS && hugz_stale) {
            s_go_down (self, "no PONG and no HUGZ");
            self->synced = false;
            s_hello (self, NULL);
        }
        else {
            char req [40], rev [24];
            ddc_req_id (req);
            s_u64 (rev, self->applied_rev);
            zmsg_t *msg = ddc_msg_buildv (DDC_PING, req, rev, NULL);
            s_send_ff (self, &msg);
            self->ping_outstanding = true;
            self->next_ping = now + self->heartbeat_ms;
        }
    }

    if (self->welcomed && self->await_hugz && now - self->await_since >= S_HUGZ_WAIT_MS) {
        char detail [512];
        snprintf (detail, sizeof (detail), "no HUGZ from %s; taking the snapshot anyway",
                  self->sub_endpoint ? self->sub_endpoint : "the PUB endpoint");
        ddc_warn ("client: %s", detail);
        s_event (self, DDC_EV_ERROR, detail);
        self->await_hugz = false;
    }

    if (self->snap_in_flight && now >= self->snap_deadline)
        s_snap_send (self); //  same request id

    if (self->welcomed) {
        for (size_t i = 0; i < self->nsections; i++) {
            s_section_t *s = &self->sections [i];
            if (s->ahead_since && now - s->ahead_since >= S_AHEAD_MS) {
                char why [160];
                snprintf (why, sizeof (why), "%s behind: at rev %" PRIu64 ", broker has %" PRIu64,
                          s->name, s->link_rev, s->ahead_rev);
                s_want (self, s, why);
            }
        }
    }

    //  request timeouts; a finished request may add others: rescan
    bool again = true;
    while (again) {
        again = false;
        for (size_t i = 0; i < self->nreqs; i++) {
            s_req_t *r = self->reqs [i];
            if (now >= r->deadline) {
                if (--r->tries_left <= 0) {
                    ddc_debug ("client: request %s timed out", r->id);
                    s_req_remove (self, i);
                    s_req_finish (self, r, NULL);
                    again = true;
                    break;
                }
                r->deadline = now + r->timeout_ms;
                s_req_send (self, r);
            }
            else if (!r->sent)
                s_req_send (self, r);
        }
    }
    s_maybe_snapshot (self);
    s_cache_write (self, false);
}

int64_t
ddc_client_timeout_ms (ddc_client_t *self)
{
    int64_t now = ddc_mono_ms ();
    int64_t next = now + S_MAX_TICK_MS;
#define S_NEXT(t)         \
    do {                  \
        int64_t t_ = (t); \
        if (t_ < next)    \
            next = t_;    \
    } while (0)
    if (self->hello_pending)
        S_NEXT (self->hello_next);
    if (!self->ever_welcomed && !self->down)
        S_NEXT ((self->last_rx > self->created ? self->last_rx : self->created) + S_START_DOWN_MS);
    if (self->welcomed) {
        S_NEXT (self->next_ping);
        if (self->on_metrics)
            S_NEXT (self->next_metrics);
        if (self->await_hugz)
            S_NEXT (self->await_since + S_HUGZ_WAIT_MS);
        for (size_t i = 0; i < self->nsections; i++)
            if (self->sections [i].ahead_since)
                S_NEXT (self->sections [i].ahead_since + S_AHEAD_MS);
        bool wanted = self->full_wanted;
        for (size_t i = 0; i < self->nsections; i++)
            wanted = wanted || self->sections [i].wanted;
        if (wanted && !self->snap_in_flight && !self->await_hugz)
            S_NEXT (self->snap_times [0] + 1000);
    }
    if (self->snap_in_flight)
        S_NEXT (self->snap_deadline);
    if (self->cache_due)
        S_NEXT (self->cache_due);
    for (size_t i = 0; i < self->nreqs; i++) {
        S_NEXT (self->reqs [i]->deadline);
        if (!self->reqs [i]->sent && self->welcomed)
            S_NEXT (now + S_EAGAIN_MS);
    }
    for (int i = 0; i < S_LINKS; i++)
        if (self->links [i].redial_at)
            S_NEXT (self->links [i].redial_at);
#undef S_NEXT
    return next > now ? next - now : 0;
}

//  Poll both sockets for up to wait_ms, then handle and tick.
static void
s_pump (ddc_client_t *self, int64_t wait_ms)
{
    int64_t t = ddc_client_timeout_ms (self);
    if (wait_ms > t)
        wait_ms = t;
    if (wait_ms > 0)
        zpoller_wait (self->poller, (int) wait_ms);
    if (zsys_interrupted)
        return;
    ddc_client_handle (self);
    ddc_client_tick (self);
}

int
ddc_client_run (ddc_client_t *self, int64_t timeout_ms)
{
    int64_t end = timeout_ms < 0 ? INT64_MAX : ddc_mono_ms () + timeout_ms;
    for (;;) {
        if (zsys_interrupted)
            return -1;
        int64_t now = ddc_mono_ms ();
        s_pump (self, end - now > 0 ? end - now : 0);
        if (zsys_interrupted)
            return -1;
        if (self->stop) {
            self->stop = false;
            return 0;
        }
        if (ddc_mono_ms () >= end)
            return 0;
    }
}

void
ddc_client_stop (ddc_client_t *self)
{
    self->stop = true;
}

bool
ddc_client_connected (ddc_client_t *self)
{
    return self->welcomed && !self->down;
}

bool
ddc_client_synced (ddc_client_t *self)
{
    return self->synced;
}

bool
ddc_client_subscribed (ddc_client_t *self)
{
    return self->sub_endpoint && self->last_hugz > 0;
}

const char *
ddc_client_name (ddc_client_t *self)
{
    return self->name;
}

const char *
ddc_client_epoch (ddc_client_t *self)
{
    return self->epoch [0] ? self->epoch : NULL;
}

uint64_t
ddc_client_rev (ddc_client_t *self)
{
    return self->applied_rev;
}

const cJSON *
ddc_client_section (ddc_client_t *self, const char *section, uint64_t *rev_p)
{
    s_section_t *s = s_section (self, section);
    if (rev_p)
        *rev_p = s && s_accepted (s) ? s->rev : 0;
    if (s && s->text && !s->parsed)
        s->parsed = ddc_json_parse (s->text, strlen (s->text), SIZE_MAX, NULL, 0);
    return !s ? NULL : s->text ? s->parsed : s->value;
}

const cJSON *
ddc_client_access (ddc_client_t *self)
{
    return self->access;
}

const char *
ddc_client_refused (ddc_client_t *self)
{
    if (self->depth == 0)
        s_monitor_drain (self);
    return s_refused (self);
}

bool
ddc_client_refused_final (ddc_client_t *self)
{
    if (self->depth == 0)
        s_monitor_drain (self);
    return !self->welcomed && self->links [S_LINK_CTL].refused [0];
}

bool
ddc_client_link_up (ddc_client_t *self)
{
    if (self->depth == 0)
        s_monitor_drain (self);
    return !self->links [S_LINK_CTL].pipe || self->links [S_LINK_CTL].up;
}

const cJSON *
ddc_client_update_props (ddc_client_t *self)
{
    return self->update_props;
}

//  Queue a request; takes *msg_p.
static int
s_enqueue (ddc_client_t *self, zmsg_t **msg_p, int64_t timeout_ms, int tries, ddc_reply_fn *reply,
           void *arg, bool steal, char id_out [DDC_MAX_TEXT + 1])
{
    assert (msg_p);
    zmsg_t *zmsg = *msg_p;
    *msg_p = NULL;
    if (!zmsg)
        return -1;
    char err [128];
    ddc_msg_t *msg = ddc_msg_decode (zmsg, err, sizeof (err));
    bool ok =
        msg
        && (msg->type == DDC_SNAPSHOT || msg->type == DDC_SAVE || msg->type == DDC_ROLLBACK
            || msg->type == DDC_HISTORY || msg->type == DDC_PING || msg->type == DDC_STATUS
            || msg->type == DDC_ACTION || msg->type == DDC_THROTTLE || msg->type == DDC_SETUP
            || msg->type == DDC_SETUPCODE || msg->type == DDC_AUDIT || msg->type == DDC_RECORD);
    if (!ok) {
        ddc_error ("client: not a request: %s", msg ? ddc_msg_name (msg->type) : err);
        ddc_msg_destroy (&msg);
        zmsg_destroy (&zmsg);
        return -1;
    }
    if (self->nreqs == S_MAX_REQS || s_req_find (self, msg->frame [DDC_REQ]) >= 0) {
        ddc_warn ("client: %s",
                  self->nreqs == S_MAX_REQS ? "request queue full" : "duplicate request id");
        ddc_msg_destroy (&msg);
        zmsg_destroy (&zmsg);
        return -1;
    }
    s_req_t *r = ddc_calloc (1, sizeof (*r));
    r->id = ddc_strdup (msg->frame [DDC_REQ]);
    if (id_out)
        ddc_strlcpy (id_out, r->id, DDC_MAX_TEXT + 1);
    ddc_msg_destroy (&msg);
    r->msg = zmsg;
    r->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
    r->tries_left = tries > 0 ? tries : 1;
    r->deadline = ddc_mono_ms () + r->timeout_ms;
    r->reply = reply;
    r->arg = arg;
    r->steal = steal;
    self->reqs [self->nreqs++] = r;
    s_req_send (self, r);
    return 0;
}

int
ddc_client_request (ddc_client_t *self, zmsg_t **msg_p, int64_t timeout_ms, int tries,
                    ddc_reply_fn *reply, void *arg)
{
    return s_enqueue (self, msg_p, timeout_ms, tries, reply, arg, false, NULL);
}

ddc_msg_t *
ddc_client_call (ddc_client_t *self, zmsg_t **msg_p, int64_t timeout_ms)
{
    if (self->depth > 0) {
        ddc_error ("client: ddc_client_call may not be used inside a callback");
        zmsg_destroy (msg_p);
        return NULL;
    }
    if (timeout_ms <= 0)
        timeout_ms = 1;
    //  an ACTION or a THROTTLE is not idempotent: never resend it
    zframe_t *cmd = *msg_p ? zmsg_first (*msg_p) : NULL;
    bool action = cmd && (zframe_streq (cmd, "ACTION") || zframe_streq (cmd, "THROTTLE"));
    int tries = action ? 1
                       : (int) (timeout_ms / 1000 < 1   ? 1
                                : timeout_ms / 1000 > 4 ? 4
                                                        : timeout_ms / 1000);
    ddc_msg_t *reply = NULL;
    char id [DDC_MAX_TEXT + 1];
    if (s_enqueue (self, msg_p, timeout_ms / tries, tries, NULL, &reply, true, id) < 0)
        return NULL;
    int64_t end = ddc_mono_ms () + timeout_ms;
    while (s_req_find (self, id) >= 0 && !zsys_interrupted && !ddc_client_refused_final (self)) {
        int64_t left = end - ddc_mono_ms ();
        if (left <= 0)
            break;
        s_pump (self, left);
    }
    int i = s_req_find (self, id);
    if (i >= 0) {
        s_req_t *r = s_req_remove (self, (size_t) i);
        s_req_free (&r);
    }
    return reply;
}

int
ddc_client_result (ddc_client_t *self, const char *req, const cJSON *body)
{
    if (!s_name_ok (req, DDC_MAX_TEXT, "") || !cJSON_IsObject (body))
        return -1;
    char *text = ddc_json_print (body);
    if (!text || strlen (text) > DDC_MAX_JSON) {
        free (text);
        return -1;
    }
    zmsg_t *msg = ddc_msg_buildv (DDC_RESULT, req, text, NULL);
    int rc = s_send_ff (self, &msg);
    free (text);
    return rc;
}

int
ddc_client_report (ddc_client_t *self, const char *topic, const cJSON *body)
{
    if (!s_name_ok (topic, 128, "/") || !body)
        return -1;
    char *text = ddc_json_print (body);
    if (!text || strlen (text) > DDC_REPORT_MAX) {
        //  the broker would refuse it (ERROR 413): say so here, once per call
        if (text)
            ddc_warn ("client: report %s of %zu bytes not sent: over %d bytes", topic,
                      strlen (text), DDC_REPORT_MAX);
        free (text);
        return -1;
    }
    s_report_t *rep = NULL;
    for (size_t i = 0; i < self->nreports; i++)
        if (strcmp (self->reports [i].topic, topic) == 0)
            rep = &self->reports [i];
    if (!rep) {
        if (self->nreports == S_MAX_TOPICS) {
            ddc_warn ("client: too many report topics (at most %d)", S_MAX_TOPICS);
            free (text);
            return -1;
        }
        rep = &self->reports [self->nreports++];
        rep->topic = ddc_strdup (topic);
    }
    free (rep->body);
    rep->body = text;
    if (!self->welcomed)
        return 0; //  sent after the WELCOME
    char req [40];
    ddc_req_id (req);
    zmsg_t *msg = ddc_msg_buildv (DDC_REPORT, req, topic, text, NULL);
    s_send_ff (self, &msg);
    return 0;
}

//  Subscribe to topic (copied) on top of the followed sections; -1 when
//  there are too many subscriptions.
static int
s_follow (ddc_client_t *self, const char *topic)
{
    for (size_t i = 0; i < self->nstatus; i++)
        if (strcmp (self->status_subs [i], topic) == 0)
            return 0;
    if (self->nstatus == S_MAX_STATUS)
        return -1;
    self->status_subs [self->nstatus++] = ddc_strdup (topic);
    if (!self->sub_hugz) {
        zsock_set_subscribe (self->sub, "hugz/");
        self->sub_hugz = true;
    }
    zsock_set_subscribe (self->sub, topic);
    s_sub_connect (self); //  when already welcomed
    return 0;
}

int
ddc_client_follow_status (ddc_client_t *self, const char *prefix)
{
    if (prefix && *prefix && !s_name_ok (prefix, 200, ""))
        return -1;
    char topic [256];
    snprintf (topic, sizeof (topic), "status/%s", prefix ? prefix : "");
    return s_follow (self, topic);
}

int
ddc_client_follow_mon (ddc_client_t *self, const char *prefix)
{
    if (prefix && *prefix && !s_name_ok (prefix, 200, ""))
        return -1;
    char topic [256];
    snprintf (topic, sizeof (topic), "mon/%s", prefix ? prefix : "");
    return s_follow (self, topic);
}
