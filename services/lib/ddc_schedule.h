/*  ddc_schedule: when scheduled tasks run.
    Owns: the next run time of a task from the config's "tasks" section
    (also as local time in its zone), its one-line English description and
    the ids made for new tasks. Local times are converted in the
    task's own IANA zone with ddc_tz (no process-global TZ is touched);
    loaded zones are kept in a small bounded cache, reloaded hourly, shared
    by all threads under a mutex. Nothing here logs or asserts on input.

    A task is the normalised object ddc_config produces; the fields used:
      cycle     "once" | "daily" | "weekly" | "monthly" | "yearly" | "cron"
      time      "HH:MM", 00:00..23:59, local time in the task's zone (not
                for cron)
      cron      cron only: "MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK" in
                local time, fields separated by spaces: "*", a number, a
                range "a-b", a list "a,b", a step ("*" or a range, then "/n");
                months 1..12 or jan..dec, weekdays 0..7 (0 and 7 Sunday)
                or sun..sat; as in Vixie cron, a day matches when the day
                of month or the weekday does if both are restricted (not
                "*"), else the restricted one. No "@daily" names, no
                seconds, at most DDC_SCHEDULE_CRON_MAX characters.
      timezone  IANA zone name ("UTC", "Europe/Berlin")
      date      "YYYY-MM-DD" (1970..9999), once only
      weekday   "mon".."sun", weekly only
      day       1..31 (monthly), or 1..days of month (yearly, Feb 29 ok)
      month     1..12, yearly only
    Every field the cycle needs is required (no defaults here); anything
    missing, of the wrong type or out of range makes the task invalid.
    "active" is ignored: the caller decides whether to run a task.

    Calendar and DST rules:
      - Monthly day 29..31 in a shorter month runs on its last day
        (day 31 runs on Feb 28/29, Apr 30, ...).
      - Yearly Feb 29 runs on Feb 28 in non-leap years.
      - Weekly runs on each matching weekday; a DST change in between
        keeps the local time (the UTC instant moves).
      - A local time that does not exist (spring-forward gap, e.g. 02:30
        in Europe/Berlin on the last Sunday of March) runs at the first
        instant after the gap: the transition itself, 03:00 CEST there
        (01:00 UTC).
      - A local time that occurs twice (fall-back, e.g. 02:30 in
        Europe/Berlin on the last Sunday of October) runs once, at the
        first occurrence (02:30 CEST, 00:30 UTC).
      - Once runs at its date and time in the zone (with the same gap and
        fold rules) if that is after the given instant; otherwise never.
      - Cron runs at each matching local minute (the same gap and fold
        rules); its next run is searched up to 9 years ahead. */
#ifndef DDC_SCHEDULE_H
#define DDC_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cJSON.h>

//  Longest cron expression accepted.
#define DDC_SCHEDULE_CRON_MAX 100

//  True if text is a cron expression this module runs (see above).
bool ddc_schedule_cron_ok (const char *text);

//  First run time of task (borrowed) strictly after instant after (UTC
//  epoch seconds) into *next. Returns 0, or -1 if there is none (a once
//  task whose moment is not after "after"), if the task is invalid or its
//  zone cannot be loaded, if after is outside the years 1..9999 or the run
//  would fall beyond 9999, or if next is NULL.
int ddc_schedule_next (const cJSON *task, int64_t after, int64_t *next);

//  ddc_schedule_next, and the run's local time in the task's own zone
//  into *local (tm_year..tm_sec, tm_wday; with the zone cache). Returns 0
//  or -1 as ddc_schedule_next does; local may not be NULL.
int ddc_schedule_next_local (const cJSON *task, int64_t after, int64_t *next, struct tm *local);

//  An id for a new task of container, unique among the "id"s of list (an
//  array of tasks, may be NULL): "plex-restart-daily", then "-2", "-3", ...
//  (characters outside [A-Za-z0-9_-] become '-', at most 64).
void ddc_schedule_new_id (const cJSON *list, const char *container, const char *action,
                          const char *cycle, char *buf, size_t size);
//  true if a task of list (may be NULL) has this id.
bool ddc_schedule_has_id (const cJSON *list, const char *id);

//  Short English description of task into buf[size]:
//    "once on 2026-12-24 at 18:00 (Europe/Berlin)"
//    "daily at 04:00 (Europe/Berlin)"
//    "weekly on Monday at 04:00 (UTC)"
//    "monthly on day 31 at 23:30 (America/New_York)"
//    "yearly on February 29 at 12:00 (UTC)"
//    "cron 0 4 * * 1-5 (Europe/Berlin)"
//  Returns 0, or -1 if the task is invalid (zone names are checked for
//  syntax only), buf is NULL or size 0, or the text does not fit (buf then
//  holds "" when size > 0).
int ddc_schedule_describe (const cJSON *task, char *buf, size_t size);

//  Free the zone cache (for tests and clean exits). Thread-safe.
void ddc_schedule_flush (void);

#endif
