/*  watchdog: the heartbeat to an outside monitor. See watchdog.h. */
#include "watchdog.h"
#include "ddc_http.h"
#include "ddc_log.h"
#include "ddc_util.h"

#include <string.h>

#define S_URL_MAX 2048
#define S_BODY_MAX (64 * 1024) //  of an answer read (and dropped) at most

struct watchdog_t {
    zloop_t *loop;
    loopstat_t *loopstat;
    const ddc_curl_t *curl; //  libcurl, loaded when first switched on
    char curl_error [320];  //  why it could not be loaded
    CURLM *multi;           //  with curl
    char *ca_file;
    char *ca_path; //  the system's CA folder
    int64_t minute_ms;
    watchdog_health_fn *health;
    void *arg;
    //  the configuration
    bool enabled;
    char url [S_URL_MAX + 1];
    char fail_url [S_URL_MAX + 1];
    int interval; //  minutes
    bool configured;
    //  the schedule
    int check_timer; //  zloop timer of the next check, or -1
    int64_t next_wall_ms;
    int curl_timer; //  zloop timer libcurl asked for, or -1
    //  the request under way
    CURL *easy;
    char errbuf [CURL_ERROR_SIZE];
    size_t body_bytes;
    cJSON *pending; //  the check it belongs to
    //  the last check done
    cJSON *last;
    char last_outcome [16];
    char last_reason [512];
};

void
watchdog_safe_url (const char *url, char *out, size_t size)
{
    const char *scheme_end = strstr (url, "://");
    if (!scheme_end) {
        snprintf (out, size, "%s", *url ? "(not a URL)" : "");
        return;
    }
    const char *host = scheme_end + 3;
    const char *end = host + strcspn (host, "/?#");
    const char *at = memchr (host, '@', (size_t) (end - host));
    while (at) { //  the last @ ends the user part
        host = at + 1;
        at = memchr (host, '@', (size_t) (end - host));
    }
    snprintf (out, size, "%.*s://%.*s%s", (int) (scheme_end - url), url, (int) (end - host), host,
              *end ? "/\xE2\x80\xA6" : "");
}

//  ------------------------------------------------------ libcurl in zloop

static int s_on_check (zloop_t *loop, int timer_id, void *arg);

static void s_finish (watchdog_t *self);

static int
s_on_fd (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    watchdog_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    int fd = item->fd;
    int ev = (item->revents & ZMQ_POLLIN ? CURL_CSELECT_IN : 0)
             | (item->revents & ZMQ_POLLOUT ? CURL_CSELECT_OUT : 0)
             | (item->revents & ZMQ_POLLERR ? CURL_CSELECT_ERR : 0);
    int running = 0;
    self->curl->multi_socket_action (self->multi, fd, ev, &running);
    s_finish (self);
    loopstat_done (self->loopstat, &start, "watchdog request");
    return 0;
}

//  libcurl says which of its sockets to watch, and for what.
static int
s_on_socket (CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void) easy;
    (void) socketp;
    watchdog_t *self = userp;
    zmq_pollitem_t item = { NULL, fd, 0, 0 };
    zloop_poller_end (self->loop, &item);
    if (what == CURL_POLL_REMOVE)
        return 0;
    item.events =
        (short) ((what & CURL_POLL_IN ? ZMQ_POLLIN : 0) | (what & CURL_POLL_OUT ? ZMQ_POLLOUT : 0));
    if (zloop_poller (self->loop, &item, s_on_fd, self) == 0)
        zloop_poller_set_tolerant (self->loop, &item); //  curl handles errors
    return 0;
}

static int
s_on_curl_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    watchdog_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    self->curl_timer = -1; //  a one-shot timer: gone after this
    int running = 0;
    self->curl->multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    s_finish (self);
    loopstat_done (self->loopstat, &start, "watchdog request");
    return 0;
}

//  libcurl wants to be called after timeout_ms (-1: no more).
static int
s_on_timer_wanted (CURLM *multi, long timeout_ms, void *userp)
{
    (void) multi;
    watchdog_t *self = userp;
    if (self->curl_timer >= 0)
        zloop_timer_end (self->loop, self->curl_timer);
    self->curl_timer = -1;
    if (timeout_ms >= 0)
        self->curl_timer = zloop_timer (self->loop, timeout_ms > 0 ? (size_t) timeout_ms : 1, 1,
                                        s_on_curl_timer, self);
    return 0;
}

//  The answer's body is read and dropped (a monitor says little).
static size_t
s_on_body (char *data, size_t size, size_t n, void *arg)
{
    (void) data;
    watchdog_t *self = arg;
    self->body_bytes += size * n;
    return self->body_bytes > S_BODY_MAX ? 0 : size * n;
}

//  --------------------------------------------------------------- checks

//  Record *check_p as the last check (*check_p set to NULL), log a change
//  of its outcome or reason.
static void
s_done (watchdog_t *self, cJSON **check_p, const char *outcome, const char *result)
{
    cJSON *check = *check_p;
    *check_p = NULL;
    cJSON_AddStringToObject (check, "outcome", outcome);
    cJSON_AddStringToObject (check, "result", result);
    const char *reason = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (check, "reason"));
    const char *sent = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (check, "sent"));
    char target [300] = "";
    if (sent)
        watchdog_safe_url (strcmp (sent, "url") == 0 ? self->url : self->fail_url, target,
                           sizeof (target));
    bool changed = strcmp (outcome, self->last_outcome) != 0
                   || strcmp (reason ? reason : "", self->last_reason) != 0;
    if (strcmp (outcome, "error") == 0 && changed)
        ddc_warn ("watchdog: %s to %s failed: %s (%s)", sent ? sent : "request", target, result,
                  reason ? reason : "");
    else if (changed)
        ddc_info ("watchdog: %s; %s%s%s", reason ? reason : "",
                  strcmp (outcome, "pinged") == 0      ? "pinged "
                  : strcmp (outcome, "fail_sent") == 0 ? "failure reported to "
                                                       : "",
                  target, *target ? "" : result);
    else
        ddc_debug ("watchdog: %s: %s", outcome, result);
    ddc_strlcpy (self->last_outcome, outcome, sizeof (self->last_outcome));
    ddc_strlcpy (self->last_reason, reason ? reason : "", sizeof (self->last_reason));
    cJSON_Delete (self->last);
    self->last = check;
}

//  The request under way is over (or none is): its result.
static void
s_finish (watchdog_t *self)
{
    CURLMsg *msg;
    int left = 0;
    while ((msg = self->curl->multi_info_read (self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE || msg->easy_handle != self->easy)
            continue;
        CURLcode code = msg->data.result;
        long status = 0;
        double seconds = 0;
        self->curl->easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, &status);
        self->curl->easy_getinfo (self->easy, CURLINFO_TOTAL_TIME, &seconds);
        char result [CURL_ERROR_SIZE + 128];
        bool ok = false;
        if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && status)) {
            ok = status >= 200 && status < 300;
            snprintf (result, sizeof (result), "HTTP %ld in %.0f ms", status, seconds * 1000);
        }
        else {
            //  libcurl's words name the host at most; should they hold the
            //  URL's secret part, only the error's name is given.
            const char *url = strcmp (cJSON_GetStringValue (
                                          cJSON_GetObjectItemCaseSensitive (self->pending, "sent")),
                                      "url")
                                      == 0
                                  ? self->url
                                  : self->fail_url;
            const char *rest = strstr (url, "://");
            rest = rest ? rest + 3 + strcspn (rest + 3, "/?#") : url;
            bool leaks = *rest && strstr (self->errbuf, rest);
            snprintf (result, sizeof (result), "%s",
                      self->errbuf [0] && !leaks ? self->errbuf : self->curl->easy_strerror (code));
        }
        self->curl->multi_remove_handle (self->multi, self->easy);
        self->curl->easy_cleanup (self->easy);
        self->easy = NULL;
        cJSON *check = self->pending;
        self->pending = NULL;
        bool healthy = cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (check, "healthy"));
        s_done (self, &check, !ok ? "error" : healthy ? "pinged" : "fail_sent", result);
        break;
    }
}

//  Drop the request under way, if any.
static void
s_abort (watchdog_t *self)
{
    if (!self->easy)
        return;
    self->curl->multi_remove_handle (self->multi, self->easy);
    self->curl->easy_cleanup (self->easy);
    self->easy = NULL;
    cJSON_Delete (self->pending);
    self->pending = NULL;
}

static void
s_schedule (watchdog_t *self, int64_t delay_ms)
{
    if (self->check_timer >= 0)
        zloop_timer_end (self->loop, self->check_timer);
    self->check_timer = -1;
    self->next_wall_ms = 0;
    if (!self->enabled)
        return;
    if (delay_ms < 1)
        delay_ms = 1;
    self->check_timer = zloop_timer (self->loop, (size_t) delay_ms, 1, s_on_check, self);
    self->next_wall_ms = ddc_wall_ms () + delay_ms;
}

//  Start the GET of url for *check_p (kept until the request is over,
//  *check_p set to NULL).
static void
s_request (watchdog_t *self, const char *url, cJSON **check_p)
{
    cJSON *check = *check_p;
    *check_p = NULL;
    int64_t limit = self->interval * self->minute_ms / 2;
    if (limit > WATCHDOG_REQUEST_MS)
        limit = WATCHDOG_REQUEST_MS;
    if (!self->multi) {
        s_done (self, &check, "error", self->curl_error);
        return;
    }
    self->body_bytes = 0;
    //  The system's CA folder is read lazily, certificate by certificate;
    //  a bundle file would be parsed whole inside the broker's loop.
    ddc_http_opts_t opts = {
        .url = url,
        .timeout_ms = (long) limit,
        .connect_ms = (long) (limit < WATCHDOG_CONNECT_MS ? limit : WATCHDOG_CONNECT_MS),
        .user_agent = "ddc-broker/" DDC_VERSION " watchdog",
        .ca_file = self->ca_file,
        .ca_path = self->ca_path,
        .on_body = s_on_body,
        .body_arg = self,
        .errbuf = self->errbuf,
    };
    self->easy = ddc_http_easy (self->curl, &opts);
    if (!self->easy) {
        s_done (self, &check, "error", "libcurl cannot start a request");
        return;
    }
    CURL *e = self->easy;
    self->curl->easy_setopt (e, CURLOPT_HTTPGET, 1L);
    self->pending = check;
    if (self->curl->multi_add_handle (self->multi, e) != CURLM_OK) {
        self->curl->easy_cleanup (e);
        self->easy = NULL;
        self->pending = NULL;
        s_done (self, &check, "error", "libcurl refused the request");
    }
}

static void s_check (watchdog_t *self);

//  Time for a check.
static int
s_on_check (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    watchdog_t *self = arg;
    loopstat_step_t start = loopstat_begin ();
    self->check_timer = -1; //  one-shot: gone after this
    s_schedule (self, self->interval * self->minute_ms);
    if (self->easy)
        ddc_warn ("watchdog: the previous request is still under way; this check is skipped");
    else
        s_check (self);
    loopstat_done (self->loopstat, &start, "watchdog check");
    return 0;
}

//  Judge, then ping, report the failure or skip.
static void
s_check (watchdog_t *self)
{
    char reason [512], when [32];
    bool healthy = self->health (self->arg, reason, sizeof (reason));
    ddc_iso_time (ddc_wall_ms (), when);
    cJSON *check = cJSON_CreateObject ();
    cJSON_AddStringToObject (check, "time", when);
    cJSON_AddBoolToObject (check, "healthy", healthy);
    cJSON_AddStringToObject (check, "reason", reason);
    const char *url = healthy ? self->url : self->fail_url;
    if (!*url) {
        cJSON_AddNullToObject (check, "sent");
        s_done (self, &check, "skipped", "no request: no fail_url is set");
        return;
    }
    cJSON_AddStringToObject (check, "sent", healthy ? "url" : "fail_url");
    s_request (self, url, &check);
}

//  libcurl and the multi of the requests, the first time the watchdog is
//  switched on (once: a failure is the result of every check after).
static void
s_start_curl (watchdog_t *self)
{
    if (self->multi || *self->curl_error)
        return;
    int64_t start = ddc_mono_us ();
    char err [256];
    self->curl = ddc_curl_load (err, sizeof (err));
    if (!self->curl)
        snprintf (self->curl_error, sizeof (self->curl_error), "libcurl cannot be loaded: %s", err);
    else {
        self->multi = ddc_http_multi (self->curl, s_on_socket, s_on_timer_wanted, self);
        if (!self->multi)
            snprintf (self->curl_error, sizeof (self->curl_error),
                      "libcurl cannot make a multi handle");
    }
    if (self->multi)
        ddc_debug ("watchdog: libcurl loaded in %.1f ms", (double) (ddc_mono_us () - start) / 1000);
    else
        ddc_error ("watchdog: %s; every check fails until ddc-broker is restarted with a working "
                   "libcurl",
                   self->curl_error);
}

//  ---------------------------------------------------------------- public

watchdog_t *
watchdog_new (zloop_t *loop, const char *ca_file, int64_t minute_ms, watchdog_health_fn *health,
              void *arg, loopstat_t *loopstat)
{
    watchdog_t *self = ddc_calloc (1, sizeof (*self));
    self->loop = loop;
    self->loopstat = loopstat;
    self->ca_file = ca_file ? ddc_strdup (ca_file) : NULL;
    self->ca_path = ddc_http_ca_dir ();
    self->minute_ms = minute_ms > 0 ? minute_ms : WATCHDOG_MINUTE_MS;
    self->health = health;
    self->arg = arg;
    self->check_timer = self->curl_timer = -1;
    return self;
}

void
watchdog_destroy (watchdog_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    watchdog_t *self = *self_p;
    s_abort (self);
    self->enabled = false;
    s_schedule (self, 0);
    if (self->curl_timer >= 0)
        zloop_timer_end (self->loop, self->curl_timer);
    if (self->multi)
        self->curl->multi_cleanup (self->multi);
    cJSON_Delete (self->last);
    free (self->ca_file);
    free (self->ca_path);
    free (self);
    *self_p = NULL;
}

void
watchdog_configure (watchdog_t *self, const cJSON *section, bool starting)
{
    const char *url = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (section, "url"));
    const char *fail =
        cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (section, "fail_url"));
    const cJSON *minutes = cJSON_GetObjectItemCaseSensitive (section, "interval_minutes");
    bool enabled =
        cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (section, "enabled")) && url && *url;
    int interval = cJSON_IsNumber (minutes) && minutes->valueint >= 1 ? minutes->valueint : 5;
    if (self->configured && enabled == self->enabled && interval == self->interval
        && strcmp (url ? url : "", self->url) == 0 && strcmp (fail ? fail : "", self->fail_url) == 0)
        return;
    self->configured = true;
    s_abort (self);
    self->enabled = enabled;
    self->interval = interval;
    ddc_strlcpy (self->url, url ? url : "", sizeof (self->url));
    ddc_strlcpy (self->fail_url, fail ? fail : "", sizeof (self->fail_url));
    self->last_outcome [0] = '\0'; //  the next outcome is logged
    if (!enabled) {
        if (!starting)
            ddc_info ("watchdog: off");
        s_schedule (self, 0);
        return;
    }
    s_start_curl (self);
    char to [300], fail_to [300];
    watchdog_safe_url (self->url, to, sizeof (to));
    watchdog_safe_url (self->fail_url, fail_to, sizeof (fail_to));
    ddc_info ("watchdog: every %d min to %s, when not healthy %s%s; first check %s", interval, to,
              *fail_to ? "to " : "nothing", fail_to, starting ? "in a minute" : "now");
    s_schedule (self, starting ? self->minute_ms : 0);
}

cJSON *
watchdog_status (watchdog_t *self)
{
    cJSON *out = cJSON_CreateObject ();
    char text [300];
    cJSON_AddBoolToObject (out, "enabled", self->enabled);
    cJSON_AddNumberToObject (out, "interval_minutes", self->interval ? self->interval : 5);
    watchdog_safe_url (self->url, text, sizeof (text));
    cJSON_AddStringToObject (out, "url", text);
    watchdog_safe_url (self->fail_url, text, sizeof (text));
    cJSON_AddStringToObject (out, "fail_url", text);
    if (self->ca_file)
        cJSON_AddStringToObject (out, "ca_file", self->ca_file);
    else
        cJSON_AddNullToObject (out, "ca_file");
    cJSON_AddBoolToObject (out, "busy", self->easy != NULL);
    cJSON_AddItemToObject (out, "last",
                           self->last ? cJSON_Duplicate (self->last, 1) : cJSON_CreateNull ());
    if (self->next_wall_ms) {
        ddc_iso_time (self->next_wall_ms, text);
        cJSON_AddStringToObject (out, "next", text);
    }
    else
        cJSON_AddNullToObject (out, "next");
    return out;
}
