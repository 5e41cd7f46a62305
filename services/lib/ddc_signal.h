/*  ddc_signal: clean shutdown for daemons with their own poll loop.
    Owns the process's SIGTERM/SIGINT handling: the handler sets a flag and
    writes a byte to a self-pipe whose read end the loop polls, so a signal
    wakes the loop at once; SIGPIPE is ignored. One per process. */
#ifndef DDC_SIGNAL_H
#define DDC_SIGNAL_H

#include <stdbool.h>

//  Install the handlers and open the pipe. 0, or -1 with errno.
int ddc_signal_open (void);
//  The read end to poll for POLLIN, or -1 before ddc_signal_open.
int ddc_signal_fd (void);
//  true once SIGTERM or SIGINT arrived.
bool ddc_signal_stop (void);
//  Empty the pipe after it polled readable.
void ddc_signal_drain (void);
//  Close the pipe (the handlers stay, with nowhere to write).
void ddc_signal_close (void);

#endif
