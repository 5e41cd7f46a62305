/*  render_label: what people read where the configuration names things by
    key. A section by the word the navigation uses for it, a field path
    ("containers[1].display_name") by its form label ("Container 2:
    Display name"), a validation error by a sentence in the page's language
    that names the field by its label, a history author's " (rollback to
    N)" translated, and times as <time> elements the script shows in the
    browser's time zone. The labels are the locale's "f.SECTION.KEY"
    strings, the ones the forms show. See render.h. */
#include "render.h"

#include "ddc_schema.h"
#include "ddc_util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Sections whose navigation entry is not named like the section.
static const struct {
    const char *section, *nav;
} s_lb_nav [] = { { "spam", "cooldowns" }, { "web", "webui" }, { NULL, NULL } };

const char *
render_section_label (const rctx_t *rc, const char *section)
{
    if (!section || !*section)
        return "";
    const char *nav = section;
    for (int i = 0; s_lb_nav [i].section; i++)
        if (strcmp (s_lb_nav [i].section, section) == 0)
            nav = s_lb_nav [i].nav;
    char key [64];
    snprintf (key, sizeof (key), "nav.%s", nav);
    const char *text = i18n_find (rc->i18n, rc->lang, key);
    return text ? text : section;
}

//  A path split into its parts: section, row index (-1: none), key, the
//  rest after the key (".start[0]", ".ss"), as lengths into the path.
typedef struct {
    char section [32];
    long row;
    char key [48];
    char sub [48];
} s_lb_path_t;

static bool
s_lb_ident (const char **p, char *out, size_t size)
{
    size_t n = 0;
    while ((isalnum ((unsigned char) **p) || **p == '_') && n + 1 < size)
        out [n++] = *(*p)++;
    out [n] = '\0';
    return n > 0;
}

static void
s_lb_split (const char *path, s_lb_path_t *sp)
{
    memset (sp, 0, sizeof (*sp));
    sp->row = -1;
    const char *p = path;
    if (!s_lb_ident (&p, sp->section, sizeof (sp->section)))
        return;
    if (*p == '[') {
        char *end;
        long n = strtol (p + 1, &end, 10);
        if (*end == ']' && n >= 0 && n < 100000) {
            sp->row = n;
            p = end + 1;
        }
    }
    if (*p == '.') {
        p++;
        s_lb_ident (&p, sp->key, sizeof (sp->key));
    }
    if (*p == '.') {
        p++;
        s_lb_ident (&p, sp->sub, sizeof (sp->sub));
    }
}

//  The label of a key of a section (the locale key its ddc_schema row
//  names, else "f.SECTION.KEY"), or the key with spaces for '_' (plain
//  text: the labels hold no markup).
static void
s_lb_key (ddc_buf_t *b, const rctx_t *rc, const char *section, const char *key)
{
    char lk [112];
    int s = ddc_section_from_name (section);
    const ddc_field_t *row = s >= 0 ? ddc_schema_field ((ddc_section_t) s, key) : NULL;
    if (row && row->label)
        ddc_strlcpy (lk, row->label, sizeof (lk));
    else
        snprintf (lk, sizeof (lk), "f.%s.%s", section, key);
    const char *text = i18n_find (rc->i18n, rc->lang, lk);
    if (text) {
        ddc_buf_puts (b, text);
        return;
    }
    char plain [48];
    ddc_strlcpy (plain, key, sizeof (plain));
    for (char *c = plain; *c; c++)
        if (*c == '_')
            *c = ' ';
    ddc_buf_puts (b, plain);
}

static void s_lb_cooldown (ddc_buf_t *b, const rctx_t *rc, const char *which, const char *name);

//  The label of a field path as plain text into b.
static void
s_lb_field (ddc_buf_t *b, const rctx_t *rc, const char *path)
{
    s_lb_path_t sp;
    s_lb_split (path ? path : "", &sp);
    if (!sp.section [0]) {
        ddc_buf_puts (b, path ? path : "");
        return;
    }
    bool any = false;
    if (sp.row >= 0) {
        char ik [64], n [24];
        snprintf (ik, sizeof (ik), "item.%s", sp.section);
        snprintf (n, sizeof (n), "%ld", sp.row + 1);
        const char *args [] = { n };
        const char *tmpl = i18n_find (rc->i18n, rc->lang, ik);
        if (tmpl)
            ddc_buf_tmpl (b, tmpl, 1, args); //  a digit string: nothing escaped
        else {
            ddc_buf_puts (b, render_section_label (rc, sp.section));
            ddc_buf_printf (b, " %s", n);
        }
        any = true;
    }
    if (sp.key [0]) {
        if (any)
            ddc_buf_puts (b, ": ");
        s_lb_key (b, rc, sp.section, sp.key);
        any = true;
        if (sp.sub [0]) {
            ddc_buf_puts (b, ": ");
            if (strcmp (sp.section, "spam") == 0)
                s_lb_cooldown (b, rc, sp.key, sp.sub);
            else {
                //  containers[i].roles.ACTION
                char ak [64];
                snprintf (ak, sizeof (ak), "action.%s", sp.sub);
                const char *text = i18n_find (rc->i18n, rc->lang, ak);
                ddc_buf_puts (b, text ? text : sp.sub);
            }
        }
    }
    if (!any)
        ddc_buf_puts (b, render_section_label (rc, sp.section));
}

void
render_field_label (ddc_buf_t *b, const rctx_t *rc, const char *path)
{
    ddc_buf_t *t = ddc_buf_new (1024);
    s_lb_field (t, rc, path);
    ddc_buf_html (b, ddc_buf_text (t));
    ddc_buf_destroy (&t);
}

cJSON *
render_rejected_labels (const rctx_t *rc, const cJSON *view)
{
    cJSON *out = cJSON_CreateObject ();
    ddc_buf_t *t = ddc_buf_new (1024);
    const cJSON *peer, *e;
    cJSON_ArrayForEach (peer, cJSON_GetObjectItemCaseSensitive (view, "peers")) {
        const cJSON *rej = cJSON_GetObjectItemCaseSensitive (peer, "rejected");
        cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive (rej, "errors")) {
            const char *field =
                cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field"));
            if (!field || !*field || cJSON_GetObjectItemCaseSensitive (out, field))
                continue;
            ddc_buf_reset (t);
            s_lb_field (t, rc, field);
            cJSON_AddStringToObject (out, field, ddc_buf_text (t));
        }
    }
    ddc_buf_destroy (&t);
    return out;
}

static void
s_lb_cooldown (ddc_buf_t *b, const rctx_t *rc, const char *which, const char *name)
{
    bool command = strcmp (which, "command_cooldowns") == 0;
    char lk [96];
    snprintf (lk, sizeof (lk), "%s.%s", command ? "spam.cmd" : "btn", name);
    const char *text = i18n_find (rc->i18n, rc->lang, lk);
    if (command) {
        ddc_buf_puts (b, "/");
        ddc_buf_puts (b, name);
        if (text) {
            ddc_buf_puts (b, " \xE2\x80\x94 "); //  an em dash
            ddc_buf_puts (b, text);
        }
    }
    else
        ddc_buf_puts (b, text ? text : name);
}

void
render_cooldown_label (ddc_buf_t *b, const rctx_t *rc, const char *which, const char *name)
{
    ddc_buf_t *t = ddc_buf_new (256);
    s_lb_cooldown (t, rc, which, name);
    ddc_buf_html (b, ddc_buf_text (t));
    ddc_buf_destroy (&t);
}

//  The whole numbers in text, in order, as strings (at most 4).
static int
s_lb_numbers (const char *text, char out [4][24])
{
    int n = 0;
    for (const char *p = text; *p && n < 4;) {
        if (isdigit ((unsigned char) *p) && (p == text || !isalnum ((unsigned char) p [-1]))) {
            size_t len = 0;
            while (isdigit ((unsigned char) p [len]) && len < 20)
                len++;
            memcpy (out [n], p, len);
            out [n++][len] = '\0';
            p += len;
        }
        else
            p++;
    }
    return n;
}

void
render_error_text (ddc_buf_t *b, const rctx_t *rc, const char *field, const char *reason,
                   const char *message)
{
    field = field ? field : "";
    reason = reason ? reason : "";
    message = message ? message : reason;
    s_lb_path_t sp;
    s_lb_split (field, &sp);
    //  a field's own sentence first ("e.bot.guild_id.invalid"), then the
    //  reason's ("err.invalid"); neither: the broker's text
    const char *tmpl = NULL;
    char key [160];
    if (sp.section [0] && sp.key [0] && *reason) {
        snprintf (key, sizeof (key), "e.%s.%s.%s", sp.section, sp.key, reason);
        tmpl = i18n_find (rc->i18n, rc->lang, key);
    }
    if (!tmpl && *reason) {
        snprintf (key, sizeof (key), "err.%s", reason);
        tmpl = i18n_find (rc->i18n, rc->lang, key);
    }
    if (!tmpl || !sp.section [0]) {
        ddc_buf_html (b, message);
        return;
    }
    ddc_buf_t *label = ddc_buf_new (512);
    s_lb_field (label, rc, field);
    char nums [4][24] = { "", "", "", "" };
    s_lb_numbers (message, nums);
    //  the template is locale text (trusted HTML); ddc_buf_tmpl escapes the label
    const char *args [] = { ddc_buf_text (label), nums [0], nums [1], nums [2], nums [3] };
    ddc_buf_tmpl (b, tmpl, 5, args);
    ddc_buf_destroy (&label);
}

void
render_author (ddc_buf_t *b, const rctx_t *rc, const char *author)
{
    static const char tag [] = " (rollback to ";
    author = author ? author : "";
    const char *at = strstr (author, tag);
    uint64_t to = 0;
    if (at) {
        const char *num = at + strlen (tag);
        char digits [24];
        size_t n = strspn (num, "0123456789");
        if (n == 0 || n >= sizeof (digits) || strcmp (num + n, ")") != 0)
            at = NULL;
        else {
            memcpy (digits, num, n);
            digits [n] = '\0';
            if (ddc_parse_u64 (digits, &to) < 0)
                at = NULL;
        }
    }
    if (!at) {
        ddc_buf_html (b, author);
        return;
    }
    ddc_buf_html_n (b, author, (size_t) (at - author));
    char rev [24];
    snprintf (rev, sizeof (rev), "%" PRIu64, to);
    const char *args [] = { rev };
    ddc_buf_puts (b, " ");
    ddc_buf_tmpl (b, T (rc, "history.rolled_back"), 1, args);
}

void
render_time (ddc_buf_t *b, const char *iso)
{
    if (!iso || !*iso)
        return;
    //  "2026-11-27T08:39:37Z": shown as "2026-11-27 08:39:37 UTC" without a
    //  script, in the browser's zone with it; never broken inside
    ddc_buf_puts (b, "<time class=\"local\" datetime=\"");
    ddc_buf_html (b, iso);
    ddc_buf_puts (b, "\">");
    size_t n = strlen (iso);
    bool utc = n > 1 && iso [n - 1] == 'Z';
    for (size_t i = 0; i < n - (utc ? 1 : 0); i++) {
        if (iso [i] == 'T')
            ddc_buf_puts (b, "\xC2\xA0"); //  no-break space
        else
            ddc_buf_html_n (b, iso + i, 1);
    }
    if (utc)
        ddc_buf_puts (b, "\xC2\xA0UTC");
    ddc_buf_puts (b, "</time>");
}
