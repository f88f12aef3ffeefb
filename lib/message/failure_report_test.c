/* SPDX-License-Identifier: MIT */
/* ms_message_failure_reports: which reports ruf= and fo= ask for (RFC 9989 §4.7), and that
 * each is an ARF message (RFC 5965, 6591, 9991 §4) our own report parser reads back with the
 * fields written, without the body, with links defanged, and safe from hostile header text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_expect.h"
#include "ms_test_sign.h"
#include "ms_test_util.h"

#include "base/buf.h"
#include "base/limits.h"
#include "mailseal/dkimkey.h"
#include "mailseal/mailseal.h"

#define SPF_OK "TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
static const char ZONE[] =
    "$ORIGIN test.\n$TTL 300\n"
    "fo0 " SPF_OK "_dmarc.fo0 TXT \"v=DMARC1; p=reject; ruf=mailto:f@fo0.test\"\n"
    "fo1 " SPF_OK "_dmarc.fo1 TXT \"v=DMARC1; p=none; fo=1; ruf=mailto:f@fo1.test\"\n"
    "fod " SPF_OK "_dmarc.fod TXT \"v=DMARC1; p=quarantine; fo=d; ruf=mailto:f@fod.test\"\n"
    "fos " SPF_OK "_dmarc.fos TXT \"v=DMARC1; p=reject; fo=s; "
    "ruf=mailto:f@fos.test,mailto:x@elsewhere.test\"\n"
    "all " SPF_OK "_dmarc.all TXT \"v=DMARC1; p=reject; fo=1:d:s; "
    "ruf=mailto:f@all.test\"\n"
    "noruf " SPF_OK "_dmarc.noruf TXT \"v=DMARC1; p=reject; fo=1; "
    "rua=mailto:a@noruf.test\"\n"
    "psd " SPF_OK "_dmarc.psd TXT \"v=DMARC1; p=reject; psd=y; fo=1; "
    "ruf=mailto:f@psd.test\"\n";

static ms_dkim_keypair *KP;
static char *PEM;

static int setup(void **state)
{
    (void)state;
    if (ms_dkim_keypair_generate(MS_DKIM_KEY_ED25519, 0, &KP) != MS_OK) {
        return -1;
    }
    size_t len = 0;
    PEM = strdup(ms_dkim_keypair_private_pem(KP, &len));
    return PEM ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ms_dkim_keypair_free(KP);
    free(PEM);
    return 0;
}

/* The message From: news@<domain>, signed with d=<domain> when sign, its body changed after
 * signing when tamper; extra header fields go above From. */
static char *build(ms_arena *arena, const char *domain, const char *extra, bool sign, bool tamper)
{
    char *inner = ms__arena_printf(arena,
                                   "%sFrom: News <news@%s>\r\nTo: you@rcpt.test\r\n"
                                   "Subject: Offer\r\nMessage-ID: <1@%s>\r\n\r\nHello.\r\n",
                                   extra ? extra : "", domain, domain);
    assert_non_null(inner);
    const char *sig = sign ? ms_test_sign(arena, PEM, domain, NULL, false, inner) : "";
    if (tamper) {
        strstr(inner, "Hello.")[0] = 'J';
    }
    char *out = ms__arena_printf(arena, "%s%s", sig, inner);
    assert_non_null(out);
    return out;
}

typedef struct run {
    ms_arena *arena;
    ms_resolver *zone;
    ms_message *m;
    const ms_failure_report *r;
    size_t n;
} run;

static void run_msg(run *r, const char *msg, const char *ip, const char *mail_from)
{
    assert_int_equal(ms_resolver_new_zone(&r->zone), MS_OK);
    assert_int_equal(ms_zone_load_text(r->zone, ZONE, sizeof(ZONE) - 1, NULL, NULL), MS_OK);
    char key[512];
    size_t len = 0;
    int k =
        snprintf(key, sizeof key, "v=DKIM1; k=ed25519; p=%s", ms_dkim_keypair_public_b64(KP, &len));
    assert_true(k > 0 && (size_t)k < sizeof key);
    static const char *const OWNERS[] = {"sel._domainkey.fo0.test", "sel._domainkey.fo1.test",
                                         "sel._domainkey.fod.test", "sel._domainkey.all.test"};
    for (size_t i = 0; i < sizeof OWNERS / sizeof OWNERS[0]; i++) {
        uint8_t lens[1] = {(uint8_t)k};
        ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
        rr.u.txt.data = key;
        rr.u.txt.len = (size_t)k;
        rr.u.txt.lens = lens;
        rr.u.txt.n_strings = 1;
        assert_int_equal(ms_zone_add(r->zone, OWNERS[i], &rr), MS_OK);
    }
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.authserv_id = "mx.rcpt.test";
    assert_int_equal(ms_message_new(r->zone, &opt, r->arena, NULL, &r->m), MS_OK);
    assert_int_equal(ms_message_connect(r->m, ip, "client.test"), MS_OK);
    assert_int_equal(ms_message_envelope(r->m, mail_from), MS_OK);
    assert_int_equal(ms_message_feed(r->m, msg, strlen(msg)), MS_OK);
    assert_int_equal(ms_message_end(r->m), MS_OK);
    ms_failure_input in = {.arrival = 1796000000,
                           .from = "dmarc-noreply@rcpt.test",
                           .reporting_mta = "mx.rcpt.test",
                           .envelope_to = "<you@rcpt.test>",
                           .queue_id = "4QX1",
                           .delivery_result = "reject"};
    assert_int_equal(ms_message_failure_reports(r->m, &in, r->arena, &r->r, &r->n), MS_OK);
}

/* The kinds of the reports made, space-separated. */
static const char *kinds(const run *r, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t at = 0;
    for (size_t k = 0; k < r->n; k++) {
        int w = snprintf(buf + at, len - at, "%s%s", k ? " " : "", r->r[k].auth_failure);
        assert_true(w > 0 && (size_t)w < len - at);
        at += (size_t)w;
    }
    return buf;
}

typedef struct which_case {
    const char *name;
    const char *domain;
    bool sign, tamper;
    const char *ip;   /* 192.0.2.10 passes SPF for every domain */
    const char *want; /* the kinds, in order */
} which_case;

static const which_case WHICH[] = {
    {"fo absent (0): DMARC fail gives one dmarc report", "fo0", false, false, "203.0.113.5",
     "dmarc"},
    {"fo absent (0): pass by SPF alone gives none", "fo0", false, false, "192.0.2.10", ""},
    {"fo=1: pass by SPF alone, DKIM missing, gives a dmarc report", "fo1", false, false,
     "192.0.2.10", "dmarc"},
    {"fo=1: both aligned gives none", "fo1", true, false, "192.0.2.10", ""},
    {"fo=d: a body changed after signing gives a bodyhash report, no dmarc one", "fod", true, true,
     "192.0.2.10", "bodyhash"},
    {"fo=d: an unsigned message gives none", "fod", false, false, "203.0.113.5", ""},
    {"fo=s: SPF fail gives an spf report only", "fos", false, false, "203.0.113.5", "spf"},
    {"fo=1:d:s: each kind once", "all", true, true, "203.0.113.5", "dmarc bodyhash spf"},
    {"no ruf=: nothing (RFC 9989 §4.7)", "noruf", false, false, "203.0.113.5", ""},
    {"psd=y: nothing (RFC 9991 §2)", "psd", false, false, "203.0.113.5", ""},
};

static void test_which(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof WHICH / sizeof WHICH[0]; k++) {
        const which_case *c = &WHICH[k];
        run r = {new_arena(0), NULL, NULL, NULL, 0};
        char mail_from[64];
        (void)snprintf(mail_from, sizeof mail_from, "<bounce@%s.test>", c->domain);
        char domain[64];
        (void)snprintf(domain, sizeof domain, "%s.test", c->domain);
        run_msg(&r, build(r.arena, domain, NULL, c->sign, c->tamper), c->ip, mail_from);
        char got[128];
        EXPECT(strcmp(kinds(&r, got, sizeof got), c->want) == 0, "%s: got '%s', want '%s'", c->name,
               got, c->want);
        for (size_t i = 0; i < r.n; i++) {
            EXPECT(strcmp(r.r[i].policy_domain, domain) == 0 && strstr(r.r[i].record, "ruf=") &&
                       r.r[i].message_len <= MS_LIMIT_FAILURE_MESSAGE,
                   "%s: report %zu: policy domain %s, record %s", c->name, i, r.r[i].policy_domain,
                   r.r[i].record);
        }
        ms_resolver_free(r.zone);
        ms_arena_free(r.arena);
    }
    assert_int_equal(n_bad, 0);
}

/* Every report is plain 7-bit CRLF text without a To field. */
static void expect_seven_bit(const char *name, const ms_failure_report *rep)
{
    for (size_t k = 0; k < rep->message_len; k++) {
        unsigned char c = (unsigned char)rep->message[k];
        EXPECT(c != 0 && c < 0x80 && (c != '\n' || (k > 0 && rep->message[k - 1] == '\r')),
               "%s: byte %zu is 0x%02x", name, k, c);
        if (c == 0 || c >= 0x80) {
            break;
        }
    }
    const char *end = strstr(rep->message, "\r\n\r\n");
    const char *to = strstr(rep->message, "\r\nTo:");
    EXPECT(end != NULL && strncmp(rep->message, "To:", 3) != 0 && (to == NULL || to > end),
           "%s: the report has a To field", name);
}

static void test_read_back(void **state)
{
    (void)state;
    run r = {new_arena(0), NULL, NULL, NULL, 0};
    const char *extra = "List-Unsubscribe: <https://fo0.test/unsub?u=1>, <http://x.test/>\r\n";
    run_msg(&r, build(r.arena, "all.test", extra, true, true), "203.0.113.5", "<b@all.test>");
    assert_int_equal(r.n, 3);
    const ms_failure_report *dm = &r.r[0];
    expect_seven_bit("dmarc", dm);
    const ms_report_failure *f = NULL;
    ms_report_error err;
    assert_int_equal(ms_report_parse_failure(dm->message, dm->message_len, r.arena, &f, &err),
                     MS_OK);
    static const struct {
        const char *field, *want;
        size_t offset;
    } WANT[] = {
        {"feedback_type", "auth-failure", offsetof(ms_report_failure, feedback_type)},
        {"auth_failure", "dmarc", offsetof(ms_report_failure, auth_failure)},
        {"reported_domain", "all.test", offsetof(ms_report_failure, reported_domain)},
        {"source_ip", "203.0.113.5", offsetof(ms_report_failure, source_ip)},
        {"identity_alignment", "dkim, spf", offsetof(ms_report_failure, identity_alignment)},
        {"delivery_result", "reject", offsetof(ms_report_failure, delivery_result)},
        {"dkim_domain", "all.test", offsetof(ms_report_failure, dkim_domain)},
        {"dkim_selector", "sel", offsetof(ms_report_failure, dkim_selector)},
        {"original_subject", "Offer", offsetof(ms_report_failure, original_subject)},
    };
    for (size_t k = 0; k < sizeof WANT / sizeof WANT[0]; k++) {
        const char *got = *(const char *const *)(const void *)((const char *)f + WANT[k].offset);
        EXPECT(got != NULL && strcmp(got, WANT[k].want) == 0, "%s: got '%s', want '%s'",
               WANT[k].field, got ? got : "(null)", WANT[k].want);
    }
    EXPECT(f->arrival == 1796000000, "arrival: got %lld", (long long)f->arrival);
    EXPECT(f->original_mail_from && strstr(f->original_mail_from, "b@all.test"),
           "original_mail_from: got %s", f->original_mail_from ? f->original_mail_from : "(null)");
    EXPECT(f->spf_dns && strstr(f->spf_dns, "v=spf1 ip4:192.0.2.10 -all"),
           "SPF-DNS for the aligned SPF failure: got %s", f->spf_dns ? f->spf_dns : "(null)");
    EXPECT(f->authentication_results && strstr(f->authentication_results, "dmarc=fail") &&
               !strstr(f->authentication_results, "spf="),
           "one method in Authentication-Results: got %s",
           f->authentication_results ? f->authentication_results : "(null)");
    /* No body; links defanged; the header copy otherwise intact. */
    EXPECT(strstr(dm->message, "Jello") == NULL && strstr(dm->message, "Hello") == NULL,
           "the body was copied");
    EXPECT(strstr(dm->message, "<hxxps://fo0.test/unsub?u=1>, <hxxp://x.test/>") != NULL &&
               strstr(dm->message, "http") == NULL,
           "links not defanged");
    EXPECT(strstr(dm->message, "Auto-Submitted: auto-generated\r\n") != NULL,
           "no Auto-Submitted field");
    /* The DKIM and SPF reports. */
    assert_int_equal(ms_report_parse_failure(r.r[1].message, r.r[1].message_len, r.arena, &f, &err),
                     MS_OK);
    EXPECT(strcmp(f->auth_failure, "bodyhash") == 0 && f->dkim_domain &&
               strcmp(f->dkim_domain, "all.test") == 0 && f->dkim_identity &&
               strcmp(f->dkim_identity, "@all.test") == 0,
           "DKIM report: got %s d=%s i=%s", f->auth_failure, f->dkim_domain ? f->dkim_domain : "-",
           f->dkim_identity ? f->dkim_identity : "-");
    assert_int_equal(ms_report_parse_failure(r.r[2].message, r.r[2].message_len, r.arena, &f, &err),
                     MS_OK);
    EXPECT(strcmp(f->auth_failure, "spf") == 0 && f->authentication_results &&
               strstr(f->authentication_results, "spf=fail"),
           "SPF report: got %s, %s", f->auth_failure,
           f->authentication_results ? f->authentication_results : "-");
    ms_resolver_free(r.zone);
    ms_arena_free(r.arena);
    assert_int_equal(n_bad, 0);
}

/* Hostile and awkward header fields: 8-bit text goes base64, a field that tries to close the
 * MIME part cannot, and the report stays 7-bit with one line per field. */
static void test_hostile_headers(void **state)
{
    (void)state;
    run r = {new_arena(0), NULL, NULL, NULL, 0};
    const char *extra = "X-Note: \xc3\xa9t\xc3\xa9 =_mailseal-arf-\r\n"
                        "X-Boundary: --=_mailseal-arf-0000000000000000-0--\r\n";
    run_msg(&r, build(r.arena, "fo0.test", extra, false, false), "203.0.113.5", "<>");
    assert_int_equal(r.n, 1);
    expect_seven_bit("8-bit header", &r.r[0]);
    EXPECT(strstr(r.r[0].message, "Content-Transfer-Encoding: base64") != NULL,
           "8-bit header copy not in base64");
    const ms_report_failure *f = NULL;
    ms_report_error err;
    assert_int_equal(ms_report_parse_failure(r.r[0].message, r.r[0].message_len, r.arena, &f, &err),
                     MS_OK);
    EXPECT(f->original_headers && strstr(f->original_headers, "X-Boundary: --=_mailseal-arf-"),
           "header copy read back: got %s", f->original_headers ? f->original_headers : "(null)");
    EXPECT(f->original_mail_from && strcmp(f->original_mail_from, "<>") == 0, "null sender: got %s",
           f->original_mail_from ? f->original_mail_from : "(null)");
    ms_resolver_free(r.zone);
    ms_arena_free(r.arena);
    assert_int_equal(n_bad, 0);
}

/* A header block over MS_LIMIT_FAILURE_HEADERS: whole fields up to the cap, said in the text. */
static void test_long_headers(void **state)
{
    (void)state;
    run r = {new_arena(0), NULL, NULL, NULL, 0};
    ms__buf b;
    ms__buf_init(&b, r.arena, 4u * 1024u * 1024u);
    for (unsigned k = 0; k < 3000; k++) {
        ms__buf_printf(&b, "X-Filler-%u: %080u\r\n", k, k);
    }
    assert_int_equal(ms__buf_status(&b), MS_OK);
    run_msg(&r, build(r.arena, "fo0.test", ms__buf_str(&b), false, false), "203.0.113.5",
            "<b@fo0.test>");
    assert_int_equal(r.n, 1);
    EXPECT(r.r[0].message_len <= MS_LIMIT_FAILURE_MESSAGE &&
               strstr(r.r[0].message, "the first ones only") != NULL &&
               strstr(r.r[0].message, "X-Filler-0: ") != NULL,
           "cut header copy: %zu bytes", r.r[0].message_len);
    ms_resolver_free(r.zone);
    ms_arena_free(r.arena);

    /* Folded with bare LFs: the copy grows by a third (each LF becomes CRLF) past the raw
     * size; the cap still holds on the copy. */
    run r2 = {new_arena(0), NULL, NULL, NULL, 0};
    ms__buf b2;
    ms__buf_init(&b2, r2.arena, 4u * 1024u * 1024u);
    for (unsigned k = 0; k < 10; k++) {
        ms__buf_printf(&b2, "X-Links-%u: http://a", k);
        for (unsigned j = 0; j < 16666; j++) {
            ms__buf_puts(&b2, "\n\tx");
        }
        ms__buf_puts(&b2, "\n");
    }
    assert_int_equal(ms__buf_status(&b2), MS_OK);
    run_msg(&r2, build(r2.arena, "fo0.test", ms__buf_str(&b2), false, false), "203.0.113.5",
            "<b@fo0.test>");
    EXPECT(r2.n == 1 && r2.r[0].message_len <= MS_LIMIT_FAILURE_MESSAGE &&
               strstr(r2.r[0].message, "the first ones only") != NULL &&
               strstr(r2.r[0].message, "X-Links-0: hxxp://a\r\n\tx") != NULL,
           "LF-folded links: %zu reports", r2.n);
    ms_resolver_free(r2.zone);
    ms_arena_free(r2.arena);
    assert_int_equal(n_bad, 0);
}

/* Report mail is never reported, and the caller's mistakes are errors. */
static void test_loops_and_errors(void **state)
{
    (void)state;
    run r = {new_arena(0), NULL, NULL, NULL, 0};
    const char *extra = "Content-Type: multipart/report; report-type=feedback-report;\r\n"
                        " boundary=\"b\"\r\n";
    run_msg(&r, build(r.arena, "fo0.test", extra, false, false), "203.0.113.5", "<b@fo0.test>");
    EXPECT(r.n == 0, "a report about report mail: got %zu reports", r.n);
    ms_failure_input in = {.arrival = 1};
    const ms_failure_report *out = NULL;
    size_t n = 7;
    EXPECT(ms_message_failure_reports(r.m, &in, r.arena, &out, &n) == MS_EINVAL && n == 0,
           "no From address: want MS_EINVAL");
    ms_resolver_free(r.zone);
    ms_arena_free(r.arena);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_which),
        cmocka_unit_test(test_read_back),
        cmocka_unit_test(test_hostile_headers),
        cmocka_unit_test(test_long_headers),
        cmocka_unit_test(test_loops_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
