/* SPDX-License-Identifier: MIT */
/* ms__utf8_seq and ms__utf8_valid against RFC 3629 §4's table, its edges and the length bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ms_expect.h"
#include "ms_test_util.h"

#include "base/utf8.h"

typedef struct utf8_case {
    const char *name;
    const char *bytes;
    size_t len;
    size_t want; /* ms__utf8_seq at the start */
} utf8_case;

static const utf8_case CASES[] = {
    {"ASCII", "a", 1, 1},
    {"NUL is ASCII", "\0", 1, 1},
    {"empty", "", 0, 0},
    {"2 bytes U+00E9", "\xc3\xa9", 2, 2},
    {"3 bytes U+20AC", "\xe2\x82\xac", 3, 3},
    {"4 bytes U+1F600", "\xf0\x9f\x98\x80", 4, 4},
    {"U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 4},
    {"past U+10FFFF", "\xf4\x90\x80\x80", 4, 0},
    {"F5 lead", "\xf5\x80\x80\x80", 4, 0},
    {"overlong C0", "\xc0\xaf", 2, 0},
    {"overlong C1", "\xc1\xbf", 2, 0},
    {"overlong E0 80", "\xe0\x80\xaf", 3, 0},
    {"overlong F0 80", "\xf0\x80\x80\xaf", 4, 0},
    {"surrogate ED A0", "\xed\xa0\x80", 3, 0},
    {"last before surrogates ED 9F", "\xed\x9f\xbf", 3, 3},
    {"lone continuation", "\x80", 1, 0},
    {"bad third byte", "\xe2\x82\x41", 3, 0},
    {"cut short by len", "\xe2\x82\xac", 2, 0},
    {"cut short by NUL", "\xe2\x82\0", 3, 0},
};

static void test_seq(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        const utf8_case *c = &CASES[k];
        char *copy = exact(c->bytes, c->len); /* ASan sees any read past len */
        size_t got = ms__utf8_seq(copy, c->len);
        EXPECT(got == c->want, "%s: got %zu, want %zu", c->name, got, c->want);
        bool valid = ms__utf8_valid(copy, c->len);
        bool want_valid = c->want == c->len;
        EXPECT(valid == want_valid, "%s: valid got %d, want %d", c->name, valid, want_valid);
        free(copy);
    }
    static const char MIXED[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80!";
    EXPECT(ms__utf8_valid(MIXED, sizeof MIXED - 1), "a mixed string is valid");
    EXPECT(!ms__utf8_valid("ok\xff", 3), "a bad last byte makes it invalid");
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_seq)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
