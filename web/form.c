/*  form: urlencoded and Cookie parsing. See form.h. */
#include "form.h"

#include "ddc_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    char *value;
} s_pair_t;

typedef struct {
    const char *key;
    size_t at;
} s_key_ref_t;

struct form_t {
    s_pair_t *fields;
    size_t count, cap;
    s_key_ref_t *by_key; /* the fields by key, then position: a
                                    section's form has thousands         */
};

static int
s_hex (char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

//  Decode src[0..len) into a new string; is_value allows line breaks and
//  tabs (CR LF and lone CR become LF). NULL with err on bad input.
static char *
s_decode (const char *src, size_t len, bool is_value, size_t max, char *err, size_t errlen)
{
    char *out = ddc_malloc (len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src [i];
        if (c == '+')
            c = ' ';
        else if (c == '%') {
            if (i + 2 >= len) {
                snprintf (err, errlen, "a %%-escape is cut short");
                free (out);
                return NULL;
            }
            int h = s_hex (src [i + 1]), l = s_hex (src [i + 2]);
            if (h < 0 || l < 0) {
                snprintf (err, errlen, "a %%-escape is not two hexadecimal digits");
                free (out);
                return NULL;
            }
            c = (char) (h * 16 + l);
            i += 2;
        }
        out [o++] = c;
    }
    out [o] = '\0';
    if (!ddc_utf8_valid (out, o)) {
        snprintf (err, errlen, "a %s is not valid UTF-8", is_value ? "value" : "field name");
        free (out);
        return NULL;
    }
    //  control characters; normalise line breaks in values
    size_t w = 0;
    for (size_t r = 0; r < o; r++) {
        unsigned char c = (unsigned char) out [r];
        if (is_value && c == '\r') {
            out [w++] = '\n';
            if (r + 1 < o && out [r + 1] == '\n')
                r++;
            continue;
        }
        if ((c < 0x20 && !(is_value && (c == '\n' || c == '\t'))) || c == 0x7F) {
            snprintf (err, errlen, "a %s holds a control character",
                      is_value ? "value" : "field name");
            free (out);
            return NULL;
        }
        out [w++] = (char) c;
    }
    out [w] = '\0';
    if (w > max) {
        snprintf (err, errlen, "a %s is longer than %zu bytes", is_value ? "value" : "field name",
                  max);
        free (out);
        return NULL;
    }
    return out;
}

static int
s_key_cmp_ref (const void *a, const void *b)
{
    const s_key_ref_t *x = a, *y = b;
    int c = strcmp (x->key, y->key);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

static void
s_key_index (form_t *self)
{
    self->by_key = ddc_malloc ((self->count ? self->count : 1) * sizeof (*self->by_key));
    for (size_t i = 0; i < self->count; i++)
        self->by_key [i] = (s_key_ref_t){ self->fields [i].key, i };
    qsort (self->by_key, self->count, sizeof (*self->by_key), s_key_cmp_ref);
}

form_t *
form_parse (const char *data, size_t len, char *err, size_t errlen)
{
    form_t *self = ddc_calloc (1, sizeof (*self));
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && data [end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr (data + i, '=', end - i);
            size_t klen = eq ? (size_t) (eq - (data + i)) : end - i;
            const char *vsrc = eq ? eq + 1 : data + end;
            size_t vlen = eq ? (size_t) (data + end - vsrc) : 0;
            if (klen == 0) {
                snprintf (err, errlen, "a field has no name");
                form_destroy (&self);
                return NULL;
            }
            //  cheap bounds before decoding: an escape shrinks 3 bytes to 1
            if (klen > FORM_MAX_KEY * 3 || vlen > FORM_MAX_VALUE * 3) {
                snprintf (err, errlen, "a %s is too long",
                          klen > FORM_MAX_KEY * 3 ? "field name" : "value");
                form_destroy (&self);
                return NULL;
            }
            if (self->count == FORM_MAX_FIELDS) {
                snprintf (err, errlen, "more than %d fields", FORM_MAX_FIELDS);
                form_destroy (&self);
                return NULL;
            }
            char *key = s_decode (data + i, klen, false, FORM_MAX_KEY, err, errlen);
            if (!key) {
                form_destroy (&self);
                return NULL;
            }
            char *value = s_decode (vsrc, vlen, true, FORM_MAX_VALUE, err, errlen);
            if (!value) {
                free (key);
                form_destroy (&self);
                return NULL;
            }
            if (!*key) {
                free (key);
                free (value);
                snprintf (err, errlen, "a field has no name");
                form_destroy (&self);
                return NULL;
            }
            if (self->count == self->cap) {
                self->cap = self->cap ? self->cap * 2 : 16;
                self->fields = ddc_realloc (self->fields, self->cap * sizeof (*self->fields));
            }
            self->fields [self->count].key = key;
            self->fields [self->count].value = value;
            self->count++;
        }
        i = end + 1;
    }
    s_key_index (self);
    return self;
}

void
form_destroy (form_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    form_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        free (self->fields [i].key);
        //  a value may be a password
        explicit_bzero (self->fields [i].value, strlen (self->fields [i].value));
        free (self->fields [i].value);
    }
    free (self->fields);
    free (self->by_key);
    free (self);
    *self_p = NULL;
}

size_t
form_size (const form_t *self)
{
    return self ? self->count : 0;
}

const char *
form_key_at (const form_t *self, size_t i)
{
    return self && i < self->count ? self->fields [i].key : NULL;
}

const char *
form_value_at (const form_t *self, size_t i)
{
    return self && i < self->count ? self->fields [i].value : NULL;
}

const char *
form_repeated (const form_t *self, size_t *at)
{
    if (!self)
        return NULL;
    for (size_t i = *at; i + 1 < self->count; i++) {
        if (strcmp (self->by_key [i].key, self->by_key [i + 1].key) != 0)
            continue;
        const char *key = self->by_key [i].key;
        while (i + 1 < self->count && strcmp (self->by_key [i + 1].key, key) == 0)
            i++;
        *at = i + 1;
        return key;
    }
    *at = self->count;
    return NULL;
}

const char *
form_get_nth (const form_t *self, const char *key, size_t n)
{
    if (!self || !key)
        return NULL;
    //  the first of key's entries in by_key, then the n-th after it
    size_t lo = 0, hi = self->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp (self->by_key [mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo + n < self->count && strcmp (self->by_key [lo + n].key, key) == 0)
        return self->fields [self->by_key [lo + n].at].value;
    return NULL;
}

const char *
form_get (const form_t *self, const char *key)
{
    return form_get_nth (self, key, 0);
}

bool
form_bool (const form_t *self, const char *key)
{
    const char *v = form_get (self, key);
    return v && *v && strcmp (v, "0") != 0 && strcmp (v, "off") != 0;
}

int
form_cookie (const char *header, const char *name, char *out, size_t outlen)
{
    if (!header || !name || !outlen)
        return -1;
    size_t nlen = strlen (name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ';')
            p++;
        const char *eq = memchr (start, '=', (size_t) (p - start));
        if (eq && (size_t) (eq - start) == nlen && memcmp (start, name, nlen) == 0) {
            const char *v = eq + 1;
            size_t vlen = (size_t) (p - v);
            while (vlen && (v [vlen - 1] == ' ' || v [vlen - 1] == '\t'))
                vlen--;
            if (vlen >= 2 && v [0] == '"' && v [vlen - 1] == '"') {
                v++;
                vlen -= 2;
            }
            if (vlen == 0 || vlen >= outlen)
                return -1;
            memcpy (out, v, vlen);
            out [vlen] = '\0';
            return 0;
        }
    }
    return -1;
}

int
form_forwarded_for (const char *header, char *out, size_t outlen)
{
    if (outlen)
        out [0] = '\0';
    if (!header || !*header || outlen == 0)
        return -1;
    const char *last = strrchr (header, ',');
    last = last ? last + 1 : header;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t n = 0;
    while ((unsigned char) last [n] > 0x20 && (unsigned char) last [n] < 0x7f)
        n++;
    if (n == 0 || n >= outlen)
        return -1;
    memcpy (out, last, n);
    out [n] = '\0';
    return 0;
}
