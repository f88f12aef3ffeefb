/* SPDX-License-Identifier: MIT */
/* DKIM-Signature parsing, RFC 6376 §3.5 and §6.1.1 (+ RFC 8301 §3.1, RFC 8463 §3): real
 * signatures (RFC 8463 A.3, Mail::DKIM, dkimpy) parsed back field by field, every invalid
 * signature refused with its kind, offset, reason and escaped detail, and the signature
 * rows of shared/bad-inputs.md §3.2 (DKIM-10, 13, 14, 16, 17, 23, 28). */
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
#include "dkim/signature.h"

#include "ms_expect.h"

/* Pieces of a valid signature; tables combine them and swap one for a variant. */
#define BH256 "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="
#define BH1 "a1tsxn+Nkk390KsMynntsb/bycM="
#define B_ED                                                                                       \
    "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="
#define B_RSA "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3DhCVlUrSjV4BwcVcOF6+FF3Z"
#define V "v=1; "
#define A "a=rsa-sha256; "
#define D "d=example.com; "
#define S "s=sel; "
#define H "h=from:to; "
#define BH "bh=" BH256 "; "
#define B "b=" B_RSA
#define ALL V A D S H BH B
#define BH96                                                                                       \
    "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0"                             \
    "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0"
#define D_NUL V A "d=legit\0imate.t; " S H BH B
#define S_NUL V A D "s=attack.t.\0.any; " H BH B

/* RFC 8463 Appendix A.3, as folded there (relaxed/relaxed). */
static const char A3_ED25519[] = " v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
                                 " d=football.example.com; i=@football.example.com;\r\n"
                                 " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
                                 " subject : date : message-id : from : subject : date;\r\n"
                                 " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                                 " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
                                 " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";
static const char A3_RSA[] = " v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
                             " d=football.example.com; i=@football.example.com;\r\n"
                             " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
                             " date : message-id : from : subject : date;\r\n"
                             " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
                             " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
                             " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
                             " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=";
/* dkimpy's simple/simple variant: WSP before every fold. */
static const char DKIMPY_ED25519[] =
    " v=1; a=ed25519-sha256; c=simple/simple; \r\n"
    " d=football.example.com; i=@football.example.com; \r\n"
    " q=dns/txt; s=brisbane; t=1518460054; h=from : to : \r\n"
    " subject : date : message-id : from : subject : date; \r\n"
    " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
    " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB\r\n"
    " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==";
/* Mail::DKIM good_qp_1.txt: i= in quoted-printable, folded with tabs, rsa-sha1. */
static const char MAILDKIM_QP1[] =
    " v=1; a=rsa-sha1; c=simple; d=messiah.edu; h=from:to\r\n"
    "\t:subject:date; s=test3; i==6Along@messiah.edu; bh=OW2otvzd7V2TO8\r\n"
    "\tw056SjbYRFCa0=; b=Vfr9HgUlyVf1ZaRVMV8VJNSDXn7f1j2N/rFM4PPmYIC2GD\r\n"
    "\tpSelCRrdA979Buuu/Mmx9FTWoZJBL+s5tafFM8bw==";

/* The fields as one line: "a c d s h i l t x q" and the base64 lengths. */
static void render(const ms__dkim_sig *sig, char *buf, size_t size)
{
    size_t pos = (size_t)snprintf(buf, size, "%s %s/%s d=%s s=%s h=", ms_dkim_alg_name(sig->alg),
                                  ms_dkim_canon_name(sig->canon_header),
                                  ms_dkim_canon_name(sig->canon_body), sig->d, sig->s);
    for (size_t i = 0; i < sig->n_h && pos < size; i++) {
        pos += (size_t)snprintf(buf + pos, size - pos, "%s%s", i ? ":" : "", sig->h[i]);
    }
    if (pos < size) {
        pos += (size_t)snprintf(buf + pos, size - pos, " i=%s%s", sig->auid,
                                sig->has_i ? "" : "(default)");
    }
    if (pos < size && sig->has_l) {
        pos += (size_t)snprintf(buf + pos, size - pos, " l=%llu", (unsigned long long)sig->l);
    }
    if (pos < size && sig->has_t) {
        pos += (size_t)snprintf(buf + pos, size - pos, " t=%llu", (unsigned long long)sig->t);
    }
    if (pos < size && sig->has_x) {
        pos += (size_t)snprintf(buf + pos, size - pos, " x=%llu", (unsigned long long)sig->x);
    }
    if (pos < size) {
        snprintf(buf + pos, size - pos, " q=%s b=%zu bh=%zu", sig->q, sig->b_len, sig->bh_len);
    }
}

/* ---- valid signatures ------------------------------------------------------------------ */

typedef struct ok_case {
    const char *name;
    const char *value;
    const char *want; /* render() */
} ok_case;

#define STD_TAIL " q=dns/txt b=80 bh=44"

static const ok_case OK[] = {
    {"RFC 8463 A.3 ed25519-sha256", A3_ED25519,
     "ed25519-sha256 relaxed/relaxed d=football.example.com s=brisbane "
     "h=from:to:subject:date:message-id:from:subject:date i=@football.example.com t=1528637909 "
     "q=dns/txt b=88 bh=44"},
    {"RFC 8463 A.3 rsa-sha256", A3_RSA,
     "rsa-sha256 relaxed/relaxed d=football.example.com s=test "
     "h=from:to:subject:date:message-id:from:subject:date i=@football.example.com t=1528637909 "
     "q=dns/txt b=172 bh=44"},
    {"dkimpy simple/simple, WSP before folds", DKIMPY_ED25519,
     "ed25519-sha256 simple/simple d=football.example.com s=brisbane "
     "h=from:to:subject:date:message-id:from:subject:date i=@football.example.com t=1518460054 "
     "q=dns/txt b=88 bh=44"},
    {"Mail::DKIM good_qp_1: i= =6A decodes to j", MAILDKIM_QP1,
     "rsa-sha1 simple/simple d=messiah.edu s=test3 h=from:to:subject:date i=jlong@messiah.edu "
     "q=dns/txt b=88 bh=28"},
    {"required tags only: defaults", ALL,
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default)" STD_TAIL},
    {"required tags in another order", B "; " BH H S D A "v=1",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default)" STD_TAIL},
    {"trailing ';' and folding", ALL ";\r\n ",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default)" STD_TAIL},
    {"c=relaxed means relaxed/simple (§3.5)", ALL "; c=relaxed",
     "rsa-sha256 relaxed/simple d=example.com s=sel h=from:to i=@example.com(default)" STD_TAIL},
    {"c=simple/relaxed", ALL "; c=simple/relaxed",
     "rsa-sha256 simple/relaxed d=example.com s=sel h=from:to i=@example.com(default)" STD_TAIL},
    {"i= with a local-part", ALL "; i=joe@example.com",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=joe@example.com" STD_TAIL},
    {"i= in a subdomain of d=", V A "d=example.net; " S H BH B "; i=@eng.example.net",
     "rsa-sha256 simple/simple d=example.net s=sel h=from:to i=@eng.example.net" STD_TAIL},
    {"i= domain differs from d= only by case (good_rfc4871_4)",
     V A "d=messiah.edu; " S H BH B "; i=JLong@Messiah.Edu",
     "rsa-sha256 simple/simple d=messiah.edu s=sel h=from:to i=JLong@Messiah.Edu" STD_TAIL},
    {"i= with =2E in the domain (good_qp_2)",
     V A "d=messiah.edu; " S H BH B "; i=jlong@messiah=2Eedu",
     "rsa-sha256 simple/simple d=messiah.edu s=sel h=from:to i=jlong@messiah.edu" STD_TAIL},
    {"i= with =40 as the '@' (good_qp_3)", V A "d=messiah.edu; " S H BH B "; i=jlong=40messiah.edu",
     "rsa-sha256 simple/simple d=messiah.edu s=sel h=from:to i=jlong@messiah.edu" STD_TAIL},
    {"i= folded", ALL "; i=jo\r\n e@exam ple.com",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=joe@example.com" STD_TAIL},
    {"i= quoted local-part", ALL "; i=\"john=20doe\"@example.com",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=\"john doe\"@example.com" STD_TAIL},
    {"i= UTF-8 local-part (RFC 6532)", ALL "; i==C3=A9t=C3=A9@example.com",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to "
     "i=\xc3\xa9t\xc3\xa9@example.com" STD_TAIL},
    {"i= local-part with format directives is atext (DKIM-28)", ALL "; i=%n%s%s@example.com",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=%n%s%s@example.com" STD_TAIL},
    {"i= local-part of 64 bytes",
     ALL "; i="
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "@example.com",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to "
     "i=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com" STD_TAIL},
    {"l=0", ALL "; l=0",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) l=0" STD_TAIL},
    {"l= largest 64-bit value", ALL "; l=18446744073709551615",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) "
     "l=18446744073709551615" STD_TAIL},
    {"l= of 76 digits, leading zeros",
     ALL "; l=0000000000000000000000000000000000000000000000000000000000000000000000000123",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) "
     "l=123" STD_TAIL},
    {"t= and x= (RFC 6376 §3.5 example)", ALL "; t=1117574938; x=1118006938",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) t=1117574938 "
     "x=1118006938" STD_TAIL},
    {"t= of 12 digits", ALL "; t=999999999999",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) "
     "t=999999999999" STD_TAIL},
    {"x= without t=", ALL "; x=1",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) x=1" STD_TAIL},
    {"q= unknown method then dns/txt", ALL "; q=foo/bar : dns/txt",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) "
     "q=foo/bar : dns/txt b=80 bh=44"},
    {"unknown tags are kept and ignored (good_rfc4871_3)", ALL "; foo=bar; X_1=",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default)" STD_TAIL},
    {"h= with FWS around colons", V A D S "h=from :\r\n to\t: subject; " BH B,
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to:subject "
     "i=@example.com(default)" STD_TAIL},
    {"h= oversigned (DKIM-05)", V A D S "h=from:from:subject:subject; " BH B,
     "rsa-sha256 simple/simple d=example.com s=sel h=from:from:subject:subject "
     "i=@example.com(default)" STD_TAIL},
    {"h= From in upper case", V A D S "h=Subject:FROM; " BH B,
     "rsa-sha256 simple/simple d=example.com s=sel h=Subject:FROM "
     "i=@example.com(default)" STD_TAIL},
    {"z= kept as written",
     ALL "; z=From:foo@eng.example.net|To:joe@example.com|\r\n Subject:demo=20run",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default)" STD_TAIL},
    {"b= empty parses (refused by usable)", V A D S H BH "b=",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) "
     "q=dns/txt b=0 bh=44"},
    {"b= folded", V A D S H BH "b=F45dVWDf\r\n MbQD GHJF",
     "rsa-sha256 simple/simple d=example.com s=sel h=from:to i=@example.com(default) "
     "q=dns/txt b=16 bh=44"},
    {"A-label and digits in d=", V A "d=xn--bcher-kva.123.example; " S H BH B,
     "rsa-sha256 simple/simple d=xn--bcher-kva.123.example s=sel h=from:to "
     "i=@xn--bcher-kva.123.example(default)" STD_TAIL},
    {"selector with dots (§3.1)", V A D "s=march2005.reykjavik; " H BH B,
     "rsa-sha256 simple/simple d=example.com s=march2005.reykjavik h=from:to "
     "i=@example.com(default)" STD_TAIL},
    {"d= in upper case kept as written", V A "d=EXAMPLE.Com; " S H BH B "; i=@Example.COM",
     "rsa-sha256 simple/simple d=EXAMPLE.Com s=sel h=from:to i=@Example.COM" STD_TAIL},
    {"label of 63 bytes",
     V A "d=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example; " S H BH B,
     "rsa-sha256 simple/simple d=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
     "example s=sel h=from:to i=@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
     "example(default)" STD_TAIL},
    {"rsa-sha1 parses with a 20-byte bh= (refused by usable)",
     V "a=rsa-sha1; " D S H "bh=" BH1 "; " B,
     "rsa-sha1 simple/simple d=example.com s=sel h=from:to i=@example.com(default) "
     "q=dns/txt b=80 bh=28"},
};

static void test_sig_valid(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        const ok_case *c = &OK[i];
        size_t len = strlen(c->value);
        char *copy = exact(c->value, len);
        const ms__dkim_sig *sig = NULL;
        ms__dkim_error err;
        ms_status st = ms__dkim_sig_parse(copy, len, arena, &sig, &err);
        EXPECT(st == MS_OK, "case %s: got %s (%s %s at %zu: %s, \"%s\"), want MS_OK", c->name,
               ms_status_name(st), ms_dkim_permfail_name(err.kind), err.tag ? err.tag : "-",
               err.offset, err.reason ? err.reason : "", err.detail);
        if (st == MS_OK) {
            char got[1024];
            render(sig, got, sizeof(got));
            EXPECT(strcmp(got, c->want) == 0, "case %s:\n got \"%s\"\nwant \"%s\"", c->name, got,
                   c->want);
            /* b='s value is where the tag list says, and without its folding it is sig->b. */
            char stripped[8192];
            size_t k = 0;
            for (size_t j = sig->b_value_off; j < sig->b_value_off + sig->b_value_len; j++) {
                if (!ms__dkim_is_fws(c->value[j])) {
                    stripped[k++] = c->value[j];
                }
            }
            stripped[k] = '\0';
            EXPECT(strcmp(stripped, sig->b) == 0 && sig->b_end_off <= len &&
                       sig->b_value_off + sig->b_value_len <= sig->b_end_off,
                   "case %s: got b= at %zu+%zu (\"%s\"), want \"%s\"", c->name, sig->b_value_off,
                   sig->b_value_len, stripped, sig->b);
        }
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* The header as hashed (§3.5): b='s value removed, everything else byte for byte. */
static void test_sig_blank_b(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    const ms__dkim_sig *sig = NULL;
    ms__dkim_error err;
    assert_int_equal(ms__dkim_sig_parse(A3_ED25519, strlen(A3_ED25519), arena, &sig, &err), MS_OK);
    char blank[1024];
    size_t n = sig->b_value_off;
    memcpy(blank, A3_ED25519, n);
    memcpy(blank + n, A3_ED25519 + sig->b_value_off + sig->b_value_len,
           strlen(A3_ED25519) - sig->b_value_off - sig->b_value_len + 1);
    assert_non_null(strstr(blank, "\r\n b="));
    assert_int_equal(blank[strlen(blank) - 1], '=');
    assert_int_equal(sig->b_end_off, strlen(A3_ED25519));

    /* b= in the middle, with WSP before its ';' (not part of the value, §3.2). */
    const char *mid = "v=1; b= QUJD \r\n RUZH ; a=rsa-sha256; " D S H BH;
    assert_int_equal(ms__dkim_sig_parse(mid, strlen(mid), arena, &sig, &err), MS_OK);
    assert_int_equal(sig->b_value_off, 8);
    assert_int_equal(sig->b_value_len, strlen("QUJD \r\n RUZH"));
    assert_int_equal(mid[sig->b_end_off], ';');
    assert_string_equal(sig->b, "QUJDRUZH");
    assert_int_equal(sig->tags.n, 7);
    ms_arena_free(arena);
}

/* ---- invalid signatures ---------------------------------------------------------------- */

typedef struct err_case {
    const char *name;
    const char *value;
    size_t len; /* 0 = strlen */
    ms_dkim_permfail want_kind;
    const char *want_tag; /* NULL: the tag-list itself */
    const char *want_at;  /* the offset is this text's first place in value; NULL = the end */
    const char *want_reason;
    const char *want_detail; /* the start of the escaped detail */
} err_case;

#define SYN MS_DKIM_PERMFAIL_SYNTAX

static const err_case ERR[] = {
    /* §3.2 tag-list */
    {"tag-list syntax (Mail::DKIM multiple_2 'synerr')", "synerr", 0, SYN, NULL, NULL,
     "expected '='", "synerr"},
    {"duplicate d=", ALL "; d=example.org", 0, SYN, NULL, "d=example.org", "duplicate tag", "d"},
    {"empty", "", 0, SYN, NULL, NULL, "empty tag-list", ""},
    /* §3.5 v= and §6.1.1 incompatible version */
    {"no v= (pre-RFC draft, good_ietf00)", A D S H BH B, 0, MS_DKIM_PERMFAIL_MISSING_TAG, "v", NULL,
     "required tag missing", "v"},
    {"v=2", "v=2; " A D S H BH B, 0, MS_DKIM_PERMFAIL_VERSION, "v", "2;", "v= must be 1", "2"},
    {"v=0.5 (draft, no_body_1)", "v=0.5; " A D S H BH B, 0, MS_DKIM_PERMFAIL_VERSION, "v", "0.5",
     "v= must be 1", "0.5"},
    {"v=5 (ignore_1)", "v=5; " A D S H BH B, 0, MS_DKIM_PERMFAIL_VERSION, "v", "5; a", "must be 1",
     "5"},
    {"v=01", "v=01; " A D S H BH B, 0, MS_DKIM_PERMFAIL_VERSION, "v", "01", "must be 1", "01"},
    {"v= empty", "v=; " A D S H BH B, 0, MS_DKIM_PERMFAIL_VERSION, "v", "; a=", "must be 1", ""},
    {"V=1 is another tag (case-sensitive)", "V=1; " A D S H BH B, 0, MS_DKIM_PERMFAIL_MISSING_TAG,
     "v", NULL, "required tag missing", "v"},
    /* required tags, §3.5 and §6.1.1 */
    {"no a=", V D S H BH B, 0, MS_DKIM_PERMFAIL_MISSING_TAG, "a", NULL, "required", "a"},
    {"no b=", V A D S H BH, 0, MS_DKIM_PERMFAIL_MISSING_TAG, "b", NULL, "required", "b"},
    {"no bh= (DKIM-14)", V A D S H B, 0, MS_DKIM_PERMFAIL_MISSING_TAG, "bh", NULL, "required",
     "bh"},
    {"no d=", V A S H BH B, 0, MS_DKIM_PERMFAIL_MISSING_TAG, "d", NULL, "required", "d"},
    {"no h=", V A D S BH B, 0, MS_DKIM_PERMFAIL_MISSING_TAG, "h", NULL, "required", "h"},
    {"no s=", V A D H BH B, 0, MS_DKIM_PERMFAIL_MISSING_TAG, "s", NULL, "required", "s"},
    /* a=, §3.3 and §3.5 */
    {"a=rsa-md5 (ignore_2)", V "a=rsa-md5; " D S H BH B, 0, MS_DKIM_PERMFAIL_ALGORITHM, "a",
     "rsa-md5", "unknown signing algorithm", "rsa-md5"},
    {"a=dsa-sha1 (ignore_3)", V "a=dsa-sha1; " D S H BH B, 0, MS_DKIM_PERMFAIL_ALGORITHM, "a",
     "dsa-sha1", "unknown signing algorithm", "dsa-sha1"},
    {"a= in upper case", V "a=RSA-SHA256; " D S H BH B, 0, MS_DKIM_PERMFAIL_ALGORITHM, "a", "RSA-",
     "unknown signing algorithm", "RSA-SHA256"},
    {"a=rsa_sha256", V "a=rsa_sha256; " D S H BH B, 0, SYN, "a", "rsa_", "key type '-' a hash",
     "rsa_sha256"},
    {"a=rsa-", V "a=rsa-; " D S H BH B, 0, SYN, "a", "rsa-;", "key type '-' a hash", "rsa-"},
    {"a= empty", V "a=; " D S H BH B, 0, SYN, "a", "; d=", "key type '-' a hash", ""},
    {"a=rsa-sha256-x", V "a=rsa-sha256-x; " D S H BH B, 0, SYN, "a", "rsa-sha256-x",
     "key type '-' a hash", "rsa-sha256-x"},
    /* b= and bh= base64, §2.10 (DKIM-14) */
    {"b=@@@ (DKIM-14)", V A D S H BH "b=@@@", 0, SYN, "b", "@@@", "not a base64 character", "@@@"},
    {"b= of 3 characters", V A D S H BH "b=QUJ", 0, SYN, "b", NULL, "multiple of 4", "QUJ"},
    {"b= data after padding", V A D S H BH "b=QU=D", 0, SYN, "b", "D", "after '='", "QU=D"},
    {"bh= empty", V A D S H "bh=; " B, 0, SYN, "bh", "; b=", "empty base64", ""},
    {"bh=@@@", V A D S H "bh=@@@; " B, 0, SYN, "bh", "@@@", "not a base64", "@@@"},
    /* DKIM-13: bh= is the digest itself */
    {"bh= of 96 bytes with ed25519-sha256 (DKIM-13)",
     V "a=ed25519-sha256; " D S H "bh=" BH96 "; b=" B_ED, 0, MS_DKIM_PERMFAIL_BODY_HASH_SIZE, "bh",
     BH96, "32 bytes", "MTIz"},
    {"bh= of 20 bytes with rsa-sha256 (DKIM-13)", V A D S H "bh=" BH1 "; " B, 0,
     MS_DKIM_PERMFAIL_BODY_HASH_SIZE, "bh", BH1, "32 bytes", BH1},
    {"bh= of 31 bytes ('==')", V A D S H "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv==; " B, 0,
     MS_DKIM_PERMFAIL_BODY_HASH_SIZE, "bh", "2jUS", "32 bytes", "2jUS"},
    {"bh= of 33 bytes (no '=')", V A D S H "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8A; " B, 0,
     MS_DKIM_PERMFAIL_BODY_HASH_SIZE, "bh", "2jUS", "32 bytes", "2jUS"},
    {"bh= of 32 bytes with rsa-sha1", V "a=rsa-sha1; " D S H BH B, 0,
     MS_DKIM_PERMFAIL_BODY_HASH_SIZE, "bh", BH256, "20 bytes", "2jUS"},
    /* c=, §3.4 */
    {"c=future (ignore_4)", ALL "; c=future", 0, MS_DKIM_PERMFAIL_CANONICALIZATION, "c", "future",
     "unknown canonicalization", "future"},
    {"c=foobar (multiple_2)", ALL "; c=foobar", 0, MS_DKIM_PERMFAIL_CANONICALIZATION, "c", "foobar",
     "unknown canonicalization", "foobar"},
    {"c=relaxed/future", ALL "; c=relaxed/future", 0, MS_DKIM_PERMFAIL_CANONICALIZATION, "c",
     "future", "unknown canonicalization", "relaxed/future"},
    {"c=Relaxed (case-sensitive)", ALL "; c=Relaxed", 0, MS_DKIM_PERMFAIL_CANONICALIZATION, "c",
     "Relaxed", "unknown canonicalization", "Relaxed"},
    {"c=relaxed/", ALL "; c=relaxed/", 0, SYN, "c", NULL, "'/'", "relaxed/"},
    {"c=/simple", ALL "; c=/simple", 0, SYN, "c", "/simple", "'/'", "/simple"},
    {"c=simple/relaxed/simple", ALL "; c=simple/relaxed/simple", 0, SYN, "c", "relaxed/simple",
     "'/'", "simple/relaxed/simple"},
    {"c= empty", ALL "; c=", 0, SYN, "c", NULL, "'/'", ""},
    /* d=, §3.5 domain-name (DKIM-16, DKIM-28): refused before any DNS query */
    {"d=legitimate.t(.attack.t (DKIM-16)", V A "d=legitimate.t(.attack.t; " S H BH B, 0, SYN, "d",
     "(.attack", "only letters, digits", "legitimate.t(.attack.t"},
    {"d=legitimate.t'a.attack.t (DKIM-16)", V A "d=legitimate.t'a.attack.t; " S H BH B, 0, SYN, "d",
     "'a.attack", "only letters, digits", "legitimate.t'a.attack.t"},
    {"d= with a control byte (DKIM-16)", V A "d=legit\x01imate.t; " S H BH B, 0, SYN, NULL, "\x01",
     "control character", "d=legit\\x01imate.t"},
    {"d= with NUL (DKIM-16)", D_NUL, sizeof(D_NUL) - 1, SYN, NULL, "", "control character",
     "d=legit\\x00imate.t"},
    {"d= with CR LF not folding (DKIM-28)", V A "d=a.t\r\nBcc: x@y.t; " S H BH B, 0, SYN, NULL,
     "\r\nBcc", "folding whitespace", "\\x0d\\x0aBcc"},
    {"d= with format directives (DKIM-28)", V A "d=%n%s%s.t; " S H BH B, 0, SYN, "d", "%n%s",
     "only letters, digits", "%n%s%s.t"},
    {"d= with a double quote (DKIM-28)", V A "d=a\".t; " S H BH B, 0, SYN, "d", "\".t",
     "only letters, digits", "a\\x22.t"},
    {"d= with folding inside", V A "d=exa\r\n mple.com; " S H BH B, 0, SYN, "d", "\r\n mple",
     "only letters, digits", "exa\\x0d\\x0a mple.com"},
    {"d= with 8-bit bytes (not an A-label)", V A "d=\xc3\xa9xample.com; " S H BH B, 0, SYN, "d",
     "\xc3", "A-labels", "\\xc3\\xa9xample.com"},
    {"d= address literal", V A "d=[192.0.2.1]; " S H BH B, 0, SYN, "d", "[192", "only letters",
     "[192.0.2.1]"},
    {"d= with an underscore", V A "d=_dmarc.example.com; " S H BH B, 0, SYN, "d", "_dmarc",
     "only letters", "_dmarc.example.com"},
    {"d= one label", V A "d=com; " S H BH B, 0, SYN, "d", "com;", "at least two labels", "com"},
    {"d= trailing dot", V A "d=example.com.; " S H BH B, 0, SYN, "d", ".;", "empty label",
     "example.com."},
    {"d= leading dot", V A "d=.example.com; " S H BH B, 0, SYN, "d", ".example", "empty label",
     ".example.com"},
    {"d= empty label", V A "d=a..example; " S H BH B, 0, SYN, "d", ".example;", "empty label",
     "a..example"},
    {"d= label starts with '-'", V A "d=-a.example; " S H BH B, 0, SYN, "d", "-a.", "'-'",
     "-a.example"},
    {"d= label ends with '-'", V A "d=a-.example; " S H BH B, 0, SYN, "d", ".example;", "'-'",
     "a-.example"},
    {"d= last label ends with '-'", V A "d=a.example-; " S H BH B, 0, SYN, "d", "-;", "'-'",
     "a.example-"},
    {"d= empty", V A "d=; " S H BH B, 0, SYN, "d", "; s=", "empty domain name", ""},
    {"d= label of 64 bytes",
     V A "d=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab.example; " S H BH B, 0,
     SYN, "d", "b.example", "63 bytes", "aaaaaaaa"},
    /* s=, §3.1 selector (DKIM-16) */
    {"s=attack.t.\\0.any (DKIM-16)", S_NUL, sizeof(S_NUL) - 1, SYN, NULL, "", "control character",
     "s=attack.t.\\x00.any"},
    {"s= with '(' (DKIM-16)", V A D "s=sel(.attack.t; " H BH B, 0, SYN, "s", "(.attack",
     "only letters", "sel(.attack.t"},
    {"s= with %n (DKIM-28)", V A D "s=%n; " H BH B, 0, SYN, "s", "%n", "only letters", "%n"},
    {"s= with an underscore", V A D "s=_sel; " H BH B, 0, SYN, "s", "_sel", "only letters", "_sel"},
    {"s= trailing dot", V A D "s=sel.; " H BH B, 0, SYN, "s", ".; h", "empty label", "sel."},
    {"s= empty", V A D "s=; " H BH B, 0, SYN, "s", "; h=", "empty domain name", ""},
    /* h=, §3.5 and §5.4 (DKIM-23) */
    {"h= without From", V A D S "h=to:subject; " BH B, 0, MS_DKIM_PERMFAIL_FROM_NOT_SIGNED, "h",
     "to:subject", "must include From", "to:subject"},
    {"h= with From only as a prefix", V A D S "h=from-x:to; " BH B, 0,
     MS_DKIM_PERMFAIL_FROM_NOT_SIGNED, "h", "from-x", "must include From", "from-x"},
    {"h= empty", V A D S "h=; " BH B, 0, SYN, "h", "; bh", "none empty", ""},
    {"h= trailing colon", V A D S "h=from:; " BH B, 0, SYN, "h", "; bh", "none empty", "from:"},
    {"h= double colon", V A D S "h=from::to; " BH B, 0, SYN, "h", ":to", "none empty", "from::to"},
    {"h= only colons (DKIM-23)", V A D S "h=::::; " BH B, 0, SYN, "h", "::::", "none empty",
     "::::"},
    {"h= space inside a name", V A D S "h=fr om:to; " BH B, 0, SYN, "h", "om:to", "none empty",
     "fr om:to"},
    {"h= 8-bit name", V A D S "h=from:t\xc3\xa9; " BH B, 0, SYN, "h", "\xc3", "printable ASCII",
     "from:t\\xc3\\xa9"},
    /* i=, §2.11 and §3.5 (DKIM-17, DKIM-28) */
    {"i= in another domain (DKIM-17)", V A "d=a.t; " S H BH B "; i=@b.t", 0,
     MS_DKIM_PERMFAIL_DOMAIN_MISMATCH, "i", "@b.t", "subdomain", "@b.t"},
    {"i= a suffix but not a subdomain", V A "d=a.t; " S H BH B "; i=@xa.t", 0,
     MS_DKIM_PERMFAIL_DOMAIN_MISMATCH, "i", "@xa.t", "subdomain", "@xa.t"},
    {"i= a parent of d=", V A "d=mail.a.t; " S H BH B "; i=@a.t", 0,
     MS_DKIM_PERMFAIL_DOMAIN_MISMATCH, "i", "@a.t", "subdomain", "@a.t"},
    {"i= d= and more after it", V A "d=a.t; " S H BH B "; i=@a.t.evil.t", 0,
     MS_DKIM_PERMFAIL_DOMAIN_MISMATCH, "i", "@a.t.evil", "subdomain", "@a.t.evil.t"},
    {"i= in another domain (ignore_8)", V A "d=messiah.edu; " S H BH B "; i=jon@example.org", 0,
     MS_DKIM_PERMFAIL_DOMAIN_MISMATCH, "i", "jon@", "subdomain", "jon@example.org"},
    {"i= without '@'", ALL "; i=joe", 0, SYN, "i", "joe", "local-part", "joe"},
    {"i= empty", ALL "; i=", 0, SYN, "i", NULL, "local-part", ""},
    {"i= only '@'", ALL "; i=@", 0, SYN, "i", "@", "empty domain name", "@"},
    {"i= two '@'", ALL "; i=a@b@example.com", 0, SYN, "i", "a@b@", "only letters", "a@b@"},
    {"i= lower-case hex (§2.11)", ALL "; i==6along@example.com", 0, SYN, "i", "=6a",
     "upper-case hex", "=6along"},
    {"i= '=' at the end", ALL "; i=a@example.com=", 0, SYN, "i", "=", "upper-case hex",
     "a@example.com="},
    {"i= raw 8-bit byte", ALL "; i=\xc3\xa9@example.com", 0, SYN, "i", "\xc3", "dkim-quoted",
     "\\xc3\\xa9@"},
    {"i= decodes to CR LF (DKIM-28)", ALL "; i==0D=0A@example.com", 0, SYN, "i", "=0D",
     "local-part", "\\x0d\\x0a@example.com"},
    {"i= decodes to NUL", ALL "; i=a=00b@example.com", 0, SYN, "i", "a=00", "local-part",
     "a\\x00b@"},
    {"i= decodes to broken UTF-8", ALL "; i==C3@example.com", 0, SYN, "i", "=C3", "local-part",
     "\\xc3@"},
    {"i= local-part starts with '.'", ALL "; i=.a@example.com", 0, SYN, "i", ".a@", "local-part",
     ".a@"},
    {"i= local-part with '..'", ALL "; i=a..b@example.com", 0, SYN, "i", "a..b", "local-part",
     "a..b@"},
    {"i= local-part ends with '.'", ALL "; i=a.@example.com", 0, SYN, "i", "a.@", "local-part",
     "a.@"},
    {"i= local-part with a double quote (DKIM-28)", ALL "; i=a\"b@example.com", 0, SYN, "i", "a\"b",
     "local-part", "a\\x22b@"},
    {"i= quoted local-part not closed", ALL "; i=\"abc@example.com", 0, SYN, "i", "\"abc",
     "local-part", "\\x22abc@"},
    {"i= local-part of 65 bytes",
     ALL "; i="
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "@example.com",
     0, MS_DKIM_PERMFAIL_LIMIT, "i", "aaaa", "64 bytes", "aaaa"},
    {"i= domain with '('", ALL "; i=@example.com(x", 0, SYN, "i", "@example.com(", "only letters",
     "@example.com(x"},
    /* l=, t=, x=, §3.5 */
    {"l= not a number", ALL "; l=abc", 0, SYN, "l", "abc", "digits only", "abc"},
    {"l= empty", ALL "; l=", 0, SYN, "l", NULL, "digits only", ""},
    {"l= negative", ALL "; l=-1", 0, SYN, "l", "-1", "digits only", "-1"},
    {"l= with a space", ALL "; l=1 2", 0, SYN, "l", " 2", "digits only", "1 2"},
    {"l= 77 digits",
     ALL "; l=00000000000000000000000000000000000000000000000000000000000000000000000000001", 0,
     SYN, "l", "1", "76 digits", "0000"},
    {"l= over 64 bits", ALL "; l=18446744073709551616", 0, MS_DKIM_PERMFAIL_LIMIT, "l", "6",
     "64 bits", "18446744073709551616"},
    {"t= 13 digits", ALL "; t=1234567890123", 0, SYN, "t", "3", "12 digits", "1234567890123"},
    {"t= not a number", ALL "; t=soon", 0, SYN, "t", "soon", "digits only", "soon"},
    {"x= equal to t=", ALL "; t=100; x=0100", 0, SYN, "x", "0100", "greater than t=", "0100"},
    {"x= before t=", ALL "; x=99; t=100", 0, SYN, "x", "99", "greater than t=", "99"},
    {"x= 13 digits", ALL "; x=9999999999999", 0, SYN, "x", "9", "12 digits", "9999"},
    /* q=, §3.5 */
    {"q=http (ignore_5)", ALL "; q=http", 0, MS_DKIM_PERMFAIL_QUERY_METHOD, "q", "http", "dns/txt",
     "http"},
    {"q=dns/special (ignore_6)", ALL "; q=dns/special", 0, MS_DKIM_PERMFAIL_QUERY_METHOD, "q",
     "dns/special", "dns/txt", "dns/special"},
    {"q=dns (draft)", ALL "; q=dns", 0, MS_DKIM_PERMFAIL_QUERY_METHOD, "q", "dns", "dns/txt",
     "dns"},
    {"q=DNS/TXT (case-sensitive)", ALL "; q=DNS/TXT", 0, MS_DKIM_PERMFAIL_QUERY_METHOD, "q",
     "DNS/TXT", "dns/txt", "DNS/TXT"},
    {"q= empty", ALL "; q=", 0, SYN, "q", NULL, "separated by ':'", ""},
    {"q= trailing colon", ALL "; q=dns/txt:", 0, SYN, "q", NULL, "separated by ':'", "dns/txt:"},
    {"q= method not a word", ALL "; q=1x/txt", 0, SYN, "q", "1x", "a name, then", "1x/txt"},
};

static size_t want_offset(const err_case *c, size_t len)
{
    if (c->want_at == NULL) {
        return len;
    }
    if (c->want_at[0] == '\0') {
        /* the NUL cases: at the first NUL */
        return (size_t)((const char *)memchr(c->value, '\0', len) - c->value);
    }
    const char *p = strstr(c->value, c->want_at);
    /* The last occurrence for one-character markers of the value's end ("6", "3", "1"). */
    if (p && strlen(c->want_at) == 1) {
        const char *q = p;
        while ((q = strstr(q + 1, c->want_at)) != NULL) {
            p = q;
        }
    }
    return p ? (size_t)(p - c->value) : SIZE_MAX;
}

static void test_sig_errors(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(ERR) / sizeof(ERR[0]); i++) {
        const err_case *c = &ERR[i];
        size_t len = c->len ? c->len : strlen(c->value);
        char *copy = exact(c->value, len);
        const ms__dkim_sig *sig = (const ms__dkim_sig *)1;
        ms__dkim_error err;
        ms_status st = ms__dkim_sig_parse(copy, len, arena, &sig, &err);
        EXPECT(st == MS_ESYNTAX, "case %s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        if (st == MS_ESYNTAX) {
            size_t want_off = want_offset(c, len);
            EXPECT(sig == NULL, "case %s: got a signature on error, want NULL", c->name);
            EXPECT(err.kind == c->want_kind, "case %s: got kind %s, want %s", c->name,
                   ms_dkim_permfail_name(err.kind), ms_dkim_permfail_name(c->want_kind));
            EXPECT((c->want_tag == NULL && err.tag == NULL) ||
                       (c->want_tag && err.tag && strcmp(c->want_tag, err.tag) == 0),
                   "case %s: got tag %s, want %s", c->name, err.tag ? err.tag : "(none)",
                   c->want_tag ? c->want_tag : "(none)");
            EXPECT(err.offset == want_off, "case %s: got offset %zu, want %zu", c->name, err.offset,
                   want_off);
            EXPECT(err.reason && strstr(err.reason, c->want_reason) && strstr(err.reason, "RFC "),
                   "case %s: got reason \"%s\", want one with \"%s\" and its RFC", c->name,
                   err.reason ? err.reason : "(null)", c->want_reason);
            EXPECT(strncmp(err.detail, c->want_detail, strlen(c->want_detail)) == 0,
                   "case %s: got detail \"%s\", want one starting \"%s\"", c->name, err.detail,
                   c->want_detail);
            /* DKIM-28: every detail is printable ASCII, no quote, safe in a log or an A-R. */
            for (const char *p = err.detail; *p; p++) {
                EXPECT(*p >= 0x20 && *p <= 0x7e && *p != '"',
                       "case %s: got an unescaped byte 0x%02x in the detail", c->name,
                       (unsigned)(unsigned char)*p);
            }
        }
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* ---- usable: what the verifier refuses before the key query ----------------------------- */

typedef struct usable_case {
    const char *name;
    const char *value;
    ms_dkim_permfail want; /* NONE = usable */
    const char *want_reason;
} usable_case;

static const usable_case USABLE[] = {
    {"rsa-sha256", ALL, MS_DKIM_PERMFAIL_NONE, NULL},
    {"RFC 8463 A.3 ed25519", A3_ED25519, MS_DKIM_PERMFAIL_NONE, NULL},
    {"rsa-sha1 refused by name (DKIM-10)", V "a=rsa-sha1; " D S H "bh=" BH1 "; " B,
     MS_DKIM_PERMFAIL_HISTORIC_ALGORITHM, "RFC 8301 §3.1"},
    {"Mail::DKIM good_qp_1 is rsa-sha1 (DKIM-10)", MAILDKIM_QP1,
     MS_DKIM_PERMFAIL_HISTORIC_ALGORITHM, "RFC 8301 §3.1"},
    {"b= empty (DKIM-14)", V A D S H BH "b=", MS_DKIM_PERMFAIL_SIGNATURE_EMPTY, "b= is empty"},
    {"b= only folding (DKIM-14)", V A D S H BH "b= \r\n ", MS_DKIM_PERMFAIL_SIGNATURE_EMPTY,
     "b= is empty"},
    {"ed25519 b= of 63 bytes", V "a=ed25519-sha256; " D S H BH "b=" B_RSA,
     MS_DKIM_PERMFAIL_SIGNATURE_SIZE, "64 bytes"},
    {"ed25519 b= of 64 bytes", V "a=ed25519-sha256; " D S H BH "b=" B_ED, MS_DKIM_PERMFAIL_NONE,
     NULL},
};

static void test_sig_usable(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(USABLE) / sizeof(USABLE[0]); i++) {
        const usable_case *c = &USABLE[i];
        const ms__dkim_sig *sig = NULL;
        ms__dkim_error err;
        ms_status st = ms__dkim_sig_parse(c->value, strlen(c->value), arena, &sig, &err);
        EXPECT(st == MS_OK, "case %s: got %s (%s), want MS_OK", c->name, ms_status_name(st),
               err.reason ? err.reason : "");
        if (st != MS_OK) {
            continue;
        }
        memset(&err, 0, sizeof(err));
        bool got = ms__dkim_sig_usable(sig, &err);
        EXPECT(got == (c->want == MS_DKIM_PERMFAIL_NONE), "case %s: got usable %d", c->name, got);
        EXPECT(err.kind == c->want, "case %s: got kind %s, want %s", c->name,
               ms_dkim_permfail_name(err.kind), ms_dkim_permfail_name(c->want));
        if (c->want_reason) {
            EXPECT(err.reason && strstr(err.reason, c->want_reason),
                   "case %s: got reason \"%s\", want one with \"%s\"", c->name,
                   err.reason ? err.reason : "(null)", c->want_reason);
        }
        /* err may be NULL. */
        EXPECT(ms__dkim_sig_usable(sig, NULL) == got, "case %s: NULL err changed the answer",
               c->name);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* ---- caps (DKIM-23) -------------------------------------------------------------------- */

static ms_status parse_text(ms_arena *arena, const char *text, size_t len, ms__dkim_error *err)
{
    const ms__dkim_sig *sig = NULL;
    return ms__dkim_sig_parse(text, len, arena, &sig, err);
}

static void test_sig_caps(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    ms__dkim_error err;
    size_t size = MS_LIMIT_DKIM_SIG_BYTES + 1024;
    char *buf = malloc(size);
    assert_non_null(buf);

    /* h= with MS_LIMIT_DKIM_H_ITEMS names parses; 1,501 names do not (DKIM-23). */
    int n = snprintf(buf, size, "%s; h=from", V A D S BH B);
    size_t len = (size_t)n;
    for (unsigned i = 1; i < MS_LIMIT_DKIM_H_ITEMS; i++) {
        memcpy(buf + len, ":to", 3);
        len += 3;
    }
    assert_int_equal(parse_text(arena, buf, len, &err), MS_OK);
    for (unsigned i = MS_LIMIT_DKIM_H_ITEMS; i < 1501; i++) {
        memcpy(buf + len, ":to", 3);
        len += 3;
    }
    assert_int_equal(parse_text(arena, buf, len, &err), MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
    assert_string_equal(err.tag, "h");
    assert_non_null(strstr(err.reason, "DKIM-23"));

    /* h= over MS_LIMIT_DKIM_H_BYTES with few names. */
    len = (size_t)snprintf(buf, size, "%s; h=from:", V A D S BH B);
    memset(buf + len, 'x', MS_LIMIT_DKIM_H_BYTES);
    len += MS_LIMIT_DKIM_H_BYTES;
    assert_int_equal(parse_text(arena, buf, len, &err), MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
    assert_string_equal(err.tag, "h");

    /* h= of 60 KiB of ':' (inside the header cap): refused, with little memory (DKIM-23). */
    len = (size_t)snprintf(buf, size, "%s; h=", V A D S BH B);
    memset(buf + len, ':', 60 * 1024);
    len += 60 * 1024;
    size_t before = ms_arena_used(arena);
    assert_int_equal(parse_text(arena, buf, len, &err), MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
    assert_true(ms_arena_used(arena) - before < len + 4096); /* O(input) */

    /* h= of 64 KiB of ':' makes the header longer than MS_LIMIT_DKIM_SIG_BYTES. */
    len = (size_t)snprintf(buf, size, "%s; h=", V A D S BH B);
    memset(buf + len, ':', 64 * 1024);
    len += 64 * 1024;
    assert_int_equal(parse_text(arena, buf, len, &err), MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
    assert_int_equal(err.offset, MS_LIMIT_DKIM_SIG_BYTES);
    assert_null(err.tag);

    /* b= of MS_LIMIT_DKIM_BASE64 characters parses, 4 more do not. */
    len = (size_t)snprintf(buf, size, "%sb=", V A D S H BH);
    memset(buf + len, 'A', MS_LIMIT_DKIM_BASE64);
    assert_int_equal(parse_text(arena, buf, len + MS_LIMIT_DKIM_BASE64, &err), MS_OK);
    memset(buf + len, 'A', MS_LIMIT_DKIM_BASE64 + 4);
    assert_int_equal(parse_text(arena, buf, len + MS_LIMIT_DKIM_BASE64 + 4, &err), MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
    assert_string_equal(err.tag, "b");

    /* The key's name s._domainkey.d may not pass 253 bytes. */
    char d[300], s[300];
    memset(d, 0, sizeof(d));
    for (size_t i = 0; i < 4; i++) {
        memset(d + i * 60, 'a', 59);
        d[i * 60 + 59] = '.';
    }
    memcpy(d + 240, "example", 7); /* 247 bytes */
    snprintf(s, sizeof(s), "s");
    len = (size_t)snprintf(buf, size, "%sd=%s; s=%s", V A H BH B "; ", d, s);
    assert_int_equal(parse_text(arena, buf, len, &err), MS_ESYNTAX);
    assert_string_equal(err.tag, "s");
    assert_non_null(strstr(err.reason, "253"));
    d[240] = '\0';
    memcpy(d + 234, "ex.com", 7); /* 240 bytes: 1 + 12 + 240 = 253 */
    len = (size_t)snprintf(buf, size, "%sd=%s; s=%s", V A H BH B "; ", d, s);
    assert_int_equal(parse_text(arena, buf, len, &err), MS_OK);

    /* A header of exactly MS_LIMIT_DKIM_SIG_BYTES parses (an unknown tag fills it). */
    len = (size_t)snprintf(buf, size, "%s; z=", ALL);
    memset(buf + len, 'z', MS_LIMIT_DKIM_SIG_BYTES - len);
    assert_int_equal(parse_text(arena, buf, MS_LIMIT_DKIM_SIG_BYTES, &err), MS_OK);
    free(buf);
    ms_arena_free(arena);
}

/* A full arena is MS_ELIMIT, never a crash or a half signature. */
static void test_sig_arena_cap(void **state)
{
    (void)state;
    unsigned n_ok = 0;
    for (size_t cap = 1; cap < 8192; cap += 53) {
        ms_arena *arena = new_arena(cap);
        const ms__dkim_sig *sig = NULL;
        ms__dkim_error err;
        ms_status st = ms__dkim_sig_parse(A3_RSA, strlen(A3_RSA), arena, &sig, &err);
        if (st == MS_OK) {
            assert_int_equal(sig->n_h, 8);
            n_ok++;
        } else {
            assert_int_equal(st, MS_ELIMIT);
            assert_null(sig);
        }
        ms_arena_free(arena);
    }
    assert_true(n_ok > 0);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ms_dkim_alg_name(MS_DKIM_ALG_ED25519_SHA256), "ed25519-sha256");
    assert_string_equal(ms_dkim_alg_name(MS_DKIM_ALG_RSA_SHA1), "rsa-sha1");
    assert_string_equal(ms_dkim_alg_name((ms_dkim_alg)99), "unknown");
    assert_string_equal(ms_dkim_canon_name(MS_DKIM_CANON_RELAXED), "relaxed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sig_valid),  cmocka_unit_test(test_sig_blank_b),
        cmocka_unit_test(test_sig_errors), cmocka_unit_test(test_sig_usable),
        cmocka_unit_test(test_sig_caps),   cmocka_unit_test(test_sig_arena_cap),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
