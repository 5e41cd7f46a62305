/*  test_discord_ratelimit: the REST rate-limit math of ddc-discord
    (ratelimit.c): route keys (top-level resource kept, other ids folded,
    webhook and interaction tokens hashed, interaction routes exempt from
    the global limit), header parsing, waiting when a bucket is empty,
    buckets shared between routes by X-RateLimit-Bucket but split by
    channel, requests in flight, 429 on a route and the global 429, the
    global 50/s, and the bounded tables. */
#include "../../services/discord/ratelimit.c"

#include "ddc_test.h"

static void
s_headers (rl_headers_t *h, int status, const char *lines)
{
    rl_headers_init (h);
    h->status = status;
    char *copy = ddc_strdup (lines);
    for (char *line = strtok (copy, "\n"); line; line = strtok (NULL, "\n"))
        rl_header_line (h, line, strlen (line));
    free (copy);
}

DDC_TEST (test_routes)
{
    rl_route_t r;
    rl_route ("PATCH", "/channels/123/messages/456", &r);
    CHECK_STR (r.route, "PATCH /channels/123/messages/:id");
    CHECK_STR (r.major, "123");
    CHECK (!r.exempt);
    rl_route ("POST", "/interactions/77/secret-token/callback?with_response=false", &r);
    CHECK_STR (r.route, "POST /interactions/77/:token/callback");
    CHECK (strncmp (r.major, "77:", 3) == 0 && !strstr (r.major, "secret"));
    CHECK (r.exempt);
    rl_route ("PATCH", "/webhooks/1/tok/messages/@original", &r);
    CHECK_STR (r.route, "PATCH /webhooks/1/:token/messages/@original");
    CHECK (r.exempt && !strstr (r.route, "tok/"));
    rl_route ("PUT", "/applications/11/guilds/22/commands", &r);
    CHECK_STR (r.route, "PUT /applications/:id/guilds/:id/commands");
    CHECK_STR (r.major, "");
    rl_route ("GET", "/gateway/bot", &r);
    CHECK_STR (r.route, "GET /gateway/bot");
    //  Different tokens of one interaction id: different majors.
    rl_route_t a, b;
    rl_route ("POST", "/webhooks/1/aaaa", &a);
    rl_route ("POST", "/webhooks/1/bbbb", &b);
    CHECK (strcmp (a.route, b.route) == 0 && strcmp (a.major, b.major) != 0);
    //  Hostile paths stay bounded.
    char big [2000];
    memset (big, '/', sizeof (big) - 1);
    big [sizeof (big) - 1] = '\0';
    rl_route ("GET", big, &r);
    char big2 [2000];
    for (size_t i = 0; i < sizeof (big2) - 1; i++)
        big2 [i] = i % 3 ? 'x' : '/';
    big2 [sizeof (big2) - 1] = '\0';
    rl_route ("GETTINGLONGMETHOD", big2, &r);
    CHECK (strlen (r.route) < RL_KEY_MAX);
}

DDC_TEST (test_headers)
{
    rl_headers_t h;
    s_headers (&h, 200,
               "X-RateLimit-Limit: 5\r\nx-ratelimit-remaining: 4\r\n"
               "X-RateLimit-Reset-After: 1.250\r\nX-RateLimit-Bucket: abc123\r\n"
               "Content-Type: application/json\r\n");
    CHECK_EQ (h.limit, 5);
    CHECK_EQ (h.remaining, 4);
    CHECK_EQ (h.reset_after, 1.25);
    CHECK_STR (h.bucket, "abc123");
    s_headers (&h, 429, "Retry-After: 3\nX-RateLimit-Global: true\nX-RateLimit-Scope: global\n");
    CHECK (h.retry_after == 3 && h.global);
    CHECK_STR (h.scope, "global");
    s_headers (&h, 200,
               "X-RateLimit-Limit: -4\nX-RateLimit-Bucket: a b\nRetry-After: x\n"
               "X-RateLimit-Remaining\n");
    CHECK (h.limit == -1 && h.bucket [0] == '\0' && h.retry_after < 0 && h.remaining == -1);
}

DDC_TEST (test_bucket_wait)
{
    rl_t *rl = rl_new ();
    rl_route_t r;
    rl_route ("POST", "/channels/1/messages", &r);
    char key [RL_KEY_MAX];
    CHECK_EQ (rl_wait (rl, &r, 0), 0);
    rl_state_key (rl, &r, key);
    rl_sent (rl, &r, key, 0);
    //  Unknown limits: one at a time until the first answer.
    CHECK_EQ (rl_wait (rl, &r, 1), RL_WAIT_INFLIGHT);
    rl_headers_t h;
    s_headers (&h, 200,
               "X-RateLimit-Limit: 2\nX-RateLimit-Remaining: 1\n"
               "X-RateLimit-Reset-After: 5\nX-RateLimit-Bucket: B1\n");
    CHECK_EQ (rl_done (rl, &r, key, &h, 10), 0);
    CHECK_EQ (rl_wait (rl, &r, 11), 0);
    rl_state_key (rl, &r, key);
    CHECK_EQ (strncmp (key, "b:B1/", 5), 0);
    rl_sent (rl, &r, key, 11);
    //  Remaining 1 and one in flight: wait for the reset.
    CHECK_EQ (rl_wait (rl, &r, 12), 5010 - 12);
    s_headers (&h, 200,
               "X-RateLimit-Limit: 2\nX-RateLimit-Remaining: 0\n"
               "X-RateLimit-Reset-After: 4.9\nX-RateLimit-Bucket: B1\n");
    rl_done (rl, &r, key, &h, 100);
    CHECK_EQ (rl_wait (rl, &r, 100), 4900);
    CHECK_EQ (rl_wait (rl, &r, 5000), 0); //  reset: full again
    //  Another channel on the same route has a bucket of its own.
    rl_route_t other;
    rl_route ("POST", "/channels/2/messages", &other);
    CHECK_EQ (rl_wait (rl, &other, 200), 0);
    //  A route sharing bucket B1 in channel 1 shares its state.
    rl_route_t edit;
    rl_route ("PATCH", "/channels/1/messages/9", &edit);
    s_headers (&h, 200,
               "X-RateLimit-Limit: 2\nX-RateLimit-Remaining: 0\n"
               "X-RateLimit-Reset-After: 2\nX-RateLimit-Bucket: B1\n");
    char ekey [RL_KEY_MAX];
    rl_state_key (rl, &edit, ekey);
    rl_sent (rl, &edit, ekey, 6000);
    rl_done (rl, &edit, ekey, &h, 6000);
    CHECK_EQ (rl_wait (rl, &r, 6001), 1999);
    rl_destroy (&rl);
}

DDC_TEST (test_429)
{
    rl_t *rl = rl_new ();
    rl_route_t r, cb;
    rl_route ("POST", "/channels/1/messages", &r);
    rl_route ("POST", "/interactions/5/t/callback", &cb);
    char key [RL_KEY_MAX];
    rl_headers_t h;
    //  A route 429: that bucket waits Retry-After, others do not.
    rl_state_key (rl, &r, key);
    rl_sent (rl, &r, key, 0);
    s_headers (&h, 429, "Retry-After: 2\nX-RateLimit-Scope: user\n");
    h.retry_after = 1.5; //  the body's exact value
    CHECK_EQ (rl_done (rl, &r, key, &h, 0), 1500);
    CHECK_EQ (rl_wait (rl, &r, 10), 1490);
    CHECK_EQ (rl_wait (rl, &cb, 10), 0);
    CHECK_EQ (rl_wait (rl, &r, 1500), 0);
    //  A global 429 holds every non-exempt route, not interaction callbacks.
    rl_state_key (rl, &r, key);
    rl_sent (rl, &r, key, 2000);
    s_headers (&h, 429, "Retry-After: 3\nX-RateLimit-Global: true\n");
    CHECK_EQ (rl_done (rl, &r, key, &h, 2000), 3000);
    rl_route_t other;
    rl_route ("GET", "/gateway/bot", &other);
    CHECK_EQ (rl_wait (rl, &other, 2500), 2500);
    CHECK_EQ (rl_wait (rl, &cb, 2500), 0);
    CHECK_EQ (rl_global_until (rl), 5000);
    rl_destroy (&rl);
}

DDC_TEST (test_global_per_second)
{
    rl_t *rl = rl_new ();
    char key [RL_KEY_MAX];
    for (int i = 0; i < RL_GLOBAL_PER_S; i++) {
        rl_route_t r;
        char path [64];
        snprintf (path, sizeof (path), "/channels/%d/messages", i + 1);
        rl_route ("POST", path, &r);
        CHECK_EQ (rl_wait (rl, &r, 100), 0);
        rl_state_key (rl, &r, key);
        rl_sent (rl, &r, key, 100);
    }
    rl_route_t r, cb;
    rl_route ("POST", "/channels/999/messages", &r);
    rl_route ("POST", "/interactions/5/t/callback", &cb);
    CHECK_EQ (rl_wait (rl, &r, 500), 500); //  the window began at 0
    CHECK_EQ (rl_wait (rl, &cb, 500), 0);
    CHECK_EQ (rl_wait (rl, &r, 1000), 0);
    rl_destroy (&rl);
}

DDC_TEST (test_bounded)
{
    rl_t *rl = rl_new ();
    char key [RL_KEY_MAX];
    rl_headers_t h;
    for (int i = 0; i < RL_MAX * 3; i++) {
        rl_route_t r;
        char path [64];
        snprintf (path, sizeof (path), "/interactions/%d/tok%d/callback", i + 1, i);
        rl_route ("POST", path, &r);
        rl_state_key (rl, &r, key);
        rl_sent (rl, &r, key, i);
        s_headers (&h, 204,
                   "X-RateLimit-Limit: 5\nX-RateLimit-Remaining: 4\n"
                   "X-RateLimit-Bucket: cb\n");
        rl_done (rl, &r, key, &h, i);
    }
    CHECK (rl_bucket_count (rl) <= RL_MAX);
    rl_destroy (&rl);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_routes);
    DDC_RUN (test_headers);
    DDC_RUN (test_bucket_wait);
    DDC_RUN (test_429);
    DDC_RUN (test_global_per_second);
    DDC_RUN (test_bounded);
    DDC_DONE ();
}
