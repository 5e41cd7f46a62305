/*  i18n: locale tables. See i18n.h. */
#include "i18n.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_LANGS 2

static const char *const s_lang_codes[S_LANGS] = { "en", "de" };

/* One slot of a language's open-addressing hash table; key and text point
   into that language's cJSON table. */
typedef struct {
    uint32_t hash;
    const char *key;                    /* NULL: empty slot */
    const char *text;
} s_slot_t;

typedef struct {
    cJSON *table;                       /* the locale file, or NULL */
    s_slot_t *slots;
    size_t mask;                        /* slots - 1 (a power of two) */
    char *script;                       /* i18n_script_json */
} s_lang_t;

struct i18n_t {
    s_lang_t langs[S_LANGS];
};

i18n_t *
i18n_new (void)
{
    return ddc_calloc (1, sizeof (i18n_t));
}

static void
s_lang_clear (s_lang_t *l)
{
    cJSON_Delete (l->table);
    free (l->slots);
    free (l->script);
    memset (l, 0, sizeof *l);
}

void
i18n_destroy (i18n_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (int i = 0; i < S_LANGS; i++)
        s_lang_clear (&(*self_p)->langs[i]);
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

/* FNV-1a */
static uint32_t
s_hash (const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *) key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static const char *
s_lookup (const s_lang_t *l, const char *key)
{
    if (!l->slots)
        return NULL;
    uint32_t h = s_hash (key);
    for (size_t i = h & l->mask;; i = (i + 1) & l->mask) {
        const s_slot_t *slot = &l->slots[i];
        if (!slot->key)
            return NULL;
        if (slot->hash == h && strcmp (slot->key, key) == 0)
            return slot->text;
    }
}

/* The hash table of a loaded table: at most half full, so a probe always
   ends at an empty slot. A key given twice keeps its last text, as cJSON
   does not (it keeps the first): the file has no duplicates anyway. */
static void
s_build_slots (s_lang_t *l)
{
    size_t n = (size_t) cJSON_GetArraySize (l->table), size = 16;
    while (size < 2 * n)
        size *= 2;
    l->slots = ddc_calloc (size, sizeof *l->slots);
    l->mask = size - 1;
    const cJSON *each;
    cJSON_ArrayForEach (each, l->table) {
        uint32_t h = s_hash (each->string);
        size_t i = h & l->mask;
        while (l->slots[i].key && strcmp (l->slots[i].key, each->string) != 0)
            i = (i + 1) & l->mask;
        l->slots[i] = (s_slot_t) { h, each->string, each->valuestring };
    }
}

/* The key as app.js knows it, or NULL when the script does not get it. */
static const char *
s_script_key (const char *key)
{
    if (strncmp (key, "js.", 3) == 0)
        return key + 3;
    if (strncmp (key, "state.", 6) == 0 || strncmp (key, "gateway.", 8) == 0)
        return key;
    return NULL;
}

/* The script's strings of language i: English, then its own over them. */
static char *
s_build_script (const i18n_t *self, int i)
{
    cJSON *out = cJSON_CreateObject ();
    const cJSON *tables[2] = { self->langs[0].table, self->langs[i].table };
    for (int t = 0; t < 2; t++) {
        const cJSON *each;
        cJSON_ArrayForEach (each, tables[t]) {
            const char *key = s_script_key (each->string);
            if (!key)
                continue;
            cJSON_DeleteItemFromObjectCaseSensitive (out, key);
            cJSON_AddStringToObject (out, key, each->valuestring);
        }
    }
    char *json = cJSON_PrintUnformatted (out);
    cJSON_Delete (out);
    return json ? json : ddc_strdup ("{}");
}

int
i18n_load (i18n_t *self, const char *lang, const char *json, size_t len, char *err, size_t errlen)
{
    int i = s_index (lang);
    if (i < 0) {
        snprintf (err, errlen, "unknown language");
        return -1;
    }
    char why[120];
    cJSON *t = ddc_json_parse (json, len, SIZE_MAX, why, sizeof why);
    if (!t) {
        snprintf (err, errlen, "the locale file is not valid JSON: %s", why);
        return -1;
    }
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
    s_lang_t *l = &self->langs[i];
    s_lang_clear (l);
    l->table = t;
    s_build_slots (l);
    /* English fills every language's gaps: rebuild every script table */
    for (int k = 0; k < S_LANGS; k++) {
        if (!self->langs[k].table)
            continue;
        free (self->langs[k].script);
        self->langs[k].script = s_build_script (self, k);
    }
    return 0;
}

const char *
i18n_lang (const char *ui_language)
{
    return ui_language && strcmp (ui_language, "de") == 0 ? "de" : "en";
}

const char *
i18n_find (const i18n_t *self, const char *lang, const char *key)
{
    if (!key)
        return NULL;
    int i = s_index (lang);
    const char *s = i > 0 ? s_lookup (&self->langs[i], key) : NULL;
    return s ? s : s_lookup (&self->langs[0], key);
}

const char *
i18n_get (const i18n_t *self, const char *lang, const char *key)
{
    if (!key)
        return "";
    const char *s = i18n_find (self, lang, key);
    return s ? s : key;
}

const cJSON *
i18n_table (const i18n_t *self, const char *lang)
{
    int i = s_index (lang);
    return i >= 0 ? self->langs[i].table : NULL;
}

const char *
i18n_script_json (const i18n_t *self, const char *lang)
{
    int i = s_index (lang);
    const char *json = i >= 0 ? self->langs[i].script : NULL;
    if (!json)
        json = self->langs[0].script;
    return json ? json : "{}";
}
