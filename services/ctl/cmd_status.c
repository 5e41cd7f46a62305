/*  ddc-ctl status and ping: the broker's peers table (STATUS/PEERS) as a
    human table or JSON, and a round-trip check (PING/PONG). */
#include "ctl.h"
#include "ddc_util.h"

#include <string.h>

//  ---- status --------------------------------------------------------------

static const char s_status_usage [] =
    "usage: ddc-ctl status [--json]\n"
    "\n"
    "Shows the broker (epoch, revision, uptime) and one row per peer it knows:\n"
    "its name and role, whether it is connected, when it was last heard from, the\n"
    "highest revision it applied, the last revision it rejected (section@rev and\n"
    "the first error) and the names of the status topics it reported; for a\n"
    "ddc-docker agent also whether its Docker engine is reachable, and for any\n"
    "service the last handshake the broker refused it (its \"link\" topic). Finished\n"
    "ddc-ctl runs (disconnected peers of role ctl) are left out of the table.\n"
    "Below it: the broker's longest loop step, an edit of config.json it refused\n"
    "(the file it was kept as and why) or migrated from an older schema, the\n"
    "watchdog (where it pings, its last check: healthy or why not, what was sent\n"
    "and the answer; the next check), and what\n"
    "it refused lately (handshakes, registrations, subscriptions): time, address,\n"
    "certificate, reason.\n"
    "--json prints the broker's table as it is (every page, with the full reports\n"
    "of the docker and discord peers).\n";

enum { OPT_JSON = 2200 };

typedef struct {
    ctl_t *ctl;
    bool json;
} s_status_args_t;

static int
s_status_opt (void *arg, int opt, const char *value)
{
    (void) value;
    s_status_args_t *self = (s_status_args_t *) arg;
    if (opt == OPT_JSON) {
        self->json = true;
        return 0;
    }
    return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
}

//  "812ms", "12.3s", "13m32s", "2h05m", "3d04h".
static void
s_duration (int64_t ms, char *buf, size_t size)
{
    if (ms < 0)
        ms = 0;
    int64_t s = ms / 1000;
    if (ms < 1000)
        snprintf (buf, size, "%lldms", (long long) ms);
    else if (s < 60)
        snprintf (buf, size, "%.1fs", (double) ms / 1000.0);
    else if (s < 3600)
        snprintf (buf, size, "%lldm%02llds", (long long) (s / 60), (long long) (s % 60));
    else if (s < 86400)
        snprintf (buf, size, "%lldh%02lldm", (long long) (s / 3600), (long long) (s / 60 % 60));
    else
        snprintf (buf, size, "%lldd%02lldh", (long long) (s / 86400), (long long) (s / 3600 % 24));
}

static const char *
s_str (const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    return cJSON_IsString (item) ? item->valuestring : dflt;
}

static double
s_num (const cJSON *obj, const char *key, double dflt)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    return cJSON_IsNumber (item) ? item->valuedouble : dflt;
}

//  What the broker says of config.json: a refused edit kept aside, a
//  migration, a last good copy it cannot write. Nothing when all is well.
static void
s_print_config (const cJSON *config)
{
    const cJSON *rej = cJSON_GetObjectItemCaseSensitive (config, "rejected");
    if (cJSON_IsObject (rej)) {
        double n = s_num (rej, "error_count", 0);
        printf ("config  %s of config.json was refused at %s: kept as %s (%.0f error%s); "
                "config.json holds revision %.0f\n",
                cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (rej, "at_start"))
                    ? "the file found at start"
                    : "a hand edit",
                s_str (rej, "time", "?"), s_str (rej, "file", "?"), n, n == 1 ? "" : "s",
                s_num (rej, "kept_rev", 0));
        const cJSON *e;
        cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive (rej, "errors")) {
            const char *field = s_str (e, "field", "");
            printf ("          %s%s%s\n", field, *field ? ": " : "", s_str (e, "message", ""));
        }
    }
    const cJSON *mig = cJSON_GetObjectItemCaseSensitive (config, "migrated");
    if (cJSON_IsObject (mig))
        printf ("config  migrated from schema %.0f to %.0f at %s; the original is kept as %s\n",
                s_num (mig, "from", 0), s_num (config, "schema", 0), s_str (mig, "time", "?"),
                s_str (mig, "original", "?"));
    if (cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (config, "last_good_written")))
        printf ("config  WARNING: %s cannot be written (see the broker's log)\n",
                s_str (config, "last_good", "the last good copy"));
}

//  The watchdog: off, or where it pings, its last check and the next.
static void
s_print_watchdog (const cJSON *wd)
{
    if (!cJSON_IsObject (wd))
        return;
    if (!cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (wd, "enabled"))) {
        printf ("watchdog  off\n");
        return;
    }
    const char *fail = s_str (wd, "fail_url", "");
    printf ("watchdog  every %.0f min to %s; when not healthy %s%s\n",
            s_num (wd, "interval_minutes", 0), s_str (wd, "url", "?"), *fail ? "to " : "nothing",
            fail);
    const cJSON *last = cJSON_GetObjectItemCaseSensitive (wd, "last");
    if (cJSON_IsObject (last)) {
        bool healthy = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (last, "healthy"));
        printf ("          last check %s: %s (%s): %s, %s\n", s_str (last, "time", "?"),
                healthy ? "healthy" : "NOT HEALTHY", s_str (last, "reason", ""),
                s_str (last, "outcome", "?"), s_str (last, "result", ""));
    }
    else
        printf ("          no check yet\n");
    if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (wd, "busy")))
        printf ("          a request is under way\n");
    printf ("          next check %s\n", s_str (wd, "next", "-"));
}

#define S_COLS 6

//  The lines of a peer's "link" report (ddc_client: the last handshake the
//  broker refused on each socket), or NULL. Caller frees.
static char *
s_link_lines (const cJSON *link)
{
    static const char *const sockets [] = { "ctl", "pub" };
    char *out = NULL;
    for (size_t i = 0; i < sizeof (sockets) / sizeof (sockets [0]); i++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive (link, sockets [i]);
        if (!cJSON_IsObject (o))
            continue;
        bool now = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (o, "refused"));
        char *line = ddc_asprintf ("%s    %s %s %s: %s\n", out ? out : "", i == 0 ? "CTL" : "PUB",
                                   now ? "refused since" : "accepted again, refused at",
                                   s_str (o, "time", "?"), s_str (o, "reason", "?"));
        free (out);
        out = line;
    }
    return out;
}

void
ctl_print_status (const cJSON *table)
{
    const cJSON *broker = cJSON_GetObjectItemCaseSensitive (table, "broker");
    char uptime [32];
    s_duration ((int64_t) s_num (broker, "uptime_s", 0) * 1000, uptime, sizeof (uptime));
    printf ("broker  epoch %s  rev %.0f  uptime %s  boot %s\n", s_str (broker, "epoch", "?"),
            s_num (broker, "rev", 0), uptime, s_str (broker, "boot", "?"));
    const cJSON *loop = cJSON_GetObjectItemCaseSensitive (broker, "loop");
    if (cJSON_IsObject (loop))
        printf ("        longest loop step %.1f ms (%s, %s), in CPU %.1f ms (%s, %s)\n",
                s_num (loop, "longest_ms", 0), s_str (loop, "longest_what", "-"),
                s_str (loop, "longest_at", "-"), s_num (loop, "longest_cpu_ms", 0),
                s_str (loop, "longest_cpu_what", "-"), s_str (loop, "longest_cpu_at", "-"));
    s_print_config (cJSON_GetObjectItemCaseSensitive (broker, "config"));
    s_print_watchdog (cJSON_GetObjectItemCaseSensitive (broker, "watchdog"));

    static const char *const head [S_COLS] = { "NAME",      "ROLE",        "CONNECTED",
                                               "LAST-SEEN", "APPLIED-REV", "REJECTED" };
    const cJSON *peers = cJSON_GetObjectItemCaseSensitive (table, "peers");
    int rows = cJSON_GetArraySize (peers);
    char *(*cell) [S_COLS] = ddc_calloc ((size_t) rows + 1, sizeof (*cell));
    char **topics = ddc_calloc ((size_t) rows + 1, sizeof (*topics));
    char **detail = ddc_calloc ((size_t) rows + 1, sizeof (*detail));
    char **link = ddc_calloc ((size_t) rows + 1, sizeof (*link));
    size_t width [S_COLS];
    for (int c = 0; c < S_COLS; c++) {
        cell [0][c] = ddc_strdup (head [c]);
        width [c] = strlen (head [c]);
    }
    topics [0] = NULL;
    int r = 1, hidden = 0;
    const cJSON *peer;
    cJSON_ArrayForEach (peer, peers) {
        //  Each ddc-ctl run is a peer of its own: leave out the finished
        //  ones, which would otherwise fill the table.
        if (strcmp (s_str (peer, "role", ""), "ctl") == 0
            && !cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (peer, "connected"))) {
            hidden++;
            continue;
        }
        char seen [32], applied [32];
        const cJSON *last = cJSON_GetObjectItemCaseSensitive (peer, "last_seen_ms");
        if (cJSON_IsNumber (last))
            s_duration ((int64_t) last->valuedouble, seen, sizeof (seen));
        else
            ddc_strlcpy (seen, "-", sizeof (seen));
        double arev = s_num (peer, "applied_rev", 0);
        if (arev > 0)
            snprintf (applied, sizeof (applied), "%.0f", arev);
        else
            ddc_strlcpy (applied, "-", sizeof (applied));
        const cJSON *connected = cJSON_GetObjectItemCaseSensitive (peer, "connected");
        cell [r][0] = ddc_strdup (s_str (peer, "name", "?"));
        cell [r][1] = ddc_strdup (s_str (peer, "role", "?"));
        cell [r][2] = ddc_strdup (cJSON_IsTrue (connected) ? "yes" : "no");
        cell [r][3] = ddc_strdup (seen);
        cell [r][4] = ddc_strdup (applied);
        const cJSON *rej = cJSON_GetObjectItemCaseSensitive (peer, "rejected");
        if (cJSON_IsObject (rej)) {
            const cJSON *errors = cJSON_GetObjectItemCaseSensitive (rej, "errors");
            const cJSON *err0 = cJSON_GetArrayItem (errors, 0);
            const char *field = s_str (err0, "field", "");
            const char *msg = s_str (err0, "message", s_str (err0, "reason", "rejected"));
            cell [r][5] = ddc_asprintf ("%s@%.0f: %s%s%s", s_str (rej, "section", "?"),
                                        s_num (rej, "rev", 0), field, *field ? ": " : "", msg);
        }
        else
            cell [r][5] = ddc_strdup ("-");
        topics [r] = NULL;
        const cJSON *status = cJSON_GetObjectItemCaseSensitive (peer, "status");
        const cJSON *reports = cJSON_GetObjectItemCaseSensitive (peer, "reports");
        if (cJSON_IsObject (reports) && reports->child) {
            zchunk_t *names = zchunk_new (NULL, 64);
            for (const cJSON *t = reports->child; t; t = t->next) {
                if (t != reports->child)
                    zchunk_extend (names, ", ", 2);
                zchunk_extend (names, t->string, strlen (t->string));
            }
            topics [r] = ddc_strndup ((const char *) zchunk_data (names), zchunk_size (names));
            zchunk_destroy (&names);
        }
        //  A ddc-docker agent reports its engine in the "status" topic.
        const cJSON *engine =
            cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (status, "status"),
                                              "docker");
        detail [r] = NULL;
        if (cJSON_IsObject (engine)) {
            if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (engine, "reachable")))
                detail [r] =
                    ddc_asprintf ("reachable (Docker %s, API %s)", s_str (engine, "version", "?"),
                                  s_str (engine, "api", "?"));
            else
                detail [r] = ddc_asprintf ("UNREACHABLE: %s", s_str (engine, "error", "?"));
        }
        //  ddc-discord reports its gateway in the "gateway" topic.
        const cJSON *gateway = cJSON_GetObjectItemCaseSensitive (status, "gateway");
        if (!detail [r] && cJSON_IsObject (gateway)) {
            const cJSON *error = cJSON_GetObjectItemCaseSensitive (gateway, "error");
            detail [r] = cJSON_IsString (error)
                             ? ddc_asprintf ("gateway %s: %s", s_str (gateway, "state", "?"),
                                             error->valuestring)
                             : ddc_asprintf ("gateway %s", s_str (gateway, "state", "?"));
        }
        //  Any service: its handshakes the broker refused ("link" topic).
        link [r] = s_link_lines (cJSON_GetObjectItemCaseSensitive (status, "link"));
        for (int c = 0; c < S_COLS; c++)
            if (strlen (cell [r][c]) > width [c])
                width [c] = strlen (cell [r][c]);
        r++;
    }
    for (int i = 0; i < r; i++) {
        for (int c = 0; c < S_COLS; c++) {
            if (c < S_COLS - 1)
                printf ("%-*s  ", (int) width [c], cell [i][c]);
            else
                printf ("%s\n", cell [i][c]);
            free (cell [i][c]);
        }
        if (topics [i])
            printf ("    status: %s\n", topics [i]);
        if (detail [i])
            printf ("    %s%s\n",
                    strncmp (detail [i], "gateway", 7) == 0 ? "" : "docker: ", detail [i]);
        if (link [i])
            fputs (link [i], stdout);
        free (topics [i]);
        free (detail [i]);
        free (link [i]);
    }
    free (cell);
    free (topics);
    free (detail);
    free (link);
    if (r == 1)
        printf ("(no peers)\n");
    if (hidden)
        printf ("(%d finished ddc-ctl run%s not shown; --json lists every peer)\n", hidden,
                hidden == 1 ? "" : "s");
    const cJSON *refused = cJSON_GetObjectItemCaseSensitive (broker, "refused");
    if (cJSON_GetArraySize (refused) > 0) {
        printf ("refused (newest first):\n");
        const cJSON *x;
        cJSON_ArrayForEach (x, refused) {
            double count = s_num (x, "count", 1);
            printf ("  %s  %s  %s  %s", s_str (x, "time", "?"),
                    *s_str (x, "address", "") ? s_str (x, "address", "") : "-",
                    *s_str (x, "certificate", "") ? s_str (x, "certificate", "") : "-",
                    s_str (x, "reason", "?"));
            if (count > 1)
                printf (" (%.0f times)", count);
            printf ("\n");
        }
    }
}

int
cmd_status (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "json", no_argument, NULL, OPT_JSON },
                                           { NULL, 0, NULL, 0 } };
    s_status_args_t args = { .ctl = ctl };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_status_opt, &args, s_status_usage, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "takes no argument ('%s')", argv [first]);

    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    cJSON *table = ctl_status (ctl, client, "docker@*,discord@*", &rc);
    if (table && args.json) {
        if (ctl_json_out (ctl, stdout, table) < 0)
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write the output");
    }
    else if (table)
        ctl_print_status (table);
    cJSON_Delete (table);
    ddc_client_destroy (&client);
    return rc;
}

//  ---- ping ----------------------------------------------------------------

static const char s_ping_usage [] =
    "usage: ddc-ctl ping\n"
    "\n"
    "Connects (HELLO), sends one PING and prints the broker's epoch and revision\n"
    "and the round trip: {\"epoch\": \"...\", \"rev\": N, \"rtt_us\": N}.\n"
    "Exit 5 when the broker does not answer within --timeout, 6 when it refuses\n"
    "the certificate.\n";

int
cmd_ping (ctl_t *ctl, int argc, char **argv)
{
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, NULL, NULL, NULL, s_ping_usage, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "takes no argument ('%s')", argv [first]);

    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    //  Say HELLO first, so that the round trip is the PING's alone.
    int64_t start = ddc_mono_ms ();
    while (!ddc_client_access (client) && !ddc_client_refused_final (client) && !zsys_interrupted) {
        int64_t left = start + ctl->timeout_ms - ddc_mono_ms ();
        if (left <= 0 || ddc_client_run (client, left < 20 ? left : 20) < 0)
            break;
    }
    int64_t spent = ddc_mono_ms () - start;
    ddc_msg_t *reply = NULL;
    if (!ddc_client_access (client)) {
        if (zsys_interrupted)
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "interrupted");
        else
            rc = ctl_no_answer (ctl, client, "answer");
    }
    else {
        char req [40];
        ddc_req_id (req);
        zmsg_t *msg = ddc_msg_buildv (DDC_PING, req, "0", NULL);
        int64_t saved = ctl->timeout_ms;
        ctl->timeout_ms = saved - spent > 1 ? saved - spent : 1;
        int64_t sent = ddc_mono_us ();
        reply = ctl_call (ctl, client, &msg, &rc);
        int64_t rtt = ddc_mono_us () - sent;
        ctl->timeout_ms = saved;
        if (reply && reply->type != DDC_PONG)
            rc = ctl_unexpected (ctl, reply);
        else if (reply) {
            cJSON *out = cJSON_CreateObject ();
            cJSON_AddStringToObject (out, "epoch", reply->frame [DDC_PONG_EPOCH]);
            cJSON_AddNumberToObject (out, "rev", (double) reply->u64 [DDC_PONG_REV]);
            cJSON_AddNumberToObject (out, "rtt_us", (double) rtt);
            char *text = ctl_json_text (out, true);
            printf ("%s\n", text);
            free (text);
            cJSON_Delete (out);
        }
    }
    ddc_msg_destroy (&reply);
    ddc_client_destroy (&client);
    return rc;
}

//  ---- health --------------------------------------------------------------

static const char s_health_usage [] =
    "usage: ddc-ctl health [ROLE@INSTANCE]\n"
    "\n"
    "A health check, e.g. a container's HEALTHCHECK. Connects as a read-only\n"
    "monitor (over CURVE: as the --cert's role) and asks for the peers table.\n"
    "Without an argument, exit 0 when the broker answers. With ROLE@INSTANCE\n"
    "(docker@nas, discord@main), exit 0 when the broker sees that peer connected\n"
    "and 1 when it is unknown or disconnected. Exit 5 when the broker does not\n"
    "answer within --timeout, 6 when it refuses the certificate.\n";

int
cmd_health (ctl_t *ctl, int argc, char **argv)
{
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, NULL, NULL, NULL, s_health_usage, &first);
    if (rc >= 0)
        return rc;
    if (argc - first > 1)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "takes at most one ROLE@INSTANCE");
    const char *name = first < argc ? argv [first] : NULL;
    if (name && !strchr (name, '@'))
        return ctl_fail (ctl, CTL_EXIT_USAGE, "'%s' is not ROLE@INSTANCE (e.g. docker@nas)", name);

    ddc_client_t *client = ctl_connect (ctl, "monitor", NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    cJSON *table = ctl_status (ctl, client, "-", &rc);
    if (table) {
        const cJSON *broker = cJSON_GetObjectItemCaseSensitive (table, "broker");
        char uptime [32];
        s_duration ((int64_t) s_num (broker, "uptime_s", 0) * 1000, uptime, sizeof (uptime));
        if (!name)
            printf ("broker: epoch %s, rev %.0f, up %s\n", s_str (broker, "epoch", "?"),
                    s_num (broker, "rev", 0), uptime);
        else {
            const cJSON *peer = NULL, *each;
            cJSON_ArrayForEach (each, cJSON_GetObjectItemCaseSensitive (table, "peers"))
                if (strcmp (s_str (each, "name", ""), name) == 0)
                    peer = each;
            const cJSON *last = cJSON_GetObjectItemCaseSensitive (peer, "last_seen_ms");
            char seen [32] = "?";
            if (cJSON_IsNumber (last))
                s_duration ((int64_t) last->valuedouble, seen, sizeof (seen));
            if (!peer)
                rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s is not known to the broker", name);
            else if (!cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (peer, "connected")))
                rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s is not connected (last seen %s ago)", name,
                               seen);
            else
                printf ("%s: connected, last seen %s ago, applied rev %.0f\n", name, seen,
                        s_num (peer, "applied_rev", 0));
        }
    }
    cJSON_Delete (table);
    ddc_client_destroy (&client);
    return rc;
}
