/* SPDX-License-Identifier: MIT */
/* Table-driven checks for cmocka tests: EXPECT records a failure with a "got X, want Y"
 * message and goes on, so one run lists every failing case; the test then asserts n_bad == 0.
 * Include after <cmocka.h>. */
#ifndef MS_TEST_EXPECT_H
#define MS_TEST_EXPECT_H

static unsigned n_bad;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            n_bad++;                                                                               \
        }                                                                                          \
    } while (0)

#endif
