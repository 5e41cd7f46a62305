/*  ddc-ctl audit: the broker's audit log (AUDIT/ENTRIES, proto/ddcp.md
    5.12), page after page, newest first: one line per entry, or the
    entries as JSON lines. */
#include "ctl.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char s_audit_usage [] =
    "usage: ddc-ctl audit [--actions|--config] [--since T] [--container NAME]\n"
    "                     [--host HOST] [--who TEXT] [--result ok|error|timeout]\n"
    "                     [--limit N] [--json]\n"
    "\n"
    "Reads the broker's audit log, newest first: every action the broker routed\n"
    "(who asked: the peer, and whom it says it acts for; what, on which host and\n"
    "container; the result and how long it took), every action a ddc-docker agent\n"
    "ran for a scheduled task, and every configuration change. One line each:\n"
    "  TIME  action  ACTION CONTAINER@HOST  RESULT  by PEER for ...\n"
    "  TIME  config  SECTION rev REV  by AUTHOR (PEER)  changed: FIELD, ...\n"
    "\n"
    "  --actions          actions only\n"
    "  --config           configuration changes only\n"
    "  --since T          from T on: an ISO-8601 UTC time (2026-11-27T08:00:00Z,\n"
    "                     2026-11-27) or an age (30m, 24h, 7d)\n"
    "  --container NAME   actions on that container\n"
    "  --host HOST        actions on that Docker host\n"
    "  --who TEXT         entries whose requester (peer), the person it acted for\n"
    "                     or a change's author holds TEXT (any case)\n"
    "  --result R         actions that ended ok, error or timeout (a configuration\n"
    "                     change counts as ok)\n"
    "  --limit N          at most N entries (default 50; 0: every one that matches)\n"
    "  --json             one JSON object a line, as the broker keeps it\n";

enum {
    OPT_ACTIONS = 2500,
    OPT_CONFIG,
    OPT_SINCE,
    OPT_CONTAINER,
    OPT_HOST,
    OPT_WHO,
    OPT_RESULT,
    OPT_LIMIT,
    OPT_JSON
};

typedef struct {
    ctl_t *ctl;
    const char *kind;
    const char *container, *host, *who, *result;
    char since [32];
    uint64_t limit;
    bool json;
} s_audit_args_t;

//  --since: an ISO-8601 time, or an age N[smhd] before now. 0/-1.
static int
s_since (const char *value, char out [32])
{
    int64_t ms;
    if (ddc_iso_parse (value, &ms) == 0) {
        ddc_iso_time (ms, out);
        return 0;
    }
    char *end = NULL;
    unsigned long long n = strtoull (value, &end, 10);
    if (end == value || !end [0] || end [1] || n > 100000ULL * 86400)
        return -1;
    int64_t unit = end [0] == 's'   ? 1000
                   : end [0] == 'm' ? 60000
                   : end [0] == 'h' ? 3600000
                   : end [0] == 'd' ? 86400000
                                    : 0;
    if (!unit)
        return -1;
    ddc_iso_time (ddc_wall_ms () - (int64_t) n * unit, out);
    return 0;
}

static int
s_audit_opt (void *arg, int opt, const char *value)
{
    s_audit_args_t *self = (s_audit_args_t *) arg;
    switch (opt) {
        case OPT_ACTIONS:
        case OPT_CONFIG:
            if (self->kind)
                return ctl_fail (self->ctl, CTL_EXIT_USAGE, "give --actions or --config, not both");
            self->kind = opt == OPT_ACTIONS ? "action" : "config";
            return 0;
        case OPT_SINCE:
            if (s_since (value, self->since) < 0)
                return ctl_fail (self->ctl, CTL_EXIT_USAGE,
                                 "--since takes an ISO-8601 UTC time "
                                 "(2026-11-27T08:00:00Z, 2026-11-27) or an age (30m, 24h, 7d), "
                                 "not '%s'",
                                 value);
            return 0;
        case OPT_CONTAINER:
        case OPT_HOST:
            if (!*value || strlen (value) > 128)
                return ctl_fail (self->ctl, CTL_EXIT_USAGE, "--%s takes a name of 1 to 128 bytes",
                                 opt == OPT_HOST ? "host" : "container");
            *(opt == OPT_HOST ? &self->host : &self->container) = value;
            return 0;
        case OPT_WHO:
            if (!*value || strlen (value) > 128)
                return ctl_fail (self->ctl, CTL_EXIT_USAGE, "--who takes a text of 1 to 128 bytes");
            self->who = value;
            return 0;
        case OPT_RESULT:
            if (strcmp (value, "ok") != 0 && strcmp (value, "error") != 0
                && strcmp (value, "timeout") != 0)
                return ctl_fail (self->ctl, CTL_EXIT_USAGE, "--result is ok, error or timeout");
            self->result = value;
            return 0;
        case OPT_LIMIT:
            if (ddc_parse_u64 (value, &self->limit) < 0)
                return ctl_fail (self->ctl, CTL_EXIT_USAGE, "--limit takes a number (0: no limit)");
            return 0;
        case OPT_JSON:
            self->json = true;
            return 0;
        default:
            return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
    }
}

static const char *
s_str (const cJSON *obj, const char *key, const char *def)
{
    const char *v = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
    return v ? v : def;
}

//  Whom the requester says it acts for, as words.
static void
s_print_for (const cJSON *claimed)
{
    if (!cJSON_IsObject (claimed))
        return;
    const char *user = s_str (claimed, "user", NULL), *id = s_str (claimed, "user_id", NULL);
    if (user || id) {
        printf (" for %s", user ? user : id);
        if (user && id)
            printf (" (%s)", id);
    }
    if (s_str (claimed, "task", NULL))
        printf (" task %s", s_str (claimed, "task", ""));
    if (s_str (claimed, "address", NULL))
        printf (" from %s", s_str (claimed, "address", ""));
    if (s_str (claimed, "channel_id", NULL))
        printf (" in channel %s", s_str (claimed, "channel_id", ""));
}

static void
s_print_line (const cJSON *e)
{
    const char *kind = s_str (e, "kind", "config");
    printf ("%s  %-6s  ", s_str (e, "time", "-"), kind);
    if (strcmp (kind, "action") == 0) {
        printf ("%s ", s_str (e, "action", "?"));
        if (s_str (e, "container", NULL))
            printf ("%s@", s_str (e, "container", ""));
        printf ("%s  %s", s_str (e, "host", "?"), s_str (e, "result", "?"));
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive (e, "duration_ms");
        printf (" (%.1f s", cJSON_IsNumber (ms) ? ms->valuedouble / 1000.0 : 0.0);
        if (s_str (e, "state", NULL))
            printf (", %s", s_str (e, "state", ""));
        if (s_str (e, "error", NULL))
            printf (", %s: %s", s_str (e, "error", ""), s_str (e, "message", ""));
        printf (")  by %s", s_str (e, "peer", "?"));
        s_print_for (cJSON_GetObjectItemCaseSensitive (e, "for"));
        if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (e, "reported")))
            printf (" (reported by the agent)");
        printf ("\n");
        return;
    }
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive (e, "rev");
    printf ("%s rev %.0f  by %s (%s)  changed: ", s_str (e, "section", "?"),
            cJSON_IsNumber (rev) ? rev->valuedouble : 0.0, s_str (e, "author", "?"),
            s_str (e, "peer", "?"));
    const cJSON *field;
    int n = 0;
    cJSON_ArrayForEach (field, cJSON_GetObjectItemCaseSensitive (e, "changed"))
        if (cJSON_IsString (field))
            printf ("%s%s", n++ ? ", " : "", field->valuestring);
    printf ("%s\n", n ? "" : "-");
}

int
cmd_audit (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "actions", no_argument, NULL, OPT_ACTIONS },
                                           { "config", no_argument, NULL, OPT_CONFIG },
                                           { "since", required_argument, NULL, OPT_SINCE },
                                           { "container", required_argument, NULL, OPT_CONTAINER },
                                           { "host", required_argument, NULL, OPT_HOST },
                                           { "who", required_argument, NULL, OPT_WHO },
                                           { "result", required_argument, NULL, OPT_RESULT },
                                           { "limit", required_argument, NULL, OPT_LIMIT },
                                           { "json", no_argument, NULL, OPT_JSON },
                                           { NULL, 0, NULL, 0 } };
    s_audit_args_t args = { .ctl = ctl, .limit = 50 };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_audit_opt, &args, s_audit_usage, &first);
    if (rc >= 0)
        return rc;
    if (first < argc)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "unexpected argument '%s'", argv [first]);
    if (args.kind && strcmp (args.kind, "config") == 0 && (args.container || args.host))
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "--container and --host select actions, not "
                         "configuration changes");
    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    uint64_t shown = 0;
    char *cursor = NULL;
    for (;;) {
        cJSON *query = cJSON_CreateObject ();
        if (args.kind)
            cJSON_AddStringToObject (query, "kind", args.kind);
        if (args.since [0])
            cJSON_AddStringToObject (query, "since", args.since);
        if (args.container)
            cJSON_AddStringToObject (query, "container", args.container);
        if (args.host)
            cJSON_AddStringToObject (query, "host", args.host);
        if (args.who)
            cJSON_AddStringToObject (query, "who", args.who);
        if (args.result)
            cJSON_AddStringToObject (query, "result", args.result);
        if (cursor)
            cJSON_AddStringToObject (query, "cursor", cursor);
        uint64_t left = args.limit ? args.limit - shown : 500;
        cJSON_AddNumberToObject (query, "limit", (double) (left < 500 ? left : 500));
        char *text = ddc_json_print (query);
        cJSON_Delete (query);
        char req [40];
        ddc_req_id (req);
        zmsg_t *msg = ddc_msg_buildv (DDC_AUDIT, req, text, NULL);
        free (text);
        ddc_msg_t *reply = ctl_call (ctl, client, &msg, &rc);
        if (!reply)
            break;
        if (reply->type != DDC_ENTRIES) {
            rc = ctl_unexpected (ctl, reply);
            ddc_msg_destroy (&reply);
            break;
        }
        const cJSON *page = reply->json [DDC_ENTRIES_BODY];
        const cJSON *e;
        cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive (page, "entries")) {
            if (args.limit && shown >= args.limit)
                break;
            if (args.json) {
                char *line = ddc_json_print (e);
                printf ("%s\n", line);
                free (line);
            }
            else
                s_print_line (e);
            shown++;
        }
        if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (page, "gone")))
            fprintf (stderr, "%s audit: the log was rotated meanwhile; older entries are gone\n",
                     CTL_PROG);
        const char *next = s_str (page, "next", NULL);
        free (cursor);
        cursor = next ? ddc_strdup (next) : NULL;
        ddc_msg_destroy (&reply);
        if (!cursor || (args.limit && shown >= args.limit))
            break;
    }
    free (cursor);
    if (fflush (stdout) != 0 && rc == CTL_EXIT_OK)
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write the output");
    ddc_client_destroy (&client);
    return rc;
}
