/*  test_client: unit tests of ddc_client (proto/ddcp.md section 7) against
    a scripted fake broker: a real ROUTER and XPUB on ipc:// endpoints in a
    temporary folder, driven step by step by each test while the client is
    pumped with ddc_client_run in small slices. */
#include "ddc_client.h"
#include "ddc_log.h"
#include "ddc_test.h"
#include "ddc_test_json.h"
#include "ddc_util.h"

#include <inttypes.h>
#include <sys/stat.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

//  ------------------------------------------------------------------------
//  the fake broker

typedef struct {
    char dir [64];
    zsock_t *router, *xpub;
    zframe_t *rid; //  routing id of the last sender
    char epoch [17], boot [17];
    uint64_t rev;
    cJSON *doc;          //  section -> value
    cJSON *revs;         //  section -> revision
    const char *secrets; //  JSON array text for access.secrets
    bool auto_pong;
    int subs;       //  subscriptions seen on XPUB
    int pings;      //  PINGs seen (answered or not)
    zlist_t *queue; //  received ddc_msg_t *, except PING
} fb_t;

static fb_t *
fb_new (const char *dir)
{
    fb_t *fb = ddc_calloc (1, sizeof (*fb));
    ddc_strlcpy (fb->dir, dir, sizeof (fb->dir));
    fb->router = zsock_new (ZMQ_ROUTER);
    zsock_set_linger (fb->router, 0);
    CHECK_EQ (zsock_bind (fb->router, "ipc://%s/ctl.sock", dir), 0);
    fb->xpub = zsock_new (ZMQ_XPUB);
    zsock_set_linger (fb->xpub, 0);
    zsock_set_xpub_verbose (fb->xpub, 1);
    CHECK_EQ (zsock_bind (fb->xpub, "ipc://%s/pub.sock", dir), 0);
    ddc_random_hex (fb->epoch, 8);
    ddc_random_hex (fb->boot, 8);
    fb->doc = ddc_test_parse ("{\"bot\": {\"prefix\": \"!\", \"token\": \"***\"},"
                              " \"containers\": [{\"name\": \"plex\"}],"
                              " \"tasks\": []}");
    fb->revs = ddc_test_parse ("{\"bot\": 1, \"containers\": 2, \"tasks\": 3}");
    fb->rev = 3;
    fb->secrets = "[]";
    fb->auto_pong = true;
    fb->queue = zlist_new ();
    return fb;
}

static void
fb_destroy (fb_t **fb_p)
{
    fb_t *fb = *fb_p;
    if (!fb)
        return;
    ddc_msg_t *m;
    while ((m = zlist_pop (fb->queue)))
        ddc_msg_destroy (&m);
    zlist_destroy (&fb->queue);
    zframe_destroy (&fb->rid);
    zsock_destroy (&fb->router);
    zsock_destroy (&fb->xpub);
    cJSON_Delete (fb->doc);
    cJSON_Delete (fb->revs);
    free (fb);
    *fb_p = NULL;
}

static void
fb_send (fb_t *fb, zmsg_t *msg)
{
    CHECK (msg != NULL);
    CHECK (fb->rid != NULL);
    if (!msg || !fb->rid)
        return;
    zmsg_pushmem (msg, zframe_data (fb->rid), zframe_size (fb->rid));
    zmsg_send (&msg, fb->router);
}

static void
fb_service (fb_t *fb)
{
    while (zsock_events (fb->xpub) & ZMQ_POLLIN) {
        zframe_t *f = zframe_recv (fb->xpub);
        if (f && zframe_size (f) > 0 && zframe_data (f) [0] == 1)
            fb->subs++;
        zframe_destroy (&f);
    }
    while (zsock_events (fb->router) & ZMQ_POLLIN) {
        zmsg_t *z = zmsg_recv (fb->router);
        if (!z)
            break;
        zframe_destroy (&fb->rid);
        fb->rid = zmsg_pop (z);
        char err [128];
        ddc_msg_t *m = ddc_msg_decode (z, err, sizeof (err));
        zmsg_destroy (&z);
        if (!m) {
            fprintf (stderr, "fake broker: malformed message: %s\n", err);
            CHECK (false);
            continue;
        }
        if (m->type == DDC_PING) {
            fb->pings++;
            if (fb->auto_pong) {
                char rev [24];
                snprintf (rev, sizeof (rev), "%" PRIu64, fb->rev);
                fb_send (fb, ddc_msg_buildv (DDC_PONG, m->frame [DDC_REQ], fb->epoch, rev, NULL));
            }
            ddc_msg_destroy (&m);
            continue;
        }
        zlist_append (fb->queue, m);
    }
}

//  Pump the client (if any) and the fake broker for ms.
static void
fb_pump (fb_t *fb, ddc_client_t *cl, int64_t ms)
{
    int64_t end = ddc_mono_ms () + ms;
    do {
        if (cl)
            ddc_client_run (cl, 5);
        else
            zclock_sleep (5);
        if (fb)
            fb_service (fb);
    } while (ddc_mono_ms () < end);
}

//  The next received message of a type (others stay queued), or NULL.
static ddc_msg_t *
fb_expect (fb_t *fb, ddc_client_t *cl, ddc_msg_type_t type, int64_t timeout_ms)
{
    int64_t end = ddc_mono_ms () + timeout_ms;
    for (;;) {
        for (ddc_msg_t *m = zlist_first (fb->queue); m; m = zlist_next (fb->queue))
            if (m->type == type) {
                zlist_remove (fb->queue, m);
                return m;
            }
        if (ddc_mono_ms () >= end)
            return NULL;
        fb_pump (fb, cl, 5);
    }
}

static int
fb_count (fb_t *fb, ddc_msg_type_t type)
{
    int n = 0;
    for (ddc_msg_t *m = zlist_first (fb->queue); m; m = zlist_next (fb->queue))
        n += m->type == type;
    return n;
}

static void
fb_welcome (fb_t *fb, const char *req, const char *name)
{
    char rev [24], access [1024];
    snprintf (rev, sizeof (rev), "%" PRIu64, fb->rev);
    snprintf (access, sizeof (access),
              "{\"name\": \"%s\", \"role\": \"docker\", \"pub\": \"ipc://%s/pub.sock\","
              " \"read\": [\"bot\", \"containers\", \"tasks\"], \"secrets\": %s,"
              " \"write\": [], \"actions\": false, \"heartbeat_ms\": 200}",
              name, fb->dir, fb->secrets);
    fb_send (fb, ddc_msg_buildv (DDC_WELCOME, req, fb->epoch, rev, fb->boot, access, NULL));
}

//  STATE for a comma list of sections from the fake broker's document.
static void
fb_state (fb_t *fb, const char *req, const char *list)
{
    cJSON *body = cJSON_CreateObject ();
    cJSON *secs = cJSON_AddObjectToObject (body, "sections");
    cJSON *revs = cJSON_AddObjectToObject (body, "revs");
    char *copy = ddc_strdup (list);
    for (char *save = NULL, *s = strtok_r (copy, ",", &save); s; s = strtok_r (NULL, ",", &save)) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive (fb->doc, s);
        cJSON *r = cJSON_GetObjectItemCaseSensitive (fb->revs, s);
        if (v && r) {
            cJSON_AddItemToObject (secs, s, cJSON_Duplicate (v, true));
            cJSON_AddItemToObject (revs, s, cJSON_Duplicate (r, true));
        }
    }
    free (copy);
    char *text = cJSON_PrintUnformatted (body);
    char rev [24];
    snprintf (rev, sizeof (rev), "%" PRIu64, fb->rev);
    fb_send (fb, ddc_msg_buildv (DDC_STATE, req, fb->epoch, rev, text, NULL));
    free (text);
    cJSON_Delete (body);
}

static void
fb_hugz (fb_t *fb)
{
    char rev [24], t [24];
    snprintf (rev, sizeof (rev), "%" PRIu64, fb->rev);
    snprintf (t, sizeof (t), "%" PRId64, ddc_wall_ms ());
    char *revs = cJSON_PrintUnformatted (fb->revs);
    zmsg_t *m = ddc_msg_buildv (DDC_HUGZ, "hugz/", fb->epoch, rev, fb->boot, revs, t, NULL);
    free (revs);
    CHECK (m != NULL);
    zmsg_send (&m, fb->xpub);
}

//  Publish an UPDATE with explicit revisions (the document is not changed).
static void
fb_publish (fb_t *fb, const char *epoch, const char *section, uint64_t rev, uint64_t prev,
            const char *value)
{
    char topic [64], r [24], p [24];
    snprintf (topic, sizeof (topic), "cfg/%s/", section);
    snprintf (r, sizeof (r), "%" PRIu64, rev);
    snprintf (p, sizeof (p), "%" PRIu64, prev);
    const char *props = "{\"author\": \"test\", \"peer\": \"ctl@t\", \"time\": \"x\","
                        " \"changed\": [], \"secrets_changed\": []}";
    zmsg_t *m = ddc_msg_buildv (DDC_UPDATE, topic, epoch, r, p, props, value, NULL);
    CHECK (m != NULL);
    zmsg_send (&m, fb->xpub);
}

//  Change a section in the document (new revision); publish it or not.
static uint64_t
fb_change (fb_t *fb, const char *section, const char *value, bool publish)
{
    uint64_t prev = 0;
    cJSON *r = cJSON_GetObjectItemCaseSensitive (fb->revs, section);
    if (r)
        prev = (uint64_t) r->valuedouble;
    fb->rev++;
    cJSON_DeleteItemFromObjectCaseSensitive (fb->revs, section);
    cJSON_AddNumberToObject (fb->revs, section, (double) fb->rev);
    cJSON_DeleteItemFromObjectCaseSensitive (fb->doc, section);
    cJSON_AddItemToObject (fb->doc, section, ddc_test_parse (value));
    if (publish)
        fb_publish (fb, fb->epoch, section, fb->rev, prev, value);
    return fb->rev;
}

//  ------------------------------------------------------------------------
//  what the client told the test

#define REC_MAX 64

typedef struct {
    int napply;
    char apply_section [REC_MAX][32];
    uint64_t apply_rev [REC_MAX];
    bool apply_cache [REC_MAX];
    char *apply_value [REC_MAX];
    char apply_author [REC_MAX][32]; //  ddc_client_update_props' author, ""
    ddc_client_t *cl;                //  for ddc_client_update_props
    const char *reject;              //  section to reject, or NULL
    int nev;
    ddc_client_event_t ev [REC_MAX];
    char ev_detail [REC_MAX][200];
    char action_req [64], action_origin [64];
    char *action_body;
    int nstatus;
    char status_peer [64], status_topic [64];
    int nreply;
    bool reply_null;
    ddc_msg_type_t reply_type;
} rec_t;

static int
rec_apply (void *arg, const char *section, const cJSON *value, uint64_t rev, bool from_cache,
           cJSON *errors)
{
    rec_t *rec = arg;
    if (rec->reject && strcmp (rec->reject, section) == 0) {
        cJSON *e = cJSON_CreateObject ();
        cJSON_AddStringToObject (e, "field", section);
        cJSON_AddStringToObject (e, "reason", "invalid");
        cJSON_AddStringToObject (e, "message", "rejected by the test");
        cJSON_AddItemToArray (errors, e);
        return -1;
    }
    if (rec->napply < REC_MAX) {
        int i = rec->napply;
        ddc_strlcpy (rec->apply_section [i], section, sizeof (rec->apply_section [i]));
        rec->apply_rev [i] = rev;
        rec->apply_cache [i] = from_cache;
        rec->apply_value [i] = cJSON_PrintUnformatted (value);
        const cJSON *props = rec->cl ? ddc_client_update_props (rec->cl) : NULL;
        const char *author = cJSON_GetStringValue (cJSON_GetObjectItem (props, "author"));
        ddc_strlcpy (rec->apply_author [i], author ? author : "", sizeof (rec->apply_author [i]));
    }
    rec->napply++;
    return 0;
}

static void
rec_event (void *arg, ddc_client_event_t ev, const char *detail)
{
    rec_t *rec = arg;
    if (rec->nev < REC_MAX) {
        rec->ev [rec->nev] = ev;
        ddc_strlcpy (rec->ev_detail [rec->nev], detail, sizeof (rec->ev_detail [0]));
        rec->nev++;
    }
}

static void
rec_action (void *arg, const char *req, const char *origin, const cJSON *body)
{
    rec_t *rec = arg;
    ddc_strlcpy (rec->action_req, req, sizeof (rec->action_req));
    ddc_strlcpy (rec->action_origin, origin, sizeof (rec->action_origin));
    free (rec->action_body);
    rec->action_body = cJSON_PrintUnformatted (body);
}

static void
rec_status (void *arg, const char *peer, const char *topic, const cJSON *body)
{
    rec_t *rec = arg;
    (void) body;
    rec->nstatus++;
    ddc_strlcpy (rec->status_peer, peer, sizeof (rec->status_peer));
    ddc_strlcpy (rec->status_topic, topic, sizeof (rec->status_topic));
}

static void
rec_reply (void *arg, const ddc_msg_t *reply)
{
    rec_t *rec = arg;
    rec->nreply++;
    rec->reply_null = reply == NULL;
    if (reply)
        rec->reply_type = reply->type;
}

static void
rec_free (rec_t *rec)
{
    for (int i = 0; i < rec->napply && i < REC_MAX; i++)
        free (rec->apply_value [i]);
    free (rec->action_body);
}

static int
rec_count (rec_t *rec, ddc_client_event_t ev)
{
    int n = 0;
    for (int i = 0; i < rec->nev; i++)
        n += rec->ev [i] == ev;
    return n;
}

static const char *
rec_detail (rec_t *rec, ddc_client_event_t ev)
{
    for (int i = rec->nev - 1; i >= 0; i--)
        if (rec->ev [i] == ev)
            return rec->ev_detail [i];
    return NULL;
}

//  Last applied value of a section as JSON text, or NULL.
static const char *
rec_last (rec_t *rec, const char *section, uint64_t *rev_p)
{
    for (int i = (rec->napply < REC_MAX ? rec->napply : REC_MAX) - 1; i >= 0; i--)
        if (strcmp (rec->apply_section [i], section) == 0) {
            if (rev_p)
                *rev_p = rec->apply_rev [i];
            return rec->apply_value [i];
        }
    return NULL;
}

//  ------------------------------------------------------------------------
//  fixtures

static char s_dir [64];

static void
s_setup (void)
{
    ddc_log_init ("test_client");
    ddc_log_set_level (getenv ("DDC_TEST_DEBUG") ? DDC_LOG_DEBUG : DDC_LOG_ERROR);
    snprintf (s_dir, sizeof (s_dir), "/tmp/ddc-tcl.XXXXXX");
    CHECK (mkdtemp (s_dir) != NULL);
}

static void
s_teardown (void)
{
    char cmd [128];
    snprintf (cmd, sizeof (cmd), "rm -rf '%s'", s_dir);
    CHECK_EQ (system (cmd), 0);
    zsys_shutdown ();
#if defined(__SANITIZE_ADDRESS__)
    CHECK_EQ (__lsan_do_recoverable_leak_check (), 0);
#endif
}

static const char *const s_follow [] = { "bot", "containers", NULL };
static bool s_compact; //  the clients keep their values as text


static ddc_client_t *
s_client (rec_t *rec, const char *const *sections, const char *cache)
{
    char ep [128];
    snprintf (ep, sizeof (ep), "ipc://%s/ctl.sock", s_dir);
    ddc_client_opts_t opts = {
        .broker = ep,
        .role = "docker",
        .instance = "nas",
        .sections = sections,
        .cache_path = cache,
        .on_apply = rec_apply,
        .on_event = rec_event,
        .on_action = rec_action,
        .on_status = rec_status,
        .arg = rec,
        .compact = s_compact,
    };
    ddc_client_t *cl = ddc_client_new (&opts);
    CHECK (cl != NULL);
    return cl;
}

//  Expect a SNAPSHOT of exactly `list`, answer it; returns false if none.
static bool
s_answer_snapshot (fb_t *fb, ddc_client_t *cl, const char *list, int64_t timeout_ms)
{
    ddc_msg_t *m = fb_expect (fb, cl, DDC_SNAPSHOT, timeout_ms);
    CHECK (m != NULL);
    if (!m)
        return false;
    CHECK_STR (m->frame [DDC_SNAPSHOT_SECTIONS], list);
    fb_state (fb, m->frame [DDC_REQ], m->frame [DDC_SNAPSHOT_SECTIONS]);
    ddc_msg_destroy (&m);
    return true;
}

//  Expect APPLIED (or REJECTED) for a section at a revision.
static void
s_expect_applied (fb_t *fb, ddc_client_t *cl, const char *section, uint64_t rev)
{
    ddc_msg_t *m = fb_expect (fb, cl, DDC_APPLIED, 1000);
    CHECK (m != NULL);
    if (!m)
        return;
    CHECK_STR (m->frame [DDC_APPLIED_SECTION], section);
    CHECK (m->u64 [DDC_APPLIED_REV] == rev);
    if (m->u64 [DDC_APPLIED_REV] != rev)
        fprintf (stderr, "APPLIED %s rev %" PRIu64 ", expected %" PRIu64 "\n",
                 m->frame [DDC_APPLIED_SECTION], m->u64 [DDC_APPLIED_REV], rev);
    ddc_msg_destroy (&m);
}

//  HELLO -> WELCOME -> subscriptions -> HUGZ -> SNAPSHOT -> STATE -> APPLIED.
static void
s_sync (fb_t *fb, ddc_client_t *cl)
{
    ddc_msg_t *m = fb_expect (fb, cl, DDC_HELLO, 2000);
    CHECK (m != NULL);
    if (!m)
        return;
    fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
    ddc_msg_destroy (&m);
    int64_t end = ddc_mono_ms () + 2000;
    while (fb->subs < 3 && ddc_mono_ms () < end)
        fb_pump (fb, cl, 5);
    CHECK (fb->subs >= 3); //  hugz/, cfg/bot/, cfg/containers/
    fb_hugz (fb);
    s_answer_snapshot (fb, cl, "bot,containers", 2000);
    s_expect_applied (fb, cl, "bot", 1);
    s_expect_applied (fb, cl, "containers", 2);
}

//  ------------------------------------------------------------------------
//  tests

DDC_TEST (test_sync_flow)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);

    ddc_msg_t *m = fb_expect (fb, cl, DDC_HELLO, 2000);
    CHECK (m != NULL);
    if (m) {
        CHECK_STR (m->frame [DDC_HELLO_PROTO], "DDCP/1");
        CHECK_STR (m->frame [DDC_HELLO_ROLE], "docker");
        CHECK_STR (m->frame [DDC_HELLO_INSTANCE], "nas");
        fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
        ddc_msg_destroy (&m);
    }
    fb_pump (fb, cl, 300);
    CHECK_EQ (rec_count (&rec, DDC_EV_CONNECTED), 1);
    CHECK_STR (rec_detail (&rec, DDC_EV_CONNECTED), "docker@nas");
    CHECK_STR (ddc_client_name (cl), "docker@nas");
    CHECK (ddc_client_connected (cl));
    CHECK (fb->subs == 3);
    //  rule 1: no SNAPSHOT before the first HUGZ
    CHECK_EQ (fb_count (fb, DDC_SNAPSHOT), 0);
    CHECK (!ddc_client_synced (cl));

    fb_hugz (fb);
    CHECK (s_answer_snapshot (fb, cl, "bot,containers", 1000));
    s_expect_applied (fb, cl, "bot", 1);
    s_expect_applied (fb, cl, "containers", 2);
    CHECK_EQ (rec.napply, 2);
    CHECK_EQ (rec_count (&rec, DDC_EV_SYNCED), 1);
    CHECK (ddc_client_synced (cl));
    uint64_t rev = 0;
    const cJSON *v = ddc_client_section (cl, "containers", &rev);
    CHECK (cJSON_IsArray (v) && rev == 2);
    CHECK (ddc_client_section (cl, "tasks", NULL) == NULL);
    CHECK_STR (ddc_client_epoch (cl), fb->epoch);
    CHECK_EQ (ddc_client_rev (cl), 3);
    CHECK (ddc_client_access (cl) != NULL);
    //  PINGs flow (heartbeat_ms 200)
    fb_pump (fb, cl, 500);
    CHECK (fb->pings >= 1);
    CHECK_EQ (rec_count (&rec, DDC_EV_DISCONNECTED), 0);

    ddc_client_destroy (&cl);
    CHECK (cl == NULL);
    fb_pump (fb, NULL, 100);
    m = fb_expect (fb, NULL, DDC_BYE, 500);
    CHECK (m != NULL);
    ddc_msg_destroy (&m);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_update_in_order)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    rec.cl = cl;
    uint64_t r1 = fb_change (fb, "containers", "[{\"name\": \"a\"}]", true);
    s_expect_applied (fb, cl, "containers", r1);
    //  the UPDATE's props inside on_apply; none for a snapshot's values
    CHECK_STR (rec.apply_author [0], "");
    CHECK_STR (rec.apply_author [2], "test");
    CHECK (ddc_client_update_props (cl) == NULL);
    uint64_t r2 = fb_change (fb, "containers", "[{\"name\": \"b\"}]", true);
    s_expect_applied (fb, cl, "containers", r2);
    uint64_t rev = 0;
    CHECK_STR (rec_last (&rec, "containers", &rev), "[{\"name\":\"b\"}]");
    CHECK_EQ (rev, r2);
    const cJSON *v = ddc_client_section (cl, "containers", &rev);
    CHECK_EQ (rev, r2);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (v, 0), "name")), "b");
    //  an update of a section not followed is ignored
    fb_change (fb, "tasks", "[1]", true);
    fb_pump (fb, cl, 200);
    CHECK_EQ (rec.napply, 4);
    CHECK_EQ (fb_count (fb, DDC_APPLIED), 0);
    CHECK_EQ (ddc_client_rev (cl), r2);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_gap_snapshots_section)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    fb_change (fb, "containers", "[{\"name\": \"lost\"}]", false); //  lost
    uint64_t r2 = fb_change (fb, "containers", "[{\"name\": \"c\"}]", false);
    fb_publish (fb, fb->epoch, "containers", r2, r2 - 1, "[{\"name\": \"c\"}]");
    CHECK (s_answer_snapshot (fb, cl, "containers", 1500));
    s_expect_applied (fb, cl, "containers", r2);
    char want [128];
    snprintf (want, sizeof (want), "gap in containers: expected prev 2, got %" PRIu64, r2 - 1);
    CHECK_STR (rec_detail (&rec, DDC_EV_RESYNC), want);
    CHECK_EQ (rec.napply, 3); //  the gapped update itself was not applied
    uint64_t rev = 0;
    CHECK_STR (rec_last (&rec, "containers", &rev), "[{\"name\":\"c\"}]");
    CHECK_EQ (rev, r2);
    //  the chain continues from the snapshot
    uint64_t r3 = fb_change (fb, "containers", "[]", true);
    s_expect_applied (fb, cl, "containers", r3);
    CHECK_EQ (fb_count (fb, DDC_SNAPSHOT), 0);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_epoch_change_full_resync)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    //  a HUGZ with a new epoch (same boot): full resync
    ddc_random_hex (fb->epoch, 8);
    fb->rev = 1;
    cJSON_Delete (fb->revs);
    fb->revs = ddc_test_parse ("{\"bot\": 1, \"containers\": 1, \"tasks\": 1}");
    cJSON_DeleteItemFromObject (fb->doc, "containers");
    cJSON_AddItemToObject (fb->doc, "containers", ddc_test_parse ("[{\"name\": \"new\"}]"));
    fb_hugz (fb);
    CHECK (s_answer_snapshot (fb, cl, "bot,containers", 1500));
    s_expect_applied (fb, cl, "bot", 1);
    s_expect_applied (fb, cl, "containers", 1);
    CHECK_STR (rec_detail (&rec, DDC_EV_RESYNC), "epoch changed");
    //  bot did not change: not applied again; containers did
    CHECK_EQ (rec.napply, 3);
    CHECK_STR (rec_last (&rec, "containers", NULL), "[{\"name\":\"new\"}]");
    CHECK_STR (ddc_client_epoch (cl), fb->epoch);
    CHECK_EQ (rec_count (&rec, DDC_EV_SYNCED), 2);
    uint64_t rev = 0;
    ddc_client_section (cl, "bot", &rev);
    CHECK_EQ (rev, 1);

    //  an UPDATE of another epoch also forces a full resync
    char other [17];
    ddc_random_hex (other, 8);
    fb_publish (fb, other, "containers", 9, 1, "[]");
    fb_pump (fb, cl, 700); //  rate limit: at most 2 snapshots a second
    CHECK (s_answer_snapshot (fb, cl, "bot,containers", 1500));
    CHECK_EQ (rec.napply, 3);
    CHECK_EQ (rec_count (&rec, DDC_EV_RESYNC), 2);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_duplicate_dropped)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    uint64_t r = fb_change (fb, "bot", "{\"prefix\": \"?\"}", true);
    fb_publish (fb, fb->epoch, "bot", r, 1, "{\"prefix\": \"?\"}");
    fb_publish (fb, fb->epoch, "bot", 1, 0, "{\"prefix\": \"old\"}");
    s_expect_applied (fb, cl, "bot", r);
    fb_pump (fb, cl, 400);
    CHECK_EQ (rec.napply, 3);
    CHECK_EQ (fb_count (fb, DDC_APPLIED), 0);
    CHECK_EQ (fb_count (fb, DDC_SNAPSHOT), 0);
    CHECK_EQ (rec_count (&rec, DDC_EV_RESYNC), 0);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_reject_keeps_old_value)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    rec.reject = "containers";
    uint64_t r = fb_change (fb, "containers", "[{\"name\": \"bad\"}]", true);
    ddc_msg_t *m = fb_expect (fb, cl, DDC_REJECTED, 1000);
    CHECK (m != NULL);
    if (m) {
        CHECK_STR (m->frame [DDC_REJECTED_SECTION], "containers");
        CHECK (m->u64 [DDC_REJECTED_REV] == r);
        CHECK (m->u64 [DDC_REJECTED_RUNNING] == 2);
        cJSON *e = cJSON_GetArrayItem (m->json [DDC_REJECTED_ERRORS], 0);
        CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (e, "reason")), "invalid");
        ddc_msg_destroy (&m);
    }
    uint64_t rev = 0;
    const cJSON *v = ddc_client_section (cl, "containers", &rev);
    CHECK_EQ (rev, 2);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (v, 0), "name")),
               "plex");
    //  the same revision again: not retried
    fb_publish (fb, fb->epoch, "containers", r, 2, "[{\"name\": \"bad\"}]");
    fb_pump (fb, cl, 300);
    CHECK_EQ (fb_count (fb, DDC_REJECTED), 0);
    //  a HUGZ at the rejected revision is not "ahead"
    fb_hugz (fb);
    fb_pump (fb, cl, 300);
    CHECK_EQ (fb_count (fb, DDC_SNAPSHOT), 0);

    //  the rejected revision is the chain link of the next update
    rec.reject = NULL;
    uint64_t r2 = fb_change (fb, "containers", "[{\"name\": \"good\"}]", true);
    s_expect_applied (fb, cl, "containers", r2);
    CHECK_EQ (fb_count (fb, DDC_SNAPSHOT), 0);
    CHECK_STR (rec_last (&rec, "containers", NULL), "[{\"name\":\"good\"}]");

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_hugz_ahead_snapshots)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    uint64_t r = fb_change (fb, "containers", "[{\"name\": \"burst\"}]", false);
    int64_t start = ddc_mono_ms ();
    ddc_msg_t *m = NULL;
    while (!m && ddc_mono_ms () - start < 3500) {
        fb_hugz (fb);
        m = fb_expect (fb, cl, DDC_SNAPSHOT, 250);
    }
    int64_t took = ddc_mono_ms () - start;
    CHECK (m != NULL);
    CHECK (took >= 1700 && took <= 3000);
    if (m) {
        CHECK_STR (m->frame [DDC_SNAPSHOT_SECTIONS], "containers");
        fb_state (fb, m->frame [DDC_REQ], "containers");
        ddc_msg_destroy (&m);
    }
    s_expect_applied (fb, cl, "containers", r);
    CHECK (strstr (rec_detail (&rec, DDC_EV_RESYNC) ? rec_detail (&rec, DDC_EV_RESYNC) : "",
                   "containers behind")
           != NULL);
    //  repaired: no further snapshot
    fb_hugz (fb);
    CHECK (fb_expect (fb, cl, DDC_SNAPSHOT, 2500) == NULL);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_error_401_hello_again)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    char req [40];
    ddc_req_id (req);
    zmsg_t *z = ddc_msg_buildv (DDC_STATUS, req, "0", "-", NULL);
    CHECK_EQ (ddc_client_request (cl, &z, 5000, 1, rec_reply, &rec), 0);
    CHECK (z == NULL);
    ddc_msg_t *m = fb_expect (fb, cl, DDC_STATUS, 1000);
    CHECK (m != NULL);
    if (m) {
        CHECK_STR (m->frame [DDC_REQ], req);
        fb_send (fb, ddc_msg_buildv (DDC_ERROR, req, "401", "say HELLO first", NULL));
        ddc_msg_destroy (&m);
    }
    m = fb_expect (fb, cl, DDC_HELLO, 1000);
    CHECK (m != NULL);
    CHECK (!ddc_client_connected (cl));
    if (m) {
        fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
        ddc_msg_destroy (&m);
    }
    //  the pending request is sent again with the same id
    m = fb_expect (fb, cl, DDC_STATUS, 1000);
    CHECK (m != NULL);
    if (m) {
        CHECK_STR (m->frame [DDC_REQ], req);
        fb_send (fb, ddc_msg_buildv (DDC_PEERS, req, "{\"peers\": []}", NULL));
        ddc_msg_destroy (&m);
    }
    fb_pump (fb, cl, 100);
    CHECK (rec.nreply == 1 && !rec.reply_null && rec.reply_type == DDC_PEERS);
    CHECK_EQ (rec_count (&rec, DDC_EV_CONNECTED), 2);
    //  and a full resync follows the new WELCOME
    fb_hugz (fb);
    CHECK (s_answer_snapshot (fb, cl, "bot,containers", 1500));
    s_expect_applied (fb, cl, "bot", 1);
    s_expect_applied (fb, cl, "containers", 2);
    CHECK_EQ (rec.napply, 2);
    CHECK_EQ (rec_count (&rec, DDC_EV_SYNCED), 2);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_request_retry_and_timeout)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, NULL, NULL); //  a pure requester

    //  queued before the WELCOME, sent after it
    char req [40];
    ddc_req_id (req);
    zmsg_t *z = ddc_msg_buildv (DDC_HISTORY, req, "*", "0", NULL);
    CHECK_EQ (ddc_client_request (cl, &z, 300, 3, rec_reply, &rec), 0);
    ddc_msg_t *m = fb_expect (fb, cl, DDC_HELLO, 2000);
    CHECK (m != NULL);
    CHECK_EQ (fb_count (fb, DDC_HISTORY), 0);
    if (m) {
        fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
        ddc_msg_destroy (&m);
    }
    m = fb_expect (fb, cl, DDC_HISTORY, 500);
    CHECK (m != NULL);
    if (m)
        CHECK_STR (m->frame [DDC_REQ], req);
    ddc_msg_destroy (&m);
    CHECK (ddc_client_connected (cl));
    CHECK (ddc_client_synced (cl));
    CHECK (fb->subs == 0); //  no SUB without sections
    //  unanswered: resent with the same id
    m = fb_expect (fb, cl, DDC_HISTORY, 600);
    CHECK (m != NULL);
    if (m) {
        CHECK_STR (m->frame [DDC_REQ], req);
        fb_send (fb, ddc_msg_buildv (DDC_CHANGES, req, "[]", NULL));
        ddc_msg_destroy (&m);
    }
    fb_pump (fb, cl, 100);
    CHECK (rec.nreply == 1 && !rec.reply_null && rec.reply_type == DDC_CHANGES);
    //  a late duplicate answer is dropped
    fb_send (fb, ddc_msg_buildv (DDC_CHANGES, req, "[]", NULL));
    fb_pump (fb, cl, 100);
    CHECK_EQ (rec.nreply, 1);

    //  never answered: two tries, then the callback gets NULL
    ddc_req_id (req);
    z = ddc_msg_buildv (DDC_HISTORY, req, "bot", "0", NULL);
    int64_t start = ddc_mono_ms ();
    CHECK_EQ (ddc_client_request (cl, &z, 200, 2, rec_reply, &rec), 0);
    while (rec.nreply < 2 && ddc_mono_ms () - start < 2000)
        fb_pump (fb, cl, 10);
    int64_t took = ddc_mono_ms () - start;
    CHECK (rec.nreply == 2 && rec.reply_null);
    CHECK (took >= 350 && took < 1000);
    CHECK_EQ (fb_count (fb, DDC_HISTORY), 2);
    //  a message that is not a request is refused
    z = ddc_msg_buildv (DDC_BYE, "x-1", NULL);
    CHECK_EQ (ddc_client_request (cl, &z, 200, 1, rec_reply, &rec), -1);
    CHECK (z == NULL);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_action_result)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    fb_send (fb, ddc_msg_buildv (DDC_ACTION, "fwd-7", "web@box", "5000",
                                 "{\"action\": \"restart\", \"container\": \"plex\"}", NULL));
    fb_pump (fb, cl, 200);
    CHECK_STR (rec.action_req, "fwd-7");
    CHECK_STR (rec.action_origin, "web@box");
    CHECK_STR (rec.action_body, "{\"action\":\"restart\",\"container\":\"plex\"}");
    cJSON *body = ddc_test_parse ("{\"ok\": true}");
    CHECK_EQ (ddc_client_result (cl, rec.action_req, body), 0);
    cJSON_Delete (body);
    ddc_msg_t *m = fb_expect (fb, cl, DDC_RESULT, 1000);
    CHECK (m != NULL);
    if (m) {
        CHECK_STR (m->frame [DDC_REQ], "fwd-7");
        CHECK (cJSON_IsTrue (cJSON_GetObjectItem (m->json [DDC_RESULT_BODY], "ok")));
        ddc_msg_destroy (&m);
    }

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_cache_written_and_loaded)
{
    s_setup ();
    char cache [128];
    snprintf (cache, sizeof (cache), "%s/cache.json", s_dir);
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, cache);
    CHECK_EQ (rec_count (&rec, DDC_EV_CACHE_LOADED), 0); //  no file yet
    s_sync (fb, cl);
    uint64_t r = fb_change (fb, "containers", "[{\"name\": \"cached\"}]", true);
    s_expect_applied (fb, cl, "containers", r);

    //  The file follows within S_CACHE_DELAY_MS (1 s) of the change.
    char *data = NULL;
    size_t len = 0;
    for (int64_t until = ddc_mono_ms () + 2000; ddc_mono_ms () < until;) {
        free (data);
        data = NULL;
        if (ddc_read_file (cache, 1 << 20, &data, &len) == 0 && strstr (data, "cached"))
            break;
        fb_pump (fb, cl, 20);
    }
    CHECK (data && strstr (data, "cached"));
    struct stat st;
    CHECK (stat (cache, &st) == 0 && (st.st_mode & 0777) == 0600);
    cJSON *root = ddc_test_parse (data ? data : "");
    free (data);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (root, "epoch")), fb->epoch);
    CHECK (cJSON_GetNumberValue (
               cJSON_GetObjectItem (cJSON_GetObjectItem (root, "revs"), "containers"))
           == (double) r);
    CHECK_EQ (cJSON_GetNumberValue (cJSON_GetObjectItem (root, "rev")), (double) r);
    CHECK (cJSON_IsObject (cJSON_GetObjectItem (cJSON_GetObjectItem (root, "sections"), "bot")));
    const cJSON *cached =
        cJSON_GetObjectItem (cJSON_GetObjectItem (root, "sections"), "containers");
    CHECK_EQ (cJSON_GetArraySize (cached), 1);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (cached, 0), "name")),
               "cached");
    cJSON_Delete (root);
    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);

    //  start again with the broker down: run on the cache
    rec_t rec2 = { 0 };
    cl = s_client (&rec2, s_follow, cache);
    CHECK_EQ (rec_count (&rec2, DDC_EV_CACHE_LOADED), 1);
    CHECK_STR (rec_detail (&rec2, DDC_EV_CACHE_LOADED), cache);
    CHECK (rec2.napply == 2 && rec2.apply_cache [0] && rec2.apply_cache [1]);
    CHECK_STR (rec_last (&rec2, "containers", NULL), "[{\"name\":\"cached\"}]");
    uint64_t rev = 0;
    CHECK (ddc_client_section (cl, "containers", &rev) != NULL && rev == r);
    fb_pump (NULL, cl, 3300);
    CHECK_EQ (rec_count (&rec2, DDC_EV_DISCONNECTED), 1);
    CHECK (!ddc_client_connected (cl));

    //  the broker comes back with another containers value
    fb = fb_new (s_dir);
    uint64_t r2 = fb_change (fb, "containers", "[{\"name\": \"fresh\"}]", false);

    {
        ddc_msg_t *m = fb_expect (fb, cl, DDC_HELLO, 2000);
        CHECK (m != NULL);
        if (m) {
            fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
            ddc_msg_destroy (&m);
        }
        int64_t end = ddc_mono_ms () + 2000;
        while (fb->subs < 3 && ddc_mono_ms () < end)
            fb_pump (fb, cl, 5);
        fb_hugz (fb);
        CHECK (s_answer_snapshot (fb, cl, "bot,containers", 1500));
        s_expect_applied (fb, cl, "bot", 1);
        s_expect_applied (fb, cl, "containers", r2);
    }
    //  bot unchanged: not applied again; containers replaced
    CHECK_EQ (rec2.napply, 3);
    CHECK (!rec2.apply_cache [2]);
    CHECK_STR (rec_last (&rec2, "containers", NULL), "[{\"name\":\"fresh\"}]");
    CHECK (ddc_client_synced (cl));
    CHECK_EQ (rec_count (&rec2, DDC_EV_CONNECTED), 1);

    //  a client that stops writes what it has not written yet at once
    ddc_client_destroy (&cl);
    data = NULL;
    CHECK_EQ (ddc_read_file (cache, 1 << 20, &data, &len), 0);
    CHECK (data && strstr (data, "fresh"));
    free (data);

    //  a damaged cache is ignored
    CHECK_EQ (ddc_write_file_atomic (cache, "{\"epoch\": 1", 11, 0600), 0);
    rec_t rec3 = { 0 };
    cl = s_client (&rec3, s_follow, cache);
    CHECK (cl != NULL && rec3.napply == 0 && rec_count (&rec3, DDC_EV_CACHE_LOADED) == 0);
    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec2);
    rec_free (&rec3);
    s_teardown ();
}

DDC_TEST (test_secret_section_refetched)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    fb->secrets = "[\"bot.token\"]";
    cJSON_DeleteItemFromObject (fb->doc, "bot");
    cJSON_AddItemToObject (fb->doc, "bot",
                           ddc_test_parse ("{\"prefix\": \"!\", \"token\": \"T1\"}"));
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);
    CHECK_STR (rec_last (&rec, "bot", NULL), "{\"prefix\":\"!\",\"token\":\"T1\"}");

    //  PUB carries the token redacted: the client fetches the section
    uint64_t r = fb_change (fb, "bot", "{\"prefix\": \"?\", \"token\": \"T2\"}", false);
    fb_publish (fb, fb->epoch, "bot", r, 1, "{\"prefix\": \"?\", \"token\": \"***\"}");
    CHECK (s_answer_snapshot (fb, cl, "bot", 1500));
    s_expect_applied (fb, cl, "bot", r);
    CHECK_EQ (rec.napply, 3);
    CHECK_STR (rec_last (&rec, "bot", NULL), "{\"prefix\":\"?\",\"token\":\"T2\"}");
    //  containers has no secret: applied from the UPDATE
    uint64_t r2 = fb_change (fb, "containers", "[]", true);
    s_expect_applied (fb, cl, "containers", r2);
    CHECK_EQ (fb_count (fb, DDC_SNAPSHOT), 0);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_disconnect_and_return)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);

    //  the broker goes silent: no HUGZ, no PONG
    fb->auto_pong = false;
    int64_t start = ddc_mono_ms ();
    while (rec_count (&rec, DDC_EV_DISCONNECTED) == 0 && ddc_mono_ms () - start < 6000)
        fb_pump (fb, cl, 20);
    int64_t took = ddc_mono_ms () - start;
    CHECK_EQ (rec_count (&rec, DDC_EV_DISCONNECTED), 1);
    CHECK (took >= 2900 && took < 4500);
    CHECK (!ddc_client_connected (cl));
    CHECK (ddc_client_section (cl, "containers", NULL) != NULL); //  still running
    fb_pump (fb, cl, 1000);
    CHECK_EQ (rec_count (&rec, DDC_EV_DISCONNECTED), 1); //  once

    //  traffic returns
    fb->auto_pong = true;
    ddc_msg_t *m;
    while ((m = zlist_pop (fb->queue)))
        ddc_msg_destroy (&m);
    m = fb_expect (fb, cl, DDC_HELLO, 9000);
    CHECK (m != NULL);
    if (m) {
        fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
        ddc_msg_destroy (&m);
    }
    fb_pump (fb, cl, 50);
    fb_hugz (fb);
    CHECK (s_answer_snapshot (fb, cl, "bot,containers", 1500));
    fb_pump (fb, cl, 100);
    CHECK_EQ (rec_count (&rec, DDC_EV_CONNECTED), 2);
    CHECK_EQ (rec_count (&rec, DDC_EV_SYNCED), 2);
    CHECK (ddc_client_connected (cl) && ddc_client_synced (cl));
    CHECK_EQ (rec.napply, 2);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

DDC_TEST (test_new_boot_reports_status)
{
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    CHECK_EQ (ddc_client_follow_status (cl, ""), 0);
    s_sync (fb, cl);

    cJSON *body = ddc_test_parse ("{\"containers\": 3}");
    CHECK_EQ (ddc_client_report (cl, "docker", body), 0);
    cJSON_Delete (body);
    ddc_msg_t *m = fb_expect (fb, cl, DDC_REPORT, 1000);
    CHECK (m != NULL);
    if (m)
        CHECK_STR (m->frame [DDC_REPORT_TOPIC], "docker");
    ddc_msg_destroy (&m);
    CHECK_EQ (ddc_client_report (cl, "bad/topic", body), -1);
    //  over DDC_REPORT_MAX: refused here rather than by the broker
    char *big = calloc (1, DDC_REPORT_MAX + 1);
    memset (big, 'x', DDC_REPORT_MAX);
    cJSON *large = cJSON_CreateString (big);
    CHECK_EQ (ddc_client_report (cl, "docker", large), -1);
    cJSON_Delete (large);
    free (big);

    //  status messages reach on_status
    zmsg_t *z = ddc_msg_buildv (DDC_STATUSPUB, "status/docker@nas/docker/", "{\"x\": 1}", NULL);
    zmsg_send (&z, fb->xpub);
    fb_pump (fb, cl, 200);
    CHECK_EQ (rec.nstatus, 1);
    CHECK_STR (rec.status_peer, "docker@nas");
    CHECK_STR (rec.status_topic, "docker");

    //  a new boot id: HELLO again, the report is sent again, full resync
    ddc_random_hex (fb->boot, 8);
    fb_hugz (fb);
    m = fb_expect (fb, cl, DDC_HELLO, 1000);
    CHECK (m != NULL);
    if (m) {
        fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
        ddc_msg_destroy (&m);
    }
    m = fb_expect (fb, cl, DDC_REPORT, 1000);
    CHECK (m != NULL);
    if (m) {
        CHECK_STR (m->frame [DDC_REPORT_TOPIC], "docker");
        CHECK (cJSON_GetNumberValue (cJSON_GetObjectItem (m->json [DDC_REPORT_BODY], "containers"))
               == 3);
    }
    ddc_msg_destroy (&m);
    fb_pump (fb, cl, 50);
    fb_hugz (fb);
    CHECK (s_answer_snapshot (fb, cl, "bot,containers", 1500));
    s_expect_applied (fb, cl, "bot", 1);
    CHECK (strstr (rec_detail (&rec, DDC_EV_RESYNC) ? rec_detail (&rec, DDC_EV_RESYNC) : "",
                   "new boot")
           != NULL);

    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
}

//  A broker in its own thread that answers by itself, for ddc_client_call.
static void
s_auto_broker (zsock_t *pipe, void *args)
{
    fb_t *fb = fb_new ((const char *) args);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, fb->router, NULL);
    while (true) {
        void *which = zpoller_wait (poller, 50);
        if (which == pipe)
            break;
        fb_service (fb);
        ddc_msg_t *m;
        while ((m = zlist_pop (fb->queue))) {
            if (m->type == DDC_HELLO)
                fb_welcome (fb, m->frame [DDC_REQ], "docker@nas");
            else if (m->type == DDC_STATUS)
                fb_send (fb,
                         ddc_msg_buildv (DDC_PEERS, m->frame [DDC_REQ], "{\"peers\": []}", NULL));
            ddc_msg_destroy (&m);
        }
    }
    zpoller_destroy (&poller);
    fb_destroy (&fb);
}

DDC_TEST (test_call_sync)
{
    s_setup ();
    zactor_t *broker = zactor_new (s_auto_broker, s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, NULL, NULL);
    char req [40];
    ddc_req_id (req);
    zmsg_t *z = ddc_msg_buildv (DDC_STATUS, req, "0", "-", NULL);
    ddc_msg_t *reply = ddc_client_call (cl, &z, 3000);
    CHECK (z == NULL);
    CHECK (reply != NULL && reply->type == DDC_PEERS);
    if (reply)
        CHECK_STR (reply->frame [DDC_REQ], req);
    ddc_msg_destroy (&reply);
    //  unanswered: NULL after the timeout
    ddc_req_id (req);
    z = ddc_msg_buildv (DDC_HISTORY, req, "*", "0", NULL);
    int64_t start = ddc_mono_ms ();
    reply = ddc_client_call (cl, &z, 400);
    CHECK (reply == NULL);
    CHECK (ddc_mono_ms () - start >= 350);
    ddc_client_destroy (&cl);
    zactor_destroy (&broker);
    rec_free (&rec);
    s_teardown ();
}

//  A CURVE ROUTER on tcp:// whose zauth knows the certificates in dir.
typedef struct {
    zactor_t *auth;
    zsock_t *router;
    zcert_t *cert;
    char endpoint [64];
} curve_broker_t;

static void
curve_broker_new (curve_broker_t *cb, const char *clients, bool curve)
{
    memset (cb, 0, sizeof (*cb));
    cb->router = zsock_new (ZMQ_ROUTER);
    zsock_set_linger (cb->router, 0);
    if (curve) {
        cb->auth = zactor_new (zauth, NULL);
        zstr_sendx (cb->auth, "CURVE", clients, NULL);
        zsock_wait (cb->auth);
        cb->cert = zcert_new ();
        zcert_apply (cb->cert, cb->router);
        zsock_set_curve_server (cb->router, 1);
        zsock_set_zap_domain (cb->router, "test");
    }
    int port = zsock_bind (cb->router, "tcp://127.0.0.1:*");
    CHECK (port > 0);
    snprintf (cb->endpoint, sizeof (cb->endpoint), "tcp://127.0.0.1:%d", port);
}

static void
curve_broker_destroy (curve_broker_t *cb)
{
    zsock_destroy (&cb->router);
    zactor_destroy (&cb->auth);
    zcert_destroy (&cb->cert);
}

//  Pump the client until cond or timeout_ms.
#define PUMP_UNTIL(cl, cond, timeout_ms)              \
    do {                                              \
        int64_t end_ = ddc_mono_ms () + (timeout_ms); \
        while (!(cond) && ddc_mono_ms () < end_)      \
            ddc_client_run ((cl), 10);                \
    } while (0)

static ddc_client_t *
s_curve_client (rec_t *rec, const char *endpoint, const char *cert, const char *server)
{
    ddc_client_opts_t opts = {
        .broker = endpoint,
        .role = "docker",
        .instance = "nas",
        .sections = s_follow,
        .cert_path = cert,
        .broker_cert_path = server,
        .on_apply = rec_apply,
        .on_event = rec_event,
        .arg = rec,
    };
    ddc_client_t *cl = ddc_client_new (&opts);
    CHECK (cl != NULL);
    return cl;
}

//  A client of endpoint with cert and server is refused, once, and says
//  why (want is part of the reason).
static void
s_expect_refused (const char *endpoint, const char *cert, const char *server, const char *want)
{
    rec_t rec = { 0 };
    ddc_client_t *cl = s_curve_client (&rec, endpoint, cert, server);
    PUMP_UNTIL (cl, ddc_client_refused (cl) != NULL, 3000);
    const char *why = ddc_client_refused (cl);
    CHECK (why && strstr (why, "the broker refused ") == why && strstr (why, want));
    if (!why || !strstr (why, want))
        fprintf (stderr, "refusal '%s' does not say '%s'\n", why ? why : "(none)", want);
    CHECK_EQ (rec_count (&rec, DDC_EV_REFUSED), 1);
    ddc_client_destroy (&cl);
    rec_free (&rec);
}

DDC_TEST (test_refused_certificate)
{
    s_setup ();
    char *clients = ddc_asprintf ("%s/clients", s_dir);
    CHECK_EQ (mkdir (clients, 0700), 0);
    curve_broker_t cb;
    curve_broker_new (&cb, clients, true);
    char *server = ddc_asprintf ("%s/broker.cert", s_dir);
    CHECK_EQ (zcert_save_public (cb.cert, server), 0);
    zcert_t *mine = zcert_new ();
    char *cert = ddc_asprintf ("%s/nas.cert", s_dir);
    CHECK_EQ (zcert_save (mine, cert), 0);

    //  an unknown key: the broker's authentication refuses it
    rec_t rec = { 0 };
    ddc_client_t *cl = s_curve_client (&rec, cb.endpoint, cert, server);
    PUMP_UNTIL (cl, rec_count (&rec, DDC_EV_REFUSED) > 0, 3000);
    CHECK_EQ (rec_count (&rec, DDC_EV_REFUSED), 1);
    const char *why = ddc_client_refused (cl);
    CHECK (why && strstr (why, "the broker refused this certificate (") == why);
    CHECK (why && strstr (why, cert) && strstr (why, cb.endpoint));
    CHECK (ddc_client_refused_final (cl));
    //  said once, not on every try
    ddc_client_run (cl, 1500);
    CHECK_EQ (rec_count (&rec, DDC_EV_REFUSED), 1);
    //  unreachable after 3 s: the refusal is the reason
    PUMP_UNTIL (cl, rec_count (&rec, DDC_EV_DISCONNECTED) > 0, 3000);
    CHECK_EQ (rec_count (&rec, DDC_EV_DISCONNECTED), 1);
    CHECK (strstr (rec_detail (&rec, DDC_EV_DISCONNECTED) ? rec_detail (&rec, DDC_EV_DISCONNECTED)
                                                          : "",
                   "refused this certificate"));

    //  the key is added: libzmq gave the connection up, the client dials
    //  again by itself and the handshake goes through
    char *added = ddc_asprintf ("%s/nas.cert", clients);
    CHECK_EQ (zcert_save_public (mine, added), 0);
    PUMP_UNTIL (cl, ddc_client_refused (cl) == NULL, 5000);
    CHECK (ddc_client_refused (cl) == NULL);
    CHECK (!ddc_client_refused_final (cl));
    CHECK (ddc_client_link_up (cl));
    //  the HELLO now reaches the broker
    zpoller_t *poller = zpoller_new (cb.router, NULL);
    zmsg_t *hello = NULL;
    int64_t end = ddc_mono_ms () + 3000;
    while (!hello && ddc_mono_ms () < end) {
        ddc_client_run (cl, 10);
        if (zpoller_wait (poller, 10))
            hello = zmsg_recv (cb.router);
    }
    CHECK (hello != NULL && zmsg_size (hello) == 6); //  routing id + HELLO
    zmsg_destroy (&hello);
    zpoller_destroy (&poller);
    ddc_client_destroy (&cl);
    rec_free (&rec);

    //  the wrong broker certificate: the broker closes every handshake
    zcert_t *other = zcert_new ();
    char *wrong = ddc_asprintf ("%s/other.cert", s_dir);
    CHECK_EQ (zcert_save_public (other, wrong), 0);
    s_expect_refused (cb.endpoint, cert, wrong, wrong);
    //  no certificate at a CURVE endpoint
    s_expect_refused (cb.endpoint, NULL, NULL, "requires CURVE");
    curve_broker_destroy (&cb);
    //  a certificate at an endpoint without CURVE
    curve_broker_new (&cb, clients, false);
    s_expect_refused (cb.endpoint, cert, server, "does not use CURVE");
    curve_broker_destroy (&cb);

    zcert_destroy (&mine);
    zcert_destroy (&other);
    free (clients);
    free (server);
    free (cert);
    free (added);
    free (wrong);
    s_teardown ();
}

//  The same flows with the values kept as text (ddc_client_opts_t
//  compact): the same applies and acknowledgements, a value unchanged in
//  a snapshot or over the cache not applied again, a refused value
//  leaving the last one current, the cache file holding the values.
DDC_TEST (test_compact_values)
{
    s_compact = true;
    test_sync_flow ();
    test_update_in_order ();
    test_epoch_change_full_resync ();
    test_reject_keeps_old_value ();
    test_cache_written_and_loaded ();

    //  ddc_client_section: a tree parsed from the text, the same until
    //  the next handle or tick, then parsed again from the value current
    s_setup ();
    fb_t *fb = fb_new (s_dir);
    rec_t rec = { 0 };
    ddc_client_t *cl = s_client (&rec, s_follow, NULL);
    s_sync (fb, cl);
    uint64_t rev = 0;
    const cJSON *v = ddc_client_section (cl, "containers", &rev);
    CHECK (v != NULL && rev == 2);
    CHECK (ddc_client_section (cl, "containers", NULL) == v);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (v, 0), "name")),
               "plex");
    uint64_t r = fb_change (fb, "containers", "[{\"name\": \"next\"}]", true);
    s_expect_applied (fb, cl, "containers", r);
    v = ddc_client_section (cl, "containers", &rev);
    CHECK (rev == r);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (v, 0), "name")),
               "next");
    //  An UPDATE keeps its value frame as the text: the same frame again
    //  (a new revision, the same content) is acknowledged, not applied.
    int applied = rec.napply;
    r = fb_change (fb, "containers", "[{\"name\": \"next\"}]", true);
    s_expect_applied (fb, cl, "containers", r);
    CHECK (rec.napply == applied);
    v = ddc_client_section (cl, "containers", &rev);
    CHECK (rev == r && cJSON_GetArraySize (v) == 1);
    ddc_client_destroy (&cl);
    fb_destroy (&fb);
    rec_free (&rec);
    s_teardown ();
    s_compact = false;
}

DDC_TEST (test_bad_options)
{
    s_setup ();
    rec_t rec = { 0 };
    ddc_client_opts_t opts = { .broker = "ipc:///nonexistent/x",
                               .role = "docker",
                               .instance = "nas" };
    const char *const bad [] = { "bot,containers", NULL };
    opts.sections = bad;
    CHECK (ddc_client_new (&opts) == NULL);
    opts.sections = NULL;
    opts.role = "bad role";
    CHECK (ddc_client_new (&opts) == NULL);
    opts.role = "docker";
    opts.cert_path = "/nonexistent/cert";
    CHECK (ddc_client_new (&opts) == NULL);
    opts.broker_cert_path = "/nonexistent/broker";
    CHECK (ddc_client_new (&opts) == NULL);
    opts.cert_path = opts.broker_cert_path = NULL;
    opts.broker = "nonsense";
    CHECK (ddc_client_new (&opts) == NULL);
    rec_free (&rec);
    s_teardown ();
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_sync_flow);
    DDC_RUN (test_update_in_order);
    DDC_RUN (test_gap_snapshots_section);
    DDC_RUN (test_epoch_change_full_resync);
    DDC_RUN (test_duplicate_dropped);
    DDC_RUN (test_reject_keeps_old_value);
    DDC_RUN (test_hugz_ahead_snapshots);
    DDC_RUN (test_error_401_hello_again);
    DDC_RUN (test_request_retry_and_timeout);
    DDC_RUN (test_action_result);
    DDC_RUN (test_cache_written_and_loaded);
    DDC_RUN (test_secret_section_refetched);
    DDC_RUN (test_disconnect_and_return);
    DDC_RUN (test_new_boot_reports_status);
    DDC_RUN (test_call_sync);
    DDC_RUN (test_refused_certificate);
    DDC_RUN (test_bad_options);
    DDC_RUN (test_compact_values);
    DDC_DONE ();
}
