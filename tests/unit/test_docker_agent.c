/*  test_docker_agent: the pure logic of ddc-docker: the shape checks of
    the followed sections, the allow-list decisions, the per-container FIFO
    (ordering, bound, independence of containers, drain) from agent.c, and
    the task scheduling (due-task selection, no catch-up, once tasks,
    records kept across config changes, the report) from tasks.c, and the
    queue of task runs for the broker's audit log (records.c). */
#include "../../services/docker/agent.c"
#include "../../services/docker/records.c"
#include "../../services/docker/tasks.c"

#include "ddc_tz.h"
#include "ddc_test.h"
#include "ddc_test_json.h"

#include <stdint.h>

static int
s_apply (agent_t *agent, const char *section, const char *text, cJSON *errors)
{
    cJSON *value = ddc_test_json (text);
    int rc = agent_apply (agent, section, value, errors);
    cJSON_Delete (value);
    return rc;
}

static int64_t
s_utc (int y, int mo, int d, int h, int mi, int s)
{
    return ddc_tz_days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static const char *s_containers =
    "[{'host':'nas','name':'plex','active':true,'allowed_actions':['start','stop','restart','logs']"
    "},"
    " {'host':'nas','name':'off','active':false,'allowed_actions':['start','stop','restart']},"
    " {'host':'nas','name':'ro','active':true,'allowed_actions':['logs']},"
    " {'host':'nas','name':'dflt','active':true},"
    " {'host':'box','name':'elsewhere','active':true,'allowed_actions':['start']}]";

//  --------------------------------------------------------------------------
//  Allow-list

DDC_TEST (test_allow_list)
{
    agent_t *agent = agent_new ("nas");
    char msg [512];
    //  Nothing configured yet: everything refused.
    CHECK_EQ (agent_check (agent, "plex", "start", msg, sizeof (msg)), AGENT_NOT_CONFIGURED);
    CHECK (s_apply (agent, "containers", s_containers, NULL) == 0);

    CHECK_EQ (agent_check (agent, "plex", "start", msg, sizeof (msg)), AGENT_OK);
    CHECK_STR (msg, "");
    CHECK_EQ (agent_check (agent, "plex", "logs", msg, sizeof (msg)), AGENT_OK);
    CHECK_EQ (agent_check (agent, "off", "start", msg, sizeof (msg)), AGENT_INACTIVE);
    CHECK_STR (msg, "container off on host nas is inactive");
    CHECK_EQ (agent_check (agent, "ro", "restart", msg, sizeof (msg)), AGENT_NOT_ALLOWED);
    CHECK_STR (msg, "action restart is not allowed for container ro on host nas (allowed: logs)");
    CHECK_EQ (agent_check (agent, "ro", "logs", msg, sizeof (msg)), AGENT_OK);
    //  No allowed_actions: ddc_config's default (start, stop, restart).
    CHECK_EQ (agent_check (agent, "dflt", "restart", msg, sizeof (msg)), AGENT_OK);
    CHECK_EQ (agent_check (agent, "dflt", "logs", msg, sizeof (msg)), AGENT_NOT_ALLOWED);
    //  Another host's container is not ours, even with the same name.
    CHECK_EQ (agent_check (agent, "elsewhere", "start", msg, sizeof (msg)), AGENT_NOT_CONFIGURED);
    CHECK_STR (msg, "container elsewhere is not configured on nas");
    CHECK_EQ (agent_check (agent, "nothere", "start", msg, sizeof (msg)), AGENT_NOT_CONFIGURED);
    //  Unknown or missing action, missing name.
    CHECK_EQ (agent_check (agent, "plex", "rm", msg, sizeof (msg)), AGENT_BAD_ACTION);
    CHECK (agent_check (agent, "plex", NULL, msg, sizeof (msg)) == AGENT_BAD_ACTION);
    CHECK (agent_check (agent, NULL, "start", msg, sizeof (msg)) == AGENT_NOT_CONFIGURED);
    //  Names are case-sensitive, as Docker's.
    CHECK_EQ (agent_check (agent, "Plex", "start", msg, sizeof (msg)), AGENT_NOT_CONFIGURED);
    CHECK (agent_container (agent, "plex") != NULL);
    CHECK (agent_container (agent, "elsewhere") == NULL);
    //  The entries of this host, decoded: the schema's defaults filled in.
    size_t count;
    const agent_container_t *ours = agent_containers (agent, &count);
    CHECK_EQ (count, 4);
    CHECK_STR (ours [3].name, "dflt");
    CHECK_STR (ours [3].display_name, "");
    CHECK_EQ (ours [3].actions, 7u); //  start, stop, restart
    CHECK_EQ (ours [3].alerts, 7u);  //  crash, unhealthy, restart_loop
    CHECK_EQ (ours [2].actions, 8u); //  logs
    CHECK (!ours [1].active);

    //  A live change: forbid, then allow again.
    CHECK (s_apply (agent, "containers",
                    "[{'host':'nas','name':'plex','active':true,'allowed_actions':['logs']}]", NULL)
           == 0);
    CHECK_EQ (agent_check (agent, "plex", "start", msg, sizeof (msg)), AGENT_NOT_ALLOWED);
    CHECK_EQ (agent_check (agent, "off", "start", msg, sizeof (msg)), AGENT_NOT_CONFIGURED);
    CHECK (s_apply (agent, "containers",
                    "[{'host':'nas','name':'plex','active':true,'allowed_actions':['start']}]", NULL)
           == 0);
    CHECK_EQ (agent_check (agent, "plex", "start", msg, sizeof (msg)), AGENT_OK);
    //  A tiny message buffer is never overrun.
    char tiny [8];
    CHECK_EQ (agent_check (agent, "plex", "stop", tiny, sizeof (tiny)), AGENT_NOT_ALLOWED);
    CHECK_EQ (strlen (tiny), 7);
    agent_destroy (&agent);
    CHECK (agent == NULL);
}

DDC_TEST (test_shape_checks)
{
    agent_t *agent = agent_new ("nas");
    CHECK (s_apply (agent, "containers", s_containers, NULL) == 0);
    cJSON *errors = cJSON_CreateArray ();
    //  Wrong shapes are rejected with errors; the previous value stays.
    CHECK_EQ (s_apply (agent, "containers", "{'a':1}", errors), -1);
    CHECK_EQ (s_apply (agent, "containers", "[1]", errors), -1);
    CHECK_EQ (s_apply (agent, "containers", "[{'host':'nas','name':'x','active':'yes'}]", errors),
              -1);
    CHECK (s_apply (agent, "containers",
                    "[{'host':'nas','name':'x','active':true,'allowed_actions':'start'}]", errors)
           == -1);
    CHECK_EQ (s_apply (agent, "containers", "[{'host':7,'name':'x','active':true}]", errors), -1);
    CHECK_EQ (cJSON_GetArraySize (errors), 5);
    const cJSON *e = cJSON_GetArrayItem (errors, 2);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (e, "field")), "containers[0].active");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (e, "reason")), "type");
    char msg [256];
    CHECK_EQ (agent_check (agent, "plex", "start", msg, sizeof (msg)), AGENT_OK);
    //  No "active": ddc_config's default, true (the broker fills it in).
    CHECK (s_apply (agent, "containers", "[{'host':'nas','name':'na'}]", NULL) == 0);
    CHECK_EQ (agent_check (agent, "na", "start", msg, sizeof (msg)), AGENT_OK);
    //  What the agent reads is checked by the schema's rows: an action it
    //  does not know, a host name with a space.
    CHECK_EQ (s_apply (agent, "containers", "[{'host':'nas','name':'x','allowed_actions':['rm']}]",
                       NULL),
              -1);
    CHECK_EQ (s_apply (agent, "containers", "[{'host':'n a','name':'x'}]", NULL), -1);
    //  Other hosts' entries are only checked for host and name.
    CHECK (s_apply (agent, "containers", "[{'host':'box','name':'x','active':'whatever'}]", NULL)
           == 0);

    //  docker: ranges and defaults.
    //  the schema's defaults
    CHECK_EQ (agent_stats_interval_s (agent), 10);
    CHECK_EQ (agent_stop_timeout_s (agent), 10);
    CHECK (s_apply (agent, "docker", "{'stats_interval_seconds':3,'stop_timeout_seconds':0}", NULL)
           == 0);
    CHECK_EQ (agent_stats_interval_s (agent), 3);
    CHECK_EQ (agent_stop_timeout_s (agent), 0);
    CHECK_EQ (s_apply (agent, "docker", "{'stats_interval_seconds':1}", errors), -1);
    CHECK_EQ (s_apply (agent, "docker", "{'stop_timeout_seconds':301}", errors), -1);
    CHECK_EQ (s_apply (agent, "docker", "{'stop_timeout_seconds':1.5}", errors), -1);
    CHECK_EQ (s_apply (agent, "docker", "[]", errors), -1);
    CHECK_EQ (agent_stats_interval_s (agent), 3);
    CHECK (s_apply (agent, "docker", "{}", NULL) == 0);
    CHECK_EQ (agent_stats_interval_s (agent), 10);

    //  alerts: the settings and the webhook; a bad value keeps the last
    const agent_alerts_t *al = agent_alerts (agent);
    CHECK (al->enabled && al->restart_loop_count == 3 && al->log_lines == 20);
    CHECK (!al->webhook_url [0] && !al->webhook_json);
    CHECK_STR (al->webhook_format, "discord");
    CHECK (s_apply (agent, "alerts",
                    "{'enabled':false,'webhook_url':'http://h/x',"
                    "'webhook_format':'json','restart_loop_count':5,'restart_loop_minutes':2,"
                    "'cooldown_minutes':0,'max_per_hour':7,'log_lines':0}",
                    NULL)
           == 0);
    CHECK (!al->enabled && al->webhook_json && al->restart_loop_count == 5);
    CHECK (al->restart_loop_minutes == 2 && al->cooldown_minutes == 0);
    CHECK (al->max_per_hour == 7 && al->log_lines == 0);
    CHECK_STR (al->webhook_url, "http://h/x");
    CHECK_EQ (s_apply (agent, "alerts", "{'webhook_format':'xml'}", errors), -1);
    CHECK_EQ (s_apply (agent, "alerts", "{'webhook_url':3}", errors), -1);
    CHECK_EQ (s_apply (agent, "alerts", "{'enabled':'yes'}", errors), -1);
    CHECK_EQ (s_apply (agent, "alerts", "{'log_lines':101}", errors), -1);
    CHECK_EQ (s_apply (agent, "alerts", "[]", errors), -1);
    CHECK_STR (al->webhook_url, "http://h/x");
    //  a redacted URL (a role without the secret) means none
    CHECK (s_apply (agent, "alerts", "{'webhook_url':'***'}", NULL) == 0);
    CHECK (!al->webhook_url [0] && al->enabled);

    //  tasks: ours need the fields the agent reads, and unique ids.
    CHECK_EQ (s_apply (agent, "tasks", "[{'host':'nas','id':'t1'}]", errors), -1);
    CHECK (s_apply (agent, "tasks",
                    "[{'host':'nas','id':'t1','container':'c','action':'start','cycle':'daily',"
                    "'time':'04:00','active':true},"
                    " {'host':'nas','id':'t1','container':'c','action':'stop','cycle':'daily',"
                    "'time':'05:00','active':true}]",
                    errors)
           == -1);
    CHECK (s_apply (agent, "tasks", "[{'host':'box','id':'t1'}]", NULL) == 0);
    CHECK_EQ (cJSON_GetArraySize (agent_tasks (agent)), 0);
    //  Of another host's tasks only the host is read, and none is kept.
    CHECK (s_apply (agent, "tasks",
                    "[{'host':'box','id':'t1'},"
                    " {'host':'nas','id':'t2','container':'c','action':'start','cycle':'daily',"
                    "'time':'04:00','active':true}]",
                    NULL)
           == 0);
    CHECK_EQ (cJSON_GetArraySize (agent_tasks (agent)), 1);
    CHECK_STR (cJSON_GetStringValue (
                   cJSON_GetObjectItem (cJSON_GetArrayItem (agent_tasks (agent), 0), "id")),
               "t2");
    //  Sections the agent does not follow are ignored.
    CHECK (s_apply (agent, "bot", "{'x':1}", NULL) == 0);
    cJSON_Delete (errors);
    agent_destroy (&agent);
}

//  The agent keeps exactly its host's entries, copied (the section it was
//  given may go), in the section's order, and still refuses a bad entry of
//  its own host among many of other hosts, keeping what it had.
DDC_TEST (test_keeps_own_entries)
{
    agent_t *agent = agent_new ("h-3");
    cJSON *section = cJSON_CreateArray ();
    for (int i = 1; i <= 1000; i++) {
        char host [16], name [32];
        snprintf (host, sizeof (host), "h-%d", (i - 1) % 20 + 1);
        snprintf (name, sizeof (name), "c-%d", i);
        cJSON *e = cJSON_CreateObject ();
        cJSON_AddStringToObject (e, "host", host);
        cJSON_AddStringToObject (e, "name", name);
        cJSON_AddStringToObject (e, "display_name", name);
        cJSON_AddItemToArray (section, e);
    }
    CHECK (agent_apply (agent, "containers", section, NULL) == 0);
    cJSON_Delete (section);
    size_t count;
    const agent_container_t *ours = agent_containers (agent, &count);
    CHECK_EQ (count, 50);
    for (size_t k = 0; k < count; k++) {
        char name [32];
        snprintf (name, sizeof (name), "c-%zu", 3 + 20 * k);
        CHECK_STR (ours [k].host, "h-3");
        CHECK_STR (ours [k].name, name);
        CHECK_STR (ours [k].display_name, name);
        CHECK_EQ (ours [k].actions, 7u);
    }
    char msg [256];
    CHECK_EQ (agent_check (agent, "c-983", "start", msg, sizeof (msg)), AGENT_OK);
    CHECK_EQ (agent_check (agent, "c-984", "start", msg, sizeof (msg)), AGENT_NOT_CONFIGURED);

    //  A bad entry of this host (after another host's bad one, which is
    //  not judged): refused with its place in the whole section, the 50
    //  entries kept.
    cJSON *errors = cJSON_CreateArray ();
    CHECK_EQ (s_apply (agent, "containers",
                       "[{'host':'h-1','name':'a','active':'no'},"
                       " {'host':'h-3','name':'b'},"
                       " {'host':'h-3','name':'c','allowed_actions':['rm']}]",
                       errors),
              -1);
    CHECK_EQ (cJSON_GetArraySize (errors), 1);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (cJSON_GetArrayItem (errors, 0), "field")),
               "containers[2].allowed_actions[0]");
    ours = agent_containers (agent, &count);
    CHECK_EQ (count, 50);
    CHECK_STR (ours [49].name, "c-983");
    //  Another host's bad entry alone does not matter; its host must be
    //  one, though.
    CHECK (s_apply (agent, "containers",
                    "[{'host':'h-1','name':'a','active':'no'},{'host':'h-3','name':'b'}]", NULL)
           == 0);
    ours = agent_containers (agent, &count);
    CHECK_EQ (count, 1);
    CHECK_STR (ours [0].name, "b");
    CHECK_EQ (s_apply (agent, "containers", "[{'host':'h 1','name':'a'},{'host':'h-3','name':'b'}]",
                       NULL),
              -1);
    cJSON_Delete (errors);
    agent_destroy (&agent);
}

//  --------------------------------------------------------------------------
//  Queues

DDC_TEST (test_queue_order_and_bound)
{
    agent_t *agent = agent_new ("nas");
    int jobs [20];
    //  The first job of an idle container runs at once.
    CHECK_EQ (agent_enqueue (agent, "plex", &jobs [0]), 1);
    CHECK_EQ (agent_running (agent, "plex"), &jobs [0]);
    //  The next ones wait, up to AGENT_QUEUE_MAX.
    for (int i = 1; i <= AGENT_QUEUE_MAX; i++)
        CHECK_EQ (agent_enqueue (agent, "plex", &jobs [i]), 0);
    CHECK_EQ (agent_waiting (agent, "plex"), AGENT_QUEUE_MAX);
    CHECK_EQ (agent_enqueue (agent, "plex", &jobs [AGENT_QUEUE_MAX + 1]), -1);
    CHECK_EQ (agent_waiting (agent, "plex"), AGENT_QUEUE_MAX);
    //  Another container is independent: it runs at once.
    CHECK_EQ (agent_enqueue (agent, "other", &jobs [15]), 1);
    CHECK_EQ (agent_running (agent, "other"), &jobs [15]);
    //  FIFO: finishing hands out the jobs in submission order.
    for (int i = 1; i <= AGENT_QUEUE_MAX; i++) {
        void *next = agent_finish (agent, "plex");
        CHECK_EQ (next, &jobs [i]);
        CHECK_EQ (agent_running (agent, "plex"), &jobs [i]);
        //  A slot freed: one more may wait (and goes last).
        if (i == 1)
            CHECK_EQ (agent_enqueue (agent, "plex", &jobs [16]), 0);
    }
    CHECK_EQ (agent_finish (agent, "plex"), &jobs [16]);
    CHECK (agent_finish (agent, "plex") == NULL);
    CHECK (agent_running (agent, "plex") == NULL);
    //  Idle again: the next job runs at once.
    CHECK_EQ (agent_enqueue (agent, "plex", &jobs [17]), 1);
    CHECK (agent_finish (agent, "unknown") == NULL);
    CHECK_EQ (agent_enqueue (agent, "", &jobs [18]), -1);
    CHECK (agent_enqueue (agent, "plex", NULL) == -1);
    agent_destroy (&agent);
}

DDC_TEST (test_queue_ring_wraps)
{
    //  Many rounds through the ring keep the order.
    agent_t *agent = agent_new ("nas");
    int jobs [100];
    int next_in = 0, next_out = 0;
    CHECK_EQ (agent_enqueue (agent, "c", &jobs [next_in++]), 1);
    next_out++;
    while (next_in < 100) {
        while (next_in < 100 && agent_waiting (agent, "c") < 3)
            CHECK_EQ (agent_enqueue (agent, "c", &jobs [next_in++]), 0);
        void *j = agent_finish (agent, "c");
        CHECK_EQ (j, &jobs [next_out]);
        next_out++;
    }
    while (agent_finish (agent, "c"))
        next_out++;
    CHECK_EQ (next_out, 100);
    agent_destroy (&agent);
}

static void
s_count_drained (void *arg, void *job)
{
    (void) job;
    (*(int *) arg)++;
}

DDC_TEST (test_queue_busy_bound_and_drain)
{
    agent_t *agent = agent_new ("nas");
    int job;
    char name [32];
    for (int i = 0; i < AGENT_BUSY_MAX; i++) {
        snprintf (name, sizeof (name), "c%d", i);
        CHECK_EQ (agent_enqueue (agent, name, &job), 1);
    }
    CHECK_EQ (agent_enqueue (agent, "one-too-many", &job), -1);
    CHECK_EQ (agent_enqueue (agent, "c0", &job), 0);
    CHECK_EQ (agent_enqueue (agent, "c1", &job), 0);
    CHECK_EQ (agent_enqueue (agent, "c1", &job), 0);
    int drained = 0;
    CHECK_EQ (agent_drain (agent, s_count_drained, &drained), 3);
    CHECK_EQ (drained, 3);
    CHECK_EQ (agent_waiting (agent, "c1"), 0);
    CHECK_EQ (agent_running (agent, "c1"), &job);
    agent_destroy (&agent);
}

//  --------------------------------------------------------------------------
//  Tasks

static const char *s_tasks =
    "[{'id':'d1','host':'nas','container':'plex','action':'restart','cycle':'daily',"
    "  'time':'04:00','timezone':'UTC','active':true},"
    " {'id':'o1','host':'nas','container':'plex','action':'stop','cycle':'once',"
    "  'date':'2026-03-01','time':'12:30','timezone':'UTC','active':true},"
    " {'id':'off','host':'nas','container':'plex','action':'start','cycle':'daily',"
    "  'time':'05:00','timezone':'UTC','active':false},"
    " {'id':'b1','host':'box','container':'x','action':'start','cycle':'daily',"
    "  'time':'03:00','timezone':'UTC','active':true},"
    " {'id':'w1','host':'nas','container':'plex','action':'start','cycle':'weekly',"
    "  'weekday':'mon','time':'06:00','timezone':'UTC'}]";

DDC_TEST (test_tasks_due_selection)
{
    tasks_t *tasks = tasks_new ("nas");
    cJSON *section = ddc_test_json (s_tasks);
    int64_t start = s_utc (2026, 3, 1, 3, 0, 0);
    tasks_sync (tasks, section, start);
    //  Ours only (box's is ignored); the inactive one is listed, not scheduled;
    //  one without "active" is active (ddc_config's default).
    CHECK_EQ (tasks_count (tasks), 4);
    CHECK_EQ (tasks_next_due (tasks), s_utc (2026, 3, 1, 4, 0, 0));
    CHECK (tasks_take_due (tasks, start) == NULL);
    CHECK (tasks_take_due (tasks, s_utc (2026, 3, 1, 3, 59, 59)) == NULL);
    //  At 04:00 the daily one is due, once; then it is tomorrow's.
    const cJSON *t = tasks_take_due (tasks, s_utc (2026, 3, 1, 4, 0, 0));
    CHECK (t != NULL);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (t, "id")), "d1");
    CHECK (tasks_take_due (tasks, s_utc (2026, 3, 1, 4, 0, 0)) == NULL);
    CHECK_EQ (tasks_next_due (tasks), s_utc (2026, 3, 1, 12, 30, 0));
    //  Late by two days (the loop stalled, the clock jumped): both due,
    //  earliest first, and no catch-up of the missed days.
    int64_t late = s_utc (2026, 3, 3, 5, 0, 0);
    t = tasks_take_due (tasks, late);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (t, "id")), "o1");
    t = tasks_take_due (tasks, late);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (t, "id")), "d1");
    t = tasks_take_due (tasks, late);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (t, "id")), "w1");
    CHECK (tasks_take_due (tasks, late) == NULL);
    //  The once task is done for good; the daily one is the next day's;
    //  the weekly one (Mondays) is due on Monday 2026-03-09.
    CHECK_EQ (tasks_next_due (tasks), s_utc (2026, 3, 4, 4, 0, 0));
    CHECK (tasks_take_due (tasks, s_utc (2026, 3, 9, 6, 0, 0)) != NULL);
    t = tasks_take_due (tasks, s_utc (2026, 3, 9, 6, 0, 0));
    CHECK (t && strcmp (cJSON_GetStringValue (cJSON_GetObjectItem (t, "id")), "w1") == 0);
    cJSON_Delete (section);
    tasks_destroy (&tasks);
    CHECK (tasks == NULL);
}

//  The agent runs a cron task at each matching minute, as described.
DDC_TEST (test_tasks_cron)
{
    tasks_t *tasks = tasks_new ("nas");
    cJSON *section = ddc_test_json (
        "[{'id':'c1','host':'nas','container':'plex','action':'restart','cycle':'cron',"
        "  'cron':'*/30 9-10 * * mon-fri','timezone':'UTC','active':true}]");
    tasks_sync (tasks, section, s_utc (2026, 3, 6, 10, 45, 0));     //  a Friday
    CHECK_EQ (tasks_next_due (tasks), s_utc (2026, 3, 9, 9, 0, 0)); //  Monday 09:00
    CHECK (tasks_take_due (tasks, s_utc (2026, 3, 9, 8, 59, 59)) == NULL);
    const cJSON *t = tasks_take_due (tasks, s_utc (2026, 3, 9, 9, 0, 0));
    CHECK (t && strcmp (cJSON_GetStringValue (cJSON_GetObjectItem (t, "id")), "c1") == 0);
    CHECK_EQ (tasks_next_due (tasks), s_utc (2026, 3, 9, 9, 30, 0));
    CHECK (tasks_take_due (tasks, s_utc (2026, 3, 9, 9, 30, 0)) != NULL);
    CHECK_EQ (tasks_next_due (tasks), s_utc (2026, 3, 9, 10, 0, 0));
    cJSON *report = tasks_report (tasks);
    const cJSON *c1 = cJSON_GetObjectItem (cJSON_GetObjectItem (report, "tasks"), "c1");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (c1, "description")),
               "cron */30 9-10 * * mon-fri (UTC)");
    cJSON_Delete (report);
    cJSON_Delete (section);
    tasks_destroy (&tasks);
}

DDC_TEST (test_tasks_sync_keeps_state)
{
    tasks_t *tasks = tasks_new ("nas");
    cJSON *section = ddc_test_json (s_tasks);
    int64_t t0 = s_utc (2026, 3, 1, 3, 0, 0);
    tasks_sync (tasks, section, t0);
    tasks_record (tasks, "d1", t0, true, "restart plex: running");
    tasks_record (tasks, "gone", t0, false, "ignored");
    //  The same section again at 04:00:30, with d1 due but not yet taken:
    //  an unchanged task keeps its (due) next run and its record.
    tasks_sync (tasks, section, s_utc (2026, 3, 1, 4, 0, 30));
    const cJSON *t = tasks_take_due (tasks, s_utc (2026, 3, 1, 4, 0, 30));
    CHECK (t && strcmp (cJSON_GetStringValue (cJSON_GetObjectItem (t, "id")), "d1") == 0);
    cJSON *report = tasks_report (tasks);
    const cJSON *d1 = cJSON_GetObjectItem (cJSON_GetObjectItem (report, "tasks"), "d1");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (d1, "last_result")), "ok");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (d1, "last_message")),
               "restart plex: running");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (d1, "next_run")), "2026-03-02T04:00:00Z");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (d1, "description")),
               "daily at 04:00 (UTC)");
    const cJSON *off = cJSON_GetObjectItem (cJSON_GetObjectItem (report, "tasks"), "off");
    CHECK (cJSON_IsNull (cJSON_GetObjectItem (off, "next_run")));
    CHECK (cJSON_IsNull (cJSON_GetObjectItem (off, "last_result")));
    CHECK (cJSON_IsFalse (cJSON_GetObjectItem (off, "active")));
    CHECK (cJSON_GetObjectItem (cJSON_GetObjectItem (report, "tasks"), "b1") == NULL);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (report, "host")), "nas");
    cJSON_Delete (report);

    //  A changed task is recomputed from now (not from its old time);
    //  activating one schedules it; removing one drops its record.
    cJSON *changed = ddc_test_json (
        "[{'id':'d1','host':'nas','container':'plex','action':'restart','cycle':'daily',"
        "  'time':'06:00','timezone':'UTC','active':true},"
        " {'id':'off','host':'nas','container':'plex','action':'start','cycle':'daily',"
        "  'time':'05:00','timezone':'UTC','active':true}]");
    tasks_sync (tasks, changed, s_utc (2026, 3, 1, 4, 1, 0));
    CHECK_EQ (tasks_count (tasks), 2);
    CHECK_EQ (tasks_next_due (tasks), s_utc (2026, 3, 1, 5, 0, 0));
    report = tasks_report (tasks);
    d1 = cJSON_GetObjectItem (cJSON_GetObjectItem (report, "tasks"), "d1");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (d1, "next_run")), "2026-03-01T06:00:00Z");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (d1, "last_result")), "ok");
    CHECK (cJSON_GetObjectItem (cJSON_GetObjectItem (report, "tasks"), "o1") == NULL);
    cJSON_Delete (report);
    //  An empty or odd section empties the list.
    tasks_sync (tasks, NULL, 0);
    CHECK (tasks_count (tasks) == 0 && tasks_next_due (tasks) == -1);
    cJSON_Delete (changed);
    cJSON_Delete (section);
    tasks_destroy (&tasks);
    ddc_schedule_flush ();
}

DDC_TEST (test_tasks_once_in_past_and_invalid)
{
    tasks_t *tasks = tasks_new ("nas");
    cJSON *section =
        ddc_test_json ("[{'id':'past','host':'nas','container':'c','action':'stop','cycle':'once',"
                       "  'date':'2020-01-01','time':'00:00','timezone':'UTC','active':true},"
                       " {'id':'bad','host':'nas','container':'c','action':'stop','cycle':'weekly',"
                       "  'time':'25:00','timezone':'UTC','active':true}]");
    //  No catch-up at start: a once task in the past never runs; an
    //  invalid schedule is listed but never due.
    tasks_sync (tasks, section, s_utc (2026, 1, 1, 0, 0, 0));
    CHECK_EQ (tasks_count (tasks), 2);
    CHECK_EQ (tasks_next_due (tasks), -1);
    CHECK (tasks_take_due (tasks, INT64_MAX / 2) == NULL);
    cJSON *report = tasks_report (tasks);
    const cJSON *bad = cJSON_GetObjectItem (cJSON_GetObjectItem (report, "tasks"), "bad");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItem (bad, "description")), "invalid schedule");
    cJSON_Delete (report);
    cJSON_Delete (section);
    tasks_destroy (&tasks);
    ddc_schedule_flush ();
}

DDC_TEST (test_records_entry_and_bounded_queue)
{
    job_t job = {
        .action = "restart", .container = "plex", .task_id = "t1", .started_wall = 1800000000000
    };
    cJSON *result = ddc_test_json ("{\"ok\":false,\"action\":\"restart\",\"error\":"
                                   "\"refused\",\"message\":\"no\",\"duration_ms\":0,"
                                   "\"host\":\"nas\"}");
    cJSON *e = records_entry (&job, result);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "task")), "t1");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "time")),
               "2027-01-15T08:00:00Z");
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "error")), "refused");
    CHECK (cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (e, "ok")));
    CHECK (!cJSON_GetObjectItemCaseSensitive (e, "host")); //  the broker knows the host
    records_t *r = records_new ();
    for (int i = 0; i < RECORDS_MAX + 3; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive (e, "duration_ms");
        cJSON_AddNumberToObject (e, "duration_ms", i);
        records_add (r, e);
    }
    CHECK (records_queued (r) == RECORDS_MAX && r->dropped == 3);
    //  the oldest went: the head is the fourth run
    CHECK (cJSON_GetNumberValue (
               cJSON_GetObjectItemCaseSensitive (r->queue [r->head].entry, "duration_ms"))
           == 3);
    //  with the head on its way, the second oldest goes instead
    r->in_flight = true;
    records_add (r, e);
    CHECK (records_queued (r) == RECORDS_MAX && r->dropped == 4);
    CHECK (cJSON_GetNumberValue (
               cJSON_GetObjectItemCaseSensitive (r->queue [r->head].entry, "duration_ms"))
           == 3);
    CHECK (cJSON_GetNumberValue (
               cJSON_GetObjectItemCaseSensitive (r->queue [(r->head + 1) % RECORDS_MAX].entry,
                                                 "duration_ms"))
           == 5);
    r->in_flight = false;
    records_destroy (&r);
    cJSON_Delete (e);
    cJSON_Delete (result);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_allow_list);
    DDC_RUN (test_shape_checks);
    DDC_RUN (test_keeps_own_entries);
    DDC_RUN (test_queue_order_and_bound);
    DDC_RUN (test_queue_ring_wraps);
    DDC_RUN (test_queue_busy_bound_and_drain);
    DDC_RUN (test_tasks_due_selection);
    DDC_RUN (test_tasks_cron);
    DDC_RUN (test_tasks_sync_keeps_state);
    DDC_RUN (test_tasks_once_in_past_and_invalid);
    DDC_RUN (test_records_entry_and_bounded_queue);
    DDC_DONE ();
}
