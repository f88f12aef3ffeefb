/* SPDX-License-Identifier: MIT */
/* The mechanisms that compare the client address with DNS data: a, mx, ptr, exists, ip4, ip6,
 * all (RFC 7208 §5.1, §5.3-§5.7), their DNS error rules (§5 "temperror"; NXDOMAIN counts as
 * no records) and the per-mechanism limits of §4.6.4. */
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "base/trace.h"
#include "spf/eval.h"

static uint16_t addr_type(const ms__spf_eval *ev)
{
    return ev->ip.family == 4 ? MS_DNS_A : MS_DNS_AAAA;
}

static unsigned prefix_for(const ms__spf_eval *ev, const ms_spf_term *t)
{
    if (ev->ip.family == 4) {
        return t->cidr4 >= 0 ? (unsigned)t->cidr4 : 32u;
    }
    return t->cidr6 >= 0 ? (unsigned)t->cidr6 : 128u;
}

static bool answer_has_ip(const ms__spf_eval *ev, const ms_dns_answer *a, unsigned prefix)
{
    for (size_t i = 0; i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        if (rr->type == MS_DNS_A && ms__spf_ip_in(&ev->ip, 4, rr->u.a, prefix)) {
            return true;
        }
        if (rr->type == MS_DNS_AAAA && ms__spf_ip_in(&ev->ip, 6, rr->u.aaaa, prefix)) {
            return true;
        }
    }
    return false;
}

static bool is_dns_error(const ms_dns_answer *a)
{
    return a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED;
}

static bool is_void(const ms_dns_answer *a)
{
    return a->rcode == MS_DNS_NXDOMAIN || a->rcode == MS_DNS_NODATA ||
           (a->rcode == MS_DNS_OK && a->n_rr == 0);
}

static ms__spf_outcome dns_error(ms__spf_eval *ev, const ms_dns_answer *a)
{
    return ms__spf_error(ev, MS_SPF_TEMPERROR,
                         "DNS error during a mechanism lookup (RFC 7208 §5, §2.6.6)",
                         ms__arena_printf(ev->arena, "%s %s: %s", ms_dns_type_name(a->qtype),
                                          a->qname, a->why ? a->why : "error"));
}

/* §5.3 a, and the address step of §5.4 mx. */
static ms__spf_outcome match_host(ms__spf_eval *ev, unsigned depth, const char *host,
                                  unsigned prefix, bool counts_void)
{
    const ms_dns_answer *a;
    if (ms__spf_dns(ev, depth, host, addr_type(ev), &a) == MS__SPF_ERROR) {
        return MS__SPF_ERROR;
    }
    if (is_dns_error(a)) {
        return dns_error(ev, a);
    }
    if (is_void(a)) {
        return counts_void ? (ms__spf_void(ev, depth, host) == MS__SPF_ERROR ? MS__SPF_ERROR
                                                                             : MS__SPF_NOMATCH)
                           : MS__SPF_NOMATCH;
    }
    return answer_has_ip(ev, a, prefix) ? MS__SPF_MATCH : MS__SPF_NOMATCH;
}

static ms__spf_outcome match_mx(ms__spf_eval *ev, unsigned depth, const char *target,
                                unsigned prefix)
{
    const ms_dns_answer *a;
    if (ms__spf_dns(ev, depth, target, MS_DNS_MX, &a) == MS__SPF_ERROR) {
        return MS__SPF_ERROR;
    }
    if (is_dns_error(a)) {
        return dns_error(ev, a);
    }
    if (is_void(a)) {
        return ms__spf_void(ev, depth, target) == MS__SPF_ERROR ? MS__SPF_ERROR : MS__SPF_NOMATCH;
    }
    /* §4.6.4: an mx mechanism may look up at most 10 exchanges. An RRset of more than 10 is a
     * permerror whatever the client, as pyspf and the openspf suite (mx-limit) read it, so a
     * record's validity does not depend on who connects (bad-inputs SPF-05). */
    if (a->n_rr > ev->opt.max_mx_names) {
        return ms__spf_error(ev, MS_SPF_PERMERROR,
                             "more than 10 MX records to look up (RFC 7208 §4.6.4)",
                             ms__arena_printf(ev->arena, "%s has %zu MX records", target, a->n_rr));
    }
    for (size_t i = 0; i < a->n_rr; i++) {
        const char *exchange = a->rr[i].u.mx.exchange;
        if (exchange == NULL || exchange[0] == '\0') {
            continue; /* null MX (RFC 7505): no host to compare */
        }
        ms__spf_outcome o = match_host(ev, depth, exchange, prefix, false);
        if (o != MS__SPF_NOMATCH) {
            return o;
        }
    }
    return MS__SPF_NOMATCH;
}

static bool name_within(const char *name, const char *domain)
{
    size_t n = strlen(name), d = strlen(domain);
    if (n > 0 && name[n - 1] == '.') {
        n--;
    }
    if (d > 0 && domain[d - 1] == '.') {
        d--;
    }
    if (n == d) {
        return ms__str_ieq(name, n, domain, d);
    }
    return n > d && name[n - d - 1] == '.' && ms__str_ieq(name + n - d, d, domain, d);
}

/* §5.5: the PTR names of the client, each confirmed by a forward lookup; at most 10 are
 * looked at (§4.6.4), a DNS error on a name skips that name. With want_domain, a confirmed
 * name equal to or below it is preferred (the %{p} rule of §7.3); for the ptr mechanism only
 * such names matter. */
static ms__spf_outcome validated_name(ms__spf_eval *ev, unsigned depth, const char *domain,
                                      bool only_within, bool counts_void, const char **out)
{
    *out = NULL;
    char rev[80];
    if (ms_dns_reverse_name(ev->ip.addr, ev->ip.family == 4 ? 4 : 16, rev, sizeof(rev)) != MS_OK) {
        return MS__SPF_NOMATCH;
    }
    const ms_dns_answer *a;
    if (ms__spf_dns(ev, depth, rev, MS_DNS_PTR, &a) == MS__SPF_ERROR) {
        return MS__SPF_ERROR;
    }
    if (is_dns_error(a)) {
        return MS__SPF_NOMATCH; /* §5.5: a DNS error on the PTR lookup: no match */
    }
    if (is_void(a)) {
        if (counts_void && ms__spf_void(ev, depth, rev) == MS__SPF_ERROR) {
            return MS__SPF_ERROR;
        }
        return MS__SPF_NOMATCH;
    }
    size_t n = a->n_rr < ev->opt.max_ptr_names ? a->n_rr : ev->opt.max_ptr_names;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && only_within) {
            break;
        }
        for (size_t i = 0; i < n; i++) {
            const char *name = a->rr[i].u.name;
            if (name[0] == '\0' || (pass == 0) != name_within(name, domain)) {
                continue;
            }
            const ms_dns_answer *fa;
            if (ms__spf_dns(ev, depth, name, addr_type(ev), &fa) == MS__SPF_ERROR) {
                return MS__SPF_ERROR;
            }
            if (fa->rcode == MS_DNS_OK && answer_has_ip(ev, fa, ev->ip.family == 4 ? 32u : 128u)) {
                *out = name;
                return MS__SPF_MATCH;
            }
        }
    }
    return MS__SPF_NOMATCH;
}

void ms__spf_vars(ms__spf_eval *ev, const char *d, ms__spf_macro_vars *v)
{
    *v = (ms__spf_macro_vars){
        .s = ev->id.sender,
        .l = ev->id.local,
        .o = ev->id.domain,
        .d = d,
        .i = ev->ip_i,
        .v = ev->ip.family == 4 ? "in-addr" : "ip6",
        .h = ev->id.helo,
        .c = ev->ip_c,
        .r = ev->receiver,
        .t = ev->now,
        .p = ms__spf_macro_p,
        .p_user = ev,
    };
}

const char *ms__spf_macro_p(void *user)
{
    ms__spf_eval *ev = user;
    return ev->p_value ? ev->p_value : "unknown";
}

ms__spf_outcome ms__spf_compute_p(ms__spf_eval *ev, const char *d)
{
    if (ev->p_domain != NULL && strcmp(ev->p_domain, d) == 0) {
        return MS__SPF_MATCH;
    }
    const char *name = NULL;
    if (validated_name(ev, 0, d, false, false, &name) == MS__SPF_ERROR) {
        return MS__SPF_ERROR;
    }
    ev->p_domain = d;
    ev->p_value = name ? name : "unknown";
    return MS__SPF_MATCH;
}

ms__spf_outcome ms__spf_target(ms__spf_eval *ev, const char *spec, const char *d, const char **out)
{
    *out = d;
    if (spec == NULL) {
        return MS__SPF_MATCH;
    }
    if (strchr(spec, '%') == NULL) {
        size_t len = strlen(spec);
        const char *kept = ms__spf_domain_truncate(spec, &len);
        *out = ms_arena_strndup(ev->arena, kept, len);
        return *out ? MS__SPF_MATCH : ms__spf_fatal(ev, ms_arena_status(ev->arena));
    }
    if ((strstr(spec, "%{p") || strstr(spec, "%{P")) && ms__spf_compute_p(ev, d) == MS__SPF_ERROR) {
        return MS__SPF_ERROR;
    }
    ms__spf_macro_vars v;
    ms__spf_vars(ev, d, &v);
    const char *text, *why;
    size_t len;
    ms_status st = ms__spf_macro_expand(spec, strlen(spec), MS__MACRO_DOMAIN, &v,
                                        MS_LIMIT_SPF_EXPANSION, ev->arena, &text, &len, &why);
    if (st == MS_ENOMEM) {
        return ms__spf_fatal(ev, ms_arena_status(ev->arena));
    }
    if (st != MS_OK) {
        return ms__spf_error(ev, MS_SPF_PERMERROR,
                             why ? why : "macro expansion failed (RFC 7208 §7)", spec);
    }
    const char *kept = ms__spf_domain_truncate(text, &len);
    *out = kept;
    if (len != strlen(text)) {
        *out = ms_arena_strndup(ev->arena, kept, len);
    }
    ms__trace_add(ev->trace, MS_TRACE_NOTE, 0, "RFC 7208 §7.3", ev->n_terms, ev->n_void,
                  "expanded %s to %s", spec, *out ? *out : "?");
    return *out ? MS__SPF_MATCH : ms__spf_fatal(ev, ms_arena_status(ev->arena));
}

ms__spf_outcome ms__spf_mechanism(ms__spf_eval *ev, const ms_spf_term *t, const char *d,
                                  unsigned depth)
{
    const char *target;
    switch (t->kind) {
    case MS_SPF_MECH_ALL:
        return MS__SPF_MATCH;
    case MS_SPF_MECH_IP4:
        return ev->ip.family == 4 &&
                       ms__spf_ip_match(&ev->ip, t->addr, t->cidr4 >= 0 ? (unsigned)t->cidr4 : 32)
                   ? MS__SPF_MATCH
                   : MS__SPF_NOMATCH;
    case MS_SPF_MECH_IP6:
        return ev->ip.family == 6 &&
                       ms__spf_ip_match(&ev->ip, t->addr, t->cidr6 >= 0 ? (unsigned)t->cidr6 : 128)
                   ? MS__SPF_MATCH
                   : MS__SPF_NOMATCH;
    default:
        break;
    }
    if (ms__spf_target(ev, t->domain_spec, d, &target) == MS__SPF_ERROR) {
        return MS__SPF_ERROR;
    }
    if (ms__spf_target_invalid(target, strlen(target)) != NULL && t->domain_spec != NULL) {
        /* A name that cannot be asked has no records: a void lookup (§4.6.4, §5). */
        ms__trace_add(ev->trace, MS_TRACE_NOTE, depth, "RFC 7208 §4.3", ev->n_terms, ev->n_void,
                      "%s is not a valid domain name: no records", target);
        return ms__spf_void(ev, depth, target) == MS__SPF_ERROR ? MS__SPF_ERROR : MS__SPF_NOMATCH;
    }
    switch (t->kind) {
    case MS_SPF_MECH_A:
        return match_host(ev, depth, target, prefix_for(ev, t), true);
    case MS_SPF_MECH_MX:
        return match_mx(ev, depth, target, prefix_for(ev, t));
    case MS_SPF_MECH_PTR: {
        const char *name;
        return validated_name(ev, depth, target, true, true, &name);
    }
    case MS_SPF_MECH_EXISTS: {
        /* §5.7: always an A query, whatever the client's address family. */
        const ms_dns_answer *a;
        if (ms__spf_dns(ev, depth, target, MS_DNS_A, &a) == MS__SPF_ERROR) {
            return MS__SPF_ERROR;
        }
        if (is_dns_error(a)) {
            return dns_error(ev, a);
        }
        if (is_void(a)) {
            return ms__spf_void(ev, depth, target) == MS__SPF_ERROR ? MS__SPF_ERROR
                                                                    : MS__SPF_NOMATCH;
        }
        return MS__SPF_MATCH;
    }
    default:
        return ms__spf_error(ev, MS_SPF_PERMERROR, "not a mechanism", t->text);
    }
}
