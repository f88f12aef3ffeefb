/* SPDX-License-Identifier: MIT */
/* Provider awareness: which sending services the domain's records show (the SPF include tree,
 * the DKIM CNAMEs and selectors, the MX hosts), and what each one needs for DMARC to pass.
 * Everything known about a provider is one row of PROVIDERS below; the code only reads the
 * table. The case this exists for is Amazon SES: without a custom MAIL FROM domain SES sends
 * with a MAIL FROM under amazonses.com, so SPF authenticates amazonses.com, which never aligns
 * with the From domain, and DMARC rests on DKIM alone; and SES Easy DKIM CNAMEs whose targets
 * do not resolve yet mean DKIM is not applied. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "check/audit.h"
#include "check/providers.h"

#define AREA MS_CHECK_AREA_PROVIDER
#define MAX_ITEMS 4
#define MAX_SENDERS 6

typedef struct provider {
    const char *name;
    /* What recognises it (any one is enough); each list ends at the first NULL. */
    const char *spf_include[MAX_ITEMS];   /* include:/redirect= targets, the name or below it */
    const char *dkim_cname[MAX_ITEMS];    /* DKIM CNAME target suffixes */
    const char *dkim_selector[MAX_ITEMS]; /* the fixed selectors it signs with, if any (not
                                           * evidence: names like s1 or mx are used widely) */
    const char *mx[MAX_ITEMS];            /* MX host suffixes */
    /* It sends with a MAIL FROM in the domain itself, so the domain's SPF must include it. */
    bool own_mail_from;
    /* Custom MAIL FROM: a subdomain with MX mail_from_mx_prefix*mail_from_mx_suffix and SPF
     * including mail_from_spf. NULL when the provider has no such setting. */
    const char *mail_from_mx_prefix, *mail_from_mx_suffix, *mail_from_spf;
    /* How it authenticates mail (the provider-recognised finding). */
    const char *about;
    /* Its DKIM CNAME targets do not resolve yet. */
    const char *dkim_pending_id, *dkim_pending_fix;
    /* Its fixed selectors were looked at and hold no key. */
    const char *dkim_missing_fix;
    /* No custom MAIL FROM found; the fix starts with where to set one, the records follow. */
    const char *no_mail_from_id, *no_mail_from_fix;
    /* The domains its outgoing mail shows (the name or below it): its servers' reverse DNS
     * names, its own DKIM d= and MAIL FROM domains. What received reports are matched on
     * (ms__provider_of); rows with only these are not looked for in a domain's records. */
    const char *senders[MAX_SENDERS];
} provider;

static const provider PROVIDERS[] = {
    {
        .name = "Amazon SES",
        .spf_include = {"amazonses.com"},
        .dkim_cname = {"dkim.amazonses.com"},
        .mail_from_mx_prefix = "feedback-smtp.",
        .mail_from_mx_suffix = ".amazonses.com",
        .mail_from_spf = "amazonses.com",
        .about = "Amazon SES signs with Easy DKIM (three CNAMEs to dkim.amazonses.com) and sends "
                 "with a MAIL FROM under amazonses.com unless a custom MAIL FROM domain is set.",
        .dkim_pending_id = "provider-ses-dkim-pending",
        .dkim_pending_fix = "In the SES console (Verified identities, your domain, "
                            "Authentication) check that the three CNAMEs are published exactly "
                            "as shown, in the same region; SES then publishes the keys they "
                            "point to and DKIM status turns to Successful (this can take up to "
                            "72 hours). Until then SES sends without a DKIM signature of your "
                            "domain.",
        .no_mail_from_id = "provider-ses-no-custom-mail-from",
        .no_mail_from_fix = "In the SES console (Verified identities, your domain, Custom MAIL "
                            "FROM domain) set one",
        .senders = {"amazonses.com"},
    },
    {
        .name = "Google Workspace",
        .spf_include = {"_spf.google.com"},
        .dkim_selector = {"google"},
        .mx = {"google.com", "googlemail.com"},
        .own_mail_from = true,
        .about = "Google Workspace sends with your domain in the MAIL FROM (SPF include "
                 "_spf.google.com) and signs with the key you generate in the Admin console "
                 "(selector google); until then it signs as gappssmtp.com, which does not align.",
        .dkim_pending_id = "provider-dkim-pending",
        .dkim_missing_fix = "In the Google Admin console (Apps, Google Workspace, Gmail, "
                            "Authenticate email) generate a key, publish the TXT record it shows "
                            "at google._domainkey, then press Start authentication.",
        .senders = {"google.com", "googlemail.com", "gappssmtp.com"},
    },
    {
        .name = "Microsoft 365",
        .spf_include = {"spf.protection.outlook.com"},
        .dkim_cname = {"onmicrosoft.com", "dkim.mail.microsoft"},
        .dkim_selector = {"selector1", "selector2"},
        .mx = {"mail.protection.outlook.com", "mx.microsoft"},
        .own_mail_from = true,
        .about = "Microsoft 365 sends with your domain in the MAIL FROM (SPF include "
                 "spf.protection.outlook.com) and signs with selector1/selector2, two CNAMEs to "
                 "keys Microsoft publishes; until DKIM is enabled for the domain it signs as "
                 "onmicrosoft.com, which does not align.",
        .dkim_pending_id = "provider-dkim-pending",
        .dkim_pending_fix = "In the Microsoft Defender portal (Email authentication settings, "
                            "DKIM) select the domain and enable signing; Microsoft then "
                            "publishes the keys the CNAMEs point to.",
        .dkim_missing_fix = "In the Microsoft Defender portal (Email authentication settings, "
                            "DKIM) select the domain, publish the two CNAMEs it shows "
                            "(selector1._domainkey and selector2._domainkey) and enable "
                            "signing.",
        .senders = {"outlook.com", "onmicrosoft.com", "microsoft.com", "hotmail.com"},
    },
    {
        .name = "SendGrid",
        .spf_include = {"sendgrid.net"},
        .dkim_cname = {"sendgrid.net"},
        .dkim_selector = {"s1", "s2"},
        .about = "SendGrid signs with s1/s2 (CNAMEs to sendgrid.net once domain authentication "
                 "is set up) and sends with a MAIL FROM subdomain (emNNNN) of your domain.",
        .dkim_pending_id = "provider-dkim-pending",
        .dkim_pending_fix = "In SendGrid (Settings, Sender Authentication) verify the domain "
                            "again once the CNAMEs are published.",
        .dkim_missing_fix = "In SendGrid (Settings, Sender Authentication) authenticate the "
                            "domain and publish the CNAMEs it shows (s1._domainkey, "
                            "s2._domainkey and the emNNNN return path).",
        .senders = {"sendgrid.net", "sendgrid.com"},
    },
    {
        .name = "Mailchimp / Mandrill",
        .spf_include = {"servers.mcsv.net", "spf.mandrillapp.com"},
        .dkim_cname = {"mcsv.net", "mandrillapp.com"},
        .dkim_selector = {"k2", "k3", "mte1", "mte2"},
        .about = "Mailchimp signs with k2/k3 (CNAMEs to dkim2/dkim3.mcsv.net), Mandrill with "
                 "mte1/mte2 (CNAMEs to mandrillapp.com); both send with their own MAIL FROM, so "
                 "DMARC passes through DKIM.",
        .dkim_pending_id = "provider-dkim-pending",
        .dkim_pending_fix = "In Mailchimp (Domains, Authenticate) or Mandrill (Sending Domains) "
                            "run the verification again once the CNAMEs are published.",
        .dkim_missing_fix = "In Mailchimp (Website, Domains, Authenticate) publish the CNAMEs it "
                            "shows (k2._domainkey, k3._domainkey): without them mail is not "
                            "signed with your domain and DMARC fails.",
        .senders = {"mcsv.net", "mandrillapp.com", "rsgsv.net", "mcdlv.net", "mailchimpapp.net"},
    },
    {
        .name = "Postmark",
        .spf_include = {"spf.mtasv.net"},
        .dkim_cname = {"mtasv.net"},
        .about = "Postmark signs with a dated selector (NNNNpm._domainkey) and sends with a "
                 "custom Return-Path (pm-bounces CNAME to pm.mtasv.net) for SPF alignment.",
        .dkim_pending_id = "provider-dkim-pending",
        .dkim_pending_fix = "In Postmark (Sender Signatures, DNS settings) verify the domain "
                            "again once the records are published.",
        .senders = {"mtasv.net", "postmarkapp.com"},
    },
    {
        .name = "Mailgun",
        .spf_include = {"mailgun.org"},
        .dkim_cname = {"mailgun.org"},
        .dkim_selector = {"smtp", "mx", "krs", "pic"},
        .mx = {"mailgun.org"},
        .about = "Mailgun signs with the key shown in its console (often a TXT record at "
                 "smtp._domainkey or mx._domainkey) and sends with a MAIL FROM in the sending "
                 "domain verified with it (often a subdomain such as mg.).",
        .dkim_pending_id = "provider-dkim-pending",
        .dkim_pending_fix = "In Mailgun (Sending, Domains, DNS records) verify the domain again "
                            "once the records are published.",
        .senders = {"mailgun.net", "mailgun.org", "mailgun.info"},
    },
    /* Recognised in received reports only (no DNS evidence rules yet). */
    {.name = "SparkPost", .senders = {"sparkpostmail.com", "sparkpost.com"}},
    {.name = "Zoho", .senders = {"zoho.com", "zohomail.com", "zoho.eu", "zoho.in"}},
    {.name = "Salesforce / ExactTarget",
     .senders = {"exacttarget.com", "salesforce.com", "sfmc-marketing.com"}},
    {.name = "Brevo / Sendinblue", .senders = {"sendinblue.com", "brevo.com", "sender-sib.com"}},
    {.name = "Shopify", .senders = {"shopify.com", "shopifyemail.com"}},
};

/* The names tried for a custom MAIL FROM domain: a domain's subdomains cannot be listed. */
static const char *const MAIL_FROM_NAMES[] = {"mail",     "bounce", "bounces", "ses",
                                              "mailfrom", "email",  "mx",      "send"};

/* Is name equal to suffix, or below it (".suffix")? */
static bool is_under(const char *name, const char *suffix)
{
    size_t nl = strlen(name), sl = strlen(suffix);
    if (nl > 0 && name[nl - 1] == '.') {
        nl--;
    }
    if (nl == sl) {
        return ms__str_ieq(name, nl, suffix, sl);
    }
    return nl > sl && name[nl - sl - 1] == '.' && ms__str_ieq(name + nl - sl, sl, suffix, sl);
}

static bool any_under(const char *name, const char *const *suffixes)
{
    for (size_t i = 0; i < MAX_ITEMS && suffixes[i] != NULL; i++) {
        if (is_under(name, suffixes[i])) {
            return true;
        }
    }
    return false;
}

static bool listed(const char *name, const char *const *names)
{
    for (size_t i = 0; i < MAX_ITEMS && names[i] != NULL; i++) {
        if (ms__str_ieq(name, strlen(name), names[i], strlen(names[i]))) {
            return true;
        }
    }
    return false;
}

const char *ms__provider_of(const char *name)
{
    if (name == NULL || name[0] == '\0') {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(PROVIDERS) / sizeof(PROVIDERS[0]); i++) {
        for (size_t j = 0; j < MAX_SENDERS && PROVIDERS[i].senders[j] != NULL; j++) {
            if (is_under(name, PROVIDERS[i].senders[j])) {
                return PROVIDERS[i].name;
            }
        }
    }
    return NULL;
}

/* The first evidence of the provider in the facts (SPF include, DKIM CNAME target, MX host),
 * NULL when none; *by_spf when it is the SPF include. */
static const char *evidence(ms__check_ctx *c, const provider *p, bool *by_spf)
{
    const ms__check_facts *f = &c->facts;
    *by_spf = false;
    for (size_t i = 0; i < f->n_spf_includes; i++) {
        if (any_under(f->spf_includes[i], p->spf_include)) {
            *by_spf = true;
            return ms__arena_printf(c->arena, "include:%s in the SPF record", f->spf_includes[i]);
        }
    }
    for (size_t i = 0; i < f->n_selectors; i++) {
        const ms__check_selector *s = &f->selectors[i];
        if (s->cname_target != NULL && any_under(s->cname_target, p->dkim_cname)) {
            return ms__arena_printf(c->arena, "DKIM CNAME %s to %s",
                                    s->name ? s->name : s->selector, s->cname_target);
        }
    }
    for (size_t i = 0; i < f->n_mx; i++) {
        if (any_under(f->mx_hosts[i], p->mx)) {
            return ms__arena_printf(c->arena, "MX %s", f->mx_hosts[i]);
        }
    }
    return NULL;
}

/* The provider's DKIM CNAMEs whose target does not resolve yet. */
static void dkim_pending(ms__check_ctx *c, const provider *p, bool mail_from_missing)
{
    const ms__check_facts *f = &c->facts;
    ms__buf names;
    ms__buf_init(&names, c->arena, 1024);
    size_t n = 0;
    for (size_t i = 0; i < f->n_selectors; i++) {
        const ms__check_selector *s = &f->selectors[i];
        if (s->pending && s->cname_target != NULL && any_under(s->cname_target, p->dkim_cname)) {
            if (n++ < 4) {
                ms__buf_printf(&names, "%s%s -> %s", n > 1 ? ", " : "",
                               s->name ? s->name : s->selector, s->cname_target);
            }
        }
    }
    if (n == 0) {
        return;
    }
    const char *list = ms__buf_status(&names) == MS_OK ? ms__buf_str(&names) : "";
    /* One error for the provider's pending keys; the per-selector ones become detail. */
    for (size_t i = 0; i < f->n_selectors; i++) {
        const ms__check_selector *s = &f->selectors[i];
        if (s->pending && s->cname_target != NULL && any_under(s->cname_target, p->dkim_cname)) {
            ms__check_demote(c, "dkim-cname-pending", s->cname_target, p->dkim_pending_id);
        }
    }
    ms__check_add(c, p->dkim_pending_id, MS_CHECK_ERROR, AREA, NULL, p->dkim_pending_fix,
                  "DKIM is not applied yet: %s has not published the key%s your CNAME%s point "
                  "to (%s), so mail sent through it carries no signature of %s that verifies "
                  "(pending at the provider, not broken on your side)%s.",
                  p->name, n == 1 ? "" : "s", n == 1 ? "" : "s", list, c->domain,
                  mail_from_missing
                      ? "; with SPF not aligned either, DMARC fails for that mail until they are"
                      : "");
}

/* Its fixed selectors were looked at and none holds a key. */
static void dkim_missing(ms__check_ctx *c, const provider *p)
{
    if (p->dkim_missing_fix == NULL || p->dkim_selector[0] == NULL) {
        return;
    }
    const ms__check_facts *f = &c->facts;
    size_t looked = 0;
    for (size_t i = 0; i < f->n_selectors; i++) {
        const ms__check_selector *s = &f->selectors[i];
        bool mine = listed(s->selector, p->dkim_selector) ||
                    (s->cname_target != NULL && p->dkim_cname[0] != NULL &&
                     any_under(s->cname_target, p->dkim_cname));
        if (!mine) {
            continue;
        }
        if (s->found || s->pending) {
            return;
        }
        looked++;
    }
    if (looked == 0) {
        return;
    }
    ms__check_add(c, "provider-dkim-missing", MS_CHECK_WARNING, AREA, NULL, p->dkim_missing_fix,
                  "%s is in use, but none of its DKIM selectors (%s%s%s) holds a key for %s: "
                  "its mail is signed with its own domain, which does not align, so DMARC "
                  "passes only through SPF.",
                  p->name, p->dkim_selector[0], p->dkim_selector[1] ? ", " : "",
                  p->dkim_selector[1] ? p->dkim_selector[1] : "", c->domain);
}

/* Does the SPF record at name include target? */
static bool spf_includes(ms__check_ctx *c, const ms_dns_answer *a, const char *target)
{
    for (size_t i = 0; a->rcode == MS_DNS_OK && i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        if (rr->type != MS_DNS_TXT || !ms_spf_is_record(rr->u.txt.data, rr->u.txt.len) ||
            memchr(rr->u.txt.data, '\0', rr->u.txt.len) != NULL) {
            continue;
        }
        const ms_spf_record *rec;
        ms_spf_parse_error err;
        if (ms_spf_record_parse(rr->u.txt.data, rr->u.txt.len, c->arena, &rec, &err) != MS_OK) {
            continue;
        }
        for (size_t j = 0; j < rec->n_terms; j++) {
            const ms_spf_term *t = &rec->terms[j];
            if ((t->kind == MS_SPF_MECH_INCLUDE || t->kind == MS_SPF_MOD_REDIRECT) &&
                t->domain_spec != NULL && is_under(t->domain_spec, target)) {
                return true;
            }
        }
    }
    return false;
}

typedef enum { MF_FOUND, MF_NOT_FOUND, MF_UNKNOWN } mail_from_status;

/* Look for a custom MAIL FROM domain among the usual names: MX to the provider's feedback host,
 * and SPF there including the provider. */
static mail_from_status custom_mail_from(ms__check_ctx *c, const provider *p)
{
    for (size_t i = 0; i < sizeof(MAIL_FROM_NAMES) / sizeof(MAIL_FROM_NAMES[0]); i++) {
        const char *name = ms__arena_printf(c->arena, "%s.%s", MAIL_FROM_NAMES[i], c->domain);
        if (name == NULL) {
            c->fatal = ms_arena_status(c->arena);
            return MF_UNKNOWN;
        }
        if (strlen(name) > 253) {
            return MF_NOT_FOUND;
        }
        const ms_dns_answer *a = NULL;
        ms_status st = ms_resolver_query(c->resolver, name, MS_DNS_MX, c->arena, &a);
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            c->fatal = st;
            return MF_UNKNOWN;
        }
        if (st != MS_OK || a == NULL) {
            continue;
        }
        if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
            ms__check_dns_failed(c, AREA, ms__arena_printf(c->arena, "MX %s", name),
                                 a->why ? a->why : ms_dns_rcode_str(a->rcode));
            return MF_UNKNOWN;
        }
        const char *host = NULL;
        for (size_t j = 0; a->rcode == MS_DNS_OK && j < a->n_rr && host == NULL; j++) {
            const char *x = a->rr[j].u.mx.exchange;
            if (a->rr[j].type == MS_DNS_MX && x != NULL &&
                ms__str_iprefix(x, strlen(x), p->mail_from_mx_prefix) &&
                is_under(x, p->mail_from_mx_suffix + 1)) {
                host = x;
            }
        }
        if (host == NULL) {
            continue;
        }
        ms__check_add(c, "provider-custom-mail-from", MS_CHECK_INFO, AREA, NULL, NULL,
                      "%s uses %s as its custom MAIL FROM domain (MX %s), so SPF authenticates "
                      "a subdomain of %s, which aligns with DMARC.",
                      p->name, name, host, c->domain);
        const ms_dns_answer *t = NULL;
        st = ms_resolver_query(c->resolver, name, MS_DNS_TXT, c->arena, &t);
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            c->fatal = st;
            return MF_UNKNOWN;
        }
        if (st == MS_OK && t != NULL &&
            (t->rcode == MS_DNS_TEMPFAIL || t->rcode == MS_DNS_MALFORMED)) {
            ms__check_dns_failed(c, AREA, ms__arena_printf(c->arena, "TXT %s", name),
                                 t->why ? t->why : ms_dns_rcode_str(t->rcode));
            return MF_FOUND;
        }
        if (st == MS_OK && t != NULL && !spf_includes(c, t, p->mail_from_spf)) {
            ms__check_add(c, "provider-mail-from-spf", MS_CHECK_WARNING, AREA, NULL,
                          ms__arena_printf(c->arena, "Publish  %s. TXT \"v=spf1 include:%s ~all\"",
                                           name, p->mail_from_spf),
                          "The custom MAIL FROM domain %s has no SPF record including %s: SPF "
                          "fails for mail %s sends, and %s may fall back to its own MAIL FROM.",
                          name, p->mail_from_spf, p->name, p->name);
        }
        return MF_FOUND;
    }
    return MF_NOT_FOUND;
}

void ms__check_providers(ms__check_ctx *c)
{
    const ms__check_facts *f = &c->facts;
    for (size_t i = 0; i < sizeof(PROVIDERS) / sizeof(PROVIDERS[0]) && c->fatal == MS_OK; i++) {
        const provider *p = &PROVIDERS[i];
        bool by_spf;
        const char *ev = evidence(c, p, &by_spf);
        if (ev == NULL) {
            continue;
        }
        if (!ms__check_provider(c, p->name, ev)) {
            return;
        }
        ms__check_add(c, "provider-recognised", MS_CHECK_INFO, AREA, NULL, NULL,
                      "%s recognised (%s). %s", p->name, ev, p->about);
        bool mail_from_missing = false;
        if (p->mail_from_mx_prefix != NULL) {
            mail_from_status mf = custom_mail_from(c, p);
            if (c->fatal != MS_OK) {
                return;
            }
            if (mf == MF_NOT_FOUND) {
                mail_from_missing = true;
                const char *tried =
                    ms__arena_printf(c->arena, "%s.%s, %s.%s, %s.%s, %s.%s and the like",
                                     MAIL_FROM_NAMES[0], c->domain, MAIL_FROM_NAMES[1], c->domain,
                                     MAIL_FROM_NAMES[3], c->domain, MAIL_FROM_NAMES[4], c->domain);
                ms__check_add(
                    c, p->no_mail_from_id, MS_CHECK_WARNING, AREA, NULL,
                    ms__arena_printf(c->arena,
                                     "%s, for example mail.%s, and publish what it shows:  "
                                     "mail.%s. MX 10 %sREGION%s.  and  mail.%s. TXT \"v=spf1 "
                                     "include:%s ~all\"  (REGION being the region you send "
                                     "from, such as eu-west-1).",
                                     p->no_mail_from_fix, c->domain, c->domain,
                                     p->mail_from_mx_prefix, p->mail_from_mx_suffix, c->domain,
                                     p->mail_from_spf),
                    "No custom MAIL FROM domain for %s was found (none of %s has an MX to "
                    "%s*%s): mail goes out with a MAIL FROM under %s, so SPF authenticates "
                    "%s, which never aligns with %s, and DMARC rests on DKIM alone. If you set "
                    "a custom MAIL FROM under another name, this check cannot see it.",
                    p->name, tried ? tried : "the usual names", p->mail_from_mx_prefix,
                    p->mail_from_mx_suffix, p->mail_from_spf, p->mail_from_spf, c->domain);
            }
        } else if (p->own_mail_from && !by_spf && f->spf_record != NULL) {
            ms__check_add(c, "provider-spf-include-missing", MS_CHECK_WARNING, AREA, f->spf_record,
                          ms__arena_printf(c->arena, "Add include:%s to the SPF record of %s.",
                                           p->spf_include[0], c->domain),
                          "%s is in use (%s), but the SPF record of %s does not include %s: "
                          "mail sent through it fails SPF.",
                          p->name, ev, c->domain, p->spf_include[0]);
        }
        dkim_pending(c, p, mail_from_missing);
        dkim_missing(c, p);
    }
}
