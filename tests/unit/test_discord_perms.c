/*  test_discord_perms: the decisions of ddc-discord that need no network:
    the live view of the configuration and of the agents' status (live.c:
    shapes, sorting, keys, lookups, status mapping, staleness, pending
    marks, the overview signature), permissions by channel kind, admin list
    and allowed_actions (perms.c), cooldowns (per user and key, expiry,
    bounded table) and the state file (state.c: round trip, 0600,
    hostile content). */
#include "../../services/discord/live.c"
#include "../../services/discord/payload.c"
#include "../../services/discord/perms.c"
#include "../../services/discord/state.c"

#include "ddc_test.h"
#include "ddc_test_json.h"

#include <sys/stat.h>

#define CH_STATUS "1100000000000000200"
#define CH_CONTROL "1100000000000000201"
#define ADMIN "1100000000000000300"
#define USER "1100000000000000400"

static void
s_apply (live_t *live, const char *section, const char *text)
{
    cJSON *v = ddc_test_json (text);
    if (live_apply (live, section, v, NULL) < 0)
        abort ();
    cJSON_Delete (v);
}

static live_t *
s_live (void)
{
    live_t *live = live_new ();
    s_apply (live, "channels",
             "[{'id':'" CH_STATUS "','kind':'status'},"
             "{'id':'" CH_CONTROL "','kind':'control','refresh_minutes':1}]");
    s_apply (live, "admins", "[{'id':'" ADMIN "','note':'a'}]");
    s_apply (live, "containers",
             "[{'host':'nas','name':'plex','display_name':'Plex','order':2,"
             "'allowed_actions':['start','stop','restart','logs']},"
             "{'host':'nas','name':'valheim','order':1,'allowed_actions':['start']},"
             "{'host':'alpha','name':'web','active':true},"
             "{'host':'nas','name':'hidden','active':false}]");
    s_apply (live, "spam",
             "{'enabled':true,'command_cooldowns':{'serverstatus':30,'ping':0},"
             "'button_cooldowns':{'restart':20}}");
    return live;
}

DDC_TEST (test_live_sections)
{
    live_t *live = s_live ();
    //  Sorted by host, then order.
    CHECK (live->nctrs == 4);
    CHECK_STR (live->ctrs [0].host, "alpha");
    CHECK_STR (live->ctrs [1].name, "hidden"); //  order 0
    CHECK_STR (live->ctrs [2].name, "valheim");
    CHECK_STR (live->ctrs [3].display, "Plex");
    CHECK_STR (live->ctrs [0].display, "web"); //  display defaults to the name
    CHECK (live->ctrs [0].allowed == (ACT_START | ACT_STOP | ACT_RESTART));
    CHECK_EQ (live_active_count (live), 3);
    //  Keys: stable, distinct, found.
    char k1 [LIVE_KEY_LEN + 1], k2 [LIVE_KEY_LEN + 1];
    live_key ("nas", "plex", k1);
    live_key ("nasp", "lex", k2);
    CHECK (strcmp (k1, k2) != 0 && strlen (k1) == LIVE_KEY_LEN);
    CHECK (live_ctr_by_key (live, k1) == &live->ctrs [3]);
    CHECK (live_ctr_find (live, "PLEX") == &live->ctrs [3]);
    CHECK (live_ctr_find (live, "nas/valheim") == &live->ctrs [2]);
    CHECK (live_ctr_find (live, "hidden") == NULL); //  inactive
    CHECK (live_ctr_find (live, "nope") == NULL);
    //  A bad shape keeps the old value and says why.
    cJSON *errors = cJSON_CreateArray ();
    cJSON *bad = ddc_test_json ("[{'host':'x'}]");
    CHECK_EQ (live_apply (live, "containers", bad, errors), -1);
    CHECK (cJSON_GetArraySize (errors) == 1 && live->nctrs == 4);
    cJSON_Delete (bad);
    bad = ddc_test_json ("{'kind':'x'}");
    CHECK (live_apply (live, "channels", bad, errors) == -1 && live->nchans == 2);
    cJSON_Delete (bad);
    cJSON_Delete (errors);
    CHECK (live_apply (live, "tasks", NULL, NULL) == 0);
    s_apply (live, "bot", "{'token':'t','guild_id':'1','language':'de','timezone':'UTC'}");
    CHECK_STR (live->language, "de");
    CHECK_EQ (live_cooldown (live, false, "serverstatus"), 30);
    CHECK_EQ (live_cooldown (live, false, "ping"), 0);
    CHECK_EQ (live_cooldown (live, true, "restart"), 20);
    CHECK_EQ (live_cooldown (live, true, "stop"), 0);
    s_apply (live, "spam", "{'enabled':false,'command_cooldowns':{'serverstatus':30}}");
    CHECK_EQ (live_cooldown (live, false, "serverstatus"), 0);
    live_destroy (&live);
}

DDC_TEST (test_live_status)
{
    live_t *live = s_live ();
    const live_ctr_t *plex = live_ctr_find (live, "plex");
    const live_ctr_t *val = live_ctr_find (live, "valheim");
    const live_ctr_t *web = live_ctr_find (live, "web");
    live_st_t st;
    live_ctr_status (live, plex, 0, &st);
    CHECK (st.state == ST_UNKNOWN && !st.host_down);
    cJSON *body = ddc_test_json ("{'host':'nas','docker':{'reachable':true},'containers':{"
                                 "'plex':{'exists':true,'state':'running','uptime_s':90,"
                                 "'cpu_percent':12.5,'mem_bytes':1048576,'image':'plex:1',"
                                 "'mem_limit':0,'health':'healthy'},"
                                 "'valheim':{'exists':true,'state':'exited','cpu_percent':null}}}");
    live_status (live, "docker@nas", "status", body, 1000);
    live_status (live, "web@x", "status", body, 1000);     //  not an agent: ignored
    live_status (live, "docker@nas", "tasks", body, 1000); //  other topic: ignored
    cJSON_Delete (body);
    CHECK (live->nhosts == 1);
    live_ctr_status (live, plex, 2000, &st);
    CHECK (st.state == ST_RUNNING && st.has_stats && st.cpu == 12.5 && st.uptime_s == 90);
    CHECK (st.mem == 1048576 && strcmp (st.health, "healthy") == 0
           && strcmp (st.raw, "running") == 0);
    //  Only what the status shows is kept of a report.
    const cJSON *kept =
        cJSON_GetObjectItem (cJSON_GetObjectItem (live->hosts [0].body, "containers"), "plex");
    CHECK_EQ (cJSON_GetArraySize (kept), 6);
    CHECK (cJSON_GetObjectItem (kept, "image") == NULL);
    CHECK (cJSON_GetObjectItem (live->hosts [0].body, "host") == NULL);
    live_ctr_status (live, val, 2000, &st);
    CHECK (st.state == ST_STOPPED && !st.has_stats);
    live_ctr_status (live, web, 2000, &st);
    CHECK_EQ (st.state, ST_UNKNOWN);
    //  Pending wins, until it is cleared or runs out.
    live_set_pending (live, plex->key, 5000);
    live_ctr_status (live, plex, 3000, &st);
    CHECK_EQ (st.state, ST_PENDING);
    live_ctr_status (live, plex, 6000, &st);
    CHECK_EQ (st.state, ST_RUNNING);
    live_set_pending (live, plex->key, 9000);
    live_clear_pending (live, plex->key);
    live_ctr_status (live, plex, 3000, &st);
    CHECK_EQ (st.state, ST_RUNNING);
    //  A result's state is noted until the next report.
    live_patch_state (live, "nas", "plex", "exited", 3000);
    live_ctr_status (live, plex, 3000, &st);
    CHECK_EQ (st.state, ST_STOPPED);
    CHECK_EQ (st.uptime_s, -1);
    //  Stale reports (agent gone) show unknown.
    live_ctr_status (live, val, 1000 + 120000, &st);
    CHECK_EQ (st.state, ST_UNKNOWN);
    //  Docker down on the host, since a time the agent gives.
    body = ddc_test_json ("{'docker':{'reachable':false,'unreachable_since':"
                          "'2026-11-27T09:00:00Z'},'containers':{'plex':{'state':'running'}}}");
    live_status (live, "docker@nas", "status", body, 5000);
    cJSON_Delete (body);
    live_ctr_status (live, plex, 5000, &st);
    CHECK (st.host_down && st.state == ST_UNKNOWN && st.host_issue == HOST_DOCKER_DOWN);
    CHECK_EQ (st.host_since, 1795770000000LL);
    //  The agent went from the broker: unknown at once, whatever it said.
    body =
        ddc_test_json ("{'docker':{'reachable':true},'containers':{'plex':{'state':'running'}}}");
    live_status (live, "docker@nas", "status", body, 5100);
    cJSON_Delete (body);
    live_ctr_status (live, plex, 5100, &st);
    CHECK (st.state == ST_RUNNING && !st.host_down);
    CHECK (live_host_at (live, "nas") == 5100 && live_host_at (live, "pi") == 0);
    live_link (live, "docker@nas", false, 1795770060000LL, 5200);
    live_link (live, "web@nas", false, 1, 5200); //  not an agent: ignored
    live_ctr_status (live, plex, 5200, &st);
    CHECK_EQ (st.state, ST_UNKNOWN);
    CHECK_EQ (st.host_issue, HOST_AGENT_GONE);
    CHECK (st.host_since == 1795770060000LL && live_host_at (live, "nas") == 5200);
    live_link (live, "docker@nas", false, 1795770099000LL, 5300); //  still gone: same since
    live_ctr_status (live, plex, 5300, &st);
    CHECK_EQ (st.host_since, 1795770060000LL);
    //  Pending still shows while an action runs.
    live_set_pending (live, plex->key, 9000);
    live_ctr_status (live, plex, 5300, &st);
    CHECK (st.state == ST_PENDING && st.host_down);
    live_clear_pending (live, plex->key);
    //  Back: its last report counts again; a new report also says it is back.
    live_link (live, "docker@nas", true, 0, 5400);
    live_ctr_status (live, plex, 5400, &st);
    CHECK_EQ (st.state, ST_RUNNING);
    CHECK_EQ (st.host_issue, HOST_OK);
    live_link (live, "docker@nas", false, 1795770100000LL, 5500);
    body = ddc_test_json ("{'docker':{'reachable':true},'containers':{'plex':{'state':'exited'}}}");
    live_status (live, "docker@nas", "status", body, 5600);
    cJSON_Delete (body);
    live_ctr_status (live, plex, 5600, &st);
    CHECK (st.state == ST_STOPPED && !st.host_down);
    //  A host known only from the broker's table (no report yet).
    const live_ctr_t *webc = live_ctr_find (live, "web");
    live_link (live, "docker@alpha", false, 0, 5600);
    live_ctr_status (live, webc, 5600, &st);
    CHECK_EQ (st.state, ST_UNKNOWN);
    CHECK_EQ (st.host_issue, HOST_AGENT_GONE);
    CHECK_EQ (st.host_since, 0);
    //  Times the agents give.
    CHECK_EQ (live_parse_time ("2026-11-27T09:00:00Z"), 1795770000000LL);
    CHECK_EQ (live_parse_time ("2026-11-27T09:00:00.25Z"), 1795770000250LL);
    CHECK_EQ (live_parse_time ("1970-01-01T00:00:00Z"), 0);
    CHECK_EQ (live_parse_time ("2026-02-30T09:00:00Z"), 0);
    CHECK_EQ (live_parse_time ("2026-11-27T09:00:00"), 0);
    CHECK_EQ (live_parse_time ("2026-11-27T09:00:00+01:00"), 0);
    CHECK_EQ (live_parse_time ("2026-11-27T09:00:00.Z"), 0);
    CHECK (live_parse_time ("") == 0 && live_parse_time (NULL) == 0);
    //  Bounded hosts and pending marks.
    for (int i = 0; i < LIVE_HOSTS_MAX + 10; i++) {
        char peer [32];
        snprintf (peer, sizeof (peer), "docker@h%d", i);
        cJSON *b = ddc_test_json ("{'containers':{}}");
        live_status (live, peer, "status", b, 6000 + i);
        cJSON_Delete (b);
    }
    CHECK (live->nhosts == LIVE_HOSTS_MAX);
    for (int i = 0; i < LIVE_PENDING_MAX + 10; i++) {
        char key [16];
        snprintf (key, sizeof (key), "k%d", i);
        live_set_pending (live, key, i);
    }
    CHECK (live->npending == LIVE_PENDING_MAX);
    live_destroy (&live);
}

DDC_TEST (test_perms)
{
    live_t *live = s_live ();
    //  Channel kinds.
    CHECK_EQ (perm_command (live, "serverstatus", CH_STATUS, USER), PERM_OK);
    CHECK_EQ (perm_command (live, "ss", CH_CONTROL, USER), PERM_STATUS_ONLY);
    CHECK_EQ (perm_command (live, "control", CH_STATUS, ADMIN), PERM_CONTROL_ONLY);
    CHECK_EQ (perm_command (live, "control", CH_CONTROL, USER), PERM_OK);
    CHECK_EQ (perm_command (live, "ss", "999", USER), PERM_CHANNEL);
    CHECK_EQ (perm_command (live, "help", "999", USER), PERM_OK);
    CHECK (perm_command (live, "ping", NULL, USER) == PERM_OK);
    CHECK_EQ (perm_command (live, "info", CH_STATUS, USER), PERM_OK);
    CHECK_EQ (perm_command (live, "info", "999", USER), PERM_CHANNEL);
    CHECK_EQ (perm_command (live, "rm-rf", CH_STATUS, ADMIN), PERM_UNKNOWN);
    //  /addadmin: admins only, except the very first in a control channel.
    CHECK_EQ (perm_command (live, "addadmin", CH_CONTROL, ADMIN), PERM_OK);
    CHECK_EQ (perm_command (live, "addadmin", CH_CONTROL, USER), PERM_ADMIN);
    s_apply (live, "admins", "[]");
    CHECK_EQ (perm_command (live, "addadmin", CH_CONTROL, USER), PERM_OK);
    CHECK_EQ (perm_command (live, "addadmin", CH_STATUS, USER), PERM_CONTROL_ONLY);
    s_apply (live, "admins", "[{'id':'" ADMIN "'}]");
    //  Actions.
    const live_ctr_t *plex = live_ctr_find (live, "plex");
    const live_ctr_t *val = live_ctr_find (live, "valheim");
    CHECK (perm_action (live, CH_CONTROL, ADMIN, NULL, plex, "restart") == PERM_OK);
    CHECK (perm_action (live, CH_STATUS, ADMIN, NULL, plex, "logs") == PERM_OK);
    CHECK (perm_action (live, CH_CONTROL, USER, NULL, plex, "restart") == PERM_ADMIN);
    CHECK (perm_action (live, CH_CONTROL, ADMIN, NULL, val, "restart") == PERM_ACTION);
    CHECK (perm_action (live, CH_CONTROL, ADMIN, NULL, val, "logs") == PERM_ACTION);
    CHECK (perm_action (live, "999", ADMIN, NULL, plex, "start") == PERM_CHANNEL);
    CHECK (perm_action (live, CH_CONTROL, ADMIN, NULL, NULL, "start") == PERM_UNKNOWN);
    CHECK (perm_action (live, CH_CONTROL, ADMIN, NULL, plex, "exec") == PERM_UNKNOWN);
    //  Bulk.
    CHECK_EQ (perm_bulk (live, CH_CONTROL, ADMIN), PERM_OK);
    CHECK_EQ (perm_bulk (live, CH_STATUS, ADMIN), PERM_CONTROL_ONLY);
    CHECK_EQ (perm_bulk (live, CH_CONTROL, USER), PERM_ADMIN);
    CHECK (perm_view (live, CH_STATUS) == PERM_OK && perm_view (live, "1") == PERM_CHANNEL);
    //  Every refusal has a text.
    for (int p = PERM_CHANNEL; p <= PERM_UNKNOWN; p++)
        CHECK (perm_text_key ((perm_t) p) != NULL);
    CHECK (perm_text_key (PERM_OK) == NULL);
    //  The config changes live.
    s_apply (live, "channels", "[{'id':'" CH_STATUS "','kind':'control'}]");
    CHECK_EQ (perm_command (live, "control", CH_STATUS, USER), PERM_OK);
    CHECK_EQ (perm_command (live, "control", CH_CONTROL, USER), PERM_CHANNEL);
    live_destroy (&live);
}

#define ROLE_MODS "1100000000000000501"
#define ROLE_GAMES "1100000000000000502"
#define ROLE_OTHER "1100000000000000503"

DDC_TEST (test_roles)
{
    live_t *live = s_live ();
    s_apply (live, "containers",
             "[{'host':'nas','name':'plex','allowed_actions':['start','stop','restart','logs'],"
             "'roles':{'restart':['" ROLE_MODS "','" ROLE_GAMES "'],'logs':['" ROLE_MODS "']}},"
             "{'host':'nas','name':'valheim','allowed_actions':['start','restart'],"
             "'roles':{'start':['" ROLE_GAMES "'],'restart':['" ROLE_GAMES "'],"
             "'stop':['" ROLE_GAMES "'],'bogus':['" ROLE_GAMES "'],'logs':'x'}},"
             "{'host':'nas','name':'web'}]");
    const live_ctr_t *plex = live_ctr_find (live, "plex");
    const live_ctr_t *val = live_ctr_find (live, "valheim");
    const live_ctr_t *web = live_ctr_find (live, "web");
    //  one entry per role with its actions
    CHECK (plex->nroles == 2 && val->nroles == 1 && web->nroles == 0);
    CHECK_STR (plex->roles [0].id, ROLE_MODS);
    CHECK (plex->roles [0].actions == (ACT_RESTART | ACT_LOGS));
    CHECK (plex->roles [1].actions == ACT_RESTART);
    CHECK (val->roles [0].actions == (ACT_START | ACT_RESTART | ACT_STOP));

    const char mods [][24] = { ROLE_OTHER, ROLE_MODS };
    perm_roles_t as_mod = { mods, 2 };
    const char games [][24] = { ROLE_GAMES };
    perm_roles_t as_gamer = { games, 1 };
    perm_roles_t nobody = { NULL, 0 };
    //  what each may do: a role's actions, within allowed_actions
    const char *granted [4];
    CHECK_EQ (perm_may (live, USER, &as_mod, plex, granted), (ACT_RESTART | ACT_LOGS));
    CHECK (granted [2] && strcmp (granted [2], ROLE_MODS) == 0 && !granted [0]);
    CHECK_EQ (perm_may (live, USER, &as_gamer, val, granted), (ACT_START | ACT_RESTART));
    CHECK (perm_may (live, USER, &as_mod, val, NULL) == 0);
    CHECK (perm_may (live, USER, &nobody, plex, NULL) == 0);
    CHECK (perm_may (live, USER, NULL, plex, NULL) == 0);
    CHECK (perm_may (live, ADMIN, NULL, plex, granted) == (plex->allowed | ACT_ADMIN)
           && !granted [2]);
    CHECK (perm_may (live, ADMIN, NULL, NULL, NULL) == 0);
    //  the decisions and the refusals
    CHECK_EQ (perm_action (live, CH_STATUS, USER, &as_mod, plex, "restart"), PERM_OK);
    CHECK_EQ (perm_action (live, CH_CONTROL, USER, &as_mod, plex, "logs"), PERM_OK);
    CHECK_EQ (perm_action (live, CH_CONTROL, USER, &as_mod, plex, "stop"), PERM_ADMIN);
    CHECK_EQ (perm_action (live, CH_CONTROL, USER, &as_gamer, plex, "logs"), PERM_ROLE);
    CHECK_EQ (perm_action (live, CH_CONTROL, USER, &nobody, plex, "restart"), PERM_ROLE);
    CHECK_EQ (perm_action (live, CH_CONTROL, USER, &as_gamer, val, "stop"), PERM_ADMIN);
    CHECK (perm_action (live, CH_CONTROL, ADMIN, NULL, val, "stop") == PERM_ACTION);
    CHECK_EQ (perm_action (live, "999", USER, &as_mod, plex, "restart"), PERM_CHANNEL);
    CHECK_EQ (perm_action (live, CH_CONTROL, USER, &as_mod, plex, "exec"), PERM_UNKNOWN);
    CHECK_STR (perm_text_key (PERM_ROLE), "deny.role");
    //  live: a change of roles applies to the next decision
    s_apply (live, "containers", "[{'host':'nas','name':'plex'}]");
    plex = live_ctr_find (live, "plex");
    CHECK_EQ (perm_action (live, CH_CONTROL, USER, &as_mod, plex, "restart"), PERM_ADMIN);
    //  channels that ask for alerts
    s_apply (live, "channels",
             "[{'id':'" CH_STATUS "','kind':'status','alerts':true},"
             "{'id':'" CH_CONTROL "','kind':'control'}]");
    CHECK (live_channel (live, CH_STATUS)->alerts && !live_channel (live, CH_CONTROL)->alerts);
    live_destroy (&live);
}

DDC_TEST (test_cooldowns)
{
    cd_t *cd = cd_new ();
    CHECK_EQ (cd_check (cd, "u1", "c:ss", 30, 0), 0);
    CHECK_EQ (cd_check (cd, "u1", "c:ss", 30, 1000), 29);
    CHECK_EQ (cd_check (cd, "u1", "c:ss", 30, 29500), 1);
    CHECK (cd_check (cd, "u2", "c:ss", 30, 1000) == 0);   //  per user
    CHECK (cd_check (cd, "u1", "c:ping", 30, 1000) == 0); //  per key
    CHECK (cd_check (cd, "u1", "c:ss", 30, 30000) == 0);  //  expired
    CHECK (cd_check (cd, "u1", "c:ss", 0, 30001) == 0);   //  no cooldown
    CHECK_EQ (cd_check (cd, "u1", "c:ss", 30, 30001), 30);
    //  A cooldown lowered meanwhile applies to the running one at once.
    CHECK_EQ (cd_check (cd, "u1", "c:ss", 10, 35000), 5);
    CHECK_EQ (cd_check (cd, "u1", "c:ss", 5, 35000), 0);
    CHECK (cd_check (cd, "u1", "c:ss", 60, 36000) == 59); //  and a raised one
    //  Bounded: old entries are reused.
    for (int i = 0; i < CD_MAX * 2; i++) {
        char user [24];
        snprintf (user, sizeof (user), "%d", i);
        cd_check (cd, user, "b:restart", 5, 100000 + i);
    }
    CHECK (cd_count (cd) <= CD_MAX);
    cd_destroy (&cd);
}

DDC_TEST (test_state_file)
{
    char dir [] = "/tmp/ddc-test-state-XXXXXX";
    CHECK (mkdtemp (dir) != NULL);
    char path [128];
    snprintf (path, sizeof (path), "%s/state.json", dir);
    state_t *st = state_new (path);
    CHECK (state_message (st, CH_STATUS) == NULL && state_commands (st) [0] == '\0');
    CHECK_EQ (state_set_message (st, CH_STATUS, "123", "status"), 0);
    CHECK_EQ (state_set_message (st, CH_CONTROL, "456", "control"), 0);
    CHECK_EQ (state_set_commands (st, "1100000000000000100"), 0);
    CHECK_EQ (state_set_message (st, "not-an-id", "1", "x"), -1);
    CHECK_EQ (state_set_message (st, CH_STATUS, "bad id", "x"), -1);
    state_destroy (&st);
    struct stat sb;
    CHECK (stat (path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    st = state_new (path);
    CHECK_STR (state_message (st, CH_STATUS), "123");
    CHECK_STR (state_message (st, CH_CONTROL), "456");
    CHECK_STR (state_commands (st), "1100000000000000100");
    CHECK (state_set_message (st, CH_STATUS, NULL, NULL) == 0);
    CHECK (state_message (st, CH_STATUS) == NULL);
    CHECK (state_channel_at (st, 0) && !state_channel_at (st, 1));
    //  An overview in several messages: all of them, in order.
    char ids [STATE_PARTS_MAX + 1][STATE_ID_MAX], got [STATE_PARTS_MAX][STATE_ID_MAX];
    for (int i = 0; i <= STATE_PARTS_MAX; i++)
        snprintf (ids [i], sizeof (ids [i]), "%d", 1000 + i);
    CHECK (state_set_messages (st, CH_STATUS, ids, STATE_PARTS_MAX + 1, "status") == -1);
    CHECK (state_set_messages (st, CH_STATUS, ids, STATE_PARTS_MAX, "status") == 0);
    state_destroy (&st);
    st = state_new (path);
    CHECK_EQ (state_messages (st, CH_STATUS, got, STATE_PARTS_MAX), STATE_PARTS_MAX);
    CHECK_STR (got [0], "1000");
    CHECK_STR (got [STATE_PARTS_MAX - 1], "1039");
    CHECK_STR (state_message (st, CH_STATUS), "1000");
    CHECK_EQ (state_messages (st, CH_STATUS, got, 2), 2);
    CHECK_EQ (state_messages (st, CH_CONTROL, got, STATE_PARTS_MAX), 1);
    CHECK_STR (got [0], "456");
    //  Fewer: the others are forgotten.
    CHECK (state_set_messages (st, CH_STATUS, ids + 5, 2, "status") == 0);
    state_destroy (&st);
    st = state_new (path);
    CHECK_EQ (state_messages (st, CH_STATUS, got, STATE_PARTS_MAX), 2);
    CHECK_STR (got [1], "1006");
    CHECK (state_set_messages (st, CH_STATUS, ids, 0, NULL) == 0);
    CHECK_EQ (state_messages (st, CH_STATUS, got, STATE_PARTS_MAX), 0);
    state_destroy (&st);
    //  Junk in the file: an empty state, no crash.
    const char *junk [] = { "not json", "[]",
                            "{\"channels\":{\"x\":{\"message\":\"1\"},"
                            "\"5\":{\"message\":7}},\"commands\":\"../etc\"}" };
    for (size_t i = 0; i < 3; i++) {
        ddc_write_file_atomic (path, junk [i], strlen (junk [i]), 0600);
        st = state_new (path);
        CHECK (state_channel_at (st, 0) == NULL && state_commands (st) [0] == '\0');
        state_destroy (&st);
    }
    //  A list of more ids ends at the first entry that is not one.
    const char *more = "{\"channels\":{\"5\":{\"message\":\"1\",\"more\":[\"2\",3,\"4\"]}}}";
    ddc_write_file_atomic (path, more, strlen (more), 0600);
    st = state_new (path);
    CHECK (state_messages (st, "5", got, STATE_PARTS_MAX) == 2);
    CHECK_STR (got [1], "2");
    state_destroy (&st);
    unlink (path);
    rmdir (dir);
    st = state_new (NULL); //  memory only
    CHECK_EQ (state_set_message (st, CH_STATUS, "1", "status"), 0);
    state_destroy (&st);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_live_sections);
    DDC_RUN (test_live_status);
    DDC_RUN (test_perms);
    DDC_RUN (test_roles);
    DDC_RUN (test_cooldowns);
    DDC_RUN (test_state_file);
    DDC_DONE ();
}
