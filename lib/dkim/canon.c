/* SPDX-License-Identifier: MIT */
/* DKIM canonicalization, RFC 6376 §3.4.1-§3.4.4. The body canonicalizer is a small state
 * machine over chunks: content is passed to the sink in runs, empty lines are counted and
 * written only when content follows (trailing ones are dropped), and relaxed white space is
 * written as one SP only when content follows it on the same line. */
#include <string.h>

#include "base/str.h"
#include "dkim/canon.h"

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

void ms__dkim_canon_header(ms__dkim_canon_alg alg, const char *raw, size_t len, bool with_crlf,
                           ms__buf *out)
{
    if (alg == MS__DKIM_SIMPLE) {
        size_t start = 0;
        for (size_t i = 0; i < len; i++) {
            if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
                ms__buf_append(out, raw + start, i - start);
                ms__buf_append(out, "\r\n", 2);
                start = i + 1;
            }
        }
        ms__buf_append(out, raw + start, len - start);
        /* The field's own final line end is written by with_crlf, not copied. */
        size_t cut = 0;
        if (out->status == MS_OK && out->len >= 2 && len > 0 && raw[len - 1] == '\n') {
            cut = 2;
        }
        out->len -= cut;
        if (out->data != NULL) {
            out->data[out->len] = '\0';
        }
        if (with_crlf) {
            ms__buf_append(out, "\r\n", 2);
        }
        return;
    }
    /* §3.4.2 relaxed: the name, lower case, without white space before the colon. */
    size_t colon = 0;
    while (colon < len && raw[colon] != ':') {
        colon++;
    }
    size_t name_end = colon;
    while (name_end > 0 && is_wsp(raw[name_end - 1])) {
        name_end--;
    }
    for (size_t i = 0; i < name_end; i++) {
        ms__buf_putc(out, ms__lower(raw[i]));
    }
    ms__buf_putc(out, ':');
    /* The value: unfolded (CR and LF dropped), runs of WSP one SP, none at either end. */
    bool pending_wsp = false, started = false;
    size_t run = colon + 1;
    for (size_t i = colon + 1; i <= len; i++) {
        char c = i < len ? raw[i] : '\0';
        bool special = i == len || c == '\r' || c == '\n' || is_wsp(c);
        if (!special) {
            if (pending_wsp && started) {
                ms__buf_putc(out, ' ');
            }
            pending_wsp = false;
            if (run == SIZE_MAX) {
                run = i;
            }
            continue;
        }
        if (run != SIZE_MAX && run < i) {
            ms__buf_append(out, raw + run, i - run); /* WSP before the first run is deleted */
            started = true;
        }
        run = SIZE_MAX;
        if (is_wsp(c)) {
            pending_wsp = true;
        }
    }
    if (with_crlf) {
        ms__buf_append(out, "\r\n", 2);
    }
}

void ms__dkim_body_init(ms__dkim_body_canon *c, ms__dkim_canon_alg alg, uint64_t limit,
                        ms__dkim_sink sink, void *user)
{
    memset(c, 0, sizeof(*c));
    c->alg = alg;
    c->limit = limit;
    c->sink = sink;
    c->user = user;
}

static void flush(ms__dkim_body_canon *c)
{
    if (c->out_len > 0) {
        c->sink(c->user, c->out, c->out_len);
        c->out_len = 0;
    }
}

static void emit(ms__dkim_body_canon *c, const char *p, size_t n)
{
    c->total += n;
    if (c->hashed >= c->limit || n == 0) {
        return;
    }
    uint64_t room = c->limit - c->hashed;
    size_t take = (uint64_t)n < room ? n : (size_t)room;
    c->hashed += take;
    if (take > sizeof(c->out) - c->out_len) {
        flush(c);
        if (take >= sizeof(c->out)) {
            c->sink(c->user, p, take); /* a long run goes straight through */
            return;
        }
    }
    memcpy(c->out + c->out_len, p, take);
    c->out_len += take;
}

/* Content is about to be written on the current line: first the held line ends, then (relaxed)
 * the one SP that stands for the white space before it. */
static void open_content(ms__dkim_body_canon *c)
{
    while (c->n_crlf > 0) {
        emit(c, "\r\n", 2);
        c->n_crlf--;
    }
    if (c->is_wsp) {
        emit(c, " ", 1);
        c->is_wsp = false;
    }
    c->is_line_open = true;
    c->has_content = true;
}

static void end_line(ms__dkim_body_canon *c)
{
    c->is_wsp = false; /* relaxed: white space at the end of a line is ignored */
    c->is_line_open = false;
    c->n_crlf++;
}

/* Bytes that end a run of ordinary content: CR and LF, and in relaxed mode SP and HTAB. */
static const bool STOP[2][256] = {
    {['\r'] = true, ['\n'] = true},
    {['\r'] = true, ['\n'] = true, [' '] = true, ['\t'] = true},
};

/* Word-at-a-time search for the next stop byte: a non-zero result has the high bit set in the
 * bytes of x equal to the byte repeated in `pattern` (the classic SWAR "has zero byte"). */
static inline uint64_t has_byte(uint64_t x, uint64_t pattern)
{
    uint64_t y = x ^ pattern;
    return (y - 0x0101010101010101u) & ~y & 0x8080808080808080u;
}

static size_t skip_content(const char *data, size_t i, size_t len, bool relaxed)
{
    const uint64_t cr = 0x0d0d0d0d0d0d0d0du, lf = 0x0a0a0a0a0a0a0a0au;
    const uint64_t sp = 0x2020202020202020u, tab = 0x0909090909090909u;
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, data + i, 8);
        uint64_t hit = has_byte(x, cr) | has_byte(x, lf);
        if (relaxed) {
            hit |= has_byte(x, sp) | has_byte(x, tab);
        }
        if (hit) {
            break;
        }
        i += 8;
    }
    while (i < len && !STOP[relaxed][(unsigned char)data[i]]) {
        i++;
    }
    return i;
}

void ms__dkim_body_update(ms__dkim_body_canon *c, const char *data, size_t len)
{
    bool relaxed = c->alg == MS__DKIM_RELAXED;
    size_t i = 0;
    if (c->is_cr && len > 0) {
        c->is_cr = false;
        if (data[0] == '\n') {
            end_line(c);
            i = 1;
        } else {
            open_content(c); /* a bare CR is content (it is not a line end) */
            emit(c, "\r", 1);
        }
    }
    while (i < len) {
        /* A run of ordinary bytes goes to the sink in one call. */
        size_t start = i;
        i = skip_content(data, i, len, relaxed);
        if (i > start) {
            open_content(c);
            emit(c, data + start, i - start);
        }
        if (i >= len) {
            break;
        }
        char ch = data[i++];
        if (ch == '\n') {
            end_line(c); /* CRLF, or a bare LF of a Unix file */
        } else if (ch == '\r') {
            if (i == len) {
                c->is_cr = true; /* decided by the next chunk */
            } else if (data[i] == '\n') {
                end_line(c);
                i++;
            } else {
                open_content(c);
                emit(c, "\r", 1);
            }
        } else {
            c->is_wsp = true; /* relaxed white space, written as one SP if content follows */
        }
    }
}

void ms__dkim_body_final(ms__dkim_body_canon *c)
{
    if (c->is_done) {
        return;
    }
    if (c->is_cr) {
        c->is_cr = false;
        open_content(c);
        emit(c, "\r", 1);
    }
    /* §3.4.3: simple turns an empty body into one CRLF; §3.4.4: relaxed leaves it empty.
     * Otherwise the last line gets its CRLF (added if the body did not end with one). */
    if (c->has_content || c->alg == MS__DKIM_SIMPLE) {
        emit(c, "\r\n", 2);
    }
    flush(c);
    c->is_done = true;
}
