/*  test_broker_ops: the broker's operating logic as logic: config.json's
    schema (schema.c: the number read from _meta, refusals, the migration
    to SCHEMA_CURRENT), the watchdog's judgement of the system (health.c:
    the bot's gateway, the agents of the hosts with active containers, their
    Docker engines), what of a URL it shows (watchdog.c), and the
    sections' text kept per revision (sectext.c). */
#include "../../services/broker/health.c"
#include "../../services/broker/loopstat.c"
#include "../../services/broker/peers.c"
#include "../../services/broker/roles.c"
#include "../../services/broker/schema.c"
#include "../../services/broker/sectext.c"
#include "../../services/broker/watchdog.c"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_test.h"

static cJSON *
s_doc (const char *text)
{
    char why [128];
    cJSON *doc = ddc_json_parse (text, strlen (text), 1 << 20, why, sizeof (why));
    if (!doc)
        fprintf (stderr, "bad test JSON: %s\n", why);
    return doc;
}

static int
s_schema (const char *text, char *err, size_t errlen)
{
    cJSON *doc = s_doc (text);
    err [0] = '\0';
    int n = schema_of (doc, err, errlen);
    cJSON_Delete (doc);
    return n;
}

DDC_TEST (test_schema_read_from_meta)
{
    char err [200];
    CHECK_EQ (s_schema ("{}", err, sizeof (err)), 1); //  no _meta
    CHECK_EQ (s_schema ("{\"_meta\": {\"rev\": 3}}", err, sizeof (err)), 1);
    CHECK_EQ (s_schema ("{\"_meta\": 5}", err, sizeof (err)), 1); //  damaged: ignored
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": 2}}", err, sizeof (err)), 2);
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": 7}}", err, sizeof (err)), 7);
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": 0}}", err, sizeof (err)), -1);
    CHECK (strstr (err, "_meta.schema must be a whole number") != NULL);
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": 1.5}}", err, sizeof (err)), -1);
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": -1}}", err, sizeof (err)), -1);
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": \"2\"}}", err, sizeof (err)), -1);
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": 1e300}}", err, sizeof (err)), -1);
    CHECK_EQ (s_schema ("{\"_meta\": {\"schema\": null}}", err, sizeof (err)), -1);
}

DDC_TEST (test_schema_migration)
{
    char err [200] = "";
    //  a schema-1 file: sections as they were, the number added
    cJSON *doc = s_doc ("{\"bot\": {\"language\": \"de\"}, \"watchdog\": {\"url\": \"\"}}");
    CHECK_EQ (schema_migrate (doc, 1, err, sizeof (err)), 0);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive (doc, "_meta");
    CHECK (cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (meta, "schema"))
           == SCHEMA_CURRENT);
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (doc, "bot"),
                                                     "language")),
               "de");
    cJSON_Delete (doc);
    //  _meta kept (epoch, revisions), its schema replaced
    doc = s_doc ("{\"_meta\": {\"epoch\": \"0123456789abcdef\", \"schema\": 1}}");
    CHECK_EQ (schema_migrate (doc, 1, err, sizeof (err)), 0);
    meta = cJSON_GetObjectItemCaseSensitive (doc, "_meta");
    CHECK_EQ (cJSON_GetArraySize (meta), 2);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (meta, "epoch")),
               "0123456789abcdef");
    cJSON_Delete (doc);
    //  the current schema: nothing to do
    doc = s_doc ("{\"_meta\": {\"schema\": 2}}");
    CHECK_EQ (schema_migrate (doc, SCHEMA_CURRENT, err, sizeof (err)), 0);
    cJSON_Delete (doc);
    //  newer: refused with what to do
    doc = s_doc ("{\"_meta\": {\"schema\": 7}}");
    CHECK_EQ (schema_migrate (doc, 7, err, sizeof (err)), -1);
    char want [160];
    snprintf (want, sizeof (want),
              "config.json has schema 7; this ddc-broker knows up to %d: "
              "upgrade ddc",
              SCHEMA_CURRENT);
    CHECK_STR (err, want);
    cJSON_Delete (doc);
    doc = s_doc ("[]");
    CHECK_EQ (schema_migrate (doc, 1, err, sizeof (err)), -1);
    cJSON_Delete (doc);
}

//  The judgement of a configuration (JSON) over peers.
static bool
s_judge (const char *bot, const char *containers, peers_t *peers, char *reason, size_t size)
{
    cJSON *b = s_doc (bot), *c = s_doc (containers);
    bool ok = health_judge (b, c, peers, reason, size);
    cJSON_Delete (b);
    cJSON_Delete (c);
    return ok;
}

static void
s_report (peer_t *p, const char *topic, const char *body)
{
    CHECK_EQ (peer_status (p, topic, body, strlen (body)), 0);
}

DDC_TEST (test_health)
{
    peers_t *peers = peers_new ();
    char why [600];
    //  nothing configured: the broker up is all there is
    CHECK (s_judge ("{\"token\": \"\"}", "[]", peers, why, sizeof (why)));
    CHECK_STR (why, "all well: broker up");
    //  a token needs a ready gateway
    const char *token = "{\"token\": \"MTIz.x\"}";
    CHECK (!s_judge (token, "[]", peers, why, sizeof (why)));
    CHECK_STR (why, "no ddc-discord is connected (a bot token is set)");
    zframe_t *r1 = zframe_new ("1", 1), *r2 = zframe_new ("2", 1), *r3 = zframe_new ("3", 1);
    peer_t *bot = peers_hello (peers, r1, role_find ("discord"), "main", ddc_mono_ms ());
    CHECK (!s_judge (token, "[]", peers, why, sizeof (why)));
    CHECK_STR (why, "discord@main: the Discord gateway is not reported yet");
    s_report (bot, "gateway", "{\"state\": \"failed\", \"error\": \"4004: bad token\"}");
    CHECK (!s_judge (token, "[]", peers, why, sizeof (why)));
    CHECK_STR (why, "discord@main: the Discord gateway is failed: 4004: bad token");
    s_report (bot, "gateway", "{\"state\": \"ready\", \"error\": null}");
    CHECK (s_judge (token, "[]", peers, why, sizeof (why)));
    CHECK_STR (why, "all well: broker up, discord@main ready");
    //  hosts with an active container need their agent, and its Docker
    const char *containers = "[{\"host\": \"nas\", \"name\": \"a\", \"active\": true},"
                             " {\"host\": \"nas\", \"name\": \"b\", \"active\": true},"
                             " {\"host\": \"old\", \"name\": \"c\", \"active\": false},"
                             " {\"host\": \"pi\", \"name\": \"d\"}]";
    CHECK (!s_judge (token, containers, peers, why, sizeof (why)));
    CHECK_STR (why, "docker@nas is not connected (and 1 more)");
    peer_t *nas = peers_hello (peers, r2, role_find ("docker"), "nas", ddc_mono_ms ());
    peers_hello (peers, r3, role_find ("docker"), "pi", ddc_mono_ms ());
    CHECK (s_judge (token, containers, peers, why, sizeof (why)));
    CHECK_STR (why, "all well: broker up, discord@main ready, 2 Docker hosts connected");
    s_report (nas, "status", "{\"docker\": {\"reachable\": false, \"error\": \"no socket\"}}");
    CHECK (!s_judge ("{}", containers, peers, why, sizeof (why)));
    CHECK_STR (why, "docker@nas: Docker is unreachable: no socket");
    s_report (nas, "status", "{\"docker\": {\"reachable\": true, \"error\": null}}");
    CHECK (s_judge ("{}", containers, peers, why, sizeof (why)));
    //  a report that is not what it should be counts as no report
    s_report (nas, "status", "[1, 2]");
    CHECK (s_judge ("{}", containers, peers, why, sizeof (why)));
    peers_bye (peers, nas); //  gone
    CHECK (!s_judge ("{}", containers, peers, why, sizeof (why)));
    CHECK_STR (why, "docker@nas is not connected");
    zframe_destroy (&r1);
    zframe_destroy (&r2);
    zframe_destroy (&r3);
    peers_destroy (&peers);
}

static void
s_safe (const char *url, const char *want)
{
    char out [300];
    watchdog_safe_url (url, out, sizeof (out));
    CHECK_STR (out, want);
}

DDC_TEST (test_watchdog_shows_no_secret)
{
    s_safe ("https://hc-ping.com/5f2c9a6e-8d41", "https://hc-ping.com/\xE2\x80\xA6");
    s_safe ("http://192.168.1.5:3001/api/push/Ab3?status=up&msg=OK",
            "http://192.168.1.5:3001/\xE2\x80\xA6");
    s_safe ("https://user:pass@host.example:8443/p", "https://host.example:8443/\xE2\x80\xA6");
    s_safe ("https://a@b@host.example", "https://host.example");
    s_safe ("http://kuma.lan", "http://kuma.lan");
    s_safe ("http://kuma.lan?token=x", "http://kuma.lan/\xE2\x80\xA6");
    s_safe ("http://kuma.lan#x", "http://kuma.lan/\xE2\x80\xA6");
    s_safe ("", "");
    s_safe ("not a url", "(not a URL)");
}

DDC_TEST (test_sectext_per_revision)
{
    sectext_t *texts = sectext_new ();
    cJSON *bot = s_doc ("{\"token\": \"MTIz.secret\", \"guild_id\": \"1\"}");
    size_t len = 0;
    //  Printed once per revision and view: the same text while neither
    //  changes, the secret only in the full view.
    const char *redacted = sectext_get (texts, DDC_SEC_BOT, false, 7, bot, &len);
    CHECK (strstr (redacted, "MTIz.secret") == NULL);
    CHECK (len == strlen (redacted));
    CHECK (sectext_get (texts, DDC_SEC_BOT, false, 7, bot, &len) == redacted);
    const char *full = sectext_get (texts, DDC_SEC_BOT, true, 7, bot, &len);
    CHECK (strstr (full, "\"token\":\"MTIz.secret\"") != NULL);
    //  A new revision (or another tree) is printed anew.
    cJSON_ReplaceItemInObject (bot, "guild_id", cJSON_CreateString ("2"));
    CHECK (strstr (sectext_get (texts, DDC_SEC_BOT, true, 8, bot, &len), "\"guild_id\":\"2\""));
    cJSON *other = s_doc ("{\"token\": \"\", \"guild_id\": \"3\"}");
    CHECK (strstr (sectext_get (texts, DDC_SEC_BOT, true, 8, other, &len), "\"guild_id\":\"3\""));
    cJSON_Delete (bot);
    cJSON_Delete (other);
    sectext_destroy (&texts);
    CHECK (texts == NULL);
}

//  loopstat_next ends a step and begins the next at the same reading: the
//  busy step is the longest in time and in CPU, the one after it starts
//  where it ended, and both count.
DDC_TEST (test_loopstat_next)
{
    loopstat_t *stat = loopstat_new ();
    loopstat_step_t step = loopstat_begin ();
    int64_t first = step.us;
    volatile uint64_t spins = 0;
    for (int64_t until = ddc_mono_us () + 3000; ddc_mono_us () < until;)
        spins++;
    loopstat_next (stat, &step, "busy");
    CHECK (step.us >= first + 3000);
    int64_t second = step.us;
    loopstat_next (stat, &step, "idle");
    CHECK (step.us >= second);
    cJSON *json = loopstat_json (stat);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (json, "longest_what")), "busy");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (json, "longest_cpu_what")), "busy");
    CHECK (cJSON_GetNumberValue (cJSON_GetObjectItem (json, "longest_ms")) >= 3.0);
    CHECK (cJSON_GetNumberValue (cJSON_GetObjectItem (json, "longest_cpu_ms")) > 0.0);
    CHECK (cJSON_GetNumberValue (cJSON_GetObjectItem (json, "steps")) == 2);
    cJSON_Delete (json);
    loopstat_destroy (&stat);
    CHECK (stat == NULL);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_init ("test_broker_ops");
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_schema_read_from_meta);
    DDC_RUN (test_schema_migration);
    DDC_RUN (test_health);
    DDC_RUN (test_watchdog_shows_no_secret);
    DDC_RUN (test_sectext_per_revision);
    DDC_RUN (test_loopstat_next);
    DDC_DONE ();
}
