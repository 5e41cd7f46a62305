/*  rest: the Discord REST client, asynchronous on a libcurl multi handle
    driven by the main loop (rest_poll waits on curl's sockets plus the
    caller's fds). Owns the request queue (FIFO per route), the transfers,
    the bot token for the Authorization header, the User-Agent, retries
    (429 after Retry-After, 5xx and transport errors twice with backoff)
    and the rate limiter (ratelimit.c). Errors are logged with the route
    (ids folded, tokens hashed), never with the token or a body.
    Bounds: REST_QUEUE_MAX requests queued, REST_RUNNING_MAX transfers at
    once (plus REST_INTERACTION_SLOTS kept for interaction answers, so a
    slow channel call never delays an acknowledgement), REST_BODY_MAX
    bytes of a response. Callbacks run inside rest_perform (or
    rest_destroy, with status REST_CANCELLED). libcurl is loaded by the
    first rest_new (ddc_curl_load), not linked. */
#ifndef DDC_DISCORD_REST_H
#define DDC_DISCORD_REST_H

#include <cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REST_QUEUE_MAX 1024
#define REST_RUNNING_MAX 16
#define REST_INTERACTION_SLOTS 8 //  more transfers, for interaction answers only
#define REST_BODY_MAX (1024 * 1024)
#define REST_TIMEOUT_MS 30000
#define REST_USER_AGENT "DiscordBot (https://github.com/ddc, 0.1.0)"

//  Statuses besides HTTP ones.
#define REST_TRANSPORT (-1) //  no HTTP answer (after the retries)
#define REST_CANCELLED (-2) //  queue full, shutdown or token change

//  Request flags.
#define REST_NOAUTH 1u  //  interaction callbacks and webhooks
#define REST_NORETRY 2u //  no retry on 5xx/transport errors

typedef struct _rest_t rest_t;

//  The answer: status (HTTP, or REST_TRANSPORT / REST_CANCELLED), json the
//  parsed body or NULL (borrowed), code the Discord error code or 0.
typedef void (rest_done_fn) (void *arg, int status, const cJSON *json, int code);

//  api: the base, e.g. "https://discord.com/api" ("/v10" is appended).
//  NULL (logged) when libcurl cannot be loaded or started.
rest_t *rest_new (const char *api);
void rest_destroy (rest_t **self_p);
void rest_set_token (rest_t *self, const char *token);

//  Queue a request: path after /api/v10 (e.g. "/channels/1/messages"),
//  the body *body_p (destroyed, *body_p set to NULL; body_p or *body_p may
//  be NULL), cb may be NULL. Returns 0, or -1 when the queue is full (cb is
//  then called with REST_CANCELLED at once).
int rest_call (rest_t *self, const char *method, const char *path, cJSON **body_p, unsigned flags,
               rest_done_fn *cb, void *arg);

//  Main-loop integration: wait up to timeout_ms for curl's sockets or the
//  extra fds (curl_multi_poll), then rest_perform.
int rest_poll (rest_t *self, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms);
void rest_perform (rest_t *self);
//  Ms until rest_perform is due for a queued request (-1: nothing queued).
int64_t rest_timeout_ms (rest_t *self);
size_t rest_queued (rest_t *self);
//  Answers 429 (rate limited) so far.
uint64_t rest_limited (rest_t *self);
size_t rest_running (rest_t *self);
//  The round trip of the latest successful (2xx) request in ms, from the
//  start of the transfer to the last byte of the answer; -1 before any.
int64_t rest_rtt_ms (rest_t *self);

#endif
