/*  fernet: opens a Fernet token (the format of Python's cryptography
    package: version byte 0x80, 8-byte time, 16-byte IV, AES-128-CBC
    ciphertext with PKCS#7 padding and an HMAC-SHA256 over all of it, in
    url-safe base64), which is how DockerDiscordControl stores a bot token
    it was asked to encrypt, and derives DockerDiscordControl's key for
    it: PBKDF2-HMAC-SHA256 of its web password hash string with a fixed
    salt. Used by ddc-ctl import-ddc. libcrypto does the cryptography,
    libsodium the base64; nothing here logs. 0 / -1. */
#ifndef CTL_FERNET_H
#define CTL_FERNET_H

#include <stdbool.h>
#include <stddef.h>

#define FERNET_KEY_BYTES 32   //  signing key, then encryption key
#define FERNET_TOKEN_MAX 4096 //  longer tokens are refused
//  DockerDiscordControl's rounds for the token key.
#define FERNET_DDC_ITERATIONS 600000

//  True when s has the start every Fernet token has ("gAAAAA": version
//  0x80 and the high bytes of a time stamp).
bool fernet_looks_like (const char *s);

//  DockerDiscordControl's token key from the string secret (its web
//  password hash) with iterations rounds (FERNET_DDC_ITERATIONS for the
//  real thing). 0, or -1 on bad arguments.
int fernet_ddc_key (const char *secret, int iterations, unsigned char key [FERNET_KEY_BYTES]);

//  Open token with key into a new NUL-terminated string (caller frees and
//  should wipe it), *len_p its length. -1 when the token is malformed,
//  was made with another key (MAC mismatch) or its padding is bad. The
//  token's time is not checked (tokens stored in a file have no TTL).
int fernet_decrypt (const unsigned char key [FERNET_KEY_BYTES], const char *token, char **plain_p,
                    size_t *len_p);

#endif
