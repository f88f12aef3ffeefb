/* SPDX-License-Identifier: MIT */
/* Base64, RFC 4648: the §10 test vectors both ways, FWS skipped as RFC 6376 §3.5 allows, and
 * every decoding error with its offset and reason; caps on both sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base64.h"

#include "ms_expect.h"

/* RFC 4648 §10 */
static const struct {
    const char *plain, *b64;
} RFC_VECTORS[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(RFC_VECTORS) / sizeof(RFC_VECTORS[0]); i++) {
        const char *plain = RFC_VECTORS[i].plain, *b64 = RFC_VECTORS[i].b64;
        char enc[32];
        size_t enc_len = 99;
        ms_status st =
            ms__base64_encode((const uint8_t *)plain, strlen(plain), enc, sizeof(enc), &enc_len);
        EXPECT(st == MS_OK && strcmp(enc, b64) == 0 && enc_len == strlen(b64),
               "encode %s: got %s %s, want %s", plain, ms_status_name(st), enc, b64);
        EXPECT(ms__base64_encoded_len(strlen(plain)) == strlen(b64), "encoded_len %s: got %zu",
               plain, ms__base64_encoded_len(strlen(plain)));

        uint8_t dec[32];
        size_t dec_len = 99;
        ms__base64_error err = {0, NULL};
        st = ms__base64_decode(b64, strlen(b64), 0, dec, sizeof(dec), &dec_len, &err);
        EXPECT(st == MS_OK && dec_len == strlen(plain) && memcmp(dec, plain, dec_len) == 0,
               "decode %s: got %s (%s) len %zu, want %s", b64, ms_status_name(st),
               err.reason ? err.reason : "", dec_len, plain);
        EXPECT(ms__base64_decoded_max(strlen(b64)) >= strlen(plain), "decoded_max %s", b64);
    }
    assert_int_equal(n_bad, 0);
}

/* RFC 6376 §3.5: b=, bh= and p= may be folded; the whitespace carries no data. */
static void test_fws(void **state)
{
    (void)state;
    static const struct {
        const char *name, *in, *want;
    } CASES[] = {
        {"spaces between quanta", "Zm9v YmFy", "foobar"},
        {"folded line", "Zm9vY\r\n mFy", "foobar"},
        {"tab and bare LF", "Z\tm9\nvYg==", "foob"},
        {"inside the padding", "Zm9vYg= =", "foob"},
        {"before and after", " \t Zm8= \r\n ", "fo"},
        {"only whitespace", " \r\n\t", ""},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        uint8_t dec[32];
        size_t dec_len = 0;
        ms__base64_error err = {0, NULL};
        ms_status st = ms__base64_decode(CASES[i].in, strlen(CASES[i].in), MS__BASE64_SKIP_FWS, dec,
                                         sizeof(dec), &dec_len, &err);
        EXPECT(st == MS_OK && dec_len == strlen(CASES[i].want) &&
                   memcmp(dec, CASES[i].want, dec_len) == 0,
               "%s: got %s (%s), want %s", CASES[i].name, ms_status_name(st),
               err.reason ? err.reason : "", CASES[i].want);
        /* Without the flag the same whitespace is an error (unless there is none). */
        st = ms__base64_decode(CASES[i].in, strlen(CASES[i].in), 0, dec, sizeof(dec), &dec_len,
                               &err);
        EXPECT(st == MS_ESYNTAX && strstr(err.reason, "whitespace") != NULL,
               "%s without SKIP_FWS: got %s, want MS_ESYNTAX for whitespace", CASES[i].name,
               ms_status_name(st));
    }
    assert_int_equal(n_bad, 0);
}

typedef struct bad_case {
    const char *name;
    const char *in;
    size_t in_len; /* 0 = strlen */
    size_t want_offset;
    const char *want_reason; /* a word the reason contains */
} bad_case;

static const bad_case BAD[] = {
    {"at-sign (DKIM-14 b=@@@)", "@@@", 0, 0, "alphabet"},
    {"url-safe minus", "Zm9-", 0, 3, "alphabet"},
    {"url-safe underscore", "Zm9_", 0, 3, "alphabet"},
    {"NUL byte", "Zm\0v", 4, 2, "alphabet"},
    {"8-bit byte", "Zm9\xc3", 0, 3, "alphabet"},
    {"semicolon", "Zm9v;", 0, 4, "alphabet"},
    {"form feed is not FWS", "Zm9v\fYmFy", 0, 4, "alphabet"},
    {"vertical tab is not FWS", "Zm9v\vYmFy", 0, 4, "alphabet"},
    {"padding starts a quantum", "Zm9v=", 0, 4, "quantum starts"},
    {"padding alone", "====", 0, 0, "quantum starts"},
    {"padding after one character", "Z===", 0, 1, "one character"},
    {"three padding characters", "Zm===", 0, 4, "too much padding"},
    {"padding after three then two", "Zm9==", 0, 4, "too much padding"},
    {"data after padding", "Zg==Zg==", 0, 4, "after the padding"},
    {"data inside padding", "Zg=g", 0, 3, "after the padding"},
    {"padding cut short", "Zg=", 0, 3, "cut short"},
    {"missing padding, two left", "Zm9vYg", 0, 6, "padding missing"},
    {"missing padding, three left", "Zm9vYmE", 0, 7, "padding missing"},
    {"one character left over", "Zm9vY", 0, 5, "one character"},
    {"non-zero pad bits, one byte", "Zh==", 0, 1, "non-zero bits"},
    {"non-zero pad bits, two bytes", "Zm9=", 0, 2, "non-zero bits"},
};

static void test_errors(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        const bad_case *c = &BAD[i];
        size_t len = c->in_len ? c->in_len : strlen(c->in);
        uint8_t dec[32];
        size_t dec_len = 99;
        ms__base64_error err = {999, NULL};
        ms_status st =
            ms__base64_decode(c->in, len, MS__BASE64_SKIP_FWS, dec, sizeof(dec), &dec_len, &err);
        EXPECT(st == MS_ESYNTAX, "%s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        EXPECT(dec_len == 0, "%s: got out_len %zu, want 0 on error", c->name, dec_len);
        EXPECT(err.reason != NULL && strstr(err.reason, c->want_reason) != NULL &&
                   strstr(err.reason, "RFC 4648 §") != NULL,
               "%s: got reason \"%s\", want one with \"%s\" and its RFC section", c->name,
               err.reason ? err.reason : "(null)", c->want_reason);
        EXPECT(err.offset == c->want_offset, "%s: got offset %zu, want %zu", c->name, err.offset,
               c->want_offset);
        /* err may be NULL. */
        st = ms__base64_decode(c->in, len, MS__BASE64_SKIP_FWS, dec, sizeof(dec), &dec_len, NULL);
        EXPECT(st == MS_ESYNTAX, "%s without err: got %s", c->name, ms_status_name(st));
    }
    assert_int_equal(n_bad, 0);
}

static void test_caps(void **state)
{
    (void)state;
    uint8_t dec[8];
    size_t dec_len = 99;
    ms__base64_error err = {0, NULL};
    /* Exactly the cap fits: 6 bytes. */
    assert_int_equal(ms__base64_decode("Zm9vYmFy", 8, 0, dec, 6, &dec_len, &err), MS_OK);
    assert_int_equal(dec_len, 6);
    /* One byte short, in a full quantum and in the padded tail. */
    assert_int_equal(ms__base64_decode("Zm9vYmFy", 8, 0, dec, 5, &dec_len, &err), MS_ELIMIT);
    assert_int_equal(dec_len, 0);
    assert_non_null(strstr(err.reason, "cap"));
    assert_int_equal(ms__base64_decode("Zm9vYg==", 8, 0, dec, 3, &dec_len, &err), MS_ELIMIT);
    assert_int_equal(ms__base64_decode("Zm9vYmE=", 8, 0, dec, 4, &dec_len, &err), MS_ELIMIT);
    /* Empty data needs no buffer at all. */
    assert_int_equal(ms__base64_decode("", 0, 0, NULL, 0, &dec_len, &err), MS_OK);
    assert_int_equal(dec_len, 0);
    assert_int_equal(ms__base64_decode("Zg==", 4, 0, NULL, 0, &dec_len, &err), MS_ELIMIT);

    /* Encoding: the buffer must hold the NUL too. */
    char enc[9];
    size_t enc_len = 99;
    assert_int_equal(ms__base64_encode((const uint8_t *)"foobar", 6, enc, 8, &enc_len), MS_ELIMIT);
    assert_int_equal(enc_len, 0);
    assert_int_equal(ms__base64_encode((const uint8_t *)"foobar", 6, enc, 9, &enc_len), MS_OK);
    assert_string_equal(enc, "Zm9vYmFy");
    assert_int_equal(ms__base64_encode((const uint8_t *)"", 0, enc, 1, NULL), MS_OK);
    assert_string_equal(enc, "");
    assert_int_equal(ms__base64_encoded_len(SIZE_MAX), SIZE_MAX);
    assert_int_equal(ms__base64_decoded_max(0), 0);
    assert_int_equal(ms__base64_decoded_max(4), 3);
    assert_int_equal(ms__base64_decoded_max(7), 5);
}

/* Every length and byte value survives a round trip, with and without folding. */
static void test_round_trip(void **state)
{
    (void)state;
    uint8_t plain[300], dec[300];
    char enc[404], folded[808];
    for (size_t i = 0; i < sizeof(plain); i++) {
        plain[i] = (uint8_t)(i * 37 + 11);
    }
    n_bad = 0;
    for (size_t len = 0; len <= sizeof(plain); len++) {
        size_t enc_len = 0, dec_len = 0;
        assert_int_equal(ms__base64_encode(plain, len, enc, sizeof(enc), &enc_len), MS_OK);
        ms_status st = ms__base64_decode(enc, enc_len, 0, dec, len, &dec_len, NULL);
        EXPECT(st == MS_OK && dec_len == len && memcmp(dec, plain, len) == 0,
               "round trip of %zu bytes: got %s, %zu bytes", len, ms_status_name(st), dec_len);
        EXPECT(ms__base64_decoded_max(enc_len) >= len, "decoded_max(%zu) < %zu", enc_len, len);
        /* Fold after every 3 characters the way a header is folded. */
        size_t f = 0;
        for (size_t k = 0; k < enc_len; k++) {
            folded[f++] = enc[k];
            if (k % 3 == 2) {
                folded[f++] = k % 2 ? '\n' : ' ';
            }
        }
        st = ms__base64_decode(folded, f, MS__BASE64_SKIP_FWS, dec, len, &dec_len, NULL);
        EXPECT(st == MS_OK && dec_len == len && memcmp(dec, plain, len) == 0,
               "folded round trip of %zu bytes: got %s", len, ms_status_name(st));
    }
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors), cmocka_unit_test(test_fws),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_caps),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
