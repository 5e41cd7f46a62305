/*  jsonbody: the JSON body of ddc-web's save API
    (POST /api/section/NAME, Content-Type application/json):
        {"rev": 41, "value": <the whole section>}
    "rev" is the section revision the value was based on (SAVE's expected
    revision; 0 = no check), "value" the new section value. Kore-free,
    fuzzed. The body must be one JSON object (RFC 8259, valid UTF-8, nothing
    after it) of at most JSONBODY_MAX bytes, nested at most JSONBODY_DEPTH
    deep, with exactly these two members. The broker validates the value. */
#ifndef WEB_JSONBODY_H
#define WEB_JSONBODY_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define JSONBODY_MAX   (1024 * 1024)
#define JSONBODY_DEPTH 32

/* 0 with *rev_p and *value_p (caller owns) set, or -1 with a reason in
   err[errlen] (English; the input is never echoed). */
int jsonbody_parse (const char *data, size_t len, uint64_t *rev_p, cJSON **value_p,
                    char *err, size_t errlen);

/* Depth of a JSON value (a scalar is 1). Stops counting at limit + 1. */
int jsonbody_depth (const cJSON *item, int limit);

#endif
