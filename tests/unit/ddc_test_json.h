/*  ddc_test_json: JSON test input written with single quotes, so that it
    reads well inside C strings: ddc_test_json ("{'a': 1}"). The input is
    the test's own, so a parse error is a bug in the test: it aborts.
    ddc_test_parse reads ordinary JSON text like the programs do
    (ddc_json_parse) and gives NULL when it is not valid. */
#ifndef DDC_TEST_JSON_H
#define DDC_TEST_JSON_H

#include "ddc_json.h"

#include <cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline cJSON *
ddc_test_parse (const char *text)
{
    return text ? ddc_json_parse (text, strlen (text), SIZE_MAX, NULL, 0) : NULL;
}

static inline cJSON *
ddc_test_json (const char *text)
{
    size_t len = strlen (text);
    char *json = malloc (len + 1);
    if (!json)
        abort ();
    for (size_t i = 0; i <= len; i++)
        json [i] = text [i] == '\'' ? '"' : text [i];
    cJSON *value = ddc_test_parse (json);
    free (json);
    if (!value)
        abort ();
    return value;
}

#endif
