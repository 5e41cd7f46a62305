/*  logstream: a container's log followed live (GET /logs/events?host=H&
    name=N), as Server-Sent Events. Each stream asks the host's Docker
    agent for the newest LOGSTREAM_LINES lines every LOGSTREAM_EVERY_MS
    (ACTION logs through the broker, for the signed-in user and the
    browser's address, as every web action) and sends what is new
    (logtail.h):
        event: lines
        data: {"lines": ["...", ...], "reset": bool, "gap": bool}
    the first event with "reset" (every line of the answer: the page shows
    them in place of its own), "gap" when lines may be missing before
    these; "event: problem" with {"message"} when the agent or the broker
    did not give the logs (the stream goes on asking, and ends when the
    configuration no longer allows the container's logs); a comment line
    every 15 s; "event: signedout" when the session ends. Every read is an
    action in the broker's audit log, so a log left open must not fill it:
    after LOGSTREAM_BRISK_MS without a new line the stream asks every
    LOGSTREAM_SLOW_MS only (at once again after a new line), and after
    --log-idle seconds (600) without one it ends with "event: idle" (the
    page offers to follow again). Owns the streams
    and their last answers; bounded: LOGSTREAM_MAX streams (more are
    refused with 503), each one answer (256 KiB) and SSE_QUEUE_MAX bytes
    queued for a browser that does not read. */
#ifndef WEB_LOGSTREAM_H
#define WEB_LOGSTREAM_H

#include <stddef.h>

#include "web.h"

#define LOGSTREAM_MAX 32
#define LOGSTREAM_EVERY_MS 2000
#define LOGSTREAM_LINES 200
#define LOGSTREAM_BRISK_MS 60000
#define LOGSTREAM_SLOW_MS 10000

//  Take over req's connection for host/name's log (a->ok must hold and
//  the container allow logs), for the browser at addr.
int logstream_open (struct http_request *req, const web_auth_t *a, const char *host,
                    const char *name, const char *addr);
//  Ask and send what is due (called by the bridge's timer).
void logstream_tick (void);
size_t logstream_count (void);
//  The broker client is gone (worker teardown): forget the requests in
//  flight, whose replies will never come.
void logstream_stop (void);

#endif
