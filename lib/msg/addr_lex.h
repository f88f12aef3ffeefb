/* SPDX-License-Identifier: MIT */
/* The lexer of the address parser: CFWS with nested comments (RFC 5322 §3.2.2), quoted-strings
 * (§3.2.4), atoms with UTF-8 (§3.2.3, RFC 6532 §3.2), one token of lookahead. */
#ifndef MS_MSG_ADDR_LEX_H
#define MS_MSG_ADDR_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/msg.h"

typedef enum {
    MS__TOK_END,
    MS__TOK_ATOM,
    MS__TOK_QSTRING,
    MS__TOK_SPECIAL,
} ms__addr_tok_kind;

typedef struct ms__addr_token {
    ms__addr_tok_kind kind;
    size_t start, end; /* the token's bytes, quotes included */
    char c;            /* MS__TOK_SPECIAL: the byte */
    bool cfws_before;  /* white space or a comment came before it */
    bool bad_utf8;     /* a byte >= 0x80 that is not well-formed UTF-8 */
    bool eight_bit;
    unsigned cfws_flags; /* MS_MSG_ADDR_COMMENT, _DISPLAY_8BIT of the CFWS before it */
} ms__addr_token;

typedef struct ms__addr_parser {
    const char *s;
    size_t len, pos;
    ms_arena *arena;
    ms_msg_error *err;
    ms_status status;
    unsigned flags;     /* of the mailbox being read */
    unsigned lex_flags; /* of the CFWS being skipped */
    ms__addr_token look;
    bool has_look;
    size_t last_end; /* end of the last token consumed */
    /* the result */
    ms_msg_mailbox *mbs;
    size_t n_mbs, mbs_size, n_groups;
    unsigned list_flags;
} ms__addr_parser;

static inline unsigned char ms__addr_at(const ms__addr_parser *p, size_t i)
{
    return i < p->len ? (unsigned char)p->s[i] : 0;
}

static inline bool ms__addr_is_special(const ms__addr_token *t, char c)
{
    return t->kind == MS__TOK_SPECIAL && t->c == c;
}

/* The first error wins; MS_ESYNTAX, or st, with offset, reason and the bytes there. */
ms_status ms__addr_fail_as(ms__addr_parser *p, ms_status st, size_t offset, const char *reason);
ms_status ms__addr_fail(ms__addr_parser *p, size_t offset, const char *reason);
ms_status ms__addr_arena_fail(ms__addr_parser *p);
/* Length of the folding line end (CRLF or LF, then WSP) at i, or 0. */
size_t ms__addr_fold_len(const ms__addr_parser *p, size_t i);
/* The next token after [CFWS]: MS__TOK_END at the end of the text. */
ms_status ms__addr_lex(ms__addr_parser *p, ms__addr_token *t);
/* The next token, kept until ms__addr_consume. */
ms_status ms__addr_peek(ms__addr_parser *p, ms__addr_token **t);
void ms__addr_consume(ms__addr_parser *p);
/* An error for a token that cannot come where it is: specific reasons for the characters that
 * make an address ambiguous, `what` otherwise. */
ms_status ms__addr_unexpected(ms__addr_parser *p, const ms__addr_token *t, const char *what);

#endif
