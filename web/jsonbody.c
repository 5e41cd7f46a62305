/*  jsonbody: the save API's JSON body. See jsonbody.h. */
#include "jsonbody.h"

#include "form.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int
jsonbody_depth (const cJSON *item, int limit)
{
    if (!item)
        return 0;
    if (limit < 0)
        return 1;
    int max = 0;
    const cJSON *child;
    cJSON_ArrayForEach (child, item) {
        int d = jsonbody_depth (child, limit - 1);
        if (d > max)
            max = d;
        if (max > limit)
            break;
    }
    return max + 1;
}

int
jsonbody_parse (const char *data, size_t len, uint64_t *rev_p, cJSON **value_p,
                char *err, size_t errlen)
{
    *value_p = NULL;
    *rev_p = 0;
    if (len == 0) {
        snprintf (err, errlen, "the body is empty");
        return -1;
    }
    if (len > JSONBODY_MAX) {
        snprintf (err, errlen, "the body is larger than %d bytes", JSONBODY_MAX);
        return -1;
    }
    char why[120];
    cJSON *root = ddc_json_parse (data, len, JSONBODY_MAX, why, sizeof why);
    if (!root) {
        snprintf (err, errlen, "the body is not valid JSON: %s", why);
        return -1;
    }
    if (!cJSON_IsObject (root)) {
        snprintf (err, errlen, "the body must be a JSON object");
        cJSON_Delete (root);
        return -1;
    }
    const cJSON *rev = NULL, *value = NULL, *each;
    cJSON_ArrayForEach (each, root) {
        const char *k = each->string ? each->string : "";
        if (strcmp (k, "rev") == 0 && !rev)
            rev = each;
        else if (strcmp (k, "value") == 0 && !value)
            value = each;
        else {
            snprintf (err, errlen, "the body has an unknown or repeated member (only \"rev\" and \"value\")");
            cJSON_Delete (root);
            return -1;
        }
    }
    if (!value || !rev) {
        snprintf (err, errlen, "the body needs both \"rev\" and \"value\"");
        cJSON_Delete (root);
        return -1;
    }
    {
        double d = cJSON_IsNumber (rev) ? rev->valuedouble : -1;
        if (!cJSON_IsNumber (rev) || !isfinite (d) || d < 0 || d > 9007199254740991.0
            || d != floor (d)) {
            snprintf (err, errlen, "\"rev\" must be a whole number from 0");
            cJSON_Delete (root);
            return -1;
        }
        *rev_p = (uint64_t) d;
    }
    if (jsonbody_depth (value, JSONBODY_DEPTH) > JSONBODY_DEPTH) {
        snprintf (err, errlen, "the value is nested deeper than %d levels", JSONBODY_DEPTH);
        cJSON_Delete (root);
        return -1;
    }
    *value_p = cJSON_DetachItemViaPointer (root, (cJSON *) value);
    cJSON_Delete (root);
    return 0;
}
