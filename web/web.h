/*  web: what ddc-web's Kore-side modules share. The process state lives in
    main.c (options, locale tables, counters); the
    HTTP helpers in http_util.c (responses with the security headers,
    bounded bodies, client address, sign-in checks and cookies); the
    asynchronous operations of a sleeping request in op.c. Every function
    here runs on the worker's event loop (one thread). */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <kore/kore.h>
#include <kore/http.h>

#include <stdbool.h>
#include <stdint.h>

#include "ddc_config.h"
#include "ddc_proto.h"
#include "form.h"
#include "i18n.h"
#include "metrics.h"
#include "opts.h"
#include "ddc_pwhash.h"
#include "render.h"
#include "session.h"
#include "ddc_buf.h"

#define WEB_PAGE_MAX (8 * 1024 * 1024) //  a rendered page
#define WEB_BODY_MAX (1024 * 1024)     //  Kore refuses > 4 MiB itself
#define WEB_SAVE_TIMEOUT 2000          //  ms: broker answers, or 503
#define WEB_APPLY_WAIT 1000            //  ms: op_await_applied
#define WEB_ADDR_MAX 64                //  a client address, NUL included
#define WEB_COOKIE "ddc_session"
//  Kore message from the worker to the parent: the worker has let go of
//  its start-up pages (ddc_pages.h); the parent, idle, does the same.
#define WEB_MSG_PAGES (KORE_MSG_APP_BASE + 1)

//  ---- process state (main.c) ------------------------------------------
extern opts_t web_opts;
extern i18n_t *web_i18n;
extern metrics_t web_metrics;

//  ---- responses (http_util.c) -----------------------------------------
//  Send a response with the security headers (and Cache-Control no-store
//  unless cacheable). Counts it in the metrics.
void web_respond (struct http_request *req, int status, const char *ctype, const void *body,
                  size_t len, bool cacheable);
//  Send the page in b (or a 500 if it overflowed) and destroy b.
void web_page (struct http_request *req, int status, ddc_buf_t **b_p);
//  Send a page rendered for every session (cache.h; borrowed) as a 200
//  with the session's csrf at its marks (a 500 if it overflowed or is
//  NULL).
void web_page_marked (struct http_request *req, const ddc_buf_t *page, const char *csrf);
void web_json (struct http_request *req, int status, const cJSON *body);
//  {"error": error, "message": message (when not NULL)} with status.
void web_json_error (struct http_request *req, int status, const char *error, const char *message);
//  303 See Other to a local path.
void web_redirect (struct http_request *req, const char *location);
//  A whole error page in the UI language.
void web_error (struct http_request *req, int status, const char *title_key, const char *text_key,
                const char *detail);
//  A 405 page with the Allow header ("GET", "POST" or "GET, POST").
void web_method_not_allowed (struct http_request *req, const char *allow);
//  true when the request's method is GET (get) or POST (post); else a 405
//  page with the Allow header, and false.
bool web_method_ok (struct http_request *req, bool get, bool post);
//  503: the broker cannot be reached (page or JSON).
void web_unavailable (struct http_request *req, bool json);

//  The value of a request header (borrowed) or NULL.
const char *web_header (struct http_request *req, const char *name);
//  The client address (from the socket, or X-Forwarded-For when trusted).
const char *web_client_addr (struct http_request *req, char buf [WEB_ADDR_MAX]);
//  The request body as a NUL-terminated copy (caller frees), or NULL with
//  the status to answer (413 too large, 400 unreadable).
char *web_body (struct http_request *req, size_t *len_p, int *status_p);
//  The request body parsed as a form (caller destroys), or NULL with the
//  400/413 answer sent. The body copy is wiped.
form_t *web_form (struct http_request *req);
//  A POST from another site (Origin or Referer naming another host).
bool web_cross_origin (struct http_request *req);
//  The query value of key (decoded) into out; 0/-1.
int web_query (struct http_request *req, const char *key, char *out, size_t outlen);

//  ---- sign-in (http_util.c) -------------------------------------------
typedef struct {
    bool ok; //  a valid session
    session_t s;
    unsigned char key [SESSION_KEY_BYTES];
    char csrf [SESSION_CSRF_MAX];
    session_result_t result;
} web_auth_t;

//  The key sessions are signed with: derived from the current password
//  hash (once per hash); 0, or -1 when no password is set.
int web_session_key (unsigned char key [SESSION_KEY_BYTES]);
//  Check the session cookie against the current password hash and idle
//  limit (both live).
void web_auth_check (struct http_request *req, web_auth_t *a);
//  Why a session result signs a browser out, for the sign-in page's
//  ?expired=: "idle", "age", "invalid" (a bad signature: most likely the
//  password was changed), or NULL (no session: nothing to explain).
const char *web_signout_reason (session_result_t result);
//  For pages: 1 when signed in (the cookie's idle time is refreshed); else
//  answers (redirect to /setup or /login, or 503 when the broker is down
//  and need_broker) and returns 0. json: answer 401/503 as JSON instead.
int web_auth_page (struct http_request *req, web_auth_t *a, bool need_broker, bool json);
//  A page's first step: web_method_ok, then web_auth_page (a signed-in
//  browser, the broker reachable); false when the request was answered.
bool web_page_open (struct http_request *req, web_auth_t *a, bool get, bool post);
//  The body of a script's JSON request (malloc'd, NUL-terminated, *len_p
//  bytes) once its X-CSRF-Token matches the session of a, it comes from
//  this origin and says application/json; else NULL, answered with a JSON
//  error (403 csrf, 415, 413 too_large or 400).
char *web_json_body (struct http_request *req, const web_auth_t *a, size_t *len_p);
//  Set the session cookie for s signed with key.
void web_set_cookie (struct http_request *req, const unsigned char key [SESSION_KEY_BYTES],
                     const session_t *s);
void web_clear_cookie (struct http_request *req);
//  web_form for a signed-in write: also refuses (403) a form without the
//  session's CSRF token or one posted from another site.
form_t *web_form_csrf (struct http_request *req, const web_auth_t *a);
//  Refuse session sid on this worker from now on (logout).
void web_revoke (const char *sid);
//  The render context for a signed-in (a may be NULL) page.
void web_rctx (rctx_t *rc, const web_auth_t *a, const char *nav);
//  The render context of a signed-in page kept for every session
//  (cache.h): the CSRF token's places are marked, not filled.
void web_rctx_shared (rctx_t *rc, const char *nav);
//  The author recorded with a save: "admin (web, ADDR)".
void web_author (struct http_request *req, char out [128]);
//  The signed-in user: sessions are the administrator's.
#define WEB_USER "admin"

//  ---- container actions (h_containers.c) ------------------------------
//  The ACTION request for host's Docker agent (proto/docker.md): action on
//  container for user at addr (the body's "for", which the broker records,
//  proto/ddcp.md 5.7), lines for logs (0 = the agent's default); follow:
//  a later read of a log followed live (neither the broker nor the agent
//  records it: the first read of the follow is). *timeout_ms_p gets the
//  broker's deadline (the Docker stop timeout and a margin).
zmsg_t *web_action_msg (const char *user, const char *addr, const char *host, const char *container,
                        const char *action, int lines, bool follow, int64_t *timeout_ms_p);
//  The live configuration lets action run on host/name: the container is
//  configured there, active, and the action is among its allowed_actions.
//  The agent checks the same again; this decides what the pages offer.
bool web_action_allowed (const char *host, const char *name, const char *action);

//  ---- asynchronous operations (op.c) ----------------------------------
//  The state of a request that waits for the broker or the hasher. Kept in
//  Kore's per-request state; freed with the request (also when the client
//  goes away while it sleeps: the pending reply is then dropped).
typedef struct web_op web_op_t;
struct web_op {
    int phase;                      //  the handler's own step
    void *pend;                     //  outstanding operation
    ddc_msg_t *reply;               //  broker reply, NULL = none/timeout
    int hash_rc;                    //  hasher: verify result
    char new_hash [DDC_PWHASH_MAX]; //  hasher: new hash or ""
    web_auth_t auth;
    ddc_section_t section;
    uint64_t rev;
    cJSON *value; //  a value being saved
    char *body;   //  request body copy
    form_t *form; //  a form kept across phases
    size_t body_len;
    char text [256];                      //  small handler data (path)
    char text2 [DDC_PWHASH_PASS_MAX + 1]; //  e.g. a password, zeroed
    int flags;
    bool awaited; //  op_await_applied ran
};

//  The request's op, created on first use.
web_op_t *op_get (struct http_request *req);
//  Send *msg_p (set to NULL) to the broker; the request sleeps until the
//  reply (or timeout_ms) and the handler runs again with op->reply set. 0,
//  or -1 when the broker is down or the queue is full (nothing sent; the
//  message destroyed).
int op_broker (struct http_request *req, web_op_t *op, zmsg_t **msg_p, int64_t timeout_ms);
//  After a SAVE or ROLLBACK that op->reply says changed op->section: the
//  broker answers before this worker has applied the new revision (it comes
//  on the PUB socket), and a page shown now would still carry the old one
//  (its next save a conflict). If so, the request sleeps until the bridge
//  has applied it (or WEB_APPLY_WAIT ms) and the handler runs again with the
//  same reply: true while it sleeps, false to go on now (also the second
//  time).
bool op_await_applied (struct http_request *req, web_op_t *op);
//  Wake the requests op_await_applied put to sleep whose revision has been
//  applied or whose time is up (the bridge calls it as it runs).
void op_applied_check (void);
//  Run a password job on the hashing thread: verify verify_pw against hash
//  (when verify_pw), then hash new_pw (when given) or, with rehash, hash
//  verify_pw again when hash needs a rehash. Results in op->hash_rc and
//  op->new_hash. 0, or -1 when the hasher is busy.
int op_hash (struct http_request *req, web_op_t *op, const char *verify_pw, const char *hash,
             const char *new_pw, bool rehash);

#endif
