/*  ddc_schedule: next run times and descriptions of scheduled tasks.
    See ddc_schedule.h for the rules. */
#include "ddc_schedule.h"
#include "ddc_tz.h"
#include "ddc_util.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

//  Zones kept loaded, and how long before one is read again.
#define S_CACHE_SIZE 16
#define S_CACHE_TTL_MS (3600 * 1000)

typedef enum {
    S_ONCE, S_DAILY, S_WEEKLY, S_MONTHLY, S_YEARLY, S_CYCLES
} s_cycle_t;

static const char *const s_cycle_names [S_CYCLES] = {
    "once", "daily", "weekly", "monthly", "yearly"
};
//  Indexed by tm_wday (0 = Sunday).
static const char *const s_wday_keys [7] = {
    "sun", "mon", "tue", "wed", "thu", "fri", "sat"
};
static const char *const s_wday_names [7] = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday"
};
static const char *const s_month_names [12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"
};

//  A task's schedule, parsed and checked.
typedef struct {
    s_cycle_t cycle;
    int hour, minute;
    int year, month, day;       //  once: date; monthly: day; yearly: month, day
    int wday;                   //  weekly: 0 = Sunday
    const char *zone;           //  borrowed from the task
} s_plan_t;

typedef struct {
    char name [DDC_TZ_NAME_MAX + 1];
    ddc_tz_t *zone;
    int64_t loaded_ms;
    uint64_t used;
} s_entry_t;

static pthread_mutex_t s_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static s_entry_t s_cache [S_CACHE_SIZE];
static uint64_t s_cache_clock;


//  --------------------------------------------------------------------------
//  Task fields

static bool
s_digits (const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s [i] < '0' || s [i] > '9')
            return false;
    return true;
}

static int
s_num2 (const char *s)
{
    return (s [0] - '0') * 10 + (s [1] - '0');
}

static const char *
s_string (const cJSON *task, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (task, key);
    return cJSON_IsString (item) ? item->valuestring : NULL;
}

//  Whole number lo..hi, or -1.

static int
s_int (const cJSON *task, const char *key, int lo, int hi, int *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (task, key);
    if (!cJSON_IsNumber (item))
        return -1;
    double v = item->valuedouble;
    if (!(v >= lo && v <= hi) || v != floor (v))
        return -1;
    *out = (int) v;
    return 0;
}

static int
s_plan (const cJSON *task, s_plan_t *plan)
{
    memset (plan, 0, sizeof (*plan));
    if (!cJSON_IsObject (task))
        return -1;
    const char *cycle = s_string (task, "cycle");
    const char *at = s_string (task, "time");
    plan->zone = s_string (task, "timezone");
    if (!cycle || !at || !ddc_tz_name_ok (plan->zone))
        return -1;
    int which = -1;
    for (int i = 0; i < S_CYCLES; i++)
        if (strcmp (cycle, s_cycle_names [i]) == 0)
            which = i;
    if (which < 0)
        return -1;
    plan->cycle = (s_cycle_t) which;

    if (strnlen (at, 6) != 5 || at [2] != ':' || !s_digits (at, 2)
    ||  !s_digits (at + 3, 2))
        return -1;
    plan->hour = s_num2 (at);
    plan->minute = s_num2 (at + 3);
    if (plan->hour > 23 || plan->minute > 59)
        return -1;

    switch (plan->cycle) {
        case S_ONCE: {
            const char *date = s_string (task, "date");
            if (!date || strnlen (date, 11) != 10 || date [4] != '-'
            ||  date [7] != '-' || !s_digits (date, 4)
            ||  !s_digits (date + 5, 2) || !s_digits (date + 8, 2))
                return -1;
            plan->year = s_num2 (date) * 100 + s_num2 (date + 2);
            plan->month = s_num2 (date + 5);
            plan->day = s_num2 (date + 8);
            if (plan->year < 1970 || plan->month < 1 || plan->month > 12
            ||  plan->day < 1
            ||  plan->day > ddc_tz_days_in_month (plan->year, plan->month))
                return -1;
            break;
        }
        case S_DAILY:
            break;
        case S_WEEKLY: {
            const char *wday = s_string (task, "weekday");
            plan->wday = -1;
            for (int i = 0; wday && i < 7; i++)
                if (strcmp (wday, s_wday_keys [i]) == 0)
                    plan->wday = i;
            if (plan->wday < 0)
                return -1;
            break;
        }
        case S_MONTHLY:
            if (s_int (task, "day", 1, 31, &plan->day) != 0)
                return -1;
            break;
        case S_YEARLY:
            //  Day checked against a leap year: Feb 29 is allowed
            if (s_int (task, "month", 1, 12, &plan->month) != 0
            ||  s_int (task, "day", 1, 31, &plan->day) != 0
            ||  plan->day > ddc_tz_days_in_month (2000, plan->month))
                return -1;
            break;
        default:
            return -1;
    }
    return 0;
}


//  --------------------------------------------------------------------------
//  Zone cache (callers hold s_cache_lock while they use the zone)

static const ddc_tz_t *
s_cache_zone (const char *name)
{
    int64_t now = ddc_mono_ms ();
    s_entry_t *slot = NULL;
    for (int i = 0; i < S_CACHE_SIZE; i++) {
        s_entry_t *entry = &s_cache [i];
        if (entry->zone && strcmp (entry->name, name) == 0) {
            slot = entry;
            break;
        }
    }
    if (slot && now - slot->loaded_ms < S_CACHE_TTL_MS) {
        slot->used = ++s_cache_clock;
        return slot->zone;
    }
    ddc_tz_t *zone = ddc_tz_load (name);
    if (!zone) {
        //  Reload failed (file gone or damaged): keep what we had
        if (!slot)
            return NULL;
        slot->loaded_ms = now;
        slot->used = ++s_cache_clock;
        return slot->zone;
    }
    if (!slot) {
        //  A free slot, else the least recently used one
        slot = &s_cache [0];
        for (int i = 0; i < S_CACHE_SIZE; i++) {
            if (!s_cache [i].zone) {
                slot = &s_cache [i];
                break;
            }
            if (s_cache [i].used < slot->used)
                slot = &s_cache [i];
        }
    }
    ddc_tz_destroy (&slot->zone);
    ddc_strlcpy (slot->name, name, sizeof (slot->name));
    slot->zone = zone;
    slot->loaded_ms = now;
    slot->used = ++s_cache_clock;
    return zone;
}

void
ddc_schedule_flush (void)
{
    pthread_mutex_lock (&s_cache_lock);
    for (int i = 0; i < S_CACHE_SIZE; i++) {
        ddc_tz_destroy (&s_cache [i].zone);
        memset (&s_cache [i], 0, sizeof (s_cache [i]));
    }
    pthread_mutex_unlock (&s_cache_lock);
}


//  --------------------------------------------------------------------------
//  Next run

//  Consider running on year-month-day (day clamped to the month's length):
//  keep the instant in *best if it is after "after" and the earliest yet.

static void
s_consider (const ddc_tz_t *zone, const s_plan_t *plan, int64_t year,
            int month, int day, int64_t after, int64_t *best, bool *have)
{
    int dim = ddc_tz_days_in_month (year, month);
    if (year < 1 || year > 9999 || dim == 0)
        return;
    struct tm local = {
        .tm_year = (int) (year - 1900), .tm_mon = month - 1,
        .tm_mday = day < dim ? day : dim,
        .tm_hour = plan->hour, .tm_min = plan->minute
    };
    int64_t when;
    if (ddc_tz_from_local (zone, &local, &when, NULL) != 0 || when <= after)
        return;
    if (!*have || when < *best) {
        *best = when;
        *have = true;
    }
}

//  Candidate dates start a day before "after"'s local date, so a run
//  whose local date is earlier than its UTC date is not missed; every
//  cycle gets enough candidates to include its next run.

static int
s_next (const ddc_tz_t *zone, const s_plan_t *plan, int64_t after,
        int64_t *next)
{
    struct tm now;
    if (ddc_tz_to_local (zone, after, &now, NULL) != 0)
        return -1;
    int64_t start = ddc_tz_days_from_civil ((int64_t) now.tm_year + 1900,
                                            now.tm_mon + 1, now.tm_mday) - 1;
    int64_t year;
    int month, day, wday;
    ddc_tz_civil_from_days (start, &year, &month, &day, &wday);
    int64_t best = 0;
    bool have = false;

    switch (plan->cycle) {
        case S_ONCE:
            s_consider (zone, plan, plan->year, plan->month, plan->day,
                        after, &best, &have);
            break;
        case S_DAILY:
            for (int k = 0; k < 4; k++) {
                ddc_tz_civil_from_days (start + k, &year, &month, &day, NULL);
                s_consider (zone, plan, year, month, day, after, &best, &have);
            }
            break;
        case S_WEEKLY: {
            int64_t first = start + (plan->wday - wday + 7) % 7;
            for (int k = 0; k < 3; k++) {
                ddc_tz_civil_from_days (first + 7 * k, &year, &month, &day, NULL);
                s_consider (zone, plan, year, month, day, after, &best, &have);
            }
            break;
        }
        case S_MONTHLY:
            for (int k = 0; k < 3; k++) {
                s_consider (zone, plan, year, month, plan->day, after, &best, &have);
                if (++month > 12) {
                    month = 1;
                    year++;
                }
            }
            break;
        case S_YEARLY:
            for (int k = 0; k < 3; k++)
                s_consider (zone, plan, year + k, plan->month, plan->day,
                            after, &best, &have);
            break;
        default:
            break;
    }
    if (!have)
        return -1;
    *next = best;
    return 0;
}

int
ddc_schedule_next (const cJSON *task, int64_t after, int64_t *next)
{
    s_plan_t plan;
    if (!next || s_plan (task, &plan) != 0
    ||  after < DDC_TZ_TIME_MIN || after > DDC_TZ_TIME_MAX)
        return -1;
    pthread_mutex_lock (&s_cache_lock);
    const ddc_tz_t *zone = s_cache_zone (plan.zone);
    int rc = zone ? s_next (zone, &plan, after, next) : -1;
    pthread_mutex_unlock (&s_cache_lock);
    return rc;
}


int
ddc_schedule_next_local (const cJSON *task, int64_t after, int64_t *next, struct tm *local)
{
    s_plan_t plan;
    if (!next || !local || s_plan (task, &plan) != 0
    ||  after < DDC_TZ_TIME_MIN || after > DDC_TZ_TIME_MAX)
        return -1;
    pthread_mutex_lock (&s_cache_lock);
    const ddc_tz_t *zone = s_cache_zone (plan.zone);
    int rc = zone ? s_next (zone, &plan, after, next) : -1;
    if (rc == 0)
        rc = ddc_tz_to_local (zone, *next, local, NULL);
    pthread_mutex_unlock (&s_cache_lock);
    return rc;
}


//  --------------------------------------------------------------------------
//  Ids

bool
ddc_schedule_has_id (const cJSON *list, const char *id)
{
    for (const cJSON *t = cJSON_IsArray (list) ? list->child : NULL; t; t = t->next) {
        const char *v = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (t, "id"));
        if (v && id && strcmp (v, id) == 0)
            return true;
    }
    return false;
}

void
ddc_schedule_new_id (const cJSON *list, const char *container, const char *action,
                     const char *cycle, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    char base [64];
    size_t o = 0;
    char raw [200];
    snprintf (raw, sizeof (raw), "%s-%s-%s", container ? container : "",
              action ? action : "", cycle ? cycle : "");
    for (const char *p = raw; *p && o + 1 < sizeof (base) - 6; p++)
        base [o++] = isalnum ((unsigned char) *p) || *p == '_' || *p == '-' ? *p : '-';
    base [o] = '\0';
    snprintf (buf, size, "%s", base);
    for (int n = 2; ddc_schedule_has_id (list, buf) && n < 100000; n++)
        snprintf (buf, size, "%s-%d", base, n);
}


//  --------------------------------------------------------------------------
//  Description

int
ddc_schedule_describe (const cJSON *task, char *buf, size_t size)
{
    if (!buf || size == 0)
        return -1;
    buf [0] = '\0';
    s_plan_t plan;
    if (s_plan (task, &plan) != 0)
        return -1;
    char at [8];
    snprintf (at, sizeof (at), "%02d:%02d", plan.hour, plan.minute);
    int n = -1;
    switch (plan.cycle) {
        case S_ONCE:
            n = snprintf (buf, size, "once on %04d-%02d-%02d at %s (%s)",
                          plan.year, plan.month, plan.day, at, plan.zone);
            break;
        case S_DAILY:
            n = snprintf (buf, size, "daily at %s (%s)", at, plan.zone);
            break;
        case S_WEEKLY:
            n = snprintf (buf, size, "weekly on %s at %s (%s)",
                          s_wday_names [plan.wday], at, plan.zone);
            break;
        case S_MONTHLY:
            n = snprintf (buf, size, "monthly on day %d at %s (%s)",
                          plan.day, at, plan.zone);
            break;
        case S_YEARLY:
            n = snprintf (buf, size, "yearly on %s %d at %s (%s)",
                          s_month_names [plan.month - 1], plan.day, at, plan.zone);
            break;
        default:
            break;
    }
    if (n < 0 || (size_t) n >= size) {
        buf [0] = '\0';
        return -1;
    }
    return 0;
}
