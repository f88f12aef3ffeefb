/* SPDX-License-Identifier: MIT */
/* lib/ingest through its API on a temporary SQLite store: one item in memory stored, found a
 * duplicate, found done, kept aside; sources that name nothing usable. (Files, Maildir, mbox
 * and IMAP end to end: tests/report/ingest.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mailseal/ingest.h"
#include "ms_test_util.h"

static char tmp_dir[256];
static char uri[512];

static const char REPORT[] =
    "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Unit Org</org_name>"
    "<email>r@unit.example</email><report_id>unit-1</report_id><date_range><begin>1735689600"
    "</begin><end>1735775999</end></date_range></report_metadata><policy_published><domain>"
    "unit.example</domain><p>none</p></policy_published><record><row><source_ip>192.0.2.1"
    "</source_ip><count>2</count><policy_evaluated><disposition>none</disposition><dkim>pass"
    "</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>unit.example"
    "</header_from></identifiers><auth_results><spf><domain>unit.example</domain><result>pass"
    "</result></spf></auth_results></record></feedback>\n";

static const char *const OUTCOMES[] = {"STORED", "DUPLICATE", "SEEN", "KEPT_ASIDE"};

static void expect_item(ms_store *s, const char *name, const char *key, const char *data,
                        ms_ingest_outcome want, size_t want_added, const char *want_reason)
{
    ms_ingest_event ev;
    char err[256] = "";
    ms_status st =
        ms_ingest_item(s, key, (const uint8_t *)data, strlen(data), &ev, err, sizeof err);
    if (st != MS_OK) {
        fail_msg("%s: got %s (%s), want MS_OK", name, ms_status_name(st), err);
    }
    if (ev.outcome != want || ev.n_added != want_added ||
        (want_reason && !strstr(ev.reason, want_reason))) {
        fail_msg("%s: got %s added %zu reason \"%s\", want %s added %zu reason with \"%s\"", name,
                 OUTCOMES[ev.outcome % 4], ev.n_added, ev.reason, OUTCOMES[want % 4], want_added,
                 want_reason ? want_reason : "");
    }
}

static void test_items(void **state)
{
    (void)state;
    ms_store *s = NULL;
    char err[256] = "";
    assert_int_equal(ms_store_open(uri, &s, err, sizeof err), MS_OK);
    expect_item(s, "first", "unit:1", REPORT, MS_INGEST_STORED, 1, NULL);
    expect_item(s, "same source", "unit:1", REPORT, MS_INGEST_SEEN, 0, NULL);
    expect_item(s, "another source", "unit:2", REPORT, MS_INGEST_DUPLICATE, 0, NULL);
    expect_item(s, "not a report", "unit:3", "hello, world\n", MS_INGEST_KEPT_ASIDE, 0,
                "not a report");
    expect_item(s, "kept aside before", "unit:3", "hello, world\n", MS_INGEST_SEEN, 0, NULL);
    bool seen = false;
    assert_int_equal(ms_store_source_seen(s, "unit:3", &seen), MS_OK);
    if (!seen) {
        fail_msg("a kept-aside source: seen got false, want true");
    }
    ms_store_close(s);
}

static void test_bad_sources(void **state)
{
    (void)state;
    ms_store *s = NULL;
    char err[256] = "";
    assert_int_equal(ms_store_open(uri, &s, err, sizeof err), MS_OK);
    struct {
        const char *name, *source;
        ms_status want;
        const char *want_err;
    } cases[] = {
        {"plain imap", "imap://u@127.0.0.1/INBOX", MS_EINVAL, "use imaps://"},
        {"imaps without mailbox", "imaps://u@127.0.0.1", MS_EINVAL, "name the mailbox"},
        {"imaps with parameters", "imaps://u@127.0.0.1/INBOX;UID=1", MS_EINVAL, "only imaps://"},
        {"missing file", "/nonexistent-mailseal/report.xml", MS_EIO, "No such file"},
        {"empty", "", MS_EINVAL, "no source"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ms_ingest_stats stats = {0};
        err[0] = '\0';
        ms_status st = ms_ingest(s, cases[k].source, NULL, &stats, err, sizeof err);
        if (st != cases[k].want || !strstr(err, cases[k].want_err) || stats.items != 0) {
            fail_msg("%s: got %s \"%s\" %llu items, want %s with \"%s\", no item", cases[k].name,
                     ms_status_name(st), err, (unsigned long long)stats.items,
                     ms_status_name(cases[k].want), cases[k].want_err);
        }
    }
    ms_store_close(s);
}

static int setup(void **state)
{
    (void)state;
    if (!ms_test_tmpdir("ms-ingest", tmp_dir, sizeof tmp_dir)) {
        return -1;
    }
    (void)snprintf(uri, sizeof uri, "sqlite:%s/store.db", tmp_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ms_test_remove_store_dir(tmp_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_bad_sources),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
