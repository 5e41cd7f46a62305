/*  test_broker_journal: the broker's write-ahead log of saves (journal.c):
    records appended and flushed, read back in order, a record cut by a
    crash left out, a failed save's record taken out again, and an empty
    journal after a reset. */
#include "../../services/broker/journal.c"

#include "ddc_test.h"

#include <stdbool.h>

typedef struct {
    char got [8][64];
    int n;
    int stop_after;
} s_seen_t;

static int
s_collect (void *arg, const char *record, size_t len)
{
    s_seen_t *seen = arg;
    if (seen->n < 8 && len < 64) {
        memcpy (seen->got [seen->n], record, len);
        seen->got [seen->n][len] = '\0';
    }
    seen->n++;
    return seen->stop_after && seen->n >= seen->stop_after ? -1 : 0;
}

static char *
s_dir (void)
{
    char tmpl [] = "/tmp/ddc-journal-XXXXXX";
    char *dir = mkdtemp (tmpl);
    return dir ? ddc_asprintf ("%s/config.journal", dir) : NULL;
}

static void
s_remove (char *path)
{
    unlink (path);
    *strrchr (path, '/') = '\0';
    rmdir (path);
    free (path);
}

DDC_TEST (test_append_sync_read)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, err, sizeof (err));
    CHECK (j);
    CHECK_EQ (journal_bytes (j), 0);
    CHECK_EQ (journal_append (j, "{\"a\":1}"), 0);
    CHECK_EQ (journal_append (j, "{\"b\":2}"), 0);
    CHECK_EQ (journal_sync (j), 0); //  one flush for both
    CHECK_EQ (journal_records (j), 2);
    CHECK_EQ (journal_bytes (j), 16);
    s_seen_t seen = { 0 };
    bool torn = true;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 2);
    CHECK (!torn);
    CHECK_STR (seen.got [0], "{\"a\":1}");
    CHECK_STR (seen.got [1], "{\"b\":2}");
    journal_destroy (&j);
    CHECK (!j);
    //  opened again: what is on disk
    j = journal_new (path, err, sizeof (err));
    CHECK_EQ (journal_bytes (j), 16);
    s_seen_t stop = { .stop_after = 1 };
    CHECK_EQ (journal_read (j, s_collect, &stop, &torn, err, sizeof (err)), 1);
    journal_destroy (&j);
    s_remove (path);
}

DDC_TEST (test_cut_record_left_out)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, err, sizeof (err));
    CHECK (journal_append (j, "{\"whole\":true}") == 0 && journal_sync (j) == 0);
    journal_destroy (&j);
    FILE *f = fopen (path, "a");
    fputs ("{\"cut\":", f); //  a crash mid-write
    fclose (f);
    j = journal_new (path, err, sizeof (err));
    s_seen_t seen = { 0 };
    bool torn = false;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 1);
    CHECK (torn);
    CHECK_STR (seen.got [0], "{\"whole\":true}");
    journal_destroy (&j);
    s_remove (path);
}

DDC_TEST (test_undo_cut_and_reset)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, err, sizeof (err));
    CHECK (journal_append (j, "{\"kept\":1}") == 0 && journal_sync (j) == 0);
    size_t mark = journal_bytes (j);
    CHECK_EQ (journal_append (j, "{\"pending\":2}"), 0);
    journal_undo (j); //  not flushed: taken out
    CHECK (journal_bytes (j) == mark && journal_records (j) == 1);
    CHECK (journal_append (j, "{\"flushed\":3}") == 0 && journal_sync (j) == 0);
    CHECK_EQ (journal_cut (j, mark), 0); //  its save failed later
    CHECK (journal_bytes (j) == mark && journal_records (j) == 1);
    s_seen_t seen = { 0 };
    bool torn;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 1);
    CHECK_STR (seen.got [0], "{\"kept\":1}");
    CHECK_EQ (journal_reset (j), 0);
    CHECK (journal_bytes (j) == 0 && journal_records (j) == 0);
    struct stat st;
    CHECK (stat (path, &st) == 0 && st.st_size == 0 && (st.st_mode & 0777) == 0600);
    seen.n = 0;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 0);
    journal_destroy (&j);
    s_remove (path);
}

DDC_TEST (test_unopenable)
{
    char err [200] = "";
    journal_t *j = journal_new ("/nonexistent-folder/config.journal", err, sizeof (err));
    CHECK (!j);
    CHECK (strstr (err, "cannot open /nonexistent-folder/config.journal"));
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_append_sync_read);
    DDC_RUN (test_cut_record_left_out);
    DDC_RUN (test_undo_cut_and_reset);
    DDC_RUN (test_unopenable);
    DDC_DONE ();
}
