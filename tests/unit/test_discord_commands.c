/*  test_discord_commands: the slash commands (services/discord/
    commands.c) driven through their API, with the live configuration, the
    state file, the reply path and REST for interactions for real, and what
    commands hands on and registers as recording hooks: nothing is
    registered before the gateway is ready; the definitions go to the
    global scope without a guild, to the guild with one (and the old scope
    is cleared); a refused registration is the error shown and is retried
    after COMMANDS_RETRY_MS; components and the info form go to panels,
    /task with its autocomplete and form to the tasks flow, the overview
    commands repost; what is refused is answered (a reply goes out) and
    handed to no one. */
#include "../../services/discord/commands.h"

#include "ddc_test_discord.h"

#define APP "1100000000000000100"
#define GUILD T_GUILD
#define CH_S T_CH_S
#define CH_C T_CH_C
#define ADMIN T_ADMIN
#define USER T_USER

typedef struct {
    t_calls_t rec; //  first: t_call records here
    app_t app;
    char app_id [24];
    int changed;
    char to_panel [8][GW_CUSTOM_ID_MAX]; //  custom ids (or names) handed on
    size_t npanel;
    char to_task [8][GW_CUSTOM_ID_MAX];
    size_t ntask;
    char reposted [GW_ID_MAX];
    commands_t *commands;
} t_world_t;

static void
t_to_panel (void *arg, const gw_interaction_t *ix)
{
    t_world_t *w = arg;
    CHECK (w->npanel < 8);
    ddc_strlcpy (w->to_panel [w->npanel++], ix->custom_id, GW_CUSTOM_ID_MAX);
}

static void
t_to_task (void *arg, const gw_interaction_t *ix)
{
    t_world_t *w = arg;
    CHECK (w->ntask < 8);
    ddc_strlcpy (w->to_task [w->ntask++], ix->custom_id [0] ? ix->custom_id : ix->name,
                 GW_CUSTOM_ID_MAX);
}

static void
t_repost (void *arg, const char *channel)
{
    t_world_t *w = arg;
    ddc_strlcpy (w->reposted, channel, sizeof (w->reposted));
}

static void
t_changed (void *arg)
{
    ((t_world_t *) arg)->changed++;
}

static const char *
t_app_id (void *arg)
{
    return ((t_world_t *) arg)->app_id;
}

static t_world_t *
t_world (void)
{
    t_world_t *w = ddc_calloc (1, sizeof (*w));
    app_t *app = &w->app;
    t_app_init (app);
    app->state = state_new (NULL);
    commands_hooks_t hooks = {
        .panel = t_to_panel,
        .task = t_to_task,
        .repost = t_repost,
        .changed = t_changed,
        .app_id = t_app_id,
        .call = t_call,
        .arg = w,
    };
    w->commands = commands_new (app, &hooks);
    return w;
}

static void
t_free (t_world_t *w)
{
    commands_destroy (&w->commands);
    CHECK (w->commands == NULL);
    t_app_free (&w->app);
    t_calls_free (&w->rec);
    free (w);
}

static void
t_ix (t_world_t *w, int type, const char *what, const char *user, const char *channel)
{
    gw_interaction_t *ix = t_ix_new (type, what, user, channel);
    commands_on_interaction (w->commands, ix);
    free (ix);
}

DDC_TEST (test_registered_once_ready_where_the_guild_says)
{
    t_world_t *w = t_world ();
    commands_sync (w->commands);
    CHECK_EQ (w->rec.n, (size_t) 0); //  the gateway is not ready
    ddc_strlcpy (w->app_id, APP, sizeof (w->app_id));
    commands_sync (w->commands);
    CHECK_EQ (w->rec.n, (size_t) 1);
    CHECK_STR (w->rec.calls [0].method, "PUT");
    CHECK_STR (w->rec.calls [0].path, "/applications/" APP "/commands");
    CHECK (w->rec.calls [0].body && strstr (w->rec.calls [0].body, "\"serverstatus\"") != NULL);
    commands_sync (w->commands); //  one registration at a time
    CHECK_EQ (w->rec.n, (size_t) 1);
    CHECK_STR (commands_scope (w->commands), "");
    t_calls_answer (&w->rec, 0, 200, "[]", 0);
    CHECK_EQ (w->changed, 1);
    CHECK_STR (commands_scope (w->commands), "global");
    CHECK_STR (commands_error (w->commands), "");
    CHECK_STR (state_commands (w->app.state), "global");
    commands_sync (w->commands); //  done: nothing more
    CHECK_EQ (w->rec.n, (size_t) 1);

    //  a guild: registered there, then the global ones are cleared
    t_apply (w->app.live, "bot", "{'guild_id':'" GUILD "'}");
    commands_sync (w->commands);
    CHECK_EQ (w->rec.n, (size_t) 2);
    CHECK_STR (w->rec.calls [1].path, "/applications/" APP "/guilds/" GUILD "/commands");
    t_calls_answer (&w->rec, 1, 200, "[]", 0);
    CHECK_STR (commands_scope (w->commands), GUILD);
    CHECK_EQ (w->rec.n, (size_t) 3);
    CHECK_STR (w->rec.calls [2].method, "PUT");
    CHECK_STR (w->rec.calls [2].path, "/applications/" APP "/commands");
    CHECK_STR (w->rec.calls [2].body, "[]");
    t_calls_answer (&w->rec, 2, 200, "[]", 0);
    t_free (w);
}

DDC_TEST (test_refused_registration_is_shown_and_retried)
{
    t_world_t *w = t_world ();
    ddc_strlcpy (w->app_id, APP, sizeof (w->app_id));
    t_apply (w->app.live, "bot", "{'guild_id':'" GUILD "'}");
    commands_sync (w->commands);
    CHECK_EQ (w->rec.n, (size_t) 1);
    int64_t now = ddc_mono_ms ();
    t_calls_answer (&w->rec, 0, 403, "{'message':'Missing Access','code':50001}", 50001);
    CHECK_EQ (w->changed, 1);
    CHECK (strstr (commands_error (w->commands), "HTTP 403") != NULL);
    CHECK (strstr (commands_error (w->commands), "applications.commands") != NULL);
    CHECK_STR (commands_scope (w->commands), "");
    CHECK_EQ (w->rec.n, (size_t) 1); //  not at once
    CHECK (commands_next_ms (w->commands, now) > COMMANDS_RETRY_MS - 5000);
    commands_tick (w->commands, now + 1000);
    CHECK_EQ (w->rec.n, (size_t) 1);
    commands_tick (w->commands, now + COMMANDS_RETRY_MS + 1000);
    CHECK_EQ (w->rec.n, (size_t) 2);
    t_calls_answer (&w->rec, 1, 200, "[]", 0);
    CHECK_STR (commands_error (w->commands), "");
    CHECK_EQ (w->changed, 2);
    t_free (w);
}

DDC_TEST (test_interactions_go_where_they_belong)
{
    t_world_t *w = t_world ();
    t_ix (w, GW_IX_COMPONENT, "pn:restart:nas/plex", USER, CH_C);
    t_ix (w, GW_IX_MODAL, "in:ed:nas/plex:abc", ADMIN, CH_C);
    t_ix (w, GW_IX_MODAL, "tk:add", ADMIN, CH_C);
    t_ix (w, GW_IX_AUTOCOMPLETE, "task", ADMIN, CH_C);
    t_ix (w, GW_IX_COMMAND, "task", ADMIN, CH_C);
    CHECK_EQ (w->npanel, (size_t) 2);
    CHECK_STR (w->to_panel [0], "pn:restart:nas/plex");
    CHECK_STR (w->to_panel [1], "in:ed:nas/plex:abc");
    CHECK_EQ (w->ntask, (size_t) 3);
    CHECK_STR (w->to_task [0], "tk:add");
    CHECK_STR (w->to_task [1], "task");
    CHECK_STR (w->to_task [2], "task");
    CHECK_EQ (t_replies (&w->app), (size_t) 0); //  answered by whom they went to

    //  /serverstatus in a status channel: answered, and the overview reposted
    t_ix (w, GW_IX_COMMAND, "serverstatus", USER, CH_S);
    CHECK_STR (w->reposted, CH_S);
    CHECK_EQ (t_replies (&w->app), (size_t) 1);
    t_free (w);
}

DDC_TEST (test_refusals_are_answered_and_handed_to_no_one)
{
    t_world_t *w = t_world ();
    t_ix (w, GW_IX_COMMAND, "task", USER, CH_C);                          //  not an admin
    t_ix (w, GW_IX_COMMAND, "control", USER, CH_S);                       //  a status channel
    t_ix (w, GW_IX_COMMAND, "serverstatus", USER, "1100000000000000299"); //  not set up
    t_ix (w, GW_IX_MODAL, "xx:unknown", ADMIN, CH_C);
    t_ix (w, GW_IX_COMMAND, "nosuchcommand", ADMIN, CH_C);
    CHECK_EQ (w->ntask, (size_t) 0);
    CHECK_EQ (w->npanel, (size_t) 0);
    CHECK_STR (w->reposted, "");
    CHECK_EQ (t_replies (&w->app), (size_t) 5);
    t_free (w);
}

//  The localization map field of the command, option or choice named
//  name (a choice: its value) in list, options and choices searched too,
//  or NULL.
static const cJSON *
t_localized (const cJSON *list, const char *name, const char *field)
{
    const cJSON *each;
    cJSON_ArrayForEach (each, list) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive (each, "name");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive (each, "value");
        if ((cJSON_IsString (n) && strcmp (n->valuestring, name) == 0)
            || (cJSON_IsString (v) && strcmp (v->valuestring, name) == 0))
            return cJSON_GetObjectItemCaseSensitive (each, field);
        const cJSON *deeper = NULL;
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive (each, "options");
        if (!sub)
            sub = cJSON_GetObjectItemCaseSensitive (each, "choices");
        if (sub && (deeper = t_localized (sub, name, field)))
            return deeper;
    }
    return NULL;
}

//  Every locale of the map holds key's text in its language.
static void
t_texts_of (const cJSON *map, const ddc_i18n_t *every, const char *key)
{
    CHECK (map != NULL);
    CHECK_EQ (cJSON_GetArraySize (map), 14);
    const cJSON *e;
    cJSON_ArrayForEach (e, map) {
        int l = ddc_i18n_match (e->string);
        CHECK_STR (cJSON_GetStringValue (e), ddc_i18n_get (every, l < 0 ? 0 : l, key));
    }
}

DDC_TEST (test_definitions_in_every_language_keep_only_the_bots)
{
    ddc_i18n_t *every = ddc_i18n_new ();
    char err [200];
    CHECK_EQ (ddc_i18n_load_builtin (every, err, sizeof (err)), 0);
    //  the bot speaks German: its table stays, the ones parsed only for the
    //  definitions go again
    for (int l = 1; l < LANG_COUNT; l++)
        i18n_unload ((lang_t) l);
    CHECK_STR (i18n_get (LANG_DE, "cmd.help"), ddc_i18n_get (every, DDC_LANG_de, "cmd.help"));
    cJSON *list = commands_definitions (LANG_DE);
    CHECK_EQ (cJSON_GetArraySize (list), 8);
    CHECK (i18n_loaded (LANG_EN) && i18n_loaded (LANG_DE));
    for (int l = 2; l < LANG_COUNT; l++)
        CHECK (!i18n_loaded ((lang_t) l));
    t_texts_of (t_localized (list, "help", "description_localizations"), every, "cmd.help");
    t_texts_of (t_localized (list, "cycle", "description_localizations"), every, "cmd.task.o.cycle");
    t_texts_of (t_localized (list, "weekly", "name_localizations"), every, "task.c.weekly");
    const cJSON *loc = t_localized (list, "help", "description_localizations");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (loc, "es-419")),
               ddc_i18n_get (every, DDC_LANG_es, "cmd.help"));
    CHECK (strcmp (ddc_i18n_get (every, DDC_LANG_es, "cmd.help"),
                   ddc_i18n_get (every, DDC_LANG_en, "cmd.help"))
           != 0);
    cJSON *help = cJSON_GetArrayItem (list, 4);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (help, "description")),
               ddc_i18n_get (every, DDC_LANG_de, "cmd.help"));
    cJSON_Delete (list);
    ddc_i18n_destroy (&every);
}

int
main (int argc, char **argv)
{
    T_DISCORD_INIT (argc, argv);
    DDC_RUN (test_registered_once_ready_where_the_guild_says);
    DDC_RUN (test_refused_registration_is_shown_and_retried);
    DDC_RUN (test_interactions_go_where_they_belong);
    DDC_RUN (test_refusals_are_answered_and_handed_to_no_one);
    DDC_RUN (test_definitions_in_every_language_keep_only_the_bots);
    DDC_DONE ();
}
