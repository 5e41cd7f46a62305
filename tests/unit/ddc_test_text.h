/*  ddc_test_text: text checks the unit tests share: how many characters
    (code points) a UTF-8 string has, as Discord counts its limits, and
    whether a string is valid UTF-8 (ddc_utf8_seq's rules). */
#ifndef DDC_TEST_TEXT_H
#define DDC_TEST_TEXT_H

#include <stdbool.h>
#include <string.h>

#include "ddc_util.h"

static inline size_t
ddc_test_chars (const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char) *s & 0xc0) != 0x80;
    return n;
}

static inline bool
ddc_test_utf8_ok (const char *s)
{
    size_t len = strlen (s);
    for (size_t i = 0, n; i < len; i += n)
        if ((n = ddc_utf8_seq (s + i, len - i)) == 0)
            return false;
    return true;
}

#endif
