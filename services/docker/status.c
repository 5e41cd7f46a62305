/*  status: Docker reachability, events, inventory, inspect and stats of the
    configured containers, and the status/inventory reports. See status.h. */
#include "status.h"

#include "scope.h"

#include "ddc_config.h"
#include "ddc_log.h"
#include "ddc_proto.h"
#include "ddc_util.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define S_PING_TIMEOUT 5000
#define S_INSPECT_TIMEOUT 10000
#define S_LIST_TIMEOUT 15000
#define S_STATS_TIMEOUT 30000
#define S_INVENTORY_DEBOUNCE 250
#define S_STREAM_HEALTHY 5000 //  a stream that lived this long ended "normally"
#define S_HEALTH_MS 3000      //  liveness ping while reachable
#define S_SOCK_CHECK_MS 500   //  looking for a listener while it is gone
#define S_INVENTORY_JSON_MAX (DDC_REPORT_MAX - 16 * 1024)

typedef enum { REQ_PING, REQ_VERSION, REQ_LIST, REQ_INSPECT, REQ_STATS } s_kind_t;

//  One configured container of this host.
typedef struct {
    char *name; //  owned, as are image and the rest
    bool active;
    bool known; //  inspected (exists decided)
    bool exists;
    bool running;
    bool tty;
    char state [DOCKER_STATE_MAX];
    char last_state [DOCKER_STATE_MAX]; //  known before Docker went away, or ""
    char health [DOCKER_HEALTH_MAX];
    char *image; //  "" until inspected
    char id [DOCKER_ID_MAX];
    int64_t started_at; //  epoch s, 0 = never
    bool has_stats;
    double cpu;
    uint64_t mem, mem_limit;
    //  The last sample's CPU counters and the start they belong to: a
    //  one-shot sample's CPU % is taken against them
    docker_cpu_sample_t cpu_prev;
    int64_t cpu_prev_start;
    int64_t updated_ms;  //  wall ms of the last change/sample
    int64_t inspect_due; //  mono ms, 0 = none
    bool inspect_busy, inspect_again;
    bool stats_wanted, stats_busy;
} s_entry_t;

//  Context of one engine request (freed by its callback).
typedef struct {
    status_t *status;
    s_kind_t kind;
    char name [DOCKER_NAME_MAX];
} s_req_t;

struct _status_t {
    engine_t *engine;
    char *socket_path;
    agent_t *agent;
    status_report_fn *report;
    void *arg;
    status_event_fn *on_event;
    status_inspect_fn *on_inspect;
    void *watch_arg;
    const scope_t *scope; //  the containers this agent owns (labels)
    bool closing;

    //  Docker reachability
    bool started;
    bool reachable;
    bool ever_answered;
    char error [512];
    char version [64];
    char api [16];
    bool probe_busy;
    bool probe_resync;     //  the probe in flight resyncs on success
    int64_t probe_at;      //  mono ms of a resync probe, 0 = none
    int64_t health_at;     //  mono ms of the next liveness ping
    bool sock_gone;        //  the last probe found no listener
    int64_t sock_check_at; //  mono ms: look for one again
    int64_t backoff;       //  grows only while a listener fails
    int64_t down_since;    //  wall ms Docker went away, 0 = up

    //  events stream
    int64_t stream_id; //  0 = none
    int64_t stream_opened;
    int64_t stream_backoff;
    int64_t last_event_s; //  time of the last event seen
    uint64_t events;      //  events read
    int64_t event_lag_ms; //  of the last one, -1 = none

    //  configured containers
    s_entry_t *entries;
    size_t nentries;
    size_t inspects_busy, stats_busy;
    size_t stats_cursor;
    int64_t stats_next;  //  mono ms of the next round, 0 = none
    int64_t stats_round; //  mono ms of the last round
    int stats_interval;  //  s

    //  inventory
    char *list_path; //  /containers/json, filtered by the scope
    docker_list_t *list;
    int64_t list_wall; //  wall ms of the list
    bool list_busy, list_again;
    int64_t list_due; //  mono ms, 0 = none

    //  reports
    int64_t report_due; //  mono ms, 0 = none
    int64_t last_report;
};

static void s_probe (status_t *self, bool resync);

//  --------------------------------------------------------------------------
//  Helpers

static s_entry_t *
s_entry (status_t *self, const char *name)
{
    //  (an entry without a name was taken over by status_config_changed)
    for (size_t i = 0; name && i < self->nentries; i++)
        if (self->entries [i].name && strcmp (self->entries [i].name, name) == 0)
            return &self->entries [i];
    return NULL;
}

//  Free n entries and their strings (those still theirs).
static void
s_entries_free (s_entry_t *entries, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free (entries [i].name);
        free (entries [i].image);
    }
    free (entries);
}

//  The status report is due in delay ms (or earlier if already due), but
//  never sooner than STATUS_REPORT_GAP after the last one.
static void
s_dirty (status_t *self, int64_t delay)
{
    int64_t now = ddc_mono_ms ();
    int64_t due = now + delay;
    if (due < self->last_report + STATUS_REPORT_GAP)
        due = self->last_report + STATUS_REPORT_GAP;
    if (!self->report_due || due < self->report_due)
        self->report_due = due;
}

static void
s_want_inspect (status_t *self, s_entry_t *e, int64_t delay)
{
    (void) self;
    int64_t due = ddc_mono_ms () + delay;
    if (e->inspect_busy) {
        e->inspect_again = true;
        return;
    }
    if (!e->inspect_due || due < e->inspect_due)
        e->inspect_due = due;
}

static void
s_want_list (status_t *self, int64_t delay)
{
    int64_t due = ddc_mono_ms () + delay;
    if (self->list_busy) {
        self->list_again = true;
        return;
    }
    if (!self->list_due || due < self->list_due)
        self->list_due = due;
}

static int64_t
s_request (status_t *self, s_kind_t kind, const char *name, const char *path, long timeout_ms,
           engine_reply_fn *cb)
{
    s_req_t *req = ddc_calloc (1, sizeof (*req));
    req->status = self;
    req->kind = kind;
    if (name)
        ddc_strlcpy (req->name, name, sizeof (req->name));
    int64_t id = engine_request (self->engine, "GET", path, NULL, timeout_ms, cb, req);
    if (id < 0) {
        ddc_warn ("docker: cannot queue GET %s", path);
        free (req);
    }
    return id;
}

//  A transport failure (not a timeout, not an HTTP error) of the socket.
static bool
s_socket_error (const char *errmsg)
{
    return errmsg && strncmp (errmsg, "docker socket", 13) == 0 && !strstr (errmsg, "timed out");
}

//  --------------------------------------------------------------------------
//  Reachability

static void s_open_stream (status_t *self);

//  Docker went away: what was known of each container is history now. The
//  report says "unknown" (with the last known state) until Docker answers
//  an inspect again.
static void
s_forget_states (status_t *self)
{
    for (size_t i = 0; i < self->nentries; i++) {
        s_entry_t *e = &self->entries [i];
        if (!e->known)
            continue;
        ddc_strlcpy (e->last_state, e->state, sizeof (e->last_state));
        ddc_strlcpy (e->state, "unknown", sizeof (e->state));
        e->known = false;
        e->running = false;
        e->has_stats = false;
        e->updated_ms = ddc_wall_ms ();
    }
}

//  A probe failed. The backoff grows only for a socket with a listener
//  that fails (a daemon starting or stuck): while there is no listener at
//  all, the connect check every S_SOCK_CHECK_MS is the retry, and the
//  daemon that comes back gets its first probe at once and a short backoff.
static void
s_unreachable (status_t *self, const char *why)
{
    bool changed = self->reachable || !self->ever_answered || strcmp (self->error, why) != 0;
    if (self->sock_gone)
        self->backoff = STATUS_BACKOFF_MIN;
    if (changed)
        ddc_warn ("docker unreachable: %s (%s%.1f s)", why,
                  self->sock_gone ? "looking for the socket every 0.5 s, probing again in "
                                  : "retrying in ",
                  (double) self->backoff / 1000.0);
    bool went = self->reachable || !self->down_since;
    if (went) {
        self->down_since = ddc_wall_ms ();
        s_forget_states (self);
    }
    self->reachable = false;
    self->ever_answered = true;
    ddc_strlcpy (self->error, why, sizeof (self->error));
    self->probe_busy = false;
    self->probe_at = ddc_mono_ms () + self->backoff;
    if (!self->sock_gone)
        self->backoff =
            self->backoff * 2 > STATUS_BACKOFF_MAX ? STATUS_BACKOFF_MAX : self->backoff * 2;
    if (changed)
        s_dirty (self, 20);
    if (went && self->report) {
        //  The inventory's states are not current any more either.
        cJSON *inv = status_inventory (self);
        self->report (self->arg, "inventory", inv);
        cJSON_Delete (inv);
    }
}

//  Docker answered: (re)open the events stream, list and inspect all.
static void
s_reachable (status_t *self)
{
    if (!self->reachable)
        ddc_info ("docker reachable: version %s, API %s", self->version [0] ? self->version : "?",
                  self->api [0] ? self->api : "?");
    self->reachable = true;
    self->ever_answered = true;
    self->down_since = 0;
    self->error [0] = '\0';
    self->probe_busy = false;
    self->probe_at = 0;
    self->health_at = ddc_mono_ms () + S_HEALTH_MS;
    self->backoff = STATUS_BACKOFF_MIN;
    if (!self->stream_id)
        s_open_stream (self);
    s_want_list (self, 0);
    for (size_t i = 0; i < self->nentries; i++)
        s_want_inspect (self, &self->entries [i], 0);
    self->stats_next = ddc_mono_ms ();
    s_dirty (self, 20);
}

static void s_on_reply (void *arg, int status, const char *body, size_t len, const char *errmsg);

//  Does anything accept connections on the socket? dockerd removes its
//  socket as soon as it starts shutting down, while the engine's pooled
//  connections are still served until it exits. Non-blocking: a unix
//  connect completes or fails at once. Returns 0, or -1 with why.
static int
s_socket_alive (status_t *self, char *why, size_t size)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen (self->socket_path) >= sizeof (addr.sun_path)) {
        snprintf (why, size, "docker socket %s: path too long", self->socket_path);
        return -1;
    }
    memcpy (addr.sun_path, self->socket_path, strlen (self->socket_path) + 1);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0; //  cannot tell: let the ping decide
    int rc = connect (fd, (struct sockaddr *) &addr, sizeof (addr));
    int err = errno;
    close (fd);
    if (rc == 0 || err == EAGAIN || err == EINPROGRESS || err == EINTR)
        return 0;
    snprintf (why, size, "docker socket %s: %s", self->socket_path, strerror (err));
    return -1;
}

//  GET /_ping. resync: on success read the version, reopen the events
//  stream if needed, list and inspect everything; otherwise a liveness
//  check (dockerd refuses new connections while it shuts down, although a
//  stream it still serves says nothing).
static void
s_probe (status_t *self, bool resync)
{
    if (self->probe_busy || self->closing)
        return;
    if (resync)
        self->probe_at = 0;
    self->health_at = 0;
    char why [512];
    if (s_socket_alive (self, why, sizeof (why)) < 0) {
        self->sock_gone = true;
        self->sock_check_at = ddc_mono_ms () + S_SOCK_CHECK_MS;
        s_unreachable (self, why);
        return;
    }
    self->sock_gone = false;
    self->probe_busy = true;
    self->probe_resync = resync;
    if (s_request (self, REQ_PING, NULL, "/_ping", S_PING_TIMEOUT, s_on_reply) < 0)
        s_unreachable (self, "cannot queue a request to the Docker engine");
}

static void
s_on_ping (status_t *self, int status, const char *errmsg)
{
    if (status == 200 && !self->probe_resync && self->reachable) {
        self->probe_busy = false;
        self->health_at = ddc_mono_ms () + S_HEALTH_MS;
        return;
    }
    if (status == 200) {
        if (s_request (self, REQ_VERSION, NULL, "/version", S_PING_TIMEOUT, s_on_reply) < 0)
            s_reachable (self);
        return;
    }
    char why [512];
    if (status < 0)
        ddc_strlcpy (why, errmsg ? errmsg : "no reply", sizeof (why));
    else
        snprintf (why, sizeof (why), "HTTP %d from /_ping", status);
    s_unreachable (self, why);
}

static void
s_on_version (status_t *self, int status, const char *body, size_t len)
{
    docker_version_t v;
    if (status == 200 && docker_version_parse (body, len, &v) == 0)
        ddc_strlcpy (self->version, v.version, sizeof (self->version));
    const char *api = engine_api_version (self->engine);
    if (api)
        ddc_strlcpy (self->api, api, sizeof (self->api));
    s_reachable (self);
}

//  --------------------------------------------------------------------------
//  Events

static void
s_urlencode (const char *in, char *out, size_t size)
{
    static const char hex [] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *) in; *p && o + 4 < size; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
            || *p == '-' || *p == '_' || *p == '.' || *p == '~')
            out [o++] = (char) *p;
        else {
            out [o++] = '%';
            out [o++] = hex [*p >> 4];
            out [o++] = hex [*p & 15];
        }
    }
    out [o] = '\0';
}

//  The filters query value (URL-encoded) of base with the scope's labels.
static char *
s_filters_query (const scope_t *scope, const char *base)
{
    char *filters = scope_filters (scope, base);
    assert (filters); //  base is ours, a JSON object
    size_t size = strlen (filters) * 3 + 1;
    char *enc = ddc_malloc (size);
    s_urlencode (filters, enc, size);
    free (filters);
    return enc;
}

static bool
s_event_wanted (const char *action)
{
    static const char *const wanted [] = { "create", "destroy", "start", "die",     "stop",
                                           "kill",   "restart", "pause", "unpause", "health_status",
                                           "rename", "oom",     NULL };
    for (const char *const *w = wanted; *w; w++)
        if (strcmp (*w, action) == 0)
            return true;
    return false;
}

static void
s_on_event (void *arg, const char *line, size_t len)
{
    status_t *self = arg;
    if (self->closing)
        return;
    docker_event_t ev;
    if (docker_event_parse (line, len, &ev) != 0) {
        ddc_debug ("docker: unparsable event dropped");
        return;
    }
    if (ev.time > self->last_event_s)
        self->last_event_s = ev.time;
    self->events++;
    int64_t lag = ddc_wall_ms () - ev.time_nano / 1000000;
    self->event_lag_ms = lag > 0 ? lag : 0;
    if (strcmp (ev.type, "container") != 0 || !s_event_wanted (ev.action))
        return;
    ddc_debug ("docker event: %s %s", ev.action, ev.name);
    bool identity = strcmp (ev.action, "rename") == 0 || strcmp (ev.action, "destroy") == 0
                    || strcmp (ev.action, "create") == 0;
    for (size_t i = 0; i < self->nentries; i++) {
        s_entry_t *e = &self->entries [i];
        if (strcmp (e->name, ev.name) == 0 || (identity && e->id [0] && strcmp (e->id, ev.id) == 0))
            s_want_inspect (self, e, STATUS_EVENT_DEBOUNCE);
        if (strcmp (e->name, ev.name) == 0 && self->on_event)
            self->on_event (self->watch_arg, &ev);
    }
    s_want_list (self, S_INVENTORY_DEBOUNCE);
}

static void
s_on_stream_end (void *arg, int status, const char *errmsg)
{
    status_t *self = arg;
    self->stream_id = 0;
    if (self->closing)
        return;
    int64_t now = ddc_mono_ms ();
    int64_t lived = now - self->stream_opened;
    if (lived >= S_STREAM_HEALTHY)
        self->stream_backoff = 0;
    else
        self->stream_backoff = self->stream_backoff ? self->stream_backoff * 2 : STATUS_BACKOFF_MIN;
    if (self->stream_backoff > STATUS_BACKOFF_MAX)
        self->stream_backoff = STATUS_BACKOFF_MAX;
    ddc_warn ("docker: events stream ended (%d: %s); reconnecting%s", status, errmsg ? errmsg : "",
              self->stream_backoff ? " after a pause" : "");
    //  Probe first: a reachable engine then gets the stream back, a list
    //  and an inspect of every configured container.
    if (!self->probe_busy) {
        int64_t at = now + self->stream_backoff;
        if (!self->probe_at || at < self->probe_at)
            self->probe_at = at;
    }
}

static void
s_open_stream (status_t *self)
{
    if (self->closing || self->stream_id)
        return;
    static const char base [] =
        "{\"type\":[\"container\"],\"event\":[\"create\",\"destroy\",\"start\",\"die\","
        "\"stop\",\"kill\",\"restart\",\"pause\",\"unpause\",\"health_status\",\"rename\","
        "\"oom\"]}";
    //  Only the events of this agent's containers (its label scope).
    char *enc = s_filters_query (self->scope, base);
    //  since= covers the events between the last one seen (or this moment)
    //  and the stream being in place; duplicates only cause an inspect.
    int64_t since = self->last_event_s ? self->last_event_s : ddc_wall_ms () / 1000 - 1;
    char *path = ddc_asprintf ("/events?filters=%s&since=%lld", enc, (long long) since);
    free (enc);
    self->stream_opened = ddc_mono_ms ();
    int64_t id = engine_stream (self->engine, path, s_on_event, s_on_stream_end, self);
    free (path);
    if (id < 0) {
        ddc_warn ("docker: cannot open the events stream");
        self->probe_at = ddc_mono_ms () + STATUS_BACKOFF_MIN * 2;
        return;
    }
    self->stream_id = id;
}

//  --------------------------------------------------------------------------
//  Inventory, inspect, stats

static void
s_on_list (status_t *self, int status, const char *body, size_t len, const char *errmsg)
{
    self->list_busy = false;
    if (self->list_again) {
        self->list_again = false;
        s_want_list (self, S_INVENTORY_DEBOUNCE);
    }
    if (status != 200) {
        ddc_warn ("docker: container list failed: %s", status < 0 && errmsg ? errmsg : "HTTP error");
        if (status < 0)
            status_docker_error (self, errmsg);
        return;
    }
    char why [160];
    docker_list_t *list = docker_list_parse (body, len, why, sizeof (why));
    if (!list) {
        ddc_warn ("docker: container list reply refused: %s", why);
        return;
    }
    docker_list_destroy (&self->list);
    self->list = list;
    self->list_wall = ddc_wall_ms ();
    cJSON *inv = status_inventory (self);
    if (self->report)
        self->report (self->arg, "inventory", inv);
    cJSON_Delete (inv);
}

//  Take an inspect result into e. Returns true when something a reader
//  would notice changed.
static bool
s_take_inspect (s_entry_t *e, int http, const docker_inspect_t *in)
{
    s_entry_t before = *e;
    bool image_changed = false;
    e->last_state [0] = '\0';
    if (http == 200 && in) {
        e->exists = true;
        e->running = in->running;
        e->tty = in->tty;
        ddc_strlcpy (e->state, in->status, sizeof (e->state));
        ddc_strlcpy (e->health, in->health, sizeof (e->health));
        if (strcmp (e->image, in->image) != 0) {
            free (e->image);
            e->image = ddc_strdup (in->image);
            image_changed = true;
        }
        ddc_strlcpy (e->id, in->id, sizeof (e->id));
        e->started_at = in->started_at;
    }
    else {
        e->exists = false;
        e->running = false;
        ddc_strlcpy (e->state, "missing", sizeof (e->state));
        e->health [0] = '\0';
        e->id [0] = '\0';
        e->started_at = 0;
    }
    e->known = true;
    if (!e->running)
        e->has_stats = false;
    bool changed = !before.known || before.exists != e->exists || before.running != e->running
                   || strcmp (before.state, e->state) != 0 || strcmp (before.health, e->health) != 0
                   || image_changed || before.started_at != e->started_at
                   || before.has_stats != e->has_stats;
    if (changed)
        e->updated_ms = ddc_wall_ms ();
    return changed;
}

static void
s_on_inspect (status_t *self, const char *name, int status, const char *body, size_t len,
              const char *errmsg)
{
    if (self->inspects_busy)
        self->inspects_busy--;
    s_entry_t *e = s_entry (self, name);
    if (!e)
        return; //  no longer configured
    e->inspect_busy = false;
    if (e->inspect_again) {
        e->inspect_again = false;
        s_want_inspect (self, e, STATUS_EVENT_DEBOUNCE);
    }
    docker_inspect_t in;
    //  A container outside the scope is not this agent's: as if absent.
    if (status == 200 && !scope_match_inspect (self->scope, body, len))
        status = 404;
    if (status == 200 && docker_inspect_parse (body, len, &in) == 0) {
        if (s_take_inspect (e, 200, &in))
            s_dirty (self, 20);
        if (self->on_inspect)
            self->on_inspect (self->watch_arg, name, &in);
    }
    else if (status == 404) {
        if (s_take_inspect (e, 404, NULL))
            s_dirty (self, 20);
    }
    else {
        char msg [DOCKER_ERRMSG_MAX] = "";
        if (status > 0)
            docker_error_parse (body, len, msg, sizeof (msg));
        ddc_warn ("docker: inspect %s failed: %s", name,
                  status < 0 ? (errmsg ? errmsg : "no reply") : msg);
        if (status < 0)
            status_docker_error (self, errmsg);
    }
}

static void
s_on_stats (status_t *self, const char *name, int status, const char *body, size_t len,
            const char *errmsg)
{
    if (self->stats_busy)
        self->stats_busy--;
    s_entry_t *e = s_entry (self, name);
    if (!e)
        return;
    e->stats_busy = false;
    docker_stats_t st;
    if (status == 200 && docker_stats_parse (body, len, &st) == 0) {
        bool same_start = e->cpu_prev_start == e->started_at;
        double cpu;
        bool cpu_known = docker_stats_cpu (&st, same_start ? &e->cpu_prev : NULL, &cpu);
        e->cpu_prev = st.cpu;
        e->cpu_prev_start = e->started_at;
        if (!cpu_known && st.running && e->running) {
            //  A first sample: the next, at Docker's next collection (about
            //  a second), gives the CPU; the numbers appear together then
            e->stats_wanted = true;
            return;
        }
        e->has_stats = st.running && e->running;
        e->cpu = cpu;
        e->mem = st.mem_used;
        e->mem_limit = st.mem_limit;
        e->updated_ms = ddc_wall_ms ();
        s_dirty (self, 250);
    }
    else if (status < 0) {
        ddc_debug ("docker: stats %s failed: %s", name, errmsg ? errmsg : "no reply");
        status_docker_error (self, errmsg);
    }
}

static void
s_on_reply (void *arg, int status, const char *body, size_t len, const char *errmsg)
{
    s_req_t *req = arg;
    status_t *self = req->status;
    if (!self->closing) {
        switch (req->kind) {
            case REQ_PING:
                s_on_ping (self, status, errmsg);
                break;
            case REQ_VERSION:
                s_on_version (self, status, body, len);
                break;
            case REQ_LIST:
                s_on_list (self, status, body, len, errmsg);
                break;
            case REQ_INSPECT:
                s_on_inspect (self, req->name, status, body, len, errmsg);
                break;
            case REQ_STATS:
                s_on_stats (self, req->name, status, body, len, errmsg);
                break;
        }
    }
    free (req);
}

//  Issue the inspects and stats that are due, within the caps.
static void
s_pump (status_t *self, int64_t now)
{
    if (!self->reachable || self->closing)
        return;
    for (size_t i = 0; i < self->nentries && self->inspects_busy < STATUS_MAX_INSPECTS; i++) {
        s_entry_t *e = &self->entries [i];
        if (!e->inspect_due || e->inspect_due > now || e->inspect_busy)
            continue;
        char path [DOCKER_NAME_MAX + 32];
        snprintf (path, sizeof (path), "/containers/%s/json", e->name);
        e->inspect_due = 0;
        if (s_request (self, REQ_INSPECT, e->name, path, S_INSPECT_TIMEOUT, s_on_reply) > 0) {
            e->inspect_busy = true;
            self->inspects_busy++;
        }
    }
    //  Stats round-robin from the cursor, so that with more containers than
    //  slots every one gets its turn.
    for (size_t k = 0; k < self->nentries && self->stats_busy < STATUS_MAX_STATS; k++) {
        size_t i = (self->stats_cursor + k) % self->nentries;
        s_entry_t *e = &self->entries [i];
        if (!e->stats_wanted || e->stats_busy)
            continue;
        e->stats_wanted = false;
        if (!e->running)
            continue;
        char path [DOCKER_NAME_MAX + 64];
        //  one-shot: Docker answers at its next collection (within a
        //  second) instead of waiting for two (about two seconds), so a
        //  round's samples (each a transfer with its buffers) are in flight
        //  half as long; the CPU % is taken against the previous sample
        snprintf (path, sizeof (path), "/containers/%s/stats?stream=false&one-shot=true", e->name);
        if (s_request (self, REQ_STATS, e->name, path, S_STATS_TIMEOUT, s_on_reply) > 0) {
            e->stats_busy = true;
            self->stats_busy++;
            self->stats_cursor = (i + 1) % self->nentries;
        }
    }
}

//  --------------------------------------------------------------------------
//  Public API

status_t *
status_new (engine_t *engine, const char *socket_path, agent_t *agent, const scope_t *scope,
            status_report_fn *report, void *arg)
{
    status_t *self = ddc_calloc (1, sizeof (*self));
    self->engine = engine;
    self->scope = scope;
    if (!scope_empty (scope)) {
        char *enc = s_filters_query (scope, NULL);
        self->list_path = ddc_asprintf ("/containers/json?all=1&filters=%s", enc);
        free (enc);
    }
    else
        self->list_path = ddc_strdup ("/containers/json?all=1");
    self->socket_path = ddc_strdup (socket_path);
    self->agent = agent;
    self->report = report;
    self->arg = arg;
    self->backoff = STATUS_BACKOFF_MIN;
    self->stats_interval = agent_stats_interval_s (agent);
    ddc_strlcpy (self->error, "not probed yet", sizeof (self->error));
    status_config_changed (self);
    return self;
}

void
status_destroy (status_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    status_t *self = *self_p;
    docker_list_destroy (&self->list);
    s_entries_free (self->entries, self->nentries);
    free (self->socket_path);
    free (self->list_path);
    free (self);
    *self_p = NULL;
}

void
status_watch (status_t *self, status_event_fn *on_event, status_inspect_fn *on_inspect, void *arg)
{
    self->on_event = on_event;
    self->on_inspect = on_inspect;
    self->watch_arg = arg;
}

void
status_start (status_t *self)
{
    self->started = true;
    s_probe (self, true);
}

void
status_config_changed (status_t *self)
{
    size_t n;
    const agent_container_t *containers = agent_containers (self->agent, &n);
    s_entry_t *entries = n ? ddc_calloc (n, sizeof (*entries)) : NULL;
    size_t count = 0;
    bool changed = false;
    for (size_t i = 0; i < n; i++) {
        const char *name = containers [i].name;
        if (!docker_name_valid (name))
            continue;
        bool dup = false;
        for (size_t k = 0; k < count && !dup; k++)
            dup = strcmp (entries [k].name, name) == 0;
        if (dup)
            continue;
        s_entry_t *e = &entries [count++];
        s_entry_t *old = s_entry (self, name);
        if (old) {
            *e = *old;
            old->name = old->image = NULL; //  e's now
        }
        else {
            e->name = ddc_strdup (name);
            e->image = ddc_strdup ("");
            ddc_strlcpy (e->state, "unknown", sizeof (e->state));
            e->updated_ms = ddc_wall_ms ();
            e->inspect_due = ddc_mono_ms ();
            changed = true;
        }
        bool active = containers [i].active;
        if (!old || old->active != active)
            changed = true;
        e->active = active;
    }
    if (count != self->nentries)
        changed = true;
    //  Requests in flight for dropped entries find no entry and are ignored;
    //  the counters stay right since they count requests, not entries.
    s_entries_free (self->entries, self->nentries);
    self->entries = entries;
    self->nentries = count;
    self->stats_cursor = 0;

    int interval = agent_stats_interval_s (self->agent);
    if (interval != self->stats_interval) {
        ddc_info ("docker: stats every %d s (was %d s)", interval, self->stats_interval);
        self->stats_interval = interval;
        changed = true; //  the report shows the interval
        if (self->stats_next) {
            int64_t next = self->stats_round + (int64_t) interval * 1000;
            int64_t now = ddc_mono_ms ();
            self->stats_next = next > now ? next : now;
        }
    }
    if (changed && self->started)
        s_dirty (self, 20);
}

void
status_tick (status_t *self)
{
    if (self->closing)
        return;
    int64_t now = ddc_mono_ms ();
    if (self->started && self->probe_at && now >= self->probe_at && !self->probe_busy)
        s_probe (self, true);
    if (self->reachable && self->health_at && now >= self->health_at && !self->probe_busy)
        s_probe (self, false);
    //  While the socket has no listener, a cheap connect every 0.5 s spots
    //  the daemon's return without waiting out the backoff.
    if (self->started && !self->reachable && self->sock_gone && !self->probe_busy
        && now >= self->sock_check_at) {
        char why [512];
        self->sock_check_at = now + S_SOCK_CHECK_MS;
        if (s_socket_alive (self, why, sizeof (why)) == 0) {
            ddc_info ("docker: the socket %s has a listener again: probing", self->socket_path);
            self->backoff = STATUS_BACKOFF_MIN;
            s_probe (self, true);
        }
    }
    if (self->reachable) {
        if (self->stats_next && now >= self->stats_next) {
            self->stats_round = now;
            self->stats_next = now + (int64_t) self->stats_interval * 1000;
            for (size_t i = 0; i < self->nentries; i++)
                if (self->entries [i].running && !self->entries [i].stats_busy)
                    self->entries [i].stats_wanted = true;
        }
        if (self->list_due && now >= self->list_due && !self->list_busy) {
            self->list_due = now + STATUS_INVENTORY_MS;
            if (s_request (self, REQ_LIST, NULL, self->list_path, S_LIST_TIMEOUT, s_on_reply) > 0)
                self->list_busy = true;
        }
        s_pump (self, now);
    }
    if (self->report_due && now >= self->report_due) {
        self->report_due = 0;
        self->last_report = now;
        cJSON *body = status_body (self, NULL);
        if (self->report)
            self->report (self->arg, "status", body);
        cJSON_Delete (body);
    }
}

int64_t
status_timeout_ms (status_t *self)
{
    if (self->closing)
        return 1000;
    int64_t now = ddc_mono_ms ();
    int64_t next = now + 1000;
#define S_NEXT(t)            \
    do {                     \
        int64_t t_ = (t);    \
        if (t_ && t_ < next) \
            next = t_;       \
    } while (0)
    if (self->started && !self->probe_busy) {
        S_NEXT (self->probe_at);
        if (self->reachable)
            S_NEXT (self->health_at);
        else if (self->sock_gone)
            S_NEXT (self->sock_check_at);
    }
    if (self->reachable) {
        S_NEXT (self->stats_next);
        if (!self->list_busy)
            S_NEXT (self->list_due);
        if (self->inspects_busy < STATUS_MAX_INSPECTS)
            for (size_t i = 0; i < self->nentries; i++)
                if (!self->entries [i].inspect_busy)
                    S_NEXT (self->entries [i].inspect_due);
        if (self->stats_busy < STATUS_MAX_STATS)
            for (size_t i = 0; i < self->nentries; i++)
                if (self->entries [i].stats_wanted && !self->entries [i].stats_busy)
                    S_NEXT (now);
    }
    S_NEXT (self->report_due);
#undef S_NEXT
    return next > now ? next - now : 0;
}

void
status_refresh (status_t *self, const char *name)
{
    s_entry_t *e = s_entry (self, name);
    if (e)
        s_want_inspect (self, e, 0);
}

void
status_inspected (status_t *self, const char *name, int http, const docker_inspect_t *in)
{
    s_entry_t *e = s_entry (self, name);
    if (!e || (http != 200 && http != 404))
        return;
    //  An inspect of ours may be in flight with an older view: take this
    //  one now and let that one land (it is at most as old as this).
    if (s_take_inspect (e, http, in))
        s_dirty (self, 0);
    if (http == 200 && in && self->on_inspect)
        self->on_inspect (self->watch_arg, name, in);
    if (e->running && !e->stats_busy && self->reachable)
        e->stats_wanted = true; //  fresh numbers after a start
}

void
status_docker_error (status_t *self, const char *errmsg)
{
    if (self->closing || !self->started || !s_socket_error (errmsg))
        return;
    if (self->reachable && !self->probe_busy && !self->probe_at)
        self->probe_at = ddc_mono_ms ();
}

uint64_t
status_events (status_t *self)
{
    return self->events;
}

int64_t
status_event_lag_ms (status_t *self)
{
    return self->events ? self->event_lag_ms : -1;
}

bool
status_reachable (status_t *self)
{
    return self->reachable;
}

bool
status_in_scope (status_t *self, const char *name)
{
    if (scope_empty (self->scope))
        return true;
    s_entry_t *e = s_entry (self, name);
    return e && e->known && e->exists;
}

int
status_logs_mode (status_t *self, const char *name)
{
    s_entry_t *e = s_entry (self, name);
    if (!e || !e->known || !e->exists)
        return DOCKER_LOGS_DETECT;
    return e->tty ? DOCKER_LOGS_RAW : DOCKER_LOGS_MUX;
}

const char *
status_state (status_t *self, const char *name)
{
    s_entry_t *e = s_entry (self, name);
    return e ? e->state : "unknown";
}

static void
s_add_iso (cJSON *obj, const char *key, int64_t wall_ms)
{
    char iso [32];
    ddc_iso_time (wall_ms, iso);
    cJSON_AddStringToObject (obj, key, iso);
}

//  "Docker unreachable since 2026-11-27T09:00:00Z" into buf, or "" while
//  Docker answers (or has not been probed yet).
static void
s_down_reason (status_t *self, char *buf, size_t size)
{
    buf [0] = '\0';
    if (!self->reachable && self->down_since) {
        char iso [32];
        ddc_iso_time (self->down_since, iso);
        snprintf (buf, size, "Docker unreachable since %s", iso);
    }
}

static cJSON *
s_entry_json (const s_entry_t *e, int64_t now_s, const char *down)
{
    cJSON *o = cJSON_CreateObject ();
    if (e->known)
        cJSON_AddBoolToObject (o, "exists", e->exists);
    else
        cJSON_AddNullToObject (o, "exists");
    cJSON_AddStringToObject (o, "state", e->state);
    if (!e->known && down [0])
        cJSON_AddStringToObject (o, "reason", down);
    if (!e->known && e->last_state [0])
        cJSON_AddStringToObject (o, "last_state", e->last_state);
    if (e->health [0])
        cJSON_AddStringToObject (o, "health", e->health);
    else
        cJSON_AddNullToObject (o, "health");
    if (e->running && e->started_at > 0) {
        s_add_iso (o, "started_at", e->started_at * 1000);
        cJSON_AddNumberToObject (o, "uptime_s",
                                 (double) (now_s > e->started_at ? now_s - e->started_at : 0));
    }
    else {
        if (e->started_at > 0)
            s_add_iso (o, "started_at", e->started_at * 1000);
        else
            cJSON_AddNullToObject (o, "started_at");
        cJSON_AddNullToObject (o, "uptime_s");
    }
    if (e->has_stats && e->running) {
        cJSON_AddNumberToObject (o, "cpu_percent", (double) (int64_t) (e->cpu * 100.0) / 100.0);
        cJSON_AddNumberToObject (o, "mem_bytes", (double) e->mem);
        cJSON_AddNumberToObject (o, "mem_limit", (double) e->mem_limit);
    }
    else {
        cJSON_AddNullToObject (o, "cpu_percent");
        cJSON_AddNullToObject (o, "mem_bytes");
        cJSON_AddNullToObject (o, "mem_limit");
    }
    cJSON_AddStringToObject (o, "image", e->image);
    cJSON_AddBoolToObject (o, "active", e->active);
    s_add_iso (o, "updated", e->updated_ms);
    return o;
}

cJSON *
status_body (status_t *self, const char *name)
{
    int64_t now_ms = ddc_wall_ms ();
    char down [64];
    s_down_reason (self, down, sizeof (down));
    if (name) {
        s_entry_t *e = s_entry (self, name);
        return e ? s_entry_json (e, now_ms / 1000, down) : NULL;
    }
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "host", agent_host (self->agent));
    s_add_iso (body, "time", now_ms);
    cJSON *docker = cJSON_AddObjectToObject (body, "docker");
    cJSON_AddBoolToObject (docker, "reachable", self->reachable);
    if (self->version [0])
        cJSON_AddStringToObject (docker, "version", self->version);
    else
        cJSON_AddNullToObject (docker, "version");
    if (self->api [0])
        cJSON_AddStringToObject (docker, "api", self->api);
    else
        cJSON_AddNullToObject (docker, "api");
    if (self->reachable)
        cJSON_AddNullToObject (docker, "error");
    else
        cJSON_AddStringToObject (docker, "error", self->error);
    if (self->down_since && !self->reachable)
        s_add_iso (docker, "unreachable_since", self->down_since);
    else
        cJSON_AddNullToObject (docker, "unreachable_since");
    cJSON_AddNumberToObject (docker, "stats_interval_s", self->stats_interval);
    cJSON *containers = cJSON_AddObjectToObject (body, "containers");
    for (size_t i = 0; i < self->nentries; i++)
        cJSON_AddItemToObject (containers, self->entries [i].name,
                               s_entry_json (&self->entries [i], now_ms / 1000, down));
    return body;
}

cJSON *
status_inventory (status_t *self)
{
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "host", agent_host (self->agent));
    s_add_iso (body, "time", self->list ? self->list_wall : ddc_wall_ms ());
    cJSON_AddBoolToObject (body, "reachable", self->reachable);
    //  The list is as of list_wall: while Docker is away its states are not
    //  current, so they read "unknown" (names and images stay for pickers).
    char down [64];
    s_down_reason (self, down, sizeof (down));
    if (down [0])
        cJSON_AddStringToObject (body, "reason", down);
    cJSON *arr = cJSON_AddArrayToObject (body, "containers");
    bool truncated = self->list && self->list->truncated;
    size_t bytes = 0;
    for (size_t i = 0; self->list && i < self->list->count; i++) {
        const docker_container_t *c = &self->list->items [i];
        //  A REPORT body is at most DDC_REPORT_MAX: stop well before.
        bytes += strlen (c->id) + strlen (c->name) + strlen (c->image) + strlen (c->status) + 160;
        if (bytes > S_INVENTORY_JSON_MAX) {
            truncated = true;
            break;
        }
        cJSON *o = cJSON_CreateObject ();
        cJSON_AddStringToObject (o, "name", c->name);
        cJSON_AddStringToObject (o, "id", c->id);
        cJSON_AddStringToObject (o, "image", c->image);
        cJSON_AddStringToObject (o, "state", down [0] ? "unknown" : c->state);
        cJSON_AddStringToObject (o, "status", down [0] ? down : c->status);
        if (c->created > 0)
            s_add_iso (o, "created", c->created * 1000);
        else
            cJSON_AddNullToObject (o, "created");
        cJSON_AddItemToArray (arr, o);
    }
    cJSON_AddBoolToObject (body, "truncated", truncated);
    return body;
}

void
status_close (status_t *self)
{
    self->closing = true;
    if (self->stream_id) {
        int64_t id = self->stream_id;
        self->stream_id = 0;
        engine_cancel (self->engine, id);
    }
}
