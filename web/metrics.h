/*  metrics: ddc-web's counters and gauges (requests by status, saves and
    sign-ins by result, rehashes, the broker link, live clients, /metrics
    refusals) and the families they make in its "metrics" report, which
    every replica publishes to the broker and /metrics serves with every
    other service's (ddc_metrics.h). Kore-free; one instance per worker
    process. Nothing secret is ever counted by value: only outcomes. */
#ifndef WEB_METRICS_H
#define WEB_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "ddc_metrics.h"

typedef enum {
    METRIC_SAVE_OK,
    METRIC_SAVE_UNCHANGED,
    METRIC_SAVE_CONFLICT,
    METRIC_SAVE_INVALID,
    METRIC_SAVE_DENIED,
    METRIC_SAVE_ERROR,
    METRIC_SAVE_TIMEOUT,
    METRIC_SAVE_REFUSED,
    METRIC_SAVE_COUNT
} metric_save_t;

typedef enum {
    METRIC_LOGIN_OK,
    METRIC_LOGIN_FAILED,
    METRIC_LOGIN_LIMITED,
    METRIC_LOGIN_COUNT
} metric_login_t;

typedef struct {
    uint64_t requests [600]; //  by status code, 100..599
    uint64_t saves [METRIC_SAVE_COUNT];
    uint64_t logins [METRIC_LOGIN_COUNT];
    uint64_t rehashes;
    uint64_t metrics_refused; //  /metrics without token or session
    uint64_t sse_clients;     //  gauge
    bool broker_up;           //  gauge
    uint64_t revision;        //  gauge: last applied global rev
} metrics_t;

void metrics_request (metrics_t *m, int status);
//  The families of m.
void metrics_report (const metrics_t *m, ddc_metrics_t *out);

#endif
