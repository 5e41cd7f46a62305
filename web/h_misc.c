/*  h_misc: the unauthenticated endpoints (/health, /metrics), the compiled-
    in static files (/static/NAME) and the catch-all 404. None of them
    shows anything secret. */
#include "web.h"

#include "assets.h"
#include "bridge.h"

#include "ddc_util.h"

#include <stdio.h>
#include <string.h>

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
    cJSON_AddNumberToObject (o, "revision", (double) bridge_rev ());
    cJSON_AddStringToObject (o, "version", DDC_VERSION);
    cJSON_AddBoolToObject (o, "setup_required", up && !bridge_password_hash ()[0]);
    web_json (req, up ? 200 : 503, o);
    cJSON_Delete (o);
    return KORE_RESULT_OK;
}

int
page_metrics (struct http_request *req)
{
    web_metrics.broker_up = bridge_up ();
    web_metrics.revision = bridge_rev ();
    wbuf_t *b = wbuf_new (64 * 1024);
    metrics_render (&web_metrics, b);
    web_respond (req, 200, "text/plain; version=0.0.4; charset=utf-8", wbuf_text (b), wbuf_len (b),
                 false);
    wbuf_destroy (&b);
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
    const char *name = req->path + 1;            /* "static/app.js" */
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
