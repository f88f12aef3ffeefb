/* SPDX-License-Identifier: MIT */
/* A tolerant reader of Authentication-Results field values (RFC 8601 §2.2):
 *
 *   authres-payload = [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo )
 *   resinfo         = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
 *   methodspec      = [CFWS] method [CFWS] "=" [CFWS] result     method = Keyword [ "/" version ]
 *   propspec        = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *   pvalue          = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
 *
 * Real fields break it (no authserv-id, a missing ';', "action=none", stray words, unbalanced
 * comments), so whatever cannot be read becomes a problem and the reader goes on at the next
 * ';'. A value ends at a comment: "legitimate.t(.attack.t" is "legitimate.t" and a comment
 * (bad-inputs DMARC-26, CVE-2020-12272). Every loop moves forward over (text, len). */
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "mailseal/authres.h"

typedef struct parser {
    const char *s;
    size_t len, pos;
    ms_arena *arena;
    ms_status st; /* MS_ENOMEM / MS_ELIMIT: stop */
    size_t elimit_at;
    const char *elimit_reason;
    bool stop; /* the problem list is full */
    ms_authres_problem *problems;
    size_t n_problems;
} parser;

typedef enum { V_OK, V_EMPTY, V_BAD } value_kind;

#define R_NO_ID "no authserv-id before the first method (RFC 8601 §2.5)"
#define R_TOO_MANY_PROBLEMS "too many problems: the rest was not read (RFC 8601 §2.2)"

static bool at_end(const parser *p)
{
    return p->pos >= p->len;
}

static bool is_word_char(char c)
{
    return ms__is_alnum(c) || c == '-' || c == '_';
}

/* A byte of a bare value: anything printable that does not start a comment, a quoted-string
 * or the next resinfo (8-bit allowed, RFC 8616). */
static bool is_value_char(char c)
{
    unsigned char u = (unsigned char)c;
    return u > 0x20 && u != 0x7f && c != ';' && c != '(' && c != ')' && c != '"' && c != '\\';
}

static void fail(parser *p, ms_status st)
{
    if (p->st == MS_OK) {
        p->st = st;
    }
}

/* An allocation failed: the arena says why (MS_ELIMIT at its cap, else MS_ENOMEM). */
static void out_of_memory(parser *p)
{
    ms_status st = ms_arena_status(p->arena);
    fail(p, st != MS_OK ? st : MS_ENOMEM);
    if (p->elimit_reason == NULL) {
        p->elimit_at = p->pos;
        p->elimit_reason = "the arena's cap was reached";
    }
}

static char *dup_printable(parser *p, const char *s, size_t n, size_t cap)
{
    bool cut = n > cap;
    size_t m = cut ? cap : n;
    char *d = ms_arena_alloc(p->arena, m + (cut ? 4u : 1u));
    if (d == NULL) {
        out_of_memory(p);
        return NULL;
    }
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)s[i];
        d[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    if (cut) {
        memcpy(d + m, "...", 4);
    } else {
        d[m] = '\0';
    }
    return d;
}

/* A problem at [from, to): the parse goes on. At the cap, one last problem and stop. */
static void problem(parser *p, size_t from, size_t to, const char *reason)
{
    if (p->stop || p->st != MS_OK) {
        return;
    }
    if (to > p->len) {
        to = p->len;
    }
    if (from > to) {
        from = to;
    }
    if (p->n_problems + 1 >= MS_LIMIT_AUTHRES_PROBLEMS) {
        reason = R_TOO_MANY_PROBLEMS;
        p->stop = true;
        to = p->len;
    }
    const char *detail = dup_printable(p, p->s + from, to - from, MS_LIMIT_AUTHRES_DETAIL);
    if (detail == NULL) {
        return;
    }
    ms_authres_problem *pr = &p->problems[p->n_problems++];
    pr->offset = from;
    pr->reason = reason;
    pr->detail = detail;
}

/* On to the next ';' (or the end). */
static void skip_to_semi(parser *p)
{
    const char *semi = memchr(p->s + p->pos, ';', p->len - p->pos);
    p->pos = semi != NULL ? (size_t)(semi - p->s) : p->len;
}

/* Skip a problem's bytes up to the next ';' and list them. */
static void problem_to_semi(parser *p, size_t from, const char *reason)
{
    skip_to_semi(p);
    problem(p, from, p->pos, reason);
}

/* A comment at p->pos ('('), nested to MS_LIMIT_AUTHRES_COMMENT_DEPTH (RFC 5322 §3.2.2). Its
 * text (without the outer parentheses, unfolded, controls as '?') goes to *text when text is
 * not NULL. false when it is unterminated or too deep: then the problem is listed and p->pos is
 * at the next ';' after the '(' (the text in it is read again as resinfo). */
static bool read_comment(parser *p, const char **text)
{
    size_t start = p->pos;
    unsigned depth = 0;
    size_t i = start;
    for (; i < p->len; i++) {
        char c = p->s[i];
        if (c == '\\') {
            i++; /* quoted-pair */
        } else if (c == '(') {
            if (++depth > MS_LIMIT_AUTHRES_COMMENT_DEPTH) {
                p->pos = start + 1;
                problem_to_semi(p, start, "comment nested too deep (RFC 5322 §3.2.2)");
                return false;
            }
        } else if (c == ')' && --depth == 0) {
            break;
        }
    }
    if (i >= p->len) {
        p->pos = start + 1;
        problem_to_semi(p, start, "unterminated comment (RFC 5322 §3.2.2)");
        return false;
    }
    p->pos = i + 1;
    if (text != NULL && *text == NULL) {
        char *t = ms_arena_alloc(p->arena, i - start);
        if (t == NULL) {
            out_of_memory(p);
            return false;
        }
        size_t n = 0;
        for (size_t k = start + 1; k < i; k++) {
            unsigned char c = (unsigned char)p->s[k];
            if (c == '\r' || c == '\n') {
                continue; /* unfolding, RFC 5322 §2.2.3 */
            }
            t[n++] = ((c < 0x20 && c != '\t') || c == 0x7f) ? '?' : (char)c;
        }
        t[n] = '\0';
        *text = t;
    }
    return true;
}

/* [CFWS]: spaces, folding and comments. The first comment goes to *comment when asked for.
 * false after a broken comment (p->pos then at a ';' or the end). */
static bool skip_cfws(parser *p, const char **comment)
{
    while (!at_end(p) && p->st == MS_OK && !p->stop) {
        char c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            p->pos++;
        } else if (c == '(') {
            if (!read_comment(p, comment)) {
                return false;
            }
        } else {
            break;
        }
    }
    return true;
}

static size_t word_len(const parser *p)
{
    size_t n = 0;
    while (p->pos + n < p->len && is_word_char(p->s[p->pos + n])) {
        n++;
    }
    return n;
}

static char *dup_lower(parser *p, const char *s, size_t n)
{
    char *d = ms_arena_strndup(p->arena, s, n);
    if (d == NULL) {
        out_of_memory(p);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        d[i] = ms__lower(d[i]);
    }
    return d;
}

/* A Keyword (RFC 8601 §2.2, ldh-str; '_' tolerated), lowercased; NULL when there is none. */
static const char *read_word(parser *p)
{
    size_t n = word_len(p);
    if (n == 0) {
        return NULL;
    }
    const char *w = dup_lower(p, p->s + p->pos, n);
    p->pos += n;
    return w;
}

/* Where the quoted-string at p->pos ends (the index after its closing '"'), or 0 when it does
 * not end or holds a control character (the problem is then listed, p->pos at the next ';'). */
static size_t quoted_end(parser *p)
{
    size_t start = p->pos;
    for (size_t i = start + 1; i < p->len; i++) {
        unsigned char c = (unsigned char)p->s[i];
        if (c == '"') {
            return i + 1;
        }
        if (c == '\\' && i + 1 < p->len) {
            c = (unsigned char)p->s[++i];
        } else if (c == '\r' || c == '\n') {
            continue; /* folding */
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            p->pos = start + 1;
            problem_to_semi(p, start, "control character in a quoted-string (RFC 5322 §3.2.4)");
            return 0;
        }
    }
    p->pos = start + 1;
    problem_to_semi(p, start, "unterminated quoted-string (RFC 5322 §3.2.4)");
    return 0;
}

static size_t bare_len(const parser *p, size_t from)
{
    size_t n = 0;
    while (from + n < p->len && is_value_char(p->s[from + n])) {
        n++;
    }
    return n;
}

/* A value (token or quoted-string) or a pvalue's [local-part] "@" domain-name (RFC 8601 §2.2):
 * a quoted local-part may be followed by "@domain". Bare values end at white space, ';' and
 * comments. *out is unquoted and unfolded, as written otherwise. */
static value_kind read_value(parser *p, const char **out)
{
    *out = NULL;
    size_t start = p->pos;
    size_t qend = start; /* after the quoted part, if any */
    if (!at_end(p) && p->s[start] == '"') {
        qend = quoted_end(p);
        if (qend == 0) {
            return V_BAD;
        }
    }
    size_t tail = (qend == start || (qend < p->len && p->s[qend] == '@')) ? bare_len(p, qend) : 0;
    char *v = ms_arena_alloc(p->arena, qend - start + tail + 1);
    if (v == NULL) {
        out_of_memory(p);
        return V_BAD;
    }
    size_t n = 0;
    for (size_t i = start + (qend > start ? 1u : 0u); i + 1 < qend; i++) {
        char c = p->s[i];
        if (c == '\\') {
            c = p->s[++i]; /* quoted-pair; quoted_end checked it is inside */
        } else if (c == '\r' || c == '\n') {
            continue;
        }
        v[n++] = c;
    }
    memcpy(v + n, p->s + qend, tail);
    n += tail;
    v[n] = '\0';
    p->pos = qend + tail;
    if (qend == start && n == 0) {
        return V_EMPTY;
    }
    *out = v;
    return V_OK;
}

/* Registered method names (IANA "Email Authentication Methods") and common extensions: a
 * "name=result" of one of these where a property was expected is a method after a missing ';'. */
static bool is_known_method(const char *w)
{
    static const char *const names[] = {
        "auth", "dkim", "dkim-adsp", "dkim-atps", "domainkeys", "iprev", "sender-id", "spf",
        "vbr",  "rrvs", "smime",     "dnswl",     "dmarc",      "arc",   "bimi",      "compauth",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(w, names[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Does a "word [CFWS] =" or "word [CFWS] /" start at p->pos? (p->pos is not moved.) */
static bool looks_like_method(parser *p)
{
    size_t save = p->pos, n_problems = p->n_problems;
    bool stop = p->stop;
    bool yes = false;
    if (word_len(p) > 0) {
        p->pos += word_len(p);
        if (skip_cfws(p, NULL) && !at_end(p)) {
            yes = p->s[p->pos] == '=' || p->s[p->pos] == '/';
        }
    }
    p->pos = save;
    p->n_problems = n_problems; /* a broken comment here is reported when it is read for real */
    p->stop = stop;
    return yes;
}

typedef struct method_builder {
    ms_authres_method m;
    ms_authres_prop props[MS_LIMIT_AUTHRES_PROPS];
} method_builder;

/* The propspecs and reasonspec after a result, to the next ';' or the end. true when it stopped
 * at the start of another method (a missing ';'). */
static bool read_props(parser *p, method_builder *mb)
{
    while (p->st == MS_OK && !p->stop) {
        skip_cfws(p, NULL);
        if (at_end(p) || p->s[p->pos] == ';' || p->st != MS_OK || p->stop) {
            return false;
        }
        size_t wstart = p->pos;
        const char *w = read_word(p);
        if (w == NULL) {
            if (p->st == MS_OK) {
                problem_to_semi(p, wstart, "text where a property was expected (RFC 8601 §2.2)");
            }
            return false;
        }
        if (!skip_cfws(p, NULL) || at_end(p)) {
            problem(p, wstart, p->pos, "property without a value (RFC 8601 §2.2)");
            return false;
        }
        char c = p->s[p->pos];
        if (c == '.') {
            p->pos++;
            if (!skip_cfws(p, NULL)) {
                return false;
            }
            const char *prop = read_word(p);
            if (prop == NULL || !skip_cfws(p, NULL) || at_end(p) || p->s[p->pos] != '=') {
                if (p->st == MS_OK && !at_end(p) && p->s[p->pos] != ';') {
                    problem_to_semi(p, wstart, "property without '=' (RFC 8601 §2.2)");
                } else {
                    problem(p, wstart, p->pos, "property without '=' (RFC 8601 §2.2)");
                }
                return false;
            }
            p->pos++;
            if (!skip_cfws(p, NULL)) {
                problem(p, wstart, p->pos, "property without a value (RFC 8601 §2.2)");
                return false;
            }
            const char *value;
            value_kind k = read_value(p, &value);
            if (k == V_BAD) {
                return false;
            }
            if (k == V_EMPTY) {
                problem(p, wstart, p->pos, "property without a value (RFC 8601 §2.2)");
                continue;
            }
            if (mb->m.n_props >= MS_LIMIT_AUTHRES_PROPS) {
                p->elimit_at = wstart;
                p->elimit_reason = "too many properties in one result (RFC 8601 §2.2)";
                fail(p, MS_ELIMIT);
                return false;
            }
            ms_authres_prop *pr = &mb->props[mb->m.n_props++];
            pr->ptype = w;
            pr->property = prop;
            pr->value = value;
        } else if (c == '=') {
            if (strcmp(w, "reason") == 0) {
                p->pos++;
                skip_cfws(p, NULL);
                const char *value;
                value_kind k = read_value(p, &value);
                if (k == V_BAD) {
                    return false;
                }
                if (k == V_EMPTY) {
                    problem(p, wstart, p->pos, "reason without a value (RFC 8601 §2.2)");
                } else if (mb->m.reason == NULL) {
                    mb->m.reason = value;
                }
            } else if (is_known_method(w)) {
                p->pos = wstart;
                problem(p, wstart, wstart + strlen(w),
                        "missing ';' before a method (RFC 8601 §2.2)");
                return true;
            } else {
                p->pos++;
                skip_cfws(p, NULL);
                const char *value;
                if (read_value(p, &value) == V_BAD) {
                    return false;
                }
                problem(p, wstart, p->pos,
                        "property without a ptype, ignored (RFC 8601 §2.2, §2.3)");
            }
        } else {
            problem_to_semi(p, wstart, "text where a property was expected (RFC 8601 §2.2)");
            return false;
        }
    }
    return false;
}

/* One resinfo from p->pos (after the ';'). true when it ended at another method's start. */
static bool read_method(parser *p, ms_authres *ar, ms_authres_method *methods)
{
    size_t start = p->pos;
    const char *name = read_word(p);
    if (name == NULL) {
        if (p->st == MS_OK) {
            problem_to_semi(p, start, "expected a method (RFC 8601 §2.2)");
        }
        return false;
    }
    if (!skip_cfws(p, NULL)) {
        problem(p, start, p->pos, "method without a result (RFC 8601 §2.2)");
        return false;
    }
    if (strcmp(name, "none") == 0 && (at_end(p) || p->s[p->pos] == ';')) {
        if (ar->n_methods == 0 && !ar->none) {
            ar->none = true; /* no-result, RFC 8601 §2.2 */
        } else {
            problem(p, start, p->pos, "\"none\" beside method results (RFC 8601 §2.2)");
        }
        return false;
    }
    method_builder mb;
    memset(&mb.m, 0, sizeof(mb.m));
    mb.m.method = name;
    mb.m.version = 1;
    mb.m.offset = start;
    if (!at_end(p) && p->s[p->pos] == '/') {
        p->pos++;
        skip_cfws(p, NULL);
        unsigned long v = 0;
        size_t used = 0;
        if (!ms__parse_uint(p->s + p->pos, p->len - p->pos, 999999ul, &v, &used)) {
            problem_to_semi(p, start, "bad method version (RFC 8601 §2.6)");
            return false;
        }
        mb.m.version = (unsigned)v;
        p->pos += used;
        if (!skip_cfws(p, NULL)) {
            return false;
        }
    }
    if (at_end(p) || p->s[p->pos] != '=') {
        problem_to_semi(p, start, "method without a result (RFC 8601 §2.2)");
        return false;
    }
    p->pos++;
    if (!skip_cfws(p, NULL)) {
        return false;
    }
    size_t rstart = p->pos;
    mb.m.result = read_word(p);
    if (mb.m.result == NULL) {
        if (p->st == MS_OK) {
            problem_to_semi(p, rstart, "method without a result (RFC 8601 §2.2)");
        }
        return false;
    }
    char after = at_end(p) ? ';' : p->s[p->pos];
    if (!(ms__is_space(after) || after == '\r' || after == '\n' || after == '(' || after == ';')) {
        problem_to_semi(p, start, "bad result (RFC 8601 §2.2 Keyword)");
        return false;
    }
    if (ar->n_methods >= MS_LIMIT_AUTHRES_METHODS) {
        p->elimit_at = start;
        p->elimit_reason = "too many method results (RFC 8601 §2.2)";
        fail(p, MS_ELIMIT);
        return false;
    }
    /* the first comment after the result is the method's (e.g. "(p=NONE dis=NONE)") */
    bool next_method = false;
    if (skip_cfws(p, &mb.m.comment)) {
        next_method = read_props(p, &mb);
    }
    if (p->st != MS_OK) {
        return false;
    }
    if (mb.m.n_props > 0) {
        ms_authres_prop *props = ms_arena_alloc(p->arena, mb.m.n_props * sizeof(*props));
        if (props == NULL) {
            out_of_memory(p);
            return false;
        }
        memcpy(props, mb.props, mb.m.n_props * sizeof(*props));
        mb.m.props = props;
    }
    if (ar->none) {
        problem(p, start, start + strlen(name), "method result after \"none\" (RFC 8601 §2.2)");
    }
    methods[ar->n_methods++] = mb.m;
    return next_method;
}

/* The authserv-id (RFC 8601 §2.5): a token or a quoted-string, and an optional version. false
 * when there is none at all; a Microsoft-style field that starts with "method=" gets "" and a
 * problem. */
static bool read_authserv_id(parser *p, ms_authres *ar, bool *no_id)
{
    *no_id = false;
    skip_cfws(p, NULL);
    if (at_end(p) || p->st != MS_OK) {
        return false;
    }
    size_t start = p->pos;
    if (p->s[p->pos] == '"') {
        const char *v;
        if (read_value(p, &v) != V_OK) {
            return false;
        }
        ar->authserv_id = dup_lower(p, v, strlen(v));
    } else {
        size_t n = 0;
        while (start + n < p->len && is_value_char(p->s[start + n]) && p->s[start + n] != '=' &&
               p->s[start + n] != '/') {
            n++;
        }
        if (n == 0) {
            return false;
        }
        if (looks_like_method(p)) {
            problem(p, start, start, R_NO_ID);
            ar->authserv_id = "";
            *no_id = true;
            return true;
        }
        ar->authserv_id = dup_lower(p, p->s + start, n);
        p->pos = start + n;
    }
    if (ar->authserv_id == NULL) {
        return false;
    }
    /* [ CFWS authres-version ], RFC 8601 §2.2 */
    size_t before = p->pos;
    if (skip_cfws(p, NULL) && p->pos > before && !at_end(p) && ms__is_digit(p->s[p->pos])) {
        unsigned long v = 0;
        size_t used = 0;
        size_t vstart = p->pos;
        if (ms__parse_uint(p->s + p->pos, p->len - p->pos, 999999ul, &v, &used) &&
            (vstart + used >= p->len || !is_value_char(p->s[vstart + used]))) {
            ar->version = (unsigned)v;
            p->pos += used;
        } else {
            p->pos = vstart;
        }
    }
    return true;
}

static void fill_err(ms_msg_error *err, const parser *p, size_t offset, const char *reason)
{
    if (err == NULL) {
        return;
    }
    err->offset = offset;
    err->reason = reason;
    size_t n = 0;
    for (size_t i = offset; i < p->len && n + 1 < sizeof(err->detail); i++) {
        unsigned char c = (unsigned char)p->s[i];
        err->detail[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
    }
    err->detail[n] = '\0';
}

ms_status ms_authres_parse(const char *text, size_t len, ms_arena *arena, const ms_authres **out,
                           ms_msg_error *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
    if (out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    if ((text == NULL && len > 0) || arena == NULL) {
        return MS_EINVAL;
    }
    parser p = {.s = text, .len = len, .arena = arena, .st = MS_OK};
    if (len > MS_LIMIT_AUTHRES_BYTES) {
        fill_err(err, &p, MS_LIMIT_AUTHRES_BYTES,
                 "Authentication-Results field too long (RFC 8601 §2.2)");
        return MS_ELIMIT;
    }
    ms_authres *ar = ms_arena_alloc(arena, sizeof(*ar));
    ms_authres_method *methods =
        ms_arena_alloc(arena, MS_LIMIT_AUTHRES_METHODS * sizeof(ms_authres_method));
    p.problems = ms_arena_alloc(arena, MS_LIMIT_AUTHRES_PROBLEMS * sizeof(ms_authres_problem));
    if (ar == NULL || methods == NULL || p.problems == NULL) {
        out_of_memory(&p);
        fill_err(err, &p, 0, p.elimit_reason);
        return p.st;
    }
    memset(ar, 0, sizeof(*ar));
    ar->version = 1;

    bool no_id = false;
    if (!read_authserv_id(&p, ar, &no_id)) {
        if (p.st != MS_OK) {
            fill_err(err, &p, p.elimit_at, p.elimit_reason);
            return p.st;
        }
        fill_err(err, &p, p.pos, "no authserv-id (RFC 8601 §2.2, §2.5)");
        return MS_ESYNTAX;
    }
    bool at_method = no_id; /* a method may start without a ';' before it */
    bool saw_semi = false;
    while (p.st == MS_OK && !p.stop) {
        if (!skip_cfws(&p, NULL)) {
            at_method = false;
            continue; /* a broken comment: on at the ';' */
        }
        if (at_end(&p)) {
            break;
        }
        if (p.s[p.pos] == ';') {
            p.pos++;
            at_method = true;
            saw_semi = true;
            continue;
        }
        if (!at_method) {
            size_t wl = word_len(&p);
            const char *w = wl > 0 ? dup_lower(&p, p.s + p.pos, wl) : NULL;
            if (w != NULL && is_known_method(w) && looks_like_method(&p)) {
                problem(&p, p.pos, p.pos + word_len(&p),
                        "missing ';' before a method (RFC 8601 §2.2)");
            } else {
                problem_to_semi(&p, p.pos, "text where ';' was expected (RFC 8601 §2.2)");
                continue;
            }
        }
        at_method = read_method(&p, ar, methods);
    }
    if (p.st != MS_OK) {
        fill_err(err, &p, p.elimit_at, p.elimit_reason);
        return p.st;
    }
    if (!no_id && !saw_semi && ar->n_methods == 0 && !ar->none) {
        problem(&p, p.pos, p.pos, "no result after the authserv-id (RFC 8601 §2.2)");
    }
    ar->methods = methods;
    ar->problems = p.problems;
    ar->n_problems = p.n_problems;
    *out = ar;
    return p.st;
}

const char *ms_authres_prop_get(const ms_authres_method *method, const char *ptype,
                                const char *property)
{
    if (method == NULL || ptype == NULL || property == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < method->n_props; i++) {
        const ms_authres_prop *pr = &method->props[i];
        if (ms__str_ieq(pr->ptype, strlen(pr->ptype), ptype, strlen(ptype)) &&
            ms__str_ieq(pr->property, strlen(pr->property), property, strlen(property))) {
            return pr->value;
        }
    }
    return NULL;
}
