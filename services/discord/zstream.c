/*  zstream: zlib-stream inflation for the gateway. See zstream.h. */
#include "zstream.h"

#include "ddc_buf.h"
#include "ddc_util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#define ZLIB_CONST //  next_in points to const bytes
#include <zlib.h>

//  A payload's input buffer is kept for the next one while it is this
//  small (its capacity at most 64 KiB).
#define S_IN_KEEP 65536

struct _zstream_t {
    z_stream z;
    bool inited;
    ddc_buf_t *in; //  the payload's compressed bytes; NULL until one comes
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
    ddc_buf_destroy (&self->in);
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
    ddc_buf_destroy (&self->in);
}

int
zstream_push (zstream_t *self, const void *data, size_t len, char **out_p, size_t *out_len)
{
    *out_p = NULL;
    *out_len = 0;
    size_t in_len = self->in ? ddc_buf_len (self->in) : 0;
    if (!self->inited || in_len + len > ZSTREAM_IN_MAX)
        return -1;
    if (len == 0)
        return 0; //  an empty message completes nothing
    if (!self->in)
        self->in = ddc_buf_new (ZSTREAM_IN_MAX);
    ddc_buf_add (self->in, data, len);
    in_len += len;
    const char *in = ddc_buf_text (self->in);
    if (in_len < 4 || memcmp (in + in_len - 4, "\x00\x00\xff\xff", 4) != 0)
        return 0;

    //  Inflated into room reserved step by step: in_len * 4 + 256 bytes
    //  first, then as much again as there is each time.
    ddc_buf_t *out = ddc_buf_new (ZSTREAM_OUT_MAX);
    self->z.next_in = (const Bytef *) in;
    self->z.avail_in = (uInt) in_len;
    while (true) {
        size_t used = ddc_buf_len (out);
        size_t room = used ? used : in_len * 4 + 256;
        if (room > ZSTREAM_OUT_MAX - used)
            room = ZSTREAM_OUT_MAX - used;
        char *at = room ? ddc_buf_room (out, room) : NULL;
        if (!at) {
            ddc_buf_destroy (&out);
            return -1; //  more than ZSTREAM_OUT_MAX bytes
        }
        self->z.next_out = (Bytef *) at;
        self->z.avail_out = (uInt) room;
        int rc = inflate (&self->z, Z_SYNC_FLUSH);
        ddc_buf_commit (out, room - self->z.avail_out);
        if (rc == Z_BUF_ERROR && self->z.avail_in == 0)
            break; //  everything consumed
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK) {
            ddc_buf_destroy (&out);
            return -1;
        }
        if (self->z.avail_in == 0 && self->z.avail_out > 0)
            break;
    }
    if (in_len < S_IN_KEEP)
        ddc_buf_reset (self->in);
    else
        ddc_buf_destroy (&self->in);
    *out_p = ddc_buf_release (&out, out_len);
    return 1;
}
