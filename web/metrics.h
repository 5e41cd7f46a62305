/*  metrics: ddc-web's counters and their Prometheus text exposition
    (GET /metrics). Kore-free; one instance per worker process. Nothing
    secret is ever counted by value: only outcomes. */
#ifndef WEB_METRICS_H
#define WEB_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "wbuf.h"

typedef enum {
    METRIC_SAVE_OK, METRIC_SAVE_UNCHANGED, METRIC_SAVE_CONFLICT, METRIC_SAVE_INVALID,
    METRIC_SAVE_DENIED, METRIC_SAVE_ERROR, METRIC_SAVE_TIMEOUT, METRIC_SAVE_REFUSED,
    METRIC_SAVE_COUNT
} metric_save_t;

typedef enum {
    METRIC_LOGIN_OK, METRIC_LOGIN_FAILED, METRIC_LOGIN_LIMITED, METRIC_LOGIN_COUNT
} metric_login_t;

typedef struct {
    uint64_t requests[6];               /* by status class: [1]=1xx ... [5]=5xx */
    uint64_t saves[METRIC_SAVE_COUNT];
    uint64_t logins[METRIC_LOGIN_COUNT];
    uint64_t rehashes;
    uint64_t sse_clients;               /* gauge */
    bool broker_up;                     /* gauge */
    uint64_t revision;                  /* gauge: last applied global rev */
    int64_t started_s;                  /* Unix seconds */
} metrics_t;

void metrics_request (metrics_t *m, int status);
/* The exposition text (version 0.0.4) appended to out. */
void metrics_render (const metrics_t *m, wbuf_t *out);

#endif
