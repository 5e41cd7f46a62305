/*  ddc-ctl monitor: the broker's peers table, then its events as they come
    (proto/ddcp.md section 6, mon/): peers that connect or go and the
    connections under them. Owns the event lines, the peers' state kept
    from the table and the events (for the summary after each peer event)
    and --count. */
#include "ctl.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <stdint.h>
#include <string.h>

static const char s_monitor_usage [] =
    "usage: ddc-ctl monitor [--json] [-n|--count N]\n"
    "\n"
    "Shows the broker and its peers (as ddc-ctl status does), then follows the\n"
    "broker's events as they come, one line each:\n"
    "  TIME  peer  docker@nas gone (quiet)\n"
    "  TIME  ctl   handshake_failed_auth 192.0.2.7:51234 on tcp://0.0.0.0:7700: ...\n"
    "peers that connect or go (hello, back, bye, quiet), followed by the peers\n"
    "connected and gone, and the connections of the broker's CTL and PUB\n"
    "sockets: accepted, handshake_succeeded, handshake_failed_auth (a\n"
    "certificate the broker does not know), handshake_failed_protocol (no CURVE,\n"
    "another server key, not ZeroMQ), handshake_failed, disconnected, with the\n"
    "peer's address and port or process, and \"suppressed\" for the events over\n"
    "the broker's rate (20 a second), counted. --json prints the table as one\n"
    "JSON line, then one line per event: {\"topic\": \"mon/...\", \"event\": {...}}.\n"
    "With --count N, exits after N events (0: the table only), else on SIGINT or\n"
    "SIGTERM. Exit 5 when the broker does not answer within --timeout at start;\n"
    "later outages are waited out.\n";

enum { OPT_JSON = 2300, OPT_COUNT };

#define S_PEERS_MAX 4096 //  peers whose state is kept
#define S_NAMES_SHOWN 8  //  names of each kind in a summary line

enum { S_CONNECTED = 1, S_TOOL = 2 }; //  a peer's flags, stored + 1

typedef struct {
    ctl_t *ctl;
    bool json;
    int64_t count; //  events to print; -1 = no limit
    int64_t seen;
    bool ready; //  the table is out: events are printed
    bool done;
    int rc;
    ddc_client_t *client;
    zhashx_t *peers; //  name -> flags + 1
    zlist_t *early;  //  events before the table: {topic, body}
} s_monitor_t;

static const char *
s_text (const cJSON *obj, const char *key, const char *dflt)
{
    const char *v = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
    return v ? v : dflt;
}

static void
s_peer_set (s_monitor_t *self, const char *name, const char *role, bool connected)
{
    if (zhashx_size (self->peers) >= S_PEERS_MAX && !zhashx_lookup (self->peers, name))
        return;
    intptr_t flags = (connected ? S_CONNECTED : 0) | (strcmp (role, "ctl") == 0 ? S_TOOL : 0);
    zhashx_update (self->peers, name, (void *) (flags + 1));
}

static int
s_by_name (const void *a, const void *b)
{
    return strcmp ((const char *) a, (const char *) b);
}

//  "peers  2 connected: a, b; 1 gone: c" (finished ddc-ctl runs left out).
static void
s_print_peers (s_monitor_t *self)
{
    zlistx_t *names = zhashx_keys (self->peers);
    zlistx_set_comparator (names, s_by_name);
    zlistx_sort (names);
    zchunk_t *up = zchunk_new (NULL, 128), *gone = zchunk_new (NULL, 128);
    int nup = 0, ngone = 0;
    for (const char *name = zlistx_first (names); name; name = zlistx_next (names)) {
        intptr_t flags = (intptr_t) zhashx_lookup (self->peers, name) - 1;
        bool connected = flags & S_CONNECTED;
        if (!connected && (flags & S_TOOL))
            continue;
        zchunk_t *into = connected ? up : gone;
        int n = connected ? ++nup : ++ngone;
        if (n <= S_NAMES_SHOWN) {
            if (n > 1)
                zchunk_extend (into, ", ", 2);
            zchunk_extend (into, name, strlen (name));
        }
    }
    printf ("peers  %d connected%s%.*s%s", nup, nup ? ": " : "", (int) zchunk_size (up),
            (const char *) zchunk_data (up), nup > S_NAMES_SHOWN ? ", ..." : "");
    printf ("; %d gone%s%.*s%s\n", ngone, ngone ? ": " : "", (int) zchunk_size (gone),
            (const char *) zchunk_data (gone), ngone > S_NAMES_SHOWN ? ", ..." : "");
    zchunk_destroy (&up);
    zchunk_destroy (&gone);
    zlistx_destroy (&names);
}

//  One event for people.
static void
s_print_event (s_monitor_t *self, const char *topic, const cJSON *body)
{
    const char *when = s_text (body, "time", "-");
    if (strncmp (topic, "mon/peer/", 9) == 0) {
        const char *name = s_text (body, "name", "?");
        bool connected = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (body, "connected"));
        s_peer_set (self, name, s_text (body, "role", ""), connected);
        printf ("%s  peer  %s %s (%s)\n", when, name, connected ? "connected" : "gone",
                s_text (body, "reason", "?"));
        s_print_peers (self);
        return;
    }
    if (strncmp (topic, "mon/zmq/", 8) == 0) {
        const char *sock = s_text (body, "socket", "?");
        const char *event = s_text (body, "event", "?");
        if (strcmp (event, "suppressed") == 0) {
            printf ("%s  %-4s  suppressed %.0f events since %s (", when, sock,
                    cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (body, "count")),
                    s_text (body, "since", "?"));
            const cJSON *e;
            bool first = true;
            cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive (body, "events")) {
                printf ("%s%s %.0f", first ? "" : ", ", e->string, cJSON_GetNumberValue (e));
                first = false;
            }
            printf (")\n");
            return;
        }
        const char *detail = s_text (body, "detail", NULL);
        printf ("%s  %-4s  %s %s on %s%s%s\n", when, sock, event, s_text (body, "address", "?"),
                s_text (body, "endpoint", "?"), detail ? ": " : "", detail ? detail : "");
        return;
    }
    //  a kind this version does not know
    char *text = ddc_json_print (body);
    printf ("%s  %s %s\n", when, topic, text ? text : "");
    free (text);
}

//  Print one event (JSON or for people); counts it against --count.
static void
s_emit (s_monitor_t *self, const char *topic, const cJSON *body)
{
    if (self->done)
        return;
    if (self->json) {
        cJSON *line = cJSON_CreateObject ();
        cJSON_AddStringToObject (line, "topic", topic);
        cJSON_AddItemToObject (line, "event", cJSON_Duplicate (body, true));
        char *text = ddc_json_print (line);
        cJSON_Delete (line);
        printf ("%s\n", text ? text : "{}");
        free (text);
    }
    else
        s_print_event (self, topic, body);
    if (fflush (stdout) != 0 || ferror (stdout)) {
        self->rc = ctl_fail (self->ctl, CTL_EXIT_FAIL, "cannot write the output");
        self->done = true;
    }
    else if (self->count >= 0 && ++self->seen >= self->count)
        self->done = true;
    if (self->done)
        ddc_client_stop (self->client);
}

static void
s_on_mon (void *arg, const char *topic, const cJSON *body)
{
    s_monitor_t *self = arg;
    if (self->ready) {
        s_emit (self, topic, body);
        return;
    }
    //  Before the table is out: kept (within reason) to follow it.
    if (zlist_size (self->early) < 1000) {
        cJSON *item = cJSON_CreateObject ();
        cJSON_AddStringToObject (item, "topic", topic);
        cJSON_AddItemToObject (item, "body", cJSON_Duplicate (body, true));
        zlist_append (self->early, item);
    }
}

static void
s_on_event (void *arg, ddc_client_event_t event, const char *detail)
{
    s_monitor_t *self = arg;
    if (event == DDC_EV_DISCONNECTED && self->ready)
        ctl_fail (self->ctl, 0, "broker unreachable, waiting for it%s%s",
                  detail && *detail ? ": " : "", detail ? detail : "");
    else if (event == DDC_EV_ERROR)
        ctl_fail (self->ctl, 0, "%s", detail ? detail : "error");
}

static int
s_monitor_opt (void *arg, int opt, const char *value)
{
    s_monitor_t *self = arg;
    uint64_t n;
    if (opt == OPT_JSON) {
        self->json = true;
        return 0;
    }
    if (opt == OPT_COUNT || opt == 'n') {
        if (ddc_parse_u64 (value, &n) < 0 || n > INT64_MAX)
            return ctl_fail (self->ctl, CTL_EXIT_USAGE, "--count wants a number, not '%s'", value);
        self->count = (int64_t) n;
        return 0;
    }
    return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
}

//  Wait for WELCOME and the first HUGZ (the subscription is in place, so
//  that no event between the table and the first line is lost).
static int
s_start (s_monitor_t *self)
{
    int64_t deadline = ddc_mono_ms () + self->ctl->timeout_ms;
    while (!ddc_client_subscribed (self->client) && !zsys_interrupted) {
        int64_t left = deadline - ddc_mono_ms ();
        if (left <= 0)
            break;
        if (ddc_client_run (self->client, left < 100 ? left : 100) < 0)
            break;
    }
    if (ddc_client_subscribed (self->client))
        return CTL_EXIT_OK;
    if (zsys_interrupted)
        return ctl_fail (self->ctl, CTL_EXIT_FAIL, "interrupted");
    if (!ddc_client_access (self->client))
        return ctl_fail (self->ctl, CTL_EXIT_UNREACHABLE,
                         "broker unreachable at %s (no answer "
                         "within %g s)",
                         ctl_endpoint (self->ctl), (double) self->ctl->timeout_ms / 1000.0);
    return ctl_fail (self->ctl, CTL_EXIT_UNREACHABLE,
                     "no events from the broker's PUB socket "
                     "within %g s",
                     (double) self->ctl->timeout_ms / 1000.0);
}

//  The table, and the peers' state from it.
static int
s_table (s_monitor_t *self)
{
    int rc;
    cJSON *table = ctl_status (self->ctl, self->client, "-", &rc);
    if (!table)
        return rc;
    const cJSON *peer;
    cJSON_ArrayForEach (peer, cJSON_GetObjectItemCaseSensitive (table, "peers"))
        s_peer_set (self, s_text (peer, "name", "?"), s_text (peer, "role", ""),
                    cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (peer, "connected")));
    if (self->json) {
        char *text = ddc_json_print (table);
        printf ("%s\n", text ? text : "{}");
        free (text);
    }
    else {
        ctl_print_status (table);
        printf ("-- the broker's events (mon/), as they come:\n");
    }
    cJSON_Delete (table);
    if (fflush (stdout) != 0)
        return ctl_fail (self->ctl, CTL_EXIT_FAIL, "cannot write the output");
    return CTL_EXIT_OK;
}

int
cmd_monitor (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "json", no_argument, NULL, OPT_JSON },
                                           { "count", required_argument, NULL, OPT_COUNT },
                                           { NULL, 0, NULL, 0 } };
    s_monitor_t self = { .ctl = ctl, .count = -1 };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, "n:", opts, s_monitor_opt, &self, s_monitor_usage, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "takes no argument ('%s')", argv [first]);

    self.client = ctl_connect_mon (ctl, s_on_mon, s_on_event, &self, &rc);
    if (!self.client)
        return rc;
    self.peers = zhashx_new ();
    self.early = zlist_new ();
    rc = s_start (&self);
    if (rc == CTL_EXIT_OK)
        rc = s_table (&self);
    if (rc == CTL_EXIT_OK) {
        self.ready = true;
        self.done = self.count == 0;
        for (cJSON *item = zlist_first (self.early); item; item = zlist_next (self.early))
            s_emit (&self, s_text (item, "topic", "mon/"),
                    cJSON_GetObjectItemCaseSensitive (item, "body"));
        while (!self.done && !zsys_interrupted)
            if (ddc_client_run (self.client, 1000) < 0)
                break;
        rc = self.rc;
    }
    ddc_client_destroy (&self.client);
    zhashx_destroy (&self.peers);
    for (cJSON *item = zlist_first (self.early); item; item = zlist_next (self.early))
        cJSON_Delete (item);
    zlist_destroy (&self.early);
    return rc;
}
