/*  journal: the broker's write-ahead log of saves. See journal.h. */
#include "journal.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_ZERO_BLOCK (64 * 1024)

//  Never written, yet not const: in .bss the kernel reads it from the one
//  shared zero page, where const put its 64 KiB in the program's file
//  (read-only data, the broker's own pages once read)
static char s_zeros [JOURNAL_ZERO_BLOCK];

struct journal_t {
    char *path;
    int fd;
    size_t size;    //  the file's size: records, then zeros
    size_t bytes;   //  end of the records: durable + pending
    size_t durable; //  end of the records at the last successful sync
    int records;    //  since the last reset
    int durable_records;
    ddc_histogram_t flushes; //  every fdatasync's time, seconds
};

static const double s_flush_le [] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                      0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5 };

//  fdatasync, its time counted.
static int
s_flush (journal_t *self)
{
    int64_t began = ddc_mono_us ();
    int rc = fdatasync (self->fd);
    ddc_histogram_observe (&self->flushes, (double) (ddc_mono_us () - began) / 1e6);
    return rc;
}

//  Write len bytes of data (zeros when data is NULL) at offset. 0, or -1
//  (errno; ENOSPC for a write that took nothing).
static int
s_pwrite (int fd, const char *data, size_t len, size_t offset)
{
    size_t done = 0;
    while (done < len) {
        size_t want = len - done;
        if (!data && want > JOURNAL_ZERO_BLOCK)
            want = JOURNAL_ZERO_BLOCK;
        ssize_t n = pwrite (fd, data ? data + done : s_zeros, want, (off_t) (offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return -1;
        }
        done += (size_t) n;
    }
    return 0;
}

//  Zeros from the file's end up to the next JOURNAL_CHUNK boundary after
//  `end`: blocks written once, so that a record written there later
//  changes neither the file's size nor its block map. Best effort: a full
//  disk leaves the file as long as its records.
static void
s_grow (journal_t *self, size_t end)
{
    if (end < self->size)
        return;
    size_t target = (end / JOURNAL_CHUNK + 1) * JOURNAL_CHUNK;
    if (s_pwrite (self->fd, NULL, target - self->size, self->size) == 0)
        self->size = target;
    else if (ftruncate (self->fd, (off_t) self->size) < 0) {
        struct stat st;
        if (fstat (self->fd, &st) == 0)
            self->size = (size_t) st.st_size;
    }
}

//  The end of the records in the first `len` bytes of text: the first
//  zero byte, or len.
static size_t
s_records_end (const char *text, size_t len)
{
    const char *zero = memchr (text, '\0', len);
    return zero ? (size_t) (zero - text) : len;
}

journal_t *
journal_new (const char *path, char *err, size_t errlen)
{
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) < 0) {
        snprintf (err, errlen, "cannot open %s: %s", path, strerror (errno));
        if (fd >= 0)
            close (fd);
        return NULL;
    }
    journal_t *self = ddc_calloc (1, sizeof (*self));
    self->path = ddc_strdup (path);
    self->fd = fd;
    self->size = (size_t) st.st_size;
    ddc_histogram_init (&self->flushes, s_flush_le,
                        (int) (sizeof (s_flush_le) / sizeof (s_flush_le [0])));
    if (st.st_size > 0) {
        char *text = NULL;
        size_t len = 0;
        if (ddc_read_file (path, JOURNAL_FILE_MAX, &text, &len) < 0) {
            snprintf (err, errlen, "cannot read %s: %s", path, strerror (errno));
            journal_destroy (&self);
            return NULL;
        }
        self->bytes = s_records_end (text, len);
        free (text);
    }
    self->durable = self->bytes;
    if (self->size % JOURNAL_CHUNK != 0 || self->size == 0) {
        //  The zeros are made durable now, once: a save's flush is then
        //  its record's data alone.
        s_grow (self, self->bytes);
        if (ddc_fsync_path (path) < 0) {
            snprintf (err, errlen, "cannot write %s: %s", path, strerror (errno));
            journal_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
journal_destroy (journal_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    journal_t *self = *self_p;
    close (self->fd);
    free (self->path);
    free (self);
    *self_p = NULL;
}

//  Zeros over the records from `from` to their end (in the page cache; the
//  caller flushes when it must).
static int
s_clear (journal_t *self, size_t from)
{
    if (from >= self->bytes)
        return 0;
    if (s_pwrite (self->fd, NULL, self->bytes - from, from) < 0)
        return -1;
    self->bytes = from;
    return 0;
}

int
journal_append (journal_t *self, const char *record)
{
    size_t len = strlen (record);
    char *line = ddc_malloc (len + 1);
    memcpy (line, record, len);
    line [len] = '\n';
    int rc = s_pwrite (self->fd, line, len + 1, self->bytes);
    free (line);
    if (rc < 0) {
        //  Whatever part of it was written goes.
        int saved = errno;
        size_t start = self->bytes;
        self->bytes += len + 1;
        if (s_clear (self, start) < 0)
            self->bytes = start;
        errno = saved;
        return -1;
    }
    self->bytes += len + 1;
    if (self->bytes > self->size)
        self->size = self->bytes;
    s_grow (self, self->bytes);
    self->records++;
    return 0;
}

int
journal_sync (journal_t *self)
{
    if (self->bytes == self->durable)
        return 0;
    if (s_flush (self) < 0) {
        int saved = errno;
        journal_undo (self);
        errno = saved;
        return -1;
    }
    self->durable = self->bytes;
    self->durable_records = self->records;
    return 0;
}

void
journal_undo (journal_t *self)
{
    if (s_clear (self, self->durable) < 0)
        self->bytes = self->durable; //  a later record is written over them
    self->records = self->durable_records;
}

int
journal_read (journal_t *self, journal_fn *fn, void *arg, bool *torn, char *err, size_t errlen)
{
    *torn = false;
    char *text = NULL;
    size_t len = 0;
    if (ddc_read_file (self->path, JOURNAL_FILE_MAX, &text, &len) < 0) {
        snprintf (err, errlen, "cannot read %s: %s", self->path, strerror (errno));
        return -1;
    }
    len = s_records_end (text, len);
    int given = 0;
    size_t at = 0;
    while (at < len) {
        char *nl = memchr (text + at, '\n', len - at);
        if (!nl) {
            *torn = true; //  cut by a crash: never acknowledged
            break;
        }
        *nl = '\0';
        size_t n = (size_t) (nl - (text + at));
        if (n > 0) {
            given++;
            if (fn (arg, text + at, n) < 0)
                break;
        }
        at += n + 1;
    }
    free (text);
    return given;
}

int
journal_reset (journal_t *self)
{
    if (self->bytes == 0 && self->durable == 0)
        return 0;
    //  Zeros from the start: a crash part way leaves records that are
    //  already in config.json (skipped at start) or none.
    if (s_clear (self, 0) < 0 || s_flush (self) < 0)
        return -1;
    self->bytes = self->durable = 0;
    self->records = self->durable_records = 0;
    return 0;
}

size_t
journal_bytes (journal_t *self)
{
    return self->bytes;
}
int
journal_records (journal_t *self)
{
    return self->records;
}
const char *
journal_path (journal_t *self)
{
    return self->path;
}

void
journal_report (const journal_t *self, ddc_metrics_t *m)
{
    ddc_metrics_histogram (m, "ddc_broker_journal_flush_seconds",
                           "How long each flush (fdatasync) of the broker's journal "
                           "took: the disk's share of a save.",
                           &self->flushes, NULL);
}
