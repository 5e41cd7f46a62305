/*  test_broker_ops: the broker's operating logic as logic: config.json's
    schema (schema.c: the number read from _meta, refusals, the migration
    to SCHEMA_CURRENT). */
#include "../../services/broker/schema.c"

#include "ddc_json.h"
#include "ddc_log.h"
#include "ddc_test.h"

static cJSON *
s_doc (const char *text)
{
    char why[128];
    cJSON *doc = ddc_json_parse (text, strlen (text), 1 << 20, why, sizeof why);
    if (!doc)
        fprintf (stderr, "bad test JSON: %s\n", why);
    return doc;
}

static int
s_schema (const char *text, char *err, size_t errlen)
{
    cJSON *doc = s_doc (text);
    err[0] = '\0';
    int n = schema_of (doc, err, errlen);
    cJSON_Delete (doc);
    return n;
}

DDC_TEST (test_schema_read_from_meta)
{
    char err[200];
    CHECK (s_schema ("{}", err, sizeof err) == 1);                    /* no _meta */
    CHECK (s_schema ("{\"_meta\": {\"rev\": 3}}", err, sizeof err) == 1);
    CHECK (s_schema ("{\"_meta\": 5}", err, sizeof err) == 1);         /* damaged: ignored */
    CHECK (s_schema ("{\"_meta\": {\"schema\": 2}}", err, sizeof err) == 2);
    CHECK (s_schema ("{\"_meta\": {\"schema\": 7}}", err, sizeof err) == 7);
    CHECK (s_schema ("{\"_meta\": {\"schema\": 0}}", err, sizeof err) == -1);
    CHECK (strstr (err, "_meta.schema must be a whole number") != NULL);
    CHECK (s_schema ("{\"_meta\": {\"schema\": 1.5}}", err, sizeof err) == -1);
    CHECK (s_schema ("{\"_meta\": {\"schema\": -1}}", err, sizeof err) == -1);
    CHECK (s_schema ("{\"_meta\": {\"schema\": \"2\"}}", err, sizeof err) == -1);
    CHECK (s_schema ("{\"_meta\": {\"schema\": 1e300}}", err, sizeof err) == -1);
    CHECK (s_schema ("{\"_meta\": {\"schema\": null}}", err, sizeof err) == -1);
}

DDC_TEST (test_schema_migration)
{
    char err[200] = "";
    /* a schema-1 file: sections as they were, the number added */
    cJSON *doc = s_doc ("{\"bot\": {\"language\": \"de\"}, \"watchdog\": {\"url\": \"\"}}");
    CHECK (schema_migrate (doc, 1, err, sizeof err) == 0);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive (doc, "_meta");
    CHECK (cJSON_GetNumberValue (cJSON_GetObjectItemCaseSensitive (meta, "schema"))
           == SCHEMA_CURRENT);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (
                   cJSON_GetObjectItemCaseSensitive (doc, "bot"), "language")), "de");
    cJSON_Delete (doc);
    /* _meta kept (epoch, revisions), its schema replaced */
    doc = s_doc ("{\"_meta\": {\"epoch\": \"0123456789abcdef\", \"schema\": 1}}");
    CHECK (schema_migrate (doc, 1, err, sizeof err) == 0);
    meta = cJSON_GetObjectItemCaseSensitive (doc, "_meta");
    CHECK (cJSON_GetArraySize (meta) == 2);
    CHECK_STR (cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (meta, "epoch")),
               "0123456789abcdef");
    cJSON_Delete (doc);
    /* the current schema: nothing to do */
    doc = s_doc ("{\"_meta\": {\"schema\": 2}}");
    CHECK (schema_migrate (doc, SCHEMA_CURRENT, err, sizeof err) == 0);
    cJSON_Delete (doc);
    /* newer: refused with what to do */
    doc = s_doc ("{\"_meta\": {\"schema\": 7}}");
    CHECK (schema_migrate (doc, 7, err, sizeof err) == -1);
    char want[160];
    snprintf (want, sizeof want, "config.json has schema 7; this ddc-broker knows up to %d: "
              "upgrade ddc", SCHEMA_CURRENT);
    CHECK_STR (err, want);
    cJSON_Delete (doc);
    doc = s_doc ("[]");
    CHECK (schema_migrate (doc, 1, err, sizeof err) == -1);
    cJSON_Delete (doc);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    ddc_log_init ("test_broker_ops");
    ddc_log_set_level (DDC_LOG_ERROR);
    DDC_RUN (test_schema_read_from_meta);
    DDC_RUN (test_schema_migration);
    DDC_DONE ();
}
