/*  ddc_pwhash: the web password's hashing and the password policy. Kore-free.
    New hashes are libsodium's argon2id strings ("$argon2id$v=19$m=...").
    Also verified, so that a config imported from the original
    DockerDiscordControl keeps its password: werkzeug's
      "pbkdf2:sha256:ITERATIONS$SALT$HEX" (also sha512/sha1) and
      "scrypt:N:R:P$SALT$HEX"
    (PBKDF2-HMAC and scrypt from OpenSSL's libcrypto). Such a legacy hash, or
    an argon2id hash with weaker parameters, "needs a rehash": ddc-web then
    stores a new argon2id hash after the next successful sign-in.
    Hashing is slow on purpose (~0.1 s; a legacy PBKDF2 hash can take longer):
    ddc-web runs it on its hashing thread, never on the event loop. Functions
    here are thread-safe once ddc_pwhash_init has run. Used by ddc-web
    (setup, sign-in, password change) and ddc-ctl passwd. */
#ifndef DDC_PWHASH_H
#define DDC_PWHASH_H

#include <stdbool.h>
#include <stddef.h>

#define DDC_PWHASH_MAX 512       //  the broker's limit for the field
#define DDC_PWHASH_PASS_MAX 1024 //  longer passwords are refused
#define DDC_PWHASH_MIN_LEN 10

typedef enum {
    DDC_PWHASH_EMPTY, //  "" : no password set
    DDC_PWHASH_ARGON2ID,
    DDC_PWHASH_PBKDF2, //  werkzeug pbkdf2:...
    DDC_PWHASH_SCRYPT, //  werkzeug scrypt:...
    DDC_PWHASH_UNKNOWN
} ddc_pwhash_kind_t;

//  libsodium's init; 0/-1.
int ddc_pwhash_init (void);

ddc_pwhash_kind_t ddc_pwhash_kind (const char *hash);

//  Hash password with argon2id into out[DDC_PWHASH_MAX]. 0/-1.
int ddc_pwhash_hash (const char *password, char out [DDC_PWHASH_MAX]);

//  1 when password matches hash, 0 when not, -1 when the hash is malformed
//  or of an unknown kind (which never matches).
int ddc_pwhash_verify (const char *password, const char *hash);

//  True when hash is of a kind ddc_pwhash_verify checks and well formed
//  (its parameters within bounds): a hash that some password can match.
//  Only parses; computes nothing.
bool ddc_pwhash_usable (const char *hash);

//  True for legacy hashes and argon2id with weaker parameters than ours.
bool ddc_pwhash_needs_rehash (const char *hash);

//  The policy: 10 to 1024 bytes of valid UTF-8 without control characters,
//  and either at least 3 of the 4 kinds (lowercase, uppercase, digits,
//  others such as punctuation, spaces or non-ASCII letters), or at least 16
//  characters of at least 2 kinds (a passphrase). Returns NULL when
//  acceptable, else the locale key of the reason ("pw.too_short",
//  "pw.too_long", "pw.kinds", "pw.invalid").
const char *ddc_pwhash_policy (const char *password);

#endif
