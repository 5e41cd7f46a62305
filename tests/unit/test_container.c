/*  Unit tests of the image's entrypoint (services/container): the plan of
    each role from the environment and the user's arguments (plan.c), and
    the PUID/PGID/UMASK checks (privs.c). The modules are compiled in. */
#include "../../services/container/plan.c"
#include "../../services/container/privs.c"
#include "ddc_test.h"

//  A fake environment: NAME=VALUE pairs, NULL-terminated.
static const char *const *s_env;

static const char *
s_getenv (const char *name)
{
    for (int i = 0; s_env && s_env [i]; i++) {
        size_t n = strlen (name);
        if (strncmp (s_env [i], name, n) == 0 && s_env [i][n] == '=')
            return s_env [i] + n + 1;
    }
    return NULL;
}

//  The plan's argv joined with spaces (without argv[0]).
static char s_line [2048];
static const char *
s_args (const ct_plan_t *plan)
{
    s_line [0] = '\0';
    for (int i = 1; i < plan->argv.n; i++) {
        if (i > 1)
            strcat (s_line, " ");
        strcat (s_line, plan->argv.v [i]);
    }
    return s_line;
}

static char s_err [512];

static int
s_plan (ct_plan_t *plan, ct_role_t role, const char *const *env, const char *const *args)
{
    s_env = env;
    int n = 0;
    while (args && args [n])
        n++;
    return ct_plan (plan, role, s_getenv, (char *const *) args, n, s_err, sizeof (s_err));
}

DDC_TEST (test_defaults)
{
    ct_plan_t p;
    CHECK (s_plan (&p, CT_BROKER, NULL, NULL) == 0);
    CHECK_STR (p.program, "ddc-broker");
    CHECK_STR (p.argv.v [0], "ddc-broker");
    CHECK_STR (s_args (&p), "--data /data --ctl ipc:///data/ctl.sock --pub ipc:///data/pub.sock");
    CHECK_STR (p.data, "/data");
    CHECK (p.sock_dir == NULL);
    CHECK_EQ (p.health.n, 1);
    CHECK_STR (p.health.v [0], "ping ipc:///data/ctl.sock");
    ct_plan_free (&p);

    CHECK (s_plan (&p, CT_WEB, NULL, NULL) == 0);
    CHECK_STR (s_args (&p), "--broker ipc:///data/ctl.sock --listen :9374");
    CHECK_STR (p.health.v [0], "http 127.0.0.1 9374");
    ct_plan_free (&p);

    CHECK (s_plan (&p, CT_DISCORD, NULL, NULL) == 0);
    CHECK_STR (s_args (&p), "--broker ipc:///data/ctl.sock --instance main "
                            "--cache /data/discord.cache.json --state /data/discord.state.json");
    CHECK_STR (p.health.v [0], "peer discord@main ipc:///data/ctl.sock");
    ct_plan_free (&p);

    CHECK (s_plan (&p, CT_DOCKER, NULL, NULL) == 0);
    CHECK_STR (s_args (&p), "--broker ipc:///data/ctl.sock --host local "
                            "--docker-socket /var/run/docker.sock "
                            "--cache /data/docker-local.cache.json "
                            "--audit /data/docker-local.audit.log");
    CHECK_STR (p.docker_socket, "/var/run/docker.sock");
    CHECK_STR (p.health.v [0], "peer docker@local ipc:///data/ctl.sock");
    ct_plan_free (&p);

    CHECK (s_plan (&p, CT_CTL, NULL, (const char *const []){ "status", NULL }) == 0);
    CHECK_STR (s_args (&p), "status");
    CHECK_EQ (p.health.n, 0);
    ct_plan_free (&p);
}

DDC_TEST (test_environment)
{
    static const char *const env [] = { "DDC_DATA=/appdata",
                                        "DDC_BROKER=ipc:///run/ddc/ctl.sock",
                                        "DDC_HOST=nas",
                                        "DDC_INSTANCE=web-2",
                                        "DDC_DOCKER_SOCKET=/run/docker.sock",
                                        "DDC_CERT=/k/a.cert",
                                        "DDC_BROKER_CERT=/k/broker.cert",
                                        "EMPTY=",
                                        NULL };
    ct_plan_t p;
    //  The broker listens where the clients are told to connect.
    CHECK (s_plan (&p, CT_BROKER, env, NULL) == 0);
    CHECK_STR (s_args (&p), "--data /appdata --ctl ipc:///run/ddc/ctl.sock "
                            "--pub ipc:///run/ddc/pub.sock");
    CHECK_STR (p.sock_dir, "/run/ddc");
    ct_plan_free (&p);

    CHECK (s_plan (&p, CT_WEB, env, NULL) == 0);
    CHECK_STR (s_args (&p), "--broker ipc:///run/ddc/ctl.sock --listen :9374 --instance web-2");
    ct_plan_free (&p);

    CHECK (s_plan (&p, CT_DOCKER, env, NULL) == 0);
    CHECK_STR (s_args (&p), "--broker ipc:///run/ddc/ctl.sock --cert /k/a.cert "
                            "--broker-cert /k/broker.cert --host nas "
                            "--docker-socket /run/docker.sock "
                            "--cache /appdata/docker-nas.cache.json "
                            "--audit /appdata/docker-nas.audit.log");
    CHECK_STR (p.health.v [0], "peer docker@nas ipc:///run/ddc/ctl.sock");
    ct_plan_free (&p);

    //  A tcp:// broker endpoint: the broker role keeps its own ipc default.
    static const char *const tcp [] = { "DDC_BROKER=tcp://broker:7401", NULL };
    CHECK (s_plan (&p, CT_BROKER, tcp, NULL) == 0);
    CHECK_STR (s_args (&p), "--data /data --ctl ipc:///data/ctl.sock --pub ipc:///data/pub.sock");
    ct_plan_free (&p);
    CHECK (s_plan (&p, CT_DISCORD, tcp, NULL) == 0);
    CHECK_STR (p.health.v [0], "peer discord@main tcp://broker:7401");
    ct_plan_free (&p);

    //  Sockets inside the data folder are not a folder of their own.
    static const char *const inside [] = { "DDC_BROKER=ipc:///data/run/ctl.sock", NULL };
    CHECK (s_plan (&p, CT_BROKER, inside, NULL) == 0);
    CHECK (p.sock_dir == NULL);
    ct_plan_free (&p);
    static const char *const beside [] = { "DDC_BROKER=ipc:///data2/ctl.sock", NULL };
    CHECK (s_plan (&p, CT_BROKER, beside, NULL) == 0);
    CHECK_STR (p.sock_dir, "/data2");
    ct_plan_free (&p);
}

DDC_TEST (test_user_arguments_win)
{
    static const char *const env [] = { "DDC_HOST=nas", NULL };
    ct_plan_t p;
    CHECK (s_plan (&p, CT_DOCKER, env,
                   (const char *const []){ "--host=pi", "--cache", "/c.json", "-v", NULL })
           == 0);
    CHECK_STR (s_args (&p), "--broker ipc:///data/ctl.sock --docker-socket /var/run/docker.sock "
                            "--audit /data/docker-pi.audit.log --host=pi --cache /c.json -v");
    CHECK_STR (p.health.v [0], "peer docker@pi ipc:///data/ctl.sock");
    ct_plan_free (&p);

    CHECK (
        s_plan (&p, CT_WEB, NULL,
                (const char *const []){ "--listen", "[::]:8080", "--broker", "tcp://b:7401", NULL })
        == 0);
    CHECK_STR (p.health.v [0], "http ::1 8080");
    CHECK_STR (s_args (&p), "--listen [::]:8080 --broker tcp://b:7401");
    ct_plan_free (&p);
    CHECK (s_plan (&p, CT_WEB, NULL, (const char *const []){ "--listen=10.1.2.3:80", NULL }) == 0);
    CHECK_STR (p.health.v [0], "http 10.1.2.3 80");
    ct_plan_free (&p);

    //  A broker on tcp only: its check goes to the loopback address.
    CHECK (s_plan (&p, CT_BROKER, NULL,
                   (const char *const []){ "--ctl", "tcp://*:7401", "--data", "/srv", NULL })
           == 0);
    CHECK_STR (s_args (&p), "--ctl tcp://*:7401 --data /srv");
    CHECK_STR (p.data, "/srv");
    CHECK_STR (p.health.v [0], "ping tcp://127.0.0.1:7401");
    ct_plan_free (&p);
    CHECK (s_plan (&p, CT_BROKER, NULL,
                   (const char *const []){ "--ctl", "tcp://*:7401,ipc:///data/ctl.sock", NULL })
           == 0);
    CHECK_STR (p.health.v [0], "ping ipc:///data/ctl.sock");
    ct_plan_free (&p);

    //  "--" ends the options: what follows is not looked at.
    CHECK (ct_opt ((char *const []){ "--", "--host", "x" }, 3, "--host") == NULL);
    CHECK_STR (ct_opt ((char *const []){ "--host", "a", "--host=b" }, 3, "--host"), "b");
    CHECK (ct_opt ((char *const []){ "--hostname", "a" }, 2, "--host") == NULL);
    CHECK (ct_opt ((char *const []){ "--host" }, 1, "--host") == NULL);
}

DDC_TEST (test_bad_plans)
{
    ct_plan_t p;
    static const char *const root [] = { "DDC_DATA=/", NULL };
    CHECK (s_plan (&p, CT_WEB, root, NULL) < 0);
    CHECK (strstr (s_err, "absolute path other than /"));
    static const char *const rel [] = { "DDC_DATA=data", NULL };
    CHECK (s_plan (&p, CT_WEB, rel, NULL) < 0);
    static const char *const host [] = { "DDC_HOST=-x", NULL };
    CHECK (s_plan (&p, CT_DOCKER, host, NULL) < 0);
    CHECK (strstr (s_err, "'-x' is not a usable host name"));
    static const char *const inst [] = { "DDC_INSTANCE=a/b", NULL };
    CHECK (s_plan (&p, CT_DISCORD, inst, NULL) < 0);
    CHECK (strstr (s_err, "instance name"));
    CHECK (s_plan (&p, CT_WEB, NULL, (const char *const []){ "--listen", "9374", NULL }) < 0);
    CHECK (strstr (s_err, "want ADDR:PORT"));
}

DDC_TEST (test_split_and_roles)
{
    ct_vec_t v = { 0 };
    ct_split_words (&v, "  --discord-api http://x/api \t-v\n");
    CHECK_EQ (v.n, 3);
    CHECK_STR (v.v [0], "--discord-api");
    CHECK_STR (v.v [2], "-v");
    CHECK (v.v [3] == NULL);
    ct_vec_free (&v);
    ct_split_words (&v, "");
    CHECK_EQ (v.n, 0);
    ct_vec_free (&v);
    CHECK_EQ (ct_role_find ("docker"), CT_DOCKER);
    CHECK_EQ (ct_role_find ("all"), -1);
    CHECK_STR (ct_role_name (CT_CTL), "ctl");
    s_env = (const char *const []){ "PUID=", NULL };
    CHECK_STR (ct_env_get (s_getenv, "PUID"), "1000");
}

DDC_TEST (test_ids)
{
    ct_ids_t ids;
    char err [256];
    CHECK_EQ (ct_ids_parse (&ids, "99", "100", "002", err, sizeof (err)), 0);
    CHECK_EQ (ids.uid, 99);
    CHECK_EQ (ids.gid, 100);
    CHECK_EQ (ids.umask, 02);
    CHECK_EQ (ct_ids_parse (&ids, "0", "0", "0777", err, sizeof (err)), 0);
    CHECK_EQ (ids.umask, 0777);
    CHECK_EQ (ct_ids_parse (&ids, "2147483647", "1", "22", err, sizeof (err)), 0);
    CHECK (ct_ids_parse (&ids, "2147483648", "1", "22", err, sizeof (err)) < 0);
    CHECK (strstr (err, "PUID must be a number"));
    CHECK (ct_ids_parse (&ids, "1", "-1", "22", err, sizeof (err)) < 0);
    CHECK (strstr (err, "PGID"));
    CHECK (ct_ids_parse (&ids, "1", "1", "8", err, sizeof (err)) < 0);
    CHECK (strstr (err, "UMASK must be octal"));
    CHECK (ct_ids_parse (&ids, "1", "1", "01000", err, sizeof (err)) < 0);
    CHECK (ct_ids_parse (&ids, "1", "1", "", err, sizeof (err)) < 0);
    CHECK (ct_ids_parse (&ids, "", "1", "22", err, sizeof (err)) < 0);
}

int
main (int argc, char *argv [])
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_defaults);
    DDC_RUN (test_environment);
    DDC_RUN (test_user_arguments_win);
    DDC_RUN (test_bad_plans);
    DDC_RUN (test_split_and_roles);
    DDC_RUN (test_ids);
    DDC_DONE ();
}
