/* SPDX-License-Identifier: MIT */
/* SPF macro expansion, RFC 7208 §7.1-7.4: letters, transformers (digits, 'r'), delimiters,
 * URL escaping for upper-case letters, and the %% %_ %- escapes. */
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "spf/macro.h"

/* §7.1: a transformer digit names how many right-hand parts to keep. A domain has at most 127
 * labels, so more than 128 can only be an attack on the parser. */
#define MAX_DIGIT 128u

static bool is_delimiter(char c)
{
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

static bool is_letter(char c, ms__spf_macro_kind kind)
{
    switch (ms__lower(c)) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v':
        return true;
    case 'c':
    case 'r':
    case 't':
        return kind == MS__MACRO_EXPLAIN; /* §7.1: "only in exp text" */
    default:
        return false;
    }
}

/* One parsed %{...}. */
typedef struct expand_spec {
    char letter;
    unsigned digits; /* 0 = keep all */
    bool reverse;
    char delims[8];
    size_t n_delims;
} expand_spec;

/* Parse "%{" letter transformers *delimiter "}" starting at s[pos] == '%'. On success *next is
 * the offset after '}'. */
static const char *parse_expand(const char *s, size_t len, size_t pos, ms__spf_macro_kind kind,
                                expand_spec *spec, size_t *next, size_t *err_off)
{
    size_t p = pos + 2; /* after "%{" */
    *err_off = pos;
    if (p >= len) {
        return "unterminated macro (RFC 7208 §7.1)";
    }
    if (!is_letter(s[p], kind)) {
        *err_off = p;
        if (ms__lower(s[p]) == 'c' || ms__lower(s[p]) == 'r' || ms__lower(s[p]) == 't') {
            return "macro letters c, r and t are allowed only in exp= text (RFC 7208 §7.1)";
        }
        return "invalid macro letter (RFC 7208 §7.1)";
    }
    spec->letter = s[p++];
    spec->digits = 0;
    spec->reverse = false;
    spec->n_delims = 0;
    if (p < len && ms__is_digit(s[p])) {
        unsigned long v = 0;
        size_t used = 0;
        size_t start = p;
        while (p < len && ms__is_digit(s[p])) {
            p++;
        }
        if (!ms__parse_uint(s + start, p - start, MAX_DIGIT, &v, &used)) {
            *err_off = start;
            return "macro transformer digit out of range (RFC 7208 §7.1)";
        }
        if (v == 0) {
            *err_off = start;
            return "macro transformer digit must be nonzero (RFC 7208 §7.1)";
        }
        spec->digits = (unsigned)v;
    }
    if (p < len && ms__lower(s[p]) == 'r') {
        spec->reverse = true;
        p++;
    }
    while (p < len && is_delimiter(s[p])) {
        /* Keep each delimiter once: there are only seven, and a repeated one must not push a
         * later one out of the list ("%{l........-}" still splits on '-'). */
        if (memchr(spec->delims, s[p], spec->n_delims) == NULL &&
            spec->n_delims < sizeof(spec->delims)) {
            spec->delims[spec->n_delims++] = s[p];
        }
        p++;
    }
    if (p >= len || s[p] != '}') {
        *err_off = p < len ? p : len;
        return "unterminated or invalid macro (RFC 7208 §7.1)";
    }
    *next = p + 1;
    return NULL;
}

/* Walk a macro string; calls emit for literal runs and expansions when expanding. */
const char *ms__spf_macro_check(const char *s, size_t len, ms__spf_macro_kind kind, size_t *err_off)
{
    size_t pos = 0;
    while (pos < len) {
        unsigned char c = (unsigned char)s[pos];
        if (c == '%') {
            if (pos + 1 >= len) {
                *err_off = pos;
                return "'%' at the end of a macro string (RFC 7208 §7.1)";
            }
            char n = s[pos + 1];
            if (n == '%' || n == '_' || n == '-') {
                pos += 2;
                continue;
            }
            if (n != '{') {
                *err_off = pos;
                return "'%' must be followed by '{', '%', '_' or '-' (RFC 7208 §7.1)";
            }
            expand_spec spec;
            size_t next;
            const char *why = parse_expand(s, len, pos, kind, &spec, &next, err_off);
            if (why) {
                return why;
            }
            pos = next;
            continue;
        }
        /* macro-literal = %x21-24 / %x26-7E; explain-string adds SP (§6.2, §7.1). */
        if (c == ' ' && kind == MS__MACRO_EXPLAIN) {
            pos++;
            continue;
        }
        if (c < 0x21 || c > 0x7e) {
            *err_off = pos;
            return c >= 0x80 ? "non-ASCII byte in a macro string (RFC 7208 §3.1, §7.1)"
                             : "invalid character in a macro string (RFC 7208 §7.1)";
        }
        pos++;
    }
    return NULL;
}

/* The expansion being built: a capped buffer, and whether something was cut at its cap. The
 * buffer's own status then only tells of the arena running out, which is no "too long". */
typedef struct out_buf {
    ms__buf b;
    bool is_cut;
} out_buf;

/* Append what fits under the cap and stop there, so an explanation keeps every byte that fitted
 * (§6.2); with whole, all or nothing (a %XX escape is never split). */
static void put(out_buf *o, const char *s, size_t n, bool whole)
{
    if (o->is_cut) {
        return;
    }
    size_t room = o->b.cap - o->b.len; /* the buffer never holds more than its cap */
    if (n > room) {
        o->is_cut = true;
        if (whole) {
            return;
        }
        n = room;
    }
    ms__buf_append(&o->b, s, n);
}

static void url_escape(out_buf *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        /* RFC 3986 unreserved characters stay; every other byte becomes exactly %XX. */
        if (ms__is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            put(o, &c, 1, true);
        } else {
            unsigned char u = (unsigned char)c;
            char esc[3] = {'%', hex[u >> 4], hex[u & 0xf]};
            put(o, esc, 3, true);
        }
    }
}

typedef struct part {
    const char *p;
    size_t len;
} part;

/* MS_OK, or MS_ENOMEM when the arena ran out. */
static ms_status expand_one(out_buf *o, const expand_spec *spec, const char *value, ms_arena *arena)
{
    size_t vlen = strlen(value);
    bool upper = spec->letter >= 'A' && spec->letter <= 'Z';
    if (spec->digits == 0 && !spec->reverse && spec->n_delims == 0) {
        if (upper) {
            url_escape(o, value, vlen);
        } else {
            put(o, value, vlen, false);
        }
        return MS_OK;
    }
    const char *delims = spec->n_delims ? spec->delims : ".";
    size_t n_delims = spec->n_delims ? spec->n_delims : 1;
    size_t n_parts = 1;
    for (size_t i = 0; i < vlen; i++) {
        if (memchr(delims, value[i], n_delims)) {
            n_parts++;
        }
    }
    part *parts = ms_arena_alloc(arena, n_parts * sizeof(*parts));
    if (parts == NULL) {
        return MS_ENOMEM;
    }
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= vlen; i++) {
        if (i == vlen || memchr(delims, value[i], n_delims)) {
            parts[k].p = value + start;
            parts[k].len = i - start;
            k++;
            start = i + 1;
        }
    }
    if (spec->reverse) {
        for (size_t i = 0; i < n_parts / 2; i++) {
            part t = parts[i];
            parts[i] = parts[n_parts - 1 - i];
            parts[n_parts - 1 - i] = t;
        }
    }
    size_t first = 0;
    if (spec->digits && spec->digits < n_parts) {
        first = n_parts - spec->digits;
    }
    /* The parts joined by '.' are never longer than the value: only the arena can fail. */
    ms__buf tmp;
    ms__buf_init(&tmp, arena, vlen);
    for (size_t i = first; i < n_parts; i++) {
        if (i > first) {
            ms__buf_putc(&tmp, '.');
        }
        ms__buf_append(&tmp, parts[i].p, parts[i].len);
    }
    if (ms__buf_status(&tmp) != MS_OK) {
        return MS_ENOMEM;
    }
    if (upper) {
        url_escape(o, tmp.data ? tmp.data : "", tmp.len);
    } else {
        put(o, tmp.data ? tmp.data : "", tmp.len, false);
    }
    return MS_OK;
}

static const char *letter_value(const ms__spf_macro_vars *v, char letter)
{
    switch (ms__lower(letter)) {
    case 's':
        return v->s;
    case 'l':
        return v->l;
    case 'o':
        return v->o;
    case 'd':
        return v->d;
    case 'i':
        return v->i;
    case 'v':
        return v->v;
    case 'h':
        return v->h;
    case 'c':
        return v->c;
    case 'r':
        return v->r;
    case 't':
        return v->t;
    case 'p':
        return v->p ? v->p(v->p_user) : "unknown";
    default:
        return NULL;
    }
}

ms_status ms__spf_macro_expand(const char *s, size_t len, ms__spf_macro_kind kind,
                               const ms__spf_macro_vars *vars, size_t cap, ms_arena *arena,
                               const char **out, size_t *out_len, const char **reason)
{
    *out = NULL;
    *out_len = 0;
    *reason = NULL;
    size_t err_off;
    const char *why = ms__spf_macro_check(s, len, kind, &err_off);
    if (why) {
        *reason = why;
        return MS_ESYNTAX;
    }
    out_buf o = {.is_cut = false};
    ms__buf_init(&o.b, arena, cap);
    bool is_oom = false;
    size_t pos = 0;
    while (pos < len && !o.is_cut && ms__buf_status(&o.b) == MS_OK) {
        if (s[pos] != '%') {
            size_t start = pos;
            while (pos < len && s[pos] != '%') {
                pos++;
            }
            put(&o, s + start, pos - start, false);
            continue;
        }
        char n = s[pos + 1]; /* the check above guarantees it exists */
        if (n == '%') {
            put(&o, "%", 1, true);
            pos += 2;
            continue;
        }
        if (n == '_') {
            put(&o, " ", 1, true);
            pos += 2;
            continue;
        }
        if (n == '-') {
            put(&o, "%20", 3, true);
            pos += 2;
            continue;
        }
        expand_spec spec;
        size_t next;
        (void)parse_expand(s, len, pos, kind, &spec, &next, &err_off);
        const char *value = letter_value(vars, spec.letter);
        if (value == NULL) {
            *reason = "the %{p} macro could not be computed (RFC 7208 §7.3)";
            return MS_EIO;
        }
        if (expand_one(&o, &spec, value, arena) != MS_OK) {
            is_oom = true;
            break;
        }
        pos = next;
    }
    if (is_oom || ms__buf_status(&o.b) != MS_OK) {
        /* The arena ran out: the check could not run, which is no verdict on the record. */
        *reason = "out of memory expanding a macro";
        return MS_ENOMEM;
    }
    if (o.b.data == NULL) {
        o.b.data = ms_arena_strndup(arena, "", 0);
        if (o.b.data == NULL) {
            *reason = "out of memory expanding a macro";
            return MS_ENOMEM;
        }
    }
    *out = o.b.data;
    *out_len = o.b.len;
    if (o.is_cut) {
        /* *out keeps what fitted, for an explanation (§6.2); a domain cannot use it. */
        *reason = "macro expansion longer than its cap (RFC 7208 §7.3, §11.1)";
        return MS_ELIMIT;
    }
    return MS_OK;
}

const char *ms__spf_domain_truncate(const char *name, size_t *len)
{
    while (*len > MS_LIMIT_DNS_NAME) {
        const char *dot = memchr(name, '.', *len);
        if (dot == NULL) {
            break;
        }
        *len -= (size_t)(dot + 1 - name);
        name = dot + 1;
    }
    return name;
}
