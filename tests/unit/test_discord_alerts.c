/*  test_discord_alerts: what ddc-discord makes of the Docker agents' alert
    reports and of the Discord roles, without the network: the report
    parser (alertview.c: what is required, bounds, hostile text), the alert
    message and its follow-up in both languages (titles per kind and end,
    logs or health output in one code block, Discord's limits, Discord
    timestamps, no mentions, the reply reference), and the roles' words
    (roles.c: the refusal naming the roles, /help for an admin, a member
    with roles and one without, the channels). */
#include "../../services/discord/i18n.c"
#include "../../services/discord/live.c"
#include "../../services/discord/render.c"
#include "../../services/discord/alertview.c"
#include "../../services/discord/perms.c"
#include "../../services/discord/roles.c"

#include "ddc_test.h"
#include "ddc_test_json.h"
#include "ddc_test_text.h"

#define OPENED                                                                        \
    "{'host':'nas','time':'2026-11-27T09:00:03Z','event':'opened','id':'6b15-1',"     \
    "'container':'valheim','display_name':'Valheim','kind':'crash','reason':'exit',"  \
    "'exit_code':3,'restarts':1,'window_minutes':10,'opened':'2026-11-27T09:00:02Z'," \
    "'running':false,'suppressed':2,'health_output':null,"                            \
    "'logs':'loading world\\nSegmentation fault\\n','log_lines':2}"

static int
s_parse (const char *text, alert_t *a)
{
    cJSON *body = ddc_test_json (text);
    int rc = alertview_parse (body, "nas", a);
    cJSON_Delete (body);
    return rc;
}

static const cJSON *
s_embed (const cJSON *msg)
{
    return cJSON_GetArrayItem (cJSON_GetObjectItem (msg, "embeds"), 0);
}

static const char *
s_get (const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue (cJSON_GetObjectItem (obj, key));
}

DDC_TEST (test_parse)
{
    alert_t a;
    CHECK_EQ (s_parse (OPENED, &a), 0);
    CHECK_EQ (a.event, ALERT_OPENED);
    CHECK_EQ (a.exit_code, 3);
    CHECK_EQ (a.restarts, 1);
    CHECK_STR (a.host, "nas");
    CHECK_STR (a.display, "Valheim");
    CHECK_STR (a.kind, "crash");
    CHECK (a.suppressed == 2 && !a.running);
    CHECK_EQ (a.opened_ms, 1795770002000LL);
    CHECK_EQ (a.time_ms, 1795770003000LL);
    CHECK_STR (a.logs, "loading world\nSegmentation fault\n");
    alertview_free (&a);
    //  required: id, container, event, kind, reason; an end needs its resolution
    const char *bad [] = {
        "[]",
        "{}",
        "{'id':'x','container':'c','event':'opened','kind':'crash'}",
        "{'id':'x','container':'c','event':'new','kind':'crash','reason':'exit'}",
        "{'id':'x','container':'c','event':'opened','kind':'oom','reason':'exit'}",
        "{'id':'','container':'c','event':'opened','kind':'crash','reason':'exit'}",
        "{'id':'x','container':'c','event':'resolved','kind':'crash','reason':'exit'}",
        "{'id':'x','container':'c','event':'resolved','kind':'crash','reason':'exit',"
        "'resolution':'healed'}",
        "{'id':3,'container':'c','event':'opened','kind':'crash','reason':'exit'}",
        NULL
    };
    for (int i = 0; bad [i]; i++)
        CHECK_EQ (s_parse (bad [i], &a), -1);
    //  wrong types are absent; hostile text is cleaned; the logs are bounded
    CHECK (s_parse ("{'id':'x','container':'c\\u0007d','event':'resolved','kind':'unhealthy',"
                    "'reason':'unhealthy','resolution':'gone','exit_code':'3','restarts':-4,"
                    "'duration_s':1e30,'opened':'yesterday','time':'2026-13-01T00:00:00Z',"
                    "'health_output':'a\\nb\\u001b[31mc','display_name':''}",
                    &a)
           == 0);
    CHECK (a.exit_code == -1 && a.restarts == 0 && a.duration_s == 0 && !a.opened_ms && !a.time_ms);
    CHECK_STR (a.container, "c?d");
    CHECK_STR (a.display, "c?d");
    CHECK (!strchr (a.health_output, '\n') && !strchr (a.health_output, 0x1b));
    CHECK (a.logs == NULL);
    alertview_free (&a);
    cJSON *big = ddc_test_json (OPENED);
    char *logs = malloc (100000);
    memset (logs, 'x', 99999);
    logs [99999] = '\0';
    cJSON_ReplaceItemInObject (big, "logs", cJSON_CreateString (logs));
    CHECK (alertview_parse (big, "nas", &a) == 0 && strlen (a.logs) == ALERT_TEXT_SHOWN);
    alert_t b;
    alertview_copy (&b, &a);
    CHECK (b.logs != a.logs && strcmp (b.logs, a.logs) == 0);
    alertview_free (&b);
    alertview_free (&a);
    CHECK (alertview_parse (big, "", &a) == -1 && alertview_parse (big, NULL, &a) == -1);
    free (logs);
    cJSON_Delete (big);
}

DDC_TEST (test_messages)
{
    CHECK_EQ (i18n_init (), 0);
    alert_t open, now;
    CHECK_EQ (s_parse (OPENED, &open), 0);
    cJSON *m = alertview_message (LANG_EN, &open, &open);
    const cJSON *e = s_embed (m);
    CHECK_STR (s_get (e, "title"), "\xf0\x9f\x9a\xa8 Valheim crashed");
    const char *desc = s_get (e, "description");
    CHECK (strstr (desc, "It exited with code 3 without anyone asking."));
    CHECK (strstr (desc, "**Last lines**\n```\nloading world\nSegmentation fault\n"));
    CHECK (cJSON_GetObjectItem (e, "color")->valueint == S_COLOR_CRASH);
    char *text = cJSON_PrintUnformatted (e);
    CHECK (strstr (text, "nas / valheim"));
    CHECK (strstr (text, "<t:1795770002:f> (<t:1795770002:R>)"));
    CHECK (strstr (text, "2 earlier alerts of this container were held back"));
    CHECK (strstr (text, "\"text\":\"ddc \xe2\x80\xa2 6b15-1\""));
    free (text);
    CHECK_STR (s_get (e, "timestamp"), "2026-11-27T09:00:03Z");
    CHECK (cJSON_GetArraySize (
               cJSON_GetObjectItem (cJSON_GetObjectItem (m, "allowed_mentions"), "parse"))
           == 0);
    cJSON_Delete (m);

    //  the end: green, how long, the logs kept; the follow-up replies to it
    CHECK (s_parse ("{'id':'6b15-1','container':'valheim','display_name':'Valheim',"
                    "'event':'resolved','kind':'crash','reason':'exit','resolution':'recovered',"
                    "'duration_s':250,'time':'2026-11-27T09:04:12Z','running':true}",
                    &now)
           == 0);
    m = alertview_message (LANG_EN, &open, &now);
    e = s_embed (m);
    CHECK_STR (s_get (e, "title"), "\xe2\x9c\x85 Valheim recovered");
    CHECK (strstr (s_get (e, "description"), "It lasted 4 min 10 s."));
    CHECK (strstr (s_get (e, "description"), "Segmentation fault"));
    CHECK (cJSON_GetObjectItem (e, "color")->valueint == S_COLOR_OK);
    text = cJSON_PrintUnformatted (e);
    CHECK (strstr (text, "<t:1795770252:f>"));
    free (text);
    cJSON_Delete (m);
    m = alertview_followup (LANG_DE, &now, "1100000000000000200", "1234567890123456789");
    CHECK_STR (s_get (m, "content"), "\xe2\x9c\x85 Valheim l\xc3\xa4uft wieder, nach 4 min 10 s.");
    const cJSON *ref = cJSON_GetObjectItem (m, "message_reference");
    CHECK_STR (s_get (ref, "message_id"), "1234567890123456789");
    CHECK (cJSON_IsFalse (cJSON_GetObjectItem (ref, "fail_if_not_exists")));
    cJSON_Delete (m);
    alertview_free (&now);

    //  every kind, every end, both languages: a title from the locale
    const char *cases [] = {
        "'kind':'crash','reason':'oom','exit_code':137",
        "'kind':'unhealthy','reason':'unhealthy','health_output':'curl: refused'",
        "'kind':'restart_loop','reason':'restart_loop','restarts':5,'window_minutes':10",
        "'kind':'restart_loop','reason':'restart_loop','event':'resolved','resolution':'loop_"
        "ended'",
        "'kind':'crash','reason':'exit','event':'resolved','resolution':'stopped'",
        "'kind':'crash','reason':'exit','event':'resolved','resolution':'gone'",
        NULL
    };
    for (int l = 0; l < 2; l++)
        for (int i = 0; cases [i]; i++) {
            char json [600];
            snprintf (json, sizeof (json), "{'id':'x','container':'c',%s%s}", cases [i],
                      strstr (cases [i], "event") ? "" : ",'event':'escalated'");
            alert_t a;
            CHECK_EQ (s_parse (json, &a), 0);
            m = alertview_message ((lang_t) l, &a, &a);
            const char *title = s_get (s_embed (m), "title");
            CHECK (title && !strstr (title, "alert.") && strstr (title, "c"));
            CHECK (!strstr (s_get (s_embed (m), "description"), "alert."));
            if (strstr (cases [i], "curl"))
                CHECK (strstr (s_get (s_embed (m), "description"), "```\ncurl: refused\n```"));
            cJSON_Delete (m);
            m = alertview_followup ((lang_t) l, &a, NULL, NULL);
            CHECK (!strstr (s_get (m, "content"), "alert.")
                   && !cJSON_GetObjectItem (m, "message_reference"));
            cJSON_Delete (m);
            alertview_free (&a);
        }
    alertview_free (&open);
}

DDC_TEST (test_message_limits)
{
    CHECK_EQ (i18n_init (), 0);
    //  16 KiB of backticks and umlauts, a 100-character name: one code
    //  block, within Discord's limits, valid UTF-8
    cJSON *body = ddc_test_json (OPENED);
    char *logs = malloc (20000);
    size_t o = 0;
    while (o + 5 < 19000) {
        memcpy (logs + o, "`\xc3\xa4``", 5);
        o += 5;
        if (o % 100 == 0)
            logs [o++] = '\n';
    }
    logs [o] = '\0';
    cJSON_ReplaceItemInObject (body, "logs", cJSON_CreateString (logs));
    char name [401];
    for (int i = 0; i < 100; i++)
        memcpy (name + i * 4, "\xf0\x9f\x98\x80", 4);
    name [400] = '\0';
    cJSON_ReplaceItemInObject (body, "display_name", cJSON_CreateString (name));
    alert_t a;
    CHECK_EQ (alertview_parse (body, "nas", &a), 0);
    for (int l = 0; l < 2; l++) {
        cJSON *m = alertview_message ((lang_t) l, &a, &a);
        const cJSON *e = s_embed (m);
        const char *desc = s_get (e, "description");
        const char *title = s_get (e, "title");
        CHECK (ddc_test_chars (desc) <= 4096 && ddc_test_chars (title) <= 256);
        CHECK (ddc_test_utf8_ok (desc) && ddc_test_utf8_ok (title));
        int fences = 0;
        for (const char *p = desc; (p = strstr (p, "```")); p += 3)
            fences++;
        CHECK_EQ (fences, 2);
        char *all = cJSON_PrintUnformatted (e);
        CHECK (ddc_test_chars (all) < 6000);
        free (all);
        cJSON_Delete (m);
    }
    alertview_free (&a);
    free (logs);
    cJSON_Delete (body);
}

#define ADMIN "1100000000000000300"
#define USER "1100000000000000400"
#define MODS "1100000000000000501"
#define CH_S "1100000000000000200"
#define CH_C "1100000000000000201"

static live_t *
s_live (void)
{
    live_t *live = live_new ();
    cJSON *v = ddc_test_json ("[{'host':'nas','name':'plex','display_name':'Plex',"
                              "'allowed_actions':['start','stop','restart','logs'],"
                              "'roles':{'restart':['" MODS "'],'logs':['" MODS "']}},"
                              "{'host':'nas','name':'val','display_name':'Valheim',"
                              "'allowed_actions':['start']}]");
    live_apply (live, "containers", v, NULL);
    cJSON_Delete (v);
    v = ddc_test_json ("[{'id':'" CH_S "','kind':'status'},{'id':'" CH_C "','kind':'control'}]");
    live_apply (live, "channels", v, NULL);
    cJSON_Delete (v);
    v = ddc_test_json ("[{'id':'" ADMIN "'}]");
    live_apply (live, "admins", v, NULL);
    cJSON_Delete (v);
    return live;
}

static char *
s_help_text (live_t *live, lang_t lang, const char *user, const perm_roles_t *roles,
             const char *channel)
{
    render_ctx_t r = { .live = live, .lang = lang };
    cJSON *help = render_help (&r);
    roles_help (&r, help, user, roles, channel);
    CHECK (cJSON_GetObjectItem (help, "allowed_mentions") != NULL);
    char *text = cJSON_PrintUnformatted (help);
    cJSON_Delete (help);
    return text;
}

DDC_TEST (test_roles_words)
{
    CHECK_EQ (i18n_init (), 0);
    live_t *live = s_live ();
    render_ctx_t r = { .live = live, .lang = LANG_EN };
    const live_ctr_t *plex = live_ctr_find (live, "plex");
    cJSON *m = roles_refusal (&r, plex, ACT_RESTART);
    CHECK_STR (s_get (m, "content"),
               "\xe2\x9b\x94 Only ddc admins and members of <@&" MODS "> may restart Plex.");
    CHECK (cJSON_GetObjectItem (m, "flags")->valueint == FLAG_EPHEMERAL);
    CHECK (cJSON_GetArraySize (
               cJSON_GetObjectItem (cJSON_GetObjectItem (m, "allowed_mentions"), "parse"))
           == 0);
    cJSON_Delete (m);

    const char mods [][24] = { MODS };
    perm_roles_t as_mod = { mods, 1 };
    char *text = s_help_text (live, LANG_EN, USER, &as_mod, CH_S);
    CHECK (strstr (text, "Your permissions"));
    CHECK (strstr (text, "**Plex**: Restart (<@&" MODS ">), Logs (<@&" MODS ">)"));
    CHECK (!strstr (text, "Valheim"));
    CHECK (strstr (text, "<#" CH_S ">, <#" CH_C ">."));
    free (text);
    text = s_help_text (live, LANG_EN, ADMIN, NULL, "999");
    CHECK (strstr (text, "You are a ddc admin"));
    CHECK (strstr (text, "This channel is not one of them."));
    free (text);
    text = s_help_text (live, LANG_DE, USER, NULL, CH_C);
    CHECK (strstr (text, "Sie d\xc3\xbcrfen die Container ansehen."));
    free (text);
    //  many containers: the field stays within Discord's 1024 characters
    cJSON *v = cJSON_CreateArray ();
    for (int i = 0; i < 200; i++) {
        char json [300];
        snprintf (json, sizeof (json),
                  "{'host':'nas','name':'c%d','display_name':'A long name %d',"
                  "'roles':{'start':['" MODS "']}}",
                  i, i);
        cJSON_AddItemToArray (v, ddc_test_json (json));
    }
    live_apply (live, "containers", v, NULL);
    cJSON_Delete (v);
    r.lang = LANG_EN;
    cJSON *help = render_help (&r);
    roles_help (&r, help, USER, &as_mod, CH_S);
    const cJSON *f;
    cJSON_ArrayForEach (f, cJSON_GetObjectItem (s_embed (help), "fields"))
        CHECK (ddc_test_chars (s_get (f, "value")) <= 1024);
    text = cJSON_PrintUnformatted (help);
    CHECK (strstr (text, "more"));
    free (text);
    cJSON_Delete (help);
    live_destroy (&live);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_parse);
    DDC_RUN (test_messages);
    DDC_RUN (test_message_limits);
    DDC_RUN (test_roles_words);
    i18n_shutdown ();
    DDC_DONE ();
}
