/*  test_discord_gateway: the gateway protocol of ddc-discord without a
    network: payload parsing (payload.c: envelope, READY, INTERACTION_CREATE
    of every kind, messages, hostile input) and the state machine
    (gateway.c) driven with a fake clock and a fake socket: identify,
    heartbeat jitter and ACKs, zombie detection, resume on the resume url
    with the last seq, op 7, op 9, close codes (resume, re-identify, fatal
    without a reconnect storm), the 5 s identify spacing, backoff, token
    changes and the status report. */
#include "../../services/discord/payload.c"
#include "../../services/discord/gateway.c"

#include "ddc_test.h"
#include "ddc_test_json.h"

//  --------------------------------------------------------------------------
//  A fake socket

typedef struct {
    int connects;
    char url [1024];
    uint32_t next_conn;
    int sends;
    char sent [32][4096];
    int closes;
    int close_code;
    uint32_t closed_conn;
    int fetches;
    int dispatches;
    char last_t [64];
    int changed;
} s_fake_t;

static uint32_t
f_connect (void *arg, const char *url)
{
    s_fake_t *f = arg;
    f->connects++;
    ddc_strlcpy (f->url, url, sizeof (f->url));
    return ++f->next_conn;
}

static void
f_send (void *arg, uint32_t conn, const char *text, size_t len)
{
    (void) conn;
    s_fake_t *f = arg;
    if (f->sends < 32)
        snprintf (f->sent [f->sends], sizeof (f->sent [0]), "%.*s", (int) len, text);
    f->sends++;
}

static void
f_close (void *arg, uint32_t conn, int code, const char *reason)
{
    (void) reason;
    s_fake_t *f = arg;
    f->closes++;
    f->close_code = code;
    f->closed_conn = conn;
}

static void
f_fetch (void *arg)
{
    ((s_fake_t *) arg)->fetches++;
}

static void
f_dispatch (void *arg, const char *t, const cJSON *d)
{
    (void) d;
    s_fake_t *f = arg;
    f->dispatches++;
    ddc_strlcpy (f->last_t, t, sizeof (f->last_t));
}

static void
f_changed (void *arg)
{
    ((s_fake_t *) arg)->changed++;
}

static gateway_t *
s_gw (s_fake_t *f)
{
    memset (f, 0, sizeof (*f));
    gateway_ops_t ops = { f_connect, f_send, f_close, f_fetch, f_dispatch, f_changed };
    gateway_t *gw = gateway_new (&ops, f, true);
    gateway_set_seed (gw, 42);
    return gw;
}

static void
s_text (gateway_t *gw, const char *text, int64_t now)
{
    gateway_on_text (gw, gateway_conn (gw), text, strlen (text), now);
}

static const char *
s_last (s_fake_t *f)
{
    return f->sends > 0 && f->sends <= 32 ? f->sent [f->sends - 1] : "";
}

#define READY                                                                     \
    "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"v\":10,\"session_id\":\"sess1\"," \
    "\"resume_gateway_url\":\"ws://h:1/resume\",\"user\":{\"id\":\"11\","         \
    "\"username\":\"bot\"},\"application\":{\"id\":\"12\"},\"guilds\":[]}}"

//  Token, url, open, HELLO, READY: a ready gateway at time 1000.
static gateway_t *
s_ready (s_fake_t *f)
{
    gateway_t *gw = s_gw (f);
    gateway_set_token (gw, "tok", 0);
    gateway_url_result (gw, 200, "ws://h:1/gateway", 0);
    gateway_on_open (gw, gateway_conn (gw), 1);
    s_text (gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", 2);
    s_text (gw, READY, 3);
    return gw;
}

//  --------------------------------------------------------------------------
//  Payloads

DDC_TEST (test_payload_envelope)
{
    gw_payload_t p;
    CHECK (gw_payload_parse ("{\"op\":0,\"s\":5,\"t\":\"X\",\"d\":{}}", 29, &p, NULL, 0) == 0);
    CHECK (p.op == 0 && p.s == 5 && strcmp (p.t, "X") == 0 && cJSON_IsObject (p.d));
    gw_payload_free (&p);
    CHECK (gw_payload_parse ("{\"op\":11}", 9, &p, NULL, 0) == 0);
    CHECK (p.op == 11 && p.s == -1 && p.t [0] == '\0' && !p.d);
    gw_payload_free (&p);
    const char *bad [] = { "",
                           "[]",
                           "{}",
                           "{\"op\":\"1\"}",
                           "{\"op\":1.5}",
                           "{\"op\":-1}",
                           "{\"op\":1",
                           "null",
                           "{\"op\":300}",
                           "{\"op\":11}x",
                           "{\"op\":0,\"t\":\"a\\u0000b\"}" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        CHECK (gw_payload_parse (bad [i], strlen (bad [i]), &p, NULL, 0) == -1);
        gw_payload_free (&p);
    }
    char why [160];
    CHECK_EQ (gw_payload_parse ("{\"op\":11} {}", 12, &p, why, sizeof (why)), -1);
    CHECK (strcmp (why, "not valid JSON: trailing bytes after the value at line 1, column 11") == 0);
    //  s must be a whole non-negative number, else it counts as absent.
    CHECK (gw_payload_parse ("{\"op\":0,\"s\":-3,\"t\":\"X\"}", 23, &p, NULL, 0) == 0 && p.s == -1);
    gw_payload_free (&p);
}

DDC_TEST (test_payload_ready)
{
    gw_ready_t r;
    cJSON *d = ddc_test_json ("{'session_id':'abc','resume_gateway_url':'wss://r.example/?x=1',"
                              "'user':{'id':'1100000000000000001','username':'bot'},"
                              "'application':{'id':'1100000000000000002'}}");
    CHECK_EQ (gw_ready_parse (d, &r), 0);
    CHECK_STR (r.session_id, "abc");
    CHECK_STR (r.resume_url, "wss://r.example/");
    CHECK_STR (r.app_id, "1100000000000000002");
    cJSON_Delete (d);
    d = ddc_test_json ("{'session_id':'abc','resume_gateway_url':'http://x','user':{'id':'5'}}");
    CHECK_EQ (gw_ready_parse (d, &r), 0);
    CHECK_STR (r.resume_url, "");
    CHECK_STR (r.app_id, "5");
    cJSON_Delete (d);
    d = ddc_test_json ("{'user':{'id':'5'}}");
    CHECK_EQ (gw_ready_parse (d, &r), -1);
    cJSON_Delete (d);
    d = ddc_test_json ("{'session_id':'a','user':{'id':'not-an-id'}}");
    CHECK_EQ (gw_ready_parse (d, &r), -1);
    cJSON_Delete (d);
}

#define IX_HEAD                                                          \
    "'id':'1','application_id':'2','token':'tok-en_1','guild_id':'3',"   \
    "'channel':{'id':'4'},'channel_id':'99','member':{'user':{'id':'5'," \
    "'username':'anna','global_name':'Anna'}},'locale':'de',"

DDC_TEST (test_payload_interactions)
{
    gw_interaction_t *ix = ddc_malloc (sizeof (*ix));
    cJSON *d = ddc_test_json ("{" IX_HEAD "'type':2,'data':{'name':'info','options':"
                              "[{'name':'container','type':3,'value':'plex'},{'name':'n','type':4,"
                              "'value':7},{'name':'b','type':5,'value':true}]}}");
    CHECK_EQ (gw_interaction_parse (d, ix), 0);
    CHECK (ix->type == 2 && strcmp (ix->name, "info") == 0 && ix->noptions == 3);
    CHECK_STR (ix->channel_id, "4"); //  channel.id wins over channel_id
    CHECK_STR (ix->user_id, "5");
    CHECK_STR (ix->username, "Anna");
    CHECK_STR (gw_option (ix, "container")->value, "plex");
    CHECK_STR (gw_option (ix, "n")->value, "7");
    CHECK_STR (gw_option (ix, "b")->value, "true");
    CHECK (gw_option (ix, "zzz") == NULL);
    cJSON_Delete (d);

    d = ddc_test_json ("{" IX_HEAD "'type':4,'data':{'name':'info','options':"
                       "[{'name':'container','type':3,'value':'pl','focused':true}]}}");
    CHECK (gw_interaction_parse (d, ix) == 0 && gw_focused (ix)->focused);
    cJSON_Delete (d);

    d = ddc_test_json ("{" IX_HEAD "'type':3,'data':{'custom_id':'ov:sel','component_type':3,"
                       "'values':['abc']},'message':{'id':'77'}}");
    CHECK_EQ (gw_interaction_parse (d, ix), 0);
    CHECK (ix->nvalues == 1 && strcmp (ix->values [0], "abc") == 0);
    CHECK_STR (ix->message_id, "77");
    CHECK_STR (ix->custom_id, "ov:sel");
    cJSON_Delete (d);

    //  A modal: a legacy row and a label.
    d = ddc_test_json ("{" IX_HEAD "'type':5,'data':{'custom_id':'adm:add','components':["
                       "{'type':1,'components':[{'type':4,'custom_id':'user_id','value':' 123 '}]},"
                       "{'type':18,'component':{'type':4,'custom_id':'other','value':'x'}}]}}");
    CHECK_EQ (gw_interaction_parse (d, ix), 0);
    CHECK_STR (gw_field (ix, "user_id"), " 123 ");
    CHECK_STR (gw_field (ix, "other"), "x");
    CHECK (gw_field (ix, "none") == NULL);
    cJSON_Delete (d);

    //  The member's roles: snowflakes kept, anything else dropped, bounded
    CHECK (ix->nroles == 0);
    d = ddc_test_json ("{'id':'1','application_id':'2','token':'t','channel':{'id':'4'},"
                       "'member':{'user':{'id':'5'},'roles':['1100000000000000110',7,'x y',"
                       "'123456789012345678901','1100000000000000111']},"
                       "'type':3,'data':{'custom_id':'ov:help'}}");
    CHECK_EQ (gw_interaction_parse (d, ix), 0);
    CHECK (ix->nroles == 2);
    CHECK_STR (ix->roles [0], "1100000000000000110");
    CHECK_STR (ix->roles [1], "1100000000000000111");
    cJSON_Delete (d);
    cJSON *many = ddc_test_json ("{'id':'1','application_id':'2','token':'t','channel':{'id':'4'},"
                                 "'member':{'user':{'id':'5'},'roles':[]},"
                                 "'type':3,'data':{'custom_id':'ov:help'}}");
    cJSON *roles = cJSON_GetObjectItem (cJSON_GetObjectItem (many, "member"), "roles");
    for (int i = 0; i < GW_ROLES_MAX + 50; i++) {
        char id [24];
        snprintf (id, sizeof (id), "%d", 1000 + i);
        cJSON_AddItemToArray (roles, cJSON_CreateString (id));
    }
    CHECK (gw_interaction_parse (many, ix) == 0 && ix->nroles == GW_ROLES_MAX);
    cJSON_Delete (many);

    //  A DM: user instead of member; no guild.
    d = ddc_test_json ("{'id':'1','application_id':'2','token':'t','type':2,'user':{'id':'9'},"
                       "'channel_id':'8','data':{'name':'ping'}}");
    CHECK_EQ (gw_interaction_parse (d, ix), 0);
    CHECK_STR (ix->user_id, "9");
    CHECK_STR (ix->channel_id, "8");
    CHECK_STR (ix->guild_id, "");
    cJSON_Delete (d);

    //  Refused: no user, a token that would break the url, no data, bad type.
    const char *bad [] = {
        "{'id':'1','application_id':'2','token':'t','type':2,'data':{'name':'x'}}",
        "{'id':'1','application_id':'2','token':'a/b','type':2,'user':{'id':'9'},"
        "'data':{'name':'x'}}",
        "{'id':'1','application_id':'2','token':'a b','type':2,'user':{'id':'9'},"
        "'data':{'name':'x'}}",
        "{'id':'1','application_id':'2','token':'t','type':2,'user':{'id':'9'}}",
        "{'id':'1','application_id':'2','token':'t','type':7,'user':{'id':'9'},'data':{}}",
        "{'id':'x','application_id':'2','token':'t','type':2,'user':{'id':'9'},"
        "'data':{'name':'x'}}",
        "{'id':'1','application_id':'2','token':'t','type':3,'user':{'id':'9'},"
        "'data':{'component_type':2}}",
    };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        d = ddc_test_json (bad [i]);
        CHECK_EQ (gw_interaction_parse (d, ix), -1);
        cJSON_Delete (d);
    }
    //  Long and odd strings are cut and cleaned, never overflow.
    char big [4000];
    memset (big, 'a', sizeof (big) - 1);
    big [sizeof (big) - 1] = '\0';
    cJSON *o = ddc_test_json ("{" IX_HEAD "'type':3,'data':{'component_type':2}}");
    cJSON_AddStringToObject (cJSON_GetObjectItem (o, "data"), "custom_id", big);
    CHECK (gw_interaction_parse (o, ix) == 0 && strlen (ix->custom_id) == GW_CUSTOM_ID_MAX - 1);
    cJSON_Delete (o);
    //  Invalid UTF-8 and control characters never pass through; a
    //  character cut by the length limit is dropped whole.
    o = ddc_test_json ("{'id':'1','application_id':'2','token':'t','type':2,'data':{'name':'x'},"
                       "'user':{'id':'9'}}");
    cJSON *u = cJSON_GetObjectItem (o, "user");
    cJSON_AddStringToObject (u, "username",
                             "a\xff\x01"
                             "b\xe2\x82");
    CHECK_EQ (gw_interaction_parse (o, ix), 0);
    CHECK_STR (ix->username, "a? b");
    cJSON_Delete (o);
    char name [GW_NAME_MAX + 8];
    memset (name, 'a', GW_NAME_MAX - 2);
    strcpy (name + GW_NAME_MAX - 2, "\xc3\xa9\xc3\xa9"); //  é é across the limit
    o = ddc_test_json ("{'id':'1','application_id':'2','token':'t','type':2,'data':{'name':'x'},"
                       "'user':{'id':'9'}}");
    cJSON_AddStringToObject (cJSON_GetObjectItem (o, "user"), "username", name);
    CHECK_EQ (gw_interaction_parse (o, ix), 0);
    CHECK_EQ (strlen (ix->username), GW_NAME_MAX - 2);
    cJSON_Delete (o);
    free (ix);
}

DDC_TEST (test_payload_messages)
{
    gw_message_t m;
    cJSON *d = ddc_test_json ("{'id':'10','channel_id':'20','guild_id':'30',"
                              "'author':{'id':'40','bot':true}}");
    CHECK_EQ (gw_message_parse (d, &m), 0);
    CHECK (m.author_bot && strcmp (m.author_id, "40") == 0 && strcmp (m.channel_id, "20") == 0);
    cJSON_Delete (d);
    d = ddc_test_json ("{'id':'10','channel_id':'20'}");
    CHECK (gw_message_parse (d, &m) == 0 && m.author_id [0] == '\0');
    cJSON_Delete (d);
    d = ddc_test_json ("{'id':10,'channel_id':'20'}");
    CHECK_EQ (gw_message_parse (d, &m), -1);
    cJSON_Delete (d);
    CHECK (gw_snowflake_ok ("12345678901234567890"));
    CHECK (!gw_snowflake_ok ("123456789012345678901"));
    CHECK (!gw_snowflake_ok ("12a") && !gw_snowflake_ok ("") && !gw_snowflake_ok (NULL));
}

//  --------------------------------------------------------------------------
//  The state machine

DDC_TEST (test_gateway_identify_and_heartbeat)
{
    s_fake_t f;
    gateway_t *gw = s_gw (&f);
    CHECK_EQ (gateway_state (gw), GATEWAY_WAITING_TOKEN);
    gateway_set_token (gw, "tok", 0);
    CHECK (f.fetches == 1 && gateway_state (gw) == GATEWAY_CONNECTING);
    gateway_url_result (gw, 200, "wss://gateway.example", 0);
    CHECK_EQ (f.connects, 1);
    CHECK_STR (f.url, "wss://gateway.example/?v=10&encoding=json&compress=zlib-stream");
    gateway_on_open (gw, gateway_conn (gw), 1);
    s_text (gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", 2);
    CHECK_EQ (f.sends, 1);
    cJSON *id = ddc_test_parse (s_last (&f));
    CHECK (cJSON_GetObjectItem (id, "op")->valueint == 2);
    cJSON *d = cJSON_GetObjectItem (id, "d");
    CHECK_STR (cJSON_GetObjectItem (d, "token")->valuestring, "tok");
    CHECK (cJSON_GetObjectItem (d, "intents")->valueint == 513);
    CHECK (cJSON_IsObject (cJSON_GetObjectItem (d, "properties")));
    cJSON_Delete (id);
    s_text (gw, READY, 3);
    CHECK (gateway_is_ready (gw) && f.dispatches == 1 && strcmp (f.last_t, "READY") == 0);
    CHECK_STR (gateway_app_id (gw), "12");
    CHECK_EQ (gateway_seq (gw), 1);
    //  The first beat comes after interval x jitter, within one interval.
    int64_t first = 2 + gateway_next_ms (gw, 2);
    CHECK (first >= 2 && first <= 1002);
    gateway_tick (gw, first);
    CHECK_STR (s_last (&f), "{\"op\":1,\"d\":1}");
    s_text (gw, "{\"op\":11}", first + 7);
    CHECK_EQ (gateway_latency_ms (gw), 7);
    //  Then every interval.
    CHECK_EQ (gateway_next_ms (gw, first + 7), 993);
    gateway_tick (gw, first + 1000);
    CHECK_EQ (f.sends, 3);
    CHECK_EQ (f.closes, 0);
    //  A server op 1 is answered at once.
    s_text (gw, "{\"op\":1,\"d\":null}", first + 1001);
    CHECK_EQ (f.sends, 4);
    //  Dispatches carry the seq into later heartbeats.
    s_text (gw, "{\"op\":0,\"s\":9,\"t\":\"GUILD_CREATE\",\"d\":{}}", first + 1002);
    s_text (gw, "{\"op\":11}", first + 1003);
    gateway_tick (gw, first + 2000);
    CHECK_STR (s_last (&f), "{\"op\":1,\"d\":9}");
    gateway_destroy (&gw);
}

DDC_TEST (test_gateway_zombie_resumes)
{
    s_fake_t f;
    gateway_t *gw = s_ready (&f);
    int64_t t = 3 + gateway_next_ms (gw, 3);
    gateway_tick (gw, t); //  beat, never ACKed
    int sends = f.sends;
    gateway_tick (gw, t + 1000); //  next beat: zombie
    CHECK_EQ (f.closes, 1);
    CHECK_EQ (f.close_code, 4000);
    CHECK_EQ (f.sends, sends);
    CHECK_EQ (gateway_state (gw), GATEWAY_RESUMING);
    gateway_tick (gw, t + 1000 + gateway_next_ms (gw, t + 1000));
    CHECK_EQ (f.connects, 2);
    CHECK_STR (f.url, "ws://h:1/resume?v=10&encoding=json&compress=zlib-stream");
    s_text (gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", t + 1300);
    cJSON *p = ddc_test_parse (s_last (&f));
    CHECK (cJSON_GetObjectItem (p, "op")->valueint == 6);
    cJSON *d = cJSON_GetObjectItem (p, "d");
    CHECK_STR (cJSON_GetObjectItem (d, "session_id")->valuestring, "sess1");
    CHECK (cJSON_GetObjectItem (d, "seq")->valueint == 1);
    cJSON_Delete (p);
    s_text (gw, "{\"op\":0,\"s\":2,\"t\":\"RESUMED\",\"d\":{}}", t + 1301);
    CHECK (gateway_is_ready (gw) && gateway_seq (gw) == 2);
    gateway_destroy (&gw);
}

DDC_TEST (test_gateway_close_codes)
{
    s_fake_t f;
    //  4000: resume on the resume url.
    gateway_t *gw = s_ready (&f);
    gateway_on_close (gw, gateway_conn (gw), 4000, "x", 10);
    CHECK (gateway_state (gw) == GATEWAY_RESUMING && f.closes == 0);
    int64_t due = gateway_next_ms (gw, 10);
    CHECK (due >= 250 && due <= 301); //  the first retry is quick
    gateway_tick (gw, 10 + due);
    CHECK_EQ (strncmp (f.url, "ws://h:1/resume", 15), 0);
    gateway_destroy (&gw);

    //  4009 and 1000: a new session on the gateway url.
    int codes [] = { 4007, 4009, 1000, 1001 };
    for (size_t i = 0; i < 4; i++) {
        gw = s_ready (&f);
        gateway_on_close (gw, gateway_conn (gw), codes [i], "", 10);
        CHECK_EQ (gateway_state (gw), GATEWAY_CONNECTING);
        gateway_tick (gw, 10 + gateway_next_ms (gw, 10));
        CHECK_EQ (strncmp (f.url, "ws://h:1/gateway", 16), 0);
        gateway_destroy (&gw);
    }

    //  4004: failed, no reconnect at all; a new token starts over.
    gw = s_ready (&f);
    gateway_on_close (gw, gateway_conn (gw), 4004, "Authentication failed.", 10);
    CHECK_EQ (gateway_state (gw), GATEWAY_FAILED);
    for (int64_t t = 10; t < 3600 * 1000; t += 30000)
        gateway_tick (gw, t);
    CHECK_EQ (f.connects, 1);
    CHECK_EQ (f.fetches, 1);
    cJSON *rep = gateway_report (gw, "g");
    CHECK_STR (cJSON_GetObjectItem (rep, "state")->valuestring, "failed");
    CHECK_STR (cJSON_GetObjectItem (rep, "error")->valuestring, "token rejected (4004)");
    CHECK (cJSON_IsFalse (cJSON_GetObjectItem (rep, "session")));
    cJSON_Delete (rep);
    gateway_set_token (gw, "tok2", 3600 * 1000);
    CHECK (f.fetches == 2 && gateway_state (gw) == GATEWAY_CONNECTING);
    gateway_destroy (&gw);

    //  4014: failed, one retry after ten minutes, not before.
    gw = s_ready (&f);
    gateway_on_close (gw, gateway_conn (gw), 4014, "", 10);
    rep = gateway_report (gw, "g");
    CHECK_STR (cJSON_GetObjectItem (rep, "error")->valuestring, "disallowed intents (4014)");
    cJSON_Delete (rep);
    gateway_tick (gw, 10 + GATEWAY_FATAL_RETRY_MS - 1);
    CHECK_EQ (f.fetches, 1);
    gateway_tick (gw, 10 + GATEWAY_FATAL_RETRY_MS);
    CHECK_EQ (f.fetches, 2);
    gateway_destroy (&gw);
}

DDC_TEST (test_gateway_op7_op9)
{
    s_fake_t f;
    gateway_t *gw = s_ready (&f);
    s_text (gw, "{\"op\":7,\"d\":null}", 10);
    CHECK (f.closes == 1 && f.close_code != 1000 && f.close_code != 1001);
    CHECK_EQ (gateway_state (gw), GATEWAY_RESUMING);
    gateway_tick (gw, 10 + gateway_next_ms (gw, 10));
    CHECK_EQ (strncmp (f.url, "ws://h:1/resume", 15), 0);
    //  op 9 false on the resume: a new session, IDENTIFY 5 s after the last.
    s_text (gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", 600);
    s_text (gw, "{\"op\":9,\"d\":false}", 601);
    CHECK_EQ (gateway_state (gw), GATEWAY_CONNECTING);
    int64_t t = 601 + gateway_next_ms (gw, 601);
    CHECK (t >= 1601 && t <= 2602);
    gateway_tick (gw, t);
    CHECK_EQ (strncmp (f.url, "ws://h:1/gateway", 16), 0);
    int sends = f.sends;
    s_text (gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", t + 1);
    CHECK_EQ (f.sends, sends); //  held back: the last IDENTIFY was at 2
    int64_t when = t + 1 + gateway_next_ms (gw, t + 1);
    //  Heartbeats may come first; the IDENTIFY goes at 2 + 5100.
    while (when < 2 + GATEWAY_IDENTIFY_GAP_MS) {
        gateway_tick (gw, when);
        s_text (gw, "{\"op\":11}", when);
        when += gateway_next_ms (gw, when) ? gateway_next_ms (gw, when) : 1;
    }
    gateway_tick (gw, 2 + GATEWAY_IDENTIFY_GAP_MS);
    CHECK (strstr (s_last (&f), "\"op\":2") != NULL);
    gateway_destroy (&gw);

    //  op 9 true: resume.
    gw = s_ready (&f);
    s_text (gw, "{\"op\":9,\"d\":true}", 10);
    CHECK_EQ (gateway_state (gw), GATEWAY_RESUMING);
    gateway_destroy (&gw);
}

DDC_TEST (test_gateway_backoff_and_errors)
{
    s_fake_t f;
    gateway_t *gw = s_gw (&f);
    gateway_set_token (gw, "tok", 0);
    gateway_url_result (gw, 401, NULL, 0);
    CHECK_EQ (gateway_state (gw), GATEWAY_FAILED);
    cJSON *rep = gateway_report (gw, "");
    CHECK_STR (cJSON_GetObjectItem (rep, "error")->valuestring, "token rejected (401)");
    cJSON_Delete (rep);
    gateway_tick (gw, 10 * 60 * 1000);
    CHECK_EQ (f.fetches, 1);
    gateway_destroy (&gw);

    //  Connections that never get READY back off up to a minute.
    gw = s_gw (&f);
    gateway_set_token (gw, "tok", 0);
    gateway_url_result (gw, 200, "ws://h:1", 0);
    CHECK_STR (f.url, "ws://h:1/?v=10&encoding=json&compress=zlib-stream");
    int64_t now = 0, last = 0;
    for (int i = 0; i < 12; i++) {
        gateway_on_close (gw, gateway_conn (gw), 1006, "refused", now);
        //  Wait (in steps of at most a minute) until it connects again.
        int connects = f.connects;
        int64_t start = now;
        while (f.connects == connects && now - start < 10 * 60000) {
            now += gateway_next_ms (gw, now);
            gateway_tick (gw, now);
        }
        int64_t d = now - start;
        CHECK_EQ (f.connects, connects + 1);
        CHECK (d >= last * 9 / 10);
        CHECK (d <= GATEWAY_BACKOFF_MAX_MS * 6 / 5 + 1);
        last = d > GATEWAY_BACKOFF_MAX_MS ? GATEWAY_BACKOFF_MAX_MS : d;
    }
    CHECK (last >= GATEWAY_BACKOFF_MAX_MS);
    //  The handshake has a deadline.
    gateway_tick (gw, now + GATEWAY_HANDSHAKE_MS);
    CHECK_EQ (f.close_code, 4000);
    //  Events of an old connection are ignored.
    int connects = f.connects;
    gateway_on_close (gw, 12345, 4004, "", now);
    CHECK (gateway_state (gw) != GATEWAY_FAILED && f.connects == connects);
    gateway_destroy (&gw);

    //  Same token: nothing; a new token: close 1000 and start over.
    gw = s_ready (&f);
    gateway_set_token (gw, "tok", 10);
    CHECK (f.closes == 0 && gateway_is_ready (gw));
    gateway_set_token (gw, "other", 10);
    CHECK_EQ (f.closes, 1);
    CHECK_EQ (f.close_code, 1000);
    CHECK_EQ (f.fetches, 2);
    CHECK_STR (gateway_session_id (gw), "");
    gateway_set_token (gw, "", 11);
    CHECK_EQ (gateway_state (gw), GATEWAY_WAITING_TOKEN);
    rep = gateway_report (gw, "");
    CHECK_STR (cJSON_GetObjectItem (rep, "state")->valuestring, "waiting_for_token");
    cJSON_Delete (rep);
    gateway_destroy (&gw);
}

DDC_TEST (test_gateway_no_token_in_frames_over_limit)
{
    //  A 4 KB token cannot make a frame over 4096 bytes go out.
    s_fake_t f;
    gateway_t *gw = s_gw (&f);
    char tok [300];
    memset (tok, 'x', sizeof (tok) - 1);
    tok [sizeof (tok) - 1] = '\0';
    gateway_set_token (gw, tok, 0);
    gateway_url_result (gw, 200, "ws://h:1/gateway", 0);
    s_text (gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}", 1);
    for (int i = 0; i < f.sends && i < 32; i++)
        CHECK (strlen (f.sent [i]) < 4096);
    //  Junk and unknown ops do not change the state.
    s_text (gw, "not json", 2);
    s_text (gw, "{\"op\":99}", 3);
    s_text (gw, "{\"op\":10,\"d\":{\"heartbeat_interval\":\"x\"}}", 4);
    CHECK (gateway_state (gw) != GATEWAY_FAILED);
    gateway_destroy (&gw);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_payload_envelope);
    DDC_RUN (test_payload_ready);
    DDC_RUN (test_payload_interactions);
    DDC_RUN (test_payload_messages);
    DDC_RUN (test_gateway_identify_and_heartbeat);
    DDC_RUN (test_gateway_zombie_resumes);
    DDC_RUN (test_gateway_close_codes);
    DDC_RUN (test_gateway_op7_op9);
    DDC_RUN (test_gateway_backoff_and_errors);
    DDC_RUN (test_gateway_no_token_in_frames_over_limit);
    DDC_DONE ();
}
