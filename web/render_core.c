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
    char key[96];
    size_t pl = strlen (prefix), vl = strlen (value);
    if (pl + vl >= sizeof key)
        return value;
    memcpy (key, prefix, pl);
    memcpy (key + pl, value, vl + 1);
    const char *text = i18n_find (rc->i18n, rc->lang, key);
    return text ? text : value;
}

/* ------------------------------------------------------------------------ */
/* errors                                                                   */

struct errs_t {
    size_t count;
    char (*input)[SCHEMA_NAME_MAX];
    char **message;              /* HTML: the sentence, escaped */
    char **field;
    bool *shown;
};

errs_t *
errs_new (const rctx_t *rc, ddc_section_t s, const cJSON *errors)
{
    errs_t *self = ddc_calloc (1, sizeof *self);
    size_t n = (size_t) cJSON_GetArraySize (errors);
    if (n > 256)
        n = 256;
    self->input = ddc_calloc (n ? n : 1, sizeof *self->input);
    self->message = ddc_calloc (n ? n : 1, sizeof *self->message);
    self->field = ddc_calloc (n ? n : 1, sizeof *self->field);
    self->shown = ddc_calloc (n ? n : 1, sizeof *self->shown);
    const cJSON *e;
    cJSON_ArrayForEach (e, errors) {
        if (self->count == n)
            break;
        const char *field = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field"));
        const char *msg = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "message"));
        const char *reason = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "reason"));
        size_t i = self->count++;
        schema_error_input (s, field ? field : "", self->input[i], sizeof self->input[i]);
        self->field[i] = ddc_strdup (field ? field : "");
        wbuf_t *text = wbuf_new (1024);
        render_error_text (text, rc, field, reason, msg ? msg : reason ? reason : "invalid");
        self->message[i] = ddc_strdup (wbuf_text (text));
        wbuf_destroy (&text);
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
        free (self->message[i]);
        free (self->field[i]);
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
        if (!errs->shown[i] && strcmp (errs->input[i], input) == 0)
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
        if (!errs->shown[i] && strncmp (errs->input[i], prefix, n) == 0
            && (errs->input[i][n] == '.' || errs->input[i][n] == '\0'))
            return true;
    return false;
}

void
render_field_errors (wbuf_t *b, errs_t *errs, const char *input)
{
    if (!errs || !input || !*input)
        return;
    bool open = false;
    for (size_t i = 0; i < errs->count; i++) {
        if (errs->shown[i] || strcmp (errs->input[i], input) != 0)
            continue;
        if (!open) {
            wbuf_puts (b, "<ul class=\"field-errors\" role=\"alert\">");
            open = true;
        }
        wbuf_puts (b, "<li data-field=\"");
        wbuf_html (b, errs->field[i]);
        wbuf_puts (b, "\">");
        wbuf_puts (b, errs->message[i]);        /* escaped when made */
        wbuf_puts (b, "</li>");
        errs->shown[i] = true;
    }
    if (open)
        wbuf_puts (b, "</ul>");
}

void
render_other_errors (wbuf_t *b, const rctx_t *rc, errs_t *errs)
{
    if (!errs || errs->count == 0)
        return;
    size_t shown = 0, other = 0;
    for (size_t i = 0; i < errs->count; i++)
        errs->shown[i] ? shown++ : other++;
    wbuf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"form-errors\"><p>");
    char count[24];
    snprintf (count, sizeof count, "%zu", errs->count);
    const char *args[] = { count };
    wbuf_tmpl (b, T (rc, "save.invalid"), 1, args);
    wbuf_puts (b, "</p>");
    if (other) {
        wbuf_puts (b, "<ul>");
        for (size_t i = 0; i < errs->count; i++) {
            if (errs->shown[i])
                continue;
            wbuf_puts (b, "<li data-field=\"");
            wbuf_html (b, errs->field[i]);
            wbuf_puts (b, "\">");
            wbuf_puts (b, errs->message[i]);    /* names the field */
            wbuf_puts (b, "</li>");
            errs->shown[i] = true;
        }
        wbuf_puts (b, "</ul>");
    }
    wbuf_puts (b, "</div>");
}

/* ------------------------------------------------------------------------ */
/* page shell                                                               */

typedef struct {
    const char *key;
    const char *path;
} s_nav_t;

static const s_nav_t s_nav[] = {
    { "dashboard", "/" }, { "bot", "/bot" }, { "containers", "/containers" },
    { "channels", "/channels" }, { "admins", "/admins" }, { "cooldowns", "/cooldowns" },
    { "tasks", "/tasks" }, { "alerts", "/alerts" }, { "watchdog", "/watchdog" },
    { "docker", "/docker" },
    { "webui", "/webui" }, { "password", "/password" }, { "history", "/history" },
    { "activity", "/activity" },
    { NULL, NULL }
};

/* The script's strings of the language (built once per language). */
static void
s_js_strings (wbuf_t *b, const rctx_t *rc)
{
    wbuf_puts (b, "<script type=\"application/json\" id=\"i18n\">");
    wbuf_json_script (b, i18n_script_json (rc->i18n, rc->lang));
    wbuf_puts (b, "</script>");
}

void
render_begin (wbuf_t *b, const rctx_t *rc, const char *title)
{
    wbuf_puts (b, "<!DOCTYPE html>\n<html lang=\"");
    wbuf_html (b, rc->lang);
    wbuf_puts (b, "\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<title>");
    wbuf_html (b, title);
    wbuf_puts (b, " \xC2\xB7 ddc</title><link rel=\"stylesheet\" href=\"/static/app.css?v=");
    wbuf_url (b, rc->version);
    wbuf_puts (b, "\"><link rel=\"icon\" href=\"/static/favicon.svg?v=");
    wbuf_url (b, rc->version);
    wbuf_puts (b, "\"><script src=\"/static/app.js?v=");
    wbuf_url (b, rc->version);
    wbuf_puts (b, "\" defer></script></head><body data-lang=\"");
    wbuf_html (b, rc->lang);
    wbuf_puts (b, "\"");
    if (rc->csrf)
        wbuf_puts (b, " data-signed-in=\"1\"");
    wbuf_puts (b, "><header class=\"top\"><a class=\"brand\" href=\"/\">ddc</a>");
    if (rc->csrf) {
        /* On a phone the links fold behind this button (the script shows
           it); without the script they stay one row that scrolls itself. */
        wbuf_puts (b, "<button type=\"button\" id=\"nav-toggle\" class=\"nav-toggle\" "
                      "aria-expanded=\"false\" aria-controls=\"nav\" hidden>");
        wbuf_html (b, T (rc, "nav.menu"));
        wbuf_puts (b, "</button><nav id=\"nav\" aria-label=\"");
        wbuf_html (b, T (rc, "nav.label"));
        wbuf_puts (b, "\"><ul>");
        for (const s_nav_t *n = s_nav; n->key; n++) {
            char key[48];
            snprintf (key, sizeof key, "nav.%s", n->key);
            wbuf_puts (b, "<li><a href=\"");
            wbuf_puts (b, n->path);
            wbuf_puts (b, "\"");
            if (rc->nav && strcmp (rc->nav, n->key) == 0)
                wbuf_puts (b, " aria-current=\"page\"");
            wbuf_puts (b, " data-nav=\"");
            wbuf_puts (b, n->key);
            wbuf_puts (b, "\">");
            wbuf_html (b, T (rc, key));
            wbuf_puts (b, "</a></li>");
        }
        wbuf_puts (b, "</ul></nav><form method=\"post\" action=\"/logout\" class=\"logout\">");
        render_csrf (b, rc);
        wbuf_puts (b, "<button type=\"submit\" id=\"logout\">");
        wbuf_html (b, T (rc, "nav.logout"));
        wbuf_puts (b, "</button></form>");
    }
    wbuf_puts (b, "</header><div id=\"live-banner\" class=\"notice warn\" hidden></div><main><h1>");
    wbuf_html (b, title);
    wbuf_puts (b, "</h1>");
}

void
render_end (wbuf_t *b, const rctx_t *rc)
{
    wbuf_puts (b, "</main><footer>ddc-web ");
    wbuf_html (b, rc->version);
    wbuf_puts (b, "</footer>");
    s_js_strings (b, rc);
    wbuf_puts (b, "</body></html>\n");
}

void
render_td (wbuf_t *b, const rctx_t *rc, const char *label_key, const char *cls)
{
    wbuf_puts (b, "<td");
    if (cls)
        wbuf_attr (b, "class", cls);
    wbuf_attr (b, "data-label", T (rc, label_key));
    wbuf_puts (b, ">");
}

void
render_notice (wbuf_t *b, const char *kind, const char *text)
{
    wbuf_puts (b, "<div class=\"notice ");
    wbuf_html (b, kind);
    wbuf_puts (b, "\" role=\"status\"><p>");
    wbuf_html (b, text);
    wbuf_puts (b, "</p></div>");
}

void
render_csrf (wbuf_t *b, const rctx_t *rc)
{
    if (!rc->csrf)
        return;
    wbuf_puts (b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    if (rc->csrf_mark)
        wbuf_mark (b);
    else
        wbuf_html (b, rc->csrf);
    wbuf_puts (b, "\">");
}

void
render_saved (wbuf_t *b, const rctx_t *rc, const char *section, uint64_t rev, bool changed)
{
    char r[24];
    snprintf (r, sizeof r, "%" PRIu64, rev);
    const char *args[] = { r };
    wbuf_puts (b, "<div class=\"notice ok\" role=\"status\" id=\"saved\"><p>");
    wbuf_tmpl (b, T (rc, changed ? "save.applied" : "save.unchanged"), 1, args);
    wbuf_puts (b, "</p>");
    if (changed) {
        wbuf_puts (b, "<ul class=\"acks\" id=\"acks\" data-section=\"");
        wbuf_html (b, section);
        wbuf_printf (b, "\" data-rev=\"%" PRIu64 "\"><li class=\"pending\">", rev);
        wbuf_html (b, T (rc, "save.waiting"));
        wbuf_puts (b, "</li></ul>");
        if (strcmp (section, "bot") == 0) {
            wbuf_puts (b, "<p class=\"gateway-result\" id=\"gateway-result\" hidden></p>");
        }
    }
    wbuf_puts (b, "</div>");
}

void
render_conflict (wbuf_t *b, const rctx_t *rc, const char *path, uint64_t their_rev)
{
    char r[24];
    snprintf (r, sizeof r, "%" PRIu64, their_rev);
    const char *args[] = { r };
    wbuf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"conflict\"><p>");
    wbuf_tmpl (b, T (rc, "save.conflict"), 1, args);
    wbuf_puts (b, "</p><p><a class=\"button\" id=\"conflict-reload\" href=\"");
    wbuf_html (b, path);
    wbuf_puts (b, "\">");
    wbuf_html (b, T (rc, "save.reload"));
    wbuf_puts (b, "</a></p></div>");
}

void
render_save_failed (wbuf_t *b, const rctx_t *rc, const char *key)
{
    wbuf_puts (b, "<div class=\"notice error\" role=\"alert\" id=\"save-failed\"><p>");
    wbuf_puts (b, T (rc, key));
    wbuf_puts (b, "</p></div>");
}

void
render_duration (int64_t s, char out[32])
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
render_bytes (double v, char out[32])
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int u = 0;
    if (v < 0)
        v = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf (out, 32, "%.0f %s", v, units[u]);
    else
        snprintf (out, 32, "%.1f %s", v, units[u]);
}
