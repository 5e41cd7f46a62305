/*  actions: start/stop/restart/logs jobs, from broker requests and tasks
    alike. Owns each job from submission to result: allow-list checks (on
    submission and when its turn comes), the per-container FIFO (agent), the
    Docker call and its timeout, the inspect after it, the result, the log
    line and the audit file (JSON lines, 0600, rotated to FILE.1 at 16 MiB). */
#ifndef ACTIONS_H
#define ACTIONS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent.h"
#include "docker_parse.h"
#include "engine.h"
#include "status.h"

#define ACTIONS_AUDIT_MAX (16 * 1024 * 1024) //  audit file size before rotation
//  Logs text sent at most: the newest lines that fit. The reply from
//  Docker is read piece by piece (any size) and only the newest text kept;
//  as JSON (at most 2 bytes per byte of cleaned text) it stays well inside
//  a RESULT frame (DDC_MAX_JSON, 1 MiB).
#define ACTIONS_LOGS_TEXT_MAX (256 * 1024)
#define ACTIONS_EXTRA_TIMEOUT 30 //  s added to stop_timeout

typedef struct _actions_t actions_t;

//  One action to run. Fill with job_new; req/origin for a broker request,
//  task_id for a task.
typedef struct {
    char action [16];
    char container [DOCKER_NAME_MAX];
    int lines;         //  logs only
    bool follow;       //  logs: a later read of a log followed live (not audited)
    char by [208];     //  who asked (free text, sanitised)
    char req [260];    //  ACTION request id to answer, "" for tasks
    char origin [260]; //  peer that asked, "" for tasks
    char task_id [72]; //  "" unless a task
    //  filled while running
    int64_t queued_ms;     //  mono
    int64_t started_ms;    //  mono, 0 = not started
    int64_t started_wall;  //  wall ms
    int64_t call_id;       //  engine transfer in flight
    docker_logs_t *reader; //  logs: the reply read so far
    bool logs_bad;         //  the reader stopped at a bad header
    char *logs;            //  logs text
    size_t log_lines;
    bool logs_cut;     //  older lines left out to fit
    int http;          //  status of the Docker call
    const char *error; //  NULL, "failed", "timeout"
    char message [DOCKER_ERRMSG_MAX];
    long timeout_ms;
    actions_t *owner; //  set by actions_submit
} job_t;

//  Called once per job with its result (borrowed); the job is freed after.
typedef void (actions_done_fn) (void *arg, const job_t *job, const cJSON *result);
//  A stop or restart of container is about to be sent to Docker: an exit
//  until wall-clock ms `until` is asked for.
typedef void (actions_stop_fn) (void *arg, const char *container, int64_t until);

//  engine, agent and status are borrowed; audit_path copied (NULL = no
//  audit file).
actions_t *actions_new (engine_t *engine, agent_t *agent, status_t *status, const char *audit_path,
                        actions_done_fn *done, void *arg);
void actions_destroy (actions_t **self_p);

//  A new job. by is sanitised (control characters become spaces, at most
//  200 bytes); lines is clamped to 1..AGENT_LOG_LINES_MAX (0 = default).
job_t *job_new (const char *action, const char *container, int lines, const char *by);
void job_destroy (job_t **job_p);

//  Run the job *job_p (the actions own it from now on; *job_p is set to
//  NULL): refused at once when the allow-list says no or the container's
//  queue is full, else started now or when its turn comes.
void actions_submit (actions_t *self, job_t **job_p);

//  Who hears of stops and restarts before they start (the alerts).
void actions_on_stop (actions_t *self, actions_stop_fn *fn, void *arg);

//  Jobs submitted and not finished.
size_t actions_pending (actions_t *self);

//  Shutdown: answer every waiting job with an error, and the running ones
//  as their Docker calls end (engine_destroy cancels them).
void actions_close (actions_t *self);

#endif
