/*  ddc_fdlimit: the process's open-file limit, checked before a service
    makes its ZeroMQ sockets. libzmq and czmq abort (an assertion) when a
    socket or the context's I/O thread cannot get a file descriptor, so a
    service started under a tiny `ulimit -n` would die with a core dump and
    no reason. ddc_fdlimit_ensure raises the soft limit toward the hard one
    when the free descriptors are too few (as many servers do) and, when
    even the hard limit leaves too few, says so in one line for the
    service to exit with. */
#ifndef DDC_FDLIMIT_H
#define DDC_FDLIMIT_H

#include <stddef.h>

//  What a service asks for at start: its sockets, files and a margin.
#define DDC_FDLIMIT_SERVICE 32
//  The broker's: the same, and a few dozen peers (one descriptor each).
#define DDC_FDLIMIT_BROKER 64

//  Make at least `need` more descriptors openable. 0; or -1 with a
//  one-line reason in err (the limits, and how to raise them).
int ddc_fdlimit_ensure (int need, char *err, size_t errlen);

//  The soft limit raised to the hard one (at most DDC_FDLIMIT_MAX): for the
//  broker, which holds a descriptor per peer. The soft limit before, when
//  it was raised (with the new one in *now); else 0.
#define DDC_FDLIMIT_MAX (1024 * 1024)
unsigned long ddc_fdlimit_raise (unsigned long *now);

#endif
