/*  ratelimit: Discord REST rate-limit bookkeeping, pure logic (no I/O, no
    clock of its own: times are passed in, monotonic ms). Owns the route
    keys (method + path with the top-level resource kept and other ids
    folded, tokens never kept in clear), the map from route to the bucket
    id Discord names in X-RateLimit-Bucket, each bucket's limit, remaining
    and reset time (shared by routes of one bucket, split by top-level
    resource), the requests in flight per bucket, the global limit (50/s;
    interaction callbacks and webhooks exempt) and 429 handling
    (Retry-After, X-RateLimit-Global/Scope). Bounded: at most RL_MAX
    buckets and routes, the least recently used idle one goes first. */
#ifndef DDC_DISCORD_RATELIMIT_H
#define DDC_DISCORD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_KEY_MAX 160
#define RL_MAX 512
#define RL_GLOBAL_PER_S 45 //  a little under Discord's 50
//  rl_wait: wait for an answer of a request in flight (no reset time known).
#define RL_WAIT_INFLIGHT (-1)

typedef struct _rl_t rl_t;

//  What a response said. -1 / "" for a header that was absent.
typedef struct {
    int status;
    int limit;
    int remaining;
    double reset_after; //  s
    double retry_after; //  s: Retry-After header or body retry_after
    bool global;        //  X-RateLimit-Global or body "global": true
    char bucket [64];
    char scope [16];
} rl_headers_t;

//  A request's identity for the limiter.
typedef struct {
    char route [RL_KEY_MAX]; //  "PATCH /channels/123/messages/:id"
    char major [48];         //  "123" (channel/guild/webhook/interaction)
    bool exempt;             //  not counted in the global limit
} rl_route_t;

rl_t *rl_new (void);
void rl_destroy (rl_t **self_p);

//  The route of method + path (after /api/v10, query ignored).
void rl_route (const char *method, const char *path, rl_route_t *out);
//  Clear headers before a response.
void rl_headers_init (rl_headers_t *h);
//  Parse one "Name: value" header line into h (case-insensitive names).
void rl_header_line (rl_headers_t *h, const char *line, size_t len);

//  The state key a request on route uses now (copy it to rl_sent/rl_done).
void rl_state_key (rl_t *self, const rl_route_t *route, char out [RL_KEY_MAX]);
//  Ms to wait before a request on route may go (0: now; RL_WAIT_INFLIGHT:
//  after a request in flight answers).
int64_t rl_wait (rl_t *self, const rl_route_t *route, int64_t now);
//  A request on route is sent now under state key key.
void rl_sent (rl_t *self, const rl_route_t *route, const char *key, int64_t now);
//  Its answer (h may be NULL for a transport error). Returns the ms to wait
//  before retrying when it was a 429, else 0.
int64_t rl_done (rl_t *self, const rl_route_t *route, const char *key, const rl_headers_t *h,
                 int64_t now);
//  Until when (mono ms) the global limit holds everything back (0: no).
int64_t rl_global_until (rl_t *self);
//  Counts (tests).
size_t rl_bucket_count (rl_t *self);

#endif
