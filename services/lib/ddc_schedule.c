/*  ddc_schedule: next run times and descriptions of scheduled tasks.
    See ddc_schedule.h for the rules. */
#include "ddc_schedule.h"
#include "ddc_schema.h"
#include "ddc_tz.h"
#include "ddc_util.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

//  Zones kept loaded, and how long before one is read again.
#define S_CACHE_SIZE 16
#define S_CACHE_TTL_MS (3600 * 1000)

typedef enum { S_ONCE, S_DAILY, S_WEEKLY, S_MONTHLY, S_YEARLY, S_CRON, S_CYCLES } s_cycle_t;

static const char *const s_cycle_names [S_CYCLES] = { "once",    "daily",  "weekly",
                                                      "monthly", "yearly", "cron" };

//  Years a cron schedule is searched ahead for its next run: enough for
//  "0 0 29 2 *" across a century year that is not a leap year.
#define S_CRON_YEARS 9
//  Indexed by tm_wday (0 = Sunday).
static const char *const s_wday_keys [7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
static const char *const s_wday_names [7] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday" };
static const char *const s_month_names [12] = { "January",   "February", "March",    "April",
                                                "May",       "June",     "July",     "August",
                                                "September", "October",  "November", "December" };

//  A cron schedule: the minutes, hours, days of month (1..31), months
//  (1..12) and weekdays (0 = Sunday) it matches, as bit sets.
typedef struct {
    uint64_t minutes;
    uint32_t hours, mdays;
    uint16_t months;
    uint8_t wdays;
    bool mday_any, wday_any; //  the field was "*" or "*/N"
} s_cron_t;

//  A task's schedule, parsed and checked.
typedef struct {
    s_cycle_t cycle;
    s_cron_t cron; //  cron only
    int hour, minute;
    int year, month, day; //  once: date; monthly: day; yearly: month, day
    int wday;             //  weekly: 0 = Sunday
    const char *zone;     //  borrowed from the task
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

//  A whole number within the limits of the tasks row of key, or -1.
static int
s_int (const cJSON *task, const char *key, int *out)
{
    const ddc_field_t *row = ddc_schema_field (DDC_SEC_TASKS, key);
    const cJSON *item = cJSON_GetObjectItemCaseSensitive (task, key);
    if (!row || !cJSON_IsNumber (item))
        return -1;
    double v = item->valuedouble;
    if (!(v >= row->min && v <= row->max) || v != floor (v))
        return -1;
    *out = (int) v;
    return 0;
}

//  --------------------------------------------------------------------------
//  Cron expressions

static const char *const s_cron_months [12] = { "jan", "feb", "mar", "apr", "may", "jun",
                                                "jul", "aug", "sep", "oct", "nov", "dec" };

//  A number or (names != NULL) a three-letter name at *p into *out.
static int
s_cron_value (const char **p, const char *const *names, int nnames, int base, int *out)
{
    const char *q = *p;
    if (*q >= '0' && *q <= '9') {
        int v = 0, n = 0;
        while (*q >= '0' && *q <= '9' && n < 3) {
            v = v * 10 + (*q++ - '0');
            n++;
        }
        if (*q >= '0' && *q <= '9')
            return -1;
        *out = v;
        *p = q;
        return 0;
    }
    for (int i = 0; names && i < nnames; i++)
        if (strncasecmp (q, names [i], 3) == 0 && !isalpha ((unsigned char) q [3])) {
            *out = base + i;
            *p = q + 3;
            return 0;
        }
    return -1;
}

//  One field ("*", "1-5", "*/15", "0,30", "mon-fri", "1-10/2") into the bit
//  set *bits for lo..hi; hi_alias (7 for weekdays) is folded to lo.
static int
s_cron_field (const char *field, size_t len, int lo, int hi, int hi_alias, const char *const *names,
              int nnames, int name_base, uint64_t *bits, bool *any)
{
    char text [64];
    if (len == 0 || len >= sizeof (text))
        return -1;
    memcpy (text, field, len);
    text [len] = '\0';
    *bits = 0;
    *any = text [0] == '*';
    int top = hi_alias > hi ? hi_alias : hi;
    for (const char *p = text;; p++) {
        int a, b, step = 1;
        if (*p == '*') {
            a = lo;
            b = hi;
            p++;
        }
        else {
            if (s_cron_value (&p, names, nnames, name_base, &a) != 0)
                return -1;
            b = a;
            if (*p == '-') {
                p++;
                if (s_cron_value (&p, names, nnames, name_base, &b) != 0)
                    return -1;
            }
            else if (*p == '/')
                b = hi; //  "5/15": from 5 to the end, every 15
        }
        if (*p == '/') {
            p++;
            if (s_cron_value (&p, NULL, 0, 0, &step) != 0 || step < 1 || step > top)
                return -1;
        }
        if (a < lo || b > top || a > b)
            return -1;
        for (int v = a; v <= b; v += step)
            *bits |= 1ULL << (v == hi_alias ? lo : v);
        if (*p == '\0')
            return 0;
        if (*p != ',')
            return -1;
    }
}

//  "MIN HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK" into *cron.
static int
s_cron_parse (const char *text, s_cron_t *cron)
{
    memset (cron, 0, sizeof (*cron));
    if (!text || strnlen (text, DDC_SCHEDULE_CRON_MAX + 1) > DDC_SCHEDULE_CRON_MAX)
        return -1;
    const char *start [5];
    size_t len [5];
    int n = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (n == 5)
            return -1;
        start [n] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        len [n] = (size_t) (p - start [n]);
        n++;
    }
    if (n != 5)
        return -1;
    uint64_t bits;
    bool any;
    if (s_cron_field (start [0], len [0], 0, 59, -1, NULL, 0, 0, &cron->minutes, &any) != 0)
        return -1;
    if (s_cron_field (start [1], len [1], 0, 23, -1, NULL, 0, 0, &bits, &any) != 0)
        return -1;
    cron->hours = (uint32_t) bits;
    if (s_cron_field (start [2], len [2], 1, 31, -1, NULL, 0, 0, &bits, &cron->mday_any) != 0)
        return -1;
    cron->mdays = (uint32_t) bits;
    if (s_cron_field (start [3], len [3], 1, 12, -1, s_cron_months, 12, 1, &bits, &any) != 0)
        return -1;
    cron->months = (uint16_t) bits;
    if (s_cron_field (start [4], len [4], 0, 6, 7, s_wday_keys, 7, 0, &bits, &cron->wday_any) != 0)
        return -1;
    cron->wdays = (uint8_t) bits;
    return 0;
}

bool
ddc_schedule_cron_ok (const char *text)
{
    s_cron_t cron;
    return s_cron_parse (text, &cron) == 0;
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
    if (!cycle || !ddc_tz_name_ok (plan->zone))
        return -1;
    int which = -1;
    for (int i = 0; i < S_CYCLES; i++)
        if (strcmp (cycle, s_cycle_names [i]) == 0)
            which = i;
    if (which < 0)
        return -1;
    plan->cycle = (s_cycle_t) which;
    //  A cron schedule names its own minutes and hours: no "time"
    if (plan->cycle == S_CRON)
        return s_cron_parse (s_string (task, "cron"), &plan->cron);
    if (!at)
        return -1;

    if (strnlen (at, 6) != 5 || at [2] != ':' || !s_digits (at, 2) || !s_digits (at + 3, 2))
        return -1;
    plan->hour = s_num2 (at);
    plan->minute = s_num2 (at + 3);
    if (plan->hour > 23 || plan->minute > 59)
        return -1;

    switch (plan->cycle) {
        case S_ONCE: {
            const char *date = s_string (task, "date");
            if (!date || strnlen (date, 11) != 10 || date [4] != '-' || date [7] != '-'
                || !s_digits (date, 4) || !s_digits (date + 5, 2) || !s_digits (date + 8, 2))
                return -1;
            plan->year = s_num2 (date) * 100 + s_num2 (date + 2);
            plan->month = s_num2 (date + 5);
            plan->day = s_num2 (date + 8);
            if (plan->year < 1970 || plan->month < 1 || plan->month > 12 || plan->day < 1
                || plan->day > ddc_tz_days_in_month (plan->year, plan->month))
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
            if (s_int (task, "day", &plan->day) != 0)
                return -1;
            break;
        case S_YEARLY:
            //  Day checked against a leap year: Feb 29 is allowed
            if (s_int (task, "month", &plan->month) != 0 || s_int (task, "day", &plan->day) != 0
                || plan->day > ddc_tz_days_in_month (2000, plan->month))
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
s_consider (const ddc_tz_t *zone, const s_plan_t *plan, int64_t year, int month, int day,
            int64_t after, int64_t *best, bool *have)
{
    int dim = ddc_tz_days_in_month (year, month);
    if (year < 1 || year > 9999 || dim == 0)
        return;
    struct tm local = { .tm_year = (int) (year - 1900),
                        .tm_mon = month - 1,
                        .tm_mday = day < dim ? day : dim,
                        .tm_hour = plan->hour,
                        .tm_min = plan->minute };
    int64_t when;
    if (ddc_tz_from_local (zone, &local, &when, NULL) != 0 || when <= after)
        return;
    if (!*have || when < *best) {
        *best = when;
        *have = true;
    }
}

//  The first run of a cron schedule after "after": day by day in local
//  time from the day before "after"'s local date, the earliest instant
//  after "after" of the first day that has one (local times in a gap or
//  a fold resolved as for the other cycles). Days match the month and,
//  as in Vixie cron, the day of month or the weekday when both are
//  restricted, else the restricted one.

static int
s_cron_next (const ddc_tz_t *zone, const s_cron_t *cron, int64_t after, int64_t *next)
{
    struct tm now;
    if (ddc_tz_to_local (zone, after, &now, NULL) != 0)
        return -1;
    int64_t start =
        ddc_tz_days_from_civil ((int64_t) now.tm_year + 1900, now.tm_mon + 1, now.tm_mday) - 1;
    for (int64_t d = start; d <= start + 366 * S_CRON_YEARS; d++) {
        int64_t year;
        int month, day, wday;
        ddc_tz_civil_from_days (d, &year, &month, &day, &wday);
        if (year > 9999)
            return -1;
        if (!(cron->months & (1u << month)))
            continue;
        bool md = cron->mdays & (1u << day), wd = cron->wdays & (1u << wday);
        bool match = cron->mday_any && cron->wday_any ? true
                     : cron->mday_any                 ? wd
                     : cron->wday_any                 ? md
                                                      : md || wd;
        if (!match)
            continue;
        bool have = false;
        int64_t best = 0;
        for (int h = 0; h < 24; h++) {
            if (!(cron->hours & (1u << h)))
                continue;
            for (int m = 0; m < 60; m++) {
                if (!(cron->minutes & (1ULL << m)))
                    continue;
                struct tm local = { .tm_year = (int) (year - 1900),
                                    .tm_mon = month - 1,
                                    .tm_mday = day,
                                    .tm_hour = h,
                                    .tm_min = m };
                int64_t when;
                if (ddc_tz_from_local (zone, &local, &when, NULL) != 0 || when <= after)
                    continue;
                if (!have || when < best) {
                    best = when;
                    have = true;
                }
            }
        }
        if (have) {
            *next = best;
            return 0;
        }
    }
    return -1;
}

//  Candidate dates start a day before "after"'s local date, so a run
//  whose local date is earlier than its UTC date is not missed; every
//  cycle gets enough candidates to include its next run.

static int
s_next (const ddc_tz_t *zone, const s_plan_t *plan, int64_t after, int64_t *next)
{
    struct tm now;
    if (ddc_tz_to_local (zone, after, &now, NULL) != 0)
        return -1;
    int64_t start =
        ddc_tz_days_from_civil ((int64_t) now.tm_year + 1900, now.tm_mon + 1, now.tm_mday) - 1;
    int64_t year;
    int month, day, wday;
    ddc_tz_civil_from_days (start, &year, &month, &day, &wday);
    int64_t best = 0;
    bool have = false;

    switch (plan->cycle) {
        case S_CRON:
            return s_cron_next (zone, &plan->cron, after, next);
        case S_ONCE:
            s_consider (zone, plan, plan->year, plan->month, plan->day, after, &best, &have);
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
                s_consider (zone, plan, year + k, plan->month, plan->day, after, &best, &have);
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
    if (!next || s_plan (task, &plan) != 0 || after < DDC_TZ_TIME_MIN || after > DDC_TZ_TIME_MAX)
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
    if (!next || !local || s_plan (task, &plan) != 0 || after < DDC_TZ_TIME_MIN
        || after > DDC_TZ_TIME_MAX)
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
    snprintf (raw, sizeof (raw), "%s-%s-%s", container ? container : "", action ? action : "",
              cycle ? cycle : "");
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
            n = snprintf (buf, size, "once on %04d-%02d-%02d at %s (%s)", plan.year, plan.month,
                          plan.day, at, plan.zone);
            break;
        case S_DAILY:
            n = snprintf (buf, size, "daily at %s (%s)", at, plan.zone);
            break;
        case S_WEEKLY:
            n = snprintf (buf, size, "weekly on %s at %s (%s)", s_wday_names [plan.wday], at,
                          plan.zone);
            break;
        case S_MONTHLY:
            n = snprintf (buf, size, "monthly on day %d at %s (%s)", plan.day, at, plan.zone);
            break;
        case S_YEARLY:
            n = snprintf (buf, size, "yearly on %s %d at %s (%s)", s_month_names [plan.month - 1],
                          plan.day, at, plan.zone);
            break;
        case S_CRON:
            n = snprintf (buf, size, "cron %s (%s)", s_string (task, "cron"), plan.zone);
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
