/*  ddc_buf: bounded text buffer and escapers. See ddc_buf.h. */
#include "ddc_buf.h"

#include "ddc_util.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ddc_buf_t {
    char *data;
    size_t len, cap, max;
    bool overflow;
    size_t *marks; //  ddc_buf_mark offsets, ascending
    size_t nmarks, capmarks;
};

ddc_buf_t *
ddc_buf_new (size_t max)
{
    ddc_buf_t *self = ddc_calloc (1, sizeof (*self));
    self->max = max;
    self->cap = max < 1024 ? max + 1 : 1024;
    self->data = ddc_malloc (self->cap);
    self->data [0] = '\0';
    return self;
}

void
ddc_buf_destroy (ddc_buf_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->data);
    free ((*self_p)->marks);
    free (*self_p);
    *self_p = NULL;
}

//  Room for n more bytes and the NUL; false (and overflow) past max.
static bool
s_reserve (ddc_buf_t *self, size_t n)
{
    if (self->overflow)
        return false;
    if (n > self->max - self->len) {
        self->overflow = true;
        return false;
    }
    size_t need = self->len + n + 1;
    if (need > self->cap) {
        size_t cap = self->cap * 2;
        while (cap < need)
            cap *= 2;
        if (cap > self->max + 1)
            cap = self->max + 1;
        self->data = ddc_realloc (self->data, cap);
        self->cap = cap;
    }
    return true;
}

void
ddc_buf_reserve (ddc_buf_t *self, size_t n)
{
    assert (self);
    if (self->overflow)
        return;
    size_t room = self->max - self->len;
    size_t need = self->len + (n < room ? n : room) + 1;
    if (need > self->cap) {
        self->data = ddc_realloc (self->data, need);
        self->cap = need;
    }
}

void
ddc_buf_add (ddc_buf_t *self, const char *data, size_t len)
{
    assert (self);
    if (len == 0 || !s_reserve (self, len))
        return;
    memcpy (self->data + self->len, data, len);
    self->len += len;
    self->data [self->len] = '\0';
}

void
ddc_buf_puts (ddc_buf_t *self, const char *s)
{
    assert (self);
    if (s)
        ddc_buf_add (self, s, strlen (s));
}

void
ddc_buf_printf (ddc_buf_t *self, const char *fmt, ...)
{
    assert (self);
    char small [256];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (small, sizeof (small), fmt, ap);
    va_end (ap);
    if (n < 0)
        return;
    if ((size_t) n < sizeof (small)) {
        ddc_buf_add (self, small, (size_t) n);
        return;
    }
    if (!s_reserve (self, (size_t) n))
        return;
    va_start (ap, fmt);
    vsnprintf (self->data + self->len, (size_t) n + 1, fmt, ap);
    va_end (ap);
    self->len += (size_t) n;
}

size_t
ddc_buf_fmt_u64 (uint64_t v, char out [24])
{
    char digits [24];
    size_t i = sizeof (digits);
    do {
        digits [--i] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy (out, digits + i, sizeof (digits) - i);
    out [sizeof (digits) - i] = '\0';
    return sizeof (digits) - i;
}

void
ddc_buf_u64 (ddc_buf_t *self, uint64_t v)
{
    assert (self);
    char digits [24];
    ddc_buf_add (self, digits, ddc_buf_fmt_u64 (v, digits));
}

//  The replacement of each byte ddc_buf_html escapes, NULL for the others.
static const char *const s_html_rep [256] = {
    ['&'] = "&amp;",  ['<'] = "&lt;",   ['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&#39;", ['\0'] = "",
};

void
ddc_buf_html_n (ddc_buf_t *self, const char *s, size_t len)
{
    assert (self);
    if (!s)
        return;
    size_t run = 0; //  bytes copied as they are
    for (size_t i = 0; i < len; i++) {
        const char *rep = s_html_rep [(unsigned char) s [i]];
        if (rep) {
            ddc_buf_add (self, s + run, i - run);
            ddc_buf_puts (self, rep);
            run = i + 1;
        }
    }
    ddc_buf_add (self, s + run, len - run);
}

void
ddc_buf_html (ddc_buf_t *self, const char *s)
{
    assert (self);
    if (s)
        ddc_buf_html_n (self, s, strlen (s));
}

void
ddc_buf_attr (ddc_buf_t *self, const char *name, const char *value)
{
    assert (self);
    size_t n = strlen (name);
    if (!s_reserve (self, n + 3))
        return;
    char *p = self->data + self->len;
    *p++ = ' ';
    memcpy (p, name, n);
    p += n;
    *p++ = '=';
    *p++ = '"';
    *p = '\0';
    self->len += n + 3;
    ddc_buf_html (self, value);
    ddc_buf_add (self, "\"", 1);
}

void
ddc_buf_json_script (ddc_buf_t *self, const char *json)
{
    assert (self);
    if (!json)
        return;
    const unsigned char *p = (const unsigned char *) json;
    size_t run = 0, i = 0;
    for (; p [i]; i++) {
        const char *rep = NULL;
        size_t skip = 1;
        if (p [i] == '<')
            rep = "\\u003c";
        else if (p [i] == '>')
            rep = "\\u003e";
        else if (p [i] == '&')
            rep = "\\u0026";
        else if (p [i] == 0xE2 && p [i + 1] == 0x80 && (p [i + 2] == 0xA8 || p [i + 2] == 0xA9)) {
            rep = p [i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            skip = 3;
        }
        if (rep) {
            ddc_buf_add (self, json + run, i - run);
            ddc_buf_puts (self, rep);
            i += skip - 1;
            run = i + 1;
        }
    }
    ddc_buf_add (self, json + run, i - run);
}

void
ddc_buf_url (ddc_buf_t *self, const char *s)
{
    assert (self);
    static const char hex [] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
            || c == '.' || c == '_' || c == '~')
            ddc_buf_add (self, (const char *) p, 1);
        else {
            char esc [3] = { '%', hex [c >> 4], hex [c & 15] };
            ddc_buf_add (self, esc, 3);
        }
    }
}

static void
s_tmpl (ddc_buf_t *self, const char *tmpl, int argc, const char *const argv [], bool escape)
{
    assert (self);
    const char *p = tmpl ? tmpl : "";
    const char *run = p;
    while (*p) {
        if (p [0] == '{' && p [1] >= '0' && p [1] <= '9' && p [2] == '}') {
            int k = p [1] - '0';
            ddc_buf_add (self, run, (size_t) (p - run));
            if (k < argc && argv [k] && escape)
                ddc_buf_html (self, argv [k]);
            else if (k < argc && argv [k])
                ddc_buf_puts (self, argv [k]);
            p += 3;
            run = p;
        }
        else
            p++;
    }
    ddc_buf_add (self, run, (size_t) (p - run));
}

void
ddc_buf_tmpl (ddc_buf_t *self, const char *tmpl, int argc, const char *const argv [])
{
    s_tmpl (self, tmpl, argc, argv, true);
}

void
ddc_buf_tmpl_html (ddc_buf_t *self, const char *tmpl, int argc, const char *const argv [])
{
    s_tmpl (self, tmpl, argc, argv, false);
}

static void
s_push_mark (ddc_buf_t *self, size_t at)
{
    if (self->nmarks == self->capmarks) {
        self->capmarks = self->capmarks ? self->capmarks * 2 : 4;
        self->marks = ddc_realloc (self->marks, self->capmarks * sizeof (*self->marks));
    }
    self->marks [self->nmarks++] = at;
}

void
ddc_buf_mark (ddc_buf_t *self)
{
    assert (self);
    if (!self->overflow)
        s_push_mark (self, self->len);
}

size_t
ddc_buf_marks (const ddc_buf_t *self, const size_t **at_p)
{
    assert (self);
    *at_p = self->marks;
    return self->nmarks;
}

void
ddc_buf_append (ddc_buf_t *self, const ddc_buf_t *other)
{
    assert (self);
    size_t base = self->len;
    ddc_buf_add (self, other->data, other->len);
    if (self->overflow)
        return;
    for (size_t i = 0; i < other->nmarks; i++)
        s_push_mark (self, base + other->marks [i]);
}

char *
ddc_buf_room (ddc_buf_t *self, size_t n)
{
    assert (self);
    return s_reserve (self, n) ? self->data + self->len : NULL;
}

void
ddc_buf_commit (ddc_buf_t *self, size_t n)
{
    assert (self);
    assert (!self->overflow && n < self->cap - self->len);
    self->len += n;
    self->data [self->len] = '\0';
}

void
ddc_buf_consume (ddc_buf_t *self, size_t n)
{
    assert (self);
    if (n > self->len)
        n = self->len;
    memmove (self->data, self->data + n, self->len - n);
    self->len -= n;
    self->data [self->len] = '\0';
    self->overflow = false;
    size_t kept = 0;
    for (size_t i = 0; i < self->nmarks; i++)
        if (self->marks [i] >= n)
            self->marks [kept++] = self->marks [i] - n;
    self->nmarks = kept;
}

void
ddc_buf_reset (ddc_buf_t *self)
{
    assert (self);
    self->len = 0;
    self->overflow = false;
    self->data [0] = '\0';
    self->nmarks = 0;
}

void
ddc_buf_truncate (ddc_buf_t *self, size_t len)
{
    assert (self);
    if (len >= self->len)
        return;
    self->len = len;
    self->data [len] = '\0';
    self->overflow = false;
    while (self->nmarks > 0 && self->marks [self->nmarks - 1] > len)
        self->nmarks--;
}

void
ddc_buf_fit (ddc_buf_t *self)
{
    assert (self);
    if (self->cap > self->len + 1) {
        self->data = ddc_realloc (self->data, self->len + 1);
        self->cap = self->len + 1;
    }
    if (self->capmarks > self->nmarks) {
        if (self->nmarks)
            self->marks = ddc_realloc (self->marks, self->nmarks * sizeof (*self->marks));
        else {
            free (self->marks);
            self->marks = NULL;
        }
        self->capmarks = self->nmarks;
    }
}

bool
ddc_buf_overflow (const ddc_buf_t *self)
{
    assert (self);
    return self->overflow;
}

size_t
ddc_buf_len (const ddc_buf_t *self)
{
    assert (self);
    return self->len;
}

const char *
ddc_buf_text (const ddc_buf_t *self)
{
    assert (self);
    return self->data;
}

char *
ddc_buf_release (ddc_buf_t **self_p, size_t *len_p)
{
    assert (self_p && *self_p);
    ddc_buf_t *self = *self_p;
    char *data = self->data;
    if (len_p)
        *len_p = self->len;
    free (self->marks);
    free (self);
    *self_p = NULL;
    return data;
}
