/* SPDX-License-Identifier: MIT */
/* Prints the summary of the fixture reports (fixture.h) as text, json, csv or html, reverse DNS
 * answered from the fixture's zone: what the golden files and the Chromium test compare.
 * "zone" prints that zone; "store URI" stores the fixture reports there (ms_store_reports_add)
 * for `mailseal report summary --store URI` to read back. */
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "mailseal/dns.h"
#include "mailseal/store.h"
#include "mailseal/summary.h"

static int fail(const char *what, ms_status st)
{
    fprintf(stderr, "summary_fixture: %s: %s\n", what, ms_status_str(st));
    return 1;
}

static int store_fixture(const char *uri)
{
    ms_arena *arena = NULL;
    ms_status st = ms_arena_new(NULL, 0, &arena);
    if (st != MS_OK) {
        return fail("arena", st);
    }
    static fix_set set;
    if (!fix_build(arena, &set)) {
        return fail("fixture", ms_arena_status(arena));
    }
    ms_store *store = NULL;
    char err[512] = "";
    if ((st = ms_store_open(uri, &store, err, sizeof(err))) != MS_OK) {
        fprintf(stderr, "summary_fixture: %s\n", err);
        return 1;
    }
    static ms_store_add_result results[FIX_MAX_REPORTS];
    st = ms_store_reports_add(store, "fixture", set.reports, set.n, results);
    if (st != MS_OK) {
        ms_store_last_error(store, err, sizeof(err));
        fprintf(stderr, "summary_fixture: storing: %s\n", err);
    }
    for (size_t i = 0; st == MS_OK && i < set.n; i++) {
        if (results[i] != MS_STORE_ADDED) {
            fprintf(stderr, "summary_fixture: report %zu not added (%d)\n", i, (int)results[i]);
            st = MS_EINVAL;
        }
    }
    ms_store_close(store);
    ms_arena_free(arena);
    return st == MS_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "store") == 0) {
        return store_fixture(argv[2]);
    }
    if (argc == 2 && strcmp(argv[1], "zone") == 0) {
        fputs(FIX_ZONE, stdout);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: summary_fixture text|json|csv|html|zone | store URI\n");
        return 2;
    }
    ms_summary_format_kind kind = MS_SUMMARY_TEXT;
    if (strcmp(argv[1], "json") == 0) {
        kind = MS_SUMMARY_JSON;
    } else if (strcmp(argv[1], "csv") == 0) {
        kind = MS_SUMMARY_CSV;
    } else if (strcmp(argv[1], "html") == 0) {
        kind = MS_SUMMARY_HTML;
    } else if (strcmp(argv[1], "text") != 0) {
        fprintf(stderr, "summary_fixture: unknown format %s\n", argv[1]);
        return 2;
    }
    ms_arena *arena = NULL;
    ms_status st = ms_arena_new(NULL, 0, &arena);
    if (st != MS_OK) {
        return fail("arena", st);
    }
    static fix_set set;
    if (!fix_build(arena, &set)) {
        return fail("fixture", ms_arena_status(arena));
    }
    ms_summary_options opt = {
        .domain = "example.com", .since = FIX_BEGIN, .until = FIX_BEGIN + FIX_DAYS * 86400};
    ms_summary *s = NULL;
    if ((st = ms_summary_new(&opt, &s)) != MS_OK) {
        return fail("summary", st);
    }
    for (size_t i = 0; i < set.n && st == MS_OK; i++) {
        const ms_report *r = &set.reports[i];
        if (r->kind == MS_REPORT_AGGREGATE) {
            for (size_t j = 0; j < r->aggregate->n_records && st == MS_OK; j++) {
                st = ms_summary_add(s, r->aggregate, &r->aggregate->records[j]);
            }
        } else if (r->kind == MS_REPORT_FAILURE) {
            st = ms_summary_add_failure(s, r->failure);
        } else {
            st = ms_summary_add_tlsrpt(s, r->tlsrpt);
        }
    }
    if (st != MS_OK) {
        return fail("add", st);
    }
    ms_resolver *zone = NULL;
    ms_zone_error zerr;
    if ((st = ms_resolver_new_zone(&zone)) != MS_OK ||
        (st = ms_zone_load_text(zone, FIX_ZONE, strlen(FIX_ZONE), NULL, &zerr)) != MS_OK) {
        return fail("zone", st);
    }
    if ((st = ms_summary_resolve(s, zone, 0)) != MS_OK) {
        return fail("resolve", st);
    }
    const ms_summary_result *res = NULL;
    const char *out = NULL;
    size_t len = 0;
    if ((st = ms_summary_compute(s, &res)) != MS_OK ||
        (st = ms_summary_format(res, kind, false, arena, &out, &len)) != MS_OK) {
        return fail("format", st);
    }
    fwrite(out, 1, len, stdout);
    ms_summary_free(s);
    ms_resolver_free(zone);
    ms_arena_free(arena);
    return 0;
}
