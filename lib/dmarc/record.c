/* SPDX-License-Identifier: MIT */
/* DMARC policy records, RFC 9989 §4.7 (tags) and §4.8 (ABNF), with the RFC 7489 §6.3 tags that
 * RFC 9989 removed (pct, rf, ri) parsed and noted. What invalidates a record: no "v=DMARC1"
 * first (§4.7 v), a duplicate tag (bad-inputs DMARC-22: two readers could pick different
 * ones), a record longer than MS_LIMIT_DMARC_RECORD, and no valid p=/sp=/np= without a valid
 * rua= (§4.10.1). Any other bad value falls back to its default with a note (§4.8). */
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "mailseal/dmarc.h"
#include "msg/domain.h"

/* v *WSP "=" *WSP "DMARC1" then the end, or *WSP ";" (§4.8 dmarc-version, dmarc-sep). */
static bool version_at(const char *txt, size_t len, size_t *end)
{
    size_t i = 0;
    if (len == 0 || (txt[0] != 'v' && txt[0] != 'V')) {
        return false;
    }
    i = 1;
    while (i < len && ms__is_space(txt[i])) {
        i++;
    }
    if (i >= len || txt[i] != '=') {
        return false;
    }
    i++;
    while (i < len && ms__is_space(txt[i])) {
        i++;
    }
    if (len - i < 6 || memcmp(txt + i, "DMARC1", 6) != 0) {
        return false; /* the value is case sensitive (§4.7 v) */
    }
    i += 6;
    size_t j = i;
    while (j < len && ms__is_space(txt[j])) {
        j++;
    }
    if (j < len && txt[j] != ';') {
        return false; /* "v=DMARC10" or "v=DMARC1 p=none" */
    }
    *end = i;
    return true;
}

bool ms_dmarc_is_record(const char *txt, size_t len)
{
    size_t end;
    return txt != NULL && version_at(txt, len, &end);
}

typedef struct parser {
    ms_arena *arena;
    const char *txt;
    size_t len;
    ms_dmarc_parse_error *err;
    ms_dmarc_record *rec;
    const char *notes[MS_LIMIT_DMARC_NOTES];
    size_t n_notes;
    ms_dmarc_uri *uris[2];
    size_t n_uris[2];
    bool bad_policy; /* p=, sp= or np= written with a bad value */
    bool has_valid_rua;
} parser;

static ms_status fail(parser *ps, size_t offset, const char *reason, const char *tok, size_t toklen)
{
    if (ps->err != NULL) {
        ps->err->offset = offset;
        ps->err->reason = reason;
        size_t n = 0;
        for (size_t i = 0; i < toklen && n < sizeof(ps->err->detail) - 1; i++) {
            char c = tok[i];
            ps->err->detail[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
        }
        ps->err->detail[n] = '\0';
    }
    return MS_ESYNTAX;
}

/* A note: "<what> `<text>`: <why>", the text cut and made printable. Past the cap the notes
 * are dropped: they explain, they never decide. */
static void note(parser *ps, const char *what, const char *s, size_t len, const char *why)
{
    if (ps->n_notes >= MS_LIMIT_DMARC_NOTES) {
        return;
    }
    ms__buf b;
    ms__buf_init(&b, ps->arena, 256);
    ms__buf_puts(&b, what);
    if (s != NULL) {
        ms__buf_puts(&b, " \"");
        for (size_t i = 0; i < len && i < 64; i++) {
            char c = s[i];
            ms__buf_putc(&b, (c >= 0x20 && c < 0x7f) ? c : '?');
        }
        ms__buf_puts(&b, len > 64 ? "...\"" : "\"");
    }
    ms__buf_puts(&b, ": ");
    ms__buf_puts(&b, why);
    if (ms__buf_status(&b) == MS_OK) {
        ps->notes[ps->n_notes++] = ms__buf_str(&b);
    }
}

/* §4.8 dmarc-value: printing characters but ";" (the ";" cannot occur: it ends the tag). */
static bool printable(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e) {
            return false;
        }
    }
    return len > 0;
}

static bool parse_request(const char *v, size_t len, ms_dmarc_policy *out)
{
    if (ms__str_ieq(v, len, "none", 4)) {
        *out = MS_DMARC_POLICY_NONE;
    } else if (ms__str_ieq(v, len, "quarantine", 10)) {
        *out = MS_DMARC_POLICY_QUARANTINE;
    } else if (ms__str_ieq(v, len, "reject", 6)) {
        *out = MS_DMARC_POLICY_REJECT;
    } else {
        return false;
    }
    return true;
}

/* dmarc-fo: colon-separated 0, 1, d, s; "0" and "1" exclusive; each at most once. */
static bool valid_fo(const char *v, size_t len)
{
    unsigned seen = 0;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && v[j] != ':') {
            j++;
        }
        if (j - i != 1) {
            return false;
        }
        char c = ms__lower(v[i]);
        unsigned bit = c == '0' ? 1u : c == '1' ? 2u : c == 'd' ? 4u : c == 's' ? 8u : 0u;
        if (bit == 0 || (seen & bit) != 0) {
            return false;
        }
        seen |= bit;
        if (j < len && j + 1 == len) {
            return false; /* trailing ':' */
        }
        i = j + 1;
    }
    return seen != 0 && (seen & 3u) != 3u;
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" and something after
 * it without spaces or controls; commas and "!" must be encoded (§4.8 dmarc-uri). */
static const char *check_uri(const char *s, size_t len, size_t *scheme_len)
{
    if (len == 0 || !ms__is_alpha(s[0])) {
        return "a URI starts with its scheme (RFC 3986 §3.1, RFC 9989 §4.8)";
    }
    size_t i = 1;
    while (i < len && (ms__is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) {
        i++;
    }
    if (i >= len || s[i] != ':') {
        return "no \"scheme:\" at the start of the URI (RFC 3986 §3.1, RFC 9989 §4.8)";
    }
    *scheme_len = i;
    if (i + 1 >= len) {
        return "nothing after the URI scheme (RFC 3986 §3, RFC 9989 §4.8)";
    }
    for (size_t k = i + 1; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '{' ||
            c == '}' || c == '|' || c == '^' || c == '`') {
            return "a character a URI cannot hold (RFC 3986 §2, RFC 9989 §4.8)";
        }
        if (c == '%' && (k + 2 >= len || !ms__is_alnum(s[k + 1]) || !ms__is_alnum(s[k + 2]))) {
            return "a bad percent-encoding in the URI (RFC 3986 §2.1)";
        }
    }
    return NULL;
}

/* One URI of a dmarc-urilist, the "!size" suffix already split off (obs-dmarc-report-size). */
static void add_uri(parser *ps, int which, const char *s, size_t len)
{
    const char *tag = which == 0 ? "rua" : "ruf";
    uint64_t max_bytes = 0;
    const char *bang = NULL;
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == '!') {
            bang = s + i - 1;
            break;
        }
    }
    size_t ulen = len;
    if (bang != NULL) {
        ulen = (size_t)(bang - s);
        const char *sz = bang + 1;
        size_t szlen = len - ulen - 1;
        unsigned long v = 0;
        size_t used = 0;
        if (!ms__parse_uint(sz, szlen, 0xFFFFFFFFFFFFul, &v, &used) || szlen - used > 1) {
            note(ps, tag, s, len, "dropped: a bad \"!size\" suffix (RFC 9989 §4.8, RFC 7489 §6.2)");
            return;
        }
        unsigned shift = 0;
        if (used < szlen) {
            char u = ms__lower(sz[used]);
            shift = u == 'k' ? 10u : u == 'm' ? 20u : u == 'g' ? 30u : u == 't' ? 40u : 99u;
            if (shift == 99u) {
                note(ps, tag, s, len,
                     "dropped: the \"!size\" unit is not k, m, g or t (RFC 7489 §6.2)");
                return;
            }
        }
        max_bytes = (uint64_t)v << shift; /* v < 2^48, shift <= 40: may not overflow... */
        if (shift > 0 && (max_bytes >> shift) != (uint64_t)v) {
            note(ps, tag, s, len, "dropped: the \"!size\" does not fit 64 bits (RFC 7489 §6.2)");
            return;
        }
    }
    size_t scheme_len = 0;
    const char *why = check_uri(s, ulen, &scheme_len);
    if (why != NULL) {
        note(ps, tag, s, len, why);
        return;
    }
    if (ps->n_uris[which] >= MS_LIMIT_DMARC_URIS) {
        note(ps, tag, s, len, "dropped: more URIs than this receiver keeps (RFC 9989 §4.7)");
        return;
    }
    ms_dmarc_uri u;
    memset(&u, 0, sizeof(u));
    u.uri = ms_arena_strndup(ps->arena, s, ulen);
    char *scheme = ms_arena_strndup(ps->arena, s, scheme_len);
    if (u.uri == NULL || scheme == NULL) {
        return;
    }
    for (size_t i = 0; i < scheme_len; i++) {
        scheme[i] = ms__lower(scheme[i]);
    }
    u.scheme = scheme;
    u.max_bytes = max_bytes;
    if (strcmp(scheme, "mailto") == 0) {
        /* RFC 6068: mailto:addr[?hfields]; one address, local@domain. */
        const char *a = s + scheme_len + 1;
        size_t alen = ulen - scheme_len - 1;
        const char *q = memchr(a, '?', alen);
        if (q != NULL) {
            alen = (size_t)(q - a);
        }
        const char *at = NULL;
        for (size_t i = alen; i > 0; i--) {
            if (a[i - 1] == '@') {
                at = a + i - 1;
                break;
            }
        }
        if (at == NULL || at == a || (size_t)(at - a) + 1 >= alen) {
            note(ps, tag, s, len,
                 "dropped: a mailto: URI needs one address local@domain (RFC 6068 §2, "
                 "RFC 9989 §4.7)");
            return;
        }
        const char *d = at + 1;
        size_t dlen = alen - (size_t)(at - a) - 1;
        const char *dwhy = ms__msg_hostname_invalid(d, dlen);
        if (dwhy != NULL) {
            note(ps, tag, s, len, "dropped: the mailto: domain is not a host name (RFC 6068 §2)");
            return;
        }
        char *dom = ms_arena_strndup(ps->arena, d, dlen);
        u.address = ms_arena_strndup(ps->arena, a, alen);
        if (dom == NULL || u.address == NULL) {
            return;
        }
        for (size_t i = 0; i < dlen; i++) {
            dom[i] = ms__lower(dom[i]);
        }
        u.domain = dom;
    }
    ms_dmarc_uri *arr = ps->uris[which];
    if (arr == NULL) {
        arr = ms_arena_alloc(ps->arena, MS_LIMIT_DMARC_URIS * sizeof(*arr));
        if (arr == NULL) {
            return;
        }
        ps->uris[which] = arr;
    }
    arr[ps->n_uris[which]++] = u;
    if (which == 0) {
        ps->has_valid_rua = true;
    }
}

/* dmarc-urilist: URIs separated by *WSP "," *WSP. */
static void parse_urilist(parser *ps, int which, const char *v, size_t len)
{
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && v[j] != ',') {
            j++;
        }
        size_t a = i, b = j;
        while (a < b && ms__is_space(v[a])) {
            a++;
        }
        while (b > a && ms__is_space(v[b - 1])) {
            b--;
        }
        if (b > a) {
            add_uri(ps, which, v + a, b - a);
        } else {
            note(ps, which == 0 ? "rua" : "ruf", v, len,
                 "an empty element in the URI list ignored (RFC 9989 §4.8)");
        }
        i = j + 1;
    }
}

enum {
    T_P,
    T_SP,
    T_NP,
    T_PSD,
    T_T,
    T_ADKIM,
    T_ASPF,
    T_RUA,
    T_RUF,
    T_FO,
    T_PCT,
    T_RF,
    T_RI,
    T_V,
    T_UNKNOWN
};

static const struct {
    const char *name;
    size_t len;
} tags[] = {
    [T_P] = {"p", 1},     [T_SP] = {"sp", 2},       [T_NP] = {"np", 2},     [T_PSD] = {"psd", 3},
    [T_T] = {"t", 1},     [T_ADKIM] = {"adkim", 5}, [T_ASPF] = {"aspf", 4}, [T_RUA] = {"rua", 3},
    [T_RUF] = {"ruf", 3}, [T_FO] = {"fo", 2},       [T_PCT] = {"pct", 3},   [T_RF] = {"rf", 2},
    [T_RI] = {"ri", 2},   [T_V] = {"v", 1},
};

static int tag_of(const char *n, size_t len)
{
    for (int i = 0; i < T_UNKNOWN; i++) {
        if (ms__str_ieq(n, len, tags[i].name, tags[i].len)) {
            return i;
        }
    }
    return T_UNKNOWN;
}

static void policy_tag(parser *ps, const char *name, size_t nlen, const char *v, size_t len,
                       ms_dmarc_policy *out, bool *has)
{
    if (parse_request(v, len, out)) {
        *has = true;
    } else {
        ps->bad_policy = true;
        (void)nlen;
        note(ps, name, v, len,
             "not none, quarantine or reject (RFC 9989 §4.7, §4.10.1: p=none if rua= is valid, "
             "else no DMARC processing)");
    }
}

static void apply_tag(parser *ps, int tag, const char *v, size_t len)
{
    ms_dmarc_record *r = ps->rec;
    const char *name = tags[tag].name;
    if (!printable(v, len)) {
        if (tag == T_P || tag == T_SP || tag == T_NP) {
            ps->bad_policy = true;
        }
        note(ps, name, v, len,
             "an empty value or one with bytes that are not printable ASCII "
             "ignored (RFC 9989 §4.8 dmarc-value)");
        return;
    }
    switch (tag) {
    case T_P:
        policy_tag(ps, "p", 1, v, len, &r->p, &r->has_p);
        break;
    case T_SP:
        policy_tag(ps, "sp", 2, v, len, &r->sp, &r->has_sp);
        break;
    case T_NP:
        policy_tag(ps, "np", 2, v, len, &r->np, &r->has_np);
        break;
    case T_PSD:
        if (len == 1 &&
            (ms__lower(v[0]) == 'y' || ms__lower(v[0]) == 'n' || ms__lower(v[0]) == 'u')) {
            r->psd = ms__lower(v[0]);
        } else {
            note(ps, name, v, len, "not y, n or u: the default u applies (RFC 9989 §4.7, §4.8)");
        }
        break;
    case T_T:
        if (len == 1 && (ms__lower(v[0]) == 'y' || ms__lower(v[0]) == 'n')) {
            r->testing = ms__lower(v[0]) == 'y';
        } else {
            note(ps, name, v, len, "not y or n: the default n applies (RFC 9989 §4.7, §4.8)");
        }
        break;
    case T_ADKIM:
    case T_ASPF: {
        ms_dmarc_alignment *a = tag == T_ADKIM ? &r->adkim : &r->aspf;
        if (len == 1 && (ms__lower(v[0]) == 'r' || ms__lower(v[0]) == 's')) {
            *a = ms__lower(v[0]) == 's' ? MS_DMARC_ALIGN_STRICT : MS_DMARC_ALIGN_RELAXED;
        } else {
            note(ps, name, v, len, "not r or s: the default r applies (RFC 9989 §4.7, §4.8)");
        }
        break;
    }
    case T_RUA:
        parse_urilist(ps, 0, v, len);
        break;
    case T_RUF:
        parse_urilist(ps, 1, v, len);
        break;
    case T_FO:
        if (valid_fo(v, len)) {
            r->fo = ms_arena_strndup(ps->arena, v, len);
        } else {
            note(ps, name, v, len, "not a valid fo= list: the default 0 applies (RFC 9989 §4.7)");
        }
        break;
    case T_PCT: {
        unsigned long n = 0;
        size_t used = 0;
        if (ms__parse_uint(v, len, 100, &n, &used) && used == len) {
            r->has_pct = true;
            r->pct = (unsigned)n;
            note(ps, name, v, len,
                 "removed by RFC 9989 (Appendix A.6); honoured in RFC 7489 mode only "
                 "(RFC 7489 §6.3)");
        } else {
            note(ps, name, v, len,
                 "not a number 0 to 100: the default 100 applies "
                 "(RFC 7489 §6.3)");
        }
        break;
    }
    case T_RF:
        r->rf = ms_arena_strndup(ps->arena, v, len);
        note(ps, name, v, len,
             "removed by RFC 9989, kept as RFC 7489 defines it (RFC 9989 Appendix C, RFC 7489 "
             "§6.3)");
        break;
    case T_RI: {
        unsigned long n = 0;
        size_t used = 0;
        if (ms__parse_uint(v, len, 0xFFFFFFFFul, &n, &used) && used == len) {
            r->has_ri = true;
            r->ri = (uint32_t)n;
            note(ps, name, v, len,
                 "removed by RFC 9989, kept as RFC 7489 defines it (RFC 9989 Appendix C, RFC 7489 "
                 "§6.3)");
        } else {
            note(ps, name, v, len,
                 "not a 32-bit number: the default 86400 applies "
                 "(RFC 7489 §6.3)");
        }
        break;
    }
    default:
        break;
    }
}

ms_status ms_dmarc_record_parse(const char *txt, size_t len, ms_arena *arena,
                                const ms_dmarc_record **out, ms_dmarc_parse_error *err)
{
    if (out == NULL || arena == NULL || (txt == NULL && len > 0)) {
        return MS_EINVAL;
    }
    *out = NULL;
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
    parser ps;
    memset(&ps, 0, sizeof(ps));
    ps.arena = arena;
    ps.txt = txt;
    ps.len = len;
    ps.err = err;
    if (len > MS_LIMIT_DMARC_RECORD) {
        return fail(&ps, MS_LIMIT_DMARC_RECORD,
                    "the record is longer than this receiver reads "
                    "(RFC 9989 §4.7; limit MS_LIMIT_DMARC_RECORD)",
                    txt, 32);
    }
    size_t pos = 0;
    if (txt == NULL || !version_at(txt, len, &pos)) {
        return fail(&ps, 0,
                    "not a DMARC record: \"v=DMARC1\" must be the first tag (RFC 9989 §4.7)",
                    txt == NULL ? "" : txt, len);
    }
    ms_dmarc_record *r = ms_arena_alloc(arena, sizeof(*r));
    if (r == NULL) {
        return ms_arena_status(arena);
    }
    memset(r, 0, sizeof(*r));
    r->psd = 'u';
    r->pct = 100;
    r->ri = 86400;
    r->adkim = r->aspf = MS_DMARC_ALIGN_RELAXED;
    ps.rec = r;
    unsigned seen = 1u << T_V;
    /* After the version: *( dmarc-sep dmarc-tag ) [ dmarc-sep ]. */
    while (pos < len) {
        while (pos < len && ms__is_space(txt[pos])) {
            pos++;
        }
        if (pos >= len) {
            break;
        }
        if (txt[pos] != ';') {
            return fail(&ps, pos, "a \";\" must separate tags (RFC 9989 §4.8 dmarc-sep)", txt + pos,
                        len - pos);
        }
        pos++;
        while (pos < len && ms__is_space(txt[pos])) {
            pos++;
        }
        size_t start = pos;
        size_t end = pos;
        while (end < len && txt[end] != ';') {
            end++;
        }
        size_t tend = end;
        while (tend > start && ms__is_space(txt[tend - 1])) {
            tend--;
        }
        pos = end;
        if (tend == start) {
            continue; /* ";;" or the trailing separator */
        }
        const char *t = txt + start;
        size_t tlen = tend - start;
        size_t n = 0;
        while (n < tlen && ms__is_alpha(t[n])) {
            n++;
        }
        size_t e = n;
        while (e < tlen && ms__is_space(t[e])) {
            e++;
        }
        if (n == 0 || e >= tlen || t[e] != '=') {
            note(&ps, "tag", t, tlen, "not name=value: ignored (RFC 9989 §4.8 dmarc-tag)");
            continue;
        }
        e++;
        while (e < tlen && ms__is_space(t[e])) {
            e++;
        }
        int tag = tag_of(t, n);
        if (tag == T_UNKNOWN) {
            note(&ps, "tag", t, tlen, "unknown tag ignored (RFC 9989 §4.7)");
            continue;
        }
        if (seen & (1u << tag)) {
            return fail(&ps, start,
                        "a tag appears twice: the record is invalid (RFC 9989 §4.7, bad-inputs "
                        "DMARC-22)",
                        t, tlen);
        }
        seen |= 1u << tag;
        apply_tag(&ps, tag, t + e, tlen - e);
        if (ms_arena_status(arena) != MS_OK) {
            return ms_arena_status(arena);
        }
    }
    if (!r->has_p && !ps.bad_policy) {
        /* §4.7 p: absent in an otherwise valid record means p=none, under §4.10.1's rule. */
        ps.bad_policy = true;
        note(&ps, "p", NULL, 0, "absent (RFC 9989 §4.7, §4.10.1)");
    }
    if (ps.bad_policy) {
        if (!ps.has_valid_rua) {
            return fail(&ps, 0,
                        "no valid p= (or a bad sp=/np=) and no valid rua=: no DMARC processing "
                        "(RFC 9989 §4.10.1)",
                        txt, len);
        }
        r->p = r->sp = r->np = MS_DMARC_POLICY_NONE;
        r->has_p = r->has_sp = r->has_np = false;
        note(&ps, "policy", NULL, 0,
             "treated as p=none: a valid rua= and no valid p= (or a bad sp=/np=) "
             "(RFC 9989 §4.10.1)");
    } else {
        if (!r->has_sp) {
            r->sp = r->p;
        }
        if (!r->has_np) {
            r->np = r->sp; /* §4.7 np: absent, sp (if present) else p */
        }
    }
    r->rua = ps.uris[0];
    r->n_rua = ps.n_uris[0];
    r->ruf = ps.uris[1];
    r->n_ruf = ps.n_uris[1];
    if (ps.n_notes > 0) {
        const char **notes = ms_arena_alloc(arena, ps.n_notes * sizeof(*notes));
        if (notes == NULL) {
            return ms_arena_status(arena);
        }
        memcpy(notes, ps.notes, ps.n_notes * sizeof(*notes));
        r->notes = notes;
        r->n_notes = ps.n_notes;
    }
    if (ms_arena_status(arena) != MS_OK) {
        return ms_arena_status(arena);
    }
    *out = r;
    return MS_OK;
}
