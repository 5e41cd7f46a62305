/*  metrics: counters and Prometheus text. See metrics.h. */
#include "metrics.h"

#include "ddc_util.h"

#include <inttypes.h>

static const char *const s_save_names[METRIC_SAVE_COUNT] = {
    "ok", "unchanged", "conflict", "invalid", "denied", "error", "timeout", "refused"
};
static const char *const s_login_names[METRIC_LOGIN_COUNT] = { "ok", "failed", "limited" };

void
metrics_request (metrics_t *m, int status)
{
    int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        m->requests[cls]++;
}

void
metrics_render (const metrics_t *m, wbuf_t *out)
{
    wbuf_puts (out, "# HELP ddc_web_requests_total HTTP responses sent by ddc-web, by status class.\n"
                    "# TYPE ddc_web_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        wbuf_printf (out, "ddc_web_requests_total{code=\"%dxx\"} %" PRIu64 "\n", c,
                     m->requests[c]);
    wbuf_puts (out, "# HELP ddc_web_saves_total Section saves by result.\n"
                    "# TYPE ddc_web_saves_total counter\n");
    for (int i = 0; i < METRIC_SAVE_COUNT; i++)
        wbuf_printf (out, "ddc_web_saves_total{result=\"%s\"} %" PRIu64 "\n", s_save_names[i],
                     m->saves[i]);
    wbuf_puts (out, "# HELP ddc_web_logins_total Sign-in attempts by result.\n"
                    "# TYPE ddc_web_logins_total counter\n");
    for (int i = 0; i < METRIC_LOGIN_COUNT; i++)
        wbuf_printf (out, "ddc_web_logins_total{result=\"%s\"} %" PRIu64 "\n", s_login_names[i],
                     m->logins[i]);
    wbuf_printf (out, "# HELP ddc_web_password_rehashes_total Legacy password hashes replaced by argon2id.\n"
                      "# TYPE ddc_web_password_rehashes_total counter\n"
                      "ddc_web_password_rehashes_total %" PRIu64 "\n", m->rehashes);
    wbuf_printf (out, "# HELP ddc_web_broker_up 1 when ddc-broker answers and the configuration is synced.\n"
                      "# TYPE ddc_web_broker_up gauge\n"
                      "ddc_web_broker_up %d\n", m->broker_up ? 1 : 0);
    wbuf_printf (out, "# HELP ddc_web_config_revision Last configuration revision applied by ddc-web.\n"
                      "# TYPE ddc_web_config_revision gauge\n"
                      "ddc_web_config_revision %" PRIu64 "\n", m->revision);
    wbuf_printf (out, "# HELP ddc_web_live_clients Browsers following live updates (Server-Sent Events).\n"
                      "# TYPE ddc_web_live_clients gauge\n"
                      "ddc_web_live_clients %" PRIu64 "\n", m->sse_clients);
    wbuf_printf (out, "# HELP ddc_web_start_time_seconds Start time of this ddc-web worker.\n"
                      "# TYPE ddc_web_start_time_seconds gauge\n"
                      "ddc_web_start_time_seconds %" PRId64 "\n", m->started_s);
}
