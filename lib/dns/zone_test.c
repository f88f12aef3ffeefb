/* SPDX-License-Identifier: MIT */
/* The offline view through ms_resolver_query: records, NXDOMAIN and NODATA (RFC 1034 §4.3.2,
 * RFC 8020), CNAMEs (RFC 1034 §3.6.2), wildcards (RFC 4592 §3.3.1), scripted faults, counts
 * and reverse names (RFC 1035 §3.5, RFC 3596 §2.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/dns.h"

typedef struct fixture {
    ms_resolver *zone;
    ms_arena *arena;
} fixture;

/* Two files merged into one view: the example zone and a second one that adds to it. */
static const char zone_one[] = "$ORIGIN example.\n"
                               "$TTL 300\n"
                               "@        SOA  ns1 hostmaster 1 3600 600 86400 60\n"
                               "@        TXT  \"v=spf1 mx -all\"\n"
                               "@        MX   10 mail\n"
                               "mail     A    192.0.2.25\n"
                               "         AAAA 2001:db8::25\n"
                               "a.b      TXT  \"deep\"\n"
                               "alias    CNAME www\n"
                               "www      A    192.0.2.80\n"
                               "chain1   CNAME chain2\n"
                               "chain2   CNAME www\n"
                               "loop1    CNAME loop2\n"
                               "loop2    CNAME loop1\n"
                               "self     CNAME self\n"
                               "out      CNAME nowhere.invalid.\n"
                               "*.wild   TXT  \"wild\"\n"
                               "x.wild   A    192.0.2.99\n"
                               "e.f.wild TXT  \"under an empty non-terminal\"\n";
static const char zone_two[] = "other.test. 60 IN TXT \"from the second file\"\n"
                               "www.example. 60 IN TXT \"merged into www\"\n";

static int setup(void **state)
{
    static fixture f;
    ms_zone_error err;
    memset(&f, 0, sizeof(f));
    if (ms_resolver_new_zone(&f.zone) != MS_OK || ms_arena_new(NULL, 0, &f.arena) != MS_OK) {
        return -1;
    }
    if (ms_zone_load_text(f.zone, zone_one, strlen(zone_one), NULL, &err) != MS_OK ||
        ms_zone_load_text(f.zone, zone_two, strlen(zone_two), NULL, &err) != MS_OK) {
        print_error("zone load failed at %u:%u: %s [%s]\n", err.line, err.column, err.reason,
                    err.detail);
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_resolver_free(f->zone);
    ms_arena_free(f->arena);
    return 0;
}

/* ---- answers ---------------------------------------------------------------------------- */

typedef struct query_case {
    const char *name;
    const char *qname;
    uint16_t qtype;
    ms_dns_rcode rcode;
    size_t n_rr;
    const char *canon_name; /* NULL: the qname itself; "": not checked */
    const char *first;      /* TXT text, name, or dotted IPv4 of the first record; NULL: skip */
} query_case;

static const query_case query_cases[] = {
    {"TXT at the apex", "example", MS_DNS_TXT, MS_DNS_OK, 1, NULL, "v=spf1 mx -all"},
    {"MX at the apex", "example", MS_DNS_MX, MS_DNS_OK, 1, NULL, "mail.example"},
    {"A", "mail.example", MS_DNS_A, MS_DNS_OK, 1, NULL, "192.0.2.25"},
    {"AAAA with an inherited owner", "mail.example", MS_DNS_AAAA, MS_DNS_OK, 1, NULL, NULL},
    {"NXDOMAIN: nothing at or below", "nothing.example", MS_DNS_A, MS_DNS_NXDOMAIN, 0, NULL, NULL},
    {"NXDOMAIN below a leaf", "deeper.mail.example", MS_DNS_TXT, MS_DNS_NXDOMAIN, 0, NULL, NULL},
    {"NXDOMAIN outside every zone", "example.org", MS_DNS_A, MS_DNS_NXDOMAIN, 0, NULL, NULL},
    {"NODATA: other types only", "mail.example", MS_DNS_TXT, MS_DNS_NODATA, 0, NULL, NULL},
    {"NODATA: empty non-terminal", "b.example", MS_DNS_TXT, MS_DNS_NODATA, 0, NULL, NULL},
    {"NODATA: empty non-terminal, other type", "b.example", MS_DNS_A, MS_DNS_NODATA, 0, NULL, NULL},
    {"record below an empty non-terminal", "a.b.example", MS_DNS_TXT, MS_DNS_OK, 1, NULL, "deep"},
    {"second file merged: new name", "other.test", MS_DNS_TXT, MS_DNS_OK, 1, NULL,
     "from the second file"},
    {"second file merged: same name", "www.example", MS_DNS_TXT, MS_DNS_OK, 1, NULL,
     "merged into www"},
    {"first file still there", "www.example", MS_DNS_A, MS_DNS_OK, 1, NULL, "192.0.2.80"},
    {"CNAME followed", "alias.example", MS_DNS_A, MS_DNS_OK, 1, "www.example", "192.0.2.80"},
    {"CNAME followed to a type the target has", "alias.example", MS_DNS_TXT, MS_DNS_OK, 1,
     "www.example", "merged into www"},
    {"CNAME followed to NODATA", "alias.example", MS_DNS_MX, MS_DNS_NODATA, 0, "www.example", NULL},
    {"CNAME asked as CNAME is not followed", "alias.example", MS_DNS_CNAME, MS_DNS_OK, 1, NULL,
     "www.example"},
    {"CNAME chain of two", "chain1.example", MS_DNS_A, MS_DNS_OK, 1, "www.example", "192.0.2.80"},
    {"CNAME to nowhere", "out.example", MS_DNS_A, MS_DNS_NXDOMAIN, 0, "nowhere.invalid", NULL},
    {"CNAME loop", "loop1.example", MS_DNS_A, MS_DNS_TEMPFAIL, 0, "", NULL},
    {"CNAME to itself", "self.example", MS_DNS_TXT, MS_DNS_TEMPFAIL, 0, "", NULL},
    {"wildcard answers a missing name", "y.wild.example", MS_DNS_TXT, MS_DNS_OK, 1, NULL, "wild"},
    {"wildcard NODATA for another type", "y.wild.example", MS_DNS_A, MS_DNS_NODATA, 0, NULL, NULL},
    {"wildcard not used when the name exists", "x.wild.example", MS_DNS_TXT, MS_DNS_NODATA, 0, NULL,
     NULL},
    {"wildcard not used below an existing name", "z.x.wild.example", MS_DNS_TXT, MS_DNS_NXDOMAIN, 0,
     NULL, NULL},
    {"wildcard not used for an empty non-terminal", "f.wild.example", MS_DNS_TXT, MS_DNS_NODATA, 0,
     NULL, NULL},
    {"wildcard for a deeper missing name", "p.q.wild.example", MS_DNS_TXT, MS_DNS_OK, 1, NULL,
     "wild"},
    {"wildcard owner asked literally", "*.wild.example", MS_DNS_TXT, MS_DNS_OK, 1, NULL, "wild"},
    {"no wildcard above its level", "y.example", MS_DNS_TXT, MS_DNS_NXDOMAIN, 0, NULL, NULL},
    {"names are case-insensitive", "MAIL.Example", MS_DNS_A, MS_DNS_OK, 1, NULL, "192.0.2.25"},
    {"trailing dot", "mail.example.", MS_DNS_A, MS_DNS_OK, 1, NULL, "192.0.2.25"},
    {"SOA present", "example", MS_DNS_SOA, MS_DNS_OK, 1, NULL, "ns1.example"},
    {"not a domain name", "a..b", MS_DNS_A, MS_DNS_MALFORMED, 0, NULL, NULL},
};

/* The first record's text for comparing. */
static void first_text(const ms_dns_rr *rr, char *buf, size_t size)
{
    switch (rr->type) {
    case MS_DNS_A:
        snprintf(buf, size, "%u.%u.%u.%u", rr->u.a[0], rr->u.a[1], rr->u.a[2], rr->u.a[3]);
        break;
    case MS_DNS_TXT:
    case MS_DNS_SPF:
        snprintf(buf, size, "%.*s", (int)rr->u.txt.len, rr->u.txt.data);
        break;
    case MS_DNS_MX:
        snprintf(buf, size, "%s", rr->u.mx.exchange);
        break;
    case MS_DNS_SOA:
        snprintf(buf, size, "%s", rr->u.soa.mname);
        break;
    default:
        snprintf(buf, size, "%s", rr->u.name);
        break;
    }
}

static void test_answers(void **state)
{
    fixture *f = *state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(query_cases) / sizeof(query_cases[0]); i++) {
        const query_case *c = &query_cases[i];
        const ms_dns_answer *a = NULL;
        ms_status st = ms_resolver_query(f->zone, c->qname, c->qtype, f->arena, &a);
        if (st != MS_OK || a == NULL) {
            print_error("%s: got status %s, want MS_OK\n", c->name, ms_status_name(st));
            failures++;
            continue;
        }
        if (a->rcode != c->rcode || a->n_rr != c->n_rr) {
            print_error("%s: got %s with %zu records, want %s with %zu\n", c->name,
                        ms_dns_rcode_name(a->rcode), a->n_rr, ms_dns_rcode_name(c->rcode), c->n_rr);
            failures++;
            continue;
        }
        if (c->canon_name && c->canon_name[0] && strcmp(a->canon_name, c->canon_name) != 0) {
            print_error("%s: got canon_name %s, want %s\n", c->name, a->canon_name, c->canon_name);
            failures++;
        }
        if (!c->canon_name && a->canon_name != a->qname) {
            print_error("%s: got canon_name %s, want the qname %s\n", c->name, a->canon_name,
                        a->qname);
            failures++;
        }
        if (c->first && a->n_rr > 0) {
            char got[512];
            first_text(&a->rr[0], got, sizeof(got));
            if (strcmp(got, c->first) != 0 || a->rr[0].type != c->qtype) {
                print_error("%s: got first record %s (type %s), want %s\n", c->name, got,
                            ms_dns_type_name(a->rr[0].type), c->first);
                failures++;
            }
        }
        if ((a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) && a->why == NULL) {
            print_error("%s: got no why for %s\n", c->name, ms_dns_rcode_name(a->rcode));
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* TTLs: the smallest record TTL, and a negative TTL for NXDOMAIN and NODATA. */
static void test_ttls(void **state)
{
    fixture *f = *state;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_query(f->zone, "mail.example", MS_DNS_A, f->arena, &a), MS_OK);
    assert_int_equal(a->ttl, 300);
    assert_int_equal(a->rr[0].ttl, 300);
    assert_int_equal(ms_resolver_query(f->zone, "nothing.example", MS_DNS_A, f->arena, &a), MS_OK);
    assert_true(a->ttl > 0);
    assert_int_equal(ms_resolver_query(f->zone, "other.test", MS_DNS_TXT, f->arena, &a), MS_OK);
    assert_int_equal(a->ttl, 60);
}

/* The answer lives in the caller's arena: it outlives the view. */
static void test_answer_outlives_zone(void **state)
{
    (void)state;
    ms_resolver *z = NULL;
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const char *text = "t.example. TXT \"a\" \"bc\"\n";
    assert_int_equal(ms_zone_load_text(z, text, strlen(text), NULL, NULL), MS_OK);
    assert_int_equal(ms_resolver_query(z, "t.example", MS_DNS_TXT, arena, &a), MS_OK);
    ms_resolver_free(z);
    assert_int_equal(a->n_rr, 1);
    assert_int_equal(a->rr[0].u.txt.n_strings, 2);
    assert_int_equal(a->rr[0].u.txt.lens[0], 1);
    assert_int_equal(a->rr[0].u.txt.lens[1], 2);
    assert_int_equal(a->rr[0].u.txt.len, 3);
    assert_memory_equal(a->rr[0].u.txt.data, "abc", 4); /* NUL added */
    assert_string_equal(a->qname, "t.example");
    ms_arena_free(arena);
}

/* A view with no SOA answers all the same. */
static void test_soa_optional(void **state)
{
    (void)state;
    ms_resolver *z = NULL;
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const char *text = "w.example. A 192.0.2.1\n";
    assert_int_equal(ms_zone_load_text(z, text, strlen(text), NULL, NULL), MS_OK);
    assert_int_equal(ms_resolver_query(z, "w.example", MS_DNS_A, arena, &a), MS_OK);
    assert_int_equal(a->rcode, MS_DNS_OK);
    assert_int_equal(ms_resolver_query(z, "example", MS_DNS_SOA, arena, &a), MS_OK);
    assert_int_equal(a->rcode, MS_DNS_NODATA);
    assert_int_equal(ms_resolver_query(z, "v.example", MS_DNS_A, arena, &a), MS_OK);
    assert_int_equal(a->rcode, MS_DNS_NXDOMAIN);
    /* An empty view: everything is NXDOMAIN. */
    ms_resolver *empty = NULL;
    assert_int_equal(ms_resolver_new_zone(&empty), MS_OK);
    assert_int_equal(ms_resolver_query(empty, "example", MS_DNS_A, arena, &a), MS_OK);
    assert_int_equal(a->rcode, MS_DNS_NXDOMAIN);
    ms_resolver_free(empty);
    ms_resolver_free(z);
    ms_arena_free(arena);
}

/* A CNAME loop ends within MS_LIMIT_DNS_CNAME_CHAIN hops, however long the ring. */
static void test_cname_loop_bounded(void **state)
{
    (void)state;
    ms_resolver *z = NULL;
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    char owner[64], target[64];
    for (unsigned i = 0; i < 50; i++) {
        snprintf(owner, sizeof(owner), "c%u.example", i);
        snprintf(target, sizeof(target), "c%u.example", (i + 1) % 50);
        ms_dns_rr rr = {.type = MS_DNS_CNAME, .ttl = 60, .u.name = target};
        assert_int_equal(ms_zone_add(z, owner, &rr), MS_OK);
    }
    uint64_t before = ms_resolver_queries(z);
    assert_int_equal(ms_resolver_query(z, "c0.example", MS_DNS_TXT, arena, &a), MS_OK);
    assert_int_equal(a->rcode, MS_DNS_TEMPFAIL);
    assert_non_null(a->why);
    assert_non_null(strstr(a->why, "CNAME"));
    assert_int_equal(ms_resolver_queries(z) - before, 1);
    ms_resolver_free(z);
    ms_arena_free(arena);
}

/* ---- scripted faults -------------------------------------------------------------------- */

static void test_faults(void **state)
{
    (void)state;
    ms_resolver *z = NULL;
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const char *text = "$ORIGIN example.\n"
                       "slow    TXT \"never seen\"\n"
                       "partial TXT \"text works\"\n"
                       "partial A   192.0.2.1\n"
                       "mixed   TXT \"record wins\"\n";
    assert_int_equal(ms_zone_load_text(z, text, strlen(text), NULL, NULL), MS_OK);
    assert_int_equal(ms_zone_add_fault(z, "slow.example", MS_DNS_TXT, MS_DNS_TEMPFAIL, "timeout"),
                     MS_OK);
    assert_int_equal(ms_zone_add_fault(z, "broken.example", 0, MS_DNS_TEMPFAIL, "SERVFAIL"), MS_OK);
    assert_int_equal(ms_zone_add_fault(z, "PARTIAL.example.", MS_DNS_A, MS_DNS_MALFORMED, NULL),
                     MS_OK);
    assert_int_equal(ms_zone_add_fault(z, "mixed.example", 0, MS_DNS_TEMPFAIL, "timeout"), MS_OK);
    assert_int_equal(ms_zone_add_fault(z, "x.example", 0, MS_DNS_NXDOMAIN, NULL), MS_EINVAL);
    assert_int_equal(ms_zone_add_fault(z, "a..b", 0, MS_DNS_TEMPFAIL, NULL), MS_EINVAL);
    assert_int_equal(ms_zone_add_fault(NULL, "x.example", 0, MS_DNS_TEMPFAIL, NULL), MS_EINVAL);

    static const struct {
        const char *name, *qname;
        uint16_t qtype;
        ms_dns_rcode rcode;
        const char *why;
    } cases[] = {
        {"TEMPFAIL timeout", "slow.example", MS_DNS_TXT, MS_DNS_TEMPFAIL, "timeout"},
        {"the fault is for TXT only", "slow.example", MS_DNS_A, MS_DNS_NODATA, NULL},
        {"SERVFAIL for every type, no records", "broken.example", MS_DNS_MX, MS_DNS_TEMPFAIL,
         "SERVFAIL"},
        {"SERVFAIL for every type, A", "broken.example", MS_DNS_A, MS_DNS_TEMPFAIL, "SERVFAIL"},
        {"type-specific fault", "partial.example", MS_DNS_A, MS_DNS_MALFORMED, NULL},
        {"other type unaffected", "partial.example", MS_DNS_TXT, MS_DNS_OK, NULL},
        {"record of the asked type wins over an any-type fault", "mixed.example", MS_DNS_TXT,
         MS_DNS_OK, NULL},
        {"any-type fault for a type without records", "mixed.example", MS_DNS_A, MS_DNS_TEMPFAIL,
         "timeout"},
        {"fault name is case-insensitive", "SLOW.EXAMPLE.", MS_DNS_TXT, MS_DNS_TEMPFAIL, "timeout"},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(ms_resolver_query(z, cases[i].qname, cases[i].qtype, arena, &a), MS_OK);
        if (a->rcode != cases[i].rcode ||
            (cases[i].why && (a->why == NULL || strcmp(a->why, cases[i].why) != 0))) {
            print_error("%s: got %s (%s), want %s (%s)\n", cases[i].name,
                        ms_dns_rcode_name(a->rcode), a->why ? a->why : "-",
                        ms_dns_rcode_name(cases[i].rcode), cases[i].why ? cases[i].why : "-");
            failures++;
        }
        if ((a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) && a->why == NULL) {
            print_error("%s: got no why\n", cases[i].name);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
    ms_resolver_free(z);
    ms_arena_free(arena);
}

/* ---- counting, arguments ---------------------------------------------------------------- */

static void test_query_count(void **state)
{
    (void)state;
    ms_resolver *z = NULL;
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    assert_int_equal(ms_resolver_queries(z), 0);
    assert_int_equal(ms_resolver_queries(NULL), 0);
    for (unsigned i = 1; i <= 5; i++) {
        assert_int_equal(ms_resolver_query(z, "q.example", MS_DNS_A, arena, &a), MS_OK);
        assert_int_equal(ms_resolver_queries(z), i);
    }
    /* A name that cannot be asked is answered MALFORMED and not sent. */
    assert_int_equal(ms_resolver_query(z, "", MS_DNS_A, arena, &a), MS_OK);
    assert_int_equal(a->rcode, MS_DNS_MALFORMED);
    assert_int_equal(ms_resolver_queries(z), 5);
    /* Bad arguments: a status, no answer. */
    assert_int_equal(ms_resolver_query(NULL, "q.example", MS_DNS_A, arena, &a), MS_EINVAL);
    assert_null(a);
    assert_int_equal(ms_resolver_query(z, NULL, MS_DNS_A, arena, &a), MS_EINVAL);
    assert_int_equal(ms_resolver_query(z, "q.example", MS_DNS_A, NULL, &a), MS_EINVAL);
    assert_int_equal(ms_resolver_queries(z), 5);
    ms_resolver_free(z);
    ms_resolver_free(NULL);
    ms_arena_free(arena);
}

static void test_zone_add(void **state)
{
    (void)state;
    ms_resolver *z = NULL;
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    char name[32] = "mx.example";
    ms_dns_rr rr = {.type = MS_DNS_MX, .ttl = 5, .u.mx = {7, name}};
    assert_int_equal(ms_zone_add(z, "Example.", &rr), MS_OK);
    memcpy(name, "XXXXXXXXX", 10); /* the view keeps its own copy */
    assert_int_equal(ms_resolver_query(z, "example", MS_DNS_MX, arena, &a), MS_OK);
    assert_int_equal(a->n_rr, 1);
    assert_int_equal(a->rr[0].u.mx.preference, 7);
    assert_string_equal(a->rr[0].u.mx.exchange, "mx.example");
    assert_int_equal(ms_zone_add(z, "bad..name", &rr), MS_EINVAL);
    assert_int_equal(ms_zone_add(z, NULL, &rr), MS_EINVAL);
    assert_int_equal(ms_zone_add(z, "example", NULL), MS_EINVAL);
    assert_int_equal(ms_zone_add(NULL, "example", &rr), MS_EINVAL);
    ms_resolver_free(z);
    ms_arena_free(arena);
}

/* ---- reverse names ---------------------------------------------------------------------- */

static void test_reverse_name(void **state)
{
    (void)state;
    char buf[128];
    const uint8_t v4[4] = {192, 0, 2, 1};
    assert_int_equal(ms_dns_reverse_name(v4, 4, buf, sizeof(buf)), MS_OK);
    assert_string_equal(buf, "1.2.0.192.in-addr.arpa");
    const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd};
    assert_int_equal(ms_dns_reverse_name(v6, 16, buf, sizeof(buf)), MS_OK);
    assert_string_equal(buf, "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
                             "ip6.arpa");
    assert_int_equal(ms_dns_reverse_name(v4, 5, buf, sizeof(buf)), MS_EINVAL);
    assert_int_equal(ms_dns_reverse_name(v4, 4, buf, 10), MS_ELIMIT);
    assert_int_equal(ms_dns_reverse_name(v6, 16, buf, 40), MS_ELIMIT);
    /* Exactly fits: 72 characters plus NUL. */
    assert_int_equal(ms_dns_reverse_name(v6, 16, buf, 73), MS_OK);
    assert_int_equal(strlen(buf), 72);

    /* A reverse name found in a view. */
    ms_resolver *z = NULL;
    ms_arena *arena = NULL;
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const char *text = "1.2.0.192.in-addr.arpa. PTR host.example.\n";
    assert_int_equal(ms_zone_load_text(z, text, strlen(text), NULL, NULL), MS_OK);
    assert_int_equal(ms_dns_reverse_name(v4, 4, buf, sizeof(buf)), MS_OK);
    assert_int_equal(ms_resolver_query(z, buf, MS_DNS_PTR, arena, &a), MS_OK);
    assert_int_equal(a->n_rr, 1);
    assert_string_equal(a->rr[0].u.name, "host.example");
    ms_resolver_free(z);
    ms_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttls, setup, teardown),
        cmocka_unit_test(test_answer_outlives_zone),
        cmocka_unit_test(test_soa_optional),
        cmocka_unit_test(test_cname_loop_bounded),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_query_count),
        cmocka_unit_test(test_zone_add),
        cmocka_unit_test(test_reverse_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
