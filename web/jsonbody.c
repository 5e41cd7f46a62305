/*  jsonbody: the API's JSON bodies. See jsonbody.h. */
#include "jsonbody.h"

#include "form.h"
#include "ddc_config.h"
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

//  The body as a JSON object (caller deletes), or NULL with the reason.
static cJSON *
s_object (const char *data, size_t len, char *err, size_t errlen)
{
    if (len == 0) {
        snprintf (err, errlen, "the body is empty");
        return NULL;
    }
    if (len > JSONBODY_MAX) {
        snprintf (err, errlen, "the body is larger than %d bytes", JSONBODY_MAX);
        return NULL;
    }
    char why [120];
    cJSON *root = ddc_json_parse (data, len, JSONBODY_MAX, why, sizeof (why));
    if (!root) {
        snprintf (err, errlen, "the body is not valid JSON: %s", why);
        return NULL;
    }
    if (!cJSON_IsObject (root)) {
        snprintf (err, errlen, "the body must be a JSON object");
        cJSON_Delete (root);
        return NULL;
    }
    return root;
}

int
jsonbody_parse (const char *data, size_t len, uint64_t *rev_p, cJSON **value_p, char *err,
                size_t errlen)
{
    *value_p = NULL;
    *rev_p = 0;
    cJSON *root = s_object (data, len, err, errlen);
    if (!root)
        return -1;
    const cJSON *rev = NULL, *value = NULL, *each;
    cJSON_ArrayForEach (each, root) {
        const char *k = each->string ? each->string : "";
        if (strcmp (k, "rev") == 0 && !rev)
            rev = each;
        else if (strcmp (k, "value") == 0 && !value)
            value = each;
        else {
            snprintf (err, errlen,
                      "the body has an unknown or repeated member (only \"rev\" and \"value\")");
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

int
jsonbody_action_parse (const char *data, size_t len, jsonbody_action_t *out, char *err,
                       size_t errlen)
{
    memset (out, 0, sizeof (*out));
    cJSON *root = s_object (data, len, err, errlen);
    if (!root)
        return -1;
    static const char *const actions [] = { "start", "stop", "restart", "logs", NULL };
    const cJSON *host = NULL, *container = NULL, *action = NULL, *lines = NULL, *each;
    int rc = -1;
    cJSON_ArrayForEach (each, root) {
        const char *k = each->string ? each->string : "";
        const cJSON **slot = strcmp (k, "host") == 0        ? &host
                             : strcmp (k, "container") == 0 ? &container
                             : strcmp (k, "action") == 0    ? &action
                             : strcmp (k, "lines") == 0     ? &lines
                                                            : NULL;
        if (!slot || *slot) {
            snprintf (err, errlen,
                      "the body has an unknown or repeated member (only \"host\", "
                      "\"container\", \"action\" and \"lines\")");
            goto done;
        }
        *slot = each;
    }
    if (!cJSON_IsString (host) || !ddc_config_name_ok (host->valuestring, DDC_HOST_NAME_MAX)) {
        snprintf (err, errlen,
                  "\"host\" must be a host name (1 to 63 of A-Z, a-z, 0-9, '.', "
                  "'_', '-')");
        goto done;
    }
    if (!cJSON_IsString (container)
        || !ddc_config_name_ok (container->valuestring, DDC_CONTAINER_NAME_MAX)) {
        snprintf (err, errlen, "\"container\" must be a Docker container name");
        goto done;
    }
    bool known = false;
    for (int i = 0; actions [i] && cJSON_IsString (action); i++)
        known = known || strcmp (actions [i], action->valuestring) == 0;
    if (!known) {
        snprintf (err, errlen, "\"action\" must be start, stop, restart or logs");
        goto done;
    }
    if (lines) {
        double d = cJSON_IsNumber (lines) ? lines->valuedouble : 0;
        if (strcmp (action->valuestring, "logs") != 0 || d < 1 || d > 1000 || d != floor (d)) {
            snprintf (err, errlen, "\"lines\" is for logs only: a whole number from 1 to 1000");
            goto done;
        }
        out->lines = (int) d;
    }
    ddc_strlcpy (out->host, host->valuestring, sizeof (out->host));
    ddc_strlcpy (out->container, container->valuestring, sizeof (out->container));
    ddc_strlcpy (out->action, action->valuestring, sizeof (out->action));
    rc = 0;
done:
    cJSON_Delete (root);
    return rc;
}
