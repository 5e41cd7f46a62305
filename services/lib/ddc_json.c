/*  ddc_json: the strict JSON parse entry point. See ddc_json.h.
    A recursive-descent check of the whole text against RFC 8259 (and the
    limits), then cJSON builds the tree from text known to be good. The
    printer writes what cJSON's unformatted printer writes (its string
    escapes, its separators), with a shortcut for whole numbers. */
#include "ddc_json.h"
#include "ddc_buf.h"
#include "ddc_util.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_EQUAL_SLOW_MAX 1024 //  object size for order-independent compare

typedef struct {
    const unsigned char *p;
    size_t len;
    size_t i;         //  next byte to read
    const char *what; //  the problem, once there is one
    size_t at;        //  its byte offset
} s_scan_t;

static int s_value (s_scan_t *sc, int depth);

static int
s_fail (s_scan_t *sc, size_t at, const char *what)
{
    sc->what = what;
    sc->at = at;
    return -1;
}

static void
s_skip_ws (s_scan_t *sc)
{
    while (sc->i < sc->len) {
        unsigned char c = sc->p [sc->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->i++;
    }
}

//  The reason for a byte that cannot start or continue what is expected.
static int
s_unexpected (s_scan_t *sc, const char *expected)
{
    if (sc->i >= sc->len)
        return s_fail (sc, sc->i, "unexpected end of input");
    unsigned char c = sc->p [sc->i];
    if (c == 0)
        return s_fail (sc, sc->i, "a NUL byte");
    if (c >= 0x80 && ddc_utf8_seq (sc->p + sc->i, sc->len - sc->i) == 0)
        return s_fail (sc, sc->i, "invalid UTF-8");
    return s_fail (sc, sc->i, expected);
}

static int
s_hex4 (const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = p [k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned) (c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned) (c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned) (c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

//  A \uXXXX escape at sc->i (the backslash); a high surrogate must be
//  followed by an escaped low one.
static int
s_unicode_escape (s_scan_t *sc)
{
    size_t start = sc->i;
    unsigned cp;
    if (sc->len - sc->i < 6 || s_hex4 (sc->p + sc->i + 2, &cp) < 0)
        return s_fail (sc, start, "a \\u escape without four hex digits");
    sc->i += 6;
    if (cp == 0)
        return s_fail (sc, start, "\\u0000 (NUL) in a string");
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return s_fail (sc, start, "a lone surrogate escape (\\uDC00-\\uDFFF without a high one)");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned low;
        if (sc->len - sc->i < 6 || sc->p [sc->i] != '\\' || sc->p [sc->i + 1] != 'u'
            || s_hex4 (sc->p + sc->i + 2, &low) < 0 || low < 0xDC00 || low > 0xDFFF)
            return s_fail (sc, start, "a lone surrogate escape (\\uD800-\\uDBFF without a low one)");
        sc->i += 6;
    }
    return 0;
}

static int
s_string (s_scan_t *sc)
{
    size_t start = sc->i++; //  the opening quote
    while (sc->i < sc->len) {
        unsigned char c = sc->p [sc->i];
        if (c == '"') {
            sc->i++;
            return 0;
        }
        if (c == 0)
            return s_fail (sc, sc->i, "a NUL byte in a string");
        if (c < 0x20)
            return s_fail (sc, sc->i, "a control character in a string (it must be escaped)");
        if (c == '\\') {
            if (sc->i + 1 >= sc->len)
                break;
            unsigned char e = sc->p [sc->i + 1];
            if (e == 'u') {
                if (s_unicode_escape (sc) < 0)
                    return -1;
                continue;
            }
            if (!strchr ("\"\\/bfnrt", e) || e == 0)
                return s_fail (sc, sc->i, "an invalid escape in a string");
            sc->i += 2;
            continue;
        }
        if (c >= 0x80) {
            size_t n = ddc_utf8_seq (sc->p + sc->i, sc->len - sc->i);
            if (n == 0)
                return s_fail (sc, sc->i, "invalid UTF-8 in a string");
            sc->i += n;
            continue;
        }
        sc->i++;
    }
    return s_fail (sc, start, "a string without its closing quote");
}

static bool
s_digit (s_scan_t *sc)
{
    return sc->i < sc->len && sc->p [sc->i] >= '0' && sc->p [sc->i] <= '9';
}

//  -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? that a double holds.
static int
s_number (s_scan_t *sc)
{
    size_t start = sc->i;
    if (sc->p [sc->i] == '-')
        sc->i++;
    if (!s_digit (sc))
        return s_fail (sc, start, "a malformed number");
    if (sc->p [sc->i] == '0') {
        sc->i++;
        if (s_digit (sc))
            return s_fail (sc, start, "a number with a leading zero");
    }
    else
        while (s_digit (sc))
            sc->i++;
    if (sc->i < sc->len && sc->p [sc->i] == '.') {
        sc->i++;
        if (!s_digit (sc))
            return s_fail (sc, start, "a malformed number (no digit after the point)");
        while (s_digit (sc))
            sc->i++;
    }
    if (sc->i < sc->len && (sc->p [sc->i] == 'e' || sc->p [sc->i] == 'E')) {
        sc->i++;
        if (sc->i < sc->len && (sc->p [sc->i] == '+' || sc->p [sc->i] == '-'))
            sc->i++;
        if (!s_digit (sc))
            return s_fail (sc, start, "a malformed number (no digit in the exponent)");
        while (s_digit (sc))
            sc->i++;
    }
    size_t n = sc->i - start;
    if (n > DDC_JSON_MAX_NUMBER)
        return s_fail (sc, start, "a number longer than 63 characters");
    char buf [DDC_JSON_MAX_NUMBER + 1];
    memcpy (buf, sc->p + start, n);
    buf [n] = '\0';
    if (!isfinite (strtod (buf, NULL)))
        return s_fail (sc, start, "a number too large for a double");
    return 0;
}

static int
s_literal (s_scan_t *sc, const char *word)
{
    size_t n = strlen (word);
    if (sc->len - sc->i < n || memcmp (sc->p + sc->i, word, n) != 0)
        return s_unexpected (sc, "an unexpected character (not the start of a value)");
    sc->i += n;
    return 0;
}

//  An object or an array at sc->i, one level deeper than depth.
static int
s_container (s_scan_t *sc, int depth)
{
    bool object = sc->p [sc->i] == '{';
    char close = object ? '}' : ']';
    if (depth + 1 > DDC_JSON_MAX_DEPTH)
        return s_fail (sc, sc->i, "nesting deeper than 64 levels");
    sc->i++;
    s_skip_ws (sc);
    if (sc->i < sc->len && sc->p [sc->i] == close) {
        sc->i++;
        return 0;
    }
    for (;;) {
        if (object) {
            if (sc->i >= sc->len || sc->p [sc->i] != '"')
                return s_unexpected (sc, "an unexpected character (a member name was expected)");
            if (s_string (sc) < 0)
                return -1;
            s_skip_ws (sc);
            if (sc->i >= sc->len || sc->p [sc->i] != ':')
                return s_unexpected (sc, "an unexpected character (':' was expected)");
            sc->i++;
            s_skip_ws (sc);
        }
        if (s_value (sc, depth + 1) < 0)
            return -1;
        s_skip_ws (sc);
        if (sc->i < sc->len && sc->p [sc->i] == close) {
            sc->i++;
            return 0;
        }
        if (sc->i >= sc->len || sc->p [sc->i] != ',')
            return s_unexpected (sc, object ? "an unexpected character (',' or '}' was expected)"
                                            : "an unexpected character (',' or ']' was expected)");
        sc->i++;
        s_skip_ws (sc);
    }
}

static int
s_value (s_scan_t *sc, int depth)
{
    if (sc->i >= sc->len)
        return s_fail (sc, sc->i, "unexpected end of input");
    switch (sc->p [sc->i]) {
        case '{':
        case '[':
            return s_container (sc, depth);
        case '"':
            return s_string (sc);
        case 't':
            return s_literal (sc, "true");
        case 'f':
            return s_literal (sc, "false");
        case 'n':
            return s_literal (sc, "null");
        default:
            if (sc->p [sc->i] == '-' || (sc->p [sc->i] >= '0' && sc->p [sc->i] <= '9'))
                return s_number (sc);
            if (sc->len - sc->i >= 3 && memcmp (sc->p + sc->i, "\xEF\xBB\xBF", 3) == 0)
                return s_fail (sc, sc->i, "a byte order mark (U+FEFF)");
            return s_unexpected (sc, "an unexpected character (not the start of a value)");
    }
}

//  "what at line L, column C" with C counted in characters.
static void
s_reason (const s_scan_t *sc, char *err, size_t errlen)
{
    size_t line = 1, col = 1;
    for (size_t k = 0; k < sc->at && k < sc->len; k++) {
        if (sc->p [k] == '\n') {
            line++;
            col = 1;
        }
        else if ((sc->p [k] & 0xC0) != 0x80)
            col++;
    }
    snprintf (err, errlen, "%s at line %zu, column %zu", sc->what, line, col);
}

cJSON *
ddc_json_parse (const char *text, size_t len, size_t max_len, char *err, size_t errlen)
{
    char scratch [1];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof (scratch);
    }
    if (len > max_len) {
        snprintf (err, errlen, "larger than %zu bytes", max_len);
        return NULL;
    }
    s_scan_t sc = { .p = (const unsigned char *) (text ? text : ""), .len = text ? len : 0 };
    s_skip_ws (&sc);
    if (sc.i >= sc.len) {
        snprintf (err, errlen, "no JSON value (the input is empty)");
        return NULL;
    }
    if (s_value (&sc, 0) < 0) {
        s_reason (&sc, err, errlen);
        return NULL;
    }
    size_t value_end = sc.i;
    s_skip_ws (&sc);
    if (sc.i < sc.len) {
        s_fail (&sc, sc.i, "trailing bytes after the value");
        s_reason (&sc, err, errlen);
        return NULL;
    }
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts (text, len, &end, false);
    if (!json || end != text + value_end) {
        //  The check above and cJSON disagree, or cJSON ran out of memory.
        cJSON_Delete (json);
        snprintf (err, errlen, "cannot be read (out of memory or beyond cJSON)");
        return NULL;
    }
    return json;
}

//  ---- user text in paths and messages -----------------------------------

void
ddc_json_safe (char *out, size_t size, const char *in)
{
    size_t o = 0;
    if (!in)
        in = "";
    for (size_t i = 0; in [i] && o + 4 < size; i++) {
        if (i == DDC_JSON_SAFE_MAX) {
            memcpy (out + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char) in [i];
        out [o++] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
    }
    out [o] = 0;
}

//  ---- equality and diff -------------------------------------------------

static bool
s_equal (const cJSON *a, const cJSON *b, int depth)
{
    if (a == b)
        return true;
    if (!a || !b || (a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if (depth > DDC_JSON_CMP_DEPTH)
        return false;
    switch (a->type & 0xFF) {
        case cJSON_False:
        case cJSON_True:
        case cJSON_NULL:
            return true;
        case cJSON_Number: {
            double x = a->valuedouble, y = b->valuedouble;
            double max = fabs (x) > fabs (y) ? fabs (x) : fabs (y);
            return fabs (x - y) <= max * DBL_EPSILON;
        }
        case cJSON_String:
        case cJSON_Raw:
            return a->valuestring && b->valuestring && strcmp (a->valuestring, b->valuestring) == 0;
        case cJSON_Array: {
            const cJSON *x = a->child, *y = b->child;
            for (; x && y; x = x->next, y = y->next)
                if (!s_equal (x, y, depth + 1))
                    return false;
            return !x && !y;
        }
        case cJSON_Object: {
            //  Fast path: same keys in the same order
            const cJSON *x = a->child, *y = b->child;
            int count = 0;
            for (; x && y; x = x->next, y = y->next, count++) {
                if (!x->string || !y->string || strcmp (x->string, y->string) != 0)
                    break;
                if (!s_equal (x, y, depth + 1))
                    return false;
            }
            if (!x && !y)
                return true;
            //  Sizes must match, then compare by lookup both ways
            int size_a = count, size_b = count;
            for (; x; x = x->next)
                size_a++;
            for (; y; y = y->next)
                size_b++;
            if (size_a != size_b || size_a > S_EQUAL_SLOW_MAX)
                return false;
            for (x = a->child; x; x = x->next) {
                const cJSON *other =
                    x->string ? cJSON_GetObjectItemCaseSensitive (b, x->string) : NULL;
                if (!s_equal (x, other, depth + 1))
                    return false;
            }
            for (y = b->child; y; y = y->next) {
                const cJSON *other =
                    y->string ? cJSON_GetObjectItemCaseSensitive (a, y->string) : NULL;
                if (!s_equal (other, y, depth + 1))
                    return false;
            }
            return true;
        }
        default:
            return false;
    }
}

bool
ddc_json_equal (const cJSON *a, const cJSON *b)
{
    return s_equal (a, b, 0);
}

typedef struct {
    cJSON *out;
    int count;
    bool full;
} s_diff_t;

static void
s_diff_add (s_diff_t *diff, const char *path)
{
    if (diff->full)
        return;
    if (diff->count == DDC_JSON_DIFF_MAX) {
        cJSON_AddItemToArray (diff->out, cJSON_CreateString ("..."));
        diff->full = true;
        return;
    }
    cJSON_AddItemToArray (diff->out, cJSON_CreateString (path));
    diff->count++;
}

static void
s_diff (s_diff_t *diff, const char *path, const cJSON *a, const cJSON *b, int depth)
{
    if (diff->full || s_equal (a, b, depth))
        return;
    int before = diff->count;
    bool both_objects = cJSON_IsObject (a) && cJSON_IsObject (b);
    bool both_arrays = cJSON_IsArray (a) && cJSON_IsArray (b);
    if (depth < DDC_JSON_CMP_DEPTH && both_objects) {
        for (const cJSON *x = a->child; x && !diff->full; x = x->next) {
            char safe [DDC_JSON_SAFE_MAX + 8];
            ddc_json_safe (safe, sizeof (safe), x->string);
            char *child = ddc_asprintf ("%s.%s", path, safe);
            const cJSON *y = x->string ? cJSON_GetObjectItemCaseSensitive (b, x->string) : NULL;
            if (y)
                s_diff (diff, child, x, y, depth + 1);
            else
                s_diff_add (diff, child);
            free (child);
        }
        for (const cJSON *y = b->child; y && !diff->full; y = y->next) {
            if (y->string && cJSON_GetObjectItemCaseSensitive (a, y->string))
                continue;
            char safe [DDC_JSON_SAFE_MAX + 8];
            ddc_json_safe (safe, sizeof (safe), y->string);
            char *child = ddc_asprintf ("%s.%s", path, safe);
            s_diff_add (diff, child);
            free (child);
        }
    }
    else if (depth < DDC_JSON_CMP_DEPTH && both_arrays) {
        const cJSON *x = a->child, *y = b->child;
        for (int index = 0; (x || y) && !diff->full; index++) {
            char *child = ddc_asprintf ("%s[%d]", path, index);
            if (x && y)
                s_diff (diff, child, x, y, depth + 1);
            else
                s_diff_add (diff, child);
            free (child);
            x = x ? x->next : NULL;
            y = y ? y->next : NULL;
        }
    }
    //  Unequal but nothing below was named (other type, or duplicate keys)
    if (diff->count == before)
        s_diff_add (diff, path);
}

cJSON *
ddc_json_diff (const char *path, const cJSON *old_value, const cJSON *new_value)
{
    s_diff_t diff = { cJSON_CreateArray (), 0, false };
    s_diff (&diff, path ? path : "", old_value, new_value, 0);
    return diff.out;
}

//  ------------------------------------------------------------ printing

//  A string as cJSON quotes it: '"', '\\' and the control characters
//  escaped (\b \f \n \r \t by name, the others as \u00xx), every other
//  byte as it is; NULL as "".
static void
s_print_string (ddc_buf_t *out, const char *s)
{
    static const char hex [] = "0123456789abcdef";
    ddc_buf_add (out, "\"", 1);
    const unsigned char *p = (const unsigned char *) (s ? s : "");
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 32 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            ddc_buf_add (out, (const char *) run, (size_t) (p - run));
        if (!*p)
            break;
        //  escaped by name, or as \u00xx
        static const char named [] = "\"\\\b\f\n\r\t", names [] = "\"\\bfnrt";
        const char *at = strchr (named, *p);
        char esc [6] = { '\\', at ? names [at - named] : 'u', '0', '0', hex [*p >> 4], hex [*p & 15] };
        size_t n = at ? 2 : 6;
        ddc_buf_add (out, esc, n);
        p++;
    }
    ddc_buf_add (out, "\"", 1);
}

//  A number: a whole one below 10^15 in magnitude as its digits (what
//  "%1.15g" gives for it, and what reads back exactly), any other (-0,
//  fractions, large, NaN and infinities) by cJSON. false: cJSON failed.
static bool
s_print_number (ddc_buf_t *out, const cJSON *item)
{
    double d = item->valuedouble;
    if (d > -1e15 && d < 1e15 && d == (double) (long long) d && !(d == 0 && signbit (d))) {
        char digits [24];
        bool negative = d < 0;
        size_t n = ddc_buf_fmt_u64 ((uint64_t) (negative ? -(long long) d : (long long) d), digits);
        if (negative)
            ddc_buf_add (out, "-", 1);
        ddc_buf_add (out, digits, n);
        return true;
    }
    cJSON alone = *item;
    alone.next = alone.prev = alone.child = NULL;
    alone.string = NULL;
    alone.type = cJSON_Number;
    char text [64];
    if (!cJSON_PrintPreallocated (&alone, text, (int) sizeof (text), false))
        return false;
    ddc_buf_puts (out, text);
    return true;
}

static bool
s_print (ddc_buf_t *out, const cJSON *item)
{
    switch (item->type & 0xFF) {
        case cJSON_NULL:
            ddc_buf_add (out, "null", 4);
            return true;
        case cJSON_False:
            ddc_buf_add (out, "false", 5);
            return true;
        case cJSON_True:
            ddc_buf_add (out, "true", 4);
            return true;
        case cJSON_Number:
            return s_print_number (out, item);
        case cJSON_String:
            s_print_string (out, item->valuestring);
            return true;
        case cJSON_Raw:
            if (!item->valuestring)
                return false;
            ddc_buf_puts (out, item->valuestring);
            return true;
        case cJSON_Array:
        case cJSON_Object: {
            bool object = (item->type & 0xFF) == cJSON_Object;
            ddc_buf_add (out, object ? "{" : "[", 1);
            for (const cJSON *child = item->child; child; child = child->next) {
                if (object) {
                    s_print_string (out, child->string);
                    ddc_buf_add (out, ":", 1);
                }
                if (!s_print (out, child))
                    return false;
                if (child->next)
                    ddc_buf_add (out, ",", 1);
            }
            ddc_buf_add (out, object ? "}" : "]", 1);
            return true;
        }
        default:
            return false;
    }
}

bool
ddc_json_print_to (ddc_buf_t *out, const cJSON *item)
{
    return item && s_print (out, item);
}

void
ddc_json_print_string (ddc_buf_t *out, const char *s)
{
    s_print_string (out, s);
}

char *
ddc_json_print (const cJSON *item)
{
    if (!item)
        return NULL;
    ddc_buf_t *out = ddc_buf_new (DDC_BUF_UNBOUNDED);
    if (!s_print (out, item)) {
        ddc_buf_destroy (&out);
        return NULL;
    }
    ddc_buf_fit (out); //  held texts take no more than they need
    return ddc_buf_release (&out, NULL);
}
