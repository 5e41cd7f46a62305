/*  ddc_args: the command-line checks every ddc daemon shares, so that
    ddc-broker, ddc-docker and ddc-discord word a bad command line alike:
    one line on stderr, "PROG: reason (see --help)", and exit code 2. */
#ifndef DDC_ARGS_H
#define DDC_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define DDC_ARGS_USAGE 2        /* the exit code of a bad command line */

/* After getopt_long (with opterr = 0 and ':' leading the short options)
   returned ':' or '?': print why and return DDC_ARGS_USAGE. */
int ddc_args_bad_option (const char *prog, int c, char **argv);

/* DDC_ARGS_USAGE (after printing why) when argv[optind..argc) is not
   empty, else 0. */
int ddc_args_no_more (const char *prog, int argc, char **argv);

/* The broker connection of a service: an ipc:// or tcp:// endpoint (from
   --broker or DDC_BROKER), and a CURVE --cert only with a --broker-cert.
   0, or DDC_ARGS_USAGE after printing why. */
int ddc_args_broker (const char *prog, const char *broker, const char *cert,
                     const char *broker_cert);

/* This machine's host name (its first label when the whole name is not a
   usable instance name, ddc_config_name_ok) into buf; "" when there is
   none. */
void ddc_args_host_name (char *buf, size_t size);

#endif
