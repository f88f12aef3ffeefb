/* SPDX-License-Identifier: MIT */
/* check_host() state shared by eval.c (the record walk) and mech.c (each mechanism). */
#ifndef MS_SPF_EVAL_H
#define MS_SPF_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mailseal/spf.h"
#include "spf/identity.h"
#include "spf/ip.h"
#include "spf/macro.h"

typedef struct ms__spf_eval {
    ms_resolver *resolver;
    ms_spf_options opt;
    ms_arena *arena;
    ms_trace *trace;
    ms__spf_ip ip;
    ms__spf_identity_parts id;
    char ip_i[80]; /* %{i} */
    char ip_c[48]; /* %{c}, client-ip= */
    char now[24];  /* %{t} */
    const char *receiver;
    unsigned n_terms, n_void, n_queries;
    uint64_t deadline_ms;
    /* The error that ended the check (temperror/permerror), with why. */
    ms_spf_result err_result;
    const char *err_reason, *err_detail;
    /* MS_OK, or why the check could not run (the arena or the resolver ran out): a status for
     * the caller, never a verdict (design.md section 4). */
    ms_status fatal;
    /* %{p} for the domain it was computed against. */
    const char *p_domain, *p_value;
} ms__spf_eval;

/* What a mechanism came to. */
typedef enum { MS__SPF_NOMATCH, MS__SPF_MATCH, MS__SPF_ERROR } ms__spf_outcome;

/* Fail the check with a result and why (returns MS__SPF_ERROR for convenience). */
ms__spf_outcome ms__spf_error(ms__spf_eval *ev, ms_spf_result result, const char *reason,
                              const char *detail);
/* End the check because it cannot run on (st: MS_ENOMEM, MS_ELIMIT...). */
ms__spf_outcome ms__spf_fatal(ms__spf_eval *ev, ms_status st);
/* Ask DNS, counting the query against the budget and the clock. MS__SPF_ERROR when a budget
 * ran out (the check is temperror then); MS__SPF_MATCH when an answer came. */
ms__spf_outcome ms__spf_dns(ms__spf_eval *ev, unsigned depth, const char *name, uint16_t type,
                            const ms_dns_answer **out);
/* Count a void lookup (§4.6.4); MS__SPF_ERROR when it passes the limit. */
ms__spf_outcome ms__spf_void(ms__spf_eval *ev, unsigned depth, const char *name);
/* Expand a domain-spec for domain d into a name to query (§7.3 truncation applied). */
ms__spf_outcome ms__spf_target(ms__spf_eval *ev, const char *spec, const char *d, const char **out);
/* %{p} (§7.3): the client's validated PTR name, preferring one within d, computed once per
 * domain; ms__spf_macro_p is the macro callback that returns it (user is the eval). */
ms__spf_outcome ms__spf_compute_p(ms__spf_eval *ev, const char *d);
const char *ms__spf_macro_p(void *user);
/* The macro values (§7.2) for the current domain d; c, r and t are filled too (they are only
 * accepted in explanations, by the macro syntax check). */
void ms__spf_vars(ms__spf_eval *ev, const char *d, ms__spf_macro_vars *v);
/* Evaluate one mechanism (not include) against the current domain d. */
ms__spf_outcome ms__spf_mechanism(ms__spf_eval *ev, const ms_spf_term *t, const char *d,
                                  unsigned depth);
/* check_host(), recursive for include and redirect. in_include: exp= is not used there. */
ms_spf_result ms__spf_check_host(ms__spf_eval *ev, const char *domain, unsigned depth,
                                 bool in_include, ms_spf_verdict *top);

#endif
