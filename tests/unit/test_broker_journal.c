/*  test_broker_journal: the broker's write-ahead log of saves (journal.c):
    records appended and flushed, read back in order, a record cut by a
    crash left out, an unflushed record taken out again, an empty
    journal after a reset, and records written in place over the zeros of
    a preallocated file (its size unchanged by a save), and every flush
    counted in the journal's metric (a sync with nothing new flushes
    nothing). Each of those runs twice: with direct writes (the broker's
    way where the file system takes O_DIRECT) and with buffered writes and
    fdatasync. Then: the two ways leave the same bytes in the file after
    any series of appends, syncs, undos, resets and reopenings; a direct
    journal says whether the file system took O_DIRECT, and goes on with
    fdatasync when its first direct write is refused; and a write the
    file's size limit cuts short fails, changes nothing that was durable,
    and leaves nothing of itself behind a later record. */
#include "../../services/broker/journal.c"

#include "ddc_test.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>

static bool s_direct; //  how the tests below open their journals

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

//  Opened again, the journal at path gives `count` whole records, the
//  last one `last`, and nothing cut.
static void
s_reads_back (const char *path, bool direct, int count, const char *last)
{
    char err [200];
    journal_t *j = journal_new (path, direct, err, sizeof (err));
    CHECK (j);
    s_seen_t seen = { 0 };
    bool torn = true;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), count);
    CHECK (!torn);
    CHECK_STR (seen.got [count - 1], last);
    journal_destroy (&j);
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

static void
test_append_sync_read (void)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, s_direct, err, sizeof (err));
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
    j = journal_new (path, s_direct, err, sizeof (err));
    CHECK_EQ (journal_bytes (j), 16);
    s_seen_t stop = { .stop_after = 1 };
    CHECK_EQ (journal_read (j, s_collect, &stop, &torn, err, sizeof (err)), 1);
    journal_destroy (&j);
    s_remove (path);
}

static void
test_cut_record_left_out (void)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, s_direct, err, sizeof (err));
    CHECK (journal_append (j, "{\"whole\":true}") == 0 && journal_sync (j) == 0);
    size_t end = journal_bytes (j);
    journal_destroy (&j);
    int fd = open (path, O_WRONLY);
    CHECK (pwrite (fd, "{\"cut\":", 7, (off_t) end) == 7); //  a crash mid-write
    close (fd);
    j = journal_new (path, s_direct, err, sizeof (err));
    s_seen_t seen = { 0 };
    bool torn = false;
    CHECK_EQ (journal_read (j, s_collect, &seen, &torn, err, sizeof (err)), 1);
    CHECK (torn);
    CHECK_STR (seen.got [0], "{\"whole\":true}");
    journal_destroy (&j);
    s_remove (path);
}

static void
test_undo_and_reset (void)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, s_direct, err, sizeof (err));
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
    CHECK_EQ (journal_bytes (j), 3);
    journal_destroy (&j);
    s_reads_back (path, s_direct, 1, "{}");
    s_remove (path);
}

//  A save's record goes over zeros: the file keeps its size (no metadata
//  to flush) until the records pass a chunk, then it grows by a chunk.
static void
test_records_in_place (void)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, s_direct, err, sizeof (err));
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
    j = journal_new (path, s_direct, err, sizeof (err));
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
static void
test_unpadded_and_cut_before_zeros (void)
{
    char *path = s_dir ();
    char err [200];
    FILE *f = fopen (path, "w");
    fputs ("{\"old\":1}\n", f);
    fclose (f);
    journal_t *j = journal_new (path, s_direct, err, sizeof (err));
    CHECK_EQ (journal_bytes (j), 10);
    struct stat st;
    CHECK (stat (path, &st) == 0 && st.st_size == JOURNAL_CHUNK);
    CHECK (journal_append (j, "{\"new\":2}") == 0 && journal_sync (j) == 0);
    journal_destroy (&j);
    int fd = open (path, O_WRONLY);
    CHECK (pwrite (fd, "{\"cut\":", 7, 20) == 7); //  a crash mid-write
    close (fd);
    j = journal_new (path, s_direct, err, sizeof (err));
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

static void
test_unopenable (void)
{
    char err [200] = "";
    journal_t *j = journal_new ("/nonexistent-folder/config.journal", s_direct, err, sizeof (err));
    CHECK (!j);
    CHECK (strstr (err, "cannot open /nonexistent-folder/config.journal"));
}

//  Each flush (a sync with records pending, a reset) is one observation
//  of ddc_broker_journal_flush_seconds; a sync with nothing new is none.
static void
test_flushes_counted (void)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, s_direct, err, sizeof (err));
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

//  Each test above, once each way.
#define DDC_BOTH_WAYS(fn)     \
    DDC_TEST (fn##_direct)    \
    {                         \
        s_direct = true;      \
        fn ();                \
    }                         \
    DDC_TEST (fn##_fdatasync) \
    {                         \
        s_direct = false;     \
        fn ();                \
    }
DDC_BOTH_WAYS (test_append_sync_read)
DDC_BOTH_WAYS (test_cut_record_left_out)
DDC_BOTH_WAYS (test_undo_and_reset)
DDC_BOTH_WAYS (test_records_in_place)
DDC_BOTH_WAYS (test_unpadded_and_cut_before_zeros)
DDC_BOTH_WAYS (test_unopenable)
DDC_BOTH_WAYS (test_flushes_counted)

//  The file's bytes, all of them.
static char *
s_file (const char *path, size_t *len)
{
    char *text = NULL;
    *len = 0;
    return ddc_read_file (path, JOURNAL_FILE_MAX, &text, len) == 0 ? text : NULL;
}

static bool
s_same_file (const char *a, const char *b)
{
    size_t alen, blen;
    char *at = s_file (a, &alen), *bt = s_file (b, &blen);
    bool same = at && bt && alen == blen && memcmp (at, bt, alen) == 0;
    free (at);
    free (bt);
    return same;
}

//  A series of appends (across block boundaries, one larger than the block
//  buffer kept), group syncs, undos, resets and reopenings, done to a
//  direct journal and a buffered one: after each step both files hold the
//  same bytes, and what is read back after a reopening is every durable
//  record in order.
DDC_TEST (test_both_ways_same_bytes)
{
    char *paths [2] = { s_dir (), s_dir () };
    char err [200];
    journal_t *js [2];
    for (int w = 0; w < 2; w++)
        js [w] = journal_new (paths [w], w == 0, err, sizeof (err));
    CHECK (js [0] && js [1] && !journal_direct (js [1]));
    size_t big = JOURNAL_BLOCK_KEEP + 3000;
    char *record = ddc_malloc (big + 1);
    int durable = 0;
    for (int step = 0; step < 400; step++) {
        //  sizes from 1 to 9,000 bytes, and now and then the big one
        size_t len = step % 97 == 50 ? big : 1 + (size_t) (step * 7919) % 9000;
        memset (record, 'a' + step % 26, len);
        record [len] = '\0';
        int op = step % 11;
        for (int w = 0; w < 2; w++) {
            CHECK_EQ (journal_append (js [w], record), 0);
            if (op == 3)
                journal_undo (js [w]);   //  a failed save
            else if (op != 5 && op != 6) //  5, 6: a group, synced at 7
                CHECK_EQ (journal_sync (js [w]), 0);
        }
        if (op != 3)
            durable++;
        if (step % 37 == 36) {
            for (int w = 0; w < 2; w++)
                CHECK_EQ (journal_reset (js [w]), 0);
            durable = 0;
        }
        if (step % 23 == 22 && op != 5 && op != 6) {
            for (int w = 0; w < 2; w++) {
                journal_destroy (&js [w]);
                js [w] = journal_new (paths [w], w == 0, err, sizeof (err));
                s_seen_t seen = { 0 };
                bool torn = true;
                CHECK_EQ (journal_read (js [w], s_collect, &seen, &torn, err, sizeof (err)),
                          durable);
                CHECK (!torn);
            }
        }
        if (op != 5 && op != 6)
            CHECK (s_same_file (paths [0], paths [1]));
        CHECK_EQ (journal_bytes (js [0]), journal_bytes (js [1]));
        CHECK_EQ (journal_records (js [0]), journal_records (js [1]));
    }
    CHECK (journal_direct (js [0]) || !s_direct);
    free (record);
    for (int w = 0; w < 2; w++) {
        journal_destroy (&js [w]);
        s_remove (paths [w]);
    }
}

//  A direct journal writes directly where the file system takes O_DIRECT,
//  and with fdatasync where it does not; asked for buffered writes, it
//  never writes directly.
DDC_TEST (test_direct_where_taken)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, true, err, sizeof (err));
    int probe = open (path, O_WRONLY | O_DIRECT | O_CLOEXEC);
    CHECK_EQ (journal_direct (j), probe >= 0);
    if (probe >= 0)
        close (probe);
    journal_destroy (&j);
    j = journal_new (path, false, err, sizeof (err));
    CHECK (!journal_direct (j));
    journal_destroy (&j);
    s_remove (path);
}

//  A file system that takes O_DIRECT at open but refuses its writes
//  (EINVAL; here the journal's direct descriptor is made one that gives
//  EINVAL to any write, /proc/self/oom_score_adj, and changes nothing for
//  what it cannot parse): the first sync goes on with buffered writes and
//  fdatasync, and its records are in the file.
DDC_TEST (test_direct_refused_falls_back)
{
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, true, err, sizeof (err));
    CHECK (j);
    if (!journal_direct (j))
        DDC_SKIP ("the file system here refuses O_DIRECT at open");
    int refusing = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    CHECK (refusing >= 0 && dup2 (refusing, j->dfd) == j->dfd);
    close (refusing);
    CHECK (journal_append (j, "{\"a\":1}") == 0 && journal_append (j, "{\"b\":2}") == 0);
    CHECK_EQ (journal_sync (j), 0);
    CHECK (!journal_direct (j));
    CHECK (journal_append (j, "{\"c\":3}") == 0 && journal_sync (j) == 0);
    journal_destroy (&j);
    s_reads_back (path, false, 3, "{\"c\":3}");
    s_remove (path);
}

//  The file may not pass 2 chunks (RLIMIT_FSIZE, as a full disk would): a
//  record that would cross that end fails and is taken out, the records
//  before it stay as they were, and the next record, which ends where a
//  block ends, is read back right after them with nothing of the failed
//  one behind it (it would join the record after it at the next start).
static void
test_write_cut_short (void)
{
    signal (SIGXFSZ, SIG_IGN);
    char *path = s_dir ();
    char err [200];
    journal_t *j = journal_new (path, s_direct, err, sizeof (err));
    size_t fill = 2 * JOURNAL_CHUNK - 9000;
    char *record = ddc_malloc (fill + 1);
    memset (record, 'f', fill);
    record [fill] = '\0';
    CHECK (journal_append (j, record) == 0 && journal_sync (j) == 0);
    struct rlimit lim = { 2 * JOURNAL_CHUNK, 2 * JOURNAL_CHUNK };
    CHECK_EQ (setrlimit (RLIMIT_FSIZE, &lim), 0);
    memset (record, 'x', 20000); //  crosses the end
    record [20000] = '\0';
    int rc = journal_append (j, record);
    if (rc == 0)
        rc = journal_sync (j);
    CHECK_EQ (rc, -1);
    CHECK_EQ (journal_bytes (j), fill + 1);
    CHECK_EQ (journal_records (j), 1);
    size_t to_block = JOURNAL_ALIGN - (fill + 1) % JOURNAL_ALIGN - 1;
    memset (record, 'b', to_block);
    record [to_block] = '\0';
    CHECK (journal_append (j, record) == 0 && journal_sync (j) == 0);
    CHECK_EQ (journal_bytes (j) % JOURNAL_ALIGN, 0);
    journal_destroy (&j);
    j = journal_new (path, s_direct, err, sizeof (err));
    CHECK (j);
    CHECK_EQ (journal_bytes (j), fill + 1 + to_block + 1);
    CHECK (journal_append (j, "{\"last\":1}") == 0 && journal_sync (j) == 0);
    journal_destroy (&j);
    s_reads_back (path, s_direct, 3, "{\"last\":1}");
    free (record);
    s_remove (path);
}
DDC_BOTH_WAYS (test_write_cut_short)

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_append_sync_read_direct);
    DDC_RUN (test_append_sync_read_fdatasync);
    DDC_RUN (test_cut_record_left_out_direct);
    DDC_RUN (test_cut_record_left_out_fdatasync);
    DDC_RUN (test_undo_and_reset_direct);
    DDC_RUN (test_undo_and_reset_fdatasync);
    DDC_RUN (test_records_in_place_direct);
    DDC_RUN (test_records_in_place_fdatasync);
    DDC_RUN (test_unpadded_and_cut_before_zeros_direct);
    DDC_RUN (test_unpadded_and_cut_before_zeros_fdatasync);
    DDC_RUN (test_unopenable_direct);
    DDC_RUN (test_unopenable_fdatasync);
    DDC_RUN (test_flushes_counted_direct);
    DDC_RUN (test_flushes_counted_fdatasync);
    DDC_RUN (test_write_cut_short_direct);
    DDC_RUN (test_write_cut_short_fdatasync);
    DDC_RUN (test_both_ways_same_bytes);
    DDC_RUN (test_direct_where_taken);
    DDC_RUN (test_direct_refused_falls_back);
    DDC_DONE ();
}
