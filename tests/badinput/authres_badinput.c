/* SPDX-License-Identifier: MIT */
/* Hostile Authentication-Results fields for the reader (RFC 8601 §2.2): bad-inputs DMARC-26
 * (a value that runs into a comment, CVE-2020-12272), fields at and past the byte cap, comments
 * nested thousands deep, NUL bytes in values, comments and quoted-strings, and shapes that would
 * make a naive resynchronising parser quadratic. Each must give a bounded answer with clear
 * problems (offset, reason with its RFC section, printable detail), never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mailseal/authres.h"

#include "base/limits.h"

static ms_arena *arena_new(void)
{
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
    return a;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse an exact-size copy (no NUL after it); check the shape every answer must have. */
static ms_status parse(ms_arena *a, const char *text, size_t len, const ms_authres **out)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    ms_msg_error err;
    double t0 = now_s();
    ms_status st = ms_authres_parse(copy, len, a, out, &err);
    double took = now_s() - t0;
    if (took > 1.0) {
        fail_msg("parse of %zu bytes took %.2f s", len, took);
    }
    if (st == MS_OK) {
        const ms_authres *ar = *out;
        assert_true(ar->n_methods <= MS_LIMIT_AUTHRES_METHODS);
        assert_true(ar->n_problems <= MS_LIMIT_AUTHRES_PROBLEMS);
        for (size_t i = 0; i < ar->n_problems; i++) {
            const ms_authres_problem *p = &ar->problems[i];
            assert_non_null(p->reason);
            assert_non_null(strstr(p->reason, "RFC "));
            assert_true(p->offset <= len);
            assert_true(strlen(p->detail) <= MS_LIMIT_AUTHRES_DETAIL + 3);
            for (const char *q = p->detail; *q; q++) {
                assert_true(*q >= 0x20 && *q < 0x7f);
            }
        }
    } else {
        assert_null(*out);
        assert_non_null(err.reason);
        assert_true(err.offset <= len);
    }
    free(copy);
    return st;
}

static bool has_problem(const ms_authres *ar, const char *reason_part)
{
    for (size_t i = 0; i < ar->n_problems; i++) {
        if (strstr(ar->problems[i].reason, reason_part) != NULL) {
            return true;
        }
    }
    return false;
}

/* bad-inputs DMARC-26: "legitimate.t(.attack.t" is the domain legitimate.t and a comment (an
 * unterminated one, listed as a problem); the attacker's text never joins the value. */
static void DMARC_26(void **state)
{
    (void)state;
    static const struct {
        const char *text, *method, *ptype, *property, *want;
    } rows[] = {
        {"mx.example.com; dkim=pass header.d=legitimate.t(.attack.t", "dkim", "header", "d",
         "legitimate.t"},
        {"mx.example.com; spf=pass smtp.mailfrom=x@legitimate.t(.attack.t", "spf", "smtp",
         "mailfrom", "x@legitimate.t"},
        {"mx.example.com; dkim=pass header.d=legitimate.t(.attack.t); dmarc=pass", "dkim", "header",
         "d", "legitimate.t"},
        {"mx.example.com; dkim=pass header.d=\"legitimate.t\"(.attack.t", "dkim", "header", "d",
         "legitimate.t"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ms_arena *a = arena_new();
        const ms_authres *ar = NULL;
        assert_int_equal(parse(a, rows[i].text, strlen(rows[i].text), &ar), MS_OK);
        assert_true(ar->n_methods >= 1);
        assert_string_equal(ar->methods[0].method, rows[i].method);
        const char *v = ms_authres_prop_get(&ar->methods[0], rows[i].ptype, rows[i].property);
        assert_non_null(v);
        assert_string_equal(v, rows[i].want);
        assert_null(strstr(v, "attack"));
        assert_null(strchr(v, '('));
        ms_arena_free(a);
    }
}

/* At the byte cap a field is read; one byte more is MS_ELIMIT with a reason. */
static void huge_fields(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    size_t cap = MS_LIMIT_AUTHRES_BYTES;
    char *t = malloc(cap + 1);
    assert_non_null(t);
    /* one enormous value */
    const char *head = "mx.example.com; dkim=pass header.d=";
    memcpy(t, head, strlen(head));
    memset(t + strlen(head), 'a', cap + 1 - strlen(head));
    const ms_authres *ar = NULL;
    assert_int_equal(parse(a, t, cap, &ar), MS_OK);
    assert_int_equal(ar->n_methods, 1);
    assert_int_equal(strlen(ms_authres_prop_get(&ar->methods[0], "header", "d")),
                     cap - strlen(head));
    assert_int_equal(parse(a, t, cap + 1, &ar), MS_ELIMIT);
    /* nothing but ';' */
    memcpy(t, "mx.example.com", 14);
    memset(t + 14, ';', cap - 14);
    assert_int_equal(parse(a, t, cap, &ar), MS_OK);
    assert_int_equal(ar->n_methods, 0);
    assert_int_equal(ar->n_problems, 0);
    /* 32,000 broken results: the problem list stops at its cap with a last word */
    for (size_t i = 14; i + 2 <= cap; i += 2) {
        memcpy(t + i, ";x", 2);
    }
    assert_int_equal(parse(a, t, cap, &ar), MS_OK);
    assert_int_equal(ar->n_problems, MS_LIMIT_AUTHRES_PROBLEMS);
    assert_non_null(strstr(ar->problems[MS_LIMIT_AUTHRES_PROBLEMS - 1].reason, "too many"));
    /* ";(" repeated: one comment opening deeper and deeper, never closed */
    for (size_t i = 14; i + 2 <= cap; i += 2) {
        memcpy(t + i, ";(", 2);
    }
    assert_int_equal(parse(a, t, cap, &ar), MS_OK);
    assert_true(has_problem(ar, "comment nested too deep"));
    /* '"' repeated: unterminated quoted-strings */
    for (size_t i = 14; i + 3 <= cap; i += 3) {
        memcpy(t + i, ";a=", 3);
        t[i + 2] = '"';
    }
    assert_int_equal(parse(a, t, cap, &ar), MS_OK);
    /* methods past the cap */
    ms_arena_reset(a);
    size_t len = 14;
    for (unsigned i = 0; i < 2 * MS_LIMIT_AUTHRES_METHODS; i++) {
        memcpy(t + len, "; spf=pass", 10);
        len += 10;
    }
    assert_int_equal(parse(a, t, len, &ar), MS_ELIMIT);
    free(t);
    ms_arena_free(a);
}

/* Comments nested thousands deep: a problem at the depth cap, the rest read from the next ';'. */
static void deep_comments(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    size_t n = 20000;
    char *t = malloc(2 * n + 200);
    assert_non_null(t);
    size_t len = 0;
    const char *head = "mx.example.com; dkim=pass ";
    memcpy(t, head, strlen(head));
    len = strlen(head);
    memset(t + len, '(', n);
    len += n;
    memset(t + len, ')', n);
    len += n;
    const char *tail = " header.d=a.example; spf=pass smtp.mailfrom=b.example";
    memcpy(t + len, tail, strlen(tail));
    len += strlen(tail);
    const ms_authres *ar = NULL;
    assert_int_equal(parse(a, t, len, &ar), MS_OK);
    assert_true(has_problem(ar, "nested too deep"));
    assert_int_equal(ar->n_methods, 2);
    assert_string_equal(ar->methods[1].method, "spf");
    assert_string_equal(ms_authres_prop_get(&ar->methods[1], "smtp", "mailfrom"), "b.example");
    /* exactly the cap is read, the comment kept */
    len = strlen(head);
    memset(t + len, '(', MS_LIMIT_AUTHRES_COMMENT_DEPTH);
    len += MS_LIMIT_AUTHRES_COMMENT_DEPTH;
    memset(t + len, ')', MS_LIMIT_AUTHRES_COMMENT_DEPTH);
    len += MS_LIMIT_AUTHRES_COMMENT_DEPTH;
    memcpy(t + len, tail, strlen(tail));
    len += strlen(tail);
    assert_int_equal(parse(a, t, len, &ar), MS_OK);
    assert_int_equal(ar->n_problems, 0);
    assert_non_null(ar->methods[0].comment);
    assert_string_equal(ms_authres_prop_get(&ar->methods[0], "header", "d"), "a.example");
    /* only opening parentheses, never closed */
    len = strlen(head);
    memset(t + len, '(', n);
    len += n;
    assert_int_equal(parse(a, t, len, &ar), MS_OK);
    assert_true(ar->n_problems >= 1);
    free(t);
    ms_arena_free(a);
}

/* NUL bytes: a value stops at one and the rest is a listed problem; comments show '?'; a NUL in
 * a quoted-string is a problem; the authserv-id cannot start with one. */
static void nul_bytes(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    const ms_authres *ar = NULL;
    static const char v[] = "mx.example.com; spf=pass smtp.mailfrom=a\0b.example; dkim=pass "
                            "header.d=c.example";
    assert_int_equal(parse(a, v, sizeof(v) - 1, &ar), MS_OK);
    assert_int_equal(ar->n_methods, 2);
    assert_string_equal(ms_authres_prop_get(&ar->methods[0], "smtp", "mailfrom"), "a");
    assert_true(ar->n_problems >= 1);
    assert_int_equal(ar->problems[0].detail[0], '?');
    assert_string_equal(ms_authres_prop_get(&ar->methods[1], "header", "d"), "c.example");

    static const char c[] = "mx.example.com; dkim=pass (a\0b) header.d=c.example";
    assert_int_equal(parse(a, c, sizeof(c) - 1, &ar), MS_OK);
    assert_string_equal(ar->methods[0].comment, "a?b");
    assert_int_equal(ar->n_problems, 0);

    static const char q[] = "mx.example.com; dkim=fail reason=\"a\0b\"; spf=pass";
    assert_int_equal(parse(a, q, sizeof(q) - 1, &ar), MS_OK);
    assert_true(has_problem(ar, "control character"));
    assert_int_equal(ar->n_methods, 2);
    assert_null(ar->methods[0].reason);

    static const char id[] = "\0mx.example.com; spf=pass";
    assert_int_equal(parse(a, id, sizeof(id) - 1, &ar), MS_ESYNTAX);

    static const char all_nul[64] = {0};
    assert_int_equal(parse(a, all_nul, sizeof(all_nul), &ar), MS_ESYNTAX);
    ms_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(DMARC_26),
        cmocka_unit_test(huge_fields),
        cmocka_unit_test(deep_comments),
        cmocka_unit_test(nul_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
