/* SPDX-License-Identifier: MIT */
/* RFC 1035 §5 master files into the offline zone view: $ORIGIN, $TTL (RFC 2308 §4), owner
 * inheritance, '@', \X and \DDD escapes, parentheses, ';' comments; records A AAAA MX PTR
 * CNAME NS SOA TXT SPF. Not all-or-nothing: records before the first error stay in the view. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "dns/zone.h"

/* Used when a record has no TTL and neither $TTL nor an earlier record gave one. */
#define DEFAULT_TTL 3600u
/* RFC 2181 §8: a TTL is 0 to 2^31 - 1 seconds. */
#define MAX_TTL 2147483647ul
/* Return the status of a step that failed (its error is already filled). */
#define TRY(step)                                                                                  \
    do {                                                                                           \
        ms_status try_st_ = (step);                                                                \
        if (try_st_ != MS_OK) {                                                                    \
            return try_st_;                                                                        \
        }                                                                                          \
    } while (0)

typedef enum { TOK_WORD, TOK_QUOTED, TOK_EOL, TOK_EOF } tok_kind;

typedef struct token {
    tok_kind kind;
    const char *s; /* raw bytes, escapes still in; a quoted string without its quotes */
    size_t len;
    unsigned line, column;
    bool line_ws; /* the physical line it sits on starts with white space */
} token;

/* A domain name in the view's form: presentation, lowercase, no trailing dot, every byte
 * outside 0x21-0x7e and every '.' or '\' inside a label written as \DDD; the root is "". */
typedef struct dname {
    char text[MS_LIMIT_DNS_NAME_TEXT];
    size_t text_len;
    size_t octets; /* label octets plus the dots between labels (wire length - 2) */
    bool is_set;
} dname;

typedef struct parser {
    ms_resolver *zone;
    ms_zone_error *err;
    const char *p;
    size_t len, pos;
    unsigned line;
    size_t line_start;
    bool line_ws;
    bool in_paren;
    unsigned paren_line, paren_column;
    dname origin, owner, tmp, rdata1, rdata2;
    bool has_owner;
    uint32_t default_ttl, last_ttl;
    bool has_default_ttl, has_last_ttl;
    char txt[MS_LIMIT_DNS_TXT + 1];
    uint8_t lens[MS_LIMIT_DNS_TXT];
} parser;

static void set_error(ms_zone_error *err, unsigned line, unsigned column, const char *reason,
                      const char *s, size_t len)
{
    err->line = line;
    err->column = column;
    err->reason = reason;
    size_t n = len < sizeof(err->detail) - 1 ? len : sizeof(err->detail) - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        err->detail[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c; /* keep it printable */
    }
    err->detail[n] = '\0';
}

static ms_status fail(parser *ps, ms_status st, const token *t, const char *reason)
{
    set_error(ps->err, t->line, t->column, reason, t->s, t->len);
    return st;
}

/* ---- lexer: RFC 1035 §5.1 tokens; every loop consumes input, so all are bounded by len -- */

static unsigned column_at(const parser *ps, size_t pos)
{
    return (unsigned)(pos - ps->line_start + 1);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r'; /* '\r' so CRLF files read like LF files */
}

static void start_line(parser *ps)
{
    ps->line++;
    ps->line_start = ps->pos;
    ps->line_ws = ps->pos < ps->len && (ps->p[ps->pos] == ' ' || ps->p[ps->pos] == '\t');
}

static ms_status token_done(parser *ps, token *t, tok_kind kind, size_t start, size_t end)
{
    t->kind = kind;
    t->s = ps->p + start;
    t->len = end - start;
    if (t->len > MS_LIMIT_ZONE_TOKEN) {
        return fail(ps, MS_ELIMIT, t, "token longer than MS_LIMIT_ZONE_TOKEN bytes");
    }
    return MS_OK;
}

static ms_status lex_quoted(parser *ps, token *t)
{
    size_t start = ++ps->pos;
    while (ps->pos < ps->len) {
        char c = ps->p[ps->pos];
        if (c == '"') {
            ps->pos++;
            return token_done(ps, t, TOK_QUOTED, start, ps->pos - 1);
        }
        if (c == '\n') {
            break;
        }
        if (c == '\\' && ps->pos + 1 < ps->len && ps->p[ps->pos + 1] != '\n') {
            ps->pos++; /* the escaped byte cannot close the string */
        }
        ps->pos++;
    }
    t->s = ps->p + start - 1;
    t->len = ps->pos - start + 1;
    return fail(ps, MS_ESYNTAX, t, "quoted string not closed on its line");
}

static ms_status lex_word(parser *ps, token *t)
{
    size_t start = ps->pos;
    while (ps->pos < ps->len) {
        char c = ps->p[ps->pos];
        if (is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"') {
            break;
        }
        if (c == '\\') {
            if (ps->pos + 1 >= ps->len || ps->p[ps->pos + 1] == '\n' ||
                ps->p[ps->pos + 1] == '\r') {
                t->s = ps->p + start;
                t->len = ps->pos + 1 - start;
                return fail(ps, MS_ESYNTAX, t, "backslash at the end of a line");
            }
            ps->pos++;
        }
        ps->pos++;
    }
    return token_done(ps, t, TOK_WORD, start, ps->pos);
}

/* The next token; newlines inside parentheses are white space (RFC 1035 §5.1). */
static ms_status lex(parser *ps, token *t)
{
    while (ps->pos < ps->len) {
        char c = ps->p[ps->pos];
        t->line = ps->line;
        t->column = column_at(ps, ps->pos);
        t->line_ws = ps->line_ws;
        t->s = ps->p + ps->pos;
        t->len = 1;
        if (is_blank(c)) {
            ps->pos++;
        } else if (c == ';') {
            while (ps->pos < ps->len && ps->p[ps->pos] != '\n') {
                ps->pos++;
            }
        } else if (c == '\n') {
            ps->pos++;
            start_line(ps);
            if (!ps->in_paren) {
                t->kind = TOK_EOL;
                t->len = 0;
                return MS_OK;
            }
        } else if (c == '(') {
            if (ps->in_paren) {
                return fail(ps, MS_ESYNTAX, t, "nested '(' (RFC 1035 §5.1 groups one level)");
            }
            ps->in_paren = true;
            ps->paren_line = t->line;
            ps->paren_column = t->column;
            ps->pos++;
        } else if (c == ')') {
            if (!ps->in_paren) {
                return fail(ps, MS_ESYNTAX, t, "')' without an open '('");
            }
            ps->in_paren = false;
            ps->pos++;
        } else if (c == '"') {
            return lex_quoted(ps, t);
        } else {
            return lex_word(ps, t);
        }
    }
    if (ps->in_paren) {
        token open = {TOK_WORD, "(", 1, ps->paren_line, ps->paren_column, false};
        return fail(ps, MS_ESYNTAX, &open, "'(' never closed by ')'");
    }
    t->kind = TOK_EOF;
    t->line = ps->line;
    t->column = column_at(ps, ps->pos);
    t->s = ps->p + ps->pos;
    t->len = 0;
    return MS_OK;
}

static ms_status expect_end(parser *ps)
{
    token t;
    TRY(lex(ps, &t));
    if (t.kind != TOK_EOL && t.kind != TOK_EOF) {
        return fail(ps, MS_ESYNTAX, &t, "unexpected text after the record or directive");
    }
    return MS_OK;
}

/* ---- values ------------------------------------------------------------------------------ */

/* One byte of s at *i, undoing \X and \DDD (RFC 1035 §5.1). false on a bad escape. */
static bool unescape(const char *s, size_t len, size_t *i, unsigned char *out)
{
    if (s[*i] != '\\') {
        *out = (unsigned char)s[(*i)++];
        return true;
    }
    if (*i + 1 >= len) {
        return false;
    }
    if (!ms__is_digit(s[*i + 1])) {
        *out = (unsigned char)s[*i + 1];
        *i += 2;
        return true;
    }
    if (*i + 3 >= len || !ms__is_digit(s[*i + 2]) || !ms__is_digit(s[*i + 3])) {
        return false;
    }
    unsigned v = (unsigned)(s[*i + 1] - '0') * 100u + (unsigned)(s[*i + 2] - '0') * 10u +
                 (unsigned)(s[*i + 3] - '0');
    if (v > 255) {
        return false;
    }
    *out = (unsigned char)v;
    *i += 4;
    return true;
}

static void put_octet(dname *d, unsigned char o)
{
    if (o > 0x20 && o < 0x7f && o != '.' && o != '\\') {
        d->text[d->text_len++] = ms__lower((char)o);
        return;
    }
    d->text[d->text_len++] = '\\';
    d->text[d->text_len++] = (char)('0' + o / 100);
    d->text[d->text_len++] = (char)('0' + o / 10 % 10);
    d->text[d->text_len++] = (char)('0' + o % 10);
}

/* A name from s[0..len): '@' is the origin, a name without a trailing dot is relative to it
 * (RFC 1035 §5.1). Returns NULL or the reason it is not a name. out must not be origin. */
static const char *parse_name(const char *s, size_t len, const dname *origin, bool absolute,
                              dname *out)
{
    if (len == 1 && s[0] == '@') {
        if (!origin->is_set) {
            return "'@' but no origin is known (pass one or set $ORIGIN)";
        }
        *out = *origin;
        return NULL;
    }
    out->text_len = 0;
    out->octets = 0;
    out->is_set = true;
    out->text[0] = '\0';
    if (len == 1 && s[0] == '.') {
        return NULL; /* the root */
    }
    if (len == 0) {
        return "empty domain name";
    }
    size_t label = 0;
    size_t i = 0;
    while (i < len) {
        if (s[i] == '.') {
            if (label == 0) {
                return "empty label in a domain name (RFC 1035 §2.3.1)";
            }
            i++;
            if (i == len) {
                absolute = true;
                break;
            }
            out->text[out->text_len++] = '.';
            out->octets++;
            label = 0;
            continue;
        }
        unsigned char o;
        if (!unescape(s, len, &i, &o)) {
            return "bad escape in a domain name (\\X or \\DDD up to \\255)";
        }
        if (++label > MS_LIMIT_DNS_LABEL) {
            return "label longer than 63 octets (RFC 1035 §2.3.4)";
        }
        if (++out->octets > MS_LIMIT_DNS_NAME) {
            return "domain name longer than 253 octets (RFC 1035 §2.3.4)";
        }
        put_octet(out, o);
    }
    if (!absolute) {
        if (!origin->is_set) {
            return "relative name but no origin is known (pass one or set $ORIGIN)";
        }
        if (origin->octets > 0) {
            if (out->octets + 1 + origin->octets > MS_LIMIT_DNS_NAME) {
                return "domain name longer than 253 octets once the origin is added "
                       "(RFC 1035 §2.3.4)";
            }
            out->text[out->text_len++] = '.';
            memcpy(out->text + out->text_len, origin->text, origin->text_len);
            out->text_len += origin->text_len;
            out->octets += 1 + origin->octets;
        }
    }
    out->text[out->text_len] = '\0';
    return NULL;
}

/* BIND-style TTL: seconds, or number-unit pairs like 1h30m (units s m h d w). */
static bool parse_ttl(const char *s, size_t len, uint32_t *out)
{
    unsigned long total = 0;
    size_t i = 0;
    if (len == 0) {
        return false;
    }
    while (i < len) {
        unsigned long v = 0, mult = 1;
        size_t used = 0;
        if (!ms__parse_uint(s + i, len - i, MAX_TTL, &v, &used)) {
            return false;
        }
        i += used;
        if (i < len) {
            static const char units[] = "smhdw";
            static const unsigned long seconds[] = {1, 60, 3600, 86400, 604800};
            const char *u = memchr(units, ms__lower(s[i]), sizeof(units) - 1);
            if (u == NULL) {
                return false;
            }
            mult = seconds[u - units];
            i++;
        }
        if (v > (MAX_TTL - total) / mult) {
            return false;
        }
        total += v * mult;
    }
    *out = (uint32_t)total;
    return true;
}

static bool parse_number(const token *t, unsigned long max, uint32_t *out)
{
    unsigned long v = 0;
    size_t used = 0;
    if (t->kind != TOK_WORD || !ms__parse_uint(t->s, t->len, max, &v, &used) || used != t->len) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* ---- records ----------------------------------------------------------------------------- */

static const struct {
    const char *name;
    uint16_t type;
} types[] = {
    {"A", MS_DNS_A},     {"AAAA", MS_DNS_AAAA},   {"MX", MS_DNS_MX},
    {"PTR", MS_DNS_PTR}, {"CNAME", MS_DNS_CNAME}, {"NS", MS_DNS_NS},
    {"SOA", MS_DNS_SOA}, {"TXT", MS_DNS_TXT},     {"SPF", MS_DNS_SPF},
};

static const char *const classes[] = {"IN",     "CLASS1", "CH",   "CHAOS", "HS",
                                      "HESIOD", "CS",     "NONE", "ANY"};

static bool is_class(const token *t)
{
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        if (ms__str_ieq(t->s, t->len, classes[i], strlen(classes[i]))) {
            return true;
        }
    }
    return t->len > 5 && ms__str_iprefix(t->s, t->len, "CLASS") && ms__is_digit(t->s[5]);
}

/* The next token of the record's data; the missing reason when the record has ended. */
static ms_status lex_field(parser *ps, token *t, const char *missing)
{
    TRY(lex(ps, t));
    return (t->kind == TOK_EOL || t->kind == TOK_EOF) ? fail(ps, MS_ESYNTAX, t, missing) : MS_OK;
}

static ms_status rdata_name(parser *ps, dname *out, const char *missing)
{
    token t;
    TRY(lex_field(ps, &t, missing));
    if (t.kind == TOK_QUOTED) {
        return fail(ps, MS_ESYNTAX, &t, "a domain name cannot be a quoted string");
    }
    const char *reason = parse_name(t.s, t.len, &ps->origin, false, out);
    return reason ? fail(ps, MS_ESYNTAX, &t, reason) : MS_OK;
}

/* A number up to max, or a TTL when max is 0. */
static ms_status rdata_number(parser *ps, unsigned long max, uint32_t *out, const char *missing,
                              const char *bad)
{
    token t;
    TRY(lex_field(ps, &t, missing));
    bool ok = max ? parse_number(&t, max, out) : (t.kind == TOK_WORD && parse_ttl(t.s, t.len, out));
    return ok ? MS_OK : fail(ps, MS_ESYNTAX, &t, bad);
}

static ms_status rdata_address(parser *ps, int family, void *out)
{
    const char *bad = family == AF_INET
                          ? "missing or bad IPv4 address (RFC 1035 §3.4.1: dotted decimal)"
                          : "missing or bad IPv6 address (RFC 3596 §2.4)";
    token t;
    TRY(lex_field(ps, &t, bad));
    char buf[64];
    if (t.kind != TOK_WORD || t.len >= sizeof(buf)) {
        return fail(ps, MS_ESYNTAX, &t, bad);
    }
    memcpy(buf, t.s, t.len);
    buf[t.len] = '\0';
    return inet_pton(family, buf, out) == 1 ? MS_OK : fail(ps, MS_ESYNTAX, &t, bad);
}

/* TXT and SPF: one or more character-strings, quoted or not, up to the end of the record
 * (RFC 1035 §3.3.14, §3.3: each at most 255 octets). */
static ms_status rdata_txt(parser *ps, ms_dns_rr *rr)
{
    size_t total = 0, wire = 0, n = 0;
    for (;;) {
        token t;
        TRY(lex(ps, &t));
        if (t.kind == TOK_EOL || t.kind == TOK_EOF) {
            if (n == 0) {
                return fail(ps, MS_ESYNTAX, &t, "TXT needs at least one character-string");
            }
            break;
        }
        size_t start = total;
        for (size_t i = 0; i < t.len;) {
            unsigned char o;
            if (!unescape(t.s, t.len, &i, &o)) {
                return fail(ps, MS_ESYNTAX, &t,
                            "bad escape in a string (\\X or \\DDD up to \\255)");
            }
            if (total - start >= 255) {
                return fail(ps, MS_ESYNTAX, &t,
                            "character-string longer than 255 octets (RFC 1035 §3.3)");
            }
            if (total >= MS_LIMIT_DNS_TXT) {
                return fail(ps, MS_ELIMIT, &t, "TXT data longer than MS_LIMIT_DNS_TXT octets");
            }
            ps->txt[total++] = (char)o;
        }
        wire += total - start + 1;
        if (wire > MS_LIMIT_DNS_TXT) {
            return fail(ps, MS_ELIMIT, &t, "TXT data longer than MS_LIMIT_DNS_TXT octets");
        }
        ps->lens[n++] = (uint8_t)(total - start);
    }
    ps->txt[total] = '\0';
    rr->u.txt.data = ps->txt;
    rr->u.txt.len = total;
    rr->u.txt.lens = ps->lens;
    rr->u.txt.n_strings = n;
    return MS_OK;
}

static ms_status rdata(parser *ps, ms_dns_rr *rr)
{
    switch (rr->type) {
    case MS_DNS_A:
        TRY(rdata_address(ps, AF_INET, rr->u.a));
        break;
    case MS_DNS_AAAA:
        TRY(rdata_address(ps, AF_INET6, rr->u.aaaa));
        break;
    case MS_DNS_PTR:
    case MS_DNS_CNAME:
    case MS_DNS_NS:
        TRY(rdata_name(ps, &ps->rdata1, "missing the target domain name"));
        rr->u.name = ps->rdata1.text;
        break;
    case MS_DNS_MX: {
        uint32_t pref = 0;
        TRY(rdata_number(ps, 65535, &pref, "MX needs a preference and an exchange",
                         "bad MX preference (RFC 1035 §3.3.9: 0 to 65535)"));
        TRY(rdata_name(ps, &ps->rdata1, "MX needs an exchange after the preference"));
        rr->u.mx.preference = (uint16_t)pref;
        rr->u.mx.exchange = ps->rdata1.text;
        break;
    }
    case MS_DNS_SOA: {
        /* RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM */
        const char *missing = "SOA needs MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM";
        TRY(rdata_name(ps, &ps->rdata1, missing));
        TRY(rdata_name(ps, &ps->rdata2, missing));
        TRY(rdata_number(ps, UINT32_MAX, &rr->u.soa.serial, missing,
                         "bad SOA serial (0 to 4294967295)"));
        uint32_t *timers[] = {&rr->u.soa.refresh, &rr->u.soa.retry, &rr->u.soa.expire,
                              &rr->u.soa.minimum};
        for (size_t i = 0; i < 4; i++) {
            TRY(rdata_number(ps, 0, timers[i], missing,
                             "bad SOA timer (a TTL: seconds or units like 1h)"));
        }
        rr->u.soa.mname = ps->rdata1.text;
        rr->u.soa.rname = ps->rdata2.text;
        break;
    }
    default:
        return rdata_txt(ps, rr); /* TXT, SPF: reads through the end of the record */
    }
    return expect_end(ps);
}

/* The optional TTL and class before the type, in either order (RFC 1035 §5.1). */
static ms_status ttl_and_class(parser *ps, token *t, bool *has_ttl, uint32_t *ttl)
{
    bool has_class = false;
    for (unsigned k = 0; k < 3 && t->kind == TOK_WORD; k++) {
        if (ms__is_digit(t->s[0])) {
            if (*has_ttl) {
                return fail(ps, MS_ESYNTAX, t, "TTL given twice");
            }
            if (!parse_ttl(t->s, t->len, ttl)) {
                return fail(ps, MS_ESYNTAX, t,
                            "bad TTL (RFC 2181 §8: 0 to 2147483647 seconds; units s m h d w)");
            }
            *has_ttl = true;
        } else if (is_class(t)) {
            if (has_class) {
                return fail(ps, MS_ESYNTAX, t, "class given twice");
            }
            if (!ms__str_ieq(t->s, t->len, "IN", 2) && !ms__str_ieq(t->s, t->len, "CLASS1", 6)) {
                return fail(ps, MS_ESYNTAX, t, "only class IN is supported");
            }
            has_class = true;
        } else {
            break;
        }
        TRY(lex(ps, t));
    }
    return MS_OK;
}

static ms_status record(parser *ps, const token *first)
{
    token t = *first;
    if (first->line_ws) {
        /* RFC 1035 §5.1: a blank owner is the previous record's owner. */
        if (!ps->has_owner) {
            return fail(ps, MS_ESYNTAX, first,
                        "line starts with white space but no earlier owner to reuse");
        }
    } else {
        if (t.kind == TOK_QUOTED) {
            return fail(ps, MS_ESYNTAX, &t, "a domain name cannot be a quoted string");
        }
        const char *reason = parse_name(t.s, t.len, &ps->origin, false, &ps->owner);
        if (reason) {
            return fail(ps, MS_ESYNTAX, &t, reason);
        }
        ps->has_owner = true;
        TRY(lex(ps, &t));
    }
    bool has_ttl = false;
    uint32_t ttl = 0;
    TRY(ttl_and_class(ps, &t, &has_ttl, &ttl));
    if (t.kind != TOK_WORD) {
        return fail(ps, MS_ESYNTAX, &t, "missing record type");
    }
    ms_dns_rr rr;
    memset(&rr, 0, sizeof(rr));
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (ms__str_ieq(t.s, t.len, types[i].name, strlen(types[i].name))) {
            rr.type = types[i].type;
        }
    }
    if (rr.type == 0) {
        return fail(ps, MS_ESYNTAX, &t,
                    "unsupported record type (A AAAA MX PTR CNAME NS SOA TXT SPF are read)");
    }
    token type_tok = t;
    TRY(rdata(ps, &rr));
    /* RFC 2308 §4: $TTL is the default; before it, RFC 1035 §5.1's last stated TTL. */
    if (has_ttl) {
        ps->last_ttl = ttl;
        ps->has_last_ttl = true;
    } else if (ps->has_default_ttl) {
        ttl = ps->default_ttl;
    } else if (ps->has_last_ttl) {
        ttl = ps->last_ttl;
    } else {
        ttl = DEFAULT_TTL;
    }
    rr.ttl = ttl;
    if (ps->owner.octets == 0) {
        return fail(ps, MS_ESYNTAX, &type_tok, "the root cannot own records in this view");
    }
    ms_status st = ms_zone_add(ps->zone, ps->owner.text, &rr);
    switch (st) {
    case MS_OK:
        return MS_OK;
    case MS_ELIMIT:
        return fail(ps, st, &type_tok, "more records than MS_LIMIT_ZONE_RECORDS (or TXT cap)");
    case MS_EINVAL:
        return fail(ps, MS_ESYNTAX, &type_tok,
                    "owner name too long once written with \\DDD escapes");
    default:
        return fail(ps, st, &type_tok, "cannot store the record (out of memory)");
    }
}

static ms_status directive(parser *ps, const token *d)
{
    token t;
    if (ms__str_ieq(d->s, d->len, "$ORIGIN", 7)) {
        TRY(lex(ps, &t));
        if (t.kind != TOK_WORD) {
            return fail(ps, MS_ESYNTAX, &t, "$ORIGIN needs a domain name");
        }
        const char *reason = parse_name(t.s, t.len, &ps->origin, false, &ps->tmp);
        if (reason) {
            return fail(ps, MS_ESYNTAX, &t, reason);
        }
        ps->origin = ps->tmp;
        return expect_end(ps);
    }
    if (ms__str_ieq(d->s, d->len, "$TTL", 4)) {
        TRY(lex(ps, &t));
        if (t.kind != TOK_WORD || !parse_ttl(t.s, t.len, &ps->default_ttl)) {
            return fail(ps, MS_ESYNTAX, &t,
                        "$TTL needs a TTL (RFC 2308 §4; 0 to 2147483647 seconds, or 1h style)");
        }
        ps->has_default_ttl = true;
        return expect_end(ps);
    }
    if (ms__str_ieq(d->s, d->len, "$INCLUDE", 8)) {
        return fail(ps, MS_ESYNTAX, d,
                    "$INCLUDE refused: an offline view is built only from files listed "
                    "explicitly, so a zone file cannot pull in others");
    }
    return fail(ps, MS_ESYNTAX, d, "unknown directive ($ORIGIN and $TTL are supported)");
}

static ms_status parse_all(parser *ps)
{
    /* Each pass consumes at least one token, so this ends within len passes. */
    for (;;) {
        token t;
        TRY(lex(ps, &t));
        if (t.kind == TOK_EOF) {
            return MS_OK;
        }
        if (t.kind == TOK_EOL) {
            continue;
        }
        TRY((t.kind == TOK_WORD && t.s[0] == '$') ? directive(ps, &t) : record(ps, &t));
    }
}

/* ---- entry points ------------------------------------------------------------------------- */

static ms_status arg_error(ms_zone_error *err, ms_status st, const char *reason, const char *s)
{
    set_error(err, 0, 0, reason, s ? s : "", s ? strnlen(s, sizeof(err->detail)) : 0);
    return st;
}

/* origin (NULL, or a name taken as absolute with or without its dot) is where relative names
 * and '@' start until $ORIGIN changes it. No state carries from one load to the next. On an
 * error the records before it are already in the view and the rest is not read. */
ms_status ms_zone_load_text(ms_resolver *zone, const char *text, size_t len, const char *origin,
                            ms_zone_error *err)
{
    ms_zone_error local;
    if (err == NULL) {
        err = &local;
    }
    memset(err, 0, sizeof(*err));
    if (!ms__zone_is_zone(zone) || (text == NULL && len > 0)) {
        return arg_error(err, MS_EINVAL, "not a zone resolver, or no text", NULL);
    }
    if (len > MS_LIMIT_ZONE_FILE_BYTES) {
        return arg_error(err, MS_ELIMIT, "zone text larger than MS_LIMIT_ZONE_FILE_BYTES", NULL);
    }
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul != NULL) {
        /* A NUL would silently cut a C string short later; refuse it where it stands. */
        unsigned line = 1;
        size_t line_start = 0;
        for (size_t i = 0; i < (size_t)(nul - text); i++) {
            if (text[i] == '\n') {
                line++;
                line_start = i + 1;
            }
        }
        set_error(err, line, (unsigned)((size_t)(nul - text) - line_start + 1),
                  "NUL byte in the zone file", "\\000", 4);
        return MS_ESYNTAX;
    }
    parser *ps = calloc(1, sizeof(*ps));
    if (ps == NULL) {
        return arg_error(err, MS_ENOMEM, "out of memory", NULL);
    }
    ps->zone = zone;
    ps->err = err;
    ps->p = text;
    ps->len = len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        ps->pos = 3; /* a UTF-8 byte order mark some editors add */
    }
    ps->line = 0;
    start_line(ps); /* line 1 */
    ms_status st = MS_OK;
    if (origin != NULL) {
        size_t olen = strnlen(origin, MS_LIMIT_DNS_NAME_TEXT + 1);
        const char *reason = olen > MS_LIMIT_DNS_NAME_TEXT
                                 ? "origin longer than MS_LIMIT_DNS_NAME_TEXT"
                                 : parse_name(origin, olen, &ps->origin, true, &ps->tmp);
        if (reason != NULL) {
            st = arg_error(err, MS_EINVAL, reason, origin);
        }
        ps->origin = ps->tmp;
    }
    if (st == MS_OK) {
        st = parse_all(ps);
    }
    free(ps);
    return st;
}

ms_status ms_zone_load_file(ms_resolver *zone, const char *path, const char *origin,
                            ms_zone_error *err)
{
    ms_zone_error local;
    if (err == NULL) {
        err = &local;
    }
    memset(err, 0, sizeof(*err));
    if (!ms__zone_is_zone(zone) || path == NULL) {
        return arg_error(err, MS_EINVAL, "not a zone resolver, or no path", NULL);
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return arg_error(err, MS_EIO,
                         errno == ENOENT   ? "zone file not found"
                         : errno == EACCES ? "zone file not readable (permission denied)"
                                           : "cannot open the zone file",
                         path);
    }
    char *buf = NULL;
    size_t size = 0, cap = 0;
    ms_status st = MS_OK;
    /* Read whole, at most MS_LIMIT_ZONE_FILE_BYTES + 1 bytes: the loop ends at EOF or cap. */
    for (;;) {
        if (size == cap) {
            if (cap > MS_LIMIT_ZONE_FILE_BYTES) {
                st = arg_error(err, MS_ELIMIT, "zone file larger than MS_LIMIT_ZONE_FILE_BYTES",
                               path);
                break;
            }
            size_t next = cap ? cap * 2 : 65536;
            if (next > MS_LIMIT_ZONE_FILE_BYTES + 1) {
                next = MS_LIMIT_ZONE_FILE_BYTES + 1;
            }
            char *bigger = realloc(buf, next);
            if (bigger == NULL) {
                st = arg_error(err, MS_ENOMEM, "out of memory", path);
                break;
            }
            buf = bigger;
            cap = next;
        }
        size_t n = fread(buf + size, 1, cap - size, f);
        size += n;
        if (n == 0) {
            if (ferror(f)) {
                st = arg_error(err, MS_EIO, "cannot read the zone file", path);
            }
            break;
        }
    }
    fclose(f);
    if (st == MS_OK) {
        st = ms_zone_load_text(zone, buf, size, origin, err);
    }
    free(buf);
    return st;
}
