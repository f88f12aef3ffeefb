/* SPDX-License-Identifier: MIT */
/* Arenas (design.md section 5): the byte cap is MS_ELIMIT, a failing allocator is MS_ENOMEM
 * at every possible point (curl's torture mode), reset keeps one block, nothing leaks. */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mailseal/arena.h"

#include "base/limits.h"

/* ---- a torture allocator: fails the Nth call (or every call from the Nth on) -------------- */

typedef struct torture {
    size_t calls;   /* allocations asked for so far */
    size_t fail_at; /* 1-based call that fails; 0 = never */
    int fail_after; /* also fail every later call */
    long live;      /* blocks handed out and not released */
} torture;

static void *torture_alloc(void *user, size_t size)
{
    torture *t = user;
    t->calls++;
    if (t->fail_at && (t->calls == t->fail_at || (t->fail_after && t->calls > t->fail_at))) {
        return NULL;
    }
    void *p = malloc(size);
    if (p) {
        t->live++;
    }
    return p;
}

static void torture_release(void *user, void *ptr)
{
    torture *t = user;
    if (ptr) {
        t->live--;
    }
    free(ptr);
}

/* ---- basics ------------------------------------------------------------------------------ */

static void test_alloc_basics(void **state)
{
    (void)state;
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
    assert_int_equal(ms_arena_status(a), MS_OK);
    assert_int_equal(ms_arena_used(a), 0);
    /* Alignment for any type, even after odd sizes. */
    static const size_t sizes[] = {1, 3, 7, 16, 17, 100, 0, 1000, 5};
    size_t used = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *p = ms_arena_alloc(a, sizes[i]);
        assert_non_null(p);
        if ((uintptr_t)p % alignof(max_align_t) != 0) {
            fail_msg("size %zu: got address %p, want aligned to %zu", sizes[i], (void *)p,
                     alignof(max_align_t));
        }
        memset(p, 0xa5, sizes[i]);
        used += sizes[i] ? sizes[i] : 1; /* a zero-byte request still takes one */
    }
    assert_int_equal(ms_arena_used(a), used);
    /* strndup copies exactly len bytes (NULs included) and adds a NUL. */
    char *s = ms_arena_strndup(a, "ab\0cd", 5);
    assert_non_null(s);
    assert_memory_equal(s, "ab\0cd", 6);
    char *t = ms_arena_strdup(a, "hello");
    assert_string_equal(t, "hello");
    char *e = ms_arena_strndup(a, NULL, 0);
    assert_string_equal(e, "");
    ms_arena_free(a);
    ms_arena_free(NULL);
}

/* Allocations that span many blocks keep their contents apart. */
static void test_many_blocks(void **state)
{
    (void)state;
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
    enum { N = 200 };
    unsigned char *ptrs[N];
    size_t lens[N];
    for (size_t i = 0; i < N; i++) {
        lens[i] = 1 + (i * 997) % (3 * MS_LIMIT_ARENA_BLOCK);
        ptrs[i] = ms_arena_alloc(a, lens[i]);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], (int)(i & 0xff), lens[i]);
    }
    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < lens[i]; k += 97) {
            if (ptrs[i][k] != (unsigned char)(i & 0xff)) {
                fail_msg("allocation %zu byte %zu: got %u, want %zu", i, k, ptrs[i][k], i & 0xff);
            }
        }
    }
    ms_arena_free(a);
}

/* ---- the cap ----------------------------------------------------------------------------- */

typedef struct cap_case {
    const char *name;
    size_t cap;
    size_t sizes[4];
    size_t n;
    int want_ok[4];
} cap_case;

static const cap_case cap_cases[] = {
    {"fits exactly", 100, {60, 40}, 2, {1, 1}},
    {"one byte over", 100, {60, 41}, 2, {1, 0}},
    {"failure does not spend the cap", 100, {60, 50, 40}, 3, {1, 0, 1}},
    {"larger than the cap at once", 100, {101}, 1, {0}},
    {"SIZE_MAX does not wrap", 100, {10, SIZE_MAX}, 2, {1, 0}},
    {"SIZE_MAX minus used does not wrap", 1000, {999, SIZE_MAX - 998}, 2, {1, 0}},
    {"larger than a block within the cap",
     4 * MS_LIMIT_ARENA_BLOCK,
     {MS_LIMIT_ARENA_BLOCK * 3},
     1,
     {1}},
    {"cap smaller than a block", 10, {4, 4, 4}, 3, {1, 1, 0}},
};

static void test_cap(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(cap_cases) / sizeof(cap_cases[0]); i++) {
        const cap_case *c = &cap_cases[i];
        ms_arena *a = NULL;
        assert_int_equal(ms_arena_new(NULL, c->cap, &a), MS_OK);
        int any_failed = 0;
        for (size_t k = 0; k < c->n; k++) {
            void *p = ms_arena_alloc(a, c->sizes[k]);
            if ((p != NULL) != c->want_ok[k]) {
                print_error("%s: allocation %zu of %zu: got %s, want %s\n", c->name, k, c->sizes[k],
                            p ? "memory" : "NULL", c->want_ok[k] ? "memory" : "NULL");
                failures++;
            }
            if (p == NULL) {
                any_failed = 1;
            }
            if (ms_arena_used(a) > c->cap) {
                print_error("%s: used %zu passes the cap %zu\n", c->name, ms_arena_used(a), c->cap);
                failures++;
            }
        }
        ms_status want = any_failed ? MS_ELIMIT : MS_OK;
        if (ms_arena_status(a) != want) {
            print_error("%s: got status %s, want %s\n", c->name, ms_status_name(ms_arena_status(a)),
                        ms_status_name(want));
            failures++;
        }
        ms_arena_free(a);
    }
    assert_int_equal(failures, 0);
}

static void test_cap_strndup(void **state)
{
    (void)state;
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(NULL, 16, &a), MS_OK);
    assert_null(ms_arena_strndup(a, "0123456789abcdef", 16)); /* needs 17 with the NUL */
    assert_int_equal(ms_arena_status(a), MS_ELIMIT);
    assert_null(ms_arena_strndup(a, "x", SIZE_MAX));
    assert_int_equal(ms_arena_status(a), MS_ELIMIT);
    assert_non_null(ms_arena_strndup(a, "0123456789abcde", 15));
    ms_arena_free(a);
}

/* ---- reset ------------------------------------------------------------------------------- */

static void test_reset(void **state)
{
    (void)state;
    torture t = {0};
    ms_allocator al = {torture_alloc, torture_release, &t};
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(&al, 1000, &a), MS_OK);
    ms_arena_reset(a); /* nothing allocated yet */
    assert_non_null(ms_arena_alloc(a, 600));
    assert_null(ms_arena_alloc(a, 600));
    assert_int_equal(ms_arena_status(a), MS_ELIMIT);
    ms_arena_reset(a);
    assert_int_equal(ms_arena_status(a), MS_OK);
    assert_int_equal(ms_arena_used(a), 0);
    assert_non_null(ms_arena_alloc(a, 600)); /* the cap is whole again */

    /* After a reset one block is kept: the next small allocations need no allocator call. */
    ms_arena *b = NULL;
    assert_int_equal(ms_arena_new(&al, 0, &b), MS_OK);
    for (int i = 0; i < 100; i++) {
        assert_non_null(ms_arena_alloc(b, 1000)); /* several blocks */
    }
    long live_before = t.live;
    ms_arena_reset(b);
    assert_true(t.live < live_before);
    size_t calls = t.calls;
    char *p = ms_arena_alloc(b, 100);
    assert_non_null(p);
    memset(p, 1, 100);
    assert_int_equal(t.calls, calls);
    ms_arena_free(a);
    ms_arena_free(b);
    assert_int_equal(t.live, 0);
    ms_arena_reset(NULL);
}

/* ---- torture: fail each allocation in turn ----------------------------------------------- */

/* Allocate a mix of sizes through several blocks; returns allocations that failed. */
static size_t workload(ms_arena *a)
{
    size_t failed = 0;
    for (size_t i = 0; i < 64; i++) {
        size_t size = (i % 7 == 0) ? 3 * MS_LIMIT_ARENA_BLOCK : 1 + i * 37;
        unsigned char *p = ms_arena_alloc(a, size);
        if (p == NULL) {
            if (ms_arena_status(a) != MS_ENOMEM) {
                fail_msg("allocation %zu: got status %s, want MS_ENOMEM", i,
                         ms_status_name(ms_arena_status(a)));
            }
            failed++;
            continue;
        }
        memset(p, 0x5a, size);
    }
    if (ms_arena_strdup(a, "text") == NULL) {
        failed++;
    }
    return failed;
}

static void test_torture(void **state)
{
    (void)state;
    /* A clean run tells how many allocator calls there are to fail. */
    torture clean = {0};
    ms_allocator al = {torture_alloc, torture_release, &clean};
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(&al, 0, &a), MS_OK);
    assert_int_equal(workload(a), 0);
    ms_arena_free(a);
    assert_int_equal(clean.live, 0);
    size_t total = clean.calls;
    assert_true(total > 3);

    for (int after = 0; after <= 1; after++) {
        for (size_t n = 1; n <= total + 1; n++) {
            torture t = {0, n, after, 0};
            al.user = &t;
            a = NULL;
            ms_status st = ms_arena_new(&al, 0, &a);
            if (n == 1) {
                if (st != MS_ENOMEM || a != NULL) {
                    fail_msg("fail at 1: got %s, want MS_ENOMEM and no arena", ms_status_name(st));
                }
                assert_int_equal(t.live, 0);
                continue;
            }
            assert_int_equal(st, MS_OK);
            size_t failed = workload(a);
            if (n <= total && failed == 0) {
                fail_msg("fail at %zu (after=%d): got no failed allocation, want one", n, after);
            }
            if (n > total && failed != 0) {
                fail_msg("fail at %zu: got %zu failures past the last call", n, failed);
            }
            ms_arena_free(a);
            if (t.live != 0) {
                fail_msg("fail at %zu (after=%d): got %ld blocks leaked, want 0", n, after, t.live);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_basics), cmocka_unit_test(test_many_blocks),
        cmocka_unit_test(test_cap),          cmocka_unit_test(test_cap_strndup),
        cmocka_unit_test(test_reset),        cmocka_unit_test(test_torture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
