/* SPDX-License-Identifier: MIT */
/* SPF, RFC 7208: record parsing, macro expansion and check_host() with every limit. */
#ifndef MAILSEAL_SPF_H
#define MAILSEAL_SPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dns.h"
#include "mailseal/status.h"
#include "mailseal/trace.h"

/* RFC 7208 §2.6, in the order of the RFC's table. */
#define MS_SPF_RESULT_MAP(X)                                                                       \
    X(NONE, "none")                                                                                \
    X(NEUTRAL, "neutral")                                                                          \
    X(PASS, "pass")                                                                                \
    X(FAIL, "fail")                                                                                \
    X(SOFTFAIL, "softfail")                                                                        \
    X(TEMPERROR, "temperror")                                                                      \
    X(PERMERROR, "permerror")

typedef enum {
#define MS_SPF_RESULT_ENUM(name, text) MS_SPF_##name,
    MS_SPF_RESULT_MAP(MS_SPF_RESULT_ENUM)
#undef MS_SPF_RESULT_ENUM
} ms_spf_result;

MS_API const char *ms_spf_result_name(ms_spf_result result); /* "pass" */

typedef enum { MS_SPF_IDENTITY_MAILFROM, MS_SPF_IDENTITY_HELO } ms_spf_identity;
MS_API const char *ms_spf_identity_name(ms_spf_identity identity); /* "mailfrom", "helo" */

/* ---- record ----------------------------------------------------------------------------- */
typedef enum {
    MS_SPF_MECH_ALL,
    MS_SPF_MECH_INCLUDE,
    MS_SPF_MECH_A,
    MS_SPF_MECH_MX,
    MS_SPF_MECH_PTR,
    MS_SPF_MECH_IP4,
    MS_SPF_MECH_IP6,
    MS_SPF_MECH_EXISTS,
    MS_SPF_MOD_REDIRECT,
    MS_SPF_MOD_EXP,
    MS_SPF_MOD_UNKNOWN, /* unknown modifiers are ignored, RFC 7208 §6 */
} ms_spf_term_kind;

typedef struct ms_spf_term {
    ms_spf_term_kind kind;
    char qualifier;          /* '+', '-', '~', '?' (mechanisms only) */
    const char *text;        /* the whole term as written, NUL-terminated copy */
    size_t offset;           /* where it starts in the record */
    const char *domain_spec; /* macro-string target, NULL when absent */
    const char *name;        /* modifier name (MS_SPF_MOD_UNKNOWN) */
    uint8_t addr[16];        /* ip4 (first 4 bytes) / ip6 network */
    int cidr4, cidr6;        /* prefix lengths; -1 = not given */
} ms_spf_term;

typedef struct ms_spf_record {
    size_t n_terms;
    const ms_spf_term *terms;    /* in order, modifiers included */
    const ms_spf_term *redirect; /* NULL or the redirect= modifier */
    const ms_spf_term *exp;      /* NULL or the exp= modifier */
    unsigned n_dns_terms;        /* include a mx ptr exists + redirect: what §4.6.4 counts */
} ms_spf_record;

typedef struct ms_spf_parse_error {
    size_t offset;      /* byte offset in the record */
    const char *reason; /* static text ending in its RFC section */
    char detail[64];    /* the offending term, cut to fit */
} ms_spf_parse_error;

/* Is this TXT string an SPF version 1 record ("v=spf1" then space or end, §4.5)? */
MS_API bool ms_spf_is_record(const char *txt, size_t len);
/* Parse a record (starting with v=spf1). MS_ESYNTAX with err filled on a bad record; the record
 * lives in arena. */
MS_API MS_MUST_CHECK ms_status ms_spf_record_parse(const char *txt, size_t len, ms_arena *arena,
                                                   const ms_spf_record **out,
                                                   ms_spf_parse_error *err);

/* ---- check_host() ----------------------------------------------------------------------- */
typedef struct ms_spf_request {
    const char *client_ip; /* IPv4 or IPv6 text; IPv4-mapped IPv6 counts as IPv4 (§5) */
    const char *mail_from; /* NULL, "" or "<>" is the null reverse-path; "<a@b>" is allowed */
    const char *helo;      /* HELO/EHLO name, may be an address literal "[192.0.2.1]" */
    ms_spf_identity identity;
    const char *receiver; /* %{r}; NULL means "unknown" */
    long long now;        /* %{t}; 0 means the current time */
} ms_spf_request;

typedef struct ms_spf_options {
    unsigned max_dns_terms;          /* [10] RFC 7208 §4.6.4 */
    unsigned max_void_lookups;       /* [2]  §4.6.4 */
    unsigned max_mx_names;           /* [10] §4.6.4 */
    unsigned max_ptr_names;          /* [10] §4.6.4 */
    unsigned max_queries;            /* [111] every DNS question of one check, §11.1 */
    unsigned time_budget_ms;         /* [20000] wall clock for one check, §4.6.4 "at least 20 s" */
    const char *default_explanation; /* macro-string used on fail without exp= */
} ms_spf_options;

MS_API void ms_spf_options_default(ms_spf_options *opt);

typedef struct ms_spf_verdict {
    ms_spf_result result;
    ms_spf_identity identity;
    const char *sender;      /* the identity checked; postmaster@HELO for the null sender */
    const char *domain;      /* the domain evaluated, byte for byte the one reported */
    const char *client_ip;   /* the client address as evaluated (IPv4-mapped shown as IPv4) */
    const char *record;      /* the SPF record found at domain, NULL if none */
    const char *mechanism;   /* the term that decided, NULL when none matched */
    const char *reason;      /* static text ending in its RFC section */
    const char *detail;      /* the offending term, name or record; may be NULL */
    const char *explanation; /* on fail: exp= text or the default explanation */
    unsigned n_dns_lookups;  /* terms counted against the §4.6.4 limit */
    unsigned n_void_lookups;
    unsigned n_queries; /* DNS questions asked */
} ms_spf_verdict;

/* Run check_host() (RFC 7208 §4) for the request's identity. MS_OK with a verdict whenever the
 * check ran, whatever it found; another status only when it could not run (MS_EINVAL for a
 * missing client_ip or an unparsable one, MS_ENOMEM, MS_ELIMIT when the arena's cap was
 * reached). opt NULL means defaults; trace may be
 * NULL. Everything in the verdict lives in arena. */
MS_API MS_MUST_CHECK ms_status ms_spf_check(ms_resolver *resolver, const ms_spf_options *opt,
                                            const ms_spf_request *req, ms_arena *arena,
                                            ms_spf_verdict *out, ms_trace *trace);

#endif
