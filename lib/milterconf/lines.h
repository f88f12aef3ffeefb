/* SPDX-License-Identifier: MIT */
/* Shared by the config and table parsers of lib/milterconf: line splitting in the format of
 * opendkim.conf(5), errors, whole-file reading. */
#ifndef MS_MILTERCONF_LINES_H
#define MS_MILTERCONF_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/milterconf.h"

typedef struct ms__mc_lines {
    const char *text;
    size_t len, pos;
    unsigned line; /* of the line last returned, 1-based */
} ms__mc_lines;

void ms__mc_lines_init(ms__mc_lines *it, const char *text, size_t len);
/* 1: the next line in *s and *n, '#' comment and outer white space removed (may be empty);
 * 0: no more lines; -1: a bad line (too long, NUL byte): *reason says why. */
int ms__mc_next_line(ms__mc_lines *it, const char **s, size_t *n, const char **reason);
/* The next token of s[*pos..len) ending at white space (and at ',' when commas): false at end. */
bool ms__mc_token(const char *s, size_t len, size_t *pos, bool commas, const char **tok,
                  size_t *tn);
/* Fill err (may be NULL) and return st. */
ms_status ms__mc_fail(ms_milterconf_error *err, ms_status st, const char *file, unsigned line,
                      const char *reason, const char *detail, size_t dlen);
/* Escape bytes into out (printable ASCII kept, others \xNN), cut to fit, NUL-terminated. */
void ms__mc_escape(char *out, size_t size, const char *s, size_t len);
/* Read a whole file of at most cap bytes into a malloc'd buffer (*out, *len; free() it).
 * MS_EIO / MS_ELIMIT / MS_ENOMEM with err naming the file. what: "key file", "KeyTable". */
ms_status ms__mc_read_file(const char *path, size_t cap, const char *what, char **out, size_t *len,
                           ms_milterconf_error *err);

/* tables.c: the c= the KeyTable's signers are made with (before _load_keys). */
void ms__mc_keytable_set_canon(ms_milterconf_keytable *kt, ms_dkim_canon header,
                               ms_dkim_canon body);

#endif
