/*  stats: the broker's metrics. See stats.h. */
#include "stats.h"
#include "ddc_util.h"

#include <string.h>

void
stats_init (stats_t *self)
{
    memset (self, 0, sizeof (*self));
}

void
stats_action (stats_t *self, const char *result)
{
    if (result && strcmp (result, "ok") == 0)
        self->actions_ok++;
    else if (result && strcmp (result, "timeout") == 0)
        self->actions_timeout++;
    else
        self->actions_error++;
}

void
stats_report (const stats_t *self, const stats_now_t *now, ddc_metrics_t *m)
{
    static const char *const requests_help = "Requests taken, by message type.";
    for (int t = 0; t < DDC_MSG_COUNT; t++)
        if (self->requests [t])
            ddc_metrics_counter (m, "ddc_broker_requests_total", requests_help,
                                 (double) self->requests [t], "type",
                                 ddc_msg_name ((ddc_msg_type_t) t), NULL);
    ddc_metrics_counter (m, "ddc_broker_malformed_total", "Malformed requests refused.",
                         (double) self->malformed, NULL);
    static const char *const saves [STATS_SAVE_COUNT] = { "ok",       "unchanged", "invalid",
                                                          "conflict", "denied",    "failed" };
    for (int i = 0; i < STATS_SAVE_COUNT; i++)
        ddc_metrics_counter (m, "ddc_broker_saves_total",
                             "Saves and rollbacks by result "
                             "(conflict: someone saved first).",
                             (double) self->saves [i], "result", saves [i], NULL);
    ddc_metrics_counter (m, "ddc_broker_rejections_total",
                         "Configuration revisions a service "
                         "rejected (it kept running an older one).",
                         (double) self->rejections, NULL);
    static const char *const kinds [STATS_PUB_COUNT] = { "update", "hugz", "status", "mon",
                                                         "metrics" };
    for (int i = 0; i < STATS_PUB_COUNT; i++)
        ddc_metrics_counter (m, "ddc_broker_published_total",
                             "Messages published to the "
                             "subscribers, by kind.",
                             (double) self->published [i], "kind", kinds [i], NULL);
    static const char *const actions_help = "Actions routed (or refused), by result.";
    ddc_metrics_counter (m, "ddc_broker_actions_total", actions_help, (double) self->actions_ok,
                         "result", "ok", NULL);
    ddc_metrics_counter (m, "ddc_broker_actions_total", actions_help, (double) self->actions_error,
                         "result", "error", NULL);
    ddc_metrics_counter (m, "ddc_broker_actions_total", actions_help,
                         (double) self->actions_timeout, "result", "timeout", NULL);
    ddc_metrics_counter (m, "ddc_broker_audit_records_total", "Lines written to the audit log.",
                         (double) self->audit_records, NULL);
    for (int i = 0; i < STATS_ROLES; i++)
        if (now->roles [i])
            ddc_metrics_gauge (m, "ddc_broker_peers_connected",
                               "Services and tools connected, "
                               "by role.",
                               (double) now->connected [i], "role", now->roles [i], NULL);
    ddc_metrics_gauge (m, "ddc_broker_peers", "Peers in the broker's table (connected or not).",
                       (double) now->peers, NULL);
    ddc_metrics_gauge (m, "ddc_broker_subscribers", "Subscribers of the publish socket.",
                       (double) now->subscribers, NULL);
    ddc_metrics_gauge (m, "ddc_broker_pending_actions", "Actions waiting for their result.",
                       (double) now->pending_actions, NULL);
    ddc_metrics_gauge (m, "ddc_broker_config_revision", "The configuration's global revision.",
                       (double) now->revision, NULL);
    ddc_metrics_gauge (m, "ddc_service_info", "The service's version (the value is 1).", 1,
                       "version", DDC_VERSION, NULL);
    ddc_metrics_gauge (m, "ddc_service_start_time_seconds",
                       "When the service started (Unix "
                       "time).",
                       (double) now->started_s, NULL);
}
