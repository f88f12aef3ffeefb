/* SPDX-License-Identifier: MIT */
/* Streaming digests for DKIM: SHA-256 (RFC 6376 §3.3), and SHA-1 only so that rsa-sha1 can be
 * recognised and reported (RFC 8301 §3.1). Contexts are reusable: reset, feed, finish. */
#ifndef MS_CRYPTO_DIGEST_H
#define MS_CRYPTO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/status.h"

typedef enum {
    MS__HASH_SHA256,
    MS__HASH_SHA1, /* verify only: RFC 8301 §3.1 forbids signing with it */
} ms__hash;

#define MS__DIGEST_MAX 32u /* bytes of the longest digest */

/* 32 or 20. */
size_t ms__crypto_hash_size(ms__hash hash);
/* "sha256", "sha1": the names in a= (RFC 6376 §3.5). */
const char *ms__crypto_hash_name(ms__hash hash);

/* One running digest; one thread at a time. Owned by the caller of _new. */
typedef struct ms__digest ms__digest;

/* Ready to take data. MS_ENOMEM, or MS_EUNSUPPORTED if the OpenSSL build lacks the hash. */
MS_MUST_CHECK ms_status ms__crypto_digest_new(ms__hash hash, ms__digest **out);
/* Accepts NULL. */
void ms__crypto_digest_free(ms__digest *d);
/* Start again with the same hash (after final, or to drop what was fed). */
MS_MUST_CHECK ms_status ms__crypto_digest_reset(ms__digest *d);
MS_MUST_CHECK ms_status ms__crypto_digest_update(ms__digest *d, const void *data, size_t len);
/* Write the digest into out (out_size >= ms__crypto_hash_size, else MS_ELIMIT); *out_len may
 * be NULL. The context then needs a reset before more data. */
MS_MUST_CHECK ms_status ms__crypto_digest_final(ms__digest *d, uint8_t *out, size_t out_size,
                                                size_t *out_len);
ms__hash ms__crypto_digest_hash(const ms__digest *d);

/* One-shot: the digest of data[0..len) into out (at least ms__crypto_hash_size bytes). */
MS_MUST_CHECK ms_status ms__crypto_digest_once(ms__hash hash, const void *data, size_t len,
                                               uint8_t *out, size_t out_size);

#endif
