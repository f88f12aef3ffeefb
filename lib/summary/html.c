/* SPDX-License-Identifier: MIT */
/* The report summary as one self-contained HTML page: inline CSS and inline SVG charts drawn
 * here (volume and DMARC pass rate per day, per source, per reporter), the advice and the
 * tables. No script, nothing fetched: a Content-Security-Policy of default-src 'none' says so to
 * the browser too. Every string from a report is attacker-controlled and goes through esc()
 * (HTML 5 §13.1: & < > " ' as character references, bad UTF-8 as U+FFFD). */
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "summary/internal.h"

#define PASS_COLOUR "#2e9e5b"
#define FAIL_COLOUR "#d9534f"
#define LINE_COLOUR "#1f5fbf"
/* The day chart keeps a slot for every calendar day up to this span (a display choice). */
#define CALENDAR_DAYS 400

static void esc(ms__buf *b, const char *s)
{
    if (s == NULL) {
        return;
    }
    s = ms__summary_utf8(b->arena, s);
    for (const char *p = s; p != NULL && *p; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&':
            ms__buf_puts(b, "&amp;");
            break;
        case '<':
            ms__buf_puts(b, "&lt;");
            break;
        case '>':
            ms__buf_puts(b, "&gt;");
            break;
        case '"':
            ms__buf_puts(b, "&quot;");
            break;
        case '\'':
            ms__buf_puts(b, "&#39;");
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                ms__buf_puts(b, "&#xFFFD;");
            } else {
                ms__buf_putc(b, (char)c);
            }
        }
    }
}

static const char CSS[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu "
    "Sans',sans-serif;"
    "color:#1d2430;background:#f3f5f8}"
    "main{max-width:1180px;margin:0 auto;padding:24px 28px 40px}"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}"
    ".sub{color:#5b6576;margin:0 0 18px}"
    ".cards{display:grid;grid-template-columns:repeat(6,1fr);gap:12px}"
    ".card{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 3px #0001}"
    ".card b{display:block;font-size:22px}.card span{color:#5b6576;font-size:12px;"
    "text-transform:uppercase;letter-spacing:.04em}"
    ".panel{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px #0001}"
    ".advice{list-style:none;margin:0;padding:0}"
    ".advice li{background:#fff;border-radius:8px;padding:9px 12px 9px 12px;margin:0 0 8px;"
    "box-shadow:0 1px 3px #0001;border-left:5px solid #2e9e5b}"
    ".advice li.warning{border-left-color:#e0a100}.advice li.action{border-left-color:#d9534f}"
    ".tag{display:inline-block;min-width:62px;font-size:11px;font-weight:600;"
    "text-transform:uppercase;color:#5b6576}"
    ".charts{display:grid;grid-template-columns:1fr 1fr;gap:14px}"
    ".wide{grid-column:1/3}svg{width:100%;height:auto;display:block}"
    "svg text{font:12px system-ui,'DejaVu Sans',sans-serif;fill:#1d2430}"
    "svg .axis{fill:#5b6576;font-size:11px}"
    "table{border-collapse:collapse;width:100%;background:#fff;border-radius:10px;"
    "overflow:hidden;box-shadow:0 1px 3px #0001;font-size:13px}"
    "th,td{padding:6px 9px;text-align:left;border-bottom:1px solid #e7eaf0;vertical-align:top}"
    "th{background:#eef1f6;font-weight:600}td.n{text-align:right;font-variant-numeric:"
    "tabular-nums;white-space:nowrap}"
    ".good{color:#1e7d45;font-weight:600}.part{color:#a87700;font-weight:600}"
    ".bad{color:#c23b36;font-weight:600}.muted{color:#8a93a3}"
    ".legend{font-size:12px;color:#5b6576;margin:4px 0 0}"
    ".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px}"
    ".small{font-size:12px}.scroll{overflow-x:auto;border-radius:10px}"
    "td{overflow-wrap:anywhere}.sources td:nth-child(-n+2){min-width:210px}"
    "footer{color:#8a93a3;font-size:12px;margin-top:26px}";

static const char *rate_class(uint64_t part, uint64_t whole)
{
    return whole == 0 ? "muted" : part >= whole ? "good" : part == 0 ? "bad" : "part";
}

static void rate_cell(ms__buf *b, uint64_t part, uint64_t whole)
{
    char pct[16];
    ms__buf_printf(b, "<td class=\"n %s\">%s</td>", rate_class(part, whole),
                   ms__summary_pct(part, whole, pct, sizeof(pct)));
}

static void num_cell(ms__buf *b, uint64_t n)
{
    char s[32];
    ms__buf_printf(b, "<td class=\"n\">%s</td>", ms__summary_num(n, s, sizeof(s)));
}

static void card(ms__buf *b, const char *label, const char *value, const char *cls)
{
    ms__buf_printf(b, "<div class=\"card\"><span>%s</span><b class=\"%s\">%s</b></div>", label, cls,
                   value);
}

/* A round scale maximum at or above v: 1, 2, 5 times a power of ten. */
static uint64_t nice_max(uint64_t v)
{
    uint64_t m = 1;
    while (m < v && m < UINT64_MAX / 10) {
        if (m * 2 >= v) {
            return m * 2;
        }
        if (m * 5 >= v) {
            return m * 5;
        }
        m *= 10;
    }
    return m < v ? v : m;
}

/* Volume per day (stacked pass/fail bars) and the pass rate (a line on a 0-100% axis). */
static void day_chart(ms__buf *b, const ms_summary_result *r)
{
    const double W = 1100, H = 300, L = 64, R = 50, T = 16, B = 40;
    double pw = W - L - R, ph = H - T - B;
    uint64_t max = 0;
    for (size_t i = 0; i < r->n_days; i++) {
        max = r->days[i].messages > max ? r->days[i].messages : max;
    }
    max = nice_max(max ? max : 1);
    ms__buf_printf(b,
                   "<svg class=\"chart-days\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                   "aria-label=\"messages and DMARC pass rate per day\">",
                   W, H);
    char n1[32];
    for (int k = 0; k <= 4; k++) {
        double y = T + ph - ph * k / 4.0;
        ms__buf_printf(b,
                       "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e7eaf0\"/>"
                       "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
                       "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">%d%%</text>",
                       L, y, L + pw, y, L - 6, y + 4,
                       ms__summary_num(max * (uint64_t)k / 4, n1, sizeof(n1)), L + pw + 6, y + 4,
                       k * 25);
    }
    /* One slot per calendar day from the first to the last (days without reports stay empty),
     * unless that spans more than CALENDAR_DAYS: then one slot per day with reports. */
    size_t n = r->n_days;
    bool calendar = false;
    size_t n_slots = n;
    if (n > 1) {
        int64_t span = (r->days[n - 1].day - r->days[0].day) / 86400 + 1;
        if (span > 0 && span <= CALENDAR_DAYS) {
            calendar = true;
            n_slots = (size_t)span;
        }
    }
    double slot = n_slots ? pw / (double)n_slots : pw;
    double bw = slot * 0.7 > 40 ? 40 : slot * 0.7;
    size_t every = n_slots > 16 ? (n_slots + 15) / 16 : 1;
    ms__buf line;
    ms__buf_init(&line, b->arena, 64 * 1024);
    for (size_t k = 0, i = 0; k < n_slots; k++) {
        int64_t day = calendar ? r->days[0].day + (int64_t)k * 86400 : r->days[k].day;
        const ms_summary_day *d = i < n && r->days[i].day == day ? &r->days[i++] : NULL;
        double x = L + slot * (double)k + (slot - bw) / 2;
        char dd[16], pct[16];
        ms_summary_date(day, dd, sizeof(dd));
        if (k % every == 0) {
            ms__buf_printf(b,
                           "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\" "
                           "text-anchor=\"middle\">%.5s</text>",
                           x + bw / 2, T + ph + 16, strlen(dd) == 10 ? dd + 5 : dd);
        }
        if (d == NULL) {
            continue;
        }
        double hp = ph * (double)d->dmarc_pass / (double)max;
        uint64_t fail = d->messages > d->dmarc_pass ? d->messages - d->dmarc_pass : 0;
        double hf = ph * (double)fail / (double)max;
        ms__buf_printf(b,
                       "<g class=\"day\"><title>%s: %s messages, %s pass</title>"
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "fill=\"" PASS_COLOUR "\"/>"
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "fill=\"" FAIL_COLOUR "\"/></g>",
                       dd, ms__summary_num(d->messages, n1, sizeof(n1)),
                       ms__summary_pct(d->dmarc_pass, d->messages, pct, sizeof(pct)), x,
                       T + ph - hp, bw, hp, x, T + ph - hp - hf, bw, hf);
        if (d->messages > 0) {
            double y = T + ph - ph * (double)d->dmarc_pass / (double)d->messages;
            ms__buf_printf(&line, "%s%.1f,%.1f", ms__buf_str(&line)[0] ? " " : "", x + bw / 2, y);
        }
    }
    if (ms__buf_status(&line) == MS_OK && ms__buf_str(&line)[0]) {
        ms__buf_printf(b,
                       "<polyline class=\"rate\" points=\"%s\" fill=\"none\" stroke=\"" LINE_COLOUR
                       "\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>",
                       ms__buf_str(&line));
    }
    ms__buf_puts(b, "</svg><p class=\"legend\"><span class=\"sw\" style=\"background:" PASS_COLOUR
                    "\"></span>pass<span class=\"sw\" style=\"background:" FAIL_COLOUR
                    "\"></span>fail<span class=\"sw\" style=\"background:" LINE_COLOUR
                    "\"></span>DMARC pass rate (right axis)</p>");
}

typedef struct bar {
    const char *label, *note;
    uint64_t pass, total;
} bar;

/* Horizontal stacked bars (pass, fail), at most MS_LIMIT_SUMMARY_CHART. */
static void bar_chart(ms__buf *b, const char *cls, const char *what, const bar *bars, size_t n)
{
    const double W = 540, L = 250, R = 60, row = 24;
    double pw = W - L - R;
    double H = row * (double)n + 10;
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++) {
        max = bars[i].total > max ? bars[i].total : max;
    }
    ms__buf_printf(b, "<svg class=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">",
                   cls, W, H, what);
    for (size_t i = 0; i < n; i++) {
        const bar *x = &bars[i];
        double y = 5 + row * (double)i;
        double wp = pw * (double)x->pass / (double)max;
        double wf = pw * (double)(x->total > x->pass ? x->total - x->pass : 0) / (double)max;
        char n1[32], pct[16];
        ms__buf_puts(b, "<g class=\"bar\"><title>");
        esc(b, x->label);
        if (x->note) {
            ms__buf_puts(b, " (");
            esc(b, x->note);
            ms__buf_puts(b, ")");
        }
        ms__buf_printf(b,
                       ": %s messages, %s pass</title><text x=\"%.1f\" y=\"%.1f\" "
                       "text-anchor=\"end\">",
                       ms__summary_num(x->total, n1, sizeof(n1)),
                       ms__summary_pct(x->pass, x->total, pct, sizeof(pct)), L - 8, y + 15);
        /* long labels are cut so they stay inside the chart */
        char cut[40];
        snprintf(cut, sizeof(cut), "%s", x->label ? x->label : "");
        if (x->label && strlen(x->label) >= sizeof(cut)) {
            size_t at = sizeof(cut) - 4;
            while (at > 0 && ((unsigned char)cut[at] & 0xc0) == 0x80) {
                at--; /* not inside a UTF-8 sequence */
            }
            memcpy(cut + at, "...", 4);
        }
        esc(b, cut);
        ms__buf_printf(b,
                       "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
                       "fill=\"" PASS_COLOUR "\"/><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                       "height=\"16\" fill=\"" FAIL_COLOUR "\"/>"
                       "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">%s</text></g>",
                       L, y + 3, wp, L + wp, y + 3, wf, L + wp + wf + 6, y + 15, n1);
    }
    ms__buf_puts(b, "</svg>");
}

static void charts(ms__buf *b, const ms_summary_result *r)
{
    ms__buf_puts(b, "<h2>Over time</h2><div class=\"panel\">");
    day_chart(b, r);
    ms__buf_puts(b, "</div><div class=\"charts\"><div><h2>Top sources</h2><div class=\"panel\">");
    bar bars[MS_LIMIT_SUMMARY_CHART];
    size_t n = 0;
    for (size_t i = 0; i < r->n_sources && n < MS_LIMIT_SUMMARY_CHART; i++, n++) {
        const ms_summary_source *s = &r->sources[i];
        const char *label = s->ip;
        if (s->provider != NULL) {
            label = ms__arena_printf(b->arena, "%s \xc2\xb7 %s", s->ip, s->provider);
        }
        bars[n] = (bar){label ? label : s->ip, s->ptr, s->dmarc_pass, s->messages};
    }
    bar_chart(b, "chart-sources", "messages per source", bars, n);
    ms__buf_puts(b, "</div></div><div><h2>Reporters</h2><div class=\"panel\">");
    n = 0;
    for (size_t i = 0; i < r->n_reporters && n < MS_LIMIT_SUMMARY_CHART; i++, n++) {
        const ms_summary_reporter *x = &r->reporters[i];
        bars[n] = (bar){x->org_name, NULL, x->dmarc_pass, x->messages};
    }
    bar_chart(b, "chart-reporters", "messages per reporter", bars, n);
    ms__buf_puts(b, "</div></div></div>");
}

static void names(ms__buf *b, const ms_summary_count *c, size_t n, const char *sep)
{
    for (size_t i = 0; i < n; i++) {
        ms__buf_puts(b, i ? sep : "");
        esc(b, c[i].name);
    }
}

static void sources_table(ms__buf *b, const ms_summary_result *r)
{
    ms__buf_puts(b, "<h2>Sources</h2><div class=\"scroll\"><table class=\"sources\"><thead><tr>"
                    "<th>Source IP / reverse DNS</th><th>Provider</th><th>Messages</th>"
                    "<th>DMARC pass</th><th>DKIM aligned</th><th>SPF aligned</th>"
                    "<th>DKIM / SPF pass</th><th>Quar. / rej.</th><th>Reporters</th>"
                    "<th>Seen</th></tr></thead><tbody>");
    for (size_t i = 0; i < r->n_sources; i++) {
        const ms_summary_source *s = &r->sources[i];
        char n1[32], n2[32], p1[16], p2[16], d1[16], d2[16];
        ms__buf_puts(b, "<tr class=\"src\"><td>");
        esc(b, s->ip);
        ms__buf_puts(b, "<br><span class=\"muted small\">");
        if (s->ptr) {
            esc(b, s->ptr);
            if (!s->ptr_confirmed) {
                ms__buf_puts(b, " (unconfirmed)");
            }
        } else {
            ms__buf_puts(b, "no reverse DNS name");
        }
        ms__buf_puts(b, "</span></td><td>");
        if (s->provider) {
            esc(b, s->provider);
            ms__buf_puts(b, "<br><span class=\"muted small\">");
            esc(b, s->provider_by);
            ms__buf_puts(b, "</span>");
        } else {
            ms__buf_puts(b, "<span class=\"muted\">unknown</span>");
        }
        ms__buf_puts(b, "</td>");
        num_cell(b, s->messages);
        rate_cell(b, s->dmarc_pass, s->messages);
        rate_cell(b, s->dkim_aligned, s->messages);
        rate_cell(b, s->spf_aligned, s->messages);
        ms__buf_printf(b,
                       "<td class=\"n\">%s / %s</td><td class=\"n\">%s / %s</td>"
                       "<td class=\"small\">",
                       ms__summary_pct(s->dkim_pass, s->messages, p1, sizeof(p1)),
                       ms__summary_pct(s->spf_pass, s->messages, p2, sizeof(p2)),
                       ms__summary_num(s->quarantined, n1, sizeof(n1)),
                       ms__summary_num(s->rejected, n2, sizeof(n2)));
        names(b, s->reporters, s->n_reporters, ", ");
        ms__buf_printf(b, "</td><td class=\"n small\">%s<br>%s</td></tr>",
                       ms_summary_date(s->first_seen, d1, sizeof(d1)),
                       ms_summary_date(s->last_seen, d2, sizeof(d2)));
    }
    ms__buf_puts(b, "</tbody></table></div>");
}

static void small_tables(ms__buf *b, const ms_summary_result *r)
{
    ms__buf_puts(b, "<div class=\"charts\"><div><h2>Per day</h2><table class=\"days\"><thead><tr>"
                    "<th>Day (UTC)</th><th>Reports</th><th>Messages</th><th>DMARC pass</th>"
                    "</tr></thead><tbody>");
    for (size_t i = 0; i < r->n_days; i++) {
        char dd[16];
        ms__buf_printf(b, "<tr><td>%s</td>", ms_summary_date(r->days[i].day, dd, sizeof(dd)));
        num_cell(b, r->days[i].reports);
        num_cell(b, r->days[i].messages);
        rate_cell(b, r->days[i].dmarc_pass, r->days[i].messages);
        ms__buf_puts(b, "</tr>");
    }
    ms__buf_puts(b, "</tbody></table></div><div><h2>Per reporter</h2><table class=\"reporters\">"
                    "<thead><tr><th>Reporter</th><th>Reports</th><th>Messages</th>"
                    "<th>DMARC pass</th></tr></thead><tbody>");
    for (size_t i = 0; i < r->n_reporters; i++) {
        const ms_summary_reporter *x = &r->reporters[i];
        ms__buf_puts(b, "<tr><td>");
        esc(b, x->org_name);
        ms__buf_puts(b, "</td>");
        num_cell(b, x->reports);
        num_cell(b, x->messages);
        rate_cell(b, x->dmarc_pass, x->messages);
        ms__buf_puts(b, "</tr>");
    }
    ms__buf_puts(b, "</tbody></table></div></div>");
}

static void tls_and_failures(ms__buf *b, const ms_summary_result *r)
{
    if (r->tls_reports > 0) {
        ms__buf_puts(b, "<h2>SMTP TLS reports</h2><table class=\"tls\"><thead><tr>"
                        "<th>Policy domain</th><th>MX</th><th>Result</th><th>Sessions</th>"
                        "</tr></thead><tbody>");
        for (size_t i = 0; i < r->n_tls_domains; i++) {
            const ms_summary_tls_domain *d = &r->tls_domains[i];
            ms__buf_puts(b, "<tr><td>");
            esc(b, d->policy_domain);
            ms__buf_puts(b, "</td><td class=\"muted\">all</td><td class=\"good\">successful</td>");
            num_cell(b, d->successful);
            ms__buf_puts(b, "</tr>");
        }
        for (size_t i = 0; i < r->n_tls_failures; i++) {
            const ms_summary_tls_failure *f = &r->tls_failures[i];
            ms__buf_puts(b, "<tr><td>");
            esc(b, f->policy_domain);
            ms__buf_puts(b, "</td><td>");
            esc(b, f->mx[0] ? f->mx : "(none named)");
            ms__buf_puts(b, "</td><td class=\"bad\">");
            esc(b, f->result_type);
            ms__buf_puts(b, "</td>");
            num_cell(b, f->sessions);
            ms__buf_puts(b, "</tr>");
        }
        ms__buf_puts(b, "</tbody></table>");
    }
    if (r->failure_reports > 0) {
        ms__buf_puts(b, "<h2>Failure reports</h2><table class=\"failures\"><thead><tr>"
                        "<th>Source IP</th><th>Reports</th><th>Incidents</th><th>Failed</th>"
                        "</tr></thead><tbody>");
        for (size_t i = 0; i < r->n_failure_sources; i++) {
            const ms_summary_failure_source *f = &r->failure_sources[i];
            ms__buf_puts(b, "<tr><td>");
            esc(b, f->ip);
            ms__buf_puts(b, "</td>");
            num_cell(b, f->reports);
            num_cell(b, f->incidents);
            ms__buf_puts(b, "<td>");
            esc(b, f->auth_failure ? f->auth_failure : "-");
            ms__buf_puts(b, "</td></tr>");
        }
        ms__buf_puts(b, "</tbody></table>");
    }
}

void ms__summary_html(ms__buf *b, const ms_summary_result *r)
{
    const char *domain = r->domain           ? r->domain
                         : r->n_domains == 1 ? r->domains[0].domain
                                             : "every domain";
    char d1[32], d2[32], n1[32], pct[16];
    ms__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>DMARC reports for ");
    esc(b, domain);
    ms__buf_printf(b, "</title><style>%s</style></head><body><main><h1>DMARC reports for ", CSS);
    esc(b, domain);
    ms__buf_puts(b, "</h1><p class=\"sub\">");
    if (r->first_seen != 0) {
        ms__buf_printf(b, "%s to %s (UTC)", ms_summary_date(r->first_seen, d1, sizeof(d1)),
                       ms_summary_date(r->last_seen, d2, sizeof(d2)));
    } else {
        ms__buf_puts(b, "no reports");
    }
    for (size_t i = 0; i < r->n_domains; i++) {
        ms__buf_puts(b, i ? ", " : " &middot; policy: ");
        esc(b, r->domains[i].domain);
        ms__buf_puts(b, " p=");
        esc(b, r->domains[i].p ? r->domains[i].p : "?");
    }
    ms__buf_puts(b, "</p><div class=\"cards\">");
    card(b, "Messages", ms__summary_num(r->messages, n1, sizeof(n1)), "");
    card(b, "DMARC pass", ms__summary_pct(r->dmarc_pass, r->messages, pct, sizeof(pct)),
         rate_class(r->dmarc_pass, r->messages));
    card(b, "Sources", ms__summary_num(r->n_sources, n1, sizeof(n1)), "");
    card(b, "Reporters", ms__summary_num(r->n_reporters, n1, sizeof(n1)), "");
    card(b, "Reports", ms__summary_num(r->reports, n1, sizeof(n1)), "");
    card(b, "Quarantined + rejected", ms__summary_num(r->quarantined + r->rejected, n1, sizeof(n1)),
         r->quarantined + r->rejected ? "bad" : "good");
    ms__buf_puts(b, "</div><h2>What to do</h2><ul class=\"advice\">");
    for (size_t i = 0; i < r->n_advice; i++) {
        const ms_summary_advice *x = &r->advice[i];
        const char *lvl = x->level == MS_SUMMARY_ACTION    ? "action"
                          : x->level == MS_SUMMARY_WARNING ? "warning"
                                                           : "info";
        ms__buf_printf(b, "<li class=\"%s\"><span class=\"tag\">%s</span>", lvl,
                       x->level == MS_SUMMARY_ACTION    ? "do"
                       : x->level == MS_SUMMARY_WARNING ? "look"
                                                        : "note");
        esc(b, x->text);
        ms__buf_puts(b, "</li>");
    }
    ms__buf_puts(b, "</ul>");
    if (r->n_sources > 0) {
        charts(b, r);
        sources_table(b, r);
        small_tables(b, r);
    }
    tls_and_failures(b, r);
    ms__buf_printf(b,
                   "<footer>mailseal report summary &middot; %s reports, %s failure reports, "
                   "%s TLS reports</footer></main></body></html>\n",
                   ms__summary_num(r->reports, n1, sizeof(n1)),
                   ms__summary_num(r->failure_reports, d1, sizeof(d1)),
                   ms__summary_num(r->tls_reports, d2, sizeof(d2)));
}
