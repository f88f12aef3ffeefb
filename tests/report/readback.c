/* SPDX-License-Identifier: MIT */
/* report_readback FILE...: reads reports back with mailseal's own reader (ms_report_read:
 * gzip unpacked, ms_report_parse_aggregate) and prints them in dmarc_readback.pl's format, so
 * the test compares what both readers understood with what was recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailseal/report.h"

static const char *v(const char *s)
{
    return s && s[0] ? s : "-";
}

static int one(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
            }
            buf = b;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL) {
        return 1;
    }
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        free(buf);
        return 1;
    }
    const ms_report *reps = NULL;
    size_t nr = 0;
    ms_report_error err;
    memset(&err, 0, sizeof err);
    ms_status st = ms_report_read(buf, n, arena, &reps, &nr, &err);
    free(buf);
    if (st != MS_OK || nr != 1 || reps[0].kind != MS_REPORT_AGGREGATE) {
        fprintf(stderr, "%s: got %s (%zu reports): %s %s\n", path, ms_status_name(st), nr,
                err.reason ? err.reason : "", err.detail);
        ms_arena_free(arena);
        return 1;
    }
    const ms_report_aggregate *a = reps[0].aggregate;
    printf("meta\t%s\t%s\t%s\t%lld\t%lld\n", v(a->org_name), v(a->email), v(a->report_id),
           (long long)a->begin, (long long)a->end);
    printf("policy\t%s\t%s\t%s\t%s\t%s\n", v(a->domain), v(a->p), v(a->sp), v(a->adkim),
           v(a->aspf));
    for (size_t k = 0; k < a->n_records; k++) {
        const ms_report_record *r = &a->records[k];
        printf("record\t%s\t%llu\t%s\t%s\t%s\t%s\t%s\t%s\t", v(r->source_ip),
               (unsigned long long)r->count, v(r->disposition), v(r->dkim), v(r->spf),
               v(r->header_from), v(r->envelope_from), v(r->envelope_to));
        for (size_t i = 0; i < r->n_spf; i++) {
            printf("%s%s:%s", i ? "," : "", r->spf_results[i].domain, r->spf_results[i].result);
        }
        printf("%s\t", r->n_spf ? "" : "-");
        for (size_t i = 0; i < r->n_dkim; i++) {
            printf("%s%s/%s:%s", i ? "," : "", r->dkim_results[i].domain,
                   r->dkim_results[i].selector ? r->dkim_results[i].selector : "",
                   r->dkim_results[i].result);
        }
        printf("%s\t", r->n_dkim ? "" : "-");
        for (size_t i = 0; i < r->n_reasons; i++) {
            printf("%s%s", i ? "," : "", r->reasons[i].type);
        }
        printf("%s\n", r->n_reasons ? "" : "-");
    }
    ms_arena_free(arena);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int k = 1; k < argc; k++) {
        rc |= one(argv[k]);
    }
    return rc;
}
