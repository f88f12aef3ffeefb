/* SPDX-License-Identifier: MIT */
/* Capped builders (design.md section 5): appending past the cap is MS_ELIMIT and never a
 * truncated result; an allocator failure is MS_ENOMEM; the status sticks until checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/arena.h"

#include "base/buf.h"

typedef struct torture {
    size_t calls, fail_at;
    long live;
} torture;

static void *torture_alloc(void *user, size_t size)
{
    torture *t = user;
    if (++t->calls == t->fail_at) {
        return NULL;
    }
    void *p = malloc(size);
    t->live += p != NULL;
    return p;
}

static void torture_release(void *user, void *ptr)
{
    torture *t = user;
    t->live -= ptr != NULL;
    free(ptr);
}

static void test_build(void **state)
{
    (void)state;
    ms_arena *a = NULL;
    ms__buf b;
    assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
    ms__buf_init(&b, a, 1024);
    assert_string_equal(ms__buf_str(&b), ""); /* never NULL, even before the first append */
    ms__buf_puts(&b, "v=spf1");
    ms__buf_putc(&b, ' ');
    ms__buf_append(&b, "ip4:192.0.2.1xyz", 13);
    ms__buf_printf(&b, " %s:%u", "a", 24u);
    ms__buf_append(&b, "", 0);
    assert_int_equal(ms__buf_status(&b), MS_OK);
    assert_string_equal(ms__buf_str(&b), "v=spf1 ip4:192.0.2.1 a:24");
    assert_int_equal(b.len, strlen("v=spf1 ip4:192.0.2.1 a:24"));

    /* Growth through many appends keeps every byte. */
    ms__buf_init(&b, a, 100000);
    for (int i = 0; i < 10000; i++) {
        ms__buf_putc(&b, (char)('a' + i % 26));
    }
    assert_int_equal(ms__buf_status(&b), MS_OK);
    assert_int_equal(b.len, 10000);
    for (size_t i = 0; i < 10000; i++) {
        if (b.data[i] != (char)('a' + i % 26)) {
            fail_msg("byte %zu: got %c, want %c", i, b.data[i], (char)('a' + i % 26));
        }
    }
    assert_int_equal(b.data[10000], '\0');

    char *p = ms__arena_printf(a, "%s=%d", "n", 42);
    assert_string_equal(p, "n=42");
    p = ms__arena_printf(a, "%s", "");
    assert_non_null(p);
    assert_string_equal(p, "");
    ms_arena_free(a);
}

typedef struct cap_case {
    const char *name;
    size_t cap;
    const char *parts[4];
    ms_status want;
    size_t want_len; /* bytes kept */
} cap_case;

static const cap_case cap_cases[] = {
    {"fits exactly", 10, {"12345", "67890"}, MS_OK, 10},
    {"one byte over", 10, {"12345", "678901"}, MS_ELIMIT, 5},
    {"first append over", 3, {"abcd"}, MS_ELIMIT, 0},
    {"status sticks: later small appends do nothing", 4, {"abc", "de", "f"}, MS_ELIMIT, 3},
    {"zero cap", 0, {"x"}, MS_ELIMIT, 0},
    {"zero cap, empty append", 0, {""}, MS_OK, 0},
};

static void test_cap(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(cap_cases) / sizeof(cap_cases[0]); i++) {
        const cap_case *c = &cap_cases[i];
        ms_arena *a = NULL;
        ms__buf b;
        assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
        ms__buf_init(&b, a, c->cap);
        for (size_t k = 0; k < 4 && c->parts[k]; k++) {
            ms__buf_puts(&b, c->parts[k]);
        }
        ms_status st = ms__buf_status(&b);
        if (st != c->want || b.len != c->want_len) {
            print_error("%s: got %s with %zu bytes, want %s with %zu\n", c->name,
                        ms_status_name(st), b.len, ms_status_name(c->want), c->want_len);
            failures++;
        }
        /* A failed builder never hands out a truncated text. */
        if (st != MS_OK && strcmp(ms__buf_str(&b), "") != 0) {
            print_error("%s: got text \"%s\" after failure, want \"\"\n", c->name, ms__buf_str(&b));
            failures++;
        }
        ms_arena_free(a);
    }
    assert_int_equal(failures, 0);
}

static void test_printf_cap(void **state)
{
    (void)state;
    ms_arena *a = NULL;
    ms__buf b;
    assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
    ms__buf_init(&b, a, 8);
    ms__buf_printf(&b, "%d", 1234567);
    assert_int_equal(ms__buf_status(&b), MS_OK);
    ms__buf_printf(&b, "%d", 89);
    assert_int_equal(ms__buf_status(&b), MS_ELIMIT);
    assert_string_equal(ms__buf_str(&b), "");
    ms_arena_free(a);
}

/* The arena's own cap under the builder's: still MS_ELIMIT. */
static void test_arena_cap_under_buf(void **state)
{
    (void)state;
    ms_arena *a = NULL;
    ms__buf b;
    assert_int_equal(ms_arena_new(NULL, 100, &a), MS_OK);
    ms__buf_init(&b, a, 1000);
    char big[200];
    memset(big, 'z', sizeof(big));
    ms__buf_append(&b, big, sizeof(big));
    assert_int_equal(ms__buf_status(&b), MS_ELIMIT);
    assert_null(ms__arena_printf(a, "%s",
                                 "this does not fit in what is left of a 100 byte arena "
                                 "once the builder has taken its share of it, surely"));
    ms_arena_free(a);
}

/* Fail each allocator call in turn: MS_ENOMEM, no crash, no leak. */
static void test_torture(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t n = 0;; n++) {
        torture t = {0, n, 0};
        ms_allocator al = {torture_alloc, torture_release, &t};
        ms_arena *a = NULL;
        ms_status st = ms_arena_new(&al, 0, &a);
        if (st != MS_OK) {
            assert_int_equal(st, MS_ENOMEM);
            assert_int_equal(t.live, 0);
            continue;
        }
        ms__buf b;
        ms__buf_init(&b, a, 1u << 20);
        for (int i = 0; i < 2000; i++) {
            ms__buf_printf(&b, "line %d of the torture text\n", i);
        }
        st = ms__buf_status(&b);
        if (n == 0) {
            assert_int_equal(st, MS_OK);
            total = t.calls;
        } else if (n <= total && st != MS_ENOMEM) {
            fail_msg("fail at %zu: got %s, want MS_ENOMEM", n, ms_status_name(st));
        }
        ms_arena_free(a);
        if (t.live != 0) {
            fail_msg("fail at %zu: got %ld blocks leaked, want 0", n, t.live);
        }
        if (n > total) {
            break;
        }
    }
    assert_true(total > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),      cmocka_unit_test(test_cap),
        cmocka_unit_test(test_printf_cap), cmocka_unit_test(test_arena_cap_under_buf),
        cmocka_unit_test(test_torture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
