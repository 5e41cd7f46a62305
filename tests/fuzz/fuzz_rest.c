/*  fuzz_rest: libFuzzer target for what ddc-discord reads from a Discord
    REST response (services/discord/rest.c and ratelimit.c, included): the
    header lines (X-RateLimit-*, Retry-After) and the body (s_reply_read:
    strict JSON, a 429's retry_after and global, an error's code and
    message), then the rate limiter's bookkeeping of that answer. Input:

      status (2 bytes, big-endian; ffff = no answer) flags (1 byte: 1 = the body was cut at
      REST_BODY_MAX) route (1 byte) header lines ("\n"-separated) "\n\n" body

    Several answers may follow each other, separated by "\n\0\n", on one
    limiter. Checked: retry_after stays within [0, 86400) when the body set
    it, the JSON is there only for a body that is valid JSON, the wait the
    limiter asks for is never negative and the buckets stay within RL_MAX;
    no crash, leak or undefined behaviour. */
#include "../../services/discord/rest.c"
#include "../../services/discord/ratelimit.c"
#include "fuzz_quiet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_paths [] = {
    "/channels/123/messages",
    "/channels/123/messages/456",
    "/guilds/9/members/8",
    "/interactions/77/tok-en/callback",
    "/webhooks/5/tok/messages/@original",
    "/gateway/bot",
    "/applications/3/guilds/9/commands",
    "/users/@me",
};
static const char *const s_methods [] = { "GET", "POST", "PATCH", "DELETE", "PUT" };

static void
s_answer (rl_t *rl, const char *data, size_t len, int64_t *now)
{
    if (len < 4)
        return;
    int status = ((unsigned char) data [0] << 8) | (unsigned char) data [1];
    if (status == 0xffff)
        status = REST_TRANSPORT; //  no HTTP answer
    bool overflow = data [2] & 1;
    unsigned route_pick = (unsigned char) data [3];
    data += 4;
    len -= 4;
    rl_route_t route;
    rl_route (s_methods [route_pick % 5], s_paths [(route_pick / 5) % 8], &route);
    char key [RL_KEY_MAX];
    rl_state_key (rl, &route, key);
    if (rl_wait (rl, &route, *now) < RL_WAIT_INFLIGHT)
        abort ();
    rl_sent (rl, &route, key, *now);

    rl_headers_t h;
    rl_headers_init (&h);
    h.status = status;
    const char *body = data;
    size_t body_len = len;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr (data + i, '\n', len - i);
        size_t n = nl ? (size_t) (nl - (data + i)) : len - i;
        if (n == 0) { //  "\n\n": the body follows
            body = data + i + 1;
            body_len = len - i - 1;
            break;
        }
        rl_header_line (&h, data + i, n);
        i += n + 1;
        body = data + len;
        body_len = 0;
    }
    double retry_header = h.retry_after;
    s_reply_t reply;
    s_reply_read (status, body, body_len, overflow, &h, &reply);
    if (reply.json) {
        char why [120];
        cJSON *again = ddc_json_parse (body, body_len, REST_BODY_MAX, why, sizeof (why));
        if (!again || overflow || status <= 0)
            abort (); //  JSON only from a whole, valid body
        cJSON_Delete (again);
    }
    if (h.retry_after != retry_header && !(h.retry_after >= 0 && h.retry_after < 86400))
        abort ();
    if (reply.message && !ddc_utf8_valid (reply.message, strlen (reply.message)))
        abort (); //  strict JSON: strings are UTF-8
    int64_t wait = rl_done (rl, &route, key, status > 0 ? &h : NULL, *now);
    if (wait < 0)
        abort ();
    cJSON_Delete (reply.json);
    if (rl_bucket_count (rl) > RL_MAX)
        abort ();
    *now += 1 + (int64_t) (route_pick % 7) * 300;
}

int
LLVMFuzzerTestOneInput (const uint8_t *input, size_t size)
{
    const char *data = (const char *) input;
    rl_t *rl = rl_new ();
    int64_t now = 1000;
    size_t start = 0;
    for (size_t i = 0; i + 3 <= size; i++)
        if (memcmp (data + i, "\n\0\n", 3) == 0) {
            s_answer (rl, data + start, i - start, &now);
            start = i + 3;
            i += 2;
        }
    s_answer (rl, data + start, size - start, &now);
    rl_destroy (&rl);
    return 0;
}
