/*  ddc_locale: the locale files services/locale/<code>.json compiled into
    the program (assembler .incbin, paths relative to the top of the
    source tree, where every build runs; the Makefile rebuilds this file
    when one changes), and their loading into a catalogue. Apart from
    ddc_i18n.c so that only the programs that show texts (ddc-web,
    ddc-discord) carry them. A language's text is parsed the first time it
    is asked for: a process keeps only the tables it uses. The texts lie
    in pages of their own, a mapping of their own (madvise MADV_RANDOM
    splits it off the rest of the program's read-only data: the kernel,
    on a fault, maps the cached pages around the one asked for, up to 64
    KB, but only within one mapping), and once a text is parsed all of
    them are given back (madvise MADV_DONTNEED; read from the program file
    again if needed): parsing one text maps its neighbours' pages too. See
    ddc_i18n.h. */
#include "ddc_i18n.h"

#include <stdbool.h>
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
                                                                     "    .globl ddc_locale_end\n"
                                                                     "    .hidden ddc_locale_end\n"
                                                                     "ddc_locale_end:\n"
                                                                     "    .popsection\n");
#undef DDC_LOCALE_ASM

#define DDC_LOCALE_DECL(id, code, name) \
    extern const char ddc_locale_##id [] __attribute__ ((visibility ("hidden")));
DDC_I18N_LANGS (DDC_LOCALE_DECL)
#undef DDC_LOCALE_DECL
extern const char ddc_locale_end [] __attribute__ ((visibility ("hidden")));

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

//  The pages of every text (page-aligned at both ends), or false.
static bool
s_texts (void **start, size_t *len)
{
    long page = sysconf (_SC_PAGESIZE);
    uintptr_t from = (uintptr_t) ddc_locale_en, to = (uintptr_t) ddc_locale_end;
    if (page <= 0 || from % (uintptr_t) page || to % (uintptr_t) page || to <= from)
        return false;
    *start = (void *) from;
    *len = to - from;
    return true;
}

//  A language's text is parsed: give the pages of every text back.
static void
s_done (int lang)
{
    (void) lang;
    void *start;
    size_t len;
    if (s_texts (&start, &len))
        madvise (start, len, MADV_DONTNEED);
}

void
ddc_locale_release (void)
{
    void *start;
    size_t len;
    if (s_texts (&start, &len)) {
        madvise (start, len, MADV_RANDOM);
        madvise (start, len, MADV_DONTNEED);
    }
}

int
ddc_i18n_load_builtin (ddc_i18n_t *self, char *err, size_t errlen)
{
    void *start;
    size_t len;
    if (s_texts (&start, &len))
        madvise (start, len, MADV_RANDOM);
    char why [160];
    if (ddc_i18n_use_source (self, ddc_locale_source, s_done, why, sizeof (why)) < 0) {
        snprintf (err, errlen, "services/locale/en.json: %s", why);
        return -1;
    }
    return 0;
}
