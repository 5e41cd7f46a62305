/*  i18n: the bot's view of the locale catalogue. See i18n.h. */
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>

static ddc_i18n_t *s_catalogue;

int
i18n_init (void)
{
    if (s_catalogue)
        return 0;
    ddc_i18n_t *cat = ddc_i18n_new ();
    char err [200];
    if (ddc_i18n_load_builtin (cat, err, sizeof (err)) < 0) {
        fprintf (stderr, "ddc-discord: %s\n", err);
        ddc_i18n_destroy (&cat);
        return -1;
    }
    s_catalogue = cat;
    return 0;
}

void
i18n_shutdown (void)
{
    ddc_i18n_destroy (&s_catalogue);
}

const ddc_i18n_t *
i18n_catalogue (void)
{
    return s_catalogue;
}

lang_t
i18n_lang (const char *code)
{
    int i = ddc_i18n_index (code);
    return i < 0 ? LANG_EN : (lang_t) i;
}

const char *
i18n_code (lang_t lang)
{
    return (int) lang >= 0 && lang < LANG_COUNT ? ddc_i18n_codes [lang] : "en";
}

const char *
i18n_get (lang_t lang, const char *key)
{
    return s_catalogue ? ddc_i18n_get (s_catalogue, (int) lang, key) : key;
}

bool
i18n_loaded (lang_t lang)
{
    return s_catalogue && ddc_i18n_loaded (s_catalogue, (int) lang);
}

void
i18n_unload (lang_t lang)
{
    if (s_catalogue)
        ddc_i18n_unload (s_catalogue, (int) lang);
}

char *
i18n_fmt (char *buf, size_t size, lang_t lang, const char *key, ...)
{
    const char *args [10];
    int nargs = 0;
    va_list ap;
    va_start (ap, key);
    const char *a;
    while (nargs < 10 && (a = va_arg (ap, const char *)))
        args [nargs++] = a;
    va_end (ap);
    if (!s_catalogue) {
        snprintf (buf, size, "%s", key);
        return buf;
    }
    return ddc_i18n_fmt (s_catalogue, buf, size, (int) lang, key, args, nargs);
}
