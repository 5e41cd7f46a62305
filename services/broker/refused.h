/*  refused: what the broker turned away, for the operator. Owns the list
    of the latest refusals that STATUS shows (time, address, certificate
    name, reason, how often; at most REFUSED_KEEP, newest first) and the
    rate limit of their log lines: one line per source and reason per
    REFUSED_LOG_MS, and at most REFUSED_LOG_BURST lines per REFUSED_LOG_MS
    in all, with a count of those not logged. Single-threaded. */
#ifndef DDC_REFUSED_H
#define DDC_REFUSED_H

#include <cJSON.h>
#include <stdint.h>

#define REFUSED_KEEP 32
#define REFUSED_LOG_MS 60000
#define REFUSED_LOG_BURST 20

typedef struct refused_t refused_t;

refused_t *refused_new (void);
void refused_destroy (refused_t **self_p);
//  Record one refusal; address and cert may be NULL or "" when unknown.
void refused_add (refused_t *self, const char *address, const char *cert, const char *reason);
//  [{"time", "address", "certificate", "reason", "count"}], newest first.
cJSON *refused_json (refused_t *self);

#endif
