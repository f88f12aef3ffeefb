/* SPDX-License-Identifier: MIT */
/* Fuzzes DKIM canonicalization (RFC 6376 §3.4): the body canonicalized whole and in chunks of
 * a size taken from the input must give the same bytes, under the l= cap too; header fields of
 * any bytes canonicalize without reading past their end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dkim/canon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct digest {
    uint64_t hash; /* FNV-1a of everything written, so outputs compare without storing them */
    uint64_t len;
} digest;

static void sink(void *user, const void *p, size_t n)
{
    digest *d = user;
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        d->hash = (d->hash ^ b[i]) * 1099511628211u;
    }
    d->len += n;
}

static digest run(ms__dkim_canon_alg alg, const char *body, size_t len, size_t step, uint64_t limit)
{
    digest d = {14695981039346656037u, 0};
    ms__dkim_body_canon c;
    ms__dkim_body_init(&c, alg, limit, sink, &d);
    for (size_t i = 0; i < len; i += step) {
        ms__dkim_body_update(&c, body + i, len - i < step ? len - i : step);
    }
    ms__dkim_body_final(&c);
    if (c.hashed != d.len || c.hashed > c.total || c.hashed > limit) {
        abort();
    }
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    size_t step = (size_t)data[0] % 17 + 1;
    uint64_t limit = data[1] < 200 ? (uint64_t)data[1] * 3 : UINT64_MAX;
    const char *body = (const char *)data + 2;
    size_t len = size - 2;
    for (int r = 0; r < 2; r++) {
        ms__dkim_canon_alg alg = r ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE;
        digest whole = run(alg, body, len, len ? len : 1, limit);
        digest chunked = run(alg, body, len, step, limit);
        if (whole.hash != chunked.hash || whole.len != chunked.len) {
            abort();
        }
    }
    ms_arena *arena;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    for (int r = 0; r < 2; r++) {
        ms__buf b;
        ms__buf_init(&b, arena, 1u << 20);
        ms__dkim_canon_header(r ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE, body, len, r == 0, &b);
    }
    ms_arena_free(arena);
    return 0;
}
