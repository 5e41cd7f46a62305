/*  session: signed cookies and CSRF tokens. See session.h. */
#include "session.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void
s_hmac (const unsigned char *key, size_t keylen, const void *msg, size_t len,
        unsigned char out [crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init (&st, key, keylen);
    crypto_auth_hmacsha256_update (&st, msg, len);
    crypto_auth_hmacsha256_final (&st, out);
    sodium_memzero (&st, sizeof (st));
}

int
session_key (const char *password_hash, unsigned char key [SESSION_KEY_BYTES])
{
    if (!password_hash || !*password_hash)
        return -1;
    static const char label [] = "ddc-web session v1";
    s_hmac ((const unsigned char *) password_hash, strlen (password_hash), label,
            sizeof (label) - 1, key);
    return 0;
}

void
session_start (session_t *s, int64_t now)
{
    unsigned char raw [SESSION_SID_HEX / 2];
    randombytes_buf (raw, sizeof (raw));
    sodium_bin2hex (s->sid, sizeof (s->sid), raw, sizeof (raw));
    s->issued = now;
    s->last = now;
}

void
session_encode (const unsigned char key [SESSION_KEY_BYTES], const session_t *s,
                char out [SESSION_TOKEN_MAX])
{
    char payload [128];
    int n = snprintf (payload, sizeof (payload), "admin|%s|%" PRId64 "|%" PRId64, s->sid, s->issued,
                      s->last);
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    s_hmac (key, SESSION_KEY_BYTES, payload, (size_t) n, mac);
    char p64 [sodium_base64_ENCODED_LEN (sizeof (payload), S_B64)];
    char m64 [sodium_base64_ENCODED_LEN (sizeof (mac), S_B64)];
    sodium_bin2base64 (p64, sizeof (p64), (const unsigned char *) payload, (size_t) n, S_B64);
    sodium_bin2base64 (m64, sizeof (m64), mac, sizeof (mac), S_B64);
    snprintf (out, SESSION_TOKEN_MAX, "v1.%s.%s", p64, m64);
}

//  Parse a decimal int64 >= 0 from [p, end).
static int
s_decimal (const char *p, const char *end, int64_t *out)
{
    if (p == end || end - p > 18)
        return -1;
    int64_t v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

session_result_t
session_decode (const unsigned char key [SESSION_KEY_BYTES], const char *token, int64_t now,
                int64_t idle_s, session_t *s)
{
    memset (s, 0, sizeof (*s));
    if (!token || !*token)
        return SESSION_MISSING;
    size_t len = strlen (token);
    if (len >= SESSION_TOKEN_MAX || strncmp (token, "v1.", 3) != 0)
        return SESSION_BAD;
    const char *p64 = token + 3;
    const char *dot = strchr (p64, '.');
    if (!dot)
        return SESSION_BAD;
    unsigned char payload [128], mac [64];
    size_t plen = 0, mlen = 0;
    if (sodium_base642bin (payload, sizeof (payload) - 1, p64, (size_t) (dot - p64), NULL, &plen,
                           NULL, S_B64)
            != 0
        || sodium_base642bin (mac, sizeof (mac), dot + 1, strlen (dot + 1), NULL, &mlen, NULL, S_B64)
               != 0
        || mlen != crypto_auth_hmacsha256_BYTES)
        return SESSION_BAD;
    unsigned char want [crypto_auth_hmacsha256_BYTES];
    s_hmac (key, SESSION_KEY_BYTES, payload, plen, want);
    if (sodium_memcmp (want, mac, sizeof (want)) != 0)
        return SESSION_BAD;
    payload [plen] = '\0';
    //  admin|sid|issued|last
    const char *f = (const char *) payload;
    const char *b1 = strchr (f, '|');
    const char *b2 = b1 ? strchr (b1 + 1, '|') : NULL;
    const char *b3 = b2 ? strchr (b2 + 1, '|') : NULL;
    if (!b3 || (size_t) (b1 - f) != 5 || memcmp (f, "admin", 5) != 0
        || (size_t) (b2 - b1 - 1) != SESSION_SID_HEX)
        return SESSION_BAD;
    memcpy (s->sid, b1 + 1, SESSION_SID_HEX);
    s->sid [SESSION_SID_HEX] = '\0';
    for (int i = 0; i < SESSION_SID_HEX; i++)
        if (!((s->sid [i] >= '0' && s->sid [i] <= '9') || (s->sid [i] >= 'a' && s->sid [i] <= 'f')))
            return SESSION_BAD;
    if (s_decimal (b2 + 1, b3, &s->issued) < 0
        || s_decimal (b3 + 1, (const char *) payload + plen, &s->last) < 0)
        return SESSION_BAD;
    return session_check_times (s, now, idle_s);
}

session_result_t
session_check_times (const session_t *s, int64_t now, int64_t idle_s)
{
    if (s->last < s->issued || s->issued > now + SESSION_SKEW_S || s->last > now + SESSION_SKEW_S)
        return SESSION_BAD;
    if (now - s->issued > SESSION_MAX_AGE_S)
        return SESSION_EXPIRED;
    if (now - s->last > idle_s)
        return SESSION_IDLE;
    return SESSION_OK;
}

void
session_csrf (const unsigned char key [SESSION_KEY_BYTES], const char *sid,
              char out [SESSION_CSRF_MAX])
{
    char msg [64];
    int n = snprintf (msg, sizeof (msg), "csrf|%s", sid ? sid : "");
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    s_hmac (key, SESSION_KEY_BYTES, msg, (size_t) n, mac);
    sodium_bin2base64 (out, SESSION_CSRF_MAX, mac, sizeof (mac), S_B64);
}

bool
session_streq (const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t la = strlen (a), lb = strlen (b);
    if (la != lb)
        return false;
    return la == 0 || sodium_memcmp (a, b, la) == 0;
}

bool
session_token_ok (const char *expected, const char *given)
{
    if (!expected || !*expected || !given)
        return false;
    unsigned char a [crypto_generichash_BYTES], b [crypto_generichash_BYTES];
    crypto_generichash (a, sizeof (a), (const unsigned char *) expected, strlen (expected), NULL, 0);
    crypto_generichash (b, sizeof (b), (const unsigned char *) given, strlen (given), NULL, 0);
    return sodium_memcmp (a, b, sizeof (a)) == 0;
}

bool
session_csrf_ok (const unsigned char key [SESSION_KEY_BYTES], const char *sid, const char *submitted)
{
    if (!submitted || !*submitted || !sid || !*sid)
        return false;
    char want [SESSION_CSRF_MAX];
    session_csrf (key, sid, want);
    return session_streq (want, submitted);
}
