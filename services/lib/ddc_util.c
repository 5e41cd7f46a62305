/*  ddc_util: allocation, strings, clocks and durable file I/O.
    See ddc_util.h. */
#include "ddc_util.h"

#include "ddc_buf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
s_oom (size_t size)
{
    fprintf (stderr, "ddc: out of memory allocating %zu bytes\n", size);
    abort ();
}

void *
ddc_malloc (size_t size)
{
    void *p = malloc (size ? size : 1);
    if (!p)
        s_oom (size);
    return p;
}

void *
ddc_calloc (size_t n, size_t size)
{
    void *p = calloc (n ? n : 1, size ? size : 1);
    if (!p)
        s_oom (n * size);
    return p;
}

void *
ddc_realloc (void *ptr, size_t size)
{
    void *p = realloc (ptr, size ? size : 1);
    if (!p)
        s_oom (size);
    return p;
}

char *
ddc_strdup (const char *s)
{
    return ddc_strndup (s, strlen (s));
}

void
ddc_malloc_policy (void)
{
    mallopt (M_ARENA_MAX, 1);
}

void
ddc_malloc_big_apart (void)
{
    mallopt (M_MMAP_THRESHOLD, DDC_MALLOC_BIG);
}

void
ddc_heap_trim (int64_t now_ms)
{
    static int64_t s_last;
    if (now_ms - s_last < DDC_HEAP_TRIM_MS)
        return;
    s_last = now_ms;
    malloc_trim (0);
}

char *
ddc_strndup (const char *s, size_t n)
{
    size_t len = strnlen (s, n);
    char *p = ddc_malloc (len + 1);
    memcpy (p, s, len);
    p [len] = '\0';
    return p;
}

char *
ddc_asprintf (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *out = NULL;
    int rc = vasprintf (&out, fmt, ap);
    va_end (ap);
    if (rc < 0)
        s_oom (strlen (fmt));
    return out;
}

size_t
ddc_strlcpy (char *dst, const char *src, size_t size)
{
    size_t len = strlen (src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy (dst, src, n);
        dst [n] = '\0';
    }
    return len;
}

static int64_t
s_clock_us (clockid_t id)
{
    struct timespec ts;
    clock_gettime (id, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
ddc_mono_ms (void)
{
    return s_clock_us (CLOCK_MONOTONIC) / 1000;
}
int64_t
ddc_mono_us (void)
{
    return s_clock_us (CLOCK_MONOTONIC);
}
int64_t
ddc_wall_ms (void)
{
    return s_clock_us (CLOCK_REALTIME) / 1000;
}

void
ddc_iso_time (int64_t wall_ms, char buf [32])
{
    time_t secs = (time_t) (wall_ms / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
ddc_iso_parse (const char *s, int64_t *wall_ms)
{
    if (!s)
        return -1;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf (s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return -1;
    const char *p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        int m = 0;
        if (sscanf (p + 1, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
            return -1;
        p += 1 + m;
        if (*p == ':') {
            if (!(p [1] >= '0' && p [1] <= '9' && p [2] >= '0' && p [2] <= '9'))
                return -1;
            sec = (p [1] - '0') * 10 + (p [2] - '0');
            p += 3;
            if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
        }
        if (*p == 'Z' || *p == 'z')
            p++;
    }
    if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59
        || sec > 60)
        return -1;
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec
    };
    time_t t = timegm (&tm);
    //  timegm normalises 31 February into March: refuse what moved
    struct tm back;
    if (t == (time_t) -1 || !gmtime_r (&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
        return -1;
    *wall_ms = (int64_t) t * 1000;
    return 0;
}

int
ddc_read_fd (int fd, size_t max_size, char **data_p, size_t *len_p)
{
    //  One byte past max_size tells a longer input. Reads of 4 KiB first,
    //  then of as much again as there is.
    ddc_buf_t *b = ddc_buf_new (max_size + 1);
    for (;;) {
        size_t len = ddc_buf_len (b);
        if (len > max_size) {
            ddc_buf_destroy (&b);
            errno = EFBIG;
            return -1;
        }
        size_t room = len < 4096 ? 4096 : len;
        if (room > max_size + 1 - len)
            room = max_size + 1 - len;
        ssize_t n = read (fd, ddc_buf_room (b, room), room);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            ddc_buf_destroy (&b);
            errno = saved;
            return -1;
        }
        if (n == 0)
            break;
        ddc_buf_commit (b, (size_t) n);
    }
    *data_p = ddc_buf_release (&b, len_p);
    return 0;
}

int
ddc_read_file (const char *path, size_t max_size, char **data_p, size_t *len_p)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = ddc_read_fd (fd, max_size, data_p, len_p);
    int saved = errno;
    close (fd);
    errno = saved;
    return rc;
}

static int
s_write_all (int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write (fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

static int
s_fsync_dir_of (const char *path)
{
    char *copy = ddc_strdup (path);
    int dfd = open (dirname (copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free (copy);
    if (dfd < 0)
        return -1;
    int rc = fsync (dfd);
    int saved = errno;
    close (dfd);
    errno = saved;
    return rc;
}

int
ddc_fsync_path (const char *path)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync (fd);
    int saved = errno;
    close (fd);
    if (rc < 0) {
        errno = saved;
        return -1;
    }
    return s_fsync_dir_of (path);
}

int
ddc_write_file_replace (const char *path, const void *data, size_t len, int mode, bool sync)
{
    char *tmp = ddc_asprintf ("%s.tmp", path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        free (tmp);
        return -1;
    }
    if (fchmod (fd, (mode_t) mode) < 0 || s_write_all (fd, data, len) < 0
        || (sync && fsync (fd) < 0)) {
        int saved = errno;
        close (fd);
        unlink (tmp);
        free (tmp);
        errno = saved;
        return -1;
    }
    if (close (fd) < 0 || rename (tmp, path) < 0) {
        int saved = errno;
        unlink (tmp);
        free (tmp);
        errno = saved;
        return -1;
    }
    free (tmp);
    return sync ? s_fsync_dir_of (path) : 0;
}

int
ddc_write_file_atomic (const char *path, const void *data, size_t len, int mode)
{
    return ddc_write_file_replace (path, data, len, mode, true);
}

int
ddc_append_line (const char *path, const char *line, int mode, bool sync)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    size_t len = strlen (line);
    char *buf = ddc_malloc (len + 1);
    memcpy (buf, line, len);
    buf [len] = '\n';
    int rc = s_write_all (fd, buf, len + 1);
    free (buf);
    if (rc == 0 && sync)
        rc = fdatasync (fd);
    int saved = errno;
    close (fd);
    errno = saved;
    return rc;
}

int
ddc_append_rotated (const char *path, const char *line, long max_bytes, int mode)
{
    struct stat st;
    if (stat (path, &st) == 0 && st.st_size > max_bytes) {
        char *old = ddc_asprintf ("%s.1", path);
        int rc = rename (path, old);
        free (old);
        (void) rc; //  not rotated: the line still goes in, a bit later
    }
    return ddc_append_line (path, line, mode, false);
}

int
ddc_mkdirs (const char *dir, int mode)
{
    if (!dir || !*dir) {
        errno = ENOENT;
        return -1;
    }
    char *path = ddc_strdup (dir);
    int rc = 0;
    for (char *p = path + 1; rc == 0; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir (path, (mode_t) mode) < 0 && errno != EEXIST)
                rc = -1;
            if (end)
                break;
            *p = '/';
        }
    }
    free (path);
    struct stat st;
    if (rc == 0 && (stat (dir, &st) < 0 || !S_ISDIR (st.st_mode))) {
        errno = ENOTDIR;
        rc = -1;
    }
    return rc;
}

void
ddc_random_hex (char *out, size_t n)
{
    static const char hex [] = "0123456789abcdef";
    unsigned char *raw = ddc_malloc (n);
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom (raw + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            abort (); //  the kernel always has getrandom on bookworm
        }
        got += (size_t) r;
    }
    for (size_t i = 0; i < n; i++) {
        out [2 * i] = hex [raw [i] >> 4];
        out [2 * i + 1] = hex [raw [i] & 15];
    }
    out [2 * n] = '\0';
    free (raw);
}

int
ddc_parse_u64 (const char *s, uint64_t *out)
{
    if (!s || !*s || strlen (s) > 20)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint64_t d = (uint64_t) (*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

size_t
ddc_utf8_seq (const void *at, size_t n)
{
    const unsigned char *p = at;
    if (n == 0)
        return 0;
    unsigned char c = p [0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    }
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p [i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p [i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
        || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

bool
ddc_utf8_valid (const char *s, size_t len)
{
    for (size_t i = 0, n; i < len; i += n)
        if ((n = ddc_utf8_seq (s + i, len - i)) == 0)
            return false;
    return true;
}

size_t
ddc_utf8_printable (const char *s, size_t len, bool *not_utf8)
{
    *not_utf8 = false;
    for (size_t i = 0, n; i < len; i += n) {
        unsigned char c = (unsigned char) s [i];
        if ((n = ddc_utf8_seq (s + i, len - i)) == 0) {
            *not_utf8 = true;
            return i;
        }
        if (c < 0x20 || c == 0x7f || (c == 0xC2 && (unsigned char) s [i + 1] < 0xA0))
            return i;
    }
    return len;
}

size_t
ddc_utf8_cut (const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    //  Step back over continuation bytes to the start of the cut sequence.
    while (n > 0 && ((unsigned char) s [n] & 0xC0) == 0x80)
        n--;
    return n;
}

bool
ddc_name_matches (const char *pattern, const char *name)
{
    size_t n = strlen (pattern);
    if (n > 0 && pattern [n - 1] == '*')
        return strncmp (pattern, name, n - 1) == 0;
    return strcmp (pattern, name) == 0;
}
