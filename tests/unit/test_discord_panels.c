/*  test_discord_panels: the control panels' component interactions
    (services/discord/panels.c) driven through their API, with the live
    configuration, the reply path and REST for interactions for real, and
    what panels hands on (the broker request, the overviews, logs, tasks)
    as recording hooks: a restart by an admin marks the container pending,
    tells the overviews, sends one ACTION to docker@HOST with the user it is
    for, and its RESULT clears the pending mark and tells the overviews
    again; an action nobody answers is not left pending; a member without
    the right gets a refusal and nothing is sent; a refresh button asks
    which overview part the message is and tells overviews it was updated;
    logs and tasks components are handed on; a full request queue is
    answered "busy" and leaves nothing pending. */
#include "../../services/discord/panels.h"

#include "ddc_proto.h"
#include "ddc_test_discord.h"

#define CH_S T_CH_S
#define CH_C T_CH_C
#define ADMIN T_ADMIN
#define USER T_USER
#define MSG T_MSG

typedef struct {
    app_t app;
    panels_t *panels;
    int changed; //  overviews told
    int refreshed;
    char refreshed_msg [GW_ID_MAX];
    int part; //  what overview_part answers
    int logs_started, logs_components, tasks;
    //  the ACTION requests sent
    ddc_msg_t *sent [4];
    ddc_reply_fn *cb [4];
    void *cb_arg [4];
    size_t nsent;
    bool refuse; //  the request queue is full
} t_world_t;

static void
t_changed (void *arg)
{
    ((t_world_t *) arg)->changed++;
}

static int
t_part (void *arg, const char *channel, const char *message)
{
    t_world_t *w = arg;
    CHECK_STR (channel, CH_S);
    CHECK_STR (message, MSG);
    return w->part;
}

static void
t_refreshed (void *arg, const char *channel, const char *message)
{
    t_world_t *w = arg;
    CHECK_STR (channel, CH_S);
    w->refreshed++;
    ddc_strlcpy (w->refreshed_msg, message, sizeof (w->refreshed_msg));
}

static void
t_logs (void *arg, const gw_interaction_t *ix, const live_ctr_t *c)
{
    (void) ix;
    t_world_t *w = arg;
    if (c)
        w->logs_started++;
    else
        w->logs_components++;
}

static void
t_task (void *arg, const gw_interaction_t *ix)
{
    (void) ix;
    ((t_world_t *) arg)->tasks++;
}

static int
t_request (void *arg, zmsg_t **msg_p, int64_t timeout_ms, ddc_reply_fn *cb, void *cb_arg)
{
    t_world_t *w = arg;
    CHECK (timeout_ms > 5000);
    if (w->refuse || w->nsent == 4)
        return -1; //  the caller still owns *msg_p
    char err [120];
    w->sent [w->nsent] = ddc_msg_decode (*msg_p, err, sizeof (err));
    CHECK (w->sent [w->nsent] != NULL);
    zmsg_destroy (msg_p);
    w->cb [w->nsent] = cb;
    w->cb_arg [w->nsent] = cb_arg;
    w->nsent++;
    return 0;
}

static t_world_t *
t_world (void)
{
    t_world_t *w = ddc_calloc (1, sizeof (*w));
    app_t *app = &w->app;
    t_app_init (app);
    panels_hooks_t hooks = {
        .changed = t_changed,
        .overview_part = t_part,
        .refreshed = t_refreshed,
        .logs = t_logs,
        .task = t_task,
        .request = t_request,
        .arg = w,
    };
    w->panels = panels_new (app, &hooks);
    return w;
}

static void
t_free (t_world_t *w)
{
    panels_destroy (&w->panels);
    CHECK (w->panels == NULL);
    t_app_free (&w->app);
    for (size_t i = 0; i < w->nsent; i++)
        ddc_msg_destroy (&w->sent [i]);
    free (w);
}

static void
t_component (t_world_t *w, const char *custom_id, const char *user, const char *channel)
{
    gw_interaction_t *ix = t_ix_new (GW_IX_COMPONENT, custom_id, user, channel);
    panels_on_component (w->panels, ix);
    free (ix);
}

static const live_ctr_t *
t_plex (t_world_t *w, char key [LIVE_KEY_LEN + 1])
{
    live_key ("nas", "plex", key);
    return live_ctr_by_key (w->app.live, key);
}

//  The container shows as pending (an action in flight).
static bool
t_pending (t_world_t *w)
{
    char key [LIVE_KEY_LEN + 1];
    const live_ctr_t *c = t_plex (w, key);
    live_st_t st;
    live_ctr_status (w->app.live, c, ddc_mono_ms (), &st);
    return st.state == ST_PENDING;
}

//  user presses plex's button "action" on its panel in the control channel.
static void
t_press (t_world_t *w, const char *action, const char *user)
{
    char key [LIVE_KEY_LEN + 1], id [64];
    CHECK (t_plex (w, key) != NULL);
    snprintf (id, sizeof (id), "pn:%s:%s", action, key);
    t_component (w, id, user, CH_C);
}

DDC_TEST (test_restart_is_sent_and_its_result_shown)
{
    t_world_t *w = t_world ();
    t_press (w, "restart", ADMIN);
    CHECK_EQ (w->nsent, (size_t) 1);
    CHECK_EQ (panels_pending (w->panels), (size_t) 1);
    CHECK_EQ (w->changed, 1);
    CHECK (t_pending (w));
    CHECK_EQ (t_replies (&w->app), (size_t) 1); //  the panel turns "pending"
    ddc_msg_t *m = w->sent [0];
    CHECK_EQ (m->type, DDC_ACTION);
    CHECK_STR (m->frame [DDC_ACTION_PEER], "docker@nas");
    const cJSON *body = m->json [DDC_ACTION_BODY];
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (body, "action")), "restart");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (body, "container")), "plex");
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItem (cJSON_GetObjectItem (body, "for"), "user_id")),
               ADMIN);
    //  the agent's RESULT
    zmsg_t *z = ddc_msg_buildv (DDC_RESULT, m->frame [DDC_REQ],
                                "{\"ok\":true,\"state\":\"running\"}", NULL);
    char err [120];
    ddc_msg_t *result = ddc_msg_decode (z, err, sizeof (err));
    zmsg_destroy (&z);
    CHECK (result != NULL);
    w->cb [0](w->cb_arg [0], result);
    ddc_msg_destroy (&result);
    CHECK_EQ (panels_pending (w->panels), (size_t) 0);
    CHECK_EQ (w->changed, 2);
    CHECK (!t_pending (w));
    t_free (w);
}

DDC_TEST (test_unanswered_action_is_not_left_pending)
{
    t_world_t *w = t_world ();
    t_press (w, "stop", ADMIN);
    CHECK_EQ (w->nsent, (size_t) 1);
    w->cb [0](w->cb_arg [0], NULL); //  no answer in time
    CHECK_EQ (panels_pending (w->panels), (size_t) 0);
    CHECK (!t_pending (w));
    CHECK_EQ (w->changed, 2);
    t_free (w);
}

DDC_TEST (test_refused_and_busy_send_nothing)
{
    t_world_t *w = t_world ();
    t_press (w, "restart", USER); //  not an admin, no role
    CHECK_EQ (w->nsent, (size_t) 0);
    CHECK_EQ (w->changed, 0);
    CHECK_EQ (t_replies (&w->app), (size_t) 1);              //  the refusal
    t_component (w, "pn:restart:000000000000", ADMIN, CH_C); //  no such container
    CHECK_EQ (w->nsent, (size_t) 0);
    CHECK_EQ (t_replies (&w->app), (size_t) 2);
    //  the broker queue is full: "busy", nothing left pending
    w->refuse = true;
    t_press (w, "restart", ADMIN);
    CHECK_EQ (w->nsent, (size_t) 0);
    CHECK_EQ (panels_pending (w->panels), (size_t) 0);
    CHECK (!t_pending (w));
    t_free (w);
}

DDC_TEST (test_refresh_logs_and_tasks_are_handed_on)
{
    t_world_t *w = t_world ();
    w->part = 0;
    t_component (w, "ov:ref", USER, CH_S);
    CHECK_EQ (w->refreshed, 1);
    CHECK_STR (w->refreshed_msg, MSG);
    CHECK_EQ (t_replies (&w->app), (size_t) 1); //  the overview, updated in place
    t_press (w, "logs", ADMIN);
    CHECK_EQ (w->logs_started, 1);
    t_component (w, "lg:stop:1", ADMIN, CH_C);
    CHECK_EQ (w->logs_components, 1);
    t_component (w, "tk:del", ADMIN, CH_C);
    t_press (w, "tasks", ADMIN);
    CHECK_EQ (w->tasks, 2);
    CHECK_EQ (w->nsent, (size_t) 0);
    t_free (w);
}

int
main (int argc, char **argv)
{
    T_DISCORD_INIT (argc, argv);
    DDC_RUN (test_restart_is_sent_and_its_result_shown);
    DDC_RUN (test_unanswered_action_is_not_left_pending);
    DDC_RUN (test_refused_and_busy_send_nothing);
    DDC_RUN (test_refresh_logs_and_tasks_are_handed_on);
    DDC_DONE ();
}
