/*  ddc-ctl main: global options, help, version and command dispatch.
    Owns ctl_getopt (the option parser shared by every command, so global
    options may come before or after the command name) and ctl_fail. */
#include "ctl.h"
#include "ddc_args.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_BROKER = 1000,
    OPT_CERT,
    OPT_BROKER_CERT,
    OPT_INSECURE,
    OPT_TIMEOUT,
    OPT_AUTHOR,
    OPT_COMPACT,
    OPT_VERSION
};

static const struct option s_global_opts [] = { { "broker", required_argument, NULL, OPT_BROKER },
                                                { "cert", required_argument, NULL, OPT_CERT },
                                                { "broker-cert", required_argument, NULL,
                                                  OPT_BROKER_CERT },
                                                { "insecure", no_argument, NULL, OPT_INSECURE },
                                                { "timeout", required_argument, NULL, OPT_TIMEOUT },
                                                { "author", required_argument, NULL, OPT_AUTHOR },
                                                { "compact", no_argument, NULL, OPT_COMPACT },
                                                { "verbose", no_argument, NULL, 'v' },
                                                { "help", no_argument, NULL, 'h' },
                                                { "version", no_argument, NULL, OPT_VERSION },
                                                { NULL, 0, NULL, 0 } };

static const char s_usage [] =
    "usage: ddc-ctl [GLOBAL OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "The operator CLI of ddc: reads and changes the live configuration held by\n"
    "ddc-broker, follows its changes and shows who runs what.\n"
    "\n"
    "commands:\n"
    "  get [SECTION]                 print the configuration (secrets as \"***\")\n"
    "  set SECTION FILE|- [--expect-rev REV]\n"
    "                                replace a section with the JSON in FILE or stdin\n"
    "  rollback SECTION REV          save the value SECTION had at REV as a new revision\n"
    "  watch [--count N] [SECTION...]\n"
    "                                print one JSON line per change, as it happens\n"
    "  history [SECTION] [--json]    list the recorded changes\n"
    "  audit [--actions|--config] [--since T] [--container NAME] [--json]\n"
    "                                who did what: actions and changes, newest first\n"
    "  status [--json]               the broker and its peers\n"
    "  monitor [--json] [--count N]  the peers, then the broker's events as they come\n"
    "  containers [HOST] [--json]    the containers of the ddc-docker agents\n"
    "  action HOST/NAME ACTION [--lines N]\n"
    "                                start, stop, restart, logs or status of a container\n"
    "  ping                          check that the broker answers\n"
    "  health [ROLE@INSTANCE]        exit 0 when the broker answers and sees the peer\n"
    "  keygen NAME --role ROLE [--instances LIST] [--dir DIR]\n"
    "                                create a CURVE certificate for a client\n"
    "  keygen --broker-key [--dir DIR] create the broker's CURVE certificate\n"
    "  passwd [--clear]              set the web UI's password (read from stdin)\n"
    "  setup-code                    print the web UI's first-run setup code\n"
    "  import-ddc DIR [--dry-run] [--force] [--host NAME] [--json]\n"
    "                                import DockerDiscordControl's config folder\n"
    "  help [COMMAND]                this text, or a command's\n"
    "\n"
    "global options (before or after the command):\n"
    "  --broker ENDPOINT   CTL endpoint of the broker (env DDC_BROKER; default\n"
    "                      ipc://<absolute ./data>/ctl.sock when ./data exists)\n"
    "  --cert FILE         CURVE client certificate, for tcp:// (env DDC_CERT);\n"
    "                      its secret part FILE_secret is read too\n"
    "  --broker-cert FILE  the broker's public certificate (env DDC_BROKER_CERT)\n"
    "  --insecure          allow tcp:// without certificates, as plain TCP\n"
    "                      (env DDC_INSECURE=1)\n"
    "  --timeout SECONDS   how long to wait for the broker (default 5)\n"
    "  --author NAME       recorded with each change and action (default\n"
    "                      $USER@hostname)\n"
    "  --compact           print JSON on one line\n"
    "  -v, --verbose       log to stderr (twice: debug)\n"
    "  -h, --help          this text\n"
    "  --version           print the versions and exit\n"
    "\n"
    "A flag wins over its environment variable. A tcp:// broker without\n"
    "certificates is refused unless --insecure is given.\n"
    "\n"
    "exit codes: 0 ok, 1 other error, 2 usage, 3 conflict (the section changed\n"
    "meanwhile), 4 invalid value or input, 5 broker unreachable or no reply,\n"
    "6 the broker refused the handshake (this certificate, or CURVE itself).\n";

typedef struct {
    const char *name;
    int (*fn) (ctl_t *ctl, int argc, char **argv);
} s_command_t;

static const s_command_t s_commands [] = { { "get", cmd_get },
                                           { "set", cmd_set },
                                           { "rollback", cmd_rollback },
                                           { "watch", cmd_watch },
                                           { "history", cmd_history },
                                           { "audit", cmd_audit },
                                           { "status", cmd_status },
                                           { "monitor", cmd_monitor },
                                           { "containers", cmd_containers },
                                           { "action", cmd_action },
                                           { "ping", cmd_ping },
                                           { "health", cmd_health },
                                           { "keygen", cmd_keygen },
                                           { "passwd", cmd_passwd },
                                           { "setup-code", cmd_setup_code },
                                           { "import-ddc", cmd_import_ddc },
                                           { NULL, NULL } };

int
ctl_fail (ctl_t *ctl, int code, const char *fmt, ...)
{
    char line [1024];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (line, sizeof (line), fmt, ap);
    va_end (ap);
    if (ctl && ctl->command)
        fprintf (stderr, "%s %s: %s\n", CTL_PROG, ctl->command, line);
    else
        fprintf (stderr, "%s: %s\n", CTL_PROG, line);
    fflush (stderr);
    return code;
}

static void
s_print_version (void)
{
    int zmaj, zmin, zpat, cmaj, cmin, cpat;
    zmq_version (&zmaj, &zmin, &zpat);
    zsys_version (&cmaj, &cmin, &cpat);
    printf ("%s %s (libzmq %d.%d.%d, czmq %d.%d.%d)\n", CTL_PROG, DDC_VERSION, zmaj, zmin, zpat,
            cmaj, cmin, cpat);
}

//  The author is a TEXT frame: 1 to 256 bytes of printable UTF-8.
static bool
s_author_ok (const char *s)
{
    size_t len = strlen (s);
    bool not_utf8;
    return len > 0 && len <= DDC_MAX_TEXT && ddc_utf8_printable (s, len, &not_utf8) == len;
}

static char *
s_default_author (void)
{
    const char *user = getenv ("USER");
    if (!user || !*user)
        user = getenv ("LOGNAME");
    if (!user || !*user) {
        struct passwd *pw = getpwuid (getuid ());
        user = pw ? pw->pw_name : NULL;
    }
    char host [256] = "";
    if (gethostname (host, sizeof (host) - 1) < 0)
        host [0] = '\0';
    host [sizeof (host) - 1] = '\0';
    char *author = NULL;
    if (user && *user && *host)
        author = ddc_asprintf ("%s@%s", user, host);
    else if (user && *user)
        author = ddc_strdup (user);
    if (!author || !s_author_ok (author)) {
        free (author);
        author = ddc_strdup (CTL_PROG);
    }
    return author;
}

//  Logs (ddc_log and czmq's) only with -v, and only on stderr.
static void
s_apply_logging (ctl_t *ctl)
{
    ddc_log_init (CTL_PROG);
    if (ctl->verbose >= 2)
        ddc_log_set_level (DDC_LOG_DEBUG);
    else if (ctl->verbose == 1)
        ddc_log_set_level (DDC_LOG_INFO);
    else
        ddc_log_set_level ((ddc_log_level_t) (DDC_LOG_ERROR + 1));
    zsys_set_logstream (ctl->verbose ? stderr : NULL);
}

static void
s_replace (char **field, const char *value)
{
    free (*field);
    *field = ddc_strdup (value);
}

static int
s_parse_timeout (ctl_t *ctl, const char *value)
{
    char *end = NULL;
    errno = 0;
    double s = strtod (value, &end);
    if (errno || end == value || *end || !isfinite (s) || s <= 0 || s > 86400)
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "--timeout wants seconds between 0 and 86400, not '%s'", value);
    ctl->timeout_ms = (int64_t) llround (s * 1000.0);
    ctl->timeout_set = true;
    if (ctl->timeout_ms < 1)
        ctl->timeout_ms = 1;
    return 0;
}

int
ctl_getopt (ctl_t *ctl, int argc, char **argv, const char *shortopts, const struct option *opts,
            ctl_opt_fn *fn, void *arg, const char *usage, int *first)
{
    //  One table: the global options, then the command's.
    size_t nglobal = sizeof (s_global_opts) / sizeof (s_global_opts [0]) - 1;
    size_t ncmd = 0;
    while (opts && opts [ncmd].name)
        ncmd++;
    struct option *all = ddc_calloc (nglobal + ncmd + 1, sizeof (*all));
    memcpy (all, s_global_opts, nglobal * sizeof (*all));
    if (ncmd)
        memcpy (all + nglobal, opts, ncmd * sizeof (*all));
    //  Before the command, stop at the first non-option ("+"); after it,
    //  let GNU getopt move the options in front of the arguments.
    char *optstring = ddc_asprintf ("%s:hv%s", ctl->command ? "" : "+", shortopts ? shortopts : "");
    int rc = -1;
    opterr = 0;
    optind = 0; //  glibc: full re-initialisation
    int c;
    while (rc < 0 && (c = getopt_long (argc, argv, optstring, all, NULL)) != -1) {
        switch (c) {
            case OPT_BROKER:
                s_replace (&ctl->broker, optarg);
                break;
            case OPT_CERT:
                s_replace (&ctl->cert, optarg);
                break;
            case OPT_BROKER_CERT:
                s_replace (&ctl->broker_cert, optarg);
                break;
            case OPT_INSECURE:
                ctl->insecure = true;
                break;
            case OPT_TIMEOUT:
                if (s_parse_timeout (ctl, optarg))
                    rc = CTL_EXIT_USAGE;
                break;
            case OPT_AUTHOR:
                if (!s_author_ok (optarg))
                    rc = ctl_fail (ctl, CTL_EXIT_USAGE,
                                   "--author must be 1 to %d bytes of printable UTF-8",
                                   DDC_MAX_TEXT);
                else {
                    s_replace (&ctl->author, optarg);
                    ctl->author_set = true;
                }
                break;
            case OPT_COMPACT:
                ctl->compact = true;
                break;
            case 'v':
                ctl->verbose++;
                break;
            case 'h':
                fputs (usage, stdout);
                rc = CTL_EXIT_OK;
                break;
            case OPT_VERSION:
                s_print_version ();
                rc = CTL_EXIT_OK;
                break;
            case '?':
                if (optopt && optopt < 256)
                    rc = ctl_fail (ctl, CTL_EXIT_USAGE, "unknown option '-%c' (see %s%s%s --help)",
                                   optopt, CTL_PROG, ctl->command ? " " : "",
                                   ctl->command ? ctl->command : "");
                else
                    rc = ctl_fail (ctl, CTL_EXIT_USAGE, "unknown option '%s' (see %s%s%s --help)",
                                   argv [optind - 1], CTL_PROG, ctl->command ? " " : "",
                                   ctl->command ? ctl->command : "");
                break;
            case ':':
                rc = ctl_fail (ctl, CTL_EXIT_USAGE, "option '%s' needs a value", argv [optind - 1]);
                break;
            default:
                if (fn) {
                    int frc = fn (arg, c, optarg);
                    if (frc)
                        rc = frc;
                }
                else
                    rc = ctl_fail (ctl, CTL_EXIT_USAGE, "unexpected option");
                break;
        }
    }
    free (optstring);
    free (all);
    s_apply_logging (ctl);
    *first = optind;
    return rc;
}

static const s_command_t *
s_find (const char *name)
{
    for (const s_command_t *cmd = s_commands; cmd->name; cmd++)
        if (strcmp (cmd->name, name) == 0)
            return cmd;
    return NULL;
}

static int
s_run (ctl_t *ctl, int argc, char **argv)
{
    int first = 0;
    int rc = ctl_getopt (ctl, argc, argv, NULL, NULL, NULL, NULL, s_usage, &first);
    if (rc >= 0)
        return rc;
    if (first >= argc)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "missing command (see %s --help)", CTL_PROG);
    const char *name = argv [first];
    if (strcmp (name, "help") == 0) {
        if (first + 1 >= argc) {
            fputs (s_usage, stdout);
            return CTL_EXIT_OK;
        }
        const s_command_t *cmd = s_find (argv [first + 1]);
        if (!cmd)
            return ctl_fail (ctl, CTL_EXIT_USAGE, "unknown command '%s' (see %s --help)",
                             argv [first + 1], CTL_PROG);
        char *help_argv [] = { (char *) cmd->name, (char *) "--help", NULL };
        ctl->command = cmd->name;
        return cmd->fn (ctl, 2, help_argv);
    }
    const s_command_t *cmd = s_find (name);
    if (!cmd)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "unknown command '%s' (see %s --help)", name,
                         CTL_PROG);
    ctl->command = cmd->name;
    return cmd->fn (ctl, argc - first, argv + first);
}

int
main (int argc, char **argv)
{
    ctl_t ctl = { .timeout_ms = 5000 };
    ddc_args_conn_t conn;
    char err [256];
    if (ddc_args_conn_env (&conn, err, sizeof (err)) < 0)
        return ctl_fail (NULL, CTL_EXIT_USAGE, "%s", err);
    ctl.broker = conn.broker ? ddc_strdup (conn.broker) : NULL;
    ctl.cert = conn.cert ? ddc_strdup (conn.cert) : NULL;
    ctl.broker_cert = conn.broker_cert ? ddc_strdup (conn.broker_cert) : NULL;
    ctl.insecure = conn.insecure;
    ctl.author = s_default_author ();

    int rc = s_run (&ctl, argc, argv);

    if (fflush (stdout) != 0 && rc == CTL_EXIT_OK) {
        ctl.command = NULL;
        rc = ctl_fail (&ctl, CTL_EXIT_FAIL, "cannot write the output: %s", strerror (errno));
    }
    free (ctl.broker);
    free (ctl.cert);
    free (ctl.broker_cert);
    free (ctl.author);
    return rc;
}
