/*  ddc_tz: IANA time zones: name checks, the TZif reader, POSIX TZ rules
    and UTC <-> local conversion. See ddc_tz.h. */
#include "ddc_tz.h"
#include "ddc_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_DAY 86400
#define S_HEADER_SIZE 44
//  Most correction a leap-second record may carry either way.
#define S_LEAP_CORR_MAX 1000000
//  Rule transition times: -167 h .. 167 h (RFC 8536 section 3.3.1).
#define S_RULE_HOURS_MAX 167
//  UT offsets in a POSIX string: hours 0..24.
#define S_OFFSET_HOURS_MAX 24

//  One local time type.
typedef struct {
    int32_t off; //  seconds east of UT
    bool isdst;
} s_type_t;

//  One date-and-time of a POSIX rule: Jn, n or Mm.w.d, then /time.
typedef struct {
    char kind;    //  'J', 'N' or 'M'
    int n;        //  day for J (1..365) and N (0..365)
    int m, w, d;  //  month 1..12, week 1..5, weekday 0..6
    int32_t secs; //  local time of day of the change
} s_date_rule_t;

//  A POSIX TZ string.
typedef struct {
    bool present; //  there is a (non-empty) footer
    bool has_dst;
    int32_t std_off, dst_off;
    s_date_rule_t start, end;
} s_posix_t;

struct _ddc_tz_t {
    int64_t *trans; //  transition instants, strictly ascending
    uint8_t *idx;   //  type index of each transition
    size_t ntrans;
    s_type_t types [DDC_TZ_TYPES_MAX];
    size_t ntypes;
    s_posix_t posix;
    char name [DDC_TZ_NAME_MAX + 1];
};

//  Offset and DST flag in effect at an instant.
typedef struct {
    int32_t off;
    bool isdst;
} s_info_t;


//  --------------------------------------------------------------------------
//  Names

bool
ddc_tz_name_ok (const char *name)
{
    if (!name)
        return false;
    size_t len = strnlen (name, DDC_TZ_NAME_MAX + 1);
    if (len == 0 || len > DDC_TZ_NAME_MAX || name [0] == '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name [i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '/' || c == '_' || c == '+' || c == '-';
        if (!ok)
            return false;
    }
    if (strstr (name, "..") || strstr (name, "//"))
        return false;
    return true;
}

//  UTC needs no zone file: it stays valid on a machine without tzdata.
static bool
s_is_utc (const char *name)
{
    return strcmp (name, "UTC") == 0 || strcmp (name, "Etc/UTC") == 0;
}

bool
ddc_tz_valid (const char *name)
{
    if (!name || !ddc_tz_name_ok (name))
        return false;
    if (s_is_utc (name))
        return true; //  valid even without tzdata
    char path [sizeof (DDC_TZ_DIR) + DDC_TZ_NAME_MAX + 2];
    snprintf (path, sizeof (path), "%s/%s", DDC_TZ_DIR, name);

    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    bool valid = false;
    if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode)) {
        char magic [4];
        valid = read (fd, magic, sizeof (magic)) == (ssize_t) sizeof (magic)
                && memcmp (magic, "TZif", 4) == 0;
    }
    close (fd);
    return valid;
}


//  --------------------------------------------------------------------------
//  Civil dates (proleptic Gregorian; H. Hinnant's algorithms)

static int64_t
s_floordiv (int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static bool
s_leap (int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
s_wday (int64_t days)
{
    int64_t w = (days + 4) % 7; //  1970-01-01 was a Thursday
    return (int) (w < 0 ? w + 7 : w);
}

int
ddc_tz_days_in_month (int64_t year, int month)
{
    static const int days [12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && s_leap (year))
        return 29;
    return days [month - 1];
}

int64_t
ddc_tz_days_from_civil (int64_t year, int month, int day)
{
    int64_t y = year - (month <= 2);
    int64_t era = s_floordiv (y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
ddc_tz_civil_from_days (int64_t days, int64_t *year, int *month, int *day, int *wday)
{
    int64_t z = days + 719468;
    int64_t era = s_floordiv (z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int) (doy - (153 * mp + 2) / 5 + 1);
    int m = (int) (mp < 10 ? mp + 3 : mp - 9);
    if (year)
        *year = yoe + era * 400 + (m <= 2);
    if (month)
        *month = m;
    if (day)
        *day = d;
    if (wday)
        *wday = s_wday (days);
}


//  --------------------------------------------------------------------------
//  POSIX TZ strings

static bool
s_is_digit (char c)
{
    return c >= '0' && c <= '9';
}

static bool
s_is_alpha (char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

//  Zone abbreviation: 3+ letters, or <...> of 3+ letters, digits, + and -.

static const char *
s_posix_name (const char *p)
{
    const char *start;
    if (*p == '<') {
        start = ++p;
        while (s_is_alpha (*p) || s_is_digit (*p) || *p == '+' || *p == '-')
            p++;
        if (*p != '>' || p - start < 3)
            return NULL;
        return p + 1;
    }
    start = p;
    while (s_is_alpha (*p))
        p++;
    return p - start < 3 ? NULL : p;
}

//  Up to max digits as a number into *value; NULL if there are none.

static const char *
s_posix_num (const char *p, int max, int *value)
{
    int n = 0, digits = 0;
    while (s_is_digit (*p) && digits < max) {
        n = n * 10 + (*p++ - '0');
        digits++;
    }
    *value = n;
    return digits ? p : NULL;
}

//  [+-]hh[:mm[:ss]] with hh <= max_hours, as signed seconds.

static const char *
s_posix_hms (const char *p, int max_hours, int32_t *secs)
{
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int h, m = 0, s = 0;
    p = s_posix_num (p, 3, &h);
    if (!p || h > max_hours)
        return NULL;
    if (*p == ':') {
        p = s_posix_num (p + 1, 2, &m);
        if (!p || m > 59)
            return NULL;
        if (*p == ':') {
            p = s_posix_num (p + 1, 2, &s);
            if (!p || s > 59)
                return NULL;
        }
    }
    *secs = sign * (h * 3600 + m * 60 + s);
    return p;
}

//  Jn | n | Mm.w.d, then optional /time (default 02:00).

static const char *
s_posix_date (const char *p, s_date_rule_t *rule)
{
    memset (rule, 0, sizeof (*rule));
    if (*p == 'J') {
        rule->kind = 'J';
        p = s_posix_num (p + 1, 3, &rule->n);
        if (!p || rule->n < 1 || rule->n > 365)
            return NULL;
    }
    else if (*p == 'M') {
        rule->kind = 'M';
        p = s_posix_num (p + 1, 2, &rule->m);
        if (!p || rule->m < 1 || rule->m > 12 || *p != '.')
            return NULL;
        p = s_posix_num (p + 1, 1, &rule->w);
        if (!p || rule->w < 1 || rule->w > 5 || *p != '.')
            return NULL;
        p = s_posix_num (p + 1, 1, &rule->d);
        if (!p || rule->d > 6)
            return NULL;
    }
    else {
        rule->kind = 'N';
        p = s_posix_num (p, 3, &rule->n);
        if (!p || rule->n > 365)
            return NULL;
    }
    rule->secs = 7200;
    if (*p == '/')
        p = s_posix_hms (p + 1, S_RULE_HOURS_MAX, &rule->secs);
    return p;
}

//  Parse a whole NUL-terminated POSIX TZ string. 0 or -1.

static int
s_posix_parse (const char *spec, s_posix_t *px)
{
    memset (px, 0, sizeof (*px));
    int32_t off;
    const char *p = s_posix_name (spec);
    if (!p || !(p = s_posix_hms (p, S_OFFSET_HOURS_MAX, &off)))
        return -1;
    px->std_off = -off; //  POSIX counts west, we count east
    if (*p) {
        if (!(p = s_posix_name (p)))
            return -1;
        px->has_dst = true;
        px->dst_off = px->std_off + 3600;
        if (*p && *p != ',') {
            if (!(p = s_posix_hms (p, S_OFFSET_HOURS_MAX, &off)))
                return -1;
            px->dst_off = -off;
        }
        if (*p == '\0') {
            //  No rule: the US one, as glibc does
            px->start = (s_date_rule_t){ 'M', 0, 3, 2, 0, 7200 };
            px->end = (s_date_rule_t){ 'M', 0, 11, 1, 0, 7200 };
        }
        else {
            if (*p != ',' || !(p = s_posix_date (p + 1, &px->start)) || *p != ',')
                return -1;
            if (!(p = s_posix_date (p + 1, &px->end)) || *p)
                return -1;
        }
    }
    px->present = true;
    return 0;
}

//  Instant (UT) of a rule's change in year, off being the offset in
//  effect just before it.

static int64_t
s_rule_change (const s_date_rule_t *rule, int64_t year, int32_t off)
{
    int64_t day = ddc_tz_days_from_civil (year, 1, 1);
    if (rule->kind == 'J')
        day += rule->n - 1 + (s_leap (year) && rule->n >= 60);
    else if (rule->kind == 'N')
        day += rule->n;
    else {
        day = ddc_tz_days_from_civil (year, rule->m, 1);
        int dim = ddc_tz_days_in_month (year, rule->m);
        int d = (rule->d - s_wday (day) + 7) % 7;
        for (int i = 1; i < rule->w && d + 7 < dim; i++)
            d += 7;
        day += d;
    }
    return day * S_DAY + rule->secs - off;
}

//  Rule state at t and the next instant it may change (the glibc way: the
//  changes of t's UT year decide).

static void
s_rule_info (const s_posix_t *px, int64_t t, s_info_t *info, int64_t *until)
{
    info->off = px->std_off;
    info->isdst = false;
    *until = INT64_MAX;
    if (!px->has_dst)
        return;
    int64_t year;
    ddc_tz_civil_from_days (s_floordiv (t, S_DAY), &year, NULL, NULL, NULL);
    int64_t start = s_rule_change (&px->start, year, px->std_off);
    int64_t end = s_rule_change (&px->end, year, px->dst_off);
    bool dst = start > end ? (t < end || t >= start) : (t >= start && t < end);
    if (dst) {
        info->off = px->dst_off;
        info->isdst = true;
    }
    int64_t next = ddc_tz_days_from_civil (year + 1, 1, 1) * S_DAY;
    if (start > t && start < next)
        next = start;
    if (end > t && end < next)
        next = end;
    *until = next;
}


//  --------------------------------------------------------------------------
//  TZif reader

typedef struct {
    int version; //  1, or 2 for 2 and later
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} s_header_t;

static uint32_t
s_be32 (const unsigned char *p)
{
    return (uint32_t) p [0] << 24 | (uint32_t) p [1] << 16 | (uint32_t) p [2] << 8
           | (uint32_t) p [3];
}

static int64_t
s_be_time (const unsigned char *p, size_t tsize)
{
    if (tsize == 4)
        return (int32_t) s_be32 (p);
    uint64_t v = (uint64_t) s_be32 (p) << 32 | s_be32 (p + 4);
    return (int64_t) v;
}

//  Header at data[0..len); strict also enforces the RFC's non-zero counts.

static int
s_header (const unsigned char *data, size_t len, bool strict, s_header_t *h)
{
    if (len < S_HEADER_SIZE || memcmp (data, "TZif", 4) != 0)
        return -1;
    unsigned char v = data [4];
    if (v == 0)
        h->version = 1;
    else if (v >= '2' && v <= '9')
        h->version = 2;
    else
        return -1;
    h->isutcnt = s_be32 (data + 20);
    h->isstdcnt = s_be32 (data + 24);
    h->leapcnt = s_be32 (data + 28);
    h->timecnt = s_be32 (data + 32);
    h->typecnt = s_be32 (data + 36);
    h->charcnt = s_be32 (data + 40);
    if (h->timecnt > DDC_TZ_TRANS_MAX || h->typecnt > DDC_TZ_TYPES_MAX
        || h->charcnt > DDC_TZ_CHARS_MAX || h->leapcnt > DDC_TZ_LEAPS_MAX
        || h->isutcnt > DDC_TZ_TYPES_MAX || h->isstdcnt > DDC_TZ_TYPES_MAX)
        return -1;
    if (strict
        && (h->typecnt == 0 || h->charcnt == 0 || (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)
            || (h->isutcnt != 0 && h->isutcnt != h->typecnt)))
        return -1;
    return 0;
}

//  Bytes of the data block after a header (counts already bounded).

static size_t
s_block_size (const s_header_t *h, size_t tsize)
{
    return (size_t) h->timecnt * (tsize + 1) + (size_t) h->typecnt * 6 + h->charcnt
           + (size_t) h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

//  Decode a data block into self. 0 or -1.

static int
s_block (ddc_tz_t *self, const unsigned char *p, const s_header_t *h, size_t tsize)
{
    const unsigned char *tp = p;
    const unsigned char *ip = tp + (size_t) h->timecnt * tsize;
    const unsigned char *yp = ip + h->timecnt;
    const unsigned char *cp = yp + (size_t) h->typecnt * 6;
    const unsigned char *lp = cp + h->charcnt;
    const unsigned char *sp = lp + (size_t) h->leapcnt * (tsize + 4);
    const unsigned char *up = sp + h->isstdcnt;

    self->ntypes = h->typecnt;
    for (size_t i = 0; i < h->typecnt; i++) {
        int32_t off = (int32_t) s_be32 (yp + i * 6);
        unsigned char isdst = yp [i * 6 + 4], desig = yp [i * 6 + 5];
        if (off < -DDC_TZ_OFFSET_MAX || off > DDC_TZ_OFFSET_MAX || isdst > 1 || desig >= h->charcnt)
            return -1;
        self->types [i].off = off;
        self->types [i].isdst = isdst;
    }
    for (size_t i = 0; i < h->isstdcnt; i++)
        if (sp [i] > 1)
            return -1;
    for (size_t i = 0; i < h->isutcnt; i++)
        if (up [i] > 1)
            return -1;

    //  Leap-second records: occurrences ascending from 0, bounded
    //  corrections
    int64_t occ [DDC_TZ_LEAPS_MAX];
    int32_t corr [DDC_TZ_LEAPS_MAX];
    for (size_t i = 0; i < h->leapcnt; i++) {
        occ [i] = s_be_time (lp + i * (tsize + 4), tsize);
        corr [i] = (int32_t) s_be32 (lp + i * (tsize + 4) + tsize);
        if (occ [i] < 0 || (i > 0 && occ [i] <= occ [i - 1]) || corr [i] < -S_LEAP_CORR_MAX
            || corr [i] > S_LEAP_CORR_MAX)
            return -1;
    }

    self->ntrans = h->timecnt;
    self->trans = ddc_malloc ((h->timecnt ? h->timecnt : 1) * sizeof (int64_t));
    self->idx = ddc_malloc (h->timecnt ? h->timecnt : 1);
    size_t leap = 0;
    for (size_t i = 0; i < h->timecnt; i++) {
        int64_t t = s_be_time (tp + i * tsize, tsize);
        if (ip [i] >= h->typecnt)
            return -1;
        if (i > 0 && t <= s_be_time (tp + (i - 1) * tsize, tsize))
            return -1;
        //  Onto the POSIX scale: remove the leap seconds counted so far
        while (leap < h->leapcnt && occ [leap] <= t)
            leap++;
        if (leap > 0 && __builtin_sub_overflow (t, (int64_t) corr [leap - 1], &t))
            return -1;
        if (i > 0 && t <= self->trans [i - 1])
            return -1;
        self->trans [i] = t;
        self->idx [i] = ip [i];
    }
    return 0;
}

ddc_tz_t *
ddc_tz_parse (const unsigned char *data, size_t len)
{
    if (!data || len > DDC_TZ_FILE_MAX)
        return NULL;
    s_header_t h1;
    if (s_header (data, len, false, &h1) != 0)
        return NULL;
    size_t size1 = s_block_size (&h1, 4);
    if (len - S_HEADER_SIZE < size1)
        return NULL;

    ddc_tz_t *self = ddc_calloc (1, sizeof (ddc_tz_t));
    if (h1.version == 1) {
        if (s_header (data, len, true, &h1) != 0
            || s_block (self, data + S_HEADER_SIZE, &h1, 4) != 0)
            goto fail;
        return self;
    }
    //  Version 2+: skip the 32-bit block, use the 64-bit one and the footer
    size_t pos = S_HEADER_SIZE + size1;
    s_header_t h2;
    if (s_header (data + pos, len - pos, true, &h2) != 0 || h2.version != 2)
        goto fail;
    pos += S_HEADER_SIZE;
    size_t size2 = s_block_size (&h2, 8);
    if (len - pos < size2 || s_block (self, data + pos, &h2, 8) != 0)
        goto fail;
    pos += size2;

    //  Footer: '\n' TZ-string '\n'
    if (pos >= len || data [pos] != '\n')
        goto fail;
    pos++;
    size_t avail = len - pos;
    if (avail > DDC_TZ_FOOTER_MAX + 1)
        avail = DDC_TZ_FOOTER_MAX + 1;
    const unsigned char *nl = memchr (data + pos, '\n', avail);
    if (!nl)
        goto fail;
    size_t flen = (size_t) (nl - (data + pos));
    if (flen > 0) {
        char footer [DDC_TZ_FOOTER_MAX + 1];
        memcpy (footer, data + pos, flen);
        footer [flen] = '\0';
        if (strlen (footer) != flen || s_posix_parse (footer, &self->posix) != 0)
            goto fail;
    }
    return self;

fail:
    ddc_tz_destroy (&self);
    return NULL;
}

ddc_tz_t *
ddc_tz_posix (const char *spec)
{
    if (!spec || strnlen (spec, DDC_TZ_FOOTER_MAX + 1) > DDC_TZ_FOOTER_MAX)
        return NULL;
    s_posix_t px;
    if (s_posix_parse (spec, &px) != 0)
        return NULL;
    ddc_tz_t *self = ddc_calloc (1, sizeof (ddc_tz_t));
    self->posix = px;
    self->ntypes = 1;
    self->types [0].off = px.std_off;
    return self;
}

ddc_tz_t *
ddc_tz_load (const char *name)
{
    if (!ddc_tz_name_ok (name))
        return NULL;
    char path [sizeof (DDC_TZ_DIR) + DDC_TZ_NAME_MAX + 2];
    snprintf (path, sizeof (path), "%s/%s", DDC_TZ_DIR, name);
    int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return s_is_utc (name) ? ddc_tz_posix ("UTC0") : NULL;
    struct stat st;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size < 0
        || st.st_size > DDC_TZ_FILE_MAX) {
        close (fd);
        return NULL;
    }
    //  One byte more than allowed, to notice a file that grew meanwhile
    unsigned char *buf = ddc_malloc (DDC_TZ_FILE_MAX + 1);
    size_t len = 0;
    while (len < DDC_TZ_FILE_MAX + 1) {
        ssize_t n = read (fd, buf + len, DDC_TZ_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                len = DDC_TZ_FILE_MAX + 1; //  read error: refuse
            break;
        }
        len += (size_t) n;
    }
    close (fd);
    ddc_tz_t *self = len <= DDC_TZ_FILE_MAX ? ddc_tz_parse (buf, len) : NULL;
    free (buf);
    if (self)
        ddc_strlcpy (self->name, name, sizeof (self->name));
    return self;
}

void
ddc_tz_destroy (ddc_tz_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ddc_tz_t *self = *self_p;
    free (self->trans);
    free (self->idx);
    free (self);
    *self_p = NULL;
}

const char *
ddc_tz_name (const ddc_tz_t *self)
{
    return self ? self->name : NULL;
}

int64_t
ddc_tz_rules_end (const ddc_tz_t *self)
{
    if (!self || self->posix.present || self->ntrans == 0)
        return INT64_MAX;
    return self->trans [self->ntrans - 1];
}


//  --------------------------------------------------------------------------
//  Conversion

//  Offset at t and the end of the stretch [t, *until) where it holds.

static void
s_lookup (const ddc_tz_t *self, int64_t t, s_info_t *info, int64_t *until)
{
    size_t n = self->ntrans;
    if (n == 0 || t >= self->trans [n - 1]) {
        if (self->posix.present) {
            s_rule_info (&self->posix, t, info, until);
            return;
        }
        const s_type_t *type = &self->types [n ? self->idx [n - 1] : 0];
        info->off = type->off;
        info->isdst = type->isdst;
        *until = INT64_MAX;
        return;
    }
    if (t < self->trans [0]) {
        info->off = self->types [0].off;
        info->isdst = self->types [0].isdst;
        *until = self->trans [0];
        return;
    }
    //  trans[lo] <= t < trans[hi]
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (self->trans [mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    const s_type_t *type = &self->types [self->idx [lo]];
    info->off = type->off;
    info->isdst = type->isdst;
    *until = self->trans [hi];
}

int
ddc_tz_to_local (const ddc_tz_t *self, int64_t utc, struct tm *out, int *offset)
{
    if (!self || !out || utc < DDC_TZ_TIME_MIN || utc > DDC_TZ_TIME_MAX)
        return -1;
    s_info_t info;
    int64_t until;
    s_lookup (self, utc, &info, &until);

    int64_t local = utc + info.off;
    int64_t days = s_floordiv (local, S_DAY);
    int64_t secs = local - days * S_DAY;
    int64_t year;
    int month, day, wday;
    ddc_tz_civil_from_days (days, &year, &month, &day, &wday);
    memset (out, 0, sizeof (*out));
    out->tm_year = (int) (year - 1900);
    out->tm_mon = month - 1;
    out->tm_mday = day;
    out->tm_hour = (int) (secs / 3600);
    out->tm_min = (int) (secs / 60 % 60);
    out->tm_sec = (int) (secs % 60);
    out->tm_wday = wday;
    out->tm_yday = (int) (days - ddc_tz_days_from_civil (year, 1, 1));
    out->tm_isdst = info.isdst;
    if (offset)
        *offset = info.off;
    return 0;
}

int
ddc_tz_from_local (const ddc_tz_t *self, const struct tm *local, int64_t *utc_out, int *kind)
{
    if (!self || !local || !utc_out)
        return -1;
    int64_t year = (int64_t) local->tm_year + 1900;
    int month = local->tm_mon + 1;
    if (year < 1 || year > 9999 || month < 1 || month > 12 || local->tm_mday < 1
        || local->tm_mday > ddc_tz_days_in_month (year, month) || local->tm_hour < 0
        || local->tm_hour > 23 || local->tm_min < 0 || local->tm_min > 59 || local->tm_sec < 0
        || local->tm_sec > 59)
        return -1;
    int64_t wanted = ddc_tz_days_from_civil (year, month, local->tm_mday) * S_DAY
                     + local->tm_hour * 3600 + local->tm_min * 60 + local->tm_sec;

    //  Walk the stretches of constant offset that can hold the answer, in
    //  time order; the first one that shows the wanted local time (or the
    //  first gap that swallows it) wins. Stretches are bounded by the
    //  transitions, so at most their number plus a few are visited.
    int64_t t = wanted - DDC_TZ_OFFSET_MAX - 1;
    int64_t stop = wanted + DDC_TZ_OFFSET_MAX + 1;
    bool found = false, have_prev = false;
    int64_t result = 0;
    int how = DDC_TZ_LOCAL_UNIQUE;
    int32_t prev_off = 0;
    for (size_t step = 0; step < self->ntrans + 16 && t <= stop; step++) {
        s_info_t info;
        int64_t until;
        s_lookup (self, t, &info, &until);
        if (have_prev && !found && info.off > prev_off && wanted >= t + prev_off
            && wanted < t + info.off) {
            found = true;
            result = t;
            how = DDC_TZ_LOCAL_GAP;
            break;
        }
        int64_t candidate = wanted - info.off;
        if (candidate >= t && candidate < until) {
            if (found) {
                how = DDC_TZ_LOCAL_FOLD;
                break;
            }
            found = true;
            result = candidate;
        }
        if (until == INT64_MAX)
            break;
        prev_off = info.off;
        have_prev = true;
        t = until;
    }
    if (!found || result < DDC_TZ_TIME_MIN || result > DDC_TZ_TIME_MAX)
        return -1;
    *utc_out = result;
    if (kind)
        *kind = how;
    return 0;
}
