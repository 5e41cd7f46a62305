/*  Unit tests of ddc-ctl's JSON helpers (services/ctl/ctl_json.c): the
    pretty printer, the parser's error positions, redaction and sections.
    The module is compiled in here, with ctl_fail stubbed. */
#include "../../services/ctl/ctl_json.c"
#include "ddc_test.h"

#include <stdarg.h>

static char s_failed[512];

int
ctl_fail (ctl_t *ctl, int code, const char *fmt, ...)
{
    (void) ctl;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (s_failed, sizeof s_failed, fmt, ap);
    va_end (ap);
    return code;
}

DDC_TEST (test_pretty_print)
{
    cJSON *json = cJSON_Parse ("{\"a\":1,\"b\":[true,null,\"x\\\"y\"],\"c\":{},\"d\":[],"
                               "\"e\":{\"f\":2.5}}");
    char *text = ctl_json_text (json, false);
    CHECK_STR (text, "{\n"
                     "  \"a\": 1,\n"
                     "  \"b\": [\n"
                     "    true,\n"
                     "    null,\n"
                     "    \"x\\\"y\"\n"
                     "  ],\n"
                     "  \"c\": {},\n"
                     "  \"d\": [],\n"
                     "  \"e\": {\n"
                     "    \"f\": 2.5\n"
                     "  }\n"
                     "}");
    /* What is printed parses back to the same value. */
    cJSON *back = cJSON_Parse (text);
    CHECK (cJSON_Compare (json, back, true));
    free (text);
    text = ctl_json_text (json, true);
    CHECK_STR (text, "{\"a\":1,\"b\":[true,null,\"x\\\"y\"],\"c\":{},\"d\":[],\"e\":{\"f\":2.5}}");
    free (text);
    cJSON_Delete (back);
    cJSON_Delete (json);
}

DDC_TEST (test_pretty_scalars_and_keys)
{
    cJSON *s = cJSON_CreateString ("tab\there");
    char *text = ctl_json_text (s, false);
    CHECK_STR (text, "\"tab\\there\"");
    free (text);
    cJSON_Delete (s);
    cJSON *o = cJSON_Parse ("{\"we\\\"ird\\n\":0}");
    text = ctl_json_text (o, false);
    CHECK_STR (text, "{\n  \"we\\\"ird\\n\": 0\n}");
    free (text);
    cJSON_Delete (o);
}

DDC_TEST (test_parse_ok)
{
    char err[256] = "";
    const char *in = "  {\"a\": [1, 2]}\n\n";
    cJSON *json = ctl_json_parse (in, strlen (in), err, sizeof err);
    CHECK (cJSON_IsObject (json));
    cJSON_Delete (json);
    json = ctl_json_parse ("42", 2, err, sizeof err);
    CHECK (cJSON_IsNumber (json));
    cJSON_Delete (json);
}

DDC_TEST (test_parse_errors)
{
    char err[256] = "";
    const char *in = "{\n  \"a\": 1,\n  \"b\" 2\n}";
    CHECK (ctl_json_parse (in, strlen (in), err, sizeof err) == NULL);
    CHECK (strstr (err, "line 3") != NULL);
    CHECK (ctl_json_parse ("", 0, err, sizeof err) == NULL);
    CHECK (strstr (err, "empty") != NULL);
    CHECK (ctl_json_parse (" \n\t", 3, err, sizeof err) == NULL);
    CHECK (strstr (err, "empty") != NULL);
    CHECK (ctl_json_parse ("{\"a\":1} {", 9, err, sizeof err) == NULL);
    CHECK (strstr (err, "after the value") != NULL);
    CHECK (strstr (err, "column 9") != NULL);
    CHECK (ctl_json_parse ("[1,", 3, err, sizeof err) == NULL);
    CHECK (strstr (err, "line 1, column") != NULL);
    CHECK (ctl_json_parse ("[1]\0[2]", 7, err, sizeof err) == NULL);
    CHECK (strstr (err, "NUL") != NULL);
}

DDC_TEST (test_redact)
{
    cJSON *bot = cJSON_Parse ("{\"token\":\"abc\",\"guild_id\":\"1\",\"token\":\"dup\"}");
    ctl_redact ("bot", bot);
    char *text = cJSON_PrintUnformatted (bot);
    CHECK_STR (text, "{\"token\":\"***\",\"guild_id\":\"1\",\"token\":\"***\"}");
    cJSON_free (text);
    cJSON_Delete (bot);

    cJSON *empty = cJSON_Parse ("{\"token\":\"\"}");
    ctl_redact ("bot", empty);
    CHECK_STR (cJSON_GetObjectItem (empty, "token")->valuestring, "");
    cJSON_Delete (empty);

    cJSON *odd = cJSON_Parse ("{\"password_hash\":{\"x\":1},\"token\":\"keep\"}");
    ctl_redact ("web", odd);
    CHECK_STR (cJSON_GetObjectItem (odd, "password_hash")->valuestring, "***");
    CHECK_STR (cJSON_GetObjectItem (odd, "token")->valuestring, "keep");
    cJSON_Delete (odd);

    cJSON *all = cJSON_Parse ("{\"bot\":{\"token\":\"t\"},\"web\":{\"password_hash\":\"h\"},"
                              "\"containers\":[{\"token\":\"not a secret\"}]}");
    ctl_redact_sections (all);
    text = cJSON_PrintUnformatted (all);
    CHECK_STR (text, "{\"bot\":{\"token\":\"***\"},\"web\":{\"password_hash\":\"***\"},"
                     "\"containers\":[{\"token\":\"not a secret\"}]}");
    cJSON_free (text);
    cJSON_Delete (all);
    ctl_redact ("bot", NULL);
    ctl_redact (NULL, NULL);
}

DDC_TEST (test_sections)
{
    CHECK (ctl_section_valid ("bot"));
    CHECK (ctl_section_valid ("web"));
    CHECK (!ctl_section_valid ("Bot"));
    CHECK (!ctl_section_valid ("*"));
    CHECK (!ctl_section_valid (""));
    CHECK (ctl_section_valid ("docker"));
    CHECK (ctl_bad_section (NULL, "nope") == CTL_EXIT_USAGE);
    CHECK (strstr (s_failed, "nope") && strstr (s_failed, "watchdog"));
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_pretty_print);
    DDC_RUN (test_pretty_scalars_and_keys);
    DDC_RUN (test_parse_ok);
    DDC_RUN (test_parse_errors);
    DDC_RUN (test_redact);
    DDC_RUN (test_sections);
    DDC_DONE ();
}
