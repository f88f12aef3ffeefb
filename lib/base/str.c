/* SPDX-License-Identifier: MIT */
/* ASCII helpers (see str.h). */
#include <string.h>

#include "base/str.h"

bool ms__str_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen) {
        return false;
    }
    for (size_t i = 0; i < alen; i++) {
        if (ms__lower(a[i]) != ms__lower(b[i])) {
            return false;
        }
    }
    return true;
}

bool ms__str_iprefix(const char *s, size_t len, const char *prefix)
{
    size_t i = 0;
    for (; prefix[i] != '\0'; i++) {
        if (i >= len || ms__lower(s[i]) != ms__lower(prefix[i])) {
            return false;
        }
    }
    return true;
}

bool ms__parse_uint(const char *s, size_t len, unsigned long max, unsigned long *value,
                    size_t *used)
{
    unsigned long v = 0;
    size_t i = 0;
    while (i < len && ms__is_digit(s[i])) {
        unsigned long d = (unsigned long)(s[i] - '0');
        if (v > (max - d) / 10) {
            return false;
        }
        v = v * 10 + d;
        i++;
    }
    if (i == 0) {
        return false;
    }
    *value = v;
    *used = i;
    return true;
}

const char *ms__mem_find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0) {
        return hay;
    }
    for (size_t i = 0; i + nlen <= hlen; i++) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0) {
            return hay + i;
        }
    }
    return NULL;
}
