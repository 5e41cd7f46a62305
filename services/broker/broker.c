/*  broker: the ddc-broker reactor. See broker.h and proto/ddcp.md. */
#include "broker.h"
#include "audit.h"
#include "health.h"
#include "loopstat.h"
#include "outq.h"
#include "peers.h"
#include "refused.h"
#include "roles.h"
#include "sectext.h"
#include "setupcode.h"
#include "stats.h"
#include "store.h"
#include "throttle.h"
#include "subs.h"
#include "watchdog.h"
#include "zap.h"
#include "zmon.h"

#include "ddc_buf.h"
#include "ddc_config.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_pages.h"
#include "ddc_proto.h"
#include "ddc_util.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <malloc.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HUGZ_MS 1000
#define FILE_POLL_MS 250
#define SWEEP_MS 1000
#define ACTION_TICK_MS 20
#define ACTIONS_MAX 4096
#define ACTION_MIN_MS 100
#define ACTION_MAX_MS 120000
//  The web UI's sign-in limit (proto/ddcp.md 5.10): 5 attempts per client
//  address in 5 minutes, 4096 addresses (throttle_bytes: at most about
//  0.6 MiB, grown as addresses come).
#define SIGNIN_KEYS 4096
#define SIGNIN_LIMIT 5
#define SIGNIN_WINDOW_MS (5 * 60 * 1000)
#define SUBS_SWEEP_MS 5000
#define TRIM_MIN_BYTES (1024 * 1024) //  free in the heap, for a trim to be worth it
#define TRIM_EVERY_MS 5000           //  at most one trim in this time
#define STEP_BUDGET_MS 5             //  one callback hands the loop back after this
#define HUGZ_JOIN_MS 20              //  at most one HUGZ for new subscribers per this
#define CTL_SNDHWM 32                //  replies queued per connection (each <= 1 MiB)
#define PUB_SNDHWM 256               //  messages queued per subscriber
#define AUDIT_STEP_US 3000           //  an AUDIT page reads the log for at most this
#define STATUS_PAGE_MAX (256 * 1024) //  rows of a STATUS page, bytes (one row at least)
//  Actions refused before they reached a target (no such peer, role, too
//  many pending) are recorded at most this many a minute: a peer sending
//  junk cannot rotate the real entries out of the audit log.
#define AUDIT_REFUSED_PER_MIN 60
//  A change's log line and audit line are written this long after it was
//  published and answered (at once when this many wait, or before any
//  other audit line, an AUDIT page or a stop): on a small machine the
//  subscribers' I/O threads and loops need the CPU first (written at once,
//  the two lines cost the median save at 1 subscriber about 35 us).
#define RECORD_DEFER_MS 2
#define RECORD_WAITING_MAX 64

typedef struct {
    char id [48];     //  our request id towards the target
    zframe_t *origin; //  routing id of the requester
    char *origin_req; //  the requester's request id
    char target [320];
    int64_t deadline_ms;
    int64_t started_ms; //  mono
    cJSON *entry;       //  its audit record, result to come
    bool unrecorded;    //  a later read of a followed log: not written
} s_action_t;

//  A save committed in a group, its answer held until the group's flush.
typedef struct {
    peer_t *peer;
    char *req;
    zmsg_t *reply;
    store_change_t change;
    char *author;
} s_held_t;

//  A change whose log and audit lines wait (RECORD_DEFER_MS).
typedef struct {
    uint64_t rev, prev_rev;
    ddc_section_t section;
    char *author;
    char *peer;
    cJSON *changed;  //  taken from the change
    int64_t wall_ms; //  when it was made
} s_record_t;

struct broker_t {
    char *data_dir;
    char *ctl_endpoint;
    char *pub_endpoint;
    char *advertise_pub;
    store_t *store;
    audit_t *audit; //  DATA/audit.log
    peers_t *peers;
    setupcode_t *setup; //  the web UI's first-run setup code
    throttle_t *signin; //  sign-in attempts per client address
    zsock_t *ctl;
    zsock_t *pub;
    zap_t *zap; //  admits KEYS/clients (CURVE), denies refused subscribers
    refused_t *refused;
    subs_t *subs;
    outq_t *outq;             //  bytes queued per connection
    int64_t stalled_ms;       //  last look for stalled subscribers
    uint64_t replies_dropped; //  over a connection's byte bound
    int64_t replies_dropped_log_ms;
    bool curve;
    zloop_t *loop;
    char boot [17];
    int64_t started_ms;
    zhashx_t *actions; //  id -> s_action_t
    uint64_t action_seq;
    int lock_fd;
    int64_t malformed_log_ms;  //  last warning about malformed requests
    uint64_t malformed;        //  malformed requests not warned about
    int64_t hugz_last_ms;      //  last HUGZ sent for new subscribers
    int64_t refused_minute_ms; //  refused actions recorded this minute
    int refused_recorded;
    uint64_t refused_unrecorded;
    bool hugz_due;        //  a new subscriber waits for one
    int tick_timer;       //  the action/HUGZ tick while armed, else -1
    loopstat_t *loopstat; //  the loop's longest step
    bool trim_due;        //  the start, or saves paused: free pages may go back
    bool started_trim;    //  the start's trim is still to come (whatever is free)
    int64_t trimmed_ms;   //  the last trim (s_heap_trim)
    sectext_t *sectext;   //  the sections' text per revision
    watchdog_t *watchdog; //  the heartbeat to an outside monitor
    //  Saves of one turn of the loop, answered after their one flush
    //  (store_group_begin/end).
    bool grouping;
    s_held_t *held;
    int held_n, held_max;
    //  Changes whose log and audit lines wait, in order (s_record_change).
    s_record_t *records;
    int records_n, records_max;
    int record_timer; //  armed while some wait, else -1
    stats_t stats;    //  counts for the metrics report
    char host [64];   //  this host's name: the metrics' host
    int64_t started_wall_ms;
    zmon_t *zmon; //  the sockets' events, on mon/zmq/
};

static void
s_action_destroy (s_action_t **a_p)
{
    if (!*a_p)
        return;
    zframe_destroy (&(*a_p)->origin);
    free ((*a_p)->origin_req);
    cJSON_Delete ((*a_p)->entry);
    free (*a_p);
    *a_p = NULL;
}

//  ---------------------------------------------------------------- sending

//  Send zmsg to the peer with routing id `to`; never blocks (sndtimeo 0).
static void
s_send_to (broker_t *self, zframe_t *to, zmsg_t **zmsg_p)
{
    //  Replies are built within DDC_REPLY_BUDGET; should one not be, the
    //  peer gets an error rather than a frame it would drop.
    for (zframe_t *f = zmsg_first (*zmsg_p); f; f = zmsg_next (*zmsg_p))
        if (zframe_size (f) > DDC_MAX_JSON) {
            zframe_t *req = zmsg_first (*zmsg_p);
            req = req ? zmsg_next (*zmsg_p) : NULL;
            char *id = req ? zframe_strdup (req) : ddc_strdup ("-");
            ddc_error ("a %zu-byte reply to %s refused: over the clients' limit", zframe_size (f),
                       id);
            zmsg_destroy (zmsg_p);
            *zmsg_p = ddc_msg_buildv (DDC_ERROR, id, "413", "reply too large", NULL);
            free (id);
            break;
        }
    if (outq_send_to (self->outq, self->ctl, to, zmsg_p) == 0)
        return;
    if (errno != ENOBUFS) {
        ddc_debug ("reply dropped: peer gone or its queue is full (%s)", strerror (errno));
        return;
    }
    //  A peer that does not read: its replies wait in our memory.
    self->replies_dropped++;
    int64_t now = ddc_mono_ms ();
    if (!self->replies_dropped_log_ms || now - self->replies_dropped_log_ms >= 60000) {
        peer_t *peer = peers_by_routing (self->peers, to);
        char *what = ddc_asprintf ("replies dropped: over %u MiB of replies queued to a peer "
                                   "that does not read them (%llu since the start)",
                                   OUTQ_REPLY_MAX >> 20, (unsigned long long) self->replies_dropped);
        refused_add (self->refused, peer ? peer_name (peer) : "a connection", NULL, what);
        free (what);
        self->replies_dropped_log_ms = now;
    }
}

static void
s_send_error (broker_t *self, zframe_t *to, const char *req, int code, const char *message)
{
    char scode [16];
    snprintf (scode, sizeof (scode), "%d", code);
    zmsg_t *reply = ddc_msg_buildv (DDC_ERROR, req, scode, message, NULL);
    s_send_to (self, to, &reply);
}

static char *
s_u64 (uint64_t v, char buf [24])
{
    ddc_buf_fmt_u64 (v, buf);
    return buf;
}

//  Publish *zmsg_p (destroyed, set to NULL) and count it.
static void
s_pub (broker_t *self, zmsg_t **zmsg_p, stats_pub_t kind)
{
    if (!*zmsg_p)
        return;
    self->stats.published [kind]++;
    outq_publish (self->outq, self->pub, zmsg_p);
    //  Over the bound, the subscribers that do not read are what holds it
    //  (a look at most every 100 ms: a walk of our sockets).
    int64_t now = ddc_mono_ms ();
    if (outq_pub_bytes (self->outq) > OUTQ_PUB_MAX && now - self->stalled_ms >= 100) {
        self->stalled_ms = now;
        subs_close_stalled (self->subs);
    }
}

static int s_on_action_tick (zloop_t *loop, int timer_id, void *arg);

//  The tick (ACTION_TICK_MS) runs only while an action waits for its
//  answer or a new subscriber for its HUGZ: an idle broker is not woken
//  50 times a second.
static void
s_tick_arm (broker_t *self)
{
    if (self->tick_timer < 0 && self->loop)
        self->tick_timer = zloop_timer (self->loop, ACTION_TICK_MS, 0, s_on_action_tick, self);
}

//  Write an entry to the audit log, and count it. 0, or -1.
static int
s_audit_append (broker_t *self, const cJSON *entry)
{
    int rc = audit_append (self->audit, entry);
    if (rc == 0)
        self->stats.audit_records++;
    return rc;
}

//  The log and audit lines of the changes that wait, in order.
static void
s_records_write (broker_t *self)
{
    if (self->record_timer >= 0) {
        zloop_timer_end (self->loop, self->record_timer);
        self->record_timer = -1;
    }
    for (int i = 0; i < self->records_n; i++) {
        s_record_t *r = &self->records [i];
        const char *name = ddc_section_name (r->section);
        ddc_info ("%s: revision %llu by %s (%s), %d field(s) changed", name,
                  (unsigned long long) r->rev, r->author, r->peer, cJSON_GetArraySize (r->changed));
        cJSON *entry = audit_config_entry (r->rev, r->prev_rev, name, r->author, r->peer,
                                           r->changed, r->wall_ms);
        s_audit_append (self, entry);
        cJSON_Delete (entry);
        free (r->author);
        free (r->peer);
        cJSON_Delete (r->changed);
    }
    self->records_n = 0;
}

static int
s_on_records (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    broker_t *self = arg;
    self->record_timer = -1; //  a timer of one run: zloop ends it
    loopstat_step_t start = loopstat_begin ();
    s_records_write (self);
    loopstat_done (self->loopstat, &start, "audit");
    return 0;
}

//  Write an entry to the audit log, and count it: after the changes'
//  lines that wait, so that the file keeps the order of events. 0, or -1.
static int
s_audit (broker_t *self, const cJSON *entry)
{
    s_records_write (self);
    return s_audit_append (self, entry);
}

//  mon/peer/<name>/: a peer connected (HELLO, or a message after it went
//  quiet) or went (BYE, or quiet for PEER_IDLE_MS), at once (proto 6).
static void
s_on_link (void *arg, peer_t *peer, bool connected, const char *reason)
{
    broker_t *self = arg;
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "name", peer_name (peer));
    cJSON_AddStringToObject (body, "role", peer_role (peer)->name);
    cJSON_AddBoolToObject (body, "connected", connected);
    char when [32];
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON_AddStringToObject (body, "time", when);
    cJSON_AddStringToObject (body, "reason", reason);
    char *topic = ddc_asprintf ("mon/peer/%s/", peer_name (peer));
    zmon_publish (self->zmon, topic, &body);
    free (topic);
    if (!connected && strcmp (reason, "quiet") == 0)
        ddc_info ("peer %s went quiet: disconnected", peer_name (peer));
}

static void
s_publish_hugz (broker_t *self)
{
    char rev [24], now [24];
    cJSON *revs = store_revs_json (self->store);
    char *revs_text = ddc_json_print (revs);
    cJSON_Delete (revs);
    zmsg_t *zmsg = ddc_msg_buildv (DDC_HUGZ, "hugz/", store_epoch (self->store),
                                   s_u64 (store_rev (self->store), rev), self->boot, revs_text,
                                   s_u64 ((uint64_t) ddc_wall_ms (), now), NULL);
    free (revs_text);
    s_pub (self, &zmsg, STATS_PUB_HUGZ);
}

//  ------------------------------------------------------------ setup code

static bool
s_password_set (broker_t *self)
{
    const char *hash = cJSON_GetStringValue (
        cJSON_GetObjectItemCaseSensitive (store_section (self->store, DDC_SEC_WEB),
                                          "password_hash"));
    return hash && *hash;
}

//  A setup code exactly while no web password is set (proto 5.11); the
//  broker's log is where the operator reads it. Run at start and after
//  every change of the web section, in the same loop turn as the change,
//  so that the code a password used up is never accepted again.
static void
s_setup_sync (broker_t *self)
{
    const char *path = setupcode_path (self->setup);
    switch (setupcode_sync (self->setup, s_password_set (self))) {
        case SETUPCODE_LOADED:
        case SETUPCODE_MADE:
            ddc_info ("no web password is set: the web UI's setup code is %s (also in %s, and "
                      "printed by ddc-ctl setup-code); enter it at /setup of ddc-web",
                      setupcode_get (self->setup), path);
            break;
        case SETUPCODE_UNWRITTEN:
            ddc_warn ("no web password is set: the web UI's setup code is %s (printed by ddc-ctl "
                      "setup-code; it could not be written to %s: %s); enter it at /setup of "
                      "ddc-web",
                      setupcode_get (self->setup), path, strerror (errno));
            break;
        case SETUPCODE_WITHDRAWN:
            ddc_info ("a web password is set: the setup code is used up (%s removed)", path);
            break;
        case SETUPCODE_KEPT:
            break;
    }
}

//  True when a web section value sets a password (not "", not "***", which
//  keeps the current one).
static bool
s_sets_password (const cJSON *value)
{
    const char *hash =
        cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (value, "password_hash"));
    return hash && *hash && strcmp (hash, "***") != 0;
}

//  ----------------------------------------------------------------- publish

//  What the peer sees of section s as JSON text (redacted for the
//  subscribers, peer NULL), printed once per revision (sectext.h).
static const char *
s_section_text (broker_t *self, peer_t *peer, ddc_section_t s, size_t *len_p)
{
    bool full = peer && role_reads_secrets (peer_role (peer), s);
    return sectext_get (self->sectext, s, full, store_section_rev (self->store, s),
                        store_section (self->store, s), len_p);
}

//  The UPDATE of a durable change, to the subscribers.
static void
s_publish_update (broker_t *self, const store_change_t *change, const char *author, const char *peer)
{
    ddc_section_t s = change->section;
    char topic [64], rev [24], prev [24], when [32];
    snprintf (topic, sizeof (topic), "cfg/%s/", ddc_section_name (s));
    ddc_iso_time (ddc_wall_ms (), when);
    //  {"author","peer","time","changed","secrets_changed"}, written as
    //  text (it is on every save's way to the subscribers).
    ddc_buf_t *props = ddc_buf_new (DDC_BUF_UNBOUNDED);
    ddc_buf_puts (props, "{\"author\":");
    ddc_json_print_string (props, author);
    ddc_buf_puts (props, ",\"peer\":");
    ddc_json_print_string (props, peer);
    ddc_buf_puts (props, ",\"time\":");
    ddc_json_print_string (props, when);
    if (change->changed) {
        ddc_buf_puts (props, ",\"changed\":");
        ddc_json_print_to (props, change->changed);
    }
    if (change->secrets_changed) {
        ddc_buf_puts (props, ",\"secrets_changed\":");
        ddc_json_print_to (props, change->secrets_changed);
    }
    ddc_buf_puts (props, "}");
    char *props_text = ddc_buf_release (&props, NULL);
    size_t len;
    const char *value_text = s_section_text (self, NULL, s, &len);
    zmsg_t *zmsg =
        ddc_msg_buildv (DDC_UPDATE, topic, store_epoch (self->store), s_u64 (change->rev, rev),
                        s_u64 (change->prev_rev, prev), props_text, value_text, NULL);
    free (props_text);
    s_pub (self, &zmsg, STATS_PUB_UPDATE);
}

//  What follows a published change: its log and audit lines, RECORD_DEFER_MS
//  later (its changed list is taken), and at once what the web and
//  watchdog sections set in the broker itself.
static void
s_record_change (broker_t *self, store_change_t *change, const char *author, const char *peer)
{
    ddc_section_t s = change->section;
    if (self->records_n == self->records_max) {
        self->records_max = self->records_max ? 2 * self->records_max : 8;
        self->records =
            ddc_realloc (self->records, (size_t) self->records_max * sizeof (*self->records));
    }
    self->records [self->records_n++] =
        (s_record_t){ change->rev,     change->prev_rev, s, ddc_strdup (author), ddc_strdup (peer),
                      change->changed, ddc_wall_ms () };
    change->changed = NULL;
    if (self->records_n >= RECORD_WAITING_MAX || !self->loop)
        s_records_write (self);
    else if (self->record_timer < 0)
        self->record_timer = zloop_timer (self->loop, RECORD_DEFER_MS, 1, s_on_records, self);
    if (s == DDC_SEC_WEB)
        s_setup_sync (self);
    if (s == DDC_SEC_WATCHDOG && self->watchdog)
        watchdog_configure (self->watchdog, store_section (self->store, s), false);
}

static void
s_publish_change (broker_t *self, store_change_t *change, const char *author, const char *peer)
{
    s_publish_update (self, change, author, peer);
    s_record_change (self, change, author, peer);
}

//  The watchdog's question: is the system well (health.h)?
static bool
s_watchdog_health (void *arg, char *reason, size_t size)
{
    broker_t *self = arg;
    return health_judge (store_section (self->store, DDC_SEC_BOT),
                         store_section (self->store, DDC_SEC_CONTAINERS), self->peers, reason, size);
}

//  --------------------------------------------------------------- requests

//  true when the certificate allows that instance: one of its `instances`
//  metadata (a comma list of names and PREFIX*), or without it its `name`.
//  The one-off runs of a tool role (ctl, monitor) are told apart by a
//  suffix: such a certificate for NAME also allows NAME.ANYTHING.
static bool
s_cert_allows (zcert_t *cert, const role_t *role, const char *instance)
{
    const char *list = zcert_meta (cert, "instances");
    if (!list || !*list)
        list = zcert_meta (cert, "name");
    if (!list || !*list)
        return false;
    bool tool = strcmp (role->name, "ctl") == 0 || strcmp (role->name, "monitor") == 0;
    char *copy = ddc_strdup (list), *save = NULL;
    bool ok = false;
    for (char *e = strtok_r (copy, ",", &save); e && !ok; e = strtok_r (NULL, ",", &save)) {
        while (*e == ' ')
            e++;
        size_t n = strlen (e);
        ok = n
             && (ddc_name_matches (e, instance)
                 || (tool && e [n - 1] != '*' && strncmp (e, instance, n) == 0
                     && instance [n] == '.'));
    }
    free (copy);
    return ok;
}

//  Refuse a HELLO: the peer gets ERROR code, the refusals list and the
//  (rate-limited) log get the reason.
static void
s_hello_refused (broker_t *self, zframe_t *routing, const char *req, const char *address,
                 zcert_t *cert, int code, const char *reason)
{
    refused_add (self->refused, address, cert ? zcert_meta (cert, "name") : NULL, reason);
    s_send_error (self, routing, req, code, reason);
}

static void
s_on_hello (broker_t *self, zframe_t *routing, ddc_msg_t *msg, const char *user_id,
            const char *address)
{
    const char *req = msg->frame [DDC_REQ];
    if (strcmp (msg->frame [DDC_HELLO_PROTO], DDC_PROTO_NAME) != 0) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST,
                      "unsupported protocol; this broker speaks DDCP/1");
        return;
    }
    const role_t *role = role_find (msg->frame [DDC_HELLO_ROLE]);
    if (!role) {
        char text [200];
        snprintf (text, sizeof (text), "unknown role; roles are %s", role_names ());
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, text);
        return;
    }
    const char *instance = msg->frame [DDC_HELLO_INSTANCE];
    if (strchr (instance, '/')) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, "an instance name may not contain '/'");
        return;
    }
    char name [320], reason [DDC_MAX_TEXT];
    snprintf (name, sizeof (name), "%s@%.300s", role->name, instance);
    zcert_t *cert = NULL;
    if (user_id && *user_id) {
        //  A CURVE client (tcp://): the ZAP handler gave its public key as
        //  User-Id; the certificate in KEYS/clients says what it may be.
        cert = self->zap ? zap_cert (self->zap, user_id) : NULL;
        const char *cert_role = cert ? zcert_meta (cert, "role") : NULL;
        if (!cert_role || strcmp (cert_role, role->name) != 0) {
            snprintf (reason, sizeof (reason),
                      "HELLO as %.120s refused: the certificate is for "
                      "role %.20s",
                      name, cert_role ? cert_role : "(none)");
            s_hello_refused (self, routing, req, address, cert, DDC_E_DENIED, reason);
            return;
        }
        if (!s_cert_allows (cert, role, instance)) {
            const char *list = zcert_meta (cert, "instances");
            snprintf (reason, sizeof (reason),
                      "HELLO as %.120s refused: the certificate allows "
                      "only %.80s",
                      name,
                      list && *list               ? list
                      : zcert_meta (cert, "name") ? zcert_meta (cert, "name")
                                                  : "(no name)");
            s_hello_refused (self, routing, req, address, cert, DDC_E_DENIED, reason);
            return;
        }
    }
    int64_t now = ddc_mono_ms ();
    if (peers_holder (self->peers, routing, name, now)) {
        snprintf (reason, sizeof (reason),
                  "HELLO as %.120s refused: the name is in use by a "
                  "live connection (free after %d s without a message from it, or its BYE)",
                  name, PEER_IDLE_MS / 1000);
        s_hello_refused (self, routing, req, address, cert, DDC_E_IN_USE, reason);
        return;
    }
    peer_t *known = peers_by_routing (self->peers, routing);
    bool fresh = !known || strcmp (peer_name (known), name) != 0;
    peer_t *peer = peers_hello (self->peers, routing, role, instance, now);
    if (fresh)
        ddc_info ("peer %s connected", peer_name (peer));
    cJSON *access = role_access (role, peer_name (peer), self->advertise_pub);
    char *access_text = ddc_json_print (access);
    cJSON_Delete (access);
    char rev [24];
    zmsg_t *reply =
        ddc_msg_buildv (DDC_WELCOME, req, store_epoch (self->store),
                        s_u64 (store_rev (self->store), rev), self->boot, access_text, NULL);
    free (access_text);
    s_send_to (self, routing, &reply);
}

//  Parse "*" or "a,b" into wanted[]; -1 with the bad name in bad[].
static int
s_parse_sections (const char *list, bool wanted [DDC_SEC_COUNT], char *bad, size_t badlen)
{
    memset (wanted, 0, sizeof (bool) * DDC_SEC_COUNT);
    if (strcmp (list, "*") == 0) {
        for (int s = 0; s < DDC_SEC_COUNT; s++)
            wanted [s] = true;
        return 0;
    }
    char *copy = ddc_strdup (list), *save = NULL;
    int rc = 0;
    for (char *name = strtok_r (copy, ",", &save); name; name = strtok_r (NULL, ",", &save)) {
        int s = ddc_section_from_name (name);
        if (s < 0) {
            ddc_strlcpy (bad, name, badlen);
            rc = -1;
            break;
        }
        wanted [s] = true;
    }
    free (copy);
    return rc;
}

//  The reply is put together from the sections' kept texts:
//  {"sections":{"NAME":VALUE,...},"revs":{"NAME":REV,...}}.
static void
s_on_snapshot (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    bool wanted [DDC_SEC_COUNT];
    char bad [64];
    if (s_parse_sections (msg->frame [DDC_SNAPSHOT_SECTIONS], wanted, bad, sizeof (bad)) < 0) {
        char text [128];
        snprintf (text, sizeof (text), "unknown section '%.60s'", bad);
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, text);
        return;
    }
    const char *texts [DDC_SEC_COUNT] = { 0 };
    size_t lens [DDC_SEC_COUNT] = { 0 }, total = 64;
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        if (wanted [s]) {
            texts [s] = s_section_text (self, peer, (ddc_section_t) s, &lens [s]);
            total += lens [s] + 2 * strlen (ddc_section_name ((ddc_section_t) s)) + 32;
        }
    ddc_buf_t *body = ddc_buf_new (DDC_BUF_UNBOUNDED);
    ddc_buf_reserve (body, total);
    ddc_buf_puts (body, "{\"sections\":{");
    const char *sep = "";
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        if (texts [s]) {
            ddc_buf_printf (body, "%s\"%s\":", sep, ddc_section_name ((ddc_section_t) s));
            ddc_buf_add (body, texts [s], lens [s]);
            sep = ",";
        }
    ddc_buf_puts (body, "},\"revs\":{");
    sep = "";
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        if (texts [s]) {
            ddc_buf_printf (body, "%s\"%s\":%llu", sep, ddc_section_name ((ddc_section_t) s),
                            (unsigned long long) store_section_rev (self->store, (ddc_section_t) s));
            sep = ",";
        }
    ddc_buf_puts (body, "}}");
    char *text = ddc_buf_release (&body, NULL);
    char rev [24];
    zmsg_t *reply = ddc_msg_buildv (DDC_STATE, req, store_epoch (self->store),
                                    s_u64 (store_rev (self->store), rev), text, NULL);
    free (text);
    s_send_to (self, routing, &reply);
}

//  Build the reply to a save attempt; publishes on success. with_code:
//  the setup code was checked (SETUP).
static zmsg_t *
s_save (broker_t *self, peer_t *peer, const char *req, ddc_section_t s, const cJSON *value,
        uint64_t expected, const char *author, bool with_code)
{
    if (!role_writes (peer_role (peer), s)) {
        ddc_warn ("save of %s by %s denied: role %s may not write it", ddc_section_name (s),
                  peer_name (peer), peer_role (peer)->name);
        self->stats.saves [STATS_SAVE_DENIED]++;
        return ddc_msg_buildv (DDC_DENIED, req, "this role may not change this section", NULL);
    }
    //  Which fields: judged against the current value when the save is
    //  based on it (a save based on an older one is answered CONFLICT).
    char why [160];
    if ((expected == 0 || expected == store_section_rev (self->store, s))
        && !role_may_change (peer_role (peer), s, store_section (self->store, s), value, why,
                             sizeof (why))) {
        ddc_warn ("save of %s by %s denied: %s", ddc_section_name (s), peer_name (peer), why);
        return ddc_msg_buildv (DDC_DENIED, req, why, NULL);
    }
    if (s == DDC_SEC_WEB && peer_role (peer)->signin && !with_code && !s_password_set (self)
        && s_sets_password (value)) {
        ddc_warn ("save of web by %s denied: the first password needs the setup code",
                  peer_name (peer));
        self->stats.saves [STATS_SAVE_DENIED]++;
        return ddc_msg_buildv (DDC_DENIED, req,
                               "the first web password is set with SETUP and "
                               "the setup code",
                               NULL);
    }
    cJSON *errors = cJSON_CreateArray ();
    store_change_t change = { 0 };
    char err [256] = "";
    char rev [24], srev [24];
    char *printed = ddc_json_print (value);
    size_t size = strlen (printed);
    free (printed);
    store_result_t result;
    if (size > DDC_SECTION_MAX_BYTES) {
        cJSON *e = cJSON_CreateObject ();
        cJSON_AddStringToObject (e, "field", ddc_section_name (s));
        cJSON_AddStringToObject (e, "reason", "too_long");
        cJSON_AddStringToObject (e, "message", "the section is larger than 256 KiB");
        cJSON_AddItemToArray (errors, e);
        result = STORE_INVALID;
    }
    else
        result = store_save (self->store, s, value, expected, author, peer_name (peer), errors,
                             &change, err, sizeof (err));
    static const stats_save_t counted [] = { [STORE_OK] = STATS_SAVE_OK,
                                             [STORE_UNCHANGED] = STATS_SAVE_UNCHANGED,
                                             [STORE_INVALID] = STATS_SAVE_INVALID,
                                             [STORE_CONFLICT] = STATS_SAVE_CONFLICT,
                                             [STORE_FAILED] = STATS_SAVE_FAILED };
    self->stats.saves [counted [result]]++;
    zmsg_t *reply = NULL;
    switch (result) {
        case STORE_OK:
            reply = ddc_msg_buildv (DDC_OK, req, s_u64 (store_rev (self->store), rev),
                                    s_u64 (store_section_rev (self->store, s), srev), "1", NULL);
            break;
        case STORE_UNCHANGED:
            reply = ddc_msg_buildv (DDC_OK, req, s_u64 (store_rev (self->store), rev),
                                    s_u64 (store_section_rev (self->store, s), srev), "0", NULL);
            break;
        case STORE_INVALID: {
            char *text = ddc_json_print (errors);
            reply = ddc_msg_buildv (DDC_INVALID, req, text, NULL);
            ddc_info ("save of %s by %s refused: %d validation error(s)", ddc_section_name (s),
                      peer_name (peer), cJSON_GetArraySize (errors));
            free (text);
            break;
        }
        case STORE_CONFLICT: {
            size_t len;
            const char *text = s_section_text (self, peer, s, &len);
            reply = ddc_msg_buildv (DDC_CONFLICT, req,
                                    s_u64 (store_section_rev (self->store, s), srev), text, NULL);
            ddc_info ("save of %s by %s: conflict (based on %llu, current %llu)",
                      ddc_section_name (s), peer_name (peer), (unsigned long long) expected,
                      (unsigned long long) store_section_rev (self->store, s));
            break;
        }
        case STORE_FAILED:
            ddc_error ("save of %s failed: %s", ddc_section_name (s), err);
            reply =
                ddc_msg_buildv (DDC_ERROR, req,
                                "500", "the broker could not write its configuration file; nothing was changed",
                                NULL);
            break;
    }
    cJSON_Delete (errors);
    if (result == STORE_OK && self->grouping) {
        //  Answered and published once the group is durable (s_group_end).
        if (self->held_n == self->held_max) {
            self->held_max = self->held_max ? 2 * self->held_max : 8;
            self->held = ddc_realloc (self->held, (size_t) self->held_max * sizeof (*self->held));
        }
        self->held [self->held_n++] =
            (s_held_t){ peer, ddc_strdup (req), reply, change, ddc_strdup (author) };
        return NULL;
    }
    if (result == STORE_OK) {
        //  The subscribers first (many), then the saver (one); the log
        //  and the audit record after both.
        s_publish_update (self, &change, author, peer_name (peer));
        zmsg_t *copy = zmsg_dup (reply);
        s_send_to (self, peer_routing (peer), &copy);
        s_record_change (self, &change, author, peer_name (peer));
        store_change_free (&change);
        peer_remember (peer, req, reply);
        zmsg_destroy (&reply);
        return NULL;
    }
    return reply;
}

//  A request id this peer has had answered: the same answer again (true).
static bool
s_answered (broker_t *self, zframe_t *routing, peer_t *peer, const char *req)
{
    zmsg_t *again = peer_recall (peer, req);
    if (!again)
        return false;
    ddc_debug ("repeated request %s from %s: first answer sent again", req, peer_name (peer));
    s_send_to (self, routing, &again);
    return true;
}

static void
s_on_save (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg, bool rollback)
{
    const char *req = msg->frame [DDC_REQ];
    if (s_answered (self, routing, peer, req))
        return;
    const char *name = msg->frame [rollback ? DDC_ROLLBACK_SECTION : DDC_SAVE_SECTION];
    int s = ddc_section_from_name (name);
    if (s < 0) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, "unknown section");
        return;
    }
    zmsg_t *reply;
    if (!rollback)
        reply = s_save (self, peer, req, (ddc_section_t) s, msg->json [DDC_SAVE_VALUE],
                        msg->u64 [DDC_SAVE_EXPECTED], msg->frame [DDC_SAVE_AUTHOR], false);
    else {
        uint64_t to = msg->u64 [DDC_ROLLBACK_REV];
        bool gone = false;
        cJSON *value = store_history_value (self->store, (ddc_section_t) s, to, &gone);
        if (!value) {
            char text [160];
            if (gone)
                snprintf (text, sizeof (text), "revision %llu is older than the retained history",
                          (unsigned long long) to);
            else
                snprintf (text, sizeof (text), "%s did not change at revision %llu", name,
                          (unsigned long long) to);
            s_send_error (self, routing, req, gone ? DDC_E_GONE : DDC_E_NOT_FOUND, text);
            return;
        }
        //  The author frame is at most DDC_MAX_TEXT bytes of UTF-8: whole here.
        char author [DDC_MAX_TEXT + 64];
        snprintf (author, sizeof (author), "%s (rollback to %llu)",
                  msg->frame [DDC_ROLLBACK_AUTHOR], (unsigned long long) to);
        reply = s_save (self, peer, req, (ddc_section_t) s, value, 0, author, false);
        cJSON_Delete (value);
    }
    if (reply) {
        peer_remember (peer, req, reply);
        s_send_to (self, routing, &reply);
    }
}

//  SETUP: the first web password, allowed by the setup code (proto 5.11).
//  The check and the save happen in one turn of the loop, and the save
//  withdraws the code (s_record_change), so of two replicas sending the
//  right code at once only the first sets a password: the second finds one
//  set (ERROR 410).
static void
s_on_setup (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    if (s_answered (self, routing, peer, req))
        return;
    if (!peer_role (peer)->signin) {
        s_send_error (self, routing, req, DDC_E_DENIED,
                      "only the web role sets the first password with the setup code");
        return;
    }
    if (s_password_set (self)) {
        s_send_error (self, routing, req, DDC_E_GONE,
                      "a web password is set: the setup code is used up");
        return;
    }
    zmsg_t *reply;
    if (!setupcode_matches (self->setup, msg->frame [DDC_SETUP_CODE])) {
        ddc_warn ("setup by %s refused: wrong setup code", peer_name (peer));
        reply = ddc_msg_buildv (DDC_DENIED, req, "the setup code is not right", NULL);
    }
    else if (!s_sets_password (msg->json [DDC_SETUP_VALUE])) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST,
                      "SETUP sets the first password: value.password_hash must be a new hash");
        return;
    }
    else
        reply = s_save (self, peer, req, DDC_SEC_WEB, msg->json [DDC_SETUP_VALUE],
                        msg->u64 [DDC_SETUP_EXPECTED], msg->frame [DDC_SETUP_AUTHOR], true);
    if (reply) {
        peer_remember (peer, req, reply);
        s_send_to (self, routing, &reply);
    }
}

//  SETUPCODE: the setup code, for the operator (proto 5.11).
static void
s_on_setupcode (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    const char *code = setupcode_get (self->setup);
    if (!peer_role (peer)->setup_code)
        s_send_error (self, routing, req, DDC_E_DENIED, "only the ctl role may read the setup code");
    else if (!code)
        s_send_error (self, routing, req, DDC_E_GONE,
                      "a web password is set, so there is no "
                      "setup code; ddc-ctl passwd --clear removes the password and makes a new "
                      "one");
    else {
        ddc_info ("setup code handed to %s", peer_name (peer));
        zmsg_t *reply = ddc_msg_buildv (DDC_CODE, req, code, NULL);
        s_send_to (self, routing, &reply);
    }
}

//  THROTTLE: one more sign-in attempt from a client address, or its
//  success (proto 5.10).
static void
s_on_throttle (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    const char *op = msg->frame [DDC_THROTTLE_OP];
    const char *key = msg->frame [DDC_THROTTLE_KEY];
    size_t len = msg->len [DDC_THROTTLE_KEY];
    if (!peer_role (peer)->signin) {
        s_send_error (self, routing, req, DDC_E_DENIED,
                      "only the web role may count sign-in attempts");
        return;
    }
    if (len == 0 || len >= THROTTLE_KEY_MAX) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, "a throttle key has 1 to 63 bytes");
        return;
    }
    int64_t wait = 0;
    if (strcmp (op, "take") == 0)
        wait = throttle_take (self->signin, key, ddc_mono_ms ());
    else if (strcmp (op, "clear") == 0)
        throttle_clear (self->signin, key);
    else {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, "THROTTLE takes \"take\" or \"clear\"");
        return;
    }
    char swait [24];
    zmsg_t *reply = ddc_msg_buildv (DDC_WAIT, req, s_u64 ((uint64_t) wait, swait), NULL);
    s_send_to (self, routing, &reply);
}

static void
s_on_history (broker_t *self, zframe_t *routing, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    const char *name = msg->frame [DDC_HISTORY_SECTION];
    uint64_t rev = msg->u64 [DDC_HISTORY_REV];
    int s = -1;
    if (strcmp (name, "*") != 0 && (s = ddc_section_from_name (name)) < 0) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, "unknown section");
        return;
    }
    cJSON *entries;
    if (rev == 0)
        entries = store_history (self->store, s); //  summaries: bounded
    else {
        bool gone = false;
        cJSON *entry = store_history_entry (self->store, s, rev, &gone);
        if (!entry) {
            s_send_error (self, routing, req, gone ? DDC_E_GONE : DDC_E_NOT_FOUND,
                          gone ? "that revision is no longer in the history"
                               : "no change at that revision");
            return;
        }
        entries = cJSON_CreateArray ();
        cJSON_AddItemToArray (entries, entry);
    }
    char *text = ddc_json_print (entries);
    cJSON_Delete (entries);
    zmsg_t *reply = ddc_msg_buildv (DDC_CHANGES, req, text, NULL);
    free (text);
    s_send_to (self, routing, &reply);
}

static void
s_on_applied (broker_t *self, peer_t *peer, ddc_msg_t *msg, bool rejected)
{
    (void) self;
    int s = ddc_section_from_name (msg->frame [1]);
    if (s < 0)
        return;
    if (!rejected) {
        peer_applied (peer, (ddc_section_t) s, msg->u64 [DDC_APPLIED_REV]);
        return;
    }
    cJSON *errors = msg->json [DDC_REJECTED_ERRORS];
    msg->json [DDC_REJECTED_ERRORS] = NULL;
    const cJSON *first =
        cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (errors, 0), "message");
    ddc_warn ("%s rejected %s revision %llu and keeps running %llu: %.200s", peer_name (peer),
              ddc_section_name ((ddc_section_t) s), (unsigned long long) msg->u64 [DDC_REJECTED_REV],
              (unsigned long long) msg->u64 [DDC_REJECTED_RUNNING],
              cJSON_IsString (first) ? first->valuestring : "no reason given");
    self->stats.rejections++;
    peer_rejected (peer, (ddc_section_t) s, msg->u64 [DDC_REJECTED_REV],
                   msg->u64 [DDC_REJECTED_RUNNING], &errors);
    cJSON_Delete (errors);
}

static void
s_on_status (broker_t *self, zframe_t *routing, ddc_msg_t *msg)
{
    int64_t now = ddc_mono_ms ();
    cJSON *body = cJSON_CreateObject ();
    cJSON *broker = cJSON_AddObjectToObject (body, "broker");
    cJSON_AddStringToObject (broker, "epoch", store_epoch (self->store));
    cJSON_AddNumberToObject (broker, "rev", (double) store_rev (self->store));
    cJSON_AddStringToObject (broker, "boot", self->boot);
    cJSON_AddNumberToObject (broker, "uptime_s", (double) ((now - self->started_ms) / 1000));
    cJSON_AddStringToObject (broker, "version", DDC_VERSION);
    cJSON_AddItemToObject (broker, "revs", store_revs_json (self->store));
    cJSON_AddNumberToObject (broker, "pending_actions", (double) zhashx_size (self->actions));
    cJSON_AddItemToObject (broker, "loop", loopstat_json (self->loopstat));
    cJSON *held = cJSON_AddObjectToObject (broker, "held");
    cJSON_AddNumberToObject (held, "peers", (double) peers_count (self->peers));
    cJSON_AddNumberToObject (held, "peer_bytes", (double) peers_bytes (self->peers));
    cJSON_AddNumberToObject (held, "subscribers", (double) subs_subscribers (self->subs));
    cJSON_AddNumberToObject (held, "topics", (double) subs_topics (self->subs));
    cJSON_AddNumberToObject (held, "topic_bytes", (double) subs_topic_bytes (self->subs));
    cJSON_AddNumberToObject (held, "reply_bytes", (double) outq_reply_bytes (self->outq));
    cJSON_AddNumberToObject (held, "pub_bytes", (double) outq_pub_bytes (self->outq));
    cJSON_AddNumberToObject (held, "replies_dropped", (double) self->replies_dropped);
    cJSON_AddItemToObject (broker, "refused", refused_json (self->refused));
    cJSON_AddItemToObject (broker, "config", store_status (self->store));
    cJSON_AddItemToObject (broker, "watchdog", watchdog_status (self->watchdog));
    cJSON_AddItemToObject (broker, "zmq", zmon_status (self->zmon));
    //  The rows fill what is left of the page (STATUS_PAGE_MAX, at least
    //  one row); the rest is paged. The reply is put together in one
    //  buffer: a page can hold half a megabyte of reports, which are
    //  copied as few times as may be.
    char *head = ddc_json_print (body);
    cJSON_Delete (body);
    size_t head_len = strlen (head);
    size_t used = head_len + 128;
    size_t budget = used < DDC_REPLY_BUDGET ? DDC_REPLY_BUDGET - used : 0;
    if (budget > STATUS_PAGE_MAX)
        budget = STATUS_PAGE_MAX;
    const char *full = msg->frame [DDC_STATUS_FULL];
    uint64_t offset = msg->u64 [DDC_STATUS_OFFSET];
    size_t total = 0, next = 0;
    ddc_buf_t *page = ddc_buf_new (DDC_BUF_UNBOUNDED);
    ddc_buf_reserve (page, head_len + budget + PEER_STATUS_MAX_BYTES + 64 * 1024);
    ddc_buf_add (page, head, head_len - 1); //  {"broker":{...} without its '}'
    free (head);
    ddc_buf_puts (page, ",\"peers\":");
    peers_table (self->peers, page, now, (size_t) offset, strcmp (full, "-") == 0 ? NULL : full,
                 budget, &total, &next);
    if (next < total)
        ddc_buf_printf (page, ",\"offset\":%llu,\"total\":%zu,\"next\":%zu}",
                        (unsigned long long) offset, total, next);
    else
        ddc_buf_printf (page, ",\"offset\":%llu,\"total\":%zu,\"next\":null}",
                        (unsigned long long) offset, total);
    char *text = ddc_buf_release (&page, NULL);
    zmsg_t *reply = ddc_msg_buildv (DDC_PEERS, msg->frame [DDC_REQ], text, NULL);
    free (text);
    s_send_to (self, routing, &reply);
}

//  An action refused before it reached a target: recorded (at most
//  AUDIT_REFUSED_PER_MIN a minute) and answered.
static void
s_action_refused (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg, int code,
                  const char *error, const char *text)
{
    int64_t now = ddc_mono_ms ();
    if (now - self->refused_minute_ms >= 60000) {
        if (self->refused_unrecorded)
            ddc_warn ("%llu refused actions were not written to the audit log (more than %d "
                      "a minute)",
                      (unsigned long long) self->refused_unrecorded, AUDIT_REFUSED_PER_MIN);
        self->refused_minute_ms = now;
        self->refused_recorded = 0;
        self->refused_unrecorded = 0;
    }
    if (self->refused_recorded < AUDIT_REFUSED_PER_MIN) {
        self->refused_recorded++;
        cJSON *entry = audit_action_begin (peer_name (peer), peer_role (peer)->name,
                                           msg->frame [DDC_ACTION_PEER],
                                           msg->json [DDC_ACTION_BODY], ddc_wall_ms ());
        audit_action_failed (entry, "error", error, text, 0);
        s_audit (self, entry);
        cJSON_Delete (entry);
    }
    else
        self->refused_unrecorded++;
    stats_action (&self->stats, "error");
    s_send_error (self, routing, msg->frame [DDC_REQ], code, text);
}

static void
s_on_action (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    const char *target_name = msg->frame [DDC_ACTION_PEER];
    if (!peer_role (peer)->actions) {
        s_action_refused (self, routing, peer, msg, DDC_E_DENIED, "denied",
                          "this role may not send actions");
        return;
    }
    peer_t *target = peers_by_name (self->peers, target_name);
    if (!target) {
        char text [200];
        snprintf (text, sizeof (text), "no connected service is named %.150s", target_name);
        s_action_refused (self, routing, peer, msg, DDC_E_NOT_FOUND, "not_connected", text);
        return;
    }
    if (zhashx_size (self->actions) >= ACTIONS_MAX) {
        s_action_refused (self, routing, peer, msg, DDC_E_BUSY, "busy",
                          "too many actions pending; try again");
        return;
    }
    uint64_t timeout = msg->u64 [DDC_ACTION_TIMEOUT];
    if (timeout < ACTION_MIN_MS)
        timeout = ACTION_MIN_MS;
    if (timeout > ACTION_MAX_MS)
        timeout = ACTION_MAX_MS;
    s_action_t *a = ddc_calloc (1, sizeof (*a));
    snprintf (a->id, sizeof (a->id), "act-%s-%llu", self->boot,
              (unsigned long long) ++self->action_seq);
    a->origin = zframe_dup (routing);
    a->origin_req = ddc_strdup (req);
    ddc_strlcpy (a->target, target_name, sizeof (a->target));
    a->started_ms = ddc_mono_ms ();
    a->deadline_ms = a->started_ms + (int64_t) timeout;
    //  Who asked is the connection's peer; what it says it acts for is
    //  kept as its claim ("for").
    a->entry = audit_action_begin (peer_name (peer), peer_role (peer)->name, target_name,
                                   msg->json [DDC_ACTION_BODY], ddc_wall_ms ());
    a->unrecorded = audit_action_follow (msg->json [DDC_ACTION_BODY]);
    zhashx_insert (self->actions, a->id, a);
    s_tick_arm (self);
    char stimeout [24];
    zmsg_t *fwd = ddc_msg_buildv (DDC_ACTION, a->id, peer_name (peer), s_u64 (timeout, stimeout),
                                  msg->frame [DDC_ACTION_BODY], NULL);
    s_send_to (self, peer_routing (target), &fwd);
    ddc_debug ("action %s from %s to %s", a->id, peer_name (peer), target_name);
}

//  The audit record of a finished action goes to the log.
static void
s_action_recorded (broker_t *self, s_action_t *a)
{
    cJSON_AddStringToObject (a->entry, "id", a->id);
    stats_action (&self->stats,
                  cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (a->entry, "result")));
    if (!a->unrecorded)
        s_audit (self, a->entry);
}

static void
s_on_result (broker_t *self, peer_t *peer, ddc_msg_t *msg)
{
    s_action_t *a = zhashx_lookup (self->actions, msg->frame [DDC_REQ]);
    if (!a || strcmp (a->target, peer_name (peer)) != 0) {
        ddc_debug ("late or unknown result %s from %s dropped", msg->frame [DDC_REQ],
                   peer_name (peer));
        return;
    }
    zmsg_t *reply = ddc_msg_buildv (DDC_RESULT, a->origin_req, msg->frame [DDC_RESULT_BODY], NULL);
    s_send_to (self, a->origin, &reply);
    audit_action_result (a->entry, msg->json [DDC_RESULT_BODY], ddc_mono_ms () - a->started_ms);
    s_action_recorded (self, a);
    zhashx_delete (self->actions, a->id);
}

//  AUDIT: one page of the audit log (proto 5.12).
static void
s_on_audit (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    if (!peer_role (peer)->audit) {
        s_send_error (self, routing, req, DDC_E_DENIED, "this role may not read the audit log");
        return;
    }
    audit_query_t q;
    char err [200];
    if (audit_query_parse (msg->json [DDC_AUDIT_QUERY], &q, err, sizeof (err)) < 0) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, err);
        return;
    }
    s_records_write (self); //  a page shows every change made so far
    char *page = audit_page (self->audit, &q, DDC_REPLY_BUDGET - 64 * 1024, AUDIT_STEP_US);
    zmsg_t *reply = ddc_msg_buildv (DDC_ENTRIES, req, page, NULL);
    free (page);
    s_send_to (self, routing, &reply);
}

//  RECORD: an action the peer ran by itself (an agent's scheduled task),
//  written to the audit log as that peer's (proto 5.12). Idempotent: a
//  retry gets the first ACK.
static void
s_on_record (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *req = msg->frame [DDC_REQ];
    if (s_answered (self, routing, peer, req))
        return;
    if (!peer_role (peer)->records) {
        s_send_error (self, routing, req, DDC_E_DENIED,
                      "only the docker role reports actions "
                      "it ran itself");
        return;
    }
    char err [200];
    const char *name = peer_name (peer), *at = strchr (name, '@');
    cJSON *entry =
        audit_reported_entry (name, peer_role (peer)->name, at ? at + 1 : name,
                              msg->json [DDC_RECORD_ENTRY], ddc_wall_ms (), err, sizeof (err));
    if (!entry) {
        s_send_error (self, routing, req, DDC_E_BAD_REQUEST, err);
        return;
    }
    int rc = s_audit (self, entry);
    cJSON_Delete (entry);
    if (rc < 0) {
        s_send_error (self, routing, req, DDC_E_INTERNAL,
                      "the broker could not write its audit log");
        return;
    }
    zmsg_t *reply = ddc_msg_buildv (DDC_ACK, req, NULL);
    peer_remember (peer, req, reply);
    s_send_to (self, routing, &reply);
}

static void
s_on_report (broker_t *self, zframe_t *routing, peer_t *peer, ddc_msg_t *msg)
{
    const char *topic = msg->frame [DDC_REPORT_TOPIC];
    if (strchr (topic, '/')) {
        s_send_error (self, routing, msg->frame [DDC_REQ], DDC_E_BAD_REQUEST,
                      "a status topic may not contain '/'");
        return;
    }
    if (peer_status (peer, topic, msg->frame [DDC_REPORT_BODY], msg->len [DDC_REPORT_BODY]) < 0) {
        s_send_error (self, routing, msg->frame [DDC_REQ], DDC_E_TOO_LARGE,
                      "status refused: at most 16 topics of up to 63 characters and 512 KiB "
                      "of reports per service (64 MiB for all)");
        return;
    }
    char *full = ddc_asprintf ("status/%s/%s/", peer_name (peer), topic);
    zmsg_t *zmsg = ddc_msg_buildv (DDC_STATUSPUB, full, msg->frame [DDC_REPORT_BODY], NULL);
    free (full);
    s_pub (self, &zmsg, STATS_PUB_STATUS);
}

//  from: the sender, with a HELLO's ZAP user id and peer address.
static void
s_handle (broker_t *self, const ddc_routed_t *from, ddc_msg_t *msg)
{
    zframe_t *routing = from->routing;
    const char *req = msg->frame [DDC_REQ];
    self->stats.requests [msg->type]++;
    if (msg->type == DDC_HELLO) {
        s_on_hello (self, routing, msg, from->user_id [0] ? from->user_id : NULL,
                    from->address [0] ? from->address : NULL);
        return;
    }
    peer_t *peer = peers_by_routing (self->peers, routing);
    if (!peer) {
        if (msg->type != DDC_APPLIED && msg->type != DDC_REJECTED && msg->type != DDC_BYE)
            s_send_error (self, routing, req, DDC_E_HELLO, "unknown peer: send HELLO first");
        return;
    }
    peer_touch (peer, ddc_mono_ms ());
    switch (msg->type) {
        case DDC_SNAPSHOT:
            s_on_snapshot (self, routing, peer, msg);
            break;
        case DDC_SAVE:
            s_on_save (self, routing, peer, msg, false);
            break;
        case DDC_ROLLBACK:
            s_on_save (self, routing, peer, msg, true);
            break;
        case DDC_HISTORY:
            s_on_history (self, routing, msg);
            break;
        case DDC_APPLIED:
            s_on_applied (self, peer, msg, false);
            break;
        case DDC_REJECTED:
            s_on_applied (self, peer, msg, true);
            break;
        case DDC_PING: {
            peer_applied_rev (peer, msg->u64 [DDC_PING_REV]);
            char rev [24];
            zmsg_t *reply = ddc_msg_buildv (DDC_PONG, req, store_epoch (self->store),
                                            s_u64 (store_rev (self->store), rev), NULL);
            s_send_to (self, routing, &reply);
            break;
        }
        case DDC_STATUS:
            s_on_status (self, routing, msg);
            break;
        case DDC_ACTION:
            s_on_action (self, routing, peer, msg);
            break;
        case DDC_RESULT:
            s_on_result (self, peer, msg);
            break;
        case DDC_REPORT:
            s_on_report (self, routing, peer, msg);
            break;
        case DDC_THROTTLE:
            s_on_throttle (self, routing, peer, msg);
            break;
        case DDC_SETUP:
            s_on_setup (self, routing, peer, msg);
            break;
        case DDC_SETUPCODE:
            s_on_setupcode (self, routing, peer, msg);
            break;
        case DDC_AUDIT:
            s_on_audit (self, routing, peer, msg);
            break;
        case DDC_RECORD:
            s_on_record (self, routing, peer, msg);
            break;
        case DDC_BYE:
            ddc_info ("peer %s said goodbye", peer_name (peer));
            peers_bye (self->peers, peer);
            break;
        default:
            s_send_error (self, routing, req, DDC_E_BAD_REQUEST, "not a request");
            break;
    }
}

//  The end of a group of saves: one flush for all, then each change is
//  published and each saver gets its answer, in order (the subscribers'
//  UPDATEs all go out before the first answer, and the log lines and
//  audit records after the last); if the flush fails, none of them
//  happened and each gets ERROR 500.
static void
s_group_end (broker_t *self)
{
    char err [256] = "";
    int rc = store_group_end (self->store, err, sizeof (err));
    self->grouping = false;
    if (rc < 0)
        ddc_error ("%d save(s) failed: %s", self->held_n, err);
    for (int i = 0; i < self->held_n && rc == 0; i++) {
        s_held_t *h = &self->held [i];
        s_publish_update (self, &h->change, h->author, peer_name (h->peer));
    }
    for (int i = 0; i < self->held_n; i++) {
        s_held_t *h = &self->held [i];
        if (rc < 0) {
            self->stats.saves [STATS_SAVE_OK]--; //  counted as saved: it failed
            self->stats.saves [STATS_SAVE_FAILED]++;
            zmsg_destroy (&h->reply);
            h->reply = ddc_msg_buildv (DDC_ERROR, h->req, "500",
                                       "the broker could not write "
                                       "its configuration file; nothing was changed",
                                       NULL);
        }
        zmsg_t *copy = zmsg_dup (h->reply);
        s_send_to (self, peer_routing (h->peer), &copy);
    }
    for (int i = 0; i < self->held_n; i++) {
        s_held_t *h = &self->held [i];
        if (rc == 0)
            s_record_change (self, &h->change, h->author, peer_name (h->peer));
        store_change_free (&h->change);
        peer_remember (h->peer, h->req, h->reply);
        zmsg_destroy (&h->reply);
        free (h->req);
        free (h->author);
    }
    self->held_n = 0;
}

//  Is request req of peer held in the current group?
static bool
s_held (broker_t *self, peer_t *peer, const char *req)
{
    for (int i = 0; i < self->held_n; i++)
        if (self->held [i].peer == peer && strcmp (self->held [i].req, req) == 0)
            return true;
    return false;
}

//  HUGZ for new subscribers, at most one per HUGZ_JOIN_MS.
static void
s_hugz_for_joiners (broker_t *self)
{
    int64_t now = ddc_mono_ms ();
    if (self->hugz_due && now - self->hugz_last_ms >= HUGZ_JOIN_MS) {
        self->hugz_due = false;
        self->hugz_last_ms = now;
        s_publish_hugz (self);
    }
}

//  The subscriptions that came in, as one loop step; HUGZ for a new
//  subscriber unless saves wait for their flush (their revisions are not
//  durable yet).
static void
s_subscriptions (broker_t *self)
{
    loopstat_step_t start = loopstat_begin ();
    //  A new subscriber learns the revisions at once (proto 6).
    if (subs_on_readable (self->subs)) {
        self->hugz_due = true;
        s_tick_arm (self);
    }
    if (!self->grouping)
        s_hugz_for_joiners (self);
    loopstat_done (self->loopstat, &start, "subscriptions");
}

static int
s_on_ctl (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    broker_t *self = arg;
    //  Hand the loop back after STEP_BUDGET_MS so that timers, the PUB
    //  socket and signals get their turn under a flood.
    //  The socket never blocks a receive (ZMQ_RCVTIMEO 0): a receive that
    //  finds nothing ends the turn, and a request waiting costs no look at
    //  ZMQ_EVENTS (two system calls each). One reading of the clocks ends a
    //  request's step and begins the next.
    int64_t begin = ddc_mono_ms ();
    loopstat_step_t start = loopstat_begin ();
    for (int budget = 0;
         budget < 1000 && !zsys_interrupted && ddc_mono_ms () - begin < STEP_BUDGET_MS; budget++) {
        //  Read straight from libzmq's messages: no zmsg is made.
        ddc_routed_t from;
        char err [160];
        ddc_msg_t *msg = ddc_msg_recv_routed (zsock_resolve (sock), &from, err, sizeof (err));
        if (!from.routing)
            break;
        bool too_large = !msg && errno == EMSGSIZE;
        const char *what = "malformed";
        if (!msg) {
            //  A warning a minute at most: a flood of junk costs no disk.
            int64_t now = ddc_mono_ms ();
            self->stats.malformed++;
            if (!self->malformed_log_ms || now - self->malformed_log_ms >= 60000) {
                ddc_warn ("malformed request refused: %s (and %llu more since the last warning)",
                          err, (unsigned long long) self->malformed);
                self->malformed_log_ms = now;
                self->malformed = 0;
            }
            else {
                ddc_debug ("malformed request refused: %s", err);
                self->malformed++;
            }
            //  Answer when a plausible request id is there.
            if (from.req [0]
                && strspn (from.req,
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
                       == strlen (from.req))
                s_send_error (self, from.routing, from.req,
                              too_large ? DDC_E_TOO_LARGE : DDC_E_BAD_REQUEST, err);
        }
        else {
            what = ddc_msg_name (msg->type);
            //  Saves that come together share one flush; anything else
            //  sees only durable state.
            bool save = msg->type == DDC_SAVE || msg->type == DDC_ROLLBACK;
            if (self->grouping
                && (!save
                    || s_held (self, peers_by_routing (self->peers, from.routing),
                               msg->frame [DDC_REQ])))
                s_group_end (self);
            if (save && !self->grouping) {
                store_group_begin (self->store);
                self->grouping = true;
            }
            s_handle (self, &from, msg);
        }
        ddc_msg_destroy (&msg);
        zframe_destroy (&from.routing);
        loopstat_next (self->loopstat, &start, what);
        //  libzmq records each subscription a connection sends as it reads
        //  it, during any call on the PUB socket (a publish too), and
        //  frees that record in one piece when the connection closes:
        //  looking every 16 requests closes a flood of refused topics
        //  after its first few hundred rather than thousands.
        if (budget % 16 == 15 && (zsock_events (self->pub) & ZMQ_POLLIN)) {
            s_subscriptions (self);
            start = loopstat_begin ();
        }
    }
    if (self->grouping) {
        s_group_end (self); //  its step begins where the last request's ended
        loopstat_done (self->loopstat, &start, "SAVE flush");
    }
    s_hugz_for_joiners (self);
    return 0;
}

static int
s_on_pub (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    (void) sock;
    s_subscriptions (arg);
    return 0;
}

static int
s_on_zap (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    (void) sock;
    broker_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    zap_on_readable (self->zap);
    loopstat_done (self->loopstat, &start, "handshake");
    return 0;
}

//  ------------------------------------------------------------------ timers

static int
s_on_hugz (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    loopstat_step_t start = loopstat_begin ();
    s_publish_hugz (arg);
    loopstat_done (((broker_t *) arg)->loopstat, &start, "hugz");
    return 0;
}

//  After saves paused (none for a second, config.json written since):
//  give the heap's free pages back (malloc_trim) when at least
//  TRIM_MIN_BYTES are free (once after the start: whatever is free) and
//  TRIM_EVERY_MS passed since the last trim.
//  A save of 1,000 containers leaves some 8 MB of its parsed and printed
//  copies free, most of it in the middle of the heap where free() keeps
//  it; a trim gives it back in 1 to 2 ms. Only then: a trim walks every
//  free chunk, which after a flood of other requests took 6 ms. true when
//  it trimmed (a step of its own).
static bool
s_heap_trim (broker_t *self)
{
    int64_t now = ddc_mono_ms ();
    if (self->trimmed_ms && now - self->trimmed_ms < TRIM_EVERY_MS)
        return false;
    self->trim_due = false;
    struct mallinfo2 before = mallinfo2 ();
    bool first = self->started_trim;
    self->started_trim = false;
    if (before.fordblks < TRIM_MIN_BYTES && !first)
        return false;
    loopstat_step_t began = loopstat_begin ();
    malloc_trim (0);
    loopstat_step_t ended = loopstat_begin ();
    self->trimmed_ms = now;
    ddc_debug ("heap trim: %zu KiB in the heap, %zu KiB of it free, in %lld us (%lld us of CPU)",
               before.arena / 1024, before.fordblks / 1024, (long long) (ended.us - began.us),
               (long long) (ended.cpu_us - began.cpu_us));
    return true;
}

static int
s_on_file_poll (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    broker_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    store_change_t changes [DDC_SEC_COUNT];
    memset (changes, 0, sizeof (changes));
    int n = store_poll_file (self->store, changes);
    for (int i = 0; i < n; i++) {
        s_publish_change (self, &changes [i], "file", "config.json");
        store_change_free (&changes [i]);
    }
    store_checkpoint_t done = store_checkpoint (self->store, false);
    store_keep_last_good (self->store);
    loopstat_done (self->loopstat, &start, "file poll");
    if (done != STORE_CHECKPOINT_NONE) {
        self->trim_due = true; //  once saves pause
        return 0;              //  deflating waits for the next turn
    }
    start = loopstat_begin ();
    if (store_pack (self->store)) {
        loopstat_done (self->loopstat, &start, "store pack");
        return 0;
    }
    if (self->trim_due && store_paused (self->store) && s_heap_trim (self))
        loopstat_done (self->loopstat, &start, "heap trim");
    return 0;
}

//  Once, DDC_PAGES_SETTLE_MS after the start: the program and library
//  pages only the start used go back to the page cache (ddc_pages.h).
static int
s_on_pages (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    broker_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    ddc_pages_let_go ();
    loopstat_done (self->loopstat, &start, "start-up pages");
    return 0;
}

static int
s_on_sweep (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    broker_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    //  No malloc_trim here: it walks the whole heap in one step (6 ms of
    //  CPU after a hostile flood), longer than any request may hold the
    //  loop; the heap is trimmed when saves pause (s_heap_trim)
    peers_sweep (self->peers, ddc_mono_ms ());
    loopstat_done (self->loopstat, &start, "sweep");
    return 0;
}

static int
s_on_subs_sweep (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    broker_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    subs_sweep (self->subs);
    outq_sweep (self->outq);
    loopstat_done (self->loopstat, &start, "subscribers sweep");
    return 0;
}

//  The broker's own metrics, published as status/broker@HOST/metrics/
//  (no peer can publish under that name: broker is no role).
static int
s_on_metrics (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    broker_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    stats_now_t now = {
        .roles = { "ctl", "web", "discord", "docker", "monitor" },
        .peers = peers_count (self->peers),
        .subscribers = subs_subscribers (self->subs),
        .topics = subs_topics (self->subs),
        .pending_actions = zhashx_size (self->actions),
        .revision = store_rev (self->store),
        .started_s = self->started_wall_ms / 1000,
    };
    for (int i = 0; i < STATS_ROLES; i++)
        now.connected [i] = peers_connected (self->peers, role_find (now.roles [i]));
    ddc_metrics_t *m = ddc_metrics_new ();
    stats_report (&self->stats, &now, m);
    loopstat_report (self->loopstat, m);
    store_report (self->store, m);
    cJSON *body = ddc_metrics_json (m);
    ddc_metrics_destroy (&m);
    char *text = ddc_json_print (body);
    cJSON_Delete (body);
    char *topic = ddc_asprintf ("status/broker@%s/metrics/", self->host);
    zmsg_t *zmsg = ddc_msg_buildv (DDC_STATUSPUB, topic, text, NULL);
    free (topic);
    free (text);
    s_pub (self, &zmsg, STATS_PUB_METRICS);
    loopstat_done (self->loopstat, &start, "metrics");
    return 0;
}

static int
s_on_action_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    broker_t *self = arg;
    s_hugz_for_joiners (self);
    if (zhashx_size (self->actions) == 0) {
        if (!self->hugz_due) {
            zloop_timer_end (self->loop, self->tick_timer);
            self->tick_timer = -1;
        }
        return 0;
    }
    loopstat_step_t start = loopstat_begin ();
    int64_t now = ddc_mono_ms ();
    zlistx_t *keys = zhashx_keys (self->actions);
    for (char *key = zlistx_first (keys); key; key = zlistx_next (keys)) {
        s_action_t *a = zhashx_lookup (self->actions, key);
        //  The clock is read in whole milliseconds, rounded down: the
        //  deadline is passed only when a later millisecond has begun,
        //  so an action never times out before its whole timeout.
        if (a && a->deadline_ms < now) {
            char text [400];
            snprintf (text, sizeof (text), "%.300s did not answer in time", a->target);
            s_send_error (self, a->origin, a->origin_req, DDC_E_TIMEOUT, text);
            audit_action_failed (a->entry, "timeout", "timeout", text, now - a->started_ms);
            s_action_recorded (self, a);
            zhashx_delete (self->actions, key);
        }
    }
    zlistx_destroy (&keys);
    loopstat_done (self->loopstat, &start, "action timeouts");
    return 0;
}

//  ------------------------------------------------------------------- setup

static int
s_setup_curve (broker_t *self, const char *keys_dir, char *err, size_t errlen)
{
    char *clients = ddc_asprintf ("%s/clients", keys_dir);
    char *cert_path = ddc_asprintf ("%s/broker.cert", keys_dir);
    int rc = -1;
    zcert_t *cert = NULL;
    if ((mkdir (keys_dir, 0700) < 0 && errno != EEXIST)
        || (mkdir (clients, 0700) < 0 && errno != EEXIST)) {
        snprintf (err, errlen, "cannot create %s: %s", clients, strerror (errno));
        goto done;
    }
    if (access (cert_path, R_OK) != 0) {
        cert = zcert_new ();
        zcert_set_meta (cert, "name", "%s", "ddc-broker");
        if (zcert_save (cert, cert_path) < 0) {
            snprintf (err, errlen, "cannot write %s", cert_path);
            goto done;
        }
        char *secret = ddc_asprintf ("%s_secret", cert_path);
        chmod (secret, 0600);
        free (secret);
        ddc_info ("created the broker key %s (give clients this public file)", cert_path);
        zcert_destroy (&cert);
    }
    cert = zcert_load (cert_path);
    if (!cert) {
        snprintf (err, errlen, "cannot load the broker key %s (and its _secret)", cert_path);
        goto done;
    }
    zap_clients (self->zap, clients);
    zsock_t *socks [2] = { self->ctl, self->pub };
    for (int i = 0; i < 2; i++) {
        zcert_apply (cert, socks [i]);
        zsock_set_curve_server (socks [i], 1);
    }
    zsock_set_zap_domain (self->ctl, ZAP_DOMAIN);
    subs_curve (self->subs);
    self->curve = true;
    ddc_info ("CURVE on: clients must hold a key listed in %s", clients);
    rc = 0;
done:
    zcert_destroy (&cert);
    free (clients);
    free (cert_path);
    return rc;
}

//  Bind the endpoints of a comma-separated list whose transport is (tcp)
//  or is not (!tcp) tcp://.
static int
s_bind_list (zsock_t *sock, const char *list, bool tcp, const char *what, char *err, size_t errlen)
{
    char *copy = ddc_strdup (list), *save = NULL;
    int rc = 0;
    for (char *ep = strtok_r (copy, ",", &save); ep; ep = strtok_r (NULL, ",", &save)) {
        if ((strncmp (ep, "tcp://", 6) == 0) != tcp)
            continue;
        if (zsock_bind (sock, "%s", ep) < 0) {
            snprintf (err, errlen, "cannot bind %s to %s: %s", what, ep,
                      zmq_strerror (zmq_errno ()));
            rc = -1;
            break;
        }
    }
    free (copy);
    return rc;
}

broker_t *
broker_new (const broker_opts_t *opts, char *err, size_t errlen)
{
    broker_t *self = ddc_calloc (1, sizeof (*self));
    self->record_timer = -1;
    self->lock_fd = -1;
    self->data_dir = ddc_strdup (opts->data_dir);
    self->ctl_endpoint = ddc_strdup (opts->ctl_endpoint);
    self->pub_endpoint = ddc_strdup (opts->pub_endpoint);
    self->advertise_pub =
        ddc_strdup (opts->advertise_pub ? opts->advertise_pub : opts->pub_endpoint);
    ddc_random_hex (self->boot, 8);
    self->started_ms = ddc_mono_ms ();
    self->loopstat = loopstat_new ();
    self->sectext = sectext_new ();
    self->started_wall_ms = ddc_wall_ms ();
    stats_init (&self->stats);
    //  the host label of the metrics: the host name, in name characters
    if (gethostname (self->host, sizeof (self->host) - 1) < 0 || !self->host [0])
        ddc_strlcpy (self->host, "localhost", sizeof (self->host));
    for (char *c = self->host; *c; c++)
        if (!strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
            *c = '-';

    bool tcp = strstr (opts->ctl_endpoint, "tcp://") || strstr (opts->pub_endpoint, "tcp://");
    if (tcp && !opts->keys_dir && !opts->insecure) {
        snprintf (err, errlen,
                  "tcp:// endpoints need --keys DIR (CURVE); pass --insecure to allow "
                  "plain TCP on a trusted network");
        broker_destroy (&self);
        return NULL;
    }
    //  One broker per data folder: take the lock before touching anything.
    if (mkdir (opts->data_dir, 0700) < 0 && errno != EEXIST) {
        snprintf (err, errlen, "cannot create data folder %s: %s", opts->data_dir, strerror (errno));
        broker_destroy (&self);
        return NULL;
    }
    char *lock = ddc_asprintf ("%s/broker.lock", opts->data_dir);
    self->lock_fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free (lock);
    if (self->lock_fd < 0 || flock (self->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        snprintf (err, errlen, "another ddc-broker is using %s", opts->data_dir);
        broker_destroy (&self);
        return NULL;
    }
    self->store = store_new (opts->data_dir, err, errlen);
    if (!self->store) {
        broker_destroy (&self);
        return NULL;
    }
    //  The subscribers' view of every section, printed before the loop
    //  runs: the first SNAPSHOT after a start costs no more than the next.
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        size_t len;
        s_section_text (self, NULL, (ddc_section_t) s, &len);
    }
    self->audit = audit_new (opts->data_dir);
    self->setup = setupcode_new (opts->data_dir);
    self->signin = throttle_new (SIGNIN_KEYS, SIGNIN_LIMIT, SIGNIN_WINDOW_MS);
    if (!self->setup || !self->signin) {
        snprintf (err, errlen, "libsodium cannot start");
        broker_destroy (&self);
        return NULL;
    }
    s_setup_sync (self);
    self->peers = peers_new ();
    peers_on_link (self->peers, s_on_link, self);
    self->refused = refused_new ();
    self->actions = zhashx_new ();
    zhashx_set_destructor (self->actions, (zhashx_destructor_fn *) s_action_destroy);

    self->ctl = zsock_new (ZMQ_ROUTER);
    self->pub = zsock_new (ZMQ_XPUB);
    if (!self->ctl || !self->pub) {
        snprintf (err, errlen, "cannot create ZeroMQ sockets");
        broker_destroy (&self);
        return NULL;
    }
    zsock_set_router_mandatory (self->ctl, 1);
    zsock_set_sndtimeo (self->ctl, 0);
    zsock_set_maxmsgsize (self->ctl, DDC_MAX_MSG);
    //  Per connection: requests read ahead (<= 4 MiB each) and replies
    //  queued (<= 1 MiB each, most far smaller); past that, replies to a
    //  peer that does not read are dropped (proto/ddcp.md section 10).
    zsock_set_rcvhwm (self->ctl, 100);
    zsock_set_rcvtimeo (self->ctl, 0); //  s_on_ctl reads until none is waiting
    zsock_set_sndhwm (self->ctl, CTL_SNDHWM);
    zsock_set_sndhwm (self->pub, opts->pub_hwm > 0 ? opts->pub_hwm : PUB_SNDHWM);
    //  Every PUB handshake asks the ZAP handler (refused subscribers, and
    //  the certificates once CURVE is on).
    self->zap = zap_new (self->refused, err, errlen);
    if (!self->zap) {
        broker_destroy (&self);
        return NULL;
    }
    zsock_set_zap_domain (self->pub, ZAP_DOMAIN_PUB);
    self->subs = subs_new (self->pub, opts->pub_endpoint, self->refused, self->zap);
    self->outq = outq_new ();
    //  No ZMTP heartbeats of the broker's own: the clients send theirs (and
    //  are answered), and libzmq cancels a heartbeat's timer by walking
    //  every timer of its I/O thread, so with a PING and its timeout per
    //  connection each heartbeat round cost the broker n * n steps (2,000
    //  connections at 1,000 subscribers: that thread's busiest work,
    //  holding back every publish behind it). A peer gone without a word
    //  is found by TCP keepalive (tcp://: silent 6 s, then 3 probes 2 s
    //  apart), a closed socket at once (ipc://, tcp://).
    zsock_t *socks [2] = { self->ctl, self->pub };
    for (int i = 0; i < 2; i++) {
        zsock_set_tcp_keepalive (socks [i], 1);
        zsock_set_tcp_keepalive_idle (socks [i], 6);
        zsock_set_tcp_keepalive_intvl (socks [i], 2);
        zsock_set_tcp_keepalive_cnt (socks [i], 3);
        zsock_set_backlog (socks [i], 1024);
        zsock_set_linger (socks [i], 0);
    }
    //  Local endpoints first, without CURVE (the data folder's permissions
    //  guard them); then CURVE is switched on for the tcp:// endpoints.
    //  libzmq takes a socket's security options at bind time.
    if (s_bind_list (self->ctl, opts->ctl_endpoint, false, "CTL", err, errlen) < 0
        || s_bind_list (self->pub, opts->pub_endpoint, false, "PUB", err, errlen) < 0
        || (tcp && opts->keys_dir && s_setup_curve (self, opts->keys_dir, err, errlen) < 0)
        || s_bind_list (self->ctl, opts->ctl_endpoint, true, "CTL", err, errlen) < 0
        || s_bind_list (self->pub, opts->pub_endpoint, true, "PUB", err, errlen) < 0) {
        broker_destroy (&self);
        return NULL;
    }
    self->loop = zloop_new ();
    self->watchdog = watchdog_new (self->loop, opts->watchdog_ca, opts->watchdog_minute_ms,
                                   s_watchdog_health, self, self->loopstat);
    watchdog_configure (self->watchdog, store_section (self->store, DDC_SEC_WATCHDOG), true);
    self->zmon = zmon_new (self->loop, self->pub, self->zap, self->refused, self->loopstat,
                           &self->stats.published [STATS_PUB_MON]);
    if (zmon_watch (self->zmon, self->ctl, "ctl", opts->ctl_endpoint, err, errlen) < 0
        || zmon_watch (self->zmon, self->pub, "pub", opts->pub_endpoint, err, errlen) < 0) {
        broker_destroy (&self);
        return NULL;
    }
    zloop_reader (self->loop, self->ctl, s_on_ctl, self);
    zloop_reader (self->loop, self->pub, s_on_pub, self);
    if (self->zap)
        zloop_reader (self->loop, zap_sock (self->zap), s_on_zap, self);
    zloop_timer (self->loop, HUGZ_MS, 0, s_on_hugz, self);
    zloop_timer (self->loop, FILE_POLL_MS, 0, s_on_file_poll, self);
    zloop_timer (self->loop, SWEEP_MS, 0, s_on_sweep, self);
    zloop_timer (self->loop, SUBS_SWEEP_MS, 0, s_on_subs_sweep, self);
    self->tick_timer = -1;
    s_tick_arm (self);
    zloop_timer (self->loop, 1000, 1, s_on_metrics, self); //  the first soon
    zloop_timer (self->loop, DDC_METRICS_INTERVAL_MS, 0, s_on_metrics, self);
    zloop_timer (self->loop, DDC_PAGES_SETTLE_MS, 1, s_on_pages, self);
    //  The start read the journal, the history and config.json and parsed
    //  them: what they left free goes back once the first second is quiet,
    //  however little it is (one trim, before any request has fragmented
    //  the heap: the start's free blocks are most of what is free)
    self->trim_due = self->started_trim = true;
    ddc_info ("listening: ctl %s, pub %s (boot %s)", opts->ctl_endpoint, opts->pub_endpoint,
              self->boot);
    return self;
}

int
broker_run (broker_t *self)
{
    zloop_start (self->loop);
    ddc_info ("stopping");
    s_records_write (self);
    //  Actions still pending get no answer now: the audit log says so.
    int64_t now = ddc_mono_ms ();
    for (s_action_t *a = zhashx_first (self->actions); a; a = zhashx_next (self->actions)) {
        audit_action_failed (a->entry, "error", "broker_stopped",
                             "the broker stopped before the answer came", now - a->started_ms);
        s_action_recorded (self, a);
    }
    return 0;
}

void
broker_destroy (broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_t *self = *self_p;
    s_records_write (self);
    free (self->records);
    watchdog_destroy (&self->watchdog); //  its pollers and timers first
    zmon_destroy (&self->zmon);         //  before the sockets it watches
    zloop_destroy (&self->loop);
    loopstat_destroy (&self->loopstat);
    sectext_destroy (&self->sectext);
    zsock_destroy (&self->ctl);
    zsock_destroy (&self->pub);
    zap_destroy (&self->zap);
    subs_destroy (&self->subs);
    outq_destroy (&self->outq);
    refused_destroy (&self->refused);
    zhashx_destroy (&self->actions);
    audit_destroy (&self->audit);
    peers_destroy (&self->peers);
    throttle_destroy (&self->signin);
    setupcode_destroy (&self->setup);
    store_destroy (&self->store);
    if (self->lock_fd >= 0)
        close (self->lock_fd);
    free (self->held); //  empty: every group ends in its callback
    free (self->data_dir);
    free (self->ctl_endpoint);
    free (self->pub_endpoint);
    free (self->advertise_pub);
    free (self);
    *self_p = NULL;
}
