/*  ddc-ctl connection helpers: which endpoint, role and certificates a
    command uses, a synchronous call with the "unreachable" or "refused"
    verdict, and
    the printing of the replies shared by several commands (SAVE and
    ROLLBACK answers, ERROR, DENIED). All broker traffic goes through
    ddc_client. See ctl.h. */
#include "ctl.h"
#include "ddc_args.h"
#include "ddc_fdlimit.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CTL_ZERO_KEY "0000000000000000000000000000000000000000"

//  The endpoint: --broker / DDC_BROKER, else ./data/ctl.sock made absolute
//  (so the ipc path does not depend on where libzmq resolves it); then the
//  checks every program makes (ddc_args_conn_check).
static int
s_resolve_broker (ctl_t *ctl)
{
    if (!ctl->broker || !*ctl->broker) {
        struct stat st;
        char path [PATH_MAX];
        if (stat ("data", &st) < 0 || !S_ISDIR (st.st_mode) || !realpath ("data", path))
            return ctl_fail (ctl, CTL_EXIT_USAGE,
                             "no broker given: pass --broker ENDPOINT or set DDC_BROKER "
                             "(there is no ./data folder to find ctl.sock in)");
        free (ctl->broker);
        ctl->broker = ddc_asprintf ("ipc://%s/ctl.sock", path);
    }
    ddc_args_conn_t conn = {
        .broker = ctl->broker,
        .cert = ctl->cert,
        .broker_cert = ctl->broker_cert,
        .insecure = ctl->insecure,
    };
    char err [512];
    if (ddc_args_conn_check (&conn, err, sizeof (err)) < 0)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "%s", err);
    return 0;
}

const char *
ctl_endpoint (ctl_t *ctl)
{
    return ctl->broker ? ctl->broker : "";
}

//  "host.pid": each ddc-ctl run is its own peer, so that a watch and a set
//  running side by side do not take each other's name over.
static void
s_instance (char *out, size_t size)
{
    char host [128] = "";
    if (gethostname (host, sizeof (host) - 1) < 0 || !host [0])
        ddc_strlcpy (host, "localhost", sizeof (host));
    host [sizeof (host) - 1] = '\0';
    for (char *p = host; *p; p++)
        if (!strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", *p))
            *p = '-';
    snprintf (out, size, "%.100s.%ld", host, (long) getpid ());
}

//  The instance a certificate lets this run register as (proto/ddcp.md 9):
//  for an "instances" entry PREFIX*, PREFIX followed by HOST.PID; else its
//  first entry (or its name), followed for the tool roles (ctl, monitor) by
//  .HOST.PID, which the broker allows them so that runs side by side do not
//  share a name. Written into out; false when it names none.
static bool
s_cert_instance (zcert_t *cert, char *out, size_t size)
{
    const char *role = zcert_meta (cert, "role");
    bool tool = role && (strcmp (role, "ctl") == 0 || strcmp (role, "monitor") == 0);
    const char *list = zcert_meta (cert, "instances");
    const char *name = zcert_meta (cert, "name");
    if (!list || !*list) {
        if (!name || !*name)
            return false;
        list = name;
    }
    char *copy = ddc_strdup (list), *save = NULL;
    char *first = NULL, *wild = NULL;
    for (char *e = strtok_r (copy, ",", &save); e; e = strtok_r (NULL, ",", &save)) {
        while (*e == ' ')
            e++;
        if (!first)
            first = e;
        if (!wild && *e && e [strlen (e) - 1] == '*')
            wild = e;
    }
    bool ok = first != NULL;
    char run [160];
    s_instance (run, sizeof (run));
    if (wild)
        snprintf (out, size, "%.*s%s", (int) strlen (wild) - 1, wild, run);
    else if (first && tool)
        snprintf (out, size, "%.80s.%s", first, run);
    else if (first)
        ddc_strlcpy (out, first, size);
    free (copy);
    return ok;
}

//  Check the certificates now so that the operator gets a reason (the
//  library only logs it, and logs are off without -v). Sets *role_p to
//  the certificate's role metadata (owned) when it has one, and instance
//  to the instance it allows.
static int
s_check_certs (ctl_t *ctl, char **role_p, char *instance, size_t size)
{
    *role_p = NULL;
    if (!ctl->cert)
        return 0; //  s_resolve_broker checked that both or neither are given
    zcert_t *cert = zcert_load (ctl->cert);
    if (!cert)
        return ctl_fail (ctl, CTL_EXIT_FAIL, "cannot load the certificate %s", ctl->cert);
    if (strcmp (zcert_secret_txt (cert), CTL_ZERO_KEY) == 0) {
        zcert_destroy (&cert);
        return ctl_fail (ctl, CTL_EXIT_FAIL,
                         "%s has no secret key (%s_secret is missing or unreadable)", ctl->cert,
                         ctl->cert);
    }
    const char *role = zcert_meta (cert, "role");
    if (role && *role)
        *role_p = ddc_strdup (role);
    s_cert_instance (cert, instance, size);
    zcert_destroy (&cert);
    zcert_t *broker = zcert_load (ctl->broker_cert);
    if (!broker)
        return ctl_fail (ctl, CTL_EXIT_FAIL, "cannot load the broker certificate %s",
                         ctl->broker_cert);
    zcert_destroy (&broker);
    return 0;
}

//  ctl_connect, with the broker's events to on_mon when it is set.
static ddc_client_t *
s_connect (ctl_t *ctl, const char *role, const char *const *sections, ddc_apply_fn *on_apply,
           ddc_event_fn *on_event, ddc_mon_fn *on_mon, void *arg, int *rc)
{
    *rc = s_resolve_broker (ctl);
    if (*rc)
        return NULL;
    char *cert_role = NULL;
    char instance [260];
    s_instance (instance, sizeof (instance));
    *rc = s_check_certs (ctl, &cert_role, instance, sizeof (instance));
    if (*rc)
        return NULL;
    //  Over CURVE the broker takes the role from the certificate and
    //  refuses a HELLO that names another one.
    ddc_client_opts_t opts = {
        .broker = ctl->broker,
        .role = cert_role ? cert_role
                : role    ? role
                          : "ctl",
        .instance = instance,
        .sections = sections,
        .cert_path = ctl->cert,
        .broker_cert_path = ctl->broker_cert,
        .on_apply = on_apply,
        .on_event = on_event,
        .on_mon = on_mon,
        .arg = arg,
    };
    ddc_info ("connecting to %s as %s@%s%s", ctl->broker, opts.role, instance,
              ctl->cert ? " with CURVE" : "");
    //  Without enough descriptors libzmq cannot make the sockets: the
    //  reason, not "-v tells why".
    char why [256];
    if (ddc_fdlimit_ensure (DDC_FDLIMIT_SERVICE, why, sizeof (why)) < 0) {
        free (cert_role);
        *rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s", why);
        return NULL;
    }
    ddc_client_t *client = ddc_client_new (&opts);
    free (cert_role);
    if (!client)
        *rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot set up a connection to %s (-v tells why)",
                        ctl->broker);
    return client;
}

ddc_client_t *
ctl_connect (ctl_t *ctl, const char *role, const char *const *sections, ddc_apply_fn *on_apply,
             ddc_event_fn *on_event, void *arg, int *rc)
{
    return s_connect (ctl, role, sections, on_apply, on_event, NULL, arg, rc);
}

ddc_client_t *
ctl_connect_mon (ctl_t *ctl, ddc_mon_fn *on_mon, ddc_event_fn *on_event, void *arg, int *rc)
{
    ddc_client_t *client = s_connect (ctl, "monitor", NULL, NULL, on_event, on_mon, arg, rc);
    if (client && ddc_client_follow_mon (client, "") < 0) {
        ddc_client_destroy (&client);
        *rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot subscribe to the broker's events");
    }
    return client;
}

ddc_msg_t *
ctl_call (ctl_t *ctl, ddc_client_t *client, zmsg_t **msg_p, int *rc)
{
    if (!*msg_p) {
        *rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot build the request");
        return NULL;
    }
    ddc_msg_t *reply = ddc_client_call (client, msg_p, ctl->timeout_ms);
    zmsg_destroy (msg_p);
    if (reply) {
        *rc = CTL_EXIT_OK;
        return reply;
    }
    if (zsys_interrupted)
        *rc = ctl_fail (ctl, CTL_EXIT_FAIL, "interrupted");
    else
        *rc = ctl_no_answer (ctl, client, "reply");
    return NULL;
}

int
ctl_no_answer (ctl_t *ctl, ddc_client_t *client, const char *what)
{
    const char *refused = ddc_client_refused (client);
    if (refused)
        return ctl_fail (ctl, CTL_EXIT_REFUSED, "%s", refused);
    if (!ddc_client_access (client))
        return ctl_fail (ctl, CTL_EXIT_UNREACHABLE,
                         "broker unreachable at %s (no answer "
                         "within %g s)",
                         ctl->broker, (double) ctl->timeout_ms / 1000.0);
    return ctl_fail (ctl, CTL_EXIT_UNREACHABLE, "no %s from the broker within %g s", what,
                     (double) ctl->timeout_ms / 1000.0);
}

ddc_msg_t *
ctl_ask (ctl_t *ctl, ddc_client_t *client, ddc_msg_type_t type, const char *arg,
         ddc_msg_type_t want, int *rc)
{
    char req [40];
    ddc_req_id (req);
    zmsg_t *msg = ddc_msg_buildv (type, req, arg, NULL);
    ddc_msg_t *reply = ctl_call (ctl, client, &msg, rc);
    if (reply && reply->type != want) {
        *rc = ctl_unexpected (ctl, reply);
        ddc_msg_destroy (&reply);
    }
    return reply;
}

cJSON *
ctl_status (ctl_t *ctl, ddc_client_t *client, const char *full, int *rc)
{
    cJSON *table = NULL;
    uint64_t offset = 0;
    //  One page per request (proto/ddcp.md 5.6); at most one per peer.
    for (int page = 0; page <= 1024; page++) {
        char req [40], soffset [24];
        ddc_req_id (req);
        snprintf (soffset, sizeof (soffset), "%llu", (unsigned long long) offset);
        zmsg_t *msg = ddc_msg_buildv (DDC_STATUS, req, soffset, full, NULL);
        ddc_msg_t *reply = ctl_call (ctl, client, &msg, rc);
        if (reply && reply->type != DDC_PEERS) {
            *rc = ctl_unexpected (ctl, reply);
            ddc_msg_destroy (&reply);
        }
        if (!reply) {
            cJSON_Delete (table);
            return NULL;
        }
        cJSON *body = reply->json [DDC_PEERS_BODY];
        const cJSON *next = cJSON_GetObjectItemCaseSensitive (body, "next");
        bool more = cJSON_IsNumber (next) && next->valuedouble > (double) offset;
        if (more)
            offset = (uint64_t) next->valuedouble;
        if (!table) {
            table = body;
            reply->json [DDC_PEERS_BODY] = NULL;
        }
        else {
            cJSON *rows = cJSON_GetObjectItemCaseSensitive (table, "peers");
            cJSON *row;
            while (
                (row = cJSON_DetachItemFromArray (cJSON_GetObjectItemCaseSensitive (body, "peers"),
                                                  0)))
                cJSON_AddItemToArray (rows, row);
        }
        ddc_msg_destroy (&reply);
        if (!more)
            break;
    }
    cJSON_DeleteItemFromObjectCaseSensitive (table, "offset");
    cJSON_DeleteItemFromObjectCaseSensitive (table, "next");
    return table;
}

int
ctl_unexpected (ctl_t *ctl, const ddc_msg_t *reply)
{
    switch (reply->type) {
        case DDC_ERROR:
            return ctl_fail (ctl, CTL_EXIT_FAIL, "broker error %llu: %s",
                             (unsigned long long) reply->u64 [DDC_ERROR_CODE],
                             reply->frame [DDC_ERROR_MESSAGE]);
        case DDC_DENIED:
            return ctl_fail (ctl, CTL_EXIT_FAIL, "denied: %s", reply->frame [DDC_DENIED_REASON]);
        default:
            return ctl_fail (ctl, CTL_EXIT_FAIL, "unexpected reply %s from the broker",
                             ddc_msg_name (reply->type));
    }
}

static int
s_invalid (ctl_t *ctl, const char *section, const cJSON *errors)
{
    ctl_json_out (ctl, stderr, errors);
    int count = cJSON_GetArraySize (errors);
    const cJSON *first = cJSON_GetArrayItem (errors, 0);
    const cJSON *field = cJSON_GetObjectItemCaseSensitive (first, "field");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive (first, "message");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive (first, "reason");
    const char *what = cJSON_IsString (message)  ? message->valuestring
                       : cJSON_IsString (reason) ? reason->valuestring
                                                 : "invalid";
    if (count > 0)
        return ctl_fail (ctl, CTL_EXIT_INVALID,
                         "%s is invalid, %d error%s (first: %s: %s); nothing was saved", section,
                         count, count == 1 ? "" : "s",
                         cJSON_IsString (field) && *field->valuestring ? field->valuestring
                                                                       : section,
                         what);
    return ctl_fail (ctl, CTL_EXIT_INVALID, "%s is invalid; nothing was saved", section);
}

int
ctl_save_reply (ctl_t *ctl, const char *section, const ddc_msg_t *reply)
{
    switch (reply->type) {
        case DDC_OK: {
            cJSON *out = cJSON_CreateObject ();
            cJSON_AddNumberToObject (out, "rev", (double) reply->u64 [DDC_OK_REV]);
            cJSON_AddNumberToObject (out, "section_rev", (double) reply->u64 [DDC_OK_SECTION_REV]);
            if (reply->u64 [DDC_OK_CHANGED] == 0)
                cJSON_AddFalseToObject (out, "changed");
            char *text = ctl_json_text (out, true);
            printf ("%s\n", text);
            free (text);
            cJSON_Delete (out);
            return CTL_EXIT_OK;
        }
        case DDC_INVALID:
            return s_invalid (ctl, section, reply->json [DDC_INVALID_ERRORS]);
        case DDC_CONFLICT:
            return ctl_fail (ctl, CTL_EXIT_CONFLICT,
                             "conflict: %s changed meanwhile, its section_rev is now %llu; "
                             "nothing was saved (get it again, or pass --expect-rev %llu)",
                             section, (unsigned long long) reply->u64 [DDC_CONFLICT_SECTION_REV],
                             (unsigned long long) reply->u64 [DDC_CONFLICT_SECTION_REV]);
        default:
            return ctl_unexpected (ctl, reply);
    }
}

ddc_client_t *
ctl_section_client (ctl_t *ctl, int argc, char **argv, int first, const char **section, int *rc)
{
    *section = NULL;
    if (argc - first > 1) {
        *rc = ctl_fail (ctl, CTL_EXIT_USAGE, "takes at most one section");
        return NULL;
    }
    if (first < argc && !ctl_section_valid (argv [first])) {
        *rc = ctl_bad_section (ctl, argv [first]);
        return NULL;
    }
    *section = first < argc ? argv [first] : NULL;
    return ctl_connect (ctl, NULL, NULL, NULL, NULL, NULL, rc);
}
