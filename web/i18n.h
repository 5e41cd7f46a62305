/*  i18n: the UI strings of ddc-web, from the catalogue shared with
    ddc-discord (services/lib/ddc_i18n.h: services/locale/<code>.json,
    compiled in). The language follows web.ui_language live; a key
    missing in a language falls back to English, one missing everywhere
    to the key itself. Texts are trusted HTML (they may hold <code>);
    arguments substituted with ddc_buf_tmpl are escaped. This layer adds
    what only the web needs: languages named by code, and the strings
    app.js gets. Keys starting with "js." are handed to app.js (without
    the prefix), and so are the "state." and "gateway." keys (the
    container and Discord gateway states the live view updates), with
    theirs; that table is built per language at its first use, as the
    catalogue loads a language (English at once). Kore-free. */
#ifndef WEB_I18N_H
#define WEB_I18N_H

#include "ddc_i18n.h"

#include <cJSON.h>
#include <stddef.h>

typedef struct i18n_t i18n_t;

i18n_t *i18n_new (void);
void i18n_destroy (i18n_t **self_p);

//  Load one language from its JSON text: 0, or -1 with a reason in err
//  (an unknown language, not an object, a value that is not a string).
//  A failed load keeps the previous table.
int i18n_load (i18n_t *self, const char *lang, const char *json, size_t len, char *err,
               size_t errlen);
//  Use the languages compiled in (English at once, the others at their
//  first use): 0, or -1 with a reason in err.
int i18n_load_builtin (i18n_t *self, char *err, size_t errlen);

//  The text of key in lang (borrowed), with the fallbacks above.
const char *i18n_get (const i18n_t *self, const char *lang, const char *key);
//  The same without the last fallback: NULL when no language has key.
const char *i18n_find (const i18n_t *self, const char *lang, const char *key);
//  The language code for a ui_language value (a code of the catalogue;
//  anything else: "en").
const char *i18n_lang (const char *ui_language);
//  The loaded table of lang (borrowed), or NULL.
const cJSON *i18n_table (const i18n_t *self, const char *lang);
//  The strings app.js gets in lang (English filling the gaps) as one JSON
//  object text (borrowed; "{}" when nothing is loaded).
const char *i18n_script_json (const i18n_t *self, const char *lang);

#endif
