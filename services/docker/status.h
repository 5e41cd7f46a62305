/*  status: what ddc-docker reports about its Docker host. Owns Docker's
    reachability (probe, backoff, liveness), the events stream (reopened with
    since= and a resync), the inventory, the inspect state and CPU/memory of
    this host's configured containers, and the debounced status/inventory
    reports. All async; in-flight inspects and stats are capped for actions. */
#ifndef STATUS_H
#define STATUS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent.h"
#include "docker_parse.h"
#include "engine.h"
#include "scope.h"

#define STATUS_MAX_INSPECTS 16    //  inspects in flight at once
#define STATUS_MAX_STATS 32       //  stats samples in flight at once
#define STATUS_INVENTORY_MS 60000 //  periodic inventory refresh
#define STATUS_EVENT_DEBOUNCE 50  //  ms from an event to the inspect
#define STATUS_REPORT_GAP 200     //  ms at least between two reports
#define STATUS_BACKOFF_MIN 500    //  Docker retry backoff, ms
#define STATUS_BACKOFF_MAX 30000

typedef struct _status_t status_t;

//  Publishes a report (body borrowed).
typedef void (status_report_fn) (void *arg, const char *topic, const cJSON *body);

//  A container event of a configured container, as Docker sent it.
typedef void (status_event_fn) (void *arg, const docker_event_t *ev);
//  A fresh inspect of a configured container (HTTP 200).
typedef void (status_inspect_fn) (void *arg, const char *name, const docker_inspect_t *in);

//  engine, agent and scope are borrowed and must outlive the status; scope
//  (may be NULL: every container) limits the inventory, the events and the
//  configured containers seen to the agent's own; socket_path
//  (the engine's, copied) is also checked directly for liveness.
status_t *status_new (engine_t *engine, const char *socket_path, agent_t *agent,
                      const scope_t *scope, status_report_fn *report, void *arg);
void status_destroy (status_t **self_p);

//  Who else hears the events and inspects of the configured containers
//  (the alerts); either fn may be NULL.
void status_watch (status_t *self, status_event_fn *on_event, status_inspect_fn *on_inspect,
                   void *arg);

//  Probe Docker now (and from then on keep it followed).
void status_start (status_t *self);
//  The containers or docker section changed: follow the configured
//  containers of this host (new ones inspected, removed ones dropped) and
//  the stats interval.
void status_config_changed (status_t *self);
//  Run what is due; ms until the next call is needed (>= 0).
void status_tick (status_t *self);
int64_t status_timeout_ms (status_t *self);

//  Re-inspect a configured container soon (e.g. after a failed action).
void status_refresh (status_t *self, const char *name);
//  A fresh inspect made elsewhere (after an action): http is its status
//  (200 with in, 404 = no such container).
void status_inspected (status_t *self, const char *name, int http, const docker_inspect_t *in);
//  A Docker request failed with errmsg (status -1) elsewhere: probe again
//  when it looks like the socket went away.
void status_docker_error (status_t *self, const char *errmsg);

bool status_reachable (status_t *self);
//  Docker events read, and how late the last one was read (its own time
//  to ours, ms; -1 before the first).
uint64_t status_events (status_t *self);
int64_t status_event_lag_ms (status_t *self);
//  How to read the logs of name: DOCKER_LOGS_RAW/MUX from its inspect's
//  Config.Tty, DOCKER_LOGS_DETECT when unknown.
int status_logs_mode (status_t *self, const char *name);
//  Whether a configured container is this agent's: always with no scope,
//  else only once an inspect found it carrying the scope's labels.
bool status_in_scope (status_t *self, const char *name);
//  Current state of a configured container ("running"...; "unknown" when
//  not inspected yet, "missing" when it does not exist).
const char *status_state (status_t *self, const char *name);

//  The "status" report body (name NULL), or the entry of one configured
//  container (NULL when name is not configured here). Caller owns.
cJSON *status_body (status_t *self, const char *name);
//  The "inventory" report body. Caller owns.
cJSON *status_inventory (status_t *self);

//  Shutdown: cancel the events stream and issue nothing more; callbacks
//  still to come only free their context.
void status_close (status_t *self);

#endif
