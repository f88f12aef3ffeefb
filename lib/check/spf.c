/* SPDX-License-Identifier: MIT */
/* The SPF part of the domain audit: the one v=spf1 record at the domain (RFC 7208 §4.5), its
 * syntax, and the whole include/redirect tree walked without a client address, counting what
 * §4.6.4 counts (DNS-querying terms over the whole evaluation, void lookups), so the report can
 * show which include costs what. Everything a receiver would turn into a permerror is an error. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "check/audit.h"
#include "msg/domain.h"

#define AREA MS_CHECK_AREA_SPF

typedef enum { REC_FOUND, REC_NONE, REC_NXDOMAIN, REC_MULTIPLE, REC_DNS_ERROR } rec_status;

typedef struct walk {
    ms__check_ctx *c;
    unsigned queries;
    bool out_of_queries; /* MS_LIMIT_CHECK_SPF_QUERIES reached: the rest was not looked up */
    bool truncated;      /* the tree was larger than the walk follows (depth or node cap) */
    bool permerror;      /* something in the tree a receiver would turn into permerror */
    unsigned voids;
    ms__buf void_names;
    const char *chain[MS_LIMIT_CHECK_SPF_DEPTH + 2]; /* the domains from the top to here */
    const char **includes;
    size_t n_includes;
    bool seen_ptr, seen_plus_all;
    unsigned n_dns_errors; /* DNS failures; the first MS_LIMIT_CHECK_DNS_ERRORS are findings */
    unsigned n_reported;   /* findings about records, at most MS_LIMIT_CHECK_SPF_FINDINGS */
} walk;

/* Room for one more finding about a record in the tree? A tree of hundreds of broken includes
 * gives a handful of findings and the truncation note, not hundreds. */
static bool room(walk *w)
{
    if (w->n_reported >= MS_LIMIT_CHECK_SPF_FINDINGS) {
        w->truncated = true;
        return false;
    }
    w->n_reported++;
    return true;
}

/* Ask DNS within the walk's budget. NULL when the budget is spent or the query could not be
 * asked (then c->fatal tells whether the audit must stop). */
static const ms_dns_answer *ask(walk *w, const char *name, uint16_t type)
{
    if (w->queries >= MS_LIMIT_CHECK_SPF_QUERIES) {
        w->out_of_queries = true;
        return NULL;
    }
    w->queries++;
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(w->c->resolver, name, type, w->c->arena, &a);
    if (st == MS_ENOMEM || st == MS_ELIMIT) {
        w->c->fatal = st;
        return NULL;
    }
    if (st != MS_OK || a == NULL) {
        /* The name could not even be asked (not a name DNS accepts): as if nothing is there. */
        return NULL;
    }
    if ((a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) &&
        ++w->n_dns_errors > MS_LIMIT_CHECK_DNS_ERRORS) {
        w->c->report->incomplete = true; /* reported enough of them */
    } else if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        ms__check_dns_failed(w->c, AREA,
                             ms__arena_printf(w->c->arena, "%s %s", ms_dns_type_name(type), name),
                             a->why ? a->why : ms_dns_rcode_str(a->rcode));
    }
    return a;
}

/* §4.4, §4.5: the TXT records at domain that start with v=spf1. */
static rec_status find_record(walk *w, const char *domain, const ms_dns_rr **rr, size_t *n_found)
{
    *rr = NULL;
    *n_found = 0;
    const ms_dns_answer *a = ask(w, domain, MS_DNS_TXT);
    if (a == NULL) {
        return REC_DNS_ERROR;
    }
    if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        return REC_DNS_ERROR;
    }
    for (size_t i = 0; a->rcode == MS_DNS_OK && i < a->n_rr; i++) {
        if (a->rr[i].type == MS_DNS_TXT &&
            ms_spf_is_record(a->rr[i].u.txt.data, a->rr[i].u.txt.len)) {
            if ((*n_found)++ == 0) {
                *rr = &a->rr[i];
            }
        }
    }
    if (*n_found > 1) {
        return REC_MULTIPLE;
    }
    if (*n_found == 1) {
        return REC_FOUND;
    }
    return a->rcode == MS_DNS_NXDOMAIN ? REC_NXDOMAIN : REC_NONE;
}

static bool has_macro(const char *spec)
{
    return spec != NULL && strchr(spec, '%') != NULL;
}

/* The name a term points at: its domain-spec without a trailing dot, or the current domain.
 * NULL (with *why) when it cannot be looked up without a client (macros) or is no host name. */
static const char *target_of(walk *w, const ms_spf_term *t, const char *domain, const char **why)
{
    *why = NULL;
    if (t->domain_spec == NULL) {
        return domain;
    }
    if (has_macro(t->domain_spec)) {
        *why = "macro";
        return NULL;
    }
    size_t len = strlen(t->domain_spec);
    if (len > 0 && t->domain_spec[len - 1] == '.') {
        len--;
    }
    const char *invalid = ms__msg_hostname_invalid(t->domain_spec, len);
    if (invalid != NULL) {
        *why = invalid;
        return NULL;
    }
    char *name = ms_arena_strndup(w->c->arena, t->domain_spec, len);
    if (name == NULL) {
        w->c->fatal = ms_arena_status(w->c->arena);
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        name[i] = ms__lower(name[i]);
    }
    return name;
}

static void note_include(walk *w, const char *target)
{
    for (size_t i = 0; i < w->n_includes; i++) {
        if (strcmp(w->includes[i], target) == 0) {
            return;
        }
    }
    if (w->n_includes < MS_LIMIT_CHECK_SPF_NODES) {
        w->includes[w->n_includes++] = target;
    }
}

static void note_void(walk *w, const char *term, const char *domain)
{
    if (++w->voids <= 4) {
        ms__buf_printf(&w->void_names, "%s%s in %s", w->voids > 1 ? ", " : "", term, domain);
    } else if (w->voids == 5) {
        ms__buf_puts(&w->void_names, ", ...");
    }
}

/* a, mx and exists look up a name; an answer with nothing in it is a void lookup (§4.6.4). An
 * mx with more than 10 names is a permerror (§4.6.4). Without a client address the walk looks
 * up A (what an IPv4 client would make a receiver ask). */
static void probe_term(walk *w, const ms_spf_term *t, const char *domain)
{
    const char *why;
    const char *name = target_of(w, t, domain, &why);
    if (name == NULL) {
        return;
    }
    uint16_t type = t->kind == MS_SPF_MECH_MX ? MS_DNS_MX : MS_DNS_A;
    const ms_dns_answer *a = ask(w, name, type);
    if (a == NULL || a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        return;
    }
    if (a->rcode != MS_DNS_OK || a->n_rr == 0) {
        note_void(w, t->text, domain);
        return;
    }
    if (t->kind == MS_SPF_MECH_MX && a->n_rr > MS_LIMIT_SPF_MX_NAMES) {
        w->permerror = true;
        if (room(w))
            ms__check_add(
                w->c, "spf-mx-limit", MS_CHECK_ERROR, AREA, NULL,
                "Replace the mx mechanism with ip4:/ip6: ranges of the hosts that send, or "
                "list fewer MX hosts.",
                "%s in the SPF record of %s names %zu MX hosts; receivers look at no more "
                "than 10 and then return permerror (RFC 7208 §4.6.4).",
                t->text, domain, a->n_rr);
    }
}

/* An include or redirect= whose name is not a domain: the check of it gives none, which the
 * including record turns into permerror (RFC 7208 §4.3, §5.2, §6.1). */
static void bad_target(walk *w, const ms_spf_term *t, const char *domain, const char *why)
{
    if (why == NULL || strcmp(why, "macro") == 0 || w->c->fatal != MS_OK) {
        return;
    }
    w->permerror = true;
    if (room(w)) {
        ms__check_add(w->c, "spf-include-missing", MS_CHECK_ERROR, AREA, NULL,
                      "Correct the name, or remove the term.",
                      "%.300s in the SPF record of %s does not name a domain (%s): receivers "
                      "stop with permerror there (RFC 7208 §4.3, §5.2), so SPF fails for all "
                      "mail.",
                      t->text, domain, why);
    }
}

static bool in_chain(const walk *w, unsigned depth, const char *target)
{
    for (unsigned i = 0; i <= depth; i++) {
        if (w->chain[i] != NULL && strcmp(w->chain[i], target) == 0) {
            return true;
        }
    }
    return false;
}

static ms_check_spf_node *node_at(ms__check_ctx *c, size_t idx)
{
    return (ms_check_spf_node *)(uintptr_t)&c->report->spf_tree[idx];
}

/* Merged record for two or more records at one name: the terms of each once, one all at the
 * end (the first record's, or ~all). */
static const char *merged_record(ms__check_ctx *c, const ms_dns_answer *a)
{
    ms__buf b;
    ms__buf_init(&b, c->arena, MS_LIMIT_SPF_RECORD);
    ms__buf_puts(&b, "v=spf1");
    const char *all = NULL;
    const char *seen[64];
    size_t n_seen = 0;
    for (size_t i = 0; i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        const ms_spf_record *rec;
        ms_spf_parse_error err;
        if (rr->type != MS_DNS_TXT || !ms_spf_is_record(rr->u.txt.data, rr->u.txt.len) ||
            memchr(rr->u.txt.data, '\0', rr->u.txt.len) != NULL ||
            ms_spf_record_parse(rr->u.txt.data, rr->u.txt.len, c->arena, &rec, &err) != MS_OK) {
            continue;
        }
        for (size_t j = 0; j < rec->n_terms; j++) {
            const ms_spf_term *t = &rec->terms[j];
            if (t->kind == MS_SPF_MECH_ALL) {
                all = all ? all : t->text;
                continue;
            }
            if (t->kind == MS_SPF_MOD_REDIRECT) {
                continue;
            }
            bool dup = false;
            for (size_t k = 0; k < n_seen && !dup; k++) {
                dup = ms__str_ieq(seen[k], strlen(seen[k]), t->text, strlen(t->text));
            }
            if (!dup && n_seen < sizeof(seen) / sizeof(seen[0])) {
                seen[n_seen++] = t->text;
                ms__buf_printf(&b, " %s", t->text);
            }
        }
    }
    ms__buf_printf(&b, " %s", all ? all : "~all");
    return ms__buf_status(&b) == MS_OK ? ms__buf_str(&b) : NULL;
}

/* Visit the record at domain (the top when depth is 0); returns its §4.6.4 count with
 * everything below it. main_chain: the top record or a redirect= target of it, whose all
 * decides the result (§6.1). */
static unsigned visit(walk *w, const char *domain, const char *via, unsigned depth, bool main_chain)
{
    ms__check_ctx *c = w->c;
    if (c->fatal != MS_OK) {
        return 0;
    }
    if (c->report->n_spf_nodes >= MS_LIMIT_CHECK_SPF_NODES) {
        w->truncated = true;
        return 0;
    }
    size_t idx = c->report->n_spf_nodes;
    ms_check_spf_node node = {.domain = domain, .via = via, .depth = depth};
    if (!ms__check_spf_node(c, &node)) {
        return 0;
    }
    w->chain[depth] = domain;
    w->chain[depth + 1] = NULL;

    const ms_dns_rr *rr;
    size_t n_found;
    rec_status rs = find_record(w, domain, &rr, &n_found);
    if (depth == 0) {
        c->facts.n_spf_records = n_found;
    }
    switch (rs) {
    case REC_DNS_ERROR:
        return 0;
    case REC_NONE:
    case REC_NXDOMAIN:
        if (depth == 0) {
            ms__check_add(
                c, "spf-missing", MS_CHECK_ERROR, AREA, NULL,
                ms__arena_printf(c->arena,
                                 "Publish one TXT record at %s naming what sends its mail, for "
                                 "example  %s. TXT \"v=spf1 include:amazonses.com -all\"  for "
                                 "Amazon SES, or  %s. TXT \"v=spf1 -all\"  if it sends no mail.",
                                 domain, domain, domain),
                "%s publishes no SPF record%s: receivers cannot tell which servers may send "
                "its mail (RFC 7208 §4.5), and Gmail and Yahoo require SPF of bulk senders.",
                domain, rs == REC_NXDOMAIN ? " (the name does not exist)" : "");
        } else {
            w->permerror = true;
            if (room(w))
                ms__check_add(c, "spf-include-missing", MS_CHECK_ERROR, AREA, NULL,
                              ms__arena_printf(c->arena,
                                               "Remove %s from the record of %s, or correct the "
                                               "name if it is a typing mistake.",
                                               via, w->chain[depth - 1]),
                              "%s points at %s, which %s: receivers stop with permerror there "
                              "(RFC 7208 §5.2, §6.1), so SPF fails for all mail.",
                              via, domain,
                              rs == REC_NXDOMAIN ? "does not exist" : "publishes no SPF record");
        }
        return 0;
    case REC_MULTIPLE: {
        w->permerror = true;
        const ms_dns_answer *a = NULL;
        /* Ask again for the records to merge (the answer above was not kept). */
        a = ask(w, domain, MS_DNS_TXT);
        const char *merged = a && a->rcode == MS_DNS_OK ? merged_record(c, a) : NULL;
        if (room(w))
            ms__check_add(
                c, "spf-multiple", MS_CHECK_ERROR, AREA, NULL,
                merged ? ms__arena_printf(c->arena,
                                          "Replace them with one record, for example  %s. TXT "
                                          "\"%s\"",
                                          domain, merged)
                       : "Merge them into one record with one all at the end.",
                "%s publishes %zu SPF records; receivers must then return permerror (RFC 7208 "
                "§4.5), so SPF fails for all its mail%s.",
                domain, n_found, depth ? ms__arena_printf(c->arena, " (reached by %s)", via) : "");
        return 0;
    }
    case REC_FOUND:
        break;
    }

    const char *data = rr->u.txt.data;
    size_t len = rr->u.txt.len;
    const char *shown = ms__check_shown(c, data, len);
    if (shown == NULL) {
        return 0;
    }
    node_at(c, idx)->record = shown;
    if (depth == 0) {
        c->facts.spf_record = shown;
        if (len > 512) {
            ms__check_add(c, "spf-long", MS_CHECK_WARNING, AREA, shown,
                          "Shorten the record: replace a and mx with ip4:/ip6: ranges, drop "
                          "includes you no longer use.",
                          "The SPF record of %s is %zu octets; answers over 512 octets need "
                          "TCP or EDNS, which some receivers' resolvers do not manage, and RFC "
                          "7208 §3.4 advises keeping it under 450.",
                          domain, len);
        } else if (rr->u.txt.n_strings > 1 || len > 255) {
            ms__check_add(c, "spf-split", MS_CHECK_INFO, AREA, shown, NULL,
                          "The SPF record of %s is %zu octets in %zu strings; that is allowed "
                          "(RFC 7208 §3.3: receivers join them without spaces), but check that "
                          "no space was lost at a string boundary.",
                          domain, len, rr->u.txt.n_strings);
        }
    }
    if (memchr(data, '\0', len) != NULL) {
        w->permerror = true;
        if (room(w))
            ms__check_add(c, "spf-syntax", MS_CHECK_ERROR, AREA, shown,
                          "Publish the record again as plain text.",
                          "The SPF record of %s holds a NUL byte; receivers return permerror "
                          "(RFC 7208 §3.1, §4.6).",
                          domain);
        return 0;
    }
    const ms_spf_record *rec;
    ms_spf_parse_error err;
    ms_status st = ms_spf_record_parse(data, len, c->arena, &rec, &err);
    if (st == MS_ESYNTAX) {
        w->permerror = true;
        if (room(w))
            ms__check_add(
                c, "spf-syntax", MS_CHECK_ERROR, AREA, shown,
                "Correct the term (RFC 7208 §12 has the grammar); receivers ignore the "
                "whole record while it does not parse.",
                "The SPF record of %s does not parse at octet %zu (\"%s\"): %s. Receivers "
                "return permerror, so SPF fails for all its mail.",
                domain, err.offset, err.detail, err.reason);
        return 0;
    }
    if (st != MS_OK) {
        c->fatal = st;
        return 0;
    }

    const ms_spf_term *all = NULL;
    for (size_t i = 0; i < rec->n_terms; i++) {
        if (rec->terms[i].kind == MS_SPF_MECH_ALL) {
            all = &rec->terms[i];
            break;
        }
    }
    if (all != NULL && all->qualifier == '+') {
        w->seen_plus_all = true;
        if (room(w))
            ms__check_add(c, "spf-plus-all", MS_CHECK_ERROR, AREA, shown,
                          depth == 0 ? "End the record with -all (or ~all while you check "
                                       "that every sender is listed)."
                                     : "Remove the include: it authorizes every server.",
                          "%s (\"%s\") authorizes every server on the Internet to send as %s, so "
                          "SPF says nothing%s.",
                          depth == 0 ? "The SPF record" : via, all->text, c->domain,
                          depth ? ms__arena_printf(c->arena, ": %s ends in it", domain) : "");
    }
    if (main_chain && all == NULL && rec->redirect == NULL) {
        ms__check_add(
            c, "spf-no-all", MS_CHECK_WARNING, AREA, shown,
            ms__arena_printf(c->arena, "End the record with -all (or ~all): \"%s -all\".", shown),
            "The SPF record of %s has no all mechanism and no redirect=, so mail from "
            "servers it does not list gets neutral, as if there were no record "
            "(RFC 7208 §4.7).",
            domain);
    } else if (main_chain && all != NULL && all->qualifier == '?') {
        ms__check_add(c, "spf-neutral-all", MS_CHECK_WARNING, AREA, shown,
                      "End the record with -all (or ~all) once every server that sends for the "
                      "domain is listed.",
                      "The SPF record of %s ends in ?all: mail from servers it does not list gets "
                      "neutral, which says nothing to receivers (RFC 7208 §8.2).",
                      domain);
    }

    unsigned own = 0, below = 0;
    for (size_t i = 0; i < rec->n_terms && c->fatal == MS_OK; i++) {
        const ms_spf_term *t = &rec->terms[i];
        switch (t->kind) {
        case MS_SPF_MECH_PTR:
            own++;
            if (!w->seen_ptr) {
                w->seen_ptr = true;
                ms__check_add(c, "spf-ptr", MS_CHECK_WARNING, AREA, shown,
                              "Replace ptr with the ip4:/ip6: ranges of the servers it stands "
                              "for.",
                              "The SPF record of %s uses %s; RFC 7208 §5.5 says not to: it is "
                              "slow, unreliable, and large receivers skip it.",
                              domain, t->text);
            }
            break;
        case MS_SPF_MECH_A:
        case MS_SPF_MECH_MX:
        case MS_SPF_MECH_EXISTS:
            own++;
            probe_term(w, t, domain);
            break;
        case MS_SPF_MECH_INCLUDE: {
            own++;
            const char *why;
            const char *target = target_of(w, t, domain, &why);
            if (target == NULL) {
                bad_target(w, t, domain, why); /* a macro depends on the client: not followed */
                break;
            }
            note_include(w, target);
            if (in_chain(w, depth, target)) {
                w->permerror = true;
                if (room(w))
                    ms__check_add(
                        c, "spf-include-loop", MS_CHECK_ERROR, AREA, shown,
                        "Remove the include that leads back to a record above it.",
                        "%s in the SPF record of %s leads back to %s: receivers go round "
                        "until the 10-lookup limit and return permerror (RFC 7208 §4.6.4).",
                        t->text, domain, target);
                break;
            }
            if (depth + 1 > MS_LIMIT_CHECK_SPF_DEPTH) {
                w->truncated = true;
                break;
            }
            below += visit(w, target, t->text, depth + 1, false);
            w->chain[depth + 1] = NULL;
            break;
        }
        default:
            break;
        }
    }
    /* §6.1: redirect= is ignored when the record has an all mechanism. */
    if (rec->redirect != NULL && all == NULL && c->fatal == MS_OK) {
        own++;
        const char *why;
        const char *target = target_of(w, rec->redirect, domain, &why);
        if (target == NULL) {
            bad_target(w, rec->redirect, domain, why);
        } else {
            note_include(w, target);
            if (in_chain(w, depth, target)) {
                w->permerror = true;
                if (room(w))
                    ms__check_add(
                        c, "spf-include-loop", MS_CHECK_ERROR, AREA, shown,
                        "Remove the redirect= that leads back to a record above it.",
                        "%s in the SPF record of %s leads back to %s: receivers go round "
                        "until the 10-lookup limit and return permerror (RFC 7208 §4.6.4).",
                        rec->redirect->text, domain, target);
            } else if (depth + 1 > MS_LIMIT_CHECK_SPF_DEPTH) {
                w->truncated = true;
            } else {
                below += visit(w, target, rec->redirect->text, depth + 1, main_chain);
                w->chain[depth + 1] = NULL;
            }
        }
    }
    if (c->fatal != MS_OK) {
        return 0;
    }
    ms_check_spf_node *n = node_at(c, idx);
    n->lookups_own = own;
    n->lookups_total = own + below;
    return own + below;
}

/* The biggest contributors to the count: the direct terms of the top record that cost most. */
static const char *contributors(ms__check_ctx *c)
{
    const ms_check_report *r = c->report;
    ms__buf b;
    ms__buf_init(&b, c->arena, 1024);
    bool used[MS_LIMIT_CHECK_SPF_NODES] = {false};
    for (unsigned k = 0; k < 4; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 1; i < r->n_spf_nodes; i++) {
            if (r->spf_tree[i].depth == 1 && !used[i] &&
                (best == SIZE_MAX ||
                 r->spf_tree[i].lookups_total > r->spf_tree[best].lookups_total)) {
                best = i;
            }
        }
        if (best == SIZE_MAX) {
            break;
        }
        used[best] = true;
        const ms_check_spf_node *n = &r->spf_tree[best];
        ms__buf_printf(&b, "%s%s costs %u", k ? ", " : "", n->via, 1 + n->lookups_total);
    }
    return ms__buf_status(&b) == MS_OK && b.len ? ms__buf_str(&b) : "the record's own terms";
}

/* RFC 7208 §3.1, §14.1: the SPF RR type (99) is gone; receivers ask TXT only. */
static void check_rr_type(walk *w, const char *domain)
{
    const ms_dns_answer *a = ask(w, domain, MS_DNS_SPF);
    if (a == NULL || a->rcode != MS_DNS_OK) {
        return;
    }
    for (size_t i = 0; i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        if (rr->type != MS_DNS_SPF || !ms_spf_is_record(rr->u.txt.data, rr->u.txt.len)) {
            continue;
        }
        const char *shown = ms__check_shown(w->c, rr->u.txt.data, rr->u.txt.len);
        const char *txt = w->c->facts.spf_record;
        if (shown == NULL) {
            return;
        }
        bool same = txt != NULL && strcmp(txt, shown) == 0;
        ms__check_add(w->c, "spf-rr-type", same ? MS_CHECK_INFO : MS_CHECK_WARNING, AREA, shown,
                      same ? "Remove the SPF-type record when convenient; keep the TXT one."
                           : "Publish the record as TXT (and remove the SPF-type one): receivers "
                             "only read TXT.",
                      "%s still publishes a record of the SPF RR type (99), which RFC 7208 §3.1 "
                      "retired%s.",
                      domain,
                      txt == NULL ? ": receivers ignore it, and there is no TXT record"
                      : same      ? "; receivers ignore it, the TXT record says the same"
                                  : "; receivers ignore it, and it differs from the TXT record");
        return;
    }
}

void ms__check_spf(ms__check_ctx *c)
{
    walk w;
    memset(&w, 0, sizeof(w));
    w.c = c;
    ms__buf_init(&w.void_names, c->arena, 1024);
    w.includes = ms_arena_alloc(c->arena, MS_LIMIT_CHECK_SPF_NODES * sizeof(*w.includes));
    if (w.includes == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    size_t first_finding = c->report->n_findings;
    unsigned total = visit(&w, c->domain, NULL, 0, true);
    if (c->fatal != MS_OK) {
        return;
    }
    c->facts.spf_includes = w.includes;
    c->facts.n_spf_includes = w.n_includes;
    c->facts.spf_lookups = total;
    bool found = c->facts.n_spf_records == 1 && c->facts.spf_record != NULL;
    if (found && total > MS_LIMIT_SPF_DNS_TERMS) {
        w.permerror = true;
        ms__check_add(c, "spf-lookup-limit", MS_CHECK_ERROR, AREA, c->facts.spf_record,
                      "Remove includes of services you no longer use, replace a and mx with "
                      "ip4:/ip6: ranges, or move a service to a subdomain with its own record "
                      "(a custom MAIL FROM).",
                      "The SPF record of %s needs %u DNS lookups over its include tree; "
                      "receivers stop at 10 and return permerror (RFC 7208 §4.6.4). Biggest: "
                      "%s.",
                      c->domain, total, contributors(c));
    } else if (found && total >= MS_LIMIT_SPF_DNS_TERMS - 1) {
        ms__check_add(c, "spf-lookup-near-limit", MS_CHECK_INFO, AREA, c->facts.spf_record, NULL,
                      "The SPF record of %s needs %u of the 10 DNS lookups receivers allow "
                      "(RFC 7208 §4.6.4); one more include, or a provider adding one to its "
                      "record, breaks SPF. Biggest: %s.",
                      c->domain, total, contributors(c));
    }
    const char *voids = ms__buf_status(&w.void_names) == MS_OK ? ms__buf_str(&w.void_names) : "";
    if (w.voids > MS_LIMIT_SPF_VOID_LOOKUPS) {
        w.permerror = true;
        ms__check_add(c, "spf-void-limit", MS_CHECK_ERROR, AREA, c->facts.spf_record,
                      "Remove the terms that point at names without records.",
                      "%u terms in the SPF tree of %s look up names with no records: %s; "
                      "receivers allow 2 such void lookups and then return permerror (RFC 7208 "
                      "§4.6.4).",
                      w.voids, c->domain, voids);
    } else if (w.voids > 0) {
        ms__check_add(c, "spf-void-lookup", MS_CHECK_WARNING, AREA, c->facts.spf_record,
                      "Remove the terms that point at names without records.",
                      "%u term%s in the SPF tree of %s look%s up a name with no records: %s; "
                      "receivers allow only 2 such void lookups before permerror (RFC 7208 "
                      "§4.6.4).",
                      w.voids, w.voids == 1 ? "" : "s", c->domain, w.voids == 1 ? "s" : "", voids);
    }
    if (w.truncated || w.out_of_queries) {
        c->report->incomplete = c->report->incomplete || w.out_of_queries;
        ms__check_add(c, "spf-tree-truncated", MS_CHECK_WARNING, AREA, NULL, NULL,
                      "The SPF include tree of %s is larger than this check follows (%u levels, "
                      "%u records, %u DNS questions); the counts shown are for the part "
                      "looked at.",
                      c->domain, MS_LIMIT_CHECK_SPF_DEPTH, MS_LIMIT_CHECK_SPF_NODES,
                      MS_LIMIT_CHECK_SPF_QUERIES);
    }
    bool dns_failed = false;
    for (size_t i = first_finding; i < c->report->n_findings; i++) {
        dns_failed = dns_failed || strcmp(c->report->findings[i].id, "spf-dns-error") == 0;
    }
    c->facts.spf_ok = found && !w.permerror && !w.seen_plus_all && !dns_failed;
    /* After the judgement: receivers never ask for the SPF type, so its failure changes none. */
    check_rr_type(&w, c->domain);
}
