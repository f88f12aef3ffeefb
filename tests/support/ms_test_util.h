/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the cmocka unit tests. Include after <cmocka.h>. */
#ifndef MS_TEST_UTIL_H
#define MS_TEST_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailseal/arena.h"

/* An arena with the given cap (0: the default); the test fails if it cannot be made. */
static inline ms_arena *new_arena(size_t cap)
{
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(NULL, cap, &a), MS_OK);
    return a;
}

/* An exact-size heap copy with no NUL after it, so ASan sees any read past the input. */
static inline char *exact(const char *s, size_t len)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    return copy;
}

/* Makes a fresh directory "$TMPDIR/<prefix>-XXXXXX" (/tmp when TMPDIR is unset or empty) and
 * leaves its name in buf; false when it cannot (the name does not fit, mkdtemp failed). */
static inline bool ms_test_tmpdir(const char *prefix, char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    int n = snprintf(buf, len, "%s/%s-XXXXXX", base && *base ? base : "/tmp", prefix);
    return n > 0 && (size_t)n < len && mkdtemp(buf) != NULL;
}

/* Removes a directory made by ms_test_tmpdir that holds one SQLite store, "store.db", with its
 * WAL files (nothing else is removed). */
static inline void ms_test_remove_store_dir(const char *dir)
{
    static const char *const names[] = {"store.db", "store.db-wal", "store.db-shm"};
    char path[600];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        (void)snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
}

#endif
