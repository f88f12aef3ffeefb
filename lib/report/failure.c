/* SPDX-License-Identifier: MIT */
/* DMARC failure reports: ARF (RFC 5965 §2, §3) with the authentication-failure extension
 * (RFC 6591 §3, RFC 9991 §3). The report is a multipart/report whose message/feedback-report
 * part holds header-like fields, usually followed by the original message or its headers
 * (message/rfc822, text/rfc822-headers). Some MTAs (Exim) send a multipart/report with only
 * text parts; that is read from its "Sender Domain:" / "Sender IP Address:" lines and the
 * copied headers. Reporting-MTA loses its "dns;" type; Source-IP a trailing comment. Field
 * values longer than MS_LIMIT_REPORT_FIELD are cut to it; the returned
 * header block to MS_LIMIT_REPORT_FIELD * 64. */
#define _DEFAULT_SOURCE /* timegm */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailseal/report.h"

#include "base/limits.h"
#include "base/str.h"
#include "report/internal.h"

#define HEADERS_CAP (MS_LIMIT_REPORT_FIELD * 64u)

typedef struct fstate {
    ms_arena *arena;
    ms_report_error *err;
    ms_report_failure *f;
    bool saw_feedback;
    const char *text; /* the first text/plain part (for reports without a feedback part) */
    size_t text_len;
    bool have_original;
    size_t depth;
    size_t parts;
    bool part_failed; /* a part's own error (already in err) */
} fstate;

static ms_status arena_fail(fstate *s)
{
    ms_status st = ms_arena_status(s->arena);
    return ms__report_fail(s->err, st == MS_OK ? MS_ENOMEM : st, 0, "the arena is full", NULL, 0);
}

/* Unfolded, trimmed, cut to the field cap, in the arena (NULL on arena failure). */
static const char *value(fstate *s, const char *v, size_t len, bool lower)
{
    char buf[MS_LIMIT_REPORT_FIELD + 1];
    size_t n = ms__mime_unfold(v, len, buf, sizeof(buf));
    char *c = ms_arena_strndup(s->arena, buf, n);
    if (c != NULL && lower) {
        for (size_t i = 0; i < n; i++) {
            c[i] = ms__lower(c[i]);
        }
    }
    return c;
}

/* ---- RFC 5322 §3.3 dates -------------------------------------------------------------------- */

static const char *skip_cfws(const char *p, const char *end)
{
    int depth = 0;
    while (p < end) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')' && depth > 0) {
            depth--;
        } else if (depth == 0 && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != ',') {
            break;
        }
        p++;
    }
    return p;
}

static bool read_num(const char **pp, const char *end, size_t max_digits, long *out)
{
    const char *p = *pp;
    long v = 0;
    size_t n = 0;
    while (p < end && ms__is_digit(*p) && n < max_digits) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0) {
        return false;
    }
    *out = v;
    *pp = p;
    return true;
}

/* "Wed, 14 Apr 2010 12:15:31 -0700 (PDT)": Unix seconds, 0 when unreadable. */
static int64_t parse_date(const char *s)
{
    static const char *const MONTHS[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    const char *p = s, *end = s + strlen(s);
    p = skip_cfws(p, end);
    if (p < end && ms__is_alpha(*p)) { /* day-of-week */
        while (p < end && ms__is_alpha(*p)) {
            p++;
        }
        p = skip_cfws(p, end);
    }
    long day, year, hh, mm, ss = 0;
    if (!read_num(&p, end, 2, &day)) {
        return 0;
    }
    p = skip_cfws(p, end);
    int mon = -1;
    if (end - p >= 3) {
        for (int i = 0; i < 12; i++) {
            if (ms__str_ieq(p, 3, MONTHS[i], 3)) {
                mon = i;
            }
        }
    }
    if (mon < 0) {
        return 0;
    }
    p += 3;
    p = skip_cfws(p, end);
    if (!read_num(&p, end, 4, &year)) {
        return 0;
    }
    if (year < 50) {
        year += 2000; /* RFC 5322 §4.3 obs-year */
    } else if (year < 1000) {
        year += 1900;
    }
    p = skip_cfws(p, end);
    if (!read_num(&p, end, 2, &hh) || p >= end || *p != ':') {
        return 0;
    }
    p++;
    if (!read_num(&p, end, 2, &mm)) {
        return 0;
    }
    if (p < end && *p == ':') {
        p++;
        if (!read_num(&p, end, 2, &ss)) {
            return 0;
        }
    }
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year > 9999) {
        return 0;
    }
    p = skip_cfws(p, end);
    long off = 0;
    if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p == '-' ? -1 : 1;
        p++;
        long z;
        const char *z0 = p;
        if (read_num(&p, end, 4, &z) && p - z0 == 4) {
            off = sign * ((z / 100) * 3600 + (z % 100) * 60);
        }
    } else if (end - p >= 3) {
        /* RFC 5322 §4.3 obs-zone */
        static const struct {
            const char *n;
            long h;
        } Z[] = {{"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                 {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
        for (size_t i = 0; i < sizeof(Z) / sizeof(Z[0]); i++) {
            if (ms__str_ieq(p, 3, Z[i].n, 3)) {
                off = Z[i].h * 3600;
            }
        }
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (int)(year - 1900);
    tm.tm_mon = mon;
    tm.tm_mday = (int)day;
    tm.tm_hour = (int)hh;
    tm.tm_min = (int)mm;
    tm.tm_sec = (int)ss;
    time_t t = timegm(&tm);
    if (t == (time_t)-1) {
        return 0;
    }
    return (int64_t)t - off;
}

/* ---- the feedback-report fields (RFC 5965 §3.1, §3.2; RFC 6591 §3.1) ------------------------- */

static ms_status feedback_fields(fstate *s, const char *block, size_t len)
{
    ms_report_failure *f = s->f;
    size_t pos = 0, n = 0;
    ms__mime_field fl;
    while (ms__mime_next_field(block, len, &pos, &fl)) {
        if (++n > MS_LIMIT_REPORT_ARF_FIELDS) {
            return ms__report_fail(s->err, MS_ELIMIT, 0,
                                   "too many fields in the feedback report "
                                   "(MS_LIMIT_REPORT_ARF_FIELDS)",
                                   NULL, 0);
        }
        static const struct {
            const char *name;
            size_t off;
            bool lower;
        } MAP[] = {
#define F(n, m, l) {n, offsetof(ms_report_failure, m), l}
            F("Feedback-Type", feedback_type, true),
            F("Version", version, false),
            F("User-Agent", user_agent, false),
            F("Auth-Failure", auth_failure, true),
            F("Reported-Domain", reported_domain, true),
            F("Source-IP", source_ip, false),
            F("Original-Mail-From", original_mail_from, false),
            F("Original-Rcpt-To", original_rcpt_to, false),
            F("Original-Envelope-Id", original_envelope_id, false),
            F("Reporting-MTA", reporting_mta, false),
            F("Authentication-Results", authentication_results, false),
            F("Delivery-Result", delivery_result, true),
            F("Identity-Alignment", identity_alignment, true),
            F("DKIM-Domain", dkim_domain, true),
            F("DKIM-Identity", dkim_identity, false),
            F("DKIM-Selector", dkim_selector, false),
            F("SPF-DNS", spf_dns, false),
#undef F
        };
        bool known = false;
        for (size_t i = 0; i < sizeof(MAP) / sizeof(MAP[0]); i++) {
            if (ms__str_ieq(fl.name, fl.name_len, MAP[i].name, strlen(MAP[i].name))) {
                const char **slot = (const char **)(void *)((char *)f + MAP[i].off);
                if (*slot == NULL) { /* the first of repeated fields */
                    *slot = value(s, fl.value, fl.value_len, MAP[i].lower);
                    if (*slot == NULL) {
                        return arena_fail(s);
                    }
                }
                known = true;
                break;
            }
        }
        if (known) {
            continue;
        }
        if (ms__str_ieq(fl.name, fl.name_len, "Arrival-Date", 12) ||
            ms__str_ieq(fl.name, fl.name_len, "Received-Date", 13)) {
            char buf[256];
            ms__mime_unfold(fl.value, fl.value_len, buf, sizeof(buf));
            if (f->arrival == 0) {
                f->arrival = parse_date(buf);
            }
        } else if (ms__str_ieq(fl.name, fl.name_len, "Incidents", 9)) {
            char buf[32];
            size_t l = ms__mime_unfold(fl.value, fl.value_len, buf, sizeof(buf));
            unsigned long v;
            size_t used;
            if (ms__parse_uint(buf, l, 0xffffffffUL, &v, &used) && used == l) {
                f->incidents = v;
            }
        }
    }
    return MS_OK;
}

/* The returned message or headers: the header block, From, Subject, Message-ID. */
static ms_status original(fstate *s, const char *p, size_t len)
{
    ms_report_failure *f = s->f;
    if (s->have_original) {
        return MS_OK;
    }
    s->have_original = true;
    ms__mime_entity e;
    ms__mime_split(p, len, &e);
    size_t n = e.header_len < HEADERS_CAP ? e.header_len : HEADERS_CAP;
    char *h = ms_arena_strndup(s->arena, e.header, n);
    if (h == NULL) {
        return arena_fail(s);
    }
    f->original_headers = h;
    f->original_headers_len = n;
    static const struct {
        const char *name;
        size_t off;
    } MAP[] = {
        {"From", offsetof(ms_report_failure, original_from)},
        {"Subject", offsetof(ms_report_failure, original_subject)},
        {"Message-ID", offsetof(ms_report_failure, original_message_id)},
    };
    size_t pos = 0;
    ms__mime_field fl;
    while (ms__mime_next_field(e.header, n, &pos, &fl)) {
        for (size_t i = 0; i < sizeof(MAP) / sizeof(MAP[0]); i++) {
            const char **slot = (const char **)(void *)((char *)f + MAP[i].off);
            if (*slot == NULL &&
                ms__str_ieq(fl.name, fl.name_len, MAP[i].name, strlen(MAP[i].name))) {
                *slot = value(s, fl.value, fl.value_len, false);
                if (*slot == NULL) {
                    return arena_fail(s);
                }
            }
        }
    }
    return MS_OK;
}

static ms_status walk(fstate *s, const char *p, size_t len);

static ms_status part_fn(void *user, const char *part, size_t len)
{
    fstate *s = user;
    s->depth++;
    ms_status st = walk(s, part, len);
    s->depth--;
    s->part_failed = st != MS_OK;
    return st;
}

static ms_status walk(fstate *s, const char *p, size_t len)
{
    if (s->depth > MS_LIMIT_REPORT_MIME_DEPTH || ++s->parts > MS_LIMIT_REPORT_MIME_PARTS) {
        return ms__report_fail(s->err, MS_ELIMIT, 0,
                               "MIME parts nested too deeply or too many "
                               "(MS_LIMIT_REPORT_MIME_DEPTH, _PARTS)",
                               NULL, 0);
    }
    ms__mime_entity e;
    ms__mime_split(p, len, &e);
    char ctype[512], type[128], cte[64];
    ms__mime_header(e.header, e.header_len, "Content-Type", ctype, sizeof(ctype));
    ms__mime_type(ctype, type, sizeof(type));
    if (strncmp(type, "multipart/", 10) == 0) {
        char boundary[256];
        if (!ms__mime_param(ctype, "boundary", boundary, sizeof(boundary)) || boundary[0] == '\0') {
            return MS_OK;
        }
        ms_status st =
            ms__mime_parts(e.body, e.body_len, boundary, MS_LIMIT_REPORT_MIME_PARTS, part_fn, s);
        if (st == MS_ELIMIT && !s->part_failed) {
            return ms__report_fail(s->err, MS_ELIMIT, 0,
                                   "a message with too many MIME parts "
                                   "(MS_LIMIT_REPORT_MIME_PARTS)",
                                   NULL, 0);
        }
        return st;
    }
    bool feedback = strcmp(type, "message/feedback-report") == 0;
    bool orig = strcmp(type, "message/rfc822") == 0 || strcmp(type, "text/rfc822-headers") == 0 ||
                strcmp(type, "message/rfc822-headers") == 0;
    bool text = type[0] == '\0' || strcmp(type, "text/plain") == 0;
    if (!feedback && !orig && !(text && s->text == NULL && s->depth > 0)) {
        return MS_OK;
    }
    ms__mime_header(e.header, e.header_len, "Content-Transfer-Encoding", cte, sizeof(cte));
    const uint8_t *d;
    size_t dlen;
    ms_status st =
        ms__mime_decode(e.body, e.body_len, cte, MS_LIMIT_REPORT_XML, s->arena, &d, &dlen);
    if (st == MS_ELIMIT) {
        return ms__report_fail(s->err, MS_ELIMIT, 0,
                               "a MIME part decodes past the cap (MS_LIMIT_REPORT_XML)", NULL, 0);
    }
    if (st != MS_OK) {
        return arena_fail(s);
    }
    if (feedback) {
        if (s->saw_feedback) {
            return MS_OK; /* RFC 5965 §2 (c): exactly one; the first is read */
        }
        s->saw_feedback = true;
        return feedback_fields(s, (const char *)d, dlen);
    }
    if (orig) {
        return original(s, (const char *)d, dlen);
    }
    s->text = (const char *)d;
    s->text_len = dlen;
    return MS_OK;
}

/* Exim's text-only report: "  Sender Domain: example.com", "  Sender IP Address: 192.0.2.1",
 * then "------ This is a copy of the headers ..." followed by the headers. */
static ms_status text_only(fstate *s)
{
    ms_report_failure *f = s->f;
    const char *t = s->text, *end = s->text + s->text_len;
    const char *p = t;
    bool any = false;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        const char *q = p;
        while (q < le && ms__is_space(*q)) {
            q++;
        }
        static const struct {
            const char *label;
            size_t off;
            bool lower;
        } MAP[] = {
            {"Sender Domain:", offsetof(ms_report_failure, reported_domain), true},
            {"Sender IP Address:", offsetof(ms_report_failure, source_ip), false},
        };
        for (size_t i = 0; i < sizeof(MAP) / sizeof(MAP[0]); i++) {
            size_t l = strlen(MAP[i].label);
            const char **slot = (const char **)(void *)((char *)f + MAP[i].off);
            if (*slot == NULL && (size_t)(le - q) >= l &&
                ms__str_iprefix(q, (size_t)(le - q), MAP[i].label)) {
                *slot = value(s, q + l, (size_t)(le - q) - l, MAP[i].lower);
                if (*slot == NULL) {
                    return arena_fail(s);
                }
                any = true;
            }
        }
        if (ms__str_iprefix(q, (size_t)(le - q), "Received date:") && f->arrival == 0) {
            char buf[256];
            ms__mime_unfold(q + 14, (size_t)(le - q) - 14, buf, sizeof(buf));
            f->arrival = parse_date(buf);
        }
        if (ms__str_iprefix(p, (size_t)(le - p), "------ This is a copy of the headers") &&
            nl != NULL) {
            /* skip blank lines, then the headers */
            const char *h = nl + 1;
            while (h < end && (*h == '\n' || *h == '\r')) {
                h++;
            }
            ms_status st = original(s, h, (size_t)(end - h));
            if (st != MS_OK) {
                return st;
            }
            break;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    if (!any) {
        return ms__report_fail(s->err, MS_ESYNTAX, 0,
                               "not a failure report: no message/feedback-report part "
                               "(RFC 5965 §2)",
                               NULL, 0);
    }
    f->feedback_type = "auth-failure";
    f->auth_failure = "dmarc";
    return MS_OK;
}

ms_status ms_report_parse_failure(const char *msg, size_t len, ms_arena *arena,
                                  const ms_report_failure **out, ms_report_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (msg == NULL || arena == NULL || out == NULL) {
        return ms__report_fail(err, MS_EINVAL, 0, "invalid argument", NULL, 0);
    }
    if (len == 0) {
        return ms__report_fail(err, MS_ESYNTAX, 0, "the failure report is empty (RFC 5965 §2)",
                               NULL, 0);
    }
    if (len > MS_LIMIT_REPORT_INFLATED) {
        return ms__report_fail(err, MS_ELIMIT, 0,
                               "the failure report is larger than the cap "
                               "(MS_LIMIT_REPORT_INFLATED)",
                               NULL, 0);
    }
    fstate s;
    memset(&s, 0, sizeof(s));
    s.arena = arena;
    s.err = err;
    s.f = ms_arena_alloc(arena, sizeof(*s.f));
    if (s.f == NULL) {
        return arena_fail(&s);
    }
    memset(s.f, 0, sizeof(*s.f));
    ms__mime_entity top;
    ms__mime_split(msg, len, &top);
    char date[256];
    if (ms__mime_header(top.header, top.header_len, "Date", date, sizeof(date))) {
        s.f->report_date = ms_arena_strdup(arena, date);
        if (s.f->report_date == NULL) {
            return arena_fail(&s);
        }
    }
    ms_status st = walk(&s, msg, len);
    if (st != MS_OK) {
        return st;
    }
    if (!s.saw_feedback) {
        if (s.text == NULL) {
            return ms__report_fail(err, MS_ESYNTAX, 0,
                                   "not a failure report: no message/feedback-report part "
                                   "(RFC 5965 §2)",
                                   NULL, 0);
        }
        st = text_only(&s);
        if (st != MS_OK) {
            return st;
        }
    }
    ms_report_failure *f = s.f;
    if (f->feedback_type == NULL || f->feedback_type[0] == '\0') {
        return ms__report_fail(err, MS_ESYNTAX, 0,
                               "the feedback report has no Feedback-Type (RFC 5965 §3.1)", NULL, 0);
    }
    if (f->source_ip != NULL) {
        /* "148.163.85.135 (host.example)": the address without its comment */
        size_t n = strcspn(f->source_ip, " \t(");
        if (f->source_ip[n] != '\0') {
            f->source_ip = ms_arena_strndup(arena, f->source_ip, n);
            if (f->source_ip == NULL) {
                return arena_fail(&s);
            }
        }
    }
    if (f->reporting_mta != NULL) {
        /* "dns; mail.example.com": the name without its mta-name-type (RFC 3464 §2.2.2) */
        const char *semi = strchr(f->reporting_mta, ';');
        if (semi != NULL) {
            semi++;
            while (*semi == ' ' || *semi == '\t') {
                semi++;
            }
            f->reporting_mta = semi;
        }
    }
    if (f->incidents == 0) {
        f->incidents = 1; /* RFC 5965 §3.2: absent means 1 */
    }
    *out = f;
    return MS_OK;
}
