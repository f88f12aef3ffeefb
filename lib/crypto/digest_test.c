/* SPDX-License-Identifier: MIT */
/* SHA-256 and SHA-1 (FIPS 180-4; vectors from NIST's examples and RFC 6234 §8.5): one-shot,
 * streamed in pieces of every size, reused after final and after a reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/digest.h"

#include "ms_expect.h"

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    }
}

typedef struct vector {
    ms__hash hash;
    const char *data; /* NULL: one million 'a' */
    const char *want;
} vector;

static const vector VECTORS[] = {
    {MS__HASH_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {MS__HASH_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {MS__HASH_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {MS__HASH_SHA256, NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    {MS__HASH_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {MS__HASH_SHA1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {MS__HASH_SHA1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {MS__HASH_SHA1, NULL, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
};

static void test_vectors(void **state)
{
    (void)state;
    static char million[1000000];
    memset(million, 'a', sizeof(million));
    n_bad = 0;
    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        const vector *v = &VECTORS[i];
        const char *data = v->data ? v->data : million;
        size_t len = v->data ? strlen(v->data) : sizeof(million);
        const char *name = ms__crypto_hash_name(v->hash);
        uint8_t out[MS__DIGEST_MAX];
        char got[2 * MS__DIGEST_MAX + 1];
        size_t size = ms__crypto_hash_size(v->hash), out_len = 0;

        /* One shot. */
        assert_int_equal(ms__crypto_digest_once(v->hash, data, len, out, sizeof(out)), MS_OK);
        hex(out, size, got);
        EXPECT(strcmp(got, v->want) == 0, "%s once of %zu bytes: got %s, want %s", name, len, got,
               v->want);

        /* Streamed in pieces of 1, 7, 64 and 1000 bytes through one reused context. */
        ms__digest *d = NULL;
        assert_int_equal(ms__crypto_digest_new(v->hash, &d), MS_OK);
        assert_int_equal(ms__crypto_digest_hash(d), v->hash);
        static const size_t PIECES[] = {1, 7, 64, 1000};
        for (size_t p = 0; p < 4; p++) {
            if (len > 100000 && PIECES[p] < 64) {
                continue; /* a million one-byte updates adds nothing but time */
            }
            for (size_t off = 0; off < len; off += PIECES[p]) {
                size_t n = len - off < PIECES[p] ? len - off : PIECES[p];
                assert_int_equal(ms__crypto_digest_update(d, data + off, n), MS_OK);
            }
            assert_int_equal(ms__crypto_digest_final(d, out, sizeof(out), &out_len), MS_OK);
            hex(out, out_len, got);
            EXPECT(out_len == size && strcmp(got, v->want) == 0,
                   "%s in %zu-byte pieces: got %s, want %s", name, PIECES[p], got, v->want);
            assert_int_equal(ms__crypto_digest_reset(d), MS_OK);
        }
        /* A reset drops what was fed before it. */
        assert_int_equal(ms__crypto_digest_update(d, "junk", 4), MS_OK);
        assert_int_equal(ms__crypto_digest_reset(d), MS_OK);
        assert_int_equal(ms__crypto_digest_update(d, data, len), MS_OK);
        assert_int_equal(ms__crypto_digest_update(d, data, 0), MS_OK);
        assert_int_equal(ms__crypto_digest_final(d, out, sizeof(out), NULL), MS_OK);
        hex(out, size, got);
        EXPECT(strcmp(got, v->want) == 0, "%s after reset: got %s, want %s", name, got, v->want);
        ms__crypto_digest_free(d);
    }
    assert_int_equal(n_bad, 0);
}

static void test_misuse(void **state)
{
    (void)state;
    ms__digest *d = NULL;
    uint8_t out[MS__DIGEST_MAX];
    size_t out_len = 99;
    assert_int_equal(ms__crypto_digest_new((ms__hash)7, &d), MS_EINVAL);
    assert_null(d);
    assert_int_equal(ms__crypto_digest_once((ms__hash)7, "", 0, out, sizeof(out)), MS_EINVAL);
    assert_int_equal(ms__crypto_digest_once(MS__HASH_SHA256, "", 0, out, 31), MS_ELIMIT);
    assert_int_equal(ms__crypto_digest_once(MS__HASH_SHA1, "", 0, out, 20), MS_OK);

    assert_int_equal(ms__crypto_digest_new(MS__HASH_SHA256, &d), MS_OK);
    assert_int_equal(ms__crypto_digest_final(d, out, 31, &out_len), MS_ELIMIT);
    assert_int_equal(out_len, 0);
    /* The too-small call did not finish the digest. */
    assert_int_equal(ms__crypto_digest_final(d, out, sizeof(out), &out_len), MS_OK);
    assert_int_equal(out_len, 32);
    ms__crypto_digest_free(d);
    ms__crypto_digest_free(NULL);

    assert_int_equal(ms__crypto_hash_size(MS__HASH_SHA256), 32);
    assert_int_equal(ms__crypto_hash_size(MS__HASH_SHA1), 20);
    assert_string_equal(ms__crypto_hash_name(MS__HASH_SHA256), "sha256");
    assert_string_equal(ms__crypto_hash_name(MS__HASH_SHA1), "sha1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
