/* SPDX-License-Identifier: MIT */
/* The DKIM key cache: a second look-up of the same p= is a hit and gives the same key, a key
 * that does not parse is refused and not kept, the oldest key goes when the cache is full, and
 * four threads sharing it get working keys. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dkim/keycache.h"
#include "mailseal/dkimkey.h"

static const char *new_p(ms_dkim_keypair **kp, size_t *len)
{
    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_ED25519, 0, kp), MS_OK);
    return ms_dkim_keypair_public_b64(*kp, len);
}

static void test_hit_and_refusal(void **state)
{
    (void)state;
    ms_dkim_key_cache *c;
    assert_int_equal(ms_dkim_key_cache_new(4, &c), MS_OK);
    ms_dkim_keypair *kp;
    size_t len;
    const char *p = new_p(&kp, &len);
    ms__pubkey *a = NULL, *b = NULL;
    ms__key_error err;
    assert_int_equal(ms__dkim_key_cache_get(c, MS__KEY_ED25519, p, len, &a, &err), MS_OK);
    assert_int_equal(ms__dkim_key_cache_get(c, MS__KEY_ED25519, p, len, &b, &err), MS_OK);
    assert_ptr_equal(a, b); /* the same parsed key, two references */
    uint64_t hits, misses;
    ms_dkim_key_cache_stats(c, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);
    /* The same text as another key type is another entry (and here not a key at all). */
    ms__pubkey *bad = NULL;
    assert_int_not_equal(ms__dkim_key_cache_get(c, MS__KEY_RSA, p, len, &bad, &err), MS_OK);
    assert_null(bad);
    assert_int_not_equal(ms__dkim_key_cache_get(c, MS__KEY_RSA, p, len, &bad, &err), MS_OK);
    ms_dkim_key_cache_stats(c, &hits, &misses);
    assert_int_equal(misses, 3); /* refused keys are not kept */
    ms__crypto_pubkey_free(a);
    ms__crypto_pubkey_free(b);
    ms_dkim_keypair_free(kp);
    ms_dkim_key_cache_free(c);
}

static void test_eviction(void **state)
{
    (void)state;
    ms_dkim_key_cache *c;
    assert_int_equal(ms_dkim_key_cache_new(2, &c), MS_OK);
    ms_dkim_keypair *kp[3];
    const char *p[3];
    size_t len[3];
    for (int i = 0; i < 3; i++) {
        p[i] = new_p(&kp[i], &len[i]);
        ms__pubkey *k = NULL;
        ms__key_error err;
        assert_int_equal(ms__dkim_key_cache_get(c, MS__KEY_ED25519, p[i], len[i], &k, &err), MS_OK);
        ms__crypto_pubkey_free(k); /* the cache keeps its own reference */
    }
    uint64_t hits, misses;
    ms__pubkey *k = NULL;
    ms__key_error err;
    assert_int_equal(ms__dkim_key_cache_get(c, MS__KEY_ED25519, p[2], len[2], &k, &err), MS_OK);
    ms__crypto_pubkey_free(k);
    ms_dkim_key_cache_stats(c, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(ms__dkim_key_cache_get(c, MS__KEY_ED25519, p[0], len[0], &k, &err), MS_OK);
    ms__crypto_pubkey_free(k);
    ms_dkim_key_cache_stats(c, &hits, &misses);
    assert_int_equal(misses, 4); /* p[0], the oldest, was evicted */
    for (int i = 0; i < 3; i++) {
        ms_dkim_keypair_free(kp[i]);
    }
    ms_dkim_key_cache_free(c);
}

typedef struct shared {
    ms_dkim_key_cache *c;
    const char *p;
    size_t len;
    int failures;
} shared;

static void *hammer(void *arg)
{
    shared *s = arg;
    for (int i = 0; i < 500; i++) {
        ms__pubkey *k = NULL;
        ms__key_error err;
        if (ms__dkim_key_cache_get(s->c, MS__KEY_ED25519, s->p, s->len, &k, &err) != MS_OK ||
            ms__crypto_pubkey_bits(k) != 256) {
            __atomic_add_fetch(&s->failures, 1, __ATOMIC_RELAXED);
        }
        ms__crypto_pubkey_free(k);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    shared s = {0};
    assert_int_equal(ms_dkim_key_cache_new(0, &s.c), MS_OK);
    ms_dkim_keypair *kp;
    s.p = new_p(&kp, &s.len);
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &s), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
    }
    assert_int_equal(s.failures, 0);
    ms_dkim_keypair_free(kp);
    ms_dkim_key_cache_free(s.c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_and_refusal),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
