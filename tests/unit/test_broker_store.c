/*  test_broker_store: the broker's save path (store.c) as logic: a save is
    durable by its journal record alone and leaves config.json and
    history.jsonl to be written when saves pause (store_checkpoint); a
    clean stop leaves config.json up to date and the journal empty; a store
    opened on the files of one that stopped uncleanly (config.json behind)
    brings config.json and its history up to date before it is used; a
    hand edit made to a config.json that is behind changes only the
    sections it changes; a journal record, written as text, is the text
    of its tree; history values are kept deflated and read back
    the same; a save whose write or flush fails changes nothing. */
#include "../../services/broker/journal.c"
#include "../../services/broker/packed.c"
#include "../../services/broker/schema.c"
#include "../../services/broker/store.c"

#include "ddc_test.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

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
    CHECK (store_paused (store));
    int64_t saved_ms = ddc_mono_ms ();
    CHECK_EQ (s_save_admins (store, "one"), STORE_OK);
    CHECK_EQ (store_rev (store), 2);
    CHECK (!store_paused (store));
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
    //  then durable, the journal emptied; saves paused a second after it
    CHECK_EQ (store_checkpoint (store, true), STORE_CHECKPOINT_DURABLE);
    CHECK_EQ (store_checkpoint (store, true), STORE_CHECKPOINT_NONE);
    CHECK_EQ (store_paused (store), ddc_mono_ms () - saved_ms >= STORE_CHECKPOINT_IDLE_MS);
    store->last_commit_ms -= STORE_CHECKPOINT_IDLE_MS;
    CHECK (store_paused (store));
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

//  A journal record as a tree of it prints: {"epoch", "rev", "revs",
//  "changes": [{history description..., "value"}]} (the store writes it
//  as text).
static char *
s_record_as_tree (store_t *store, uint64_t rev, const uint64_t revs [DDC_SEC_COUNT],
                  const store_change_t *changes, int count, cJSON *const vals [DDC_SEC_COUNT],
                  const char *when, const char *author, const char *peer)
{
    cJSON *rec = cJSON_CreateObject ();
    cJSON_AddStringToObject (rec, "epoch", store->epoch);
    cJSON_AddNumberToObject (rec, "rev", (double) rev);
    cJSON *jrevs = cJSON_AddObjectToObject (rec, "revs");
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        cJSON_AddNumberToObject (jrevs, ddc_section_name ((ddc_section_t) s), (double) revs [s]);
    cJSON *list = cJSON_AddArrayToObject (rec, "changes");
    for (int i = 0; i < count; i++) {
        cJSON *c = s_change_meta (&changes [i], when, author, peer);
        cJSON_AddItemToObject (c, "value", cJSON_Duplicate (vals [changes [i].section], 1));
        cJSON_AddItemToArray (list, c);
    }
    char *text = cJSON_PrintUnformatted (rec);
    cJSON_Delete (rec);
    return text;
}

//  The record written as text is the tree's text byte for byte, with
//  authors, peers and values that need escaping, one change or several;
//  and it is read back at the next start.
DDC_TEST (test_journal_record_text)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    CHECK (store);
    const char *authors [] = { "test", "a \"quoted\" \\ name", "caf\xC3\xA9 \xF0\x9F\x90\xB3", "" };
    const char *notes [] = { "plain", "tab\there \x01 </script>", "\xE2\x80\xA8", "\"" };
    for (int i = 0; i < 4; i++) {
        cJSON *vals [DDC_SEC_COUNT] = { 0 };
        vals [DDC_SEC_ADMINS] = cJSON_CreateArray ();
        cJSON *admin = cJSON_CreateObject ();
        cJSON_AddStringToObject (admin, "id", "334455667788990011");
        cJSON_AddStringToObject (admin, "note", notes [i]);
        cJSON_AddItemToArray (vals [DDC_SEC_ADMINS], admin);
        if (i == 3)
            vals [DDC_SEC_BOT] = cJSON_Duplicate (store_section (store, DDC_SEC_BOT), 1);
        uint64_t revs [DDC_SEC_COUNT];
        for (int s = 0; s < DDC_SEC_COUNT; s++)
            revs [s] = (uint64_t) (s * 1000 + i) + (i == 2 ? 999999999999ull : 0);
        store_change_t changes [2] = { { 0 } };
        int count = 0;
        for (int s = 0; s < DDC_SEC_COUNT; s++)
            if (vals [s]) {
                changes [count].section = (ddc_section_t) s;
                changes [count].rev = 40 + (uint64_t) (i * 2 + count);
                changes [count].prev_rev = revs [s];
                changes [count].changed =
                    ddc_json_diff (ddc_section_name ((ddc_section_t) s), NULL, vals [s]);
                count++;
            }
        const char *when = "2026-12-07T23:59:59.123Z";
        char *text = s_journal_record (store, 41 + (uint64_t) i, revs, changes, count, vals, when,
                                       authors [i], "monitor@unit");
        char *want = s_record_as_tree (store, 41 + (uint64_t) i, revs, changes, count, vals, when,
                                       authors [i], "monitor@unit");
        CHECK (text && want && strcmp (text, want) == 0);
        if (text && want && strcmp (text, want) != 0)
            fprintf (stderr, "text %s\ntree %s\n", text, want);
        free (text);
        free (want);
        for (int k = 0; k < count; k++)
            store_change_free (&changes [k]);
        for (int s = 0; s < DDC_SEC_COUNT; s++)
            cJSON_Delete (vals [s]);
    }
    //  saved with such an author and note, the record is replayed: the
    //  journal is what the next start reads when config.json is behind
    cJSON *value = cJSON_Parse ("[{\"id\": \"334455667788990011\", \"note\": \"x\\\"y\"}]");
    cJSON *errors = cJSON_CreateArray ();
    store_change_t change = { 0 };
    CHECK_EQ (store_save (store, DDC_SEC_ADMINS, value, 0, authors [1], "unit", errors, &change,
                          err, sizeof (err)),
              STORE_OK);
    store_change_free (&change);
    cJSON_Delete (errors);
    cJSON_Delete (value);
    char *journal = s_file (dir, "config.journal");
    CHECK (journal && strstr (journal, "\"author\":\"a \\\"quoted\\\" \\\\ name\""));
    char *copy = s_tmpdir ();
    mkdir (copy, 0700);
    char *config = s_file (dir, "config.json");
    s_put (copy, "config.json", config, config ? strlen (config) : 0);
    s_put (copy, "config.journal", journal, journal ? strlen (journal) : 0);
    free (config);
    free (journal);
    store_destroy (&store);
    store_t *again = store_new (copy, err, sizeof (err));
    CHECK (again);
    CHECK_STR (s_note (again), "x\"y");
    cJSON *entry = store_history_entry (again, DDC_SEC_ADMINS, store_rev (again), &(bool){ false });
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (entry, "author")),
               authors [1]);
    cJSON_Delete (entry);
    store_destroy (&again);
    s_rmdir (dir);
    s_rmdir (copy);
}

//  A hand edit of the file as it was before a save not written to it yet:
//  the section it changed is taken, the saved one is not taken back. The
//  file as the store wrote it is known from its text, held as it is or
//  deflated (`pack`).
static void
s_hand_edit_while_behind (bool pack)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    CHECK_EQ (s_save_admins (store, "saved"), STORE_OK);
    CHECK_EQ (s_file_rev (dir), 1);
    if (pack) {
        CHECK (store_pack (store));
        CHECK (packed_is_deflated (store->seen_text));
    }
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

DDC_TEST (test_hand_edit_while_behind_changes_only_its_sections)
{
    s_hand_edit_while_behind (false);
    s_hand_edit_while_behind (true);
}

//  A config.json touched but not changed is no edit, with the text of our
//  write held deflated too; a change is one.
DDC_TEST (test_touch_is_no_edit)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    for (int pack = 0; pack < 2; pack++) {
        if (pack)
            CHECK (store_pack (store) && packed_is_deflated (store->seen_text));
        char *text = s_file (dir, "config.json");
        nanosleep (&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
        s_put (dir, "config.json", text, strlen (text)); //  rewritten, same bytes
        free (text);
        store_change_t changes [DDC_SEC_COUNT];
        memset (changes, 0, sizeof (changes));
        CHECK_EQ (store_poll_file (store, changes), 0);
        CHECK_EQ (store_rev (store), 1);
    }
    char *text = s_file (dir, "config.json");
    char *at = strstr (text, "\"language\":\t\"en\"");
    CHECK (at != NULL);
    if (at)
        memcpy (at + strlen ("\"language\":\t\""), "de", 2);
    s_put (dir, "config.json", text, strlen (text));
    free (text);
    store_change_t changes [DDC_SEC_COUNT];
    memset (changes, 0, sizeof (changes));
    CHECK_EQ (store_poll_file (store, changes), 1);
    store_change_free (&changes [0]);
    CHECK_EQ (store_rev (store), 2);
    store_destroy (&store);
    s_rmdir (dir);
}

//  A packed text reads back the same, held as text or deflated; one that
//  does not get smaller stays text; equality is byte for byte.
DDC_TEST (test_packed_text)
{
    packed_stream_t *stream = packed_stream_new ();
    size_t len = 100000;
    char *text = ddc_malloc (len + 1);
    for (size_t i = 0; i < len; i++)
        text [i] = "{\"name\": \"box\", \"order\": 1}, " [i % 29];
    text [len] = '\0';
    char *copy = ddc_strndup (text, len);
    packed_t *p = packed_new (&text, len);
    CHECK (text == NULL);
    CHECK (!packed_is_deflated (p) && packed_held (p) == len && packed_len (p) == len);
    CHECK (packed_equals (p, copy, len));
    CHECK_EQ (packed_deflate (p, stream), len);
    CHECK (packed_is_deflated (p) && packed_held (p) < len / 20 && packed_len (p) == len);
    CHECK_EQ (packed_deflate (p, stream), 0); //  once
    CHECK (packed_equals (p, copy, len));
    CHECK (!packed_equals (p, copy, len - 1));
    copy [len / 2] ^= 1;
    CHECK (!packed_equals (p, copy, len));
    copy [len / 2] ^= 1;
    size_t got_len = 0;
    char *got = packed_text (p, &got_len);
    CHECK (got && got_len == len && memcmp (got, copy, len) == 0 && got [len] == '\0');
    free (got);
    packed_destroy (&p);
    CHECK (p == NULL);
    //  random bytes do not deflate: kept as they are, and not tried again
    unsigned char *noise = ddc_malloc (4097);
    uint32_t x = 2463534242u;
    for (int i = 0; i < 4096; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        noise [i] = (unsigned char) x;
    }
    noise [4096] = 0;
    memcpy (copy, noise, 4096);
    text = (char *) noise;
    p = packed_new (&text, 4096);
    CHECK_EQ (packed_deflate (p, stream), 4096);
    CHECK (!packed_is_deflated (p) && packed_held (p) == 4096);
    CHECK_EQ (packed_deflate (p, stream), 0);
    CHECK (packed_equals (p, copy, 4096));
    packed_destroy (&p);
    //  an empty text
    text = ddc_strdup ("");
    p = packed_new (&text, 0);
    packed_deflate (p, stream);
    got = packed_text (p, &got_len);
    CHECK (got && got_len == 0 && got [0] == '\0');
    free (got);
    packed_destroy (&p);
    free (copy);
    packed_stream_destroy (&stream);
    CHECK (stream == NULL);
}

//  Texts deflated one after another through one stream: each is what
//  compress2 makes of it alone (same length, same bytes back), also
//  after a text that did not get smaller; a stream never used costs no
//  zlib state.
DDC_TEST (test_packed_stream)
{
    packed_stream_t *idle = packed_stream_new ();
    packed_stream_destroy (&idle);
    packed_stream_t *stream = packed_stream_new ();
    for (int round = 0; round < 6; round++) {
        size_t len = 3000 + (size_t) round * 7919;
        char *text = ddc_malloc (len + 1);
        uint32_t x = 2463534242u + (uint32_t) round;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            //  round 3: noise, which does not get smaller
            text [i] = round == 3 ? (char) (x % 255 + 1)
                                  : "{\"id\": \"abc\", \"n\": 12}, " [x % 7 ? i % 24 : x % 24];
        }
        text [len] = '\0';
        char *copy = ddc_malloc (len + 1);
        memcpy (copy, text, len + 1);
        uLongf alone = compressBound ((uLong) len);
        unsigned char *out = ddc_malloc (alone);
        CHECK (compress2 (out, &alone, (const Bytef *) copy, (uLong) len, Z_BEST_SPEED) == Z_OK);
        packed_t *p = packed_new (&text, len);
        CHECK_EQ (packed_deflate (p, stream), len);
        if (round == 3)
            CHECK (!packed_is_deflated (p) && packed_held (p) == len);
        else
            CHECK (packed_is_deflated (p) && packed_held (p) == (size_t) alone
                   && memcmp (p->packed, out, alone) == 0);
        size_t got_len = 0;
        char *got = packed_text (p, &got_len);
        CHECK (got && got_len == len && memcmp (got, copy, len) == 0);
        free (got);
        free (out);
        free (copy);
        packed_destroy (&p);
    }
    packed_stream_destroy (&stream);
}

//  Save a containers section of n containers (the first named `tag`).
static store_result_t
s_save_containers (store_t *store, int n, const char *tag)
{
    cJSON *value = cJSON_CreateArray ();
    for (int i = 1; i <= n; i++) {
        cJSON *c = cJSON_CreateObject ();
        char text [64];
        snprintf (text, sizeof (text), "h-%d", (i - 1) % 20 + 1);
        cJSON_AddStringToObject (c, "host", text);
        snprintf (text, sizeof (text), "box-%d", i);
        cJSON_AddStringToObject (c, "name", text);
        snprintf (text, sizeof (text), "Box %d%s", i, i == 1 ? tag : "");
        cJSON_AddStringToObject (c, "display_name", text);
        cJSON_AddNumberToObject (c, "order", i);
        cJSON_AddItemToArray (value, c);
    }
    cJSON *errors = cJSON_CreateArray ();
    store_change_t change = { 0 };
    char err [256];
    store_result_t r = store_save (store, DDC_SEC_CONTAINERS, value, 0, "test", "unit", errors,
                                   &change, err, sizeof (err));
    if (r == STORE_OK)
        store_change_free (&change);
    cJSON_Delete (errors);
    cJSON_Delete (value);
    return r;
}

//  The display name of the first container of the history's value at rev.
static char *
s_history_first_name (store_t *store, uint64_t rev)
{
    bool gone = true;
    cJSON *value = store_history_value (store, DDC_SEC_CONTAINERS, rev, &gone);
    const char *name = cJSON_GetStringValue (
        cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (value, 0), "display_name"));
    char *out = name ? ddc_strdup (name) : NULL;
    cJSON_Delete (value);
    return out;
}

//  History values are deflated once they are in history.jsonl, a bounded
//  amount of text a call, and read back the same: by the history, by
//  history.jsonl when it is compacted and at the next start.
DDC_TEST (test_history_values_are_kept_deflated)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    CHECK (store);
    const char *tags [] = { " a", " b", " c", " d", " e", " f" };
    for (int i = 0; i < 6; i++)
        CHECK_EQ (s_save_containers (store, 1000, tags [i]), STORE_OK);
    CHECK_EQ (store->history_n, 6);
    size_t text_bytes = store->history_bytes;
    CHECK (text_bytes > 2 * STORE_PACK_BYTES);
    CHECK_EQ (store->history_held, text_bytes);
    //  not before they are in history.jsonl
    while (store_pack (store))
        ;
    CHECK_EQ (store->history_held, text_bytes);
    store_checkpoint (store, true);
    CHECK_EQ (s_history_lines (dir), 6);
    //  a bounded step: config.json's text, then the oldest values, until
    //  STORE_PACK_BYTES of text
    CHECK (!packed_is_deflated (store->seen_text));
    CHECK (store_pack (store));
    CHECK (packed_is_deflated (store->seen_text));
    int packed = 0;
    size_t done = packed_len (store->seen_text);
    while (packed < store->history_n && packed_is_deflated (store->history [packed].value))
        done += packed_len (store->history [packed++].value);
    CHECK (packed >= 1 && packed < 6);
    CHECK (done >= STORE_PACK_BYTES);
    CHECK (done - packed_len (store->history [packed - 1].value) < STORE_PACK_BYTES);
    for (int i = packed; i < store->history_n; i++)
        CHECK (!packed_is_deflated (store->history [i].value));
    int calls = 1;
    while (store_pack (store))
        calls++;
    CHECK (calls >= 2);
    for (int i = 0; i < store->history_n; i++) {
        const packed_t *v = store->history [i].value;
        CHECK (packed_is_deflated (v) && packed_held (v) < packed_len (v) / 5);
    }
    CHECK_EQ (store->history_bytes, text_bytes);
    CHECK (store->history_held < text_bytes / 5);
    //  read back: values, entries, summaries
    for (int i = 0; i < 6; i++) {
        char *name = s_history_first_name (store, store->history [i].rev);
        char want [16];
        snprintf (want, sizeof (want), "Box 1%s", tags [i]);
        CHECK_STR (name, want);
        free (name);
    }
    bool gone = false;
    cJSON *entry = store_history_entry (store, -1, store->history [5].rev, &gone);
    const cJSON *raw = cJSON_GetObjectItemCaseSensitive (entry, "value");
    CHECK (cJSON_IsRaw (raw) && strlen (raw->valuestring) == packed_len (store->history [5].value));
    CHECK (strstr (raw->valuestring, "Box 1 f"));
    cJSON_Delete (entry);
    cJSON *list = store_history (store, DDC_SEC_CONTAINERS);
    CHECK_EQ (cJSON_GetArraySize (list), 6);
    CHECK_EQ ((size_t) cJSON_GetNumberValue (
                  cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (list, 0), "bytes")),
              packed_len (store->history [0].value));
    cJSON_Delete (list);
    //  history.jsonl rewritten from the deflated values, then read at start
    s_history_compact (store);
    CHECK_EQ (s_history_lines (dir), 6);
    uint64_t last = store->history [5].rev;
    store_destroy (&store);
    store = store_new (dir, err, sizeof (err));
    CHECK (store);
    CHECK_EQ (store->history_n, 6);
    CHECK_EQ (store->history_bytes, text_bytes);
    char *name = s_history_first_name (store, last);
    CHECK_STR (name, "Box 1 f");
    free (name);
    store_destroy (&store);
    s_rmdir (dir);
}

//  Point the store's journal at another file (its writes or its flushes
//  then fail); returns the journal's own descriptor, to put back.
static int
s_journal_onto (store_t *store, const char *path)
{
    int *records = journal_direct (store->journal) ? &store->journal->dfd : &store->journal->fd;
    int saved = dup (*records);
    int fd = open (path, O_RDWR | O_CLOEXEC);
    dup2 (fd, *records);
    close (fd);
    return saved;
}

static void
s_journal_back (store_t *store, int saved)
{
    dup2 (saved, journal_direct (store->journal) ? store->journal->dfd : store->journal->fd);
    close (saved);
}

//  The size of every section but s, counted afresh: what the store's kept
//  sizes must say.
static size_t
s_counted_others (store_t *store, ddc_section_t s)
{
    size_t total = 0;
    for (int o = 0; o < DDC_SEC_COUNT; o++)
        if (o != (int) s)
            total += ddc_config_json_bytes (store_section (store, (ddc_section_t) o));
    return total;
}

DDC_TEST (test_failed_saves_change_nothing)
{
    char *dir = s_tmpdir ();
    char err [256];
    store_t *store = store_new (dir, err, sizeof (err));
    CHECK (store);
    CHECK_EQ (s_save_admins (store, "one"), STORE_OK);
    uint64_t rev = store_rev (store);
    const cJSON *bot = store_section (store, DDC_SEC_BOT);
    char *bot_text = cJSON_PrintUnformatted (bot);
    //  A write that fails (a full disk): the save fails, nothing changed
    int saved = s_journal_onto (store, "/dev/full");
    CHECK_EQ (s_save_admins (store, "two"), STORE_FAILED);
    s_journal_back (store, saved);
    CHECK_STR (s_note (store), "one");
    CHECK_EQ (store_rev (store), rev);
    //  A group whose flush fails (fdatasync of /dev/null: EINVAL; a direct
    //  write to /dev/full: ENOSPC): every save of it is taken back, to the
    //  values before the group
    store_group_begin (store);
    CHECK_EQ (s_save_admins (store, "three"), STORE_OK);
    CHECK_EQ (s_save_admins (store, "four"), STORE_OK);
    CHECK_STR (s_note (store), "four");
    CHECK_EQ (store_rev (store), rev + 2);
    CHECK_EQ (s_others_bytes (store, DDC_SEC_BOT), s_counted_others (store, DDC_SEC_BOT));
    saved = s_journal_onto (store, journal_direct (store->journal) ? "/dev/full" : "/dev/null");
    CHECK_EQ (store_group_end (store, err, sizeof (err)), -1);
    s_journal_back (store, saved);
    CHECK_STR (s_note (store), "one");
    CHECK_EQ (store_rev (store), rev);
    CHECK_EQ (store_section_rev (store, DDC_SEC_ADMINS), rev);
    //  the section keeps its place in the document, the others are as
    //  they were
    const cJSON *first = store->doc->child;
    for (int s = 0; s < DDC_SEC_COUNT && first; s++, first = first->next)
        if (s == DDC_SEC_ADMINS)
            CHECK_STR (first->string, "admins");
    char *after = cJSON_PrintUnformatted (store_section (store, DDC_SEC_BOT));
    CHECK_STR (after, bot_text);
    free (after);
    free (bot_text);
    //  and a group that is flushed keeps its last value
    store_group_begin (store);
    CHECK_EQ (s_save_admins (store, "five"), STORE_OK);
    CHECK_EQ (s_save_admins (store, "six"), STORE_OK);
    CHECK_EQ (store_group_end (store, err, sizeof (err)), 0);
    CHECK_STR (s_note (store), "six");
    CHECK_EQ (store_rev (store), rev + 2);
    //  a revision number that came again, with another value (taken back
    //  above): its size is counted again
    CHECK_EQ (s_others_bytes (store, DDC_SEC_BOT), s_counted_others (store, DDC_SEC_BOT));
    store_destroy (&store);
    //  what was durable is what a new start finds
    store = store_new (dir, err, sizeof (err));
    CHECK (store);
    CHECK_STR (s_note (store), "six");
    CHECK_EQ (store_rev (store), rev + 2);
    //  a revision number that came again, with another value (taken back
    //  above): its size is counted again
    CHECK_EQ (s_others_bytes (store, DDC_SEC_BOT), s_counted_others (store, DDC_SEC_BOT));
    store_destroy (&store);
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
    DDC_RUN (test_journal_record_text);
    DDC_RUN (test_hand_edit_while_behind_changes_only_its_sections);
    DDC_RUN (test_packed_text);
    DDC_RUN (test_packed_stream);
    DDC_RUN (test_touch_is_no_edit);
    DDC_RUN (test_history_values_are_kept_deflated);
    DDC_RUN (test_failed_saves_change_nothing);
    DDC_DONE ();
}
