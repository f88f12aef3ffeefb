/* SPDX-License-Identifier: MIT */
/* The live resolver against a real server on 127.0.0.1 (zones/live.test.zone; dns_live.sh runs
 * "live PORT", stops it, runs "dead PORT"), public API only: answer kinds (RFC 1034 §4.3.2,
 * RFC 2308), CNAMEs, TXT strings (RFC 1035 §3.3.14), a cache in front, threads, timeouts. */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mailseal/dns.h"

static char server[64]; /* "127.0.0.1:PORT" */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static ms_resolver *live_resolver(const char *srv, unsigned timeout_ms)
{
    ms_unbound_options o;
    memset(&o, 0, sizeof(o));
    o.server = srv;
    o.timeout_ms = timeout_ms;
    char err[256] = "";
    ms_resolver *r = NULL;
    if (ms_resolver_new_unbound(&o, &r, err, sizeof(err)) != MS_OK) {
        fail_msg("ms_resolver_new_unbound(%s): %s", srv, err);
    }
    return r;
}

static const ms_dns_answer *ask(ms_resolver *r, ms_arena *arena, const char *name, uint16_t type)
{
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(r, name, type, arena, &a);
    if (st != MS_OK || a == NULL) {
        fail_msg("%s/%s: got status %s, want MS_OK", name, ms_dns_type_name(type),
                 ms_status_name(st));
    }
    return a;
}

static void want_rcode(const ms_dns_answer *a, ms_dns_rcode want, size_t want_rr)
{
    if (a->rcode != want || a->n_rr != want_rr) {
        fail_msg("%s/%s: got %s with %zu records (%s), want %s with %zu", a->qname,
                 ms_dns_type_name(a->qtype), ms_dns_rcode_name(a->rcode), a->n_rr,
                 a->why ? a->why : "", ms_dns_rcode_name(want), want_rr);
    }
}

static const ms_dns_rr *txt_with(const ms_dns_answer *a, const char *data)
{
    for (size_t i = 0; i < a->n_rr; i++) {
        if (a->rr[i].u.txt.len == strlen(data) &&
            memcmp(a->rr[i].u.txt.data, data, a->rr[i].u.txt.len) == 0) {
            return &a->rr[i];
        }
    }
    fail_msg("%s: no TXT record \"%s\"", a->qname, data);
    return NULL;
}

/* Every answer kind the zone holds, asked of r (the live resolver or a cache in front). */
static void check_zone(ms_resolver *r)
{
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const ms_dns_answer *a;

    a = ask(r, arena, "txt.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_OK, 2);
    assert_false(a->is_secure); /* no trust anchor given */
    assert_int_equal(a->ttl, 300);
    assert_string_equal(a->canon_name, "txt.live.test");
    const ms_dns_rr *t = txt_with(a, "v=spf1 ip4:192.0.2.0/24 -all");
    assert_int_equal(t->type, MS_DNS_TXT);
    assert_int_equal(t->u.txt.n_strings, 3);
    assert_int_equal(t->u.txt.lens[0], 7);
    assert_int_equal(t->u.txt.lens[1], 17);
    assert_int_equal(t->u.txt.lens[2], 4);
    assert_int_equal(t->u.txt.data[t->u.txt.len], '\0');
    t = txt_with(a, "second record");
    assert_int_equal(t->u.txt.n_strings, 1);

    a = ask(r, arena, "empty-str.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_OK, 1);
    assert_int_equal(a->rr[0].u.txt.len, 0);
    assert_int_equal(a->rr[0].u.txt.n_strings, 1);
    assert_int_equal(a->rr[0].u.txt.lens[0], 0);

    a = ask(r, arena, "long.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_OK, 1);
    assert_int_equal(a->rr[0].u.txt.len, 259);
    assert_int_equal(a->rr[0].u.txt.n_strings, 2);
    assert_int_equal(a->rr[0].u.txt.lens[0], 255);
    assert_memory_equal(a->rr[0].u.txt.data + 255, "bbbb", 5);

    a = ask(r, arena, "HOST.Live.Test.", MS_DNS_A);
    want_rcode(a, MS_DNS_OK, 2);
    assert_string_equal(a->qname, "host.live.test");
    uint8_t seen = 0;
    for (size_t i = 0; i < a->n_rr; i++) {
        assert_int_equal(a->rr[i].type, MS_DNS_A);
        assert_memory_equal(a->rr[i].u.a, "\xc0\x00\x02", 3);
        seen |= (uint8_t)(1u << a->rr[i].u.a[3]);
    }
    assert_int_equal(seen, (1u << 1) | (1u << 2));

    a = ask(r, arena, "host.live.test", MS_DNS_AAAA);
    want_rcode(a, MS_DNS_OK, 1);
    uint8_t v6[16];
    assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", v6), 1);
    assert_memory_equal(a->rr[0].u.aaaa, v6, 16);

    a = ask(r, arena, "mail.live.test", MS_DNS_MX);
    want_rcode(a, MS_DNS_OK, 2);
    for (size_t i = 0; i < a->n_rr; i++) {
        if (a->rr[i].u.mx.preference == 10) {
            assert_string_equal(a->rr[i].u.mx.exchange, "host.live.test");
        } else {
            assert_int_equal(a->rr[i].u.mx.preference, 20);
            assert_string_equal(a->rr[i].u.mx.exchange, "mx2.example.org");
        }
    }

    a = ask(r, arena, "ptr.live.test", MS_DNS_PTR);
    want_rcode(a, MS_DNS_OK, 1);
    assert_string_equal(a->rr[0].u.name, "host.live.test");

    a = ask(r, arena, "live.test", MS_DNS_NS);
    want_rcode(a, MS_DNS_OK, 1);
    assert_string_equal(a->rr[0].u.name, "ns1.live.test");

    a = ask(r, arena, "live.test", MS_DNS_SOA);
    want_rcode(a, MS_DNS_OK, 1);
    assert_string_equal(a->rr[0].u.soa.mname, "ns1.live.test");
    assert_string_equal(a->rr[0].u.soa.rname, "hostmaster.live.test");
    assert_int_equal(a->rr[0].u.soa.serial, 2024010101u);
    assert_int_equal(a->rr[0].u.soa.minimum, 60);

    /* CNAME chain followed by the resolver: records of the target, canon_name its name. */
    a = ask(r, arena, "alias.live.test", MS_DNS_A);
    want_rcode(a, MS_DNS_OK, 2);
    assert_string_equal(a->qname, "alias.live.test");
    assert_string_equal(a->canon_name, "host.live.test");
    a = ask(r, arena, "alias.live.test", MS_DNS_CNAME);
    want_rcode(a, MS_DNS_OK, 1);
    assert_string_equal(a->rr[0].u.name, "alias2.live.test");
    assert_string_equal(a->canon_name, "alias.live.test");
    /* A CNAME to a name that does not exist: NXDOMAIN for the target (RFC 6604 §3). */
    a = ask(r, arena, "dangling.live.test", MS_DNS_A);
    want_rcode(a, MS_DNS_NXDOMAIN, 0);
    assert_string_equal(a->canon_name, "nowhere.live.test");

    /* NXDOMAIN and NODATA with the negative TTL: min(SOA TTL, SOA minimum), RFC 2308 §5. */
    a = ask(r, arena, "nope.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_NXDOMAIN, 0);
    assert_int_equal(a->ttl, 60);
    a = ask(r, arena, "ent.live.test", MS_DNS_TXT); /* empty non-terminal, RFC 8020 §2 */
    want_rcode(a, MS_DNS_NODATA, 0);
    a = ask(r, arena, "host.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_NODATA, 0);
    assert_int_equal(a->ttl, 60);
    a = ask(r, arena, "a.ent.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_OK, 1);

    /* A label holding a dot and a space: presentation escapes both ways. */
    a = ask(r, arena, "odd\\.name\\032x.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_OK, 1);
    assert_memory_equal(a->rr[0].u.txt.data, "odd", 4);
    a = ask(r, arena, "odd-alias.live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_OK, 1);
    assert_string_equal(a->canon_name, "odd\\046name\\032x.live.test");
    a = ask(r, arena, "odd-alias.live.test", MS_DNS_CNAME);
    want_rcode(a, MS_DNS_OK, 1);
    assert_string_equal(a->rr[0].u.name, "odd\\046name\\032x.live.test");

    /* Not a name: answered MALFORMED without asking. */
    a = ask(r, arena, "a..live.test", MS_DNS_TXT);
    want_rcode(a, MS_DNS_MALFORMED, 0);
    ms_arena_free(arena);
}

static void test_live_answers(void **state)
{
    (void)state;
    ms_resolver *r = live_resolver(server, 3000);
    check_zone(r);
    ms_resolver_free(r);
}

static void test_cache_in_front(void **state)
{
    (void)state;
    ms_resolver *r = live_resolver(server, 3000);
    ms_resolver *c;
    assert_int_equal(ms_resolver_new_cache(r, 0, &c), MS_OK);
    check_zone(c);
    uint64_t backend = ms_resolver_queries(r), asked = ms_resolver_queries(c);
    check_zone(c); /* every answer again, now from the cache */
    assert_int_equal(ms_resolver_queries(r), backend);
    assert_int_equal(ms_resolver_queries(c), 2 * asked);
    ms_resolver_free(c);
    ms_resolver_free(r);
}

/* ---- several threads on one live resolver --------------------------------------------- */

typedef struct worker {
    ms_resolver *r;
    unsigned seed;
    int n_queries;
    int failures;
    char what[160];
} worker;

static void *work(void *arg)
{
    static const struct {
        const char *name;
        uint16_t type;
        ms_dns_rcode rcode;
        size_t n_rr;
    } qs[] = {
        {"txt.live.test", MS_DNS_TXT, MS_DNS_OK, 2},
        {"host.live.test", MS_DNS_A, MS_DNS_OK, 2},
        {"alias.live.test", MS_DNS_A, MS_DNS_OK, 2},
        {"mail.live.test", MS_DNS_MX, MS_DNS_OK, 2},
        {"nope.live.test", MS_DNS_A, MS_DNS_NXDOMAIN, 0},
        {"ent.live.test", MS_DNS_TXT, MS_DNS_NODATA, 0},
        {"host.live.test", MS_DNS_AAAA, MS_DNS_OK, 1},
    };
    worker *w = arg;
    ms_arena *arena;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        w->failures++;
        return NULL;
    }
    char name[64];
    for (int i = 0; i < w->n_queries; i++) {
        w->seed = w->seed * 1103515245u + 12345u;
        unsigned k = (w->seed >> 16) % (sizeof(qs) / sizeof(qs[0]));
        /* Half the questions are new names (the server is asked), half repeat. */
        const char *q = qs[k].name;
        ms_dns_rcode want = qs[k].rcode;
        size_t want_rr = qs[k].n_rr;
        if (w->seed & 0x100) {
            snprintf(name, sizeof(name), "t%u-%d.live.test", w->seed % 100000u, i);
            q = name;
            want = MS_DNS_NXDOMAIN;
            want_rr = 0;
        }
        const ms_dns_answer *a;
        if (ms_resolver_query(w->r, q, qs[k].type, arena, &a) != MS_OK || a->rcode != want ||
            a->n_rr != want_rr) {
            if (w->failures++ == 0) {
                snprintf(w->what, sizeof(w->what), "%s: got %s (%s)", q,
                         ms_dns_rcode_name(a->rcode), a->why ? a->why : "");
            }
        }
        ms_arena_reset(arena);
    }
    ms_arena_free(arena);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    ms_resolver *r = live_resolver(server, 5000);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i] = (worker){.r = r, .seed = (unsigned)i * 2654435761u + 7u, .n_queries = 300};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (w[i].failures) {
            fail_msg("thread %d: %d failures, first %s", i, w[i].failures, w[i].what);
        }
    }
    assert_int_equal(ms_resolver_queries(r), 4 * 300);
    ms_resolver_free(r);
}

/* Not pass/fail: what a question costs once libunbound has the answer in its own cache, and
 * what a hit in mailseal's cache in front costs. */
static void test_cost(void **state)
{
    (void)state;
    ms_resolver *r = live_resolver(server, 3000);
    ms_resolver *c;
    ms_arena *arena;
    assert_int_equal(ms_resolver_new_cache(r, 0, &c), MS_OK);
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const ms_resolver *which[2] = {r, c};
    const char *label[2] = {"unbound (libunbound's cache)", "mailseal cache hit"};
    for (int k = 0; k < 2; k++) {
        ms_resolver *q = (ms_resolver *)(uintptr_t)which[k];
        (void)ask(q, arena, "txt.live.test", MS_DNS_TXT);
        int n = k == 0 ? 2000 : 200000;
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
            const ms_dns_answer *a;
            if (ms_resolver_query(q, "txt.live.test", MS_DNS_TXT, arena, &a) != MS_OK ||
                a->rcode != MS_DNS_OK) {
                fail_msg("%s: query %d failed", label[k], i);
            }
            ms_arena_reset(arena);
        }
        printf("%s: %.2f us per TXT question\n", label[k], (now_s() - t0) * 1e6 / n);
    }
    ms_arena_free(arena);
    ms_resolver_free(c);
    ms_resolver_free(r);
}

/* ---- servers that do not answer --------------------------------------------------------- */

static void want_tempfail_within(ms_resolver *r, const char *name, double max_s,
                                 const char *want_why)
{
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    double t0 = now_s();
    const ms_dns_answer *a = ask(r, arena, name, MS_DNS_TXT);
    double took = now_s() - t0;
    printf("%s: %s (%s) after %.2f s\n", name, ms_dns_rcode_name(a->rcode), a->why ? a->why : "",
           took);
    want_rcode(a, MS_DNS_TEMPFAIL, 0);
    assert_non_null(a->why);
    if (want_why != NULL && strcmp(a->why, want_why) != 0) {
        fail_msg("%s: got why \"%s\", want \"%s\"", name, a->why, want_why);
    }
    if (took > max_s) {
        fail_msg("%s: TEMPFAIL after %.2f s, want within %.2f s", name, took, max_s);
    }
    ms_arena_free(arena);
}

static void test_stopped_server(void **state)
{
    (void)state;
    ms_resolver *r = live_resolver(server, 1000);
    want_tempfail_within(r, "txt.live.test", 3.0, NULL);
    want_tempfail_within(r, "host.live.test", 3.0, NULL);
    ms_resolver_free(r);
}

/* A UDP socket that never reads: every question is lost, only the deadline answers. */
static int silent_server(char *addr, size_t addrlen)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t len = sizeof(sa);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    snprintf(addr, addrlen, "127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
    return fd;
}

typedef struct hung {
    ms_resolver *r;
    int index;
    double took;
    int rcode;
    const char *why;
} hung;

static void *ask_hung(void *arg)
{
    hung *h = arg;
    ms_arena *arena;
    char name[64];
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return NULL;
    }
    snprintf(name, sizeof(name), "q%d.live.test", h->index);
    double t0 = now_s();
    const ms_dns_answer *a;
    h->rcode = -1;
    if (ms_resolver_query(h->r, name, MS_DNS_TXT, arena, &a) == MS_OK) {
        h->rcode = (int)a->rcode;
        h->why = a->why && strcmp(a->why, "timeout") == 0 ? "timeout" : "other";
    }
    h->took = now_s() - t0;
    ms_arena_free(arena);
    return NULL;
}

static void test_silent_server(void **state)
{
    (void)state;
    char addr[64];
    int fd = silent_server(addr, sizeof(addr));
    ms_resolver *r = live_resolver(addr, 500);
    want_tempfail_within(r, "txt.live.test", 2.0, "timeout");

    /* Eight threads wait at once; each gives up at its own deadline, then the resolver is
     * freed with the cancelled questions still inside libunbound. */
    hung h[8];
    pthread_t t[8];
    for (int i = 0; i < 8; i++) {
        h[i] = (hung){.r = r, .index = i};
        assert_int_equal(pthread_create(&t[i], NULL, ask_hung, &h[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        if (h[i].rcode != MS_DNS_TEMPFAIL || h[i].took > 2.0 || h[i].took < 0.4) {
            fail_msg("thread %d: got rcode %d (%s) after %.2f s, want TEMPFAIL after ~0.5 s", i,
                     h[i].rcode, h[i].why ? h[i].why : "", h[i].took);
        }
    }
    ms_resolver_free(r);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "live") != 0 && strcmp(argv[1], "dead") != 0)) {
        fprintf(stderr, "usage: dns_live_test live|dead PORT\n");
        return 2;
    }
    snprintf(server, sizeof(server), "127.0.0.1:%s", argv[2]);
    if (strcmp(argv[1], "live") == 0) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_live_answers),
            cmocka_unit_test(test_cache_in_front),
            cmocka_unit_test(test_threads),
            cmocka_unit_test(test_cost),
        };
        return cmocka_run_group_tests_name("dns_live", tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_server),
        cmocka_unit_test(test_silent_server),
    };
    return cmocka_run_group_tests_name("dns_dead", tests, NULL, NULL);
}
