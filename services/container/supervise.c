/*  supervise: the "all" role, for a single container like the original
    DockerDiscordControl's (Unraid): ddc-broker, then ddc-docker,
    ddc-discord and ddc-web, all as PUID:PGID (only the agent in the Docker
    socket's group), with their data in DDC_DATA. As PID 1 it reaps every
    child. SIGTERM or SIGINT stops the services first and the broker last,
    within 2 s; when one program stops by itself the others are stopped
    and the container exits with its status, for the restart policy to
    start them again. See container.h. */
#include "container.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S_BROKER_START_MS 15000
#define S_STOP_SERVICES_MS 1200 //  then the broker, all within 2 s
#define S_STOP_ALL_MS 1900

//  Start order; stopped in reverse.
static const ct_role_t s_order [] = { CT_BROKER, CT_DOCKER, CT_DISCORD, CT_WEB };
#define S_COUNT ((int) (sizeof (s_order) / sizeof (s_order [0])))

static const char *const s_args_env [CT_ROLE_COUNT] = {
    [CT_BROKER] = "DDC_BROKER_ARGS",
    [CT_WEB] = "DDC_WEB_ARGS",
    [CT_DISCORD] = "DDC_DISCORD_ARGS",
    [CT_DOCKER] = "DDC_DOCKER_ARGS",
};

typedef struct {
    ct_plan_t plan;
    pid_t pid; //  0 = not running
    int status;
} s_child_t;

static s_child_t s_child [S_COUNT];
static sigset_t s_signals;

static void __attribute__ ((noreturn)) s_exit (int code)
{
    for (int i = 0; i < S_COUNT; i++)
        ct_plan_free (&s_child [i].plan);
    exit (code);
}

//  Reap every exited child (orphans too); the index of the first of ours
//  that stopped, or -1.
static int
s_reap (void)
{
    int first = -1, status;
    pid_t pid;
    while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
        for (int i = 0; i < S_COUNT; i++)
            if (s_child [i].pid == pid) {
                s_child [i].pid = 0;
                s_child [i].status = status;
                if (first < 0)
                    first = i;
            }
    return first;
}

//  Wait up to ms for a signal of s_signals; the signal or 0 on timeout.
static int
s_wait_signal (int64_t ms)
{
    if (ms < 0)
        ms = 0;
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
    int sig = sigtimedwait (&s_signals, NULL, &ts);
    return sig < 0 ? 0 : sig;
}

static bool
s_any_running (int from, int to)
{
    for (int i = from; i < to; i++)
        if (s_child [i].pid)
            return true;
    return false;
}

static void
s_stop_all (void)
{
    int64_t start = ddc_mono_ms ();
    for (int i = S_COUNT - 1; i >= 1; i--)
        if (s_child [i].pid)
            kill (s_child [i].pid, SIGTERM);
    while (s_any_running (1, S_COUNT) && ddc_mono_ms () - start < S_STOP_SERVICES_MS) {
        s_wait_signal (S_STOP_SERVICES_MS - (ddc_mono_ms () - start));
        s_reap ();
    }
    if (s_child [0].pid)
        kill (s_child [0].pid, SIGTERM);
    while (s_any_running (0, S_COUNT) && ddc_mono_ms () - start < S_STOP_ALL_MS) {
        s_wait_signal (S_STOP_ALL_MS - (ddc_mono_ms () - start));
        s_reap ();
    }
    for (int i = 0; i < S_COUNT; i++)
        if (s_child [i].pid) {
            ddc_warn ("%s did not stop within 2 s: killed", s_child [i].plan.program);
            kill (s_child [i].pid, SIGKILL);
            waitpid (s_child [i].pid, NULL, 0);
            s_child [i].pid = 0;
        }
}

static int
s_code (int status)
{
    if (WIFEXITED (status))
        return WEXITSTATUS (status) ? WEXITSTATUS (status) : 1;
    return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : 1;
}

//  A program stopped on its own: stop the rest and leave with its status.
static void __attribute__ ((noreturn)) s_died (int i)
{
    int status = s_child [i].status;
    if (WIFSIGNALED (status))
        ddc_error ("%s was killed by signal %d: stopping the others", s_child [i].plan.program,
                   WTERMSIG (status));
    else
        ddc_error ("%s stopped (exit %d): stopping the others", s_child [i].plan.program,
                   WEXITSTATUS (status));
    s_stop_all ();
    s_exit (s_code (status));
}

void
ct_supervise (const ct_ids_t *ids, ct_getenv_fn *getenv_fn)
{
    sigemptyset (&s_signals);
    sigaddset (&s_signals, SIGTERM);
    sigaddset (&s_signals, SIGINT);
    sigaddset (&s_signals, SIGCHLD);
    sigprocmask (SIG_BLOCK, &s_signals, NULL);

    ct_vec_t health = { 0 };
    for (int i = 0; i < S_COUNT; i++) {
        ct_role_t role = s_order [i];
        ct_vec_t args = { 0 };
        ct_split_words (&args, ct_env_get (getenv_fn, s_args_env [role]));
        char err [512];
        int rc = ct_plan (&s_child [i].plan, role, getenv_fn, args.v, args.n, err, sizeof (err));
        ct_vec_free (&args);
        if (rc < 0) {
            ddc_error ("%s: %s", ct_role_name (role), err);
            s_exit (2);
        }
        for (int h = 0; h < s_child [i].plan.health.n; h++)
            ct_vec_push (&health, s_child [i].plan.health.v [h]);
    }
    ct_plan_t *broker = &s_child [0].plan;
    if (ct_own_tree (ids, broker->data) < 0
        || (broker->sock_dir && ct_own_tree (ids, broker->sock_dir) < 0))
        s_exit (1);
    if (ct_first_run_import (ids, broker->data, ct_env_get (getenv_fn, "DDC_IMPORT_DIR")) < 0)
        s_exit (1);
    ct_health_write (CT_HEALTH_FILE, &health);
    ct_vec_free (&health);

    s_child [0].pid = ct_spawn (ids, -1, broker->argv.v);
    if (s_child [0].pid < 0)
        s_exit (1);
    //  The services connect to the broker's ipc socket: wait until it is
    //  there (they would retry, but their first log lines would be errors).
    const char *ping = broker->health.n ? broker->health.v [0] + 5 : "";
    char *sock = strncmp (ping, "ipc://", 6) == 0 ? ddc_strdup (ping + 6) : NULL;
    int64_t deadline = ddc_mono_ms () + S_BROKER_START_MS;
    struct stat st;
    while (sock && stat (sock, &st) < 0 && ddc_mono_ms () < deadline) {
        int sig = s_wait_signal (50);
        if (sig == SIGTERM || sig == SIGINT) {
            free (sock);
            s_stop_all ();
            s_exit (0);
        }
        int died = s_reap ();
        if (died >= 0) {
            free (sock);
            s_died (died);
        }
    }
    free (sock);

    for (int i = 1; i < S_COUNT; i++) {
        ct_plan_t *plan = &s_child [i].plan;
        long extra = plan->docker_socket ? ct_socket_group (plan->docker_socket) : -1;
        s_child [i].pid = ct_spawn (ids, extra, plan->argv.v);
        if (s_child [i].pid < 0) {
            s_stop_all ();
            s_exit (1);
        }
    }
    if (ct_drop (ids, -1) < 0) {
        s_stop_all ();
        s_exit (1);
    }
    ddc_info ("running ddc-broker, ddc-docker, ddc-discord and ddc-web");
    while (true) {
        int sig = s_wait_signal (60000);
        if (sig == SIGTERM || sig == SIGINT) {
            ddc_info ("stopping (signal %d)", sig);
            s_stop_all ();
            ddc_info ("stopped");
            s_exit (0);
        }
        int died = s_reap ();
        if (died >= 0)
            s_died (died);
    }
}
