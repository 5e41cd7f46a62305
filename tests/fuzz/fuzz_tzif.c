/*  fuzz_tzif: libFuzzer target for the ddc_tz zone reader. Feeds the input
    to ddc_tz_parse as a TZif image and, NUL-terminated, to ddc_tz_posix as
    a POSIX TZ rule string; every zone accepted is converted both ways at
    fixed and input-derived instants, checking that conversion never fails
    inside the supported range and that local -> UTC finds an instant no
    later than the one the local time came from. */
#include "ddc_tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
s_exercise (const ddc_tz_t *zone, int64_t t)
{
    if (t < DDC_TZ_TIME_MIN || t > DDC_TZ_TIME_MAX)
        return;
    struct tm local;
    int offset = 0;
    if (ddc_tz_to_local (zone, t, &local, &offset) != 0)
        abort ();
    if (offset < -DDC_TZ_OFFSET_MAX || offset > DDC_TZ_OFFSET_MAX)
        abort ();
    if (local.tm_mon < 0 || local.tm_mon > 11 || local.tm_mday < 1 || local.tm_mday > 31
        || local.tm_hour < 0 || local.tm_hour > 23 || local.tm_min < 0 || local.tm_min > 59
        || local.tm_sec < 0 || local.tm_sec > 59 || local.tm_wday < 0 || local.tm_wday > 6
        || local.tm_yday < 0 || local.tm_yday > 365)
        abort ();
    int64_t back;
    int kind = -1;
    if (ddc_tz_from_local (zone, &local, &back, &kind) == 0) {
        //  The local time exists at t, so the answer is t or earlier
        if (back > t || kind < DDC_TZ_LOCAL_UNIQUE || kind > DDC_TZ_LOCAL_FOLD)
            abort ();
        struct tm again;
        if (ddc_tz_to_local (zone, back, &again, NULL) != 0)
            abort ();
    }
    else if (local.tm_year + 1900 >= 2 && local.tm_year + 1900 <= 9998)
        abort ();
}

static void
s_zone (const ddc_tz_t *zone, const uint8_t *data, size_t size)
{
    static const int64_t fixed [] = { DDC_TZ_TIME_MIN,
                                      DDC_TZ_TIME_MAX,
                                      0,
                                      -1,
                                      2147483647LL,
                                      2147483648LL,
                                      1774746000LL,
                                      1792890000LL,
                                      3786825600LL,
                                      4102444800LL,
                                      -2208988800LL,
                                      253402214400LL };
    for (size_t i = 0; i < sizeof (fixed) / sizeof (fixed [0]); i++)
        s_exercise (zone, fixed [i]);
    //  Input-derived instants, mapped into the supported range
    uint64_t span = (uint64_t) (DDC_TZ_TIME_MAX - DDC_TZ_TIME_MIN) + 1;
    for (size_t at = 0; at + 8 <= size && at < 64; at += 8) {
        uint64_t v = 0;
        memcpy (&v, data + at, 8);
        s_exercise (zone, DDC_TZ_TIME_MIN + (int64_t) (v % span));
        s_exercise (zone, 1700000000LL + (int64_t) (v % 4000000000ULL));
    }
    //  Every local hour of a day around a DST change
    struct tm local = { .tm_year = 126, .tm_mon = 2, .tm_mday = 29 };
    for (int h = 0; h < 24; h++) {
        int64_t utc;
        local.tm_hour = h;
        ddc_tz_from_local (zone, &local, &utc, NULL);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    ddc_tz_t *zone = ddc_tz_parse (data, size);
    if (zone) {
        s_zone (zone, data, size);
        ddc_tz_destroy (&zone);
    }
    //  The footer-rule parser, on the input as a string
    char spec [DDC_TZ_FOOTER_MAX + 2];
    size_t len = size < sizeof (spec) - 1 ? size : sizeof (spec) - 1;
    memcpy (spec, data, len);
    spec [len] = '\0';
    zone = ddc_tz_posix (spec);
    if (zone) {
        s_zone (zone, data, size);
        ddc_tz_destroy (&zone);
    }
    return 0;
}
