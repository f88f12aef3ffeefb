/* SPDX-License-Identifier: MIT */
/* Builders of hostile and ordinary archives for the report tests: gzip members (RFC 1952),
 * zip archives written by hand (APPNOTE 4.3: local headers, central directory, end record) so
 * the declared sizes and CRCs can lie, and a deflate stream of a huge run of one byte made
 * without holding it in memory. Heap results; the caller frees. */
#ifndef MS_REPORT_ARCHIVES_H
#define MS_REPORT_ARCHIVES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

typedef struct ms_test_bytes {
    uint8_t *data;
    size_t len, size;
} ms_test_bytes;

static inline void tb_put(ms_test_bytes *b, const void *p, size_t n)
{
    if (n == 0) {
        return;
    }
    if (b->len + n > b->size) {
        size_t size = b->size ? b->size : 256;
        while (size < b->len + n) {
            size *= 2;
        }
        uint8_t *g = realloc(b->data, size);
        if (g == NULL) {
            abort();
        }
        b->data = g;
        b->size = size;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static inline void tb_u16(ms_test_bytes *b, uint32_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    tb_put(b, x, 2);
}

static inline void tb_u32(ms_test_bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    tb_put(b, x, 4);
}

/* Raw deflate (no header) of `repeat` copies of chunk[0..len), *crc and *total set. */
static inline ms_test_bytes tb_deflate_repeat(const void *chunk, size_t len, size_t repeat,
                                              uint32_t *crc, uint64_t *total)
{
    ms_test_bytes out = {0};
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        abort();
    }
    uLong c = crc32(0, Z_NULL, 0);
    uint8_t buf[65536];
    for (size_t i = 0; i <= repeat; i++) {
        int flush = i == repeat ? Z_FINISH : Z_NO_FLUSH;
        zs.next_in = (Bytef *)(uintptr_t)chunk;
        zs.avail_in = i == repeat ? 0 : (uInt)len;
        if (i < repeat) {
            c = crc32(c, chunk, (uInt)len);
        }
        do {
            zs.next_out = buf;
            zs.avail_out = sizeof(buf);
            int r = deflate(&zs, flush);
            if (r == Z_STREAM_ERROR) {
                abort();
            }
            tb_put(&out, buf, sizeof(buf) - zs.avail_out);
        } while (zs.avail_out == 0 || (flush == Z_FINISH && zs.avail_in > 0));
    }
    deflateEnd(&zs);
    *crc = (uint32_t)c;
    *total = (uint64_t)len * repeat;
    return out;
}

/* A gzip member around a raw deflate stream (RFC 1952 §2.3). */
static inline ms_test_bytes tb_gzip_wrap(const ms_test_bytes *raw, uint32_t crc, uint64_t total)
{
    ms_test_bytes g = {0};
    static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    tb_put(&g, hdr, sizeof(hdr));
    tb_put(&g, raw->data, raw->len);
    tb_u32(&g, crc);
    tb_u32(&g, (uint32_t)total);
    return g;
}

static inline ms_test_bytes tb_gzip(const void *data, size_t len)
{
    uint32_t crc;
    uint64_t total;
    ms_test_bytes raw = tb_deflate_repeat(data, len, 1, &crc, &total);
    ms_test_bytes g = tb_gzip_wrap(&raw, crc, total);
    free(raw.data);
    return g;
}

typedef struct tb_member {
    const char *name;
    const uint8_t *raw; /* deflated (method 8) or stored (method 0) bytes */
    size_t raw_len;
    uint16_t method;
    uint32_t crc;
    uint32_t declared_size; /* what the headers claim the member inflates to */
} tb_member;

/* A zip of the members, headers as declared. */
static inline ms_test_bytes tb_zip(const tb_member *m, size_t n)
{
    ms_test_bytes z = {0}, cd = {0};
    for (size_t i = 0; i < n; i++) {
        uint32_t off = (uint32_t)z.len;
        size_t nl = strlen(m[i].name);
        tb_u32(&z, 0x04034b50);
        tb_u16(&z, 20);
        tb_u16(&z, 0);
        tb_u16(&z, m[i].method);
        tb_u16(&z, 0);
        tb_u16(&z, 0x21);
        tb_u32(&z, m[i].crc);
        tb_u32(&z, (uint32_t)m[i].raw_len);
        tb_u32(&z, m[i].declared_size);
        tb_u16(&z, (uint32_t)nl);
        tb_u16(&z, 0);
        tb_put(&z, m[i].name, nl);
        tb_put(&z, m[i].raw, m[i].raw_len);
        tb_u32(&cd, 0x02014b50);
        tb_u16(&cd, 20);
        tb_u16(&cd, 20);
        tb_u16(&cd, 0);
        tb_u16(&cd, m[i].method);
        tb_u16(&cd, 0);
        tb_u16(&cd, 0x21);
        tb_u32(&cd, m[i].crc);
        tb_u32(&cd, (uint32_t)m[i].raw_len);
        tb_u32(&cd, m[i].declared_size);
        tb_u16(&cd, (uint32_t)nl);
        tb_u16(&cd, 0);
        tb_u16(&cd, 0);
        tb_u16(&cd, 0);
        tb_u16(&cd, 0);
        tb_u32(&cd, 0);
        tb_u32(&cd, off);
        tb_put(&cd, m[i].name, nl);
    }
    uint32_t cd_off = (uint32_t)z.len;
    tb_put(&z, cd.data, cd.len);
    tb_u32(&z, 0x06054b50);
    tb_u16(&z, 0);
    tb_u16(&z, 0);
    tb_u16(&z, (uint32_t)n);
    tb_u16(&z, (uint32_t)n);
    tb_u32(&z, (uint32_t)cd.len);
    tb_u32(&z, cd_off);
    tb_u16(&z, 0);
    free(cd.data);
    return z;
}

/* A stored member holding data. */
static inline tb_member tb_stored(const char *name, const void *data, size_t len)
{
    tb_member m = {name, data, len, 0, (uint32_t)crc32(0, data, (uInt)len), (uint32_t)len};
    return m;
}

#endif
