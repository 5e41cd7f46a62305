/*  test_discord_overviews: the overview messages (services/discord/
    overviews.c) driven through their API, with the live configuration and
    the state file for real and the rest as recording hooks: nothing is
    posted before the configuration is in sync and the gateway knows the
    bot's user; a posted overview's id is kept in the state file; an edit
    goes out only when what it shows changed, no sooner than OV_MIN_GAP_MS
    after the last; a deleted overview is posted again; a reposted one
    replaces (deletes) the old message once the new one is posted; a
    failed post backs off. */
#include "../../services/discord/overviews.h"
#include "../../services/discord/payload.h"

#include "ddc_test_discord.h"

#define CH T_CH_S
#define BOT "1100000000000000900"
#define MSG1 T_MSG
#define MSG2 "1100000000000001002"

//  What the hooks see and answer.
typedef struct {
    t_calls_t rec; //  first: t_call records here
    live_t *live;
    bool synced;
    char user_id [24];
    overviews_t *ov;
    state_t *state;
} t_world_t;

static void
t_render_ctx (void *arg, render_ctx_t *r)
{
    t_world_t *w = arg;
    memset (r, 0, sizeof (*r));
    r->live = w->live;
    r->lang = LANG_EN;
    r->wall_ms = 1795770000000LL;
    r->mono_ms = ddc_mono_ms ();
}

static bool
t_synced (void *arg)
{
    return ((t_world_t *) arg)->synced;
}

static const char *
t_user_id (void *arg)
{
    return ((t_world_t *) arg)->user_id;
}

static t_world_t *
t_world (void)
{
    t_world_t *w = ddc_calloc (1, sizeof (*w));
    w->live = live_new ();
    t_apply (w->live, "containers", "[{'host':'nas','name':'plex','display_name':'Plex'}]");
    t_apply (w->live, "channels", "[{'id':'" CH "','kind':'status','post_initial':true}]");
    w->state = state_new (NULL);
    overviews_hooks_t hooks = {
        .render_ctx = t_render_ctx,
        .synced = t_synced,
        .user_id = t_user_id,
        .call = t_call,
        .arg = w,
    };
    w->ov = overviews_new (w->live, w->state, &hooks);
    return w;
}

static void
t_free (t_world_t *w)
{
    overviews_destroy (&w->ov);
    CHECK (w->ov == NULL);
    state_destroy (&w->state);
    live_destroy (&w->live);
    t_calls_free (&w->rec);
    free (w);
}

//  Sync, become ready and have the first overview posted as MSG1.
static int64_t
t_posted (t_world_t *w)
{
    w->synced = true;
    ddc_strlcpy (w->user_id, BOT, sizeof (w->user_id));
    overviews_sync (w->ov);
    int64_t now = ddc_mono_ms ();
    overviews_tick (w->ov, now);
    CHECK_EQ (w->rec.n, (size_t) 1);
    t_calls_answer (&w->rec, 0, 200, "{'id':'" MSG1 "','channel_id':'" CH "'}", 0);
    return now;
}

DDC_TEST (test_nothing_before_sync_and_ready)
{
    t_world_t *w = t_world ();
    int64_t now = ddc_mono_ms ();
    overviews_sync (w->ov);
    overviews_tick (w->ov, now);
    CHECK_EQ (w->rec.n, (size_t) 0); //  not in sync
    w->synced = true;
    overviews_sync (w->ov);
    overviews_tick (w->ov, now + 10);
    CHECK_EQ (w->rec.n, (size_t) 0); //  the gateway has no user yet
    ddc_strlcpy (w->user_id, BOT, sizeof (w->user_id));
    overviews_sync (w->ov);
    CHECK (overviews_next_ms (w->ov, now + 20) <= 0);
    overviews_tick (w->ov, now + 20);
    CHECK_EQ (w->rec.n, (size_t) 1);
    CHECK_STR (w->rec.calls [0].method, "POST");
    CHECK_STR (w->rec.calls [0].path, "/channels/" CH "/messages");
    CHECK (w->rec.calls [0].body && strstr (w->rec.calls [0].body, "Plex") != NULL);
    //  one request in flight per channel
    overviews_tick (w->ov, now + 5000);
    CHECK_EQ (w->rec.n, (size_t) 1);
    t_free (w);
}

DDC_TEST (test_edits_only_what_changed)
{
    t_world_t *w = t_world ();
    int64_t now = t_posted (w);
    CHECK_STR (overviews_message (w->ov, CH), MSG1);
    CHECK_STR (state_message (w->state, CH), MSG1);
    CHECK_EQ (overviews_part (w->ov, CH, MSG1), 0);
    CHECK_EQ (overviews_part (w->ov, CH, MSG2), -1);
    //  nothing a user can see changed: no edit
    overviews_dirty (w->ov);
    overviews_tick (w->ov, now + OV_MIN_GAP_MS + 100);
    CHECK_EQ (w->rec.n, (size_t) 1);
    CHECK_EQ (overviews_edits (w->ov), (size_t) 0);
    //  a new name: one edit of that message
    t_apply (w->live, "containers", "[{'host':'nas','name':'plex','display_name':'Plex Media'}]");
    overviews_dirty (w->ov);
    overviews_tick (w->ov, now + OV_MIN_GAP_MS + 200);
    CHECK_EQ (w->rec.n, (size_t) 2);
    CHECK_STR (w->rec.calls [1].method, "PATCH");
    CHECK_STR (w->rec.calls [1].path, "/channels/" CH "/messages/" MSG1);
    CHECK (strstr (w->rec.calls [1].body, "Plex Media") != NULL);
    CHECK_EQ (overviews_edits (w->ov), (size_t) 1);
    t_calls_answer (&w->rec, 1, 200, "{'id':'" MSG1 "'}", 0);
    //  another change right after: it waits for the gap
    t_apply (w->live, "containers", "[{'host':'nas','name':'plex','display_name':'Plex 2'}]");
    overviews_dirty (w->ov);
    int64_t edited = now + OV_MIN_GAP_MS + 200;
    overviews_tick (w->ov, edited + 10);
    CHECK_EQ (w->rec.n, (size_t) 2);
    CHECK (overviews_next_ms (w->ov, edited + 10) > 0);
    overviews_tick (w->ov, edited + OV_MIN_GAP_MS + 10);
    CHECK_EQ (w->rec.n, (size_t) 3);
    CHECK_STR (w->rec.calls [2].method, "PATCH");
    t_free (w);
}

DDC_TEST (test_deleted_overview_is_posted_again)
{
    t_world_t *w = t_world ();
    int64_t now = t_posted (w);
    cJSON *d = ddc_test_json ("{'id':'" MSG1 "','channel_id':'" CH "'}");
    overviews_on_dispatch (w->ov, "MESSAGE_DELETE", d);
    cJSON_Delete (d);
    overviews_tick (w->ov, now + OV_MIN_GAP_MS + 100);
    CHECK_EQ (w->rec.n, (size_t) 2);
    CHECK_STR (w->rec.calls [1].method, "POST");
    t_calls_answer (&w->rec, 1, 200, "{'id':'" MSG2 "','channel_id':'" CH "'}", 0);
    CHECK_STR (overviews_message (w->ov, CH), MSG2);
    CHECK_STR (state_message (w->state, CH), MSG2);
    t_free (w);
}

DDC_TEST (test_repost_deletes_the_old_message)
{
    t_world_t *w = t_world ();
    int64_t now = t_posted (w);
    overviews_repost (w->ov, CH);
    overviews_tick (w->ov, now + 100);
    CHECK_EQ (w->rec.n, (size_t) 2);
    CHECK_STR (w->rec.calls [1].method, "POST");
    t_calls_answer (&w->rec, 1, 200, "{'id':'" MSG2 "','channel_id':'" CH "'}", 0);
    //  the new one posted: the old one goes
    CHECK_EQ (w->rec.n, (size_t) 3);
    CHECK_STR (w->rec.calls [2].method, "DELETE");
    CHECK_STR (w->rec.calls [2].path, "/channels/" CH "/messages/" MSG1);
    t_calls_answer (&w->rec, 2, 204, NULL, 0);
    CHECK_STR (overviews_message (w->ov, CH), MSG2);
    //  a channel not configured is not reposted
    overviews_repost (w->ov, "1100000000000000299");
    overviews_tick (w->ov, now + 60000);
    CHECK_EQ (w->rec.n, (size_t) 3);
    t_free (w);
}

DDC_TEST (test_failed_post_backs_off)
{
    t_world_t *w = t_world ();
    w->synced = true;
    ddc_strlcpy (w->user_id, BOT, sizeof (w->user_id));
    overviews_sync (w->ov);
    overviews_tick (w->ov, ddc_mono_ms ());
    CHECK_EQ (w->rec.n, (size_t) 1);
    int64_t failed = ddc_mono_ms ();
    t_calls_answer (&w->rec, 0, 500, "{'message':'boom'}", 0);
    CHECK_STR (overviews_message (w->ov, CH), "");
    overviews_tick (w->ov, failed + 1000);
    CHECK_EQ (w->rec.n, (size_t) 1); //  backing off (5 s)
    overviews_tick (w->ov, failed + 6000);
    CHECK_EQ (w->rec.n, (size_t) 2);
    CHECK_STR (w->rec.calls [1].method, "POST");
    t_free (w);
}

int
main (int argc, char **argv)
{
    T_DISCORD_INIT (argc, argv);
    DDC_RUN (test_nothing_before_sync_and_ready);
    DDC_RUN (test_edits_only_what_changed);
    DDC_RUN (test_deleted_overview_is_posted_again);
    DDC_RUN (test_repost_deletes_the_old_message);
    DDC_RUN (test_failed_post_backs_off);
    DDC_DONE ();
}
