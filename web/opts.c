/*  opts: the command line. See opts.h. */
#include "opts.h"

#include "ddc_args.h"
#include "ddc_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char opts_usage [] =
    "usage: ddc-web [OPTIONS]\n"
    "\n"
    "The web UI of ddc: every setting, live status of the Docker hosts and the\n"
    "Discord gateway, save feedback from every service and the change history,\n"
    "served over plain HTTP (put a TLS proxy in front; see web/README.md).\n"
    "\n"
    "options:\n"
    "  --broker ENDPOINT        CTL endpoint of ddc-broker, ipc://PATH or\n"
    "                           tcp://HOST:PORT (env DDC_BROKER)\n"
    "  --listen ADDR:PORT       where to serve HTTP (default " OPTS_DEFAULT_LISTEN ";\n"
    "                           [::1]:9374 for IPv6, :9374 for all addresses)\n"
    "  --instance NAME          this service's peer name is web@NAME\n"
    "                           (default: the host name)\n"
    "  --cert FILE              CURVE client certificate for tcp:// (env DDC_CERT)\n"
    "  --broker-cert FILE       the broker's public certificate (env DDC_BROKER_CERT)\n"
    "  --insecure               allow tcp:// without certificates, as plain TCP\n"
    "                           (env DDC_INSECURE=1)\n"
    "  --trust-forwarded-for    take the client address from X-Forwarded-For\n"
    "                           (only behind a proxy that sets it)\n"
    "  --session-idle SECONDS   sign a browser out after SECONDS without a\n"
    "                           request (1..86400), instead of the minutes of\n"
    "                           web.session_idle_minutes (a shared screen)\n"
    "  --log-idle SECONDS       stop following a container's log after SECONDS\n"
    "                           without a new line (1..86400, default 600)\n"
    "  --pidfile PATH           where Kore writes its PID (default: a private\n"
    "                           temporary file, removed at exit)\n"
    "  -v, --verbose            more log output (twice: debug)\n"
    "  -h, --help               this text\n"
    "  --version                print the versions and exit\n"
    "\n"
    "A flag wins over its environment variable. A tcp:// broker without\n"
    "certificates is refused unless --insecure is given.\n"
    "\n"
    "Nothing here needs a restart: ddc-web follows every configuration change\n"
    "(password, session timeout, UI language) live through the broker.\n";

enum {
    OPT_BROKER = 1000,
    OPT_LISTEN,
    OPT_INSTANCE,
    OPT_SETUP_FILE,
    OPT_CERT,
    OPT_BROKER_CERT,
    OPT_TRUST_XFF,
    OPT_PIDFILE,
    OPT_INSECURE,
    OPT_VERSION,
    OPT_SESSION_IDLE,
    OPT_LOG_IDLE
};

static const struct option s_opts [] = {
    { "broker", required_argument, NULL, OPT_BROKER },
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "instance", required_argument, NULL, OPT_INSTANCE },
    { "setup-code-file", required_argument, NULL, OPT_SETUP_FILE },
    { "cert", required_argument, NULL, OPT_CERT },
    { "broker-cert", required_argument, NULL, OPT_BROKER_CERT },
    { "insecure", no_argument, NULL, OPT_INSECURE },
    { "trust-forwarded-for", no_argument, NULL, OPT_TRUST_XFF },
    { "pidfile", required_argument, NULL, OPT_PIDFILE },
    { "session-idle", required_argument, NULL, OPT_SESSION_IDLE },
    { "log-idle", required_argument, NULL, OPT_LOG_IDLE },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 }
};

int
opts_listen (const char *text, char *host, size_t hostlen, char *port, size_t portlen)
{
    if (!text || !*text)
        return -1;
    const char *colon;
    if (text [0] == '[') {
        const char *close = strchr (text, ']');
        if (!close || close [1] != ':' || (size_t) (close - text - 1) >= hostlen
            || close == text + 1)
            return -1;
        snprintf (host, hostlen, "%.*s", (int) (close - text - 1), text + 1);
        colon = close + 1;
    }
    else {
        colon = strrchr (text, ':');
        if (!colon || (size_t) (colon - text) >= hostlen
            || memchr (text, ':', (size_t) (colon - text)))
            return -1;
        if (colon == text)
            snprintf (host, hostlen, "0.0.0.0");
        else
            snprintf (host, hostlen, "%.*s", (int) (colon - text), text);
    }
    const char *p = colon + 1;
    uint64_t v;
    if (strlen (p) >= portlen || ddc_parse_u64 (p, &v) < 0 || v < 1 || v > 65535)
        return -1;
    snprintf (port, portlen, "%u", (unsigned) v);
    return 0;
}

static int
s_opt_copy (char *dst, size_t size, const char *src, const char *what, char *err, size_t errlen)
{
    if (!src || !*src || strlen (src) >= size) {
        snprintf (err, errlen, "%s: empty or too long", what);
        return -1;
    }
    ddc_strlcpy (dst, src, size);
    return 0;
}

int
opts_parse (opts_t *o, int argc, char **argv, char *err, size_t errlen)
{
    memset (o, 0, sizeof (*o));
    o->log_idle_s = 600;
    ddc_args_conn_t conn;
    if (ddc_args_conn_env (&conn, err, errlen) < 0
        || (conn.broker
            && s_opt_copy (o->broker, sizeof (o->broker), conn.broker, "DDC_BROKER", err, errlen) < 0)
        || (conn.cert
            && s_opt_copy (o->cert, sizeof (o->cert), conn.cert, "DDC_CERT", err, errlen) < 0)
        || (conn.broker_cert
            && s_opt_copy (o->broker_cert, sizeof (o->broker_cert), conn.broker_cert,
                           "DDC_BROKER_CERT", err, errlen)
                   < 0))
        return -1;
    o->insecure = conn.insecure;
    opts_listen (OPTS_DEFAULT_LISTEN, o->host, sizeof (o->host), o->port, sizeof (o->port));

    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long (argc, argv, "vh", s_opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
            case OPT_BROKER:
                rc = s_opt_copy (o->broker, sizeof (o->broker), optarg, "--broker", err, errlen);
                break;
            case OPT_LISTEN:
                if (opts_listen (optarg, o->host, sizeof (o->host), o->port, sizeof (o->port)) < 0) {
                    snprintf (err, errlen, "--listen: expected ADDR:PORT, [IPv6]:PORT or :PORT");
                    rc = -1;
                }
                break;
            case OPT_INSTANCE:
                rc = s_opt_copy (o->instance, sizeof (o->instance), optarg, "--instance", err,
                                 errlen);
                break;
            case OPT_SETUP_FILE:
                rc = s_opt_copy (o->setup_code_file, sizeof (o->setup_code_file), optarg,
                                 "--setup-code-file", err, errlen);
                break;
            case OPT_CERT:
                rc = s_opt_copy (o->cert, sizeof (o->cert), optarg, "--cert", err, errlen);
                break;
            case OPT_BROKER_CERT:
                rc = s_opt_copy (o->broker_cert, sizeof (o->broker_cert), optarg, "--broker-cert",
                                 err, errlen);
                break;
            case OPT_PIDFILE:
                rc = s_opt_copy (o->pidfile, sizeof (o->pidfile), optarg, "--pidfile", err, errlen);
                break;
            case OPT_SESSION_IDLE:
            case OPT_LOG_IDLE: {
                const char *flag = c == OPT_LOG_IDLE ? "--log-idle" : "--session-idle";
                char *end = NULL;
                errno = 0;
                long v = strtol (optarg, &end, 10);
                if (errno || end == optarg || *end || v < 1 || v > 86400) {
                    snprintf (err, errlen, "%s: expected seconds, 1 to 86400", flag);
                    rc = -1;
                }
                else
                    *(c == OPT_LOG_IDLE ? &o->log_idle_s : &o->session_idle_s) = (int) v;
                break;
            }
            case OPT_TRUST_XFF:
                o->trust_forwarded_for = true;
                break;
            case OPT_INSECURE:
                o->insecure = true;
                break;
            case 'v':
                o->verbose++;
                break;
            case 'h':
                o->help = true;
                break;
            case OPT_VERSION:
                o->version = true;
                break;
            default:
                if (optopt && optopt < 256)
                    snprintf (err, errlen, "unknown option -%c", optopt);
                else
                    snprintf (err, errlen, "unknown option or missing value: %s",
                              argv [optind - 1] ? argv [optind - 1] : "?");
                return -1;
        }
        if (rc < 0)
            return -1;
    }
    if (optind < argc) {
        snprintf (err, errlen, "unexpected argument: %s", argv [optind]);
        return -1;
    }
    if (o->help || o->version)
        return 0;
    conn = (ddc_args_conn_t){
        .broker = o->broker,
        .cert = o->cert,
        .broker_cert = o->broker_cert,
        .insecure = o->insecure,
    };
    return ddc_args_conn_check (&conn, err, errlen);
}
