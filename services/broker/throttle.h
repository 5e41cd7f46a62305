/*  throttle: the cluster-wide limit on sign-in attempts (proto/ddcp.md
    section 5.10). Owns a table of keys (client addresses), each with the
    times of its latest attempts in a sliding window. An attempt is counted
    when it is let through (throttle_take), so attempts made at the same
    time through several web replicas cannot exceed the limit; a success
    forgets the key (throttle_clear).

    Bounded: the table grows as keys come, to at most max_entries entries
    of some 150 bytes (throttle_bytes: its size now); past that the key
    least recently let through or refused is forgotten first. Lookups go through
    a hash keyed at random (SipHash-2-4), so chosen keys cannot pile up in
    one bucket; every operation is O(1) on average. Times are monotonic
    milliseconds passed in by the caller. Single-threaded. */
#ifndef DDC_THROTTLE_H
#define DDC_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#define THROTTLE_KEY_MAX 64  //  bytes of a key, NUL included
#define THROTTLE_LIMIT_MAX 8 //  upper bound of the limit

typedef struct throttle_t throttle_t;

//  max_entries keys (at least 1), limit (1..THROTTLE_LIMIT_MAX) attempts
//  per window_ms.
throttle_t *throttle_new (size_t max_entries, int limit, int64_t window_ms);
void throttle_destroy (throttle_t **self_p);

//  An attempt of key at now_ms: 0 when it may go on (it is then counted),
//  else the milliseconds until it may (nothing is counted). key must be
//  1..THROTTLE_KEY_MAX-1 bytes (the caller checks).
int64_t throttle_take (throttle_t *self, const char *key, int64_t now_ms);
//  key succeeded: forget its attempts.
void throttle_clear (throttle_t *self, const char *key);

//  Keys tracked now, and the table's size in bytes now.
size_t throttle_size (const throttle_t *self);
size_t throttle_bytes (const throttle_t *self);

#endif
