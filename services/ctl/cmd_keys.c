/*  ddc-ctl keygen: creates a client's CURVE certificate (proto/ddcp.md
    section 9) with czmq's zcert: NAME.cert (public, for the broker's
    KEYS/clients/ folder) and NAME.cert_secret (mode 0600, for the client),
    with "name", "role" and "instances" metadata; or, with --broker, the
    broker's own broker.cert pair. Never overwrites a file. */
#include "ctl.h"
#include "ddc_config.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char s_keygen_usage [] =
    "usage: ddc-ctl keygen NAME --role ROLE [--instances LIST] [--dir DIR]\n"
    "       ddc-ctl keygen --broker-key [--dir DIR]\n"
    "\n"
    "Creates a CURVE key pair for a client of the broker over tcp://:\n"
    "  DIR/NAME.cert         the public certificate: copy it into the broker's\n"
    "                        KEYS/clients/ folder\n"
    "  DIR/NAME.cert_secret  the secret one (mode 0600), for the client:\n"
    "                        --cert DIR/NAME.cert reads it\n"
    "ROLE (ctl, web, discord, docker or monitor) is written into the certificate\n"
    "and is what the broker grants. LIST names the instances the certificate may\n"
    "register as (ROLE@INSTANCE), comma-separated: each a name, or a prefix\n"
    "ending in '*' (web-* for web-1, web-2...; * alone for any); default NAME.\n"
    "--broker-key creates the broker's own pair instead, DIR/broker.cert and\n"
    "DIR/broker.cert_secret, as ddc-broker --keys DIR would on its first start\n"
    "(for deployments that hand the broker its key, e.g. as Docker secrets).\n"
    "DIR defaults to ./keys and is created (0700) if needed. Existing files are\n"
    "never overwritten.\n";

static const char *const s_roles [] = { "ctl", "web", "discord", "docker", "monitor", NULL };

enum { OPT_ROLE = 2400, OPT_DIR, OPT_INSTANCES, OPT_BROKER };

#define S_INSTANCES_MAX 1000 //  characters of the "instances" list

typedef struct {
    ctl_t *ctl;
    const char *role;
    const char *dir;
    const char *instances;
    bool broker;
} s_keygen_args_t;

static int
s_keygen_opt (void *arg, int opt, const char *value)
{
    s_keygen_args_t *self = (s_keygen_args_t *) arg;
    if (opt == OPT_ROLE)
        self->role = value;
    else if (opt == OPT_DIR)
        self->dir = value;
    else if (opt == OPT_INSTANCES)
        self->instances = value;
    else if (opt == OPT_BROKER)
        self->broker = true;
    else
        return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
    return 0;
}

static bool
s_name_ok (const char *name)
{
    size_t len = strlen (name);
    if (len == 0 || len > 64 || name [0] == '.' || name [0] == '-')
        return false;
    return strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

//  An "instances" list: comma-separated entries, each an instance name
//  (ddc_config_name_ok) or a prefix of one followed by '*'. NULL when
//  valid, else what is wrong with it (static text).
const char *
ctl_instances_error (const char *list)
{
    size_t len = strlen (list);
    if (len == 0)
        return "is empty";
    if (len > S_INSTANCES_MAX)
        return "is longer than 1000 characters";
    char *copy = ddc_strdup (list);
    const char *error = NULL;
    char *p = copy;
    while (!error) {
        char *comma = strchr (p, ',');
        if (comma)
            *comma = '\0';
        size_t n = strlen (p);
        if (n == 0)
            error = "has an empty entry";
        else if (p [n - 1] == '*') {
            p [n - 1] = '\0';
            if (strchr (p, '*'))
                error = "has a '*' that is not at the end of its entry";
            else if (n > 1 && !ddc_config_name_ok (p, DDC_HOST_NAME_MAX - 1))
                error = "has a prefix that does not start an instance name "
                        "(A-Z a-z 0-9 . _ -, starting with a letter or digit)";
        }
        else if (!ddc_config_name_ok (p, DDC_HOST_NAME_MAX))
            error = "has an entry that is not an instance name (1 to 63 of A-Z a-z 0-9 . _ -, "
                    "starting with a letter or digit) nor a prefix ending in '*'";
        if (!comma)
            break;
        p = comma + 1;
    }
    free (copy);
    return error;
}

//  Claim path: create it empty, failing if it exists.
static int
s_claim (const char *path)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    close (fd);
    return 0;
}

int
cmd_keygen (ctl_t *ctl, int argc, char **argv)
{
    static const struct option opts [] = { { "role", required_argument, NULL, OPT_ROLE },
                                           { "dir", required_argument, NULL, OPT_DIR },
                                           { "instances", required_argument, NULL, OPT_INSTANCES },
                                           { "broker-key", no_argument, NULL, OPT_BROKER },
                                           { NULL, 0, NULL, 0 } };
    s_keygen_args_t args = { .ctl = ctl, .dir = "./keys" };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_keygen_opt, &args, s_keygen_usage, &first);
    if (rc >= 0)
        return rc;
    const char *name;
    if (args.broker) {
        if (argc != first || args.role || args.instances)
            return ctl_fail (ctl, CTL_EXIT_USAGE,
                             "--broker-key takes no NAME, --role or "
                             "--instances; see ddc-ctl keygen --help");
        name = "broker";
    }
    else {
        if (argc - first != 1)
            return ctl_fail (ctl, CTL_EXIT_USAGE, "wants one NAME; see ddc-ctl keygen --help");
        name = argv [first];
        if (!s_name_ok (name))
            return ctl_fail (ctl, CTL_EXIT_USAGE,
                             "NAME must be 1 to 64 of [A-Za-z0-9._-], "
                             "not starting with '.' or '-'");
        if (!args.role)
            return ctl_fail (ctl, CTL_EXIT_USAGE,
                             "--role is required (ctl, web, discord, "
                             "docker or monitor)");
        bool known = false;
        for (int i = 0; s_roles [i]; i++)
            known = known || strcmp (s_roles [i], args.role) == 0;
        if (!known)
            return ctl_fail (ctl, CTL_EXIT_USAGE,
                             "unknown role '%s' (roles: ctl, web, "
                             "discord, docker, monitor)",
                             args.role);
        if (!args.instances)
            args.instances = name;
        const char *why = ctl_instances_error (args.instances);
        if (why)
            return ctl_fail (ctl, CTL_EXIT_USAGE, "--instances %s %s", args.instances, why);
    }
    if (!*args.dir)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "--dir must not be empty");

    if (ddc_mkdirs (args.dir, 0700) < 0)
        return ctl_fail (ctl, CTL_EXIT_FAIL, "cannot create %s: %s", args.dir, strerror (errno));
    char *public_path = ddc_asprintf ("%s/%s.cert", args.dir, name);
    char *secret_path = ddc_asprintf ("%s/%s.cert_secret", args.dir, name);
    if (s_claim (public_path) < 0) {
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s: %s; not overwritten", public_path,
                       errno == EEXIST ? "exists already" : strerror (errno));
        goto done;
    }
    if (s_claim (secret_path) < 0) {
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "%s: %s; not overwritten", secret_path,
                       errno == EEXIST ? "exists already" : strerror (errno));
        unlink (public_path);
        goto done;
    }
    zcert_t *cert = zcert_new ();
    if (args.broker)
        zcert_set_meta (cert, "name", "%s", "ddc-broker"); //  as ddc-broker makes it
    else {
        zcert_set_meta (cert, "name", "%s", name);
        zcert_set_meta (cert, "role", "%s", args.role);
        zcert_set_meta (cert, "instances", "%s", args.instances);
    }
    //  The claimed files are 0600 already: zcert_save rewrites them in
    //  place, so the secret key is never readable by others.
    mode_t old = umask (077);
    int saved = zcert_save (cert, public_path);
    umask (old);
    if (saved < 0 || chmod (secret_path, 0600) < 0 || chmod (public_path, 0644) < 0) {
        rc = ctl_fail (ctl, CTL_EXIT_FAIL, "cannot write %s: %s", secret_path, strerror (errno));
        unlink (public_path);
        unlink (secret_path);
    }
    else {
        printf ("public key:  %s\n", zcert_public_txt (cert));
        printf ("certificate: %s\n", public_path);
        printf ("secret:      %s (mode 0600: keep it on the client only)\n", secret_path);
        if (args.broker)
            printf ("next: give the broker this folder as --keys DIR, and every client "
                    "%s as --broker-cert\n",
                    public_path);
        else
            printf ("next: copy %s into the broker's KEYS/clients/ folder; the client uses "
                    "--cert %s\n",
                    public_path, public_path);
        rc = CTL_EXIT_OK;
    }
    zcert_destroy (&cert);
done:
    free (public_path);
    free (secret_path);
    return rc;
}
