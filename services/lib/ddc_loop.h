/*  ddc_loop: the one main loop of the ddc agents (ddc-docker, ddc-discord).
    Each turn it asks its parts how long they may wait, waits at most that
    long (and never more than a second) on the broker client's two ZMQ_FDs,
    the signal pipe, each part's file descriptors and what the poller watches
    itself (libcurl's sockets: the poller is curl_multi_poll of the agent's
    multi handle), then runs the parts in the order they were added. It
    ends on SIGTERM or SIGINT (ddc_signal) or ddc_loop_stop. Owns nothing
    it is given. Owned by one thread. */
#ifndef DDC_LOOP_H
#define DDC_LOOP_H

#include "ddc_client.h"

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _ddc_loop_t ddc_loop_t;

//  Waits for fds (their revents set) and the poller's own sockets at most
//  timeout_ms. 0 or -1 (an error: the turn goes on).
typedef int (ddc_loop_poll_fn) (void *arg, struct curl_waitfd *fds, unsigned n, int timeout_ms);

//  One part of the loop; each callback may be NULL.
typedef struct {
    //  ms until the part wants to run (<= 0: now), or INT64_MAX.
    int64_t (*next_ms) (void *arg, int64_t now_ms);
    //  The descriptors to wait on this turn into fds[0..max); how many.
    size_t (*fds) (void *arg, struct curl_waitfd *fds, size_t max);
    //  After the wait: fds are what the part gave, with their revents.
    void (*run) (void *arg, const struct curl_waitfd *fds, size_t n);
    void *arg;
} ddc_loop_part_t;

//  The descriptors one turn may wait on, all parts together.
#define DDC_LOOP_FDS_MAX 64
#define DDC_LOOP_PARTS_MAX 16
//  The longest wait of a turn.
#define DDC_LOOP_WAIT_MAX_MS 1000

//  A loop with no parts; poll may be NULL (then poll(2) on the fds).
ddc_loop_t *ddc_loop_new (ddc_loop_poll_fn *poll, void *poll_arg);
void ddc_loop_destroy (ddc_loop_t **self_p);
//  Add a part (copied); it runs after those added before it.
void ddc_loop_add (ddc_loop_t *self, const ddc_loop_part_t *part);
//  Add the broker client as a part: its sockets are waited on (readable
//  data already queued makes the wait 0, ZMQ_FD being edge-triggered), its
//  messages handled and its timer ticked.
void ddc_loop_add_client (ddc_loop_t *self, ddc_client_t *client);
//  Run turns until SIGTERM/SIGINT (after ddc_signal_open) or ddc_loop_stop.
void ddc_loop_run (ddc_loop_t *self);
//  Make ddc_loop_run return after the part now running.
void ddc_loop_stop (ddc_loop_t *self);
//  Turns run so far.
uint64_t ddc_loop_turns (const ddc_loop_t *self);

#endif
