/*  ddc_util: small helpers shared by every ddc program.
    Owns: the allocation policy (abort with a message on out-of-memory),
    bounded string helpers, monotonic/wall clocks and whole-file I/O with
    durable atomic replacement.
    Error convention: functions return 0 on success and -1 on failure with
    errno set; nothing here logs. */
#ifndef DDC_UTIL_H
#define DDC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define DDC_VERSION "0.1.0"

//  Allocation: never returns NULL; aborts the process with a message.
void *ddc_malloc (size_t size);
void *ddc_calloc (size_t n, size_t size);
void *ddc_realloc (void *ptr, size_t size);
char *ddc_strdup (const char *s);
char *ddc_strndup (const char *s, size_t n);
//  A daemon's malloc: one arena for all its threads. libzmq's I/O threads
//  and libcurl's resolver allocate little, and an arena of their own keeps
//  its pages (a few hundred KB of a service's private memory). Call first
//  in main, before any thread starts.
void ddc_malloc_policy (void);
//  Blocks of DDC_MALLOC_BIG bytes and more each get a mapping of their own,
//  given back whole when freed (glibc's threshold otherwise rises to the
//  size of the largest such block freed, and later big texts land in the
//  heap, where each leaves a hole that only a trim returns). For a service
//  whose big blocks (a section's text, a page, a report) come and go.
#define DDC_MALLOC_BIG (256 * 1024)
void ddc_malloc_big_apart (void);
//  Give the heap's free pages back to the system (malloc_trim) if
//  DDC_HEAP_TRIM_MS have passed since the last time (now_ms: ddc_mono_ms):
//  a service then holds what it uses, not the peak of a past burst (its
//  start, a large reply, the commands of every language). Called from the
//  loops of the agent, the bot and ddc-web; a trim costs a walk of the
//  free lists, too long a step for the broker's loop.
#define DDC_HEAP_TRIM_MS 5000
void ddc_heap_trim (int64_t now_ms);
//  printf into a new string; caller frees.
char *ddc_asprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

//  Copy src into dst[size], always NUL-terminated; returns strlen(src).
size_t ddc_strlcpy (char *dst, const char *src, size_t size);

//  Clocks.
int64_t ddc_mono_ms (void); //  CLOCK_MONOTONIC in ms
int64_t ddc_mono_us (void); //  CLOCK_MONOTONIC in us
int64_t ddc_wall_ms (void); //  CLOCK_REALTIME in ms since the epoch
//  ISO-8601 UTC "2026-11-27T08:39:37Z" into buf[32].
void ddc_iso_time (int64_t wall_ms, char buf [32]);
//  Parse an ISO-8601 UTC time: "2026-11-27T08:39:37Z" (seconds and "Z"
//  optional: "2026-11-27T08:39Z", "2026-11-27T08:39:37" are UTC too;
//  fractions of a second are ignored) or a date "2026-11-27" (its
//  midnight, UTC). 0 with *wall_ms set, or -1 for anything else.
int ddc_iso_parse (const char *s, int64_t *wall_ms);

//  Read a whole file (at most max_size bytes, else -1 with EFBIG) into a new
//  NUL-terminated buffer; *len_p gets its length. Caller frees *data_p.
int ddc_read_file (const char *path, size_t max_size, char **data_p, size_t *len_p);
//  The same for what is left to read on fd (e.g. 0, standard input, which
//  may be a pipe or a socket); fd stays open.
int ddc_read_fd (int fd, size_t max_size, char **data_p, size_t *len_p);

//  fsync the file at path and the folder that holds it. 0, or -1 (errno).
int ddc_fsync_path (const char *path);
//  Replace path durably: write path.tmp with mode, fsync, rename over path,
//  fsync the directory. On failure path is untouched and the temp removed.
int ddc_write_file_atomic (const char *path, const void *data, size_t len, int mode);
//  The same without the two fsyncs when !sync: readers see the old or the
//  new content, never a part, but a crash may lose the new one.
int ddc_write_file_replace (const char *path, const void *data, size_t len, int mode, bool sync);

//  Append one line (a '\n' is added) to path, creating it with mode.
int ddc_append_line (const char *path, const char *line, int mode, bool sync);
//  ddc_append_line for a log kept to about 2 * max_bytes on disk: when
//  path is larger than max_bytes it first becomes path.1 (an older path.1
//  is replaced). -1 with errno when the line could not be written (a
//  failed rotation only delays it).
int ddc_append_rotated (const char *path, const char *line, long max_bytes, int mode);

//  mkdir -p: create dir and its missing parents with mode (before the
//  umask); 0 when dir is (now) a folder, else -1 with errno.
int ddc_mkdirs (const char *dir, int mode);

//  Random bytes as lowercase hex into out[2*n+1].
void ddc_random_hex (char *out, size_t n);

//  Parse a non-negative decimal uint64 that fills the whole string.
//  Returns 0, or -1 on empty, sign, junk or overflow.
int ddc_parse_u64 (const char *s, uint64_t *out);

//  The length (1..4) of the valid UTF-8 sequence at p, which has n bytes
//  left, or 0 when it is not one: cut short, overlong, a surrogate or past
//  U+10FFFF.
size_t ddc_utf8_seq (const void *p, size_t n);
//  True when pattern matches name: equal, or pattern is PREFIX* and name
//  starts with PREFIX ("*" matches any name).
bool ddc_name_matches (const char *pattern, const char *name);
//  True when s[0..len) is valid UTF-8 (ddc_utf8_seq throughout).
bool ddc_utf8_valid (const char *s, size_t len);
//  The offset of the first byte in s[0..len) that is not printable UTF-8:
//  not UTF-8 (then *not_utf8 is set) or a control character (C0, DEL or
//  C1, U+0080..U+009F); len when every character is printable.
size_t ddc_utf8_printable (const char *s, size_t len, bool *not_utf8);
//  The length of the longest prefix of s[0..len) of at most max bytes that
//  does not end inside a UTF-8 sequence (len itself when len <= max).
size_t ddc_utf8_cut (const char *s, size_t len, size_t max);

#endif
