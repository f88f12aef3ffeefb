/* SPDX-License-Identifier: MIT */
/* Reads the deliberate-difference lists of the conformance drivers (see deliberate.h). */
#include <stdio.h>
#include <string.h>

#include "deliberate.h"

void deliberate_load(const char *path, deliberate *d)
{
    d->n = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f == NULL) {
        return;
    }
    char id[sizeof(d->ids[0])];
    size_t len = 0;
    bool at_start = true, in_id = true, is_comment = false;
    int c;
    /* Byte by byte: justifications are long lines, only the first word matters. */
    while ((c = fgetc(f)) != EOF) {
        if (c == '\n') {
            if (!is_comment && len > 0 && d->n < DELIBERATE_MAX) {
                memcpy(d->ids[d->n], id, len);
                d->ids[d->n++][len] = '\0';
            }
            len = 0;
            at_start = in_id = true;
            is_comment = false;
            continue;
        }
        if (at_start && c == '#') {
            is_comment = true;
        }
        at_start = false;
        if (c == ' ' || c == '\t') {
            in_id = false;
        } else if (in_id && !is_comment && len + 1 < sizeof(id)) {
            id[len++] = (char)c;
        }
    }
    if (!is_comment && len > 0 && d->n < DELIBERATE_MAX) {
        memcpy(d->ids[d->n], id, len);
        d->ids[d->n++][len] = '\0';
    }
    fclose(f);
}

bool deliberate_has(const deliberate *d, const char *id)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strcmp(d->ids[i], id) == 0) {
            return true;
        }
    }
    return false;
}
