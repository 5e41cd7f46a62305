/*  ddc_fdlimit: the open-file limit checked before sockets are made. See
    ddc_fdlimit.h. */
#include "ddc_fdlimit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define S_MAX_NEED 1024

//  How many of `need` descriptors could be opened now (each opened, then
//  all closed again).
static int
s_free (int need)
{
    int fds [S_MAX_NEED];
    int got = 0;
    while (got < need) {
        int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            break;
        fds [got++] = fd;
    }
    for (int i = 0; i < got; i++)
        close (fds [i]);
    return got;
}

unsigned long
ddc_fdlimit_raise (unsigned long *now)
{
    struct rlimit lim;
    if (getrlimit (RLIMIT_NOFILE, &lim) < 0)
        return 0;
    rlim_t want = lim.rlim_max < DDC_FDLIMIT_MAX ? lim.rlim_max : DDC_FDLIMIT_MAX;
    if (lim.rlim_cur >= want)
        return 0;
    struct rlimit raised = { want, lim.rlim_max };
    if (setrlimit (RLIMIT_NOFILE, &raised) < 0)
        return 0;
    *now = (unsigned long) want;
    return (unsigned long) lim.rlim_cur;
}

int
ddc_fdlimit_ensure (int need, char *err, size_t errlen)
{
    if (need > S_MAX_NEED)
        need = S_MAX_NEED;
    int got = s_free (need);
    if (got == need)
        return 0;
    struct rlimit lim;
    if (getrlimit (RLIMIT_NOFILE, &lim) < 0) {
        snprintf (err, errlen, "cannot read the open-file limit: %s", strerror (errno));
        return -1;
    }
    //  Raised by what is missing, within the hard limit.
    rlim_t want = lim.rlim_cur + (rlim_t) (need - got);
    if (lim.rlim_cur < lim.rlim_max) {
        struct rlimit raised = { want < lim.rlim_max ? want : lim.rlim_max, lim.rlim_max };
        if (setrlimit (RLIMIT_NOFILE, &raised) == 0 && (got = s_free (need)) == need)
            return 0;
    }
    getrlimit (RLIMIT_NOFILE, &lim);
    snprintf (err, errlen,
              "only %d file descriptors can be opened (open-file limit %llu, hard limit %llu); "
              "at least %d are needed: raise it (ulimit -n, LimitNOFILE=, docker --ulimit "
              "nofile=)",
              got, (unsigned long long) lim.rlim_cur, (unsigned long long) lim.rlim_max, need);
    return -1;
}
