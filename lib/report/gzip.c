/* SPDX-License-Identifier: MIT */
/* gzip (RFC 1952) compression of a generated report with zlib: deflate with a gzip wrapper
 * (windowBits 15 + 16), written straight into an arena block sized by deflateBound. */
#define ZLIB_CONST /* next_in is const: the input is never written */
#include <zlib.h>

#include "base/limits.h"
#include "mailseal/report.h"

ms_status ms_report_gzip(const uint8_t *data, size_t len, ms_arena *arena, const uint8_t **out,
                         size_t *out_len)
{
    if (out != NULL) {
        *out = NULL;
    }
    if (out_len != NULL) {
        *out_len = 0;
    }
    if ((data == NULL && len > 0) || arena == NULL || out == NULL || out_len == NULL) {
        return MS_EINVAL;
    }
    if (len > MS_LIMIT_REPORT_WRITE_BYTES) {
        return MS_ELIMIT;
    }
    z_stream z = {0};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        return MS_ENOMEM;
    }
    uLong bound = deflateBound(&z, (uLong)len) + 32u; /* + the gzip header and trailer */
    uint8_t *dst = ms_arena_alloc(arena, (size_t)bound);
    if (dst == NULL) {
        (void)deflateEnd(&z);
        return ms_arena_status(arena);
    }
    static const uint8_t EMPTY[1] = {0};
    z.next_in = data != NULL ? data : EMPTY;
    z.avail_in = (uInt)len;
    z.next_out = dst;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t produced = (size_t)z.total_out;
    (void)deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        return MS_ENOMEM; /* deflateBound is an upper bound: only a zlib failure lands here */
    }
    *out = dst;
    *out_len = produced;
    return MS_OK;
}
