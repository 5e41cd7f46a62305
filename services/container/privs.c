/*  privs: who the programs of the image run as. The entrypoint starts as
    root only to give the data folders to PUID:PGID and to read the Docker
    socket's group; every program runs as PUID:PGID. See container.h. */
#include "container.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
s_id (const char *what, const char *text, long *out, char *err, size_t errlen)
{
    uint64_t v;
    if (ddc_parse_u64 (text, &v) < 0 || v > INT32_MAX) {
        snprintf (err, errlen, "%s must be a number from 0 to 2147483647, not '%s'", what, text);
        return -1;
    }
    *out = (long) v;
    return 0;
}

int
ct_ids_parse (ct_ids_t *ids, const char *puid, const char *pgid, const char *umask_text, char *err,
              size_t errlen)
{
    long uid, gid;
    if (s_id ("PUID", puid, &uid, err, errlen) < 0 || s_id ("PGID", pgid, &gid, err, errlen) < 0)
        return -1;
    size_t len = strlen (umask_text);
    if (len == 0 || len > 4 || strspn (umask_text, "01234567") != len) {
        snprintf (err, errlen, "UMASK must be octal from 000 to 777, not '%s'", umask_text);
        return -1;
    }
    unsigned long mask = strtoul (umask_text, NULL, 8);
    if (mask > 0777) {
        snprintf (err, errlen, "UMASK must be octal from 000 to 777, not '%s'", umask_text);
        return -1;
    }
    ids->uid = (uid_t) uid;
    ids->gid = (gid_t) gid;
    ids->umask = (mode_t) mask;
    ids->root = geteuid () == 0;
    return 0;
}

//  nftw has no user argument: the walk's target and count live here.
static uid_t s_walk_uid;
static gid_t s_walk_gid;
static long s_walk_changed, s_walk_failed;

static int
s_own_one (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) type;
    (void) ftw;
    if (st->st_uid == s_walk_uid && st->st_gid == s_walk_gid)
        return 0;
    if (lchown (path, s_walk_uid, s_walk_gid) < 0) {
        if (s_walk_failed++ == 0)
            ddc_warn ("cannot give %s to %ld:%ld: %s", path, (long) s_walk_uid, (long) s_walk_gid,
                      strerror (errno));
    }
    else
        s_walk_changed++;
    return 0;
}

int
ct_own_tree (const ct_ids_t *ids, const char *dir)
{
    //  mkdir -p: the parents as root's (0755), the folder itself 0700.
    char *path = ddc_strdup (dir);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir (path, 0755) < 0 && errno != EEXIST)
                break;
            *p = '/';
        }
    free (path);
    if (mkdir (dir, 0700) < 0 && errno != EEXIST) {
        ddc_error ("cannot create %s: %s", dir, strerror (errno));
        return -1;
    }
    if (!ids->root)
        return 0;
    struct stat st;
    if (lstat (dir, &st) < 0 || !S_ISDIR (st.st_mode)) {
        ddc_error ("%s is not a folder", dir);
        return -1;
    }
    s_walk_uid = ids->uid;
    s_walk_gid = ids->gid;
    s_walk_changed = s_walk_failed = 0;
    if (nftw (dir, s_own_one, 16, FTW_PHYS | FTW_MOUNT) < 0) {
        ddc_error ("cannot walk %s: %s", dir, strerror (errno));
        return -1;
    }
    //  The owner must be able to enter and write it, whatever it was.
    if ((st.st_mode & 0700) != 0700)
        chmod (dir, (st.st_mode & 07777) | 0700);
    if (s_walk_changed)
        ddc_info ("gave %ld file%s in %s to %ld:%ld", s_walk_changed,
                  s_walk_changed == 1 ? "" : "s", dir, (long) ids->uid, (long) ids->gid);
    if (s_walk_failed)
        ddc_warn ("%ld file%s in %s kept their owner (read-only mount?)", s_walk_failed,
                  s_walk_failed == 1 ? "" : "s", dir);
    return 0;
}

long
ct_socket_group (const char *path)
{
    struct stat st;
    if (stat (path, &st) < 0) {
        ddc_warn ("no Docker socket at %s (%s): mount it, e.g. -v /var/run/docker.sock:%s; "
                  "the agent keeps trying",
                  path, strerror (errno), path);
        return -1;
    }
    if (!S_ISSOCK (st.st_mode)) {
        ddc_warn ("%s is not a socket", path);
        return -1;
    }
    if ((st.st_mode & 0006) == 0006)
        return -1; //  open to everyone: no group needed
    if (st.st_gid == 0)
        ddc_warn ("the Docker socket %s belongs to group 0 (root): the agent joins that group",
                  path);
    return (long) st.st_gid;
}

int
ct_drop (const ct_ids_t *ids, long extra_gid)
{
    umask (ids->umask);
    if (!ids->root)
        return 0;
    gid_t groups [2] = { ids->gid, (gid_t) extra_gid };
    size_t n = extra_gid >= 0 && (gid_t) extra_gid != ids->gid ? 2 : 1;
    if (setgroups (n, groups) < 0 || setgid (ids->gid) < 0 || setuid (ids->uid) < 0) {
        ddc_error ("cannot switch to %ld:%ld: %s", (long) ids->uid, (long) ids->gid,
                   strerror (errno));
        return -1;
    }
    //  With PUID 0 there is nothing to drop; otherwise make sure of it.
    if (ids->uid != 0 && (setuid (0) == 0 || geteuid () != ids->uid)) {
        ddc_error ("still root after switching to %ld", (long) ids->uid);
        return -1;
    }
    return 0;
}
