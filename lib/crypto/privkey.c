/* SPDX-License-Identifier: MIT */
/* DKIM private keys: PEM load (PKCS#8, RFC 5958; traditional RSA, RFC 8017 §A.1.2), generation
 * (RSA e = 65537, Ed25519 RFC 8032 §5.1.5), signing over the data hash (RFC 6376 §3.7, RFC 8463
 * §3) and the public p= value (RFC 6376 §3.6.1, RFC 8463 §4). Loaded once, used many times. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "base/base64.h"
#include "base/limits.h"
#include "base/str.h"
#include "crypto/key.h"

struct ms__privkey {
    ms__key_type type;
    unsigned bits;
    EVP_PKEY *pkey;                              /* RSA */
    uint8_t ed25519[crypto_sign_SECRETKEYBYTES]; /* Ed25519: seed and public key (libsodium) */
    /* RSA: a sign context set up for SHA-256 and PKCS #1 v1.5, kept between signatures
     * (setting one up costs provider look-ups on every signature). A signer takes it out
     * atomically and puts it back; threads that find the slot empty make their own. */
    _Atomic(EVP_PKEY_CTX *) spare;
};

static ms_status key_fail(ms__key_error *err, ms_status st, const char *reason)
{
    if (err != NULL) {
        err->reason = reason;
        err->offset = 0;
        err->is_in_text = true;
    }
    return st;
}

/* Never ask for a passphrase: OpenSSL's default callback would prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *user)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)user;
    return -1;
}

/* Take an Ed25519 EVP_PKEY's seed into key (libsodium signs faster than OpenSSL 3.0). */
static ms_status take_ed25519(EVP_PKEY *pkey, ms__privkey *key)
{
    uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    size_t seed_len = sizeof(seed);
    if (sodium_init() < 0) {
        return MS_ENOMEM;
    }
    if (EVP_PKEY_get_raw_private_key(pkey, seed, &seed_len) != 1 || seed_len != sizeof(seed)) {
        ERR_clear_error();
        return MS_ESYNTAX;
    }
    int r = crypto_sign_seed_keypair(pk, key->ed25519, seed);
    sodium_memzero(seed, sizeof(seed));
    if (r != 0) {
        return MS_ENOMEM;
    }
    key->bits = 256;
    return MS_OK;
}

/* Adopt pkey (ownership moves in) as an RSA or Ed25519 private key. */
static ms_status adopt(EVP_PKEY *pkey, ms__privkey **out, ms__key_error *err)
{
    ms__privkey *key = calloc(1, sizeof(*key));
    if (key == NULL) {
        EVP_PKEY_free(pkey);
        return key_fail(err, MS_ENOMEM, "out of memory");
    }
    ms_status st = MS_OK;
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        int bits = EVP_PKEY_get_bits(pkey);
        key->type = MS__KEY_RSA;
        key->pkey = pkey;
        pkey = NULL;
        if (bits < (int)MS_LIMIT_RSA_KEYGEN_MIN_BITS) {
            st = key_fail(err, MS_ELIMIT, "RSA key under 1024 bits: RFC 8301 §3.2 forbids it");
        } else if (bits > (int)MS_LIMIT_RSA_BITS) {
            st = key_fail(err, MS_ELIMIT, "RSA key over 8192 bits (limit; RFC 8301 §3.2)");
        }
        key->bits = (unsigned)(bits > 0 ? bits : 0);
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        key->type = MS__KEY_ED25519;
        st = take_ed25519(pkey, key);
        if (st == MS_ESYNTAX) {
            key_fail(err, st, "the Ed25519 private key cannot be read (RFC 8410 §7)");
        } else if (st != MS_OK) {
            key_fail(err, st, "libsodium could not start");
        }
    } else {
        st = key_fail(err, MS_ESYNTAX,
                      "not an RSA or Ed25519 key: DKIM signs with rsa-sha256 or ed25519-sha256 "
                      "only (RFC 8301 §3.1, RFC 8463 §3)");
    }
    EVP_PKEY_free(pkey);
    if (st != MS_OK) {
        ms__crypto_privkey_free(key);
        return st;
    }
    *out = key;
    return MS_OK;
}

ms_status ms__crypto_privkey_load_pem(const char *pem, size_t len, ms__privkey **out,
                                      ms__key_error *err)
{
    *out = NULL;
    if (len > MS_LIMIT_PRIVATE_KEY_PEM) {
        return key_fail(err, MS_ELIMIT, "PEM text over 64 KiB (limit; RFC 7468 §2)");
    }
    if (ms__mem_find(pem, len, "ENCRYPTED PRIVATE KEY-----", 26) != NULL ||
        ms__mem_find(pem, len, "Proc-Type: 4,ENCRYPTED", 22) != NULL) {
        return key_fail(err, MS_ESYNTAX,
                        "encrypted private key: store it decrypted, readable by the signer only "
                        "(RFC 5958 §3)");
    }
    if (ms__mem_find(pem, len, "-----BEGIN ", 11) == NULL) {
        return key_fail(err, MS_ESYNTAX, "no PEM block: no \"-----BEGIN\" line (RFC 7468 §2)");
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL) {
        return key_fail(err, MS_ENOMEM, "out of memory");
    }
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    ERR_clear_error();
    if (pkey == NULL) {
        return key_fail(err, MS_ESYNTAX,
                        "no private key in the PEM text: damaged base64 or DER, or another kind "
                        "of object (RFC 7468 §10, §11)");
    }
    return adopt(pkey, out, err);
}

static ms_status generate_rsa(unsigned bits, EVP_PKEY **pkey)
{
    size_t n_bits = bits;
    unsigned int e = 65537u; /* RFC 8017 §3.1 allows any odd e; 65537 is what everyone uses */
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS, &n_bits),
        OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E, &e),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    *pkey = NULL;
    int ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_params(ctx, params) == 1 && EVP_PKEY_generate(ctx, pkey) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        EVP_PKEY_free(*pkey);
        *pkey = NULL;
        return MS_ENOMEM;
    }
    return MS_OK;
}

ms_status ms__crypto_privkey_generate(ms__key_type type, unsigned bits, ms__privkey **out)
{
    *out = NULL;
    if (type == MS__KEY_ED25519) {
        if (bits != 0) {
            return MS_EINVAL;
        }
        ms__privkey *key = calloc(1, sizeof(*key));
        if (key == NULL) {
            return MS_ENOMEM;
        }
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
        key->type = MS__KEY_ED25519;
        key->bits = 256;
        if (sodium_init() < 0 || crypto_sign_keypair(pk, key->ed25519) != 0) {
            ms__crypto_privkey_free(key);
            return MS_ENOMEM;
        }
        *out = key;
        return MS_OK;
    }
    if (type != MS__KEY_RSA) {
        return MS_EINVAL;
    }
    if (bits == 0) {
        bits = MS_LIMIT_RSA_KEYGEN_DEFAULT_BITS;
    }
    if (bits < MS_LIMIT_RSA_KEYGEN_MIN_BITS || bits > MS_LIMIT_RSA_BITS) {
        return MS_EINVAL;
    }
    EVP_PKEY *pkey = NULL;
    ms_status st = generate_rsa(bits, &pkey);
    if (st != MS_OK) {
        return st;
    }
    return adopt(pkey, out, NULL);
}

void ms__crypto_privkey_free(ms__privkey *key)
{
    if (key == NULL) {
        return;
    }
    EVP_PKEY_CTX_free(atomic_load_explicit(&key->spare, memory_order_acquire));
    EVP_PKEY_free(key->pkey);
    sodium_memzero(key->ed25519, sizeof(key->ed25519));
    free(key);
}

ms__key_type ms__crypto_privkey_type(const ms__privkey *key)
{
    return key->type;
}

unsigned ms__crypto_privkey_bits(const ms__privkey *key)
{
    return key->bits;
}

size_t ms__crypto_privkey_sig_size(const ms__privkey *key)
{
    return key->type == MS__KEY_RSA ? (key->bits + 7u) / 8u : crypto_sign_BYTES;
}

static ms_status sign_rsa(const ms__privkey *key, const uint8_t *digest, size_t digest_len,
                          uint8_t *sig, size_t sig_size, size_t *sig_len)
{
    ms__privkey *k = (ms__privkey *)(uintptr_t)key; /* only the atomic slot is written */
    EVP_PKEY_CTX *ctx = atomic_exchange_explicit(&k->spare, NULL, memory_order_acquire);
    if (ctx == NULL) {
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
        if (ctx == NULL) {
            ERR_clear_error();
            return MS_ENOMEM;
        }
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, "SHA256", 0),
            OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
                                             OSSL_PKEY_RSA_PAD_MODE_PKCSV15, 0),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_PKEY_sign_init_ex(ctx, params) != 1) {
            EVP_PKEY_CTX_free(ctx);
            ERR_clear_error();
            return MS_ENOMEM;
        }
    }
    size_t n = sig_size;
    int ok = EVP_PKEY_sign(ctx, sig, &n, digest, digest_len) == 1;
    EVP_PKEY_CTX *empty = NULL;
    if (!ok || !atomic_compare_exchange_strong_explicit(
                   &k->spare, &empty, ctx, memory_order_release, memory_order_relaxed)) {
        EVP_PKEY_CTX_free(ctx); /* a failed context is not kept */
    }
    if (!ok) {
        ERR_clear_error();
        return MS_ENOMEM;
    }
    *sig_len = n;
    return MS_OK;
}

ms_status ms__crypto_sign(const ms__privkey *key, ms__hash hash, const uint8_t *digest,
                          size_t digest_len, uint8_t *sig, size_t sig_size, size_t *sig_len)
{
    *sig_len = 0;
    if (hash != MS__HASH_SHA256 || digest_len != ms__crypto_hash_size(hash)) {
        return MS_EINVAL; /* RFC 8301 §3.1: rsa-sha1 is never signed */
    }
    if (sig_size < ms__crypto_privkey_sig_size(key)) {
        return MS_ELIMIT;
    }
    if (key->type == MS__KEY_RSA) {
        return sign_rsa(key, digest, digest_len, sig, sig_size, sig_len);
    }
    unsigned long long n = 0;
    if (crypto_sign_detached(sig, &n, digest, digest_len, key->ed25519) != 0) {
        return MS_ENOMEM;
    }
    *sig_len = (size_t)n;
    return MS_OK;
}

/* An EVP_PKEY to hand to OpenSSL's writers: the RSA key itself, or one built from the seed. */
static EVP_PKEY *evp_of(const ms__privkey *key)
{
    if (key->type == MS__KEY_RSA) {
        return EVP_PKEY_up_ref(key->pkey) == 1 ? key->pkey : NULL;
    }
    /* libsodium's secret key starts with the 32-byte seed (RFC 8032 §5.1.5's private key). */
    return EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, key->ed25519,
                                           crypto_sign_SEEDBYTES);
}

ms_status ms__crypto_privkey_pem(const ms__privkey *key, char *out, size_t out_size,
                                 size_t *out_len)
{
    *out_len = 0;
    EVP_PKEY *pkey = evp_of(key);
    BIO *bio = BIO_new(BIO_s_secmem());
    /* PKCS#8 PrivateKeyInfo, "BEGIN PRIVATE KEY" (RFC 5958 §2, RFC 7468 §10). */
    int ok = pkey != NULL && bio != NULL &&
             PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1;
    EVP_PKEY_free(pkey);
    char *text = NULL;
    long n = ok ? BIO_get_mem_data(bio, &text) : 0;
    ms_status st = MS_OK;
    if (!ok || n <= 0) {
        ERR_clear_error();
        st = MS_ENOMEM;
    } else if ((size_t)n + 1 > out_size) {
        *out_len = (size_t)n + 1;
        st = MS_ELIMIT;
    } else {
        memcpy(out, text, (size_t)n);
        out[n] = '\0';
        *out_len = (size_t)n;
    }
    BIO_free(bio); /* a secure-heap buffer, cleared as it is freed */
    return st;
}

ms_status ms__crypto_privkey_public_b64(const ms__privkey *key, char *out, size_t out_size,
                                        size_t *out_len)
{
    *out_len = 0;
    if (key->type == MS__KEY_ED25519) {
        /* The public key is the second half of libsodium's secret key. */
        return ms__base64_encode(key->ed25519 + crypto_sign_SEEDBYTES, crypto_sign_PUBLICKEYBYTES,
                                 out, out_size, out_len);
    }
    /* SubjectPublicKeyInfo DER, RFC 5280 §4.1 (what opendkim-genkey and RFC 6376 §3.6.1's
     * k=rsa publish). */
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key->pkey, &der);
    if (n <= 0) {
        ERR_clear_error();
        return MS_ENOMEM;
    }
    ms_status st = ms__base64_encode(der, (size_t)n, out, out_size, out_len);
    OPENSSL_free(der);
    return st;
}
