/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the DMARC aggregate report parser (RFC 9990 §3.1, RFC 7489 Appendix C):
 * the bytes are one XML document. Checks what a parse promises: MS_OK gives a complete report
 * (required fields set, counts summed, caps held); an error gives a reason and no report; the
 * same bytes parse the same way twice. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/report.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const ms_report_aggregate *r)
{
    if (r->org_name == NULL || r->report_id == NULL || r->domain == NULL || r->format == NULL ||
        r->n_records > MS_LIMIT_REPORT_RECORDS || r->begin < 0 || r->begin > MS_LIMIT_REPORT_DATE ||
        r->end < 0 || r->end > MS_LIMIT_REPORT_DATE || r->pct < -1 || r->pct > 100) {
        __builtin_trap();
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < r->n_records; i++) {
        const ms_report_record *rec = &r->records[i];
        if (rec->source_ip == NULL || strlen(rec->source_ip) > MS_LIMIT_REPORT_FIELD ||
            rec->n_dkim > MS_LIMIT_REPORT_RESULTS || rec->n_spf > MS_LIMIT_REPORT_RESULTS) {
            __builtin_trap();
        }
        for (size_t k = 0; k < rec->n_dkim; k++) {
            if (rec->dkim_results[k].domain == NULL || rec->dkim_results[k].result == NULL) {
                __builtin_trap();
            }
        }
        for (size_t k = 0; k < rec->n_spf; k++) {
            if (rec->spf_results[k].domain == NULL || rec->spf_results[k].result == NULL) {
                __builtin_trap();
            }
        }
        sum += rec->count;
    }
    if (sum != r->n_messages) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms_report_aggregate *r = NULL;
    ms_report_error err;
    ms_status st = ms_report_parse_aggregate((const char *)data, size, arena, &r, &err);
    if (st == MS_OK) {
        check(r);
    } else if (st == MS_ESYNTAX || st == MS_ELIMIT) {
        if (r != NULL || err.reason == NULL ||
            memchr(err.detail, '\0', sizeof(err.detail)) == NULL) {
            __builtin_trap();
        }
    } else if (st != MS_ENOMEM) {
        __builtin_trap();
    }
    const ms_report_aggregate *again = NULL;
    if (ms_report_parse_aggregate((const char *)data, size, arena, &again, NULL) != st) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
