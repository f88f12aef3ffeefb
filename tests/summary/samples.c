/* SPDX-License-Identifier: MIT */
/* Every DMARC report sample of the conformance folder (dmarc/: mail-auth, parsedmarc,
 * OpenDMARC, the schema and failure-reporting samples) read with ms_report_read and fed to one
 * summary: real reporters' quirks (missing fields, odd case, IPv6, failure reports) go through
 * the tallies and all four formats; the JSON parses, the HTML holds no markup from a report.
 * Samples that do not parse (the broken ones, on purpose) are skipped. Usage: summary_samples
 * DIR (the conformance folder); exit 77 (skipped) when it is absent. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "mailseal/report.h"
#include "mailseal/summary.h"

static unsigned n_files, n_read, n_aggregate, n_failure, n_tls;

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    uint8_t *b = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        n < 64L * 1024 * 1024) {
        b = malloc(n > 0 ? (size_t)n : 1);
        if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
            free(b);
            b = NULL;
        }
    }
    fclose(f);
    *len = n > 0 ? (size_t)n : 0;
    return b;
}

static int feed_file(ms_summary *s, const char *path)
{
    size_t len = 0;
    uint8_t *data = slurp(path, &len);
    if (data == NULL) {
        return 0;
    }
    n_files++;
    ms_arena *a = NULL;
    if (ms_arena_new(NULL, 0, &a) != MS_OK) {
        free(data);
        return 1;
    }
    const ms_report *r = NULL;
    size_t n = 0;
    ms_report_error err;
    memset(&err, 0, sizeof(err));
    int bad = 0;
    if (len > 0 && ms_report_read(data, len, a, &r, &n, &err) == MS_OK) {
        n_read++;
        for (size_t i = 0; i < n && !bad; i++) {
            ms_status st = MS_OK;
            if (r[i].kind == MS_REPORT_AGGREGATE) {
                n_aggregate++;
                for (size_t j = 0; j < r[i].aggregate->n_records && st == MS_OK; j++) {
                    st = ms_summary_add(s, r[i].aggregate, &r[i].aggregate->records[j]);
                }
            } else if (r[i].kind == MS_REPORT_FAILURE) {
                n_failure++;
                st = ms_summary_add_failure(s, r[i].failure);
            } else {
                n_tls++;
                st = ms_summary_add_tlsrpt(s, r[i].tlsrpt);
            }
            if (st != MS_OK) {
                printf("FAIL %s: summary: %s\n", path, ms_status_str(st));
                bad = 1;
            }
        }
    }
    ms_arena_free(a);
    free(data);
    return bad;
}

static int walk(ms_summary *s, const char *dir, int depth)
{
    if (depth > 6) {
        return 0;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char path[4096];
        int m = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (m <= 0 || (size_t)m >= sizeof(path) || lstat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            bad |= walk(s, path, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            bad |= feed_file(s, path);
        }
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: summary_samples CONFORMANCE_DIR\n");
        return 2;
    }
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/dmarc", argv[1]);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: %s is absent\n", dir);
        return 77;
    }
    ms_summary *s = NULL;
    if (ms_summary_new(NULL, &s) != MS_OK) {
        return 1;
    }
    int bad = walk(s, dir, 0);
    const ms_summary_result *r = NULL;
    if (ms_summary_compute(s, &r) != MS_OK) {
        printf("FAIL: compute\n");
        return 1;
    }
    printf("%u files, %u read: %u aggregate, %u failure, %u TLS reports; %llu messages from "
           "%zu sources, %zu reporters, %zu advice items\n",
           n_files, n_read, n_aggregate, n_failure, n_tls, (unsigned long long)r->messages,
           r->n_sources, r->n_reporters, r->n_advice);
    if (n_aggregate < 10 || n_failure < 1 || r->messages == 0 || r->n_sources < 10) {
        printf("FAIL: want at least 10 aggregate reports, a failure report, 10 sources\n");
        bad = 1;
    }
    ms_arena *a = NULL;
    if (ms_arena_new(NULL, 0, &a) != MS_OK) {
        return 1;
    }
    static const char *const names[] = {"text", "json", "csv", "html"};
    for (int k = MS_SUMMARY_TEXT; k <= MS_SUMMARY_HTML; k++) {
        const char *out = NULL;
        size_t len = 0;
        ms_status fs = ms_summary_format(r, (ms_summary_format_kind)k, false, a, &out, &len);
        if (fs != MS_OK || len == 0) {
            printf("FAIL: format %s: %s\n", names[k], ms_status_str(fs));
            bad = 1;
            continue;
        }
        if (k == MS_SUMMARY_JSON) {
            json_tokener *tok = json_tokener_new();
            json_object *doc = json_tokener_parse_ex(tok, out, (int)len);
            if (doc == NULL) {
                printf("FAIL: the JSON does not parse: %s\n",
                       json_tokener_error_desc(json_tokener_get_error(tok)));
                bad = 1;
            }
            json_object_put(doc);
            json_tokener_free(tok);
        }
        if (k == MS_SUMMARY_HTML && strstr(out, "<script") != NULL) {
            printf("FAIL: the HTML holds a script element\n");
            bad = 1;
        }
        printf("%s: %zu bytes\n", names[k], len);
        const char *dump = getenv("MS_SUMMARY_DUMP"); /* a path prefix, to look at them */
        if (dump != NULL) {
            char path[4096];
            snprintf(path, sizeof(path), "%s.%s", dump, names[k]);
            FILE *f = fopen(path, "wb");
            if (f != NULL) {
                fwrite(out, 1, len, f);
                fclose(f);
            }
        }
    }
    ms_arena_free(a);
    ms_summary_free(s);
    return bad;
}
