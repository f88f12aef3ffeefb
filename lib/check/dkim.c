/* SPDX-License-Identifier: MIT */
/* The DKIM part of the domain audit: the key records at the selectors the user gave and at
 * the well-known selectors of common providers (DKIM keys cannot be enumerated, RFC 6376
 * §3.6.2.1), each judged as a verifier would judge it (RFC 6376 §3.6.1, RFC 8301 §3.2, RFC
 * 8463 §4), plus the two things that confuse people most: a CNAME to a provider that has not
 * published the key yet ("pending", not broken) and the domain typed twice in a DNS console. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "check/audit.h"
#include "crypto/key.h"
#include "dkim/key.h"
#include "dkim/tags.h"

/* Well-known selectors, with who uses them. One table: add a row to look at one more name.
 * Every row costs one TXT query per audit. */
static const struct common_selector {
    const char *selector;
    const char *who;
} COMMON[] = {
    {"google", "Google Workspace"},
    {"selector1", "Microsoft 365"},
    {"selector2", "Microsoft 365"},
    {"s1", "SendGrid"},
    {"s2", "SendGrid"},
    {"smtpapi", "SendGrid (older accounts)"},
    {"k1", "Mailchimp / Mailgun"},
    {"k2", "Mailchimp"},
    {"k3", "Mailchimp"},
    {"mandrill", "Mandrill (Mailchimp Transactional)"},
    {"pm", "Postmark"},
    {"mte1", "Mailjet"},
    {"mailjet", "Mailjet"},
    {"mx", "Mailgun"},
    {"smtp", "Mailgun and others"},
    {"krs", "Mailgun"},
    {"zendesk1", "Zendesk"},
    {"zendesk2", "Zendesk"},
    {"hs1", "HubSpot"},
    {"hs2", "HubSpot"},
    {"sig1", "iCloud Mail"},
    {"fm1", "Fastmail"},
    {"fm2", "Fastmail"},
    {"protonmail", "Proton Mail"},
    {"zmail", "Zoho Mail"},
    {"mxvault", "MXroute"},
    {"default", "cPanel, opendkim and many hosts"},
    {"dkim", "many hosts"},
    {"mail", "many hosts"},
    {"ses", "Amazon SES (custom selectors)"},
};
#define N_COMMON (sizeof(COMMON) / sizeof(COMMON[0]))

static const char RFC_KEY[] = "RFC 6376 §3.6.1";

/* Names compare case-insensitively, one trailing dot ignored (RFC 1035 §2.3.3). */
static bool same_name(const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b);
    al -= al > 0 && a[al - 1] == '.';
    bl -= bl > 0 && b[bl - 1] == '.';
    return ms__str_ieq(a, al, b, bl);
}

/* A selector is one or more DNS labels (RFC 6376 §3.1: sub-domain *("." sub-domain)); some
 * providers use '_' too. Lowercased copy, or NULL (and *why) when it cannot be one. A whole
 * record name pasted from a console ("tok._domainkey.shop.example") is cut to its selector. */
static const char *clean_selector(ms__check_ctx *c, const char *given, const char **why)
{
    size_t len = strnlen(given, MS_LIMIT_DNS_NAME + 1);
    if (len == 0 || len > MS_LIMIT_DNS_NAME) {
        *why = "a selector is 1 to 253 characters (RFC 6376 §3.1)";
        return NULL;
    }
    const char *dk = ms__mem_find(given, len, "._domainkey", 11);
    if (dk == NULL && ms__str_iprefix(given, len, "_domainkey")) {
        *why = "it starts with _domainkey: give only the part before ._domainkey";
        return NULL;
    }
    if (dk != NULL) {
        len = (size_t)(dk - given);
    }
    if (len == 0) {
        *why = "nothing before ._domainkey";
        return NULL;
    }
    char *s = ms_arena_strndup(c->arena, given, len);
    if (s == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return NULL;
    }
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = ms__lower(s[i]);
        s[i] = ch;
        if (ch == '.') {
            if (label == 0) {
                *why = "an empty label (RFC 6376 §3.1)";
                return NULL;
            }
            label = 0;
        } else if (ms__is_alnum(ch) || ch == '-' || ch == '_') {
            if (++label > MS_LIMIT_DNS_LABEL) {
                *why = "a label longer than 63 characters (RFC 1035 §2.3.4)";
                return NULL;
            }
        } else {
            *why = "only letters, digits, '-', '_' and dots may appear (RFC 6376 §3.1)";
            return NULL;
        }
    }
    if (label == 0) {
        *why = "it ends in a dot";
        return NULL;
    }
    return s;
}

/* sel._domainkey.suffix, or NULL when it would be longer than a domain name may be. */
static const char *key_name(ms__check_ctx *c, const char *selector, const char *suffix)
{
    if (strlen(selector) + 12 + strlen(suffix) > MS_LIMIT_DNS_NAME) {
        return NULL;
    }
    const char *name = ms__arena_printf(c->arena, "%s._domainkey.%s", selector, suffix);
    if (name == NULL) {
        c->fatal = ms_arena_status(c->arena);
    }
    return name;
}

/* Judge one key record. true when it is a usable key (counted in n_keys_found). */
static bool judge_key(ms__check_ctx *c, ms__check_selector *s, const char *data, size_t len)
{
    const char *rec = ms__check_shown(c, data, len);
    if (rec == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return false;
    }
    const ms__dkim_key *key = NULL;
    ms__dkim_error err;
    memset(&err, 0, sizeof(err));
    ms_status st = ms__dkim_key_parse(data, len, c->arena, &key, &err);
    if (st == MS_ENOMEM || (st == MS_ELIMIT && err.reason == NULL)) {
        c->fatal = st;
        return false;
    }
    if (st != MS_OK) {
        if (err.kind == MS_DKIM_PERMFAIL_KEY_ALGORITHM) {
            ms__check_add(c, "dkim-key-type-mismatch", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, rec,
                          "Publish the key with the k= its p= really is: k=rsa (or no k=) for an "
                          "RSA key, k=ed25519 only for a 32-byte Ed25519 key (RFC 8463 §4).",
                          "The key at %s says k=ed25519 but its p= is not an Ed25519 key, so "
                          "every signature made with this selector fails (%s).",
                          s->name, err.reason ? err.reason : RFC_KEY);
        } else {
            ms__check_add(c, "dkim-key-syntax", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, rec,
                          "Publish the key record exactly as the provider or your signing "
                          "software gives it: \"v=DKIM1; k=rsa; p=<base64 key>\", one TXT "
                          "record (long keys split into several strings of one record).",
                          "The key record at %s cannot be used, so every signature made with "
                          "this selector fails: %s%s%s%s%s.",
                          s->name, ms_dkim_permfail_str(err.kind), err.reason ? ", " : "",
                          err.reason ? err.reason : "", err.detail[0] ? " at: " : "", err.detail);
        }
        return false;
    }
    s->key_type = key->type == MS__DKIM_KEY_ED25519 ? "ed25519" : "rsa";
    s->testing = key->is_testing;
    s->revoked = key->is_revoked;
    if (key->is_revoked) {
        ms__check_add(c, "dkim-revoked", s->given ? MS_CHECK_WARNING : MS_CHECK_INFO,
                      MS_CHECK_AREA_DKIM, rec,
                      s->given ? "If mail is still signed with this selector, publish the new "
                                 "key here or switch the signer to a selector that has one."
                               : NULL,
                      "The key at %s is revoked (empty p=, %s): signatures with selector %s "
                      "fail.",
                      s->name, RFC_KEY, s->selector);
        return false;
    }
    ms__pubkey *pk = NULL;
    ms__key_error kerr;
    memset(&kerr, 0, sizeof(kerr));
    ms__key_type kt = key->type == MS__DKIM_KEY_ED25519 ? MS__KEY_ED25519 : MS__KEY_RSA;
    st = ms__crypto_pubkey_parse(kt, key->p, key->p_len, &pk, &kerr);
    if (st == MS_ENOMEM) {
        c->fatal = st;
        return false;
    }
    if (st != MS_OK) {
        /* 44 base64 characters are 32 bytes: an Ed25519 key published without k=ed25519. */
        bool looks_ed25519 = kt == MS__KEY_RSA && key->p_len == 44 && key->p[43] == '=';
        if (looks_ed25519) {
            ms__check_add(c, "dkim-key-type-mismatch", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, rec,
                          "Add k=ed25519 to the record (RFC 8463 §4): \"v=DKIM1; k=ed25519; "
                          "p=...\".",
                          "The key at %s has no k= (so it means RSA) but its p= is 32 bytes, an "
                          "Ed25519 key: no verifier can use it.",
                          s->name);
        } else {
            ms__check_add(c, "dkim-key-syntax", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, rec,
                          "Publish the public key again, copied whole from the provider or "
                          "from your signing software (a cut-off or re-wrapped p= is the "
                          "usual cause).",
                          "The p= of the key at %s is not a usable %s key: %s.", s->name,
                          s->key_type, kerr.reason ? kerr.reason : "does not decode");
        }
        return false;
    }
    s->key_bits = ms__crypto_pubkey_bits(pk);
    ms__crypto_pubkey_free(pk);
    bool usable = true;
    if (kt == MS__KEY_RSA && s->key_bits < 1024) {
        ms__check_add(c, "dkim-rsa-under-1024", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, rec,
                      "Make a 2048-bit key (mailseal keygen, or the provider's console), "
                      "publish it at a new selector, switch the signer to it, then remove this "
                      "one.",
                      "The key at %s is RSA with %u bits: verifiers must not accept signatures "
                      "with keys under 1024 bits (RFC 8301 §3.2), so they fail.",
                      s->name, s->key_bits);
        usable = false;
    } else if (kt == MS__KEY_RSA && s->key_bits < 2048) {
        ms__check_add(c, "dkim-weak-key", MS_CHECK_WARNING, MS_CHECK_AREA_DKIM, rec,
                      "Rotate to a 2048-bit key at a new selector (RFC 8301 §3.2: signers "
                      "SHOULD use at least 2048 bits).",
                      "The key at %s is RSA with %u bits: it still verifies, but keys under "
                      "2048 bits are considered weak and some receivers may stop accepting "
                      "them.",
                      s->name, s->key_bits);
    }
    if (key->has_h && !key->allows_sha256) {
        ms__check_add(c, "dkim-key-hash", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, rec,
                      "Remove h= from the key record, or make it h=sha256.",
                      "The key at %s allows only h=%s, and SHA-1 signatures are refused (RFC "
                      "8301 §3.1): no signature with this selector can pass.",
                      s->name, key->h);
        usable = false;
    }
    if (!key->is_email) {
        ms__check_add(c, "dkim-key-not-email", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, rec,
                      "Remove s= from the key record (or list email or *).",
                      "The key at %s has s=%s, which does not include email (%s): verifiers "
                      "will not use it for mail.",
                      s->name, key->s, RFC_KEY);
        usable = false;
    }
    if (key->is_testing) {
        ms__check_add(c, "dkim-testing", MS_CHECK_WARNING, MS_CHECK_AREA_DKIM, rec,
                      "When the set-up works, publish the record again without t=y.",
                      "The key at %s has t=y (testing, %s): some verifiers treat its "
                      "signatures as unsigned mail.",
                      s->name, RFC_KEY);
    }
    return usable && c->fatal == MS_OK;
}

/* A DKIM lookup failed: one finding for the first failure of the well-known guesses, one for
 * each given selector. */
static void dns_failed(ms__check_ctx *c, const ms__check_selector *s, const ms_dns_answer *a,
                       unsigned *guess_failures)
{
    if (!s->given && (*guess_failures)++ > 0) {
        c->report->incomplete = true;
        return;
    }
    ms__check_dns_failed(c, MS_CHECK_AREA_DKIM, s->name,
                         a->why ? a->why : ms_dns_rcode_str(a->rcode));
}

/* Does the name exist (records, or a CNAME followed) when the domain is appended twice? */
static bool twice_exists(ms__check_ctx *c, const char *name, const char **target)
{
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(c->resolver, name, MS_DNS_TXT, c->arena, &a);
    if (st != MS_OK) {
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            c->fatal = st;
        }
        return false;
    }
    bool via_cname = a->canon_name != NULL && !same_name(a->canon_name, name);
    *target = via_cname ? a->canon_name : NULL;
    return a->rcode == MS_DNS_OK || via_cname;
}

/* Where providers publish the keys their DKIM CNAMEs point to. */
static const char *const PROVIDER_TARGETS[] = {
    "amazonses.com",       "sendgrid.net", "onmicrosoft.com", "mcsv.net",
    "mandrillapp.com",     "mtasv.net",    "mailgun.org",     "hubspotemail.net",
    "zendesk.com",         "mailjet.com",  "protonmail.ch",   "fastmail.com",
    "messagingengine.com", "zoho.com",     "icloud.com",      "sparkpostmail.com",
};

/* Is meant (a CNAME target with the domain cut off) a name the user meant: one under a
 * provider's key domain, or one that exists in DNS? */
static bool appended_target(ms__check_ctx *c, const char *meant)
{
    size_t ml = strlen(meant);
    for (size_t i = 0; i < sizeof(PROVIDER_TARGETS) / sizeof(PROVIDER_TARGETS[0]); i++) {
        size_t pl = strlen(PROVIDER_TARGETS[i]);
        if (ml > pl && meant[ml - pl - 1] == '.' &&
            ms__str_ieq(meant + ml - pl, pl, PROVIDER_TARGETS[i], pl)) {
            return true;
        }
    }
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(c->resolver, meant, MS_DNS_TXT, c->arena, &a);
    if (st == MS_ENOMEM || st == MS_ELIMIT) {
        c->fatal = st;
    }
    return st == MS_OK && (a->rcode == MS_DNS_OK || a->rcode == MS_DNS_NODATA);
}

/* Look at one selector. Returns false when the audit must stop (out of memory). */
static bool look(ms__check_ctx *c, ms__check_selector *s, unsigned *guess_failures)
{
    const ms_dns_answer *a = NULL;
    ms_status st = ms_resolver_query(c->resolver, s->name, MS_DNS_TXT, c->arena, &a);
    if (st != MS_OK) {
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            c->fatal = st;
            return false;
        }
        return true; /* a name the resolver refuses (cannot happen: checked above) */
    }
    if (a->canon_name != NULL && !same_name(a->canon_name, s->name)) {
        s->cname_target = a->canon_name;
    }
    if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        dns_failed(c, s, a, guess_failures);
        return c->fatal == MS_OK;
    }
    if (a->rcode == MS_DNS_OK) {
        bool usable = false;
        size_t n = a->n_rr < MS_LIMIT_DKIM_KEYS_PER_NAME ? a->n_rr : MS_LIMIT_DKIM_KEYS_PER_NAME;
        for (size_t i = 0; i < n && c->fatal == MS_OK; i++) {
            if (a->rr[i].type != MS_DNS_TXT) {
                continue;
            }
            s->found = true;
            usable = judge_key(c, s, a->rr[i].u.txt.data, a->rr[i].u.txt.len) || usable;
        }
        if (a->n_rr > 1) {
            ms__check_add(c, "dkim-key-several", MS_CHECK_WARNING, MS_CHECK_AREA_DKIM, NULL,
                          "Keep one key record per selector; use a new selector for a new key.",
                          "%s has %zu TXT records: verifiers may pick any of them (RFC 6376 "
                          "§3.6.2.2), so signatures can fail at random.",
                          s->name, a->n_rr);
        }
        if (usable) {
            c->facts.n_keys_found++;
        }
        return c->fatal == MS_OK;
    }
    /* NXDOMAIN or NODATA. */
    if (s->cname_target != NULL) {
        s->pending = true;
        /* The same console mistake on the CNAME's target: entered without its final dot, it
         * got the domain appended ("tok.dkim.amazonses.com.shop.example"). A target of two or
         * more labels before the domain is taken to be such a name. */
        const char *t = s->cname_target;
        size_t tl = strlen(t), dl = strlen(c->domain);
        const char *meant = NULL;
        if (tl > dl + 1 && t[tl - dl - 1] == '.' && ms__str_ieq(t + tl - dl, dl, c->domain, dl) &&
            memchr(t, '.', tl - dl - 1) != NULL) {
            meant = ms_arena_strndup(c->arena, t, tl - dl - 1);
            if (meant == NULL) {
                c->fatal = ms_arena_status(c->arena);
                return false;
            }
            if (!appended_target(c, meant)) {
                meant = NULL;
            }
        }
        if (meant != NULL) {
            s->cname_target = meant;
            ms__check_add(
                c, "dkim-domain-twice", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, NULL,
                ms__arena_printf(c->arena,
                                 "Change the CNAME at %s to point to %s. (in a zone file, with "
                                 "the final dot; in a DNS console, exactly as the provider shows "
                                 "it).",
                                 s->name, meant),
                "The CNAME at %s points to %s: the domain was appended to the target the "
                "provider gave (%s), so the key is never found and DKIM fails.",
                s->name, t, meant);
            return c->fatal == MS_OK;
        }
        if (s->given) {
            ms__check_add(
                c, "dkim-cname-pending", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, NULL,
                "Nothing to change if this CNAME is the one the provider asked for: the "
                "provider publishes the key at the target once it has verified your domain "
                "(Amazon SES checks for up to 72 hours). If it stays pending, compare the "
                "CNAME target with the one the provider's console shows.",
                "DKIM is not applied yet: %s is a CNAME to %s, which does not exist yet (%s). "
                "This is pending at the provider, not broken: until the key is there, mail "
                "signed with selector %s fails DKIM.",
                s->name, s->cname_target, ms_dns_rcode_name(a->rcode), s->selector);
        }
        return c->fatal == MS_OK;
    }
    if (!s->given) {
        return true; /* a guess that missed: not worth a word */
    }
    /* The console mistake: the record published at sel._domainkey.domain.domain. */
    const char *doubled = ms__arena_printf(c->arena, "%s.%s", c->domain, c->domain);
    if (doubled == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return false;
    }
    const char *twice = key_name(c, s->selector, doubled);
    const char *target = NULL;
    if (twice != NULL && twice_exists(c, twice, &target)) {
        const char *fix = ms__arena_printf(
            c->arena,
            "Delete the record at %s and publish it at %s%s%s. DNS consoles append the "
            "domain to the name you type: enter only \"%s._domainkey\".",
            twice, s->name, target ? " as a CNAME to " : "", target ? target : "", s->selector);
        ms__check_add(c, "dkim-domain-twice", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, NULL, fix,
                      "The DKIM record for selector %s was published at %s (the domain twice), "
                      "so verifiers, who look at %s, find nothing and DKIM fails.",
                      s->selector, twice, s->name);
        return c->fatal == MS_OK;
    }
    ms__check_add(c, "dkim-key-missing", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, NULL,
                  ms__arena_printf(c->arena,
                                   "Publish the key record (or the CNAME your provider gives) "
                                   "at %s, or check the selector: it is the s= of the "
                                   "DKIM-Signature field in mail you sent.",
                                   s->name),
                  "No DKIM key at %s (%s): mail signed with selector %s fails DKIM.", s->name,
                  ms_dns_rcode_name(a->rcode), s->selector);
    return c->fatal == MS_OK;
}

static bool already(const ms__check_selector *sel, size_t n, const char *selector)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(sel[i].selector, selector) == 0) {
            return true;
        }
    }
    return false;
}

void ms__check_dkim(ms__check_ctx *c)
{
    const ms_check_options *opt = c->opt;
    size_t n_given = opt ? opt->n_selectors : 0;
    size_t n_max = MS_LIMIT_CHECK_SELECTORS;
    ms__check_selector *sel = ms_arena_alloc(c->arena, n_max * sizeof(*sel));
    if (sel == NULL) {
        c->fatal = ms_arena_status(c->arena);
        return;
    }
    memset(sel, 0, n_max * sizeof(*sel));
    size_t n = 0;
    /* The given ones first, then the guesses, each name once. */
    for (size_t i = 0; i < n_given && c->fatal == MS_OK; i++) {
        const char *given = opt->selectors[i];
        if (given == NULL) {
            continue;
        }
        const char *why = NULL;
        const char *selector = clean_selector(c, given, &why);
        if (selector != NULL && already(sel, n, selector)) {
            continue;
        }
        const char *name = selector ? key_name(c, selector, c->domain) : NULL;
        if (c->fatal != MS_OK) {
            return;
        }
        if (name == NULL || n == n_max) {
            ms__check_add(c, "dkim-selector-invalid", MS_CHECK_ERROR, MS_CHECK_AREA_DKIM, NULL,
                          "Give the selector as the s= of a DKIM-Signature shows it (for Amazon "
                          "SES, the token before ._domainkey in the CNAME name).",
                          "Selector \"%.100s\" was not looked at: %s.", given,
                          n == n_max ? "too many selectors"
                          : why      ? why
                                     : "the key name would be longer than 253 characters");
            continue;
        }
        sel[n++] = (ms__check_selector){.selector = selector, .name = name, .given = true};
    }
    bool guesses = opt == NULL || !opt->no_common_selectors;
    for (size_t i = 0; guesses && i < N_COMMON && n < n_max && c->fatal == MS_OK; i++) {
        if (already(sel, n, COMMON[i].selector)) {
            continue;
        }
        const char *name = key_name(c, COMMON[i].selector, c->domain);
        if (name != NULL) {
            sel[n++] = (ms__check_selector){.selector = COMMON[i].selector, .name = name};
        }
    }
    unsigned guess_failures = 0;
    for (size_t i = 0; i < n && c->fatal == MS_OK; i++) {
        /* After two failed guesses the name servers are not answering: stop guessing (a
         * timeout costs seconds each); the report is already marked incomplete. */
        if (!sel[i].given && guess_failures >= MS_LIMIT_CHECK_GUESS_FAILURES) {
            break;
        }
        if (!look(c, &sel[i], &guess_failures)) {
            return;
        }
    }
    /* The facts keep the given selectors and the guesses that showed something. */
    size_t kept = 0;
    bool any_pending = false;
    for (size_t i = 0; i < n; i++) {
        if (sel[i].given || sel[i].found || sel[i].cname_target != NULL) {
            any_pending = any_pending || sel[i].pending;
            sel[kept++] = sel[i];
        }
    }
    c->facts.selectors = sel;
    c->facts.n_selectors = kept;
    bool rsa = false, ed = false;
    for (size_t i = 0; i < kept; i++) {
        if (sel[i].found && sel[i].key_type != NULL && !sel[i].revoked) {
            rsa = rsa || strcmp(sel[i].key_type, "rsa") == 0;
            ed = ed || strcmp(sel[i].key_type, "ed25519") == 0;
        }
    }
    if (ed && !rsa && c->facts.n_keys_found > 0) {
        ms__check_add(c, "dkim-ed25519-only", MS_CHECK_WARNING, MS_CHECK_AREA_DKIM, NULL,
                      "Sign with an RSA key as well (two signatures, RFC 8463 §1): publish a "
                      "2048-bit RSA key at a second selector.",
                      "Only Ed25519 keys were found: many receivers do not verify Ed25519 "
                      "signatures yet, so to them the mail is unsigned.");
    }
    if (c->facts.n_keys_found > 0 || c->fatal != MS_OK) {
        return;
    }
    bool ed_or_bad_only = false;
    for (size_t i = 0; i < kept; i++) {
        ed_or_bad_only = ed_or_bad_only || sel[i].found;
    }
    if (n_given == 0 && !ed_or_bad_only && guess_failures == 0) {
        ms__check_add(c, "dkim-none-found", MS_CHECK_WARNING, MS_CHECK_AREA_DKIM, NULL,
                      "Give the selector your provider uses with --selector (it is the s= of "
                      "the DKIM-Signature field in mail you sent; for Amazon SES, the token "
                      "before ._domainkey in each of its three CNAMEs).",
                      "No DKIM key found at the %zu well-known selectors looked at%s. DKIM keys "
                      "cannot be listed from DNS, so this does not prove there is none; but "
                      "without DKIM, DMARC rests on SPF alone, which forwarding breaks.",
                      n, any_pending ? " (some are CNAMEs whose target is not published yet)" : "");
    }
}
