/*  form: the parsers of what a browser (and the proxy in front) sends: an
    application/x-www-form-urlencoded body or query string, the Cookie
    header and X-Forwarded-For. Kore-free, fuzzed (tests/fuzz/fuzz_web.c,
    fuzz_web_auth.c).
    Every input is bounded (fields, key and value sizes) and checked: bad
    percent-escapes, invalid UTF-8 and control characters (other than line
    breaks and tabs in values) are refused with a reason, never guessed at.
    Line breaks in values are normalised to "\n" (browsers send "\r\n"). */
#ifndef WEB_FORM_H
#define WEB_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define FORM_MAX_FIELDS 16384
#define FORM_MAX_KEY 128
#define FORM_MAX_VALUE (64 * 1024)

typedef struct form_t form_t;

//  Parse len bytes of data (not NUL-terminated). Returns a new form, or
//  NULL with a reason (English, no input echoed) in err[errlen].
form_t *form_parse (const char *data, size_t len, char *err, size_t errlen);
//  Frees the form; its values are wiped first (they may be passwords).
void form_destroy (form_t **self_p);

size_t form_size (const form_t *self);
//  i-th field in order (borrowed), or NULL past the end.
const char *form_key_at (const form_t *self, size_t i);
const char *form_value_at (const form_t *self, size_t i);
//  First value of key (borrowed) or NULL.
const char *form_get (const form_t *self, const char *key);
//  The n-th value of key (0-based), or NULL.
const char *form_get_nth (const form_t *self, const char *key, size_t n);
//  The keys given more than once, each once, in key order: the first with
//  at = 0, then pass the same at back for the next; NULL when no more.
const char *form_repeated (const form_t *self, size_t *at);
//  True when key is present with a value other than "", "0" or "off".
bool form_bool (const form_t *self, const char *key);

//  The value of cookie name in a Cookie header ("a=1; b=2") into
//  out[outlen]. 0, or -1 when absent, empty or too long.
int form_cookie (const char *header, const char *name, char *out, size_t outlen);

//  The client address of an X-Forwarded-For header ("client, proxy1, ...":
//  the last entry is the one the trusted proxy saw) into out[outlen]: the
//  entry up to its first byte that is not printable ASCII (it is logged and
//  sent to the broker as text). 0, or -1 when there is none or it does not
//  fit.
int form_forwarded_for (const char *header, char *out, size_t outlen);

#endif
