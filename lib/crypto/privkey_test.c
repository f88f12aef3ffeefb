/* SPDX-License-Identifier: MIT */
/* Private keys and signatures: PEM in both forms (RFC 5958 PKCS#8, RFC 8017 §A.1.2
 * traditional) for RSA and Ed25519, PEM that is not a usable key, and sign/verify round trips
 * through the published-key path (p= text -> ms__crypto_pubkey_parse), RFC 8301 and RFC 8463
 * rules on hashes and sizes. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/base64.h"
#include "base/limits.h"
#include "crypto/key.h"

#include "ms_expect.h"
#include "test_keys.h"

/* RFC 8410 §7: PKCS#8 around an Ed25519 seed, as PEM. */
static void ed25519_pem(const char *seed_b64, char *pem, size_t size)
{
    uint8_t der[48] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                       0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    size_t n = 0;
    assert_int_equal(ms__base64_decode(seed_b64, strlen(seed_b64), 0, der + 16, 32, &n, NULL),
                     MS_OK);
    assert_int_equal(n, 32);
    char b64[80];
    assert_int_equal(ms__base64_encode(der, sizeof(der), b64, sizeof(b64), NULL), MS_OK);
    snprintf(pem, size, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64);
}

/* A PEM private key of another algorithm or size, made by OpenSSL itself. */
static char *openssl_pem(const char *alg, const char *arg, size_t bits)
{
    EVP_PKEY *pkey = arg != NULL ? EVP_PKEY_Q_keygen(NULL, NULL, alg, arg)
                                 : EVP_PKEY_Q_keygen(NULL, NULL, alg, bits);
    assert_non_null(pkey);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *copy = calloc(1, (size_t)n + 1);
    memcpy(copy, data, (size_t)n);
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return copy;
}

static ms__privkey *load(const char *pem)
{
    ms__privkey *key = NULL;
    ms__key_error err = {NULL, 0, false};
    ms_status st = ms__crypto_privkey_load_pem(pem, strlen(pem), &key, &err);
    if (st != MS_OK) {
        fail_msg("load: %s (%s)", ms_status_name(st), err.reason ? err.reason : "");
    }
    return key;
}

static void test_load_forms(void **state)
{
    (void)state;
    /* Traditional RSA (RFC 8463 A.1), then its PKCS#8 re-encoding, then the RFC's Ed25519. */
    ms__privkey *rsa = load(RFC8463_RSA_PEM);
    assert_int_equal(ms__crypto_privkey_type(rsa), MS__KEY_RSA);
    assert_int_equal(ms__crypto_privkey_bits(rsa), 1024);
    assert_int_equal(ms__crypto_privkey_sig_size(rsa), 128);
    char pkcs8[4096];
    size_t len = 0;
    assert_int_equal(ms__crypto_privkey_pem(rsa, pkcs8, sizeof(pkcs8), &len), MS_OK);
    assert_int_equal(strncmp(pkcs8, "-----BEGIN PRIVATE KEY-----\n", 28), 0);
    assert_int_equal(strlen(pkcs8), len);
    size_t need = 0;
    assert_int_equal(ms__crypto_privkey_pem(rsa, pkcs8, 100, &need), MS_ELIMIT);
    assert_int_equal(need, len + 1);
    assert_int_equal(ms__crypto_privkey_pem(rsa, pkcs8, sizeof(pkcs8), &len), MS_OK);
    ms__privkey *again = load(pkcs8);
    char p1[MS_LIMIT_DKIM_KEY_B64 + 1], p2[MS_LIMIT_DKIM_KEY_B64 + 1];
    assert_int_equal(ms__crypto_privkey_public_b64(rsa, p1, sizeof(p1), &len), MS_OK);
    assert_int_equal(ms__crypto_privkey_public_b64(again, p2, sizeof(p2), &len), MS_OK);
    assert_string_equal(p1, p2);
    /* RFC 8463 A.2 publishes exactly this p= for that key. */
    assert_string_equal(p1, RFC8463_RSA_P);
    assert_int_equal(ms__crypto_privkey_public_b64(rsa, p2, 10, &len), MS_ELIMIT);
    ms__crypto_privkey_free(again);
    ms__crypto_privkey_free(rsa);

    char pem[256];
    ed25519_pem(RFC8463_ED25519_SEED, pem, sizeof(pem));
    ms__privkey *ed = load(pem);
    assert_int_equal(ms__crypto_privkey_type(ed), MS__KEY_ED25519);
    assert_int_equal(ms__crypto_privkey_bits(ed), 256);
    assert_int_equal(ms__crypto_privkey_sig_size(ed), 64);
    assert_int_equal(ms__crypto_privkey_public_b64(ed, p1, sizeof(p1), &len), MS_OK);
    assert_string_equal(p1, RFC8463_ED25519_P);
    assert_int_equal(ms__crypto_privkey_pem(ed, pkcs8, sizeof(pkcs8), &len), MS_OK);
    assert_string_equal(pkcs8, pem);
    ms__crypto_privkey_free(ed);

    /* Text around the block is ignored (a key file with a comment). */
    char framed[4096];
    snprintf(framed, sizeof(framed), "selector s1 for example.com\n%s\ntrailing words\n",
             RFC8463_RSA_PEM);
    ms__crypto_privkey_free(load(framed));
}

typedef struct bad_pem {
    const char *name;
    const char *pem;
    ms_status want;
    const char *want_reason;
} bad_pem;

static void test_bad_pem(void **state)
{
    (void)state;
    char truncated[512], damaged[2048], pubkey[512];
    snprintf(truncated, sizeof(truncated), "%.400s", RFC8463_RSA_PEM);
    snprintf(damaged, sizeof(damaged), "%s", RFC8463_RSA_PEM);
    memcpy(damaged + 100, "!!!!", 4);
    snprintf(pubkey, sizeof(pubkey),
             "-----BEGIN PUBLIC KEY-----\n%.64s\n%s\n-----END PUBLIC KEY-----\n", RFC8463_RSA_P,
             &RFC8463_RSA_P[64]);
    char *ec = openssl_pem("EC", "P-256", 0);
    char *rsa512 = openssl_pem("RSA", NULL, 512);
    char *big = malloc(MS_LIMIT_PRIVATE_KEY_PEM + 2);
    memset(big, 'A', MS_LIMIT_PRIVATE_KEY_PEM + 1);
    big[MS_LIMIT_PRIVATE_KEY_PEM + 1] = '\0';
    const bad_pem cases[] = {
        {"empty", "", MS_ESYNTAX, "BEGIN"},
        {"no PEM at all", "just some text\n", MS_ESYNTAX, "BEGIN"},
        {"the base64 alone", RFC8463_ED25519_SEED, MS_ESYNTAX, "BEGIN"},
        {"cut in the middle", truncated, MS_ESYNTAX, "no private key"},
        {"garbage inside the base64", damaged, MS_ESYNTAX, "no private key"},
        {"garbage between the markers",
         "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n",
         MS_ESYNTAX, "no private key"},
        {"a public key", pubkey, MS_ESYNTAX, "no private key"},
        {"encrypted PKCS#8",
         "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
         MS_ESYNTAX, "encrypted"},
        {"encrypted traditional",
         "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
         "MIIB\n-----END RSA PRIVATE KEY-----\n",
         MS_ESYNTAX, "encrypted"},
        {"an EC key", ec, MS_ESYNTAX, "not an RSA or Ed25519"},
        {"a 512-bit RSA key", rsa512, MS_ELIMIT, "1024"},
        {"over 64 KiB", big, MS_ELIMIT, "64 KiB"},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ms__privkey *key = NULL;
        ms__key_error err = {NULL, 0, false};
        ms_status st = ms__crypto_privkey_load_pem(cases[i].pem, strlen(cases[i].pem), &key, &err);
        EXPECT(st == cases[i].want && key == NULL, "%s: got %s, want %s", cases[i].name,
               ms_status_name(st), ms_status_name(cases[i].want));
        EXPECT(err.reason != NULL && strstr(err.reason, cases[i].want_reason) != NULL &&
                   strstr(err.reason, "§") != NULL,
               "%s: got reason \"%s\", want \"%s\" and a section", cases[i].name,
               err.reason ? err.reason : "(null)", cases[i].want_reason);
        ms__crypto_privkey_free(key);
    }
    free(ec);
    free(rsa512);
    free(big);
    assert_int_equal(n_bad, 0);
}

/* Sign, publish, parse what was published, verify; then break each input. */
static void round_trip(const char *name, ms__privkey *priv)
{
    char p[MS_LIMIT_DKIM_KEY_B64 + 1];
    size_t p_len = 0, sig_len = 0;
    assert_int_equal(ms__crypto_privkey_public_b64(priv, p, sizeof(p), &p_len), MS_OK);
    ms__pubkey *pub = NULL;
    ms__key_error err = {NULL, 0, false};
    ms_status st = ms__crypto_pubkey_parse(ms__crypto_privkey_type(priv), p, p_len, &pub, &err);
    assert_int_equal(st, MS_OK);
    EXPECT(ms__crypto_pubkey_bits(pub) == ms__crypto_privkey_bits(priv), "%s: bits %u vs %u", name,
           ms__crypto_pubkey_bits(pub), ms__crypto_privkey_bits(priv));

    uint8_t digest[32], sig[MS_LIMIT_SIGNATURE];
    assert_int_equal(ms__crypto_digest_once(MS__HASH_SHA256, name, strlen(name), digest, 32),
                     MS_OK);
    assert_int_equal(ms__crypto_sign(priv, MS__HASH_SHA256, digest, 32, sig, sizeof(sig), &sig_len),
                     MS_OK);
    EXPECT(sig_len == ms__crypto_privkey_sig_size(priv), "%s: signature of %zu bytes", name,
           sig_len);
    bool ok = false;
    const char *why = "unset";
    assert_int_equal(ms__crypto_verify(pub, MS__HASH_SHA256, digest, 32, sig, sig_len, &ok, &why),
                     MS_OK);
    EXPECT(ok && why == NULL, "%s: own signature does not verify (%s)", name, why ? why : "");

    /* One bit of the signature, one bit of the digest, a byte short, a byte long. */
    sig[sig_len / 2] ^= 0x10;
    assert_int_equal(ms__crypto_verify(pub, MS__HASH_SHA256, digest, 32, sig, sig_len, &ok, &why),
                     MS_OK);
    EXPECT(!ok && why != NULL && strstr(why, "does not match"), "%s: flipped signature bit: %s",
           name, ok ? "valid" : why);
    sig[sig_len / 2] ^= 0x10;
    digest[0] ^= 1;
    assert_int_equal(ms__crypto_verify(pub, MS__HASH_SHA256, digest, 32, sig, sig_len, &ok, NULL),
                     MS_OK);
    EXPECT(!ok, "%s: flipped digest bit verifies", name);
    digest[0] ^= 1;
    assert_int_equal(
        ms__crypto_verify(pub, MS__HASH_SHA256, digest, 32, sig, sig_len - 1, &ok, &why), MS_OK);
    EXPECT(!ok && strstr(why, "length") != NULL, "%s: short signature: %s", name,
           ok ? "valid" : why);
    assert_int_equal(
        ms__crypto_verify(pub, MS__HASH_SHA256, digest, 32, sig, sig_len + 1, &ok, &why), MS_OK);
    EXPECT(!ok, "%s: long signature verifies", name);

    /* Wrong digest lengths are the caller's bug, not a verdict. */
    assert_int_equal(ms__crypto_verify(pub, MS__HASH_SHA256, digest, 20, sig, sig_len, &ok, NULL),
                     MS_EINVAL);
    assert_int_equal(ms__crypto_sign(priv, MS__HASH_SHA256, digest, 31, sig, sizeof(sig), &sig_len),
                     MS_EINVAL);
    /* RFC 8301 §3.1: nothing is signed with SHA-1. */
    assert_int_equal(ms__crypto_sign(priv, MS__HASH_SHA1, digest, 20, sig, sizeof(sig), &sig_len),
                     MS_EINVAL);
    assert_int_equal(ms__crypto_sign(priv, MS__HASH_SHA256, digest, 32, sig,
                                     ms__crypto_privkey_sig_size(priv) - 1, &sig_len),
                     MS_ELIMIT);
    ms__crypto_pubkey_free(pub);
}

static void test_round_trips(void **state)
{
    (void)state;
    n_bad = 0;
    ms__privkey *rfc_rsa = load(RFC8463_RSA_PEM);
    round_trip("RFC 8463 rsa", rfc_rsa);
    ms__crypto_privkey_free(rfc_rsa);

    char pem[256];
    ed25519_pem(RFC8463_ED25519_SEED, pem, sizeof(pem));
    ms__privkey *rfc_ed = load(pem);
    round_trip("RFC 8463 ed25519", rfc_ed);
    ms__crypto_privkey_free(rfc_ed);

    ms__privkey *gen = NULL;
    assert_int_equal(ms__crypto_privkey_generate(MS__KEY_RSA, 0, &gen), MS_OK);
    assert_int_equal(ms__crypto_privkey_bits(gen), 2048);
    round_trip("generated rsa 2048", gen);
    ms__crypto_privkey_free(gen);

    assert_int_equal(ms__crypto_privkey_generate(MS__KEY_ED25519, 0, &gen), MS_OK);
    round_trip("generated ed25519", gen);
    ms__crypto_privkey_free(gen);

    assert_int_equal(ms__crypto_privkey_generate(MS__KEY_RSA, 512, &gen), MS_EINVAL);
    assert_int_equal(ms__crypto_privkey_generate(MS__KEY_RSA, 8193, &gen), MS_EINVAL);
    assert_int_equal(ms__crypto_privkey_generate(MS__KEY_ED25519, 256, &gen), MS_EINVAL);
    assert_int_equal(ms__crypto_privkey_generate((ms__key_type)9, 0, &gen), MS_EINVAL);
    assert_null(gen);
    assert_int_equal(n_bad, 0);
}

/* RFC 8301 §3.1: a valid rsa-sha1 signature is recognised as such (DKIM then refuses it);
 * Ed25519 has no SHA-1 form (RFC 8463 §3). */
static void test_sha1(void **state)
{
    (void)state;
    BIO *bio = BIO_new_mem_buf(RFC8463_RSA_PEM, -1);
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    assert_non_null(pkey);
    uint8_t sig[128];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit_ex(md, NULL, "SHA1", NULL, NULL, pkey, NULL), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (const uint8_t *)"data", 4), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);

    ms__pubkey *pub = NULL;
    assert_int_equal(
        ms__crypto_pubkey_parse(MS__KEY_RSA, RFC8463_RSA_P, strlen(RFC8463_RSA_P), &pub, NULL),
        MS_OK);
    uint8_t digest[20];
    assert_int_equal(ms__crypto_digest_once(MS__HASH_SHA1, "data", 4, digest, sizeof(digest)),
                     MS_OK);
    bool ok = false;
    assert_int_equal(ms__crypto_verify(pub, MS__HASH_SHA1, digest, 20, sig, sig_len, &ok, NULL),
                     MS_OK);
    assert_true(ok);
    /* The same signature is not a SHA-256 one over any digest of "data". */
    uint8_t d256[32];
    assert_int_equal(ms__crypto_digest_once(MS__HASH_SHA256, "data", 4, d256, sizeof(d256)), MS_OK);
    assert_int_equal(ms__crypto_verify(pub, MS__HASH_SHA256, d256, 32, sig, sig_len, &ok, NULL),
                     MS_OK);
    assert_false(ok);
    ms__crypto_pubkey_free(pub);

    assert_int_equal(ms__crypto_pubkey_parse(MS__KEY_ED25519, RFC8463_ED25519_P,
                                             strlen(RFC8463_ED25519_P), &pub, NULL),
                     MS_OK);
    assert_int_equal(ms__crypto_verify(pub, MS__HASH_SHA1, digest, 20, sig, 64, &ok, NULL),
                     MS_EINVAL);
    ms__crypto_pubkey_free(pub);
}

typedef struct signer {
    const ms__privkey *key;
    int n_ok;
} signer;

static void *sign_many(void *arg)
{
    signer *s = arg;
    uint8_t digest[32] = {1, 2, 3}, sig[MS_LIMIT_SIGNATURE];
    size_t sig_len = 0;
    for (int i = 0; i < 20; i++) {
        digest[31] = (uint8_t)i;
        if (ms__crypto_sign(s->key, MS__HASH_SHA256, digest, 32, sig, sizeof(sig), &sig_len) ==
            MS_OK) {
            s->n_ok++;
        }
    }
    return NULL;
}

/* One loaded key signs from several threads at once. */
static void test_shared_signing(void **state)
{
    (void)state;
    ms__privkey *rsa = load(RFC8463_RSA_PEM);
    pthread_t t[3];
    signer s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = (signer){rsa, 0};
        assert_int_equal(pthread_create(&t[i], NULL, sign_many, &s[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(s[i].n_ok, 20);
    }
    ms__crypto_privkey_free(rsa);
    ms__crypto_privkey_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_forms),     cmocka_unit_test(test_bad_pem),
        cmocka_unit_test(test_round_trips),    cmocka_unit_test(test_sha1),
        cmocka_unit_test(test_shared_signing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
