/* SPDX-License-Identifier: MIT */
/* The public entry: ms_spf_check() sets up one evaluation (identity, client address, macro
 * values, limits) and runs check_host() (RFC 7208 §4.1, §4.3). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/limits.h"
#include "base/trace.h"
#include "spf/eval.h"

const char *ms_spf_result_name(ms_spf_result result)
{
    switch (result) {
#define MS_SPF_RESULT_TEXT(name, text)                                                             \
    case MS_SPF_##name:                                                                            \
        return text;
        MS_SPF_RESULT_MAP(MS_SPF_RESULT_TEXT)
#undef MS_SPF_RESULT_TEXT
    }
    return "unknown";
}

const char *ms_spf_identity_name(ms_spf_identity identity)
{
    return identity == MS_SPF_IDENTITY_HELO ? "helo" : "mailfrom";
}

void ms_spf_options_default(ms_spf_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->max_dns_terms = MS_LIMIT_SPF_DNS_TERMS;
    opt->max_void_lookups = MS_LIMIT_SPF_VOID_LOOKUPS;
    opt->max_mx_names = MS_LIMIT_SPF_MX_NAMES;
    opt->max_ptr_names = MS_LIMIT_SPF_PTR_NAMES;
    opt->max_queries = MS_LIMIT_SPF_QUERIES;
    opt->time_budget_ms = MS_LIMIT_SPF_TIME_MS;
    opt->default_explanation = NULL;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *summary(ms_spf_result r)
{
    switch (r) {
    case MS_SPF_PASS:
        return "the client is authorized (RFC 7208 §2.6.3)";
    case MS_SPF_FAIL:
        return "the client is not authorized (RFC 7208 §2.6.4)";
    case MS_SPF_SOFTFAIL:
        return "the client is probably not authorized (RFC 7208 §2.6.5)";
    case MS_SPF_NEUTRAL:
        return "the domain makes no assertion about the client (RFC 7208 §2.6.2)";
    default:
        return "no verdict (RFC 7208 §2.6)";
    }
}

ms_status ms_spf_check(ms_resolver *resolver, const ms_spf_options *opt, const ms_spf_request *req,
                       ms_arena *arena, ms_spf_verdict *out, ms_trace *trace)
{
    memset(out, 0, sizeof(*out));
    if (resolver == NULL || req == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    ms__spf_eval *ev = ms_arena_alloc(arena, sizeof(*ev));
    if (ev == NULL) {
        return ms_arena_status(arena);
    }
    memset(ev, 0, sizeof(*ev));
    if (opt) {
        ev->opt = *opt;
    } else {
        ms_spf_options_default(&ev->opt);
    }
    ev->resolver = resolver;
    ev->arena = arena;
    ev->trace = trace;
    if (!ms__spf_ip_parse(req->client_ip, &ev->ip)) {
        return MS_EINVAL;
    }
    ms__spf_ip_macro_i(&ev->ip, ev->ip_i, sizeof(ev->ip_i));
    ms__spf_ip_text(&ev->ip, ev->ip_c, sizeof(ev->ip_c));
    long long now = req->now ? req->now : (long long)time(NULL);
    snprintf(ev->now, sizeof(ev->now), "%lld", now);
    ev->receiver = req->receiver ? req->receiver : "unknown";
    ev->deadline_ms = mono_ms() + ev->opt.time_budget_ms;

    ms_status st = ms__spf_identity(req, arena, &ev->id);
    if (st != MS_OK) {
        return st;
    }
    out->identity = req->identity;
    out->sender = ev->id.sender;
    out->domain = ev->id.domain;
    out->client_ip = ev->ip_c;
    ms__trace_add(trace, MS_TRACE_NOTE, 0, "RFC 7208 §4.1", 0, 0,
                  "checking %s identity %s (domain %s) for client %s",
                  ms_spf_identity_name(req->identity), ev->id.sender, ev->id.domain, ev->ip_c);
    ms_spf_result r;
    if (ev->id.invalid != NULL) {
        /* §4.3: a malformed or single-label domain gives "none" without any query. */
        r = MS_SPF_NONE;
        ev->err_reason = ev->id.invalid;
        ev->err_detail = ev->id.domain;
        ms__trace_add(trace, MS_TRACE_RULE, 0, "RFC 7208 §4.3", 0, 0, "%s: none, %s", ev->id.domain,
                      ev->id.invalid);
    } else {
        r = ms__spf_check_host(ev, ev->id.domain, 0, false, out);
    }
    if (ev->fatal != MS_OK) {
        /* Out of memory or past the arena's cap: the check could not run, which is a status
         * (design.md section 4), not a temperror the caller would take for the DNS's word. */
        out->result = MS_SPF_TEMPERROR;
        out->reason = "the check could not run to its end (RFC 7208 §2.6.6)";
        out->detail = ms_status_str(ev->fatal);
        out->mechanism = NULL;
        out->explanation = NULL;
        return ev->fatal;
    }
    out->result = r;
    if (r == MS_SPF_TEMPERROR || r == MS_SPF_PERMERROR || r == MS_SPF_NONE) {
        out->reason = ev->err_reason ? ev->err_reason : summary(r);
        out->detail = ev->err_detail;
        out->mechanism = NULL;
        out->explanation = NULL;
    } else {
        out->reason = summary(r);
    }
    out->n_dns_lookups = ev->n_terms;
    out->n_void_lookups = ev->n_void;
    out->n_queries = ev->n_queries;
    ms__trace_add(trace, MS_TRACE_RULE, 0, NULL, ev->n_terms, ev->n_void, "result: %s (%s)",
                  ms_spf_result_name(r), out->reason);
    return MS_OK;
}
