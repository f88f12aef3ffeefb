/* SPDX-License-Identifier: MIT */
/* Quoted-strings and comment text for the header fields the library writes (see text.h). */
#include <stdbool.h>
#include <string.h>

#include "authres/text.h"
#include "base/str.h"

bool ms__authres_is_token(const char *s)
{
    if (*s == '\0') {
        return false;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c) != NULL) {
            return false;
        }
    }
    return true;
}

static bool is_atext(char c)
{
    return ms__is_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

bool ms__authres_is_dot_atom(const char *s)
{
    if (*s == '\0' || *s == '.') {
        return false;
    }
    char prev = '.';
    for (; *s; s++) {
        if (*s == '.' ? prev == '.' : !is_atext(*s)) {
            return false;
        }
        prev = *s;
    }
    return prev != '.';
}

void ms__authres_put_value(ms__buf *b, const char *s)
{
    if (ms__authres_is_token(s)) {
        ms__buf_puts(b, s);
    } else {
        ms__authres_put_quoted(b, s);
    }
}

void ms__authres_put_quoted(ms__buf *b, const char *s)
{
    ms__buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            ms__buf_putc(b, '\\');
            ms__buf_putc(b, (char)c);
        } else {
            ms__buf_putc(b, (c < 0x20 || c >= 0x7f) ? '?' : (char)c);
        }
    }
    ms__buf_putc(b, '"');
}

static bool parens_balanced(const char *s)
{
    int depth = 0;
    for (; *s; s++) {
        if (*s == '\\' && s[1] != '\0') {
            s++;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')' && --depth < 0) {
            return false;
        }
    }
    return depth == 0;
}

void ms__authres_put_comment(ms__buf *b, const char *s)
{
    bool keep_parens = parens_balanced(s);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == 0xc2 && (unsigned char)s[1] == 0xa7) {
            ms__buf_puts(b, "section ");
            s++;
        } else if (c == '\\' || ((c == '(' || c == ')') && !keep_parens)) {
            ms__buf_putc(b, '\\');
            ms__buf_putc(b, (char)c);
        } else if (c < 0x20 || c >= 0x7f) {
            ms__buf_putc(b, '?');
        } else {
            ms__buf_putc(b, (char)c);
        }
    }
}
