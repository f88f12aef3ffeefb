/* SPDX-License-Identifier: MIT */
/* Domain checks (RFC 5321 §4.1.2, RFC 1035 §2.3.4), A-labels via libidn2 (RFC 5890, RFC 6532
 * §3.2), and RFC 2047 §2-§4 encoded-words decoded only to look for a hidden address. */
#include <idn2.h>
#include <stdint.h>
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "mailseal/msg.h"
#include "msg/domain.h"

const char *ms__msg_hostname_invalid(const char *d, size_t len)
{
    if (len == 0) {
        return "empty domain (RFC 5321 §4.1.2)";
    }
    if (len > MS_LIMIT_DNS_NAME) {
        return "domain longer than 253 octets (RFC 1035 §2.3.4)";
    }
    size_t label = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || d[i] == '.') {
            if (label == 0) {
                return "empty label in the domain (RFC 5321 §4.1.2)";
            }
            if (d[i - 1] == '-' || d[i - label] == '-') {
                return "a domain label starts or ends with '-' (RFC 5321 §4.1.2)";
            }
            label = 0;
            continue;
        }
        if (!(ms__is_alnum(d[i]) || d[i] == '-' || d[i] == '_')) {
            return "a domain holds a character that is not a letter, digit or '-' "
                   "(RFC 5321 §4.1.2)";
        }
        if (++label > MS_LIMIT_DNS_LABEL) {
            return "domain label longer than 63 octets (RFC 1035 §2.3.4)";
        }
    }
    return NULL;
}

ms_status ms__msg_domain_alabel(const char *domain, ms_arena *arena, const char **out,
                                const char **why)
{
    *out = NULL;
    *why = NULL;
    char *ascii = NULL;
    /* Strict IDNA2008 (RFC 5891 §5): no UTS #46 mapping, which would silently drop U+200B or
     * a soft hyphen and fold full-width letters ("legitimate\u200b.t" would become
     * "legitimate.t", bad-inputs DMARC-17). Upper-case U-labels are refused likewise. */
    int rc =
        idn2_lookup_u8((const uint8_t *)domain, (uint8_t **)&ascii, IDN2_NFC_INPUT | IDN2_NO_TR46);
    if (rc != IDN2_OK) {
        *why = rc == IDN2_MALLOC ? NULL
                                 : "internationalised domain that does not convert to A-labels "
                                   "(RFC 5891 §4, RFC 6532 §3.2)";
        return rc == IDN2_MALLOC ? MS_ENOMEM : MS_ESYNTAX;
    }
    *out = ms_arena_strdup(arena, ascii);
    idn2_free(ascii);
    if (*out == NULL) {
        ms_status st = ms_arena_status(arena);
        return st == MS_OK ? MS_ENOMEM : st;
    }
    return MS_OK;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    return c == '/' ? 63 : -1;
}

static int hex_value(char c)
{
    if (ms__is_digit(c)) {
        return c - '0';
    }
    char l = ms__lower(c);
    return (l >= 'a' && l <= 'f') ? l - 'a' + 10 : -1;
}

/* Watches a byte stream for '@', U+FF20 FULLWIDTH COMMERCIAL AT (EF BC A0) or U+FE6B SMALL
 * COMMERCIAL AT (EF B9 AB) in UTF-8. */
typedef struct at_watch {
    unsigned char prev[2];
    bool seen;
} at_watch;

static void watch(at_watch *w, unsigned char c)
{
    if (c == '@' || (w->prev[0] == 0xef &&
                     ((w->prev[1] == 0xbc && c == 0xa0) || (w->prev[1] == 0xb9 && c == 0xab)))) {
        w->seen = true;
    }
    w->prev[0] = w->prev[1];
    w->prev[1] = c;
}

static bool has_at(const char *s, size_t len)
{
    at_watch w = {{0, 0}, false};
    for (size_t i = 0; i < len; i++) {
        watch(&w, (unsigned char)s[i]);
    }
    return w.seen;
}

/* Does the encoded-text of one encoded-word ("B" or "Q", RFC 2047 §4) decode to bytes holding
 * an '@'? Decoding stops at the first byte that does not decode; nothing is stored. */
static bool decoded_has_at(char enc, const char *t, size_t len)
{
    at_watch w = {{0, 0}, false};
    if (enc == 'b') {
        unsigned acc = 0;
        int bits = 0;
        for (size_t i = 0; i < len; i++) {
            int v = b64_value(t[i]);
            if (v < 0) {
                break;
            }
            acc = ((acc << 6) | (unsigned)v) & 0xffffu;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                watch(&w, (unsigned char)((acc >> bits) & 0xffu));
            }
        }
        return w.seen;
    }
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '_') {
            watch(&w, ' ');
        } else if (t[i] == '=' && i + 2 < len && hex_value(t[i + 1]) >= 0 &&
                   hex_value(t[i + 2]) >= 0) {
            watch(&w, (unsigned char)(hex_value(t[i + 1]) * 16 + hex_value(t[i + 2])));
            i += 2;
        } else {
            watch(&w, (unsigned char)t[i]);
        }
    }
    return w.seen;
}

unsigned ms__msg_display_flags(const char *s, size_t len)
{
    unsigned flags = has_at(s, len) ? MS_MSG_ADDR_DISPLAY_AT : 0;
    /* encoded-word = "=?" charset "?" encoding "?" encoded-text "?=" (RFC 2047 §2). */
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] != '=' || s[i + 1] != '?') {
            continue;
        }
        const char *q1 = memchr(s + i + 2, '?', len - i - 2);
        if (q1 == NULL || (size_t)(q1 - s) + 3 >= len || q1[2] != '?') {
            continue;
        }
        char enc = ms__lower(q1[1]);
        const char *text = q1 + 3;
        const char *end = ms__mem_find(text, len - (size_t)(text - s), "?=", 2);
        if ((enc != 'b' && enc != 'q') || end == NULL) {
            continue;
        }
        flags |= MS_MSG_ADDR_DISPLAY_ENCODED;
        if (decoded_has_at(enc, text, (size_t)(end - text))) {
            flags |= MS_MSG_ADDR_DISPLAY_AT;
        }
        i = (size_t)(end - s) + 1;
    }
    return flags;
}
