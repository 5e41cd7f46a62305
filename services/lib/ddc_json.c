/*  ddc_json: the strict JSON parse entry point. See ddc_json.h.
    A recursive-descent parse that checks the text against RFC 8259 (and
    the limits) and builds the cJSON tree in the same pass: the tree cJSON
    itself would build from that text (its items, strings, numbers and
    links, freed by cJSON_Delete), without reading the text twice. The
    printer writes what cJSON's unformatted printer writes (its string
    escapes, its separators), with a shortcut for whole numbers. */
#include "ddc_json.h"
#include "ddc_buf.h"
#include "ddc_util.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_EQUAL_SLOW_MAX 1024 //  object size for order-independent compare
//  Digits of a whole number read without strtod: below 2^53, exact.
#define S_FAST_DIGITS 15

typedef struct {
    const unsigned char *p;
    size_t len;
    size_t i;         //  next byte to read
    const char *what; //  the problem, once there is one
    size_t at;        //  its byte offset
} s_scan_t;

//  The reason when the text is good but memory ran out.
static const char s_oom [] = "out of memory";

static cJSON *s_value (s_scan_t *sc, int depth);

static int
s_fail (s_scan_t *sc, size_t at, const char *what)
{
    sc->what = what;
    sc->at = at;
    return -1;
}

//  A new item of type, as cJSON's parser makes it (cJSON_Delete frees
//  it), or NULL with the reason set.
static cJSON *
s_item (s_scan_t *sc, int type)
{
    cJSON *item = cJSON_malloc (sizeof (cJSON));
    if (!item) {
        s_fail (sc, sc->i, s_oom);
        return NULL;
    }
    memset (item, 0, sizeof (*item));
    item->type = type;
    return item;
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

//  The string's text between its quotes, p[0..n), checked already, with
//  its escapes undone into out (at most n bytes and its end).
static void
s_unescape (const unsigned char *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t k = 0; k < n;) {
        if (p [k] != '\\') {
            out [o++] = (char) p [k++];
            continue;
        }
        unsigned char e = p [k + 1];
        if (e != 'u') {
            static const char from [] = "bfnrt", to [] = "\b\f\n\r\t";
            const char *f = strchr (from, e);
            out [o++] = f ? to [f - from] : (char) e; //  '"', '\\', '/'
            k += 2;
            continue;
        }
        unsigned cp, low;
        s_hex4 (p + k + 2, &cp);
        k += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            s_hex4 (p + k + 2, &low);
            k += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        if (cp < 0x80)
            out [o++] = (char) cp;
        else if (cp < 0x800) {
            out [o++] = (char) (0xC0 | (cp >> 6));
            out [o++] = (char) (0x80 | (cp & 0x3F));
        }
        else if (cp < 0x10000) {
            out [o++] = (char) (0xE0 | (cp >> 12));
            out [o++] = (char) (0x80 | ((cp >> 6) & 0x3F));
            out [o++] = (char) (0x80 | (cp & 0x3F));
        }
        else {
            out [o++] = (char) (0xF0 | (cp >> 18));
            out [o++] = (char) (0x80 | ((cp >> 12) & 0x3F));
            out [o++] = (char) (0x80 | ((cp >> 6) & 0x3F));
            out [o++] = (char) (0x80 | (cp & 0x3F));
        }
    }
    out [o] = '\0';
}

//  A byte that stands for itself inside a string: ' ' to '~' and DEL,
//  except the quote and the backslash.
static inline bool
s_plain (unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

//  The string at sc->i (its opening quote), as a new text (cJSON_free), or
//  NULL with the reason set.
static char *
s_string (s_scan_t *sc)
{
    size_t start = sc->i++; //  the opening quote
    bool escaped = false;
    while (sc->i < sc->len) {
        //  the common bytes first: printable ASCII other than '"' and '\\'
        while (sc->i < sc->len && s_plain (sc->p [sc->i]))
            sc->i++;
        if (sc->i >= sc->len)
            break;
        unsigned char c = sc->p [sc->i];
        if (c == '"') {
            sc->i++;
            const unsigned char *body = sc->p + start + 1;
            size_t n = sc->i - start - 2;
            char *out = cJSON_malloc (n + 1);
            if (!out) {
                s_fail (sc, start, s_oom);
                return NULL;
            }
            if (escaped)
                s_unescape (body, n, out);
            else {
                memcpy (out, body, n);
                out [n] = '\0';
            }
            return out;
        }
        if (c == 0) {
            s_fail (sc, sc->i, "a NUL byte in a string");
            return NULL;
        }
        if (c < 0x20) {
            s_fail (sc, sc->i, "a control character in a string (it must be escaped)");
            return NULL;
        }
        if (c == '\\') {
            if (sc->i + 1 >= sc->len)
                break;
            escaped = true;
            unsigned char e = sc->p [sc->i + 1];
            if (e == 'u') {
                if (s_unicode_escape (sc) < 0)
                    return NULL;
                continue;
            }
            if (!strchr ("\"\\/bfnrt", e) || e == 0) {
                s_fail (sc, sc->i, "an invalid escape in a string");
                return NULL;
            }
            sc->i += 2;
            continue;
        }
        if (c >= 0x80) {
            size_t n = ddc_utf8_seq (sc->p + sc->i, sc->len - sc->i);
            if (n == 0) {
                s_fail (sc, sc->i, "invalid UTF-8 in a string");
                return NULL;
            }
            sc->i += n;
            continue;
        }
        sc->i++;
    }
    s_fail (sc, start, "a string without its closing quote");
    return NULL;
}

static bool
s_digit (s_scan_t *sc)
{
    return sc->i < sc->len && sc->p [sc->i] >= '0' && sc->p [sc->i] <= '9';
}

//  -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? that a double holds,
//  into *out as strtod reads it (as cJSON does).
static int
s_number (s_scan_t *sc, double *out)
{
    size_t start = sc->i;
    bool negative = sc->p [sc->i] == '-', whole = true;
    if (negative)
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
        whole = false;
        sc->i++;
        if (!s_digit (sc))
            return s_fail (sc, start, "a malformed number (no digit after the point)");
        while (s_digit (sc))
            sc->i++;
    }
    if (sc->i < sc->len && (sc->p [sc->i] == 'e' || sc->p [sc->i] == 'E')) {
        whole = false;
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
    size_t digits = n - (negative ? 1 : 0);
    if (whole && digits <= S_FAST_DIGITS) {
        //  exact below 2^53, as strtod gives it; "-0" is -0.0 as there
        uint64_t v = 0;
        for (size_t k = start + (negative ? 1 : 0); k < sc->i; k++)
            v = v * 10 + (uint64_t) (sc->p [k] - '0');
        *out = negative ? -(double) v : (double) v;
        return 0;
    }
    char buf [DDC_JSON_MAX_NUMBER + 1];
    memcpy (buf, sc->p + start, n);
    buf [n] = '\0';
    *out = strtod (buf, NULL);
    if (!isfinite (*out))
        return s_fail (sc, start, "a number too large for a double");
    return 0;
}

//  A literal at sc->i, an item of type.
static cJSON *
s_literal (s_scan_t *sc, const char *word, int type)
{
    size_t n = strlen (word);
    if (sc->len - sc->i < n || memcmp (sc->p + sc->i, word, n) != 0) {
        s_unexpected (sc, "an unexpected character (not the start of a value)");
        return NULL;
    }
    cJSON *item = s_item (sc, type);
    if (item && type == cJSON_True)
        item->valueint = 1; //  as cJSON sets it
    sc->i += n;
    return item;
}

//  An object or an array at sc->i, one level deeper than depth. Its
//  members are linked as cJSON links them: next along, prev back, and the
//  first one's prev the last one.
static cJSON *
s_container (s_scan_t *sc, int depth)
{
    bool object = sc->p [sc->i] == '{';
    char close = object ? '}' : ']';
    if (depth + 1 > DDC_JSON_MAX_DEPTH) {
        s_fail (sc, sc->i, "nesting deeper than 64 levels");
        return NULL;
    }
    cJSON *self = s_item (sc, object ? cJSON_Object : cJSON_Array);
    if (!self)
        return NULL;
    sc->i++;
    s_skip_ws (sc);
    if (sc->i < sc->len && sc->p [sc->i] == close) {
        sc->i++;
        return self;
    }
    cJSON *last = NULL;
    for (;;) {
        char *name = NULL;
        if (object) {
            if (sc->i >= sc->len || sc->p [sc->i] != '"') {
                s_unexpected (sc, "an unexpected character (a member name was expected)");
                break;
            }
            if (!(name = s_string (sc)))
                break;
            s_skip_ws (sc);
            if (sc->i >= sc->len || sc->p [sc->i] != ':') {
                s_unexpected (sc, "an unexpected character (':' was expected)");
                cJSON_free (name);
                break;
            }
            sc->i++;
            s_skip_ws (sc);
        }
        cJSON *item = s_value (sc, depth + 1);
        if (!item) {
            cJSON_free (name);
            break;
        }
        item->string = name;
        if (last) {
            last->next = item;
            item->prev = last;
        }
        else
            self->child = item;
        last = item;
        self->child->prev = last;
        s_skip_ws (sc);
        if (sc->i < sc->len && sc->p [sc->i] == close) {
            sc->i++;
            return self;
        }
        if (sc->i >= sc->len || sc->p [sc->i] != ',') {
            s_unexpected (sc, object ? "an unexpected character (',' or '}' was expected)"
                                     : "an unexpected character (',' or ']' was expected)");
            break;
        }
        sc->i++;
        s_skip_ws (sc);
    }
    cJSON_Delete (self);
    return NULL;
}

static cJSON *
s_value (s_scan_t *sc, int depth)
{
    if (sc->i >= sc->len) {
        s_fail (sc, sc->i, "unexpected end of input");
        return NULL;
    }
    switch (sc->p [sc->i]) {
        case '{':
        case '[':
            return s_container (sc, depth);
        case '"': {
            cJSON *item = s_item (sc, cJSON_String);
            if (item && !(item->valuestring = s_string (sc))) {
                cJSON_Delete (item);
                item = NULL;
            }
            return item;
        }
        case 't':
            return s_literal (sc, "true", cJSON_True);
        case 'f':
            return s_literal (sc, "false", cJSON_False);
        case 'n':
            return s_literal (sc, "null", cJSON_NULL);
        default:
            if (sc->p [sc->i] == '-' || (sc->p [sc->i] >= '0' && sc->p [sc->i] <= '9')) {
                double number;
                if (s_number (sc, &number) < 0)
                    return NULL;
                cJSON *item = s_item (sc, cJSON_Number);
                if (item) {
                    //  cJSON's valueint: the number saturated to an int
                    item->valuedouble = number;
                    item->valueint = number >= INT_MAX            ? INT_MAX
                                     : number <= (double) INT_MIN ? INT_MIN
                                                                  : (int) number;
                }
                return item;
            }
            if (sc->len - sc->i >= 3 && memcmp (sc->p + sc->i, "\xEF\xBB\xBF", 3) == 0) {
                s_fail (sc, sc->i, "a byte order mark (U+FEFF)");
                return NULL;
            }
            s_unexpected (sc, "an unexpected character (not the start of a value)");
            return NULL;
    }
}

//  "what at line L, column C" with C counted in characters.
static void
s_reason (const s_scan_t *sc, char *err, size_t errlen)
{
    if (sc->what == s_oom) {
        snprintf (err, errlen, "cannot be read (out of memory)");
        return;
    }
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
    cJSON *json = s_value (&sc, 0);
    if (!json) {
        s_reason (&sc, err, errlen);
        return NULL;
    }
    s_skip_ws (&sc);
    if (sc.i < sc.len) {
        cJSON_Delete (json);
        s_fail (&sc, sc.i, "trailing bytes after the value");
        s_reason (&sc, err, errlen);
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

//  Where the printer writes: small pieces gather in a chunk that goes to
//  the buffer in one append when full (an append per piece, a quote or a
//  comma, cost a third of printing a large tree).
typedef struct {
    ddc_buf_t *buf;
    size_t n;
    char chunk [4096];
} s_out_t;

static void
s_flush (s_out_t *o)
{
    if (o->n)
        ddc_buf_add (o->buf, o->chunk, o->n);
    o->n = 0;
}

static inline void
s_put (s_out_t *o, const char *data, size_t len)
{
    if (len > sizeof (o->chunk) - o->n) {
        s_flush (o);
        if (len > sizeof (o->chunk)) {
            ddc_buf_add (o->buf, data, len);
            return;
        }
    }
    memcpy (o->chunk + o->n, data, len);
    o->n += len;
}

static inline void
s_putc (s_out_t *o, char c)
{
    if (o->n == sizeof (o->chunk))
        s_flush (o);
    o->chunk [o->n++] = c;
}

//  A string as cJSON quotes it: '"', '\\' and the control characters
//  escaped (\b \f \n \r \t by name, the others as \u00xx), every other
//  byte as it is; NULL as "".
static void
s_print_string (s_out_t *o, const char *s)
{
    static const char hex [] = "0123456789abcdef";
    s_putc (o, '"');
    const unsigned char *p = (const unsigned char *) (s ? s : "");
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 32 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            s_put (o, (const char *) run, (size_t) (p - run));
        if (!*p)
            break;
        //  escaped by name, or as \u00xx
        static const char named [] = "\"\\\b\f\n\r\t", names [] = "\"\\bfnrt";
        const char *at = strchr (named, *p);
        char esc [6] = { '\\', at ? names [at - named] : 'u', '0', '0', hex [*p >> 4], hex [*p & 15] };
        s_put (o, esc, at ? 2 : 6);
        p++;
    }
    s_putc (o, '"');
}

//  A number: a whole one below 10^15 in magnitude as its digits (what
//  "%1.15g" gives for it, and what reads back exactly), any other (-0,
//  fractions, large, NaN and infinities) by cJSON. false: cJSON failed.
static bool
s_print_number (s_out_t *o, const cJSON *item)
{
    double d = item->valuedouble;
    if (d > -1e15 && d < 1e15 && d == (double) (long long) d && !(d == 0 && signbit (d))) {
        char digits [24];
        bool negative = d < 0;
        size_t n = ddc_buf_fmt_u64 ((uint64_t) (negative ? -(long long) d : (long long) d), digits);
        if (negative)
            s_putc (o, '-');
        s_put (o, digits, n);
        return true;
    }
    cJSON alone = *item;
    alone.next = alone.prev = alone.child = NULL;
    alone.string = NULL;
    alone.type = cJSON_Number;
    char text [64];
    if (!cJSON_PrintPreallocated (&alone, text, (int) sizeof (text), false))
        return false;
    s_put (o, text, strlen (text));
    return true;
}

static bool
s_print (s_out_t *o, const cJSON *item)
{
    switch (item->type & 0xFF) {
        case cJSON_NULL:
            s_put (o, "null", 4);
            return true;
        case cJSON_False:
            s_put (o, "false", 5);
            return true;
        case cJSON_True:
            s_put (o, "true", 4);
            return true;
        case cJSON_Number:
            return s_print_number (o, item);
        case cJSON_String:
            s_print_string (o, item->valuestring);
            return true;
        case cJSON_Raw:
            if (!item->valuestring)
                return false;
            s_put (o, item->valuestring, strlen (item->valuestring));
            return true;
        case cJSON_Array:
        case cJSON_Object: {
            bool object = (item->type & 0xFF) == cJSON_Object;
            s_putc (o, object ? '{' : '[');
            for (const cJSON *child = item->child; child; child = child->next) {
                if (object) {
                    s_print_string (o, child->string);
                    s_putc (o, ':');
                }
                if (!s_print (o, child))
                    return false;
                if (child->next)
                    s_putc (o, ',');
            }
            s_putc (o, object ? '}' : ']');
            return true;
        }
        default:
            return false;
    }
}

bool
ddc_json_print_to (ddc_buf_t *out, const cJSON *item)
{
    if (!item)
        return false;
    s_out_t o = { .buf = out };
    bool ok = s_print (&o, item);
    s_flush (&o);
    return ok;
}

void
ddc_json_print_string (ddc_buf_t *out, const char *s)
{
    s_out_t o = { .buf = out };
    s_print_string (&o, s);
    s_flush (&o);
}

char *
ddc_json_print (const cJSON *item)
{
    if (!item)
        return NULL;
    ddc_buf_t *out = ddc_buf_new (DDC_BUF_UNBOUNDED);
    if (!ddc_json_print_to (out, item)) {
        ddc_buf_destroy (&out);
        return NULL;
    }
    ddc_buf_fit (out); //  held texts take no more than they need
    return ddc_buf_release (&out, NULL);
}
