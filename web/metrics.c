/*  metrics: ddc-web's counters and their families. See metrics.h. */
#include "metrics.h"

#include <stdio.h>

static const char *const s_save_names [METRIC_SAVE_COUNT] = { "ok",      "unchanged", "conflict",
                                                              "invalid", "denied",    "error",
                                                              "timeout", "refused" };
static const char *const s_login_names [METRIC_LOGIN_COUNT] = { "ok", "failed", "limited" };

void
metrics_request (metrics_t *m, int status)
{
    if (status >= 100 && status <= 599)
        m->requests [status]++;
}

void
metrics_report (const metrics_t *m, ddc_metrics_t *out)
{
    for (int code = 100; code <= 599; code++)
        if (m->requests [code]) {
            char text [16];
            snprintf (text, sizeof (text), "%d", code);
            ddc_metrics_counter (out, "ddc_web_requests_total", "HTTP responses sent, by status.",
                                 (double) m->requests [code], "code", text, NULL);
        }
    for (int i = 0; i < METRIC_SAVE_COUNT; i++)
        ddc_metrics_counter (out, "ddc_web_saves_total", "Section saves by result.",
                             (double) m->saves [i], "result", s_save_names [i], NULL);
    for (int i = 0; i < METRIC_LOGIN_COUNT; i++)
        ddc_metrics_counter (out, "ddc_web_logins_total", "Sign-in attempts by result.",
                             (double) m->logins [i], "result", s_login_names [i], NULL);
    ddc_metrics_counter (out, "ddc_web_password_rehashes_total",
                         "Legacy password hashes "
                         "replaced by argon2id.",
                         (double) m->rehashes, NULL);
    ddc_metrics_counter (out, "ddc_web_metrics_refused_total",
                         "Requests for /metrics without "
                         "the token or a session.",
                         (double) m->metrics_refused, NULL);
    ddc_metrics_gauge (out, "ddc_web_broker_up",
                       "1 when ddc-broker answers and the "
                       "configuration is synced.",
                       m->broker_up ? 1 : 0, NULL);
    ddc_metrics_gauge (out, "ddc_web_config_revision",
                       "Last configuration revision applied "
                       "by ddc-web.",
                       (double) m->revision, NULL);
    ddc_metrics_gauge (out, "ddc_web_live_clients",
                       "Browsers following live updates "
                       "(Server-Sent Events).",
                       (double) m->sse_clients, NULL);
}
