/*  alerts: ddc-docker's alerts, from Docker's events to the broker and the
    webhook. Owns the incidents (incidents.c) of this host's active
    configured containers with the kinds each asks for, the alerts
    settings applied live, the alert reports in the order they happened
    (an opening waits, at most ALERTS_FETCH_MS, for the container's last
    log lines and, for a health incident, the health check's output; a
    crash by SIGKILL that Docker does not yet call a memory kill waits, at
    most ALERTS_OOM_WAIT_MS, for the "oom" event that may follow the exit),
    their REPORT on the topic "alerts" (proto/docker.md) and the webhook
    (webhook.c). Reports held back by a rate limit are only logged. */
#ifndef ALERTS_H
#define ALERTS_H

#include <cJSON.h>
#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "docker_parse.h"
#include "engine.h"
#include "status.h"

#define ALERTS_PENDING_MAX 64       //  reports waiting for their logs
#define ALERTS_FETCH_MS 5000        //  logs and inspect of an alert
#define ALERTS_LOGS_MAX (16 * 1024) //  log text in a report
#define ALERTS_SIGKILL_EXIT 137     //  the exit code of a process killed by SIGKILL
#define ALERTS_OOM_WAIT_MS 3000     //  a SIGKILL crash report waits this long for "oom"

typedef struct _alerts_t alerts_t;

//  engine, agent and status are borrowed and outlive it; report publishes
//  (the daemon's REPORT). NULL when libcurl cannot be set up.
alerts_t *alerts_new (engine_t *engine, agent_t *agent, status_t *status, status_report_fn *report,
                      void *arg);
void alerts_destroy (alerts_t **self_p);

//  The containers or alerts section changed (the agent holds them).
void alerts_config_changed (alerts_t *self);

//  What the other modules see (their callback types; arg is the alerts).
void alerts_event (void *arg, const docker_event_t *ev);
void alerts_inspected (void *arg, const char *name, const docker_inspect_t *in);
void alerts_asked (void *arg, const char *container, int64_t until);

//  Loop integration: ends incidents that are over and publishes reports
//  that are ready; the webhook's sockets and timer.
void alerts_tick (alerts_t *self);
int64_t alerts_timeout_ms (alerts_t *self);
size_t alerts_fds (alerts_t *self, struct curl_waitfd *out, size_t max);
void alerts_perform (alerts_t *self, const struct curl_waitfd *fds, size_t n);

//  Shutdown: no new Docker requests; reports still waiting are published
//  as they are.
void alerts_close (alerts_t *self);

#endif
