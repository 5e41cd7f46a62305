/*  ddc-ctl containers and action: the Docker agents (ddc-docker, peers
    docker@HOST) as seen through the broker. `containers` reads the
    "status" and "inventory" topics they report (STATUS/PEERS); `action`
    sends one ACTION to docker@HOST and prints its RESULT. */
#include "ctl.h"
#include "ddc_config.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_JSON = 2400, OPT_LINES };

static const char *
s_str (const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    return cJSON_IsString (item) ? item->valuestring : dflt;
}

//  ---- containers ----------------------------------------------------------

static const char s_containers_usage [] =
    "usage: ddc-ctl containers [HOST] [--json]\n"
    "\n"
    "Shows the containers of every ddc-docker agent the broker knows (or of\n"
    "HOST only), from the status they report: first the containers configured\n"
    "for that host, as NAME STATE HEALTH UPTIME CPU MEM, then the other\n"
    "containers Docker has there (NAME STATE IMAGE STATUS). Agents that share\n"
    "one Docker engine each list all of its containers: each is shown once (by\n"
    "its Docker id), under the host that configures it, or else the first host\n"
    "that lists it. Values are as of the agent's last report. --json prints {\"HOST\": "
    "{\"connected\": ...,\n"
    "\"status\": ..., \"inventory\": ...}}. Exit 1 when HOST has no agent.\n";

typedef struct {
    ctl_t *ctl;
    bool json;
    long lines;
} s_args_t;

static int
s_opt (void *arg, int opt, const char *value)
{
    s_args_t *self = (s_args_t *) arg;
    if (opt == OPT_JSON) {
        self->json = true;
        return 0;
    }
    if (opt == OPT_LINES) {
        char *end = NULL;
        errno = 0;
        long n = strtol (value, &end, 10);
        if (errno || !end || *end || n < 1 || n > 1000)
            return ctl_fail (self->ctl, CTL_EXIT_USAGE,
                             "--lines wants a number from 1 to 1000, not '%s'", value);
        self->lines = n;
        return 0;
    }
    return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
}

//  "45s", "13m", "2h05m", "3d04h".
static void
s_uptime (double s, char *buf, size_t size)
{
    long long v = (long long) s;
    if (v < 60)
        snprintf (buf, size, "%llds", v);
    else if (v < 3600)
        snprintf (buf, size, "%lldm%02llds", v / 60, v % 60);
    else if (v < 86400)
        snprintf (buf, size, "%lldh%02lldm", v / 3600, v / 60 % 60);
    else
        snprintf (buf, size, "%lldd%02lldh", v / 86400, v / 3600 % 24);
}

static void
s_bytes (double b, char *buf, size_t size)
{
    if (b < 1024)
        snprintf (buf, size, "%.0f B", b);
    else if (b < 1024.0 * 1024)
        snprintf (buf, size, "%.1f KiB", b / 1024);
    else if (b < 1024.0 * 1024 * 1024)
        snprintf (buf, size, "%.1f MiB", b / 1024 / 1024);
    else
        snprintf (buf, size, "%.2f GiB", b / 1024 / 1024 / 1024);
}

#define S_MAX_COLS 6

//  A table: rows of up to S_MAX_COLS owned strings, printed aligned.
typedef struct {
    int cols;
    size_t rows, cap;
    char *(*cell) [S_MAX_COLS];
} s_table_t;

static void
s_table_add (s_table_t *t, const char *const values [])
{
    if (t->rows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cell = ddc_realloc (t->cell, t->cap * sizeof (*t->cell));
    }
    for (int c = 0; c < t->cols; c++)
        t->cell [t->rows][c] = ddc_strdup (values [c] ? values [c] : "-");
    t->rows++;
}

static void
s_table_free (s_table_t *t)
{
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < t->cols; c++)
            free (t->cell [r][c]);
    free (t->cell);
    t->cell = NULL;
    t->rows = t->cap = 0;
}

static void
s_table_print (s_table_t *t, const char *indent)
{
    size_t width [S_MAX_COLS] = { 0 };
    for (size_t r = 0; r < t->rows; r++)
        for (int c = 0; c < t->cols; c++)
            if (strlen (t->cell [r][c]) > width [c])
                width [c] = strlen (t->cell [r][c]);
    for (size_t r = 0; r < t->rows; r++) {
        fputs (indent, stdout);
        for (int c = 0; c < t->cols; c++) {
            if (c < t->cols - 1)
                printf ("%-*s  ", (int) width [c], t->cell [r][c]);
            else
                printf ("%s\n", t->cell [r][c]);
            free (t->cell [r][c]);
        }
    }
    free (t->cell);
    t->cell = NULL;
    t->rows = t->cap = 0;
}

//  Which containers the hosts list, by Docker id, so that agents sharing
//  one Docker engine (each sees all of its containers) show each once: the
//  ones a host configures under that host, the others under the first host
//  that lists them (or under HOST when only HOST is shown).
typedef struct {
    zhashx_t *configured; //  ids configured on some host
    zhashx_t *listed;     //  ids shown as another container already
    bool only;
} s_ids_t;

static void
s_ids_collect (s_ids_t *ids, const cJSON *peers)
{
    const cJSON *peer;
    cJSON_ArrayForEach (peer, peers) {
        const cJSON *topics = cJSON_GetObjectItemCaseSensitive (peer, "status");
        const cJSON *mine =
            cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (topics, "status"),
                                              "containers");
        const cJSON *item;
        cJSON_ArrayForEach (item, cJSON_GetObjectItemCaseSensitive (
                                      cJSON_GetObjectItemCaseSensitive (topics, "inventory"),
                                      "containers")) {
            const char *name = s_str (item, "name", NULL), *id = s_str (item, "id", NULL);
            if (name && id && *id && cJSON_GetObjectItemCaseSensitive (mine, name))
                zhashx_update (ids->configured, id, (void *) 1);
        }
    }
}

//  Whether an inventory entry shows under this host as another container.
static bool
s_ids_other (s_ids_t *ids, const char *id)
{
    if (!id || !*id)
        return true;
    if (zhashx_lookup (ids->configured, id) || (!ids->only && zhashx_lookup (ids->listed, id)))
        return false;
    zhashx_update (ids->listed, id, (void *) 1);
    return true;
}

static void
s_print_host (const char *host, const cJSON *peer, s_ids_t *ids)
{
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive (peer, "status");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive (topics, "status");
    const cJSON *inventory = cJSON_GetObjectItemCaseSensitive (topics, "inventory");
    bool connected = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (peer, "connected"));
    const cJSON *docker = cJSON_GetObjectItemCaseSensitive (status, "docker");
    printf ("%s  (docker@%s, %s", host, host, connected ? "connected" : "DISCONNECTED");
    if (cJSON_IsObject (docker)) {
        if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (docker, "reachable")))
            printf (", Docker %s API %s", s_str (docker, "version", "?"),
                    s_str (docker, "api", "?"));
        else
            printf (", Docker UNREACHABLE: %s", s_str (docker, "error", "?"));
    }
    printf (", reported %s)\n", s_str (status, "time", "never"));
    if (!cJSON_IsObject (status)) {
        printf ("  (no status reported yet)\n");
        return;
    }
    s_table_t t = { .cols = 6 };
    const char *head [] = { "NAME", "STATE", "HEALTH", "UPTIME", "CPU", "MEM" };
    s_table_add (&t, head);
    const cJSON *containers = cJSON_GetObjectItemCaseSensitive (status, "containers");
    for (const cJSON *c = containers ? containers->child : NULL; c; c = c->next) {
        char uptime [32] = "-", cpu [32] = "-", mem [32] = "-", state [160];
        const cJSON *up = cJSON_GetObjectItemCaseSensitive (c, "uptime_s");
        if (cJSON_IsNumber (up))
            s_uptime (up->valuedouble, uptime, sizeof (uptime));
        const cJSON *jcpu = cJSON_GetObjectItemCaseSensitive (c, "cpu_percent");
        if (cJSON_IsNumber (jcpu))
            snprintf (cpu, sizeof (cpu), "%.1f%%", jcpu->valuedouble);
        const cJSON *jmem = cJSON_GetObjectItemCaseSensitive (c, "mem_bytes");
        if (cJSON_IsNumber (jmem))
            s_bytes (jmem->valuedouble, mem, sizeof (mem));
        //  "unknown (Docker unreachable since T)" while the agent cannot tell
        const char *reason = s_str (c, "reason", NULL);
        snprintf (state, sizeof (state), "%s%s%s%s%s", s_str (c, "state", "?"), reason ? " (" : "",
                  reason ? reason : "", reason ? ")" : "",
                  cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (c, "active")) ? " (inactive)"
                                                                                 : "");
        const char *row [] = { c->string, state, s_str (c, "health", "-"), uptime, cpu, mem };
        s_table_add (&t, row);
    }
    if (t.rows == 1) {
        printf ("  (no containers configured for %s)\n", host);
        s_table_free (&t);
    }
    else
        s_table_print (&t, "  ");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive (inventory, "containers");
    s_table_t o = { .cols = 4 };
    const char *ohead [] = { "NAME", "STATE", "IMAGE", "STATUS" };
    s_table_add (&o, ohead);
    const cJSON *item;
    size_t elsewhere = 0;
    cJSON_ArrayForEach (item, list) {
        const char *name = s_str (item, "name", NULL);
        if (!name || cJSON_GetObjectItemCaseSensitive (containers, name))
            continue;
        if (!s_ids_other (ids, s_str (item, "id", NULL))) {
            elsewhere++;
            continue;
        }
        const char *row [] = { name, s_str (item, "state", "?"), s_str (item, "image", "?"),
                               s_str (item, "status", "") };
        s_table_add (&o, row);
    }
    if (o.rows > 1) {
        printf ("  other containers on %s:\n", host);
        s_table_print (&o, "    ");
    }
    else
        s_table_free (&o);
    if (elsewhere)
        printf ("  (%zu more shown under another host: its Docker engine is this one)\n", elsewhere);
}

int
cmd_containers (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "json", no_argument, NULL, OPT_JSON },
                                           { NULL, 0, NULL, 0 } };
    s_args_t args = { .ctl = ctl };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_opt, &args, s_containers_usage, &first);
    if (rc >= 0)
        return rc;
    if (argc - first > 1)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "takes at most one HOST ('%s' is extra)",
                         argv [first + 1]);
    const char *only = first < argc ? argv [first] : NULL;
    if (only && !ddc_config_name_ok (only, DDC_HOST_NAME_MAX))
        return ctl_fail (ctl, CTL_EXIT_USAGE, "'%s' is not a host name", only);

    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    cJSON *table = ctl_status (ctl, client, "docker@*", &rc);
    if (table) {
        const cJSON *peers = cJSON_GetObjectItemCaseSensitive (table, "peers");
        cJSON *out = cJSON_CreateObject ();
        int found = 0;
        s_ids_t ids = { zhashx_new (), zhashx_new (), only != NULL };
        if (!args.json)
            s_ids_collect (&ids, peers);
        const cJSON *peer;
        cJSON_ArrayForEach (peer, peers) {
            const char *name = s_str (peer, "name", "");
            if (strncmp (name, "docker@", 7) != 0)
                continue;
            const char *host = name + 7;
            if (only && strcmp (host, only) != 0)
                continue;
            found++;
            if (args.json) {
                const cJSON *topics = cJSON_GetObjectItemCaseSensitive (peer, "status");
                cJSON *h = cJSON_CreateObject ();
                cJSON_AddBoolToObject (h, "connected",
                                       cJSON_IsTrue (
                                           cJSON_GetObjectItemCaseSensitive (peer, "connected")));
                const char *keys [] = { "status", "inventory" };
                for (int k = 0; k < 2; k++) {
                    const cJSON *v = cJSON_GetObjectItemCaseSensitive (topics, keys [k]);
                    cJSON_AddItemToObject (h, keys [k],
                                           v ? cJSON_Duplicate (v, 1) : cJSON_CreateNull ());
                }
                cJSON_AddItemToObject (out, host, h);
            }
            else {
                if (found > 1)
                    printf ("\n");
                s_print_host (host, peer, &ids);
            }
        }
        if (only && !found)
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "no ddc-docker for host %s is known to the broker",
                           only);
        else if (args.json) {
            if (ctl_json_out (ctl, stdout, out) < 0)
                rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write the output");
        }
        else if (!found)
            printf ("(no ddc-docker agent has connected to this broker)\n");
        cJSON_Delete (out);
        zhashx_destroy (&ids.configured);
        zhashx_destroy (&ids.listed);
    }
    cJSON_Delete (table);
    ddc_client_destroy (&client);
    return rc;
}

//  ---- action --------------------------------------------------------------

static const char s_action_usage [] =
    "usage: ddc-ctl action HOST/NAME ACTION [--lines N] [--timeout S]\n"
    "\n"
    "Asks the ddc-docker agent of HOST (peer docker@HOST) to run ACTION on its\n"
    "container NAME and prints the result as JSON (for logs: the log text).\n"
    "ACTION is start, stop, restart, logs or status. The agent checks the live\n"
    "configuration: NAME must be configured for HOST, active, and ACTION in its\n"
    "allowed_actions. Actions on one container run one after the other.\n"
    "\n"
    "  --lines N     logs: how many of the last lines (1..1000, default 50); the\n"
    "                newest that fit 256 KiB when they are longer (said on stderr)\n"
    "  --timeout S   how long to wait for the result (default: the docker\n"
    "                section's stop_timeout_seconds + 40, or 60 when unknown)\n"
    "\n"
    "Exit 0 when done, 1 when refused, failed or timed out (reason on stderr),\n"
    "2 on usage errors, 5 when the broker is unreachable.\n";

//  Reads the docker section: it checks that the broker answers (exit 5
//  otherwise) and gives the action timeout when --timeout was not given,
//  stop_timeout_seconds + 40 s (60 s when unknown). Returns -1 with *rc set
//  when the broker does not answer.
static int64_t
s_action_timeout (ctl_t *ctl, ddc_client_t *client, int *rc)
{
    char req [40];
    ddc_req_id (req);
    zmsg_t *msg = ddc_msg_buildv (DDC_SNAPSHOT, req, "docker", NULL);
    ddc_msg_t *reply = ctl_call (ctl, client, &msg, rc);
    if (!reply)
        return -1;
    int64_t timeout = 60000;
    if (reply->type == DDC_STATE) {
        const cJSON *sections =
            cJSON_GetObjectItemCaseSensitive (reply->json [DDC_STATE_BODY], "sections");
        const cJSON *docker = cJSON_GetObjectItemCaseSensitive (sections, "docker");
        const cJSON *stop = cJSON_GetObjectItemCaseSensitive (docker, "stop_timeout_seconds");
        if (cJSON_IsNumber (stop) && stop->valuedouble >= 0 && stop->valuedouble <= 3600)
            timeout = (int64_t) (stop->valuedouble + 40) * 1000;
    }
    ddc_msg_destroy (&reply);
    return timeout;
}

int
cmd_action (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "lines", required_argument, NULL, OPT_LINES },
                                           { NULL, 0, NULL, 0 } };
    s_args_t args = { .ctl = ctl };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_opt, &args, s_action_usage, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 2)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "wants HOST/NAME and ACTION (see %s action --help)",
                         CTL_PROG);
    const char *target = argv [first];
    const char *action = argv [first + 1];
    const char *slash = strchr (target, '/');
    char host [64];
    if (!slash || (size_t) (slash - target) >= sizeof (host))
        return ctl_fail (ctl, CTL_EXIT_USAGE, "'%s' is not HOST/NAME", target);
    memcpy (host, target, (size_t) (slash - target));
    host [slash - target] = '\0';
    const char *name = slash + 1;
    if (!ddc_config_name_ok (host, DDC_HOST_NAME_MAX)
        || !ddc_config_name_ok (name, DDC_CONTAINER_NAME_MAX))
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "'%s' is not HOST/NAME (host and container names "
                         "are letters, digits, '.', '_' and '-')",
                         target);
    static const char *const actions [] = { "start", "stop", "restart", "logs", "status", NULL };
    bool known = false;
    for (const char *const *a = actions; *a; a++)
        known = known || strcmp (*a, action) == 0;
    if (!known)
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "unknown action '%s' (start, stop, restart, logs, "
                         "status)",
                         action);
    if (args.lines && strcmp (action, "logs") != 0)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "--lines is for logs only");

    //  --timeout is the action's own wait here; reaching the broker gets at
    //  most 5 s of it.
    int64_t given = ctl->timeout_set ? ctl->timeout_ms : 0;
    if (ctl->timeout_ms > 5000)
        ctl->timeout_ms = 5000;
    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    int64_t action_timeout = s_action_timeout (ctl, client, &rc);
    if (action_timeout < 0) {
        ddc_client_destroy (&client);
        return rc;
    }
    if (given)
        action_timeout = given;
    if (action_timeout > 120000)
        action_timeout = 120000; //  the broker's bound

    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "action", action);
    cJSON_AddStringToObject (body, "container", name);
    if (strcmp (action, "logs") == 0)
        cJSON_AddNumberToObject (body, "lines", args.lines ? (double) args.lines : 50);
    cJSON_AddStringToObject (body, "by", ctl->author);
    //  whom this peer acts for, for the broker's audit log (proto/ddcp.md 5.7)
    cJSON_AddStringToObject (cJSON_AddObjectToObject (body, "for"), "user", ctl->author);
    char *text = ddc_json_print (body);
    cJSON_Delete (body);
    char peer [80], timeout [24], req [40];
    snprintf (peer, sizeof (peer), "docker@%s", host);
    snprintf (timeout, sizeof (timeout), "%lld", (long long) action_timeout);
    ddc_req_id (req);
    zmsg_t *msg = ddc_msg_buildv (DDC_ACTION, req, peer, timeout, text, NULL);
    free (text);
    //  The broker answers ERROR 408 at the timeout: wait a little longer.
    ctl->timeout_ms = action_timeout + 3000;
    ddc_msg_t *reply = ctl_call (ctl, client, &msg, &rc);
    if (!reply)
        ;
    else if (reply->type == DDC_RESULT) {
        const cJSON *result = reply->json [DDC_RESULT_BODY];
        bool ok = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "ok"));
        const char *logs = s_str (result, "logs", NULL);
        if (ok && logs && strcmp (action, "logs") == 0) {
            fputs (logs, stdout);
            if (*logs && logs [strlen (logs) - 1] != '\n')
                fputc ('\n', stdout);
            //  Cut to the newest lines that fit: said on stderr.
            if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "cut")))
                fprintf (stderr, "%s: logs %s\n", CTL_PROG, s_str (result, "note", "cut"));
        }
        else if (ctl_json_out (ctl, stdout, result) < 0)
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write the output");
        if (!ok)
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s: %s", s_str (result, "error", "failed"),
                           s_str (result, "message", "no reason given"));
    }
    else if (reply->type == DDC_ERROR && reply->u64 [DDC_ERROR_CODE] == 404)
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "no connected ddc-docker for host %s", host);
    else if (reply->type == DDC_ERROR && reply->u64 [DDC_ERROR_CODE] == 408)
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "timeout: %s did not answer within %g s", peer,
                       (double) action_timeout / 1000.0);
    else
        rc = ctl_unexpected (ctl, reply);
    ddc_msg_destroy (&reply);
    ddc_client_destroy (&client);
    return rc;
}
