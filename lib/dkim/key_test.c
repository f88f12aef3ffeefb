/* SPDX-License-Identifier: MIT */
/* DKIM key records, RFC 6376 §3.6.1 and §6.1.2 (+ RFC 8463 §4): real records (RFC 8463 A.2,
 * Mail::DKIM's FAKE_DNS.dat, mail-auth) parsed back, every invalid record refused with its
 * kind, offset and reason, the key/signature match of §6.1.2 steps 6-8, and the key rows of
 * shared/bad-inputs.md §3.2 (DKIM-11, DKIM-19, DKIM-20). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "base/limits.h"
#include "dkim/key.h"

#include "ms_expect.h"

/* Public keys of the conformance suites. */
#define P_ED "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define P_RSA                                                                                      \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"   \
    "J16"                                                                                          \
    "JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2E" \
    "eC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
#define P_512                                                                                      \
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALgSoqXVSEmfcIsOzw7oRuCCOwsmtX/SJnTWxYyj2leFxfS/"             \
    "AVJ+dYfY+hXqMs"                                                                               \
    "T7l+MZvvh/R1WzN4MO/kI/7XsCAwEAAQ=="
#define P_PKCS1                                                                                    \
    "MIGJAoGBALVI635dLK4cJJAH3Lx6upo3X/"                                                           \
    "Lm1tQz3mezcWTA3BUBnyIsdnRf57aD5BtNmhPrYYDlWlzw3UgnKisIxktkk5"                                 \
    "+iMQMlFtAS10JB8L3YadXNJY+JBcbeSi5TgJe4WFzNgW95FWDAuSTRXSWZfA/"                                \
    "8xjflbTLDx0euFZOM7C4T0GwLAgMBAAE="
#define P_ED_SPKI "MCowBQYDK2VwAyEA3SUqa9UbfciWkk7tlcJ9P1VD5pXAasg0JUn/OgjVbKE="

/* The fields as one line. */
static void render(const ms__dkim_key *key, char *buf, size_t size)
{
    snprintf(buf, size, "k=%s p=%zu%s h=%s%s%s%s%s%s",
             key->type == MS__DKIM_KEY_RSA ? "rsa" : "ed25519", key->p_len,
             key->is_revoked ? "(revoked)" : "", key->has_h ? "" : "(all)",
             key->allows_sha1 ? " sha1" : "", key->allows_sha256 ? " sha256" : "",
             key->is_email ? " email" : " not-email", key->is_testing ? " testing" : "",
             key->is_strict ? " strict" : "");
}

/* ---- valid records --------------------------------------------------------------------- */

typedef struct ok_case {
    const char *name;
    const char *txt;
    const char *want;
} ok_case;

static const ok_case OK[] = {
    {"RFC 8463 A.2 ed25519", "v=DKIM1; k=ed25519; p=" P_ED,
     "k=ed25519 p=44 h=(all) sha1 sha256 email"},
    {"RFC 8463 A.2 rsa", "v=DKIM1; k=rsa; p=" P_RSA, "k=rsa p=216 h=(all) sha1 sha256 email"},
    {"no v= (Mail::DKIM selector1)", "k=rsa; p=" P_RSA, "k=rsa p=216 h=(all) sha1 sha256 email"},
    {"only p=", "p=" P_RSA, "k=rsa p=216 h=(all) sha1 sha256 email"},
    {"bare PKCS#1 key (mail-auth 002)", "v=DKIM1; p=" P_PKCS1,
     "k=rsa p=188 h=(all) sha1 sha256 email"},
    {"t=y; s=email (Mail::DKIM test1)", "v=DKIM1; t=y; s=email; p=" P_512,
     "k=rsa p=128 h=(all) sha1 sha256 email testing"},
    {"extra tags, spaces, trailing '; ' (Mail::DKIM test2)",
     "v=DKIM1; s=email:web:fine; x1 = extra ; t = y:n:extra; h=md5:sha1; p=" P_512 " ; ",
     "k=rsa p=128 h= sha1 email testing"},
    {"g= of RFC 4871 is an unknown tag (Mail::DKIM test3)", "v=DKIM1; g=jl*g; p=" P_512,
     "k=rsa p=128 h=(all) sha1 sha256 email"},
    {"empty g= (Mail::DKIM test4)", "v=DKIM1; g=; p=" P_512,
     "k=rsa p=128 h=(all) sha1 sha256 email"},
    {"t=s (Mail::DKIM test5)", "v=DKIM1; t=s; p=" P_512,
     "k=rsa p=128 h=(all) sha1 sha256 email strict"},
    {"h= three hashes, n= with %, g=*, s=* (Mail::DKIM shan)",
     "v=DKIM1; k=rsa; h=sha1:sha256:sha512;n=send%20comments%20to%20tony%40att%2Ecom; g=*; "
     "s=*;p=" P_512,
     "k=rsa p=128 h= sha1 sha256 email"},
    {"revoked: empty p= (Mail::DKIM testrevoked)",
     "k=rsa; t=y; p=", "k=rsa p=0(revoked) h=(all) sha1 sha256 email testing"},
    {"revoked ed25519",
     "v=DKIM1; k=ed25519; p=", "k=ed25519 p=0(revoked) h=(all) sha1 sha256 email"},
    {"n= with a space (Mail::DKIM s1024)", "k=rsa; t=y; p=" P_512 "; n=A 1024 bit key;",
     "k=rsa p=128 h=(all) sha1 sha256 email testing"},
    {"t=s; h=sha256 (mail-auth 004)", "k=rsa; t=s; h=sha256; p=" P_RSA,
     "k=rsa p=216 h= sha256 email strict"},
    {"t= after p= (mail-auth 006)", "v=DKIM1; h=sha256; p=" P_RSA "; t=s",
     "k=rsa p=216 h= sha256 email strict"},
    {"h=sha1 only", "h=sha1; p=" P_RSA, "k=rsa p=216 h= sha1 email"},
    {"h= with FWS around ':'", "h=sha1 :\r\n sha256 ; p=" P_RSA,
     "k=rsa p=216 h= sha1 sha256 email"},
    {"h= unknown names only (Mail::DKIM testbad7)", "v=DKIM1; h=bad; p=" P_512,
     "k=rsa p=128 h= email"},
    {"s=tlsrpt: parsed, not for email", "v=DKIM1; s=tlsrpt; p=" P_RSA,
     "k=rsa p=216 h=(all) sha1 sha256 not-email"},
    {"s=chat (Mail::DKIM testbad4)", "v=DKIM1; s=chat; p=" P_512,
     "k=rsa p=128 h=(all) sha1 sha256 not-email"},
    {"s=tlsrpt:email", "s=tlsrpt:email; p=" P_RSA, "k=rsa p=216 h=(all) sha1 sha256 email"},
    {"unknown flag ignored", "t=foo:y; p=" P_RSA, "k=rsa p=216 h=(all) sha1 sha256 email testing"},
    {"split TXT strings joined (DKIM-20)",
     "v=DKIM1; k=rsa; "
     "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNAD"
     "CBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16"
     "JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3"
     "rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
     "k=rsa p=216 h=(all) sha1 sha256 email"},
    {"p= with spaces and folding", "p=MIGf MA0G\r\n\tCSqG", "k=rsa p=12 h=(all) sha1 sha256 email"},
    {"ed25519 p= with its pad folded", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo =",
     "k=ed25519 p=44 h=(all) sha1 sha256 email"},
};

static void test_key_valid(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        const ok_case *c = &OK[i];
        size_t len = strlen(c->txt);
        char *copy = exact(c->txt, len);
        const ms__dkim_key *key = NULL;
        ms__dkim_error err;
        ms_status st = ms__dkim_key_parse(copy, len, arena, &key, &err);
        EXPECT(st == MS_OK, "case %s: got %s (%s at %zu: %s, \"%s\"), want MS_OK", c->name,
               ms_status_name(st), ms_dkim_permfail_name(err.kind), err.offset,
               err.reason ? err.reason : "", err.detail);
        if (st == MS_OK) {
            char got[256];
            render(key, got, sizeof(got));
            EXPECT(strcmp(got, c->want) == 0, "case %s: got \"%s\", want \"%s\"", c->name, got,
                   c->want);
            EXPECT(strlen(key->p) == key->p_len && strpbrk(key->p, " \t\r\n") == NULL,
                   "case %s: got p= \"%s\" with folding left", c->name, key->p);
        }
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* ---- invalid records ------------------------------------------------------------------- */

typedef struct err_case {
    const char *name;
    const char *txt;
    size_t len; /* 0 = strlen */
    ms_dkim_permfail want_kind;
    const char *want_at; /* the offset is this text's first place in txt; NULL = the end */
    const char *want_reason;
    const char *want_detail;
} err_case;

#define KSYN MS_DKIM_PERMFAIL_KEY_SYNTAX
#define KVER MS_DKIM_PERMFAIL_KEY_VERSION
#define NUL_KEY "v=DKIM1; k=rsa\0; p=" P_RSA

static const err_case ERR[] = {
    /* DKIM-19 and Mail::DKIM's bad keys */
    {"v=DKIM1\\; (DKIM-19)", "v=DKIM1\\; p=" P_RSA, 0, KVER, "DKIM1", "must be DKIM1",
     "DKIM1\\x5c"},
    {"v=DKIM2 (DKIM-19)", "v=DKIM2; p=" P_RSA, 0, KVER, "DKIM2", "must be DKIM1", "DKIM2"},
    {"v=DKIM3 (Mail::DKIM testbad1)", "v=DKIM3; t=y; p=" P_512, 0, KVER, "DKIM3", "must be DKIM1",
     "DKIM3"},
    {"v=DKIM1.0", "v=DKIM1.0; p=" P_RSA, 0, KVER, "DKIM1.0", "must be DKIM1", "DKIM1.0"},
    {"v=dkim1 (a string comparison)", "v=dkim1; p=" P_RSA, 0, KVER, "dkim1", "must be DKIM1",
     "dkim1"},
    {"v= empty", "v=; p=" P_RSA, 0, KVER, "; p=", "must be DKIM1", ""},
    {"v= not first", "k=rsa; v=DKIM1; p=" P_RSA, 0, KVER, "DKIM1", "first tag", "DKIM1"},
    {"k=foo (DKIM-19)", "v=DKIM1; k=foo; p=" P_RSA, 0, MS_DKIM_PERMFAIL_KEY_TYPE, "foo",
     "unknown key type", "foo"},
    {"k=foobar (Mail::DKIM testbad3)", "k=foobar; t=y; p=" P_512, 0, MS_DKIM_PERMFAIL_KEY_TYPE,
     "foobar", "unknown key type", "foobar"},
    {"k=RSA (case-sensitive)", "k=RSA; p=" P_RSA, 0, MS_DKIM_PERMFAIL_KEY_TYPE, "RSA",
     "unknown key type", "RSA"},
    {"k= empty", "k=; p=" P_RSA, 0, KSYN, "; p=", "one key type", ""},
    {"k= a list", "k=rsa:ed25519; p=" P_RSA, 0, KSYN, "rsa:", "one key type", "rsa:ed25519"},
    {"tag without '=' (Mail::DKIM testbad2)", "k=rsa; t; p=" P_512, 0, KSYN, "; p=", "expected '='",
     "t; p="},
    {"empty record (Mail::DKIM 2023-05-ed25519-empty)", "", 0, KSYN, NULL, "empty tag-list", ""},
    {"no p=", "v=DKIM1; k=rsa", 0, KSYN, NULL, "needs p=", "v=DKIM1; k=rsa"},
    {"duplicate p=", "p=" P_RSA "; p=QUJD", 0, KSYN, "p=QUJD", "duplicate tag", "p"},
    {"p=@@@", "p=@@@", 0, KSYN, "@@@", "not a base64 character", "@@@"},
    {"p= of 3 characters", "p=QUJ", 0, KSYN, NULL, "multiple of 4", "QUJ"},
    {"p= base64url", "p=ab_d", 0, KSYN, "_d", "not a base64 character", "ab_d"},
    {"NUL in a record", NUL_KEY, sizeof(NUL_KEY) - 1, KSYN, "", "control character", "k=rsa\\x00"},
    {"bare LF in a record", "v=DKIM1;\np=" P_RSA, 0, KSYN, "\n", "folding whitespace", "\\x0a"},
    /* RFC 8463 §4.2: the raw 32-byte key */
    {"ed25519 p= is a SubjectPublicKeyInfo (Mail::DKIM invalid)",
     "v=DKIM1; k=ed25519; p=" P_ED_SPKI, 0, MS_DKIM_PERMFAIL_KEY_ALGORITHM, "MCow", "raw 32-byte",
     "MCow"},
    {"ed25519 p= of 31 bytes", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUR==", 0,
     MS_DKIM_PERMFAIL_KEY_ALGORITHM, "11qY", "raw 32-byte", "11qY"},
    /* lists */
    {"h= empty", "h=; p=" P_RSA, 0, KSYN, "; p=", "hash names", ""},
    {"h= trailing colon", "h=sha256:; p=" P_RSA, 0, KSYN, "; p=", "hash names", "sha256:"},
    {"h= name not a word", "h=sha_256; p=" P_RSA, 0, KSYN, "sha_256", "hash names", "sha_256"},
    {"s= empty", "s=; p=" P_RSA, 0, KSYN, "; p=", "service types", ""},
    {"s= '*x'", "s=email:*x; p=" P_RSA, 0, KSYN, "*x", "service types", "email:*x"},
    {"t= trailing colon", "t=y:; p=" P_RSA, 0, KSYN, "; p=", "flags", "y:"},
    {"t= with a space inside", "t=y s; p=" P_RSA, 0, KSYN, "s; p=", "flags", "y s"},
};

static size_t want_offset(const err_case *c, size_t len)
{
    if (c->want_at == NULL) {
        return len;
    }
    if (c->want_at[0] == '\0') {
        return (size_t)((const char *)memchr(c->txt, '\0', len) - c->txt);
    }
    const char *p = strstr(c->txt, c->want_at);
    return p ? (size_t)(p - c->txt) : SIZE_MAX;
}

static void check_errors(const err_case *cases, size_t n)
{
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < n; i++) {
        const err_case *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->txt);
        char *copy = exact(c->txt, len);
        const ms__dkim_key *key = (const ms__dkim_key *)1;
        ms__dkim_error err;
        ms_status st = ms__dkim_key_parse(copy, len, arena, &key, &err);
        EXPECT(st == MS_ESYNTAX, "case %s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        if (st == MS_ESYNTAX) {
            size_t want_off = want_offset(c, len);
            EXPECT(key == NULL, "case %s: got a key on error, want NULL", c->name);
            EXPECT(err.kind == c->want_kind, "case %s: got kind %s, want %s", c->name,
                   ms_dkim_permfail_name(err.kind), ms_dkim_permfail_name(c->want_kind));
            EXPECT(err.offset == want_off, "case %s: got offset %zu, want %zu", c->name, err.offset,
                   want_off);
            EXPECT(err.reason && strstr(err.reason, c->want_reason) && strstr(err.reason, "RFC "),
                   "case %s: got reason \"%s\", want one with \"%s\" and its RFC", c->name,
                   err.reason ? err.reason : "(null)", c->want_reason);
            EXPECT(strncmp(err.detail, c->want_detail, strlen(c->want_detail)) == 0,
                   "case %s: got detail \"%s\", want one starting \"%s\"", c->name, err.detail,
                   c->want_detail);
        }
        free(copy);
    }
    ms_arena_free(arena);
}

static void test_key_errors(void **state)
{
    (void)state;
    n_bad = 0;
    check_errors(ERR, sizeof(ERR) / sizeof(ERR[0]));
    assert_int_equal(n_bad, 0);
}

/* DKIM-11: p= is capped by length before anything decodes it; the record too. */
static void test_key_caps(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    const ms__dkim_key *key = NULL;
    ms__dkim_error err;
    size_t size = MS_LIMIT_DKIM_KEY_BYTES + 64;
    char *buf = malloc(size);
    assert_non_null(buf);
    static const size_t lens[] = {2800, MS_LIMIT_DKIM_KEY_P, MS_LIMIT_DKIM_KEY_P + 4, 5512};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        memcpy(buf, "v=DKIM1; k=rsa; p=", 18);
        memset(buf + 18, 'A', lens[i]);
        ms_status st = ms__dkim_key_parse(buf, 18 + lens[i], arena, &key, &err);
        if (lens[i] <= MS_LIMIT_DKIM_KEY_P) {
            /* A 16384-bit key (2,800 characters) is left to the modulus cap after decoding. */
            assert_int_equal(st, MS_OK);
            assert_int_equal(key->p_len, lens[i]);
        } else {
            assert_int_equal(st, MS_ESYNTAX);
            assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
            assert_int_equal(err.offset, 18);
            assert_string_equal(err.tag, "p");
            assert_non_null(strstr(err.reason, "MS_LIMIT_DKIM_KEY_P"));
        }
    }
    /* Folding does not count, every other character does (even invalid ones: the cap first). */
    memcpy(buf, "p=", 2);
    for (size_t i = 0; i < MS_LIMIT_DKIM_KEY_P / 4; i++) {
        memcpy(buf + 2 + 5 * i, "AAAA ", 5);
    }
    assert_int_equal(ms__dkim_key_parse(buf, 2 + 5 * (MS_LIMIT_DKIM_KEY_P / 4), arena, &key, &err),
                     MS_OK);
    assert_int_equal(key->p_len, MS_LIMIT_DKIM_KEY_P);
    buf[2] = '@';
    memset(buf + 3, '@', MS_LIMIT_DKIM_KEY_P + 1);
    assert_int_equal(ms__dkim_key_parse(buf, 4 + MS_LIMIT_DKIM_KEY_P, arena, &key, &err),
                     MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);

    /* A record over MS_LIMIT_DKIM_KEY_BYTES. */
    memcpy(buf, "p=; n=", 6);
    memset(buf + 6, 'n', MS_LIMIT_DKIM_KEY_BYTES - 6);
    assert_int_equal(ms__dkim_key_parse(buf, MS_LIMIT_DKIM_KEY_BYTES, arena, &key, &err), MS_OK);
    buf[MS_LIMIT_DKIM_KEY_BYTES] = 'n';
    assert_int_equal(ms__dkim_key_parse(buf, MS_LIMIT_DKIM_KEY_BYTES + 1, arena, &key, &err),
                     MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
    assert_int_equal(err.offset, MS_LIMIT_DKIM_KEY_BYTES);
    /* err may be NULL. */
    assert_int_equal(ms__dkim_key_parse("k=foo; p=", 9, arena, &key, NULL), MS_ESYNTAX);
    free(buf);
    ms_arena_free(arena);
}

/* ---- key and signature (RFC 6376 §6.1.2 steps 6-8, §3.6.1 s= and t=s) ------------------ */

#define BH256 "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="
#define BH1 "a1tsxn+Nkk390KsMynntsb/bycM="
#define B_ED                                                                                       \
    "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="
#define SIG_RSA "v=1; a=rsa-sha256; d=messiah.edu; s=s; h=from; bh=" BH256 "; b=QUJD"
#define SIG_SHA1 "v=1; a=rsa-sha1; d=messiah.edu; s=s; h=from; bh=" BH1 "; b=QUJD"
#define SIG_ED "v=1; a=ed25519-sha256; d=messiah.edu; s=s; h=from; bh=" BH256 "; b=" B_ED

typedef struct match_case {
    const char *name;
    const char *key;
    const char *sig;
    ms_dkim_permfail want; /* NONE = usable */
    const char *want_reason;
} match_case;

static const match_case MATCH[] = {
    {"rsa key, rsa-sha256", "v=DKIM1; p=" P_RSA, SIG_RSA, MS_DKIM_PERMFAIL_NONE, NULL},
    {"ed25519 key, ed25519-sha256", "v=DKIM1; k=ed25519; p=" P_ED, SIG_ED, MS_DKIM_PERMFAIL_NONE,
     NULL},
    {"h=sha256 and rsa-sha256 (mail-auth 006)", "v=DKIM1; h=sha256; p=" P_RSA "; t=s", SIG_RSA,
     MS_DKIM_PERMFAIL_NONE, NULL},
    {"h=sha256 and ed25519-sha256", "k=ed25519; h=sha256; p=" P_ED, SIG_ED, MS_DKIM_PERMFAIL_NONE,
     NULL},
    {"h=sha1 only, rsa-sha256 refused (DKIM-19)", "v=DKIM1; h=sha1; p=" P_RSA, SIG_RSA,
     MS_DKIM_PERMFAIL_KEY_HASH, "§6.1.2 step 6"},
    {"h=md5:sha1, rsa-sha256 refused (Mail::DKIM badkey_11)",
     "v=DKIM1; s=email:web:fine; x1 = extra ; t = y:n:extra; h=md5:sha1; p=" P_512 " ; ", SIG_RSA,
     MS_DKIM_PERMFAIL_KEY_HASH, "step 6"},
    {"h=bad (Mail::DKIM badkey_7)", "v=DKIM1; h=bad; p=" P_512, SIG_SHA1, MS_DKIM_PERMFAIL_KEY_HASH,
     "step 6"},
    {"h=sha256, rsa-sha1", "h=sha256; p=" P_RSA, SIG_SHA1, MS_DKIM_PERMFAIL_KEY_HASH, "step 6"},
    {"s=tlsrpt (DKIM-19)", "v=DKIM1; s=tlsrpt; p=" P_RSA, SIG_RSA, MS_DKIM_PERMFAIL_KEY_SERVICE,
     "not for email"},
    {"s=chat (Mail::DKIM badkey_6)", "v=DKIM1; s=chat; p=" P_512, SIG_RSA,
     MS_DKIM_PERMFAIL_KEY_SERVICE, "not for email"},
    {"s=* matches email", "s=*; p=" P_RSA, SIG_RSA, MS_DKIM_PERMFAIL_NONE, NULL},
    {"revoked (Mail::DKIM badkey_2)", "k=rsa; t=y; p=", SIG_RSA, MS_DKIM_PERMFAIL_KEY_REVOKED,
     "revoked"},
    {"revoked ed25519 (Mail::DKIM badkey5_ed25519 style)", "v=DKIM1; k=ed25519; p=", SIG_ED,
     MS_DKIM_PERMFAIL_KEY_REVOKED, "revoked"},
    {"ed25519 key, rsa-sha256", "k=ed25519; p=" P_ED, SIG_RSA, MS_DKIM_PERMFAIL_KEY_ALGORITHM,
     "step 8"},
    {"rsa key, ed25519-sha256", "k=rsa; p=" P_RSA, SIG_ED, MS_DKIM_PERMFAIL_KEY_ALGORITHM,
     "step 8"},
    {"t=s, i= in a subdomain (Mail::DKIM badkey_10)", "v=DKIM1; t=s; p=" P_512,
     SIG_RSA "; i=jlong@subdomain.messiah.edu", MS_DKIM_PERMFAIL_KEY_STRICT, "t=s"},
    {"t=s, i= equal to d= but for case", "v=DKIM1; t=s; p=" P_512, SIG_RSA "; i=jlong@Messiah.EDU",
     MS_DKIM_PERMFAIL_NONE, NULL},
    {"t=s, no i=", "t=s; p=" P_RSA, SIG_RSA, MS_DKIM_PERMFAIL_NONE, NULL},
    {"t=y:s flags both", "t=y:s; p=" P_RSA, SIG_RSA "; i=@a.messiah.edu",
     MS_DKIM_PERMFAIL_KEY_STRICT, "t=s"},
    {"no t=s, i= in a subdomain", "p=" P_RSA, SIG_RSA "; i=@a.messiah.edu", MS_DKIM_PERMFAIL_NONE,
     NULL},
    /* The order of §6.1.2: service, then hash (step 6), revoked (7), key type (8). */
    {"not for email beats revoked", "s=tlsrpt; p=", SIG_RSA, MS_DKIM_PERMFAIL_KEY_SERVICE, NULL},
    {"hash beats revoked", "h=sha1; p=", SIG_RSA, MS_DKIM_PERMFAIL_KEY_HASH, NULL},
    {"revoked beats key type", "k=ed25519; p=", SIG_RSA, MS_DKIM_PERMFAIL_KEY_REVOKED, NULL},
};

static void test_key_usable(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(MATCH) / sizeof(MATCH[0]); i++) {
        const match_case *c = &MATCH[i];
        const ms__dkim_key *key = NULL;
        const ms__dkim_sig *sig = NULL;
        ms__dkim_error err;
        ms_status st = ms__dkim_key_parse(c->key, strlen(c->key), arena, &key, &err);
        EXPECT(st == MS_OK, "case %s: key: got %s (%s), want MS_OK", c->name, ms_status_name(st),
               err.reason ? err.reason : "");
        ms_status st2 = ms__dkim_sig_parse(c->sig, strlen(c->sig), arena, &sig, &err);
        EXPECT(st2 == MS_OK, "case %s: signature: got %s (%s), want MS_OK", c->name,
               ms_status_name(st2), err.reason ? err.reason : "");
        if (st != MS_OK || st2 != MS_OK) {
            continue;
        }
        memset(&err, 0, sizeof(err));
        bool got = ms__dkim_key_usable(key, sig, &err);
        EXPECT(got == (c->want == MS_DKIM_PERMFAIL_NONE), "case %s: got usable %d", c->name, got);
        EXPECT(err.kind == c->want, "case %s: got kind %s, want %s", c->name,
               ms_dkim_permfail_name(err.kind), ms_dkim_permfail_name(c->want));
        if (c->want_reason) {
            EXPECT(err.reason && strstr(err.reason, c->want_reason),
                   "case %s: got reason \"%s\", want one with \"%s\"", c->name,
                   err.reason ? err.reason : "(null)", c->want_reason);
        }
        if (!got && err.tag && ms__dkim_tags_find(&key->tags, err.tag)) {
            const ms__dkim_tag *t = ms__dkim_tags_find(&key->tags, err.tag);
            EXPECT(err.offset == t->value_off, "case %s: got offset %zu, want %zu (%s=)", c->name,
                   err.offset, t->value_off, err.tag);
        }
        EXPECT(ms__dkim_key_usable(key, sig, NULL) == got, "case %s: NULL err changed the answer",
               c->name);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* A full arena is MS_ELIMIT, never a crash or a half key. */
static void test_key_arena_cap(void **state)
{
    (void)state;
    const char *txt = "v=DKIM1; k=rsa; h=sha256; s=email; t=y:s; n=note; p=" P_RSA;
    unsigned n_ok = 0;
    for (size_t cap = 1; cap < 4096; cap += 41) {
        ms_arena *arena = new_arena(cap);
        const ms__dkim_key *key = NULL;
        ms__dkim_error err;
        ms_status st = ms__dkim_key_parse(txt, strlen(txt), arena, &key, &err);
        if (st == MS_OK) {
            assert_int_equal(key->p_len, 216);
            n_ok++;
        } else {
            assert_int_equal(st, MS_ELIMIT);
            assert_null(key);
        }
        ms_arena_free(arena);
    }
    assert_true(n_ok > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_valid),     cmocka_unit_test(test_key_errors),
        cmocka_unit_test(test_key_caps),      cmocka_unit_test(test_key_usable),
        cmocka_unit_test(test_key_arena_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
