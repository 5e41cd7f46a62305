/*  ddc_i18n: the locale catalogue. See ddc_i18n.h. */
#include "ddc_i18n.h"

#include "ddc_json.h"
#include "ddc_util.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const ddc_i18n_codes [DDC_LANGS + 1] = {
#define DDC_I18N_CODE(id, code, name) code,
    DDC_I18N_LANGS (DDC_I18N_CODE)
#undef DDC_I18N_CODE
        NULL
};

const char *const ddc_i18n_names [DDC_LANGS + 1] = {
#define DDC_I18N_NAME(id, code, name) name,
    DDC_I18N_LANGS (DDC_I18N_NAME)
#undef DDC_I18N_NAME
        NULL
};

//  One slot of a language's open-addressing hash table; key and text point
//  into that language's cJSON table.
typedef struct {
    uint32_t hash;
    const char *key; //  NULL: empty slot
    const char *text;
} s_slot_t;

typedef struct {
    cJSON *table; //  the locale file, or NULL
    s_slot_t *slots;
    size_t mask;   //  slots - 1 (a power of two)
    bool unusable; //  its compiled-in text failed to load: English instead
} s_lang_t;

//  The tables sit behind a pointer: a lookup through a const catalogue may
//  still load a compiled-in language the first time it is asked for (a
//  cache of what source gives; ddc_i18n_load_builtin).
struct ddc_i18n_t {
    s_lang_t *langs;                  //  [DDC_LANGS]
    const char *(*source) (int lang); //  the compiled-in texts, or NULL
    void (*done) (int lang);          //  told when a text is parsed, or NULL
};

int
ddc_i18n_index (const char *code)
{
    for (int i = 0; code && i < DDC_LANGS; i++)
        if (strcmp (code, ddc_i18n_codes [i]) == 0)
            return i;
    return -1;
}

//  a and b equal up to n bytes, case-insensitive, '_' as '-'
static bool
s_tag_eq (const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = a [i] == '_' ? '-' : tolower ((unsigned char) a [i]);
        int cb = b [i] == '_' ? '-' : tolower ((unsigned char) b [i]);
        if (ca != cb)
            return false;
    }
    return true;
}

//  The language of a tag of n bytes, or -1.
static int
s_match (const char *tag, size_t n)
{
    for (int i = 0; i < DDC_LANGS; i++)
        if (strlen (ddc_i18n_codes [i]) == n && s_tag_eq (tag, ddc_i18n_codes [i], n))
            return i;
    size_t primary = 0;
    while (primary < n && tag [primary] != '-' && tag [primary] != '_')
        primary++;
    if (primary == 0)
        return -1;
    for (int i = 0; i < DDC_LANGS; i++) {
        const char *code = ddc_i18n_codes [i];
        size_t cp = strcspn (code, "-");
        if (cp == primary && s_tag_eq (tag, code, primary))
            return i;
    }
    return -1;
}

int
ddc_i18n_match (const char *tag)
{
    return tag ? s_match (tag, strlen (tag)) : -1;
}

int
ddc_i18n_accept (const char *header)
{
    int best = -1;
    double best_q = 0;
    const char *p = header;
    while (p && *p) {
        size_t n = strcspn (p, ",");
        const char *item = p, *end = p + n;
        p = *end ? end + 1 : end;
        while (item < end && (*item == ' ' || *item == '\t'))
            item++;
        size_t tag = 0;
        while (item + tag < end && item [tag] != ';' && item [tag] != ' ' && item [tag] != '\t')
            tag++;
        double q = 1;
        const char *qs = memchr (item, ';', (size_t) (end - item));
        while (qs && qs < end) {
            qs++;
            while (qs < end && (*qs == ' ' || *qs == '\t'))
                qs++;
            if (end - qs > 2 && (qs [0] == 'q' || qs [0] == 'Q') && qs [1] == '=') {
                char num [8] = { 0 };
                size_t k = 0;
                for (const char *c = qs + 2;
                     c < end && k < sizeof (num) - 1 && (isdigit ((unsigned char) *c) || *c == '.');
                     c++)
                    num [k++] = *c;
                q = k ? strtod (num, NULL) : 0;
            }
            qs = memchr (qs, ';', (size_t) (end - qs));
        }
        int lang = tag ? s_match (item, tag) : -1;
        if (lang >= 0 && q > best_q) {
            best = lang;
            best_q = q;
        }
    }
    return best;
}

ddc_i18n_t *
ddc_i18n_new (void)
{
    ddc_i18n_t *self = ddc_calloc (1, sizeof (ddc_i18n_t));
    self->langs = ddc_calloc (DDC_LANGS, sizeof (s_lang_t));
    return self;
}

static void
s_lang_clear (s_lang_t *l)
{
    cJSON_Delete (l->table);
    free (l->slots);
    memset (l, 0, sizeof (*l));
}

void
ddc_i18n_destroy (ddc_i18n_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    for (int i = 0; i < DDC_LANGS; i++)
        s_lang_clear (&(*self_p)->langs [i]);
    free ((*self_p)->langs);
    free (*self_p);
    *self_p = NULL;
}

//  FNV-1a
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
        const s_slot_t *slot = &l->slots [i];
        if (!slot->key)
            return NULL;
        if (slot->hash == h && strcmp (slot->key, key) == 0)
            return slot->text;
    }
}

//  The hash table of a loaded table: at most half full, so a probe always
//  ends at an empty slot. A key given twice keeps its last text, as cJSON
//  does not (it keeps the first): the completeness test refuses
//  duplicates anyway.
static void
s_build_slots (s_lang_t *l)
{
    size_t n = (size_t) cJSON_GetArraySize (l->table), size = 16;
    while (size < 2 * n)
        size *= 2;
    l->slots = ddc_calloc (size, sizeof (*l->slots));
    l->mask = size - 1;
    const cJSON *each;
    cJSON_ArrayForEach (each, l->table) {
        uint32_t h = s_hash (each->string);
        size_t i = h & l->mask;
        while (l->slots [i].key && strcmp (l->slots [i].key, each->string) != 0)
            i = (i + 1) & l->mask;
        l->slots [i] = (s_slot_t){ h, each->string, each->valuestring };
    }
}

//  Parse a language's JSON text into its table: 0, or -1 with the reason in
//  err (the previous table kept).
static int
s_load (const ddc_i18n_t *self, int lang, const char *json, size_t len, char *err, size_t errlen)
{
    if (lang < 0 || lang >= DDC_LANGS) {
        snprintf (err, errlen, "unknown language");
        return -1;
    }
    char why [120];
    cJSON *t = ddc_json_parse (json, len, SIZE_MAX, why, sizeof (why));
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
    s_lang_t *l = &self->langs [lang];
    s_lang_clear (l);
    l->table = t;
    s_build_slots (l);
    return 0;
}

int
ddc_i18n_load (ddc_i18n_t *self, int lang, const char *json, size_t len, char *err, size_t errlen)
{
    return s_load (self, lang, json, len, err, errlen);
}

int
ddc_i18n_use_source (ddc_i18n_t *self, const char *(*source) (int lang), void (*done) (int lang),
                     char *err, size_t errlen)
{
    const char *en = source (DDC_LANG_en);
    if (s_load (self, DDC_LANG_en, en, strlen (en), err, errlen) < 0)
        return -1;
    self->source = source;
    self->done = done;
    if (done)
        done (DDC_LANG_en);
    return 0;
}

//  The language lang (a valid index), its compiled-in text loaded on
//  first use when the catalogue has a source.
static const s_lang_t *
s_lang (const ddc_i18n_t *self, int lang)
{
    s_lang_t *l = &self->langs [lang];
    if (!l->table && !l->unusable && self->source) {
        const char *json = self->source (lang);
        char why [160];
        if (!json || s_load (self, lang, json, strlen (json), why, sizeof (why)) < 0)
            l->unusable = true;
        if (json && self->done)
            self->done (lang);
    }
    return l;
}

const char *
ddc_i18n_find (const ddc_i18n_t *self, int lang, const char *key)
{
    if (!key)
        return NULL;
    const char *s = lang > 0 && lang < DDC_LANGS ? s_lookup (s_lang (self, lang), key) : NULL;
    return s ? s : s_lookup (&self->langs [0], key);
}

const char *
ddc_i18n_get (const ddc_i18n_t *self, int lang, const char *key)
{
    if (!key)
        return "";
    const char *s = ddc_i18n_find (self, lang, key);
    return s ? s : key;
}

const cJSON *
ddc_i18n_table (const ddc_i18n_t *self, int lang)
{
    return lang >= 0 && lang < DDC_LANGS ? s_lang (self, lang)->table : NULL;
}

bool
ddc_i18n_loaded (const ddc_i18n_t *self, int lang)
{
    return lang >= 0 && lang < DDC_LANGS && self->langs [lang].table;
}

void
ddc_i18n_unload (ddc_i18n_t *self, int lang)
{
    if (lang > 0 && lang < DDC_LANGS)
        s_lang_clear (&self->langs [lang]);
}

char *
ddc_i18n_fmt (const ddc_i18n_t *self, char *buf, size_t size, int lang, const char *key,
              const char *const *args, int nargs)
{
    if (!size)
        return buf;
    const char *text = ddc_i18n_get (self, lang, key);
    size_t used = 0;
    for (const char *p = text; *p && used + 1 < size; p++) {
        if (p [0] == '{' && p [1] >= '0' && p [1] <= '9' && p [2] == '}') {
            int i = p [1] - '0';
            const char *arg = i < nargs && args [i] ? args [i] : "";
            size_t n = strlen (arg);
            if (n > size - 1 - used)
                n = size - 1 - used;
            memcpy (buf + used, arg, n);
            used += n;
            p += 2;
            continue;
        }
        buf [used++] = *p;
    }
    //  do not end inside a UTF-8 sequence
    if (used + 1 >= size) {
        while (used > 0 && ((unsigned char) buf [used - 1] & 0xc0) == 0x80)
            used--;
        if (used > 0 && ((unsigned char) buf [used - 1] & 0xc0) == 0xc0)
            used--;
    }
    buf [used] = '\0';
    return buf;
}

//  The placeholders {0}..{9} of a text as a bit set.
static unsigned
s_placeholders (const char *text)
{
    unsigned set = 0;
    for (const char *p = text; *p; p++)
        if (p [0] == '{' && p [1] >= '0' && p [1] <= '9' && p [2] == '}')
            set |= 1u << (p [1] - '0');
    return set;
}

//  The number of HTML tags the texts use (<code>, </strong>, <br> ...) in
//  a text; "<container>" in a bot text is a word, not a tag.
static size_t
s_tags (const char *text)
{
    static const char *const tags [] = { "a",   "b", "br",   "code",   "em", "i",
                                         "kbd", "p", "span", "strong", NULL };
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p != '<')
            continue;
        const char *name = p + 1 + (p [1] == '/');
        size_t len = 0;
        while (isalnum ((unsigned char) name [len]))
            len++;
        if (name [len] != '>' && name [len] != ' ')
            continue;
        for (int i = 0; tags [i]; i++)
            if (strlen (tags [i]) == len && strncmp (name, tags [i], len) == 0)
                n++;
    }
    return n;
}

size_t
ddc_i18n_check (const ddc_i18n_t *self, int lang, FILE *report)
{
    const char *code = lang >= 0 && lang < DDC_LANGS ? ddc_i18n_codes [lang] : "?";
    const cJSON *en = self->langs [0].table;
    const cJSON *t = ddc_i18n_table (self, lang);
    if (!en || !t) {
        if (report)
            fprintf (report, "%s: not loaded\n", en ? code : "en");
        return 1;
    }
    size_t problems = 0;
    const cJSON *each;
    cJSON_ArrayForEach (each, en) {
        const char *text = s_lookup (&self->langs [lang], each->string);
        if (!text) {
            if (report)
                fprintf (report, "%s.json lacks \"%s\" (English: \"%s\")\n", code, each->string,
                         each->valuestring);
            problems++;
        }
        else if (s_placeholders (text) != s_placeholders (each->valuestring)) {
            if (report)
                fprintf (report, "%s.json \"%s\": other placeholders than English (\"%s\")\n", code,
                         each->string, each->valuestring);
            problems++;
        }
        else if (s_tags (text) != s_tags (each->valuestring)) {
            if (report)
                fprintf (report, "%s.json \"%s\": other HTML tags than English (\"%s\")\n", code,
                         each->string, each->valuestring);
            problems++;
        }
    }
    cJSON_ArrayForEach (each, t) {
        const char *mine = s_lookup (&self->langs [lang], each->string);
        if (!s_lookup (&self->langs [0], each->string)) {
            if (report)
                fprintf (report, "%s.json has \"%s\", which en.json lacks\n", code, each->string);
            problems++;
        }
        else if (mine != each->valuestring) {
            if (report)
                fprintf (report, "%s.json has \"%s\" twice\n", code, each->string);
            problems++;
        }
    }
    return problems;
}
