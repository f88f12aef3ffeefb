/* SPDX-License-Identifier: MIT */
/* A small, lenient MIME toolkit for report mail: header blocks (RFC 5322 §2.2, §2.2.3
 * unfolding), Content-Type and its parameters (RFC 2045 §5.1, RFC 2231 continuations are not
 * needed by reporters and are read as plain names), multipart bodies (RFC 2046 §5.1.1) and
 * the base64 / quoted-printable transfer encodings (RFC 2045 §6.7, §6.8). Reports come from
 * anyone, so every loop is bounded by the input and every output by a cap; nothing here trusts
 * a NUL terminator. */
#include <string.h>

#include "base/str.h"
#include "report/internal.h"

void ms__mime_split(const char *p, size_t len, ms__mime_entity *e)
{
    e->header = p;
    e->header_len = len;
    e->body = p + len;
    e->body_len = 0;
    /* a leading empty line: no header at all */
    if (len >= 1 && p[0] == '\n') {
        e->header_len = 0;
        e->body = p + 1;
        e->body_len = len - 1;
        return;
    }
    if (len >= 2 && p[0] == '\r' && p[1] == '\n') {
        e->header_len = 0;
        e->body = p + 2;
        e->body_len = len - 2;
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '\n') {
            continue;
        }
        size_t j = i + 1;
        if (j < len && p[j] == '\r') {
            j++;
        }
        if (j < len && p[j] == '\n') {
            e->header_len = i + 1;
            e->body = p + j + 1;
            e->body_len = len - j - 1;
            return;
        }
    }
}

bool ms__mime_next_field(const char *hdr, size_t len, size_t *pos, ms__mime_field *f)
{
    size_t i = *pos;
    while (i < len) {
        /* one logical line: up to a line end not followed by WSP */
        size_t start = i, end = i;
        while (end < len) {
            if (hdr[end] == '\n' &&
                !(end + 1 < len && (hdr[end + 1] == ' ' || hdr[end + 1] == '\t'))) {
                break;
            }
            end++;
        }
        size_t next = end < len ? end + 1 : end;
        size_t colon = start;
        while (colon < end && hdr[colon] != ':' && hdr[colon] != '\n') {
            colon++;
        }
        i = next;
        if (colon >= end || hdr[colon] != ':' || colon == start) {
            continue; /* not a field (an mbox "From " line, garbage) */
        }
        size_t name_end = colon;
        while (name_end > start && ms__is_space(hdr[name_end - 1])) {
            name_end--;
        }
        size_t v = colon + 1;
        while (v < end && (hdr[v] == ' ' || hdr[v] == '\t')) {
            v++;
        }
        size_t v_end = end;
        if (v_end > v && hdr[v_end - 1] == '\r') {
            v_end--;
        }
        f->name = hdr + start;
        f->name_len = name_end - start;
        f->value = hdr + v;
        f->value_len = v_end > v ? v_end - v : 0;
        *pos = i;
        return true;
    }
    *pos = i;
    return false;
}

size_t ms__mime_unfold(const char *value, size_t len, char *out, size_t out_size)
{
    size_t n = 0;
    if (out_size == 0) {
        return 0;
    }
    for (size_t i = 0; i < len && n + 1 < out_size; i++) {
        char c = value[i];
        if (c == '\r' || c == '\n' || (n == 0 && (c == ' ' || c == '\t'))) {
            continue;
        }
        out[n++] = c == '\t' ? ' ' : c;
    }
    while (n > 0 && out[n - 1] == ' ') {
        n--;
    }
    out[n] = '\0';
    return n;
}

bool ms__mime_header(const char *hdr, size_t len, const char *name, char *out, size_t out_size)
{
    size_t pos = 0;
    ms__mime_field f;
    size_t nlen = strlen(name);
    while (ms__mime_next_field(hdr, len, &pos, &f)) {
        if (ms__str_ieq(f.name, f.name_len, name, nlen)) {
            ms__mime_unfold(f.value, f.value_len, out, out_size);
            return true;
        }
    }
    if (out_size > 0) {
        out[0] = '\0';
    }
    return false;
}

void ms__mime_type(const char *ctype, char *out, size_t out_size)
{
    size_t n = 0;
    const char *p = ctype;
    while (*p == ' ') {
        p++;
    }
    while (*p != '\0' && *p != ';' && *p != ' ' && n + 1 < out_size) {
        out[n++] = ms__lower(*p++);
    }
    if (out_size > 0) {
        out[n] = '\0';
    }
}

bool ms__mime_param(const char *value, const char *param, char *out, size_t out_size)
{
    size_t plen = strlen(param);
    const char *p = value;
    bool in_quote = false;
    if (out_size > 0) {
        out[0] = '\0';
    }
    while (*p != '\0') {
        if (*p == '"') {
            in_quote = !in_quote;
            p++;
            continue;
        }
        if (in_quote || *p != ';') {
            p++;
            continue;
        }
        p++; /* after ';' */
        while (*p == ' ') {
            p++;
        }
        const char *name = p;
        while (*p != '\0' && *p != '=' && *p != ';' && *p != ' ') {
            p++;
        }
        size_t name_len = (size_t)(p - name);
        while (*p == ' ') {
            p++;
        }
        if (*p != '=') {
            continue;
        }
        p++;
        while (*p == ' ') {
            p++;
        }
        bool match = ms__str_ieq(name, name_len, param, plen);
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (*p != '\0' && *p != '"') {
                if (*p == '\\' && p[1] != '\0') {
                    p++;
                }
                if (match && n + 1 < out_size) {
                    out[n++] = *p;
                }
                p++;
            }
            if (*p == '"') {
                p++;
            }
        } else {
            while (*p != '\0' && *p != ';' && *p != ' ') {
                if (match && n + 1 < out_size) {
                    out[n++] = *p;
                }
                p++;
            }
        }
        if (match) {
            if (out_size > 0) {
                out[n] = '\0';
            }
            return true;
        }
    }
    return false;
}

/* Is there a boundary line "--b" at p (at a line start), and is it the closing one? */
static bool boundary_at(const char *body, size_t len, size_t i, const char *b, size_t blen,
                        bool *closing, size_t *line_end)
{
    if (len - i < blen + 2 || body[i] != '-' || body[i + 1] != '-' ||
        memcmp(body + i + 2, b, blen) != 0) {
        return false;
    }
    size_t j = i + 2 + blen;
    *closing = len - j >= 2 && body[j] == '-' && body[j + 1] == '-';
    if (*closing) {
        j += 2;
    }
    /* transport padding (RFC 2046 §5.1.1), then the line end */
    while (j < len && (body[j] == ' ' || body[j] == '\t' || body[j] == '\r')) {
        j++;
    }
    if (j < len && body[j] != '\n') {
        return false; /* "--boundaryX": a longer line, not this boundary */
    }
    *line_end = j < len ? j + 1 : j;
    return true;
}

ms_status ms__mime_parts(const char *body, size_t len, const char *boundary, size_t max_parts,
                         ms__mime_part_fn fn, void *user)
{
    size_t blen = strlen(boundary);
    if (blen == 0) {
        return MS_ESYNTAX;
    }
    size_t n_parts = 0;
    const char *part = NULL; /* start of the current part, after its boundary line */
    size_t i = 0;
    while (i < len) {
        bool closing = false;
        size_t line_end = 0;
        if (boundary_at(body, len, i, boundary, blen, &closing, &line_end)) {
            if (part != NULL) {
                /* the line end before the boundary belongs to it (RFC 2046 §5.1.1) */
                size_t end = i;
                if (end > (size_t)(part - body) && body[end - 1] == '\n') {
                    end--;
                    if (end > (size_t)(part - body) && body[end - 1] == '\r') {
                        end--;
                    }
                }
                if (n_parts >= max_parts) {
                    return MS_ELIMIT;
                }
                n_parts++;
                ms_status st = fn(user, part, end - (size_t)(part - body));
                if (st != MS_OK) {
                    return st;
                }
            }
            if (closing) {
                return MS_OK;
            }
            part = body + line_end;
            i = line_end;
            continue;
        }
        const char *nl = memchr(body + i, '\n', len - i);
        if (nl == NULL) {
            break;
        }
        i = (size_t)(nl - body) + 1;
    }
    /* no closing boundary: a truncated message; the last part runs to the end */
    if (part != NULL && (size_t)(part - body) < len) {
        if (n_parts >= max_parts) {
            return MS_ELIMIT;
        }
        return fn(user, part, len - (size_t)(part - body));
    }
    return MS_OK;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (unsigned char)ms__lower((char)c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

ms_status ms__mime_decode(const char *body, size_t len, const char *cte, size_t cap,
                          ms_arena *arena, const uint8_t **out, size_t *out_len)
{
    char enc[32];
    ms__mime_type(cte != NULL ? cte : "", enc, sizeof(enc));
    bool b64 = strcmp(enc, "base64") == 0;
    bool qp = strcmp(enc, "quoted-printable") == 0;
    if (!b64 && !qp) {
        if (len > cap) {
            return MS_ELIMIT;
        }
        *out = (const uint8_t *)body;
        *out_len = len;
        return MS_OK;
    }
    size_t max = b64 ? len / 4 * 3 + 3 : len;
    if (max > cap) {
        max = cap + 1; /* enough to notice passing the cap */
    }
    uint8_t *buf = ms_arena_alloc(arena, max ? max : 1);
    if (buf == NULL) {
        ms_status st = ms_arena_status(arena);
        return st == MS_OK ? MS_ENOMEM : st;
    }
    size_t n = 0;
    if (b64) {
        /* RFC 2045 §6.8: characters outside the alphabet are ignored; '=' ends the data */
        uint32_t acc = 0;
        unsigned bits = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)body[i];
            if (c == '=') {
                break;
            }
            int v = b64_value(c);
            if (v < 0) {
                continue;
            }
            acc = (acc << 6) | (uint32_t)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                if (n >= cap || n >= max) {
                    return MS_ELIMIT;
                }
                buf[n++] = (uint8_t)(acc >> bits);
                acc &= (1u << bits) - 1u;
            }
        }
    } else {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)body[i];
            if (c == '=') {
                /* soft line break: "=" then optional white space, then the line end */
                size_t j = i + 1;
                while (j < len && (body[j] == ' ' || body[j] == '\t')) {
                    j++;
                }
                if (j < len && (body[j] == '\r' || body[j] == '\n')) {
                    if (body[j] == '\r' && j + 1 < len && body[j + 1] == '\n') {
                        j++;
                    }
                    i = j;
                    continue;
                }
                if (i + 2 < len) {
                    int h = hex_value((unsigned char)body[i + 1]);
                    int l = hex_value((unsigned char)body[i + 2]);
                    if (h >= 0 && l >= 0) {
                        if (n >= cap) {
                            return MS_ELIMIT;
                        }
                        buf[n++] = (uint8_t)(h * 16 + l);
                        i += 2;
                        continue;
                    }
                }
                /* a lone "=": kept as is (RFC 2045 §6.7 note 1, robustness) */
            }
            if (n >= cap) {
                return MS_ELIMIT;
            }
            buf[n++] = c;
        }
    }
    *out = buf;
    *out_len = n;
    return MS_OK;
}
