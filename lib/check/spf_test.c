/* SPDX-License-Identifier: MIT */
/* The SPF part of the domain audit (ms__check_spf) alone, over zone text: presence, one
 * record, syntax, the §4.6.4 count over the include tree, void lookups, all, ptr, includes that
 * do not resolve, length, the SPF RR type, DNS failures at each lookup, and bad input (64 KiB
 * and binary records, include loops, deep and wide trees, 127-label names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/limits.h"
#include "ms_check_test.h"
#include "ms_expect.h"

#define D "shop.example"

typedef struct spf_case {
    const char *name;
    const char *zone;   /* origin shop.example */
    const char *faults; /* "name/type ..." answering a timeout */
    const char *want;   /* the finding ids, space-separated */
    int lookups;        /* the §4.6.4 count of the tree, -1: not checked */
    int ok;             /* facts.spf_ok, -1: not checked */
    int incomplete;     /* report->incomplete, -1: not checked */
} spf_case;

#define PROVIDER "amazonses.com. TXT \"v=spf1 ip4:199.255.192.0/22 -all\"\n"
#define HOST "h.other.example. A 192.0.2.1\n"

static const spf_case CASES[] = {
    {"one good record", "@ TXT \"v=spf1 include:amazonses.com -all\"\n" PROVIDER, NULL, "", 1, 1,
     0},
    {"no TXT at all", "@ A 192.0.2.1\n", NULL, "spf-missing", 0, 0, 0},
    {"other TXT only", "@ TXT \"google-site-verification=abc\"\n", NULL, "spf-missing", 0, 0, 0},
    {"v=spf10 is not SPF", "@ TXT \"v=spf10 -all\"\n", NULL, "spf-missing", -1, 0, -1},
    {"two records",
     "@ TXT \"v=spf1 ip4:192.0.2.1 -all\"\n@ TXT \"v=spf1 include:amazonses.com ~all\"\n" PROVIDER,
     NULL, "spf-multiple", -1, 0, 0},
    {"syntax error", "@ TXT \"v=spf1 ip4:300.1.1.1 -all\"\n", NULL, "spf-syntax", -1, 0, 0},
    {"unknown mechanism", "@ TXT \"v=spf1 foo:bar -all\"\n", NULL, "spf-syntax", -1, 0, 0},
    {"plus all", "@ TXT \"v=spf1 +all\"\n", NULL, "spf-plus-all", 0, 0, 0},
    {"bare all is +all", "@ TXT \"v=spf1 ip4:192.0.2.1 all\"\n", NULL, "spf-plus-all", 0, 0, 0},
    {"neutral all", "@ TXT \"v=spf1 ip4:192.0.2.1 ?all\"\n", NULL, "spf-neutral-all", 0, 1, 0},
    {"softfail all is fine", "@ TXT \"v=spf1 ip4:192.0.2.1 ~all\"\n", NULL, "", 0, 1, 0},
    {"no all", "@ TXT \"v=spf1 ip4:192.0.2.1\"\n", NULL, "spf-no-all", 0, 1, 0},
    {"redirect instead of all",
     "@ TXT \"v=spf1 redirect=_spf.shop.example\"\n_spf TXT \"v=spf1 ip4:192.0.2.1 -all\"\n", NULL,
     "", 1, 1, 0},
    {"redirect to a record without all",
     "@ TXT \"v=spf1 redirect=_spf.shop.example\"\n_spf TXT \"v=spf1 ip4:192.0.2.1\"\n", NULL,
     "spf-no-all", 1, 1, 0},
    {"redirect ignored next to all (not counted)",
     "@ TXT \"v=spf1 -all redirect=nowhere.example\"\n", NULL, "", 0, 1, 0},
    {"ptr", "@ TXT \"v=spf1 ptr -all\"\n", NULL, "spf-ptr", 1, 1, 0},
    {"include that does not exist", "@ TXT \"v=spf1 include:nowhere.example -all\"\n", NULL,
     "spf-include-missing", 1, 0, 0},
    {"include without SPF",
     "@ TXT \"v=spf1 include:other.example -all\"\nother.example. TXT \"hello\"\n", NULL,
     "spf-include-missing", 1, 0, 0},
    {"redirect that does not exist", "@ TXT \"v=spf1 redirect=nowhere.example\"\n", NULL,
     "spf-include-missing", 1, 0, 0},
    {"include with two records",
     "@ TXT \"v=spf1 include:other.example -all\"\nother.example. TXT \"v=spf1 -all\"\n"
     "other.example. TXT \"v=spf1 ~all\"\n",
     NULL, "spf-multiple", 1, 0, 0},
    {"include with a syntax error",
     "@ TXT \"v=spf1 include:other.example -all\"\nother.example. TXT \"v=spf1 ip4:1 -all\"\n",
     NULL, "spf-syntax", 1, 0, 0},
    {"include ending in +all",
     "@ TXT \"v=spf1 include:other.example -all\"\nother.example. TXT \"v=spf1 +all\"\n", NULL,
     "spf-plus-all", 1, 0, 0},
    {"include with ?all is fine (no match)",
     "@ TXT \"v=spf1 include:other.example -all\"\nother.example. TXT \"v=spf1 ?all\"\n", NULL, "",
     1, 1, 0},
    {"macro include is not followed", "@ TXT \"v=spf1 include:%{i}._spf.shop.example -all\"\n",
     NULL, "", 1, 1, 0},
    {"ten lookups: near the limit",
     "@ TXT \"v=spf1 include:a.other.example include:b.other.example -all\"\n"
     "a.other.example. TXT \"v=spf1 a:h.other.example a:h.other.example mx:h.other.example -all\"\n"
     "b.other.example. TXT \"v=spf1 a:h.other.example a:h.other.example exists:h.other.example "
     "a:h.other.example -all\"\n" HOST "h.other.example. MX 10 h.other.example.\n",
     NULL, "spf-lookup-near-limit", 9, 1, 0},
    {"twelve lookups: over the limit",
     "@ TXT \"v=spf1 include:a.other.example include:b.other.example include:c.other.example "
     "-all\"\n"
     "a.other.example. TXT \"v=spf1 a:h.other.example a:h.other.example a:h.other.example -all\"\n"
     "b.other.example. TXT \"v=spf1 a:h.other.example a:h.other.example -all\"\n"
     "c.other.example. TXT \"v=spf1 a:h.other.example a:h.other.example a:h.other.example "
     "-all\"\n" HOST,
     NULL, "spf-lookup-limit", 11, 0, 0},
    {"one void lookup", "@ TXT \"v=spf1 a:gone.other.example -all\"\n", NULL, "spf-void-lookup", 1,
     1, 0},
    {"three void lookups",
     "@ TXT \"v=spf1 a:g1.other.example mx:g2.other.example exists:g3.other.example -all\"\n", NULL,
     "spf-void-limit", 3, 0, 0},
    {"a at the domain without an address is void", "@ TXT \"v=spf1 a mx -all\"\n", NULL,
     "spf-void-lookup", 2, 1, 0},
    {"mx with eleven names",
     "@ TXT \"v=spf1 mx -all\"\n@ MX 1 m1\n@ MX 2 m2\n@ MX 3 m3\n@ MX 4 m4\n@ MX 5 m5\n@ MX 6 "
     "m6\n@ MX 7 m7\n@ MX 8 m8\n@ MX 9 m9\n@ MX 10 m10\n@ MX 11 m11\n",
     NULL, "spf-mx-limit", 1, 0, 0},
    {"two strings: a note", "@ TXT \"v=spf1 ip4:192.0.2.1 \" \"ip4:192.0.2.2 -all\"\n", NULL,
     "spf-split", 0, 1, 0},
    {"over 512 octets",
     "@ TXT \"v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 ip4:192.0.2.3 ip4:192.0.2.4 ip4:192.0.2.5 "
     "ip4:192.0.2.6 ip4:192.0.2.7 ip4:192.0.2.8 ip4:192.0.2.9 ip4:192.0.2.10 ip4:192.0.2.11 "
     "ip4:192.0.2.12 ip4:192.0.2.13 ip4:192.0.2.14 ip4:192.0.2.15 ip4:192.0.2.16 \" "
     "\"ip4:192.0.2.17 ip4:192.0.2.18 ip4:192.0.2.19 ip4:192.0.2.20 ip4:192.0.2.21 "
     "ip4:192.0.2.22 ip4:192.0.2.23 ip4:192.0.2.24 ip4:192.0.2.25 ip4:192.0.2.26 "
     "ip4:192.0.2.27 ip4:192.0.2.28 ip4:192.0.2.29 ip4:192.0.2.30 ip4:192.0.2.31 \" "
     "\"ip4:192.0.2.32 ip4:192.0.2.33 ip4:192.0.2.34 ip4:192.0.2.35 ip4:192.0.2.36 "
     "ip4:192.0.2.37 ip4:192.0.2.38 ip4:192.0.2.39 ip4:192.0.2.40 -all\"\n",
     NULL, "spf-long", 0, 1, 0},
    {"SPF RR type beside the same TXT", "@ TXT \"v=spf1 -all\"\n@ SPF \"v=spf1 -all\"\n", NULL,
     "spf-rr-type", 0, 1, 0},
    {"SPF RR type only", "@ SPF \"v=spf1 -all\"\n", NULL, "spf-missing spf-rr-type", 0, 0, 0},
    {"include loop a-b-a",
     "@ TXT \"v=spf1 include:a.other.example -all\"\n"
     "a.other.example. TXT \"v=spf1 include:b.other.example -all\"\n"
     "b.other.example. TXT \"v=spf1 include:a.other.example -all\"\n",
     NULL, "spf-include-loop", 3, 0, 0},
    {"redirect to itself", "@ TXT \"v=spf1 redirect=shop.example\"\n", NULL, "spf-include-loop", 1,
     0, 0},
    {"same include twice counts twice",
     "@ TXT \"v=spf1 include:amazonses.com include:amazonses.com -all\"\n" PROVIDER, NULL, "", 2, 1,
     0},
    /* DNS failures at each lookup: a finding, incomplete, never a crash. */
    {"timeout at the top TXT", "@ TXT \"v=spf1 -all\"\n", "shop.example/16", "spf-dns-error", 0, 0,
     1},
    {"timeout at an include", "@ TXT \"v=spf1 include:amazonses.com -all\"\n", "amazonses.com/16",
     "spf-dns-error", 1, 0, 1},
    {"timeout at an a lookup", "@ TXT \"v=spf1 a:h.other.example -all\"\n" HOST,
     "h.other.example/1", "spf-dns-error", 1, 0, 1},
    {"timeout at an mx lookup", "@ TXT \"v=spf1 mx -all\"\n", "shop.example/15", "spf-dns-error", 1,
     0, 1},
    {"timeout at the SPF RR type", "@ TXT \"v=spf1 -all\"\n", "shop.example/99", "spf-dns-error", 0,
     1, 1},
    {"timeout everywhere", "@ A 192.0.2.1\n", "shop.example/*", "spf-dns-error", 0, 0, 1},
    /* Bad input. */
    {"NUL bytes in the record", "@ TXT \"v=spf1 ip4:192.0.2.1\\000\\000 -all\"\n", NULL,
     "spf-syntax", -1, 0, 0},
    {"binary bytes in the record", "@ TXT \"v=spf1 \\255\\254\\001 -all\"\n", NULL, "spf-syntax",
     -1, 0, 0},
    {"include of a name of 127 labels",
     "@ TXT \"v=spf1 include:"
     "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
     "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a."
     "\" \"a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.example -all\"\n",
     NULL, "spf-split spf-include-missing", -1, 0, 0},
    {"include of a label over 63 octets",
     "@ TXT \"v=spf1 "
     "include:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example "
     "-all\"\n",
     NULL, "spf-include-missing", -1, 0, 0},
};

static void run_case(const spf_case *k)
{
    check_fixture f;
    ms__check_ctx *c = check_new(&f, k->zone, D, D);
    check_faults(&f, k->faults);
    ms__check_spf(c);
    char got[1024];
    EXPECT(c->fatal == MS_OK, "%s: fatal %s", k->name, ms_status_str(c->fatal));
    EXPECT(check_ids_are(c, k->want), "%s: got ids [%s], want [%s]", k->name,
           check_ids(c, got, sizeof(got)), k->want);
    EXPECT(k->lookups < 0 || c->facts.spf_lookups == (unsigned)k->lookups,
           "%s: got %u lookups, want %d", k->name, c->facts.spf_lookups, k->lookups);
    EXPECT(k->ok < 0 || c->facts.spf_ok == (k->ok == 1), "%s: got spf_ok %d, want %d", k->name,
           c->facts.spf_ok, k->ok);
    EXPECT(k->incomplete < 0 || c->report->incomplete == (k->incomplete == 1),
           "%s: got incomplete %d, want %d", k->name, c->report->incomplete, k->incomplete);
    for (size_t i = 0; i < c->report->n_findings; i++) {
        const ms_check_finding *x = &c->report->findings[i];
        EXPECT(x->area == MS_CHECK_AREA_SPF && x->message != NULL && x->message[0] != '\0',
               "%s: finding %s has area %d, message %s", k->name, x->id, x->area,
               x->message ? x->message : "(null)");
    }
    check_free(&f);
}

static void test_cases(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        run_case(&CASES[i]);
    }
    assert_int_equal(n_bad, 0);
}

/* The tree: nodes depth-first with own and total counts, what led to each, and the facts. */
static void test_tree(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c =
        check_new(&f,
                  "@ TXT \"v=spf1 mx include:_spf.google.com include:amazonses.com -all\"\n"
                  "@ MX 10 smtp.google.com.\n"
                  "_spf.google.com. TXT \"v=spf1 include:_netblocks.google.com "
                  "include:_netblocks2.google.com ~all\"\n"
                  "_netblocks.google.com. TXT \"v=spf1 ip4:35.190.247.0/24 ~all\"\n"
                  "_netblocks2.google.com. TXT \"v=spf1 ip6:2001:4860:4000::/36 ~all\"\n" PROVIDER,
                  D, D);
    ms__check_spf(c);
    const ms_check_report *r = c->report;
    static const struct {
        const char *domain, *via;
        unsigned depth, own, total;
    } want[] = {
        {"shop.example", NULL, 0, 3, 5},
        {"_spf.google.com", "include:_spf.google.com", 1, 2, 2},
        {"_netblocks.google.com", "include:_netblocks.google.com", 2, 0, 0},
        {"_netblocks2.google.com", "include:_netblocks2.google.com", 2, 0, 0},
        {"amazonses.com", "include:amazonses.com", 1, 0, 0},
    };
    n_bad = 0;
    EXPECT(r->n_spf_nodes == 5, "got %zu nodes, want 5", r->n_spf_nodes);
    for (size_t i = 0; i < 5 && i < r->n_spf_nodes; i++) {
        const ms_check_spf_node *n = &r->spf_tree[i];
        EXPECT(strcmp(n->domain, want[i].domain) == 0, "node %zu: got %s, want %s", i, n->domain,
               want[i].domain);
        EXPECT((n->via == NULL && want[i].via == NULL) ||
                   (n->via && want[i].via && strcmp(n->via, want[i].via) == 0),
               "node %zu: got via %s, want %s", i, n->via ? n->via : "(null)",
               want[i].via ? want[i].via : "(null)");
        EXPECT(n->depth == want[i].depth && n->lookups_own == want[i].own &&
                   n->lookups_total == want[i].total,
               "node %zu: got depth %u own %u total %u, want %u %u %u", i, n->depth, n->lookups_own,
               n->lookups_total, want[i].depth, want[i].own, want[i].total);
        EXPECT(n->record != NULL && strncmp(n->record, "v=spf1", 6) == 0, "node %zu: record %s", i,
               n->record ? n->record : "(null)");
    }
    EXPECT(c->facts.spf_lookups == 5, "got %u lookups, want 5", c->facts.spf_lookups);
    EXPECT(c->facts.n_spf_includes == 4, "got %zu includes, want 4", c->facts.n_spf_includes);
    bool ses = false;
    for (size_t i = 0; i < c->facts.n_spf_includes; i++) {
        ses = ses || strcmp(c->facts.spf_includes[i], "amazonses.com") == 0;
    }
    EXPECT(ses, "amazonses.com not among the includes");
    EXPECT(c->facts.spf_ok && c->facts.n_spf_records == 1 && c->facts.spf_record != NULL,
           "got ok %d, %zu records", c->facts.spf_ok, c->facts.n_spf_records);
    assert_int_equal(n_bad, 0);
    check_free(&f);
}

/* The findings name what to fix: the biggest contributors, the merged record, the void names. */
static void test_messages(void **state)
{
    (void)state;
    static const struct {
        const char *name, *zone, *id, *in_message, *in_fix;
    } M[] = {
        {"lookup limit names the biggest include",
         "@ TXT \"v=spf1 include:a.other.example a:h.other.example -all\"\n"
         "a.other.example. TXT \"v=spf1 a:h.other.example a:h.other.example a:h.other.example "
         "a:h.other.example a:h.other.example a:h.other.example a:h.other.example "
         "a:h.other.example a:h.other.example a:h.other.example -all\"\n" HOST,
         "spf-lookup-limit", "include:a.other.example costs 11", NULL},
        {"two records: the merged record as the fix",
         "@ TXT \"v=spf1 ip4:192.0.2.1 -all\"\n@ TXT \"v=spf1 include:amazonses.com ~all\"\n",
         "spf-multiple", "2 SPF records", "\"v=spf1 "},
        {"void names the term", "@ TXT \"v=spf1 a:gone.other.example -all\"\n", "spf-void-lookup",
         "a:gone.other.example in shop.example", NULL},
        {"syntax error gives the offset", "@ TXT \"v=spf1 ip4:300.1.1.1 -all\"\n", "spf-syntax",
         "at octet 7", NULL},
        {"missing: the record to publish", "@ A 192.0.2.1\n", "spf-missing", "shop.example",
         "shop.example. TXT \"v=spf1 "},
        {"include missing names the include", "@ TXT \"v=spf1 include:nowhere.example -all\"\n",
         "spf-include-missing", "include:nowhere.example", "include:nowhere.example"},
    };
    n_bad = 0;
    for (size_t i = 0; i < sizeof(M) / sizeof(M[0]); i++) {
        check_fixture f;
        ms__check_ctx *c = check_new(&f, M[i].zone, D, D);
        ms__check_spf(c);
        const ms_check_finding *x = check_find(c, M[i].id);
        EXPECT(x != NULL, "%s: no %s", M[i].name, M[i].id);
        if (x != NULL) {
            EXPECT(strstr(x->message, M[i].in_message) != NULL, "%s: got message \"%s\", want %s",
                   M[i].name, x->message, M[i].in_message);
            EXPECT(M[i].in_fix == NULL || (x->fix && strstr(x->fix, M[i].in_fix) != NULL),
                   "%s: got fix \"%s\", want %s", M[i].name, x->fix ? x->fix : "(null)",
                   M[i].in_fix);
        }
        check_free(&f);
    }
    assert_int_equal(n_bad, 0);
}

/* A zone whose top record has n includes (the printf pattern gets the index), one string
 * each, and more records after. */
static char *wide_zone(int n, const char *pattern, const char *more)
{
    size_t cap = 64 * 1024;
    char *zone = malloc(cap);
    assert_non_null(zone);
    size_t len = (size_t)snprintf(zone, cap, "@ TXT \"v=spf1\"");
    char name[64];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), pattern, i);
        len += (size_t)snprintf(zone + len, cap - len, " \" include:%s\"", name);
    }
    len += (size_t)snprintf(zone + len, cap - len, " \" -all\"\n%s", more);
    assert_true(len < cap);
    return zone;
}

/* Bounded: a 64 KiB record, a chain deeper than the walk follows, a record of 300 includes of
 * names that do not exist. Findings, never a crash or a runaway. */
static void test_bounds(void **state)
{
    (void)state;
    n_bad = 0;
    /* 64 KiB: 255 strings of 255 octets after "v=spf1 " (the most a TXT RR holds). */
    size_t cap = 80 * 1024;
    char *zone = malloc(cap);
    assert_non_null(zone);
    size_t len = (size_t)snprintf(zone, cap, "@ TXT \"v=spf1 \"");
    for (int i = 0; i < 255; i++) {
        len += (size_t)snprintf(zone + len, cap - len, " \"");
        for (int j = 0; j < 255; j++) {
            zone[len++] = j % 16 == 15 ? ' ' : 'a';
        }
        zone[len++] = '"';
    }
    len += (size_t)snprintf(zone + len, cap - len, "\n");
    check_fixture f;
    ms__check_ctx *c = check_new(&f, zone, D, D);
    ms__check_spf(c);
    char got[1024];
    EXPECT(check_ids_are(c, "spf-long spf-syntax"), "64 KiB: got [%s]",
           check_ids(c, got, sizeof(got)));
    const ms_check_finding *x = check_find(c, "spf-long");
    EXPECT(x && x->record && strlen(x->record) <= 520, "64 KiB: the record is quoted in full");
    check_free(&f);

    /* A chain of 30 includes: followed 10 deep, counted, truncated. */
    len = (size_t)snprintf(zone, cap, "@ TXT \"v=spf1 include:l1.other.example -all\"\n");
    for (int i = 1; i < 30; i++) {
        len += (size_t)snprintf(zone + len, cap - len,
                                "l%d.other.example. TXT \"v=spf1 include:l%d.other.example "
                                "-all\"\n",
                                i, i + 1);
    }
    c = check_new(&f, zone, D, D);
    ms__check_spf(c);
    EXPECT(check_ids_are(c, "spf-lookup-limit spf-tree-truncated"), "deep chain: got [%s]",
           check_ids(c, got, sizeof(got)));
    EXPECT(c->report->n_spf_nodes == MS_LIMIT_CHECK_SPF_DEPTH + 1, "deep chain: got %zu nodes",
           c->report->n_spf_nodes);
    check_free(&f);

    /* 150 includes of names that do not exist, one per string: 16 findings, then the note. */
    free(zone);
    zone = wide_zone(150, "n%d.x.example", "");
    c = check_new(&f, zone, D, D);
    ms__check_spf(c);
    EXPECT(c->fatal == MS_OK, "wide: fatal %s", ms_status_str(c->fatal));
    EXPECT(check_ids_are(c, "spf-include-missing spf-lookup-limit spf-tree-truncated spf-long"),
           "wide: got [%s]", check_ids(c, got, sizeof(got)));
    EXPECT(c->report->n_findings <= MS_LIMIT_CHECK_SPF_FINDINGS + 4, "wide: %zu findings",
           c->report->n_findings);
    EXPECT(c->facts.spf_lookups == 150, "wide: got %u lookups", c->facts.spf_lookups);
    check_free(&f);
    free(zone);

    /* 150 includes that all time out: a few dns-error findings, not 150. */
    zone = wide_zone(150, "n%d.x.example", "");
    c = check_new(&f, zone, D, D);
    char faults[150 * 24];
    size_t flen = 0;
    for (int i = 0; i < 150; i++) {
        flen += (size_t)snprintf(faults + flen, sizeof(faults) - flen, "%sn%d.x.example/16",
                                 i ? " " : "", i);
    }
    check_faults(&f, faults);
    ms__check_spf(c);
    size_t n_dns = 0;
    for (size_t i = 0; i < c->report->n_findings; i++) {
        n_dns += strcmp(c->report->findings[i].id, "spf-dns-error") == 0;
    }
    EXPECT(c->fatal == MS_OK && n_dns == MS_LIMIT_CHECK_DNS_ERRORS && c->report->incomplete,
           "timeouts: got %zu dns errors, fatal %s", n_dns, ms_status_str(c->fatal));
    check_free(&f);
    free(zone);

    /* 150 includes of one record with an a: the DNS budget runs out, the report says so. */
    zone = wide_zone(150, "w.x.example",
                     "w.x.example. TXT \"v=spf1 a:h.x.example -all\"\n"
                     "h.x.example. A 192.0.2.1\n");
    c = check_new(&f, zone, D, D);
    ms__check_spf(c);
    EXPECT(c->fatal == MS_OK, "budget: fatal %s", ms_status_str(c->fatal));
    EXPECT(check_ids_are(c, "spf-lookup-limit spf-tree-truncated spf-long"), "budget: got [%s]",
           check_ids(c, got, sizeof(got)));
    EXPECT(c->report->incomplete, "budget: not marked incomplete");
    EXPECT(ms_resolver_queries(f.zone) <= MS_LIMIT_CHECK_SPF_QUERIES + 2, "budget: %llu queries",
           (unsigned long long)ms_resolver_queries(f.zone));
    check_free(&f);
    free(zone);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
