/*  ddc-ctl watch: follows sections through ddc_client (as a subscriber,
    role "monitor", or the --cert's role) and prints one JSON line per
    applied section revision. Owns the "initial" marking and --count. */
#include "ctl.h"
#include "ddc_config.h"
#include "ddc_util.h"

#include <string.h>

static const char s_watch_usage [] =
    "usage: ddc-ctl watch [-n|--count N] [SECTION...]\n"
    "\n"
    "Follows the sections (all when none is given) and prints one JSON line per\n"
    "section revision as it is applied:\n"
    "  {\"rev\": N, \"section\": \"bot\", \"author\": \"alice\",\n"
    "   \"time\": \"2026-11-27T08:39:37Z\", \"value\": ...}\n"
    "author and time are those of the change; they are null for a revision that\n"
    "came in a snapshot rather than as a change (the initial lines, or after a\n"
    "missed change was repaired).\n"
    "The state at start comes first, as lines marked \"initial\": true. Secrets\n"
    "are shown as \"***\". With --count N, exits after N changes (the initial\n"
    "lines do not count; --count 0 prints the initial state and exits), else on\n"
    "SIGINT or SIGTERM. Exit 5 when the broker does not answer within --timeout\n"
    "at start, 6 when it refuses the certificate; later outages are waited out.\n";

enum { OPT_COUNT = 2100 };

typedef struct {
    ctl_t *ctl;
    ddc_client_t *client;
    bool synced;   //  the initial snapshot has been applied
    bool done;     //  --count reached or output failed
    int64_t count; //  changes to print; -1 = no limit
    int64_t seen;  //  changes printed so far
    int rc;
    char epoch [24];                   //  epoch of last_rev
    uint64_t last_rev [DDC_SEC_COUNT]; //  per section
} s_watch_t;

static int
s_on_apply (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
            cJSON *errors)
{
    (void) from_cache;
    (void) errors;
    s_watch_t *self = (s_watch_t *) arg;
    if (self->done)
        return 0;
    //  Print each section revision once (a resync may apply it again).
    const char *epoch = self->client ? ddc_client_epoch (self->client) : NULL;
    if (epoch && strcmp (epoch, self->epoch) != 0) {
        ddc_strlcpy (self->epoch, epoch, sizeof (self->epoch));
        memset (self->last_rev, 0, sizeof (self->last_rev));
    }
    int idx = ddc_section_from_name (section);
    if (idx >= 0) {
        if (rev != 0 && rev <= self->last_rev [idx])
            return 0;
        self->last_rev [idx] = rev;
    }
    cJSON *line = cJSON_CreateObject ();
    cJSON_AddNumberToObject (line, "rev", (double) rev);
    cJSON_AddStringToObject (line, "section", section);
    //  Who made the change and when: the UPDATE's props; a revision that
    //  came in a snapshot (the initial lines, a repaired gap) has none.
    const cJSON *props = self->client ? ddc_client_update_props (self->client) : NULL;
    static const char *const keys [] = { "author", "time" };
    for (size_t i = 0; i < sizeof (keys) / sizeof (keys [0]); i++) {
        const char *text = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (props, keys [i]));
        if (text)
            cJSON_AddStringToObject (line, keys [i], text);
        else
            cJSON_AddNullToObject (line, keys [i]);
    }
    cJSON *copy = value ? cJSON_Duplicate (value, true) : cJSON_CreateNull ();
    ctl_redact (section, copy);
    cJSON_AddItemToObject (line, "value", copy);
    if (!self->synced)
        cJSON_AddTrueToObject (line, "initial");
    char *text = ctl_json_text (line, true);
    cJSON_Delete (line);
    bool ok = fprintf (stdout, "%s\n", text) >= 0 && fflush (stdout) == 0;
    free (text);
    if (!ok) {
        self->rc = ctl_fail (self->ctl, CTL_EXIT_FAIL, "cannot write the output");
        self->done = true;
    }
    else if (self->synced && self->count >= 0 && ++self->seen >= self->count)
        self->done = true;
    if (self->done && self->client)
        ddc_client_stop (self->client);
    return 0;
}

static void
s_on_event (void *arg, ddc_client_event_t event, const char *detail)
{
    s_watch_t *self = (s_watch_t *) arg;
    switch (event) {
        case DDC_EV_SYNCED:
            if (!self->synced) {
                self->synced = true;
                if (self->count == 0) {
                    self->done = true;
                    if (self->client)
                        ddc_client_stop (self->client);
                }
            }
            break;
        case DDC_EV_DISCONNECTED:
            if (self->synced)
                ctl_fail (self->ctl, 0, "%s, waiting for it",
                          detail && *detail ? detail : "broker unreachable");
            break;
        case DDC_EV_ERROR:
            ctl_fail (self->ctl, 0, "%s", detail ? detail : "error");
            break;
        default:
            break;
    }
}

static int
s_watch_opt (void *arg, int opt, const char *value)
{
    s_watch_t *self = (s_watch_t *) arg;
    uint64_t n;
    if (opt == OPT_COUNT) {
        if (ddc_parse_u64 (value, &n) < 0 || n > INT64_MAX)
            return ctl_fail (self->ctl, CTL_EXIT_USAGE, "--count wants a number, not '%s'", value);
        self->count = (int64_t) n;
        return 0;
    }
    return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
}

int
cmd_watch (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "count", required_argument, NULL, OPT_COUNT },
                                           { NULL, 0, NULL, 0 } };
    s_watch_t self = { .ctl = ctl, .count = -1 };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, "n:", opts, s_watch_opt, &self, s_watch_usage, &first);
    if (rc >= 0)
        return rc;
    const char *sections [DDC_SEC_COUNT + 1];
    int n = 0;
    for (int i = first; i < argc; i++) {
        if (!ctl_section_valid (argv [i]))
            return ctl_bad_section (ctl, argv [i]);
        bool dup = false;
        for (int k = 0; k < n; k++)
            dup = dup || strcmp (sections [k], argv [i]) == 0;
        if (!dup)
            sections [n++] = argv [i];
    }
    if (n == 0)
        for (int i = 0; i < DDC_SEC_COUNT; i++)
            sections [n++] = ddc_section_name ((ddc_section_t) i);
    sections [n] = NULL;

    ddc_client_t *client =
        ctl_connect (ctl, "monitor", sections, s_on_apply, s_on_event, &self, &rc);
    if (!client)
        return rc;
    self.client = client;

    //  At start: the broker must answer within --timeout.
    int64_t deadline = ddc_mono_ms () + ctl->timeout_ms;
    while (!self.synced && !self.done && !ddc_client_refused_final (client) && !zsys_interrupted) {
        int64_t left = deadline - ddc_mono_ms ();
        if (left <= 0)
            break;
        if (ddc_client_run (client, left < 100 ? left : 100) < 0)
            break;
    }
    if (!self.synced && !self.done && !zsys_interrupted)
        rc = ctl_no_answer (ctl, client, "snapshot");
    else {
        while (!self.done && !zsys_interrupted)
            if (ddc_client_run (client, 1000) < 0)
                break;
        rc = self.rc;
    }
    self.client = NULL;
    ddc_client_destroy (&client);
    return rc;
}
