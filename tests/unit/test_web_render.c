/*  Unit tests of ddc-web's output side (Kore-free files compiled in): the
    bounded buffer and its escapers, the web's view of the locale
    catalogue (lookups, the script's table), page rendering with hostile values (everything
    escaped, no inline script), validation errors placed at their inputs,
    the history diff, the dashboard view built from a peers table, states
    in both languages, pages kept for every session (the CSRF token's
    places marked), the Prometheus text and the command line. */
#include "../../web/diff.c"
#include "../../web/form.c"
#include "../../web/i18n.c"
#include "../../web/logtail.c"
#include "../../web/metrics.c"
#include "../../web/opts.c"
#include "../../web/render_core.c"
#include "../../web/render_label.c"
#include "../../web/render_pages.c"
#include "../../web/render_sections.c"
#include "../../web/schema.c"
#include "../../web/view.c"
#include "ddc_test.h"
#include "ddc_test_json.h"

static i18n_t *
s_i18n (void)
{
    i18n_t *t = i18n_new ();
    char err [200];
    CHECK_EQ (i18n_load_builtin (t, err, sizeof (err)), 0);
    return t;
}

static rctx_t
s_rc (i18n_t *t, const char *lang, bool signed_in)
{
    rctx_t rc = { t, lang, signed_in ? "CSRF<&>\"" : NULL, "bot", "0.1.0" };
    return rc;
}

//  No raw hostile markup, no inline script or style.
static void
s_safe (const char *html)
{
    CHECK (strstr (html, "<script>alert") == NULL);
    CHECK (strstr (html, "<img") == NULL);
    CHECK (strstr (html, "\"><b>") == NULL);
    CHECK (strstr (html, "style=") == NULL);
    const char *p = html;
    while ((p = strstr (p, "<script")) != NULL) {
        CHECK (strncmp (p, "<script src=", 12) == 0
               || strncmp (p, "<script type=\"application/json\"", 31) == 0);
        p++;
    }
}

//  The text of b with text at each of its marks (caller frees), as
//  web_page_marked sends a kept page.
static char *
s_splice (const ddc_buf_t *b, const char *text)
{
    const size_t *at;
    size_t n = ddc_buf_marks (b, &at), from = 0;
    ddc_buf_t *out = ddc_buf_new (1 << 24);
    for (size_t i = 0; i < n; i++) {
        CHECK (at [i] >= from && at [i] <= ddc_buf_len (b));
        ddc_buf_add (out, ddc_buf_text (b) + from, at [i] - from);
        ddc_buf_puts (out, text);
        from = at [i];
    }
    ddc_buf_add (out, ddc_buf_text (b) + from, ddc_buf_len (b) - from);
    return ddc_buf_release (&out, NULL);
}

DDC_TEST (test_locale_files)
{
    i18n_t *t = s_i18n ();
    const cJSON *en = i18n_table (t, "en"), *de = i18n_table (t, "de");
    CHECK (cJSON_GetArraySize (en) > 200);
    const cJSON *each;
    cJSON_ArrayForEach (each, en) {
        if (!cJSON_GetObjectItemCaseSensitive (de, each->string)) {
            fprintf (stderr, "de.json lacks %s\n", each->string);
            CHECK (false);
        }
    }
    cJSON_ArrayForEach (each, de) {
        if (!cJSON_GetObjectItemCaseSensitive (en, each->string)) {
            fprintf (stderr, "en.json lacks %s\n", each->string);
            CHECK (false);
        }
    }
    CHECK_STR (i18n_get (t, "de", "nav.history"), "Verlauf");
    CHECK_STR (i18n_get (t, "en", "nav.history"), "History");
    CHECK_STR (i18n_get (t, "xx", "nav.history"), "History");
    CHECK_STR (i18n_get (t, "de", "no.such.key"), "no.such.key");
    CHECK (i18n_find (t, "de", "no.such.key") == NULL && i18n_find (t, "de", NULL) == NULL);
    //  every key is found through the hash table, in both languages
    cJSON_ArrayForEach (each, en)
        CHECK (i18n_get (t, "en", each->string) == each->valuestring);
    cJSON_ArrayForEach (each, de)
        CHECK (i18n_get (t, "de", each->string) == each->valuestring);
    //  container and gateway states are translated, and app.js gets them
    CHECK_STR (i18n_get (t, "de", "state.running"), "l\xC3\xA4uft");
    CHECK_STR (i18n_get (t, "de", "gateway.ready"), "bereit");
    CHECK_STR (i18n_get (t, "en", "state.exited"), "exited");
    cJSON *js = ddc_test_parse (i18n_script_json (t, "de"));
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (js, "applied")), "\xC3\xBC"
                                                                           "bernommen");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (js, "state.exited")), "beendet");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (js, "gateway.ready")), "bereit");
    CHECK (cJSON_GetObjectItem (js, "nav.history") == NULL
           && cJSON_GetObjectItem (js, "js.applied") == NULL);
    cJSON_Delete (js);
    CHECK_STR (i18n_script_json (t, "xx"), i18n_script_json (t, "en"));
    CHECK_STR (i18n_lang ("de"), "de");
    CHECK_STR (i18n_lang ("xx"), "en");
    CHECK_STR (i18n_lang (NULL), "en");
    char err [160];
    CHECK_EQ (i18n_load (t, "en", "[]", 2, err, sizeof (err)), -1);
    CHECK_EQ (i18n_load (t, "en", "{\"a\": 1}", 8, err, sizeof (err)), -1);
    CHECK_EQ (i18n_load (t, "xx", "{}", 2, err, sizeof (err)), -1);
    CHECK_STR (i18n_get (t, "en", "nav.history"), "History"); //  the table stays
    i18n_destroy (&t);
}

static const char *s_hostile =
    "{\"token\":\"***\",\"guild_id\":\"\\\"><b>x</b>\",\"language\":\"<script>alert(1)</script>\","
    "\"timezone\":\"<img src=x onerror=alert(1)>\"}";

DDC_TEST (test_section_pages_escape)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    cJSON *v = ddc_test_parse (s_hostile);
    rsection_t d = { .value = v, .rev = 7, .secret_set = true };
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    render_begin (b, &rc, "T<i>tle");
    render_section (b, &rc, DDC_SEC_BOT, &d);
    render_end (b, &rc);
    const char *html = ddc_buf_text (b);
    s_safe (html);
    CHECK (strstr (html, "value=\"&quot;&gt;&lt;b&gt;x&lt;/b&gt;\""));
    CHECK (strstr (html, "T&lt;i&gt;tle"));
    CHECK (strstr (html, "name=\"csrf\" value=\"CSRF&lt;&amp;&gt;&quot;\""));
    CHECK (strstr (html, "name=\"rev\" value=\"7\""));
    CHECK (strstr (html, "name=\"bot.token\" value=\"\"")); //  never the token
    CHECK (strstr (html, "***") == NULL);
    CHECK (strstr (html, "aria-current=\"page\""));
    CHECK (strstr (html, "<script type=\"application/json\" id=\"i18n\">"));
    cJSON_Delete (v);
    //  every section renders, signed in, in both languages
    const char *values [DDC_SEC_COUNT] = {
        "{}",
        "[{\"host\":\"h<\",\"name\":\"n\\\"\",\"info\":{\"text\":\"</textarea><b>\"},"
        "\"roles\":{\"start\":[\"<b>\",3]},\"alerts\":[\"<b>\"]}]",
        "[{\"id\":\"1<\",\"kind\":\"control\"},{\"id\":\"2\",\"kind\":\"status\"}]",
        "[{\"id\":\"<b>\",\"note\":\"&amp;\"}]",
        "{\"command_cooldowns\":{\"info\":\"<b>\"}}",
        "[{\"id\":\"t\",\"host\":\"h\",\"container\":\"<b>\",\"cycle\":\"weekly\",\"weekday\":\"<b>"
        "\"}]",
        "{\"url\":\"javascript:alert(1)\\\"><b>\"}",
        "{\"ui_language\":\"<b>\"}",
        "{\"stats_interval_seconds\":\"<b>\"}",
        "{\"webhook_url\":\"***\",\"webhook_format\":\"<b>\",\"log_lines\":\"<b>\"}",
    };
    const char *langs [] = { "en", "de" };
    for (int l = 0; l < 2; l++)
        for (int s = 0; s < DDC_SEC_COUNT; s++) {
            rc = s_rc (t, langs [l], true);
            v = ddc_test_parse (values [s]);
            cJSON *inv =
                ddc_test_parse ("[{\"host\":\"nas\",\"name\":\"<b>db\",\"image\":\"i<\"}]");
            cJSON *states = ddc_test_parse ("{\"h</nn\":\"running\"}");
            rsection_t sd = {
                .value = v, .rev = 1, .inventory = inv, .states = states, .containers = v
            };
            ddc_buf_reset (b);
            render_section (b, &rc, (ddc_section_t) s, &sd);
            CHECK (!ddc_buf_overflow (b) && ddc_buf_len (b) > 200);
            s_safe (ddc_buf_text (b));
            CHECK (strstr (ddc_buf_text (b), "<b>") == NULL);
            CHECK (strstr (ddc_buf_text (b), "</textarea><b>") == NULL);
            if (s == DDC_SEC_ADMINS && l == 0) {
                //  a row's cell carries its column's name (a card's label on
                //  a phone), which also names its input
                CHECK (strstr (ddc_buf_text (b),
                               "<td data-field=\"admins[0].note\" data-label=\"Note\">"));
                CHECK (strstr (ddc_buf_text (b), "size=\"30\" aria-label=\"Note\">"));
            }
            cJSON_Delete (v);
            cJSON_Delete (inv);
            cJSON_Delete (states);
        }
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

DDC_TEST (test_errors_at_their_inputs)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    cJSON *v = ddc_test_parse (
        "[{\"host\":\"local\",\"name\":\"plex\"},{\"host\":\"local\",\"name\":\"x y\"}]");
    cJSON *errors = ddc_test_parse (
        "[{\"field\":\"containers[1].name\",\"reason\":\"odd\",\"message\":\"name <bad>\"},"
        "{\"field\":\"containers[0].allowed_actions[2]\",\"reason\":\"odder\",\"message\":"
        "\"twice\"},"
        "{\"field\":\"containers\",\"reason\":\"oddest\",\"message\":\"whole section\"},"
        "{\"field\":\"containers[9]\",\"reason\":\"weird\",\"message\":\"row nine\"}]");
    errs_t *errs = errs_new (&rc, DDC_SEC_CONTAINERS, errors);
    CHECK_EQ (errs_count (errs), 4);
    rsection_t d = { .value = v, .rev = 3, .errs = errs };
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    const char *html = ddc_buf_text (b);
    //  at the row's name input, escaped
    const char *at = strstr (html, "data-field=\"containers[1].name\"");
    CHECK (at && strstr (at, "name &lt;bad&gt;"));
    CHECK (at && strstr (at, "name &lt;bad&gt;") < strstr (at, "</td>"));
    const char *acts = strstr (html, "data-field=\"containers[0].allowed_actions\"");
    CHECK (acts && strstr (acts, "twice") && strstr (acts, "twice") < strstr (acts, "</td>"));
    //  the others are listed on top, once
    const char *top = strstr (html, "id=\"form-errors\"");
    CHECK (top && top < strstr (html, "<form"));
    CHECK (strstr (top, "whole section") && strstr (top, "row nine"));
    CHECK (strstr (html, "4 value(s)"));
    const char *first = strstr (html, "twice");
    CHECK (first && !strstr (first + 1, "twice"));
    errs_destroy (&errs);
    CHECK (errs == NULL);
    cJSON_Delete (errors);
    cJSON_Delete (v);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

//  The tag (<input ...> or <textarea ...>) whose name is name, as a string
//  (static), or "" when there is none.
static const char *
s_tag (const char *html, const char *name)
{
    static char out [1024];
    char attr [160];
    snprintf (attr, sizeof (attr), " name=\"%s\"", name);
    const char *at = strstr (html, attr);
    out [0] = '\0';
    if (!at)
        return out;
    const char *begin = at;
    while (begin > html && *begin != '<')
        begin--;
    const char *end = strchr (at, '>');
    size_t n = end ? (size_t) (end - begin) + 1 : strlen (begin);
    snprintf (out, sizeof (out), "%.*s", (int) (n < sizeof (out) ? n : sizeof (out) - 1), begin);
    return out;
}

//  The forms' limits are their ddc_schema rows': the same as the broker
//  enforces (a snowflake: the 20 digits its format takes), and a field the
//  page fills or that a row may leave empty is not marked required.
DDC_TEST (test_limits_from_rows)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    static const struct {
        ddc_section_t s;
        const char *value, *name, *want;
        bool required;
    } cases [] = {
        { DDC_SEC_BOT, "{}", "bot.guild_id", "maxlength=\"20\"", false },
        { DDC_SEC_BOT, "{}", "bot.timezone", "maxlength=\"64\"", false },
        { DDC_SEC_CONTAINERS, "[{\"host\":\"\",\"name\":\"\"}]", "containers[0].host",
          "maxlength=\"63\"", false },
        { DDC_SEC_CONTAINERS, "[{\"host\":\"\",\"name\":\"\"}]", "containers[0].name",
          "maxlength=\"128\"", false },
        { DDC_SEC_CONTAINERS, "[{\"host\":\"h\",\"name\":\"n\"}]", "containers[0].info.text",
          "maxlength=\"2000\"", false },
        { DDC_SEC_CONTAINERS, "[{\"host\":\"h\",\"name\":\"n\"}]", "containers[0].roles.start",
          "maxlength=\"600\"", false },
        { DDC_SEC_CONTAINERS, "[{\"host\":\"h\",\"name\":\"n\"}]", "containers[0].display_name",
          "maxlength=\"100\"", false },
        { DDC_SEC_CHANNELS, "[{\"id\":\"\",\"kind\":\"status\"}]", "channels[0].id",
          "maxlength=\"20\"", false },
        { DDC_SEC_ADMINS, "[{\"id\":\"\"}]", "admins[0].id", "maxlength=\"20\"", false },
        { DDC_SEC_TASKS, "[{\"id\":\"\"}]", "tasks[0].id", "maxlength=\"64\"", false },
        { DDC_SEC_TASKS, "[{\"id\":\"\"}]", "tasks[0].cron", "maxlength=\"100\"", false },
        { DDC_SEC_TASKS, "[{\"id\":\"\"}]", "tasks[0].timezone", "maxlength=\"64\"", false },
        { DDC_SEC_WATCHDOG, "{}", "watchdog.url", "maxlength=\"2048\"", false },
        { DDC_SEC_WATCHDOG, "{}", "watchdog.fail_url", "maxlength=\"2048\"", false },
        { DDC_SEC_ALERTS, "{}", "alerts.webhook_url", "maxlength=\"2048\"", false },
        { DDC_SEC_WEB, "{}", "web.metrics_token", "maxlength=\"256\"", false },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        cJSON *v = ddc_test_parse (cases [i].value);
        rsection_t d = { .value = v, .rev = 3 };
        ddc_buf_reset (b);
        render_section (b, &rc, cases [i].s, &d);
        const char *tag = s_tag (ddc_buf_text (b), cases [i].name);
        if (!strstr (tag, cases [i].want)
            || (strstr (tag, " required") != NULL) != cases [i].required)
            fprintf (stderr, "%s: %s\n", cases [i].name, tag);
        CHECK (strstr (tag, cases [i].want));
        CHECK_EQ (strstr (tag, " required") != NULL, cases [i].required);
        cJSON_Delete (v);
    }
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

//  A configured container without any action says it is status only, in
//  its actions' cell; one with actions does not.
DDC_TEST (test_status_only_container_is_said)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    cJSON *v =
        ddc_test_parse ("[{\"host\":\"local\",\"name\":\"plex\",\"allowed_actions\":[\"start\"]},"
                        "{\"host\":\"local\",\"name\":\"db\",\"allowed_actions\":[]}]");
    rsection_t d = { .value = v, .rev = 3 };
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    const char *html = ddc_buf_text (b);
    const char *plex = strstr (html, "data-field=\"containers[0].allowed_actions\"");
    const char *db = strstr (html, "data-field=\"containers[1].allowed_actions\"");
    CHECK (plex && db);
    const char *said = strstr (html, "Status only: no action is ticked");
    CHECK (said && said > db && said < strstr (db, "</td>"));
    CHECK (!strstr (said + 1, "Status only: no action is ticked"));
    cJSON_Delete (v);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

DDC_TEST (test_other_pages)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "de", false);
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    render_login (b, &rc, "login.wrong", "/bot\"><b>");
    CHECK (strstr (ddc_buf_text (b), "Anmelden")
           && strstr (ddc_buf_text (b), "/bot&quot;&gt;&lt;b&gt;"));
    CHECK (strstr (ddc_buf_text (b), "data-signed-in") == NULL);
    CHECK (strstr (ddc_buf_text (b), "<nav") == NULL); //  no navigation signed out
    s_safe (ddc_buf_text (b));
    ddc_buf_reset (b);
    render_setup (b, &rc, "setup.bad_code", "ABCD-\"EFGH");
    CHECK (strstr (ddc_buf_text (b), "name=\"code\"")
           && strstr (ddc_buf_text (b), "Einrichtungscode"));
    //  the typed code is kept (escaped) across an error; where it is is said
    CHECK (strstr (ddc_buf_text (b), "value=\"ABCD-&quot;EFGH\""));
    CHECK (strstr (ddc_buf_text (b), "<code>ddc-ctl setup-code</code>")
           && strstr (ddc_buf_text (b), "<code>data/web-setup-code</code>"));
    ddc_buf_reset (b);
    render_setup (b, &rc, NULL, "caf\xC3\xA9"); //  not a code: not shown
    CHECK (strstr (ddc_buf_text (b), "caf") == NULL);
    ddc_buf_reset (b);
    rc = s_rc (t, "en", true);
    render_password (b, &rc, 12, "pw.kinds", NULL);
    CHECK (strstr (ddc_buf_text (b), "name=\"old\"") && strstr (ddc_buf_text (b), "value=\"12\""));
    ddc_buf_reset (b);
    render_error_page (b, &rc, 503, "error.503_title", "error.503_text", "<detail>");
    CHECK (strstr (ddc_buf_text (b), "data-status=\"503\"")
           && strstr (ddc_buf_text (b), "&lt;detail&gt;"));
    ddc_buf_reset (b);
    render_saved (b, &rc, "bot", 57, true);
    CHECK (strstr (ddc_buf_text (b), "Changes applied (revision 57).")
           && strstr (ddc_buf_text (b), "data-rev=\"57\"")
           && strstr (ddc_buf_text (b), "gateway-result"));
    ddc_buf_reset (b);
    render_conflict (b, &rc, "/bot", 60);
    CHECK (strstr (ddc_buf_text (b), "revision 60") && strstr (ddc_buf_text (b), "href=\"/bot\""));
    //  history: newest first, a diff with escaped lines
    cJSON *entries = ddc_test_parse (
        "[{\"rev\":3,\"prev_rev\":0,\"section\":\"admins\",\"time\":\"t\",\"author\":\"a<\","
        "\"peer\":\"web@x\","
        "\"changed\":[\"admins[0]\"],\"value\":[{\"id\":\"1\"}]},"
        "{\"rev\":9,\"prev_rev\":3,\"section\":\"admins\",\"time\":\"t\",\"author\":\"b\",\"peer\":"
        "\"ctl@y\","
        "\"changed\":[\"admins[0].note\"],\"value\":[{\"id\":\"1\",\"note\":\"<b>\"}]}]");
    ddc_buf_reset (b);
    render_history (b, &rc, entries, "admins");
    const char *h = ddc_buf_text (b);
    CHECK (strstr (h, "data-rev=\"9\"") && strstr (h, "data-rev=\"3\"")
           && strstr (h, "data-rev=\"9\"") < strstr (h, "data-rev=\"3\""));
    CHECK (strstr (h, "a&lt;"));
    CHECK (strstr (h, "<td class=\"wide\" data-label=\"Changed fields\">"));
    ddc_buf_reset (b);
    render_history_entry (b, &rc, cJSON_GetArrayItem (entries, 1), cJSON_GetArrayItem (entries, 0),
                          true);
    h = ddc_buf_text (b);
    CHECK (strstr (h, "<span class=\"add\">+ ") && strstr (h, "&lt;b&gt;"));
    CHECK (strstr (h, "action=\"/history/rollback\"") && strstr (h, "name=\"rev\" value=\"9\""));
    s_safe (h);
    cJSON_Delete (entries);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

//  Field paths, errors, authors and sections as people read them, in
//  both languages; the broker's own text where the locale has nothing.
DDC_TEST (test_human_labels)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 20);
    render_field_label (b, &rc, "containers[1].display_name");
    CHECK_STR (ddc_buf_text (b), "Container 2: Display name");
    ddc_buf_reset (b);
    render_field_label (b, &rc, "spam.button_cooldowns.restart_all");
    CHECK_STR (ddc_buf_text (b), "Buttons: Restart all");
    ddc_buf_reset (b);
    render_field_label (b, &rc, "tasks[0]");
    CHECK_STR (ddc_buf_text (b), "Task 1");
    ddc_buf_reset (b);
    render_field_label (b, &rc, "bot");
    CHECK_STR (ddc_buf_text (b), "Bot");
    CHECK_STR (render_section_label (&rc, "spam"), "Cooldowns");
    CHECK_STR (render_section_label (&rc, "web"), "Web UI");
    ddc_buf_reset (b);
    render_error_text (b, &rc, "bot.guild_id", "invalid",
                       "guild_id must be a Discord snowflake: 17 to 20 digits.");
    CHECK (strncmp (ddc_buf_text (b), "Server (guild) ID must be 17 to 20 digits", 41) == 0);
    CHECK (strstr (ddc_buf_text (b), "guild_id") == NULL);
    ddc_buf_reset (b);
    render_error_text (b, &rc, "web.session_idle_minutes", "out_of_range",
                       "session_idle_minutes must be between 1 and 1440.");
    CHECK_STR (ddc_buf_text (b), "Sign out after idle (minutes) must be between 1 and 1440.");
    ddc_buf_reset (b);
    render_error_text (b, &rc, "tasks[2].day", "out_of_range",
                       "day must exist in month 2: 1 to 29.");
    CHECK_STR (ddc_buf_text (b), "Task 3: day: month 2 has the days 1 to 29.");
    ddc_buf_reset (b);
    render_error_text (b, &rc, "watchdog.url", "required",
                       "url is required when the watchdog is enabled.");
    CHECK_STR (ddc_buf_text (b), "URL is required when the heartbeat is on.");
    ddc_buf_reset (b);
    render_error_text (b, &rc, "", "too_many", "There are <more> errors");
    CHECK_STR (ddc_buf_text (b), "There are &lt;more&gt; errors"); //  no template: as sent
    ddc_buf_reset (b);
    render_author (b, &rc, "admin<x> (rollback to 3)");
    CHECK_STR (ddc_buf_text (b), "admin&lt;x&gt; (rollback to revision 3)");
    ddc_buf_reset (b);
    render_author (b, &rc, "admin (rollback to x)");
    CHECK_STR (ddc_buf_text (b), "admin (rollback to x)");
    ddc_buf_reset (b);
    render_time (b, "2026-11-27T08:39:37Z");
    CHECK_STR (ddc_buf_text (b), "<time class=\"local\" datetime=\"2026-11-27T08:39:37Z\">"
                                 "2026-11-27\xC2\xA0"
                                 "08:39:37\xC2\xA0UTC</time>");

    rc = s_rc (t, "de", true);
    ddc_buf_reset (b);
    render_error_text (b, &rc, "containers[0].host", "required", "host is required.");
    CHECK_STR (ddc_buf_text (b), "Container 1: Host muss angegeben werden.");
    ddc_buf_reset (b);
    render_author (b, &rc, "admin (rollback to 3)");
    CHECK_STR (ddc_buf_text (b), "admin (zur\xC3\xBC"
                                 "ckgesetzt auf Revision 3)");
    CHECK_STR (render_section_label (&rc, "spam"), "Wartezeiten");

    //  the cooldowns page names buttons and commands, not keys
    rc = s_rc (t, "en", true);
    ddc_buf_reset (b);
    cJSON *spam =
        ddc_test_parse ("{\"enabled\":true,\"command_cooldowns\":{},\"button_cooldowns\":{}}");
    rsection_t d = { .value = spam, .rev = 2 };
    render_section (b, &rc, DDC_SEC_SPAM, &d);
    CHECK (strstr (ddc_buf_text (b), ">Restart all</label>"));
    CHECK (strstr (ddc_buf_text (b), ">/ss \xE2\x80\x94 the server overview, short</label>"));
    CHECK (strstr (ddc_buf_text (b), "<code>restart_all") == NULL);
    cJSON_Delete (spam);

    //  the history names sections and fields by their labels; the current
    //  revision offers no rollback
    cJSON *entry = ddc_test_parse (
        "{\"rev\":9,\"prev_rev\":3,\"section\":\"spam\",\"time\":\"2026-11-27T08:39:37Z\","
        "\"author\":\"admin (rollback to 3)\",\"peer\":\"web@x\","
        "\"changed\":[\"spam.button_cooldowns.restart_all\"],\"value\":{}}");
    ddc_buf_reset (b);
    render_history_entry (b, &rc, entry, NULL, false);
    const char *h = ddc_buf_text (b);
    CHECK (strstr (h, "<dd>Cooldowns</dd>") && strstr (h, "Buttons: Restart all")
           && strstr (h, "(rollback to revision 3)")
           && strstr (h, "datetime=\"2026-11-27T08:39:37Z\""));
    CHECK (strstr (h, "/history/rollback") == NULL && strstr (h, "id=\"rollback-current\""));
    cJSON *list = cJSON_CreateArray ();
    cJSON_AddItemToArray (list, entry);
    ddc_buf_reset (b);
    render_history (b, &rc, list, NULL);
    h = ddc_buf_text (b);
    CHECK (strstr (h, "<td data-label=\"Section\">Cooldowns</td>")
           && strstr (h, "Buttons: Restart all") && strstr (h, ">Cooldowns</option>"));
    cJSON_Delete (list);

    //  the services' rejections in the live view: their fields' labels
    //  for the script (plain text, the page's language, each field once)
    cJSON *view = ddc_test_parse (
        "{\"peers\":[{\"name\":\"discord@a\",\"rejected\":{\"section\":\"containers\","
        "\"errors\":[{\"field\":\"containers[1].display_name\",\"reason\":\"required\"},"
        "{\"field\":\"containers[0].roles.start\",\"reason\":\"conflict\"},{\"reason\":\"x\"}]}},"
        "{\"name\":\"docker@b\",\"rejected\":{\"section\":\"bot\",\"errors\":["
        "{\"field\":\"bot.guild_id\"},{\"field\":\"containers[1].display_name\"},"
        "{\"field\":\"<b>x</b>\"}]}},{\"name\":\"web@c\",\"rejected\":null}]}");
    cJSON *labels = render_rejected_labels (&rc, view);
    char *json = cJSON_PrintUnformatted (labels);
    CHECK_STR (json, "{\"containers[1].display_name\":\"Container 2: Display name\","
                     "\"containers[0].roles.start\":\"Container 1: Role IDs: start\","
                     "\"bot.guild_id\":\"Server (guild) ID\",\"<b>x</b>\":\"<b>x</b>\"}");
    free (json);
    cJSON_Delete (labels);
    rc = s_rc (t, "de", true);
    labels = render_rejected_labels (&rc, view);
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItemCaseSensitive (labels, "containers[1].display_name")),
               "Container 2: Anzeigename");
    cJSON_Delete (labels);
    cJSON_Delete (view);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

//  The dashboard's broker panel: the watchdog's and config.json's times are
//  <time> elements the script shows in the browser's zone, like every other.
DDC_TEST (test_broker_times)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 20);
    cJSON *view = ddc_test_parse (
        "{\"broker\":{\"watchdog\":{\"enabled\":true,\"interval_minutes\":5,"
        "\"url\":\"https://hc-ping.com/<x>\",\"last\":{\"time\":\"2026-12-06T21:30:00Z\","
        "\"outcome\":\"pinged\",\"reason\":\"all well\",\"result\":\"HTTP <200>\"},"
        "\"next\":\"2026-12-06T21:35:00Z\"},\"config\":{\"rejected\":{\"time\":"
        "\"2026-12-06T20:00:00Z\",\"file\":\"config.json.rejected-1\",\"kept_rev\":4},"
        "\"migrated\":{\"from\":1,\"time\":\"2026-12-01T10:00:00Z\",\"original\":\"c.v1\"}}}}");
    render_view_broker (b, &rc, view);
    const char *h = ddc_buf_text (b);
    CHECK (strstr (h, "Last check <time class=\"local\" datetime=\"2026-12-06T21:30:00Z\">"
                      "2026-12-06\xC2\xA0"
                      "21:30:00\xC2\xA0UTC</time>: all well. HTTP &lt;200&gt;"));
    CHECK (strstr (h, "Next check at <time class=\"local\" datetime=\"2026-12-06T21:35:00Z\">"));
    CHECK (strstr (h, "refused at <time class=\"local\" datetime=\"2026-12-06T20:00:00Z\">"));
    CHECK (strstr (h, "from schema 1 at <time class=\"local\" datetime=\"2026-12-01T10:00:00Z\">"));
    CHECK (strstr (h, "hc-ping.com/&lt;x&gt;") && strstr (h, "<x>") == NULL);
    cJSON_Delete (view);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

//  Lines as one string "a|b|c" (for CHECK_STR).
static char *
s_joined (const cJSON *lines)
{
    static char out [4096];
    size_t len = 0;
    out [0] = '\0';
    const cJSON *l;
    cJSON_ArrayForEach (l, lines) {
        len += (size_t) snprintf (out + len, sizeof (out) - len, "%s%s", len ? "|" : "",
                                  l->valuestring);
        if (len >= sizeof (out))
            break;
    }
    return out;
}

DDC_TEST (test_logtail)
{
    logtail_t *t = logtail_new ();
    bool gap = true;
    cJSON *out = cJSON_CreateArray ();
    CHECK (logtail_feed (t, "a\nb\nc\n", 6, out, &gap) == 3 && !gap);
    CHECK_STR (s_joined (out), "a|b|c");
    //  two new lines: the answer moved on by two
    cJSON_Delete (out);
    out = cJSON_CreateArray ();
    CHECK (logtail_feed (t, "c\nd\ne\n", 6, out, &gap) == 2 && !gap);
    CHECK_STR (s_joined (out), "d|e");
    //  nothing new; then a repeated line is new when it comes after
    cJSON_Delete (out);
    out = cJSON_CreateArray ();
    CHECK (logtail_feed (t, "c\nd\ne\n", 6, out, &gap) == 0 && !gap);
    CHECK (logtail_feed (t, "d\ne\ne\n", 6, out, &gap) == 1 && !gap);
    CHECK_STR (s_joined (out), "e");
    //  more lines than one answer holds: all new, with a gap
    cJSON_Delete (out);
    out = cJSON_CreateArray ();
    CHECK (logtail_feed (t, "x\ny", 3, out, &gap) == 2 && gap);
    CHECK_STR (s_joined (out), "x|y");
    //  an empty answer, then lines: no gap
    cJSON_Delete (out);
    out = cJSON_CreateArray ();
    CHECK (logtail_feed (t, "", 0, out, &gap) == 0 && !gap);
    CHECK (logtail_feed (t, "z\n", 2, out, &gap) == 1 && !gap);
    cJSON_Delete (out);
    logtail_destroy (&t);
    CHECK (t == NULL);
    //  bounded: the newest LOGTAIL_MAX_LINES of a longer answer
    size_t n = 3 * LOGTAIL_MAX_LINES;
    char *big = malloc (n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        big [2 * i] = (char) ('a' + i % 26);
        big [2 * i + 1] = '\n';
    }
    big [2 * n] = '\0';
    out = cJSON_CreateArray ();
    logtail_lines (big, 2 * n, out);
    CHECK_EQ (cJSON_GetArraySize (out), LOGTAIL_MAX_LINES);
    char last [2] = { (char) ('a' + (n - 1) % 26), '\0' };
    CHECK_STR (cJSON_GetArrayItem (out, LOGTAIL_MAX_LINES - 1)->valuestring, last);
    cJSON_Delete (out);
    free (big);
}

DDC_TEST (test_container_controls_and_logs)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 20);
    //  the default allows start, stop and restart, not logs
    render_container_controls (b, &rc, "nas", "pl.ex", NULL);
    const char *h = ddc_buf_text (b);
    CHECK (strstr (h, "value=\"stop:nas/pl.ex\" aria-label=\"Stop pl.ex on nas\">Stop</button>"));
    CHECK (strstr (h, "form=\"ctr-action\"") && !strstr (h, "/logs?"));
    CHECK (strstr (h, "role=\"status\""));
    ddc_buf_reset (b);
    cJSON *only = ddc_test_parse ("[\"restart\", \"logs\"]");
    render_container_controls (b, &rc, "nas", "db", only);
    h = ddc_buf_text (b);
    CHECK (strstr (h, "restart:nas/db") && !strstr (h, "\"stop:nas/db")
           && !strstr (h, "\"start:nas/db"));
    CHECK (strstr (h, "href=\"/logs?host=nas&amp;name=db\" aria-label=\"Log of db on nas\""));
    cJSON_Delete (only);
    ddc_buf_reset (b);
    render_container_action_form (b, &rc);
    CHECK (strstr (ddc_buf_text (b), "action=\"/containers/action\"")
           && strstr (ddc_buf_text (b), "value=\"CSRF&lt;&amp;&gt;&quot;\""));
    //  the result page: the agent's reason escaped
    ddc_buf_reset (b);
    cJSON *refused = ddc_test_parse ("{\"ok\":false,\"error\":\"refused\","
                                     "\"message\":\"<script>alert(1)</script>\"}");
    render_action_result (b, &rc, "nas", "db", "stop", refused, NULL);
    h = ddc_buf_text (b);
    CHECK (strstr (h, "data-ok=\"0\"") && strstr (h, "Stop db on nas")
           && strstr (h, "&lt;script&gt;"));
    s_safe (h);
    cJSON_Delete (refused);
    //  the log page: lines escaped, the download link, the lines chosen
    ddc_buf_reset (b);
    cJSON *logs = ddc_test_parse ("{\"ok\":true,\"logs\":\"one\\n<img src=x>\\n\","
                                  "\"note\":\"cut to <b>\"}");
    rlogs_t l = { .host = "nas", .name = "db", .display_name = "<DB>", .lines = 200, .result = logs };
    render_logs (b, &rc, &l);
    h = ddc_buf_text (b);
    CHECK (strstr (h, "one\n&lt;img src=x&gt;\n</pre>") && strstr (h, "&lt;DB&gt;"));
    CHECK (strstr (h, "href=\"/logs/download?host=nas&amp;name=db&amp;lines=1000\""));
    CHECK (strstr (h, "<option value=\"200\" selected>") && strstr (h, "cut to &lt;b&gt;"));
    CHECK (strstr (h, "data-host=\"nas\" data-name=\"db\""));
    s_safe (h);
    cJSON_Delete (logs);
    ddc_buf_reset (b);
    rlogs_t broken = { .host = "nas", .name = "db", .lines = 50, .error = "no <agent>" };
    render_logs (b, &rc, &broken);
    CHECK (strstr (ddc_buf_text (b), "id=\"log-error\"")
           && strstr (ddc_buf_text (b), "no &lt;agent&gt;"));
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

//  First run and empty states point to the next step; tasks show their
//  next run in their own zone; the bot page shows the gateway unasked.
DDC_TEST (test_next_steps)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 20);
    //  a host without configured containers: a link to choose them
    cJSON *v = ddc_test_parse ("{\"up\":true,\"rev\":2,\"peers\":[],\"gateway\":[],"
                               "\"hosts\":[{\"peer\":\"docker@n\",\"host\":\"my nas&\","
                               "\"connected\":true,\"containers\":[]}]}");
    render_view_hosts (b, &rc, v);
    CHECK (strstr (ddc_buf_text (b), "<a href=\"/containers?q=my%20nas%26\">"));
    ddc_buf_reset (b);
    render_view_gateway (b, &rc, v);
    CHECK (strstr (ddc_buf_text (b), "<a href=\"/bot\">"));
    s_safe (ddc_buf_text (b));

    //  the bot page shows the gateway as reported, live (#view-gateway)
    cJSON *gv = ddc_test_parse ("{\"gateway\":[{\"peer\":\"discord@b\",\"connected\":true,"
                                "\"state\":\"ready\",\"detail\":\"x\"}]}");
    cJSON *bot = ddc_test_parse ("{\"token\":\"***\",\"guild_id\":\"\",\"language\":\"en\","
                                 "\"timezone\":\"UTC\"}");
    rsection_t d = { .value = bot, .rev = 2, .view = gv };
    ddc_buf_reset (b);
    render_section (b, &rc, DDC_SEC_BOT, &d);
    const char *h = strstr (ddc_buf_text (b), "id=\"view-gateway\"");
    CHECK (h && strstr (h, "discord@b") && strstr (h, "ready"));

    //  tasks: next run in the task's zone, paused, never; a hint while no
    //  container is configured; an id is made when left empty
    cJSON *tasks = ddc_test_parse (
        "[{\"id\":\"a\",\"host\":\"local\",\"container\":\"plex\",\"action\":\"restart\","
        "\"cycle\":\"weekly\",\"weekday\":\"mon\",\"time\":\"04:15\",\"timezone\":\"Europe/"
        "Berlin\","
        "\"active\":true},"
        "{\"id\":\"b\",\"host\":\"local\",\"container\":\"plex\",\"action\":\"stop\","
        "\"cycle\":\"daily\",\"time\":\"04:15\",\"timezone\":\"UTC\",\"active\":false},"
        "{\"id\":\"c\",\"host\":\"local\",\"container\":\"plex\",\"action\":\"stop\","
        "\"cycle\":\"once\",\"date\":\"2020-01-01\",\"time\":\"04:15\",\"timezone\":\"UTC\","
        "\"active\":true}]");
    cJSON *none = cJSON_CreateArray ();
    rsection_t td = { .value = tasks, .rev = 4, .containers = none, .now = 1796083200 };
    ddc_buf_reset (b); //  2026-12-01T00:00:00Z
    render_section (b, &rc, DDC_SEC_TASKS, &td);
    h = ddc_buf_text (b);
    CHECK (strstr (h, "<time class=\"zoned\" datetime=\"2026-12-07T03:15:00Z\">Monday 2026-12-07"
                      "\xC2\xA0"
                      "04:15</time> <small class=\"muted\">Europe/Berlin</small>"));
    CHECK (strstr (h, ">paused</td>") && strstr (h, ">never (its time has passed)</td>"));
    CHECK (strstr (h, "id=\"tasks-no-containers\"") && strstr (h, "href=\"/containers\""));
    CHECK (strstr (h, "placeholder=\"made for you\""));
    cJSON_Delete (none);
    cJSON_Delete (tasks);
    cJSON_Delete (bot);
    cJSON_Delete (gv);
    cJSON_Delete (v);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

DDC_TEST (test_activity_page)
{
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    cJSON *entries = ddc_test_parse (
        "[{\"kind\":\"action\",\"time\":\"2026-11-27T08:39:37Z\",\"peer\":\"web@box\","
        "\"role\":\"web\",\"for\":{\"user\":\"<admin>\",\"address\":\"192.0.2.7\"},"
        "\"action\":\"restart\",\"host\":\"nas\",\"container\":\"pl<ex\",\"result\":\"ok\","
        "\"state\":\"running\",\"duration_ms\":1266},"
        "{\"kind\":\"action\",\"time\":\"t\",\"peer\":\"discord@bot\",\"role\":\"discord\","
        "\"for\":{\"user\":\"alice\",\"user_id\":\"123\",\"channel_id\":\"456\"},"
        "\"action\":\"stop\",\"host\":\"pi\",\"container\":\"db\",\"result\":\"timeout\","
        "\"error\":\"timeout\",\"message\":\"docker@pi did not answer <in "
        "time>\",\"duration_ms\":60000},"
        "{\"kind\":\"action\",\"time\":\"t\",\"peer\":\"docker@nas\",\"role\":\"docker\","
        "\"for\":{\"task\":\"t1\"},\"action\":\"restart\",\"host\":\"nas\",\"container\":\"db\","
        "\"result\":\"error\",\"error\":\"refused\",\"reported\":true},"
        "{\"rev\":7,\"section\":\"containers\",\"time\":\"t\",\"author\":\"bob\","
        "\"peer\":\"ctl@op\",\"changed\":[\"containers[0].name\"]}]");
    ractivity_t a = { .kind = "action",
                      .container = "x\"y",
                      .since = "24h",
                      .next = "12:34",
                      .who = "<al ice>",
                      .result = "error" };
    render_activity (b, &rc, entries, &a);
    const char *h = ddc_buf_text (b);
    CHECK (strstr (h, "<time class=\"local\" datetime=\"2026-11-27T08:39:37Z\">2026-11-27\xC2\xA0"
                      "08:39:37\xC2\xA0UTC</time>"));
    CHECK (strstr (h, "&lt;admin&gt;") && strstr (h, "pl&lt;ex") && strstr (h, "192.0.2.7"));
    CHECK (strstr (h, "Discord channel 456") && strstr (h, "scheduled task t1"));
    CHECK (strstr (h, "&lt;in time&gt;") && strstr (h, "timed out") && strstr (h, "60.0 s"));
    CHECK (strstr (h, "data-kind=\"config\"") && strstr (h, "href=\"/history/7\""));
    CHECK (strstr (h, ">ddc-ctl<")); //  a change's role, from its peer
    CHECK (strstr (h, "value=\"x&quot;y\""));
    CHECK (strstr (h, "<option value=\"24h\" selected>"));
    CHECK (strstr (h,
                   "id=\"activity-older\" href=\"/activity?kind=action&amp;container=x%22y"
                   "&amp;since=24h&amp;who=%3Cal%20ice%3E&amp;result=error&amp;cursor=12%3A34\""));
    CHECK (strstr (h, "name=\"who\" size=\"14\" maxlength=\"128\" value=\"&lt;al ice&gt;\""));
    CHECK (strstr (h, "<option value=\"error\" selected>"));
    CHECK (strstr (h, "<label for=\"f-result\">"));
    CHECK (!strstr (h, "activity-newest"));
    s_safe (h);
    ddc_buf_reset (b);
    rc = s_rc (t, "de", true);
    cJSON *none = cJSON_CreateArray ();
    ractivity_t empty = { .kind = "", .container = "", .since = "", .older = true };
    render_activity (b, &rc, none, &empty);
    h = ddc_buf_text (b);
    CHECK (strstr (h, "id=\"activity-none\"") && strstr (h, "Aktivit")
           && strstr (h, "activity-newest"));
    CHECK (!strstr (h, "activity-older"));
    cJSON_Delete (none);
    cJSON_Delete (entries);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
}

DDC_TEST (test_diff)
{
    diff_t *d = diff_new ("a\nb\nc\nd\n", "a\nx\nc\nd\ne\n");
    CHECK (d && d->added == 2 && d->removed == 1);
    char ops [16] = "";
    for (size_t i = 0; i < d->count && i < 15; i++)
        ops [i] = d->lines [i].op;
    CHECK_STR (ops, " -+  +");
    diff_destroy (&d);
    CHECK (d == NULL);
    d = diff_new (NULL, "x");
    CHECK (d && d->count == 1 && d->added == 1);
    diff_destroy (&d);
    d = diff_new ("same", "same");
    CHECK (d && d->added == 0 && d->removed == 0 && d->count == 1);
    diff_destroy (&d);
    //  large inputs: bounded work, still a correct (if coarse) diff
    size_t n = 3000;
    char *a = ddc_malloc (n * 8), *c = ddc_malloc (n * 8);
    size_t oa = 0, oc = 0;
    for (size_t i = 0; i < n; i++) {
        oa += (size_t) sprintf (a + oa, "a%zu\n", i);
        oc += (size_t) sprintf (c + oc, "c%zu\n", i);
    }
    d = diff_new (a, c);
    CHECK (d && d->added == n && d->removed == n);
    diff_destroy (&d);
    free (a);
    free (c);
}

//  The configured entries found by host and name among many (a sorted
//  index, not a walk through the section per row): each row gets its own
//  entry, a host's name shared by another host finds nothing, the first
//  of two entries that name one container wins; and the view is its top
//  with its hosts (view_top, view_hosts).
DDC_TEST (test_view_configured_lookup)
{
    cJSON *table = cJSON_CreateObject ();
    cJSON *conf = cJSON_CreateArray ();
    char host [32], name [32];
    for (int k = 1; k <= 20; k++) {
        snprintf (host, sizeof (host), "h-%d", k);
        cJSON *body = cJSON_CreateObject ();
        cJSON_AddStringToObject (body, "host", host);
        cJSON *rows = cJSON_AddObjectToObject (body, "containers");
        for (int i = k; i <= 1000; i += 20) {
            snprintf (name, sizeof (name), "c-%d", i);
            cJSON_AddStringToObject (cJSON_AddObjectToObject (rows, name), "state", "running");
        }
        //  a container of another host's name, not configured on this one
        cJSON_AddStringToObject (cJSON_AddObjectToObject (rows, k == 1 ? "c-2" : "c-1"), "state",
                                 "exited");
        char peer [40];
        snprintf (peer, sizeof (peer), "docker@%s", host);
        CHECK_EQ (view_table_status (table, peer, "status", body), 0);
        cJSON_Delete (body);
    }
    //  configured in reverse, c-7 twice (the first says "First")
    for (int i = 1000; i >= 1; i--) {
        cJSON *e = cJSON_CreateObject ();
        snprintf (host, sizeof (host), "h-%d", (i - 1) % 20 + 1);
        snprintf (name, sizeof (name), "c-%d", i);
        cJSON_AddStringToObject (e, "host", host);
        cJSON_AddStringToObject (e, "name", name);
        snprintf (name, sizeof (name), "Box %d", i);
        cJSON_AddStringToObject (e, "display_name", i == 7 ? "First" : name);
        cJSON_AddNumberToObject (e, "order", i);
        cJSON_AddItemToArray (conf, e);
    }
    cJSON *dup = ddc_test_parse ("{\"host\":\"h-7\",\"name\":\"c-7\",\"display_name\":\"Second\"}");
    cJSON_AddItemToArray (conf, dup);
    cJSON *v = view_build (true, 3, table, conf);
    const cJSON *hosts = cJSON_GetObjectItem (v, "hosts");
    CHECK_EQ (cJSON_GetArraySize (hosts), 20);
    int configured = 0, other = 0;
    const cJSON *h;
    cJSON_ArrayForEach (h, hosts) {
        const cJSON *r;
        cJSON_ArrayForEach (r, cJSON_GetObjectItem (h, "containers")) {
            const char *n = cJSON_GetStringValue (cJSON_GetObjectItem (r, "name"));
            const char *dn = cJSON_GetStringValue (cJSON_GetObjectItem (r, "display_name"));
            if (!cJSON_IsTrue (cJSON_GetObjectItem (r, "configured"))) {
                other++;
                CHECK_STR (dn, n); //  its own name
                continue;
            }
            configured++;
            int i = atoi (n + 2);
            snprintf (name, sizeof (name), "Box %d", i);
            CHECK_STR (dn, i == 7 ? "First" : name);
            CHECK (cJSON_IsTrue (cJSON_GetObjectItem (r, "controls")));
        }
        //  sorted by the configured order, the other host's container last
        const cJSON *rows = cJSON_GetObjectItem (h, "containers");
        const cJSON *first = cJSON_GetArrayItem (rows, 0);
        const cJSON *last = cJSON_GetArrayItem (rows, cJSON_GetArraySize (rows) - 1);
        CHECK (cJSON_IsTrue (cJSON_GetObjectItem (first, "configured")));
        CHECK (!cJSON_IsTrue (cJSON_GetObjectItem (last, "configured")));
    }
    CHECK_EQ (configured, 1000);
    CHECK_EQ (other, 20);
    //  the same view from its two parts
    cJSON *top = view_top (true, 3, table);
    CHECK (cJSON_GetObjectItem (top, "hosts") == NULL);
    cJSON_AddItemToObject (top, "hosts", view_hosts (table, conf));
    CHECK (cJSON_Compare (v, top, true));
    char *a = cJSON_PrintUnformatted (v), *b = cJSON_PrintUnformatted (top);
    CHECK_STR (a, b); //  the members in the same order
    free (a);
    free (b);
    cJSON_Delete (top);
    cJSON_Delete (v);
    cJSON_Delete (conf);
    cJSON_Delete (table);
}

//  view_hosts_memo is view_hosts, with each host whose inputs are as they
//  were taken over (its id kept) and the others built again.
static void
s_memo_check (const cJSON *table, const cJSON *conf, const cJSON *hosts)
{
    cJSON *fresh = view_hosts (table, conf);
    char *a = cJSON_PrintUnformatted (fresh), *b = cJSON_PrintUnformatted (hosts);
    CHECK_STR (b, a);
    free (a);
    free (b);
    cJSON_Delete (fresh);
}

DDC_TEST (test_view_hosts_memo)
{
    cJSON *table = cJSON_CreateObject ();
    cJSON *body = ddc_test_parse ("{\"containers\":{\"a\":{\"state\":\"running\"}}}");
    CHECK_EQ (view_table_status (table, "docker@h1", "status", body), 0);
    CHECK_EQ (view_table_status (table, "docker@h2", "status", body), 0);
    CHECK_EQ (view_table_status (table, "discord@bot", "gateway", body), 0);
    CHECK_EQ (view_table_status (table, "docker@h3", "status", body), 0);
    cJSON *conf = ddc_test_parse ("[{\"host\":\"h2\",\"name\":\"a\",\"display_name\":\"A\"}]");
    view_memo_t *memo = view_memo_new ();
    CHECK_EQ (view_memo_id (memo, 0), (uint64_t) 0);
    cJSON *hosts = view_hosts_memo (table, conf, 7, memo, NULL);
    s_memo_check (table, conf, hosts);
    uint64_t id [3];
    for (size_t i = 0; i < 3; i++) {
        id [i] = view_memo_id (memo, i);
        CHECK (id [i] != 0);
    }
    CHECK (id [0] != id [1] && id [1] != id [2]);
    CHECK_EQ (view_memo_id (memo, 3), (uint64_t) 0);
    //  nothing changed: every host taken over, the very same objects
    const cJSON *second = cJSON_GetArrayItem (hosts, 1);
    hosts = view_hosts_memo (table, conf, 7, memo, hosts);
    s_memo_check (table, conf, hosts);
    CHECK (cJSON_GetArrayItem (hosts, 1) == second);
    for (size_t i = 0; i < 3; i++)
        CHECK_EQ (view_memo_id (memo, i), id [i]);
    //  one report changed: that host alone is built again
    cJSON *body2 = ddc_test_parse ("{\"containers\":{\"a\":{\"state\":\"exited\"}}}");
    CHECK_EQ (view_table_status (table, "docker@h3", "status", body2), 0);
    hosts = view_hosts_memo (table, conf, 7, memo, hosts);
    s_memo_check (table, conf, hosts);
    CHECK (view_memo_id (memo, 0) == id [0] && view_memo_id (memo, 1) == id [1]);
    CHECK (view_memo_id (memo, 2) != id [2]);
    id [2] = view_memo_id (memo, 2);
    //  a peer's connection, then the containers section (its revision)
    cJSON *h1 = cJSON_GetArrayItem (cJSON_GetObjectItem (table, "peers"), 0);
    cJSON_ReplaceItemInObject (h1, "connected", cJSON_CreateFalse ());
    hosts = view_hosts_memo (table, conf, 7, memo, hosts);
    s_memo_check (table, conf, hosts);
    CHECK (view_memo_id (memo, 0) != id [0] && view_memo_id (memo, 1) == id [1]);
    id [0] = view_memo_id (memo, 0);
    cJSON_Delete (conf);
    conf = ddc_test_parse ("[{\"host\":\"h2\",\"name\":\"a\",\"display_name\":\"B\"}]");
    hosts = view_hosts_memo (table, conf, 8, memo, hosts);
    s_memo_check (table, conf, hosts);
    for (size_t i = 0; i < 3; i++)
        CHECK (view_memo_id (memo, i) != id [i]);
    for (size_t i = 0; i < 3; i++)
        id [i] = view_memo_id (memo, i);
    //  a host gone: the others taken over at their new places
    cJSON_DeleteItemFromArray (cJSON_GetObjectItem (table, "peers"), 0);
    hosts = view_hosts_memo (table, conf, 8, memo, hosts);
    s_memo_check (table, conf, hosts);
    CHECK (view_memo_id (memo, 0) == id [1] && view_memo_id (memo, 1) == id [2]);
    CHECK_EQ (view_memo_id (memo, 2), (uint64_t) 0);
    //  without the hosts before, every host is built again
    cJSON_Delete (hosts);
    hosts = view_hosts_memo (table, conf, 8, memo, NULL);
    s_memo_check (table, conf, hosts);
    CHECK (view_memo_id (memo, 0) != id [1] && view_memo_id (memo, 1) != id [2]);
    cJSON_Delete (hosts);
    view_memo_destroy (&memo);
    CHECK (memo == NULL);
    view_memo_destroy (&memo);
    cJSON_Delete (body);
    cJSON_Delete (body2);
    cJSON_Delete (conf);
    cJSON_Delete (table);
}

DDC_TEST (test_view_from_peers)
{
    cJSON *table = ddc_test_parse (
        "{\"broker\":{\"rev\":5},\"peers\":["
        "{\"name\":\"docker@nas\",\"role\":\"docker\",\"instance\":\"nas\",\"connected\":true,"
        " \"applied_rev\":5,\"applied\":{\"containers\":4},\"rejected\":null,"
        " \"status\":{\"status\":{\"host\":\"nas\",\"docker\":{\"reachable\":true,\"version\":\"20."
        "10\"},"
        "   "
        "\"containers\":{\"zz\":{\"state\":\"exited\"},\"db\":{\"state\":\"running\",\"uptime_s\":"
        "90,\"cpu_percent\":12.5,\"mem_bytes\":1572864}}},"
        "  "
        "\"inventory\":{\"host\":\"nas\",\"containers\":[{\"name\":\"zz\",\"image\":\"i\"},{"
        "\"name\":\"db\"}]}}},"
        "{\"name\":\"discord@bot\",\"role\":\"discord\",\"connected\":true,"
        " \"status\":{\"gateway\":{\"state\":\"connected\",\"user\":\"ddc#1\"}}},"
        "{\"name\":\"web@x\",\"connected\":false,\"rejected\":{\"section\":\"bot\",\"rev\":4}}]}");
    cJSON *conf =
        ddc_test_parse ("[{\"host\":\"nas\",\"name\":\"zz\",\"display_name\":\"Zed\",\"order\":1},"
                        "{\"host\":\"nas\",\"name\":\"db\",\"order\":2,\"active\":false}]");
    cJSON *v = view_build (true, 5, table, conf);
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (v, "peers")), 3);
    cJSON *host = cJSON_GetArrayItem (cJSON_GetObjectItem (v, "hosts"), 0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (host, "host")), "nas");
    cJSON *rows = cJSON_GetObjectItem (host, "containers");
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItem (cJSON_GetArrayItem (rows, 0), "display_name")),
               "Zed");
    CHECK (cJSON_IsFalse (cJSON_GetObjectItem (cJSON_GetArrayItem (rows, 1), "active")));
    cJSON *gw = cJSON_GetArrayItem (cJSON_GetObjectItem (v, "gateway"), 0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (gw, "state")), "connected");
    cJSON *inv = view_inventory (table, conf);
    CHECK_EQ (cJSON_GetArraySize (inv), 2);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (inv, 0), "name")),
               "db");
    cJSON *states = view_states (table);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (states, "nas/zz")), "exited");
    //  a live status report changes the table
    cJSON *body =
        ddc_test_parse ("{\"host\":\"nas\",\"containers\":{\"zz\":{\"state\":\"running\"}}}");
    CHECK_EQ (view_table_status (table, "docker@nas", "status", body), 0);
    CHECK_EQ (view_table_status (table, "docker@new", "status", body), 0);
    CHECK_EQ (view_table_status (table, "", "status", body), -1);
    cJSON_Delete (states);
    states = view_states (table);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (states, "nas/zz")), "running");
    //  rendered fragments, escaped
    i18n_t *t = s_i18n ();
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 20);
    render_dashboard (b, &rc, v);
    CHECK (strstr (ddc_buf_text (b), "data-container=\"nas/zz\"")
           && strstr (ddc_buf_text (b), "Zed"));
    CHECK (strstr (ddc_buf_text (b), "discord@bot") && strstr (ddc_buf_text (b), "1 min"));
    //  numbers in their cells, a dash where none was reported
    CHECK (strstr (ddc_buf_text (b), "data-label=\"Applied revision\">5</td>"));
    CHECK (strstr (ddc_buf_text (b), "data-label=\"CPU\">12.5 %</td>"));
    CHECK (strstr (ddc_buf_text (b), "data-label=\"Memory\">1.5 MiB</td>"));
    CHECK (strstr (ddc_buf_text (b), "data-label=\"CPU\">\xE2\x80\x94</td>"));
    CHECK (strstr (ddc_buf_text (b), "data-label=\"Up for\">\xE2\x80\x94</td>"));
    s_safe (ddc_buf_text (b));
    cJSON_Delete (body);
    cJSON_Delete (states);
    cJSON_Delete (inv);
    cJSON_Delete (v);
    //  Docker away: the host says since when, the states read "unknown"
    cJSON *down = ddc_test_parse (
        "{\"peers\":[{\"name\":\"docker@nas\",\"connected\":true,\"status\":{\"status\":"
        "{\"host\":\"nas\",\"docker\":{\"reachable\":false,\"error\":\"docker socket /s: gone\","
        "\"unreachable_since\":\"2026-11-27T09:00:00Z\"},\"containers\":{\"zz\":{\"state\":"
        "\"unknown\","
        "\"reason\":\"Docker unreachable since 2026-11-27T09:00:00Z\",\"last_state\":\"running\","
        "\"uptime_s\":null}}}}}]}");
    v = view_build (true, 5, down, conf);
    ddc_buf_reset (b);
    render_view_hosts (b, &rc, v);
    CHECK (strstr (ddc_buf_text (b), "Docker unreachable"));
    CHECK (strstr (ddc_buf_text (b),
                   "Unreachable since <span class=\"mono\">2026-11-27T09:00:00Z</span>: "
                   "docker socket /s: gone"));
    CHECK (strstr (ddc_buf_text (b), "data-state=\"unknown\""));
    cJSON_Delete (v);
    cJSON_Delete (down);
    //  a ready gateway with an error (a guild refused the slash commands) warns
    for (int k = 0; k < 2; k++) {
        cJSON *ready = ddc_test_parse (
            k == 0
                ? "{\"peers\":[{\"name\":\"discord@bot\",\"role\":\"discord\",\"connected\":true,"
                  "\"status\":{\"gateway\":{\"state\":\"ready\",\"error\":\"slash commands not "
                  "registered in guild 1: HTTP 403\"}}}]}"
                : "{\"peers\":[{\"name\":\"discord@bot\",\"role\":\"discord\",\"connected\":true,"
                  "\"status\":{\"gateway\":{\"state\":\"ready\",\"error\":null}}}]}");
        v = view_build (true, 5, ready, conf);
        ddc_buf_reset (b);
        render_view_gateway (b, &rc, v);
        CHECK_EQ (!strstr (ddc_buf_text (b), "badge warn"), (k == 1));
        CHECK_EQ (!strstr (ddc_buf_text (b), "HTTP 403"), (k == 1));
        cJSON_Delete (v);
        cJSON_Delete (ready);
    }
    //  nothing at all
    v = view_build (false, 0, NULL, NULL);
    ddc_buf_reset (b);
    render_view_hosts (b, &rc, v);
    render_view_gateway (b, &rc, v);
    render_view_services (b, &rc, v);
    CHECK (strstr (ddc_buf_text (b), "No Docker agent"));
    cJSON_Delete (v);
    ddc_buf_destroy (&b);
    i18n_destroy (&t);
    cJSON_Delete (conf);
    cJSON_Delete (table);
}

//  Count of needle in hay.
static int
s_count (const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr (p, needle)) != NULL; p++)
        n++;
    return n;
}

DDC_TEST (test_containers_page_states)
{
    i18n_t *t = s_i18n ();
    cJSON *v = ddc_test_parse ("[{\"host\":\"nas\",\"name\":\"plex\",\"order\":120},"
                               "{\"host\":\"nas\",\"name\":\"ddc-shot-valheim\",\"order\":-3}]");
    cJSON *inv = ddc_test_parse (
        "[{\"host\":\"nas\",\"name\":\"db\",\"image\":\"postgres\",\"state\":\"running\"},"
        "{\"host\":\"nas\",\"name\":\"old\",\"state\":\"exited\"},"
        "{\"host\":\"nas\",\"name\":\"plex\",\"image\":\"plexinc/pms\",\"state\":\"running\"}]");
    cJSON *states = ddc_test_parse ("{\"nas/plex\":\"exited\",\"other/db\":\"dead\"}");
    rsection_t d = { .value = v, .rev = 4, .inventory = inv, .states = states };
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    const char *html = ddc_buf_text (b);
    //  found by the agent, not configured: the inventory's state
    CHECK (strstr (html, "data-container=\"nas/db\" data-state=\"running\">running</span>"));
    CHECK (strstr (html, "data-container=\"nas/old\" data-state=\"exited\">exited</span>"));
    //  configured: the live status report before the inventory, its image
    CHECK (strstr (html, "data-container=\"nas/plex\" data-state=\"exited\">exited</span>"));
    CHECK (strstr (html, "plexinc/pms"));
    //  configured, reported by nobody
    CHECK (strstr (html, "data-container=\"nas/ddc-shot-valheim\" data-state=\"unknown\">"
                         "\xE2\x80\x94</span>"));
    CHECK_EQ (s_count (html, "<tr class=\"discovered\">"), 2);
    //  numbers as typed: whole ones without a fraction
    CHECK (strstr (html, "name=\"containers[0].order\" value=\"120\""));
    CHECK (strstr (html, "name=\"containers[1].order\" value=\"-3\""));
    //  the found ones apart, outside the form, each with its "add" link
    CHECK (strstr (html, "</form><section id=\"discovered\""));
    CHECK (strstr (html, "href=\"/containers?add=nas%2Fold#configured\""));
    CHECK (!strstr (html, "containers[2]."));
    CHECK (strstr (html, "data-next-index=\"2\""));
    //  every input of a row is labelled
    CHECK (strstr (html,
                   "name=\"containers[0].active\" value=\"1\" checked><span class=\"sr\">Active"));
    CHECK (strstr (html,
                   "name=\"containers[0].display_name\" value=\"\" maxlength=\"100\" size=\"18\" "
                   "aria-label=\"Display name\""));
    CHECK (strstr (html, "aria-label=\"Role IDs that may restart\""));
    //  German: the same states in German, data-state as reported
    rc = s_rc (t, "de", true);
    ddc_buf_reset (b);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    html = ddc_buf_text (b);
    CHECK (strstr (html, "data-container=\"nas/db\" data-state=\"running\">l\xC3\xA4uft</span>"));
    CHECK (strstr (html, "data-container=\"nas/plex\" data-state=\"exited\">beendet</span>"));
    //  a state the locale does not know is shown as it is
    cJSON_ReplaceItemInObject (states, "nas/plex", cJSON_CreateString ("hibernating<"));
    ddc_buf_reset (b);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    CHECK (strstr (ddc_buf_text (b), "data-state=\"hibernating&lt;\">hibernating&lt;</span>"));
    ddc_buf_destroy (&b);
    cJSON_Delete (states);
    cJSON_Delete (inv);
    cJSON_Delete (v);
    i18n_destroy (&t);
}

//  The attribute's value after needle in hay into out[n] ("" when none).
static void
s_after (const char *hay, const char *needle, char *out, size_t n)
{
    const char *p = strstr (hay, needle);
    out [0] = '\0';
    if (!p)
        return;
    p += strlen (needle);
    size_t k = 0;
    while (p [k] && p [k] != '"' && k + 1 < n) {
        out [k] = p [k];
        k++;
    }
    out [k] = '\0';
}

DDC_TEST (test_containers_page_search_and_pages)
{
    i18n_t *t = s_i18n ();
    //  20 agents of 50 containers each, one configured on host-3, and two
    //  agents of one engine listing the same container under two names
    ddc_buf_t *tb = ddc_buf_new (1 << 22);
    ddc_buf_puts (tb, "{\"peers\":[");
    for (int h = 1; h <= 20; h++) {
        ddc_buf_printf (tb,
                        "%s{\"name\":\"docker@host-%d\",\"role\":\"docker\",\"instance\":\"host-%"
                        "d\","
                        "\"status\":{\"inventory\":{\"host\":\"host-%d\",\"containers\":[",
                        h > 1 ? "," : "", h, h, h);
        for (int c = 1; c <= 50; c++)
            ddc_buf_printf (tb,
                            "%s{\"name\":\"app-%02d-%02d\",\"id\":\"id-%d-%d\",\"image\":\"img/"
                            "%d\","
                            "\"state\":\"%s\"}",
                            c > 1 ? "," : "", h, c, h, c, c, c % 10 == 0 ? "exited" : "running");
        ddc_buf_puts (tb, "]}}}");
    }
    ddc_buf_puts (tb,
                  ",{\"name\":\"docker@twin-a\",\"status\":{\"inventory\":{\"host\":\"twin-a\","
                  "\"containers\":[{\"name\":\"shared\",\"id\":\"same\",\"state\":\"running\"}]}}},"
                  "{\"name\":\"docker@twin-b\",\"status\":{\"inventory\":{\"host\":\"twin-b\","
                  "\"containers\":[{\"name\":\"shared\",\"id\":\"same\",\"state\":\"running\"}]}}},"
                  "{\"name\":\"docker@host-1b\",\"instance\":\"host-1b\",\"status\":{\"inventory\":"
                  "{\"host\":\"host-1\",\"containers\":[{\"name\":\"app-01-01\",\"id\":\"id-1-1\"}]"
                  "}}}]}");
    cJSON *table = ddc_test_parse (ddc_buf_text (tb));
    ddc_buf_destroy (&tb);
    cJSON *v = ddc_test_parse (
        "[{\"host\":\"host-3\",\"name\":\"app-03-07\",\"display_name\":\"Seven\"}]");
    cJSON *inv = view_inventory (table, v);
    //  1,000 + the shared one once; host-1's second agent adds nothing
    CHECK_EQ (cJSON_GetArraySize (inv), 1001);
    //  the table keeps each inventory row as one string: the same rows
    char *before = cJSON_PrintUnformatted (inv);
    view_table_compact (table);
    const cJSON *kept = cJSON_GetObjectItem (
        cJSON_GetObjectItem (cJSON_GetObjectItem (cJSON_GetArrayItem (cJSON_GetObjectItem (table,
                                                                                           "peers"),
                                                                      0),
                                                  "status"),
                             "inventory"),
        "containers");
    CHECK (kept && cJSON_IsString (kept->child));
    CHECK_EQ (cJSON_GetArraySize (kept), 50);
    cJSON *again = view_inventory (table, v);
    char *after = cJSON_PrintUnformatted (again);
    CHECK_STR (after, before);
    free (before);
    free (after);
    cJSON_Delete (again);
    //  and so does a live inventory report; a row whose value holds a tab goes
    cJSON *report = ddc_test_parse (
        "{\"host\":\"host-2\",\"reachable\":true,\"containers\":[{\"name\":\"a\",\"id\":\"x\","
        "\"image\":\"i\",\"state\":\"running\",\"status\":\"Up\"},{\"name\":\"b\","
        "\"image\":\"bad\\timage\"}]}");
    CHECK_EQ (view_table_status (table, "docker@host-2", "inventory", report), 0);
    cJSON_Delete (report);
    cJSON *one = view_inventory_compact (
        cJSON_GetObjectItem (cJSON_GetObjectItem (cJSON_GetArrayItem (cJSON_GetObjectItem (table,
                                                                                           "peers"),
                                                                      1),
                                                  "status"),
                             "inventory"));
    char *text = cJSON_PrintUnformatted (one);
    CHECK_STR (text, "{\"host\":\"host-2\",\"reachable\":true,\"containers\":["
                     "\"a\\tx\\ti\\trunning\\tUp\"]}");
    free (text);
    cJSON_Delete (one);
    const cJSON *each, *shared = NULL;
    cJSON_ArrayForEach (each, inv)
        if (strcmp (cJSON_GetStringValue (cJSON_GetObjectItem (each, "name")), "shared") == 0)
            shared = each;
    CHECK (shared
           && strcmp (cJSON_GetStringValue (cJSON_GetObjectItem (shared, "host")), "twin-a") == 0);
    CHECK_EQ (cJSON_GetNumberValue (cJSON_GetObjectItem (shared, "agents")), 2);
    cJSON *states = cJSON_CreateObject ();
    rsection_t d = { .value = v, .rev = 9, .inventory = inv, .states = states };
    rctx_t rc = s_rc (t, "en", true);
    ddc_buf_t *b = ddc_buf_new (1 << 22);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    const char *html = ddc_buf_text (b);
    char attr [64];
    //  a page of 50 of the 1,000 found ones, small
    CHECK_EQ (s_count (html, "<tr class=\"discovered\">"), 50);
    s_after (html, "data-total=\"", attr, sizeof (attr));
    CHECK_STR (attr, "1000");
    CHECK (ddc_buf_len (b) < 100 * 1024);
    CHECK (strstr (html, "href=\"/containers?page=2#discovered\" data-page=\"2\" rel=\"next\""));
    CHECK (strstr (html, "href=\"/containers?page=20#discovered\" data-page=\"20\" rel=\"last\""));
    CHECK (strstr (html, "1–50 of 1000 (page 1)"));
    CHECK (strstr (html, "name=\"containers[0].display_name\" value=\"Seven\""));
    s_safe (html);
    //  the last page
    d.page = 99;
    ddc_buf_reset (b);
    render_discovered (b, &rc, &d);
    html = ddc_buf_text (b);
    CHECK_EQ (s_count (html, "<tr class=\"discovered\">"), 50);
    CHECK (strstr (html, "951–1000 of 1000 (page 20)"));
    CHECK (strstr (html, ">twin-a <small class=\"muted\">(seen by 2 agents)</small>"));
    CHECK (strstr (html, ">twin-b<") == NULL);
    CHECK (!strstr (html, "rel=\"next\""));
    //  search: every word in the name, host, state or image, any case
    d.page = 0;
    d.query = "HOST-12 exited";
    ddc_buf_reset (b);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    html = ddc_buf_text (b);
    CHECK_EQ (s_count (html, "<tr class=\"discovered\">"), 5);
    CHECK (strstr (html, ">app-12-10<") && strstr (html, ">app-12-50<")
           && !strstr (html, ">app-12-11<"));
    CHECK (!strstr (html, "rel=\"next\""));
    CHECK (strstr (html,
                   "name=\"q\" maxlength=\"100\" autocomplete=\"off\" value=\"HOST-12 exited\""));
    //  the configured row stays in the form, hidden, so it is still saved
    CHECK (
        strstr (html, "<tr hidden><td data-field=\"containers[0].active\" data-label=\"Active\">"));
    d.query = "app-0";
    d.page = 2;
    ddc_buf_reset (b);
    render_discovered (b, &rc, &d);
    CHECK (strstr (ddc_buf_text (b), "href=\"/containers?q=app-0&amp;page=3#discovered\""));
    d.query = "<nothing>";
    ddc_buf_reset (b);
    render_discovered (b, &rc, &d);
    CHECK (strstr (ddc_buf_text (b), "matches “&lt;nothing&gt;”"));
    //  ?add=host/name: a configured row more, not yet saved
    d.query = NULL;
    d.page = 0;
    d.add = "host-5/app-05-02";
    ddc_buf_reset (b);
    render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
    html = ddc_buf_text (b);
    CHECK (strstr (html, "name=\"containers[1].name\" value=\"app-05-02\""));
    CHECK (strstr (html, "name=\"containers[1].display_name\" value=\"app-05-02\""));
    CHECK (strstr (html, "data-next-index=\"2\""));
    //  one already configured, or a malformed one, adds nothing
    const char *bad [] = { "host-3/app-03-07", "nohost", "/x", "x/", NULL };
    for (int k = 0; bad [k]; k++) {
        d.add = bad [k];
        ddc_buf_reset (b);
        render_section (b, &rc, DDC_SEC_CONTAINERS, &d);
        CHECK (!strstr (ddc_buf_text (b), "containers[1]."));
    }
    ddc_buf_destroy (&b);
    cJSON_Delete (states);
    cJSON_Delete (inv);
    cJSON_Delete (v);
    cJSON_Delete (table);
    i18n_destroy (&t);
}

DDC_TEST (test_dashboard_in_german)
{
    i18n_t *t = s_i18n ();
    cJSON *table = ddc_test_parse (
        "{\"peers\":[{\"name\":\"docker@nas\",\"role\":\"docker\",\"connected\":true,"
        " \"status\":{\"status\":{\"host\":\"nas\",\"docker\":{\"reachable\":true},"
        "   \"containers\":{\"db\":{\"state\":\"running\",\"health\":\"healthy\"},"
        "                  \"zz\":{\"state\":\"exited\"}}}}},"
        "{\"name\":\"discord@bot\",\"role\":\"discord\",\"connected\":true,"
        " \"status\":{\"gateway\":{\"state\":\"ready\"}}}]}");
    cJSON *v = view_build (true, 3, table, NULL);
    rctx_t rc = s_rc (t, "de", true);
    ddc_buf_t *b = ddc_buf_new (1 << 20);
    render_dashboard (b, &rc, v);
    const char *html = ddc_buf_text (b);
    CHECK (strstr (html, "data-state=\"running\"><span class=\"badge ok\">l\xC3\xA4uft</span>"));
    CHECK (strstr (html, "data-state=\"exited\"><span class=\"badge off\">beendet</span>"));
    CHECK (strstr (html, "<span class=\"badge ok\">gesund</span>"));
    CHECK (strstr (html, "data-peer=\"discord@bot\" data-state=\"ready\">"));
    CHECK (strstr (html, "<span class=\"badge ok\">bereit</span>"));
    CHECK (strstr (html, ">running<") == NULL && strstr (html, ">ready<") == NULL);
    rc = s_rc (t, "en", true);
    ddc_buf_reset (b);
    render_dashboard (b, &rc, v);
    html = ddc_buf_text (b);
    CHECK (strstr (html, "<span class=\"badge ok\">running</span>"));
    CHECK (strstr (html, "<span class=\"badge ok\">ready</span>"));
    ddc_buf_destroy (&b);
    cJSON_Delete (v);
    cJSON_Delete (table);
    i18n_destroy (&t);
}

//  A page rendered once for every session (the token's places marked)
//  and given a session's token is the page rendered for that session.
DDC_TEST (test_pages_kept_for_every_session)
{
    i18n_t *t = s_i18n ();
    const char *token = "AbC-_123tok";
    cJSON *inv = ddc_test_parse ("[{\"host\":\"nas\",\"name\":\"db\",\"state\":\"running\"}]");
    cJSON *states = ddc_test_parse ("{}");
    cJSON *value = ddc_test_parse ("[{\"host\":\"nas\",\"name\":\"plex\",\"id\":\"1\"}]");
    const char *langs [] = { "en", "de" };
    ddc_buf_t *direct = ddc_buf_new (1 << 22), *kept = ddc_buf_new (1 << 22);
    for (int l = 0; l < 2; l++)
        for (int s = 0; s <= DDC_SEC_COUNT; s++) {
            rctx_t rc = s_rc (t, langs [l], true);
            rc.csrf = token;
            rctx_t shared = rc;
            shared.csrf = "";
            shared.csrf_mark = true;
            ddc_buf_reset (direct);
            ddc_buf_reset (kept);
            if (s == DDC_SEC_COUNT) { //  the dashboard
                cJSON *v = view_build (true, 1, NULL, NULL);
                render_dashboard (direct, &rc, v);
                render_dashboard (kept, &shared, v);
                cJSON_Delete (v);
            }
            else {
                rsection_t d = {
                    .value = value, .rev = 2, .inventory = inv, .states = states, .containers = value
                };
                render_begin (direct, &rc, "t");
                render_section (direct, &rc, (ddc_section_t) s, &d);
                render_end (direct, &rc);
                render_begin (kept, &shared, "t");
                render_section (kept, &shared, (ddc_section_t) s, &d);
                render_end (kept, &shared);
            }
            const size_t *at;
            //  the sign-out form, the section's own form, and the form of
            //  the container actions (the dashboard, the containers page)
            CHECK_EQ (ddc_buf_marks (kept, &at), (s == DDC_SEC_COUNT        ? 2u
                                                  : s == DDC_SEC_CONTAINERS ? 3u
                                                                            : 2u));
            char *spliced = s_splice (kept, token);
            CHECK_STR (spliced, ddc_buf_text (direct));
            free (spliced);
            CHECK (strstr (ddc_buf_text (kept), token) == NULL);
        }
    ddc_buf_destroy (&direct);
    ddc_buf_destroy (&kept);
    cJSON_Delete (value);
    cJSON_Delete (states);
    cJSON_Delete (inv);
    i18n_destroy (&t);
}

DDC_TEST (test_metrics_text)
{
    metrics_t m = { 0 };
    metrics_request (&m, 200);
    metrics_request (&m, 303);
    metrics_request (&m, 503);
    metrics_request (&m, 999);
    m.saves [METRIC_SAVE_CONFLICT] = 2;
    m.broker_up = true;
    m.revision = 42;
    ddc_metrics_t *reg = ddc_metrics_new ();
    metrics_report (&m, reg);
    cJSON *body = ddc_metrics_json (reg);
    ddc_metrics_destroy (&reg);
    ddc_metrics_source_t src = { "web", "w1", body };
    size_t len;
    char *t = ddc_metrics_render (&src, 1, &len);
    CHECK (strstr (t, "ddc_web_requests_total{code=\"200\",service=\"web\",host=\"w1\"} 1\n"));
    CHECK (strstr (t, "ddc_web_requests_total{code=\"503\",service=\"web\",host=\"w1\"} 1\n"));
    CHECK (!strstr (t, "code=\"999\""));
    CHECK (strstr (t, "ddc_web_saves_total{result=\"conflict\",service=\"web\",host=\"w1\"} 2\n"));
    CHECK (strstr (t, "ddc_web_broker_up{service=\"web\",host=\"w1\"} 1\n"));
    CHECK (strstr (t, "ddc_web_config_revision{service=\"web\",host=\"w1\"} 42\n"));
    CHECK (strstr (t, "# TYPE ddc_web_saves_total counter\n"));
    free (t);
    cJSON_Delete (body);
}

DDC_TEST (test_command_line)
{
    opts_t o;
    char err [256];
    char *argv1 [] = { "ddc-web",  "--broker",   "ipc:///x/ctl.sock",
                       "--listen", "[::1]:8080", "--setup-code-file",
                       "/tmp/c",   "-v",         NULL };
    CHECK_EQ (opts_parse (&o, 8, argv1, err, sizeof (err)), 0);
    CHECK_STR (o.broker, "ipc:///x/ctl.sock");
    CHECK_STR (o.host, "::1");
    CHECK_STR (o.port, "8080");
    CHECK_STR (o.setup_code_file, "/tmp/c");
    CHECK_EQ (o.verbose, 1);
    CHECK_EQ (o.log_idle_s, 600);
    char *argv1l [] = { "ddc-web", "--broker", "ipc:///x", "--log-idle", "5", NULL };
    CHECK (opts_parse (&o, 5, argv1l, err, sizeof (err)) == 0 && o.log_idle_s == 5);
    char *argv1b [] = { "ddc-web", "--broker", "ipc:///x", "--log-idle", "0", NULL };
    CHECK (opts_parse (&o, 5, argv1b, err, sizeof (err)) == -1 && strstr (err, "--log-idle"));
    //  tcp:// without certificates: refused unless --insecure
    char *argv2 [] = { "ddc-web", "--broker", "tcp://b:5555", NULL };
    CHECK (opts_parse (&o, 3, argv2, err, sizeof (err)) == -1 && strstr (err, "--insecure"));
    char *argv2i [] = { "ddc-web", "--broker", "tcp://b:5555", "--insecure", NULL };
    CHECK (opts_parse (&o, 4, argv2i, err, sizeof (err)) == 0 && o.insecure);
    CHECK_STR (o.host, "127.0.0.1");
    CHECK_STR (o.port, "9374");
    //  the environment, and a flag over its variable
    setenv ("DDC_BROKER", "tcp://env:7401", 1);
    setenv ("DDC_CERT", "/env/web.cert", 1);
    setenv ("DDC_BROKER_CERT", "/env/broker.cert", 1);
    char *argv2e [] = { "ddc-web", "--cert", "/flag/web.cert", NULL };
    CHECK_EQ (opts_parse (&o, 3, argv2e, err, sizeof (err)), 0);
    CHECK_STR (o.broker, "tcp://env:7401");
    CHECK_STR (o.cert, "/flag/web.cert");
    CHECK_STR (o.broker_cert, "/env/broker.cert");
    unsetenv ("DDC_BROKER");
    unsetenv ("DDC_CERT");
    unsetenv ("DDC_BROKER_CERT");
    char *argv3 [] = { "ddc-web", "--broker", "x", "--listen", "1.2.3.4:0", NULL };
    CHECK (opts_parse (&o, 5, argv3, err, sizeof (err)) == -1 && strstr (err, "--listen"));
    char *argv4 [] = { "ddc-web", "--broker", "tcp://b:1", "--cert", "/c", NULL };
    CHECK (opts_parse (&o, 5, argv4, err, sizeof (err)) == -1 && strstr (err, "CURVE"));
    char *argv5 [] = { "ddc-web", "extra", NULL };
    CHECK_EQ (opts_parse (&o, 2, argv5, err, sizeof (err)), -1);
    char *argv6 [] = { "ddc-web", "--help", NULL };
    CHECK (opts_parse (&o, 2, argv6, err, sizeof (err)) == 0 && o.help);
    char host [64], port [8];
    CHECK_EQ (opts_listen (":9000", host, sizeof (host), port, sizeof (port)), 0);
    CHECK_STR (host, "0.0.0.0");
    CHECK_EQ (opts_listen ("::1:80", host, sizeof (host), port, sizeof (port)), -1);
    CHECK_EQ (opts_listen ("h:99999", host, sizeof (host), port, sizeof (port)), -1);
    CHECK_EQ (opts_listen ("h:", host, sizeof (host), port, sizeof (port)), -1);
    CHECK_EQ (opts_listen ("[]:80", host, sizeof (host), port, sizeof (port)), -1);
    CHECK_EQ (opts_listen ("h:+80", host, sizeof (host), port, sizeof (port)), -1);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_locale_files);
    DDC_RUN (test_section_pages_escape);
    DDC_RUN (test_errors_at_their_inputs);
    DDC_RUN (test_status_only_container_is_said);
    DDC_RUN (test_limits_from_rows);
    DDC_RUN (test_other_pages);
    DDC_RUN (test_human_labels);
    DDC_RUN (test_next_steps);
    DDC_RUN (test_activity_page);
    DDC_RUN (test_logtail);
    DDC_RUN (test_container_controls_and_logs);
    DDC_RUN (test_diff);
    DDC_RUN (test_view_configured_lookup);
    DDC_RUN (test_view_hosts_memo);
    DDC_RUN (test_view_from_peers);
    DDC_RUN (test_containers_page_states);
    DDC_RUN (test_containers_page_search_and_pages);
    DDC_RUN (test_dashboard_in_german);
    DDC_RUN (test_broker_times);
    DDC_RUN (test_pages_kept_for_every_session);
    DDC_RUN (test_metrics_text);
    DDC_RUN (test_command_line);
    DDC_DONE ();
}
