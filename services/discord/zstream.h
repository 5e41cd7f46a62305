/*  zstream: the gateway's zlib-stream transport compression (one inflate
    context per connection; a payload is complete when the bytes received
    end with 00 00 ff ff). Owns the z_stream and the input/output buffers.
    Bounded: ZSTREAM_IN_MAX compressed bytes buffered per payload and
    ZSTREAM_OUT_MAX bytes per inflated payload; beyond, or on corrupt data,
    zstream_push fails and the connection must be dropped. Kept apart from
    gateway.c so that the protocol logic links without zlib. */
#ifndef DDC_DISCORD_ZSTREAM_H
#define DDC_DISCORD_ZSTREAM_H

#include <stddef.h>

#define ZSTREAM_IN_MAX (4 * 1024 * 1024)
#define ZSTREAM_OUT_MAX (8 * 1024 * 1024)

typedef struct _zstream_t zstream_t;

zstream_t *zstream_new (void);
void zstream_destroy (zstream_t **self_p);
//  Forget everything (a new connection).
void zstream_reset (zstream_t *self);
//  Feed one binary message. Returns 1 with *out_p (NUL-terminated, caller
//  frees) and *out_len set when a payload is complete, 0 when more bytes
//  are needed, -1 on corrupt or oversized data.
int zstream_push (zstream_t *self, const void *data, size_t len, char **out_p, size_t *out_len);

#endif
