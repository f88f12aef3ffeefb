/* SPDX-License-Identifier: MIT */
/* Master-file parser (RFC 1035 §5, RFC 2308 §4): each syntax feature read back through the
 * resolver, and each error with its status, line, column and offending token. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mailseal/dns.h"

#include "base/limits.h"

/* ---- helpers: an answer as one line of text -------------------------------------------- */

static void put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (*pos < size) {
        int n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
        *pos += n > 0 ? (size_t)n : 0;
    }
    va_end(ap);
}

static const char *name_or_root(const char *s)
{
    return s[0] ? s : ".";
}

static void format_rr(const ms_dns_rr *rr, char *buf, size_t size, size_t *pos)
{
    char addr[INET6_ADDRSTRLEN];
    put(buf, size, pos, "%u %s", rr->ttl, ms_dns_type_name(rr->type));
    switch (rr->type) {
    case MS_DNS_A:
        put(buf, size, pos, " %s", inet_ntop(AF_INET, rr->u.a, addr, sizeof(addr)));
        break;
    case MS_DNS_AAAA:
        put(buf, size, pos, " %s", inet_ntop(AF_INET6, rr->u.aaaa, addr, sizeof(addr)));
        break;
    case MS_DNS_MX:
        put(buf, size, pos, " %u %s", rr->u.mx.preference, name_or_root(rr->u.mx.exchange));
        break;
    case MS_DNS_SOA:
        put(buf, size, pos, " %s %s %u %u %u %u %u", rr->u.soa.mname, rr->u.soa.rname,
            rr->u.soa.serial, rr->u.soa.refresh, rr->u.soa.retry, rr->u.soa.expire,
            rr->u.soa.minimum);
        break;
    case MS_DNS_TXT:
    case MS_DNS_SPF: {
        size_t off = 0;
        for (size_t i = 0; i < rr->u.txt.n_strings; i++) {
            put(buf, size, pos, " \"");
            for (size_t k = 0; k < rr->u.txt.lens[i]; k++) {
                unsigned char c = (unsigned char)rr->u.txt.data[off + k];
                if (c == '"' || c == '\\') {
                    put(buf, size, pos, "\\%c", c);
                } else if (c < 0x20 || c > 0x7e) {
                    put(buf, size, pos, "\\%03u", c);
                } else {
                    put(buf, size, pos, "%c", c);
                }
            }
            off += rr->u.txt.lens[i];
            put(buf, size, pos, "\"");
        }
        if (off != rr->u.txt.len) {
            put(buf, size, pos, " (lens add to %zu, len %zu)", off, rr->u.txt.len);
        }
        break;
    }
    default:
        put(buf, size, pos, " %s", name_or_root(rr->u.name));
        break;
    }
}

/* "300 A 192.0.2.1 | 300 A 192.0.2.2", or "NXDOMAIN", "TEMPFAIL (why)". */
static void answer_text(ms_resolver *r, const char *qname, uint16_t qtype, char *buf, size_t size)
{
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    size_t pos = 0;
    buf[0] = '\0';
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        put(buf, size, &pos, "arena failed");
        return;
    }
    ms_status st = ms_resolver_query(r, qname, qtype, arena, &a);
    if (st != MS_OK) {
        put(buf, size, &pos, "query status %s", ms_status_name(st));
    } else if (a->rcode != MS_DNS_OK) {
        put(buf, size, &pos, "%s", ms_dns_rcode_name(a->rcode));
    } else {
        for (size_t i = 0; i < a->n_rr; i++) {
            put(buf, size, &pos, "%s", i ? " | " : "");
            format_rr(&a->rr[i], buf, size, &pos);
        }
    }
    ms_arena_free(arena);
}

/* ---- what loads ------------------------------------------------------------------------- */

typedef struct load_case {
    const char *name;
    const char *origin;
    const char *zone;
    const char *qname;
    uint16_t qtype;
    const char *want;
} load_case;

#define LABEL63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LABEL61 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LABEL62 LABEL61 "a"
#define X85 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define S255 X85 X85 X85 /* a character-string of the largest size, RFC 1035 §3.3 */

static const load_case load_cases[] = {
    {"A with TTL and class", "example", "www 300 IN A 192.0.2.1\n", "www.example", MS_DNS_A,
     "300 A 192.0.2.1"},
    {"AAAA", "example", "www IN AAAA 2001:db8::1\n", "www.example", MS_DNS_AAAA,
     "3600 AAAA 2001:db8::1"},
    {"two A at one owner", "example", "www A 192.0.2.1\nwww A 192.0.2.2\n", "www.example", MS_DNS_A,
     "3600 A 192.0.2.1 | 3600 A 192.0.2.2"},
    {"MX relative exchange", "example", "@ MX 10 mail\n", "example", MS_DNS_MX,
     "3600 MX 10 mail.example"},
    {"MX absolute exchange", "example", "@ MX 20 mx.other.test.\n", "example", MS_DNS_MX,
     "3600 MX 20 mx.other.test"},
    {"null MX (RFC 7505)", "example", "@ MX 0 .\n", "example", MS_DNS_MX, "3600 MX 0 ."},
    {"PTR", NULL, "1.2.0.192.in-addr.arpa. PTR host.example.\n", "1.2.0.192.in-addr.arpa",
     MS_DNS_PTR, "3600 PTR host.example"},
    {"CNAME asked as CNAME", "example", "alias CNAME www\nwww A 192.0.2.1\n", "alias.example",
     MS_DNS_CNAME, "3600 CNAME www.example"},
    {"NS", "example", "@ NS ns1\n@ NS ns2.example.\n", "example", MS_DNS_NS,
     "3600 NS ns1.example | 3600 NS ns2.example"},
    {"SOA across parentheses with timers in units", "example",
     "@ 3600 IN SOA ns1 hostmaster (\n  2024010101 ; serial\n  1h 15m 1w\n  300 )\n", "example",
     MS_DNS_SOA, "3600 SOA ns1.example hostmaster.example 2024010101 3600 900 604800 300"},
    {"TXT several quoted strings", "example", "@ TXT \"v=spf1 \" \"-all\"\n", "example", MS_DNS_TXT,
     "3600 TXT \"v=spf1 \" \"-all\""},
    {"TXT unquoted words are strings", "example", "@ TXT hello world\n", "example", MS_DNS_TXT,
     "3600 TXT \"hello\" \"world\""},
    {"TXT escapes", "example", "@ TXT \"a\\\"b\\\\c\\059\\255\\ \"\n", "example", MS_DNS_TXT,
     "3600 TXT \"a\\\"b\\\\c;\\255 \""},
    {"TXT empty string", "example", "@ TXT \"\"\n", "example", MS_DNS_TXT, "3600 TXT \"\""},
    {"TXT semicolon inside quotes is text", "example", "@ TXT \"a;b\" ; a comment\n", "example",
     MS_DNS_TXT, "3600 TXT \"a;b\""},
    {"TXT parentheses inside quotes are text", "example", "@ TXT \"(x)\"\n", "example", MS_DNS_TXT,
     "3600 TXT \"(x)\""},
    {"TXT of 255 octets", "example", "@ TXT \"" S255 "\"\n", "example", MS_DNS_TXT,
     "3600 TXT \"" S255 "\""},
    {"TXT strings across lines", "example", "@ TXT ( \"a\" ; one\n \"b\" ; two\n )\n", "example",
     MS_DNS_TXT, "3600 TXT \"a\" \"b\""},
    {"SPF type 99", "example", "@ SPF \"v=spf1 -all\"\n", "example", MS_DNS_SPF,
     "3600 SPF \"v=spf1 -all\""},
    {"$ORIGIN absolute without origin argument", NULL, "$ORIGIN other.test.\nwww A 192.0.2.2\n",
     "www.other.test", MS_DNS_A, "3600 A 192.0.2.2"},
    {"$ORIGIN relative to the current origin", "example", "$ORIGIN sub\nwww A 192.0.2.3\n",
     "www.sub.example", MS_DNS_A, "3600 A 192.0.2.3"},
    {"$TTL with a unit", "example", "$TTL 2h\nwww A 192.0.2.1\n", "www.example", MS_DNS_A,
     "7200 A 192.0.2.1"},
    {"TTL in several units", "example", "www 1w2d3h4m5s A 192.0.2.1\n", "www.example", MS_DNS_A,
     "788645 A 192.0.2.1"},
    {"TTL units in capitals", "example", "www 1H A 192.0.2.1\n", "www.example", MS_DNS_A,
     "3600 A 192.0.2.1"},
    {"TTL zero", "example", "www 0 A 192.0.2.1\n", "www.example", MS_DNS_A, "0 A 192.0.2.1"},
    {"TTL largest (RFC 2181 §8)", "example", "www 2147483647 A 192.0.2.1\n", "www.example",
     MS_DNS_A, "2147483647 A 192.0.2.1"},
    {"last stated TTL reused (RFC 1035 §5.1)", "example", "a 120 A 192.0.2.1\nb A 192.0.2.2\n",
     "b.example", MS_DNS_A, "120 A 192.0.2.2"},
    {"$TTL wins over the last stated TTL (RFC 2308 §4)", "example",
     "$TTL 60\na 120 A 192.0.2.1\nb A 192.0.2.2\n", "b.example", MS_DNS_A, "60 A 192.0.2.2"},
    {"default TTL 3600", "example", "www A 192.0.2.1\n", "www.example", MS_DNS_A,
     "3600 A 192.0.2.1"},
    {"class before TTL", "example", "www IN 300 A 192.0.2.1\n", "www.example", MS_DNS_A,
     "300 A 192.0.2.1"},
    {"class in lower case", "example", "www in a 192.0.2.1\n", "www.example", MS_DNS_A,
     "3600 A 192.0.2.1"},
    {"owner inherited after spaces", "example", "www A 192.0.2.1\n    TXT \"x\"\n", "www.example",
     MS_DNS_TXT, "3600 TXT \"x\""},
    {"owner inherited after a tab", "example", "www A 192.0.2.1\n\t300 IN TXT \"y\"\n",
     "www.example", MS_DNS_TXT, "300 TXT \"y\""},
    {"owner inherited across $TTL", "example", "www A 192.0.2.1\n$TTL 5\n TXT z\n", "www.example",
     MS_DNS_TXT, "5 TXT \"z\""},
    {"@ is the origin", "example.", "@ A 192.0.2.9\n", "example", MS_DNS_A, "3600 A 192.0.2.9"},
    {"absolute owner ignores origin", "example", "host.other.test. A 192.0.2.1\n",
     "host.other.test", MS_DNS_A, "3600 A 192.0.2.1"},
    {"escaped dot stays in its label", "example", "a\\.b TXT x\n", "a\\046b.example", MS_DNS_TXT,
     "3600 TXT \"x\""},
    {"decimal escape in a name", "example", "\\065bc A 192.0.2.1\n", "abc.example", MS_DNS_A,
     "3600 A 192.0.2.1"},
    {"names are case-insensitive", "example", "WWW.Example.TEST. A 192.0.2.1\n", "www.EXAMPLE.test",
     MS_DNS_A, "3600 A 192.0.2.1"},
    {"CNAME target lowercased", "example", "a CNAME WWW.Other.\n", "a.example", MS_DNS_CNAME,
     "3600 CNAME www.other"},
    {"CRLF line ends", "example", "www A 192.0.2.1\r\nmail A 192.0.2.5\r\n", "mail.example",
     MS_DNS_A, "3600 A 192.0.2.5"},
    {"no newline at the end", "example", "www A 192.0.2.1", "www.example", MS_DNS_A,
     "3600 A 192.0.2.1"},
    {"comments and blank lines", "example", "; zone\n\n   \n; more\nwww A 192.0.2.1 ; tail\n",
     "www.example", MS_DNS_A, "3600 A 192.0.2.1"},
    {"UTF-8 byte order mark", "example", "\xEF\xBB\xBFwww A 192.0.2.1\n", "www.example", MS_DNS_A,
     "3600 A 192.0.2.1"},
    {"label of 63 octets", "example", LABEL63 " A 192.0.2.1\n", LABEL63 ".example", MS_DNS_A,
     "3600 A 192.0.2.1"},
    {"name of 253 octets", NULL, LABEL63 "." LABEL63 "." LABEL63 "." LABEL61 ". A 192.0.2.1\n",
     LABEL63 "." LABEL63 "." LABEL63 "." LABEL61, MS_DNS_A, "3600 A 192.0.2.1"},
    {"wildcard owner", "example", "* TXT w\n", "anything.example", MS_DNS_TXT, "3600 TXT \"w\""},
    {"root origin", ".", "www.test A 192.0.2.1\n", "www.test", MS_DNS_A, "3600 A 192.0.2.1"},
    {"record after an empty line inside parentheses", "example",
     "@ MX (\n\n 5 mx )\nx A 192.0.2.1\n", "example", MS_DNS_MX, "3600 MX 5 mx.example"},
};

static void test_load_features(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++) {
        const load_case *c = &load_cases[i];
        ms_resolver *r = NULL;
        ms_zone_error err;
        assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
        ms_status st = ms_zone_load_text(r, c->zone, strlen(c->zone), c->origin, &err);
        if (st != MS_OK) {
            print_error("%s: load got %s (line %u col %u: %s [%s]), want MS_OK\n", c->name,
                        ms_status_name(st), err.line, err.column, err.reason, err.detail);
            failures++;
        } else {
            char got[2048];
            answer_text(r, c->qname, c->qtype, got, sizeof(got));
            if (strcmp(got, c->want) != 0) {
                print_error("%s: got \"%s\", want \"%s\"\n", c->name, got, c->want);
                failures++;
            }
        }
        ms_resolver_free(r);
    }
    assert_int_equal(failures, 0);
}

/* ---- what is refused -------------------------------------------------------------------- */

typedef struct error_case {
    const char *name;
    const char *origin;
    const char *zone;
    size_t len; /* 0: strlen(zone) */
    ms_status want;
    unsigned line, column;
    const char *detail;
} error_case;

static const error_case error_cases[] = {
    {"garbage without a type", "example", "}{}{\n", 0, MS_ESYNTAX, 1, 5, ""},
    {"binary garbage", "example", "\x01\x02\xff\xfe ~~~ \x7f\n", 0, MS_ESYNTAX, 1, 6, "~~~"},
    {"unterminated quote", "example", "t TXT \"abc\nnext A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 7,
     "\"abc"},
    {"quote open at end of input", "example", "t TXT \"abc\\\"", 0, MS_ESYNTAX, 1, 7, "\"abc\\\""},
    {"')' without '('", "example", "www A 192.0.2.1 )\n", 0, MS_ESYNTAX, 1, 17, ")"},
    {"'(' never closed", "example", "a A 192.0.2.1\nt TXT ( \"a\"\n \"b\"\n", 0, MS_ESYNTAX, 2, 7,
     "("},
    {"nested '('", "example", "t TXT ( ( a ) )\n", 0, MS_ESYNTAX, 1, 9, "("},
    {"bad IPv4: three parts", "example", "www A 192.0.2\n", 0, MS_ESYNTAX, 1, 7, "192.0.2"},
    {"bad IPv4: 256", "example", "www A 256.0.2.1\n", 0, MS_ESYNTAX, 1, 7, "256.0.2.1"},
    {"bad IPv4: IPv6 given", "example", "www A 2001:db8::1\n", 0, MS_ESYNTAX, 1, 7, "2001:db8::1"},
    {"bad IPv6", "example", "www AAAA 2001:db8::g\n", 0, MS_ESYNTAX, 1, 10, "2001:db8::g"},
    {"quoted address", "example", "www A \"192.0.2.1\"\n", 0, MS_ESYNTAX, 1, 7, "192.0.2.1"},
    {"label of 64 octets", "example", "\n" LABEL63 "a A 192.0.2.1\n", 0, MS_ESYNTAX, 2, 1,
     LABEL63 "a"},
    {"name of 254 octets", NULL, LABEL63 "." LABEL63 "." LABEL63 "." LABEL62 ". A 192.0.2.1\n", 0,
     MS_ESYNTAX, 1, 1, LABEL63},
    {"name of 254 octets once the origin is added", LABEL63 "." LABEL63 "." LABEL63,
     "www A 192.0.2.1\n" LABEL62 " A 192.0.2.1\n", 0, MS_ESYNTAX, 2, 1, LABEL62},
    {"string of 256 octets", "example", "t TXT \"" S255 "x\"\n", 0, MS_ESYNTAX, 1, 7,
     "" /* checked by prefix below */},
    {"escape makes 256 octets", "example", "t TXT " S255 "\\065\n", 0, MS_ESYNTAX, 1, 7, ""},
    {"unknown type", "example", "www HINFO \"pc\" \"unix\"\n", 0, MS_ESYNTAX, 1, 5, "HINFO"},
    {"class CH", "example", "www CH TXT \"x\"\n", 0, MS_ESYNTAX, 1, 5, "CH"},
    {"class HS after TTL", "example", "www 60 HS TXT \"x\"\n", 0, MS_ESYNTAX, 1, 8, "HS"},
    {"class CLASS3", "example", "www CLASS3 TXT \"x\"\n", 0, MS_ESYNTAX, 1, 5, "CLASS3"},
    {"NUL byte", "example", "www A 192.0.2.1\nm\0x A 192.0.2.2\n", 32, MS_ESYNTAX, 2, 2, "\\000"},
    {"NUL byte inside a comment", "example", "; c\0mment\n", 10, MS_ESYNTAX, 1, 4, "\\000"},
    {"relative name without origin", NULL, "www A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 1, "www"},
    {"relative rdata name without origin", NULL, "a.test. CNAME www\n", 0, MS_ESYNTAX, 1, 15,
     "www"},
    {"@ without origin", NULL, "@ A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 1, "@"},
    {"$INCLUDE refused", "example", "www A 192.0.2.1\n$INCLUDE other.zone\n", 0, MS_ESYNTAX, 2, 1,
     "$INCLUDE"},
    {"unknown directive", "example", "$GENERATE 1-10 h$ A 192.0.2.$\n", 0, MS_ESYNTAX, 1, 1,
     "$GENERATE"},
    {"$ORIGIN without a name", "example", "$ORIGIN\n", 0, MS_ESYNTAX, 1, 8, ""},
    {"$ORIGIN relative without origin", NULL, "$ORIGIN sub\n", 0, MS_ESYNTAX, 1, 9, "sub"},
    {"$TTL not a number", "example", "$TTL soon\n", 0, MS_ESYNTAX, 1, 6, "soon"},
    {"$TTL with extra text", "example", "$TTL 60 70\n", 0, MS_ESYNTAX, 1, 9, "70"},
    {"white space first with no owner before", "example", "  A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 3,
     "A"},
    {"TTL too large", "example", "www 2147483648 A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 5, "2147483648"},
    {"TTL units too large", "example", "www 3551w A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 5, "3551w"},
    {"TTL bad unit", "example", "www 1y A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 5, "1y"},
    {"TTL given twice", "example", "www 60 IN 70 A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 11, "70"},
    {"class given twice", "example", "www IN 60 IN A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 11, "IN"},
    {"missing type", "example", "www 60 IN\n", 0, MS_ESYNTAX, 1, 10, ""},
    {"missing type at end of input", "example", "www", 0, MS_ESYNTAX, 1, 4, ""},
    {"quoted type", "example", "www \"A\" 192.0.2.1\n", 0, MS_ESYNTAX, 1, 5, "A"},
    {"quoted owner", "example", "\"www\" A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 1, "www"},
    {"missing address", "example", "www A\n", 0, MS_ESYNTAX, 1, 6, ""},
    {"missing TXT strings", "example", "www TXT ; nothing\n", 0, MS_ESYNTAX, 1, 18, ""},
    {"MX preference too large", "example", "@ MX 65536 mail\n", 0, MS_ESYNTAX, 1, 6, "65536"},
    {"MX preference not a number", "example", "@ MX mail\n", 0, MS_ESYNTAX, 1, 6, "mail"},
    {"MX without exchange", "example", "@ MX 10\n", 0, MS_ESYNTAX, 1, 8, ""},
    {"CNAME target quoted", "example", "a CNAME \"b\"\n", 0, MS_ESYNTAX, 1, 9, "b"},
    {"SOA missing timers", "example", "@ SOA ns1 host ( 1 2 3 )\nx A 192.0.2.1\n", 0, MS_ESYNTAX, 1,
     25, ""},
    {"SOA serial too large", "example", "@ SOA ns1 host 4294967296 1 2 3 4\n", 0, MS_ESYNTAX, 1, 16,
     "4294967296"},
    {"SOA bad timer", "example", "@ SOA ns1 host 1 2 3 4x 5\n", 0, MS_ESYNTAX, 1, 22, "4x"},
    {"text after the record", "example", "www A 192.0.2.1 extra\n", 0, MS_ESYNTAX, 1, 17, "extra"},
    {"empty label", "example", "a..b A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 1, "a..b"},
    {"leading dot", "example", ".a A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 1, ".a"},
    {"decimal escape above 255", "example", "\\256 A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 1, "\\256"},
    {"short decimal escape", "example", "a\\1 A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 1, "a\\1"},
    {"bad escape in a string", "example", "t TXT \"\\25x\"\n", 0, MS_ESYNTAX, 1, 7, "\\25x"},
    {"backslash at end of line", "example", "www\\\n", 0, MS_ESYNTAX, 1, 1, "www\\"},
    {"the root as owner", NULL, ". A 192.0.2.1\n", 0, MS_ESYNTAX, 1, 3, "A"},
    {"error on a later line", "example", "a A 192.0.2.1\n\n; comment\nb MX ( 10\n  mx ) junk\n", 0,
     MS_ESYNTAX, 5, 8, "junk"},
};

static void test_load_errors(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        const error_case *c = &error_cases[i];
        ms_resolver *r = NULL;
        ms_zone_error err;
        assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
        size_t len = c->len ? c->len : strlen(c->zone);
        ms_status st = ms_zone_load_text(r, c->zone, len, c->origin, &err);
        if (st != c->want || err.line != c->line || err.column != c->column || err.reason == NULL ||
            err.reason[0] == '\0' || strncmp(err.detail, c->detail, strlen(c->detail)) != 0) {
            print_error("%s: got %s at %u:%u [%s] (%s), want %s at %u:%u [%s]\n", c->name,
                        ms_status_name(st), err.line, err.column, err.detail,
                        err.reason ? err.reason : "no reason", ms_status_name(c->want), c->line,
                        c->column, c->detail);
            failures++;
        }
        ms_resolver_free(r);
    }
    assert_int_equal(failures, 0);
}

/* The reasons say what went wrong in words a zone author can act on. */
static void test_error_reasons(void **state)
{
    (void)state;
    static const struct {
        const char *zone;
        const char *origin;
        const char *reason_has;
    } cases[] = {
        {"$INCLUDE x\n", "example", "listed explicitly"},
        {"www HINFO a b\n", "example", "unsupported record type"},
        {"www CH TXT x\n", "example", "only class IN"},
        {LABEL63 "a A 192.0.2.1\n", "example", "63 octets"},
        {"www A 192.0.2.1\n", NULL, "no origin"},
        {"t TXT \"" S255 "x\"\n", "example", "255 octets"},
        {"t TXT \"abc\n", "example", "not closed"},
        {"www A 1.2.3\n", "example", "IPv4"},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms_resolver *r = NULL;
        ms_zone_error err;
        assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
        ms_status st =
            ms_zone_load_text(r, cases[i].zone, strlen(cases[i].zone), cases[i].origin, &err);
        if (st == MS_OK || err.reason == NULL || strstr(err.reason, cases[i].reason_has) == NULL) {
            print_error("case %zu: got reason \"%s\", want it to mention \"%s\"\n", i,
                        err.reason ? err.reason : "(null)", cases[i].reason_has);
            failures++;
        }
        ms_resolver_free(r);
    }
    assert_int_equal(failures, 0);
}

/* The detail is the token cut to fit, never overflowing. */
static void test_error_detail_cut(void **state)
{
    (void)state;
    ms_resolver *r = NULL;
    ms_zone_error err;
    assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
    const char *zone = "www A " LABEL63 LABEL63 "\n";
    assert_int_equal(ms_zone_load_text(r, zone, strlen(zone), "example", &err), MS_ESYNTAX);
    assert_int_equal(strlen(err.detail), sizeof(err.detail) - 1);
    assert_memory_equal(err.detail, LABEL63, 63);
    ms_resolver_free(r);
}

/* ---- caps: MS_ELIMIT -------------------------------------------------------------------- */

static void test_limits(void **state)
{
    (void)state;
    ms_resolver *r = NULL;
    ms_zone_error err;
    assert_int_equal(ms_resolver_new_zone(&r), MS_OK);

    /* One token longer than MS_LIMIT_ZONE_TOKEN. */
    size_t len = 4 + MS_LIMIT_ZONE_TOKEN + 1;
    char *text = malloc(len + 1);
    assert_non_null(text);
    memcpy(text, "t A ", 4);
    memset(text + 4, '1', len - 4);
    text[len] = '\0';
    ms_status st = ms_zone_load_text(r, text, len, "example", &err);
    if (st != MS_ELIMIT || err.line != 1 || err.column != 5) {
        fail_msg("long token: got %s at %u:%u, want MS_ELIMIT at 1:5", ms_status_name(st), err.line,
                 err.column);
    }
    free(text);

    /* TXT strings whose wire form passes 65535 octets: 300 strings of 250. */
    const size_t n = 300;
    len = 6 + n * 251 + 1;
    text = malloc(len + 1);
    assert_non_null(text);
    memcpy(text, "t TXT ", 6);
    size_t pos = 6;
    for (size_t i = 0; i < n; i++) {
        memset(text + pos, 'y', 250);
        text[pos + 250] = ' ';
        pos += 251;
    }
    text[pos++] = '\n';
    st = ms_zone_load_text(r, text, pos, "example", &err);
    if (st != MS_ELIMIT || err.line != 1) {
        fail_msg("long TXT: got %s at %u:%u, want MS_ELIMIT on line 1", ms_status_name(st),
                 err.line, err.column);
    }
    free(text);

    /* Text larger than the file cap is refused before it is read. */
    st = ms_zone_load_text(r, "", (size_t)MS_LIMIT_ZONE_FILE_BYTES + 1, "example", &err);
    assert_int_equal(st, MS_ELIMIT);
    ms_resolver_free(r);
}

/* ---- arguments, files, partial loads ---------------------------------------------------- */

static void test_arguments(void **state)
{
    (void)state;
    ms_resolver *r = NULL;
    ms_zone_error err;
    assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
    assert_int_equal(ms_zone_load_text(NULL, "", 0, NULL, &err), MS_EINVAL);
    assert_int_equal(ms_zone_load_text(r, NULL, 5, NULL, &err), MS_EINVAL);
    assert_int_equal(ms_zone_load_text(r, NULL, 0, NULL, &err), MS_OK);
    assert_int_equal(ms_zone_load_text(r, "", 0, "exa..mple", &err), MS_EINVAL);
    assert_non_null(err.reason);
    assert_string_equal(err.detail, "exa..mple");
    assert_int_equal(ms_zone_load_text(r, "", 0, "@", &err), MS_EINVAL);
    assert_int_equal(ms_zone_load_file(r, NULL, NULL, &err), MS_EINVAL);
    /* err may be NULL */
    assert_int_equal(ms_zone_load_text(r, "x A 1\n", 6, "example", NULL), MS_ESYNTAX);
    assert_int_equal(ms_zone_load_text(r, "x A 192.0.2.1\n", 14, "example", NULL), MS_OK);
    /* the error is cleared by a good load */
    assert_int_equal(ms_zone_load_text(r, "y A 192.0.2.1\n", 14, "example", &err), MS_OK);
    assert_null(err.reason);
    assert_int_equal(err.line, 0);
    ms_resolver_free(r);
}

/* Records before the error stay in the view; the rest of the file is not read. */
static void test_partial_load(void **state)
{
    (void)state;
    ms_resolver *r = NULL;
    ms_zone_error err;
    char got[256];
    assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
    const char *zone = "a A 192.0.2.1\nb BOGUS x\nc A 192.0.2.3\n";
    assert_int_equal(ms_zone_load_text(r, zone, strlen(zone), "example", &err), MS_ESYNTAX);
    assert_int_equal(err.line, 2);
    answer_text(r, "a.example", MS_DNS_A, got, sizeof(got));
    assert_string_equal(got, "3600 A 192.0.2.1");
    answer_text(r, "c.example", MS_DNS_A, got, sizeof(got));
    assert_string_equal(got, "NXDOMAIN");
    ms_resolver_free(r);
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/mailseal-zonefile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *zone = "$TTL 600\n@ TXT \"v=spf1 a -all\"\nwww A 192.0.2.7\n";
    assert_int_equal(write(fd, zone, strlen(zone)), (ssize_t)strlen(zone));
    close(fd);

    ms_resolver *r = NULL;
    ms_zone_error err;
    char got[256];
    assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
    ms_status st = ms_zone_load_file(r, path, "file.example.", &err);
    if (st != MS_OK) {
        fail_msg("load_file: got %s (%s), want MS_OK", ms_status_name(st), err.reason);
    }
    answer_text(r, "file.example", MS_DNS_TXT, got, sizeof(got));
    assert_string_equal(got, "600 TXT \"v=spf1 a -all\"");
    answer_text(r, "www.file.example", MS_DNS_A, got, sizeof(got));
    assert_string_equal(got, "600 A 192.0.2.7");
    unlink(path);

    /* A missing file and a folder are MS_EIO, with the path as detail. */
    st = ms_zone_load_file(r, path, NULL, &err);
    if (st != MS_EIO || strcmp(err.detail, path) != 0 || err.reason == NULL) {
        fail_msg("missing file: got %s [%s], want MS_EIO [%s]", ms_status_name(st), err.detail,
                 path);
    }
    st = ms_zone_load_file(r, "/tmp", NULL, &err);
    if (st != MS_EIO) {
        fail_msg("folder: got %s, want MS_EIO", ms_status_name(st));
    }
    ms_resolver_free(r);
}

/* Two loads into one view merge; state ($ORIGIN, $TTL, owner) does not carry over. */
static void test_loads_are_independent(void **state)
{
    (void)state;
    ms_resolver *r = NULL;
    ms_zone_error err;
    char got[256];
    assert_int_equal(ms_resolver_new_zone(&r), MS_OK);
    const char *one = "$ORIGIN one.test.\n$TTL 10\nwww A 192.0.2.1\n";
    const char *two = "  A 192.0.2.2\n";
    assert_int_equal(ms_zone_load_text(r, one, strlen(one), NULL, &err), MS_OK);
    assert_int_equal(ms_zone_load_text(r, two, strlen(two), NULL, &err), MS_ESYNTAX);
    const char *three = "www A 192.0.2.3\n";
    assert_int_equal(ms_zone_load_text(r, three, strlen(three), NULL, &err), MS_ESYNTAX);
    assert_int_equal(ms_zone_load_text(r, three, strlen(three), "two.test", &err), MS_OK);
    answer_text(r, "www.two.test", MS_DNS_A, got, sizeof(got));
    assert_string_equal(got, "3600 A 192.0.2.3");
    answer_text(r, "www.one.test", MS_DNS_A, got, sizeof(got));
    assert_string_equal(got, "10 A 192.0.2.1");
    ms_resolver_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_features),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_error_reasons),
        cmocka_unit_test(test_error_detail_cut),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_partial_load),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_loads_are_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
