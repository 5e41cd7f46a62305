/*  ddc_test_json: JSON test input written with single quotes, so that it
    reads well inside C strings: ddc_test_json ("{'a': 1}"). The input is
    the test's own, so a parse error is a bug in the test: it aborts.
    ddc_test_parse reads ordinary JSON text like the programs do
    (ddc_json_parse) and gives NULL when it is not valid.
    ddc_test_same_items says where two trees differ in anything cJSON's
    parser sets (types, names, strings, both number fields to the bit, the
    links of every list), for comparing ddc_json_parse with cJSON's. */
#ifndef DDC_TEST_JSON_H
#define DDC_TEST_JSON_H

#include "ddc_json.h"

#include <cJSON.h>
#include <stdbool.h>
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

//  NULL when a and b are the same item by item, else what differs first.
static inline const char *
ddc_test_same_items (const cJSON *a, const cJSON *b)
{
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return "type";
    if ((a->string == NULL) != (b->string == NULL) || (a->string && strcmp (a->string, b->string)))
        return "member name";
    if ((a->valuestring == NULL) != (b->valuestring == NULL)
        || (a->valuestring && strcmp (a->valuestring, b->valuestring)))
        return "string";
    if (a->valueint != b->valueint
        || memcmp (&a->valuedouble, &b->valuedouble, sizeof (double)) != 0)
        return "number";
    if ((a->child == NULL) != (b->child == NULL))
        return "children";
    const cJSON *ca = a->child, *cb = b->child;
    while (ca && cb) {
        //  the first child's prev is the last one, as cJSON appends by it
        bool first = ca == a->child;
        bool prev_a = first ? ca->prev && !ca->prev->next : ca->prev && ca->prev->next == ca;
        bool prev_b = first ? cb->prev && !cb->prev->next : cb->prev && cb->prev->next == cb;
        if (prev_a != prev_b)
            return "prev link";
        const char *why = ddc_test_same_items (ca, cb);
        if (why)
            return why;
        ca = ca->next;
        cb = cb->next;
    }
    return ca || cb ? "number of children" : NULL;
}

#endif
