/*  ddc_http: outgoing HTTP(S) requests set up one way. See ddc_http.h. */
#include "ddc_http.h"
#include "ddc_util.h"

#include <assert.h>
#include <stdlib.h>

static size_t
s_drop (char *data, size_t size, size_t nmemb, void *arg)
{
    (void) data;
    (void) arg;
    return size * nmemb;
}

CURL *
ddc_http_easy (const ddc_curl_t *curl, const ddc_http_opts_t *opts)
{
    assert (curl);
    assert (opts);
    assert (opts->url);
    CURL *easy = curl->easy_init ();
    if (!easy)
        return NULL;
    curl->easy_setopt (easy, CURLOPT_URL, opts->url);
    curl->easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl->easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl->easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    curl->easy_setopt (easy, CURLOPT_TIMEOUT_MS, opts->timeout_ms);
    curl->easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, opts->connect_ms);
    if (opts->user_agent)
        curl->easy_setopt (easy, CURLOPT_USERAGENT, opts->user_agent);
    curl->easy_setopt (easy, CURLOPT_WRITEFUNCTION, opts->on_body ? opts->on_body : s_drop);
    curl->easy_setopt (easy, CURLOPT_WRITEDATA, opts->body_arg);
    if (opts->errbuf) {
        opts->errbuf [0] = '\0';
        curl->easy_setopt (easy, CURLOPT_ERRORBUFFER, opts->errbuf);
    }
    curl->easy_setopt (easy, CURLOPT_CAINFO, opts->ca_file);
    curl->easy_setopt (easy, CURLOPT_CAPATH, opts->ca_path);
    return easy;
}

CURLM *
ddc_http_multi (const ddc_curl_t *curl, curl_socket_callback on_socket,
                curl_multi_timer_callback on_timer, void *arg)
{
    assert (curl);
    assert (on_socket);
    assert (on_timer);
    CURLM *multi = curl->multi_init ();
    if (!multi)
        return NULL;
    curl->multi_setopt (multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl->multi_setopt (multi, CURLMOPT_SOCKETDATA, arg);
    curl->multi_setopt (multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl->multi_setopt (multi, CURLMOPT_TIMERDATA, arg);
    return multi;
}

char *
ddc_http_ca_dir (void)
{
    const char *dir = getenv ("SSL_CERT_DIR");
    return ddc_strdup (dir && *dir ? dir : "/etc/ssl/certs");
}
