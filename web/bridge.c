/*  bridge: the broker client in Kore's loop. See bridge.h. */
#include "bridge.h"

#include "web.h"
#include "view.h"

#include <assert.h>

#include "ddc_json.h"
#include "ddc_keys.h"
#include "ddc_log.h"
#include "ddc_pages.h"
#include "ddc_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <malloc.h>
#include <string.h>
#include <sys/epoll.h>

#define S_TIMER_MS 50
#define S_POLL_MS 1000       //  STATUS while browsers follow: the peers' rows
#define S_FULL_POLL_MS 15000 //  and their reports too (the PUB brings them as they come)
#define S_STATUS_TIMEOUT 2000
#define S_TRIM_MS 500 //  after the last inventory report

typedef struct {
    char peer [DDC_MAX_TEXT + 1]; //  "" = free
    char *text;                   //  its latest metrics report
    int64_t at_ms;                //  mono ms it came
} s_metrics_t;

typedef struct {
    struct kore_event evt; //  first: Kore casts to it
    int fd;
} s_fd_t;

static struct {
    ddc_client_t *client;
    s_fd_t ctl, sub;
    struct kore_timer *timer;
    struct kore_timer *due; //  one-shot: the client's next timer
    cJSON *table;           //  PEERS body, or NULL
    int64_t table_at;       //  mono ms of the last STATUS
    int64_t full_at;        //  mono ms of the last STATUS with the reports
    bool status_busy;
    int64_t trim_at;    //  mono ms when s_trim is due, 0 = not
    int64_t status_due; //  mono ms, 0 = none
    bool was_up;
    char saved_hash [DDC_PWHASH_MAX]; //  our own save, until published
    uint64_t saved_hash_rev;
    bool setup_announced; //  "first run" was logged
    uint64_t gen;         //  bridge_gen
    uint64_t reports_gen; //  bridge_reports_gen
    s_metrics_t metrics [BRIDGE_METRICS_PEERS];
    bool metrics_warned;
    cJSON *changes; //  bridge_changes
    bridge_hooks_t hooks;
    const opts_t *opts; //  bridge_start's, borrowed
} s;

static void s_handle (void *arg, int error);
static void s_status_page (uint64_t offset, bool rows_only);
static void s_schedule (void);

//  Something the pages show may have changed: with reports, also what
//  the view's hosts are built from.
static void
s_changed_what (bool reports)
{
    s.gen++;
    if (reports)
        s.reports_gen++;
    if (s.hooks.changed)
        s.hooks.changed (s.hooks.arg);
}

static void
s_changed (void)
{
    s_changed_what (true);
}

//  ------------------------------------------------------------------------
//  client callbacks

//  Who made the revision of section now applied here (the UPDATE's props;
//  a snapshot's revision has none), for bridge_changes.
static void
s_note_change (const char *section, uint64_t rev)
{
    if (!s.changes)
        s.changes = cJSON_CreateObject ();
    cJSON *c = cJSON_CreateObject ();
    cJSON_AddNumberToObject (c, "rev", (double) rev);
    const cJSON *props = ddc_client_update_props (s.client);
    static const char *const keys [] = { "author", "peer", "time", NULL };
    for (int i = 0; props && keys [i]; i++) {
        const char *v = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (props, keys [i]));
        if (v)
            cJSON_AddStringToObject (c, keys [i], v);
    }
    if (cJSON_GetObjectItemCaseSensitive (s.changes, section))
        cJSON_ReplaceItemInObjectCaseSensitive (s.changes, section, c);
    else
        cJSON_AddItemToObject (s.changes, section, c);
}

const cJSON *
bridge_changes (void)
{
    return s.changes;
}

static int
s_on_apply (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
            cJSON *errors)
{
    (void) arg;
    (void) errors;
    (void) from_cache;
    if (strcmp (section, "web") == 0) {
        const char *hash =
            cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (value, "password_hash"));
        if (rev >= s.saved_hash_rev)
            s.saved_hash [0] = '\0';
        bool empty = !hash || !*hash;
        if (empty && !s.saved_hash [0] && !s.setup_announced) {
            s.setup_announced = true;
            if (s.hooks.no_password)
                s.hooks.no_password (s.hooks.arg);
        }
        if (!empty)
            s.setup_announced = false;
    }
    s_note_change (section, rev);
    //  the services' acknowledgements follow within moments: look soon
    s.status_due = ddc_mono_ms () + 300;
    s_changed ();
    return 0;
}

static void
s_on_event (void *arg, ddc_client_event_t ev, const char *detail)
{
    (void) arg;
    switch (ev) {
        case DDC_EV_CONNECTED:
            ddc_info ("connected to the broker as %s", detail);
            break;
        case DDC_EV_SYNCED:
            ddc_info ("configuration synced at revision %llu",
                      (unsigned long long) ddc_client_rev (s.client));
            s.status_due = ddc_mono_ms ();
            break;
        case DDC_EV_DISCONNECTED:
            ddc_warn ("%s: pages answer 503 until it is back", detail);
            break;
        default:
            break;
    }
    s_changed ();
}

//  Keep a service's metrics report (replacing its previous one; when the
//  table is full, the oldest goes).
static void
s_keep_metrics (const char *peer, const cJSON *body)
{
    char *text = ddc_json_print (body);
    if (!text || strlen (text) > DDC_METRICS_MAX) {
        if (text && !s.metrics_warned)
            ddc_warn ("the metrics report of %s (%zu bytes) is over %d bytes: not kept", peer,
                      strlen (text), DDC_METRICS_MAX);
        s.metrics_warned = true;
        free (text);
        return;
    }
    s_metrics_t *slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < BRIDGE_METRICS_PEERS && !slot; i++) {
        s_metrics_t *m = &s.metrics [i];
        if (strcmp (m->peer, peer) == 0 || !m->peer [0])
            slot = m;
        else if (!oldest || m->at_ms < oldest->at_ms)
            oldest = m;
    }
    if (!slot)
        slot = oldest;
    free (slot->text);
    ddc_strlcpy (slot->peer, peer, sizeof (slot->peer));
    slot->text = text;
    slot->at_ms = ddc_mono_ms ();
}

static int
s_by_peer (const void *a, const void *b)
{
    const bridge_metrics_t *x = a, *y = b;
    bool bx = strncmp (x->peer, "broker@", 7) == 0, by = strncmp (y->peer, "broker@", 7) == 0;
    return bx != by ? (bx ? -1 : 1) : strcmp (x->peer, y->peer);
}

size_t
bridge_metrics (bridge_metrics_t *out, size_t max)
{
    int64_t now = ddc_mono_ms ();
    const char *self_name = s.client ? ddc_client_name (s.client) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < BRIDGE_METRICS_PEERS && n < max; i++) {
        s_metrics_t *m = &s.metrics [i];
        if (!m->peer [0] || now - m->at_ms > BRIDGE_METRICS_STALE_MS
            || (self_name && strcmp (self_name, m->peer) == 0))
            continue;
        out [n++] = (bridge_metrics_t){ m->peer, m->text, now - m->at_ms };
    }
    qsort (out, n, sizeof (*out), s_by_peer);
    return n;
}

//  This replica's metrics, for its report.
static void
s_on_metrics (void *arg, ddc_metrics_t *m)
{
    (void) arg;
    if (s.hooks.metrics)
        s.hooks.metrics (s.hooks.arg, m);
}

static void
s_on_status (void *arg, const char *peer, const char *topic, const cJSON *body)
{
    (void) arg;
    if (strcmp (topic, "metrics") == 0) {
        s_keep_metrics (peer, body); //  not shown in pages: no view change
        return;
    }
    if (!s.table)
        s.table = cJSON_CreateObject ();
    if (view_table_status (s.table, peer, topic, body) == 0)
        s_changed ();
    //  an inventory came parsed (a megabyte for 1,000 containers) and is
    //  kept compact: once they stop coming, the memory goes back
    if (strcmp (topic, "inventory") == 0)
        bridge_trim_soon ();
}

void
bridge_trim_soon (void)
{
    s.trim_at = ddc_mono_ms () + S_TRIM_MS;
}

//  Hand the memory freed by parsed tables and reports back to the system.
static void
s_trim (void)
{
    s.trim_at = 0;
    malloc_trim (0);
}

//  A page of peers' rows without their reports (STATUS full "-"): each
//  row taken into the table with the reports it holds; a peer the table
//  does not hold, or a count that differs, asks for the reports.
static void
s_merge_rows (const cJSON *page)
{
    cJSON *rows = cJSON_GetObjectItemCaseSensitive (s.table, "peers");
    if (!cJSON_IsObject (page) || !cJSON_IsArray (rows)) {
        s.status_due = ddc_mono_ms ();
        return;
    }
    const cJSON *broker = cJSON_GetObjectItemCaseSensitive (page, "broker");
    if (broker) {
        cJSON_DeleteItemFromObjectCaseSensitive (s.table, "broker");
        cJSON_AddItemToObject (s.table, "broker", cJSON_Duplicate (broker, true));
    }
    bool reports = false; //  a peer's role, instance or connection changed
    const cJSON *row;
    cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive (page, "peers")) {
        const char *name = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (row, "name"));
        cJSON *old = NULL, *each;
        cJSON_ArrayForEach (each, rows) {
            const char *n = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (each, "name"));
            if (name && n && strcmp (n, name) == 0) {
                old = each;
                break;
            }
        }
        if (!old) {
            s.status_due = ddc_mono_ms ();
            continue;
        }
        static const char *const keep [] = { "role", "instance", "connected" };
        for (size_t k = 0; k < sizeof (keep) / sizeof (keep [0]) && !reports; k++) {
            const cJSON *was = cJSON_GetObjectItemCaseSensitive (old, keep [k]);
            const cJSON *now = cJSON_GetObjectItemCaseSensitive (row, keep [k]);
            reports = (was || now) && !cJSON_Compare (was, now, true);
        }
        cJSON *fresh = cJSON_Duplicate (row, true);
        ddc_keys_share (fresh);
        cJSON *status = cJSON_DetachItemFromObjectCaseSensitive (old, "status");
        if (status)
            cJSON_AddItemToObject (fresh, "status", status);
        cJSON_ReplaceItemViaPointer (rows, old, fresh);
    }
    const cJSON *total = cJSON_GetObjectItemCaseSensitive (page, "total");
    if (!cJSON_IsNumber (total) || total->valuedouble != (double) cJSON_GetArraySize (rows))
        s.status_due = ddc_mono_ms ();
    s.table_at = ddc_mono_ms ();
    s_changed_what (reports);
}

static void
s_on_peers (void *arg, const ddc_msg_t *reply)
{
    s.status_busy = false;
    if (reply && reply->type == DDC_PEERS) {
        if (arg)
            s_merge_rows (reply->json [DDC_PEERS_BODY]);
        else
            bridge_set_table (reply->json [DDC_PEERS_BODY]);
    }
}

//  ------------------------------------------------------------------------
//  the loop

static void
s_poll_status (void)
{
    int64_t now = ddc_mono_ms ();
    bool due = s.status_due && now >= s.status_due;
    bool rows = false;
    if (s.hooks.followers && s.hooks.followers (s.hooks.arg) > 0 && now - s.table_at >= S_POLL_MS) {
        //  the rows (connected, applied) every second, the reports, which
        //  the PUB brings as they come, now and then
        if (now - s.full_at >= S_FULL_POLL_MS || !s.table)
            due = true;
        else
            rows = !due;
    }
    if ((due || rows) && !s.status_busy && bridge_up ()) {
        if (due) {
            s.status_due = 0;
            bridge_refresh_table ();
        }
        else
            s_status_page (0, true);
    }
}

static void
s_run (void)
{
    ddc_client_handle (s.client);
    if (ddc_client_timeout_ms (s.client) <= 0) {
        ddc_client_tick (s.client);
        ddc_client_handle (s.client);
    }
    if (s.hooks.turned)
        s.hooks.turned (s.hooks.arg);
    bool up = bridge_up ();
    if (s.hooks.broker)
        s.hooks.broker (s.hooks.arg, up, ddc_client_rev (s.client));
    if (up != s.was_up) {
        s.was_up = up;
        s_changed ();
    }
    s_schedule ();
}

static void s_timer (void *arg, u_int64_t now);

static void
s_due (void *arg, u_int64_t now)
{
    s.due = NULL; //  Kore frees it after this call
    s_timer (arg, now);
}

//  The client's own timers (a HELLO retried, a request resent, a ping) run
//  when they are due rather than on the next tick of the 50 ms timer.
static void
s_schedule (void)
{
    int64_t t = ddc_client_timeout_ms (s.client);
    if (t >= S_TIMER_MS)
        return;
    if (t < 1)
        t = 1;
    u_int64_t at = kore_time_ms () + (u_int64_t) t;
    if (s.due && s.due->nextrun <= at)
        return;
    if (s.due)
        kore_timer_remove (s.due);
    s.due = kore_timer_add (s_due, (u_int64_t) t, NULL, KORE_TIMER_ONESHOT);
}

static void
s_handle (void *arg, int error)
{
    (void) arg;
    (void) error;
    if (s.client)
        s_run ();
}

static void
s_timer (void *arg, u_int64_t now)
{
    (void) arg;
    (void) now;
    if (!s.client)
        return;
    s_run ();
    s_poll_status ();
    if (s.trim_at && ddc_mono_ms () >= s.trim_at)
        s_trim ();
    if (s.hooks.tick)
        s.hooks.tick (s.hooks.arg);
    ddc_heap_trim (ddc_mono_ms ());
    if (ddc_pages_after_start (ddc_mono_ms ()))
        kore_msg_send (KORE_MSG_PARENT, WEB_MSG_PAGES, NULL, 0);
}

static int
s_register (s_fd_t *f, zsock_t *sock)
{
    f->fd = zsock_fd (sock);
    if (f->fd < 0)
        return -1;
    f->evt.type = 100; //  above Kore's own KORE_TYPE_*
    f->evt.flags = 0;
    f->evt.handle = s_handle;
    kore_platform_event_schedule (f->fd, EPOLLIN | EPOLLET, 0, f);
    return 0;
}

int
bridge_start (const opts_t *o, const bridge_hooks_t *hooks)
{
    assert (o);
    assert (hooks);
    s.hooks = *hooks;
    s.opts = o;
    static const char *const sections [] = { "bot",    "containers", "channels", "admins",
                                             "spam",   "tasks",      "watchdog", "web",
                                             "docker", "alerts",     NULL };
    ddc_client_opts_t co = {
        .broker = o->broker,
        .role = "web",
        .instance = o->instance [0] ? o->instance : NULL,
        .sections = sections,
        .cert_path = o->cert [0] ? o->cert : NULL,
        .broker_cert_path = o->broker_cert [0] ? o->broker_cert : NULL,
        .on_apply = s_on_apply,
        .on_event = s_on_event,
        .on_status = s_on_status,
        .on_metrics = s_on_metrics,
    };
    s.client = ddc_client_new (&co);
    if (!s.client)
        return -1;
    if (ddc_client_follow_status (s.client, "") < 0) {
        ddc_client_destroy (&s.client);
        return -1;
    }
    if (s_register (&s.ctl, ddc_client_ctl_sock (s.client)) < 0
        || s_register (&s.sub, ddc_client_sub_sock (s.client)) < 0) {
        ddc_client_destroy (&s.client);
        return -1;
    }
    s.timer = kore_timer_add (s_timer, S_TIMER_MS, NULL, 0);
    bridge_kick ();
    return 0;
}

void
bridge_stop (void)
{
    if (!s.client)
        return;
    if (s.timer)
        kore_timer_remove (s.timer);
    s.timer = NULL;
    if (s.due)
        kore_timer_remove (s.due);
    s.due = NULL;
    kore_platform_disable_read (s.ctl.fd);
    kore_platform_disable_read (s.sub.fd);
    ddc_client_destroy (&s.client);
    if (s.hooks.stopped)
        s.hooks.stopped (s.hooks.arg);
    cJSON_Delete (s.table);
    cJSON_Delete (s.changes);
    s.changes = NULL;
    s.table = NULL;
    for (size_t i = 0; i < BRIDGE_METRICS_PEERS; i++) {
        free (s.metrics [i].text);
        s.metrics [i].text = NULL;
        s.metrics [i].peer [0] = '\0';
    }
}

ddc_client_t *
bridge_client (void)
{
    return s.client;
}

void
bridge_kick (void)
{
    if (s.client) {
        ddc_client_handle (s.client);
        s_schedule ();
    }
}

const char *
bridge_refused (void)
{
    return s.client ? ddc_client_refused (s.client) : NULL;
}

bool
bridge_up (void)
{
    return s.client && ddc_client_connected (s.client) && ddc_client_synced (s.client);
}

uint64_t
bridge_rev (void)
{
    return s.client ? ddc_client_rev (s.client) : 0;
}

const cJSON *
bridge_section (const char *name, uint64_t *rev_p)
{
    if (!s.client) {
        if (rev_p)
            *rev_p = 0;
        return NULL;
    }
    return ddc_client_section (s.client, name, rev_p);
}

const char *
bridge_password_hash (void)
{
    if (s.saved_hash [0])
        return s.saved_hash;
    const char *h = cJSON_GetStringValue (
        cJSON_GetObjectItemCaseSensitive (bridge_section ("web", NULL), "password_hash"));
    return h ? h : "";
}

void
bridge_saved_password_hash (const char *hash, uint64_t rev)
{
    uint64_t current = 0;
    bridge_section ("web", &current);
    if (rev <= current)
        return; //  already published back
    ddc_strlcpy (s.saved_hash, hash, sizeof (s.saved_hash));
    s.saved_hash_rev = rev;
}

const char *
bridge_lang (void)
{
    return i18n_lang (cJSON_GetStringValue (
        cJSON_GetObjectItemCaseSensitive (bridge_section ("web", NULL), "ui_language")));
}

int64_t
bridge_idle_seconds (void)
{
    if (s.opts && s.opts->session_idle_s > 0)
        return s.opts->session_idle_s;
    const cJSON *m =
        cJSON_GetObjectItemCaseSensitive (bridge_section ("web", NULL), "session_idle_minutes");
    double v = cJSON_IsNumber (m) ? m->valuedouble : 30;
    if (v < 1)
        v = 1;
    if (v > 1440)
        v = 1440;
    return (int64_t) v * 60;
}

uint64_t
bridge_gen (void)
{
    return s.gen;
}

uint64_t
bridge_reports_gen (void)
{
    return s.reports_gen;
}

const cJSON *
bridge_table (void)
{
    return s.table;
}

int64_t
bridge_table_age_ms (void)
{
    return s.table ? ddc_mono_ms () - s.table_at : INT64_MAX;
}

bool
bridge_table_fresh (int64_t max_age_ms)
{
    //  the CTL connection's own events (ddc_client's socket monitor): a
    //  table is not trusted across a dropped connection
    bool link_up = s.client && ddc_client_link_up (s.client);
    int64_t age = bridge_table_age_ms ();
    if (age >= max_age_ms / 2 && bridge_up ())
        bridge_refresh_table ();
    return link_up && age <= max_age_ms;
}

//  Ask for the STATUS page at offset (the full reports of the docker
//  agents and the bots, which the pages show).
static void
s_status_page (uint64_t offset, bool rows_only)
{
    if (!s.client || s.status_busy)
        return;
    zmsg_t *msg = NULL;
    if (rows_only) {
        char req [40];
        ddc_req_id (req);
        msg = ddc_msg_buildv (DDC_STATUS, req, "0", "-", NULL);
    }
    else
        msg = bridge_status_request (offset);
    if (msg
        && ddc_client_request (s.client, &msg, S_STATUS_TIMEOUT, 1, s_on_peers,
                               rows_only ? &s.table : NULL)
               == 0) {
        s.status_busy = true;
        bridge_kick ();
    }
}

zmsg_t *
bridge_status_request (uint64_t offset)
{
    char req [40], soffset [24];
    ddc_req_id (req);
    snprintf (soffset, sizeof (soffset), "%" PRIu64, offset);
    return ddc_msg_buildv (DDC_STATUS, req, soffset, "docker@*,discord@*", NULL);
}

void
bridge_set_table (const cJSON *table)
{
    if (!cJSON_IsObject (table))
        return;
    //  The first page replaces the table; a later one adds its rows.
    const cJSON *offset = cJSON_GetObjectItemCaseSensitive (table, "offset");
    if (cJSON_IsNumber (offset) && offset->valuedouble > 0) {
        cJSON *rows = cJSON_GetObjectItemCaseSensitive (s.table, "peers");
        if (!cJSON_IsArray (rows))
            return;
        const cJSON *row;
        cJSON_ArrayForEach (row, cJSON_GetObjectItemCaseSensitive (table, "peers"))
            cJSON_AddItemToArray (rows, cJSON_Duplicate (row, true));
    }
    else {
        cJSON_Delete (s.table);
        s.table = cJSON_Duplicate (table, true);
    }
    view_table_compact (s.table);
    ddc_keys_share (s.table);
    s.table_at = s.full_at = ddc_mono_ms ();
    s_changed ();
    const cJSON *next = cJSON_GetObjectItemCaseSensitive (table, "next");
    if (cJSON_IsNumber (next)
        && next->valuedouble > (cJSON_IsNumber (offset) ? offset->valuedouble : 0))
        s_status_page ((uint64_t) next->valuedouble, false);
    else
        //  a table of many agents' reports came as megabytes of pages, parsed
        //  and copied: what was freed goes back to the system, not kept
        s_trim ();
}

void
bridge_refresh_table (void)
{
    s_status_page (0, false);
}
