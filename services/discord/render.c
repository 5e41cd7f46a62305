/*  render: the bot's messages as Discord JSON. See render.h. */
#include "render.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define S_COLOR_OVERVIEW 0x3498db
#define S_COLOR_ADMIN 0x2f3136
#define S_COLOR_RUNNING 0x2ecc71
#define S_COLOR_STOPPED 0xe74c3c
#define S_COLOR_PENDING 0xf1c40f
#define S_COLOR_UNKNOWN 0x95a5a6

//  --------------------------------------------------------------------------
//  Text helpers

//  Length of the UTF-8 sequence starting at s (1 for an invalid byte) and
//  whether it is valid.
static size_t
s_utf8_len (const unsigned char *s, size_t left, bool *valid)
{
    unsigned char c = s [0];
    size_t n = c < 0x80             ? 1
               : (c & 0xe0) == 0xc0 ? 2
               : (c & 0xf0) == 0xe0 ? 3
               : (c & 0xf8) == 0xf0 ? 4
                                    : 0;
    *valid = n > 0 && n <= left;
    if (n == 2 && c < 0xc2)
        *valid = false;
    for (size_t i = 1; *valid && i < n; i++)
        if ((s [i] & 0xc0) != 0x80)
            *valid = false;
    if (*valid && n == 3) {
        unsigned cp = ((c & 0x0fu) << 12) | ((s [1] & 0x3fu) << 6) | (s [2] & 0x3fu);
        if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
            *valid = false;
    }
    if (*valid && n == 4) {
        unsigned cp = ((c & 0x07u) << 18) | ((s [1] & 0x3fu) << 12) | ((s [2] & 0x3fu) << 6)
                      | (s [3] & 0x3fu);
        if (cp < 0x10000 || cp > 0x10ffff)
            *valid = false;
    }
    return *valid ? n : 1;
}

char *
render_clean (const char *s, size_t len)
{
    if (!s)
        s = "";
    //  Worst case: every byte becomes a 3-byte look-alike.
    char *out = ddc_malloc (len * 3 + 1);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;
    while (i < len) {
        bool valid;
        size_t n = s_utf8_len (p + i, len - i, &valid);
        if (!valid)
            out [o++] = '?';
        else if (n == 1) {
            unsigned char c = p [i];
            if (c == '`') {
                memcpy (out + o, "\xcb\x8b", 2); //  U+02CB
                o += 2;
            }
            else if (c == '\r')
                ;
            else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                out [o++] = '?';
            else
                out [o++] = (char) c;
        }
        else {
            memcpy (out + o, p + i, n);
            o += n;
        }
        i += n;
    }
    out [o] = '\0';
    return out;
}

//  render_trunc, and render_trunc_text when lines is true (\n kept).
static void
s_trunc (const char *s, size_t max, char *buf, size_t size, bool lines)
{
    if (!size)
        return;
    size_t o = 0, chars = 0;
    const unsigned char *p = (const unsigned char *) (s ? s : "");
    size_t len = strlen ((const char *) p), i = 0;
    bool cut = false;
    while (i < len) {
        bool valid;
        size_t n = s_utf8_len (p + i, len - i, &valid);
        if (chars == max || o + n + 4 >= size) {
            cut = true;
            break;
        }
        if (valid && !(n == 1 && p [i] < 0x20 && !(lines && p [i] == '\n'))) {
            memcpy (buf + o, p + i, n);
            o += n;
        }
        else
            buf [o++] = '?';
        chars++;
        i += n;
    }
    if (cut && max > 0) {
        //  Make room for the ellipsis: drop the last character.
        if (chars == max) {
            while (o > 0 && ((unsigned char) buf [o - 1] & 0xc0) == 0x80)
                o--;
            if (o > 0)
                o--;
        }
        if (o + 3 < size) {
            memcpy (buf + o, "\xe2\x80\xa6", 3);
            o += 3;
        }
    }
    buf [o] = '\0';
}

void
render_trunc (const char *s, size_t max, char *buf, size_t size)
{
    s_trunc (s, max, buf, size, false);
}

void
render_trunc_text (const char *s, size_t max, char *buf, size_t size)
{
    s_trunc (s, max, buf, size, true);
}

void
render_cpu (double percent, char *buf, size_t size)
{
    if (percent < 0)
        percent = 0;
    snprintf (buf, size, "%.1f%%", percent);
}

void
render_mem (double bytes, char *buf, size_t size)
{
    if (bytes < 0)
        bytes = 0;
    double mb = bytes / (1024.0 * 1024.0);
    if (mb >= 1000.0)
        snprintf (buf, size, "%.1f GB", mb / 1024.0);
    else if (mb >= 10.0)
        snprintf (buf, size, "%.0f MB", mb);
    else
        snprintf (buf, size, "%.1f MB", mb);
}

void
render_uptime (int64_t seconds, char *buf, size_t size)
{
    if (seconds < 60) {
        snprintf (buf, size, "< 1m");
        return;
    }
    int64_t d = seconds / 86400, h = (seconds % 86400) / 3600, m = (seconds % 3600) / 60;
    if (d > 0)
        snprintf (buf, size, "%lldd %lldh %lldm", (long long) d, (long long) h, (long long) m);
    else if (h > 0)
        snprintf (buf, size, "%lldh %lldm", (long long) h, (long long) m);
    else
        snprintf (buf, size, "%lldm", (long long) m);
}

static void
s_local (const render_ctx_t *r, int64_t wall_ms, struct tm *tm)
{
    memset (tm, 0, sizeof (*tm));
    time_t secs = (time_t) (wall_ms / 1000);
    if (!r->tz || ddc_tz_to_local (r->tz, (int64_t) secs, tm, NULL) < 0)
        gmtime_r (&secs, tm);
}

static void
s_clock (const render_ctx_t *r, char *buf, size_t size)
{
    struct tm tm;
    s_local (r, r->no_clock ? 0 : r->wall_ms, &tm);
    snprintf (buf, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void
render_when (const render_ctx_t *r, int64_t wall_ms, char *buf, size_t size)
{
    struct tm tm, today;
    s_local (r, wall_ms, &tm);
    s_local (r, r->wall_ms, &today);
    if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
        snprintf (buf, size, "%02d:%02d", tm.tm_hour, tm.tm_min);
    else
        snprintf (buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min);
}

//  Why a container's host shows no state ("" when it does), in the bot
//  language: "Docker agent offline since 09:12".
static const char *
s_host_issue (const render_ctx_t *r, const live_st_t *st, char *buf, size_t size)
{
    buf [0] = '\0';
    if (st->host_issue == HOST_OK)
        return buf;
    bool agent = st->host_issue == HOST_AGENT_GONE;
    if (st->host_since > 0) {
        char when [32];
        render_when (r, st->host_since, when, sizeof (when));
        return i18n_fmt (buf, size, r->lang, agent ? "host.agent_gone" : "host.docker_down", when,
                         NULL);
    }
    ddc_strlcpy (buf, i18n_get (r->lang, agent ? "host.agent_gone_now" : "host.docker_down_now"),
                 size);
    return buf;
}

static const char *
s_emoji (ctr_state_t st)
{
    switch (st) {
        case ST_RUNNING:
            return "🟢";
        case ST_STOPPED:
            return "🔴";
        case ST_PENDING:
            return "🟡";
        default:
            return "🔄";
    }
}

static int
s_color (ctr_state_t st)
{
    switch (st) {
        case ST_RUNNING:
            return S_COLOR_RUNNING;
        case ST_STOPPED:
            return S_COLOR_STOPPED;
        case ST_PENDING:
            return S_COLOR_PENDING;
        default:
            return S_COLOR_UNKNOWN;
    }
}

//  A growing text with a budget.
typedef struct {
    char buf [RENDER_DESC_MAX + 400];
    size_t len;
} s_text_t;

//  Append if it fits within limit bytes; false when it does not.
static bool
s_add (s_text_t *t, const char *s, size_t limit)
{
    size_t n = strlen (s);
    if (t->len + n > limit || t->len + n >= sizeof (t->buf))
        return false;
    memcpy (t->buf + t->len, s, n);
    t->len += n;
    t->buf [t->len] = '\0';
    return true;
}

cJSON *
render_button (const char *custom_id, const char *label, const char *emoji, int style, bool disabled)
{
    cJSON *b = cJSON_CreateObject ();
    cJSON_AddNumberToObject (b, "type", 2);
    cJSON_AddNumberToObject (b, "style", style);
    cJSON_AddStringToObject (b, "label", label);
    if (emoji) {
        cJSON *e = cJSON_AddObjectToObject (b, "emoji");
        cJSON_AddStringToObject (e, "name", emoji);
    }
    cJSON_AddStringToObject (b, "custom_id", custom_id);
    if (disabled)
        cJSON_AddTrueToObject (b, "disabled");
    return b;
}

cJSON *
render_row (cJSON *components)
{
    cJSON *row = cJSON_CreateObject ();
    cJSON_AddNumberToObject (row, "type", 1);
    cJSON *list = cJSON_AddArrayToObject (row, "components");
    cJSON_AddItemToArray (components, row);
    return list;
}

static void
s_timestamp (cJSON *embed, int64_t wall_ms)
{
    char iso [32];
    ddc_iso_time (wall_ms, iso);
    cJSON_AddStringToObject (embed, "timestamp", iso);
}

//  --------------------------------------------------------------------------
//  Overviews

//  Bytes an overview line of container c may take at most, whatever its
//  state, and a host's heading at most (issue: the longest host issue).
static size_t
s_line_max (const live_ctr_t *c, bool admin)
{
    //  "🟢 NAME · 1600.0% • 10000.0 GB\n" or a state word; "│ 🟢 NAME ℹ️\n"
    size_t name = strnlen (c->display, sizeof (c->display));
    if (name > RENDER_NAME_MAX * 4)
        name = RENDER_NAME_MAX * 4;
    return name + 3 + (admin ? 40 : 20);
}

static size_t
s_host_max (const live_ctr_t *c, size_t issue)
{
    //  "└──────────────\n┌── HOST ⚠️\n│ ISSUE\n" or "\n**HOST** ⚠️ ISSUE\n"
    size_t host = strnlen (c->host, sizeof (c->host));
    if (host > 40 * 4)
        host = 40 * 4;
    return host + 3 + issue + 80;
}

static size_t
s_issue_max (const render_ctx_t *r)
{
    char buf [256];
    size_t n = 0;
    const char *keys [] = { "host.agent_gone", "host.docker_down" };
    for (size_t i = 0; i < 2; i++) {
        size_t len =
            strlen (i18n_fmt (buf, sizeof (buf), r->lang, keys [i], "0000-00-00 00:00", NULL));
        if (len > n)
            n = len;
    }
    return n;
}

//  The overview's parts: starts[i] the index in live->ctrs of part i's
//  first container, starts[n] = live->nctrs. Containers are cut into parts
//  by what their lines may take at most (names, hosts, the language), not
//  by their states: a state never moves a container to another message.
//  Each part repeats the heading of its first host. Returns n (>= 1).
static size_t
s_layout (const render_ctx_t *r, bool admin, size_t starts [RENDER_PARTS_MAX + 1])
{
    const live_t *live = r->live;
    size_t issue = s_issue_max (r);
    size_t n = 0, used = 0, count = 0;
    const char *host = NULL;
    starts [0] = live->nctrs;
    for (size_t i = 0; i < live->nctrs; i++) {
        const live_ctr_t *c = &live->ctrs [i];
        if (!c->active)
            continue;
        size_t line = s_line_max (c, admin), head = s_host_max (c, issue);
        bool same_host = host && strcmp (host, c->host) == 0;
        size_t cost = line + (same_host ? 0 : head);
        if (n == 0
            || (n < RENDER_PARTS_MAX
                && (count == RENDER_PART_CTRS || used + cost > RENDER_PART_BUDGET))) {
            starts [n++] = i;
            used = 0;
            count = 0;
            cost = line + head;
        }
        used += cost;
        count++;
        host = c->host;
    }
    if (n == 0)
        n = 1;
    starts [n] = live->nctrs;
    return n;
}

size_t
render_overview_parts (const render_ctx_t *r, chan_kind_t kind)
{
    size_t starts [RENDER_PARTS_MAX + 1];
    return s_layout (r, kind == CHAN_CONTROL, starts);
}

//  The selects listing the containers from..to (shown of them; 25 a
//  select, at most RENDER_PART_CTRS / 25 selects): "ov:sel", "ov:sel:2"...
//  With more than one select in the overview, each says whom it lists.
static void
s_container_selects (const render_ctx_t *r, size_t from, size_t to, size_t shown, bool many,
                     cJSON *components)
{
    const live_t *live = r->live;
    size_t i = from, listed = 0;
    for (int sel_no = 1; listed < shown && sel_no <= RENDER_PART_CTRS / 25; sel_no++) {
        cJSON *options = cJSON_CreateArray ();
        const live_ctr_t *first = NULL, *last = NULL;
        size_t n = 0;
        for (; i < to && n < 25 && listed < shown; i++) {
            const live_ctr_t *c = &live->ctrs [i];
            if (!c->active)
                continue;
            live_st_t st;
            live_ctr_status (live, c, r->mono_ms, &st);
            cJSON *o = cJSON_CreateObject ();
            char label [128];
            render_trunc (c->display, 100, label, sizeof (label));
            cJSON_AddStringToObject (o, "label", label);
            cJSON_AddStringToObject (o, "value", c->key);
            char desc [200], name [110];
            render_trunc (c->name, 60, name, sizeof (name));
            snprintf (desc, sizeof (desc), "%s @ %.30s", name, c->host);
            char d2 [128];
            render_trunc (desc, 100, d2, sizeof (d2));
            cJSON_AddStringToObject (o, "description", d2);
            cJSON *e = cJSON_AddObjectToObject (o, "emoji");
            cJSON_AddStringToObject (e, "name", s_emoji (st.state));
            cJSON_AddItemToArray (options, o);
            if (!first)
                first = c;
            last = c;
            n++;
            listed++;
        }
        if (n == 0) {
            cJSON_Delete (options);
            return;
        }
        cJSON *list = render_row (components);
        cJSON *sel = cJSON_CreateObject ();
        cJSON_AddNumberToObject (sel, "type", 3);
        char id [24], placeholder [420];
        if (sel_no == 1)
            snprintf (id, sizeof (id), "ov:sel");
        else
            snprintf (id, sizeof (id), "ov:sel:%d", sel_no);
        cJSON_AddStringToObject (sel, "custom_id", id);
        if (many) {
            //  "🛠️ Open a container panel… (alpha – delta)"
            char a [96], b [96], p [320];
            render_trunc (first->display, RENDER_NAME_MAX, a, sizeof (a));
            render_trunc (last->display, RENDER_NAME_MAX, b, sizeof (b));
            snprintf (p, sizeof (p), "%s (%s – %s)", i18n_get (r->lang, "ov.select"), a, b);
            render_trunc (p, 150, placeholder, sizeof (placeholder));
        }
        else
            ddc_strlcpy (placeholder, i18n_get (r->lang, "ov.select"), sizeof (placeholder));
        cJSON_AddStringToObject (sel, "placeholder", placeholder);
        cJSON_AddItemToObject (sel, "options", options);
        cJSON_AddItemToArray (list, sel);
    }
}

cJSON *
render_overview (const render_ctx_t *r, chan_kind_t kind, size_t part)
{
    const live_t *live = r->live;
    bool admin = kind == CHAN_CONTROL;
    size_t starts [RENDER_PARTS_MAX + 1];
    size_t nparts = s_layout (r, admin, starts);
    if (part >= nparts)
        part = nparts - 1;
    bool last_part = part + 1 == nparts;
    size_t from = starts [part], to = starts [part + 1];
    char clock [16], line [512], tmp [256];
    s_clock (r, clock, sizeof (clock));
    s_text_t *t = ddc_calloc (1, sizeof (*t));

    //  The counts (the first part) and whether any runs (the last part's
    //  buttons) from every container; the other parts look at their own.
    size_t total = 0, online = 0, offline = 0, pending = 0, here = 0;
    for (size_t i = 0; i < live->nctrs; i++) {
        const live_ctr_t *c = &live->ctrs [i];
        if (!c->active)
            continue;
        total++;
        here += i >= from && i < to;
        if (part > 0 && !last_part)
            continue;
        live_st_t st;
        live_ctr_status (live, c, r->mono_ms, &st);
        online += st.state == ST_RUNNING;
        offline += st.state == ST_STOPPED;
        pending += st.state == ST_PENDING;
    }
    if (!admin)
        s_add (t, "```\n", RENDER_DESC_MAX);
    s_add (t, i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.last_update", clock, NULL), RENDER_DESC_MAX);
    s_add (t, "\n", RENDER_DESC_MAX);
    if (admin && part == 0) {
        //  Every container is counted once: the pending and unknown ones too.
        char a [24], b [24], c [24];
        snprintf (a, sizeof (a), "%zu", total);
        snprintf (b, sizeof (b), "%zu", online);
        snprintf (c, sizeof (c), "%zu", offline);
        s_add (t, i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.counts", a, b, c, NULL),
               RENDER_DESC_MAX);
        size_t unknown = total - online - offline - pending;
        if (pending) {
            snprintf (a, sizeof (a), "%zu", pending);
            s_add (t, i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.counts.pending", a, NULL),
                   RENDER_DESC_MAX);
        }
        if (unknown) {
            snprintf (a, sizeof (a), "%zu", unknown);
            s_add (t, i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.counts.unknown", a, NULL),
                   RENDER_DESC_MAX);
        }
        s_add (t, "\n", RENDER_DESC_MAX);
    }
    if (total == 0) {
        s_add (t, i18n_get (r->lang, "ov.none"), RENDER_DESC_MAX);
        s_add (t, "\n", RENDER_DESC_MAX);
    }
    //  Lines grouped by host; a budget keeps room for the closing lines.
    //  The layout keeps a part within it; the last part of the most an
    //  overview may have ends with "... and N more" when some do not fit.
    size_t budget = RENDER_DESC_MAX - 120;
    const char *host = NULL;
    size_t shown = 0;
    bool full = false;
    for (size_t i = from; i < to && !full; i++) {
        const live_ctr_t *c = &live->ctrs [i];
        if (!c->active)
            continue;
        live_st_t st;
        live_ctr_status (live, c, r->mono_ms, &st);
        if (!host || strcmp (host, c->host) != 0) {
            char h [80], issue [160];
            render_trunc (c->host, 40, h, sizeof (h));
            s_host_issue (r, &st, issue, sizeof (issue));
            if (admin)
                snprintf (line, sizeof (line), "\n**%s**%s%s\n", h, st.host_down ? " ⚠️ " : "",
                          issue);
            else if (st.host_down)
                snprintf (line, sizeof (line), "%s┌── %s ⚠️\n│ %s\n",
                          host ? "└──────────────\n" : "", h, issue);
            else
                snprintf (line, sizeof (line), "%s┌── %s ───────\n",
                          host ? "└──────────────\n" : "", h);
            if (!s_add (t, line, budget)) {
                full = true;
                break;
            }
            host = c->host;
        }
        char name [96];
        render_trunc (c->display, RENDER_NAME_MAX, name, sizeof (name));
        if (admin) {
            if (st.state == ST_RUNNING && st.has_stats && r->no_stats)
                snprintf (line, sizeof (line), "%s %s · …\n", s_emoji (st.state), name);
            else if (st.state == ST_RUNNING && st.has_stats) {
                char cpu [24], mem [24];
                render_cpu (st.cpu, cpu, sizeof (cpu));
                render_mem (st.mem, mem, sizeof (mem));
                snprintf (line, sizeof (line), "%s %s · %s • %s\n", s_emoji (st.state), name, cpu,
                          mem);
            }
            else if (st.state == ST_STOPPED)
                snprintf (line, sizeof (line), "%s %s · %s\n", s_emoji (st.state), name,
                          i18n_get (r->lang, "ov.offline"));
            else if (st.state == ST_PENDING)
                snprintf (line, sizeof (line), "%s %s · %s\n", s_emoji (st.state), name,
                          i18n_get (r->lang, "ov.pending"));
            else
                snprintf (line, sizeof (line), "%s %s\n", s_emoji (st.state), name);
        }
        else
            snprintf (line, sizeof (line), "│ %s %s%s\n", s_emoji (st.state), name,
                      c->info_enabled ? " ℹ️" : "");
        if (!s_add (t, line, budget)) {
            full = true;
            break;
        }
        shown++;
    }
    if (!admin && host)
        s_add (t, "└──────────────\n", RENDER_DESC_MAX);
    if (shown < here) {
        char n [24];
        snprintf (n, sizeof (n), "%zu", here - shown);
        s_add (t, i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.more", n, NULL), RENDER_DESC_MAX);
        s_add (t, "\n", RENDER_DESC_MAX);
    }
    if (!admin)
        s_add (t, "```", RENDER_DESC_MAX + 10);

    cJSON *msg = cJSON_CreateObject ();
    cJSON_AddStringToObject (msg, "content", "");
    cJSON *embeds = cJSON_AddArrayToObject (msg, "embeds");
    cJSON *embed = cJSON_CreateObject ();
    const char *title = i18n_get (r->lang, admin ? "ov.admin_title" : "ov.title");
    if (nparts > 1) {
        snprintf (tmp, sizeof (tmp), "%s (%zu/%zu)", title, part + 1, nparts);
        title = tmp;
    }
    cJSON_AddStringToObject (embed, "title", title);
    cJSON_AddStringToObject (embed, "description", t->buf);
    cJSON_AddNumberToObject (embed, "color", admin ? S_COLOR_ADMIN : S_COLOR_OVERVIEW);
    cJSON *footer = cJSON_AddObjectToObject (embed, "footer");
    cJSON_AddStringToObject (footer, "text",
                             i18n_fmt (tmp, sizeof (tmp), r->lang, "ov.footer", live->timezone,
                                       NULL));
    s_timestamp (embed, r->no_clock ? 0 : r->wall_ms);
    cJSON_AddItemToArray (embeds, embed);
    free (t);

    cJSON *components = cJSON_AddArrayToObject (msg, "components");
    s_container_selects (r, from, to, shown, total > 25, components);
    if (!last_part)
        return msg;
    //  The buttons under the last message, the one nearest to new ones.
    cJSON *buttons = render_row (components);
    if (admin) {
        bool none = online == 0;
        cJSON_AddItemToArray (buttons,
                              render_button ("ov:rall", i18n_get (r->lang, "btn.restart_all"), "🔄",
                                             1, none));
        cJSON_AddItemToArray (buttons, render_button ("ov:sall", i18n_get (r->lang, "btn.stop_all"),
                                                      "⏹️", 4, none));
    }
    cJSON_AddItemToArray (buttons, render_button ("ov:ref", i18n_get (r->lang, "btn.refresh"), "🔁",
                                                  2, false));
    cJSON_AddItemToArray (buttons,
                          render_button ("ov:help", i18n_get (r->lang, "btn.help"), "❔", 2, false));
    return msg;
}

//  --------------------------------------------------------------------------
//  Panel

cJSON *
render_panel (const render_ctx_t *r, const live_ctr_t *c, unsigned may, const char *note, bool busy)
{
    live_st_t st;
    live_ctr_status (r->live, c, r->mono_ms, &st);
    char line [512], tmp [256], name [128];
    render_trunc (c->display, 60, name, sizeof (name));
    s_text_t *t = ddc_calloc (1, sizeof (*t));
    snprintf (line, sizeof (line), "```\n┌── %s ───\n", name);
    s_add (t, line, RENDER_DESC_MAX);
    const char *stkey = st.state == ST_RUNNING   ? "st.running"
                        : st.state == ST_STOPPED ? "st.stopped"
                        : st.state == ST_PENDING ? "st.pending"
                                                 : "st.unknown";
    snprintf (line, sizeof (line), "│ %s %s\n", s_emoji (st.state), i18n_get (r->lang, stkey));
    s_add (t, line, RENDER_DESC_MAX);
    if (st.host_down) {
        char issue [160];
        snprintf (line, sizeof (line), "│ ⚠️ %s\n",
                  s_host_issue (r, &st, issue, sizeof (issue)));
        s_add (t, line, RENDER_DESC_MAX);
    }
    char hostname [80];
    render_trunc (c->host, 40, hostname, sizeof (hostname));
    snprintf (line, sizeof (line), "│ %s\n",
              i18n_fmt (tmp, sizeof (tmp), r->lang, "panel.host", hostname, NULL));
    s_add (t, line, RENDER_DESC_MAX);
    if (st.state == ST_RUNNING && st.has_stats) {
        char v [32];
        render_cpu (st.cpu, v, sizeof (v));
        snprintf (line, sizeof (line), "│ %s\n",
                  i18n_fmt (tmp, sizeof (tmp), r->lang, "panel.cpu", v, NULL));
        s_add (t, line, RENDER_DESC_MAX);
        render_mem (st.mem, v, sizeof (v));
        snprintf (line, sizeof (line), "│ %s\n",
                  i18n_fmt (tmp, sizeof (tmp), r->lang, "panel.ram", v, NULL));
        s_add (t, line, RENDER_DESC_MAX);
    }
    if (st.state == ST_RUNNING && st.uptime_s >= 0) {
        char v [32];
        render_uptime (st.uptime_s, v, sizeof (v));
        snprintf (line, sizeof (line), "│ %s\n",
                  i18n_fmt (tmp, sizeof (tmp), r->lang, "panel.uptime", v, NULL));
        s_add (t, line, RENDER_DESC_MAX);
    }
    if (st.health [0]) {
        char h [32];
        render_trunc (st.health, 20, h, sizeof (h));
        snprintf (line, sizeof (line), "│ %s\n",
                  i18n_fmt (tmp, sizeof (tmp), r->lang, "panel.health", h, NULL));
        s_add (t, line, RENDER_DESC_MAX);
    }
    s_add (t, "└──────────────\n```", RENDER_DESC_MAX + 40);

    cJSON *msg = cJSON_CreateObject ();
    char *clean_note = note ? render_clean (note, strlen (note)) : NULL;
    cJSON_AddStringToObject (msg, "content", clean_note ? clean_note : "");
    free (clean_note);
    cJSON *embeds = cJSON_AddArrayToObject (msg, "embeds");
    cJSON *embed = cJSON_CreateObject ();
    cJSON_AddStringToObject (embed, "title",
                             i18n_fmt (tmp, sizeof (tmp), r->lang, "panel.title", name, NULL));
    cJSON_AddStringToObject (embed, "description", t->buf);
    free (t);
    cJSON_AddNumberToObject (embed, "color", s_color (st.state));
    if (c->info_enabled && c->info_text && *c->info_text) {
        cJSON *fields = cJSON_AddArrayToObject (embed, "fields");
        cJSON *f = cJSON_CreateObject ();
        cJSON_AddStringToObject (f, "name", i18n_get (r->lang, "panel.info"));
        char *clean = render_clean (c->info_text, strlen (c->info_text));
        char value [4100];
        render_trunc_text (clean, 1000, value, sizeof (value));
        free (clean);
        cJSON_AddStringToObject (f, "value", value);
        cJSON_AddItemToArray (fields, f);
    }
    const char *footer_key = !(c->allowed & (ACT_START | ACT_STOP | ACT_RESTART | ACT_LOGS))
                                 ? "panel.no_actions"
                             : !may ? "panel.view_only"
                                    : NULL;
    if (footer_key) {
        cJSON *footer = cJSON_AddObjectToObject (embed, "footer");
        cJSON_AddStringToObject (footer, "text", i18n_get (r->lang, footer_key));
    }
    s_timestamp (embed, r->wall_ms);
    cJSON_AddItemToArray (embeds, embed);

    cJSON *components = cJSON_AddArrayToObject (msg, "components");
    if (busy)
        return msg;
    cJSON *row = render_row (components);
    char id [64];
    if (may) {
        bool running = st.state == ST_RUNNING || st.state == ST_PENDING;
        bool stopped = st.state == ST_STOPPED;
        bool unknown = st.state == ST_UNKNOWN;
        if ((may & ACT_START) && (stopped || unknown)) {
            snprintf (id, sizeof (id), "pn:start:%s", c->key);
            cJSON_AddItemToArray (row, render_button (id, i18n_get (r->lang, "btn.start"), "▶️",
                                                      3, false));
        }
        if ((may & ACT_STOP) && (running || unknown)) {
            snprintf (id, sizeof (id), "pn:stop:%s", c->key);
            cJSON_AddItemToArray (row, render_button (id, i18n_get (r->lang, "btn.stop"), "⏹️",
                                                      4, false));
        }
        if ((may & ACT_RESTART) && (running || unknown)) {
            snprintf (id, sizeof (id), "pn:restart:%s", c->key);
            cJSON_AddItemToArray (row, render_button (id, i18n_get (r->lang, "btn.restart"), "🔄", 1,
                                                      false));
        }
        if (may & ACT_LOGS) {
            snprintf (id, sizeof (id), "pn:logs:%s", c->key);
            cJSON_AddItemToArray (row,
                                  render_button (id, i18n_get (r->lang, "btn.logs"), "📋", 2, false));
        }
    }
    snprintf (id, sizeof (id), "pn:ref:%s", c->key);
    cJSON_AddItemToArray (row, render_button (id, i18n_get (r->lang, "btn.refresh"), "🔁", 2, false));
    if (may & ACT_ADMIN) {
        //  What admins manage: the container's tasks and its info text.
        row = render_row (components);
        snprintf (id, sizeof (id), "pn:tasks:%s", c->key);
        cJSON_AddItemToArray (row,
                              render_button (id, i18n_get (r->lang, "btn.tasks"), "⏰", 2, false));
        snprintf (id, sizeof (id), "pn:edit:%s", c->key);
        cJSON_AddItemToArray (row, render_button (id, i18n_get (r->lang, "btn.edit_info"), "📝", 2,
                                                  false));
    }
    return msg;
}

uint32_t
render_info_hash (const live_ctr_t *c)
{
    uint32_t h = 2166136261u;
    h = (h ^ (c->info_enabled ? '1' : '0')) * 16777619u;
    for (const char *p = c->info_text ? c->info_text : ""; *p; p++)
        h = (h ^ (unsigned char) *p) * 16777619u;
    return h;
}

cJSON *
render_info_modal (const render_ctx_t *r, const live_ctr_t *c)
{
    cJSON *data = cJSON_CreateObject ();
    char id [64], title [160], name [64], cut [64];
    snprintf (id, sizeof (id), "in:ed:%s:%08x", c->key, render_info_hash (c));
    cJSON_AddStringToObject (data, "custom_id", id);
    render_trunc (c->display, 30, name, sizeof (name));
    render_trunc (i18n_fmt (title, sizeof (title), r->lang, "info.modal", name, NULL), 45, cut,
                  sizeof (cut));
    cJSON_AddStringToObject (data, "title", cut);
    cJSON *components = cJSON_AddArrayToObject (data, "components");
    //  Labels (type 18) around a paragraph and a yes/no select.
    cJSON *label = cJSON_CreateObject ();
    cJSON_AddNumberToObject (label, "type", 18);
    render_trunc (i18n_get (r->lang, "info.field"), 45, cut, sizeof (cut));
    cJSON_AddStringToObject (label, "label", cut);
    cJSON *input = cJSON_AddObjectToObject (label, "component");
    cJSON_AddNumberToObject (input, "type", 4);
    cJSON_AddStringToObject (input, "custom_id", "text");
    cJSON_AddNumberToObject (input, "style", 2);
    cJSON_AddNumberToObject (input, "max_length", 2000);
    cJSON_AddFalseToObject (input, "required");
    if (c->info_text && *c->info_text)
        cJSON_AddStringToObject (input, "value", c->info_text);
    cJSON_AddItemToArray (components, label);
    label = cJSON_CreateObject ();
    cJSON_AddNumberToObject (label, "type", 18);
    render_trunc (i18n_get (r->lang, "info.show"), 45, cut, sizeof (cut));
    cJSON_AddStringToObject (label, "label", cut);
    cJSON *sel = cJSON_AddObjectToObject (label, "component");
    cJSON_AddNumberToObject (sel, "type", 3);
    cJSON_AddStringToObject (sel, "custom_id", "show");
    cJSON *options = cJSON_AddArrayToObject (sel, "options");
    bool show = c->info_enabled || !c->info_text || !*c->info_text;
    for (int k = 0; k < 2; k++) {
        cJSON *o = cJSON_CreateObject ();
        cJSON_AddStringToObject (o, "label",
                                 i18n_get (r->lang, k ? "info.show.no" : "info.show.yes"));
        cJSON_AddStringToObject (o, "value", k ? "no" : "yes");
        if (show == (k == 0))
            cJSON_AddTrueToObject (o, "default");
        cJSON_AddItemToArray (options, o);
    }
    cJSON_AddItemToArray (components, label);
    return data;
}

//  --------------------------------------------------------------------------
//  Others

cJSON *
render_logs (const render_ctx_t *r, const live_ctr_t *c, const char *text, int lines,
             int64_t live_until, const char *note)
{
    char tmp [256], name [128];
    render_trunc (c->display, 60, name, sizeof (name));
    size_t len = text ? strlen (text) : 0;
    //  The last RENDER_LOGS_MAX bytes, from a line start when possible.
    const char *start = text ? text : "";
    if (len > RENDER_LOGS_MAX) {
        start = text + len - RENDER_LOGS_MAX;
        const char *nl = memchr (start, '\n', len - (size_t) (start - text));
        if (nl && nl + 1 < text + len)
            start = nl + 1;
        len = strlen (start);
    }
    char *clean = render_clean (start, len);
    //  The cleaning may grow the text (look-alike backticks): cut again.
    if (strlen (clean) > RENDER_LOGS_MAX + 200) {
        char *cut = clean + strlen (clean) - RENDER_LOGS_MAX;
        while (((unsigned char) *cut & 0xc0) == 0x80)
            cut++;
        memmove (clean, cut, strlen (cut) + 1);
    }
    size_t dlen = strlen (clean) + 16;
    char *desc = ddc_malloc (dlen + 64);
    snprintf (desc, dlen + 64, "```\n%s\n```", *clean ? clean : i18n_get (r->lang, "logs.empty"));
    free (clean);
    cJSON *msg = cJSON_CreateObject ();
    cJSON_AddStringToObject (msg, "content", "");
    cJSON *embeds = cJSON_AddArrayToObject (msg, "embeds");
    cJSON *embed = cJSON_CreateObject ();
    cJSON_AddStringToObject (embed, "title",
                             i18n_fmt (tmp, sizeof (tmp), r->lang, "logs.title", name, NULL));
    cJSON_AddStringToObject (embed, "description", desc);
    free (desc);
    cJSON_AddNumberToObject (embed, "color", S_COLOR_UNKNOWN);
    char n [24], when [32];
    snprintf (n, sizeof (n), "%d", lines);
    cJSON *footer = cJSON_AddObjectToObject (embed, "footer");
    if (live_until > 0) {
        render_when (r, live_until, when, sizeof (when));
        i18n_fmt (tmp, sizeof (tmp), r->lang, "logs.live", n, when, NULL);
    }
    else {
        struct tm tm;
        s_local (r, r->wall_ms, &tm);
        snprintf (when, sizeof (when), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        i18n_fmt (tmp, sizeof (tmp), r->lang, "logs.still", n, when, NULL);
    }
    cJSON_AddStringToObject (footer, "text", tmp);
    cJSON_AddItemToArray (embeds, embed);
    if (note && *note) {
        char *n_clean = render_clean (note, strlen (note));
        char cut [700];
        render_trunc (n_clean, 300, cut, sizeof (cut));
        free (n_clean);
        cJSON_ReplaceItemInObjectCaseSensitive (msg, "content", cJSON_CreateString (cut));
    }
    cJSON *components = cJSON_AddArrayToObject (msg, "components");
    cJSON *row = render_row (components);
    char id [64];
    snprintf (id, sizeof (id), "lg:ref:%s", c->key);
    cJSON_AddItemToArray (row, render_button (id, i18n_get (r->lang, "btn.refresh"), "🔁", 2, false));
    if (live_until > 0) {
        snprintf (id, sizeof (id), "lg:stop:%s", c->key);
        cJSON_AddItemToArray (row, render_button (id, i18n_get (r->lang, "btn.stop_live"), "⏹️",
                                                  2, false));
    }
    return msg;
}

static void
s_field (cJSON *fields, const char *name, const char *value)
{
    cJSON *f = cJSON_CreateObject ();
    cJSON_AddStringToObject (f, "name", name);
    cJSON_AddStringToObject (f, "value", value);
    cJSON_AddItemToArray (fields, f);
}

cJSON *
render_help (const render_ctx_t *r)
{
    cJSON *msg = cJSON_CreateObject ();
    cJSON *embeds = cJSON_AddArrayToObject (msg, "embeds");
    cJSON *embed = cJSON_CreateObject ();
    cJSON_AddStringToObject (embed, "title", i18n_get (r->lang, "help.title"));
    cJSON_AddNumberToObject (embed, "color", S_COLOR_OVERVIEW);
    cJSON *fields = cJSON_AddArrayToObject (embed, "fields");
    s_field (fields, i18n_get (r->lang, "help.general"), i18n_get (r->lang, "help.general.text"));
    s_field (fields, i18n_get (r->lang, "help.status"), i18n_get (r->lang, "help.status.text"));
    s_field (fields, i18n_get (r->lang, "help.control"), i18n_get (r->lang, "help.control.text"));
    s_field (fields, i18n_get (r->lang, "help.icons"), i18n_get (r->lang, "help.icons.text"));
    cJSON_AddItemToArray (embeds, embed);
    return msg;
}

cJSON *
render_ping (const render_ctx_t *r, int64_t gateway_ms, int64_t rest_ms)
{
    char tmp [128], n [24], text [300] = "";
    if (gateway_ms >= 0) {
        snprintf (n, sizeof (n), "%lld", (long long) gateway_ms);
        ddc_strlcpy (text, i18n_fmt (tmp, sizeof (tmp), r->lang, "ping.latency", n, NULL),
                     sizeof (text));
    }
    if (rest_ms >= 0) {
        snprintf (n, sizeof (n), "%lld", (long long) rest_ms);
        if (text [0])
            ddc_strlcpy (text + strlen (text), "\n", sizeof (text) - strlen (text));
        ddc_strlcpy (text + strlen (text),
                     i18n_fmt (tmp, sizeof (tmp), r->lang, "ping.rest", n, NULL),
                     sizeof (text) - strlen (text));
    }
    if (!text [0])
        ddc_strlcpy (text, i18n_get (r->lang, "ping.unknown"), sizeof (text));
    cJSON *msg = cJSON_CreateObject ();
    cJSON *embeds = cJSON_AddArrayToObject (msg, "embeds");
    cJSON *embed = cJSON_CreateObject ();
    cJSON_AddStringToObject (embed, "title", i18n_get (r->lang, "ping.title"));
    cJSON_AddStringToObject (embed, "description", text);
    cJSON_AddNumberToObject (embed, "color", S_COLOR_RUNNING);
    cJSON_AddItemToArray (embeds, embed);
    return msg;
}

cJSON *
render_confirm (const render_ctx_t *r, const char *action, size_t n, size_t running,
                const char *skipped)
{
    bool restart = strcmp (action, "restart") == 0;
    char tmp [1400], num [24], all [24];
    snprintf (num, sizeof (num), "%zu", n);
    snprintf (all, sizeof (all), "%zu", running);
    if (running > n) {
        //  "Stop 2 of the 3 running containers? 1 does not allow it …: Box 3"
        char left [24], names [1000];
        snprintf (left, sizeof (left), "%zu", running - n);
        render_trunc (skipped ? skipped : "", 800, names, sizeof (names));
        i18n_fmt (tmp, sizeof (tmp), r->lang,
                  restart ? "bulk.confirm.restart.some" : "bulk.confirm.stop.some", num, all, left,
                  names, NULL);
    }
    else
        i18n_fmt (tmp, sizeof (tmp), r->lang,
                  restart ? "bulk.confirm.restart" : "bulk.confirm.stop", num, NULL);
    cJSON *msg = render_text (tmp);
    cJSON *components = cJSON_GetObjectItemCaseSensitive (msg, "components");
    cJSON *row = render_row (components);
    cJSON_AddItemToArray (row, render_button (restart ? "bk:restart" : "bk:stop",
                                              i18n_get (r->lang, restart ? "btn.yes_restart"
                                                                         : "btn.yes_stop"),
                                              restart ? "🔄" : "⏹️", 4, false));
    cJSON_AddItemToArray (row,
                          render_button ("bk:no", i18n_get (r->lang, "btn.cancel"), NULL, 2, false));
    return msg;
}

cJSON *
render_addadmin_modal (const render_ctx_t *r)
{
    cJSON *data = cJSON_CreateObject ();
    cJSON_AddStringToObject (data, "custom_id", "adm:add");
    char title [64];
    render_trunc (i18n_get (r->lang, "admin.modal"), 45, title, sizeof (title));
    cJSON_AddStringToObject (data, "title", title);
    cJSON *components = cJSON_AddArrayToObject (data, "components");
    cJSON *row = render_row (components);
    cJSON *input = cJSON_CreateObject ();
    cJSON_AddNumberToObject (input, "type", 4);
    cJSON_AddStringToObject (input, "custom_id", "user_id");
    cJSON_AddNumberToObject (input, "style", 1);
    char label [64];
    render_trunc (i18n_get (r->lang, "admin.field"), 45, label, sizeof (label));
    cJSON_AddStringToObject (input, "label", label);
    cJSON_AddNumberToObject (input, "min_length", 17);
    cJSON_AddNumberToObject (input, "max_length", 20);
    cJSON_AddTrueToObject (input, "required");
    cJSON_AddStringToObject (input, "placeholder", "223344556677889900");
    cJSON_AddItemToArray (row, input);
    return data;
}

static bool
s_contains (const char *hay, const char *needle)
{
    if (!*needle)
        return true;
    size_t n = strlen (needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp (p, needle, n) == 0)
            return true;
    return false;
}

cJSON *
render_choices (const render_ctx_t *r, const char *query)
{
    cJSON *data = cJSON_CreateObject ();
    cJSON *choices = cJSON_AddArrayToObject (data, "choices");
    int n = 0;
    for (size_t i = 0; i < r->live->nctrs && n < 25; i++) {
        const live_ctr_t *c = &r->live->ctrs [i];
        if (!c->active
            || !(s_contains (c->display, query ? query : "")
                 || s_contains (c->name, query ? query : "")))
            continue;
        char label [200], name [128];
        render_trunc (c->display, 60, name, sizeof (name));
        if (strcmp (c->display, c->name) != 0)
            snprintf (label, sizeof (label), "%s (%.30s @ %.30s)", name, c->name, c->host);
        else
            snprintf (label, sizeof (label), "%s @ %.30s", name, c->host);
        char cut [128];
        render_trunc (label, 100, cut, sizeof (cut));
        cJSON *o = cJSON_CreateObject ();
        cJSON_AddStringToObject (o, "name", cut);
        cJSON_AddStringToObject (o, "value", c->key);
        cJSON_AddItemToArray (choices, o);
        n++;
    }
    return data;
}

uint64_t
render_hash (const cJSON *msg)
{
    char *text = ddc_json_print (msg);
    uint64_t h = 14695981039346656037ULL;
    for (const char *p = text; p && *p; p++)
        h = (h ^ (unsigned char) *p) * 1099511628211ULL;
    free (text);
    return h ? h : 1;
}

cJSON *
render_text (const char *text)
{
    cJSON *msg = cJSON_CreateObject ();
    char *clean = render_clean (text ? text : "", text ? strlen (text) : 0);
    char cut [2100];
    render_trunc (clean, 1900, cut, sizeof (cut));
    free (clean);
    cJSON_AddStringToObject (msg, "content", cut);
    cJSON_AddArrayToObject (msg, "embeds");
    cJSON_AddArrayToObject (msg, "components");
    return msg;
}
