/*  ddc-ctl history: the broker's retained changes (HISTORY/CHANGES), one
    line per change or as JSON. */
#include "ctl.h"
#include "ddc_util.h"

#include <string.h>

static const char s_history_usage[] =
"usage: ddc-ctl history [SECTION] [--json]\n"
"\n"
"Lists the changes the broker keeps (the last 200, oldest first), of one\n"
"section or of all, one per line:\n"
"  REV  TIME  SECTION  AUTHOR  changed: FIELD, FIELD\n"
"--json prints the entries as the broker sends them (with each value, secrets\n"
"as \"***\"). `ddc-ctl rollback SECTION REV` brings an older value back.\n";

enum { OPT_JSON = 2300 };

typedef struct {
    ctl_t *ctl;
    bool json;
} s_history_args_t;

static int
s_history_opt (void *arg, int opt, const char *value)
{
    (void) value;
    s_history_args_t *self = (s_history_args_t *) arg;
    if (opt == OPT_JSON) {
        self->json = true;
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
        char rev[32];
        snprintf (rev, sizeof rev, "%.0f",
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
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { NULL, 0, NULL, 0 }
    };
    s_history_args_t args = { .ctl = ctl };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_history_opt, &args, s_history_usage,
                         &first);
    if (rc >= 0)
        return rc;
    const char *section;
    if ((rc = ctl_optional_section (ctl, argc, argv, first, &section)) >= 0)
        return rc;

    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    ddc_msg_t *reply = ctl_ask (ctl, client, DDC_HISTORY, section ? section : "*", DDC_CHANGES,
                                &rc);
    if (reply) {
        cJSON *entries = reply->json[DDC_CHANGES_BODY];
        cJSON *e;
        cJSON_ArrayForEach (e, entries) {
            cJSON *value = cJSON_GetObjectItemCaseSensitive (e, "value");
            if (value)
                ctl_redact (s_str (e, "section"), value);
        }
        if (args.json) {
            if (ctl_json_out (ctl, stdout, entries) < 0)
                rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write the output");
        }
        else
            s_print_lines (entries);
    }
    ddc_msg_destroy (&reply);
    ddc_client_destroy (&client);
    return rc;
}
