/* SPDX-License-Identifier: MIT */
/* Shared by the SPF bad-input suites: a zone resolver filled record by record, one check with a
 * trace, and the expectation every hostile input must meet (a verdict with a reason citing its
 * RFC, within a DNS query budget, RFC 7208 §4.6.4 and §11.1). Test code: static inline so each
 * suite takes what it uses. */
#ifndef MS_TESTS_BADINPUT_SPF_HELPERS_H
#define MS_TESTS_BADINPUT_SPF_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "mailseal/dns.h"
#include "mailseal/spf.h"
#include "mailseal/trace.h"

#include "base/limits.h"

/* ---- zone helpers ------------------------------------------------------------------------ */

static inline ms_resolver *new_zone(void)
{
    ms_resolver *z;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    return z;
}

/* One TXT RR from raw bytes (may hold NULs), cut into character-strings of at most 255. */
static inline void txt_bytes(ms_resolver *z, const char *owner, const char *data, size_t len)
{
    size_t n = len / 255 + 1;
    uint8_t *lens = malloc(n);
    assert_non_null(lens);
    size_t k = 0;
    for (size_t left = len; left > 0; left -= lens[k - 1]) {
        lens[k++] = (uint8_t)(left > 255 ? 255 : left);
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = data;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = k;
    assert_int_equal(ms_zone_add(z, owner, &rr), MS_OK);
    free(lens);
}

static inline void txt(ms_resolver *z, const char *owner, const char *text)
{
    txt_bytes(z, owner, text, strlen(text));
}

/* One TXT RR made of the given character-strings. */
static inline void txt_strings(ms_resolver *z, const char *owner, const char *const *strings,
                               size_t n)
{
    char data[2048];
    uint8_t lens[16];
    size_t len = 0;
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(strings[i]);
        assert_true(l <= 255 && len + l < sizeof(data));
        memcpy(data + len, strings[i], l);
        len += l;
        lens[i] = (uint8_t)l;
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = data;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = n;
    assert_int_equal(ms_zone_add(z, owner, &rr), MS_OK);
}

static inline void a(ms_resolver *z, const char *owner, const char *ip)
{
    ms_dns_rr rr = {.type = MS_DNS_A, .ttl = 300};
    assert_int_equal(inet_pton(AF_INET, ip, rr.u.a), 1);
    assert_int_equal(ms_zone_add(z, owner, &rr), MS_OK);
}

static inline void mx(ms_resolver *z, const char *owner, uint16_t pref, const char *host)
{
    ms_dns_rr rr = {.type = MS_DNS_MX, .ttl = 300};
    rr.u.mx.preference = pref;
    rr.u.mx.exchange = host;
    assert_int_equal(ms_zone_add(z, owner, &rr), MS_OK);
}

static inline void name_rr(ms_resolver *z, const char *owner, uint16_t type, const char *target)
{
    ms_dns_rr rr = {.type = type, .ttl = 300};
    rr.u.name = target;
    assert_int_equal(ms_zone_add(z, owner, &rr), MS_OK);
}

static inline void servfail(ms_resolver *z, const char *name, uint16_t type)
{
    assert_int_equal(ms_zone_add_fault(z, name, type, MS_DNS_TEMPFAIL, "SERVFAIL"), MS_OK);
}

/* ---- running a check --------------------------------------------------------------------- */

typedef struct run {
    ms_arena *arena;
    ms_trace *trace;
    ms_spf_verdict v;
    ms_status status;
    uint64_t queries; /* at the resolver */
} run;

static inline void check(run *r, ms_resolver *z, const ms_spf_options *opt, const char *ip,
                         const char *mail_from, const char *helo, ms_spf_identity identity)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(ms_arena_new(NULL, 0, &r->arena), MS_OK);
    assert_int_equal(ms_trace_new(r->arena, &r->trace), MS_OK);
    ms_spf_request req = {
        .client_ip = ip,
        .mail_from = mail_from,
        .helo = helo,
        .identity = identity,
        .receiver = "mx.receiver.t",
        .now = 1700000000,
    };
    uint64_t before = ms_resolver_queries(z);
    r->status = ms_spf_check(z, opt, &req, r->arena, &r->v, r->trace);
    r->queries = ms_resolver_queries(z) - before;
    if (r->status == MS_OK) {
        assert_int_equal(r->queries, r->v.n_queries);
        assert_non_null(r->v.reason);
        assert_non_null(r->v.domain);
    }
}

static inline void done(run *r)
{
    ms_arena_free(r->arena);
}

/* The check ran and gave want, with a reason holding want_reason, in at most max_queries. */
static inline void expect(const char *row, run *r, ms_spf_result want, const char *want_reason,
                          unsigned max_queries)
{
    if (r->status != MS_OK) {
        fail_msg("case %s: got status %s, want MS_OK", row, ms_status_name(r->status));
    }
    if (r->v.result != want) {
        fail_msg("case %s: got %s, want %s (reason: %s; detail: %s)", row,
                 ms_spf_result_name(r->v.result), ms_spf_result_name(want), r->v.reason,
                 r->v.detail ? r->v.detail : "");
    }
    if (want_reason && strstr(r->v.reason, want_reason) == NULL) {
        fail_msg("case %s: got reason \"%s\", want one with \"%s\"", row, r->v.reason, want_reason);
    }
    if (strstr(r->v.reason, "RFC ") == NULL) {
        fail_msg("case %s: got reason \"%s\", want one citing its RFC", row, r->v.reason);
    }
    if (r->v.n_queries > max_queries) {
        fail_msg("case %s: got %u DNS queries, want at most %u", row, r->v.n_queries, max_queries);
    }
    if (r->v.n_queries > MS_LIMIT_SPF_QUERIES) {
        fail_msg("case %s: got %u DNS queries, past the per-check budget", row, r->v.n_queries);
    }
}

#define IP "192.0.2.1"
#define HELO_NAME "mail.sender.t"
#define MF MS_SPF_IDENTITY_MAILFROM
#define HELO MS_SPF_IDENTITY_HELO

/* A record and one check against it. */
static inline void one(const char *row, const char *domain, const char *record, const char *ip,
                       ms_spf_result want, const char *want_reason, unsigned max_queries)
{
    ms_resolver *z = new_zone();
    txt(z, domain, record);
    char mf[300];
    snprintf(mf, sizeof(mf), "x@%s", domain);
    run r;
    check(&r, z, NULL, ip, mf, HELO_NAME, MF);
    expect(row, &r, want, want_reason, max_queries);
    done(&r);
    ms_resolver_free(z);
}

static inline bool trace_has(const ms_trace *t, const char *needle)
{
    for (size_t i = 0; i < ms_trace_count(t); i++) {
        if (strstr(ms_trace_at(t, i)->text, needle) != NULL) {
            return true;
        }
    }
    return false;
}

#endif
