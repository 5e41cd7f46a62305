/*  fuzz_zstream: libFuzzer target for the gateway's zlib-stream inflation
    (services/discord/zstream.c). The first byte picks the mode:

      even  raw: the rest is a list of binary messages (len2 bytes...) fed
            to one stream as they come, corrupt or not; every payload it
            gives is NUL-terminated and within ZSTREAM_OUT_MAX;
      odd   round trip: the rest is a list of payloads (len2 bytes...) that
            one deflate stream compresses as Discord does (Z_SYNC_FLUSH
            after each, so each ends in 00 00 ff ff); each is fed cut into
            messages at points taken from its own bytes (never right after
            a 00 00 ff ff, which ends a message); every payload comes back
            whole, once, in order.

    Checked too: no crash, leak or undefined behaviour. */
#include "../../services/discord/zstream.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t
s_len2 (const uint8_t **p, const uint8_t *end)
{
    if (end - *p < 2) {
        *p = end;
        return 0;
    }
    size_t n = ((size_t) (*p) [0] << 8) | (*p) [1];
    *p += 2;
    if ((size_t) (end - *p) < n)
        n = (size_t) (end - *p);
    return n;
}

static void
s_raw (zstream_t *zs, const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        size_t n = s_len2 (&p, end);
        char *out = NULL;
        size_t out_len = 0;
        int rc = zstream_push (zs, p, n, &out, &out_len);
        p += n;
        if (rc == 1 && (!out || out_len > ZSTREAM_OUT_MAX || out [out_len] != '\0'))
            abort ();
        if (rc != 1 && out)
            abort ();
        free (out);
        if (rc < 0)
            zstream_reset (zs); //  what the gateway does: a new connection
    }
}

static void
s_round_trip (zstream_t *zs, const uint8_t *p, const uint8_t *end)
{
    z_stream d;
    memset (&d, 0, sizeof (d));
    if (deflateInit (&d, Z_DEFAULT_COMPRESSION) != Z_OK)
        abort ();
    unsigned char *comp = malloc (2 * 65536 + 1024);
    while (p < end) {
        size_t n = s_len2 (&p, end);
        const uint8_t *payload = p;
        p += n;
        if (n == 0)
            continue; //  no payload is empty (and deflate makes nothing of it)
        d.next_in = (unsigned char *) payload;
        d.avail_in = (uInt) n;
        d.next_out = comp;
        d.avail_out = 2 * 65536 + 1024;
        if (deflate (&d, Z_SYNC_FLUSH) != Z_OK || d.avail_in != 0)
            abort ();
        size_t clen = (size_t) (d.next_out - comp);
        //  Cut into messages: a cut after byte k when payload[k % n] is odd.
        size_t start = 0;
        char *out = NULL;
        size_t out_len = 0;
        int got = 0;
        for (size_t k = 0; k < clen; k++) {
            bool last = k + 1 == clen;
            bool cut = last || (payload [k % n] & 1);
            if (!last && k + 1 >= 4 && memcmp (comp + k - 3, "\x00\x00\xff\xff", 4) == 0)
                cut = false;
            if (!cut)
                continue;
            int rc = zstream_push (zs, comp + start, k + 1 - start, &out, &out_len);
            start = k + 1;
            if (rc < 0 || (rc == 1) != last)
                abort ();
            if (rc == 1)
                got++;
        }
        if (got != 1 || out_len != n || memcmp (out, payload, n) != 0 || out [n] != '\0')
            abort ();
        free (out);
    }
    free (comp);
    deflateEnd (&d);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    zstream_t *zs = zstream_new ();
    if (data [0] & 1)
        s_round_trip (zs, data + 1, data + size);
    else
        s_raw (zs, data + 1, data + size);
    zstream_destroy (&zs);
    return 0;
}
