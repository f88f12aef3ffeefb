/* SPDX-License-Identifier: MIT */
/* Identifier alignment, RFC 9989 §3.2.10 and §4.10.2: strict is the same name (case and one
 * trailing dot aside), relaxed the same organizational domain (tree walk, or the PSL in RFC 7489
 * mode); identifiers that are not host names never align; DNS errors are reported as such. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "ms_expect.h"

#include "dmarc/align.h"
#include "ms_dmarc_cases.h"

#define REC(name, text) "_dmarc." name ". TXT \"" text "\"\n"

static const char *const zone = REC("example.com", "v=DMARC1; p=reject")
    REC("signing.example.com", "v=DMARC1; p=none") REC("bank.example", "v=DMARC1; p=none; psd=y");

typedef struct align_case {
    const char *name;
    ms_dmarc_mode mode;
    ms_dmarc_alignment alignment;
    const char *author, *ident;
    bool want_aligned, want_temperror;
} align_case;

#define S MS_DMARC_ALIGN_STRICT
#define R MS_DMARC_ALIGN_RELAXED
#define M9 MS_DMARC_MODE_RFC9989
#define M7 MS_DMARC_MODE_RFC7489

static const align_case cases[] = {
    {"strict-same", M9, S, "example.com", "example.com", true, false},
    {"strict-case-dot", M9, S, "example.com", "EXAMPLE.com.", true, false},
    {"strict-child", M9, S, "example.com", "child.example.com", false, false},
    {"strict-parent (DMARC-19)", M9, S, "sub.example.com", "example.com", false, false},
    {"relaxed-child", M9, R, "example.com", "child.example.com", true, false},
    {"relaxed-parent", M9, R, "sub.example.com", "example.com", true, false},
    {"relaxed-signing", M9, R, "example.com", "signing.example.com", true, false},
    {"relaxed-other", M9, R, "example.com", "example.net", false, false},
    {"relaxed-psd-siblings", M9, R, "giant.bank.example", "mega.bank.example", false, false},
    {"relaxed-psd-same-org", M9, R, "giant.bank.example", "mail.giant.bank.example", true, false},
    {"relaxed-temperror", M9, R, "example.com", "a.broken.example", false, true},
    {"not-a-hostname (DMARC-26)", M9, R, "legitimate.t", "legitimate.t(.attack.t", false, false},
    {"not-a-hostname-strict", M9, S, "legitimate.t", "legitimate.t(.attack.t", false, false},
    {"7489-co-uk-siblings (DMARC-20)", M7, R, "bank.co.uk", "evil.co.uk", false, false},
    {"7489-co-uk-child", M7, R, "bank.co.uk", "mail.bank.co.uk", true, false},
    {"7489-github-io (DMARC-20)", M7, R, "victim.github.io", "attacker.github.io", false, false},
    {"7489-strict", M7, S, "bank.co.uk", "mail.bank.co.uk", false, false},
};

static void test_align(void **state)
{
    (void)state;
    ms_psl *psl = NULL;
    char err[128];
    assert_int_equal(ms_psl_load(NULL, &psl, err, sizeof(err)), MS_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const align_case *c = &cases[i];
        ms_arena *arena = new_arena(0);
        ms_resolver *z = dmarc_zone(zone, "_dmarc.broken.example TXT");
        ms__dmarc_walk *w = ms_arena_alloc(arena, sizeof(*w));
        assert_non_null(w);
        ms_dmarc_options opt;
        ms_dmarc_options_default(&opt);
        opt.mode = c->mode;
        opt.psl = psl;
        ms__dmarc_walk_init(w, z, &opt, arena, NULL);
        ms__dmarc_alignment al;
        ms_status st = ms__dmarc_align(w, c->alignment, c->author, NULL, c->ident, &al);
        EXPECT(st == MS_OK, "%s: got %s", c->name, ms_status_name(st));
        EXPECT(al.aligned == c->want_aligned, "%s: aligned got %d, want %d (%s)", c->name,
               al.aligned, c->want_aligned, al.why ? al.why : "");
        EXPECT(al.temperror == c->want_temperror, "%s: temperror got %d, want %d", c->name,
               al.temperror, c->want_temperror);
        EXPECT(al.why != NULL, "%s: no why", c->name);
        EXPECT(w->n_queries == ms_resolver_queries(z), "%s: counted %u, asked %llu", c->name,
               w->n_queries, (unsigned long long)ms_resolver_queries(z));
        EXPECT(w->n_queries <= 16, "%s: %u questions", c->name, w->n_queries);
        if (c->mode == M7 || c->alignment == S) {
            EXPECT(w->n_queries == 0, "%s: %u questions, want none", c->name, w->n_queries);
        }
        ms_resolver_free(z);
        ms_arena_free(arena);
    }
    ms_psl_free(psl);
    assert_int_equal(n_bad, 0);
}

/* The walk context asks each _dmarc name once. */
static void test_cache(void **state)
{
    (void)state;
    ms_arena *arena = new_arena(0);
    ms_resolver *z = dmarc_zone(zone, NULL);
    ms__dmarc_walk *w = ms_arena_alloc(arena, sizeof(*w));
    assert_non_null(w);
    ms__dmarc_walk_init(w, z, NULL, arena, NULL);
    ms__dmarc_alignment al;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ms__dmarc_align(w, R, "example.com", NULL, "a.signing.example.com", &al),
                         MS_OK);
        assert_true(al.aligned);
    }
    /* example.com, com, a.signing.example.com, signing.example.com */
    assert_int_equal(ms_resolver_queries(z), 4);
    ms_resolver_free(z);
    ms_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_align),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
