/*  fuzz_config: libFuzzer target for ddc_config and the ddc_schema walker.
    Parses the input as JSON, validates it as a whole document and as each
    section (against itself as the current document), reads every field of
    the section the way the services do (typed reads within the rows'
    limits, and decoding into a struct: a normalised section decodes
    without error), redacts, keeps secrets, diffs against the defaults and
    checks a few invariants; frees everything. */
#include "ddc_config.h"
#include "ddc_json.h"
#include "ddc_schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Decode every plain field of s (not OBJ or HOOK rows) from row the way
//  ddc-docker does: 0 exactly when nothing was reported, numbers within
//  the rows' limits. Returns the result.
typedef union {
    int i;
    bool b;
    const char *s;
    unsigned u;
} s_member_t;

static int
s_decode_all (ddc_section_t s, const cJSON *row)
{
    s_member_t members [32];
    ddc_bind_t binds [33];
    const ddc_field_t *rows [32];
    int n = 0;
    for (const ddc_field_t *f = ddc_schema_section (s)->fields; f->key && n < 32; f++)
        if (f->type != DDC_T_OBJ && f->type != DDC_T_HOOK) {
            rows [n] = f;
            binds [n] = (ddc_bind_t){ f->key, (size_t) n * sizeof (s_member_t) };
            n++;
        }
    binds [n] = (ddc_bind_t){ NULL, 0 };
    ddc_walk_t walk = { 0 };
    int rc = ddc_schema_decode (&walk, s, row, ddc_section_name (s), binds, members);
    if ((rc == 0) != (walk.count == 0))
        abort ();
    for (int k = 0; k < n; k++) {
        if (rows [k]->type == DDC_T_INT
            && (members [k].i < rows [k]->min || members [k].i > rows [k]->max))
            abort ();
        if ((rows [k]->type == DDC_T_STR || rows [k]->type == DDC_T_ENUM) && !members [k].s)
            abort ();
    }
    return rc;
}

//  Invariant: success appends nothing, failure appends at least one error,
//  and the error list stays bounded.

static void
s_check_result (const cJSON *out, const cJSON *errors, int before)
{
    int added = cJSON_GetArraySize (errors) - before;
    if ((out && added != 0) || (!out && added == 0) || added > DDC_CONFIG_MAX_ERRORS + 1)
        abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    cJSON *doc = ddc_json_parse ((const char *) data, size, SIZE_MAX, NULL, 0);
    if (!doc)
        return 0;
    cJSON *errors = cJSON_CreateArray ();

    cJSON *norm = ddc_config_validate_document (doc, errors);
    s_check_result (norm, errors, 0);
    if (norm) {
        //  A normalised document is a fixed point
        cJSON *again = ddc_config_validate_document (norm, NULL);
        if (!again || !ddc_json_equal (again, norm))
            abort ();
        cJSON_Delete (again);
    }
    cJSON *defaults = ddc_config_default ();
    for (int i = 0; i < DDC_SEC_COUNT; i++) {
        ddc_section_t s = (ddc_section_t) i;
        const char *name = ddc_section_name (s);
        //  The section from the document, or the whole input as the value
        const cJSON *value =
            cJSON_IsObject (doc) ? cJSON_GetObjectItemCaseSensitive (doc, name) : NULL;
        if (!value)
            value = doc;

        int before = cJSON_GetArraySize (errors);
        cJSON *section = ddc_config_validate_section (s, value, doc, errors);
        s_check_result (section, errors, before);
        //  Keep errors bounded across sections
        while (cJSON_GetArraySize (errors) > 4 * DDC_CONFIG_MAX_ERRORS)
            cJSON_DeleteItemFromArray (errors, 0);

        //  Typed reads stay within the rows' limits whatever the value
        const cJSON *row = cJSON_IsArray (value) ? value->child : value;
        for (const ddc_field_t *f = ddc_schema_section (s)->fields; f->key; f++) {
            if (f->type == DDC_T_INT) {
                int n = ddc_schema_int (s, row, f->key);
                if (n < f->min || n > f->max)
                    abort ();
            }
            if (f->type == DDC_T_STR || f->type == DDC_T_ENUM)
                (void) strlen (ddc_schema_str (s, row, f->key));
            (void) ddc_schema_bool (s, row, f->key);
        }

        //  Decoding: any value is safe; a normalised section decodes clean
        (void) s_decode_all (s, row);
        if (section && cJSON_IsObject (section) && s_decode_all (s, section) != 0)
            abort ();
        for (const cJSON *r = cJSON_IsArray (section) ? section->child : NULL; r; r = r->next)
            if (s_decode_all (s, r) != 0)
                abort ();

        const cJSON *def = cJSON_GetObjectItemCaseSensitive (defaults, name);
        cJSON *red = ddc_config_redact (s, value);
        if (red) {
            //  Redaction leaves no non-empty secret other than "***"
            const char *const *secrets = ddc_section_secrets (s);
            for (const cJSON *item = red->child; item && cJSON_IsObject (red); item = item->next)
                for (int k = 0; secrets [k]; k++)
                    if (item->string && strcmp (item->string, secrets [k]) == 0) {
                        const char *v = cJSON_GetStringValue (item);
                        if (!v || (*v && strcmp (v, "***") != 0))
                            abort ();
                    }
            ddc_config_keep_secrets (s, red, value);
        }
        cJSON *diff = ddc_json_diff (ddc_section_name (s), def, value);
        if (cJSON_GetArraySize (diff) > DDC_JSON_DIFF_MAX + 1)
            abort ();
        cJSON *diff2 = ddc_json_diff (ddc_section_name (s), red, section);
        cJSON_Delete (diff2);
        (void) ddc_json_equal (def, value);
        (void) ddc_json_equal (red, value);
        cJSON_Delete (diff);
        cJSON_Delete (red);
        cJSON_Delete (section);
    }
    cJSON_Delete (defaults);
    cJSON_Delete (norm);
    cJSON_Delete (errors);
    cJSON_Delete (doc);
    return 0;
}
