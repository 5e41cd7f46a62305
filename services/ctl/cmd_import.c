/*  ddc-ctl import-ddc: a DockerDiscordControl configuration folder into
    ddc through the broker. import_ddc.c reads and maps the folder and
    import_plan.c decides the saves; this file owns the command line, the
    broker (the current configuration, one SAVE per section with its
    expected revision, the undo of a partial import) and the report. */
#include "ctl.h"
#include "ddc_args.h"
#include "ddc_config.h"
#include "ddc_pwhash.h"
#include "ddc_util.h"
#include "import_ddc.h"
#include "import_plan.h"

#include <string.h>
#include <sys/stat.h>

static const char s_usage [] =
    "usage: ddc-ctl import-ddc DIR [--dry-run] [--force] [--host NAME] [--json]\n"
    "\n"
    "Imports the configuration of DockerDiscordControl from its config folder DIR\n"
    "(the one mounted at /app/config: config.json, containers/, channels/,\n"
    "admins.json, tasks.json, ...; the 1.x single config.json with \"servers\"\n"
    "too) and saves it through the broker, one section at a time, as ordinary\n"
    "revisions recorded in the history and the audit log (author \"import-ddc\"\n"
    "unless --author is given).\n"
    "\n"
    "Imported: the bot token (from auth.json when it has one; an encrypted token\n"
    "is opened as DockerDiscordControl does), guild, language and time zone; the\n"
    "containers with display name, active, order, allowed actions and info text;\n"
    "status and control channels with initial post, refresh and recreate\n"
    "minutes; admins with notes; spam cooldowns; tasks with cycle, time, day,\n"
    "time zone and active; the heartbeat (watchdog); the web password hash\n"
    "(werkzeug's: ddc-web accepts it and replaces it with argon2id at the first\n"
    "sign-in). What has no home in ddc is listed with the reason.\n"
    "\n"
    "Nothing is saved unless the whole folder is valid: every error is printed\n"
    "as FILE: FIELD: reason on standard error. Each save names the revision it\n"
    "was based on; if one is refused (someone changed that section meanwhile),\n"
    "the sections already saved are put back as they were and the import stops.\n"
    "\n"
    "ddc's own configuration is not replaced by accident: when a setting that\n"
    "the folder sets already differs in ddc from both its default and the\n"
    "imported value, nothing is saved (exit 3) unless --force is given; a bot\n"
    "token or web password ddc already has is kept unless --force. Settings\n"
    "the folder does not set (e.g. web.session_idle_minutes, the docker\n"
    "section) are left as they are. Running the import again changes nothing.\n"
    "With --force the old values stay in `ddc-ctl history` for a rollback.\n"
    "\n"
    "  --dry-run    print the resulting sections (secrets as \"***\") and the\n"
    "               report, save nothing; without a broker (no --broker,\n"
    "               DDC_BROKER or ./data) it compares with ddc's defaults\n"
    "  --force      replace what ddc already has, secrets included\n"
    "  --host NAME  the ddc-docker host of the containers and tasks (default:\n"
    "               this machine's host name, as ddc-docker takes it)\n"
    "  --json       print the report as one JSON object\n"
    "\n"
    "Exit: 0 imported (or nothing to change), 1 the folder cannot be read or a\n"
    "save failed, 3 ddc has its own configuration or a section changed\n"
    "meanwhile, 4 the folder is not valid (or the broker found a section\n"
    "invalid), 5 broker unreachable.\n";

enum { OPT_DRY_RUN = 4000, OPT_FORCE, OPT_HOST, OPT_JSON };

typedef struct {
    ctl_t *ctl;
    bool dry_run, force, json;
    char host [DDC_HOST_NAME_MAX + 1];
    bool host_set;
} s_args_t;

static int
s_opt (void *arg, int opt, const char *value)
{
    s_args_t *self = (s_args_t *) arg;
    switch (opt) {
        case OPT_DRY_RUN:
            self->dry_run = true;
            return 0;
        case OPT_FORCE:
            self->force = true;
            return 0;
        case OPT_JSON:
            self->json = true;
            return 0;
        case OPT_HOST:
            if (!ddc_config_name_ok (value, DDC_HOST_NAME_MAX))
                return ctl_fail (self->ctl, CTL_EXIT_USAGE,
                                 "--host must be 1 to %d characters of "
                                 "A-Z a-z 0-9 . _ -, starting with a letter or digit, not '%s'",
                                 DDC_HOST_NAME_MAX, value);
            ddc_strlcpy (self->host, value, sizeof (self->host));
            self->host_set = true;
            return 0;
        default:
            return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
    }
}

//  ---- the report ------------------------------------------------------------

typedef struct {
    ctl_t *ctl;
    s_args_t *args;
    const char *dir;
    import_files_t *files;
    import_t *imp;
    plan_t *plan;
    cJSON *saved;       //  [{"section", "rev", "section_rev"}]
    cJSON *undone;      //  [{"section", "rev"}] put back
    cJSON *left;        //  [{"section", "rev"}] could not be put back
    char failure [512]; //  why the saves stopped, or ""
    const char *author;
} s_run_t;

static void
s_print_items (FILE *out, const char *title, const cJSON *list)
{
    int count = cJSON_GetArraySize (list);
    if (count == 0)
        return;
    fprintf (out, "%s (%d):\n", title, count);
    const cJSON *item;
    cJSON_ArrayForEach (item, list) {
        const char *file = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (item, "file"));
        const char *field = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (item, "field"));
        const char *msg = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (item, "message"));
        fprintf (out, "  %s%s%s%s%s\n", file && *file ? file : "", file && *file ? ": " : "",
                 field && *field ? field : "", field && *field ? ": " : "", msg ? msg : "");
    }
}

static int
s_count_true (const cJSON *list, const char *key)
{
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach (item, list)
        n += cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (item, key));
    return n;
}

static const char *
s_str_of (const cJSON *obj, const char *key)
{
    const char *s = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
    return s ? s : "";
}

//  One line per resulting section: what it holds now.
static void
s_print_summary (s_run_t *run, FILE *out)
{
    const cJSON *r = run->plan->result;
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "bot"))) {
        const char *token = s_str_of (v, "token");
        bool imported_token =
            cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (run->imp->sections,
                                                                                "bot"),
                                              "token")
            != NULL;
        fprintf (out, "  %-11s token %s, guild %s, language %s, timezone %s\n", "bot",
                 !*token                                        ? "not set"
                 : strcmp (token, "***") == 0 && imported_token ? "kept (ddc's)"
                 : run->imp->token_decrypted                    ? "set (decrypted)"
                                                                : "set",
                 *s_str_of (v, "guild_id") ? s_str_of (v, "guild_id") : "not set",
                 s_str_of (v, "language"), s_str_of (v, "timezone"));
    }
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "containers")))
        fprintf (out, "  %-11s %d (%d active) on host %s\n", "containers", cJSON_GetArraySize (v),
                 s_count_true (v, "active"), run->args->host);
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "channels"))) {
        int control = 0;
        const cJSON *c;
        cJSON_ArrayForEach (c, v)
            control += strcmp (s_str_of (c, "kind"), "control") == 0;
        fprintf (out, "  %-11s %d (%d status, %d control)\n", "channels", cJSON_GetArraySize (v),
                 cJSON_GetArraySize (v) - control, control);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "admins")))
        fprintf (out, "  %-11s %d\n", "admins", cJSON_GetArraySize (v));
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "spam")))
        fprintf (out, "  %-11s %s, %d command and %d button cooldowns\n", "spam",
                 cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (v, "enabled")) ? "on" : "off",
                 cJSON_GetArraySize (cJSON_GetObjectItemCaseSensitive (v, "command_cooldowns")),
                 cJSON_GetArraySize (cJSON_GetObjectItemCaseSensitive (v, "button_cooldowns")));
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "tasks")))
        fprintf (out, "  %-11s %d (%d active)\n", "tasks", cJSON_GetArraySize (v),
                 s_count_true (v, "active"));
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "watchdog"))) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive (v, "interval_minutes");
        if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (v, "enabled")))
            fprintf (out, "  %-11s on, every %d min\n", "watchdog",
                     cJSON_IsNumber (m) ? m->valueint : 0);
        else
            fprintf (out, "  %-11s off\n", "watchdog");
    }
    if ((v = cJSON_GetObjectItemCaseSensitive (r, "web"))) {
        const char *hash = s_str_of (v, "password_hash");
        const char *what =
            !*hash                      ? "not set (the web UI asks for its setup code)"
            : strcmp (hash, "***") == 0 ? "kept (ddc's)"
            : ddc_pwhash_kind (hash) == DDC_PWHASH_ARGON2ID
                ? "set"
                : "set (werkzeug's; ddc-web replaces it with argon2id at the first sign-in)";
        fprintf (out, "  %-11s password %s, UI language %s\n", "web", what,
                 s_str_of (v, "ui_language"));
    }
}

//  The resulting sections with secrets as "***".
static cJSON *
s_redacted (const cJSON *result)
{
    cJSON *out = cJSON_CreateObject ();
    const cJSON *v;
    cJSON_ArrayForEach (v, result) {
        int s = ddc_section_from_name (v->string);
        cJSON_AddItemToObject (out, v->string, ddc_config_redact ((ddc_section_t) s, v));
    }
    return out;
}

//  The import's and the plan's entries of one kind ("notes", "errors"),
//  in one new list.
static cJSON *
s_both (const s_run_t *run, bool errors)
{
    cJSON *all = cJSON_CreateArray ();
    const cJSON *lists [2] = { run->imp ? (errors ? run->imp->errors : run->imp->notes) : NULL,
                               run->plan ? (errors ? run->plan->errors : run->plan->notes) : NULL };
    for (int i = 0; i < 2; i++) {
        const cJSON *item;
        cJSON_ArrayForEach (item, lists [i])
            cJSON_AddItemToArray (all, cJSON_Duplicate (item, 1));
    }
    return all;
}

static cJSON *
s_names (const char *const *names, size_t count)
{
    cJSON *list = cJSON_CreateArray ();
    for (size_t i = 0; i < count; i++)
        cJSON_AddItemToArray (list, cJSON_CreateString (names [i]));
    return list;
}

static void
s_print_json (s_run_t *run)
{
    cJSON *out = cJSON_CreateObject ();
    cJSON_AddStringToObject (out, "dir", run->dir);
    cJSON_AddStringToObject (out, "layout", run->imp ? run->imp->layout : "");
    cJSON_AddStringToObject (out, "host", run->args->host);
    cJSON_AddBoolToObject (out, "dry_run", run->args->dry_run);
    size_t n = import_files_count (run->files);
    const char **names = ddc_calloc (n + 1, sizeof (char *));
    for (size_t i = 0; i < n; i++)
        names [i] = import_files_name (run->files, i);
    cJSON_AddItemToObject (out, "files", s_names (names, n));
    free (names);
    cJSON *changes = cJSON_CreateArray ();
    for (int i = 0; run->plan && i < run->plan->nsteps; i++)
        if (!run->plan->steps [i].interim)
            cJSON_AddItemToArray (changes, cJSON_CreateString (
                                               ddc_section_name (run->plan->steps [i].section)));
    cJSON_AddItemToObject (out, "sections",
                           run->plan ? s_redacted (run->plan->result) : cJSON_CreateObject ());
    cJSON_AddItemToObject (out, "changes", changes);
    cJSON_AddItemToObject (out, "unchanged",
                           run->plan ? cJSON_Duplicate (run->plan->unchanged, 1)
                                     : cJSON_CreateArray ());
    cJSON_AddItemToObject (out, "existing",
                           run->plan ? cJSON_Duplicate (run->plan->existing, 1)
                                     : cJSON_CreateArray ());
    cJSON_AddItemToObject (out, "notes", s_both (run, false));
    cJSON_AddItemToObject (out, "errors", s_both (run, true));
    cJSON_AddItemToObject (out, "saved", cJSON_Duplicate (run->saved, 1));
    cJSON_AddItemToObject (out, "undone", cJSON_Duplicate (run->undone, 1));
    cJSON_AddItemToObject (out, "left", cJSON_Duplicate (run->left, 1));
    cJSON_AddStringToObject (out, "failure", run->failure);
    ctl_json_out (run->ctl, stdout, out);
    cJSON_Delete (out);
}

static void
s_print_text (s_run_t *run)
{
    FILE *out = stdout;
    if (run->args->dry_run && run->plan && cJSON_GetArraySize (run->plan->errors) == 0) {
        cJSON *sections = cJSON_CreateObject ();
        cJSON_AddItemToObject (sections, "sections", s_redacted (run->plan->result));
        ctl_json_out (run->ctl, out, sections);
        cJSON_Delete (sections);
    }
    size_t nfiles = import_files_count (run->files);
    fprintf (out, "DockerDiscordControl %s folder %s (%zu file%s), containers on host %s\n",
             run->imp->layout, run->dir, nfiles, nfiles == 1 ? "" : "s", run->args->host);
    if (run->plan && cJSON_GetArraySize (run->plan->errors) == 0) {
        fprintf (out, "after the import:\n");
        s_print_summary (run, out);
    }
    cJSON *notes = s_both (run, false);
    const cJSON *item;
    s_print_items (out, "not imported, or changed on the way", notes);
    cJSON_Delete (notes);
    if (!run->plan || cJSON_GetArraySize (run->plan->errors))
        return;
    if (cJSON_GetArraySize (run->plan->unchanged)) {
        fprintf (out, "already so in ddc:");
        cJSON_ArrayForEach (item, run->plan->unchanged)
            fprintf (out, " %s", item->valuestring);
        fputc ('\n', out);
    }
    if (run->args->dry_run) {
        fprintf (out, "would save:");
        for (int i = 0; i < run->plan->nsteps; i++)
            if (!run->plan->steps [i].interim)
                fprintf (out, " %s", ddc_section_name (run->plan->steps [i].section));
        fprintf (out, "%s\n", run->plan->nsteps ? "" : " nothing");
        return;
    }
    if (cJSON_GetArraySize (run->saved)) {
        fprintf (out, "saved by \"%s\":\n", run->author);
        cJSON_ArrayForEach (item, run->saved)
            fprintf (out, "  %-11s revision %d%s\n", s_str_of (item, "section"),
                     cJSON_GetObjectItemCaseSensitive (item, "section_rev")->valueint,
                     cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (item, "changed"))
                         ? ""
                         : " (no change: ddc had exactly this)");
    }
    if (cJSON_GetArraySize (run->undone)) {
        fprintf (out, "put back as they were:");
        cJSON_ArrayForEach (item, run->undone)
            fprintf (out, " %s", s_str_of (item, "section"));
        fputc ('\n', out);
    }
    if (cJSON_GetArraySize (run->left)) {
        fprintf (out, "left as imported (could not be put back):");
        cJSON_ArrayForEach (item, run->left)
            fprintf (out, " %s", s_str_of (item, "section"));
        fputc ('\n', out);
    }
}

//  ---- saving ----------------------------------------------------------------

//  SAVE value as section with expected; the reply (caller destroys) or
//  NULL with *rc set.
static ddc_msg_t *
s_save (s_run_t *run, ddc_client_t *client, ddc_section_t s, const cJSON *value, uint64_t expected,
        const char *author, int *rc)
{
    zmsg_t *msg = ddc_msg_save (DDC_SAVE, ddc_section_name (s), expected, author, value);
    return ctl_call (run->ctl, client, &msg, rc);
}

//  Why a save was refused, into run->failure; the exit code.
static int
s_refused (s_run_t *run, ddc_section_t s, const ddc_msg_t *reply)
{
    const char *name = ddc_section_name (s);
    switch (reply->type) {
        case DDC_CONFLICT:
            snprintf (run->failure, sizeof (run->failure),
                      "%s changed in ddc meanwhile (now revision "
                      "%llu)",
                      name, (unsigned long long) reply->u64 [DDC_CONFLICT_SECTION_REV]);
            return CTL_EXIT_CONFLICT;
        case DDC_INVALID: {
            const cJSON *first = cJSON_GetArrayItem (reply->json [DDC_INVALID_ERRORS], 0);
            snprintf (run->failure, sizeof (run->failure), "the broker finds %s invalid: %s: %s",
                      name, s_str_of (first, "field"), s_str_of (first, "message"));
            return CTL_EXIT_INVALID;
        }
        case DDC_DENIED:
            snprintf (run->failure, sizeof (run->failure),
                      "the broker does not let this client save "
                      "%s: %s",
                      name, reply->frame [DDC_DENIED_REASON]);
            return CTL_EXIT_FAIL;
        case DDC_ERROR:
            snprintf (run->failure, sizeof (run->failure),
                      "the broker could not save %s: error %llu: "
                      "%s",
                      name, (unsigned long long) reply->u64 [DDC_ERROR_CODE],
                      reply->frame [DDC_ERROR_MESSAGE]);
            return CTL_EXIT_FAIL;
        default:
            snprintf (run->failure, sizeof (run->failure), "unexpected reply %s to saving %s",
                      ddc_msg_name (reply->type), name);
            return CTL_EXIT_FAIL;
    }
}

//  Put back, newest first, the steps done before the one that failed.
static void
s_undo (s_run_t *run, ddc_client_t *client, int done, const uint64_t *revs)
{
    char *author = ddc_asprintf ("%.*s (undo)", DDC_MAX_TEXT - 8, run->author);
    for (int i = done - 1; i >= 0; i--) {
        const plan_step_t *step = &run->plan->steps [i];
        int rc;
        ddc_msg_t *reply = s_save (run, client, step->section, step->before, revs [i], author, &rc);
        cJSON *entry = cJSON_CreateObject ();
        cJSON_AddStringToObject (entry, "section", ddc_section_name (step->section));
        if (reply && reply->type == DDC_OK) {
            cJSON_AddNumberToObject (entry, "rev", (double) reply->u64 [DDC_OK_SECTION_REV]);
            if (step->interim) //  its section is listed once, by the later step
                cJSON_Delete (entry);
            else
                cJSON_AddItemToArray (run->undone, entry);
        }
        else {
            cJSON_AddNumberToObject (entry, "rev", (double) revs [i]);
            cJSON_AddItemToArray (run->left, entry);
        }
        ddc_msg_destroy (&reply);
    }
    free (author);
}

static int
s_apply (s_run_t *run, ddc_client_t *client)
{
    uint64_t revs [PLAN_STEPS_MAX] = { 0 };
    int rc = CTL_EXIT_OK;
    for (int i = 0; i < run->plan->nsteps; i++) {
        plan_step_t *step = &run->plan->steps [i];
        ddc_msg_t *reply =
            s_save (run, client, step->section, step->value, step->expected, run->author, &rc);
        if (!reply) {
            //  no answer: whether this save was made is not known
            snprintf (run->failure, sizeof (run->failure),
                      "no answer to saving %s (whether it "
                      "was saved is not known: see ddc-ctl history)",
                      ddc_section_name (step->section));
            return rc;
        }
        if (reply->type != DDC_OK) {
            rc = s_refused (run, step->section, reply);
            ddc_msg_destroy (&reply);
            s_undo (run, client, i, revs);
            return rc;
        }
        revs [i] = reply->u64 [DDC_OK_SECTION_REV];
        //  a later step of the same section is based on this revision
        for (int j = i + 1; j < run->plan->nsteps; j++)
            if (run->plan->steps [j].section == step->section)
                run->plan->steps [j].expected = revs [i];
        if (!step->interim) {
            cJSON *entry = cJSON_CreateObject ();
            cJSON_AddStringToObject (entry, "section", ddc_section_name (step->section));
            cJSON_AddNumberToObject (entry, "rev", (double) reply->u64 [DDC_OK_REV]);
            cJSON_AddNumberToObject (entry, "section_rev", (double) revs [i]);
            cJSON_AddBoolToObject (entry, "changed", reply->u64 [DDC_OK_CHANGED] != 0);
            cJSON_AddItemToArray (run->saved, entry);
        }
        ddc_msg_destroy (&reply);
    }
    return rc;
}

//  ---- the command ------------------------------------------------------------

//  Is a broker given (--broker, DDC_BROKER, or ./data to find it in)?
static bool
s_broker_given (ctl_t *ctl)
{
    struct stat st;
    return (ctl->broker && *ctl->broker) || (stat ("data", &st) == 0 && S_ISDIR (st.st_mode));
}

//  An invalid folder: the report (with --json), each error as "FILE:
//  FIELD: reason" on stderr, then the one-line reason; exit 4.
static int
s_invalid (s_run_t *run, const cJSON *errors, const char *what)
{
    if (run->args->json)
        s_print_json (run);
    const cJSON *e;
    cJSON_ArrayForEach (e, errors) {
        const char *file = s_str_of (e, "file"), *field = s_str_of (e, "field");
        fprintf (stderr, "%s%s%s%s%s\n", file, *file ? ": " : "", field, *field ? ": " : "",
                 s_str_of (e, "message"));
    }
    int n = cJSON_GetArraySize (errors);
    e = cJSON_GetArrayItem (errors, 0);
    return ctl_fail (run->ctl, CTL_EXIT_INVALID,
                     "%s %s: %d error%s (first: %s%s%s: %s); "
                     "nothing was saved",
                     run->dir, what, n, n == 1 ? "" : "s", s_str_of (e, "file"),
                     *s_str_of (e, "field") ? ": " : "", s_str_of (e, "field"),
                     s_str_of (e, "message"));
}

int
cmd_import_ddc (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "dry-run", no_argument, NULL, OPT_DRY_RUN },
                                           { "force", no_argument, NULL, OPT_FORCE },
                                           { "host", required_argument, NULL, OPT_HOST },
                                           { "json", no_argument, NULL, OPT_JSON },
                                           { NULL, 0, NULL, 0 } };
    s_args_t args = { .ctl = ctl };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_opt, &args, s_usage, &first);
    if (rc >= 0)
        return rc;
    rc = CTL_EXIT_OK;
    if (argc - first != 1)
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "wants the folder DIR (DockerDiscordControl's "
                         "config folder); see ddc-ctl import-ddc --help");
    if (!args.host_set) {
        ddc_args_host_name (args.host, sizeof (args.host));
        if (!ddc_config_name_ok (args.host, DDC_HOST_NAME_MAX))
            return ctl_fail (ctl, CTL_EXIT_USAGE,
                             "this machine's host name '%s' is not a ddc "
                             "host name: pass --host NAME (the name ddc-docker runs with)",
                             args.host);
    }
    s_run_t run = { .ctl = ctl,
                    .args = &args,
                    .dir = argv [first],
                    .saved = cJSON_CreateArray (),
                    .undone = cJSON_CreateArray (),
                    .left = cJSON_CreateArray (),
                    .author = ctl->author_set ? ctl->author : "import-ddc" };
    run.files = import_files_new ();
    char err [512];
    ddc_client_t *client = NULL;
    if (import_files_read_dir (run.files, run.dir, err, sizeof (err)) < 0) {
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s; nothing was saved", err);
        goto done;
    }
    if (ddc_pwhash_init () < 0) {
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot initialise libsodium");
        goto done;
    }
    import_opts_t iopts = { .host = args.host };
    run.imp = import_map (run.files, &iopts);
    if (cJSON_GetArraySize (run.imp->errors)) {
        rc = s_invalid (&run, run.imp->errors, "is not a valid DockerDiscordControl folder");
        goto done;
    }

    //  ddc's configuration now: from the broker, or the defaults for a dry
    //  run without one
    ddc_msg_t *state = NULL;
    const cJSON *current = NULL;
    if (!args.dry_run || s_broker_given (ctl)) {
        client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
        if (!client)
            goto done;
        state = ctl_ask (ctl, client, DDC_SNAPSHOT, "*", DDC_STATE, &rc);
        if (!state)
            goto done;
        current = state->json [DDC_STATE_BODY];
    }
    run.plan = plan_new (run.imp, current, args.force);
    ddc_msg_destroy (&state);

    if (cJSON_GetArraySize (run.plan->errors)) {
        rc = s_invalid (&run, run.plan->errors, "holds settings that ddc does not accept");
        goto done;
    }
    int existing = cJSON_GetArraySize (run.plan->existing);
    if (existing && !args.force) {
        if (args.json)
            s_print_json (&run);
        else
            s_print_text (&run);
        char list [256] = "";
        const cJSON *item;
        cJSON_ArrayForEach (item, run.plan->existing) {
            if (strlen (list) + strlen (item->valuestring) + 8 >= sizeof (list)) {
                strcat (list, ", ...");
                break;
            }
            strcat (list, *list ? ", " : "");
            strcat (list, item->valuestring);
        }
        rc = ctl_fail (ctl, CTL_EXIT_CONFLICT,
                       "ddc already has its own %s; nothing was saved "
                       "(--force replaces them; the old values stay in ddc-ctl history)",
                       list);
        goto done;
    }
    if (!args.dry_run)
        rc = s_apply (&run, client);
    if (args.json)
        s_print_json (&run);
    else
        s_print_text (&run);
    if (run.failure [0]) {
        int undone = cJSON_GetArraySize (run.undone), left = cJSON_GetArraySize (run.left);
        ctl_fail (ctl, rc, "stopped: %s; %s", run.failure,
                  left     ? "some sections stay as imported (listed above)"
                  : undone ? "the sections saved before were put back as they were"
                           : "nothing was saved");
    }
done:
    ddc_client_destroy (&client);
    plan_destroy (&run.plan);
    import_destroy (&run.imp);
    import_files_destroy (&run.files);
    cJSON_Delete (run.saved);
    cJSON_Delete (run.undone);
    cJSON_Delete (run.left);
    return rc;
}
