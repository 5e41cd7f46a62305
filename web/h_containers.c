/*  h_containers: container actions and logs from the web, through the
    broker to the host's ddc-docker (ACTION -> RESULT, proto/docker.md),
    each for the signed-in user and the browser's address so that the
    broker records them (proto/ddcp.md 5.7):
      POST /containers/action   start, stop or restart from a page's
                                button (a form with the CSRF token; the
                                script sends /api/action instead and shows
                                the result in place): the result page
      GET  /logs?host=H&name=N  the newest lines (&lines=N, 1 to 1000),
                                followed live by /logs/events (logstream.c)
      GET  /logs/download?...   the same lines as a text file
    Logs only for the containers whose configuration allows them. */
#include "web.h"

#include "bridge.h"
#include "logstream.h"
#include "logtail.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int page_container_action (struct http_request *req);
int page_logs (struct http_request *req);
int page_logs_download (struct http_request *req);
int page_logs_events (struct http_request *req);

enum { PC_START = 0, PC_REPLY };
#define S_ACTION_EXTRA_MS 35000 //  on top of docker.stop_timeout_seconds
#define S_LOG_LINES 200         //  lines shown by default
#define S_DOWNLOAD_LINES 1000   //  lines in a download (the agent's most)

//  ------------------------------------------------------------------------
//  shared

zmsg_t *
web_action_msg (const char *user, const char *addr, const char *host, const char *container,
                const char *action, int lines, bool follow, int64_t *timeout_ms_p)
{
    const cJSON *t =
        cJSON_GetObjectItemCaseSensitive (bridge_section ("docker", NULL), "stop_timeout_seconds");
    int64_t ms = (cJSON_IsNumber (t) ? (int64_t) t->valuedouble : 10) * 1000 + S_ACTION_EXTRA_MS;
    if (ms > 120000)
        ms = 120000;
    *timeout_ms_p = ms;
    char by [160];
    snprintf (by, sizeof (by), "%.64s (web, %.63s)", user, addr);
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddStringToObject (body, "action", action);
    cJSON_AddStringToObject (body, "container", container);
    if (lines)
        cJSON_AddNumberToObject (body, "lines", lines);
    if (follow)
        cJSON_AddTrueToObject (body, "follow");
    cJSON_AddStringToObject (body, "by", by);
    //  the broker takes the requester from the connection (web@INSTANCE);
    //  whom it acts for goes in "for"
    cJSON *claimed = cJSON_AddObjectToObject (body, "for");
    cJSON_AddStringToObject (claimed, "user", user);
    cJSON_AddStringToObject (claimed, "address", addr);
    char *text = ddc_json_print (body);
    cJSON_Delete (body);
    char req_id [40], target [80], timeout [24];
    ddc_req_id (req_id);
    snprintf (target, sizeof (target), "docker@%s", host);
    snprintf (timeout, sizeof (timeout), "%" PRId64, ms);
    zmsg_t *msg = ddc_msg_buildv (DDC_ACTION, req_id, target, timeout, text, NULL);
    free (text);
    return msg;
}

//  The configured entry of host/name, or NULL.
static const cJSON *
s_entry (const char *host, const char *name)
{
    const cJSON *each;
    cJSON_ArrayForEach (each, bridge_section ("containers", NULL)) {
        const char *h = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (each, "host"));
        const char *n = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (each, "name"));
        if (h && n && strcmp (h, host) == 0 && strcmp (n, name) == 0)
            return each;
    }
    return NULL;
}

bool
web_action_allowed (const char *host, const char *name, const char *action)
{
    const cJSON *e = s_entry (host, name);
    if (!e || cJSON_IsFalse (cJSON_GetObjectItemCaseSensitive (e, "active")))
        return false;
    return render_action_allowed (cJSON_GetObjectItemCaseSensitive (e, "allowed_actions"), action);
}

//  host and name from the query (or form) into out; false when either is
//  missing or not a name.
static bool
s_target (const char *host_in, const char *name_in, char host [64], char name [129])
{
    if (!host_in || !name_in || !ddc_config_name_ok (host_in, DDC_HOST_NAME_MAX)
        || !ddc_config_name_ok (name_in, DDC_CONTAINER_NAME_MAX))
        return false;
    ddc_strlcpy (host, host_in, 64);
    ddc_strlcpy (name, name_in, 129);
    return true;
}

//  Send action on host/name to the broker
//  for the signed-in user; the request sleeps until the RESULT.
static int
s_send (struct http_request *req, web_op_t *op, const char *host, const char *name,
        const char *action, int lines, bool json)
{
    char addr [WEB_ADDR_MAX];
    int64_t ms;
    web_client_addr (req, addr);
    zmsg_t *msg = web_action_msg (WEB_USER, addr, host, name, action, lines, false, &ms);
    //  the broker answers 408 at the timeout: wait a little longer
    if (!msg || op_broker (req, op, &msg, ms + 3000) < 0) {
        web_unavailable (req, json);
        return KORE_RESULT_OK;
    }
    op->phase = PC_REPLY;
    return KORE_RESULT_RETRY;
}

//  Why there is no RESULT, in words (a broker ERROR), or NULL.
static const char *
s_no_result (const ddc_msg_t *r, int *status_p)
{
    if (!r) {
        *status_p = 503;
        return "the broker did not answer";
    }
    if (r->type == DDC_ERROR) {
        uint64_t code = r->u64 [DDC_ERROR_CODE];
        *status_p = code == DDC_E_NOT_FOUND ? 404 : code == DDC_E_TIMEOUT ? 504 : 502;
        return r->frame [DDC_ERROR_MESSAGE];
    }
    if (r->type != DDC_RESULT) {
        *status_p = 502;
        return ddc_msg_name (r->type);
    }
    return NULL;
}

//  ------------------------------------------------------------------------
//  POST /containers/action

//  The actions a page's buttons send.
static const char *const s_actions [] = { "start", "stop", "restart", NULL };

int
page_container_action (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    rctx_t rc;
    if (op->phase == PC_REPLY) {
        const char *host = op->text, *name = op->text2, *action = s_actions [op->flags];
        int status = 200;
        const char *why = s_no_result (op->reply, &status);
        const cJSON *result = why ? NULL : op->reply->json [DDC_RESULT_BODY];
        bool ok = result && cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "ok"));
        web_rctx (&rc, &op->auth, "containers");
        ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
        render_action_result (b, &rc, host, name, action, result, why);
        web_page (req, why ? status : ok ? 200 : 502, &b);
        return KORE_RESULT_OK;
    }
    if (!web_page_open (req, &op->auth, false, true))
        return KORE_RESULT_OK;
    form_t *f = web_form_csrf (req, &op->auth);
    if (!f)
        return KORE_RESULT_OK;
    //  the button pressed: do=ACTION:HOST/NAME
    const char *dov = form_get (f, "do");
    char action [16] = "", host [64], name [129];
    const char *colon = dov ? strchr (dov, ':') : NULL;
    const char *slash = colon ? strchr (colon, '/') : NULL;
    bool good = false;
    int which = 0;
    if (colon && slash && (size_t) (colon - dov) < sizeof (action)) {
        memcpy (action, dov, (size_t) (colon - dov));
        action [colon - dov] = '\0';
        char h [128];
        size_t hl = (size_t) (slash - colon - 1);
        if (hl < sizeof (h)) {
            memcpy (h, colon + 1, hl);
            h [hl] = '\0';
            while (s_actions [which] && strcmp (s_actions [which], action) != 0)
                which++;
            good = s_target (h, slash + 1, host, name) && s_actions [which];
        }
    }
    form_destroy (&f);
    if (!good) {
        web_error (req, 400, "error.400_title", "containers.bad_action", NULL);
        return KORE_RESULT_OK;
    }
    ddc_strlcpy (op->text, host, sizeof (op->text));
    ddc_strlcpy (op->text2, name, sizeof (op->text2));
    op->flags = which;
    return s_send (req, op, host, name, action, 0, false);
}

//  ------------------------------------------------------------------------
//  logs

//  The container a logs page names (?host=&name=), allowed logs: true, or
//  an answer sent (400, 403) and false.
static bool
s_logs_target (struct http_request *req, char host [64], char name [129], int *lines_p)
{
    char h [128] = "", n [256] = "", l [16] = "";
    web_query (req, "host", h, sizeof (h));
    web_query (req, "name", n, sizeof (n));
    if (!s_target (h, n, host, name)) {
        web_error (req, 400, "error.400_title", "logview.bad_target", NULL);
        return false;
    }
    if (!web_action_allowed (host, name, "logs")) {
        web_error (req, 403, "error.403_title", "logview.not_allowed", NULL);
        return false;
    }
    uint64_t want;
    if (lines_p && web_query (req, "lines", l, sizeof (l)) == 0 && ddc_parse_u64 (l, &want) == 0
        && want >= 1 && want <= S_DOWNLOAD_LINES)
        *lines_p = (int) want;
    return true;
}

//  The first step of a logs page: a signed-in GET naming a container that
//  allows logs; host in op->text, name in op->text2 (names, [A-Za-z0-9._-]:
//  safe in a file name), the lines asked for in op->flags, and the logs
//  action sent.
static int
s_logs_ask (struct http_request *req, web_op_t *op, int lines)
{
    if (!web_page_open (req, &op->auth, true, false))
        return KORE_RESULT_OK;
    char host [64], name [129];
    if (!s_logs_target (req, host, name, &lines))
        return KORE_RESULT_OK;
    ddc_strlcpy (op->text, host, sizeof (op->text));
    ddc_strlcpy (op->text2, name, sizeof (op->text2));
    op->flags = lines;
    return s_send (req, op, host, name, "logs", lines, false);
}

int
page_logs (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PC_REPLY) {
        const char *host = op->text, *name = op->text2;
        int status = 200;
        const char *why = s_no_result (op->reply, &status);
        const cJSON *result = why ? NULL : op->reply->json [DDC_RESULT_BODY];
        rctx_t rc;
        web_rctx (&rc, &op->auth, "containers");
        rlogs_t l = { .host = host, .name = name, .lines = op->flags, .result = result, .error = why };
        const cJSON *e = s_entry (host, name);
        l.display_name =
            cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "display_name"));
        ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
        render_logs (b, &rc, &l);
        web_page (req, why ? status : 200, &b);
        return KORE_RESULT_OK;
    }
    return s_logs_ask (req, op, S_LOG_LINES);
}

int
page_logs_download (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PC_REPLY) {
        int status = 200;
        const char *why = s_no_result (op->reply, &status);
        const cJSON *result = why ? NULL : op->reply->json [DDC_RESULT_BODY];
        if (!why && !cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "ok"))) {
            why = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (result, "message"));
            status = 502;
        }
        if (why) {
            web_error (req, status, "error.502_title", "logview.unavailable", why);
            return KORE_RESULT_OK;
        }
        const char *text = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (result, "logs"));
        char stamp [32], disp [300];
        ddc_iso_time (ddc_wall_ms (), stamp);
        //  2026-11-27T08:39:37Z -> 20261127T083937Z
        char compact [24];
        size_t k = 0;
        for (const char *p = stamp; *p && k < sizeof (compact) - 1; p++)
            if (*p != '-' && *p != ':')
                compact [k++] = *p;
        compact [k] = '\0';
        snprintf (disp, sizeof (disp), "attachment; filename=\"%.63s-%.128s-%.20s.log\"", op->text,
                  op->text2, compact);
        http_response_header (req, "content-disposition", disp);
        web_respond (req, 200, "text/plain; charset=utf-8", text ? text : "",
                     text ? strlen (text) : 0, false);
        return KORE_RESULT_OK;
    }
    return s_logs_ask (req, op, S_DOWNLOAD_LINES);
}

int
page_logs_events (struct http_request *req)
{
    web_auth_t a;
    if (req->method != HTTP_METHOD_GET) {
        http_response_header (req, "allow", "GET");
        web_respond (req, 405, "text/plain; charset=utf-8", "GET only\n", 9, false);
        return KORE_RESULT_OK;
    }
    web_auth_check (req, &a);
    if (!a.ok) {
        web_respond (req, 401, "text/plain; charset=utf-8", "sign in\n", 8, false);
        return KORE_RESULT_OK;
    }
    char h [128] = "", n [256] = "", host [64], name [129], addr [WEB_ADDR_MAX];
    web_query (req, "host", h, sizeof (h));
    web_query (req, "name", n, sizeof (n));
    if (!s_target (h, n, host, name)) {
        web_respond (req, 400, "text/plain; charset=utf-8", "host and name\n", 14, false);
        return KORE_RESULT_OK;
    }
    if (!web_action_allowed (host, name, "logs")) {
        web_respond (req, 403, "text/plain; charset=utf-8", "logs not allowed\n", 17, false);
        return KORE_RESULT_OK;
    }
    web_client_addr (req, addr);
    logstream_open (req, &a, host, name, addr);
    return KORE_RESULT_OK;
}
