/*  Unit tests of ddc-ctl import-ddc's reading and mapping of a
    DockerDiscordControl folder (services/ctl/import_ddc.c), the plan of
    its saves against a current configuration (import_plan.c) and the
    Fernet tokens (fernet.c), all compiled in here.
    The folders are built in memory from the examples of DockerDiscordControl's
    files (its 2.x layout and the 1.x single config.json); JSON is written
    with single quotes, which s_add turns into double quotes. */
#include "../../services/ctl/fernet.c"
#include "../../services/ctl/import_ddc.c"
#include "../../services/ctl/import_plan.c"
#include "ddc_test.h"
#include "ddc_test_json.h"


//  ---- helpers -----------------------------------------------------------------

#define HOST "nas"
//  A werkzeug hash of "Correct-Horse-42".
#define HASH                         \
    "pbkdf2:sha256:600000$Ab12Cd34$" \
    "5489dc94bc9f92b38b5b5c6d1d344e2229bf3a18ccaa84ba0e0c6da2dc4bad6d"
#define TOKEN "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
//  TOKEN encrypted as DockerDiscordControl does, with HASH as the secret:
//  with 1000 rounds (the tests' shortcut) and with its real 600000.
#define TOKEN_1000                                                                                 \
    "gAAAAABrFU2JiMzsUWBOU4GdF-Yg_AaSXf_VFI3px6ZAIgoFtzwl_"                                        \
    "9NO3eqK3xe2W5XvYW04ENqtbzVMhZ01oRXDDBjhaYDNmNdv9QJJ3KJyPU6jbZb9jGU5hkf3htlRp2ZVD94CvRqxc633z" \
    "dm7AEHbMiOoUaPGCOk3FdEq-bftg2I7m48cNlA="
#define TOKEN_600000                                                                           \
    "gAAAAABrFU2KMP_xJMBu4vl_muqLelKoa9vmZ0XylBlo0O_cxFTIRet2RDRN8FNqWp8JUV0fUTTcOWr158gbdfX-" \
    "5Ih7EyEBMnB4vIoptW98gYWy6P3kpMJyh0cmMmbAuOteo86vDc9cB8lDzxwnQ_"                           \
    "cS2Y0lQ3ACN7PlOSCOYHazbm1RwLsJSmw="

static void
s_add (import_files_t *files, const char *name, const char *text)
{
    char *json = strdup (text);
    for (char *p = json; *p; p++)
        if (*p == '\'')
            *p = '"';
    CHECK (import_files_add (files, name, json, strlen (json), NULL) == 0);
    free (json);
}

//  Remove a file from the folder, if it is there.
static void
s_remove (import_files_t *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp (f->files [i].name, name) == 0) {
            free (f->files [i].name);
            free (f->files [i].data);
            free (f->files [i].problem);
            memmove (&f->files [i], &f->files [i + 1], (f->count - i - 1) * sizeof (s_file_t));
            f->count--;
            return;
        }
}

//  Replace (or add) a file.
static void
s_set (import_files_t *f, const char *name, const char *text)
{
    s_remove (f, name);
    s_add (f, name, text);
}

//  The reference's example folder (DockerDiscordControl 2.x), with a real
//  password hash.
static import_files_t *
s_full_v2 (void)
{
    import_files_t *f = import_files_new ();
    s_add (f, "config.json",
           "{'language':'en','ui_language':'de','timezone':'Europe/Berlin',"
           "'guild_id':'112233445566778899','bot_token':'MTIzNDU2Nzg5.FAKE.TOKEN',"
           "'web_ui_user':'admin','web_ui_password_hash':'" HASH "',"
           "'heartbeat':{'enabled':true,'ping_url':'https://hc-ping.com/0000-fake','interval':5},"
           "'advanced_settings':{'DDC_DOCKER_CACHE_DURATION':'30','DDC_LIVE_LOGS_ENABLED':'1'},"
           "'debug_level_enabled':false,"
           "'channel_permissions':{'223344556677889900':{'name':'mirror'}}}");
    s_add (f, "docker_settings.json",
           "{'docker_socket_path':'/var/run/docker.sock','container_command_cooldown':5,"
           "'docker_api_timeout':30,'max_log_lines':50}");
    s_add (f, "admins.json",
           "{'discord_admin_users':['334455667788990011'],"
           "'admin_notes':{'334455667788990011':'Max'}}");
    s_add (f, "server_order.json", "{'server_order':['valheim','minecraft','plex']}");
    s_add (f, "channels_config.json",
           "{'spam_protection':{'command_cooldowns':{'serverstatus':30,'control':5,'info':5,"
           "'donate':5},'button_cooldowns':{'start':10,'stop':10,'restart':20,'info':3,'logs':10},"
           "'global_settings':{'enabled':true,'max_commands_per_minute':20,"
           "'max_buttons_per_minute':35,'cooldown_message':true,'log_violations':true}}}");
    s_add (f, "tasks.json",
           "[{'id':'6f1c2a3b-1111-2222-3333-444455556666','container':'valheim','action':'restart',"
           "'cycle':'weekly','schedule_details':{'time':'04:00','day':'monday'},"
           "'created_at':'2026-06-01T10:00:00+02:00','status':'pending','is_active':true,"
           "'_description':'','_created_by':'max','_timezone_str':'Europe/Berlin',"
           "'_last_run_ts':null,'_next_run_ts':1781488800.0,'last_run_success':null,"
           "'last_run_error':null}]");
    s_add (f, "channels/223344556677889900.json",
           "{'name':'server-status','commands':{'serverstatus':true,'ss':true,'control':false,"
           "'schedule':false,'info':false},'post_initial':true,'enable_auto_refresh':true,"
           "'update_interval_minutes':5,'recreate_messages_on_inactivity':true,"
           "'inactivity_timeout_minutes':10}");
    s_add (f, "channels/223344556677889901.json",
           "{'name':'server-control','commands':{'serverstatus':true,'ss':true,'control':true,"
           "'schedule':true,'info':true},'post_initial':false,'enable_auto_refresh':false,"
           "'update_interval_minutes':2000,'recreate_messages_on_inactivity':false,"
           "'inactivity_timeout_minutes':10}");
    s_add (f, "channels/default.json",
           "{'name':'Default Channel Settings','commands':{'serverstatus':true,'command':false,"
           "'control':false,'schedule':false},'post_initial':false,'update_interval_minutes':10,"
           "'inactivity_timeout_minutes':10,'enable_auto_refresh':true,"
           "'recreate_messages_on_inactivity':true}");
    s_add (f, "containers/valheim.json",
           "{'container_name':'valheim','docker_name':'valheim','name':'valheim',"
           "'display_name':'Valheim Server','active':true,"
           "'allowed_actions':['status','start','stop','restart'],'allow_detailed_status':true,"
           "'order':2,'info':{'enabled':true,'show_ip':true,'custom_ip':'valheim.example.net',"
           "'custom_port':'2456','custom_text':'Pass: in #rules','protected_enabled':true,"
           "'protected_content':'admin pw: hunter2','protected_password':'letmein'},"
           "'query_enabled':true,'query_protocol':'source','query_host':'','query_port':0,"
           "'query_token':''}");
    s_add (f, "containers/plex.json",
           "{'container_name':'plex','docker_name':'plex','display_name':['Plex','old'],"
           "'active':true,'allowed_actions':['status','restart'],'order':2}");
    s_add (f, "containers/minecraft.json",
           "{'container_name':'minecraft','docker_name':'minecraft','display_name':'Minecraft',"
           "'active':false,'allowed_actions':[],'order':1}");
    import_files_add (f, "mech_state.json", NULL, 0, NULL);
    return f;
}

static import_t *
s_map (const import_files_t *files)
{
    import_opts_t opts = { .host = HOST, .kdf_iterations = 1000 };
    return import_map (files, &opts);
}

//  The note or error whose file and field are these, or NULL.
static const char *
s_find (const cJSON *list, const char *file, const char *field)
{
    const cJSON *e;
    cJSON_ArrayForEach (e, list)
        if (strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "file")), file) == 0
            && strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field")), field)
                   == 0)
            return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "message"));
    return NULL;
}

//  True when json's text has needle.
static bool
s_has (const cJSON *json, const char *needle)
{
    char *text = cJSON_PrintUnformatted (json);
    bool has = text && strstr (text, needle);
    free (text);
    return has;
}

static void
s_dump (const char *what, const cJSON *json)
{
    char *text = cJSON_Print (json);
    fprintf (stderr, "%s: %s\n", what, text);
    free (text);
}

static bool
s_equal_json (const cJSON *got, const char *want)
{
    cJSON *w = ddc_test_json (want);
    bool eq = ddc_json_equal (got, w);
    if (!eq) {
        s_dump ("got", got);
        s_dump ("want", w);
    }
    cJSON_Delete (w);
    return eq;
}

//  The first error of a folder with one file replaced: "FILE: FIELD: MESSAGE".
static char *
s_first_error (import_files_t *files)
{
    import_t *imp = s_map (files);
    const cJSON *errors = imp->errors;
    plan_t *plan = NULL;
    if (cJSON_GetArraySize (errors) == 0) {
        plan = plan_new (imp, NULL, false);
        errors = plan->errors;
    }
    const cJSON *e = cJSON_GetArrayItem (errors, 0);
    char *out =
        e ? ddc_asprintf ("%s: %s: %s",
                          cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "file")),
                          cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field")),
                          cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "message")))
          : ddc_strdup ("");
    plan_destroy (&plan);
    import_destroy (&imp);
    return out;
}

//  Replace (or add) one file of the full folder and return the first error.
static char *
s_error_with (const char *name, const char *text)
{
    import_files_t *f = s_full_v2 ();
    s_remove (f, name);
    if (text)
        s_add (f, name, text);
    char *e = s_first_error (f);
    import_files_destroy (&f);
    return e;
}

#define CHECK_PREFIX(s, prefix)                                                                \
    do {                                                                                       \
        char *s_ = (s);                                                                        \
        if (strncmp (s_, prefix, strlen (prefix)) != 0) {                                      \
            ddc_test_check_failed_++;                                                          \
            fprintf (stderr, "%s:%d: '%s' does not start with '%s'\n", __FILE__, __LINE__, s_, \
                     prefix);                                                                  \
        }                                                                                      \
        free (s_);                                                                             \
    } while (0)

//  ---- the full 2.x folder --------------------------------------------------------

DDC_TEST (test_full_v2_sections)
{
    import_files_t *f = s_full_v2 ();
    import_t *imp = s_map (f);
    if (cJSON_GetArraySize (imp->errors))
        s_dump ("errors", imp->errors);
    CHECK_EQ (cJSON_GetArraySize (imp->errors), 0);
    CHECK_STR (imp->layout, "2.x");
    const cJSON *sec = imp->sections;
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "bot"),
                         "{'token':'MTIzNDU2Nzg5.FAKE.TOKEN','guild_id':'112233445566778899','"
                         "language':'en',"
                         "'timezone':'Europe/Berlin'}"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "web"),
                         "{'ui_language':'de','password_hash':'" HASH "'}"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "watchdog"),
                         "{'url':'https://hc-ping.com/"
                         "0000-fake','enabled':true,'interval_minutes':5}"));
    //  order: 'order' first, then server_order.json; the address is the
    //  info text's last line; 'status' is implicit; the old list form of
    //  display_name gives its first entry
    CHECK (s_equal_json (
        cJSON_GetObjectItemCaseSensitive (sec, "containers"),
        "[{'host':'nas','name':'minecraft','active':false,'display_name':'Minecraft','order':10,"
        "  'allowed_actions':[],'info':{'enabled':false,'text':''}},"
        " {'host':'nas','name':'valheim','active':true,'display_name':'Valheim Server','order':20,"
        "  'allowed_actions':['start','stop','restart'],"
        "  'info':{'enabled':true,'text':'Pass: in #rules\\nvalheim.example.net:2456'}},"
        " {'host':'nas','name':'plex','active':true,'display_name':'Plex','order':30,"
        "  'allowed_actions':['restart'],'info':{'enabled':false,'text':''}}]"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "channels"),
                         "[{'id':'223344556677889900','name':'server-status','kind':'status','post_"
                         "initial':true,"
                         "  'refresh_minutes':5,'recreate_minutes':10},"
                         " {'id':'223344556677889901','name':'server-control','kind':'control',"
                         "  'post_initial':false,'refresh_minutes':1440,'recreate_minutes':0}]"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "admins"),
                         "[{'id':'334455667788990011','note':'Max'}]"));
    CHECK (s_equal_json (
        cJSON_GetObjectItemCaseSensitive (sec, "spam"),
        "{'enabled':true,'command_cooldowns':{'serverstatus':30,'control':5,'info':5},"
        " 'button_cooldowns':{'start':10,'stop':10,'restart':20,'info':3,'logs':10}}"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "tasks"),
                         "[{'id':'6f1c2a3b-1111-2222-3333-444455556666','host':'nas','container':'"
                         "valheim',"
                         "  'action':'restart','cycle':'weekly','time':'04:00','weekday':'mon',"
                         "  'timezone':'Europe/Berlin','active':true}]"));
    import_destroy (&imp);
    import_files_destroy (&f);
}

DDC_TEST (test_full_v2_notes)
{
    import_files_t *f = s_full_v2 ();
    import_t *imp = s_map (f);
    const cJSON *n = imp->notes;
    CHECK (s_find (n, "containers/valheim.json", "info.protected_content"));
    CHECK (s_find (n, "containers/valheim.json", "info.custom_ip"));
    CHECK (s_find (n, "containers/valheim.json", "query_enabled"));
    CHECK (s_find (n, "channels/default.json", "commands"));
    CHECK (s_find (n, "channels/223344556677889901.json", "update_interval_minutes"));
    CHECK (s_find (n, "channels/223344556677889901.json", "enable_auto_refresh"));
    CHECK (s_find (n, "channels_config.json", "spam_protection.command_cooldowns"));
    CHECK (
        strstr (s_find (n, "channels_config.json", "spam_protection.command_cooldowns"), "donate"));
    CHECK (s_find (n, "channels_config.json", "spam_protection.global_settings"));
    CHECK (s_find (n, "config.json", "advanced_settings"));
    CHECK (s_find (n, "config.json", ""));                              //  debug_level_enabled
    CHECK (s_find (n, "server_order.json", "server_order[1]") == NULL); //  minecraft exists
    CHECK (s_find (n, "mech_state.json", ""));
    CHECK (s_find (n, "tasks.json", "") == NULL); //  no run history (all null)
    //  no secret in any note
    CHECK (!s_has (n, "hunter2") && !s_has (n, "letmein") && !s_has (n, "FAKE.TOKEN")
           && !s_has (n, "5489dc94"));
    import_destroy (&imp);
    import_files_destroy (&f);
}

DDC_TEST (test_full_v2_plan_against_defaults)
{
    import_files_t *f = s_full_v2 ();
    import_t *imp = s_map (f);
    plan_t *plan = plan_new (imp, NULL, false);
    CHECK_EQ (cJSON_GetArraySize (plan->errors), 0);
    CHECK_EQ (cJSON_GetArraySize (plan->existing), 0);
    //  spam is ddc's default already; the rest in the saving order
    const char *want [] = { "admins", "watchdog", "channels", "containers", "tasks", "bot", "web" };
    CHECK (plan->nsteps == 7);
    for (int i = 0; i < plan->nsteps && i < 7; i++) {
        CHECK_STR (ddc_section_name (plan->steps [i].section), want [i]);
        CHECK (!plan->steps [i].interim && plan->steps [i].expected == 0);
    }
    CHECK (s_equal_json (plan->unchanged, "['spam']"));
    //  the resulting web section keeps ddc's idle timeout
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (plan->result, "web"),
                         "{'password_hash':'" HASH "','session_idle_minutes':30,'ui_language':'de',"
                         "'metrics_token':''}"));
    //  every resulting section is valid for ddc as a whole document
    cJSON *doc = ddc_config_default ();
    const cJSON *v;
    cJSON_ArrayForEach (v, plan->result)
        cJSON_ReplaceItemInObjectCaseSensitive (doc, v->string, cJSON_Duplicate (v, 1));
    cJSON *norm = ddc_config_validate_document (doc, NULL);
    CHECK (norm != NULL);
    cJSON_Delete (norm);
    cJSON_Delete (doc);
    plan_destroy (&plan);
    import_destroy (&imp);
    import_files_destroy (&f);
}

//  ---- 1.x, auth.json, the encrypted token ----------------------------------------

DDC_TEST (test_legacy_v1_config)
{
    import_files_t *f = import_files_new ();
    s_add (f, "config.json",
           "{'bot_token':'MTIzNDU2Nzg5.FAKE.TOKEN','guild_id':'809093957622562826','language':'de',"
           "'timezone':'Europe/Berlin','heartbeat_channel_id':'809093957622562899',"
           "'docker_socket_path':'/srv/docker.sock','servers':["
           "{'name':'TestServer1','docker_name':'test-container-1',"
           "  'allowed_actions':['status','start','stop','restart'],"
           "  'info':{'enabled':true,'show_ip':true,'custom_ip':'192.168.1.100',"
           "          'custom_port':8080,'custom_text':'Test Server 1'}},"
           "{'name':'TestServer2','docker_name':'test-container-2','allowed_actions':['status']}],"
           "'web_ui_user':'admin','web_ui_password_hash':'" HASH "','session_timeout':3600,"
           "'channel_permissions':{'1187654321098765433':{'name':'Test Channel','commands':"
           "  {'serverstatus':true,'command':true,'control':true,'schedule':true,'info':true},"
           "  'post_initial':true,'update_interval_minutes':5}},"
           "'spam_protection':{'command_cooldowns':{'serverstatus':60}},"
           "'server_order':['test-container-2','test-container-1']}");
    import_t *imp = s_map (f);
    CHECK_EQ (cJSON_GetArraySize (imp->errors), 0);
    CHECK_STR (imp->layout, "1.x");
    const cJSON *sec = imp->sections;
    CHECK (s_equal_json (
        cJSON_GetObjectItemCaseSensitive (sec, "containers"),
        "[{'host':'nas','name':'test-container-2','active':true,'display_name':'TestServer2',"
        "  'order':10,'allowed_actions':[],'info':{'enabled':false,'text':''}},"
        " {'host':'nas','name':'test-container-1','active':true,'display_name':'TestServer1',"
        "  'order':20,'allowed_actions':['start','stop','restart'],"
        "  'info':{'enabled':true,'text':'Test Server 1\\n192.168.1.100:8080'}}]"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "channels"),
                         "[{'id':'1187654321098765433','name':'Test "
                         "Channel','kind':'control','post_initial':true,"
                         "  'refresh_minutes':5,'recreate_minutes':0}]"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "spam"),
                         "{'command_cooldowns':{'serverstatus':60,'control':5,'info':5}}"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "admins"), "[]"));
    CHECK (s_equal_json (cJSON_GetObjectItemCaseSensitive (sec, "tasks"), "[]"));
    CHECK (s_find (imp->notes, "config.json", "heartbeat_channel_id"));
    CHECK (strstr (s_find (imp->notes, "config.json", "docker_socket_path"),
                   "--socket /srv/docker.sock"));
    CHECK (s_find (imp->notes, "admins.json", "")); //  control channel, no admins
    //  an error in a server names config.json and the element
    plan_t *plan = plan_new (imp, NULL, false);
    CHECK_EQ (cJSON_GetArraySize (plan->errors), 0);
    plan_destroy (&plan);
    import_destroy (&imp);
    import_files_destroy (&f);
}

DDC_TEST (test_auth_json_overrides_token)
{
    import_files_t *f = s_full_v2 ();
    s_set (f, "auth.json", "{'bot_token':'" TOKEN "','encryption_enabled':true}");
    import_t *imp = s_map (f);
    CHECK_EQ (cJSON_GetArraySize (imp->errors), 0);
    const cJSON *bot = cJSON_GetObjectItemCaseSensitive (imp->sections, "bot");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (bot, "token")), TOKEN);
    CHECK (s_find (imp->notes, "auth.json", "bot_token"));
    char file [64], field [64];
    import_origin (imp, "bot.token", file, sizeof (file), field, sizeof (field));
    CHECK_STR (file, "auth.json");
    CHECK_STR (field, "bot_token");
    import_destroy (&imp);
    import_files_destroy (&f);
}

DDC_TEST (test_encrypted_token)
{
    //  DockerDiscordControl's own derivation (600000 rounds)
    import_files_t *f = import_files_new ();
    s_add (f, "config.json", "{'bot_token':'" TOKEN_600000 "','web_ui_password_hash':'" HASH "'}");
    import_opts_t opts = { .host = HOST };
    import_t *imp = import_map (f, &opts);
    const cJSON *bot = cJSON_GetObjectItemCaseSensitive (imp->sections, "bot");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (bot, "token")), TOKEN);
    CHECK (imp->token_decrypted);
    import_destroy (&imp);
    import_files_destroy (&f);

    //  the hash in web_ui.json is the key; another hash does not open it
    f = import_files_new ();
    s_add (f, "config.json", "{'bot_token':'" TOKEN_1000 "','web_ui_password_hash':'pbkdf2:x'}");
    s_add (f, "web_ui.json", "{'web_ui_user':'admin','web_ui_password_hash':'" HASH "'}");
    imp = s_map (f);
    bot = cJSON_GetObjectItemCaseSensitive (imp->sections, "bot");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (bot, "token")), TOKEN);
    import_destroy (&imp);
    import_files_destroy (&f);

    f = import_files_new ();
    s_add (f, "config.json",
           "{'bot_token':'" TOKEN_1000 "','web_ui_password_hash':"
           "'pbkdf2:sha256:600000$Zz$"
           "5489dc94bc9f92b38b5b5c6d1d344e2229bf3a18ccaa84ba0e0c6da2dc4bad6d'}");
    imp = s_map (f);
    bot = cJSON_GetObjectItemCaseSensitive (imp->sections, "bot");
    CHECK (cJSON_GetObjectItemCaseSensitive (bot, "token") == NULL);
    CHECK (s_find (imp->notes, "config.json", "bot_token"));
    CHECK (!imp->token_decrypted);
    import_destroy (&imp);
    import_files_destroy (&f);
}

DDC_TEST (test_fernet)
{
    //  the Fernet specification's test vector
    unsigned char key [32];
    size_t n = 0;
    CHECK (sodium_base642bin (key, sizeof (key), "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=", 44,
                              NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE)
               == 0
           && n == 32);
    const char *token = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_"
                        "5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
    char *plain = NULL;
    size_t len = 0;
    CHECK_EQ (fernet_decrypt (key, token, &plain, &len), 0);
    CHECK_STR (plain, "hello");
    CHECK_EQ (len, 5);
    free (plain);
    //  a changed byte, a wrong key, junk: refused
    char *bad = strdup (token);
    bad [40] = bad [40] == 'A' ? 'B' : 'A';
    CHECK (fernet_decrypt (key, bad, &plain, &len) < 0 && plain == NULL);
    free (bad);
    key [0] ^= 1;
    CHECK (fernet_decrypt (key, token, &plain, &len) < 0);
    CHECK (fernet_decrypt (key, "gAAAAA", &plain, &len) < 0);
    CHECK (fernet_decrypt (key, "", &plain, &len) < 0);
    CHECK (fernet_looks_like (token) && !fernet_looks_like (TOKEN));
}

//  ---- broken folders -----------------------------------------------------------

DDC_TEST (test_errors_name_file_and_field)
{
    CHECK_PREFIX (s_error_with ("containers/valheim.json",
                                "{'docker_name':'valheim','display_name':7}"),
                  "containers/valheim.json: display_name: must be a string");
    CHECK_PREFIX (s_error_with ("config.json", "{'language':'en',}"),
                  "config.json: : not valid JSON: an unexpected character (a member name was "
                  "expected) at line 1, column 18");
    CHECK_PREFIX (s_error_with ("config.json", NULL),
                  "config.json: : is missing: this is not a DockerDiscordControl config folder");
    CHECK_PREFIX (s_error_with ("tasks.json", "{'id':'x'}"), "tasks.json: : must hold a JSON list");
    CHECK_PREFIX (s_error_with ("admins.json", "{'discord_admin_users':[334455667788990011]}"),
                  "admins.json: discord_admin_users[0]: must be a string (write a Discord id in "
                  "quotes");
    CHECK_PREFIX (s_error_with ("config.json", "{'guild_id':'1','guild_id':'2'}"),
                  "config.json: guild_id: given more than once");
    CHECK_PREFIX (s_error_with ("channels/223344556677889900.json",
                                "{'commands':{'serverstatus':'yes'}}"),
                  "channels/223344556677889900.json: commands.serverstatus: must be true or false");
    CHECK_PREFIX (s_error_with ("channels/223344556677889900.json",
                                "{'commands':{'serverstatus':true},'update_interval_minutes':0}"),
                  "channels/223344556677889900.json: update_interval_minutes: must be at least 1");
    //  errors found by ddc's own validator, traced back to the file
    CHECK_PREFIX (s_error_with ("channels/12345.json", "{'commands':{'serverstatus':true}}"),
                  "channels/12345.json: : id must be a Discord snowflake");
    CHECK_PREFIX (s_error_with ("channels/223344556677889900.json",
                                "{'channel_id':'99','commands':{'control':true}}"),
                  "channels/223344556677889900.json: channel_id: id must be a Discord snowflake");
    CHECK_PREFIX (s_error_with ("tasks.json",
                                "[{'id':'a','container':'ghost','action':'stop',"
                                "'cycle':'daily','schedule_details':{'time':'05:00'}}]"),
                  "tasks.json: [0].container: Container nas/ghost is not in the containers list");
    CHECK_PREFIX (s_error_with ("tasks.json",
                                "[{'id':'a','container':'valheim','action':'stop',"
                                "'cycle':'daily','schedule_details':{'time':'25:00'}}]"),
                  "tasks.json: [0].schedule_details.time: time must be HH:MM");
    CHECK_PREFIX (s_error_with ("tasks.json",
                                "[{'container':'valheim','action':'stop',"
                                "'cycle':'daily','time':'05:00','_timezone_str':'Mars/Base'}]"),
                  "tasks.json: [0]._timezone_str: timezone must be an IANA time zone name");
    CHECK_PREFIX (s_error_with ("tasks.json", "[{'container':'valheim','action':'explode',"
                                              "'cycle':'daily','time':'05:00'}]"),
                  "tasks.json: [0].action: 'explode' is not start, stop or restart");
    CHECK_PREFIX (s_error_with ("tasks.json", "[{'container':'valheim','action':'stop',"
                                              "'cycle':'weekly','schedule_details':{'time':'05:00',"
                                              "'day':'funday'}}]"),
                  "tasks.json: [0].schedule_details.day: must be a weekday");
    CHECK_PREFIX (s_error_with ("containers/bad.json", "{'docker_name':'bad name','active':true}"),
                  "containers/bad.json: docker_name: name must be a Docker container name");
    CHECK_PREFIX (
        s_error_with ("containers/x.json", "{'docker_name':'x','display_name':'a\\u0001b'}"),
        "containers/x.json: display_name: display_name may not contain control characters");
    CHECK_PREFIX (s_error_with ("config.json", "{'timezone':'Not/AZone'}"),
                  "config.json: timezone: timezone must be an IANA time zone name");
    CHECK_PREFIX (s_error_with ("admins.json", "{'discord_admin_users':['42']}"),
                  "admins.json: discord_admin_users[0]: id must be a Discord user snowflake");
    CHECK_PREFIX (s_error_with ("admins.json", "{'discord_admin_users':['334455667788990011'],"
                                               "'admin_notes':{'334455667788990011':['x']}}"),
                  "admins.json: admin_notes.334455667788990011: must be a string");
    CHECK_PREFIX (s_error_with ("config.json", "{'heartbeat':{'enabled':true,"
                                               "'ping_url':'ftp://hc.example/x','interval':5}}"),
                  "config.json: heartbeat.ping_url: url must be an http:// or https:// URL");
}

DDC_TEST (test_unreadable_and_not_utf8)
{
    import_files_t *f = s_full_v2 ();
    import_files_add (f, "containers/big.json", NULL, 0, "larger than 1 MiB");
    const char bad [] = "{\"docker_name\":\"x\",\"display_name\":\"\xC3\x28\"}";
    import_files_add (f, "containers/latin1.json", bad, strlen (bad), NULL);
    import_t *imp = s_map (f);
    CHECK_STR (s_find (imp->errors, "containers/big.json", ""),
               "cannot be read: larger than 1 MiB");
    CHECK_STR (s_find (imp->errors, "containers/latin1.json", ""),
               "not valid JSON: invalid UTF-8 in a string at line 1, column 36");
    import_destroy (&imp);
    import_files_destroy (&f);
}

//  ---- details of the mapping ---------------------------------------------------

static const cJSON *
s_tasks_of (import_t *imp)
{
    return cJSON_GetObjectItemCaseSensitive (imp->sections, "tasks");
}

DDC_TEST (test_task_cycles)
{
    import_files_t *f = s_full_v2 ();
    s_set (f, "tasks.json",
           "[{'id':'once','container':'plex','action':'stop','cycle':'once',"
           "  'schedule_details':{'time':'4:05','day':'24','month':'12','year':2026},"
           "  '_timezone_str':'America/New_York','is_active':false,'_description':'holiday'},"
           " {'task_id':'m.1','container_name':'plex','action':'start','cycle':'monthly',"
           "  'schedule_details':{'time':'23:59','day':31}},"
           " {'id':'y','container':'plex','action':'restart','cycle':'yearly',"
           "  'schedule_details':{'time':'00:00','day':29,'month':'february'}},"
           " {'id':'w','container':'plex','action':'restart','cycle':'weekly','hour':6,'minute':30,"
           "  'weekday':6},"
           " {'id':'c','container':'plex','action':'restart','cycle':'cron',"
           "  'schedule_details':{'cron_string':'*/5 * * * *'}},"
           " {'id':'c2','container':'plex','action':'restart','cycle':'cron',"
           "  'schedule_details':{'cron_string':'@hourly'}},"
           " {'id':'SYSTEM_DONATION_MESSAGE','container':'-','action':'donation_message',"
           "  'cycle':'monthly'},"
           " {'id':'once','container':'plex','action':'stop','cycle':'daily',"
           "  'schedule_details':{'time':'01:00'}}]");
    import_t *imp = s_map (f);
    if (cJSON_GetArraySize (imp->errors))
        s_dump ("errors", imp->errors);
    CHECK_EQ (cJSON_GetArraySize (imp->errors), 0);
    CHECK (s_equal_json (
        s_tasks_of (imp),
        "[{'id':'once','host':'nas','container':'plex','action':'stop','cycle':'once',"
        "  'time':'04:05','date':'2026-12-24','timezone':'America/New_York','active':false,"
        "  'note':'holiday'},"
        " {'id':'m-1','host':'nas','container':'plex','action':'start','cycle':'monthly',"
        "  'time':'23:59','day':31,'timezone':'Europe/Berlin','active':true},"
        " {'id':'y','host':'nas','container':'plex','action':'restart','cycle':'yearly',"
        "  'time':'00:00','month':2,'day':29,'timezone':'Europe/Berlin','active':true},"
        " {'id':'w','host':'nas','container':'plex','action':'restart','cycle':'weekly',"
        "  'time':'06:30','weekday':'sun','timezone':'Europe/Berlin','active':true},"
        " {'id':'c','host':'nas','container':'plex','action':'restart','cycle':'cron',"
        "  'cron':'*/5 * * * *','timezone':'Europe/Berlin','active':true},"
        " {'id':'task-8','host':'nas','container':'plex','action':'stop','cycle':'daily',"
        "  'time':'01:00','timezone':'Europe/Berlin','active':true}]"));
    //  a cron schedule ddc runs is imported; one it does not is noted
    CHECK (s_find (imp->notes, "tasks.json", "[4].cycle") == NULL);
    CHECK (strstr (s_find (imp->notes, "tasks.json", "[5].cycle"), "@hourly"));
    CHECK (s_find (imp->notes, "tasks.json", "[6]"));
    CHECK (s_find (imp->notes, "tasks.json", "[1].task_id"));
    CHECK (s_find (imp->notes, "tasks.json", "[7].id"));
    //  every imported task is valid in ddc
    plan_t *plan = plan_new (imp, NULL, false);
    CHECK_EQ (cJSON_GetArraySize (plan->errors), 0);
    plan_destroy (&plan);
    import_destroy (&imp);
    import_files_destroy (&f);
}

DDC_TEST (test_limits_cut_with_notes)
{
    import_files_t *f = s_full_v2 ();
    char long_name [300];
    memset (long_name, 'x', 150);
    long_name [150] = '\0';
    char *text = ddc_asprintf ("{'docker_name':'long','display_name':'%s'}", long_name);
    s_add (f, "containers/long.json", text);
    free (text);
    s_set (f, "channels_config.json",
           "{'spam_protection':{'button_cooldowns':{'restart_all':99999}}}");
    import_t *imp = s_map (f);
    CHECK_EQ (cJSON_GetArraySize (imp->errors), 0);
    const cJSON *c;
    cJSON_ArrayForEach (c, cJSON_GetObjectItemCaseSensitive (imp->sections, "containers"))
        if (strcmp (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (c, "name")), "long") == 0)
            CHECK_EQ (strlen (cJSON_GetStringValue (
                          cJSON_GetObjectItemCaseSensitive (c, "display_name"))),
                      100);
    CHECK (s_find (imp->notes, "containers/long.json", "display_name"));
    const cJSON *spam = cJSON_GetObjectItemCaseSensitive (imp->sections, "spam");
    CHECK (cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (spam,
                                                                               "button_cooldowns"),
                                             "restart_all")
               ->valueint
           == 3600);
    import_destroy (&imp);
    import_files_destroy (&f);
}

//  ---- the plan against a running ddc ----------------------------------------------

//  A STATE body: ddc's defaults with some sections replaced.
static cJSON *
s_current (const char *sections)
{
    cJSON *cur = cJSON_CreateObject ();
    cJSON *all = ddc_config_default ();
    cJSON *over = ddc_test_json (sections);
    const cJSON *v;
    cJSON_ArrayForEach (v, over)
        cJSON_ReplaceItemInObjectCaseSensitive (all, v->string, cJSON_Duplicate (v, 1));
    cJSON_Delete (over);
    cJSON_AddItemToObject (cur, "sections", all);
    cJSON *revs = cJSON_AddObjectToObject (cur, "revs");
    for (int s = 0; s < DDC_SEC_COUNT; s++)
        cJSON_AddNumberToObject (revs, ddc_section_name ((ddc_section_t) s), 10 + s);
    return cur;
}

DDC_TEST (test_plan_keeps_ddc_config_unless_forced)
{
    import_files_t *f = s_full_v2 ();
    import_t *imp = s_map (f);
    //  ddc has its own language, admins and a token
    cJSON *cur = s_current ("{'bot':{'token':'***','guild_id':'','language':'de','timezone':'UTC'},"
                            "'admins':[{'id':'111111111111111111','note':''}]}");
    plan_t *plan = plan_new (imp, cur, false);
    CHECK (s_equal_json (plan->existing, "['bot.language','admins']"));
    CHECK (s_has (plan->notes, "bot.token: ddc already has a bot token"));
    //  the token is kept: "***" is saved
    const cJSON *bot = cJSON_GetObjectItemCaseSensitive (plan->result, "bot");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (bot, "token")), "***");
    plan_destroy (&plan);

    plan = plan_new (imp, cur, true);
    CHECK_EQ (cJSON_GetArraySize (plan->existing), 2);
    bot = cJSON_GetObjectItemCaseSensitive (plan->result, "bot");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (bot, "token")),
               "MTIzNDU2Nzg5.FAKE.TOKEN");
    CHECK_EQ (cJSON_GetArraySize (plan->notes), 0);
    //  each step names the revision it is based on
    for (int i = 0; i < plan->nsteps; i++)
        CHECK (plan->steps [i].expected == 10 + (uint64_t) plan->steps [i].section);
    plan_destroy (&plan);
    cJSON_Delete (cur);

    //  the same values as imported are not "its own": the import can run again
    cur = s_current ("{'bot':{'token':'***','guild_id':'112233445566778899','language':'en',"
                     "'timezone':'Europe/Berlin','log_lines':50}}");
    plan = plan_new (imp, cur, false);
    CHECK_EQ (cJSON_GetArraySize (plan->existing), 0);
    CHECK (s_has (plan->unchanged, "bot"));
    plan_destroy (&plan);
    cJSON_Delete (cur);
    import_destroy (&imp);
    import_files_destroy (&f);
}

DDC_TEST (test_plan_interim_tasks_step)
{
    import_files_t *f = s_full_v2 ();
    import_t *imp = s_map (f);
    //  ddc's current task names a container the import does not have
    cJSON *cur =
        s_current ("{'containers':[{'host':'nas','name':'old'},{'host':'nas','name':'plex'}],"
                   " 'tasks':[{'id':'a','host':'nas','container':'old','action':'stop','cycle':'"
                   "daily','time':'01:00'},"
                   "          "
                   "{'id':'b','host':'nas','container':'plex','action':'stop','cycle':'daily','"
                   "time':'02:00'}]}");
    //  normalise the current sections as the broker has them
    cJSON *all = cJSON_GetObjectItemCaseSensitive (cur, "sections");
    cJSON *norm = ddc_config_validate_document (all, NULL);
    CHECK (norm != NULL);
    cJSON_ReplaceItemInObjectCaseSensitive (cur, "sections", norm);
    plan_t *plan = plan_new (imp, cur, true);
    CHECK_EQ (cJSON_GetArraySize (plan->errors), 0);
    int tasks_steps = 0, containers_at = -1, interim_at = -1;
    for (int i = 0; i < plan->nsteps; i++) {
        if (plan->steps [i].section == DDC_SEC_CONTAINERS)
            containers_at = i;
        if (plan->steps [i].section == DDC_SEC_TASKS) {
            tasks_steps++;
            if (plan->steps [i].interim) {
                interim_at = i;
                CHECK_EQ (cJSON_GetArraySize (plan->steps [i].value), 1); //  only b
                CHECK (plan->steps [i].expected == 10 + DDC_SEC_TASKS);
            }
            else {
                CHECK (plan->steps [i].expected == 0); //  set after the interim save
                CHECK_EQ (cJSON_GetArraySize (plan->steps [i].before), 1);
            }
        }
    }
    CHECK (tasks_steps == 2 && interim_at >= 0 && interim_at < containers_at);
    plan_destroy (&plan);
    cJSON_Delete (cur);
    import_destroy (&imp);
    import_files_destroy (&f);
}

//  ---- the folder on disk -------------------------------------------------------------

static void
s_write (const char *dir, const char *name, const char *text)
{
    char *path = ddc_asprintf ("%s/%s", dir, name);
    FILE *f = fopen (path, "w");
    CHECK (f != NULL);
    if (f) {
        fputs (text, f);
        fclose (f);
    }
    free (path);
}

DDC_TEST (test_read_dir)
{
    char dir [] = "/tmp/ddc-import-test-XXXXXX";
    CHECK (mkdtemp (dir) != NULL);
    char *sub = ddc_asprintf ("%s/containers", dir);
    mkdir (sub, 0700);
    s_write (dir, "config.json", "{}");
    s_write (dir, "tasks.json", "[]");
    s_write (dir, "notes.txt", "ignored");
    s_write (dir, "containers/b.json", "{}");
    s_write (dir, "containers/a.json", "{}");
    s_write (dir, "containers/a.json.bak", "{}");
    s_write (dir, "containers/.hidden.json", "{}");
    char *fifo = ddc_asprintf ("%s/admins.json", dir);
    CHECK_EQ (mkfifo (fifo, 0600), 0);
    char *chan = ddc_asprintf ("%s/channels", dir);
    s_write (dir, "channels", "not a folder");
    s_write (dir, "mech_state.json", "{}");

    import_files_t *f = import_files_new ();
    char err [256] = "";
    CHECK_EQ (import_files_read_dir (f, dir, err, sizeof (err)), 0);
    const char *want [] = { "config.json",     "admins.json",       "tasks.json",
                            "mech_state.json", "containers/a.json", "containers/b.json",
                            "channels/" };
    CHECK_EQ (import_files_count (f), 7);
    for (size_t i = 0; i < 7 && i < import_files_count (f); i++)
        CHECK_STR (import_files_name (f, i), want [i]);
    CHECK_STR (s_file (f, "admins.json")->problem, "not a regular file");
    CHECK_STR (s_file (f, "channels/")->problem, "not a folder");
    CHECK (s_file (f, "mech_state.json")->data == NULL); //  only its presence counts
    import_files_destroy (&f);

    f = import_files_new ();
    CHECK (import_files_read_dir (f, fifo, err, sizeof (err)) < 0);
    CHECK (strstr (err, "is not a folder") != NULL);
    CHECK (import_files_read_dir (f, "/nonexistent/ddc", err, sizeof (err)) < 0);
    import_files_destroy (&f);

    char *cmd = ddc_asprintf ("rm -rf '%s'", dir);
    CHECK_EQ (system (cmd), 0);
    free (cmd);
    free (chan);
    free (fifo);
    free (sub);
}

DDC_TEST (test_files_limits)
{
    import_files_t *f = import_files_new ();
    char *big = ddc_malloc (IMPORT_FILE_MAX + 1);
    memset (big, ' ', IMPORT_FILE_MAX + 1);
    CHECK (import_files_add (f, "config.json", big, IMPORT_FILE_MAX + 1, NULL) < 0);
    free (big);
    for (int i = 0; i < IMPORT_FILES_MAX; i++)
        CHECK (import_files_add (f, "x", NULL, 0, NULL) == 0);
    CHECK (import_files_add (f, "one too many", NULL, 0, NULL) < 0);
    import_files_destroy (&f);
}

DDC_TEST (test_report_is_bounded)
{
    cJSON *list = cJSON_CreateArray ();
    for (int i = 0; i < 500; i++)
        import_report (list, 10, "f", "x", "message %d", i);
    CHECK_EQ (cJSON_GetArraySize (list), 11);
    CHECK (strstr (s_find (list, "", ""), "only the first 10"));
    cJSON_Delete (list);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    if (ddc_pwhash_init () < 0)
        return 1;
    DDC_RUN (test_full_v2_sections);
    DDC_RUN (test_full_v2_notes);
    DDC_RUN (test_full_v2_plan_against_defaults);
    DDC_RUN (test_legacy_v1_config);
    DDC_RUN (test_auth_json_overrides_token);
    DDC_RUN (test_encrypted_token);
    DDC_RUN (test_fernet);
    DDC_RUN (test_errors_name_file_and_field);
    DDC_RUN (test_unreadable_and_not_utf8);
    DDC_RUN (test_task_cycles);
    DDC_RUN (test_limits_cut_with_notes);
    DDC_RUN (test_plan_keeps_ddc_config_unless_forced);
    DDC_RUN (test_plan_interim_tasks_step);
    DDC_RUN (test_read_dir);
    DDC_RUN (test_files_limits);
    DDC_RUN (test_report_is_bounded);
    DDC_DONE ();
}
