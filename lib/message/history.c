/* SPDX-License-Identifier: MIT */
/* The history row a receiver records for one message (include/mailseal/message.h): what an
 * RFC 9990 aggregate report needs, built from the message's verdicts. The milter and
 * `mailseal verify --store` both use it, so a row means the same whoever wrote it.
 *
 * Report loops: mail carrying reports is never itself reported (RFC 9990 §3.5.2 asks report
 * mail to pass DMARC, and reporting on it would mail reports about reports). A message carries
 * reports when it is multipart/report (RFC 6522: DMARC failure reports, DSNs), has a Subject
 * "Report Domain:" (RFC 9990 §3.5.2, RFC 8460 §5.3), a TLS-Report-Domain field (RFC 8460 §5.3),
 * or a part typed application/tlsrpt+* or named like a report file (receiver!domain!begin!end
 * ... .xml, .xml.gz, .zip, .json.gz). */
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "mailseal/message.h"
#include "message/history.h"

/* ---- spotting report-carrying mail ------------------------------------------------------ */

static bool has_suffix_i(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && ms__str_ieq(s + n - k, k, suffix, k);
}

/* A file name like "receiver!policy-domain!begin!end[!id].xml.gz" (RFC 9990 §3.5.2). */
static bool report_name(const char *s, size_t n)
{
    size_t bangs = 0;
    for (size_t k = 0; k < n; k++) {
        bangs += s[k] == '!';
    }
    return bangs >= 3 &&
           (has_suffix_i(s, n, ".xml") || has_suffix_i(s, n, ".xml.gz") ||
            has_suffix_i(s, n, ".zip") || has_suffix_i(s, n, ".gz") || has_suffix_i(s, n, ".json"));
}

bool ms__report_mime_value(const char *v, size_t n)
{
    if (ms__mem_find(v, n, "multipart/report", 16) != NULL ||
        ms__mem_find(v, n, "MULTIPART/REPORT", 16) != NULL ||
        ms__mem_find(v, n, "application/tlsrpt", 18) != NULL) {
        return true;
    }
    /* name= or filename= parameters (RFC 2045 §5.1, RFC 2183 §2.3), quoted or not. */
    for (size_t k = 0; k + 5 <= n; k++) {
        if (!ms__str_ieq(v + k, 5, "name=", 5)) {
            continue;
        }
        size_t at = k + 5;
        bool quoted = at < n && v[at] == '"';
        at += quoted;
        size_t end = at;
        while (end < n && (quoted ? v[end] != '"' : (v[end] != ';' && !ms__is_space(v[end])))) {
            end++;
        }
        if (report_name(v + at, end - at)) {
            return true;
        }
    }
    return false;
}

static bool starts_with_i(const char *s, size_t n, const char *prefix)
{
    return ms__str_iprefix(s, n, prefix);
}

static void scan_line(ms__report_scan *sc)
{
    const char *l = sc->line;
    size_t n = sc->len;
    bool field =
        starts_with_i(l, n, "content-type:") || starts_with_i(l, n, "content-disposition:");
    bool folded = n > 0 && (l[0] == ' ' || l[0] == '\t') && sc->in_mime;
    if ((field || folded) && ms__report_mime_value(l, n)) {
        sc->found = true;
    }
    sc->in_mime = field || folded;
}

void ms__report_scan_feed(ms__report_scan *sc, const char *p, size_t n)
{
    for (size_t k = 0; k < n && !sc->found; k++) {
        char c = p[k];
        if (c == '\n') {
            if (sc->len > 0 && sc->line[sc->len - 1] == '\r') {
                sc->len--;
            }
            scan_line(sc);
            sc->len = 0;
        } else if (sc->len < sizeof sc->line) {
            sc->line[sc->len++] = c;
        }
    }
}

bool ms_message_carries_report(const ms_message *m)
{
    if (m == NULL) {
        return false;
    }
    if (ms__message_body_has_report(m)) {
        return true;
    }
    const ms_msg *msg = ms_message_msg(m);
    const ms_msg_field *f = NULL;
    while ((f = ms_msg_next(msg, "Content-Type", 12, f)) != NULL) {
        if (ms__report_mime_value(f->value, f->value_len)) {
            return true;
        }
    }
    while ((f = ms_msg_next(msg, "Content-Disposition", 19, f)) != NULL) {
        if (ms__report_mime_value(f->value, f->value_len)) {
            return true;
        }
    }
    if (ms_msg_next(msg, "TLS-Report-Domain", 17, NULL) != NULL) {
        return true;
    }
    while ((f = ms_msg_next(msg, "Subject", 7, f)) != NULL) {
        size_t k = 0;
        while (k < f->value_len && ms__is_space(f->value[k])) {
            k++;
        }
        if (ms__str_iprefix(f->value + k, f->value_len - k, "Report Domain:") ||
            ms__str_iprefix(f->value + k, f->value_len - k, "Report domain:")) {
            return true;
        }
    }
    return false;
}

/* ---- the history row ------------------------------------------------------------------- */

/* The domain of a reverse-path or address: "<a@b.example>" gives "b.example"; NULL for the
 * null sender. */
static const char *domain_of(ms_arena *arena, const char *addr)
{
    if (addr == NULL) {
        return NULL;
    }
    size_t n = strlen(addr);
    while (n > 0 && (addr[n - 1] == '>' || ms__is_space(addr[n - 1]))) {
        n--;
    }
    const char *at = NULL;
    for (size_t k = 0; k < n; k++) {
        if (addr[k] == '@') {
            at = addr + k;
        }
    }
    const char *d = at ? at + 1 : addr;
    while (!at && d < addr + n && (*d == '<' || ms__is_space(*d))) {
        d++;
    }
    size_t len = (size_t)(addr + n - d);
    if (len == 0) {
        return NULL;
    }
    char *out = ms_arena_strndup(arena, d, len);
    for (size_t k = 0; out != NULL && k < len; k++) {
        out[k] = ms__lower(out[k]);
    }
    return out;
}

static const char *align_name(ms_dmarc_alignment a)
{
    return a == MS_DMARC_ALIGN_STRICT ? "s" : "r";
}

ms_status ms_message_history_row(const ms_message *m, const ms_history_input *in, ms_arena *arena,
                                 ms_history_row *out)
{
    if (out != NULL) {
        memset(out, 0, sizeof *out);
    }
    const ms_verdicts *v =
        in != NULL && in->verdicts != NULL ? in->verdicts : ms_message_verdicts(m);
    if (v == NULL || in == NULL || arena == NULL || out == NULL) {
        return MS_EINVAL;
    }
    ms_history_row r;
    memset(&r, 0, sizeof r);
    r.received = in->received;
    r.queue_id = in->queue_id;
    r.source_ip = ms__message_client_ip(m);
    const char *helo = ms__message_helo(m);
    r.helo = helo != NULL && helo[0] != '\0' ? helo : NULL;
    r.envelope_to = domain_of(arena, in->envelope_to);
    r.envelope_from = domain_of(arena, ms__message_mail_from(m));
    if (v->spf != NULL) {
        r.spf_domain = v->spf->domain;
        r.spf_scope = "mfrom";
        r.spf_result = ms_spf_result_name(v->spf->result);
    }
    size_t nd = v->n_dkim < MS_LIMIT_STORE_DKIM ? v->n_dkim : MS_LIMIT_STORE_DKIM;
    ms_history_dkim *dk = nd ? ms_arena_alloc(arena, sizeof *dk * nd) : NULL;
    if (nd > 0 && dk == NULL) {
        return ms_arena_status(arena);
    }
    for (size_t i = 0; i < nd; i++) {
        dk[i].domain = v->dkim[i].domain;
        dk[i].selector = v->dkim[i].selector;
        dk[i].result = ms_dkim_result_name(v->dkim[i].result);
        dk[i].human_result = NULL;
    }
    r.dkim = dk;
    r.n_dkim = nd;
    r.pct = -1;
    const ms_dmarc_verdict *d = v->dmarc;
    if (d != NULL) {
        r.header_from = d->from_domain;
        r.dmarc_result = ms_dmarc_result_name(d->result);
        r.policy_domain = d->policy_domain;
        r.dkim_aligned = d->dkim_aligned ? 1 : 0;
        r.spf_aligned = d->spf_aligned ? 1 : 0;
        if (d->record != NULL) {
            r.p = ms_dmarc_policy_name(d->record->p);
            r.sp = ms_dmarc_policy_name(d->record->sp);
            r.np = ms_dmarc_policy_name(d->record->np);
            r.adkim = align_name(d->record->adkim);
            r.aspf = align_name(d->record->aspf);
            r.fo = d->record->fo;
            r.testing = d->record->testing ? "y" : "n";
            r.pct = d->record->has_pct ? (int)d->record->pct : -1;
            r.discovery = ms__message_dmarc_mode(m) == MS_DMARC_MODE_RFC7489 ? "psl" : "treewalk";
        }
    }
    r.disposition = in->disposition != NULL ? in->disposition
                    : d != NULL             ? ms_dmarc_policy_name(d->disposition)
                                            : "none";
    r.overrides = in->overrides;
    r.n_overrides = in->n_overrides;
    if (r.n_overrides == 0 && d != NULL && d->testing && d->result == MS_DMARC_FAIL &&
        d->policy != MS_DMARC_POLICY_NONE) {
        /* t=y lowered the disposition (RFC 9990 §3.1.6 policy_test_mode). */
        static const ms_history_override TEST_MODE = {"policy_test_mode", NULL};
        r.overrides = &TEST_MODE;
        r.n_overrides = 1;
    }
    r.carries_report = ms_message_carries_report(m) ? 1 : 0;
    if (ms_arena_status(arena) != MS_OK) {
        return ms_arena_status(arena); /* a domain copy failed */
    }
    *out = r;
    return MS_OK;
}
