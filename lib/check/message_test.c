/* SPDX-License-Identifier: MIT */
/* The audit's --message part alone (lib/check/message.c): samples signed here with a fresh key
 * and run through the receiver pipeline; the verdict findings, alignment, one-click unsubscribe
 * (RFC 8058 §3: both fields signed by the aligned DKIM signature), FCrDNS of the sending
 * address, DNS failing halfway, unreadable input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "mailseal/dkim.h"
#include "mailseal/dkimkey.h"
#include "ms_check_test.h"
#include "ms_expect.h"
#include "ms_test_sign.h"

#define ZONE                                                                                       \
    "$ORIGIN shop.example.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n"                   \
    "@ TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"                                                     \
    "_dmarc TXT \"v=DMARC1; p=reject\"\n"                                                          \
    "mail A 192.0.2.25\n"                                                                          \
    "25.2.0.192.in-addr.arpa. PTR mail.shop.example.\n"                                            \
    "27.2.0.192.in-addr.arpa. PTR elsewhere.example.\n"                                            \
    "elsewhere.example. A 198.51.100.1\n"                                                          \
    "amazonses.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"                                    \
    "provider.example. TXT \"v=spf1 -all\"\n"                                                      \
    "other.example. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"

static char *pem_shop, *pem_provider;

/* The TXT key record at owner, in 255-octet strings. */
static void add_key(ms_resolver *zone, const char *owner, const char *p)
{
    char value[2048];
    int n = snprintf(value, sizeof(value), "v=DKIM1; k=rsa; p=%s", p);
    assert_true(n > 0 && (size_t)n < sizeof(value));
    uint8_t lens[16];
    size_t k = 0;
    for (size_t left = (size_t)n; left > 0; left -= lens[k - 1]) {
        lens[k++] = (uint8_t)(left > 255 ? 255 : left);
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = value;
    rr.u.txt.len = (size_t)n;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = k;
    assert_int_equal(ms_zone_add(zone, owner, &rr), MS_OK);
}

static ms_dkim_keypair *KP;

static int setup(void **state)
{
    (void)state;
    if (ms_dkim_keypair_generate(MS_DKIM_KEY_RSA, 0, &KP) != MS_OK) {
        return -1;
    }
    size_t len = 0;
    pem_shop = strdup(ms_dkim_keypair_private_pem(KP, &len));
    pem_provider = strdup(pem_shop);
    return pem_shop && pem_provider ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ms_dkim_keypair_free(KP);
    free(pem_shop);
    free(pem_provider);
    return 0;
}

typedef struct sample {
    const char *from;        /* From domain */
    const char *return_path; /* "<...>" or NULL: no Return-Path field */
    const char *ip;          /* in the Received field */
    const char *d;           /* sign with this d= (NULL: unsigned) */
    const char *headers;     /* signer h= (NULL: its default set) */
    const char *unsub;       /* List-Unsubscribe value, NULL: none */
    const char *unsub_post;  /* List-Unsubscribe-Post value, NULL: none */
} sample;

/* Build the message as the receiver stored it: Return-Path, Received, DKIM-Signature, the rest. */
static char *build(const sample *s, bool tamper, ms_arena *arena)
{
    char inner[2048];
    int n =
        snprintf(inner, sizeof(inner),
                 "From: Shop <news@%s>\r\nTo: someone@receiver.example\r\nSubject: News\r\n"
                 "Date: Sun, 29 Nov 2026 20:00:00 +0000\r\nMessage-ID: <1@%s>\r\n%s%s%s%s%s%s"
                 "\r\nHello.\r\n",
                 s->from, s->from, s->unsub ? "List-Unsubscribe: " : "", s->unsub ? s->unsub : "",
                 s->unsub ? "\r\n" : "", s->unsub_post ? "List-Unsubscribe-Post: " : "",
                 s->unsub_post ? s->unsub_post : "", s->unsub_post ? "\r\n" : "");
    assert_true(n > 0 && (size_t)n < sizeof(inner));
    const char *sig =
        s->d != NULL ? ms_test_sign(arena, pem_shop, s->d, s->headers, true, inner) : "";
    if (tamper) {
        char *hello = strstr(inner, "Hello.");
        hello[0] = 'J';
    }
    char *out = ms__arena_printf(
        arena,
        "%s%s%sReceived: from mail.%s (mail.%s [%s]) by mx.receiver.example with ESMTPS id 1;"
        "\r\n\tSun, 29 Nov 2026 20:00:01 +0000\r\n%s%s",
        s->return_path ? "Return-Path: " : "", s->return_path ? s->return_path : "",
        s->return_path ? "\r\n" : "", s->from, s->from, s->ip, sig, inner);
    assert_non_null(out);
    return out;
}

#define ONE_CLICK "<https://shop.example/u/1>", "List-Unsubscribe=One-Click"

typedef struct message_case {
    const char *name;
    sample s;
    const char *want;
    bool dmarc_pass, one_click;
} message_case;

static const message_case CASES[] = {
    {"all in order",
     {"shop.example", "<bounce@shop.example>", "192.0.2.25", "shop.example", NULL, ONE_CLICK},
     "message-dmarc-pass",
     true,
     true},
    {"one-click fields not signed",
     {"shop.example", "<bounce@shop.example>", "192.0.2.25", "shop.example", "From:To:Subject:Date",
      ONE_CLICK},
     "message-dmarc-pass message-one-click-unsigned",
     true,
     false},
    {"no List-Unsubscribe-Post",
     {"shop.example", "<bounce@shop.example>", "192.0.2.25", "shop.example", NULL,
      "<https://shop.example/u/1>, <mailto:u@shop.example>", NULL},
     "message-dmarc-pass message-one-click-missing",
     true,
     false},
    {"mailto only",
     {"shop.example", "<bounce@shop.example>", "192.0.2.25", "shop.example", NULL,
      "<mailto:u@shop.example>", "List-Unsubscribe=One-Click"},
     "message-dmarc-pass message-one-click-missing",
     true,
     false},
    {"no unsubscribe at all (info)",
     {"shop.example", "<bounce@shop.example>", "192.0.2.25", "shop.example", NULL, NULL, NULL},
     "message-dmarc-pass message-one-click-missing",
     true,
     false},
    {"SES without custom MAIL FROM: SPF not aligned",
     {"shop.example", "<0100abc@amazonses.example>", "192.0.2.25", "shop.example", NULL, ONE_CLICK},
     "message-dmarc-pass message-spf-not-aligned",
     true,
     true},
    {"unsigned, SPF aligned",
     {"shop.example", "<bounce@shop.example>", "192.0.2.25", NULL, NULL, ONE_CLICK},
     "message-dmarc-pass message-dkim-none message-one-click-unsigned",
     true,
     false},
    {"signed by the provider only, bounce at the provider",
     {"shop.example", "<b@amazonses.example>", "192.0.2.25", "provider.example", NULL, ONE_CLICK},
     "message-dmarc-fail message-dkim-not-aligned message-spf-not-aligned "
     "message-one-click-unsigned",
     false,
     false},
    {"SPF fails, DKIM aligned",
     {"shop.example", "<bounce@shop.example>", "198.51.100.7", "shop.example", NULL, ONE_CLICK},
     "message-dmarc-pass message-spf-fail message-ptr-missing",
     true,
     true},
    {"no PTR",
     {"shop.example", "<bounce@shop.example>", "192.0.2.26", "shop.example", NULL, ONE_CLICK},
     "message-dmarc-pass message-ptr-missing",
     true,
     true},
    {"PTR not confirmed forward",
     {"shop.example", "<bounce@shop.example>", "192.0.2.27", "shop.example", NULL, ONE_CLICK},
     "message-dmarc-pass message-fcrdns-mismatch",
     true,
     true},
    {"no public Received",
     {"shop.example", "<bounce@shop.example>", "10.1.2.3", "shop.example", NULL, ONE_CLICK},
     "message-no-client",
     false,
     false},
    {"no Return-Path",
     {"shop.example", NULL, "192.0.2.25", "shop.example", NULL, ONE_CLICK},
     "message-dmarc-pass message-no-return-path message-spf-fail",
     true,
     true},
    {"a sample from another domain",
     {"other.example", "<b@other.example>", "192.0.2.25", NULL, NULL, NULL, NULL},
     "message-other-domain message-dkim-none message-dmarc-none message-one-click-missing",
     false,
     false},
};

static ms__check_ctx *new_ctx(check_fixture *f)
{
    ms__check_ctx *c = check_new(f, ZONE, NULL, "shop.example");
    size_t len = 0;
    const char *p = ms_dkim_keypair_public_b64(KP, &len);
    add_key(f->zone, "sel._domainkey.shop.example", p);
    add_key(f->zone, "sel._domainkey.provider.example", p);
    return c;
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const message_case *tc = &CASES[i];
        check_fixture f;
        ms__check_ctx *c = new_ctx(&f);
        const char *raw = build(&tc->s, false, f.arena);
        f.opt.message = raw;
        f.opt.message_len = strlen(raw);
        f.opt.message_from_received = true;
        ms__check_message(c);
        char got[512];
        EXPECT(c->fatal == MS_OK, "%s: fatal %d", tc->name, c->fatal);
        EXPECT(check_ids_are(c, tc->want), "%s: got ids [%s], want [%s]", tc->name,
               check_ids(c, got, sizeof(got)), tc->want);
        EXPECT(c->facts.has_message, "%s: has_message false", tc->name);
        EXPECT(c->facts.message_dmarc_pass == tc->dmarc_pass, "%s: got dmarc pass %d, want %d",
               tc->name, c->facts.message_dmarc_pass, tc->dmarc_pass);
        EXPECT(c->facts.message_one_click == tc->one_click, "%s: got one-click %d, want %d",
               tc->name, c->facts.message_one_click, tc->one_click);
        for (size_t k = 0; k < f.report.n_findings; k++) {
            const ms_check_finding *x = &f.report.findings[k];
            EXPECT(check_documented(x->id), "%s: %s is not in docs/check-findings.md", tc->name,
                   x->id);
            EXPECT(x->area == MS_CHECK_AREA_MESSAGE, "%s: %s in area %d", tc->name, x->id, x->area);
            if (getenv("SHOW")) {
                print_message("%s\n  %s: %s\n  fix: %s\n", tc->name, x->id, x->message,
                              x->fix ? x->fix : "-");
            }
        }
        check_free(&f);
    }
    assert_int_equal(n_bad, 0);
}

/* The one-click finding names what is missing; the DMARC pass names the aligned identifier. */
static void test_wording(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c = new_ctx(&f);
    sample s = {"shop.example",
                "<b@amazonses.example>",
                "192.0.2.25",
                "shop.example",
                "From:To:Subject:Date:List-Unsubscribe",
                ONE_CLICK};
    const char *raw = build(&s, false, f.arena);
    f.opt.message = raw;
    f.opt.message_len = strlen(raw);
    ms__check_message(c);
    const ms_check_finding *x = check_find(c, "message-one-click-unsigned");
    assert_non_null(x);
    assert_non_null(strstr(x->message, "does not sign List-Unsubscribe-Post"));
    x = check_find(c, "message-dmarc-pass");
    assert_non_null(x);
    assert_non_null(strstr(x->message, "aligned through DKIM."));
    x = check_find(c, "message-spf-not-aligned");
    assert_non_null(x);
    assert_non_null(strstr(x->message, "amazonses.example"));
    check_free(&f);
}

/* The body changed after signing: the domain's own signature fails, DMARC passes by SPF. */
static void test_tampered(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c = new_ctx(&f);
    sample s = {"shop.example", "<bounce@shop.example>", "192.0.2.25", "shop.example", NULL,
                ONE_CLICK};
    const char *raw = build(&s, true, f.arena);
    f.opt.message = raw;
    f.opt.message_len = strlen(raw);
    ms__check_message(c);
    char got[512];
    const char *want = "message-dmarc-pass message-dkim-fail message-one-click-unsigned";
    EXPECT(check_ids_are(c, want), "tampered: got [%s], want [%s]", check_ids(c, got, sizeof(got)),
           want);
    const ms_check_finding *x = check_find(c, "message-dkim-fail");
    EXPECT(x != NULL && x->severity == MS_CHECK_ERROR && strstr(x->message, "s=sel") != NULL,
           "tampered: %s", x ? x->message : "no finding");
    check_free(&f);
    assert_int_equal(n_bad, 0);
}

/* DNS failing halfway (the PTR lookup), unreadable input, no message at all. */
static void test_failures(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c = new_ctx(&f);
    assert_int_equal(ms_zone_add_fault(f.zone, "25.2.0.192.in-addr.arpa", MS_DNS_PTR,
                                       MS_DNS_TEMPFAIL, "timeout"),
                     MS_OK);
    sample s = {"shop.example", "<bounce@shop.example>", "192.0.2.25", "shop.example", NULL,
                ONE_CLICK};
    const char *raw = build(&s, false, f.arena);
    f.opt.message = raw;
    f.opt.message_len = strlen(raw);
    ms__check_message(c);
    char got[512];
    EXPECT(check_ids_are(c, "message-dmarc-pass message-dns-error"), "PTR fails: got [%s]",
           check_ids(c, got, sizeof(got)));
    EXPECT(f.report.incomplete, "PTR fails: not incomplete");
    check_free(&f);

    static const struct {
        const char *name;
        const char *data;
        size_t len;
    } BAD[] = {
        {"empty", "", 0},
        {"binary", "\x00\x01\x02\xff\r\n\r\n", 8},
        {"body only", "\r\nHello\r\n", 9},
        {"no colon", "this is not a message\r\n", 23},
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        c = new_ctx(&f);
        char *copy = exact(BAD[i].data, BAD[i].len);
        f.opt.message = copy;
        f.opt.message_len = BAD[i].len;
        ms__check_message(c);
        EXPECT(c->fatal == MS_OK, "%s: fatal %d", BAD[i].name, c->fatal);
        EXPECT(f.report.n_findings == 1 && (check_find(c, "message-unreadable") != NULL ||
                                            check_find(c, "message-no-client") != NULL),
               "%s: got [%s]", BAD[i].name, check_ids(c, got, sizeof(got)));
        EXPECT(f.report.incomplete, "%s: not incomplete", BAD[i].name);
        free(copy);
        check_free(&f);
    }

    /* A header block over the 1 MiB parse cap (MS_LIMIT_MSG_HEADER_BYTES). */
    size_t big = 2u * 1024u * 1024u;
    char *huge = malloc(big);
    assert_non_null(huge);
    for (size_t o = 0; o + 100 <= big; o += 100) {
        memcpy(huge + o, "X-Filler: ", 10);
        memset(huge + o + 10, 'a', 88);
        memcpy(huge + o + 98, "\r\n", 2);
    }
    c = new_ctx(&f);
    f.opt.message = huge;
    f.opt.message_len = big;
    ms__check_message(c);
    EXPECT(c->fatal == MS_OK, "huge: fatal %d", c->fatal);
    EXPECT(check_ids_are(c, "message-unreadable"), "huge: got [%s]",
           check_ids(c, got, sizeof(got)));
    free(huge);
    check_free(&f);

    c = new_ctx(&f);
    ms__check_message(c);
    assert_int_equal(f.report.n_findings, 0);
    assert_false(c->facts.has_message);
    check_free(&f);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_wording),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
