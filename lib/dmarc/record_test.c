/* SPDX-License-Identifier: MIT */
/* DMARC record parsing, RFC 9989 §4.7 and §4.8 (and the RFC 7489 §6.3 tags RFC 9989 removed):
 * each tag's values and defaults, URI lists with "!size", notes for what is ignored, and the
 * errors that invalidate a record, with offset and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/dmarc.h"

#include "base/limits.h"

#include "ms_expect.h"

static const char *pol(ms_dmarc_policy p)
{
    return ms_dmarc_policy_name(p);
}

/* The parsed record as one line. */
static void render(const ms_dmarc_record *r, char *buf, size_t size)
{
    size_t pos = 0;
    int n = snprintf(buf, size, "p=%s%s sp=%s%s np=%s%s psd=%c t=%c adkim=%c aspf=%c", pol(r->p),
                     r->has_p ? "" : "*", pol(r->sp), r->has_sp ? "" : "*", pol(r->np),
                     r->has_np ? "" : "*", r->psd, r->testing ? 'y' : 'n',
                     r->adkim == MS_DMARC_ALIGN_STRICT ? 's' : 'r',
                     r->aspf == MS_DMARC_ALIGN_STRICT ? 's' : 'r');
    pos = n > 0 ? (size_t)n : 0;
    if (r->has_pct) {
        n = snprintf(buf + pos, size - pos, " pct=%u", r->pct);
        pos += n > 0 ? (size_t)n : 0;
    }
    if (r->has_ri) {
        n = snprintf(buf + pos, size - pos, " ri=%u", (unsigned)r->ri);
        pos += n > 0 ? (size_t)n : 0;
    }
    if (r->fo != NULL) {
        n = snprintf(buf + pos, size - pos, " fo=%s", r->fo);
        pos += n > 0 ? (size_t)n : 0;
    }
    if (r->rf != NULL) {
        n = snprintf(buf + pos, size - pos, " rf=%s", r->rf);
        pos += n > 0 ? (size_t)n : 0;
    }
    for (int which = 0; which < 2; which++) {
        size_t nu = which == 0 ? r->n_rua : r->n_ruf;
        const ms_dmarc_uri *u = which == 0 ? r->rua : r->ruf;
        for (size_t i = 0; i < nu && pos < size; i++) {
            n = snprintf(buf + pos, size - pos, " %s=%s|%s|%s|%s|%llu", which == 0 ? "rua" : "ruf",
                         u[i].uri, u[i].scheme, u[i].address ? u[i].address : "-",
                         u[i].domain ? u[i].domain : "-", (unsigned long long)u[i].max_bytes);
            pos += n > 0 ? (size_t)n : 0;
        }
    }
    if (pos < size) {
        snprintf(buf + pos, size - pos, " notes=%zu", r->n_notes);
    }
}

typedef struct ok_case {
    const char *name;
    const char *txt;
    const char *want; /* render() */
} ok_case;

static const ok_case ok_cases[] = {
    {"minimal", "v=DMARC1; p=none", "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r notes=0"},
    {"reject-defaults", "v=DMARC1;p=reject",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r notes=0"},
    {"trailing-sep", "v=DMARC1; p=quarantine;",
     "p=quarantine sp=quarantine* np=quarantine* psd=u t=n adkim=r aspf=r notes=0"},
    {"wsp-around", "v = DMARC1 ;  p =  reject ; sp\t=\tnone ;",
     "p=reject sp=none np=none* psd=u t=n adkim=r aspf=r notes=0"},
    {"np-defaults-to-sp", "v=DMARC1; p=reject; sp=quarantine",
     "p=reject sp=quarantine np=quarantine* psd=u t=n adkim=r aspf=r notes=0"},
    {"np-own", "v=DMARC1; p=none; sp=none; np=reject",
     "p=none sp=none np=reject psd=u t=n adkim=r aspf=r notes=0"},
    {"tag-names-case-insensitive", "v=DMARC1; P=Reject; ADKIM=S; Aspf=s",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=s aspf=s notes=0"},
    {"psd-y", "v=DMARC1; p=reject; psd=y",
     "p=reject sp=reject* np=reject* psd=y t=n adkim=r aspf=r notes=0"},
    {"psd-n", "v=DMARC1; p=reject; psd=n",
     "p=reject sp=reject* np=reject* psd=n t=n adkim=r aspf=r notes=0"},
    {"t-y", "v=DMARC1; p=reject; t=y",
     "p=reject sp=reject* np=reject* psd=u t=y adkim=r aspf=r notes=0"},
    {"fo-list", "v=DMARC1; p=none; fo=1:d:s",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r fo=1:d:s notes=0"},
    {"fo-bad", "v=DMARC1; p=none; fo=0:1",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r notes=1"},
    {"rua-one", "v=DMARC1; p=none; rua=mailto:dmarc@Example.COM",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=mailto:dmarc@Example.COM|mailto|dmarc@Example.COM|example.com|0 notes=0"},
    {"rua-size-and-list", "v=DMARC1; p=none; rua=mailto:a@x.example!10m , MAILTO:b@y.example!2",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=mailto:a@x.example|mailto|a@x.example|x.example|10485760 "
     "rua=MAILTO:b@y.example|mailto|b@y.example|y.example|2 notes=0"},
    {"rua-size-units", "v=DMARC1; p=none; rua=mailto:a@x.example!1k,mailto:b@x.example!1t",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=mailto:a@x.example|mailto|a@x.example|x.example|1024 "
     "rua=mailto:b@x.example|mailto|b@x.example|x.example|1099511627776 notes=0"},
    {"rua-https-kept", "v=DMARC1; p=none; rua=https://r.example/dmarc",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=https://r.example/dmarc|https|-|-|0 notes=0"},
    {"rua-bad-dropped", "v=DMARC1; p=none; rua=dmarc@example.com,mailto:ok@example.com",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=mailto:ok@example.com|mailto|ok@example.com|example.com|0 notes=1"},
    {"ruf", "v=DMARC1; p=none; ruf=mailto:f@example.com; fo=1",
     "p=none sp=none* np=none* psd=u t=n adkim=r aspf=r fo=1 "
     "ruf=mailto:f@example.com|mailto|f@example.com|example.com|0 notes=0"},
    {"pct-ri-rf-noted", "v=DMARC1; p=reject; pct=50; ri=3600; rf=afrf",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r pct=50 ri=3600 rf=afrf notes=3"},
    {"pct-0", "v=DMARC1; p=reject; pct=0",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r pct=0 notes=1"},
    {"pct-1000-ignored", "v=DMARC1; p=reject; pct=1000",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r notes=1"},
    {"pct-abc-ignored", "v=DMARC1; p=reject; pct=abc",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r notes=1"},
    {"unknown-tag", "v=DMARC1; p=reject; foo=bar",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r notes=1"},
    {"not-a-tag", "v=DMARC1; p=reject; junk",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r notes=1"},
    {"bad-adkim-default", "v=DMARC1; p=reject; adkim=x; t=maybe; psd=q",
     "p=reject sp=reject* np=reject* psd=u t=n adkim=r aspf=r notes=3"},
    {"no-p-with-rua-is-none", "v=DMARC1; rua=mailto:r@example.com",
     "p=none* sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=mailto:r@example.com|mailto|r@example.com|example.com|0 notes=2"},
    {"bad-p-with-rua-is-none", "v=DMARC1; p=bogus; rua=mailto:r@example.com",
     "p=none* sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=mailto:r@example.com|mailto|r@example.com|example.com|0 notes=2"},
    {"bad-sp-with-rua-is-none", "v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com",
     "p=none* sp=none* np=none* psd=u t=n adkim=r aspf=r "
     "rua=mailto:r@example.com|mailto|r@example.com|example.com|0 notes=2"},
};

static void test_ok(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
        const ok_case *c = &ok_cases[i];
        char *txt = exact(c->txt, strlen(c->txt));
        const ms_dmarc_record *r = NULL;
        ms_dmarc_parse_error err;
        ms_status st = ms_dmarc_record_parse(txt, strlen(c->txt), arena, &r, &err);
        EXPECT(st == MS_OK, "%s: got %s (%s), want MS_OK", c->name, ms_status_name(st),
               st == MS_ESYNTAX ? err.reason : "");
        if (st == MS_OK) {
            char got[1024];
            render(r, got, sizeof(got));
            EXPECT(strcmp(got, c->want) == 0, "%s:\n got  %s\n want %s", c->name, got, c->want);
            for (size_t k = 0; k < r->n_notes; k++) {
                size_t len = strlen(r->notes[k]);
                EXPECT(len > 0 && r->notes[k][len - 1] == ')', "%s: note without its RFC: %s",
                       c->name, r->notes[k]);
            }
        }
        EXPECT(ms_dmarc_is_record(txt, strlen(c->txt)), "%s: is_record false", c->name);
        free(txt);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

typedef struct bad_case {
    const char *name;
    const char *txt;
    size_t len; /* 0: strlen */
    size_t offset;
    const char *reason_has;
} bad_case;

static const bad_case bad_cases[] = {
    {"empty", "", 0, 0, "must be the first tag"},
    {"no-version", "p=reject; v=DMARC1", 0, 0, "must be the first tag"},
    {"version-lowercase", "v=dmarc1; p=reject", 0, 0, "must be the first tag"},
    {"version-10", "v=DMARC10; p=reject", 0, 0, "must be the first tag"},
    {"version-no-sep", "v=DMARC1 p=reject", 0, 0, "must be the first tag"},
    {"leading-space", " v=DMARC1; p=reject", 0, 0, "must be the first tag"},
    {"duplicate-p", "v=DMARC1; p=reject; p=none", 0, 20, "appears twice"},
    {"duplicate-p-case", "v=DMARC1; p=reject; P=reject", 0, 20, "appears twice"},
    {"duplicate-v", "v=DMARC1; v=DMARC1; p=none", 0, 10, "appears twice"},
    {"duplicate-rua", "v=DMARC1; p=none; rua=mailto:a@x.t; rua=mailto:b@x.t", 0, 36,
     "appears twice"},
    {"bad-p-no-rua", "v=DMARC1; p=bogus", 0, 0, "§4.10.1"},
    {"no-p-no-rua", "v=DMARC1; adkim=s", 0, 0, "§4.10.1"},
    {"no-p-bad-rua", "v=DMARC1; rua=nothing", 0, 0, "§4.10.1"},
    {"nul-in-p", "v=DMARC1; p=re\0ject", 19, 0, "§4.10.1"},
};

static void test_bad(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const bad_case *c = &bad_cases[i];
        size_t len = c->len ? c->len : strlen(c->txt);
        char *txt = exact(c->txt, len);
        const ms_dmarc_record *r = NULL;
        ms_dmarc_parse_error err;
        ms_status st = ms_dmarc_record_parse(txt, len, arena, &r, &err);
        EXPECT(st == MS_ESYNTAX && r == NULL, "%s: got %s, want MS_ESYNTAX", c->name,
               ms_status_name(st));
        if (st == MS_ESYNTAX) {
            EXPECT(err.offset == c->offset, "%s: offset got %zu, want %zu", c->name, err.offset,
                   c->offset);
            EXPECT(err.reason != NULL && strstr(err.reason, c->reason_has) != NULL,
                   "%s: reason got \"%s\", want it to hold \"%s\"", c->name,
                   err.reason ? err.reason : "(null)", c->reason_has);
            EXPECT(err.reason != NULL && strstr(err.reason, "RFC") != NULL,
                   "%s: reason without RFC", c->name);
            EXPECT(memchr(err.detail, '\0', sizeof(err.detail)) != NULL, "%s: detail unterminated",
                   c->name);
        }
        free(txt);
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

static void test_is_record(void **state)
{
    (void)state;
    static const struct {
        const char *txt;
        bool want;
    } cases[] = {
        {"v=DMARC1", true},
        {"v=DMARC1;", true},
        {"v=DMARC1 ; p=none", true},
        {"V=DMARC1; p=none", true},
        {"v=DMARC2; p=none", false},
        {"v=spf1 -all", false},
        {"v=DMARC1x", false},
        {"", false},
        {"v=", false},
        {"v = DMARC1;p=none", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *txt = exact(cases[i].txt, strlen(cases[i].txt));
        bool got = ms_dmarc_is_record(txt, strlen(cases[i].txt));
        EXPECT(got == cases[i].want, "\"%s\": got %d, want %d", cases[i].txt, got, cases[i].want);
        free(txt);
    }
    assert_int_equal(n_bad, 0);
}

static void test_big_and_many(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    /* A record over the cap is invalid, whatever it holds. */
    size_t big = 64u * 1024u;
    char *txt = malloc(big);
    assert_non_null(txt);
    memcpy(txt, "v=DMARC1; p=reject; rua=", 24);
    memset(txt + 24, 'x', big - 24);
    const ms_dmarc_record *r = NULL;
    ms_dmarc_parse_error err;
    ms_status st = ms_dmarc_record_parse(txt, big, arena, &r, &err);
    EXPECT(st == MS_ESYNTAX && strstr(err.reason, "longer") != NULL,
           "64 KiB record: got %s, want MS_ESYNTAX 'longer'", ms_status_name(st));
    /* Many URIs: the first MS_LIMIT_DMARC_URIS kept, the rest noted. */
    char buf[4096];
    size_t pos = (size_t)snprintf(buf, sizeof(buf), "v=DMARC1; p=none; rua=");
    for (int i = 0; i < 40; i++) {
        pos += (size_t)snprintf(buf + pos, sizeof(buf) - pos, "%smailto:r%d@example.com",
                                i ? "," : "", i);
    }
    st = ms_dmarc_record_parse(buf, pos, arena, &r, &err);
    EXPECT(st == MS_OK && r->n_rua == MS_LIMIT_DMARC_URIS, "40 URIs: got %s n_rua %zu, want %u",
           ms_status_name(st), st == MS_OK ? r->n_rua : 0, MS_LIMIT_DMARC_URIS);
    EXPECT(st == MS_OK && r->n_notes <= MS_LIMIT_DMARC_NOTES, "notes over the cap");
    free(txt);
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_is_record),
        cmocka_unit_test(test_big_and_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
