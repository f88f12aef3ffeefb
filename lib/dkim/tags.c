/* SPDX-License-Identifier: MIT */
/* DKIM tag=value lists, RFC 6376 §3.2, with folding whitespace (§2.8), base64string and
 * hyphenated-word (§2.10); the names of the public DKIM enums. */
#include <string.h>

#include "base/str.h"
#include "dkim/tags.h"

const char *ms_dkim_permfail_name(ms_dkim_permfail kind)
{
    switch (kind) {
#define MS_DKIM_PERMFAIL_NAME(name, text)                                                          \
    case MS_DKIM_PERMFAIL_##name:                                                                  \
        return #name;
        MS_DKIM_PERMFAIL_MAP(MS_DKIM_PERMFAIL_NAME)
#undef MS_DKIM_PERMFAIL_NAME
    }
    return "UNKNOWN";
}

const char *ms_dkim_permfail_str(ms_dkim_permfail kind)
{
    switch (kind) {
#define MS_DKIM_PERMFAIL_TEXT(name, text)                                                          \
    case MS_DKIM_PERMFAIL_##name:                                                                  \
        return text;
        MS_DKIM_PERMFAIL_MAP(MS_DKIM_PERMFAIL_TEXT)
#undef MS_DKIM_PERMFAIL_TEXT
    }
    return "unknown error";
}

const char *ms_dkim_result_name(ms_dkim_result result)
{
    switch (result) {
#define MS_DKIM_RESULT_TEXT(name, text)                                                            \
    case MS_DKIM_##name:                                                                           \
        return text;
        MS_DKIM_RESULT_MAP(MS_DKIM_RESULT_TEXT)
#undef MS_DKIM_RESULT_TEXT
    }
    return "unknown";
}

void ms__dkim_escape(const char *s, size_t len, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool is_plain = c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
        size_t need = is_plain ? 1 : 4;
        if (o + need >= size) {
            break;
        }
        if (is_plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0f];
        }
    }
    out[o] = '\0';
}

ms_status ms__dkim_fail(ms__dkim_error *err, ms_dkim_permfail kind, const char *tag, size_t offset,
                        const char *reason, const char *bytes, size_t len)
{
    if (err) {
        err->kind = kind;
        err->offset = offset;
        err->tag = tag;
        err->reason = reason;
        ms__dkim_escape(bytes, len, err->detail, sizeof(err->detail));
    }
    return MS_ESYNTAX;
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Skip FWS = [*WSP CRLF] 1*WSP (§2.8), several in a row. false with *pos at the CR or LF that
 * is not followed the way FWS needs. */
static bool skip_fws(const char *s, size_t len, size_t *pos)
{
    size_t p = *pos;
    while (p < len) {
        if (is_wsp(s[p])) {
            p++;
        } else if (s[p] == '\r' && p + 2 < len && s[p + 1] == '\n' && is_wsp(s[p + 2])) {
            p += 3;
        } else if (s[p] == '\r' || s[p] == '\n') {
            *pos = p;
            return false;
        } else {
            break;
        }
    }
    *pos = p;
    return true;
}

static bool is_valchar(unsigned char c)
{
    /* VALCHAR = %x21-3A / %x3C-7E; 8-bit bytes kept for the tag's own rules (§3.2 note). */
    return (c >= 0x21 && c <= 0x7e && c != ';') || c >= 0x80;
}

static const char *const BAD_FWS = "CR or LF not part of folding whitespace (RFC 6376 §2.8)";

ms_status ms__dkim_tags_parse(const char *text, size_t len, size_t max_tags,
                              ms_dkim_permfail kind_syntax, ms_arena *arena, ms__dkim_tags *out,
                              ms__dkim_error *err)
{
    out->n = 0;
    out->tags = NULL;
    /* At most one tag per ';' plus one: allocate once, no more than the cap allows. */
    size_t n_max = 1;
    for (size_t i = 0; i < len && n_max <= max_tags; i++) {
        if (text[i] == ';') {
            n_max++;
        }
    }
    if (n_max > max_tags) {
        n_max = max_tags;
    }
    ms__dkim_tag *tags = ms_arena_alloc(arena, n_max * sizeof(*tags));
    if (tags == NULL) {
        return ms_arena_status(arena);
    }
    size_t n = 0, pos = 0;
    for (;;) {
        if (!skip_fws(text, len, &pos)) {
            return ms__dkim_fail(err, kind_syntax, NULL, pos, BAD_FWS, text + pos, len - pos);
        }
        if (pos == len) {
            if (n == 0) {
                return ms__dkim_fail(err, kind_syntax, NULL, pos,
                                     "empty tag-list: at least one tag=value (RFC 6376 §3.2)", text,
                                     0);
            }
            break; /* after a trailing ';' (§3.2 tag-list) */
        }
        size_t name_off = pos;
        if (!ms__is_alpha(text[pos])) {
            return ms__dkim_fail(err, kind_syntax, NULL, pos,
                                 text[pos] == ';'
                                     ? "empty tag-spec between two ';' (RFC 6376 §3.2)"
                                     : "a tag name starts with a letter (RFC 6376 §3.2)",
                                 text + pos, len - pos);
        }
        while (pos < len && (ms__is_alnum(text[pos]) || text[pos] == '_')) {
            pos++; /* tag-name = ALPHA *ALNUMPUNC */
        }
        size_t name_len = pos - name_off;
        if (!skip_fws(text, len, &pos)) {
            return ms__dkim_fail(err, kind_syntax, NULL, pos, BAD_FWS, text + pos, len - pos);
        }
        if (pos == len || text[pos] != '=') {
            return ms__dkim_fail(err, kind_syntax, NULL, pos,
                                 "expected '=' after the tag name (RFC 6376 §3.2)", text + name_off,
                                 len - name_off);
        }
        pos++;
        if (!skip_fws(text, len, &pos)) {
            return ms__dkim_fail(err, kind_syntax, NULL, pos, BAD_FWS, text + pos, len - pos);
        }
        size_t value_off = pos, value_end = pos;
        while (pos < len && text[pos] != ';') {
            unsigned char c = (unsigned char)text[pos];
            if (is_wsp((char)c) || c == '\r' || c == '\n') {
                if (!skip_fws(text, len, &pos)) {
                    return ms__dkim_fail(err, kind_syntax, NULL, pos, BAD_FWS, text + pos,
                                         len - pos);
                }
            } else if (is_valchar(c)) {
                pos++;
                value_end = pos; /* WSP before ';' is not part of the value */
            } else {
                return ms__dkim_fail(err, kind_syntax, NULL, pos,
                                     "control character in a tag value (RFC 6376 §3.2 VALCHAR)",
                                     text + name_off, len - name_off);
            }
        }
        for (size_t k = 0; k < n; k++) {
            if (strlen(tags[k].name) == name_len &&
                memcmp(tags[k].name, text + name_off, name_len) == 0) {
                return ms__dkim_fail(err, kind_syntax, NULL, name_off,
                                     "duplicate tag: the whole tag-list is invalid (RFC 6376 §3.2)",
                                     text + name_off, name_len);
            }
        }
        if (n == max_tags) {
            return ms__dkim_fail(err, MS_DKIM_PERMFAIL_LIMIT, NULL, name_off,
                                 "too many tags: more than MS_LIMIT_DKIM_TAGS (RFC 6376 §3.2)",
                                 text + name_off, name_len);
        }
        ms__dkim_tag *t = &tags[n];
        t->name = ms_arena_strndup(arena, text + name_off, name_len);
        t->value = ms_arena_strndup(arena, text + value_off, value_end - value_off);
        if (t->name == NULL || t->value == NULL) {
            return ms_arena_status(arena);
        }
        t->name_off = name_off;
        t->value_off = value_off;
        t->value_len = value_end - value_off;
        t->end_off = pos;
        n++;
        if (pos == len) {
            break;
        }
        pos++; /* the ';' */
    }
    out->n = n;
    out->tags = tags;
    return MS_OK;
}

const ms__dkim_tag *ms__dkim_tags_find(const ms__dkim_tags *tags, const char *name)
{
    for (size_t i = 0; i < tags->n; i++) {
        if (strcmp(tags->tags[i].name, name) == 0) {
            return &tags->tags[i];
        }
    }
    return NULL;
}

char *ms__dkim_strip_fws(ms_arena *arena, const char *s, size_t len, size_t *out_len)
{
    char *out = ms_arena_alloc(arena, len + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (!ms__dkim_is_fws(s[i])) {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static bool is_alphadigitps(char c)
{
    return ms__is_alnum(c) || c == '+' || c == '/';
}

bool ms__dkim_base64_check(const char *s, size_t len, size_t *bad_off, const char **why)
{
    size_t n_chars = 0, n_pad = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (n_pad == 0 && is_alphadigitps(c)) {
            n_chars++; /* the common case first */
            continue;
        }
        if (ms__dkim_is_fws(c)) {
            continue;
        }
        if (c == '=') {
            if (n_chars == 0 || n_pad == 2) {
                *bad_off = i;
                *why = "misplaced '=' in base64 (RFC 6376 §2.10 base64string)";
                return false;
            }
            n_pad++;
        } else if (!is_alphadigitps(c)) {
            *bad_off = i;
            *why = "not a base64 character (RFC 6376 §2.10 base64string)";
            return false;
        } else if (n_pad > 0) {
            *bad_off = i;
            *why = "base64 data after '=' padding (RFC 6376 §2.10 base64string)";
            return false;
        } else {
            n_chars++;
        }
    }
    if (n_chars == 0) {
        *bad_off = 0;
        *why = "empty base64 value (RFC 6376 §2.10 base64string)";
        return false;
    }
    if ((n_chars + n_pad) % 4 != 0) {
        *bad_off = len;
        *why = "base64 length is not a multiple of 4 (RFC 2045 §6.8)";
        return false;
    }
    return true;
}

bool ms__dkim_is_hyphenated_word(const char *s, size_t len)
{
    if (len == 0 || !ms__is_alpha(s[0]) || !ms__is_alnum(s[len - 1])) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!ms__is_alnum(s[i]) && s[i] != '-') {
            return false;
        }
    }
    return true;
}

int ms__dkim_list_next(const char *s, size_t len, char sep, size_t *pos, const char **item,
                       size_t *item_len)
{
    size_t p = *pos;
    if (p > len) {
        return 0;
    }
    while (p < len && ms__dkim_is_fws(s[p])) {
        p++;
    }
    size_t start = p;
    while (p < len && s[p] != sep && !ms__dkim_is_fws(s[p])) {
        p++;
    }
    size_t end = p;
    while (p < len && ms__dkim_is_fws(s[p])) {
        p++;
    }
    if (end == start) {
        *pos = start; /* an empty item: "a::b", ":a", "a:" or nothing at all */
        return -1;
    }
    if (p < len && s[p] != sep) {
        *pos = p; /* whitespace inside an item */
        return -1;
    }
    *item = s + start;
    *item_len = end - start;
    *pos = p == len ? len + 1 : p + 1;
    return 1;
}
