/* SPDX-License-Identifier: MIT */
/* The resolver: one interface, three backends.
 *  - unbound: live DNS through libunbound (system resolv.conf or one server), DNSSEC flag;
 *  - zone:    offline, from RFC 1035 master files (the demo, the conformance suites);
 *  - scripted: the zone backend plus injected faults (timeout, SERVFAIL, malformed) for tests.
 * A caching layer can sit in front of any of them (answers kept for their TTL).
 * Answers keep apart records, NXDOMAIN, NODATA, temporary failure and malformed data. */
#ifndef MAILSEAL_DNS_H
#define MAILSEAL_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/status.h"

enum {
    MS_DNS_A = 1,
    MS_DNS_NS = 2,
    MS_DNS_CNAME = 5,
    MS_DNS_SOA = 6,
    MS_DNS_PTR = 12,
    MS_DNS_MX = 15,
    MS_DNS_TXT = 16,
    MS_DNS_AAAA = 28,
    MS_DNS_SPF = 99, /* the RR type RFC 7208 §3.1 removed; zone files may still carry it */
};

#define MS_DNS_RCODE_MAP(X)                                                                        \
    X(OK, "records")                                                                               \
    X(NXDOMAIN, "no such name (NXDOMAIN)")                                                         \
    X(NODATA, "name exists, no records of that type (NODATA)")                                     \
    X(TEMPFAIL, "temporary failure (timeout or SERVFAIL)")                                         \
    X(MALFORMED, "malformed answer")

typedef enum {
#define MS_DNS_RCODE_ENUM(name, text) MS_DNS_##name,
    MS_DNS_RCODE_MAP(MS_DNS_RCODE_ENUM)
#undef MS_DNS_RCODE_ENUM
} ms_dns_rcode;

MS_API const char *ms_dns_rcode_name(ms_dns_rcode rcode); /* "NXDOMAIN" */
MS_API const char *ms_dns_rcode_str(ms_dns_rcode rcode);
MS_API const char *ms_dns_type_name(uint16_t type); /* "TXT", or "TYPE65" */

/* One resource record. Domain names are in presentation form without the trailing dot,
 * bytes outside printable ASCII written as \DDD, the root as "". */
typedef struct ms_dns_rr {
    uint16_t type;
    uint32_t ttl;
    union {
        uint8_t a[4];
        uint8_t aaaa[16];
        const char *name; /* PTR, CNAME, NS */
        struct {
            uint16_t preference;
            const char *exchange;
        } mx;
        struct {
            const char *data;    /* the character-strings joined, NUL added (may hold NULs) */
            size_t len;          /* bytes in data */
            const uint8_t *lens; /* each character-string's length, n_strings of them */
            size_t n_strings;
        } txt; /* TXT and SPF */
        struct {
            const char *mname, *rname;
            uint32_t serial, refresh, retry, expire, minimum;
        } soa;
    } u;
} ms_dns_rr;

typedef struct ms_dns_answer {
    ms_dns_rcode rcode;
    const char *qname; /* as asked */
    uint16_t qtype;
    const char *canon_name; /* the owner after CNAMEs were followed (== qname if none) */
    uint32_t ttl;           /* the smallest TTL in the answer (negative TTL for NX/NODATA) */
    bool is_secure;         /* DNSSEC-validated by the resolver */
    bool is_bogus;          /* DNSSEC validation failed (then rcode is TEMPFAIL) */
    const char *why;        /* for TEMPFAIL/MALFORMED: "timeout", "SERVFAIL", "CNAME loop"... */
    size_t n_rr;            /* records of qtype only; the CNAMEs followed are not listed */
    const ms_dns_rr *rr;
} ms_dns_answer;

typedef struct ms_resolver ms_resolver;

/* Ask one question. MS_OK whenever an answer (including NXDOMAIN, TEMPFAIL...) was produced;
 * another status only when the query could not be asked (bad arguments, out of memory). The
 * answer lives in arena. name is a domain in presentation form; a trailing dot is allowed. */
MS_API MS_MUST_CHECK ms_status ms_resolver_query(ms_resolver *resolver, const char *name,
                                                 uint16_t type, ms_arena *arena,
                                                 const ms_dns_answer **out);
/* Questions this resolver was asked so far (for tests and traces). A cache counts every
 * question it got, hits included; its inner resolver counts only what reached the backend. */
MS_API uint64_t ms_resolver_queries(const ms_resolver *resolver);
/* Accepts NULL. */
MS_API void ms_resolver_free(ms_resolver *resolver);

/* ---- live: libunbound ---------------------------------------------------------------- */
typedef struct ms_unbound_options {
    const char *server; /* "HOST", "HOST:PORT", "[V6]:PORT"; NULL = resolv.conf */
    /* More forwarders in the same forms (with server, if set): libunbound sends each question
     * to one of them, preferring the fastest, and skips those that do not answer. At most
     * MS_LIMIT_DNS_FORWARDERS in all. */
    const char *const *servers;
    size_t n_servers;
    unsigned timeout_ms;           /* per query; 0 = MS_LIMIT_DNS_TIMEOUT_MS_DEFAULT */
    const char *trust_anchor_file; /* validate DNSSEC with this anchor (needed with server) */
    bool no_dnssec;                /* do not validate even with the system resolver */
    /* Validation failures (bogus) answer as unvalidated data instead of TEMPFAIL. Implied
     * with the system resolver and its implicit root anchor: many networks' resolvers strip
     * DNSSEC records, and a check must not fail for that; is_secure still tells. With an
     * explicit trust_anchor_file validation is strict unless this is set. */
    bool dnssec_permissive;
} ms_unbound_options;

/* err receives a one-line reason on failure (errlen may be 0). */
MS_API MS_MUST_CHECK ms_status ms_resolver_new_unbound(const ms_unbound_options *opt,
                                                       ms_resolver **out, char *err, size_t errlen);

/* ---- offline: zone files (and the scripted backend for tests) -------------------------- */
/* Where a zone file went wrong; filled without allocating. */
typedef struct ms_zone_error {
    unsigned line, column; /* 1-based */
    const char *reason;    /* static text */
    char detail[96];       /* the offending token, cut to fit */
} ms_zone_error;

MS_API MS_MUST_CHECK ms_status ms_resolver_new_zone(ms_resolver **out);
/* Load an RFC 1035 master file into the view; several files merge. origin may be NULL
 * (then names must be absolute or $ORIGIN set). */
MS_API MS_MUST_CHECK ms_status ms_zone_load_file(ms_resolver *zone, const char *path,
                                                 const char *origin, ms_zone_error *err);
MS_API MS_MUST_CHECK ms_status ms_zone_load_text(ms_resolver *zone, const char *text, size_t len,
                                                 const char *origin, ms_zone_error *err);
/* Add one record (what the zone-file parser calls; tests call it directly). Data pointed to
 * by rr is copied. */
MS_API MS_MUST_CHECK ms_status ms_zone_add(ms_resolver *zone, const char *owner,
                                           const ms_dns_rr *rr);
/* Scripted faults: questions for name (and type; 0 = every type) answer rcode, which is
 * MS_DNS_TEMPFAIL or MS_DNS_MALFORMED, with why ("timeout", "SERVFAIL"). A record of the asked
 * type at the name wins over a fault given for every type (the openspf suite's TIMEOUT). */
MS_API MS_MUST_CHECK ms_status ms_zone_add_fault(ms_resolver *zone, const char *name, uint16_t type,
                                                 ms_dns_rcode rcode, const char *why);

/* ---- cache ------------------------------------------------------------------------------ */
/* Answers of inner (borrowed; must outlive the cache) kept per TTL, at most max_entries
 * (0 = MS_LIMIT_DNS_CACHE_ENTRIES). NXDOMAIN and NODATA are kept for their negative TTL,
 * TEMPFAIL and MALFORMED answers not at all, nothing beyond MS_LIMIT_DNS_CACHE_MAX_TTL; a hit
 * reports the TTL left. Thread-safe if inner is. */
MS_API MS_MUST_CHECK ms_status ms_resolver_new_cache(ms_resolver *inner, size_t max_entries,
                                                     ms_resolver **out);

/* ---- helpers ---------------------------------------------------------------------------- */
/* The reverse-lookup name of an IPv4 (4 bytes) or IPv6 (16 bytes) address into buf
 * ("4.3.2.1.in-addr.arpa"). MS_EINVAL on a bad length, MS_ELIMIT if buf is too small. */
MS_API MS_MUST_CHECK ms_status ms_dns_reverse_name(const uint8_t *addr, size_t addr_len, char *buf,
                                                   size_t buflen);

#endif
