/*  Unit tests of ddc-ctl's JSON helpers (services/ctl/ctl_json.c): the
    pretty printer, redaction and sections.
    The module is compiled in here, with ctl_fail stubbed. */
#include "../../services/ctl/ctl_json.c"
#include "ddc_test.h"
#include "ddc_test_json.h"

#include <stdarg.h>

static char s_failed [512];

int
ctl_fail (ctl_t *ctl, int code, const char *fmt, ...)
{
    (void) ctl;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (s_failed, sizeof (s_failed), fmt, ap);
    va_end (ap);
    return code;
}

DDC_TEST (test_pretty_print)
{
    cJSON *json = ddc_test_parse ("{\"a\":1,\"b\":[true,null,\"x\\\"y\"],\"c\":{},\"d\":[],"
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
    //  What is printed parses back to the same value.
    cJSON *back = ddc_test_parse (text);
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
    cJSON *o = ddc_test_parse ("{\"we\\\"ird\\n\":0}");
    text = ctl_json_text (o, false);
    CHECK_STR (text, "{\n  \"we\\\"ird\\n\": 0\n}");
    free (text);
    cJSON_Delete (o);
}

DDC_TEST (test_redact)
{
    cJSON *bot = ddc_test_parse ("{\"token\":\"abc\",\"guild_id\":\"1\",\"token\":\"dup\"}");
    ctl_redact ("bot", bot);
    char *text = cJSON_PrintUnformatted (bot);
    CHECK_STR (text, "{\"token\":\"***\",\"guild_id\":\"1\",\"token\":\"***\"}");
    cJSON_free (text);
    cJSON_Delete (bot);

    cJSON *empty = ddc_test_parse ("{\"token\":\"\"}");
    ctl_redact ("bot", empty);
    CHECK_STR (cJSON_GetObjectItem (empty, "token")->valuestring, "");
    cJSON_Delete (empty);

    cJSON *odd = ddc_test_parse ("{\"password_hash\":{\"x\":1},\"token\":\"keep\"}");
    ctl_redact ("web", odd);
    CHECK_STR (cJSON_GetObjectItem (odd, "password_hash")->valuestring, "***");
    CHECK_STR (cJSON_GetObjectItem (odd, "token")->valuestring, "keep");
    cJSON_Delete (odd);

    cJSON *all = ddc_test_parse ("{\"bot\":{\"token\":\"t\"},\"web\":{\"password_hash\":\"h\"},"
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
    DDC_RUN (test_redact);
    DDC_RUN (test_sections);
    DDC_DONE ();
}
