/* SPDX-License-Identifier: MIT */
/* Public keys from p= (RFC 6376 §3.6.1, RFC 3279 §2.3.1, RFC 8017 §A.1.1, RFC 8463 §4): real
 * keys parse with their size, keys that are not keys fail with a reason and an offset, the
 * caps of bad-inputs DKIM-11 hold before any decoding, and one key serves many threads. */
#include <pthread.h>
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

#include "ms_expect.h"
#include "test_keys.h"

/* ---- a small DER builder for hand-made keys -------------------------------------------- */

typedef struct blob {
    uint8_t b[4096];
    size_t n;
} blob;

static void put(blob *o, const void *p, size_t n)
{
    assert_true(o->n + n <= sizeof(o->b));
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* tag, minimal length, contents */
static blob tlv(uint8_t tag, const blob *c)
{
    blob o = {{0}, 0};
    uint8_t h[4] = {tag, 0, 0, 0};
    if (c->n < 0x80) {
        h[1] = (uint8_t)c->n;
        put(&o, h, 2);
    } else if (c->n < 0x100) {
        h[1] = 0x81;
        h[2] = (uint8_t)c->n;
        put(&o, h, 3);
    } else {
        h[1] = 0x82;
        h[2] = (uint8_t)(c->n >> 8);
        h[3] = (uint8_t)c->n;
        put(&o, h, 4);
    }
    put(&o, c->b, c->n);
    return o;
}

static blob bytes(const void *p, size_t n)
{
    blob o = {{0}, 0};
    put(&o, p, n);
    return o;
}

static blob cat2(blob a, blob b)
{
    put(&a, b.b, b.n);
    return a;
}

static const uint8_t OID_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t OID_EC[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};

/* An odd modulus of n_bytes (top byte 0xC5) as INTEGER contents (sign octet added). */
static blob modulus(size_t n_bytes)
{
    blob o = {{0}, 0};
    uint8_t zero = 0;
    put(&o, &zero, 1);
    for (size_t i = 0; i < n_bytes; i++) {
        uint8_t v = i == 0 ? 0xC5 : (uint8_t)(i * 131 + 7);
        if (i == n_bytes - 1) {
            v |= 1;
        }
        put(&o, &v, 1);
    }
    return o;
}

static blob pkcs1(const blob *n, const blob *e)
{
    blob fields = cat2(tlv(0x02, n), tlv(0x02, e));
    return tlv(0x30, &fields);
}

static blob spki_with(const uint8_t *oid, size_t oid_len, bool null_params, const blob *inner)
{
    blob o = bytes(oid, oid_len);
    blob alg = tlv(0x06, &o);
    if (null_params) {
        alg = cat2(alg, bytes("\x05\x00", 2));
    }
    alg = tlv(0x30, &alg);
    blob bits = bytes("\x00", 1);
    put(&bits, inner->b, inner->n);
    blob body = cat2(alg, tlv(0x03, &bits));
    return tlv(0x30, &body);
}

static blob spki(const blob *n, const blob *e)
{
    blob inner = pkcs1(n, e);
    return spki_with(OID_RSA, sizeof(OID_RSA), true, &inner);
}

static const blob E65537 = {{0x01, 0x00, 0x01}, 3};

/* ---- real keys ------------------------------------------------------------------------- */

static void test_real_keys(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        ms__key_type type;
        const char *p;
        unsigned want_bits;
    } CASES[] = {
        {"RFC 8463 A.2 rsa (1024-bit SPKI)", MS__KEY_RSA, RFC8463_RSA_P, 1024},
        {"RFC 8463 A.2 ed25519", MS__KEY_ED25519, RFC8463_ED25519_P, 256},
        {"Mail::DKIM 512-bit key: parses, reports 512", MS__KEY_RSA, MAILDKIM_RSA512_P, 512},
        {"folded p= (RFC 6376 §3.6.1 FWS)", MS__KEY_RSA,
         "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALgSoqXVSEmfcIsOzw7oRuCCOwsmtX/SJnTW\r\n\t"
         "xYyj2leFxfS/AVJ+dYfY+hXqMsT7l+MZvvh/R1WzN4MO/kI/7XsCAwEAAQ = =",
         512},
        {"Mail::DKIM ed25519 (wander.science)", MS__KEY_ED25519,
         "pP+YUyRjAvKha4Oc49KAY703oLUS1NLMEuGD3IHMKww=", 256},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        ms__pubkey *key = NULL;
        ms__key_error err = {NULL, 0, false};
        ms_status st =
            ms__crypto_pubkey_parse(CASES[i].type, CASES[i].p, strlen(CASES[i].p), &key, &err);
        EXPECT(st == MS_OK, "%s: got %s (%s at %zu), want MS_OK", CASES[i].name, ms_status_name(st),
               err.reason ? err.reason : "", err.offset);
        if (st == MS_OK) {
            EXPECT(ms__crypto_pubkey_bits(key) == CASES[i].want_bits, "%s: got %u bits, want %u",
                   CASES[i].name, ms__crypto_pubkey_bits(key), CASES[i].want_bits);
            EXPECT(ms__crypto_pubkey_type(key) == CASES[i].type, "%s: type", CASES[i].name);
        }
        ms__crypto_pubkey_free(key);
    }
    assert_int_equal(n_bad, 0);
}

/* Some signers publish the bare PKCS#1 RSAPublicKey instead of the SubjectPublicKeyInfo. */
static void test_pkcs1_form(void **state)
{
    (void)state;
    uint8_t der[512];
    size_t n = 0;
    assert_int_equal(
        ms__base64_decode(RFC8463_RSA_P, strlen(RFC8463_RSA_P), 0, der, sizeof(der), &n, NULL),
        MS_OK);
    /* SPKI header for 1024 bits: 30 81 9f | 30 0d <oid> 05 00 | 03 81 8d 00 | RSAPublicKey */
    assert_int_equal(der[18], 0x03);
    const uint8_t *inner = der + 22;
    size_t inner_len = n - 22;
    assert_int_equal(inner[0], 0x30);
    ms__pubkey *a = NULL, *b = NULL;
    ms__key_error err = {NULL, 0, false};
    assert_int_equal(ms__crypto_pubkey_from_der(MS__KEY_RSA, inner, inner_len, &a, &err), MS_OK);
    assert_int_equal(ms__crypto_pubkey_bits(a), 1024);
    assert_int_equal(ms__crypto_pubkey_from_der(MS__KEY_RSA, der, n, &b, &err), MS_OK);
    assert_int_equal(ms__crypto_pubkey_bits(b), 1024);
    ms__crypto_pubkey_free(a);
    ms__crypto_pubkey_free(b);

    /* Hand-made forms: parameters absent (tolerated), leading zeros in a long-form length. */
    blob nn = modulus(128);
    blob inner2 = pkcs1(&nn, &E65537);
    blob no_params = spki_with(OID_RSA, sizeof(OID_RSA), false, &inner2);
    assert_int_equal(ms__crypto_pubkey_from_der(MS__KEY_RSA, no_params.b, no_params.n, &a, &err),
                     MS_OK);
    ms__crypto_pubkey_free(a);
    assert_int_equal(inner2.b[1], 0x81); /* 30 81 LL: written again as 30 83 00 00 LL */
    blob padded_len = bytes("\x30\x83\x00\x00", 4);
    put(&padded_len, inner2.b + 2, inner2.n - 2);
    assert_int_equal(ms__crypto_pubkey_from_der(MS__KEY_RSA, padded_len.b, padded_len.n, &a, &err),
                     MS_OK);
    assert_int_equal(ms__crypto_pubkey_bits(a), 1024);
    ms__crypto_pubkey_free(a);
}

/* ---- keys that are not keys ------------------------------------------------------------ */

typedef struct bad_key {
    const char *name;
    blob der;
    ms_status want;
    const char *want_reason; /* a word the reason contains */
} bad_key;

static void check_bad(const bad_key *c, ms__key_type type)
{
    ms__pubkey *key = (ms__pubkey *)1;
    ms__key_error err = {NULL, 9999, true};
    ms_status st = ms__crypto_pubkey_from_der(type, c->der.b, c->der.n, &key, &err);
    EXPECT(st == c->want, "%s: got %s, want %s", c->name, ms_status_name(st),
           ms_status_name(c->want));
    EXPECT(key == NULL, "%s: a key came back with an error", c->name);
    EXPECT(err.reason != NULL && strstr(err.reason, c->want_reason) != NULL &&
               strstr(err.reason, "§") != NULL,
           "%s: got reason \"%s\", want one with \"%s\" and a section", c->name,
           err.reason ? err.reason : "(null)", c->want_reason);
    EXPECT(err.offset <= c->der.n && !err.is_in_text, "%s: offset %zu outside %zu bytes", c->name,
           err.offset, c->der.n);
    /* Every proper prefix fails too, and nothing reads past the end (ASan). */
    for (size_t cut = 0; cut < c->der.n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, c->der.b, cut);
        key = NULL;
        st = ms__crypto_pubkey_from_der(type, copy, cut, &key, NULL);
        EXPECT((st == MS_OK) == (key != NULL), "%s cut at %zu: status and key disagree", c->name,
               cut);
        ms__crypto_pubkey_free(key);
        free(copy);
    }
}

static void test_bad_rsa(void **state)
{
    (void)state;
    blob n1024 = modulus(128), n512 = modulus(64);
    blob even = n1024;
    even.b[even.n - 1] &= 0xFE;
    blob e1 = bytes("\x01", 1), e2 = bytes("\x02", 1), e0 = bytes("\x00", 1);
    blob e_neg = bytes("\x81\x00\x01", 3),
         e_long = bytes("\x01\x00\x00\x00\x00\x00\x00\x00\x01", 9);
    blob e_pad = bytes("\x00\x01\x00\x01", 4);
    blob n_neg = modulus(128);
    memmove(n_neg.b, n_neg.b + 1, 128); /* drop the sign octet: top byte 0xC5 is negative */
    n_neg.n = 128;
    blob n_huge = modulus(1025); /* 8193..8200 bits */
    blob n_8192 = modulus(1024);
    n_8192.b[1] = 0x85;
    blob good = spki(&n1024, &E65537);
    blob trailing = cat2(good, bytes("\x00", 1));
    blob inner_trailing = pkcs1(&n1024, &E65537);
    put(&inner_trailing, "\x02\x01\x03", 3);
    blob inner_extra = cat2(tlv(0x02, &n1024), cat2(tlv(0x02, &E65537), tlv(0x02, &E65537)));
    inner_extra = tlv(0x30, &inner_extra);
    blob ec_inner = bytes("\x04\x01\x02", 3);
    /* AlgorithmIdentifier { rsaEncryption, INTEGER 0 } instead of NULL parameters */
    blob oid = bytes(OID_RSA, sizeof(OID_RSA));
    blob alg = cat2(tlv(0x06, &oid), bytes("\x02\x01\x00", 3));
    alg = tlv(0x30, &alg);
    blob bits = bytes("\x00", 1);
    blob pk = pkcs1(&n1024, &E65537);
    put(&bits, pk.b, pk.n);
    blob bad_params = cat2(alg, tlv(0x03, &bits));
    bad_params = tlv(0x30, &bad_params);
    blob unused_bits = good;
    /* the BIT STRING's first content byte counts unused bits: at 3 + 15 + 3 */
    assert_int_equal(unused_bits.b[18], 0x03);
    unused_bits.b[21] = 0x01;
    blob indefinite = good;
    indefinite.b[1] = 0x80;
    blob too_long_len = good;
    too_long_len.b[2] = (uint8_t)(too_long_len.b[2] + 1);
    blob opaque_e = pkcs1(&n512, &e_pad);

    bad_key cases[] = {
        {"empty", {{0}, 0}, MS_ESYNTAX, "revoked"},
        {"garbage bytes", bytes("garbage!", 8), MS_ESYNTAX, "SEQUENCE"},
        {"a lone SEQUENCE tag", bytes("\x30", 1), MS_ESYNTAX, "SEQUENCE"},
        {"SEQUENCE longer than the input", bytes("\x30\x10\x02\x01\x01", 5), MS_ESYNTAX,
         "past the end"},
        {"indefinite length", indefinite, MS_ESYNTAX, "indefinite"},
        {"outer length one too long", too_long_len, MS_ESYNTAX, "past the end"},
        {"data after the key", trailing, MS_ESYNTAX, "after"},
        {"data after the exponent", inner_extra, MS_ESYNTAX, "after the RSA public exponent"},
        {"data after a bare RSAPublicKey", inner_trailing, MS_ESYNTAX, "after the key"},
        {"wrong OID (id-ecPublicKey)", spki_with(OID_EC, sizeof(OID_EC), false, &ec_inner),
         MS_ESYNTAX, "not rsaEncryption"},
        {"Ed25519 SPKI where RSA is wanted",
         spki_with((const uint8_t *)"\x2b\x65\x70", 3, false, &ec_inner), MS_ESYNTAX, "Ed25519"},
        {"unused bits in the BIT STRING", unused_bits, MS_ESYNTAX, "unused bits"},
        {"e=1", spki(&n1024, &e1), MS_ESYNTAX, "exponent must be odd"},
        {"e=2", spki(&n1024, &e2), MS_ESYNTAX, "exponent must be odd"},
        {"e=0", spki(&n1024, &e0), MS_ESYNTAX, "exponent must be odd"},
        {"negative e", spki(&n1024, &e_neg), MS_ESYNTAX, "negative"},
        {"e over 64 bits", spki(&n1024, &e_long), MS_ELIMIT, "64 bits"},
        {"e with a superfluous zero", opaque_e, MS_ESYNTAX, "leading zero"},
        {"even modulus", spki(&even, &E65537), MS_ESYNTAX, "even"},
        {"negative modulus", spki(&n_neg, &E65537), MS_ESYNTAX, "negative"},
        {"modulus of 8200 bits", spki(&n_huge, &E65537), MS_ELIMIT, "8192"},
        {"modulus 1 (e not below it)", pkcs1(&e1, &E65537), MS_ESYNTAX, "modulus is even"},
        {"modulus with a superfluous zero", pkcs1(&(blob){{0x00, 0x01, 0x00, 0x01}, 4}, &E65537),
         MS_ESYNTAX, "leading zero"},
        {"parameters not NULL", bad_params, MS_ESYNTAX, "parameters must be NULL"},
        {"e equal to n", pkcs1(&(blob){{0x01, 0x00, 0x01}, 3}, &E65537), MS_ESYNTAX,
         "not below the modulus"},
        {"empty INTEGER", pkcs1(&(blob){{0}, 0}, &E65537), MS_ESYNTAX, "no contents"},
        {"INTEGER where SEQUENCE", tlv(0x02, &n1024), MS_ESYNTAX, "SEQUENCE"},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_bad(&cases[i], MS__KEY_RSA);
    }
    /* 8192 bits exactly is the cap, and parses. */
    blob at_cap = spki(&n_8192, &E65537);
    ms__pubkey *key = NULL;
    assert_int_equal(ms__crypto_pubkey_from_der(MS__KEY_RSA, at_cap.b, at_cap.n, &key, NULL),
                     MS_OK);
    assert_int_equal(ms__crypto_pubkey_bits(key), 8192);
    ms__crypto_pubkey_free(key);
    assert_int_equal(n_bad, 0);
}

static void test_bad_ed25519(void **state)
{
    (void)state;
    uint8_t raw[32];
    size_t n = 0;
    assert_int_equal(ms__base64_decode(RFC8463_ED25519_P, strlen(RFC8463_ED25519_P), 0, raw,
                                       sizeof(raw), &n, NULL),
                     MS_OK);
    blob raw_blob = bytes(raw, 32);
    blob spki_ed = spki_with((const uint8_t *)"\x2b\x65\x70", 3, false, &raw_blob);
    blob identity = bytes("\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 32);
    blob all_ff = {{0}, 32};
    memset(all_ff.b, 0xff, 32);
    bad_key cases[] = {
        {"31 bytes", bytes(raw, 31), MS_ESYNTAX, "32 bytes"},
        {"33 bytes", cat2(raw_blob, bytes("\x00", 1)), MS_ESYNTAX, "32 bytes"},
        {"SPKI-wrapped (44 bytes)", spki_ed, MS_ESYNTAX, "raw 32-byte"},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_bad(&cases[i], MS__KEY_ED25519);
    }
    /* Keys that are 32 bytes but not usable points parse (checking costs as much as a verify)
     * and then verify nothing, with the key named as the reason. */
    const blob *not_points[] = {&identity, &all_ff};
    for (size_t i = 0; i < 2; i++) {
        ms__pubkey *key = NULL;
        uint8_t digest[32] = {0}, sig[64] = {0};
        bool ok = true;
        const char *why = NULL;
        assert_int_equal(
            ms__crypto_pubkey_from_der(MS__KEY_ED25519, not_points[i]->b, 32, &key, NULL), MS_OK);
        assert_int_equal(ms__crypto_verify(key, MS__HASH_SHA256, digest, 32, sig, 64, &ok, &why),
                         MS_OK);
        assert_false(ok);
        assert_non_null(strstr(why, "not a point"));
        ms__crypto_pubkey_free(key);
    }
    /* An RSA key is not an Ed25519 key, and the other way round. */
    ms__pubkey *key = NULL;
    ms__key_error err = {NULL, 0, false};
    assert_int_equal(
        ms__crypto_pubkey_parse(MS__KEY_ED25519, RFC8463_RSA_P, strlen(RFC8463_RSA_P), &key, &err),
        MS_ESYNTAX);
    assert_int_equal(ms__crypto_pubkey_parse(MS__KEY_RSA, RFC8463_ED25519_P,
                                             strlen(RFC8463_ED25519_P), &key, &err),
                     MS_ESYNTAX);
    assert_null(key);
    assert_int_equal(n_bad, 0);
}

/* bad-inputs DKIM-11: a 32768-bit key's p= (5,512 chars) is refused by its length before any
 * decoding; a 16384-bit one (2,800 chars) decodes but is refused by its modulus size. */
static void test_caps(void **state)
{
    (void)state;
    static char text[8192];
    ms__pubkey *key = NULL;
    ms__key_error err = {NULL, 0, false};

    /* Over the text cap: even a string of junk is refused for its length, not its bytes. */
    memset(text, '@', 5512);
    assert_int_equal(ms__crypto_pubkey_parse(MS__KEY_RSA, text, 5512, &key, &err), MS_ELIMIT);
    assert_non_null(strstr(err.reason, "4096"));
    assert_true(err.is_in_text);
    assert_int_equal(err.offset, MS_LIMIT_DKIM_KEY_B64);

    /* 16384 bits: 2048-byte modulus, ~2100 bytes of DER, ~2800 characters. */
    blob n16k = modulus(2048);
    blob k16k = spki(&n16k, &E65537);
    size_t len = 0;
    assert_int_equal(ms__base64_encode(k16k.b, k16k.n, text, sizeof(text), &len), MS_OK);
    assert_true(len > 2700 && len < MS_LIMIT_DKIM_KEY_B64);
    assert_int_equal(ms__crypto_pubkey_parse(MS__KEY_RSA, text, len, &key, &err), MS_ELIMIT);
    assert_non_null(strstr(err.reason, "8192"));
    assert_false(err.is_in_text);

    /* Exactly 4096 characters is allowed through to the decoder (here: too much DER is fine,
     * the modulus decides). 4096 spaces decode to nothing: an empty key. */
    memset(text, ' ', 4096);
    assert_int_equal(ms__crypto_pubkey_parse(MS__KEY_RSA, text, 4096, &key, &err), MS_ESYNTAX);
    assert_non_null(strstr(err.reason, "revoked"));

    /* Bad base64 reports the offset in the text. */
    assert_int_equal(ms__crypto_pubkey_parse(MS__KEY_RSA, "MIGf;MA0G", 9, &key, &err), MS_ESYNTAX);
    assert_true(err.is_in_text);
    assert_int_equal(err.offset, 4);
    assert_null(key);
}

/* ---- one key, many threads, many references ------------------------------------------- */

typedef struct shared {
    ms__pubkey *key;
    const uint8_t *digest;
    const uint8_t *sig;
    size_t sig_len;
    int n_valid;
} shared;

static void *verify_many(void *arg)
{
    shared *s = arg;
    for (int i = 0; i < 200; i++) {
        ms__pubkey *mine = ms__crypto_pubkey_dup(s->key);
        bool ok = false;
        if (ms__crypto_verify(mine, MS__HASH_SHA256, s->digest, 32, s->sig, s->sig_len, &ok,
                              NULL) == MS_OK &&
            ok) {
            s->n_valid++;
        }
        ms__crypto_pubkey_free(mine);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    ms__pubkey *key = NULL;
    assert_int_equal(
        ms__crypto_pubkey_parse(MS__KEY_RSA, RFC8463_RSA_P, strlen(RFC8463_RSA_P), &key, NULL),
        MS_OK);
    uint8_t digest[32], sig[256];
    size_t sig_len = 0;
    assert_int_equal(ms__crypto_digest_once(MS__HASH_SHA256, RFC8463_RSA_HEADER_DATA,
                                            strlen(RFC8463_RSA_HEADER_DATA), digest,
                                            sizeof(digest)),
                     MS_OK);
    assert_int_equal(ms__base64_decode(RFC8463_RSA_B, strlen(RFC8463_RSA_B), MS__BASE64_SKIP_FWS,
                                       sig, sizeof(sig), &sig_len, NULL),
                     MS_OK);
    pthread_t t[4];
    shared s[4];
    for (int i = 0; i < 4; i++) {
        s[i] = (shared){key, digest, sig, sig_len, 0};
        assert_int_equal(pthread_create(&t[i], NULL, verify_many, &s[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(s[i].n_valid, 200);
    }
    ms__crypto_pubkey_free(key); /* the last reference */
    ms__crypto_pubkey_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_keys), cmocka_unit_test(test_pkcs1_form),
        cmocka_unit_test(test_bad_rsa),   cmocka_unit_test(test_bad_ed25519),
        cmocka_unit_test(test_caps),      cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
