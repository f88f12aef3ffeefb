/* SPDX-License-Identifier: MIT */
/* DKIM, RFC 6376 (+ RFC 8301, RFC 8463): the values a DKIM verdict is made of. The parsed
 * signature and key records stay private (lib/dkim/signature.h, lib/dkim/key.h). */
#ifndef MAILSEAL_DKIM_H
#define MAILSEAL_DKIM_H

#include "mailseal/api.h"

/* Signing algorithms, RFC 6376 §3.3 and RFC 8463 §3. rsa-sha1 is recognised only so that it
 * can be refused by name (RFC 8301 §3.1); UNKNOWN is any other a= value of valid syntax. */
#define MS_DKIM_ALG_MAP(X)                                                                         \
    X(UNKNOWN, "unknown")                                                                          \
    X(RSA_SHA256, "rsa-sha256")                                                                    \
    X(ED25519_SHA256, "ed25519-sha256")                                                            \
    X(RSA_SHA1, "rsa-sha1")

typedef enum {
#define MS_DKIM_ALG_ENUM(name, text) MS_DKIM_ALG_##name,
    MS_DKIM_ALG_MAP(MS_DKIM_ALG_ENUM)
#undef MS_DKIM_ALG_ENUM
} ms_dkim_alg;

MS_API const char *ms_dkim_alg_name(ms_dkim_alg alg); /* "rsa-sha256" */

/* Canonicalization algorithms, RFC 6376 §3.4. */
#define MS_DKIM_CANON_MAP(X)                                                                       \
    X(SIMPLE, "simple")                                                                            \
    X(RELAXED, "relaxed")

typedef enum {
#define MS_DKIM_CANON_ENUM(name, text) MS_DKIM_CANON_##name,
    MS_DKIM_CANON_MAP(MS_DKIM_CANON_ENUM)
#undef MS_DKIM_CANON_ENUM
} ms_dkim_canon;

MS_API const char *ms_dkim_canon_name(ms_dkim_canon canon); /* "relaxed" */

/* Results of one signature, RFC 8601 §2.7.1. */
#define MS_DKIM_RESULT_MAP(X)                                                                      \
    X(NONE, "none")                                                                                \
    X(PASS, "pass")                                                                                \
    X(FAIL, "fail")                                                                                \
    X(POLICY, "policy")                                                                            \
    X(NEUTRAL, "neutral")                                                                          \
    X(TEMPERROR, "temperror")                                                                      \
    X(PERMERROR, "permerror")

typedef enum {
#define MS_DKIM_RESULT_ENUM(name, text) MS_DKIM_##name,
    MS_DKIM_RESULT_MAP(MS_DKIM_RESULT_ENUM)
#undef MS_DKIM_RESULT_ENUM
} ms_dkim_result;

MS_API const char *ms_dkim_result_name(ms_dkim_result result); /* "permerror" */

/* Why a signature or its key cannot be verified: the PERMFAIL kinds of RFC 6376 §6.1.1 and
 * §6.1.2 (their wording), plus the refusals of RFC 8301 and the caps of lib/base/limits.h. */
#define MS_DKIM_PERMFAIL_MAP(X)                                                                    \
    X(NONE, "no error")                                                                            \
    X(SYNTAX, "signature syntax error")                                                            \
    X(VERSION, "incompatible version")                                                             \
    X(MISSING_TAG, "signature missing required tag")                                               \
    X(DOMAIN_MISMATCH, "domain mismatch")                                                          \
    X(FROM_NOT_SIGNED, "From field not signed")                                                    \
    X(ALGORITHM, "unsupported signing algorithm")                                                  \
    X(HISTORIC_ALGORITHM, "historic signing algorithm (rsa-sha1)")                                 \
    X(CANONICALIZATION, "unsupported canonicalization")                                            \
    X(QUERY_METHOD, "unsupported query method")                                                    \
    X(BODY_HASH_SIZE, "body hash of the wrong size")                                               \
    X(SIGNATURE_EMPTY, "empty signature data")                                                     \
    X(SIGNATURE_SIZE, "signature data of the wrong size")                                          \
    X(LIMIT, "over a limit")                                                                       \
    X(KEY_SYNTAX, "key syntax error")                                                              \
    X(KEY_VERSION, "unsupported key version")                                                      \
    X(KEY_TYPE, "unsupported key type")                                                            \
    X(KEY_HASH, "inappropriate hash algorithm")                                                    \
    X(KEY_REVOKED, "key revoked")                                                                  \
    X(KEY_ALGORITHM, "inappropriate key algorithm")                                                \
    X(KEY_SERVICE, "key not for email")                                                            \
    X(KEY_STRICT, "i= domain differs from d= under key flag t=s")

typedef enum {
#define MS_DKIM_PERMFAIL_ENUM(name, text) MS_DKIM_PERMFAIL_##name,
    MS_DKIM_PERMFAIL_MAP(MS_DKIM_PERMFAIL_ENUM)
#undef MS_DKIM_PERMFAIL_ENUM
} ms_dkim_permfail;

MS_API const char *ms_dkim_permfail_name(ms_dkim_permfail kind); /* "KEY_REVOKED" */
MS_API const char *ms_dkim_permfail_str(ms_dkim_permfail kind);  /* "key revoked" */

/* ---- verifying (RFC 6376 §6, RFC 8301, RFC 8463) ------------------------------------------ */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/arena.h"
#include "mailseal/dns.h"
#include "mailseal/msg.h"
#include "mailseal/trace.h"

/* What to do with a signature whose l= leaves part of the body unsigned (bad-inputs DKIM-01:
 * content can be appended after signing, RFC 6376 §8.2). */
typedef enum {
    MS_DKIM_PARTIAL_POLICY, /* [default] result "policy": verified, not accepted */
    MS_DKIM_PARTIAL_PASS,   /* as RFC 6376 specifies: pass, reported as partial */
    MS_DKIM_PARTIAL_FAIL,   /* fail */
} ms_dkim_partial_body;

/* Parsed public keys kept by their key record, shared by verifiers (and threads): a busy
 * verifier decodes each key once. */
typedef struct ms_dkim_key_cache ms_dkim_key_cache;
/* max_keys 0 means MS_LIMIT_DKIM_KEY_CACHE; the oldest key goes first when full. */
MS_API MS_MUST_CHECK ms_status ms_dkim_key_cache_new(size_t max_keys, ms_dkim_key_cache **out);
MS_API void ms_dkim_key_cache_free(ms_dkim_key_cache *cache); /* accepts NULL */
MS_API void ms_dkim_key_cache_stats(ms_dkim_key_cache *cache, uint64_t *hits, uint64_t *misses);

typedef struct ms_dkim_verify_options {
    unsigned max_signatures;      /* [10] examined per message; the rest are "neutral" */
    long long now;                /* seconds since 1970; 0 = the current time */
    unsigned clock_skew_s;        /* [300] t= may be this far in the future */
    ms_dkim_partial_body partial; /* l= that leaves content unsigned */
    ms_dkim_key_cache *key_cache; /* NULL: every key is parsed for each signature */
} ms_dkim_verify_options;

MS_API void ms_dkim_verify_options_default(ms_dkim_verify_options *opt);

typedef struct ms_dkim_sig_result {
    ms_dkim_result result;
    ms_dkim_permfail permfail; /* the kind of permerror, NONE otherwise */
    const char *reason;        /* static text ending in its RFC section */
    const char *detail;        /* what was wrong, printable */
    const char *domain;        /* d=, NULL when the signature did not parse */
    const char *selector;      /* s= */
    const char *auid;          /* i= (or "@" d=) */
    ms_dkim_alg alg;
    ms_dkim_canon canon_header, canon_body;
    unsigned key_bits; /* 0 when no key was read */
    bool is_testing;   /* the key says t=y */
    bool has_l;
    uint64_t l;                  /* l= */
    uint64_t body_length;        /* the canonical body's length */
    bool body_hash_mismatch;     /* fail because bh= differs (RFC 6376 §6.1.3; RFC 6591 "bodyhash") */
    bool has_unsigned_singleton; /* a From/Subject/... instance above the signed ones (DKIM-04) */
    const char *b_prefix;        /* the first 8 characters of b= (header.b, RFC 6008) */
    size_t field_index;          /* of the DKIM-Signature field in the message */
    /* h=: the names of the signed header fields in order, as written (oversigned ones
     * repeated); NULL when the signature did not parse. Lets a caller tell whether a field
     * was signed (RFC 8058 §3: List-Unsubscribe and List-Unsubscribe-Post). */
    const char *const *headers;
    size_t n_headers;
} ms_dkim_sig_result;

typedef struct ms_dkim_verifier ms_dkim_verifier;

/* Start verifying the message whose header fields m holds (the body follows through
 * ms_dkim_verifier_body). Everything lives in arena; resolver and m are borrowed. */
MS_API MS_MUST_CHECK ms_status ms_dkim_verifier_new(ms_resolver *resolver,
                                                    const ms_dkim_verify_options *opt,
                                                    const ms_msg *m, ms_arena *arena,
                                                    ms_trace *trace, ms_dkim_verifier **out);
/* Feed the body in chunks of any size. */
MS_API MS_MUST_CHECK ms_status ms_dkim_verifier_body(ms_dkim_verifier *v, const char *chunk,
                                                     size_t len);
/* End of body: fetch keys, check every examined signature. *results has one entry per
 * DKIM-Signature field, top to bottom (n 0: the message is unsigned, result none). */
MS_API MS_MUST_CHECK ms_status ms_dkim_verifier_end(ms_dkim_verifier *v,
                                                    const ms_dkim_sig_result **results, size_t *n);

/* ---- signing (RFC 6376 §5, RFC 8301, RFC 8463) -------------------------------------------- */

/* Why a message was not signed (bad-inputs DKIM-29: never sign what a reader could attribute
 * to someone else). */
#define MS_DKIM_REFUSAL_MAP(X)                                                                     \
    X(NONE, "not refused")                                                                         \
    X(OPTIONS, "invalid signer options")                                                           \
    X(KEY, "unusable private key")                                                                 \
    X(NO_AUTHOR, "not exactly one From field holding one mailbox")                                 \
    X(FROM_DOMAIN, "the From domain is neither d= nor below it")                                   \
    X(AMBIGUOUS, "the message's line ends can be read two ways")

typedef enum {
#define MS_DKIM_REFUSAL_ENUM(name, text) MS_DKIM_REFUSAL_##name,
    MS_DKIM_REFUSAL_MAP(MS_DKIM_REFUSAL_ENUM)
#undef MS_DKIM_REFUSAL_ENUM
} ms_dkim_refusal;

MS_API const char *ms_dkim_refusal_name(ms_dkim_refusal kind); /* "FROM_DOMAIN" */
MS_API const char *ms_dkim_refusal_str(ms_dkim_refusal kind);  /* "the From domain is ..." */

/* Filled without allocating when a signer or a signing is refused. */
typedef struct ms_dkim_sign_error {
    ms_dkim_refusal kind;
    const char *reason; /* static text ending in its RFC section */
    char detail[96];    /* the offending value, escaped (printable ASCII), cut to fit */
} ms_dkim_sign_error;

typedef struct ms_dkim_signer_options {
    const char *domain;                     /* d= (A-labels); required */
    const char *auid;                       /* i= ("@d", "user@sub.d"); NULL: no i= */
    ms_dkim_canon canon_header, canon_body; /* [relaxed/relaxed] c= */
    /* h=: NULL signs the RFC 6376 §5.4.1 set present in the message (plus Message-ID, Sender,
     * MIME-Version, Content-Type, Content-Transfer-Encoding, List-Unsubscribe-Post), with
     * From, Subject, Date, To, Cc, Reply-To, Message-ID and Content-Type oversigned: listed
     * once more than present, so that an added copy breaks the signature (§5.4.2, §8.15).
     * Else a colon-separated list of names, signed in that order; names of that oversigned set
     * are oversigned too, and From is always signed (§5.4). */
    const char *headers;
    unsigned long expire_s;  /* x= t= + expire_s; 0: no x= */
    bool allow_foreign_from; /* sign even when From's domain is not d= or below (DKIM-29) */
} ms_dkim_signer_options;

MS_API void ms_dkim_signer_options_default(ms_dkim_signer_options *opt);

/* One signer for many messages: the options and keys, read once. Immutable once its keys are
 * added, so any number of threads may sign with it at once. Owned by the caller of _new. */
typedef struct ms_dkim_signer ms_dkim_signer;

/* MS_EINVAL with err (may be NULL, kind OPTIONS) for a bad d=, i=, c= or header list. */
MS_API MS_MUST_CHECK ms_status ms_dkim_signer_new(const ms_dkim_signer_options *opt,
                                                  ms_dkim_signer **out, ms_dkim_sign_error *err);
/* Add a key: one signature per key and message, in the order added (first on top). The
 * algorithm follows the key: rsa-sha256 (RSA of 1024..8192 bits, RFC 8301 §3.2) or
 * ed25519-sha256 (RFC 8463). pem is read once, here. MS_ESYNTAX/MS_ELIMIT (kind KEY) for a
 * key that cannot be used, MS_EINVAL (kind OPTIONS) for a bad selector or too many keys
 * (MS_LIMIT_DKIM_SIGN_KEYS). */
MS_API MS_MUST_CHECK ms_status ms_dkim_signer_add_key(ms_dkim_signer *signer, const char *selector,
                                                      const char *pem, size_t pem_len,
                                                      ms_dkim_sign_error *err);
/* Accepts NULL; wipes the keys. */
MS_API void ms_dkim_signer_free(ms_dkim_signer *signer);

/* Signing one message: header fields from an ms_msg, then the body in chunks, then the
 * DKIM-Signature fields to prepend. Lives in the arena it was made in. */
typedef struct ms_dkim_signing ms_dkim_signing;

/* Start signing the message whose header fields m holds; t= is now (seconds since 1970; 0 =
 * the current time). Refused, with err (may be NULL) saying why, when the author is not one
 * From field with one mailbox (MS_ESYNTAX, NO_AUTHOR), when its line ends are ambiguous
 * (MS_ESYNTAX, AMBIGUOUS), or when the From domain is not d= or below it and the options do
 * not allow it (MS_EINVAL, FROM_DOMAIN); MS_EINVAL (OPTIONS) when the signer has no key. */
MS_API MS_MUST_CHECK ms_status ms_dkim_signing_new(const ms_dkim_signer *signer, const ms_msg *m,
                                                   long long now, ms_arena *arena,
                                                   ms_dkim_signing **out, ms_dkim_sign_error *err);
/* Feed the body in chunks of any size; it is hashed once per body canonicalization. */
MS_API MS_MUST_CHECK ms_status ms_dkim_signing_body(ms_dkim_signing *g, const char *chunk,
                                                    size_t len);
/* End of body: *fields gets every DKIM-Signature field (one per key, first key on top), each
 * folded at 78 columns with CRLF TAB and ending in CRLF, ready to prepend; arena-owned,
 * NUL-terminated, *len bytes. Never l= (bad-inputs DKIM-01). Releases what _new took. */
MS_API MS_MUST_CHECK ms_status ms_dkim_signing_end(ms_dkim_signing *g, const char **fields,
                                                   size_t *len);
/* Abandon a signing before _end (accepts NULL; harmless after _end). */
MS_API void ms_dkim_signing_free(ms_dkim_signing *g);

#endif
