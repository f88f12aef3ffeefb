/* SPDX-License-Identifier: MIT */
/* RFC 3629 §4's table of well-formed byte sequences, read with the length bounded. */
#include "base/utf8.h"

size_t ms__utf8_seq(const char *p, size_t len)
{
    if (len == 0) {
        return 0;
    }
    const unsigned char *u = (const unsigned char *)p;
    unsigned char c = u[0];
    if (c < 0x80) {
        return 1;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range (RFC 3629 §4 table) */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogate */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80; /* no overlong */
        hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing past U+10FFFF */
    } else {
        return 0;
    }
    if (len < n || u[1] < lo || u[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (u[i] < 0x80 || u[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

bool ms__utf8_valid(const char *p, size_t len)
{
    for (size_t k = 0; k < len;) {
        size_t n = ms__utf8_seq(p + k, len - k);
        if (n == 0) {
            return false;
        }
        k += n;
    }
    return true;
}
