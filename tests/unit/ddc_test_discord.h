/*  ddc_test_discord: what the unit tests of ddc-discord's feature modules
    share: a recorder for the REST calls a module makes through its hooks
    (answered later, in any order), live configuration sections written in
    single-quoted JSON, an app with the real live configuration, cooldowns
    and REST for interactions' replies (pointed where nothing listens:
    what counts is that a reply went out), and interactions built from a
    few fields. */
#ifndef DDC_TEST_DISCORD_H
#define DDC_TEST_DISCORD_H

#include "../../services/discord/app.h"
#include "../../services/discord/i18n.h"
#include "../../services/discord/live.h"
#include "../../services/discord/perms.h"
#include "../../services/discord/rest.h"
#include "../../services/discord/state.h"

#include "ddc_test.h"
#include "ddc_test_json.h"
#include "ddc_util.h"

#define T_GUILD "1100000000000000150"
#define T_CH_S "1100000000000000200" //  a status channel
#define T_CH_C "1100000000000000201" //  a control channel
#define T_ADMIN "1100000000000000300"
#define T_USER "1100000000000000400"
#define T_MSG "1100000000000001001"

#define T_CALLS_MAX 32

//  The start of main: DDC_TEST_INIT and the bot's locale catalogue.
#define T_DISCORD_INIT(argc, argv)                                \
    do {                                                          \
        DDC_TEST_INIT (argc, argv);                               \
        if (i18n_init () < 0) {                                   \
            fprintf (stderr, "the locale catalogue is broken\n"); \
            return 1;                                             \
        }                                                         \
    } while (0)

typedef struct {
    char method [8];
    char path [160];
    char *body;       //  the body's JSON text, or NULL
    rest_done_fn *cb; //  NULL once answered
    void *cb_arg;
} t_call_t;

typedef struct {
    t_call_t calls [T_CALLS_MAX];
    size_t n;
} t_calls_t;

//  Record a call as rest_call takes it (the body destroyed).
static inline int
t_calls_add (t_calls_t *rec, const char *method, const char *path, cJSON **body_p, rest_done_fn *cb,
             void *cb_arg)
{
    if (rec->n == T_CALLS_MAX)
        abort ();
    t_call_t *c = &rec->calls [rec->n++];
    ddc_strlcpy (c->method, method, sizeof (c->method));
    ddc_strlcpy (c->path, path, sizeof (c->path));
    c->body = body_p && *body_p ? cJSON_PrintUnformatted (*body_p) : NULL;
    if (body_p) {
        cJSON_Delete (*body_p);
        *body_p = NULL;
    }
    c->cb = cb;
    c->cb_arg = cb_arg;
    return 0;
}

//  The hooks' REST call for a test whose hook argument starts with its
//  t_calls_t.
static inline int
t_call (void *arg, const char *method, const char *path, cJSON **body_p, rest_done_fn *cb,
        void *cb_arg)
{
    return t_calls_add ((t_calls_t *) arg, method, path, body_p, cb, cb_arg);
}

//  Answer call i with status, json (single-quoted, or NULL) and code.
static inline void
t_calls_answer (t_calls_t *rec, size_t i, int status, const char *json, int code)
{
    CHECK (i < rec->n && rec->calls [i].cb);
    if (i >= rec->n || !rec->calls [i].cb)
        return;
    cJSON *body = json ? ddc_test_json (json) : NULL;
    rest_done_fn *cb = rec->calls [i].cb;
    rec->calls [i].cb = NULL;
    cb (rec->calls [i].cb_arg, status, body, code);
    cJSON_Delete (body);
}

static inline void
t_calls_free (t_calls_t *rec)
{
    for (size_t i = 0; i < rec->n; i++)
        free (rec->calls [i].body);
}

static inline void
t_apply (live_t *live, const char *section, const char *json)
{
    cJSON *v = ddc_test_json (json);
    CHECK_EQ (live_apply (live, section, v, NULL), 0);
    cJSON_Delete (v);
}

//  One container nas/plex, a status and a control channel, one admin.
static inline void
t_app_init (app_t *app)
{
    memset (app, 0, sizeof (*app));
    app->lang = LANG_EN;
    app->live = live_new ();
    app->cd = cd_new ();
    app->rest = rest_new ("http://127.0.0.1:9/api");
    t_apply (app->live, "containers",
             "[{'host':'nas','name':'plex','display_name':'Plex',"
             "'allowed_actions':['start','stop','restart','logs']}]");
    t_apply (app->live, "channels",
             "[{'id':'" T_CH_S "','kind':'status'},"
             "{'id':'" T_CH_C "','kind':'control'}]");
    t_apply (app->live, "admins", "[{'id':'" T_ADMIN "'}]");
}

static inline void
t_app_free (app_t *app)
{
    rest_destroy (&app->rest);
    state_destroy (&app->state);
    cd_destroy (&app->cd);
    live_destroy (&app->live);
}

//  The replies to interactions that went out.
static inline size_t
t_replies (app_t *app)
{
    return rest_queued (app->rest) + rest_running (app->rest);
}

//  An interaction of type by user in channel, on message T_MSG: what is a
//  command's name or a component's or form's custom id. Caller frees.
static inline gw_interaction_t *
t_ix_new (int type, const char *what, const char *user, const char *channel)
{
    gw_interaction_t *ix = ddc_calloc (1, sizeof (*ix));
    ddc_strlcpy (ix->id, "1100000000000009000", sizeof (ix->id));
    ddc_strlcpy (ix->token, "tok", sizeof (ix->token));
    ddc_strlcpy (ix->guild_id, T_GUILD, sizeof (ix->guild_id));
    ddc_strlcpy (ix->channel_id, channel, sizeof (ix->channel_id));
    ddc_strlcpy (ix->user_id, user, sizeof (ix->user_id));
    ddc_strlcpy (ix->username, "anna", sizeof (ix->username));
    ddc_strlcpy (ix->message_id, T_MSG, sizeof (ix->message_id));
    ix->type = type;
    if (type == GW_IX_COMMAND || type == GW_IX_AUTOCOMPLETE)
        ddc_strlcpy (ix->name, what, sizeof (ix->name));
    else
        ddc_strlcpy (ix->custom_id, what, sizeof (ix->custom_id));
    return ix;
}

#endif
