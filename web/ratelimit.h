/*  ratelimit: failed sign-in attempts per client address in a sliding
    window (ddc-web: 5 failures in 5 minutes, then 429 until the oldest of
    them leaves the window). Kore-free. The table is bounded: past its size
    the address whose last failure is oldest is forgotten first. Times are
    monotonic milliseconds passed in by the caller. One per worker process
    (replicas each count their own). */
#ifndef WEB_RATELIMIT_H
#define WEB_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_MAX_FAILS 16          /* upper bound of max_failures */
#define RATELIMIT_ADDR_MAX  64

typedef struct ratelimit_t ratelimit_t;

/* max_entries addresses, max_failures (1..RATELIMIT_MAX_FAILS) failures
   per window_ms. */
ratelimit_t *ratelimit_new (size_t max_entries, int max_failures, int64_t window_ms);
void ratelimit_destroy (ratelimit_t **self_p);

/* 0 when addr may try now, else the milliseconds until it may. */
int64_t ratelimit_wait_ms (ratelimit_t *self, const char *addr, int64_t now_ms);
/* Record a failure of addr at now_ms. */
void ratelimit_fail (ratelimit_t *self, const char *addr, int64_t now_ms);
/* A success forgets addr's failures. */
void ratelimit_success (ratelimit_t *self, const char *addr);
/* Addresses currently tracked. */
size_t ratelimit_size (const ratelimit_t *self);

#endif
