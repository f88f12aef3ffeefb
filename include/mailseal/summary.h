/* SPDX-License-Identifier: MIT */
/* What received reports say, for a person: who sends mail as the domain and whether it passes.
 * Aggregate records (RFC 9990 / RFC 7489 Appendix C), failure reports (RFC 6591, 9991) and
 * TLS reports (RFC 8460) are fed one by one; ms_summary_compute() then gives per source IP its
 * counts, SPF/DKIM results and alignment, DMARC pass rate (pass = DKIM or SPF aligned pass,
 * RFC 9989 §4.4), dispositions, reverse DNS name and provider; totals per day and per reporter;
 * and a list of advice in plain words, each with the numbers behind it.
 * ms_summary_format() writes the result as text, JSON, CSV (RFC 4180) or one self-contained
 * HTML page. Reports are attacker-controlled: every string from them is escaped in every
 * format, and every table is capped (lib/base/limits.h, MS_LIMIT_SUMMARY_*). */
#ifndef MAILSEAL_SUMMARY_H
#define MAILSEAL_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dns.h"
#include "mailseal/report.h"
#include "mailseal/status.h"

typedef struct ms_summary ms_summary;

typedef struct ms_summary_options {
    const char *domain;   /* the policy domain asked for (shown only; NULL: every domain) */
    int64_t since, until; /* the period asked, Unix seconds UTC [since, until); 0 and INT64_MAX
                           * (or 0) for open ends; shown only (until as the last day included),
                           * the caller selects the reports */
} ms_summary_options;

/* A name and how many messages carried it (pass: of those, how many passed, when it applies). */
typedef struct ms_summary_count {
    const char *name;
    uint64_t messages, pass;
} ms_summary_count;

typedef struct ms_summary_source {
    const char *ip;          /* normalised text form */
    const char *ptr;         /* reverse DNS name (PTR), NULL when none or not looked up */
    bool ptr_confirmed;      /* the name's A/AAAA records include ip (forward-confirmed) */
    const char *provider;    /* "Amazon SES", ... NULL when not recognised */
    const char *provider_by; /* the evidence: "reverse DNS x", "DKIM d=x", "SPF x" */
    uint64_t messages;
    uint64_t dmarc_pass;                  /* DKIM or SPF aligned pass (policy_evaluated) */
    uint64_t dkim_aligned, spf_aligned;   /* policy_evaluated dkim/spf = pass */
    uint64_t dkim_pass, spf_pass;         /* a raw auth_results pass (any domain) */
    uint64_t none, quarantined, rejected; /* dispositions */
    const ms_summary_count *header_from, *dkim_domains, *spf_domains, *reporters;
    size_t n_header_from, n_dkim_domains, n_spf_domains, n_reporters;
    int64_t first_seen, last_seen; /* report date ranges that listed it */
} ms_summary_source;

typedef struct ms_summary_day {
    int64_t day; /* 00:00 UTC, Unix seconds; a report counts on the day of its range's middle */
    uint64_t reports, messages, dmarc_pass;
} ms_summary_day;

typedef struct ms_summary_reporter {
    const char *org_name;
    uint64_t reports, messages, dmarc_pass;
    int64_t first_seen, last_seen;
} ms_summary_reporter;

/* The policy a domain published, as the newest report gave it. */
typedef struct ms_summary_domain {
    const char *domain;
    const char *p, *sp, *adkim, *aspf; /* may be NULL */
    int pct;                           /* -1 absent */
    uint64_t reports, messages, dmarc_pass;
} ms_summary_domain;

typedef struct ms_summary_failure_source {
    const char *ip;
    uint64_t reports, incidents;
    const char *auth_failure; /* the last kind named: "dmarc" "dkim" "spf", may be NULL */
} ms_summary_failure_source;

typedef struct ms_summary_tls_domain {
    const char *policy_domain;
    uint64_t reports, successful, failed;
} ms_summary_tls_domain;

typedef struct ms_summary_tls_failure {
    const char *policy_domain, *mx, *result_type; /* mx "" when the report named none */
    uint64_t sessions;
} ms_summary_tls_failure;

typedef enum {
    MS_SUMMARY_INFO,    /* good news or context */
    MS_SUMMARY_WARNING, /* something to look at */
    MS_SUMMARY_ACTION,  /* something to do */
} ms_summary_level;

typedef struct ms_summary_advice {
    const char *id; /* stable: "no-reports", "would-reject", "unknown-source", ... */
    ms_summary_level level;
    const char *text;               /* one sentence or two, with the numbers */
    uint64_t n_sources, n_messages; /* the numbers it rests on (0 when not about sources) */
} ms_summary_advice;

typedef struct ms_summary_result {
    const char *domain;            /* as asked, NULL for every domain */
    int64_t since, until;          /* as asked */
    int64_t first_seen, last_seen; /* what the reports covered (0 when none) */
    uint64_t reports, messages, dmarc_pass, dkim_aligned, spf_aligned, quarantined, rejected;
    const ms_summary_domain *domains; /* by messages, most first */
    size_t n_domains;
    const ms_summary_source *sources; /* by messages, most first, then by ip */
    size_t n_sources;
    uint64_t other_sources, other_messages; /* past MS_LIMIT_SUMMARY_SOURCES: counted only */
    const ms_summary_day *days;             /* oldest first */
    size_t n_days;
    const ms_summary_reporter *reporters; /* by messages, most first */
    size_t n_reporters;
    uint64_t failure_reports, failure_incidents;
    const ms_summary_failure_source *failure_sources; /* by incidents, most first */
    size_t n_failure_sources;
    uint64_t tls_reports;
    const ms_summary_tls_domain *tls_domains;
    size_t n_tls_domains;
    const ms_summary_tls_failure *tls_failures; /* by sessions, most first */
    size_t n_tls_failures;
    const ms_summary_advice *advice; /* most important first */
    size_t n_advice;
} ms_summary_result;

/* opt may be NULL. The summary owns an arena capped at MS_LIMIT_SUMMARY_ARENA. */
MS_API MS_MUST_CHECK ms_status ms_summary_new(const ms_summary_options *opt, ms_summary **out);
/* Accepts NULL. Everything the summary returned dies with it. */
MS_API void ms_summary_free(ms_summary *s);

/* Feeds one aggregate record (meta is its report; records of one report come one after the
 * other, as ms_store_aggregate_each gives them). Strings are copied. MS_ENOMEM/MS_ELIMIT when
 * the arena is exhausted. */
MS_API MS_MUST_CHECK ms_status ms_summary_add(ms_summary *s, const ms_report_aggregate *meta,
                                              const ms_report_record *record);
MS_API MS_MUST_CHECK ms_status ms_summary_add_failure(ms_summary *s,
                                                      const ms_report_failure *failure);
MS_API MS_MUST_CHECK ms_status ms_summary_add_tlsrpt(ms_summary *s, const ms_tlsrpt_report *report);

/* Looks up the reverse DNS name (PTR) of the max_lookups busiest sources (0: the default
 * MS_LIMIT_SUMMARY_PTR_LOOKUPS) and forward-confirms it (A/AAAA of the name holds the IP); a
 * provider is recognised from a name only when it is confirmed, since the owner of an address
 * writes its PTR freely. DNS failures leave the name unknown; after
 * MS_LIMIT_SUMMARY_PTR_FAILURES timeouts in a row the rest is not asked (offline). */
MS_API MS_MUST_CHECK ms_status ms_summary_resolve(ms_summary *s, ms_resolver *resolver,
                                                  size_t max_lookups);

/* Sorts, recognises providers and writes the advice. The result lives in the summary; calling
 * it again after more input gives a new one. */
MS_API MS_MUST_CHECK ms_status ms_summary_compute(ms_summary *s, const ms_summary_result **out);

typedef enum {
    MS_SUMMARY_TEXT, /* aligned tables and the advice; ANSI colour when colour is set */
    MS_SUMMARY_JSON, /* one JSON document (RFC 8259) */
    MS_SUMMARY_CSV,  /* RFC 4180, a header line then one row per source IP */
    MS_SUMMARY_HTML, /* one self-contained page: inline CSS and SVG, no script, no network */
} ms_summary_format_kind;

/* Writes r into arena as NUL-terminated text (*len bytes). MS_ELIMIT past
 * MS_LIMIT_SUMMARY_OUTPUT. */
MS_API MS_MUST_CHECK ms_status ms_summary_format(const ms_summary_result *r,
                                                 ms_summary_format_kind kind, bool colour,
                                                 ms_arena *arena, const char **out, size_t *len);

/* "2026-11-29" for a Unix time, into buf (at least 11 bytes; "-" for 0). */
MS_API const char *ms_summary_date(int64_t t, char *buf, size_t len);
/* Parses YYYY-MM-DD (UTC) into Unix seconds at 00:00; false when it is not a valid date. */
MS_API bool ms_summary_parse_date(const char *s, int64_t *out);

#endif
