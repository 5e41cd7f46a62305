/*  i18n: the compiled-in locale tables. See i18n.h. */
#include "i18n.h"

#include "ddc_json.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

//  The locale files, embedded as NUL-terminated bytes. The paths are
//  relative to the top of the tree, where every build runs.
__asm__ (
    "    .pushsection .rodata\n"
    "    .globl ddc_locale_en\n"
    "    .hidden ddc_locale_en\n"
    "ddc_locale_en:\n"
    "    .incbin \"services/discord/locale/en.json\"\n"
    "    .byte 0\n"
    "    .globl ddc_locale_de\n"
    "    .hidden ddc_locale_de\n"
    "ddc_locale_de:\n"
    "    .incbin \"services/discord/locale/de.json\"\n"
    "    .byte 0\n"
    "    .popsection\n");

extern const char ddc_locale_en [] __attribute__ ((visibility ("hidden")));
extern const char ddc_locale_de [] __attribute__ ((visibility ("hidden")));

static cJSON *s_tables [LANG_COUNT];

int
i18n_init (void)
{
    const char *src [LANG_COUNT] = { ddc_locale_en, ddc_locale_de };
    for (int i = 0; i < LANG_COUNT; i++) {
        if (s_tables [i])
            continue;
        cJSON *t = ddc_json_parse (src [i], strlen (src [i]), SIZE_MAX, NULL, 0);
        if (!cJSON_IsObject (t)) {
            cJSON_Delete (t);
            return -1;
        }
        for (const cJSON *e = t->child; e; e = e->next)
            if (!cJSON_IsString (e)) {
                cJSON_Delete (t);
                return -1;
            }
        s_tables [i] = t;
    }
    return 0;
}

void
i18n_shutdown (void)
{
    for (int i = 0; i < LANG_COUNT; i++) {
        cJSON_Delete (s_tables [i]);
        s_tables [i] = NULL;
    }
}

lang_t
i18n_lang (const char *code)
{
    return code && strcmp (code, "de") == 0 ? LANG_DE : LANG_EN;
}

const char *
i18n_code (lang_t lang)
{
    return lang == LANG_DE ? "de" : "en";
}

const char *
i18n_source (lang_t lang)
{
    return lang == LANG_DE ? ddc_locale_de : ddc_locale_en;
}

const char *
i18n_get (lang_t lang, const char *key)
{
    if ((int) lang < 0 || lang >= LANG_COUNT)
        lang = LANG_EN;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive (s_tables [lang], key);
    if (!cJSON_IsString (v))
        v = cJSON_GetObjectItemCaseSensitive (s_tables [LANG_EN], key);
    return cJSON_IsString (v) ? v->valuestring : key;
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
    if (!size)
        return buf;
    const char *text = i18n_get (lang, key);
    size_t used = 0;
    for (const char *p = text; *p && used + 1 < size; p++) {
        if (p [0] == '{' && p [1] >= '0' && p [1] <= '9' && p [2] == '}') {
            int i = p [1] - '0';
            const char *arg = i < nargs ? args [i] : "";
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
    //  Do not end inside a UTF-8 sequence.
    if (used + 1 >= size) {
        while (used > 0 && ((unsigned char) buf [used - 1] & 0xc0) == 0x80)
            used--;
        if (used > 0 && ((unsigned char) buf [used - 1] & 0xc0) == 0xc0)
            used--;
    }
    buf [used] = '\0';
    return buf;
}

size_t
i18n_missing (lang_t lang)
{
    size_t n = 0;
    for (const cJSON *e = s_tables [LANG_EN] ? s_tables [LANG_EN]->child : NULL; e; e = e->next)
        if (!cJSON_GetObjectItemCaseSensitive (s_tables [lang], e->string))
            n++;
    return n;
}
