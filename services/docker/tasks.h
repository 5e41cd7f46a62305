/*  tasks: the scheduled tasks of this Docker host. Owns, per task with
    host == ours, its next run (ddc_schedule_next, while active), its last
    run and result, the choice of the due ones and the "tasks" report. No
    catch-up: a run missed while the agent was down is skipped. Pure logic
    over ddc_schedule; the caller runs the actions. */
#ifndef TASKS_H
#define TASKS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct _tasks_t tasks_t;

//  host is copied.
tasks_t *tasks_new (const char *host);
void tasks_destroy (tasks_t **self_p);

//  Follow a new tasks section (borrowed, copied) at wall time now_s. A task
//  whose definition did not change keeps its next run and its last result;
//  a new or changed one gets next = first run after now_s; inactive ones
//  and those with no next run (a once task in the past) get none. Entries
//  of other hosts are ignored; records of removed tasks are dropped.
void tasks_sync (tasks_t *self, const cJSON *section, int64_t now_s);

//  The earliest next run (epoch s), or -1 when no task is scheduled.
int64_t tasks_next_due (tasks_t *self);

//  One task due at now_s (next run <= now_s), earliest first, or NULL. It is
//  taken: its next run becomes the first after now_s (none for a once task).
//  Returns the task object (borrowed, valid until the next tasks_sync).
const cJSON *tasks_take_due (tasks_t *self, int64_t now_s);

//  Record the result of a run of task id (ignored when the task is gone).
void tasks_record (tasks_t *self, const char *id, int64_t run_s, bool ok, const char *message);

//  Number of tasks of this host (active or not).
size_t tasks_count (tasks_t *self);

//  {"host": H, "tasks": {"ID": {"description", "container", "action",
//   "active", "next_run", "last_run", "last_result", "last_message"}}}.
//  Caller owns.
cJSON *tasks_report (tasks_t *self);

#endif
