/*  ddc_test_json: JSON test input written with single quotes, so that it
    reads well inside C strings: ddc_test_json ("{'a': 1}"). The input is
    the test's own, so a parse error is a bug in the test: it aborts. */
#ifndef DDC_TEST_JSON_H
#define DDC_TEST_JSON_H

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static inline cJSON *
ddc_test_json (const char *text)
{
    size_t len = strlen (text);
    char *json = malloc (len + 1);
    if (!json)
        abort ();
    for (size_t i = 0; i <= len; i++)
        json [i] = text [i] == '\'' ? '"' : text [i];
    cJSON *value = cJSON_Parse (json);
    free (json);
    if (!value)
        abort ();
    return value;
}

#endif
