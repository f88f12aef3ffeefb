/* SPDX-License-Identifier: MIT */
/* SPF macros, RFC 7208 §7: every letter (§7.2), transformers and delimiters (§7.1, §7.3),
 * URL escaping of upper-case letters, the %% %_ %- escapes, c/r/t only in explanations, the
 * §7.3 truncation to 253 octets by whole labels, and the §7.4 examples exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/limits.h"
#include "spf/macro.h"

#include "ms_expect.h"

static const char *p_name(void *user)
{
    return user;
}

/* RFC 7208 §7.4: sender strong-bad@email.example.com, client 192.0.2.3 (or 2001:db8::cb01),
 * PTR name mx.example.org. */
static const ms__spf_macro_vars RFC_V4 = {
    .s = "strong-bad@email.example.com",
    .l = "strong-bad",
    .o = "email.example.com",
    .d = "email.example.com",
    .i = "192.0.2.3",
    .v = "in-addr",
    .h = "mx.example.org",
    .c = "192.0.2.3",
    .r = "receiver.example.net",
    .t = "1700000000",
    .p = p_name,
    .p_user = "mx.example.org",
};

static const ms__spf_macro_vars RFC_V6 = {
    .s = "strong-bad@email.example.com",
    .l = "strong-bad",
    .o = "email.example.com",
    .d = "email.example.com",
    .i = "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1",
    .v = "ip6",
    .h = "mx.example.org",
    .c = "2001:db8::cb01",
    .r = "receiver.example.net",
    .t = "1700000000",
    .p = p_name,
    .p_user = "mx.example.org",
};

/* Odd values for the transformer and escaping cases. */
static const ms__spf_macro_vars ODD = {
    .s = "a+b-c@x.example",
    .l = "a.b-c+d,e/f_g=h",
    .o = "x.example",
    .d = "one.two.three.four.five",
    .i = "198.51.100.7",
    .v = "in-addr",
    .h = "helo with space",
    .c = "2001:db8::1",
    .r = "r~._-!*'();:@&=+$,/?#[]",
    .t = "0",
    .p = NULL, /* "unknown" */
};

typedef struct ok_case {
    const char *name;
    const ms__spf_macro_vars *vars;
    ms__spf_macro_kind kind;
    const char *in;
    const char *want;
} ok_case;

#define D MS__MACRO_DOMAIN
#define E MS__MACRO_EXPLAIN

static const ok_case OK[] = {
    /* RFC 7208 §7.4, first table */
    {"7.4 %{s}", &RFC_V4, D, "%{s}", "strong-bad@email.example.com"},
    {"7.4 %{o}", &RFC_V4, D, "%{o}", "email.example.com"},
    {"7.4 %{d}", &RFC_V4, D, "%{d}", "email.example.com"},
    {"7.4 %{d4}", &RFC_V4, D, "%{d4}", "email.example.com"},
    {"7.4 %{d3}", &RFC_V4, D, "%{d3}", "email.example.com"},
    {"7.4 %{d2}", &RFC_V4, D, "%{d2}", "example.com"},
    {"7.4 %{d1}", &RFC_V4, D, "%{d1}", "com"},
    {"7.4 %{dr}", &RFC_V4, D, "%{dr}", "com.example.email"},
    {"7.4 %{d2r}", &RFC_V4, D, "%{d2r}", "example.email"},
    {"7.4 %{l}", &RFC_V4, D, "%{l}", "strong-bad"},
    {"7.4 %{l-}", &RFC_V4, D, "%{l-}", "strong.bad"},
    {"7.4 %{lr}", &RFC_V4, D, "%{lr}", "strong-bad"},
    {"7.4 %{lr-}", &RFC_V4, D, "%{lr-}", "bad.strong"},
    {"7.4 %{l1r-}", &RFC_V4, D, "%{l1r-}", "strong"},
    /* RFC 7208 §7.4, second table */
    {"7.4 %{ir}.%{v}._spf.%{d2}", &RFC_V4, D, "%{ir}.%{v}._spf.%{d2}",
     "3.2.0.192.in-addr._spf.example.com"},
    {"7.4 %{lr-}.lp._spf.%{d2}", &RFC_V4, D, "%{lr-}.lp._spf.%{d2}",
     "bad.strong.lp._spf.example.com"},
    {"7.4 %{lr-}.lp.%{ir}.%{v}._spf.%{d2}", &RFC_V4, D, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
     "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
    {"7.4 %{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", &RFC_V4, D, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
     "3.2.0.192.in-addr.strong.lp._spf.example.com"},
    {"7.4 %{d2}.trusted-domains.example.net", &RFC_V4, D, "%{d2}.trusted-domains.example.net",
     "example.com.trusted-domains.example.net"},
    /* RFC 7208 §7.4, IPv6 */
    {"7.4 ipv6 %{ir}.%{v}._spf.%{d2}", &RFC_V6, D, "%{ir}.%{v}._spf.%{d2}",
     "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
    /* §7.2 every letter */
    {"letter i", &RFC_V4, D, "%{i}", "192.0.2.3"},
    {"letter p", &RFC_V4, D, "%{p}", "mx.example.org"},
    {"letter p without a name", &ODD, D, "%{p}", "unknown"},
    {"letter v ipv4", &RFC_V4, D, "%{v}", "in-addr"},
    {"letter v ipv6", &RFC_V6, D, "%{v}", "ip6"},
    {"letter h", &RFC_V4, D, "%{h}", "mx.example.org"},
    {"letter c in exp", &RFC_V6, E, "%{c}", "2001:db8::cb01"},
    {"letter r in exp", &RFC_V4, E, "%{r}", "receiver.example.net"},
    {"letter t in exp", &RFC_V4, E, "%{t}", "1700000000"},
    {"domain letters in exp", &RFC_V4, E, "%{s} %{l} %{o} %{d} %{i} %{p} %{v} %{h}",
     "strong-bad@email.example.com strong-bad email.example.com email.example.com 192.0.2.3 "
     "mx.example.org in-addr mx.example.org"},
    /* §7.3 upper-case letters are URL-escaped (RFC 3986 unreserved kept) */
    {"%{S}", &RFC_V4, D, "%{S}", "strong-bad%40email.example.com"},
    {"%{L} keeps unreserved", &RFC_V4, D, "%{L}", "strong-bad"},
    {"%{S} escapes +", &ODD, D, "%{S}", "a%2Bb-c%40x.example"},
    {"%{L} escapes , / =", &ODD, D, "%{L}", "a.b-c%2Bd%2Ce%2Ff_g%3Dh"},
    {"%{C} escapes ':'", &ODD, E, "%{C}", "2001%3Adb8%3A%3A1"},
    {"%{R} escapes all reserved", &ODD, E, "%{R}",
     "r~._-%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"},
    {"%{H} escapes spaces", &ODD, E, "%{H}", "helo%20with%20space"},
    {"%{D2R} escapes after the transformers", &RFC_V4, D, "%{D2R}", "example.email"},
    {"upper-case transformer R", &RFC_V4, D, "%{dR}", "com.example.email"},
    /* §7.1 transformers */
    {"digit larger than the parts", &ODD, D, "%{d9}", "one.two.three.four.five"},
    {"digit 128 (the cap)", &ODD, D, "%{d128}", "one.two.three.four.five"},
    {"digit 1", &ODD, D, "%{d1}", "five"},
    {"digit 3 reversed", &ODD, D, "%{d3r}", "three.two.one"},
    {"two-digit transformer", &ODD, D, "%{d10r}", "five.four.three.two.one"},
    {"reverse only", &ODD, D, "%{dr}", "five.four.three.two.one"},
    /* §7.1 delimiters: the value splits on each, the parts join with '.' */
    {"delimiter +", &ODD, D, "%{l+}", "a.b-c.d,e/f_g=h"},
    {"delimiter -", &ODD, D, "%{l-}", "a.b.c+d,e/f_g=h"},
    {"delimiters + -", &ODD, D, "%{l+-}", "a.b.c.d,e/f_g=h"},
    {"every delimiter", &ODD, D, "%{l.-+,/_=}", "a.b.c.d.e.f.g.h"},
    {"every delimiter reversed", &ODD, D, "%{lr.-+,/_=}", "h.g.f.e.d.c.b.a"},
    {"every delimiter, 2 reversed", &ODD, D, "%{l2r.-+,/_=}", "b.a"},
    {"a delimiter that is absent", &RFC_V4, D, "%{l+}", "strong-bad"},
    {"repeated delimiters keep the later ones", &RFC_V4, D, "%{l........-}", "strong.bad"},
    {"every delimiter twice", &ODD, D, "%{l..--++,,//__==}", "a.b.c.d.e.f.g.h"},
    {"delimiter only, no dot split", &ODD, D, "%{s-}", "a+b.c@x.example"},
    /* §7.1 escapes */
    {"%%", &RFC_V4, D, "a%%b", "a%b"},
    {"%_", &RFC_V4, E, "a%_b", "a b"},
    {"%-", &RFC_V4, E, "a%-b", "a%20b"},
    {"all escapes", &RFC_V4, D, "%%%_%-", "% %20"},
    /* explain-string: spaces and literal text */
    {"explain text", &RFC_V6, E, "%{c} is not one of %{d}'s designated mail servers.",
     "2001:db8::cb01 is not one of email.example.com's designated mail servers."},
    {"explain, several spaces", &RFC_V4, E, "  a  b  ", "  a  b  "},
    {"empty", &RFC_V4, D, "", ""},
    {"literal only", &RFC_V4, D, "_spf.example.com", "_spf.example.com"},
    {"macro in the middle of a label", &RFC_V4, D, "x%{l}y.example", "xstrong-bady.example"},
};

static void test_macro_expand(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        const ok_case *c = &OK[i];
        size_t off = 0;
        const char *why = ms__spf_macro_check(c->in, strlen(c->in), c->kind, &off);
        EXPECT(why == NULL, "case %s: check got \"%s\" at %zu, want valid", c->name, why, off);
        const char *out = NULL, *reason = NULL;
        size_t len = 0;
        ms_status st = ms__spf_macro_expand(c->in, strlen(c->in), c->kind, c->vars,
                                            MS_LIMIT_SPF_EXPANSION, arena, &out, &len, &reason);
        EXPECT(st == MS_OK, "case %s: got %s (%s), want MS_OK", c->name, ms_status_name(st),
               reason ? reason : "");
        if (st != MS_OK) {
            continue;
        }
        EXPECT(out != NULL && strcmp(out, c->want) == 0, "case %s: got \"%s\", want \"%s\"",
               c->name, out ? out : "(null)", c->want);
        EXPECT(out != NULL && len == strlen(out), "case %s: got length %zu, want %zu", c->name, len,
               out ? strlen(out) : 0);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

typedef struct err_case {
    const char *name;
    ms__spf_macro_kind kind;
    const char *in;
    size_t want_offset;
    const char *want_reason;
} err_case;

static const err_case ERR[] = {
    {"%{ alone", D, "%{", 0, "unterminated macro"},
    {"%{ at the end of text", D, "abc%{", 3, "unterminated macro"},
    {"invalid letter q", D, "%{q}", 2, "invalid macro letter"},
    {"invalid letter in exp", E, "x %{w} y", 4, "invalid macro letter"},
    {"empty braces", D, "%{}", 2, "invalid macro letter"},
    {"digit zero", D, "%{d0}", 3, "nonzero"},
    {"digit 00", D, "%{d00}", 3, "nonzero"},
    {"digit 129", D, "%{d129}", 3, "out of range"},
    {"huge digit", D, "%{d99999999999999999999}", 3, "out of range"},
    {"bad escape %x", D, "%x", 0, "must be followed by"},
    {"bad escape %a in exp", E, "50%a", 2, "must be followed by"},
    {"unterminated with delimiter", D, "%{l-", 4, "unterminated or invalid"},
    {"bad transformer", D, "%{d2x}", 4, "unterminated or invalid"},
    {"two r", D, "%{drr}", 4, "unterminated or invalid"},
    {"digit after r", D, "%{dr2}", 4, "unterminated or invalid"},
    {"space inside", E, "%{d }", 3, "unterminated or invalid"},
    {"trailing %", D, "abc%", 3, "at the end"},
    {"trailing % in exp", E, "100 %", 4, "at the end"},
    {"c in a domain", D, "%{c}", 2, "only in exp"},
    {"r in a domain", D, "%{r}.example", 2, "only in exp"},
    {"t in a domain", D, "x.%{t}", 4, "only in exp"},
    {"upper-case T in a domain", D, "%{T}", 2, "only in exp"},
    {"space in a domain", D, "a b", 1, "invalid character"},
    {"tab in exp", E, "a\tb", 1, "invalid character"},
    {"control byte", D, "a\x01", 1, "invalid character"},
    {"DEL", E, "\x7f", 0, "invalid character"},
    {"non-ASCII", D, "caf\xc3\xa9", 3, "non-ASCII"},
};

static void test_macro_errors(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    for (size_t i = 0; i < sizeof(ERR) / sizeof(ERR[0]); i++) {
        const err_case *c = &ERR[i];
        size_t len = strlen(c->in);
        char *copy = malloc(len ? len : 1); /* exact size: ASan sees any over-read */
        assert_non_null(copy);
        memcpy(copy, c->in, len);
        size_t off = 9999;
        const char *why = ms__spf_macro_check(copy, len, c->kind, &off);
        EXPECT(why != NULL && strstr(why, c->want_reason) != NULL,
               "case %s: got \"%s\", want a reason with \"%s\"", c->name, why ? why : "valid",
               c->want_reason);
        EXPECT(why == NULL || strstr(why, "RFC 7208") != NULL,
               "case %s: got reason \"%s\", want one citing RFC 7208", c->name, why);
        EXPECT(off == c->want_offset, "case %s: got offset %zu, want %zu", c->name, off,
               c->want_offset);
        const char *out = NULL, *reason = NULL;
        size_t out_len = 0;
        ms_status st = ms__spf_macro_expand(copy, len, c->kind, &RFC_V4, MS_LIMIT_SPF_EXPANSION,
                                            arena, &out, &out_len, &reason);
        EXPECT(st == MS_ESYNTAX, "case %s: expand got %s, want MS_ESYNTAX", c->name,
               ms_status_name(st));
        EXPECT(reason != NULL && why != NULL && strcmp(reason, why) == 0,
               "case %s: expand reason \"%s\", want \"%s\"", c->name, reason, why);
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* %{p} that cannot be computed is MS_EIO (the caller decides what it means). */
static const char *p_fails(void *user)
{
    (void)user;
    return NULL;
}

static void test_macro_p_error(void **state)
{
    (void)state;
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms__spf_macro_vars v = RFC_V4;
    v.p = p_fails;
    const char *out, *reason;
    size_t len;
    assert_int_equal(ms__spf_macro_expand("%{p}.x", 6, D, &v, 256, arena, &out, &len, &reason),
                     MS_EIO);
    assert_non_null(reason);
    /* Without %{p} the callback is never asked. */
    assert_int_equal(ms__spf_macro_expand("%{d}", 4, D, &v, 256, arena, &out, &len, &reason),
                     MS_OK);
    assert_string_equal(out, "email.example.com");
    ms_arena_free(arena);
}

/* The cap: a domain expansion past it is MS_ELIMIT; an explanation keeps what fitted. */
static void test_macro_cap(void **state)
{
    (void)state;
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const char *in = "%{s}.%{s}.%{s}.%{s}";
    const char *out, *reason;
    size_t len;
    ms_status st = ms__spf_macro_expand(in, strlen(in), D, &RFC_V4, 40, arena, &out, &len, &reason);
    assert_int_equal(st, MS_ELIMIT);
    assert_non_null(reason);
    assert_true(len <= 40);

    st = ms__spf_macro_expand(in, strlen(in), E, &RFC_V4, 40, arena, &out, &len, &reason);
    assert_int_equal(st, MS_ELIMIT);
    assert_non_null(out);
    assert_true(len <= 40);
    assert_int_equal(strlen(out), len);
    assert_memory_equal(out, "strong-bad@email.example.com", len < 28 ? len : 28);

    /* Exactly at the cap fits. */
    st = ms__spf_macro_expand("%{s}", 4, D, &RFC_V4, 28, arena, &out, &len, &reason);
    assert_int_equal(st, MS_OK);
    assert_string_equal(out, "strong-bad@email.example.com");

    /* URL escaping triples bytes; the cap still holds. */
    ms__spf_macro_vars v = RFC_V4;
    char big[600];
    memset(big, '@', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    v.l = big;
    st = ms__spf_macro_expand("%{L}%{L}%{L}", 12, E, &v, MS_LIMIT_SPF_EXPLANATION, arena, &out,
                              &len, &reason);
    assert_int_equal(st, MS_ELIMIT);
    assert_true(len <= MS_LIMIT_SPF_EXPLANATION);
    ms_arena_free(arena);
}

/* An arena that runs out is MS_ENOMEM, kept apart from an expansion past its cap. */
static void test_macro_arena_full(void **state)
{
    (void)state;
    unsigned n_oom = 0;
    for (size_t arena_cap = 1; arena_cap < 600; arena_cap += 7) {
        ms_arena *arena;
        assert_int_equal(ms_arena_new(NULL, arena_cap, &arena), MS_OK);
        const char *out = NULL, *reason = NULL;
        size_t len = 0;
        const char *in = "%{s}.%{l2r-}.%{S}.%{d}.%{ir}.%{v}._spf.%{d2}";
        ms_status st = ms__spf_macro_expand(in, strlen(in), D, &RFC_V4, MS_LIMIT_SPF_EXPANSION,
                                            arena, &out, &len, &reason);
        if (st == MS_ENOMEM) {
            n_oom++;
            assert_non_null(reason);
        } else if (st != MS_OK) {
            fail_msg("case arena cap %zu: got %s (%s), want MS_OK or MS_ENOMEM", arena_cap,
                     ms_status_name(st), reason);
        } else {
            assert_string_equal(out, "strong-bad@email.example.com.bad.strong."
                                     "strong-bad%40email.example.com.email.example.com."
                                     "3.2.0.192.in-addr._spf.example.com");
        }
        ms_arena_free(arena);
    }
    assert_true(n_oom > 0);
}

/* §7.3: "If the expanded domain name exceeds 253 characters, the left side is truncated to
 * fit, by removing successive domain labels (and their following dots) until the total length
 * does not exceed 253 characters." */
typedef struct trunc_case {
    const char *name;
    size_t label_len; /* labels of this many 'a'..., joined with '.' */
    size_t n_labels;
    const char *suffix; /* appended as is */
} trunc_case;

static const trunc_case TRUNC[] = {
    {"short name untouched", 7, 2, ".example"},
    {"exactly 253 untouched", 9, 24, ".example.co.uk"},
    {"254 loses one label", 9, 24, ".example.com.uk"},
    {"300 octets of 10-octet labels", 9, 30, ".example"},
    {"63-octet labels", 63, 6, ".example.com"},
    {"one long label, short name untouched", 100, 1, ".b.c"},
    {"single 1-octet labels", 1, 200, ".example"},
};

static char *build_name(const trunc_case *c, size_t *len)
{
    size_t cap = c->n_labels * (c->label_len + 1) + strlen(c->suffix) + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t pos = 0;
    for (size_t i = 0; i < c->n_labels; i++) {
        if (i > 0) {
            s[pos++] = '.';
        }
        memset(s + pos, 'a' + (int)(i % 26), c->label_len);
        pos += c->label_len;
    }
    memcpy(s + pos, c->suffix, strlen(c->suffix) + 1);
    *len = pos + strlen(c->suffix);
    return s;
}

static void test_domain_truncate(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(TRUNC) / sizeof(TRUNC[0]); i++) {
        const trunc_case *c = &TRUNC[i];
        size_t full;
        char *name = build_name(c, &full);
        size_t len = full;
        const char *kept = ms__spf_domain_truncate(name, &len);
        EXPECT(kept >= name && kept + len == name + full,
               "case %s: got a result that is not a suffix of the name", c->name);
        EXPECT(len <= MS_LIMIT_DNS_NAME, "case %s: got %zu octets, want at most 253", c->name, len);
        if (full <= MS_LIMIT_DNS_NAME) {
            EXPECT(kept == name && len == full, "case %s: got %zu octets, want %zu untouched",
                   c->name, len, full);
        } else {
            /* Whole labels only, and no more than needed: the label before it would not fit. */
            EXPECT(kept > name && kept[-1] == '.',
                   "case %s: got a cut inside a label at offset %zu", c->name,
                   (size_t)(kept - name));
            const char *prev = kept - 1;
            while (prev > name && prev[-1] != '.') {
                prev--;
            }
            EXPECT((size_t)(name + full - prev) > MS_LIMIT_DNS_NAME,
                   "case %s: got %zu octets, but %zu would have fitted", c->name, len,
                   (size_t)(name + full - prev));
        }
        free(name);
    }
    /* A name with no dot cannot be cut: it comes back as is (the caller rejects it). */
    char flat[300];
    memset(flat, 'x', sizeof(flat) - 1);
    flat[sizeof(flat) - 1] = '\0';
    size_t len = strlen(flat);
    EXPECT(ms__spf_domain_truncate(flat, &len) == flat && len == 299,
           "case no dot: got %zu octets, want 299 untouched", len);
    /* A first label longer than 253 goes as a whole. */
    char one[400];
    memset(one, 'y', 300);
    memcpy(one + 300, ".example.com", 13);
    len = strlen(one);
    const char *kept = ms__spf_domain_truncate(one, &len);
    EXPECT(len == 11 && strcmp(kept, "example.com") == 0,
           "case long first label: got \"%s\" (%zu), want \"example.com\"", kept, len);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_macro_expand),     cmocka_unit_test(test_macro_errors),
        cmocka_unit_test(test_macro_p_error),    cmocka_unit_test(test_macro_cap),
        cmocka_unit_test(test_macro_arena_full), cmocka_unit_test(test_domain_truncate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
