/*  test_loop: the agents' main loop (services/lib/ddc_loop.c) driven
    through its API with parts that record: timers (a part that is due
    makes the turn not wait; none waits at most DDC_LOOP_WAIT_MAX_MS), file
    descriptors (each part sees its own with their revents), the order of
    the parts, a poller of the caller's, ddc_loop_stop and SIGTERM. */
#include "ddc_loop.h"
#include "ddc_signal.h"
#include "ddc_util.h"

#include "ddc_test.h"

#include <signal.h>
#include <stdint.h>
#include <unistd.h>

typedef struct {
    ddc_loop_t *loop;
    char trail [64]; //  the parts' runs, in order
    size_t ntrail;
    int64_t next; //  what next_ms answers
    int fd;       //  the fd given, or -1
    int readable; //  runs that saw it readable
    int runs, stop_after;
    bool sigterm; //  raise SIGTERM at stop_after
} s_part_t;

static int64_t
s_next (void *arg, int64_t now)
{
    (void) now;
    return ((s_part_t *) arg)->next;
}

static size_t
s_fds (void *arg, struct curl_waitfd *fds, size_t max)
{
    s_part_t *p = arg;
    if (p->fd < 0 || max < 1)
        return 0;
    fds [0] = (struct curl_waitfd){ .fd = p->fd, .events = CURL_WAIT_POLLIN };
    return 1;
}

static char s_order [64];
static size_t s_norder;

static void
s_run (void *arg, const struct curl_waitfd *fds, size_t n)
{
    s_part_t *p = arg;
    CHECK_EQ (n, (size_t) (p->fd >= 0));
    if (n == 1) {
        CHECK_EQ (fds [0].fd, p->fd);
        if (fds [0].revents & CURL_WAIT_POLLIN) {
            p->readable++;
            char c;
            CHECK_EQ (read (p->fd, &c, 1), 1);
        }
    }
    if (s_norder < sizeof (s_order) - 1)
        s_order [s_norder++] = p->trail [0];
    if (++p->runs == p->stop_after) {
        if (p->sigterm)
            raise (SIGTERM);
        else
            ddc_loop_stop (p->loop);
    }
}

static void
s_add (ddc_loop_t *loop, s_part_t *p, char name)
{
    p->loop = loop;
    p->trail [0] = name;
    ddc_loop_add (loop,
                  &(ddc_loop_part_t){ .next_ms = s_next, .fds = s_fds, .run = s_run, .arg = p });
}

DDC_TEST (test_due_parts_do_not_wait_and_run_in_order)
{
    ddc_loop_t *loop = ddc_loop_new (NULL, NULL);
    s_part_t a = { .next = INT64_MAX, .fd = -1 };
    s_part_t b = { .next = 0, .fd = -1, .stop_after = 50 };
    s_add (loop, &a, 'a');
    s_add (loop, &b, 'b');
    int64_t start = ddc_mono_ms ();
    ddc_loop_run (loop);
    //  50 turns, none of them waiting (b is always due)
    CHECK (ddc_mono_ms () - start < 500);
    CHECK_EQ (ddc_loop_turns (loop), (uint64_t) 50);
    CHECK_EQ (a.runs, 50);
    CHECK_EQ (b.runs, 50);
    CHECK (strncmp (s_order, "abababab", 8) == 0);
    ddc_loop_destroy (&loop);
    CHECK (loop == NULL);
}

DDC_TEST (test_waits_for_the_nearest_timer_and_at_most_a_second)
{
    ddc_loop_t *loop = ddc_loop_new (NULL, NULL);
    s_part_t a = { .next = 120, .fd = -1, .stop_after = 1 };
    s_part_t b = { .next = 5000, .fd = -1 };
    s_add (loop, &b, 'b');
    s_add (loop, &a, 'a');
    int64_t start = ddc_mono_ms ();
    ddc_loop_run (loop);
    int64_t took = ddc_mono_ms () - start;
    CHECK (took >= 110 && took < 1000);
    //  nothing due: one turn waits DDC_LOOP_WAIT_MAX_MS, not 5 s
    a.next = 60000;
    a.runs = 0;
    start = ddc_mono_ms ();
    ddc_loop_run (loop);
    took = ddc_mono_ms () - start;
    CHECK (took >= DDC_LOOP_WAIT_MAX_MS - 10 && took < 4 * DDC_LOOP_WAIT_MAX_MS);
    ddc_loop_destroy (&loop);
}

DDC_TEST (test_each_part_sees_its_own_fds)
{
    int pa [2], pb [2];
    CHECK (pipe (pa) == 0 && pipe (pb) == 0);
    ddc_loop_t *loop = ddc_loop_new (NULL, NULL);
    s_part_t a = { .next = INT64_MAX, .fd = pa [0] };
    s_part_t b = { .next = INT64_MAX, .fd = pb [0], .stop_after = 3 };
    s_add (loop, &a, 'a');
    s_add (loop, &b, 'b');
    //  b's fd readable: the turn does not wait a second for it
    CHECK_EQ (write (pb [1], "xy", 2), 2);
    int64_t start = ddc_mono_ms ();
    b.stop_after = 2;
    ddc_loop_run (loop);
    CHECK (ddc_mono_ms () - start < DDC_LOOP_WAIT_MAX_MS / 2);
    CHECK_EQ (b.readable, 2);
    CHECK_EQ (a.readable, 0);
    CHECK_EQ (write (pa [1], "z", 1), 1);
    b.stop_after = 3;
    ddc_loop_run (loop);
    CHECK_EQ (a.readable, 1);
    CHECK_EQ (b.readable, 2);
    ddc_loop_destroy (&loop);
    close (pa [0]);
    close (pa [1]);
    close (pb [0]);
    close (pb [1]);
}

//  A poller of the caller's: it sees every fd and the turn's wait.
typedef struct {
    int calls;
    unsigned last_n;
    int last_timeout;
    bool saw_signal_fd;
} s_poller_t;

static int
s_poller (void *arg, struct curl_waitfd *fds, unsigned n, int timeout_ms)
{
    s_poller_t *p = arg;
    p->calls++;
    p->last_n = n;
    p->last_timeout = timeout_ms;
    for (unsigned i = 0; i < n; i++)
        if (fds [i].fd == ddc_signal_fd ())
            p->saw_signal_fd = true;
    return 0;
}

DDC_TEST (test_own_poller_and_sigterm)
{
    CHECK_EQ (ddc_signal_open (), 0);
    s_poller_t poller = { 0 };
    ddc_loop_t *loop = ddc_loop_new (s_poller, &poller);
    int p [2];
    CHECK_EQ (pipe (p), 0);
    s_part_t a = { .next = 250, .fd = p [0], .stop_after = 3, .sigterm = true };
    s_add (loop, &a, 'a');
    ddc_loop_run (loop);
    //  three turns; SIGTERM in the third ends the loop before a fourth
    CHECK_EQ (poller.calls, 3);
    CHECK_EQ (a.runs, 3);
    CHECK_EQ (poller.last_n, 2u); //  the signal pipe and a's fd
    CHECK (poller.saw_signal_fd);
    CHECK_EQ (poller.last_timeout, 250);
    CHECK (ddc_signal_stop ());
    ddc_loop_run (loop); //  stopped: no turn at all
    CHECK_EQ (poller.calls, 3);
    ddc_loop_destroy (&loop);
    ddc_signal_close ();
    close (p [0]);
    close (p [1]);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_due_parts_do_not_wait_and_run_in_order);
    DDC_RUN (test_waits_for_the_nearest_timer_and_at_most_a_second);
    DDC_RUN (test_each_part_sees_its_own_fds);
    DDC_RUN (test_own_poller_and_sigterm);
    DDC_DONE ();
}
