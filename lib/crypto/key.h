/* SPDX-License-Identifier: MIT */
/* DKIM keys and signatures: public keys from a key record's p= (RFC 6376 §3.6.1, RSA; RFC 8463
 * §4, Ed25519), private keys from PEM, verify and sign over a precomputed digest (RFC 6376
 * §3.7: the data hash; RFC 8463 §3: PureEdDSA over the SHA-256 hash), key generation. */
#ifndef MS_CRYPTO_KEY_H
#define MS_CRYPTO_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "mailseal/api.h"
#include "mailseal/status.h"

typedef enum {
    MS__KEY_RSA,
    MS__KEY_ED25519,
} ms__key_type;

/* "rsa", "ed25519": the k= values (RFC 6376 §3.6.1, RFC 8463 §4). */
const char *ms__crypto_key_type_name(ms__key_type type);

/* Why a key was refused; filled without allocating. */
typedef struct ms__key_error {
    const char *reason; /* static text ending in its RFC section */
    size_t offset;      /* where: in the p= text for base64 faults, else in the decoded bytes */
    bool is_in_text;    /* offset counts characters of p= (true) or decoded bytes (false) */
} ms__key_error;

/* ---- public keys -------------------------------------------------------------------------- */

/* Immutable once made, so any number of threads may verify with one key at once. Counted:
 * each holder (a key cache, a verifier that borrowed from it) frees its own reference. */
typedef struct ms__pubkey ms__pubkey;

/* Parse a key record's p= value: base64 with FWS allowed (RFC 6376 §3.6.1). For MS__KEY_RSA
 * the bytes are a SubjectPublicKeyInfo (RFC 3279 §2.3.1, what the RFC's k=rsa means) or, as
 * some signers publish, a bare PKCS#1 RSAPublicKey (RFC 8017 §A.1.1); the DER is walked here
 * and (n, e) handed to OpenSSL, never its generic decoder. For MS__KEY_ED25519 they are the
 * raw 32-byte key (RFC 8463 §4), not checked to be a curve point here (that costs a verify):
 * ms__crypto_verify refuses such keys and names the key as the reason.
 * MS_ELIMIT: p= longer than MS_LIMIT_DKIM_KEY_B64 characters (seen before decoding) or a
 * modulus over MS_LIMIT_RSA_BITS (seen before any big-number work); MS_ESYNTAX: not a key of
 * that type; err (may be NULL) says why. Keys of any size up to the cap parse: the caller
 * compares ms__crypto_pubkey_bits with RFC 8301 §3.2's 1024. An empty p= (a revoked key,
 * RFC 6376 §3.6.1) is the caller's to spot first; here it is MS_ESYNTAX. */
MS_MUST_CHECK ms_status ms__crypto_pubkey_parse(ms__key_type type, const char *p, size_t len,
                                                ms__pubkey **out, ms__key_error *err);
/* The same from the decoded bytes (at most MS_LIMIT_DKIM_KEY_DER). */
MS_MUST_CHECK ms_status ms__crypto_pubkey_from_der(ms__key_type type, const uint8_t *der,
                                                   size_t len, ms__pubkey **out,
                                                   ms__key_error *err);
/* Another reference to the same key. */
ms__pubkey *ms__crypto_pubkey_dup(const ms__pubkey *key);
/* Drops one reference; accepts NULL. */
void ms__crypto_pubkey_free(ms__pubkey *key);
ms__key_type ms__crypto_pubkey_type(const ms__pubkey *key);
/* RSA: bits of the modulus; Ed25519: 256. */
unsigned ms__crypto_pubkey_bits(const ms__pubkey *key);

/* Does sig sign digest (the hash of the data, ms__crypto_hash_size(hash) bytes)?
 * RSA: RSASSA-PKCS1-v1_5 with hash (RFC 8017 §8.2.2; SHA-1 is verified so that DKIM can name
 * a valid rsa-sha1 signature before refusing it, RFC 8301 §3.1). Ed25519: PureEdDSA over the
 * 32 digest bytes (RFC 8463 §3), SHA-256 only.
 * MS_OK with *is_valid; *why (may be NULL) gets a static reason when it is not. MS_EINVAL when
 * the digest's length is not the hash's or Ed25519 is asked with SHA-1; MS_ENOMEM. */
MS_MUST_CHECK ms_status ms__crypto_verify(const ms__pubkey *key, ms__hash hash,
                                          const uint8_t *digest, size_t digest_len,
                                          const uint8_t *sig, size_t sig_len, bool *is_valid,
                                          const char **why);

/* ---- private keys ------------------------------------------------------------------------- */

/* Load once, sign many times (a PEM decode costs ~1 ms, a signature less): immutable, and
 * shareable between signing threads. The secret is wiped when the key is freed. */
typedef struct ms__privkey ms__privkey;

/* An RSA or Ed25519 private key from PEM text: PKCS#8 ("PRIVATE KEY") or traditional ("RSA
 * PRIVATE KEY"); text around the block is ignored. Encrypted keys are refused (no prompt ever
 * happens). MS_ELIMIT: more than MS_LIMIT_PRIVATE_KEY_PEM bytes, or an RSA modulus outside
 * MS_LIMIT_RSA_KEYGEN_MIN_BITS..MS_LIMIT_RSA_BITS (RFC 8301 §3.2); MS_ESYNTAX: no usable key,
 * err (may be NULL) says why. */
MS_MUST_CHECK ms_status ms__crypto_privkey_load_pem(const char *pem, size_t len, ms__privkey **out,
                                                    ms__key_error *err);
/* A new key: RSA with bits (0 = MS_LIMIT_RSA_KEYGEN_DEFAULT_BITS; 1024..8192) and e = 65537,
 * or Ed25519 (bits must be 0). MS_EINVAL on other bits. */
MS_MUST_CHECK ms_status ms__crypto_privkey_generate(ms__key_type type, unsigned bits,
                                                    ms__privkey **out);
/* Accepts NULL. */
void ms__crypto_privkey_free(ms__privkey *key);
ms__key_type ms__crypto_privkey_type(const ms__privkey *key);
unsigned ms__crypto_privkey_bits(const ms__privkey *key);
/* Bytes of one signature: the modulus length, or 64. */
size_t ms__crypto_privkey_sig_size(const ms__privkey *key);

/* Sign digest (the data hash) the way ms__crypto_verify checks it. SHA-256 only: nothing is
 * signed with SHA-1 (RFC 8301 §3.1), MS_EINVAL. MS_ELIMIT if sig_size is too small. */
MS_MUST_CHECK ms_status ms__crypto_sign(const ms__privkey *key, ms__hash hash,
                                        const uint8_t *digest, size_t digest_len, uint8_t *sig,
                                        size_t sig_size, size_t *sig_len);

/* The private key as PKCS#8 PEM and a NUL into out. MS_ELIMIT when out is too small; then
 * *out_len holds the bytes needed (NUL included). Wipe out after use. */
MS_MUST_CHECK ms_status ms__crypto_privkey_pem(const ms__privkey *key, char *out, size_t out_size,
                                               size_t *out_len);
/* The p= value that publishes the public half, and a NUL: base64 of the SubjectPublicKeyInfo
 * DER for RSA (what opendkim-genkey publishes), of the raw 32 bytes for Ed25519 (RFC 8463
 * §4). MS_LIMIT_DKIM_KEY_B64 + 1 bytes always suffice; MS_ELIMIT if out is smaller than
 * needed. */
MS_MUST_CHECK ms_status ms__crypto_privkey_public_b64(const ms__privkey *key, char *out,
                                                      size_t out_size, size_t *out_len);

#endif
