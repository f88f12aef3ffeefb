/* SPDX-License-Identifier: MIT */
/* bench/reports: DMARC aggregate reports parsed per second and MB of XML per second, single
 * core. The sample files given are unpacked (gzip, zip, mail: untimed) to their XML payloads;
 * those are copied one after another into one buffer of about --bytes (each copy a separate
 * document), which is then parsed document by document with ms_report_parse_aggregate (and,
 * with --read, with ms_report_read: unpack + parse + SHA-256, what ingest calls), the arena
 * reset between reports. --dump DIR writes the distinct XML payloads (for the Perl side).
 * Prints one JSON line. Usage:
 *   ms_report_bench [--bytes N] [--read] [--dump DIR] FILE... */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mailseal/report.h"

typedef struct doc {
    uint8_t *data;
    size_t len;
} doc;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: on a shared machine the wall clock also counts the time other
 * processes held the core; the rates are quoted per CPU second (and per wall second). */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

int main(int argc, char **argv)
{
    size_t target = 1024u * 1024u * 1024u;
    bool via_read = false;
    const char *dump = NULL;
    int first = 1;
    for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++) {
        if (strcmp(argv[first], "--bytes") == 0 && first + 1 < argc) {
            target = (size_t)strtoull(argv[++first], NULL, 10);
        } else if (strcmp(argv[first], "--read") == 0) {
            via_read = true;
        } else if (strcmp(argv[first], "--dump") == 0 && first + 1 < argc) {
            dump = argv[++first];
        } else {
            fprintf(stderr, "usage: %s [--bytes N] [--read] [--dump DIR] FILE...\n", argv[0]);
            return 2;
        }
    }
    /* the distinct payloads */
    size_t n_docs = 0, size_docs = 64, distinct_bytes = 0;
    doc *docs = malloc(size_docs * sizeof(*docs));
    ms_arena *a = NULL;
    if (docs == NULL || ms_arena_new(NULL, 0, &a) != MS_OK) {
        return 1;
    }
    for (int i = first; i < argc; i++) {
        size_t len = 0;
        uint8_t *b = slurp(argv[i], &len);
        if (b == NULL) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            continue;
        }
        const ms_report_payload *p = NULL;
        size_t n = 0;
        ms_report_error err;
        if (ms_report_unpack(b, len, a, &p, &n, &err) == MS_OK) {
            for (size_t k = 0; k < n; k++) {
                const ms_report_aggregate *r = NULL;
                if (p[k].type != MS_REPORT_PAYLOAD_XML ||
                    ms_report_parse_aggregate((const char *)p[k].data, p[k].len, a, &r, &err) !=
                        MS_OK) {
                    continue;
                }
                if (n_docs == size_docs) {
                    size_docs *= 2;
                    docs = realloc(docs, size_docs * sizeof(*docs));
                    if (docs == NULL) {
                        return 1;
                    }
                }
                docs[n_docs].data = malloc(p[k].len);
                memcpy(docs[n_docs].data, p[k].data, p[k].len);
                docs[n_docs].len = p[k].len;
                distinct_bytes += p[k].len;
                if (dump != NULL) {
                    char path[4096];
                    snprintf(path, sizeof(path), "%s/%04zu.xml", dump, n_docs);
                    FILE *f = fopen(path, "wb");
                    if (f == NULL || fwrite(p[k].data, 1, p[k].len, f) != p[k].len) {
                        fprintf(stderr, "%s: cannot write\n", path);
                        return 1;
                    }
                    fclose(f);
                }
                n_docs++;
            }
        }
        ms_arena_reset(a);
        free(b);
    }
    if (n_docs == 0) {
        fprintf(stderr, "no aggregate report among the files\n");
        return 1;
    }
    /* the corpus: copies one after another up to the target */
    size_t reps = target / distinct_bytes + (target % distinct_bytes != 0);
    size_t total = reps * distinct_bytes, n_total = reps * n_docs;
    uint8_t *corpus = malloc(total);
    size_t *offs = malloc((n_total + 1) * sizeof(*offs));
    if (corpus == NULL || offs == NULL) {
        fprintf(stderr, "cannot hold %zu bytes\n", total);
        return 1;
    }
    size_t pos = 0, idx = 0;
    for (size_t r = 0; r < reps; r++) {
        for (size_t k = 0; k < n_docs; k++) {
            offs[idx++] = pos;
            memcpy(corpus + pos, docs[k].data, docs[k].len);
            pos += docs[k].len;
        }
    }
    offs[idx] = pos;
    /* timed */
    uint64_t records = 0, messages = 0;
    size_t failed = 0;
    double t0 = now(), c0 = cpu();
    for (size_t i = 0; i < n_total; i++) {
        const uint8_t *d = corpus + offs[i];
        size_t len = offs[i + 1] - offs[i];
        ms_report_error err;
        if (via_read) {
            const ms_report *r = NULL;
            size_t n = 0;
            if (ms_report_read(d, len, a, &r, &n, &err) != MS_OK || n != 1) {
                failed++;
            } else {
                records += r[0].aggregate->n_records;
                messages += r[0].aggregate->n_messages;
            }
        } else {
            const ms_report_aggregate *r = NULL;
            if (ms_report_parse_aggregate((const char *)d, len, a, &r, &err) != MS_OK) {
                failed++;
            } else {
                records += r->n_records;
                messages += r->n_messages;
            }
        }
        ms_arena_reset(a);
    }
    double dt = now() - t0, dc = cpu() - c0;
    printf("{\"impl\":\"mailseal%s\",\"distinct_reports\":%zu,\"distinct_bytes\":%zu,"
           "\"reports\":%zu,\"bytes\":%zu,\"records\":%llu,\"messages\":%llu,\"failed\":%zu,"
           "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"reports_per_s\":%.1f,\"mb_per_s\":%.2f,"
           "\"wall_mb_per_s\":%.2f}\n",
           via_read ? "-read" : "", n_docs, distinct_bytes, n_total, total,
           (unsigned long long)records, (unsigned long long)messages, failed, dt, dc,
           (double)n_total / dc, (double)total / dc / 1e6, (double)total / dt / 1e6);
    ms_arena_free(a);
    free(corpus);
    free(offs);
    for (size_t k = 0; k < n_docs; k++) {
        free(docs[k].data);
    }
    free(docs);
    return failed == 0 ? 0 : 1;
}
