/*  packed: a text held deflated once its owner had time. See packed.h. */
#include "packed.h"
#include "ddc_util.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct packed_t {
    char *text;            //  the text, or NULL once deflated
    unsigned char *packed; //  the text deflated, or NULL
    size_t len;            //  of the text
    size_t packed_len;
    bool tried; //  deflated once: not smaller, so kept as text
};

struct packed_stream_t {
    z_stream z;
    bool made;   //  deflateInit succeeded
    bool used;   //  a text went through since: reset before the next
    bool failed; //  deflateInit failed: texts stay as they are
};

packed_stream_t *
packed_stream_new (void)
{
    return ddc_calloc (1, sizeof (packed_stream_t));
}

void
packed_stream_destroy (packed_stream_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    if ((*self_p)->made)
        deflateEnd (&(*self_p)->z);
    free (*self_p);
    *self_p = NULL;
}

//  The stream ready for a new text, or false (zlib could not make it).
static bool
s_stream_ready (packed_stream_t *self)
{
    if (self->failed)
        return false;
    if (!self->made) {
        if (deflateInit (&self->z, Z_BEST_SPEED) != Z_OK) {
            self->failed = true;
            return false;
        }
        self->made = true;
    }
    else if (self->used && deflateReset (&self->z) != Z_OK)
        return false;
    self->used = true;
    return true;
}

packed_t *
packed_new (char **text_p, size_t len)
{
    packed_t *self = ddc_calloc (1, sizeof (*self));
    self->text = *text_p;
    self->len = len;
    *text_p = NULL;
    return self;
}

void
packed_destroy (packed_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->text);
    free ((*self_p)->packed);
    free (*self_p);
    *self_p = NULL;
}

//  The deflated form inflated into a new buffer of len + 1 bytes, or NULL.
static char *
s_inflate (const packed_t *self)
{
    char *text = ddc_malloc (self->len + 1);
    uLongf len = (uLongf) self->len;
    if (uncompress ((Bytef *) text, &len, self->packed, (uLong) self->packed_len) != Z_OK
        || len != self->len) {
        free (text);
        return NULL;
    }
    text [len] = '\0';
    return text;
}

char *
packed_text (const packed_t *self, size_t *len_p)
{
    char *text = self->text ? NULL : s_inflate (self);
    if (self->text) {
        text = ddc_malloc (self->len + 1);
        memcpy (text, self->text, self->len + 1);
    }
    if (text && len_p)
        *len_p = self->len;
    return text;
}

bool
packed_equals (const packed_t *self, const char *text, size_t len)
{
    if (len != self->len)
        return false;
    if (self->text)
        return memcmp (self->text, text, len) == 0;
    char *mine = s_inflate (self);
    bool same = mine && memcmp (mine, text, len) == 0;
    free (mine);
    return same;
}

size_t
packed_deflate (packed_t *self, packed_stream_t *stream)
{
    assert (stream);
    if (!self->text || self->tried)
        return 0;
    self->tried = true;
    if (self->len > UINT_MAX / 2 || !s_stream_ready (stream))
        return self->len; //  kept as text
    uLong bound = compressBound ((uLong) self->len);
    unsigned char *packed = ddc_malloc (bound);
    z_stream *z = &stream->z;
    z->next_in = (Bytef *) self->text;
    z->avail_in = (uInt) self->len;
    z->next_out = packed;
    z->avail_out = (uInt) bound;
    size_t len = 0;
    if (deflate (z, Z_FINISH) == Z_STREAM_END)
        len = (size_t) z->total_out;
    if (len == 0 || len >= self->len) {
        free (packed);
        return self->len;
    }
    free (self->text);
    self->text = NULL;
    self->packed = ddc_realloc (packed, len);
    self->packed_len = len;
    return self->len;
}

size_t
packed_len (const packed_t *self)
{
    return self->len;
}

size_t
packed_held (const packed_t *self)
{
    return self->text ? self->len : self->packed_len;
}

bool
packed_is_deflated (const packed_t *self)
{
    return self->packed != NULL;
}
