/* SPDX-License-Identifier: MIT */
/* DKIM key pairs for the operator: generate one (RSA, RFC 8301 §3.2; Ed25519, RFC 8463 §4) or
 * read a PEM private key, get the PKCS#8 PEM to keep and the p= value to publish. */
#ifndef MAILSEAL_DKIMKEY_H
#define MAILSEAL_DKIMKEY_H

#include <stddef.h>

#include "mailseal/api.h"
#include "mailseal/status.h"

typedef enum {
    MS_DKIM_KEY_RSA,
    MS_DKIM_KEY_ED25519,
} ms_dkim_key_type;

/* "rsa", "ed25519": the k= tag values (RFC 6376 §3.6.1, RFC 8463 §4). */
MS_API const char *ms_dkim_key_type_name(ms_dkim_key_type type);
/* The reverse, case-insensitive; MS_EINVAL for any other name. */
MS_API MS_MUST_CHECK ms_status ms_dkim_key_type_parse(const char *name, ms_dkim_key_type *out);

/* A private key with its public half. The private key is wiped when it is freed. */
typedef struct ms_dkim_keypair ms_dkim_keypair;

/* A new key pair. RSA: bits 0 means 2048 (RFC 8301 §3.2 SHOULD), else 1024..8192, e = 65537;
 * Ed25519: bits must be 0. MS_EINVAL for other sizes. */
MS_API MS_MUST_CHECK ms_status ms_dkim_keypair_generate(ms_dkim_key_type type, unsigned bits,
                                                        ms_dkim_keypair **out);
/* Read an RSA or Ed25519 private key from PEM text (PKCS#8 or traditional RSA; not
 * encrypted). MS_ESYNTAX or MS_ELIMIT with a static reason in *reason (may be NULL). */
MS_API MS_MUST_CHECK ms_status ms_dkim_keypair_from_pem(const char *pem, size_t len,
                                                        ms_dkim_keypair **out, const char **reason);
/* Accepts NULL. */
MS_API void ms_dkim_keypair_free(ms_dkim_keypair *kp);

MS_API ms_dkim_key_type ms_dkim_keypair_type(const ms_dkim_keypair *kp);
/* RSA modulus bits, or 256 for Ed25519. */
MS_API unsigned ms_dkim_keypair_bits(const ms_dkim_keypair *kp);
/* The private key as PKCS#8 PEM ("BEGIN PRIVATE KEY"), NUL-terminated, owned by kp. */
MS_API const char *ms_dkim_keypair_private_pem(const ms_dkim_keypair *kp, size_t *len);
/* The p= value to publish, NUL-terminated, owned by kp: base64 of the SubjectPublicKeyInfo
 * (RSA, as opendkim-genkey writes it) or of the raw 32-byte key (Ed25519, RFC 8463 §4). */
MS_API const char *ms_dkim_keypair_public_b64(const ms_dkim_keypair *kp, size_t *len);
/* Write the PEM to a new file at path, mode 0600; an existing file is never replaced
 * (MS_EIO, errno EEXIST). MS_EIO for any other failure, errno kept; a half-written file is
 * removed. */
MS_API MS_MUST_CHECK ms_status ms_dkim_keypair_write_private(const ms_dkim_keypair *kp,
                                                             const char *path);

/* ---- does a published key record hold this key? (mailseal-milter --check-config) ---------- */

#define MS_DKIM_RECORD_MATCH_MAP(X)                                                                \
    X(MATCHES, "the record publishes this key")                                                    \
    X(DIFFERS, "the record publishes another key")                                                 \
    X(REVOKED, "the record is revoked (empty p=)")                                                 \
    X(UNUSABLE, "the record is no usable DKIM key record")

typedef enum {
#define MS_DKIM_RECORD_MATCH_ENUM(name, text) MS_DKIM_RECORD_##name,
    MS_DKIM_RECORD_MATCH_MAP(MS_DKIM_RECORD_MATCH_ENUM)
#undef MS_DKIM_RECORD_MATCH_ENUM
} ms_dkim_record_match;

MS_API const char *ms_dkim_record_match_name(ms_dkim_record_match m); /* "differs" */
MS_API const char *ms_dkim_record_match_str(ms_dkim_record_match m);

/* Compare the key record txt (one TXT record's character-strings joined, by length; RFC 6376
 * §3.6.1, RFC 8463 §4) with the public half of kp: the decoded p= bytes must equal the key's
 * (RSA: its SubjectPublicKeyInfo, or the bare RSAPublicKey inside it that some signers
 * publish; Ed25519: the 32 raw bytes) and k= must name the key's type. *reason (may be NULL)
 * gets a static sentence for DIFFERS and UNUSABLE ("k=ed25519 but the key is RSA"), else
 * NULL. MS_OK whenever the comparison ran; MS_ENOMEM. */
MS_API MS_MUST_CHECK ms_status ms_dkim_keypair_match_record(const ms_dkim_keypair *kp,
                                                            const char *txt, size_t len,
                                                            ms_dkim_record_match *out,
                                                            const char **reason);

#endif
