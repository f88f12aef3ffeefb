/* SPDX-License-Identifier: MIT */
/* Line splitting, errors and file reading for lib/milterconf (see lines.h). */
#include "milterconf/lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/str.h"

void ms__mc_lines_init(ms__mc_lines *it, const char *text, size_t len)
{
    it->text = text;
    it->len = text == NULL ? 0 : len;
    it->pos = 0;
    it->line = 0;
}

int ms__mc_next_line(ms__mc_lines *it, const char **s, size_t *n, const char **reason)
{
    if (it->pos >= it->len) {
        return 0;
    }
    it->line++;
    const char *start = it->text + it->pos;
    size_t rest = it->len - it->pos;
    const char *nl = memchr(start, '\n', rest);
    size_t raw = nl != NULL ? (size_t)(nl - start) : rest;
    it->pos += raw + (nl != NULL ? 1 : 0);
    if (raw > MS_LIMIT_MILTERCONF_LINE) {
        *reason = "line longer than MS_LIMIT_MILTERCONF_LINE bytes";
        return -1;
    }
    if (memchr(start, '\0', raw) != NULL) {
        *reason = "NUL byte in the line";
        return -1;
    }
    if (raw > 0 && start[raw - 1] == '\r') {
        raw--;
    }
    /* A '#' at the start or after white space begins a comment (opendkim.conf(5)). */
    for (size_t i = 0; i < raw; i++) {
        if (start[i] == '#' && (i == 0 || ms__is_space(start[i - 1]))) {
            raw = i;
            break;
        }
    }
    size_t b = 0;
    while (b < raw && ms__is_space(start[b])) {
        b++;
    }
    while (raw > b && (ms__is_space(start[raw - 1]) || start[raw - 1] == '\r')) {
        raw--;
    }
    *s = start + b;
    *n = raw - b;
    return 1;
}

bool ms__mc_token(const char *s, size_t len, size_t *pos, bool commas, const char **tok, size_t *tn)
{
    size_t i = *pos;
    while (i < len && (ms__is_space(s[i]) || (commas && s[i] == ','))) {
        i++;
    }
    if (i >= len) {
        *pos = i;
        return false;
    }
    size_t b = i;
    while (i < len && !ms__is_space(s[i]) && !(commas && s[i] == ',')) {
        i++;
    }
    *tok = s + b;
    *tn = i - b;
    *pos = i;
    return true;
}

void ms__mc_escape(char *out, size_t size, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (size == 0) {
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            if (o + 1 >= size) {
                break;
            }
            out[o++] = (char)c;
        } else {
            if (o + 4 >= size) {
                break;
            }
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

ms_status ms__mc_fail(ms_milterconf_error *err, ms_status st, const char *file, unsigned line,
                      const char *reason, const char *detail, size_t dlen)
{
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
        ms__mc_escape(err->file, sizeof(err->file), file ? file : "config",
                      strlen(file ? file : "config"));
        err->line = line;
        err->reason = reason;
        if (detail != NULL) {
            ms__mc_escape(err->detail, sizeof(err->detail), detail, dlen);
        }
    }
    return st;
}

void ms_milterconf_error_format(const ms_milterconf_error *err, char *buf, size_t size)
{
    if (size == 0) {
        return;
    }
    const char *reason = err->reason ? err->reason : "no error";
    if (err->line > 0) {
        snprintf(buf, size, "%s:%u: %s%s%s%s", err->file, err->line, reason,
                 err->detail[0] ? " (" : "", err->detail, err->detail[0] ? ")" : "");
    } else {
        snprintf(buf, size, "%s: %s%s%s%s", err->file, reason, err->detail[0] ? " (" : "",
                 err->detail, err->detail[0] ? ")" : "");
    }
}

ms_status ms__mc_read_file(const char *path, size_t cap, const char *what, char **out, size_t *len,
                           ms_milterconf_error *err)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return ms__mc_fail(err, MS_EIO, path, 0,
                           errno == ENOENT   ? "file not found"
                           : errno == EACCES ? "file not readable (permission denied)"
                                             : "cannot open the file",
                           what, strlen(what));
    }
    char *buf = NULL;
    size_t size = 0, alloc = 0;
    ms_status st = MS_OK;
    for (;;) { /* ends at EOF, at an error or past cap */
        if (size == alloc) {
            if (alloc > cap) {
                st = ms__mc_fail(err, MS_ELIMIT, path, 0, "file larger than its limit", what,
                                 strlen(what));
                break;
            }
            size_t next = alloc ? alloc * 2 : 4096;
            if (next > cap + 1) {
                next = cap + 1;
            }
            char *bigger = realloc(buf, next);
            if (bigger == NULL) {
                st = ms__mc_fail(err, MS_ENOMEM, path, 0, "out of memory", what, strlen(what));
                break;
            }
            buf = bigger;
            alloc = next;
        }
        size_t n = fread(buf + size, 1, alloc - size, f);
        size += n;
        if (n == 0) {
            if (ferror(f)) {
                st = ms__mc_fail(err, MS_EIO, path, 0, "cannot read the file", what, strlen(what));
            }
            break;
        }
    }
    fclose(f);
    if (st != MS_OK) {
        if (buf != NULL) {
            volatile char *v = buf;
            for (size_t i = 0; i < size; i++) {
                v[i] = 0;
            }
        }
        free(buf);
        return st;
    }
    *out = buf;
    *len = size;
    return MS_OK;
}
