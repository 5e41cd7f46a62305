/*  ddc-ctl JSON helpers: the section names, client-side secret redaction (by
    the DDC_F_SECRET flag of ddc_schema's rows)
    and a 2-space pretty printer (cJSON_Print indents with tabs). Input is
    parsed by ddc_json_parse. See ctl.h. */
#include "ctl.h"
#include "ddc_config.h"
#include "ddc_json.h"
#include "ddc_schema.h"
#include "ddc_util.h"

#include <string.h>

bool
ctl_section_valid (const char *name)
{
    return ddc_section_from_name (name) >= 0;
}

int
ctl_bad_section (ctl_t *ctl, const char *name)
{
    char list [256] = "";
    for (int i = 0; i < DDC_SEC_COUNT; i++) {
        if (i)
            strncat (list, ", ", sizeof (list) - strlen (list) - 1);
        strncat (list, ddc_section_name ((ddc_section_t) i), sizeof (list) - strlen (list) - 1);
    }
    return ctl_fail (ctl, CTL_EXIT_USAGE, "unknown section '%s' (sections: %s)", name, list);
}

void
ctl_redact (const char *section, cJSON *value)
{
    if (!section || !cJSON_IsObject (value))
        return;
    int s = ddc_section_from_name (section);
    if (s < 0)
        return;
    //  Every member whose schema row is DDC_F_SECRET (cJSON keeps
    //  duplicate keys: each of them).
    for (cJSON *item = value->child; item; item = item->next) {
        if (!item->string || !ddc_schema_secret ((ddc_section_t) s, item->string))
            continue;
        if (cJSON_IsString (item) && item->valuestring [0] == '\0')
            continue;
        if (cJSON_IsString (item) && strcmp (item->valuestring, "***") == 0)
            continue;
        //  The replacement takes the key over (and any other type).
        cJSON *stars = cJSON_CreateString ("***");
        stars->string = item->string;
        stars->type |= item->type & cJSON_StringIsConst;
        item->string = NULL;
        cJSON_ReplaceItemViaPointer (value, item, stars);
        item = stars;
    }
}

void
ctl_redact_sections (cJSON *sections)
{
    if (!cJSON_IsObject (sections))
        return;
    for (cJSON *item = sections->child; item; item = item->next)
        ctl_redact (item->string, item);
}

//  ---- printing -----------------------------------------------------------

static void
s_indent (zchunk_t *out, int depth)
{
    for (int i = 0; i < depth; i++)
        zchunk_extend (out, "  ", 2);
}

static void
s_scalar (zchunk_t *out, const cJSON *item)
{
    //  cJSON prints a lone item without its key.
    char *text = ddc_json_print (item);
    if (text) {
        zchunk_extend (out, text, strlen (text));
        cJSON_free (text);
    }
    else
        zchunk_extend (out, "null", 4);
}

static void
s_key (zchunk_t *out, const char *key)
{
    cJSON *s = cJSON_CreateString (key ? key : "");
    s_scalar (out, s);
    cJSON_Delete (s);
    zchunk_extend (out, ": ", 2);
}

static void
s_pretty (zchunk_t *out, const cJSON *item, int depth)
{
    bool object = cJSON_IsObject (item);
    if (!object && !cJSON_IsArray (item)) {
        s_scalar (out, item);
        return;
    }
    if (!item->child) {
        zchunk_extend (out, object ? "{}" : "[]", 2);
        return;
    }
    zchunk_extend (out, object ? "{\n" : "[\n", 2);
    for (const cJSON *child = item->child; child; child = child->next) {
        s_indent (out, depth + 1);
        if (object)
            s_key (out, child->string);
        s_pretty (out, child, depth + 1);
        zchunk_extend (out, child->next ? ",\n" : "\n", child->next ? 2 : 1);
    }
    s_indent (out, depth);
    zchunk_extend (out, object ? "}" : "]", 1);
}

char *
ctl_json_text (const cJSON *json, bool compact)
{
    if (compact) {
        char *text = ddc_json_print (json);
        char *copy = ddc_strdup (text ? text : "null");
        cJSON_free (text);
        return copy;
    }
    zchunk_t *out = zchunk_new (NULL, 4096);
    s_pretty (out, json, 0);
    char *text = ddc_strndup ((const char *) zchunk_data (out), zchunk_size (out));
    zchunk_destroy (&out);
    return text;
}

int
ctl_json_out (ctl_t *ctl, FILE *stream, const cJSON *json)
{
    char *text = ctl_json_text (json, ctl->compact);
    int rc = fprintf (stream, "%s\n", text) < 0 ? -1 : 0;
    free (text);
    if (fflush (stream) != 0)
        rc = -1;
    return rc;
}
