/*  watchdog: the heartbeat of ddc to an outside monitor (the configuration's
    watchdog section; Healthchecks.io, Uptime Kuma push monitors). Every
    interval_minutes it asks the broker whether the system is well (a
    callback, health.h) and requests url when it is, fail_url when it is
    not and one is set, or nothing (the monitor notices the silence). A
    change of the section applies at once and makes a check at once; at the
    broker's start the first check waits one minute, so that the services
    can connect. Owns the schedule, the request (libcurl, loaded when the
    watchdog is first switched on (ddc_curl.h): a broker without one maps
    none of its libraries; a multi driven from the broker's zloop: curl's
    sockets as pollers, its timeout as a timer;
    a GET with bounded time, no redirects, http and https only, the system's
    CA folder and optionally a CA file), and what STATUS shows. Logs scheme
    and host of a URL, never its path or query (they hold the secret that
    lets anyone ping). Single-threaded: the broker loop. */
#ifndef DDC_WATCHDOG_H
#define DDC_WATCHDOG_H

#include <cJSON.h>
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "loopstat.h"

#define WATCHDOG_CONNECT_MS 5000  //  to connect, at most
#define WATCHDOG_REQUEST_MS 10000 //  for the whole request (or half the interval)
#define WATCHDOG_MINUTE_MS 60000  //  a minute (tests make it shorter)

typedef struct watchdog_t watchdog_t;

//  true when the system is well; reason[size] says why not, or what was
//  found well.
typedef bool (watchdog_health_fn) (void *arg, char *reason, size_t size);

//  A watchdog in loop (borrowed; it must outlive the watchdog), its steps
//  measured in loopstat (borrowed). ca_file: an extra CA (PEM) for https
//  monitors with their own CA, or NULL. minute_ms: the length of a minute
//  (WATCHDOG_MINUTE_MS but in tests). Off until watchdog_configure.
watchdog_t *watchdog_new (zloop_t *loop, const char *ca_file, int64_t minute_ms,
                          watchdog_health_fn *health, void *arg, loopstat_t *loopstat);
//  Ends a request under way. Before the loop is destroyed.
void watchdog_destroy (watchdog_t **self_p);

//  Apply the watchdog section (borrowed, validated). starting: the broker
//  has just started (the first check waits a minute); otherwise a changed
//  section makes a check at once. An unchanged section changes nothing.
//  Switched on the first time, it loads libcurl (once: when that fails,
//  one error line is logged and every check's result says why).
void watchdog_configure (watchdog_t *self, const cJSON *section, bool starting);

//  For STATUS: {"enabled", "interval_minutes", "url", "fail_url" (scheme,
//  host and "/…" only), "ca_file", "busy", "last": null | {"time",
//  "healthy", "reason", "sent": "url" | "fail_url" | null, "outcome":
//  "pinged" | "fail_sent" | "skipped" | "error", "result"}, "next"}.
//  Caller frees.
cJSON *watchdog_status (watchdog_t *self);

//  url as scheme://host[:port] with "/…" for the rest (no user, path or
//  query) into out[size]: what may be logged and shown.
void watchdog_safe_url (const char *url, char *out, size_t size);

#endif
