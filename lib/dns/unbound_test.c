/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/dns/unbound.c's conversion of libunbound results into answers (rcodes,
 * RFC 2308 NODATA, bogus DNSSEC, malformed RDATA, canonical names) and for option checks.
 * No network: the results are made up; the live backend is tested in tests/e2e. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unbound.h>

#include "base/limits.h"
#include "dns/unbound.h"

typedef struct fake {
    struct ub_result res;
    char *data[4];
    int len[4];
} fake;

/* A result for qname/qtype with up to 3 RDATA items. */
static void fake_init(fake *f, const char *qname, int qtype, int rcode)
{
    memset(f, 0, sizeof(*f));
    f->res.qname = (char *)(uintptr_t)qname;
    f->res.qtype = qtype;
    f->res.qclass = 1;
    f->res.rcode = rcode;
    f->res.data = f->data;
    f->res.len = f->len;
    f->res.ttl = 300;
    f->res.nxdomain = rcode == 3;
}

static void fake_add(fake *f, const void *rdata, int len)
{
    size_t i = 0;
    while (f->data[i] != NULL) {
        i++;
    }
    f->data[i] = (char *)(uintptr_t)rdata;
    f->len[i] = len;
    f->res.havedata = 1;
}

static ms_arena *arena;

static int setup(void **state)
{
    (void)state;
    return ms_arena_new(NULL, 0, &arena) == MS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ms_arena_free(arena);
    return 0;
}

static ms_dns_answer convert(const fake *f, int err)
{
    ms_dns_answer a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(
        ms__unbound_answer(f ? &f->res : NULL, err, f ? f->res.qname : "x.test", arena, &a), MS_OK);
    return a;
}

static void test_rcodes(void **state)
{
    (void)state;
    struct {
        const char *what;
        int rcode;
        int err;
        ms_dns_rcode want;
        const char *want_why;
    } cases[] = {
        {"callback error", 0, UB_SERVFAIL, MS_DNS_TEMPFAIL, NULL},
        {"FORMERR", 1, 0, MS_DNS_TEMPFAIL, "FORMERR"},
        {"SERVFAIL", 2, 0, MS_DNS_TEMPFAIL, "SERVFAIL"},
        {"NXDOMAIN", 3, 0, MS_DNS_NXDOMAIN, NULL},
        {"NOTIMP", 4, 0, MS_DNS_TEMPFAIL, "NOTIMP"},
        {"REFUSED", 5, 0, MS_DNS_TEMPFAIL, "REFUSED"},
        {"odd rcode", 9, 0, MS_DNS_TEMPFAIL, NULL},
        {"NODATA", 0, 0, MS_DNS_NODATA, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake f;
        fake_init(&f, "x.test", 16, cases[i].rcode);
        ms_dns_answer a = convert(cases[i].err ? NULL : &f, cases[i].err);
        if (a.rcode != cases[i].want) {
            fail_msg("%s: got %s, want %s", cases[i].what, ms_dns_rcode_name(a.rcode),
                     ms_dns_rcode_name(cases[i].want));
        }
        if (a.rcode == MS_DNS_TEMPFAIL && a.why == NULL) {
            fail_msg("%s: TEMPFAIL without a reason", cases[i].what);
        }
        if (cases[i].want_why && strcmp(a.why, cases[i].want_why) != 0) {
            fail_msg("%s: got why \"%s\", want \"%s\"", cases[i].what, a.why, cases[i].want_why);
        }
        if (a.n_rr != 0) {
            fail_msg("%s: got %zu records, want none", cases[i].what, a.n_rr);
        }
    }
    /* The negative TTL comes through (RFC 2308 §5). */
    fake f;
    fake_init(&f, "x.test", 1, 3);
    f.res.ttl = 60;
    assert_int_equal(convert(&f, 0).ttl, 60);
}

static void test_records(void **state)
{
    (void)state;
    fake f;
    fake_init(&f, "host.test", 1, 0);
    fake_add(&f, "\xc0\x00\x02\x01", 4);
    fake_add(&f, "\xc0\x00\x02\x02", 4);
    f.res.secure = 1;
    ms_dns_answer a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_OK);
    assert_true(a.is_secure);
    assert_false(a.is_bogus);
    assert_int_equal(a.ttl, 300);
    assert_int_equal(a.n_rr, 2);
    assert_int_equal(a.rr[1].type, MS_DNS_A);
    assert_int_equal(a.rr[1].ttl, 300);
    assert_memory_equal(a.rr[1].u.a, "\xc0\x00\x02\x02", 4);
    assert_null(a.canon_name);

    fake_init(&f, "txt.test", 16, 0);
    fake_add(&f, "\x07v=spf1 \x04-all", 13);
    a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_OK);
    assert_int_equal(a.rr[0].u.txt.n_strings, 2);
    assert_string_equal(a.rr[0].u.txt.data, "v=spf1 -all");

    fake_init(&f, "mx.test", 15, 0);
    fake_add(&f, "\x00\x0a\x04mail\x04test\x00", 13);
    a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_OK);
    assert_int_equal(a.rr[0].u.mx.preference, 10);
    assert_string_equal(a.rr[0].u.mx.exchange, "mail.test");
}

static void test_malformed(void **state)
{
    (void)state;
    fake f;
    fake_init(&f, "host.test", 1, 0);
    fake_add(&f, "\xc0\x00\x02\x01", 4);
    fake_add(&f, "\xc0\x00\x02", 3);
    ms_dns_answer a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_MALFORMED);
    assert_non_null(a.why);
    assert_int_equal(a.n_rr, 0);

    fake_init(&f, "mx.test", 15, 0);
    fake_add(&f, "\x00\x0a\x09mail", 7);
    a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_MALFORMED);

    fake_init(&f, "txt.test", 16, 0);
    fake_add(&f, "\x09short", 6);
    a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_MALFORMED);

    fake_init(&f, "txt.test", 16, 0);
    fake_add(&f, "", -1);
    a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_MALFORMED);
}

static void test_bogus(void **state)
{
    (void)state;
    fake f;
    char why[] = "signature expired";
    fake_init(&f, "bad.test", 16, 2);
    f.res.bogus = 1;
    f.res.why_bogus = why;
    ms_dns_answer a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_TEMPFAIL);
    assert_true(a.is_bogus);
    assert_false(a.is_secure);
    assert_string_equal(a.why, "signature expired");
    assert_true(a.why != why); /* copied: the result is freed after */

    f.res.why_bogus = NULL;
    a = convert(&f, 0);
    assert_true(a.is_bogus);
    assert_non_null(a.why);
}

static void test_canon_name(void **state)
{
    (void)state;
    fake f;
    /* No packet: libunbound's canonname, trailing dot dropped, case kept. */
    fake_init(&f, "alias.test", 1, 0);
    fake_add(&f, "\xc0\x00\x02\x01", 4);
    f.res.canonname = (char *)(uintptr_t) "Host.Test.";
    ms_dns_answer a = convert(&f, 0);
    assert_string_equal(a.canon_name, "Host.Test");
    /* The same name as asked (any case): no canon_name of its own. */
    f.res.canonname = (char *)(uintptr_t) "ALIAS.test.";
    a = convert(&f, 0);
    assert_null(a.canon_name);

    /* With a packet, the chain in it wins: alias.t CNAME weird\032name.t */
    /* clang-format off */
    static const uint8_t pkt[] = {0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
                                  /* 12 */ 5, 'a', 'l', 'i', 'a', 's', 1, 't', 0, 0, 1, 0, 1,
                                  /* 25 */ 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 13,
                                  /* 37 */ 10, 'w', 'e', 'i', 'r', 'd', ' ', 'n', 'a', 'm', 'e',
                                  0xc0, 18};
    /* clang-format on */
    fake_init(&f, "alias.t", 1, 0);
    f.res.answer_packet = (void *)(uintptr_t)pkt;
    f.res.answer_len = (int)sizeof(pkt);
    f.res.canonname = (char *)(uintptr_t) "weird?name.t.";
    a = convert(&f, 0);
    assert_int_equal(a.rcode, MS_DNS_NODATA);
    assert_string_equal(a.canon_name, "weird\\032name.t");
}

/* Options are checked when the resolver is made; making one asks nothing on the network. */
static void test_options(void **state)
{
    (void)state;
    struct {
        const char *server;
        ms_status want;
    } cases[] = {
        {"127.0.0.1", MS_OK},
        {"127.0.0.1:5353", MS_OK},
        {"[::1]:53", MS_OK},
        {"[::1]", MS_OK},
        {"::1", MS_OK},
        {"2001:db8::53", MS_OK},
        {"dns.example", MS_EINVAL},
        {"127.0.0.1:0", MS_EINVAL},
        {"127.0.0.1:65536", MS_EINVAL},
        {"127.0.0.1:53x", MS_EINVAL},
        {"127.0.0.1:", MS_EINVAL},
        {"[::1", MS_EINVAL},
        {"[::1]53", MS_EINVAL},
        {"[]:53", MS_EINVAL},
        {"", MS_EINVAL},
        {"1.2.3.4.5", MS_EINVAL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms_unbound_options o = {.server = cases[i].server, .timeout_ms = 100};
        char err[128] = "";
        ms_resolver *r = NULL;
        ms_status st = ms_resolver_new_unbound(&o, &r, err, sizeof(err));
        if (st != cases[i].want) {
            fail_msg("server \"%s\": got %s (%s), want %s", cases[i].server, ms_status_name(st),
                     err, ms_status_name(cases[i].want));
        }
        if (st != MS_OK && (r != NULL || err[0] == '\0')) {
            fail_msg("server \"%s\": failed without a reason, or left a resolver", cases[i].server);
        }
        ms_resolver_free(r);
    }

    /* Several forwarders (servers, with or without server): each is checked. */
    static const char *const two[] = {"127.0.0.1:1", "[::1]:5353"};
    static const char *const bad2[] = {"127.0.0.1", "dns.example"};
    static const char *const many[MS_LIMIT_DNS_FORWARDERS] = {
        "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1",
        "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1",
        "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"};
    struct {
        const char *name, *server;
        const char *const *servers;
        size_t n;
        ms_status want;
    } lists[] = {
        {"two servers", NULL, two, 2, MS_OK},
        {"server and two more", "127.0.0.2", two, 2, MS_OK},
        {"one bad among two", NULL, bad2, 2, MS_EINVAL},
        {"n without servers", NULL, NULL, 2, MS_EINVAL},
        {"the most allowed", NULL, many, MS_LIMIT_DNS_FORWARDERS, MS_OK},
        {"one too many", "127.0.0.1", many, MS_LIMIT_DNS_FORWARDERS, MS_ELIMIT},
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        ms_unbound_options lo = {.server = lists[i].server,
                                 .servers = lists[i].servers,
                                 .n_servers = lists[i].n,
                                 .timeout_ms = 100,
                                 .no_dnssec = true};
        char lerr[128] = "";
        ms_resolver *lr = NULL;
        ms_status st = ms_resolver_new_unbound(&lo, &lr, lerr, sizeof(lerr));
        if (st != lists[i].want) {
            fail_msg("%s: got %s (%s), want %s", lists[i].name, ms_status_name(st), lerr,
                     ms_status_name(lists[i].want));
        }
        if (st != MS_OK && (lr != NULL || lerr[0] == '\0')) {
            fail_msg("%s: failed without a reason, or left a resolver", lists[i].name);
        }
        ms_resolver_free(lr);
    }

    /* A trust anchor that cannot be read, or does not parse, fails here, not per query. */
    ms_unbound_options o = {.server = "127.0.0.1", .trust_anchor_file = "/nonexistent/root.key"};
    char err[256] = "";
    ms_resolver *r = NULL;
    assert_int_equal(ms_resolver_new_unbound(&o, &r, err, sizeof(err)), MS_EIO);
    assert_null(r);
    char path[] = "/tmp/mailseal-anchor-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(". IN DS this is not a DS record\n", f);
    fclose(f);
    o.trust_anchor_file = path;
    ms_status st = ms_resolver_new_unbound(&o, &r, err, sizeof(err));
    remove(path);
    assert_int_equal(st, MS_EDNS);
    assert_null(r);
    assert_true(err[0] != '\0');
    /* no_dnssec: the anchor is not even looked at. */
    o.trust_anchor_file = "/nonexistent/root.key";
    o.no_dnssec = true;
    assert_int_equal(ms_resolver_new_unbound(&o, &r, err, sizeof(err)), MS_OK);
    ms_resolver_free(r);
    /* NULL options: the system's resolv.conf (and the root anchor when installed). */
    assert_int_equal(ms_resolver_new_unbound(NULL, &r, NULL, 0), MS_OK);
    ms_resolver_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rcodes),     cmocka_unit_test(test_records),
        cmocka_unit_test(test_malformed),  cmocka_unit_test(test_bogus),
        cmocka_unit_test(test_canon_name), cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
