/*  ddc-bench: save-to-applied latency of ddc, measured the same way as
    ddc-bench-etcd measures etcd's put-to-watch latency.

    ddc-bench --broker ENDPOINT --subs N --rounds R [--warmup W] [--interval-ms MS]

    Starts N subscribers (services/lib/ddc_client.c, following "admins") and
    one writer (role ctl) in this one thread, waits until all are synced,
    then per round takes t0, sends a SAVE of a new admins value and records
    for every subscriber the time its apply callback sees that revision
    (t - t0). A round starts when the previous one is complete and at least
    --interval-ms (20) after the previous start; the first W rounds (10) are
    not recorded. Prints
        ddc subscribers=N rounds=R p50_us=X p99_us=Y max_us=Z
    over all N*R samples. Exits 1 on any error or a 10 s stall. */
#include "bench_stats.h"
#include "ddc_client.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <getopt.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SUBS 2048

typedef struct {
    ddc_client_t *client;
    uint64_t want_rev; //  revision of the round in flight
    bool arrived;
} sub_t;

typedef struct {
    sub_t *subs;
    size_t nsubs;
    int64_t t0_us;
    size_t arrived;
    uint32_t *samples;
    size_t nsamples;
    bool recording;
    char note [48]; //  the value of the round in flight
} bench_t;

static bench_t s_bench;

static int
s_on_apply (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
            cJSON *errors)
{
    (void) rev;
    (void) from_cache;
    (void) errors;
    sub_t *sub = arg;
    if (strcmp (section, "admins") != 0 || sub->arrived || !s_bench.note [0])
        return 0;
    const cJSON *note = cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (value, 0), "note");
    if (cJSON_IsString (note) && strcmp (note->valuestring, s_bench.note) == 0) {
        int64_t dt = ddc_mono_us () - s_bench.t0_us;
        sub->arrived = true;
        s_bench.arrived++;
        if (s_bench.recording)
            s_bench.samples [s_bench.nsamples++] = bench_sample (dt);
    }
    return 0;
}


//  One epoll set over every client's two ZMQ_FDs (edge-triggered, so a
//  wakeup costs what is ready, not what exists: a zmq_poll over 200 sockets
//  would measure the harness rather than ddc), and each client's next timer
//  as an absolute time, taken again whenever the harness ran that client
//  (its timers change only then): a wakeup asks no client for its timers,
//  which at 1,000 subscribers cost the harness more than ddc's own work.
static int s_epfd = -1;
static bool *s_ready;
static int64_t *s_due_ms;

static ddc_client_t *
s_client (ddc_client_t *writer, size_t i)
{
    return i < s_bench.nsubs ? s_bench.subs [i].client : writer;
}

static void
s_due (ddc_client_t *writer, size_t i)
{
    s_due_ms [i] = ddc_mono_ms () + ddc_client_timeout_ms (s_client (writer, i));
}

static void
s_watch_all (ddc_client_t *writer)
{
    size_t n = s_bench.nsubs + 1;
    s_epfd = epoll_create1 (EPOLL_CLOEXEC);
    s_ready = ddc_calloc (n, sizeof (bool));
    s_due_ms = ddc_calloc (n, sizeof (int64_t));
    for (size_t i = 0; i < n; i++) {
        zsock_t *socks [2] = { ddc_client_ctl_sock (s_client (writer, i)),
                               ddc_client_sub_sock (s_client (writer, i)) };
        for (int k = 0; k < 2; k++) {
            if (!socks [k])
                continue;
            struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = i };
            epoll_ctl (s_epfd, EPOLL_CTL_ADD, zsock_fd (socks [k]), &ev);
        }
        s_ready [i] = true;
    }
}

//  Wait up to timeout_ms for input, then run every client that has some,
//  and the timers of those that are due. ddc_client_handle reads each
//  socket until ZMQ_EVENTS shows no more input, which re-arms its edge
//  (should it stop at its bound of 256 messages first, the rest waits for
//  that client's next timer, at most a second: a stall that counts
//  against ddc, never for it).
static void
s_pump (ddc_client_t *writer, int64_t timeout_ms)
{
    size_t n = s_bench.nsubs + 1;
    bool any_ready = false;
    int64_t now = ddc_mono_ms ();
    for (size_t i = 0; i < n; i++) {
        any_ready = any_ready || s_ready [i];
        if (s_due_ms [i] - now < timeout_ms)
            timeout_ms = s_due_ms [i] > now ? s_due_ms [i] - now : 0;
    }
    struct epoll_event evs [256];
    int got = epoll_wait (s_epfd, evs, 256, any_ready ? 0 : (int) timeout_ms);
    for (int e = 0; e < got; e++)
        s_ready [evs [e].data.u64] = true;
    now = ddc_mono_ms ();
    for (size_t i = 0; i < n; i++) {
        ddc_client_t *c = s_client (writer, i);
        bool due = s_due_ms [i] <= now;
        if (due)
            ddc_client_tick (c);
        if (!s_ready [i] && !due)
            continue;
        //  a tick's send may have taken the fd's signal: handle after it
        ddc_client_handle (c);
        s_ready [i] = false;
        s_due (writer, i);
    }
}

static void
s_on_saved (void *arg, const ddc_msg_t *reply)
{
    int *done = arg;
    *done = reply && reply->type == DDC_OK ? 1 : -1;
}

int
main (int argc, char **argv)
{
    ddc_log_init ("ddc-bench");
    ddc_log_set_level (DDC_LOG_WARN);
    const char *broker = NULL;
    uint64_t nsubs = 1, rounds = 200, warmup = 10, interval_ms = 20;
    static const struct option longopts [] = {
        { "broker", required_argument, NULL, 'b' },
        { "subs", required_argument, NULL, 's' },
        { "rounds", required_argument, NULL, 'r' },
        { "warmup", required_argument, NULL, 'w' },
        { "interval-ms", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        uint64_t *dst = c == 's'   ? &nsubs
                        : c == 'r' ? &rounds
                        : c == 'w' ? &warmup
                        : c == 'i' ? &interval_ms
                                   : NULL;
        if (c == 'b')
            broker = optarg;
        else if (dst && ddc_parse_u64 (optarg, dst) == 0)
            ;
        else {
            fprintf (stderr, "usage: ddc-bench --broker EP --subs N --rounds R [--warmup W] "
                             "[--interval-ms MS]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (!broker || nsubs < 1 || nsubs > MAX_SUBS || rounds < 1 || rounds > 100000) {
        fprintf (stderr, "ddc-bench: need --broker, 1 <= --subs <= %d, 1 <= --rounds <= 100000\n",
                 MAX_SUBS);
        return 2;
    }
    zsys_init ();
    zsys_set_max_sockets (0);
    static const char *const sections [] = { "admins", NULL };
    s_bench.nsubs = (size_t) nsubs;
    s_bench.subs = ddc_calloc (s_bench.nsubs, sizeof (sub_t));
    s_bench.samples = ddc_calloc ((size_t) (nsubs * rounds), sizeof (uint32_t));
    for (size_t i = 0; i < s_bench.nsubs; i++) {
        char instance [32];
        snprintf (instance, sizeof (instance), "bench%zu", i);
        ddc_client_opts_t opts = { .broker = broker,
                                   .role = "monitor",
                                   .instance = instance,
                                   .sections = sections,
                                   .on_apply = s_on_apply,
                                   .arg = &s_bench.subs [i] };
        s_bench.subs [i].client = ddc_client_new (&opts);
        if (!s_bench.subs [i].client)
            return 1;
    }
    ddc_client_opts_t wopts = { .broker = broker, .role = "ctl", .instance = "bench-writer" };
    ddc_client_t *writer = ddc_client_new (&wopts);
    if (!writer)
        return 1;
    s_watch_all (writer);
    int64_t deadline = ddc_mono_ms () + 30000;
    for (;;) {
        size_t synced = 0;
        for (size_t i = 0; i < s_bench.nsubs; i++)
            synced += ddc_client_synced (s_bench.subs [i].client);
        if (synced == s_bench.nsubs && ddc_client_connected (writer))
            break;
        if (ddc_mono_ms () > deadline) {
            fprintf (stderr, "ddc-bench: only %zu of %zu subscribers synced\n", synced,
                     s_bench.nsubs);
            return 1;
        }
        s_pump (writer, 50);
    }
    char run [17];
    ddc_random_hex (run, 8);
    int64_t last_start = 0;
    for (uint64_t round = 0; round < warmup + rounds; round++) {
        while (ddc_mono_ms () - last_start < (int64_t) interval_ms)
            s_pump (writer, 1);
        last_start = ddc_mono_ms ();
        for (size_t i = 0; i < s_bench.nsubs; i++)
            s_bench.subs [i].arrived = false;
        s_bench.arrived = 0;
        s_bench.recording = round >= warmup;
        snprintf (s_bench.note, sizeof (s_bench.note), "%s-%llu", run, (unsigned long long) round);
        char value [160], req [40];
        snprintf (value, sizeof (value), "[{\"id\":\"334455667788990011\",\"note\":\"%s\"}]",
                  s_bench.note);
        ddc_req_id (req);
        zmsg_t *save = ddc_msg_buildv (DDC_SAVE, req, "admins", "0", "ddc-bench", value, NULL);
        int done = 0;
        s_bench.t0_us = ddc_mono_us ();
        ddc_client_request (writer, &save, 5000, 1, s_on_saved, &done);
        s_due (writer, s_bench.nsubs);
        int64_t stall = ddc_mono_ms () + 10000;
        while (s_bench.arrived < s_bench.nsubs || done == 0) {
            if (done < 0 || ddc_mono_ms () > stall) {
                fprintf (stderr, "ddc-bench: round %llu stalled (%zu of %zu arrived, save %d)\n",
                         (unsigned long long) round, s_bench.arrived, s_bench.nsubs, done);
                return 1;
            }
            s_pump (writer, 100);
        }
    }
    bench_sort (s_bench.samples, s_bench.nsamples);
    printf ("ddc subscribers=%zu rounds=%llu p50_us=%u p99_us=%u max_us=%u\n", s_bench.nsubs,
            (unsigned long long) rounds, bench_percentile (s_bench.samples, s_bench.nsamples, 50),
            bench_percentile (s_bench.samples, s_bench.nsamples, 99),
            s_bench.samples [s_bench.nsamples - 1]);
    for (size_t i = 0; i < s_bench.nsubs; i++)
        ddc_client_destroy (&s_bench.subs [i].client);
    ddc_client_destroy (&writer);
    free (s_bench.subs);
    free (s_ready);
    free (s_due_ms);
    close (s_epfd);
    free (s_bench.samples);
    zsys_shutdown ();
    return 0;
}
