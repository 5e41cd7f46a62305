/*  ddc_args: shared command-line checks of the daemons. See ddc_args.h. */
#include "ddc_args.h"
#include "ddc_config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int
ddc_args_broker (const char *prog, const char *broker, const char *cert, const char *broker_cert)
{
    if (!broker || !*broker) {
        fprintf (stderr, "%s: no broker: pass --broker ENDPOINT or set DDC_BROKER\n", prog);
        return DDC_ARGS_USAGE;
    }
    if (strncmp (broker, "ipc://", 6) != 0 && strncmp (broker, "tcp://", 6) != 0) {
        fprintf (stderr, "%s: the broker endpoint must be ipc://PATH or tcp://HOST:PORT, "
                 "not '%s'\n", prog, broker);
        return DDC_ARGS_USAGE;
    }
    if (!cert != !broker_cert) {
        fprintf (stderr, "%s: CURVE needs both --cert and --broker-cert\n", prog);
        return DDC_ARGS_USAGE;
    }
    return 0;
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
