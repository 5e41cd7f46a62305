/*  gateway: the Discord gateway protocol as a state machine, with no I/O of
    its own. Owns the connection lifecycle (GET /gateway/bot, connect,
    HELLO, IDENTIFY with its 5 s spacing, READY; RESUME on the
    resume_gateway_url with the session id and last seq; op 7, op 9, close
    codes), heartbeats with jitter, zombie detection (no ACK before the next
    beat: close 4000 and resume), reconnect backoff, the fatal close codes
    (4004 and 4010-4014: no reconnect storm) and the state reported as the
    "gateway" status. Time is passed in (monotonic ms); the WebSocket, the
    REST call and the dispatch handling are callbacks, so the unit tests
    drive it with a fake clock and a fake socket (tests/unit/
    test_discord_gateway.c). Never logs the token. */
#ifndef DDC_DISCORD_GATEWAY_H
#define DDC_DISCORD_GATEWAY_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//  Intents: GUILDS (1 << 0) and GUILD_MESSAGES (1 << 9), the latter for
//  MESSAGE_CREATE/DELETE (overview re-posting); neither is privileged.
#define GATEWAY_INTENTS ((1 << 0) | (1 << 9))
#define GATEWAY_IDENTIFY_GAP_MS 5100 //  max_concurrency 1 per 5 s
#define GATEWAY_HANDSHAKE_MS 20000   //  open + HELLO + READY/RESUMED
#define GATEWAY_BACKOFF_MAX_MS 60000
#define GATEWAY_FATAL_RETRY_MS (10 * 60 * 1000) //  4010-4014

typedef struct _gateway_t gateway_t;

typedef struct {
    //  Open a WebSocket to url; return its id (> 0) or 0 on failure.
    uint32_t (*connect) (void *arg, const char *url);
    void (*send) (void *arg, uint32_t conn, const char *text, size_t len);
    void (*close) (void *arg, uint32_t conn, int code, const char *reason);
    //  Start GET /gateway/bot; answer with gateway_url_result.
    void (*fetch_url) (void *arg);
    //  A dispatch (op 0), READY and RESUMED included. d is borrowed.
    void (*dispatch) (void *arg, const char *t, const cJSON *d);
    //  The reported state changed (see gateway_report).
    void (*changed) (void *arg);
} gateway_ops_t;

typedef enum {
    GATEWAY_WAITING_TOKEN,
    GATEWAY_CONNECTING,
    GATEWAY_RESUMING,
    GATEWAY_READY,
    GATEWAY_FAILED
} gateway_state_t;

//  ops copied; compress adds compress=zlib-stream to the url.
gateway_t *gateway_new (const gateway_ops_t *ops, void *arg, bool compress);
void gateway_destroy (gateway_t **self_p);
//  Seed of the jitter (tests).
void gateway_set_seed (gateway_t *self, uint64_t seed);

//  A token ("" = none). A different one closes the connection (1000) and
//  starts over; the same one does nothing (a fatal state stays fatal
//  unless the token changes).
void gateway_set_token (gateway_t *self, const char *token, int64_t now);
//  The answer to fetch_url: status 200 with url, or the HTTP status (-1 for
//  a transport error) and no url. 401/403 are fatal (bad token).
void gateway_url_result (gateway_t *self, int status, const char *url, int64_t now);
//  WebSocket events of connection conn (others are ignored).
void gateway_on_open (gateway_t *self, uint32_t conn, int64_t now);
void gateway_on_text (gateway_t *self, uint32_t conn, const char *text, size_t len, int64_t now);
void gateway_on_close (gateway_t *self, uint32_t conn, int code, const char *reason, int64_t now);
//  Drop the current connection as broken (e.g. undecodable data): close
//  4000 and resume.
void gateway_drop (gateway_t *self, const char *why, int64_t now);
//  Heartbeats, deadlines, backoff. Call when gateway_next_ms says so.
void gateway_tick (gateway_t *self, int64_t now);
//  Milliseconds until gateway_tick is due (0..60000).
int64_t gateway_next_ms (gateway_t *self, int64_t now);
//  Clean stop: close 1000 (the session ends).
void gateway_shutdown (gateway_t *self);

//  State.
gateway_state_t gateway_state (gateway_t *self);
const char *gateway_state_name (gateway_state_t state);
bool gateway_is_ready (gateway_t *self);
uint32_t gateway_conn (gateway_t *self);      //  current connection, 0 = none
const char *gateway_app_id (gateway_t *self); //  "" until READY
const char *gateway_user_id (gateway_t *self);
const char *gateway_session_id (gateway_t *self);
int64_t gateway_seq (gateway_t *self);
int64_t gateway_latency_ms (gateway_t *self); //  -1 until the first ACK
//  Connections opened to the gateway (the first and every reconnect).
uint64_t gateway_connects (gateway_t *self);
//  The "gateway" status body: {"state", "error", "guild", "user", "session",
//  "latency_ms"}. guild borrowed. Caller owns the result.
cJSON *gateway_report (gateway_t *self, const char *guild);

#endif
