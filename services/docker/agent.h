/*  agent: ddc-docker's copy of the live configuration and its action queues.
    Owns this host's entries of the last accepted containers and tasks
    sections (another host's are checked, not kept), the docker and alerts
    sections, the allow-list decision for this host (configured here,
    active, action allowed) and one bounded FIFO per container, so actions
    on a container never overlap. Pure logic: no I/O, Docker or ZeroMQ (unit-tested). */
#ifndef AGENT_H
#define AGENT_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define AGENT_QUEUE_MAX 8  //  actions waiting per container
#define AGENT_BUSY_MAX 512 //  containers with actions at once
#define AGENT_LOG_LINES 50 //  logs: lines when none asked
#define AGENT_LOG_LINES_MAX 1000

typedef struct _agent_t agent_t;

//  The alerts section as the agent uses it (decoded by ddc_schema: the
//  limits and defaults are its rows'; strings valid until the next
//  agent_apply of alerts).
typedef struct {
    bool enabled;
    const char *webhook_url;    //  "" = none (or redacted for this agent)
    const char *webhook_format; //  "discord" or "json"
    bool webhook_json;          //  webhook_format is "json"
    int restart_loop_count;
    int restart_loop_minutes;
    int cooldown_minutes;
    int max_per_hour;
    int log_lines;
} agent_alerts_t;

//  An entry of the containers section with this host (decoded by
//  ddc_schema; strings valid until the next agent_apply of containers).
typedef struct {
    const char *host;
    const char *name;
    const char *display_name; //  "" when not given
    bool active;
    unsigned actions; //  allowed_actions: bit i for ddc_schema_actions[i]
    unsigned alerts;  //  bit i for ddc_schema_alert_kinds[i]
} agent_container_t;

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

//  Accept a new value for "containers", "tasks", "docker" or "alerts"
//  (borrowed; copied: of containers what the agent reads of this host's
//  entries, of tasks this host's entries). Every field the agent reads
//  is decoded through ddc_schema, so its type, limits, format and default
//  are the schema row's; of containers and tasks only the host of another host's entry
//  is looked at (and its name). Task ids of this host must be unique. On
//  a problem appends {field, reason, message} objects to errors (may be
//  NULL), keeps the previous value and returns -1. Other sections:
//  ignored, 0.
int agent_apply (agent_t *self, const char *section, const cJSON *value, cJSON *errors);

//  The containers entries of this host, in the section's order (borrowed,
//  valid until the next agent_apply of containers; none before any).
const agent_container_t *agent_containers (agent_t *self, size_t *count);
//  The tasks of this host, in the section's order (borrowed; an empty
//  array before any apply).
const cJSON *agent_tasks (agent_t *self);
//  The docker settings (the schema's defaults before any apply).
int agent_stats_interval_s (agent_t *self);
int agent_stop_timeout_s (agent_t *self);
//  The alerts settings (the schema's defaults before any apply).
const agent_alerts_t *agent_alerts (agent_t *self);

//  The containers entry with host == ours and this name (borrowed, valid
//  until the next agent_apply), or NULL.
const agent_container_t *agent_container (agent_t *self, const char *name);

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
