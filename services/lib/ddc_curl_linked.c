/*  ddc_curl_linked: the table of libcurl's own functions, for a test
    linked with libcurl. A file of its own: the programs, which load
    libcurl instead, do not link this one. See ddc_curl.h. */
#include "ddc_curl.h"

const ddc_curl_t ddc_curl_linked = {
#define S_LINKED(name) .name = curl_##name,
    DDC_CURL_FUNCTIONS (S_LINKED)
#undef S_LINKED
};
