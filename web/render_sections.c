/*  render_sections: the form of each configuration section. Input names
    are the broker's field paths (schema.h), every form carries the section
    revision it was rendered from ("rev", SAVE's expected revision) and the
    CSRF token. Values are printed whatever their JSON type, so a refused
    value is shown back as typed. See render.h. */
#include "render.h"

#include "ddc_schedule.h"
#include "ddc_schema.h"
#include "ddc_util.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    ddc_buf_t *b;
    const rctx_t *rc;
    errs_t *errs;
    const char *cell; //  the column's name of the cell s_td opened, or NULL
} s_f_t;

typedef struct {
    const char *value;
    const char *label; //  a locale key, or the text itself when raw
    bool raw;
} s_opt_t;

static const char *const s_paths [DDC_SEC_COUNT] = {
    [DDC_SEC_BOT] = "/bot",           [DDC_SEC_CONTAINERS] = "/containers",
    [DDC_SEC_CHANNELS] = "/channels", [DDC_SEC_ADMINS] = "/admins",
    [DDC_SEC_SPAM] = "/cooldowns",    [DDC_SEC_TASKS] = "/tasks",
    [DDC_SEC_WATCHDOG] = "/watchdog", [DDC_SEC_WEB] = "/webui",
    [DDC_SEC_DOCKER] = "/docker",     [DDC_SEC_ALERTS] = "/alerts",
};
static const char *const s_titles [DDC_SEC_COUNT] = {
    [DDC_SEC_BOT] = "nav.bot",           [DDC_SEC_CONTAINERS] = "nav.containers",
    [DDC_SEC_CHANNELS] = "nav.channels", [DDC_SEC_ADMINS] = "nav.admins",
    [DDC_SEC_SPAM] = "nav.cooldowns",    [DDC_SEC_TASKS] = "nav.tasks",
    [DDC_SEC_WATCHDOG] = "nav.watchdog", [DDC_SEC_WEB] = "nav.webui",
    [DDC_SEC_DOCKER] = "nav.docker",     [DDC_SEC_ALERTS] = "nav.alerts",
};

const char *
render_section_path (ddc_section_t s)
{
    return (int) s >= 0 && s < DDC_SEC_COUNT ? s_paths [s] : NULL;
}

const char *
render_section_title (ddc_section_t s)
{
    return (int) s >= 0 && s < DDC_SEC_COUNT ? s_titles [s] : NULL;
}

int
render_section_from_path (const char *path)
{
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        if (path && strcmp (path, s_paths [s]) == 0)
            return s;
    return -1;
}

//  ------------------------------------------------------------------------
//  values of any JSON type as text

static const cJSON *
s_sec_get (const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive (obj, key);
}

//  The value at key as text into buf (strings as they are, numbers without
//  a fraction when whole, true/false); "" when absent or another type.
static const char *
s_text (const cJSON *obj, const char *key, char buf [64])
{
    const cJSON *v = s_sec_get (obj, key);
    buf [0] = '\0';
    if (cJSON_IsString (v))
        return v->valuestring;
    if (cJSON_IsNumber (v)) {
        double d = v->valuedouble;
        if (isfinite (d) && d == floor (d) && fabs (d) < 1e15) {
            //  the common case (orders, seconds, IDs typed as numbers)
            if (d < 0)
                buf [0] = '-';
            ddc_buf_fmt_u64 ((uint64_t) fabs (d), buf + (d < 0));
        }
        else
            snprintf (buf, 64, "%g", d);
    }
    else if (cJSON_IsBool (v))
        return cJSON_IsTrue (v) ? "true" : "false";
    return buf;
}

static bool
s_bool (const cJSON *obj, const char *key, bool dflt)
{
    const cJSON *v = s_sec_get (obj, key);
    return cJSON_IsBool (v) ? cJSON_IsTrue (v) : dflt;
}

//  ------------------------------------------------------------------------
//  inputs

static void
s_id_name (s_f_t *f, const char *name)
{
    ddc_buf_puts (f->b, " id=\"f-");
    ddc_buf_html (f->b, name);
    ddc_buf_puts (f->b, "\"");
    ddc_buf_attr (f->b, "name", name);
    if (render_has_errors (f->errs, name))
        ddc_buf_puts (f->b, " aria-invalid=\"true\"");
}

//  <input type=type ...> with extra raw attributes (trusted literals) and,
//  for an input in a table cell that its column header names, the header's
//  text as aria-label (aria_key; NULL: the column of the cell s_td opened,
//  or none outside one, where a <label> names it).
static void
s_input_aria (s_f_t *f, const char *name, const char *type, const char *value, const char *extra,
              const char *aria_key)
{
    ddc_buf_puts (f->b, "<input");
    ddc_buf_attr (f->b, "type", type);
    s_id_name (f, name);
    if (value)
        ddc_buf_attr (f->b, "value", value);
    if (extra) {
        ddc_buf_puts (f->b, " ");
        ddc_buf_puts (f->b, extra);
    }
    if (aria_key)
        ddc_buf_attr (f->b, "aria-label", T (f->rc, aria_key));
    else if (f->cell)
        ddc_buf_attr (f->b, "aria-label", f->cell);
    ddc_buf_puts (f->b, ">");
}

static void
s_input (s_f_t *f, const char *name, const char *type, const char *value, const char *extra)
{
    s_input_aria (f, name, type, value, extra, NULL);
}

//  A checkbox in its label; a label in a table cell whose column says it
//  already (sr_label; without a label, the column of the cell s_td opened)
//  is there for assistive technology only.
static void
s_checkbox_label (s_f_t *f, const char *name, const char *value, bool checked, const char *label,
                  bool sr_label)
{
    if (!label && f->cell) {
        label = f->cell;
        sr_label = true;
    }
    ddc_buf_puts (f->b, "<label class=\"check\"><input type=\"checkbox\"");
    s_id_name (f, name);
    ddc_buf_attr (f->b, "value", value);
    if (checked)
        ddc_buf_puts (f->b, " checked");
    ddc_buf_puts (f->b, ">");
    if (label) {
        ddc_buf_puts (f->b, sr_label ? "<span class=\"sr\">" : "<span>");
        ddc_buf_html (f->b, label);
        ddc_buf_puts (f->b, "</span>");
    }
    ddc_buf_puts (f->b, "</label>");
}

static void
s_checkbox (s_f_t *f, const char *name, const char *value, bool checked, const char *label)
{
    s_checkbox_label (f, name, value, checked, label, false);
}

static void
s_select (s_f_t *f, const char *name, const s_opt_t *opts, const char *selected, const char *extra)
{
    ddc_buf_puts (f->b, "<select");
    s_id_name (f, name);
    if (extra) {
        ddc_buf_puts (f->b, " ");
        ddc_buf_puts (f->b, extra);
    }
    if (f->cell)
        ddc_buf_attr (f->b, "aria-label", f->cell);
    ddc_buf_puts (f->b, ">");
    bool found = false;
    for (const s_opt_t *o = opts; o->value; o++) {
        ddc_buf_puts (f->b, "<option");
        ddc_buf_attr (f->b, "value", o->value);
        if (selected && strcmp (selected, o->value) == 0) {
            ddc_buf_puts (f->b, " selected");
            found = true;
        }
        ddc_buf_puts (f->b, ">");
        ddc_buf_html (f->b, o->raw ? o->label : T (f->rc, o->label));
        ddc_buf_puts (f->b, "</option>");
    }
    //  a value not among the options (e.g. refused) stays visible
    if (selected && *selected && !found) {
        ddc_buf_puts (f->b, "<option selected");
        ddc_buf_attr (f->b, "value", selected);
        ddc_buf_puts (f->b, ">");
        ddc_buf_html (f->b, selected);
        ddc_buf_puts (f->b, "</option>");
    }
    ddc_buf_puts (f->b, "</select>");
}

//  A labelled block field: label, the input written by the caller between
//  begin and end, a hint and the field's errors.
static void
s_field_begin (s_f_t *f, const char *name, const char *label_key)
{
    ddc_buf_puts (f->b, "<div class=\"field\"");
    ddc_buf_attr (f->b, "data-field", name);
    ddc_buf_puts (f->b, "><label for=\"f-");
    ddc_buf_html (f->b, name);
    ddc_buf_puts (f->b, "\">");
    ddc_buf_html (f->b, T (f->rc, label_key));
    ddc_buf_puts (f->b, "</label>");
}

static void
s_field_end (s_f_t *f, const char *name, const char *hint_key)
{
    if (hint_key) {
        ddc_buf_puts (f->b, "<p class=\"hint\">");
        ddc_buf_puts (f->b, T (f->rc, hint_key)); //  trusted locale HTML
        ddc_buf_puts (f->b, "</p>");
    }
    render_field_errors (f->b, f->errs, name);
    ddc_buf_puts (f->b, "</div>");
}

//  How s_attrs reads a row.
#define S_AT_TEXT 0u
#define S_AT_NUMBER (1u << 0) //  min, max and step, not a length
//  not marked required although the row is: the page fills it when empty
//  (a task's id) or it is one of a row that may be left empty
#define S_AT_OPTIONAL (1u << 1)

//  The attributes of an input from the ddc_schema row of path in section
//  s, then more (trusted literals): the bounds of a number, the length of
//  text (the longest value the row's format takes), whether it is
//  required. Returns out.
static const char *
s_attrs (char *out, size_t size, ddc_section_t s, const char *path, unsigned how, const char *more)
{
    const ddc_field_t *row = ddc_schema_field (s, path);
    assert (row);
    size_t n = 0;
    int chars = row->input_max > 0 ? row->input_max : row->max;
    out [0] = '\0';
    if (how & S_AT_NUMBER)
        n = (size_t) snprintf (out, size, "min=\"%d\" max=\"%d\" step=\"1\" ", row->min, row->max);
    else if (chars > 0)
        n = (size_t) snprintf (out, size, "maxlength=\"%d\" ", chars);
    if ((row->flags & DDC_F_REQUIRED) && !(how & S_AT_OPTIONAL) && n < size)
        n += (size_t) snprintf (out + n, size - n, "required ");
    if (n < size)
        snprintf (out + n, size - n, "%s", more ? more : "");
    return out;
}

//  A whole-number field of a section's form: "SECTION.KEY" with its label
//  and bounds from its ddc_schema row and its hint h.SECTION.KEY.
static void
s_number (s_f_t *f, const cJSON *v, const char *name)
{
    char section [32], hint [96], extra [160], buf [64];
    const char *key = strchr (name, '.');
    assert (key && (size_t) (key - name) < sizeof (section));
    snprintf (section, sizeof (section), "%.*s", (int) (key - name), name);
    ddc_section_t s = (ddc_section_t) ddc_section_from_name (section);
    const ddc_field_t *row = ddc_schema_field (s, key + 1);
    assert (row);
    snprintf (hint, sizeof (hint), "h.%s", name);
    s_field_begin (f, name, row->label);
    s_input (f, name, "number", s_text (v, key + 1, buf),
             s_attrs (extra, sizeof (extra), s, key + 1, S_AT_NUMBER, "class=\"narrow\""));
    s_field_end (f, name, hint);
}

//  The fields of section s whose ddc_schema rows say DDC_F_FORM: each
//  rendered from its row alone (label, hint h.SECTION.KEY, limits).
static void
s_schema_rows (s_f_t *f, ddc_section_t s, const cJSON *v)
{
    for (const ddc_field_t *row = ddc_schema_section (s)->fields; row->key; row++) {
        if (!(row->flags & DDC_F_FORM))
            continue;
        char name [SCHEMA_NAME_MAX], hint [SCHEMA_NAME_MAX + 8], extra [160], buf [64];
        snprintf (name, sizeof (name), "%s.%s", ddc_section_name (s), row->key);
        snprintf (hint, sizeof (hint), "h.%s", name);
        if (row->type == DDC_T_INT) {
            s_number (f, v, name);
            continue;
        }
        s_field_begin (f, name, row->label);
        if (row->type == DDC_T_BOOL) {
            const cJSON *b = s_sec_get (v, row->key);
            s_checkbox (f, name, "1", cJSON_IsBool (b) ? cJSON_IsTrue (b) : row->def != 0, NULL);
        }
        else
            s_input (f, name, "text", s_text (v, row->key, buf),
                     s_attrs (extra, sizeof (extra), s, row->key, S_AT_TEXT, "autocomplete=\"off\""));
        s_field_end (f, name, hint);
    }
}

//  Start a table cell holding the input name. A row's input
//  "SECTION[i].FIELD..." is in the column whose header is the locale text
//  f.SECTION.FIELD: the cell's data-label (a card's label on a phone) and
//  the accessible name of the inputs in it that have no label of their
//  own, until s_td_end.
static void
s_td (s_f_t *f, const char *name)
{
    const char *open = strchr (name, '[');
    const char *close = open ? strstr (open, "].") : NULL;
    f->cell = NULL;
    if (close) {
        const char *field = close + 2, *dot = strchr (field, '.');
        int sl = (int) (open - name), fl = dot ? (int) (dot - field) : (int) strlen (field);
        char key [96];
        if (snprintf (key, sizeof (key), "f.%.*s.%.*s", sl, name, fl, field) < (int) sizeof (key))
            f->cell = i18n_find (f->rc->i18n, f->rc->lang, key);
    }
    ddc_buf_puts (f->b, "<td");
    ddc_buf_attr (f->b, "data-field", name);
    if (f->cell)
        ddc_buf_attr (f->b, "data-label", f->cell);
    ddc_buf_puts (f->b, ">");
}

static void
s_td_end (s_f_t *f, const char *name)
{
    f->cell = NULL;
    render_field_errors (f->b, f->errs, name);
    ddc_buf_puts (f->b, "</td>");
}

static void
s_th (s_f_t *f, const char *key)
{
    ddc_buf_puts (f->b, "<th scope=\"col\">");
    ddc_buf_html (f->b, T (f->rc, key));
    ddc_buf_puts (f->b, "</th>");
}

static void
s_form_begin (s_f_t *f, ddc_section_t s, const rsection_t *d, size_t rows)
{
    ddc_buf_puts (f->b, "<form method=\"post\" class=\"section-form\"");
    ddc_buf_attr (f->b, "action", s_paths [s]);
    ddc_buf_attr (f->b, "data-section", ddc_section_name (s));
    ddc_buf_puts (f->b, " data-next-index=\"");
    ddc_buf_u64 (f->b, rows);
    ddc_buf_puts (f->b, "\" novalidate>");
    render_csrf (f->b, f->rc);
    ddc_buf_puts (f->b, "<input type=\"hidden\" name=\"rev\" value=\"");
    ddc_buf_u64 (f->b, d->rev);
    ddc_buf_puts (f->b, "\">");
}

static void
s_form_end (s_f_t *f)
{
    ddc_buf_puts (f->b,
                  "<div class=\"actions\"><button type=\"submit\" class=\"primary\" id=\"save\">");
    ddc_buf_html (f->b, T (f->rc, "save.button"));
    ddc_buf_puts (f->b, "</button><span class=\"dirty-hint\" hidden>");
    ddc_buf_html (f->b, T (f->rc, "save.dirty"));
    ddc_buf_puts (f->b, "</span></div></form>");
}

//  Rows of a template (the JS "add" buttons clone them) use the index
//  placeholder "__i__".
#define TPL_INDEX ((size_t) -1)

//  Append s to out[n] holding *len bytes (truncating, always terminated).
static void
s_cat (char *out, size_t n, size_t *len, const char *s)
{
    size_t k = strlen (s);
    if (k > n - 1 - *len)
        k = n - 1 - *len;
    memcpy (out + *len, s, k);
    *len += k;
    out [*len] = '\0';
}

//  "section[i].field" (or "section[i]" without a field) into out[n]: every
//  input of a row has one, so no printf.
static void
s_row_name (char *out, size_t n, const char *section, size_t i, const char *field)
{
    char idx [24] = "__i__";
    if (i != TPL_INDEX)
        ddc_buf_fmt_u64 (i, idx);
    size_t len = 0;
    out [0] = '\0';
    s_cat (out, n, &len, section);
    s_cat (out, n, &len, "[");
    s_cat (out, n, &len, idx);
    s_cat (out, n, &len, field ? "]." : "]");
    if (field)
        s_cat (out, n, &len, field);
}

//  How many rows of the list section s were shown from the configuration
//  (rows 0..n-1): those are never dropped as blank; a new row (a template,
//  a container being added) has a higher index.
static void
s_kept_rows (s_f_t *f, ddc_section_t s, size_t n)
{
    char name [SCHEMA_NAME_MAX];
    snprintf (name, sizeof (name), "%s._kept", ddc_section_name (s));
    ddc_buf_puts (f->b, "<input type=\"hidden\"");
    ddc_buf_attr (f->b, "name", name);
    ddc_buf_puts (f->b, " value=\"");
    ddc_buf_u64 (f->b, n);
    ddc_buf_puts (f->b, "\">");
}

static void
s_remove_cell (s_f_t *f, const char *section, size_t i)
{
    char name [SCHEMA_NAME_MAX];
    s_row_name (name, sizeof (name), section, i, "_delete");
    ddc_buf_puts (f->b, "<td class=\"remove\">");
    s_checkbox (f, name, "1", false, T (f->rc, "row.remove"));
    char whole [SCHEMA_NAME_MAX];
    s_row_name (whole, sizeof (whole), section, i, NULL);
    render_field_errors (f->b, f->errs, whole);
    ddc_buf_puts (f->b, "</td>");
}

static void
s_add_button (s_f_t *f, const char *tpl, const char *label_key)
{
    ddc_buf_puts (f->b, "<p><button type=\"button\" class=\"add-row\"");
    ddc_buf_attr (f->b, "data-template", tpl);
    ddc_buf_puts (f->b, ">");
    ddc_buf_html (f->b, T (f->rc, label_key));
    ddc_buf_puts (f->b, "</button></p>");
}

//  ------------------------------------------------------------------------
//  bot

//  every language of the catalogue, by its own name
static const s_opt_t s_lang_opts [] = {
#define S_LANG_OPT(id, code, name) { code, name, true },
    DDC_I18N_LANGS (S_LANG_OPT)
#undef S_LANG_OPT
        { NULL, NULL, false }
};

static const char *const s_zones [] = { "UTC",
                                        "Europe/Berlin",
                                        "Europe/Vienna",
                                        "Europe/Zurich",
                                        "Europe/London",
                                        "Europe/Paris",
                                        "Europe/Amsterdam",
                                        "Europe/Madrid",
                                        "Europe/Rome",
                                        "Europe/Stockholm",
                                        "Europe/Warsaw",
                                        "Europe/Helsinki",
                                        "Europe/Moscow",
                                        "America/New_York",
                                        "America/Chicago",
                                        "America/Denver",
                                        "America/Los_Angeles",
                                        "America/Toronto",
                                        "America/Sao_Paulo",
                                        "Asia/Tokyo",
                                        "Asia/Shanghai",
                                        "Asia/Kolkata",
                                        "Asia/Singapore",
                                        "Asia/Dubai",
                                        "Australia/Sydney",
                                        "Pacific/Auckland",
                                        "Africa/Johannesburg",
                                        NULL };

static void
s_zone_list (ddc_buf_t *b)
{
    ddc_buf_puts (b, "<datalist id=\"zones\">");
    for (int i = 0; s_zones [i]; i++) {
        ddc_buf_puts (b, "<option");
        ddc_buf_attr (b, "value", s_zones [i]);
        ddc_buf_puts (b, ">");
    }
    ddc_buf_puts (b, "</datalist>");
}

static void
s_bot (s_f_t *f, const rsection_t *d)
{
    char buf [64];
    const cJSON *v = d->value;
    s_form_begin (f, DDC_SEC_BOT, d, 0);
    s_field_begin (f, "bot.token", "f.bot.token");
    s_input (f, "bot.token", "password", "",
             d->secret_set ? "autocomplete=\"off\" data-secret=\"set\""
                           : "autocomplete=\"off\" data-secret=\"empty\"");
    s_field_end (f, "bot.token", d->secret_set ? "h.bot.token_set" : "h.bot.token_empty");

    char attrs [160];
    s_field_begin (f, "bot.guild_id", "f.bot.guild_id");
    s_input (f, "bot.guild_id", "text", s_text (v, "guild_id", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_BOT, "guild_id", S_AT_TEXT,
                      "inputmode=\"numeric\" autocomplete=\"off\""));
    s_field_end (f, "bot.guild_id", "h.bot.guild_id");

    s_field_begin (f, "bot.language", "f.bot.language");
    s_select (f, "bot.language", s_lang_opts, s_text (v, "language", buf), NULL);
    s_field_end (f, "bot.language", "h.bot.language");

    s_field_begin (f, "bot.timezone", "f.bot.timezone");
    s_input (f, "bot.timezone", "text", s_text (v, "timezone", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_BOT, "timezone", S_AT_TEXT,
                      "list=\"zones\" autocomplete=\"off\""));
    s_zone_list (f->b);
    s_field_end (f, "bot.timezone", "h.bot.timezone");
    s_schema_rows (f, DDC_SEC_BOT, v);
    s_form_end (f);
    //  what the bot reports now, without a save first; kept live by the
    //  script like the dashboard's
    if (d->view) {
        ddc_buf_puts (f->b, "<section class=\"panel\" id=\"bot-gateway\"><h2>");
        ddc_buf_html (f->b, T (f->rc, "dash.gateway"));
        ddc_buf_puts (f->b, "</h2><div id=\"view-gateway\">");
        render_view_gateway (f->b, f->rc, d->view);
        ddc_buf_puts (f->b, "</div></section>");
    }
}

//  ------------------------------------------------------------------------
//  containers

static bool
s_has_value (const cJSON *row, const char *key, const char *action, bool dflt)
{
    const cJSON *list = s_sec_get (row, key);
    if (!cJSON_IsArray (list))
        return dflt;
    const cJSON *each;
    cJSON_ArrayForEach (each, list)
        if (cJSON_IsString (each) && strcmp (each->valuestring, action) == 0)
            return true;
    return false;
}

//  A configured or inventory entry by host and name.
typedef struct {
    const char *host, *name;
    const cJSON *item;
} s_hn_t;

static int
s_hn_cmp (const void *a, const void *b)
{
    const s_hn_t *x = a, *y = b;
    int c = strcmp (x->host, y->host);
    return c ? c : strcmp (x->name, y->name);
}

static int
s_key_cmp (const void *a, const void *b)
{
    return strcmp ((*(const cJSON *const *) a)->string, (*(const cJSON *const *) b)->string);
}

//  What the containers table looks up for each row, indexed once per page:
//  the configured entries and the agents' inventory by host and name, and
//  the states of the agents' status reports by "host/name".
typedef struct {
    s_hn_t *conf, *inv;
    size_t nconf, ninv;
    const cJSON **states;
    size_t nstates;
} s_cidx_t;

//  The items of list with a string "host" and "name", sorted (caller frees).
static s_hn_t *
s_hn_index (const cJSON *list, size_t *n_p)
{
    size_t cap = (size_t) cJSON_GetArraySize (list), n = 0;
    s_hn_t *idx = ddc_malloc ((cap ? cap : 1) * sizeof (*idx));
    const cJSON *each;
    cJSON_ArrayForEach (each, list) {
        const char *h = cJSON_GetStringValue (s_sec_get (each, "host"));
        const char *nm = cJSON_GetStringValue (s_sec_get (each, "name"));
        if (h && nm && n < cap)
            idx [n++] = (s_hn_t){ h, nm, each };
    }
    qsort (idx, n, sizeof (*idx), s_hn_cmp);
    *n_p = n;
    return idx;
}

static void
s_cidx_build (s_cidx_t *x, const rsection_t *d)
{
    x->conf = s_hn_index (d->value, &x->nconf);
    x->inv = s_hn_index (d->inventory, &x->ninv);
    size_t cap = (size_t) cJSON_GetArraySize (d->states);
    x->states = ddc_malloc ((cap ? cap : 1) * sizeof (*x->states));
    x->nstates = 0;
    const cJSON *each;
    cJSON_ArrayForEach (each, d->states)
        if (each->string && cJSON_IsString (each) && x->nstates < cap)
            x->states [x->nstates++] = each;
    qsort (x->states, x->nstates, sizeof (*x->states), s_key_cmp);
}

static void
s_cidx_free (s_cidx_t *x)
{
    free (x->conf);
    free (x->inv);
    free (x->states);
}

static const cJSON *
s_hn_find (const s_hn_t *idx, size_t n, const char *host, const char *name)
{
    s_hn_t key = { host, name, NULL };
    const s_hn_t *hit = n ? bsearch (&key, idx, n, sizeof (*idx), s_hn_cmp) : NULL;
    return hit ? hit->item : NULL;
}

//  The state of host/name: the agent's live status report, else its
//  inventory (which also lists the containers nobody configured); NULL
//  when neither knows it.
static const char *
s_cidx_state (const s_cidx_t *x, const char *host, const char *name)
{
    char key [256];
    size_t hl = strlen (host), nl = strlen (name);
    if (hl + 1 + nl < sizeof (key) && x->nstates) {
        memcpy (key, host, hl);
        key [hl] = '/';
        memcpy (key + hl + 1, name, nl + 1);
        cJSON probe = { .string = key };
        const cJSON *pp = &probe;
        const cJSON *const *hit =
            bsearch (&pp, x->states, x->nstates, sizeof (*x->states), s_key_cmp);
        if (hit)
            return (*hit)->valuestring;
    }
    return cJSON_GetStringValue (s_sec_get (s_hn_find (x->inv, x->ninv, host, name), "state"));
}

//  The strings of list joined with ", " into out[size] (numbers typed in a
//  refused save are shown as they are).
static void
s_id_list (const cJSON *list, char *out, size_t size)
{
    size_t len = 0;
    out [0] = '\0';
    const cJSON *each;
    cJSON_ArrayForEach (each, list) {
        char buf [64];
        const char *text = cJSON_IsString (each) ? each->valuestring
                           : cJSON_IsNumber (each)
                               ? (snprintf (buf, sizeof (buf), "%.0f", each->valuedouble), buf)
                               : "";
        if (len)
            s_cat (out, size, &len, ", ");
        s_cat (out, size, &len, text);
    }
}

//  <td> with the live state of host/name: data-state keeps the raw value
//  (styles, script, tests); the script updates it by data-container. With
//  the action controls of the configured entry row when not NULL.
static void
s_state_cell (s_f_t *f, const char *host, const char *cname, const char *state, const cJSON *row)
{
    render_td (f->b, f->rc, "f.containers.state", NULL);
    ddc_buf_puts (f->b, "<span class=\"state\"");
    if (host && cname) {
        ddc_buf_puts (f->b, " data-container=\"");
        ddc_buf_html (f->b, host);
        ddc_buf_puts (f->b, "/");
        ddc_buf_html (f->b, cname);
        ddc_buf_puts (f->b, "\"");
    }
    ddc_buf_attr (f->b, "data-state", state ? state : "unknown");
    ddc_buf_puts (f->b, ">");
    ddc_buf_html (f->b, state ? render_state_text (f->rc, "state.", state) : "\xE2\x80\x94");
    ddc_buf_puts (f->b, "</span>");
    if (row)
        render_container_controls (f->b, f->rc, host, cname, s_sec_get (row, "allowed_actions"));
    ddc_buf_puts (f->b, "</td>");
}

//  A checkbox of a list input (name=value) in its label (a locale key).
static void
s_value_check (s_f_t *f, const char *name, const char *value, const char *label_key, bool checked)
{
    ddc_buf_puts (f->b, "<label class=\"check\"><input type=\"checkbox\"");
    ddc_buf_attr (f->b, "name", name);
    ddc_buf_attr (f->b, "value", value);
    if (checked)
        ddc_buf_puts (f->b, " checked");
    ddc_buf_puts (f->b, "><span>");
    ddc_buf_html (f->b, T (f->rc, label_key));
    ddc_buf_puts (f->b, "</span></label>");
}

//  The checkbox of action a of row (an "allowed_actions" input named name)
//  in its label; ids gets the Discord roles allowed to do it, rn the name
//  of their input.
static void
s_action_check (s_f_t *f, const char *name, const cJSON *row, int a, size_t i,
                char rn [SCHEMA_NAME_MAX], char ids [1024])
{
    char key [48] = "action.";
    ddc_strlcpy (key + 7, schema_actions [a], sizeof (key) - 7);
    bool dflt = strcmp (schema_actions [a], "logs") != 0;
    s_value_check (f, name, schema_actions [a], key,
                   s_has_value (row, "allowed_actions", schema_actions [a], dflt));
    char rk [32] = "roles.";
    ddc_strlcpy (rk + 6, schema_actions [a], sizeof (rk) - 6);
    s_row_name (rn, SCHEMA_NAME_MAX, "containers", i, rk);
    s_id_list (s_sec_get (s_sec_get (row, "roles"), schema_actions [a]), ids, 1024);
}

//  One row of the configured containers' table: row is a configured (or
//  submitted) entry, NULL for an empty template row; manual rows (typed
//  in) have editable host and name inputs. hidden: not among the search's
//  matches (still part of the form, so still saved).
static void
s_container_row (s_f_t *f, size_t i, const cJSON *row, const char *host, const char *cname,
                 const char *image, const char *state, bool manual, bool hidden)
{
    char name [SCHEMA_NAME_MAX], buf [64];
    const char *sec = "containers";
    ddc_buf_puts (f->b, hidden ? "<tr hidden>" : "<tr>");

    s_row_name (name, sizeof (name), sec, i, "active");
    s_td (f, name);
    s_checkbox_label (f, name, "1", s_bool (row, "active", true), T (f->rc, "f.containers.active"),
                      true);
    s_td_end (f, name);

    //  host and name: fixed for known rows, typed for manual rows
    const char *fields [2] = { "host", "name" };
    const char *vals [2] = { host, cname };
    char attrs [160];
    for (int k = 0; k < 2; k++) {
        s_row_name (name, sizeof (name), sec, i, fields [k]);
        s_td (f, name);
        if (manual)
            s_input_aria (f, name, "text", vals [k] ? vals [k] : "",
                          s_attrs (attrs, sizeof (attrs), DDC_SEC_CONTAINERS, fields [k],
                                   S_AT_OPTIONAL,
                                   k == 0 ? "autocomplete=\"off\" size=\"8\""
                                          : "autocomplete=\"off\" size=\"14\""),
                          k == 0 ? "f.containers.host" : "f.containers.name");
        else {
            ddc_buf_puts (f->b, "<input type=\"hidden\"");
            ddc_buf_attr (f->b, "name", name);
            ddc_buf_attr (f->b, "value", vals [k] ? vals [k] : "");
            ddc_buf_puts (f->b, "><span class=\"mono\">");
            ddc_buf_html (f->b, vals [k]);
            ddc_buf_puts (f->b, "</span>");
            if (k == 1 && image && *image) {
                ddc_buf_puts (f->b, "<br><small class=\"muted\">");
                ddc_buf_html (f->b, image);
                ddc_buf_puts (f->b, "</small>");
            }
        }
        s_td_end (f, name);
    }

    //  with the controls of a configured, active container
    s_state_cell (f, host, cname, state,
                  row && !manual && host && *host && cname && *cname && s_bool (row, "active", true)
                      ? row
                      : NULL);

    s_row_name (name, sizeof (name), sec, i, "display_name");
    s_td (f, name);
    s_input_aria (f, name, "text", s_text (row, "display_name", buf),
                  s_attrs (attrs, sizeof (attrs), DDC_SEC_CONTAINERS, "display_name", S_AT_TEXT,
                           "size=\"18\""),
                  "f.containers.display_name");
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "order");
    s_td (f, name);
    s_input_aria (f, name, "number", s_text (row, "order", buf),
                  s_attrs (attrs, sizeof (attrs), DDC_SEC_CONTAINERS, "order", S_AT_NUMBER,
                           "class=\"narrow\""),
                  "f.containers.order");
    s_td_end (f, name);

    //  each action: its checkbox and the Discord roles allowed to do it
    s_row_name (name, sizeof (name), sec, i, "allowed_actions");
    s_td (f, name);
    ddc_buf_puts (f->b, "<div class=\"checks roles\">");
    //  room for as many role ids as an action may have, each with a few
    //  separating characters (", ")
    int ids_chars = ddc_schema_field (DDC_SEC_CONTAINERS, "roles")->max * (DDC_SNOWFLAKE_MAX + 4);
    for (int a = 0; schema_actions [a]; a++) {
        char rn [SCHEMA_NAME_MAX], ids [1024], key [48] = "action.";
        ddc_strlcpy (key + 7, schema_actions [a], sizeof (key) - 7);
        ddc_buf_puts (f->b, "<div class=\"action-roles\">");
        s_action_check (f, name, row, a, i, rn, ids);
        ddc_buf_printf (f->b,
                        "<input type=\"text\" class=\"role-ids\" autocomplete=\"off\" "
                        "maxlength=\"%d\" inputmode=\"numeric\"",
                        ids_chars);
        s_id_name (f, rn);
        ddc_buf_attr (f->b, "value", ids);
        ddc_buf_attr (f->b, "placeholder", T (f->rc, "f.containers.role_ids"));
        const char *args [] = { T (f->rc, key) };
        ddc_buf_puts (f->b, " aria-label=\"");
        ddc_buf_tmpl (f->b, T (f->rc, "f.containers.roles_for"), 1, args);
        ddc_buf_puts (f->b, "\">");
        render_field_errors (f->b, f->errs, rn);
        ddc_buf_puts (f->b, "</div>");
    }
    ddc_buf_puts (f->b, "</div>");
    //  a configured container without any action is a status-only one:
    //  said, not left to be guessed from the empty checkboxes
    const cJSON *actions = s_sec_get (row, "allowed_actions");
    if (cJSON_IsArray (actions) && cJSON_GetArraySize (actions) == 0) {
        ddc_buf_puts (f->b, "<p class=\"hint status-only\">");
        ddc_buf_html (f->b, T (f->rc, "f.containers.status_only"));
        ddc_buf_puts (f->b, "</p>");
    }
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "alerts");
    s_td (f, name);
    ddc_buf_puts (f->b, "<div class=\"checks\">");
    for (int a = 0; schema_alert_kinds [a]; a++) {
        char key [48] = "alert.";
        ddc_strlcpy (key + 6, schema_alert_kinds [a], sizeof (key) - 6);
        s_value_check (f, name, schema_alert_kinds [a], key,
                       s_has_value (row, "alerts", schema_alert_kinds [a], true));
    }
    ddc_buf_puts (f->b, "</div>");
    s_td_end (f, name);

    const cJSON *info = s_sec_get (row, "info");
    s_row_name (name, sizeof (name), sec, i, "info.enabled");
    s_td (f, name);
    s_checkbox (f, name, "1", s_bool (info, "enabled", false),
                T (f->rc, "f.containers.info_enabled"));
    render_field_errors (f->b, f->errs, name);
    s_row_name (name, sizeof (name), sec, i, "info.text");
    ddc_buf_printf (f->b, "<textarea rows=\"2\" cols=\"24\" maxlength=\"%d\"",
                    ddc_schema_field (DDC_SEC_CONTAINERS, "info.text")->max);
    s_id_name (f, name);
    ddc_buf_attr (f->b, "aria-label", T (f->rc, "f.containers.info"));
    ddc_buf_puts (f->b, ">");
    ddc_buf_html (f->b, s_text (info, "text", buf));
    ddc_buf_puts (f->b, "</textarea>");
    s_td_end (f, name);

    s_remove_cell (f, sec, i);
    ddc_buf_puts (f->b, "</tr>");
}

//  A hidden input name=value.
static void
s_hidden (s_f_t *f, const char *name, const char *value)
{
    ddc_buf_puts (f->b, "<input type=\"hidden\"");
    ddc_buf_attr (f->b, "name", name);
    ddc_buf_attr (f->b, "value", value);
    ddc_buf_puts (f->b, ">");
}

//  A configured row of a long list, compact: the inputs edited most
//  (active, display name, order, allowed actions, remove) as in the full
//  row, the rest (roles, alerts, info) carried as hidden inputs with their
//  values, so that the form still saves the whole section, and a link that
//  searches for the container, which shows its whole row.
static void
s_container_row_compact (s_f_t *f, size_t i, const cJSON *row, const char *host, const char *cname,
                         const char *state, bool hidden)
{
    char name [SCHEMA_NAME_MAX], buf [64];
    const char *sec = "containers";
    ddc_buf_puts (f->b, hidden ? "<tr class=\"compact\" hidden>" : "<tr class=\"compact\">");
    render_td (f->b, f->rc, "f.containers.active", NULL);
    s_row_name (name, sizeof (name), sec, i, "active");
    ddc_buf_puts (f->b, "<label class=\"check\"><input type=\"checkbox\"");
    ddc_buf_attr (f->b, "name", name);
    ddc_buf_puts (f->b, s_bool (row, "active", true) ? " value=\"1\" checked><span class=\"sr\">"
                                                     : " value=\"1\"><span class=\"sr\">");
    ddc_buf_html (f->b, T (f->rc, "f.containers.active"));
    ddc_buf_puts (f->b, "</span></label></td>");
    const char *fields [2] = { "host", "name" };
    const char *vals [2] = { host, cname };
    for (int k = 0; k < 2; k++) {
        s_row_name (name, sizeof (name), sec, i, fields [k]);
        render_td (f->b, f->rc, k == 0 ? "f.containers.host" : "f.containers.name", NULL);
        s_hidden (f, name, vals [k]);
        ddc_buf_puts (f->b, "<span class=\"mono\">");
        ddc_buf_html (f->b, vals [k]);
        ddc_buf_puts (f->b, "</span></td>");
    }
    s_state_cell (f, host, cname, state, NULL);
    //  display name and order: no id (a label names them, no error here)
    static const struct {
        const char *field, *attrs;
        unsigned how;
    } inputs [] = {
        { "display_name", "size=\"14\"", S_AT_TEXT },
        { "order", "type=\"number\" class=\"narrow\"", S_AT_NUMBER },
    };
    for (size_t k = 0; k < 2; k++) {
        char key [48] = "f.containers.", attrs [160];
        ddc_strlcpy (key + 13, inputs [k].field, sizeof (key) - 13);
        s_row_name (name, sizeof (name), sec, i, inputs [k].field);
        render_td (f->b, f->rc, key, NULL);
        ddc_buf_puts (f->b, "<input ");
        ddc_buf_puts (f->b, s_attrs (attrs, sizeof (attrs), DDC_SEC_CONTAINERS, inputs [k].field,
                                     inputs [k].how, inputs [k].attrs));
        ddc_buf_attr (f->b, "name", name);
        ddc_buf_attr (f->b, "value", s_text (row, inputs [k].field, buf));
        ddc_buf_attr (f->b, "aria-label", T (f->rc, key));
        ddc_buf_puts (f->b, "></td>");
    }
    ddc_buf_puts (f->b, "<td>"); //  its checkboxes say it
    s_row_name (name, sizeof (name), sec, i, "allowed_actions");
    for (int a = 0; schema_actions [a]; a++) {
        char rn [SCHEMA_NAME_MAX], ids [1024];
        s_action_check (f, name, row, a, i, rn, ids);
        if (*ids)
            s_hidden (f, rn, ids);
    }
    ddc_buf_puts (f->b, "</td><td colspan=\"2\"><small>");
    s_row_name (name, sizeof (name), sec, i, "alerts");
    const char *sep = "";
    for (int a = 0; schema_alert_kinds [a]; a++) {
        if (!s_has_value (row, "alerts", schema_alert_kinds [a], true))
            continue;
        char key [48] = "alert.";
        ddc_strlcpy (key + 6, schema_alert_kinds [a], sizeof (key) - 6);
        s_hidden (f, name, schema_alert_kinds [a]);
        ddc_buf_puts (f->b, sep);
        ddc_buf_html (f->b, T (f->rc, key));
        sep = ", ";
    }
    const cJSON *info = s_sec_get (row, "info");
    const char *text = s_text (info, "text", buf);
    if (s_bool (info, "enabled", false)) {
        s_row_name (name, sizeof (name), sec, i, "info.enabled");
        s_hidden (f, name, "1");
        ddc_buf_puts (f->b, sep);
        ddc_buf_html (f->b, T (f->rc, "f.containers.info"));
    }
    if (s_sec_get (info, "text")) { //  "" as well: saved as it was
        s_row_name (name, sizeof (name), sec, i, "info.text");
        s_hidden (f, name, text);
    }
    ddc_buf_puts (f->b, "</small> <a href=\"/containers?q=");
    ddc_buf_url (f->b, cname);
    ddc_buf_puts (f->b, "+");
    ddc_buf_url (f->b, host);
    ddc_buf_puts (f->b, "#configured\"");
    const char *args [] = { cname, host };
    ddc_buf_puts (f->b, " aria-label=\"");
    ddc_buf_tmpl (f->b, T (f->rc, "containers.edit_label"), 2, args);
    ddc_buf_puts (f->b, "\">");
    ddc_buf_html (f->b, T (f->rc, "containers.edit"));
    ddc_buf_puts (f->b, "</a></td><td class=\"remove\">");
    s_row_name (name, sizeof (name), sec, i, "_delete");
    ddc_buf_puts (f->b, "<label class=\"check\"><input type=\"checkbox\"");
    ddc_buf_attr (f->b, "name", name);
    ddc_buf_puts (f->b, " value=\"1\"><span>");
    ddc_buf_html (f->b, T (f->rc, "row.remove"));
    ddc_buf_puts (f->b, "</span></label></td></tr>");
}

static void
s_containers_head (s_f_t *f)
{
    ddc_buf_puts (f->b, "<thead><tr>");
    s_th (f, "f.containers.active");
    s_th (f, "f.containers.host");
    s_th (f, "f.containers.name");
    s_th (f, "f.containers.state");
    s_th (f, "f.containers.display_name");
    s_th (f, "f.containers.order");
    s_th (f, "f.containers.allowed_actions");
    s_th (f, "f.containers.alerts");
    s_th (f, "f.containers.info");
    s_th (f, "row.remove_head");
    ddc_buf_puts (f->b, "</tr></thead>");
}

//  At most this many configured rows are shown whole.
#define S_FULL_ROWS 50

//  The search's words (at most S_TERMS, each pointing into the query).
#define S_TERMS 8
typedef struct {
    const char *at [S_TERMS];
    size_t len [S_TERMS];
    size_t n;
} s_terms_t;

static void
s_terms (s_terms_t *t, const char *query)
{
    t->n = 0;
    for (const char *p = query ? query : ""; *p && t->n < S_TERMS;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (p > start) {
            t->at [t->n] = start;
            t->len [t->n++] = (size_t) (p - start);
        }
    }
}

static char
s_lower (char c)
{
    return c >= 'A' && c <= 'Z' ? (char) (c - 'A' + 'a') : c;
}

//  needle[len] in hay, ASCII letters in any case.
static bool
s_icontains (const char *hay, const char *needle, size_t len)
{
    if (!hay)
        return false;
    for (; *hay; hay++) {
        size_t k = 0;
        while (k < len && hay [k] && s_lower (hay [k]) == s_lower (needle [k]))
            k++;
        if (k == len)
            return true;
    }
    return false;
}

//  Every word of the search is in one of the texts (NULLs allowed).
static bool
s_matches (const s_terms_t *t, const char *const texts [], size_t ntexts)
{
    for (size_t w = 0; w < t->n; w++) {
        bool hit = false;
        for (size_t k = 0; k < ntexts && !hit; k++)
            hit = s_icontains (texts [k], t->at [w], t->len [w]);
        if (!hit)
            return false;
    }
    return true;
}

//  The inventory's entries no configured row names.
static bool
s_discovered_at (const s_cidx_t *x, size_t k)
{
    return !s_hn_find (x->conf, x->nconf, x->inv [k].host, x->inv [k].name);
}

//  The state shown for an inventory entry.
static const char *
s_inv_state (const s_cidx_t *x, size_t k)
{
    return s_cidx_state (x, x->inv [k].host, x->inv [k].name);
}

static bool
s_inv_matches (const s_cidx_t *x, size_t k, const s_terms_t *t)
{
    const cJSON *it = x->inv [k].item;
    const char *texts [] = { x->inv [k].host, x->inv [k].name, s_inv_state (x, k),
                             cJSON_GetStringValue (s_sec_get (it, "image")) };
    return s_matches (t, texts, 4);
}

//  /containers?q=…&page=N (page 0: none), escaped for an attribute.
static void
s_containers_href (s_f_t *f, const char *query, size_t page, const char *fragment)
{
    ddc_buf_puts (f->b, " href=\"/containers");
    const char *sep = "?";
    if (query && *query) {
        ddc_buf_puts (f->b, "?q=");
        ddc_buf_url (f->b, query);
        sep = "&amp;";
    }
    if (page > 1) {
        ddc_buf_puts (f->b, sep);
        ddc_buf_puts (f->b, "page=");
        ddc_buf_u64 (f->b, page);
    }
    if (fragment)
        ddc_buf_puts (f->b, fragment);
    ddc_buf_puts (f->b, "\"");
}

static void
s_pager_link (s_f_t *f, const char *query, size_t page, const char *rel, const char *key)
{
    ddc_buf_puts (f->b, "<a");
    s_containers_href (f, query, page, "#discovered");
    ddc_buf_puts (f->b, " data-page=\"");
    ddc_buf_u64 (f->b, page);
    ddc_buf_puts (f->b, "\" rel=\"");
    ddc_buf_puts (f->b, rel);
    ddc_buf_puts (f->b, "\">");
    ddc_buf_html (f->b, T (f->rc, key));
    ddc_buf_puts (f->b, "</a> ");
}

//  The discovered containers: a compact table of the search's matches, a
//  page at a time, each with an "add" link (/containers?add=host/name; the
//  script adds the row in place instead).
static void
s_discovered (s_f_t *f, const rsection_t *d, const s_cidx_t *x)
{
    s_terms_t t;
    s_terms (&t, d->query);
    size_t total = 0, matched = 0;
    for (size_t k = 0; k < x->ninv; k++)
        if (s_discovered_at (x, k)) {
            total++;
            matched += s_inv_matches (x, k, &t);
        }
    size_t per = RENDER_DISCOVERED_PAGE;
    size_t pages = matched ? (matched + per - 1) / per : 1;
    size_t page = d->page < 1 ? 1 : d->page > pages ? pages : d->page;
    size_t first = (page - 1) * per;

    ddc_buf_puts (f->b, "<section id=\"discovered\" aria-labelledby=\"discovered-title\""
                        " data-total=\"");
    ddc_buf_u64 (f->b, total);
    ddc_buf_puts (f->b, "\" data-matched=\"");
    ddc_buf_u64 (f->b, matched);
    ddc_buf_puts (f->b, "\" data-page=\"");
    ddc_buf_u64 (f->b, page);
    ddc_buf_puts (f->b, "\"><h2 id=\"discovered-title\">");
    ddc_buf_html (f->b, T (f->rc, "containers.discovered"));
    ddc_buf_puts (f->b, " <small class=\"muted\">(");
    ddc_buf_u64 (f->b, total);
    ddc_buf_puts (f->b, ")</small></h2>");
    if (total == 0) {
        ddc_buf_puts (f->b, "<p class=\"muted\" id=\"discovered-empty\">");
        ddc_buf_html (f->b, T (f->rc, "h.containers.discovered_none"));
        ddc_buf_puts (f->b, "</p></section>");
        return;
    }
    ddc_buf_puts (f->b, "<p class=\"hint\">");
    ddc_buf_html (f->b, T (f->rc, "h.containers.discovered"));
    ddc_buf_puts (f->b, "</p>");
    if (matched == 0) {
        ddc_buf_puts (f->b, "<p class=\"muted\" id=\"discovered-nomatch\">");
        const char *args [] = { d->query ? d->query : "" };
        ddc_buf_tmpl (f->b, T (f->rc, "containers.no_match"), 1, args);
        ddc_buf_puts (f->b, "</p></section>");
        return;
    }
    ddc_buf_puts (f->b,
                  "<div class=\"table-wrap\"><table class=\"rows compact\" id=\"discovered-table\">"
                  "<thead><tr>");
    s_th (f, "f.containers.name");
    s_th (f, "f.containers.host");
    s_th (f, "f.containers.image");
    s_th (f, "f.containers.state");
    ddc_buf_puts (f->b, "<th scope=\"col\"><span class=\"sr\">");
    ddc_buf_html (f->b, T (f->rc, "containers.add"));
    ddc_buf_puts (f->b, "</span></th></tr></thead><tbody>");
    size_t seen = 0;
    for (size_t k = 0; k < x->ninv && seen < first + per; k++) {
        if (!s_discovered_at (x, k) || !s_inv_matches (x, k, &t) || seen++ < first)
            continue;
        const char *h = x->inv [k].host, *nm = x->inv [k].name;
        const cJSON *it = x->inv [k].item;
        const char *state = s_inv_state (x, k);
        ddc_buf_puts (f->b, "<tr class=\"discovered\"><td><span class=\"mono\">");
        ddc_buf_html (f->b, nm);
        ddc_buf_puts (f->b, "</span></td>");
        render_td (f->b, f->rc, "f.containers.host", "mono");
        ddc_buf_html (f->b, h);
        const cJSON *agents = s_sec_get (it, "agents");
        if (cJSON_IsNumber (agents) && agents->valuedouble > 1) {
            char cnt [24];
            ddc_buf_fmt_u64 ((uint64_t) agents->valuedouble, cnt);
            const char *args [] = { cnt };
            ddc_buf_puts (f->b, " <small class=\"muted\">");
            ddc_buf_tmpl (f->b, T (f->rc, "containers.agents"), 1, args);
            ddc_buf_puts (f->b, "</small>");
        }
        ddc_buf_puts (f->b, "</td>");
        render_td (f->b, f->rc, "f.containers.image", NULL);
        ddc_buf_puts (f->b, "<small class=\"muted\">");
        ddc_buf_html (f->b, cJSON_GetStringValue (s_sec_get (it, "image")));
        ddc_buf_puts (f->b, "</small></td>");
        s_state_cell (f, h, nm, state, NULL);
        ddc_buf_puts (f->b, "<td><a class=\"add\" href=\"/containers?add=");
        ddc_buf_url (f->b, h);
        ddc_buf_puts (f->b, "%2F");
        ddc_buf_url (f->b, nm);
        ddc_buf_puts (f->b, "#configured\"");
        ddc_buf_attr (f->b, "data-host", h);
        ddc_buf_attr (f->b, "data-name", nm);
        const char *args [] = { nm, h };
        ddc_buf_puts (f->b, " aria-label=\"");
        ddc_buf_tmpl (f->b, T (f->rc, "containers.add_label"), 2, args);
        ddc_buf_puts (f->b, "\">");
        ddc_buf_html (f->b, T (f->rc, "containers.add"));
        ddc_buf_puts (f->b, "</a></td></tr>");
    }
    ddc_buf_puts (f->b, "</tbody></table></div>");
    if (pages > 1) {
        ddc_buf_puts (f->b, "<nav class=\"pager\"");
        ddc_buf_attr (f->b, "aria-label", T (f->rc, "containers.pages"));
        ddc_buf_puts (f->b, ">");
        if (page > 1) {
            s_pager_link (f, d->query, 1, "first", "containers.first");
            s_pager_link (f, d->query, page - 1, "prev", "containers.prev");
        }
        char a0 [24], a1 [24], a2 [24], a3 [24];
        ddc_buf_fmt_u64 (first + 1, a0);
        ddc_buf_fmt_u64 (first + seen - first, a1);
        ddc_buf_fmt_u64 (matched, a2);
        ddc_buf_fmt_u64 (page, a3);
        const char *args [] = { a0, a1, a2, a3 };
        ddc_buf_puts (f->b, "<span class=\"muted\">");
        ddc_buf_tmpl (f->b, T (f->rc, "containers.range"), 4, args);
        ddc_buf_puts (f->b, "</span> ");
        if (page < pages) {
            s_pager_link (f, d->query, page + 1, "next", "containers.next");
            s_pager_link (f, d->query, pages, "last", "containers.last");
        }
        ddc_buf_puts (f->b, "</nav>");
    }
    ddc_buf_puts (f->b, "</section>");
}

//  The search box: a GET form (works without the script, which filters as
//  you type instead).
static void
s_search (s_f_t *f, const rsection_t *d)
{
    ddc_buf_puts (f->b,
                  "<form method=\"get\" action=\"/containers\" role=\"search\" class=\"search\" "
                  "id=\"containers-search\"><label for=\"containers-q\">");
    ddc_buf_html (f->b, T (f->rc, "containers.search"));
    ddc_buf_puts (f->b,
                  "</label> <input type=\"search\" id=\"containers-q\" name=\"q\" maxlength=\"100\""
                  " autocomplete=\"off\"");
    ddc_buf_attr (f->b, "value", d->query ? d->query : "");
    ddc_buf_attr (f->b, "placeholder", T (f->rc, "containers.search_hint"));
    ddc_buf_puts (f->b, "> <button type=\"submit\">");
    ddc_buf_html (f->b, T (f->rc, "containers.search_button"));
    ddc_buf_puts (f->b, "</button>");
    if (d->query && *d->query) {
        ddc_buf_puts (f->b, " <a href=\"/containers\" id=\"containers-q-clear\">");
        ddc_buf_html (f->b, T (f->rc, "containers.search_clear"));
        ddc_buf_puts (f->b, "</a>");
    }
    ddc_buf_puts (f->b, "</form>");
}

static void
s_containers (s_f_t *f, const rsection_t *d)
{
    s_cidx_t x;
    s_cidx_build (&x, d);
    s_terms_t t;
    s_terms (&t, d->query);
    size_t n = 0;
    const cJSON *each;
    //  a discovered container to add (?add=host/name) when not configured
    char add_host [128] = "", add_name [256] = "";
    const char *slash = d->add ? strchr (d->add, '/') : NULL;
    if (slash && (size_t) (slash - d->add) < sizeof (add_host) && slash > d->add && slash [1]) {
        memcpy (add_host, d->add, (size_t) (slash - d->add));
        add_host [slash - d->add] = '\0';
        ddc_strlcpy (add_name, slash + 1, sizeof (add_name));
        if (s_hn_find (x.conf, x.nconf, add_host, add_name))
            add_host [0] = '\0';
    }
    size_t nconf = (size_t) cJSON_GetArraySize (d->value);
    //  which configured rows the search shows (the others stay in the
    //  form, hidden, so that it saves the whole section)
    bool *shown = ddc_malloc ((nconf ? nconf : 1) * sizeof (*shown));
    size_t nshown = 0, k = 0;
    cJSON_ArrayForEach (each, d->value) {
        char hb [64], nb [64], db [64];
        const char *h = s_text (each, "host", hb);
        const char *nm = s_text (each, "name", nb);
        const cJSON *inv = s_hn_find (x.inv, x.ninv, h, nm);
        const char *texts [] = { h, nm, s_cidx_state (&x, h, nm),
                                 cJSON_GetStringValue (s_sec_get (inv, "image")),
                                 s_text (each, "display_name", db) };
        shown [k] = s_matches (&t, texts, 5);
        nshown += shown [k++];
    }
    //  a long list: the rows the search hides are compact, and the ones it
    //  shows too while they are more than S_FULL_ROWS
    bool compact_all = nshown > S_FULL_ROWS, compact_hidden = nconf > S_FULL_ROWS;
    s_search (f, d);
    s_form_begin (f, DDC_SEC_CONTAINERS, d, nconf + (add_host [0] != '\0'));
    s_kept_rows (f, DDC_SEC_CONTAINERS, nconf);
    ddc_buf_puts (f->b, "<h2 id=\"configured\">");
    ddc_buf_html (f->b, T (f->rc, "containers.configured"));
    ddc_buf_puts (f->b, " <small class=\"muted\">(");
    ddc_buf_u64 (f->b, nconf);
    ddc_buf_puts (f->b, ")</small></h2><p class=\"intro\">");
    ddc_buf_puts (f->b, T (f->rc, "h.containers.intro"));
    ddc_buf_puts (f->b,
                  "</p><div class=\"table-wrap\"><table class=\"rows\" id=\"containers-table\">");
    s_containers_head (f);
    ddc_buf_puts (f->b, "<tbody data-rows=\"containers\">");
    cJSON_ArrayForEach (each, d->value) {
        char hb [64], nb [64];
        const char *h = s_text (each, "host", hb);
        const char *nm = s_text (each, "name", nb);
        char host [256], cname [256];
        ddc_strlcpy (host, h, sizeof (host));
        ddc_strlcpy (cname, nm, sizeof (cname));
        const cJSON *inv = s_hn_find (x.inv, x.ninv, host, cname);
        const char *image = cJSON_GetStringValue (s_sec_get (inv, "image"));
        const char *state = s_cidx_state (&x, host, cname);
        char prefix [SCHEMA_NAME_MAX];
        s_row_name (prefix, sizeof (prefix), "containers", n, NULL);
        bool compact = shown [n] ? compact_all : compact_hidden;
        if (compact && *host && *cname && !render_has_errors_under (f->errs, prefix)) {
            s_container_row_compact (f, n, each, host, cname, state, !shown [n]);
            n++;
        }
        else {
            s_container_row (f, n, each, host, cname, image, state, !*host || !*cname, !shown [n]);
            n++;
        }
    }
    free (shown);
    if (add_host [0]) {
        cJSON *row = cJSON_CreateObject ();
        cJSON_AddStringToObject (row, "host", add_host);
        cJSON_AddStringToObject (row, "name", add_name);
        cJSON_AddStringToObject (row, "display_name", add_name);
        const cJSON *inv = s_hn_find (x.inv, x.ninv, add_host, add_name);
        s_container_row (f, n++, row, add_host, add_name,
                         cJSON_GetStringValue (s_sec_get (inv, "image")),
                         s_cidx_state (&x, add_host, add_name), false, false);
        cJSON_Delete (row);
    }
    ddc_buf_puts (f->b, "</tbody></table></div>");
    if (n == 0) {
        ddc_buf_puts (f->b, "<p class=\"muted\" id=\"containers-empty\">");
        ddc_buf_html (f->b, T (f->rc, "h.containers.none"));
        ddc_buf_puts (f->b, "</p>");
    }
    s_add_button (f, "tpl-containers", "row.add_container");
    ddc_buf_puts (f->b, "<template id=\"tpl-containers\"><table><tbody>");
    s_container_row (f, TPL_INDEX, NULL, "", "", NULL, NULL, true, false);
    ddc_buf_puts (f->b, "</tbody></table></template>");
    s_form_end (f);
    render_container_action_form (f->b, f->rc);
    s_discovered (f, d, &x);
    s_cidx_free (&x);
}

void
render_discovered (ddc_buf_t *b, const rctx_t *rc, const rsection_t *d)
{
    s_f_t f = { b, rc, NULL };
    s_cidx_t x;
    s_cidx_build (&x, d);
    s_discovered (&f, d, &x);
    s_cidx_free (&x);
}

//  ------------------------------------------------------------------------
//  channels

static void
s_channel_row (s_f_t *f, size_t i, const cJSON *row, const char *kind)
{
    char name [SCHEMA_NAME_MAX], buf [64];
    const char *sec = "channels";
    ddc_buf_puts (f->b, "<tr>");
    s_row_name (name, sizeof (name), sec, i, "id");
    s_td (f, name);
    char attrs [160];
    s_input (f, name, "text", s_text (row, "id", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_CHANNELS, "id", S_AT_OPTIONAL,
                      "inputmode=\"numeric\" size=\"20\" class=\"channel-id\" "
                      "autocomplete=\"off\""));
    char kn [SCHEMA_NAME_MAX];
    s_row_name (kn, sizeof (kn), sec, i, "kind");
    ddc_buf_puts (f->b, "<input type=\"hidden\"");
    ddc_buf_attr (f->b, "name", kn);
    ddc_buf_attr (f->b, "value", kind);
    ddc_buf_puts (f->b, ">");
    render_field_errors (f->b, f->errs, kn);
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "name");
    s_td (f, name);
    s_input (f, name, "text", s_text (row, "name", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_CHANNELS, "name", S_AT_TEXT, "size=\"16\""));
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "post_initial");
    s_td (f, name);
    s_checkbox (f, name, "1", s_bool (row, "post_initial", false), NULL);
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "refresh_minutes");
    s_td (f, name);
    s_input (f, name, "number", s_text (row, "refresh_minutes", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_CHANNELS, "refresh_minutes", S_AT_NUMBER,
                      "class=\"narrow\" placeholder=\"5\""));
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "recreate_minutes");
    s_td (f, name);
    s_input (f, name, "number", s_text (row, "recreate_minutes", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_CHANNELS, "recreate_minutes", S_AT_NUMBER,
                      "class=\"narrow\" placeholder=\"0\""));
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "alerts");
    s_td (f, name);
    s_checkbox (f, name, "1", s_bool (row, "alerts", false), NULL);
    s_td_end (f, name);
    s_remove_cell (f, sec, i);
    ddc_buf_puts (f->b, "</tr>");
}

static void
s_channels_table (s_f_t *f, const rsection_t *d, const char *kind)
{
    char key [64];
    snprintf (key, sizeof (key), "f.channels.%s_title", kind);
    ddc_buf_puts (f->b, "<h2>");
    ddc_buf_html (f->b, T (f->rc, key));
    ddc_buf_puts (f->b, "</h2><p class=\"hint\">");
    snprintf (key, sizeof (key), "h.channels.%s", kind);
    ddc_buf_puts (f->b, T (f->rc, key));
    ddc_buf_puts (f->b, "</p><div class=\"table-wrap\"><table class=\"rows\"");
    ddc_buf_attr (f->b, "data-kind", kind);
    ddc_buf_puts (f->b, "><thead><tr>");
    s_th (f, "f.channels.id");
    s_th (f, "f.channels.name");
    s_th (f, "f.channels.post_initial");
    s_th (f, "f.channels.refresh_minutes");
    s_th (f, "f.channels.recreate_minutes");
    s_th (f, "f.channels.alerts");
    s_th (f, "row.remove_head");
    ddc_buf_puts (f->b, "</tr></thead><tbody");
    ddc_buf_attr (f->b, "data-rows", kind);
    ddc_buf_puts (f->b, ">");
    size_t i = 0;
    const cJSON *each;
    cJSON_ArrayForEach (each, d->value) {
        const char *k = cJSON_GetStringValue (s_sec_get (each, "kind"));
        bool control = k && strcmp (k, "control") == 0;
        if ((strcmp (kind, "control") == 0) == control)
            s_channel_row (f, i, each, control ? "control" : (k && *k ? k : "status"));
        i++;
    }
    ddc_buf_puts (f->b, "</tbody></table></div>");
    snprintf (key, sizeof (key), "tpl-channels-%s", kind);
    s_add_button (f, key, strcmp (kind, "control") == 0 ? "row.add_control" : "row.add_status");
    ddc_buf_puts (f->b, "<template");
    ddc_buf_attr (f->b, "id", key);
    ddc_buf_puts (f->b, "><table><tbody>");
    s_channel_row (f, TPL_INDEX, NULL, kind);
    ddc_buf_puts (f->b, "</tbody></table></template>");
}

static void
s_channels (s_f_t *f, const rsection_t *d)
{
    s_form_begin (f, DDC_SEC_CHANNELS, d, (size_t) cJSON_GetArraySize (d->value));
    s_kept_rows (f, DDC_SEC_CHANNELS, (size_t) cJSON_GetArraySize (d->value));
    ddc_buf_puts (f->b, "<div class=\"notice warn\" id=\"channel-clash\" hidden><p>");
    ddc_buf_html (f->b, T (f->rc, "h.channels.clash"));
    ddc_buf_puts (f->b, " <span class=\"ids\"></span></p></div>");
    s_channels_table (f, d, "status");
    s_channels_table (f, d, "control");
    s_form_end (f);
}

//  ------------------------------------------------------------------------
//  admins

static void
s_admin_row (s_f_t *f, size_t i, const cJSON *row)
{
    char name [SCHEMA_NAME_MAX], buf [64];
    ddc_buf_puts (f->b, "<tr>");
    s_row_name (name, sizeof (name), "admins", i, "id");
    s_td (f, name);
    char attrs [160];
    s_input (f, name, "text", s_text (row, "id", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_ADMINS, "id", S_AT_OPTIONAL,
                      "inputmode=\"numeric\" size=\"20\" autocomplete=\"off\""));
    s_td_end (f, name);
    s_row_name (name, sizeof (name), "admins", i, "note");
    s_td (f, name);
    s_input (f, name, "text", s_text (row, "note", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_ADMINS, "note", S_AT_TEXT, "size=\"30\""));
    s_td_end (f, name);
    s_remove_cell (f, "admins", i);
    ddc_buf_puts (f->b, "</tr>");
}

static void
s_admins (s_f_t *f, const rsection_t *d)
{
    s_form_begin (f, DDC_SEC_ADMINS, d, (size_t) cJSON_GetArraySize (d->value));
    s_kept_rows (f, DDC_SEC_ADMINS, (size_t) cJSON_GetArraySize (d->value));
    ddc_buf_puts (f->b, "<p class=\"intro\">");
    ddc_buf_puts (f->b, T (f->rc, "h.admins.intro"));
    ddc_buf_puts (f->b, "</p><div class=\"table-wrap\"><table class=\"rows\"><thead><tr>");
    s_th (f, "f.admins.id");
    s_th (f, "f.admins.note");
    s_th (f, "row.remove_head");
    ddc_buf_puts (f->b, "</tr></thead><tbody data-rows=\"admins\">");
    size_t i = 0;
    const cJSON *each;
    cJSON_ArrayForEach (each, d->value)
        s_admin_row (f, i++, each);
    ddc_buf_puts (f->b, "</tbody></table></div>");
    s_add_button (f, "tpl-admins", "row.add_admin");
    ddc_buf_puts (f->b, "<template id=\"tpl-admins\"><table><tbody>");
    s_admin_row (f, TPL_INDEX, NULL);
    ddc_buf_puts (f->b, "</tbody></table></template>");
    s_form_end (f);
}

//  ------------------------------------------------------------------------
//  spam (cooldowns)

static void
s_cooldown_table (s_f_t *f, const cJSON *map, const char *which, const char *const keys [])
{
    char key [64];
    snprintf (key, sizeof (key), "f.spam.%s", which);
    ddc_buf_puts (f->b, "<h2>");
    ddc_buf_html (f->b, T (f->rc, key));
    ddc_buf_puts (f->b,
                  "</h2><div class=\"table-wrap\"><table class=\"rows narrow-table\"><thead><tr>");
    s_th (f, strcmp (which, "command_cooldowns") == 0 ? "f.spam.command" : "f.spam.button");
    s_th (f, "f.spam.seconds");
    ddc_buf_puts (f->b, "</tr></thead><tbody>");
    for (int i = 0; keys [i]; i++) {
        char name [SCHEMA_NAME_MAX], buf [64];
        snprintf (name, sizeof (name), "spam.%s.%s", which, keys [i]);
        ddc_buf_puts (f->b, "<tr><th scope=\"row\"><label for=\"f-");
        ddc_buf_html (f->b, name);
        ddc_buf_puts (f->b, "\">");
        render_cooldown_label (f->b, f->rc, which, keys [i]);
        ddc_buf_puts (f->b, "</label></th>");
        s_td (f, name);
        char attrs [160];
        s_input (f, name, "number", s_text (map, keys [i], buf),
                 s_attrs (attrs, sizeof (attrs), DDC_SEC_SPAM, which, S_AT_NUMBER,
                          "class=\"narrow\""));
        s_td_end (f, name);
        ddc_buf_puts (f->b, "</tr>");
    }
    ddc_buf_puts (f->b, "</tbody></table></div>");
}

static void
s_spam (s_f_t *f, const rsection_t *d)
{
    const cJSON *v = d->value;
    s_form_begin (f, DDC_SEC_SPAM, d, 0);
    ddc_buf_puts (f->b, "<p class=\"intro\">");
    ddc_buf_puts (f->b, T (f->rc, "h.spam.intro"));
    ddc_buf_puts (f->b, "</p>");
    s_field_begin (f, "spam.enabled", "f.spam.enabled");
    s_checkbox (f, "spam.enabled", "1", s_bool (v, "enabled", true),
                T (f->rc, "f.spam.enabled_box"));
    s_field_end (f, "spam.enabled", NULL);
    s_cooldown_table (f, s_sec_get (v, "command_cooldowns"), "command_cooldowns",
                      schema_command_keys);
    render_field_errors (f->b, f->errs, "spam.command_cooldowns");
    s_cooldown_table (f, s_sec_get (v, "button_cooldowns"), "button_cooldowns", schema_button_keys);
    render_field_errors (f->b, f->errs, "spam.button_cooldowns");
    s_schema_rows (f, DDC_SEC_SPAM, d->value);
    s_form_end (f);
}

//  ------------------------------------------------------------------------
//  tasks

static const s_opt_t s_task_actions [] = { { "start", "action.start", false },
                                           { "stop", "action.stop", false },
                                           { "restart", "action.restart", false },
                                           { NULL, NULL, false } };
static const s_opt_t s_cycles [] = { { "once", "cycle.once", false },
                                     { "daily", "cycle.daily", false },
                                     { "weekly", "cycle.weekly", false },
                                     { "monthly", "cycle.monthly", false },
                                     { "yearly", "cycle.yearly", false },
                                     { "cron", "cycle.cron", false },
                                     { NULL, NULL, false } };
static const s_opt_t s_weekdays [] = { { "", "weekday.none", false },
                                       { "mon", "weekday.mon", false },
                                       { "tue", "weekday.tue", false },
                                       { "wed", "weekday.wed", false },
                                       { "thu", "weekday.thu", false },
                                       { "fri", "weekday.fri", false },
                                       { "sat", "weekday.sat", false },
                                       { "sun", "weekday.sun", false },
                                       { NULL, NULL, false } };

//  The next run of a saved task, in its own time zone: "Monday
//  2026-12-07 04:00 (Europe/Berlin)", "paused", "never" (a once task in
//  the past); empty for a new row.
static void
s_task_next (s_f_t *f, const rsection_t *d, const cJSON *row)
{
    ddc_buf_puts (f->b, "<td class=\"next\"");
    ddc_buf_attr (f->b, "data-label", T (f->rc, "f.tasks.next")); //  a card's label
    ddc_buf_puts (f->b, ">");
    int64_t now = d->now ? d->now : (int64_t) time (NULL), next;
    struct tm tm;
    if (!row) {
        ddc_buf_puts (f->b, "</td>");
        return;
    }
    if (!s_bool (row, "active", true))
        ddc_buf_html (f->b, T (f->rc, "f.tasks.paused"));
    else if (ddc_schedule_next_local (row, now, &next, &tm) != 0)
        ddc_buf_html (f->b, T (f->rc, "f.tasks.never"));
    else {
        static const char *const days [] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
        char key [24], utc [32], local [40];
        snprintf (key, sizeof (key), "weekday.%s", days [tm.tm_wday % 7]);
        time_t t = (time_t) next;
        struct tm u;
        gmtime_r (&t, &u);
        strftime (utc, sizeof (utc), "%Y-%m-%dT%H:%M:%SZ", &u);
        snprintf (local, sizeof (local), "%04d-%02d-%02d\xC2\xA0%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
        ddc_buf_puts (f->b, "<time class=\"zoned\"");
        ddc_buf_attr (f->b, "datetime", utc);
        ddc_buf_puts (f->b, ">");
        ddc_buf_html (f->b, T (f->rc, key));
        ddc_buf_puts (f->b, " ");
        ddc_buf_html (f->b, local);
        ddc_buf_puts (f->b, "</time> <small class=\"muted\">");
        ddc_buf_html (f->b, cJSON_GetStringValue (s_sec_get (row, "timezone")));
        ddc_buf_puts (f->b, "</small>");
    }
    ddc_buf_puts (f->b, "</td>");
}

static void
s_task_row (s_f_t *f, const rsection_t *d, size_t i, const cJSON *row)
{
    char name [SCHEMA_NAME_MAX], buf [64];
    const char *sec = "tasks";
    char cycle [16];
    ddc_strlcpy (cycle, s_text (row, "cycle", buf), sizeof (cycle));
    ddc_buf_puts (f->b, "<tr class=\"task\"");
    ddc_buf_attr (f->b, "data-cycle", *cycle ? cycle : "daily");
    ddc_buf_puts (f->b, ">");

    s_row_name (name, sizeof (name), sec, i, "active");
    s_td (f, name);
    s_checkbox (f, name, "1", s_bool (row, "active", true), NULL);
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "id");
    s_td (f, name);
    char attrs [256];
    {
        //  empty: one is made from the container, action and cycle
        ddc_buf_t *ph = ddc_buf_new (128);
        ddc_buf_html (ph, T (f->rc, "f.tasks.id_auto"));
        char more [224];
        snprintf (more, sizeof (more),
                  "size=\"12\" autocomplete=\"off\" pattern=\"[A-Za-z0-9_-]+\" placeholder=\"%s\"",
                  ddc_buf_text (ph));
        ddc_buf_destroy (&ph);
        s_input (f, name, "text", s_text (row, "id", buf),
                 s_attrs (attrs, sizeof (attrs), DDC_SEC_TASKS, "id", S_AT_OPTIONAL, more));
    }
    s_td_end (f, name);

    //  target: one select over the configured containers
    s_row_name (name, sizeof (name), sec, i, "target");
    s_td (f, name);
    char target [320] = "";
    char hb [64], cb [64];
    const char *th = s_text (row, "host", hb), *tc = s_text (row, "container", cb);
    if (*th || *tc)
        snprintf (target, sizeof (target), "%s/%s", th, tc);
    ddc_buf_puts (f->b, "<select");
    s_id_name (f, name);
    ddc_buf_attr (f->b, "aria-label", T (f->rc, "f.tasks.target"));
    ddc_buf_puts (f->b, "><option value=\"\">");
    ddc_buf_html (f->b, T (f->rc, "f.tasks.pick"));
    ddc_buf_puts (f->b, "</option>");
    bool found = false;
    const cJSON *each;
    cJSON_ArrayForEach (each, d->containers) {
        const char *h = cJSON_GetStringValue (s_sec_get (each, "host"));
        const char *n = cJSON_GetStringValue (s_sec_get (each, "name"));
        const char *dn = cJSON_GetStringValue (s_sec_get (each, "display_name"));
        if (!h || !n)
            continue;
        char opt [320];
        snprintf (opt, sizeof (opt), "%s/%s", h, n);
        ddc_buf_puts (f->b, "<option");
        ddc_buf_attr (f->b, "value", opt);
        if (strcmp (opt, target) == 0) {
            ddc_buf_puts (f->b, " selected");
            found = true;
        }
        ddc_buf_puts (f->b, ">");
        ddc_buf_html (f->b, dn && *dn ? dn : n);
        ddc_buf_puts (f->b, " (");
        ddc_buf_html (f->b, opt);
        ddc_buf_puts (f->b, ")</option>");
    }
    if (*target && !found) {
        ddc_buf_puts (f->b, "<option selected");
        ddc_buf_attr (f->b, "value", target);
        ddc_buf_puts (f->b, ">");
        ddc_buf_html (f->b, target);
        ddc_buf_puts (f->b, "</option>");
    }
    ddc_buf_puts (f->b, "</select>");
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "action");
    s_td (f, name);
    s_select (f, name, s_task_actions, s_text (row, "action", buf), NULL);
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "cycle");
    s_td (f, name);
    s_select (f, name, s_cycles, *cycle ? cycle : "daily", "class=\"cycle\"");
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "time");
    s_td (f, name);
    ddc_buf_puts (f->b, "<span class=\"c-timed\">"); //  a cron schedule has its own
    s_input (f, name, "time", s_text (row, "time", buf), "step=\"60\"");
    ddc_buf_puts (f->b, "</span>");
    s_td_end (f, name);

    //  the cycle-specific fields; the script shows only the cycle's own
    render_td (f->b, f->rc, "f.tasks.when", "when");
    s_row_name (name, sizeof (name), sec, i, "date");
    ddc_buf_puts (f->b, "<span class=\"c-once\"");
    ddc_buf_attr (f->b, "data-field", name);
    ddc_buf_puts (f->b, "><label>");
    ddc_buf_html (f->b, T (f->rc, "f.tasks.date"));
    ddc_buf_puts (f->b, " ");
    s_input (f, name, "date", s_text (row, "date", buf), NULL);
    ddc_buf_puts (f->b, "</label>");
    render_field_errors (f->b, f->errs, name);
    ddc_buf_puts (f->b, "</span>");

    s_row_name (name, sizeof (name), sec, i, "weekday");
    ddc_buf_puts (f->b, "<span class=\"c-weekly\"");
    ddc_buf_attr (f->b, "data-field", name);
    ddc_buf_puts (f->b, "><label>");
    ddc_buf_html (f->b, T (f->rc, "f.tasks.weekday"));
    ddc_buf_puts (f->b, " ");
    s_select (f, name, s_weekdays, s_text (row, "weekday", buf), NULL);
    ddc_buf_puts (f->b, "</label>");
    render_field_errors (f->b, f->errs, name);
    ddc_buf_puts (f->b, "</span>");

    s_row_name (name, sizeof (name), sec, i, "month");
    ddc_buf_puts (f->b, "<span class=\"c-yearly\"");
    ddc_buf_attr (f->b, "data-field", name);
    ddc_buf_puts (f->b, "><label>");
    ddc_buf_html (f->b, T (f->rc, "f.tasks.month"));
    ddc_buf_puts (f->b, " ");
    s_input (f, name, "number", s_text (row, "month", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_TASKS, "month", S_AT_NUMBER,
                      "class=\"narrow\""));
    ddc_buf_puts (f->b, "</label>");
    render_field_errors (f->b, f->errs, name);
    ddc_buf_puts (f->b, "</span>");

    s_row_name (name, sizeof (name), sec, i, "day");
    ddc_buf_puts (f->b, "<span class=\"c-monthly c-yearly\"");
    ddc_buf_attr (f->b, "data-field", name);
    ddc_buf_puts (f->b, "><label>");
    ddc_buf_html (f->b, T (f->rc, "f.tasks.day"));
    ddc_buf_puts (f->b, " ");
    s_input (f, name, "number", s_text (row, "day", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_TASKS, "day", S_AT_NUMBER, "class=\"narrow\""));
    ddc_buf_puts (f->b, "</label>");
    render_field_errors (f->b, f->errs, name);
    ddc_buf_puts (f->b, "</span>");

    s_row_name (name, sizeof (name), sec, i, "cron");
    ddc_buf_puts (f->b, "<span class=\"c-cron\"");
    ddc_buf_attr (f->b, "data-field", name);
    ddc_buf_puts (f->b, "><label>");
    ddc_buf_html (f->b, T (f->rc, "f.tasks.cron"));
    ddc_buf_puts (f->b, " ");
    s_input (f, name, "text", s_text (row, "cron", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_TASKS, "cron", S_AT_TEXT,
                      "size=\"14\" autocomplete=\"off\" spellcheck=\"false\" "
                      "placeholder=\"0 4 * * 1-5\""));
    ddc_buf_puts (f->b, "</label>");
    render_field_errors (f->b, f->errs, name);
    ddc_buf_puts (f->b, "</span></td>");

    s_row_name (name, sizeof (name), sec, i, "timezone");
    s_td (f, name);
    const char *tz = s_text (row, "timezone", buf);
    s_input (f, name, "text", row ? tz : "UTC",
             s_attrs (attrs, sizeof (attrs), DDC_SEC_TASKS, "timezone", S_AT_TEXT,
                      "list=\"zones\" size=\"14\" autocomplete=\"off\""));
    s_td_end (f, name);

    s_row_name (name, sizeof (name), sec, i, "note");
    s_td (f, name);
    s_input (f, name, "text", s_text (row, "note", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_TASKS, "note", S_AT_TEXT, "size=\"16\""));
    s_td_end (f, name);

    s_task_next (f, d, row);
    s_remove_cell (f, sec, i);
    ddc_buf_puts (f->b, "</tr>");
}

static void
s_tasks (s_f_t *f, const rsection_t *d)
{
    s_form_begin (f, DDC_SEC_TASKS, d, (size_t) cJSON_GetArraySize (d->value));
    s_kept_rows (f, DDC_SEC_TASKS, (size_t) cJSON_GetArraySize (d->value));
    ddc_buf_puts (f->b, "<p class=\"intro\">");
    ddc_buf_puts (f->b, T (f->rc, "h.tasks.intro"));
    ddc_buf_puts (f->b, "</p>");
    //  a task runs on a configured container: none yet, say where to start
    if (cJSON_GetArraySize (d->containers) == 0) {
        ddc_buf_puts (f->b, "<p class=\"notice info\" id=\"tasks-no-containers\">");
        ddc_buf_puts (f->b, T (f->rc, "h.tasks.no_containers"));
        ddc_buf_puts (f->b, "</p>");
    }
    ddc_buf_puts (f->b,
                  "<div class=\"table-wrap\"><table class=\"rows\" id=\"tasks-table\"><thead><tr>");
    s_th (f, "f.tasks.active");
    s_th (f, "f.tasks.id");
    s_th (f, "f.tasks.target");
    s_th (f, "f.tasks.action");
    s_th (f, "f.tasks.cycle");
    s_th (f, "f.tasks.time");
    s_th (f, "f.tasks.when");
    s_th (f, "f.tasks.timezone");
    s_th (f, "f.tasks.note");
    s_th (f, "f.tasks.next");
    s_th (f, "row.remove_head");
    ddc_buf_puts (f->b, "</tr></thead><tbody data-rows=\"tasks\">");
    size_t i = 0;
    const cJSON *each;
    cJSON_ArrayForEach (each, d->value)
        s_task_row (f, d, i++, each);
    ddc_buf_puts (f->b, "</tbody></table></div>");
    s_zone_list (f->b);
    s_add_button (f, "tpl-tasks", "row.add_task");
    ddc_buf_puts (f->b, "<template id=\"tpl-tasks\"><table><tbody>");
    s_task_row (f, d, TPL_INDEX, NULL);
    ddc_buf_puts (f->b, "</tbody></table></template>");
    s_form_end (f);
}

//  ------------------------------------------------------------------------
//  watchdog, docker, web

//  A section's intro (h.SECTION.intro) and its "enabled" checkbox
//  (f.SECTION.enabled, f.SECTION.enabled_box), dflt when absent.
static void
s_intro_switch (s_f_t *f, const char *section, const cJSON *v, bool dflt)
{
    char key [64], name [64], box [64];
    snprintf (key, sizeof (key), "h.%s.intro", section);
    ddc_buf_puts (f->b, "<p class=\"intro\">");
    ddc_buf_puts (f->b, T (f->rc, key));
    ddc_buf_puts (f->b, "</p>");
    snprintf (name, sizeof (name), "%s.enabled", section);
    snprintf (key, sizeof (key), "f.%s.enabled", section);
    snprintf (box, sizeof (box), "f.%s.enabled_box", section);
    s_field_begin (f, name, key);
    s_checkbox (f, name, "1", s_bool (v, "enabled", dflt), T (f->rc, box));
    s_field_end (f, name, NULL);
}

static void
s_watchdog (s_f_t *f, const rsection_t *d)
{
    char buf [64], attrs [160];
    const cJSON *v = d->value;
    s_form_begin (f, DDC_SEC_WATCHDOG, d, 0);
    s_intro_switch (f, "watchdog", v, false);
    s_field_begin (f, "watchdog.url", "f.watchdog.url");
    s_input (f, "watchdog.url", "url", s_text (v, "url", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_WATCHDOG, "url", S_AT_TEXT,
                      "size=\"60\" placeholder=\"https://hc-ping.com/...\""));
    s_field_end (f, "watchdog.url", "h.watchdog.url");
    s_field_begin (f, "watchdog.fail_url", "f.watchdog.fail_url");
    s_input (f, "watchdog.fail_url", "url", s_text (v, "fail_url", buf),
             s_attrs (attrs, sizeof (attrs), DDC_SEC_WATCHDOG, "fail_url", S_AT_TEXT,
                      "size=\"60\" placeholder=\"https://hc-ping.com/.../fail\""));
    s_field_end (f, "watchdog.fail_url", "h.watchdog.fail_url");
    s_number (f, v, "watchdog.interval_minutes");
    s_schema_rows (f, DDC_SEC_WATCHDOG, v);
    s_form_end (f);
}

static void
s_docker (s_f_t *f, const rsection_t *d)
{
    const cJSON *v = d->value;
    s_form_begin (f, DDC_SEC_DOCKER, d, 0);
    s_number (f, v, "docker.stats_interval_seconds");
    s_number (f, v, "docker.stop_timeout_seconds");
    s_schema_rows (f, DDC_SEC_DOCKER, v);
    s_form_end (f);
}

static const s_opt_t s_webhook_formats [] = { { "discord", "opt.webhook.discord", false },
                                              { "json", "opt.webhook.json", false },
                                              { NULL, NULL, false } };

static void
s_alerts (s_f_t *f, const rsection_t *d)
{
    char buf [64], attrs [160];
    const cJSON *v = d->value;
    s_form_begin (f, DDC_SEC_ALERTS, d, 0);
    s_intro_switch (f, "alerts", v, true);

    s_field_begin (f, "alerts.webhook_url", "f.alerts.webhook_url");
    s_input (f, "alerts.webhook_url", "password", "",
             s_attrs (attrs, sizeof (attrs), DDC_SEC_ALERTS, "webhook_url", S_AT_TEXT,
                      d->secret_set ? "autocomplete=\"off\" size=\"60\" data-secret=\"set\""
                                    : "autocomplete=\"off\" size=\"60\" data-secret=\"empty\""));
    if (d->secret_set)
        s_checkbox (f, "alerts._clear.webhook_url", "1", false, T (f->rc, "f.alerts.webhook_clear"));
    s_field_end (f, "alerts.webhook_url",
                 d->secret_set ? "h.alerts.webhook_url_set" : "h.alerts.webhook_url_empty");

    s_field_begin (f, "alerts.webhook_format", "f.alerts.webhook_format");
    s_select (f, "alerts.webhook_format", s_webhook_formats, s_text (v, "webhook_format", buf),
              NULL);
    s_field_end (f, "alerts.webhook_format", "h.alerts.webhook_format");
    s_number (f, v, "alerts.restart_loop_count");
    s_number (f, v, "alerts.restart_loop_minutes");
    s_number (f, v, "alerts.cooldown_minutes");
    s_number (f, v, "alerts.max_per_hour");
    s_number (f, v, "alerts.log_lines");
    s_schema_rows (f, DDC_SEC_ALERTS, v);
    s_form_end (f);
}

static void
s_web (s_f_t *f, const rsection_t *d)
{
    char buf [64];
    const cJSON *v = d->value;
    s_form_begin (f, DDC_SEC_WEB, d, 0);
    s_field_begin (f, "web.ui_language", "f.web.ui_language");
    s_select (f, "web.ui_language", s_lang_opts, s_text (v, "ui_language", buf), NULL);
    s_field_end (f, "web.ui_language", "h.web.ui_language");
    s_number (f, v, "web.session_idle_minutes");
    s_field_begin (f, "web.metrics_token", "f.web.metrics_token");
    char attrs [160];
    s_input (f, "web.metrics_token", "password", "",
             s_attrs (attrs, sizeof (attrs), DDC_SEC_WEB, "metrics_token", S_AT_TEXT,
                      d->secret_set ? "autocomplete=\"off\" size=\"40\" data-secret=\"set\""
                                    : "autocomplete=\"off\" size=\"40\" data-secret=\"empty\""));
    if (d->secret_set)
        s_checkbox (f, "web._clear.metrics_token", "1", false,
                    T (f->rc, "f.web.metrics_token_clear"));
    s_field_end (f, "web.metrics_token",
                 d->secret_set ? "h.web.metrics_token_set" : "h.web.metrics_token_empty");
    //  the hash is never shown; errors about it (none expected) go on top
    s_schema_rows (f, DDC_SEC_WEB, v);
    s_form_end (f);
    ddc_buf_puts (f->b, "<p><a href=\"/password\">");
    ddc_buf_html (f->b, T (f->rc, "h.web.password_link"));
    ddc_buf_puts (f->b, "</a></p>");
}

//  ------------------------------------------------------------------------

void
render_section (ddc_buf_t *b, const rctx_t *rc, ddc_section_t s, const rsection_t *d)
{
    ddc_buf_t *form = ddc_buf_new (8 * 1024 * 1024);
    s_f_t f = { form, rc, d->errs };
    switch (s) {
        case DDC_SEC_BOT:
            s_bot (&f, d);
            break;
        case DDC_SEC_CONTAINERS:
            s_containers (&f, d);
            break;
        case DDC_SEC_CHANNELS:
            s_channels (&f, d);
            break;
        case DDC_SEC_ADMINS:
            s_admins (&f, d);
            break;
        case DDC_SEC_SPAM:
            s_spam (&f, d);
            break;
        case DDC_SEC_TASKS:
            s_tasks (&f, d);
            break;
        case DDC_SEC_WATCHDOG:
            s_watchdog (&f, d);
            break;
        case DDC_SEC_DOCKER:
            s_docker (&f, d);
            break;
        case DDC_SEC_WEB:
            s_web (&f, d);
            break;
        case DDC_SEC_ALERTS:
            s_alerts (&f, d);
            break;
        default:
            break;
    }
    //  the notices go above the form; errors no input showed, too
    if (d->notice_html)
        ddc_buf_puts (b, d->notice_html);
    render_other_errors (b, rc, d->errs);
    if (ddc_buf_overflow (form))
        render_notice (b, "error", T (rc, "error.too_large_page"));
    else
        ddc_buf_append (b, form);
    ddc_buf_destroy (&form);
}
