/*  ddc-bench-null: the least a ZeroMQ broker that flushes each save could
    take on this machine, measured the way ddc-bench measures ddc.

    ddc-bench-null --dir DIR --subs N --rounds R [--warmup W] [--bytes B]
                   [--interval-ms MS]

    Forks a null broker: a process with a ROUTER and a PUB socket (ipc in
    DIR) that, for each message, writes its B bytes (default 400, about one
    record of ddc's journal) in place into a preallocated file (zeros
    written and flushed before, as ddc-broker's journal is) and makes it
    durable the way ddc-broker's journal does: one write of the 4 KiB
    blocks that hold it with O_DIRECT and O_DSYNC (pwrite and fdatasync
    where the file system refuses O_DIRECT), then publishes the message
    and answers the sender. It reads,
    checks and keeps nothing else: no protocol, no JSON, no validation, no
    history, no audit. The parent is the client, in one thread, as in
    ddc-bench: a DEALER and N SUB sockets; per round it takes t0, sends the
    round's message and records for every subscriber the time the message
    arrives. A round starts when the previous one is complete and at least
    --interval-ms (20) after the previous start; the first W rounds (10),
    sent once every subscriber has joined, are not recorded. Prints
        null subscribers=N rounds=R p50_us=X p99_us=Y max_us=Z
    over all N*R samples. The hops are those of every ddc save (client's
    I/O thread, broker's I/O thread, broker's loop, the flush, the way
    back), so the difference between ddc-bench and this is what ddc itself
    adds. Exits 1 on any error or a 10 s stall. */
#include "bench_stats.h"
#include "ddc_util.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SUBS 2048
#define MAX_BYTES 65536
#define FILE_BYTES (4 * 1024 * 1024)
#define BLOCK 4096

//  The null broker: until its parent goes or SIGTERM. 0, or 1 on an error.
static int
s_broker (const char *ctl_ep, const char *pub_ep, const char *path)
{
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    char *zeros = ddc_calloc (1, FILE_BYTES);
    int fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write (fd, zeros, FILE_BYTES) != FILE_BYTES || fsync (fd) < 0) {
        fprintf (stderr, "ddc-bench-null: %s: %s\n", path, strerror (errno));
        return 1;
    }
    //  The file as it is, for direct writes of whole blocks.
    int dfd = open (path, O_WRONLY | O_DIRECT | O_DSYNC | O_CLOEXEC);
    char *image = NULL;
    if (dfd >= 0) {
        void *aligned = NULL;
        if (posix_memalign (&aligned, BLOCK, FILE_BYTES) != 0)
            return 1;
        memset (aligned, 0, FILE_BYTES);
        image = aligned;
    }
    free (zeros);
    zsys_handler_set (NULL); //  SIGTERM (its parent gone) ends it at once
    zsys_init ();
    zsys_set_max_sockets (0);
    zsock_t *ctl = zsock_new_router (ctl_ep);
    zsock_t *pub = zsock_new_pub (pub_ep);
    if (!ctl || !pub) {
        fprintf (stderr, "ddc-bench-null: cannot bind %s or %s\n", ctl_ep, pub_ep);
        return 1;
    }
    zsock_set_sndhwm (pub, 0);
    size_t at = 0;
    int rc = 0;
    for (;;) {
        zmsg_t *msg = zmsg_recv (ctl); //  [sender][body]
        if (!msg)
            break;
        zframe_t *body = zmsg_last (msg);
        size_t len = body ? zframe_size (body) : 0;
        if (zmsg_size (msg) == 2 && zframe_streq (body, "QUIT")) {
            zmsg_destroy (&msg);
            break;
        }
        if (zmsg_size (msg) != 2 || len == 0 || len > MAX_BYTES) {
            zmsg_destroy (&msg);
            continue;
        }
        if (at + len > FILE_BYTES)
            at = 0;
        bool durable;
        if (dfd >= 0) {
            memcpy (image + at, zframe_data (body), len);
            size_t start = at / BLOCK * BLOCK, end = (at + len + BLOCK - 1) / BLOCK * BLOCK;
            durable =
                pwrite (dfd, image + start, end - start, (off_t) start) == (ssize_t) (end - start);
        }
        else
            durable = pwrite (fd, zframe_data (body), len, (off_t) at) == (ssize_t) len
                      && fdatasync (fd) == 0;
        if (!durable) {
            fprintf (stderr, "ddc-bench-null: %s: %s\n", path, strerror (errno));
            zmsg_destroy (&msg);
            rc = 1;
            break;
        }
        at += len;
        zframe_t *copy = zframe_dup (body);
        zframe_send (&copy, pub, 0);
        zmsg_send (&msg, ctl); //  the same message back: the answer
    }
    zsock_destroy (&pub);
    zsock_destroy (&ctl);
    if (dfd >= 0) {
        close (dfd);
        free (image);
    }
    close (fd);
    return rc;
}

typedef struct {
    zsock_t *sock;
    bool arrived;
} sub_t;

typedef struct {
    sub_t *subs;
    size_t nsubs;
    zsock_t *writer;
    int epfd;
    bool *ready;   //  per socket: subscribers, then the writer
    uint64_t want; //  the round whose message is awaited
    size_t arrived;
    bool answered;
    int64_t t0_us;
    uint32_t *samples;
    size_t nsamples;
    bool recording;
} client_t;

//  Read every message a socket has (until EAGAIN, which re-arms its
//  ZMQ_FD's edge) and count those of the round in flight.
static void
s_drain (client_t *self, size_t i)
{
    zsock_t *sock = i < self->nsubs ? self->subs [i].sock : self->writer;
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, zsock_resolve (sock), ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&part);
            return;
        }
        uint64_t round = 0;
        if (zmq_msg_size (&part) >= sizeof (round))
            memcpy (&round, zmq_msg_data (&part), sizeof (round));
        zmq_msg_close (&part);
        if (round != self->want)
            continue;
        if (i == self->nsubs)
            self->answered = true;
        else if (!self->subs [i].arrived) {
            self->subs [i].arrived = true;
            self->arrived++;
            if (self->recording)
                self->samples [self->nsamples++] = bench_sample (ddc_mono_us () - self->t0_us);
        }
    }
}

static void
s_pump (client_t *self, int timeout_ms)
{
    struct epoll_event evs [256];
    int got = epoll_wait (self->epfd, evs, 256, timeout_ms);
    for (int e = 0; e < got; e++)
        self->ready [evs [e].data.u64] = true;
    for (size_t i = 0; i <= self->nsubs; i++)
        if (self->ready [i]) {
            self->ready [i] = false;
            s_drain (self, i);
        }
}

//  One round: 0 when every subscriber and the answer arrived, -1 after
//  stall_ms.
static int
s_round (client_t *self, uint64_t round, const char *payload, size_t bytes, int64_t stall_ms)
{
    for (size_t i = 0; i < self->nsubs; i++)
        self->subs [i].arrived = false;
    self->arrived = 0;
    self->answered = false;
    self->want = round;
    char *body = ddc_malloc (bytes);
    memcpy (body, payload, bytes);
    memcpy (body, &round, sizeof (round));
    self->t0_us = ddc_mono_us ();
    zmq_send (zsock_resolve (self->writer), body, bytes, 0);
    free (body);
    //  the send may have taken the DEALER's signal: look at it again
    self->ready [self->nsubs] = true;
    int64_t stall = ddc_mono_ms () + stall_ms;
    while (self->arrived < self->nsubs || !self->answered) {
        if (ddc_mono_ms () > stall)
            return -1;
        s_pump (self, 100);
    }
    return 0;
}

int
main (int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t nsubs = 1, rounds = 200, warmup = 10, bytes = 400, interval_ms = 20;
    static const struct option longopts [] = {
        { "dir", required_argument, NULL, 'd' },    { "subs", required_argument, NULL, 's' },
        { "rounds", required_argument, NULL, 'r' }, { "warmup", required_argument, NULL, 'w' },
        { "bytes", required_argument, NULL, 'b' },  { "interval-ms", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        uint64_t *dst = c == 's'   ? &nsubs
                        : c == 'r' ? &rounds
                        : c == 'w' ? &warmup
                        : c == 'b' ? &bytes
                        : c == 'i' ? &interval_ms
                                   : NULL;
        if (c == 'd')
            dir = optarg;
        else if (dst && ddc_parse_u64 (optarg, dst) == 0)
            ;
        else {
            fprintf (c == 'h' ? stdout : stderr,
                     "usage: ddc-bench-null --dir DIR --subs N --rounds R [--warmup W] "
                     "[--bytes B] [--interval-ms MS]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (!dir || nsubs < 1 || nsubs > MAX_SUBS || rounds < 1 || rounds > 100000
        || bytes < sizeof (uint64_t) || bytes > MAX_BYTES || interval_ms > 10000) {
        fprintf (stderr,
                 "ddc-bench-null: need --dir, 1 <= --subs <= %d, 1 <= --rounds <= 100000, "
                 "8 <= --bytes <= %d, --interval-ms <= 10000\n",
                 MAX_SUBS, MAX_BYTES);
        return 2;
    }
    char *ctl_ep = ddc_asprintf ("ipc://%s/.ddc-bench-null.%ld.ctl", dir, (long) getpid ());
    char *pub_ep = ddc_asprintf ("ipc://%s/.ddc-bench-null.%ld.pub", dir, (long) getpid ());
    char *path = ddc_asprintf ("%s/.ddc-bench-null.%ld.log", dir, (long) getpid ());
    //  The broker is forked before this process has any ZeroMQ context.
    pid_t broker = fork ();
    if (broker < 0) {
        perror ("ddc-bench-null: fork");
        return 1;
    }
    if (broker == 0)
        _exit (s_broker (ctl_ep, pub_ep, path));

    zsys_init ();
    zsys_set_max_sockets (0);
    client_t self = { .nsubs = (size_t) nsubs };
    self.subs = ddc_calloc (self.nsubs, sizeof (sub_t));
    self.ready = ddc_calloc (self.nsubs + 1, sizeof (bool));
    self.samples = ddc_calloc ((size_t) (nsubs * rounds), sizeof (uint32_t));
    self.epfd = epoll_create1 (EPOLL_CLOEXEC);
    self.writer = zsock_new (ZMQ_DEALER);
    int rc = self.writer && zsock_connect (self.writer, "%s", ctl_ep) == 0 ? 0 : 1;
    for (size_t i = 0; i <= self.nsubs && rc == 0; i++) {
        zsock_t *sock = self.writer;
        if (i < self.nsubs) {
            sock = self.subs [i].sock = zsock_new (ZMQ_SUB);
            if (!sock || zsock_connect (sock, "%s", pub_ep) != 0) {
                rc = 1;
                break;
            }
            zsock_set_rcvhwm (sock, 0);
            zsock_set_subscribe (sock, "");
        }
        struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = i };
        epoll_ctl (self.epfd, EPOLL_CTL_ADD, zsock_fd (sock), &ev);
        self.ready [i] = true;
    }
    char *payload = ddc_malloc ((size_t) bytes);
    memset (payload, 'x', (size_t) bytes);
    //  Until every subscriber has joined: rounds numbered from 2^63, sent
    //  every 50 ms, each waited for 50 ms (a slow joiner misses the first).
    uint64_t join = (uint64_t) 1 << 63;
    int64_t deadline = ddc_mono_ms () + 30000;
    int status = 0;
    bool reaped = false;
    while (rc == 0 && s_round (&self, join++, payload, (size_t) bytes, 50) < 0)
        if (waitpid (broker, &status, WNOHANG) == broker) {
            fprintf (stderr, "ddc-bench-null: the null broker ended before it answered\n");
            reaped = true;
            rc = 1;
        }
        else if (ddc_mono_ms () > deadline) {
            fprintf (stderr, "ddc-bench-null: only %zu of %zu subscribers joined\n", self.arrived,
                     self.nsubs);
            rc = 1;
        }
    int64_t last_start = 0;
    for (uint64_t round = 0; rc == 0 && round < warmup + rounds; round++) {
        while (ddc_mono_ms () - last_start < (int64_t) interval_ms)
            s_pump (&self, 1);
        last_start = ddc_mono_ms ();
        self.recording = round >= warmup;
        if (s_round (&self, round, payload, (size_t) bytes, 10000) < 0) {
            fprintf (stderr, "ddc-bench-null: round %llu stalled (%zu of %zu arrived)\n",
                     (unsigned long long) round, self.arrived, self.nsubs);
            rc = 1;
        }
    }
    if (rc == 0) {
        bench_sort (self.samples, self.nsamples);
        printf ("null subscribers=%zu rounds=%llu p50_us=%u p99_us=%u max_us=%u\n", self.nsubs,
                (unsigned long long) rounds, bench_percentile (self.samples, self.nsamples, 50),
                bench_percentile (self.samples, self.nsamples, 99),
                self.samples [self.nsamples - 1]);
    }
    if (self.writer && !reaped) {
        zsock_set_linger (self.writer, 2000);
        zstr_send (self.writer, "QUIT");
    }
    else if (!reaped)
        kill (broker, SIGTERM); //  no socket to tell it by (rc is 1)
    for (size_t i = 0; i < self.nsubs; i++)
        zsock_destroy (&self.subs [i].sock);
    zsock_destroy (&self.writer); //  lingers until QUIT is sent
    zsys_shutdown ();
    if (!reaped
        && (waitpid (broker, &status, 0) != broker || !WIFEXITED (status)
            || WEXITSTATUS (status) != 0))
        rc = 1;
    unlink (path);
    //  the broker's socket files (it ends without closing its context)
    unlink (ctl_ep + strlen ("ipc://"));
    unlink (pub_ep + strlen ("ipc://"));
    close (self.epfd);
    free (payload);
    free (self.samples);
    free (self.ready);
    free (self.subs);
    free (path);
    free (pub_ep);
    free (ctl_ep);
    return rc;
}
