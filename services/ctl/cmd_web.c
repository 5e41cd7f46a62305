/*  ddc-ctl passwd and setup-code: the web UI's sign-in from the command
    line. passwd hashes a new password (ddc_pwhash, the same argon2id and
    policy as ddc-web) and saves it as web.password_hash; setup-code asks
    the broker for the first-run setup code (SETUPCODE, for the ctl role
    only). */
#include "ctl.h"
#include "ddc_pwhash.h"
#include "ddc_util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

//  ---- passwd --------------------------------------------------------------

static const char s_passwd_usage [] =
    "usage: ddc-ctl passwd [--clear]\n"
    "\n"
    "Sets the password of the web UI. The new password is read from standard\n"
    "input: its first line, or, on a terminal, typed twice without echo. It must\n"
    "have at least 10 characters of at least 3 kinds (lowercase, uppercase,\n"
    "digits, others), or be a passphrase of at least 16 characters of 2 kinds.\n"
    "It is stored as an argon2id hash in web.password_hash; every signed-in web\n"
    "session ends at once.\n"
    "\n"
    "--clear removes the password instead: the broker makes a new one-time\n"
    "setup code (ddc-ctl setup-code prints it), which the web UI asks for\n"
    "before anything else.\n"
    "\n"
    "Prints {\"rev\": N, \"section_rev\": M}. Exit 4 when the password does not\n"
    "meet the policy, 3 when the web section changed while saving.\n";

enum { OPT_CLEAR = 3000 };

typedef struct {
    bool clear;
} s_passwd_args_t;

static int
s_passwd_opt (void *arg, int opt, const char *value)
{
    (void) value;
    s_passwd_args_t *self = (s_passwd_args_t *) arg;
    if (opt == OPT_CLEAR)
        self->clear = true;
    return 0;
}

//  One line from stdin into buf (without its line break); on a terminal
//  with the prompt on stderr and echo off. 0, or -1 on end of input or a
//  line longer than the buffer.
static int
s_read_secret (const char *prompt, char *buf, size_t size)
{
    bool tty = isatty (STDIN_FILENO);
    struct termios saved, quiet;
    if (tty) {
        fputs (prompt, stderr);
        fflush (stderr);
        if (tcgetattr (STDIN_FILENO, &saved) == 0) {
            quiet = saved;
            quiet.c_lflag &= (tcflag_t) ~ECHO;
            tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        else
            tty = false;
    }
    char *line = fgets (buf, (int) size, stdin);
    if (tty) {
        tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
        fputc ('\n', stderr);
    }
    if (!line)
        return -1;
    size_t len = strlen (buf);
    bool whole = len > 0 && buf [len - 1] == '\n';
    if (!whole && !feof (stdin)) {
        sodium_memzero (buf, size);
        return -1;
    }
    while (len > 0 && (buf [len - 1] == '\n' || buf [len - 1] == '\r'))
        buf [--len] = '\0';
    return 0;
}

static const char *
s_policy_text (const char *key)
{
    if (strcmp (key, "pw.too_short") == 0)
        return "too short: at least 10 characters of 3 kinds (lowercase, uppercase, digits, "
               "others), or a passphrase of 16 characters of 2 kinds";
    if (strcmp (key, "pw.too_long") == 0)
        return "too long: at most 1024 bytes";
    if (strcmp (key, "pw.kinds") == 0)
        return "too simple: use at least 3 kinds of characters (lowercase, uppercase, digits, "
               "others), or a passphrase of at least 16 characters";
    return "not valid UTF-8 text without control characters";
}

//  The new hash ("" with --clear) into hash; an exit code on failure.
static int
s_new_hash (ctl_t *ctl, bool clear, char hash [DDC_PWHASH_MAX])
{
    hash [0] = '\0';
    if (clear)
        return CTL_EXIT_OK;
    char pw [DDC_PWHASH_PASS_MAX + 2], again [DDC_PWHASH_PASS_MAX + 2];
    int rc = CTL_EXIT_OK;
    if (s_read_secret ("New web password: ", pw, sizeof (pw)) < 0)
        rc = ctl_fail (ctl, CTL_EXIT_INVALID,
                       "no password on standard input (or a line "
                       "longer than %d bytes)",
                       DDC_PWHASH_PASS_MAX);
    else {
        const char *problem = ddc_pwhash_policy (pw);
        if (problem)
            rc = ctl_fail (ctl, CTL_EXIT_INVALID, "password %s", s_policy_text (problem));
        else if (isatty (STDIN_FILENO)
                 && (s_read_secret ("Again: ", again, sizeof (again)) < 0 || strcmp (pw, again) != 0))
            rc = ctl_fail (ctl, CTL_EXIT_INVALID, "the two passwords differ");
        else if (ddc_pwhash_init () < 0 || ddc_pwhash_hash (pw, hash) < 0)
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot hash the password (out of memory?)");
    }
    sodium_memzero (pw, sizeof (pw));
    sodium_memzero (again, sizeof (again));
    return rc;
}

int
cmd_passwd (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "clear", no_argument, NULL, OPT_CLEAR },
                                           { NULL, 0, NULL, 0 } };
    s_passwd_args_t args = { 0 };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_passwd_opt, &args, s_passwd_usage, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 0)
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "takes no arguments: the password is read from "
                         "standard input");
    char hash [DDC_PWHASH_MAX];
    rc = s_new_hash (ctl, args.clear, hash);
    if (rc != CTL_EXIT_OK)
        return rc;

    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    //  The rest of the web section stays as it is: read it with its revision,
    //  save it back with the new hash, refused if it changed in between.
    ddc_msg_t *reply = ctl_ask (ctl, client, DDC_SNAPSHOT, "web", DDC_STATE, &rc);
    zmsg_t *msg = NULL;
    uint64_t srev = 0;
    if (reply) {
        const cJSON *body = reply->json [DDC_STATE_BODY];
        cJSON *web =
            cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (body, "sections"),
                                              "web");
        const cJSON *r =
            cJSON_GetObjectItemCaseSensitive (cJSON_GetObjectItemCaseSensitive (body, "revs"),
                                              "web");
        if (!cJSON_IsObject (web))
            rc = ctl_fail (ctl, CTL_EXIT_FAIL, "the broker did not send the web section");
        else {
            srev = cJSON_IsNumber (r) && r->valuedouble > 0 ? (uint64_t) r->valuedouble : 0;
            cJSON_DeleteItemFromObjectCaseSensitive (web, "password_hash");
            cJSON_AddStringToObject (web, "password_hash", hash);
            msg = ddc_msg_save (DDC_SAVE, "web", srev, ctl->author, web);
            if (!msg)
                rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot build the request");
        }
    }
    ddc_msg_destroy (&reply);
    if (msg) {
        reply = ctl_call (ctl, client, &msg, &rc);
        if (reply)
            rc = ctl_save_reply (ctl, "web", reply);
        if (rc == CTL_EXIT_OK)
            fprintf (stderr, "%s passwd: %s; every web session is signed out\n", CTL_PROG,
                     hash [0] ? "the new web password is set"
                              : "the web password is removed (the web UI asks for the new "
                                "setup code: ddc-ctl setup-code)");
        ddc_msg_destroy (&reply);
    }
    sodium_memzero (hash, sizeof (hash));
    ddc_client_destroy (&client);
    return rc;
}

//  ---- setup-code ----------------------------------------------------------

static const char s_setup_usage [] =
    "usage: ddc-ctl setup-code\n"
    "\n"
    "Prints the web UI's one-time setup code: while no web password is set,\n"
    "ddc-broker keeps one (also in its log and in DATA/web-setup-code), and any\n"
    "ddc-web accepts it at /setup to set the first password. Exit 1 when a\n"
    "password is set (ddc-ctl passwd --clear removes it and makes a new code).\n";

int
cmd_setup_code (ctl_t *ctl, int argc, char **argv)
{
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, NULL, NULL, NULL, s_setup_usage, &first);
    if (rc >= 0)
        return rc;
    if (argc - first > 0)
        return ctl_fail (ctl, CTL_EXIT_USAGE,
                         "takes no arguments: there is one setup code for "
                         "every ddc-web of a broker");
    ddc_client_t *client = ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, &rc);
    if (!client)
        return rc;
    char req [40];
    ddc_req_id (req);
    zmsg_t *msg = ddc_msg_buildv (DDC_SETUPCODE, req, NULL);
    ddc_msg_t *reply = ctl_call (ctl, client, &msg, &rc);
    if (reply && reply->type == DDC_CODE) {
        printf ("%s\n", reply->frame [DDC_CODE_CODE]);
        fflush (stdout);
    }
    else if (reply && reply->type == DDC_ERROR && reply->u64 [DDC_ERROR_CODE] == DDC_E_GONE)
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s", reply->frame [DDC_ERROR_MESSAGE]);
    else if (reply)
        rc = ctl_unexpected (ctl, reply);
    ddc_msg_destroy (&reply);
    ddc_client_destroy (&client);
    return rc;
}
