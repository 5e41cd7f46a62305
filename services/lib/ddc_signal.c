/*  ddc_signal: the self-pipe for SIGTERM/SIGINT. See ddc_signal.h. */
#include "ddc_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int s_pipe [2] = { -1, -1 };
static volatile sig_atomic_t s_stop;

static void
s_on_signal (int sig)
{
    (void) sig;
    s_stop = 1;
    int saved = errno;
    if (s_pipe [1] >= 0) {
        ssize_t n = write (s_pipe [1], "x", 1);
        (void) n;
    }
    errno = saved;
}

int
ddc_signal_open (void)
{
    if (pipe (s_pipe) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        int fl = fcntl (s_pipe [i], F_GETFL);
        fcntl (s_pipe [i], F_SETFL, fl | O_NONBLOCK);
        fcntl (s_pipe [i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset (&sa, 0, sizeof (sa));
    sa.sa_handler = s_on_signal;
    sigemptyset (&sa.sa_mask);
    sigaction (SIGTERM, &sa, NULL);
    sigaction (SIGINT, &sa, NULL);
    signal (SIGPIPE, SIG_IGN);
    return 0;
}

int
ddc_signal_fd (void)
{
    return s_pipe [0];
}
bool
ddc_signal_stop (void)
{
    return s_stop != 0;
}

void
ddc_signal_drain (void)
{
    char buf [16];
    while (s_pipe [0] >= 0 && read (s_pipe [0], buf, sizeof (buf)) > 0)
        ;
}

void
ddc_signal_close (void)
{
    int fds [2] = { s_pipe [0], s_pipe [1] };
    s_pipe [0] = s_pipe [1] = -1;
    for (int i = 0; i < 2; i++)
        if (fds [i] >= 0)
            close (fds [i]);
}
