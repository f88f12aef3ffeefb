/* SPDX-License-Identifier: MIT */
/* DMARC report samples (shared/conformance/SOURCES.md §4): every aggregate and failure sample
 * read through ms_report_read, compared field by field with what mail-auth's JSON files record
 * (dmarc/mail-auth/dmarc-feedback, arf) and with parsedmarc's, OpenDMARC's and the drafts'
 * expectations (§4a, 4c, 4d, 4e). Usage: report_samples DIR (the conformance folder); exit 77
 * (skipped) when it is absent. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "mailseal/report.h"

static unsigned n_checks, n_bad;
static const char *current;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        n_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            n_bad++;                                                                               \
            printf("FAIL %s: ", current);                                                          \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Reads path; MS_OK with the reports, or the status. */
static ms_status read_file(const char *path, ms_arena *a, const ms_report **r, size_t *n,
                           ms_report_error *err)
{
    size_t len = 0;
    uint8_t *b = slurp(path, &len);
    if (b == NULL) {
        printf("FAIL %s: cannot read\n", path);
        n_bad++;
        return MS_EIO;
    }
    ms_status st = ms_report_read(b, len, a, r, n, err);
    free(b); /* everything returned lives in the arena */
    return st;
}

/* Comparable form of an enumeration or word: lower case without '_' and '-', with mail-auth's
 * renamings (RFC 7489's sampled_out became "Other"; mfrom is "MailFrom"). NULL is
 * "unspecified". */
static void norm(const char *s, char *out, size_t size)
{
    size_t n = 0;
    if (s == NULL) {
        s = "unspecified";
    }
    static const char *const MAP[][2] = {{"r", "relaxed"},
                                         {"s", "strict"},
                                         {"mfrom", "mailfrom"},
                                         {"sampled_out", "other"},
                                         {"", "unspecified"}};
    for (size_t i = 0; i < sizeof(MAP) / sizeof(MAP[0]); i++) {
        if (strcmp(s, MAP[i][0]) == 0) {
            s = MAP[i][1];
        }
    }
    for (; *s != '\0' && n + 1 < size; s++) {
        if (*s != '_' && *s != '-') {
            out[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
        }
    }
    out[n] = '\0';
}

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* A string member equals ours (JSON null equals NULL; with empty_is_null, "" does too). */
static void same_str(json_object *o, const char *k, const char *ours, bool empty_is_null)
{
    json_object *v = member(o, k);
    if (v == NULL && !json_object_object_get_ex(o, k, NULL)) {
        return; /* not recorded */
    }
    const char *want = v != NULL ? json_object_get_string(v) : NULL;
    if (empty_is_null && want != NULL && want[0] == '\0') {
        want = NULL;
    }
    if (empty_is_null && ours != NULL && ours[0] == '\0') {
        ours = NULL;
    }
    CHECK((want == NULL && ours == NULL) ||
              (want != NULL && ours != NULL && strcmp(want, ours) == 0),
          "%s: got \"%s\", want \"%s\"", k, ours ? ours : "(null)", want ? want : "(null)");
}

static void same_enum(json_object *o, const char *k, const char *ours)
{
    json_object *v = member(o, k);
    if (v == NULL) {
        return;
    }
    char a[64], b[64];
    norm(json_object_get_string(v), a, sizeof(a));
    norm(ours, b, sizeof(b));
    CHECK(strcmp(a, b) == 0, "%s: got \"%s\", want \"%s\"", k, ours ? ours : "(null)",
          json_object_get_string(v));
}

static void same_num(json_object *o, const char *k, int64_t ours)
{
    json_object *v = member(o, k);
    if (v == NULL && !json_object_object_get_ex(o, k, NULL)) {
        return;
    }
    int64_t want = v != NULL ? json_object_get_int64(v) : 0;
    CHECK(want == ours, "%s: got %lld, want %lld", k, (long long)ours, (long long)want);
}

/* Text compared with runs of white space (line ends included) as one space. */
static bool same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    for (;;) {
        bool sa = false, sb = false;
        while (*a == ' ' || *a == '\t' || *a == '\r' || *a == '\n') {
            a++;
            sa = true;
        }
        while (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n') {
            b++;
            sb = true;
        }
        if (*a == '\0' || *b == '\0') {
            return *a == *b;
        }
        if (sa != sb || *a != *b) {
            return false;
        }
        a++;
        b++;
    }
}

/* ---- mail-auth aggregate ---------------------------------------------------------------- */

static void compare_aggregate(const ms_report_aggregate *r, json_object *j)
{
    json_object *md = member(j, "report_metadata"), *pp = member(j, "policy_published");
    json_object *ver = member(j, "version");
    double want_ver = ver != NULL ? json_object_get_double(ver) : 0.0;
    double got_ver = r->version != NULL ? strtod(r->version, NULL) : 0.0;
    CHECK(want_ver == got_ver, "version: got %s, want %g", r->version ? r->version : "(null)",
          want_ver);
    same_str(md, "org_name", r->org_name, false);
    same_str(md, "email", r->email, false);
    same_str(md, "extra_contact_info", r->extra_contact_info, true);
    same_str(md, "report_id", r->report_id, false);
    same_str(md, "generator", r->generator, true);
    json_object *dr = member(md, "date_range");
    same_num(dr, "begin", r->begin);
    same_num(dr, "end", r->end);
    json_object *errs = member(md, "error");
    if (errs != NULL) {
        CHECK(json_object_array_length(errs) == r->n_errors, "errors: got %zu, want %zu",
              r->n_errors, json_object_array_length(errs));
    }
    same_str(pp, "domain", r->domain, false);
    same_enum(pp, "adkim", r->adkim);
    same_enum(pp, "aspf", r->aspf);
    same_enum(pp, "p", r->p);
    same_enum(pp, "sp", r->sp);
    same_enum(pp, "np", r->np);
    same_enum(pp, "discovery_method", r->discovery_method);
    same_str(pp, "fo", r->fo, true);
    json_object *t = member(pp, "testing");
    if (t != NULL) {
        bool got = r->testing != NULL && strcmp(r->testing, "y") == 0;
        CHECK(json_object_get_boolean(t) == got, "testing: got %s", r->testing);
    }
    json_object *recs = member(j, "record");
    CHECK(json_object_array_length(recs) == r->n_records, "records: got %zu, want %zu",
          r->n_records, json_object_array_length(recs));
    for (size_t i = 0; i < r->n_records && i < json_object_array_length(recs); i++) {
        const ms_report_record *rec = &r->records[i];
        json_object *jr = json_object_array_get_idx(recs, i);
        json_object *row = member(jr, "row"), *pe = member(row, "policy_evaluated");
        json_object *id = member(jr, "identifiers"), *ar = member(jr, "auth_results");
        same_str(row, "source_ip", rec->source_ip, false);
        same_num(row, "count", (int64_t)rec->count);
        same_enum(pe, "disposition", rec->disposition);
        same_enum(pe, "dkim", rec->dkim);
        same_enum(pe, "spf", rec->spf);
        json_object *reasons = member(pe, "reason");
        CHECK(json_object_array_length(reasons) == rec->n_reasons, "reasons: got %zu, want %zu",
              rec->n_reasons, json_object_array_length(reasons));
        for (size_t k = 0; k < rec->n_reasons && k < json_object_array_length(reasons); k++) {
            json_object *jk = json_object_array_get_idx(reasons, k);
            same_enum(jk, "type_", rec->reasons[k].type);
            same_str(jk, "comment", rec->reasons[k].comment, true);
        }
        same_str(id, "header_from", rec->header_from, false);
        same_str(id, "envelope_from", rec->envelope_from, true);
        same_str(id, "envelope_to", rec->envelope_to, true);
        json_object *dk = member(ar, "dkim"), *sp = member(ar, "spf");
        CHECK(json_object_array_length(dk) == rec->n_dkim, "dkim results: got %zu, want %zu",
              rec->n_dkim, json_object_array_length(dk));
        for (size_t k = 0; k < rec->n_dkim && k < json_object_array_length(dk); k++) {
            json_object *jk = json_object_array_get_idx(dk, k);
            same_str(jk, "domain", rec->dkim_results[k].domain, false);
            same_str(jk, "selector", rec->dkim_results[k].selector, true);
            same_enum(jk, "result", rec->dkim_results[k].result);
            same_str(jk, "human_result", rec->dkim_results[k].human_result, true);
        }
        CHECK(json_object_array_length(sp) == rec->n_spf, "spf results: got %zu, want %zu",
              rec->n_spf, json_object_array_length(sp));
        for (size_t k = 0; k < rec->n_spf && k < json_object_array_length(sp); k++) {
            json_object *jk = json_object_array_get_idx(sp, k);
            same_str(jk, "domain", rec->spf_results[k].domain, false);
            same_enum(jk, "scope", rec->spf_results[k].scope);
            same_enum(jk, "result", rec->spf_results[k].result);
            same_str(jk, "human_result", rec->spf_results[k].human_result, true);
        }
    }
}

static void compare_failure(const ms_report_failure *f, json_object *j)
{
    same_enum(j, "feedback_type", f->feedback_type);
    json_object *ad = member(j, "arrival_date");
    int64_t want_arr = ad != NULL ? json_object_get_int64(ad) : 0;
    CHECK(want_arr == f->arrival, "arrival_date: got %lld, want %lld", (long long)f->arrival,
          (long long)want_arr);
    json_object *ar = member(j, "authentication_results");
    const char *want_ar = json_object_array_length(ar) > 0
                              ? json_object_get_string(json_object_array_get_idx(ar, 0))
                              : NULL;
    CHECK(same_text(f->authentication_results, want_ar),
          "authentication_results: got \"%s\", want \"%s\"",
          f->authentication_results ? f->authentication_results : "(null)",
          want_ar ? want_ar : "(null)");
    same_num(j, "incidents", (int64_t)f->incidents);
    same_str(j, "original_envelope_id", f->original_envelope_id, true);
    same_str(j, "original_mail_from", f->original_mail_from, true);
    same_str(j, "original_rcpt_to", f->original_rcpt_to, true);
    json_object *rd = member(j, "reported_domain");
    const char *want_rd = json_object_array_length(rd) > 0
                              ? json_object_get_string(json_object_array_get_idx(rd, 0))
                              : NULL;
    CHECK((want_rd == NULL && f->reported_domain == NULL) ||
              (want_rd != NULL && f->reported_domain != NULL &&
               strcmp(want_rd, f->reported_domain) == 0),
          "reported_domain: got %s, want %s", f->reported_domain, want_rd);
    same_str(j, "reporting_mta", f->reporting_mta, true);
    same_str(j, "source_ip", f->source_ip, true);
    same_str(j, "user_agent", f->user_agent, true);
    json_object *v = member(j, "version");
    CHECK(f->version != NULL && v != NULL && strtol(f->version, NULL, 10) == json_object_get_int(v),
          "version: got %s", f->version);
    same_enum(j, "auth_failure", f->auth_failure);
    same_enum(j, "delivery_result", f->delivery_result);
    same_enum(j, "identity_alignment", f->identity_alignment);
    same_str(j, "dkim_domain", f->dkim_domain, true);
    same_str(j, "dkim_identity", f->dkim_identity, true);
    same_str(j, "dkim_selector", f->dkim_selector, true);
    same_str(j, "spf_dns", f->spf_dns, true);
    json_object *h = member(j, "headers");
    if (h != NULL) {
        const char *want = json_object_get_string(h);
        CHECK(f->original_headers != NULL && same_text(f->original_headers, want),
              "headers: got %zu bytes, want %zu", f->original_headers_len, strlen(want));
    }
}

static void mail_auth(const char *dir, const char *sub, ms_report_kind kind)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/dmarc/mail-auth/%s", dir, sub);
    DIR *d = opendir(path);
    if (d == NULL) {
        printf("FAIL %s: missing\n", path);
        n_bad++;
        return;
    }
    struct dirent *e;
    unsigned files = 0;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 ||
            (strcmp(e->d_name + l - 4, ".xml") != 0 && strcmp(e->d_name + l - 4, ".eml") != 0)) {
            continue;
        }
        char file[8400], json[8400];
        snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
        snprintf(json, sizeof(json), "%s/%.*s.json", path, (int)(l - 4), e->d_name);
        current = file;
        json_object *j = json_object_from_file(json);
        if (j == NULL) {
            CHECK(false, "no expected JSON %s", json);
            continue;
        }
        ms_arena *a = NULL;
        if (ms_arena_new(NULL, 0, &a) != MS_OK) {
            abort();
        }
        const ms_report *r = NULL;
        size_t n = 0;
        ms_report_error err = {0};
        ms_status st = read_file(file, a, &r, &n, &err);
        CHECK(st == MS_OK && n == 1 && r[0].kind == kind, "got %s (%s [%s]) %zu reports",
              ms_status_name(st), err.reason ? err.reason : "", err.detail, n);
        if (st == MS_OK && n == 1 && r[0].kind == kind) {
            if (kind == MS_REPORT_AGGREGATE) {
                compare_aggregate(r[0].aggregate, j);
            } else {
                compare_failure(r[0].failure, j);
            }
        }
        files++;
        json_object_put(j);
        ms_arena_free(a);
    }
    closedir(d);
    current = path;
    CHECK(files >= 5, "%u samples, want at least 5", files);
}

/* ---- parsedmarc, OpenDMARC, schema samples, the draft's failure report -------------------- */

/* Every file of a folder reads as reports of kind. */
static void all_parse(const char *dir, const char *sub, ms_report_kind kind, unsigned min)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, sub);
    DIR *d = opendir(path);
    if (d == NULL) {
        printf("FAIL %s: missing\n", path);
        n_bad++;
        return;
    }
    struct dirent *e;
    unsigned files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strstr(e->d_name, ".xsd") != NULL ||
            strstr(e->d_name, ".txt") != NULL) {
            continue;
        }
        char file[8400];
        snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
        current = file;
        ms_arena *a = NULL;
        if (ms_arena_new(NULL, 0, &a) != MS_OK) {
            abort();
        }
        const ms_report *r = NULL;
        size_t n = 0;
        ms_report_error err = {0};
        ms_status st = read_file(file, a, &r, &n, &err);
        CHECK(st == MS_OK && n >= 1 && r[0].kind == kind, "got %s (%s [%s])", ms_status_name(st),
              err.reason ? err.reason : "", err.detail);
        if (st == MS_OK && kind == MS_REPORT_AGGREGATE) {
            for (size_t i = 0; i < n; i++) {
                CHECK(r[i].aggregate != NULL && r[i].aggregate->n_records >= 1,
                      "an aggregate report without records");
            }
        }
        files++;
        ms_arena_free(a);
    }
    closedir(d);
    current = path;
    CHECK(files >= min, "%u samples, want at least %u", files, min);
}

static const ms_report *one(const char *dir, const char *rel, ms_arena *a, ms_report_kind kind)
{
    static char file[4200];
    snprintf(file, sizeof(file), "%s/%s", dir, rel);
    current = file;
    const ms_report *r = NULL;
    size_t n = 0;
    ms_report_error err = {0};
    ms_status st = read_file(file, a, &r, &n, &err);
    CHECK(st == MS_OK && n == 1 && r[0].kind == kind, "got %s (%s)", ms_status_name(st),
          err.reason ? err.reason : "");
    return st == MS_OK && n == 1 && r[0].kind == kind ? &r[0] : NULL;
}

#define EQ(got, want)                                                                              \
    CHECK((got) != NULL && strcmp((got), (want)) == 0, "%s: got \"%s\", want \"%s\"", #got,        \
          (got) ? (got) : "(null)", (want))

static void parsedmarc(const char *dir)
{
    const char *pd = "dmarc/parsedmarc/samples";
    char sub[512];
    snprintf(sub, sizeof(sub), "%s/aggregate", pd);
    all_parse(dir, sub, MS_REPORT_AGGREGATE, 19);
    snprintf(sub, sizeof(sub), "%s/failure", pd);
    all_parse(dir, sub, MS_REPORT_FAILURE, 5);
    ms_arena *a = NULL;
    if (ms_arena_new(NULL, 0, &a) != MS_OK) {
        abort();
    }
    /* upper-case result words are normalised */
    const ms_report *r = one(dir,
                             "dmarc/parsedmarc/samples/aggregate_invalid/"
                             "report_with_upper_cased_pass.xml",
                             a, MS_REPORT_AGGREGATE);
    if (r != NULL && r->aggregate->n_records == 1) {
        const ms_report_record *rec = &r->aggregate->records[0];
        EQ(rec->dkim, "pass");
        EQ(rec->spf, "pass");
        EQ(rec->disposition, "none");
        CHECK(rec->n_dkim == 1 && rec->n_spf == 1, "auth results");
        if (rec->n_dkim == 1 && rec->n_spf == 1) {
            EQ(rec->dkim_results[0].result, "pass");
            EQ(rec->spf_results[0].result, "pass");
        }
    }
    /* empty.xml is rejected */
    {
        char file[4200];
        snprintf(file, sizeof(file), "%s/%s/empty.xml", dir, pd);
        current = file;
        const ms_report *x = NULL;
        size_t n = 0;
        ms_report_error err = {0};
        ms_status st = read_file(file, a, &x, &n, &err);
        CHECK(st == MS_ESYNTAX && err.reason != NULL && n == 0, "got %s, want MS_ESYNTAX",
              ms_status_name(st));
    }
    /* RFC 9990 Appendix B */
    r = one(dir, "dmarc/parsedmarc/samples/aggregate/rfc9990-sample.xml", a, MS_REPORT_AGGREGATE);
    if (r != NULL) {
        const ms_report_aggregate *g = r->aggregate;
        EQ(g->format, "rfc9990");
        EQ(g->version, "1.0");
        EQ(g->org_name, "Sample Reporter");
        EQ(g->email, "report_sender@example-reporter.com");
        EQ(g->extra_contact_info, "...");
        EQ(g->report_id, "3v98abbp8ya9n3va8yr8oa3ya");
        EQ(g->generator, "Example DMARC Aggregate Reporter v1.2");
        EQ(g->domain, "example.com");
        EQ(g->p, "quarantine");
        EQ(g->sp, "none");
        EQ(g->np, "none");
        EQ(g->testing, "n");
        EQ(g->discovery_method, "treewalk");
        CHECK(g->adkim == NULL && g->aspf == NULL && g->pct == -1 && g->fo == NULL,
              "adkim/aspf/pct/fo absent");
        CHECK(g->n_records == 1, "one record");
        if (g->n_records == 1) {
            const ms_report_record *rec = &g->records[0];
            EQ(rec->source_ip, "192.0.2.123");
            CHECK(rec->count == 123, "count %llu", (unsigned long long)rec->count);
            EQ(rec->disposition, "pass");
            EQ(rec->dkim, "pass");
            EQ(rec->spf, "fail");
            CHECK(rec->n_dkim == 1 && rec->n_spf == 1, "auth results");
            if (rec->n_dkim == 1 && rec->n_spf == 1) {
                EQ(rec->dkim_results[0].domain, "example.com");
                EQ(rec->dkim_results[0].selector, "abc123");
                EQ(rec->dkim_results[0].result, "pass");
                EQ(rec->spf_results[0].domain, "example.com");
                EQ(rec->spf_results[0].result, "fail");
            }
        }
    }
    r = one(dir,
            "dmarc/parsedmarc/samples/aggregate/rfc9990-example.net!example.com!1700000000!"
            "1700086399.xml",
            a, MS_REPORT_AGGREGATE);
    if (r != NULL) {
        EQ(r->aggregate->np, "reject");
        EQ(r->aggregate->testing, "y");
        EQ(r->aggregate->discovery_method, "treewalk");
    }
    r = one(dir,
            "dmarc/parsedmarc/samples/aggregate/example.net!example.com!1529366400!"
            "1529452799.xml",
            a, MS_REPORT_AGGREGATE);
    if (r != NULL) {
        const ms_report_aggregate *g = r->aggregate;
        CHECK(g->pct == 100, "pct %d", g->pct);
        EQ(g->fo, "0");
        EQ(g->format, "rfc7489");
        CHECK(g->np == NULL && g->testing == NULL && g->discovery_method == NULL &&
                  g->generator == NULL,
              "no np/testing/discovery_method/generator");
    }
    /* extract_report: .xml, .xml.gz and .xml.zip give identical XML; changed-input differs */
    {
        static const char *const names[] = {"nice-input.xml", "nice-input.xml.gz",
                                            "nice-input.xml.zip", "changed-input.xml"};
        const uint8_t *data[4] = {0};
        size_t lens[4] = {0};
        for (int i = 0; i < 4; i++) {
            char file[4200];
            snprintf(file, sizeof(file), "%s/%s/extract_report/%s", dir, pd, names[i]);
            current = file;
            size_t len = 0;
            uint8_t *b = slurp(file, &len);
            const ms_report_payload *p = NULL;
            size_t n = 0;
            ms_report_error err = {0};
            ms_status st = b != NULL ? ms_report_unpack(b, len, a, &p, &n, &err) : MS_EIO;
            CHECK(st == MS_OK && n == 1 && p[0].type == MS_REPORT_PAYLOAD_XML, "unpack: got %s",
                  ms_status_name(st));
            if (st == MS_OK && n == 1) {
                data[i] = p[0].data;
                lens[i] = p[0].len;
            }
            free(b);
        }
        current = "extract_report";
        CHECK(data[0] && data[1] && lens[0] == lens[1] && memcmp(data[0], data[1], lens[0]) == 0,
              ".xml.gz differs from .xml");
        CHECK(data[0] && data[2] && lens[0] == lens[2] && memcmp(data[0], data[2], lens[0]) == 0,
              ".xml.zip differs from .xml");
        CHECK(data[0] && data[3] && (lens[0] != lens[3] || memcmp(data[0], data[3], lens[0]) != 0),
              "changed-input equals nice-input");
    }
    /* failure reports */
    r = one(dir, "dmarc/parsedmarc/samples/failure/exim_plain_text_only_no_arf_part.eml", a,
            MS_REPORT_FAILURE);
    if (r != NULL) {
        EQ(r->failure->feedback_type, "auth-failure");
        EQ(r->failure->source_ip, "203.0.113.68");
        EQ(r->failure->reported_domain, "example.com");
    }
    const ms_report *lf = one(dir, "dmarc/parsedmarc/samples/failure/dmarc_ruf_report_linkedin.eml",
                              a, MS_REPORT_FAILURE);
    const ms_report *crlf =
        one(dir, "dmarc/parsedmarc/samples/failure/dmarc_ruf_report_linkedin.crlf.eml", a,
            MS_REPORT_FAILURE);
    if (lf != NULL && crlf != NULL) {
        const ms_report_failure *x = lf->failure, *y = crlf->failure;
        current = "linkedin LF vs CRLF";
        CHECK(strcmp(x->source_ip, y->source_ip) == 0 &&
                  strcmp(x->reported_domain, y->reported_domain) == 0 && x->arrival == y->arrival &&
                  strcmp(x->original_subject, y->original_subject) == 0 &&
                  same_text(x->authentication_results, y->authentication_results),
              "the LF and CRLF copies differ");
    }
    ms_arena_free(a);
}

static void others(const char *dir)
{
    all_parse(dir, "dmarc/opendmarc/testfiles", MS_REPORT_AGGREGATE, 4);
    all_parse(dir, "dmarc/schema", MS_REPORT_AGGREGATE, 2);
    ms_arena *a = NULL;
    if (ms_arena_new(NULL, 0, &a) != MS_OK) {
        abort();
    }
    const ms_report *r =
        one(dir, "dmarc/failure-reporting/draft-ietf-dmarc-failure-reporting-example.eml", a,
            MS_REPORT_FAILURE);
    if (r != NULL) {
        const ms_report_failure *f = r->failure;
        EQ(f->feedback_type, "auth-failure");
        EQ(f->version, "1");
        EQ(f->auth_failure, "dmarc");
        EQ(f->identity_alignment, "dkim");
        EQ(f->dkim_domain, "consumer.example");
        EQ(f->dkim_identity, "@consumer.example");
        EQ(f->dkim_selector, "epsilon");
        EQ(f->original_envelope_id, "65E1A3F0A0");
        EQ(f->original_mail_from, "author=gen.example@forwarder.example");
        EQ(f->source_ip, "192.0.2.2");
        EQ(f->reported_domain, "consumer.example");
        CHECK(f->original_headers != NULL && f->original_subject != NULL,
              "the third part (message/rfc822) is read");
    }
    ms_arena_free(a);
}

int main(int argc, char **argv)
{
    struct stat sb;
    if (argc < 2 || stat(argv[1], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("skipped: no conformance folder (%s)\n", argc > 1 ? argv[1] : "none given");
        return 77;
    }
    char dmarc[4096];
    snprintf(dmarc, sizeof(dmarc), "%s/dmarc", argv[1]);
    if (stat(dmarc, &sb) != 0) {
        printf("skipped: no dmarc folder in %s\n", argv[1]);
        return 77;
    }
    mail_auth(argv[1], "dmarc-feedback", MS_REPORT_AGGREGATE);
    mail_auth(argv[1], "arf", MS_REPORT_FAILURE);
    parsedmarc(argv[1]);
    others(argv[1]);
    printf("report samples: %u checks, %u failed\n", n_checks, n_bad);
    return n_bad == 0 ? 0 : 1;
}
