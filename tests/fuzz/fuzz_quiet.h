/*  fuzz_quiet: for a fuzz target whose code logs (ddc_log) on bad input,
    which it would do on almost every run: the logs are silenced once,
    before the first input (libFuzzer's LLVMFuzzerInitialize). */
#ifndef FUZZ_QUIET_H
#define FUZZ_QUIET_H

#include "ddc_log.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    ddc_log_set_level ((ddc_log_level_t) (DDC_LOG_ERROR + 1));
    return 0;
}

#endif
