/* SPDX-License-Identifier: MIT */
/* check_host() through ms_spf_check with a zone resolver, RFC 7208 §4: the seven results
 * (§2.6), include (§5.2) and redirect (§6.1), the §4.6.4 limits (10 terms, 2 void lookups,
 * 10 MX names, 10 PTR names), IPv4-mapped clients (§5), the HELO and null-sender identities
 * (§2.3, §2.4), exp= (§6.2) with c/r/t, and the verdict's fields and trace. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/dns.h"
#include "mailseal/spf.h"
#include "mailseal/trace.h"

#include "ms_expect.h"

/* ---- a zone from lines "owner TYPE data" ------------------------------------------------
 * TXT/SPF data is the rest of the line, '|' separating character-strings; MX is "pref host"
 * ("." for the null MX); FAIL and MALFORMED take a type name or "*" and script a fault. */

static uint16_t type_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        uint16_t type;
    } T[] = {
        {"A", MS_DNS_A},     {"AAAA", MS_DNS_AAAA}, {"MX", MS_DNS_MX},       {"TXT", MS_DNS_TXT},
        {"SPF", MS_DNS_SPF}, {"PTR", MS_DNS_PTR},   {"CNAME", MS_DNS_CNAME}, {"*", 0}};
    for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
        if (strlen(T[i].name) == n && memcmp(T[i].name, s, n) == 0) {
            return T[i].type;
        }
    }
    fail_msg("unknown type %.*s", (int)n, s);
    return 0;
}

static void add_line(ms_resolver *z, const char *line, size_t len)
{
    char owner[300], type[16], data[4200];
    const char *sp1 = memchr(line, ' ', len);
    assert_non_null(sp1);
    const char *sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line));
    size_t tlen = sp2 ? (size_t)(sp2 - sp1 - 1) : len - (size_t)(sp1 + 1 - line);
    size_t olen = (size_t)(sp1 - line);
    size_t dlen = sp2 ? len - (size_t)(sp2 + 1 - line) : 0;
    assert_true(olen < sizeof(owner) && tlen < sizeof(type) && dlen < sizeof(data));
    memcpy(owner, line, olen);
    owner[olen] = '\0';
    memcpy(type, sp1 + 1, tlen);
    type[tlen] = '\0';
    if (sp2) {
        memcpy(data, sp2 + 1, dlen);
    }
    data[dlen] = '\0';
    if (strcmp(type, "FAIL") == 0 || strcmp(type, "MALFORMED") == 0) {
        ms_dns_rcode rc = type[0] == 'F' ? MS_DNS_TEMPFAIL : MS_DNS_MALFORMED;
        assert_int_equal(ms_zone_add_fault(z, owner, type_of(data, dlen), rc, "scripted"), MS_OK);
        return;
    }
    ms_dns_rr rr;
    memset(&rr, 0, sizeof(rr));
    rr.type = type_of(type, tlen);
    rr.ttl = 300;
    uint8_t lens[64];
    char joined[4200];
    switch (rr.type) {
    case MS_DNS_A:
        assert_int_equal(inet_pton(AF_INET, data, rr.u.a), 1);
        break;
    case MS_DNS_AAAA:
        assert_int_equal(inet_pton(AF_INET6, data, rr.u.aaaa), 1);
        break;
    case MS_DNS_MX: {
        char *sp = strchr(data, ' ');
        assert_non_null(sp);
        *sp = '\0';
        rr.u.mx.preference = (uint16_t)strtoul(data, NULL, 10);
        rr.u.mx.exchange = strcmp(sp + 1, ".") == 0 ? "" : sp + 1;
        break;
    }
    case MS_DNS_PTR:
    case MS_DNS_CNAME:
        rr.u.name = data;
        break;
    case MS_DNS_TXT:
    case MS_DNS_SPF: {
        size_t n = 0, jl = 0;
        for (const char *p = data;; n++) {
            const char *bar = strchr(p, '|');
            size_t l = bar ? (size_t)(bar - p) : strlen(p);
            assert_true(l <= 255 && n < 64);
            memcpy(joined + jl, p, l);
            jl += l;
            lens[n] = (uint8_t)l;
            if (bar == NULL) {
                n++;
                break;
            }
            p = bar + 1;
        }
        rr.u.txt.data = joined;
        rr.u.txt.len = jl;
        rr.u.txt.lens = lens;
        rr.u.txt.n_strings = n;
        break;
    }
    default:
        fail_msg("type %s has no data form here", type);
    }
    assert_int_equal(ms_zone_add(z, owner, &rr), MS_OK);
}

static ms_resolver *zone_from(const char *text)
{
    ms_resolver *z;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0) {
            add_line(z, p, len);
        }
        p = nl ? nl + 1 : NULL;
    }
    return z;
}

/* ---- the table --------------------------------------------------------------------------- */

#define ANY -1
#define NOMECH "(none)"

typedef struct eval_case {
    const char *name;
    const char *zone;
    const char *ip;        /* NULL: 192.0.2.1 */
    const char *mail_from; /* used as given (NULL stays NULL) */
    const char *helo;      /* NULL: mail.example.net */
    ms_spf_identity identity;
    ms_spf_result want;
    const char *want_mechanism; /* NULL: not checked; NOMECH: must be NULL */
    int want_terms, want_void, want_queries;
    const char *want_reason; /* substring, or NULL */
    const char *want_domain; /* NULL: not checked */
} eval_case;

#define MF MS_SPF_IDENTITY_MAILFROM
#define HELO MS_SPF_IDENTITY_HELO

static const eval_case CASES[] = {
    /* §2.6 the seven results */
    {"none: no SPF record", "example.com TXT google-site-verification=abc", NULL, "x@example.com",
     NULL, MF, MS_SPF_NONE, NOMECH, 0, 0, 1, "no SPF record", "example.com"},
    {"none: NXDOMAIN", "", NULL, "x@example.com", NULL, MF, MS_SPF_NONE, NOMECH, 0, 0, 1,
     "does not exist", "example.com"},
    {"none: only the SPF RR type", "example.com SPF v=spf1 -all", NULL, "x@example.com", NULL, MF,
     MS_SPF_NONE, NOMECH, 0, 0, 1, "no SPF record", NULL},
    {"neutral: ?all", "example.com TXT v=spf1 ?all", NULL, "x@example.com", NULL, MF,
     MS_SPF_NEUTRAL, "?all", 0, 0, 1, "no assertion", NULL},
    {"neutral: nothing matched", "example.com TXT v=spf1 ip4:198.51.100.1", NULL, "x@example.com",
     NULL, MF, MS_SPF_NEUTRAL, NOMECH, 0, 0, 1, "§2.6.2", NULL},
    {"pass: +all", "example.com TXT v=spf1 +all", NULL, "x@example.com", NULL, MF, MS_SPF_PASS,
     "+all", 0, 0, 1, "§2.6.3", "example.com"},
    {"pass: ip4/24", "example.com TXT v=spf1 ip4:192.0.2.0/24 -all", "192.0.2.77", "x@example.com",
     NULL, MF, MS_SPF_PASS, "ip4:192.0.2.0/24", 0, 0, 1, NULL, NULL},
    {"fail: -all", "example.com TXT v=spf1 ip4:198.51.100.1 -all", NULL, "x@example.com", NULL, MF,
     MS_SPF_FAIL, "-all", 0, 0, 1, "§2.6.4", NULL},
    {"softfail: ~all", "example.com TXT v=spf1 ~all", NULL, "x@example.com", NULL, MF,
     MS_SPF_SOFTFAIL, "~all", 0, 0, 1, "§2.6.5", NULL},
    {"temperror: TXT SERVFAIL", "example.com FAIL TXT", NULL, "x@example.com", NULL, MF,
     MS_SPF_TEMPERROR, NOMECH, 0, 0, 1, "DNS error looking up the SPF record", "example.com"},
    {"temperror: TXT malformed", "example.com MALFORMED *", NULL, "x@example.com", NULL, MF,
     MS_SPF_TEMPERROR, NOMECH, 0, 0, 1, "DNS error", NULL},
    {"permerror: syntax", "example.com TXT v=spf1 a -all foo", NULL, "x@example.com", NULL, MF,
     MS_SPF_PERMERROR, NOMECH, 0, 0, 1, "unknown mechanism", NULL},
    {"permerror: two records", "example.com TXT v=spf1 -all\nexample.com TXT v=spf1 +all", NULL,
     "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 0, 0, 1, "more than one SPF record",
     NULL},
    /* §4.5 record selection */
    {"strings joined without a space", "example.com TXT v=spf1 ip4:192.0.2.1| -all", NULL,
     "x@example.com", NULL, MF, MS_SPF_PASS, "ip4:192.0.2.1", 0, 0, 1, NULL, NULL},
    {"other TXT records ignored", "example.com TXT v=spf10 +all\nexample.com TXT v=spf1 -all", NULL,
     "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 0, 0, 1, NULL, NULL},
    {"version case-insensitive", "example.com TXT V=SPF1 -ALL", NULL, "x@example.com", NULL, MF,
     MS_SPF_FAIL, "-ALL", 0, 0, 1, NULL, NULL},
    /* §5.2 include: the table of results */
    {"include pass matches",
     "example.com TXT v=spf1 include:inc.example -all\ninc.example TXT v=spf1 +all", NULL,
     "x@example.com", NULL, MF, MS_SPF_PASS, "include:inc.example", 1, 0, 2, NULL, NULL},
    {"include fail does not match",
     "example.com TXT v=spf1 include:inc.example ~all\ninc.example TXT v=spf1 -all", NULL,
     "x@example.com", NULL, MF, MS_SPF_SOFTFAIL, "~all", 1, 0, 2, NULL, NULL},
    {"include softfail does not match",
     "example.com TXT v=spf1 include:inc.example -all\ninc.example TXT v=spf1 ~all", NULL,
     "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 2, NULL, NULL},
    {"include neutral does not match",
     "example.com TXT v=spf1 include:inc.example -all\ninc.example TXT v=spf1 ?all", NULL,
     "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 2, NULL, NULL},
    {"include temperror", "example.com TXT v=spf1 include:inc.example -all\ninc.example FAIL *",
     NULL, "x@example.com", NULL, MF, MS_SPF_TEMPERROR, NOMECH, 1, 0, 2, "DNS error", NULL},
    {"include permerror",
     "example.com TXT v=spf1 include:inc.example -all\ninc.example TXT v=spf1 ip4:1.2.3", NULL,
     "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 1, 0, 2, "invalid IPv4 network", NULL},
    {"include none is permerror",
     "example.com TXT v=spf1 include:inc.example -all\ninc.example A 192.0.2.1", NULL,
     "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 1, 0, 2,
     "include target has no SPF record", NULL},
    {"include NXDOMAIN is permerror", "example.com TXT v=spf1 include:nx.example -all", NULL,
     "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 1, ANY, 2, "no SPF record", NULL},
    {"-include of a pass fails",
     "example.com TXT v=spf1 -include:inc.example +all\ninc.example TXT v=spf1 +all", NULL,
     "x@example.com", NULL, MF, MS_SPF_FAIL, "-include:inc.example", 1, 0, 2, NULL, NULL},
    {"include: %{d} is the target, %{o} the sender's domain",
     "example.com TXT v=spf1 include:inc.example -all\n"
     "inc.example TXT v=spf1 exists:%{d}.%{o}.e.example\n"
     "inc.example.example.com.e.example A 127.0.0.2",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "include:inc.example", 2, 0, 3, NULL,
     "example.com"},
    {"include with a macro target",
     "example.com TXT v=spf1 include:_spf.%{d} -all\n_spf.example.com TXT v=spf1 +all", NULL,
     "x@example.com", NULL, MF, MS_SPF_PASS, "include:_spf.%{d}", 1, 0, 2, NULL, NULL},
    /* §6.1 redirect */
    {"redirect gives the target's result",
     "example.com TXT v=spf1 redirect=r.example\nr.example TXT v=spf1 -all", NULL, "x@example.com",
     NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 2, NULL, "example.com"},
    {"redirect ignored with all",
     "example.com TXT v=spf1 redirect=r.example ?all\nr.example TXT v=spf1 -all", NULL,
     "x@example.com", NULL, MF, MS_SPF_NEUTRAL, "?all", 0, 0, 1, NULL, NULL},
    {"redirect not used after a match",
     "example.com TXT v=spf1 ip4:192.0.2.1 redirect=r.example\nr.example TXT v=spf1 -all", NULL,
     "x@example.com", NULL, MF, MS_SPF_PASS, "ip4:192.0.2.1", 0, 0, 1, NULL, NULL},
    {"redirect to no record is permerror",
     "example.com TXT v=spf1 redirect=r.example\nr.example A 192.0.2.1", NULL, "x@example.com",
     NULL, MF, MS_SPF_PERMERROR, NOMECH, 1, 0, 2, "redirect target has no SPF record", NULL},
    {"redirect to NXDOMAIN is permerror", "example.com TXT v=spf1 redirect=nx.example", NULL,
     "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 1, ANY, 2, "redirect target", NULL},
    {"redirect temperror", "example.com TXT v=spf1 redirect=r.example\nr.example FAIL TXT", NULL,
     "x@example.com", NULL, MF, MS_SPF_TEMPERROR, NOMECH, 1, 0, 2, NULL, NULL},
    {"redirect: %{d} is the target",
     "example.com TXT v=spf1 redirect=r.example\n"
     "r.example TXT v=spf1 exists:%{d}.d.example -all\nr.example.d.example A 127.0.0.2",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "exists:%{d}.d.example", 2, 0, 3, NULL, NULL},
    {"redirect loop", "example.com TXT v=spf1 redirect=example.com", NULL, "x@example.com", NULL,
     MF, MS_SPF_PERMERROR, NOMECH, 11, 0, 11, "more than 10 DNS-querying terms", NULL},
    {"include loop", "example.com TXT v=spf1 include:example.com -all", NULL, "x@example.com", NULL,
     MF, MS_SPF_PERMERROR, NOMECH, 11, 0, 11, "more than 10", NULL},
    /* §4.6.4 ten DNS-querying terms */
    {"10 terms are fine",
     "example.com TXT v=spf1 a:h.example a:h.example a:h.example a:h.example a:h.example "
     "a:h.example a:h.example a:h.example a:h.example a:h.example -all\n"
     "h.example A 198.51.100.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 10, 0, 11, NULL, NULL},
    {"11 terms are permerror",
     "example.com TXT v=spf1 a:h.example a:h.example a:h.example a:h.example a:h.example "
     "a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example -all\n"
     "h.example A 198.51.100.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 11, 0, 11,
     "more than 10 DNS-querying terms (RFC 7208 §4.6.4)", NULL},
    {"ip4, ip6, all and exp do not count",
     "example.com TXT v=spf1 a:h.example a:h.example a:h.example a:h.example a:h.example "
     "a:h.example a:h.example a:h.example a:h.example mx:h.example ip4:198.51.100.9 ip6:::1 "
     "exp=e.example foo=bar -all\nh.example A 198.51.100.1\nh.example MX 0 h.example",
     NULL, "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 10, 0, 13, NULL, NULL}, /* +exp */
    {"terms counted across includes",
     "example.com TXT v=spf1 include:i1.example ~all\n"
     "i1.example TXT v=spf1 include:i2.example\ni2.example TXT v=spf1 include:i3.example\n"
     "i3.example TXT v=spf1 include:i4.example\ni4.example TXT v=spf1 include:i5.example\n"
     "i5.example TXT v=spf1 include:i6.example\ni6.example TXT v=spf1 include:i7.example\n"
     "i7.example TXT v=spf1 include:i8.example\ni8.example TXT v=spf1 include:i9.example\n"
     "i9.example TXT v=spf1 include:i10.example\ni10.example TXT v=spf1 -all",
     NULL, "x@example.com", NULL, MF, MS_SPF_SOFTFAIL, "~all", 10, 0, 11, NULL, NULL},
    {"11 terms across includes",
     "example.com TXT v=spf1 include:i1.example ~all\n"
     "i1.example TXT v=spf1 include:i2.example\ni2.example TXT v=spf1 include:i3.example\n"
     "i3.example TXT v=spf1 include:i4.example\ni4.example TXT v=spf1 include:i5.example\n"
     "i5.example TXT v=spf1 include:i6.example\ni6.example TXT v=spf1 include:i7.example\n"
     "i7.example TXT v=spf1 include:i8.example\ni8.example TXT v=spf1 include:i9.example\n"
     "i9.example TXT v=spf1 include:i10.example\ni10.example TXT v=spf1 a:h.example -all",
     NULL, "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 11, 0, 11, "more than 10", NULL},
    /* §4.6.4 two void lookups */
    {"2 void lookups are fine",
     "example.com TXT v=spf1 a:nx1.example mx:nodata.example -all\nnodata.example TXT x", NULL,
     "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 2, 2, 3, NULL, NULL},
    {"3rd void lookup is permerror",
     "example.com TXT v=spf1 a:nx1.example mx:nodata.example exists:nx3.example -all\n"
     "nodata.example TXT x",
     NULL, "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 3, 3, 4,
     "more than 2 void DNS lookups (RFC 7208 §4.6.4)", NULL},
    {"ptr with no PTR record is a void lookup",
     "example.com TXT v=spf1 ptr a:nx1.example exists:nx2.example -all", NULL, "x@example.com",
     NULL, MF, MS_SPF_PERMERROR, NOMECH, 3, 3, 4, "void", NULL},
    {"mx exchange NXDOMAIN is not a void lookup",
     "example.com TXT v=spf1 mx a:nx1.example a:nx2.example -all\n"
     "example.com MX 10 nx-mx1.example\nexample.com MX 20 nx-mx2.example",
     NULL, "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 3, 2, 6, NULL, NULL},
    /* §4.6.4 ten MX names */
    {"10 MX names are fine",
     "example.com TXT v=spf1 mx -all\nexample.com MX 1 m1.example\nexample.com MX 2 m2.example\n"
     "example.com MX 3 m3.example\nexample.com MX 4 m4.example\nexample.com MX 5 m5.example\n"
     "example.com MX 6 m6.example\nexample.com MX 7 m7.example\nexample.com MX 8 m8.example\n"
     "example.com MX 9 m9.example\nexample.com MX 10 m10.example\nm10.example A 192.0.2.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "mx", 1, 0, 12, NULL, NULL},
    {"11 MX names are permerror",
     "example.com TXT v=spf1 mx -all\nexample.com MX 1 m1.example\nexample.com MX 2 m2.example\n"
     "example.com MX 3 m3.example\nexample.com MX 4 m4.example\nexample.com MX 5 m5.example\n"
     "example.com MX 6 m6.example\nexample.com MX 7 m7.example\nexample.com MX 8 m8.example\n"
     "example.com MX 9 m9.example\nexample.com MX 10 m10.example\n"
     "example.com MX 11 m11.example\nm1.example A 192.0.2.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_PERMERROR, NOMECH, 1, 0, 2, "more than 10 MX records",
     NULL},
    {"mx with a cidr",
     "example.com TXT v=spf1 mx/24 -all\nexample.com MX 0 m.example\n"
     "m.example A 192.0.2.200",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "mx/24", 1, 0, 3, NULL, NULL},
    {"null MX matches nothing", "example.com TXT v=spf1 mx -all\nexample.com MX 0 .", NULL,
     "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 2, NULL, NULL},
    /* §4.6.4 ten PTR names (§5.5) */
    {"ptr: the 11th name is ignored",
     "example.com TXT v=spf1 ptr -all\n"
     "1.2.0.192.in-addr.arpa PTR a1.example.com\n1.2.0.192.in-addr.arpa PTR a2.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a3.example.com\n1.2.0.192.in-addr.arpa PTR a4.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a5.example.com\n1.2.0.192.in-addr.arpa PTR a6.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a7.example.com\n1.2.0.192.in-addr.arpa PTR a8.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a9.example.com\n1.2.0.192.in-addr.arpa PTR a10.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a11.example.com\na11.example.com A 192.0.2.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 12, NULL, NULL},
    {"ptr: the 10th name counts",
     "example.com TXT v=spf1 ptr -all\n"
     "1.2.0.192.in-addr.arpa PTR a1.example.com\n1.2.0.192.in-addr.arpa PTR a2.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a3.example.com\n1.2.0.192.in-addr.arpa PTR a4.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a5.example.com\n1.2.0.192.in-addr.arpa PTR a6.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a7.example.com\n1.2.0.192.in-addr.arpa PTR a8.example.com\n"
     "1.2.0.192.in-addr.arpa PTR a9.example.com\n1.2.0.192.in-addr.arpa PTR a10.example.com\n"
     "a10.example.com A 192.0.2.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "ptr", 1, 0, 12, NULL, NULL},
    {"ptr: names outside the domain are not looked up",
     "example.com TXT v=spf1 ptr -all\n1.2.0.192.in-addr.arpa PTR host.other.example\n"
     "host.other.example A 192.0.2.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 2, NULL, NULL},
    {"ptr: name not confirmed by A",
     "example.com TXT v=spf1 ptr -all\n1.2.0.192.in-addr.arpa PTR mail.example.com\n"
     "mail.example.com A 192.0.2.99",
     NULL, "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 3, NULL, NULL},
    {"ptr:domain",
     "example.com TXT v=spf1 ptr:other.example -all\n"
     "1.2.0.192.in-addr.arpa PTR host.other.example\n"
     "host.other.example A 192.0.2.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "ptr:other.example", 1, 0, 3, NULL, NULL},
    {"ptr: PTR SERVFAIL is no match",
     "example.com TXT v=spf1 ptr -all\n1.2.0.192.in-addr.arpa FAIL PTR", NULL, "x@example.com",
     NULL, MF, MS_SPF_FAIL, "-all", 1, 0, 2, NULL, NULL},
    /* §5 IPv4-mapped IPv6 is IPv4; IPv6 clients */
    {"mapped client matches ip4", "example.com TXT v=spf1 ip4:192.0.2.1 -all", "::ffff:192.0.2.1",
     "x@example.com", NULL, MF, MS_SPF_PASS, "ip4:192.0.2.1", 0, 0, 1, NULL, NULL},
    {"mapped client asks for A", "example.com TXT v=spf1 a -all\nexample.com A 192.0.2.1",
     "::ffff:192.0.2.1", "x@example.com", NULL, MF, MS_SPF_PASS, "a", 1, 0, 2, NULL, NULL},
    {"mapped client never matches ip6", "example.com TXT v=spf1 ip6:::ffff:192.0.2.1 -all",
     "::ffff:192.0.2.1", "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 0, 0, 1, NULL, NULL},
    {"ipv6 client asks for AAAA",
     "example.com TXT v=spf1 a -all\nexample.com AAAA 2001:db8::1\nexample.com A 192.0.2.1",
     "2001:db8::1", "x@example.com", NULL, MF, MS_SPF_PASS, "a", 1, 0, 2, NULL, NULL},
    {"ipv6 client, only A records", "example.com TXT v=spf1 a -all\nexample.com A 192.0.2.1",
     "2001:db8::1", "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 1, 2, NULL, NULL},
    {"ipv6 client, a//64",
     "example.com TXT v=spf1 a/32//64 -all\n"
     "example.com AAAA 2001:db8::1",
     "2001:db8::ffff:1", "x@example.com", NULL, MF, MS_SPF_PASS, "a/32//64", 1, 0, 2, NULL, NULL},
    {"ipv6 ip6/32", "example.com TXT v=spf1 ip6:2001:db8::/32 -all", "2001:db8:1::1",
     "x@example.com", NULL, MF, MS_SPF_PASS, "ip6:2001:db8::/32", 0, 0, 1, NULL, NULL},
    {"exists asks for A for an ipv6 client",
     "example.com TXT v=spf1 exists:%{ir}.%{v}.bl.example -all\n"
     "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.bl.example A "
     "127.0.0.2",
     "2001:db8::1", "x@example.com", NULL, MF, MS_SPF_PASS, "exists:%{ir}.%{v}.bl.example", 1, 0, 2,
     NULL, NULL},
    {"exists with only AAAA is no match",
     "example.com TXT v=spf1 exists:e.example -all\ne.example AAAA 2001:db8::1", "2001:db8::1",
     "x@example.com", NULL, MF, MS_SPF_FAIL, "-all", 1, 1, 2, NULL, NULL},
    /* §5 DNS errors inside mechanisms */
    {"a: SERVFAIL is temperror", "example.com TXT v=spf1 a:t.example -all\nt.example FAIL A", NULL,
     "x@example.com", NULL, MF, MS_SPF_TEMPERROR, NOMECH, 1, 0, 2,
     "DNS error during a mechanism lookup", NULL},
    {"mx host SERVFAIL is temperror",
     "example.com TXT v=spf1 mx -all\nexample.com MX 0 m.example\nm.example FAIL A", NULL,
     "x@example.com", NULL, MF, MS_SPF_TEMPERROR, NOMECH, 1, 0, 3, "DNS error", NULL},
    {"exists malformed is temperror",
     "example.com TXT v=spf1 exists:e.example -all\ne.example MALFORMED A", NULL, "x@example.com",
     NULL, MF, MS_SPF_TEMPERROR, NOMECH, 1, 0, 2, "DNS error", NULL},
    {"a follows a CNAME",
     "example.com TXT v=spf1 a:alias.example -all\nalias.example CNAME real.example\n"
     "real.example A 192.0.2.1",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "a:alias.example", 1, 0, 2, NULL, NULL},
    {"a in a CNAME loop is temperror",
     "example.com TXT v=spf1 a:loop.example -all\nloop.example CNAME loop.example", NULL,
     "x@example.com", NULL, MF, MS_SPF_TEMPERROR, NOMECH, 1, 0, 2, "DNS error", NULL},
    {"a name that cannot be asked is a void lookup", "example.com TXT v=spf1 a:%{l}.example -all",
     NULL, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com",
     NULL, MF, MS_SPF_FAIL, "-all", 1, 1, 1, NULL, NULL},
    /* §2.3 HELO identity, §2.4 null sender, §4.3 initial processing */
    {"helo identity", "mail.example.net TXT v=spf1 +all\nexample.com TXT v=spf1 -all", NULL,
     "x@example.com", "mail.example.net", HELO, MS_SPF_PASS, "+all", 0, 0, 1, NULL,
     "mail.example.net"},
    {"helo identity fails alone", "mail.example.net TXT v=spf1 -all\nexample.com TXT v=spf1 +all",
     NULL, "x@example.com", "mail.example.net", HELO, MS_SPF_FAIL, "-all", 0, 0, 1, NULL,
     "mail.example.net"},
    {"helo address literal is none", "", NULL, "", "[192.0.2.1]", HELO, MS_SPF_NONE, NOMECH, 0, 0,
     0, "address literal", "[192.0.2.1]"},
    {"null sender <> checks the HELO", "mail.example.net TXT v=spf1 +all", NULL, "<>",
     "mail.example.net", MF, MS_SPF_PASS, "+all", 0, 0, 1, NULL, "mail.example.net"},
    {"empty sender checks the HELO", "mail.example.net TXT v=spf1 -all", NULL, "",
     "mail.example.net", MF, MS_SPF_FAIL, "-all", 0, 0, 1, NULL, "mail.example.net"},
    {"NULL sender checks the HELO", "mail.example.net TXT v=spf1 ~all", NULL, NULL,
     "mail.example.net", MF, MS_SPF_SOFTFAIL, "~all", 0, 0, 1, NULL, "mail.example.net"},
    {"angle brackets", "example.com TXT v=spf1 +all", NULL, "<x@example.com>", NULL, MF,
     MS_SPF_PASS, "+all", 0, 0, 1, NULL, "example.com"},
    {"no local part",
     "example.com TXT v=spf1 exists:%{l}.l.example -all\n"
     "postmaster.l.example A 127.0.0.2",
     NULL, "example.com", NULL, MF, MS_SPF_PASS, "exists:%{l}.l.example", 1, 0, 2, NULL,
     "example.com"},
    {"single-label domain is none", "localhost TXT v=spf1 +all", NULL, "x@localhost", NULL, MF,
     MS_SPF_NONE, NOMECH, 0, 0, 0, "multi-label", "localhost"},
    {"label over 63 is none", "", NULL,
     "x@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", NULL, MF,
     MS_SPF_NONE, NOMECH, 0, 0, 0, "63", NULL},
    {"empty label is none", "", NULL, "x@example..com", NULL, MF, MS_SPF_NONE, NOMECH, 0, 0, 0,
     "empty label", "example..com"},
    {"internationalised domain as A-labels", "xn--bcher-kva.example TXT v=spf1 +all", NULL,
     "x@b\xc3\xbc"
     "cher.example",
     NULL, MF, MS_SPF_PASS, "+all", 0, 0, 1, NULL, "xn--bcher-kva.example"},
    /* §7.3 %{p} */
    {"%{p} is the validated name",
     "example.com TXT v=spf1 exists:%{p}.p.example -all\n"
     "1.2.0.192.in-addr.arpa PTR mail.example.com\nmail.example.com A 192.0.2.1\n"
     "mail.example.com.p.example A 127.0.0.2",
     NULL, "x@example.com", NULL, MF, MS_SPF_PASS, "exists:%{p}.p.example", 1, 0, 4, NULL, NULL},
    {"%{p} unknown without PTR",
     "example.com TXT v=spf1 exists:%{p}.p.example -all\nunknown.p.example A 127.0.0.2", NULL,
     "x@example.com", NULL, MF, MS_SPF_PASS, "exists:%{p}.p.example", 1, 0, 3, NULL, NULL},
};

static ms_status run(ms_resolver *z, const ms_spf_options *opt, const char *ip,
                     const char *mail_from, const char *helo, ms_spf_identity identity,
                     ms_arena *arena, ms_spf_verdict *v, ms_trace *trace)
{
    ms_spf_request req = {
        .client_ip = ip,
        .mail_from = mail_from,
        .helo = helo,
        .identity = identity,
        .receiver = "mx.receiver.example",
        .now = 1234567890,
    };
    return ms_spf_check(z, opt, &req, arena, v, trace);
}

static void test_eval_table(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const eval_case *c = &CASES[i];
        ms_resolver *z = zone_from(c->zone);
        ms_arena *arena;
        assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
        ms_spf_verdict v;
        uint64_t before = ms_resolver_queries(z);
        ms_status st = run(z, NULL, c->ip ? c->ip : "192.0.2.1", c->mail_from,
                           c->helo ? c->helo : "mail.example.net", c->identity, arena, &v, NULL);
        EXPECT(st == MS_OK, "case %s: got status %s, want MS_OK", c->name, ms_status_name(st));
        if (st != MS_OK) {
            ms_arena_free(arena);
            ms_resolver_free(z);
            continue;
        }
        EXPECT(v.result == c->want, "case %s: got %s, want %s (reason: %s; detail: %s)", c->name,
               ms_spf_result_name(v.result), ms_spf_result_name(c->want), v.reason ? v.reason : "",
               v.detail ? v.detail : "");
        EXPECT(v.identity == c->identity, "case %s: got identity %s, want %s", c->name,
               ms_spf_identity_name(v.identity), ms_spf_identity_name(c->identity));
        if (c->want_mechanism != NULL && strcmp(c->want_mechanism, NOMECH) == 0) {
            EXPECT(v.mechanism == NULL, "case %s: got mechanism %s, want none", c->name,
                   v.mechanism);
        } else if (c->want_mechanism != NULL) {
            EXPECT(v.mechanism && strcmp(v.mechanism, c->want_mechanism) == 0,
                   "case %s: got mechanism %s, want %s", c->name,
                   v.mechanism ? v.mechanism : "(none)", c->want_mechanism);
        }
        EXPECT(c->want_terms == ANY || v.n_dns_lookups == (unsigned)c->want_terms,
               "case %s: got %u DNS lookups, want %d", c->name, v.n_dns_lookups, c->want_terms);
        EXPECT(c->want_void == ANY || v.n_void_lookups == (unsigned)c->want_void,
               "case %s: got %u void lookups, want %d", c->name, v.n_void_lookups, c->want_void);
        EXPECT(c->want_queries == ANY || v.n_queries == (unsigned)c->want_queries,
               "case %s: got %u queries, want %d", c->name, v.n_queries, c->want_queries);
        EXPECT(ms_resolver_queries(z) - before == v.n_queries,
               "case %s: got %llu queries at the resolver, want %u as the verdict says", c->name,
               (unsigned long long)(ms_resolver_queries(z) - before), v.n_queries);
        EXPECT(v.reason != NULL && strstr(v.reason, "RFC ") != NULL,
               "case %s: got reason \"%s\", want one citing its RFC", c->name,
               v.reason ? v.reason : "(null)");
        EXPECT(c->want_reason == NULL || (v.reason && strstr(v.reason, c->want_reason)),
               "case %s: got reason \"%s\", want one with \"%s\"", c->name,
               v.reason ? v.reason : "(null)", c->want_reason);
        EXPECT(c->want_domain == NULL || (v.domain && strcmp(v.domain, c->want_domain) == 0),
               "case %s: got domain %s, want %s", c->name, v.domain ? v.domain : "(null)",
               c->want_domain);
        EXPECT(v.domain != NULL && v.sender != NULL, "case %s: got a NULL domain or sender",
               c->name);
        EXPECT(v.result != MS_SPF_FAIL || v.explanation == NULL,
               "case %s: got explanation \"%s\" without exp= or a default", c->name, v.explanation);
        ms_arena_free(arena);
        ms_resolver_free(z);
    }
    assert_int_equal(n_bad, 0);
}

/* Which record was found and what sender was checked. */
static void test_eval_verdict_fields(void **state)
{
    (void)state;
    ms_resolver *z = zone_from("example.com TXT v=spf1 include:inc.example -all\n"
                               "inc.example TXT v=spf1 ip4:192.0.2.0/24 -all\n"
                               "mail.example.net TXT v=spf1 a -all\n"
                               "mail.example.net A 192.0.2.1");
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_spf_verdict v;
    assert_int_equal(
        run(z, NULL, "192.0.2.1", "User@Example.com", "mail.example.net", MF, arena, &v, NULL),
        MS_OK);
    assert_int_equal(v.result, MS_SPF_PASS);
    assert_int_equal(v.identity, MS_SPF_IDENTITY_MAILFROM);
    assert_string_equal(v.sender, "User@Example.com");
    assert_string_equal(v.domain, "Example.com"); /* byte for byte as given */
    assert_string_equal(v.record, "v=spf1 include:inc.example -all");
    assert_string_equal(v.mechanism, "include:inc.example");
    assert_null(v.explanation);
    assert_int_equal(v.n_dns_lookups, 1);
    assert_int_equal(v.n_void_lookups, 0);
    assert_int_equal(v.n_queries, 2);

    assert_int_equal(run(z, NULL, "192.0.2.1", "", "mail.example.net", MF, arena, &v, NULL), MS_OK);
    assert_int_equal(v.result, MS_SPF_PASS);
    assert_int_equal(v.identity, MS_SPF_IDENTITY_MAILFROM);
    assert_string_equal(v.sender, "postmaster@mail.example.net");
    assert_string_equal(v.domain, "mail.example.net");
    assert_string_equal(v.mechanism, "a");

    assert_int_equal(
        run(z, NULL, "192.0.2.1", "x@example.com", "mail.example.net", HELO, arena, &v, NULL),
        MS_OK);
    assert_int_equal(v.identity, MS_SPF_IDENTITY_HELO);
    assert_string_equal(v.sender, "postmaster@mail.example.net");
    assert_string_equal(v.domain, "mail.example.net");
    assert_string_equal(v.record, "v=spf1 a -all");

    /* permerror: the detail names the domain and the offending term. */
    ms_resolver *z2 = zone_from("example.com TXT v=spf1 a:foo.123 -all");
    assert_int_equal(run(z2, NULL, "192.0.2.1", "x@example.com", NULL, MF, arena, &v, NULL), MS_OK);
    assert_int_equal(v.result, MS_SPF_PERMERROR);
    assert_non_null(v.detail);
    assert_non_null(strstr(v.detail, "example.com"));
    assert_non_null(strstr(v.detail, "a:foo.123"));
    assert_null(v.mechanism);
    ms_resolver_free(z2);
    ms_arena_free(arena);
    ms_resolver_free(z);
}

/* §6.2 explanations. */
typedef struct exp_case {
    const char *name;
    const char *zone;
    const char *ip;
    const char *default_explanation;
    ms_spf_result want;
    const char *want_exp; /* NULL: none */
    int want_terms, want_queries;
} exp_case;

static const exp_case EXP[] = {
    {"every letter including c r t",
     "example.com TXT v=spf1 -all exp=e.example\n"
     "e.example TXT %{c} %{r} %{t} %{s} %{l} %{o} %{d} %{i} %{v} %{h}",
     "192.0.2.1", NULL, MS_SPF_FAIL,
     "192.0.2.1 mx.receiver.example 1234567890 user@example.com user example.com example.com "
     "192.0.2.1 in-addr mail.example.net",
     0, 2},
    {"ipv6 %{c} and %{i}",
     "example.com TXT v=spf1 -all exp=e.example\ne.example TXT %{c} / %{i} / %{v} / %{C}",
     "2001:db8::1", NULL, MS_SPF_FAIL,
     "2001:db8::1 / 2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1 / ip6 / "
     "2001%3Adb8%3A%3A1",
     0, 2},
    {"escapes and spaces", "example.com TXT v=spf1 -all exp=e.example\ne.example TXT a%_b%%c%-d",
     "192.0.2.1", NULL, MS_SPF_FAIL, "a b%c%20d", 0, 2},
    {"strings joined", "example.com TXT v=spf1 -all exp=e.example\ne.example TXT See |%{d}",
     "192.0.2.1", NULL, MS_SPF_FAIL, "See example.com", 0, 2},
    {"exp with a macro target",
     "example.com TXT v=spf1 -all exp=%{d}.exp.example\nexample.com.exp.example TXT ok",
     "192.0.2.1", NULL, MS_SPF_FAIL, "ok", 0, 2},
    {"no exp and no default", "example.com TXT v=spf1 -all", "192.0.2.1", NULL, MS_SPF_FAIL, NULL,
     0, 1},
    {"default explanation", "example.com TXT v=spf1 -all", "192.0.2.1",
     "%{i} is not allowed by %{d}", MS_SPF_FAIL, "192.0.2.1 is not allowed by example.com", 0, 1},
    {"exp target missing: default", "example.com TXT v=spf1 -all exp=e.example", "192.0.2.1",
     "DEFAULT", MS_SPF_FAIL, "DEFAULT", 0, 2},
    {"exp target SERVFAIL: default, still fail",
     "example.com TXT v=spf1 -all exp=e.example\ne.example FAIL TXT", "192.0.2.1", "DEFAULT",
     MS_SPF_FAIL, "DEFAULT", 0, 2},
    {"two exp records: default",
     "example.com TXT v=spf1 -all exp=e.example\ne.example TXT one\ne.example TXT two", "192.0.2.1",
     "DEFAULT", MS_SPF_FAIL, "DEFAULT", 0, 2},
    {"exp syntax error: default",
     "example.com TXT v=spf1 -all exp=e.example\ne.example TXT %{w} is bad %{d", "192.0.2.1",
     "DEFAULT", MS_SPF_FAIL, "DEFAULT", 0, 2},
    {"no explanation on pass", "example.com TXT v=spf1 +all exp=e.example\ne.example TXT no",
     "192.0.2.1", "DEFAULT", MS_SPF_PASS, NULL, 0, 1},
    {"no explanation on softfail", "example.com TXT v=spf1 ~all exp=e.example\ne.example TXT no",
     "192.0.2.1", "DEFAULT", MS_SPF_SOFTFAIL, NULL, 0, 1},
    {"include's exp is not used",
     "example.com TXT v=spf1 -include:inc.example exp=pe.example\n"
     "inc.example TXT v=spf1 +all exp=ie.example\npe.example TXT parent\nie.example TXT inner",
     "192.0.2.1", NULL, MS_SPF_FAIL, "parent", 1, 3},
    {"redirect target's exp is used",
     "example.com TXT v=spf1 redirect=r.example exp=orig.example\n"
     "r.example TXT v=spf1 -all exp=r-exp.example\norig.example TXT original\n"
     "r-exp.example TXT redirected",
     "192.0.2.1", NULL, MS_SPF_FAIL, "redirected", 1, 3},
    {"original exp is not used after redirect",
     "example.com TXT v=spf1 redirect=r.example exp=orig.example\n"
     "r.example TXT v=spf1 -all\norig.example TXT original",
     "192.0.2.1", NULL, MS_SPF_FAIL, NULL, 1, 2},
    {"%{p} in an explanation",
     "example.com TXT v=spf1 -all exp=e.example\ne.example TXT host %{p}\n"
     "1.2.0.192.in-addr.arpa PTR mail.example.com\nmail.example.com A 192.0.2.1",
     "192.0.2.1", NULL, MS_SPF_FAIL, "host mail.example.com", 0, 4},
};

static void test_eval_exp(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(EXP) / sizeof(EXP[0]); i++) {
        const exp_case *c = &EXP[i];
        ms_resolver *z = zone_from(c->zone);
        ms_arena *arena;
        assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
        ms_spf_options opt;
        ms_spf_options_default(&opt);
        opt.default_explanation = c->default_explanation;
        ms_spf_verdict v;
        assert_int_equal(
            run(z, &opt, c->ip, "user@example.com", "mail.example.net", MF, arena, &v, NULL),
            MS_OK);
        EXPECT(v.result == c->want, "case %s: got %s, want %s (%s)", c->name,
               ms_spf_result_name(v.result), ms_spf_result_name(c->want), v.reason);
        if (c->want_exp == NULL) {
            EXPECT(v.explanation == NULL, "case %s: got explanation \"%s\", want none", c->name,
                   v.explanation);
        } else {
            EXPECT(v.explanation && strcmp(v.explanation, c->want_exp) == 0,
                   "case %s: got explanation \"%s\", want \"%s\"", c->name,
                   v.explanation ? v.explanation : "(none)", c->want_exp);
        }
        /* The exp lookup is no §4.6.4 term. */
        EXPECT(v.n_dns_lookups == (unsigned)c->want_terms, "case %s: got %u terms, want %d",
               c->name, v.n_dns_lookups, c->want_terms);
        EXPECT(v.n_queries == (unsigned)c->want_queries, "case %s: got %u queries, want %d",
               c->name, v.n_queries, c->want_queries);
        ms_arena_free(arena);
        ms_resolver_free(z);
    }
    assert_int_equal(n_bad, 0);
}

/* Options: every limit is configurable and reported. */
static void test_eval_options(void **state)
{
    (void)state;
    ms_resolver *z = zone_from("example.com TXT v=spf1 a:h.example a:h.example a:h.example "
                               "a:nx1.example a:h.example -all\nh.example A 198.51.100.1");
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_spf_options opt;
    ms_spf_verdict v;

    ms_spf_options_default(&opt);
    assert_int_equal(opt.max_dns_terms, 10);
    assert_int_equal(opt.max_void_lookups, 2);
    assert_int_equal(opt.max_mx_names, 10);
    assert_int_equal(opt.max_ptr_names, 10);
    assert_int_equal(opt.max_queries, 111);
    assert_int_equal(opt.time_budget_ms, 20000);
    assert_null(opt.default_explanation);

    opt.max_dns_terms = 2;
    assert_int_equal(run(z, &opt, "192.0.2.1", "x@example.com", NULL, MF, arena, &v, NULL), MS_OK);
    assert_int_equal(v.result, MS_SPF_PERMERROR);
    assert_int_equal(v.n_dns_lookups, 3);
    assert_int_equal(v.n_queries, 3);

    ms_spf_options_default(&opt);
    opt.max_void_lookups = 0;
    assert_int_equal(run(z, &opt, "192.0.2.1", "x@example.com", NULL, MF, arena, &v, NULL), MS_OK);
    assert_int_equal(v.result, MS_SPF_PERMERROR);
    assert_int_equal(v.n_void_lookups, 1);
    assert_non_null(strstr(v.reason, "void"));

    ms_spf_options_default(&opt);
    opt.max_queries = 3;
    assert_int_equal(run(z, &opt, "192.0.2.1", "x@example.com", NULL, MF, arena, &v, NULL), MS_OK);
    assert_int_equal(v.result, MS_SPF_TEMPERROR);
    assert_int_equal(v.n_queries, 3);
    assert_non_null(strstr(v.reason, "query budget"));

    /* opt NULL means the defaults. */
    assert_int_equal(run(z, NULL, "192.0.2.1", "x@example.com", NULL, MF, arena, &v, NULL), MS_OK);
    assert_int_equal(v.result, MS_SPF_FAIL);
    assert_int_equal(v.n_dns_lookups, 5);
    assert_int_equal(v.n_void_lookups, 1);
    assert_int_equal(v.n_queries, 6);
    ms_arena_free(arena);
    ms_resolver_free(z);
}

/* The check cannot run: a status, never a verdict. */
static void test_eval_cannot_run(void **state)
{
    (void)state;
    ms_resolver *z = zone_from("example.com TXT v=spf1 +all");
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_spf_verdict v;
    static const char *const BAD_IPS[] = {
        "", "192.0.2", "[192.0.2.1]", "mail.example.com", "2001:db8::1::2", "192.0.2.1 "};
    for (size_t i = 0; i < sizeof(BAD_IPS) / sizeof(BAD_IPS[0]); i++) {
        ms_status st = run(z, NULL, BAD_IPS[i], "x@example.com", NULL, MF, arena, &v, NULL);
        if (st != MS_EINVAL) {
            fail_msg("case client ip \"%s\": got %s, want MS_EINVAL", BAD_IPS[i],
                     ms_status_name(st));
        }
    }
    assert_int_equal(run(z, NULL, NULL, "x@example.com", NULL, MF, arena, &v, NULL), MS_EINVAL);
    ms_spf_request req = {.client_ip = "192.0.2.1", .mail_from = "x@example.com"};
    assert_int_equal(ms_spf_check(NULL, NULL, &req, arena, &v, NULL), MS_EINVAL);
    assert_int_equal(ms_spf_check(z, NULL, NULL, arena, &v, NULL), MS_EINVAL);
    assert_int_equal(ms_spf_check(z, NULL, &req, NULL, &v, NULL), MS_EINVAL);
    assert_int_equal(ms_resolver_queries(z), 0);
    ms_arena_free(arena);
    ms_resolver_free(z);
}

/* A full arena ends the check with a status or a temperror, never a crash. */
static void test_eval_arena_cap(void **state)
{
    (void)state;
    ms_resolver *z = zone_from("example.com TXT v=spf1 include:inc.example mx -all exp=e.example\n"
                               "inc.example TXT v=spf1 a:%{d}.h.example ptr -all\n"
                               "example.com MX 0 m.example\nm.example A 198.51.100.1\n"
                               "e.example TXT %{i} is not one of %{d}'s hosts");
    unsigned n_full = 0, n_ran = 0;
    for (size_t cap = 1; cap < 200000; cap = cap * 3 / 2 + 1) {
        ms_arena *arena;
        assert_int_equal(ms_arena_new(NULL, cap, &arena), MS_OK);
        ms_spf_verdict v;
        ms_trace *trace = NULL;
        if (cap > 4096) {
            assert_int_equal(ms_trace_new(arena, &trace) == MS_OK || trace == NULL, 1);
        }
        ms_status st = run(z, NULL, "192.0.2.1", "x@example.com", NULL, MF, arena, &v, trace);
        if (st == MS_OK) {
            /* Running out is a status, never a verdict: what ran is the full answer. */
            if (v.result != MS_SPF_FAIL) {
                fail_msg("case arena cap %zu: got %s (%s), want fail or a status", cap,
                         ms_spf_result_name(v.result), v.reason);
            }
            n_ran++;
        } else {
            assert_true(st == MS_ELIMIT || st == MS_ENOMEM);
            n_full++;
        }
        ms_arena_free(arena);
    }
    assert_true(n_full > 0 && n_ran > 0);
    ms_resolver_free(z);
}

/* With a trace every step is recorded: queries, answers, the record, terms, the rule. */
static void test_eval_trace(void **state)
{
    (void)state;
    ms_resolver *z = zone_from("example.com TXT v=spf1 include:inc.example -all\n"
                               "inc.example TXT v=spf1 a:h.example ~all\n"
                               "h.example A 198.51.100.1");
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_trace *trace;
    assert_int_equal(ms_trace_new(arena, &trace), MS_OK);
    ms_spf_verdict v;
    assert_int_equal(run(z, NULL, "192.0.2.1", "x@example.com", NULL, MF, arena, &v, trace), MS_OK);
    assert_int_equal(v.result, MS_SPF_FAIL);
    size_t n = ms_trace_count(trace);
    assert_true(n >= 8);
    unsigned kinds[6] = {0};
    bool saw_limit = false, saw_depth = false;
    for (size_t i = 0; i < n; i++) {
        const ms_trace_step *s = ms_trace_at(trace, i);
        assert_non_null(s);
        assert_non_null(s->text);
        assert_true((unsigned)s->kind < 6);
        kinds[s->kind]++;
        saw_depth |= s->depth == 1;
        saw_limit |= s->n_lookups == 2;
    }
    for (unsigned k = 0; k < 6; k++) {
        if (kinds[k] == 0) {
            fail_msg("case trace: got no %s step, want at least one", ms_trace_kind_name(k));
        }
    }
    assert_true(saw_depth);
    assert_true(saw_limit);
    assert_int_equal(kinds[MS_TRACE_QUERY], v.n_queries);
    const ms_trace_step *last = ms_trace_at(trace, n - 1);
    assert_int_equal(last->kind, MS_TRACE_RULE);
    assert_non_null(strstr(last->text, "fail"));
    /* A record step names the record found. */
    bool saw_record = false;
    for (size_t i = 0; i < n; i++) {
        const ms_trace_step *s = ms_trace_at(trace, i);
        saw_record |= s->kind == MS_TRACE_RECORD && strstr(s->text, "v=spf1 a:h.example ~all");
    }
    assert_true(saw_record);
    ms_arena_free(arena);
    ms_resolver_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_table),      cmocka_unit_test(test_eval_verdict_fields),
        cmocka_unit_test(test_eval_exp),        cmocka_unit_test(test_eval_options),
        cmocka_unit_test(test_eval_cannot_run), cmocka_unit_test(test_eval_arena_cap),
        cmocka_unit_test(test_eval_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
