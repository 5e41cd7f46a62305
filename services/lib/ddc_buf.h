/*  ddc_buf: the growable, bounded buffer of every ddc program: text it
    writes (replies, reply bodies, metrics text, pages) and bytes it
    receives (Docker's replies and streams, gateway messages and their
    inflated payloads, request bodies, files), with the escapers every page of
    ddc-web uses (HTML text and attributes, JSON inside <script> data blocks,
    URL query values). A buffer that would pass its bound stops growing and
    remembers it (ddc_buf_overflow): callers check once at the end instead of
    at every append. A buffer also keeps marks: places in its text where
    something is to be inserted later (a page rendered once for every session
    gets each session's CSRF token there). Owned by one thread. */
#ifndef DDC_BUF_H
#define DDC_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ddc_buf_t ddc_buf_t;

//  The bound of a buffer that only memory limits.
#define DDC_BUF_UNBOUNDED (SIZE_MAX / 4)

//  New empty buffer that may hold at most max bytes (plus the NUL).
ddc_buf_t *ddc_buf_new (size_t max);
void ddc_buf_destroy (ddc_buf_t **self_p);

//  Room for n more bytes at once (within max): one allocation for a text
//  whose size is known, instead of doublings and their copies.
void ddc_buf_reserve (ddc_buf_t *self, size_t n);
//  Appends; they do nothing once the buffer has overflowed.
void ddc_buf_add (ddc_buf_t *self, const char *data, size_t len);
void ddc_buf_puts (ddc_buf_t *self, const char *s);
void ddc_buf_printf (ddc_buf_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
//  A number in decimal (no printf).
void ddc_buf_u64 (ddc_buf_t *self, uint64_t v);
//  v in decimal into out (NUL-terminated); returns its length.
size_t ddc_buf_fmt_u64 (uint64_t v, char out [24]);
//  ` name="value"` with value escaped as ddc_buf_html does (name is a trusted
//  literal); a NULL value gives an empty one.
void ddc_buf_attr (ddc_buf_t *self, const char *name, const char *value);
//  s with & < > " ' escaped: safe in element text and quoted attributes.
//  NULL appends nothing.
void ddc_buf_html (ddc_buf_t *self, const char *s);
void ddc_buf_html_n (ddc_buf_t *self, const char *s, size_t len);
//  JSON text made safe inside <script type="application/json">: < > & and
//  U+2028/2029 as \u escapes (valid JSON, cannot close the element).
void ddc_buf_json_script (ddc_buf_t *self, const char *json);
//  Percent-encoding of everything but A-Z a-z 0-9 - . _ ~ (query values).
void ddc_buf_url (ddc_buf_t *self, const char *s);
//  A template with {0}..{9} placeholders: the text is appended raw (it is
//  trusted HTML from a locale file), each argument HTML-escaped.
void ddc_buf_tmpl (ddc_buf_t *self, const char *tmpl, int argc, const char *const argv []);
//  The same with arguments that are HTML already (escaped or made by the
//  caller), appended as they are.
void ddc_buf_tmpl_html (ddc_buf_t *self, const char *tmpl, int argc, const char *const argv []);

//  Mark the current end of the text (see above).
void ddc_buf_mark (ddc_buf_t *self);
//  The marks so far (offsets into the text, ascending) and their count.
size_t ddc_buf_marks (const ddc_buf_t *self, const size_t **at_p);
//  Append the text of other and its marks.
void ddc_buf_append (ddc_buf_t *self, const ddc_buf_t *other);

//  Room for n more bytes at the end of the text, for a writer that fills
//  memory itself (read, inflate): where to write them, or NULL when they
//  would pass the bound (the buffer then overflows). Valid until the next
//  append (ddc_buf_commit does not move it); ddc_buf_commit then takes what
//  was written.
char *ddc_buf_room (ddc_buf_t *self, size_t n);
//  The first n bytes of the last ddc_buf_room join the text
//  (n at most the room asked for).
void ddc_buf_commit (ddc_buf_t *self, size_t n);
//  Drop the first n bytes of the text (all of it when n is not less than
//  its length), as a reader at the front does; marks move with the text
//  (those in the part dropped go), and a buffer that overflowed takes
//  appends again.
void ddc_buf_consume (ddc_buf_t *self, size_t n);

//  Empty the text and drop the marks.
void ddc_buf_reset (ddc_buf_t *self);
//  Cut the text back to its first len bytes (no-op when it is not longer),
//  dropping the marks past it; a buffer that overflowed takes appends again.
void ddc_buf_truncate (ddc_buf_t *self, size_t len);
//  Give back the memory past the text and its marks (a buffer kept for a
//  while after it was written); appends still work.
void ddc_buf_fit (ddc_buf_t *self);
bool ddc_buf_overflow (const ddc_buf_t *self);
size_t ddc_buf_len (const ddc_buf_t *self);
//  The text so far, NUL-terminated (borrowed; valid until the next append).
const char *ddc_buf_text (const ddc_buf_t *self);
//  Hand the text to the caller (free it) and destroy the buffer.
char *ddc_buf_release (ddc_buf_t **self_p, size_t *len_p);

#endif
