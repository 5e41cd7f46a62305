/*  alertview: alert reports read and shown. See alertview.h. */
#include "alertview.h"

#include "ddc_util.h"
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_COLOR_CRASH 0xe74c3c
#define S_COLOR_HEALTH 0xe67e22
#define S_COLOR_LOOP 0x9b59b6
#define S_COLOR_OK 0x2ecc71
#define S_COLOR_CLOSED 0x95a5a6

//  --------------------------------------------------------------------------
//  Parse

static const char *
s_member (const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
}

//  A whole number in [lo, hi], or dflt.
static int64_t
s_whole (const cJSON *obj, const char *key, int64_t lo, int64_t hi, int64_t dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
    if (!cJSON_IsNumber (v) || !(v->valuedouble >= (double) lo && v->valuedouble <= (double) hi))
        return dflt;
    return (int64_t) v->valuedouble;
}

//  Copy a string member that is one of set (NULL-terminated), or fail.
static int
s_word (const cJSON *obj, const char *key, const char *const *set, char *out, size_t size)
{
    const char *v = s_member (obj, key);
    for (int i = 0; v && set [i]; i++)
        if (strcmp (v, set [i]) == 0) {
            ddc_strlcpy (out, v, size);
            return 0;
        }
    return -1;
}

//  Text for showing: valid UTF-8 without control characters (line breaks
//  kept when lines), at most size - 1 bytes.
static void
s_text (const char *in, bool lines, char *out, size_t size)
{
    char *clean = render_clean (in ? in : "", in ? strlen (in) : 0);
    if (!lines)
        for (char *p = clean; *p; p++)
            if (*p == '\n' || *p == '\t')
                *p = ' ';
    size_t len = strlen (clean);
    if (len >= size)
        len = ddc_utf8_cut (clean, len, size - 1);
    memcpy (out, clean, len);
    out [len] = '\0';
    free (clean);
}

//  The newest ALERT_TEXT_SHOWN bytes of text, from a line start.
static const char *
s_tail (const char *text)
{
    size_t len = strlen (text);
    if (len <= ALERT_TEXT_SHOWN)
        return text;
    const char *start = text + len - ALERT_TEXT_SHOWN;
    const char *nl = strchr (start, '\n');
    if (nl && nl [1])
        return nl + 1;
    while (((unsigned char) *start & 0xc0) == 0x80)
        start++;
    return start;
}

int
alertview_parse (const cJSON *body, const char *host, alert_t *out)
{
    static const char *const events [] = { "opened", "escalated", "resolved", NULL };
    static const char *const kinds [] = { "crash", "unhealthy", "restart_loop", NULL };
    static const char *const reasons [] = { "exit", "oom", "unhealthy", "restart_loop", NULL };
    static const char *const ends [] = { "recovered", "loop_ended", "stopped", "gone", NULL };
    memset (out, 0, sizeof (*out));
    char event [16];
    const char *id = s_member (body, "id");
    const char *container = s_member (body, "container");
    if (!cJSON_IsObject (body) || !host || !*host || strlen (host) >= sizeof (out->host) || !id
        || !*id || strlen (id) >= sizeof (out->id) || !container || !*container
        || strlen (container) >= sizeof (out->container)
        || s_word (body, "event", events, event, sizeof (event))
        || s_word (body, "kind", kinds, out->kind, sizeof (out->kind))
        || s_word (body, "reason", reasons, out->reason, sizeof (out->reason)))
        return -1;
    out->event = strcmp (event, "opened") == 0      ? ALERT_OPENED
                 : strcmp (event, "escalated") == 0 ? ALERT_ESCALATED
                                                    : ALERT_RESOLVED;
    if (out->event == ALERT_RESOLVED
        && s_word (body, "resolution", ends, out->resolution, sizeof (out->resolution)))
        return -1;
    s_text (host, false, out->host, sizeof (out->host));
    s_text (id, false, out->id, sizeof (out->id));
    s_text (container, false, out->container, sizeof (out->container));
    const char *display = s_member (body, "display_name");
    render_trunc (display && *display ? display : container, 100, out->display,
                  sizeof (out->display));
    out->exit_code = s_whole (body, "exit_code", 0, 0xffffffffLL, -1);
    out->restarts = (int) s_whole (body, "restarts", 0, 1000000, 0);
    out->window_minutes = (int) s_whole (body, "window_minutes", 0, 1000000, 0);
    out->suppressed = (int) s_whole (body, "suppressed", 0, 1000000, 0);
    out->duration_s = s_whole (body, "duration_s", 0, 1e12, 0);
    out->running = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (body, "running"));
    out->opened_ms = live_parse_time (s_member (body, "opened"));
    out->time_ms = live_parse_time (s_member (body, "time"));
    s_text (s_member (body, "health_output"), false, out->health_output,
            sizeof (out->health_output));
    s_text (s_member (body, "logs_error"), false, out->logs_error, sizeof (out->logs_error));
    const char *logs = s_member (body, "logs");
    if (logs) {
        size_t len = strlen (logs);
        if (len > ALERT_LOGS_MAX) {
            logs += len - ALERT_LOGS_MAX;
            len = ALERT_LOGS_MAX;
        }
        //  only what a message can show is kept
        out->logs = render_clean (logs, len);
        const char *tail = s_tail (out->logs);
        if (tail != out->logs)
            memmove (out->logs, tail, strlen (tail) + 1);
    }
    return 0;
}

void
alertview_free (alert_t *a)
{
    free (a->logs);
    a->logs = NULL;
}

void
alertview_copy (alert_t *dst, const alert_t *src)
{
    *dst = *src;
    dst->logs = src->logs ? ddc_strdup (src->logs) : NULL;
}

//  --------------------------------------------------------------------------
//  Messages

static void
s_duration (int64_t s, char *out, size_t size)
{
    if (s < 60)
        snprintf (out, size, "%lld s", (long long) s);
    else if (s < 3600)
        snprintf (out, size, "%lld min %lld s", (long long) s / 60, (long long) s % 60);
    else if (s < 86400)
        snprintf (out, size, "%lld h %lld min", (long long) s / 3600, (long long) s / 60 % 60);
    else
        snprintf (out, size, "%lld d %lld h", (long long) s / 86400, (long long) s / 3600 % 24);
}

//  The title of an incident as now stands.
static void
s_title (lang_t lang, const alert_t *open, const alert_t *now, char *out, size_t size)
{
    char key [40];
    if (now->event == ALERT_RESOLVED)
        snprintf (key, sizeof (key), "alert.title.%s", now->resolution);
    else
        snprintf (key, sizeof (key), "alert.title.%s", open->reason);
    i18n_fmt (out, size, lang, key, open->display, NULL);
}

//  What happened, in a sentence.
static void
s_reason (lang_t lang, const alert_t *a, char *out, size_t size)
{
    char code [24], n [24], m [24];
    snprintf (code, sizeof (code), "%lld", (long long) a->exit_code);
    snprintf (n, sizeof (n), "%d", a->restarts);
    snprintf (m, sizeof (m), "%d", a->window_minutes);
    if (strcmp (a->reason, "restart_loop") == 0)
        i18n_fmt (out, size, lang,
                  a->exit_code >= 0 ? "alert.reason.restart_loop"
                                    : "alert.reason.restart_loop_nocode",
                  n, m, code, NULL);
    else {
        char key [40];
        snprintf (key, sizeof (key), "alert.reason.%s", a->reason);
        i18n_fmt (out, size, lang, key, code, NULL);
    }
}

static void
s_add_field (cJSON *fields, const char *name, const char *value, bool inline_)
{
    cJSON *f = cJSON_CreateObject ();
    cJSON_AddStringToObject (f, "name", name);
    cJSON_AddStringToObject (f, "value", value);
    cJSON_AddBoolToObject (f, "inline", inline_);
    cJSON_AddItemToArray (fields, f);
}

static void
s_no_mentions (cJSON *msg)
{
    cJSON *m = cJSON_AddObjectToObject (msg, "allowed_mentions");
    cJSON_AddArrayToObject (m, "parse");
}

//  Discord's own timestamp markup: every reader sees it in their zone.
static void
s_when (int64_t wall_ms, char *out, size_t size)
{
    long long t = (long long) (wall_ms / 1000);
    snprintf (out, size, "<t:%lld:f> (<t:%lld:R>)", t, t);
}

cJSON *
alertview_message (lang_t lang, const alert_t *open, const alert_t *now)
{
    char title [400], reason [400], tmp [600];
    s_title (lang, open, now, title, sizeof (title));
    s_reason (lang, open, reason, sizeof (reason));
    bool over = now->event == ALERT_RESOLVED;
    //  the description: the reason, how it ended, what the container said
    size_t cap = strlen (reason) + ALERT_TEXT_SHOWN + 1200;
    char *desc = ddc_malloc (cap);
    size_t len = (size_t) snprintf (desc, cap, "%s", reason);
    if (over) {
        char d [48];
        s_duration (now->duration_s, d, sizeof (d));
        len += (size_t) snprintf (desc + len, cap - len, "\n%s",
                                  i18n_fmt (tmp, sizeof (tmp), lang, "alert.lasted", d, NULL));
        if (strcmp (now->resolution, "loop_ended") == 0)
            len += (size_t) snprintf (desc + len, cap - len, " %s",
                                      i18n_get (lang, now->running ? "alert.loop_running"
                                                                   : "alert.loop_down"));
    }
    if (open->health_output [0])
        len += (size_t) snprintf (desc + len, cap - len, "\n\n**%s**\n```\n%s\n```",
                                  i18n_get (lang, "alert.health"), open->health_output);
    else if (open->logs)
        len += (size_t) snprintf (desc + len, cap - len, "\n\n**%s**\n```\n%s\n```",
                                  i18n_get (lang, "alert.logs"),
                                  *open->logs ? s_tail (open->logs)
                                              : i18n_get (lang, "alert.logs_none"));
    else if (open->logs_error [0])
        len += (size_t) snprintf (desc + len, cap - len, "\n\n%s",
                                  i18n_fmt (tmp, sizeof (tmp), lang, "alert.logs_error",
                                            open->logs_error, NULL));
    (void) len;
    cJSON *msg = cJSON_CreateObject ();
    cJSON_AddStringToObject (msg, "content", "");
    s_no_mentions (msg);
    cJSON *embed = cJSON_CreateObject ();
    cJSON_AddItemToArray (cJSON_AddArrayToObject (msg, "embeds"), embed);
    char cut [400];
    render_trunc (title, 250, cut, sizeof (cut));
    cJSON_AddStringToObject (embed, "title", cut);
    cJSON_AddStringToObject (embed, "description", desc);
    free (desc);
    bool closed = strcmp (now->resolution, "stopped") == 0 || strcmp (now->resolution, "gone") == 0;
    int color = over                                       ? (closed ? S_COLOR_CLOSED : S_COLOR_OK)
                : strcmp (open->kind, "restart_loop") == 0 ? S_COLOR_LOOP
                : strcmp (open->kind, "unhealthy") == 0    ? S_COLOR_HEALTH
                                                           : S_COLOR_CRASH;
    cJSON_AddNumberToObject (embed, "color", color);
    cJSON *fields = cJSON_AddArrayToObject (embed, "fields");
    char host [80];
    render_trunc (open->host, 60, host, sizeof (host));
    snprintf (tmp, sizeof (tmp), "%s / %s", host, open->container);
    render_trunc (tmp, 200, cut, sizeof (cut));
    s_add_field (fields, i18n_get (lang, "alert.field.where"), cut, true);
    if (open->opened_ms) {
        s_when (open->opened_ms, tmp, sizeof (tmp));
        s_add_field (fields, i18n_get (lang, "alert.field.since"), tmp, true);
    }
    if (over && now->time_ms) {
        s_when (now->time_ms, tmp, sizeof (tmp));
        s_add_field (fields, i18n_get (lang, "alert.field.over"), tmp, true);
    }
    if (open->suppressed > 0) {
        char n [24];
        snprintf (n, sizeof (n), "%d", open->suppressed);
        s_add_field (fields, i18n_get (lang, "alert.field.held"),
                     i18n_fmt (tmp, sizeof (tmp), lang, "alert.held", n, NULL), false);
    }
    cJSON *footer = cJSON_AddObjectToObject (embed, "footer");
    snprintf (tmp, sizeof (tmp), "ddc \xe2\x80\xa2 %s", open->id);
    cJSON_AddStringToObject (footer, "text", tmp);
    if (open->time_ms) {
        char iso [32];
        ddc_iso_time (open->time_ms, iso);
        cJSON_AddStringToObject (embed, "timestamp", iso);
    }
    return msg;
}

cJSON *
alertview_followup (lang_t lang, const alert_t *now, const char *channel, const char *message_id)
{
    char text [900], key [48], extra [400] = "";
    if (now->event == ALERT_RESOLVED) {
        char d [48];
        s_duration (now->duration_s, d, sizeof (d));
        snprintf (key, sizeof (key), "alert.followup.%s", now->resolution);
        i18n_fmt (text, sizeof (text), lang, key, now->display, d, NULL);
    }
    else {
        char title [400];
        s_title (lang, now, now, title, sizeof (title));
        s_reason (lang, now, extra, sizeof (extra));
        snprintf (text, sizeof (text), "%s: %s", title, extra);
    }
    cJSON *msg = cJSON_CreateObject ();
    cJSON_AddStringToObject (msg, "content", text);
    s_no_mentions (msg);
    if (channel && message_id && *message_id) {
        cJSON *ref = cJSON_AddObjectToObject (msg, "message_reference");
        cJSON_AddStringToObject (ref, "message_id", message_id);
        cJSON_AddStringToObject (ref, "channel_id", channel);
        cJSON_AddFalseToObject (ref, "fail_if_not_exists");
    }
    return msg;
}
