/* SPDX-License-Identifier: MIT */
/* The lists of deliberate differences beside each conformance driver: one test id per line,
 * then its justification (RFC text); '#' lines are comments. */
#ifndef MS_TEST_DELIBERATE_H
#define MS_TEST_DELIBERATE_H

#include <stdbool.h>
#include <stddef.h>

#define DELIBERATE_MAX 128

typedef struct deliberate {
    char ids[DELIBERATE_MAX][128];
    size_t n;
} deliberate;

/* A missing file (or NULL) is an empty list. */
void deliberate_load(const char *path, deliberate *d);
bool deliberate_has(const deliberate *d, const char *id);

#endif
