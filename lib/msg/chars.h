/* SPDX-License-Identifier: MIT */
/* Character classes of RFC 5322 §3.2.3 (atext), §3.6.8 (ftext) and the UTF-8 of RFC 6532 §3.1
 * (RFC 3629 §4: no overlong forms, no surrogates, nothing past U+10FFFF). */
#ifndef MS_MSG_CHARS_H
#define MS_MSG_CHARS_H

#include <stdbool.h>
#include <stddef.h>

static inline bool ms__msg_is_wsp(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* ftext = %d33-57 / %d59-126: printable US-ASCII except ':' */
static inline bool ms__msg_is_ftext(unsigned char c)
{
    return c >= 33 && c <= 126 && c != ':';
}

/* atext without the UTF-8 extension: ALPHA DIGIT and !#$%&'*+-/=?^_`{|}~ */
static inline bool ms__msg_is_atext_ascii(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
        return true;
    default:
        return false;
    }
}

/* Length (2 to 4) of the well-formed UTF-8 sequence at s[0..len), or 0 when there is none. */
static inline size_t ms__msg_utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) {
            lo = 0xa0; /* overlong */
        } else if (c == 0xed) {
            hi = 0x9f; /* surrogates */
        }
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) {
            lo = 0x90; /* overlong */
        } else if (c == 0xf4) {
            hi = 0x8f; /* past U+10FFFF */
        }
    } else {
        return 0;
    }
    if (len < n || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return n;
}

#endif
