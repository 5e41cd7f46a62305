/*  agent: ddc-docker's copy of the live configuration and its action queues.
    Owns the last accepted containers, tasks, docker and alerts sections, the
    allow-list decision for this host (configured here, active, action
    allowed) and one bounded FIFO per container, so actions on a container
    never overlap. Pure logic: no I/O, Docker or ZeroMQ (unit-tested). */
#ifndef AGENT_H
#define AGENT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define AGENT_QUEUE_MAX 8      //  actions waiting per container
#define AGENT_BUSY_MAX 512     //  containers with actions at once
#define AGENT_STATS_DEFAULT 10 //  docker.stats_interval_seconds
#define AGENT_STOP_DEFAULT 10  //  docker.stop_timeout_seconds
#define AGENT_LOG_LINES 50     //  logs: lines when none asked
#define AGENT_LOG_LINES_MAX 1000

typedef struct _agent_t agent_t;

//  The alerts section as the agent uses it.
typedef struct {
    bool enabled;
    char webhook_url [2049]; //  "" = none
    bool webhook_json;       //  webhook_format "json" (else "discord")
    int restart_loop_count;
    int restart_loop_minutes;
    int cooldown_minutes;
    int max_per_hour;
    int log_lines;
} agent_alerts_t;

typedef enum {
    AGENT_OK = 0,
    AGENT_NOT_CONFIGURED, //  no entry with host == ours
    AGENT_INACTIVE,       //  entry has active false
    AGENT_NOT_ALLOWED,    //  action not in allowed_actions
    AGENT_BAD_ACTION      //  not start/stop/restart/logs
} agent_verdict_t;

//  host is copied. Starts with no containers, no tasks, default settings.
agent_t *agent_new (const char *host);
void agent_destroy (agent_t **self_p);
const char *agent_host (agent_t *self);

//  Accept a new value for "containers", "tasks", "docker" or "alerts" (borrowed;
//  copied). Checks the shape the agent relies on (types of the fields it
//  reads; ranges of the docker settings); on a problem appends
//  {field, reason, message} objects to errors (may be NULL), keeps the
//  previous value and returns -1. Other sections: ignored, 0.
int agent_apply (agent_t *self, const char *section, const cJSON *value, cJSON *errors);

//  Current sections (borrowed; an empty array/object before any apply).
const cJSON *agent_containers (agent_t *self);
const cJSON *agent_tasks (agent_t *self);
int agent_stats_interval_s (agent_t *self);
int agent_stop_timeout_s (agent_t *self);
//  The alerts settings (defaults before any apply).
const agent_alerts_t *agent_alerts (agent_t *self);

//  The containers entry with host == ours and this name (borrowed, valid
//  until the next agent_apply), or NULL.
const cJSON *agent_container (agent_t *self, const char *name);

//  May `action` run on container `name` now? Writes the reason for a
//  refusal (an English sentence) into msg[size] ("" when AGENT_OK).
agent_verdict_t agent_check (agent_t *self, const char *name, const char *action, char *msg,
                             size_t size);

//  True for the actions that go through the queue and the allow-list.
bool agent_action_known (const char *action);

//  Per-container FIFO. agent_enqueue returns 1 when the container was idle
//  (job is now its running job: start it), 0 when job waits behind others,
//  -1 when AGENT_QUEUE_MAX jobs already wait (or AGENT_BUSY_MAX containers
//  are busy, or name is empty): the job was not taken.
int agent_enqueue (agent_t *self, const char *name, void *job);
//  The running job of name is done: returns the next one (now running),
//  or NULL when the container is idle again.
void *agent_finish (agent_t *self, const char *name);
//  Jobs waiting (not counting the running one) for name; running job.
size_t agent_waiting (agent_t *self, const char *name);
void *agent_running (agent_t *self, const char *name);
//  Take every waiting job out (for shutdown): calls fn for each, running
//  jobs stay. Returns how many.
size_t agent_drain (agent_t *self, void (*fn) (void *arg, void *job), void *arg);

#endif
