/* SPDX-License-Identifier: MIT */
/* The report summary as text (aligned tables, then the advice, ANSI colour on request) and as
 * CSV (RFC 4180 §2: CRLF, fields quoted when they hold a comma, quote or line break, quotes
 * doubled; one row per source IP). Strings from reports are attacker-controlled: the text keeps
 * printable ASCII only, the CSV neuters spreadsheet formulas (a leading = + - @). */
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "summary/internal.h"

#define WRAP 100

const char *ms__summary_num(uint64_t n, char *buf, size_t len)
{
    char digits[32];
    int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < nd && o + 1 < len; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && o + 2 < len) {
            buf[o++] = ',';
        }
        buf[o++] = digits[i];
    }
    if (len > 0) {
        buf[o < len ? o : len - 1] = '\0';
    }
    return buf;
}

const char *ms__summary_pct(uint64_t part, uint64_t whole, char *buf, size_t len)
{
    if (whole == 0) {
        snprintf(buf, len, "-");
    } else if (part >= whole) {
        snprintf(buf, len, "100%%");
    } else if (part == 0) {
        snprintf(buf, len, "0%%");
    } else {
        /* one decimal, never rounded up to 100% or down to 0% */
        double v = (double)part * 100.0 / (double)whole;
        if (v > 99.9) {
            v = 99.9;
        } else if (v < 0.1) {
            v = 0.1;
        }
        snprintf(buf, len, "%.1f%%", v);
    }
    return buf;
}

const char *ms__summary_clean(ms_arena *arena, const char *s)
{
    if (s == NULL) {
        return "";
    }
    size_t n = strlen(s);
    char *c = ms_arena_strndup(arena, s, n);
    if (c == NULL) {
        return "";
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)c[i];
        if (ch < 0x20 || ch >= 0x7f) {
            c[i] = '?';
        }
    }
    return c;
}

const char *ms__summary_source_words(ms_arena *arena, const ms_summary_source *s)
{
    const char *w;
    if (s->provider != NULL && s->ptr != NULL && s->ptr_confirmed) {
        w = ms__arena_printf(arena, "%s (%s, %s)", s->ip, s->ptr, s->provider);
    } else if (s->provider != NULL) {
        w = ms__arena_printf(arena, "%s (%s)", s->ip, s->provider);
    } else if (s->ptr != NULL) {
        w = ms__arena_printf(arena, "%s (%s%s)", s->ip, s->ptr,
                             s->ptr_confirmed ? "" : ", unconfirmed");
    } else {
        w = s->ip;
    }
    return w ? w : s->ip;
}

typedef struct palette {
    const char *good, *warn, *bad, *bold, *dim, *off;
} palette;
static const palette ANSI = {"\033[32m", "\033[33m", "\033[31m", "\033[1m", "\033[2m", "\033[0m"};
static const palette PLAIN = {"", "", "", "", "", ""};

static const char *rate_colour(const palette *p, uint64_t part, uint64_t whole)
{
    if (whole == 0) {
        return p->dim;
    }
    return part >= whole ? p->good : part == 0 ? p->bad : p->warn;
}

/* Appends text wrapped at WRAP columns, continuation lines indented by indent. */
static void wrapped(ms__buf *b, const char *text, size_t first_col, size_t indent)
{
    size_t col = first_col;
    const char *p = text;
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t wl = sp ? (size_t)(sp - p) : strlen(p);
        if (col > indent && col + 1 + wl > WRAP) {
            ms__buf_printf(b, "\n%*s", (int)indent, "");
            col = indent;
        } else if (p != text) {
            ms__buf_putc(b, ' ');
            col++;
        }
        ms__buf_append(b, p, wl);
        col += wl;
        p += wl;
        while (*p == ' ') {
            p++;
        }
    }
    ms__buf_putc(b, '\n');
}

static void header(ms__buf *b, const ms_summary_result *r, const palette *c)
{
    char d1[16], d2[16], n1[32], n2[32], n3[32], pct[16], p2[16], p3[16];
    ms_arena *a = b->arena;
    ms__buf_printf(b, "%sDMARC reports for %s%s", c->bold,
                   r->domain           ? ms__summary_clean(a, r->domain)
                   : r->n_domains == 1 ? ms__summary_clean(a, r->domains[0].domain)
                                       : "every domain",
                   c->off);
    if (r->first_seen != 0) {
        ms__buf_printf(b, ", %s to %s (UTC)", ms_summary_date(r->first_seen, d1, sizeof(d1)),
                       ms_summary_date(r->last_seen, d2, sizeof(d2)));
    }
    ms__buf_putc(b, '\n');
    if ((r->since != 0 && r->since != INT64_MAX) || (r->until != 0 && r->until != INT64_MAX)) {
        ms__buf_printf(
            b, "period asked: %s to %s (UTC, both days included)\n",
            ms_summary_date(r->since, d1, sizeof(d1)),
            ms_summary_date(r->until == 0 || r->until == INT64_MAX ? r->until : r->until - 1, d2,
                            sizeof(d2)));
    }
    ms__buf_printf(
        b, "%s %s from %s %s: %s messages from %s %s\n",
        ms__summary_num(r->reports, n1, sizeof(n1)), r->reports == 1 ? "report" : "reports",
        ms__summary_num(r->n_reporters, n2, sizeof(n2)),
        r->n_reporters == 1 ? "reporter" : "reporters",
        ms__summary_num(r->messages, n3, sizeof(n3)), ms__summary_num(r->n_sources, d1, sizeof(d1)),
        r->n_sources == 1 ? "source" : "sources");
    if (r->messages > 0) {
        ms__buf_printf(b, "DMARC pass %s%s%s (DKIM aligned %s, SPF aligned %s)\n",
                       rate_colour(c, r->dmarc_pass, r->messages),
                       ms__summary_pct(r->dmarc_pass, r->messages, pct, sizeof(pct)), c->off,
                       ms__summary_pct(r->dkim_aligned, r->messages, p2, sizeof(p2)),
                       ms__summary_pct(r->spf_aligned, r->messages, p3, sizeof(p3)));
    }
    for (size_t i = 0; i < r->n_domains; i++) {
        const ms_summary_domain *d = &r->domains[i];
        ms__buf_printf(b, "policy of %s: p=%s", ms__summary_clean(a, d->domain),
                       d->p ? ms__summary_clean(a, d->p) : "?");
        if (d->sp) {
            ms__buf_printf(b, " sp=%s", ms__summary_clean(a, d->sp));
        }
        if (d->pct >= 0 && d->pct != 100) {
            ms__buf_printf(b, " pct=%d", d->pct);
        }
        ms__buf_printf(b, " (%s %s, %s pass)\n", ms__summary_num(d->messages, n1, sizeof(n1)),
                       d->messages == 1 ? "message" : "messages",
                       ms__summary_pct(d->dmarc_pass, d->messages, pct, sizeof(pct)));
    }
}

static size_t widest(size_t w, const char *s)
{
    size_t n = strlen(s);
    return n > w ? n : w;
}

static void sources_table(ms__buf *b, const ms_summary_result *r, const palette *c)
{
    ms_arena *a = b->arena;
    size_t wip = strlen("SOURCE"), wprov = strlen("PROVIDER");
    for (size_t i = 0; i < r->n_sources; i++) {
        wip = widest(wip, r->sources[i].ip);
        wprov = widest(wprov, r->sources[i].provider ? r->sources[i].provider : "-");
    }
    ms__buf_printf(b, "\n%s%-*s  %10s  %6s  %7s  %6s  %8s  %-*s  %s%s\n", c->bold, (int)wip,
                   "SOURCE", "MESSAGES", "DMARC", "DKIM-AL", "SPF-AL", "QUAR/REJ", (int)wprov,
                   "PROVIDER", "REVERSE DNS", c->off);
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        char n1[32], p1[16], p2[16], p3[16], qr[72], q[32], rj[32];
        snprintf(qr, sizeof(qr), "%s/%s", ms__summary_num(s->quarantined, q, sizeof(q)),
                 ms__summary_num(s->rejected, rj, sizeof(rj)));
        const char *ptr = s->ptr ? ms__summary_clean(a, s->ptr) : "-";
        ms__buf_printf(b, "%-*s  %10s  %s%6s%s  %7s  %6s  %8s  %-*s  %s%s\n", (int)wip, s->ip,
                       ms__summary_num(s->messages, n1, sizeof(n1)),
                       rate_colour(c, s->dmarc_pass, s->messages),
                       ms__summary_pct(s->dmarc_pass, s->messages, p1, sizeof(p1)), c->off,
                       ms__summary_pct(s->dkim_aligned, s->messages, p2, sizeof(p2)),
                       ms__summary_pct(s->spf_aligned, s->messages, p3, sizeof(p3)), qr, (int)wprov,
                       s->provider ? s->provider : "-", ptr,
                       s->ptr && !s->ptr_confirmed ? " (unconfirmed)" : "");
    }
    if (r->other_sources > 0) {
        char n1[32], n2[32];
        ms__buf_printf(b, "(and %s more sources, %s messages, counted only)\n",
                       ms__summary_num(r->other_sources, n1, sizeof(n1)),
                       ms__summary_num(r->other_messages, n2, sizeof(n2)));
    }
}

static void days_table(ms__buf *b, const ms_summary_result *r, const palette *c)
{
    if (r->n_days == 0) {
        return;
    }
    ms__buf_printf(b, "\n%s%-10s  %7s  %10s  %6s%s\n", c->bold, "DAY", "REPORTS", "MESSAGES",
                   "DMARC", c->off);
    for (size_t i = 0; i < r->n_days; i++) {
        const ms_summary_day *d = &r->days[i];
        char dd[16], n1[32], n2[32], p1[16];
        ms__buf_printf(b, "%-10s  %7s  %10s  %s%6s%s\n", ms_summary_date(d->day, dd, sizeof(dd)),
                       ms__summary_num(d->reports, n1, sizeof(n1)),
                       ms__summary_num(d->messages, n2, sizeof(n2)),
                       rate_colour(c, d->dmarc_pass, d->messages),
                       ms__summary_pct(d->dmarc_pass, d->messages, p1, sizeof(p1)), c->off);
    }
}

static void reporters_table(ms__buf *b, const ms_summary_result *r, const palette *c)
{
    if (r->n_reporters == 0) {
        return;
    }
    ms_arena *a = b->arena;
    size_t w = strlen("REPORTER");
    for (size_t i = 0; i < r->n_reporters; i++) {
        w = widest(w, ms__summary_clean(a, r->reporters[i].org_name));
    }
    ms__buf_printf(b, "\n%s%-*s  %7s  %10s  %6s%s\n", c->bold, (int)w, "REPORTER", "REPORTS",
                   "MESSAGES", "DMARC", c->off);
    for (size_t i = 0; i < r->n_reporters; i++) {
        const ms_summary_reporter *x = &r->reporters[i];
        char n1[32], n2[32], p1[16];
        ms__buf_printf(b, "%-*s  %7s  %10s  %s%6s%s\n", (int)w, ms__summary_clean(a, x->org_name),
                       ms__summary_num(x->reports, n1, sizeof(n1)),
                       ms__summary_num(x->messages, n2, sizeof(n2)),
                       rate_colour(c, x->dmarc_pass, x->messages),
                       ms__summary_pct(x->dmarc_pass, x->messages, p1, sizeof(p1)), c->off);
    }
}

static void tls_table(ms__buf *b, const ms_summary_result *r, const palette *c)
{
    if (r->tls_reports == 0) {
        return;
    }
    ms_arena *a = b->arena;
    ms__buf_printf(b, "\n%s%-30s  %10s  %10s%s\n", c->bold, "TLS-RPT POLICY DOMAIN", "SUCCESSFUL",
                   "FAILED", c->off);
    for (size_t i = 0; i < r->n_tls_domains; i++) {
        const ms_summary_tls_domain *d = &r->tls_domains[i];
        char n1[32], n2[32];
        ms__buf_printf(b, "%-30s  %10s  %s%10s%s\n", ms__summary_clean(a, d->policy_domain),
                       ms__summary_num(d->successful, n1, sizeof(n1)), d->failed ? c->bad : "",
                       ms__summary_num(d->failed, n2, sizeof(n2)), d->failed ? c->off : "");
    }
    if (r->n_tls_failures == 0) {
        return;
    }
    ms__buf_printf(b, "\n%s%-30s  %-28s  %10s%s\n", c->bold, "TLS FAILURES: MX", "RESULT",
                   "SESSIONS", c->off);
    for (size_t i = 0; i < r->n_tls_failures; i++) {
        const ms_summary_tls_failure *f = &r->tls_failures[i];
        char n1[32];
        ms__buf_printf(
            b, "%-30s  %-28s  %10s\n", f->mx[0] ? ms__summary_clean(a, f->mx) : "(none named)",
            ms__summary_clean(a, f->result_type), ms__summary_num(f->sessions, n1, sizeof(n1)));
    }
}

static void failures_table(ms__buf *b, const ms_summary_result *r, const palette *c)
{
    if (r->failure_reports == 0) {
        return;
    }
    ms_arena *a = b->arena;
    ms__buf_printf(b, "\n%s%-39s  %7s  %9s  %s%s\n", c->bold, "FAILURE REPORTS: SOURCE", "REPORTS",
                   "INCIDENTS", "FAILED", c->off);
    for (size_t i = 0; i < r->n_failure_sources; i++) {
        const ms_summary_failure_source *f = &r->failure_sources[i];
        char n1[32], n2[32];
        ms__buf_printf(b, "%-39s  %7s  %9s  %s\n", f->ip,
                       ms__summary_num(f->reports, n1, sizeof(n1)),
                       ms__summary_num(f->incidents, n2, sizeof(n2)),
                       f->auth_failure ? ms__summary_clean(a, f->auth_failure) : "-");
    }
}

void ms__summary_text(ms__buf *b, const ms_summary_result *r, bool colour)
{
    const palette *c = colour ? &ANSI : &PLAIN;
    header(b, r, c);
    if (r->n_sources > 0) {
        sources_table(b, r, c);
        days_table(b, r, c);
        reporters_table(b, r, c);
    }
    tls_table(b, r, c);
    failures_table(b, r, c);
    ms__buf_printf(b, "\n%sWhat to do%s\n", c->bold, c->off);
    for (size_t i = 0; i < r->n_advice; i++) {
        const ms_summary_advice *x = &r->advice[i];
        const char *tag = x->level == MS_SUMMARY_ACTION    ? "do"
                          : x->level == MS_SUMMARY_WARNING ? "look"
                                                           : "note";
        const char *col = x->level == MS_SUMMARY_ACTION    ? c->bad
                          : x->level == MS_SUMMARY_WARNING ? c->warn
                                                           : c->good;
        ms__buf_printf(b, "%2zu. %s%-4s%s ", i + 1, col, tag, c->off);
        wrapped(b, ms__summary_clean(b->arena, x->text), 9, 9);
    }
}

/* One CSV field: quoted when needed (RFC 4180 §2.6, 2.7); a leading = + - @ gets a ' so a
 * spreadsheet shows it instead of running it. */
static void csv_field(ms__buf *b, const char *s, bool last)
{
    s = s ? ms__summary_utf8(b->arena, s) : "";
    s = s ? s : "";
    bool formula = s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r' ||
                   ((s[0] == '+' || s[0] == '-') && s[1] != '\0'); /* a lone "-" is no formula */
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote) {
        ms__buf_putc(b, '"');
    }
    if (formula) {
        ms__buf_putc(b, '\'');
    }
    for (const char *p = s; *p; p++) {
        if (*p == '"') {
            ms__buf_putc(b, '"');
        }
        /* control bytes (line breaks included) become '?': one row per source, always */
        ms__buf_putc(b, (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
    }
    if (quote) {
        ms__buf_putc(b, '"');
    }
    ms__buf_puts(b, last ? "\r\n" : ",");
}

static void csv_uint(ms__buf *b, uint64_t v)
{
    ms__buf_printf(b, "%llu,", (unsigned long long)v);
}

static const char *joined(ms_arena *a, const ms_summary_count *items, size_t n)
{
    ms__buf j;
    ms__buf_init(&j, a, 64 * 1024);
    for (size_t i = 0; i < n; i++) {
        ms__buf_printf(&j, "%s%s", i ? " " : "", items[i].name);
    }
    return ms__buf_status(&j) == MS_OK ? ms__buf_str(&j) : "";
}

void ms__summary_csv(ms__buf *b, const ms_summary_result *r)
{
    ms__buf_puts(b, "source_ip,reverse_dns,reverse_dns_confirmed,provider,provider_evidence,"
                    "messages,dmarc_pass,dmarc_pass_rate,dkim_aligned,spf_aligned,dkim_pass,"
                    "spf_pass,disposition_none,quarantined,rejected,header_from,dkim_domains,"
                    "spf_domains,reporters,first_seen,last_seen\r\n");
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        char pct[16], d1[16], d2[16];
        csv_field(b, s->ip, false);
        csv_field(b, s->ptr, false);
        csv_field(b, s->ptr ? (s->ptr_confirmed ? "yes" : "no") : "", false);
        csv_field(b, s->provider, false);
        csv_field(b, s->provider_by, false);
        csv_uint(b, s->messages);
        csv_uint(b, s->dmarc_pass);
        ms__summary_pct(s->dmarc_pass, s->messages, pct, sizeof(pct));
        csv_field(b, pct, false);
        csv_uint(b, s->dkim_aligned);
        csv_uint(b, s->spf_aligned);
        csv_uint(b, s->dkim_pass);
        csv_uint(b, s->spf_pass);
        csv_uint(b, s->none);
        csv_uint(b, s->quarantined);
        csv_uint(b, s->rejected);
        csv_field(b, joined(b->arena, s->header_from, s->n_header_from), false);
        csv_field(b, joined(b->arena, s->dkim_domains, s->n_dkim_domains), false);
        csv_field(b, joined(b->arena, s->spf_domains, s->n_spf_domains), false);
        ms__buf j;
        ms__buf_init(&j, b->arena, 64 * 1024);
        for (size_t k = 0; k < s->n_reporters; k++) {
            ms__buf_printf(&j, "%s%s", k ? "; " : "", s->reporters[k].name);
        }
        csv_field(b, ms__buf_status(&j) == MS_OK ? ms__buf_str(&j) : "", false);
        csv_field(b, ms_summary_date(s->first_seen, d1, sizeof(d1)), false);
        csv_field(b, ms_summary_date(s->last_seen, d2, sizeof(d2)), true);
    }
}
