/*  wbuf: a growable, bounded text buffer with the escapers every page of
    ddc-web uses (HTML text and attributes, JSON inside <script> data blocks,
    URL query values). Kore-free. A buffer that would pass its bound stops
    growing and remembers it (wbuf_overflow): callers check once at the end
    instead of at every append. A buffer also keeps marks: places in its
    text where something is to be inserted later (a page rendered once for
    every session gets each session's CSRF token there). Owned by one
    thread. */
#ifndef WEB_WBUF_H
#define WEB_WBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wbuf_t wbuf_t;

/* New empty buffer that may hold at most max bytes (plus the NUL). */
wbuf_t *wbuf_new (size_t max);
void wbuf_destroy (wbuf_t **self_p);

/* Appends; they do nothing once the buffer has overflowed. */
void wbuf_add (wbuf_t *self, const char *data, size_t len);
void wbuf_puts (wbuf_t *self, const char *s);
void wbuf_printf (wbuf_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* A number in decimal (no printf). */
void wbuf_u64 (wbuf_t *self, uint64_t v);
/* v in decimal into out (NUL-terminated); returns its length. */
size_t wbuf_fmt_u64 (uint64_t v, char out[24]);
/* ` name="value"` with value escaped as wbuf_html does (name is a trusted
   literal); a NULL value gives an empty one. */
void wbuf_attr (wbuf_t *self, const char *name, const char *value);
/* s with & < > " ' escaped: safe in element text and quoted attributes.
   NULL appends nothing. */
void wbuf_html (wbuf_t *self, const char *s);
void wbuf_html_n (wbuf_t *self, const char *s, size_t len);
/* JSON text made safe inside <script type="application/json">: < > & and
   U+2028/2029 as \u escapes (valid JSON, cannot close the element). */
void wbuf_json_script (wbuf_t *self, const char *json);
/* Percent-encoding of everything but A-Z a-z 0-9 - . _ ~ (query values). */
void wbuf_url (wbuf_t *self, const char *s);
/* A template with {0}..{9} placeholders: the text is appended raw (it is
   trusted HTML from a locale file), each argument HTML-escaped. */
void wbuf_tmpl (wbuf_t *self, const char *tmpl, int argc, const char *const argv[]);

/* Mark the current end of the text (see above). */
void wbuf_mark (wbuf_t *self);
/* The marks so far (offsets into the text, ascending) and their count. */
size_t wbuf_marks (const wbuf_t *self, const size_t **at_p);
/* Append the text of other and its marks. */
void wbuf_append (wbuf_t *self, const wbuf_t *other);

/* Empty the text and drop the marks. */
void wbuf_reset (wbuf_t *self);
bool wbuf_overflow (const wbuf_t *self);
size_t wbuf_len (const wbuf_t *self);
/* The text so far, NUL-terminated (borrowed; valid until the next append). */
const char *wbuf_text (const wbuf_t *self);
/* Hand the text to the caller (free it) and destroy the buffer. */
char *wbuf_release (wbuf_t **self_p, size_t *len_p);

#endif
