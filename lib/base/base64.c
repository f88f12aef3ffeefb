/* SPDX-License-Identifier: MIT */
/* Base64, RFC 4648 §4: encoder, and a strict decoder that may skip FWS inside the data as DKIM
 * tag values allow (RFC 6376 §3.5 b= and bh=, §3.6.1 p=). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/base64.h"

static const char ALPHABET[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ms__base64_encoded_len(size_t len)
{
    size_t quanta = len / 3 + (len % 3 != 0);
    if (quanta > SIZE_MAX / 4) {
        return SIZE_MAX;
    }
    return quanta * 4;
}

size_t ms__base64_decoded_max(size_t len)
{
    return len / 4 * 3 + (len % 4 > 1 ? len % 4 - 1 : 0);
}

ms_status ms__base64_encode(const uint8_t *in, size_t len, char *out, size_t out_size,
                            size_t *out_len)
{
    size_t need = ms__base64_encoded_len(len);
    if (out_len != NULL) {
        *out_len = 0;
    }
    if (need == SIZE_MAX || out == NULL || out_size <= need) {
        return MS_ELIMIT;
    }
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = ALPHABET[(v >> 6) & 63];
        out[o++] = ALPHABET[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = ALPHABET[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    if (out_len != NULL) {
        *out_len = o;
    }
    return MS_OK;
}

/* 1 + the value of each alphabet byte (RFC 4648 §4, Table 1); 0 for every other byte. */
static const uint8_t VALUE[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* The 6-bit value of an alphabet character, or -1. */
static int value_of(unsigned char c)
{
    return (int)VALUE[c] - 1;
}

static bool is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static ms_status fail(ms__base64_error *err, ms_status st, size_t offset, const char *reason)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
    }
    return st;
}

static bool put(uint8_t *out, size_t out_cap, size_t *o, uint8_t byte)
{
    if (*o >= out_cap) {
        return false;
    }
    out[(*o)++] = byte;
    return true;
}

#define TOO_LONG "decoded data longer than its cap (design.md section 5, RFC 4648 §4)"

ms_status ms__base64_decode(const char *in, size_t len, unsigned flags, uint8_t *out,
                            size_t out_cap, size_t *out_len, ms__base64_error *err)
{
    uint32_t acc = 0;   /* bits of the current quantum */
    unsigned n = 0;     /* alphabet characters in the current quantum */
    unsigned n_pad = 0; /* '=' seen */
    size_t o = 0, last_data = 0;
    *out_len = 0;
    for (size_t i = 0; i < len; i++) {
        /* Fast path: a whole quantum of four alphabet characters (most of any value). */
        if (n == 0 && n_pad == 0 && len - i >= 4 && out_cap - o >= 3) {
            unsigned a = VALUE[(unsigned char)in[i]], b = VALUE[(unsigned char)in[i + 1]];
            unsigned c2 = VALUE[(unsigned char)in[i + 2]], d = VALUE[(unsigned char)in[i + 3]];
            if (a != 0 && b != 0 && c2 != 0 && d != 0) {
                uint32_t q = (a - 1) << 18 | (b - 1) << 12 | (c2 - 1) << 6 | (d - 1);
                out[o++] = (uint8_t)(q >> 16);
                out[o++] = (uint8_t)(q >> 8);
                out[o++] = (uint8_t)q;
                last_data = i + 3;
                i += 3;
                continue;
            }
        }
        char c = in[i];
        if (is_fws(c)) {
            if (flags & MS__BASE64_SKIP_FWS) {
                continue;
            }
            return fail(err, MS_ESYNTAX, i, "whitespace inside base64 data (RFC 4648 §3.3)");
        }
        if (c == '=') {
            if (n_pad == 0 && n == 0) {
                return fail(err, MS_ESYNTAX, i,
                            "padding '=' where a 4-character quantum starts (RFC 4648 §4)");
            }
            if (n_pad == 0 && n == 1) {
                return fail(err, MS_ESYNTAX, i,
                            "padding '=' after one character: a quantum needs at least two "
                            "(RFC 4648 §4)");
            }
            n_pad++;
            if (n + n_pad > 4) {
                return fail(err, MS_ESYNTAX, i,
                            "too much padding: '=' past the end of the quantum (RFC 4648 §4)");
            }
            continue;
        }
        int v = value_of((unsigned char)c);
        if (v < 0) {
            return fail(err, MS_ESYNTAX, i, "byte outside the base64 alphabet (RFC 4648 §4)");
        }
        if (n_pad > 0) {
            return fail(err, MS_ESYNTAX, i, "data after the padding (RFC 4648 §3.3)");
        }
        acc = acc << 6 | (uint32_t)v;
        last_data = i;
        if (++n == 4) {
            if (!put(out, out_cap, &o, (uint8_t)(acc >> 16)) ||
                !put(out, out_cap, &o, (uint8_t)(acc >> 8)) ||
                !put(out, out_cap, &o, (uint8_t)acc)) {
                return fail(err, MS_ELIMIT, i, TOO_LONG);
            }
            acc = 0;
            n = 0;
        }
    }
    if (n_pad > 0 && n + n_pad != 4) {
        return fail(err, MS_ESYNTAX, len,
                    "padding cut short: the last quantum needs one more '=' (RFC 4648 §4)");
    }
    if (n_pad == 0 && n != 0) {
        return fail(err, MS_ESYNTAX, len,
                    n == 1 ? "data ends one character into a quantum (RFC 4648 §4)"
                           : "data ends inside a quantum: '=' padding missing (RFC 4648 §3.2)");
    }
    if (n == 2) {
        if (acc & 0xF) {
            return fail(err, MS_ESYNTAX, last_data,
                        "non-zero bits after the last byte, before the padding (RFC 4648 §3.5)");
        }
        if (!put(out, out_cap, &o, (uint8_t)(acc >> 4))) {
            return fail(err, MS_ELIMIT, last_data, TOO_LONG);
        }
    } else if (n == 3) {
        if (acc & 0x3) {
            return fail(err, MS_ESYNTAX, last_data,
                        "non-zero bits after the last byte, before the padding (RFC 4648 §3.5)");
        }
        if (!put(out, out_cap, &o, (uint8_t)(acc >> 10)) ||
            !put(out, out_cap, &o, (uint8_t)(acc >> 2))) {
            return fail(err, MS_ELIMIT, last_data, TOO_LONG);
        }
    }
    *out_len = o;
    return MS_OK;
}
