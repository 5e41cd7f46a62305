/*  webhook: ddc-docker's alerts sent to alerts.webhook_url, so that they
    reach someone without the bot. Owns the payload (a Discord webhook
    message with an embed, or the alert report as plain JSON), a bounded
    queue (WEBHOOK_QUEUE_MAX, the oldest dropped first), one POST at a time
    (in order) on its own libcurl multi handle driven by the agent's loop
    (its sockets and timer are handed out, never waited on here), a timeout
    per try, retries with backoff on transport errors, 408, 429 (its
    Retry-After) and 5xx, and the URL's secret: logs name only
    scheme://host[:port]/... */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <cJSON.h>
#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_QUEUE_MAX 64
#define WEBHOOK_TRIES 5               //  tries of one alert
#define WEBHOOK_TIMEOUT_MS 10000      //  one try, connecting included
#define WEBHOOK_BACKOFF_MS 1000       //  before the 2nd try, doubled after
#define WEBHOOK_RETRY_AFTER_MAX 60000 //  a 429's wait is capped at this
#define WEBHOOK_FDS_MAX 8
#define WEBHOOK_TEXT_MAX 3800 //  log text in a Discord embed

typedef enum { WEBHOOK_DISCORD, WEBHOOK_JSON } webhook_format_t;

typedef struct _webhook_t webhook_t;

//  NULL when libcurl cannot be set up.
webhook_t *webhook_new (void);
//  Drops what is queued; a POST in flight is abandoned.
void webhook_destroy (webhook_t **self_p);

//  Where and how (url copied; "" or NULL: no webhook, the queue is
//  dropped). A new URL or format applies to the alerts queued after it.
void webhook_configure (webhook_t *self, const char *url, webhook_format_t format);

//  Queue an alert report (borrowed; its payload is made now). 0, or -1 when
//  no webhook is configured.
int webhook_send (webhook_t *self, const cJSON *report);
//  Alerts queued or in flight.
size_t webhook_pending (webhook_t *self);
//  Alerts delivered (2xx) and given up since the start.
uint64_t webhook_delivered (webhook_t *self);
uint64_t webhook_dropped (webhook_t *self);

//  Loop integration: the sockets to wait on (at most max, events set),
//  the ms until webhook_perform must run (-1: only when a socket is
//  ready), and the work itself with the waited-on fds (revents filled).
size_t webhook_fds (webhook_t *self, struct curl_waitfd *out, size_t max);
int64_t webhook_timeout_ms (webhook_t *self);
void webhook_perform (webhook_t *self, const struct curl_waitfd *fds, size_t n);

//  The payload of a report in a format (caller frees): Discord's
//  {"username", "embeds": [...]} with the title, the reason, the log lines
//  or the health check's output, the host and the times; or the report
//  itself with a "text" line added.
char *webhook_body (const cJSON *report, webhook_format_t format);
//  "scheme://host[:port]/..." of url into out[size] (no path, query or
//  user info: a Discord webhook's URL carries its token).
void webhook_redact (const char *url, char *out, size_t size);
//  The one-line summary of a report ("🚨 Plex crashed (exit code 1)").
void webhook_title (const cJSON *report, char *out, size_t size);

#endif
