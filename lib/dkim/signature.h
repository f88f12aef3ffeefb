/* SPDX-License-Identifier: MIT */
/* The DKIM-Signature header field, RFC 6376 §3.5, checked as §6.1.1 asks before any DNS
 * query: parsed and validated here, refused (rsa-sha1, empty b=) by ms__dkim_sig_usable. */
#ifndef MS_DKIM_SIGNATURE_H
#define MS_DKIM_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dkim/tags.h"
#include "mailseal/arena.h"
#include "mailseal/dkim.h"
#include "mailseal/status.h"

/* One parsed signature. Strings are arena copies, NUL-terminated, as written (case kept;
 * compare d=, i= domains and h= names case-insensitively). Offsets are into the parsed
 * header value. Owned by the arena given to ms__dkim_sig_parse. */
typedef struct ms__dkim_sig {
    ms_dkim_alg alg;            /* a=; never UNKNOWN: unknown names are refused */
    const char *a;              /* a= as written */
    const char *b;              /* b= base64, folding removed; "" when empty (refused at verify) */
    size_t b_len;               /* characters in b */
    const char *bh;             /* bh= base64, folding removed */
    size_t bh_len;              /* characters in bh */
    ms_dkim_canon canon_header; /* c=, default simple/simple */
    ms_dkim_canon canon_body;
    const char *d;        /* the SDID: domain-name, A-labels only, checked before any DNS */
    const char *s;        /* the selector */
    const char *const *h; /* h= field names in order, oversigned ones repeated */
    size_t n_h;
    const char *auid;        /* i= decoded (dkim-quoted-printable), or "@" d when absent */
    const char *auid_domain; /* the part of auid after its '@': d or a subdomain of d */
    bool has_i;              /* i= was given */
    bool has_l;
    uint64_t l; /* l= body length (DKIM-01: a partial body is a policy matter) */
    bool has_t, has_x;
    uint64_t t, x; /* seconds since 1970; x > t when both are given */
    const char *q; /* q= as written, "dns/txt" when absent */
    const char *z; /* z= as written (diagnostic copies, not decoded), NULL if absent */
    /* Where b='s value is in the header value (RFC 6376 §3.5: hashed as if empty): the value
     * (FWS at its ends excluded) is [b_value_off, b_value_off + b_value_len); b_end_off is
     * the ';' ending its tag-spec, or the value's length. */
    size_t b_value_off, b_value_len, b_end_off;
    ms__dkim_tags tags; /* every tag, unknown ones included (§3.5: hashed, else ignored) */
} ms__dkim_sig;

/* Parse the value of one DKIM-Signature field (the bytes after "DKIM-Signature:", folding
 * CRLF WSP included, without the final CRLF). MS_OK with *out; MS_ESYNTAX with err filled
 * (err may be NULL) and *out NULL when the signature is invalid: tag-list syntax, duplicate
 * tags, a missing required tag (v a b bh d h s), v not 1, an a= other than rsa-sha256,
 * ed25519-sha256 and rsa-sha1, an unknown c= or q=, a bad domain or selector, i= outside d=,
 * h= without From, bad numbers, x <= t, bad base64 or a bh= whose length does not fit the
 * hash (DKIM-13), or a cap of lib/base/limits.h (kind LIMIT). rsa-sha1 parses, so that the
 * verifier can refuse it by name through ms__dkim_sig_usable. err->offset is where the fault
 * is in value, except for i= faults found once it is decoded (local-part, domain, not in d=):
 * then it is the start of the i= value and the detail is the decoded AUID. Every detail is
 * escaped (printable ASCII, no '"'), so it is safe to log and to quote (bad-inputs DKIM-28).
 * MS_ENOMEM or MS_ELIMIT when the arena fails. */
MS_MUST_CHECK ms_status ms__dkim_sig_parse(const char *value, size_t len, ms_arena *arena,
                                           const ms__dkim_sig **out, ms__dkim_error *err);

/* Can a verifier go on with this signature (before the key query)? false with err filled
 * (err may be NULL) for a=rsa-sha1 (kind HISTORIC_ALGORITHM, RFC 8301 §3.1), an empty b=
 * (kind SIGNATURE_EMPTY, RFC 6376 §3.5) and an ed25519 b= that is not 64 bytes (kind
 * SIGNATURE_SIZE, RFC 8463 §3). */
bool ms__dkim_sig_usable(const ms__dkim_sig *sig, ms__dkim_error *err);

/* Is name[0..len) a valid d= domain-name (sub-domain 1*("." sub-domain), RFC 6376 §3.5 with
 * RFC 5321 §4.1.2: letters, digits, inner hyphens, labels <= 63, total <= 253, at least two
 * labels) or, with min_labels 1, a valid selector (§3.1)? false with *bad_off at the first
 * offending byte and *why. */
bool ms__dkim_domain_check(const char *name, size_t len, unsigned min_labels, size_t *bad_off,
                           const char **why);

#endif
