/* SPDX-License-Identifier: MIT */
/* The public key-pair API (mailseal/dkimkey.h): generated RSA (RFC 8301 §3.2 sizes, e=65537)
 * and Ed25519 (RFC 8463 §4) pairs publish a p= that the verifier's parser accepts, PEM read
 * back gives the same pair, and private key files are created 0600 and never overwritten. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mailseal/dkimkey.h"

#include "crypto/key.h"

#include "test_keys.h"

static void check_pair(ms_dkim_keypair *kp, ms_dkim_key_type type, unsigned bits)
{
    assert_int_equal(ms_dkim_keypair_type(kp), type);
    assert_int_equal(ms_dkim_keypair_bits(kp), bits);
    size_t pem_len = 0, p_len = 0;
    const char *pem = ms_dkim_keypair_private_pem(kp, &pem_len);
    const char *p = ms_dkim_keypair_public_b64(kp, &p_len);
    assert_int_equal(strlen(pem), pem_len);
    assert_int_equal(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28), 0);
    assert_int_equal(strlen(p), p_len);
    if (type == MS_DKIM_KEY_ED25519) {
        assert_int_equal(p_len, 44); /* 32 raw bytes, RFC 8463 §4 */
    }
    /* What is published parses as what was made. */
    ms__pubkey *pub = NULL;
    assert_int_equal(
        ms__crypto_pubkey_parse(type == MS_DKIM_KEY_RSA ? MS__KEY_RSA : MS__KEY_ED25519, p, p_len,
                                &pub, NULL),
        MS_OK);
    assert_int_equal(ms__crypto_pubkey_bits(pub), bits);
    ms__crypto_pubkey_free(pub);
    /* The PEM reads back into the same pair. */
    ms_dkim_keypair *again = NULL;
    const char *reason = "unset";
    assert_int_equal(ms_dkim_keypair_from_pem(pem, pem_len, &again, &reason), MS_OK);
    assert_null(reason);
    assert_string_equal(ms_dkim_keypair_public_b64(again, NULL), p);
    assert_string_equal(ms_dkim_keypair_private_pem(again, NULL), pem);
    ms_dkim_keypair_free(again);
}

static void test_generate(void **state)
{
    (void)state;
    ms_dkim_keypair *kp = NULL;
    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_RSA, 0, &kp), MS_OK);
    check_pair(kp, MS_DKIM_KEY_RSA, 2048);
    /* e = 65537: the SPKI of a 2048-bit key ends in 02 03 01 00 01 -> "IDAQAB". */
    size_t p_len = 0;
    const char *p = ms_dkim_keypair_public_b64(kp, &p_len);
    assert_string_equal(p + p_len - 6, "IDAQAB");
    ms_dkim_keypair_free(kp);

    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_RSA, 1024, &kp), MS_OK);
    check_pair(kp, MS_DKIM_KEY_RSA, 1024);
    ms_dkim_keypair_free(kp);

    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_ED25519, 0, &kp), MS_OK);
    check_pair(kp, MS_DKIM_KEY_ED25519, 256);
    ms_dkim_keypair_free(kp);

    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_RSA, 768, &kp), MS_EINVAL);
    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_RSA, 16384, &kp), MS_EINVAL);
    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_ED25519, 2048, &kp), MS_EINVAL);
    assert_int_equal(ms_dkim_keypair_generate((ms_dkim_key_type)5, 0, &kp), MS_EINVAL);
    assert_null(kp);
    ms_dkim_keypair_free(NULL);
}

static void test_from_pem(void **state)
{
    (void)state;
    ms_dkim_keypair *kp = NULL;
    const char *reason = NULL;
    assert_int_equal(
        ms_dkim_keypair_from_pem(RFC8463_RSA_PEM, strlen(RFC8463_RSA_PEM), &kp, &reason), MS_OK);
    assert_string_equal(ms_dkim_keypair_public_b64(kp, NULL), RFC8463_RSA_P);
    check_pair(kp, MS_DKIM_KEY_RSA, 1024);
    ms_dkim_keypair_free(kp);

    assert_int_equal(ms_dkim_keypair_from_pem("garbage", 7, &kp, &reason), MS_ESYNTAX);
    assert_null(kp);
    assert_non_null(strstr(reason, "BEGIN"));
    assert_int_equal(ms_dkim_keypair_from_pem("garbage", 7, &kp, NULL), MS_ESYNTAX);
}

static void test_types(void **state)
{
    (void)state;
    ms_dkim_key_type t = MS_DKIM_KEY_RSA;
    assert_string_equal(ms_dkim_key_type_name(MS_DKIM_KEY_RSA), "rsa");
    assert_string_equal(ms_dkim_key_type_name(MS_DKIM_KEY_ED25519), "ed25519");
    assert_int_equal(ms_dkim_key_type_parse("Ed25519", &t), MS_OK);
    assert_int_equal(t, MS_DKIM_KEY_ED25519);
    assert_int_equal(ms_dkim_key_type_parse("RSA", &t), MS_OK);
    assert_int_equal(t, MS_DKIM_KEY_RSA);
    assert_int_equal(ms_dkim_key_type_parse("rsa-sha1", &t), MS_EINVAL);
    assert_int_equal(ms_dkim_key_type_parse("", &t), MS_EINVAL);
}

static void test_write_private(void **state)
{
    (void)state;
    char dir[] = "/tmp/ms_keypair_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/s1.private", dir);
    ms_dkim_keypair *kp = NULL;
    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_ED25519, 0, &kp), MS_OK);
    assert_int_equal(ms_dkim_keypair_write_private(kp, path), MS_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t pem_len = 0;
    const char *pem = ms_dkim_keypair_private_pem(kp, &pem_len);
    assert_int_equal((size_t)st.st_size, pem_len);
    char back[512] = {0};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fread(back, 1, sizeof(back) - 1, f), pem_len);
    fclose(f);
    assert_string_equal(back, pem);
    /* Never overwritten. */
    errno = 0;
    assert_int_equal(ms_dkim_keypair_write_private(kp, path), MS_EIO);
    assert_int_equal(errno, EEXIST);
    /* A folder that does not exist. */
    snprintf(path, sizeof(path), "%s/no/such/dir", dir);
    assert_int_equal(ms_dkim_keypair_write_private(kp, path), MS_EIO);
    ms_dkim_keypair_free(kp);
    snprintf(path, sizeof(path), "%s/s1.private", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_from_pem),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_write_private),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
