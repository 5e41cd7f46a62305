/*  fernet: Fernet tokens and DockerDiscordControl's token key. See fernet.h. */
#include "fernet.h"
#include "ddc_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <string.h>

#define S_VERSION 0x80
#define S_HEAD (1 + 8 + 16) //  version, time, IV
#define S_MAC 32
#define S_BLOCK 16

//  DockerDiscordControl's fixed salt for the token key.
static const char s_ddc_salt [] = "ddc-salt-for-token-encryption-key-v1";

bool
fernet_looks_like (const char *s)
{
    return s && strncmp (s, "gAAAAA", 6) == 0;
}

int
fernet_ddc_key (const char *secret, int iterations, unsigned char key [FERNET_KEY_BYTES])
{
    if (!secret || iterations < 1)
        return -1;
    return PKCS5_PBKDF2_HMAC (secret, (int) strlen (secret), (const unsigned char *) s_ddc_salt,
                              (int) strlen (s_ddc_salt), iterations, EVP_sha256 (),
                              FERNET_KEY_BYTES, key)
                   == 1
               ? 0
               : -1;
}

int
fernet_decrypt (const unsigned char key [FERNET_KEY_BYTES], const char *token, char **plain_p,
                size_t *len_p)
{
    *plain_p = NULL;
    *len_p = 0;
    size_t tlen = token ? strnlen (token, FERNET_TOKEN_MAX + 1) : 0;
    if (tlen == 0 || tlen > FERNET_TOKEN_MAX)
        return -1;
    unsigned char raw [FERNET_TOKEN_MAX];
    size_t len = 0;
    if (sodium_base642bin (raw, sizeof (raw), token, tlen, NULL, &len, NULL,
                           sodium_base64_VARIANT_URLSAFE)
        != 0)
        return -1;
    if (len < S_HEAD + S_BLOCK + S_MAC || (len - S_HEAD - S_MAC) % S_BLOCK != 0
        || raw [0] != S_VERSION)
        return -1;
    unsigned char mac [EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (!HMAC (EVP_sha256 (), key, 16, raw, len - S_MAC, mac, &maclen) || maclen != S_MAC
        || CRYPTO_memcmp (mac, raw + len - S_MAC, S_MAC) != 0)
        return -1;

    size_t clen = len - S_HEAD - S_MAC;
    unsigned char *plain = ddc_malloc (clen + 1);
    int out1 = 0, out2 = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
    int ok = ctx && EVP_DecryptInit_ex (ctx, EVP_aes_128_cbc (), NULL, key + 16, raw + 9) == 1
             && EVP_DecryptUpdate (ctx, plain, &out1, raw + S_HEAD, (int) clen) == 1
             && EVP_DecryptFinal_ex (ctx, plain + out1, &out2) == 1;
    EVP_CIPHER_CTX_free (ctx);
    OPENSSL_cleanse (raw, sizeof (raw));
    if (!ok) {
        OPENSSL_cleanse (plain, clen + 1);
        free (plain);
        return -1;
    }
    size_t n = (size_t) out1 + (size_t) out2;
    plain [n] = '\0';
    *plain_p = (char *) plain;
    *len_p = n;
    return 0;
}
