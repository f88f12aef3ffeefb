/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the failure report parser (ARF, RFC 5965 §2-§3, RFC 6591, RFC 9991): the
 * bytes are one message. Checks that a parse gives a Feedback-Type, capped fields and a header
 * block within its cap, or an error with a reason. */
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
    const ms_report_failure *f = NULL;
    ms_report_error err;
    ms_status st = ms_report_parse_failure((const char *)data, size, arena, &f, &err);
    if (st == MS_OK) {
        if (f->feedback_type == NULL || f->incidents == 0 ||
            f->original_headers_len > MS_LIMIT_REPORT_FIELD * 64u ||
            (f->source_ip != NULL && strlen(f->source_ip) > MS_LIMIT_REPORT_FIELD) ||
            (f->authentication_results != NULL &&
             strlen(f->authentication_results) > MS_LIMIT_REPORT_FIELD)) {
            __builtin_trap();
        }
    } else if (f != NULL || err.reason == NULL) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
