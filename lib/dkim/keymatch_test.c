/* SPDX-License-Identifier: MIT */
/* ms_dkim_keypair_match_record (mailseal/dkimkey.h): a key record published for a private key
 * matches it (RFC 6376 §3.6.1 SubjectPublicKeyInfo or the bare RSAPublicKey form, RFC 8463 §4
 * raw Ed25519, folded p=), another key or another k= differs, an empty p= is revoked, and a
 * record that is no DKIM key is unusable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "base/base64.h"
#include "crypto/test_keys.h"
#include "mailseal/dkimkey.h"

/* The RFC 8463 RSA key as a bare PKCS#1 RSAPublicKey: the SubjectPublicKeyInfo minus its
 * 22-byte header (SEQUENCE, AlgorithmIdentifier, BIT STRING tag, length and unused-bits). */
static char *rsa_pkcs1_b64(void)
{
    uint8_t der[512];
    size_t n = 0;
    assert_int_equal(
        ms__base64_decode(RFC8463_RSA_P, strlen(RFC8463_RSA_P), 0, der, sizeof(der), &n, NULL),
        MS_OK);
    assert_true(n > 22);
    assert_int_equal(der[22], 0x30);
    char *out = malloc(1024);
    assert_non_null(out);
    assert_int_equal(ms__base64_encode(der + 22, n - 22, out, 1024, NULL), MS_OK);
    return out;
}

typedef struct match_case {
    const char *name;
    int key;            /* 0: the RFC 8463 RSA key, 1: ed25519 A, 2: ed25519 B */
    const char *record; /* %s: ed25519 A's p=, %t: the bare RSA key; else as is */
    ms_dkim_record_match want;
    const char *want_reason; /* a part of the reason, NULL: no reason */
} match_case;

static const match_case CASES[] = {
    {"rsa spki matches", 0, "v=DKIM1; k=rsa; p=" RFC8463_RSA_P, MS_DKIM_RECORD_MATCHES, NULL},
    {"rsa without k= matches", 0, "v=DKIM1; p=" RFC8463_RSA_P, MS_DKIM_RECORD_MATCHES, NULL},
    {"rsa bare RSAPublicKey matches", 0, "v=DKIM1; p=%t", MS_DKIM_RECORD_MATCHES, NULL},
    {"rsa other key differs", 0, "v=DKIM1; p=" MAILDKIM_RSA512_P, MS_DKIM_RECORD_DIFFERS,
     "not the public half"},
    {"rsa key, k=ed25519 record", 0, "v=DKIM1; k=ed25519; p=%s", MS_DKIM_RECORD_DIFFERS,
     "k=ed25519"},
    {"ed25519 matches", 1, "v=DKIM1; k=ed25519; p=%s", MS_DKIM_RECORD_MATCHES, NULL},
    {"ed25519 folded p= matches", 1, "v=DKIM1; k=ed25519; p=%f", MS_DKIM_RECORD_MATCHES, NULL},
    {"ed25519 other key differs", 2, "v=DKIM1; k=ed25519; p=%s", MS_DKIM_RECORD_DIFFERS,
     "not the public half"},
    {"ed25519 key, rsa record", 1, "v=DKIM1; p=" RFC8463_RSA_P, MS_DKIM_RECORD_DIFFERS, "RSA key"},
    {"revoked", 1, "v=DKIM1; k=ed25519; p=", MS_DKIM_RECORD_REVOKED, NULL},
    {"revoked rsa", 0, "v=DKIM1; p=", MS_DKIM_RECORD_REVOKED, NULL},
    {"spf record is unusable", 0, "v=spf1 -all", MS_DKIM_RECORD_UNUSABLE, ""},
    {"bad version is unusable", 1, "v=DKIM2; k=ed25519; p=%s", MS_DKIM_RECORD_UNUSABLE, ""},
    {"empty text is unusable", 0, "", MS_DKIM_RECORD_UNUSABLE, ""},
};

/* The record with its placeholder filled. */
static void fill(const char *tmpl, const char *ed_a, const char *pkcs1, char *out, size_t size)
{
    const char *pct = strchr(tmpl, '%');
    if (pct == NULL) {
        snprintf(out, size, "%s", tmpl);
        return;
    }
    char value[1200];
    if (pct[1] == 's') {
        snprintf(value, sizeof(value), "%s", ed_a);
    } else if (pct[1] == 'f') { /* folded as a zone file's long strings join: spaces inside */
        snprintf(value, sizeof(value), "%.20s \t %s", ed_a, ed_a + 20);
    } else {
        snprintf(value, sizeof(value), "%s", pkcs1);
    }
    snprintf(out, size, "%.*s%s%s", (int)(pct - tmpl), tmpl, value, pct + 2);
}

static void test_match_cases(void **state)
{
    (void)state;
    ms_dkim_keypair *keys[3] = {NULL, NULL, NULL};
    const char *why = NULL;
    assert_int_equal(
        ms_dkim_keypair_from_pem(RFC8463_RSA_PEM, strlen(RFC8463_RSA_PEM), &keys[0], &why), MS_OK);
    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_ED25519, 0, &keys[1]), MS_OK);
    assert_int_equal(ms_dkim_keypair_generate(MS_DKIM_KEY_ED25519, 0, &keys[2]), MS_OK);
    char *pkcs1 = rsa_pkcs1_b64();
    const char *ed_a = ms_dkim_keypair_public_b64(keys[1], NULL);
    int failures = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const match_case *c = &CASES[i];
        char rec[2048];
        fill(c->record, ed_a, pkcs1, rec, sizeof(rec));
        size_t len = strlen(rec);
        char *txt = exact(rec, len);
        ms_dkim_record_match got = MS_DKIM_RECORD_MATCHES;
        const char *reason = "unset";
        ms_status st = ms_dkim_keypair_match_record(keys[c->key], txt, len, &got, &reason);
        free(txt);
        if (st != MS_OK || got != c->want) {
            print_message("%s: got %s (status %s, reason %s), want %s\n", c->name,
                          ms_dkim_record_match_name(got), ms_status_str(st),
                          reason ? reason : "none", ms_dkim_record_match_name(c->want));
            failures++;
            continue;
        }
        if (c->want_reason == NULL ? reason != NULL
                                   : reason == NULL || strstr(reason, c->want_reason) == NULL) {
            print_message("%s: got reason %s, want %s\n", c->name, reason ? reason : "none",
                          c->want_reason ? c->want_reason : "none");
            failures++;
        }
    }
    free(pkcs1);
    for (size_t i = 0; i < 3; i++) {
        ms_dkim_keypair_free(keys[i]);
    }
    assert_int_equal(failures, 0);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ms_dkim_record_match_name(MS_DKIM_RECORD_DIFFERS), "DIFFERS");
    assert_string_equal(ms_dkim_record_match_str(MS_DKIM_RECORD_REVOKED),
                        "the record is revoked (empty p=)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_cases),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
