/*  session: ddc-web's signed session cookie and CSRF tokens. Kore-free;
    libsodium (HMAC-SHA-256, base64url, constant-time compare).

    Stateless, so that any replica of ddc-web can check a cookie:
      token   = "v1." b64url(payload) "." b64url(HMAC-SHA-256(key, payload))
      payload = "admin|<sid>|<issued>|<last>"   (sid: 32 hex; times: Unix s)
      key     = HMAC-SHA-256(key = web.password_hash, "ddc-web session v1")
    web.password_hash is a secret every replica gets from the broker, so no
    extra key has to be shared; and since the key derives from it, a
    password change (or a rehash) invalidates every other session at once.
    "last" is the time of the last page the user loaded: a session idle for
    longer than web.session_idle_minutes (read live) is refused, as is one
    issued more than SESSION_MAX_AGE_S ago.
    CSRF token = b64url(HMAC-SHA-256(key, "csrf|" sid)): tied to the session
    (and to the password), checked on every write. */
#ifndef WEB_SESSION_H
#define WEB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_KEY_BYTES 32
#define SESSION_SID_HEX 32
#define SESSION_TOKEN_MAX 256
#define SESSION_CSRF_MAX 64
#define SESSION_MAX_AGE_S (7 * 24 * 3600)
#define SESSION_SKEW_S 120 //  replicas' clocks may differ this much

typedef struct {
    char sid [SESSION_SID_HEX + 1];
    int64_t issued; //  Unix seconds
    int64_t last;   //  Unix seconds
} session_t;

typedef enum {
    SESSION_OK = 0,
    SESSION_MISSING, //  no or empty token, or no key
    SESSION_BAD,     //  malformed or bad signature
    SESSION_IDLE,    //  idle longer than allowed
    SESSION_EXPIRED  //  older than SESSION_MAX_AGE_S
} session_result_t;

//  The signing key derived from a password hash; -1 if the hash is empty
//  (no password set: no session can exist).
int session_key (const char *password_hash, unsigned char key [SESSION_KEY_BYTES]);

//  A new session at now (random sid).
void session_start (session_t *s, int64_t now);

//  Sign s into out[SESSION_TOKEN_MAX].
void session_encode (const unsigned char key [SESSION_KEY_BYTES], const session_t *s,
                     char out [SESSION_TOKEN_MAX]);

//  Check a token at now with an idle limit in seconds; s is filled when the
//  signature holds (also for IDLE/EXPIRED, so the caller may log the sid).
session_result_t session_decode (const unsigned char key [SESSION_KEY_BYTES], const char *token,
                                 int64_t now, int64_t idle_s, session_t *s);

//  The time checks of session_decode alone, for a session whose signature
//  held: OK, IDLE, EXPIRED, or BAD (times in the future).
session_result_t session_check_times (const session_t *s, int64_t now, int64_t idle_s);

//  The CSRF token of a session into out[SESSION_CSRF_MAX].
void session_csrf (const unsigned char key [SESSION_KEY_BYTES], const char *sid,
                   char out [SESSION_CSRF_MAX]);
//  Constant-time check of a submitted CSRF token.
bool session_csrf_ok (const unsigned char key [SESSION_KEY_BYTES], const char *sid,
                      const char *submitted);

//  True when given is the expected token (not empty), compared as
//  BLAKE2b hashes in constant time: neither the content nor the length of
//  the expected token shows in the time taken.
bool session_token_ok (const char *expected, const char *given);

//  Constant-time equality of two NUL-terminated strings.
bool session_streq (const char *a, const char *b);

#endif
