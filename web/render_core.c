/*  render_core: the page shell (head, navigation, footer, the script's
    string table), notices, field errors and the save/conflict boxes.
    See render.h. */
#include "render.h"

#include "ddc_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
T (const rctx_t *rc, const char *key)
{
    return i18n_get (rc->i18n, rc->lang, key);
}

const char *
render_state_text (const rctx_t *rc, const char *prefix, const char *value)
{
    char key [96];
    size_t pl = strlen (prefix), vl = strlen (value);
    if (pl + vl >= sizeof (key))
        return value;
    memcpy (key, prefix, pl);
    memcpy (key + pl, value, vl + 1);
    const char *text = i18n_find (rc->i18n, rc->lang, key);
    return text ? text : value;
}

//  ------------------------------------------------------------------------
//  errors

struct errs_t {
    size_t count;
    char (*input) [SCHEMA_NAME_MAX];
    char **message; //  HTML: the sentence, escaped
    char **field;
    bool *shown;
};

errs_t *
errs_new (const rctx_t *rc, ddc_section_t s, const cJSON *errors)
{
    errs_t *self = ddc_calloc (1, sizeof (*self));
    size_t n = (size_t) cJSON_GetArraySize (errors);
    if (n > 256)
        n = 256;
    self->input = ddc_calloc (n ? n : 1, sizeof (*self->input));
    self->message = ddc_calloc (n ? n : 1, sizeof (*self->message));
    self->field = ddc_calloc (n ? n : 1, sizeof (*self->field));
    self->shown = ddc_calloc (n ? n : 1, sizeof (*self->shown));
    const cJSON *e;
    cJSON_ArrayForEach (e, errors) {
        if (self->count == n)
            break;
        const char *field = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field"));
        const char *msg = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "message"));
        const char *reason = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "reason"));
        size_t i = self->count++;
        schema_error_input (s, field ? field : "", self->input [i], sizeof (self->input [i]));
        self->field [i] = ddc_strdup (field ? field : "");
        ddc_buf_t *text = ddc_buf_new (1024);
        render_error_text (text, rc, field, reason, msg ? msg : reason ? reason : "invalid");
        self->message [i] = ddc_strdup (ddc_buf_text (text));
        ddc_buf_destroy (&text);
    }
    return self;
}

void
errs_destroy (errs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    errs_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        free (self->message [i]);
        free (self->field [i]);
    }
    free (self->input);
    free (self->message);
    free (self->field);
    free (self->shown);
    free (self);
    *self_p = NULL;
}

size_t
errs_count (const errs_t *self)
{
    return self ? self->count : 0;
}

bool
render_has_errors (const errs_t *errs, const char *input)
{
    if (!errs || !input)
        return false;
    for (size_t i = 0; i < errs->count; i++)
        if (!errs->shown [i] && strcmp (errs->input [i], input) == 0)
            return true;
    return false;
}

bool
render_has_errors_under (const errs_t *errs, const char *prefix)
{
    if (!errs || !prefix)
        return false;
    size_t n = strlen (prefix);
    for (size_t i = 0; i < errs->count; i++)
        if (!errs->shown [i] && strncmp (errs->input [i], prefix, n) == 0
            && (errs->input [i][n] == '.' || errs->input [i][n] == '\0'))
            return true;
    return false;
}

void
render_field_errors (ddc_buf_t *b, errs_t *errs, const char *input)
{
    if (!errs || !input || !*input)
        return;
    bool open = false;
    for (size_t i = 0; i < errs->count; i++) {
        if (errs->shown [i] || strcmp (errs->input [i], input) != 0)
            continue;
        if (!open) {
            ddc_buf_puts (b, "<ul class=\"field-errors\" role=\"alert\">");
            open = true;
        }
        ddc_buf_puts (b, "<li data-field=\"");
        ddc_buf_html (b, errs->field [i]);
        ddc_buf_puts (b, "\">");
        ddc_buf_puts (b, errs->message [i]); //  escaped when made
        ddc_buf_puts (b, "</li>");
        errs->shown [i] = true;
    }
    if (open)
        ddc_buf_puts (b, "</ul>");
}

void
render_other_errors (ddc_buf_t *b, const rctx_t *rc, errs_t *errs)
{
    if (!errs || errs->count == 0)
        return;
    size_t shown = 0, other = 0;
    for (size_t i = 0; i < errs->count; i++)
        errs->shown [i] ? shown++ : other++;
    ddc_buf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"form-errors\"><p>");
    char count [24];
    snprintf (count, sizeof (count), "%zu", errs->count);
    const char *args [] = { count };
    ddc_buf_tmpl (b, T (rc, "save.invalid"), 1, args);
    ddc_buf_puts (b, "</p>");
    if (other) {
        ddc_buf_puts (b, "<ul>");
        for (size_t i = 0; i < errs->count; i++) {
            if (errs->shown [i])
                continue;
            ddc_buf_puts (b, "<li data-field=\"");
            ddc_buf_html (b, errs->field [i]);
            ddc_buf_puts (b, "\">");
            ddc_buf_puts (b, errs->message [i]); //  names the field
            ddc_buf_puts (b, "</li>");
            errs->shown [i] = true;
        }
        ddc_buf_puts (b, "</ul>");
    }
    ddc_buf_puts (b, "</div>");
}

//  ------------------------------------------------------------------------
//  page shell

typedef struct {
    const char *key;
    const char *path;
} s_nav_t;

static const s_nav_t s_nav [] = {
    { "dashboard", "/" },        { "bot", "/bot" },           { "containers", "/containers" },
    { "channels", "/channels" }, { "admins", "/admins" },     { "cooldowns", "/cooldowns" },
    { "tasks", "/tasks" },       { "alerts", "/alerts" },     { "watchdog", "/watchdog" },
    { "docker", "/docker" },     { "webui", "/webui" },       { "password", "/password" },
    { "history", "/history" },   { "activity", "/activity" }, { NULL, NULL }
};

//  The script's strings of the language (built once per language).
static void
s_js_strings (ddc_buf_t *b, const rctx_t *rc)
{
    ddc_buf_puts (b, "<script type=\"application/json\" id=\"i18n\">");
    ddc_buf_json_script (b, i18n_script_json (rc->i18n, rc->lang));
    ddc_buf_puts (b, "</script>");
}

void
render_begin (ddc_buf_t *b, const rctx_t *rc, const char *title)
{
    ddc_buf_puts (b, "<!DOCTYPE html>\n<html lang=\"");
    ddc_buf_html (b, rc->lang);
    ddc_buf_puts (b, "\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>");
    ddc_buf_html (b, title);
    ddc_buf_puts (b, " \xC2\xB7 ddc</title><link rel=\"stylesheet\" href=\"/static/app.css?v=");
    ddc_buf_url (b, rc->version);
    ddc_buf_puts (b, "\"><link rel=\"icon\" href=\"/static/favicon.svg?v=");
    ddc_buf_url (b, rc->version);
    ddc_buf_puts (b, "\"><script src=\"/static/app.js?v=");
    ddc_buf_url (b, rc->version);
    ddc_buf_puts (b, "\" defer></script></head><body data-lang=\"");
    ddc_buf_html (b, rc->lang);
    ddc_buf_puts (b, "\"");
    if (rc->csrf)
        ddc_buf_puts (b, " data-signed-in=\"1\"");
    ddc_buf_puts (b, "><header class=\"top\"><a class=\"brand\" href=\"/\">ddc</a>");
    if (rc->csrf) {
        //  On a phone the links fold behind this button (the script shows
        //  it); without the script they stay one row that scrolls itself.
        ddc_buf_puts (b, "<button type=\"button\" id=\"nav-toggle\" class=\"nav-toggle\" "
                         "aria-expanded=\"false\" aria-controls=\"nav\" hidden>");
        ddc_buf_html (b, T (rc, "nav.menu"));
        ddc_buf_puts (b, "</button><nav id=\"nav\" aria-label=\"");
        ddc_buf_html (b, T (rc, "nav.label"));
        ddc_buf_puts (b, "\"><ul>");
        for (const s_nav_t *n = s_nav; n->key; n++) {
            char key [48];
            snprintf (key, sizeof (key), "nav.%s", n->key);
            ddc_buf_puts (b, "<li><a href=\"");
            ddc_buf_puts (b, n->path);
            ddc_buf_puts (b, "\"");
            if (rc->nav && strcmp (rc->nav, n->key) == 0)
                ddc_buf_puts (b, " aria-current=\"page\"");
            ddc_buf_puts (b, " data-nav=\"");
            ddc_buf_puts (b, n->key);
            ddc_buf_puts (b, "\">");
            ddc_buf_html (b, T (rc, key));
            ddc_buf_puts (b, "</a></li>");
        }
        ddc_buf_puts (b, "</ul></nav><form method=\"post\" action=\"/logout\" class=\"logout\">");
        render_csrf (b, rc);
        ddc_buf_puts (b, "<button type=\"submit\" id=\"logout\">");
        ddc_buf_html (b, T (rc, "nav.logout"));
        ddc_buf_puts (b, "</button></form>");
    }
    ddc_buf_puts (b,
                  "</header><div id=\"live-banner\" class=\"notice warn\" hidden></div><main><h1>");
    ddc_buf_html (b, title);
    ddc_buf_puts (b, "</h1>");
}

void
render_end (ddc_buf_t *b, const rctx_t *rc)
{
    ddc_buf_puts (b, "</main><footer>ddc-web ");
    ddc_buf_html (b, rc->version);
    ddc_buf_puts (b, "</footer>");
    s_js_strings (b, rc);
    ddc_buf_puts (b, "</body></html>\n");
}

void
render_td (ddc_buf_t *b, const rctx_t *rc, const char *label_key, const char *cls)
{
    ddc_buf_puts (b, "<td");
    if (cls)
        ddc_buf_attr (b, "class", cls);
    ddc_buf_attr (b, "data-label", T (rc, label_key));
    ddc_buf_puts (b, ">");
}

void
render_notice (ddc_buf_t *b, const char *kind, const char *text)
{
    ddc_buf_puts (b, "<div class=\"notice ");
    ddc_buf_html (b, kind);
    ddc_buf_puts (b, "\" role=\"status\"><p>");
    ddc_buf_html (b, text);
    ddc_buf_puts (b, "</p></div>");
}

void
render_csrf (ddc_buf_t *b, const rctx_t *rc)
{
    if (!rc->csrf)
        return;
    ddc_buf_puts (b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    if (rc->csrf_mark)
        ddc_buf_mark (b);
    else
        ddc_buf_html (b, rc->csrf);
    ddc_buf_puts (b, "\">");
}

void
render_saved (ddc_buf_t *b, const rctx_t *rc, const char *section, uint64_t rev, bool changed)
{
    char r [24];
    snprintf (r, sizeof (r), "%" PRIu64, rev);
    const char *args [] = { r };
    ddc_buf_puts (b, "<div class=\"notice ok\" role=\"status\" id=\"saved\"><p>");
    ddc_buf_tmpl (b, T (rc, changed ? "save.applied" : "save.unchanged"), 1, args);
    ddc_buf_puts (b, "</p>");
    if (changed) {
        ddc_buf_puts (b, "<ul class=\"acks\" id=\"acks\" data-section=\"");
        ddc_buf_html (b, section);
        ddc_buf_printf (b, "\" data-rev=\"%" PRIu64 "\"><li class=\"pending\">", rev);
        ddc_buf_html (b, T (rc, "save.waiting"));
        ddc_buf_puts (b, "</li></ul>");
        if (strcmp (section, "bot") == 0) {
            ddc_buf_puts (b, "<p class=\"gateway-result\" id=\"gateway-result\" hidden></p>");
        }
    }
    ddc_buf_puts (b, "</div>");
}

void
render_conflict (ddc_buf_t *b, const rctx_t *rc, const char *path, uint64_t their_rev)
{
    char r [24];
    snprintf (r, sizeof (r), "%" PRIu64, their_rev);
    const char *args [] = { r };
    ddc_buf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"conflict\"><p>");
    ddc_buf_tmpl (b, T (rc, "save.conflict"), 1, args);
    ddc_buf_puts (b, "</p><p><a class=\"button\" id=\"conflict-reload\" href=\"");
    ddc_buf_html (b, path);
    ddc_buf_puts (b, "\">");
    ddc_buf_html (b, T (rc, "save.reload"));
    ddc_buf_puts (b, "</a></p></div>");
}

void
render_save_failed (ddc_buf_t *b, const rctx_t *rc, const char *key)
{
    ddc_buf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"save-failed\"><p>");
    ddc_buf_puts (b, T (rc, key));
    ddc_buf_puts (b, "</p></div>");
}

void
render_duration (int64_t s, char out [32])
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf (out, 32, "%" PRId64 " s", s);
    else if (s < 3600)
        snprintf (out, 32, "%" PRId64 " min", s / 60);
    else if (s < 86400)
        snprintf (out, 32, "%" PRId64 " h %" PRId64 " min", s / 3600, (s % 3600) / 60);
    else
        snprintf (out, 32, "%" PRId64 " d %" PRId64 " h", s / 86400, (s % 86400) / 3600);
}

void
render_bytes (double v, char out [32])
{
    static const char *const units [] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    if (v < 0)
        v = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf (out, 32, "%.0f %s", v, units [u]);
    else
        snprintf (out, 32, "%.1f %s", v, units [u]);
}
