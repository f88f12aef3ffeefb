/* SPDX-License-Identifier: MIT */
/* Tokens of an address: CFWS and nested comments (RFC 5322 §3.2.2), quoted-strings (§3.2.4),
 * atoms (§3.2.3) with UTF-8 (RFC 6532 §3.2); errors with their offset. */
#include <string.h>

#include "base/limits.h"
#include "msg/addr_lex.h"
#include "msg/chars.h"

ms_status ms__addr_fail_as(ms__addr_parser *p, ms_status st, size_t offset, const char *reason)
{
    if (p->status == MS_OK) {
        p->status = st;
        if (p->err != NULL) {
            p->err->offset = offset;
            p->err->reason = reason;
            size_t n = offset < p->len ? p->len - offset : 0;
            if (n > sizeof(p->err->detail) - 1) {
                n = sizeof(p->err->detail) - 1;
            }
            if (n > 0) {
                memcpy(p->err->detail, p->s + offset, n);
            }
            p->err->detail[n] = '\0';
        }
    }
    return p->status;
}

ms_status ms__addr_fail(ms__addr_parser *p, size_t offset, const char *reason)
{
    return ms__addr_fail_as(p, MS_ESYNTAX, offset, reason);
}

ms_status ms__addr_arena_fail(ms__addr_parser *p)
{
    ms_status st = ms_arena_status(p->arena);
    return ms__addr_fail_as(p, st == MS_OK ? MS_ENOMEM : st, p->pos, "the arena is full");
}

/* A line end that is part of FWS: CRLF or a bare LF, followed by WSP (RFC 5322 §3.2.2). Its
 * length, or 0. */
size_t ms__addr_fold_len(const ms__addr_parser *p, size_t i)
{
    if (ms__addr_at(p, i) == '\r' && i + 1 < p->len && ms__addr_at(p, i + 1) == '\n' &&
        i + 2 < p->len && ms__msg_is_wsp(ms__addr_at(p, i + 2))) {
        return 2;
    }
    if (ms__addr_at(p, i) == '\n' && i + 1 < p->len && ms__msg_is_wsp(ms__addr_at(p, i + 1))) {
        return 1;
    }
    return 0;
}

/* One byte >= 0x80 at i: how far to step, noting UTF-8 that is not well formed. */
static size_t step_8bit(const ms__addr_parser *p, size_t i, bool *bad)
{
    size_t n = ms__msg_utf8_seq((const unsigned char *)p->s + i, p->len - i);
    if (n == 0) {
        *bad = true;
        return 1;
    }
    return n;
}

/* A comment, nested to MS_LIMIT_MSG_COMMENT_DEPTH (RFC 5322 §3.2.2), p->pos on its '('. */
static ms_status comment(ms__addr_parser *p)
{
    size_t start = p->pos;
    unsigned depth = 0;
    bool bad = false;
    p->lex_flags |= MS_MSG_ADDR_COMMENT;
    while (p->pos < p->len) {
        unsigned char c = ms__addr_at(p, p->pos);
        size_t fold = ms__addr_fold_len(p, p->pos);
        if (c == '(') {
            if (++depth > MS_LIMIT_MSG_COMMENT_DEPTH) {
                return ms__addr_fail(p, p->pos,
                                     "comments nested too deep (MS_LIMIT_MSG_COMMENT_DEPTH, "
                                     "RFC 5322 §3.2.2)");
            }
            p->pos++;
        } else if (c == ')') {
            p->pos++;
            if (--depth == 0) {
                if (bad) {
                    p->lex_flags |= MS_MSG_ADDR_DISPLAY_8BIT;
                }
                return MS_OK;
            }
        } else if (c == '\\') {
            unsigned char q = ms__addr_at(p, p->pos + 1);
            if (p->pos + 1 >= p->len || q == '\r' || q == '\n' || q == 0) {
                return ms__addr_fail(p, p->pos,
                                     "a quoted-pair without its character (RFC 5322 §3.2.1)");
            }
            p->pos += 2;
        } else if (fold > 0) {
            p->pos += fold;
        } else if (c >= 0x80) {
            p->pos += step_8bit(p, p->pos, &bad);
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return ms__addr_fail(p, p->pos,
                                 "a control character or a line break in a comment "
                                 "(RFC 5322 §3.2.2)");
        } else {
            p->pos++;
        }
    }
    return ms__addr_fail(p, start, "unterminated comment: '(' without ')' (RFC 5322 §3.2.2)");
}

/* [CFWS]: white space, folding and comments. */
static ms_status skip_cfws(ms__addr_parser *p, bool *seen)
{
    while (p->pos < p->len) {
        unsigned char c = ms__addr_at(p, p->pos);
        size_t fold = ms__addr_fold_len(p, p->pos);
        if (ms__msg_is_wsp(c)) {
            p->pos++;
        } else if (fold > 0) {
            p->pos += fold;
        } else if (c == '(') {
            ms_status st = comment(p);
            if (st != MS_OK) {
                return st;
            }
        } else {
            break;
        }
        *seen = true;
    }
    return MS_OK;
}

/* quoted-string (RFC 5322 §3.2.4), p->pos on its opening '"'. */
static ms_status quoted_string(ms__addr_parser *p, ms__addr_token *t)
{
    size_t start = p->pos++;
    while (p->pos < p->len) {
        unsigned char c = ms__addr_at(p, p->pos);
        size_t fold = ms__addr_fold_len(p, p->pos);
        if (c == '"') {
            p->pos++;
            return MS_OK;
        }
        if (c == '\\') {
            unsigned char q = ms__addr_at(p, p->pos + 1);
            if (p->pos + 1 >= p->len || q == '\r' || q == '\n' || q == 0) {
                return ms__addr_fail(p, p->pos,
                                     "a quoted-pair without its character (RFC 5322 §3.2.1)");
            }
            p->pos++;
            if (q >= 0x80) {
                t->eight_bit = true;
                p->pos += step_8bit(p, p->pos, &t->bad_utf8);
            } else {
                p->pos++;
            }
        } else if (fold > 0) {
            p->pos += fold;
        } else if (c >= 0x80) {
            t->eight_bit = true;
            p->pos += step_8bit(p, p->pos, &t->bad_utf8);
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return ms__addr_fail(p, p->pos,
                                 "a control character or a line break in a quoted-string "
                                 "(RFC 5322 §3.2.4)");
        } else {
            p->pos++;
        }
    }
    return ms__addr_fail(p, start, "unterminated quoted-string (RFC 5322 §3.2.4)");
}

/* The next token after [CFWS]. Atoms hold atext and UTF-8 (RFC 6532 §3.2); '.' is a token of
 * its own so that dot-atoms and the obsolete forms are told apart by the parser. */
ms_status ms__addr_lex(ms__addr_parser *p, ms__addr_token *t)
{
    memset(t, 0, sizeof(*t));
    p->lex_flags = 0;
    ms_status st = skip_cfws(p, &t->cfws_before);
    t->cfws_flags = p->lex_flags;
    if (st != MS_OK) {
        return st;
    }
    t->start = p->pos;
    if (p->pos >= p->len) {
        t->kind = MS__TOK_END;
        t->end = p->pos;
        return MS_OK;
    }
    unsigned char c = ms__addr_at(p, p->pos);
    if (c == '"') {
        t->kind = MS__TOK_QSTRING;
        st = quoted_string(p, t);
    } else if (ms__msg_is_atext_ascii(c) || c >= 0x80) {
        t->kind = MS__TOK_ATOM;
        while (p->pos < p->len) {
            c = ms__addr_at(p, p->pos);
            if (ms__msg_is_atext_ascii(c)) {
                p->pos++;
            } else if (c >= 0x80) {
                t->eight_bit = true;
                p->pos += step_8bit(p, p->pos, &t->bad_utf8);
            } else {
                break;
            }
        }
    } else {
        t->kind = MS__TOK_SPECIAL;
        t->c = (char)c;
        p->pos++;
    }
    t->end = p->pos;
    return st;
}

ms_status ms__addr_peek(ms__addr_parser *p, ms__addr_token **t)
{
    if (!p->has_look) {
        ms_status st = ms__addr_lex(p, &p->look);
        if (st != MS_OK) {
            return st;
        }
        p->has_look = true;
    }
    *t = &p->look;
    return MS_OK;
}

void ms__addr_consume(ms__addr_parser *p)
{
    p->has_look = false;
    p->last_end = p->look.end;
    p->flags |= p->look.cfws_flags;
}

/* Why a token cannot come where it is: the specific reason for the characters that make an
 * address ambiguous (Composition Kills A2/A5/A12, bad-inputs SPF-19, DMARC-10). */
ms_status ms__addr_unexpected(ms__addr_parser *p, const ms__addr_token *t, const char *what)
{
    if (t->kind == MS__TOK_END) {
        return ms__addr_fail(p, t->start, what);
    }
    if (t->kind == MS__TOK_SPECIAL) {
        switch (t->c) {
        case '\\':
            return ms__addr_fail(p, t->start,
                                 "a backslash outside a quoted-string or comment "
                                 "(RFC 5322 §3.2.1)");
        case '>':
            return ms__addr_fail(p, t->start, "'>' without '<' (RFC 5322 §3.4)");
        case ')':
            return ms__addr_fail(p, t->start, "')' without '(' (RFC 5322 §3.2.2)");
        case '<':
            return ms__addr_fail(p, t->start, "'<' after a complete address (RFC 5322 §3.4)");
        case '\r':
        case '\n':
            return ms__addr_fail(p, t->start, "a line break that is not folding (RFC 5322 §2.2.3)");
        default:
            if ((unsigned char)t->c < 0x20 || t->c == 0x7f) {
                return ms__addr_fail(p, t->start,
                                     "a control character in an address (RFC 5322 §3.4)");
            }
            break;
        }
    }
    return ms__addr_fail(p, t->start, what);
}
