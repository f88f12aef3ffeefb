/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the SMTP TLS report parser (RFC 8460 §4, json-c): the bytes are one JSON
 * document. Checks required members, caps, and errors with reasons. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/report.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms_tlsrpt_report *r = NULL;
    ms_report_error err;
    ms_status st = ms_tlsrpt_parse((const char *)data, size, arena, &r, &err);
    if (st == MS_OK) {
        if (r->organization_name == NULL || r->report_id == NULL ||
            r->n_policies > MS_LIMIT_REPORT_TLSRPT_ITEMS) {
            __builtin_trap();
        }
        for (size_t i = 0; i < r->n_policies; i++) {
            const ms_tlsrpt_policy *p = &r->policies[i];
            if (p->policy_type == NULL || p->policy_domain == NULL ||
                p->n_failures > MS_LIMIT_REPORT_TLSRPT_ITEMS) {
                __builtin_trap();
            }
            for (size_t k = 0; k < p->n_failures; k++) {
                if (p->failures[k].result_type == NULL) {
                    __builtin_trap();
                }
            }
        }
    } else if (r != NULL || err.reason == NULL) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
