/*  first_run: coming over from DockerDiscordControl. On the first start
    (no config.json in the data folder) with a DDC config folder mounted at
    DDC_IMPORT_DIR, `ddc-ctl import-ddc` saves it through a temporary
    broker whose data folder is a fresh folder inside the data folder; only
    when the import succeeded are its config.json, history and audit log
    moved into place. A failed import leaves the data folder as it was, so
    the next start tries again. See container.h. */
#include "container.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_BROKER_START_MS 15000
#define S_IMPORT_MS 120000

static int
s_remove_one (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st;
    (void) type;
    (void) ftw;
    remove (path);
    return 0;
}

static void
s_stop (pid_t pid)
{
    kill (pid, SIGTERM);
    if (ct_wait_pid (pid, 5000) < 0) {
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
    }
}

static const char *
s_getenv (const char *name)
{
    return getenv (name);
}

//  Run the import against the temporary broker in tmp; ddc-ctl's exit code.
static int
s_import (const ct_ids_t *ids, const char *tmp, const char *import_dir)
{
    char *ctl = ddc_asprintf ("ipc://%s/ctl.sock", tmp);
    char *pub = ddc_asprintf ("ipc://%s/pub.sock", tmp);
    char *sock = ddc_asprintf ("%s/ctl.sock", tmp);
    //  the containers and tasks go to the host the docker role runs as
    char *host = ddc_strdup (ct_env_get (s_getenv, "DDC_HOST"));
    char *const broker_argv [] = { "ddc-broker", "--data", (char *) tmp, "--ctl",
                                   ctl,          "--pub",  pub,          NULL };
    int rc = 1;
    pid_t broker = ct_spawn (ids, -1, broker_argv);
    if (broker < 0)
        goto done;
    int64_t deadline = ddc_mono_ms () + S_BROKER_START_MS;
    struct stat st;
    while (stat (sock, &st) < 0) {
        if (ct_wait_pid (broker, 50) >= 0) {
            ddc_error ("the temporary broker for the import stopped");
            goto done;
        }
        if (ddc_mono_ms () > deadline) {
            ddc_error ("the temporary broker for the import did not start");
            s_stop (broker);
            goto done;
        }
    }
    unsetenv ("DDC_CERT"); //  ipc:// has no CURVE
    unsetenv ("DDC_BROKER_CERT");
    char *const ctl_argv [] = { "ddc-ctl",    "--broker",          ctl,      "--timeout", "10",
                                "import-ddc", (char *) import_dir, "--host", host,        NULL };
    pid_t importer = ct_spawn (ids, -1, ctl_argv);
    if (importer >= 0) {
        int status = ct_wait_pid (importer, S_IMPORT_MS);
        if (status < 0) {
            ddc_error ("ddc-ctl import-ddc did not finish within %d s", S_IMPORT_MS / 1000);
            kill (importer, SIGKILL);
            waitpid (importer, NULL, 0);
        }
        else
            rc = WIFEXITED (status) ? WEXITSTATUS (status) : 1;
    }
    s_stop (broker);
done:
    free (host);
    free (ctl);
    free (pub);
    free (sock);
    return rc;
}

int
ct_first_run_import (const ct_ids_t *ids, const char *data, const char *import_dir)
{
    char *config = ddc_asprintf ("%s/config.json", data);
    char *source = ddc_asprintf ("%s/config.json", import_dir);
    struct stat st;
    bool wanted = lstat (config, &st) < 0 && errno == ENOENT && stat (source, &st) == 0
                  && S_ISREG (st.st_mode);
    free (source);
    if (!wanted) {
        free (config);
        return 0;
    }
    ddc_info ("first start: importing the DockerDiscordControl configuration in %s", import_dir);
    char *tmp = ddc_asprintf ("%s/.import-XXXXXX", data);
    int rc = -1;
    if (!mkdtemp (tmp)) {
        ddc_error ("cannot create a folder in %s: %s", data, strerror (errno));
        goto done;
    }
    if (ids->root && chown (tmp, ids->uid, ids->gid) < 0) {
        ddc_error ("cannot give %s to %ld:%ld: %s", tmp, (long) ids->uid, (long) ids->gid,
                   strerror (errno));
        goto cleanup;
    }
    int status = s_import (ids, tmp, import_dir);
    if (status != 0) {
        ddc_error ("the import of %s failed (ddc-ctl exit %d, its reason above); nothing was "
                   "saved. Fix the files named above, or start without %s mounted, to go on",
                   import_dir, status, import_dir);
        goto cleanup;
    }
    //  config.json last: it is what marks the data folder as set up.
    static const char *const files [] = { "history.jsonl", "audit.log", "config.json" };
    rc = 0;
    for (size_t i = 0; i < sizeof (files) / sizeof (files [0]); i++) {
        char *from = ddc_asprintf ("%s/%s", tmp, files [i]);
        char *to = ddc_asprintf ("%s/%s", data, files [i]);
        if (rename (from, to) < 0 && errno != ENOENT) {
            ddc_error ("cannot move %s to %s: %s", from, to, strerror (errno));
            rc = -1;
        }
        free (from);
        free (to);
        if (rc < 0)
            break;
    }
    if (rc == 0)
        ddc_info ("imported %s: its settings are the first revisions (ddc-ctl history)", import_dir);
cleanup:
    nftw (tmp, s_remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
done:
    free (tmp);
    free (config);
    return rc;
}
