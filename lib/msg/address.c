/* SPDX-License-Identifier: MIT */
/* Address lists, RFC 5322 §3.4 and §3.4.1 with groups, CFWS (§3.2.2), the obsolete forms of
 * §4.4 and UTF-8 (RFC 6532 §3.2). Anything two parsers could read differently is an error. */
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "mailseal/msg.h"
#include "msg/addr_lex.h"
#include "msg/chars.h"
#include "msg/domain.h"

const char *ms_msg_addr_flag_name(unsigned flag)
{
    switch (flag) {
#define MS_MSG_ADDR_FLAG_CASE(name, bit, text)                                                     \
    case MS_MSG_ADDR_##name:                                                                       \
        return text;
        MS_MSG_ADDR_FLAG_MAP(MS_MSG_ADDR_FLAG_CASE)
#undef MS_MSG_ADDR_FLAG_CASE
    default:
        return NULL;
    }
}

/* A run of words and dots: a display name (phrase, obs-phrase) or a local-part (dot-atom,
 * quoted-string, obs-local-part); which one is known only at the '<', '@' or ':' after it. */
typedef struct phrase {
    size_t start, end, n_words, n_dots;
    bool local_shape; /* word *("." word) */
    bool cfws_inside; /* CFWS between its tokens */
    bool has_qstring, bad_utf8, eight_bit;
} phrase;

static ms_status read_phrase(ms__addr_parser *p, phrase *ph)
{
    memset(ph, 0, sizeof(*ph));
    ph->local_shape = true;
    bool want_word = true;
    size_t n = 0;
    for (;;) {
        ms__addr_token *t;
        ms_status st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
        bool word = t->kind == MS__TOK_ATOM || t->kind == MS__TOK_QSTRING;
        if (!word && !ms__addr_is_special(t, '.')) {
            break;
        }
        if (n == 0) {
            ph->start = t->start;
        } else if (t->cfws_before) {
            ph->cfws_inside = true;
        }
        if (word != want_word) {
            ph->local_shape = false; /* two words or two dots in a row, or a leading dot */
        }
        want_word = !word;
        ph->n_words += word ? 1 : 0;
        ph->n_dots += word ? 0 : 1;
        ph->has_qstring |= t->kind == MS__TOK_QSTRING;
        ph->bad_utf8 |= t->bad_utf8;
        ph->eight_bit |= t->eight_bit;
        ph->end = t->end;
        n++;
        ms__addr_consume(p);
    }
    if (n == 0 || want_word) {
        ph->local_shape = false; /* empty, or a trailing dot */
    }
    return MS_OK;
}

/* Append s[0..len) without the line ends of folding. */
static void append_unfolded(ms__buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\r' && s[i] != '\n') {
            ms__buf_putc(b, s[i]);
        }
    }
}

/* Re-read the phrase's tokens (they lexed once, so they lex again without error). As a
 * display name: words joined by one space where CFWS was, quoted-strings unquoted. As a
 * local-part: tokens as written without CFWS. */
static const char *render(ms__addr_parser *p, const phrase *ph, bool display)
{
    ms__addr_parser sub = *p;
    sub.len = ph->end;
    sub.pos = ph->start;
    sub.has_look = false;
    sub.err = NULL;
    ms__buf b;
    ms__buf_init(&b, p->arena, MS_LIMIT_MSG_FIELD_BYTES);
    ms__buf_append(&b, "", 0);
    bool first = true;
    ms__addr_token t;
    while (ms__addr_lex(&sub, &t) == MS_OK && t.kind != MS__TOK_END) {
        const char *s = p->s + t.start;
        size_t len = t.end - t.start;
        if (display && !first && t.cfws_before) {
            ms__buf_putc(&b, ' ');
        }
        first = false;
        if (display && t.kind == MS__TOK_QSTRING) {
            for (size_t i = 1; i + 1 < len; i++) {
                if (s[i] == '\\') {
                    i++;
                }
                if (s[i] != '\r' && s[i] != '\n') {
                    ms__buf_putc(&b, s[i]);
                }
            }
        } else {
            append_unfolded(&b, s, len);
        }
    }
    if (ms__buf_status(&b) != MS_OK) {
        return NULL;
    }
    return b.data;
}

static const char *display_name(ms__addr_parser *p, const phrase *ph)
{
    if (ph->n_dots > 0) {
        p->flags |= MS_MSG_ADDR_OBS_PHRASE; /* obs-phrase, RFC 5322 §4.1 */
    }
    if (ph->bad_utf8) {
        p->flags |= MS_MSG_ADDR_DISPLAY_8BIT;
    }
    const char *d = render(p, ph, true);
    if (d != NULL) {
        p->flags |= ms__msg_display_flags(d, strlen(d));
    }
    return d;
}

/* local-part from a phrase that ended at '@' (RFC 5322 §3.4.1, obs-local-part §4.4). */
static ms_status local_part(ms__addr_parser *p, const phrase *ph, ms_msg_mailbox *mb)
{
    if (ph->n_words == 0) {
        return ms__addr_fail(p, ph->end, "no local-part before '@' (RFC 5322 §3.4.1)");
    }
    if (!ph->local_shape) {
        return ms__addr_fail(p, ph->start,
                             "the local-part is not a dot-atom, a quoted-string or words "
                             "joined by '.' (RFC 5322 §3.4.1, §4.4)");
    }
    if (ph->bad_utf8) {
        return ms__addr_fail(p, ph->start,
                             "the local-part is not well-formed UTF-8 (RFC 6532 §3.2)");
    }
    if (ph->cfws_inside || (ph->has_qstring && ph->n_words > 1)) {
        p->flags |= MS_MSG_ADDR_OBS_LOCAL;
    }
    if (ph->has_qstring) {
        p->flags |= MS_MSG_ADDR_QUOTED_LOCAL;
    }
    if (ph->eight_bit) {
        p->flags |= MS_MSG_ADDR_UTF8_LOCAL;
    }
    mb->local = render(p, ph, false);
    if (mb->local == NULL) {
        return ms__addr_arena_fail(p);
    }
    if (strlen(mb->local) > MS_LIMIT_MSG_LOCAL_PART) {
        return ms__addr_fail(p, ph->start,
                             "local-part longer than the cap (MS_LIMIT_MSG_LOCAL_PART, "
                             "RFC 5321 §4.5.3.1.1)");
    }
    return MS_OK;
}

/* domain-literal (RFC 5322 §3.4.1), p->pos just after its '['. No quoted-pairs: "\]" would
 * end the literal for one reader and not for another. */
static ms_status domain_literal(ms__addr_parser *p, size_t open, ms__buf *raw, ms__buf *norm)
{
    ms__buf_putc(raw, '[');
    ms__buf_putc(norm, '[');
    while (p->pos < p->len) {
        unsigned char c = ms__addr_at(p, p->pos);
        size_t fold = ms__addr_fold_len(p, p->pos);
        if (c == ']') {
            p->pos++;
            p->last_end = p->pos;
            ms__buf_putc(raw, ']');
            ms__buf_putc(norm, ']');
            return MS_OK;
        }
        if (fold > 0) {
            p->pos += fold;
            continue;
        }
        if (c == '\\') {
            return ms__addr_fail(p, p->pos, "a quoted-pair in a domain literal (RFC 5322 §4.4)");
        }
        if (!ms__msg_is_wsp(c) && !(c >= 33 && c <= 90) && !(c >= 94 && c <= 126)) {
            return ms__addr_fail(p, p->pos,
                                 "a character that is not dtext in a domain literal "
                                 "(RFC 5322 §3.4.1)");
        }
        ms__buf_putc(raw, (char)c);
        if (!ms__msg_is_wsp(c)) {
            ms__buf_putc(norm, ms__lower((char)c));
        }
        p->pos++;
    }
    return ms__addr_fail(p, open, "unterminated domain literal: '[' without ']' (RFC 5322 §3.4.1)");
}

/* dot-atom or obs-domain (atoms with CFWS around the dots, §4.4); one trailing dot allowed
 * and dropped from the normalised form (bad-inputs DMARC-17). */
static ms_status dot_domain(ms__addr_parser *p, ms__buf *raw, ms__buf *norm, bool *eight_bit)
{
    size_t n_atoms = 0;
    for (;;) {
        ms__addr_token *t;
        ms_status st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
        if (t->kind != MS__TOK_ATOM) {
            if (n_atoms == 0) {
                return ms__addr_unexpected(p, t, "no domain after '@' (RFC 5322 §3.4.1)");
            }
            if (ms__addr_is_special(t, '.')) {
                return ms__addr_fail(p, t->start, "empty label in the domain (RFC 5322 §3.4.1)");
            }
            p->flags |= MS_MSG_ADDR_TRAILING_DOT;
            return MS_OK;
        }
        if (n_atoms > 0 && t->cfws_before) {
            p->flags |= MS_MSG_ADDR_OBS_DOMAIN;
        }
        if (t->bad_utf8) {
            return ms__addr_fail(p, t->start,
                                 "the domain is not well-formed UTF-8 (RFC 6532 §3.2)");
        }
        *eight_bit |= t->eight_bit;
        ms__buf_append(raw, p->s + t->start, t->end - t->start);
        for (size_t i = t->start; i < t->end; i++) {
            ms__buf_putc(norm, ms__lower(p->s[i]));
        }
        n_atoms++;
        ms__addr_consume(p);
        st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
        if (!ms__addr_is_special(t, '.')) {
            return MS_OK;
        }
        if (t->cfws_before) {
            p->flags |= MS_MSG_ADDR_OBS_DOMAIN;
        }
        ms__buf_putc(raw, '.');
        ms__addr_consume(p);
        /* A dot at the end is kept in raw and left out of the normal form. */
        st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
        if (t->kind == MS__TOK_ATOM) {
            ms__buf_putc(norm, '.');
        }
    }
}

/* domain after '@'; mb NULL for the domains of an obs-route, which are read and dropped. */
static ms_status domain(ms__addr_parser *p, ms_msg_mailbox *mb)
{
    ms__addr_token *t;
    ms_status st = ms__addr_peek(p, &t);
    if (st != MS_OK) {
        return st;
    }
    ms__buf raw, norm;
    ms__buf_init(&raw, p->arena, MS_LIMIT_MSG_FIELD_BYTES);
    ms__buf_init(&norm, p->arena, MS_LIMIT_MSG_FIELD_BYTES);
    bool eight_bit = false;
    size_t start = t->start;
    bool literal = ms__addr_is_special(t, '[');
    if (literal) {
        ms__addr_consume(p);
        st = domain_literal(p, start, &raw, &norm);
    } else {
        st = dot_domain(p, &raw, &norm, &eight_bit);
    }
    if (st != MS_OK || mb == NULL) {
        return st;
    }
    if (ms__buf_status(&raw) != MS_OK || ms__buf_status(&norm) != MS_OK) {
        return ms__addr_arena_fail(p);
    }
    mb->domain_raw = raw.data;
    mb->domain = norm.data;
    mb->domain_ascii = norm.data;
    if (literal) {
        p->flags |= MS_MSG_ADDR_LITERAL;
        return MS_OK;
    }
    if (eight_bit) {
        p->flags |= MS_MSG_ADDR_UTF8_DOMAIN;
        const char *why = NULL;
        st = ms__msg_domain_alabel(norm.data, p->arena, &mb->domain_ascii, &why);
        if (st == MS_ESYNTAX) {
            return ms__addr_fail(p, start, why);
        }
        if (st != MS_OK) {
            return ms__addr_fail_as(p, st, start, "out of memory converting to A-labels");
        }
    }
    const char *why = ms__msg_hostname_invalid(mb->domain_ascii, strlen(mb->domain_ascii));
    return why == NULL ? MS_OK : ms__addr_fail(p, start, why);
}

/* obs-route (RFC 5322 §4.4): "@a,@b:" before the addr-spec of an angle-addr; read, checked and
 * ignored, as RFC 5322 §4.4 and RFC 5321 §4.1.2 say. */
static ms_status obs_route(ms__addr_parser *p)
{
    size_t n_domains = 0;
    bool need_comma = false;
    p->flags |= MS_MSG_ADDR_OBS_ROUTE;
    for (;;) {
        ms__addr_token *t;
        ms_status st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
        if (ms__addr_is_special(t, ',')) {
            need_comma = false;
            ms__addr_consume(p);
        } else if (ms__addr_is_special(t, '@') && !need_comma) {
            ms__addr_consume(p);
            /* The route's domains do not describe the mailbox: only a comment in them is. */
            unsigned saved = p->flags;
            st = domain(p, NULL);
            p->flags = saved | (p->flags & MS_MSG_ADDR_COMMENT);
            if (st != MS_OK) {
                return st;
            }
            n_domains++;
            need_comma = true;
        } else if (ms__addr_is_special(t, ':') && n_domains > 0) {
            ms__addr_consume(p);
            return MS_OK;
        } else {
            return ms__addr_unexpected(p, t,
                                       "an obs-route that is not \"@domain,@domain:\" "
                                       "(RFC 5322 §4.4)");
        }
    }
}

/* angle-addr / obs-angle-addr (RFC 5322 §3.4, §4.4), p just past '<'. */
static ms_status angle_addr(ms__addr_parser *p, size_t open, ms_msg_mailbox *mb)
{
    ms__addr_token *t;
    ms_status st = ms__addr_peek(p, &t);
    if (st != MS_OK) {
        return st;
    }
    if (ms__addr_is_special(t, '@') || ms__addr_is_special(t, ',')) {
        st = obs_route(p);
        if (st != MS_OK) {
            return st;
        }
        st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
    }
    if (ms__addr_is_special(t, '>')) {
        return ms__addr_fail(p, t->start, "empty angle-addr \"<>\" (RFC 5322 §3.4)");
    }
    phrase ph;
    st = read_phrase(p, &ph);
    if (st != MS_OK) {
        return st;
    }
    st = ms__addr_peek(p, &t);
    if (st != MS_OK) {
        return st;
    }
    if (!ms__addr_is_special(t, '@')) {
        if (ms__addr_is_special(t, '>') || t->kind == MS__TOK_END) {
            return ms__addr_fail(p, t->start, "no '@' in the angle-addr (RFC 5322 §3.4.1)");
        }
        return ms__addr_unexpected(p, t, "no '@' in the angle-addr (RFC 5322 §3.4.1)");
    }
    ms__addr_consume(p);
    st = local_part(p, &ph, mb);
    if (st == MS_OK) {
        st = domain(p, mb);
    }
    if (st != MS_OK) {
        return st;
    }
    st = ms__addr_peek(p, &t);
    if (st != MS_OK) {
        return st;
    }
    if (!ms__addr_is_special(t, '>')) {
        return t->kind == MS__TOK_END ? ms__addr_fail(p, open, "'<' without '>' (RFC 5322 §3.4)")
                                      : ms__addr_unexpected(p, t,
                                                            "expected '>' after the address "
                                                            "(RFC 5322 §3.4)");
    }
    ms__addr_consume(p);
    return MS_OK;
}

static ms_status add_mailbox(ms__addr_parser *p, ms_msg_mailbox **out)
{
    if (p->n_mbs == p->mbs_size) {
        size_t size = p->mbs_size ? p->mbs_size * 2 : 4;
        ms_msg_mailbox *mbs = ms_arena_alloc(p->arena, size * sizeof(*mbs));
        if (mbs == NULL) {
            return ms__addr_arena_fail(p);
        }
        if (p->n_mbs > 0) {
            memcpy(mbs, p->mbs, p->n_mbs * sizeof(*mbs));
        }
        p->mbs = mbs;
        p->mbs_size = size;
    }
    *out = &p->mbs[p->n_mbs];
    memset(*out, 0, sizeof(**out));
    return MS_OK;
}

static ms_status check_cap(ms__addr_parser *p, size_t offset)
{
    if (p->n_mbs + p->n_groups >= MS_LIMIT_MSG_ADDRESSES) {
        return ms__addr_fail_as(p, MS_ELIMIT, offset,
                                "more addresses in one field than the cap (MS_LIMIT_MSG_ADDRESSES, "
                                "bad-inputs DMARC-31)");
    }
    return MS_OK;
}

static ms_status group(ms__addr_parser *p, const phrase *ph);

/* address (RFC 5322 §3.4): a mailbox (name-addr or addr-spec) or, outside a group, a group.
 * group_name is the enclosing group's display name. */
static ms_status address(ms__addr_parser *p, bool in_group, const char *group_name)
{
    ms__addr_token *t;
    ms_status st = ms__addr_peek(p, &t);
    if (st != MS_OK) {
        return st;
    }
    size_t start = t->start;
    st = check_cap(p, start);
    if (st != MS_OK) {
        return st;
    }
    p->flags = 0;
    phrase ph;
    st = read_phrase(p, &ph);
    if (st == MS_OK) {
        st = ms__addr_peek(p, &t);
    }
    if (st != MS_OK) {
        return st;
    }
    if (ms__addr_is_special(t, ':') && !in_group && ph.n_words > 0) {
        ms__addr_consume(p);
        return group(p, &ph);
    }
    if (ms__addr_is_special(t, ':')) {
        return ms__addr_fail(p, t->start,
                             in_group ? "a group inside a group (RFC 5322 §3.4)"
                                      : "a group without a display name (RFC 5322 §3.4)");
    }
    if (!ms__addr_is_special(t, '<') && !ms__addr_is_special(t, '@')) {
        return ms__addr_unexpected(p, t,
                                   ph.n_words + ph.n_dots > 0
                                       ? "a name without an address: expected '<', '@' or ':' "
                                         "(RFC 5322 §3.4)"
                                       : "expected an address (RFC 5322 §3.4)");
    }
    ms_msg_mailbox *mb = NULL;
    st = add_mailbox(p, &mb);
    if (st != MS_OK) {
        return st;
    }
    size_t open = t->start;
    bool angle = ms__addr_is_special(t, '<');
    ms__addr_consume(p);
    if (angle) {
        if (ph.n_words + ph.n_dots > 0) {
            if (ph.n_words == 0 || ms__addr_at(p, ph.start) == '.') {
                return ms__addr_fail(p, ph.start,
                                     "a display name must start with a word "
                                     "(RFC 5322 §3.2.5, §4.1)");
            }
            mb->display = display_name(p, &ph);
            if (mb->display == NULL) {
                return ms__addr_arena_fail(p);
            }
        }
        st = angle_addr(p, open, mb);
    } else {
        st = local_part(p, &ph, mb);
        if (st == MS_OK) {
            st = domain(p, mb);
        }
    }
    if (st != MS_OK) {
        return st;
    }
    if (in_group) {
        p->flags |= MS_MSG_ADDR_IN_GROUP;
        mb->group = group_name;
    }
    mb->offset = start;
    mb->length = p->last_end - start; /* CFWS after the mailbox is not part of it */
    /* ... but a comment there describes it (RFC 5322 §3.4: angle-addr and dot-atom end in
     * [CFWS]). */
    st = ms__addr_peek(p, &t);
    if (st != MS_OK) {
        return st;
    }
    p->flags |= t->cfws_flags;
    mb->flags = p->flags;
    p->list_flags |= p->flags;
    p->n_mbs++;
    return MS_OK;
}

/* group = display-name ":" [group-list] ";" [CFWS] (RFC 5322 §3.4), p just past ':'. */
static ms_status group(ms__addr_parser *p, const phrase *ph)
{
    size_t colon = ph->end;
    unsigned saved = p->flags;
    const char *name = display_name(p, ph);
    if (name == NULL) {
        return ms__addr_arena_fail(p);
    }
    p->list_flags |= p->flags;
    p->n_groups++;
    for (;;) {
        ms__addr_token *t;
        ms_status st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
        if (ms__addr_is_special(t, ';')) {
            ms__addr_consume(p);
            p->flags = saved;
            return MS_OK;
        }
        if (ms__addr_is_special(t, ',')) {
            p->list_flags |= MS_MSG_ADDR_OBS_LIST; /* obs-group-list, §4.4 */
            ms__addr_consume(p);
            continue;
        }
        if (t->kind == MS__TOK_END) {
            return ms__addr_fail(p, colon, "a group without its closing ';' (RFC 5322 §3.4)");
        }
        st = address(p, true, name);
        if (st != MS_OK) {
            return st;
        }
        st = ms__addr_peek(p, &t);
        if (st != MS_OK) {
            return st;
        }
        if (ms__addr_is_special(t, ',')) {
            ms__addr_consume(p);
            st = ms__addr_peek(p, &t);
            if (st != MS_OK) {
                return st;
            }
            if (ms__addr_is_special(t, ';')) {
                p->list_flags |= MS_MSG_ADDR_OBS_LIST; /* "a@b, ;" */
            }
        } else if (!ms__addr_is_special(t, ';')) {
            return t->kind == MS__TOK_END
                       ? ms__addr_fail(p, colon, "a group without its closing ';' (RFC 5322 §3.4)")
                       : ms__addr_unexpected(p, t,
                                             "expected ',' or ';' after an address in a group "
                                             "(RFC 5322 §3.4)");
        }
    }
}

ms_status ms_msg_address_parse(const char *text, size_t len, ms_arena *arena,
                               const ms_msg_address_list **out, ms_msg_error *err)
{
    *out = NULL;
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
    if (arena == NULL || (text == NULL && len > 0)) {
        return MS_EINVAL;
    }
    ms__addr_parser p;
    memset(&p, 0, sizeof(p));
    p.s = text;
    p.len = len;
    p.arena = arena;
    p.err = err;
    p.status = MS_OK;
    if (len > MS_LIMIT_MSG_FIELD_BYTES) {
        return ms__addr_fail_as(&p, MS_ELIMIT, MS_LIMIT_MSG_FIELD_BYTES,
                                "address text longer than a header field may be "
                                "(MS_LIMIT_MSG_FIELD_BYTES)");
    }
    /* address-list, or obs-addr-list with empty elements (RFC 5322 §3.4, §4.4). */
    bool element = false; /* an address since the last comma */
    for (;;) {
        ms__addr_token *t;
        ms_status st = ms__addr_peek(&p, &t);
        if (st != MS_OK) {
            return st;
        }
        if (t->kind == MS__TOK_END) {
            if (!element && (p.n_mbs + p.n_groups) > 0) {
                p.list_flags |= MS_MSG_ADDR_OBS_LIST; /* a trailing comma */
            }
            break;
        }
        if (ms__addr_is_special(t, ',')) {
            if (!element) {
                p.list_flags |= MS_MSG_ADDR_OBS_LIST;
            }
            element = false;
            ms__addr_consume(&p);
            continue;
        }
        if (element) {
            return ms__addr_unexpected(&p, t, "expected ',' between addresses (RFC 5322 §3.4)");
        }
        st = address(&p, false, NULL);
        if (st != MS_OK) {
            return st;
        }
        element = true;
    }
    if (p.n_mbs + p.n_groups == 0) {
        return ms__addr_fail(&p, len, "no address (RFC 5322 §3.4)");
    }
    ms_msg_address_list *list = ms_arena_alloc(arena, sizeof(*list));
    if (list == NULL) {
        return ms__addr_arena_fail(&p);
    }
    list->n_mailboxes = p.n_mbs;
    list->mailboxes = p.mbs;
    list->n_groups = p.n_groups;
    list->flags = p.list_flags;
    *out = list;
    return MS_OK;
}
