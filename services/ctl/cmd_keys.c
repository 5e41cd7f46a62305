/*  ddc-ctl keygen: creates a client's CURVE certificate (proto/ddcp.md
    section 9) with czmq's zcert: NAME.cert (public, for the broker's
    KEYS/clients/ folder) and NAME.cert_secret (mode 0600, for the client),
    with "name" and "role" metadata. Never overwrites a file. */
#include "ctl.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char s_keygen_usage[] =
"usage: ddc-ctl keygen NAME --role ROLE [--dir DIR]\n"
"\n"
"Creates a CURVE key pair for a client of the broker over tcp://:\n"
"  DIR/NAME.cert         the public certificate: copy it into the broker's\n"
"                        KEYS/clients/ folder\n"
"  DIR/NAME.cert_secret  the secret one (mode 0600), for the client:\n"
"                        --cert DIR/NAME.cert reads it\n"
"ROLE (ctl, web, discord, docker or monitor) is written into the certificate\n"
"and is what the broker grants. DIR defaults to ./keys and is created (0700)\n"
"if needed. Existing files are never overwritten.\n";

static const char *const s_roles[] = { "ctl", "web", "discord", "docker", "monitor", NULL };

enum { OPT_ROLE = 2400, OPT_DIR };

typedef struct {
    ctl_t *ctl;
    const char *role;
    const char *dir;
} s_keygen_args_t;

static int
s_keygen_opt (void *arg, int opt, const char *value)
{
    s_keygen_args_t *self = (s_keygen_args_t *) arg;
    if (opt == OPT_ROLE)
        self->role = value;
    else if (opt == OPT_DIR)
        self->dir = value;
    else
        return ctl_fail (self->ctl, CTL_EXIT_USAGE, "unexpected option");
    return 0;
}

static bool
s_name_ok (const char *name)
{
    size_t len = strlen (name);
    if (len == 0 || len > 64 || name[0] == '.' || name[0] == '-')
        return false;
    return strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        == len;
}

/* mkdir -p with mode 0700 for the folders it creates. */
static int
s_mkdirs (const char *dir)
{
    char *path = ddc_strdup (dir);
    int rc = 0;
    for (char *p = path + 1; rc == 0; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir (path, 0700) < 0 && errno != EEXIST)
                rc = -1;
            if (end)
                break;
            *p = '/';
        }
    }
    free (path);
    struct stat st;
    if (rc == 0 && (stat (dir, &st) < 0 || !S_ISDIR (st.st_mode))) {
        errno = ENOTDIR;
        rc = -1;
    }
    return rc;
}

/* Claim path: create it empty, failing if it exists. */
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
    static const struct option opts[] = {
        { "role", required_argument, NULL, OPT_ROLE },
        { "dir", required_argument, NULL, OPT_DIR },
        { NULL, 0, NULL, 0 }
    };
    s_keygen_args_t args = { .ctl = ctl, .dir = "./keys" };
    int first;
    int rc = ctl_getopt (ctl, argc, argv, NULL, opts, s_keygen_opt, &args, s_keygen_usage,
                         &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 1)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "wants one NAME; see ddc-ctl keygen --help");
    const char *name = argv[first];
    if (!s_name_ok (name))
        return ctl_fail (ctl, CTL_EXIT_USAGE, "NAME must be 1 to 64 of [A-Za-z0-9._-], "
                         "not starting with '.' or '-'");
    if (!args.role)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "--role is required (ctl, web, discord, docker "
                         "or monitor)");
    bool known = false;
    for (int i = 0; s_roles[i]; i++)
        known = known || strcmp (s_roles[i], args.role) == 0;
    if (!known)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "unknown role '%s' (roles: ctl, web, discord, "
                         "docker, monitor)", args.role);
    if (!*args.dir)
        return ctl_fail (ctl, CTL_EXIT_USAGE, "--dir must not be empty");

    if (s_mkdirs (args.dir) < 0)
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
    zcert_set_meta (cert, "name", "%s", name);
    zcert_set_meta (cert, "role", "%s", args.role);
    /* The claimed files are 0600 already: zcert_save rewrites them in
       place, so the secret key is never readable by others. */
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
        printf ("next: copy %s into the broker's KEYS/clients/ folder; the client uses "
                "--cert %s\n", public_path, public_path);
        rc = CTL_EXIT_OK;
    }
    zcert_destroy (&cert);
done:
    free (public_path);
    free (secret_path);
    return rc;
}
