/* SPDX-License-Identifier: MIT */
/* check_host(), RFC 7208 §4: record lookup and selection (§4.4, §4.5), the left-to-right
 * walk of mechanisms (§4.6), include (§5.2), redirect (§6.1), exp (§6.2), and the limits
 * of §4.6.4 plus a per-check query and time budget (§11.1). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "base/trace.h"
#include "spf/eval.h"

#define RFC_LIMITS "RFC 7208 §4.6.4"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

ms__spf_outcome ms__spf_error(ms__spf_eval *ev, ms_spf_result result, const char *reason,
                              const char *detail)
{
    if (ev->err_reason == NULL) {
        ev->err_result = result;
        ev->err_reason = reason;
        ev->err_detail = detail;
    }
    return MS__SPF_ERROR;
}

ms__spf_outcome ms__spf_fatal(ms__spf_eval *ev, ms_status st)
{
    if (ev->fatal == MS_OK) {
        ev->fatal = st == MS_OK ? MS_ENOMEM : st;
    }
    return ms__spf_error(ev, MS_SPF_TEMPERROR, "the check could not run (RFC 7208 §2.6.6)",
                         ms_status_str(st));
}

ms__spf_outcome ms__spf_dns(ms__spf_eval *ev, unsigned depth, const char *name, uint16_t type,
                            const ms_dns_answer **out)
{
    if (ev->n_queries >= ev->opt.max_queries) {
        return ms__spf_error(ev, MS_SPF_TEMPERROR,
                             "per-check DNS query budget exhausted (RFC 7208 §11.1)", name);
    }
    if (ev->opt.time_budget_ms && now_ms() > ev->deadline_ms) {
        return ms__spf_error(ev, MS_SPF_TEMPERROR,
                             "per-check time budget exhausted (RFC 7208 §4.6.4)", name);
    }
    ev->n_queries++;
    ms__trace_add(ev->trace, MS_TRACE_QUERY, depth, NULL, ev->n_terms, ev->n_void, "%s %s?",
                  ms_dns_type_name(type), name);
    ms_status st = ms_resolver_query(ev->resolver, name, type, ev->arena, out);
    if (st != MS_OK) {
        return ms__spf_fatal(ev, st); /* the question could not be asked: no DNS answer */
    }
    const ms_dns_answer *a = *out;
    if (a->rcode == MS_DNS_OK) {
        ms__trace_add(ev->trace, MS_TRACE_ANSWER, depth, NULL, ev->n_terms, ev->n_void,
                      "%s %s: %zu record%s%s", ms_dns_type_name(type), name, a->n_rr,
                      a->n_rr == 1 ? "" : "s", a->is_secure ? " (DNSSEC secure)" : "");
    } else {
        ms__trace_add(ev->trace, MS_TRACE_ANSWER, depth, NULL, ev->n_terms, ev->n_void,
                      "%s %s: %s%s%s", ms_dns_type_name(type), name, ms_dns_rcode_name(a->rcode),
                      a->why ? ", " : "", a->why ? a->why : "");
    }
    return MS__SPF_MATCH;
}

ms__spf_outcome ms__spf_void(ms__spf_eval *ev, unsigned depth, const char *name)
{
    ev->n_void++;
    ms__trace_add(ev->trace, MS_TRACE_NOTE, depth, RFC_LIMITS, ev->n_terms, ev->n_void,
                  "void lookup %u of %u allowed: %s", ev->n_void, ev->opt.max_void_lookups, name);
    if (ev->n_void > ev->opt.max_void_lookups) {
        return ms__spf_error(ev, MS_SPF_PERMERROR, "more than 2 void DNS lookups (RFC 7208 §4.6.4)",
                             name);
    }
    return MS__SPF_NOMATCH;
}

static ms_spf_result qualifier_result(char q)
{
    switch (q) {
    case '-':
        return MS_SPF_FAIL;
    case '~':
        return MS_SPF_SOFTFAIL;
    case '?':
        return MS_SPF_NEUTRAL;
    default:
        return MS_SPF_PASS;
    }
}

static bool is_dns_term(ms_spf_term_kind k)
{
    return k == MS_SPF_MECH_INCLUDE || k == MS_SPF_MECH_A || k == MS_SPF_MECH_MX ||
           k == MS_SPF_MECH_PTR || k == MS_SPF_MECH_EXISTS || k == MS_SPF_MOD_REDIRECT;
}

/* §4.6.4: at most 10 terms that cause DNS queries in the whole evaluation. */
static ms__spf_outcome count_term(ms__spf_eval *ev, unsigned depth, const ms_spf_term *t)
{
    ev->n_terms++;
    if (ev->n_terms > ev->opt.max_dns_terms) {
        ms__trace_add(ev->trace, MS_TRACE_RULE, depth, RFC_LIMITS, ev->n_terms, ev->n_void,
                      "%s would be DNS-querying term %u: the limit is %u", t->text, ev->n_terms,
                      ev->opt.max_dns_terms);
        return ms__spf_error(ev, MS_SPF_PERMERROR,
                             "more than 10 DNS-querying terms (RFC 7208 §4.6.4)", t->text);
    }
    return MS__SPF_NOMATCH;
}

/* §4.4, §4.5: fetch TXT at domain and select the one v=spf1 record. Returns the result to end
 * with (NONE, TEMPERROR, PERMERROR) or PASS meaning "found", with *record set. */
static ms_spf_result find_record(ms__spf_eval *ev, const char *domain, unsigned depth,
                                 const char **record, size_t *record_len)
{
    const ms_dns_answer *a;
    if (ms__spf_dns(ev, depth, domain, MS_DNS_TXT, &a) == MS__SPF_ERROR) {
        return ev->err_result;
    }
    if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        ms__spf_error(ev, MS_SPF_TEMPERROR, "DNS error looking up the SPF record (RFC 7208 §4.4)",
                      ms__arena_printf(ev->arena, "TXT %s: %s", domain, a->why ? a->why : ""));
        return MS_SPF_TEMPERROR;
    }
    size_t found = 0;
    for (size_t i = 0; a->rcode == MS_DNS_OK && i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        if (rr->type != MS_DNS_TXT || !ms_spf_is_record(rr->u.txt.data, rr->u.txt.len)) {
            continue;
        }
        if (++found == 1) {
            *record = rr->u.txt.data;
            *record_len = rr->u.txt.len;
        }
    }
    if (found > 1) {
        ms__spf_error(ev, MS_SPF_PERMERROR, "more than one SPF record (RFC 7208 §4.5)", domain);
        return MS_SPF_PERMERROR;
    }
    if (found == 0) {
        ms__spf_error(ev, MS_SPF_NONE,
                      a->rcode == MS_DNS_NXDOMAIN ? "the domain does not exist (RFC 7208 §4.3)"
                                                  : "no SPF record at the domain (RFC 7208 §4.5)",
                      domain);
        return MS_SPF_NONE;
    }
    if (memchr(*record, '\0', *record_len) != NULL) {
        ms__spf_error(ev, MS_SPF_PERMERROR, "NUL byte in the SPF record (RFC 7208 §3.1)", domain);
        return MS_SPF_PERMERROR;
    }
    ms__trace_add(ev->trace, MS_TRACE_RECORD, depth, "RFC 7208 §4.5", ev->n_terms, ev->n_void,
                  "%s: \"%s\"", domain, *record);
    return MS_SPF_PASS;
}

/* §6.2: the explanation of a fail. Any problem means the default explanation. */
static const char *explain(ms__spf_eval *ev, const ms_spf_record *rec, const char *domain,
                           unsigned depth)
{
    ms__spf_macro_vars v;
    ms__spf_vars(ev, domain, &v);
    const char *text = NULL, *why;
    size_t len;
    if (rec->exp != NULL) {
        const char *target;
        ms__spf_eval saved = *ev;
        if (ms__spf_target(ev, rec->exp->domain_spec, domain, &target) == MS__SPF_MATCH &&
            ms__spf_target_invalid(target, strlen(target)) == NULL) {
            const ms_dns_answer *a;
            /* The explanation lookup is not one of the §4.6.4 terms and must not turn a fail
             * into an error: it gets one query beyond the budget. */
            ev->opt.max_queries++;
            if (ms__spf_dns(ev, depth, target, MS_DNS_TXT, &a) == MS__SPF_MATCH &&
                a->rcode == MS_DNS_OK && a->n_rr == 1) {
                const ms_dns_rr *rr = &a->rr[0];
                if (ms__mem_find(rr->u.txt.data, rr->u.txt.len, "%{p", 3) ||
                    ms__mem_find(rr->u.txt.data, rr->u.txt.len, "%{P", 3)) {
                    ev->opt.max_queries += 1 + ev->opt.max_ptr_names;
                    (void)ms__spf_compute_p(ev, domain);
                }
                ms_status st =
                    ms__spf_macro_expand(rr->u.txt.data, rr->u.txt.len, MS__MACRO_EXPLAIN, &v,
                                         MS_LIMIT_SPF_EXPLANATION, ev->arena, &text, &len, &why);
                if (st == MS_ELIMIT && text != NULL) {
                    ms__trace_add(ev->trace, MS_TRACE_NOTE, depth, "RFC 7208 §6.2", ev->n_terms,
                                  ev->n_void, "explanation cut at %u bytes",
                                  MS_LIMIT_SPF_EXPLANATION);
                } else if (st != MS_OK) {
                    text = NULL;
                }
            }
        }
        /* Errors while explaining never change the verdict. */
        unsigned queries = ev->n_queries;
        *ev = saved;
        ev->n_queries = queries;
    }
    if (text == NULL && ev->opt.default_explanation) {
        const char *d = ev->opt.default_explanation;
        if (ms__spf_macro_expand(d, strlen(d), MS__MACRO_EXPLAIN, &v, MS_LIMIT_SPF_EXPLANATION,
                                 ev->arena, &text, &len, &why) != MS_OK) {
            text = d;
        }
    }
    return text;
}

ms_spf_result ms__spf_check_host(ms__spf_eval *ev, const char *domain, unsigned depth,
                                 bool in_include, ms_spf_verdict *top)
{
    const char *text = NULL;
    size_t text_len = 0;
    ms_spf_result r = find_record(ev, domain, depth, &text, &text_len);
    if (r != MS_SPF_PASS) {
        return r;
    }
    if (depth == 0) {
        top->record = text;
    }
    const ms_spf_record *rec;
    ms_spf_parse_error perr;
    ms_status st = ms_spf_record_parse(text, text_len, ev->arena, &rec, &perr);
    if (st != MS_OK && st != MS_ESYNTAX) {
        ms__spf_fatal(ev, st);
        return MS_SPF_TEMPERROR;
    }
    if (st == MS_ESYNTAX) {
        ms__trace_add(ev->trace, MS_TRACE_RULE, depth, "RFC 7208 §4.6", ev->n_terms, ev->n_void,
                      "syntax error at offset %zu (\"%s\"): %s", perr.offset, perr.detail,
                      perr.reason);
        ms__spf_error(ev, MS_SPF_PERMERROR, perr.reason,
                      ms__arena_printf(ev->arena, "%s: \"%s\"", domain, perr.detail));
        return MS_SPF_PERMERROR;
    }
    bool has_all = false;
    for (size_t i = 0; i < rec->n_terms; i++) {
        has_all |= rec->terms[i].kind == MS_SPF_MECH_ALL;
    }
    for (size_t i = 0; i < rec->n_terms; i++) {
        const ms_spf_term *t = &rec->terms[i];
        if (t->kind >= MS_SPF_MOD_REDIRECT) {
            continue;
        }
        if (is_dns_term(t->kind) && count_term(ev, depth, t) == MS__SPF_ERROR) {
            return ev->err_result;
        }
        ms__spf_outcome o;
        if (t->kind == MS_SPF_MECH_INCLUDE) {
            const char *target;
            if (ms__spf_target(ev, t->domain_spec, domain, &target) == MS__SPF_ERROR) {
                return ev->err_result;
            }
            ms__trace_add(ev->trace, MS_TRACE_TERM, depth, "RFC 7208 §5.2", ev->n_terms, ev->n_void,
                          "%s: evaluating %s", t->text, target);
            ms_spf_result ir = MS_SPF_NONE;
            if (ms__spf_target_invalid(target, strlen(target)) == NULL) {
                ir = ms__spf_check_host(ev, target, depth + 1, true, top);
            }
            /* §5.2 table: pass matches; fail, softfail, neutral do not; none is permerror. */
            if (ir == MS_SPF_TEMPERROR || ir == MS_SPF_PERMERROR) {
                return ir;
            }
            if (ir == MS_SPF_NONE) {
                ev->err_reason = NULL;
                ms__spf_error(ev, MS_SPF_PERMERROR,
                              "include target has no SPF record (RFC 7208 §5.2)", target);
                return MS_SPF_PERMERROR;
            }
            o = ir == MS_SPF_PASS ? MS__SPF_MATCH : MS__SPF_NOMATCH;
        } else {
            o = ms__spf_mechanism(ev, t, domain, depth);
        }
        if (o == MS__SPF_ERROR) {
            ms__trace_add(ev->trace, MS_TRACE_TERM, depth, NULL, ev->n_terms, ev->n_void, "%s: %s",
                          t->text, ms_spf_result_name(ev->err_result));
            return ev->err_result;
        }
        ms__trace_add(ev->trace, MS_TRACE_TERM, depth, NULL, ev->n_terms, ev->n_void, "%s: %s",
                      t->text, o == MS__SPF_MATCH ? "match" : "no match");
        if (o == MS__SPF_MATCH) {
            r = qualifier_result(t->qualifier);
            if (depth == 0 || !in_include) {
                top->mechanism = t->text;
            }
            ms__trace_add(ev->trace, MS_TRACE_RULE, depth, "RFC 7208 §4.6.2", ev->n_terms,
                          ev->n_void, "%s matched with qualifier '%c': %s at %s", t->text,
                          t->qualifier, ms_spf_result_name(r), domain);
            if (r == MS_SPF_FAIL && !in_include) {
                top->explanation = explain(ev, rec, domain, depth);
            }
            return r;
        }
    }
    /* §6.1: redirect applies only when nothing matched and there is no "all" anywhere. */
    if (rec->redirect != NULL && !has_all) {
        const ms_spf_term *t = rec->redirect;
        if (count_term(ev, depth, t) == MS__SPF_ERROR) {
            return ev->err_result;
        }
        const char *target;
        if (ms__spf_target(ev, t->domain_spec, domain, &target) == MS__SPF_ERROR) {
            return ev->err_result;
        }
        ms__trace_add(ev->trace, MS_TRACE_TERM, depth, "RFC 7208 §6.1", ev->n_terms, ev->n_void,
                      "%s: no mechanism matched, evaluating %s instead", t->text, target);
        ms_spf_result rr = MS_SPF_NONE;
        if (ms__spf_target_invalid(target, strlen(target)) == NULL) {
            rr = ms__spf_check_host(ev, target, depth + 1, in_include, top);
        }
        if (rr == MS_SPF_NONE) {
            ev->err_reason = NULL;
            ms__spf_error(ev, MS_SPF_PERMERROR, "redirect target has no SPF record (RFC 7208 §6.1)",
                          target);
            return MS_SPF_PERMERROR;
        }
        return rr;
    }
    ms__trace_add(ev->trace, MS_TRACE_RULE, depth, "RFC 7208 §4.7", ev->n_terms, ev->n_void,
                  "no mechanism matched at %s: neutral", domain);
    return MS_SPF_NEUTRAL;
}
