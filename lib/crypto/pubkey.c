/* SPDX-License-Identifier: MIT */
/* DKIM public keys and verification: p= base64 (RFC 6376 §3.6.1) walked as DER by hand (RFC
 * 3279 §2.3.1 SubjectPublicKeyInfo, RFC 8017 §A.1.1 RSAPublicKey) into (n, e) for
 * EVP_PKEY_fromdata; Ed25519 raw keys (RFC 8463 §4) kept for libsodium; verify (RFC 8017 §8.2.2,
 * RFC 8463 §3). OpenSSL 3.0's generic decoder costs ~280 us per key; this path ~30 us. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "base/base64.h"
#include "base/limits.h"
#include "crypto/key.h"

struct ms__pubkey {
    atomic_uint refs;
    ms__key_type type;
    unsigned bits;
    EVP_PKEY *pkey;      /* RSA */
    uint8_t ed25519[32]; /* Ed25519: the raw key, RFC 8032 §5.1.5 */
    /* RSA: a verify context set up for SHA-256 and PKCS #1 v1.5, kept between calls (setting
     * one up costs a provider look-up, about a third of a 2048-bit verify). A caller takes it
     * out atomically and puts it back; threads that find the slot empty make their own. */
    _Atomic(EVP_PKEY_CTX *) spare;
};

const char *ms__crypto_key_type_name(ms__key_type type)
{
    return type == MS__KEY_ED25519 ? "ed25519" : "rsa";
}

/* ---- a bounded DER walker (X.690 §8.1: tag, length, contents) ---------------------------- */

typedef struct der {
    const uint8_t *p;
    size_t len;  /* bytes in this view */
    size_t base; /* offset of p[0] in the whole input, for error reports */
} der;

enum { TAG_INTEGER = 0x02, TAG_BIT_STRING = 0x03, TAG_NULL = 0x05, TAG_OID = 0x06, TAG_SEQ = 0x30 };

static ms_status key_fail(ms__key_error *err, ms_status st, size_t offset, const char *reason)
{
    if (err != NULL) {
        err->reason = reason;
        err->offset = offset;
        err->is_in_text = false;
    }
    return st;
}

/* Take one element with the given tag from the front of d into *contents. NULL, or why not. */
static const char *der_take(der *d, uint8_t tag, der *contents, size_t *err_off)
{
    *err_off = d->base;
    if (d->len < 2) {
        return "DER element cut short: no tag and length (X.690 §8.1)";
    }
    if (d->p[0] != tag) {
        return tag == TAG_SEQ       ? "DER: a SEQUENCE was expected (RFC 3279 §2.3.1)"
               : tag == TAG_INTEGER ? "DER: an INTEGER was expected (RFC 8017 §A.1.1)"
               : tag == TAG_OID     ? "DER: an algorithm OID was expected (RFC 5280 §4.1.1.2)"
                                    : "DER: a BIT STRING was expected (RFC 5280 §4.1)";
    }
    size_t used = 2, n = d->p[1];
    if (n == 0x80) {
        return "DER: indefinite length is not DER (X.690 §10.1)";
    }
    if (n > 0x80) {
        size_t n_len = n & 0x7f;
        n = 0;
        /* Leading zero octets are tolerated, as OpenSSL's own reader does; the value may
         * not pass what is left in any case. */
        for (size_t i = 0; i < n_len; i++) {
            if (used >= d->len) {
                return "DER length cut short (X.690 §8.1.3)";
            }
            if (n > (SIZE_MAX >> 8)) {
                return "DER length does not fit the input (X.690 §8.1.3)";
            }
            n = n << 8 | d->p[used++];
        }
    }
    if (n > d->len - used) {
        *err_off = d->base + 1;
        return "DER length runs past the end of the key (X.690 §8.1.3)";
    }
    contents->p = d->p + used;
    contents->len = n;
    contents->base = d->base + used;
    d->p += used + n;
    d->len -= used + n;
    d->base += used + n;
    return NULL;
}

/* A positive INTEGER's magnitude without its sign octet (X.690 §8.3: minimal, two's
 * complement). */
static const char *der_uint(der *d, der *value, size_t *err_off)
{
    const char *why = der_take(d, TAG_INTEGER, value, err_off);
    if (why != NULL) {
        return why;
    }
    *err_off = value->base;
    if (value->len == 0) {
        return "DER INTEGER with no contents (X.690 §8.3.1)";
    }
    if (value->p[0] & 0x80) {
        return "negative RSA modulus or exponent (RFC 8017 §A.1.1)";
    }
    if (value->len > 1 && value->p[0] == 0 && !(value->p[1] & 0x80)) {
        return "DER INTEGER with a superfluous leading zero (X.690 §8.3.2)";
    }
    if (value->p[0] == 0 && value->len > 1) {
        value->p++;
        value->len--;
        value->base++;
    }
    return NULL;
}

static unsigned bit_length(const der *v)
{
    if (v->len == 0 || v->len > MS_LIMIT_DKIM_KEY_DER) {
        return v->len == 0 ? 0 : UINT32_MAX;
    }
    unsigned top = v->p[0], bits = 0;
    while (top != 0) {
        bits++;
        top >>= 1;
    }
    return (unsigned)(v->len - 1) * 8u + bits;
}

/* rsaEncryption, RFC 3279 §2.3.1 */
static const uint8_t OID_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
/* id-Ed25519, RFC 8410 §3 */
static const uint8_t OID_ED25519[] = {0x2b, 0x65, 0x70};

/* SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID, params }, BIT STRING }, RFC 5280 §4.1.
 * On success *rsa holds the RSAPublicKey bytes inside the BIT STRING. */
static const char *spki_unwrap(der *spki, der *rsa, size_t *err_off)
{
    der alg, oid, bits;
    const char *why = der_take(spki, TAG_SEQ, &alg, err_off);
    if (why == NULL) {
        why = der_take(&alg, TAG_OID, &oid, err_off);
    }
    if (why != NULL) {
        return why;
    }
    *err_off = oid.base;
    if (oid.len == sizeof(OID_ED25519) && memcmp(oid.p, OID_ED25519, oid.len) == 0) {
        return "an Ed25519 key where an RSA key is wanted: k=ed25519 publishes the raw 32 bytes "
               "(RFC 8463 §4)";
    }
    if (oid.len != sizeof(OID_RSA) || memcmp(oid.p, OID_RSA, oid.len) != 0) {
        return "the key's algorithm is not rsaEncryption (RFC 3279 §2.3.1)";
    }
    /* The parameters are NULL; absent ones are tolerated (OpenSSL and dkimpy accept them). */
    if (alg.len == 2 && alg.p[0] == TAG_NULL && alg.p[1] == 0) {
        alg.len = 0;
    }
    if (alg.len != 0) {
        *err_off = alg.base;
        return "rsaEncryption parameters must be NULL (RFC 3279 §2.3.1)";
    }
    why = der_take(spki, TAG_BIT_STRING, &bits, err_off);
    if (why != NULL) {
        return why;
    }
    if (spki->len != 0) {
        *err_off = spki->base;
        return "data after the SubjectPublicKeyInfo fields (RFC 5280 §4.1)";
    }
    if (bits.len == 0 || bits.p[0] != 0) {
        *err_off = bits.base;
        return "the key's BIT STRING must have no unused bits (RFC 5280 §4.1.2.7)";
    }
    rsa->p = bits.p + 1;
    rsa->len = bits.len - 1;
    rsa->base = bits.base + 1;
    return NULL;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, RFC 8017 §A.1.1. */
static const char *rsa_fields(der *in, der *n, der *e, size_t *err_off)
{
    der seq;
    const char *why = der_take(in, TAG_SEQ, &seq, err_off);
    if (why == NULL && in->len != 0) {
        *err_off = in->base;
        why = "data after the RSA public key (RFC 8017 §A.1.1)";
    }
    if (why == NULL) {
        why = der_uint(&seq, n, err_off);
    }
    if (why == NULL) {
        why = der_uint(&seq, e, err_off);
    }
    if (why == NULL && seq.len != 0) {
        *err_off = seq.base;
        why = "data after the RSA public exponent (RFC 8017 §A.1.1)";
    }
    return why;
}

/* Big-endian magnitude -> the native-endian buffer OSSL_PARAM_construct_BN wants. */
static void to_native(const der *v, uint8_t *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (size_t i = 0; i < v->len; i++) {
        out[i] = v->p[v->len - 1 - i];
    }
#else
    memcpy(out, v->p, v->len);
#endif
}

static ms_status rsa_build(const der *n, const der *e, EVP_PKEY **out)
{
    uint8_t n_native[MS_LIMIT_RSA_BITS / 8], e_native[MS_LIMIT_RSA_EXPONENT_BITS / 8];
    to_native(n, n_native);
    to_native(e, e_native);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, n_native, n->len),
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, e_native, e->len),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    *out = NULL;
    int ok = ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        EVP_PKEY_free(*out);
        *out = NULL;
        return MS_ENOMEM; /* the values were checked: only resources can be missing */
    }
    return MS_OK;
}

static ms_status parse_rsa(const uint8_t *bytes, size_t len, ms__pubkey *key, ms__key_error *err)
{
    der in = {bytes, len, 0}, rsa, n, e;
    size_t off = 0;
    const char *why = NULL;
    if (len >= 2 && bytes[0] == TAG_SEQ) {
        /* SubjectPublicKeyInfo starts SEQUENCE { SEQUENCE ...; RSAPublicKey SEQUENCE {
         * INTEGER ... Look at the first inner tag to tell them apart. */
        der outer = in, body;
        why = der_take(&outer, TAG_SEQ, &body, &off);
        if (why == NULL && outer.len != 0) {
            return key_fail(err, MS_ESYNTAX, outer.base,
                            "data after the key's outer SEQUENCE (RFC 5280 §4.1)");
        }
        if (why == NULL && body.len > 0 && body.p[0] == TAG_SEQ) {
            why = spki_unwrap(&body, &rsa, &off);
        } else if (why == NULL) {
            rsa = in; /* a bare RSAPublicKey */
        }
    } else {
        why = "not a DER SEQUENCE: no SubjectPublicKeyInfo or RSAPublicKey (RFC 3279 §2.3.1)";
    }
    if (why == NULL) {
        why = rsa_fields(&rsa, &n, &e, &off);
    }
    if (why != NULL) {
        return key_fail(err, MS_ESYNTAX, off, why);
    }
    /* The caps come before any big-number work (bad-inputs DKIM-11). */
    unsigned n_bits = bit_length(&n), e_bits = bit_length(&e);
    if (n_bits > MS_LIMIT_RSA_BITS) {
        return key_fail(err, MS_ELIMIT, n.base,
                        "RSA modulus over 8192 bits (limit; RFC 8301 §3.2 needs >= 1024)");
    }
    if (e_bits > MS_LIMIT_RSA_EXPONENT_BITS) {
        return key_fail(err, MS_ELIMIT, e.base,
                        "RSA public exponent over 64 bits (limit; RFC 8017 §3.1)");
    }
    if (n_bits < 2 || !(n.p[n.len - 1] & 1)) {
        return key_fail(err, MS_ESYNTAX, n.base,
                        "RSA modulus is even or too small: not a product of two odd primes "
                        "(RFC 8017 §3.1)");
    }
    if (e_bits < 2 || !(e.p[e.len - 1] & 1)) {
        return key_fail(err, MS_ESYNTAX, e.base,
                        "RSA public exponent must be odd and at least 3 (RFC 8017 §3.1)");
    }
    if (e_bits > n_bits || (e_bits == n_bits && memcmp(e.p, n.p, n.len) >= 0)) {
        return key_fail(err, MS_ESYNTAX, e.base,
                        "RSA public exponent not below the modulus (RFC 8017 §3.1)");
    }
    key->bits = n_bits;
    ms_status st = rsa_build(&n, &e, &key->pkey);
    if (st != MS_OK) {
        return key_fail(err, st, 0, "out of memory building the RSA key");
    }
    return MS_OK;
}

static ms_status parse_ed25519(const uint8_t *bytes, size_t len, ms__pubkey *key,
                               ms__key_error *err)
{
    if (len != 32) {
        /* A SubjectPublicKeyInfo around an Ed25519 key is 44 bytes; say so. */
        bool is_spki = len == 44 && bytes[0] == TAG_SEQ && memcmp(bytes + 4, "\x06\x03", 2) == 0 &&
                       memcmp(bytes + 6, OID_ED25519, sizeof(OID_ED25519)) == 0;
        return key_fail(err, MS_ESYNTAX, 0,
                        is_spki ? "a SubjectPublicKeyInfo where k=ed25519 wants the raw 32-byte "
                                  "key (RFC 8463 §4)"
                                : "an ed25519 key is 32 bytes (RFC 8463 §4)");
    }
    if (sodium_init() < 0) {
        return key_fail(err, MS_ENOMEM, 0, "libsodium could not start");
    }
    /* The point is not validated here: crypto_core_ed25519_is_valid_point costs ~55 us, as
     * much as a verify, and libsodium's verify refuses small-order and non-canonical keys
     * itself. A failed verify says when the key was the reason. */
    memcpy(key->ed25519, bytes, 32);
    key->bits = 256;
    return MS_OK;
}

ms_status ms__crypto_pubkey_from_der(ms__key_type type, const uint8_t *der_bytes, size_t len,
                                     ms__pubkey **out, ms__key_error *err)
{
    *out = NULL;
    if (type != MS__KEY_RSA && type != MS__KEY_ED25519) {
        return MS_EINVAL;
    }
    if (len > MS_LIMIT_DKIM_KEY_DER) {
        return key_fail(err, MS_ELIMIT, MS_LIMIT_DKIM_KEY_DER,
                        "key longer than 3072 bytes (limit; RFC 6376 §3.6.1)");
    }
    if (len == 0) {
        return key_fail(err, MS_ESYNTAX, 0,
                        "empty key: p= with no data means revoked (RFC 6376 §3.6.1)");
    }
    ms__pubkey *key = calloc(1, sizeof(*key));
    if (key == NULL) {
        return key_fail(err, MS_ENOMEM, 0, "out of memory");
    }
    atomic_init(&key->refs, 1u);
    key->type = type;
    ms_status st = type == MS__KEY_RSA ? parse_rsa(der_bytes, len, key, err)
                                       : parse_ed25519(der_bytes, len, key, err);
    if (st != MS_OK) {
        ms__crypto_pubkey_free(key);
        return st;
    }
    *out = key;
    return MS_OK;
}

ms_status ms__crypto_pubkey_parse(ms__key_type type, const char *p, size_t len, ms__pubkey **out,
                                  ms__key_error *err)
{
    *out = NULL;
    /* bad-inputs DKIM-11: the text's length decides before a byte is decoded. */
    if (len > MS_LIMIT_DKIM_KEY_B64) {
        ms_status st = key_fail(err, MS_ELIMIT, MS_LIMIT_DKIM_KEY_B64,
                                "p= longer than 4096 characters (limit; RFC 6376 §3.6.1)");
        if (err != NULL) {
            err->is_in_text = true;
        }
        return st;
    }
    uint8_t bytes[MS_LIMIT_DKIM_KEY_DER];
    size_t n = 0;
    ms__base64_error b64 = {0, NULL};
    ms_status st = ms__base64_decode(p, len, MS__BASE64_SKIP_FWS, bytes, sizeof(bytes), &n, &b64);
    if (st != MS_OK) {
        if (err != NULL) {
            err->reason = b64.reason;
            err->offset = b64.offset;
            err->is_in_text = true;
        }
        return st;
    }
    return ms__crypto_pubkey_from_der(type, bytes, n, out, err);
}

ms__pubkey *ms__crypto_pubkey_dup(const ms__pubkey *key)
{
    /* The count is the one field that changes; the key itself never does. */
    ms__pubkey *k = (ms__pubkey *)(uintptr_t)key;
    atomic_fetch_add_explicit(&k->refs, 1u, memory_order_relaxed);
    return k;
}

void ms__crypto_pubkey_free(ms__pubkey *key)
{
    if (key == NULL || atomic_fetch_sub_explicit(&key->refs, 1u, memory_order_acq_rel) != 1u) {
        return;
    }
    EVP_PKEY_CTX_free(atomic_load_explicit(&key->spare, memory_order_acquire));
    EVP_PKEY_free(key->pkey);
    free(key);
}

ms__key_type ms__crypto_pubkey_type(const ms__pubkey *key)
{
    return key->type;
}

unsigned ms__crypto_pubkey_bits(const ms__pubkey *key)
{
    return key->bits;
}

/* ---- verification ------------------------------------------------------------------------ */

static ms_status verdict(bool *is_valid, const char **why, bool valid, const char *reason)
{
    *is_valid = valid;
    if (why != NULL) {
        *why = valid ? NULL : reason;
    }
    return MS_OK;
}

static ms_status verify_rsa(const ms__pubkey *key, ms__hash hash, const uint8_t *digest,
                            size_t digest_len, const uint8_t *sig, size_t sig_len, bool *is_valid,
                            const char **why)
{
    if (sig_len != (key->bits + 7) / 8) {
        return verdict(is_valid, why, false,
                       "signature length differs from the key's modulus length (RFC 8017 §8.2.2)");
    }
    ms__pubkey *k = (ms__pubkey *)(uintptr_t)key; /* only the atomic slot is written */
    EVP_PKEY_CTX *ctx = NULL;
    if (hash == MS__HASH_SHA256) {
        ctx = atomic_exchange_explicit(&k->spare, NULL, memory_order_acquire);
    }
    if (ctx == NULL) {
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
        if (ctx == NULL) {
            ERR_clear_error();
            return MS_ENOMEM;
        }
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST,
                                             hash == MS__HASH_SHA1 ? "SHA1" : "SHA256", 0),
            OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE,
                                             OSSL_PKEY_RSA_PAD_MODE_PKCSV15, 0),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_PKEY_verify_init_ex(ctx, params) != 1) {
            EVP_PKEY_CTX_free(ctx);
            ERR_clear_error();
            return MS_ENOMEM;
        }
    }
    int r = EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len);
    if (r != 1) {
        ERR_clear_error();
    }
    EVP_PKEY_CTX *empty = NULL;
    if (hash != MS__HASH_SHA256 ||
        !atomic_compare_exchange_strong_explicit(&k->spare, &empty, ctx, memory_order_release,
                                                 memory_order_relaxed)) {
        EVP_PKEY_CTX_free(ctx);
    }
    return verdict(is_valid, why, r == 1,
                   "RSA signature does not match the data hash (RFC 8017 §8.2.2, RFC 6376 "
                   "§6.1.3)");
}

ms_status ms__crypto_verify(const ms__pubkey *key, ms__hash hash, const uint8_t *digest,
                            size_t digest_len, const uint8_t *sig, size_t sig_len, bool *is_valid,
                            const char **why)
{
    *is_valid = false;
    if (why != NULL) {
        *why = NULL;
    }
    if ((hash != MS__HASH_SHA256 && hash != MS__HASH_SHA1) ||
        digest_len != ms__crypto_hash_size(hash)) {
        return MS_EINVAL;
    }
    if (key->type == MS__KEY_RSA) {
        return verify_rsa(key, hash, digest, digest_len, sig, sig_len, is_valid, why);
    }
    if (hash != MS__HASH_SHA256) {
        return MS_EINVAL; /* RFC 8463 §3 defines ed25519-sha256 only */
    }
    if (sig_len != crypto_sign_BYTES) {
        return verdict(
            is_valid, why, false,
            "signature length is not the 64 bytes of an ed25519 signature (RFC 8032 §5.1.6)");
    }
    if (crypto_sign_verify_detached(sig, digest, digest_len, key->ed25519) == 0) {
        return verdict(is_valid, why, true, NULL);
    }
    /* Only a failure pays for telling a bad key from a bad signature. */
    return verdict(is_valid, why, false,
                   crypto_core_ed25519_is_valid_point(key->ed25519)
                       ? "Ed25519 signature does not match the data hash (RFC 8032 §5.1.7, RFC "
                         "8463 §3)"
                       : "the Ed25519 key is not a point of the prime-order group: no signature "
                         "verifies with it (RFC 8032 §5.1.3)");
}
