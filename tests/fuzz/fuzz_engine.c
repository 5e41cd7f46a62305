/*  fuzz_engine: libFuzzer target for what ddc-docker's Docker client reads
    from the engine's HTTP replies (services/docker/engine.c, included; the
    bodies' JSON is fuzz_docker's): the first byte picks

      0  the event stream splitter (s_stream_feed): the rest, fed in pieces
         of sizes taken from the input, must come out as the lines a plain
         split gives: "\n"-separated, "\r" before "\n" dropped, empty lines
         skipped, a line over ENGINE_MAX_LINE (made 64 bytes here, so that
         the fuzzer reaches it) dropped whole, the last line without "\n"
         delivered at the end;
      1  header lines of a /_ping reply (API-Version) and the version
         negotiation that follows (s_set_version): the prefix is /vM.N with
         M.N at most 1.41, or no version is taken;
      2  a /version body (docker_version_parse) and the same negotiation.

    libcurl's own HTTP parsing (status line, chunked bodies) is not ours. */
#define ENGINE_MAX_LINE 64u
#include "../../services/docker/engine.c"
#include "../../services/docker/docker_parse.c"
#include "fuzz_quiet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

//  Each line delivered, + "\n", into the ddc_buf_t arg.
static void
s_on_line_raw (void *arg, const char *line, size_t len)
{
    if (len == 0 || len > ENGINE_MAX_LINE || memchr (line, '\n', len))
        abort ();
    ddc_buf_add (arg, line, len);
    ddc_buf_add (arg, "\n", 1);
}

//  The same split, done plainly on the whole text.
static ddc_buf_t *
s_reference (const char *data, size_t n)
{
    ddc_buf_t *l = ddc_buf_new (DDC_BUF_UNBOUNDED);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && data [i] != '\n')
            continue;
        size_t raw = i - start;
        size_t len = raw && data [start + raw - 1] == '\r' ? raw - 1 : raw;
        //  the engine measures a line before its "\r" is dropped
        if (len > 0 && raw <= ENGINE_MAX_LINE)
            s_on_line_raw (l, data + start, len);
        start = i + 1;
    }
    return l;
}

static void
s_stream (const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    unsigned seed = data [0];
    const char *text = (const char *) data + 1;
    size_t n = size - 1;
    ddc_buf_t *got = ddc_buf_new (DDC_BUF_UNBOUNDED);
    transfer_t t = {
        .kind = KIND_STREAM, .max_body = ENGINE_MAX_LINE, .on_line = s_on_line_raw, .arg = got
    };
    for (size_t off = 0; off < n;) {
        seed = seed * 1103515245u + 12345u;
        size_t piece = 1 + (seed >> 16) % 97;
        if (piece > n - off)
            piece = n - off;
        if (!s_stream_feed (&t, text + off, piece))
            abort ();
        off += piece;
    }
    if (s_len (&t) > 0 && !t.skipping)
        s_stream_line (&t); //  what s_done does with a last line
    ddc_buf_t *want = s_reference (text, n);
    if (ddc_buf_len (got) != ddc_buf_len (want)
        || memcmp (ddc_buf_text (got), ddc_buf_text (want), ddc_buf_len (got)) != 0)
        abort ();
    ddc_buf_destroy (&got);
    ddc_buf_destroy (&want);
    ddc_buf_destroy (&t.buf);
}

static void
s_check_version (engine_t *engine, int rc)
{
    if (rc != 0)
        return;
    int major, minor;
    if (strncmp (engine->prefix, "/v", 2) != 0
        || docker_parse_api_version (engine->prefix + 2, &major, &minor) != 0
        || strcmp (engine->prefix + 2, engine->api_version) != 0 || major > ENGINE_API_MAX_MAJOR
        || (major == ENGINE_API_MAX_MAJOR && minor > ENGINE_API_MAX_MINOR))
        abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data [0] % 3) {
        case 0:
            s_stream (data + 1, size - 1);
            break;
        case 1: {
            engine_t *engine = engine_new ("/nonexistent/docker.sock");
            transfer_t t = { .kind = KIND_PING };
            const char *p = (const char *) data + 1, *end = (const char *) data + size;
            while (p < end) {
                const char *nl = memchr (p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);
                if (s_header ((char *) p, 1, n, &t) != n)
                    abort ();
                p += n;
            }
            if (memchr (t.api_version, '\0', sizeof (t.api_version)) == NULL)
                abort ();
            s_check_version (engine, t.api_version [0] ? s_set_version (engine, t.api_version) : -1);
            engine_destroy (&engine);
            break;
        }
        default: {
            engine_t *engine = engine_new ("/nonexistent/docker.sock");
            docker_version_t v;
            if (docker_version_parse ((const char *) data + 1, size - 1, &v) == 0)
                s_check_version (engine, s_set_version (engine, v.api_version));
            engine_destroy (&engine);
            break;
        }
    }
    return 0;
}
