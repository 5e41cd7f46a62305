/*  i18n: the web's view of the locale catalogue. See i18n.h. */
#include "i18n.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <stdlib.h>
#include <string.h>

//  The script tables are made the first time a language's is asked for
//  (behind a pointer, so that i18n_script_json can fill them in).
struct i18n_t {
    ddc_i18n_t *cat;
    char **script; //  [DDC_LANGS]: i18n_script_json, per language, or NULL
};

i18n_t *
i18n_new (void)
{
    i18n_t *self = ddc_calloc (1, sizeof (i18n_t));
    self->cat = ddc_i18n_new ();
    self->script = ddc_calloc (DDC_LANGS, sizeof (char *));
    return self;
}

void
i18n_destroy (i18n_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    i18n_t *self = *self_p;
    for (int i = 0; i < DDC_LANGS; i++)
        free (self->script [i]);
    free (self->script);
    ddc_i18n_destroy (&self->cat);
    free (self);
    *self_p = NULL;
}

//  The key as app.js knows it, or NULL when the script does not get it.
static const char *
s_script_key (const char *key)
{
    if (strncmp (key, "js.", 3) == 0)
        return key + 3;
    if (strncmp (key, "state.", 6) == 0 || strncmp (key, "gateway.", 8) == 0)
        return key;
    return NULL;
}

//  The script's strings of language i: English, then its own over them.
static char *
s_build_script (const i18n_t *self, int i)
{
    cJSON *out = cJSON_CreateObject ();
    const cJSON *tables [2] = { ddc_i18n_table (self->cat, 0), ddc_i18n_table (self->cat, i) };
    for (int t = 0; t < 2; t++) {
        const cJSON *each;
        cJSON_ArrayForEach (each, tables [t]) {
            const char *key = s_script_key (each->string);
            if (!key)
                continue;
            cJSON_DeleteItemFromObjectCaseSensitive (out, key);
            cJSON_AddStringToObject (out, key, each->valuestring);
        }
    }
    char *json = ddc_json_print (out);
    cJSON_Delete (out);
    return json ? json : ddc_strdup ("{}");
}

//  English fills every language's gaps: a new table makes every script
//  table again (on its next use).
static void
s_forget_scripts (i18n_t *self)
{
    for (int k = 0; k < DDC_LANGS; k++) {
        free (self->script [k]);
        self->script [k] = NULL;
    }
}

int
i18n_load (i18n_t *self, const char *lang, const char *json, size_t len, char *err, size_t errlen)
{
    if (ddc_i18n_load (self->cat, ddc_i18n_index (lang), json, len, err, errlen) < 0)
        return -1;
    s_forget_scripts (self);
    return 0;
}

int
i18n_load_builtin (i18n_t *self, char *err, size_t errlen)
{
    int rc = ddc_i18n_load_builtin (self->cat, err, errlen);
    s_forget_scripts (self);
    return rc;
}

const char *
i18n_lang (const char *ui_language)
{
    int i = ddc_i18n_index (ui_language);
    return ddc_i18n_codes [i < 0 ? 0 : i];
}

const char *
i18n_find (const i18n_t *self, const char *lang, const char *key)
{
    return ddc_i18n_find (self->cat, ddc_i18n_index (lang), key);
}

const char *
i18n_get (const i18n_t *self, const char *lang, const char *key)
{
    return ddc_i18n_get (self->cat, ddc_i18n_index (lang), key);
}

const cJSON *
i18n_table (const i18n_t *self, const char *lang)
{
    return ddc_i18n_table (self->cat, ddc_i18n_index (lang));
}

const char *
i18n_script_json (const i18n_t *self, const char *lang)
{
    int i = ddc_i18n_index (lang);
    if (i < 0 || !ddc_i18n_table (self->cat, i))
        i = 0;
    if (!self->script [i] && ddc_i18n_table (self->cat, i))
        self->script [i] = s_build_script (self, i);
    return self->script [i] ? self->script [i] : "{}";
}
