/* SPDX-License-Identifier: MIT */
/* The DMARC verdict for one message, RFC 9989 §5.3 (and RFC 7489 §6.6 in its mode): the author
 * domains from every From field (§5.3.1), policy discovery (§4.10.1), alignment (§4.10.2),
 * pass or fail (§5.3.5), and the policy that applies: p, sp or np (§4.7, §3.2.13 with RFC
 * 8020), lowered by t=y (§4.7 t) or, in RFC 7489 mode, by pct sampling (RFC 7489 §6.6.4).
 *
 * Several author domains (several From fields, several mailboxes): every distinct domain is
 * evaluated, up to max_author_domains, and the strictest outcome kept, so a message never
 * passes by its easiest domain (bad-inputs DMARC-01, DMARC-11; CVE-2019-16378). More domains
 * than that is permerror before any DNS question (DMARC-31). A From that cannot be read is
 * permerror, never "no DMARC" (DMARC-04, -05, -07, -10, -13, -17). */
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/trace.h"
#include "dmarc/align.h"
#include "dmarc/orgdomain.h"

typedef struct authors {
    size_t n;
    const char **domains; /* distinct, normalised */
    unsigned flags;       /* MS_MSG_ADDR_* OR'ed */
    const char *reason;   /* set when the From fields were refused */
    const char *detail;
} authors;

static ms_status refuse(ms_arena *arena, authors *a, const char *reason, const char *s, size_t len)
{
    a->reason = reason;
    if (s != NULL) {
        ms__buf b;
        ms__buf_init(&b, arena, 128);
        for (size_t i = 0; i < len && i < 96; i++) {
            char c = s[i];
            ms__buf_putc(&b, (c >= 0x20 && c < 0x7f) ? c : '?');
        }
        a->detail = ms__buf_status(&b) == MS_OK ? ms__buf_str(&b) : NULL;
    }
    return ms_arena_status(arena);
}

/* The author domains of every From field (RFC 5322 §3.6.2, RFC 9989 §5.3.1). Sender and
 * Resent-From are never read (DMARC-05). */
static ms_status collect_authors(const ms_msg *m, unsigned max, ms_arena *arena, authors *a)
{
    memset(a, 0, sizeof(*a));
    a->domains = ms_arena_alloc(arena, (max + 1) * sizeof(*a->domains));
    if (a->domains == NULL) {
        return ms_arena_status(arena);
    }
    const ms_msg_field *f = ms_msg_next(m, "From", 4, NULL);
    if (f == NULL) {
        return refuse(arena, a,
                      "no From field; Sender and Resent-From are never used instead "
                      "(RFC 5322 §3.6, RFC 9989 §5.3.1, bad-inputs DMARC-05)",
                      NULL, 0);
    }
    for (; f != NULL; f = ms_msg_next(m, "From", 4, f)) {
        if (f->flags & MS_MSG_MALFORMED) {
            return refuse(arena, a,
                          "a malformed From field: no colon on its first line or a name that "
                          "is not ftext (RFC 5322 §3.6.8, bad-inputs DMARC-04)",
                          f->raw, f->raw_len);
        }
        const ms_msg_address_list *list = NULL;
        ms_msg_error err;
        ms_status st = ms_msg_address_parse(f->raw + f->value_offset, f->raw_len - f->value_offset,
                                            arena, &list, &err);
        if (st == MS_ESYNTAX) {
            a->reason = err.reason;
            a->detail = ms__arena_printf(arena, "offset %zu: %s", err.offset, err.detail);
            return ms_arena_status(arena);
        }
        if (st == MS_ELIMIT && ms_arena_status(arena) == MS_OK) {
            return refuse(arena, a,
                          "more addresses in one From field than are read: refused before any "
                          "DNS question (RFC 9989 §11.5, bad-inputs DMARC-31)",
                          f->raw, f->raw_len);
        }
        if (st != MS_OK) {
            return st;
        }
        /* A group with no mailbox names no author ("undisclosed-recipients:;", DMARC-07). */
        size_t n_named_groups = 0;
        const char *last_group = NULL;
        for (size_t i = 0; i < list->n_mailboxes; i++) {
            const char *g = list->mailboxes[i].group;
            if (g != NULL && g != last_group) {
                n_named_groups++;
                last_group = g;
            }
        }
        if (list->n_mailboxes == 0 || n_named_groups < list->n_groups) {
            return refuse(arena, a,
                          "a From field or group without a mailbox: no author there "
                          "(RFC 5322 §3.6.2, bad-inputs DMARC-07)",
                          f->raw, f->raw_len);
        }
        for (size_t i = 0; i < list->n_mailboxes; i++) {
            const ms_msg_mailbox *mb = &list->mailboxes[i];
            a->flags |= mb->flags;
            if (mb->flags & MS_MSG_ADDR_LITERAL) {
                return refuse(arena, a,
                              "an address literal as the author's domain: no policy can be "
                              "found for it (RFC 9989 §5.3.1, RFC 5322 §3.4.1)",
                              mb->domain_raw, strlen(mb->domain_raw));
            }
            const char *dom = mb->domain_ascii;
            const char *d = NULL, *why = NULL;
            if (dom == NULL || dom[0] == '\0') {
                return refuse(arena, a, "an author mailbox without a domain (RFC 9989 §5.3.1)",
                              NULL, 0);
            }
            st = ms__dmarc_domain_norm(dom, arena, &d, &why);
            if (st == MS_ESYNTAX) {
                a->reason = "the author domain is not a host name (RFC 9989 §5.3.1, "
                            "bad-inputs DMARC-17)";
                a->detail = ms__arena_printf(arena, "%.64s: %s", dom, why);
                return ms_arena_status(arena);
            }
            if (st != MS_OK) {
                return st;
            }
            bool dup = false;
            for (size_t k = 0; k < a->n && !dup; k++) {
                dup = strcmp(a->domains[k], d) == 0;
            }
            if (dup) {
                continue;
            }
            if (a->n >= max) {
                a->reason = "more distinct author domains than are evaluated: refused before any "
                            "DNS question (RFC 9989 §11.5, bad-inputs DMARC-31)";
                a->detail = ms__arena_printf(arena, "more than %u domains", max);
                return ms_arena_status(arena);
            }
            a->domains[a->n++] = d;
        }
    }
    return MS_OK;
}

static ms_dmarc_policy lower_one(ms_dmarc_policy p)
{
    return p == MS_DMARC_POLICY_REJECT       ? MS_DMARC_POLICY_QUARANTINE
           : p == MS_DMARC_POLICY_QUARANTINE ? MS_DMARC_POLICY_NONE
                                             : p;
}

static int roll_pct(int fixed)
{
    if (fixed >= 0 && fixed <= 99) {
        return fixed;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_sec;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    return (int)(x % 100u);
}

static void base_verdict(const ms_dmarc_request *req, bool *each, ms_dmarc_verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->result = MS_DMARC_NONE;
    v->aspf = v->adkim = MS_DMARC_ALIGN_RELAXED;
    v->disposition = MS_DMARC_POLICY_NONE;
    v->from_domain_exists = true;
    v->spf_result = MS_SPF_NONE;
    if (req->spf != NULL) {
        v->spf_domain = req->spf->domain;
        v->spf_result = req->spf->result;
    }
    v->dkim_aligned_each = each;
}

/* One author domain, RFC 9989 §5.3.2-§5.3.6. */
static ms_status evaluate_one(ms__dmarc_walk *w, const ms_dmarc_request *req, const char *domain,
                              ms_dmarc_verdict *v)
{
    bool *each = NULL;
    if (req->n_dkim > 0) {
        each = ms_arena_alloc(w->arena, req->n_dkim * sizeof(*each));
        if (each == NULL) {
            return ms_arena_status(w->arena);
        }
        memset(each, 0, req->n_dkim * sizeof(*each));
    }
    base_verdict(req, each, v);
    v->from_domain = domain;
    ms_dmarc_discovery d;
    ms_status st = ms__dmarc_discover(w, domain, &d);
    if (st != MS_OK) {
        return st;
    }
    v->org_domain = d.org_domain;
    v->policy_domain = d.policy_domain;
    v->record = d.record;
    v->record_text = d.record_text;
    v->reason = d.reason;
    v->detail = d.detail;
    if (d.status == MS_DMARC_DISCOVERY_TEMPERROR) {
        v->result = MS_DMARC_TEMPERROR;
        return MS_OK;
    }
    if (d.status == MS_DMARC_DISCOVERY_NONE) {
        v->result = MS_DMARC_NONE;
        return MS_OK;
    }
    const ms_dmarc_record *rec = d.record;
    v->aspf = rec->aspf;
    v->adkim = rec->adkim;
    v->testing = rec->testing;
    bool unknown = false;
    const char *unknown_why = NULL, *last_why = NULL;
    /* SPF: the SPF-authenticated domain on pass (the HELO domain for the null sender, which
     * the verdict carries), RFC 9989 §4.4.2. */
    if (req->spf != NULL && req->spf->result == MS_SPF_PASS) {
        ms__dmarc_alignment al;
        st = ms__dmarc_align(w, rec->aspf, domain, d.org_domain, req->spf->domain, &al);
        if (st != MS_OK) {
            return st;
        }
        v->spf_aligned = al.aligned;
        last_why = al.why;
        if (al.temperror) {
            unknown = true;
            unknown_why = al.why;
        }
        ms__trace_add(w->trace, MS_TRACE_TERM, 0, "RFC 9989 §4.4.2", w->n_queries, 0,
                      "SPF pass for %s: %s", req->spf->domain != NULL ? req->spf->domain : "?",
                      al.why != NULL ? al.why : "");
    }
    /* DKIM: d= of every passing signature, RFC 9989 §4.4.1. */
    for (size_t i = 0; i < req->n_dkim; i++) {
        const ms_dkim_sig_result *s = &req->dkim[i];
        if (s->result != MS_DKIM_PASS || s->domain == NULL) {
            continue;
        }
        ms__dmarc_alignment al;
        st = ms__dmarc_align(w, rec->adkim, domain, d.org_domain, s->domain, &al);
        if (st != MS_OK) {
            return st;
        }
        each[i] = al.aligned;
        last_why = al.why;
        if (al.aligned && !v->dkim_aligned) {
            v->dkim_aligned = true;
            v->dkim_aligned_index = i;
        }
        if (al.temperror) {
            unknown = true;
            unknown_why = al.why;
        }
        ms__trace_add(w->trace, MS_TRACE_TERM, 0, "RFC 9989 §4.4.1", w->n_queries, 0,
                      "DKIM pass for d=%s: %s", s->domain, al.why != NULL ? al.why : "");
    }
    /* The tag that applies: p at the policy domain itself, else sp or np (§4.10.1). */
    v->policy_tag = MS_DMARC_TAG_P;
    if (strcmp(d.policy_domain, domain) != 0) {
        v->policy_tag = MS_DMARC_TAG_SP;
    }
    v->policy = rec->p;
    if (v->policy_tag == MS_DMARC_TAG_SP) {
        v->policy = rec->sp;
    }
    if (v->spf_aligned || v->dkim_aligned) {
        v->result = MS_DMARC_PASS;
        v->reason = v->spf_aligned && v->dkim_aligned
                        ? "aligned SPF and DKIM passes (RFC 9989 §5.3.5)"
                    : v->spf_aligned ? "an aligned SPF pass (RFC 9989 §5.3.5)"
                                     : "an aligned DKIM pass (RFC 9989 §5.3.5)";
        v->detail = NULL;
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, "RFC 9989 §5.3.5", w->n_queries, 0, "%s: pass",
                      domain);
        return MS_OK;
    }
    if (unknown) {
        v->result = MS_DMARC_TEMPERROR;
        v->reason = "alignment could not be decided for a DNS error, and nothing else aligned "
                    "(RFC 9989 §5.3.6)";
        v->detail = unknown_why;
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, "RFC 9989 §5.3.6", w->n_queries, 0,
                      "%s: temperror", domain);
        return MS_OK;
    }
    v->result = MS_DMARC_FAIL;
    v->reason = "no aligned SPF or DKIM pass (RFC 9989 §5.3.5)";
    v->detail = last_why != NULL ? last_why : "no passing SPF or DKIM result (RFC 9989 §4.4)";
    if (v->policy_tag == MS_DMARC_TAG_SP && w->opt.mode == MS_DMARC_MODE_RFC9989) {
        /* np: the author domain does not exist (§3.2.13, RFC 8020: NXDOMAIN for the name
         * itself; an answer for _dmarc.<domain> says nothing about the domain). */
        bool exists = true, temperror = false;
        const char *why = NULL;
        st = ms__dmarc_exists(w, domain, &exists, &temperror, &why);
        if (st != MS_OK) {
            return st;
        }
        if (temperror) {
            v->result = MS_DMARC_TEMPERROR;
            v->reason = "whether the author domain exists could not be decided, so neither sp= "
                        "nor np= applies (RFC 9989 §4.10.1, §5.3.6)";
            v->detail = why;
            return MS_OK;
        }
        if (!exists) {
            v->from_domain_exists = false;
            v->policy_tag = MS_DMARC_TAG_NP;
            v->policy = rec->np;
        }
    }
    v->disposition = v->policy;
    if (w->opt.mode == MS_DMARC_MODE_RFC9989) {
        if (rec->testing && v->policy != MS_DMARC_POLICY_NONE) {
            v->disposition = lower_one(v->policy);
            ms__trace_add(w->trace, MS_TRACE_RULE, 0, "RFC 9989 §4.7", w->n_queries, 0,
                          "t=y: %s is applied one level lower, as %s",
                          ms_dmarc_policy_name(v->policy), ms_dmarc_policy_name(v->disposition));
        }
    } else if (rec->has_pct && rec->pct < 100) {
        int roll = roll_pct(w->opt.pct_roll);
        if (roll >= (int)rec->pct) {
            v->sampled_out = true;
            v->disposition = lower_one(v->policy);
            ms__trace_add(w->trace, MS_TRACE_RULE, 0, "RFC 7489 §6.6.4", w->n_queries, 0,
                          "pct=%u, roll %d: sampled out, %s applied as %s", rec->pct, roll,
                          ms_dmarc_policy_name(v->policy), ms_dmarc_policy_name(v->disposition));
        }
    }
    ms__trace_add(w->trace, MS_TRACE_RULE, 0, "RFC 9989 §5.3.5", w->n_queries, 0,
                  "%s: fail, %s=%s from %s, disposition %s", domain,
                  ms_dmarc_policy_tag_name(v->policy_tag), ms_dmarc_policy_name(v->policy),
                  d.policy_domain, ms_dmarc_policy_name(v->disposition));
    return MS_OK;
}

/* The stricter outcome: a higher disposition, then fail > temperror > permerror > none > pass. */
static int severity(const ms_dmarc_verdict *v)
{
    static const int rank[] = {[MS_DMARC_PASS] = 0,
                               [MS_DMARC_NONE] = 1,
                               [MS_DMARC_PERMERROR] = 2,
                               [MS_DMARC_TEMPERROR] = 3,
                               [MS_DMARC_FAIL] = 4};
    return (int)v->disposition * 8 + rank[v->result];
}

ms_status ms_dmarc_evaluate(ms_resolver *resolver, const ms_dmarc_options *opt,
                            const ms_dmarc_request *req, ms_arena *arena, ms_dmarc_verdict *out,
                            ms_trace *trace)
{
    if (resolver == NULL || req == NULL || req->msg == NULL || arena == NULL || out == NULL ||
        (req->n_dkim > 0 && req->dkim == NULL)) {
        return MS_EINVAL;
    }
    ms__dmarc_walk *w = ms_arena_alloc(arena, sizeof(*w));
    if (w == NULL) {
        return ms_arena_status(arena);
    }
    ms__dmarc_walk_init(w, resolver, opt, arena, trace);
    if (w->opt.mode == MS_DMARC_MODE_RFC7489 && w->opt.psl == NULL) {
        return MS_EINVAL;
    }
    authors a;
    ms_status st = collect_authors(req->msg, w->opt.max_author_domains, arena, &a);
    if (st != MS_OK) {
        return st;
    }
    if (a.reason != NULL) {
        bool *each = NULL;
        if (req->n_dkim > 0) {
            each = ms_arena_alloc(arena, req->n_dkim * sizeof(*each));
            if (each == NULL) {
                return ms_arena_status(arena);
            }
            memset(each, 0, req->n_dkim * sizeof(*each));
        }
        base_verdict(req, each, out);
        out->result = MS_DMARC_PERMERROR;
        out->reason = a.reason;
        out->detail = a.detail;
        out->author_flags = a.flags;
        ms__trace_add(trace, MS_TRACE_RULE, 0, "RFC 9989 §5.3.1", 0, 0,
                      "permerror, no DNS question asked: %s", a.reason);
        return MS_OK;
    }
    ms__trace_add(trace, MS_TRACE_NOTE, 0, "RFC 9989 §5.3.1", 0, 0, "%zu author domain%s (%s mode)",
                  a.n, a.n == 1 ? "" : "s", ms_dmarc_mode_name(w->opt.mode));
    ms_dmarc_verdict best, one;
    for (size_t i = 0; i < a.n; i++) {
        st = evaluate_one(w, req, a.domains[i], &one);
        if (st != MS_OK) {
            return st;
        }
        if (i == 0 || severity(&one) > severity(&best)) {
            best = one;
        }
    }
    *out = best;
    out->n_from_domains = a.n;
    out->author_flags = a.flags;
    out->n_queries = w->n_queries;
    if (a.n > 1) {
        out->detail = ms__arena_printf(arena, "%s: %s", out->from_domain,
                                       out->reason != NULL ? out->reason : "");
        out->reason = "several author domains: each evaluated and the strictest outcome kept "
                      "(RFC 9989 §5.3.1, §11.5; bad-inputs DMARC-11)";
        ms__trace_add(trace, MS_TRACE_RULE, 0, "RFC 9989 §5.3.1", w->n_queries, 0,
                      "%zu author domains: the strictest outcome, %s for %s, is kept", a.n,
                      ms_dmarc_result_name(out->result), out->from_domain);
    }
    return ms_arena_status(arena);
}
