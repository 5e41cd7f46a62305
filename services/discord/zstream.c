/*  zstream: zlib-stream inflation for the gateway. See zstream.h. */
#include "zstream.h"

#include "ddc_util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct _zstream_t {
    z_stream z;
    bool inited;
    unsigned char *in;
    size_t in_len, in_cap;
};

zstream_t *
zstream_new (void)
{
    zstream_t *self = ddc_calloc (1, sizeof (*self));
    zstream_reset (self);
    return self;
}

void
zstream_destroy (zstream_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zstream_t *self = *self_p;
    if (self->inited)
        inflateEnd (&self->z);
    free (self->in);
    free (self);
    *self_p = NULL;
}

void
zstream_reset (zstream_t *self)
{
    if (self->inited)
        inflateEnd (&self->z);
    memset (&self->z, 0, sizeof (self->z));
    self->inited = inflateInit (&self->z) == Z_OK;
    free (self->in);
    self->in = NULL;
    self->in_len = self->in_cap = 0;
}

int
zstream_push (zstream_t *self, const void *data, size_t len, char **out_p, size_t *out_len)
{
    *out_p = NULL;
    *out_len = 0;
    if (!self->inited || self->in_len + len > ZSTREAM_IN_MAX)
        return -1;
    if (len == 0)
        return 0; //  an empty message completes nothing
    if (self->in_len + len > self->in_cap) {
        size_t cap = self->in_cap ? self->in_cap : 4096;
        while (cap < self->in_len + len)
            cap *= 2;
        self->in = ddc_realloc (self->in, cap);
        self->in_cap = cap;
    }
    memcpy (self->in + self->in_len, data, len);
    self->in_len += len;
    if (self->in_len < 4 || memcmp (self->in + self->in_len - 4, "\x00\x00\xff\xff", 4) != 0)
        return 0;

    size_t cap = self->in_len * 4 + 256, used = 0;
    if (cap > ZSTREAM_OUT_MAX + 1)
        cap = ZSTREAM_OUT_MAX + 1;
    char *out = ddc_malloc (cap);
    self->z.next_in = self->in;
    self->z.avail_in = (uInt) self->in_len;
    int rc = Z_OK;
    while (true) {
        if (used + 1 >= cap) {
            if (cap > ZSTREAM_OUT_MAX) {
                free (out);
                return -1;
            }
            cap *= 2;
            if (cap > ZSTREAM_OUT_MAX + 1)
                cap = ZSTREAM_OUT_MAX + 1;
            out = ddc_realloc (out, cap);
        }
        self->z.next_out = (unsigned char *) out + used;
        self->z.avail_out = (uInt) (cap - 1 - used);
        rc = inflate (&self->z, Z_SYNC_FLUSH);
        used = cap - 1 - self->z.avail_out;
        if (rc == Z_BUF_ERROR && self->z.avail_in == 0)
            break; //  everything consumed
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK) {
            free (out);
            return -1;
        }
        if (self->z.avail_in == 0 && self->z.avail_out > 0)
            break;
    }
    if (used > ZSTREAM_OUT_MAX) {
        free (out);
        return -1;
    }
    self->in_len = 0;
    if (self->in_cap > 65536) {
        free (self->in);
        self->in = NULL;
        self->in_cap = 0;
    }
    out [used] = '\0';
    *out_p = out;
    *out_len = used;
    return 1;
}
