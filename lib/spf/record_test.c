/* SPDX-License-Identifier: MIT */
/* SPF record parsing, RFC 7208 §4.5 (version), §4.6.1 (terms), §5 (mechanisms), §6
 * (modifiers), §7.1 and §12 (domain-spec, macro-string): every term kind parsed back, and
 * every syntax error with its offset, reason and offending term. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/spf.h"

#include "base/limits.h"

#include "ms_expect.h"

static const char *kind_name(ms_spf_term_kind k)
{
    switch (k) {
    case MS_SPF_MECH_ALL:
        return "all";
    case MS_SPF_MECH_INCLUDE:
        return "include";
    case MS_SPF_MECH_A:
        return "a";
    case MS_SPF_MECH_MX:
        return "mx";
    case MS_SPF_MECH_PTR:
        return "ptr";
    case MS_SPF_MECH_IP4:
        return "ip4";
    case MS_SPF_MECH_IP6:
        return "ip6";
    case MS_SPF_MECH_EXISTS:
        return "exists";
    case MS_SPF_MOD_REDIRECT:
        return "redirect";
    case MS_SPF_MOD_EXP:
        return "exp";
    case MS_SPF_MOD_UNKNOWN:
        return "unknown";
    }
    return "?";
}

/* A parsed record as one line: "+a:example.com/24//64 -all redirect=x ?name=value". Unknown
 * modifiers show as "name=value" with their name as written. */
static void render(const ms_spf_record *rec, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < rec->n_terms && pos < size; i++) {
        const ms_spf_term *t = &rec->terms[i];
        char addr[INET6_ADDRSTRLEN] = "";
        int n;
        if (i > 0) {
            buf[pos++] = ' ';
            buf[pos] = '\0';
        }
        switch (t->kind) {
        case MS_SPF_MOD_REDIRECT:
        case MS_SPF_MOD_EXP:
            n = snprintf(buf + pos, size - pos, "%s=%s", kind_name(t->kind), t->domain_spec);
            break;
        case MS_SPF_MOD_UNKNOWN:
            n = snprintf(buf + pos, size - pos, "%s=%s", t->name, t->domain_spec);
            break;
        case MS_SPF_MECH_IP4:
            inet_ntop(AF_INET, t->addr, addr, sizeof(addr));
            n = snprintf(buf + pos, size - pos, "%cip4:%s", t->qualifier, addr);
            if (n > 0 && t->cidr4 >= 0) {
                n += snprintf(buf + pos + (size_t)n, size - pos - (size_t)n, "/%d", t->cidr4);
            }
            break;
        case MS_SPF_MECH_IP6:
            inet_ntop(AF_INET6, t->addr, addr, sizeof(addr));
            n = snprintf(buf + pos, size - pos, "%cip6:%s", t->qualifier, addr);
            if (n > 0 && t->cidr6 >= 0) {
                n += snprintf(buf + pos + (size_t)n, size - pos - (size_t)n, "/%d", t->cidr6);
            }
            break;
        default:
            n = snprintf(buf + pos, size - pos, "%c%s%s%s", t->qualifier, kind_name(t->kind),
                         t->domain_spec ? ":" : "", t->domain_spec ? t->domain_spec : "");
            if (n > 0 && t->cidr4 >= 0) {
                n += snprintf(buf + pos + (size_t)n, size - pos - (size_t)n, "/%d", t->cidr4);
            }
            if (n > 0 && t->cidr6 >= 0) {
                n += snprintf(buf + pos + (size_t)n, size - pos - (size_t)n, "//%d", t->cidr6);
            }
            break;
        }
        if (n < 0) {
            break;
        }
        pos += (size_t)n;
    }
}

/* ---- valid records --------------------------------------------------------------------- */

typedef struct ok_case {
    const char *name;
    const char *record;
    const char *want; /* render() of the parsed record */
    unsigned want_dns_terms;
} ok_case;

static const ok_case OK[] = {
    /* §4.5 version and §4.6.1 term separation */
    {"version only", "v=spf1", "", 0},
    {"version and one space", "v=spf1 ", "", 0},
    {"trailing spaces", "v=spf1 -all   ", "-all", 0},
    {"several spaces between terms", "v=spf1  a    mx", "+a +mx", 2},
    {"version in upper case", "V=SPF1 -ALL", "-all", 0},
    /* §4.6.2 qualifiers */
    {"qualifiers", "v=spf1 +all -all ~all ?all all", "+all -all ~all ?all +all", 0},
    /* §5.2 include */
    {"include", "v=spf1 include:_spf.example.com", "+include:_spf.example.com", 1},
    {"include with macros", "v=spf1 include:%{ir}.%{v}._spf.%{d2}",
     "+include:%{ir}.%{v}._spf.%{d2}", 1},
    {"mechanism names are case-insensitive", "v=spf1 InClUdE:example.com ?MX",
     "+include:example.com ?mx", 2},
    /* §5.3 a and the dual-cidr-length forms of §5.6 */
    {"a", "v=spf1 a", "+a", 1},
    {"a domain", "v=spf1 -a:mail.example.com", "-a:mail.example.com", 1},
    {"a/24", "v=spf1 a/24", "+a/24", 1},
    {"a/24//64", "v=spf1 a/24//64", "+a/24//64", 1},
    {"a//64", "v=spf1 a//64", "+a//64", 1},
    {"a/0//0", "v=spf1 a/0//0", "+a/0//0", 1},
    {"a/32//128", "v=spf1 a/32//128", "+a/32//128", 1},
    {"a domain/24//64", "v=spf1 a:example.com/24//64", "+a:example.com/24//64", 1},
    {"a domain//0", "v=spf1 a:example.com//0", "+a:example.com//0", 1},
    /* §5.4 mx */
    {"mx", "v=spf1 mx", "+mx", 1},
    {"mx domain/30", "v=spf1 mx:example.org/30", "+mx:example.org/30", 1},
    {"mx//48", "v=spf1 ~mx//48", "~mx//48", 1},
    /* §5.5 ptr */
    {"ptr", "v=spf1 ptr", "+ptr", 1},
    {"ptr domain", "v=spf1 ?ptr:example.com", "?ptr:example.com", 1},
    /* §5.6 ip4 and ip6 */
    {"ip4", "v=spf1 ip4:192.0.2.1", "+ip4:192.0.2.1", 0},
    {"ip4/24", "v=spf1 ip4:192.0.2.0/24", "+ip4:192.0.2.0/24", 0},
    {"ip4/0", "v=spf1 ip4:0.0.0.0/0", "+ip4:0.0.0.0/0", 0},
    {"ip4/32", "v=spf1 -ip4:198.51.100.7/32", "-ip4:198.51.100.7/32", 0},
    {"ip6", "v=spf1 ip6:2001:db8::cb01", "+ip6:2001:db8::cb01", 0},
    {"ip6:2001:db8::/32", "v=spf1 ip6:2001:db8::/32", "+ip6:2001:db8::/32", 0},
    {"ip6 /0", "v=spf1 ip6:::/0", "+ip6:::/0", 0},
    {"ip6 /128", "v=spf1 ip6:::1/128", "+ip6:::1/128", 0},
    {"ip6 written long", "v=spf1 ip6:2001:0DB8:0000:0000:0000:0000:0000:0001", "+ip6:2001:db8::1",
     0},
    {"ip6 with embedded ipv4", "v=spf1 ip6:::ffff:192.0.2.1", "+ip6:::ffff:192.0.2.1", 0},
    /* §5.7 exists */
    {"exists", "v=spf1 exists:%{i}.bl.example.com", "+exists:%{i}.bl.example.com", 1},
    {"exists with every domain letter", "v=spf1 exists:%{s}.%{l}.%{o}.%{d}.%{i}.%{p}.%{v}.%{h}.t",
     "+exists:%{s}.%{l}.%{o}.%{d}.%{i}.%{p}.%{v}.%{h}.t", 1},
    /* §6 modifiers */
    {"redirect", "v=spf1 redirect=_spf.example.com", "redirect=_spf.example.com", 1},
    {"exp", "v=spf1 -all exp=explain.example.com", "-all exp=explain.example.com", 0},
    {"modifier names are case-insensitive", "v=spf1 REDIRECT=a.example Exp=b.example",
     "redirect=a.example exp=b.example", 1},
    {"redirect before mechanisms", "v=spf1 redirect=a.example a", "redirect=a.example +a", 2},
    {"unknown modifier", "v=spf1 foo=bar -all", "foo=bar -all", 0},
    {"unknown modifier, empty value", "v=spf1 foo=", "foo=", 0},
    {"unknown modifier name with . - _", "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
     "moo.cow-far_out=man:dog/cat +ip4:1.2.3.4 -all", 0},
    {"unknown modifier with macros", "v=spf1 x-rate=%{i}.%{d2} -all", "x-rate=%{i}.%{d2} -all", 0},
    {"unknown modifiers may repeat", "v=spf1 x=1 x=2", "x=1 x=2", 0},
    /* §7.1 and §12 domain-spec endings */
    {"domain-spec ends in a dot", "v=spf1 a:example.com.", "+a:example.com.", 1},
    {"domain-spec ends in a macro", "v=spf1 a:%{d}", "+a:%{d}", 1},
    {"domain-spec macro then toplabel", "v=spf1 a:%{d}.com", "+a:%{d}.com", 1},
    {"domain-spec label then macro", "v=spf1 a:mail.%{d}", "+a:mail.%{d}", 1},
    {"domain-spec ends in %%", "v=spf1 a:foo%%", "+a:foo%%", 1},
    {"domain-spec ends in %_", "v=spf1 a:foo%_", "+a:foo%_", 1},
    {"domain-spec ends in %-", "v=spf1 a:foo%-", "+a:foo%-", 1},
    {"toplabel with a hyphen", "v=spf1 a:foo.c-m", "+a:foo.c-m", 1},
    {"toplabel digits then a letter", "v=spf1 a:foo.1com", "+a:foo.1com", 1},
    {"toplabel digits hyphen digits", "v=spf1 a:foo.12-34", "+a:foo.12-34", 1},
    {"underscore labels", "v=spf1 include:_spf._a.example.com", "+include:_spf._a.example.com", 1},
    {"any visible literal before the end", "v=spf1 a:~!$&'*+,;<>?@[]^`|.example.com",
     "+a:~!$&'*+,;<>?@[]^`|.example.com", 1},
    {"empty label is still syntax", "v=spf1 a:foo..com", "+a:foo..com", 1},
    /* §4.6.4 counting */
    {"dns terms counted",
     "v=spf1 include:a.example a mx ptr exists:b.example ip4:192.0.2.1 ip6:::1 all "
     "redirect=c.example exp=d.example foo=bar",
     "+include:a.example +a +mx +ptr +exists:b.example +ip4:192.0.2.1 +ip6:::1 +all "
     "redirect=c.example exp=d.example foo=bar",
     6},
};

static void test_record_valid(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        const ok_case *c = &OK[i];
        const ms_spf_record *rec = NULL;
        ms_spf_parse_error err;
        ms_status st = ms_spf_record_parse(c->record, strlen(c->record), arena, &rec, &err);
        EXPECT(st == MS_OK, "case %s: got %s (%s at %zu, \"%s\"), want MS_OK", c->name,
               ms_status_name(st), err.reason ? err.reason : "", err.offset, err.detail);
        if (st != MS_OK) {
            continue;
        }
        EXPECT(ms_spf_is_record(c->record, strlen(c->record)),
               "case %s: got is_record false, want true", c->name);
        char got[1024];
        render(rec, got, sizeof(got));
        EXPECT(strcmp(got, c->want) == 0, "case %s: got \"%s\", want \"%s\"", c->name, got,
               c->want);
        EXPECT(rec->n_dns_terms == c->want_dns_terms, "case %s: got %u DNS terms, want %u", c->name,
               rec->n_dns_terms, c->want_dns_terms);
        for (size_t k = 0; k < rec->n_terms; k++) {
            const ms_spf_term *t = &rec->terms[k];
            /* Each term's text is the bytes at its offset. */
            size_t tl = strlen(t->text);
            EXPECT(t->offset + tl <= strlen(c->record) &&
                       memcmp(c->record + t->offset, t->text, tl) == 0,
                   "case %s: term %zu: got \"%s\" at offset %zu, which is not in the record",
                   c->name, k, t->text, t->offset);
            if (t->kind == MS_SPF_MOD_REDIRECT) {
                EXPECT(rec->redirect == t, "case %s: got redirect pointer %p, want term %zu",
                       c->name, (const void *)rec->redirect, k);
            }
            if (t->kind == MS_SPF_MOD_EXP) {
                EXPECT(rec->exp == t, "case %s: got exp pointer %p, want term %zu", c->name,
                       (const void *)rec->exp, k);
            }
        }
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* Offsets of terms and the redirect/exp pointers, read field by field. */
static void test_record_offsets(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    const char *r = "v=spf1  -a:x.example/24  redirect=y.example exp=z.example ~all";
    const ms_spf_record *rec;
    ms_spf_parse_error err;
    assert_int_equal(ms_spf_record_parse(r, strlen(r), arena, &rec, &err), MS_OK);
    assert_int_equal(rec->n_terms, 4);
    assert_int_equal(rec->terms[0].offset, 8);
    assert_int_equal(rec->terms[0].qualifier, '-');
    assert_int_equal(rec->terms[0].cidr4, 24);
    assert_int_equal(rec->terms[0].cidr6, -1);
    assert_string_equal(rec->terms[0].text, "-a:x.example/24");
    assert_string_equal(rec->terms[0].domain_spec, "x.example");
    assert_int_equal(rec->terms[1].offset, 25);
    assert_ptr_equal(rec->redirect, &rec->terms[1]);
    assert_int_equal(rec->terms[2].offset, 44);
    assert_ptr_equal(rec->exp, &rec->terms[2]);
    assert_string_equal(rec->exp->domain_spec, "z.example");
    assert_int_equal(rec->terms[3].offset, 58);
    assert_int_equal(rec->terms[3].kind, MS_SPF_MECH_ALL);
    assert_null(rec->terms[3].domain_spec);

    /* Not NUL-terminated: only len bytes are read. */
    char buf[32];
    memcpy(buf, "v=spf1 -allXXXXXXXXXXXXXXXXXXXX", sizeof(buf));
    assert_int_equal(ms_spf_record_parse(buf, 11, arena, &rec, &err), MS_OK);
    assert_int_equal(rec->n_terms, 1);
    assert_string_equal(rec->terms[0].text, "-all");
    ms_arena_free(arena);
}

/* ---- errors ---------------------------------------------------------------------------- */

typedef struct err_case {
    const char *name;
    const char *record;
    size_t len; /* 0 = strlen */
    size_t want_offset;
    const char *want_reason; /* a substring of the reason */
    const char *want_detail; /* the start of the detail */
} err_case;

static const err_case ERR[] = {
    /* §4.5 version */
    {"empty", "", 0, 0, "not an SPF record", ""},
    {"v=spf", "v=spf", 0, 0, "not an SPF record", "v=spf"},
    {"v=spf10", "v=spf10", 0, 0, "not an SPF record", "v=spf10"},
    {"v=spf1 glued to a term", "v=spf1-all", 0, 0, "not an SPF record", "v=spf1-all"},
    {"tab after the version", "v=spf1\t-all", 0, 0, "not an SPF record", "v=spf1"},
    {"spf2.0", "spf2.0/pra ~all", 0, 0, "not an SPF record", "spf2.0/pra"},
    {"leading space", " v=spf1 -all", 0, 0, "not an SPF record", " v=spf1"},
    /* §4.6.1 characters: terms are separated by SP only; §3.1 ASCII only */
    {"tab between terms", "v=spf1 a\t-all", 0, 8, "control character", "a\t-all"},
    {"CR LF", "v=spf1 -all\r\n", 0, 11, "control character", "-all"},
    {"NUL", "v=spf1 a\0b", 10, 8, "control character", "a"},
    {"DEL", "v=spf1 a\x7f", 0, 8, "control character", "a"},
    {"non-ASCII in a domain", "v=spf1 a:\xc3\xa9.example", 0, 9, "non-ASCII", "a:"},
    {"non-ASCII alone", "v=spf1 \xff", 0, 7, "non-ASCII", "\xff"},
    /* §4.6.1 term shape */
    {"qualifier alone", "v=spf1 -", 0, 7, "must start with a mechanism or modifier", "-"},
    {"name starts with a digit", "v=spf1 1foo=bar", 0, 7, "must start with", "1foo=bar"},
    {"empty modifier name", "v=spf1 =foo", 0, 7, "must start with", "=foo"},
    {"modifier with qualifier", "v=spf1 -foo=bar", 0, 7, "no qualifier", "-foo=bar"},
    {"redirect with qualifier", "v=spf1 ?redirect=a.example", 0, 7, "no qualifier", "?redirect"},
    {"unknown mechanism", "v=spf1 foo", 0, 7, "unknown mechanism", "foo"},
    {"unknown mechanism after all", "v=spf1 ip4:1.2.3.4 -all moo", 0, 24, "unknown mechanism",
     "moo"},
    {"ip: is no mechanism", "v=spf1 -all ip:10.0.0.1", 0, 12, "unknown mechanism", "ip:10"},
    {"mechanism with a dot", "v=spf1 a.b", 0, 7, "unknown mechanism", "a.b"},
    /* §6 modifiers */
    {"duplicate redirect", "v=spf1 redirect=a.example redirect=b.example", 0, 26, "only once",
     "redirect=b.example"},
    {"duplicate exp", "v=spf1 exp=a.example -all exp=b.example", 0, 26, "only once",
     "exp=b.example"},
    {"duplicate redirect, other case", "v=spf1 redirect=a.example REDIRECT=b.example", 0, 26,
     "only once", "REDIRECT"},
    {"empty redirect", "v=spf1 redirect=", 0, 7, "empty domain-spec", "redirect="},
    {"empty exp", "v=spf1 exp=", 0, 7, "empty domain-spec", "exp="},
    {"unknown modifier with a bad macro", "v=spf1 foo=%{", 0, 7, "invalid macro string", "foo=%{"},
    {"unknown modifier with a bad escape", "v=spf1 -all foo=%abc", 0, 12, "invalid macro string",
     "foo=%abc"},
    /* §5.1 all */
    {"all with an argument", "v=spf1 all:x", 0, 7, "no argument", "all:x"},
    {"all with a prefix", "v=spf1 all/32", 0, 7, "no argument", "all/32"},
    /* §5.2, §5.7 include and exists need a domain */
    {"include without domain", "v=spf1 include", 0, 7, "need ':'", "include"},
    {"include with empty domain", "v=spf1 include:", 0, 7, "need ':'", "include:"},
    {"exists without domain", "v=spf1 exists", 0, 7, "need ':'", "exists"},
    {"include with a prefix", "v=spf1 include:a.example/24", 0, 7, "top label", "include:"},
    /* §5.5 ptr */
    {"ptr with empty domain", "v=spf1 ptr:", 0, 7, "empty domain-spec", "ptr:"},
    {"ptr with a prefix", "v=spf1 ptr/24", 0, 7, "ptr takes only", "ptr/24"},
    /* §5.3, §5.4, §5.6 prefix lengths on a and mx */
    {"a//129", "v=spf1 a//129", 0, 7, "invalid prefix length", "a//129"},
    {"a/33", "v=spf1 a/33", 0, 7, "invalid prefix length", "a/33"},
    {"a/024 leading zero", "v=spf1 a/024", 0, 7, "invalid prefix length", "a/024"},
    {"a:domain/33", "v=spf1 a:foo.com/33", 0, 7, "invalid prefix length", "a:foo.com/33"},
    {"mx//0128", "v=spf1 mx//0128", 0, 7, "invalid prefix length", "mx//0128"},
    {"a ipv6 length first", "v=spf1 a:foo.com//64/24", 0, 7, "top label", "a:foo.com//64/24"},
    {"a two ipv4 lengths", "v=spf1 a:foo.com/24/24", 0, 7, "top label", "a:foo.com/24/24"},
    {"a with empty domain", "v=spf1 a:", 0, 7, "empty domain-spec", "a:"},
    {"mx with a bare slash", "v=spf1 mx/", 0, 7, "a and mx take", "mx/"},
    {"a with junk", "v=spf1 a!", 0, 7, "a and mx take", "a!"},
    /* §5.6 ip4 */
    {"ip4 /032", "v=spf1 ip4:192.0.2.1/032", 0, 7, "IPv4 prefix length", "ip4:192.0.2.1/032"},
    {"ip4 /33", "v=spf1 ip4:192.0.2.0/33", 0, 7, "IPv4 prefix length", "ip4:192.0.2.0/33"},
    {"ip4 empty prefix", "v=spf1 ip4:192.0.2.0/", 0, 7, "IPv4 prefix length", "ip4:"},
    {"ip4 dual length", "v=spf1 ip4:192.0.2.1//64", 0, 7, "IPv4 prefix length", "ip4:"},
    {"ip4 three parts", "v=spf1 ip4:192.0.2", 0, 7, "invalid IPv4 network", "ip4:192.0.2"},
    {"ip4 leading zero", "v=spf1 ip4:192.0.02.1", 0, 7, "invalid IPv4 network", "ip4:"},
    {"ip4 octet 256", "v=spf1 ip4:192.0.2.256", 0, 7, "invalid IPv4 network", "ip4:"},
    {"ip4 without network", "v=spf1 ip4", 0, 7, "need ':'", "ip4"},
    {"ip4 empty network", "v=spf1 ip4:", 0, 7, "invalid IPv4 network", "ip4:"},
    {"ip4 with an ipv6 network", "v=spf1 ip4:2001:db8::1", 0, 7, "invalid IPv4 network", "ip4:"},
    /* §5.6 ip6 */
    {"ip6 ::/129", "v=spf1 ip6:::/129", 0, 7, "IPv6 prefix length", "ip6:::/129"},
    {"ip6 /032", "v=spf1 ip6:2001:db8::/032", 0, 7, "IPv6 prefix length", "ip6:"},
    {"ip6 dual length", "v=spf1 ip6:::1//64", 0, 7, "IPv6 prefix length", "ip6:"},
    {"ip6 with an ipv4 network", "v=spf1 ip6:192.0.2.1", 0, 7, "invalid IPv6 network", "ip6:"},
    {"ip6 empty network", "v=spf1 ip6:", 0, 7, "invalid IPv6 network", "ip6:"},
    {"ip6 two gaps", "v=spf1 ip6:1::2::3", 0, 7, "invalid IPv6 network", "ip6:"},
    {"ip6 too long", "v=spf1 ip6:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001", 0, 7,
     "invalid IPv6 network", "ip6:"},
    /* §7.1, §12 domain-spec endings */
    {"single label", "v=spf1 a:localhost", 0, 7, "top label", "a:localhost"},
    {"all-digit top label", "v=spf1 a:foo.123", 0, 7, "top label", "a:foo.123"},
    {"address as a domain", "v=spf1 a:192.0.2.1", 0, 7, "top label", "a:192.0.2.1"},
    {"top label starts with a hyphen", "v=spf1 a:foo.-com", 0, 7, "top label", "a:foo.-com"},
    {"top label ends with a hyphen", "v=spf1 a:foo.com-", 0, 7, "top label", "a:foo.com-"},
    {"top label with an underscore", "v=spf1 a:foo.c_m", 0, 7, "top label", "a:foo.c_m"},
    {"literal after a macro, no dot", "v=spf1 a:%{d}com", 0, 7, "top label", "a:%{d}com"},
    {"redirect to a single label", "v=spf1 redirect=example", 0, 7, "top label", "redirect="},
    {"exp ends in two dots", "v=spf1 exp=example.com..", 0, 7, "top label", "exp="},
    /* §7.1 macros in a domain-spec */
    {"unterminated macro", "v=spf1 a:%{", 0, 7, "unterminated macro", "a:%{"},
    {"invalid macro letter", "v=spf1 a:%{q}.example", 0, 7, "invalid macro letter", "a:%{q}"},
    {"zero digit", "v=spf1 a:%{d0}.example", 0, 7, "nonzero", "a:%{d0}"},
    {"huge digit", "v=spf1 a:%{d99999999999999999999}.example", 0, 7, "out of range", "a:%{d9"},
    {"bad escape", "v=spf1 a:%x.example", 0, 7, "must be followed by", "a:%x"},
    {"trailing percent", "v=spf1 a:example.com%", 0, 7, "at the end", "a:example.com%"},
    {"macro not closed", "v=spf1 a:%{l-.example", 0, 7, "unterminated or invalid macro", "a:%{l-"},
    {"c outside exp", "v=spf1 a:%{c}.example", 0, 7, "only in exp", "a:%{c}"},
    {"r outside exp", "v=spf1 exists:%{r}.example", 0, 7, "only in exp", "exists:%{r}"},
    {"t outside exp", "v=spf1 include:%{t}.example", 0, 7, "only in exp", "include:%{t}"},
    {"c in the exp domain-spec", "v=spf1 exp=%{c}.example", 0, 7, "only in exp", "exp=%{c}"},
    {"upper-case C outside exp", "v=spf1 a:%{C}.example", 0, 7, "only in exp", "a:%{C}"},
};

static void test_record_errors(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(ERR) / sizeof(ERR[0]); i++) {
        const err_case *c = &ERR[i];
        size_t len = c->len ? c->len : strlen(c->record);
        /* An exact-size copy so a read past len is caught under ASan. */
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, c->record, len);
        const ms_spf_record *rec = (const ms_spf_record *)1;
        ms_spf_parse_error err;
        ms_status st = ms_spf_record_parse(copy, len, arena, &rec, &err);
        EXPECT(st == MS_ESYNTAX, "case %s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        if (st != MS_ESYNTAX) {
            free(copy);
            continue;
        }
        EXPECT(rec == NULL, "case %s: got a record on error, want NULL", c->name);
        EXPECT(err.offset == c->want_offset, "case %s: got offset %zu, want %zu", c->name,
               err.offset, c->want_offset);
        EXPECT(err.reason != NULL && strstr(err.reason, c->want_reason) != NULL,
               "case %s: got reason \"%s\", want one with \"%s\"", c->name,
               err.reason ? err.reason : "(null)", c->want_reason);
        EXPECT(err.reason != NULL &&
                   (strstr(err.reason, "RFC 7208") != NULL || strstr(err.reason, "too") != NULL),
               "case %s: got reason \"%s\", want one citing RFC 7208", c->name,
               err.reason ? err.reason : "(null)");
        EXPECT(strncmp(err.detail, c->want_detail, strlen(c->want_detail)) == 0,
               "case %s: got detail \"%s\", want one starting \"%s\"", c->name, err.detail,
               c->want_detail);
        EXPECT(strlen(err.detail) < sizeof(err.detail), "case %s: got an unterminated detail",
               c->name);
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* Caps: record bytes (MS_LIMIT_SPF_RECORD) and terms (MS_LIMIT_SPF_TERMS). */
static void test_record_caps(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    const ms_spf_record *rec;
    ms_spf_parse_error err;

    /* MS_LIMIT_SPF_TERMS terms parse; one more does not. */
    size_t size = 6 + 2 * (MS_LIMIT_SPF_TERMS + 1);
    char *buf = malloc(size + 1);
    assert_non_null(buf);
    memcpy(buf, "v=spf1", 6);
    for (size_t i = 0; i <= MS_LIMIT_SPF_TERMS; i++) {
        memcpy(buf + 6 + 2 * i, " a", 2);
    }
    buf[size] = '\0';
    assert_int_equal(ms_spf_record_parse(buf, size - 2, arena, &rec, &err), MS_OK);
    assert_int_equal(rec->n_terms, MS_LIMIT_SPF_TERMS);
    assert_int_equal(ms_spf_record_parse(buf, size, arena, &rec, &err), MS_ESYNTAX);
    assert_non_null(strstr(err.reason, "too many terms"));
    free(buf);

    /* A record of MS_LIMIT_SPF_RECORD bytes parses; one byte more does not. */
    buf = malloc(MS_LIMIT_SPF_RECORD + 2);
    assert_non_null(buf);
    memcpy(buf, "v=spf1 exp=", 11);
    memset(buf + 11, 'x', MS_LIMIT_SPF_RECORD - 11 - 8);
    memcpy(buf + MS_LIMIT_SPF_RECORD - 8, ".example", 8);
    assert_int_equal(ms_spf_record_parse(buf, MS_LIMIT_SPF_RECORD, arena, &rec, &err), MS_OK);
    memcpy(buf + MS_LIMIT_SPF_RECORD - 8, "x.example", 9);
    assert_int_equal(ms_spf_record_parse(buf, MS_LIMIT_SPF_RECORD + 1, arena, &rec, &err),
                     MS_ESYNTAX);
    assert_non_null(strstr(err.reason, "too long"));
    assert_int_equal(err.offset, MS_LIMIT_SPF_RECORD);
    free(buf);

    /* The detail is cut to fit, never overflows. */
    char longterm[300];
    memcpy(longterm, "v=spf1 ", 7);
    memset(longterm + 7, 'z', sizeof(longterm) - 8);
    longterm[sizeof(longterm) - 1] = '\0';
    assert_int_equal(ms_spf_record_parse(longterm, strlen(longterm), arena, &rec, &err),
                     MS_ESYNTAX);
    assert_int_equal(strlen(err.detail), sizeof(err.detail) - 1);

    /* err may be NULL. */
    assert_int_equal(ms_spf_record_parse("v=spf1 foo", 10, arena, &rec, NULL), MS_ESYNTAX);
    ms_arena_free(arena);
}

/* A full arena is MS_ELIMIT, never a crash or a half record. */
static void test_record_arena_cap(void **state)
{
    (void)state;
    const char *r = "v=spf1 include:_spf.example.com a:mail.example.com mx ptr ip4:192.0.2.0/24 "
                    "ip6:2001:db8::/32 exists:%{i}.example.com redirect=x.example.com";
    unsigned n_ok = 0;
    for (size_t cap = 1; cap < 8192; cap += 61) {
        ms_arena *arena = new_arena(cap);
        const ms_spf_record *rec = NULL;
        ms_spf_parse_error err;
        ms_status st = ms_spf_record_parse(r, strlen(r), arena, &rec, &err);
        if (st == MS_OK) {
            assert_int_equal(rec->n_terms, 8);
            n_ok++;
        } else {
            assert_int_equal(st, MS_ELIMIT);
            assert_null(rec);
        }
        ms_arena_free(arena);
    }
    assert_true(n_ok > 0);
}

typedef struct is_case {
    const char *name;
    const char *txt;
    size_t len;
    bool want;
} is_case;

static const is_case IS[] = {
    {"exactly v=spf1", "v=spf1", 6, true},
    {"v=spf1 and a space", "v=spf1 ", 7, true},
    {"upper case", "V=SPF1 -all", 11, true},
    {"mixed case", "v=SpF1 a", 8, true},
    {"only the first len bytes count", "v=spf1x", 6, true},
    {"v=spf10", "v=spf10", 7, false},
    {"v=spf1-all", "v=spf1-all", 10, false},
    {"tab", "v=spf1\t-all", 11, false},
    {"short", "v=spf", 5, false},
    {"empty", "", 0, false},
    {"leading space", " v=spf1", 7, false},
    {"spf2.0", "spf2.0/pra ~all", 15, false},
    {"spf2.", "spf2.", 5, false},
    {"NUL after the version", "v=spf1\0-all", 11, false},
};

static void test_is_record(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(IS) / sizeof(IS[0]); i++) {
        const is_case *c = &IS[i];
        char *copy = malloc(c->len ? c->len : 1);
        assert_non_null(copy);
        memcpy(copy, c->txt, c->len);
        bool got = ms_spf_is_record(copy, c->len);
        EXPECT(got == c->want, "case %s: got %s, want %s", c->name, got ? "true" : "false",
               c->want ? "true" : "false");
        free(copy);
    }
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_valid),     cmocka_unit_test(test_record_offsets),
        cmocka_unit_test(test_record_errors),    cmocka_unit_test(test_record_caps),
        cmocka_unit_test(test_record_arena_cap), cmocka_unit_test(test_is_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
