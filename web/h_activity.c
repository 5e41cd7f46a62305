/*  h_activity: the activity page (/activity: the broker's audit log,
    AUDIT -> ENTRIES, page after page until a screenful, filtered by kind,
    container, who, result and time span) and container actions from the web
    (POST /api/action: ACTION -> RESULT to the host's ddc-docker, with
    whom it is for, the signed-in user and the browser's address, so that
    the broker records them; proto/ddcp.md 5.7 and 5.12). */
#include "web.h"

#include "bridge.h"
#include "jsonbody.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int page_activity (struct http_request *req);
int api_action (struct http_request *req);

enum { PA_START = 0, PA_PAGE };
#define S_ACTIVITY_SHOWN 50 //  entries on the page
#define S_ACTIVITY_ASKS 20  //  AUDIT pages read for one screenful

//  ------------------------------------------------------------------------
//  the activity page

//  The span of a "since" choice in seconds, or 0 for none.
static int64_t
s_span (const char *since)
{
    static const struct {
        const char *name;
        int64_t seconds;
    } spans [] = { { "1h", 3600 }, { "24h", 86400 }, { "7d", 7 * 86400 }, { "30d", 30 * 86400 } };
    for (size_t i = 0; i < sizeof (spans) / sizeof (spans [0]); i++)
        if (strcmp (since, spans [i].name) == 0)
            return spans [i].seconds;
    return 0;
}

//  A cursor as the broker writes it: INODE:OFFSET.
static bool
s_cursor_ok (const char *s)
{
    size_t digits = strspn (s, "0123456789");
    return digits > 0 && digits < 21 && s [digits] == ':'
           && strspn (s + digits + 1, "0123456789") == strlen (s + digits + 1)
           && strlen (s + digits + 1) > 0 && strlen (s + digits + 1) < 21;
}

//  The filters of the request, kept in op->value:
//  {"kind", "container", "since", "cursor", "entries": [], "next"}.
static cJSON *
s_filters (struct http_request *req)
{
    char kind [16] = "", container [DDC_CONTAINER_NAME_MAX + 1] = "", since [8] = "",
              cursor [48] = "";
    char who [129] = "", result [16] = "";
    web_query (req, "who", who, sizeof (who));
    web_query (req, "result", result, sizeof (result));
    if (strcmp (result, "ok") != 0 && strcmp (result, "error") != 0
        && strcmp (result, "timeout") != 0)
        result [0] = '\0';
    web_query (req, "kind", kind, sizeof (kind));
    web_query (req, "container", container, sizeof (container));
    web_query (req, "since", since, sizeof (since));
    web_query (req, "cursor", cursor, sizeof (cursor));
    if (strcmp (kind, "action") != 0 && strcmp (kind, "config") != 0)
        kind [0] = '\0';
    if (container [0] && !ddc_config_name_ok (container, DDC_CONTAINER_NAME_MAX))
        container [0] = '\0';
    if (!s_span (since))
        since [0] = '\0';
    if (!s_cursor_ok (cursor))
        cursor [0] = '\0';
    cJSON *f = cJSON_CreateObject ();
    cJSON_AddStringToObject (f, "kind", kind);
    cJSON_AddStringToObject (f, "container", container);
    cJSON_AddStringToObject (f, "since", since);
    cJSON_AddStringToObject (f, "who", who);
    cJSON_AddStringToObject (f, "result", result);
    cJSON_AddStringToObject (f, "cursor", cursor);
    cJSON_AddBoolToObject (f, "older", cursor [0] != '\0');
    cJSON_AddArrayToObject (f, "entries");
    return f;
}

static const char *
s_get (const cJSON *obj, const char *key)
{
    const char *v = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
    return v ? v : "";
}

//  AUDIT for the next page of the filters in op->value.
static int
s_ask (struct http_request *req, web_op_t *op)
{
    const cJSON *f = op->value;
    cJSON *q = cJSON_CreateObject ();
    if (*s_get (f, "kind"))
        cJSON_AddStringToObject (q, "kind", s_get (f, "kind"));
    if (*s_get (f, "container"))
        cJSON_AddStringToObject (q, "container", s_get (f, "container"));
    if (*s_get (f, "who"))
        cJSON_AddStringToObject (q, "who", s_get (f, "who"));
    if (*s_get (f, "result"))
        cJSON_AddStringToObject (q, "result", s_get (f, "result"));
    int64_t span = s_span (s_get (f, "since"));
    if (span) {
        char when [32];
        ddc_iso_time (ddc_wall_ms () - span * 1000, when);
        cJSON_AddStringToObject (q, "since", when);
    }
    if (*s_get (f, "cursor"))
        cJSON_AddStringToObject (q, "cursor", s_get (f, "cursor"));
    int have = cJSON_GetArraySize (cJSON_GetObjectItemCaseSensitive (f, "entries"));
    cJSON_AddNumberToObject (q, "limit", S_ACTIVITY_SHOWN - have);
    char *text = ddc_json_print (q);
    cJSON_Delete (q);
    char req_id [40];
    ddc_req_id (req_id);
    zmsg_t *msg = ddc_msg_buildv (DDC_AUDIT, req_id, text, NULL);
    free (text);
    if (!msg || op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) < 0) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    op->phase = PA_PAGE;
    op->flags++; //  pages asked for
    return KORE_RESULT_RETRY;
}

int
page_activity (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PA_START) {
        if (!web_page_open (req, &op->auth, true, false))
            return KORE_RESULT_OK;
        op->value = s_filters (req);
        return s_ask (req, op);
    }
    if (!op->reply || op->reply->type != DDC_ENTRIES) {
        if (op->reply && op->reply->type == DDC_ERROR)
            web_error (req, 502, "error.502_title", "activity.unavailable",
                       op->reply->frame [DDC_ERROR_MESSAGE]);
        else
            web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    //  Gather pages until a screenful, the end, or enough asking: a page
    //  may come back empty while the broker reads on.
    const cJSON *page = op->reply->json [DDC_ENTRIES_BODY];
    cJSON *entries = cJSON_GetObjectItemCaseSensitive (op->value, "entries");
    const cJSON *e;
    cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive (page, "entries"))
        if (cJSON_GetArraySize (entries) < S_ACTIVITY_SHOWN)
            cJSON_AddItemToArray (entries, cJSON_Duplicate (e, true));
    const char *next = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (page, "next"));
    cJSON_DeleteItemFromObjectCaseSensitive (op->value, "cursor");
    cJSON_AddStringToObject (op->value, "cursor", next ? next : "");
    if (next && cJSON_GetArraySize (entries) < S_ACTIVITY_SHOWN && op->flags < S_ACTIVITY_ASKS)
        return s_ask (req, op);
    ractivity_t a = {
        .kind = s_get (op->value, "kind"),
        .container = s_get (op->value, "container"),
        .since = s_get (op->value, "since"),
        .who = s_get (op->value, "who"),
        .result = s_get (op->value, "result"),
        .next = next,
        .older = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (op->value, "older")),
    };
    rctx_t rc;
    web_rctx (&rc, &op->auth, "activity");
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_activity (b, &rc, entries, &a);
    web_page (req, 200, &b);
    return KORE_RESULT_OK;
}

//  ------------------------------------------------------------------------
//  actions

//  The reply to an action, as JSON: the agent's RESULT body (200, its
//  "ok" says how it went), or why there is none.
static void
s_action_answer (struct http_request *req, const ddc_msg_t *r)
{
    if (!r) {
        web_json_error (req, 503, "unavailable", "the broker did not answer");
        return;
    }
    if (r->type == DDC_RESULT) {
        web_json (req, 200, r->json [DDC_RESULT_BODY]);
        return;
    }
    if (r->type == DDC_ERROR) {
        uint64_t code = r->u64 [DDC_ERROR_CODE];
        web_json_error (req,
                        code == DDC_E_NOT_FOUND ? 404
                        : code == DDC_E_TIMEOUT ? 504
                                                : 502,
                        code == DDC_E_NOT_FOUND ? "not_connected"
                        : code == DDC_E_TIMEOUT ? "timeout"
                                                : "failed",
                        r->frame [DDC_ERROR_MESSAGE]);
        return;
    }
    web_json_error (req, 502, "failed", ddc_msg_name (r->type));
}

int
api_action (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PA_PAGE) {
        s_action_answer (req, op->reply);
        return KORE_RESULT_OK;
    }
    if (req->method != HTTP_METHOD_POST) {
        http_response_header (req, "allow", "POST");
        web_json_error (req, 405, "method_not_allowed", NULL);
        return KORE_RESULT_OK;
    }
    if (!web_auth_page (req, &op->auth, true, true))
        return KORE_RESULT_OK;
    size_t len;
    char *body = web_json_body (req, &op->auth, &len);
    if (!body)
        return KORE_RESULT_OK;
    jsonbody_action_t a;
    char err [200];
    int rc = jsonbody_action_parse (body, len, &a, err, sizeof (err));
    free (body);
    if (rc < 0) {
        web_json_error (req, 400, "bad_request", err);
        return KORE_RESULT_OK;
    }
    char addr [WEB_ADDR_MAX];
    int64_t ms;
    web_client_addr (req, addr);
    zmsg_t *msg =
        web_action_msg (WEB_USER, addr, a.host, a.container, a.action, a.lines, false, &ms);
    //  the broker answers 408 at the timeout: wait a little longer
    if (!msg || op_broker (req, op, &msg, ms + 3000) < 0) {
        web_unavailable (req, true);
        return KORE_RESULT_OK;
    }
    op->phase = PA_PAGE;
    return KORE_RESULT_RETRY;
}
