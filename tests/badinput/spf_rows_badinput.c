/* SPDX-License-Identifier: MIT */
/* The SPF rows of shared/bad-inputs.md §3.1, one named test per row (SPF-01 ... SPF-29): each
 * ends in permerror, temperror, none or an error status with a reason, within a query budget
 * (RFC 7208 §4.6.4, §11.1); only SPF-07's wall-clock row uses the clock, through a slow
 * scripted resolver. Rows about SMTP and DMARC consumers test what the SPF layer owns. */
#include <time.h>

#include "dns/resolver.h"
#include "spf_helpers.h"

/* ---- §3.1 rows --------------------------------------------------------------------------- */

/* SPF-01: include loop: permerror after the 10-term limit; terminates. */
static void spf_01_include_loop(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "a.t", "v=spf1 include:b.t -all");
    txt(z, "b.t", "v=spf1 include:a.t -all");
    run r;
    check(&r, z, NULL, IP, "x@a.t", HELO_NAME, MF);
    expect("SPF-01", &r, MS_SPF_PERMERROR, "more than 10 DNS-querying terms (RFC 7208 §4.6.4)", 11);
    assert_int_equal(r.v.n_dns_lookups, 11);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-02: a redirect to itself loops until the term limit: permerror. */
static void spf_02_redirect_loop(void **state)
{
    (void)state;
    one("SPF-02", "e1.t", "v=spf1 ip4:192.0.2.1 redirect=e1.t", "198.51.100.1", MS_SPF_PERMERROR,
        "§4.6.4", 11);
    /* The client the record names still passes before the loop is reached. */
    one("SPF-02 matched", "e1.t", "v=spf1 ip4:192.0.2.1 redirect=e1.t", "192.0.2.1", MS_SPF_PASS,
        NULL, 1);
}

/* SPF-04: three terms whose targets are NXDOMAIN/NODATA: permerror at the third. */
static void spf_04_void_lookups(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "v.t", "v=spf1 a:nx1.t mx:nodata.t exists:nx3.t ip4:192.0.2.1 -all");
    txt(z, "nodata.t", "just text");
    run r;
    check(&r, z, NULL, IP, "x@v.t", HELO_NAME, MF);
    expect("SPF-04", &r, MS_SPF_PERMERROR, "more than 2 void DNS lookups (RFC 7208 §4.6.4)", 4);
    assert_int_equal(r.v.n_void_lookups, 3);
    done(&r);
    /* Two are allowed (libspf2#24 counted wrong). */
    txt(z, "v2.t", "v=spf1 a:nx1.t mx:nodata.t ip4:192.0.2.1 -all");
    check(&r, z, NULL, IP, "x@v2.t", HELO_NAME, MF);
    expect("SPF-04 two", &r, MS_SPF_PASS, NULL, 3);
    assert_int_equal(r.v.n_void_lookups, 2);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-05: "v=spf1 mx -all" with 11 MX RRs: permerror, without looking up any exchange. */
static void spf_05_mx_limit(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "m.t", "v=spf1 mx -all");
    for (uint16_t i = 0; i < 11; i++) {
        char host[32];
        snprintf(host, sizeof(host), "mx%u.m.t", (unsigned)i);
        mx(z, "m.t", i, host);
        a(z, host, "192.0.2.1");
    }
    run r;
    check(&r, z, NULL, IP, "x@m.t", HELO_NAME, MF);
    expect("SPF-05", &r, MS_SPF_PERMERROR, "more than 10 MX records to look up (RFC 7208 §4.6.4)",
           2);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-07: the exists amplification record with a random local part per message. */
static void spf_07_term_budget(void **state)
{
    (void)state;
    const char *record =
        "v=spf1 exists:%{l}.%{i}.x1.victim.t exists:%{l}.x2.victim.t exists:%{l}.x3.victim.t "
        "exists:%{l}.x4.victim.t exists:%{l}.x5.victim.t exists:%{l}.x6.victim.t "
        "exists:%{l}.x7.victim.t exists:%{l}.x8.victim.t exists:%{l}.x9.victim.t "
        "exists:%{l}.x10.victim.t exists:%{l}.x11.victim.t -all";
    ms_resolver *z = new_zone();
    txt(z, "attack.t", record);
    unsigned seed = 7;
    for (int msg = 0; msg < 20; msg++) {
        char mf[64];
        seed = seed * 1103515245u + 12345u;
        snprintf(mf, sizeof(mf), "r%08x@attack.t", seed);
        run r;
        /* Default limits: the third void lookup ends it. */
        check(&r, z, NULL, IP, mf, HELO_NAME, MF);
        expect("SPF-07 default", &r, MS_SPF_PERMERROR, "void", 4);
        done(&r);
        /* Without the void limit the 10-term limit still holds: 10 lookups, then permerror. */
        ms_spf_options opt;
        ms_spf_options_default(&opt);
        opt.max_void_lookups = 1000;
        check(&r, z, &opt, IP, mf, HELO_NAME, MF);
        expect("SPF-07 terms", &r, MS_SPF_PERMERROR, "more than 10 DNS-querying terms", 11);
        assert_int_equal(r.v.n_dns_lookups, 11);
        assert_int_equal(r.v.n_queries, 11);
        done(&r);
    }
    ms_resolver_free(z);
}

/* SPF-07: ten mx terms of ten exchanges each is the most one check can ask: 111 queries. One
 * query fewer in the budget gives temperror. */
static void spf_07_query_budget(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    char record[512] = "v=spf1";
    for (int m = 0; m < 10; m++) {
        char owner[32];
        snprintf(owner, sizeof(owner), "m%d.victim.t", m);
        snprintf(record + strlen(record), sizeof(record) - strlen(record), " mx:%s", owner);
        for (int h = 0; h < 10; h++) {
            char host[48];
            snprintf(host, sizeof(host), "h%d.m%d.victim.t", h, m);
            mx(z, owner, (uint16_t)h, host); /* the exchanges have no address records */
        }
    }
    snprintf(record + strlen(record), sizeof(record) - strlen(record), " -all");
    txt(z, "attack.t", record);
    run r;
    check(&r, z, NULL, IP, "x@attack.t", HELO_NAME, MF);
    expect("SPF-07 111", &r, MS_SPF_FAIL, NULL, 111);
    assert_int_equal(r.v.n_queries, 111);
    assert_int_equal(r.v.n_dns_lookups, 10);
    done(&r);

    ms_spf_options opt;
    ms_spf_options_default(&opt);
    assert_int_equal(opt.max_queries, 111);
    opt.max_queries = 110;
    check(&r, z, &opt, IP, "x@attack.t", HELO_NAME, MF);
    expect("SPF-07 budget", &r, MS_SPF_TEMPERROR, "query budget exhausted (RFC 7208 §11.1)", 110);
    assert_int_equal(r.v.n_queries, 110);
    done(&r);

    /* PTR: at most 10 forward lookups for one ptr term, whatever the answer holds. */
    txt(z, "p.t", "v=spf1 ptr ptr ptr ptr ptr ptr ptr ptr ptr ptr -all");
    for (int i = 0; i < 30; i++) {
        char host[32];
        snprintf(host, sizeof(host), "h%d.p.t", i);
        name_rr(z, "1.2.0.192.in-addr.arpa", MS_DNS_PTR, host);
    }
    check(&r, z, NULL, IP, "x@p.t", HELO_NAME, MF);
    expect("SPF-07 ptr", &r, MS_SPF_FAIL, NULL, 111);
    assert_int_equal(r.v.n_queries, 111);
    done(&r);
    ms_resolver_free(z);
}

/* A scripted resolver that takes delay_ms per question (the clock part of SPF-07). */
typedef struct slow {
    ms_resolver base;
    ms_resolver *inner;
    unsigned delay_ms;
} slow;

static ms_status slow_query(ms_resolver *r, const char *name, uint16_t type, ms_arena *arena,
                            ms_dns_answer *out)
{
    slow *s = (slow *)r;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)s->delay_ms * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
    const ms_dns_answer *a;
    ms_status st = ms_resolver_query(s->inner, name, type, arena, &a);
    if (st == MS_OK) {
        *out = *a;
    }
    return st;
}

static void slow_destroy(ms_resolver *r)
{
    free(r);
}

static const ms_resolver_ops SLOW_OPS = {"slow", slow_query, slow_destroy};

/* SPF-07: the wall clock [20 s] gives temperror; tested with a 100 ms budget and 40 ms per
 * question, so the check stops after about three questions. */
static void spf_07_wall_clock(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "attack.t",
        "v=spf1 exists:%{l}.x1.victim.t exists:%{l}.x2.victim.t exists:%{l}.x3.victim.t "
        "exists:%{l}.x4.victim.t exists:%{l}.x5.victim.t exists:%{l}.x6.victim.t "
        "exists:%{l}.x7.victim.t exists:%{l}.x8.victim.t exists:%{l}.x9.victim.t -all");
    slow *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    ms__resolver_init(&s->base, &SLOW_OPS);
    s->inner = z;
    s->delay_ms = 40;
    ms_spf_options opt;
    ms_spf_options_default(&opt);
    assert_int_equal(opt.time_budget_ms, MS_LIMIT_SPF_TIME_MS);
    assert_int_equal(MS_LIMIT_SPF_TIME_MS, 20000);
    opt.max_void_lookups = 1000;
    opt.time_budget_ms = 100;
    run r;
    check(&r, &s->base, &opt, IP, "x@attack.t", HELO_NAME, MF);
    expect("SPF-07 clock", &r, MS_SPF_TEMPERROR, "time budget exhausted (RFC 7208 §4.6.4)", 5);
    assert_true(r.v.n_queries >= 2);
    done(&r);
    /* With the default budget the same check runs to its end. */
    opt.time_budget_ms = MS_LIMIT_SPF_TIME_MS;
    check(&r, &s->base, &opt, IP, "x@attack.t", HELO_NAME, MF);
    expect("SPF-07 clock default", &r, MS_SPF_FAIL, NULL, 10);
    done(&r);
    ms_resolver_free(&s->base);
    ms_resolver_free(z);
}

/* SPF-08: two v=spf1 TXT records at one name: permerror. */
static void spf_08_two_records(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "two.t", "v=spf1 +all");
    txt(z, "two.t", "v=spf1 -all");
    run r;
    check(&r, z, NULL, IP, "x@two.t", HELO_NAME, MF);
    expect("SPF-08", &r, MS_SPF_PERMERROR, "more than one SPF record (RFC 7208 §4.5)", 1);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-10: the strings of one TXT RR are joined with no separator, then evaluated. */
static void spf_10_strings_joined(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    static const char *const JOINED[] = {"v=spf1 ip4:192.0.2.1", " -all"};
    static const char *const GLUED[] = {"v=spf1 ip4:192.0.2.1", "-all"};
    txt_strings(z, "j.t", JOINED, 2);
    txt_strings(z, "g.t", GLUED, 2);
    run r;
    check(&r, z, NULL, "192.0.2.1", "x@j.t", HELO_NAME, MF);
    expect("SPF-10 pass", &r, MS_SPF_PASS, NULL, 1);
    assert_string_equal(r.v.record, "v=spf1 ip4:192.0.2.1 -all");
    assert_string_equal(r.v.mechanism, "ip4:192.0.2.1");
    done(&r);
    check(&r, z, NULL, "192.0.2.2", "x@j.t", HELO_NAME, MF);
    expect("SPF-10 fail", &r, MS_SPF_FAIL, NULL, 1);
    assert_string_equal(r.v.mechanism, "-all");
    done(&r);
    /* No separator is added: "...192.0.2.1-all" is one bad term. */
    check(&r, z, NULL, "192.0.2.1", "x@g.t", HELO_NAME, MF);
    expect("SPF-10 glued", &r, MS_SPF_PERMERROR, "invalid IPv4", 1);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-11: a local part of bytes >= 0x80 with %{L} and %{S}: each byte becomes exactly %XX. */
static void spf_11_url_escape_8bit(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "u.t", "v=spf1 exists:%{L}.%{S}.t -all");
    a(z, "%C3%A9.%C3%A9%40u.t.t", "127.0.0.2");
    run r;
    check(&r, z, NULL, IP, "\xc3\xa9@u.t", HELO_NAME, MF);
    expect("SPF-11", &r, MS_SPF_PASS, NULL, 2);
    if (!trace_has(r.trace, "A %C3%A9.%C3%A9%40u.t.t?")) {
        fail_msg("case SPF-11: got no query for %%C3%%A9.%%C3%%A9%%40u.t.t, want one");
    }
    done(&r);
    /* 64 bytes of 0xff: 192 escaped bytes, a label DNS cannot carry: no match, no overflow. */
    char mf[80];
    memset(mf, '\xff', 64);
    memcpy(mf + 64, "@u.t", 5);
    check(&r, z, NULL, IP, mf, HELO_NAME, MF);
    expect("SPF-11 long", &r, MS_SPF_FAIL, NULL, 1);
    assert_int_equal(r.v.n_void_lookups, 1);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-13: exp= text of 4,090 literal bytes plus %{d}%{i}%{c}: the explanation is cut at the
 * cap, the verdict stays fail. */
static void spf_13_long_explanation(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "x.t", "v=spf1 -all exp=e.t");
    char text[4200];
    memset(text, 'A', 4090);
    memcpy(text + 4090, "%{d}%{i}%{c}", 13);
    txt(z, "e.t", text);
    run r;
    check(&r, z, NULL, IP, "x@x.t", HELO_NAME, MF);
    expect("SPF-13", &r, MS_SPF_FAIL, NULL, 2);
    assert_non_null(r.v.explanation);
    size_t len = strlen(r.v.explanation);
    if (len == 0 || len > MS_LIMIT_SPF_EXPLANATION) {
        fail_msg("case SPF-13: got an explanation of %zu bytes, want 1 to %u", len,
                 MS_LIMIT_SPF_EXPLANATION);
    }
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(r.v.explanation[i], 'A');
    }
    done(&r);
    /* The same text with URL-escaped letters, which triple in size. */
    memcpy(text + 4090, "%{S}%{C}%{R}", 13);
    ms_resolver_free(z);
    z = new_zone();
    txt(z, "x.t", "v=spf1 -all exp=e.t");
    txt(z, "e.t", text);
    check(&r, z, NULL, "2001:db8::1", "x@x.t", HELO_NAME, MF);
    expect("SPF-13 escaped", &r, MS_SPF_FAIL, NULL, 2);
    assert_true(r.v.explanation == NULL || strlen(r.v.explanation) <= MS_LIMIT_SPF_EXPLANATION);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-14: broken macros: permerror in a domain-spec (one query, the record's); an explanation
 * with them falls back to no explanation (§6.2) and the fail stands. */
static void spf_14_bad_macros(void **state)
{
    (void)state;
    static const char *const BAD[] = {"%{",  "%{q}",   "%{d0}", "%{d99999999999999999999}",
                                      "%x",  "%{l-",   "x.t%",  "%{d129}",
                                      "%{}", "%{l1r2}"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        char record[128], row[64];
        snprintf(record, sizeof(record), "v=spf1 exists:%s -all", BAD[i]);
        snprintf(row, sizeof(row), "SPF-14 %s", BAD[i]);
        one(row, "m.t", record, IP, MS_SPF_PERMERROR, "RFC 7208 §7.1", 1);
        snprintf(record, sizeof(record), "v=spf1 a:%s.t", BAD[i]);
        one(row, "m.t", record, IP, MS_SPF_PERMERROR, "RFC 7208 §7.1", 1);

        ms_resolver *z = new_zone();
        txt(z, "m.t", "v=spf1 -all exp=e.m.t");
        char exp[64];
        snprintf(exp, sizeof(exp), "bad %s here", BAD[i]);
        txt(z, "e.m.t", exp);
        run r;
        check(&r, z, NULL, IP, "x@m.t", HELO_NAME, MF);
        expect(row, &r, MS_SPF_FAIL, NULL, 2);
        assert_null(r.v.explanation);
        done(&r);
        ms_resolver_free(z);
    }
}

/* SPF-16: c, r, t outside exp= text: permerror. */
static void spf_16_exp_only_letters(void **state)
{
    (void)state;
    one("SPF-16 c", "c.t", "v=spf1 a:%{c}.t -all", IP, MS_SPF_PERMERROR, "only in exp", 1);
    one("SPF-16 r", "c.t", "v=spf1 exists:%{r}.t -all", IP, MS_SPF_PERMERROR, "only in exp", 1);
    one("SPF-16 t", "c.t", "v=spf1 include:%{t}.t -all", IP, MS_SPF_PERMERROR, "only in exp", 1);
    one("SPF-16 C", "c.t", "v=spf1 redirect=%{C}.t", IP, MS_SPF_PERMERROR, "only in exp", 1);
    one("SPF-16 exp=", "c.t", "v=spf1 -all exp=%{c}.t", IP, MS_SPF_PERMERROR, "only in exp", 1);
    /* In the explanation text itself they are fine. */
    ms_resolver *z = new_zone();
    txt(z, "c.t", "v=spf1 -all exp=e.t");
    txt(z, "e.t", "%{c} %{r} %{t}");
    run r;
    check(&r, z, NULL, IP, "x@c.t", HELO_NAME, MF);
    expect("SPF-16 in exp", &r, MS_SPF_FAIL, NULL, 2);
    assert_string_equal(r.v.explanation, "192.0.2.1 mx.receiver.t 1700000000");
    done(&r);
    ms_resolver_free(z);
}

/* SPF-17: bad prefix lengths are permerror; ip6:2001:db8::/32 is valid. */
static void spf_17_cidr(void **state)
{
    (void)state;
    one("SPF-17 /33", "c.t", "v=spf1 ip4:192.0.2.0/33 -all", IP, MS_SPF_PERMERROR, "prefix length",
        1);
    one("SPF-17 /032", "c.t", "v=spf1 ip4:192.0.2.1/032 -all", IP, MS_SPF_PERMERROR,
        "prefix length", 1);
    one("SPF-17 ::/129", "c.t", "v=spf1 ip6:::/129 -all", IP, MS_SPF_PERMERROR, "prefix length", 1);
    one("SPF-17 a//129", "c.t", "v=spf1 a//129 -all", IP, MS_SPF_PERMERROR, "prefix length", 1);
    one("SPF-17 /32 in", "c.t", "v=spf1 ip6:2001:db8::/32 -all", "2001:db8:ffff::1", MS_SPF_PASS,
        NULL, 1);
    one("SPF-17 /32 out", "c.t", "v=spf1 ip6:2001:db8::/32 -all", "2001:db9::1", MS_SPF_FAIL, NULL,
        1);
    one("SPF-17 /32 v4 client", "c.t", "v=spf1 ip6:2001:db8::/32 -all", IP, MS_SPF_FAIL, NULL, 1);
}

/* SPF-19: MAIL FROM:<(any@legitimate.t>: the identity is invalid (none, no query); the HELO
 * result is never reported in its place. */
static void spf_19_mailfrom_paren(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "legitimate.t", "v=spf1 +all");
    txt(z, HELO_NAME, "v=spf1 +all");
    run r;
    check(&r, z, NULL, IP, "<(any@legitimate.t>", HELO_NAME, MF);
    expect("SPF-19", &r, MS_SPF_NONE, "RFC 5321 §4.1.2", 0);
    assert_int_equal(r.v.n_queries, 0);
    assert_int_equal(r.v.identity, MS_SPF_IDENTITY_MAILFROM);
    assert_string_equal(r.v.domain, "legitimate.t");
    done(&r);
    ms_resolver_free(z);
}

/* SPF-20: an ambiguous MAIL FROM: none, no query; the domain reported is the domain the
 * address names after the last '@', byte for byte. */
static void spf_20_mailfrom_ambiguous(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "legitimate.t", "v=spf1 +all");
    txt(z, "a.attack.t", "v=spf1 +all");
    txt(z, "any.attack.t", "v=spf1 +all");
    static const struct {
        const char *mail_from, *domain;
    } AMBIGUOUS[] = {
        {"<any@legitimate.t(a.attack.t>", "legitimate.t(a.attack.t"},
        {"<any@legitimate.t'@any.attack.t>", "any.attack.t"},
        {"<any@legitimate.t>@any.attack.t", "any.attack.t"},
        {"<any\\@legitimate.t@any.attack.t>", "any.attack.t"},
        {"<any@legitimate.t\x01.attack.t>", "legitimate.t\x01.attack.t"},
    };
    for (size_t i = 0; i < sizeof(AMBIGUOUS) / sizeof(AMBIGUOUS[0]); i++) {
        run r;
        check(&r, z, NULL, IP, AMBIGUOUS[i].mail_from, HELO_NAME, MF);
        char row[96];
        snprintf(row, sizeof(row), "SPF-20 %s", AMBIGUOUS[i].mail_from);
        expect(row, &r, MS_SPF_NONE, NULL, 0);
        assert_int_equal(r.v.n_queries, 0);
        assert_string_equal(r.v.domain, AMBIGUOUS[i].domain);
        done(&r);
    }
    /* A valid but oddly written domain is evaluated exactly as reported. */
    run r;
    check(&r, z, NULL, IP, "any@LeGiTiMaTe.T.", HELO_NAME, MF);
    expect("SPF-20 case", &r, MS_SPF_PASS, NULL, 1);
    assert_string_equal(r.v.domain, "LeGiTiMaTe.T.");
    if (!trace_has(r.trace, "TXT LeGiTiMaTe.T.?")) {
        fail_msg("case SPF-20: got no TXT query for LeGiTiMaTe.T., want the reported domain");
    }
    done(&r);
    ms_resolver_free(z);
}

/* SPF-22: HELO attack.t passes, MAIL FROM x@nx.legitimate.t is NXDOMAIN: the MAIL FROM verdict
 * is none for that domain, the HELO pass is reported as identity helo only. */
static void spf_22_helo_pass_mailfrom_none(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "attack.t", "v=spf1 +all");
    run r;
    check(&r, z, NULL, IP, "x@nx.legitimate.t", "attack.t", MF);
    expect("SPF-22 mailfrom", &r, MS_SPF_NONE, "does not exist", 1);
    assert_int_equal(r.v.identity, MS_SPF_IDENTITY_MAILFROM);
    assert_string_equal(r.v.domain, "nx.legitimate.t");
    assert_string_equal(r.v.sender, "x@nx.legitimate.t");
    done(&r);
    check(&r, z, NULL, IP, "x@nx.legitimate.t", "attack.t", HELO);
    expect("SPF-22 helo", &r, MS_SPF_PASS, NULL, 1);
    assert_int_equal(r.v.identity, MS_SPF_IDENTITY_HELO);
    assert_string_equal(r.v.domain, "attack.t");
    assert_string_equal(r.v.sender, "postmaster@attack.t");
    assert_string_equal(ms_spf_identity_name(r.v.identity), "helo");
    done(&r);
    ms_resolver_free(z);
}

/* SPF-23: MAIL FROM:<> with HELO [192.0.2.1]: identity postmaster@HELO, none without a query. */
static void spf_23_null_sender_literal_helo(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    run r;
    for (int identity = 0; identity < 2; identity++) {
        check(&r, z, NULL, IP, "<>", "[192.0.2.1]",
              identity ? MS_SPF_IDENTITY_HELO : MS_SPF_IDENTITY_MAILFROM);
        expect("SPF-23", &r, MS_SPF_NONE, "address literal", 0);
        assert_string_equal(r.v.sender, "postmaster@[192.0.2.1]");
        assert_string_equal(r.v.domain, "[192.0.2.1]");
        assert_int_equal(r.v.n_queries, 0);
        done(&r);
    }
    ms_resolver_free(z);
}

/* SPF-25: include target SERVFAIL is temperror; include target without SPF is permerror. */
static void spf_25_include_errors(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "i.t", "v=spf1 include:tf.t -all");
    servfail(z, "tf.t", 0);
    txt(z, "n.t", "v=spf1 include:none.t -all");
    txt(z, "none.t", "not spf");
    run r;
    check(&r, z, NULL, IP, "x@i.t", HELO_NAME, MF);
    expect("SPF-25 temperror", &r, MS_SPF_TEMPERROR, "DNS error", 2);
    done(&r);
    check(&r, z, NULL, IP, "x@n.t", HELO_NAME, MF);
    expect("SPF-25 none", &r, MS_SPF_PERMERROR, "include target has no SPF record", 2);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-26: spf2.0 records are not v=spf1: ignored, and read without over-read. */
static void spf_26_spf2(void **state)
{
    (void)state;
    static const char *const NOT_V1[] = {"spf2.", "spf2.0/pra ~all", "spf2.0/mfrom,pra -all",
                                         "v=spf", "v=spf2 -all"};
    for (size_t i = 0; i < sizeof(NOT_V1) / sizeof(NOT_V1[0]); i++) {
        size_t len = strlen(NOT_V1[i]);
        char *exact = malloc(len);
        assert_non_null(exact);
        memcpy(exact, NOT_V1[i], len);
        assert_false(ms_spf_is_record(exact, len));
        free(exact);
    }
    ms_resolver *z = new_zone();
    txt(z, "s.t", "spf2.");
    txt(z, "s.t", "spf2.0/pra ~all");
    txt(z, "both.t", "spf2.0/pra +all");
    txt(z, "both.t", "v=spf1 -all");
    run r;
    check(&r, z, NULL, IP, "x@s.t", HELO_NAME, MF);
    expect("SPF-26 none", &r, MS_SPF_NONE, "no SPF record", 1);
    done(&r);
    check(&r, z, NULL, IP, "x@both.t", HELO_NAME, MF);
    expect("SPF-26 v1 wins", &r, MS_SPF_FAIL, NULL, 1);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-28: ptr and a targets in a CNAME loop: bounded, no hang. */
static void spf_28_cname_loop(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "a.t", "v=spf1 a:loop.t -all");
    name_rr(z, "loop.t", MS_DNS_CNAME, "loop2.t");
    name_rr(z, "loop2.t", MS_DNS_CNAME, "loop.t");
    txt(z, "p.t", "v=spf1 ptr -all");
    name_rr(z, "1.2.0.192.in-addr.arpa", MS_DNS_PTR, "loop.p.t");
    name_rr(z, "loop.p.t", MS_DNS_CNAME, "loop.p.t");
    txt(z, "r.t", "v=spf1 ptr:r.t -all");
    name_rr(z, "2.2.0.192.in-addr.arpa", MS_DNS_CNAME, "2.2.0.192.in-addr.arpa");
    run r;
    check(&r, z, NULL, IP, "x@a.t", HELO_NAME, MF);
    expect("SPF-28 a", &r, MS_SPF_TEMPERROR, "DNS error", 2);
    done(&r);
    check(&r, z, NULL, IP, "x@p.t", HELO_NAME, MF);
    expect("SPF-28 ptr", &r, MS_SPF_FAIL, NULL, 3);
    done(&r);
    check(&r, z, NULL, "192.0.2.2", "x@r.t", HELO_NAME, MF);
    expect("SPF-28 ptr reverse", &r, MS_SPF_FAIL, NULL, 2);
    done(&r);
    ms_resolver_free(z);
}

/* SPF-29: redirect= to a name without SPF is permerror; redirect with all is ignored. */
static void spf_29_redirect(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "r.t", "v=spf1 redirect=none.t");
    a(z, "none.t", "192.0.2.1");
    txt(z, "all.t", "v=spf1 -all redirect=pass.t");
    txt(z, "all2.t", "v=spf1 redirect=pass.t ~all");
    txt(z, "pass.t", "v=spf1 +all");
    run r;
    check(&r, z, NULL, IP, "x@r.t", HELO_NAME, MF);
    expect("SPF-29 none", &r, MS_SPF_PERMERROR, "redirect target has no SPF record", 2);
    done(&r);
    check(&r, z, NULL, IP, "x@all.t", HELO_NAME, MF);
    expect("SPF-29 all", &r, MS_SPF_FAIL, NULL, 1);
    done(&r);
    check(&r, z, NULL, IP, "x@all2.t", HELO_NAME, MF);
    expect("SPF-29 all after", &r, MS_SPF_SOFTFAIL, NULL, 1);
    done(&r);
    ms_resolver_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(spf_01_include_loop),
        cmocka_unit_test(spf_02_redirect_loop),
        cmocka_unit_test(spf_04_void_lookups),
        cmocka_unit_test(spf_05_mx_limit),
        cmocka_unit_test(spf_07_term_budget),
        cmocka_unit_test(spf_07_query_budget),
        cmocka_unit_test(spf_07_wall_clock),
        cmocka_unit_test(spf_08_two_records),
        cmocka_unit_test(spf_10_strings_joined),
        cmocka_unit_test(spf_11_url_escape_8bit),
        cmocka_unit_test(spf_13_long_explanation),
        cmocka_unit_test(spf_14_bad_macros),
        cmocka_unit_test(spf_16_exp_only_letters),
        cmocka_unit_test(spf_17_cidr),
        cmocka_unit_test(spf_19_mailfrom_paren),
        cmocka_unit_test(spf_20_mailfrom_ambiguous),
        cmocka_unit_test(spf_22_helo_pass_mailfrom_none),
        cmocka_unit_test(spf_23_null_sender_literal_helo),
        cmocka_unit_test(spf_25_include_errors),
        cmocka_unit_test(spf_26_spf2),
        cmocka_unit_test(spf_28_cname_loop),
        cmocka_unit_test(spf_29_redirect),
    };
    return cmocka_run_group_tests_name("spf bad input, shared/bad-inputs.md §3.1", tests, NULL,
                                       NULL);
}
