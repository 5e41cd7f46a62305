/*  ddc_args: the command line and environment every ddc program shares, so
    that ddc-broker, ddc-docker, ddc-discord, ddc-web and ddc-ctl word a bad
    command line alike and read the same environment variables.

    Owns the naming scheme: a flag --NAME has the environment variable
    DDC_NAME, and a flag wins over its variable:
      --broker       DDC_BROKER       the broker's CTL endpoint (clients)
      --cert         DDC_CERT         this program's CURVE certificate
      --broker-cert  DDC_BROKER_CERT  the broker's public certificate
      --insecure     DDC_INSECURE     plain tcp:// without CURVE (1 or 0)
      --data         DDC_DATA         the folder of the program's files
      --keys         DDC_KEYS         the broker's CURVE key folder
    Empty variables count as unset.

    Error convention: ddc_args_check_* and ddc_args_data_dir return 0/NULL
    with the reason in a buffer (for unit tests and ddc-web); the daemons'
    wrappers print "PROG: reason (see --help)" and return exit code 2. */
#ifndef DDC_ARGS_H
#define DDC_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define DDC_ARGS_USAGE 2 //  the exit code of a bad command line

//  After getopt_long (with opterr = 0 and ':' leading the short options)
//  returned ':' or '?': print why and return DDC_ARGS_USAGE.
int ddc_args_bad_option (const char *prog, int c, char **argv);

//  DDC_ARGS_USAGE (after printing why) when argv[optind..argc) is not
//  empty, else 0.
int ddc_args_no_more (const char *prog, int argc, char **argv);

//  A variable of the scheme: its value, or NULL when unset or empty.
const char *ddc_args_env (const char *name);

//  A yes/no variable (DDC_INSECURE): 1, yes, true or on; 0, no, false or
//  off; unset or empty leaves *out alone. 0, or -1 with why in err.
int ddc_args_env_bool (const char *name, bool *out, char *err, size_t errlen);

//  How a client reaches the broker. The strings are borrowed.
typedef struct {
    const char *broker;      //  CTL endpoint: ipc://PATH or tcp://HOST:PORT
    const char *cert;        //  own certificate (its _secret beside it)
    const char *broker_cert; //  the broker's public certificate
    bool insecure;           //  tcp:// without certificates is allowed
} ddc_args_conn_t;

//  Fill conn from DDC_BROKER, DDC_CERT, DDC_BROKER_CERT and DDC_INSECURE;
//  call it before parsing the flags, which then overwrite the fields.
//  0, or -1 with why in err (a DDC_INSECURE that is not a yes or no).
int ddc_args_conn_env (ddc_args_conn_t *conn, char *err, size_t errlen);

//  The connection is usable: an ipc:// or tcp:// endpoint; both
//  certificates or neither; certificates only with tcp:// (the broker's
//  ipc:// endpoints have no CURVE); and tcp:// with certificates unless
//  insecure, so that a forgotten certificate is never a silent plain TCP
//  connection. 0, or -1 with why in err.
int ddc_args_conn_check (const ddc_args_conn_t *conn, char *err, size_t errlen);

//  ddc_args_conn_check for a daemon: 0, or DDC_ARGS_USAGE after printing
//  "PROG: reason (see --help)".
int ddc_args_connection (const char *prog, const ddc_args_conn_t *conn);

//  The folder where a program keeps its files (caches, audit log, state):
//  flag (--data) when not NULL, else $DDC_DATA, else /var/lib/ddc when this
//  user may write there (or create it), else $XDG_STATE_HOME/ddc, else
//  $HOME/.local/state/ddc. It is created, with its missing parents, with
//  mode 0700. A new string with its absolute path (caller frees), or NULL
//  with why in err.
char *ddc_args_data_dir (const char *flag, char *err, size_t errlen);

//  The path of one of a daemon's files: given (its own flag, e.g. --cache)
//  when not NULL, else NAME in the data folder, which is found and created
//  (ddc_args_data_dir with data_flag) the first time one is needed and kept
//  in *data_dir_p (caller frees). A new string, or NULL with why in err.
char *ddc_args_data_file (const char *given, const char *data_flag, char **data_dir_p,
                          const char *name, char *err, size_t errlen);

//  ddc_args_data_dir with the candidates given (NULL = skip one); for the
//  unit tests.
char *ddc_args_data_dir_from (const char *flag, const char *env, const char *system_dir,
                              const char *xdg_state, const char *home, char *err, size_t errlen);

//  This machine's host name (its first label when the whole name is not a
//  usable instance name, ddc_config_name_ok) into buf; "" when there is
//  none.
void ddc_args_host_name (char *buf, size_t size);

#endif
