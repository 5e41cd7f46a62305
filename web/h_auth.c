/*  h_auth: the sign-in pages. /login (legacy hashes replaced by argon2id
    on success), /logout, /setup (first run: the setup code and a new
    password) and /password (change it: the new hash is saved through the
    broker, which signs every other session out because the cookie key
    derives from the hash).

    The broker keeps what every replica must agree on (proto/ddcp.md 5.10,
    5.11): each attempt to sign in, set up or change the password is
    counted there before it is judged (THROTTLE take, keyed by the client
    address: 5 in 5 minutes across all replicas, then 429), a success
    clears the count (THROTTLE clear), and the setup code is checked there
    in the same step as the save of the first password (SETUP), so it never
    reaches ddc-web. Each handler is a chain of phases: it sleeps while the
    broker (op_broker) or the hashing thread (op_hash) works, and the form
    is kept in the op until then (wiped with the request). */
#include "web.h"

#include "bridge.h"

#include "ddc_log.h"
#include "ddc_util.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int page_login (struct http_request *req);
int page_logout (struct http_request *req);
int page_setup (struct http_request *req);
int page_password (struct http_request *req);

//  The phases of a handler: counted by the broker, password hashed, saved
//  through the broker, attempts cleared after a success.
enum { PH_START = 0, PH_ADMITTED, PH_HASHED, PH_SAVED, PH_CLEARED };

#define S_CODE_MAX 64 //  a typed setup code sent as is

//  ------------------------------------------------------------------------
//  the broker's attempt count

//  Send THROTTLE what (take or clear) for the client address; the request
//  sleeps until the answer. 0, or -1 when the broker cannot be asked.
static int
s_throttle (struct http_request *req, web_op_t *op, const char *what)
{
    char addr [WEB_ADDR_MAX], req_id [40];
    const char *key = web_client_addr (req, addr);
    ddc_req_id (req_id);
    zmsg_t *msg = ddc_msg_buildv (DDC_THROTTLE, req_id, what, key, NULL);
    return msg ? op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) : -1;
}

//  Have this attempt counted, and go on in PH_ADMITTED; 503 when the
//  broker cannot be asked.
static int
s_take (struct http_request *req, web_op_t *op)
{
    if (s_throttle (req, op, "take") < 0) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    op->phase = PH_ADMITTED;
    return KORE_RESULT_RETRY;
}

//  In PH_ADMITTED: true when the attempt may go on; else it is answered:
//  429 with Retry-After when the client tried too often, 503 when the
//  broker did not answer.
static bool
s_admitted (struct http_request *req, web_op_t *op)
{
    const ddc_msg_t *r = op->reply;
    if (!r) {
        web_unavailable (req, false);
        return false;
    }
    if (r->type != DDC_WAIT) {
        ddc_warn ("the broker did not count a sign-in attempt: %s %s", ddc_msg_name (r->type),
                  r->type == DDC_ERROR ? r->frame [DDC_ERROR_MESSAGE] : "");
        web_error (req, 500, "error.500_title", "error.500_text", NULL);
        return false;
    }
    uint64_t wait = r->u64 [DDC_WAIT_MS];
    if (wait == 0)
        return true;
    char secs [24], addr [WEB_ADDR_MAX];
    snprintf (secs, sizeof (secs), "%" PRIu64, (wait + 999) / 1000);
    http_response_header (req, "retry-after", secs);
    web_metrics.logins [METRIC_LOGIN_LIMITED]++;
    ddc_warn ("sign-in from %s refused: too many attempts (retry in %s s)",
              web_client_addr (req, addr), secs);
    web_error (req, 429, "error.429_title", "error.429_text", NULL);
    return false;
}

//  A success: have the broker forget the client's attempts, then go on in
//  PH_CLEARED (at once when the broker cannot be asked: the attempt then
//  stays counted).
static int
s_clear (struct http_request *req, web_op_t *op)
{
    if (s_throttle (req, op, "clear") < 0)
        ddc_warn ("the broker is unreachable: this sign-in stays counted as an attempt");
    op->phase = PH_CLEARED;
    return KORE_RESULT_RETRY;
}

//  ------------------------------------------------------------------------
//  shared steps

//  A local path to go to after signing in ("/" when next is unsafe).
static void
s_next (const char *next, char out [256])
{
    if (next && next [0] == '/' && next [1] != '/' && next [1] != '\\' && strlen (next) < 256
        && !strpbrk (next, "\\\r\n") && strncmp (next, "/login", 6) != 0
        && strncmp (next, "/logout", 7) != 0 && strncmp (next, "/setup", 6) != 0
        && strncmp (next, "/events", 7) != 0 && strncmp (next, "/api/", 5) != 0)
        ddc_strlcpy (out, next, 256);
    else
        ddc_strlcpy (out, "/", 256);
}

//  Sign the browser in with a new session keyed by the current hash.
static void
s_sign_in (struct http_request *req, const char *next)
{
    unsigned char key [SESSION_KEY_BYTES];
    session_t sess;
    session_start (&sess, ddc_wall_ms () / 1000);
    if (web_session_key (key) < 0) {
        web_redirect (req, "/login");
        return;
    }
    web_set_cookie (req, key, &sess);
    sodium_memzero (key, sizeof (key));
    web_redirect (req, next && *next ? next : "/");
}

//  Save the web section with a new password hash, expected at revision
//  rev: a SAVE, or with setup_code the SETUP of the first password.
static int
s_save_hash (struct http_request *req, web_op_t *op, const char *hash, uint64_t rev,
             const char *why, const char *setup_code)
{
    cJSON *web = cJSON_Duplicate (bridge_section ("web", NULL), true);
    if (!cJSON_IsObject (web)) {
        cJSON_Delete (web);
        return -1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive (web, "password_hash");
    cJSON_AddStringToObject (web, "password_hash", hash);
    char author [128], full [200];
    web_author (req, author);
    snprintf (full, sizeof (full), "%s %s", author, why);
    zmsg_t *msg = setup_code ? ddc_msg_save (DDC_SETUP, setup_code, rev, full, web)
                             : ddc_msg_save (DDC_SAVE, "web", rev, full, web);
    cJSON_Delete (web);
    return msg ? op_broker (req, op, &msg, WEB_SAVE_TIMEOUT) : -1;
}

//  Hand the password work to the hashing thread (see op_hash) and drop the
//  kept form; the handler goes on in PH_HASHED. A busy hasher gets a 503.
static int
s_hash (struct http_request *req, web_op_t *op, const char *verify_pw, const char *hash,
        const char *new_pw, bool rehash)
{
    int rc = op_hash (req, op, verify_pw, hash, new_pw, rehash);
    form_destroy (&op->form);
    if (rc < 0) {
        http_response_header (req, "retry-after", "2");
        web_error (req, 503, "error.503_busy_title", "error.503_busy", NULL);
        return KORE_RESULT_OK;
    }
    op->phase = PH_HASHED;
    return KORE_RESULT_RETRY;
}

//  The form of a POST to a page for the signed-out (sign-in, setup), kept
//  in op->form; false with the answer sent: another method, another site,
//  a bad body.
static bool
s_public_form (struct http_request *req, web_op_t *op)
{
    if (req->method != HTTP_METHOD_POST) {
        web_method_not_allowed (req, "GET, POST");
        return false;
    }
    if (web_cross_origin (req)) {
        web_error (req, 403, "error.403_title", "error.cross_origin", NULL);
        return false;
    }
    op->form = web_form (req);
    return op->form != NULL;
}

//  ------------------------------------------------------------------------
//  /login

static void
s_login_page (struct http_request *req, int status, const char *error_key, const char *next)
{
    rctx_t rc;
    web_rctx (&rc, NULL, NULL);
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_login (b, &rc, error_key, next);
    web_page (req, status, &b);
}

//  A wrong password (the attempt is counted already).
static int
s_login_failed (struct http_request *req, web_op_t *op)
{
    char addr [WEB_ADDR_MAX];
    web_metrics.logins [METRIC_LOGIN_FAILED]++;
    ddc_info ("sign-in failed from %s", web_client_addr (req, addr));
    form_destroy (&op->form);
    s_login_page (req, 401, "login.wrong", op->text);
    return KORE_RESULT_OK;
}

static int
s_login_start (struct http_request *req, web_op_t *op)
{
    if (!bridge_up ()) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    if (!bridge_password_hash () [0]) {
        web_redirect (req, "/setup");
        return KORE_RESULT_OK;
    }
    if (req->method == HTTP_METHOD_GET) {
        web_auth_t a;
        web_auth_check (req, &a);
        if (a.ok) {
            web_redirect (req, "/");
            return KORE_RESULT_OK;
        }
        char next [256] = "", raw [256] = "", expired [16] = "";
        web_query (req, "next", raw, sizeof (raw));
        if (raw [0])
            s_next (raw, next);
        web_query (req, "expired", expired, sizeof (expired));
        const char *why = !expired [0]                        ? NULL
                          : strcmp (expired, "password") == 0 ? "login.password_changed"
                          : strcmp (expired, "invalid") == 0  ? "login.signed_out"
                          : strcmp (expired, "age") == 0      ? "login.too_old"
                                                              : "login.expired";
        s_login_page (req, 200, why, next);
        return KORE_RESULT_OK;
    }
    if (!s_public_form (req, op))
        return KORE_RESULT_OK;
    s_next (form_get (op->form, "next"), op->text);
    return s_take (req, op);
}

int
page_login (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    switch (op->phase) {
        case PH_START:
            return s_login_start (req, op);
        case PH_ADMITTED: {
            if (!s_admitted (req, op))
                return KORE_RESULT_OK;
            const char *pw = form_get (op->form, "password");
            if (!pw || !*pw || strlen (pw) > DDC_PWHASH_PASS_MAX)
                return s_login_failed (req, op);
            if (!bridge_password_hash () [0]) {
                web_redirect (req, "/setup");
                return KORE_RESULT_OK;
            }
            bridge_section ("web", &op->rev);
            return s_hash (req, op, pw, bridge_password_hash (), NULL, true);
        }
        case PH_HASHED: {
            if (op->hash_rc != 1) {
                if (op->hash_rc < 0)
                    ddc_warn ("web.password_hash is not a hash ddc-web knows: nobody can sign in");
                return s_login_failed (req, op);
            }
            char addr [WEB_ADDR_MAX];
            web_metrics.logins [METRIC_LOGIN_OK]++;
            ddc_info ("signed in from %s", web_client_addr (req, addr));
            return s_clear (req, op);
        }
        case PH_CLEARED:
            if (op->new_hash [0] && bridge_up ()
                && s_save_hash (req, op, op->new_hash, op->rev, "(password rehashed to argon2id)",
                                NULL)
                       == 0) {
                op->phase = PH_SAVED;
                return KORE_RESULT_RETRY;
            }
            s_sign_in (req, op->text);
            return KORE_RESULT_OK;
        case PH_SAVED:
            if (op->reply && op->reply->type == DDC_OK) {
                bridge_saved_password_hash (op->new_hash, op->reply->u64 [DDC_OK_SECTION_REV]);
                web_metrics.rehashes++;
                ddc_info ("the legacy password hash was replaced by an argon2id hash (revision "
                          "%" PRIu64 ")",
                          op->reply->u64 [DDC_OK_SECTION_REV]);
            }
            else
                ddc_warn ("could not store the rehashed password (%s); the old hash stays",
                          op->reply ? ddc_msg_name (op->reply->type) : "no answer");
            s_sign_in (req, op->text);
            return KORE_RESULT_OK;
        default:
            web_error (req, 500, "error.500_title", "error.500_text", NULL);
            return KORE_RESULT_OK;
    }
}

//  ------------------------------------------------------------------------
//  /logout

int
page_logout (struct http_request *req)
{
    if (!web_method_ok (req, false, true))
        return KORE_RESULT_OK;
    web_auth_t a;
    web_auth_check (req, &a);
    if (a.ok) {
        form_t *f = web_form (req);
        if (!f)
            return KORE_RESULT_OK;
        bool ok = session_csrf_ok (a.key, a.s.sid, form_get (f, "csrf"));
        form_destroy (&f);
        if (!ok || web_cross_origin (req)) {
            web_error (req, 403, "error.403_title", "error.csrf", NULL);
            return KORE_RESULT_OK;
        }
        web_revoke (a.s.sid);
        char addr [WEB_ADDR_MAX];
        ddc_info ("signed out from %s", web_client_addr (req, addr));
    }
    web_clear_cookie (req);
    web_redirect (req, "/login");
    return KORE_RESULT_OK;
}

//  ------------------------------------------------------------------------
//  /setup

//  The setup page; code: what was typed, shown again after an error so
//  that a typo can be fixed (NULL: empty).
static void
s_setup_page (struct http_request *req, int status, const char *error_key, const char *code)
{
    rctx_t rc;
    web_rctx (&rc, NULL, NULL);
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_setup (b, &rc, error_key, code);
    web_page (req, status, &b);
}

//  A wrong setup code (the attempt is counted already); code: as typed,
//  shown again so that a typo can be corrected.
static int
s_setup_bad_code (struct http_request *req, web_op_t *op, const char *code)
{
    char addr [WEB_ADDR_MAX];
    ddc_warn ("setup from %s refused: wrong setup code", web_client_addr (req, addr));
    s_setup_page (req, 403, "setup.bad_code", code);
    form_destroy (&op->form);
    sodium_memzero (op->text, sizeof (op->text));
    return KORE_RESULT_OK;
}

static int
s_setup_start (struct http_request *req, web_op_t *op)
{
    if (!bridge_up ()) {
        web_unavailable (req, false);
        return KORE_RESULT_OK;
    }
    if (bridge_password_hash () [0]) {
        web_redirect (req, "/login");
        return KORE_RESULT_OK;
    }
    if (req->method == HTTP_METHOD_GET) {
        s_setup_page (req, 200, NULL, NULL);
        return KORE_RESULT_OK;
    }
    if (!s_public_form (req, op))
        return KORE_RESULT_OK;
    const char *pw = form_get (op->form, "password");
    const char *confirm = form_get (op->form, "confirm");
    const char *problem = NULL;
    if (!pw || !confirm || strcmp (pw, confirm) != 0)
        problem = "pw.mismatch";
    else
        problem = ddc_pwhash_policy (pw);
    if (problem) {
        s_setup_page (req, 422, problem, form_get (op->form, "code"));
        form_destroy (&op->form);
        return KORE_RESULT_OK;
    }
    return s_take (req, op);
}

int
page_setup (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    switch (op->phase) {
        case PH_START:
            return s_setup_start (req, op);
        case PH_ADMITTED: {
            if (!s_admitted (req, op))
                return KORE_RESULT_OK;
            if (bridge_password_hash () [0]) {
                web_redirect (req, "/login");
                return KORE_RESULT_OK;
            }
            //  the broker checks the code; one it could not read (too long,
            //  control characters) is not the code
            const char *code = form_get (op->form, "code");
            size_t len = code ? strlen (code) : 0;
            bool sendable = len <= S_CODE_MAX;
            for (size_t i = 0; sendable && i < len; i++)
                sendable = (unsigned char) code [i] >= 0x20 && (unsigned char) code [i] < 0x7f;
            if (!sendable)
                return s_setup_bad_code (req, op, code);
            ddc_strlcpy (op->text, code ? code : "", sizeof (op->text));
            bridge_section ("web", &op->rev);
            return s_hash (req, op, NULL, NULL, form_get (op->form, "password"), false);
        }
        case PH_HASHED:
            if (op->hash_rc != 1 || !op->new_hash [0]) {
                web_error (req, 500, "error.500_title", "error.500_text", NULL);
                return KORE_RESULT_OK;
            }
            if (!bridge_up ()
                || s_save_hash (req, op, op->new_hash, op->rev, "(first-run setup)", op->text) < 0) {
                web_unavailable (req, false);
                return KORE_RESULT_OK;
            }
            op->phase = PH_SAVED; //  op->text: the code, until the answer
            return KORE_RESULT_RETRY;
        case PH_SAVED: {
            const ddc_msg_t *r = op->reply;
            if (r && r->type == DDC_OK) {
                char addr [WEB_ADDR_MAX];
                bridge_saved_password_hash (op->new_hash, r->u64 [DDC_OK_SECTION_REV]);
                ddc_info ("the web password was set from %s (first run, revision %" PRIu64 ")",
                          web_client_addr (req, addr), r->u64 [DDC_OK_SECTION_REV]);
                sodium_memzero (op->text, sizeof (op->text));
                return s_clear (req, op);
            }
            if (r && r->type == DDC_DENIED)
                return s_setup_bad_code (req, op, op->text);
            sodium_memzero (op->text, sizeof (op->text));
            //  someone set a password first (410), or changed the web section
            if (r
                && (r->type == DDC_CONFLICT
                    || (r->type == DDC_ERROR && r->u64 [DDC_ERROR_CODE] == DDC_E_GONE)))
                s_setup_page (req, 409, "setup.conflict", NULL);
            else if (!r)
                web_unavailable (req, false);
            else
                web_error (req, 500, "error.500_title", "error.save_failed", ddc_msg_name (r->type));
            return KORE_RESULT_OK;
        }
        case PH_CLEARED:
            s_sign_in (req, "/");
            return KORE_RESULT_OK;
        default:
            web_error (req, 500, "error.500_title", "error.500_text", NULL);
            return KORE_RESULT_OK;
    }
}

//  ------------------------------------------------------------------------
//  /password

static void
s_password_page (struct http_request *req, web_op_t *op, int status, const char *error_key,
                 const char *notice_key)
{
    rctx_t rc;
    web_rctx (&rc, &op->auth, "password");
    uint64_t rev = 0;
    bridge_section ("web", &rev);
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_password (b, &rc, rev, error_key, notice_key);
    web_page (req, status, &b);
}

static int
s_password_start (struct http_request *req, web_op_t *op)
{
    if (!web_auth_page (req, &op->auth, true, false))
        return KORE_RESULT_OK;
    if (req->method == HTTP_METHOD_GET) {
        char changed [8] = "";
        web_query (req, "changed", changed, sizeof (changed));
        s_password_page (req, op, 200, NULL, changed [0] ? "password.changed" : NULL);
        return KORE_RESULT_OK;
    }
    if (req->method != HTTP_METHOD_POST) {
        web_method_not_allowed (req, "GET, POST");
        return KORE_RESULT_OK;
    }
    op->form = web_form_csrf (req, &op->auth);
    if (!op->form)
        return KORE_RESULT_OK;
    const char *old = form_get (op->form, "old"), *pw = form_get (op->form, "new"),
               *confirm = form_get (op->form, "confirm"), *rev = form_get (op->form, "rev");
    const char *problem = NULL;
    if (!rev || ddc_parse_u64 (rev, &op->rev) < 0) {
        form_destroy (&op->form);
        web_error (req, 400, "error.400_title", "error.400_text", "rev");
        return KORE_RESULT_OK;
    }
    if (!old || !*old)
        problem = "password.wrong_old";
    else if (!pw || !confirm || strcmp (pw, confirm) != 0)
        problem = "pw.mismatch";
    else if (strcmp (pw, old) == 0)
        problem = "password.same";
    else
        problem = ddc_pwhash_policy (pw);
    if (problem) {
        form_destroy (&op->form);
        s_password_page (req, op, 422, problem, NULL);
        return KORE_RESULT_OK;
    }
    return s_take (req, op);
}

int
page_password (struct http_request *req)
{
    web_op_t *op = op_get (req);
    if (op->pend)
        return KORE_RESULT_RETRY;
    char addr [WEB_ADDR_MAX];
    switch (op->phase) {
        case PH_START:
            return s_password_start (req, op);
        case PH_ADMITTED:
            if (!s_admitted (req, op))
                return KORE_RESULT_OK;
            return s_hash (req, op, form_get (op->form, "old"), bridge_password_hash (),
                           form_get (op->form, "new"), false);
        case PH_HASHED:
            if (op->hash_rc != 1) {
                ddc_info ("password change from %s refused: wrong current password",
                          web_client_addr (req, addr));
                s_password_page (req, op, 403, "password.wrong_old", NULL);
                return KORE_RESULT_OK;
            }
            if (!op->new_hash [0]) {
                web_error (req, 500, "error.500_title", "error.500_text", NULL);
                return KORE_RESULT_OK;
            }
            if (s_save_hash (req, op, op->new_hash, op->rev, "(password changed)", NULL) < 0) {
                web_unavailable (req, false);
                return KORE_RESULT_OK;
            }
            op->phase = PH_SAVED;
            return KORE_RESULT_RETRY;
        case PH_SAVED: {
            const ddc_msg_t *r = op->reply;
            if (r && r->type == DDC_OK) {
                bridge_saved_password_hash (op->new_hash, r->u64 [DDC_OK_SECTION_REV]);
                ddc_info ("the web password was changed from %s (revision %" PRIu64
                          "); other sessions are signed out",
                          web_client_addr (req, addr), r->u64 [DDC_OK_SECTION_REV]);
                return s_clear (req, op);
            }
            if (r && r->type == DDC_CONFLICT)
                s_password_page (req, op, 409, "password.conflict", NULL);
            else if (!r)
                web_unavailable (req, false);
            else
                s_password_page (req, op, 500, "error.save_failed", NULL);
            return KORE_RESULT_OK;
        }
        case PH_CLEARED:
            s_sign_in (req, "/password?changed=1");
            return KORE_RESULT_OK;
        default:
            web_error (req, 500, "error.500_title", "error.500_text", NULL);
            return KORE_RESULT_OK;
    }
}
