/*  schema: config.json's shape version and its migration. See schema.h. */
#include "schema.h"

#include <stdbool.h>
#include <stdio.h>

//  One step: a schema-N document into schema N+1, in place; -1 with why.
typedef int (s_step_fn) (cJSON *doc, char *err, size_t errlen);

//  s_steps[N] turns schema N into N+1; NULL when the sections and fields
//  are the same and only the number changes:
//  1 -> 2: schema 1 (ddc 0.1) has the fields of schema 2; the docker and
//          alerts sections and the containers' and channels' alerts and
//          roles, added within 0.1, are filled in with their defaults by
//          the validator when absent, as they always were.
static s_step_fn *const s_steps [SCHEMA_CURRENT] = {
    [1] = NULL,
};

int
schema_of (const cJSON *doc, char *err, size_t errlen)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive (doc, "_meta");
    const cJSON *schema =
        cJSON_IsObject (meta) ? cJSON_GetObjectItemCaseSensitive (meta, "schema") : NULL;
    if (!schema)
        return 1;
    double v = cJSON_IsNumber (schema) ? schema->valuedouble : 0;
    if (!cJSON_IsNumber (schema) || v < 1 || v > 1000000 || v != (double) (int) v) {
        snprintf (err, errlen,
                  "_meta.schema must be a whole number from 1 (the shape of the "
                  "file; this ddc-broker writes %d)",
                  SCHEMA_CURRENT);
        return -1;
    }
    return (int) v;
}

int
schema_migrate (cJSON *doc, int from, char *err, size_t errlen)
{
    if (from > SCHEMA_CURRENT) {
        snprintf (err, errlen,
                  "config.json has schema %d; this ddc-broker knows up to %d: "
                  "upgrade ddc",
                  from, SCHEMA_CURRENT);
        return -1;
    }
    if (from < 1 || !cJSON_IsObject (doc)) {
        snprintf (err, errlen, "config.json is not a configuration document");
        return -1;
    }
    for (int n = from; n < SCHEMA_CURRENT; n++)
        if (s_steps [n] && s_steps [n](doc, err, errlen) < 0)
            return -1;
    cJSON *meta = cJSON_GetObjectItemCaseSensitive (doc, "_meta");
    if (!cJSON_IsObject (meta)) {
        cJSON_DeleteItemFromObjectCaseSensitive (doc, "_meta");
        meta = cJSON_AddObjectToObject (doc, "_meta");
    }
    cJSON_DeleteItemFromObjectCaseSensitive (meta, "schema");
    cJSON_AddNumberToObject (meta, "schema", SCHEMA_CURRENT);
    return 0;
}
