/*  tasks: scheduled tasks as Discord shows them and as admins type them.
    Owns turning what an admin typed into a task of the tasks section
    ("04:00", "mon" or "Montag", "15", "12-31" or "31.12.", "2026-12-24"
    or "24.12.2026", a time zone that defaults to the bot's), a new task's
    id, a task's description in the bot language, and the task messages'
    layouts: a container's tasks with their next run (computed with
    ddc_schedule in each task's own zone), an "Add task" button and a
    select to delete one, and the form that adds one. Pure: no I/O beyond
    reading time zone files; the caller owns each result. */
#ifndef DDC_DISCORD_TASKS_H
#define DDC_DISCORD_TASKS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n.h"
#include "live.h"
#include "render.h"

#define TASKS_SHOWN_MAX 25 //  tasks in a list message or a select

//  "4:05" or "04:05" -> "04:05" (buf[6]); -1 if not a time of day.
int tasks_parse_time (const char *text, char buf [6]);
//  A weekday in English or German, short or long ("mon", "Monday",
//  "Mo", "Montag") -> "mon"; NULL if none.
const char *tasks_parse_weekday (const char *text);
//  The task (a new object) of these inputs, or NULL with the i18n key of
//  the reason in why (and its argument in arg, may be ""). tz "" is
//  default_tz. now: epoch seconds (a once task must lie after it).
cJSON *tasks_build (const char *id, const char *host, const char *container, const char *action,
                    const char *cycle, const char *time, const char *when, const char *tz,
                    const char *default_tz, const char *note, int64_t now, const char **why,
                    char *arg, size_t arg_size);
//  An id for a new task of container, unique in list: "plex-restart-daily",
//  then "-2", "-3", ... ([A-Za-z0-9_-], at most 64).
void tasks_new_id (const cJSON *list, const char *container, const char *action, const char *cycle,
                   char *buf, size_t size);
//  true if a task of list has this id.
bool tasks_has_id (const cJSON *list, const char *id);
//  A task in the bot language: "Restart daily at 04:00 (Europe/Berlin)".
void tasks_describe (lang_t lang, const cJSON *task, char *buf, size_t size);
//  The tasks of container c (all when c is NULL) as a message, with the
//  next runs after now (epoch s); for one container with the add button
//  and the delete select. note (may be NULL) above the embed.
cJSON *tasks_render_list (const render_ctx_t *r, const cJSON *tasks, const live_ctr_t *c,
                          int64_t now, const char *note);
//  The "add a task" form for container c ("tk:new:KEY").
cJSON *tasks_render_form (const render_ctx_t *r, const live_ctr_t *c);
//  s without leading and trailing white space into buf.
void tasks_trim (const char *s, char *buf, size_t size);

#endif
