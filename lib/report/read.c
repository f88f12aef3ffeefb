/* SPDX-License-Identifier: MIT */
/* ms_report_read: unpack, then parse every payload by its type; all or nothing (a source is
 * stored whole or kept aside whole, never in part). Each report carries the SHA-256 of its
 * payload, the duplicate key of reports without an id. */
#include <string.h>

#include "mailseal/report.h"

#include "crypto/digest.h"
#include "report/internal.h"

ms_status ms_report_read(const uint8_t *data, size_t len, ms_arena *arena, const ms_report **out,
                         size_t *n_out, ms_report_error *err)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (n_out != NULL) {
        *n_out = 0;
    }
    if (out == NULL || n_out == NULL || arena == NULL) {
        return ms__report_fail(err, MS_EINVAL, 0, "invalid argument", NULL, 0);
    }
    const ms_report_payload *p = NULL;
    size_t n = 0;
    ms_status st = ms_report_unpack(data, len, arena, &p, &n, err);
    if (st != MS_OK) {
        return st;
    }
    ms_report *r = ms_arena_alloc(arena, n * sizeof(*r));
    if (r == NULL) {
        st = ms_arena_status(arena);
        return ms__report_fail(err, st == MS_OK ? MS_ENOMEM : st, 0, "the arena is full", NULL, 0);
    }
    memset(r, 0, n * sizeof(*r));
    for (size_t i = 0; i < n; i++) {
        r[i].name = p[i].name;
        switch (p[i].type) {
        case MS_REPORT_PAYLOAD_XML:
            r[i].kind = MS_REPORT_AGGREGATE;
            st = ms_report_parse_aggregate((const char *)p[i].data, p[i].len, arena,
                                           &r[i].aggregate, err);
            break;
        case MS_REPORT_PAYLOAD_JSON:
            r[i].kind = MS_REPORT_TLSRPT;
            st = ms_tlsrpt_parse((const char *)p[i].data, p[i].len, arena, &r[i].tlsrpt, err);
            break;
        case MS_REPORT_PAYLOAD_ARF:
            r[i].kind = MS_REPORT_FAILURE;
            st = ms_report_parse_failure((const char *)p[i].data, p[i].len, arena, &r[i].failure,
                                         err);
            break;
        default:
            st = ms__report_fail(err, MS_ESYNTAX, 0, "an unknown payload type", NULL, 0);
            break;
        }
        if (st != MS_OK) {
            return st;
        }
        st = ms__crypto_digest_once(MS__HASH_SHA256, p[i].data, p[i].len, r[i].digest,
                                    sizeof(r[i].digest));
        if (st != MS_OK) {
            return ms__report_fail(err, st, 0, "SHA-256 could not be computed", NULL, 0);
        }
    }
    *out = r;
    *n_out = n;
    return MS_OK;
}
