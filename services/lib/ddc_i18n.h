/*  ddc_i18n: the locale catalogue of ddc-web and ddc-discord. Every
    user-visible text of both lives in services/locale/<code>.json, one
    flat JSON object (key -> text) per language; the keys of both
    services share one namespace (see README "Languages"). This module
    owns the list of languages, loads a language's table from its JSON
    text into a hash table (a lookup is one hash and almost always one
    string compare), and looks texts up: a key missing in a language
    falls back to English, one missing everywhere to the key itself.
    {0}..{9} in a text are placeholders (ddc_i18n_fmt fills them).
    ddc_locale.c compiles the files in (ddc_i18n_load_builtin: English at
    once, every other language at its first lookup, so a process holds
    only the languages it shows); this file holds no texts, so the
    configuration can check language codes without carrying the
    catalogue. No I/O. */
#ifndef DDC_I18N_H
#define DDC_I18N_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

//  The languages: code (the file name, the config value; as Discord and
//  browsers name it) and the name of the language in itself (UTF-8).
//  English is first: it is the fallback.
#define DDC_I18N_LANGS(X)                                      \
    X (en, "en", "English")                                    \
    X (de, "de", "Deutsch")                                    \
    X (fr, "fr", "Fran\u00e7ais")                              \
    X (es, "es", "Espa\u00f1ol")                               \
    X (it, "it", "Italiano")                                   \
    X (nl, "nl", "Nederlands")                                 \
    X (pl, "pl", "Polski")                                     \
    X (pt_BR, "pt-BR", "Portugu\u00eas (Brasil)")              \
    X (ru, "ru", "\u0420\u0443\u0441\u0441\u043a\u0438\u0439") \
    X (sv, "sv", "Svenska")                                    \
    X (tr, "tr", "T\u00fcrk\u00e7e")                           \
    X (zh_CN, "zh-CN", "\u7b80\u4f53\u4e2d\u6587")

enum {
#define DDC_I18N_ENUM(id, code, name) DDC_LANG_##id,
    DDC_I18N_LANGS (DDC_I18N_ENUM)
#undef DDC_I18N_ENUM
        DDC_LANGS
};

//  The language codes in the order above, NULL-terminated.
extern const char *const ddc_i18n_codes [DDC_LANGS + 1];
//  The language names (endonyms), in the same order.
extern const char *const ddc_i18n_names [DDC_LANGS + 1];

//  The index of an exact language code, or -1.
int ddc_i18n_index (const char *code);
//  The index of the language a BCP 47-like tag asks for ("fr", "es-ES",
//  "pt-BR", "zh-CN", "sv-SE", case-insensitive, '_' as '-'), or -1: an
//  exact code, else the primary subtag ("fr-CA" -> fr, "pt-PT" -> pt-BR,
//  "zh-TW" -> zh-CN).
int ddc_i18n_match (const char *tag);
//  The best language of an HTTP Accept-Language value (quality values
//  honoured, q=0 excluded), or -1 when it names none of ours.
int ddc_i18n_accept (const char *header);

typedef struct ddc_i18n_t ddc_i18n_t;

ddc_i18n_t *ddc_i18n_new (void);
void ddc_i18n_destroy (ddc_i18n_t **self_p);

//  Load language lang from its JSON text: 0, or -1 with a reason in err
//  (not an object, a value that is not a string); a failed load keeps the
//  previous table.
int ddc_i18n_load (ddc_i18n_t *self, int lang, const char *json, size_t len, char *err,
                   size_t errlen);
//  Take the languages from source (the NUL-terminated JSON text of a
//  language, or NULL): English at once (0, or -1 with the reason in err
//  and nothing changed), every other language the first time a lookup or
//  ddc_i18n_table asks for it. A language whose text fails to load then
//  stays English (the completeness test checks every compiled-in file).
//  done (may be NULL) is told each language whose text was parsed.
int ddc_i18n_use_source (ddc_i18n_t *self, const char *(*source) (int lang),
                         void (*done) (int lang), char *err, size_t errlen);
//  ddc_i18n_use_source with the languages compiled in (ddc_locale.c): 0,
//  or -1 with the file and reason in err.
int ddc_i18n_load_builtin (ddc_i18n_t *self, char *err, size_t errlen);
//  The compiled-in JSON text of a language (NUL-terminated; tests).
const char *ddc_locale_source (int lang);
//  For a process that parses no language (Kore's parent of ddc-web): the
//  compiled-in texts' pages given back and kept from being mapped with the
//  pages around them (when the program file is in the page cache, a fault
//  next to them mapped all 560 KB of them).
void ddc_locale_release (void);

//  The text of key in lang (borrowed; English when lang lacks it), or
//  NULL when no table has key.
const char *ddc_i18n_find (const ddc_i18n_t *self, int lang, const char *key);
//  The same, with key itself as the last fallback ("" for NULL).
const char *ddc_i18n_get (const ddc_i18n_t *self, int lang, const char *key);
//  The table of lang (borrowed; loaded from the source if not yet), or
//  NULL.
const cJSON *ddc_i18n_table (const ddc_i18n_t *self, int lang);
//  Whether lang's table is loaded (tests: the source loads on first use).
bool ddc_i18n_loaded (const ddc_i18n_t *self, int lang);
//  Drop lang's table (never English's, the fallback): its memory is freed
//  and the source loads it again the next time it is asked for. Texts of
//  lang borrowed before are gone with it.
void ddc_i18n_unload (ddc_i18n_t *self, int lang);
//  The text of key with {0}..{9} replaced by args[0..nargs) ("" beyond),
//  into buf (truncated at a UTF-8 boundary, NUL-terminated). Returns buf.
char *ddc_i18n_fmt (const ddc_i18n_t *self, char *buf, size_t size, int lang, const char *key,
                    const char *const *args, int nargs);

//  Compare language lang with English: every key of either missing in the
//  other, and every text whose placeholders ({0}..{9}) differ from
//  English, one line each on report (when not NULL). Returns the number of
//  problems (0: complete).
size_t ddc_i18n_check (const ddc_i18n_t *self, int lang, FILE *report);

#endif
