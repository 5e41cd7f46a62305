/*  ddc_loop: the agents' main loop. See ddc_loop.h. */
#include "ddc_loop.h"

#include "ddc_pages.h"
#include "ddc_signal.h"
#include "ddc_util.h"

#include <assert.h>
#include <czmq.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>

struct _ddc_loop_t {
    ddc_loop_poll_fn *poll;
    void *poll_arg;
    ddc_loop_part_t parts [DDC_LOOP_PARTS_MAX];
    size_t nparts;
    bool stopped;
    uint64_t turns;
};

ddc_loop_t *
ddc_loop_new (ddc_loop_poll_fn *poll, void *poll_arg)
{
    ddc_loop_t *self = ddc_calloc (1, sizeof (*self));
    self->poll = poll;
    self->poll_arg = poll_arg;
    return self;
}

void
ddc_loop_destroy (ddc_loop_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

void
ddc_loop_add (ddc_loop_t *self, const ddc_loop_part_t *part)
{
    assert (self);
    assert (part);
    assert (self->nparts < DDC_LOOP_PARTS_MAX);
    self->parts [self->nparts++] = *part;
}

//  --------------------------------------------------------------------------
//  The broker client as a part

static int64_t
s_client_next (void *arg, int64_t now_ms)
{
    (void) now_ms;
    ddc_client_t *client = arg;
    //  ZMQ_FD is edge-triggered: anything already readable first.
    if ((zsock_events (ddc_client_ctl_sock (client)) & ZMQ_POLLIN)
        || (zsock_events (ddc_client_sub_sock (client)) & ZMQ_POLLIN))
        return 0;
    return ddc_client_timeout_ms (client);
}

static size_t
s_client_fds (void *arg, struct curl_waitfd *fds, size_t max)
{
    ddc_client_t *client = arg;
    if (max < 2)
        return 0;
    fds [0] = (struct curl_waitfd){ .fd = zsock_fd (ddc_client_ctl_sock (client)),
                                    .events = CURL_WAIT_POLLIN };
    fds [1] = (struct curl_waitfd){ .fd = zsock_fd (ddc_client_sub_sock (client)),
                                    .events = CURL_WAIT_POLLIN };
    return 2;
}

static void
s_client_run (void *arg, const struct curl_waitfd *fds, size_t n)
{
    (void) fds;
    (void) n;
    ddc_client_t *client = arg;
    ddc_client_handle (client);
    if (ddc_client_timeout_ms (client) <= 0)
        ddc_client_tick (client);
}

void
ddc_loop_add_client (ddc_loop_t *self, ddc_client_t *client)
{
    assert (self);
    assert (client);
    ddc_loop_add (self, &(ddc_loop_part_t){ .next_ms = s_client_next,
                                            .fds = s_client_fds,
                                            .run = s_client_run,
                                            .arg = client });
}

//  --------------------------------------------------------------------------
//  Turns

static int
s_poll (struct curl_waitfd *fds, unsigned n, int timeout_ms)
{
    struct pollfd pfds [DDC_LOOP_FDS_MAX];
    for (unsigned i = 0; i < n; i++)
        pfds [i] = (struct pollfd){ .fd = fds [i].fd, .events = POLLIN };
    int rc = poll (pfds, n, timeout_ms);
    for (unsigned i = 0; i < n; i++)
        fds [i].revents =
            rc > 0 && (pfds [i].revents & (POLLIN | POLLERR | POLLHUP)) ? CURL_WAIT_POLLIN : 0;
    return rc < 0 ? -1 : 0;
}

void
ddc_loop_run (ddc_loop_t *self)
{
    assert (self);
    struct curl_waitfd fds [DDC_LOOP_FDS_MAX];
    size_t first [DDC_LOOP_PARTS_MAX], count [DDC_LOOP_PARTS_MAX];
    self->stopped = false;
    while (!self->stopped && !ddc_signal_stop ()) {
        int64_t now = ddc_mono_ms ();
        int64_t wait = DDC_LOOP_WAIT_MAX_MS;
        size_t n = 0;
        int sig = ddc_signal_fd ();
        if (sig >= 0)
            fds [n++] = (struct curl_waitfd){ .fd = sig, .events = CURL_WAIT_POLLIN };
        for (size_t i = 0; i < self->nparts; i++) {
            ddc_loop_part_t *p = &self->parts [i];
            if (p->next_ms) {
                int64_t next = p->next_ms (p->arg, now);
                if (next < wait)
                    wait = next;
            }
            first [i] = n;
            count [i] = p->fds ? p->fds (p->arg, fds + n, DDC_LOOP_FDS_MAX - n) : 0;
            n += count [i];
        }
        if (wait < 0)
            wait = 0;
        for (size_t i = 0; i < n; i++)
            fds [i].revents = 0;
        if (self->poll)
            self->poll (self->poll_arg, fds, (unsigned) n, (int) wait);
        else
            s_poll (fds, (unsigned) n, (int) wait);
        if (sig >= 0 && fds [0].revents)
            ddc_signal_drain ();
        if (ddc_signal_stop ())
            break;
        self->turns++;
        for (size_t i = 0; i < self->nparts && !self->stopped; i++) {
            ddc_loop_part_t *p = &self->parts [i];
            if (p->run)
                p->run (p->arg, fds + first [i], count [i]);
        }
        now = ddc_mono_ms ();
        ddc_heap_trim (now);
        ddc_pages_after_start (now);
    }
}

void
ddc_loop_stop (ddc_loop_t *self)
{
    assert (self);
    self->stopped = true;
}

uint64_t
ddc_loop_turns (const ddc_loop_t *self)
{
    assert (self);
    return self->turns;
}
