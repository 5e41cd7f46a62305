/*  stats: the broker's own counters and gauges, as its "metrics" report
    (proto/ddcp.md 5.8): requests by type and the malformed ones, saves by
    result, the services' rejections, messages published by kind, routed
    actions by result, audit records, and what it holds now (peers by
    role, subscribers, pending actions, the revision; the loop's steps are
    loopstat's). The broker counts into stats_t as it
    works; stats_report turns counts and gauges into metric families.
    Pure: no I/O, single-threaded (the broker loop). */
#ifndef DDC_STATS_H
#define DDC_STATS_H

#include <stdint.h>

#include "ddc_metrics.h"
#include "ddc_proto.h"

typedef enum {
    STATS_PUB_UPDATE,
    STATS_PUB_HUGZ,
    STATS_PUB_STATUS,
    STATS_PUB_MON,
    STATS_PUB_METRICS,
    STATS_PUB_COUNT
} stats_pub_t;

typedef enum {
    STATS_SAVE_OK,
    STATS_SAVE_UNCHANGED,
    STATS_SAVE_INVALID,
    STATS_SAVE_CONFLICT,
    STATS_SAVE_DENIED,
    STATS_SAVE_FAILED,
    STATS_SAVE_COUNT
} stats_save_t;

#define STATS_ROLES 5 //  ctl, web, discord, docker, monitor

typedef struct {
    uint64_t requests [DDC_MSG_COUNT];
    uint64_t malformed;
    uint64_t saves [STATS_SAVE_COUNT];
    uint64_t rejections; //  REJECTED from the services
    uint64_t published [STATS_PUB_COUNT];
    uint64_t actions_ok, actions_error, actions_timeout;
    uint64_t audit_records;
} stats_t;

//  What the broker holds at the time of the report.
typedef struct {
    const char *roles [STATS_ROLES];
    uint64_t connected [STATS_ROLES]; //  peers of each role connected
    uint64_t peers;                   //  in the table
    uint64_t subscribers, topics;
    uint64_t pending_actions;
    uint64_t revision;
    int64_t started_s; //  Unix seconds
} stats_now_t;

void stats_init (stats_t *self);
//  Count an action's end by its audit result ("ok", "error", "timeout").
void stats_action (stats_t *self, const char *result);
void stats_report (const stats_t *self, const stats_now_t *now, ddc_metrics_t *m);

#endif
