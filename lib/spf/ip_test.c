/* SPDX-License-Identifier: MIT */
/* Client addresses as SPF sees them (RFC 7208 §5: IPv4-mapped IPv6 is IPv4), the strict
 * ip4-network of §12, CIDR matching (§5.6) and the %{i} / %{c} forms (§7.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spf/ip.h"

#include "ms_expect.h"

static void hex(const uint8_t *a, size_t n, char *buf)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(buf + 2 * i, 3, "%02x", a[i]);
    }
}

typedef struct parse_case {
    const char *name;
    const char *text;
    bool ok;
    int family;
    const char *addr_hex; /* the bytes used (4 or 16) */
} parse_case;

static const parse_case PARSE[] = {
    {"ipv4", "192.0.2.1", true, 4, "c0000201"},
    {"ipv4 zeros", "0.0.0.0", true, 4, "00000000"},
    {"ipv4 max", "255.255.255.255", true, 4, "ffffffff"},
    {"ipv6", "2001:db8::cb01", true, 6, "20010db800000000000000000000cb01"},
    {"ipv6 loopback", "::1", true, 6, "00000000000000000000000000000001"},
    {"ipv6 upper case", "2001:DB8::CB01", true, 6, "20010db800000000000000000000cb01"},
    {"ipv4-mapped is ipv4", "::ffff:192.0.2.1", true, 4, "c0000201"},
    {"ipv4-mapped hex form", "::ffff:c000:0201", true, 4, "c0000201"},
    {"ipv4-compatible stays ipv6", "::192.0.2.1", true, 6, "000000000000000000000000c0000201"},
    {"empty", "", false, 0, NULL},
    {"five parts", "1.2.3.4.5", false, 0, NULL},
    {"three parts", "1.2.3", false, 0, NULL},
    {"octet too big", "256.1.1.1", false, 0, NULL},
    {"leading space", " 192.0.2.1", false, 0, NULL},
    {"trailing garbage", "192.0.2.1x", false, 0, NULL},
    {"bracketed literal", "[192.0.2.1]", false, 0, NULL},
    {"ipv6 two gaps", "1::2::3", false, 0, NULL},
    {"ipv6 with zone", "fe80::1%eth0", false, 0, NULL},
    {"name", "mail.example.com", false, 0, NULL},
};

static void test_ip_parse(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(PARSE) / sizeof(PARSE[0]); i++) {
        const parse_case *c = &PARSE[i];
        ms__spf_ip ip;
        bool ok = ms__spf_ip_parse(c->text, &ip);
        EXPECT(ok == c->ok, "case %s: got %s, want %s", c->name, ok ? "ok" : "error",
               c->ok ? "ok" : "error");
        if (!ok || !c->ok) {
            continue;
        }
        char got[40];
        hex(ip.addr, ip.family == 4 ? 4 : 16, got);
        EXPECT(ip.family == c->family, "case %s: got family %d, want %d", c->name, ip.family,
               c->family);
        EXPECT(strcmp(got, c->addr_hex) == 0, "case %s: got address %s, want %s", c->name, got,
               c->addr_hex);
    }
    ms__spf_ip ip;
    EXPECT(!ms__spf_ip_parse(NULL, &ip), "case NULL: got ok, want error");
    assert_int_equal(n_bad, 0);
}

/* The RFC 7208 §7.4 IPv6 address, checked byte by byte (the table above keeps to text). */
static void test_ip_parse_v6_bytes(void **state)
{
    (void)state;
    ms__spf_ip ip;
    assert_true(ms__spf_ip_parse("2001:db8::cb01", &ip));
    static const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,    0,
                                     0,    0,    0,    0,    0, 0, 0xcb, 0x01};
    assert_int_equal(ip.family, 6);
    assert_memory_equal(ip.addr, want, 16);
}

typedef struct ip4_case {
    const char *name;
    const char *text;
    size_t len; /* 0 = strlen */
    bool ok;
    uint8_t want[4];
} ip4_case;

static const ip4_case IP4[] = {
    {"plain", "192.0.2.1", 0, true, {192, 0, 2, 1}},
    {"zeros", "0.0.0.0", 0, true, {0, 0, 0, 0}},
    {"max", "255.255.255.255", 0, true, {255, 255, 255, 255}},
    {"by length, not NUL", "10.1.2.3/24", 8, true, {10, 1, 2, 3}},
    {"leading zero", "01.2.3.4", 0, false, {0}},
    {"leading zero last", "1.2.3.04", 0, false, {0}},
    {"three parts", "1.2.3", 0, false, {0}},
    {"five parts", "1.2.3.4.5", 0, false, {0}},
    {"256", "1.2.3.256", 0, false, {0}},
    {"four digits", "1234.1.1.1", 0, false, {0}},
    {"empty part", "1..2.3", 0, false, {0}},
    {"empty", "", 0, false, {0}},
    {"trailing dot", "1.2.3.4.", 0, false, {0}},
    {"letters", "a.b.c.d", 0, false, {0}},
    {"sign", "+1.2.3.4", 0, false, {0}},
    {"space", "1.2.3.4 ", 0, false, {0}},
};

static void test_ip4_parse(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(IP4) / sizeof(IP4[0]); i++) {
        const ip4_case *c = &IP4[i];
        uint8_t got[4] = {0};
        size_t len = c->len ? c->len : strlen(c->text);
        bool ok = ms__spf_ip4_parse(c->text, len, got);
        EXPECT(ok == c->ok, "case %s: got %s, want %s", c->name, ok ? "ok" : "error",
               c->ok ? "ok" : "error");
        if (ok && c->ok) {
            EXPECT(memcmp(got, c->want, 4) == 0, "case %s: got %u.%u.%u.%u, want %u.%u.%u.%u",
                   c->name, got[0], got[1], got[2], got[3], c->want[0], c->want[1], c->want[2],
                   c->want[3]);
        }
    }
    assert_int_equal(n_bad, 0);
}

typedef struct match_case {
    const char *name;
    const char *client;
    const char *net; /* address text of the same family */
    unsigned prefix;
    bool want;
} match_case;

static const match_case MATCH[] = {
    {"v4 /32 equal", "192.0.2.1", "192.0.2.1", 32, true},
    {"v4 /32 differs", "192.0.2.1", "192.0.2.2", 32, false},
    {"v4 /24 inside", "192.0.2.200", "192.0.2.0", 24, true},
    {"v4 /24 outside", "192.0.3.1", "192.0.2.0", 24, false},
    {"v4 /0 everything", "203.0.113.9", "0.0.0.0", 0, true},
    {"v4 /31", "192.0.2.3", "192.0.2.2", 31, true},
    {"v4 /31 outside", "192.0.2.4", "192.0.2.2", 31, false},
    {"v4 /1", "127.0.0.1", "0.0.0.0", 1, true},
    {"v4 /1 outside", "128.0.0.1", "0.0.0.0", 1, false},
    {"v4 /28 bits in the host part ignored", "192.0.2.129", "192.0.2.128", 28, true},
    {"v4 prefix past 32", "192.0.2.1", "192.0.2.1", 33, false},
    {"v6 /128 equal", "2001:db8::1", "2001:db8::1", 128, true},
    {"v6 /128 differs", "2001:db8::1", "2001:db8::2", 128, false},
    {"v6 /32", "2001:db8:ffff::1", "2001:db8::", 32, true},
    {"v6 /32 outside", "2001:db9::1", "2001:db8::", 32, false},
    {"v6 /0", "ff02::1", "::", 0, true},
    {"v6 /127", "2001:db8::1", "2001:db8::", 127, true},
    {"v6 /68 nibble edge", "2001:db8::0fff:0:0:1", "2001:db8::", 68, true},
    {"v6 /68 nibble edge outside", "2001:db8::1000:0:0:1", "2001:db8::", 68, false},
    {"v6 prefix past 128", "2001:db8::1", "2001:db8::1", 129, false},
};

static void test_ip_match(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(MATCH) / sizeof(MATCH[0]); i++) {
        const match_case *c = &MATCH[i];
        ms__spf_ip ip, net;
        assert_true(ms__spf_ip_parse(c->client, &ip));
        assert_true(ms__spf_ip_parse(c->net, &net));
        bool got = ms__spf_ip_match(&ip, net.addr, c->prefix);
        EXPECT(got == c->want, "case %s: got %s, want %s", c->name, got ? "match" : "no match",
               c->want ? "match" : "no match");
        bool in = ms__spf_ip_in(&ip, net.family, net.addr, c->prefix);
        EXPECT(in == c->want, "case %s (ip_in): got %s, want %s", c->name,
               in ? "match" : "no match", c->want ? "match" : "no match");
        /* §5: an A record never matches an IPv6 client, an AAAA record never an IPv4 one. */
        bool cross = ms__spf_ip_in(&ip, net.family == 4 ? 6 : 4, net.addr, 0);
        EXPECT(!cross, "case %s (other family): got match, want no match", c->name);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct text_case {
    const char *name;
    const char *client;
    const char *want_i; /* %{i} */
    const char *want_c; /* %{c} */
} text_case;

static const text_case TEXT[] = {
    {"v4", "192.0.2.3", "192.0.2.3", "192.0.2.3"},
    {"v4 mapped", "::ffff:192.0.2.3", "192.0.2.3", "192.0.2.3"},
    /* RFC 7208 §7.4's IPv6 example; %{c} is RFC 5952 text. */
    {"v6 rfc 7208 §7.4", "2001:db8::cb01",
     "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1", "2001:db8::cb01"},
    {"v6 written long", "2001:0DB8:0000:0000:0000:0000:0000:0001",
     "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1", "2001:db8::1"},
    {"v6 all ones", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f",
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
};

static void test_ip_macro_forms(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(TEXT) / sizeof(TEXT[0]); i++) {
        const text_case *c = &TEXT[i];
        ms__spf_ip ip;
        assert_true(ms__spf_ip_parse(c->client, &ip));
        char buf_i[80], buf_c[48];
        ms__spf_ip_macro_i(&ip, buf_i, sizeof(buf_i));
        ms__spf_ip_text(&ip, buf_c, sizeof(buf_c));
        EXPECT(strcmp(buf_i, c->want_i) == 0, "case %s: got %%{i} %s, want %s", c->name, buf_i,
               c->want_i);
        EXPECT(strcmp(buf_c, c->want_c) == 0, "case %s: got %%{c} %s, want %s", c->name, buf_c,
               c->want_c);
    }
    assert_int_equal(n_bad, 0);
}

/* Buffers too small never overflow and stay NUL-terminated. */
static void test_ip_small_buffers(void **state)
{
    (void)state;
    ms__spf_ip ip;
    assert_true(ms__spf_ip_parse("2001:db8::cb01", &ip));
    for (size_t size = 1; size < 80; size++) {
        char buf[96];
        memset(buf, 'X', sizeof(buf));
        ms__spf_ip_macro_i(&ip, buf, size);
        assert_true(memchr(buf, '\0', size) != NULL);
        assert_int_equal(buf[size], 'X');
        memset(buf, 'X', sizeof(buf));
        ms__spf_ip_text(&ip, buf, size);
        assert_true(memchr(buf, '\0', size) != NULL);
        assert_int_equal(buf[size], 'X');
    }
    assert_true(ms__spf_ip_parse("192.0.2.3", &ip));
    char buf[8];
    memset(buf, 'X', sizeof(buf));
    ms__spf_ip_macro_i(&ip, buf, 5);
    assert_string_equal(buf, "192.");
    assert_int_equal(buf[5], 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip_parse),       cmocka_unit_test(test_ip_parse_v6_bytes),
        cmocka_unit_test(test_ip4_parse),      cmocka_unit_test(test_ip_match),
        cmocka_unit_test(test_ip_macro_forms), cmocka_unit_test(test_ip_small_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
