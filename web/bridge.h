/*  bridge: ddc-web's link to ddc-broker inside Kore's event loop. One
    ddc_client (role "web", every section followed, every status/ topic)
    per worker process; the ZMQ_FDs of its two sockets are registered
    edge-triggered in Kore's epoll and drained on every wakeup, after every
    send, and by a 50 ms timer that also runs the client's ticks. Nothing
    here ever blocks: requests are asynchronous (op.c) and answered within
    their timeout. Also owns the broker's peers table (STATUS -> PEERS,
    updated by the status/ PUB messages and polled while browsers follow
    the live view: the rows every second, the reports they hold, which the
    PUB brings, every 15 s; an agent's inventory kept compact, view.h) and tells sse.c when the view may have changed. Counts
    those changes in a generation number (bridge_gen) that what the pages
    derive is kept by (cache.h). Watches the CTL connection itself
    (ddc_client's ZeroMQ socket monitor), so that a table is not shown as
    current once the broker has gone, even before the client library
    notices, and a refused certificate is told from an absent broker. Keeps
    the latest "metrics" report of every service (status/<peer>/metrics/,
    the broker's own as broker@HOST) for /metrics, and publishes this
    replica's own. Talks to the rest of ddc-web only through the hooks it
    is started with (bridge_hooks_t). */
#ifndef WEB_BRIDGE_H
#define WEB_BRIDGE_H

#include <cJSON.h>
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_client.h"
#include "ddc_metrics.h"
#include "opts.h"

//  What the bridge tells the rest of ddc-web; every hook may be NULL.
typedef struct {
    //  Something the pages show may have changed (bridge_gen moved on).
    void (*changed) (void *arg);
    //  The client handled what came and ran its timers: requests waiting
    //  for a revision to be applied may look again.
    void (*turned) (void *arg);
    //  The 50 ms timer ticked.
    void (*tick) (void *arg);
    //  How many browsers follow the live view: while any do, the peers
    //  table is asked for every second.
    size_t (*followers) (void *arg);
    //  The broker is up or not, and the revision this replica has.
    void (*broker) (void *arg, bool up, uint64_t rev);
    //  This replica's own metrics report (ddc_client asks for it).
    void (*metrics) (void *arg, ddc_metrics_t *m);
    //  The web section has no password (and this process saved none):
    //  the first run; said once until a password is set.
    void (*no_password) (void *arg);
    //  The client is gone (bridge_stop): what still waits on it lets go.
    void (*stopped) (void *arg);
    void *arg;
} bridge_hooks_t;

//  Create the client (in the worker, after fork); the hooks are copied,
//  o is borrowed for the process's life. 0/-1.
int bridge_start (const opts_t *o, const bridge_hooks_t *hooks);
//  Say BYE and close (worker teardown).
void bridge_stop (void);

ddc_client_t *bridge_client (void);
//  Drain the sockets and run what is due (after a send).
void bridge_kick (void);

//  The broker answers and the configuration is synced.
bool bridge_up (void);
//  Why the broker refuses this service's handshake, or NULL.
const char *bridge_refused (void);
uint64_t bridge_rev (void);
//  The current value of a section (borrowed until the next event) and its
//  revision; NULL before the first sync.
const cJSON *bridge_section (const char *name, uint64_t *rev_p);
//  The latest revision of every section applied here and who made it:
//  {"bot": {"rev", "author", "peer", "time"}, ...} (author, peer and time
//  only for revisions that arrived as updates, not in a snapshot).
//  Borrowed; NULL before the first section.
const cJSON *bridge_changes (void);
//  web.password_hash as the broker has it, including a hash this process
//  just saved and the broker has not published back yet. "" when none.
const char *bridge_password_hash (void);
//  Remember a hash this process saved at revision rev.
void bridge_saved_password_hash (const char *hash, uint64_t rev);
//  web.ui_language as "en"/"de", and the idle limit in seconds.
const char *bridge_lang (void);
int64_t bridge_idle_seconds (void);

//  Changes whenever something the pages show may have: the peers table,
//  a section value, the broker's state.
uint64_t bridge_gen (void);
//  Changes as bridge_gen does, except when a STATUS of the peers' rows
//  alone (every second while browsers follow) changed no peer's name,
//  role, instance or connection: what the live view's hosts are built
//  from (view_hosts) is then as it was.
uint64_t bridge_reports_gen (void);

//  The latest peers table (borrowed; NULL before the first STATUS) and
//  its age in ms.
const cJSON *bridge_table (void);
int64_t bridge_table_age_ms (void);
//  The table may be shown as current: at most max_age_ms old and the CTL
//  connection has not dropped since. Once it is half that old, a fresh one
//  is asked for in the background, so that under steady use pages never
//  wait for it.
bool bridge_table_fresh (int64_t max_age_ms);
//  Replace the table with a fresh PEERS body (copied).
void bridge_set_table (const cJSON *table);
//  A STATUS request for the page at offset, with the full reports of the
//  docker agents and the bots (proto/ddcp.md 5.6); a page with "next"
//  makes bridge_set_table ask for the rest.
zmsg_t *bridge_status_request (uint64_t offset);
//  Ask for a fresh table now (no-op when a STATUS is in flight).
void bridge_refresh_table (void);
//  Megabytes were freed (a parsed report, a whole view sent): hand what is
//  free back to the system once such work pauses.
void bridge_trim_soon (void);

//  The metrics reports kept (at most BRIDGE_METRICS_PEERS, each at most
//  DDC_METRICS_MAX bytes, none older than BRIDGE_METRICS_STALE_MS), not this
//  replica's own: for each, its peer name, its JSON text and its age in ms.
//  Sorted by name, the broker first. Borrowed until the next event.
#define BRIDGE_METRICS_PEERS 256
#define BRIDGE_METRICS_STALE_MS 60000
typedef struct {
    const char *peer;
    const char *text;
    int64_t age_ms;
} bridge_metrics_t;
size_t bridge_metrics (bridge_metrics_t *out, size_t max);

#endif
