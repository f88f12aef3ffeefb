/* SPDX-License-Identifier: MIT */
/* DKIM canonicalization, RFC 6376 §3.4.1-§3.4.4. The body canonicalizer is a small state
 * machine over chunks: content is passed to the sink in runs, empty lines are counted and
 * written only when content follows (trailing ones are dropped), and relaxed white space is
 * written as one SP only when content follows it on the same line. */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    c->eol_at = SIZE_MAX;
    c->wsp_at = SIZE_MAX;
}

/* Runs shorter than this are copied into out rather than handed to the sink on their own. */
enum { SHORT_SPAN = 512 };

static void flush(ms__dkim_body_canon *c)
{
    if (c->out_len > 0) {
        c->sink(c->user, c->out, c->out_len);
        c->out_len = 0;
    }
}

/* The bytes of the l= budget (§3.5) that n more canonical bytes may use. */
static size_t take_of(ms__dkim_body_canon *c, size_t n)
{
    c->total += n;
    if (c->hashed >= c->limit || n == 0) {
        return 0;
    }
    uint64_t room = c->limit - c->hashed;
    size_t take = (uint64_t)n < room ? n : (size_t)room;
    c->hashed += take;
    return take;
}

/* Copy already counted bytes into out; a long run goes straight through. */
static void buffer(ms__dkim_body_canon *c, const char *p, size_t take)
{
    if (take > sizeof(c->out) - c->out_len) {
        flush(c);
        if (take >= sizeof(c->out)) {
            c->sink(c->user, p, take);
            return;
        }
    }
    memcpy(c->out + c->out_len, p, take);
    c->out_len += take;
}

/* The pending run of input goes out: short ones through out, long ones uncopied. */
static void flush_span(ms__dkim_body_canon *c)
{
    if (c->span_len == 0) {
        return;
    }
    if (c->span_len < SHORT_SPAN) {
        buffer(c, c->span, c->span_len);
    } else {
        flush(c);
        c->sink(c->user, c->span, c->span_len);
    }
    c->span_len = 0;
}

/* Canonical bytes that are not in the input as they are (a literal CRLF, SP or CR). */
static void emit(ms__dkim_body_canon *c, const char *p, size_t n)
{
    size_t take = take_of(c, n);
    if (take == 0) {
        return;
    }
    flush_span(c);
    buffer(c, p, take);
}

/* Canonical bytes that are input bytes of this update call: adjacent ones join the pending
 * run, so text that canonicalisation leaves alone reaches the sink in long runs, uncopied. */
static void emit_input(ms__dkim_body_canon *c, const char *p, size_t n)
{
    size_t take = take_of(c, n);
    if (take == 0) {
        return;
    }
    if (c->span_len > 0 && c->span + c->span_len == p) {
        c->span_len += take;
        return;
    }
    flush_span(c);
    c->span = p;
    c->span_len = take;
}

/* Content is about to be written on the current line (data: this update call's input): first the
 * held line ends, then (relaxed) the one SP that stands for the white space before it. Both are
 * taken from the input where it holds exactly them. */
static void open_content(ms__dkim_body_canon *c, const char *data)
{
    if (c->n_crlf > 0) {
        if (c->eol_at != SIZE_MAX) {
            emit_input(c, data + c->eol_at, (size_t)c->n_crlf * 2);
        } else {
            while (c->n_crlf > 0) {
                emit(c, "\r\n", 2);
                c->n_crlf--;
            }
        }
        c->n_crlf = 0;
        c->eol_at = SIZE_MAX;
    }
    if (c->is_wsp) {
        if (c->wsp_at != SIZE_MAX) {
            emit_input(c, data + c->wsp_at, 1);
        } else {
            emit(c, " ", 1);
        }
        c->is_wsp = false;
    }
    c->is_line_open = true;
    c->has_content = true;
}

/* A line end at data[at]: a CRLF (is_crlf) or a bare LF, or a CRLF split between two chunks
 * (at is SIZE_MAX). */
static void end_line(ms__dkim_body_canon *c, size_t at, bool is_crlf)
{
    c->is_wsp = false; /* relaxed: white space at the end of a line is ignored */
    c->is_line_open = false;
    if (!is_crlf || at == SIZE_MAX) {
        c->eol_at = SIZE_MAX;
    } else if (c->n_crlf == 0) {
        c->eol_at = at;
    } else if (c->eol_at != SIZE_MAX && at != c->eol_at + (size_t)c->n_crlf * 2) {
        c->eol_at = SIZE_MAX;
    }
    c->n_crlf++;
}

static inline bool is_eol_or_wsp(char ch)
{
    return ch == '\r' || ch == '\n' || ch == ' ' || ch == '\t';
}

#if !defined(__SSE2__)
/* Word-at-a-time search for the next stop byte: a non-zero result has the high bit set in the
 * bytes of x equal to the byte repeated in `pattern` (the classic SWAR "has zero byte"); the
 * fallback where SSE2 is not available. */
static inline uint64_t has_byte(uint64_t x, uint64_t pattern)
{
    uint64_t y = x ^ pattern;
    return (y - 0x0101010101010101u) & ~y & 0x8080808080808080u;
}
#endif

/* Simple: content runs to the next CR or LF. */
static size_t skip_simple(const char *data, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(data + i));
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (m != 0) {
            return i + (size_t)__builtin_ctz(m);
        }
        i += 16;
    }
#else
    const uint64_t cr = 0x0d0d0d0d0d0d0d0du, lf = 0x0a0a0a0a0a0a0a0au;
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, data + i, 8);
        if (has_byte(x, cr) | has_byte(x, lf)) {
            break;
        }
        i += 8;
    }
#endif
    while (i < len && data[i] != '\r' && data[i] != '\n') {
        i++;
    }
    return i;
}

/* Relaxed: content runs (from a byte that is not white space) to the next CR, LF or HTAB, or
 * to a SP that is not a lone SP between content (one followed by SP, HTAB, CR, LF or the end
 * of the chunk). A lone SP is its own canonical form (§3.4.4), so a line of words is one run.
 * Stopping earlier at a SP is always correct (the SP is then held and written as one SP), so
 * the vector loop stops at a SP whose next byte it has not looked at. */
static size_t skip_relaxed(const char *data, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    const __m128i tab = _mm_set1_epi8('\t'), sp = _mm_set1_epi8(' ');
    while (i + 32 <= len) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(data + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(data + i + 16));
        __m128i sa = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf)),
                                  _mm_cmpeq_epi8(a, tab));
        __m128i sb = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, lf)),
                                  _mm_cmpeq_epi8(b, tab));
        uint32_t s = (uint32_t)_mm_movemask_epi8(sa) | (uint32_t)_mm_movemask_epi8(sb) << 16;
        uint32_t p = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, sp)) |
                     (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, sp)) << 16;
        uint32_t next_stop = ((s | p) >> 1) | 0x80000000u; /* byte 32 unknown: stop */
        uint32_t stop = s | (p & next_stop);
        if (stop != 0) {
            return i + (size_t)__builtin_ctz(stop);
        }
        i += 32;
    }
#else
    const uint64_t cr = 0x0d0d0d0d0d0d0d0du, lf = 0x0a0a0a0a0a0a0a0au;
    const uint64_t sp = 0x2020202020202020u, tab = 0x0909090909090909u;
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, data + i, 8);
        if (has_byte(x, cr) | has_byte(x, lf) | has_byte(x, sp) | has_byte(x, tab)) {
            break;
        }
        i += 8;
    }
#endif
    for (; i < len; i++) {
        char ch = data[i];
        if (ch == '\r' || ch == '\n' || ch == '\t') {
            break;
        }
        if (ch == ' ' && (i + 1 == len || is_eol_or_wsp(data[i + 1]))) {
            break;
        }
    }
    return i;
}

void ms__dkim_body_update(ms__dkim_body_canon *c, const char *data, size_t len)
{
    bool relaxed = c->alg == MS__DKIM_RELAXED;
    size_t i = 0;
    /* Positions held from an earlier chunk point into bytes that are gone. */
    c->eol_at = SIZE_MAX;
    c->wsp_at = SIZE_MAX;
    c->span_len = 0;
    if (c->is_cr && len > 0) {
        c->is_cr = false;
        if (data[0] == '\n') {
            end_line(c, SIZE_MAX, true);
            i = 1;
        } else {
            open_content(c, data); /* a bare CR is content (it is not a line end) */
            emit(c, "\r", 1);
        }
    }
    while (i < len) {
        char ch = data[i];
        if (ch == '\n') {
            end_line(c, i, false); /* a bare LF of a Unix file */
            i++;
        } else if (ch == '\r') {
            if (i + 1 == len) {
                c->is_cr = true; /* decided by the next chunk */
                i++;
            } else if (data[i + 1] == '\n') {
                end_line(c, i, true);
                i += 2;
            } else {
                open_content(c, data); /* a bare CR is content */
                emit_input(c, data + i, 1);
                i++;
            }
        } else if (relaxed && (ch == ' ' || ch == '\t')) {
            /* relaxed white space, written as one SP if content follows */
            c->wsp_at = !c->is_wsp && ch == ' ' ? i : SIZE_MAX;
            c->is_wsp = true;
            i++;
        } else {
            /* A run of content goes out in one piece. */
            size_t start = i;
            i = relaxed ? skip_relaxed(data, i + 1, len) : skip_simple(data, i + 1, len);
            size_t n = i - start;
            if (c->n_crlf == 1 && !c->is_wsp && c->eol_at + 2 == start && c->span_len > 0 &&
                c->span + c->span_len == data + c->eol_at && c->limit - c->hashed > n + 2) {
                /* The common line: the CRLF before it ends the pending run. */
                c->total += n + 2;
                c->hashed += n + 2;
                c->span_len += n + 2;
                c->n_crlf = 0;
                c->eol_at = SIZE_MAX;
                c->is_line_open = true;
            } else {
                open_content(c, data);
                emit_input(c, data + start, n);
            }
        }
    }
    flush_span(c);
    c->eol_at = SIZE_MAX;
    c->wsp_at = SIZE_MAX;
}

void ms__dkim_body_final(ms__dkim_body_canon *c)
{
    if (c->is_done) {
        return;
    }
    if (c->is_cr) {
        c->is_cr = false;
        open_content(c, NULL);
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
