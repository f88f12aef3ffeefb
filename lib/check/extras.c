/* SPDX-License-Identifier: MIT */
/* The audit's "also" part: MX and null MX (RFC 5321 §5.1, RFC 7505), the MTA-STS TXT record
 * (RFC 8461 §3.1; draft-ietf-uta-mta-sts-21 in shared/rfc), the TLS-RPT record (RFC 8460 §3;
 * draft-ietf-uta-smtp-tlsrpt-23), the BIMI assertion record (draft-brand-indicators-for-
 * message-identification §4) and the DNSSEC status the resolver validated. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "check/audit.h"
#include "dkim/tags.h"

/* ---- a semicolon-separated tag list (RFC 8461 §3.1, RFC 8460 §3, BIMI §4.2) ---------------- */

typedef struct tag {
    const char *name, *value;
    size_t name_len, value_len;
} tag;

static bool is_wsp(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
static bool is_ext_name(const char *s, size_t len)
{
    if (len == 0 || len > 32 || !ms__is_alnum(s[0])) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!ms__is_alnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.') {
            return false;
        }
    }
    return true;
}

/* Split text into name=value pairs: field-delim = *WSP ";" *WSP, a trailing delimiter allowed.
 * NULL with the tags in out, or a reason (static or in the arena) why it is not such a list. */
static const char *split_tags(ms__check_ctx *c, const char *text, size_t len, tag *out, size_t max,
                              size_t *n_out)
{
    *n_out = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if ((ch < 0x20 && ch != '\t') || ch >= 0x7f) {
            return ms__arena_printf(c->arena,
                                    "byte 0x%02x at offset %zu: the record must be printable "
                                    "US-ASCII",
                                    ch, i);
        }
    }
    size_t pos = 0, n = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != ';') {
            end++;
        }
        size_t a = pos, b = end;
        while (a < b && is_wsp(text[a])) {
            a++;
        }
        while (b > a && is_wsp(text[b - 1])) {
            b--;
        }
        if (a == b) {
            if (end == len && n > 0) {
                break; /* the trailing delimiter */
            }
            return "an empty field between two semicolons";
        }
        const char *eq = memchr(text + a, '=', b - a);
        if (eq == NULL) {
            return ms__arena_printf(c->arena, "\"%.*s\" is not name=value",
                                    (int)(b - a < 40 ? b - a : 40), text + a);
        }
        if (n == max) {
            return "too many fields";
        }
        tag *t = &out[n++];
        t->name = text + a;
        t->name_len = (size_t)(eq - (text + a));
        t->value = eq + 1;
        t->value_len = (size_t)(text + b - (eq + 1));
        pos = end + 1;
    }
    *n_out = n;
    return n == 0 ? "empty record" : NULL;
}

static const tag *find_tag(const tag *tags, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (tags[i].name_len == strlen(name) && memcmp(tags[i].name, name, tags[i].name_len) == 0) {
            return &tags[i];
        }
    }
    return NULL;
}

static bool failed(ms__check_ctx *c, const ms_dns_answer *a, ms_status st, ms_check_area area,
                   const char *name)
{
    if (st != MS_OK) {
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            c->fatal = st;
        }
        return true;
    }
    if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        ms__check_dns_failed(c, area, name, a->why ? a->why : ms_dns_rcode_str(a->rcode));
        return true;
    }
    return false;
}

/* The TXT records at name that start with prefix (case-insensitively: a record that gets
 * the case wrong is reported, not skipped). */
typedef struct candidates {
    const ms_dns_rr *rr[4];
    size_t n;     /* candidates found (may exceed the 4 kept) */
    size_t n_txt; /* TXT records at the name */
} candidates;

static bool txt_at(ms__check_ctx *c, ms_check_area area, const char *name, const char *prefix,
                   candidates *out)
{
    memset(out, 0, sizeof(*out));
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(c->resolver, name, MS_DNS_TXT, c->arena, &a);
    if (failed(c, a, st, area, name)) {
        return false;
    }
    for (size_t i = 0; a->rcode == MS_DNS_OK && i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        if (rr->type != MS_DNS_TXT) {
            continue;
        }
        out->n_txt++;
        if (ms__str_iprefix(rr->u.txt.data, rr->u.txt.len, prefix)) {
            if (out->n < sizeof(out->rr) / sizeof(out->rr[0])) {
                out->rr[out->n] = rr;
            }
            out->n++;
        }
    }
    return true;
}

/* ---- MX (RFC 5321 §5.1, RFC 7505) ------------------------------------------------------- */

static void check_mx(ms__check_ctx *c)
{
    const char *d = c->domain;
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(c->resolver, d, MS_DNS_MX, c->arena, &a);
    if (st != MS_OK) {
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            c->fatal = st;
        }
        return;
    }
    c->facts.dnssec_secure = a->is_secure;
    if (a->is_bogus) {
        c->report->incomplete = true;
        ms__check_add(c, "dnssec-bogus", MS_CHECK_ERROR, MS_CHECK_AREA_DNSSEC, NULL,
                      "Fix the zone's signatures or its DS record at the registrar (an expired "
                      "signature or a DS left over from an old key are the usual causes); "
                      "until then, remove the DS record to turn DNSSEC off.",
                      "DNSSEC validation fails for %s (%s): validating resolvers, which many "
                      "receivers use, answer SERVFAIL for its records, so SPF, DKIM and DMARC "
                      "cannot be checked there and mail is deferred or rejected.",
                      d, a->why ? a->why : "bogus");
        return;
    }
    if (failed(c, a, MS_OK, MS_CHECK_AREA_MX, d)) {
        return;
    }
    if (a->rcode != MS_DNS_OK || a->n_rr == 0) {
        /* RFC 5321 §5.1: without MX the A/AAAA records stand in (the implicit MX). */
        static const uint16_t ADDRESS[] = {MS_DNS_A, MS_DNS_AAAA};
        bool has_address = false;
        for (size_t i = 0; a->rcode == MS_DNS_NODATA && i < 2 && !has_address; i++) {
            const ms_dns_answer *h = NULL;
            st = ms_resolver_query(c->resolver, d, ADDRESS[i], c->arena, &h);
            if (failed(c, h, st, MS_CHECK_AREA_MX, d)) {
                return;
            }
            has_address = h->rcode == MS_DNS_OK && h->n_rr > 0;
        }
        const char *fix = ms__arena_printf(c->arena,
                                           "Publish an MX record for the server that receives "
                                           "mail for %s, e.g. \"%s. 3600 IN MX 10 mail.%s.\" "
                                           "(or \"%s. 3600 IN MX 0 .\" if it must never receive "
                                           "mail, RFC 7505).",
                                           d, d, d, d);
        if (has_address) {
            ms__check_add(c, "mx-missing", MS_CHECK_INFO, MS_CHECK_AREA_MX, NULL, fix,
                          "%s has no MX record: mail to it goes to its A/AAAA address (the "
                          "implicit MX, RFC 5321 §5.1), which often runs no mail server, so "
                          "bounces and replies may be lost.",
                          d);
        } else {
            ms__check_add(c, "mx-missing", MS_CHECK_WARNING, MS_CHECK_AREA_MX, NULL, fix,
                          "%s has no MX record and no address (%s): nobody can reply to it and "
                          "bounces are lost, and some receivers refuse mail from a domain that "
                          "cannot receive any.",
                          d, ms_dns_rcode_name(a->rcode));
        }
        return;
    }
    /* The exchanges by preference, the null MX ("0 .", RFC 7505 §3) apart. */
    size_t n_null = 0;
    size_t keep = a->n_rr < MS_LIMIT_CHECK_MX_SHOWN ? a->n_rr : MS_LIMIT_CHECK_MX_SHOWN;
    const char **hosts = ms_arena_alloc(c->arena, (keep ? keep : 1) * sizeof(*hosts));
    uint16_t *prefs = ms_arena_alloc(c->arena, (keep ? keep : 1) * sizeof(*prefs));
    if (hosts == NULL || prefs == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        if (rr->type != MS_DNS_MX) {
            continue;
        }
        const char *x = rr->u.mx.exchange;
        if (x == NULL || x[0] == '\0' || strcmp(x, ".") == 0) {
            n_null++;
            continue;
        }
        if (n == keep && (keep == 0 || prefs[keep - 1] <= rr->u.mx.preference)) {
            continue; /* the best MS_LIMIT_CHECK_MX_SHOWN are kept */
        }
        size_t j = n < keep ? n++ : keep - 1;
        while (j > 0 && prefs[j - 1] > rr->u.mx.preference) {
            hosts[j] = hosts[j - 1];
            prefs[j] = prefs[j - 1];
            j--;
        }
        hosts[j] = x;
        prefs[j] = rr->u.mx.preference;
    }
    c->facts.mx_hosts = hosts;
    c->facts.n_mx = n;
    if (n_null == 0) {
        return;
    }
    c->facts.null_mx = true;
    if (n > 0) {
        ms__check_add(c, "mx-null-mixed", MS_CHECK_ERROR, MS_CHECK_AREA_MX, NULL,
                      "Keep either the null MX (the domain receives no mail) or the real MX "
                      "records, not both.",
                      "%s publishes a null MX (\"0 .\") next to %zu other MX record%s: a domain "
                      "with a null MX must not publish any other (RFC 7505 §3), and senders "
                      "may treat it as unable to receive mail.",
                      d, n, n == 1 ? "" : "s");
        return;
    }
    ms__check_add(c, "mx-null", MS_CHECK_WARNING, MS_CHECK_AREA_MX, NULL,
                  ms__arena_printf(c->arena,
                                   "If this domain sends mail, replace the null MX with an MX "
                                   "for a server that accepts bounces and replies, e.g. \"%s. "
                                   "3600 IN MX 10 mail.%s.\"; or send from another domain.",
                                   d, d),
                  "%s publishes a null MX (RFC 7505): it receives no mail. Bounces and replies "
                  "to mail from it are lost, and receivers may reject mail from a domain with "
                  "a null MX (RFC 7505 §4.2, 550 5.7.27).",
                  d);
}

/* ---- MTA-STS (RFC 8461 §3.1) ------------------------------------------------------------ */

static void check_mta_sts(ms__check_ctx *c)
{
    const char *name = ms__arena_printf(c->arena, "_mta-sts.%s", c->domain);
    if (name == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    if (strlen(name) > MS_LIMIT_DNS_NAME) {
        return; /* the domain is too long to have one */
    }
    candidates k;
    if (!txt_at(c, MS_CHECK_AREA_MTA_STS, name, "v=STSv1", &k)) {
        return;
    }
    const char *fix_publish = ms__arena_printf(
        c->arena,
        "Publish \"%s. 3600 IN TXT \\\"v=STSv1; id=20260101000000\\\"\" (change id= whenever "
        "the policy changes) and the policy at https://mta-sts.%s/.well-known/mta-sts.txt.",
        name, c->domain);
    if (k.n == 0) {
        if (k.n_txt > 0) {
            ms__check_add(c, "mta-sts-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_MTA_STS, NULL,
                          fix_publish,
                          "%s has %zu TXT record%s but none starts with v=STSv1 (RFC 8461 "
                          "§3.1): senders see no MTA-STS policy.",
                          name, k.n_txt, k.n_txt == 1 ? "" : "s");
            return;
        }
        ms__check_add(c, "mta-sts-missing", MS_CHECK_INFO, MS_CHECK_AREA_MTA_STS, NULL, fix_publish,
                      "No MTA-STS record at %s: mail to %s can be delivered without TLS or to "
                      "a spoofed MX by an attacker on the path (RFC 8461 protects against "
                      "that).",
                      name, c->domain);
        return;
    }
    if (k.n > 1) {
        ms__check_add(c, "mta-sts-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_MTA_STS, NULL,
                      "Keep exactly one v=STSv1 record.",
                      "%s has %zu records starting with v=STSv1: senders must then assume "
                      "there is no policy (RFC 8461 §3.1).",
                      name, k.n);
        return;
    }
    const ms_dns_rr *rr = k.rr[0];
    const char *rec = ms__check_shown(c, rr->u.txt.data, rr->u.txt.len);
    tag tags[MS_LIMIT_CHECK_TAGS];
    size_t n = 0;
    const char *why = split_tags(c, rr->u.txt.data, rr->u.txt.len, tags, MS_LIMIT_CHECK_TAGS, &n);
    if (why == NULL && !(tags[0].name_len == 1 && tags[0].name[0] == 'v' &&
                         ms__str_ieq(tags[0].value, tags[0].value_len, "STSv1", 5))) {
        why = "it must begin with v=STSv1";
    } else if (why == NULL && memcmp(tags[0].value, "STSv1", 5) != 0) {
        why = "v=STSv1 is case-sensitive";
    }
    const tag *id = why == NULL ? find_tag(tags, n, "id") : NULL;
    if (why == NULL && id == NULL) {
        why = "the id= field is required";
    } else if (why == NULL) {
        bool ok = id->value_len >= 1 && id->value_len <= 32;
        for (size_t i = 0; ok && i < id->value_len; i++) {
            ok = ms__is_alnum(id->value[i]);
        }
        if (!ok) {
            why = "id= must be 1 to 32 letters and digits";
        }
    }
    for (size_t i = 1; why == NULL && i < n; i++) {
        bool ok = is_ext_name(tags[i].name, tags[i].name_len) && tags[i].value_len > 0;
        for (size_t j = 0; ok && j < tags[i].value_len; j++) {
            ok = tags[i].value[j] != '=' && !is_wsp(tags[i].value[j]);
        }
        if (!ok) {
            why = ms__arena_printf(c->arena, "field \"%.*s\" is not name=value without spaces",
                                   (int)(tags[i].name_len < 32 ? tags[i].name_len : 32),
                                   tags[i].name);
        }
    }
    if (why != NULL) {
        ms__check_add(c, "mta-sts-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_MTA_STS, rec,
                      fix_publish,
                      "The MTA-STS record at %s is not valid (%s, RFC 8461 §3.1): senders "
                      "ignore it and use no policy.",
                      name, why);
    }
}

/* ---- TLS-RPT (RFC 8460 §3) -------------------------------------------------------------- */

/* One rua URI: mailto:local@domain or https://host... (the two schemes §3 supports). */
static bool tlsrpt_uri_ok(const char *s, size_t len)
{
    if (ms__str_iprefix(s, len, "mailto:")) {
        const char *at = memchr(s + 7, '@', len - 7);
        return at != NULL && at > s + 7 && at + 1 < s + len;
    }
    if (ms__str_iprefix(s, len, "https://")) {
        return len > 8 && s[8] != '/';
    }
    return false;
}

static void check_tls_rpt(ms__check_ctx *c)
{
    const char *name = ms__arena_printf(c->arena, "_smtp._tls.%s", c->domain);
    if (name == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    if (strlen(name) > MS_LIMIT_DNS_NAME) {
        return;
    }
    candidates k;
    if (!txt_at(c, MS_CHECK_AREA_TLS_RPT, name, "v=TLSRPTv1", &k)) {
        return;
    }
    const char *fix_publish = ms__arena_printf(
        c->arena,
        "Publish \"%s. 3600 IN TXT \\\"v=TLSRPTv1; rua=mailto:tls-reports@%s\\\"\" "
        "(or an https:// address that takes the reports).",
        name, c->domain);
    if (k.n == 0) {
        if (k.n_txt > 0) {
            ms__check_add(c, "tls-rpt-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_TLS_RPT, NULL,
                          fix_publish,
                          "%s has %zu TXT record%s but none starts with v=TLSRPTv1 (RFC 8460 "
                          "§3): no TLS reports are sent.",
                          name, k.n_txt, k.n_txt == 1 ? "" : "s");
            return;
        }
        ms__check_add(c, "tls-rpt-missing", MS_CHECK_INFO, MS_CHECK_AREA_TLS_RPT, NULL, fix_publish,
                      "No TLS-RPT record at %s: senders that fail to deliver to %s over TLS "
                      "cannot tell you (RFC 8460).",
                      name, c->domain);
        return;
    }
    if (k.n > 1) {
        ms__check_add(c, "tls-rpt-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_TLS_RPT, NULL,
                      "Keep exactly one v=TLSRPTv1 record, with every address in its rua=, "
                      "separated by commas.",
                      "%s has %zu records starting with v=TLSRPTv1: senders must then assume "
                      "no TLS reporting (RFC 8460 §3).",
                      name, k.n);
        return;
    }
    const ms_dns_rr *rr = k.rr[0];
    const char *rec = ms__check_shown(c, rr->u.txt.data, rr->u.txt.len);
    tag tags[MS_LIMIT_CHECK_TAGS];
    size_t n = 0;
    const char *why = split_tags(c, rr->u.txt.data, rr->u.txt.len, tags, MS_LIMIT_CHECK_TAGS, &n);
    if (why == NULL && !(tags[0].name_len == 1 && tags[0].name[0] == 'v' &&
                         tags[0].value_len == 8 && memcmp(tags[0].value, "TLSRPTv1", 8) == 0)) {
        why = "it must begin with v=TLSRPTv1 (case-sensitive)";
    }
    const tag *rua = why == NULL ? find_tag(tags, n, "rua") : NULL;
    if (why == NULL && rua == NULL) {
        why = "the rua= field is required";
    }
    /* rua = uri *(*WSP "," *WSP uri) */
    for (size_t p = 0; why == NULL && p <= rua->value_len;) {
        size_t e = p;
        while (e < rua->value_len && rua->value[e] != ',') {
            e++;
        }
        size_t s = p, t = e;
        while (s < t && is_wsp(rua->value[s])) {
            s++;
        }
        while (t > s && is_wsp(rua->value[t - 1])) {
            t--;
        }
        if (!tlsrpt_uri_ok(rua->value + s, t - s)) {
            why = ms__arena_printf(c->arena,
                                   "rua= address \"%.*s\" is neither mailto:address nor "
                                   "https://",
                                   (int)(t - s < 80 ? t - s : 80), rua->value + s);
        }
        p = e + 1;
    }
    if (why != NULL) {
        ms__check_add(c, "tls-rpt-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_TLS_RPT, rec,
                      fix_publish,
                      "The TLS-RPT record at %s is not valid (%s, RFC 8460 §3): no TLS reports "
                      "will reach you.",
                      name, why);
    }
}

/* ---- BIMI (draft-brand-indicators-for-message-identification §4) ------------------------ */

/* Is the DMARC policy at enforcement as BIMI asks (p=quarantine or reject for the domain, at
 * pct 100, not t=y)? *why says what is missing. */
static bool dmarc_enforced(const ms__check_ctx *c, const char **why)
{
    const ms_dmarc_discovery *d = &c->facts.dmarc;
    if (d->status != MS_DMARC_DISCOVERY_FOUND || d->record == NULL) {
        *why = "there is no valid DMARC record";
        return false;
    }
    const ms_dmarc_record *r = d->record;
    bool at_domain =
        d->policy_domain == NULL ||
        ms__str_ieq(d->policy_domain, strlen(d->policy_domain), c->domain, strlen(c->domain));
    ms_dmarc_policy p = at_domain ? r->p : r->sp;
    if (p == MS_DMARC_POLICY_NONE) {
        *why = at_domain ? "the DMARC policy is p=none" : "the DMARC policy for it is sp=none";
        return false;
    }
    if (r->has_pct && r->pct < 100) {
        *why = "DMARC pct= is under 100";
        return false;
    }
    if (r->testing) {
        *why = "the DMARC record has t=y";
        return false;
    }
    if (at_domain && r->has_sp && r->sp == MS_DMARC_POLICY_NONE) {
        *why = "the DMARC record has sp=none";
        return false;
    }
    return true;
}

static bool https_uri(const char *s, size_t len, const char *suffix)
{
    size_t sl = strlen(suffix);
    return len > 8 + sl && ms__str_iprefix(s, len, "https://") &&
           ms__str_ieq(s + len - sl, sl, suffix, sl);
}

static void check_bimi(ms__check_ctx *c)
{
    const char *name = ms__arena_printf(c->arena, "default._bimi.%s", c->domain);
    if (name == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    if (strlen(name) > MS_LIMIT_DNS_NAME) {
        return;
    }
    candidates k;
    if (!txt_at(c, MS_CHECK_AREA_BIMI, name, "v=BIMI1", &k)) {
        return;
    }
    const char *fix_publish =
        ms__arena_printf(c->arena,
                         "Publish \"%s. 3600 IN TXT \\\"v=BIMI1; l=https://%s/logo.svg; "
                         "a=https://%s/vmc.pem\\\"\" (an SVG Tiny PS logo; a= is the mark "
                         "certificate most mailbox providers require).",
                         name, c->domain, c->domain);
    if (k.n == 0) {
        if (k.n_txt > 0) {
            ms__check_add(c, "bimi-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_BIMI, NULL, fix_publish,
                          "%s has TXT records but none starts with v=BIMI1: no logo is shown.",
                          name);
        } else {
            ms__check_add(c, "bimi-missing", MS_CHECK_INFO, MS_CHECK_AREA_BIMI, NULL, fix_publish,
                          "No BIMI record at %s: mailbox providers that show brand logos "
                          "show none for %s.",
                          name, c->domain);
        }
        return;
    }
    const ms_dns_rr *rr = k.rr[0];
    const char *rec = ms__check_shown(c, rr->u.txt.data, rr->u.txt.len);
    tag tags[MS_LIMIT_CHECK_TAGS];
    size_t n = 0;
    const char *why = k.n > 1 ? "several records start with v=BIMI1" : NULL;
    if (why == NULL) {
        why = split_tags(c, rr->u.txt.data, rr->u.txt.len, tags, MS_LIMIT_CHECK_TAGS, &n);
    }
    if (why == NULL && !(tags[0].name_len == 1 && tags[0].name[0] == 'v' &&
                         tags[0].value_len == 5 && memcmp(tags[0].value, "BIMI1", 5) == 0)) {
        why = "it must begin with v=BIMI1";
    }
    const tag *l = why == NULL ? find_tag(tags, n, "l") : NULL;
    const tag *a = why == NULL ? find_tag(tags, n, "a") : NULL;
    bool declined =
        why == NULL && (l == NULL || l->value_len == 0) && (a == NULL || a->value_len == 0);
    if (why == NULL && !declined && l != NULL && l->value_len > 0 &&
        !https_uri(l->value, l->value_len, ".svg")) {
        why = "l= must be an https:// address of an SVG file";
    }
    if (why == NULL && !declined && a != NULL && a->value_len > 0 &&
        !https_uri(a->value, a->value_len, ".pem")) {
        why = "a= must be an https:// address of a PEM certificate file";
    }
    if (why != NULL) {
        ms__check_add(c, "bimi-syntax", MS_CHECK_WARNING, MS_CHECK_AREA_BIMI, rec, fix_publish,
                      "The BIMI record at %s is not valid (%s): no logo is shown.", name, why);
        return;
    }
    if (declined) {
        return; /* "v=BIMI1; l=; a=;" declines BIMI on purpose */
    }
    const char *not_enforced = NULL;
    if (!dmarc_enforced(c, &not_enforced)) {
        ms__check_add(c, "bimi-needs-enforcement", MS_CHECK_WARNING, MS_CHECK_AREA_BIMI, rec,
                      ms__arena_printf(c->arena,
                                       "Move DMARC to enforcement once reports show your mail "
                                       "passes: \"_dmarc.%s. IN TXT \\\"v=DMARC1; "
                                       "p=quarantine; rua=mailto:dmarc@%s\\\"\" (no pct= below "
                                       "100, no sp=none).",
                                       c->domain, c->domain),
                      "%s publishes a BIMI record, but %s: mailbox providers show a BIMI logo "
                      "only for domains whose DMARC policy is quarantine or reject at 100%%.",
                      c->domain, not_enforced);
    }
}

/* ---- DNSSEC (from the resolver's validation) -------------------------------------------- */

static void check_dnssec(ms__check_ctx *c)
{
    if (c->facts.dnssec_secure) {
        ms__check_add(c, "dnssec-signed", MS_CHECK_INFO, MS_CHECK_AREA_DNSSEC, NULL, NULL,
                      "%s is signed with DNSSEC and its answers validated: receivers that "
                      "validate can trust its SPF, DKIM and DMARC records.",
                      c->domain);
    } else {
        ms__check_add(c, "dnssec-unsigned", MS_CHECK_INFO, MS_CHECK_AREA_DNSSEC, NULL,
                      "Turn on DNSSEC at your DNS host and publish the DS record at the "
                      "registrar (optional; it protects these records against forgery).",
                      "The answers for %s were not DNSSEC-validated: the zone is not signed "
                      "(or the resolver used does not validate).",
                      c->domain);
    }
}

void ms__check_extras(ms__check_ctx *c)
{
    size_t before = c->report->n_findings;
    check_mx(c);
    bool bogus = false;
    for (size_t i = before; i < c->report->n_findings; i++) {
        bogus = bogus || strcmp(c->report->findings[i].id, "dnssec-bogus") == 0;
    }
    void (*const parts[])(ms__check_ctx *) = {check_mta_sts, check_tls_rpt, check_bimi};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && c->fatal == MS_OK; i++) {
        parts[i](c);
    }
    if (c->fatal == MS_OK && !bogus) {
        check_dnssec(c);
    }
}
