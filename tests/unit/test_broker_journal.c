/*  test_broker_journal: the broker's write-ahead log of saves (journal.c):
    records appended and flushed, read back in order, a record cut by a
    crash left out, an unflushed record taken out again, an empty
    journal after a reset, and records written in place over the zeros of
    a preallocated file (its size unchanged by a save), and every flush
    counted in the journal's metric (a sync with nothing new flushes
    nothing). */
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
    size_t end = journal_bytes (j);
    journal_destroy (&j);
    int fd = open (path, O_WRONLY);
    CHECK (pwrite (fd, "{\"cut\":", 7, (off_t) end) == 7); //  a crash mid-write
    close (fd);
    j = journal_new (path, err, sizeof (err));
    s_seen_t seen = { 0 };
    bool torn = false;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 1);
    CHECK (torn);
    CHECK_STR (seen.got [0], "{\"whole\":true}");
    journal_destroy (&j);
    s_remove (path);
}

DDC_TEST (test_undo_and_reset)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, err, sizeof (err));
    CHECK (journal_append (j, "{\"kept\":1}") == 0 && journal_sync (j) == 0);
    size_t mark = journal_bytes (j);
    CHECK_EQ (journal_append (j, "{\"pending\":2}"), 0);
    journal_undo (j); //  not flushed: taken out
    CHECK (journal_bytes (j) == mark && journal_records (j) == 1);
    s_seen_t seen = { 0 };
    bool torn;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 1);
    CHECK_STR (seen.got [0], "{\"kept\":1}");
    CHECK_EQ (journal_reset (j), 0);
    CHECK (journal_bytes (j) == 0 && journal_records (j) == 0);
    struct stat st;
    CHECK (stat (path, &st) == 0 && st.st_size == JOURNAL_CHUNK && (st.st_mode & 0777) == 0600);
    seen.n = 0;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 0);
    //  a shorter record after the reset: nothing older shows behind it
    CHECK (journal_append (j, "{}") == 0 && journal_sync (j) == 0);
    journal_destroy (&j);
    j = journal_new (path, err, sizeof (err));
    CHECK_EQ (journal_bytes (j), 3);
    seen.n = 0;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 1);
    CHECK (!torn);
    CHECK_STR (seen.got [0], "{}");
    journal_destroy (&j);
    s_remove (path);
}

//  A save's record goes over zeros: the file keeps its size (no metadata
//  to flush) until the records pass a chunk, then it grows by a chunk.
DDC_TEST (test_records_in_place)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, err, sizeof (err));
    struct stat st;
    CHECK (stat (path, &st) == 0 && st.st_size == JOURNAL_CHUNK);
    CHECK (journal_append (j, "{\"a\":1}") == 0 && journal_sync (j) == 0);
    CHECK (stat (path, &st) == 0 && st.st_size == JOURNAL_CHUNK);
    size_t big = JOURNAL_CHUNK;
    char *record = ddc_malloc (big + 1);
    memset (record, 'x', big);
    record [big] = '\0';
    CHECK (journal_append (j, record) == 0 && journal_sync (j) == 0);
    CHECK_EQ (journal_bytes (j), 8 + big + 1);
    CHECK (stat (path, &st) == 0 && st.st_size == 2 * JOURNAL_CHUNK);
    free (record);
    journal_destroy (&j);
    j = journal_new (path, err, sizeof (err));
    CHECK_EQ (journal_bytes (j), 8 + big + 1);
    s_seen_t seen = { 0 };
    bool torn;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 2);
    CHECK (!torn);
    journal_destroy (&j);
    s_remove (path);
}

//  A journal written without zeros (an older broker) is read as it is and
//  padded; a record cut by a crash before the zeros is left out.
DDC_TEST (test_unpadded_and_cut_before_zeros)
{
    char *path = s_dir ();
    char err [200];
    FILE *f = fopen (path, "w");
    fputs ("{\"old\":1}\n", f);
    fclose (f);
    journal_t *j = journal_new (path, err, sizeof (err));
    CHECK_EQ (journal_bytes (j), 10);
    struct stat st;
    CHECK (stat (path, &st) == 0 && st.st_size == JOURNAL_CHUNK);
    CHECK (journal_append (j, "{\"new\":2}") == 0 && journal_sync (j) == 0);
    journal_destroy (&j);
    int fd = open (path, O_WRONLY);
    CHECK (pwrite (fd, "{\"cut\":", 7, 20) == 7); //  a crash mid-write
    close (fd);
    j = journal_new (path, err, sizeof (err));
    CHECK_EQ (journal_bytes (j), 27);
    s_seen_t seen = { 0 };
    bool torn = false;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 2);
    CHECK (torn);
    CHECK_STR (seen.got [0], "{\"old\":1}");
    CHECK_STR (seen.got [1], "{\"new\":2}");
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

//  Each flush (a sync with records pending, a reset) is one observation
//  of ddc_broker_journal_flush_seconds; a sync with nothing new is none.
DDC_TEST (test_flushes_counted)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, err, sizeof (err));
    CHECK (journal_append (j, "{\"a\":1}") == 0 && journal_append (j, "{\"b\":2}") == 0);
    CHECK_EQ (journal_sync (j), 0); //  two records, one flush
    CHECK_EQ (journal_sync (j), 0); //  nothing new: no flush
    CHECK (journal_append (j, "{\"c\":3}") == 0 && journal_sync (j) == 0);
    CHECK_EQ (journal_reset (j), 0);
    ddc_metrics_t *m = ddc_metrics_new ();
    journal_report (j, m);
    cJSON *body = ddc_metrics_json (m);
    const cJSON *fam = cJSON_GetArrayItem (cJSON_GetObjectItem (body, "families"), 0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (fam, "name")),
               "ddc_broker_journal_flush_seconds");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (fam, "type")), "histogram");
    const cJSON *sample = cJSON_GetArrayItem (cJSON_GetObjectItem (fam, "samples"), 0);
    CHECK_EQ ((int) cJSON_GetNumberValue (cJSON_GetObjectItem (sample, "count")), 3);
    CHECK (cJSON_GetNumberValue (cJSON_GetObjectItem (sample, "sum")) > 0);
    cJSON_Delete (body);
    ddc_metrics_destroy (&m);
    journal_destroy (&j);
    s_remove (path);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_append_sync_read);
    DDC_RUN (test_cut_record_left_out);
    DDC_RUN (test_undo_and_reset);
    DDC_RUN (test_records_in_place);
    DDC_RUN (test_unpadded_and_cut_before_zeros);
    DDC_RUN (test_unopenable);
    DDC_RUN (test_flushes_counted);
    DDC_DONE ();
}
