/*  ddc-broker: owns the ddc configuration, versions and publishes every
    change, and routes actions and status between the ddc services.
    This file: command line, logging and signals; the work is in broker.c. */
#include "broker.h"
#include "ddc_args.h"
#include "ddc_curl.h"
#include "ddc_fdlimit.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <czmq.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
s_usage (FILE *out)
{
    fprintf (out,
             "usage: ddc-broker [options]\n"
             "\n"
             "Owns DATA/config.json, versions every change, publishes it to the ddc\n"
             "services and routes actions and status between them.\n"
             "\n"
             "  --data DIR            data folder (config.json, history, audit log, sockets,\n"
             "                        web-setup-code while no web password is set);\n"
             "                        env DDC_DATA, default ./data, created on first start\n"
             "  --ctl ENDPOINTS       request socket (ROUTER); default ipc://DATA/ctl.sock\n"
             "  --pub ENDPOINTS       publish socket (XPUB); default ipc://DATA/pub.sock\n"
             "                        (comma-separated lists, e.g. ipc://...,tcp://*:7401)\n"
             "  --advertise-pub EPS   PUB endpoints told to clients (default: --pub)\n"
             "  --keys DIR            CURVE for the tcp:// endpoints: DIR/broker.cert (created\n"
             "                        if missing) and DIR/clients/*.cert (ddc-ctl keygen);\n"
             "                        env DDC_KEYS\n"
             "  --insecure            allow tcp:// endpoints without CURVE (env DDC_INSECURE=1)\n"
             "  --pub-hwm N           messages queued per subscriber before the broker\n"
             "                        drops (default 256; subscribers repair gaps)\n"
             "  --watchdog-ca FILE    a CA certificate (PEM) that the watchdog also trusts,\n"
             "                        for an https:// monitor with its own CA (the system's\n"
             "                        CA folder is trusted too); read at each request\n"
             "  --watchdog-minute-ms MS\n"
             "                        for tests: the length of a watchdog minute (default\n"
             "                        60000), so that interval_minutes 1 can pass in a\n"
             "                        second\n"
             "  -v, --verbose         debug logging\n"
             "  -h, --help            this text\n"
             "  -V, --version         version\n"
             "\n"
             "Environment: SSL_CERT_DIR, the CA folder of the watchdog's https requests\n"
             "(default /etc/ssl/certs); DDC_DATA, DDC_KEYS, DDC_INSECURE as above, a flag\n"
             "winning over its variable. Stops cleanly on SIGTERM or SIGINT.\n");
}

int
main (int argc, char **argv)
{
    ddc_malloc_policy ();
    ddc_log_init ("ddc-broker");
    static const struct option longopts [] = {
        { "data", required_argument, NULL, 'd' },
        { "ctl", required_argument, NULL, 'c' },
        { "pub", required_argument, NULL, 'p' },
        { "advertise-pub", required_argument, NULL, 'a' },
        { "keys", required_argument, NULL, 'k' },
        { "insecure", no_argument, NULL, 'i' },
        { "pub-hwm", required_argument, NULL, 'H' },
        { "watchdog-ca", required_argument, NULL, 'C' },
        { "watchdog-minute-ms", required_argument, NULL, 'M' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    broker_opts_t opts = { .data_dir = "data", .keys_dir = ddc_args_env ("DDC_KEYS") };
    if (ddc_args_env ("DDC_DATA"))
        opts.data_dir = ddc_args_env ("DDC_DATA");
    char err [512] = "";
    if (ddc_args_env_bool ("DDC_INSECURE", &opts.insecure, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-broker: %s\n", err);
        return DDC_ARGS_USAGE;
    }
    opterr = 0;
    int c;
    while ((c = getopt_long (argc, argv, ":vhV", longopts, NULL)) != -1) {
        switch (c) {
            case 'd':
                opts.data_dir = optarg;
                break;
            case 'c':
                opts.ctl_endpoint = optarg;
                break;
            case 'p':
                opts.pub_endpoint = optarg;
                break;
            case 'a':
                opts.advertise_pub = optarg;
                break;
            case 'k':
                opts.keys_dir = optarg;
                break;
            case 'i':
                opts.insecure = true;
                break;
            case 'H': {
                char *end = NULL;
                long v = strtol (optarg, &end, 10);
                if (!end || *end || v < 1 || v > 10000000) {
                    fprintf (stderr, "ddc-broker: --pub-hwm takes a number from 1 to 10000000\n");
                    return 2;
                }
                opts.pub_hwm = (int) v;
                break;
            }
            case 'C':
                if (access (optarg, R_OK) != 0) {
                    fprintf (stderr, "ddc-broker: --watchdog-ca %s cannot be read: %s\n", optarg,
                             strerror (errno));
                    return 1;
                }
                opts.watchdog_ca = optarg;
                break;
            case 'M': {
                char *end = NULL;
                long v = strtol (optarg, &end, 10);
                if (!end || *end || v < 10 || v > 60000) {
                    fprintf (stderr, "ddc-broker: --watchdog-minute-ms takes a number from 10 "
                                     "to 60000\n");
                    return 2;
                }
                opts.watchdog_minute_ms = v;
                break;
            }
            case 'v':
                ddc_log_set_level (DDC_LOG_DEBUG);
                break;
            case 'h':
                s_usage (stdout);
                return 0;
            case 'V':
                printf ("ddc-broker %s (libzmq %d.%d.%d, czmq %d.%d.%d)\n", DDC_VERSION,
                        ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH, CZMQ_VERSION_MAJOR,
                        CZMQ_VERSION_MINOR, CZMQ_VERSION_PATCH);
                return 0;
            default:
                return ddc_args_bad_option ("ddc-broker", c, argv);
        }
    }
    if (ddc_args_no_more ("ddc-broker", argc, argv))
        return DDC_ARGS_USAGE;
    //  The default ipc endpoints live in the data folder, by absolute path so
    //  that clients started elsewhere find them.
    if (mkdir (opts.data_dir, 0700) < 0 && errno != EEXIST) {
        fprintf (stderr, "ddc-broker: cannot create data folder %s: %s\n", opts.data_dir,
                 strerror (errno));
        return 1;
    }
    char abs [PATH_MAX];
    if (!realpath (opts.data_dir, abs)) {
        fprintf (stderr, "ddc-broker: cannot resolve %s: %s\n", opts.data_dir, strerror (errno));
        return 1;
    }
    char *ctl = NULL, *pub = NULL;
    if (!opts.ctl_endpoint)
        opts.ctl_endpoint = ctl = ddc_asprintf ("ipc://%s/ctl.sock", abs);
    if (!opts.pub_endpoint)
        opts.pub_endpoint = pub = ddc_asprintf ("ipc://%s/pub.sock", abs);

    //  A descriptor per peer: the soft limit goes up to the hard one. And
    //  czmq and libzmq abort when a socket gets no descriptor.
    unsigned long now = 0, was = ddc_fdlimit_raise (&now);
    if (was)
        ddc_info ("open-file limit raised from %lu to %lu (a descriptor per peer)", was, now);
    if (ddc_fdlimit_ensure (DDC_FDLIMIT_BROKER, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-broker: %s\n", err);
        free (ctl);
        free (pub);
        return 1;
    }
    zsys_init ();
    zsys_set_logstream (NULL);
    broker_t *broker = broker_new (&opts, err, sizeof (err));
    int rc = 0;
    if (!broker) {
        fprintf (stderr, "ddc-broker: %s\n", err);
        rc = 1;
    }
    else {
        broker_run (broker);
        broker_destroy (&broker);
    }
    free (ctl);
    free (pub);
    zsys_shutdown ();
    ddc_curl_unload (); //  when the watchdog loaded libcurl
    return rc;
}
