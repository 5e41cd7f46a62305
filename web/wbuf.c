/*  wbuf: bounded text buffer and escapers. See wbuf.h. */
#include "wbuf.h"

#include "ddc_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wbuf_t {
    char *data;
    size_t len, cap, max;
    bool overflow;
    size_t *marks;                      /* wbuf_mark offsets, ascending */
    size_t nmarks, capmarks;
};

wbuf_t *
wbuf_new (size_t max)
{
    wbuf_t *self = ddc_calloc (1, sizeof *self);
    self->max = max;
    self->cap = max < 1024 ? max + 1 : 1024;
    self->data = ddc_malloc (self->cap);
    self->data[0] = '\0';
    return self;
}

void
wbuf_destroy (wbuf_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->data);
    free ((*self_p)->marks);
    free (*self_p);
    *self_p = NULL;
}

/* Room for n more bytes and the NUL; false (and overflow) past max. */
static bool
s_reserve (wbuf_t *self, size_t n)
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
wbuf_add (wbuf_t *self, const char *data, size_t len)
{
    if (len == 0 || !s_reserve (self, len))
        return;
    memcpy (self->data + self->len, data, len);
    self->len += len;
    self->data[self->len] = '\0';
}

void
wbuf_puts (wbuf_t *self, const char *s)
{
    if (s)
        wbuf_add (self, s, strlen (s));
}

void
wbuf_printf (wbuf_t *self, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (small, sizeof small, fmt, ap);
    va_end (ap);
    if (n < 0)
        return;
    if ((size_t) n < sizeof small) {
        wbuf_add (self, small, (size_t) n);
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
wbuf_fmt_u64 (uint64_t v, char out[24])
{
    char digits[24];
    size_t i = sizeof digits;
    do {
        digits[--i] = (char) ('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy (out, digits + i, sizeof digits - i);
    out[sizeof digits - i] = '\0';
    return sizeof digits - i;
}

void
wbuf_u64 (wbuf_t *self, uint64_t v)
{
    char digits[24];
    wbuf_add (self, digits, wbuf_fmt_u64 (v, digits));
}

/* The replacement of each byte wbuf_html escapes, NULL for the others. */
static const char *const s_html_rep[256] = {
    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
    ['\0'] = "",
};

void
wbuf_html_n (wbuf_t *self, const char *s, size_t len)
{
    if (!s)
        return;
    size_t run = 0;                      /* bytes copied as they are */
    for (size_t i = 0; i < len; i++) {
        const char *rep = s_html_rep[(unsigned char) s[i]];
        if (rep) {
            wbuf_add (self, s + run, i - run);
            wbuf_puts (self, rep);
            run = i + 1;
        }
    }
    wbuf_add (self, s + run, len - run);
}

void
wbuf_html (wbuf_t *self, const char *s)
{
    if (s)
        wbuf_html_n (self, s, strlen (s));
}

void
wbuf_attr (wbuf_t *self, const char *name, const char *value)
{
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
    wbuf_html (self, value);
    wbuf_add (self, "\"", 1);
}

void
wbuf_json_script (wbuf_t *self, const char *json)
{
    if (!json)
        return;
    const unsigned char *p = (const unsigned char *) json;
    size_t run = 0, i = 0;
    for (; p[i]; i++) {
        const char *rep = NULL;
        size_t skip = 1;
        if (p[i] == '<')
            rep = "\\u003c";
        else if (p[i] == '>')
            rep = "\\u003e";
        else if (p[i] == '&')
            rep = "\\u0026";
        else if (p[i] == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
            rep = p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            skip = 3;
        }
        if (rep) {
            wbuf_add (self, json + run, i - run);
            wbuf_puts (self, rep);
            i += skip - 1;
            run = i + 1;
        }
    }
    wbuf_add (self, json + run, i - run);
}

void
wbuf_url (wbuf_t *self, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~')
            wbuf_add (self, (const char *) p, 1);
        else {
            char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
            wbuf_add (self, esc, 3);
        }
    }
}

void
wbuf_tmpl (wbuf_t *self, const char *tmpl, int argc, const char *const argv[])
{
    const char *p = tmpl ? tmpl : "";
    const char *run = p;
    while (*p) {
        if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
            int k = p[1] - '0';
            wbuf_add (self, run, (size_t) (p - run));
            if (k < argc && argv[k])
                wbuf_html (self, argv[k]);
            p += 3;
            run = p;
        }
        else
            p++;
    }
    wbuf_add (self, run, (size_t) (p - run));
}

static void
s_push_mark (wbuf_t *self, size_t at)
{
    if (self->nmarks == self->capmarks) {
        self->capmarks = self->capmarks ? self->capmarks * 2 : 4;
        self->marks = ddc_realloc (self->marks, self->capmarks * sizeof *self->marks);
    }
    self->marks[self->nmarks++] = at;
}

void
wbuf_mark (wbuf_t *self)
{
    if (!self->overflow)
        s_push_mark (self, self->len);
}

size_t
wbuf_marks (const wbuf_t *self, const size_t **at_p)
{
    *at_p = self->marks;
    return self->nmarks;
}

void
wbuf_append (wbuf_t *self, const wbuf_t *other)
{
    size_t base = self->len;
    wbuf_add (self, other->data, other->len);
    if (self->overflow)
        return;
    for (size_t i = 0; i < other->nmarks; i++)
        s_push_mark (self, base + other->marks[i]);
}

void
wbuf_reset (wbuf_t *self)
{
    self->len = 0;
    self->overflow = false;
    self->data[0] = '\0';
    self->nmarks = 0;
}

bool
wbuf_overflow (const wbuf_t *self)
{
    return self->overflow;
}

size_t
wbuf_len (const wbuf_t *self)
{
    return self->len;
}

const char *
wbuf_text (const wbuf_t *self)
{
    return self->data;
}

char *
wbuf_release (wbuf_t **self_p, size_t *len_p)
{
    wbuf_t *self = *self_p;
    char *data = self->data;
    if (len_p)
        *len_p = self->len;
    free (self->marks);
    free (self);
    *self_p = NULL;
    return data;
}
