/*  ctl: what the modules of ddc-ctl, the operator CLI, share.
    Owns: the exit codes, the global options (ctl_t), the option parser
    every command uses (global options are accepted before or after the
    command), the broker connection helpers (ctl_conn.c), the JSON helpers
    (ctl_json.c) and the command entry points (cmd_*.c).
    Single-threaded; messages for the operator go to stderr, results to
    stdout; ddc_log records only appear with -v. */
#ifndef CTL_H
#define CTL_H

#include <cJSON.h>
#include <czmq.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "ddc_client.h"
#include "ddc_proto.h"

//  Exit codes (documented in ddc-ctl --help).
enum {
    CTL_EXIT_OK = 0,
    CTL_EXIT_FAIL = 1,        //  any other error
    CTL_EXIT_USAGE = 2,       //  bad command line
    CTL_EXIT_CONFLICT = 3,    //  the section changed since --expect-rev
    CTL_EXIT_INVALID = 4,     //  the value (or the input JSON) is invalid
    CTL_EXIT_UNREACHABLE = 5, //  no answer from the broker within --timeout
    CTL_EXIT_REFUSED = 6      //  the broker refused the CURVE handshake
};

#define CTL_PROG "ddc-ctl"
#define CTL_MAX_INPUT (1024 * 1024) //  set: bytes of JSON read at most

//  Global options, filled by ctl_getopt. Strings are owned.
typedef struct {
    const char *command; //  "get", "set", ... (borrowed from argv)
    char *broker;        //  --broker or DDC_BROKER; NULL = ./data default
    char *cert;          //  --cert or DDC_CERT
    char *broker_cert;   //  --broker-cert or DDC_BROKER_CERT
    bool insecure;       //  --insecure or DDC_INSECURE: plain tcp://
    char *author;        //  --author, default $USER@hostname
    bool author_set;     //  --author was given
    int64_t timeout_ms;  //  --timeout, default 5000
    bool timeout_set;    //  --timeout was given
    bool compact;        //  --compact: JSON on one line
    int verbose;         //  -v count: 1 = info logs, 2 = debug logs
} ctl_t;

//  ---- main.c: option parsing ------------------------------------------

//  Called with each command-specific option; return 0, or an exit code
//  (after printing a one-line reason) to stop.
typedef int (ctl_opt_fn) (void *arg, int opt, const char *value);

//  Parse argv (argv[0] is the command name) with the global options plus
//  the command's own long options (`opts`, may be NULL) and short options
//  (`shortopts`, may be NULL). Returns -1 to go on, with the positional
//  arguments at argv[*first..argc); otherwise an exit code to return at
//  once (usage printed for --help, a one-line reason for a bad option).
int ctl_getopt (ctl_t *ctl, int argc, char **argv, const char *shortopts, const struct option *opts,
                ctl_opt_fn *fn, void *arg, const char *usage, int *first);

//  Print "ddc-ctl COMMAND: message" on stderr; returns code.
int ctl_fail (ctl_t *ctl, int code, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

//  ---- ctl_conn.c: talking to the broker -------------------------------

//  Create a client for this command. role NULL = the --cert's "role"
//  metadata, else "ctl". sections NULL = a pure requester. On failure
//  prints why, sets *rc and returns NULL. Caller destroys.
ddc_client_t *ctl_connect (ctl_t *ctl, const char *role, const char *const *sections,
                           ddc_apply_fn *on_apply, ddc_event_fn *on_event, void *arg, int *rc);
//  A client of role "monitor" (or the --cert's) subscribed to all of the
//  broker's events (mon/), which go to on_mon. As ctl_connect.
ddc_client_t *ctl_connect_mon (ctl_t *ctl, ddc_mon_fn *on_mon, ddc_event_fn *on_event, void *arg,
                               int *rc);
//  The CTL endpoint in use (after ctl_connect).
const char *ctl_endpoint (ctl_t *ctl);
//  Print why the broker did not answer and return the exit code: 6 when
//  it refused the handshake (this certificate), else 5 (unreachable, or
//  `what` did not come within --timeout when it answered before).
int ctl_no_answer (ctl_t *ctl, ddc_client_t *client, const char *what);
//  Send a request (takes *msg_p) and wait up to --timeout for its reply.
//  NULL (after printing why, *rc set: 5 unreachable/timeout, 6 refused,
//  1 other) or the reply, which the caller destroys.
ddc_msg_t *ctl_call (ctl_t *ctl, ddc_client_t *client, zmsg_t **msg_p, int *rc);
//  Send TYPE with a fresh request id and the one argument arg (NULL: none)
//  and wait for the reply. The reply of type want (caller destroys), or
//  NULL with *rc set and the reason printed (any other reply too).
ddc_msg_t *ctl_ask (ctl_t *ctl, ddc_client_t *client, ddc_msg_type_t type, const char *arg,
                    ddc_msg_type_t want, int *rc);
//  The broker's STATUS table with every page merged ({"broker", "peers",
//  "total"}), with the full reports of the peers that `full` matches ("-":
//  none; "*", NAME, PREFIX* or a comma list of those). NULL with *rc set
//  and the reason printed. Caller frees.
cJSON *ctl_status (ctl_t *ctl, ddc_client_t *client, const char *full, int *rc);
//  Print a reply that is not the expected one (ERROR, DENIED, anything
//  else) and return the exit code for it.
int ctl_unexpected (ctl_t *ctl, const ddc_msg_t *reply);
//  Print the reply to SAVE or ROLLBACK (OK on stdout, the others on
//  stderr) and return the exit code.
int ctl_save_reply (ctl_t *ctl, const char *section, const ddc_msg_t *reply);

//  ---- ctl_json.c: JSON in and out -------------------------------------

//  True if name is a section (ddc_config's list).
bool ctl_section_valid (const char *name);
//  Print "unknown section 'x' (sections: bot, ...)" and return 2.
int ctl_bad_section (ctl_t *ctl, const char *name);
//  The optional SECTION argument at argv[first] into *section (NULL when
//  absent), then a connection to the broker (ctl_connect as ctl). NULL
//  with *rc the exit code after printing why.
ddc_client_t *ctl_section_client (ctl_t *ctl, int argc, char **argv, int first,
                                  const char **section, int *rc);

//  Replace, in value (a value of `section`), each secret field that is not
//  "" by "***" (defence in depth: the broker already redacts for ctl).
void ctl_redact (const char *section, cJSON *value);
//  ctl_redact on every section of a {"bot": ..., ...} object.
void ctl_redact_sections (cJSON *sections);

//  Serialise: pretty (2-space indent) unless compact. Caller frees.
char *ctl_json_text (const cJSON *json, bool compact);
//  Print json and a newline on stream (pretty unless ctl->compact) and
//  flush. Returns 0, or -1 if the stream failed.
int ctl_json_out (ctl_t *ctl, FILE *stream, const cJSON *json);

//  ---- commands (cmd_*.c): argv[0] is the command name ---------------

int cmd_get (ctl_t *ctl, int argc, char **argv);
int cmd_set (ctl_t *ctl, int argc, char **argv);
int cmd_rollback (ctl_t *ctl, int argc, char **argv);
int cmd_watch (ctl_t *ctl, int argc, char **argv);
int cmd_status (ctl_t *ctl, int argc, char **argv);
//  cmd_status.c: the STATUS table for people, as ddc-ctl status prints it.
void ctl_print_status (const cJSON *table);
int cmd_monitor (ctl_t *ctl, int argc, char **argv);
int cmd_ping (ctl_t *ctl, int argc, char **argv);
int cmd_health (ctl_t *ctl, int argc, char **argv);
int cmd_history (ctl_t *ctl, int argc, char **argv);
int cmd_audit (ctl_t *ctl, int argc, char **argv);
int cmd_keygen (ctl_t *ctl, int argc, char **argv);
//  cmd_keys.c: NULL when a keygen --instances LIST is valid, else why not.
const char *ctl_instances_error (const char *list);
int cmd_passwd (ctl_t *ctl, int argc, char **argv);
int cmd_setup_code (ctl_t *ctl, int argc, char **argv);
//  cmd_docker.c: the ddc-docker agents
int cmd_containers (ctl_t *ctl, int argc, char **argv);
int cmd_action (ctl_t *ctl, int argc, char **argv);
//  cmd_import.c: DockerDiscordControl's configuration folder
int cmd_import_ddc (ctl_t *ctl, int argc, char **argv);

#endif
