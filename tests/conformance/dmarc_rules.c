/* SPDX-License-Identifier: MIT */
/* DMARC conformance, rule by rule. No machine-readable DMARC policy suite exists
 * (shared/conformance/SOURCES.md §5), so the rules of RFC 9989 (and RFC 7489 in its mode) are
 * written here as data, one named case per rule, each citing the text it checks:
 *
 *   dmarc_rules rules                  the built-in table (always runs)
 *   dmarc_rules examples DIR           DIR/dmarc/dmarcbis-examples/dmarcbis-appendix-examples.yml
 *                                      (RFC 9989 Appendix B.1, B.4) and DIR/dmarc/psl/test_psl.txt
 *                                      (Debian publicsuffix vectors through ms_psl_org_domain);
 *                                      77 (skipped) when DIR is absent.
 *
 * Deliberate differences from test_psl.txt, one per case (see psl_deliberate below):
 *   - checkPublicSuffix(null, null): no string to give; not run.
 *   - U-label inputs ("食狮.com.cn"): ms_psl_org_domain is given the A-label form (DMARC works
 *     on A-labels, RFC 9989 §5.3.1) and the answer compared with the A-label of the expected
 *     registrable domain, which libidn2 computes. */
#include <dirent.h>
#include <idn2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_expect.h"
#include "yamltree.h"

#include "dmarc/align.h"
#include "ms_dmarc_cases.h"

#define REC(name, text) "_dmarc." name ". TXT \"" text "\"\n"
#define EXISTS(name) name ". A 192.0.2.1\n"

enum { P = MS_DMARC_TAG_P, SP = MS_DMARC_TAG_SP, NP = MS_DMARC_TAG_NP, ANY = -1 };
#define D_NONE MS_DMARC_POLICY_NONE
#define D_QUAR MS_DMARC_POLICY_QUARANTINE
#define D_REJ MS_DMARC_POLICY_REJECT
#define M7 MS_DMARC_MODE_RFC7489
#define FROM(addr) "From: " addr "\r\n"

/* The usual zone: example.com publishes p=reject, sp=quarantine; sub.example.com exists. */
#define ZONE_EX                                                                                    \
    REC("example.com", "v=DMARC1; p=reject; sp=quarantine")                                        \
    EXISTS("example.com") EXISTS("sub.example.com")

static const dmarc_case rules[] = {
    /* ---- alignment, RFC 9989 §3.2.10, §4.4 ---------------------------------------------- */
    {.name = "spf-relaxed-aligned (§3.2.10.1, §4.4.2)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com"),
     .spf = "pass:bounce.example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .want_reason = "aligned SPF",
     .max_queries = 4},
    {.name = "spf-strict-aligned (§3.2.10.2)",
     .zone = REC("example.com", "v=DMARC1; p=reject; aspf=s"),
     .headers = FROM("a@example.com"),
     .spf = "pass:EXAMPLE.com.",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "spf-strict-not-aligned (§3.2.10.2)",
     .zone = REC("example.com", "v=DMARC1; p=reject; aspf=s"),
     .headers = FROM("a@example.com"),
     .spf = "pass:bounce.example.com",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .want_reason = "strict",
     .max_queries = 2},
    {.name = "spf-fail-never-aligns (§4.4.2)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com"),
     .spf = "fail:example.com",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 2},
    {.name = "spf-null-sender-helo-domain (§4.4.2)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com"),
     .spf = "pass:mx1.example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 4},
    {.name = "dkim-relaxed-aligned (§4.4.1)",
     .zone = ZONE_EX,
     .headers = FROM("a@sub.example.com"),
     .dkim = "pass:example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = SP,
     .max_queries = 4},
    {.name = "dkim-strict-not-aligned (§3.2.10.2, DMARC-19)",
     .zone = REC("example.com", "v=DMARC1; p=reject; adkim=s") EXISTS("sub.example.com"),
     .headers = FROM("a@sub.example.com"),
     .dkim = "pass:example.com",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = SP,
     .max_queries = 5},
    {.name = "dkim-strict-aligned (§3.2.10.2)",
     .zone = REC("example.com", "v=DMARC1; p=reject; adkim=s"),
     .headers = FROM("a@example.com"),
     .dkim = "fail:example.com,pass:example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "dkim-fail-never-aligns (§4.4.1)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com"),
     .dkim = "fail:example.com",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 2},
    {.name = "dkim-unrelated-domain (§4.4.1)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com"),
     .dkim = "pass:example.net",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 4},
    {.name = "no-authenticated-identifier (§5.3.5)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .want_reason = "§5.3.5",
     .max_queries = 2},
    {.name = "relaxed-co-uk-siblings-tree-walk (§4.10.2, DMARC-20)",
     .zone = REC("bank.co.uk", "v=DMARC1; p=reject") REC("evil.co.uk", "v=DMARC1; p=none"),
     .headers = FROM("a@bank.co.uk"),
     .dkim = "pass:evil.co.uk",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 8},
    {.name = "relaxed-co-uk-siblings-psl (RFC 7489 §3.2, DMARC-20)",
     .mode = M7,
     .zone = REC("bank.co.uk", "v=DMARC1; p=reject"),
     .headers = FROM("a@bank.co.uk"),
     .dkim = "pass:evil.co.uk",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 1},
    {.name = "relaxed-psl-child (RFC 7489 §3.1.1)",
     .mode = M7,
     .zone = REC("bank.co.uk", "v=DMARC1; p=reject"),
     .headers = FROM("a@mail.bank.co.uk"),
     .dkim = "pass:bank.co.uk",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = SP,
     .want_policy_domain = "bank.co.uk",
     .max_queries = 2},
    /* ---- which tag: p, sp, np (§4.7, §4.10.1) -------------------------------------------- */
    {.name = "p-at-author-domain (§4.10.1)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .want_policy_domain = "example.com",
     .max_queries = 2},
    {.name = "sp-for-existing-subdomain (§4.7 sp)",
     .zone = ZONE_EX,
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = SP,
     .want_policy_domain = "example.com",
     .max_queries = 4},
    {.name = "p-for-subdomain-without-sp (§4.7 sp)",
     .zone = REC("example.com", "v=DMARC1; p=reject") EXISTS("sub.example.com"),
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = SP,
     .max_queries = 4},
    {.name = "subdomain-own-record-uses-p (§4.10.1)",
     .zone = ZONE_EX REC("sub.example.com", "v=DMARC1; p=none"),
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = P,
     .want_policy_domain = "sub.example.com",
     .max_queries = 3},
    {.name = "np-nxdomain (§4.7 np, §3.2.13, DMARC-28)",
     .zone = REC("legitimate.t", "v=DMARC1; p=none; sp=none; np=reject") EXISTS("legitimate.t"),
     .headers = FROM("x@nx.legitimate.t"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = NP,
     .want_policy_domain = "legitimate.t",
     .max_queries = 4},
    {.name = "np-below-nxdomain (RFC 8020)",
     .zone = REC("legitimate.t", "v=DMARC1; p=none; np=quarantine") EXISTS("legitimate.t"),
     .headers = FROM("x@a.b.nx.legitimate.t"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = NP,
     .max_queries = 6},
    {.name = "np-absent-falls-back-to-sp (§4.7 np)",
     .zone = ZONE_EX,
     .headers = FROM("a@nx.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = NP,
     .max_queries = 4},
    {.name = "np-not-for-existing (§4.7 np)",
     .zone = REC("example.com", "v=DMARC1; p=none; sp=none; np=reject") EXISTS("sub.example.com"),
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = SP,
     .max_queries = 4},
    {.name = "np-empty-non-terminal-exists (§3.2.13)",
     .zone = REC("example.com", "v=DMARC1; p=none; np=reject") EXISTS("a.ent.example.com"),
     .headers = FROM("a@ent.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = SP,
     .max_queries = 4},
    {.name = "np-ignored-in-7489-mode (RFC 7489 §6.3)",
     .mode = M7,
     .zone = REC("example.com", "v=DMARC1; p=none; sp=none; np=reject"),
     .headers = FROM("x@nx.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = SP,
     .max_queries = 2},
    /* ---- psd (§4.7 psd, §4.10.2) ------------------------------------------------------- */
    {.name = "psd-y-policy-applies-below (§4.10.1)",
     .zone = REC("bank.example", "v=DMARC1; p=reject; psd=y") EXISTS("giant.bank.example"),
     .headers = FROM("a@giant.bank.example"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = SP,
     .want_policy_domain = "bank.example",
     .max_queries = 4},
    {.name = "psd-y-org-record-wins (§4.10.1 note)",
     .zone = REC("bank.example", "v=DMARC1; p=reject; psd=y")
         REC("giant.bank.example", "v=DMARC1; p=none") EXISTS("mail.giant.bank.example"),
     .headers = FROM("a@mail.giant.bank.example"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = SP,
     .want_policy_domain = "giant.bank.example",
     .max_queries = 5},
    {.name = "psd-y-siblings-not-aligned (Appendix B.4.3)",
     .zone = REC("bank.example", "v=DMARC1; p=reject; psd=y")
         REC("giant.bank.example", "v=DMARC1; p=quarantine"),
     .headers = FROM("a@giant.bank.example"),
     .dkim = "pass:mail.mega.bank.example",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = P,
     .max_queries = 6},
    {.name = "psd-n-stops-the-walk (§4.10.2 rule 1)",
     .zone = REC("mail.example.com", "v=DMARC1; p=quarantine; psd=n")
         REC("example.com", "v=DMARC1; p=reject") EXISTS("a.mail.example.com"),
     .headers = FROM("x@a.mail.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = SP,
     .want_policy_domain = "mail.example.com",
     .max_queries = 3},
    {.name = "psd-n-org-not-aligned-above (§4.10.2 rule 1)",
     .zone = REC("mail.example.com", "v=DMARC1; p=quarantine; psd=n")
         REC("example.com", "v=DMARC1; p=reject"),
     .headers = FROM("x@mail.example.com"),
     .dkim = "pass:example.com",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = P,
     .max_queries = 4},
    /* ---- t=y (§4.7 t) and pct (RFC 7489 §6.6.4) --------------------------------------------- */
    {.name = "t-y-reject-as-quarantine (§4.7 t)",
     .zone = REC("example.com", "v=DMARC1; p=reject; t=y"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = P,
     .max_queries = 2},
    {.name = "t-y-quarantine-as-none (§4.7 t)",
     .zone = REC("example.com", "v=DMARC1; p=quarantine; t=y"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "t-y-pass-unchanged (§4.7 t)",
     .zone = REC("example.com", "v=DMARC1; p=reject; t=y"),
     .headers = FROM("a@example.com"),
     .dkim = "pass:example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "t-y-ignored-in-7489-mode",
     .mode = M7,
     .zone = REC("example.com", "v=DMARC1; p=reject; t=y"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 1},
    {.name = "pct-ignored-in-9989-mode (Appendix A.6)",
     .pct_roll = 99,
     .zone = REC("example.com", "v=DMARC1; p=reject; pct=0"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 2},
    {.name = "pct-sampled-out-reject (RFC 7489 §6.6.4)",
     .mode = M7,
     .pct_roll = 20,
     .zone = REC("example.com", "v=DMARC1; p=reject; pct=20"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = P,
     .max_queries = 1},
    {.name = "pct-sampled-out-quarantine (RFC 7489 §6.6.4)",
     .mode = M7,
     .pct_roll = 0,
     .zone = REC("example.com", "v=DMARC1; p=quarantine; pct=0"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 1},
    {.name = "pct-sampled-in (RFC 7489 §6.6.4)",
     .mode = M7,
     .pct_roll = 19,
     .zone = REC("example.com", "v=DMARC1; p=reject; pct=20"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 1},
    /* ---- the tree walk (§4.10) -------------------------------------------------------------- */
    {.name = "tree-walk-deep-8-queries (§4.10 step 4)",
     .zone = REC("example.com", "v=DMARC1; p=reject"),
     .headers = FROM("a@a.b.c.d.e.f.g.h.i.j.k.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = NP,
     .want_policy_domain = "example.com",
     .max_queries = 9},
    {.name = "tree-walk-org-is-fewest-labels (§4.10.2 rule 3)",
     .zone = REC("mail.example.com", "v=DMARC1; p=none") REC("example.com", "v=DMARC1; p=reject")
         EXISTS("a.mail.example.com"),
     .headers = FROM("x@a.mail.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = SP,
     .want_policy_domain = "example.com",
     .max_queries = 5},
    {.name = "tree-walk-tld-record (§4.10.1)",
     .zone = REC("example", "v=DMARC1; p=quarantine") EXISTS("a.example"),
     .headers = FROM("x@a.example"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = SP,
     .want_policy_domain = "example",
     .max_queries = 3},
    /* ---- records (§4.7, §4.10, RFC 7489 §6.6.3) --------------------------------------------- */
    {.name = "no-record-none (§4.10.1)",
     .zone = EXISTS("example.com"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_NONE,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_policy_domain = "-",
     .max_queries = 2},
    {.name = "non-dmarc-txt-ignored (§4.10 step 2)",
     .zone = "_dmarc.example.com. TXT \"v=spf1 -all\"\n_dmarc.example.com. TXT \"hello\"\n",
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_NONE,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .max_queries = 2},
    {.name = "multiple-records-discarded-walk-on (§4.10 step 2, DMARC-23)",
     .zone = REC("sub.example.com", "v=DMARC1; p=none") REC("sub.example.com", "v=DMARC1; p=none; "
                                                                               "sp=none") ZONE_EX,
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = SP,
     .want_policy_domain = "example.com",
     .max_queries = 4},
    {.name = "multiple-records-only-none (§4.10 step 2, DMARC-23)",
     .zone = REC("example.com", "v=DMARC1; p=reject") REC("example.com", "v=DMARC1; p=none"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_NONE,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .max_queries = 2},
    {.name = "multiple-records-7489-stop (RFC 7489 §6.6.3 step 6)",
     .mode = M7,
     .zone = REC("a.example.com", "v=DMARC1; p=reject") REC("a.example.com", "v=DMARC1; p=none")
         REC("example.com", "v=DMARC1; p=reject"),
     .headers = FROM("x@a.example.com"),
     .want = MS_DMARC_NONE,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "DMARC-23",
     .max_queries = 1},
    {.name = "invalid-record-duplicate-tag (DMARC-22)",
     .zone = REC("example.com", "v=DMARC1; p=reject; p=none"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_NONE,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "appears twice",
     .max_queries = 1},
    {.name = "invalid-p-without-rua (§4.10.1)",
     .zone = REC("example.com", "v=DMARC1; p=bogus"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_NONE,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "§4.10.1",
     .max_queries = 1},
    {.name = "invalid-p-with-rua-is-none (§4.10.1)",
     .zone = REC("example.com", "v=DMARC1; p=bogus; rua=mailto:r@example.com"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "cname-to-record (RFC 1034 §3.6.2)",
     .zone = "_dmarc.example.com. CNAME _dmarc.policy.example.net.\n" REC("policy.example.net",
                                                                          "v=DMARC1; p=reject"),
     .headers = FROM("a@example.com"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .max_queries = 2},
    /* ---- DNS errors at each step (§5.3.6) ---------------------------------------------------- */
    {.name = "temperror-author-query",
     .zone = ZONE_EX,
     .faults = "_dmarc.sub.example.com TXT",
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_TEMPERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "SERVFAIL",
     .max_queries = 1},
    {.name = "temperror-walk-query",
     .zone = ZONE_EX,
     .faults = "_dmarc.example.com TXT",
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_TEMPERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .max_queries = 2},
    {.name = "temperror-tld-query-strict-ok",
     .zone = ZONE_EX,
     .faults = "_dmarc.com TXT",
     .headers = FROM("a@example.com"),
     .dkim = "pass:example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "temperror-tld-query-relaxed-needed",
     .zone = ZONE_EX,
     .faults = "_dmarc.com TXT",
     .headers = FROM("a@example.com"),
     .dkim = "pass:mail.example.com",
     .want = MS_DMARC_TEMPERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .max_queries = 4},
    {.name = "temperror-identifier-walk",
     .zone = ZONE_EX,
     .faults = "_dmarc.other.example TXT",
     .headers = FROM("a@example.com"),
     .dkim = "pass:other.example",
     .want = MS_DMARC_TEMPERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .max_queries = 4},
    {.name = "temperror-identifier-walk-other-aligns",
     .zone = ZONE_EX,
     .faults = "_dmarc.other.example TXT",
     .headers = FROM("a@example.com"),
     .dkim = "pass:other.example,pass:example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 4},
    {.name = "temperror-existence-query",
     .zone = ZONE_EX,
     .faults = "sub.example.com A",
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_TEMPERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "exists",
     .max_queries = 4},
    {.name = "temperror-7489-org-query",
     .mode = M7,
     .zone = ZONE_EX,
     .faults = "_dmarc.example.com TXT",
     .headers = FROM("a@sub.example.com"),
     .want = MS_DMARC_TEMPERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .max_queries = 2},
    /* ---- From pathologies (RFC 9989 §5.3.1, bad-inputs DMARC-xx) ----------------------- */
    {.name = "from-two-fields-strictest (DMARC-01)",
     .zone = REC("attack.t", "v=DMARC1; p=none") REC("legitimate.t", "v=DMARC1; p=reject"),
     .headers = FROM("<first@attack.t>") FROM("<admin@legitimate.t>"),
     .dkim = "pass:attack.t",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .want_reason = "strictest",
     .want_policy_domain = "legitimate.t",
     .max_queries = 6},
    {.name = "from-obs-space-counted (DMARC-02)",
     .zone = REC("attack.t", "v=DMARC1; p=none") REC("legitimate.t", "v=DMARC1; p=reject"),
     .headers = FROM("<first@attack.t>") "From : <admin@legitimate.t>\r\n",
     .dkim = "pass:attack.t",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .want_policy_domain = "legitimate.t",
     .max_queries = 6},
    {.name = "from-malformed (DMARC-04)",
     .zone = ZONE_EX,
     .headers = "From\r\n : <first@attack.t>\r\n",
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "DMARC-04",
     .max_queries = 0},
    {.name = "from-absent-sender-unused (DMARC-05)",
     .zone = ZONE_EX,
     .headers = "Sender: <admin@example.com>\r\nResent-From: <admin@example.com>\r\n",
     .dkim = "pass:example.com",
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "DMARC-05",
     .max_queries = 0},
    {.name = "from-trailing-word (DMARC-07)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com, foo"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "RFC 5322",
     .max_queries = 0},
    {.name = "from-empty-group (DMARC-07)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com, undisclosed-recipients:;"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "DMARC-07",
     .max_queries = 0},
    {.name = "from-group-members-evaluated (RFC 5322 §3.4)",
     .zone = ZONE_EX REC("other.example", "v=DMARC1; p=quarantine"),
     .headers = FROM("team: a@example.com, b@other.example;"),
     .dkim = "pass:example.com",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_QUAR,
     .want_tag = P,
     .want_policy_domain = "other.example",
     .max_queries = 6},
    {.name = "from-encoded-word-not-decoded (DMARC-08)",
     .zone = ZONE_EX,
     .headers = FROM("=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?=,<second@attack.t>"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "RFC 5322",
     .max_queries = 0},
    {.name = "from-encoded-display-attack-domain (DMARC-08)",
     .zone = REC("attack.t", "v=DMARC1; p=none") REC("legitimate.t", "v=DMARC1; p=reject"),
     .headers = FROM("=?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?= <second@attack.t>"),
     .dkim = "pass:legitimate.t",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_NONE,
     .want_tag = P,
     .want_policy_domain = "attack.t",
     .max_queries = 6},
    {.name = "from-backslash-comma (DMARC-10)",
     .zone = ZONE_EX,
     .headers = FROM("<admin@legitimate.t>\\,<second@attack.t>"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "backslash",
     .max_queries = 0},
    {.name = "from-two-mailboxes-strictest (DMARC-11)",
     .zone = REC("attack.t", "v=DMARC1; p=none") REC("legitimate.t", "v=DMARC1; p=reject"),
     .headers = FROM("admin@legitimate.t,<second@attack.t>"),
     .dkim = "pass:attack.t",
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .want_policy_domain = "legitimate.t",
     .max_queries = 6},
    {.name = "from-same-domain-twice-one-evaluation (§5.3.1)",
     .zone = ZONE_EX,
     .headers = FROM("a@example.com, b@EXAMPLE.com"),
     .dkim = "pass:example.com",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "from-unbalanced-angle (DMARC-13)",
     .zone = ZONE_EX,
     .headers = FROM("user@example.t>"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "'>'",
     .max_queries = 0},
    {.name = "from-unclosed-angle (DMARC-13)",
     .zone = ZONE_EX,
     .headers = FROM("<user@example.t"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "'<'",
     .max_queries = 0},
    {.name = "from-quoted-comma-display (DMARC-14)",
     .zone = REC("example.t", "v=DMARC1; p=reject"),
     .headers = FROM("\"\\\"Medtronic, Inc.\\\"\" <user@example.t>"),
     .dkim = "pass:example.t",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .want_policy_domain = "example.t",
     .max_queries = 2},
    {.name = "from-display-address (DMARC-16)",
     .zone = REC("attack.t", "v=DMARC1; p=reject"),
     .headers = FROM("\"admin@legitimate.t\" <x@attack.t>"),
     .want = MS_DMARC_FAIL,
     .want_disposition = D_REJ,
     .want_tag = P,
     .want_policy_domain = "attack.t",
     .max_queries = 2},
    {.name = "from-zero-width-space (DMARC-17)",
     .zone = ZONE_EX,
     .headers = FROM("a@legitimate\xe2\x80\x8b.t"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "A-labels",
     .max_queries = 0},
    {.name = "from-percent-00 (DMARC-17)",
     .zone = ZONE_EX,
     .headers = FROM("a@legitimate%00.t"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .max_queries = 0},
    {.name = "from-double-dot (DMARC-17)",
     .zone = ZONE_EX,
     .headers = FROM("a@legitimate.t.."),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "empty label",
     .max_queries = 0},
    {.name = "from-leading-hyphen (DMARC-17)",
     .zone = ZONE_EX,
     .headers = FROM("a@-legitimate.t"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "'-'",
     .max_queries = 0},
    {.name = "from-one-trailing-dot-normalised (DMARC-17)",
     .zone = REC("legitimate.t", "v=DMARC1; p=reject"),
     .headers = FROM("a@legitimate.t."),
     .dkim = "pass:legitimate.t",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
    {.name = "from-address-literal (§5.3.1)",
     .zone = ZONE_EX,
     .headers = FROM("a@[192.0.2.1]"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "literal",
     .max_queries = 0},
    {.name = "from-too-many-domains-no-dns (DMARC-31)",
     .zone = ZONE_EX,
     .headers = FROM("a@a.t, b@b.t, c@c.t, d@d.t, e@e.t"),
     .want = MS_DMARC_PERMERROR,
     .want_disposition = D_NONE,
     .want_tag = ANY,
     .want_reason = "DMARC-31",
     .max_queries = 0},
    {.name = "from-idn-a-label (§5.3.1)",
     .zone = REC("xn--bcher-kva.example", "v=DMARC1; p=reject"),
     .headers = FROM("a@b\xc3\xbc"
                     "cher.example"),
     .dkim = "pass:xn--bcher-kva.example",
     .want = MS_DMARC_PASS,
     .want_disposition = D_NONE,
     .want_tag = P,
     .max_queries = 2},
};

/* ---- the Appendix B examples --------------------------------------------------------------- */

static const char *g_dir;
static ms_psl *g_psl;

static yaml_node_t *seq_at(yaml_node_t *seq, yaml_document_t *doc, size_t i)
{
    if (seq == NULL || seq->type != YAML_SEQUENCE_NODE) {
        return NULL;
    }
    yaml_node_item_t *it = seq->data.sequence.items.start + i;
    return it < seq->data.sequence.items.top ? yaml_document_get_node(doc, *it) : NULL;
}

static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : addr;
}

static bool yaml_bool(yaml_node_t *n)
{
    const char *s = yt_str(n);
    return s != NULL && strcmp(s, "true") == 0;
}

/* A zone with a plain record at every listed _dmarc name ("psd=y" where the text says so). */
static ms_resolver *zone_of(yaml_document_t *doc, yaml_node_t *records, yaml_node_t *assumed)
{
    char text[4096];
    size_t pos = 0;
    text[0] = '\0';
    if (records != NULL && records->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = records->data.mapping.pairs.start;
             p < records->data.mapping.pairs.top; p++) {
            const char *name = yt_str(yaml_document_get_node(doc, p->key));
            const char *what = yt_str(yaml_document_get_node(doc, p->value));
            bool psd = what != NULL && strstr(what, "with psd=y") != NULL;
            int n = snprintf(text + pos, sizeof(text) - pos, "%s. TXT \"v=DMARC1; p=reject%s\"\n",
                             name, psd ? "; psd=y" : "");
            pos += n > 0 ? (size_t)n : 0;
        }
    }
    for (size_t i = 0; seq_at(assumed, doc, i) != NULL; i++) {
        int n = snprintf(text + pos, sizeof(text) - pos, "%s. TXT \"v=DMARC1; p=reject\"\n",
                         yt_str(seq_at(assumed, doc, i)));
        pos += n > 0 ? (size_t)n : 0;
    }
    return dmarc_zone(pos > 0 ? text : NULL, NULL);
}

/* Alignment as lib/dmarc decides it (RFC 9989 §3.2.10, §4.10.2), through its walk. */
static bool aligned(ms_resolver *z, ms_dmarc_alignment mode, const char *author, const char *ident,
                    bool *ok)
{
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms__dmarc_walk *w = ms_arena_alloc(arena, sizeof(*w));
    assert_non_null(w);
    ms__dmarc_walk_init(w, z, NULL, arena, NULL);
    ms__dmarc_alignment al;
    *ok = ms__dmarc_align(w, mode, author, NULL, ident, &al) == MS_OK && !al.temperror;
    ms_arena_free(arena);
    return al.aligned;
}

static void test_examples(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/dmarc/dmarcbis-examples/dmarcbis-appendix-examples.yml",
             g_dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    yaml_document_t doc;
    assert_true(yaml_parser_load(&parser, &doc));
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    assert_non_null(root);
    unsigned n_cases = 0;
    yaml_node_t *al = yt_get(&doc, root, "alignment_examples");
    for (size_t i = 0; seq_at(al, &doc, i) != NULL; i++) {
        yaml_node_t *c = seq_at(al, &doc, i);
        const char *id = yt_str(yt_get(&doc, c, "id"));
        const char *ident = domain_of(yt_str(yt_get(&doc, c, "mail_from")));
        if (ident == NULL) {
            ident = yt_str(yt_get(&doc, c, "dkim_d"));
        }
        const char *author = domain_of(yt_str(yt_get(&doc, c, "header_from")));
        yaml_node_t *exp = yt_get(&doc, c, "expected");
        ms_resolver *z = zone_of(&doc, NULL, yt_get(&doc, c, "assumed_dns"));
        bool ok1 = false, ok2 = false;
        bool strict = aligned(z, MS_DMARC_ALIGN_STRICT, author, ident, &ok1);
        bool relaxed = aligned(z, MS_DMARC_ALIGN_RELAXED, author, ident, &ok2);
        EXPECT(ok1 && ok2, "%s: evaluation did not run", id);
        EXPECT(strict == yaml_bool(yt_get(&doc, exp, "strict_aligned")),
               "%s: strict got %d, want %s", id, strict,
               yt_str(yt_get(&doc, exp, "strict_aligned")));
        EXPECT(relaxed == yaml_bool(yt_get(&doc, exp, "relaxed_aligned")),
               "%s: relaxed got %d, want %s", id, relaxed,
               yt_str(yt_get(&doc, exp, "relaxed_aligned")));
        ms_resolver_free(z);
        n_cases++;
    }
    yaml_node_t *tw = yt_get(&doc, root, "treewalk_examples");
    for (size_t i = 0; seq_at(tw, &doc, i) != NULL; i++) {
        yaml_node_t *c = seq_at(tw, &doc, i);
        const char *id = yt_str(yt_get(&doc, c, "id"));
        const char *author = yt_str(yt_get(&doc, c, "author_domain"));
        const char *mf = yt_str(yt_get(&doc, c, "mail_from_domain"));
        const char *dkim_d = yt_str(yt_get(&doc, c, "dkim_d"));
        yaml_node_t *exp = yt_get(&doc, c, "expected");
        ms_resolver *z = zone_of(&doc, yt_get(&doc, c, "dmarc_records"), NULL);
        ms_arena *arena = NULL;
        assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
        /* queries_author: the discovery's names, in order */
        ms_dmarc_discovery d;
        assert_int_equal(ms_dmarc_discover(z, NULL, author, arena, &d, NULL), MS_OK);
        yaml_node_t *qa = yt_get(&doc, exp, "queries_author");
        if (qa != NULL) {
            size_t k = 0;
            for (; seq_at(qa, &doc, k) != NULL; k++) {
                const char *want = yt_str(seq_at(qa, &doc, k));
                EXPECT(k < d.n_queried && strcmp(d.queried[k], want) == 0,
                       "%s: author query %zu got %s, want %s", id, k,
                       k < d.n_queried ? d.queried[k] : "(none)", want);
            }
            EXPECT(k == d.n_queried, "%s: %zu author queries, want %zu", id, d.n_queried, k);
        }
        const char *want_pd = yt_str(yt_get(&doc, exp, "policy_domain"));
        EXPECT(want_pd == NULL || (d.policy_domain && strcmp(d.policy_domain, want_pd) == 0),
               "%s: policy domain got %s, want %s", id, d.policy_domain ? d.policy_domain : "-",
               want_pd ? want_pd : "-");
        static const char *const keys[3] = {"org_domain_author", "org_domain_mail_from",
                                            "org_domain_dkim"};
        const char *doms[3] = {author, mf, dkim_d};
        for (int k = 0; k < 3; k++) {
            const char *want = yt_str(yt_get(&doc, exp, keys[k]));
            const char *got = NULL;
            assert_int_equal(ms_dmarc_org_domain(z, NULL, doms[k], arena, &got, NULL), MS_OK);
            EXPECT(want == NULL || (got && strcmp(got, want) == 0), "%s: %s got %s, want %s", id,
                   keys[k], got ? got : "-", want ? want : "-");
        }
        /* queries_dkim: a discovery started at d= asks the same names (it is the same walk) */
        yaml_node_t *qd = yt_get(&doc, exp, "queries_dkim");
        if (qd != NULL) {
            ms_dmarc_discovery dd;
            assert_int_equal(ms_dmarc_discover(z, NULL, dkim_d, arena, &dd, NULL), MS_OK);
            size_t k = 0;
            for (; seq_at(qd, &doc, k) != NULL; k++) {
                const char *want = yt_str(seq_at(qd, &doc, k));
                EXPECT(k < dd.n_queried && strcmp(dd.queried[k], want) == 0,
                       "%s: dkim query %zu got %s, want %s", id, k,
                       k < dd.n_queried ? dd.queried[k] : "(none)", want);
            }
        }
        /* relaxed alignment through a whole evaluation */
        bool ok = false;
        bool spf_al = aligned(z, MS_DMARC_ALIGN_RELAXED, author, mf, &ok);
        bool dkim_al = aligned(z, MS_DMARC_ALIGN_RELAXED, author, dkim_d, &ok);
        EXPECT(spf_al == yaml_bool(yt_get(&doc, exp, "spf_relaxed_aligned")),
               "%s: spf relaxed got %d", id, spf_al);
        EXPECT(dkim_al == yaml_bool(yt_get(&doc, exp, "dkim_relaxed_aligned")),
               "%s: dkim relaxed got %d", id, dkim_al);
        ms_arena_free(arena);
        ms_resolver_free(z);
        n_cases++;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    printf("dmarcbis-appendix-examples.yml: %u cases\n", n_cases);
    assert_true(n_cases == 9);
    assert_int_equal(n_bad, 0);
}

/* ---- test_psl.txt ---------------------------------------------------------------------------- */

/* 'text' or null from checkPublicSuffix(A, B); false at the end of the arguments. */
static bool psl_arg(const char **p, char *out, size_t size, bool *is_null)
{
    const char *s = *p;
    while (*s == ' ' || *s == ',' || *s == '(') {
        s++;
    }
    *is_null = false;
    if (strncmp(s, "null", 4) == 0) {
        *is_null = true;
        *p = s + 4;
        return true;
    }
    if (*s != '\'') {
        return false;
    }
    const char *e = strchr(s + 1, '\'');
    if (e == NULL || (size_t)(e - s - 1) >= size) {
        return false;
    }
    memcpy(out, s + 1, (size_t)(e - s - 1));
    out[e - s - 1] = '\0';
    *p = e + 1;
    return true;
}

static bool to_alabel(const char *in, char *out, size_t size)
{
    char *a = NULL;
    if (idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&a, IDN2_NFC_INPUT | IDN2_NO_TR46) !=
        IDN2_OK) {
        return false;
    }
    snprintf(out, size, "%s", a);
    idn2_free(a);
    return true;
}

static void test_psl_vectors(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/dmarc/psl/test_psl.txt", g_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    unsigned run = 0, deliberate = 0;
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    while (fgets(line, sizeof(line), f) != NULL) {
        const char *p = strstr(line, "checkPublicSuffix(");
        if (p == NULL || strncmp(line, "//", 2) == 0) {
            continue;
        }
        p += strlen("checkPublicSuffix");
        char in[256], want[256];
        bool in_null, want_null;
        if (!psl_arg(&p, in, sizeof(in), &in_null) ||
            !psl_arg(&p, want, sizeof(want), &want_null)) {
            EXPECT(false, "cannot read: %s", line);
            continue;
        }
        if (in_null) {
            deliberate++; /* checkPublicSuffix(null, null): nothing to give */
            continue;
        }
        bool utf8 = false;
        for (const char *c = in; *c; c++) {
            utf8 |= (unsigned char)*c >= 0x80;
        }
        char in_a[256], want_a[256];
        if (utf8) {
            /* Deliberate: DMARC works on A-labels (RFC 9989 §5.3.1). */
            deliberate++;
            EXPECT(to_alabel(in, in_a, sizeof(in_a)), "%s: no A-label", in);
            if (!want_null) {
                EXPECT(to_alabel(want, want_a, sizeof(want_a)), "%s: no A-label", want);
            }
        } else {
            snprintf(in_a, sizeof(in_a), "%s", in);
            snprintf(want_a, sizeof(want_a), "%s", want);
        }
        const char *got = NULL;
        assert_int_equal(ms_psl_org_domain(g_psl, in_a, arena, &got), MS_OK);
        if (want_null) {
            EXPECT(got == NULL, "checkPublicSuffix('%s', null): got %s", in, got);
        } else {
            EXPECT(got != NULL && strcmp(got, want_a) == 0, "checkPublicSuffix('%s', '%s'): got %s",
                   in, want_a, got ? got : "null");
        }
        run++;
    }
    fclose(f);
    ms_arena_free(arena);
    printf("test_psl.txt: %u vectors run, %u deliberate differences (see the file header)\n", run,
           deliberate);
    assert_true(run >= 70);
    assert_int_equal(n_bad, 0);
}

static void test_rules(void **state)
{
    (void)state;
    dmarc_run_table(rules, sizeof(rules) / sizeof(rules[0]), g_psl);
    printf("dmarc rules: %zu cases\n", sizeof(rules) / sizeof(rules[0]));
    assert_int_equal(n_bad, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: dmarc_rules rules | examples CONFORMANCE-DIR\n");
        return 2;
    }
    char err[256];
    if (ms_psl_load(NULL, &g_psl, err, sizeof(err)) != MS_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc;
    if (strcmp(argv[1], "rules") == 0) {
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_rules)};
        rc = cmocka_run_group_tests(tests, NULL, NULL);
    } else {
        g_dir = argc > 2 ? argv[2] : "";
        DIR *dir = opendir(g_dir);
        if (dir == NULL) {
            printf("SKIPPED: %s is absent (the shared conformance suites are not beside this "
                   "clone; set -DMS_CONFORMANCE_DIR=...)\n",
                   g_dir);
            ms_psl_free(g_psl);
            return 77;
        }
        closedir(dir);
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_examples),
                                           cmocka_unit_test(test_psl_vectors)};
        rc = cmocka_run_group_tests(tests, NULL, NULL);
    }
    ms_psl_free(g_psl);
    return rc;
}
