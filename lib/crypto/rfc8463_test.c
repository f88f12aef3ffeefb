/* SPDX-License-Identifier: MIT */
/* RFC 8463 Appendix A end to end at the crypto layer: the body hash (bh=), both published
 * signatures verified with the published p= keys over the header hash (RFC 6376 §3.7), and
 * both signatures made again from the A.1 private keys, byte for byte (Ed25519 and PKCS#1 v1.5
 * are deterministic). The header data is the relaxed form written out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base64.h"
#include "base/limits.h"
#include "crypto/key.h"

#include "test_keys.h"

static void test_body_hash(void **state)
{
    (void)state;
    uint8_t digest[32];
    char b64[64];
    assert_int_equal(ms__crypto_digest_once(MS__HASH_SHA256, RFC8463_RELAXED_BODY,
                                            strlen(RFC8463_RELAXED_BODY), digest, sizeof(digest)),
                     MS_OK);
    assert_int_equal(ms__base64_encode(digest, 32, b64, sizeof(b64), NULL), MS_OK);
    assert_string_equal(b64, RFC8463_BH);
}

typedef struct vector {
    const char *name;
    ms__key_type type;
    const char *p, *b, *header_data;
} vector;

static const vector VECTORS[] = {
    {"ed25519-sha256", MS__KEY_ED25519, RFC8463_ED25519_P, RFC8463_ED25519_B,
     RFC8463_ED25519_HEADER_DATA},
    {"rsa-sha256", MS__KEY_RSA, RFC8463_RSA_P, RFC8463_RSA_B, RFC8463_RSA_HEADER_DATA},
};

static void header_hash(const char *data, uint8_t out[32])
{
    /* Streamed field by field, as the verifier will feed it. */
    ms__digest *d = NULL;
    assert_int_equal(ms__crypto_digest_new(MS__HASH_SHA256, &d), MS_OK);
    const char *line = data;
    while (*line != '\0') {
        const char *end = strstr(line, "\r\n");
        size_t n = end ? (size_t)(end - line) + 2 : strlen(line);
        assert_int_equal(ms__crypto_digest_update(d, line, n), MS_OK);
        line += n;
    }
    assert_int_equal(ms__crypto_digest_final(d, out, 32, NULL), MS_OK);
    ms__crypto_digest_free(d);
}

static void test_published_signatures(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        const vector *v = &VECTORS[i];
        ms__pubkey *key = NULL;
        ms__key_error err = {NULL, 0, false};
        assert_int_equal(ms__crypto_pubkey_parse(v->type, v->p, strlen(v->p), &key, &err), MS_OK);
        uint8_t sig[MS_LIMIT_SIGNATURE], digest[32];
        size_t sig_len = 0;
        /* b= is folded in the message; the decoder skips the FWS (RFC 6376 §3.5). */
        assert_int_equal(ms__base64_decode(v->b, strlen(v->b), MS__BASE64_SKIP_FWS, sig,
                                           sizeof(sig), &sig_len, NULL),
                         MS_OK);
        header_hash(v->header_data, digest);
        bool ok = false;
        const char *why = NULL;
        assert_int_equal(
            ms__crypto_verify(key, MS__HASH_SHA256, digest, 32, sig, sig_len, &ok, &why), MS_OK);
        if (!ok) {
            fail_msg("%s: the published signature does not verify: %s", v->name, why);
        }
        /* One changed byte in the signed header data fails it. */
        char *tampered = strdup(v->header_data);
        tampered[strlen("from:Joe SixPack <joe@football.example.")] = 'n';
        header_hash(tampered, digest);
        free(tampered);
        assert_int_equal(
            ms__crypto_verify(key, MS__HASH_SHA256, digest, 32, sig, sig_len, &ok, &why), MS_OK);
        assert_false(ok);
        ms__crypto_pubkey_free(key);
    }
}

static void test_signatures_made_again(void **state)
{
    (void)state;
    /* A.1's Ed25519 private key is the seed; wrap it in PKCS#8 (RFC 8410 §7) to load it. */
    uint8_t der[48] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                       0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    size_t n = 0;
    assert_int_equal(ms__base64_decode(RFC8463_ED25519_SEED, strlen(RFC8463_ED25519_SEED), 0,
                                       der + 16, 32, &n, NULL),
                     MS_OK);
    char b64[80], ed_pem[200];
    assert_int_equal(ms__base64_encode(der, sizeof(der), b64, sizeof(b64), NULL), MS_OK);
    snprintf(ed_pem, sizeof(ed_pem), "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n",
             b64);
    const char *pems[] = {ed_pem, RFC8463_RSA_PEM};

    for (size_t i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
        const vector *v = &VECTORS[i];
        ms__privkey *key = NULL;
        assert_int_equal(ms__crypto_privkey_load_pem(pems[i], strlen(pems[i]), &key, NULL), MS_OK);
        assert_int_equal(ms__crypto_privkey_type(key), v->type);
        uint8_t digest[32], sig[MS_LIMIT_SIGNATURE], want[MS_LIMIT_SIGNATURE];
        size_t sig_len = 0, want_len = 0;
        header_hash(v->header_data, digest);
        assert_int_equal(
            ms__crypto_sign(key, MS__HASH_SHA256, digest, 32, sig, sizeof(sig), &sig_len), MS_OK);
        assert_int_equal(ms__base64_decode(v->b, strlen(v->b), MS__BASE64_SKIP_FWS, want,
                                           sizeof(want), &want_len, NULL),
                         MS_OK);
        assert_int_equal(sig_len, want_len);
        if (memcmp(sig, want, sig_len) != 0) {
            fail_msg("%s: the signature made from A.1's key differs from A.3's b=", v->name);
        }
        ms__crypto_privkey_free(key);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_hash),
        cmocka_unit_test(test_published_signatures),
        cmocka_unit_test(test_signatures_made_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
