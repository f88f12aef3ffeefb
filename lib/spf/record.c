/* SPDX-License-Identifier: MIT */
/* SPF record parsing, RFC 7208 §4.5 (version), §4.6.1 (terms), §5 (mechanisms), §6
 * (modifiers) and the §12 ABNF. The whole record is checked before anything is evaluated:
 * one syntax error anywhere is a permerror (§4.6). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "mailseal/spf.h"
#include "spf/ip.h"
#include "spf/macro.h"

bool ms_spf_is_record(const char *txt, size_t len)
{
    /* §4.5: exactly "v=spf1" followed by a space or the end; "v=spf10" is another thing. */
    return len >= 6 && ms__str_iprefix(txt, len, "v=spf1") && (len == 6 || txt[6] == ' ');
}

typedef struct parser {
    ms_arena *arena;
    const char *rec;
    size_t len;
    ms_spf_parse_error *err;
} parser;

static ms_status fail(parser *ps, size_t offset, const char *reason, const char *tok, size_t toklen)
{
    if (ps->err) {
        ps->err->offset = offset;
        ps->err->reason = reason;
        size_t n = toklen < sizeof(ps->err->detail) - 1 ? toklen : sizeof(ps->err->detail) - 1;
        memcpy(ps->err->detail, tok, n);
        ps->err->detail[n] = '\0';
    }
    return MS_ESYNTAX;
}

static bool is_name_char(char c)
{
    return ms__is_alnum(c) || c == '-' || c == '_' || c == '.';
}

/* §12: toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
 */
static bool is_toplabel(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    bool has_alpha = false, has_hyphen = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '-') {
            has_hyphen = true;
        } else if (ms__is_alpha(s[i])) {
            has_alpha = true;
        } else if (!ms__is_digit(s[i])) {
            return false;
        }
    }
    if (has_hyphen) {
        return s[0] != '-' && s[len - 1] != '-';
    }
    return has_alpha;
}

/* domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static const char *check_domain_spec(const char *s, size_t len, size_t *err_off)
{
    if (len == 0) {
        *err_off = 0;
        return "empty domain-spec (RFC 7208 §12)";
    }
    const char *why = ms__spf_macro_check(s, len, MS__MACRO_DOMAIN, err_off);
    if (why) {
        return why;
    }
    /* Ends in a macro-expand: "}" closing %{...}, or one of %% %_ %-. Find where the last
     * expand ends by scanning (escapes make a backwards look ambiguous). */
    size_t last_expand_end = SIZE_MAX;
    for (size_t i = 0; i < len;) {
        if (s[i] == '%') {
            if (s[i + 1] == '{') {
                const char *close = memchr(s + i, '}', len - i);
                i = (size_t)(close - s) + 1; /* the check above proved it is there */
            } else {
                i += 2;
            }
            last_expand_end = i;
        } else {
            i++;
        }
    }
    if (last_expand_end == len) {
        return NULL;
    }
    size_t end = len;
    if (s[end - 1] == '.') {
        end--;
    }
    size_t dot = end;
    while (dot > 0 && s[dot - 1] != '.') {
        dot--;
    }
    if (dot == 0 || (last_expand_end != SIZE_MAX && dot <= last_expand_end) ||
        !is_toplabel(s + dot, end - dot)) {
        *err_off = dot;
        return "domain-spec must end in a macro or '.' and a valid top label (RFC 7208 §7.1, §12)";
    }
    return NULL;
}

/* "/N" with N in 0..max, no leading zeros (§12 ip4-cidr-length, ip6-cidr-length). */
static bool parse_cidr(const char *s, size_t len, unsigned max, int *out)
{
    if (len == 0 || len > 3 || (len > 1 && s[0] == '0')) {
        return false;
    }
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!ms__is_digit(s[i])) {
            return false;
        }
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *out = (int)v;
    return true;
}

/* Strip a trailing dual-cidr-length ("/N", "//M", "/N//M") from s[0..*len). */
static bool strip_dual_cidr(const char *s, size_t *len, int *c4, int *c6)
{
    size_t n = *len;
    for (int round = 0; round < 2; round++) {
        size_t j = n;
        while (j > 0 && ms__is_digit(s[j - 1])) {
            j--;
        }
        if (j == n || j == 0 || s[j - 1] != '/') {
            break;
        }
        bool is_v6 = j >= 2 && s[j - 2] == '/';
        if (is_v6) {
            if (round == 1 || *c6 != -1) {
                break;
            }
            if (!parse_cidr(s + j, n - j, 128, c6)) {
                return false;
            }
            n = j - 2;
        } else {
            if (*c4 != -1) {
                break;
            }
            if (!parse_cidr(s + j, n - j, 32, c4)) {
                return false;
            }
            n = j - 1;
            break; /* the IPv4 length comes first: nothing more to strip */
        }
    }
    *len = n;
    return true;
}

typedef struct mech_name {
    const char *name;
    ms_spf_term_kind kind;
} mech_name;

static const mech_name MECHANISMS[] = {
    {"all", MS_SPF_MECH_ALL}, {"include", MS_SPF_MECH_INCLUDE}, {"a", MS_SPF_MECH_A},
    {"mx", MS_SPF_MECH_MX},   {"ptr", MS_SPF_MECH_PTR},         {"ip4", MS_SPF_MECH_IP4},
    {"ip6", MS_SPF_MECH_IP6}, {"exists", MS_SPF_MECH_EXISTS},
};

static ms_status set_domain_spec(parser *ps, ms_spf_term *t, size_t term_off, const char *s,
                                 size_t len)
{
    size_t off = 0;
    const char *why = check_domain_spec(s, len, &off);
    if (why) {
        return fail(ps, term_off, why, t->text, strlen(t->text));
    }
    t->domain_spec = ms_arena_strndup(ps->arena, s, len);
    return t->domain_spec ? MS_OK : ms_arena_status(ps->arena);
}

static ms_status parse_ip(parser *ps, ms_spf_term *t, size_t off, const char *rest, size_t rlen)
{
    const char *tl = t->text;
    size_t tlen = strlen(tl);
    if (rlen == 0 || rest[0] != ':') {
        return fail(ps, off, "ip4/ip6 need ':' and a network (RFC 7208 §5.6)", tl, tlen);
    }
    rest++;
    rlen--;
    const char *slash = memchr(rest, '/', rlen);
    size_t netlen = slash ? (size_t)(slash - rest) : rlen;
    if (t->kind == MS_SPF_MECH_IP4) {
        if (!ms__spf_ip4_parse(rest, netlen, t->addr)) {
            return fail(ps, off, "invalid IPv4 network (RFC 7208 §5.6)", tl, tlen);
        }
        if (slash && !parse_cidr(slash + 1, rlen - netlen - 1, 32, &t->cidr4)) {
            return fail(ps, off, "invalid IPv4 prefix length, 0 to 32 (RFC 7208 §5.6)", tl, tlen);
        }
        return MS_OK;
    }
    char text[64];
    if (netlen == 0 || netlen >= sizeof(text)) {
        return fail(ps, off, "invalid IPv6 network (RFC 7208 §5.6)", tl, tlen);
    }
    memcpy(text, rest, netlen);
    text[netlen] = '\0';
    if (memchr(text, '\0', netlen) || inet_pton(AF_INET6, text, t->addr) != 1) {
        return fail(ps, off, "invalid IPv6 network (RFC 7208 §5.6)", tl, tlen);
    }
    if (slash && !parse_cidr(slash + 1, rlen - netlen - 1, 128, &t->cidr6)) {
        return fail(ps, off, "invalid IPv6 prefix length, 0 to 128 (RFC 7208 §5.6)", tl, tlen);
    }
    return MS_OK;
}

static ms_status parse_mechanism(parser *ps, ms_spf_term *t, size_t off, const char *name,
                                 size_t nlen, const char *rest, size_t rlen)
{
    const char *tl = t->text;
    size_t tlen = strlen(tl);
    size_t i;
    for (i = 0; i < sizeof(MECHANISMS) / sizeof(MECHANISMS[0]); i++) {
        if (ms__str_ieq(name, nlen, MECHANISMS[i].name, strlen(MECHANISMS[i].name))) {
            break;
        }
    }
    if (i == sizeof(MECHANISMS) / sizeof(MECHANISMS[0])) {
        return fail(ps, off, "unknown mechanism (RFC 7208 §4.6.1, §5)", tl, tlen);
    }
    t->kind = MECHANISMS[i].kind;
    switch (t->kind) {
    case MS_SPF_MECH_ALL:
        if (rlen != 0) {
            return fail(ps, off, "'all' takes no argument (RFC 7208 §5.1)", tl, tlen);
        }
        return MS_OK;
    case MS_SPF_MECH_INCLUDE:
    case MS_SPF_MECH_EXISTS:
        if (rlen < 2 || rest[0] != ':') {
            return fail(ps, off, "include and exists need ':' and a domain (RFC 7208 §5.2, §5.7)",
                        tl, tlen);
        }
        return set_domain_spec(ps, t, off, rest + 1, rlen - 1);
    case MS_SPF_MECH_PTR:
        if (rlen == 0) {
            return MS_OK;
        }
        if (rest[0] != ':') {
            return fail(ps, off, "ptr takes only ':' and a domain (RFC 7208 §5.5)", tl, tlen);
        }
        return set_domain_spec(ps, t, off, rest + 1, rlen - 1);
    case MS_SPF_MECH_A:
    case MS_SPF_MECH_MX: {
        size_t dlen = rlen;
        if (!strip_dual_cidr(rest, &dlen, &t->cidr4, &t->cidr6)) {
            return fail(ps, off,
                        "invalid prefix length: IPv4 0 to 32, IPv6 0 to 128 "
                        "(RFC 7208 §5.6)",
                        tl, tlen);
        }
        if (dlen == 0) {
            return MS_OK;
        }
        if (rest[0] != ':') {
            return fail(ps, off,
                        "a and mx take ':' and a domain, then prefix lengths "
                        "(RFC 7208 §5.3, §5.4)",
                        tl, tlen);
        }
        return set_domain_spec(ps, t, off, rest + 1, dlen - 1);
    }
    case MS_SPF_MECH_IP4:
    case MS_SPF_MECH_IP6:
        return parse_ip(ps, t, off, rest, rlen);
    default:
        return fail(ps, off, "unknown mechanism (RFC 7208 §5)", tl, tlen);
    }
}

static ms_status parse_term(parser *ps, ms_spf_record *rec, ms_spf_term *t, size_t off, size_t tlen)
{
    const char *s = ps->rec + off;
    memset(t, 0, sizeof(*t));
    t->cidr4 = -1;
    t->cidr6 = -1;
    t->offset = off;
    t->qualifier = '+';
    t->text = ms_arena_strndup(ps->arena, s, tlen);
    if (t->text == NULL) {
        return ms_arena_status(ps->arena);
    }
    for (size_t i = 0; i < tlen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e) {
            return fail(ps, off + i,
                        c >= 0x80 ? "non-ASCII byte in the record (RFC 7208 §3.1)"
                                  : "control character in the record (RFC 7208 §4.6.1)",
                        s, tlen);
        }
    }
    size_t p = 0;
    bool has_qualifier = false;
    if (s[0] == '+' || s[0] == '-' || s[0] == '~' || s[0] == '?') {
        t->qualifier = s[0];
        has_qualifier = true;
        p = 1;
    }
    size_t name_start = p;
    if (p >= tlen || !ms__is_alpha(s[p])) {
        return fail(ps, off,
                    "a term must start with a mechanism or modifier name "
                    "(RFC 7208 §4.6.1)",
                    s, tlen);
    }
    while (p < tlen && is_name_char(s[p])) {
        p++;
    }
    const char *name = s + name_start;
    size_t nlen = p - name_start;
    if (p < tlen && s[p] == '=') {
        if (has_qualifier) {
            return fail(ps, off, "a modifier takes no qualifier (RFC 7208 §4.6.1)", s, tlen);
        }
        const char *value = s + p + 1;
        size_t vlen = tlen - p - 1;
        t->name = ms_arena_strndup(ps->arena, name, nlen);
        if (t->name == NULL) {
            return ms_arena_status(ps->arena);
        }
        if (ms__str_ieq(name, nlen, "redirect", 8) || ms__str_ieq(name, nlen, "exp", 3)) {
            bool is_redirect = nlen == 8;
            t->kind = is_redirect ? MS_SPF_MOD_REDIRECT : MS_SPF_MOD_EXP;
            if ((is_redirect && rec->redirect) || (!is_redirect && rec->exp)) {
                return fail(ps, off, "redirect= and exp= may appear only once (RFC 7208 §6)", s,
                            tlen);
            }
            ms_status st = set_domain_spec(ps, t, off, value, vlen);
            if (st != MS_OK) {
                return st;
            }
            if (is_redirect) {
                rec->redirect = t;
            } else {
                rec->exp = t;
            }
            return MS_OK;
        }
        t->kind = MS_SPF_MOD_UNKNOWN;
        size_t err_off;
        /* unknown-modifier = name "=" macro-string: its value must still parse (§12). */
        if (ms__spf_macro_check(value, vlen, MS__MACRO_EXPLAIN, &err_off) != NULL) {
            return fail(ps, off, "invalid macro string in a modifier (RFC 7208 §6, §7.1)", s, tlen);
        }
        t->domain_spec = ms_arena_strndup(ps->arena, value, vlen);
        return t->domain_spec ? MS_OK : ms_arena_status(ps->arena);
    }
    return parse_mechanism(ps, t, off, name, nlen, s + p, tlen - p);
}

ms_status ms_spf_record_parse(const char *txt, size_t len, ms_arena *arena,
                              const ms_spf_record **out, ms_spf_parse_error *err)
{
    *out = NULL;
    parser ps = {arena, txt, len, err};
    if (err) {
        memset(err, 0, sizeof(*err));
    }
    if (!ms_spf_is_record(txt, len)) {
        return fail(&ps, 0, "not an SPF record: it must start with \"v=spf1\" (RFC 7208 §4.5)", txt,
                    len);
    }
    if (len > MS_LIMIT_SPF_RECORD) {
        return fail(&ps, MS_LIMIT_SPF_RECORD,
                    "record too long: more than MS_LIMIT_SPF_RECORD bytes (RFC 7208 §3.4, §11.1)",
                    txt, 16);
    }
    /* Count terms first so the array is allocated once. */
    size_t n = 0;
    for (size_t i = 6; i < len; i++) {
        if (txt[i] != ' ' && txt[i - 1] == ' ') {
            n++;
        }
    }
    if (n > MS_LIMIT_SPF_TERMS) {
        return fail(&ps, 0,
                    "too many terms in one record: more than MS_LIMIT_SPF_TERMS "
                    "(RFC 7208 §11.1)",
                    txt, 16);
    }
    ms_spf_record *rec = ms_arena_alloc(arena, sizeof(*rec));
    ms_spf_term *terms = ms_arena_alloc(arena, (n ? n : 1) * sizeof(*terms));
    if (rec == NULL || terms == NULL) {
        return ms_arena_status(arena);
    }
    memset(rec, 0, sizeof(*rec));
    size_t pos = 6, k = 0;
    while (pos < len) {
        while (pos < len && txt[pos] == ' ') {
            pos++; /* terms = *( 1*SP ( directive / modifier ) ); trailing spaces allowed */
        }
        if (pos >= len) {
            break;
        }
        size_t start = pos;
        while (pos < len && txt[pos] != ' ') {
            pos++;
        }
        ms_status st = parse_term(&ps, rec, &terms[k], start, pos - start);
        if (st != MS_OK) {
            return st;
        }
        switch (terms[k].kind) {
        case MS_SPF_MECH_INCLUDE:
        case MS_SPF_MECH_A:
        case MS_SPF_MECH_MX:
        case MS_SPF_MECH_PTR:
        case MS_SPF_MECH_EXISTS:
        case MS_SPF_MOD_REDIRECT:
            rec->n_dns_terms++; /* §4.6.4 */
            break;
        default:
            break;
        }
        k++;
    }
    /* The pointers were set to the array slots while parsing; they are stable. */
    rec->terms = terms;
    rec->n_terms = k;
    *out = rec;
    return MS_OK;
}
