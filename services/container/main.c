/*  ddc-container: the entrypoint of the ddc container image. The first
    argument picks what the container runs (`docker run ddc web`); the
    entrypoint gives the data folder to PUID:PGID, records the health
    check, drops root and execs the program, so that signals reach it
    directly and its logs go to the container's stdout/stderr. This file
    owns the command line and starting programs; see container.h. */
#include "container.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: ddc-container ROLE [OPTIONS...]\n"
                  "\n"
                  "The entrypoint of the ddc image: docker run ddc ROLE [OPTIONS...]\n"
                  "  all       ddc-broker, ddc-docker, ddc-discord and ddc-web in one container\n"
                  "            (the default; web UI on port 9374)\n"
                  "  broker    ddc-broker, listening in DDC_DATA or on DDC_BROKER's ipc:// path\n"
                  "  web       ddc-web on :9374\n"
                  "  discord   ddc-discord (instance main)\n"
                  "  docker    ddc-docker for this host's Docker socket (host local)\n"
                  "  ctl       ddc-ctl, e.g. `docker exec CONTAINER ddc-container ctl status`\n"
                  "  health    the image's health check for what this container runs\n"
                  "  env       list the environment variables read here\n"
                  "OPTIONS go to the program (see ddc-ROLE --help) and win over the defaults.\n"
                  "\n"
                  "The entrypoint starts as root only to give the data folder to PUID:PGID,\n"
                  "then runs everything as that user; only the docker role joins the Docker\n"
                  "socket's group. Environment:\n");
    for (const ct_env_t *e = ct_env; e->name; e++)
        fprintf (out, "  %-18s %s%s%s%s\n", e->name, e->help, *e->dflt ? " (default " : "", e->dflt,
                 *e->dflt ? ")" : "");
}

const char *
ct_bin_dir (void)
{
    static char dir [PATH_MAX];
    if (!dir [0]) {
        ssize_t n = readlink ("/proc/self/exe", dir, sizeof (dir) - 1);
        char *slash = n > 0 ? memrchr (dir, '/', (size_t) n) : NULL;
        if (slash)
            *slash = '\0';
        else
            ddc_strlcpy (dir, "/usr/bin", sizeof (dir));
    }
    return dir;
}

pid_t
ct_spawn (const ct_ids_t *ids, long extra_gid, char *const *argv)
{
    fflush (NULL);
    pid_t pid = fork ();
    if (pid < 0) {
        ddc_error ("cannot start %s: %s", argv [0], strerror (errno));
        return -1;
    }
    if (pid > 0)
        return pid;
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
    signal (SIGTERM, SIG_DFL);
    signal (SIGINT, SIG_DFL);
    if (ct_drop (ids, extra_gid) < 0)
        _exit (126);
    char *path = ddc_asprintf ("%s/%s", ct_bin_dir (), argv [0]);
    execv (path, argv);
    ddc_error ("cannot run %s: %s", path, strerror (errno));
    _exit (127);
}

int
ct_wait_pid (pid_t pid, int timeout_ms)
{
    int64_t deadline = ddc_mono_ms () + timeout_ms;
    while (true) {
        int status;
        pid_t got = waitpid (pid, &status, WNOHANG);
        if (got == pid)
            return status;
        if (got < 0 || ddc_mono_ms () >= deadline)
            return -1;
        struct timespec ts = { 0, 10 * 1000000 };
        nanosleep (&ts, NULL);
    }
}

static const char *
s_getenv (const char *name)
{
    return getenv (name);
}

static int
s_ids (ct_ids_t *ids)
{
    char err [256];
    if (ct_ids_parse (ids, ct_env_get (s_getenv, "PUID"), ct_env_get (s_getenv, "PGID"),
                      ct_env_get (s_getenv, "UMASK"), err, sizeof (err))
        < 0) {
        fprintf (stderr, CT_PROG ": %s\n", err);
        return -1;
    }
    return 0;
}

//  One role: prepare, drop root, exec. Returns only on failure.
static int
s_run (ct_role_t role, const ct_ids_t *ids, char *const *args, int nargs)
{
    ct_plan_t plan;
    char err [512];
    if (ct_plan (&plan, role, s_getenv, args, nargs, err, sizeof (err)) < 0) {
        fprintf (stderr, CT_PROG ": %s: %s\n", ct_role_name (role), err);
        return 2;
    }
    long extra_gid = -1;
    if (role == CT_CTL) {
        //  A one-off command, often through docker exec: it changes
        //  nothing in the folders and records no health check.
        char *broker = ddc_asprintf ("ipc://%s/ctl.sock", plan.data);
        setenv ("DDC_BROKER",
                *ct_env_get (s_getenv, "DDC_BROKER") ? ct_env_get (s_getenv, "DDC_BROKER") : broker,
                1);
        free (broker);
    }
    else {
        if (ct_own_tree (ids, plan.data) < 0
            || (plan.sock_dir && ct_own_tree (ids, plan.sock_dir) < 0))
            goto fail;
        if (role == CT_BROKER
            && ct_first_run_import (ids, plan.data, ct_env_get (s_getenv, "DDC_IMPORT_DIR")) < 0)
            goto fail;
        if (plan.docker_socket)
            extra_gid = ct_socket_group (plan.docker_socket);
        //  The container's own program (PID 1, or the child of an init):
        //  not a `docker exec`, whose parent is outside the container.
        if (getpid () == 1 || getppid () == 1)
            ct_health_write (CT_HEALTH_FILE, &plan.health);
        ddc_info ("starting %s as %ld:%ld%s", plan.program, (long) ids->uid, (long) ids->gid,
                  extra_gid >= 0 ? " (with the Docker socket's group)" : "");
    }
    if (ct_drop (ids, extra_gid) < 0)
        goto fail;
    char *path = ddc_asprintf ("%s/%s", ct_bin_dir (), plan.program);
    execv (path, plan.argv.v);
    ddc_error ("cannot run %s: %s", path, strerror (errno));
    free (path);
fail:
    ct_plan_free (&plan);
    return 1;
}

int
main (int argc, char *argv [])
{
    ddc_log_init (CT_PROG);
    if (argc < 2) {
        s_usage (stderr);
        return 2;
    }
    const char *what = argv [1];
    if (!strcmp (what, "-h") || !strcmp (what, "--help") || !strcmp (what, "help")) {
        s_usage (stdout);
        return 0;
    }
    if (!strcmp (what, "-V") || !strcmp (what, "--version") || !strcmp (what, "version")) {
        printf (CT_PROG " %s\n", DDC_VERSION);
        return 0;
    }
    if (!strcmp (what, "env")) {
        for (const ct_env_t *e = ct_env; e->name; e++)
            printf ("%s=%s\n", e->name, e->dflt);
        return 0;
    }
    ct_ids_t ids;
    if (s_ids (&ids) < 0)
        return 2;
    if (!strcmp (what, "health"))
        return ct_health_run (CT_HEALTH_FILE, &ids);
    if (!strcmp (what, "all")) {
        if (argc > 2) {
            fprintf (stderr, CT_PROG ": all takes no options; use DDC_BROKER_ARGS, DDC_WEB_ARGS, "
                                     "DDC_DISCORD_ARGS, DDC_DOCKER_ARGS\n");
            return 2;
        }
        ct_supervise (&ids, s_getenv);
    }
    int role = ct_role_find (what);
    if (role < 0) {
        fprintf (stderr,
                 CT_PROG ": unknown role '%s' (all, broker, web, discord, docker, ctl, "
                         "health, env; see --help)\n",
                 what);
        return 2;
    }
    return s_run ((ct_role_t) role, &ids, argv + 2, argc - 2);
}
