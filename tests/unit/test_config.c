/*  test_config: unit tests for ddc_config (document model, validator,
    redaction, diff) and ddc_tz_valid. */
#include "ddc_config.h"
#include "ddc_i18n.h"
#include "ddc_test.h"
#include "ddc_test_json.h"
#include "ddc_tz.h"
#include "ddc_util.h"

#include <stdarg.h>

//  --------------------------------------------------------------------------
//  Helpers

static cJSON *
s_json (const char *text)
{
    cJSON *json = ddc_test_parse (text);
    if (!json)
        fprintf (stderr, "bad test JSON: %s\n", text);
    return json;
}

//  Validate a section given as JSON text against an optional doc.
//  Returns the normalised value (or NULL); *errors_p gets the errors.

static cJSON *
s_check (ddc_section_t s, const char *text, const char *doc_text, cJSON **errors_p)
{
    cJSON *value = s_json (text);
    cJSON *doc = doc_text ? s_json (doc_text) : NULL;
    cJSON *errors = cJSON_CreateArray ();
    cJSON *out = ddc_config_validate_section (s, value, doc, errors);
    cJSON_Delete (value);
    cJSON_Delete (doc);
    *errors_p = errors;
    return out;
}

//  True if errors has an entry with this field and reason.

static bool
s_has (const cJSON *errors, const char *field, const char *reason)
{
    const cJSON *e;
    cJSON_ArrayForEach (e, errors) {
        const char *f = cJSON_GetStringValue (cJSON_GetObjectItem (e, "field"));
        const char *r = cJSON_GetStringValue (cJSON_GetObjectItem (e, "reason"));
        const char *m = cJSON_GetStringValue (cJSON_GetObjectItem (e, "message"));
        if (f && r && m && *m && strcmp (f, field) == 0 && strcmp (r, reason) == 0)
            return true;
    }
    return false;
}

static void
s_dump (const cJSON *errors)
{
    char *text = cJSON_Print (errors);
    fprintf (stderr, "errors: %s\n", text);
    free (text);
}

//  Expect the section value to fail with (field, reason) among its errors.

static bool
s_rejects (ddc_section_t s, const char *text, const char *doc_text, const char *field,
           const char *reason)
{
    cJSON *errors;
    cJSON *out = s_check (s, text, doc_text, &errors);
    bool ok = !out && s_has (errors, field, reason);
    if (!ok) {
        fprintf (stderr, "expected %s/%s for %s\n", field, reason, text);
        s_dump (errors);
    }
    cJSON_Delete (out);
    cJSON_Delete (errors);
    return ok;
}

//  Expect the section value to pass; returns the normalised copy.

static cJSON *
s_accepts (ddc_section_t s, const char *text, const char *doc_text)
{
    cJSON *errors;
    cJSON *out = s_check (s, text, doc_text, &errors);
    if (!out || cJSON_GetArraySize (errors) != 0) {
        fprintf (stderr, "expected success for %s\n", text);
        s_dump (errors);
    }
    cJSON_Delete (errors);
    return out;
}

static bool
s_ok (ddc_section_t s, const char *text, const char *doc_text)
{
    cJSON *out = s_accepts (s, text, doc_text);
    cJSON_Delete (out);
    return out != NULL;
}

//  Build a containers element / task with one field replaced via printf.

static char *s_fmt (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static char *
s_fmt (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    char *text = NULL;
    if (vasprintf (&text, fmt, args) < 0)
        text = NULL;
    va_end (args);
    return text;
}

static char *
s_repeat (char c, size_t n)
{
    char *text = ddc_malloc (n + 1);
    memset (text, c, n);
    text [n] = 0;
    return text;
}

static const char *s_example =
    "{ \"bot\": {\"token\": \"\", \"guild_id\": \"\", \"language\": \"en\", \"timezone\": \"UTC\"},"
    "  \"containers\": [{\"host\": \"local\", \"name\": \"plex\", \"active\": true, "
    "\"display_name\": \"Plex\","
    "                  \"order\": 1, \"allowed_actions\": [\"start\", \"stop\", \"restart\"],"
    "                  \"info\": {\"enabled\": false, \"text\": \"\"}}],"
    "  \"channels\": [{\"id\": \"1100000000000000200\", \"name\": \"server-status\", \"kind\": "
    "\"status\","
    "                  \"post_initial\": true, \"refresh_minutes\": 5, \"recreate_minutes\": 10}],"
    "  \"admins\": [{\"id\": \"334455667788990011\", \"note\": \"Max\"}],"
    "  \"spam\": {\"enabled\": true, \"command_cooldowns\": {\"serverstatus\": 30},"
    "             \"button_cooldowns\": {\"restart\": 20}},"
    "  \"tasks\": [{\"id\": \"t1\", \"host\": \"local\", \"container\": \"plex\", \"action\": "
    "\"restart\","
    "              \"cycle\": \"daily\", \"time\": \"04:00\", \"timezone\": \"Europe/Berlin\", "
    "\"active\": true}],"
    "  \"watchdog\": {\"enabled\": false, \"url\": \"\", \"fail_url\": \"\", \"interval_minutes\": "
    "5},"
    "  \"web\": {\"password_hash\": \"\", \"session_idle_minutes\": 30, \"ui_language\": \"en\"} }";

static const char *s_doc_plex =
    "{\"containers\": [{\"host\": \"local\", \"name\": \"plex\"}],"
    " \"tasks\": [{\"id\": \"t1\", \"host\": \"local\", \"container\": \"plex\","
    "            \"action\": \"restart\", \"cycle\": \"daily\", \"time\": \"04:00\"}]}";

#define TASK(extra)                                                    \
    "[{\"id\": \"t1\", \"host\": \"local\", \"container\": \"plex\", " \
    "\"action\": \"restart\"" extra "}]"


//  --------------------------------------------------------------------------
//  Tests

DDC_TEST (test_section_names)
{
    CHECK_STR (ddc_section_name (DDC_SEC_BOT), "bot");
    CHECK_STR (ddc_section_name (DDC_SEC_CONTAINERS), "containers");
    CHECK_STR (ddc_section_name (DDC_SEC_WEB), "web");
    CHECK (ddc_section_name (DDC_SEC_COUNT) == NULL);
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        CHECK_EQ (ddc_section_from_name (ddc_section_name ((ddc_section_t) s)), s);
    CHECK_EQ (ddc_section_from_name ("Bot"), -1);
    CHECK_EQ (ddc_section_from_name ("_meta"), -1);
    CHECK (ddc_section_from_name (NULL) == -1);
    CHECK_STR (ddc_section_secrets (DDC_SEC_BOT) [0], "token");
    CHECK (ddc_section_secrets (DDC_SEC_BOT) [1] == NULL);
    CHECK_STR (ddc_section_secrets (DDC_SEC_WEB) [0], "password_hash");
    CHECK_STR (ddc_section_secrets (DDC_SEC_WEB) [1], "metrics_token");
    CHECK (ddc_section_secrets (DDC_SEC_WEB) [2] == NULL);
    CHECK (ddc_section_secrets (DDC_SEC_SPAM) [0] == NULL);
    CHECK (ddc_section_secrets (DDC_SEC_CONTAINERS) [0] == NULL);
}

DDC_TEST (test_default_roundtrip)
{
    cJSON *def = ddc_config_default ();
    CHECK_EQ (cJSON_GetArraySize (def), DDC_SEC_COUNT);
    cJSON *errors = cJSON_CreateArray ();
    cJSON *norm = ddc_config_validate_document (def, errors);
    CHECK (norm != NULL);
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    CHECK (ddc_json_equal (norm, def));
    //  Same text too: canonical order is stable
    char *a = cJSON_PrintUnformatted (def), *b = cJSON_PrintUnformatted (norm);
    CHECK_STR (a, b);
    free (a);
    free (b);

    cJSON *bot = cJSON_GetObjectItem (def, "bot");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (bot, "language")), "en");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (bot, "timezone")), "UTC");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (bot, "token")), "");
    cJSON *spam = cJSON_GetObjectItem (def, "spam");
    CHECK (cJSON_IsTrue (cJSON_GetObjectItem (spam, "enabled")));
    cJSON *cmd = cJSON_GetObjectItem (spam, "command_cooldowns");
    CHECK_EQ (cJSON_GetArraySize (cmd), 3);
    CHECK (cJSON_GetObjectItem (cmd, "serverstatus")->valueint == 30);
    cJSON *btn = cJSON_GetObjectItem (spam, "button_cooldowns");
    CHECK_EQ (cJSON_GetArraySize (btn), 5);
    CHECK (cJSON_GetObjectItem (btn, "restart")->valueint == 20);
    CHECK (cJSON_GetObjectItem (btn, "info")->valueint == 3);
    cJSON *web = cJSON_GetObjectItem (def, "web");
    CHECK (cJSON_GetObjectItem (web, "session_idle_minutes")->valueint == 30);
    cJSON *wd = cJSON_GetObjectItem (def, "watchdog");
    CHECK (cJSON_IsFalse (cJSON_GetObjectItem (wd, "enabled")));
    CHECK (cJSON_GetObjectItem (wd, "interval_minutes")->valueint == 5);
    CHECK (strcmp (cJSON_GetObjectItem (wd, "fail_url")->valuestring, "") == 0);

    //  Each section default validates to itself
    for (int s = 0; s < DDC_SEC_COUNT; s++) {
        cJSON *d = ddc_config_default_section ((ddc_section_t) s);
        cJSON *n = ddc_config_validate_section ((ddc_section_t) s, d, NULL, errors);
        CHECK (n && ddc_json_equal (n, d));
        CHECK (ddc_json_equal (d, cJSON_GetObjectItem (def, ddc_section_name ((ddc_section_t) s))));
        cJSON_Delete (d);
        cJSON_Delete (n);
    }
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    CHECK (ddc_config_default_section (DDC_SEC_COUNT) == NULL);
    cJSON_Delete (errors);
    cJSON_Delete (norm);
    cJSON_Delete (def);
}

DDC_TEST (test_example_document)
{
    cJSON *doc = s_json (s_example);
    cJSON *errors = cJSON_CreateArray ();
    cJSON *norm = ddc_config_validate_document (doc, errors);
    CHECK (norm != NULL);
    if (!norm)
        s_dump (errors);
    //  Normalising again is a fixed point
    cJSON *again = ddc_config_validate_document (norm, errors);
    CHECK (again && ddc_json_equal (again, norm));
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    //  spam maps are used as given, not merged with the defaults
    cJSON *cmd = cJSON_GetObjectItem (cJSON_GetObjectItem (norm, "spam"), "command_cooldowns");
    CHECK_EQ (cJSON_GetArraySize (cmd), 1);
    cJSON *task = cJSON_GetArrayItem (cJSON_GetObjectItem (norm, "tasks"), 0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (task, "timezone")), "Europe/Berlin");
    cJSON_Delete (again);
    cJSON_Delete (norm);
    cJSON_Delete (errors);
    cJSON_Delete (doc);
}

DDC_TEST (test_defaults_filled)
{
    cJSON *c = s_accepts (DDC_SEC_CONTAINERS, "[{\"host\": \"local\", \"name\": \"plex\"}]", NULL);
    CHECK (c != NULL);
    char *text = cJSON_PrintUnformatted (c);
    CHECK_STR (text, "[{\"host\":\"local\",\"name\":\"plex\",\"active\":true,"
                     "\"display_name\":\"plex\",\"order\":0,"
                     "\"allowed_actions\":[\"start\",\"stop\",\"restart\"],"
                     "\"info\":{\"enabled\":false,\"text\":\"\"},"
                     "\"alerts\":[\"crash\",\"unhealthy\",\"restart_loop\"],\"roles\":{}}]");
    free (text);
    cJSON_Delete (c);

    //  Keys come out in canonical order whatever the input order
    c = s_accepts (DDC_SEC_CONTAINERS,
                   "[{\"info\": {\"text\": \"hi\"}, \"order\": 3, \"name\": \"a\", \"host\": \"h\","
                   " \"allowed_actions\": []}]",
                   NULL);
    text = cJSON_PrintUnformatted (c);
    CHECK_STR (text,
               "[{\"host\":\"h\",\"name\":\"a\",\"active\":true,\"display_name\":\"a\","
               "\"order\":3,\"allowed_actions\":[],\"info\":{\"enabled\":false,\"text\":\"hi\"},"
               "\"alerts\":[\"crash\",\"unhealthy\",\"restart_loop\"],\"roles\":{}}]");
    free (text);
    cJSON_Delete (c);

    c = s_accepts (DDC_SEC_CHANNELS, "[{\"id\": \"11000000000000002\", \"kind\": \"control\"}]",
                   NULL);
    text = cJSON_PrintUnformatted (c);
    CHECK_STR (text, "[{\"id\":\"11000000000000002\",\"name\":\"\",\"kind\":\"control\","
                     "\"post_initial\":false,\"refresh_minutes\":5,\"recreate_minutes\":0,"
                     "\"alerts\":false}]");
    free (text);
    cJSON_Delete (c);

    c = s_accepts (DDC_SEC_ADMINS, "[{\"id\": \"334455667788990011\"}]", NULL);
    text = cJSON_PrintUnformatted (c);
    CHECK_STR (text, "[{\"id\":\"334455667788990011\",\"note\":\"\"}]");
    free (text);
    cJSON_Delete (c);

    c = s_accepts (DDC_SEC_TASKS, TASK (", \"cycle\": \"daily\", \"time\": \"04:00\""), NULL);
    text = cJSON_PrintUnformatted (c);
    CHECK_STR (text,
               "[{\"id\":\"t1\",\"host\":\"local\",\"container\":\"plex\",\"action\":\"restart\","
               "\"cycle\":\"daily\",\"time\":\"04:00\",\"timezone\":\"UTC\",\"active\":true}]");
    free (text);
    cJSON_Delete (c);

    c = s_accepts (DDC_SEC_BOT, "{\"language\": \"de\"}", NULL);
    text = cJSON_PrintUnformatted (c);
    CHECK_STR (text, "{\"token\":\"\",\"guild_id\":\"\",\"language\":\"de\",\"timezone\":\"UTC\","
                     "\"log_lines\":50}");
    free (text);
    cJSON_Delete (c);

    c = s_accepts (DDC_SEC_ALERTS, "{}", NULL);
    text = cJSON_PrintUnformatted (c);
    CHECK_STR (text, "{\"enabled\":true,\"webhook_url\":\"\",\"webhook_format\":\"discord\","
                     "\"restart_loop_count\":3,\"restart_loop_minutes\":10,"
                     "\"cooldown_minutes\":10,\"max_per_hour\":30,\"log_lines\":20}");
    free (text);
    cJSON_Delete (c);

    c = s_accepts (DDC_SEC_SPAM, "{\"enabled\": false}", NULL);
    text = cJSON_PrintUnformatted (c);
    CHECK_STR (text, "{\"enabled\":false,\"command_cooldowns\":{\"serverstatus\":30,\"control\":5,"
                     "\"info\":5},\"button_cooldowns\":{\"start\":10,\"stop\":10,\"restart\":20,"
                     "\"info\":3,\"logs\":10}}");
    free (text);
    cJSON_Delete (c);
}

DDC_TEST (test_section_types)
{
    CHECK (s_rejects (DDC_SEC_BOT, "[]", NULL, "bot", "type"));
    CHECK (s_rejects (DDC_SEC_SPAM, "3", NULL, "spam", "type"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "null", NULL, "watchdog", "type"));
    CHECK (s_rejects (DDC_SEC_WEB, "\"x\"", NULL, "web", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "{}", NULL, "containers", "type"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, "{}", NULL, "channels", "type"));
    CHECK (s_rejects (DDC_SEC_ADMINS, "true", NULL, "admins", "type"));
    CHECK (s_rejects (DDC_SEC_TASKS, "{}", NULL, "tasks", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[3]", NULL, "containers[0]", "type"));
    cJSON *errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_BOT, NULL, NULL, errors) == NULL);
    CHECK (s_has (errors, "bot", "required"));
    CHECK (ddc_config_validate_section (DDC_SEC_COUNT, errors, NULL, errors) == NULL);
    cJSON_Delete (errors);
    //  errors may be NULL: only the verdict
    cJSON *bad = s_json ("{\"language\": \"ja\"}");
    CHECK (ddc_config_validate_section (DDC_SEC_BOT, bad, NULL, NULL) == NULL);
    cJSON_Delete (bad);
}

DDC_TEST (test_bot_rules)
{
    CHECK (s_ok (DDC_SEC_BOT,
                 "{\"token\": \"MTA.abc-_def\", \"guild_id\": \"12345678901234567\","
                 " \"timezone\": \"Europe/Berlin\"}",
                 NULL));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"token\": \"ab cd\"}", NULL, "bot.token", "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"token\": \"ab\\ncd\"}", NULL, "bot.token", "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"token\": 12}", NULL, "bot.token", "type"));
    char *long_token = s_repeat ('a', 201);
    char *text = s_fmt ("{\"token\": \"%s\"}", long_token);
    CHECK (s_rejects (DDC_SEC_BOT, text, NULL, "bot.token", "too_long"));
    free (text);
    long_token [200] = 0;
    text = s_fmt ("{\"token\": \"%s\"}", long_token);
    CHECK (s_ok (DDC_SEC_BOT, text, NULL));
    free (text);
    free (long_token);
    CHECK (s_rejects (DDC_SEC_BOT, "{\"language\": \"ja\"}", NULL, "bot.language", "not_supported"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"language\": \"pt\"}", NULL, "bot.language", "not_supported"));
    //  every language of the locale catalogue
    for (int l = 0; ddc_i18n_codes [l]; l++) {
        char lang [64];
        snprintf (lang, sizeof (lang), "{\"language\": \"%s\"}", ddc_i18n_codes [l]);
        CHECK (s_ok (DDC_SEC_BOT, lang, NULL));
    }
    CHECK (s_rejects (DDC_SEC_BOT, "{\"language\": \"EN\"}", NULL, "bot.language", "not_supported"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"timezone\": \"Mars/Olympus\"}", NULL, "bot.timezone",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"timezone\": \"\"}", NULL, "bot.timezone", "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"Token\": \"\"}", NULL, "bot.Token", "unknown_field"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"language\": \"en\", \"language\": \"de\"}", NULL,
                      "bot.language", "duplicate"));
}

DDC_TEST (test_snowflakes)
{
    //  guild_id: "" or a snowflake
    CHECK (s_ok (DDC_SEC_BOT, "{\"guild_id\": \"\"}", NULL));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"guild_id\": \"1234567890123456\"}", NULL, "bot.guild_id",
                      "invalid"));
    CHECK (s_ok (DDC_SEC_BOT, "{\"guild_id\": \"12345678901234567\"}", NULL));
    CHECK (s_ok (DDC_SEC_BOT, "{\"guild_id\": \"12345678901234567890\"}", NULL));
    CHECK (s_ok (DDC_SEC_BOT, "{\"guild_id\": \"18446744073709551615\"}", NULL));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"guild_id\": \"18446744073709551616\"}", NULL, "bot.guild_id",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"guild_id\": \"123456789012345678901\"}", NULL,
                      "bot.guild_id", "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"guild_id\": \"01234567890123456\"}", NULL, "bot.guild_id",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"guild_id\": \"1234567890123456a\"}", NULL, "bot.guild_id",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"guild_id\": \"-1234567890123456\"}", NULL, "bot.guild_id",
                      "invalid"));
    CHECK (
        s_rejects (DDC_SEC_BOT, "{\"guild_id\": 12345678901234567}", NULL, "bot.guild_id", "type"));
    //  The same rule for channel and admin ids, which are required
    CHECK (s_rejects (DDC_SEC_CHANNELS, "[{\"id\": \"1234567890123456\", \"kind\": \"status\"}]",
                      NULL, "channels[0].id", "invalid"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, "[{\"id\": \"\", \"kind\": \"status\"}]", NULL,
                      "channels[0].id", "required"));
    CHECK (s_rejects (DDC_SEC_ADMINS, "[{\"id\": \"012345678901234567\"}]", NULL, "admins[0].id",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_ADMINS, "[{\"note\": \"x\"}]", NULL, "admins[0].id", "required"));
    CHECK (s_ok (DDC_SEC_ADMINS, "[{\"id\": \"12345678901234567890\"}]", NULL));
}

DDC_TEST (test_timezones)
{
    CHECK (ddc_tz_valid ("UTC"));
    CHECK (ddc_tz_valid ("Europe/Berlin"));
    CHECK (ddc_tz_valid ("America/New_York"));
    CHECK (ddc_tz_valid ("Etc/GMT+5"));
    CHECK (!ddc_tz_valid ("Mars/Olympus"));
    CHECK (!ddc_tz_valid ("../etc/passwd"));
    CHECK (!ddc_tz_valid ("Europe/../Europe/Berlin"));
    CHECK (!ddc_tz_valid ("Europe//Berlin"));
    CHECK (!ddc_tz_valid ("/Europe/Berlin"));
    CHECK (!ddc_tz_valid ("/etc/passwd"));
    CHECK (!ddc_tz_valid ("Europe/Berlin "));
    CHECK (!ddc_tz_valid ("Europe"));   //  a directory
    CHECK (!ddc_tz_valid ("zone.tab")); //  '.' is not allowed
    CHECK (!ddc_tz_valid (""));
    CHECK (!ddc_tz_valid (NULL));
    char *long_name = s_repeat ('A', 65);
    CHECK (!ddc_tz_valid (long_name));
    free (long_name);
    CHECK (s_rejects (DDC_SEC_TASKS,
                      TASK (", \"cycle\": \"daily\", \"time\": \"04:00\", "
                            "\"timezone\": \"Europe//Berlin\""),
                      NULL, "tasks[0].timezone", "invalid"));
    CHECK (s_rejects (DDC_SEC_BOT, "{\"timezone\": \"../etc/passwd\"}", NULL, "bot.timezone",
                      "invalid"));
}

DDC_TEST (test_container_rules)
{
#define C1(extra) "[{\"host\": \"local\", \"name\": \"plex\"" extra "}]"
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"name\": \"plex\"}]", NULL, "containers[0].host",
                      "required"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"host\": \"local\"}]", NULL, "containers[0].name",
                      "required"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"host\": \"-x\", \"name\": \"plex\"}]", NULL,
                      "containers[0].host", "invalid"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"host\": \"a b\", \"name\": \"plex\"}]", NULL,
                      "containers[0].host", "invalid"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"host\": \"local\", \"name\": \"/plex\"}]", NULL,
                      "containers[0].name", "invalid"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"host\": \"local\", \"name\": \"_plex\"}]", NULL,
                      "containers[0].name", "invalid"));
    CHECK (s_ok (DDC_SEC_CONTAINERS, "[{\"host\": \"nas-2.lan\", \"name\": \"my_app.v2-x\"}]", NULL));
    char *name = s_repeat ('n', 129);
    char *text = s_fmt ("[{\"host\": \"local\", \"name\": \"%s\"}]", name);
    CHECK (s_rejects (DDC_SEC_CONTAINERS, text, NULL, "containers[0].name", "too_long"));
    free (text);
    name [128] = 0;
    text = s_fmt ("[{\"host\": \"local\", \"name\": \"%s\"}]", name);
    CHECK (s_ok (DDC_SEC_CONTAINERS, text, NULL));
    free (text);
    free (name);
    char *host = s_repeat ('h', 64);
    text = s_fmt ("[{\"host\": \"%s\", \"name\": \"plex\"}]", host);
    CHECK (s_rejects (DDC_SEC_CONTAINERS, text, NULL, "containers[0].host", "too_long"));
    free (text);
    free (host);

    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"active\": 1"), NULL, "containers[0].active",
                      "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"display_name\": \"\""), NULL,
                      "containers[0].display_name", "invalid"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"display_name\": \"a\\u0007b\""), NULL,
                      "containers[0].display_name", "invalid"));
    char *dn = s_repeat ('d', 101);
    text = s_fmt (C1 (", \"display_name\": \"%s\""), dn);
    CHECK (s_rejects (DDC_SEC_CONTAINERS, text, NULL, "containers[0].display_name", "too_long"));
    free (text);
    free (dn);
    //  100 two-byte characters are 100 characters
    text = ddc_strdup ("[{\"host\": \"local\", \"name\": \"plex\", \"display_name\": \"");
    for (int i = 0; i < 100; i++) {
        char *more = s_fmt ("%s\xc3\xbc", text);
        free (text);
        text = more;
    }
    char *full = s_fmt ("%s\"}]", text);
    CHECK (s_ok (DDC_SEC_CONTAINERS, full, NULL));
    free (full);
    free (text);
    //  JSON text with bytes that are not UTF-8 is refused by ddc_json_parse;
    //  a value built in memory (from a web form) is checked here.
    {
        cJSON *value = s_json (C1 (""));
        cJSON_AddStringToObject (cJSON_GetArrayItem (value, 0), "display_name", "\xff");
        cJSON *errors = cJSON_CreateArray ();
        cJSON *out = ddc_config_validate_section (DDC_SEC_CONTAINERS, value, NULL, errors);
        CHECK (!out && s_has (errors, "containers[0].display_name", "invalid"));
        cJSON_Delete (out);
        cJSON_Delete (errors);
        cJSON_Delete (value);
    }

    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"order\": 1.5"), NULL, "containers[0].order",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"order\": 10000"), NULL, "containers[0].order",
                      "out_of_range"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"order\": -1"), NULL, "containers[0].order",
                      "out_of_range"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"order\": 1e300"), NULL, "containers[0].order",
                      "out_of_range"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"order\": \"1\""), NULL, "containers[0].order",
                      "type"));
    CHECK (s_ok (DDC_SEC_CONTAINERS, C1 (", \"order\": 9999"), NULL));
    CHECK (s_ok (DDC_SEC_CONTAINERS, C1 (", \"order\": 2.0"), NULL));

    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"allowed_actions\": \"start\""), NULL,
                      "containers[0].allowed_actions", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"allowed_actions\": [\"start\", \"kill\"]"), NULL,
                      "containers[0].allowed_actions[1]", "not_supported"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"allowed_actions\": [\"stop\", \"stop\"]"), NULL,
                      "containers[0].allowed_actions[1]", "duplicate"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"allowed_actions\": [1]"), NULL,
                      "containers[0].allowed_actions[0]", "type"));
    CHECK (s_ok (DDC_SEC_CONTAINERS, C1 (", \"allowed_actions\": [\"logs\", \"start\"]"), NULL));

    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"info\": []"), NULL, "containers[0].info", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"info\": {\"enabled\": \"yes\"}"), NULL,
                      "containers[0].info.enabled", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"info\": {\"color\": 1}"), NULL,
                      "containers[0].info.color", "unknown_field"));
    char *info = s_repeat ('i', 2001);
    text = s_fmt (C1 (", \"info\": {\"text\": \"%s\"}"), info);
    CHECK (s_rejects (DDC_SEC_CONTAINERS, text, NULL, "containers[0].info.text", "too_long"));
    free (text);
    free (info);
    CHECK (s_rejects (DDC_SEC_CONTAINERS, C1 (", \"image\": \"x\""), NULL, "containers[0].image",
                      "unknown_field"));

    //  (host, name) unique; the same name on another host is fine
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"local\", \"name\": \"plex\"}, {\"host\": \"nas\", \"name\": "
                      "\"plex\"},"
                      " {\"host\": \"local\", \"name\": \"plex\"}]",
                      NULL, "containers[2].name", "duplicate"));
    CHECK (
        s_ok (DDC_SEC_CONTAINERS, "[{\"host\": \"local\", \"name\": \"plex\"}, {\"host\": \"nas\", \"name\": \"plex\"}]",
              NULL));
#undef C1
}

DDC_TEST (test_containers_in_use)
{
    //  Removing plex while task t1 targets it
    cJSON *errors;
    cJSON *out = s_check (DDC_SEC_CONTAINERS, "[{\"host\": \"local\", \"name\": \"sonarr\"}]",
                          s_doc_plex, &errors);
    CHECK (out == NULL);
    CHECK (s_has (errors, "containers", "in_use"));
    const char *message =
        cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (errors, 0), "message"));
    CHECK (message && strstr (message, "t1") && strstr (message, "local/plex"));
    cJSON_Delete (errors);
    //  Keeping it is fine; without a doc nothing is checked
    CHECK (s_ok (DDC_SEC_CONTAINERS, "[{\"host\": \"local\", \"name\": \"plex\"}]", s_doc_plex));
    CHECK (s_ok (DDC_SEC_CONTAINERS, "[]", NULL));
    CHECK (s_ok (DDC_SEC_CONTAINERS, "[]", "{\"containers\": []}"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[]", s_doc_plex, "containers", "in_use"));
}

DDC_TEST (test_channel_rules)
{
#define CH(extra) "[{\"id\": \"11000000000000002\", \"kind\": \"status\"" extra "}]"
    CHECK (
        s_ok (DDC_SEC_CHANNELS, CH (", \"refresh_minutes\": 1440, \"recreate_minutes\": 0"), NULL));
    CHECK (s_rejects (DDC_SEC_CHANNELS, "[{\"kind\": \"status\"}]", NULL, "channels[0].id",
                      "required"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, "[{\"id\": \"11000000000000002\"}]", NULL,
                      "channels[0].kind", "required"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, "[{\"id\": \"11000000000000002\", \"kind\": \"log\"}]",
                      NULL, "channels[0].kind", "not_supported"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, CH (", \"refresh_minutes\": 0"), NULL,
                      "channels[0].refresh_minutes", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, CH (", \"refresh_minutes\": 1441"), NULL,
                      "channels[0].refresh_minutes", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, CH (", \"recreate_minutes\": -1"), NULL,
                      "channels[0].recreate_minutes", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_CHANNELS, CH (", \"post_initial\": null"), NULL,
                      "channels[0].post_initial", "type"));
    char *name = s_repeat ('c', 101);
    char *text = s_fmt (CH (", \"name\": \"%s\""), name);
    CHECK (s_rejects (DDC_SEC_CHANNELS, text, NULL, "channels[0].name", "too_long"));
    free (text);
    free (name);

    //  Same id as status and control: conflict, message says both kinds
    cJSON *errors;
    cJSON *out = s_check (DDC_SEC_CHANNELS,
                          "[{\"id\": \"11000000000000002\", \"kind\": \"status\"},"
                          " {\"id\": \"11000000000000002\", \"kind\": \"control\"}]",
                          NULL, &errors);
    CHECK (out == NULL);
    CHECK (s_has (errors, "channels[1].id", "conflict"));
    const char *message =
        cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (errors, 0), "message"));
    CHECK (message && strstr (message, "status") && strstr (message, "control"));
    cJSON_Delete (errors);
    CHECK (s_rejects (DDC_SEC_CHANNELS,
                      "[{\"id\": \"11000000000000002\", \"kind\": \"status\"},"
                      " {\"id\": \"11000000000000002\", \"kind\": \"status\"}]",
                      NULL, "channels[1].id", "duplicate"));
#undef CH
}

DDC_TEST (test_admin_rules)
{
    CHECK (s_rejects (DDC_SEC_ADMINS,
                      "[{\"id\": \"334455667788990011\"}, {\"id\": \"334455667788990011\"}]", NULL,
                      "admins[1].id", "duplicate"));
    char *note = s_repeat ('n', 101);
    char *text = s_fmt ("[{\"id\": \"334455667788990011\", \"note\": \"%s\"}]", note);
    CHECK (s_rejects (DDC_SEC_ADMINS, text, NULL, "admins[0].note", "too_long"));
    free (text);
    free (note);
    CHECK (s_rejects (DDC_SEC_ADMINS, "[{\"id\": \"334455667788990011\", \"role\": 1}]", NULL,
                      "admins[0].role", "unknown_field"));
}

DDC_TEST (test_spam_rules)
{
    cJSON *out = s_accepts (DDC_SEC_SPAM,
                            "{\"button_cooldowns\": {\"stop_all\": 60, \"refresh\": 0}}", NULL);
    CHECK (out != NULL);
    cJSON *btn = cJSON_GetObjectItem (out, "button_cooldowns");
    CHECK_EQ (cJSON_GetArraySize (btn), 2);    //  no merging
    CHECK_STR (btn->child->string, "refresh"); //  canonical order
    CHECK (cJSON_GetObjectItem (btn, "stop_all")->valueint == 60);
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (out, "command_cooldowns")), 3);
    cJSON_Delete (out);
    CHECK (s_ok (DDC_SEC_SPAM, "{\"command_cooldowns\": {}, \"button_cooldowns\": {}}", NULL));
    CHECK (s_ok (DDC_SEC_SPAM, "{\"command_cooldowns\": {\"ss\": 3600, \"addadmin\": 0}}", NULL));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"command_cooldowns\": {\"kick\": 5}}", NULL,
                      "spam.command_cooldowns.kick", "not_supported"));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"button_cooldowns\": {\"ping\": 5}}", NULL,
                      "spam.button_cooldowns.ping", "not_supported"));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"command_cooldowns\": {\"info\": 3601}}", NULL,
                      "spam.command_cooldowns.info", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"button_cooldowns\": {\"start\": -1}}", NULL,
                      "spam.button_cooldowns.start", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"button_cooldowns\": {\"start\": \"5\"}}", NULL,
                      "spam.button_cooldowns.start", "type"));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"button_cooldowns\": {\"start\": 0.5}}", NULL,
                      "spam.button_cooldowns.start", "invalid"));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"command_cooldowns\": []}", NULL, "spam.command_cooldowns",
                      "type"));
    CHECK (s_rejects (DDC_SEC_SPAM, "{\"enabled\": \"true\"}", NULL, "spam.enabled", "type"));
}

DDC_TEST (test_task_rules)
{
    CHECK (s_ok (DDC_SEC_TASKS,
                 TASK (", \"cycle\": \"daily\", \"time\": \"04:00\", \"note\": \"x\""), NULL));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      "[{\"host\": \"local\", \"container\": \"plex\", \"action\": \"stop\","
                      " \"cycle\": \"daily\", \"time\": \"04:00\"}]",
                      NULL, "tasks[0].id", "required"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      "[{\"id\": \"a b\", \"host\": \"local\", \"container\": \"plex\","
                      " \"action\": \"stop\", \"cycle\": \"daily\", \"time\": \"04:00\"}]",
                      NULL, "tasks[0].id", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"daily\""), NULL, "tasks[0].time",
                      "required"));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"time\": \"04:00\""), NULL, "tasks[0].cycle",
                      "required"));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"hourly\", \"time\": \"04:00\""), NULL,
                      "tasks[0].cycle", "not_supported"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      "[{\"id\": \"t\", \"host\": \"local\", \"container\": \"plex\", \"action\": "
                      "\"logs\","
                      " \"cycle\": \"daily\", \"time\": \"04:00\"}]",
                      NULL, "tasks[0].action", "not_supported"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      TASK (", \"cycle\": \"daily\", \"time\": \"04:00\", \"active\": 0"), NULL,
                      "tasks[0].active", "type"));
    char *note = s_repeat ('n', 201);
    char *text =
        s_fmt (TASK (", \"cycle\": \"daily\", \"time\": \"04:00\", \"note\": \"%s\""), note);
    CHECK (s_rejects (DDC_SEC_TASKS, text, NULL, "tasks[0].note", "too_long"));
    free (text);
    free (note);
    //  Duplicate ids
    CHECK (s_rejects (
        DDC_SEC_TASKS,
        "[{\"id\": \"t1\", \"host\": \"local\", \"container\": \"plex\", \"action\": \"stop\","
        "  \"cycle\": \"daily\", \"time\": \"04:00\"},"
        " {\"id\": \"t1\", \"host\": \"local\", \"container\": \"plex\", \"action\": \"start\","
        "  \"cycle\": \"daily\", \"time\": \"05:00\"}]",
        NULL, "tasks[1].id", "duplicate"));
    //  Target must exist in doc's containers (when doc has them)
    CHECK (s_ok (DDC_SEC_TASKS, TASK (", \"cycle\": \"daily\", \"time\": \"04:00\""), s_doc_plex));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      "[{\"id\": \"t2\", \"host\": \"local\", \"container\": \"sonarr\", "
                      "\"action\": \"stop\","
                      " \"cycle\": \"daily\", \"time\": \"04:00\"}]",
                      s_doc_plex, "tasks[0].container", "not_found"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      "[{\"id\": \"t2\", \"host\": \"nas\", \"container\": \"plex\", \"action\": "
                      "\"stop\","
                      " \"cycle\": \"daily\", \"time\": \"04:00\"}]",
                      s_doc_plex, "tasks[0].container", "not_found"));
    CHECK (
        s_ok (DDC_SEC_TASKS,
              "[{\"id\": \"t2\", \"host\": \"nas\", \"container\": \"plex\", \"action\": \"stop\","
              " \"cycle\": \"daily\", \"time\": \"04:00\"}]",
              "{\"bot\": {}}"));
}

DDC_TEST (test_task_times)
{
    const char *good [] = { "00:00", "23:59", "12:30", "09:05" };
    const char *bad [] = { "24:00", "12:60", "1:00", "12:5",  "12:000",
                           "12-00", "ab:cd", "",     " 1:00", "99:99" };
    for (size_t i = 0; i < sizeof (good) / sizeof (good [0]); i++) {
        char *text = s_fmt (TASK (", \"cycle\": \"daily\", \"time\": \"%s\""), good [i]);
        CHECK (s_ok (DDC_SEC_TASKS, text, NULL));
        free (text);
    }
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        char *text = s_fmt (TASK (", \"cycle\": \"daily\", \"time\": \"%s\""), bad [i]);
        CHECK (s_rejects (DDC_SEC_TASKS, text, NULL, "tasks[0].time",
                          *bad [i] ? "invalid" : "required"));
        free (text);
    }
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"daily\", \"time\": 400"), NULL,
                      "tasks[0].time", "type"));
}

DDC_TEST (test_task_cycles)
{
#define ONCE(date) TASK (", \"cycle\": \"once\", \"time\": \"04:00\", \"date\": \"" date "\"")
    CHECK (s_ok (DDC_SEC_TASKS, ONCE ("2024-02-29"), NULL));
    CHECK (s_ok (DDC_SEC_TASKS, ONCE ("2000-02-29"), NULL));
    CHECK (s_ok (DDC_SEC_TASKS, ONCE ("2025-12-31"), NULL));
    CHECK (s_rejects (DDC_SEC_TASKS, ONCE ("2025-02-29"), NULL, "tasks[0].date", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, ONCE ("1900-02-29"), NULL, "tasks[0].date", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, ONCE ("2025-04-31"), NULL, "tasks[0].date", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, ONCE ("2025-13-01"), NULL, "tasks[0].date", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, ONCE ("2025-00-10"), NULL, "tasks[0].date", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, ONCE ("2025-1-01"), NULL, "tasks[0].date", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, ONCE ("2025/01/01"), NULL, "tasks[0].date", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"once\", \"time\": \"04:00\""), NULL,
                      "tasks[0].date", "required"));
#undef ONCE

    CHECK (s_ok (DDC_SEC_TASKS,
                 TASK (", \"cycle\": \"weekly\", \"time\": \"04:00\", \"weekday\": \"sun\""), NULL));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"weekly\", \"time\": \"04:00\""), NULL,
                      "tasks[0].weekday", "required"));
    CHECK (
        s_rejects (DDC_SEC_TASKS,
                   TASK (", \"cycle\": \"weekly\", \"time\": \"04:00\", \"weekday\": \"Sunday\""),
                   NULL, "tasks[0].weekday", "not_supported"));

    CHECK (s_ok (DDC_SEC_TASKS, TASK (", \"cycle\": \"monthly\", \"time\": \"04:00\", \"day\": 31"),
                 NULL));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"monthly\", \"time\": \"04:00\""), NULL,
                      "tasks[0].day", "required"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      TASK (", \"cycle\": \"monthly\", \"time\": \"04:00\", \"day\": 32"), NULL,
                      "tasks[0].day", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      TASK (", \"cycle\": \"monthly\", \"time\": \"04:00\", \"day\": 0"), NULL,
                      "tasks[0].day", "out_of_range"));

    CHECK (s_ok (DDC_SEC_TASKS,
                 TASK (", \"cycle\": \"yearly\", \"time\": \"04:00\", \"month\": 2, \"day\": 29"),
                 NULL));
    CHECK (s_ok (DDC_SEC_TASKS,
                 TASK (", \"cycle\": \"yearly\", \"time\": \"04:00\", \"month\": 12, \"day\": 31"),
                 NULL));
    CHECK (
        s_rejects (DDC_SEC_TASKS,
                   TASK (", \"cycle\": \"yearly\", \"time\": \"04:00\", \"month\": 2, \"day\": 30"),
                   NULL, "tasks[0].day", "out_of_range"));
    CHECK (
        s_rejects (DDC_SEC_TASKS,
                   TASK (", \"cycle\": \"yearly\", \"time\": \"04:00\", \"month\": 4, \"day\": 31"),
                   NULL, "tasks[0].day", "out_of_range"));
    CHECK (
        s_rejects (DDC_SEC_TASKS,
                   TASK (", \"cycle\": \"yearly\", \"time\": \"04:00\", \"month\": 13, \"day\": 1"),
                   NULL, "tasks[0].month", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      TASK (", \"cycle\": \"yearly\", \"time\": \"04:00\", \"day\": 1"), NULL,
                      "tasks[0].month", "required"));
    CHECK (s_rejects (DDC_SEC_TASKS,
                      TASK (", \"cycle\": \"yearly\", \"time\": \"04:00\", \"month\": 1"), NULL,
                      "tasks[0].day", "required"));

    //  Fields the cycle does not use are dropped, even if malformed
    cJSON *out = s_accepts (DDC_SEC_TASKS,
                            TASK (", \"cycle\": \"daily\", \"time\": \"04:00\", \"date\": \"junk\","
                                  " \"weekday\": 3, \"day\": 99, \"month\": \"x\""),
                            NULL);
    CHECK (out != NULL);
    cJSON *task = cJSON_GetArrayItem (out, 0);
    CHECK (!cJSON_HasObjectItem (task, "date") && !cJSON_HasObjectItem (task, "weekday"));
    CHECK (!cJSON_HasObjectItem (task, "day") && !cJSON_HasObjectItem (task, "month"));
    cJSON_Delete (out);
    out = s_accepts (DDC_SEC_TASKS,
                     TASK (", \"cycle\": \"monthly\", \"time\": \"04:00\", \"day\": 15, "
                           "\"weekday\": \"mon\""),
                     NULL);
    task = cJSON_GetArrayItem (out, 0);
    CHECK (cJSON_GetObjectItem (task, "day") && cJSON_GetObjectItem (task, "day")->valueint == 15);
    CHECK (!cJSON_HasObjectItem (task, "weekday"));
    cJSON_Delete (out);

    //  cron: its expression instead of a time (a time given is dropped)
    out = s_accepts (DDC_SEC_TASKS,
                     TASK (", \"cycle\": \"cron\", \"cron\": \"0 4 * * 1-5\","
                           " \"time\": \"junk\", \"day\": 99"),
                     NULL);
    CHECK (out != NULL);
    task = cJSON_GetArrayItem (out, 0);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (task, "cron")), "0 4 * * 1-5");
    CHECK (!cJSON_HasObjectItem (task, "time") && !cJSON_HasObjectItem (task, "day"));
    cJSON_Delete (out);
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"cron\""), NULL, "tasks[0].cron",
                      "required"));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"cron\", \"cron\": \"61 * * * *\""), NULL,
                      "tasks[0].cron", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"cron\", \"cron\": \"@daily\""), NULL,
                      "tasks[0].cron", "invalid"));
    CHECK (s_rejects (DDC_SEC_TASKS, TASK (", \"cycle\": \"cron\", \"cron\": 5"), NULL,
                      "tasks[0].cron", "type"));
    //  other cycles drop a cron field
    out = s_accepts (DDC_SEC_TASKS,
                     TASK (", \"cycle\": \"daily\", \"time\": \"04:00\","
                           " \"cron\": \"x\""),
                     NULL);
    CHECK (out && !cJSON_HasObjectItem (cJSON_GetArrayItem (out, 0), "cron"));
    cJSON_Delete (out);
}

DDC_TEST (test_watchdog_rules)
{
    CHECK (s_ok (DDC_SEC_WATCHDOG,
                 "{\"enabled\": true, \"url\": \"https://hc-ping.com/abc-123?x=1\"}", NULL));
    CHECK (s_ok (DDC_SEC_WATCHDOG, "{\"enabled\": false, \"url\": \"\"}", NULL));
    CHECK (s_ok (DDC_SEC_WATCHDOG, "{\"url\": \"HTTPS://user@example.com:8443/p\"}", NULL));
    //  A LAN monitor (Uptime Kuma's push URL) is often plain http
    CHECK (s_ok (DDC_SEC_WATCHDOG, "{\"url\": \"http://192.168.1.5:3001/api/push/Ab3?status=up\"}",
                 NULL));
    CHECK (s_ok (DDC_SEC_WATCHDOG,
                 "{\"url\": \"https://hc-ping.com/u\", "
                 "\"fail_url\": \"https://hc-ping.com/u/fail\"}",
                 NULL));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"fail_url\": \"ftp://example.com\"}", NULL,
                      "watchdog.fail_url", "invalid"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"fail_url\": 3}", NULL, "watchdog.fail_url", "type"));
    cJSON *errors;
    cJSON *out = s_check (DDC_SEC_WATCHDOG, "{\"url\": \"gopher://example.com\"}", NULL, &errors);
    const char *message =
        cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (errors, 0), "message"));
    CHECK (!out && message && strstr (message, "http:// or https://"));
    cJSON_Delete (errors);
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"url\": \"ftp://example.com\"}", NULL, "watchdog.url",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"url\": \"https://\"}", NULL, "watchdog.url", "invalid"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"url\": \"https:///path\"}", NULL, "watchdog.url",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"url\": \"https://a b.com\"}", NULL, "watchdog.url",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"url\": \"https://x.com/\\n\"}", NULL, "watchdog.url",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"enabled\": true}", NULL, "watchdog.url", "required"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"enabled\": true, \"url\": \"\"}", NULL, "watchdog.url",
                      "required"));
    CHECK (s_rejects (DDC_SEC_WATCHDOG, "{\"interval_minutes\": 0}", NULL,
                      "watchdog.interval_minutes", "out_of_range"));
    char *path = s_repeat ('p', 2048 - 19 + 1);
    char *text = s_fmt ("{\"url\": \"https://example.com/%s\"}", path);
    CHECK (s_rejects (DDC_SEC_WATCHDOG, text, NULL, "watchdog.url", "too_long"));
    free (text);
    path [2048 - 20] = 0;
    text = s_fmt ("{\"url\": \"https://example.com/%s\"}", path);
    CHECK (s_ok (DDC_SEC_WATCHDOG, text, NULL));
    free (text);
    free (path);
}

DDC_TEST (test_web_rules)
{
    CHECK (s_ok (DDC_SEC_WEB,
                 "{\"password_hash\": \"$argon2id$v=19$m=65536,t=3,p=4$abc$def\","
                 " \"ui_language\": \"de\"}",
                 NULL));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"password_hash\": \"a\\u00e9b\"}", NULL, "web.password_hash",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"password_hash\": \"a\\tb\"}", NULL, "web.password_hash",
                      "invalid"));
    char *hash = s_repeat ('h', 513);
    char *text = s_fmt ("{\"password_hash\": \"%s\"}", hash);
    CHECK (s_rejects (DDC_SEC_WEB, text, NULL, "web.password_hash", "too_long"));
    free (text);
    free (hash);
    //  the metrics token: "" or 16 to 256 printable ASCII without spaces
    CHECK (s_ok (DDC_SEC_WEB, "{\"metrics_token\": \"\"}", NULL));
    CHECK (s_ok (DDC_SEC_WEB, "{\"metrics_token\": \"0123456789abcdef\"}", NULL));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"metrics_token\": \"0123456789abcde\"}", NULL,
                      "web.metrics_token", "invalid"));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"metrics_token\": \"0123456789 abcdef\"}", NULL,
                      "web.metrics_token", "invalid"));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"metrics_token\": \"0123456789abcdef\\u00e9\"}", NULL,
                      "web.metrics_token", "invalid"));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"metrics_token\": 5}", NULL, "web.metrics_token", "type"));
    char *token = s_repeat ('t', 257);
    text = s_fmt ("{\"metrics_token\": \"%s\"}", token);
    CHECK (s_rejects (DDC_SEC_WEB, text, NULL, "web.metrics_token", "too_long"));
    free (text);
    free (token);
    CHECK (s_rejects (DDC_SEC_WEB, "{\"session_idle_minutes\": 0}", NULL,
                      "web.session_idle_minutes", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"session_idle_minutes\": 1441}", NULL,
                      "web.session_idle_minutes", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"ui_language\": \"ja\"}", NULL, "web.ui_language",
                      "not_supported"));
    CHECK (s_ok (DDC_SEC_WEB, "{\"ui_language\": \"zh-CN\"}", NULL));
    CHECK (s_rejects (DDC_SEC_WEB, "{\"password\": \"x\"}", NULL, "web.password", "unknown_field"));
}

DDC_TEST (test_container_alerts_and_roles)
{
#define R1 "\"223344556677889900\""
#define R2 "\"1012345678901234567\""
    //  Kinds in the order given; [] means none; roles normalised in action
    //  order with empty lists dropped.
    cJSON *c =
        s_accepts (DDC_SEC_CONTAINERS,
                   "[{\"host\": \"h\", \"name\": \"a\", \"alerts\": [\"restart_loop\", \"crash\"],"
                   " \"allowed_actions\": [\"restart\", \"start\", \"logs\"],"
                   " \"roles\": {\"logs\": [" R1 "], \"start\": [], \"restart\": [" R1 ", " R2
                   "]}},"
                   " {\"host\": \"h\", \"name\": \"b\", \"alerts\": []}]",
                   NULL);
    char *text = cJSON_PrintUnformatted (c);
    CHECK (text
           && strstr (text, "\"alerts\":[\"restart_loop\",\"crash\"],\"roles\":{\"restart\":[" R1
                            "," R2 "],\"logs\":[" R1 "]}"));
    CHECK (text && strstr (text, "\"alerts\":[],\"roles\":{}"));
    free (text);
    cJSON_Delete (c);
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"host\": \"h\", \"name\": \"a\", \"alerts\": true}]",
                      NULL, "containers[0].alerts", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"alerts\": [\"oom\"]}]", NULL,
                      "containers[0].alerts[0]", "not_supported"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"alerts\": [\"crash\", \"crash\"]}]",
                      NULL, "containers[0].alerts[1]", "duplicate"));
    //  Roles: snowflakes, known actions, each at most once, only for
    //  allowed actions, at most 25 per action
    CHECK (s_rejects (DDC_SEC_CONTAINERS, "[{\"host\": \"h\", \"name\": \"a\", \"roles\": []}]",
                      NULL, "containers[0].roles", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"restart\": \"1\"}}]", NULL,
                      "containers[0].roles.restart", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"restart\": [\"12\"]}}]",
                      NULL, "containers[0].roles.restart[0]", "invalid"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"restart\": "
                      "[223344556677889900]}}]",
                      NULL, "containers[0].roles.restart[0]", "type"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"reboot\": [" R1 "]}}]",
                      NULL, "containers[0].roles.reboot", "unknown_field"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"stop\": [" R1 ", " R1
                      "]}}]",
                      NULL, "containers[0].roles.stop[1]", "duplicate"));
    CHECK (s_rejects (DDC_SEC_CONTAINERS,
                      "[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"logs\": [" R1 "]}}]", NULL,
                      "containers[0].roles.logs", "conflict"));
    //  An empty list for an action that is not allowed is fine
    CHECK (s_ok (DDC_SEC_CONTAINERS,
                 "[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"logs\": []}}]", NULL));
    char *many = s_repeat ('x', 0);
    for (int i = 0; i < 26; i++) {
        char *next = s_fmt ("%s%s\"1000000000000000%02d\"", many, i ? ", " : "", i);
        free (many);
        many = next;
    }
    text = s_fmt ("[{\"host\": \"h\", \"name\": \"a\", \"roles\": {\"start\": [%s]}}]", many);
    CHECK (s_rejects (DDC_SEC_CONTAINERS, text, NULL, "containers[0].roles.start", "too_many"));
    free (text);
    free (many);
#undef R1
#undef R2
}

DDC_TEST (test_alerts_rules)
{
    CHECK (s_ok (DDC_SEC_ALERTS,
                 "{\"webhook_url\": \"https://discord.com/api/webhooks/1/abc\","
                 " \"webhook_format\": \"discord\"}",
                 NULL));
    CHECK (s_ok (DDC_SEC_ALERTS,
                 "{\"webhook_url\": \"http://127.0.0.1:8080/hook\","
                 " \"webhook_format\": \"json\", \"enabled\": false}",
                 NULL));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"webhook_url\": \"ftp://x.org/a\"}", NULL,
                      "alerts.webhook_url", "invalid"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"webhook_url\": \"http://\"}", NULL, "alerts.webhook_url",
                      "invalid"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"webhook_url\": \"https://a b/\"}", NULL,
                      "alerts.webhook_url", "invalid"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"webhook_format\": \"slack\"}", NULL,
                      "alerts.webhook_format", "not_supported"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"restart_loop_count\": 1}", NULL,
                      "alerts.restart_loop_count", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"restart_loop_minutes\": 0}", NULL,
                      "alerts.restart_loop_minutes", "out_of_range"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"cooldown_minutes\": -1}", NULL, "alerts.cooldown_minutes",
                      "out_of_range"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"max_per_hour\": 0}", NULL, "alerts.max_per_hour",
                      "out_of_range"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"log_lines\": 101}", NULL, "alerts.log_lines",
                      "out_of_range"));
    CHECK (s_rejects (DDC_SEC_ALERTS, "{\"webhook\": \"x\"}", NULL, "alerts.webhook",
                      "unknown_field"));
    //  The webhook URL is a secret: redacted, and "***" keeps it
    cJSON *v = s_json ("{\"webhook_url\": \"https://discord.com/api/webhooks/1/s3cret\"}");
    cJSON *red = ddc_config_redact (DDC_SEC_ALERTS, v);
    char *text = cJSON_PrintUnformatted (red);
    CHECK (text && !strstr (text, "s3cret") && strstr (text, "\"***\""));
    free (text);
    cJSON *incoming = s_json ("{\"webhook_url\": \"***\", \"log_lines\": 5}");
    ddc_config_keep_secrets (DDC_SEC_ALERTS, incoming, v);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (incoming, "webhook_url")),
               "https://discord.com/api/webhooks/1/s3cret");
    cJSON_Delete (incoming);
    cJSON_Delete (red);
    cJSON_Delete (v);
    CHECK_STR (ddc_section_secrets (DDC_SEC_ALERTS) [0], "webhook_url");
}

DDC_TEST (test_channel_alerts)
{
    CHECK (s_ok (DDC_SEC_CHANNELS,
                 "[{\"id\": \"11000000000000002\", \"kind\": \"status\","
                 " \"alerts\": true}]",
                 NULL));
    CHECK (s_rejects (DDC_SEC_CHANNELS,
                      "[{\"id\": \"11000000000000002\", \"kind\": \"status\","
                      " \"alerts\": \"yes\"}]",
                      NULL, "channels[0].alerts", "type"));
}

DDC_TEST (test_many_errors_at_once)
{
    cJSON *errors;
    cJSON *out = s_check (DDC_SEC_CONTAINERS,
                          "[{\"host\": \"\", \"name\": \"/x\", \"order\": 1.5, \"active\": \"y\","
                          "  \"allowed_actions\": [\"kill\"], \"extra\": 1},"
                          " {\"host\": \"ok\", \"name\": \"ok\", \"display_name\": \"\"}]",
                          NULL, &errors);
    CHECK (out == NULL);
    CHECK (s_has (errors, "containers[0].host", "required"));
    CHECK (s_has (errors, "containers[0].name", "invalid"));
    CHECK (s_has (errors, "containers[0].order", "invalid"));
    CHECK (s_has (errors, "containers[0].active", "type"));
    CHECK (s_has (errors, "containers[0].allowed_actions[0]", "not_supported"));
    CHECK (s_has (errors, "containers[0].extra", "unknown_field"));
    CHECK (s_has (errors, "containers[1].display_name", "invalid"));
    CHECK_EQ (cJSON_GetArraySize (errors), 7);
    cJSON_Delete (errors);

    //  A whole document reports every section's errors
    cJSON *doc = s_json ("{\"bot\": {\"language\": \"xx\"}, \"web\": {\"ui_language\": \"yy\"},"
                         " \"watchdog\": {\"interval_minutes\": 0}, \"nonsense\": 1}");
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_document (doc, errors) == NULL);
    CHECK (s_has (errors, "bot.language", "not_supported"));
    CHECK (s_has (errors, "web.ui_language", "not_supported"));
    CHECK (s_has (errors, "watchdog.interval_minutes", "out_of_range"));
    CHECK (s_has (errors, "nonsense", "unknown_field"));
    CHECK_EQ (cJSON_GetArraySize (errors), 4);
    cJSON_Delete (errors);
    cJSON_Delete (doc);
}

DDC_TEST (test_document_rules)
{
    cJSON *errors = cJSON_CreateArray ();
    cJSON *doc = s_json ("[1]");
    CHECK (ddc_config_validate_document (doc, errors) == NULL);
    CHECK (s_has (errors, "", "type"));
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    cJSON_Delete (doc);
    CHECK (ddc_config_validate_document (NULL, errors) == NULL);
    cJSON_Delete (errors);

    //  _meta ignored and dropped; missing sections defaulted
    errors = cJSON_CreateArray ();
    doc = s_json (
        "{\"_meta\": {\"epoch\": 3, \"anything\": [1, {}]}, \"bot\": {\"language\": \"de\"}}");
    cJSON *norm = ddc_config_validate_document (doc, errors);
    CHECK (norm != NULL);
    CHECK (!cJSON_HasObjectItem (norm, "_meta"));
    CHECK_EQ (cJSON_GetArraySize (norm), DDC_SEC_COUNT);
    CHECK (cJSON_IsArray (cJSON_GetObjectItem (norm, "tasks")));
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItem (cJSON_GetObjectItem (norm, "bot"), "language")),
               "de");
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    cJSON_Delete (norm);
    cJSON_Delete (doc);

    //  Tasks are checked against the document's own containers
    doc = s_json ("{\"containers\": [{\"host\": \"local\", \"name\": \"plex\"}],"
                  " \"tasks\": [{\"id\": \"a\", \"host\": \"local\", \"container\": \"plex\","
                  "   \"action\": \"stop\", \"cycle\": \"daily\", \"time\": \"01:00\"},"
                  "  {\"id\": \"b\", \"host\": \"local\", \"container\": \"gone\","
                  "   \"action\": \"stop\", \"cycle\": \"daily\", \"time\": \"01:00\"}]}");
    CHECK (ddc_config_validate_document (doc, errors) == NULL);
    CHECK (s_has (errors, "tasks[1].container", "not_found"));
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    cJSON_Delete (doc);
    cJSON_Delete (errors);

    //  ... and with no containers section at all, there are none
    errors = cJSON_CreateArray ();
    doc = s_json ("{\"tasks\": [{\"id\": \"a\", \"host\": \"local\", \"container\": \"plex\","
                  "   \"action\": \"stop\", \"cycle\": \"daily\", \"time\": \"01:00\"}]}");
    CHECK (ddc_config_validate_document (doc, errors) == NULL);
    CHECK (s_has (errors, "tasks[0].container", "not_found"));
    cJSON_Delete (doc);
    cJSON_Delete (errors);

    errors = cJSON_CreateArray ();
    doc = s_json ("{\"bot\": {}, \"bot\": {}}");
    CHECK (ddc_config_validate_document (doc, errors) == NULL);
    CHECK (s_has (errors, "bot", "duplicate"));
    cJSON_Delete (doc);
    cJSON_Delete (errors);
}

DDC_TEST (test_redact)
{
    cJSON *bot = s_json ("{\"token\": \"abc\", \"guild_id\": \"12345678901234567\"}");
    cJSON *red = ddc_config_redact (DDC_SEC_BOT, bot);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (red, "token")), "***");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (red, "guild_id")), "12345678901234567");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (bot, "token")), "abc"); //  input untouched
    char *text = cJSON_PrintUnformatted (red);
    CHECK (text && !strstr (text, "abc"));
    free (text);
    cJSON_Delete (red);
    cJSON_Delete (bot);

    bot = s_json ("{\"token\": \"\"}");
    red = ddc_config_redact (DDC_SEC_BOT, bot);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (red, "token")), "");
    cJSON_Delete (red);
    cJSON_Delete (bot);

    //  Duplicate keys and non-string secrets never leak
    bot = s_json ("{\"token\": \"\", \"token\": \"s3cret\", \"token\": 12345}");
    red = ddc_config_redact (DDC_SEC_BOT, bot);
    text = cJSON_PrintUnformatted (red);
    CHECK (text && !strstr (text, "s3cret") && !strstr (text, "12345"));
    free (text);
    cJSON_Delete (red);
    cJSON_Delete (bot);

    cJSON *web = s_json ("{\"password_hash\": \"$2b$hash\", \"ui_language\": \"de\"}");
    red = ddc_config_redact (DDC_SEC_WEB, web);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (red, "password_hash")), "***");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (red, "ui_language")), "de");
    cJSON_Delete (red);
    cJSON_Delete (web);

    cJSON *spam = ddc_config_default_section (DDC_SEC_SPAM);
    red = ddc_config_redact (DDC_SEC_SPAM, spam);
    CHECK (ddc_json_equal (red, spam));
    cJSON_Delete (red);
    cJSON_Delete (spam);
    CHECK (ddc_config_redact (DDC_SEC_BOT, NULL) == NULL);
}

//  ddc_config_redacted_text is the redacted copy's text, for sections with
//  and without secrets, objects or not.
DDC_TEST (test_redacted_text)
{
    const struct {
        ddc_section_t s;
        const char *json;
    } cases [] = {
        { DDC_SEC_BOT, "{\"token\": \"abc\", \"token\": 7, \"guild_id\": \"12345678901234567\"}" },
        { DDC_SEC_WEB, "{\"password_hash\": \"$2b$hash\", \"ui_language\": \"de\"}" },
        { DDC_SEC_CONTAINERS, "[{\"name\": \"plex\", \"token\": \"not a secret here\"}]" },
        { DDC_SEC_BOT, "[\"not an object\"]" },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        cJSON *v = s_json (cases [i].json);
        cJSON *red = ddc_config_redact (cases [i].s, v);
        char *want = ddc_json_print (red), *got = ddc_config_redacted_text (cases [i].s, v);
        CHECK (want && got);
        if (want && got)
            CHECK_STR (got, want);
        free (want);
        free (got);
        cJSON_Delete (red);
        cJSON_Delete (v);
    }
    CHECK (ddc_config_redacted_text (DDC_SEC_BOT, NULL) == NULL);
    //  nested deeper than a value may be: NULL, as the copy gives
    char deep [2 * (DDC_CONFIG_MAX_DEPTH + 2) + 1];
    for (int i = 0; i < DDC_CONFIG_MAX_DEPTH + 2; i++) {
        deep [i] = '[';
        deep [2 * (DDC_CONFIG_MAX_DEPTH + 2) - 1 - i] = ']';
    }
    deep [2 * (DDC_CONFIG_MAX_DEPTH + 2)] = '\0';
    cJSON *v = s_json (deep);
    CHECK (ddc_config_redact (DDC_SEC_CONTAINERS, v) == NULL);
    CHECK (ddc_config_redacted_text (DDC_SEC_CONTAINERS, v) == NULL);
    cJSON_Delete (v);
}

DDC_TEST (test_keep_secrets)
{
    cJSON *current = s_json ("{\"token\": \"real-token\", \"language\": \"en\"}");
    cJSON *incoming = s_json ("{\"token\": \"***\", \"language\": \"de\"}");
    ddc_config_keep_secrets (DDC_SEC_BOT, incoming, current);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (incoming, "token")), "real-token");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (incoming, "language")), "de");
    cJSON_Delete (incoming);

    //  A new value is kept as given
    incoming = s_json ("{\"token\": \"new-token\"}");
    ddc_config_keep_secrets (DDC_SEC_BOT, incoming, current);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (incoming, "token")), "new-token");
    cJSON_Delete (incoming);

    //  No current value: ""
    incoming = s_json ("{\"token\": \"***\"}");
    ddc_config_keep_secrets (DDC_SEC_BOT, incoming, NULL);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (incoming, "token")), "");
    cJSON_Delete (incoming);
    incoming = s_json ("{\"password_hash\": \"***\"}");
    ddc_config_keep_secrets (DDC_SEC_WEB, incoming, current);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (incoming, "password_hash")), "");
    cJSON_Delete (incoming);

    //  Redact then keep restores the original
    cJSON *red = ddc_config_redact (DDC_SEC_BOT, current);
    ddc_config_keep_secrets (DDC_SEC_BOT, red, current);
    CHECK (ddc_json_equal (red, current));
    cJSON_Delete (red);

    //  Non-secret sections are untouched
    cJSON *spam = s_json ("{\"token\": \"***\"}");
    ddc_config_keep_secrets (DDC_SEC_SPAM, spam, current);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (spam, "token")), "***");
    cJSON_Delete (spam);
    ddc_config_keep_secrets (DDC_SEC_BOT, NULL, current);
    cJSON_Delete (current);
}

//  Diff as one comma-joined string, for easy comparison.

static char *
s_diff_text (ddc_section_t s, const char *a, const char *b)
{
    cJSON *x = a ? s_json (a) : NULL, *y = b ? s_json (b) : NULL;
    cJSON *diff = ddc_json_diff (ddc_section_name (s), x, y);
    char *text = ddc_strdup ("");
    const cJSON *item;
    cJSON_ArrayForEach (item, diff) {
        char *more = s_fmt ("%s%s%s", text, *text ? "," : "", item->valuestring);
        free (text);
        text = more;
    }
    cJSON_Delete (diff);
    cJSON_Delete (x);
    cJSON_Delete (y);
    return text;
}

DDC_TEST (test_diff)
{
    char *d = s_diff_text (DDC_SEC_BOT, "{\"token\": \"old\", \"language\": \"en\"}",
                           "{\"token\": \"new\", \"language\": \"de\"}");
    CHECK_STR (d, "bot.token,bot.language");
    free (d);
    d = s_diff_text (DDC_SEC_BOT, "{\"language\": \"en\"}", "{\"language\": \"en\"}");
    CHECK_STR (d, "");
    free (d);
    d = s_diff_text (DDC_SEC_BOT, "{\"a\": 1, \"b\": 2}", "{\"b\": 2, \"a\": 1}");
    CHECK_STR (d, "");
    free (d);
    d = s_diff_text (
        DDC_SEC_CONTAINERS,
        "[{\"name\": \"a\", \"display_name\": \"A\"}, {\"name\": \"b\", \"display_name\": \"B\"}]",
        "[{\"name\": \"a\", \"display_name\": \"A\"}, {\"name\": \"b\", \"display_name\": \"Bee\"},"
        " {\"name\": \"c\"}]");
    CHECK_STR (d, "containers[1].display_name,containers[2]");
    free (d);
    d = s_diff_text (DDC_SEC_CONTAINERS, "[{\"name\": \"a\"}, {\"name\": \"b\"}]",
                     "[{\"name\": \"a\"}]");
    CHECK_STR (d, "containers[1]");
    free (d);
    d = s_diff_text (DDC_SEC_SPAM, "{\"command_cooldowns\": {\"info\": 5, \"ss\": 3}}",
                     "{\"command_cooldowns\": {\"ss\": 3, \"ping\": 1}}");
    CHECK_STR (d, "spam.command_cooldowns.info,spam.command_cooldowns.ping");
    free (d);
    d = s_diff_text (DDC_SEC_WATCHDOG, "{\"url\": \"\"}", "{\"url\": 3}");
    CHECK_STR (d, "watchdog.url");
    free (d);
    d = s_diff_text (DDC_SEC_WEB, NULL, "{}");
    CHECK_STR (d, "web");
    free (d);
    d = s_diff_text (DDC_SEC_WEB, NULL, NULL);
    CHECK_STR (d, "");
    free (d);

    //  Secret values never appear
    cJSON *a = s_json ("{\"password_hash\": \"hash-one\"}"),
          *b = s_json ("{\"password_hash\": \"hash-two\"}");
    cJSON *diff = ddc_json_diff ("web", a, b);
    char *text = cJSON_PrintUnformatted (diff);
    CHECK_STR (text, "[\"web.password_hash\"]");
    free (text);
    cJSON_Delete (diff);
    cJSON_Delete (a);
    cJSON_Delete (b);

    //  Bounded: 64 entries then "..."
    cJSON *old_admins = cJSON_CreateArray (), *new_admins = cJSON_CreateArray ();
    for (int i = 0; i < 200; i++)
        cJSON_AddItemToArray (new_admins, cJSON_CreateNumber (i));
    diff = ddc_json_diff ("admins", old_admins, new_admins);
    CHECK_EQ (cJSON_GetArraySize (diff), DDC_JSON_DIFF_MAX + 1);
    CHECK_STR (cJSON_GetArrayItem (diff, 0)->valuestring, "admins[0]");
    CHECK_STR (cJSON_GetArrayItem (diff, DDC_JSON_DIFF_MAX)->valuestring, "...");
    cJSON_Delete (diff);
    cJSON_Delete (old_admins);
    cJSON_Delete (new_admins);
}

DDC_TEST (test_equal)
{
    cJSON *a = s_json ("{\"x\": [1, 2, {\"y\": \"z\"}], \"w\": true}");
    cJSON *b = s_json ("{\"w\": true, \"x\": [1, 2, {\"y\": \"z\"}]}");
    cJSON *c = s_json ("{\"w\": true, \"x\": [2, 1, {\"y\": \"z\"}]}");
    cJSON *d = s_json ("{\"W\": true, \"x\": [1, 2, {\"y\": \"z\"}]}");
    CHECK (ddc_json_equal (a, b));
    CHECK (!ddc_json_equal (a, c));
    CHECK (!ddc_json_equal (a, d));
    CHECK (!ddc_json_equal (a, NULL));
    CHECK (ddc_json_equal (NULL, NULL));
    cJSON_Delete (a);
    cJSON_Delete (b);
    cJSON_Delete (c);
    cJSON_Delete (d);
}

//  The whole document is bounded too: a snapshot of every section fits in
//  one reply.

DDC_TEST (test_document_bound)
{
    //  Three sections of 230 KiB each (each under the section bound)
    cJSON *doc = cJSON_CreateObject ();
    char *filler = s_repeat ('x', 230 * 1024);
    const char *names [] = { "containers", "tasks", "channels" };
    for (int i = 0; i < 3; i++) {
        cJSON *list = cJSON_CreateArray ();
        cJSON_AddItemToArray (list, cJSON_CreateString (filler));
        cJSON_AddItemToObject (doc, names [i], list);
    }
    cJSON *errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_document (doc, errors) == NULL);
    CHECK (s_has (errors, "", "too_long"));
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    cJSON_Delete (errors);
    //  A small save into such a document is refused at its section...
    errors = cJSON_CreateArray ();
    cJSON *admins = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_ADMINS, admins, doc, errors) == NULL);
    CHECK (s_has (errors, "admins", "too_long"));
    cJSON_Delete (errors);
    //  ... and taken when one big section is replaced by a small one
    errors = cJSON_CreateArray ();
    cJSON_DeleteItemFromObjectCaseSensitive (doc, "channels");
    cJSON *out = ddc_config_validate_section (DDC_SEC_ADMINS, admins, doc, errors);
    CHECK (out != NULL);
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    cJSON_Delete (out);
    cJSON_Delete (errors);
    cJSON_Delete (admins);
    cJSON_Delete (doc);
    free (filler);
}

//  The same bound when the caller gives the size of the other sections
//  (as the broker does): the same verdicts, and the bound exact to the
//  byte.

DDC_TEST (test_document_bound_with_known_sizes)
{
    cJSON *doc = ddc_config_default ();
    //  the size counted is at least the compact JSON's: numbers as
    //  "%1.17g", a separator after every member
    char *printed = cJSON_PrintUnformatted (cJSON_GetObjectItemCaseSensitive (doc, "bot"));
    CHECK (ddc_config_json_bytes (cJSON_GetObjectItemCaseSensitive (doc, "bot")) >= strlen (printed));
    free (printed);
    cJSON *numbers = s_json ("[0, -0, 7, -12, 9999, 123456789012345, 0.5, -2.25, 1e300]");
    char expect [160];
    snprintf (expect, sizeof (expect), "[%d,%s,%d,%d,%d,%s,%1.17g,%1.17g,%1.17g,]", 0, "-0", 7, -12,
              9999, "123456789012345", 0.5, -2.25, 1e300);
    CHECK_EQ (ddc_config_json_bytes (numbers), strlen (expect));
    cJSON_Delete (numbers);
    CHECK_EQ (ddc_config_json_bytes (NULL), SIZE_MAX);
    size_t others = 0;
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        if (s != DDC_SEC_ADMINS)
            others += ddc_config_json_bytes (
                cJSON_GetObjectItemCaseSensitive (doc, ddc_section_name ((ddc_section_t) s)));
    cJSON *admins = s_json ("[{\"id\": \"334455667788990011\", \"note\": \"x\"}]");
    cJSON *errors = cJSON_CreateArray ();
    cJSON *counted = ddc_config_validate_section (DDC_SEC_ADMINS, admins, doc, errors);
    cJSON *known = ddc_config_validate_section_sized (DDC_SEC_ADMINS, admins, doc, others, errors);
    CHECK (counted && known && cJSON_Compare (counted, known, true));
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    //  at the bound with its defaults filled in: taken; a byte over: refused
    size_t own = ddc_config_json_bytes (counted);
    cJSON *at = ddc_config_validate_section_sized (DDC_SEC_ADMINS, admins, doc,
                                                   DDC_DOCUMENT_MAX_BYTES - own, errors);
    CHECK (at != NULL);
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    CHECK (ddc_config_validate_section_sized (DDC_SEC_ADMINS, admins, doc,
                                              DDC_DOCUMENT_MAX_BYTES - own + 1, errors)
           == NULL);
    CHECK (s_has (errors, "admins", "too_long"));
    cJSON_Delete (errors);
    //  far over, as the broker says when its sections are over the bound
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section_sized (DDC_SEC_ADMINS, admins, doc,
                                              (size_t) DDC_DOCUMENT_MAX_BYTES + 1, errors)
           == NULL);
    CHECK (s_has (errors, "admins", "too_long"));
    cJSON_Delete (errors);
    cJSON_Delete (at);
    cJSON_Delete (known);
    cJSON_Delete (counted);
    cJSON_Delete (admins);
    cJSON_Delete (doc);
}

//  n containers c0.. on host "local", each with display_name when given.

static cJSON *
s_containers (int n, const char *display_name)
{
    cJSON *list = cJSON_CreateArray ();
    for (int i = 0; i < n; i++) {
        cJSON *c = cJSON_CreateObject ();
        char name [16];
        snprintf (name, sizeof (name), "c%d", i);
        cJSON_AddStringToObject (c, "host", "local");
        cJSON_AddStringToObject (c, "name", name);
        if (display_name)
            cJSON_AddStringToObject (c, "display_name", display_name);
        cJSON_AddItemToArray (list, c);
    }
    return list;
}

DDC_TEST (test_bounds)
{
    //  1001 containers: too_many, and element 1000 (invalid) is never looked at
    cJSON *list = s_containers (DDC_CONTAINERS_MAX, NULL);
    cJSON *errors = cJSON_CreateArray ();
    cJSON *out = ddc_config_validate_section (DDC_SEC_CONTAINERS, list, NULL, errors);
    CHECK (out && cJSON_GetArraySize (out) == DDC_CONTAINERS_MAX);
    //  The most containers fit in a section with their defaults filled in.
    char *text = cJSON_PrintUnformatted (out);
    CHECK (strlen (text) < DDC_SECTION_MAX_BYTES);
    free (text);
    cJSON_Delete (out);
    cJSON_AddItemToArray (list, cJSON_CreateString ("junk"));
    CHECK (ddc_config_validate_section (DDC_SEC_CONTAINERS, list, NULL, errors) == NULL);
    CHECK (s_has (errors, "containers", "too_many"));
    CHECK (!s_has (errors, "containers[1000]", "type"));
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    cJSON_Delete (list);
    cJSON_Delete (errors);

    //  101 admins, 201 channels, 501 tasks
    list = cJSON_CreateArray ();
    for (int i = 0; i < 101; i++)
        cJSON_AddItemToArray (list, cJSON_CreateObject ());
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_ADMINS, list, NULL, errors) == NULL);
    CHECK (s_has (errors, "admins", "too_many"));
    CHECK (!s_has (errors, "admins[100].id", "required"));
    cJSON_Delete (errors);
    for (int i = 101; i < 501; i++)
        cJSON_AddItemToArray (list, cJSON_CreateObject ());
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_CHANNELS, list, NULL, errors) == NULL);
    CHECK (s_has (errors, "channels", "too_many"));
    cJSON_Delete (errors);
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_TASKS, list, NULL, errors) == NULL);
    CHECK (s_has (errors, "tasks", "too_many"));
    //  The error list itself is bounded: 200 then one "too_many"
    CHECK_EQ (cJSON_GetArraySize (errors), DDC_CONFIG_MAX_ERRORS + 1);
    CHECK (s_has (errors, "", "too_many"));
    cJSON_Delete (errors);
    cJSON_Delete (list);

    //  A section over 256 KiB is refused without looking inside
    char *big = s_repeat ('x', DDC_SECTION_MAX_BYTES);
    cJSON *bot = cJSON_CreateObject ();
    cJSON_AddStringToObject (bot, "token", big);
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_BOT, bot, NULL, errors) == NULL);
    CHECK (s_has (errors, "bot", "too_long"));
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    cJSON_Delete (errors);
    cJSON_Delete (bot);
    free (big);

    //  The limit holds for the section as stored: 1,000 containers with
    //  80-character display names fit as sent, not with their defaults
    //  filled in, and are refused, so that what is accepted always loads
    char *label = s_repeat ('d', 80);
    list = s_containers (DDC_CONTAINERS_MAX, label);
    text = cJSON_PrintUnformatted (list);
    CHECK (strlen (text) < DDC_SECTION_MAX_BYTES);
    free (text);
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_CONTAINERS, list, NULL, errors) == NULL);
    CHECK (s_has (errors, "containers", "too_long"));
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    cJSON_Delete (errors);
    //  Half of them are accepted, and what is stored passes again
    while (cJSON_GetArraySize (list) > DDC_CONTAINERS_MAX / 2)
        cJSON_DeleteItemFromArray (list, 0);
    errors = cJSON_CreateArray ();
    out = ddc_config_validate_section (DDC_SEC_CONTAINERS, list, NULL, errors);
    CHECK (out != NULL);
    cJSON *again = out ? ddc_config_validate_section (DDC_SEC_CONTAINERS, out, NULL, errors) : NULL;
    CHECK (again && ddc_json_equal (again, out));
    CHECK_EQ (cJSON_GetArraySize (errors), 0);
    cJSON_Delete (again);
    cJSON_Delete (out);
    cJSON_Delete (errors);
    cJSON_Delete (list);
    free (label);

    //  Deep nesting is refused (validation, redact, equal)
    cJSON *deep = cJSON_CreateObject ();
    cJSON *cur = cJSON_AddArrayToObject (deep, "token");
    for (int i = 0; i < 200; i++) {
        cJSON *next = cJSON_CreateArray ();
        cJSON_AddItemToArray (cur, next);
        cur = next;
    }
    errors = cJSON_CreateArray ();
    CHECK (ddc_config_validate_section (DDC_SEC_BOT, deep, NULL, errors) == NULL);
    CHECK (s_has (errors, "bot", "invalid"));
    CHECK (ddc_config_redact (DDC_SEC_BOT, deep) == NULL);
    cJSON *copy = cJSON_Duplicate (deep, 1);
    CHECK (!ddc_json_equal (deep, copy)); //  too deep to compare
    cJSON_Delete (copy);
    cJSON *diff = ddc_json_diff ("bot", deep, NULL);
    CHECK_EQ (cJSON_GetArraySize (diff), 1);
    cJSON_Delete (diff);
    cJSON_Delete (errors);
    cJSON_Delete (deep);
}

DDC_TEST (test_validate_is_pure)
{
    //  Input is not modified and output is independent of it
    cJSON *doc = s_json (s_example);
    char *before = cJSON_PrintUnformatted (doc);
    cJSON *norm = ddc_config_validate_document (doc, NULL);
    char *after = cJSON_PrintUnformatted (doc);
    CHECK_STR (before, after);
    cJSON_Delete (doc);
    CHECK (cJSON_GetObjectItem (norm, "containers") != NULL);
    char *text = cJSON_PrintUnformatted (norm); //  use after input freed
    CHECK (text && strstr (text, "\"display_name\":\"Plex\""));
    free (text);
    free (before);
    free (after);
    cJSON_Delete (norm);
}

int
main (int argc, char *argv [])
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_section_names);
    DDC_RUN (test_default_roundtrip);
    DDC_RUN (test_example_document);
    DDC_RUN (test_defaults_filled);
    DDC_RUN (test_section_types);
    DDC_RUN (test_bot_rules);
    DDC_RUN (test_snowflakes);
    DDC_RUN (test_timezones);
    DDC_RUN (test_container_rules);
    DDC_RUN (test_containers_in_use);
    DDC_RUN (test_channel_rules);
    DDC_RUN (test_admin_rules);
    DDC_RUN (test_spam_rules);
    DDC_RUN (test_task_rules);
    DDC_RUN (test_task_times);
    DDC_RUN (test_task_cycles);
    DDC_RUN (test_watchdog_rules);
    DDC_RUN (test_web_rules);
    DDC_RUN (test_container_alerts_and_roles);
    DDC_RUN (test_alerts_rules);
    DDC_RUN (test_channel_alerts);
    DDC_RUN (test_many_errors_at_once);
    DDC_RUN (test_document_rules);
    DDC_RUN (test_redact);
    DDC_RUN (test_redacted_text);
    DDC_RUN (test_keep_secrets);
    DDC_RUN (test_diff);
    DDC_RUN (test_equal);
    DDC_RUN (test_bounds);
    DDC_RUN (test_document_bound);
    DDC_RUN (test_document_bound_with_known_sizes);
    DDC_RUN (test_validate_is_pure);
    DDC_DONE ();
}
