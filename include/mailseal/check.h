/* SPDX-License-Identifier: MIT */
/* The domain audit behind `mailseal check DOMAIN`: what a sending domain publishes for SPF,
 * DKIM and DMARC (and MX, MTA-STS, TLS-RPT, BIMI, DNSSEC), judged against the RFCs and the
 * bulk-sender rules of Gmail, Yahoo and Microsoft, as findings in plain words with the fix. */
#ifndef MAILSEAL_CHECK_H
#define MAILSEAL_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dns.h"
#include "mailseal/status.h"
#include "mailseal/trace.h"

typedef enum {
    MS_CHECK_INFO,
    MS_CHECK_WARNING,
    MS_CHECK_ERROR,
} ms_check_severity;

MS_API const char *ms_check_severity_name(ms_check_severity s); /* "warning" */

/* Areas, as `--json` names them. */
#define MS_CHECK_AREA_MAP(X)                                                                       \
    X(SPF, "spf")                                                                                  \
    X(DKIM, "dkim")                                                                                \
    X(DMARC, "dmarc")                                                                              \
    X(PROVIDER, "provider")                                                                        \
    X(MX, "mx")                                                                                    \
    X(MTA_STS, "mta-sts")                                                                          \
    X(TLS_RPT, "tls-rpt")                                                                          \
    X(BIMI, "bimi")                                                                                \
    X(DNSSEC, "dnssec")                                                                            \
    X(MESSAGE, "message")

typedef enum {
#define MS_CHECK_AREA_ENUM(name, text) MS_CHECK_AREA_##name,
    MS_CHECK_AREA_MAP(MS_CHECK_AREA_ENUM)
#undef MS_CHECK_AREA_ENUM
} ms_check_area;

MS_API const char *ms_check_area_name(ms_check_area area); /* "mta-sts" */

/* One finding. id is stable ("spf-lookup-limit"); every id is listed, with its meaning, in
 * docs/check-findings.md. */
typedef struct ms_check_finding {
    const char *id;
    ms_check_severity severity;
    ms_check_area area;
    const char *message; /* one or two sentences: what is wrong and why it matters */
    const char *fix;     /* what to do; where possible the exact record to publish; may be NULL */
    const char *record;  /* the DNS record text the finding is about, NULL when none */
} ms_check_finding;

/* Bulk-sender requirements (Gmail and Yahoo 2024, Microsoft 2025). */
typedef enum {
    MS_CHECK_MET,
    MS_CHECK_NOT_MET,
    MS_CHECK_UNKNOWN, /* cannot tell from DNS (needs a message) */
} ms_check_status;

MS_API const char *ms_check_status_name(ms_check_status s); /* "not-met" */

typedef struct ms_check_rule {
    const char *rule; /* "gmail:dmarc-published" */
    ms_check_status status;
    const char *why; /* one sentence */
} ms_check_rule;

/* One node of the SPF include tree with what RFC 7208 §4.6.4 counts for it. */
typedef struct ms_check_spf_node {
    const char *domain;
    const char *record;     /* NULL when none was found */
    const char *via;        /* the term that led here ("include:amazonses.com"), NULL at top */
    unsigned lookups_own;   /* DNS-querying terms in this record */
    unsigned lookups_total; /* with everything below it */
    unsigned depth;
} ms_check_spf_node;

/* Providers recognised from the records (one data table: lib/check/providers.c). */
typedef struct ms_check_provider {
    const char *name;     /* "Amazon SES" */
    const char *evidence; /* "include:amazonses.com in SPF" */
} ms_check_provider;

typedef struct ms_check_report {
    const char *domain;  /* as asked (A-labels) */
    const char *verdict; /* one or two sentences on top */
    size_t n_findings;
    const ms_check_finding *findings; /* errors first, then warnings, then info */
    size_t n_rules;
    const ms_check_rule *rules;
    size_t n_spf_nodes;
    const ms_check_spf_node *spf_tree; /* depth-first; empty without an SPF record */
    size_t n_providers;
    const ms_check_provider *providers;
    size_t n_errors, n_warnings;
    bool incomplete; /* some checks could not run (DNS failures): findings say which */
} ms_check_report;

typedef struct ms_check_options {
    const char *const *selectors; /* DKIM selectors to look at besides the well-known ones */
    size_t n_selectors;
    bool no_common_selectors; /* only the given selectors */
    const char *message;      /* a sample message the domain sent (raw bytes), NULL: none */
    size_t message_len;
    bool message_from_received; /* take the client from its Received/Return-Path fields */
} ms_check_options;

MS_API void ms_check_options_default(ms_check_options *opt);

/* Audit one domain. MS_OK whenever the audit ran, DNS failures included (they become findings
 * and set incomplete); MS_EINVAL for a name that is not a domain (the report says why in its
 * one finding), MS_ENOMEM/MS_ELIMIT from the arena. */
MS_API MS_MUST_CHECK ms_status ms_check_domain(ms_resolver *resolver, const ms_check_options *opt,
                                               const char *domain, ms_arena *arena,
                                               const ms_check_report **out, ms_trace *trace);

#endif
