/*  i18n: every user-visible text of the bot, in English and German. Owns
    the locale tables: services/discord/locale/en.json and de.json are
    compiled into the program (assembler .incbin, paths relative to the
    top of the source tree, where make runs) and parsed once by i18n_init.
    A missing key falls back to English, then to the key itself; {0}..{9}
    in a text are replaced by arguments. The language is a per-call
    argument, so bot.language switches live. No I/O after init. */
#ifndef DDC_DISCORD_I18N_H
#define DDC_DISCORD_I18N_H

#include <stddef.h>

typedef enum { LANG_EN, LANG_DE, LANG_COUNT } lang_t;

/* Parse the compiled-in tables. 0, or -1 if a table is not a JSON object
   of strings (a build problem). Idempotent. */
int i18n_init (void);
void i18n_shutdown (void);
/* "de" -> LANG_DE; anything else -> LANG_EN. */
lang_t i18n_lang (const char *code);
const char *i18n_code (lang_t lang);
/* The text of key (static for the process lifetime). */
const char *i18n_get (lang_t lang, const char *key);
/* The text of key with {0}.. replaced by the NULL-terminated string
   arguments, into buf (truncated, NUL-terminated). Returns buf. */
char *i18n_fmt (char *buf, size_t size, lang_t lang, const char *key, ...)
    __attribute__ ((sentinel));
/* Keys of English missing in lang (tests). */
size_t i18n_missing (lang_t lang);
/* The raw compiled-in JSON of a language (tests). */
const char *i18n_source (lang_t lang);

#endif
