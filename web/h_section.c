/*  h_section: the pages that edit one configuration section each (/bot,
    /containers, /channels, /admins, /cooldowns, /tasks, /alerts,
    /watchdog, /docker, /webui) and the JSON save API (/api/section/NAME). A save is
    one SAVE to the broker with the revision the form was rendered from:
      OK        -> 303 to the page with ?saved=REV: "Changes applied
                   (revision N)" and the services' acknowledgements, live
                   (once this worker has applied REV itself, so that the
                   page shows it: op_await_applied)
      INVALID   -> 422, the form as submitted with each error at its input
      CONFLICT  -> 409, the form as submitted and a link to reload the
                   newer revision (nothing is overwritten)
      no answer -> 503 within WEB_SAVE_TIMEOUT: the form as submitted
                   under a notice (also when the broker is away), so that
                   nothing typed is lost.
    A page as it stands (no notice, no refused input) is rendered once per
    change of what it shows and kept for every session (cache.h). */
#include "web.h"

#include "bridge.h"
#include "cache.h"
#include "jsonbody.h"
#include "schema.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int page_section (struct http_request *req);
int api_section (struct http_request *req);

enum { PH_START = 0, PH_SAVED, PH_STATUS };
#define F_JSON 1        //  op->flags: answer in JSON
#define S_FRESH_MS 2000 //  the containers page's table

//  ------------------------------------------------------------------------
//  rendering

//  What the containers page's query asks for: ?q=SEARCH&page=N&add=HOST/NAME,
//  and ?part=discovered for the list of discovered containers alone.
typedef struct {
    char q [128];
    char add [256];
    size_t page;
    bool part;
} s_cview_t;

//  Fill v from the request's query; true when it asks for anything but the
//  plain page.
static bool
s_cview (struct http_request *req, s_cview_t *v)
{
    memset (v, 0, sizeof (*v));
    char page [24] = "", part [24] = "";
    uint64_t n;
    web_query (req, "q", v->q, sizeof (v->q));
    web_query (req, "add", v->add, sizeof (v->add));
    if (web_query (req, "page", page, sizeof (page)) == 0 && ddc_parse_u64 (page, &n) == 0
        && n <= 1000000)
        v->page = (size_t) n;
    v->part = web_query (req, "part", part, sizeof (part)) == 0 && strcmp (part, "discovered") == 0;
    return v->q [0] || v->add [0] || v->page > 1 || v->part;
}

//  The whole page of section s showing value (caller destroys); cv: the
//  containers page's query, or NULL.
static ddc_buf_t *
s_page (const rctx_t *rc, ddc_section_t s, const cJSON *value, uint64_t rev, errs_t *errs,
        const char *notice_html, const s_cview_t *cv)
{
    rsection_t d = { .value = value, .rev = rev, .errs = errs, .notice_html = notice_html };
    if (s == DDC_SEC_CONTAINERS) {
        d.inventory = cache_inventory ();
        d.states = cache_states ();
        if (cv) {
            d.query = cv->q;
            d.page = cv->page;
            d.add = cv->add [0] ? cv->add : NULL;
        }
        if (cv && cv->part) {
            ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
            render_discovered (b, rc, &d);
            return b;
        }
    }
    if (s == DDC_SEC_TASKS)
        d.containers = bridge_section ("containers", NULL);
    if (s == DDC_SEC_BOT)
        d.view = cache_view ();
    //  the web section's password hash has a page of its own: its secret
    //  shown as set or not is the metrics token
    const char *secret = s == DDC_SEC_WEB ? "metrics_token" : ddc_section_secrets (s) [0];
    if (secret) {
        const char *v = cJSON_GetStringValue (
            cJSON_GetObjectItemCaseSensitive (bridge_section (ddc_section_name (s), NULL), secret));
        d.secret_set = v && *v;
    }
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_begin (b, rc, T (rc, render_section_title (s)));
    render_section (b, rc, s, &d);
    render_end (b, rc);
    return b;
}

//  The page with this request's own data (a refused save, a notice).
static void
s_render (struct http_request *req, web_op_t *op, int status, const cJSON *value, uint64_t rev,
          errs_t *errs, const char *notice_html)
{
    rctx_t rc;
    web_rctx (&rc, &op->auth, render_section_title (op->section) + 4); //  "nav.bot" -> "bot"
    s_cview_t cv, *cvp = NULL;
    if (op->section == DDC_SEC_CONTAINERS && req->method == HTTP_METHOD_GET && s_cview (req, &cv))
        cvp = &cv;
    ddc_buf_t *b = s_page (&rc, op->section, value, rev, errs, notice_html, cvp);
    web_page (req, status, &b);
}

static void
s_render_current (struct http_request *req, web_op_t *op)
{
    uint64_t rev = 0;
    const cJSON *value = bridge_section (ddc_section_name (op->section), &rev);
    char saved [24] = "", changed [8] = "";
    uint64_t saved_rev;
    if (web_query (req, "saved", saved, sizeof (saved)) == 0
        && ddc_parse_u64 (saved, &saved_rev) == 0) {
        web_query (req, "changed", changed, sizeof (changed));
        rctx_t rc;
        web_rctx (&rc, &op->auth, NULL);
        ddc_buf_t *notice = ddc_buf_new (64 * 1024);
        render_saved (notice, &rc, ddc_section_name (op->section), saved_rev,
                      strcmp (changed, "0") != 0);
        s_render (req, op, 200, value, rev, NULL, ddc_buf_text (notice));
        ddc_buf_destroy (&notice);
        return;
    }
    //  the containers page searched, paged or with a row added: its own
    s_cview_t cv;
    if (op->section == DDC_SEC_CONTAINERS && s_cview (req, &cv)) {
        s_render (req, op, 200, value, rev, NULL, NULL);
        return;
    }
    //  the tasks page shows the next runs: as of now, never kept
    if (op->section == DDC_SEC_TASKS) {
        s_render (req, op, 200, value, rev, NULL, NULL);
        return;
    }
    //  the plain page: the same for every session until its data changes
    const char *lang = bridge_lang ();
    const ddc_buf_t *page = cache_page ((int) op->section, lang);
    if (!page) {
        rctx_t rc;
        web_rctx_shared (&rc, render_section_title (op->section) + 4);
        ddc_buf_t *b = s_page (&rc, op->section, value, rev, NULL, NULL, NULL);
        page = cache_page_put ((int) op->section, lang, &b);
    }
    web_page_marked (req, page, op->auth.csrf);
}

//  ------------------------------------------------------------------------
//  saving

//  A form save that did not reach the broker, or got no answer: the form
//  again with what was typed (secrets excepted: they are never sent back)
//  under a notice (key) saying so, rather than an error page that loses
//  the input.
static void
s_render_kept (struct http_request *req, web_op_t *op, int status, const char *key)
{
    rctx_t rc;
    web_rctx (&rc, &op->auth, NULL);
    ddc_buf_t *notice = ddc_buf_new (4096);
    render_save_failed (notice, &rc, key);
    http_response_header (req, "retry-after", "5");
    s_render (req, op, status, op->value, op->rev, NULL, ddc_buf_text (notice));
    ddc_buf_destroy (&notice);
}

//  SAVE op->value for op->section expecting op->rev. 0, or -1 answered.
static int
s_save (struct http_request *req, web_op_t *op)
{
    char author [128];
    web_author (req, author);
    zmsg_t *msg =
        ddc_msg_save (DDC_SAVE, ddc_section_name (op->section), op->rev, author, op->value);
    if (!msg) {
        web_metrics.saves [METRIC_SAVE_REFUSED]++;
        if (op->flags & F_JSON) {
            cJSON *o = cJSON_CreateObject ();
            cJSON_AddStringToObject (o, "error", "too_large");
            web_json (req, 413, o);
            cJSON_Delete (o);
        }
        else
            web_error (req, 413, "error.413_title", "error.413_text", NULL);
        return -1;
    }
    if (op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) < 0) {
        web_metrics.saves [METRIC_SAVE_TIMEOUT]++;
        if (op->flags & F_JSON)
            web_unavailable (req, true);
        else
            s_render_kept (req, op, 503, "save.broker_down");
        return -1;
    }
    op->phase = PH_SAVED;
    return 0;
}

static int
s_save_form (struct http_request *req, web_op_t *op)
{
    form_t *f = web_form_csrf (req, &op->auth);
    if (!f) {
        web_metrics.saves [METRIC_SAVE_REFUSED]++;
        return KORE_RESULT_OK;
    }
    const char *rev = form_get (f, "rev");
    if (!rev || ddc_parse_u64 (rev, &op->rev) < 0) {
        form_destroy (&f);
        web_metrics.saves [METRIC_SAVE_REFUSED]++;
        web_error (req, 400, "error.400_title", "error.400_text", "the form has no valid \"rev\"");
        return KORE_RESULT_OK;
    }
    char err [160];
    cJSON *refused = schema_form_errors (op->section, f);
    op->value = schema_from_form (op->section, f, err, sizeof (err));
    form_destroy (&f);
    if (!op->value) {
        cJSON_Delete (refused);
        web_metrics.saves [METRIC_SAVE_REFUSED]++;
        web_error (req, 400, "error.400_title", "error.400_text", err);
        return KORE_RESULT_OK;
    }
    if (refused) {
        //  refused at its fields before the broker sees it; the input kept
        web_metrics.saves [METRIC_SAVE_REFUSED]++;
        rctx_t erc;
        web_rctx (&erc, &op->auth, NULL);
        errs_t *errs = errs_new (&erc, op->section, refused);
        s_render (req, op, 422, op->value, op->rev, errs, NULL);
        errs_destroy (&errs);
        cJSON_Delete (refused);
        return KORE_RESULT_OK;
    }
    if (!bridge_up ()) {
        web_metrics.saves [METRIC_SAVE_TIMEOUT]++;
        s_render_kept (req, op, 503, "save.broker_down");
        return KORE_RESULT_OK;
    }
    return s_save (req, op) == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK;
}

static void
s_saved_form (struct http_request *req, web_op_t *op)
{
    const ddc_msg_t *r = op->reply;
    const char *path = render_section_path (op->section);
    if (!r) {
        web_metrics.saves [METRIC_SAVE_TIMEOUT]++;
        s_render_kept (req, op, 503, "save.no_answer");
        return;
    }
    switch (r->type) {
        case DDC_OK: {
            bool changed = r->u64 [DDC_OK_CHANGED] != 0;
            web_metrics.saves [changed ? METRIC_SAVE_OK : METRIC_SAVE_UNCHANGED]++;
            char loc [160];
            snprintf (loc, sizeof (loc), "%s?saved=%" PRIu64 "&changed=%d", path,
                      r->u64 [DDC_OK_SECTION_REV], changed ? 1 : 0);
            web_redirect (req, loc);
            return;
        }
        case DDC_INVALID: {
            web_metrics.saves [METRIC_SAVE_INVALID]++;
            rctx_t erc;
            web_rctx (&erc, &op->auth, NULL);
            errs_t *errs = errs_new (&erc, op->section, r->json [DDC_INVALID_ERRORS]);
            s_render (req, op, 422, op->value, op->rev, errs, NULL);
            errs_destroy (&errs);
            return;
        }
        case DDC_CONFLICT: {
            web_metrics.saves [METRIC_SAVE_CONFLICT]++;
            rctx_t rc;
            web_rctx (&rc, &op->auth, NULL);
            ddc_buf_t *notice = ddc_buf_new (64 * 1024);
            render_conflict (notice, &rc, path, r->u64 [DDC_CONFLICT_SECTION_REV]);
            s_render (req, op, 409, op->value, op->rev, NULL, ddc_buf_text (notice));
            ddc_buf_destroy (&notice);
            return;
        }
        case DDC_DENIED:
            web_metrics.saves [METRIC_SAVE_DENIED]++;
            web_error (req, 403, "error.403_title", "error.denied", r->frame [DDC_DENIED_REASON]);
            return;
        default:
            web_metrics.saves [METRIC_SAVE_ERROR]++;
            web_error (req, 502, "error.502_title", "error.save_failed",
                       r->type == DDC_ERROR ? r->frame [DDC_ERROR_MESSAGE] : ddc_msg_name (r->type));
            return;
    }
}

//  ------------------------------------------------------------------------
//  the section pages

int
page_section (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    switch (op->phase) {
        case PH_START: {
            int s = render_section_from_path (req->path);
            if (s < 0) {
                web_error (req, 404, "error.404_title", "error.404_text", NULL);
                return KORE_RESULT_OK;
            }
            op->section = (ddc_section_t) s;
            if (!web_method_ok (req, true, true))
                return KORE_RESULT_OK;
            //  a save while the broker is away keeps what was typed (it needs
            //  the configuration synced once: the session key is its hash)
            bool keep = req->method == HTTP_METHOD_POST && bridge_password_hash () [0];
            if (!web_auth_page (req, &op->auth, !keep, false))
                return KORE_RESULT_OK;
            if (req->method == HTTP_METHOD_POST)
                return s_save_form (req, op);
            //  the containers page lists what the agents found: fresh enough
            if (op->section == DDC_SEC_CONTAINERS && !bridge_table_fresh (S_FRESH_MS)) {
                zmsg_t *msg = bridge_status_request (0);
                if (msg && op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) == 0) {
                    op->phase = PH_STATUS;
                    return KORE_RESULT_RETRY;
                }
            }
            s_render_current (req, op);
            return KORE_RESULT_OK;
        }
        case PH_STATUS:
            if (!op->reply) {
                web_unavailable (req, false);
                return KORE_RESULT_OK;
            }
            if (op->reply->type == DDC_PEERS)
                bridge_set_table (op->reply->json [DDC_PEERS_BODY]);
            s_render_current (req, op);
            return KORE_RESULT_OK;
        case PH_SAVED:
            if (op_await_applied (req, op))
                return KORE_RESULT_RETRY;
            s_saved_form (req, op);
            return KORE_RESULT_OK;
        default:
            web_error (req, 500, "error.500_title", "error.500_text", NULL);
            return KORE_RESULT_OK;
    }
}

//  ------------------------------------------------------------------------
//  the JSON API

static void
s_saved_json (struct http_request *req, web_op_t *op)
{
    const ddc_msg_t *r = op->reply;
    cJSON *o = cJSON_CreateObject ();
    int status = 200;
    if (!r) {
        web_metrics.saves [METRIC_SAVE_TIMEOUT]++;
        cJSON_Delete (o);
        web_unavailable (req, true);
        return;
    }
    switch (r->type) {
        case DDC_OK:
            web_metrics.saves [r->u64 [DDC_OK_CHANGED] ? METRIC_SAVE_OK : METRIC_SAVE_UNCHANGED]++;
            cJSON_AddStringToObject (o, "result", "ok");
            cJSON_AddNumberToObject (o, "rev", (double) r->u64 [DDC_OK_REV]);
            cJSON_AddNumberToObject (o, "section_rev", (double) r->u64 [DDC_OK_SECTION_REV]);
            cJSON_AddBoolToObject (o, "changed", r->u64 [DDC_OK_CHANGED] != 0);
            break;
        case DDC_INVALID:
            web_metrics.saves [METRIC_SAVE_INVALID]++;
            status = 422;
            cJSON_AddStringToObject (o, "result", "invalid");
            cJSON_AddItemToObject (o, "errors",
                                   cJSON_Duplicate (r->json [DDC_INVALID_ERRORS], true));
            break;
        case DDC_CONFLICT:
            web_metrics.saves [METRIC_SAVE_CONFLICT]++;
            status = 409;
            cJSON_AddStringToObject (o, "result", "conflict");
            cJSON_AddNumberToObject (o, "section_rev", (double) r->u64 [DDC_CONFLICT_SECTION_REV]);
            cJSON_AddItemToObject (o, "value", cJSON_Duplicate (r->json [DDC_CONFLICT_VALUE], true));
            break;
        case DDC_DENIED:
            web_metrics.saves [METRIC_SAVE_DENIED]++;
            status = 403;
            cJSON_AddStringToObject (o, "result", "denied");
            cJSON_AddStringToObject (o, "message", r->frame [DDC_DENIED_REASON]);
            break;
        default:
            web_metrics.saves [METRIC_SAVE_ERROR]++;
            status = 502;
            cJSON_AddStringToObject (o, "result", "error");
            cJSON_AddStringToObject (o, "message",
                                     r->type == DDC_ERROR ? r->frame [DDC_ERROR_MESSAGE]
                                                          : ddc_msg_name (r->type));
            break;
    }
    web_json (req, status, o);
    cJSON_Delete (o);
}

int
api_section (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PH_SAVED) {
        if (op_await_applied (req, op))
            return KORE_RESULT_RETRY;
        s_saved_json (req, op);
        return KORE_RESULT_OK;
    }
    op->flags = F_JSON;
    const char *name = req->path + strlen ("/api/section/");
    int s = ddc_section_from_name (name);
    if (s < 0) {
        web_json_error (req, 404, "unknown_section", NULL);
        return KORE_RESULT_OK;
    }
    op->section = (ddc_section_t) s;
    if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_POST) {
        http_response_header (req, "allow", "GET, POST");
        web_json_error (req, 405, "method_not_allowed", NULL);
        return KORE_RESULT_OK;
    }
    if (!web_auth_page (req, &op->auth, true, true))
        return KORE_RESULT_OK;
    if (req->method == HTTP_METHOD_GET) {
        uint64_t rev = 0;
        const cJSON *value = bridge_section (name, &rev);
        cJSON *o = cJSON_CreateObject ();
        cJSON_AddStringToObject (o, "section", name);
        cJSON_AddNumberToObject (o, "rev", (double) rev);
        cJSON *red = ddc_config_redact (op->section, value);
        cJSON_AddItemToObject (o, "value", red ? red : cJSON_CreateNull ());
        web_json (req, 200, o);
        cJSON_Delete (o);
        return KORE_RESULT_OK;
    }
    size_t len;
    char *body = web_json_body (req, &op->auth, &len);
    if (!body) {
        web_metrics.saves [METRIC_SAVE_REFUSED]++;
        return KORE_RESULT_OK;
    }
    char err [160];
    int rc = jsonbody_parse (body, len, &op->rev, &op->value, err, sizeof (err));
    free (body);
    if (rc < 0) {
        web_metrics.saves [METRIC_SAVE_REFUSED]++;
        web_json_error (req, 400, "bad_request", err);
        return KORE_RESULT_OK;
    }
    return s_save (req, op) == 0 ? KORE_RESULT_RETRY : KORE_RESULT_OK;
}
