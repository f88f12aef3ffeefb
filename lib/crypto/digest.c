/* SPDX-License-Identifier: MIT */
/* Streaming SHA-256 and SHA-1 through OpenSSL's EVP interface (RFC 6376 §3.3, RFC 8301 §3.1).
 * Each hash is fetched once per process (a fetch takes locks and a name look-up, and DKIM
 * makes two digests per signature), so neither a new context nor a reset looks it up again. */
#include <stdatomic.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/digest.h"

struct ms__digest {
    ms__hash hash;
    const EVP_MD *md; /* the process's fetched hash (fetched_md) */
    EVP_MD_CTX *ctx;
};

/* The fetched hashes, kept for the life of the process: the first caller fetches, a caller
 * that loses the race frees its own. */
static _Atomic(EVP_MD *) fetched[2];

size_t ms__crypto_hash_size(ms__hash hash)
{
    return hash == MS__HASH_SHA1 ? 20u : 32u;
}

const char *ms__crypto_hash_name(ms__hash hash)
{
    return hash == MS__HASH_SHA1 ? "sha1" : "sha256";
}

static const char *openssl_name(ms__hash hash)
{
    return hash == MS__HASH_SHA1 ? "SHA1" : "SHA256";
}

static const EVP_MD *fetched_md(ms__hash hash)
{
    _Atomic(EVP_MD *) *slot = &fetched[hash == MS__HASH_SHA1 ? 1 : 0];
    EVP_MD *md = atomic_load_explicit(slot, memory_order_acquire);
    if (md != NULL) {
        return md;
    }
    md = EVP_MD_fetch(NULL, openssl_name(hash), NULL);
    if (md == NULL) {
        return NULL;
    }
    EVP_MD *empty = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &empty, md, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        EVP_MD_free(md);
        return empty; /* the winner's */
    }
    return md;
}

ms_status ms__crypto_digest_new(ms__hash hash, ms__digest **out)
{
    *out = NULL;
    if (hash != MS__HASH_SHA256 && hash != MS__HASH_SHA1) {
        return MS_EINVAL;
    }
    ms__digest *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return MS_ENOMEM;
    }
    d->hash = hash;
    d->md = fetched_md(hash);
    d->ctx = EVP_MD_CTX_new();
    if (d->md == NULL || d->ctx == NULL) {
        ms_status st = d->md == NULL && d->ctx != NULL ? MS_EUNSUPPORTED : MS_ENOMEM;
        ms__crypto_digest_free(d);
        ERR_clear_error();
        return st;
    }
    if (ms__crypto_digest_reset(d) != MS_OK) {
        ms__crypto_digest_free(d);
        return MS_ENOMEM;
    }
    *out = d;
    return MS_OK;
}

void ms__crypto_digest_free(ms__digest *d)
{
    if (d == NULL) {
        return;
    }
    EVP_MD_CTX_free(d->ctx);
    free(d);
}

ms_status ms__crypto_digest_reset(ms__digest *d)
{
    if (EVP_DigestInit_ex2(d->ctx, d->md, NULL) != 1) {
        ERR_clear_error();
        return MS_ENOMEM;
    }
    return MS_OK;
}

ms_status ms__crypto_digest_update(ms__digest *d, const void *data, size_t len)
{
    if (len == 0) {
        return MS_OK;
    }
    if (EVP_DigestUpdate(d->ctx, data, len) != 1) {
        ERR_clear_error();
        return MS_EINVAL; /* fed after final without a reset */
    }
    return MS_OK;
}

ms_status ms__crypto_digest_final(ms__digest *d, uint8_t *out, size_t out_size, size_t *out_len)
{
    size_t size = ms__crypto_hash_size(d->hash);
    if (out_len != NULL) {
        *out_len = 0;
    }
    if (out_size < size) {
        return MS_ELIMIT;
    }
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(d->ctx, out, &n) != 1 || n != size) {
        ERR_clear_error();
        return MS_EINVAL;
    }
    if (out_len != NULL) {
        *out_len = n;
    }
    return MS_OK;
}

ms__hash ms__crypto_digest_hash(const ms__digest *d)
{
    return d->hash;
}

ms_status ms__crypto_digest_once(ms__hash hash, const void *data, size_t len, uint8_t *out,
                                 size_t out_size)
{
    if (hash != MS__HASH_SHA256 && hash != MS__HASH_SHA1) {
        return MS_EINVAL;
    }
    if (out_size < ms__crypto_hash_size(hash)) {
        return MS_ELIMIT;
    }
    /* EVP_Q_digest fetches the hash for this one call; fine where nothing is repeated. */
    size_t n = 0;
    if (EVP_Q_digest(NULL, openssl_name(hash), NULL, data, len, out, &n) != 1) {
        ERR_clear_error();
        return MS_ENOMEM;
    }
    return MS_OK;
}
