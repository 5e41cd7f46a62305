/*  ddc_json: the strict JSON parse entry point of every ddc program.
    Owns: what ddc accepts as JSON text from anywhere outside the process
    (DDCP frames, files, HTTP bodies, Docker and Discord replies): one
    RFC 8259 value and nothing else but whitespace around it, valid UTF-8
    throughout (raw bytes and \u escapes: no lone surrogates), no NUL and no
    raw control character in a string, numbers in the RFC's grammar that a
    double holds, at most DDC_JSON_MAX_DEPTH levels of nesting and at most
    max_len bytes. cJSON's own parser reads loosely (trailing bytes,
    "\u0000" cut short, bytes that are not UTF-8) and is not used: the
    text is checked and the tree built in one pass, the tree cJSON's
    parser would build from the same text (cJSON_Delete frees it).
    Also owns how ddc prints a tree: the text cJSON_PrintUnformatted gives,
    byte for byte, without its floating-point round trip for whole numbers.
    Also owns what ddc compares JSON trees with: equality (key order
    ignored) and the field paths of a difference (the broker's history and
    change lists), and the quoting of user text in such paths.
    Error convention: NULL and a one-line reason in err saying what is
    wrong and where ("trailing bytes after the value at line 1, column 3");
    the reason never quotes the input. Thread-safe (no global state). */
#ifndef DDC_JSON_H
#define DDC_JSON_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

//  Deeper nesting is refused: no ddc document comes near it, and it bounds
//  the recursion of every walk over a parsed tree.
#define DDC_JSON_MAX_DEPTH 64
//  cJSON reads at most 63 characters of a number; longer ones are refused.
#define DDC_JSON_MAX_NUMBER 63

//  Parse text[0..len) (it need not be NUL-terminated) into a new tree that
//  the caller frees with cJSON_Delete, or return NULL with the reason in
//  err[errlen] (err may be NULL). max_len bounds len.
cJSON *ddc_json_parse (const char *text, size_t len, size_t max_len, char *err, size_t errlen);

//  The text cJSON_PrintUnformatted (item) gives, byte for byte (caller
//  frees), or NULL where it gives NULL (item NULL or invalid, a raw item
//  without text). Whole numbers of magnitude below 10^15 are written as
//  their digits: cJSON (1.7.15) prints every number with "%1.15g" and
//  reads it back with sscanf, a few microseconds each, which the broker
//  paid on every save. Other numbers are printed by cJSON itself.
char *ddc_json_print (const cJSON *item);

typedef struct ddc_buf_t ddc_buf_t;
//  The same text appended to out; false (out then holds part of it) where
//  ddc_json_print gives NULL. For a record written as text around values.
bool ddc_json_print_to (ddc_buf_t *out, const cJSON *item);
//  s (NULL: "") as a JSON string, quoted and escaped as ddc_json_print
//  writes strings, appended to out.
void ddc_json_print_string (ddc_buf_t *out, const char *s);

//  Nesting depth beyond which equal/diff give up (see each).
#define DDC_JSON_CMP_DEPTH 32
//  Entries in a diff before the final "...".
#define DDC_JSON_DIFF_MAX 64
//  User text quoted in a path or message: at most this many characters.
#define DDC_JSON_SAFE_MAX 64

//  True if a and b are equal as JSON (cJSON_Compare semantics, keys
//  case-sensitive, object key order ignored). Two NULLs are equal. Values
//  nested deeper than DDC_JSON_CMP_DEPTH, or objects of more than 1024
//  members in different key order, compare unequal.
bool ddc_json_equal (const cJSON *a, const cJSON *b);

//  Paths of the fields that differ between two values (both borrowed,
//  either may be NULL), as a new cJSON array of strings (caller owns),
//  each starting with path: "bot.language", "containers[1].display_name",
//  "containers[3]" (element added or removed; arrays compare by index),
//  "spam.command_cooldowns.info" (key added, removed or changed). A value
//  of a different type or nested deeper than DDC_JSON_CMP_DEPTH is named
//  as a whole. At most DDC_JSON_DIFF_MAX paths, then a final "...". Only
//  names are reported, never values, so secrets appear by name only.
cJSON *ddc_json_diff (const char *path, const cJSON *old_value, const cJSON *new_value);

//  User text (NULL: "") for quoting in a path or message into out[size]:
//  printable ASCII only (others become '?'), at most DDC_JSON_SAFE_MAX
//  characters then "...".
void ddc_json_safe (char *out, size_t size, const char *in);

#endif
