/* SPDX-License-Identifier: MIT */
/* DMARC test cases as data: a zone in master-file text, scripted DNS faults, the message's
 * header fields, the SPF and DKIM results, and what the verdict must be. Shared by the unit
 * tests of lib/dmarc, the conformance suite dmarc_rules and the bad-input suite. Test code:
 * static inline, include after <cmocka.h> and ms_expect.h. */
#ifndef MS_TEST_DMARC_CASES_H
#define MS_TEST_DMARC_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailseal/dmarc.h"
#include "mailseal/dns.h"
#include "mailseal/msg.h"
#include "mailseal/trace.h"

typedef struct dmarc_case {
    const char *name;
    const char *zone;    /* master-file text, absolute names; NULL: empty */
    const char *faults;  /* "name TYPE;name TYPE" (TYPE: TXT, A or ANY), TEMPFAIL each */
    const char *headers; /* the header block, CRLF line ends, without the empty line */
    size_t headers_len;  /* 0: strlen(headers); else its bytes (may hold NULs) */
    const char *spf;     /* "pass:domain" / "fail:domain" / NULL (not run) */
    const char *dkim;    /* "pass:d1,fail:d2" / NULL */
    ms_dmarc_mode mode;
    int pct_roll; /* RFC 7489 pct roll, used as is (0 in tables: fixed 0) */
    ms_dmarc_result want;
    ms_dmarc_policy want_disposition;
    int want_tag;                   /* -1: do not check */
    const char *want_reason;        /* substring of reason or detail; NULL: do not check */
    const char *want_policy_domain; /* NULL: do not check; "-": must be NULL */
    unsigned max_queries;
} dmarc_case;

typedef struct dmarc_run {
    ms_arena *arena;
    ms_trace *trace;
    ms_resolver *zone;
    ms_dmarc_verdict v;
    ms_status status;
    uint64_t queries;
    ms_spf_verdict spf;
    ms_dkim_sig_result dkim[8];
    size_t n_dkim;
} dmarc_run;

static inline ms_resolver *dmarc_zone(const char *text, const char *faults)
{
    ms_resolver *z = NULL;
    assert_int_equal(ms_resolver_new_zone(&z), MS_OK);
    if (text != NULL) {
        ms_zone_error zerr;
        ms_status st = ms_zone_load_text(z, text, strlen(text), NULL, &zerr);
        if (st != MS_OK) {
            fail_msg("zone: line %u: %s (%s)", zerr.line, zerr.reason ? zerr.reason : "?",
                     zerr.detail);
        }
    }
    for (const char *p = faults; p != NULL && *p != '\0';) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[300];
        assert_true(len < sizeof(item));
        memcpy(item, p, len);
        item[len] = '\0';
        char *sp = strchr(item, ' ');
        assert_non_null(sp);
        *sp = '\0';
        uint16_t type = strcmp(sp + 1, "TXT") == 0 ? MS_DNS_TXT
                        : strcmp(sp + 1, "A") == 0 ? MS_DNS_A
                                                   : 0;
        assert_int_equal(ms_zone_add_fault(z, item, type, MS_DNS_TEMPFAIL, "SERVFAIL"), MS_OK);
        p = end ? end + 1 : p + len;
    }
    return z;
}

/* "pass:domain,fail:other" into results. */
static inline size_t dmarc_dkim_results(ms_arena *arena, const char *spec, ms_dkim_sig_result *out,
                                        size_t max)
{
    size_t n = 0;
    for (const char *p = spec; p != NULL && *p != '\0' && n < max;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        assert_non_null(colon);
        memset(&out[n], 0, sizeof(out[n]));
        out[n].result = strncmp(p, "pass", 4) == 0 ? MS_DKIM_PASS : MS_DKIM_FAIL;
        out[n].domain = ms_arena_strndup(arena, colon + 1, len - (size_t)(colon + 1 - p));
        out[n].selector = "s";
        n++;
        p = end ? end + 1 : p + len;
    }
    return n;
}

static inline void dmarc_run_case(dmarc_run *r, const dmarc_case *c, const ms_psl *psl)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(ms_arena_new(NULL, 0, &r->arena), MS_OK);
    assert_int_equal(ms_trace_new(r->arena, &r->trace), MS_OK);
    r->zone = dmarc_zone(c->zone, c->faults);
    size_t hlen = c->headers_len ? c->headers_len : strlen(c->headers);
    char *text = malloc(hlen + 16);
    assert_non_null(text);
    memcpy(text, c->headers, hlen);
    memcpy(text + hlen, "\r\nbody\r\n", 8);
    ms_msg *m = NULL;
    ms_msg_error merr;
    assert_int_equal(ms_msg_parse(text, hlen + 8, NULL, r->arena, &m, &merr), MS_OK);
    ms_dmarc_request req = {.msg = m};
    if (c->spf != NULL) {
        const char *colon = strchr(c->spf, ':');
        assert_non_null(colon);
        r->spf.result = strncmp(c->spf, "pass", 4) == 0 ? MS_SPF_PASS : MS_SPF_FAIL;
        r->spf.domain = colon + 1;
        r->spf.reason = "test";
        req.spf = &r->spf;
    }
    r->n_dkim = dmarc_dkim_results(r->arena, c->dkim, r->dkim, 8);
    req.dkim = r->dkim;
    req.n_dkim = r->n_dkim;
    ms_dmarc_options opt;
    ms_dmarc_options_default(&opt);
    opt.mode = c->mode;
    opt.psl = psl;
    opt.pct_roll = c->pct_roll;
    r->status = ms_dmarc_evaluate(r->zone, &opt, &req, r->arena, &r->v, r->trace);
    r->queries = ms_resolver_queries(r->zone);
    free(text);
}

static inline void dmarc_run_done(dmarc_run *r)
{
    ms_resolver_free(r->zone);
    ms_arena_free(r->arena);
}

static inline void dmarc_print_trace(const ms_trace *t)
{
    for (size_t i = 0; i < ms_trace_count(t); i++) {
        const ms_trace_step *s = ms_trace_at(t, i);
        print_error("    %s: %s%s%s%s\n", ms_trace_kind_name(s->kind), s->text, s->rfc ? " [" : "",
                    s->rfc ? s->rfc : "", s->rfc ? "]" : "");
    }
}

/* Every promise of a verdict, then the case's expectations. Returns true when all held. */
static inline bool dmarc_check_case(const dmarc_case *c, const dmarc_run *r)
{
    unsigned before = n_bad;
    const ms_dmarc_verdict *v = &r->v;
    EXPECT(r->status == MS_OK, "%s: got status %s, want MS_OK", c->name, ms_status_name(r->status));
    if (r->status != MS_OK) {
        return false;
    }
    EXPECT(v->result == c->want, "%s: got %s, want %s (reason: %s; detail: %s)", c->name,
           ms_dmarc_result_name(v->result), ms_dmarc_result_name(c->want),
           v->reason ? v->reason : "(null)", v->detail ? v->detail : "(null)");
    EXPECT(v->reason != NULL && strstr(v->reason, "RFC ") != NULL,
           "%s: got reason \"%s\", want one citing its RFC", c->name, v->reason ? v->reason : "");
    EXPECT(r->queries == v->n_queries, "%s: resolver saw %llu questions, verdict says %u", c->name,
           (unsigned long long)r->queries, v->n_queries);
    EXPECT(v->n_queries <= c->max_queries, "%s: got %u DNS queries, want at most %u", c->name,
           v->n_queries, c->max_queries);
    EXPECT(v->disposition == c->want_disposition, "%s: got disposition %s, want %s", c->name,
           ms_dmarc_policy_name(v->disposition), ms_dmarc_policy_name(c->want_disposition));
    if (c->want_tag >= 0) {
        EXPECT((int)v->policy_tag == c->want_tag, "%s: got tag %s, want %s", c->name,
               ms_dmarc_policy_tag_name(v->policy_tag),
               ms_dmarc_policy_tag_name((ms_dmarc_policy_tag)c->want_tag));
    }
    if (c->want_reason != NULL) {
        bool found = (v->reason && strstr(v->reason, c->want_reason)) ||
                     (v->detail && strstr(v->detail, c->want_reason));
        EXPECT(found, "%s: got reason \"%s\" / detail \"%s\", want one holding \"%s\"", c->name,
               v->reason ? v->reason : "", v->detail ? v->detail : "", c->want_reason);
    }
    if (c->want_policy_domain != NULL) {
        if (strcmp(c->want_policy_domain, "-") == 0) {
            EXPECT(v->policy_domain == NULL, "%s: got policy domain %s, want none", c->name,
                   v->policy_domain);
        } else {
            EXPECT(v->policy_domain != NULL && strcmp(v->policy_domain, c->want_policy_domain) == 0,
                   "%s: got policy domain %s, want %s", c->name,
                   v->policy_domain ? v->policy_domain : "(null)", c->want_policy_domain);
        }
    }
    /* Never a pass without an aligned identifier; dispositions only on fail. */
    if (v->result == MS_DMARC_PASS) {
        EXPECT(v->spf_aligned || v->dkim_aligned, "%s: pass without alignment", c->name);
    }
    if (v->result != MS_DMARC_FAIL) {
        EXPECT(v->disposition == MS_DMARC_POLICY_NONE, "%s: disposition on %s", c->name,
               ms_dmarc_result_name(v->result));
    }
    if (r->n_dkim > 0) {
        EXPECT(v->dkim_aligned_each != NULL, "%s: dkim_aligned_each NULL", c->name);
    }
    if (n_bad != before) {
        dmarc_print_trace(r->trace);
        return false;
    }
    return true;
}

/* Run a table; each case is one named check. */
static inline void dmarc_run_table(const dmarc_case *cases, size_t n, const ms_psl *psl)
{
    for (size_t i = 0; i < n; i++) {
        dmarc_run r;
        dmarc_run_case(&r, &cases[i], psl);
        (void)dmarc_check_case(&cases[i], &r);
        dmarc_run_done(&r);
    }
}

#endif
