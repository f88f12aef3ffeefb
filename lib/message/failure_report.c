/* SPDX-License-Identifier: MIT */
/* The failure reports a receiver makes for one message (include/mailseal/message.h): which ones
 * the DMARC record's ruf= and fo= ask for (RFC 9989 §4.7), each written as an ARF message
 * (RFC 5965) with the auth-failure extension (RFC 6591) as RFC 9991 §4 updates it.
 *
 * What is copied from the reported message is only its header fields (text/rfc822-headers,
 * RFC 6591 §3.1 allows it): the body is where private content lives (RFC 9991 §7.1), and URLs
 * in the copy are defanged as "hxxp" (§7.3). Everything else written comes from our own
 * verdicts, reduced to printable ASCII so that a hostile From or DKIM tag cannot add a header
 * line to the report. The mail is 7-bit: a header copy with 8-bit bytes or long lines is sent
 * base64, so the store can keep it as text. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "mailseal/authres.h"
#include "mailseal/mailseal.h"
#include "mailseal/message.h"
#include "message/history.h"

/* fo= (RFC 9989 §4.7), the options as listed: "fo=d" asks for DKIM reports only; an absent fo=
 * means "0". (The record parser drops an fo= naming both "0" and "1", which are exclusive.) */
typedef struct fo_options {
    bool all;  /* 0: no mechanism gave an aligned pass */
    bool any;  /* 1: any mechanism without an aligned pass */
    bool dkim; /* d: each failed DKIM signature */
    bool spf;  /* s: a failed SPF check */
} fo_options;

static fo_options parse_fo(const char *fo)
{
    fo_options o = {false, false, false, false};
    if (fo == NULL) {
        o.all = true;
        return o;
    }
    size_t n = strnlen(fo, MS_LIMIT_STORE_FIELD);
    size_t at = 0;
    while (at < n) {
        size_t end = at;
        while (end < n && fo[end] != ':') {
            end++;
        }
        size_t b = at, e = end;
        while (b < e && ms__is_space(fo[b])) {
            b++;
        }
        while (e > b && ms__is_space(fo[e - 1])) {
            e--;
        }
        if (e - b == 1) {
            char c = ms__lower(fo[b]);
            o.all |= c == '0';
            o.any |= c == '1';
            o.dkim |= c == 'd';
            o.spf |= c == 's';
        }
        at = end + 1;
    }
    return o;
}

/* Is domain `d` aligned with the author domain under mode? Relaxed: d is the organizational
 * domain of the author domain or below it (RFC 9989 §4.4: same organizational domain). */
static bool aligned(const char *d, const ms_dmarc_verdict *v, ms_dmarc_alignment mode)
{
    if (d == NULL || v->from_domain == NULL) {
        return false;
    }
    size_t dl = strlen(d);
    if (ms__str_ieq(d, dl, v->from_domain, strlen(v->from_domain))) {
        return true;
    }
    if (mode == MS_DMARC_ALIGN_STRICT || v->org_domain == NULL) {
        return false;
    }
    size_t ol = strlen(v->org_domain);
    return ms__str_ieq(d, dl, v->org_domain, ol) ||
           (dl > ol + 1 && d[dl - ol - 1] == '.' &&
            ms__str_ieq(d + dl - ol, ol, v->org_domain, ol));
}

/* ---- writing ---------------------------------------------------------------------------- */

/* Printable ASCII only, at most max bytes: what comes from the message (domains, addresses,
 * reasons) can carry CR, LF or 8-bit bytes; the report must stay one line per field. */
static void put_clean(ms__buf *b, const char *s, size_t max)
{
    if (s == NULL) {
        return;
    }
    size_t n = strnlen(s, max);
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        ms__buf_putc(b, c >= 0x20 && c < 0x7f ? c : c == '\t' ? ' ' : '?');
    }
}

static void put_field(ms__buf *b, const char *name, const char *value)
{
    ms__buf_puts(b, name);
    ms__buf_puts(b, ": ");
    put_clean(b, value, MS_LIMIT_STORE_FIELD);
    ms__buf_puts(b, "\r\n");
}

/* A quoted-string (RFC 5322 §3.2.4) of printable ASCII. */
static void put_quoted(ms__buf *b, const char *s)
{
    ms__buf_putc(b, '"');
    size_t n = strnlen(s, MS_LIMIT_STORE_FIELD);
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (c == '"' || c == '\\') {
            ms__buf_putc(b, '\\');
        }
        ms__buf_putc(b, c >= 0x20 && c < 0x7f ? c : '?');
    }
    ms__buf_putc(b, '"');
}

static void rfc5322_date(int64_t when, char *out, size_t len)
{
    time_t t = (time_t)when;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, len, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0) {
        (void)snprintf(out, len, "Thu, 01 Jan 1970 00:00:00 +0000");
    }
}

/* One header field as copied: line ends made CRLF, URLs defanged (RFC 9991 §7.3: "hxxp" keeps
 * a link readable but not clickable), a line end added when the field had none (the last one
 * before the body). Writes into b, or only measures when b is NULL; returns the bytes. */
static size_t copy_field(ms__buf *b, const char *r, size_t n)
{
    size_t out = 0;
    for (size_t k = 0; k < n; k++) {
        char c = r[k];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && k + 1 < n && r[k + 1] == '\n') {
                k++;
            }
            if (b != NULL) {
                ms__buf_puts(b, "\r\n");
            }
            out += 2;
            continue;
        }
        if ((c == 'h' || c == 'H') && ms__str_iprefix(r + k, n - k, "http") &&
            (ms__str_iprefix(r + k + 4, n - k - 4, "://") ||
             ms__str_iprefix(r + k + 4, n - k - 4, "s://"))) {
            if (b != NULL) {
                ms__buf_append(b, r + k, 1);
                ms__buf_puts(b, "xx");
                ms__buf_append(b, r + k + 3, 1);
            }
            out += 4;
            k += 3;
            continue;
        }
        if (b != NULL) {
            ms__buf_putc(b, c);
        }
        out++;
    }
    if (n == 0 || (r[n - 1] != '\n' && r[n - 1] != '\r')) {
        if (b != NULL) {
            ms__buf_puts(b, "\r\n");
        }
        out += 2;
    }
    return out;
}

/* The reported message's header fields as received, whole fields only, up to
 * MS_LIMIT_FAILURE_HEADERS bytes as copied. *cut says some were left out. */
static void copy_headers(ms__buf *b, const ms_msg *msg, bool *cut)
{
    *cut = false;
    size_t n_fields = ms_msg_field_count(msg);
    for (size_t i = 0; i < n_fields; i++) {
        const ms_msg_field *f = ms_msg_field_at(msg, i);
        if (f == NULL) {
            break;
        }
        if (b->len + copy_field(NULL, f->raw, f->raw_len) > MS_LIMIT_FAILURE_HEADERS) {
            *cut = true;
            break;
        }
        (void)copy_field(b, f->raw, f->raw_len);
    }
}

/* 7-bit text with lines of at most 998 bytes (RFC 5322 §2.1.1) can go as it is. */
static bool seven_bit(const char *p, size_t n)
{
    size_t line = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        if (c == '\n') {
            line = 0;
            continue;
        }
        if (c == 0 || c >= 0x80 || ++line > 998) {
            return false;
        }
    }
    return true;
}

static void put_base64_lines(ms__buf *b, const char *p, size_t n)
{
    for (size_t at = 0; at < n; at += 57) { /* 57 bytes: 76 characters a line (RFC 2045 §6.8) */
        size_t k = n - at < 57 ? n - at : 57;
        char line[80];
        if (ms__base64_encode((const uint8_t *)p + at, k, line, sizeof line, NULL) != MS_OK) {
            b->status = MS_ELIMIT;
            return;
        }
        ms__buf_puts(b, line);
        ms__buf_puts(b, "\r\n");
    }
}

/* FNV-1a: a stable tag for the Message-ID and the MIME boundary. */
static uint64_t fnv(const char *p, size_t n, uint64_t h)
{
    for (size_t k = 0; k < n; k++) {
        h = (h ^ (unsigned char)p[k]) * 1099511628211u;
    }
    return h;
}

typedef struct report_ctx {
    const ms_message *m;
    const ms_failure_input *in;
    const ms_verdicts *v;
    ms_arena *arena;
    const char *headers; /* the copied header block */
    size_t headers_len;
    bool headers_cut;
    uint64_t tag;
} report_ctx;

typedef struct one_report {
    const char *auth_failure;       /* Auth-Failure */
    const char *what;               /* "DMARC", "DKIM", "SPF": in the Subject and text */
    const char *auth_results;       /* the single method result (RFC 6591 §3.1) */
    const ms_dkim_sig_result *dkim; /* DKIM-Domain/-Identity/-Selector, or NULL */
    const ms_spf_verdict *spf_dns;  /* SPF-DNS, or NULL */
    const char *identity_alignment; /* dmarc reports only */
} one_report;

static const char *domain_part(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at && at[1] ? at + 1 : NULL;
}

static void plain_words(ms__buf *b, const report_ctx *c, const one_report *r, const char *date)
{
    const ms_dmarc_verdict *d = c->v->dmarc;
    ms__buf_puts(b, "This is an authentication failure report (RFC 9991, RFC 6591) from ");
    put_clean(b, ms__message_authserv_id(c->m), 255);
    ms__buf_puts(b, ".\r\n\r\nA message with the author domain ");
    put_clean(b, d->from_domain, 255);
    ms__buf_puts(b, " arrived from ");
    put_clean(b, ms__message_client_ip(c->m), 64);
    ms__buf_printf(b, " on %s", date);
    if (c->in->queue_id != NULL) {
        ms__buf_puts(b, " (queue id ");
        put_clean(b, c->in->queue_id, 64);
        ms__buf_putc(b, ')');
    }
    ms__buf_printf(b, " and failed %s:\r\n\r\n", r->what);
    if (c->v->spf != NULL) {
        ms__buf_printf(b, "  SPF   %s for ", ms_spf_result_name(c->v->spf->result));
        put_clean(b, c->v->spf->domain, 255);
        ms__buf_puts(b, d->spf_aligned ? ", aligned\r\n" : ", not an aligned pass\r\n");
    } else {
        ms__buf_puts(b, "  SPF   not checked\r\n");
    }
    if (c->v->n_dkim == 0) {
        ms__buf_puts(b, "  DKIM  no signature\r\n");
    }
    for (size_t k = 0; k < c->v->n_dkim && k < MS_LIMIT_STORE_DKIM; k++) {
        const ms_dkim_sig_result *s = &c->v->dkim[k];
        ms__buf_printf(b, "  DKIM  %s for d=", ms_dkim_result_name(s->result));
        put_clean(b, s->domain ? s->domain : "?", 255);
        ms__buf_puts(b, " s=");
        put_clean(b, s->selector ? s->selector : "?", 255);
        if (s->result != MS_DKIM_PASS && s->reason != NULL) {
            ms__buf_puts(b, ": ");
            put_clean(b, s->reason, 200);
        }
        ms__buf_puts(b, "\r\n");
    }
    ms__buf_printf(b, "  DMARC %s, the domain's policy is %s", ms_dmarc_result_name(d->result),
                   ms_dmarc_policy_name(d->policy));
    if (c->in->delivery_result != NULL) {
        ms__buf_puts(b, "; the message was handled as: ");
        put_clean(b, c->in->delivery_result, 20);
    }
    ms__buf_puts(b, "\r\n\r\nThe message's header fields follow");
    ms__buf_puts(b, c->headers_cut ? " (the first ones only: the rest was too long)" : "");
    ms__buf_puts(b, "; its body is not included, and links read \"hxxp\".\r\n");
}

static void feedback_part(ms__buf *b, const report_ctx *c, const one_report *r, const char *date)
{
    const ms_dmarc_verdict *d = c->v->dmarc;
    put_field(b, "Feedback-Type", "auth-failure");
    put_field(b, "User-Agent", "mailseal/" MS_VERSION);
    put_field(b, "Version", "1");
    put_field(b, "Auth-Failure", r->auth_failure);
    if (r->identity_alignment != NULL) {
        put_field(b, "Identity-Alignment", r->identity_alignment);
    }
    if (c->in->delivery_result != NULL) {
        put_field(b, "Delivery-Result", c->in->delivery_result);
    }
    put_field(b, "Source-IP", ms__message_client_ip(c->m));
    const char *mf = ms__message_mail_from(c->m);
    ms__buf_puts(b, "Original-Mail-From: <");
    put_clean(b, mf != NULL && strcmp(mf, "<>") != 0 ? mf : "", 512);
    ms__buf_puts(b, ">\r\n");
    if (c->in->envelope_to != NULL) {
        const char *to = c->in->envelope_to;
        ms__buf_puts(b, "Original-Rcpt-To: ");
        ms__buf_puts(b, to[0] == '<' ? "" : "<");
        put_clean(b, to, 512);
        ms__buf_puts(b, to[0] == '<' ? "\r\n" : ">\r\n");
    }
    put_field(b, "Arrival-Date", date);
    if (c->in->reporting_mta != NULL) {
        ms__buf_puts(b, "Reporting-MTA: dns; ");
        put_clean(b, c->in->reporting_mta, 255);
        ms__buf_puts(b, "\r\n");
    }
    put_field(b, "Reported-Domain", d->from_domain);
    ms__buf_puts(b, "Authentication-Results: ");
    put_clean(b, ms__message_authserv_id(c->m), 255);
    ms__buf_puts(b, "; ");
    put_clean(b, r->auth_results, MS_LIMIT_STORE_FIELD);
    ms__buf_puts(b, "\r\n");
    if (r->dkim != NULL) {
        put_field(b, "DKIM-Domain", r->dkim->domain);
        put_field(b, "DKIM-Identity", r->dkim->auid);
        put_field(b, "DKIM-Selector", r->dkim->selector);
    }
    if (r->spf_dns != NULL && r->spf_dns->record != NULL && r->spf_dns->domain != NULL) {
        /* RFC 6591 §4: spf-dns = "SPF-DNS:" ("txt"/"spf") ":" domain ":" quoted-string */
        ms__buf_puts(b, "SPF-DNS: txt : ");
        put_clean(b, r->spf_dns->domain, 255);
        ms__buf_puts(b, " : ");
        put_quoted(b, r->spf_dns->record);
        ms__buf_puts(b, "\r\n");
    }
}

static ms_status write_report(const report_ctx *c, const one_report *r, size_t index,
                              ms_failure_report *out)
{
    const ms_dmarc_verdict *d = c->v->dmarc;
    char date[64];
    rfc5322_date(c->in->arrival, date, sizeof date);
    bool plain = seven_bit(c->headers, c->headers_len);
    /* A boundary the header copy does not contain (RFC 2046 §5.1.1); base64 never has "=_". */
    char boundary[80];
    uint64_t tag = c->tag ^ (uint64_t)index;
    for (unsigned tries = 0;; tries++) {
        (void)snprintf(boundary, sizeof boundary, "=_mailseal-arf-%016llx-%u",
                       (unsigned long long)tag, tries);
        if (!plain ||
            ms__mem_find(c->headers, c->headers_len, boundary, strlen(boundary)) == NULL) {
            break;
        }
        if (tries == 8) {
            plain = false; /* base64 cannot contain it */
        }
    }
    ms__buf b;
    ms__buf_init(&b, c->arena, MS_LIMIT_FAILURE_MESSAGE);
    ms__buf_puts(&b, "From: <");
    put_clean(&b, c->in->from, 512);
    ms__buf_puts(&b, ">\r\n");
    put_field(&b, "Date", date);
    ms__buf_printf(&b, "Subject: %s failure report for ", r->what);
    put_clean(&b, d->from_domain, 255);
    ms__buf_puts(&b, " from ");
    put_clean(&b, ms__message_client_ip(c->m), 64);
    ms__buf_puts(&b, "\r\n");
    const char *from_domain = domain_part(c->in->from);
    ms__buf_printf(&b, "Message-ID: <arf.%lld.%016llx.%zu@", (long long)c->in->arrival,
                   (unsigned long long)c->tag, index);
    put_clean(&b, from_domain ? from_domain : "localhost", 255);
    ms__buf_puts(&b, ">\r\n");
    /* RFC 3834 §5: automatic mail; with multipart/report it keeps reports from being reported. */
    put_field(&b, "Auto-Submitted", "auto-generated");
    put_field(&b, "MIME-Version", "1.0");
    ms__buf_printf(&b,
                   "Content-Type: multipart/report; report-type=feedback-report;\r\n"
                   "\tboundary=\"%s\"\r\n\r\n"
                   "This is an authentication failure report in MIME format.\r\n\r\n--%s\r\n"
                   "Content-Type: text/plain; charset=us-ascii\r\n"
                   "Content-Transfer-Encoding: 7bit\r\n\r\n",
                   boundary, boundary);
    plain_words(&b, c, r, date);
    ms__buf_printf(&b, "\r\n--%s\r\nContent-Type: message/feedback-report\r\n\r\n", boundary);
    feedback_part(&b, c, r, date);
    ms__buf_printf(&b, "\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n", boundary);
    if (plain) {
        ms__buf_puts(&b, "Content-Transfer-Encoding: 7bit\r\n\r\n");
        ms__buf_append(&b, c->headers, c->headers_len);
    } else {
        ms__buf_puts(&b, "Content-Transfer-Encoding: base64\r\n\r\n");
        put_base64_lines(&b, c->headers, c->headers_len);
    }
    ms__buf_printf(&b, "\r\n--%s--\r\n", boundary);
    ms_status st = ms__buf_status(&b);
    if (st != MS_OK) {
        return st;
    }
    out->auth_failure = r->auth_failure;
    out->policy_domain = d->policy_domain;
    out->record = d->record_text;
    out->message = b.data;
    out->message_len = b.len;
    return MS_OK;
}

static const char *lower_copy(ms_arena *arena, const char *s)
{
    char *o = ms_arena_strdup(arena, s);
    for (size_t k = 0; o != NULL && o[k] != '\0'; k++) {
        o[k] = ms__lower(o[k]);
    }
    return o;
}

ms_status ms_message_failure_reports(const ms_message *m, const ms_failure_input *in,
                                     ms_arena *arena, const ms_failure_report **out, size_t *n)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (n != NULL) {
        *n = 0;
    }
    const ms_verdicts *v = in != NULL && in->verdicts != NULL ? in->verdicts
                           : m != NULL                        ? ms_message_verdicts(m)
                                                              : NULL;
    if (v == NULL || in == NULL || in->from == NULL || arena == NULL || out == NULL || n == NULL) {
        return MS_EINVAL;
    }
    const ms_dmarc_verdict *d = v->dmarc;
    /* RFC 9989 §4.7: no ruf=, no failure reports; RFC 9991 §2: never for a psd=y record;
     * a message that carries reports is never reported (no loops). */
    if (d == NULL || d->record == NULL || d->record->n_ruf == 0 || d->record->psd == 'y' ||
        d->policy_domain == NULL || d->from_domain == NULL || d->record_text == NULL ||
        (d->result != MS_DMARC_PASS && d->result != MS_DMARC_FAIL) ||
        ms_message_carries_report(m)) {
        return MS_OK;
    }
    fo_options fo = parse_fo(d->record->fo);
    one_report want[MS_LIMIT_FAILURE_PER_MESSAGE];
    size_t n_want = 0;
    bool dmarc_report = (fo.any && !(d->spf_aligned && d->dkim_aligned)) ||
                        (fo.all && !d->spf_aligned && !d->dkim_aligned);
    if (dmarc_report) {
        one_report r = {"dmarc", "DMARC", NULL, NULL, NULL, NULL};
        r.identity_alignment = !d->dkim_aligned && !d->spf_aligned ? "dkim, spf"
                               : !d->dkim_aligned                  ? "dkim"
                               : !d->spf_aligned                   ? "spf"
                                                                   : "none";
        if (ms_authres_dmarc_format(d, arena, &r.auth_results) != MS_OK) {
            return ms_arena_status(arena);
        }
        /* RFC 9991 §4: the DKIM fields for a DKIM failure of an aligned identifier, SPF-DNS
         * for an SPF failure of one. */
        for (size_t k = 0; k < v->n_dkim; k++) {
            const ms_dkim_sig_result *s = &v->dkim[k];
            if (s->result != MS_DKIM_PASS && s->result != MS_DKIM_NONE &&
                aligned(s->domain, d, d->adkim)) {
                r.dkim = s;
                break;
            }
        }
        if (v->spf != NULL && v->spf->result != MS_SPF_PASS &&
            aligned(v->spf->domain, d, d->aspf)) {
            r.spf_dns = v->spf;
        }
        want[n_want++] = r;
    }
    for (size_t k = 0; fo.dkim && k < v->n_dkim && n_want < MS_LIMIT_FAILURE_PER_MESSAGE; k++) {
        const ms_dkim_sig_result *s = &v->dkim[k];
        if ((s->result != MS_DKIM_FAIL && s->result != MS_DKIM_PERMERROR) || s->domain == NULL) {
            continue;
        }
        one_report r = {s->body_hash_mismatch                         ? "bodyhash"
                        : s->permfail == MS_DKIM_PERMFAIL_KEY_REVOKED ? "revoked"
                                                                      : "signature",
                        "DKIM",
                        NULL,
                        s,
                        NULL,
                        NULL};
        if (ms_authres_dkim_format(s, arena, &r.auth_results) != MS_OK) {
            return ms_arena_status(arena);
        }
        want[n_want++] = r;
    }
    /* fo=s: SPF "failed": fail, softfail, or a permerror of the domain's own record. */
    if (fo.spf && v->spf != NULL && n_want < MS_LIMIT_FAILURE_PER_MESSAGE &&
        (v->spf->result == MS_SPF_FAIL || v->spf->result == MS_SPF_SOFTFAIL ||
         v->spf->result == MS_SPF_PERMERROR)) {
        one_report r = {"spf", "SPF", NULL, NULL, v->spf, NULL};
        if (ms_authres_spf_format(v->spf, arena, &r.auth_results) != MS_OK) {
            return ms_arena_status(arena);
        }
        want[n_want++] = r;
    }
    if (n_want == 0) {
        return MS_OK;
    }
    report_ctx c = {m, in, v, arena, NULL, 0, false, 0};
    ms__buf h;
    ms__buf_init(&h, arena, MS_LIMIT_FAILURE_HEADERS);
    copy_headers(&h, ms_message_msg(m), &c.headers_cut);
    if (ms__buf_status(&h) != MS_OK) {
        return ms__buf_status(&h);
    }
    c.headers = h.data != NULL ? h.data : "";
    c.headers_len = h.len;
    c.tag = fnv(c.headers, c.headers_len, 14695981039346656037u ^ (uint64_t)in->arrival);
    ms_failure_report *reports = ms_arena_alloc(arena, sizeof *reports * n_want);
    if (reports == NULL) {
        return ms_arena_status(arena);
    }
    for (size_t k = 0; k < n_want; k++) {
        ms_status st = write_report(&c, &want[k], k, &reports[k]);
        if (st != MS_OK) {
            return st;
        }
        reports[k].policy_domain = lower_copy(arena, d->policy_domain);
        if (reports[k].policy_domain == NULL) {
            return ms_arena_status(arena);
        }
    }
    *out = reports;
    *n = n_want;
    return MS_OK;
}
