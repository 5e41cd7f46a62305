/*  loopstat: the broker loop's longest step. See loopstat.h. */
#include "loopstat.h"
#include "ddc_util.h"

#include <stdlib.h>
#include <time.h>

struct loopstat_t {
    int64_t us; //  in time
    int64_t wall_ms;
    char what [32];
    int64_t cpu_us; //  in the broker's own CPU time
    int64_t cpu_wall_ms;
    char cpu_what [32];
    uint64_t steps;
    ddc_histogram_t hist; //  every step's time, seconds
};

//  Loop steps: from 0.1 ms (a request) to 0.5 s (a slow disk).
static const double s_step_le [] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                     0.01,   0.025,   0.05,   0.1,   0.25,   0.5 };

static int64_t
s_cpu_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

loopstat_t *
loopstat_new (void)
{
    loopstat_t *self = ddc_calloc (1, sizeof (*self));
    ddc_histogram_init (&self->hist, s_step_le, (int) (sizeof (s_step_le) / sizeof (s_step_le [0])));
    return self;
}

void
loopstat_destroy (loopstat_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

loopstat_step_t
loopstat_begin (void)
{
    return (loopstat_step_t){ ddc_mono_us (), s_cpu_us () };
}

//  Record a step of `took` us in time and `cpu` us in CPU.
static void
s_record (loopstat_t *self, int64_t took, int64_t cpu, const char *what)
{
    self->steps++;
    ddc_histogram_observe (&self->hist, (double) took / 1e6);
    if (took > self->us) {
        self->us = took;
        self->wall_ms = ddc_wall_ms ();
        ddc_strlcpy (self->what, what, sizeof (self->what));
    }
    if (cpu > self->cpu_us) {
        self->cpu_us = cpu;
        self->cpu_wall_ms = ddc_wall_ms ();
        ddc_strlcpy (self->cpu_what, what, sizeof (self->cpu_what));
    }
}

void
loopstat_done (loopstat_t *self, const loopstat_step_t *step, const char *what)
{
    s_record (self, ddc_mono_us () - step->us, s_cpu_us () - step->cpu_us, what);
}

void
loopstat_next (loopstat_t *self, loopstat_step_t *step, const char *what)
{
    loopstat_step_t now = loopstat_begin ();
    s_record (self, now.us - step->us, now.cpu_us - step->cpu_us, what);
    *step = now;
}

cJSON *
loopstat_json (loopstat_t *self)
{
    cJSON *loop = cJSON_CreateObject ();
    char when [32] = "";
    cJSON_AddNumberToObject (loop, "longest_ms", (double) self->us / 1000.0);
    if (self->wall_ms)
        ddc_iso_time (self->wall_ms, when);
    cJSON_AddStringToObject (loop, "longest_at", when);
    cJSON_AddStringToObject (loop, "longest_what", self->what);
    cJSON_AddNumberToObject (loop, "longest_cpu_ms", (double) self->cpu_us / 1000.0);
    when [0] = '\0';
    if (self->cpu_wall_ms)
        ddc_iso_time (self->cpu_wall_ms, when);
    cJSON_AddStringToObject (loop, "longest_cpu_at", when);
    cJSON_AddStringToObject (loop, "longest_cpu_what", self->cpu_what);
    cJSON_AddNumberToObject (loop, "steps", (double) self->steps);
    return loop;
}

void
loopstat_report (const loopstat_t *self, ddc_metrics_t *m)
{
    ddc_metrics_histogram (m, "ddc_broker_loop_step_seconds",
                           "How long each step of the "
                           "broker's loop took (one request, one timer).",
                           &self->hist, NULL);
    ddc_metrics_gauge (m, "ddc_broker_loop_longest_seconds",
                       "The longest loop step since the "
                       "start, in time (waits for the disk included).",
                       (double) self->us / 1e6, NULL);
    ddc_metrics_gauge (m, "ddc_broker_loop_longest_cpu_seconds",
                       "The longest loop step since "
                       "the start, in the broker's own CPU time.",
                       (double) self->cpu_us / 1e6, NULL);
}
