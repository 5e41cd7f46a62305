/*  libFuzzer target for ddc-web's input parsers and what they feed (the
    Kore-free files of web/ compiled in): the first input byte selects
      0  an x-www-form-urlencoded body, then every section built from it
      1  the JSON body of the save API
      2  a Cookie header
      3  an error field path mapped to a form input, for every section
      4  a peers table (JSON) turned into the dashboard view and rendered
      5  a section value and INVALID errors (JSON) rendered as its form,
         also kept for every session (the CSRF token's places marked)
      6  the line diff of two texts
      7  the JSON body of the action API
      8  audit log entries (JSON) rendered as the activity page
      9  two answers of the logs action (split at the first NUL) followed
         as a log view does (logtail.h), and a log page rendered
    and the rest is the input. Invariants that must hold are checked with
    abort(). */
#include "../../web/diff.c"
#include "../../web/form.c"
#include "../../web/i18n.c"
#include "../../web/jsonbody.c"
#include "../../web/logtail.c"
#include "../../web/render_core.c"
#include "../../web/render_label.c"
#include "../../web/render_pages.c"
#include "../../web/render_sections.c"
#include "../../web/schema.c"
#include "../../web/view.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static i18n_t *s_i18n;

static char *
s_cstr (const uint8_t *data, size_t size)
{
    char *s = malloc (size + 1);
    if (!s)
        abort ();
    memcpy (s, data, size);
    s [size] = '\0';
    return s;
}

static void
s_check_text (const char *s)
{
    size_t len = strlen (s);
    if (!ddc_utf8_valid (s, len))
        abort ();
}

static void
s_form (const uint8_t *data, size_t size)
{
    char err [160];
    form_t *f = form_parse ((const char *) data, size, err, sizeof (err));
    if (!f) {
        if (!err [0])
            abort ();
        return;
    }
    if (form_size (f) > FORM_MAX_FIELDS)
        abort ();
    for (size_t i = 0; i < form_size (f); i++) {
        const char *k = form_key_at (f, i), *v = form_value_at (f, i);
        if (!k || !v || !*k || strlen (k) > FORM_MAX_KEY || strlen (v) > FORM_MAX_VALUE)
            abort ();
        s_check_text (k);
        s_check_text (v);
        for (const char *p = k; *p; p++)
            if ((unsigned char) *p < 0x20)
                abort ();
        for (const char *p = v; *p; p++)
            if ((unsigned char) *p < 0x20 && *p != '\n' && *p != '\t')
                abort ();
        (void) form_bool (f, k);
    }
    //  every repeated key once, in order
    size_t at = 0, repeats = 0;
    for (const char *key, *last = NULL; (key = form_repeated (f, &at)) != NULL; last = key) {
        if ((last && strcmp (last, key) >= 0) || ++repeats > form_size (f) / 2)
            abort ();
    }
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        cJSON *refused = schema_form_errors ((ddc_section_t) s, f);
        if (refused && (cJSON_GetArraySize (refused) == 0 || cJSON_GetArraySize (refused) > 50))
            abort ();
        cJSON_Delete (refused);
        cJSON *v = schema_from_form ((ddc_section_t) s, f, err, sizeof (err));
        if (v) {
            if (cJSON_GetArraySize (v) > SCHEMA_MAX_ROWS)
                abort ();
            char *text = cJSON_PrintUnformatted (v);
            free (text);
            cJSON_Delete (v);
        }
    }
    form_destroy (&f);
}

static void
s_json_body (const uint8_t *data, size_t size)
{
    uint64_t rev;
    cJSON *value = NULL;
    char err [160];
    if (jsonbody_parse ((const char *) data, size, &rev, &value, err, sizeof (err)) == 0) {
        if (!value || jsonbody_depth (value, JSONBODY_DEPTH) > JSONBODY_DEPTH)
            abort ();
        cJSON_Delete (value);
    }
    else if (value || !err [0])
        abort ();
}

static void
s_cookie (const uint8_t *data, size_t size)
{
    char *h = s_cstr (data, size);
    char out [64];
    if (form_cookie (h, "ddc_session", out, sizeof (out)) == 0 && strlen (out) >= sizeof (out))
        abort ();
    free (h);
}

static void
s_error_paths (const uint8_t *data, size_t size)
{
    char *path = s_cstr (data, size);
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        char out [SCHEMA_NAME_MAX];
        schema_error_input ((ddc_section_t) s, path, out, sizeof (out));
        const char *name = ddc_section_name ((ddc_section_t) s);
        if (strlen (out) >= sizeof (out) || (out [0] && strncmp (out, name, strlen (name)) != 0))
            abort ();
    }
    free (path);
}

static rctx_t
s_rc (void)
{
    rctx_t rc = { s_i18n, "en", "csrf", "bot", "0.1.0" };
    return rc;
}

static void
s_view (const uint8_t *data, size_t size)
{
    cJSON *table = ddc_json_parse ((const char *) data, size, SIZE_MAX, NULL, 0);
    if (!table)
        return;
    cJSON *view = view_build (true, 1, table, cJSON_GetObjectItemCaseSensitive (table, "conf"));
    cJSON *inv = view_inventory (table, cJSON_GetObjectItemCaseSensitive (table, "conf"));
    cJSON *states = view_states (table);
    rctx_t rc = s_rc ();
    ddc_buf_t *b = ddc_buf_new (1 << 20);
    render_view_services (b, &rc, view);
    render_view_gateway (b, &rc, view);
    render_view_hosts (b, &rc, view);
    if (strstr (ddc_buf_text (b), "<script"))
        abort ();
    view_table_status (table, "docker@fuzz", "status", view);
    ddc_buf_destroy (&b);
    cJSON_Delete (states);
    cJSON_Delete (inv);
    cJSON_Delete (view);
    cJSON_Delete (table);
}

//  The page of section s rendered for one session equals the page kept
//  for every session (the token's places marked) with the token put in.
static void
s_kept_page (ddc_section_t s, const cJSON *doc, rsection_t d, const ddc_buf_t *direct)
{
    rctx_t rc = s_rc ();
    errs_t *errs = errs_new (&rc, s, cJSON_GetObjectItemCaseSensitive (doc, "errors"));
    d.errs = errs;
    rc.csrf = "";
    rc.csrf_mark = true;
    ddc_buf_t *kept = ddc_buf_new (1 << 22);
    render_section (kept, &rc, s, &d);
    if (!ddc_buf_overflow (kept) && !ddc_buf_overflow (direct)) {
        const size_t *at;
        size_t n = ddc_buf_marks (kept, &at), from = 0;
        ddc_buf_t *out = ddc_buf_new (1 << 23);
        for (size_t i = 0; i < n; i++) {
            if (at [i] < from || at [i] > ddc_buf_len (kept))
                abort ();
            ddc_buf_add (out, ddc_buf_text (kept) + from, at [i] - from);
            ddc_buf_puts (out, "csrf");
            from = at [i];
        }
        ddc_buf_add (out, ddc_buf_text (kept) + from, ddc_buf_len (kept) - from);
        //  the form's token, and the container actions' form's
        if (n != (s == DDC_SEC_CONTAINERS ? 2u : 1u)
            || strcmp (ddc_buf_text (out), ddc_buf_text (direct)) != 0)
            abort ();
        ddc_buf_destroy (&out);
    }
    ddc_buf_destroy (&kept);
    errs_destroy (&errs);
}

static void
s_section (const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    ddc_section_t s = (ddc_section_t) (data [0] % DDC_SEC_COUNT);
    cJSON *doc = ddc_json_parse ((const char *) data + 1, size - 1, SIZE_MAX, NULL, 0);
    if (!doc)
        return;
    rctx_t erc = s_rc ();
    errs_t *errs = errs_new (&erc, s, cJSON_GetObjectItemCaseSensitive (doc, "errors"));
    const cJSON *value = cJSON_GetObjectItemCaseSensitive (doc, "value");
    rsection_t d = { .value = value,
                     .rev = 1,
                     .errs = errs,
                     .containers = value,
                     .inventory = cJSON_GetObjectItemCaseSensitive (doc, "inventory"),
                     .states = cJSON_GetObjectItemCaseSensitive (doc, "states"),
                     .query =
                         cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (doc, "query")),
                     .add = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (doc, "add")) };
    const cJSON *page = cJSON_GetObjectItemCaseSensitive (doc, "page");
    if (cJSON_IsNumber (page) && page->valuedouble >= 0 && page->valuedouble < 1e6)
        d.page = (size_t) page->valuedouble;
    rctx_t rc = s_rc ();
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    render_section (b, &rc, s, &d);
    if (strstr (ddc_buf_text (b), "<script"))
        abort ();
    s_kept_page (s, doc, d, b);
    ddc_buf_destroy (&b);
    errs_destroy (&errs);
    cJSON_Delete (doc);
}

static void
s_diff (const uint8_t *data, size_t size)
{
    char *all = s_cstr (data, size);
    size_t half = strlen (all) / 2;
    char *a = strndup (all, half), *b = strdup (all + half);
    diff_t *d = diff_new (a, b);
    if (d) {
        size_t same = 0;
        for (size_t i = 0; i < d->count; i++)
            same += d->lines [i].op == ' ';
        if (d->added + d->removed + same != d->count)
            abort ();
        diff_destroy (&d);
    }
    free (a);
    free (b);
    free (all);
}

static void
s_action_body (const uint8_t *data, size_t size)
{
    jsonbody_action_t a;
    char err [200];
    if (jsonbody_action_parse ((const char *) data, size, &a, err, sizeof (err)) == 0) {
        if (!ddc_config_name_ok (a.host, DDC_HOST_NAME_MAX)
            || !ddc_config_name_ok (a.container, DDC_CONTAINER_NAME_MAX) || a.lines < 0
            || a.lines > 1000)
            abort ();
    }
    else if (!err [0])
        abort ();
}

static void
s_activity (const uint8_t *data, size_t size)
{
    cJSON *entries = ddc_json_parse ((const char *) data, size, SIZE_MAX, NULL, 0);
    if (!entries)
        return;
    rctx_t rc = s_rc ();
    ractivity_t a = { .kind = "action", .container = "c", .since = "1h", .next = "1:2" };
    ddc_buf_t *b = ddc_buf_new (1 << 24);
    render_activity (b, &rc, entries, &a);
    s_check_text (ddc_buf_text (b));
    ddc_buf_destroy (&b);
    cJSON_Delete (entries);
}

static void
s_logtail (const uint8_t *data, size_t size)
{
    const char *text = (const char *) data;
    const char *nul = memchr (text, '\0', size);
    size_t first = nul ? (size_t) (nul - text) : size / 2;
    const char *second = nul ? nul + 1 : text + first;
    size_t second_len = size - (size_t) (second - text);
    logtail_t *t = logtail_new ();
    cJSON *out = cJSON_CreateArray ();
    bool gap;
    size_t n = logtail_feed (t, text, first, out, &gap);
    if (n != (size_t) cJSON_GetArraySize (out) || n > LOGTAIL_MAX_LINES || gap)
        abort ();
    cJSON_Delete (out);
    out = cJSON_CreateArray ();
    n = logtail_feed (t, second, second_len, out, &gap);
    if (n != (size_t) cJSON_GetArraySize (out) || n > LOGTAIL_MAX_LINES)
        abort ();
    cJSON_Delete (out);
    //  the same answer again holds nothing new
    out = cJSON_CreateArray ();
    if (logtail_feed (t, second, second_len, out, &gap) != 0 || gap)
        abort ();
    cJSON_Delete (out);
    logtail_destroy (&t);
    //  the page that shows such an answer (the agent's is valid UTF-8: a
    //  JSON frame)
    if (!ddc_utf8_valid (text, first))
        return;
    cJSON *result = cJSON_CreateObject ();
    cJSON_AddBoolToObject (result, "ok", true);
    char *copy = ddc_strndup (text, first);
    cJSON_AddStringToObject (result, "logs", copy);
    free (copy);
    rctx_t rc = s_rc ();
    rlogs_t l = { .host = "h", .name = "n", .lines = 50, .result = result };
    ddc_buf_t *b = ddc_buf_new (1 << 24);
    render_logs (b, &rc, &l);
    s_check_text (ddc_buf_text (b));
    ddc_buf_destroy (&b);
    cJSON_Delete (result);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_i18n)
        s_i18n = i18n_new (); //  no texts: keys stand in for them
    if (size == 0)
        return 0;
    uint8_t which = data [0] % 10;
    data++;
    size--;
    switch (which) {
        case 0:
            s_form (data, size);
            break;
        case 1:
            s_json_body (data, size);
            break;
        case 2:
            s_cookie (data, size);
            break;
        case 3:
            s_error_paths (data, size);
            break;
        case 4:
            s_view (data, size);
            break;
        case 5:
            s_section (data, size);
            break;
        case 7:
            s_action_body (data, size);
            break;
        case 8:
            s_activity (data, size);
            break;
        case 9:
            s_logtail (data, size);
            break;
        default:
            s_diff (data, size);
            break;
    }
    return 0;
}
