/*  fuzz_json: libFuzzer target for the strict JSON parse entry point
    (services/lib/ddc_json.c). The whole input is the JSON text. Checked
    with abort():
      - a refusal always has a reason;
      - an accepted text's tree holds only valid UTF-8 strings without NUL
        and nests at most DDC_JSON_MAX_DEPTH deep;
      - it is the tree cJSON's own parser builds from that text, item by
        item (types, names, strings, numbers to the bit, links);
      - printing the tree and parsing it again gives the same tree;
      - ddc_json_print prints it byte for byte as cJSON_PrintUnformatted. */
#include "../unit/ddc_test_json.h"
#include "ddc_json.h"
#include "ddc_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
s_walk (const cJSON *item, int depth)
{
    if (depth > DDC_JSON_MAX_DEPTH + 1)
        abort ();
    if (item->string && !ddc_utf8_valid (item->string, strlen (item->string)))
        abort ();
    if (cJSON_IsString (item) && !ddc_utf8_valid (item->valuestring, strlen (item->valuestring)))
        abort ();
    for (const cJSON *child = item->child; child; child = child->next)
        s_walk (child, depth + 1);
}

static void
s_same (const cJSON *a, const cJSON *b)
{
    char *ta = cJSON_PrintUnformatted (a), *tb = cJSON_PrintUnformatted (b);
    if (!ta || !tb || strcmp (ta, tb) != 0)
        abort ();
    free (ta);
    free (tb);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char err [200] = "";
    cJSON *json = ddc_json_parse ((const char *) data, size, 1024 * 1024, err, sizeof (err));
    if (!json) {
        if (!err [0])
            abort ();
        return 0;
    }
    s_walk (json, 1);
    const char *end = NULL;
    cJSON *theirs = cJSON_ParseWithLengthOpts ((const char *) data, size, &end, false);
    if (!theirs || ddc_test_same_items (json, theirs) != NULL)
        abort ();
    cJSON_Delete (theirs);

    char *text = cJSON_PrintUnformatted (json);
    if (!text)
        abort ();
    char *ours = ddc_json_print (json);
    if (!ours || strcmp (ours, text) != 0)
        abort ();
    free (ours);
    cJSON *again = ddc_json_parse (text, strlen (text), SIZE_MAX, err, sizeof (err));
    if (!again)
        abort ();
    //  Compared as text: cJSON_Compare is not reflexive with repeated keys.
    s_same (json, again);
    cJSON_Delete (again);
    free (text);

    cJSON_Delete (json);
    return 0;
}
