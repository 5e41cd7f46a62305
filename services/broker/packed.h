/*  packed: a text the broker keeps for a long time but reads seldom (a
    history value, config.json as last written), held as the text until
    the owner has a quiet moment to deflate it (zlib, the fastest level:
    some 1 ms for 300 KB of JSON, which keeps about a twentieth of it),
    then deflated. A text that does not get smaller stays as it is. Reading
    gives a copy of the text. Single-threaded. */
#ifndef DDC_PACKED_H
#define DDC_PACKED_H

#include <stdbool.h>
#include <stddef.h>

typedef struct packed_t packed_t;

//  A text of len bytes (a NUL after them): *text_p is taken and set to
//  NULL.
packed_t *packed_new (char **text_p, size_t len);
void packed_destroy (packed_t **self_p);

//  The text, NUL-terminated, its length in *len_p when given (caller
//  frees); NULL only if the deflated form does not inflate to it (memory
//  gone bad).
char *packed_text (const packed_t *self, size_t *len_p);
//  true when text[len] is the text, byte for byte.
bool packed_equals (const packed_t *self, const char *text, size_t len);
//  One deflate stream for the packed_deflate calls of one pass over many
//  texts: zlib's state (some 270 KiB, zeroed as it is made) is made at
//  the pass's first deflate and reset for each further text, instead of
//  made and freed for every text (a few hundred microseconds each, in
//  page faults mostly, where the heap's top went back to the system in
//  between). The bytes are those of compress2 at the same level.
typedef struct packed_stream_t packed_stream_t;
packed_stream_t *packed_stream_new (void);
void packed_stream_destroy (packed_stream_t **self_p);

//  Deflate the text with stream if it is still held as text and was not
//  tried yet. Returns the bytes of text it deflated (or tried to), 0 when
//  it had nothing to do.
size_t packed_deflate (packed_t *self, packed_stream_t *stream);

size_t packed_len (const packed_t *self);  //  of the text
size_t packed_held (const packed_t *self); //  bytes held now: the text or its deflated form
bool packed_is_deflated (const packed_t *self);

#endif
