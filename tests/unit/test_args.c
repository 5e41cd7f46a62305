/*  test_args: unit tests of ddc_args, the command line and environment every
    ddc program shares: the DDC_* variables, the broker connection checks
    (tcp:// needs certificates or --insecure, certificates need tcp://) and
    the data folder's choice and creation. */
#include "ddc_args.h"
#include "ddc_test.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

static char s_tmp [64];

static void
s_tmpdir (void)
{
    snprintf (s_tmp, sizeof (s_tmp), "/tmp/ddc-test-args-XXXXXX");
    CHECK (mkdtemp (s_tmp) != NULL);
}

static void
s_rmtmp (void)
{
    char *rm = ddc_asprintf ("rm -rf %s", s_tmp);
    CHECK_EQ (system (rm), 0);
    free (rm);
}

static void
s_clear_env (void)
{
    static const char *const names [] = { "DDC_BROKER",   "DDC_CERT", "DDC_BROKER_CERT",
                                          "DDC_INSECURE", "DDC_DATA", NULL };
    for (int i = 0; names [i]; i++)
        unsetenv (names [i]);
}

DDC_TEST (test_env_bool)
{
    s_clear_env ();
    char err [256] = "";
    bool v = true;
    CHECK (ddc_args_env_bool ("DDC_INSECURE", &v, err, sizeof (err)) == 0 && v); //  unset: kept
    static const char *const yes [] = { "1", "yes", "TRUE", "on", NULL };
    static const char *const no [] = { "0", "No", "false", "off", NULL };
    for (int i = 0; yes [i]; i++) {
        setenv ("DDC_INSECURE", yes [i], 1);
        v = false;
        CHECK (ddc_args_env_bool ("DDC_INSECURE", &v, err, sizeof (err)) == 0 && v);
    }
    for (int i = 0; no [i]; i++) {
        setenv ("DDC_INSECURE", no [i], 1);
        v = true;
        CHECK (ddc_args_env_bool ("DDC_INSECURE", &v, err, sizeof (err)) == 0 && !v);
    }
    setenv ("DDC_INSECURE", "", 1); //  empty counts as unset
    v = true;
    CHECK (ddc_args_env_bool ("DDC_INSECURE", &v, err, sizeof (err)) == 0 && v);
    setenv ("DDC_INSECURE", "maybe", 1);
    CHECK (ddc_args_env_bool ("DDC_INSECURE", &v, err, sizeof (err)) == -1);
    CHECK (strstr (err, "DDC_INSECURE") && strstr (err, "maybe"));
    s_clear_env ();
}

DDC_TEST (test_conn_from_env_then_flags)
{
    s_clear_env ();
    char err [512] = "";
    ddc_args_conn_t conn;
    CHECK_EQ (ddc_args_conn_env (&conn, err, sizeof (err)), 0);
    CHECK (!conn.broker && !conn.cert && !conn.broker_cert && !conn.insecure);
    setenv ("DDC_BROKER", "tcp://broker.lan:7401", 1);
    setenv ("DDC_CERT", "/etc/ddc/nas.cert", 1);
    setenv ("DDC_BROKER_CERT", "/etc/ddc/broker.cert", 1);
    setenv ("DDC_INSECURE", "0", 1);
    CHECK_EQ (ddc_args_conn_env (&conn, err, sizeof (err)), 0);
    CHECK_STR (conn.broker, "tcp://broker.lan:7401");
    CHECK_STR (conn.cert, "/etc/ddc/nas.cert");
    CHECK_STR (conn.broker_cert, "/etc/ddc/broker.cert");
    CHECK (!conn.insecure);
    CHECK_EQ (ddc_args_conn_check (&conn, err, sizeof (err)), 0);
    //  a flag, set after, wins
    conn.cert = "/flag/nas.cert";
    CHECK_EQ (ddc_args_conn_check (&conn, err, sizeof (err)), 0);
    CHECK_STR (conn.cert, "/flag/nas.cert");
    setenv ("DDC_INSECURE", "perhaps", 1);
    CHECK (ddc_args_conn_env (&conn, err, sizeof (err)) == -1 && strstr (err, "DDC_INSECURE"));
    s_clear_env ();
}

DDC_TEST (test_conn_checks)
{
    char err [512];
    struct {
        ddc_args_conn_t conn;
        const char *want; //  NULL = accepted, else a part of the reason
    } cases [] = {
        { { .broker = "ipc:///srv/ddc/ctl.sock" }, NULL },
        { { .broker = "tcp://b:7401", .cert = "/c", .broker_cert = "/b" }, NULL },
        { { .broker = "tcp://b:7401", .insecure = true }, NULL },
        { { .broker = "tcp://b:7401", .cert = "/c", .broker_cert = "/b", .insecure = true }, NULL },
        { { .broker = NULL }, "DDC_BROKER" },
        { { .broker = "" }, "DDC_BROKER" },
        { { .broker = "udp://b:1" }, "ipc://PATH or tcp://HOST:PORT" },
        //  the silent plain TCP of a forgotten certificate
        { { .broker = "tcp://b:7401" }, "--insecure" },
        { { .broker = "tcp://b:7401", .cert = "/c" }, "DDC_BROKER_CERT" },
        { { .broker = "tcp://b:7401", .broker_cert = "/b" }, "DDC_CERT" },
        { { .broker = "tcp://b:7401", .cert = "", .broker_cert = "/b", .insecure = true },
          "DDC_CERT" },
        { { .broker = "ipc:///x/ctl.sock", .cert = "/c", .broker_cert = "/b" }, "no CURVE" },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases [0]); i++) {
        err [0] = '\0';
        int rc = ddc_args_conn_check (&cases [i].conn, err, sizeof (err));
        if (!cases [i].want)
            CHECK_EQ (rc, 0);
        else {
            CHECK_EQ (rc, -1);
            CHECK (strstr (err, cases [i].want) != NULL);
            if (!strstr (err, cases [i].want))
                fprintf (stderr, "case %zu: %s\n", i, err);
        }
    }
}

DDC_TEST (test_data_dir_choice)
{
    s_tmpdir ();
    umask (0);
    char err [512];
    char *flag = ddc_asprintf ("%s/flag/sub", s_tmp);
    char *env = ddc_asprintf ("%s/env", s_tmp);
    char *sys = ddc_asprintf ("%s/var-lib-ddc", s_tmp);
    char *xdg = ddc_asprintf ("%s/xdg", s_tmp);
    char *home = ddc_asprintf ("%s/home", s_tmp);
    char *file = ddc_asprintf ("%s/a-file", s_tmp);
    int fd = open (file, O_CREAT | O_WRONLY, 0600);
    CHECK (fd >= 0);
    close (fd);
    char *blocked = ddc_asprintf ("%s/ddc", file); //  its parent is no folder

    //  --data first, created with its parents, mode 0700
    char *dir = ddc_args_data_dir_from (flag, env, sys, xdg, home, err, sizeof (err));
    CHECK_STR (dir, flag);
    struct stat st;
    CHECK (stat (flag, &st) == 0 && S_ISDIR (st.st_mode) && (st.st_mode & 0777) == 0700);
    free (dir);
    //  then DDC_DATA
    dir = ddc_args_data_dir_from (NULL, env, sys, xdg, home, err, sizeof (err));
    CHECK_STR (dir, env);
    free (dir);
    //  then the system folder, when it may be created or written
    dir = ddc_args_data_dir_from (NULL, NULL, sys, xdg, home, err, sizeof (err));
    CHECK_STR (dir, sys);
    free (dir);
    dir = ddc_args_data_dir_from (NULL, "", sys, xdg, home, err, sizeof (err));
    CHECK_STR (dir, sys); //  empty DDC_DATA: unset
    free (dir);
    //  then $XDG_STATE_HOME/ddc (absolute only), then ~/.local/state/ddc
    char *want = ddc_asprintf ("%s/ddc", xdg);
    dir = ddc_args_data_dir_from (NULL, NULL, blocked, xdg, home, err, sizeof (err));
    CHECK_STR (dir, want);
    free (dir);
    free (want);
    want = ddc_asprintf ("%s/.local/state/ddc", home);
    dir = ddc_args_data_dir_from (NULL, NULL, blocked, "relative/xdg", home, err, sizeof (err));
    CHECK_STR (dir, want);
    CHECK (stat (want, &st) == 0 && (st.st_mode & 0777) == 0700);
    free (dir);
    free (want);
    //  nothing to go by
    dir = ddc_args_data_dir_from (NULL, NULL, blocked, NULL, NULL, err, sizeof (err));
    CHECK (dir == NULL && strstr (err, "DDC_DATA"));
    //  a data folder that cannot be made
    dir = ddc_args_data_dir_from (blocked, NULL, NULL, NULL, NULL, err, sizeof (err));
    CHECK (dir == NULL && strstr (err, blocked));
    dir = ddc_args_data_dir_from ("", NULL, sys, NULL, NULL, err, sizeof (err));
    CHECK (dir == NULL && strstr (err, "--data"));
    //  a relative folder comes back absolute
    CHECK_EQ (chdir (s_tmp), 0);
    dir = ddc_args_data_dir_from ("rel", NULL, NULL, NULL, NULL, err, sizeof (err));
    want = ddc_asprintf ("%s/rel", s_tmp);
    char real [PATH_MAX];
    CHECK (realpath (want, real) != NULL);
    CHECK_STR (dir, real);
    free (dir);
    free (want);
    //  an existing folder keeps its mode
    CHECK_EQ (chmod (env, 0750), 0);
    dir = ddc_args_data_dir_from (env, NULL, NULL, NULL, NULL, err, sizeof (err));
    CHECK (dir && stat (env, &st) == 0 && (st.st_mode & 0777) == 0750);
    free (dir);
    free (flag);
    free (env);
    free (sys);
    free (xdg);
    free (home);
    free (file);
    free (blocked);
    s_rmtmp ();
}

DDC_TEST (test_data_dir_from_the_environment)
{
    s_tmpdir ();
    s_clear_env ();
    char err [512];
    char *env = ddc_asprintf ("%s/from-env", s_tmp);
    setenv ("DDC_DATA", env, 1);
    char *dir = ddc_args_data_dir (NULL, err, sizeof (err));
    CHECK_STR (dir, env);
    free (dir);
    s_clear_env ();
    free (env);
    s_rmtmp ();
}

DDC_TEST (test_mkdirs)
{
    s_tmpdir ();
    umask (022);
    char *deep = ddc_asprintf ("%s/a/b/c", s_tmp);
    CHECK_EQ (ddc_mkdirs (deep, 0700), 0);
    CHECK_EQ (ddc_mkdirs (deep, 0700), 0); //  there already
    struct stat st;
    CHECK (stat (deep, &st) == 0 && (st.st_mode & 0777) == 0700);
    char *file = ddc_asprintf ("%s/f", s_tmp);
    int fd = open (file, O_CREAT | O_WRONLY, 0600);
    close (fd);
    CHECK (ddc_mkdirs (file, 0700) == -1 && errno == ENOTDIR);
    CHECK (ddc_mkdirs ("", 0700) == -1);
    free (deep);
    free (file);
    s_rmtmp ();
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_env_bool);
    DDC_RUN (test_conn_from_env_then_flags);
    DDC_RUN (test_conn_checks);
    DDC_RUN (test_data_dir_choice);
    DDC_RUN (test_data_dir_from_the_environment);
    DDC_RUN (test_mkdirs);
    DDC_DONE ();
}
