/* SPDX-License-Identifier: MIT */
/* A whole Authentication-Results field (RFC 8601 §2.2): the authserv-id check, "none", the
 * order and folding of the methods (lines within 78 columns, CRLF always followed by white
 * space, ASCII only), and round trips: a field made from hand-built SPF, DKIM and DMARC verdicts
 * is parsed back and every method, result and property comes back as it went in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/authres.h"

#include "base/limits.h"
#include "ms_expect.h"
#include "ms_test_util.h"

static ms_spf_verdict spf_mailfrom(void)
{
    ms_spf_verdict v;
    memset(&v, 0, sizeof(v));
    v.result = MS_SPF_PASS;
    v.identity = MS_SPF_IDENTITY_MAILFROM;
    v.sender = "user@example.com";
    v.domain = "example.com";
    v.client_ip = "192.0.2.1";
    return v;
}

static ms_spf_verdict spf_helo(void)
{
    ms_spf_verdict v;
    memset(&v, 0, sizeof(v));
    v.result = MS_SPF_NONE;
    v.identity = MS_SPF_IDENTITY_HELO;
    v.sender = "postmaster@mail.example.com";
    v.domain = "mail.example.com";
    v.client_ip = "192.0.2.1";
    return v;
}

static ms_dkim_sig_result dkim_sig(ms_dkim_result r, const char *d, const char *s, const char *i,
                                   const char *b)
{
    ms_dkim_sig_result sig;
    memset(&sig, 0, sizeof(sig));
    sig.result = r;
    sig.domain = d;
    sig.selector = s;
    sig.auid = i;
    sig.alg = MS_DKIM_ALG_RSA_SHA256;
    sig.key_bits = r == MS_DKIM_PASS ? 2048 : 0;
    sig.reason = r == MS_DKIM_PASS ? NULL : "body hash mismatch (RFC 6376 §3.7)";
    sig.b_prefix = b;
    return sig;
}

static ms_dmarc_verdict dmarc_fail(const ms_dmarc_record *rec)
{
    ms_dmarc_verdict v;
    memset(&v, 0, sizeof(v));
    v.result = MS_DMARC_FAIL;
    v.from_domain = "example.com";
    v.record = rec;
    v.policy = MS_DMARC_POLICY_REJECT;
    v.policy_tag = MS_DMARC_TAG_P;
    v.disposition = MS_DMARC_POLICY_REJECT;
    return v;
}

/* Header text: ASCII, every CRLF followed by SP or TAB, no bare CR or LF, lines within the
 * column cap when their words allow (first line after "Authentication-Results: "). */
static void check_shape(const char *name, const char *t, size_t longest_word)
{
    size_t col = 24;
    for (const char *q = t; *q; q++) {
        unsigned char c = (unsigned char)*q;
        if (c == '\r') {
            EXPECT(q[1] == '\n' && (q[2] == ' ' || q[2] == '\t'), "%s: CR not in CRLF WSP at %zu",
                   name, (size_t)(q - t));
            EXPECT(col <= MS_LIMIT_AUTHRES_LINE || col <= longest_word + 1,
                   "%s: line of %zu columns before %zu", name, col, (size_t)(q - t));
            col = 0;
            q++;
            continue;
        }
        EXPECT(c != '\n' && c >= 0x09 && c < 0x7f && (c >= 0x20 || c == '\t'),
               "%s: byte 0x%02x at %zu", name, (unsigned)c, (size_t)(q - t));
        col++;
    }
    EXPECT(col <= MS_LIMIT_AUTHRES_LINE, "%s: last line of %zu columns", name, col);
}

static void test_format_exact(void **state)
{
    (void)state;
    ms_arena *a = new_arena(0);
    ms_spf_verdict spf = spf_mailfrom();
    ms_authres_input in = {.authserv_id = "mx.example.org", .spf = &spf};
    const char *out = NULL;
    assert_int_equal(ms_authres_format(&in, a, &out), MS_OK);
    /* the spf comment is one column too long for its line: folded before "sender)"; n_dkim 0
     * with another method present gives dkim=none */
    assert_string_equal(out, "mx.example.org;\r\n"
                             "\tspf=pass (domain of user@example.com designates 192.0.2.1 as "
                             "permitted\r\n sender) smtp.mailfrom=user@example.com;\r\n"
                             "\tdkim=none (no signatures)");
    ms_authres_input none = {.authserv_id = "mx.example.org"};
    assert_int_equal(ms_authres_format(&none, a, &out), MS_OK);
    assert_string_equal(out, "mx.example.org; none");
    ms_arena_free(a);
}

static void test_format_bad_authserv_id(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",     "mx example.org", "mx.example.org;",        "mx\r\n.example.org",
        "a(b)", "\"quoted\"",     "mx.example.org\xc3\xa9",
    };
    n_bad = 0;
    ms_arena *a = new_arena(0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ms_authres_input in = {.authserv_id = bad[i]};
        const char *out = "x";
        ms_status st = ms_authres_format(&in, a, &out);
        EXPECT(st == MS_EINVAL && out == NULL, "authserv-id \"%s\": got %s, want MS_EINVAL", bad[i],
               ms_status_name(st));
    }
    char longid[300];
    memset(longid, 'a', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    ms_authres_input in = {.authserv_id = longid};
    const char *out = NULL;
    EXPECT(ms_authres_format(&in, a, &out) == MS_EINVAL, "299-byte authserv-id accepted");
    in.authserv_id = NULL;
    EXPECT(ms_authres_format(&in, a, &out) == MS_EINVAL, "NULL authserv-id accepted");
    in.authserv_id = "mx.example.org";
    in.n_dkim = 2; /* without the array */
    EXPECT(ms_authres_format(&in, a, &out) == MS_EINVAL, "n_dkim without dkim accepted");
    in.n_dkim = 0;
    EXPECT(ms_authres_format(&in, NULL, &out) == MS_EINVAL, "NULL arena accepted");
    EXPECT(ms_authres_format(NULL, a, &out) == MS_EINVAL, "NULL input accepted");
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

typedef struct want_prop {
    const char *ptype, *property, *value;
} want_prop;

typedef struct want_method {
    const char *method, *result;
    want_prop props[6];
} want_method;

/* Parse what was formatted; compare methods, results and properties in order. */
static void check_round_trip(const char *name, const char *text, const want_method *want,
                             size_t n_want, ms_arena *a)
{
    const ms_authres *ar = NULL;
    ms_msg_error err;
    ms_status st = ms_authres_parse(text, strlen(text), a, &ar, &err);
    EXPECT(st == MS_OK, "%s: parse got %s, want MS_OK", name, ms_status_name(st));
    if (st != MS_OK) {
        return;
    }
    EXPECT(strcmp(ar->authserv_id, "mx.example.org") == 0 && !ar->none,
           "%s: authserv-id %s, want mx.example.org", name, ar->authserv_id);
    EXPECT(ar->n_problems == 0, "%s: got %zu problems (first: %s {%s}), want none", name,
           ar->n_problems, ar->n_problems ? ar->problems[0].reason : "",
           ar->n_problems ? ar->problems[0].detail : "");
    EXPECT(ar->n_methods == n_want, "%s: got %zu methods, want %zu", name, ar->n_methods, n_want);
    for (size_t i = 0; i < ar->n_methods && i < n_want; i++) {
        const ms_authres_method *m = &ar->methods[i];
        const want_method *w = &want[i];
        EXPECT(strcmp(m->method, w->method) == 0 && strcmp(m->result, w->result) == 0,
               "%s: method %zu: got %s=%s, want %s=%s", name, i, m->method, m->result, w->method,
               w->result);
        EXPECT(m->comment != NULL, "%s: method %zu: no comment", name, i);
        size_t n_props = 0;
        while (n_props < 6 && w->props[n_props].ptype != NULL) {
            n_props++;
        }
        EXPECT(m->n_props == n_props, "%s: method %zu: got %zu properties, want %zu", name, i,
               m->n_props, n_props);
        for (size_t k = 0; k < m->n_props && k < n_props; k++) {
            const ms_authres_prop *pr = &m->props[k];
            const want_prop *wp = &w->props[k];
            EXPECT(strcmp(pr->ptype, wp->ptype) == 0 && strcmp(pr->property, wp->property) == 0 &&
                       strcmp(pr->value, wp->value) == 0,
                   "%s: method %zu prop %zu: got %s.%s=%s, want %s.%s=%s", name, i, k, pr->ptype,
                   pr->property, pr->value, wp->ptype, wp->property, wp->value);
        }
    }
}

static void test_round_trip_full(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *a = new_arena(0);
    ms_spf_verdict spf = spf_mailfrom(), helo = spf_helo();
    ms_dkim_sig_result sigs[3] = {
        dkim_sig(MS_DKIM_PASS, "example.com", "sel2024", "@example.com", "AbCdEfGh"),
        dkim_sig(MS_DKIM_FAIL, "list.example.net", "s1", "owner@list.example.net", "x/y+z=12"),
        /* a hostile d= must come back as one quoted value, not a new property */
        dkim_sig(MS_DKIM_PERMERROR, "evil.example header.d=bank.example", "a b", "\"q\"@x.example",
                 "12345678"),
    };
    ms_dmarc_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.p = MS_DMARC_POLICY_REJECT;
    rec.has_p = true;
    rec.sp = MS_DMARC_POLICY_QUARANTINE;
    rec.has_sp = true;
    ms_dmarc_verdict dmarc = dmarc_fail(&rec);
    ms_authres_input in = {.authserv_id = "mx.example.org",
                           .spf = &spf,
                           .spf_helo = &helo,
                           .dkim = sigs,
                           .n_dkim = 3,
                           .dmarc = &dmarc};
    const char *out = NULL;
    assert_int_equal(ms_authres_format(&in, a, &out), MS_OK);
    check_shape("full", out, 0);
    const want_method want[] = {
        {"spf", "pass", {{"smtp", "mailfrom", "user@example.com"}}},
        {"spf", "none", {{"smtp", "helo", "mail.example.com"}}},
        {"dkim",
         "pass",
         {{"header", "d", "example.com"},
          {"header", "i", "@example.com"},
          {"header", "s", "sel2024"},
          {"header", "a", "rsa-sha256"},
          {"header", "b", "AbCdEfGh"}}},
        {"dkim",
         "fail",
         {{"header", "d", "list.example.net"},
          {"header", "i", "owner@list.example.net"},
          {"header", "s", "s1"},
          {"header", "a", "rsa-sha256"},
          {"header", "b", "x/y+z=12"}}},
        {"dkim",
         "permerror",
         {{"header", "d", "evil.example header.d=bank.example"},
          {"header", "i", "\"q\"@x.example"},
          {"header", "s", "a b"},
          {"header", "a", "rsa-sha256"},
          {"header", "b", "12345678"}}},
        {"dmarc", "fail", {{"header", "from", "example.com"}, {"policy", "dmarc", "reject"}}},
    };
    check_round_trip("full", out, want, sizeof(want) / sizeof(want[0]), a);
    /* the dmarc comment survives as written */
    const ms_authres *ar = NULL;
    assert_int_equal(ms_authres_parse(out, strlen(out), a, &ar, NULL), MS_OK);
    assert_int_equal(ar->n_methods, 6);
    assert_string_equal(ar->methods[5].comment, "p=reject sp=quarantine dis=reject");
    assert_string_equal(ms_authres_prop_get(&ar->methods[2], "header", "d"), "example.com");
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

static void test_round_trip_many_signatures(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *a = new_arena(0);
    enum { N = 10 };
    ms_dkim_sig_result sigs[N];
    char domains[N][80];
    want_method want[N + 1];
    memset(want, 0, sizeof(want));
    for (size_t i = 0; i < N; i++) {
        snprintf(domains[i], sizeof(domains[i]),
                 "a-rather-long-subdomain-name-%zu.mail-delivery.example.com", i);
        sigs[i] =
            dkim_sig(i % 2 ? MS_DKIM_FAIL : MS_DKIM_PASS, domains[i], "selector", NULL, "AAAABBBB");
        want[i] = (want_method){"dkim",
                                i % 2 ? "fail" : "pass",
                                {{"header", "d", domains[i]},
                                 {"header", "s", "selector"},
                                 {"header", "a", "rsa-sha256"},
                                 {"header", "b", "AAAABBBB"}}};
    }
    ms_dmarc_verdict dmarc;
    memset(&dmarc, 0, sizeof(dmarc));
    dmarc.result = MS_DMARC_NONE;
    dmarc.reason = "no DMARC record (RFC 9989 §4.10)";
    dmarc.from_domain = "example.com";
    want[N] = (want_method){"dmarc", "none", {{"header", "from", "example.com"}}};
    ms_authres_input in = {
        .authserv_id = "mx.example.org", .dkim = sigs, .n_dkim = N, .dmarc = &dmarc};
    const char *out = NULL;
    assert_int_equal(ms_authres_format(&in, a, &out), MS_OK);
    check_shape("many signatures", out, 0);
    check_round_trip("many signatures", out, want, N + 1, a);
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

static void test_round_trip_no_signature(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *a = new_arena(0);
    ms_spf_verdict helo = spf_helo();
    ms_dmarc_verdict dmarc;
    memset(&dmarc, 0, sizeof(dmarc));
    dmarc.result = MS_DMARC_PERMERROR;
    dmarc.reason = "no From domain (RFC 9989 §4.8)";
    ms_authres_input in = {.authserv_id = "mx.example.org", .spf_helo = &helo, .dmarc = &dmarc};
    const char *out = NULL;
    assert_int_equal(ms_authres_format(&in, a, &out), MS_OK);
    check_shape("no signature", out, 0);
    const want_method want[] = {
        {"spf", "none", {{"smtp", "helo", "mail.example.com"}}},
        {"dkim", "none", {{NULL, NULL, NULL}}},
        {"dmarc", "permerror", {{NULL, NULL, NULL}}},
    };
    check_round_trip("no signature", out, want, 3, a);
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

/* A word longer than a line cannot be folded: the line may pass 78, never the field's shape. */
static void test_long_word(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *a = new_arena(0);
    char d[200];
    memset(d, 'x', sizeof(d) - 1);
    memcpy(d + sizeof(d) - 13, ".example.com", 13);
    ms_dkim_sig_result sig = dkim_sig(MS_DKIM_PASS, d, "s", NULL, "AAAABBBB");
    ms_authres_input in = {.authserv_id = "mx.example.org", .dkim = &sig, .n_dkim = 1};
    const char *out = NULL;
    assert_int_equal(ms_authres_format(&in, a, &out), MS_OK);
    check_shape("long word", out, strlen(" header.d=") + strlen(d));
    const want_method want[] = {{"dkim",
                                 "pass",
                                 {{"header", "d", d},
                                  {"header", "s", "s"},
                                  {"header", "a", "rsa-sha256"},
                                  {"header", "b", "AAAABBBB"}}}};
    check_round_trip("long word", out, want, 1, a);
    ms_arena_free(a);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_exact),
        cmocka_unit_test(test_format_bad_authserv_id),
        cmocka_unit_test(test_round_trip_full),
        cmocka_unit_test(test_round_trip_many_signatures),
        cmocka_unit_test(test_round_trip_no_signature),
        cmocka_unit_test(test_long_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
