/*  i18n: every user-visible text of the bot, from the locale catalogue
    shared with ddc-web (services/lib/ddc_i18n.h: services/locale/<code>.json,
    compiled in): English parsed by i18n_init, every other language the
    first time a text of it is asked for. A missing key falls back to
    English, then to the key itself; {0}..{9} in a text are replaced by
    arguments. The language is a per-call argument, so bot.language
    switches live. No I/O after init. */
#ifndef DDC_DISCORD_I18N_H
#define DDC_DISCORD_I18N_H

#include "ddc_i18n.h"

#include <stdbool.h>
#include <stddef.h>

//  A language of the catalogue (ddc_i18n.h's order; LANG_EN is 0).
typedef enum { LANG_EN = DDC_LANG_en, LANG_DE = DDC_LANG_de, LANG_COUNT = DDC_LANGS } lang_t;

//  Parse the compiled-in English table (the others follow on first use).
//  0, or -1 if it is not a JSON object of strings (a build problem).
//  Idempotent.
int i18n_init (void);
void i18n_shutdown (void);
//  The language of a code of the catalogue ("de" -> LANG_DE); anything
//  else -> LANG_EN.
lang_t i18n_lang (const char *code);
const char *i18n_code (lang_t lang);
//  The text of key (static for the process lifetime, unless lang is
//  dropped by i18n_unload).
const char *i18n_get (lang_t lang, const char *key);
//  Whether lang's table is parsed (asked for since the start).
bool i18n_loaded (lang_t lang);
//  Drop lang's table again (never English's): for a language parsed only
//  to copy texts of it (the commands' localizations), whose texts no one
//  keeps. It is parsed again when asked for.
void i18n_unload (lang_t lang);
//  The text of key with {0}.. replaced by the NULL-terminated string
//  arguments, into buf (truncated, NUL-terminated). Returns buf.
char *i18n_fmt (char *buf, size_t size, lang_t lang, const char *key, ...)
    __attribute__ ((sentinel));
//  The loaded catalogue (tests; NULL before i18n_init).
const ddc_i18n_t *i18n_catalogue (void);

#endif
