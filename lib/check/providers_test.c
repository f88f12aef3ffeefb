/* SPDX-License-Identifier: MIT */
/* Provider awareness (ms__check_providers) alone: the facts SPF, DKIM and MX would give are set
 * by hand, the custom MAIL FROM lookups go to a zone. Amazon SES with and without a custom MAIL
 * FROM, with pending Easy DKIM CNAMEs; Google Workspace and Microsoft 365 recognised by MX
 * without their SPF include or DKIM; SendGrid, Mailgun; look-alike names; DNS failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_check_test.h"
#include "ms_expect.h"

#define D "shop.example"
#define MAX 4

typedef struct sel {
    const char *selector, *cname_target;
    bool given, found, pending;
} sel;

typedef struct provider_case {
    const char *name;
    const char *zone; /* origin shop.example */
    const char *faults;
    const char *includes[MAX]; /* facts.spf_includes */
    const char *spf_record;    /* facts.spf_record */
    const char *mx[MAX];       /* facts.mx_hosts */
    sel selectors[MAX];        /* facts.selectors */
    const char *want;          /* finding ids */
    const char *providers;     /* provider names recognised, '|' separated, in table order */
} provider_case;

#define SES_MAIL_FROM                                                                              \
    "mail MX 10 feedback-smtp.eu-west-1.amazonses.com.\n"                                          \
    "mail TXT \"v=spf1 include:amazonses.com ~all\"\n"
#define SPF "v=spf1 include:amazonses.com -all"

static const provider_case CASES[] = {
    {"nothing recognised",
     "@ A 192.0.2.1\n",
     NULL,
     {"spf.example.net"},
     "v=spf1 -all",
     {"mx.example.net"},
     {{"default", NULL, false, true, false}},
     "",
     ""},
    {"SES without custom MAIL FROM",
     "@ A 192.0.2.1\n",
     NULL,
     {"amazonses.com"},
     SPF,
     {0},
     {{0}},
     "provider-recognised provider-ses-no-custom-mail-from",
     "Amazon SES"},
    {"SES with custom MAIL FROM",
     SES_MAIL_FROM,
     NULL,
     {"amazonses.com"},
     SPF,
     {0},
     {{0}},
     "provider-recognised provider-custom-mail-from",
     "Amazon SES"},
    {"SES custom MAIL FROM under bounce",
     "bounce MX 10 feedback-smtp.us-east-1.amazonses.com.\n"
     "bounce TXT \"v=spf1 include:amazonses.com ~all\"\n",
     NULL,
     {"amazonses.com"},
     SPF,
     {0},
     {{0}},
     "provider-recognised provider-custom-mail-from",
     "Amazon SES"},
    {"SES custom MAIL FROM without SPF",
     "mail MX 10 feedback-smtp.eu-west-1.amazonses.com.\n",
     NULL,
     {"amazonses.com"},
     SPF,
     {0},
     {{0}},
     "provider-recognised provider-custom-mail-from provider-mail-from-spf",
     "Amazon SES"},
    {"SES MX elsewhere is no custom MAIL FROM",
     "mail MX 10 mx.example.net.\n",
     NULL,
     {"amazonses.com"},
     SPF,
     {0},
     {{0}},
     "provider-recognised provider-ses-no-custom-mail-from",
     "Amazon SES"},
    {"SES DKIM pending, no custom MAIL FROM",
     "@ A 192.0.2.1\n",
     NULL,
     {0},
     NULL,
     {0},
     {{"abc123", "abc123.dkim.amazonses.com", true, false, true},
      {"def456", "def456.dkim.amazonses.com", true, false, true},
      {"ghi789", "ghi789.dkim.amazonses.com", true, false, true}},
     "provider-recognised provider-ses-no-custom-mail-from provider-ses-dkim-pending",
     "Amazon SES"},
    {"SES DKIM in place, custom MAIL FROM",
     SES_MAIL_FROM,
     NULL,
     {"amazonses.com"},
     SPF,
     {0},
     {{"abc123", "abc123.dkim.amazonses.com", true, true, false}},
     "provider-recognised provider-custom-mail-from",
     "Amazon SES"},
    {"Google by MX without SPF include or key",
     "@ A 192.0.2.1\n",
     NULL,
     {0},
     "v=spf1 mx -all",
     {"aspmx.l.google.com", "alt1.aspmx.l.google.com"},
     {{"google", NULL, false, false, false}},
     "provider-recognised provider-spf-include-missing provider-dkim-missing",
     "Google Workspace"},
    {"Google by SPF with its key",
     "@ A 192.0.2.1\n",
     NULL,
     {"_spf.google.com", "_netblocks.google.com"},
     "v=spf1 include:_spf.google.com ~all",
     {"smtp.google.com"},
     {{"google", NULL, false, true, false}},
     "provider-recognised",
     "Google Workspace"},
    {"Google selector not looked at: no dkim finding",
     "@ A 192.0.2.1\n",
     NULL,
     {"_spf.google.com"},
     "v=spf1 include:_spf.google.com ~all",
     {0},
     {{0}},
     "provider-recognised",
     "Google Workspace"},
    {"Microsoft by MX with pending CNAMEs",
     "@ A 192.0.2.1\n",
     NULL,
     {0},
     "v=spf1 mx -all",
     {"shop-example.mail.protection.outlook.com"},
     {{"selector1", "selector1-shop-example._domainkey.shop.onmicrosoft.com", false, false, true},
      {"selector2", "selector2-shop-example._domainkey.shop.onmicrosoft.com", false, false, true}},
     "provider-recognised provider-spf-include-missing provider-dkim-pending",
     "Microsoft 365"},
    {"SendGrid without its CNAMEs",
     "@ A 192.0.2.1\n",
     NULL,
     {"sendgrid.net"},
     "v=spf1 include:sendgrid.net -all",
     {0},
     {{"s1", NULL, false, false, false}, {"s2", NULL, false, false, false}},
     "provider-recognised provider-dkim-missing",
     "SendGrid"},
    {"two providers",
     "@ A 192.0.2.1\n",
     NULL,
     {"_spf.google.com", "mailgun.org"},
     "v=spf1 include:_spf.google.com include:mailgun.org ~all",
     {"mxa.mailgun.org"},
     {{0}},
     "provider-recognised",
     "Google Workspace|Mailgun"},
    {"look-alike names are not providers",
     "@ A 192.0.2.1\n",
     NULL,
     {"notamazonses.com", "amazonses.com.evil.example"},
     "v=spf1 -all",
     {"google.com.evil.example", "xgoogle.com"},
     {{"x", "x.dkim.amazonses.com.evil.example", true, false, true}},
     "",
     ""},
    {"DNS failure looking for the MAIL FROM",
     "@ A 192.0.2.1\n",
     "mail.shop.example/15",
     {"amazonses.com"},
     SPF,
     {0},
     {{0}},
     "provider-recognised provider-dns-error",
     "Amazon SES"},
    {"DNS failure at the MAIL FROM's SPF",
     "mail MX 10 feedback-smtp.eu-west-1.amazonses.com.\n",
     "mail.shop.example/16",
     {"amazonses.com"},
     SPF,
     {0},
     {{0}},
     "provider-recognised provider-custom-mail-from provider-dns-error",
     "Amazon SES"},
};

static void fill(ms__check_ctx *c, const provider_case *k, ms__check_selector *sels)
{
    size_t n = 0;
    while (n < MAX && k->includes[n] != NULL) {
        n++;
    }
    c->facts.spf_includes = k->includes;
    c->facts.n_spf_includes = n;
    c->facts.spf_record = k->spf_record;
    c->facts.n_spf_records = k->spf_record != NULL;
    n = 0;
    while (n < MAX && k->mx[n] != NULL) {
        n++;
    }
    c->facts.mx_hosts = k->mx;
    c->facts.n_mx = n;
    n = 0;
    for (; n < MAX && k->selectors[n].selector != NULL; n++) {
        const sel *s = &k->selectors[n];
        memset(&sels[n], 0, sizeof(sels[n]));
        sels[n].selector = s->selector;
        sels[n].cname_target = s->cname_target;
        sels[n].given = s->given;
        sels[n].found = s->found;
        sels[n].pending = s->pending;
        c->facts.n_keys_found += s->found;
    }
    c->facts.selectors = sels;
    c->facts.n_selectors = n;
}

static void run_case(const provider_case *k)
{
    check_fixture f;
    ms__check_ctx *c = check_new(&f, k->zone, D, D);
    check_faults(&f, k->faults);
    ms__check_selector sels[MAX];
    fill(c, k, sels);
    ms__check_providers(c);
    char got[1024];
    EXPECT(c->fatal == MS_OK, "%s: fatal %s", k->name, ms_status_str(c->fatal));
    EXPECT(check_ids_are(c, k->want), "%s: got ids [%s], want [%s]", k->name,
           check_ids(c, got, sizeof(got)), k->want);
    size_t used = 0;
    got[0] = '\0';
    for (size_t i = 0; i < c->report->n_providers; i++) {
        int n = snprintf(got + used, sizeof(got) - used, "%s%s", i ? "|" : "",
                         c->report->providers[i].name);
        used += n > 0 ? (size_t)n : 0;
        EXPECT(c->report->providers[i].evidence != NULL, "%s: no evidence", k->name);
    }
    EXPECT(strcmp(got, k->providers) == 0, "%s: got providers [%s], want [%s]", k->name, got,
           k->providers);
    bool dns_error = check_find(c, "provider-dns-error") != NULL;
    EXPECT(c->report->incomplete == dns_error, "%s: got incomplete %d", k->name,
           c->report->incomplete);
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

/* The SES story in words: what is wrong, why DMARC fails, and the records to publish. */
static void test_ses_story(void **state)
{
    (void)state;
    check_fixture f;
    ms__check_ctx *c = check_new(&f, "@ A 192.0.2.1\n", D, D);
    ms__check_selector sels[MAX];
    fill(c, &CASES[6], sels);
    ms__check_providers(c);
    n_bad = 0;
    const ms_check_finding *p = check_find(c, "provider-ses-dkim-pending");
    const ms_check_finding *m = check_find(c, "provider-ses-no-custom-mail-from");
    EXPECT(p && p->severity == MS_CHECK_ERROR, "pending: not an error");
    EXPECT(p && strstr(p->message, "DKIM is not applied yet") &&
               strstr(p->message, "abc123.dkim.amazonses.com") && strstr(p->message, "DMARC fails"),
           "pending: got \"%s\"", p ? p->message : "");
    EXPECT(m && m->severity == MS_CHECK_WARNING, "mail from: not a warning");
    EXPECT(m && strstr(m->message, "never aligns") && strstr(m->message, "DKIM alone"),
           "mail from: got \"%s\"", m ? m->message : "");
    EXPECT(m && m->fix &&
               strstr(m->fix, "mail.shop.example. MX 10 feedback-smtp.REGION.amazonses.com.") &&
               strstr(m->fix, "mail.shop.example. TXT \"v=spf1 include:amazonses.com ~all\""),
           "mail from: got fix \"%s\"", m && m->fix ? m->fix : "");
    assert_int_equal(n_bad, 0);
    check_free(&f);
}

/* Bad input: a domain of 127 labels (the MAIL FROM names would pass 253 octets), binary and
 * empty names in the facts, 256 includes. Bounded, no crash. */
static void test_bad_input(void **state)
{
    (void)state;
    char domain[256];
    size_t len = 0;
    for (int i = 0; i < 126; i++) {
        domain[len++] = 'a';
        domain[len++] = '.';
    }
    memcpy(domain + len, "a", 2); /* 127 labels, 253 octets */
    check_fixture f;
    ms__check_ctx *c = check_new(&f, "@ A 192.0.2.1\n", "example", domain);
    static const char *includes[256];
    for (size_t i = 0; i < 256; i++) {
        includes[i] = i % 3 == 0 ? "" : i % 3 == 1 ? "\x01\xff." : "x.amazonses.com";
    }
    static const char *mx[] = {"", ".", "\xff"};
    ms__check_selector sels[2];
    memset(sels, 0, sizeof(sels));
    sels[0].selector = "";
    sels[0].cname_target = "";
    sels[0].pending = true;
    sels[1].selector = "s1";
    sels[1].cname_target = ".dkim.amazonses.com";
    sels[1].pending = true;
    c->facts.spf_includes = includes;
    c->facts.n_spf_includes = 256;
    c->facts.mx_hosts = mx;
    c->facts.n_mx = 3;
    c->facts.selectors = sels;
    c->facts.n_selectors = 2;
    ms__check_providers(c);
    n_bad = 0;
    char got[1024];
    EXPECT(c->fatal == MS_OK, "fatal %s", ms_status_str(c->fatal));
    EXPECT(check_ids_are(c, "provider-recognised provider-ses-no-custom-mail-from "
                            "provider-ses-dkim-pending"),
           "got [%s]", check_ids(c, got, sizeof(got)));
    assert_int_equal(n_bad, 0);
    check_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_ses_story),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
