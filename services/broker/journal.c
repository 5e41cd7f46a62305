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
//  A direct write covers whole blocks of this size at offsets of this size:
//  any device's logical block (512 or 4096 bytes) fits in it.
#define JOURNAL_ALIGN 4096
//  A block buffer larger than this (grown by a large record) is given back
//  after its write.
#define JOURNAL_BLOCK_KEEP (64 * 1024)

//  Never written, yet not const: in .bss the kernel reads it from the one
//  shared zero page, where const put its 64 KiB in the program's file
//  (read-only data, the broker's own pages once read)
static char s_zeros [JOURNAL_ZERO_BLOCK];

struct journal_t {
    char *path;
    int fd;         //  buffered: reads, zeros, and records when dfd is -1
    int dfd;        //  O_DIRECT | O_DSYNC: records, one write per sync; or -1
    bool wrote;     //  a direct write went in (a later EINVAL is an error)
    char *block;    //  direct: the file from `base` to `bytes` (the last
                    //  durable block's records, then the pending ones),
    size_t cap;     //  zeros after them; cap bytes, aligned
    size_t base;    //  durable rounded down to JOURNAL_ALIGN
    size_t stale;   //  direct: end of what a failed write may have left
    size_t size;    //  the file's size: records, then zeros
    size_t bytes;   //  end of the records: durable + pending
    size_t durable; //  end of the records at the last successful sync
    int records;    //  since the last reset
    int durable_records;
    ddc_histogram_t flushes; //  every flush's time, seconds
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

static size_t
s_align_up (size_t n)
{
    return (n + JOURNAL_ALIGN - 1) / JOURNAL_ALIGN * JOURNAL_ALIGN;
}

//  Room in the block buffer for the file up to `end`; what it gains is
//  zeros.
static void
s_reserve (journal_t *self, size_t end)
{
    size_t want = s_align_up (end - self->base);
    if (want <= self->cap && self->block)
        return;
    size_t cap = self->cap ? self->cap : JOURNAL_ALIGN;
    while (cap < want)
        cap *= 2;
    void *block = NULL;
    if (posix_memalign (&block, JOURNAL_ALIGN, cap) != 0) {
        fprintf (stderr, "ddc: out of memory allocating %zu bytes\n", cap);
        abort ();
    }
    if (self->block)
        memcpy (block, self->block, self->cap);
    memset ((char *) block + self->cap, 0, cap - self->cap);
    free (self->block);
    self->block = block;
    self->cap = cap;
}

//  One direct write of the blocks from base to `end` (rounded up), its
//  time counted: the record's data and the device's flush, in one call.
//  0, or -1 (errno) with the end of what may have reached the disk in
//  *reached (what went in before a write refused for room, all of it
//  after another error).
static int
s_write_blocks (journal_t *self, size_t end, size_t *reached)
{
    size_t len = s_align_up (end - self->base), done = 0;
    int64_t began = ddc_mono_us ();
    while (done < len) {
        //  A short write (the disk's room, the file's size limit) goes on
        //  from where it stopped, for the reason it stopped.
        ssize_t n = pwrite (self->dfd, self->block + done, len - done, (off_t) (self->base + done));
        if (n > 0)
            done += (size_t) n;
        else if (n == 0 || errno != EINTR) {
            if (n == 0)
                errno = ENOSPC;
            break;
        }
    }
    ddc_histogram_observe (&self->flushes, (double) (ddc_mono_us () - began) / 1e6);
    if (done == len)
        return 0;
    bool room = errno == ENOSPC || errno == EFBIG || errno == EDQUOT;
    *reached = self->base + (room ? done : len);
    return -1;
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
journal_new (const char *path, bool direct, char *err, size_t errlen)
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
    self->dfd = -1;
    self->size = (size_t) st.st_size;
    ddc_histogram_init (&self->flushes, s_flush_le,
                        (int) (sizeof (s_flush_le) / sizeof (s_flush_le [0])));
    char *text = NULL;
    size_t len = 0;
    if (st.st_size > 0 && ddc_read_file (path, JOURNAL_FILE_MAX, &text, &len) < 0) {
        snprintf (err, errlen, "cannot read %s: %s", path, strerror (errno));
        journal_destroy (&self);
        return NULL;
    }
    self->bytes = self->durable = text ? s_records_end (text, len) : 0;
    //  A file system that refuses O_DIRECT (tmpfs before Linux 6.6) leaves
    //  the journal to buffered writes and fdatasync.
    if (direct)
        self->dfd = open (path, O_WRONLY | O_DIRECT | O_DSYNC | O_CLOEXEC);
    if (self->dfd >= 0) {
        //  the records of the last block, written again with the next
        self->base = self->durable / JOURNAL_ALIGN * JOURNAL_ALIGN;
        s_reserve (self, self->durable);
        if (self->durable > self->base)
            memcpy (self->block, text + self->base, self->durable - self->base);
    }
    free (text);
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
    if (self->dfd >= 0)
        close (self->dfd);
    free (self->block);
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
    if (self->dfd >= 0) {
        //  Written with the others at the next sync.
        s_reserve (self, self->bytes + len + 1);
        char *at = self->block + (self->bytes - self->base);
        memcpy (at, record, len);
        at [len] = '\n';
        self->bytes += len + 1;
        self->records++;
        return 0;
    }
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

static void
s_synced (journal_t *self)
{
    self->durable = self->bytes;
    self->durable_records = self->records;
}

//  Buffered: the pending records are in the page cache; one fdatasync.
static int
s_sync_buffered (journal_t *self)
{
    if (s_flush (self) < 0) {
        int saved = errno;
        journal_undo (self);
        errno = saved;
        return -1;
    }
    s_synced (self);
    return 0;
}

//  Direct, after a write went in: the block buffer starts again at the
//  last durable block, and a buffer grown by a large record is given back.
static void
s_slide (journal_t *self)
{
    size_t base = self->durable / JOURNAL_ALIGN * JOURNAL_ALIGN;
    size_t keep = self->durable - self->base;
    if (base > self->base) {
        memmove (self->block, self->block + (base - self->base), self->durable - base);
        memset (self->block + (self->durable - base), 0, keep - (self->durable - base));
        self->base = base;
        keep = self->durable - base;
    }
    if (self->cap > JOURNAL_BLOCK_KEEP) {
        char *old = self->block;
        self->block = NULL;
        self->cap = 0;
        s_reserve (self, self->durable);
        memcpy (self->block, old, keep);
        free (old);
    }
}

//  The file system took O_DIRECT when the journal was opened but refuses
//  its writes: from now on buffered writes and fdatasync, starting with
//  the records pending.
static int
s_fall_back (journal_t *self)
{
    close (self->dfd);
    self->dfd = -1;
    size_t from = self->durable;
    int rc = s_pwrite (self->fd, self->block + (from - self->base), self->bytes - from, from);
    free (self->block);
    self->block = NULL;
    self->cap = 0;
    if (rc < 0) {
        int saved = errno;
        journal_undo (self);
        errno = saved;
        return -1;
    }
    if (self->bytes > self->size)
        self->size = self->bytes;
    s_grow (self, self->bytes);
    return s_sync_buffered (self);
}

//  Direct: one write with O_DSYNC of the blocks that hold the pending
//  records (and whatever a failed write left after them, as zeros).
static int
s_sync_direct (journal_t *self)
{
    size_t end = self->bytes > self->stale ? self->bytes : self->stale;
    //  Blocks within the file: its size is not part of the flush.
    s_grow (self, s_align_up (end));
    s_reserve (self, end);
    size_t reached = 0;
    if (s_write_blocks (self, end, &reached) == 0) {
        size_t written = self->base + s_align_up (end - self->base);
        if (written > self->size)
            self->size = written; //  past a chunk the disk had no room for
        self->wrote = true;
        self->stale = 0;
        s_synced (self);
        s_slide (self);
        return 0;
    }
    int saved = errno;
    if (saved == EINVAL && !self->wrote)
        return s_fall_back (self);
    //  Some of it may be on the disk: zeros go over it (journal_undo now,
    //  or the next write).
    if (reached > self->stale)
        self->stale = reached;
    journal_undo (self);
    errno = saved;
    return -1;
}

int
journal_sync (journal_t *self)
{
    if (self->bytes == self->durable)
        return 0;
    return self->dfd >= 0 ? s_sync_direct (self) : s_sync_buffered (self);
}

void
journal_undo (journal_t *self)
{
    self->records = self->durable_records;
    if (self->dfd < 0) {
        if (s_clear (self, self->durable) < 0)
            self->bytes = self->durable; //  a later record is written over them
        return;
    }
    memset (self->block + (self->durable - self->base), 0, self->bytes - self->durable);
    self->bytes = self->durable;
    if (self->stale <= self->durable)
        return;
    s_reserve (self, self->stale);
    size_t reached = 0;
    if (s_write_blocks (self, self->stale, &reached) == 0)
        self->stale = 0;
}

bool
journal_direct (const journal_t *self)
{
    return self->dfd >= 0;
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
    if (self->bytes == 0 && self->durable == 0 && self->stale == 0)
        return 0;
    //  Direct: the pending records are in the block buffer only; the file
    //  holds the durable ones and what a failed write may have left.
    size_t end = 0;
    if (self->dfd >= 0) {
        end = self->durable > self->stale ? self->durable : self->stale;
        memset (self->block, 0, self->cap);
        self->base = self->durable = 0;
        self->bytes = end;
    }
    //  Zeros from the start: a crash part way leaves records that are
    //  already in config.json (skipped at start) or none.
    int rc = s_clear (self, 0) < 0 || s_flush (self) < 0 ? -1 : 0;
    if (self->dfd >= 0) {
        //  Should the zeros not be durable, the next write puts them there.
        self->stale = rc < 0 ? end : 0;
        self->bytes = 0;
        self->records = self->durable_records = 0;
    }
    if (rc < 0)
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
                           "How long each flush of the broker's journal (a direct "
                           "write with O_DSYNC, or fdatasync) took: the disk's share "
                           "of a save.",
                           &self->flushes, NULL);
}
