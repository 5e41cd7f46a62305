/*  i18n: locale tables. See i18n.h. */
#include "i18n.h"

#include "ddc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_LANGS 2

static const char *const s_lang_codes[S_LANGS] = { "en", "de" };

struct i18n_t {
    cJSON *tables[S_LANGS];
};

i18n_t *
i18n_new (void)
{
    return ddc_calloc (1, sizeof (i18n_t));
}

void
i18n_destroy (i18n_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (int i = 0; i < S_LANGS; i++)
        cJSON_Delete ((*self_p)->tables[i]);
    free (*self_p);
    *self_p = NULL;
}

static int
s_index (const char *lang)
{
    for (int i = 0; i < S_LANGS; i++)
        if (lang && strcmp (lang, s_lang_codes[i]) == 0)
            return i;
    return -1;
}

int
i18n_load (i18n_t *self, const char *lang, const char *json, size_t len, char *err, size_t errlen)
{
    int i = s_index (lang);
    if (i < 0) {
        snprintf (err, errlen, "unknown language");
        return -1;
    }
    cJSON *t = cJSON_ParseWithLength (json, len);
    if (!cJSON_IsObject (t)) {
        snprintf (err, errlen, "the locale file is not a JSON object");
        cJSON_Delete (t);
        return -1;
    }
    const cJSON *each;
    cJSON_ArrayForEach (each, t) {
        if (!cJSON_IsString (each)) {
            snprintf (err, errlen, "the locale key %.80s is not a string", each->string);
            cJSON_Delete (t);
            return -1;
        }
    }
    cJSON_Delete (self->tables[i]);
    self->tables[i] = t;
    return 0;
}

const char *
i18n_lang (const char *ui_language)
{
    return ui_language && strcmp (ui_language, "de") == 0 ? "de" : "en";
}

const char *
i18n_get (const i18n_t *self, const char *lang, const char *key)
{
    if (!key)
        return "";
    int i = s_index (lang);
    if (i >= 0 && self->tables[i]) {
        const char *s = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (self->tables[i], key));
        if (s)
            return s;
    }
    if (self->tables[0]) {
        const char *s = cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (self->tables[0], key));
        if (s)
            return s;
    }
    return key;
}

const cJSON *
i18n_table (const i18n_t *self, const char *lang)
{
    int i = s_index (lang);
    return i >= 0 ? self->tables[i] : NULL;
}
