/*  ddc-bench-disk: the disk's own cost of one durable append, the floor
    under any save that is acknowledged only once it is on disk.

    ddc-bench-disk --dir DIR [--rounds R] [--warmup W] [--bytes B] [--interval-ms MS]

    Creates a new file in DIR (made durable once: file and folder fsynced,
    not measured), then per round takes t0, appends one record of B bytes
    (default 512, about a small save with its history line) with write()
    and calls fdatasync(), and records the time until fdatasync returns.
    The file grows with every record, as an append-only log does, so each
    fdatasync also commits the file's new size (on ext4 a journal commit).
    In the same round (before it in every other round, after it in the
    others), the same record is written in place over the zeros of a
    second file, preallocated (zeros written and flushed before, not
    measured), as ddc-broker's journal is (journal.h), and that fdatasync
    is timed too: it flushes the record's data alone. And the same record
    goes in place into a third preallocated file, opened with O_DIRECT and
    O_DSYNC, as the blocks (4 KiB) that hold it, in one write: the way
    ddc-broker's journal writes where the file system takes O_DIRECT. The
    three take turns at going first. A round starts at least --interval-ms
    (20, like ddc-bench's saves) after the previous start; the first W
    rounds (10) are not recorded. Removes the files and prints
        disk fdatasync p50_us=X p99_us=Y max_us=Z rounds=R bytes=B
            in_place_p50_us=X in_place_p99_us=Y direct_p50_us=X direct_p99_us=Y
    (one line; the direct figures are "-" where the file system refuses
    O_DIRECT). Exits 1 on any error. */
#include "bench_stats.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_BYTES (1024 * 1024)
#define BLOCK 4096

static int
s_fsync_path (const char *path)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync (fd);
    close (fd);
    return rc;
}

//  Microseconds to write the record (appended when at < 0, else at that
//  offset) and fdatasync it, or -1 (errno).
static int64_t
s_timed (int fd, const char *record, uint64_t bytes, off_t at)
{
    int64_t t0 = ddc_mono_us ();
    ssize_t n =
        at < 0 ? write (fd, record, (size_t) bytes) : pwrite (fd, record, (size_t) bytes, at);
    if (n != (ssize_t) bytes || fdatasync (fd) < 0)
        return -1;
    return ddc_mono_us () - t0;
}

//  Microseconds to write the blocks of `image` that hold [at, at + bytes)
//  with the descriptor's O_DIRECT | O_DSYNC, or -1 (errno).
static int64_t
s_timed_direct (int fd, const char *image, uint64_t bytes, size_t at)
{
    size_t start = at / BLOCK * BLOCK;
    size_t end = (at + (size_t) bytes + BLOCK - 1) / BLOCK * BLOCK;
    int64_t t0 = ddc_mono_us ();
    if (pwrite (fd, image + start, end - start, (off_t) start) != (ssize_t) (end - start))
        return -1;
    return ddc_mono_us () - t0;
}

int
main (int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t rounds = 200, warmup = 10, bytes = 512, interval_ms = 20;
    static const struct option longopts [] = {
        { "dir", required_argument, NULL, 'd' },
        { "rounds", required_argument, NULL, 'r' },
        { "warmup", required_argument, NULL, 'w' },
        { "bytes", required_argument, NULL, 'b' },
        { "interval-ms", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        uint64_t *dst = c == 'r'   ? &rounds
                        : c == 'w' ? &warmup
                        : c == 'b' ? &bytes
                        : c == 'i' ? &interval_ms
                                   : NULL;
        if (c == 'd')
            dir = optarg;
        else if (dst && ddc_parse_u64 (optarg, dst) == 0)
            ;
        else {
            fprintf (stderr, "usage: ddc-bench-disk --dir DIR [--rounds R] [--warmup W] "
                             "[--bytes B] [--interval-ms MS]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (!dir || rounds < 1 || rounds > 100000 || bytes < 1 || bytes > MAX_BYTES
        || interval_ms > 10000) {
        fprintf (stderr,
                 "ddc-bench-disk: need --dir, 1 <= --rounds <= 100000, "
                 "1 <= --bytes <= %d, --interval-ms <= 10000\n",
                 MAX_BYTES);
        return 2;
    }
    char *path = ddc_asprintf ("%s/.ddc-bench-disk.%ld", dir, (long) getpid ());
    char *pre_path = ddc_asprintf ("%s/.ddc-bench-disk.%ld.pre", dir, (long) getpid ());
    char *direct_path = ddc_asprintf ("%s/.ddc-bench-disk.%ld.direct", dir, (long) getpid ());
    size_t pre_size = ((size_t) ((warmup + rounds) * bytes) + BLOCK - 1) / BLOCK * BLOCK;
    char *zeros = ddc_calloc (1, pre_size);
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    int pre = open (pre_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || fsync (fd) < 0 || pre < 0 || write (pre, zeros, pre_size) != (ssize_t) pre_size
        || fsync (pre) < 0 || s_fsync_path (dir) < 0) {
        fprintf (stderr, "ddc-bench-disk: %s: %s\n", path, strerror (errno));
        return 1;
    }
    //  The direct file: preallocated the same way, then opened again with
    //  O_DIRECT where the file system takes it.
    int direct = open (direct_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (direct < 0 || write (direct, zeros, pre_size) != (ssize_t) pre_size || fsync (direct) < 0
        || s_fsync_path (dir) < 0) {
        fprintf (stderr, "ddc-bench-disk: %s: %s\n", direct_path, strerror (errno));
        return 1;
    }
    close (direct);
    direct = open (direct_path, O_WRONLY | O_DIRECT | O_DSYNC | O_CLOEXEC);
    free (zeros);
    void *image = NULL; //  the direct file as it is
    if (posix_memalign (&image, BLOCK, pre_size) != 0)
        return 1;
    memset (image, 0, pre_size);
    char *record = ddc_malloc ((size_t) bytes);
    memset (record, 'x', (size_t) bytes);
    record [bytes - 1] = '\n';
    uint32_t *samples = ddc_calloc ((size_t) rounds, sizeof (uint32_t));
    uint32_t *in_place = ddc_calloc ((size_t) rounds, sizeof (uint32_t));
    uint32_t *direct_samples = ddc_calloc ((size_t) rounds, sizeof (uint32_t));
    size_t n = 0;
    int64_t last_start = 0;
    int rc = 0;
    for (uint64_t round = 0; round < warmup + rounds; round++) {
        int64_t wait_ms = last_start + (int64_t) interval_ms - ddc_mono_ms ();
        if (wait_ms > 0)
            usleep ((useconds_t) wait_ms * 1000);
        last_start = ddc_mono_ms ();
        //  Each goes first in one round of three: none always follows
        //  another's flush.
        int64_t dt = 0, dt_in_place = 0, dt_direct = 0;
        size_t at = (size_t) (round * bytes);
        memcpy ((char *) image + at, record, (size_t) bytes);
        for (int i = 0; i < 3 && rc == 0; i++) {
            int which = (int) ((round + (uint64_t) i) % 3);
            if (which == 0)
                rc = (dt = s_timed (fd, record, bytes, -1)) < 0;
            else if (which == 1)
                rc = (dt_in_place = s_timed (pre, record, bytes, (off_t) at)) < 0;
            else if (direct >= 0)
                rc = (dt_direct = s_timed_direct (direct, image, bytes, at)) < 0;
        }
        if (rc) {
            fprintf (stderr, "ddc-bench-disk: %s: %s\n", path, strerror (errno));
            break;
        }
        if (round >= warmup) {
            in_place [n] = bench_sample (dt_in_place);
            direct_samples [n] = bench_sample (dt_direct);
            samples [n++] = bench_sample (dt);
        }
    }
    close (fd);
    close (pre);
    if (direct >= 0)
        close (direct);
    unlink (path);
    unlink (pre_path);
    unlink (direct_path);
    if (rc == 0) {
        bench_sort (samples, n);
        bench_sort (in_place, n);
        bench_sort (direct_samples, n);
        char direct_p50 [16] = "-", direct_p99 [16] = "-";
        if (direct >= 0) {
            snprintf (direct_p50, sizeof (direct_p50), "%u",
                      bench_percentile (direct_samples, n, 50));
            snprintf (direct_p99, sizeof (direct_p99), "%u",
                      bench_percentile (direct_samples, n, 99));
        }
        printf ("disk fdatasync p50_us=%u p99_us=%u max_us=%u rounds=%zu bytes=%llu "
                "in_place_p50_us=%u in_place_p99_us=%u direct_p50_us=%s direct_p99_us=%s\n",
                bench_percentile (samples, n, 50), bench_percentile (samples, n, 99),
                samples [n - 1], n, (unsigned long long) bytes, bench_percentile (in_place, n, 50),
                bench_percentile (in_place, n, 99), direct_p50, direct_p99);
    }
    free (samples);
    free (in_place);
    free (direct_samples);
    free (image);
    free (direct_path);
    free (pre_path);
    free (record);
    free (path);
    return rc;
}
