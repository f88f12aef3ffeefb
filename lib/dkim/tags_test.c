/* SPDX-License-Identifier: MIT */
/* DKIM tag=value lists, RFC 6376 §3.2 (with FWS of §2.8): every list parsed back with its
 * offsets, every syntax error with its offset, reason and escaped detail; the value helpers
 * (base64string and hyphenated-word of §2.10, colon lists, escaping). */
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
#include "dkim/tags.h"

#include "ms_expect.h"

/* An exact-size heap copy, so ASan catches a read past len. */
/* The list as "name=[value]|name=[value]". */
static void render(const ms__dkim_tags *tags, char *buf, size_t size)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < tags->n && pos < size; i++) {
        int n = snprintf(buf + pos, size - pos, "%s%s=[%s]", i ? "|" : "", tags->tags[i].name,
                         tags->tags[i].value);
        if (n < 0) {
            break;
        }
        pos += (size_t)n;
    }
}

/* ---- valid lists ----------------------------------------------------------------------- */

typedef struct ok_case {
    const char *name;
    const char *text;
    const char *want;
} ok_case;

static const ok_case OK[] = {
    {"one tag", "v=1", "v=[1]"},
    {"two tags", "v=1; a=rsa-sha256", "v=[1]|a=[rsa-sha256]"},
    {"trailing semicolon", "v=1;", "v=[1]"},
    {"trailing semicolon and space", "v=1; ", "v=[1]"},
    {"trailing semicolon and folding", "v=1;\r\n ", "v=[1]"},
    {"spaces everywhere", "  v  =  1  ;  a = b  ", "v=[1]|a=[b]"},
    {"tabs", "\tv\t=\t1\t;\ta=b", "v=[1]|a=[b]"},
    {"folding before a name", "v=1;\r\n a=b", "v=[1]|a=[b]"},
    {"folding around '='", "v\r\n =\r\n\t1", "v=[1]"},
    {"folding inside a value is kept", "b=abc\r\n def", "b=[abc\r\n def]"},
    {"space inside a value is kept", "n=two words", "n=[two words]"},
    {"several folds in a value", "b=a \r\n b\r\n \r\n c", "b=[a \r\n b\r\n \r\n c]"},
    {"empty value", "b=; v=1", "b=[]|v=[1]"},
    {"empty value at the end", "v=1; b=", "v=[1]|b=[]"},
    {"empty value with spaces", "b=  ; c=", "b=[]|c=[]"},
    {"names with digits and underscore", "x_1=a; Y2_=b", "x_1=[a]|Y2_=[b]"},
    {"names are case-sensitive: V and v differ", "V=2; v=1", "V=[2]|v=[1]"},
    {"value with every VALCHAR kind", "z=!\"#$%&'()*+,-./0123456789:<=>?@AZ[\\]^_`az{|}~",
     "z=[!\"#$%&'()*+,-./0123456789:<=>?@AZ[\\]^_`az{|}~]"},
    {"'=' inside a value", "p=abc==; b=x=y", "p=[abc==]|b=[x=y]"},
    {"8-bit bytes kept for the tag's own rules", "n=caf\xc3\xa9", "n=[caf\xc3\xa9]"},
    {"RFC 6376 §3.5 example fragment",
     "v=1; a=rsa-sha256; d=example.net; s=brisbane;\r\n c=simple; q=dns/txt; i=@eng.example.net;",
     "v=[1]|a=[rsa-sha256]|d=[example.net]|s=[brisbane]|c=[simple]|q=[dns/txt]|i=[@eng.example."
     "net]"},
    {"key record with a trailing space (Mail::DKIM test2)",
     "v=DKIM1; s=email:web:fine; x1 = extra ; t = y:n:extra; h=md5:sha1; p=QUJD ; ",
     "v=[DKIM1]|s=[email:web:fine]|x1=[extra]|t=[y:n:extra]|h=[md5:sha1]|p=[QUJD]"},
};

static void test_tags_valid(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        const ok_case *c = &OK[i];
        size_t len = strlen(c->text);
        char *copy = exact(c->text, len);
        ms__dkim_tags tags;
        ms__dkim_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms__dkim_tags_parse(copy, len, MS_LIMIT_DKIM_TAGS, MS_DKIM_PERMFAIL_SYNTAX,
                                           arena, &tags, &err);
        EXPECT(st == MS_OK, "case %s: got %s (%s at %zu, \"%s\"), want MS_OK", c->name,
               ms_status_name(st), err.reason ? err.reason : "", err.offset, err.detail);
        if (st == MS_OK) {
            char got[512];
            render(&tags, got, sizeof(got));
            EXPECT(strcmp(got, c->want) == 0, "case %s: got \"%s\", want \"%s\"", c->name, got,
                   c->want);
            for (size_t k = 0; k < tags.n; k++) {
                const ms__dkim_tag *t = &tags.tags[k];
                size_t nl = strlen(t->name);
                EXPECT(memcmp(c->text + t->name_off, t->name, nl) == 0 &&
                           t->value_len == strlen(t->value) &&
                           memcmp(c->text + t->value_off, t->value, t->value_len) == 0,
                       "case %s: tag %zu: name or value not found at its offset", c->name, k);
                EXPECT(t->end_off == len || c->text[t->end_off] == ';',
                       "case %s: tag %zu: got end offset %zu, want a ';' or the end", c->name, k,
                       t->end_off);
                EXPECT(t->value_off + t->value_len <= t->end_off,
                       "case %s: tag %zu: value runs past its tag-spec", c->name, k);
            }
        }
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* Offsets field by field, and the find helper. */
static void test_tags_offsets(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    const char *text = "v=1; b= abc \r\n def ;bh=x";
    ms__dkim_tags tags;
    ms__dkim_error err;
    assert_int_equal(
        ms__dkim_tags_parse(text, strlen(text), 8, MS_DKIM_PERMFAIL_SYNTAX, arena, &tags, &err),
        MS_OK);
    assert_int_equal(tags.n, 3);
    const ms__dkim_tag *b = ms__dkim_tags_find(&tags, "b");
    assert_non_null(b);
    assert_int_equal(b->name_off, 5);
    assert_int_equal(b->value_off, 8);
    assert_int_equal(b->value_len, 10); /* "abc \r\n def" */
    assert_int_equal(b->end_off, 19);
    assert_string_equal(b->value, "abc \r\n def");
    assert_null(ms__dkim_tags_find(&tags, "B"));
    assert_null(ms__dkim_tags_find(&tags, "x"));
    assert_int_equal(ms__dkim_tags_find(&tags, "bh")->value_off, 23);

    /* An empty value sits where it would start. */
    text = "b=;c=  ";
    assert_int_equal(
        ms__dkim_tags_parse(text, strlen(text), 8, MS_DKIM_PERMFAIL_SYNTAX, arena, &tags, &err),
        MS_OK);
    assert_int_equal(tags.tags[0].value_off, 2);
    assert_int_equal(tags.tags[0].value_len, 0);
    assert_int_equal(tags.tags[1].value_off, 7);

    /* Only len bytes are read: no NUL needed. */
    char buf[16];
    memcpy(buf, "v=1; a=bXXXXXXXX", sizeof(buf));
    assert_int_equal(ms__dkim_tags_parse(buf, 8, 8, MS_DKIM_PERMFAIL_SYNTAX, arena, &tags, &err),
                     MS_OK);
    assert_string_equal(tags.tags[1].value, "b");
    ms_arena_free(arena);
}

/* ---- errors ---------------------------------------------------------------------------- */

typedef struct err_case {
    const char *name;
    const char *text;
    size_t len; /* 0 = strlen */
    size_t want_offset;
    const char *want_reason; /* a substring */
    const char *want_detail; /* the start of the escaped detail */
} err_case;

static const err_case ERR[] = {
    {"empty", "", 0, 0, "empty tag-list", ""},
    {"only spaces", "   ", 0, 3, "empty tag-list", ""},
    {"only a semicolon", ";", 0, 0, "empty tag-spec", ";"},
    {"two semicolons", "v=1;;a=b", 0, 4, "empty tag-spec", ";a=b"},
    {"semicolon, space, semicolon", "v=1; ;", 0, 5, "empty tag-spec", ";"},
    {"no '='", "v", 0, 1, "expected '='", "v"},
    {"tag without '=' in the middle (badkey_4)", "k=rsa; t; p=abc", 0, 8, "expected '='",
     "t; p=abc"},
    {"name starts with a digit", "1v=1", 0, 0, "starts with a letter", "1v=1"},
    {"name starts with '_'", "_a=1", 0, 0, "starts with a letter", "_a=1"},
    {"name with a hyphen", "a-b=1", 0, 1, "expected '='", "a-b=1"},
    {"space inside a name", "b h=1", 0, 2, "expected '='", "b h=1"},
    {"just '='", "=1", 0, 0, "starts with a letter", "=1"},
    {"duplicate tag", "v=1; a=x; v=1", 0, 10, "duplicate tag", "v"},
    {"duplicate empty tags", "b=;b=", 0, 3, "duplicate tag", "b"},
    {"duplicate after folding", "d=a.example;\r\n d=b.example", 0, 15, "duplicate tag", "d"},
    {"bare LF", "v=1;\n a=b", 0, 4, "folding whitespace", "\\x0a a=b"},
    {"bare CR", "v=1;\r a=b", 0, 4, "folding whitespace", "\\x0d a=b"},
    {"CRLF not followed by WSP", "v=1;\r\na=b", 0, 4, "folding whitespace", "\\x0d\\x0aa=b"},
    {"CRLF at the very end", "v=1\r\n", 0, 3, "folding whitespace", "\\x0d\\x0a"},
    {"CRLF CRLF", "v=1;\r\n\r\n a=b", 0, 4, "folding whitespace", "\\x0d\\x0a"},
    {"LF inside a value", "b=ab\ncd", 0, 4, "folding whitespace", "\\x0acd"},
    {"NUL in a value", "d=a\0b", 5, 3, "control character", "d=a\\x00b"},
    {"NUL in a name", "d\0=a", 4, 1, "expected '='", "d\\x00=a"},
    {"control byte in a value", "d=a\x01z", 0, 3, "control character", "d=a\\x01z"},
    {"DEL in a value", "d=a\x7f", 0, 3, "control character", "d=a\\x7f"},
    {"escape in a value", "d=\x1b[31m", 0, 2, "control character", "d=\\x1b[31m"},
};

static void test_tags_errors(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(ERR) / sizeof(ERR[0]); i++) {
        const err_case *c = &ERR[i];
        size_t len = c->len ? c->len : strlen(c->text);
        char *copy = exact(c->text, len);
        ms__dkim_tags tags;
        ms__dkim_error err;
        ms_status st = ms__dkim_tags_parse(copy, len, MS_LIMIT_DKIM_TAGS,
                                           MS_DKIM_PERMFAIL_KEY_SYNTAX, arena, &tags, &err);
        EXPECT(st == MS_ESYNTAX, "case %s: got %s, want MS_ESYNTAX", c->name, ms_status_name(st));
        if (st == MS_ESYNTAX) {
            EXPECT(err.kind == MS_DKIM_PERMFAIL_KEY_SYNTAX, "case %s: got kind %s, want KEY_SYNTAX",
                   c->name, ms_dkim_permfail_name(err.kind));
            EXPECT(err.offset == c->want_offset, "case %s: got offset %zu, want %zu", c->name,
                   err.offset, c->want_offset);
            EXPECT(err.reason && strstr(err.reason, c->want_reason) &&
                       strstr(err.reason, "RFC 6376 §"),
                   "case %s: got reason \"%s\", want one with \"%s\" and its RFC section", c->name,
                   err.reason ? err.reason : "(null)", c->want_reason);
            EXPECT(strncmp(err.detail, c->want_detail, strlen(c->want_detail)) == 0,
                   "case %s: got detail \"%s\", want one starting \"%s\"", c->name, err.detail,
                   c->want_detail);
            EXPECT(tags.n == 0 && tags.tags == NULL, "case %s: got %zu tags on error, want none",
                   c->name, tags.n);
        }
        free(copy);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

/* MS_LIMIT_DKIM_TAGS tags parse, one more does not; many ';' allocate no more than the cap. */
static void test_tags_caps(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    size_t n = MS_LIMIT_DKIM_TAGS + 1;
    char *buf = malloc(n * 16);
    assert_non_null(buf);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(buf + len, 16, "t%zu=%zu;", i, i);
    }
    size_t len_cap = 0;
    for (size_t i = 0, k = 0; i < len; i++) {
        if (buf[i] == ';' && ++k == MS_LIMIT_DKIM_TAGS) {
            len_cap = i + 1;
            break;
        }
    }
    ms__dkim_tags tags;
    ms__dkim_error err;
    assert_int_equal(ms__dkim_tags_parse(buf, len_cap, MS_LIMIT_DKIM_TAGS, MS_DKIM_PERMFAIL_SYNTAX,
                                         arena, &tags, &err),
                     MS_OK);
    assert_int_equal(tags.n, MS_LIMIT_DKIM_TAGS);
    assert_int_equal(ms__dkim_tags_parse(buf, len, MS_LIMIT_DKIM_TAGS, MS_DKIM_PERMFAIL_SYNTAX,
                                         arena, &tags, &err),
                     MS_ESYNTAX);
    assert_int_equal(err.kind, MS_DKIM_PERMFAIL_LIMIT);
    assert_int_equal(err.offset, len_cap);
    assert_non_null(strstr(err.reason, "too many tags"));
    free(buf);

    /* 64 KiB of ';' is an error at the second byte, with a tiny allocation. */
    size_t big = 65536;
    buf = malloc(big);
    assert_non_null(buf);
    memset(buf, ';', big);
    memcpy(buf, "v", 1);
    size_t before = ms_arena_used(arena);
    assert_int_equal(ms__dkim_tags_parse(buf, big, MS_LIMIT_DKIM_TAGS, MS_DKIM_PERMFAIL_SYNTAX,
                                         arena, &tags, &err),
                     MS_ESYNTAX);
    assert_int_equal(err.offset, 1);
    assert_true(ms_arena_used(arena) - before <= MS_LIMIT_DKIM_TAGS * sizeof(ms__dkim_tag) + 64);
    free(buf);

    /* The detail is cut at a whole escape and always terminated; err may be NULL. */
    char junk[200];
    memset(junk, 1, sizeof(junk));
    memcpy(junk, "d=", 2);
    assert_int_equal(
        ms__dkim_tags_parse(junk, sizeof(junk), 8, MS_DKIM_PERMFAIL_SYNTAX, arena, &tags, &err),
        MS_ESYNTAX);
    assert_true(strlen(err.detail) < sizeof(err.detail));
    assert_int_equal((strlen(err.detail) - 2) % 4, 0);
    assert_int_equal(
        ms__dkim_tags_parse(junk, sizeof(junk), 8, MS_DKIM_PERMFAIL_SYNTAX, arena, &tags, NULL),
        MS_ESYNTAX);
    ms_arena_free(arena);
}

/* A full arena is MS_ELIMIT, never a crash or a half list. */
static void test_tags_arena_cap(void **state)
{
    (void)state;
    const char *text = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=sel; h=from:to; "
                       "bh=MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=; b=abcd";
    unsigned n_ok = 0;
    for (size_t cap = 1; cap < 4096; cap += 37) {
        ms_arena *arena = new_arena(cap);
        ms__dkim_tags tags;
        ms__dkim_error err;
        ms_status st = ms__dkim_tags_parse(text, strlen(text), MS_LIMIT_DKIM_TAGS,
                                           MS_DKIM_PERMFAIL_SYNTAX, arena, &tags, &err);
        if (st == MS_OK) {
            assert_int_equal(tags.n, 8);
            n_ok++;
        } else {
            assert_int_equal(st, MS_ELIMIT);
        }
        ms_arena_free(arena);
    }
    assert_true(n_ok > 0);
}

/* ---- helpers --------------------------------------------------------------------------- */

typedef struct b64_case {
    const char *name;
    const char *value;
    bool want;
    size_t want_off; /* on false */
} b64_case;

static const b64_case B64[] = {
    {"four characters", "QUJD", true, 0},
    {"one pad", "QUI=", true, 0},
    {"two pads", "QQ==", true, 0},
    {"plus and slash", "+/+/", true, 0},
    {"folded", "QU\r\n JD", true, 0},
    {"spaces between", "Q U J D", true, 0},
    {"FWS before the pad", "QUI \r\n\t=", true, 0},
    {"FWS between the pads", "QQ= =", true, 0},
    {"trailing space", "QUJD  ", true, 0},
    {"bh of RFC 6376 §3.5", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=", true, 0},
    {"empty", "", false, 0},
    {"only padding", "==", false, 0},
    {"three pads", "Q===", false, 3},
    {"data after a pad", "QU=D", false, 3},
    {"at signs (DKIM-14 b=@@@)", "@@@", false, 0},
    {"dash", "QU-D", false, 2},
    {"underscore (base64url)", "QU_D", false, 2},
    {"length 3", "QUJ", false, 3},
    {"length 5", "QUJDR", false, 5},
    {"8-bit byte", "QU\xc3\xa9", false, 2},
    {"semicolon", "QU;D", false, 2},
};

static void test_base64_check(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(B64) / sizeof(B64[0]); i++) {
        const b64_case *c = &B64[i];
        size_t len = strlen(c->value);
        char *copy = exact(c->value, len);
        size_t off = 999;
        const char *why = NULL;
        bool got = ms__dkim_base64_check(copy, len, &off, &why);
        EXPECT(got == c->want, "case %s: got %d, want %d", c->name, got, c->want);
        if (!got && !c->want) {
            EXPECT(off == c->want_off, "case %s: got offset %zu, want %zu", c->name, off,
                   c->want_off);
            EXPECT(why && strstr(why, "RFC"), "case %s: got no reason", c->name);
        }
        free(copy);
    }
    assert_int_equal(n_bad, 0);
}

static void test_hyphenated_word(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool want;
    } cases[] = {
        {"rsa", true},   {"ed25519", true}, {"a", true},    {"x-y-z", true},
        {"a--b", true},  {"", false},       {"-a", false},  {"a-", false},
        {"1abc", false}, {"a_b", false},    {"a b", false}, {"a.b", false},
        {"*", false},    {"sha256", true},  {"Z9", true},   {"a\xc3\xa9", false},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = ms__dkim_is_hyphenated_word(cases[i].s, strlen(cases[i].s));
        EXPECT(got == cases[i].want, "case \"%s\": got %d, want %d", cases[i].s, got,
               cases[i].want);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct list_case {
    const char *name;
    const char *value;
    const char *want; /* items joined by '|', or "!" and the fault offset */
} list_case;

static const list_case LIST[] = {
    {"one", "from", "from"},
    {"three", "from:to:subject", "from|to|subject"},
    {"FWS around colons", "from : to\r\n :\tsubject", "from|to|subject"},
    {"leading and trailing FWS", " from ", "from"},
    {"repeated names kept", "from:from", "from|from"},
    {"empty list", "", "!0"},
    {"only FWS", "  ", "!2"},
    {"leading colon", ":from", "!0"},
    {"trailing colon", "from:", "!5"},
    {"double colon", "from::to", "!5"},
    {"space inside an item", "fr om:to", "!3"},
    {"64 KiB-like run of colons", "::::::::", "!0"},
};

static void test_list_next(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(LIST) / sizeof(LIST[0]); i++) {
        const list_case *c = &LIST[i];
        size_t len = strlen(c->value);
        char *copy = exact(c->value, len);
        char got[256] = "";
        size_t pos = 0, ilen = 0, glen = 0;
        const char *item = NULL;
        int r;
        unsigned guard = 0;
        while ((r = ms__dkim_list_next(copy, len, ':', &pos, &item, &ilen)) == 1 && guard++ < 100) {
            glen += (size_t)snprintf(got + glen, sizeof(got) - glen, "%s%.*s", glen ? "|" : "",
                                     (int)ilen, item);
        }
        if (r < 0) {
            snprintf(got, sizeof(got), "!%zu", pos);
        }
        EXPECT(strcmp(got, c->want) == 0, "case %s: got \"%s\", want \"%s\"", c->name, got,
               c->want);
        free(copy);
    }
    assert_int_equal(n_bad, 0);
}

static void test_escape(void **state)
{
    (void)state;
    char out[32];
    ms__dkim_escape("a.b", 3, out, sizeof(out));
    assert_string_equal(out, "a.b");
    /* DKIM-28: format directives stay inert text; CR, LF, quotes, backslash, NUL are escaped. */
    ms__dkim_escape("%n%s\r\n\"\\\0;", 10, out, sizeof(out));
    assert_string_equal(out, "%n%s\\x0d\\x0a\\x22\\x5c\\x00;");
    ms__dkim_escape("\xff\x80", 2, out, sizeof(out));
    assert_string_equal(out, "\\xff\\x80");
    /* Cut at a whole escape. */
    ms__dkim_escape("ab\x01\x02", 4, out, 7);
    assert_string_equal(out, "ab\\x01");
    ms__dkim_escape("abc", 3, out, 1);
    assert_string_equal(out, "");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(ms_dkim_permfail_name(MS_DKIM_PERMFAIL_KEY_REVOKED), "KEY_REVOKED");
    assert_string_equal(ms_dkim_permfail_str(MS_DKIM_PERMFAIL_KEY_REVOKED), "key revoked");
    assert_string_equal(ms_dkim_permfail_str(MS_DKIM_PERMFAIL_MISSING_TAG),
                        "signature missing required tag");
    assert_string_equal(ms_dkim_permfail_name((ms_dkim_permfail)999), "UNKNOWN");
    assert_string_equal(ms_dkim_result_name(MS_DKIM_PERMERROR), "permerror");
    assert_string_equal(ms_dkim_result_name(MS_DKIM_POLICY), "policy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tags_valid),      cmocka_unit_test(test_tags_offsets),
        cmocka_unit_test(test_tags_errors),     cmocka_unit_test(test_tags_caps),
        cmocka_unit_test(test_tags_arena_cap),  cmocka_unit_test(test_base64_check),
        cmocka_unit_test(test_hyphenated_word), cmocka_unit_test(test_list_next),
        cmocka_unit_test(test_escape),          cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
