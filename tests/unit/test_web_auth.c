/*  Unit tests of ddc-web's sign-in logic (Kore-free files compiled in):
    password hashing (argon2id) and verification of werkzeug hashes from an
    original DockerDiscordControl config with known vectors (RFC 7914's
    PBKDF2-HMAC-SHA256 vector, hashes made with Python's hashlib the way
    werkzeug does), the password policy, the signed session cookie (sign,
    verify, tamper, idle and age limits, key change on a new password hash),
    CSRF tokens. (The setup code and the sign-in limit are the broker's:
    tests/unit/test_broker_signin.c.) */
#include "../../web/form.c"
#include "ddc_pwhash.h"
#include "../../web/session.c"
#include "ddc_test.h"

#define PW "Correct-Horse-42"

DDC_TEST (test_argon2id_hash_and_verify)
{
    CHECK_EQ (ddc_pwhash_init (), 0);
    char h [DDC_PWHASH_MAX];
    CHECK_EQ (ddc_pwhash_hash (PW, h), 0);
    CHECK_EQ (strncmp (h, "$argon2id$v=19$m=65536,t=2,p=1$", 31), 0);
    CHECK_EQ (ddc_pwhash_kind (h), DDC_PWHASH_ARGON2ID);
    CHECK_EQ (ddc_pwhash_verify (PW, h), 1);
    CHECK_EQ (ddc_pwhash_verify ("Correct-Horse-43", h), 0);
    CHECK_EQ (ddc_pwhash_verify ("", h), 0);
    CHECK (!ddc_pwhash_needs_rehash (h));
    //  salted: the same password hashes differently each time
    char h2 [DDC_PWHASH_MAX];
    CHECK_EQ (ddc_pwhash_hash (PW, h2), 0);
    CHECK (strcmp (h, h2) != 0);
    CHECK_EQ (ddc_pwhash_verify (PW, h2), 1);
}

DDC_TEST (test_argon2id_known_strings)
{
    CHECK_EQ (ddc_pwhash_init (), 0);
    //  made by libsodium with our parameters, and with weaker ones
    const char *ours = "$argon2id$v=19$m=65536,t=2,p=1$VJsCJHYM5vhGa/FIFV/R1g$"
                       "s/QRzlq0BvDlMpXNc74TNxiPoCvDKGd+ZTz6PbmCMtQ";
    const char *weak = "$argon2id$v=19$m=8,t=1,p=1$fl1LeZeVtREsJSeRslJkhA$"
                       "E9a8KAIgFAwT/CnXe85l2SL58UJ4hUkyvC5bpEBvTbc";
    CHECK_EQ (ddc_pwhash_verify (PW, ours), 1);
    CHECK_EQ (ddc_pwhash_verify (PW, weak), 1);
    CHECK (!ddc_pwhash_needs_rehash (ours));
    CHECK (ddc_pwhash_needs_rehash (weak));
    //  a damaged string never matches
    CHECK_EQ (ddc_pwhash_verify (PW, "$argon2id$v=19$m=65536,t=2,p=1$VJsCJHYM5vhGa/FIFV/R1g$AAAA"),
              0);
    CHECK_EQ (ddc_pwhash_verify (PW, "$argon2id$garbage"), -1);
    //  a cost beyond 1 GiB, 16 passes or 16 lanes is never computed
    const char *huge [] = {
        "$argon2id$v=19$m=4194304,t=2,p=1$VJsCJHYM5vhGa/FIFV/R1g$s/"
        "QRzlq0BvDlMpXNc74TNxiPoCvDKGd+ZTz6PbmCMtQ",
        "$argon2id$v=19$m=65536,t=1000,p=1$VJsCJHYM5vhGa/FIFV/R1g$s/"
        "QRzlq0BvDlMpXNc74TNxiPoCvDKGd+ZTz6PbmCMtQ",
        "$argon2id$v=19$m=65536,t=2,p=255$VJsCJHYM5vhGa/FIFV/R1g$s/"
        "QRzlq0BvDlMpXNc74TNxiPoCvDKGd+ZTz6PbmCMtQ",
        "$argon2id$v=19$m=65536,t=2,p=1,x=3$VJsCJHYM5vhGa/FIFV/R1g$s/"
        "QRzlq0BvDlMpXNc74TNxiPoCvDKGd+ZTz6PbmCMtQ",
    };
    for (size_t i = 0; i < sizeof (huge) / sizeof (huge [0]); i++) {
        CHECK (!ddc_pwhash_usable (huge [i]));
        CHECK_EQ (ddc_pwhash_verify (PW, huge [i]), -1);
    }
    CHECK (ddc_pwhash_usable (ours) && ddc_pwhash_usable (weak));
}

DDC_TEST (test_werkzeug_pbkdf2_vectors)
{
    CHECK_EQ (ddc_pwhash_init (), 0);
    //  RFC 7914 section 11: PBKDF2-HMAC-SHA256("password", "salt", 1)
    CHECK (ddc_pwhash_verify ("password",
                              "pbkdf2:sha256:1$salt$"
                              "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")
           == 1);
    CHECK (ddc_pwhash_verify ("password",
                              "pbkdf2:sha256:4096$salt$"
                              "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
           == 1);
    //  werkzeug's format as the original DDC stores it (600000 rounds)
    const char *ddc = "pbkdf2:sha256:600000$Ab12Cd34$"
                      "5489dc94bc9f92b38b5b5c6d1d344e2229bf3a18ccaa84ba0e0c6da2dc4bad6d";
    CHECK_EQ (ddc_pwhash_kind (ddc), DDC_PWHASH_PBKDF2);
    CHECK_EQ (ddc_pwhash_verify (PW, ddc), 1);
    CHECK_EQ (ddc_pwhash_verify ("correct-horse-42", ddc), 0);
    CHECK (ddc_pwhash_needs_rehash (ddc));
    CHECK (ddc_pwhash_verify (PW,
                              "pbkdf2:sha256:1000$Ab12Cd34$"
                              "b1e81cad34c677bcad1df6985868f7aa8e20e034eba547d9056c8fa6c95bc515")
           == 1);
    CHECK (ddc_pwhash_verify (PW,
                              "pbkdf2:sha512:2000$xY9z$"
                              "ea6e9b98370124be01ba13aef88ef6f8750bc4b1bc9a461ab7249f05e14b734f"
                              "c974c5d3aedd3a7a52aae6fd4748dfed77c24eb168c06bb20f79b9066c013d85")
           == 1);
    CHECK_EQ (ddc_pwhash_verify (PW,
                                 "pbkdf2:sha1:2000$s1$4075c7581e1b202941444911222ef62c2ba613d3"),
              1);
    CHECK (ddc_pwhash_verify ("Gr\xC3\xBC\xC3\x9F"
                              "e-Passw\xC3\xB6rt-1",
                              "pbkdf2:sha256:1000$uni$"
                              "5636a301616ab9017b99c0426815f9d6d1d0df36b92c6ad72231e60fede7653d")
           == 1);
    //  malformed: -1, never a match
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:sha256$Ab12Cd34$b1e8"), -1); //  no rounds
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:sha256:0$Ab12Cd34$b1e81cad"), -1);
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:sha256:99999999$s$00"), -1); //  too many
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:md5:1000$s$00"), -1);
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:sha256:1000$$b1e8"), -1);
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:sha256:1000$s$zz"), -1);
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:sha256:1000$s$abcd"), -1); //  wrong length
    CHECK_EQ (ddc_pwhash_verify (PW, "pbkdf2:sha256:1000$a$b$c"), -1);
    CHECK_EQ (ddc_pwhash_verify (PW, "plain-text-password"), -1);
    CHECK_EQ (ddc_pwhash_verify (PW, ""), -1);
}

DDC_TEST (test_werkzeug_scrypt_vector)
{
    CHECK_EQ (ddc_pwhash_init (), 0);
    const char *h =
        "scrypt:16384:8:1$Zx98Yw76$c3f5d4f266527d103a1f0e5175d8ca4ea11b54274abbcd3139ca32bbb"
        "72e64e0f595e84a8a8c602e78e375dac37da31f7e342c229baa6f0ca339aecc571f9105";
    CHECK_EQ (ddc_pwhash_kind (h), DDC_PWHASH_SCRYPT);
    CHECK_EQ (ddc_pwhash_verify (PW, h), 1);
    CHECK_EQ (ddc_pwhash_verify ("nope", h), 0);
    CHECK (ddc_pwhash_needs_rehash (h));
    CHECK_EQ (ddc_pwhash_verify (PW, "scrypt:16383:8:1$s$00"), -1);   //  N not a power of 2
    CHECK_EQ (ddc_pwhash_verify (PW, "scrypt:4194304:8:1$s$00"), -1); //  too much memory
    CHECK_EQ (ddc_pwhash_verify (PW, "scrypt:16384:8$s$00"), -1);
    //  n so small that werkzeug's maxmem (132 n r p) cannot hold scrypt's
    //  own memory: unusable, not a hash that merely fails to match
    const char *tiny = "scrypt:16:1:1$salt$abababababababababababababababababababababababababababab"
                       "abababababababababababababababababababababababababababababababababababab";
    CHECK (!ddc_pwhash_usable (tiny) && ddc_pwhash_verify (PW, tiny) == -1);
}

DDC_TEST (test_password_policy)
{
    CHECK (ddc_pwhash_policy (PW) == NULL);
    CHECK (ddc_pwhash_policy ("abcDEF1234") == NULL); //  10 chars, 3 kinds
    CHECK_STR (ddc_pwhash_policy ("abcDEF123"), "pw.too_short");
    CHECK_STR (ddc_pwhash_policy ("abcdefghijklmnop"), "pw.kinds"); //  one kind
    CHECK_STR (ddc_pwhash_policy ("abcdefgh12"), "pw.kinds");       //  2 kinds, short
    CHECK (ddc_pwhash_policy ("correct horse battery") == NULL);    //  passphrase
    CHECK (ddc_pwhash_policy ("Gr\xC3\xBC\xC3\x9F"
                              "e aus Bonn!")
           == NULL);
    CHECK_STR (ddc_pwhash_policy ("\xC3\xA4\xC3\xB6\xC3\xBC\xC3\xA4\xC3\xB6\xC3\xBC"
                                  "1A"),
               "pw.too_short");
    CHECK_STR (ddc_pwhash_policy ("abc\tDEF1234"), "pw.invalid");
    CHECK_STR (ddc_pwhash_policy ("abcDEF1234\xFF"), "pw.invalid");
    CHECK_STR (ddc_pwhash_policy (""), "pw.too_short");
    CHECK_STR (ddc_pwhash_policy (NULL), "pw.too_short");
    char longpw [DDC_PWHASH_PASS_MAX + 2];
    memset (longpw, 'a', sizeof (longpw) - 1);
    longpw [sizeof (longpw) - 1] = '\0';
    longpw [0] = 'A';
    longpw [1] = '1';
    CHECK_STR (ddc_pwhash_policy (longpw), "pw.too_long");
}

DDC_TEST (test_session_roundtrip)
{
    CHECK_EQ (ddc_pwhash_init (), 0);
    unsigned char key [SESSION_KEY_BYTES];
    CHECK_EQ (session_key ("", key), -1);
    CHECK (session_key (NULL, key) == -1);
    CHECK_EQ (session_key ("$argon2id$v=19$m=65536,t=2,p=1$x$y", key), 0);
    session_t s, got;
    session_start (&s, 1000000);
    CHECK_EQ (strlen (s.sid), SESSION_SID_HEX);
    char tok [SESSION_TOKEN_MAX];
    session_encode (key, &s, tok);
    CHECK_EQ (strncmp (tok, "v1.", 3), 0);
    CHECK_EQ (session_decode (key, tok, 1000000, 1800, &got), SESSION_OK);
    CHECK_STR (got.sid, s.sid);
    CHECK_EQ (got.issued, 1000000);
    CHECK_EQ (got.last, 1000000);
    //  another session has another id
    session_t s2;
    session_start (&s2, 1000000);
    CHECK (strcmp (s.sid, s2.sid) != 0);
}

DDC_TEST (test_session_idle_and_age)
{
    unsigned char key [SESSION_KEY_BYTES];
    session_key ("hash-A", key);
    session_t s = { .issued = 5000, .last = 5000 }, got;
    memcpy (s.sid, "0123456789abcdef0123456789abcdef", 33);
    char tok [SESSION_TOKEN_MAX];
    session_encode (key, &s, tok);
    CHECK_EQ (session_decode (key, tok, 5000 + 60, 60, &got), SESSION_OK); //  at the limit
    CHECK_EQ (session_decode (key, tok, 5000 + 61, 60, &got), SESSION_IDLE);
    CHECK_EQ (session_decode (key, tok, 5000 + 1799, 1800, &got), SESSION_OK);
    //  refreshed: last moves, issued stays
    s.last = 5000 + 1700;
    session_encode (key, &s, tok);
    CHECK_EQ (session_decode (key, tok, 5000 + 3000, 1800, &got), SESSION_OK);
    //  the absolute age limit, whatever the activity
    s.last = 5000 + SESSION_MAX_AGE_S;
    session_encode (key, &s, tok);
    CHECK_EQ (session_decode (key, tok, 5000 + SESSION_MAX_AGE_S + 1, 1800, &got), SESSION_EXPIRED);
    //  from the future (beyond the allowed clock skew)
    s.issued = s.last = 100000;
    session_encode (key, &s, tok);
    CHECK_EQ (session_decode (key, tok, 100000 - SESSION_SKEW_S - 1, 1800, &got), SESSION_BAD);
    CHECK_EQ (session_decode (key, tok, 100000 - SESSION_SKEW_S, 1800, &got), SESSION_OK);
}

DDC_TEST (test_session_tamper_and_key_change)
{
    unsigned char a [SESSION_KEY_BYTES], b [SESSION_KEY_BYTES];
    session_key ("hash-A", a);
    session_key ("hash-B", b);
    CHECK (memcmp (a, b, sizeof (a)) != 0);
    session_t s, got;
    session_start (&s, 7000);
    char tok [SESSION_TOKEN_MAX];
    session_encode (a, &s, tok);
    //  a new password hash signs every session out
    CHECK_EQ (session_decode (b, tok, 7000, 1800, &got), SESSION_BAD);
    //  any changed byte breaks the signature
    for (size_t i = 0; tok [i]; i++) {
        char t2 [SESSION_TOKEN_MAX];
        strcpy (t2, tok);
        t2 [i] = t2 [i] == 'A' ? 'B' : 'A';
        CHECK (session_decode (a, t2, 7000, 1800, &got) != SESSION_OK);
    }
    //  a payload with a later "last" but the old signature
    char forged [SESSION_TOKEN_MAX];
    session_t later = s;
    later.last = 7000 + 100000;
    unsigned char other [SESSION_KEY_BYTES];
    session_key ("guess", other);
    session_encode (other, &later, forged);
    CHECK_EQ (session_decode (a, forged, 7000, 1800, &got), SESSION_BAD);
    CHECK_EQ (session_decode (a, "", 7000, 1800, &got), SESSION_MISSING);
    CHECK (session_decode (a, NULL, 7000, 1800, &got) == SESSION_MISSING);
    CHECK_EQ (session_decode (a, "v1.", 7000, 1800, &got), SESSION_BAD);
    CHECK_EQ (session_decode (a, "v2.abc.def", 7000, 1800, &got), SESSION_BAD);
    CHECK_EQ (session_decode (a, "v1.!!!.???", 7000, 1800, &got), SESSION_BAD);
    char huge [600];
    memset (huge, 'A', sizeof (huge) - 1);
    huge [sizeof (huge) - 1] = '\0';
    memcpy (huge, "v1.", 3);
    CHECK_EQ (session_decode (a, huge, 7000, 1800, &got), SESSION_BAD);
}

DDC_TEST (test_csrf_tokens)
{
    unsigned char a [SESSION_KEY_BYTES], b [SESSION_KEY_BYTES];
    session_key ("hash-A", a);
    session_key ("hash-B", b);
    char t1 [SESSION_CSRF_MAX], t2 [SESSION_CSRF_MAX];
    session_csrf (a, "0123456789abcdef0123456789abcdef", t1);
    session_csrf (a, "fedcba9876543210fedcba9876543210", t2);
    CHECK_EQ (strlen (t1), 43);
    CHECK (strcmp (t1, t2) != 0); //  tied to the session
    CHECK (session_csrf_ok (a, "0123456789abcdef0123456789abcdef", t1));
    CHECK (!session_csrf_ok (a, "fedcba9876543210fedcba9876543210", t1));
    CHECK (!session_csrf_ok (b, "0123456789abcdef0123456789abcdef", t1)); //  and the password
    CHECK (!session_csrf_ok (a, "0123456789abcdef0123456789abcdef", ""));
    CHECK (!session_csrf_ok (a, "0123456789abcdef0123456789abcdef", NULL));
    CHECK (!session_csrf_ok (a, "", t1));
    t1 [5] ^= 1;
    CHECK (!session_csrf_ok (a, "0123456789abcdef0123456789abcdef", t1));
    CHECK (session_streq ("abc", "abc"));
    CHECK (!session_streq ("abc", "abd"));
    CHECK (!session_streq ("abc", "abcd"));
    CHECK (!session_streq (NULL, "a"));
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_argon2id_hash_and_verify);
    DDC_RUN (test_argon2id_known_strings);
    DDC_RUN (test_werkzeug_pbkdf2_vectors);
    DDC_RUN (test_werkzeug_scrypt_vector);
    DDC_RUN (test_password_policy);
    DDC_RUN (test_session_roundtrip);
    DDC_RUN (test_session_idle_and_age);
    DDC_RUN (test_session_tamper_and_key_change);
    DDC_RUN (test_csrf_tokens);
    DDC_DONE ();
}
