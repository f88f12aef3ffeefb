/* SPDX-License-Identifier: MIT */
/* The bulk-sender rules of Gmail and Yahoo (February 2024) and Microsoft (outlook.com, May
 * 2025), as far as DNS (and a sample message, when given) can tell: SPF and DKIM set up, DMARC
 * published (p=none is enough), alignment possible, one-click unsubscribe (RFC 8058, needs a
 * message). Each rule is met, not-met or unknown, with one sentence of why; the rules are
 * listed in docs/check-findings.md. This part judges what the earlier parts found. */
#include <string.h>

#include "base/buf.h"
#include "check/audit.h"

typedef struct verdict {
    ms_check_status status;
    const char *why;
} verdict;

static bool has(const ms__check_ctx *c, const char *id)
{
    for (size_t i = 0; i < c->report->n_findings; i++) {
        if (strcmp(c->report->findings[i].id, id) == 0) {
            return true;
        }
    }
    return false;
}

/* A finding id that starts with prefix and ends with suffix ("provider-", "-no-custom-mail-from").
 */
static bool has_like(const ms__check_ctx *c, const char *prefix, const char *suffix)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    for (size_t i = 0; i < c->report->n_findings; i++) {
        const char *id = c->report->findings[i].id;
        size_t il = strlen(id);
        if (il >= pl + sl && strncmp(id, prefix, pl) == 0 && strcmp(id + il - sl, suffix) == 0) {
            return true;
        }
    }
    return false;
}

static verdict spf_rule(const ms__check_ctx *c)
{
    const ms__check_facts *f = &c->facts;
    if (f->spf_ok) {
        return (verdict){MS_CHECK_MET, "The domain publishes one valid SPF record within the "
                                       "lookup limits."};
    }
    if (has(c, "spf-dns-error")) {
        return (verdict){MS_CHECK_UNKNOWN, "The SPF lookups failed, so SPF could not be judged."};
    }
    if (f->n_spf_records == 0) {
        return (verdict){MS_CHECK_NOT_MET, "The domain publishes no SPF record."};
    }
    return (verdict){MS_CHECK_NOT_MET, "The SPF record has errors that make receivers return "
                                       "permerror or authorize everyone (see the SPF findings)."};
}

static verdict dkim_rule(const ms__check_ctx *c)
{
    const ms__check_facts *f = &c->facts;
    if (f->n_keys_found > 0) {
        return (verdict){MS_CHECK_MET, "A usable DKIM key is published for the domain."};
    }
    if (has(c, "dkim-dns-error")) {
        return (verdict){MS_CHECK_UNKNOWN, "The DKIM lookups failed, so DKIM could not be "
                                           "judged."};
    }
    for (size_t i = 0; i < f->n_selectors; i++) {
        if (f->selectors[i].given || f->selectors[i].pending) {
            return (verdict){MS_CHECK_NOT_MET,
                             "The DKIM selectors in use hold no usable key yet (missing or "
                             "pending at the provider)."};
        }
    }
    return (verdict){MS_CHECK_UNKNOWN, "No DKIM key was found at the selectors looked at; "
                                       "selectors cannot be listed, so give yours with "
                                       "--selector."};
}

static verdict dmarc_rule(const ms__check_ctx *c)
{
    if (c->facts.dmarc_ok) {
        return (verdict){MS_CHECK_MET, "A valid DMARC record applies to the domain (p=none is "
                                       "enough)."};
    }
    if (has(c, "dmarc-dns-error")) {
        return (verdict){MS_CHECK_UNKNOWN, "The DMARC lookups failed, so DMARC could not be "
                                           "judged."};
    }
    return (verdict){MS_CHECK_NOT_MET, "No valid DMARC record applies to the domain."};
}

/* DMARC passes only with an aligned identifier: SPF for a MAIL FROM in the domain, or DKIM
 * with d= the domain (RFC 9989 §4.4). */
static verdict alignment_rule(const ms__check_ctx *c, verdict dkim)
{
    const ms__check_facts *f = &c->facts;
    if (f->has_message) {
        return f->message_dmarc_pass
                   ? (verdict){MS_CHECK_MET, "The sample message passed DMARC."}
                   : (verdict){MS_CHECK_NOT_MET, "The sample message did not pass DMARC: "
                                                 "neither SPF nor DKIM aligned with From."};
    }
    if (f->n_keys_found > 0) {
        return (verdict){MS_CHECK_MET, "A DKIM key at the domain lets signatures with d= the "
                                       "domain align with From."};
    }
    bool spf_blocked = has_like(c, "provider-", "-no-custom-mail-from");
    if (f->spf_ok && !spf_blocked) {
        return (verdict){MS_CHECK_MET, "Mail sent with a MAIL FROM in the domain passes an "
                                       "aligned SPF check."};
    }
    if (dkim.status == MS_CHECK_NOT_MET && (spf_blocked || !f->spf_ok)) {
        return (verdict){MS_CHECK_NOT_MET,
                         spf_blocked ? "SPF authenticates the provider's MAIL FROM domain, which "
                                       "does not align, and no DKIM key of the domain is usable "
                                       "yet."
                                     : "Neither SPF nor DKIM of the domain is usable, so "
                                       "nothing can align."};
    }
    return (verdict){MS_CHECK_UNKNOWN, spf_blocked
                                           ? "SPF does not align through the provider, and no "
                                             "DKIM key was found at the selectors looked at."
                                           : "Not from DNS alone: give a sample message with "
                                             "--message, or the DKIM selector with --selector."};
}

static verdict one_click_rule(const ms__check_ctx *c)
{
    const ms__check_facts *f = &c->facts;
    if (!f->has_message) {
        return (verdict){MS_CHECK_UNKNOWN, "Needs a sample message (--message): one-click "
                                           "unsubscribe is in the message, not in DNS."};
    }
    return f->message_one_click
               ? (verdict){MS_CHECK_MET, "The sample message has List-Unsubscribe with an HTTPS "
                                         "URI and List-Unsubscribe-Post, both signed (RFC "
                                         "8058)."}
               : (verdict){MS_CHECK_NOT_MET,
                           "The sample message lacks an HTTPS List-Unsubscribe with "
                           "List-Unsubscribe-Post, or DKIM does not cover them (RFC 8058)."};
}

void ms__check_bulk(ms__check_ctx *c)
{
    verdict spf = spf_rule(c), dkim = dkim_rule(c), dmarc = dmarc_rule(c);
    verdict align = alignment_rule(c, dkim), click = one_click_rule(c);
    const struct {
        const char *rule;
        const verdict *v;
    } rules[] = {
        {"gmail:spf", &spf},
        {"gmail:dkim", &dkim},
        {"gmail:dmarc-published", &dmarc},
        {"gmail:alignment-possible", &align},
        {"gmail:one-click-unsubscribe", &click},
        {"yahoo:spf", &spf},
        {"yahoo:dkim", &dkim},
        {"yahoo:dmarc-published", &dmarc},
        {"yahoo:alignment-possible", &align},
        {"yahoo:one-click-unsubscribe", &click},
        {"microsoft:spf", &spf},
        {"microsoft:dkim", &dkim},
        {"microsoft:dmarc-published", &dmarc},
        {"microsoft:alignment-possible", &align},
    };
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (!ms__check_rule(c, rules[i].rule, rules[i].v->status, rules[i].v->why)) {
            return;
        }
    }
}
