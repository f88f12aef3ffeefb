/* SPDX-License-Identifier: MIT */
/* Bad inputs for DMARC: one test per DMARC row of shared/bad-inputs.md, then hostile inputs of
 * our own. Every case must give a verdict with a reason citing its RFC, within a DNS budget,
 * and never a pass that no aligned identifier earned.
 *
 * Rows and where they are checked:
 *   DMARC-01 02 04 05 07 08 10 11 13 14 16 17   the author domains (lib/dmarc/policy.c)
 *   DMARC-19 20 26                              alignment (lib/dmarc/align.c)
 *   DMARC-22 23                                 records and discovery (record.c, orgdomain.c)
 *   DMARC-28                                    np for a non-existent domain (policy.c)
 *   DMARC-31                                    too many author addresses or domains
 *   DMARC-25, DMARC-29 belong to later pieces: deciding whether to consume an upstream
 *     Received-SPF / Authentication-Results (the milter and lib/authres) and honouring an ARC
 *     chain's AAR (lib/arc, milter policy). What applies to this library now is tested here:
 *     ms_dmarc_evaluate reads neither field, so such headers can never turn a fail into a pass.
 *   DMARC-26 is partly later too (parsing a consumed A-R is lib/authres'); here: the domains it
 *     names ("legitimate.t(.attack.t") are not host names and never align. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_expect.h"

#include "base/limits.h"
#include "dmarc/align.h"
#include "ms_dmarc_cases.h"

#define REC(name, text) "_dmarc." name ". TXT \"" text "\"\n"
#define EXISTS(name) name ". A 192.0.2.1\n"
#define FROM(addr) "From: " addr "\r\n"
#define PERM MS_DMARC_PERMERROR
#define FAIL MS_DMARC_FAIL
#define D_NONE MS_DMARC_POLICY_NONE
#define D_QUAR MS_DMARC_POLICY_QUARANTINE
#define D_REJ MS_DMARC_POLICY_REJECT
enum { ANY = -1, P = MS_DMARC_TAG_P, SP = MS_DMARC_TAG_SP, NP = MS_DMARC_TAG_NP };

#define ZONE                                                                                       \
    REC("legitimate.t", "v=DMARC1; p=reject; np=reject")                                           \
    REC("attack.t", "v=DMARC1; p=none")                                                            \
    REC("example.t", "v=DMARC1; p=reject") EXISTS("legitimate.t") EXISTS("attack.t")

static ms_psl *g_psl;

static void run_rows(const dmarc_case *cases, size_t n)
{
    dmarc_run_table(cases, n, g_psl);
    assert_int_equal(n_bad, 0);
}

#define ROWS(...)                                                                                  \
    do {                                                                                           \
        static const dmarc_case cases_[] = {__VA_ARGS__};                                          \
        run_rows(cases_, sizeof(cases_) / sizeof(cases_[0]));                                      \
    } while (0)

/* Two From fields: both domains evaluated, the strictest kept; never the easy one's pass. */
static void dmarc_01(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-01",
          .zone = ZONE,
          .headers = FROM("<first@attack.t>") FROM("<admin@legitimate.t>"),
          .dkim = "pass:attack.t",
          .spf = "pass:attack.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .want_reason = "strictest",
          .want_policy_domain = "legitimate.t",
          .max_queries = 6});
}

static void dmarc_02(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-02",
          .zone = ZONE,
          .headers = FROM("<first@attack.t>") "From : <admin@legitimate.t>\r\n",
          .dkim = "pass:attack.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .want_policy_domain = "legitimate.t",
          .max_queries = 6});
}

static void dmarc_04(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-04",
          .zone = ZONE,
          .headers = "From\r\n : <first@attack.t>\r\n",
          .dkim = "pass:attack.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .want_reason = "malformed",
          .max_queries = 0});
}

static void dmarc_05(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-05 sender",
          .zone = ZONE,
          .headers = "Sender: <admin@legitimate.t>\r\n",
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .want_reason = "no From",
          .max_queries = 0},
         {.name = "DMARC-05 resent-from",
          .zone = ZONE,
          .headers = "Resent-From: <admin@legitimate.t>\r\n",
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .want_reason = "no From",
          .max_queries = 0});
}

static void dmarc_07(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-07 word",
          .zone = ZONE,
          .headers = FROM("a@example.t, foo"),
          .dkim = "pass:example.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-07 group",
          .zone = ZONE,
          .headers = FROM("a@example.t, undisclosed-recipients:;"),
          .dkim = "pass:example.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .want_reason = "DMARC-07",
          .max_queries = 0},
         {.name = "DMARC-07 only group",
          .zone = ZONE,
          .headers = FROM("undisclosed-recipients:;"),
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-07 empty",
          .zone = ZONE,
          .headers = FROM(""),
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0});
}

/* Encoded-words are never decoded into an address: either refused, or the real addr-spec's
 * domain (attack.t) evaluated and the display flag raised. */
static void dmarc_08(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-08 as written",
          .zone = ZONE,
          .headers = FROM("=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?=,<second@attack.t>"),
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-08 display",
          .zone = ZONE,
          .headers = FROM("=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?= <second@attack.t>"),
          .dkim = "pass:legitimate.t",
          .want = FAIL,
          .want_disposition = D_NONE,
          .want_tag = P,
          .want_policy_domain = "attack.t",
          .max_queries = 6});
    dmarc_case c = {.name = "DMARC-08 flag",
                    .zone = ZONE,
                    .headers = FROM("=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?= <second@attack.t>"),
                    .want = FAIL,
                    .want_disposition = D_NONE,
                    .want_tag = P,
                    .max_queries = 4};
    dmarc_run r;
    dmarc_run_case(&r, &c, g_psl);
    if (dmarc_check_case(&c, &r)) {
        EXPECT((r.v.author_flags & MS_MSG_ADDR_DISPLAY_AT) &&
                   (r.v.author_flags & MS_MSG_ADDR_DISPLAY_ENCODED),
               "DMARC-08: author_flags got %#x, want display-has-address and display-encoded",
               r.v.author_flags);
    }
    dmarc_run_done(&r);
    assert_int_equal(n_bad, 0);
}

static void dmarc_10(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-10",
          .zone = ZONE,
          .headers = FROM("<admin@legitimate.t>\\,<second@attack.t>"),
          .dkim = "pass:attack.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .want_reason = "backslash",
          .max_queries = 0});
}

static void dmarc_11(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-11",
          .zone = ZONE,
          .headers = FROM("admin@legitimate.t,<second@attack.t>"),
          .dkim = "pass:attack.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .want_reason = "strictest",
          .want_policy_domain = "legitimate.t",
          .max_queries = 6},
         {.name = "DMARC-11 reversed",
          .zone = ZONE,
          .headers = FROM("<second@attack.t>, admin@legitimate.t"),
          .dkim = "pass:attack.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .want_policy_domain = "legitimate.t",
          .max_queries = 6});
}

static void dmarc_13(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-13 >",
          .zone = ZONE,
          .headers = FROM("user@example.t>"),
          .dkim = "pass:example.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-13 <",
          .zone = ZONE,
          .headers = FROM("<user@example.t"),
          .dkim = "pass:example.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0});
}

static void dmarc_14(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-14",
          .zone = ZONE,
          .headers = FROM("\"\\\"Medtronic, Inc.\\\"\" <user@example.t>"),
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .want_policy_domain = "example.t",
          .max_queries = 2});
}

static void dmarc_16(void **state)
{
    (void)state;
    dmarc_case c = {.name = "DMARC-16",
                    .zone = ZONE,
                    .headers = FROM("\"admin@legitimate.t\" <x@attack.t>"),
                    .dkim = "pass:legitimate.t",
                    .want = FAIL,
                    .want_disposition = D_NONE,
                    .want_tag = P,
                    .want_policy_domain = "attack.t",
                    .max_queries = 6};
    dmarc_run r;
    dmarc_run_case(&r, &c, g_psl);
    if (dmarc_check_case(&c, &r)) {
        EXPECT(r.v.author_flags & MS_MSG_ADDR_DISPLAY_AT, "DMARC-16: flags got %#x",
               r.v.author_flags);
    }
    dmarc_run_done(&r);
    assert_int_equal(n_bad, 0);
}

static void dmarc_17(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-17 U+200B",
          .zone = ZONE,
          .headers = FROM("a@legitimate\xe2\x80\x8b.t"),
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-17 %00",
          .zone = ZONE,
          .headers = FROM("a@legitimate%00.t"),
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-17 ..",
          .zone = ZONE,
          .headers = FROM("a@legitimate.t.."),
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-17 -",
          .zone = ZONE,
          .headers = FROM("a@-legitimate.t"),
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "DMARC-17 one dot",
          .zone = ZONE,
          .headers = FROM("a@legitimate.t."),
          .dkim = "pass:legitimate.t",
          .want = MS_DMARC_PASS,
          .want_disposition = D_NONE,
          .want_tag = P,
          .max_queries = 2});
}

static void dmarc_19(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-19",
          .zone = REC("example.t", "v=DMARC1; p=reject; adkim=s") EXISTS("sub.example.t"),
          .headers = FROM("a@sub.example.t"),
          .dkim = "pass:example.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = SP,
          .max_queries = 4});
}

static void dmarc_20(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-20 co.uk walk",
          .zone = REC("bank.co.uk", "v=DMARC1; p=reject") REC("evil.co.uk", "v=DMARC1; p=none"),
          .headers = FROM("a@bank.co.uk"),
          .dkim = "pass:evil.co.uk",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 6},
         {.name = "DMARC-20 github.io walk",
          .zone = REC("victim.github.io", "v=DMARC1; p=reject")
              REC("attacker.github.io", "v=DMARC1; p=none"),
          .headers = FROM("a@victim.github.io"),
          .dkim = "pass:attacker.github.io",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 6},
         {.name = "DMARC-20 co.uk psl",
          .mode = MS_DMARC_MODE_RFC7489,
          .zone = REC("bank.co.uk", "v=DMARC1; p=reject"),
          .headers = FROM("a@bank.co.uk"),
          .dkim = "pass:evil.co.uk",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 1},
         {.name = "DMARC-20 github.io psl",
          .mode = MS_DMARC_MODE_RFC7489,
          .zone = REC("victim.github.io", "v=DMARC1; p=reject"),
          .headers = FROM("a@victim.github.io"),
          .dkim = "pass:attacker.github.io",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 1});
}

static void dmarc_22(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-22 duplicate p",
          .zone = REC("example.t", "v=DMARC1; p=reject; p=none"),
          .headers = FROM("a@example.t"),
          .want = MS_DMARC_NONE,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .want_reason = "twice",
          .max_queries = 1},
         {.name = "DMARC-22 bogus p",
          .zone = REC("example.t", "v=DMARC1; p=bogus"),
          .headers = FROM("a@example.t"),
          .want = MS_DMARC_NONE,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 1},
         {.name = "DMARC-22 pct=abc",
          .zone = REC("example.t", "v=DMARC1; p=reject; pct=abc"),
          .headers = FROM("a@example.t"),
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 2},
         {.name = "DMARC-22 pct=1000",
          .mode = MS_DMARC_MODE_RFC7489,
          .zone = REC("example.t", "v=DMARC1; p=reject; pct=1000"),
          .headers = FROM("a@example.t"),
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 1},
         /* the OpenDMARC #62/#78 shapes: junk after the version, empty values, odd separators */
         {.name = "DMARC-22 opendmarc-62",
          .zone = REC("example.t", "v=DMARC1; p=; sp=; rua=;"),
          .headers = FROM("a@example.t"),
          .want = MS_DMARC_NONE,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 1},
         {.name = "DMARC-22 opendmarc-78",
          .zone = REC("example.t", "v=DMARC1;;;p=reject;;rua=mailto:,;=;==;"),
          .headers = FROM("a@example.t"),
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 2});
    /* Straight at the parser: none crashes, each gives a record or a reason. */
    static const char *const recs[] = {
        "v=DMARC1; p=reject; p=none", "v=DMARC1; p=bogus",      "v=DMARC1; pct=abc",
        "v=DMARC1; pct=1000",         "v=DMARC1;;;;;",          "v=DMARC1; p=none; rua=mailto:@",
        "v=DMARC1; p=none; rua=!!!!", "v=DMARC1; =; ==; p=none"};
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        const ms_dmarc_record *r = NULL;
        ms_dmarc_parse_error err;
        ms_status st = ms_dmarc_record_parse(recs[i], strlen(recs[i]), arena, &r, &err);
        EXPECT(st == MS_OK || (st == MS_ESYNTAX && err.reason && strstr(err.reason, "RFC")),
               "DMARC-22 %s: got %s", recs[i], ms_status_name(st));
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

static void dmarc_23(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-23 two records",
          .zone = REC("example.t", "v=DMARC1; p=reject") REC("example.t", "v=DMARC1; p=none"),
          .headers = FROM("a@example.t"),
          .want = MS_DMARC_NONE,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 2},
         {.name = "DMARC-23 extra txt",
          .zone = REC("example.t", "v=DMARC1; p=reject") "_dmarc.example.t. TXT \"v=spf1 -all\"\n"
                                                         "_dmarc.example.t. A 192.0.2.1\n",
          .headers = FROM("a@example.t"),
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 2},
         {.name = "DMARC-23 cname",
          .zone = "_dmarc.example.t. CNAME _dmarc.other.t.\n" REC("other.t", "v=DMARC1; p=reject"),
          .headers = FROM("a@example.t"),
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 2});
}

/* The library reads neither Received-SPF nor Authentication-Results (RFC 8601 §5). */
static void dmarc_25(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-25",
          .zone = ZONE,
          .headers =
              "Received-SPF: pass (mx.legitimate.t: domain of legitimate.t) "
              "identity=helo; client-ip=192.0.2.1\r\n"
              "Authentication-Results: mx.receiver.t; spf=pass "
              "smtp.mailfrom=legitimate.t; dkim=pass header.d=legitimate.t; dmarc=pass\r\n" FROM(
                  "a@legitimate.t"),
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 2});
}

static void dmarc_26(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-26 header.d",
          .zone = ZONE,
          .headers = FROM("a@legitimate.t"),
          .dkim = "pass:legitimate.t(.attack.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 2},
         {.name = "DMARC-26 smtp.mailfrom",
          .zone = ZONE,
          .headers = FROM("a@legitimate.t"),
          .spf = "pass:legitimate.t(.attack.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 2});
}

static void dmarc_28(void **state)
{
    (void)state;
    ROWS(
        {.name = "DMARC-28",
         .zone = REC("legitimate.t", "v=DMARC1; p=none; sp=none; np=reject") EXISTS("legitimate.t"),
         .headers = FROM("x@nx.legitimate.t"),
         .want = FAIL,
         .want_disposition = D_REJ,
         .want_tag = NP,
         .max_queries = 4});
}

/* ARC is lib/arc's; here: an ARC-Authentication-Results claiming dmarc=pass changes nothing. */
static void dmarc_29(void **state)
{
    (void)state;
    ROWS({.name = "DMARC-29",
          .zone = ZONE,
          .headers = "ARC-Authentication-Results: i=1; untrusted.t; dmarc=pass "
                     "header.from=legitimate.t\r\n"
                     "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=untrusted.t; s=s; b=AAAA\r\n" FROM(
                         "a@legitimate.t"),
          .dkim = "pass:untrusted.t",
          .want = FAIL,
          .want_disposition = D_REJ,
          .want_tag = P,
          .max_queries = 4});
}

/* A string of n comma-separated mailboxes in n domains. */
static char *many(size_t n, size_t *len)
{
    size_t size = n * 32 + 64;
    char *s = malloc(size);
    assert_non_null(s);
    size_t pos = (size_t)snprintf(s, size, "From: ");
    for (size_t i = 0; i < n; i++) {
        pos += (size_t)snprintf(s + pos, size - pos, "%sa%zu@d%zu.t", i ? ", " : "", i, i);
    }
    pos += (size_t)snprintf(s + pos, size - pos, "\r\n");
    *len = pos;
    return s;
}

static void dmarc_31(void **state)
{
    (void)state;
    size_t len = 0;
    char *h = many(1000, &len);
    dmarc_case c = {.name = "DMARC-31 1000 mailboxes",
                    .zone = ZONE,
                    .headers = h,
                    .headers_len = len,
                    .want = PERM,
                    .want_disposition = D_NONE,
                    .want_tag = ANY,
                    .want_reason = "DMARC-31",
                    .max_queries = 0};
    dmarc_run_table(&c, 1, g_psl);
    free(h);
    h = many(5, &len);
    dmarc_case c5 = {.name = "DMARC-31 5 domains",
                     .zone = ZONE,
                     .headers = h,
                     .headers_len = len,
                     .want = PERM,
                     .want_disposition = D_NONE,
                     .want_tag = ANY,
                     .want_reason = "DMARC-31",
                     .max_queries = 0};
    dmarc_run_table(&c5, 1, g_psl);
    free(h);
    /* 200 From fields in 200 domains: refused at the fifth distinct domain, no DNS. */
    size_t size = 200 * 40;
    h = malloc(size);
    assert_non_null(h);
    size_t pos = 0;
    for (int i = 0; i < 200; i++) {
        pos += (size_t)snprintf(h + pos, size - pos, "From: a@d%d.t\r\n", i);
    }
    dmarc_case cf = {.name = "DMARC-31 200 From fields",
                     .zone = ZONE,
                     .headers = h,
                     .headers_len = pos,
                     .want = PERM,
                     .want_disposition = D_NONE,
                     .want_tag = ANY,
                     .want_reason = "DMARC-31",
                     .max_queries = 0};
    dmarc_run_table(&cf, 1, g_psl);
    free(h);
    assert_int_equal(n_bad, 0);
}

/* ---- our own ------------------------------------------------------------------------------ */

/* A second domain hidden in encoded-words anywhere: never evaluated, never passes. */
static void encoded_second_domain(void **state)
{
    (void)state;
    ROWS({.name = "encoded local-part",
          .zone = ZONE,
          .headers = FROM("=?utf-8?q?admin=40legitimate.t?=@attack.t"),
          .dkim = "pass:legitimate.t",
          .want = FAIL,
          .want_disposition = D_NONE,
          .want_tag = P,
          .want_policy_domain = "attack.t",
          .max_queries = 6},
         {.name = "encoded comment",
          .zone = ZONE,
          .headers = FROM("x@attack.t (=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?=)"),
          .dkim = "pass:legitimate.t",
          .want = FAIL,
          .want_disposition = D_NONE,
          .want_tag = P,
          .want_policy_domain = "attack.t",
          .max_queries = 6},
         {.name = "encoded domain",
          .zone = ZONE,
          .headers = FROM("x@=?utf-8?q?legitimate.t?="),
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0});
}

static void nuls(void **state)
{
    (void)state;
    static const char h1[] = "From: a@legitimate.t\0.attack.t\r\n";
    static const char h2[] = "From: a@attack.t\r\nFrom\0: a@legitimate.t\r\n";
    ROWS({.name = "NUL in domain",
          .zone = ZONE,
          .headers = h1,
          .headers_len = sizeof(h1) - 1,
          .dkim = "pass:legitimate.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0},
         {.name = "NUL in a From name",
          .zone = ZONE,
          .headers = h2,
          .headers_len = sizeof(h2) - 1,
          .dkim = "pass:attack.t",
          .want = PERM,
          .want_disposition = D_NONE,
          .want_tag = ANY,
          .max_queries = 0});
    /* A NUL inside the published record: the record is refused (never "p=reject" cut short to
     * something else). */
    ms_resolver *z = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    static const char rec[] = "v=DMARC1; p=none\0; p=reject";
    uint8_t lens[1] = {sizeof(rec) - 1};
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = rec;
    rr.u.txt.len = sizeof(rec) - 1;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = 1;
    assert_int_equal(ms_zone_add(z, "_dmarc.example.t", &rr), MS_OK);
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_dmarc_discovery d;
    assert_int_equal(ms_dmarc_discover(z, NULL, "example.t", arena, &d, NULL), MS_OK);
    EXPECT(d.status == MS_DMARC_DISCOVERY_NONE && d.reason && strstr(d.reason, "RFC"),
           "NUL record: status %d reason %s", d.status, d.reason ? d.reason : "-");
    ms_arena_free(arena);
    ms_resolver_free(z);
    assert_int_equal(n_bad, 0);
}

/* A 64 KiB TXT record at _dmarc: invalid, a reason, no pass. */
static void record_64k(void **state)
{
    (void)state;
    size_t len = 64u * 1024u - 1;
    char *data = malloc(len);
    assert_non_null(data);
    memset(data, 'x', len);
    memcpy(data, "v=DMARC1; p=none; rua=mailto:a@b.t; x=", 39);
    size_t n = len / 255 + 1;
    uint8_t *lens = malloc(n);
    assert_non_null(lens);
    size_t k = 0;
    for (size_t left = len; left > 0; left -= lens[k - 1]) {
        lens[k++] = (uint8_t)(left > 255 ? 255 : left);
    }
    ms_resolver *z = dmarc_zone(EXISTS("example.t"), NULL);
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = data;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = k;
    assert_int_equal(ms_zone_add(z, "_dmarc.example.t", &rr), MS_OK);
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_dmarc_discovery d;
    assert_int_equal(ms_dmarc_discover(z, NULL, "example.t", arena, &d, NULL), MS_OK);
    EXPECT(d.status == MS_DMARC_DISCOVERY_NONE && d.detail && strstr(d.detail, "longer"),
           "64 KiB record: status %d detail %s", d.status, d.detail ? d.detail : "-");
    EXPECT(ms_resolver_queries(z) <= 2, "64 KiB record: %llu questions",
           (unsigned long long)ms_resolver_queries(z));
    ms_arena_free(arena);
    ms_resolver_free(z);
    free(lens);
    free(data);
    assert_int_equal(n_bad, 0);
}

/* A From domain of 127 labels: at most eight _dmarc questions and one existence question. */
static void labels_127(void **state)
{
    (void)state;
    char dom[300];
    size_t pos = 0;
    for (int i = 0; i < 126; i++) {
        dom[pos++] = 'a';
        dom[pos++] = '.';
    }
    dom[pos++] = 't';
    dom[pos] = '\0';
    char hdr[400];
    snprintf(hdr, sizeof(hdr), "From: x@%s\r\n", dom);
    dmarc_case c = {.name = "127 labels",
                    .zone = REC("a.t", "v=DMARC1; p=reject"),
                    .headers = hdr,
                    .dkim = "pass:attack.t",
                    .spf = "pass:a.t",
                    .want = MS_DMARC_PASS,
                    .want_disposition = D_NONE,
                    .want_tag = NP,
                    .max_queries = 9};
    /* SPF passes for a.t, the organizational domain: relaxed-aligned. */
    c.want_tag = ANY;
    dmarc_run_table(&c, 1, g_psl);
    dmarc_case f = c;
    f.name = "127 labels fail";
    f.spf = NULL;
    f.want = FAIL;
    f.want_disposition = D_REJ;
    dmarc_run_table(&f, 1, g_psl);
    /* and as an identifier */
    dmarc_case d = {.name = "127-label identifier",
                    .zone = ZONE,
                    .headers = FROM("a@attack.t"),
                    .want = FAIL,
                    .want_disposition = D_NONE,
                    .want_tag = P,
                    .max_queries = 12};
    char spf[400];
    snprintf(spf, sizeof(spf), "pass:%s", dom);
    d.spf = spf;
    dmarc_run_table(&d, 1, g_psl);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    char err[256];
    if (ms_psl_load(NULL, &g_psl, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dmarc_01),   cmocka_unit_test(dmarc_02),
        cmocka_unit_test(dmarc_04),   cmocka_unit_test(dmarc_05),
        cmocka_unit_test(dmarc_07),   cmocka_unit_test(dmarc_08),
        cmocka_unit_test(dmarc_10),   cmocka_unit_test(dmarc_11),
        cmocka_unit_test(dmarc_13),   cmocka_unit_test(dmarc_14),
        cmocka_unit_test(dmarc_16),   cmocka_unit_test(dmarc_17),
        cmocka_unit_test(dmarc_19),   cmocka_unit_test(dmarc_20),
        cmocka_unit_test(dmarc_22),   cmocka_unit_test(dmarc_23),
        cmocka_unit_test(dmarc_25),   cmocka_unit_test(dmarc_26),
        cmocka_unit_test(dmarc_28),   cmocka_unit_test(dmarc_29),
        cmocka_unit_test(dmarc_31),   cmocka_unit_test(encoded_second_domain),
        cmocka_unit_test(nuls),       cmocka_unit_test(record_64k),
        cmocka_unit_test(labels_127),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ms_psl_free(g_psl);
    return rc;
}
