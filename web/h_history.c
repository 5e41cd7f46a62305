/*  h_history: the change history (/history, HISTORY -> CHANGES), one
    change with the diff against the section's previous value
    (/history/REV) and rolling a section back to a revision
    (POST /history/rollback, ROLLBACK: the old value becomes a new
    revision; secrets are kept as they are now). */
#include "web.h"

#include "bridge.h"

#include "ddc_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int page_history (struct http_request *req);
int page_history_entry (struct http_request *req);
int page_rollback (struct http_request *req);

enum { PH_START = 0, PH_REPLY, PH_PREV };

//  HISTORY of a section ("*": all): the list without values (rev 0) or one
//  entry with its value (proto/ddcp.md 5.4).
static int
s_ask_history (struct http_request *req, web_op_t *op, const char *section, uint64_t rev, int phase)
{
    char req_id [40], revs [24];
    ddc_req_id (req_id);
    snprintf (revs, sizeof (revs), "%" PRIu64, rev);
    zmsg_t *msg = ddc_msg_buildv (DDC_HISTORY, req_id, section, revs, NULL);
    if (!msg || op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) < 0) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    op->phase = phase;
    return KORE_RESULT_RETRY;
}

int
page_history (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PH_START) {
        if (!web_page_open (req, &op->auth, true, false))
            return KORE_RESULT_OK;
        char section [64] = "";
        web_query (req, "section", section, sizeof (section));
        if (section [0] && ddc_section_from_name (section) < 0)
            section [0] = '\0';
        ddc_strlcpy (op->text, section, sizeof (op->text));
        return s_ask_history (req, op, section [0] ? section : "*", 0, PH_REPLY);
    }
    if (!op->reply || op->reply->type != DDC_CHANGES) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    rctx_t rc;
    web_rctx (&rc, &op->auth, "history");
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_history (b, &rc, op->reply->json [DDC_CHANGES_BODY], op->text);
    web_page (req, 200, &b);
    return KORE_RESULT_OK;
}

static const cJSON *
s_entry (const ddc_msg_t *reply)
{
    if (!reply || reply->type != DDC_CHANGES)
        return NULL;
    return cJSON_GetArrayItem (reply->json [DDC_CHANGES_BODY], 0);
}

//  One change with its value, beside the value it replaced (when that is
//  still in the history): two HISTORY requests, the entry kept in op->value.
int
page_history_entry (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PH_START) {
        if (!web_page_open (req, &op->auth, true, false))
            return KORE_RESULT_OK;
        if (ddc_parse_u64 (req->path + strlen ("/history/"), &op->rev) < 0 || op->rev == 0) {
            web_error (req, 404, "error.404_title", "error.404_text", NULL);
            return KORE_RESULT_OK;
        }
        return s_ask_history (req, op, "*", op->rev, PH_REPLY);
    }
    if (!op->reply) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    if (op->phase == PH_REPLY) {
        const cJSON *entry = s_entry (op->reply);
        if (!entry) {
            if (op->reply->type == DDC_ERROR)
                web_error (req, 404, "error.404_title", "history.gone", NULL);
            else
                web_unavailable (req, false);
            return KORE_RESULT_OK;
        }
        cJSON_Delete (op->value);
        op->value = cJSON_Duplicate (entry, true);
        const char *section =
            cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (entry, "section"));
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive (entry, "prev_rev");
        if (section && cJSON_IsNumber (pr) && pr->valuedouble > 0)
            return s_ask_history (req, op, section, (uint64_t) pr->valuedouble, PH_PREV);
    }
    //  PH_PREV: the older value, or none (no longer kept, or the default).
    const cJSON *prev = op->phase == PH_PREV ? s_entry (op->reply) : NULL;
    rctx_t rc;
    web_rctx (&rc, &op->auth, "history");
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    //  the current revision of its section has nothing to roll back to
    const char *section =
        cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (op->value, "section"));
    uint64_t current = 0;
    if (section)
        bridge_section (section, &current);
    render_history_entry (b, &rc, op->value, prev, op->rev != current);
    web_page (req, 200, &b);
    return KORE_RESULT_OK;
}

int
page_rollback (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    if (op->phase == PH_START) {
        if (!web_page_open (req, &op->auth, false, true))
            return KORE_RESULT_OK;
        form_t *f = web_form_csrf (req, &op->auth);
        if (!f)
            return KORE_RESULT_OK;
        const char *section = form_get (f, "section"), *rev = form_get (f, "rev");
        int s = ddc_section_from_name (section);
        if (s < 0 || !rev || ddc_parse_u64 (rev, &op->rev) < 0) {
            form_destroy (&f);
            web_error (req, 400, "error.400_title", "error.400_text", NULL);
            return KORE_RESULT_OK;
        }
        op->section = (ddc_section_t) s;
        form_destroy (&f);
        char author [128], req_id [40], revs [24];
        web_author (req, author);
        snprintf (revs, sizeof (revs), "%" PRIu64, op->rev);
        ddc_req_id (req_id);
        zmsg_t *msg = ddc_msg_buildv (DDC_ROLLBACK, req_id, ddc_section_name (op->section), revs,
                                      author, NULL);
        if (!msg || op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) < 0) {
            web_unavailable (req, false);
            return KORE_RESULT_OK;
        }
        op->phase = PH_REPLY;
        return KORE_RESULT_RETRY;
    }
    if (op_await_applied (req, op))
        return KORE_RESULT_RETRY;
    const ddc_msg_t *r = op->reply;
    if (!r) {
        web_error (req, 503, "error.503_title", "error.save_timeout", NULL);
        return KORE_RESULT_OK;
    }
    if (r->type == DDC_OK) {
        web_metrics.saves [r->u64 [DDC_OK_CHANGED] ? METRIC_SAVE_OK : METRIC_SAVE_UNCHANGED]++;
        char loc [160];
        snprintf (loc, sizeof (loc), "%s?saved=%" PRIu64 "&changed=%d",
                  render_section_path (op->section), r->u64 [DDC_OK_SECTION_REV],
                  r->u64 [DDC_OK_CHANGED] ? 1 : 0);
        web_redirect (req, loc);
        return KORE_RESULT_OK;
    }
    if (r->type == DDC_INVALID) {
        //  e.g. the old containers list would orphan a task
        web_metrics.saves [METRIC_SAVE_INVALID]++;
        ddc_buf_t *d = ddc_buf_new (16 * 1024);
        const cJSON *e;
        cJSON_ArrayForEach (e, r->json [DDC_INVALID_ERRORS]) {
            const char *field =
                cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "field"));
            const char *msg =
                cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (e, "message"));
            ddc_buf_printf (d, "%s: %s; ", field ? field : "", msg ? msg : "");
        }
        web_error (req, 422, "error.422_title", "history.rollback_invalid", ddc_buf_text (d));
        ddc_buf_destroy (&d);
        return KORE_RESULT_OK;
    }
    web_metrics.saves [METRIC_SAVE_ERROR]++;
    web_error (req, r->type == DDC_ERROR && r->u64 [DDC_ERROR_CODE] == 410 ? 410 : 502,
               "error.502_title", "history.rollback_failed",
               r->type == DDC_ERROR ? r->frame [DDC_ERROR_MESSAGE] : ddc_msg_name (r->type));
    return KORE_RESULT_OK;
}
