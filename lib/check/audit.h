/* SPDX-License-Identifier: MIT */
/* What the parts of the domain audit share: the findings being collected and the facts one
 * part learns that a later part judges (providers and bulk-sender rules read what SPF, DKIM and
 * DMARC found). Each part is one file: spf.c, dmarc.c, dkim.c, extras.c (MX, MTA-STS, TLS-RPT,
 * BIMI, DNSSEC), providers.c (the provider table), bulk.c (bulk-sender rules), message.c
 * (--message), and check.c runs them in that order; collect.c holds the collectors. */
#ifndef MS_CHECK_AUDIT_H
#define MS_CHECK_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/check.h"
#include "mailseal/dmarc.h"

/* One DKIM selector looked at. */
typedef struct ms__check_selector {
    const char *selector;
    const char *name;         /* selector._domainkey.domain */
    const char *cname_target; /* the CNAME the name points to, NULL when none */
    bool given;               /* named by the user, not a well-known guess */
    bool found;               /* a key record was found (through the CNAME if any) */
    bool pending;             /* a CNAME whose target does not resolve (yet) */
    const char *key_type;     /* "rsa", "ed25519" */
    unsigned key_bits;
    bool testing, revoked;
} ms__check_selector;

typedef struct ms__check_facts {
    /* SPF (spf.c) */
    const char *spf_record; /* the one SPF record at the domain, NULL when none or several */
    size_t n_spf_records;
    const char *const *spf_includes; /* every include:/redirect= target, whole tree */
    size_t n_spf_includes;
    unsigned spf_lookups; /* §4.6.4 count for the whole tree */
    bool spf_ok;          /* present, one, parses, within limits, not +all */
    /* DMARC (dmarc.c) */
    ms_dmarc_discovery dmarc; /* discovery for the domain */
    bool dmarc_ok;            /* a valid record applies */
    /* DKIM (dkim.c) */
    const ms__check_selector *selectors;
    size_t n_selectors;
    size_t n_keys_found; /* selectors with a usable key */
    /* MX and friends (extras.c) */
    const char *const *mx_hosts;
    size_t n_mx;
    bool null_mx;       /* RFC 7505 "0 ." */
    bool dnssec_secure; /* the domain's answers validated */
    /* The sample message (message.c) */
    bool has_message;
    bool message_dmarc_pass, message_one_click; /* RFC 8058 both fields signed, HTTPS */
} ms__check_facts;

typedef struct ms__check_ctx {
    ms_resolver *resolver;
    const ms_check_options *opt;
    ms_arena *arena;
    ms_trace *trace;
    const char *domain;
    ms__check_facts facts;
    ms_check_report *report; /* its arrays point at the writable ones below */
    ms_check_finding *findings;
    ms_check_rule *rules;
    ms_check_spf_node *nodes;
    ms_check_provider *providers;
    size_t cap_findings, cap_rules, cap_nodes, cap_providers;
    ms_status fatal; /* MS_ENOMEM / MS_ELIMIT from the arena: stop */
} ms__check_ctx;

/* Add a finding; message is printf-style. Returns false (and sets fatal) when out of memory. */
bool ms__check_add(ms__check_ctx *c, const char *id, ms_check_severity severity, ms_check_area area,
                   const char *record, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
bool ms__check_rule(ms__check_ctx *c, const char *rule, ms_check_status status, const char *why);
bool ms__check_spf_node(ms__check_ctx *c, const ms_check_spf_node *node);
bool ms__check_provider(ms__check_ctx *c, const char *name, const char *evidence);
/* A DNS record as findings quote it: printable ASCII ('?' for other bytes), cut to
 * MS_LIMIT_CHECK_RECORD_SHOWN - 1 bytes, "..." included (huge and binary records stay readable).
 * NULL, with fatal set, when the arena is exhausted. */
const char *ms__check_shown(ms__check_ctx *c, const char *data, size_t len);
/* Findings with this id whose message contains `containing` become info, their message
 * ending in "(see <see>)": a later part that explains the same problem better (a provider's
 * pending keys) keeps one error instead of several. */
void ms__check_demote(ms__check_ctx *c, const char *id, const char *containing, const char *see);
/* A DNS failure while checking something: a finding "<area>-dns-error" and incomplete. */
void ms__check_dns_failed(ms__check_ctx *c, ms_check_area area, const char *name, const char *what);

/* The parts, in the order check.c runs them. */
void ms__check_spf(ms__check_ctx *c);
void ms__check_dmarc(ms__check_ctx *c);
void ms__check_dkim(ms__check_ctx *c);
void ms__check_extras(ms__check_ctx *c);
void ms__check_providers(ms__check_ctx *c);
void ms__check_bulk(ms__check_ctx *c);
void ms__check_message(ms__check_ctx *c);

#endif
