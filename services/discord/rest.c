/*  rest: the Discord REST client on libcurl multi. See rest.h. */
#include "rest.h"

#include "ddc_http.h"
#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"
#include "ratelimit.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define S_RATELIMIT_RETRIES 8
#define S_ERROR_RETRIES 2
#define S_BLOCKED_MAX 64

//  libcurl, loaded by the first rest_new.
static const ddc_curl_t *s_curl;

typedef struct s_req {
    struct s_req *prev, *next;
    char method [8];
    char *path;
    char *body;
    unsigned flags;
    rl_route_t route;
    char key [RL_KEY_MAX];
    int tries;
    int limited;
    int64_t not_before;
    CURL *easy;
    struct curl_slist *headers;
    ddc_buf_t *resp; //  the body, bounded by REST_BODY_MAX
    rl_headers_t h;
    rest_done_fn *cb;
    void *arg;
    char errbuf [CURL_ERROR_SIZE];
} s_req_t;

typedef struct {
    s_req_t *head, *tail;
    size_t count;
} s_list_t;

struct _rest_t {
    CURLM *multi;
    char *api;
    char *auth; //  "Authorization: Bot <token>" or NULL
    rl_t *rl;
    s_list_t queue;
    s_list_t running;
    int64_t next_due; //  mono ms, 0 = none
    bool busy;        //  inside s_promote or a callback
    bool dirty;       //  queued while busy: promote again
    bool closing;     //  inside rest_destroy
    char *capath;     //  CA folder for https
    int64_t rtt_ms;   //  the latest successful round trip, -1 none
    uint64_t limited; //  429 answers
};

//  --------------------------------------------------------------------------
//  Lists

static void
s_append (s_list_t *l, s_req_t *r)
{
    r->next = NULL;
    r->prev = l->tail;
    if (l->tail)
        l->tail->next = r;
    else
        l->head = r;
    l->tail = r;
    l->count++;
}

static void
s_prepend (s_list_t *l, s_req_t *r)
{
    r->prev = NULL;
    r->next = l->head;
    if (l->head)
        l->head->prev = r;
    else
        l->tail = r;
    l->head = r;
    l->count++;
}

static void
s_unlink (s_list_t *l, s_req_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        l->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        l->tail = r->prev;
    r->prev = r->next = NULL;
    l->count--;
}

static void
s_req_free (s_req_t *r)
{
    if (r->easy)
        s_curl->easy_cleanup (r->easy);
    s_curl->slist_free_all (r->headers);
    free (r->path);
    free (r->body);
    ddc_buf_destroy (&r->resp);
    free (r);
}

//  --------------------------------------------------------------------------
//  Transfers

static size_t
s_on_body (char *data, size_t size, size_t nmemb, void *arg)
{
    s_req_t *r = arg;
    size_t n = size * nmemb;
    ddc_buf_add (r->resp, data, n);
    return n;
}

static size_t
s_on_header (char *data, size_t size, size_t nmemb, void *arg)
{
    s_req_t *r = arg;
    size_t n = size * nmemb;
    rl_header_line (&r->h, data, n);
    return n;
}

static int
s_start (rest_t *self, s_req_t *r, int64_t now)
{
    char *url = ddc_asprintf ("%s/v10%s", self->api, r->path);
    //  The hashed CA folder, read lazily, instead of the whole bundle.
    ddc_http_opts_t opts = {
        .url = url,
        .timeout_ms = (long) REST_TIMEOUT_MS,
        .connect_ms = 10000L,
        .user_agent = REST_USER_AGENT,
        .ca_path = self->capath,
        .on_body = s_on_body,
        .body_arg = r,
        .errbuf = r->errbuf,
    };
    r->easy = ddc_http_easy (s_curl, &opts);
    free (url);
    if (!r->easy)
        return -1;
    s_curl->easy_setopt (r->easy, CURLOPT_PRIVATE, (char *) r);
    s_curl->easy_setopt (r->easy, CURLOPT_HEADERFUNCTION, s_on_header);
    s_curl->easy_setopt (r->easy, CURLOPT_HEADERDATA, r);
    s_curl->easy_setopt (r->easy, CURLOPT_ACCEPT_ENCODING, "");
    r->headers = s_curl->slist_append (NULL, "Accept: application/json");
    if (!(r->flags & REST_NOAUTH) && self->auth)
        r->headers = s_curl->slist_append (r->headers, self->auth);
    if (strcmp (r->method, "GET") == 0)
        ;
    else {
        if (strcmp (r->method, "POST") != 0)
            s_curl->easy_setopt (r->easy, CURLOPT_CUSTOMREQUEST, r->method);
        else
            s_curl->easy_setopt (r->easy, CURLOPT_POST, 1L);
        if (r->body) {
            r->headers = s_curl->slist_append (r->headers, "Content-Type: application/json");
            s_curl->easy_setopt (r->easy, CURLOPT_POSTFIELDS, r->body);
            s_curl->easy_setopt (r->easy, CURLOPT_POSTFIELDSIZE, (long) strlen (r->body));
        }
        else if (strcmp (r->method, "DELETE") != 0) {
            s_curl->easy_setopt (r->easy, CURLOPT_POSTFIELDS, "");
            s_curl->easy_setopt (r->easy, CURLOPT_POSTFIELDSIZE, 0L);
        }
    }
    s_curl->easy_setopt (r->easy, CURLOPT_HTTPHEADER, r->headers);
    rl_headers_init (&r->h);
    if (r->resp)
        ddc_buf_reset (r->resp);
    else
        r->resp = ddc_buf_new (REST_BODY_MAX);
    r->errbuf [0] = '\0';
    rl_state_key (self->rl, &r->route, r->key);
    if (s_curl->multi_add_handle (self->multi, r->easy) != CURLM_OK) {
        s_curl->easy_cleanup (r->easy);
        r->easy = NULL;
        s_curl->slist_free_all (r->headers);
        r->headers = NULL;
        return -1;
    }
    rl_sent (self->rl, &r->route, r->key, now);
    return 0;
}

static void
s_finish (rest_t *self, s_req_t *r, int status, const cJSON *json, int code)
{
    (void) self;
    if (r->cb)
        r->cb (r->arg, status, json, code);
    s_req_free (r);
}

//  Start every queued request its bucket allows, in order per route.
static void s_promote_once (rest_t *self, int64_t now);

static void
s_promote (rest_t *self, int64_t now)
{
    if (self->busy) {
        self->dirty = true;
        return;
    }
    self->busy = true;
    do {
        self->dirty = false;
        s_promote_once (self, now);
    } while (self->dirty);
    self->busy = false;
}

static void
s_promote_once (rest_t *self, int64_t now)
{
    const char *blocked [S_BLOCKED_MAX];
    size_t nblocked = 0;
    self->next_due = 0;
    s_req_t *r = self->queue.head;
    while (r) {
        s_req_t *next = r->next;
        //  Interaction answers have slots of their own: a channel call stuck
        //  on a slow connection never delays an acknowledgement.
        size_t cap = r->route.exempt ? REST_RUNNING_MAX + REST_INTERACTION_SLOTS : REST_RUNNING_MAX;
        if (self->running.count >= cap) {
            r = next;
            continue;
        }
        bool held = false;
        for (size_t i = 0; i < nblocked && !held; i++)
            held = strcmp (blocked [i], r->route.route) == 0;
        if (held) {
            r = next;
            continue;
        }
        int64_t wait = r->not_before > now ? r->not_before - now : 0;
        if (wait == 0)
            wait = rl_wait (self->rl, &r->route, now);
        if (wait != 0) {
            if (nblocked < S_BLOCKED_MAX)
                blocked [nblocked++] = r->route.route;
            else
                break; //  too many distinct waits: keep order
            if (wait > 0 && (!self->next_due || now + wait < self->next_due))
                self->next_due = now + wait;
            r = next;
            continue;
        }
        s_unlink (&self->queue, r);
        if (s_start (self, r, now) < 0) {
            ddc_warn ("discord: cannot start %s", r->route.route);
            s_finish (self, r, REST_TRANSPORT, NULL, 0);
        }
        else
            s_append (&self->running, r);
        r = next;
    }
}

static void
s_requeue (rest_t *self, s_req_t *r, int64_t not_before)
{
    s_curl->easy_cleanup (r->easy);
    r->easy = NULL;
    s_curl->slist_free_all (r->headers);
    r->headers = NULL;
    ddc_buf_destroy (&r->resp);
    r->not_before = not_before;
    s_prepend (&self->queue, r);
}

//  What a response's body says (pure: fuzzed): the JSON (NULL when the
//  body is empty, cut at REST_BODY_MAX or not valid JSON: then why says
//  so), a 429's retry_after and global into h, and an error's Discord code
//  and message (borrowed from the JSON).
typedef struct {
    cJSON *json;
    int code;
    const char *message;
    char why [160];
} s_reply_t;

static void
s_reply_read (int status, const char *body, size_t len, bool overflow, rl_headers_t *h,
              s_reply_t *out)
{
    memset (out, 0, sizeof (*out));
    if (status <= 0 || len == 0)
        return;
    if (overflow) {
        snprintf (out->why, sizeof (out->why), "the body is larger than %d bytes", REST_BODY_MAX);
        return;
    }
    char why [120];
    out->json = ddc_json_parse (body, len, REST_BODY_MAX, why, sizeof (why));
    if (!out->json) {
        snprintf (out->why, sizeof (out->why), "the body is not valid JSON: %s", why);
        return;
    }
    if (status == 429 && cJSON_IsObject (out->json)) {
        const cJSON *ra = cJSON_GetObjectItemCaseSensitive (out->json, "retry_after");
        if (cJSON_IsNumber (ra) && ra->valuedouble >= 0 && ra->valuedouble < 86400)
            h->retry_after = ra->valuedouble;
        if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (out->json, "global")))
            h->global = true;
    }
    if (status >= 400) {
        const cJSON *jc = cJSON_GetObjectItemCaseSensitive (out->json, "code");
        const cJSON *jm = cJSON_GetObjectItemCaseSensitive (out->json, "message");
        if (cJSON_IsNumber (jc) && jc->valuedouble > INT_MIN && jc->valuedouble < INT_MAX)
            out->code = (int) jc->valuedouble;
        if (cJSON_IsString (jm))
            out->message = jm->valuestring;
    }
}

static void
s_done (rest_t *self, s_req_t *r, CURLcode res, int64_t now)
{
    long http = 0;
    s_curl->easy_getinfo (r->easy, CURLINFO_RESPONSE_CODE, &http);
    s_curl->multi_remove_handle (self->multi, r->easy);
    s_unlink (&self->running, r);
    int status = res == CURLE_OK ? (int) http : REST_TRANSPORT;
    r->h.status = status;
    curl_off_t total_us = 0;
    if (status >= 200 && status < 300
        && s_curl->easy_getinfo (r->easy, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK)
        self->rtt_ms = (int64_t) (total_us / 1000);

    s_reply_t reply;
    s_reply_read (status, ddc_buf_text (r->resp), ddc_buf_len (r->resp), ddc_buf_overflow (r->resp),
                  &r->h, &reply);
    cJSON *json = reply.json;
    if (reply.why [0])
        ddc_warn ("discord: %s: HTTP %d: %s", r->route.route, status, reply.why);
    int64_t wait = rl_done (self->rl, &r->route, r->key, status > 0 ? &r->h : NULL, now);
    if (status == 429)
        self->limited++;
    if (status == 429 && r->limited < S_RATELIMIT_RETRIES) {
        r->limited++;
        ddc_info ("discord: rate limited on %s (%s): retrying in %lld ms", r->route.route,
                  r->h.global      ? "global"
                  : r->h.scope [0] ? r->h.scope
                                   : "route",
                  (long long) wait);
        cJSON_Delete (json);
        s_requeue (self, r, now + wait);
        return;
    }
    bool retryable = status == REST_TRANSPORT || status == 500 || status == 502 || status == 503
                     || status == 504;
    if (retryable && !(r->flags & REST_NORETRY) && r->tries < S_ERROR_RETRIES) {
        r->tries++;
        ddc_info ("discord: %s failed (%s): retry %d", r->route.route,
                  status < 0 ? (r->errbuf [0] ? r->errbuf : s_curl->easy_strerror (res)) : "5xx",
                  r->tries);
        cJSON_Delete (json);
        s_requeue (self, r, now + 1000LL * r->tries);
        return;
    }
    int code = reply.code;
    if (status >= 400) {
        const char *m = reply.message ? reply.message : "";
        int shown = (int) ddc_utf8_cut (m, strlen (m), 120);
        ddc_log (status == 404 ? DDC_LOG_INFO : DDC_LOG_WARN, "discord: %s: HTTP %d%s%.*s%s",
                 r->route.route, status, reply.message ? " (" : "", shown, m,
                 reply.message ? ")" : "");
    }
    else if (status < 0)
        ddc_warn ("discord: %s: %s", r->route.route,
                  r->errbuf [0] ? r->errbuf : s_curl->easy_strerror (res));
    s_finish (self, r, status, json, code);
    cJSON_Delete (json);
}

//  --------------------------------------------------------------------------
//  API

rest_t *
rest_new (const char *api)
{
    char err [300];
    if (!s_curl && !(s_curl = ddc_curl_load (err, sizeof (err)))) {
        ddc_error ("rest: cannot use libcurl: %s", err);
        return NULL;
    }
    rest_t *self = ddc_calloc (1, sizeof (*self));
    self->rtt_ms = -1;
    self->multi = s_curl->multi_init ();
    if (!self->multi) {
        free (self);
        return NULL;
    }
    s_curl->multi_setopt (self->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                          (long) (REST_RUNNING_MAX + REST_INTERACTION_SLOTS));
    s_curl->multi_setopt (self->multi, CURLMOPT_MAXCONNECTS, 8L);
    self->api = ddc_strdup (api);
    size_t n = strlen (self->api);
    while (n && self->api [n - 1] == '/')
        self->api [--n] = '\0';
    self->rl = rl_new ();
    self->capath = ddc_http_ca_dir ();
    return self;
}

void
rest_destroy (rest_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rest_t *self = *self_p;
    self->closing = true;
    while (self->running.head) {
        s_req_t *r = self->running.head;
        s_curl->multi_remove_handle (self->multi, r->easy);
        s_unlink (&self->running, r);
        s_finish (self, r, REST_CANCELLED, NULL, 0);
    }
    while (self->queue.head) {
        s_req_t *r = self->queue.head;
        s_unlink (&self->queue, r);
        s_finish (self, r, REST_CANCELLED, NULL, 0);
    }
    s_curl->multi_cleanup (self->multi);
    if (self->auth) {
        memset (self->auth, 0, strlen (self->auth));
        free (self->auth);
    }
    free (self->api);
    free (self->capath);
    rl_destroy (&self->rl);
    free (self);
    *self_p = NULL;
}

void
rest_set_token (rest_t *self, const char *token)
{
    if (self->auth) {
        memset (self->auth, 0, strlen (self->auth));
        free (self->auth);
        self->auth = NULL;
    }
    if (token && *token)
        self->auth = ddc_asprintf ("Authorization: Bot %s", token);
    //  Queued requests of the old token must not go out with the new one.
    s_req_t *r = self->queue.head;
    while (r) {
        s_req_t *next = r->next;
        if (!(r->flags & REST_NOAUTH)) {
            s_unlink (&self->queue, r);
            s_finish (self, r, REST_CANCELLED, NULL, 0);
        }
        r = next;
    }
}

int
rest_call (rest_t *self, const char *method, const char *path, cJSON **body_p, unsigned flags,
           rest_done_fn *cb, void *arg)
{
    assert (self);
    assert (method);
    cJSON *body = body_p ? *body_p : NULL;
    if (body_p)
        *body_p = NULL;
    if (self->closing || self->queue.count >= REST_QUEUE_MAX || !path || path [0] != '/'
        || (!(flags & REST_NOAUTH) && !self->auth)) {
        if (self->queue.count >= REST_QUEUE_MAX)
            ddc_warn ("discord: %zu requests queued: %s %s dropped", self->queue.count, method,
                      (flags & REST_NOAUTH) ? "(interaction)" : path);
        cJSON_Delete (body);
        if (cb)
            cb (arg, REST_CANCELLED, NULL, 0);
        return -1;
    }
    s_req_t *r = ddc_calloc (1, sizeof (*r));
    ddc_strlcpy (r->method, method, sizeof (r->method));
    r->path = ddc_strdup (path);
    if (body) {
        r->body = ddc_json_print (body);
        cJSON_Delete (body);
    }
    r->flags = flags;
    r->cb = cb;
    r->arg = arg;
    rl_route (method, path, &r->route);
    s_append (&self->queue, r);
    s_promote (self, ddc_mono_ms ());
    return 0;
}

int
rest_poll (rest_t *self, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
    int numfds = 0;
    if (s_curl->multi_poll (self->multi, extra, n_extra, timeout_ms < 0 ? INT_MAX : timeout_ms,
                            &numfds)
        != CURLM_OK)
        return -1;
    return numfds;
}

void
rest_perform (rest_t *self)
{
    int64_t now = ddc_mono_ms ();
    s_promote (self, now);
    int running = 0;
    s_curl->multi_perform (self->multi, &running);
    CURLMsg *msg;
    int left = 0;
    bool any = false;
    self->busy = true;
    while ((msg = s_curl->multi_info_read (self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        CURLcode res = msg->data.result;
        s_curl->easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, &priv);
        if (priv) {
            s_done (self, (s_req_t *) priv, res, now);
            any = true;
        }
    }
    self->busy = false;
    if (any || self->dirty) {
        s_promote (self, ddc_mono_ms ());
        s_curl->multi_perform (self->multi, &running);
    }
}

int64_t
rest_timeout_ms (rest_t *self)
{
    if (!self->queue.head || !self->next_due)
        return -1;
    int64_t d = self->next_due - ddc_mono_ms ();
    return d > 0 ? d : 0;
}

uint64_t
rest_limited (rest_t *self)
{
    return self->limited;
}

size_t
rest_queued (rest_t *self)
{
    return self->queue.count;
}

size_t
rest_running (rest_t *self)
{
    return self->running.count;
}

int64_t
rest_rtt_ms (rest_t *self)
{
    return self->rtt_ms;
}
