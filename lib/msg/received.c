/* SPDX-License-Identifier: MIT */
/* Received fields (RFC 5321 §4.4, RFC 5322 §3.6.7) and Return-Path (RFC 5321 §4.4): who handed
 * the message to the receiver that wrote the field. Real MTAs write the "from" clause in their
 * own ways, so this reads the common shapes rather than the grammar alone:
 *   Postfix/Sendmail/Gmail: from HELO (RDNS [IP]) by ...
 *   Exim:                   from RDNS ([IP] helo=HELO) by ...   /  from [IP] (helo=HELO) by ...
 *   qmail:                  from unknown (HELO name) (IP) by ...
 *   Microsoft:              from HELO (RDNS [IP]) by ... with Microsoft SMTP Server ...
 * Comments nest (RFC 5322 §3.2.2) up to a small depth; anything deeper is an error. */
#include <arpa/inet.h>
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "mailseal/msg.h"

enum { MAX_COMMENT_DEPTH = 8, MAX_WORD = MS_LIMIT_DNS_NAME_TEXT };

typedef struct scan {
    const char *p;
    size_t len, i;
    ms_arena *arena;
    ms_msg_received *out;
    ms_msg_error *err;
} scan;

static ms_status fail(scan *s, size_t at, const char *reason)
{
    if (s->err != NULL) {
        s->err->offset = at;
        s->err->reason = reason;
        size_t n =
            s->len - at < sizeof(s->err->detail) - 1 ? s->len - at : sizeof(s->err->detail) - 1;
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)s->p[at + k];
            s->err->detail[k] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        s->err->detail[n] = '\0';
    }
    return MS_ESYNTAX;
}

static bool is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_fws(scan *s)
{
    while (s->i < s->len && is_fws(s->p[s->i])) {
        s->i++;
    }
}

/* The address in an address literal or bare text, as inet_pton reads it; "IPv6:" dropped. */
static const char *ip_text(ms_arena *arena, const char *t, size_t n)
{
    if (n > 5 && ms__str_iprefix(t, n, "IPv6:")) {
        t += 5;
        n -= 5;
    }
    char buf[64];
    if (n == 0 || n >= sizeof(buf)) {
        return NULL;
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
    unsigned char bin[16];
    if (inet_pton(AF_INET, buf, bin) != 1 && inet_pton(AF_INET6, buf, bin) != 1) {
        return NULL;
    }
    return ms_arena_strndup(arena, buf, n);
}

/* A word ends at FWS, '(' , ')' , ';' or '['. */
static size_t word_end(const scan *s, size_t i)
{
    while (i < s->len && !is_fws(s->p[i]) && s->p[i] != '(' && s->p[i] != ')' && s->p[i] != ';' &&
           s->p[i] != '[') {
        i++;
    }
    return i;
}

/* One word inside a comment of the from clause: "[IP]", "IP", "helo=NAME", "HELO" NAME, a
 * reverse-DNS name. */
static void comment_word(scan *s, const char *w, size_t n, bool *after_helo)
{
    ms_msg_received *r = s->out;
    if (*after_helo) { /* the HELO name may itself be an address literal */
        *after_helo = false;
        r->helo = ms_arena_strndup(s->arena, w, n);
        return;
    }
    if (n >= 2 && w[0] == '[' && w[n - 1] == ']') {
        if (r->ip == NULL) {
            r->ip = ip_text(s->arena, w + 1, n - 2);
        }
        return;
    }
    if (ms__str_ieq(w, n, "helo", 4) || ms__str_ieq(w, n, "ehlo", 4)) {
        *after_helo = true;
        return;
    }
    if (n > 5 && (ms__str_iprefix(w, n, "helo=") || ms__str_iprefix(w, n, "ehlo="))) {
        r->helo = ms_arena_strndup(s->arena, w + 5, n - 5);
        return;
    }
    if (n > 14 && ms__str_iprefix(w, n, "envelope-from=")) {
        r->envelope_from = ms_arena_strndup(s->arena, w + 14, n - 14);
        return;
    }
    const char *ip = ip_text(s->arena, w, n);
    if (ip != NULL) {
        if (r->ip == NULL) {
            r->ip = ip;
        }
        return;
    }
    if (r->rdns == NULL && memchr(w, '.', n) != NULL && w[0] != '<') {
        size_t k = n;
        while (k > 0 && w[k - 1] == '.') { /* "host.example.com." */
            k--;
        }
        r->rdns = ms_arena_strndup(s->arena, w, k);
    }
}

/* A comment starting at s->i ('('), nested, its words handed to comment_word when in_from. */
static ms_status comment(scan *s, bool in_from)
{
    size_t start = s->i;
    unsigned depth = 0;
    bool after_helo = false, after_envelope = false;
    while (s->i < s->len) {
        char c = s->p[s->i];
        if (c == '(') {
            if (++depth > MAX_COMMENT_DEPTH) {
                return fail(s, s->i, "comments nested too deep (RFC 5322 §3.2.2)");
            }
            s->i++;
        } else if (c == ')') {
            s->i++;
            if (--depth == 0) {
                return MS_OK;
            }
        } else if (c == '\\' && s->i + 1 < s->len) {
            s->i += 2;
        } else if (is_fws(c) || c == ';') {
            s->i++;
        } else {
            size_t end = c == '[' ? s->i + 1 : s->i;
            if (c == '[') {
                while (end < s->len && s->p[end] != ']' && s->p[end] != ')') {
                    end++;
                }
                end += end < s->len && s->p[end] == ']';
            } else {
                end = word_end(s, end);
            }
            const char *w = s->p + s->i;
            size_t n = end - s->i;
            /* "(envelope-from <...>)" may follow any clause; the rest only the from clause. */
            if (depth == 1 && n <= MAX_WORD) {
                if (after_envelope) {
                    after_envelope = false;
                    s->out->envelope_from = ms_arena_strndup(s->arena, w, n);
                } else if (ms__str_ieq(w, n, "envelope-from", 13)) {
                    after_envelope = true;
                } else if (in_from) {
                    comment_word(s, w, n, &after_helo);
                }
            }
            s->i = end;
        }
    }
    return fail(s, start, "unterminated comment (RFC 5322 §3.2.2)");
}

ms_status ms_msg_received_parse(const char *text, size_t len, ms_arena *arena,
                                const ms_msg_received **out, ms_msg_error *err)
{
    *out = NULL;
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
    if (text == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    if (len > MS_LIMIT_MSG_FIELD_BYTES) {
        scan s = {.p = text, .len = len, .err = err};
        ms_status ignored = fail(&s, 0, "longer than a field may be (MS_LIMIT_MSG_FIELD_BYTES)");
        return ignored == MS_ESYNTAX ? MS_ELIMIT : ignored;
    }
    ms_msg_received *r = ms_arena_alloc(arena, sizeof(*r));
    if (r == NULL) {
        return ms_arena_status(arena);
    }
    memset(r, 0, sizeof(*r));
    scan s = {.p = text, .len = len, .arena = arena, .out = r, .err = err};
    /* Clauses: a keyword (from, by, via, with, id, for) then its value and comments, up to ';'
     * which starts the date (RFC 5321 §4.4). */
    enum { NONE, FROM, BY, WITH, OTHER } clause = NONE;
    while (s.i < s.len) {
        skip_fws(&s);
        if (s.i >= s.len) {
            break;
        }
        char c = s.p[s.i];
        if (c == ';') {
            break;
        }
        if (c == '(') {
            ms_status st = comment(&s, clause == FROM);
            if (st != MS_OK) {
                return st;
            }
            continue;
        }
        size_t end = c == '[' ? s.i + 1 : s.i;
        if (c == '[') {
            while (end < s.len && s.p[end] != ']' && !is_fws(s.p[end])) {
                end++;
            }
            end += end < s.len && s.p[end] == ']';
        } else {
            end = word_end(&s, end);
        }
        const char *w = s.p + s.i;
        size_t n = end == s.i ? 1 : end - s.i; /* a stray ')' is one byte */
        s.i += n;
        if (ms__str_ieq(w, n, "from", 4) && clause == NONE) {
            clause = FROM;
            if (r->from_offset == 0 && w != text) {
                r->from_offset = (size_t)(w - text);
            }
            r->has_from = true;
        } else if (ms__str_ieq(w, n, "by", 2)) {
            clause = BY;
        } else if (ms__str_ieq(w, n, "with", 4)) {
            clause = WITH;
        } else if (ms__str_ieq(w, n, "via", 3) || ms__str_ieq(w, n, "id", 2) ||
                   ms__str_ieq(w, n, "for", 3)) {
            clause = OTHER;
        } else if (n > MAX_WORD) {
            return fail(&s, (size_t)(w - text), "a word longer than a domain name may be");
        } else if (clause == FROM && r->from_name == NULL) {
            if (n >= 2 && w[0] == '[' && w[n - 1] == ']') {
                r->from_name = ms_arena_strndup(arena, w, n);
                r->ip = r->ip ? r->ip : ip_text(arena, w + 1, n - 2);
            } else {
                r->from_name = ms_arena_strndup(arena, w, n);
            }
        } else if (clause == BY && r->by == NULL) {
            r->by = ms_arena_strndup(arena, w, n);
        } else if (clause == WITH && r->with == NULL) {
            r->with = ms_arena_strndup(arena, w, n);
        }
    }
    if (ms_arena_status(arena) != MS_OK) {
        return ms_arena_status(arena);
    }
    if (!r->has_from) {
        return fail(&s, 0, "no \"from\" clause (RFC 5321 §4.4)");
    }
    /* The HELO name is the from word unless a comment named it (Exim's helo=, qmail's HELO);
     * when a comment did, Exim's from word is the verified reverse-DNS name. */
    bool named = r->from_name != NULL && r->from_name[0] != '[' &&
                 !ms__str_ieq(r->from_name, strlen(r->from_name), "unknown", 7);
    if (r->helo == NULL && named) {
        r->helo = r->from_name;
    } else if (r->rdns == NULL && named) {
        r->rdns = r->from_name;
    }
    *out = r;
    return MS_OK;
}

ms_status ms_msg_return_path(const char *text, size_t len, ms_arena *arena, const char **out,
                             ms_msg_error *err)
{
    *out = NULL;
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
    if (text == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    scan s = {.p = text, .len = len, .arena = arena, .err = err};
    if (len > MS_LIMIT_MSG_FIELD_BYTES) {
        ms_status ignored = fail(&s, 0, "longer than a field may be (MS_LIMIT_MSG_FIELD_BYTES)");
        return ignored == MS_ESYNTAX ? MS_ELIMIT : ignored;
    }
    /* Return-Path = [CFWS] "<" ([CFWS] / addr-spec) ">" [CFWS] (RFC 5322 §3.6.7). */
    const char *lt = memchr(text, '<', len);
    const char *gt = lt ? memchr(lt, '>', len - (size_t)(lt - text)) : NULL;
    if (lt == NULL || gt == NULL) {
        return fail(&s, 0, "Return-Path is not <addr-spec> (RFC 5322 §3.6.7)");
    }
    size_t a = (size_t)(lt - text) + 1, b = (size_t)(gt - text);
    while (a < b && is_fws(text[a])) {
        a++;
    }
    while (b > a && is_fws(text[b - 1])) {
        b--;
    }
    for (size_t k = a; k < b; k++) {
        if ((unsigned char)text[k] < 0x21 || text[k] == '<') {
            return fail(&s, k, "a control byte or space in the Return-Path address");
        }
    }
    *out = ms_arena_strndup(arena, text + a, b - a);
    return *out ? MS_OK : ms_arena_status(arena);
}
