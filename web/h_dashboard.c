/*  h_dashboard: the dashboard (/), its live updates (/events, Server-Sent
    Events, see sse.h) and the same view as JSON (/api/status) for scripts
    and for browsers that cannot keep an event stream open. The dashboard
    shows the bridge's peers table while it is fresh (S_FRESH_MS, and the
    connection to the broker has not dropped since; the open page is kept
    current by the live view anyway) and otherwise asks the broker for a
    new one first, so that a load also proves the broker answers (503
    within WEB_SAVE_TIMEOUT when not). The page itself is rendered once per
    change of what it shows (cache.h). */
#include "web.h"

#include "bridge.h"
#include "cache.h"
#include "sse.h"

#include "ddc_util.h"

#include <string.h>

#define S_FRESH_MS 1000

int page_dashboard (struct http_request *req);
int page_events (struct http_request *req);
int api_status (struct http_request *req);

enum { PH_START = 0, PH_STATUS };

static void
s_render (struct http_request *req, web_op_t *op)
{
    const char *lang = bridge_lang ();
    const ddc_buf_t *page = cache_page (CACHE_DASHBOARD, lang);
    if (!page) {
        rctx_t rc;
        web_rctx_shared (&rc, "dashboard");
        ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
        render_dashboard (b, &rc, cache_view ());
        page = cache_page_put (CACHE_DASHBOARD, lang, &b);
    }
    web_page_marked (req, page, op->auth.csrf);
}

int
page_dashboard (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PH_STATUS) {
        if (!op->reply || op->reply->type != DDC_PEERS) {
            web_unavailable (req, false);
            return KORE_RESULT_OK;
        }
        bridge_set_table (op->reply->json [DDC_PEERS_BODY]);
        s_render (req, op);
        return KORE_RESULT_OK;
    }
    if (!web_page_open (req, &op->auth, true, false))
        return KORE_RESULT_OK;
    if (bridge_table_fresh (S_FRESH_MS)) {
        s_render (req, op);
        return KORE_RESULT_OK;
    }
    zmsg_t *msg = bridge_status_request (0);
    if (!msg || op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) < 0) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    op->phase = PH_STATUS;
    return KORE_RESULT_RETRY;
}

int
page_events (struct http_request *req)
{
    if (req->method != HTTP_METHOD_GET) {
        http_response_header (req, "allow", "GET");
        web_respond (req, 405, "text/plain; charset=utf-8", NULL, 0, false);
        return KORE_RESULT_OK;
    }
    web_auth_t a;
    //  no refresh: following live updates is not activity
    if (!web_auth_page (req, &a, false, true))
        return KORE_RESULT_OK;
    sse_open (req, &a);
    return KORE_RESULT_OK;
}

int
api_status (struct http_request *req)
{
    web_auth_t a;
    if (!web_auth_page (req, &a, false, true))
        return KORE_RESULT_OK;
    web_json (req, 200, cache_view ());
    bridge_refresh_table ();
    return KORE_RESULT_OK;
}
