/* SPDX-License-Identifier: MIT */
/* Well-formed UTF-8 (RFC 3629 §4): no overlong forms, no surrogates, nothing past U+10FFFF.
 * What the report parser, the store and the summary each need to tell UTF-8 from other bytes. */
#ifndef MS_BASE_UTF8_H
#define MS_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of the well-formed sequence at p[0..len) (1 for ASCII), 0 when there is none (also
 * when len is 0 or the sequence is cut short by len). */
size_t ms__utf8_seq(const char *p, size_t len);
/* Is p[0..len) all well-formed UTF-8? */
bool ms__utf8_valid(const char *p, size_t len);

#endif
