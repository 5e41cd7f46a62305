/*  ddc_pwhash: argon2id, werkzeug verification, policy. See ddc_pwhash.h. */
#include "ddc_pwhash.h"

#include "ddc_util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  argon2id cost: libsodium's "interactive" level (2 passes, 64 MiB).
#define S_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define S_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

//  Bounds on the parameters a hash names (legacy ones and argon2id hashes
//  made elsewhere): a hash from the config must not make a single check run
//  for minutes or exhaust memory.
#define S_ARGON2_MAX_M (1024u * 1024) //  KiB: 1 GiB
#define S_ARGON2_MAX_T 16
#define S_ARGON2_MAX_P 16
#define S_PBKDF2_MAX_ITER 5000000
#define S_SCRYPT_MAX_N (1u << 20)
#define S_SCRYPT_MAX_R 32
#define S_SCRYPT_MAX_P 16
#define S_SCRYPT_MAX_MEM (1100ull * 1024 * 1024)
#define S_SALT_MAX 128
#define S_DK_MAX 64

int
ddc_pwhash_init (void)
{
    return sodium_init () < 0 ? -1 : 0;
}

ddc_pwhash_kind_t
ddc_pwhash_kind (const char *hash)
{
    if (!hash || !*hash)
        return DDC_PWHASH_EMPTY;
    if (strncmp (hash, "$argon2id$", 10) == 0)
        return DDC_PWHASH_ARGON2ID;
    if (strncmp (hash, "pbkdf2:", 7) == 0)
        return DDC_PWHASH_PBKDF2;
    if (strncmp (hash, "scrypt:", 7) == 0)
        return DDC_PWHASH_SCRYPT;
    return DDC_PWHASH_UNKNOWN;
}

int
ddc_pwhash_hash (const char *password, char out [DDC_PWHASH_MAX])
{
    if (!password)
        return -1;
    char tmp [crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg (tmp, password, strlen (password), S_OPSLIMIT, S_MEMLIMIT,
                               crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return -1;
    size_t n = strlen (tmp);
    if (n >= DDC_PWHASH_MAX)
        return -1;
    memcpy (out, tmp, n + 1);
    sodium_memzero (tmp, sizeof (tmp));
    return 0;
}

//  Parse an unsigned decimal in [1, max] from [p, end).
static int
s_uint (const char *p, const char *end, unsigned long long max, unsigned long long *out)
{
    if (p >= end || end - p > 19)
        return -1;
    unsigned long long v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned long long) (*p - '0');
    }
    if (v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

static int
s_unhex (const char *hex, size_t hexlen, unsigned char *out, size_t outmax, size_t *outlen)
{
    if (hexlen == 0 || hexlen % 2 || hexlen / 2 > outmax)
        return -1;
    size_t bin = 0;
    if (sodium_hex2bin (out, outmax, hex, hexlen, NULL, &bin, NULL) != 0 || bin != hexlen / 2)
        return -1;
    *outlen = bin;
    return 0;
}

//  An argon2id string's cost "$argon2id$v=19$m=M,t=T,p=P$..." within the
//  bounds above (libsodium checks the rest of the string when it verifies).
static int
s_parse_argon2id (const char *hash)
{
    static const char head [] = "$argon2id$v=19$m=";
    if (strncmp (hash, head, sizeof (head) - 1) != 0)
        return -1;
    const char *p = hash + sizeof (head) - 1;
    const char *c1 = strchr (p, ',');
    const char *c2 = c1 ? strchr (c1 + 1, ',') : NULL;
    const char *end = c2 ? strchr (c2 + 1, '$') : NULL;
    unsigned long long m, t, lanes;
    if (!end || strncmp (c1, ",t=", 3) != 0 || strncmp (c2, ",p=", 3) != 0
        || s_uint (p, c1, S_ARGON2_MAX_M, &m) < 0 || s_uint (c1 + 3, c2, S_ARGON2_MAX_T, &t) < 0
        || s_uint (c2 + 3, end, S_ARGON2_MAX_P, &lanes) < 0)
        return -1;
    return 0;
}

//  werkzeug: "METHOD$SALT$HEX"; splits it, checks the salt and hex.
static int
s_werkzeug_split (const char *hash, const char **method_end, const char **salt, size_t *saltlen,
                  unsigned char *dk, size_t *dklen)
{
    const char *d1 = strchr (hash, '$');
    const char *d2 = d1 ? strchr (d1 + 1, '$') : NULL;
    if (!d2 || strchr (d2 + 1, '$'))
        return -1;
    *method_end = d1;
    *salt = d1 + 1;
    *saltlen = (size_t) (d2 - d1 - 1);
    if (*saltlen == 0 || *saltlen > S_SALT_MAX)
        return -1;
    return s_unhex (d2 + 1, strlen (d2 + 1), dk, S_DK_MAX, dklen);
}

//  A werkzeug hash's parts and parameters.
typedef struct {
    const EVP_MD *md;
    unsigned long long iter, n, r, p;
    const char *salt;
    size_t saltlen, dklen;
    unsigned char want [S_DK_MAX];
} s_legacy_t;

//  A werkzeug PBKDF2 hash "pbkdf2:NAME:ITER$SALT$HEX", split and checked
//  (werkzeug always writes the iterations). 0 or -1.
static int
s_parse_pbkdf2 (const char *hash, s_legacy_t *h)
{
    const char *mend;
    if (s_werkzeug_split (hash, &mend, &h->salt, &h->saltlen, h->want, &h->dklen) < 0)
        return -1;
    const char *name = hash + 7;
    const char *colon = memchr (name, ':', (size_t) (mend - name));
    if (!colon)
        return -1;
    size_t nlen = (size_t) (colon - name);
    if (nlen == 6 && memcmp (name, "sha256", 6) == 0)
        h->md = EVP_sha256 ();
    else if (nlen == 6 && memcmp (name, "sha512", 6) == 0)
        h->md = EVP_sha512 ();
    else if (nlen == 4 && memcmp (name, "sha1", 4) == 0)
        h->md = EVP_sha1 ();
    else
        return -1;
    if (s_uint (colon + 1, mend, S_PBKDF2_MAX_ITER, &h->iter) < 0)
        return -1;
    return h->dklen == (size_t) EVP_MD_get_size (h->md) ? 0 : -1;
}

//  A werkzeug scrypt hash "scrypt:N:R:P$SALT$HEX", split and checked.
static int
s_parse_scrypt (const char *hash, s_legacy_t *h)
{
    const char *mend;
    if (s_werkzeug_split (hash, &mend, &h->salt, &h->saltlen, h->want, &h->dklen) < 0)
        return -1;
    const char *p1 = hash + 7;
    const char *c1 = memchr (p1, ':', (size_t) (mend - p1));
    const char *c2 = c1 ? memchr (c1 + 1, ':', (size_t) (mend - c1 - 1)) : NULL;
    if (!c2)
        return -1;
    if (s_uint (p1, c1, S_SCRYPT_MAX_N, &h->n) < 0 || s_uint (c1 + 1, c2, S_SCRYPT_MAX_R, &h->r) < 0
        || s_uint (c2 + 1, mend, S_SCRYPT_MAX_P, &h->p) < 0 || (h->n & (h->n - 1)) != 0 || h->n < 2)
        return -1;
    //  werkzeug allows maxmem = 132 * n * r * p; OpenSSL needs 128 * r *
    //  (n + 2) + 128 * r * p of it (small n: a hash werkzeug cannot check)
    unsigned long long maxmem = 132ull * h->n * h->r * h->p;
    unsigned long long need = 128ull * h->r * (h->n + 2) + 128ull * h->r * h->p;
    return maxmem <= S_SCRYPT_MAX_MEM && need <= maxmem ? 0 : -1;
}

static int
s_verify_pbkdf2 (const char *password, const char *hash)
{
    s_legacy_t h;
    unsigned char got [S_DK_MAX];
    if (s_parse_pbkdf2 (hash, &h) < 0)
        return -1;
    if (PKCS5_PBKDF2_HMAC (password, (int) strlen (password), (const unsigned char *) h.salt,
                           (int) h.saltlen, (int) h.iter, h.md, (int) h.dklen, got)
        != 1)
        return -1;
    int match = CRYPTO_memcmp (got, h.want, h.dklen) == 0;
    OPENSSL_cleanse (got, sizeof (got));
    return match;
}

static int
s_verify_scrypt (const char *password, const char *hash)
{
    s_legacy_t h;
    unsigned char got [S_DK_MAX];
    if (s_parse_scrypt (hash, &h) < 0)
        return -1;
    if (EVP_PBE_scrypt (password, strlen (password), (const unsigned char *) h.salt, h.saltlen, h.n,
                        h.r, h.p, 132ull * h.n * h.r * h.p, got, h.dklen)
        != 1)
        return -1;
    int match = CRYPTO_memcmp (got, h.want, h.dklen) == 0;
    OPENSSL_cleanse (got, sizeof (got));
    return match;
}

int
ddc_pwhash_verify (const char *password, const char *hash)
{
    if (!password || !hash || strlen (password) > DDC_PWHASH_PASS_MAX
        || strlen (hash) >= DDC_PWHASH_MAX)
        return -1;
    switch (ddc_pwhash_kind (hash)) {
        case DDC_PWHASH_ARGON2ID:
            if (s_parse_argon2id (hash) < 0)
                return -1;
            //  a malformed string also fails here: count it as no match
            return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0 ? 1 : 0;
        case DDC_PWHASH_PBKDF2:
            return s_verify_pbkdf2 (password, hash);
        case DDC_PWHASH_SCRYPT:
            return s_verify_scrypt (password, hash);
        default:
            return -1;
    }
}

bool
ddc_pwhash_usable (const char *hash)
{
    if (!hash || strlen (hash) >= DDC_PWHASH_MAX)
        return false;
    s_legacy_t h;
    switch (ddc_pwhash_kind (hash)) {
        case DDC_PWHASH_ARGON2ID:
            return s_parse_argon2id (hash) == 0
                   && crypto_pwhash_str_needs_rehash (hash, S_OPSLIMIT, S_MEMLIMIT) != -1;
        case DDC_PWHASH_PBKDF2:
            return s_parse_pbkdf2 (hash, &h) == 0;
        case DDC_PWHASH_SCRYPT:
            return s_parse_scrypt (hash, &h) == 0;
        default:
            return false;
    }
}

bool
ddc_pwhash_needs_rehash (const char *hash)
{
    if (ddc_pwhash_kind (hash) != DDC_PWHASH_ARGON2ID)
        return true;
    return crypto_pwhash_str_needs_rehash (hash, S_OPSLIMIT, S_MEMLIMIT) != 0;
}

const char *
ddc_pwhash_policy (const char *password)
{
    if (!password)
        return "pw.too_short";
    size_t len = strlen (password);
    if (len > DDC_PWHASH_PASS_MAX)
        return "pw.too_long";
    if (!ddc_utf8_valid (password, len))
        return "pw.invalid";
    size_t chars = 0;
    bool lower = false, upper = false, digit = false, other = false;
    for (const unsigned char *p = (const unsigned char *) password; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return "pw.invalid";
        if ((*p & 0xC0) != 0x80)
            chars++;
        if (*p >= 'a' && *p <= 'z')
            lower = true;
        else if (*p >= 'A' && *p <= 'Z')
            upper = true;
        else if (*p >= '0' && *p <= '9')
            digit = true;
        else
            other = true;
    }
    if (chars < DDC_PWHASH_MIN_LEN)
        return "pw.too_short";
    int kinds = lower + upper + digit + other;
    if (kinds >= 3 || (chars >= 16 && kinds >= 2))
        return NULL;
    return "pw.kinds";
}
