/*  ddc-bench-etcd: etcd 3.4 put-to-watch latency, the baseline that ddc's
    broker fan-out is compared against.

    ddc-bench-etcd --endpoint http://127.0.0.1:PORT --watchers N --rounds R
                   [--warmup W] [--interval-ms MS] [--timeout-ms MS]

    Opens N watch streams on one key through etcd's grpc-gateway JSON API
    (POST /v3/watch, a never-ending response of JSON objects), all driven by
    one libcurl multi handle in one thread, and waits until every watch is
    created. Then, per round, it takes t0, PUTs (POST /v3/kv/put) a value
    carrying the round number through another easy handle in the same multi
    loop, and records for every watcher the time at which that round's event
    has arrived and its value is decoded (t - t0), as ddc-bench records a
    subscriber's once ddc has parsed and handed over the section. A round starts when the previous one is complete (all
    N events in, the put answered) and at least --interval-ms (20) after the
    previous start. The first W (--warmup, default 10) rounds are not
    recorded. Prints
        etcd watchers=N rounds=R p50_us=X p99_us=Y max_us=Z
    over all N*R samples. Memory: N*R samples of 4 bytes (N*R is capped) and
    a bounded receive buffer per watcher. Exits 1 on any error. */

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_stats.h"
#include "ddc_buf.h"
#include "ddc_json.h"
#include "ddc_util.h"

#define MAX_WATCHERS 4096
#define MAX_SAMPLES (20u * 1000u * 1000u)
#define MAX_OBJECT_BYTES (1024 * 1024) //  one JSON object of the stream
#define MAX_ROUND_US INT64_C (4000000000)

typedef struct {
    CURL *easy;
    size_t index;
    ddc_buf_t *buf; //  bytes received, not yet parsed
    bool created;
    bool failed;
    int64_t last_round; //  last round whose event arrived, -1 before
} watcher_t;

typedef struct {
    const char *endpoint;
    size_t watchers, rounds, warmup;
    int interval_ms, timeout_ms;
    char key [64];
    char *key_b64;
    CURLM *multi;
    watcher_t *w;
    size_t created;
    //  the round in flight
    int64_t round; //  -1 before the first
    int64_t t0_us;
    size_t arrived; //  watchers that saw the round's event
    bool put_busy;
    bool put_ok;
    CURL *put;
    char put_resp [4096];
    size_t put_resp_len;
    char *put_body;
    //  samples[round * watchers + w]
    uint32_t *samples;
    size_t nsamples;
    size_t stray; //  events for a round other than the current one
    bool fatal;
} bench_t;

//  ---- base64 (standard alphabet, padded) ----------------------------------

static const char b64_alpha [] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
b64_encode (const void *data, size_t len)
{
    const unsigned char *in = data;
    char *out = ddc_malloc ((len + 2) / 3 * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t) in [i] << 16;
        if (i + 1 < len)
            v |= (uint32_t) in [i + 1] << 8;
        if (i + 2 < len)
            v |= in [i + 2];
        out [o++] = b64_alpha [(v >> 18) & 63];
        out [o++] = b64_alpha [(v >> 12) & 63];
        out [o++] = i + 1 < len ? b64_alpha [(v >> 6) & 63] : '=';
        out [o++] = i + 2 < len ? b64_alpha [v & 63] : '=';
    }
    out [o] = '\0';
    return out;
}

static int
b64_value (char c)
{
    const char *p = c ? strchr (b64_alpha, c) : NULL;
    return p ? (int) (p - b64_alpha) : -1;
}

//  Decode into out[size] (NUL-terminated); returns the length or -1.
static int
b64_decode (const char *s, char *out, size_t size)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        int v = b64_value (*s);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t) v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o + 1 >= size)
                return -1;
            out [o++] = (char) ((acc >> bits) & 0xff);
        }
    }
    out [o] = '\0';
    return (int) o;
}

//  ---- stream parsing -------------------------------------------------------

//  Length of the first complete top-level JSON object in buf (after leading
//  whitespace, counted in), or 0 if none is complete yet.
static size_t
json_object_end (const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && (buf [i] == ' ' || buf [i] == '\n' || buf [i] == '\r' || buf [i] == '\t'))
        i++;
    if (i == len)
        return 0;
    int depth = 0;
    bool in_str = false, esc = false;
    for (; i < len; i++) {
        char c = buf [i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return 0;
}

//  The event's value is decoded: the watcher has it, as ddc-bench's
//  subscriber has its section when its apply callback runs; the sample is
//  taken here, after the parse, as ddc-bench takes its after ddc's.
static void
on_event_value (bench_t *b, watcher_t *w, const char *value_b64)
{
    char value [128];
    if (b64_decode (value_b64, value, sizeof (value)) < 0 || strncmp (value, "round:", 6) != 0) {
        fprintf (stderr, "ddc-bench-etcd: watcher %zu: unexpected value\n", w->index);
        b->fatal = true;
        return;
    }
    uint64_t r;
    char *colon = strchr (value + 6, ':');
    if (colon)
        *colon = '\0';
    if (ddc_parse_u64 (value + 6, &r) != 0) {
        fprintf (stderr, "ddc-bench-etcd: watcher %zu: bad round number\n", w->index);
        b->fatal = true;
        return;
    }
    if ((int64_t) r != b->round || w->last_round >= (int64_t) r) {
        b->stray++;
        return;
    }
    w->last_round = (int64_t) r;
    b->arrived++;
    if (r >= b->warmup) {
        int64_t d = ddc_mono_us () - b->t0_us;
        if (d < 0)
            d = 0;
        if (d > MAX_ROUND_US)
            d = MAX_ROUND_US;
        b->samples [(r - b->warmup) * b->watchers + w->index] = (uint32_t) d;
        b->nsamples++;
    }
}

static void
on_object (bench_t *b, watcher_t *w, const char *text, size_t len)
{
    char why [160];
    cJSON *root = ddc_json_parse (text, len, SIZE_MAX, why, sizeof (why));
    if (!root) {
        fprintf (stderr, "ddc-bench-etcd: watcher %zu: unparsable stream object: %s\n", w->index,
                 why);
        b->fatal = true;
        return;
    }
    cJSON *err = cJSON_GetObjectItemCaseSensitive (root, "error");
    cJSON *result = cJSON_GetObjectItemCaseSensitive (root, "result");
    if (err || !cJSON_IsObject (result)) {
        char *s = cJSON_PrintUnformatted (root);
        fprintf (stderr, "ddc-bench-etcd: watcher %zu: %.300s\n", w->index, s ? s : "?");
        free (s);
        b->fatal = true;
        cJSON_Delete (root);
        return;
    }
    if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "created")) && !w->created) {
        w->created = true;
        b->created++;
    }
    if (cJSON_IsTrue (cJSON_GetObjectItemCaseSensitive (result, "canceled"))) {
        fprintf (stderr, "ddc-bench-etcd: watcher %zu: watch canceled\n", w->index);
        b->fatal = true;
    }
    cJSON *events = cJSON_GetObjectItemCaseSensitive (result, "events");
    cJSON *ev;
    cJSON_ArrayForEach (ev, events) {
        cJSON *kv = cJSON_GetObjectItemCaseSensitive (ev, "kv");
        cJSON *val = cJSON_GetObjectItemCaseSensitive (kv, "value");
        if (cJSON_IsString (val))
            on_event_value (b, w, val->valuestring);
    }
    cJSON_Delete (root);
}

static bench_t *s_bench; //  for the curl callbacks' watcher lookups

static size_t
watch_write (char *data, size_t size, size_t nmemb, void *userp)
{
    watcher_t *w = userp;
    bench_t *b = s_bench;
    size_t n = size * nmemb;
    ddc_buf_add (w->buf, data, n);
    if (ddc_buf_overflow (w->buf)) {
        fprintf (stderr, "ddc-bench-etcd: watcher %zu: stream object too large\n", w->index);
        b->fatal = true;
        return 0; //  aborts the transfer
    }
    size_t end;
    while ((end = json_object_end (ddc_buf_text (w->buf), ddc_buf_len (w->buf))) > 0) {
        on_object (b, w, ddc_buf_text (w->buf), end);
        ddc_buf_consume (w->buf, end);
    }
    return n;
}

static size_t
put_write (char *data, size_t size, size_t nmemb, void *userp)
{
    bench_t *b = userp;
    size_t n = size * nmemb;
    size_t room = sizeof (b->put_resp) - 1 - b->put_resp_len;
    size_t take = n < room ? n : room;
    memcpy (b->put_resp + b->put_resp_len, data, take);
    b->put_resp_len += take;
    b->put_resp [b->put_resp_len] = '\0';
    return n;
}

//  ---- curl plumbing -------------------------------------------------------

static struct curl_slist *s_headers;

static CURL *
new_post (const char *url, const char *body)
{
    CURL *e = curl_easy_init ();
    if (!e)
        return NULL;
    curl_easy_setopt (e, CURLOPT_URL, url);
    curl_easy_setopt (e, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt (e, CURLOPT_HTTPHEADER, s_headers);
    curl_easy_setopt (e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt (e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    return e;
}

//  Poll and perform once; handle finished transfers.
static void
pump (bench_t *b, int timeout_ms)
{
    int running = 0;
    if (timeout_ms > 0)
        curl_multi_poll (b->multi, NULL, 0, timeout_ms, NULL);
    curl_multi_perform (b->multi, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read (b->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        CURLcode rc = msg->data.result;
        if (e == b->put) {
            long code = 0;
            curl_easy_getinfo (e, CURLINFO_RESPONSE_CODE, &code);
            curl_multi_remove_handle (b->multi, e);
            b->put_busy = false;
            b->put_ok = rc == CURLE_OK && code == 200;
            if (!b->put_ok) {
                fprintf (stderr, "ddc-bench-etcd: put failed: %s (HTTP %ld) %.200s\n",
                         curl_easy_strerror (rc), code, b->put_resp);
                b->fatal = true;
            }
            continue;
        }
        for (size_t i = 0; i < b->watchers; i++) {
            if (b->w [i].easy == e && !b->w [i].failed) {
                long code = 0;
                curl_easy_getinfo (e, CURLINFO_RESPONSE_CODE, &code);
                fprintf (stderr, "ddc-bench-etcd: watcher %zu: stream ended: %s (HTTP %ld)\n", i,
                         curl_easy_strerror (rc), code);
                b->w [i].failed = true;
                b->fatal = true;
            }
        }
    }
}

static int
start_put (bench_t *b, int64_t round)
{
    char value [64];
    snprintf (value, sizeof (value), "round:%lld:ddc-bench", (long long) round);
    char *val_b64 = b64_encode (value, strlen (value));
    free (b->put_body);
    b->put_body = ddc_asprintf ("{\"key\":\"%s\",\"value\":\"%s\"}", b->key_b64, val_b64);
    free (val_b64);
    curl_easy_setopt (b->put, CURLOPT_COPYPOSTFIELDS, b->put_body);
    b->put_resp_len = 0;
    b->put_resp [0] = '\0';
    b->put_busy = true;
    b->put_ok = false;
    b->round = round;
    b->arrived = 0;
    b->t0_us = ddc_mono_us ();
    if (curl_multi_add_handle (b->multi, b->put) != CURLM_OK)
        return -1;
    pump (b, 0); //  send the request now, not at the next poll
    return 0;
}


static void
usage (void)
{
    fprintf (stderr,
             "usage: ddc-bench-etcd --endpoint http://127.0.0.1:PORT --watchers N --rounds R\n"
             "                      [--warmup W] [--interval-ms MS] [--timeout-ms MS]\n");
}

static int
parse_size (const char *s, size_t lo, size_t hi, size_t *out)
{
    uint64_t v;
    if (!s || ddc_parse_u64 (s, &v) != 0 || v < lo || v > hi)
        return -1;
    *out = (size_t) v;
    return 0;
}

static int
run (bench_t *b)
{
    char *watch_url = ddc_asprintf ("%s/v3/watch", b->endpoint);
    char *put_url = ddc_asprintf ("%s/v3/kv/put", b->endpoint);
    char *watch_body = ddc_asprintf ("{\"create_request\":{\"key\":\"%s\"}}", b->key_b64);
    int rc = 1;

    for (size_t i = 0; i < b->watchers; i++) {
        watcher_t *w = &b->w [i];
        w->index = i;
        w->last_round = -1;
        w->buf = ddc_buf_new (MAX_OBJECT_BYTES);
        w->easy = new_post (watch_url, watch_body);
        if (!w->easy) {
            fprintf (stderr, "ddc-bench-etcd: curl_easy_init failed\n");
            goto out;
        }
        curl_easy_setopt (w->easy, CURLOPT_WRITEFUNCTION, watch_write);
        curl_easy_setopt (w->easy, CURLOPT_WRITEDATA, w);
        curl_multi_add_handle (b->multi, w->easy);
    }
    b->put = new_post (put_url, "{}");
    if (!b->put) {
        fprintf (stderr, "ddc-bench-etcd: curl_easy_init failed\n");
        goto out;
    }
    curl_easy_setopt (b->put, CURLOPT_WRITEFUNCTION, put_write);
    curl_easy_setopt (b->put, CURLOPT_WRITEDATA, b);

    //  Wait for every watch to be created.
    int64_t deadline = ddc_mono_ms () + b->timeout_ms + (int64_t) b->watchers * 20;
    while (b->created < b->watchers && !b->fatal) {
        if (ddc_mono_ms () > deadline) {
            fprintf (stderr, "ddc-bench-etcd: only %zu of %zu watches created in time\n",
                     b->created, b->watchers);
            goto out;
        }
        pump (b, 50);
    }
    if (b->fatal)
        goto out;

    size_t total = b->warmup + b->rounds;
    int64_t next_start = ddc_mono_us ();
    for (size_t r = 0; r < total; r++) {
        //  space rounds interval_ms apart, draining the streams meanwhile
        while (ddc_mono_us () < next_start && !b->fatal) {
            int64_t wait_ms = (next_start - ddc_mono_us ()) / 1000;
            pump (b, wait_ms > 0 ? (int) wait_ms : 0);
            if (wait_ms <= 0)
                break;
        }
        while (ddc_mono_us () < next_start)
            ; //  the last < 1 ms: spin for an exact start
        if (b->fatal)
            goto out;
        if (start_put (b, (int64_t) r) != 0) {
            fprintf (stderr, "ddc-bench-etcd: cannot start put\n");
            goto out;
        }
        next_start = b->t0_us + (int64_t) b->interval_ms * 1000;
        int64_t round_deadline = ddc_mono_ms () + b->timeout_ms;
        while ((b->arrived < b->watchers || b->put_busy) && !b->fatal) {
            if (ddc_mono_ms () > round_deadline) {
                fprintf (stderr, "ddc-bench-etcd: round %zu: %zu of %zu events after %d ms%s\n", r,
                         b->arrived, b->watchers, b->timeout_ms,
                         b->put_busy ? " (put unanswered)" : "");
                goto out;
            }
            pump (b, 100);
        }
        if (b->fatal)
            goto out;
    }

    if (b->nsamples != b->rounds * b->watchers) {
        fprintf (stderr, "ddc-bench-etcd: %zu samples, expected %zu\n", b->nsamples,
                 b->rounds * b->watchers);
        goto out;
    }
    bench_sort (b->samples, b->nsamples);
    printf ("etcd watchers=%zu rounds=%zu p50_us=%u p99_us=%u max_us=%u\n", b->watchers, b->rounds,
            bench_percentile (b->samples, b->nsamples, 50),
            bench_percentile (b->samples, b->nsamples, 99), b->samples [b->nsamples - 1]);
    if (b->stray)
        fprintf (stderr, "ddc-bench-etcd: note: %zu stray events ignored\n", b->stray);
    rc = 0;
out:
    for (size_t i = 0; i < b->watchers; i++) {
        if (b->w [i].easy) {
            curl_multi_remove_handle (b->multi, b->w [i].easy);
            curl_easy_cleanup (b->w [i].easy);
        }
        ddc_buf_destroy (&b->w [i].buf);
    }
    if (b->put) {
        if (b->put_busy)
            curl_multi_remove_handle (b->multi, b->put);
        curl_easy_cleanup (b->put);
    }
    free (watch_url);
    free (put_url);
    free (watch_body);
    return rc;
}

int
main (int argc, char **argv)
{
    bench_t b;
    memset (&b, 0, sizeof (b));
    b.watchers = 1;
    b.rounds = 100;
    b.warmup = 10;
    b.interval_ms = 20;
    b.timeout_ms = 10000;
    b.round = -1;

    for (int i = 1; i < argc; i += 2) {
        const char *a = argv [i];
        const char *v = i + 1 < argc ? argv [i + 1] : NULL;
        size_t n;
        if (strcmp (a, "--endpoint") == 0 && v)
            b.endpoint = v;
        else if (strcmp (a, "--watchers") == 0 && parse_size (v, 1, MAX_WATCHERS, &n) == 0)
            b.watchers = n;
        else if (strcmp (a, "--rounds") == 0 && parse_size (v, 1, MAX_SAMPLES, &n) == 0)
            b.rounds = n;
        else if (strcmp (a, "--warmup") == 0 && parse_size (v, 0, 1000000, &n) == 0)
            b.warmup = n;
        else if (strcmp (a, "--interval-ms") == 0 && parse_size (v, 0, 60000, &n) == 0)
            b.interval_ms = (int) n;
        else if (strcmp (a, "--timeout-ms") == 0 && parse_size (v, 100, 600000, &n) == 0)
            b.timeout_ms = (int) n;
        else if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0) {
            usage ();
            return 0;
        }
        else {
            fprintf (stderr, "ddc-bench-etcd: bad argument: %s%s%s\n", a, v ? " " : "", v ? v : "");
            usage ();
            return 2;
        }
    }
    if (!b.endpoint || strncmp (b.endpoint, "http://", 7) != 0) {
        usage ();
        return 2;
    }
    if (b.rounds > MAX_SAMPLES / b.watchers) {
        fprintf (stderr, "ddc-bench-etcd: watchers*rounds exceeds %u samples\n", MAX_SAMPLES);
        return 2;
    }

    char hex [17];
    ddc_random_hex (hex, 8);
    snprintf (b.key, sizeof (b.key), "/ddc-bench/%s", hex);
    b.key_b64 = b64_encode (b.key, strlen (b.key));
    b.samples = ddc_calloc (b.rounds * b.watchers, sizeof (b.samples [0]));
    b.w = ddc_calloc (b.watchers, sizeof (b.w [0]));
    s_bench = &b;

    int rc = 1;
    if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf (stderr, "ddc-bench-etcd: curl_global_init failed\n");
        goto done;
    }
    s_headers = curl_slist_append (NULL, "Content-Type: application/json");
    s_headers = curl_slist_append (s_headers, "Expect:");
    b.multi = curl_multi_init ();
    if (!b.multi || !s_headers) {
        fprintf (stderr, "ddc-bench-etcd: curl init failed\n");
    }
    else {
        curl_multi_setopt (b.multi, CURLMOPT_MAXCONNECTS, (long) b.watchers + 4);
        rc = run (&b);
    }
    if (b.multi)
        curl_multi_cleanup (b.multi);
    curl_slist_free_all (s_headers);
    curl_global_cleanup ();
done:
    free (b.put_body);
    free (b.key_b64);
    free (b.samples);
    free (b.w);
    return rc;
}
