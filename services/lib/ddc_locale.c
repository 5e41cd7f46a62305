/*  ddc_locale: the locale files services/locale/<code>.json compiled into
    the program (assembler .incbin, paths relative to the top of the
    source tree, where every build runs; the Makefile rebuilds this file
    when one changes), and their loading into a catalogue. Apart from
    ddc_i18n.c so that only the programs that show texts (ddc-web,
    ddc-discord) carry them. A language's text is parsed the first time it
    is asked for: a process keeps only the tables it uses, and each text
    starts a page of its own so that its pages are given back once parsed
    (madvise: read from the program file again if needed). See
    ddc_i18n.h. */
#include "ddc_i18n.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DDC_LOCALE_ASM(id, code, name)                \
    "    .balign 4096\n"                              \
    "    .globl ddc_locale_" #id "\n"                 \
    "    .hidden ddc_locale_" #id "\n"                \
    "ddc_locale_" #id ":\n"                           \
    "    .incbin \"services/locale/" code ".json\"\n" \
    "    .byte 0\n"
__asm__("    .pushsection .rodata\n" DDC_I18N_LANGS (DDC_LOCALE_ASM) "    .balign 4096\n"
                                                                     "    .popsection\n");
#undef DDC_LOCALE_ASM

#define DDC_LOCALE_DECL(id, code, name) \
    extern const char ddc_locale_##id [] __attribute__ ((visibility ("hidden")));
DDC_I18N_LANGS (DDC_LOCALE_DECL)
#undef DDC_LOCALE_DECL

static const char *const s_sources [DDC_LANGS] = {
#define DDC_LOCALE_SRC(id, code, name) ddc_locale_##id,
    DDC_I18N_LANGS (DDC_LOCALE_SRC)
#undef DDC_LOCALE_SRC
};

const char *
ddc_locale_source (int lang)
{
    return lang >= 0 && lang < DDC_LANGS ? s_sources [lang] : NULL;
}

//  A language's text is parsed: give its pages back (each text has pages of
//  its own; they are read from the program file again if asked for).
static void
s_done (int lang)
{
    const char *text = ddc_locale_source (lang);
    if (!text)
        return;
    long page = sysconf (_SC_PAGESIZE);
    size_t len = strlen (text) + 1;
    if (page <= 0 || (uintptr_t) text % (uintptr_t) page)
        return;
    len = (len + (size_t) page - 1) / (size_t) page * (size_t) page;
    madvise ((void *) text, len, MADV_DONTNEED);
}

int
ddc_i18n_load_builtin (ddc_i18n_t *self, char *err, size_t errlen)
{
    char why [160];
    if (ddc_i18n_use_source (self, ddc_locale_source, s_done, why, sizeof (why)) < 0) {
        snprintf (err, errlen, "services/locale/en.json: %s", why);
        return -1;
    }
    return 0;
}
