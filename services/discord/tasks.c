/*  tasks: scheduled tasks as Discord shows them. See tasks.h. */
#include "tasks.h"

#include "ddc_schedule.h"
#include "ddc_tz.h"
#include "ddc_util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_COLOR_TASKS 0x9b59b6

//  --------------------------------------------------------------------------
//  What an admin typed

void
tasks_trim (const char *s, char *buf, size_t size)
{
    while (s && isspace ((unsigned char) *s))
        s++;
    ddc_strlcpy (buf, s ? s : "", size);
    size_t n = strlen (buf);
    while (n && isspace ((unsigned char) buf [n - 1]))
        buf [--n] = '\0';
}

//  Digits only, 1..max of them, as a number; -1 otherwise.
static int
s_number (const char *s, size_t len, size_t max)
{
    if (len == 0 || len > max)
        return -1;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit ((unsigned char) s [i]))
            return -1;
        v = v * 10 + (s [i] - '0');
    }
    return v;
}

int
tasks_parse_time (const char *text, char buf [6])
{
    char t [16];
    tasks_trim (text, t, sizeof (t));
    const char *colon = strchr (t, ':');
    if (!colon)
        return -1;
    int h = s_number (t, (size_t) (colon - t), 2);
    int m = s_number (colon + 1, strlen (colon + 1), 2);
    if (h < 0 || h > 23 || m < 0 || m > 59 || strlen (colon + 1) != 2)
        return -1;
    snprintf (buf, 6, "%02d:%02d", h, m);
    return 0;
}

const char *
tasks_parse_weekday (const char *text)
{
    static const char *const names [7][5] = {
        { "mon", "monday", "mo", "montag", NULL },
        { "tue", "tuesday", "di", "dienstag", "tues" },
        { "wed", "wednesday", "mi", "mittwoch", NULL },
        { "thu", "thursday", "do", "donnerstag", "thur" },
        { "fri", "friday", "fr", "freitag", NULL },
        { "sat", "saturday", "sa", "samstag", "sonnabend" },
        { "sun", "sunday", "so", "sonntag", NULL },
    };
    char t [24];
    tasks_trim (text, t, sizeof (t));
    size_t n = strlen (t);
    if (n && t [n - 1] == '.')
        t [--n] = '\0';
    for (int d = 0; d < 7 && n; d++)
        for (int k = 0; k < 5 && names [d][k]; k++)
            if (strcasecmp (t, names [d][k]) == 0)
                return names [d][0];
    return NULL;
}

//  "YYYY-MM-DD" or "DD.MM.YYYY" -> y m d; -1 if not a real date.
static int
s_parse_date (const char *t, int *y, int *m, int *d)
{
    int a, b, c, n = 0;
    if (sscanf (t, "%4d-%2d-%2d%n", &a, &b, &c, &n) == 3 && t [n] == '\0' && n == 10) {
        *y = a, *m = b, *d = c;
    }
    else if (sscanf (t, "%2d.%2d.%4d%n", &a, &b, &c, &n) == 3 && t [n] == '\0' && c >= 1000) {
        *y = c, *m = b, *d = a;
    }
    else
        return -1;
    if (*y < 1970 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 || *d > ddc_tz_days_in_month (*y, *m))
        return -1;
    return 0;
}

//  "MM-DD", "DD.MM." or "DD.MM" -> m d (February 29 allowed); -1 if none.
static int
s_parse_month_day (const char *t, int *m, int *d)
{
    int a, b, n = 0;
    if (sscanf (t, "%2d-%2d%n", &a, &b, &n) == 2 && t [n] == '\0')
        *m = a, *d = b;
    else if (sscanf (t, "%2d.%2d%n", &a, &b, &n) == 2 && (t [n] == '\0' || strcmp (t + n, ".") == 0))
        *m = b, *d = a;
    else
        return -1;
    if (*m < 1 || *m > 12 || *d < 1 || *d > ddc_tz_days_in_month (2000, *m))
        return -1;
    return 0;
}

cJSON *
tasks_build (const char *id, const char *host, const char *container, const char *action,
             const char *cycle, const char *time, const char *when, const char *tz,
             const char *default_tz, const char *note, int64_t now, const char **why, char *arg,
             size_t arg_size)
{
    char t [64], w [64], z [80];
    *why = NULL;
    arg [0] = '\0';
    if (!live_action_bit (action) || live_action_bit (action) == ACT_LOGS) {
        *why = "task.bad_action";
        return NULL;
    }
    static const char *const cycles [] = { "once", "daily", "weekly", "monthly", "yearly" };
    size_t ci = 0;
    while (ci < 5 && (!cycle || strcmp (cycle, cycles [ci]) != 0))
        ci++;
    if (ci == 5) {
        *why = "task.bad_cycle";
        return NULL;
    }
    char hhmm [6];
    if (tasks_parse_time (time, hhmm) < 0) {
        tasks_trim (time, t, sizeof (t));
        snprintf (arg, arg_size, "%s", t);
        *why = "task.bad_time";
        return NULL;
    }
    tasks_trim (tz, z, sizeof (z));
    if (!z [0])
        ddc_strlcpy (z, default_tz && *default_tz ? default_tz : "UTC", sizeof (z));
    if (!ddc_tz_valid (z)) {
        snprintf (arg, arg_size, "%s", z);
        *why = "task.bad_tz";
        return NULL;
    }
    cJSON *task = cJSON_CreateObject ();
    cJSON_AddStringToObject (task, "id", id);
    cJSON_AddStringToObject (task, "host", host);
    cJSON_AddStringToObject (task, "container", container);
    cJSON_AddStringToObject (task, "action", action);
    cJSON_AddStringToObject (task, "cycle", cycle);
    cJSON_AddStringToObject (task, "time", hhmm);
    tasks_trim (when, w, sizeof (w));
    snprintf (arg, arg_size, "%s", w);
    const char *cy = cycles [ci];
    int y, m, d;
    if (strcmp (cy, "once") == 0) {
        if (s_parse_date (w, &y, &m, &d) < 0) {
            *why = "task.bad_date";
            goto bad;
        }
        char date [40];
        snprintf (date, sizeof (date), "%04d-%02d-%02d", y, m, d);
        cJSON_AddStringToObject (task, "date", date);
    }
    else if (strcmp (cy, "weekly") == 0) {
        const char *wd = tasks_parse_weekday (w);
        if (!wd) {
            *why = "task.bad_weekday";
            goto bad;
        }
        cJSON_AddStringToObject (task, "weekday", wd);
    }
    else if (strcmp (cy, "monthly") == 0) {
        size_t n = strlen (w);
        int day = s_number (w, n && w [n - 1] == '.' ? n - 1 : n, 2);
        if (day < 1 || day > 31) {
            *why = "task.bad_day";
            goto bad;
        }
        cJSON_AddNumberToObject (task, "day", day);
    }
    else if (strcmp (cy, "yearly") == 0) {
        if (s_parse_month_day (w, &m, &d) < 0) {
            *why = "task.bad_month_day";
            goto bad;
        }
        cJSON_AddNumberToObject (task, "month", m);
        cJSON_AddNumberToObject (task, "day", d);
    }
    else if (w [0]) {
        *why = "task.daily_no_day";
        goto bad;
    }
    cJSON_AddStringToObject (task, "timezone", z);
    cJSON_AddTrueToObject (task, "active");
    if (note && *note)
        cJSON_AddStringToObject (task, "note", note);
    int64_t next;
    if (ddc_schedule_next (task, now, &next) < 0) {
        //  A once task whose moment has passed would never run.
        *why = "task.past";
        arg [0] = '\0';
        goto bad;
    }
    arg [0] = '\0';
    return task;
bad:
    cJSON_Delete (task);
    return NULL;
}

bool
tasks_has_id (const cJSON *list, const char *id)
{
    return ddc_schedule_has_id (list, id);
}

void
tasks_new_id (const cJSON *list, const char *container, const char *action, const char *cycle,
              char *buf, size_t size)
{
    ddc_schedule_new_id (list, container, action, cycle, buf, size);
}

//  --------------------------------------------------------------------------
//  Showing tasks

static const char *
s_text (const cJSON *obj, const char *key)
{
    const char *v = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
    return v ? v : "";
}

static int
s_count (const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
    return cJSON_IsNumber (v) ? (int) v->valuedouble : 0;
}

void
tasks_describe (lang_t lang, const cJSON *task, char *buf, size_t size)
{
    char key [40], verb [64], when [64] = "", a [16], b [16], c [16];
    snprintf (key, sizeof (key), "task.action.%s", s_text (task, "action"));
    ddc_strlcpy (verb, i18n_get (lang, key), sizeof (verb));
    const char *cycle = s_text (task, "cycle");
    if (strcmp (cycle, "cron") == 0)
        ddc_strlcpy (when, s_text (task, "cron"), sizeof (when));
    else if (strcmp (cycle, "weekly") == 0) {
        snprintf (key, sizeof (key), "wd.%s", s_text (task, "weekday"));
        ddc_strlcpy (when, i18n_get (lang, key), sizeof (when));
    }
    else if (strcmp (cycle, "monthly") == 0)
        snprintf (when, sizeof (when), "%d", s_count (task, "day"));
    else if (strcmp (cycle, "yearly") == 0) {
        snprintf (a, sizeof (a), "%02d", s_count (task, "month"));
        snprintf (b, sizeof (b), "%02d", s_count (task, "day"));
        i18n_fmt (when, sizeof (when), lang, "task.md", a, b, NULL);
    }
    else if (strcmp (cycle, "once") == 0) {
        const char *date = s_text (task, "date");
        if (strlen (date) == 10) {
            snprintf (a, sizeof (a), "%.4s", date);
            snprintf (b, sizeof (b), "%.2s", date + 5);
            snprintf (c, sizeof (c), "%.2s", date + 8);
            i18n_fmt (when, sizeof (when), lang, "task.ymd", a, b, c, NULL);
        }
    }
    snprintf (key, sizeof (key), "task.cycle.%s", cycle);
    char sched [160];
    i18n_fmt (sched, sizeof (sched), lang, key, s_text (task, "time"), when, NULL);
    snprintf (buf, size, "%s %s (%s)", verb, sched, s_text (task, "timezone"));
}

//  "2026-11-30 04:00" of instant t in the zone of the task.
static void
s_local_time (const char *zone, int64_t t, char *buf, size_t size)
{
    ddc_tz_t *tz = ddc_tz_load (zone);
    struct tm tm;
    if (!tz || ddc_tz_to_local (tz, t, &tm, NULL) < 0) {
        time_t secs = (time_t) t;
        gmtime_r (&secs, &tm);
    }
    ddc_tz_destroy (&tz);
    snprintf (buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
              tm.tm_hour, tm.tm_min);
}

//  One line of a task list, with its next run after now.
static void
s_task_line (const render_ctx_t *r, const cJSON *task, bool name, int64_t now, char *buf,
             size_t size)
{
    char desc [240], next [160] = "", who [160] = "";
    tasks_describe (r->lang, task, desc, sizeof (desc));
    bool active = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (task, "active"));
    int64_t at;
    if (!active)
        ddc_strlcpy (next, i18n_get (r->lang, "task.paused"), sizeof (next));
    else if (ddc_schedule_next (task, now, &at) == 0) {
        char when [40], rel [48], tmp [160];
        s_local_time (s_text (task, "timezone"), at, when, sizeof (when));
        snprintf (rel, sizeof (rel), "<t:%lld:R>", (long long) at);
        i18n_fmt (tmp, sizeof (tmp), r->lang, "task.next", when, rel, NULL);
        ddc_strlcpy (next, tmp, sizeof (next));
    }
    else
        ddc_strlcpy (next, i18n_get (r->lang, "task.never"), sizeof (next));
    if (name) {
        const live_ctr_t *c = NULL;
        for (size_t i = 0; i < r->live->nctrs && !c; i++)
            if (strcmp (r->live->ctrs [i].host, s_text (task, "host")) == 0
                && strcmp (r->live->ctrs [i].name, s_text (task, "container")) == 0)
                c = &r->live->ctrs [i];
        render_trunc (c ? c->display : s_text (task, "container"), 40, who, sizeof (who));
        ddc_strlcpy (who + strlen (who), " · ", sizeof (who) - strlen (who));
    }
    char id [80];
    render_trunc (s_text (task, "id"), 64, id, sizeof (id));
    snprintf (buf, size, "%s `%s` %s%s\n   %s\n", active ? "🟢" : "⏸️", id, who, desc, next);
}

static bool
s_task_of (const cJSON *task, const live_ctr_t *c)
{
    return !c
           || (strcmp (s_text (task, "host"), c->host) == 0
               && strcmp (s_text (task, "container"), c->name) == 0);
}

cJSON *
tasks_render_list (const render_ctx_t *r, const cJSON *tasks, const live_ctr_t *c, int64_t now,
                   const char *note)
{
    char title [160], name [128], line [700], tmp [160];
    if (c) {
        render_trunc (c->display, 60, name, sizeof (name));
        i18n_fmt (title, sizeof (title), r->lang, "task.title", name, NULL);
    }
    else
        ddc_strlcpy (title, i18n_get (r->lang, "task.title_all"), sizeof (title));
    size_t cap = RENDER_DESC_MAX + 100;
    char *desc = ddc_calloc (1, cap);
    size_t len = 0, shown = 0, total = 0;
    for (const cJSON *t = cJSON_IsArray (tasks) ? tasks->child : NULL; t; t = t->next) {
        if (!s_task_of (t, c))
            continue;
        total++;
        s_task_line (r, t, c == NULL, now, line, sizeof (line));
        size_t n = strlen (line);
        if (shown < TASKS_SHOWN_MAX && len + n < RENDER_DESC_MAX - 80) {
            memcpy (desc + len, line, n + 1);
            len += n;
            shown++;
        }
    }
    if (total == 0)
        ddc_strlcpy (desc, i18n_get (r->lang, c ? "task.none" : "task.none_all"), cap);
    else if (shown < total) {
        char more [24];
        snprintf (more, sizeof (more), "%zu", total - shown);
        ddc_strlcpy (desc + len, i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.more", more, NULL),
                     cap - len);
    }
    cJSON *msg = render_text (note ? note : "");
    cJSON *embeds = cJSON_GetObjectItemCaseSensitive (msg, "embeds");
    cJSON *embed = cJSON_CreateObject ();
    cJSON_AddStringToObject (embed, "title", title);
    cJSON_AddStringToObject (embed, "description", desc);
    free (desc);
    cJSON_AddNumberToObject (embed, "color", S_COLOR_TASKS);
    cJSON *footer = cJSON_AddObjectToObject (embed, "footer");
    cJSON_AddStringToObject (footer, "text", i18n_get (r->lang, "task.footer"));
    cJSON_AddItemToArray (embeds, embed);
    if (!c)
        return msg;
    cJSON *components = cJSON_GetObjectItemCaseSensitive (msg, "components");
    char id [64];
    snprintf (id, sizeof (id), "tk:add:%s", c->key);
    cJSON_AddItemToArray (render_row (components),
                          render_button (id, i18n_get (r->lang, "task.add"), "➕", 3, false));
    if (total == 0)
        return msg;
    cJSON *sel = cJSON_CreateObject ();
    cJSON_AddNumberToObject (sel, "type", 3);
    snprintf (id, sizeof (id), "tk:del:%s", c->key);
    cJSON_AddStringToObject (sel, "custom_id", id);
    cJSON_AddStringToObject (sel, "placeholder", i18n_get (r->lang, "task.delete"));
    cJSON *options = cJSON_AddArrayToObject (sel, "options");
    size_t n = 0;
    for (const cJSON *t = tasks->child; t && n < TASKS_SHOWN_MAX; t = t->next) {
        if (!s_task_of (t, c))
            continue;
        char label [128], desc2 [240], cut [128];
        render_trunc (s_text (t, "id"), 100, label, sizeof (label));
        tasks_describe (r->lang, t, desc2, sizeof (desc2));
        render_trunc (desc2, 100, cut, sizeof (cut));
        cJSON *o = cJSON_CreateObject ();
        cJSON_AddStringToObject (o, "label", label);
        cJSON_AddStringToObject (o, "value", s_text (t, "id"));
        cJSON_AddStringToObject (o, "description", cut);
        cJSON_AddItemToArray (options, o);
        n++;
    }
    cJSON_AddItemToArray (render_row (components), sel);
    return msg;
}

//  A labelled input of a modal: {type 18, label, description, component}.
static cJSON *
s_label (cJSON *components, const char *label, const char *description, cJSON *input)
{
    cJSON *l = cJSON_CreateObject ();
    cJSON_AddNumberToObject (l, "type", 18);
    char cut [64];
    render_trunc (label, 45, cut, sizeof (cut));
    cJSON_AddStringToObject (l, "label", cut);
    if (description) {
        char d [128];
        render_trunc (description, 100, d, sizeof (d));
        cJSON_AddStringToObject (l, "description", d);
    }
    cJSON_AddItemToObject (l, "component", input);
    cJSON_AddItemToArray (components, l);
    return input;
}

static cJSON *
s_select (const char *id, lang_t lang, const char *prefix, const char *const *values,
          const char *chosen)
{
    cJSON *sel = cJSON_CreateObject ();
    cJSON_AddNumberToObject (sel, "type", 3);
    cJSON_AddStringToObject (sel, "custom_id", id);
    cJSON *options = cJSON_AddArrayToObject (sel, "options");
    for (size_t i = 0; values [i]; i++) {
        char key [40];
        snprintf (key, sizeof (key), "%s%s", prefix, values [i]);
        cJSON *o = cJSON_CreateObject ();
        cJSON_AddStringToObject (o, "label", i18n_get (lang, key));
        cJSON_AddStringToObject (o, "value", values [i]);
        if (chosen && strcmp (chosen, values [i]) == 0)
            cJSON_AddTrueToObject (o, "default");
        cJSON_AddItemToArray (options, o);
    }
    return sel;
}

static cJSON *
s_input (const char *id, const char *value, const char *placeholder, int max, bool required)
{
    cJSON *in = cJSON_CreateObject ();
    cJSON_AddNumberToObject (in, "type", 4);
    cJSON_AddStringToObject (in, "custom_id", id);
    cJSON_AddNumberToObject (in, "style", 1);
    cJSON_AddNumberToObject (in, "max_length", max);
    cJSON_AddBoolToObject (in, "required", required);
    if (value && *value)
        cJSON_AddStringToObject (in, "value", value);
    if (placeholder)
        cJSON_AddStringToObject (in, "placeholder", placeholder);
    return in;
}

cJSON *
tasks_render_form (const render_ctx_t *r, const live_ctr_t *c)
{
    static const char *const actions [] = { "restart", "start", "stop", NULL };
    static const char *const cycles [] = { "daily", "weekly", "monthly", "yearly", "once", NULL };
    cJSON *data = cJSON_CreateObject ();
    char id [64], title [160], name [64];
    snprintf (id, sizeof (id), "tk:new:%s", c->key);
    cJSON_AddStringToObject (data, "custom_id", id);
    render_trunc (c->display, 30, name, sizeof (name));
    i18n_fmt (title, sizeof (title), r->lang, "task.form", name, NULL);
    char cut [64];
    render_trunc (title, 45, cut, sizeof (cut));
    cJSON_AddStringToObject (data, "title", cut);
    cJSON *components = cJSON_AddArrayToObject (data, "components");
    s_label (components, i18n_get (r->lang, "task.f.action"), NULL,
             s_select ("action", r->lang, "task.action.", actions, "restart"));
    s_label (components, i18n_get (r->lang, "task.f.cycle"), NULL,
             s_select ("cycle", r->lang, "task.c.", cycles, "daily"));
    s_label (components, i18n_get (r->lang, "task.f.time"), i18n_get (r->lang, "task.f.time.d"),
             s_input ("time", NULL, "04:00", 5, true));
    s_label (components, i18n_get (r->lang, "task.f.when"), i18n_get (r->lang, "task.f.when.d"),
             s_input ("when", NULL, NULL, 10, false));
    s_label (components, i18n_get (r->lang, "task.f.tz"), i18n_get (r->lang, "task.f.tz.d"),
             s_input ("tz", r->live->timezone, NULL, 64, false));
    return data;
}
