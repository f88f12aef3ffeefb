/* SPDX-License-Identifier: MIT */
/* Hostile SPF input beyond the §3.1 rows: records of thousands of terms, include loops of every
 * shape, macros expanding past 253 octets (RFC 7208 §7.3), a PTR answer of 1,000 names, non-ASCII,
 * truncated or NUL-laden TXT strings, and zone files with garbage, which must fail with a line,
 * a column and a reason, never crash (RFC 1035 §5). */
#include "spf_helpers.h"

/* ---- beyond the rows --------------------------------------------------------------------- */

/* Records with thousands of terms. */
static void huge_records(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    /* 2,045 terms in 4,096 bytes: more than MS_LIMIT_SPF_TERMS. */
    char *rec = malloc(70000);
    assert_non_null(rec);
    size_t len = 6;
    memcpy(rec, "v=spf1", 6);
    while (len + 2 <= MS_LIMIT_SPF_RECORD) {
        memcpy(rec + len, " a", 2);
        len += 2;
    }
    txt_bytes(z, "many.t", rec, len);
    /* 1,000 DNS terms that parse: the 11th ends the walk. */
    len = 6;
    for (int i = 0; i < 1000; i++) {
        memcpy(rec + len, " ~a", 3);
        len += 3;
    }
    txt_bytes(z, "thousand.t", rec, len);
    a(z, "thousand.t", "198.51.100.1");
    /* 60,000 bytes of ip4 terms: past MS_LIMIT_SPF_RECORD. */
    len = 6;
    while (len + 12 < 60000) {
        memcpy(rec + len, " ip4:1.2.3.4", 12);
        len += 12;
    }
    txt_bytes(z, "long.t", rec, len);
    run r;
    check(&r, z, NULL, IP, "x@many.t", HELO_NAME, MF);
    expect("huge: 2045 terms", &r, MS_SPF_PERMERROR, "too many terms", 1);
    done(&r);
    check(&r, z, NULL, IP, "x@thousand.t", HELO_NAME, MF);
    expect("huge: 1000 a terms", &r, MS_SPF_PERMERROR, "more than 10", 11);
    done(&r);
    check(&r, z, NULL, IP, "x@long.t", HELO_NAME, MF);
    expect("huge: 60000 bytes", &r, MS_SPF_PERMERROR, "too long", 1);
    done(&r);
    free(rec);
    ms_resolver_free(z);
}

/* Include loops of every shape end at the term limit. */
static void include_loops(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "self.t", "v=spf1 include:self.t");
    txt(z, "c1.t", "v=spf1 include:c2.t -all");
    txt(z, "c2.t", "v=spf1 include:c3.t -all");
    txt(z, "c3.t", "v=spf1 include:c1.t -all");
    txt(z, "mix.t", "v=spf1 include:mix2.t -all");
    txt(z, "mix2.t", "v=spf1 redirect=mix.t");
    txt(z, "macro.t", "v=spf1 include:%{d} -all");
    txt(z, "wide.t", "v=spf1 include:wide.t include:wide.t include:wide.t -all");
    static const char *const DOMAINS[] = {"self.t", "c1.t", "mix.t", "macro.t", "wide.t"};
    for (size_t i = 0; i < sizeof(DOMAINS) / sizeof(DOMAINS[0]); i++) {
        char mf[64], row[64];
        snprintf(mf, sizeof(mf), "x@%s", DOMAINS[i]);
        snprintf(row, sizeof(row), "include loop %s", DOMAINS[i]);
        run r;
        check(&r, z, NULL, IP, mf, HELO_NAME, MF);
        expect(row, &r, MS_SPF_PERMERROR, "more than 10", 11);
        done(&r);
    }
    ms_resolver_free(z);
}

/* Macros expanding past 253 octets lose whole labels from the left (§7.3). */
static void macros_past_253(void **state)
{
    (void)state;
    char local[64];
    memset(local, 'l', 63);
    local[63] = '\0';
    char mf[128];
    snprintf(mf, sizeof(mf), "%s@long.t", local);
    /* l.l.l.l.l.t: 5 x 64 + 1 = 321 octets; the two leftmost labels go: 3 x 64 + 1 = 193. */
    char want[300];
    snprintf(want, sizeof(want), "%s.%s.%s.t", local, local, local);
    ms_resolver *z = new_zone();
    txt(z, "long.t", "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.t -all");
    a(z, want, "127.0.0.2");
    txt(z, "long2.t", "v=spf1 a:%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{d}.%{d}.%{d}");
    run r;
    check(&r, z, NULL, IP, mf, HELO_NAME, MF);
    expect("macro past 253", &r, MS_SPF_PASS, NULL, 2);
    done(&r);
    snprintf(mf, sizeof(mf), "%s@long2.t", local);
    check(&r, z, NULL, IP, mf, HELO_NAME, MF);
    expect("macro past 253, no match", &r, MS_SPF_NEUTRAL, NULL, 2);
    for (size_t i = 0; i < ms_trace_count(r.trace); i++) {
        const ms_trace_step *s = ms_trace_at(r.trace, i);
        if (s->kind == MS_TRACE_QUERY && strlen(s->text) > 253 + 6) {
            fail_msg("case macro past 253: got query \"%s\", longer than 253", s->text);
        }
    }
    done(&r);
    ms_resolver_free(z);
}

/* A PTR answer of 1,000 names: at most 10 are looked at. */
static void ptr_thousand_names(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "p.t", "v=spf1 ptr -all");
    txt(z, "pp.t", "v=spf1 exists:%{p}.pp.t -all");
    for (int i = 0; i < 1000; i++) {
        char host[32];
        snprintf(host, sizeof(host), "h%d.p.t", i);
        name_rr(z, "1.2.0.192.in-addr.arpa", MS_DNS_PTR, host);
        if (i == 500) {
            a(z, host, "192.0.2.1");
        }
    }
    run r;
    check(&r, z, NULL, IP, "x@p.t", HELO_NAME, MF);
    expect("ptr 1000", &r, MS_SPF_FAIL, NULL, 12);
    assert_int_equal(r.v.n_queries, 12);
    done(&r);
    check(&r, z, NULL, IP, "x@pp.t", HELO_NAME, MF);
    expect("ptr 1000 %{p}", &r, MS_SPF_FAIL, NULL, 13);
    if (!trace_has(r.trace, "unknown.pp.t")) {
        fail_msg("case ptr 1000 %%{p}: got no query for unknown.pp.t, want one");
    }
    done(&r);
    ms_resolver_free(z);
}

/* Non-ASCII in records, domains and explanations. */
static void non_ascii(void **state)
{
    (void)state;
    ms_resolver *z = new_zone();
    txt(z, "r.t", "v=spf1 a:caf\xc3\xa9.t -all");
    txt(z, "e.t", "v=spf1 -all exp=x.e.t");
    txt(z, "x.e.t", "caf\xc3\xa9 %{d}");
    txt(z, "xn--caf-dma.t", "v=spf1 -all");
    run r;
    check(&r, z, NULL, IP, "x@r.t", HELO_NAME, MF);
    expect("non-ASCII record", &r, MS_SPF_PERMERROR, "non-ASCII", 1);
    done(&r);
    check(&r, z, NULL, IP, "x@e.t", HELO_NAME, MF);
    expect("non-ASCII explanation", &r, MS_SPF_FAIL, NULL, 2);
    assert_null(r.v.explanation);
    done(&r);
    /* A UTF-8 domain is checked as its A-label (RFC 8616 §3). */
    check(&r, z, NULL, IP, "x@caf\xc3\xa9.t", HELO_NAME, MF);
    expect("UTF-8 domain", &r, MS_SPF_FAIL, NULL, 1);
    assert_string_equal(r.v.domain, "xn--caf-dma.t");
    done(&r);
    check(&r, z, NULL, IP, "", "caf\xc3\xa9.t", HELO);
    expect("UTF-8 HELO", &r, MS_SPF_FAIL, NULL, 1);
    done(&r);
    /* Bytes that are not UTF-8 cannot be converted: none, no query. */
    static const char *const BAD[] = {"x@\xff\xfe.t", "x@caf\xc3.t", "x@\xc0\xaf.t",
                                      "x@\xed\xa0\x80.t"};
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        check(&r, z, NULL, IP, BAD[i], HELO_NAME, MF);
        expect("invalid UTF-8 domain", &r, MS_SPF_NONE, NULL, 0);
        done(&r);
    }
    ms_resolver_free(z);
}

/* Truncated and NUL-laden TXT strings. */
static void truncated_and_nul_txt(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *data;
        size_t len;
        ms_spf_result want;
    } T[] = {
        {"NUL inside", "v=spf1 ip4:192.0.2.1\0 -all", 26, MS_SPF_PERMERROR},
        {"NUL at the end", "v=spf1 -all\0", 12, MS_SPF_PERMERROR},
        {"NUL after the version", "v=spf1\0+all", 11, MS_SPF_NONE},
        {"NUL first", "\0v=spf1 +all", 12, MS_SPF_NONE},
        {"only NULs", "\0\0\0\0\0\0\0\0", 8, MS_SPF_NONE},
        {"cut version", "v=sp", 4, MS_SPF_NONE},
        {"cut address", "v=spf1 ip4:192.0.", 17, MS_SPF_PERMERROR},
        {"cut include", "v=spf1 include:", 15, MS_SPF_PERMERROR},
        {"cut macro", "v=spf1 a:%{d", 12, MS_SPF_PERMERROR},
        {"cut escape", "v=spf1 a:x.t%", 13, MS_SPF_PERMERROR},
        {"cut prefix", "v=spf1 ip6:2001:db8::/", 22, MS_SPF_PERMERROR},
        {"empty TXT", "", 0, MS_SPF_NONE},
    };
    for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
        ms_resolver *z = new_zone();
        txt_bytes(z, "t.t", T[i].data, T[i].len);
        run r;
        check(&r, z, NULL, IP, "x@t.t", HELO_NAME, MF);
        char row[64];
        snprintf(row, sizeof(row), "TXT %s", T[i].name);
        expect(row, &r, T[i].want, NULL, 1);
        done(&r);
        ms_resolver_free(z);
    }
    /* A TXT RR with no character-string at all. */
    ms_resolver *z = new_zone();
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = "";
    rr.u.txt.len = 0;
    rr.u.txt.lens = NULL;
    rr.u.txt.n_strings = 0;
    assert_int_equal(ms_zone_add(z, "t.t", &rr), MS_OK);
    run r;
    check(&r, z, NULL, IP, "x@t.t", HELO_NAME, MF);
    expect("TXT with no strings", &r, MS_SPF_NONE, NULL, 1);
    done(&r);
    ms_resolver_free(z);
}

/* ---- zone files with garbage --------------------------------------------------------------- */

typedef struct garbage {
    const char *name;
    const char *text;
    size_t len;            /* 0 = strlen */
    unsigned line, column; /* 0 = not checked */
} garbage;

static const garbage GARBAGE[] = {
    {"NUL bytes", "\0\x01\x02garbage\n", 11, 1, 0},
    {"binary", "\xff\xfe\xfd\n\x80\x81\x82 A 1.2.3.4\n", 0, 1, 0},
    {"bad IPv4", "ok.t. A 192.0.2.1\nok2.t. A 192.0.2.2\nbad.t. A 1.2.3\n", 0, 3, 10},
    {"bad IPv6", "bad.t. AAAA 1::2::3\n", 0, 1, 13},
    {"unterminated quote", "t.t. TXT \"v=spf1 -all\n", 0, 1, 0},
    {"nested parens", "t.t. TXT ( ( \"a\" ) )\n", 0, 1, 0},
    {"close without open", "t.t. A 192.0.2.1 )\n", 0, 1, 0},
    {"open never closed", "t.t. TXT ( \"a\"\n\"b\"\n", 0, 1, 0},
    {"huge TTL", "t.t. 99999999999 A 192.0.2.1\n", 0, 1, 6},
    {"$INCLUDE", "$INCLUDE /etc/passwd\n", 0, 1, 1},
    {"class CH", "t.t. CH TXT x\n", 0, 1, 0},
    {"MX preference too big", "t.t. MX 70000 mx.t.\n", 0, 1, 0},
    {"label of 64",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.t. A 192.0.2.1\n", 0, 1, 1},
    {"unknown type", "t.t. TYPE65 \\# 0\n", 0, 1, 0},
    {"missing address", "t.t. A\n", 0, 1, 0},
    {"relative name without origin", "relative A 192.0.2.1\n", 0, 1, 1},
    {"@ without origin", "@ A 192.0.2.1\n", 0, 1, 1},
    {"string over 255", NULL, 0, 1, 0}, /* built below */
    {"text after the record", "t.t. A 192.0.2.1 extra\n", 0, 1, 18},
    {"backslash at the end", "t.t. TXT a\\\n", 0, 1, 0},
    {"lone quote", "\"\n", 0, 1, 1},
    {"bad $TTL", "$TTL abc\n", 0, 1, 0},
    {"empty $ORIGIN", "$ORIGIN\n", 0, 1, 0},
    {"root owner", ". A 192.0.2.1\n", 0, 1, 0},
    {"missing CNAME target", "t.t. CNAME\n", 0, 1, 0},
    {"short SOA", "t.t. SOA a. b. 1 2 3\n", 0, 1, 0},
    {"empty label", "a..t. A 192.0.2.1\n", 0, 1, 1},
    {"quoted owner", "\"t.t.\" A 192.0.2.1\n", 0, 1, 1},
    {"CR only lines", "t.t. A 192.0.2.1\rx.t. A 1\r", 0, 0, 0},
};

static void zone_garbage(void **state)
{
    (void)state;
    char long_string[400];
    memcpy(long_string, "t.t. TXT \"", 10);
    memset(long_string + 10, 'x', 300);
    memcpy(long_string + 310, "\"\n", 3);
    for (size_t i = 0; i < sizeof(GARBAGE) / sizeof(GARBAGE[0]); i++) {
        const garbage *g = &GARBAGE[i];
        const char *text = g->text ? g->text : long_string;
        size_t len = g->len ? g->len : strlen(text);
        char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, text, len);
        ms_resolver *z = new_zone();
        ms_zone_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_zone_load_text(z, exact, len, NULL, &err);
        if (st == MS_OK) {
            fail_msg("case zone %s: got MS_OK, want an error", g->name);
        }
        if (err.line == 0 || err.column == 0 || err.reason == NULL) {
            fail_msg("case zone %s: got line %u column %u reason %s, want all set", g->name,
                     err.line, err.column, err.reason ? err.reason : "(null)");
        }
        if (g->line && err.line != g->line) {
            fail_msg("case zone %s: got line %u, want %u (%s)", g->name, err.line, g->line,
                     err.reason);
        }
        if (g->column && err.column != g->column) {
            fail_msg("case zone %s: got column %u, want %u (%s)", g->name, err.column, g->column,
                     err.reason);
        }
        assert_true(strlen(err.detail) < sizeof(err.detail));
        ms_resolver_free(z);
        free(exact);
    }
}

/* Random damage to a valid zone: never a crash; every error has a place and a reason. */
static void zone_mutations(void **state)
{
    (void)state;
    static const char BASE[] = "$ORIGIN t.\n$TTL 300\n"
                               "@ IN TXT \"v=spf1 include:_spf.t ip4:192.0.2.0/24 -all\"\n"
                               "_spf IN TXT ( \"v=spf1 \" \"a mx\" ) ; joined\n"
                               "@ MX 10 mail\nmail A 192.0.2.1\nmail AAAA 2001:db8::1\n"
                               "1.2.0.192.in-addr.arpa. PTR mail.t.\nalias CNAME mail\n"
                               "@ SOA ns. host. 1 2 3 4 5\n";
    static const char NASTY[] = "\0\n\r\t ()\";\\.@$*0123456789ABCDEFxyz\x80\xff";
    unsigned seed = 12345;
    unsigned n_err = 0;
    for (int round = 0; round < 3000; round++) {
        char buf[1024];
        size_t len = sizeof(BASE) - 1;
        memcpy(buf, BASE, len);
        seed = seed * 1103515245u + 12345u;
        unsigned edits = 1 + (seed >> 16) % 8;
        for (unsigned e = 0; e < edits; e++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % (len + 1);
            char c = NASTY[(seed >> 20) % (sizeof(NASTY) - 1)];
            switch ((seed >> 28) % 3) {
            case 0:
                if (pos < len) {
                    buf[pos] = c;
                }
                break;
            case 1:
                if (len + 1 < sizeof(buf)) {
                    memmove(buf + pos + 1, buf + pos, len - pos);
                    buf[pos] = c;
                    len++;
                }
                break;
            default:
                if (pos < len) {
                    memmove(buf + pos, buf + pos + 1, len - pos - 1);
                    len--;
                }
                break;
            }
        }
        size_t lines = 1;
        for (size_t i = 0; i < len; i++) {
            lines += buf[i] == '\n';
        }
        char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, buf, len);
        ms_resolver *z = new_zone();
        ms_zone_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_zone_load_text(z, exact, len, NULL, &err);
        if (st != MS_OK) {
            n_err++;
            if (err.line == 0 || err.line > lines + 1 || err.column == 0 || err.reason == NULL) {
                fail_msg("case zone mutation %d: got %s at line %u column %u (%s), want a place "
                         "within %zu lines and a reason",
                         round, ms_status_name(st), err.line, err.column,
                         err.reason ? err.reason : "(null)", lines);
            }
        }
        /* Whatever loaded can be checked against. */
        run r;
        check(&r, z, NULL, IP, "x@t", "mail.t", HELO);
        assert_int_equal(r.status, MS_OK);
        assert_true(r.v.n_queries <= MS_LIMIT_SPF_QUERIES);
        done(&r);
        ms_resolver_free(z);
        free(exact);
    }
    assert_true(n_err > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(huge_records),    cmocka_unit_test(include_loops),
        cmocka_unit_test(macros_past_253), cmocka_unit_test(ptr_thousand_names),
        cmocka_unit_test(non_ascii),       cmocka_unit_test(truncated_and_nul_txt),
        cmocka_unit_test(zone_garbage),    cmocka_unit_test(zone_mutations),
    };
    return cmocka_run_group_tests_name("spf bad input, beyond the rows", tests, NULL, NULL);
}
