/*  ddc_json: the strict JSON parse entry point of every ddc program.
    Owns: what ddc accepts as JSON text from anywhere outside the process
    (DDCP frames, files, HTTP bodies, Docker and Discord replies): one
    RFC 8259 value and nothing else but whitespace around it, valid UTF-8
    throughout (raw bytes and \u escapes: no lone surrogates), no NUL and no
    raw control character in a string, numbers in the RFC's grammar that a
    double holds, at most DDC_JSON_MAX_DEPTH levels of nesting and at most
    max_len bytes. The text is checked first, so that cJSON (which builds
    the tree) never sees anything it would read loosely: trailing bytes,
    "\u0000" cut short, bytes that are not UTF-8.
    Error convention: NULL and a one-line reason in err saying what is
    wrong and where ("trailing bytes after the value at line 1, column 3");
    the reason never quotes the input. Thread-safe (no global state). */
#ifndef DDC_JSON_H
#define DDC_JSON_H

#include <cJSON.h>
#include <stddef.h>

/* Deeper nesting is refused: no ddc document comes near it, and it bounds
   the recursion of every walk over a parsed tree. */
#define DDC_JSON_MAX_DEPTH 64
/* cJSON reads at most 63 characters of a number; longer ones are refused. */
#define DDC_JSON_MAX_NUMBER 63

/* Parse text[0..len) (it need not be NUL-terminated) into a new tree that
   the caller frees with cJSON_Delete, or return NULL with the reason in
   err[errlen] (err may be NULL). max_len bounds len. */
cJSON *ddc_json_parse (const char *text, size_t len, size_t max_len, char *err, size_t errlen);

#endif
