/*  ddc_log: timestamped one-line records on stderr. See ddc_log.h. */
#include "ddc_log.h"
#include "ddc_util.h"

#include <stdarg.h>
#include <stdio.h>

static const char *s_ident = "ddc";
static ddc_log_level_t s_level = DDC_LOG_INFO;

void
ddc_log_init (const char *ident)
{
    s_ident = ident;
}
void
ddc_log_set_level (ddc_log_level_t level)
{
    s_level = level;
}

void
ddc_log (ddc_log_level_t level, const char *fmt, ...)
{
    static const char *names [] = { "debug", "info", "warn", "error" };
    if (level < s_level)
        return;
    int64_t now = ddc_wall_ms ();
    char stamp [32];
    ddc_iso_time (now, stamp);
    stamp [19] = '\0'; //  drop the Z, add milliseconds
    char line [2048];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (line, sizeof (line), fmt, ap);
    va_end (ap);
    fprintf (stderr, "%s.%03dZ %s %s: %s\n", stamp, (int) (now % 1000), s_ident, names [level],
             line);
    fflush (stderr);
}
