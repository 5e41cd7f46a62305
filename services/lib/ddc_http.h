/*  ddc_http: how every ddc program starts an outgoing HTTP(S) request with
    libcurl (ddc-discord's REST calls, the alert webhook's POST, the
    broker's watchdog GET): http and https only, no redirects, no signals,
    bounded times, the reply body to a write callback, libcurl's reason in
    an error buffer, and TLS checked against the system's CA folder, read
    lazily certificate by certificate ($SSL_CERT_DIR, else /etc/ssl/certs),
    or a bundle file when one is given. The caller adds what is its own
    (method, headers, body) and runs the handle in its multi; a multi for
    an event loop of the caller's (sockets and a timer it is told about)
    is made here too. libcurl is called through a table (ddc_curl.h): the
    one ddc_curl_load gives (ddc-broker, ddc-docker and ddc-discord load
    libcurl, none links it), or ddc_curl_linked in a test linked with it. */
#ifndef DDC_HTTP_H
#define DDC_HTTP_H

#include "ddc_curl.h"

typedef struct {
    const char *url;
    long timeout_ms; //  the whole transfer
    long connect_ms; //  the connection
    const char *user_agent;
    const char *ca_file;         //  a CA bundle, or NULL: the folder
    const char *ca_path;         //  the CA folder (ddc_http_ca_dir)
    curl_write_callback on_body; //  NULL: the body is dropped
    void *body_arg;
    char *errbuf; //  CURL_ERROR_SIZE bytes, or NULL
} ddc_http_opts_t;

//  A new easy handle of curl set up as above (caller owns: curl's
//  easy_cleanup), or NULL when libcurl cannot make one.
CURL *ddc_http_easy (const ddc_curl_t *curl, const ddc_http_opts_t *opts);
//  The CA folder: $SSL_CERT_DIR when set, else /etc/ssl/certs (caller
//  frees).
char *ddc_http_ca_dir (void);
//  A new multi handle of curl that tells on_socket which sockets to watch
//  and on_timer when to call it again, both with arg (the caller's own
//  event loop drives it with curl_multi_socket_action); NULL when libcurl
//  cannot make one. Caller owns: curl's multi_cleanup.
CURLM *ddc_http_multi (const ddc_curl_t *curl, curl_socket_callback on_socket,
                       curl_multi_timer_callback on_timer, void *arg);

#endif
