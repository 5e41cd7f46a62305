/*  ddc_curl: libcurl loaded when needed. See ddc_curl.h. */
#include "ddc_curl.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static ddc_curl_t s_table;
static const ddc_curl_t *s_curl; //  &s_table once loaded and started
static char s_error [300];       //  why not, once tried

//  GnuTLS's constructor starts the library unless this variable is 1.
#define S_GNUTLS_NO_INIT "GNUTLS_NO_IMPLICIT_INIT"

static void
s_load (void)
{
    //  GnuTLS comes with librtmp and libldap, for protocols ddc never asks
    //  for (each starts GnuTLS itself before using it): not started when
    //  mapped. The environment is as before once loaded.
    bool set = !getenv (S_GNUTLS_NO_INIT) && setenv (S_GNUTLS_NO_INIT, "1", 0) == 0;
    void *so = dlopen (DDC_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (set)
        unsetenv (S_GNUTLS_NO_INIT);
    if (!so) {
        snprintf (s_error, sizeof (s_error), "%s", dlerror ());
        return;
    }
    //  POSIX lets dlsym's pointer be a function's.
#define S_RESOLVE(name)                                                                 \
    s_table.name = (__typeof__ (s_table.name)) dlsym (so, "curl_" #name);               \
    if (!s_table.name) {                                                                \
        snprintf (s_error, sizeof (s_error), "%s has no curl_" #name, DDC_CURL_SONAME); \
        dlclose (so);                                                                   \
        return;                                                                         \
    }
    DDC_CURL_FUNCTIONS (S_RESOLVE)
#undef S_RESOLVE
    //  Not thread-safe: libcurl starts OpenSSL and its other libraries here.
    //  In ddc-broker only the loop's thread uses them (libzmq's I/O threads
    //  speak tcp and ipc, with CURVE from libsodium).
    CURLcode code = s_table.global_init (CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf (s_error, sizeof (s_error), "%s cannot start: %s", DDC_CURL_SONAME,
                  s_table.easy_strerror (code));
        return;
    }
    s_curl = &s_table;
}

const ddc_curl_t *
ddc_curl_load (char *err, size_t errlen)
{
    if (!s_curl && !*s_error)
        s_load ();
    if (!s_curl && err && errlen)
        snprintf (err, errlen, "%s", s_error);
    return s_curl;
}

void
ddc_curl_unload (void)
{
    if (s_curl)
        s_curl->global_cleanup ();
    s_curl = NULL;
    s_error [0] = '\0';
}
