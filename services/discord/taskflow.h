/*  taskflow: the scheduled tasks from Discord, for admins in a channel
    set up for ddc. Owns the /task command (list [container], add
    container action cycle time [day] [timezone], delete task, with
    autocomplete of containers, tasks and time zones), the ⏰ button of a
    container's panel (its tasks, then "Add task" -> the form, or the
    delete select), and the changes: each a compare-and-swap save of the
    tasks section through the broker (saves.c), validated there like any
    other; a new task gets an id not used by the value it goes into. The
    messages and the parsing are tasks.c's. */
#ifndef DDC_DISCORD_TASKFLOW_H
#define DDC_DISCORD_TASKFLOW_H

#include "app.h"
#include "payload.h"

typedef struct _taskflow_t taskflow_t;

taskflow_t *taskflow_new (app_t *app);
void taskflow_destroy (taskflow_t **self_p);

//  The /task command (ix->subcommand list, add or delete).
void taskflow_on_command (taskflow_t *self, const gw_interaction_t *ix);
//  Its autocomplete (the focused option: container, task or timezone).
void taskflow_on_autocomplete (taskflow_t *self, const gw_interaction_t *ix);
//  Components whose custom id starts "pn:tasks:" or "tk:", and the form
//  ("tk:new:KEY").
void taskflow_on_component (taskflow_t *self, const gw_interaction_t *ix);
void taskflow_on_modal (taskflow_t *self, const gw_interaction_t *ix);

#endif
