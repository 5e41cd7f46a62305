/*  test_docker_webhook: what ddc-docker's alerts webhook sends (webhook.c):
    the Discord payload (title per kind and end, the log lines or the
    health check's output in a code block that cannot be closed early, the
    fields, Discord's size limits, no mentions), the plain JSON payload, the
    URL as logs show it (never its path or user info), and the bounded
    queue. Delivery itself is tested against a real HTTP server in
    tests/integration/test_alerts.py. */
#include "../../services/docker/webhook.c"

#include "ddc_test.h"
#include "ddc_test_json.h"
#include "ddc_test_text.h"

static cJSON *
s_discord_of (const char *report_text)
{
    cJSON *report = ddc_test_json (report_text);
    char *body = webhook_body (report, WEBHOOK_DISCORD);
    cJSON *msg = cJSON_Parse (body);
    free (body);
    cJSON_Delete (report);
    return msg;
}

static const char *
s_embed_str (const cJSON *msg, const char *key)
{
    const cJSON *embed = cJSON_GetArrayItem (cJSON_GetObjectItem (msg, "embeds"), 0);
    return cJSON_GetStringValue (cJSON_GetObjectItem (embed, key));
}

DDC_TEST (test_titles)
{
    struct {
        const char *report, *title;
    } cases [] = {
        { "{'event':'opened','display_name':'Plex','container':'plex','reason':'exit',"
          "'exit_code':1}",
          "\xf0\x9f\x9a\xa8 Plex crashed (exit code 1)" },
        { "{'event':'opened','container':'plex','reason':'oom','exit_code':137}",
          "\xf0\x9f\x9a\xa8 plex was killed: out of memory (exit code 137)" },
        { "{'event':'escalated','container':'v','reason':'restart_loop','restarts':3,"
          "'window_minutes':10}",
          "\xf0\x9f\x94\x81 v is restarting in a loop (3 exits in 10 min)" },
        { "{'event':'opened','container':'v','reason':'unhealthy'}",
          "\xf0\x9f\xa9\xba v is unhealthy" },
        { "{'event':'resolved','container':'v','resolution':'recovered','duration_s':125}",
          "\xe2\x9c\x85 v recovered (after 2m 5s)" },
        { "{'event':'resolved','container':'v','resolution':'loop_ended','duration_s':7300}",
          "\xe2\x9c\x85 v: the restart loop has ended (after 2h 1m)" },
        { "{'event':'resolved','container':'v','resolution':'stopped','duration_s':3}",
          "\xe2\x8f\xb9\xef\xb8\x8f v was stopped on request (after 3s)" },
        { "{'event':'resolved','container':'v','resolution':'gone'}",
          "\xe2\x9e\x96 v: no longer followed (after 0s)" },
        { "{}", "\xf0\x9f\x9a\xa8 ? crashed (exit code -1)" },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        cJSON *r = ddc_test_json (cases [i].report);
        char title [256];
        webhook_title (r, title, sizeof (title));
        CHECK_STR (title, cases [i].title);
        cJSON_Delete (r);
    }
}

DDC_TEST (test_discord_payload)
{
    cJSON *msg = s_discord_of (
        "{'host':'nas','time':'2026-11-27T09:00:00Z','event':'opened','id':'6a1b-1',"
        "'container':'plex','display_name':'Plex','kind':'crash','reason':'exit','exit_code':3,"
        "'logs':'starting\\nboom: ```x``` @everyone\\n','suppressed':2}");
    CHECK (msg != NULL);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (msg, "username")), "ddc");
    //  no mention ever pings
    const cJSON *parse =
        cJSON_GetObjectItem (cJSON_GetObjectItem (msg, "allowed_mentions"), "parse");
    CHECK (cJSON_IsArray (parse) && cJSON_GetArraySize (parse) == 0);
    CHECK_STR (s_embed_str (msg, "title"), "\xf0\x9f\x9a\xa8 Plex crashed (exit code 3)");
    const char *desc = s_embed_str (msg, "description");
    CHECK (desc && strncmp (desc, "Last lines:\n```\nstarting\nboom: ", 31) == 0);
    //  one code block: the log's backticks became look-alikes
    int fences = 0;
    for (const char *p = desc; (p = strstr (p, "```")); p += 3)
        fences++;
    CHECK_EQ (fences, 2);
    CHECK_STR (s_embed_str (msg, "timestamp"), "2026-11-27T09:00:00Z");
    const cJSON *embed = cJSON_GetArrayItem (cJSON_GetObjectItem (msg, "embeds"), 0);
    CHECK (cJSON_GetObjectItem (embed, "color")->valueint == S_COLOR_CRASH);
    char *fields = cJSON_PrintUnformatted (cJSON_GetObjectItem (embed, "fields"));
    CHECK (strstr (fields, "{\"name\":\"Host\",\"value\":\"nas\",\"inline\":true}"));
    CHECK (strstr (fields, "{\"name\":\"Exit code\",\"value\":\"3\",\"inline\":true}"));
    CHECK (strstr (fields, "\"value\":\"2\""));
    free (fields);
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItem (cJSON_GetObjectItem (embed, "footer"), "text")),
               "ddc \xe2\x80\xa2 incident 6a1b-1");
    cJSON_Delete (msg);

    //  a health incident shows the check's output; an end, no logs
    msg = s_discord_of ("{'event':'opened','container':'web','reason':'unhealthy',"
                        "'health_output':'curl: (7) refused','logs':'x','exit_code':null}");
    CHECK (strstr (s_embed_str (msg, "description"), "Health check:\n```\ncurl: (7) refused"));
    embed = cJSON_GetArrayItem (cJSON_GetObjectItem (msg, "embeds"), 0);
    char *text = cJSON_PrintUnformatted (embed);
    CHECK (!strstr (text, "Exit code"));
    free (text);
    cJSON_Delete (msg);
    msg = s_discord_of ("{'event':'resolved','container':'web','resolution':'loop_ended',"
                        "'running':false,'logs':'x','exit_code':3}");
    CHECK_STR (s_embed_str (msg, "description"), "It stays down; Docker does not restart it.");
    embed = cJSON_GetArrayItem (cJSON_GetObjectItem (msg, "embeds"), 0);
    CHECK (cJSON_GetObjectItem (embed, "color")->valueint == S_COLOR_OK);
    cJSON_Delete (msg);
    msg = s_discord_of ("{'event':'resolved','container':'web','resolution':'stopped'}");
    embed = cJSON_GetArrayItem (cJSON_GetObjectItem (msg, "embeds"), 0);
    CHECK (cJSON_GetObjectItem (embed, "color")->valueint == S_COLOR_CLOSED);
    CHECK (s_embed_str (msg, "description") == NULL);
    cJSON_Delete (msg);
}

DDC_TEST (test_discord_limits)
{
    //  20 KB of logs, all backticks and multi-byte text: the description
    //  stays within Discord's 4096 characters, valid UTF-8, the newest end
    size_t n = 20000;
    char *logs = malloc (n + 64);
    size_t o = 0;
    while (o + 8 < n) {
        memcpy (logs + o, "\xc3\xa4`", 3);
        o += 3;
        if (o % 90 == 0)
            logs [o++] = '\n';
    }
    strcpy (logs + o, "THE END");
    cJSON *r = cJSON_CreateObject ();
    cJSON_AddStringToObject (r, "event", "opened");
    cJSON_AddStringToObject (r, "reason", "exit");
    cJSON_AddStringToObject (r, "logs", logs);
    char *body = webhook_body (r, WEBHOOK_DISCORD);
    cJSON *msg = cJSON_Parse (body);
    const char *desc = s_embed_str (msg, "description");
    CHECK (desc && strlen (desc) < 4096);
    CHECK (strstr (desc, "THE END\n```"));
    CHECK (ddc_test_utf8_ok (desc));
    free (body);
    free (logs);
    cJSON_Delete (msg);
    cJSON_Delete (r);
}

DDC_TEST (test_json_payload)
{
    cJSON *r = ddc_test_json ("{'event':'opened','container':'plex','reason':'oom',"
                              "'exit_code':137,'text':'old','logs':'a\\nb'}");
    char *body = webhook_body (r, WEBHOOK_JSON);
    cJSON *msg = cJSON_Parse (body);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (msg, "text")),
               "\xf0\x9f\x9a\xa8 plex was killed: out of memory (exit code 137)");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (msg, "logs")), "a\nb");
    CHECK (cJSON_GetObjectItem (msg, "exit_code")->valueint == 137);
    free (body);
    cJSON_Delete (msg);
    cJSON_Delete (r);
}

DDC_TEST (test_redact)
{
    char out [160];
    webhook_redact ("https://discord.com/api/webhooks/123/s3cr3t-token", out, sizeof (out));
    CHECK_STR (out, "https://discord.com/...");
    webhook_redact ("http://user:pass@127.0.0.1:8080/hook?x=1", out, sizeof (out));
    CHECK_STR (out, "http://127.0.0.1:8080/...");
    webhook_redact ("http://[::1]:81", out, sizeof (out));
    CHECK_STR (out, "http://[::1]:81");
    webhook_redact ("https://h?token=abc", out, sizeof (out));
    CHECK_STR (out, "https://h/...");
    webhook_redact ("no url", out, sizeof (out));
    CHECK_STR (out, "(not a URL)");
    webhook_redact (NULL, out, sizeof (out));
    CHECK_STR (out, "");
    char small [8];
    webhook_redact ("https://discord.com/api/webhooks/1/x", small, sizeof (small));
    CHECK (strlen (small) < sizeof (small) && !strstr (small, "/x"));
}

DDC_TEST (test_queue_bounded)
{
    webhook_t *wh = webhook_new ();
    CHECK (wh != NULL);
    cJSON *r = ddc_test_json ("{'event':'opened','container':'c','reason':'exit','exit_code':1}");
    CHECK_EQ (webhook_send (wh, r), -1); //  no webhook
    CHECK_EQ (webhook_timeout_ms (wh), -1);
    webhook_configure (wh, "http://127.0.0.1:9/hook", WEBHOOK_JSON);
    for (int i = 0; i < WEBHOOK_QUEUE_MAX + 6; i++)
        CHECK_EQ (webhook_send (wh, r), 0);
    CHECK_EQ (webhook_pending (wh), WEBHOOK_QUEUE_MAX);
    CHECK_EQ (webhook_dropped (wh), 6);
    CHECK_EQ (webhook_timeout_ms (wh), 0); //  the first is due
    webhook_configure (wh, "", WEBHOOK_JSON);
    CHECK (webhook_pending (wh) == 0 && webhook_dropped (wh) == 6 + WEBHOOK_QUEUE_MAX);
    cJSON_Delete (r);
    webhook_destroy (&wh);
    webhook_destroy (&wh);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_titles);
    DDC_RUN (test_discord_payload);
    DDC_RUN (test_discord_limits);
    DDC_RUN (test_json_payload);
    DDC_RUN (test_redact);
    DDC_RUN (test_queue_bounded);
    DDC_DONE ();
}
