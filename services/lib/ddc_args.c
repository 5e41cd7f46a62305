/*  ddc_args: the shared command line and environment. See ddc_args.h. */
#include "ddc_args.h"
#include "ddc_config.h"
#include "ddc_util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_SYSTEM_DIR "/var/lib/ddc"

int
ddc_args_bad_option (const char *prog, int c, char **argv)
{
    if (c == ':')
        fprintf (stderr, "%s: option %s needs a value (see --help)\n", prog, argv [optind - 1]);
    else
        fprintf (stderr, "%s: unknown option %s (see --help)\n", prog, argv [optind - 1]);
    return DDC_ARGS_USAGE;
}

int
ddc_args_no_more (const char *prog, int argc, char **argv)
{
    if (optind >= argc)
        return 0;
    fprintf (stderr, "%s: unexpected argument '%s' (see --help)\n", prog, argv [optind]);
    return DDC_ARGS_USAGE;
}

const char *
ddc_args_env (const char *name)
{
    const char *value = getenv (name);
    return value && *value ? value : NULL;
}

int
ddc_args_env_bool (const char *name, bool *out, char *err, size_t errlen)
{
    const char *value = ddc_args_env (name);
    if (!value)
        return 0;
    static const char *const yes [] = { "1", "yes", "true", "on", NULL };
    static const char *const no [] = { "0", "no", "false", "off", NULL };
    for (int i = 0; yes [i]; i++)
        if (strcasecmp (value, yes [i]) == 0) {
            *out = true;
            return 0;
        }
    for (int i = 0; no [i]; i++)
        if (strcasecmp (value, no [i]) == 0) {
            *out = false;
            return 0;
        }
    snprintf (err, errlen, "%s must be 1 or 0 (yes or no), not '%.64s'", name, value);
    return -1;
}

int
ddc_args_conn_env (ddc_args_conn_t *conn, char *err, size_t errlen)
{
    conn->broker = ddc_args_env ("DDC_BROKER");
    conn->cert = ddc_args_env ("DDC_CERT");
    conn->broker_cert = ddc_args_env ("DDC_BROKER_CERT");
    conn->insecure = false;
    return ddc_args_env_bool ("DDC_INSECURE", &conn->insecure, err, errlen);
}

int
ddc_args_conn_check (const ddc_args_conn_t *conn, char *err, size_t errlen)
{
    const char *broker = conn->broker;
    if (!broker || !*broker) {
        snprintf (err, errlen, "no broker: pass --broker ENDPOINT or set DDC_BROKER");
        return -1;
    }
    bool tcp = strncmp (broker, "tcp://", 6) == 0;
    if (!tcp && strncmp (broker, "ipc://", 6) != 0) {
        snprintf (err, errlen,
                  "the broker endpoint must be ipc://PATH or tcp://HOST:PORT, "
                  "not '%.200s'",
                  broker);
        return -1;
    }
    bool cert = conn->cert && *conn->cert, broker_cert = conn->broker_cert && *conn->broker_cert;
    if (cert != broker_cert) {
        snprintf (err, errlen, "CURVE needs both certificates: %s is missing (--%s or %s)",
                  cert ? "the broker's" : "this program's own", cert ? "broker-cert" : "cert",
                  cert ? "DDC_BROKER_CERT" : "DDC_CERT");
        return -1;
    }
    if (!tcp && cert) {
        snprintf (err, errlen,
                  "certificates are for a tcp:// broker; %.200s has no CURVE "
                  "(drop --cert and --broker-cert, or unset DDC_CERT and DDC_BROKER_CERT)",
                  broker);
        return -1;
    }
    if (tcp && !cert && !conn->insecure) {
        snprintf (err, errlen,
                  "%.200s needs CURVE certificates: pass --cert FILE and "
                  "--broker-cert FILE (or set DDC_CERT and DDC_BROKER_CERT); --insecure "
                  "(DDC_INSECURE=1) connects without, as plain TCP",
                  broker);
        return -1;
    }
    return 0;
}

int
ddc_args_connection (const char *prog, const ddc_args_conn_t *conn)
{
    char err [512];
    if (ddc_args_conn_check (conn, err, sizeof (err)) == 0)
        return 0;
    fprintf (stderr, "%s: %s (see --help)\n", prog, err);
    return DDC_ARGS_USAGE;
}

//  A folder this user may use: one that exists and is writable, or one
//  that does not exist in a writable parent.
static bool
s_usable (const char *dir)
{
    struct stat st;
    if (stat (dir, &st) == 0)
        return S_ISDIR (st.st_mode) && access (dir, W_OK | X_OK) == 0;
    if (errno != ENOENT)
        return false;
    char *parent = ddc_strdup (dir);
    char *slash = strrchr (parent, '/');
    bool ok = false;
    if (slash && slash != parent) {
        *slash = '\0';
        ok = access (parent, W_OK | X_OK) == 0;
    }
    free (parent);
    return ok;
}

char *
ddc_args_data_dir_from (const char *flag, const char *env, const char *system_dir,
                        const char *xdg_state, const char *home, char *err, size_t errlen)
{
    char *dir = NULL;
    if (flag) {
        if (!*flag) {
            snprintf (err, errlen, "--data needs a folder");
            return NULL;
        }
        dir = ddc_strdup (flag);
    }
    else if (env && *env)
        dir = ddc_strdup (env);
    else if (system_dir && s_usable (system_dir))
        dir = ddc_strdup (system_dir);
    else if (xdg_state && xdg_state [0] == '/')
        dir = ddc_asprintf ("%s/ddc", xdg_state);
    else if (home && home [0] == '/')
        dir = ddc_asprintf ("%s/.local/state/ddc", strcmp (home, "/") == 0 ? "" : home);
    else {
        snprintf (err, errlen,
                  "no folder for this program's files: pass --data DIR or set "
                  "DDC_DATA");
        return NULL;
    }
    char abs [PATH_MAX];
    if (ddc_mkdirs (dir, 0700) < 0 || !realpath (dir, abs)) {
        snprintf (err, errlen,
                  "cannot create the data folder %.200s: %s (pass --data DIR or "
                  "set DDC_DATA)",
                  dir, strerror (errno));
        free (dir);
        return NULL;
    }
    if (access (abs, W_OK | X_OK) != 0) {
        snprintf (err, errlen,
                  "cannot write to the data folder %.200s: %s (pass --data DIR or "
                  "set DDC_DATA)",
                  abs, strerror (errno));
        free (dir);
        return NULL;
    }
    free (dir);
    return ddc_strdup (abs);
}

char *
ddc_args_data_dir (const char *flag, char *err, size_t errlen)
{
    return ddc_args_data_dir_from (flag, getenv ("DDC_DATA"), S_SYSTEM_DIR,
                                   getenv ("XDG_STATE_HOME"), getenv ("HOME"), err, errlen);
}

char *
ddc_args_data_file (const char *given, const char *data_flag, char **data_dir_p, const char *name,
                    char *err, size_t errlen)
{
    if (given)
        return ddc_strdup (given);
    if (!*data_dir_p && !(*data_dir_p = ddc_args_data_dir (data_flag, err, errlen)))
        return NULL;
    return ddc_asprintf ("%s/%s", *data_dir_p, name);
}

void
ddc_args_host_name (char *buf, size_t size)
{
    if (size == 0)
        return;
    if (gethostname (buf, size - 1) < 0)
        buf [0] = '\0';
    buf [size - 1] = '\0';
    char *dot = strchr (buf, '.');
    if (dot && dot != buf && !ddc_config_name_ok (buf, DDC_HOST_NAME_MAX))
        *dot = '\0';
}
