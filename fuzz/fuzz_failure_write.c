/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the failure report writer (ms_message_failure_reports, RFC 9991 §4): the
 * bytes are a received message whose DMARC record asks for every kind of report (fo=1:d:s).
 * Whatever its header fields hold, each report made must be 7-bit CRLF text within
 * MS_LIMIT_FAILURE_MESSAGE, without a To field of its own, and read back by mailseal's ARF
 * parser as an auth-failure report of the same kind. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/mailseal.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ZONE[] = "$ORIGIN fz.test.\n$TTL 300\n"
                           "@ TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
                           "_dmarc TXT \"v=DMARC1; p=reject; fo=1:d:s; ruf=mailto:r@fz.test\"\n";

static ms_resolver *zone(void)
{
    static ms_resolver *z;
    if (z == NULL && (ms_resolver_new_zone(&z) != MS_OK ||
                      ms_zone_load_text(z, ZONE, sizeof ZONE - 1, NULL, NULL) != MS_OK)) {
        __builtin_trap();
    }
    return z;
}

static void check(const ms_failure_report *r, ms_arena *arena)
{
    if (r->message_len > MS_LIMIT_FAILURE_MESSAGE || strncmp(r->message, "From: <", 7) != 0) {
        __builtin_trap();
    }
    for (size_t k = 0; k < r->message_len; k++) {
        unsigned char c = (unsigned char)r->message[k];
        if (c == 0 || c >= 0x80 || (c == '\n' && (k == 0 || r->message[k - 1] != '\r'))) {
            __builtin_trap();
        }
    }
    const ms_report_failure *f = NULL;
    ms_report_error err;
    if (ms_report_parse_failure(r->message, r->message_len, arena, &f, &err) != MS_OK ||
        f->feedback_type == NULL || strcmp(f->feedback_type, "auth-failure") != 0 ||
        f->auth_failure == NULL || strcmp(f->auth_failure, r->auth_failure) != 0) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.authserv_id = "mx.fz.test";
    ms_message *m = NULL;
    if (ms_message_new(zone(), &opt, arena, NULL, &m) == MS_OK &&
        ms_message_connect(m, "203.0.113.5", "client.test") == MS_OK &&
        ms_message_envelope(m, "<b@fz.test>") == MS_OK &&
        ms_message_feed(m, (const char *)data, size) == MS_OK && ms_message_end(m) == MS_OK) {
        ms_failure_input in = {.arrival = 1796000000,
                               .from = "dmarc@mx.fz.test",
                               .reporting_mta = "mx.fz.test",
                               .delivery_result = "reject"};
        const ms_failure_report *r = NULL;
        size_t n = 0;
        if (ms_message_failure_reports(m, &in, arena, &r, &n) != MS_OK &&
            ms_arena_status(arena) == MS_OK) {
            __builtin_trap(); /* only running out of memory may stop it */
        }
        for (size_t k = 0; k < n; k++) {
            check(&r[k], arena);
        }
    }
    ms_arena_free(arena);
    return 0;
}
