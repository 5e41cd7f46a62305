/*  test_docker_incidents: when ddc-docker raises an alert (incidents.c),
    as a table of Docker event sequences with the openings, escalations and
    ends each must give: crashes with and without a stop asked for (ddc's
    own, docker stop/kill/rm, other signals), memory kills, health checks,
    restart loops and how they end, the quiet time and the hourly cap,
    replayed events, and what the configuration changes. */
#include "../../services/docker/incidents.c"

#include "ddc_test.h"

#include <stdio.h>

//  A step: at time t, op on container "c" (or "d" when name is set):
//  S start, D die (code), O oom, K kill (code = signal), H healthy,
//  U unhealthy, X destroy, A ddc asks for a stop (until t + code),
//  I inspect (code bit 1 running, bit 2 restarting; health), T tick.
typedef struct {
    int64_t t;
    char op;
    int64_t code;
    const char *health;
    const char *name;
} s_step_t;

typedef struct {
    const char *what;
    unsigned kinds;
    int loop_count, loop_min, cooldown_min, per_hour;
    s_step_t steps [24];
    const char *want;
} s_case_t;

static char s_out [4096];

static void
s_record (void *arg, const inc_report_t *r)
{
    (void) arg;
    size_t n = strlen (s_out);
    const char *what = r->what == INC_OPENED      ? "opened"
                       : r->what == INC_ESCALATED ? "escalated"
                                                  : "resolved";
    if (r->what == INC_RESOLVED)
        snprintf (s_out + n, sizeof (s_out) - n, "%lld %s %s#%llu %s %s%s\n", (long long) r->at_ms,
                  r->container, what, (unsigned long long) r->id, incidents_kind_name (r->kind),
                  r->resolution, r->send ? "" : " held");
    else
        snprintf (s_out + n, sizeof (s_out) - n, "%lld %s %s#%llu %s/%s code=%lld r=%d s=%d%s\n",
                  (long long) r->at_ms, r->container, what, (unsigned long long) r->id,
                  incidents_kind_name (r->kind), r->reason, (long long) r->exit_code, r->restarts,
                  r->suppressed, r->send ? "" : " held");
}

static const s_case_t s_cases [] = {
    { "a crash, then up for 10 s: recovered",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' },
        { 1000, 'D', 1 },
        { 2000, 'T' },
        { 3000, 'S' },
        { 12999, 'T' },
        { 13000, 'T' },
        { 20000, 'T' } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n"
      "13000 c resolved#1 crash recovered\n" },
    { "exit code 0 without a restart loop: no alert",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'D', 0 }, { 20000, 'T' } },
      "" },
    { "docker stop: TERM, KILL, exit 137: no alert",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'K', 15 }, { 11000, 'K', 9 }, { 11001, 'D', 137 }, { 30000, 'T' } },
      "" },
    { "a graceful exit up to 5 min after TERM was asked for",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'K', 15 }, { 290000, 'D', 143 }, { 400000, 'T' } },
      "" },
    { "ddc's own stop: no alert",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'A', 30000 }, { 1500, 'D', 143 }, { 30000, 'T' } },
      "" },
    { "ddc's stop is over: a later crash alerts",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'A', 30000 }, { 1500, 'D', 143 }, { 2000, 'S' }, { 5000, 'D', 2 } },
      "5000 c opened#1 crash/exit code=2 r=1 s=0\n" },
    { "HUP for a reload, a crash 10 s later: alert",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'K', 1 }, { 11000, 'D', 1 } },
      "11000 c opened#1 crash/exit code=1 r=1 s=0\n" },
    { "a signal that ends it at once: asked for",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'K', 10 }, { 1200, 'D', 138 }, { 30000, 'T' } },
      "" },
    { "a memory kill",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'O' }, { 1001, 'D', 137 } },
      "1001 c opened#1 crash/oom code=137 r=1 s=0\n" },
    { "an oom event long before the exit does not count",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'O' }, { 60000, 'D', 1 } },
      "60000 c opened#1 crash/exit code=1 r=1 s=0\n" },
    { "crash alerts off",
      INC_UNHEALTHY | INC_LOOP,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'O' }, { 1001, 'D', 137 }, { 2000, 'S' }, { 30000, 'T' } },
      "" },
    { "unhealthy, then healthy: recovered at the next tick",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 5000, 'U' }, { 6000, 'T' }, { 9000, 'H' }, { 9500, 'T' } },
      "5000 c opened#1 unhealthy/unhealthy code=-1 r=0 s=0\n"
      "9500 c resolved#1 unhealthy recovered\n" },
    { "a check failing while it is stopped or down is no alert",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' },
        { 1000, 'K', 9 },
        { 1040, 'U' },
        { 1080, 'D', 137 },
        { 1100, 'U' },
        { 2000, 'S' },
        { 3000, 'A', 30000 },
        { 3100, 'U' },
        { 50000, 'T' } },
      "" },
    { "unhealthy, worse: it crashes",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'U' }, { 2000, 'D', 1 }, { 2500, 'U' } },
      "1000 c opened#1 unhealthy/unhealthy code=-1 r=0 s=0\n"
      "2000 c escalated#1 crash/exit code=1 r=1 s=0\n" },
    { "a restart loop: crash, then escalated; it ends staying down",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' },
        { 500, 'D', 3 },
        { 600, 'S' },
        { 1100, 'D', 3 },
        { 1300, 'S' },
        { 1800, 'D', 3 },
        { 2000, 'S' },
        { 2500, 'D', 3 },
        { 2550, 'I', 2 },
        { 5000, 'T' },
        { 5100, 'I', 0 },
        { 12499, 'T' },
        { 12500, 'T' } },
      "500 c opened#1 crash/exit code=3 r=1 s=0\n"
      "1800 c escalated#1 restart_loop/restart_loop code=3 r=3 s=0\n"
      "12500 c resolved#1 restart_loop loop_ended\n" },
    { "a restart loop ends after its window without an exit",
      INC_ALL,
      3,
      1,
      10,
      30,
      { { 0, 'S' },
        { 500, 'D', 0 },
        { 600, 'S' },
        { 1100, 'D', 0 },
        { 1300, 'S' },
        { 1800, 'D', 0 },
        { 2000, 'S' },
        { 61799, 'T' },
        { 61800, 'T' } },
      "1800 c opened#1 restart_loop/restart_loop code=0 r=3 s=0\n"
      "61800 c resolved#1 restart_loop loop_ended\n" },
    { "exits spread wider than the window are no loop",
      INC_LOOP,
      3,
      1,
      10,
      30,
      { { 0, 'S' },
        { 1000, 'D', 1 },
        { 1100, 'S' },
        { 40000, 'D', 1 },
        { 40100, 'S' },
        { 70000, 'D', 1 },
        { 70100, 'S' },
        { 100000, 'T' } },
      "" },
    { "the quiet time holds back the same kind; the next alert counts them",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' },
        { 1000, 'D', 1 },
        { 2000, 'S' },
        { 12000, 'T' },
        { 20000, 'D', 1 },
        { 21000, 'S' },
        { 31000, 'T' },
        { 700000, 'D', 4 },
        { 700100, 'U' } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n"
      "12000 c resolved#1 crash recovered\n"
      "20000 c opened#2 crash/exit code=1 r=2 s=0 held\n"
      "31000 c resolved#2 crash recovered held\n"
      "700000 c opened#3 crash/exit code=4 r=1 s=1\n" },
    { "another kind is not held back by the quiet time",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'D', 1 }, { 2000, 'S' }, { 12000, 'T' }, { 13000, 'U' } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n"
      "12000 c resolved#1 crash recovered\n"
      "13000 c opened#2 unhealthy/unhealthy code=-1 r=1 s=0\n" },
    { "the cap per hour counts every container",
      INC_ALL,
      3,
      10,
      0,
      2,
      { { 0, 'S' },
        { 1000, 'D', 1 },
        { 1100, 'D', 1, NULL, "d" },
        { 1200, 'S' },
        { 1300, 'S', 0, NULL, "d" },
        { 20000, 'T' },
        { 30000, 'D', 1 },
        { 3700000, 'S' },
        { 3800000, 'T' },
        { 3900000, 'D', 1, NULL, "d" } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n"
      "1100 d opened#2 crash/exit code=1 r=1 s=0\n"
      "20000 c resolved#1 crash recovered\n"
      "20000 d resolved#2 crash recovered\n"
      "30000 c opened#3 crash/exit code=1 r=2 s=0 held\n"
      "3800000 c resolved#3 crash recovered held\n"
      "3900000 d opened#4 crash/exit code=1 r=1 s=0\n" },
    { "ddc restarts an unhealthy container: recovered when healthy",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' },
        { 1000, 'U' },
        { 2000, 'A', 40000 },
        { 2100, 'D', 143 },
        { 2500, 'S' },
        { 3000, 'T' },
        { 4000, 'H' },
        { 4100, 'T' } },
      "1000 c opened#1 unhealthy/unhealthy code=-1 r=0 s=0\n"
      "4100 c resolved#1 unhealthy recovered\n" },
    { "stopped on request while in trouble",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'U' }, { 2000, 'K', 15 }, { 2100, 'D', 143 }, { 12099, 'T' }, { 12100, 'T' } },
      "1000 c opened#1 unhealthy/unhealthy code=-1 r=0 s=0\n"
      "12100 c resolved#1 unhealthy stopped\n" },
    { "removed while down after a crash",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'D', 1 }, { 5000, 'X' }, { 15000, 'T' } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n"
      "15000 c resolved#1 crash stopped\n" },
    { "a crash of a container left down stays open",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'D', 1 }, { 2550, 'I', 0 }, { 900000, 'T' } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n" },
    { "replayed and older events are taken once",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 1000, 'D', 1 }, { 1000, 'D', 1 }, { 900, 'D', 1 }, { 0, 'S' }, { 20000, 'T' } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n" },
    { "with a health check, up is not enough: healthy is",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'I', 1, "starting" },
        { 1000, 'D', 1 },
        { 2000, 'S' },
        { 30000, 'T' },
        { 31000, 'H' },
        { 31500, 'T' } },
      "1000 c opened#1 crash/exit code=1 r=1 s=0\n"
      "31500 c resolved#1 crash recovered\n" },
    { "an inspect before any event sets the state",
      INC_ALL,
      3,
      10,
      10,
      30,
      { { 0, 'I', 1, "healthy" }, { 1000, 'U' }, { 2000, 'H' }, { 2100, 'T' } },
      "1000 c opened#1 unhealthy/unhealthy code=-1 r=0 s=0\n"
      "2100 c resolved#1 unhealthy recovered\n" },
    { "loop alerts only",
      INC_LOOP,
      3,
      10,
      10,
      30,
      { { 0, 'S' }, { 500, 'D', 3 }, { 600, 'S' }, { 1100, 'D', 3 }, { 1300, 'S' }, { 1800, 'D', 3 } },
      "1800 c opened#1 restart_loop/restart_loop code=3 r=3 s=0\n" },
};

static void
s_run (const s_case_t *k)
{
    s_out [0] = '\0';
    incidents_t *inc = incidents_new (s_record, NULL);
    inc_settings_t st = { true, k->loop_count, (int64_t) k->loop_min * 60000,
                          (int64_t) k->cooldown_min * 60000, k->per_hour };
    incidents_settings (inc, &st, 0);
    const char *names [] = { "c", "d" };
    unsigned kinds [] = { k->kinds, k->kinds };
    incidents_follow (inc, names, kinds, 2, 0);
    for (int i = 0; i < 24 && (k->steps [i].op); i++) {
        const s_step_t *s = &k->steps [i];
        const char *name = s->name ? s->name : "c";
        switch (s->op) {
            case 'S':
                incidents_event (inc, name, INC_EV_START, 0, s->t);
                break;
            case 'D':
                incidents_event (inc, name, INC_EV_DIE, s->code, s->t);
                break;
            case 'O':
                incidents_event (inc, name, INC_EV_OOM, 0, s->t);
                break;
            case 'K':
                incidents_event (inc, name, INC_EV_KILL, s->code, s->t);
                break;
            case 'H':
                incidents_event (inc, name, INC_EV_HEALTHY, 0, s->t);
                break;
            case 'U':
                incidents_event (inc, name, INC_EV_UNHEALTHY, 0, s->t);
                break;
            case 'X':
                incidents_event (inc, name, INC_EV_DESTROY, 0, s->t);
                break;
            case 'A':
                incidents_asked (inc, name, s->t + s->code);
                break;
            case 'I':
                incidents_inspected (inc, name, s->code & 1, (s->code & 2) != 0,
                                     s->health ? s->health : "", s->t);
                break;
            case 'T':
                incidents_tick (inc, s->t);
                break;
            default:
                abort ();
        }
    }
    if (strcmp (s_out, k->want) != 0) {
        fprintf (stderr, "case: %s\n--- got\n%s--- want\n%s", k->what, s_out, k->want);
        ddc_test_check_failed_++;
    }
    incidents_destroy (&inc);
}

DDC_TEST (test_event_sequences)
{
    for (size_t i = 0; i < sizeof (s_cases) / sizeof (s_cases [0]); i++)
        s_run (&s_cases [i]);
}

static char s_reasons [256];

static void
s_record_reason (void *arg, const inc_report_t *r)
{
    (void) arg;
    size_t n = strlen (s_reasons);
    snprintf (s_reasons + n, sizeof (s_reasons) - n, "%s%s", n ? " " : "", r->reason);
}

//  Docker sends the oom event after the die: the open crash is then a
//  memory kill, its resolution says so, and the next exit is not one.
DDC_TEST (test_oom_after_the_exit)
{
    s_reasons [0] = '\0';
    incidents_t *inc = incidents_new (s_record_reason, NULL);
    inc_settings_t st = { true, 3, 600000, 600000, 30 };
    incidents_settings (inc, &st, 0);
    const char *names [] = { "c" };
    unsigned kinds [] = { INC_ALL };
    incidents_follow (inc, names, kinds, 1, 0);
    incidents_event (inc, "c", INC_EV_START, 0, 0);
    incidents_event (inc, "c", INC_EV_DIE, 137, 1000);
    incidents_event (inc, "c", INC_EV_OOM, 0, 1005);
    incidents_event (inc, "c", INC_EV_START, 0, 2000);
    incidents_tick (inc, 13000); //  up 10 s: recovered
    incidents_event (inc, "c", INC_EV_DIE, 1, 14000);
    CHECK_STR (s_reasons, "exit oom exit");
    //  an oom long after the exit changes nothing
    incidents_event (inc, "c", INC_EV_OOM, 0, 30000);
    incidents_event (inc, "c", INC_EV_START, 0, 31000);
    incidents_tick (inc, 42000);
    CHECK_STR (s_reasons, "exit oom exit exit");
    incidents_destroy (&inc);
}

DDC_TEST (test_configuration_changes)
{
    s_out [0] = '\0';
    incidents_t *inc = incidents_new (s_record, NULL);
    const char *names [] = { "c", "d" };
    unsigned kinds [] = { INC_ALL, INC_ALL };
    incidents_follow (inc, names, kinds, 2, 0);
    incidents_event (inc, "c", INC_EV_DIE, 1, 1000);
    incidents_event (inc, "d", INC_EV_START, 0, 500);
    incidents_event (inc, "d", INC_EV_UNHEALTHY, 0, 1000);
    incidents_event (inc, "nobody", INC_EV_DIE, 1, 1000);
    CHECK_EQ (incidents_open (inc), 2);
    //  d keeps its incident; c left the configuration: its ends ("gone")
    incidents_follow (inc, names + 1, kinds + 1, 1, 2000);
    CHECK_STR (s_out, "1000 c opened#1 crash/exit code=1 r=1 s=0\n"
                      "1000 d opened#2 unhealthy/unhealthy code=-1 r=0 s=0\n"
                      "2000 c resolved#1 crash gone\n");
    CHECK_EQ (incidents_open (inc), 1);
    //  d's unhealthy alerts turned off
    s_out [0] = '\0';
    unsigned crash_only = INC_CRASH;
    incidents_follow (inc, names + 1, &crash_only, 1, 3000);
    CHECK_STR (s_out, "3000 d resolved#2 unhealthy gone\n");
    //  alerts turned off: nothing opens, open ones end
    incidents_event (inc, "d", INC_EV_DIE, 1, 4000);
    s_out [0] = '\0';
    inc_settings_t off = { false, 3, 600000, 600000, 30 };
    incidents_settings (inc, &off, 5000);
    CHECK_STR (s_out, "5000 d resolved#3 crash gone\n");
    s_out [0] = '\0';
    incidents_event (inc, "d", INC_EV_START, 0, 6000);
    incidents_event (inc, "d", INC_EV_DIE, 1, 7000);
    CHECK_STR (s_out, "");
    //  reordered, one dropped, one new: the kept ones keep what they know
    const char *abc [] = { "a", "b", "c" };
    unsigned k_abc [] = { INC_ALL, INC_ALL, INC_ALL };
    incidents_follow (inc, abc, k_abc, 3, 7100);
    incidents_event (inc, "b", INC_EV_START, 0, 7150);
    incidents_event (inc, "b", INC_EV_UNHEALTHY, 0, 7200);
    const char *cbx [] = { "c", "b", "x" };
    s_out [0] = '\0';
    inc_settings_t on = { true, 3, 600000, 0, 30 };
    incidents_settings (inc, &on, 7250);
    incidents_event (inc, "b", INC_EV_UNHEALTHY, 0, 7300);
    incidents_follow (inc, cbx, k_abc, 3, 7400);
    CHECK (inc->nctrs == 3 && incidents_open (inc) == 1);
    CHECK_STR (s_out, "7300 b opened#4 unhealthy/unhealthy code=-1 r=0 s=0\n");
    //  kinds 0 or a name too long: not followed; duplicates once
    const char *more [] = { "e", "f", "f" };
    unsigned k3 [] = { 0, INC_CRASH, INC_CRASH };
    incidents_follow (inc, more, k3, 3, 8000);
    CHECK (inc->nctrs == 1);
    //  settings are clamped
    inc_settings_t wild = { true, 1000, 0, -5, 0 };
    incidents_settings (inc, &wild, 9000);
    CHECK (inc->settings.loop_count == INC_EXITS_MAX && inc->settings.loop_ms == 1000);
    CHECK (inc->settings.cooldown_ms == 0 && inc->settings.max_per_hour == 1);
    incidents_destroy (&inc);
    incidents_destroy (&inc);
}

DDC_TEST (test_kind_names)
{
    CHECK_STR (incidents_kind_name (INC_CRASH), "crash");
    CHECK_STR (incidents_kind_name (INC_LOOP), "restart_loop");
    CHECK (incidents_kind_name (0) == NULL);
    CHECK_EQ (incidents_kind_bit ("unhealthy"), INC_UNHEALTHY);
    CHECK (incidents_kind_bit ("oom") == 0 && incidents_kind_bit (NULL) == 0);
}

DDC_TEST (test_many_exits_stay_bounded)
{
    s_out [0] = '\0';
    incidents_t *inc = incidents_new (NULL, NULL);
    const char *names [] = { "c" };
    unsigned kinds [] = { INC_ALL };
    incidents_follow (inc, names, kinds, 1, 0);
    inc_settings_t st = { true, 100, 3600000, 0, 1000 };
    incidents_settings (inc, &st, 0);
    for (int i = 0; i < 5000; i++) {
        incidents_event (inc, "c", INC_EV_START, 0, i * 10);
        incidents_event (inc, "c", INC_EV_DIE, 1, i * 10 + 5);
    }
    CHECK (inc->ctrs [0]->nexits == INC_EXITS_MAX);
    CHECK (inc->nhour <= INC_HOUR_MAX);
    CHECK_EQ (incidents_open (inc), 1);
    incidents_destroy (&inc);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_event_sequences);
    DDC_RUN (test_oom_after_the_exit);
    DDC_RUN (test_configuration_changes);
    DDC_RUN (test_kind_names);
    DDC_RUN (test_many_exits_stay_bounded);
    DDC_DONE ();
}
