/*  fuzz_discord: libFuzzer target for what ddc-discord reads from Discord.
    The first byte picks the surface, the rest is the input:
      0  a gateway payload: the envelope and every dispatch parser (READY,
         INTERACTION_CREATE, MESSAGE_*), with the interaction lookups;
      1  a sequence of frames (split on NUL) fed to a ready gateway state
         machine with a fake socket and clock (op codes, close codes via
         the last byte, heartbeats, resumes);
      2  REST response header lines and request paths for the rate limiter.
    Built by the top-level `make fuzz` with the library sources only: the
    included files need neither libwebsockets nor zlib. */
#include "../../services/discord/payload.c"
#include "../../services/discord/gateway.c"
#include "../../services/discord/ratelimit.c"

#include <stddef.h>
#include <stdint.h>

static uint32_t s_conn;

static uint32_t
f_connect (void *arg, const char *url)
{
    (void) arg;
    (void) url;
    return ++s_conn;
}

static void
f_send (void *arg, uint32_t conn, const char *text, size_t len)
{
    (void) arg;
    (void) conn;
    if (len >= 4096 || strlen (text) != len)
        abort (); //  never a frame over Discord's limit
}

static void
f_close (void *arg, uint32_t conn, int code, const char *reason)
{
    (void) arg;
    (void) conn;
    (void) reason;
    if (code == 1000 || code == 1001)
        return;
    if (code < 1000 || code > 4999)
        abort ();
}

static void
f_fetch (void *arg)
{
    (void) arg;
}

static void
f_dispatch (void *arg, const char *t, const cJSON *d)
{
    (void) arg;
    if (strcmp (t, "INTERACTION_CREATE") == 0) {
        gw_interaction_t *ix = malloc (sizeof (*ix));
        if (ix && gw_interaction_parse (d, ix) == 0) {
            gw_option (ix, "container");
            gw_focused (ix);
            gw_field (ix, "user_id");
        }
        free (ix);
    }
}

static void
f_changed (void *arg)
{
    (void) arg;
}

//  A parsed string must already be clean (valid UTF-8, no controls but
//  line breaks when lines).
static void
s_clean_lines_check (const char *s, bool lines)
{
    char *copy = strdup (s);
    if (!copy)
        return;
    s_clean (copy, lines);
    if (strcmp (copy, s) != 0)
        abort ();
    free (copy);
}

static void
s_clean_check (const char *s)
{
    s_clean_lines_check (s, false);
}

static void
s_payload (const char *data, size_t len)
{
    gw_payload_t p;
    if (gw_payload_parse (data, len, &p, NULL, 0) < 0)
        return;
    gw_ready_t r;
    gw_ready_parse (p.d, &r);
    gw_interaction_t *ix = malloc (sizeof (*ix));
    if (ix && gw_interaction_parse (p.d, ix) == 0) {
        if (!gw_snowflake_ok (ix->id) || strlen (ix->token) >= GW_TOKEN_MAX)
            abort ();
        s_clean_check (ix->username);
        s_clean_check (ix->custom_id);
        s_clean_check (ix->name);
        for (int i = 0; i < ix->noptions; i++)
            s_clean_check (ix->options [i].value);
        for (int i = 0; i < ix->nvalues; i++)
            s_clean_check (ix->values [i]);
        for (int i = 0; i < ix->nfields; i++)
            s_clean_lines_check (ix->fields [i].value, true); //  paragraphs
        s_clean_check (ix->subcommand);
        gw_option (ix, "container");
        gw_focused (ix);
        gw_field (ix, "user_id");
    }
    free (ix);
    gw_message_t m;
    gw_message_parse (p.d, &m);
    char id [GW_ID_MAX];
    gw_get_id (p.d, "id", id);
    gw_payload_free (&p);
}

static void
s_gateway (const char *data, size_t len)
{
    gateway_ops_t ops = { f_connect, f_send, f_close, f_fetch, f_dispatch, f_changed };
    gateway_t *gw = gateway_new (&ops, NULL, (len & 1) != 0);
    gateway_set_seed (gw, 1);
    gateway_set_token (gw, "token", 0);
    gateway_url_result (gw, 200, "ws://127.0.0.1:1/gateway", 0);
    gateway_on_open (gw, gateway_conn (gw), 1);
    const char hello [] = "{\"op\":10,\"d\":{\"heartbeat_interval\":1000}}";
    gateway_on_text (gw, gateway_conn (gw), hello, sizeof (hello) - 1, 2);
    const char ready [] = "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"session_id\":\"s\","
                          "\"resume_gateway_url\":\"ws://127.0.0.1:1/resume\",\"user\":"
                          "{\"id\":\"1\"},\"application\":{\"id\":\"2\"}}}";
    gateway_on_text (gw, gateway_conn (gw), ready, sizeof (ready) - 1, 3);
    int64_t now = 4;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && data [i] != '\0')
            continue;
        if (i > start) {
            unsigned char tag = (unsigned char) data [start];
            if (tag == 0xfe && i - start >= 3) {
                int code =
                    ((unsigned char) data [start + 1] << 8) | (unsigned char) data [start + 2];
                gateway_on_close (gw, gateway_conn (gw), code, "fuzz", now);
            }
            else if (tag == 0xfd)
                gateway_set_token (gw, (i - start) & 1 ? "other" : "", now);
            else
                gateway_on_text (gw, gateway_conn (gw), data + start, i - start, now);
        }
        now += 1 + (int64_t) gateway_next_ms (gw, now) / 2;
        gateway_tick (gw, now);
        if (!gateway_conn (gw) && gateway_state (gw) == GATEWAY_CONNECTING)
            gateway_url_result (gw, 200, "ws://127.0.0.1:1/gateway", now);
        start = i + 1;
    }
    cJSON *rep = gateway_report (gw, "g");
    cJSON_Delete (rep);
    gateway_shutdown (gw);
    gateway_destroy (&gw);
}

static void
s_ratelimit (const char *data, size_t len)
{
    rl_headers_t h;
    rl_headers_init (&h);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && data [i] != '\n')
            continue;
        rl_header_line (&h, data + start, i - start);
        start = i + 1;
    }
    char *path = malloc (len + 1);
    if (!path)
        return;
    memcpy (path, data, len);
    path [len] = '\0';
    rl_route_t r;
    rl_route ("PATCH", path, &r);
    if (strlen (r.route) >= RL_KEY_MAX || strlen (r.major) >= sizeof (r.major))
        abort ();
    rl_t *rl = rl_new ();
    char key [RL_KEY_MAX];
    rl_state_key (rl, &r, key);
    rl_wait (rl, &r, 0);
    rl_sent (rl, &r, key, 0);
    h.status = len % 2 ? 429 : 200;
    rl_done (rl, &r, key, &h, 1);
    rl_wait (rl, &r, 2);
    rl_destroy (&rl);
    free (path);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static bool quiet;
    if (!quiet) {
        ddc_log_set_level (DDC_LOG_ERROR);
        quiet = true;
    }
    if (size < 1)
        return 0;
    const char *in = (const char *) data + 1;
    size_t len = size - 1;
    switch (data [0] % 3) {
        case 0:
            s_payload (in, len);
            break;
        case 1:
            s_gateway (in, len);
            break;
        default:
            s_ratelimit (in, len);
            break;
    }
    return 0;
}
