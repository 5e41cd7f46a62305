/*  sse: the live view as Server-Sent Events (GET /events). A browser that
    opens /events keeps the connection; ddc-web writes first the whole view
        event: view
        data: {"view": {...}, "html": {"services", "gateway", "hosts", "broker"}}
    and then, whenever the dashboard data changed (debounced to 100 ms),
    only what changed since (event: patch: the view outside its hosts and
    the hosts' sections or single rows that differ, by hashes of what was
    sent; a whole view again when the hosts or the language changed), so
    that one container's change costs a row however many hosts and
    containers the view holds; a comment line every 15 s to
    keep proxies from closing it, and "event: signedout" (then closes) when
    the session ends: idle for longer than web.session_idle_minutes, or
    the password changed. app.js uses it for the dashboard and for the
    acknowledgements after a save. Kore 4.1.0 has no SSE API: the response
    is sent without a length, the connection marked busy so that Kore reads
    no further request from it, and events are queued on it directly. */
#ifndef WEB_SSE_H
#define WEB_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web.h"

//  Take over req's connection for events (a->ok must hold).
int sse_open (struct http_request *req, const web_auth_t *a);
//  Something the view shows may have changed.
void sse_changed (void);
//  Send what is due (called by the bridge's timer).
void sse_tick (void);
size_t sse_count (void);

//  For every event stream (this one, logstream.c): take over req's
//  connection (the response sent without a length, no further request
//  read from it) with on_disconnect called when it closes.
void sse_start (struct http_request *req, void (*on_disconnect) (struct connection *));
//  Queue text on a stream; one that cannot take it, or would have more
//  than SSE_QUEUE_MAX bytes waiting with it (a browser that reads nothing),
//  is closed. Text larger on its own is taken when nothing else waits.
#define SSE_QUEUE_MAX (1024 * 1024)
void sse_write (struct connection *c, const char *text, size_t len);
//  NULL while the stream's session holds at now_s, else why it ended (for
//  the sign-in page): "password" (the password it was signed with
//  changed), "age" (too old) or "idle" (idle too long).
const char *sse_session_ended (const session_t *s, const unsigned char key [SESSION_KEY_BYTES],
                               int64_t now_s);
//  "event: signedout" with {"reason": why}, then close.
void sse_signed_out (struct connection *c, const char *why);

#endif
