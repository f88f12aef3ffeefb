/* SPDX-License-Identifier: MIT */
/* Splitting messages, RFC 5322 §2.1-§2.3, §3.5, §3.6.8, §4.5.8: every case parsed whole and fed
 * in chunks (one byte, and every two-chunk split), which must agree byte for byte; caps,
 * streaming misuse and the arena cap. */
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

typedef struct split_case {
    const char *name;
    const char *msg;
    size_t len;              /* 0 = strlen */
    const char *want_fields; /* rb_fields() */
    size_t want_header_bytes;
    const char *want_flags; /* rb_flags() of the message */
} split_case;

static const split_case CASES[] = {
    /* §2.1, §2.2, §3.5 */
    {"CRLF message", "From: a@b.t\r\nSubject: hi\r\n\r\nbody\r\n", 0,
     "From|From: a@b.t| a@b.t|\nSubject|Subject: hi| hi|\n", 28, "crlf"},
    {"LF message (a file saved on Unix)", "From: a@b.t\nSubject: hi\n\nbody\n", 0,
     "From|From: a@b.t| a@b.t|bare-lf\nSubject|Subject: hi| hi|bare-lf\n", 25,
     "bare-lf,body-bare-lf"},
    {"empty message", "", 0, "", 0, "no-body"},
    {"only the empty line", "\r\n", 0, "", 2, "crlf"},
    {"only an LF", "\n", 0, "", 1, "bare-lf"},
    {"body without header", "\r\nbody", 0, "", 2, "crlf"},
    {"no empty line, terminated", "Subject: x\r\n", 0, "Subject|Subject: x| x|\n", 12,
     "crlf,no-body"},
    {"no empty line, unterminated", "Subject: x", 0, "Subject|Subject: x| x|unterminated\n", 10,
     "unterminated,no-body"},
    {"empty value", "X:\r\n\r\n", 0, "X|X:||\n", 6, "crlf"},
    {"colon in the value", "X: a:b\r\n\r\n", 0, "X|X: a:b| a:b|\n", 10, "crlf"},
    {"value without space", "X:y\r\n\r\n", 0, "X|X:y|y|\n", 7, "crlf"},
    {"body looks like a field", "A: 1\r\n\r\nB: 2\r\n", 0, "A|A: 1| 1|\n", 8, "crlf"},
    {"field names keep their case", "sUbJeCt: x\r\n\r\n", 0, "sUbJeCt|sUbJeCt: x| x|\n", 14,
     "crlf"},
    {"every ftext byte in a name", "!\"#$%&'()*+,-./0123456789;<=>?@AZ[\\]^_`az{|}~: v\r\n\r\n", 0,
     "!\"#$%&'()*+,-./0123456789;<=>?@AZ[\\\\]^_`az{|}~|!\"#$%&'()*+,-./0123456789;<=>?@AZ[\\\\]^_"
     "`az{|}~: v| v|\n",
     52, "crlf"},
    /* §2.2.3 folding and unfolding */
    {"folded with CRLF", "Subject: a\r\n b\r\n\tc\r\n\r\n", 0,
     "Subject|Subject: a\\r\\n b\\r\\n\\tc| a b\\tc|\n", 22, "crlf"},
    {"folded with LF", "Subject: a\n b\n\tc\n\n", 0,
     "Subject|Subject: a\\n b\\n\\tc| a b\\tc|bare-lf\n", 18, "bare-lf"},
    {"DKIM-25 value starts on the next line", "Subject:\r\n foo\r\n\r\n", 0,
     "Subject|Subject:\\r\\n foo| foo|\n", 18, "crlf"},
    {"fold line of only WSP", "A: 1\r\n \r\n b\r\n\r\n", 0,
     "A|A: 1\\r\\n \\r\\n b| 1  b|wsp-line\n", 15, "wsp-line,crlf"},
    {"trailing WSP kept", "A: 1 \t\r\n\r\n", 0, "A|A: 1 \\t| 1 \\t|\n", 10, "crlf"},
    /* §4.5.8 obs-optional: WSP before the colon (DKIM-25, DMARC-02) */
    {"DKIM-25 WSP before the colon", "Subject : x\r\n\r\n", 0,
     "Subject|Subject : x| x|wsp-before-colon\n", 15, "wsp-before-colon,crlf"},
    {"tabs and spaces before the colon", "Subject\t \t: x\r\n\r\n", 0,
     "Subject|Subject\\t \\t: x| x|wsp-before-colon\n", 17, "wsp-before-colon,crlf"},
    /* Lines that are no field (§2.2, §3.6.8): found by name, flagged, the boundary kept */
    {"no colon", "Subject\r\nB: 1\r\n\r\n", 0, "Subject|Subject||malformed\nB|B: 1| 1|\n", 17,
     "malformed,crlf"},
    {"DMARC-04 name, then the colon on a folded line", "From\r\n : <a@b.t>\r\n\r\n", 0,
     "From|From\\r\\n : <a@b.t>| : <a@b.t>|malformed\n", 20, "malformed,crlf"},
    {"empty name", ": x\r\n\r\n", 0, "|: x|: x|malformed\n", 7, "malformed,crlf"},
    {"space inside the name", "Sub ject: x\r\n\r\n", 0, "Sub|Sub ject: x| ject: x|malformed\n", 15,
     "malformed,crlf"},
    {"8-bit byte in the name", "Sub\xffject: x\r\n\r\n", 0,
     "Sub|Sub\\xffject: x|\\xffject: x|malformed,8bit\n", 15, "malformed,8bit,crlf"},
    {"NUL in the name", "From\0: a\r\n\r\n", 12, "From|From\\x00: a|\\x00: a|malformed,nul\n", 12,
     "malformed,nul,crlf"},
    {"continuation before any field", " x: y\r\nA: 1\r\n\r\n", 0,
     "| x: y| x: y|malformed\n"
     "A|A: 1| 1|\n",
     15, "malformed,crlf"},
    /* Bytes kept raw and flagged */
    {"8-bit value", "Subject: caf\xc3\xa9\r\n\r\n", 0,
     "Subject|Subject: caf\\xc3\\xa9| caf\\xc3\\xa9|8bit\n", 18, "8bit,crlf"},
    {"NUL in the value", "Subject: a\0b\r\n\r\n", 16, "Subject|Subject: a\\x00b| a\\x00b|nul\n", 16,
     "nul,crlf"},
    {"control byte in the value", "Subject: a\x01\x7f\r\n\r\n", 0,
     "Subject|Subject: a\\x01\\x7f| a\\x01\\x7f|ctl\n", 16, "ctl,crlf"},
    /* Bare CR and mixed line ends (DKIM-26, MLT-11) */
    {"bare CR in a value", "Subject: a\rb\r\n\r\n", 0, "Subject|Subject: a\\rb| a\\rb|bare-cr\n",
     16, "bare-cr,crlf"},
    {"CR CR LF", "A: 1\r\r\n\r\n", 0, "A|A: 1\\r| 1\\r|bare-cr\n", 9, "bare-cr,crlf"},
    {"DKIM-26 line of bare CR and text", "Subject: x\r\n\r hack\r\n\r\nbody", 0,
     "Subject|Subject: x| x|\n|\\r hack|\\r hack|malformed,bare-cr\n", 22,
     "malformed,bare-cr,crlf"},
    {"a line of one bare CR", "A: 1\r\n\r\r\n\r\n", 0, "A|A: 1| 1|\n|\\r|\\r|malformed,bare-cr\n",
     11, "malformed,bare-cr,crlf"},
    {"bare CR folded", "A: 1\r\n \rx\r\n\r\n", 0, "A|A: 1\\r\\n \\rx| 1 \\rx|bare-cr\n", 13,
     "bare-cr,crlf"},
    {"LF field then CRLF field", "A: 1\r\nB: 2\n\r\nbody", 0, "A|A: 1| 1|\nB|B: 2| 2|bare-lf\n", 13,
     "bare-lf,crlf,mixed-eol"},
    {"LF then a CRLF empty line", "A: 1\n\r\n", 0, "A|A: 1| 1|bare-lf\n", 7,
     "bare-lf,crlf,mixed-eol"},
    {"CRLF then an LF empty line", "A: 1\r\n\nbody", 0, "A|A: 1| 1|\n", 7,
     "bare-lf,crlf,mixed-eol"},
    {"fold with LF in a CRLF field", "A: 1\n b\r\n\r\n", 0, "A|A: 1\\n b| 1 b|bare-lf\n", 11,
     "bare-lf,crlf,mixed-eol"},
    {"CRLF header, LF in the body", "A: 1\r\n\r\nx\ny\r\n", 0, "A|A: 1| 1|\n", 8,
     "crlf,mixed-eol,body-bare-lf"},
    {"MLT-11 LF dot CRLF in the body", "A: 1\r\n\r\na\n.\r\nb\r\n", 0, "A|A: 1| 1|\n", 8,
     "crlf,mixed-eol,dot-line,body-bare-lf"},
    {"MLT-11 CRLF dot LF in the body", "A: 1\r\n\r\na\r\n.\nb\r\n", 0, "A|A: 1| 1|\n", 8,
     "crlf,mixed-eol,dot-line,body-bare-lf"},
    {"dot line with CRLF only is a line", "A: 1\r\n\r\na\r\n.\r\nb\r\n", 0, "A|A: 1| 1|\n", 8,
     "crlf"},
    {"dot line in an LF file is a line", "A: 1\n\na\n.\nb\n", 0, "A|A: 1| 1|bare-lf\n", 6,
     "bare-lf,body-bare-lf"},
    {"dot line right after the header", "A: 1\n\n.\r\n", 0, "A|A: 1| 1|bare-lf\n", 6,
     "bare-lf,crlf,mixed-eol,dot-line"},
    {"a lone WSP line before any field", " \r\n\r\n", 0, "| | |malformed,wsp-line\n", 5,
     "malformed,wsp-line,crlf"},
    {"two dots is no dot line", "A: 1\r\n\r\n..\nx\r\n", 0, "A|A: 1| 1|\n", 8,
     "crlf,mixed-eol,body-bare-lf"},
    {"MLT-11 bare CR in the body", "A: 1\r\n\r\na\rb\r\n", 0, "A|A: 1| 1|\n", 8,
     "crlf,body-bare-cr"},
    {"bare CR ends the body", "A: 1\r\n\r\nx\r", 0, "A|A: 1| 1|\n", 8, "crlf,body-bare-cr"},
    /* The input ends in the middle of a line end */
    {"CR at the end", "A: 1\r", 0, "A|A: 1\\r| 1\\r|bare-cr,unterminated\n", 5,
     "bare-cr,unterminated,no-body"},
    {"CR starting the last line", "A: 1\r\n\r", 0,
     "A|A: 1| 1|\n|\\r|\\r|malformed,bare-cr,unterminated\n", 7,
     "malformed,bare-cr,unterminated,crlf,no-body"},
    {"name at the end", "Subject", 0, "Subject|Subject||malformed,unterminated\n", 7,
     "malformed,unterminated,no-body"},
    {"name and WSP at the end", "Subject ", 0, "Subject|Subject | |malformed,unterminated\n", 8,
     "malformed,unterminated,no-body"},
};

static void stats_flags(const ms_msg *m, render_buf *b)
{
    ms_msg_stats st;
    ms_msg_get_stats(m, &st);
    rb_reset(b);
    rb_flags(b, st.flags, ms_msg_flag_name);
}

/* Feed the message in chunks cut at the given points; the result's fields and stats. */
static ms_msg *feed_chunks(const char *msg, size_t len, const size_t *cuts, size_t n_cuts,
                           ms_arena *arena, size_t *body_start)
{
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_new(NULL, arena, &m), MS_OK);
    size_t from = 0;
    *body_start = SIZE_MAX;
    for (size_t i = 0; i <= n_cuts; i++) {
        size_t to = i < n_cuts ? cuts[i] : len;
        /* An exact-size copy of each chunk so ASan sees a read past it. */
        char *chunk = malloc(to - from + 1);
        assert_non_null(chunk);
        memcpy(chunk, msg + from, to - from);
        size_t body_at = 0;
        assert_int_equal(ms_msg_feed(m, chunk, to - from, &body_at), MS_OK);
        if (body_at < to - from && *body_start == SIZE_MAX) {
            *body_start = from + body_at;
        }
        free(chunk);
        from = to;
    }
    assert_int_equal(ms_msg_end(m), MS_OK);
    return m;
}

/* Member by member: padding bytes in a struct are unspecified. */
static bool same_stats(const ms_msg_stats *a, const ms_msg_stats *b)
{
    return a->header_bytes == b->header_bytes && a->body_bytes == b->body_bytes &&
           a->n_fields == b->n_fields && a->flags == b->flags && a->in_body == b->in_body &&
           a->ended == b->ended && a->header.n_crlf == b->header.n_crlf &&
           a->header.n_bare_lf == b->header.n_bare_lf &&
           a->header.n_bare_cr == b->header.n_bare_cr && a->body.n_crlf == b->body.n_crlf &&
           a->body.n_bare_lf == b->body.n_bare_lf && a->body.n_bare_cr == b->body.n_bare_cr;
}

static void compare(const split_case *c, const char *how, const ms_msg *whole, const ms_msg *fed,
                    size_t body_start)
{
    render_buf a, b;
    rb_fields(&a, whole);
    rb_fields(&b, fed);
    EXPECT(strcmp(a.text, b.text) == 0, "case %s, fed %s: got fields\n%s, want\n%s", c->name, how,
           b.text, a.text);
    ms_msg_stats sa, sb;
    ms_msg_get_stats(whole, &sa);
    ms_msg_get_stats(fed, &sb);
    EXPECT(same_stats(&sa, &sb), "case %s, fed %s: got stats %zu/%zu/%x, want %zu/%zu/%x", c->name,
           how, sb.header_bytes, sb.body_bytes, sb.flags, sa.header_bytes, sa.body_bytes, sa.flags);
    size_t want_start = sa.in_body && sa.body_bytes > 0 ? sa.header_bytes : SIZE_MAX;
    EXPECT(body_start == want_start, "case %s, fed %s: got the body at %zu, want %zu", c->name, how,
           body_start, want_start);
}

static void test_split_cases(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const split_case *c = &CASES[i];
        size_t len = c->len ? c->len : strlen(c->msg);
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, c->msg, len);
        ms_arena *arena = new_arena(0);
        ms_msg *m = NULL;
        ms_msg_error err;
        ms_status st = ms_msg_parse(copy, len, NULL, arena, &m, &err);
        EXPECT(st == MS_OK, "case %s: got %s, want MS_OK", c->name, ms_status_name(st));
        if (st != MS_OK) {
            ms_arena_free(arena);
            free(copy);
            continue;
        }
        render_buf got;
        rb_fields(&got, m);
        EXPECT(strcmp(got.text, c->want_fields) == 0, "case %s: got fields\n%s, want\n%s", c->name,
               got.text, c->want_fields);
        stats_flags(m, &got);
        EXPECT(strcmp(got.text, c->want_flags) == 0, "case %s: got flags %s, want %s", c->name,
               got.text, c->want_flags);
        ms_msg_stats s;
        ms_msg_get_stats(m, &s);
        EXPECT(s.header_bytes == c->want_header_bytes, "case %s: got header_bytes %zu, want %zu",
               c->name, s.header_bytes, c->want_header_bytes);
        EXPECT(s.header_bytes + s.body_bytes == len, "case %s: got %zu + %zu bytes, want %zu",
               c->name, s.header_bytes, s.body_bytes, len);
        size_t body_len = 0;
        const char *body = ms_msg_body(m, &body_len);
        EXPECT(body_len == s.body_bytes && (len == 0 || body == copy + s.header_bytes),
               "case %s: got the body at %td (%zu bytes), want it at %zu, not copied", c->name,
               body - copy, body_len, s.header_bytes);
        /* Each field's raw bytes are the message's bytes at its offset. */
        for (size_t k = 0; k < ms_msg_field_count(m); k++) {
            const ms_msg_field *f = ms_msg_field_at(m, k);
            EXPECT(f->index == k && f->offset + f->raw_len <= len &&
                       memcmp(copy + f->offset, f->raw, f->raw_len) == 0 &&
                       f->raw[f->raw_len] == '\0' && f->value[f->value_len] == '\0',
                   "case %s: field %zu is not the message's bytes at %zu", c->name, k, f->offset);
        }
        /* The same bytes in chunks: one byte at a time, then every two-chunk split. */
        size_t cuts[4096];
        size_t n = len < 4096 ? len : 4096;
        for (size_t k = 0; k + 1 < n; k++) {
            cuts[k] = k + 1;
        }
        size_t body_start;
        ms_msg *fed = feed_chunks(copy, len, cuts, n ? n - 1 : 0, arena, &body_start);
        compare(c, "a byte at a time", m, fed, body_start);
        for (size_t k = 0; k <= len; k++) {
            char how[64];
            snprintf(how, sizeof(how), "cut at %zu", k);
            fed = feed_chunks(copy, len, &k, 1, arena, &body_start);
            compare(c, how, m, fed, body_start);
        }
        ms_arena_free(arena);
        free(copy);
    }
    assert_int_equal(n_bad, 0);
}

/* A long line is flagged, not refused (RFC 5322 §2.1.1 is a MUST for writers). */
static void test_long_line(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    char buf[1100];
    memcpy(buf, "X: ", 3);
    memset(buf + 3, 'a', MS_LIMIT_MSG_LINE - 3);
    memcpy(buf + MS_LIMIT_MSG_LINE, "\r\n\r\n", 4);
    ms_msg *m;
    assert_int_equal(ms_msg_parse(buf, MS_LIMIT_MSG_LINE + 4, NULL, arena, &m, NULL), MS_OK);
    assert_int_equal(ms_msg_field_at(m, 0)->flags, 0);
    memset(buf + 3, 'a', MS_LIMIT_MSG_LINE - 2);
    memcpy(buf + MS_LIMIT_MSG_LINE + 1, "\r\n\r\n", 4);
    assert_int_equal(ms_msg_parse(buf, MS_LIMIT_MSG_LINE + 5, NULL, arena, &m, NULL), MS_OK);
    assert_int_equal(ms_msg_field_at(m, 0)->flags, MS_MSG_LONG_LINE);
    ms_arena_free(arena);
}

/* Caps: fields, field bytes and header bytes give MS_ELIMIT at the byte that passes them,
 * whole or fed; below them everything parses. */
static void test_caps(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    ms_msg_options opt = {0};
    ms_msg *m;
    ms_msg_error err;
    const char *three = "A: 1\r\nB: 2\r\nC: 3\r\n\r\n";

    opt.max_fields = 3;
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_OK);
    opt.max_fields = 2;
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_ELIMIT);
    assert_null(m);
    assert_int_equal(err.offset, 12);
    assert_non_null(strstr(err.reason, "MS_LIMIT_MSG_FIELDS"));

    opt.max_fields = 0;
    opt.max_field_bytes = 4; /* "A: 1" */
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_OK);
    opt.max_field_bytes = 3;
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_ELIMIT);
    assert_int_equal(err.offset, 3);
    assert_string_equal(err.detail, "A: ");

    opt.max_field_bytes = 0;
    opt.max_header_bytes = strlen(three);
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_OK);
    opt.max_header_bytes = strlen(three) - 1;
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_ELIMIT);
    assert_int_equal(err.offset, strlen(three) - 1);
    assert_non_null(strstr(err.reason, "MS_LIMIT_MSG_HEADER_BYTES"));

    /* The policy size only sets a flag. */
    opt.max_header_bytes = 0;
    opt.policy_header_bytes = 12;
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_OK);
    ms_msg_stats s;
    ms_msg_get_stats(m, &s);
    assert_true(s.flags & MS_MSG_OVERSIZE);
    opt.policy_header_bytes = strlen(three);
    assert_int_equal(ms_msg_parse(three, strlen(three), &opt, arena, &m, &err), MS_OK);
    ms_msg_get_stats(m, &s);
    assert_false(s.flags & MS_MSG_OVERSIZE);

    /* Defaults. */
    ms_msg_options_default(&opt);
    assert_int_equal(opt.max_header_bytes, MS_LIMIT_MSG_HEADER_BYTES);
    assert_int_equal(opt.max_fields, MS_LIMIT_MSG_FIELDS);
    assert_int_equal(opt.max_field_bytes, MS_LIMIT_MSG_FIELD_BYTES);
    assert_int_equal(opt.policy_header_bytes, MS_LIMIT_MSG_HEADER_POLICY);
    ms_arena_free(arena);
}

/* The stream API: where the body starts, misuse, a sticky error. */
static void test_stream(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    ms_msg *m;
    size_t at = 99;
    assert_int_equal(ms_msg_new(NULL, arena, &m), MS_OK);
    assert_int_equal(ms_msg_feed(m, "A: 1\r", 5, &at), MS_OK);
    assert_int_equal(at, 5);
    assert_int_equal(ms_msg_field_count(m), 0);
    assert_int_equal(ms_msg_feed(m, "\nB: 2\r\n\r", 8, &at), MS_OK);
    assert_int_equal(at, 8);
    assert_int_equal(ms_msg_field_count(m), 1); /* A is complete: B started */
    ms_msg_stats s;
    ms_msg_get_stats(m, &s);
    assert_false(s.in_body);
    assert_int_equal(ms_msg_feed(m, "\nbody", 5, &at), MS_OK);
    assert_int_equal(at, 1);
    assert_int_equal(ms_msg_field_count(m), 2);
    assert_int_equal(ms_msg_feed(m, "more", 4, &at), MS_OK);
    assert_int_equal(at, 0);
    assert_int_equal(ms_msg_feed(m, NULL, 0, NULL), MS_OK);
    assert_int_equal(ms_msg_end(m), MS_OK);
    ms_msg_get_stats(m, &s);
    assert_true(s.in_body && s.ended);
    assert_int_equal(s.header_bytes, 14);
    assert_int_equal(s.body_bytes, 8);
    size_t len;
    assert_null(ms_msg_body(m, &len)); /* fed: the body was never kept */
    assert_int_equal(len, 8);
    assert_null(ms_msg_last_error(m));
    assert_int_equal(ms_msg_feed(m, "x", 1, NULL), MS_EINVAL);
    assert_int_equal(ms_msg_end(m), MS_EINVAL);

    /* An error sticks. */
    ms_msg_options opt = {0};
    opt.max_fields = 1;
    assert_int_equal(ms_msg_new(&opt, arena, &m), MS_OK);
    assert_int_equal(ms_msg_feed(m, "A: 1\r\nB", 7, &at), MS_ELIMIT);
    assert_int_equal(ms_msg_feed(m, ": 2\r\n", 5, &at), MS_ELIMIT);
    assert_int_equal(ms_msg_end(m), MS_ELIMIT);
    assert_non_null(ms_msg_last_error(m));
    assert_int_equal(ms_msg_last_error(m)->offset, 6);

    assert_int_equal(ms_msg_new(NULL, NULL, &m), MS_EINVAL);
    assert_int_equal(ms_msg_parse(NULL, 1, NULL, arena, &m, NULL), MS_EINVAL);
    assert_int_equal(ms_msg_parse(NULL, 0, NULL, arena, &m, NULL), MS_OK);
    ms_arena_free(arena);
}

/* A full arena is MS_ELIMIT, never a crash or a half message. */
static void test_arena_cap(void **state)
{
    (void)state;
    const char *msg = "From: a@b.t\r\nTo: c@d.t\r\nSubject: a long enough subject to need "
                      "some room\r\n folded\r\n\r\nbody\r\n";
    unsigned n_ok = 0;
    for (size_t cap = 1; cap < 4096; cap += 37) {
        ms_arena *arena = new_arena(cap);
        ms_msg *m = NULL;
        ms_status st = ms_msg_parse(msg, strlen(msg), NULL, arena, &m, NULL);
        if (st == MS_OK) {
            assert_int_equal(ms_msg_field_count(m), 3);
            n_ok++;
        } else {
            assert_int_equal(st, MS_ELIMIT);
            assert_null(m);
        }
        ms_arena_free(arena);
    }
    assert_true(n_ok > 0);
}

static void test_flag_names(void **state)
{
    (void)state;
    assert_string_equal(ms_msg_flag_name(MS_MSG_BARE_CR), "bare-cr");
    assert_string_equal(ms_msg_flag_name(MS_MSG_WSP_BEFORE_COLON), "wsp-before-colon");
    assert_null(ms_msg_flag_name(0));
    assert_null(ms_msg_flag_name(MS_MSG_BARE_CR | MS_MSG_CRLF));
    assert_null(ms_msg_flag_name(1u << 30));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_cases), cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_caps),        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_arena_cap),   cmocka_unit_test(test_flag_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
