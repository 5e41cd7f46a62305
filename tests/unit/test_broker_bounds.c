/*  test_broker_bounds: the broker's bounds as logic (proto/ddcp.md section
    10), from peers.c, subs.c, zap.c and refused.c: which subscription topics are
    kept, who may take a name and when it is free, reports kept as text
    within their byte bounds and dropped at BYE, remembered answers within
    their bytes, a peer's room grown with what it keeps, rejections cut to size, the STATUS table in pages within a
    budget, the refusals list with its rate-limited log, and a refused
    subscriber's refusal window that doubles while it comes back. */
#include "../../services/broker/endpoints.c"
#include "../../services/broker/peers.c"
#include "../../services/broker/refused.c"
#include "../../services/broker/roles.c"
#include "../../services/broker/subs.c"
#include "../../services/broker/zap.c"

#include "ddc_test.h"
#include "ddc_test_json.h"

static bool
s_topic (const char *t)
{
    return subs_topic_ok (t, strlen (t));
}

DDC_TEST (test_subscription_topics)
{
    CHECK (s_topic (""));
    CHECK (s_topic ("hugz/"));
    CHECK (s_topic ("cfg/"));
    CHECK (s_topic ("cfg/bot/"));
    CHECK (s_topic ("cfg/containers/"));
    CHECK (s_topic ("status/"));
    CHECK (s_topic ("status/docker@nas/"));
    CHECK (s_topic ("status/docker@nas/status/"));
    CHECK (!s_topic ("cfg/nosuch/"));
    CHECK (!s_topic ("cfg/bot"));
    CHECK (!s_topic ("hugz"));
    CHECK (!s_topic ("status/nas/"));      //  no role@
    CHECK (!s_topic ("status/evil@nas/")); //  unknown role
    CHECK (!s_topic ("status/docker@/"));
    CHECK (!s_topic ("status/docker@nas/a/b/"));
    CHECK (!s_topic ("status/docker@nas/sta tus/"));
    CHECK (!s_topic ("random-topic"));
    CHECK (s_topic ("mon/"));
    CHECK (s_topic ("mon/peer/"));
    CHECK (s_topic ("mon/peer/docker@nas/"));
    CHECK (!s_topic ("mon/peer/docker@nas/x/"));
    CHECK (!s_topic ("mon/peer/evil@nas/"));
    CHECK (!s_topic ("mon/peer/docker@/"));
    CHECK (!s_topic ("mon/peer"));
    CHECK (!s_topic ("mon/other/"));
    CHECK (!s_topic ("mon"));
    char longer [SUBS_TOPIC_MAX + 8];
    memset (longer, 'a', sizeof (longer));
    memcpy (longer, "status/docker@", 14);
    longer [SUBS_TOPIC_MAX] = '/';
    longer [SUBS_TOPIC_MAX + 1] = '\0';
    CHECK (!s_topic (longer));
    CHECK (!subs_topic_ok ("hugz/\0x", 7)); //  a NUL inside
}

DDC_TEST (test_names_are_held_until_quiet)
{
    peers_t *peers = peers_new ();
    zframe_t *a = zframe_new ("a", 1), *b = zframe_new ("b", 1);
    const role_t *docker = role_find ("docker");
    peer_t *first = peers_hello (peers, a, docker, "nas", 1000);
    CHECK (peers_holder (peers, a, "docker@nas", 1000) == NULL); //  its own
    CHECK_EQ (peers_holder (peers, b, "docker@nas", 1000 + PEER_IDLE_MS), first);
    CHECK (peers_holder (peers, b, "docker@nas", 1001 + PEER_IDLE_MS) == NULL);
    peer_touch (first, 9000);
    CHECK_EQ (peers_holder (peers, b, "docker@nas", 9000), first);
    peers_bye (peers, first); //  a BYE frees it at once
    CHECK (peers_holder (peers, b, "docker@nas", 9000) == NULL);
    peer_t *second = peers_hello (peers, b, docker, "nas", 9000);
    CHECK_EQ (peers_by_name (peers, "docker@nas"), second);
    CHECK_EQ (peers_count (peers), 1); //  the old entry went
    zframe_destroy (&a);
    zframe_destroy (&b);
    peers_destroy (&peers);
}

DDC_TEST (test_reports_within_bytes_and_gone_at_bye)
{
    peers_t *peers = peers_new ();
    zframe_t *a = zframe_new ("a", 1);
    peer_t *p = peers_hello (peers, a, role_find ("docker"), "nas", 0);
    size_t n = 200 * 1024;
    char *body = malloc (n + 1);
    memset (body, '1', n);
    body [n] = '\0';
    CHECK_EQ (peer_status (p, "one", body, n), 0);
    CHECK_EQ (peer_status (p, "two", body, n), 0);
    CHECK (peer_status (p, "three", body, n) < 0); //  600 KB > 512 KiB
    CHECK_EQ (peer_status (p, "one", body, n), 0); //  replacing is fine
    CHECK_EQ (peer_status (p, "three", "{}", 2), 0);
    CHECK_EQ (peers_bytes (peers), 2 * n + 2);
    CHECK (p->table->report_bytes == 2 * n + 2);
    char topic [65];
    memset (topic, 't', 64);
    topic [64] = '\0';
    CHECK (peer_status (p, topic, "1", 1) < 0); //  64 characters: one too many
    topic [63] = '\0';
    CHECK_EQ (peer_status (p, topic, "1", 1), 0);
    peers_bye (peers, p); //  a service: kept, without reports
    CHECK (peers_count (peers) == 1 && peers_bytes (peers) == 0);
    free (body);
    zframe_destroy (&a);
    peers_destroy (&peers);
}

DDC_TEST (test_answers_within_bytes)
{
    peers_t *peers = peers_new ();
    zframe_t *a = zframe_new ("a", 1);
    peer_t *p = peers_hello (peers, a, role_find ("ctl"), "op", 0);
    char big [20 * 1024];
    memset (big, 'x', sizeof (big) - 1);
    big [sizeof (big) - 1] = '\0';
    zmsg_t *large = zmsg_new ();
    zmsg_addstr (large, big);
    peer_remember (p, "r-large", large);
    CHECK (peer_recall (p, "r-large") == NULL); //  over 16 KiB: not kept
    zmsg_t *mid = zmsg_new ();
    zmsg_addstr (mid, big + 10 * 1024); //  about 10 KiB
    char req [32];
    for (int i = 0; i < 20; i++) {
        snprintf (req, sizeof (req), "r%d", i);
        peer_remember (p, req, mid);
    }
    CHECK (peers_bytes (peers) <= PEER_ANSWERS_MAX_BYTES);
    zmsg_t *again = peer_recall (p, "r19");
    CHECK (again != NULL);
    zmsg_destroy (&again);
    CHECK (peer_recall (p, "r0") == NULL); //  the oldest went
    zmsg_destroy (&large);
    zmsg_destroy (&mid);
    zframe_destroy (&a);
    peers_destroy (&peers);
}

//  A peer's room grows with what it keeps: a peer that only said HELLO
//  holds its names; its answers and reports grow to their counts and no
//  further.
DDC_TEST (test_peer_room_grows_with_use)
{
    peers_t *peers = peers_new ();
    zframe_t *a = zframe_new ("a", 1);
    peer_t *p = peers_hello (peers, a, role_find ("docker"), "nas", 0);
    CHECK (sizeof (*p) < 512);
    CHECK (p->answer_cap == 0 && p->report_slots == 0);
    CHECK_STR (peer_name (p), "docker@nas");
    zmsg_t *small = zmsg_new ();
    zmsg_addstr (small, "OK");
    char req [32];
    for (int i = 0; i < PEER_REPLIES_MAX + 44; i++) {
        snprintf (req, sizeof (req), "r%d", i);
        peer_remember (p, req, small);
        if (i == 2)
            CHECK_EQ (p->answer_cap, 4);
    }
    CHECK_EQ (p->answer_n, PEER_REPLIES_MAX);
    CHECK_EQ (p->answer_cap, PEER_REPLIES_MAX);
    CHECK (peer_recall (p, "r43") == NULL); //  the oldest went
    zmsg_t *again = peer_recall (p, "r44");
    CHECK (again != NULL);
    zmsg_destroy (&again);
    snprintf (req, sizeof (req), "r%d", PEER_REPLIES_MAX + 43);
    again = peer_recall (p, req);
    CHECK (again != NULL);
    zmsg_destroy (&again);
    char topic [16];
    for (int i = 0; i < PEER_TOPICS_MAX; i++) {
        snprintf (topic, sizeof (topic), "t%d", i);
        CHECK_EQ (peer_status (p, topic, "{}", 2), 0);
        CHECK (p->report_slots >= i + 1 && p->report_slots <= 2 * (i + 1));
    }
    CHECK (peer_status (p, "one-more", "{}", 2) < 0);
    CHECK_EQ (peer_status (p, "t3", "[1]", 3), 0); //  replacing is fine
    CHECK_EQ (p->report_slots, PEER_TOPICS_MAX);
    size_t len = 0;
    CHECK (peer_report (p, "t3", &len) && len == 3);
    peers_bye (peers, p);
    CHECK (p->report_slots == 0 && peer_report (p, "t3", &len) == NULL);
    zmsg_destroy (&small);
    zframe_destroy (&a);
    peers_destroy (&peers);
}

DDC_TEST (test_rejection_cut_and_table_paged)
{
    peers_t *peers = peers_new ();
    zframe_t *routing [40];
    char text [64];
    for (int i = 0; i < 40; i++) {
        snprintf (text, sizeof (text), "r%02d", i);
        routing [i] = zframe_new (text, strlen (text));
        snprintf (text, sizeof (text), "m%02d", i);
        peer_t *p = peers_hello (peers, routing [i], role_find ("monitor"), text, 0);
        cJSON *errors = cJSON_CreateArray ();
        for (int k = 0; k < 100; k++)
            cJSON_AddItemToArray (errors,
                                  ddc_test_json ("{\"field\":\"tasks\",\"reason\":\"invalid\","
                                                 "\"message\":\"a long enough reason\"}"));
        peer_rejected (p, DDC_SEC_TASKS, 3, 2, &errors);
        CHECK (errors == NULL);
        ddc_buf_t *row = ddc_buf_new (DDC_BUF_UNBOUNDED);
        s_row (row, p, 0, false);
        CHECK (ddc_buf_len (row) < PEER_REJECTED_MAX_BYTES + 1024);
        CHECK (strstr (ddc_buf_text (row), "\"errors_omitted\":") != NULL);
        ddc_buf_destroy (&row);
    }
    //  Pages of at most ~16 KB: every row once, in name order.
    size_t offset = 0, total = 0, next = 0, rows = 0;
    int pages = 0;
    char last [64] = "";
    do {
        ddc_buf_t *buf = ddc_buf_new (DDC_BUF_UNBOUNDED);
        peers_table (peers, buf, 0, offset, NULL, 16 * 1024, &total, &next);
        char *page = ddc_buf_release (&buf, NULL);
        cJSON *arr = ddc_test_json (page);
        CHECK (strlen (page) <= 16 * 1024);
        const cJSON *row;
        cJSON_ArrayForEach (row, arr) {
            const char *name =
                cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (row, "name"));
            CHECK (strcmp (last, name) < 0);
            ddc_strlcpy (last, name, sizeof (last));
            rows++;
        }
        cJSON_Delete (arr);
        free (page);
        offset = next;
        pages++;
    } while (next < total && pages < 100);
    CHECK (rows == 40 && total == 40 && pages > 1);
    for (int i = 0; i < 40; i++)
        zframe_destroy (&routing [i]);
    peers_destroy (&peers);
}

DDC_TEST (test_roles_write)
{
    const role_t *discord = role_find ("discord"), *docker = role_find ("docker");
    const role_t *ctl = role_find ("ctl");
    CHECK (role_writes (discord, DDC_SEC_ADMINS) && role_writes (discord, DDC_SEC_TASKS)
           && role_writes (discord, DDC_SEC_CONTAINERS));
    CHECK (!role_writes (discord, DDC_SEC_BOT) && !role_writes (discord, DDC_SEC_CHANNELS)
           && !role_writes (discord, DDC_SEC_WEB) && !role_writes (discord, DDC_SEC_SPAM));
    CHECK (!role_writes (docker, DDC_SEC_TASKS) && role_writes (ctl, DDC_SEC_BOT));
    //  discord changes only the containers' info
    cJSON *cur = ddc_test_json ("[{'host':'nas','name':'plex','allowed_actions':['start'],"
                                "'info':{'enabled':false,'text':''}},{'host':'nas','name':'db'}]");
    cJSON *info = ddc_test_json ("[{'host':'nas','name':'plex','allowed_actions':['start'],"
                                 "'info':{'enabled':true,'text':'Hi\\nthere'}},"
                                 "{'host':'nas','name':'db','info':{'enabled':true,'text':'x'}}]");
    cJSON *more = ddc_test_json ("[{'host':'nas','name':'plex','allowed_actions':['start','stop'],"
                                 "'info':{'enabled':false,'text':''}},{'host':'nas','name':'db'}]");
    cJSON *fewer = ddc_test_json ("[{'host':'nas','name':'plex','allowed_actions':['start'],"
                                  "'info':{'enabled':false,'text':''}}]");
    char why [160] = "";
    CHECK (role_may_change (discord, DDC_SEC_CONTAINERS, cur, info, why, sizeof (why)));
    CHECK (!role_may_change (discord, DDC_SEC_CONTAINERS, cur, more, why, sizeof (why)));
    CHECK_STR (why, "the discord role may change only the containers' info");
    CHECK (!role_may_change (discord, DDC_SEC_CONTAINERS, cur, fewer, why, sizeof (why)));
    CHECK (!role_may_change (discord, DDC_SEC_CONTAINERS, cur, NULL, why, sizeof (why)));
    CHECK (role_may_change (ctl, DDC_SEC_CONTAINERS, cur, more, why, sizeof (why)));
    CHECK (role_may_change (discord, DDC_SEC_TASKS, cur, more, why, sizeof (why)));
    cJSON_Delete (cur);
    cJSON_Delete (info);
    cJSON_Delete (more);
    cJSON_Delete (fewer);
}

DDC_TEST (test_refusals_listed_and_logged_once)
{
    refused_t *r = refused_new ();
    for (int i = 0; i < 5; i++)
        refused_add (r, "192.0.2.7", "other", "HELLO as docker@nas refused");
    refused_add (r, "192.0.2.9", NULL, "handshake refused");
    cJSON *list = refused_json (r);
    CHECK_EQ (cJSON_GetArraySize (list), 2);
    const cJSON *newest = cJSON_GetArrayItem (list, 0), *older = cJSON_GetArrayItem (list, 1);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (newest, "address")),
               "192.0.2.9");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (newest, "certificate")), "");
    CHECK_EQ (cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (older, "count")), 5);
    cJSON_Delete (list);
    CHECK (r->window_lines == 2 && r->unlogged == 4); //  one line per source and reason
    for (int i = 0; i < 100; i++) {
        char addr [32];
        snprintf (addr, sizeof (addr), "198.51.100.%d", i);
        refused_add (r, addr, NULL, "handshake refused");
    }
    CHECK (r->window_lines == REFUSED_LOG_BURST);
    list = refused_json (r);
    CHECK_EQ (cJSON_GetArraySize (list), REFUSED_KEEP);
    cJSON_Delete (list);
    refused_destroy (&r);
}

DDC_TEST (test_refusal_window_doubles)
{
    refused_t *r = refused_new ();
    char err [128];
    zap_t *zap = zap_new (r, err, sizeof (err));
    CHECK (zap);
    CHECK (!zap_refusing (zap, "", "localhost:0:0:42"));
    CHECK_EQ (zap_refuse (zap, "", "localhost:0:0:42"), ZAP_REFUSE_MS);
    CHECK (zap_refusing (zap, "", "localhost:0:0:42"));
    CHECK (!zap_refusing (zap, "KEY", "localhost:0:0:42")); //  another certificate
    CHECK (!zap_refusing (zap, "", "localhost:0:0:43"));    //  another process
    //  refused again (its window is on, or just over): twice as long, up
    //  to the longest
    CHECK_EQ (zap_refuse (zap, "", "localhost:0:0:42"), 2 * ZAP_REFUSE_MS);
    int64_t window = 0;
    for (int i = 0; i < 20; i++)
        window = zap_refuse (zap, "", "localhost:0:0:42");
    CHECK_EQ (window, ZAP_REFUSE_MAX_MS);
    zap_destroy (&zap);
    refused_destroy (&r);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_init ("test_broker_bounds");
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_subscription_topics);
    DDC_RUN (test_names_are_held_until_quiet);
    DDC_RUN (test_reports_within_bytes_and_gone_at_bye);
    DDC_RUN (test_answers_within_bytes);
    DDC_RUN (test_peer_room_grows_with_use);
    DDC_RUN (test_rejection_cut_and_table_paged);
    DDC_RUN (test_roles_write);
    DDC_RUN (test_refusals_listed_and_logged_once);
    DDC_RUN (test_refusal_window_doubles);
    DDC_DONE ();
}
