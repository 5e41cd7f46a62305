/*  fuzz_web_auth: libFuzzer target for what ddc-web reads before it knows
    who is asking (web/session.c, web/form.c, services/broker/setupcode.c
    and services/lib/ddc_pwhash.c, included). The first byte picks:

      0  a session token as the cookie holds it (session_decode);
      1  a session payload, signed here with the right key, so that the
         fields behind the signature are reached ("admin|sid|issued|last");
      2  a Cookie header, its ddc_session value decoded;
      3  an X-Forwarded-For header (form_forwarded_for);
      4  a typed setup code (setupcode_matches) and a setup code file (its
         parser);
      5  a password hash from the configuration (kind, usable, needs rehash;
         verified when its cost is small) and a password (the policy).

    Checked: a session is OK only when re-encoding it gives a token that
    decodes the same; the forwarded-for address is printable ASCII that
    fits; a setup code matches exactly when its letters and digits are the
    code's; a usable hash verifies to 0 or 1, an unusable one to -1; no
    crash, leak or undefined behaviour. */
#include "../../web/session.c"
#include "../../web/form.c"
#include "../../services/broker/setupcode.c"
#include "../../services/lib/ddc_pwhash.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_NOW 1800000000

static unsigned char s_key [SESSION_KEY_BYTES];

static void
s_check_session (const char *token)
{
    session_t s;
    session_result_t r = session_decode (s_key, token, S_NOW, 3600, &s);
    if (r != SESSION_OK)
        return;
    char again [SESSION_TOKEN_MAX];
    session_encode (s_key, &s, again);
    session_t s2;
    if (session_decode (s_key, again, S_NOW, 3600, &s2) != SESSION_OK || strcmp (s.sid, s2.sid) != 0
        || s.issued != s2.issued || s.last != s2.last)
        abort ();
    char csrf [SESSION_CSRF_MAX];
    session_csrf (s_key, s.sid, csrf);
    if (!session_csrf_ok (s_key, s.sid, csrf) || session_csrf_ok (s_key, s.sid, token))
        abort ();
}

//  "v1." b64(payload) "." b64(HMAC(key, payload)), as session_encode makes.
static void
s_signed (const char *payload, size_t len)
{
    if (len > 120)
        return;
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    s_hmac (s_key, SESSION_KEY_BYTES, payload, len, mac);
    char p64 [sodium_base64_ENCODED_LEN (128, S_B64)];
    char m64 [sodium_base64_ENCODED_LEN (sizeof (mac), S_B64)];
    sodium_bin2base64 (p64, sizeof (p64), (const unsigned char *) payload, len, S_B64);
    sodium_bin2base64 (m64, sizeof (m64), mac, sizeof (mac), S_B64);
    char token [SESSION_TOKEN_MAX + 64];
    snprintf (token, sizeof (token), "v1.%s.%s", p64, m64);
    s_check_session (token);
}

static void
s_setup_code (const char *input)
{
    setupcode_t code = { .path = NULL, .code = "ABCD-EFGH-JKLM", .synced = true };
    bool match = setupcode_matches (&code, input);
    //  The plain rule: its letters and digits, upper-cased, are the code's.
    char plain [64];
    size_t n = 0;
    bool other = false;
    for (const char *p = input; *p && !other; p++) {
        char c = *p;
        if (c == '-' || c == ' ' || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char) (c - 'a' + 'A');
        other = !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || n == sizeof (plain) - 1;
        if (!other)
            plain [n++] = c;
    }
    plain [n] = '\0';
    if (match != (!other && strcmp (plain, "ABCDEFGHJKLM") == 0))
        abort ();
    char parsed [SETUPCODE_LEN];
    if (s_parse (input, parsed)) {
        code = (setupcode_t){ .synced = true };
        memcpy (code.code, parsed, sizeof (code.code));
        if (!setupcode_matches (&code, parsed) || strlen (parsed) != SETUPCODE_LEN - 1)
            abort ();
    }
}

static void
s_hash (const char *text)
{
    ddc_pwhash_kind (text);
    ddc_pwhash_needs_rehash (text);
    bool usable = ddc_pwhash_usable (text);
    //  Verify only what is cheap to compute.
    s_legacy_t h;
    bool cheap = (ddc_pwhash_kind (text) == DDC_PWHASH_PBKDF2 && s_parse_pbkdf2 (text, &h) == 0
                  && h.iter <= 64)
                 || (ddc_pwhash_kind (text) == DDC_PWHASH_SCRYPT && s_parse_scrypt (text, &h) == 0
                     && h.n * h.r * h.p <= 256)
                 || ddc_pwhash_kind (text) == DDC_PWHASH_UNKNOWN
                 || ddc_pwhash_kind (text) == DDC_PWHASH_EMPTY;
    if (cheap || !usable) {
        int rc = ddc_pwhash_verify ("Correct-Horse-9", text);
        if (usable ? (rc != 0 && rc != 1)
                   : rc != -1 && ddc_pwhash_kind (text) != DDC_PWHASH_ARGON2ID)
            abort ();
    }
    const char *why = ddc_pwhash_policy (text);
    if (why && strncmp (why, "pw.", 3) != 0)
        abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    if (sodium_init () < 0 || session_key ("$argon2id$v=19$m=65536,t=2,p=1$x$y", s_key) < 0)
        abort ();
    return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = ddc_strndup ((const char *) data + 1, size - 1);
    switch (data [0] % 6) {
        case 0:
            s_check_session (text);
            break;
        case 1:
            s_signed ((const char *) data + 1, size - 1);
            break;
        case 2: {
            char value [SESSION_TOKEN_MAX];
            if (form_cookie (text, "ddc_session", value, sizeof (value)) == 0)
                s_check_session (value);
            break;
        }
        case 3: {
            char addr [64];
            if (form_forwarded_for (text, addr, sizeof (addr)) == 0) {
                size_t n = strlen (addr);
                if (n == 0 || n >= sizeof (addr))
                    abort ();
                for (size_t i = 0; i < n; i++)
                    if ((unsigned char) addr [i] <= 0x20 || (unsigned char) addr [i] >= 0x7f)
                        abort ();
            }
            break;
        }
        case 4:
            s_setup_code (text);
            break;
        default:
            s_hash (text);
            break;
    }
    free (text);
    return 0;
}
