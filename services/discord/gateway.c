/*  gateway: the Discord gateway protocol state machine. See gateway.h. */
#include "gateway.h"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"
#include "payload.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    P_IDLE,          //  no token
    P_FETCH,         //  GET /gateway/bot in flight
    P_WAIT,          //  backoff before the next attempt
    P_OPENING,       //  WebSocket opening, or waiting for HELLO
    P_IDENTIFY_WAIT, //  HELLO seen, IDENTIFY held back by its 5 s spacing
    P_AUTH,          //  IDENTIFY or RESUME sent, waiting for READY/RESUMED
    P_READY,
    P_FAILED //  fatal; retry_at may bring it back
} s_phase_t;

struct _gateway_t {
    gateway_ops_t ops;
    void *arg;
    bool compress;
    uint64_t rng;

    char token [256];
    char url [512]; //  from /gateway/bot
    char resume_url [512];
    char session_id [128];
    int64_t seq; //  last non-null s, -1 = none

    s_phase_t phase;
    uint32_t conn;
    bool resuming;         //  this connection resumes
    int64_t deadline;      //  handshake deadline (OPENING, AUTH)
    int64_t wait_until;    //  P_WAIT / P_IDENTIFY_WAIT
    int64_t retry_at;      //  P_FAILED, 0 = never
    int failures;          //  attempts since the last READY/RESUMED
    int64_t last_identify; //  0 = never

    int64_t hb_interval; //  0 = no HELLO yet on this connection
    int64_t hb_next;
    int64_t hb_sent_at;
    bool hb_acked;
    int64_t latency;

    uint64_t connects; //  connections opened (the first included)
    char error [160];
    char user_id [GW_ID_MAX];
    char username [GW_NAME_MAX];
    char app_id [GW_ID_MAX];
};

//  --------------------------------------------------------------------------
//  Helpers

static uint64_t
s_rand (gateway_t *self)
{
    //  xorshift64*
    uint64_t x = self->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    self->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

//  Uniform in [0, n).
static int64_t
s_jitter (gateway_t *self, int64_t n)
{
    return n > 0 ? (int64_t) (s_rand (self) % (uint64_t) n) : 0;
}

static void
s_changed (gateway_t *self)
{
    if (self->ops.changed)
        self->ops.changed (self->arg);
}

static void s_set_error (gateway_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_set_error (gateway_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (self->error, sizeof (self->error), fmt, ap);
    va_end (ap);
}

static void
s_forget_session (gateway_t *self)
{
    self->session_id [0] = '\0';
    self->resume_url [0] = '\0';
    self->seq = -1;
}

static void
s_send_json (gateway_t *self, cJSON *payload)
{
    char *text = ddc_json_print (payload);
    cJSON_Delete (payload);
    if (!text)
        return;
    size_t len = strlen (text);
    if (len < 4096 && self->conn)
        self->ops.send (self->arg, self->conn, text, len);
    else if (len >= 4096)
        ddc_warn ("gateway: an outgoing payload of %zu bytes was not sent (limit 4096)", len);
    free (text);
}

//  Close the current connection (if any) and forget it: later events of
//  that connection are ignored.
static void
s_close_conn (gateway_t *self, int code, const char *reason)
{
    if (self->conn)
        self->ops.close (self->arg, self->conn, code, reason);
    self->conn = 0;
    self->hb_interval = 0;
}

static int64_t
s_backoff (gateway_t *self)
{
    int64_t base;
    if (self->failures <= 0)
        base = 250;
    else {
        base = 1000;
        for (int i = 1; i < self->failures && base < GATEWAY_BACKOFF_MAX_MS; i++)
            base *= 2;
        if (base > GATEWAY_BACKOFF_MAX_MS)
            base = GATEWAY_BACKOFF_MAX_MS;
    }
    return base + s_jitter (self, base / 5 + 1);
}

//  Try again after the backoff (resume if a session is kept).
static void
s_schedule (gateway_t *self, int64_t now, int64_t delay)
{
    self->phase = P_WAIT;
    self->wait_until = now + delay;
    self->failures++;
    s_changed (self);
}

static void
s_connect (gateway_t *self, int64_t now)
{
    self->resuming = self->session_id [0] && self->resume_url [0] && self->seq >= 0;
    const char *base = self->resuming ? self->resume_url : self->url;
    //  A url with no path gets "/" before the query.
    const char *host = strstr (base, "://");
    bool has_path = host && strchr (host + 3, '/');
    char full [700];
    snprintf (full, sizeof (full), "%s%s?v=10&encoding=json%s", base, has_path ? "" : "/",
              self->compress ? "&compress=zlib-stream" : "");
    self->hb_interval = 0;
    self->connects++;
    self->conn = self->ops.connect (self->arg, full);
    if (!self->conn) {
        s_set_error (self, "cannot open the gateway url");
        s_schedule (self, now, s_backoff (self));
        return;
    }
    ddc_debug ("gateway: connecting (%s)", self->resuming ? "resume" : "identify");
    self->phase = P_OPENING;
    self->deadline = now + GATEWAY_HANDSHAKE_MS;
    s_changed (self);
}

static void
s_fetch (gateway_t *self)
{
    self->phase = P_FETCH;
    s_changed (self);
    self->ops.fetch_url (self->arg);
}

//  Drop the connection and try again: resume when the session is kept.
static void
s_restart (gateway_t *self, int64_t now, int code, const char *why, bool keep_session, int64_t delay)
{
    bool was_ready = self->phase == P_READY;
    s_close_conn (self, code, why);
    if (!keep_session)
        s_forget_session (self);
    if (was_ready)
        self->failures = 0;
    s_schedule (self, now, delay >= 0 ? delay : s_backoff (self));
}

static void
s_identify (gateway_t *self, int64_t now)
{
    cJSON *p = cJSON_CreateObject ();
    cJSON_AddNumberToObject (p, "op", GW_OP_IDENTIFY);
    cJSON *d = cJSON_AddObjectToObject (p, "d");
    cJSON_AddStringToObject (d, "token", self->token);
    cJSON_AddNumberToObject (d, "intents", GATEWAY_INTENTS);
    cJSON *props = cJSON_AddObjectToObject (d, "properties");
    cJSON_AddStringToObject (props, "os", "linux");
    cJSON_AddStringToObject (props, "browser", "ddc");
    cJSON_AddStringToObject (props, "device", "ddc");
    self->last_identify = now;
    self->phase = P_AUTH;
    self->deadline = now + GATEWAY_HANDSHAKE_MS;
    ddc_debug ("gateway: IDENTIFY");
    s_send_json (self, p);
}

static void
s_resume (gateway_t *self, int64_t now)
{
    cJSON *p = cJSON_CreateObject ();
    cJSON_AddNumberToObject (p, "op", GW_OP_RESUME);
    cJSON *d = cJSON_AddObjectToObject (p, "d");
    cJSON_AddStringToObject (d, "token", self->token);
    cJSON_AddStringToObject (d, "session_id", self->session_id);
    cJSON_AddNumberToObject (d, "seq", (double) self->seq);
    self->phase = P_AUTH;
    self->deadline = now + GATEWAY_HANDSHAKE_MS;
    ddc_debug ("gateway: RESUME at seq %lld", (long long) self->seq);
    s_send_json (self, p);
}

static void
s_heartbeat (gateway_t *self, int64_t now)
{
    cJSON *p = cJSON_CreateObject ();
    cJSON_AddNumberToObject (p, "op", GW_OP_HEARTBEAT);
    if (self->seq >= 0)
        cJSON_AddNumberToObject (p, "d", (double) self->seq);
    else
        cJSON_AddNullToObject (p, "d");
    self->hb_sent_at = now;
    s_send_json (self, p);
}

//  --------------------------------------------------------------------------
//  API

gateway_t *
gateway_new (const gateway_ops_t *ops, void *arg, bool compress)
{
    gateway_t *self = ddc_calloc (1, sizeof (*self));
    self->ops = *ops;
    self->arg = arg;
    self->compress = compress;
    self->rng = (uint64_t) ddc_mono_us () * 2654435761ULL + 0x9E3779B97F4A7C15ULL;
    self->seq = -1;
    self->latency = -1;
    self->phase = P_IDLE;
    return self;
}

void
gateway_destroy (gateway_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    memset ((*self_p)->token, 0, sizeof (*self_p)->token);
    free (*self_p);
    *self_p = NULL;
}

void
gateway_set_seed (gateway_t *self, uint64_t seed)
{
    self->rng = seed ? seed : 1;
}

void
gateway_set_token (gateway_t *self, const char *token, int64_t now)
{
    (void) now;
    if (!token)
        token = "";
    if (strcmp (token, self->token) == 0)
        return;
    bool had = self->token [0] != '\0';
    ddc_strlcpy (self->token, token, sizeof (self->token));
    s_close_conn (self, 1000, "token changed");
    s_forget_session (self);
    self->error [0] = '\0';
    self->failures = 0;
    self->retry_at = 0;
    self->user_id [0] = self->username [0] = self->app_id [0] = '\0';
    if (!self->token [0]) {
        ddc_info ("gateway: no bot token: waiting for one (bot.token)");
        self->phase = P_IDLE;
        s_changed (self);
        return;
    }
    ddc_info ("gateway: %s bot token: connecting", had ? "new" : "a");
    s_fetch (self);
}

void
gateway_url_result (gateway_t *self, int status, const char *url, int64_t now)
{
    if (self->phase != P_FETCH)
        return;
    if (status == 200 && url && (strncmp (url, "ws://", 5) == 0 || strncmp (url, "wss://", 6) == 0)
        && strlen (url) < sizeof (self->url) && !strchr (url, '?')) {
        ddc_strlcpy (self->url, url, sizeof (self->url));
        s_connect (self, now);
        return;
    }
    if (status == 401 || status == 403) {
        s_set_error (self, "token rejected (%d)", status);
        ddc_warn ("gateway: the bot token was rejected (HTTP %d): waiting for a new token", status);
        self->phase = P_FAILED;
        self->retry_at = 0;
        s_changed (self);
        return;
    }
    if (status == 200)
        s_set_error (self, "GET /gateway/bot gave no usable url");
    else if (status < 0)
        s_set_error (self, "cannot reach the Discord API");
    else
        s_set_error (self, "GET /gateway/bot failed (HTTP %d)", status);
    ddc_warn ("gateway: %s", self->error);
    self->url [0] = '\0';
    s_schedule (self, now, s_backoff (self));
}

void
gateway_on_open (gateway_t *self, uint32_t conn, int64_t now)
{
    (void) now;
    if (!conn || conn != self->conn)
        return;
    ddc_debug ("gateway: connection open");
}

static void
s_on_hello (gateway_t *self, const cJSON *d, int64_t now)
{
    const cJSON *iv = cJSON_GetObjectItemCaseSensitive (d, "heartbeat_interval");
    if (!cJSON_IsNumber (iv) || iv->valuedouble < 10 || iv->valuedouble > 600000) {
        s_set_error (self, "HELLO without a usable heartbeat_interval");
        s_restart (self, now, 4000, "bad hello", true, -1);
        return;
    }
    self->hb_interval = (int64_t) iv->valuedouble;
    self->hb_next = now + s_jitter (self, self->hb_interval);
    self->hb_acked = true;
    self->hb_sent_at = 0;
    if (self->resuming) {
        s_resume (self, now);
        return;
    }
    if (self->last_identify && now - self->last_identify < GATEWAY_IDENTIFY_GAP_MS) {
        self->phase = P_IDENTIFY_WAIT;
        self->wait_until = self->last_identify + GATEWAY_IDENTIFY_GAP_MS;
        return;
    }
    s_identify (self, now);
}

static void
s_on_dispatch (gateway_t *self, const char *t, const cJSON *d, int64_t now)
{
    if (strcmp (t, "READY") == 0) {
        gw_ready_t r;
        if (gw_ready_parse (d, &r) < 0) {
            s_set_error (self, "READY without a session");
            s_restart (self, now, 4000, "bad ready", false, -1);
            return;
        }
        ddc_strlcpy (self->session_id, r.session_id, sizeof (self->session_id));
        ddc_strlcpy (self->resume_url, r.resume_url [0] ? r.resume_url : self->url,
                     sizeof (self->resume_url));
        ddc_strlcpy (self->user_id, r.user_id, sizeof (self->user_id));
        ddc_strlcpy (self->username, r.username, sizeof (self->username));
        ddc_strlcpy (self->app_id, r.app_id, sizeof (self->app_id));
        self->phase = P_READY;
        self->failures = 0;
        self->error [0] = '\0';
        ddc_info ("gateway: ready as %s (%s), application %s", self->username, self->user_id,
                  self->app_id);
        s_changed (self);
    }
    else if (strcmp (t, "RESUMED") == 0) {
        self->phase = P_READY;
        self->failures = 0;
        self->error [0] = '\0';
        ddc_info ("gateway: session resumed at seq %lld", (long long) self->seq);
        s_changed (self);
    }
    if (self->ops.dispatch)
        self->ops.dispatch (self->arg, t, d);
}

void
gateway_on_text (gateway_t *self, uint32_t conn, const char *text, size_t len, int64_t now)
{
    if (!conn || conn != self->conn)
        return;
    gw_payload_t p;
    char why [160];
    if (gw_payload_parse (text, len, &p, why, sizeof (why)) < 0) {
        ddc_warn ("gateway: a payload of %zu bytes ignored: %s", len, why);
        return;
    }
    switch (p.op) {
        case GW_OP_HELLO:
            if (self->phase == P_OPENING)
                s_on_hello (self, p.d, now);
            break;
        case GW_OP_HEARTBEAT:
            if (self->hb_interval)
                s_heartbeat (self, now);
            break;
        case GW_OP_HEARTBEAT_ACK:
            self->hb_acked = true;
            if (self->hb_sent_at) {
                self->latency = now - self->hb_sent_at;
                self->hb_sent_at = 0;
            }
            break;
        case GW_OP_RECONNECT:
            ddc_info ("gateway: the server asked for a reconnect (op 7): resuming");
            s_restart (self, now, 4000, "reconnect requested", true, 100 + s_jitter (self, 400));
            break;
        case GW_OP_INVALID_SESSION:
            if (cJSON_IsTrue (p.d) && self->session_id [0]) {
                ddc_info ("gateway: invalid session (resumable): resuming");
                s_restart (self, now, 4000, "invalid session", true, 500 + s_jitter (self, 1000));
            }
            else {
                ddc_info ("gateway: invalid session: identifying again");
                s_restart (self, now, 4000, "invalid session", false, 1000 + s_jitter (self, 1000));
            }
            break;
        case GW_OP_DISPATCH:
            if (p.s >= 0)
                self->seq = p.s;
            if (p.t [0])
                s_on_dispatch (self, p.t, p.d, now);
            break;
        default:
            break;
    }
    gw_payload_free (&p);
}

static const char *
s_fatal (int code)
{
    switch (code) {
        case 4004:
            return "token rejected";
        case 4010:
            return "invalid shard";
        case 4011:
            return "sharding required";
        case 4012:
            return "invalid API version";
        case 4013:
            return "invalid intents";
        case 4014:
            return "disallowed intents";
        default:
            return NULL;
    }
}

void
gateway_on_close (gateway_t *self, uint32_t conn, int code, const char *reason, int64_t now)
{
    if (!conn || conn != self->conn)
        return;
    self->conn = 0;
    self->hb_interval = 0;
    bool was_ready = self->phase == P_READY;
    const char *fatal = s_fatal (code);
    if (fatal) {
        s_forget_session (self);
        s_set_error (self, "%s (%d)", fatal, code);
        self->phase = P_FAILED;
        self->retry_at = code == 4004 ? 0 : now + GATEWAY_FATAL_RETRY_MS;
        ddc_warn ("gateway: closed with %d: %s; %s", code, fatal,
                  code == 4004 ? "waiting for a new token" : "retrying in 10 minutes");
        s_changed (self);
        return;
    }
    bool keep = !(code == 4007 || code == 4009 || code == 1000 || code == 1001);
    if (!keep)
        s_forget_session (self);
    s_set_error (self, "closed %d%s%.100s", code, reason && *reason ? ": " : "",
                 reason ? reason : "");
    ddc_info ("gateway: connection closed (%d%s%.100s): %s", code, reason && *reason ? ", " : "",
              reason ? reason : "", self->session_id [0] ? "resuming" : "identifying again");
    if (was_ready)
        self->failures = 0;
    s_schedule (self, now, s_backoff (self));
}

void
gateway_drop (gateway_t *self, const char *why, int64_t now)
{
    if (!self->conn)
        return;
    ddc_warn ("gateway: %s: reconnecting", why);
    s_restart (self, now, 4000, why, true, -1);
}

void
gateway_tick (gateway_t *self, int64_t now)
{
    switch (self->phase) {
        case P_WAIT:
            if (now >= self->wait_until) {
                if (self->url [0])
                    s_connect (self, now);
                else
                    s_fetch (self);
            }
            return;
        case P_FAILED:
            if (self->retry_at && now >= self->retry_at) {
                self->retry_at = 0;
                s_fetch (self);
            }
            return;
        case P_OPENING:
        case P_AUTH:
            if (now >= self->deadline) {
                s_set_error (self, "no %s from the gateway in time",
                             self->phase == P_OPENING ? "HELLO" : "READY");
                ddc_warn ("gateway: %s", self->error);
                s_restart (self, now, 4000, "handshake timeout", true, -1);
                return;
            }
            break;
        case P_IDENTIFY_WAIT:
            if (now >= self->wait_until)
                s_identify (self, now);
            break;
        default:
            break;
    }
    if (self->conn && self->hb_interval && now >= self->hb_next) {
        if (!self->hb_acked) {
            ddc_warn ("gateway: no heartbeat ACK: zombie connection, reconnecting");
            s_restart (self, now, 4000, "zombie", true, 0);
            return;
        }
        s_heartbeat (self, now);
        self->hb_acked = false;
        self->hb_next += self->hb_interval;
        if (self->hb_next <= now)
            self->hb_next = now + self->hb_interval;
    }
}

int64_t
gateway_next_ms (gateway_t *self, int64_t now)
{
    int64_t due = now + 60000;
    switch (self->phase) {
        case P_WAIT:
        case P_IDENTIFY_WAIT:
            if (self->wait_until < due)
                due = self->wait_until;
            break;
        case P_FAILED:
            if (self->retry_at && self->retry_at < due)
                due = self->retry_at;
            break;
        case P_OPENING:
        case P_AUTH:
            if (self->deadline < due)
                due = self->deadline;
            break;
        default:
            break;
    }
    if (self->conn && self->hb_interval && self->hb_next < due)
        due = self->hb_next;
    return due > now ? due - now : 0;
}

void
gateway_shutdown (gateway_t *self)
{
    s_close_conn (self, 1000, "shutting down");
    s_forget_session (self);
    self->phase = P_IDLE;
}

gateway_state_t
gateway_state (gateway_t *self)
{
    switch (self->phase) {
        case P_IDLE:
            return GATEWAY_WAITING_TOKEN;
        case P_READY:
            return GATEWAY_READY;
        case P_FAILED:
            return GATEWAY_FAILED;
        default:
            return self->session_id [0] ? GATEWAY_RESUMING : GATEWAY_CONNECTING;
    }
}

const char *
gateway_state_name (gateway_state_t state)
{
    switch (state) {
        case GATEWAY_WAITING_TOKEN:
            return "waiting_for_token";
        case GATEWAY_CONNECTING:
            return "connecting";
        case GATEWAY_RESUMING:
            return "resuming";
        case GATEWAY_READY:
            return "ready";
        case GATEWAY_FAILED:
            return "failed";
    }
    return "unknown";
}

bool
gateway_is_ready (gateway_t *self)
{
    return self->phase == P_READY;
}

uint32_t
gateway_conn (gateway_t *self)
{
    return self->conn;
}

const char *
gateway_app_id (gateway_t *self)
{
    return self->app_id;
}

const char *
gateway_user_id (gateway_t *self)
{
    return self->user_id;
}

const char *
gateway_session_id (gateway_t *self)
{
    return self->session_id;
}

int64_t
gateway_seq (gateway_t *self)
{
    return self->seq;
}

uint64_t
gateway_connects (gateway_t *self)
{
    return self->connects;
}

int64_t
gateway_latency_ms (gateway_t *self)
{
    return self->latency;
}

cJSON *
gateway_report (gateway_t *self, const char *guild)
{
    gateway_state_t st = gateway_state (self);
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "state", gateway_state_name (st));
    if (st == GATEWAY_READY || !self->error [0])
        cJSON_AddNullToObject (body, "error");
    else
        cJSON_AddStringToObject (body, "error", self->error);
    cJSON_AddStringToObject (body, "guild", guild ? guild : "");
    cJSON_AddStringToObject (body, "user", self->username);
    cJSON_AddStringToObject (body, "user_id", self->user_id);
    cJSON_AddBoolToObject (body, "session", self->session_id [0] != '\0');
    if (self->latency >= 0)
        cJSON_AddNumberToObject (body, "latency_ms", (double) self->latency);
    else
        cJSON_AddNullToObject (body, "latency_ms");
    return body;
}
