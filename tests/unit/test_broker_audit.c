/*  test_broker_audit: the broker's audit log (services/broker/audit.c):
    the records it builds (who from the connection, what the peer says it
    acts for kept as its claim, results, an agent's reported task runs)
    and the pages it reads back (newest first, filters, cursors across the
    rotated file, since, long lines, bounds). */
#include "../../services/broker/audit.c"

#include "ddc_test.h"

#include <dirent.h>
#include <sys/stat.h>

static char s_dir [64];

static void
s_mkdir (void)
{
    snprintf (s_dir, sizeof (s_dir), "/tmp/test-audit-XXXXXX");
    CHECK (mkdtemp (s_dir) != NULL);
}

static void
s_rmdir (void)
{
    DIR *d = opendir (s_dir);
    struct dirent *e;
    while (d && (e = readdir (d)))
        if (e->d_name [0] != '.') {
            char *path = ddc_asprintf ("%s/%s", s_dir, e->d_name);
            unlink (path);
            free (path);
        }
    if (d)
        closedir (d);
    rmdir (s_dir);
}

static cJSON *
s_parse (const char *text)
{
    char why [80];
    return ddc_json_parse (text, strlen (text), 4 * 1024 * 1024, why, sizeof (why));
}

//  audit_action_result with a result given as JSON text.
static void
s_result (cJSON *entry, const char *text, int64_t ms)
{
    cJSON *result = s_parse (text);
    audit_action_result (entry, result, ms);
    cJSON_Delete (result);
}

DDC_TEST (test_action_entry_takes_the_peer_from_the_connection)
{
    cJSON *body = s_parse ("{\"action\":\"restart\",\"container\":\"plex\",\"by\":\"ctl@admin\","
                           "\"peer\":\"ctl@admin\",\"role\":\"ctl\","
                           "\"for\":{\"user\":\"alice\\u0007x\",\"user_id\":\"123\","
                           "\"peer\":\"ctl@admin\",\"address\":7,\"channel_id\":\"55\"}}");
    cJSON *e = audit_action_begin ("discord@bot", "discord", "docker@nas", body, 0);
    CHECK_STR (s_str (e, "kind"), "action");
    CHECK_STR (s_str (e, "time"), "1970-01-01T00:00:00Z");
    CHECK_STR (s_str (e, "peer"), "discord@bot");
    CHECK_STR (s_str (e, "role"), "discord");
    CHECK_STR (s_str (e, "target"), "docker@nas");
    CHECK_STR (s_str (e, "host"), "nas");
    CHECK_STR (s_str (e, "action"), "restart");
    CHECK_STR (s_str (e, "container"), "plex");
    const cJSON *claimed = cJSON_GetObjectItemCaseSensitive (e, "for");
    CHECK_STR (s_str (claimed, "user"), "alice x"); //  a control character: a space
    CHECK_STR (s_str (claimed, "user_id"), "123");
    CHECK_STR (s_str (claimed, "channel_id"), "55");
    CHECK (!cJSON_GetObjectItemCaseSensitive (claimed, "peer"));    //  not a known field
    CHECK (!cJSON_GetObjectItemCaseSensitive (claimed, "address")); //  not a string
    CHECK_EQ (cJSON_GetArraySize (claimed), 3);
    s_result (e, "{\"ok\":true,\"state\":\"running\"}", 1266);
    CHECK_STR (s_str (e, "result"), "ok");
    CHECK_STR (s_str (e, "state"), "running");
    CHECK (!cJSON_GetObjectItemCaseSensitive (e, "error"));
    CHECK_EQ (cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (e, "duration_ms")), 1266);
    cJSON_Delete (e);
    cJSON_Delete (body);
}

DDC_TEST (test_action_entry_cuts_what_it_keeps)
{
    char user [600], container [300];
    memset (user, 'u', sizeof (user) - 1);
    user [sizeof (user) - 1] = '\0';
    memset (container, 'c', sizeof (container) - 1);
    container [sizeof (container) - 1] = '\0';
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddNumberToObject (body, "action", 5); //  not a string
    cJSON_AddStringToObject (body, "container", container);
    cJSON_AddStringToObject (cJSON_AddObjectToObject (body, "for"), "user", user);
    cJSON *e = audit_action_begin ("ctl@op", "ctl", "web@box", body, 0);
    CHECK_STR (s_str (e, "action"), "?");
    CHECK_EQ (strlen (s_str (e, "container")), S_CONTAINER_MAX);
    CHECK_EQ (strlen (s_str (cJSON_GetObjectItemCaseSensitive (e, "for"), "user")), 128);
    CHECK_STR (s_str (e, "host"), "box");
    char message [2000];
    memset (message, 'm', sizeof (message) - 1);
    message [sizeof (message) - 1] = '\0';
    cJSON *result = cJSON_CreateObject ();
    cJSON_AddFalseToObject (result, "ok");
    cJSON_AddStringToObject (result, "error", "refused");
    cJSON_AddStringToObject (result, "message", message);
    audit_action_result (e, result, 3);
    CHECK_STR (s_str (e, "result"), "error");
    CHECK_STR (s_str (e, "error"), "refused");
    CHECK_EQ (strlen (s_str (e, "message")), AUDIT_TEXT_MAX);
    cJSON_Delete (result);
    cJSON_Delete (e);
    cJSON_Delete (body);
}

DDC_TEST (test_action_results)
{
    cJSON *body = s_parse ("{\"action\":\"stop\",\"container\":\"db\"}");
    cJSON *e = audit_action_begin ("web@box", "web", "docker@nas", body, 0);
    CHECK (!cJSON_GetObjectItemCaseSensitive (e, "for")); //  none claimed
    s_result (e, "{\"ok\":false,\"error\":\"timeout\",\"message\":\"Docker did not answer\"}",
              40000);
    CHECK_STR (s_str (e, "result"), "timeout");
    CHECK_STR (s_str (e, "message"), "Docker did not answer");
    cJSON_Delete (e);
    e = audit_action_begin ("web@box", "web", "docker@nas", body, 0);
    s_result (e, "{\"ok\":false}", 1);
    CHECK_STR (s_str (e, "result"), "error");
    CHECK_STR (s_str (e, "error"), "failed");
    cJSON_Delete (e);
    e = audit_action_begin ("web@box", "web", "docker@nas", body, 0);
    audit_action_failed (e, "timeout", "timeout", "docker@nas did not answer in time", 60000);
    CHECK_STR (s_str (e, "result"), "timeout");
    CHECK_STR (s_str (e, "error"), "timeout");
    cJSON_Delete (e);
    cJSON_Delete (body);
}

//  Only the later reads of a followed log go unrecorded: no other action,
//  whatever its body says.
DDC_TEST (test_follow_reads)
{
    static const struct {
        const char *body;
        bool follow;
    } cases [] = {
        { "{\"action\":\"logs\",\"container\":\"db\",\"follow\":true}", true },
        { "{\"action\":\"logs\",\"container\":\"db\"}", false },
        { "{\"action\":\"logs\",\"follow\":false}", false },
        { "{\"action\":\"logs\",\"follow\":1}", false },
        { "{\"action\":\"logs\",\"follow\":\"true\"}", false },
        { "{\"action\":\"restart\",\"container\":\"db\",\"follow\":true}", false },
        { "{\"action\":\"stop\",\"follow\":true}", false },
        { "{\"follow\":true}", false },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        cJSON *body = s_parse (cases [i].body);
        CHECK_EQ (audit_action_follow (body), cases [i].follow);
        cJSON_Delete (body);
    }
    CHECK (!audit_action_follow (NULL));
}

DDC_TEST (test_reported_task_runs)
{
    char err [200];
    int64_t now = 1800000000000;
    cJSON *body = s_parse ("{\"action\":\"restart\",\"container\":\"plex\",\"task\":\"t1\","
                           "\"time\":\"2027-01-15T07:59:00Z\",\"ok\":true,\"state\":\"running\","
                           "\"duration_ms\":1200,\"unreported\":3}");
    cJSON *e = audit_reported_entry ("docker@nas", "docker", "nas", body, now, err, sizeof (err));
    CHECK (e != NULL);
    CHECK_STR (s_str (e, "peer"), "docker@nas");
    CHECK_STR (s_str (e, "host"), "nas");
    CHECK_STR (s_str (e, "time"), "2027-01-15T07:59:00Z");
    CHECK_STR (s_str (cJSON_GetObjectItemCaseSensitive (e, "for"), "task"), "t1");
    CHECK_STR (s_str (e, "result"), "ok");
    CHECK (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (e, "reported")));
    CHECK_EQ (cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (e, "unreported")), 3);
    cJSON_Delete (e);
    cJSON_Delete (body);
    //  a time in the future is the broker's now
    body = s_parse ("{\"action\":\"stop\",\"container\":\"db\",\"task\":\"t2\",\"ok\":false,"
                    "\"error\":\"refused\",\"time\":\"2099-01-01T00:00:00Z\"}");
    e = audit_reported_entry ("docker@nas", "docker", "nas", body, now, err, sizeof (err));
    char when [32];
    ddc_iso_time (now, when);
    CHECK_STR (s_str (e, "time"), when);
    CHECK_STR (s_str (e, "result"), "error");
    cJSON_Delete (e);
    cJSON_Delete (body);
    static const char *const bad [] = {
        "{\"action\":\"stop\",\"container\":\"db\",\"ok\":true}", //  no task
        "{\"action\":\"stop\",\"container\":\"db\",\"task\":\"t\",\"ok\":1}",
        "{\"action\":\"stop\",\"container\":\"db\",\"task\":\"t\",\"ok\":true,\"peer\":\"x\"}",
        "{\"action\":\"stop\",\"container\":\"db\",\"task\":\"t\",\"ok\":true,\"time\":\"now\"}",
        "{\"action\":\"stop\",\"container\":\"db\",\"task\":\"t\",\"ok\":true,\"duration_ms\":-1}",
        "{\"action\":\"\",\"container\":\"db\",\"task\":\"t\",\"ok\":true}",
        NULL
    };
    for (int i = 0; bad [i]; i++) {
        body = s_parse (bad [i]);
        err [0] = '\0';
        e = audit_reported_entry ("docker@nas", "docker", "nas", body, now, err, sizeof (err));
        CHECK (e == NULL && err [0]);
        cJSON_Delete (e);
        cJSON_Delete (body);
    }
}

DDC_TEST (test_query_parse)
{
    audit_query_t q;
    char err [200];
    cJSON *o = s_parse ("{\"kind\":\"action\",\"since\":\"2026-11-27T08:00:00Z\",\"container\":"
                        "\"plex\",\"host\":\"nas\",\"cursor\":\"12:34\",\"limit\":7}");
    CHECK_EQ (audit_query_parse (o, &q, err, sizeof (err)), 0);
    CHECK_EQ (q.kind, AUDIT_ACTIONS);
    CHECK_EQ (q.since_ms, 1795766400000LL);
    CHECK_EQ (q.limit, 7);
    CHECK (q.cursor && q.cursor_ino == 12 && q.cursor_off == 34);
    CHECK_STR (q.container, "plex");
    cJSON_Delete (o);
    o = s_parse ("{}");
    CHECK_EQ (audit_query_parse (o, &q, err, sizeof (err)), 0);
    CHECK (q.kind == AUDIT_ALL && !q.cursor && q.limit == AUDIT_PAGE_LIMIT && !q.since_ms);
    cJSON_Delete (o);
    static const char *const bad [] = { "{\"kind\":\"actions\"}",
                                        "{\"since\":\"yesterday\"}",
                                        "{\"cursor\":\"12\"}",
                                        "{\"cursor\":\"a:1\"}",
                                        "{\"limit\":0}",
                                        "{\"limit\":501}",
                                        "{\"limit\":1.5}",
                                        "{\"container\":5}",
                                        "{\"what\":1}",
                                        "{\"result\":\"fine\"}",
                                        "{\"who\":7}",
                                        NULL };
    for (int i = 0; bad [i]; i++) {
        o = s_parse (bad [i]);
        err [0] = '\0';
        CHECK (audit_query_parse (o, &q, err, sizeof (err)) < 0 && err [0]);
        cJSON_Delete (o);
    }
}

//  Append n action entries for container c at times from t0 on.
static void
s_actions (audit_t *a, int n, const char *container, int64_t t0)
{
    for (int i = 0; i < n; i++) {
        cJSON *body = cJSON_CreateObject ();
        cJSON_AddStringToObject (body, "action", "restart");
        cJSON_AddStringToObject (body, "container", container);
        cJSON *e = audit_action_begin ("ctl@op", "ctl", "docker@nas", body, t0 + i * 1000);
        audit_action_failed (e, "error", "failed", "x", 1);
        audit_append (a, e);
        cJSON_Delete (e);
        cJSON_Delete (body);
    }
}

//  A page as JSON (caller frees).
static cJSON *
s_page (audit_t *a, const char *query)
{
    audit_query_t q;
    char err [200];
    cJSON *o = s_parse (query);
    CHECK_EQ (audit_query_parse (o, &q, err, sizeof (err)), 0);
    cJSON_Delete (o);
    char *text = audit_page (a, &q, 900 * 1024, 1000000);
    cJSON *page = s_parse (text);
    free (text);
    CHECK (page != NULL);
    return page;
}

static int
s_count (const cJSON *page)
{
    return cJSON_GetArraySize (cJSON_GetObjectItemCaseSensitive (page, "entries"));
}

static const char *
s_entry_str (const cJSON *page, int i, const char *key)
{
    return s_str (cJSON_GetArrayItem (cJSON_GetObjectItemCaseSensitive (page, "entries"), i), key);
}

//  Every page from the newest on, limit entries each: the entries seen;
//  the pages and the configuration entries among them counted.
static int
s_all_pages (audit_t *a, int limit, int *pages_p, int *configs_p)
{
    int seen = 0;
    char cursor [64] = "", query [128];
    do {
        snprintf (query, sizeof (query), "{\"limit\":%d%s%s%s}", limit,
                  cursor [0] ? ",\"cursor\":\"" : "", cursor, cursor [0] ? "\"" : "");
        cJSON *page = s_page (a, query);
        seen += s_count (page);
        for (int i = 0; i < s_count (page); i++)
            *configs_p += strcmp (s_entry_str (page, i, "kind"), "config") == 0;
        (*pages_p)++;
        const char *next = s_str (page, "next");
        ddc_strlcpy (cursor, next ? next : "", sizeof (cursor));
        cJSON_Delete (page);
    } while (cursor [0] && *pages_p < 20);
    return seen;
}

DDC_TEST (test_pages_newest_first_with_filters)
{
    s_mkdir ();
    audit_t *a = audit_new (s_dir);
    cJSON *page = s_page (a, "{}"); //  no log yet
    CHECK_EQ (s_count (page), 0);
    CHECK (cJSON_IsNull (cJSON_GetObjectItemCaseSensitive (page, "next")));
    cJSON_Delete (page);
    int64_t t0 = 1800000000000;
    s_actions (a, 5, "plex", t0);
    cJSON *changed = s_parse ("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\","
                              "\"l\"]");
    cJSON *cfg = audit_config_entry (7, 3, "containers", "alice", "web@box", changed, t0 + 5000);
    audit_append (a, cfg);
    cJSON_Delete (cfg);
    cJSON_Delete (changed);
    s_actions (a, 5, "db", t0 + 6000);
    //  every entry, the newest first
    page = s_page (a, "{}");
    CHECK_EQ (s_count (page), 11);
    CHECK_STR (s_entry_str (page, 0, "container"), "db");
    CHECK_STR (s_entry_str (page, 5, "kind"), "config");
    CHECK_STR (s_entry_str (page, 10, "container"), "plex");
    const cJSON *cut =
        cJSON_GetObjectItemCaseSensitive (cJSON_GetArrayItem (cJSON_GetObjectItemCaseSensitive (page, "entries"),
                                                              5),
                                          "changed");
    CHECK_EQ (cJSON_GetArraySize (cut), 11); //  10 names and "..."
    cJSON_Delete (page);
    //  by container, by kind
    page = s_page (a, "{\"container\":\"plex\"}");
    CHECK_EQ (s_count (page), 5);
    cJSON_Delete (page);
    page = s_page (a, "{\"container\":\"ple\"}");
    CHECK_EQ (s_count (page), 0);
    cJSON_Delete (page);
    page = s_page (a, "{\"kind\":\"config\"}");
    CHECK_EQ (s_count (page), 1);
    cJSON_Delete (page);
    page = s_page (a, "{\"kind\":\"action\",\"host\":\"nas\"}");
    CHECK_EQ (s_count (page), 10);
    cJSON_Delete (page);
    //  by who asked (the peer, for whom, a change's author: any case) and
    //  by result (a change counts as ok)
    page = s_page (a, "{\"who\":\"ALICE\"}");
    CHECK_EQ (s_count (page), 1);
    CHECK_STR (s_entry_str (page, 0, "kind"), "config");
    cJSON_Delete (page);
    page = s_page (a, "{\"who\":\"ctl@\"}");
    CHECK_EQ (s_count (page), 10);
    cJSON_Delete (page);
    page = s_page (a, "{\"who\":\"bob\"}");
    CHECK_EQ (s_count (page), 0);
    cJSON_Delete (page);
    page = s_page (a, "{\"result\":\"error\",\"container\":\"db\"}");
    CHECK_EQ (s_count (page), 5);
    cJSON_Delete (page);
    page = s_page (a, "{\"result\":\"ok\"}");
    CHECK_EQ (s_count (page), 1);
    CHECK_STR (s_entry_str (page, 0, "kind"), "config");
    cJSON_Delete (page);
    page = s_page (a, "{\"result\":\"timeout\"}");
    CHECK_EQ (s_count (page), 0);
    cJSON_Delete (page);
    //  since: the entries from then on
    char since [64], query [128];
    ddc_iso_time (t0 + 8000, since);
    snprintf (query, sizeof (query), "{\"since\":\"%s\"}", since);
    page = s_page (a, query);
    CHECK_EQ (s_count (page), 3);
    cJSON_Delete (page);
    //  pages of 4 follow each other through the cursor
    int pages = 0, configs = 0;
    CHECK_EQ (s_all_pages (a, 4, &pages, &configs), 11);
    CHECK_EQ (pages, 3);
    CHECK_EQ (configs, 1);
    audit_destroy (&a);
    s_rmdir ();
}

DDC_TEST (test_pages_cross_the_rotated_file)
{
    s_mkdir ();
    audit_t *a = audit_new (s_dir);
    int64_t t0 = 1800000000000;
    s_actions (a, 3, "old", t0);
    //  a cursor into audit.log stays good when it becomes audit.log.1
    cJSON *page = s_page (a, "{\"limit\":1}");
    char cursor [64];
    ddc_strlcpy (cursor, s_str (page, "next"), sizeof (cursor));
    cJSON_Delete (page);
    char *old = ddc_asprintf ("%s/audit.log.1", s_dir);
    CHECK_EQ (rename (a->path, old), 0);
    free (old);
    s_actions (a, 2, "new", t0 + 10000);
    page = s_page (a, "{}");
    CHECK_EQ (s_count (page), 5);
    CHECK_STR (s_entry_str (page, 0, "container"), "new");
    CHECK_STR (s_entry_str (page, 4, "container"), "old");
    cJSON_Delete (page);
    char query [128];
    snprintf (query, sizeof (query), "{\"cursor\":\"%s\"}", cursor);
    page = s_page (a, query);
    CHECK_EQ (s_count (page), 2); //  the two older "old" ones
    CHECK (cJSON_IsNull (cJSON_GetObjectItemCaseSensitive (page, "next")));
    cJSON_Delete (page);
    page = s_page (a, "{\"cursor\":\"1:5\"}"); //  a file long gone
    CHECK (s_count (page) == 0 && cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (page, "gone")));
    cJSON_Delete (page);
    audit_destroy (&a);
    s_rmdir ();
}

DDC_TEST (test_long_and_broken_lines_are_skipped)
{
    s_mkdir ();
    audit_t *a = audit_new (s_dir);
    s_actions (a, 2, "before", 1800000000000);
    //  an old-format configuration line, one over AUDIT_LINE_MAX, junk
    CHECK (ddc_append_line (a->path,
                            "{\"rev\":2,\"prev_rev\":1,\"section\":\"bot\",\"time\":"
                            "\"2027-01-15T08:00:00Z\",\"author\":\"x\",\"peer\":\"y\","
                            "\"changed\":[]}",
                            0600, false)
           == 0);
    size_t n = AUDIT_LINE_MAX + 100;
    char *huge = malloc (n + 1);
    memset (huge, 'h', n);
    memcpy (huge, "{\"kind\":\"action\",\"x\":\"", 22);
    memcpy (huge + n - 2, "\"}", 2);
    huge [n] = '\0';
    CHECK_EQ (ddc_append_line (a->path, huge, 0600, false), 0);
    free (huge);
    CHECK_EQ (ddc_append_line (a->path, "not json", 0600, false), 0);
    s_actions (a, 2, "after", 1800000100000);
    int pages = 0, configs = 0;
    int seen = s_all_pages (a, AUDIT_PAGE_LIMIT, &pages, &configs);
    CHECK_EQ (seen, 5);
    CHECK_EQ (configs, 1); //  2 + 1 + 2, the rest skipped
    CHECK (pages >= 2);    //  at most 1 MiB read a page
    audit_destroy (&a);
    s_rmdir ();
}

DDC_TEST (test_a_page_always_moves_on)
{
    s_mkdir ();
    audit_t *a = audit_new (s_dir);
    s_actions (a, 3, "c", 1800000000000);
    audit_query_t q;
    char err [100];
    cJSON *o = s_parse ("{}");
    CHECK_EQ (audit_query_parse (o, &q, err, sizeof (err)), 0);
    cJSON_Delete (o);
    char *text = audit_page (a, &q, 900 * 1024, 0); //  no time at all
    cJSON *page = s_parse (text);
    free (text);
    CHECK (s_count (page) >= 1);
    cJSON_Delete (page);
    audit_destroy (&a);
    s_rmdir ();
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_init ("test_broker_audit");
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_action_entry_takes_the_peer_from_the_connection);
    DDC_RUN (test_action_entry_cuts_what_it_keeps);
    DDC_RUN (test_action_results);
    DDC_RUN (test_follow_reads);
    DDC_RUN (test_reported_task_runs);
    DDC_RUN (test_query_parse);
    DDC_RUN (test_pages_newest_first_with_filters);
    DDC_RUN (test_pages_cross_the_rotated_file);
    DDC_RUN (test_long_and_broken_lines_are_skipped);
    DDC_RUN (test_a_page_always_moves_on);
    DDC_DONE ();
}
