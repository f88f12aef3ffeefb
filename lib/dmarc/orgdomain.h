/* SPDX-License-Identifier: MIT */
/* Library-internal side of policy discovery and organizational domains: one walk context per
 * evaluation remembers every _dmarc answer, so the author's walk and the identifiers' walks
 * (RFC 9989 §4.10.2) never ask the same question twice. */
#ifndef MS_DMARC_ORGDOMAIN_H
#define MS_DMARC_ORGDOMAIN_H

#include <stdbool.h>

#include "base/limits.h"
#include "mailseal/dmarc.h"

/* What one _dmarc name holds (RFC 9989 §4.10 steps 1-2 and 5-6). */
typedef enum {
    MS__DMARC_TXT_NONE,      /* NXDOMAIN, NODATA, or no "v=DMARC1" string */
    MS__DMARC_TXT_ONE,       /* exactly one DMARC record, and it parsed */
    MS__DMARC_TXT_INVALID,   /* exactly one DMARC record, and it did not parse */
    MS__DMARC_TXT_MANY,      /* several: all discarded (RFC 9989 §4.10, RFC 7489 §6.6.3) */
    MS__DMARC_TXT_TEMPERROR, /* TEMPFAIL or MALFORMED */
    MS__DMARC_TXT_SKIPPED,   /* "_dmarc." + the name is too long to ask */
} ms__dmarc_txt_kind;

typedef struct ms__dmarc_txt {
    const char *domain; /* the domain below _dmarc, lowercased */
    ms__dmarc_txt_kind kind;
    const ms_dmarc_record *record; /* ONE */
    const char *text;              /* ONE, INVALID: the record as published */
    const char *why;               /* INVALID: the parse error; TEMPERROR: the DNS error */
} ms__dmarc_txt;

typedef struct ms__dmarc_walk {
    ms_resolver *resolver;
    ms_dmarc_options opt;
    ms_arena *arena;
    ms_trace *trace;
    unsigned n_queries; /* questions asked through this walk */
    size_t n_cache;
    ms__dmarc_txt cache[MS_LIMIT_DMARC_WALK_CACHE];
    /* the names looked at by the current discovery, for ms_dmarc_discovery.queried */
    size_t n_seen;
    const char *seen[MS_LIMIT_DMARC_TREE_QUERIES + 2];
    bool recording;
} ms__dmarc_walk;

void ms__dmarc_walk_init(ms__dmarc_walk *w, ms_resolver *resolver, const ms_dmarc_options *opt,
                         ms_arena *arena, ms_trace *trace);

/* The domain as DMARC uses it: ASCII lowercased, one trailing dot removed, a host name of at
 * most 253 octets. MS_OK with *out, or MS_ESYNTAX with *why; MS_ENOMEM / MS_ELIMIT. */
ms_status ms__dmarc_domain_norm(const char *domain, ms_arena *arena, const char **out,
                                const char **why);

/* One _dmarc lookup, remembered. */
ms_status ms__dmarc_lookup(ms__dmarc_walk *w, const char *domain, const ms__dmarc_txt **out);

/* Policy discovery and the organizational domain (domain already normalised). */
ms_status ms__dmarc_discover(ms__dmarc_walk *w, const char *domain, ms_dmarc_discovery *out);

/* The organizational domain; *out NULL on a DNS temperror (then *why says it). */
ms_status ms__dmarc_org(ms__dmarc_walk *w, const char *domain, const char **out, const char **why);

/* Does domain exist (RFC 9989 §3.2.13, RFC 8020)? One question for its A records: NXDOMAIN
 * says no, any other answer yes; *temperror on TEMPFAIL/MALFORMED. */
ms_status ms__dmarc_exists(ms__dmarc_walk *w, const char *domain, bool *exists, bool *temperror,
                           const char **why);

#endif
