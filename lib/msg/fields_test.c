/* SPDX-License-Identifier: MIT */
/* Reading a split message: fields by name top-down and bottom-up (RFC 6376 §5.4.2), whether
 * the boundary is ambiguous (RFC 5322 §2.3), and the author (RFC 5322 §3.6.2, RFC 7489
 * §6.6.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/msg.h"

#include "ms_expect.h"

static ms_arena *new_arena(void)
{
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
    return a;
}

static ms_msg *parse(ms_arena *arena, const char *text)
{
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_parse(text, strlen(text), NULL, arena, &m, NULL), MS_OK);
    return m;
}

static void test_lookups(void **state)
{
    (void)state;
    ms_arena *arena = new_arena();
    ms_msg *m = parse(arena, "Received: 1\r\nfrom: a@b.t\r\nSubject: s1\r\nReceived: 2\r\n"
                             "FROM : c@d.t\r\nX-Other: x\r\nsubject: s2\r\nFrom\r\n\r\nbody");
    assert_int_equal(ms_msg_field_count(m), 8);
    assert_null(ms_msg_field_at(m, 8));
    assert_int_equal(ms_msg_count(m, "From", 4), 3); /* the malformed one too */
    assert_int_equal(ms_msg_count(m, "SUBJECT", 7), 2);
    assert_int_equal(ms_msg_count(m, "Received", 8), 2);
    assert_int_equal(ms_msg_count(m, "Fro", 3), 0);
    assert_int_equal(ms_msg_count(m, "From:", 5), 0);
    assert_int_equal(ms_msg_count(m, "", 0), 0);

    /* Top-down. */
    const ms_msg_field *f = ms_msg_next(m, "from", 4, NULL);
    assert_int_equal(f->index, 1);
    f = ms_msg_next(m, "from", 4, f);
    assert_int_equal(f->index, 4);
    assert_true(f->flags & MS_MSG_WSP_BEFORE_COLON);
    f = ms_msg_next(m, "from", 4, f);
    assert_int_equal(f->index, 7);
    assert_true(f->flags & MS_MSG_MALFORMED);
    assert_null(ms_msg_next(m, "from", 4, f));

    /* Bottom-up, as DKIM picks instances for h= (RFC 6376 §5.4.2). */
    f = ms_msg_prev(m, "Subject", 7, NULL);
    assert_string_equal(f->value, " s2");
    f = ms_msg_prev(m, "Subject", 7, f);
    assert_string_equal(f->value, " s1");
    assert_null(ms_msg_prev(m, "Subject", 7, f));
    f = ms_msg_prev(m, "Received", 8, ms_msg_field_at(m, 3));
    assert_int_equal(f->index, 0);

    /* A field of another message is refused, not trusted. */
    ms_msg *other = parse(arena, "From: x@y.t\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
    assert_null(ms_msg_next(m, "From", 4, ms_msg_field_at(other, 3)));
    assert_null(ms_msg_prev(m, "From", 4, ms_msg_field_at(other, 0)));
    ms_arena_free(arena);
}

typedef struct amb_case {
    const char *name;
    const char *msg;
    const char *want; /* a substring of the reason; NULL for no ambiguity */
} amb_case;

static const amb_case AMB[] = {
    {"CRLF message", "A: 1\r\n\r\nbody\r\n.\r\n", NULL},
    {"LF message", "A: 1\n\nbody\n.\n", NULL},
    {"no body", "A: 1\r\n", NULL},
    {"obs WSP before the colon", "Subject : 1\r\n\r\n", NULL},
    {"bare CR in a field", "A: 1\r2\r\n\r\n", "bare CR in the header"},
    {"bare CR line", "A: 1\r\n\r hack\r\n\r\n", "bare CR in the header"},
    {"no colon", "A\r\n\r\n", "not a field"},
    {"mixed", "A: 1\r\nB: 2\n\r\n", "mixed"},
    {"dot line", "A: 1\r\n\r\nx\n.\r\n", "mixed"},
    {"bare CR in the body", "A: 1\r\n\r\nx\ry\r\n", "bare CR in the body"},
};

static void test_ambiguity(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena();
    for (size_t i = 0; i < sizeof(AMB) / sizeof(AMB[0]); i++) {
        const amb_case *c = &AMB[i];
        ms_msg *m = parse(arena, c->msg);
        const char *got = ms_msg_ambiguity(m);
        ms_msg_stats s;
        ms_msg_get_stats(m, &s);
        if (c->want == NULL) {
            EXPECT(got == NULL && (s.flags & MS_MSG_AMBIGUOUS) == 0,
                   "case %s: got \"%s\", want no ambiguity", c->name, got ? got : "");
        } else {
            EXPECT(got != NULL && strstr(got, c->want) != NULL && strstr(got, "RFC 5322") &&
                       (s.flags & MS_MSG_AMBIGUOUS) != 0,
                   "case %s: got \"%s\", want one with \"%s\"", c->name, got ? got : "(null)",
                   c->want);
        }
    }
    /* The DOT_LINE reason alone. */
    ms_msg *m = parse(arena, "A: 1\n\n.\r\n");
    ms_msg_stats s;
    ms_msg_get_stats(m, &s);
    assert_true(s.flags & MS_MSG_DOT_LINE);
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

typedef struct author_case {
    const char *name;
    const char *msg;
    const char *want_domain; /* NULL when refused */
    const char *want_reason; /* substring, when refused */
    size_t want_offset;      /* in the message, when refused */
} author_case;

static const author_case AUTHOR[] = {
    {"one mailbox", "From: Joe <joe@Example.COM>\r\n\r\n", "example.com", NULL, 0},
    {"LF file", "Subject: x\nFrom: a@b.t\n\nbody\n", "b.t", NULL, 0},
    {"folded From", "From: Joe\r\n <joe@example.com>\r\n\r\n", "example.com", NULL, 0},
    {"obs WSP before the colon", "From : a@b.t\r\n\r\n", "b.t", NULL, 0},
    {"lower-case name", "from: a@b.t\r\n\r\n", "b.t", NULL, 0},
    {"Sender is never used", "Sender: a@b.t\r\n\r\n", NULL, "no From field", 0},
    {"two From fields", "From: a@b.t\r\nTo: x@y.t\r\nFrom: c@d.t\r\n\r\n", NULL,
     "more than one From field", 24},
    {"malformed From", "From\r\n : a@b.t\r\n\r\n", NULL, "malformed", 0},
    {"group", "From: undisclosed-recipients:;\r\n\r\n", NULL, "group", 0},
    {"two mailboxes", "From: a@b.t, c@d.t\r\n\r\n", NULL, "more than one mailbox", 13},
    {"syntax error offset in the message", "To: x@y.t\r\nFrom: a@b.t\r\n\t(c\r\n\r\n", NULL,
     "unterminated comment", 25},
};

static void test_author(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena();
    for (size_t i = 0; i < sizeof(AUTHOR) / sizeof(AUTHOR[0]); i++) {
        const author_case *c = &AUTHOR[i];
        ms_msg *m = parse(arena, c->msg);
        const ms_msg_mailbox *mb = NULL;
        ms_msg_error err;
        ms_status st = ms_msg_author(m, arena, &mb, &err);
        if (c->want_domain != NULL) {
            EXPECT(st == MS_OK && mb != NULL && strcmp(mb->domain, c->want_domain) == 0,
                   "case %s: got %s (%s), want the author at %s", c->name, ms_status_name(st),
                   err.reason ? err.reason : (mb ? mb->domain : ""), c->want_domain);
        } else {
            EXPECT(st == MS_ESYNTAX && mb == NULL && err.reason != NULL &&
                       strstr(err.reason, c->want_reason) != NULL,
                   "case %s: got %s (%s), want MS_ESYNTAX with \"%s\"", c->name, ms_status_name(st),
                   err.reason ? err.reason : "(null)", c->want_reason);
            EXPECT(err.offset == c->want_offset, "case %s: got offset %zu, want %zu", c->name,
                   err.offset, c->want_offset);
        }
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_ambiguity),
        cmocka_unit_test(test_author),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
