/*  loopstat: the broker loop's longest step (STATUS broker.loop, proto/
    ddcp.md 5.6): one request, one timer or one socket event, in time
    (waits for the disk and for the CPU included) and in the broker's own
    CPU time, what it was and when, and how many steps there were, and
    every step's time in a histogram, as metric families for the broker's
    "metrics" report. Every module with a callback in the broker's loop
    measures its steps here. Single-threaded. */
#ifndef DDC_LOOPSTAT_H
#define DDC_LOOPSTAT_H

#include <cJSON.h>
#include <stdint.h>

#include "ddc_metrics.h"

typedef struct loopstat_t loopstat_t;

//  When a step began.
typedef struct {
    int64_t us, cpu_us;
} loopstat_step_t;

loopstat_t *loopstat_new (void);
void loopstat_destroy (loopstat_t **self_p);
loopstat_step_t loopstat_begin (void);
//  The step that began at *step ends; what names it ("SAVE", "hugz").
void loopstat_done (loopstat_t *self, const loopstat_step_t *step, const char *what);
//  The same, and the next step begins where it ended (*step: one reading
//  of the clocks for both, for steps that follow each other at once).
void loopstat_next (loopstat_t *self, loopstat_step_t *step, const char *what);
//  {"longest_ms", "longest_at", "longest_what", "longest_cpu_ms",
//  "longest_cpu_at", "longest_cpu_what", "steps"}. Caller frees.
cJSON *loopstat_json (loopstat_t *self);
//  The families ddc_broker_loop_step_seconds (histogram),
//  ddc_broker_loop_longest_seconds and ddc_broker_loop_longest_cpu_seconds.
void loopstat_report (const loopstat_t *self, ddc_metrics_t *m);

#endif
