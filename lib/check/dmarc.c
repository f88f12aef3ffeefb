/* SPDX-License-Identifier: MIT */
/* The DMARC part of the domain audit: the record that applies (RFC 9989 §4.10 tree walk, through
 * ms_dmarc_discover), what is wrong with the one at the domain itself (several, syntax), how
 * strong its policy is, the tags RFC 9989 removed, and where reports go: a report address
 * outside the organizational domain needs the destination's authorization record
 * (<domain>._report._dmarc.<destination>, RFC 9989 Appendix B.2.3, RFC 7489 §7.1), without
 * which no report is ever sent there. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "check/audit.h"

#define AREA MS_CHECK_AREA_DMARC

/* One question; NULL when it could not be asked (c->fatal says whether to stop). A temporary
 * failure becomes a dmarc-dns-error finding and is returned for the caller to see. */
static const ms_dns_answer *ask(ms__check_ctx *c, const char *name, uint16_t type)
{
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(c->resolver, name, type, c->arena, &a);
    if (st == MS_ENOMEM || st == MS_ELIMIT) {
        c->fatal = st;
        return NULL;
    }
    if (st != MS_OK || a == NULL) {
        return NULL;
    }
    if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        ms__check_dns_failed(c, AREA, ms__arena_printf(c->arena, "TXT %s", name),
                             a->why ? a->why : ms_dns_rcode_str(a->rcode));
    }
    return a;
}

/* Is d the organizational domain org or below it? */
static bool within(const char *d, const char *org)
{
    size_t dl = strlen(d), ol = strlen(org);
    if (dl == ol) {
        return ms__str_ieq(d, dl, org, ol);
    }
    return dl > ol && d[dl - ol - 1] == '.' && ms__str_ieq(d + dl - ol, ol, org, ol);
}

/* The record at _dmarc.<domain> itself: several, or one that does not parse. Returns true when
 * it reported something (the record the tree walk found then comes from a parent, or none). */
static bool own_record(ms__check_ctx *c, bool *dns_failed)
{
    const char *name = ms__arena_printf(c->arena, "_dmarc.%s", c->domain);
    if (name == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return false;
    }
    const ms_dns_answer *a = ask(c, name, MS_DNS_TXT);
    if (a == NULL || a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        *dns_failed = a != NULL;
        return false;
    }
    if (a->rcode != MS_DNS_OK) {
        return false;
    }
    size_t n_dmarc = 0;
    const ms_dns_rr *first = NULL, *other = NULL;
    for (size_t i = 0; i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        if (rr->type != MS_DNS_TXT) {
            continue;
        }
        if (ms_dmarc_is_record(rr->u.txt.data, rr->u.txt.len)) {
            first = n_dmarc++ == 0 ? rr : first;
        } else if (other == NULL) {
            other = rr;
        }
    }
    if (n_dmarc > 1) {
        ms__check_add(c, "dmarc-multiple", MS_CHECK_ERROR, AREA, NULL,
                      "Keep one DMARC record at _dmarc and delete the others.",
                      "%s has %zu DMARC records; receivers then act as if there were none "
                      "(RFC 9989 §4.10), so the domain has no DMARC policy.",
                      name, n_dmarc);
        return true;
    }
    if (n_dmarc == 0 && other != NULL) {
        const char *shown = ms__check_shown(c, other->u.txt.data, other->u.txt.len);
        ms__check_add(c, "dmarc-syntax", MS_CHECK_ERROR, AREA, shown,
                      ms__arena_printf(c->arena,
                                       "Publish the record starting with v=DMARC1, for example  "
                                       "%s. TXT \"v=DMARC1; p=none; rua=mailto:dmarc@%s\"",
                                       name, c->domain),
                      "The TXT record at %s does not start with \"v=DMARC1\", so receivers do "
                      "not take it for a DMARC record (RFC 9989 §4.7).",
                      name);
        return true;
    }
    if (first == NULL) {
        return false;
    }
    const ms_dmarc_record *rec;
    ms_dmarc_parse_error err;
    memset(&err, 0, sizeof(err));
    ms_status st = ms_dmarc_record_parse(first->u.txt.data, first->u.txt.len, c->arena, &rec, &err);
    if (st == MS_ESYNTAX) {
        const char *shown = ms__check_shown(c, first->u.txt.data, first->u.txt.len);
        ms__check_add(c, "dmarc-syntax", MS_CHECK_ERROR, AREA, shown,
                      "Correct the tag (RFC 9989 §4.7 lists them); while the record does not "
                      "parse, receivers ignore it.",
                      "The DMARC record at %s does not parse at octet %zu (\"%s\"): %s.", name,
                      err.offset, err.detail, err.reason ? err.reason : "invalid record");
        return true;
    }
    if (st != MS_OK) {
        c->fatal = st;
    }
    return false;
}

/* RFC 9989 Appendix B.2.3 (RFC 7489 §7.1): reports for policy_domain go to an address in
 * dest only if dest publishes <policy_domain>._report._dmarc.<dest> TXT "v=DMARC1". */
static void check_authorization(ms__check_ctx *c, const ms_dmarc_uri *u, bool rua,
                                const char *policy_domain)
{
    const char *name = ms__arena_printf(c->arena, "%s._report._dmarc.%s", policy_domain, u->domain);
    if (name == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    bool authorized = false;
    if (strlen(name) <= 253) {
        const ms_dns_answer *a = ask(c, name, MS_DNS_TXT);
        if (a == NULL && c->fatal != MS_OK) {
            return;
        }
        if (a != NULL && (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED)) {
            return;
        }
        for (size_t i = 0; a != NULL && a->rcode == MS_DNS_OK && i < a->n_rr; i++) {
            authorized =
                authorized || (a->rr[i].type == MS_DNS_TXT &&
                               ms_dmarc_is_record(a->rr[i].u.txt.data, a->rr[i].u.txt.len));
        }
    }
    if (authorized) {
        return;
    }
    const char *fix = ms__arena_printf(
        c->arena,
        "Whoever runs %s publishes  %s. TXT \"v=DMARC1;\"  (a report service does this when you "
        "sign up: check its instructions), or send the reports to an address at %s instead.",
        u->domain, name, policy_domain);
    if (rua) {
        ms__check_add(c, "dmarc-rua-unauthorized", MS_CHECK_ERROR, AREA, NULL, fix,
                      "Aggregate reports will never be sent to %s: %s is outside %s, and it does "
                      "not publish %s saying it accepts reports for %s (RFC 9989 Appendix B.2.3, "
                      "RFC 7489 §7.1).",
                      u->address ? u->address : u->uri, u->domain, policy_domain, name,
                      policy_domain);
    } else {
        ms__check_add(c, "dmarc-ruf-unauthorized", MS_CHECK_WARNING, AREA, NULL, fix,
                      "Failure reports will never be sent to %s: %s is outside %s, and it does "
                      "not publish %s saying it accepts reports for %s (RFC 9989 Appendix B.2.3, "
                      "RFC 7489 §7.1).",
                      u->address ? u->address : u->uri, u->domain, policy_domain, name,
                      policy_domain);
    }
}

static void check_uris(ms__check_ctx *c, const ms_dmarc_uri *uris, size_t n, bool rua,
                       const char *policy_domain, const char *org, const char *record,
                       const char **checked, size_t *n_checked)
{
    for (size_t i = 0; i < n && c->fatal == MS_OK; i++) {
        const ms_dmarc_uri *u = &uris[i];
        if (u->scheme == NULL || strcmp(u->scheme, "mailto") != 0 || u->domain == NULL) {
            ms__check_add(c, "dmarc-uri-not-mailto", MS_CHECK_WARNING, AREA, record,
                          "Give the report address as mailto:address.",
                          "%s=%s is not a mailto: address; receivers send reports only by mail "
                          "(RFC 9989 §4.7), so none go there.",
                          rua ? "rua" : "ruf", u->uri ? u->uri : "");
            continue;
        }
        if (within(u->domain, org) || within(u->domain, policy_domain)) {
            continue;
        }
        bool seen = false;
        for (size_t j = 0; j < *n_checked && !seen; j++) {
            seen = strcmp(checked[j], u->domain) == 0;
        }
        if (seen && rua) {
            continue;
        }
        if (*n_checked >= MS_LIMIT_CHECK_REPORT_URIS) {
            return;
        }
        if (!seen) {
            checked[(*n_checked)++] = u->domain;
        }
        check_authorization(c, u, rua, policy_domain);
    }
}

static void judge(ms__check_ctx *c, const ms_dmarc_discovery *d)
{
    const ms_dmarc_record *rec = d->record;
    const char *record =
        d->record_text ? ms__check_shown(c, d->record_text, strlen(d->record_text)) : NULL;
    const char *policy_domain = d->policy_domain ? d->policy_domain : c->domain;
    bool inherited = strcmp(policy_domain, c->domain) != 0;
    const char *org = d->org_domain ? d->org_domain : policy_domain;
    if (inherited) {
        ms__check_add(c, "dmarc-inherited", MS_CHECK_INFO, AREA, record,
                      ms__arena_printf(c->arena,
                                       "To give %s a policy of its own, publish  _dmarc.%s. TXT "
                                       "\"v=DMARC1; p=...\"",
                                       c->domain, c->domain),
                      "%s has no DMARC record of its own; the one at _dmarc.%s applies to it "
                      "(RFC 9989 §4.10), with its %s policy.",
                      c->domain, policy_domain, rec->has_sp ? "sp=" : "p=");
    }
    /* The policy that applies to the domain: p at the policy domain, sp below it. */
    ms_dmarc_policy p = inherited ? rec->sp : rec->p;
    const char *tag = inherited && rec->has_sp ? "sp" : "p";
    if (rec->p_invalid != NULL && !inherited) {
        ms__check_add(c, "dmarc-policy-invalid", MS_CHECK_ERROR, AREA, record,
                      "Write one of p=none, p=quarantine or p=reject.",
                      "The DMARC record of %s says p=%.64s, which is not a policy: receivers "
                      "treat the record as p=none when it has a valid rua=, and ignore it "
                      "otherwise (RFC 9989 §4.7), so the protection you asked for is not there.",
                      policy_domain, rec->p_invalid);
    } else if (!rec->has_p && !inherited) {
        ms__check_add(c, "dmarc-policy-none", MS_CHECK_WARNING, AREA, record,
                      "Add p=none while you read the reports, then p=quarantine and p=reject.",
                      "The DMARC record of %s has no p= tag, so receivers treat it as p=none "
                      "(RFC 9989 §4.7): they take no action on mail that fails.",
                      policy_domain);
    } else if (p == MS_DMARC_POLICY_NONE) {
        ms__check_add(c, "dmarc-policy-none", MS_CHECK_WARNING, AREA, record,
                      "Once the reports show all your mail passes, move to p=quarantine, then "
                      "p=reject.",
                      "The DMARC policy for %s is %s=none: monitoring only, receivers take no "
                      "action on mail that fails, so forged mail still gets delivered. It is "
                      "enough for the Gmail and Yahoo bulk-sender rules.",
                      c->domain, tag);
    } else {
        ms__check_add(
            c, p == MS_DMARC_POLICY_REJECT ? "dmarc-policy-reject" : "dmarc-policy-quarantine",
            MS_CHECK_INFO, AREA, record, NULL,
            "The DMARC policy for %s is %s=%s: receivers %s mail that fails DMARC.", c->domain, tag,
            ms_dmarc_policy_name(p), p == MS_DMARC_POLICY_REJECT ? "refuse" : "put in spam");
    }
    if (!inherited && rec->has_sp && rec->sp == MS_DMARC_POLICY_NONE &&
        rec->p != MS_DMARC_POLICY_NONE) {
        ms__check_add(c, "dmarc-sp-weaker", MS_CHECK_WARNING, AREA, record,
                      "Remove sp=none (subdomains then get p), unless a subdomain sends mail "
                      "that does not pass yet.",
                      "The DMARC record of %s says sp=none: mail forged from any subdomain of "
                      "%s is delivered, though the domain itself is protected with p=%s.",
                      policy_domain, policy_domain, ms_dmarc_policy_name(rec->p));
    }
    if (!inherited && rec->has_np && rec->np == MS_DMARC_POLICY_NONE &&
        rec->sp != MS_DMARC_POLICY_NONE) {
        ms__check_add(c, "dmarc-np-weaker", MS_CHECK_WARNING, AREA, record,
                      "Remove np=none (names that do not exist then get sp, or p).",
                      "The DMARC record of %s says np=none: mail forged from subdomains of %s "
                      "that do not even exist is delivered (RFC 9989 §4.7), though existing "
                      "ones are protected with sp=%s.",
                      policy_domain, policy_domain, ms_dmarc_policy_name(rec->sp));
    }
    if (rec->testing) {
        ms__check_add(c, "dmarc-testing", MS_CHECK_WARNING, AREA, record,
                      "Remove t=y once you have checked the reports.",
                      "The DMARC record of %s has t=y (testing): receivers apply a weaker "
                      "policy than it asks for (RFC 9989 §4.7).",
                      policy_domain);
    }
    if (rec->has_pct || rec->rf != NULL || rec->has_ri) {
        ms__check_add(c, "dmarc-removed-tags", MS_CHECK_INFO, AREA, record,
                      "Remove them when convenient; to apply a policy gradually, use t=y.",
                      "The DMARC record of %s has %s%s%s, which RFC 9989 removed: receivers "
                      "following it ignore them%s.",
                      policy_domain, rec->has_pct ? "pct= " : "", rec->rf ? "rf= " : "",
                      rec->has_ri ? "ri= " : "",
                      rec->has_pct && rec->pct < 100
                          ? ms__arena_printf(c->arena,
                                             ", while older ones apply the policy to only "
                                             "%u%% of failing mail",
                                             rec->pct)
                          : "");
    }
    if (rec->n_rua == 0) {
        ms__check_add(c, "dmarc-no-rua", MS_CHECK_WARNING, AREA, record,
                      ms__arena_printf(c->arena,
                                       "Add rua=mailto:dmarc-reports@%s (or a report service's "
                                       "address) to the record at _dmarc.%s.",
                                       org, policy_domain),
                      "The DMARC record of %s has no rua=: no receiver will send you aggregate "
                      "reports, so you cannot see who sends as %s or whether it passes.",
                      policy_domain, c->domain);
    }
    if (rec->n_ruf > 0) {
        ms__check_add(c, "dmarc-ruf", MS_CHECK_INFO, AREA, record, NULL,
                      "The DMARC record of %s asks for failure reports (ruf=); few receivers "
                      "send them, and those that do may include personal data.",
                      policy_domain);
    }
    /* What the parser ignored or dropped (bad values fall back to defaults, bad URIs are
     * dropped), besides what is reported above (p= absent, the removed tags). */
    for (size_t i = 0; i < rec->n_notes && c->fatal == MS_OK; i++) {
        const char *n = rec->notes[i];
        if (strncmp(n, "p:", 2) == 0 || strncmp(n, "pct ", 4) == 0 || strncmp(n, "rf ", 3) == 0 ||
            strncmp(n, "ri ", 3) == 0) {
            continue;
        }
        ms__check_add(c, "dmarc-ignored", MS_CHECK_WARNING, AREA, record,
                      "Correct or remove that part of the record.",
                      "Receivers ignore part of the DMARC record of %s: %s.", policy_domain, n);
    }
    const char *checked[MS_LIMIT_CHECK_REPORT_URIS];
    size_t n_checked = 0;
    check_uris(c, rec->rua, rec->n_rua, true, policy_domain, org, record, checked, &n_checked);
    check_uris(c, rec->ruf, rec->n_ruf, false, policy_domain, org, record, checked, &n_checked);
}

void ms__check_dmarc(ms__check_ctx *c)
{
    memset(&c->facts.dmarc, 0, sizeof(c->facts.dmarc));
    c->facts.dmarc_ok = false;
    if (strlen(c->domain) + sizeof("_dmarc.") - 1 > 253) {
        /* RFC 1035 §2.3.4: the record's name would be too long to exist. */
        c->facts.dmarc.status = MS_DMARC_DISCOVERY_NONE;
        c->facts.dmarc.domain = c->domain;
        ms__check_add(c, "dmarc-missing", MS_CHECK_ERROR, AREA, NULL,
                      "Send from a shorter domain (at most 246 octets).",
                      "No DMARC record can apply to %.64s...: _dmarc.%.16s... would be longer "
                      "than the 253 octets a domain name may have (RFC 1035 §2.3.4).",
                      c->domain, c->domain);
        return;
    }
    ms_dmarc_options opt;
    ms_dmarc_options_default(&opt);
    ms_status st =
        ms_dmarc_discover(c->resolver, &opt, c->domain, c->arena, &c->facts.dmarc, c->trace);
    if (st == MS_ENOMEM || st == MS_ELIMIT) {
        c->fatal = st;
        return;
    }
    if (st != MS_OK) {
        ms__check_dns_failed(c, AREA, ms__arena_printf(c->arena, "_dmarc.%s", c->domain),
                             ms_status_str(st));
        return;
    }
    const ms_dmarc_discovery *d = &c->facts.dmarc;
    if (d->status == MS_DMARC_DISCOVERY_TEMPERROR) {
        ms__check_dns_failed(
            c, AREA, ms__arena_printf(c->arena, "TXT _dmarc.%s (policy discovery)", c->domain),
            d->detail ? d->detail : d->reason);
        return;
    }
    bool dns_failed = false;
    bool own_bad = own_record(c, &dns_failed);
    if (c->fatal != MS_OK || dns_failed) {
        return;
    }
    if (d->status == MS_DMARC_DISCOVERY_FOUND && d->record != NULL) {
        c->facts.dmarc_ok = true;
        judge(c, d);
        return;
    }
    if (!own_bad) {
        const char *org = d->org_domain ? d->org_domain : c->domain;
        ms__check_add(c, "dmarc-missing", MS_CHECK_ERROR, AREA, NULL,
                      ms__arena_printf(c->arena,
                                       "Publish  _dmarc.%s. TXT \"v=DMARC1; p=none; "
                                       "rua=mailto:dmarc-reports@%s\"  and read the reports "
                                       "before moving to p=quarantine.",
                                       c->domain, org),
                      "No DMARC record applies to %s: receivers cannot tell what to do with "
                      "mail that fails, you get no reports, and Gmail and Yahoo require one of "
                      "bulk senders.",
                      c->domain);
    }
}
