/*  webhook: the alerts' webhook of ddc-docker. See webhook.h. libcurl is
    the loaded one (ddc_curl_load), not linked. */
#include "webhook.h"

#include "ddc_http.h"
#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S_USER_AGENT "ddc-docker/" DDC_VERSION
#define S_COLOR_CRASH 0xe74c3c
#define S_COLOR_HEALTH 0xe67e22
#define S_COLOR_LOOP 0x9b59b6
#define S_COLOR_OK 0x2ecc71
#define S_COLOR_CLOSED 0x95a5a6

typedef struct {
    char *body;
    int tries;
    int64_t due; //  mono ms of the next try
} s_item_t;

typedef struct {
    curl_socket_t fd;
    int what; //  CURL_POLL_IN, _OUT, _INOUT
} s_sock_t;

struct _webhook_t {
    CURLM *multi;
    char *url;        //  NULL: none
    char where [160]; //  the URL as logs show it
    webhook_format_t format;
    char *capath;
    s_item_t queue [WEBHOOK_QUEUE_MAX]; //  a ring; the head may be in flight
    size_t head, count;
    CURL *easy; //  the POST of the head, or NULL
    struct curl_slist *headers;
    char errbuf [CURL_ERROR_SIZE];
    long retry_after; //  s, from the reply's header, -1 none
    char reply [256]; //  the start of the reply's body
    size_t reply_len;
    s_sock_t socks [WEBHOOK_FDS_MAX];
    size_t nsocks;
    int64_t timer; //  mono ms libcurl wants a call, 0 none
    uint64_t delivered, dropped;
};

//  libcurl, loaded by the first webhook_new.
static const ddc_curl_t *s_curl;

//  --------------------------------------------------------------------------
//  Payload

static const char *
s_str (const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
}

static double
s_num (const cJSON *obj, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, key);
    return cJSON_IsNumber (v) ? v->valuedouble : dflt;
}

static void
s_duration (double seconds, char *out, size_t size)
{
    long long s = seconds < 0 ? 0 : (long long) seconds;
    if (s < 60)
        snprintf (out, size, "%llds", s);
    else if (s < 3600)
        snprintf (out, size, "%lldm %llds", s / 60, s % 60);
    else
        snprintf (out, size, "%lldh %lldm", s / 3600, s / 60 % 60);
}

void
webhook_title (const cJSON *report, char *out, size_t size)
{
    const char *name = s_str (report, "display_name");
    if (!name || !*name)
        name = s_str (report, "container");
    if (!name)
        name = "?";
    const char *event = s_str (report, "event");
    const char *reason = s_str (report, "reason");
    double code = s_num (report, "exit_code", -1);
    char dur [32];
    s_duration (s_num (report, "duration_s", 0), dur, sizeof (dur));
    if (event && strcmp (event, "resolved") == 0) {
        const char *how = s_str (report, "resolution");
        if (how && strcmp (how, "loop_ended") == 0)
            snprintf (out, size, "\xe2\x9c\x85 %.100s: the restart loop has ended (after %s)", name,
                      dur);
        else if (how && strcmp (how, "stopped") == 0)
            snprintf (out, size,
                      "\xe2\x8f\xb9\xef\xb8\x8f %.100s was stopped on request "
                      "(after %s)",
                      name, dur);
        else if (how && strcmp (how, "gone") == 0)
            snprintf (out, size, "\xe2\x9e\x96 %.100s: no longer followed (after %s)", name, dur);
        else
            snprintf (out, size, "\xe2\x9c\x85 %.100s recovered (after %s)", name, dur);
    }
    else if (reason && strcmp (reason, "restart_loop") == 0)
        snprintf (out, size,
                  "\xf0\x9f\x94\x81 %.100s is restarting in a loop (%d exits in "
                  "%d min)",
                  name, (int) s_num (report, "restarts", 0),
                  (int) s_num (report, "window_minutes", 0));
    else if (reason && strcmp (reason, "unhealthy") == 0)
        snprintf (out, size, "\xf0\x9f\xa9\xba %.100s is unhealthy", name);
    else if (reason && strcmp (reason, "oom") == 0)
        snprintf (out, size, "\xf0\x9f\x9a\xa8 %.100s was killed: out of memory (exit code %d)",
                  name, (int) code);
    else
        snprintf (out, size, "\xf0\x9f\x9a\xa8 %.100s crashed (exit code %d)", name, (int) code);
}

//  The last WEBHOOK_TEXT_MAX bytes of text, with backticks replaced by a
//  look-alike (a code block must not end early), from a line start when
//  possible and never inside a UTF-8 sequence. Caller frees.
static char *
s_tail (const char *text)
{
    size_t len = strlen (text), o = 0;
    char *clean = ddc_malloc (len * 2 + 1);
    for (size_t i = 0; i < len; i++) {
        if (text [i] == '`') {
            memcpy (clean + o, "\xcb\x8b", 2); //  U+02CB
            o += 2;
        }
        else
            clean [o++] = text [i];
    }
    clean [o] = '\0';
    if (o <= WEBHOOK_TEXT_MAX)
        return clean;
    const char *start = clean + o - WEBHOOK_TEXT_MAX;
    const char *nl = strchr (start, '\n');
    if (nl && nl [1])
        start = nl + 1;
    else
        while (((unsigned char) *start & 0xc0) == 0x80)
            start++;
    memmove (clean, start, strlen (start) + 1);
    return clean;
}

static void
s_field (cJSON *fields, const char *name, const char *value, bool inline_)
{
    if (!value || !*value)
        return;
    cJSON *f = cJSON_CreateObject ();
    cJSON_AddStringToObject (f, "name", name);
    char cut [1024];
    ddc_strlcpy (cut, value, sizeof (cut));
    cJSON_AddStringToObject (f, "value", cut);
    cJSON_AddBoolToObject (f, "inline", inline_);
    cJSON_AddItemToArray (fields, f);
}

static char *
s_discord (const cJSON *report)
{
    const char *event = s_str (report, "event");
    const char *reason = s_str (report, "reason");
    const char *how = s_str (report, "resolution");
    bool resolved = event && strcmp (event, "resolved") == 0;
    char title [256], text [64];
    webhook_title (report, title, sizeof (title));
    cJSON *msg = cJSON_CreateObject ();
    cJSON_AddStringToObject (msg, "username", "ddc");
    cJSON_AddStringToObject (msg, "content", "");
    cJSON *mentions = cJSON_AddObjectToObject (msg, "allowed_mentions");
    cJSON_AddArrayToObject (mentions, "parse");
    cJSON *embed = cJSON_CreateObject ();
    cJSON_AddItemToArray (cJSON_AddArrayToObject (msg, "embeds"), embed);
    cJSON_AddStringToObject (embed, "title", title);
    int color = resolved ? (how && (strcmp (how, "stopped") == 0 || strcmp (how, "gone") == 0)
                                ? S_COLOR_CLOSED
                                : S_COLOR_OK)
                : reason && strcmp (reason, "restart_loop") == 0 ? S_COLOR_LOOP
                : reason && strcmp (reason, "unhealthy") == 0    ? S_COLOR_HEALTH
                                                                 : S_COLOR_CRASH;
    cJSON_AddNumberToObject (embed, "color", color);
    //  the description: what the container said
    const char *logs = s_str (report, "logs");
    const char *output = s_str (report, "health_output");
    if (!resolved && ((logs && *logs) || (output && *output))) {
        bool health = output && *output;
        char *body = s_tail (health ? output : logs);
        size_t n = strlen (body) + 64;
        char *desc = ddc_malloc (n);
        snprintf (desc, n, "%s\n```\n%s\n```", health ? "Health check:" : "Last lines:", body);
        cJSON_AddStringToObject (embed, "description", desc);
        free (desc);
        free (body);
    }
    else if (resolved && how && strcmp (how, "loop_ended") == 0)
        cJSON_AddStringToObject (embed, "description",
                                 cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (report, "running"))
                                     ? "It runs without exiting again."
                                     : "It stays down; Docker does not restart it.");
    cJSON *fields = cJSON_AddArrayToObject (embed, "fields");
    s_field (fields, "Host", s_str (report, "host"), true);
    s_field (fields, "Container", s_str (report, "container"), true);
    double code = s_num (report, "exit_code", -1);
    if (!resolved && code >= 0) {
        snprintf (text, sizeof (text), "%d", (int) code);
        s_field (fields, "Exit code", text, true);
    }
    double held = s_num (report, "suppressed", 0);
    if (held >= 1) {
        snprintf (text, sizeof (text), "%d", (int) held);
        s_field (fields, "Held back before this (rate limit)", text, false);
    }
    cJSON *footer = cJSON_AddObjectToObject (embed, "footer");
    snprintf (text, sizeof (text), "ddc \xe2\x80\xa2 incident %.40s",
              s_str (report, "id") ? s_str (report, "id") : "?");
    cJSON_AddStringToObject (footer, "text", text);
    const char *time = s_str (report, "time");
    if (time)
        cJSON_AddStringToObject (embed, "timestamp", time);
    char *out = ddc_json_print (msg);
    cJSON_Delete (msg);
    return out;
}

char *
webhook_body (const cJSON *report, webhook_format_t format)
{
    if (format == WEBHOOK_DISCORD)
        return s_discord (report);
    cJSON *copy = cJSON_Duplicate (report, 1);
    if (!cJSON_IsObject (copy)) {
        cJSON_Delete (copy);
        copy = cJSON_CreateObject ();
    }
    char title [256];
    webhook_title (report, title, sizeof (title));
    cJSON_DeleteItemFromObjectCaseSensitive (copy, "text");
    cJSON_AddStringToObject (copy, "text", title);
    char *out = ddc_json_print (copy);
    cJSON_Delete (copy);
    return out;
}

void
webhook_redact (const char *url, char *out, size_t size)
{
    if (!size)
        return;
    out [0] = '\0';
    if (!url)
        return;
    const char *rest = strstr (url, "://");
    if (!rest) {
        ddc_strlcpy (out, "(not a URL)", size);
        return;
    }
    size_t scheme = (size_t) (rest - url) + 3;
    const char *auth = url + scheme;
    size_t auth_len = strcspn (auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (auth [i] == '@')
            at = auth + i;
    const char *host = at ? at + 1 : auth;
    size_t host_len = auth_len - (size_t) (host - auth);
    if (scheme > 16 || host_len > 120) {
        ddc_strlcpy (out, "(a long URL)", size);
        return;
    }
    snprintf (out, size, "%.*s%.*s%s", (int) scheme, url, (int) host_len, host,
              auth [auth_len] ? "/..." : "");
}

//  --------------------------------------------------------------------------
//  Queue

static void
s_item_drop (webhook_t *self)
{
    s_item_t *it = &self->queue [self->head];
    free (it->body);
    memset (it, 0, sizeof (*it));
    self->head = (self->head + 1) % WEBHOOK_QUEUE_MAX;
    self->count--;
}

static void
s_cancel (webhook_t *self)
{
    if (!self->easy)
        return;
    s_curl->multi_remove_handle (self->multi, self->easy);
    s_curl->easy_cleanup (self->easy);
    self->easy = NULL;
}

void
webhook_configure (webhook_t *self, const char *url, webhook_format_t format)
{
    self->format = format;
    bool same = (!url || !*url) ? !self->url : self->url && strcmp (self->url, url) == 0;
    if (same)
        return;
    if (self->url)
        memset (self->url, 0, strlen (self->url));
    free (self->url);
    self->url = url && *url ? ddc_strdup (url) : NULL;
    webhook_redact (self->url, self->where, sizeof (self->where));
    if (!self->url) {
        s_cancel (self);
        if (self->count)
            ddc_info ("webhook: removed; %zu alert(s) not sent", self->count);
        self->dropped += self->count;
        while (self->count)
            s_item_drop (self);
    }
    else
        ddc_info ("webhook: alerts go to %s too", self->where);
}

int
webhook_send (webhook_t *self, const cJSON *report)
{
    if (!self->url)
        return -1;
    if (self->count == WEBHOOK_QUEUE_MAX) {
        //  the oldest waiting one makes room (not the one in flight)
        ddc_warn ("webhook %s: %d alerts waiting: the oldest is dropped", self->where,
                  WEBHOOK_QUEUE_MAX);
        size_t first = self->easy ? 1 : 0;
        free (self->queue [(self->head + first) % WEBHOOK_QUEUE_MAX].body);
        for (size_t k = first; k + 1 < self->count; k++)
            self->queue [(self->head + k) % WEBHOOK_QUEUE_MAX] =
                self->queue [(self->head + k + 1) % WEBHOOK_QUEUE_MAX];
        self->count--;
        self->dropped++;
    }
    s_item_t *it = &self->queue [(self->head + self->count) % WEBHOOK_QUEUE_MAX];
    it->body = webhook_body (report, self->format);
    it->tries = 0;
    it->due = ddc_mono_ms ();
    self->count++;
    return 0;
}

size_t
webhook_pending (webhook_t *self)
{
    return self->count;
}
uint64_t
webhook_delivered (webhook_t *self)
{
    return self->delivered;
}
uint64_t
webhook_dropped (webhook_t *self)
{
    return self->dropped;
}

//  --------------------------------------------------------------------------
//  Transfers

static int
s_on_socket (CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
    (void) easy;
    (void) sockp;
    webhook_t *self = arg;
    size_t i = 0;
    while (i < self->nsocks && self->socks [i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < self->nsocks)
            self->socks [i] = self->socks [--self->nsocks];
        return 0;
    }
    if (i == self->nsocks) {
        if (self->nsocks == WEBHOOK_FDS_MAX)
            return -1;
        self->nsocks++;
    }
    self->socks [i].fd = fd;
    self->socks [i].what = what;
    return 0;
}

static int
s_on_timer (CURLM *multi, long timeout_ms, void *arg)
{
    (void) multi;
    webhook_t *self = arg;
    self->timer = timeout_ms < 0 ? 0 : ddc_mono_ms () + timeout_ms;
    return 0;
}

static size_t
s_on_header (char *data, size_t size, size_t n, void *arg)
{
    webhook_t *self = arg;
    size_t len = size * n;
    if (len > 12 && strncasecmp (data, "Retry-After:", 12) == 0) {
        char num [32];
        size_t k = len - 12 < sizeof (num) - 1 ? len - 12 : sizeof (num) - 1;
        memcpy (num, data + 12, k);
        num [k] = '\0';
        double v = atof (num);
        self->retry_after = v > 0 ? (long) (v + 0.999) : 0;
    }
    return len;
}

static size_t
s_on_body (char *data, size_t size, size_t n, void *arg)
{
    webhook_t *self = arg;
    size_t len = size * n;
    size_t room = sizeof (self->reply) - 1 - self->reply_len;
    size_t k = len < room ? len : room;
    memcpy (self->reply + self->reply_len, data, k);
    self->reply_len += k;
    self->reply [self->reply_len] = '\0';
    return len;
}

static void
s_start (webhook_t *self)
{
    if (self->easy || !self->count || !self->url || self->queue [self->head].due > ddc_mono_ms ())
        return;
    s_item_t *it = &self->queue [self->head];
    ddc_http_opts_t opts = {
        .url = self->url,
        .timeout_ms = (long) WEBHOOK_TIMEOUT_MS,
        .connect_ms = (long) WEBHOOK_TIMEOUT_MS / 2,
        .user_agent = S_USER_AGENT,
        .ca_path = self->capath,
        .on_body = s_on_body,
        .body_arg = self,
        .errbuf = self->errbuf,
    };
    CURL *easy = ddc_http_easy (s_curl, &opts);
    if (!easy) {
        it->due = ddc_mono_ms () + WEBHOOK_BACKOFF_MS;
        return;
    }
    it->tries++;
    self->retry_after = -1;
    self->reply_len = 0;
    self->reply [0] = '\0';
    s_curl->easy_setopt (easy, CURLOPT_HTTPHEADER, self->headers);
    s_curl->easy_setopt (easy, CURLOPT_POST, 1L);
    s_curl->easy_setopt (easy, CURLOPT_POSTFIELDS, it->body ? it->body : "{}");
    s_curl->easy_setopt (easy, CURLOPT_POSTFIELDSIZE, (long) (it->body ? strlen (it->body) : 2));
    s_curl->easy_setopt (easy, CURLOPT_HEADERFUNCTION, s_on_header);
    s_curl->easy_setopt (easy, CURLOPT_HEADERDATA, self);
    if (s_curl->multi_add_handle (self->multi, easy) != CURLM_OK) {
        s_curl->easy_cleanup (easy);
        it->due = ddc_mono_ms () + WEBHOOK_BACKOFF_MS;
        return;
    }
    self->easy = easy;
}

//  The POST of the head is over: done, again later, or given up.
static void
s_done (webhook_t *self, CURLcode res)
{
    long status = 0;
    s_curl->easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, &status);
    s_cancel (self);
    s_item_t *it = &self->queue [self->head];
    if (res == CURLE_OK && status >= 200 && status <= 299) {
        ddc_info ("webhook %s: alert delivered (HTTP %ld)", self->where, status);
        self->delivered++;
        s_item_drop (self);
        return;
    }
    char why [300];
    if (res != CURLE_OK)
        snprintf (why, sizeof (why), "%s",
                  self->errbuf [0] ? self->errbuf : s_curl->easy_strerror (res));
    else {
        for (char *p = self->reply; *p; p++)
            if ((unsigned char) *p < 0x20)
                *p = ' ';
        snprintf (why, sizeof (why), "HTTP %ld %.200s", status, self->reply);
    }
    //  the URL (and its token) never goes to the log, even inside curl's text
    if (self->url && strstr (why, self->url))
        snprintf (why, sizeof (why), "%s", s_curl->easy_strerror (res));
    bool again = res != CURLE_OK || status == 408 || status == 429 || status >= 500;
    if (!again || it->tries >= WEBHOOK_TRIES) {
        ddc_warn ("webhook %s: alert not delivered after %d tr%s: %s", self->where, it->tries,
                  it->tries == 1 ? "y" : "ies", why);
        self->dropped++;
        s_item_drop (self);
        return;
    }
    int64_t wait = (int64_t) WEBHOOK_BACKOFF_MS << (it->tries - 1);
    if (status == 429 && self->retry_after >= 0) {
        wait = (int64_t) self->retry_after * 1000;
        if (wait > WEBHOOK_RETRY_AFTER_MAX)
            wait = WEBHOOK_RETRY_AFTER_MAX;
    }
    ddc_warn ("webhook %s: %s; trying again in %.1f s", self->where, why, (double) wait / 1000.0);
    it->due = ddc_mono_ms () + wait;
}

webhook_t *
webhook_new (void)
{
    char err [300];
    if (!s_curl && !(s_curl = ddc_curl_load (err, sizeof (err)))) {
        ddc_error ("webhook: cannot use libcurl: %s", err);
        return NULL;
    }
    webhook_t *self = ddc_calloc (1, sizeof (*self));
    self->multi = ddc_http_multi (s_curl, s_on_socket, s_on_timer, self);
    if (!self->multi) {
        free (self);
        return NULL;
    }
    s_curl->multi_setopt (self->multi, CURLMOPT_MAXCONNECTS, 2L);
    self->headers = s_curl->slist_append (NULL, "Content-Type: application/json");
    self->capath = ddc_http_ca_dir ();
    self->format = WEBHOOK_DISCORD;
    return self;
}

void
webhook_destroy (webhook_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    webhook_t *self = *self_p;
    if (self->count)
        ddc_warn ("webhook %s: stopping with %zu alert(s) not delivered", self->where, self->count);
    s_cancel (self);
    while (self->count)
        s_item_drop (self);
    s_curl->multi_cleanup (self->multi);
    s_curl->slist_free_all (self->headers);
    if (self->url)
        memset (self->url, 0, strlen (self->url));
    free (self->url);
    free (self->capath);
    free (self);
    *self_p = NULL;
}

size_t
webhook_fds (webhook_t *self, struct curl_waitfd *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nsocks && n < max; i++, n++) {
        out [n].fd = self->socks [i].fd;
        out [n].events =
            (short) (((self->socks [i].what & CURL_POLL_IN) ? CURL_WAIT_POLLIN : 0)
                     | ((self->socks [i].what & CURL_POLL_OUT) ? CURL_WAIT_POLLOUT : 0));
        out [n].revents = 0;
    }
    return n;
}

int64_t
webhook_timeout_ms (webhook_t *self)
{
    int64_t now = ddc_mono_ms ();
    int64_t due = -1;
    if (self->timer)
        due = self->timer;
    if (!self->easy && self->count && self->url) {
        int64_t start = self->queue [self->head].due;
        if (due < 0 || start < due)
            due = start;
    }
    if (due < 0)
        return -1;
    return due > now ? due - now : 0;
}

void
webhook_perform (webhook_t *self, const struct curl_waitfd *fds, size_t n)
{
    int running = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fds [i].revents)
            continue;
        int mask = 0;
        if (fds [i].revents & (CURL_WAIT_POLLIN | CURL_WAIT_POLLPRI))
            mask |= CURL_CSELECT_IN;
        if (fds [i].revents & CURL_WAIT_POLLOUT)
            mask |= CURL_CSELECT_OUT;
        if (!mask)
            mask = CURL_CSELECT_ERR;
        s_curl->multi_socket_action (self->multi, fds [i].fd, mask, &running);
    }
    s_start (self);
    if (self->timer && ddc_mono_ms () >= self->timer) {
        self->timer = 0;
        s_curl->multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    CURLMsg *msg;
    int left;
    while ((msg = s_curl->multi_info_read (self->multi, &left)))
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == self->easy)
            s_done (self, msg->data.result);
    s_start (self);
}
