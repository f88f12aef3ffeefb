/* SPDX-License-Identifier: MIT */
/* The audit's --message part: a sample the domain sent, run through the receiver's pipeline
 * (include/mailseal/message.h) as `mailseal verify --from-received` runs it (the client from
 * the topmost Received field naming a public address, MAIL FROM from Return-Path), judged
 * for what receivers and the bulk-sender rules look at: the SPF, DKIM and DMARC verdicts and
 * which identifier aligned (RFC 9989 §4.4), one-click unsubscribe (RFC 8058 §3: an HTTPS
 * List-Unsubscribe and List-Unsubscribe-Post, both signed by a passing aligned DKIM
 * signature), and the sending address's reverse DNS confirmed forward (FCrDNS). */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "check/audit.h"
#include "mailseal/message.h"

/* ---- the client, from the message's own trace fields ------------------------------------ */

/* ---- one-click unsubscribe (RFC 8058 §3) ------------------------------------------------ */

/* Does a List-Unsubscribe value hold an <https:...> URI (RFC 2369 §2, RFC 8058 §3.1)? */
static bool has_https_uri(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '<' && ms__str_iprefix(v + i + 1, len - i - 1, "https://")) {
            return true;
        }
    }
    return false;
}

static bool signs(const ms_dkim_sig_result *s, const char *name)
{
    for (size_t i = 0; s->headers != NULL && i < s->n_headers; i++) {
        if (ms__str_ieq(s->headers[i], strlen(s->headers[i]), name, strlen(name))) {
            return true;
        }
    }
    return false;
}

static void check_one_click(ms__check_ctx *c, const ms_msg *msg, const ms_verdicts *v)
{
    const ms_msg_field *lu = ms_msg_next(msg, "List-Unsubscribe", 16, NULL);
    const ms_msg_field *lup = ms_msg_next(msg, "List-Unsubscribe-Post", 21, NULL);
    static const char FIX_FIELDS[] =
        "Add both fields to bulk mail and sign them with DKIM: \"List-Unsubscribe: "
        "<https://example.com/unsubscribe/opaque-token>\" and \"List-Unsubscribe-Post: "
        "List-Unsubscribe=One-Click\" (RFC 8058 §3; Gmail and Yahoo require it for bulk "
        "senders).";
    if (lu == NULL && lup == NULL) {
        ms__check_add(c, "message-one-click-missing", MS_CHECK_INFO, MS_CHECK_AREA_MESSAGE, NULL,
                      FIX_FIELDS,
                      "The sample has no List-Unsubscribe field: fine for one-to-one mail, but "
                      "marketing and other bulk mail must offer one-click unsubscribe (RFC 8058) "
                      "to reach Gmail and Yahoo inboxes.");
        return;
    }
    bool https = lu != NULL && has_https_uri(lu->value, lu->value_len);
    bool post = false;
    if (lup != NULL) {
        const char *p = lup->value;
        size_t n = lup->value_len;
        while (n > 0 && ms__is_space(p[0])) {
            p++, n--;
        }
        while (n > 0 && ms__is_space(p[n - 1])) {
            n--;
        }
        post = ms__str_ieq(p, n, "List-Unsubscribe=One-Click", 26);
    }
    if (!https || !post) {
        ms__check_add(c, "message-one-click-missing", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL,
                      FIX_FIELDS,
                      "One-click unsubscribe is incomplete: %s (RFC 8058 §3.1 needs an https "
                      "URI in List-Unsubscribe and \"List-Unsubscribe-Post: "
                      "List-Unsubscribe=One-Click\").",
                      lu == NULL    ? "there is no List-Unsubscribe field"
                      : !https      ? "List-Unsubscribe has no https URI"
                      : lup == NULL ? "there is no List-Unsubscribe-Post field"
                                    : "List-Unsubscribe-Post is not List-Unsubscribe=One-Click");
        return;
    }
    const ms_dmarc_verdict *d = v->dmarc;
    const ms_dkim_sig_result *s = NULL;
    if (d != NULL && d->dkim_aligned && d->dkim_aligned_index < v->n_dkim) {
        s = &v->dkim[d->dkim_aligned_index];
    }
    if (s == NULL || !signs(s, "List-Unsubscribe") || !signs(s, "List-Unsubscribe-Post")) {
        ms__check_add(c, "message-one-click-unsigned", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE,
                      NULL,
                      "Add List-Unsubscribe and List-Unsubscribe-Post to the header fields "
                      "your DKIM signer signs (its h= list), with the From domain as d=.",
                      "%s: receivers honour one-click unsubscribe only when a valid DKIM "
                      "signature covers both List-Unsubscribe and List-Unsubscribe-Post (RFC "
                      "8058 §3).",
                      s == NULL ? "No passing DKIM signature aligned with the From domain "
                                  "signs the unsubscribe fields"
                      : !signs(s, "List-Unsubscribe")
                          ? ms__arena_printf(c->arena,
                                             "The aligned DKIM signature (d=%s) does not sign "
                                             "List-Unsubscribe",
                                             s->domain)
                          : ms__arena_printf(c->arena,
                                             "The aligned DKIM signature (d=%s) does not sign "
                                             "List-Unsubscribe-Post",
                                             s->domain));
        return;
    }
    c->facts.message_one_click = true;
}

/* ---- reverse DNS, confirmed forward --------------------------------------------------- */

static void check_fcrdns(ms__check_ctx *c, const char *ip)
{
    uint8_t addr[16];
    size_t alen = 0;
    uint16_t type = 0;
    if (inet_pton(AF_INET, ip, addr) == 1) {
        alen = 4;
        type = MS_DNS_A;
    } else if (inet_pton(AF_INET6, ip, addr) == 1) {
        alen = 16;
        type = MS_DNS_AAAA;
    } else {
        return;
    }
    char rev[80];
    if (ms_dns_reverse_name(addr, alen, rev, sizeof(rev)) != MS_OK) {
        return;
    }
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(c->resolver, rev, MS_DNS_PTR, c->arena, &a);
    if (st != MS_OK) {
        c->fatal = st == MS_ENOMEM || st == MS_ELIMIT ? st : c->fatal;
        return;
    }
    if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        ms__check_dns_failed(c, MS_CHECK_AREA_MESSAGE, rev,
                             a->why ? a->why : ms_dns_rcode_str(a->rcode));
        return;
    }
    static const char FIX[] = "Ask whoever runs the sending server (your provider, or your "
                              "hosting company for its address) to set the PTR record of the "
                              "address to a name whose A/AAAA record is that address.";
    if (a->rcode != MS_DNS_OK || a->n_rr == 0) {
        ms__check_add(c, "message-ptr-missing", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL, FIX,
                      "The sending address %s has no reverse DNS (PTR) name: Gmail and other "
                      "receivers require one that resolves back to the address, and reject or "
                      "junk mail without it.",
                      ip);
        return;
    }
    size_t n = a->n_rr < 4 ? a->n_rr : 4;
    const char *names = "";
    for (size_t i = 0; i < n; i++) {
        if (a->rr[i].type != MS_DNS_PTR || a->rr[i].u.name == NULL || a->rr[i].u.name[0] == '\0') {
            continue;
        }
        const char *name = a->rr[i].u.name;
        names = ms__arena_printf(c->arena, "%s%s%s", names, names[0] ? ", " : "", name);
        if (names == NULL) {
            c->fatal = ms_arena_status(c->arena);
            return;
        }
        const ms_dns_answer *f = NULL;
        st = ms_resolver_query(c->resolver, name, type, c->arena, &f);
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            c->fatal = st;
            return;
        }
        if (st != MS_OK) {
            continue; /* a PTR name that is not a domain name */
        }
        if (f->rcode == MS_DNS_TEMPFAIL || f->rcode == MS_DNS_MALFORMED) {
            ms__check_dns_failed(c, MS_CHECK_AREA_MESSAGE, name,
                                 f->why ? f->why : ms_dns_rcode_str(f->rcode));
            return;
        }
        for (size_t k = 0; f->rcode == MS_DNS_OK && k < f->n_rr; k++) {
            const uint8_t *got = alen == 4 ? f->rr[k].u.a : f->rr[k].u.aaaa;
            if (f->rr[k].type == type && memcmp(got, addr, alen) == 0) {
                return; /* forward-confirmed */
            }
        }
    }
    ms__check_add(c, "message-fcrdns-mismatch", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL, FIX,
                  "The reverse DNS name of the sending address %s (%s) does not resolve back "
                  "to it: receivers that check forward-confirmed reverse DNS (Gmail among "
                  "them) treat the mail as suspicious.",
                  ip, names[0] ? names : "no usable name");
}

/* ---- the verdicts ----------------------------------------------------------------------- */

static void check_verdicts(ms__check_ctx *c, const ms_verdicts *v, const ms_msg_client *cl)
{
    const ms_dmarc_verdict *d = v->dmarc;
    const ms_spf_verdict *spf = v->spf;
    const char *from = d && d->from_domain ? d->from_domain : "(unreadable)";
    if (d != NULL && d->from_domain != NULL &&
        !ms__str_ieq(d->from_domain, strlen(d->from_domain), c->domain, strlen(c->domain))) {
        ms__check_add(c, "message-other-domain", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL,
                      "Give a message whose From address is at the domain being checked.",
                      "The sample's From domain is %s, not %s: its verdicts are about %s.", from,
                      c->domain, from);
    }
    /* Alignment is known when a DMARC record applied. */
    bool evaluated = d != NULL && (d->result == MS_DMARC_PASS || d->result == MS_DMARC_FAIL);
    /* SPF, and whether its domain aligns with From. */
    if (spf != NULL) {
        if (spf->result == MS_SPF_PASS && evaluated && !d->spf_aligned) {
            ms__check_add(c, "message-spf-not-aligned", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE,
                          NULL,
                          "Set up a custom MAIL FROM (bounce) domain under your domain at the "
                          "provider (for Amazon SES: a MAIL FROM domain such as mail.<your "
                          "domain>, with its MX and SPF records), so that SPF aligns too.",
                          "SPF passed for %s (the MAIL FROM domain), which does not align with "
                          "the From domain %s: DMARC can pass only through DKIM, so a DKIM "
                          "problem fails DMARC outright.",
                          spf->domain ? spf->domain : "?", from);
        } else if (spf->result != MS_SPF_PASS) {
            ms__check_add(
                c, "message-spf-fail",
                spf->result == MS_SPF_FAIL ? MS_CHECK_ERROR : MS_CHECK_WARNING,
                MS_CHECK_AREA_MESSAGE, spf->record,
                ms__arena_printf(c->arena,
                                 "Authorize %s in the SPF record of %s (the include: "
                                 "your provider documents), or check that the sample "
                                 "went out through your usual servers.",
                                 spf->client_ip ? spf->client_ip : cl->ip,
                                 spf->domain ? spf->domain : "the MAIL FROM domain"),
                "SPF for the sample is %s: the sending address %s is not authorized by %s "
                "(%s), so DMARC cannot pass through SPF.",
                ms_spf_result_name(spf->result), spf->client_ip ? spf->client_ip : cl->ip,
                spf->domain ? spf->domain : "the MAIL FROM domain",
                spf->reason ? spf->reason : "RFC 7208 §2.6");
        }
    }
    /* DKIM: none, failing, passing but not aligned. */
    size_t n_pass = 0;
    const ms_dkim_sig_result *bad_own = NULL;
    for (size_t i = 0; i < v->n_dkim; i++) {
        const ms_dkim_sig_result *s = &v->dkim[i];
        n_pass += s->result == MS_DKIM_PASS;
        bool own =
            s->domain != NULL &&
            (ms__str_ieq(s->domain, strlen(s->domain), from, strlen(from)) ||
             (d != NULL && d->org_domain != NULL &&
              ms__str_ieq(s->domain, strlen(s->domain), d->org_domain, strlen(d->org_domain))));
        if (own && s->result != MS_DKIM_PASS && bad_own == NULL) {
            bad_own = s;
        }
    }
    if (v->n_dkim == 0) {
        ms__check_add(c, "message-dkim-none", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL,
                      "Turn on DKIM signing at your provider (or in your mail server) with your "
                      "domain as d=, and publish the key it gives you.",
                      "The sample has no DKIM signature: DMARC can pass only through SPF, which "
                      "forwarding breaks, and Gmail and Yahoo require DKIM of bulk senders.");
    } else if (bad_own != NULL) {
        ms__check_add(c, "message-dkim-fail", MS_CHECK_ERROR, MS_CHECK_AREA_MESSAGE, NULL,
                      "Check the key published at the selector (see the dkim findings above) "
                      "and that nothing modifies the message after signing (footers, "
                      "rewritten links, line wrapping).",
                      "The DKIM signature by %s (s=%s) does not verify: %s%s%s%s.", bad_own->domain,
                      bad_own->selector ? bad_own->selector : "?",
                      ms_dkim_result_name(bad_own->result), bad_own->reason ? ", " : "",
                      bad_own->reason ? bad_own->reason : "",
                      bad_own->detail ? ms__arena_printf(c->arena, " (%s)", bad_own->detail) : "");
    } else if (n_pass > 0 && evaluated && !d->dkim_aligned) {
        const char *ds = "";
        for (size_t i = 0; i < v->n_dkim && ds != NULL; i++) {
            if (v->dkim[i].result == MS_DKIM_PASS) {
                ds = ms__arena_printf(c->arena, "%s%sd=%s", ds, ds[0] ? ", " : "",
                                      v->dkim[i].domain);
            }
        }
        ms__check_add(c, "message-dkim-not-aligned", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL,
                      "Have the provider sign with your own domain (for Amazon SES: verify the "
                      "domain with Easy DKIM and publish its three CNAMEs).",
                      "DKIM passed only for %s, which does not align with the From domain %s: "
                      "for DMARC that counts as no DKIM.",
                      ds ? ds : "other domains", from);
    }
    /* DMARC, and which identifier aligned. */
    if (d == NULL) {
        return;
    }
    switch (d->result) {
    case MS_DMARC_PASS:
        c->facts.message_dmarc_pass = true;
        ms__check_add(c, "message-dmarc-pass", MS_CHECK_INFO, MS_CHECK_AREA_MESSAGE, NULL, NULL,
                      "The sample passes DMARC for %s, aligned through %s%s%s.", from,
                      d->dkim_aligned ? "DKIM" : "",
                      d->dkim_aligned && d->spf_aligned ? " and " : "",
                      d->spf_aligned ? "SPF" : "");
        break;
    case MS_DMARC_FAIL:
        ms__check_add(c, "message-dmarc-fail", MS_CHECK_ERROR, MS_CHECK_AREA_MESSAGE, NULL,
                      "Make at least one of them align: DKIM signing with your domain as d= "
                      "is the one that survives forwarding.",
                      "The sample fails DMARC for %s: neither SPF (%s for %s) nor any DKIM "
                      "signature passed aligned with it; under p=%s receivers %s such mail.",
                      from, ms_spf_result_name(d->spf_result),
                      d->spf_domain ? d->spf_domain : "no domain", ms_dmarc_policy_name(d->policy),
                      d->policy == MS_DMARC_POLICY_REJECT       ? "reject"
                      : d->policy == MS_DMARC_POLICY_QUARANTINE ? "junk"
                                                                : "still deliver, and report,");
        break;
    case MS_DMARC_NONE:
        ms__check_add(c, "message-dmarc-none", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL,
                      "Publish a DMARC record (see the dmarc findings).",
                      "DMARC does not apply to the sample: no DMARC record for %s (%s).", from,
                      d->reason ? d->reason : "RFC 9989 §4.10");
        break;
    default:
        ms__check_add(
            c, "message-dmarc-error", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, d->record_text,
            "Fix the DMARC record (see the dmarc findings) or check again if the DNS "
            "failed.",
            "DMARC for the sample ended in %s: %s%s%s.", ms_dmarc_result_name(d->result),
            d->reason ? d->reason : "", d->detail ? ": " : "", d->detail ? d->detail : "");
        break;
    }
}

void ms__check_message(ms__check_ctx *c)
{
    const ms_check_options *opt = c->opt;
    if (opt == NULL || opt->message == NULL) {
        return;
    }
    c->facts.has_message = true;
    /* The header fields first, for the trace fields (the pipeline below parses again). */
    ms_msg *msg = NULL;
    ms_msg_error err;
    memset(&err, 0, sizeof(err));
    ms_status st = ms_msg_parse(opt->message, opt->message_len, NULL, c->arena, &msg, &err);
    if (st == MS_ENOMEM) {
        c->fatal = st;
        return;
    }
    if (st != MS_OK || ms_msg_field_count(msg) == 0) {
        c->report->incomplete = true;
        ms__check_add(c, "message-unreadable", MS_CHECK_ERROR, MS_CHECK_AREA_MESSAGE, NULL,
                      "Give the message as saved from the mailbox with all its header fields "
                      "(\"Show original\" / \"View source\", saved as .eml).",
                      "The sample could not be read as a message: %s.",
                      st != MS_OK && err.reason ? err.reason : "no header fields");
        return;
    }
    ms_msg_client cl;
    ms_status cst = ms_msg_received_client(msg, c->arena, &cl);
    if (cst != MS_OK && cst != MS_ENOTFOUND) {
        c->fatal = cst;
        return;
    }
    if (cst == MS_ENOTFOUND) {
        c->report->incomplete = true;
        ms__check_add(c, "message-no-client", MS_CHECK_WARNING, MS_CHECK_AREA_MESSAGE, NULL,
                      "Give a copy as received in a mailbox outside your own systems (it then "
                      "carries the receiver's Received field), not a sent-folder copy.",
                      "No Received field of the sample names a public sending address, so SPF, "
                      "DKIM and DMARC were not evaluated and reverse DNS not checked.");
        return;
    }
    if (!cl.has_return_path && cl.mail_from == NULL) {
        ms__check_add(c, "message-no-return-path", MS_CHECK_INFO, MS_CHECK_AREA_MESSAGE, NULL,
                      "Give a copy as delivered to a mailbox: the receiver adds Return-Path.",
                      "The sample has no Return-Path field, so SPF was evaluated for the null "
                      "sender (the HELO name %s) instead of its real MAIL FROM.",
                      cl.helo ? cl.helo : "(unknown)");
    }
    ms_message_options mo;
    ms_message_options_default(&mo);
    mo.authserv_id = cl.by ? cl.by : "mailseal-check";
    ms_message *m = NULL;
    st = ms_message_new(c->resolver, &mo, c->arena, c->trace, &m);
    if (st == MS_OK) {
        st = ms_message_connect(m, cl.ip, cl.helo);
    }
    if (st == MS_OK) {
        st = ms_message_envelope(m, cl.mail_from ? cl.mail_from : "");
    }
    if (st == MS_OK) {
        st = ms_message_feed(m, opt->message, opt->message_len);
    }
    if (st == MS_OK) {
        st = ms_message_end(m);
    }
    if (st == MS_ENOMEM || (st == MS_ELIMIT && (m == NULL || ms_message_error(m) == NULL))) {
        c->fatal = st;
        return;
    }
    const ms_verdicts *v = st == MS_OK ? ms_message_verdicts(m) : NULL;
    if (v == NULL) {
        const ms_msg_error *me = m ? ms_message_error(m) : NULL;
        c->report->incomplete = true;
        ms__check_add(c, "message-unreadable", MS_CHECK_ERROR, MS_CHECK_AREA_MESSAGE, NULL,
                      "Give the message as saved from the mailbox, unmodified.",
                      "The sample could not be verified: %s.",
                      me && me->reason ? me->reason : ms_status_str(st));
        return;
    }
    check_verdicts(c, v, &cl);
    if (c->fatal == MS_OK) {
        check_one_click(c, v->msg ? v->msg : msg, v);
    }
    if (c->fatal == MS_OK) {
        check_fcrdns(c, cl.ip);
    }
}
