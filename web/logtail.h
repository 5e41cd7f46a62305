/*  logtail: what is new in a container's log between two reads of its
    newest lines. The Docker agent answers a logs action with the newest N
    lines (proto/docker.md); following a log means asking again and again
    and keeping the lines after the longest stretch the two answers share
    (the end of the earlier one is the start of the later one). Kore-free,
    fuzzed. Bounded: each answer is read up to LOGTAIL_MAX_BYTES (its
    newest bytes) and LOGTAIL_MAX_LINES lines; only the latest answer is
    kept. Identical lines repeated cannot be told apart: a log that only
    repeats its last line shows nothing new until another line comes. */
#ifndef WEB_LOGTAIL_H
#define WEB_LOGTAIL_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define LOGTAIL_MAX_BYTES (256 * 1024)
#define LOGTAIL_MAX_LINES 1000

typedef struct logtail_t logtail_t;

logtail_t *logtail_new (void);
void logtail_destroy (logtail_t **self_p);

//  Take the newest lines as the agent answered them (text, "\n" between
//  and after lines). Adds to out (a JSON array) each line that is new
//  since the previous answer, oldest first (every line of the first
//  answer), and returns how many. *gap_p is set when the earlier answer
//  does not reach into this one: more lines came than one answer holds,
//  or the log was replaced, so lines may be missing before the new ones.
size_t logtail_feed (logtail_t *self, const char *text, size_t len, cJSON *out, bool *gap_p);

//  Split text into its lines (without the "\n"), at most LOGTAIL_MAX_LINES
//  newest of them and LOGTAIL_MAX_BYTES newest bytes, into out.
void logtail_lines (const char *text, size_t len, cJSON *out);

#endif
