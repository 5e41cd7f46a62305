/*  Unit tests of ddc-web's input side (Kore-free files compiled in): the
    x-www-form-urlencoded parser (escapes, UTF-8, control characters, line
    breaks, bounds), the Cookie header, the JSON save body, building a
    section value from a form and mapping the broker's error field paths
    ("containers[2].name") back to form inputs. */
#include "../../web/form.c"
#include "../../web/jsonbody.c"
#include "../../web/schema.c"
#include "ddc_test.h"
#include "ddc_test_json.h"

static form_t *
s_parse (const char *text)
{
    char err [160];
    return form_parse (text, strlen (text), err, sizeof (err));
}

static const char *
s_err_of (const char *text)
{
    static char err [160];
    err [0] = '\0';
    form_t *f = form_parse (text, strlen (text), err, sizeof (err));
    if (f) {
        form_destroy (&f);
        return NULL;
    }
    return err;
}

DDC_TEST (test_form_basics)
{
    form_t *f = s_parse ("a=1&b=hello+world&c=%41%62%3D%26&d=&e&a=2&&");
    CHECK (f && form_size (f) == 6);
    CHECK_STR (form_get (f, "a"), "1");
    CHECK_STR (form_get_nth (f, "a", 1), "2");
    CHECK (form_get_nth (f, "a", 2) == NULL);
    CHECK_STR (form_get (f, "b"), "hello world");
    CHECK_STR (form_get (f, "c"), "Ab=&");
    CHECK_STR (form_get (f, "d"), "");
    CHECK_STR (form_get (f, "e"), "");
    CHECK (form_get (f, "zz") == NULL);
    CHECK_STR (form_key_at (f, 1), "b");
    CHECK (form_key_at (f, 99) == NULL);
    CHECK (form_bool (f, "a") && !form_bool (f, "d") && !form_bool (f, "zz"));
    form_destroy (&f);
    CHECK (f == NULL);
    form_destroy (&f);
    f = s_parse ("");
    CHECK (f && form_size (f) == 0);
    form_destroy (&f);
    //  keys with brackets and dots, as the section forms use them
    f = s_parse ("containers%5B2%5D.info.text=x&bot.token=");
    CHECK_STR (form_get (f, "containers[2].info.text"), "x");
    form_destroy (&f);
    //  many fields, names repeated out of order: each found, its values in
    //  the order sent, what is not there not found
    size_t cap = 1 << 20, len = 0;
    char *text = malloc (cap);
    for (int i = 0; i < 3000; i++)
        len += (size_t) snprintf (text + len, cap - len, "%sk%d=%d&k%d=second%d", i ? "&" : "",
                                  (i * 7919) % 3000, i, (i * 7919) % 3000, i);
    f = s_parse (text);
    CHECK (f && form_size (f) == 6000);
    for (int i = 0; i < 3000; i++) {
        char key [32], want [32];
        snprintf (key, sizeof (key), "k%d", (i * 7919) % 3000);
        snprintf (want, sizeof (want), "%d", i);
        CHECK_STR (form_get (f, key), want);
        snprintf (want, sizeof (want), "second%d", i);
        CHECK_STR (form_get_nth (f, key, 1), want);
        CHECK (form_get_nth (f, key, 2) == NULL);
    }
    CHECK (form_get (f, "k3000") == NULL && form_get (f, "k") == NULL && form_get (f, "") == NULL);
    form_destroy (&f);
    free (text);
}

DDC_TEST (test_form_utf8_and_line_breaks)
{
    form_t *f = s_parse ("t=Gr%C3%BC%C3%9Fe&n=a%0D%0Ab%0Dc%0Ad&tab=a%09b&e=%F0%9F%98%80");
    CHECK (f != NULL);
    CHECK_STR (form_get (f, "t"), "Gr\xC3\xBC\xC3\x9F"
                                  "e");
    CHECK_STR (form_get (f, "n"), "a\nb\nc\nd");
    CHECK_STR (form_get (f, "tab"), "a\tb");
    CHECK_STR (form_get (f, "e"), "\xF0\x9F\x98\x80");
    form_destroy (&f);
    CHECK (ddc_utf8_valid ("", 0));
    CHECK (!ddc_utf8_valid ("\xC0\xAF", 2));         //  overlong
    CHECK (!ddc_utf8_valid ("\xED\xA0\x80", 3));     //  surrogate
    CHECK (!ddc_utf8_valid ("\xF4\x90\x80\x80", 4)); //  > U+10FFFF
    CHECK (!ddc_utf8_valid ("\xE2\x82", 2));         //  cut short
    CHECK (!ddc_utf8_valid ("\x80", 1));
    CHECK (ddc_utf8_valid ("\xE2\x82\xAC", 3));
}

DDC_TEST (test_form_refusals)
{
    CHECK (s_err_of ("a=%zz") && strstr (s_err_of ("a=%zz"), "hexadecimal"));
    CHECK (s_err_of ("a=%4") != NULL);
    CHECK (s_err_of ("a=%") != NULL);
    CHECK (s_err_of ("a=%ff") && strstr (s_err_of ("a=%ff"), "UTF-8"));
    CHECK (s_err_of ("a=x%00y") && strstr (s_err_of ("a=x%00y"), "control"));
    CHECK (s_err_of ("a=%1b") != NULL);  //  ESC
    CHECK (s_err_of ("a=%7f") != NULL);  //  DEL
    CHECK (s_err_of ("a%0A=1") != NULL); //  no line break in a key
    CHECK (s_err_of ("=1") && strstr (s_err_of ("=1"), "no name"));
    CHECK (s_err_of ("%20=1") == NULL);
    //  bounds: value, key, field count
    size_t n = FORM_MAX_VALUE + 10;
    char *big = ddc_malloc (n + 3);
    memcpy (big, "v=", 2);
    memset (big + 2, 'x', n);
    big [n + 2] = '\0';
    CHECK (s_err_of (big) && strstr (s_err_of (big), "longer"));
    free (big);
    char key [FORM_MAX_KEY + 8];
    memset (key, 'k', FORM_MAX_KEY + 1);
    strcpy (key + FORM_MAX_KEY + 1, "=1");
    CHECK (s_err_of (key) != NULL);
    size_t fields = FORM_MAX_FIELDS + 1;
    char *many = ddc_malloc (fields * 4 + 1);
    for (size_t i = 0; i < fields; i++)
        memcpy (many + i * 4, "a=1&", 4);
    many [fields * 4] = '\0';
    CHECK (s_err_of (many) && strstr (s_err_of (many), "more than"));
    free (many);
    //  data is not NUL-terminated: only len bytes are read
    char err [64];
    form_t *f = form_parse ("a=1&b=2", 3, err, sizeof (err));
    CHECK (f && form_size (f) == 1 && strcmp (form_get (f, "a"), "1") == 0);
    form_destroy (&f);
}

DDC_TEST (test_cookie_header)
{
    char v [64];
    CHECK_EQ (form_cookie ("a=1; ddc_session=v1.abc.def; b=2", "ddc_session", v, sizeof (v)), 0);
    CHECK_STR (v, "v1.abc.def");
    CHECK_EQ (form_cookie ("ddc_session=\"q\"", "ddc_session", v, sizeof (v)), 0);
    CHECK_STR (v, "q");
    CHECK_EQ (form_cookie ("xddc_session=1; ddc_sessionx=2", "ddc_session", v, sizeof (v)), -1);
    CHECK_EQ (form_cookie ("ddc_session=", "ddc_session", v, sizeof (v)), -1);
    CHECK_EQ (form_cookie ("ddc_session=0123456789", "ddc_session", v, 5), -1);
    CHECK (form_cookie (NULL, "ddc_session", v, sizeof (v)) == -1);
    CHECK_EQ (form_cookie (";;;  ;", "a", v, sizeof (v)), -1);
    CHECK_EQ (form_cookie ("a=1;b=2", "b", v, sizeof (v)), 0);
    CHECK_STR (v, "2");
}

DDC_TEST (test_forwarded_for)
{
    char a [64];
    CHECK_EQ (form_forwarded_for ("203.0.113.7", a, sizeof (a)), 0);
    CHECK_STR (a, "203.0.113.7");
    //  the last entry is the one the trusted proxy saw
    CHECK_EQ (form_forwarded_for ("10.0.0.1, 198.51.100.2,  2001:db8::1", a, sizeof (a)), 0);
    CHECK_STR (a, "2001:db8::1");
    //  up to the first byte that is not printable ASCII
    CHECK_EQ (form_forwarded_for ("x, 192.0.2.1\x1b[31m", a, sizeof (a)), 0);
    CHECK_STR (a, "192.0.2.1");
    CHECK_EQ (form_forwarded_for ("1.2.3.4 junk", a, sizeof (a)), 0);
    CHECK_STR (a, "1.2.3.4");
    CHECK (form_forwarded_for ("1.2.3.4,", a, sizeof (a)) == -1 && a [0] == '\0');
    CHECK_EQ (form_forwarded_for ("", a, sizeof (a)), -1);
    CHECK (form_forwarded_for (NULL, a, sizeof (a)) == -1);
    CHECK_EQ (form_forwarded_for ("\xc3\xa9", a, sizeof (a)), -1);
    CHECK_EQ (form_forwarded_for ("123456789", a, 9), -1); //  does not fit
    CHECK_EQ (form_forwarded_for ("12345678", a, 9), 0);
}

static int
s_body (const char *text, uint64_t *rev, cJSON **value, char *err)
{
    return jsonbody_parse (text, strlen (text), rev, value, err, 160);
}

DDC_TEST (test_json_body)
{
    uint64_t rev;
    cJSON *value;
    char err [160];
    CHECK_EQ (s_body ("{\"rev\": 41, \"value\": {\"a\": [1, 2]}}  \n", &rev, &value, err), 0);
    CHECK (rev == 41 && cJSON_IsObject (value));
    cJSON_Delete (value);
    CHECK_EQ (s_body ("{\"value\": [], \"rev\": 0}", &rev, &value, err), 0);
    CHECK (rev == 0 && cJSON_IsArray (value));
    cJSON_Delete (value);
    const char *bad [] = { "",
                           "{",
                           "[]",
                           "null",
                           "{\"rev\": 1}",
                           "{\"value\": 1}",
                           "{\"rev\": -1, \"value\": 1}",
                           "{\"rev\": 1.5, \"value\": 1}",
                           "{\"rev\": \"1\", \"value\": 1}",
                           "{\"rev\": 1e300, \"value\": 1}",
                           "{\"rev\": 1, \"value\": 1, \"x\": 2}",
                           "{\"rev\": 1, \"rev\": 2, \"value\": 1}",
                           "{\"rev\": 1, \"value\": 1} {}",
                           "{\"rev\": 1, \"value\": \"\xff\"}",
                           NULL };
    for (int i = 0; bad [i]; i++) {
        value = NULL;
        err [0] = '\0';
        CHECK_EQ (s_body (bad [i], &rev, &value, err), -1);
        CHECK (value == NULL && err [0]);
    }
    //  a NUL inside
    CHECK_EQ (jsonbody_parse ("{\"rev\":1,\"value\":\"a\0b\"}", 22, &rev, &value, err, sizeof (err)),
              -1);
    //  too deep: refused before cJSON recurses
    char deep [400];
    int o = sprintf (deep, "{\"rev\":1,\"value\":");
    for (int i = 0; i < 40; i++)
        deep [o++] = '[';
    for (int i = 0; i < 40; i++)
        deep [o++] = ']';
    deep [o++] = '}';
    deep [o] = '\0';
    CHECK (s_body (deep, &rev, &value, err) == -1 && strstr (err, "deeper"));
    CHECK (jsonbody_depth (NULL, 5) == 0);
}

DDC_TEST (test_action_body)
{
    jsonbody_action_t a;
    char err [200];
    const char *ok = "{\"host\":\"nas\",\"container\":\"plex-1\",\"action\":\"logs\",\"lines\":20}";
    CHECK_EQ (jsonbody_action_parse (ok, strlen (ok), &a, err, sizeof (err)), 0);
    CHECK_STR (a.host, "nas");
    CHECK_STR (a.container, "plex-1");
    CHECK_STR (a.action, "logs");
    CHECK_EQ (a.lines, 20);
    ok = "{\"action\":\"stop\",\"host\":\"pi.lan\",\"container\":\"db\"}";
    CHECK (jsonbody_action_parse (ok, strlen (ok), &a, err, sizeof (err)) == 0 && a.lines == 0);
    const char *bad [] = {
        "",
        "[]",
        "{\"host\":\"nas\",\"container\":\"db\"}",
        "{\"host\":\"nas\",\"container\":\"db\",\"action\":\"rm\"}",
        "{\"host\":\"n/s\",\"container\":\"db\",\"action\":\"stop\"}",
        "{\"host\":\"nas\",\"container\":\"-db\",\"action\":\"stop\"}",
        "{\"host\":\"nas\",\"container\":\"db\",\"action\":\"stop\",\"lines\":5}",
        "{\"host\":\"nas\",\"container\":\"db\",\"action\":\"logs\",\"lines\":1001}",
        "{\"host\":\"nas\",\"container\":\"db\",\"action\":\"logs\",\"lines\":1.5}",
        "{\"host\":\"nas\",\"container\":\"db\",\"action\":\"stop\",\"for\":{}}",
        "{\"host\":\"nas\",\"host\":\"pi\",\"container\":\"db\",\"action\":\"stop\"}",
        "{\"host\":1,\"container\":\"db\",\"action\":\"stop\"}",
        NULL
    };
    for (int i = 0; bad [i]; i++) {
        err [0] = '\0';
        CHECK (jsonbody_action_parse (bad [i], strlen (bad [i]), &a, err, sizeof (err)) == -1
               && err [0]);
    }
}

static cJSON *
s_from (ddc_section_t s, const char *text)
{
    char err [160];
    form_t *f = s_parse (text);
    CHECK (f != NULL);
    cJSON *v = schema_from_form (s, f, err, sizeof (err));
    form_destroy (&f);
    return v;
}

static void
s_expect (cJSON *v, const char *json)
{
    char *got = cJSON_PrintUnformatted (v);
    cJSON *want = ddc_test_parse (json);
    bool ok = cJSON_Compare (v, want, true);
    if (!ok)
        fprintf (stderr, "got  %s\nwant %s\n", got, json);
    CHECK (ok);
    free (got);
    cJSON_Delete (want);
    cJSON_Delete (v);
}

DDC_TEST (test_schema_objects)
{
    s_expect (s_from (DDC_SEC_BOT, "csrf=x&rev=3&bot.token=&bot.guild_id=1098765432109876543"
                                   "&bot.language=de&bot.timezone=Europe%2FBerlin"),
              "{\"token\":\"***\",\"guild_id\":\"1098765432109876543\",\"language\":\"de\","
              "\"timezone\":\"Europe/Berlin\"}");
    s_expect (
        s_from (DDC_SEC_BOT, "bot.token=NEW.TOKEN&bot.guild_id=&bot.language=en&bot.timezone=UTC"),
        "{\"token\":\"NEW.TOKEN\",\"guild_id\":\"\",\"language\":\"en\",\"timezone\":\"UTC\"}");
    //  unchecked boxes are false; empty numbers fall back to the default;
    //  words in number inputs go to the broker as strings (type error there)
    s_expect (s_from (DDC_SEC_WATCHDOG,
                      "watchdog.url=https%3A%2F%2Fx.example&watchdog.interval_minutes=+7+"),
              "{\"enabled\":false,\"url\":\"https://x.example\",\"interval_minutes\":7}");
    s_expect (s_from (DDC_SEC_WATCHDOG, "watchdog.enabled=1&watchdog.url=&watchdog.fail_url="
                                        "http%3A%2F%2Fkuma.lan%2Ff&watchdog.interval_minutes=ten"),
              "{\"enabled\":true,\"url\":\"\",\"fail_url\":\"http://kuma.lan/f\","
              "\"interval_minutes\":\"ten\"}");
    s_expect (s_from (DDC_SEC_WATCHDOG, "watchdog.interval_minutes="), "{\"enabled\":false}");
    //  the spam maps: an empty field means "no entry", an empty map stays {}
    s_expect (s_from (DDC_SEC_SPAM, "spam.enabled=1&spam.command_cooldowns.info=5"
                                    "&spam.command_cooldowns.help=&spam.button_cooldowns.stop=0"),
              "{\"enabled\":true,\"command_cooldowns\":{\"info\":5},\"button_cooldowns\":{\"stop\":"
              "0}}");
    s_expect (s_from (DDC_SEC_SPAM, ""),
              "{\"enabled\":false,\"command_cooldowns\":{},\"button_cooldowns\":{}}");
    s_expect (s_from (DDC_SEC_WEB, "web.ui_language=de&web.session_idle_minutes=1"),
              "{\"password_hash\":\"***\",\"session_idle_minutes\":1,\"ui_language\":\"de\","
              "\"metrics_token\":\"***\"}");
    //  the metrics token: kept when empty, replaced when typed, "" when the
    //  clear box is ticked
    s_expect (s_from (DDC_SEC_WEB, "web.ui_language=en&web.session_idle_minutes=30"
                                   "&web.metrics_token=abcdefghijklmnop"),
              "{\"password_hash\":\"***\",\"session_idle_minutes\":30,\"ui_language\":\"en\","
              "\"metrics_token\":\"abcdefghijklmnop\"}");
    s_expect (s_from (DDC_SEC_WEB, "web.ui_language=en&web.session_idle_minutes=30"
                                   "&web._clear.metrics_token=1"),
              "{\"password_hash\":\"***\",\"session_idle_minutes\":30,\"ui_language\":\"en\","
              "\"metrics_token\":\"\"}");
    s_expect (s_from (DDC_SEC_DOCKER,
                      "docker.stats_interval_seconds=15&docker.stop_timeout_seconds=0"),
              "{\"stats_interval_seconds\":15,\"stop_timeout_seconds\":0}");
    //  the webhook URL: kept when empty, replaced when typed, "" when the
    //  clear box is ticked
    s_expect (s_from (DDC_SEC_ALERTS,
                      "alerts.enabled=1&alerts.webhook_url=&alerts.webhook_format=json"
                      "&alerts.restart_loop_count=4&alerts.log_lines="),
              "{\"enabled\":true,\"webhook_url\":\"***\",\"webhook_format\":\"json\","
              "\"restart_loop_count\":4}");
    s_expect (s_from (DDC_SEC_ALERTS, "alerts.webhook_url=http%3A%2F%2Fh%2Fx"),
              "{\"enabled\":false,\"webhook_url\":\"http://h/x\"}");
    s_expect (s_from (DDC_SEC_ALERTS,
                      "alerts.webhook_url=http%3A%2F%2Fh%2Fx&alerts._clear.webhook_url=1"),
              "{\"enabled\":false,\"webhook_url\":\"\"}");
}

DDC_TEST (test_schema_rows)
{
    //  rows ordered by index, gaps closed, removed and blank rows dropped
    s_expect (s_from (DDC_SEC_ADMINS,
                      "admins[10].id=3&admins[2].id=1&admins[2].note=a"
                      "&admins[5].id=2&admins[5]._delete=1&admins[7].id=&admins[7].note="),
              "[{\"id\":\"1\",\"note\":\"a\"},{\"id\":\"3\"}]");
    s_expect (s_from (DDC_SEC_ADMINS, "csrf=1&rev=2"), "[]");
    //  containers: the action checkboxes in their order, info nested,
    //  a discovered container only when made active
    s_expect (s_from (DDC_SEC_CONTAINERS,
                      "containers[0].host=local&containers[0].name=plex&containers[0].active=1"
                      "&containers[0].display_name=Plex&containers[0].order=10"
                      "&containers[0].allowed_actions=start&containers[0].allowed_actions=logs"
                      "&containers[0].info.enabled=1&containers[0].info.text=Hi%0D%0Athere"
                      "&containers[0].alerts=crash&containers[0].alerts=restart_loop"
                      "&containers[0].roles.start=223344556677889900%2C+1012345678901234567+"
                      "&containers[0].roles.stop=&containers[0].roles.logs=+%2C+"
                      "&containers[1].host=nas&containers[1].name=db&containers[1]._discovered=1"
                      "&containers[1].display_name=db&containers[1].allowed_actions=start"
                      "&containers[2].host=nas&containers[2].name=web&containers[2]._discovered=1"
                      "&containers[2].active=1&containers[2].display_name="),
              "[{\"host\":\"local\",\"name\":\"plex\",\"active\":true,\"display_name\":\"Plex\","
              "\"order\":10,\"allowed_actions\":[\"start\",\"logs\"],"
              "\"info\":{\"enabled\":true,\"text\":\"Hi\\nthere\"},"
              "\"alerts\":[\"crash\",\"restart_loop\"],"
              "\"roles\":{\"start\":[\"223344556677889900\",\"1012345678901234567\"]}},"
              "{\"host\":\"nas\",\"name\":\"web\",\"active\":true,\"allowed_actions\":[],"
              "\"info\":{\"enabled\":false},\"alerts\":[],\"roles\":{}}]");
    //  tasks: target split, only the cycle's own date fields
    s_expect (s_from (DDC_SEC_TASKS,
                      "tasks[0].id=t1&tasks[0].target=local%2Fplex&tasks[0].action=restart"
                      "&tasks[0].cycle=monthly&tasks[0].time=03%3A30&tasks[0].date=2026-01-01"
                      "&tasks[0].weekday=mon&tasks[0].month=5&tasks[0].day=15"
                      "&tasks[0].timezone=UTC&tasks[0].active=1&tasks[0].note="),
              "[{\"id\":\"t1\",\"host\":\"local\",\"container\":\"plex\",\"action\":\"restart\","
              "\"cycle\":\"monthly\",\"time\":\"03:30\",\"day\":15,\"timezone\":\"UTC\",\"active\":"
              "true}]");
    s_expect (s_from (DDC_SEC_TASKS, "tasks[0].id=t2&tasks[0].target=nas%2Fa%2Fb&tasks[0].cycle="
                                     "yearly&tasks[0].month=12"
                                     "&tasks[0].day=31&tasks[0].date=x&tasks[0].weekday=sun"),
              "[{\"id\":\"t2\",\"host\":\"nas\",\"container\":\"a/b\",\"cycle\":\"yearly\","
              "\"month\":12,\"day\":31,\"active\":false}]");
    //  a task without an id gets one, unique among the form's tasks
    s_expect (s_from (DDC_SEC_TASKS,
                      "tasks[0].id=&tasks[0].target=local%2Fplex&tasks[0].action=restart"
                      "&tasks[0].cycle=daily&tasks[0].time=04%3A00&tasks[0].timezone=UTC"
                      "&tasks[1].id=plex-restart-daily&tasks[1].target=local%2Fplex"
                      "&tasks[1].action=restart&tasks[1].cycle=daily&tasks[1].time=05%3A00"
                      "&tasks[1].timezone=UTC"),
              "[{\"id\":\"plex-restart-daily-2\",\"host\":\"local\",\"container\":\"plex\","
              "\"action\":\"restart\",\"cycle\":\"daily\",\"time\":\"04:00\",\"timezone\":\"UTC\","
              "\"active\":false},"
              "{\"id\":\"plex-restart-daily\",\"host\":\"local\",\"container\":\"plex\","
              "\"action\":\"restart\",\"cycle\":\"daily\",\"time\":\"05:00\",\"timezone\":\"UTC\","
              "\"active\":false}]");
    //  channels keep their kind from the hidden input
    s_expect (
        s_from (DDC_SEC_CHANNELS,
                "channels[0].id=1187654321098765432&channels[0].kind=status&channels[0].name=s"
                "&channels[0].refresh_minutes=5&channels[0].recreate_minutes=0"
                "&channels[1].id=1187654321098765433&channels[1].kind=control"
                "&channels[1].post_initial=1&channels[1].name=&channels[1].alerts=1"),
        "[{\"id\":\"1187654321098765432\",\"name\":\"s\",\"kind\":\"status\",\"post_initial\":"
        "false,"
        "\"refresh_minutes\":5,\"recreate_minutes\":0,\"alerts\":false},"
        "{\"id\":\"1187654321098765433\",\"name\":\"\",\"kind\":\"control\",\"post_initial\":true,"
        "\"alerts\":true}]");
}

DDC_TEST (test_schema_refusals)
{
    char err [160];
    form_t *f = s_parse ("admins[x].id=1");
    CHECK (schema_from_form (DDC_SEC_ADMINS, f, err, sizeof (err)) == NULL && strstr (err, "row"));
    form_destroy (&f);
    f = s_parse ("admins[12345678].id=1");
    CHECK (schema_from_form (DDC_SEC_ADMINS, f, err, sizeof (err)) == NULL);
    form_destroy (&f);
    f = s_parse ("admins[1.id=1");
    CHECK (schema_from_form (DDC_SEC_ADMINS, f, err, sizeof (err)) == NULL);
    form_destroy (&f);
    //  more rows than allowed
    char *many = ddc_malloc ((SCHEMA_MAX_ROWS + 1) * 24 + 1);
    size_t o = 0;
    for (int i = 0; i <= SCHEMA_MAX_ROWS; i++)
        o += (size_t) sprintf (many + o, "admins[%d].id=1&", i);
    f = form_parse (many, o, err, sizeof (err));
    CHECK (f && schema_from_form (DDC_SEC_ADMINS, f, err, sizeof (err)) == NULL);
    CHECK (strstr (err, "more than"));
    form_destroy (&f);
    free (many);
    f = s_parse ("a=1");
    CHECK (schema_from_form ((ddc_section_t) 99, f, err, sizeof (err)) == NULL);
    form_destroy (&f);
}

static const char *
s_map (ddc_section_t s, const char *path)
{
    static char out [SCHEMA_NAME_MAX];
    schema_error_input (s, path, out, sizeof (out));
    return out;
}

DDC_TEST (test_error_path_mapping)
{
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].name"), "containers[2].name");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].info.text"), "containers[2].info.text");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].allowed_actions[1]"),
               "containers[2].allowed_actions");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].info"), "containers[2]");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].roles.restart[3]"),
               "containers[2].roles.restart");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].roles.logs"), "containers[2].roles.logs");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].roles"), "containers[2]");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].alerts[0]"), "containers[2].alerts");
    CHECK_STR (s_map (DDC_SEC_CHANNELS, "channels[1].alerts"), "channels[1].alerts");
    CHECK_STR (s_map (DDC_SEC_ALERTS, "alerts.webhook_url"), "alerts.webhook_url");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[2].bogus"), "containers[2]");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[7]"), "containers[7]");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers"), "");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, ""), "");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[].name"), "");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "containers[a].name"), "");
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, "bot.token"), "");
    CHECK_STR (s_map (DDC_SEC_TASKS, "tasks[0].host"), "tasks[0].target");
    CHECK_STR (s_map (DDC_SEC_TASKS, "tasks[0].container"), "tasks[0].target");
    CHECK_STR (s_map (DDC_SEC_TASKS, "tasks[3].day"), "tasks[3].day");
    CHECK_STR (s_map (DDC_SEC_BOT, "bot.timezone"), "bot.timezone");
    CHECK_STR (s_map (DDC_SEC_BOT, "bot"), "");
    CHECK_STR (s_map (DDC_SEC_BOT, "bot.unknown"), "");
    CHECK_STR (s_map (DDC_SEC_SPAM, "spam.command_cooldowns.info"), "spam.command_cooldowns.info");
    CHECK_STR (s_map (DDC_SEC_SPAM, "spam.command_cooldowns.nope"), "");
    CHECK_STR (s_map (DDC_SEC_SPAM, "spam.command_cooldowns"), "");
    CHECK_STR (s_map (DDC_SEC_CHANNELS, "channels[1].id"), "channels[1].id");
    CHECK_STR (s_map (DDC_SEC_WEB, "web.password_hash"), "web.password_hash");
    //  a very long path does not overflow
    char longpath [600];
    memset (longpath, 'a', sizeof (longpath) - 1);
    longpath [sizeof (longpath) - 1] = '\0';
    memcpy (longpath, "containers[1].", 14);
    CHECK_STR (s_map (DDC_SEC_CONTAINERS, longpath), "containers[1]");
    char out [4];
    schema_error_input (DDC_SEC_BOT, "bot.timezone", out, sizeof (out));
    CHECK (strlen (out) < sizeof (out));
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_form_basics);
    DDC_RUN (test_form_utf8_and_line_breaks);
    DDC_RUN (test_form_refusals);
    DDC_RUN (test_cookie_header);
    DDC_RUN (test_forwarded_for);
    DDC_RUN (test_json_body);
    DDC_RUN (test_action_body);
    DDC_RUN (test_schema_objects);
    DDC_RUN (test_schema_rows);
    DDC_RUN (test_schema_refusals);
    DDC_RUN (test_error_path_mapping);
    DDC_DONE ();
}
