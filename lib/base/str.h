/* SPDX-License-Identifier: MIT */
/* ASCII helpers that never look at the locale and never need a NUL terminator. */
#ifndef MS_BASE_STR_H
#define MS_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>

static inline char ms__lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}
static inline bool ms__is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool ms__is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static inline bool ms__is_alnum(char c)
{
    return ms__is_alpha(c) || ms__is_digit(c);
}
static inline bool ms__is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Case-insensitive (ASCII) equality of two byte ranges. */
bool ms__str_ieq(const char *a, size_t alen, const char *b, size_t blen);
/* Case-insensitive: does s[0..len) start with the NUL-terminated prefix? */
bool ms__str_iprefix(const char *s, size_t len, const char *prefix);
/* Parse a decimal number of at most max_digits digits from s[0..len); *used gets how many
 * bytes were read. false when there is no digit or the value passes max. */
bool ms__parse_uint(const char *s, size_t len, unsigned long max, unsigned long *value,
                    size_t *used);

/* First occurrence of needle in hay (both by length), or NULL. */
const char *ms__mem_find(const char *hay, size_t hlen, const char *needle, size_t nlen);

#endif
