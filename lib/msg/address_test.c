/* SPDX-License-Identifier: MIT */
/* Address lists, RFC 5322 §3.4, §3.4.1, §3.2.2-§3.2.4, obsolete forms §4.1 and §4.4, UTF-8
 * (RFC 6532 §3.2) with A-labels: every mailbox read back, and every error with its offset and
 * reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/msg.h"

#include "base/limits.h"

#include "ms_expect.h"
#include "ms_msg_render.h"

typedef struct ok_case {
    const char *name;
    const char *text;
    const char *want; /* rb_mailboxes() */
    size_t want_groups;
} ok_case;

static const ok_case OK[] = {
    /* §3.4.1 addr-spec */
    {"addr-spec", "user@example.com", "<user@example.com>\n", 0},
    {"leading space as in a field value", " user@example.com", "<user@example.com>\n", 0},
    {"domain lowercased, raw kept", "User@Example.COM", "<User@example.com> raw=Example.COM\n", 0},
    {"dot-atom local-part", "first.last+tag@example.com", "<first.last+tag@example.com>\n", 0},
    {"every atext byte", "!#$%&'*+-/=?^_`{|}~@example.com", "<!#$%&'*+-/=?^_`{|}~@example.com>\n",
     0},
    {"single-label domain", "root@localhost", "<root@localhost>\n", 0},
    {"underscore in the domain", "a@_dmarc.example.com", "<a@_dmarc.example.com>\n", 0},
    /* §3.4 name-addr */
    {"angle-addr alone", "<user@example.com>", "<user@example.com>\n", 0},
    {"display name", "Joe Q. Public <john.q.public@example.com>",
     "\"Joe Q. Public\" <john.q.public@example.com> obs-phrase\n", 0},
    {"display name of one word", "Joe <joe@example.com>", "\"Joe\" <joe@example.com>\n", 0},
    {"quoted display name", "\"Joe Q. Public\" <joe@example.com>",
     "\"Joe Q. Public\" <joe@example.com>\n", 0},
    {"display words joined by one space", "Joe  \t Public<joe@example.com>",
     "\"Joe Public\" <joe@example.com>\n", 0},
    {"angle-addr without space", "Joe<joe@example.com>", "\"Joe\" <joe@example.com>\n", 0},
    {"DMARC-14 quoted-pairs in the display name", "\"\\\"Medtronic, Inc.\\\"\" <user@example.t>",
     "\"\"Medtronic, Inc.\"\" <user@example.t>\n", 0},
    {"quoted display with a comma", "\"Doe, John\" <jd@example.com>",
     "\"Doe, John\" <jd@example.com>\n", 0},
    {"DMARC-16 display name holding an address", "\"admin@legitimate.t\" <x@attack.t>",
     "\"admin@legitimate.t\" <x@attack.t> display-has-address\n", 0},
    {"encoded-word display name", "=?utf-8?q?J=C3=B6rg?= <j@example.com>",
     "\"=?utf-8?q?J=C3=B6rg?=\" <j@example.com> display-encoded\n", 0},
    {"DMARC-08 encoded-word hiding an address",
     "=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?= <second@attack.t>",
     "\"=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?=\" <second@attack.t> "
     "display-has-address,display-encoded\n",
     0},
    {"Q encoded-word hiding an address", "\"=?iso-8859-1?Q?a=40b.t?=\" <c@d.t>",
     "\"=?iso-8859-1?Q?a=40b.t?=\" <c@d.t> display-has-address,display-encoded\n", 0},
    {"full-width at in the display name", "\"admin\xef\xbc\xa0legitimate.t\" <x@attack.t>",
     "\"admin\\xef\\xbc\\xa0legitimate.t\" <x@attack.t> display-has-address\n", 0},
    /* §3.2.2 comments and CFWS */
    {"comment after", "user@example.com (Joe)", "<user@example.com> comment\n", 0},
    {"comment before", "(Joe) user@example.com", "<user@example.com> comment\n", 0},
    {"nested comments", "a@b.t (one (two (three)) \\) four)", "<a@b.t> comment\n", 0},
    {"CFWS around '@'", "a (x) @ (y) b.t", "<a@b.t> comment\n", 0},
    {"CFWS inside the angle brackets", "< a@b.t >", "<a@b.t>\n", 0},
    {"comment inside the angle brackets", "<(c)a@b.t(d)>", "<a@b.t> comment\n", 0},
    {"folded value (raw, CRLF)", "Joe\r\n <joe@example.com>", "\"Joe\" <joe@example.com>\n", 0},
    {"folded value (raw, LF)", "Joe\n\t<joe@example.com>", "\"Joe\" <joe@example.com>\n", 0},
    {"folded quoted-string", "\"Joe\r\n Q\" <joe@example.com>", "\"Joe Q\" <joe@example.com>\n", 0},
    /* quoted local-parts */
    {"quoted local-part", "\"john doe\"@example.com", "<\"john doe\"@example.com> quoted-local\n",
     0},
    {"quoted local-part with '@'", "\"a@b\"@example.com", "<\"a@b\"@example.com> quoted-local\n",
     0},
    {"quoted-pair in a local-part", "\"a\\\"b\"@example.com",
     "<\"a\\\\\"b\"@example.com> quoted-local\n", 0},
    /* several addresses (DMARC-11: all of them, never one) */
    {"DMARC-11 two mailboxes", "admin@legitimate.t,<second@attack.t>",
     "<admin@legitimate.t>\n<second@attack.t>\n", 0},
    {"three mailboxes", "a@b.t, \"C\" <c@d.t>, e@f.t", "<a@b.t>\n\"C\" <c@d.t>\n<e@f.t>\n", 0},
    /* §3.4 groups */
    {"empty group", "undisclosed-recipients:;", "", 1},
    {"empty group with CFWS", "undisclosed-recipients: (none) ;", "", 1},
    {"group of two", "Group: a@b.t, c@d.t;",
     "<a@b.t> group=Group in-group\n<c@d.t> group=Group "
     "in-group\n",
     1},
    {"group then a mailbox", "Team: a@b.t;, e@f.t", "<a@b.t> group=Team in-group\n<e@f.t>\n", 1},
    {"quoted group name", "\"My Team\": a@b.t;", "<a@b.t> group=My Team in-group\n", 1},
    {"group then a comment", "G: a@b.t; (end)", "<a@b.t> group=G in-group\n", 1},
    {"DMARC-07 mailbox and empty group", "a@example.t, undisclosed-recipients:;", "<a@example.t>\n",
     1},
    /* §4.4 obsolete forms */
    {"obs-route", "<@a.t,@b.t:user@d.t>", "<user@d.t> obs-route\n", 0},
    {"obs-route with extra commas", "Joe <,@a.t,,@b.t:user@d.t>", "\"Joe\" <user@d.t> obs-route\n",
     0},
    {"obs-local-part words", "john . smith@example.com", "<john.smith@example.com> obs-local\n", 0},
    {"obs-local-part quoted and atom", "\"john\".smith@example.com",
     "<\"john\".smith@example.com> quoted-local,obs-local\n", 0},
    {"obs-local-part comment", "john(c).smith@example.com",
     "<john.smith@example.com> obs-local,comment\n", 0},
    {"obs-domain", "a@b . example . com", "<a@b.example.com> obs-domain\n", 0},
    {"obs-mbox-list empty elements", ", a@b.t,, c@d.t ,", "<a@b.t>\n<c@d.t>\n", 0},
    {"obs-group-list", "G: , ,;", "", 1},
    /* §3.4.1 domain literals */
    {"domain literal", "user@[192.0.2.1]", "<user@[192.0.2.1]> literal\n", 0},
    {"IPv6 domain literal", "user@[IPv6:2001:DB8::1]",
     "<user@[ipv6:2001:db8::1]> raw=[IPv6:2001:DB8::1] literal\n", 0},
    {"domain literal with FWS", "user@[ 192.0.2.1 ]",
     "<user@[192.0.2.1]> raw=[ 192.0.2.1 ] literal\n", 0},
    /* trailing dot (DMARC-17) */
    {"one trailing dot", "a@legitimate.t.", "<a@legitimate.t> raw=legitimate.t. trailing-dot\n", 0},
    /* RFC 6532 */
    {"UTF-8 local-part", "j\xc3\xb6rg@example.com", "<j\\xc3\\xb6rg@example.com> utf8-local\n", 0},
    {"UTF-8 domain to A-labels",
     "info@b\xc3\xbc"
     "cher.example",
     "<info@b\\xc3\\xbccher.example> ascii=xn--bcher-kva.example utf8-domain\n", 0},
    {"upper-case ASCII in a UTF-8 domain",
     "info@B\xc3\xbc"
     "CHER.example",
     "<info@b\\xc3\\xbccher.example> ascii=xn--bcher-kva.example raw=B\\xc3\\xbcCHER.example "
     "utf8-domain\n",
     0},
    {"UTF-8 display name", "J\xc3\xb6rg <j@example.com>", "\"J\\xc3\\xb6rg\" <j@example.com>\n", 0},
    {"Latin-1 display name is flagged", "J\xf6rg <j@example.com>",
     "\"J\\xf6rg\" <j@example.com> display-8bit\n", 0},
    {"A-label domain kept", "a@xn--bcher-kva.example", "<a@xn--bcher-kva.example>\n", 0},
};

static void test_address_valid(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        const ok_case *c = &OK[i];
        size_t len = strlen(c->text);
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, c->text, len);
        const ms_msg_address_list *list = NULL;
        ms_msg_error err;
        ms_status st = ms_msg_address_parse(copy, len, arena, &list, &err);
        EXPECT(st == MS_OK, "case %s: got %s (%s at %zu, \"%s\"), want MS_OK", c->name,
               ms_status_name(st), err.reason ? err.reason : "", err.offset, err.detail);
        if (st == MS_OK) {
            render_buf got;
            rb_mailboxes(&got, list);
            EXPECT(strcmp(got.text, c->want) == 0, "case %s: got\n%s, want\n%s", c->name, got.text,
                   c->want);
            EXPECT(list->n_groups == c->want_groups, "case %s: got %zu groups, want %zu", c->name,
                   list->n_groups, c->want_groups);
            unsigned all = 0;
            for (size_t k = 0; k < list->n_mailboxes; k++) {
                const ms_msg_mailbox *mb = &list->mailboxes[k];
                all |= mb->flags;
                /* The mailbox's span holds its local-part's first byte and ends at the end of
                 * its domain or its '>'. */
                EXPECT(mb->offset + mb->length <= len && mb->length > 0,
                       "case %s: mailbox %zu spans %zu+%zu of %zu", c->name, k, mb->offset,
                       mb->length, len);
            }
            EXPECT((list->flags & all) == all, "case %s: got list flags %x, want at least %x",
                   c->name, list->flags, all);
        }
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

typedef struct err_case {
    const char *name;
    const char *text;
    size_t len; /* 0 = strlen */
    size_t want_offset;
    const char *want_reason; /* a substring */
} err_case;

static const err_case ERR[] = {
    /* nothing there */
    {"empty", "", 0, 0, "no address"},
    {"only CFWS", "  (comment) ", 0, 12, "no address"},
    {"only commas", ",,", 0, 2, "no address"},
    /* a name without an address (DMARC-07, DMARC-08) */
    {"DMARC-07 a word after a mailbox", "a@example.t, foo", 0, 16, "a name without an address"},
    {"DMARC-08 encoded-word then a comma",
     "=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?=,<second@attack.t>", 0, 40,
     "a name without an address"},
    {"a bare word", "foo", 0, 3, "a name without an address"},
    /* characters that make an address ambiguous */
    {"DKIM-29 backslash between addresses", "admin@p\\,<user@p>", 0, 7, "backslash"},
    {"DMARC-10 backslash after an angle-addr", "<admin@legitimate.t>\\,<second@attack.t>", 0, 20,
     "backslash"},
    {"SPF-19 comment opened in the angle-addr", "<(any@legitimate.t>", 0, 1,
     "unterminated comment"},
    {"SPF-20 comment opened after the domain", "any@legitimate.t(a.attack.t", 0, 16,
     "unterminated comment"},
    {"SPF-20 quote and a second '@'", "<any@legitimate.t'@any.attack.t>", 0, 5, "not a letter"},
    {"DMARC-13 '>' without '<'", "user@example.t>", 0, 14, "'>' without '<'"},
    {"DMARC-13 '<' without '>'", "<user@example.t", 0, 0, "'<' without '>'"},
    {"address as display name", "admin@legitimate.t <x@attack.t>", 0, 19, "'<' after"},
    {"two angle-addrs", "<a@b.t> <c@d.t>", 0, 8, "'<' after"},
    {"two addresses without a comma", "a@b.t c@d.t", 0, 6, "expected ','"},
    {"a group and a mailbox without a comma", "Team: a@b.t; e@f.t", 0, 13, "expected ','"},
    {"')' alone", "a@b.t)", 0, 5, "')' without '('"},
    {"two '@'", "a@b@c.t", 0, 3, "expected ','"},
    {"unterminated quoted-string", "\"abc <a@b.t>", 0, 0, "unterminated quoted-string"},
    {"quoted-pair at the end", "\"abc\\", 0, 4, "quoted-pair"},
    {"comments too deep", "a@b.t ((((((((((((((((((x))))))))))))))))))", 0, 22, "too deep"},
    {"comment with a control byte", "a@b.t (x\x01)", 0, 8, "control character"},
    {"CR that is not folding", "a@b.t\r\n", 0, 5, "line break"},
    {"LF that is not folding", "a\n@b.t", 0, 1, "line break"},
    {"NUL", "a@b.t\0", 6, 5, "control character"},
    /* local-part */
    {"no local-part", "@example.com", 0, 0, "no local-part"},
    {"two words as local-part", "john smith@example.com", 0, 0, "local-part is not"},
    {"leading dot", ".a@b.t", 0, 0, "local-part is not"},
    {"trailing dot in the local-part", "a.@b.t", 0, 0, "local-part is not"},
    {"double dot", "a..b@c.t", 0, 0, "local-part is not"},
    {"invalid UTF-8 in the local-part", "j\xf6rg@example.com", 0, 0, "UTF-8"},
    {"empty angle-addr", "<>", 0, 1, "empty angle-addr"},
    {"angle-addr without '@'", "<user>", 0, 5, "no '@'"},
    /* domain (DMARC-17) */
    {"no domain", "a@", 0, 2, "no domain"},
    {"DMARC-17 two trailing dots", "a@legitimate.t..", 0, 15, "empty label"},
    {"DMARC-17 leading hyphen", "a@-legitimate.t", 0, 2, "'-'"},
    {"DMARC-17 percent-encoded NUL", "a@legitimate.t%00", 0, 2, "not a letter"},
    {"DMARC-17 zero-width space", "a@legitimate\xe2\x80\x8b.t", 0, 2, "A-labels"},
    {"leading dot in the domain", "a@.b.t", 0, 2, "no domain"},
    {"invalid UTF-8 in the domain", "a@b\xff.t", 0, 2, "UTF-8"},
    {"upper-case U-label",
     "a@B\xc3\x9c"
     "CHER.example",
     0, 2, "A-labels"},
    {"soft hyphen in the domain", "a@legiti\xc2\xadmate.t", 0, 2, "A-labels"},
    {"full-width letters in the domain", "a@\xef\xbc\xa1.t", 0, 2, "A-labels"},
    {"label of 64 octets", "a@0123456789012345678901234567890123456789012345678901234567890123.t",
     0, 2, "63"},
    {"domain literal not closed", "a@[192.0.2.1", 0, 2, "unterminated domain literal"},
    {"quoted-pair in a domain literal", "a@[1\\]]", 0, 4, "quoted-pair"},
    {"'[' in a domain literal", "a@[1[2]", 0, 4, "not dtext"},
    /* groups */
    {"group without ';'", "G: a@b.t", 0, 1, "closing ';'"},
    {"group inside a group", "G: H: a@b.t;;", 0, 4, "group inside a group"},
    {"group without a name", ": a@b.t;", 0, 0, "without a display name"},
    {"garbage in a group", "G: a@b.t > ;", 0, 9, "'>' without '<'"},
    /* obs-route */
    {"obs-route without ':'", "<@a.t user@d.t>", 0, 6, "obs-route"},
    {"obs-route without domains", "<,:user@d.t>", 0, 2, "obs-route"},
    {"obs-route of two '@' without ','", "<@a.t@b.t:user@d.t>", 0, 5, "obs-route"},
    /* display names */
    {"display name starting with a dot", ". Joe <a@b.t>", 0, 0, "start with a word"},
};

static void test_address_errors(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(ERR) / sizeof(ERR[0]); i++) {
        const err_case *c = &ERR[i];
        size_t len = c->len ? c->len : strlen(c->text);
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, c->text, len);
        const ms_msg_address_list *list = (const ms_msg_address_list *)1;
        ms_msg_error err;
        ms_status st = ms_msg_address_parse(copy, len, arena, &list, &err);
        EXPECT(st == MS_ESYNTAX, "case %s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        if (st == MS_ESYNTAX) {
            EXPECT(list == NULL, "case %s: got a list on error, want NULL", c->name);
            EXPECT(err.offset == c->want_offset, "case %s: got offset %zu, want %zu", c->name,
                   err.offset, c->want_offset);
            EXPECT(err.reason != NULL && strstr(err.reason, c->want_reason) != NULL,
                   "case %s: got reason \"%s\", want one with \"%s\"", c->name,
                   err.reason ? err.reason : "(null)", c->want_reason);
            EXPECT(err.reason != NULL && strstr(err.reason, "RFC ") != NULL,
                   "case %s: got reason \"%s\", want one citing an RFC", c->name,
                   err.reason ? err.reason : "(null)");
            EXPECT(strlen(err.detail) < sizeof(err.detail) &&
                       strncmp(err.detail, copy + err.offset, strlen(err.detail)) == 0,
                   "case %s: got detail \"%s\", want the text at offset %zu", c->name, err.detail,
                   err.offset);
        }
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* Offsets, lengths, and every member of one mailbox. */
static void test_address_fields(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    const char *t = " Joe (x) <joe@Example.COM> (y), G: b@c.t;";
    const ms_msg_address_list *list;
    ms_msg_error err;
    assert_int_equal(ms_msg_address_parse(t, strlen(t), arena, &list, &err), MS_OK);
    assert_int_equal(list->n_mailboxes, 2);
    assert_int_equal(list->n_groups, 1);
    const ms_msg_mailbox *mb = &list->mailboxes[0];
    assert_string_equal(mb->display, "Joe");
    assert_string_equal(mb->local, "joe");
    assert_string_equal(mb->domain_raw, "Example.COM");
    assert_string_equal(mb->domain, "example.com");
    assert_string_equal(mb->domain_ascii, "example.com");
    assert_null(mb->group);
    assert_int_equal(mb->offset, 1);
    assert_int_equal(mb->length, 25);
    assert_int_equal(mb->flags, MS_MSG_ADDR_COMMENT);
    mb = &list->mailboxes[1];
    assert_null(mb->display);
    assert_string_equal(mb->group, "G");
    assert_int_equal(mb->offset, 35);
    assert_int_equal(mb->length, 5);
    assert_int_equal(mb->flags, MS_MSG_ADDR_IN_GROUP);

    /* List flags: the obsolete empty elements belong to the list, not to a mailbox. */
    assert_int_equal(ms_msg_address_parse(", a@b.t,,", 9, arena, &list, &err), MS_OK);
    assert_int_equal(list->flags, MS_MSG_ADDR_OBS_LIST);
    assert_int_equal(list->mailboxes[0].flags, 0);
    assert_int_equal(ms_msg_address_parse("a@b.t", 5, arena, &list, &err), MS_OK);
    assert_int_equal(list->flags, 0);

    /* Not NUL-terminated: only len bytes are read. */
    char buf[16];
    memcpy(buf, "a@b.tXXXXXXXXXXX", sizeof(buf));
    assert_int_equal(ms_msg_address_parse(buf, 5, arena, &list, NULL), MS_OK);
    assert_string_equal(list->mailboxes[0].domain, "b.t");

    /* err may be NULL; bad arguments. */
    assert_int_equal(ms_msg_address_parse("<", 1, arena, &list, NULL), MS_ESYNTAX);
    assert_int_equal(ms_msg_address_parse(NULL, 1, arena, &list, NULL), MS_EINVAL);
    assert_int_equal(ms_msg_address_parse("a@b.t", 5, NULL, &list, NULL), MS_EINVAL);
    assert_string_equal(ms_msg_addr_flag_name(MS_MSG_ADDR_OBS_ROUTE), "obs-route");
    assert_null(ms_msg_addr_flag_name(0));
    ms_arena_free(arena);
}

/* MS_LIMIT_MSG_ADDRESSES mailboxes parse; one more is MS_ELIMIT at the one past the cap. */
static void test_address_cap(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    size_t n = MS_LIMIT_MSG_ADDRESSES + 1;
    char *buf = malloc(n * 8);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++) {
        memcpy(buf + i * 8, "a@b.t,  ", 8);
    }
    const ms_msg_address_list *list;
    ms_msg_error err;
    assert_int_equal(ms_msg_address_parse(buf, (n - 1) * 8, arena, &list, &err), MS_OK);
    assert_int_equal(list->n_mailboxes, MS_LIMIT_MSG_ADDRESSES);
    assert_int_equal(ms_msg_address_parse(buf, n * 8, arena, &list, &err), MS_ELIMIT);
    assert_null(list);
    assert_int_equal(err.offset, (n - 1) * 8);
    assert_non_null(strstr(err.reason, "MS_LIMIT_MSG_ADDRESSES"));
    free(buf);

    /* Text longer than a field may be is refused before it is read. */
    buf = malloc(MS_LIMIT_MSG_FIELD_BYTES + 1);
    assert_non_null(buf);
    memset(buf, 'a', MS_LIMIT_MSG_FIELD_BYTES + 1);
    memcpy(buf, "x@y.t (", 7);
    assert_int_equal(ms_msg_address_parse(buf, MS_LIMIT_MSG_FIELD_BYTES + 1, arena, &list, &err),
                     MS_ELIMIT);
    assert_non_null(strstr(err.reason, "MS_LIMIT_MSG_FIELD_BYTES"));
    memcpy(buf + MS_LIMIT_MSG_FIELD_BYTES - 1, ")", 1);
    assert_int_equal(ms_msg_address_parse(buf, MS_LIMIT_MSG_FIELD_BYTES, arena, &list, &err),
                     MS_OK);
    free(buf);
    ms_arena_free(arena);
}

/* A full arena is MS_ELIMIT, never a crash or a half list. */
static void test_address_arena_cap(void **state)
{
    (void)state;
    const char *t = "\"Joe Q. Public\" <joe@example.com>, G: a@b\xc3\xbc"
                    "cher.example, "
                    "<@r.t:c@[192.0.2.1]>;";
    unsigned n_ok = 0;
    for (size_t cap = 1; cap < 4096; cap += 13) {
        ms_arena *arena = new_arena(cap);
        const ms_msg_address_list *list = NULL;
        ms_status st = ms_msg_address_parse(t, strlen(t), arena, &list, NULL);
        if (st == MS_OK) {
            assert_int_equal(list->n_mailboxes, 3);
            n_ok++;
        } else {
            assert_int_equal(st, MS_ELIMIT);
            assert_null(list);
        }
        ms_arena_free(arena);
    }
    assert_true(n_ok > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_valid),     cmocka_unit_test(test_address_errors),
        cmocka_unit_test(test_address_fields),    cmocka_unit_test(test_address_cap),
        cmocka_unit_test(test_address_arena_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
