/*  packed: a text held deflated once its owner had time. See packed.h. */
#include "packed.h"
#include "ddc_util.h"

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
packed_deflate (packed_t *self)
{
    if (!self->text || self->tried)
        return 0;
    self->tried = true;
    uLongf len = compressBound ((uLong) self->len);
    unsigned char *packed = ddc_malloc (len);
    if (compress2 (packed, &len, (const Bytef *) self->text, (uLong) self->len, Z_BEST_SPEED) != Z_OK
        || len >= self->len) {
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
