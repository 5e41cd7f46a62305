/*  engine: asynchronous Docker Engine API client over the unix socket.
    Owns one libcurl multi handle, every transfer in flight (at most
    ENGINE_MAX_ACTIVE at once, the rest queued FIFO) and the negotiated
    "/v1.NN" path prefix. Single-threaded: only engine_wakeup may be called
    from another thread. Callbacks run inside engine_perform/engine_cancel. */
#ifndef ENGINE_H
#define ENGINE_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#define ENGINE_API_MAX_MAJOR 1             //  newest API this client speaks:
#define ENGINE_API_MAX_MINOR 41            //  1.41 = Docker 20.10
#define ENGINE_MAX_ACTIVE 64               //  concurrent requests (not streams)
#define ENGINE_MAX_STREAMS 8               //  concurrent streams
#define ENGINE_MAX_QUEUED 4096             //  requests waiting for a slot
#define ENGINE_MAX_BODY (8u * 1024 * 1024) //  default reply cap
#ifndef ENGINE_MAX_LINE                    //  (the fuzz target makes it small)
#define ENGINE_MAX_LINE (256u * 1024)      //  one stream line
#endif
#define ENGINE_MAX_PATH 4096
//  libcurl's receive buffer, a transfer's own while it runs (libcurl's
//  default is 16 KiB): a stats sample (1.5-3 KB) or an inspect still
//  arrives in one or two reads, and the 32 stats samples in flight at once
//  hold 128 KiB instead of 512 KiB
#define ENGINE_RECV_BUFFER 4096
#define ENGINE_DEFAULT_TIMEOUT_MS 60000

typedef struct _engine_t engine_t;

//  Reply of engine_request. status is the HTTP status, or -1 when there is
//  no usable reply (transport error, timeout, body over the cap, cancelled,
//  engine destroyed); errmsg then says why, else it is NULL. body is
//  NUL-terminated (len bytes, "" when empty) and borrowed for the call.
typedef void (engine_reply_fn) (void *arg, int status, const char *body, size_t len,
                                const char *errmsg);
//  One piece of a 2xx reply body as it arrives (engine_request_sink). Runs
//  from libcurl's write callback inside engine_perform: it must not call
//  the engine. Returns 0 to go on, or -1 to stop the transfer (its reply
//  callback then gets -1 and "docker: reply refused by its reader").
typedef int (engine_data_fn) (void *arg, const char *data, size_t len);
//  One complete line of a stream, without its "\n", NUL-terminated.
typedef void (engine_line_fn) (void *arg, const char *line, size_t len);
//  End of a stream: status as above (the HTTP status when the server
//  closed it, -1 on a transport error/cancel); errmsg says why, or holds
//  the start of the body when status is not 2xx.
typedef void (engine_end_fn) (void *arg, int status, const char *errmsg);

//  Every request carries "User-Agent: ddc-docker/<DDC_VERSION>".

//  Create an engine for the Docker socket at socket_path (borrowed). No I/O
//  happens here: the API version is negotiated by the first transfer (GET
//  /_ping's API-Version header, else GET /version), again after a transport
//  error, and the prefix /v<min(server, 1.41)> is put before every path.
//  Returns NULL when libcurl cannot be set up.
engine_t *engine_new (const char *socket_path);

//  Finish every transfer with status -1 and "engine destroyed" (callbacks
//  run), then free all. Not to be called from inside a callback.
void engine_destroy (engine_t **self_p);

//  Start an HTTP request. method "GET", "POST", "DELETE", "HEAD"; path like
//  "/containers/json?all=1" (must start with '/', printable ASCII without
//  spaces, '#', '\\' or dot segments; callers URL-encode query values);
//  body_json (copied) is sent as application/json, NULL = no body; a POST
//  without body sends Content-Length 0. timeout_ms covers the whole
//  transfer, 0 = ENGINE_DEFAULT_TIMEOUT_MS (a stop with t=N needs > N s).
//  The reply body is capped at ENGINE_MAX_BODY. cb runs exactly once, from
//  engine_perform (or engine_cancel/engine_destroy), never from here.
//  Returns a transfer id (> 0), or -1 on a bad argument or full queue (cb
//  will then never run).
int64_t engine_request (engine_t *self, const char *method, const char *path, const char *body_json,
                        long timeout_ms, engine_reply_fn *cb, void *arg);

//  The same with a reply cap of max_body bytes (0 = ENGINE_MAX_BODY), e.g.
//  1 MiB for logs.
int64_t engine_request_capped (engine_t *self, const char *method, const char *path,
                               const char *body_json, long timeout_ms, size_t max_body,
                               engine_reply_fn *cb, void *arg);

//  The same with a 2xx reply body handed to on_data piece by piece, of any
//  size, instead of being collected: cb then gets the status and an empty
//  body. A reply that is not 2xx is collected for cb (its first 4 KiB), so
//  that Docker's error message still reaches the caller. E.g. logs, whose
//  reader keeps only the newest lines.
int64_t engine_request_sink (engine_t *self, const char *method, const char *path, long timeout_ms,
                             engine_data_fn *on_data, engine_reply_fn *cb, void *arg);

//  Open a long-lived GET (e.g. "/events?filters=...") without timeout and
//  deliver each complete "\n"-terminated line to on_line (lines over
//  ENGINE_MAX_LINE are dropped with a warning; "\r" before "\n" removed).
//  on_end runs exactly once when the stream ends for any reason.
//  Returns a transfer id (> 0) or -1 (on_end will then never run).
int64_t engine_stream (engine_t *self, const char *path, engine_line_fn *on_line,
                       engine_end_fn *on_end, void *arg);

//  Cancel a request or stream: its callback runs with -1 and "cancelled"
//  (from here, or from the next engine_perform when called inside one).
//  Returns 0, or -1 when no such transfer is in flight.
int engine_cancel (engine_t *self, int64_t id);

//  HTTP status received so far for a transfer in flight: 0 before the
//  response headers, -1 for an unknown id. A stream is open once > 0.
int engine_status (engine_t *self, int64_t id);

//  Event-loop integration. engine_poll waits (curl_multi_poll) on Docker
//  sockets plus the caller's extra fds (e.g. each ZMQ_FD with
//  CURL_WAIT_POLLIN; revents are filled in) for at most timeout_ms (< 0 =
//  no limit), less when libcurl has a timer due. Returns the number of fds with events, or
//  -1. ZMQ_FD is edge-like: after engine_poll returns, always check the
//  zmq sockets (ZMQ_EVENTS), whatever revents says.
int engine_poll (engine_t *self, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms);

//  Drive transfers without blocking (curl_multi_perform) and run the
//  callbacks of every finished transfer; then start queued ones.
void engine_perform (engine_t *self);

//  Milliseconds until engine_perform must run at the latest (-1 = no
//  timer), for callers with their own poll loop.
long engine_timeout_ms (engine_t *self);

//  Make a blocked engine_poll return early. Safe from any thread.
void engine_wakeup (engine_t *self);

//  Requests in flight (started) and waiting for a slot; streams open.
size_t engine_active (engine_t *self);
size_t engine_queued (engine_t *self);
size_t engine_streams (engine_t *self);

//  The negotiated API version ("1.41"), or NULL before negotiation.
const char *engine_api_version (engine_t *self);

#endif
