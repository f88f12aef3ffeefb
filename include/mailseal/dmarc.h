/* SPDX-License-Identifier: MIT */
/* DMARC, RFC 9989 (DMARCbis), with an RFC 7489 mode: the policy record, policy discovery and
 * the organizational domain (DNS tree walk, or the Public Suffix List in RFC 7489 mode),
 * identifier alignment, and the verdict for one message. */
#ifndef MAILSEAL_DMARC_H
#define MAILSEAL_DMARC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dkim.h"
#include "mailseal/dns.h"
#include "mailseal/msg.h"
#include "mailseal/spf.h"
#include "mailseal/status.h"
#include "mailseal/trace.h"

/* Results, RFC 8601 §2.7.1 (dmarc method, RFC 7489 §11.2). */
#define MS_DMARC_RESULT_MAP(X)                                                                     \
    X(NONE, "none")                                                                                \
    X(PASS, "pass")                                                                                \
    X(FAIL, "fail")                                                                                \
    X(TEMPERROR, "temperror")                                                                      \
    X(PERMERROR, "permerror")

typedef enum {
#define MS_DMARC_RESULT_ENUM(name, text) MS_DMARC_##name,
    MS_DMARC_RESULT_MAP(MS_DMARC_RESULT_ENUM)
#undef MS_DMARC_RESULT_ENUM
} ms_dmarc_result;

MS_API const char *ms_dmarc_result_name(ms_dmarc_result result); /* "pass" */

/* Requested handling, RFC 9989 p/sp/np values; also the disposition a receiver applies. */
#define MS_DMARC_POLICY_MAP(X)                                                                     \
    X(NONE, "none")                                                                                \
    X(QUARANTINE, "quarantine")                                                                    \
    X(REJECT, "reject")

typedef enum {
#define MS_DMARC_POLICY_ENUM(name, text) MS_DMARC_POLICY_##name,
    MS_DMARC_POLICY_MAP(MS_DMARC_POLICY_ENUM)
#undef MS_DMARC_POLICY_ENUM
} ms_dmarc_policy;

MS_API const char *ms_dmarc_policy_name(ms_dmarc_policy policy); /* "quarantine" */

/* Which tag of the record gave the policy that applies. */
typedef enum { MS_DMARC_TAG_P, MS_DMARC_TAG_SP, MS_DMARC_TAG_NP } ms_dmarc_policy_tag;
MS_API const char *ms_dmarc_policy_tag_name(ms_dmarc_policy_tag tag); /* "sp" */

typedef enum { MS_DMARC_ALIGN_RELAXED, MS_DMARC_ALIGN_STRICT } ms_dmarc_alignment;

typedef enum {
    MS_DMARC_MODE_RFC9989, /* [default] DNS tree walk, psd=, np=, t=; pct/rf/ri ignored */
    MS_DMARC_MODE_RFC7489, /* Public Suffix List organizational domain, pct honoured */
} ms_dmarc_mode;

MS_API const char *ms_dmarc_mode_name(ms_dmarc_mode mode); /* "rfc9989" */

/* ---- the record (RFC 9989 §4.7, RFC 7489 §6.3) ------------------------------------------ */

typedef struct ms_dmarc_uri {
    const char *uri;     /* as written, e.g. "mailto:dmarc@example.com!10m" without the size */
    const char *scheme;  /* "mailto" (lowercased) */
    const char *address; /* mailto: the address (local@domain); NULL for other schemes */
    const char *domain;  /* mailto: the address's domain, lowercased; NULL otherwise */
    uint64_t max_bytes;  /* the "!size" suffix in bytes, 0 when absent (RFC 7489 §6.2) */
} ms_dmarc_uri;

typedef struct ms_dmarc_record {
    ms_dmarc_policy p; /* p=; a record without a valid p= is treated as p=none when it has a
                        * valid rua= (RFC 9989 §4.7); has_p says whether it was written */
    bool has_p;
    ms_dmarc_policy sp; /* defaults to p */
    bool has_sp;
    ms_dmarc_policy np; /* defaults to sp */
    bool has_np;
    char psd;                       /* 'y', 'n' or 'u' (absent), RFC 9989 §4.7 */
    bool testing;                   /* t=y */
    ms_dmarc_alignment adkim, aspf; /* [relaxed] */
    bool has_pct;   /* pct= (RFC 7489 only: honoured in that mode, noted otherwise) */
    unsigned pct;   /* [100] */
    const char *fo; /* fo= as written, NULL when absent ("0") */
    const char *rf; /* rf= as written, NULL when absent (RFC 7489) */
    bool has_ri;
    uint32_t ri; /* ri= seconds [86400] (RFC 7489) */
    size_t n_rua, n_ruf;
    const ms_dmarc_uri *rua, *ruf;
    const char *p_invalid; /* p= as written when it is not none, quarantine or reject (the
                            * record then counts as p=none or is not used, §4.7), else NULL */
    size_t n_notes;
    const char *const *notes; /* one line each: tags ignored, removed tags present, bad URIs
                               * dropped ... ending in their RFC section */
} ms_dmarc_record;

typedef struct ms_dmarc_parse_error {
    size_t offset;      /* byte offset in the record */
    const char *reason; /* static text ending in its RFC section */
    char detail[64];    /* the offending tag, cut to fit */
} ms_dmarc_parse_error;

/* Is this TXT string a DMARC record ("v=DMARC1" first, RFC 9989 §4.7)? */
MS_API bool ms_dmarc_is_record(const char *txt, size_t len);
/* Parse a record. MS_ESYNTAX with err filled when it is not a valid DMARC record (no v=DMARC1
 * first, a duplicate tag, a bad value of p=, ...); the record lives in arena. */
MS_API MS_MUST_CHECK ms_status ms_dmarc_record_parse(const char *txt, size_t len, ms_arena *arena,
                                                     const ms_dmarc_record **out,
                                                     ms_dmarc_parse_error *err);

/* ---- the Public Suffix List (RFC 7489 §3.2, libpsl) ------------------------------------- */
typedef struct ms_psl ms_psl;
/* Load a list; path NULL means the system's (Debian's publicsuffix package). MS_EIO with err
 * when it cannot be read. Immutable once loaded: share it between threads. */
MS_API MS_MUST_CHECK ms_status ms_psl_load(const char *path, ms_psl **out, char *err,
                                           size_t errlen);
MS_API void ms_psl_free(ms_psl *psl); /* accepts NULL */
/* The registrable domain (RFC 7489 Organizational Domain) of domain, lowercased, in arena;
 * *out NULL when domain is a public suffix itself or not a domain. */
MS_API MS_MUST_CHECK ms_status ms_psl_org_domain(const ms_psl *psl, const char *domain,
                                                 ms_arena *arena, const char **out);

/* ---- options --------------------------------------------------------------------------- */
typedef struct ms_dmarc_options {
    ms_dmarc_mode mode;
    const ms_psl *psl;           /* required in RFC 7489 mode (borrowed) */
    unsigned max_tree_queries;   /* [8] RFC 9989 §4.10 */
    unsigned max_author_domains; /* [MS_LIMIT_DMARC_AUTHOR_DOMAINS] distinct From domains
                                  * evaluated; more is permerror with no DNS query (DMARC-31) */
    int pct_roll;                /* RFC 7489 pct sampling: 0..99 fixed, -1 random [-1] */
} ms_dmarc_options;

MS_API void ms_dmarc_options_default(ms_dmarc_options *opt);

/* ---- policy discovery (RFC 9989 §4.10, RFC 7489 §6.6.3) -------------------------------- */

typedef enum {
    MS_DMARC_DISCOVERY_FOUND,     /* a record applies */
    MS_DMARC_DISCOVERY_NONE,      /* no record anywhere on the walk */
    MS_DMARC_DISCOVERY_TEMPERROR, /* a DNS failure stopped the walk */
} ms_dmarc_discovery_status;

typedef struct ms_dmarc_discovery {
    ms_dmarc_discovery_status status;
    const char *domain;            /* the domain asked about (lowercased, A-labels) */
    const char *policy_domain;     /* where the record was found, NULL when none */
    const char *org_domain;        /* the organizational domain of domain (may be domain itself);
                                    * NULL when it could not be determined */
    const ms_dmarc_record *record; /* the applicable record, NULL when none */
    const char *record_text;       /* its TXT text */
    const char *reason;            /* static text ending in its RFC section */
    const char *detail;            /* e.g. the record that did not parse, or the DNS error */
    size_t n_queried;
    const char *const *queried; /* the _dmarc names asked, in order */
} ms_dmarc_discovery;

/* Find the DMARC policy that applies to domain, and its organizational domain. MS_OK whenever
 * the walk ran (found, none or temperror); another status only when it could not run. */
MS_API MS_MUST_CHECK ms_status ms_dmarc_discover(ms_resolver *resolver, const ms_dmarc_options *opt,
                                                 const char *domain, ms_arena *arena,
                                                 ms_dmarc_discovery *out, ms_trace *trace);

/* The organizational domain of any domain (for alignment of SPF and DKIM identifiers): the tree
 * walk of RFC 9989 §4.10.2, or the PSL in RFC 7489 mode. *out NULL on a DNS temperror. */
MS_API MS_MUST_CHECK ms_status ms_dmarc_org_domain(ms_resolver *resolver,
                                                   const ms_dmarc_options *opt, const char *domain,
                                                   ms_arena *arena, const char **out,
                                                   ms_trace *trace);

/* ---- the verdict for one message (RFC 9989 §4.8, §5) ----------------------------------- */

typedef struct ms_dmarc_request {
    const ms_msg *msg;         /* the author domains come from its From fields (never Sender) */
    const ms_spf_verdict *spf; /* the MAIL FROM check (HELO for the null sender); NULL: not run */
    const ms_dkim_sig_result *dkim; /* every DKIM signature's result, as ms_dkim_verifier_end */
    size_t n_dkim;
} ms_dmarc_request;

typedef struct ms_dmarc_verdict {
    ms_dmarc_result result;
    const char *reason; /* static text ending in its RFC section */
    const char *detail; /* may be NULL */

    const char *from_domain;   /* the author domain (the strictest one when several); NULL when
                                * none could be read */
    size_t n_from_domains;     /* distinct author domains evaluated */
    unsigned author_flags;     /* MS_MSG_ADDR_* of the author mailboxes OR'ed (display-has-address
                                * ...) */
    const char *org_domain;    /* of from_domain */
    const char *policy_domain; /* where the record was found; NULL: none */
    const ms_dmarc_record *record;
    const char *record_text;

    ms_dmarc_policy policy; /* as published in the tag that applies */
    ms_dmarc_policy_tag policy_tag;
    bool testing;                /* t=y */
    bool sampled_out;            /* RFC 7489 mode: pct= left this message out */
    ms_dmarc_policy disposition; /* what a receiver applies: none on pass/none/errors, else the
                                  * policy (lowered by t=y or pct as the RFCs say) */
    bool from_domain_exists;     /* false when np applied (RFC 9989 §4.10.3, RFC 8020) */

    ms_dmarc_alignment aspf, adkim;
    bool spf_aligned;       /* SPF passed and its domain aligns */
    const char *spf_domain; /* the SPF-authenticated domain, NULL when SPF did not run */
    ms_spf_result spf_result;
    bool dkim_aligned;             /* some passing signature aligns */
    const bool *dkim_aligned_each; /* per request->dkim entry: passed and aligned */
    size_t dkim_aligned_index;     /* the first such entry, when dkim_aligned */

    unsigned n_queries; /* DNS questions asked */
} ms_dmarc_verdict;

/* Evaluate DMARC for one message. MS_OK with a verdict whenever the evaluation ran, whatever
 * it found; another status only when it could not run (MS_EINVAL, MS_ENOMEM, MS_ELIMIT from
 * the arena). Every distinct author domain is evaluated (up to max_author_domains) and the
 * strictest outcome kept: several From fields or mailboxes never pass by the easiest domain
 * (CVE-2019-16378); a From that cannot be read is permerror. */
MS_API MS_MUST_CHECK ms_status ms_dmarc_evaluate(ms_resolver *resolver, const ms_dmarc_options *opt,
                                                 const ms_dmarc_request *req, ms_arena *arena,
                                                 ms_dmarc_verdict *out, ms_trace *trace);

#endif
