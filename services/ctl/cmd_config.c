/*  ddc-ctl get, set and rollback: reading and replacing configuration
    sections (SNAPSHOT, SAVE and ROLLBACK of proto/ddcp.md section 5). */
#include "ctl.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <errno.h>
#include <string.h>

//  ---- get -----------------------------------------------------------------

static const char s_get_usage [] =
    "usage: ddc-ctl get [SECTION] [--compact]\n"
    "\n"
    "Prints the live configuration as JSON: without SECTION the whole document,\n"
    "  {\"rev\": N, \"sections\": {\"bot\": ..., ...}}\n"
    "with SECTION that section and the revision it last changed at,\n"
    "  {\"rev\": N, \"section_rev\": M, \"value\": ...}\n"
    "which `ddc-ctl set SECTION` takes back as it is. Secrets are shown as \"***\".\n"
    "Sections: bot, containers, channels, admins, spam, tasks, watchdog, web, docker.\n";

int
cmd_get (ctl_t *ctl, int argc, char **argv)
{
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, NULL, NULL, NULL, s_get_usage, &first);
    if (rc >= 0)
        return rc;
    const char *section;
    ddc_client_t *client = ctl_section_client (ctl, argc, argv, first, &section, &rc);
    if (!client)
        return rc;
    ddc_msg_t *reply = ctl_ask (ctl, client, DDC_SNAPSHOT, section ? section : "*", DDC_STATE, &rc);
    if (reply) {
        cJSON *body = reply->json [DDC_STATE_BODY];
        cJSON *sections = cJSON_GetObjectItemCaseSensitive (body, "sections");
        cJSON *revs = cJSON_GetObjectItemCaseSensitive (body, "revs");
        cJSON *out = cJSON_CreateObject ();
        cJSON_AddNumberToObject (out, "rev", (double) reply->u64 [DDC_STATE_REV]);
        if (!cJSON_IsObject (sections))
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "the broker sent a state without sections");
        else if (section) {
            cJSON *value = cJSON_DetachItemFromObjectCaseSensitive (sections, section);
            cJSON *srev = cJSON_GetObjectItemCaseSensitive (revs, section);
            if (!value)
                rc = ctl_fail (ctl, CTL_EXIT_FAIL,
                               "the broker did not send %s "
                               "(this role may not read it)",
                               section);
            else {
                ctl_redact (section, value);
                cJSON_AddNumberToObject (out, "section_rev",
                                         cJSON_IsNumber (srev) ? srev->valuedouble : 0);
                cJSON_AddItemToObject (out, "value", value);
            }
        }
        else {
            cJSON *all = cJSON_DetachItemViaPointer (body, sections);
            ctl_redact_sections (all);
            cJSON_AddItemToObject (out, "sections", all);
        }
        if (rc == CTL_EXIT_OK && ctl_json_out (ctl, stdout, out) < 0)
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write the output");
        cJSON_Delete (out);
    }
    ddc_msg_destroy (&reply);
    ddc_client_destroy (&client);
    return rc;
}

//  ---- set -----------------------------------------------------------------

static const char s_set_usage [] =
    "usage: ddc-ctl set SECTION FILE|- [--expect-rev REV]\n"
    "\n"
    "Replaces SECTION with the JSON value read from FILE, or from standard input\n"
    "with '-' (at most 1 MiB). The input is either the bare value of the section\n"
    "or the object printed by `ddc-ctl get SECTION`,\n"
    "  {\"rev\": N, \"section_rev\": M, \"value\": ...}\n"
    "in which case its value is saved and M is the expected revision: the save is\n"
    "refused (exit 3) if the section changed since M. --expect-rev REV sets the\n"
    "expected revision instead (0: no check). A bare value without --expect-rev\n"
    "is saved unconditionally. A secret left as \"***\" keeps its current value.\n"
    "\n"
    "Prints {\"rev\": N, \"section_rev\": M} (with \"changed\": false when the value\n"
    "was already the current one). Exit 3 on a conflict, 4 when the broker finds\n"
    "the value invalid (its errors are printed as JSON on stderr) or the input\n"
    "is not JSON.\n";

enum { OPT_EXPECT_REV = 2000 };

typedef struct {
    ctl_t *ctl;
    bool have_expect;
    uint64_t expect;
} s_set_args_t;

static int
s_set_opt (void *arg, int opt, const char *value)
{
    s_set_args_t *self = (s_set_args_t *) arg;
    if (opt == OPT_EXPECT_REV) {
        if (ddc_parse_u64 (value, &self->expect) < 0)
            return ctl_fail (self->ctl, CTL_EXIT_USAGE,
                             "--expect-rev wants a revision number, not '%s'", value);
        self->have_expect = true;
        return 0;
    }
    return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
}

//  The object `get SECTION` prints: only the keys rev, section_rev, value,
//  with value and section_rev present.
static bool
s_is_get_output (const cJSON *json)
{
    if (!cJSON_IsObject (json))
        return false;
    bool value = false, srev = false;
    for (const cJSON *item = json->child; item; item = item->next) {
        if (strcmp (item->string, "value") == 0)
            value = true;
        else if (strcmp (item->string, "section_rev") == 0)
            srev = true;
        else if (strcmp (item->string, "rev") != 0)
            return false;
    }
    return value && srev;
}

//  The object `get` prints for the whole document.
static bool
s_is_get_all_output (const cJSON *json)
{
    return cJSON_IsObject (json) && cJSON_GetArraySize (json) == 2
           && cJSON_IsNumber (cJSON_GetObjectItemCaseSensitive (json, "rev"))
           && cJSON_IsObject (cJSON_GetObjectItemCaseSensitive (json, "sections"));
}

static bool
s_json_u64 (const cJSON *item, uint64_t *out)
{
    if (!cJSON_IsNumber (item) || item->valuedouble < 0 || item->valuedouble > 9007199254740992.0
        || item->valuedouble != (double) (uint64_t) item->valuedouble)
        return false;
    *out = (uint64_t) item->valuedouble;
    return true;
}

//  Read and parse the input; on error prints why and returns NULL.
static cJSON *
s_read_input (ctl_t *ctl, const char *path, int *rc)
{
    const char *name = strcmp (path, "-") == 0 ? "standard input" : path;
    char *data = NULL;
    size_t len = 0;
    int read_rc = strcmp (path, "-") == 0 ? ddc_read_fd (0, CTL_MAX_INPUT, &data, &len)
                                          : ddc_read_file (path, CTL_MAX_INPUT, &data, &len);
    if (read_rc < 0) {
        if (errno == EFBIG)
            *rc = ctl_fail (ctl, CTL_EXIT_INVALID, "%s is larger than 1 MiB", name);
        else
            *rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot read %s: %s", name, strerror (errno));
        return NULL;
    }
    char err [256];
    cJSON *json = ddc_json_parse (data, len, CTL_MAX_INPUT, err, sizeof (err));
    free (data);
    if (!json)
        *rc = ctl_fail (ctl, CTL_EXIT_INVALID, "%s is not valid JSON: %s", name, err);
    return json;
}

int
cmd_set (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "expect-rev", required_argument, NULL, OPT_EXPECT_REV },
                                           { NULL, 0, NULL, 0 } };
    s_set_args_t args = { .ctl = ctl };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_set_opt, &args, s_set_usage, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 2)
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "wants SECTION and FILE (or - for stdin); "
                         "see ddc-ctl set --help");
    const char *section = argv [first];
    if (!ctl_section_valid (section))
        return ctl_bad_section (ctl, section);

    cJSON *input = s_read_input (ctl, argv [first + 1], &rc);
    if (!input)
        return rc;
    uint64_t expected = args.have_expect ? args.expect : 0;
    const cJSON *value = input;
    if (s_is_get_output (input)) {
        uint64_t srev;
        if (!s_json_u64 (cJSON_GetObjectItemCaseSensitive (input, "section_rev"), &srev)) {
            cJSON_Delete (input);
            return ctl_fail (ctl, CTL_EXIT_INVALID, "section_rev must be a revision number");
        }
        if (!args.have_expect)
            expected = srev;
        value = cJSON_GetObjectItemCaseSensitive (input, "value");
    }
    else if (s_is_get_all_output (input)) {
        cJSON_Delete (input);
        return ctl_fail (ctl, CTL_EXIT_INVALID,
                         "this is the whole document as `ddc-ctl get` "
                         "prints it; save one section, as `ddc-ctl get %s` prints it",
                         section);
    }
    zmsg_t *msg = ddc_msg_save (DDC_SAVE, section, expected, ctl->author, value);
    cJSON_Delete (input);
    if (!msg)
        return ctl_fail (ctl, CTL_EXIT_INVALID, "the value is larger than 1 MiB");

    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (client) {
        ddc_msg_t *reply = ctl_call (ctl, client, &msg, &rc);
        if (reply)
            rc = ctl_save_reply (ctl, section, reply);
        ddc_msg_destroy (&reply);
        ddc_client_destroy (&client);
    }
    zmsg_destroy (&msg);
    return rc;
}

//  ---- rollback ------------------------------------------------------------

static const char s_rollback_usage [] =
    "usage: ddc-ctl rollback SECTION REV\n"
    "\n"
    "Saves the value SECTION had at revision REV (see `ddc-ctl history SECTION`)\n"
    "as a new revision; the history itself is never rewritten. Secrets are not\n"
    "in the history: the current ones are kept. Prints and exits as `set`.\n";

int
cmd_rollback (ctl_t *ctl, int argc, char **argv)
{
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, NULL, NULL, NULL, s_rollback_usage, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 2)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "wants SECTION and REV; see ddc-ctl rollback --help");
    const char *section = argv [first];
    if (!ctl_section_valid (section))
        return ctl_bad_section (ctl, section);
    uint64_t to_rev;
    if (ddc_parse_u64 (argv [first + 1], &to_rev) < 0 || to_rev == 0)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "REV must be a revision number, not '%s'",
                         argv [first + 1]);

    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    char req [40], rev [24];
    ddc_req_id (req);
    snprintf (rev, sizeof (rev), "%llu", (unsigned long long) to_rev);
    zmsg_t *msg = ddc_msg_buildv (DDC_ROLLBACK, req, section, rev, ctl->author, NULL);
    ddc_msg_t *reply = ctl_call (ctl, client, &msg, &rc);
    if (reply && reply->type == DDC_ERROR
        && (reply->u64 [DDC_ERROR_CODE] == DDC_E_GONE
            || reply->u64 [DDC_ERROR_CODE] == DDC_E_NOT_FOUND))
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s: %s (see ddc-ctl history %s)",
                       reply->u64 [DDC_ERROR_CODE] == DDC_E_GONE
                           ? "that revision is no longer in the history"
                           : "the section did not change at that revision",
                       reply->frame [DDC_ERROR_MESSAGE], section);
    else if (reply)
        rc = ctl_save_reply (ctl, section, reply);
    ddc_msg_destroy (&reply);
    ddc_client_destroy (&client);
    return rc;
}
