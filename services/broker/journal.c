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

struct journal_t {
    char *path;
    int fd;
    size_t bytes;   //  file size: durable + pending
    size_t durable; //  size at the last successful sync
    int records;    //  since the last reset
    int durable_records;
};

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
    self->bytes = self->durable = (size_t) st.st_size;
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

//  Cut the file back to `size` (a failed append or sync).
static void
s_cut (journal_t *self, size_t size)
{
    if (ftruncate (self->fd, (off_t) size) == 0)
        self->bytes = size;
}

int
journal_append (journal_t *self, const char *record)
{
    size_t len = strlen (record);
    char *line = ddc_malloc (len + 1);
    memcpy (line, record, len);
    line [len] = '\n';
    size_t done = 0;
    while (done < len + 1) {
        ssize_t n = pwrite (self->fd, line + done, len + 1 - done, (off_t) (self->bytes + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = n < 0 ? errno : ENOSPC;
            free (line);
            s_cut (self, self->bytes);
            errno = saved;
            return -1;
        }
        done += (size_t) n;
    }
    free (line);
    self->bytes += len + 1;
    self->records++;
    return 0;
}

int
journal_sync (journal_t *self)
{
    if (self->bytes == self->durable)
        return 0;
    if (fdatasync (self->fd) < 0) {
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
    s_cut (self, self->durable);
    self->records = self->durable_records;
}

int
journal_cut (journal_t *self, size_t size)
{
    if (size > self->bytes)
        return 0;
    if (ftruncate (self->fd, (off_t) size) < 0 || fdatasync (self->fd) < 0)
        return -1;
    self->bytes = self->durable = size;
    if (self->records > 0)
        self->records--;
    self->durable_records = self->records;
    return 0;
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
    if (ftruncate (self->fd, 0) < 0 || fdatasync (self->fd) < 0)
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
