/*  ddc_curl: the libcurl functions ddc_http, ddc-broker's watchdog,
    ddc-discord's REST client and ddc-docker's Docker client and webhook
    call, as one table of pointers, so that a program can do without
    linking libcurl. No program is linked with it: ddc-broker, ddc-discord
    and ddc-docker load libcurl.so.4 when needed (ddc_curl_load; the broker
    only when its watchdog is switched on, so that a broker without one
    maps none of libcurl's ~25 libraries: OpenSSL, GnuTLS, Kerberos, LDAP,
    ...); ddc_curl_linked (ddc_curl_linked.c) is the table of a test linked
    with it. Loaded this way, GnuTLS (pulled in by librtmp and libldap, for
    rtmp:// and ldaps://, which ddc never uses; libcurl speaks TLS with
    OpenSSL) is not started when it is mapped: its start parses ASN.1
    tables into some 100 KB of heap that no request of ddc touches. Owns
    the loaded library: opened once per process and kept (libcurl and
    OpenSSL register exit handlers), curl_global_init at the load and
    curl_global_cleanup at ddc_curl_unload. Not thread-safe (neither is
    curl_global_init): load it before other threads start; one thread uses
    it. */
#ifndef DDC_CURL_H
#define DDC_CURL_H

#include <curl/curl.h>
#include <stddef.h>

#define DDC_CURL_SONAME "libcurl.so.4"

//  X (name) for each function curl_name of the table.
#define DDC_CURL_FUNCTIONS(X) \
    X (global_init)           \
    X (global_cleanup)        \
    X (easy_init)             \
    X (easy_setopt)           \
    X (easy_getinfo)          \
    X (easy_strerror)         \
    X (easy_cleanup)          \
    X (multi_init)            \
    X (multi_setopt)          \
    X (multi_add_handle)      \
    X (multi_remove_handle)   \
    X (multi_socket_action)   \
    X (multi_info_read)       \
    X (multi_perform)         \
    X (multi_poll)            \
    X (multi_timeout)         \
    X (multi_wakeup)          \
    X (multi_cleanup)         \
    X (slist_append)          \
    X (slist_free_all)        \
    X (version)

//  curl->easy_init () is curl_easy_init (), and so on. Called through the
//  table, easy_setopt and easy_getinfo are not type-checked as libcurl's
//  macros check them: pass long, pointers and callbacks as libcurl says.
typedef struct {
#define DDC_CURL_FIELD(name) __typeof__ (curl_##name) *name;
    DDC_CURL_FUNCTIONS (DDC_CURL_FIELD)
#undef DDC_CURL_FIELD
} ddc_curl_t;

//  libcurl's own functions, for a test linked with it (it calls
//  curl_global_init itself).
extern const ddc_curl_t ddc_curl_linked;

//  libcurl.so.4 loaded (dlopen, the first call only) with curl_global_init
//  done, or NULL with the reason in err[errlen] ("libcurl.so.4: cannot open
//  shared object file ..."); a failed load is not tried again.
const ddc_curl_t *ddc_curl_load (char *err, size_t errlen);
//  curl_global_cleanup when ddc_curl_load loaded libcurl: at the program's
//  end, with no handle left. The library stays mapped.
void ddc_curl_unload (void);

#endif
