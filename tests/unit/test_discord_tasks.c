/*  test_discord_tasks: scheduled tasks as ddc-discord takes them from
    admins (tasks.c): times, weekdays in English and German, every cycle's
    day in the forms people type, time zones (the bot's by default), a
    once task in the past, refusals with their reasons; every task built
    passes the configuration validator the broker uses; ids unique and of
    the allowed characters; descriptions in English and German; the task
    list (next runs in each task's zone, the add button, the delete
    select, limits) and the form. */
#include "../../services/discord/i18n.c"
#include "../../services/discord/live.c"
#include "../../services/discord/render.c"
#include "../../services/discord/tasks.c"

#include "ddc_config.h"
#include "ddc_test.h"
#include "ddc_test_json.h"

//  2026-11-27 09:00:00 UTC
#define NOW 1795770000LL

static cJSON *
s_build (const char *cycle, const char *time, const char *when, const char *tz, const char **why,
         char *arg)
{
    return tasks_build ("t1", "nas", "plex", "restart", cycle, time, when, tz, "Europe/Berlin",
                        "created in Discord by Anna", NOW, why, arg, 96);
}

//  The task is one the broker accepts (containers has nas/plex).
static bool
s_valid (const cJSON *task)
{
    cJSON *doc = ddc_test_json ("{'containers':[{'host':'nas','name':'plex'}]}");
    cJSON *list = cJSON_CreateArray ();
    cJSON_AddItemToArray (list, cJSON_Duplicate (task, 1));
    cJSON *errors = cJSON_CreateArray ();
    cJSON *norm = ddc_config_validate_section (DDC_SEC_TASKS, list, doc, errors);
    bool ok = norm != NULL;
    if (!ok) {
        char *text = cJSON_PrintUnformatted (errors);
        fprintf (stderr, "refused: %s\n", text);
        free (text);
    }
    cJSON_Delete (norm);
    cJSON_Delete (errors);
    cJSON_Delete (list);
    cJSON_Delete (doc);
    return ok;
}

static const char *
s_get (const cJSON *task, const char *key)
{
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (task, key));
}

static int
s_num (const cJSON *task, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (task, key);
    return cJSON_IsNumber (v) ? v->valueint : -1;
}

DDC_TEST (test_times_and_weekdays)
{
    char buf [6];
    CHECK_EQ (tasks_parse_time ("4:05", buf), 0);
    CHECK_STR (buf, "04:05");
    CHECK_EQ (tasks_parse_time (" 23:59 ", buf), 0);
    CHECK_STR (buf, "23:59");
    CHECK_EQ (tasks_parse_time ("00:00", buf), 0);
    CHECK_STR (buf, "00:00");
    const char *bad [] = { "24:00",  "12:60", "4:5",    "4.05", "",    "a:bc",
                           "12:345", "-1:00", "123:00", ":30",  "12:", NULL };
    for (int i = 0; bad [i]; i++)
        CHECK (tasks_parse_time (bad [i], buf) < 0);
    CHECK_STR (tasks_parse_weekday ("mon"), "mon");
    CHECK_STR (tasks_parse_weekday ("Monday"), "mon");
    CHECK_STR (tasks_parse_weekday ("MO"), "mon");
    CHECK_STR (tasks_parse_weekday ("Montag"), "mon");
    CHECK_STR (tasks_parse_weekday (" Di. "), "tue");
    CHECK_STR (tasks_parse_weekday ("thur"), "thu");
    CHECK_STR (tasks_parse_weekday ("sonntag"), "sun");
    CHECK_STR (tasks_parse_weekday ("Sonnabend"), "sat");
    CHECK (tasks_parse_weekday ("mond") == NULL && tasks_parse_weekday ("") == NULL);
    CHECK (tasks_parse_weekday (NULL) == NULL);
}

DDC_TEST (test_build_every_cycle)
{
    const char *why;
    char arg [96];
    cJSON *t = s_build ("daily", "4:00", "", "", &why, arg);
    CHECK (t && why == NULL && s_valid (t));
    CHECK_STR (s_get (t, "time"), "04:00");
    CHECK_STR (s_get (t, "timezone"), "Europe/Berlin"); //  the bot's
    CHECK_STR (s_get (t, "note"), "created in Discord by Anna");
    CHECK (cJSON_IsTrue (cJSON_GetObjectItem (t, "active")));
    cJSON_Delete (t);
    t = s_build ("weekly", "05:30", "Montag", "UTC", &why, arg);
    CHECK (t && s_valid (t));
    CHECK_STR (s_get (t, "weekday"), "mon");
    CHECK_STR (s_get (t, "timezone"), "UTC");
    cJSON_Delete (t);
    t = s_build ("monthly", "23:00", "31.", "America/New_York", &why, arg);
    CHECK (t && s_valid (t) && s_num (t, "day") == 31);
    cJSON_Delete (t);
    t = s_build ("yearly", "12:00", "31.12.", "", &why, arg);
    CHECK (t && s_valid (t) && s_num (t, "month") == 12 && s_num (t, "day") == 31);
    cJSON_Delete (t);
    t = s_build ("yearly", "12:00", "02-29", "", &why, arg);
    CHECK (t && s_valid (t) && s_num (t, "month") == 2 && s_num (t, "day") == 29);
    cJSON_Delete (t);
    t = s_build ("once", "18:00", "24.12.2030", "", &why, arg);
    CHECK (t && s_valid (t));
    CHECK_STR (s_get (t, "date"), "2030-12-24");
    cJSON_Delete (t);
    t = s_build ("once", "18:00", "2030-12-24", "", &why, arg);
    CHECK (t && s_valid (t));
    CHECK_STR (s_get (t, "date"), "2030-12-24");
    cJSON_Delete (t);
    //  Later today (NOW is 10:00 in Berlin) is not past; earlier is.
    t = s_build ("once", "11:00", "2026-11-27", "", &why, arg);
    CHECK (t != NULL);
    cJSON_Delete (t);
    CHECK (s_build ("once", "09:59", "2026-11-27", "", &why, arg) == NULL);
    CHECK_STR (why, "task.past");
}

DDC_TEST (test_build_refusals)
{
    struct {
        const char *action, *cycle, *time, *when, *tz, *why, *arg;
    } cases [] = {
        { "logs", "daily", "04:00", "", "", "task.bad_action", "" },
        { "reboot", "daily", "04:00", "", "", "task.bad_action", "" },
        { "restart", "hourly", "04:00", "", "", "task.bad_cycle", "" },
        { "restart", "daily", "25:00", "", "", "task.bad_time", "25:00" },
        { "restart", "daily", "04:00", "mon", "", "task.daily_no_day", "mon" },
        { "restart", "daily", "04:00", "", "Mars/Base", "task.bad_tz", "Mars/Base" },
        { "restart", "daily", "04:00", "", "../etc/passwd", "task.bad_tz", "../etc/passwd" },
        { "restart", "weekly", "04:00", "funday", "", "task.bad_weekday", "funday" },
        { "restart", "weekly", "04:00", "", "", "task.bad_weekday", "" },
        { "restart", "monthly", "04:00", "32", "", "task.bad_day", "32" },
        { "restart", "monthly", "04:00", "0", "", "task.bad_day", "0" },
        { "restart", "monthly", "04:00", "first", "", "task.bad_day", "first" },
        { "restart", "yearly", "04:00", "02-30", "", "task.bad_month_day", "02-30" },
        { "restart", "yearly", "04:00", "01.13.", "", "task.bad_month_day", "01.13." },
        { "restart", "once", "04:00", "2030-02-30", "", "task.bad_date", "2030-02-30" },
        { "restart", "once", "04:00", "31.04.2030", "", "task.bad_date", "31.04.2030" },
        { "restart", "once", "04:00", "24.12.30", "", "task.bad_date", "24.12.30" },
        { "restart", "once", "04:00", "2020-01-01", "", "task.past", "" },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        const char *why = NULL;
        char arg [96];
        cJSON *t =
            tasks_build ("t1", "nas", "plex", cases [i].action, cases [i].cycle, cases [i].time,
                         cases [i].when, cases [i].tz, "UTC", NULL, NOW, &why, arg, sizeof (arg));
        CHECK (t == NULL);
        CHECK (why && strcmp (why, cases [i].why) == 0);
        CHECK_STR (arg, cases [i].arg);
        cJSON_Delete (t);
    }
    //  Every reason has a text in both languages.
    CHECK_EQ (i18n_init (), 0);
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++)
        CHECK (strcmp (i18n_get (LANG_DE, cases [i].why), cases [i].why) != 0);
}

DDC_TEST (test_ids)
{
    cJSON *list = ddc_test_json ("[{'id':'plex-restart-daily'},{'id':'plex-restart-daily-2'}]");
    char id [72];
    tasks_new_id (list, "plex", "restart", "daily", id, sizeof (id));
    CHECK_STR (id, "plex-restart-daily-3");
    tasks_new_id (list, "plex", "stop", "weekly", id, sizeof (id));
    CHECK_STR (id, "plex-stop-weekly");
    tasks_new_id (NULL, "my.app_1", "start", "once", id, sizeof (id));
    CHECK_STR (id, "my-app_1-start-once");
    char longname [200];
    memset (longname, 'x', sizeof (longname) - 1);
    longname [sizeof (longname) - 1] = '\0';
    tasks_new_id (list, longname, "restart", "monthly", id, sizeof (id));
    CHECK (strlen (id) <= 64 && strspn (id, "x-") == strlen (id));
    CHECK (tasks_has_id (list, "plex-restart-daily-2") && !tasks_has_id (list, "x"));
    cJSON_Delete (list);
}

DDC_TEST (test_describe_and_messages)
{
    CHECK_EQ (i18n_init (), 0);
    char buf [240];
    const char *why;
    char arg [96];
    cJSON *t = s_build ("weekly", "05:30", "sun", "", &why, arg);
    tasks_describe (LANG_EN, t, buf, sizeof (buf));
    CHECK_STR (buf, "Restart every Sunday at 05:30 (Europe/Berlin)");
    tasks_describe (LANG_DE, t, buf, sizeof (buf));
    CHECK_STR (buf, "Neustarten jeden Sonntag um 05:30 (Europe/Berlin)");
    cJSON_Delete (t);
    t = s_build ("yearly", "12:00", "31.12.", "", &why, arg);
    tasks_describe (LANG_EN, t, buf, sizeof (buf));
    CHECK_STR (buf, "Restart yearly on 12-31 at 12:00 (Europe/Berlin)");
    tasks_describe (LANG_DE, t, buf, sizeof (buf));
    CHECK_STR (buf, "Neustarten jährlich am 31.12. um 12:00 (Europe/Berlin)");
    cJSON_Delete (t);
    //  The list: next runs in each task's own zone, the buttons.
    live_t *live = live_new ();
    cJSON *ctrs = ddc_test_json ("[{'host':'nas','name':'plex','display_name':'Plex'},"
                                 "{'host':'nas','name':'db','display_name':'DB'}]");
    live_apply (live, "containers", ctrs, NULL);
    cJSON_Delete (ctrs);
    cJSON *tasks = ddc_test_json (
        "[{'id':'a','host':'nas','container':'plex','action':'restart','cycle':'daily',"
        "'time':'04:00','timezone':'Europe/Berlin','active':true},"
        "{'id':'b','host':'nas','container':'plex','action':'stop','cycle':'daily',"
        "'time':'04:00','timezone':'America/New_York','active':false},"
        "{'id':'c','host':'nas','container':'db','action':'start','cycle':'daily',"
        "'time':'04:00','timezone':'UTC','active':true}]");
    render_ctx_t r = { live, LANG_EN, NULL, NOW * 1000, 0, false, false };
    const live_ctr_t *plex = live_ctr_find (live, "plex");
    cJSON *m = tasks_render_list (&r, tasks, plex, NOW, "✅ saved");
    char *text = cJSON_PrintUnformatted (m);
    const cJSON *e = cJSON_GetArrayItem (cJSON_GetObjectItem (m, "embeds"), 0);
    const char *d = cJSON_GetStringValue (cJSON_GetObjectItem (e, "description"));
    //  04:00 in Berlin the next day, as Berlin time; 2026-11-28 03:00 UTC.
    CHECK (strstr (d, "🟢 `a` Restart daily at 04:00 (Europe/Berlin)\n   next: 2026-11-28 04:00 "
                      "(<t:1795834800:R>)")
           != NULL);
    CHECK (strstr (d, "⏸️ `b`") && strstr (d, "paused"));
    CHECK (!strstr (d, "`c`")); //  another container's
    CHECK (strstr (text, "\"content\":\"✅ saved\"") != NULL);
    char want [64];
    snprintf (want, sizeof (want), "\"custom_id\":\"tk:add:%s\"", plex->key);
    CHECK (strstr (text, want) != NULL);
    snprintf (want, sizeof (want), "\"custom_id\":\"tk:del:%s\"", plex->key);
    CHECK (strstr (text, want) && strstr (text, "\"value\":\"a\"")
           && strstr (text, "\"value\":\"b\""));
    free (text);
    cJSON_Delete (m);
    //  All tasks: each with its container, no buttons.
    m = tasks_render_list (&r, tasks, NULL, NOW, NULL);
    d = cJSON_GetStringValue (
        cJSON_GetObjectItem (cJSON_GetArrayItem (cJSON_GetObjectItem (m, "embeds"), 0),
                             "description"));
    CHECK (strstr (d, "`c` DB · Start daily") != NULL);
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (m, "components")), 0);
    cJSON_Delete (m);
    //  None: said so, and only the add button.
    const live_ctr_t *db = live_ctr_find (live, "db");
    cJSON *none = cJSON_CreateArray ();
    m = tasks_render_list (&r, none, db, NOW, NULL);
    text = cJSON_PrintUnformatted (m);
    CHECK (strstr (text, "No tasks for this container yet.") && !strstr (text, "tk:del:"));
    free (text);
    cJSON_Delete (m);
    //  Many: at most 25 shown and in the select, the rest counted.
    for (int i = 0; i < 40; i++) {
        char one [300];
        snprintf (one, sizeof (one),
                  "{\"id\":\"t%02d\",\"host\":\"nas\",\"container\":\"db\","
                  "\"action\":\"restart\",\"cycle\":\"monthly\",\"day\":%d,\"time\":\"01:00\","
                  "\"timezone\":\"UTC\",\"active\":true}",
                  i, 1 + i % 31);
        cJSON_AddItemToArray (none, ddc_test_json (one));
    }
    m = tasks_render_list (&r, none, db, NOW, NULL);
    text = cJSON_PrintUnformatted (m);
    CHECK (strstr (text, "… and 15 more") != NULL);
    const cJSON *rows = cJSON_GetObjectItem (m, "components");
    const cJSON *sel =
        cJSON_GetArrayItem (cJSON_GetObjectItem (cJSON_GetArrayItem (rows, 1), "components"), 0);
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (sel, "options")), 25);
    CHECK (strlen (cJSON_GetStringValue (
               cJSON_GetObjectItem (e = cJSON_GetArrayItem (cJSON_GetObjectItem (m, "embeds"), 0),
                                    "description")))
           < 4096);
    free (text);
    cJSON_Delete (m);
    cJSON_Delete (none);
    //  The form: five labelled inputs, the bot's zone filled in.
    m = tasks_render_form (&r, plex);
    CHECK_EQ (cJSON_GetArraySize (cJSON_GetObjectItem (m, "components")), 5);
    text = cJSON_PrintUnformatted (m);
    snprintf (want, sizeof (want), "\"custom_id\":\"tk:new:%s\"", plex->key);
    CHECK (strstr (text, want) && strstr (text, "\"value\":\"UTC\"")
           && strstr (text, "\"custom_id\":\"action\"") && strstr (text, "\"type\":18"));
    free (text);
    cJSON_Delete (m);
    cJSON_Delete (tasks);
    live_destroy (&live);
    i18n_shutdown ();
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_times_and_weekdays);
    DDC_RUN (test_build_every_cycle);
    DDC_RUN (test_build_refusals);
    DDC_RUN (test_ids);
    DDC_RUN (test_describe_and_messages);
    DDC_DONE ();
}
