/* SPDX-License-Identifier: MIT */
/* report_fill_history URI [DOMAIN...]: with domains, one passing message each (reports to send);
 * without, history rows written straight with ms_store_history_add, the shapes
 * the milter and `verify --store` do not produce from the test messages: counts to group, IPv6,
 * many DKIM signatures, override reasons, XML-special and odd result words, a report-carrying
 * message (to be left out), rows outside the period. All on 2025-11-29 (1764374400) unless
 * said. */
#include <stdio.h>
#include <string.h>

#include "mailseal/store.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: report_fill_history URI [DOMAIN...]\n");
        return 2;
    }
    ms_store *s = NULL;
    char err[512] = "";
    if (ms_store_open(argv[1], &s, err, sizeof err) != MS_OK) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    static const ms_history_dkim DKIM3[] = {
        {"Other.Test", "s1", "pass", NULL},
        {"esp.example", "k2", "fail", "body hash mismatch"},
        {"third.example", "k3", "frobnicated", NULL}, /* not an RFC 8601 word: permerror */
    };
    static const ms_history_override OV[] = {{"mailing_list", "list.example"},
                                             {"forwarded", NULL}}; /* RFC 7489 word: other */
    const int64_t day = 1764374400;
    int rc = 0;
    for (int k = 2; k < argc && rc == 0; k++) {
        ms_history_row r;
        memset(&r, 0, sizeof r);
        r.received = day + 1000;
        r.source_ip = "192.0.2.50";
        r.header_from = argv[k];
        r.envelope_from = argv[k];
        r.spf_domain = argv[k];
        r.spf_result = "pass";
        r.dmarc_result = "pass";
        r.policy_domain = argv[k];
        r.p = "none";
        r.disposition = "none";
        r.spf_aligned = 1;
        r.pct = -1;
        rc = ms_store_history_add(s, &r) == MS_OK ? 0 : 1;
    }
    if (argc > 2) {
        ms_store_close(s);
        return rc;
    }
    for (int k = 0; k < 9 && rc == 0; k++) {
        ms_history_row r;
        memset(&r, 0, sizeof r);
        r.received = day + 100 + k;
        r.source_ip = k < 5 ? "2001:db8::25" : "198.51.100.9";
        r.header_from = "other.test";
        r.envelope_from = k < 5 ? "bounce.other.test" : NULL;
        r.envelope_to = "rcpt.example";
        r.spf_domain = k < 5 ? "bounce.other.test" : "helo.example";
        r.spf_scope = "mfrom";
        r.spf_result = k < 5 ? "softfail" : "pass";
        r.dkim = DKIM3;
        r.n_dkim = k < 5 ? 3 : 0;
        r.dmarc_result = k < 5 ? "pass" : "fail";
        r.policy_domain = "Other.Test";
        r.p = "quarantine";
        r.np = "reject";
        r.adkim = "s";
        r.aspf = "r";
        r.fo = "1";
        r.testing = "y";
        r.discovery = "psl";
        r.pct = 50;
        r.disposition = k < 5 ? "none" : "quarantine";
        r.dkim_aligned = k < 5;
        r.spf_aligned = 0;
        r.spf_human = k < 5 ? NULL : "record <v=spf1> & more";
        r.overrides = k < 5 ? NULL : OV;
        r.n_overrides = k < 5 ? 0 : 2;
        if (k == 7) {
            r.carries_report = 1; /* a report message: never reported */
        }
        if (k == 8) {
            r.received = day + 86400; /* the next day: outside the period */
        }
        if (ms_store_history_add(s, &r) != MS_OK) {
            ms_store_last_error(s, err, sizeof err);
            fprintf(stderr, "add: %s\n", err);
            rc = 1;
        }
    }
    /* A domain whose only message carried a report: no report at all. */
    ms_history_row r;
    memset(&r, 0, sizeof r);
    r.received = day + 500;
    r.source_ip = "192.0.2.99";
    r.header_from = "reports.test";
    r.policy_domain = "reports.test";
    r.p = "none";
    r.disposition = "none";
    r.carries_report = 1;
    if (rc == 0 && ms_store_history_add(s, &r) != MS_OK) {
        rc = 1;
    }
    ms_store_close(s);
    return rc;
}
