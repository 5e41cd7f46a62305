/*  ddc-ctl history: the broker's retained changes (HISTORY/CHANGES), one
    line per change or as JSON. */
#include "ctl.h"
#include "ddc_util.h"

#include <string.h>

static const char s_history_usage [] =
    "usage: ddc-ctl history [SECTION] [--rev REV] [--json]\n"
    "\n"
    "Lists the changes the broker keeps (the last 200, oldest first), of one\n"
    "section or of all, one per line:\n"
    "  REV  TIME  SECTION  AUTHOR  changed: FIELD, FIELD\n"
    "(at most 10 field names a change). --rev REV prints that one change with the\n"
    "value it saved (secrets as \"***\"). --json prints the entries as the broker\n"
    "sends them. `ddc-ctl rollback SECTION REV` brings an older value back.\n";

enum { OPT_JSON = 2300, OPT_REV };

typedef struct {
    ctl_t *ctl;
    bool json;
    const char *rev;
} s_history_args_t;

static int
s_history_opt (void *arg, int opt, const char *value)
{
    s_history_args_t *self = (s_history_args_t *) arg;
    if (opt == OPT_JSON) {
        self->json = true;
        return 0;
    }
    if (opt == OPT_REV) {
        uint64_t rev;
        if (ddc_parse_u64 (value, &rev) < 0 || rev == 0)
            return ctl_fail (self->ctl, CTL_EXIT_USAGE, "--rev takes a revision number");
        self->rev = value;
        return 0;
    }
    return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
}

static const char *
s_str (const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (obj, key);
    return cJSON_IsString (item) ? item->valuestring : "-";
}

static void
s_print_lines (const cJSON *entries)
{
    size_t wrev = 1, wtime = 1, wsec = 1, wauth = 1;
    const cJSON *e;
    cJSON_ArrayForEach (e, entries) {
        char rev [32];
        snprintf (rev, sizeof (rev), "%.0f",
                  cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (e, "rev")));
        if (strlen (rev) > wrev)
            wrev = strlen (rev);
        if (strlen (s_str (e, "time")) > wtime)
            wtime = strlen (s_str (e, "time"));
        if (strlen (s_str (e, "section")) > wsec)
            wsec = strlen (s_str (e, "section"));
        if (strlen (s_str (e, "author")) > wauth)
            wauth = strlen (s_str (e, "author"));
    }
    cJSON_ArrayForEach (e, entries) {
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive (e, "rev");
        printf ("%*.0f  %-*s  %-*s  %-*s  changed: ", (int) wrev,
                cJSON_IsNumber (rev) ? rev->valuedouble : 0.0, (int) wtime, s_str (e, "time"),
                (int) wsec, s_str (e, "section"), (int) wauth, s_str (e, "author"));
        const cJSON *changed = cJSON_GetObjectItemCaseSensitive (e, "changed");
        const cJSON *field;
        int n = 0;
        cJSON_ArrayForEach (field, changed)
            if (cJSON_IsString (field))
                printf ("%s%s", n++ ? ", " : "", field->valuestring);
        printf ("%s\n", n ? "" : "-");
    }
}

int
cmd_history (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "json", no_argument, NULL, OPT_JSON },
                                           { "rev", required_argument, NULL, OPT_REV },
                                           { NULL, 0, NULL, 0 } };
    s_history_args_t args = { .ctl = ctl };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_history_opt, &args, s_history_usage, &first);
    if (rc >= 0)
        return rc;
    const char *section;
    ddc_client_t *client = ctl_section_client (ctl, argc, argv, first, &section, &rc);
    if (!client)
        return rc;
    char req [40];
    ddc_req_id (req);
    zmsg_t *msg =
        ddc_msg_buildv (DDC_HISTORY, req, section ? section : "*", args.rev ? args.rev : "0", NULL);
    ddc_msg_t *reply = ctl_call (ctl, client, &msg, &rc);
    if (reply && reply->type != DDC_CHANGES) {
        rc = ctl_unexpected (ctl, reply);
        ddc_msg_destroy (&reply);
    }
    if (reply) {
        cJSON *entries = reply->json [DDC_CHANGES_BODY];
        cJSON *e;
        cJSON_ArrayForEach (e, entries) {
            cJSON *value = cJSON_GetObjectItemCaseSensitive (e, "value");
            if (value)
                ctl_redact (s_str (e, "section"), value);
        }
        if (args.json || args.rev) {
            if (args.rev && !args.json)
                s_print_lines (entries);
            const cJSON *value =
                cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (entries, 0), "value");
            if (ctl_json_out (ctl, stdout, args.json ? entries : value) < 0)
                rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write the output");
        }
        else
            s_print_lines (entries);
    }
    ddc_msg_destroy (&reply);
    ddc_client_destroy (&client);
    return rc;
}
