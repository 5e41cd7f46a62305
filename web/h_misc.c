/*  h_misc: /health (no sign-in, nothing secret), /metrics (every service's
    metrics in Prometheus text, for the bearer token web.metrics_token or a
    signed-in browser), the compiled-in static files (/static/NAME) and the
    catch-all 404. */
#include "web.h"

#include "assets.h"
#include "bridge.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int page_health (struct http_request *req);
int page_metrics (struct http_request *req);
int page_static (struct http_request *req);
int page_not_found (struct http_request *req);

int
page_health (struct http_request *req)
{
    bool up = bridge_up ();
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddStringToObject (o, "status", up ? "ok" : "degraded");
    cJSON_AddBoolToObject (o, "broker", up);
    const char *refused = bridge_refused ();
    if (refused)
        cJSON_AddStringToObject (o, "broker_refused", refused);
    cJSON_AddNumberToObject (o, "revision", (double) bridge_rev ());
    cJSON_AddStringToObject (o, "version", DDC_VERSION);
    cJSON_AddBoolToObject (o, "setup_required", up && !bridge_password_hash () [0]);
    web_json (req, up ? 200 : 503, o);
    cJSON_Delete (o);
    return KORE_RESULT_OK;
}

//  /metrics may be read with the bearer token web.metrics_token (compared
//  in constant time) or by a signed-in browser.
static bool
s_metrics_allowed (struct http_request *req)
{
    const char *auth = web_header (req, "authorization");
    const char *token = cJSON_GetStringValue (
        cJSON_GetObjectItemCaseSensitive (bridge_section ("web", NULL), "metrics_token"));
    if (auth && strncasecmp (auth, "Bearer ", 7) == 0 && session_token_ok (token, auth + 7))
        return true;
    web_auth_t a;
    web_auth_check (req, &a);
    return a.ok;
}

//  A service's peer name as the labels of its metrics: role@instance.
static bool
s_split (const char *peer, char service [32], char host [DDC_MAX_TEXT + 1])
{
    const char *at = strchr (peer, '@');
    if (!at || at == peer || (size_t) (at - peer) >= 32 || !at [1])
        return false;
    snprintf (service, 32, "%.*s", (int) (at - peer), peer);
    ddc_strlcpy (host, at + 1, DDC_MAX_TEXT + 1);
    return true;
}

int
page_metrics (struct http_request *req)
{
    if (!s_metrics_allowed (req)) {
        web_metrics.metrics_refused++;
        http_response_header (req, "www-authenticate", "Bearer realm=\"ddc-web metrics\"");
        static const char refused [] = "/metrics needs the header Authorization: Bearer TOKEN "
                                       "(web.metrics_token) or a signed-in browser\n";
        web_respond (req, 401, "text/plain; charset=utf-8", refused, sizeof (refused) - 1, false);
        return KORE_RESULT_OK;
    }
    //  Every service's latest report (this replica's as it is now), and how
    //  old each is.
    static bridge_metrics_t kept [BRIDGE_METRICS_PEERS];
    size_t n = bridge_metrics (kept, BRIDGE_METRICS_PEERS);
    size_t max = 2 * (n + 1);
    ddc_metrics_source_t *src = ddc_calloc (max, sizeof (*src));
    cJSON **bodies = ddc_calloc (max, sizeof (*bodies));
    char (*names) [2][DDC_MAX_TEXT + 1] = ddc_calloc (n + 1, sizeof (*names));
    size_t used = 0;
    //  this replica's name, also before the broker ever answered
    char fallback [DDC_MAX_TEXT + 1];
    const char *self_name = ddc_client_name (bridge_client ());
    if (!self_name) {
        char host [128] = "localhost";
        if (!web_opts.instance [0])
            gethostname (host, sizeof (host) - 1);
        snprintf (fallback, sizeof (fallback), "web@%s",
                  web_opts.instance [0] ? web_opts.instance : host);
        self_name = fallback;
    }
    for (size_t i = 0; i <= n; i++) {
        const char *peer = i == 0 ? self_name : kept [i - 1].peer;
        if (!peer || !s_split (peer, names [i][0], names [i][1]))
            continue;
        cJSON *body = i == 0 ? ddc_client_metrics (bridge_client ())
                             : ddc_json_parse (kept [i - 1].text, strlen (kept [i - 1].text),
                                               DDC_METRICS_MAX, NULL, 0);
        if (!body)
            continue;
        ddc_metrics_t *age = ddc_metrics_new ();
        ddc_metrics_gauge (age, "ddc_metrics_report_age_seconds",
                           "How old the service's "
                           "latest metrics report is (reports come every 10 s).",
                           i == 0 ? 0.0 : (double) kept [i - 1].age_ms / 1000.0, NULL);
        bodies [used] = body;
        src [used++] = (ddc_metrics_source_t){ names [i][0], names [i][1], body };
        bodies [used] = ddc_metrics_json (age);
        src [used] = (ddc_metrics_source_t){ names [i][0], names [i][1], bodies [used] };
        used++;
        ddc_metrics_destroy (&age);
    }
    size_t len;
    char *text = ddc_metrics_render (src, used, &len);
    web_respond (req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, false);
    free (text);
    for (size_t i = 0; i < used; i++)
        cJSON_Delete (bodies [i]);
    free (bodies);
    free (src);
    free (names);
    return KORE_RESULT_OK;
}

static const char *
s_type (const char *path)
{
    const char *dot = strrchr (path, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcmp (dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp (dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp (dot, ".svg") == 0)
        return "image/svg+xml";
    if (strcmp (dot, ".json") == 0)
        return "application/json";
    return "application/octet-stream";
}

int
page_static (struct http_request *req)
{
    if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
        return page_not_found (req);
    const char *name = req->path + 1; //  "static/app.js"
    for (const web_asset_t *a = web_assets; a->path; a++)
        if (strncmp (a->path, "static/", 7) == 0 && strcmp (a->path, name) == 0) {
            web_respond (req, 200, s_type (a->path), a->data, a->len, true);
            return KORE_RESULT_OK;
        }
    return page_not_found (req);
}

int
page_not_found (struct http_request *req)
{
    web_error (req, 404, "error.404_title", "error.404_text", NULL);
    return KORE_RESULT_OK;
}
