/*  http_util: responses with the security headers, error pages, bounded
    bodies, the client address, same-origin checks, and sign-in (cookie
    check, refresh, clear, logout list). See web.h. */
#include "web.h"

#include "bridge.h"

#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <arpa/inet.h>
#include <assert.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_CSP                                                                         \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "    \
    "frame-ancestors 'none'"
//  No browser feature a settings page needs: all off, for every origin.
#define S_PERMISSIONS                                                   \
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), "    \
    "encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), " \
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
#define S_REVOKED_MAX 256

//  sessions signed out on this worker, until they would expire anyway
static struct {
    char sid [SESSION_SID_HEX + 1];
    int64_t until;
} s_revoked [S_REVOKED_MAX];

//  ------------------------------------------------------------------------
//  responses

//  Kore sends a queued buffer in pieces of NETBUF_SEND_PAYLOAD_MAX (8 KiB),
//  one send() each: seven for a 48 KB page, each a trip through the TCP
//  stack. This writes what is left of the buffer at once instead (the
//  kernel takes what fits; Kore goes on with the rest as before). Plain
//  connections only: ddc-web has no TLS listener.
static int
s_write_all (struct connection *c, size_t len, size_t *written)
{
    size_t left = c->snb->b_len - c->snb->s_off;
    return net_write (c, left > len ? left : len, written);
}

//  The headers of every response.
static void
s_headers (struct http_request *req, const char *ctype, bool cacheable)
{
    if (req->owner && req->owner->write == net_write)
        req->owner->write = s_write_all;
    http_response_header (req, "content-security-policy", S_CSP);
    http_response_header (req, "x-frame-options", "DENY");
    http_response_header (req, "x-content-type-options", "nosniff");
    http_response_header (req, "referrer-policy", "no-referrer");
    http_response_header (req, "cross-origin-opener-policy", "same-origin");
    http_response_header (req, "cross-origin-resource-policy", "same-origin");
    http_response_header (req, "permissions-policy", S_PERMISSIONS);
    http_response_header (req, "cache-control", cacheable ? "public, max-age=86400" : "no-store");
    if (ctype)
        http_response_header (req, "content-type", ctype);
}

void
web_respond (struct http_request *req, int status, const char *ctype, const void *body, size_t len,
             bool cacheable)
{
    s_headers (req, ctype, cacheable);
    http_response (req, status, body, len);
    metrics_request (&web_metrics, status);
}

void
web_page (struct http_request *req, int status, ddc_buf_t **b_p)
{
    ddc_buf_t *b = *b_p;
    if (ddc_buf_overflow (b)) {
        static const char msg [] = "the page is too large to show\n";
        web_respond (req, 500, "text/plain; charset=utf-8", msg, sizeof (msg) - 1, false);
    }
    else
        web_respond (req, status, "text/html; charset=utf-8", ddc_buf_text (b), ddc_buf_len (b),
                     false);
    ddc_buf_destroy (b_p);
}

void
web_page_marked (struct http_request *req, const ddc_buf_t *page, const char *csrf)
{
    //  the token is base64url: nothing in it needs escaping
    size_t clen = strlen (csrf);
    bool plain =
        strspn (csrf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == clen;
    if (!page || ddc_buf_overflow (page) || !plain) {
        static const char msg [] = "the page is too large to show\n";
        web_respond (req, 500, "text/plain; charset=utf-8", msg, sizeof (msg) - 1, false);
        return;
    }
    const char *text = ddc_buf_text (page);
    const size_t *at;
    size_t n = ddc_buf_marks (page, &at);
    //  the headers with the whole length, then the page's pieces with the
    //  token between them, queued straight into Kore's send buffers (as
    //  Kore's own http_response_stream does)
    s_headers (req, "text/html; charset=utf-8", false);
    http_response (req, 200, NULL, ddc_buf_len (page) + n * clen);
    if (req->method != HTTP_METHOD_HEAD && req->owner) {
        size_t from = 0;
        for (size_t i = 0; i < n; i++) {
            net_send_queue (req->owner, text + from, at [i] - from);
            net_send_queue (req->owner, csrf, clen);
            from = at [i];
        }
        net_send_queue (req->owner, text + from, ddc_buf_len (page) - from);
    }
    metrics_request (&web_metrics, 200);
}

void
web_json (struct http_request *req, int status, const cJSON *body)
{
    char *text = ddc_json_print (body);
    if (!text) {
        web_respond (req, 500, "application/json", "{}", 2, false);
        return;
    }
    web_respond (req, status, "application/json", text, strlen (text), false);
    free (text);
}

void
web_redirect (struct http_request *req, const char *location)
{
    http_response_header (req, "location", location);
    web_respond (req, 303, "text/plain; charset=utf-8", NULL, 0, false);
}

void
web_error (struct http_request *req, int status, const char *title_key, const char *text_key,
           const char *detail)
{
    rctx_t rc;
    web_rctx (&rc, NULL, NULL);
    ddc_buf_t *b = ddc_buf_new (WEB_PAGE_MAX);
    render_error_page (b, &rc, status, title_key, text_key, detail);
    web_page (req, status, &b);
}

void
web_method_not_allowed (struct http_request *req, const char *allow)
{
    http_response_header (req, "allow", allow);
    web_error (req, 405, "error.405_title", "error.405_text", NULL);
}

bool
web_method_ok (struct http_request *req, bool get, bool post)
{
    assert (get || post);
    if ((get && req->method == HTTP_METHOD_GET) || (post && req->method == HTTP_METHOD_POST))
        return true;
    web_method_not_allowed (req, get && post ? "GET, POST" : get ? "GET" : "POST");
    return false;
}

bool
web_page_open (struct http_request *req, web_auth_t *a, bool get, bool post)
{
    return web_method_ok (req, get, post) && web_auth_page (req, a, true, false);
}

char *
web_json_body (struct http_request *req, const web_auth_t *a, size_t *len_p)
{
    if (!session_csrf_ok (a->key, a->s.sid, web_header (req, "x-csrf-token"))
        || web_cross_origin (req)) {
        web_json_error (req, 403, "csrf", "missing or wrong X-CSRF-Token");
        return NULL;
    }
    const char *ctype = web_header (req, "content-type");
    if (!ctype || strncasecmp (ctype, "application/json", 16) != 0) {
        web_json_error (req, 415, "unsupported_media_type", "send application/json");
        return NULL;
    }
    int status = 400;
    char *body = web_body (req, len_p, &status);
    if (!body)
        web_json_error (req, status, status == 413 ? "too_large" : "bad_request", NULL);
    return body;
}

void
web_unavailable (struct http_request *req, bool json)
{
    http_response_header (req, "retry-after", "5");
    if (json) {
        cJSON *o = cJSON_CreateObject ();
        cJSON_AddStringToObject (o, "error", "broker_unreachable");
        cJSON_AddStringToObject (o, "message", "ddc-broker cannot be reached; nothing was changed");
        web_json (req, 503, o);
        cJSON_Delete (o);
        return;
    }
    web_error (req, 503, "error.503_title", "error.503_text", NULL);
}

//  ------------------------------------------------------------------------
//  request data

const char *
web_header (struct http_request *req, const char *name)
{
    const char *value = NULL;
    if (!http_request_header (req, name, &value))
        return NULL;
    return value;
}

const char *
web_client_addr (struct http_request *req, char buf [WEB_ADDR_MAX])
{
    buf [0] = '\0';
    if (web_opts.trust_forwarded_for) {
        //  the proxy appends the address it saw: the last entry
        if (form_forwarded_for (web_header (req, "x-forwarded-for"), buf, WEB_ADDR_MAX) == 0)
            return buf;
    }
    struct connection *c = req->owner;
    if (!c)
        return "?";
    if (c->family == AF_INET)
        inet_ntop (AF_INET, &c->addr.ipv4.sin_addr, buf, WEB_ADDR_MAX);
    else if (c->family == AF_INET6)
        inet_ntop (AF_INET6, &c->addr.ipv6.sin6_addr, buf, WEB_ADDR_MAX);
    else
        ddc_strlcpy (buf, "local", WEB_ADDR_MAX);
    return buf;
}

char *
web_body (struct http_request *req, size_t *len_p, int *status_p)
{
    *len_p = 0;
    if (req->content_length > WEB_BODY_MAX) {
        *status_p = 413;
        return NULL;
    }
    //  Read into room reserved step by step: the announced length (1 KiB
    //  at least) first, then as much again as there is each time. A body
    //  that fills WEB_BODY_MAX is refused.
    ddc_buf_t *b = ddc_buf_new (WEB_BODY_MAX);
    for (;;) {
        size_t len = ddc_buf_len (b);
        size_t room = len > req->content_length ? len : req->content_length;
        if (room < 1024)
            room = 1024;
        if (room > WEB_BODY_MAX - len)
            room = WEB_BODY_MAX - len;
        char *at = room ? ddc_buf_room (b, room) : NULL;
        if (!at) {
            ddc_buf_destroy (&b);
            *status_p = 413;
            return NULL;
        }
        ssize_t n = http_body_read (req, at, room);
        if (n < 0) {
            ddc_buf_destroy (&b);
            *status_p = 400;
            return NULL;
        }
        if (n == 0)
            break;
        ddc_buf_commit (b, (size_t) n);
    }
    return ddc_buf_release (&b, len_p);
}

form_t *
web_form (struct http_request *req)
{
    size_t len;
    int status = 400;
    char *body = web_body (req, &len, &status);
    if (!body) {
        web_error (req, status, status == 413 ? "error.413_title" : "error.400_title",
                   status == 413 ? "error.413_text" : "error.400_text", NULL);
        return NULL;
    }
    char err [160];
    form_t *f = form_parse (body, len, err, sizeof (err));
    sodium_memzero (body, len); //  it may hold a password
    free (body);
    if (!f)
        web_error (req, 400, "error.400_title", "error.400_text", err);
    return f;
}

form_t *
web_form_csrf (struct http_request *req, const web_auth_t *a)
{
    form_t *f = web_form (req);
    if (f && (!session_csrf_ok (a->key, a->s.sid, form_get (f, "csrf")) || web_cross_origin (req))) {
        form_destroy (&f);
        web_error (req, 403, "error.403_title", "error.csrf", NULL);
    }
    return f;
}

//  "http://host:port/..." -> "host:port" into out; 0/-1.
static int
s_origin_host (const char *url, char *out, size_t outlen)
{
    const char *p = strstr (url, "://");
    if (!p)
        return -1;
    p += 3;
    size_t n = strcspn (p, "/?#");
    if (n == 0 || n >= outlen)
        return -1;
    memcpy (out, p, n);
    out [n] = '\0';
    return 0;
}

bool
web_cross_origin (struct http_request *req)
{
    //  With Referrer-Policy no-referrer, browsers send "Origin: null" (and
    //  no Referer) on our own form posts: that says nothing, and the CSRF
    //  token (and SameSite=Strict) decide. A named other origin is refused.
    const char *host = web_header (req, "host");
    const char *origin = web_header (req, "origin");
    if (origin && strcmp (origin, "null") == 0)
        origin = NULL;
    const char *source = origin ? origin : web_header (req, "referer");
    if (!source)
        return false;
    char h [256];
    if (s_origin_host (source, h, sizeof (h)) < 0 || !host)
        return true;
    return strcasecmp (h, host) != 0;
}

int
web_query (struct http_request *req, const char *key, char *out, size_t outlen)
{
    const char *q = req->query_string;
    if (!q || !*q)
        return -1;
    char err [128];
    form_t *f = form_parse (q, strlen (q), err, sizeof (err));
    const char *v = f ? form_get (f, key) : NULL;
    int rc = -1;
    if (v && strlen (v) < outlen) {
        ddc_strlcpy (out, v, outlen);
        rc = 0;
    }
    form_destroy (&f);
    return rc;
}

//  ------------------------------------------------------------------------
//  sign-in

static bool
s_revoked_sid (const char *sid, int64_t now)
{
    for (int i = 0; i < S_REVOKED_MAX; i++)
        if (s_revoked [i].until > now && strcmp (s_revoked [i].sid, sid) == 0)
            return true;
    return false;
}

void
web_revoke (const char *sid)
{
    int64_t now = ddc_wall_ms () / 1000;
    int slot = 0;
    for (int i = 0; i < S_REVOKED_MAX; i++) {
        if (s_revoked [i].until <= now) {
            slot = i;
            break;
        }
        if (s_revoked [i].until < s_revoked [slot].until)
            slot = i;
    }
    ddc_strlcpy (s_revoked [slot].sid, sid, sizeof (s_revoked [slot].sid));
    s_revoked [slot].until = now + SESSION_MAX_AGE_S;
}

//  ------------------------------------------------------------------------
//  the session crypto, remembered

//  A page load would cost four HMAC-SHA-256: the key from the password
//  hash, the cookie's signature, the CSRF token and the refreshed cookie.
//  A browser sends the same cookie again and again, so the worker keeps the
//  last results: the key (until the hash changes); S_MEMO cookies whose
//  signature held under it, with their session and CSRF token (a cookie
//  sent again is compared with them in constant time; its times and the
//  logout list are still checked on every request); and S_MEMO cookies it
//  signed (a session's refreshed cookie changes once a second).
#define S_MEMO 8

static struct {
    char hash [DDC_PWHASH_MAX]; //  the key's password hash, or ""
    unsigned char key [SESSION_KEY_BYTES];
    struct {
        bool used;
        unsigned char key [SESSION_KEY_BYTES];
        char token [SESSION_TOKEN_MAX];
        session_t s;
        char csrf [SESSION_CSRF_MAX];
    } seen [S_MEMO];
    struct {
        bool used;
        unsigned char key [SESSION_KEY_BYTES];
        session_t s;
        char token [SESSION_TOKEN_MAX];
    } signed_ [S_MEMO];
    size_t next_seen, next_signed;
} s_memo;

int
web_session_key (unsigned char key [SESSION_KEY_BYTES])
{
    const char *hash = bridge_password_hash ();
    if (!*hash)
        return -1;
    if (strcmp (hash, s_memo.hash) != 0) {
        sodium_memzero (&s_memo, sizeof (s_memo)); //  nothing of the old key
        if (session_key (hash, s_memo.key) < 0)
            return -1;
        if (strlen (hash) < sizeof (s_memo.hash))
            ddc_strlcpy (s_memo.hash, hash, sizeof (s_memo.hash));
    }
    memcpy (key, s_memo.key, SESSION_KEY_BYTES);
    return 0;
}

//  session_decode with the CSRF token of a session whose signature held.
static session_result_t
s_decode (const unsigned char key [SESSION_KEY_BYTES], const char *token, int64_t now,
          int64_t idle_s, session_t *s, char csrf [SESSION_CSRF_MAX])
{
    for (size_t i = 0; i < S_MEMO; i++) {
        if (s_memo.seen [i].used && sodium_memcmp (s_memo.seen [i].key, key, SESSION_KEY_BYTES) == 0
            && session_streq (s_memo.seen [i].token, token)) {
            *s = s_memo.seen [i].s;
            memcpy (csrf, s_memo.seen [i].csrf, SESSION_CSRF_MAX);
            return session_check_times (s, now, idle_s);
        }
    }
    session_result_t r = session_decode (key, token, now, idle_s, s);
    if (r != SESSION_OK && r != SESSION_IDLE && r != SESSION_EXPIRED)
        return r;
    session_csrf (key, s->sid, csrf);
    if (strlen (token) < SESSION_TOKEN_MAX) {
        size_t i = s_memo.next_seen++ % S_MEMO;
        s_memo.seen [i].used = true;
        memcpy (s_memo.seen [i].key, key, SESSION_KEY_BYTES);
        ddc_strlcpy (s_memo.seen [i].token, token, SESSION_TOKEN_MAX);
        s_memo.seen [i].s = *s;
        memcpy (s_memo.seen [i].csrf, csrf, SESSION_CSRF_MAX);
    }
    return r;
}

//  session_encode, remembered.
static void
s_encode (const unsigned char key [SESSION_KEY_BYTES], const session_t *sess,
          char token [SESSION_TOKEN_MAX])
{
    for (size_t i = 0; i < S_MEMO; i++) {
        if (s_memo.signed_ [i].used && s_memo.signed_ [i].s.issued == sess->issued
            && s_memo.signed_ [i].s.last == sess->last
            && strcmp (s_memo.signed_ [i].s.sid, sess->sid) == 0
            && sodium_memcmp (s_memo.signed_ [i].key, key, SESSION_KEY_BYTES) == 0) {
            memcpy (token, s_memo.signed_ [i].token, SESSION_TOKEN_MAX);
            return;
        }
    }
    session_encode (key, sess, token);
    size_t i = s_memo.next_signed++ % S_MEMO;
    s_memo.signed_ [i].used = true;
    memcpy (s_memo.signed_ [i].key, key, SESSION_KEY_BYTES);
    s_memo.signed_ [i].s = *sess;
    memcpy (s_memo.signed_ [i].token, token, SESSION_TOKEN_MAX);
}

const char *
web_signout_reason (session_result_t result)
{
    switch (result) {
        case SESSION_IDLE:
            return "idle";
        case SESSION_EXPIRED:
            return "age";
        case SESSION_BAD:
            return "invalid"; //  e.g. signed with an old password
        default:
            return NULL;
    }
}

void
web_auth_check (struct http_request *req, web_auth_t *a)
{
    memset (a, 0, sizeof (*a));
    a->result = SESSION_MISSING;
    if (web_session_key (a->key) < 0)
        return;
    char token [SESSION_TOKEN_MAX];
    if (form_cookie (web_header (req, "cookie"), WEB_COOKIE, token, sizeof (token)) < 0)
        return;
    int64_t now = ddc_wall_ms () / 1000;
    a->result = s_decode (a->key, token, now, bridge_idle_seconds (), &a->s, a->csrf);
    if (a->result == SESSION_OK && s_revoked_sid (a->s.sid, now))
        a->result = SESSION_BAD;
    a->ok = a->result == SESSION_OK;
    if (!a->ok)
        a->csrf [0] = '\0';
    sodium_memzero (token, sizeof (token));
}

int
web_auth_page (struct http_request *req, web_auth_t *a, bool need_broker, bool json)
{
    memset (a, 0, sizeof (*a));
    if (need_broker && !bridge_up ()) {
        web_unavailable (req, json);
        return 0;
    }
    if (!bridge_password_hash () [0]) {
        if (json) {
            cJSON *o = cJSON_CreateObject ();
            cJSON_AddStringToObject (o, "error", "setup_required");
            web_json (req, 403, o);
            cJSON_Delete (o);
        }
        else
            web_redirect (req, "/setup");
        return 0;
    }
    web_auth_check (req, a);
    if (!a->ok) {
        if (json) {
            cJSON *o = cJSON_CreateObject ();
            cJSON_AddStringToObject (o, "error",
                                     a->result == SESSION_IDLE ? "session_expired"
                                                               : "not_signed_in");
            const char *why = web_signout_reason (a->result);
            if (why)
                cJSON_AddStringToObject (o, "reason", why);
            web_json (req, 401, o);
            cJSON_Delete (o);
            return 0;
        }
        ddc_buf_t *loc = ddc_buf_new (2048);
        ddc_buf_puts (loc, "/login?next=");
        ddc_buf_url (loc, req->path);
        const char *why = web_signout_reason (a->result);
        if (why) {
            ddc_buf_puts (loc, "&expired=");
            ddc_buf_puts (loc, why);
        }
        if (a->result != SESSION_MISSING)
            web_clear_cookie (req);
        web_redirect (req, ddc_buf_overflow (loc) ? "/login" : ddc_buf_text (loc));
        ddc_buf_destroy (&loc);
        return 0;
    }
    if (!json) {
        a->s.last = ddc_wall_ms () / 1000;
        web_set_cookie (req, a->key, &a->s);
    }
    return 1;
}

static bool
s_https (struct http_request *req)
{
    const char *proto = web_header (req, "x-forwarded-proto");
    return proto && strcasecmp (proto, "https") == 0;
}

void
web_set_cookie (struct http_request *req, const unsigned char key [SESSION_KEY_BYTES],
                const session_t *sess)
{
    char token [SESSION_TOKEN_MAX];
    s_encode (key, sess, token);
    ddc_buf_t *cookie = ddc_buf_new (2 * SESSION_TOKEN_MAX);
    ddc_buf_puts (cookie, WEB_COOKIE "=");
    ddc_buf_puts (cookie, token);
    ddc_buf_puts (cookie, s_https (req) ? "; Path=/; HttpOnly; SameSite=Strict; Secure"
                                        : "; Path=/; HttpOnly; SameSite=Strict");
    http_response_header (req, "set-cookie", ddc_buf_text (cookie));
    sodium_memzero ((char *) ddc_buf_text (cookie), ddc_buf_len (cookie));
    sodium_memzero (token, sizeof (token));
    ddc_buf_destroy (&cookie);
}

void
web_clear_cookie (struct http_request *req)
{
    char *cookie = ddc_asprintf ("%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s", WEB_COOKIE,
                                 s_https (req) ? "; Secure" : "");
    http_response_header (req, "set-cookie", cookie);
    free (cookie);
}

void
web_rctx (rctx_t *rc, const web_auth_t *a, const char *nav)
{
    rc->i18n = web_i18n;
    rc->lang = bridge_lang ();
    rc->csrf = a && a->ok ? a->csrf : NULL;
    rc->nav = nav;
    rc->version = DDC_VERSION;
    rc->csrf_mark = false;
}

void
web_rctx_shared (rctx_t *rc, const char *nav)
{
    web_rctx (rc, NULL, nav);
    rc->csrf = "";
    rc->csrf_mark = true;
}

void
web_json_error (struct http_request *req, int status, const char *error, const char *message)
{
    cJSON *o = cJSON_CreateObject ();
    cJSON_AddStringToObject (o, "error", error);
    if (message)
        cJSON_AddStringToObject (o, "message", message);
    web_json (req, status, o);
    cJSON_Delete (o);
}

void
web_author (struct http_request *req, char out [128])
{
    char addr [WEB_ADDR_MAX];
    snprintf (out, 128, "%s (web, %s)", WEB_USER, web_client_addr (req, addr));
}
