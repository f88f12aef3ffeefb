/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/dns/cache.c over the zone view: hits, expiry per TTL (RFC 1035 §3.2.1),
 * negative caching (RFC 2308 §5), failures not kept, the size bound, and four threads at once. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>

#include "base/limits.h"
#include "dns/cache.h"

typedef struct fixture {
    ms_resolver *zone;
    ms_resolver *cache;
    ms_arena *arena;
    uint64_t now_ms; /* the cache's clock */
} fixture;

static uint64_t fake_clock(void *user)
{
    return ((fixture *)user)->now_ms;
}

static void add_txt(ms_resolver *zone, const char *owner, uint32_t ttl, const char *text)
{
    uint8_t lens[2] = {(uint8_t)(strlen(text) / 2), 0};
    lens[1] = (uint8_t)(strlen(text) - lens[0]);
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = ttl};
    rr.u.txt.data = text;
    rr.u.txt.len = strlen(text);
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = 2;
    assert_int_equal(ms_zone_add(zone, owner, &rr), MS_OK);
}

static void add_a(ms_resolver *zone, const char *owner, uint32_t ttl, uint8_t last)
{
    ms_dns_rr rr = {.type = MS_DNS_A, .ttl = ttl, .u.a = {192, 0, 2, last}};
    assert_int_equal(ms_zone_add(zone, owner, &rr), MS_OK);
}

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof(f));
    f.now_ms = 1000000;
    if (ms_resolver_new_zone(&f.zone) != MS_OK || ms_arena_new(NULL, 0, &f.arena) != MS_OK ||
        ms_resolver_new_cache(f.zone, 0, &f.cache) != MS_OK) {
        return -1;
    }
    ms__cache_set_clock(f.cache, fake_clock, &f);
    add_txt(f.zone, "txt.example", 60, "v=spf1 -all");
    add_a(f.zone, "txt.example", 120, 1);
    add_a(f.zone, "host.example", 10, 2);
    add_a(f.zone, "host.example", 20, 3);
    ms_dns_rr mx = {.type = MS_DNS_MX, .ttl = 30, .u.mx = {10, "host.example"}};
    ms_dns_rr cname = {.type = MS_DNS_CNAME, .ttl = 30, .u.name = "host.example"};
    ms_dns_rr soa = {.type = MS_DNS_SOA, .ttl = 30, .u.soa = {"ns", "hm", 1, 2, 3, 4, 5}};
    ms_dns_rr ptr = {.type = MS_DNS_PTR, .ttl = 30, .u.name = "host.example"};
    ms_dns_rr zero = {.type = MS_DNS_A, .ttl = 0, .u.a = {192, 0, 2, 9}};
    ms_dns_rr big = {.type = MS_DNS_A, .ttl = 10 * MS_LIMIT_DNS_CACHE_MAX_TTL, .u.a = {1}};
    if (ms_zone_add(f.zone, "mail.example", &mx) != MS_OK ||
        ms_zone_add(f.zone, "alias.example", &cname) != MS_OK ||
        ms_zone_add(f.zone, "example", &soa) != MS_OK ||
        ms_zone_add(f.zone, "1.2.0.192.in-addr.arpa", &ptr) != MS_OK ||
        ms_zone_add(f.zone, "zero.example", &zero) != MS_OK ||
        ms_zone_add(f.zone, "big.example", &big) != MS_OK ||
        ms_zone_add(f.zone, "a.ent.example", &ptr) != MS_OK ||
        ms_zone_add_fault(f.zone, "slow.example", 0, MS_DNS_TEMPFAIL, "timeout") != MS_OK ||
        ms_zone_add_fault(f.zone, "bad.example", MS_DNS_TXT, MS_DNS_MALFORMED, "junk") != MS_OK) {
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ms_resolver_free(f->cache);
    ms_resolver_free(f->zone);
    ms_arena_free(f->arena);
    return 0;
}

/* Turn the clock past every TTL the cache may hold: each test starts with an empty cache. */
static void forget(fixture *f)
{
    f->now_ms += (uint64_t)MS_LIMIT_DNS_CACHE_MAX_TTL * 1000u + 1000u;
}

static const ms_dns_answer *ask(fixture *f, const char *name, uint16_t type)
{
    const ms_dns_answer *a = NULL;
    assert_int_equal(ms_resolver_query(f->cache, name, type, f->arena, &a), MS_OK);
    assert_non_null(a);
    return a;
}

/* Ask twice; the second must not reach the zone. Returns the second answer. */
static const ms_dns_answer *ask_twice(fixture *f, const char *name, uint16_t type,
                                      const ms_dns_answer **first)
{
    uint64_t before = ms_resolver_queries(f->zone);
    *first = ask(f, name, type);
    const ms_dns_answer *second = ask(f, name, type);
    uint64_t inner = ms_resolver_queries(f->zone) - before;
    if (inner != 1) {
        fail_msg("%s/%s: got %llu inner queries, want 1", name, ms_dns_type_name(type),
                 (unsigned long long)inner);
    }
    return second;
}

static void test_hit_same_answer(void **state)
{
    fixture *f = *state;
    forget(f);
    const ms_dns_answer *a, *b;
    uint64_t asked = ms_resolver_queries(f->cache);

    b = ask_twice(f, "txt.example", MS_DNS_TXT, &a);
    assert_int_equal(b->rcode, MS_DNS_OK);
    assert_string_equal(b->qname, "txt.example");
    assert_ptr_equal(b->canon_name, b->qname);
    assert_int_equal(b->n_rr, 1);
    assert_int_equal(b->rr[0].u.txt.len, 11);
    assert_memory_equal(b->rr[0].u.txt.data, "v=spf1 -all", 12);
    assert_int_equal(b->rr[0].u.txt.n_strings, 2);
    assert_int_equal(b->rr[0].u.txt.lens[0], 5);
    assert_int_equal(b->rr[0].u.txt.lens[1], 6);
    assert_int_equal(b->ttl, a->ttl);
    assert_ptr_not_equal(b->rr, a->rr);
    /* The cache counts every question it got; the zone only the miss. */
    assert_int_equal(ms_resolver_queries(f->cache) - asked, 2);

    b = ask_twice(f, "host.example", MS_DNS_A, &a);
    assert_int_equal(b->n_rr, 2);
    assert_int_equal(b->ttl, 10); /* the smallest TTL */
    assert_memory_equal(b->rr[1].u.a, a->rr[1].u.a, 4);

    b = ask_twice(f, "mail.example", MS_DNS_MX, &a);
    assert_int_equal(b->rr[0].u.mx.preference, 10);
    assert_string_equal(b->rr[0].u.mx.exchange, "host.example");

    b = ask_twice(f, "alias.example", MS_DNS_A, &a);
    assert_string_equal(b->canon_name, "host.example");
    assert_string_equal(b->qname, "alias.example");
    assert_int_equal(b->n_rr, 2);

    b = ask_twice(f, "example", MS_DNS_SOA, &a);
    assert_string_equal(b->rr[0].u.soa.mname, "ns");
    assert_string_equal(b->rr[0].u.soa.rname, "hm");
    assert_int_equal(b->rr[0].u.soa.minimum, 5);

    b = ask_twice(f, "1.2.0.192.in-addr.arpa", MS_DNS_PTR, &a);
    assert_string_equal(b->rr[0].u.name, "host.example");

    /* The key is per type, and names are compared normalized. */
    b = ask_twice(f, "txt.example", MS_DNS_A, &a);
    assert_int_equal(b->rr[0].u.a[3], 1);
    uint64_t before = ms_resolver_queries(f->zone);
    b = ask(f, "TXT.Example.", MS_DNS_TXT);
    assert_int_equal(ms_resolver_queries(f->zone), before);
    assert_string_equal(b->qname, "txt.example");

    ms_cache_stats st;
    ms__cache_stats(f->cache, &st);
    assert_true(st.hits >= 8);
    assert_true(st.entries >= 7);
}

static void test_expiry(void **state)
{
    fixture *f = *state;
    forget(f);
    const ms_dns_answer *a, *b;
    b = ask_twice(f, "host.example", MS_DNS_A, &a);
    uint64_t before = ms_resolver_queries(f->zone);
    f->now_ms += 4000;
    b = ask(f, "host.example", MS_DNS_A);
    assert_int_equal(b->ttl, 6);       /* counted down */
    assert_int_equal(b->rr[0].ttl, 6); /* 10 s record */
    assert_int_equal(b->rr[1].ttl, 6); /* 20 s record, but the answer goes at 10 s */
    f->now_ms += 5999;
    (void)ask(f, "host.example", MS_DNS_A);
    assert_int_equal(ms_resolver_queries(f->zone), before);
    f->now_ms += 1; /* 10 s: gone */
    b = ask(f, "host.example", MS_DNS_A);
    assert_int_equal(ms_resolver_queries(f->zone), before + 1);
    assert_int_equal(b->ttl, 10);

    /* TTL 0: never kept. */
    before = ms_resolver_queries(f->zone);
    (void)ask(f, "zero.example", MS_DNS_A);
    (void)ask(f, "zero.example", MS_DNS_A);
    assert_int_equal(ms_resolver_queries(f->zone), before + 2);

    /* A huge TTL is trusted for MS_LIMIT_DNS_CACHE_MAX_TTL at most. */
    b = ask_twice(f, "big.example", MS_DNS_A, &a);
    assert_int_equal(b->ttl, MS_LIMIT_DNS_CACHE_MAX_TTL);
    before = ms_resolver_queries(f->zone);
    f->now_ms += (uint64_t)MS_LIMIT_DNS_CACHE_MAX_TTL * 1000u;
    (void)ask(f, "big.example", MS_DNS_A);
    assert_int_equal(ms_resolver_queries(f->zone), before + 1);
}

static void test_negative(void **state)
{
    fixture *f = *state;
    forget(f);
    const ms_dns_answer *a, *b;
    b = ask_twice(f, "nowhere.example", MS_DNS_TXT, &a);
    assert_int_equal(b->rcode, MS_DNS_NXDOMAIN);
    assert_int_equal(b->n_rr, 0);
    assert_null(b->rr);
    assert_true(b->ttl > 0);
    uint32_t negative_ttl = a->ttl;

    b = ask_twice(f, "ent.example", MS_DNS_TXT, &a); /* an empty non-terminal */
    assert_int_equal(b->rcode, MS_DNS_NODATA);
    b = ask_twice(f, "mail.example", MS_DNS_TXT, &a);
    assert_int_equal(b->rcode, MS_DNS_NODATA);

    uint64_t before = ms_resolver_queries(f->zone);
    f->now_ms += (uint64_t)negative_ttl * 1000u;
    b = ask(f, "nowhere.example", MS_DNS_TXT);
    assert_int_equal(b->rcode, MS_DNS_NXDOMAIN);
    assert_int_equal(ms_resolver_queries(f->zone), before + 1);
}

static void test_faults_not_kept(void **state)
{
    fixture *f = *state;
    forget(f);
    uint64_t before = ms_resolver_queries(f->zone);
    for (int i = 0; i < 3; i++) {
        const ms_dns_answer *a = ask(f, "slow.example", MS_DNS_TXT);
        assert_int_equal(a->rcode, MS_DNS_TEMPFAIL);
        assert_string_equal(a->why, "timeout");
        a = ask(f, "bad.example", MS_DNS_TXT);
        assert_int_equal(a->rcode, MS_DNS_MALFORMED);
        assert_string_equal(a->why, "junk");
    }
    assert_int_equal(ms_resolver_queries(f->zone), before + 6);
}

/* An answer handed out stays valid after the cache (and its entry) is gone. */
static void test_answer_outlives_cache(void **state)
{
    fixture *f = *state;
    ms_resolver *c;
    const ms_dns_answer *a;
    assert_int_equal(ms_resolver_new_cache(f->zone, 4, &c), MS_OK);
    assert_int_equal(ms_resolver_query(c, "txt.example", MS_DNS_TXT, f->arena, &a), MS_OK);
    assert_int_equal(ms_resolver_query(c, "txt.example", MS_DNS_TXT, f->arena, &a), MS_OK);
    ms_resolver_free(c);
    assert_memory_equal(a->rr[0].u.txt.data, "v=spf1 -all", 12);
    assert_string_equal(a->qname, "txt.example");
    ms_resolver_free(NULL);
}

static void test_bound(void **state)
{
    fixture *f = *state;
    ms_resolver *c;
    char name[64];
    assert_int_equal(ms_resolver_new_cache(f->zone, 8, &c), MS_OK);
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "n%d.bound.example", i);
        add_a(f->zone, name, 300, (uint8_t)i);
    }
    const ms_dns_answer *a;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++) {
            snprintf(name, sizeof(name), "n%d.bound.example", i);
            assert_int_equal(ms_resolver_query(c, name, MS_DNS_A, f->arena, &a), MS_OK);
            assert_int_equal(a->rr[0].u.a[3], i);
            ms_cache_stats st;
            ms__cache_stats(c, &st);
            if (st.entries > 8) {
                fail_msg("got %zu entries, want at most 8", st.entries);
            }
        }
    }
    /* The newest answer is still there. */
    uint64_t before = ms_resolver_queries(f->zone);
    assert_int_equal(ms_resolver_query(c, "n99.bound.example", MS_DNS_A, f->arena, &a), MS_OK);
    assert_int_equal(ms_resolver_queries(f->zone), before);
    ms_resolver_free(c);

    /* max_entries 1: one stripe, one entry. */
    assert_int_equal(ms_resolver_new_cache(f->zone, 1, &c), MS_OK);
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "n%d.bound.example", i);
        assert_int_equal(ms_resolver_query(c, name, MS_DNS_A, f->arena, &a), MS_OK);
    }
    ms_cache_stats st;
    ms__cache_stats(c, &st);
    assert_int_equal(st.entries, 1);
    ms_resolver_free(c);
    assert_int_equal(ms_resolver_new_cache(NULL, 1, &c), MS_EINVAL);
}

/* ---- four threads on one cache (run under ASan and TSan) ------------------------------- */

#define HAMMER_NAMES 64
#define HAMMER_QUERIES 20000

typedef struct hammer {
    ms_resolver *cache;
    unsigned seed;
    int failures;
} hammer;

static void *hammer_run(void *arg)
{
    hammer *h = arg;
    ms_arena *arena;
    char name[64], want[64];
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        h->failures++;
        return NULL;
    }
    for (int q = 0; q < HAMMER_QUERIES; q++) {
        h->seed = h->seed * 1103515245u + 12345u;
        unsigned i = (h->seed >> 16) % HAMMER_NAMES;
        snprintf(name, sizeof(name), "h%u.hammer.example", i);
        const ms_dns_answer *a;
        if (ms_resolver_query(h->cache, name, MS_DNS_TXT, arena, &a) != MS_OK ||
            a->rcode != MS_DNS_OK || a->n_rr != 1) {
            h->failures++;
            continue;
        }
        int n = snprintf(want, sizeof(want), "text of %u", i);
        if (a->rr[0].u.txt.len != (size_t)n || memcmp(a->rr[0].u.txt.data, want, (size_t)n) ||
            strcmp(a->qname, name) != 0) {
            h->failures++;
        }
        if (q % 256 == 0) {
            ms_arena_reset(arena);
        }
    }
    ms_arena_free(arena);
    return NULL;
}

static void test_threads(void **state)
{
    fixture *f = *state;
    char name[64], text[64];
    for (unsigned i = 0; i < HAMMER_NAMES; i++) {
        snprintf(name, sizeof(name), "h%u.hammer.example", i);
        snprintf(text, sizeof(text), "text of %u", i);
        add_txt(f->zone, name, 1 + i % 3, text); /* short TTLs: entries expire while in use */
    }
    ms_resolver *c;
    assert_int_equal(ms_resolver_new_cache(f->zone, 40, &c), MS_OK); /* fewer than the names */
    hammer h[4];
    pthread_t t[4];
    for (unsigned i = 0; i < 4; i++) {
        h[i] = (hammer){c, i * 7919u + 1u, 0};
        assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
    }
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(h[i].failures, 0);
    }
    ms_cache_stats st;
    ms__cache_stats(c, &st);
    assert_int_equal(st.hits + st.misses, 4 * HAMMER_QUERIES);
    assert_true(st.entries <= 40);
    ms_resolver_free(c);
}

/* Not a pass/fail test: what a hit costs, for the SPF hot path (a few hundred ns wanted). */
static void test_hit_cost(void **state)
{
    fixture *f = *state;
    ms_resolver *c;
    ms_arena *arena;
    const ms_dns_answer *a;
    assert_int_equal(ms_resolver_new_cache(f->zone, 0, &c), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    assert_int_equal(ms_resolver_query(c, "txt.example", MS_DNS_TXT, arena, &a), MS_OK);
    struct timespec t0, t1;
    enum { N = 200000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < N; i++) {
        if (ms_resolver_query(c, "txt.example", MS_DNS_TXT, arena, &a) != MS_OK) {
            fail_msg("query %d failed", i);
        }
        if (i % 64 == 63) {
            ms_arena_reset(arena);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / N;
    printf("cache hit (TXT, through ms_resolver_query): %.0f ns\n", ns);
    ms_arena_free(arena);
    ms_resolver_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_same_answer),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_negative),
        cmocka_unit_test(test_faults_not_kept),
        cmocka_unit_test(test_answer_outlives_cache),
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_hit_cost),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
