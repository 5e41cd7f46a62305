/*  test_broker_store: the broker's save path (store.c) as logic: a save is
    durable by its journal record alone and leaves config.json and
    history.jsonl to be written when saves pause (store_checkpoint); a
    clean stop leaves config.json up to date and the journal empty; a store
    opened on the files of one that stopped uncleanly (config.json behind)
    brings config.json and its history up to date before it is used; a
    hand edit made to a config.json that is behind changes only the
    sections it changes. */
#include "../../services/broker/journal.c"
#include "../../services/broker/schema.c"
#include "../../services/broker/store.c"

#include "ddc_test.h"

#include <time.h>

static char *
s_tmpdir (void)
{
    char tmpl [] = "/tmp/ddc-store-XXXXXX";
    char *dir = mkdtemp (tmpl);
    return dir ? ddc_asprintf ("%s/data", dir) : NULL;
}

static void
s_rmdir (char *dir)
{
    const char *names [] = { "config.json", "config.journal", "history.jsonl",
                             "config.last-good.json", NULL };
    for (int i = 0; names [i]; i++) {
        char *path = ddc_asprintf ("%s/%s", dir, names [i]);
        unlink (path);
        free (path);
    }
    rmdir (dir);
    *strrchr (dir, '/') = '\0';
    rmdir (dir);
    free (dir);
}

static char *
s_file (const char *dir, const char *name)
{
    char *path = ddc_asprintf ("%s/%s", dir, name);
    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (path, 64 * 1024 * 1024, &text, &len) < 0)
        text = NULL;
    free (path);
    return text;
}

static void
s_put (const char *dir, const char *name, const char *text, size_t len)
{
    char *path = ddc_asprintf ("%s/%s", dir, name);
    FILE *f = fopen (path, "w");
    if (f) {
        fwrite (text, 1, len, f);
        fclose (f);
    }
    free (path);
}

//  _meta.rev of DIR/config.json, or 0.
static uint64_t
s_file_rev (const char *dir)
{
    char *text = s_file (dir, "config.json");
    cJSON *doc = text ? cJSON_Parse (text) : NULL;
    const cJSON *rev =
        cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (doc, "_meta"), "rev");
    uint64_t out = cJSON_IsNumber (rev) ? (uint64_t) rev->valuedouble : 0;
    cJSON_Delete (doc);
    free (text);
    return out;
}

//  Lines in DIR/history.jsonl.
static int
s_history_lines (const char *dir)
{
    char *text = s_file (dir, "history.jsonl");
    int n = 0;
    for (char *p = text; p && *p; p++)
        n += *p == '\n';
    free (text);
    return n;
}

//  The length of the records in DIR/config.journal (up to its zeros).
static size_t
s_journal_len (const char *dir)
{
    char *text = s_file (dir, "config.journal");
    size_t len = text ? strlen (text) : 0;
    free (text);
    return len;
}

static store_result_t
s_save_admins (store_t *store, const char *note)
{
    char text [160];
    snprintf (text, sizeof (text), "[{\"id\": \"334455667788990011\", \"note\": \"%s\"}]", note);
    cJSON *value = cJSON_Parse (text);
    cJSON *errors = cJSON_CreateArray ();
    store_change_t change = { 0 };
    char err [256];
    store_result_t r = store_save (store, DDC_SEC_ADMINS, value, 0, "test", "unit", errors, &change,
                                   err, sizeof (err));
    if (r == STORE_OK)
        store_change_free (&change);
    cJSON_Delete (errors);
    cJSON_Delete (value);
    return r;
}

static const char *
s_note (store_t *store)
{
    const cJSON *first = cJSON_GetArrayItem (store_section (store, DDC_SEC_ADMINS), 0);
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (first, "note"));
}

DDC_TEST (test_save_leaves_files_to_the_pause)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    CHECK (store);
    CHECK_EQ (s_file_rev (dir), 1);
    int lines = s_history_lines (dir);
    int64_t saved_ms = ddc_mono_ms ();
    CHECK_EQ (s_save_admins (store, "one"), STORE_OK);
    CHECK_EQ (store_rev (store), 2);
    //  durable in the journal alone; the files are as they were
    CHECK (s_journal_len (dir) > 0);
    CHECK_EQ (s_file_rev (dir), 1);
    CHECK_EQ (s_history_lines (dir), lines);
    //  written once saves pause
    while (s_file_rev (dir) != 2 && ddc_mono_ms () - saved_ms < 10000) {
        store_checkpoint (store, false);
        nanosleep (&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
    }
    CHECK_EQ (s_file_rev (dir), 2);
    CHECK (ddc_mono_ms () - saved_ms >= STORE_WRITE_IDLE_MS);
    CHECK_EQ (s_history_lines (dir), lines + 1);
    //  then durable, the journal emptied
    store_checkpoint (store, true);
    CHECK_EQ (s_journal_len (dir), 0);
    CHECK_EQ (s_file_rev (dir), 2);
    store_destroy (&store);
    s_rmdir (dir);
}

DDC_TEST (test_clean_stop_leaves_config_json_up_to_date)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    CHECK_EQ (s_save_admins (store, "one"), STORE_OK);
    CHECK_EQ (s_save_admins (store, "two"), STORE_OK);
    store_destroy (&store);
    CHECK_EQ (s_file_rev (dir), 3);
    CHECK_EQ (s_journal_len (dir), 0);
    char *text = s_file (dir, "config.json");
    CHECK (text && strstr (text, "\"two\""));
    free (text);
    store = store_new (dir, err, sizeof (err));
    CHECK_EQ (store_rev (store), 3);
    CHECK_STR (s_note (store), "two");
    store_destroy (&store);
    s_rmdir (dir);
}

//  The files of a store that stopped without writing config.json (a
//  kill -9, a crash of the machine): copied while it runs behind.
DDC_TEST (test_start_after_a_crash_brings_config_json_up_to_date)
{
    char *dir = s_tmpdir ();
    char *copy = s_tmpdir ();
    char err [256];
    mkdir (copy, 0700);
    store_t *store = store_new (dir, err, sizeof (err));
    int lines = s_history_lines (dir);
    CHECK_EQ (s_save_admins (store, "one"), STORE_OK);
    CHECK_EQ (s_save_admins (store, "two"), STORE_OK);
    const char *names [] = { "config.json", "config.journal", "history.jsonl", NULL };
    for (int i = 0; names [i]; i++) {
        char *path = ddc_asprintf ("%s/%s", dir, names [i]);
        char *text = NULL;
        size_t len = 0;
        if (ddc_read_file (path, 64 * 1024 * 1024, &text, &len) == 0)
            s_put (copy, names [i], text, len); //  history.jsonl: not yet
        free (text);
        free (path);
    }
    store_destroy (&store);
    CHECK_EQ (s_file_rev (copy), 1);
    store_t *again = store_new (copy, err, sizeof (err));
    CHECK (again);
    //  before it is used: config.json and history.jsonl hold both saves
    CHECK_EQ (s_file_rev (copy), 3);
    CHECK_EQ (s_history_lines (copy), lines + 2);
    CHECK_EQ (s_journal_len (copy), 0);
    CHECK_STR (s_note (again), "two");
    store_destroy (&again);
    s_rmdir (dir);
    s_rmdir (copy);
}

//  A hand edit of the file as it was before a save not written to it yet:
//  the section it changed is taken, the saved one is not taken back.
DDC_TEST (test_hand_edit_while_behind_changes_only_its_sections)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    CHECK_EQ (s_save_admins (store, "saved"), STORE_OK);
    CHECK_EQ (s_file_rev (dir), 1);
    char *text = s_file (dir, "config.json");
    cJSON *doc = cJSON_Parse (text);
    free (text);
    cJSON *bot = cJSON_GetObjectItemCaseSensitive (doc, "bot");
    cJSON_ReplaceItemInObjectCaseSensitive (bot, "language", cJSON_CreateString ("de"));
    char *edited = cJSON_Print (doc);
    cJSON_Delete (doc);
    s_put (dir, "config.json", edited, strlen (edited));
    free (edited);
    store_change_t changes [DDC_SEC_COUNT];
    memset (changes, 0, sizeof (changes));
    CHECK_EQ (store_poll_file (store, changes), 1);
    CHECK_EQ (changes [0].section, DDC_SEC_BOT);
    store_change_free (&changes [0]);
    CHECK_STR (s_note (store), "saved");
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItemCaseSensitive (store_section (store, DDC_SEC_BOT),
                                                     "language")),
               "de");
    CHECK_EQ (store_rev (store), 3);
    store_destroy (&store);
    text = s_file (dir, "config.json");
    CHECK (text && strstr (text, "\"saved\"") && strstr (text, "\"de\""));
    free (text);
    CHECK_EQ (s_file_rev (dir), 3);
    s_rmdir (dir);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_init ("test_broker_store");
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_save_leaves_files_to_the_pause);
    DDC_RUN (test_clean_stop_leaves_config_json_up_to_date);
    DDC_RUN (test_start_after_a_crash_brings_config_json_up_to_date);
    DDC_RUN (test_hand_edit_while_behind_changes_only_its_sections);
    DDC_DONE ();
}
