/* SPDX-License-Identifier: MIT */
/* Splits a message into header fields and body, RFC 5322 §2.1 (lines), §2.2 (fields, folding),
 * §2.3 and §3.5 (the body starts after the first empty line), as a resumable state machine. */
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/limits.h"
#include "msg/chars.h"
#include "msg/split.h"

void ms_msg_options_default(ms_msg_options *opt)
{
    opt->max_header_bytes = MS_LIMIT_MSG_HEADER_BYTES;
    opt->max_fields = MS_LIMIT_MSG_FIELDS;
    opt->max_field_bytes = MS_LIMIT_MSG_FIELD_BYTES;
    opt->policy_header_bytes = MS_LIMIT_MSG_HEADER_POLICY;
}

ms_status ms_msg_new(const ms_msg_options *opt, ms_arena *arena, ms_msg **out)
{
    *out = NULL;
    if (arena == NULL) {
        return MS_EINVAL;
    }
    ms_msg *m = ms_arena_alloc(arena, sizeof(*m));
    if (m == NULL) {
        return ms_arena_status(arena);
    }
    memset(m, 0, sizeof(*m));
    m->arena = arena;
    ms_msg_options_default(&m->opt);
    if (opt != NULL) {
        m->opt.max_header_bytes =
            opt->max_header_bytes ? opt->max_header_bytes : m->opt.max_header_bytes;
        m->opt.max_fields = opt->max_fields ? opt->max_fields : m->opt.max_fields;
        m->opt.max_field_bytes =
            opt->max_field_bytes ? opt->max_field_bytes : m->opt.max_field_bytes;
        m->opt.policy_header_bytes =
            opt->policy_header_bytes ? opt->policy_header_bytes : m->opt.policy_header_bytes;
    }
    m->state = MS__MSG_LINE_START;
    m->status = MS_OK;
    *out = m;
    return MS_OK;
}

/* Record the first error; the message answers it from then on. The detail is the start of the
 * field being read, the only bytes still at hand in a stream. */
static ms_status fail(ms_msg *m, ms_status st, size_t offset, const char *reason)
{
    if (m->status == MS_OK) {
        m->status = st;
        m->err.offset = offset;
        m->err.reason = reason;
        size_t n = m->in_field ? m->cur_len : 0;
        if (n > sizeof(m->err.detail) - 1) {
            n = sizeof(m->err.detail) - 1;
        }
        if (n > 0) {
            memcpy(m->err.detail, m->cur, n);
        }
        m->err.detail[n] = '\0';
    }
    return m->status;
}

static ms_status arena_fail(ms_msg *m, size_t offset)
{
    ms_status st = ms_arena_status(m->arena);
    return fail(m, st == MS_OK ? MS_ENOMEM : st, offset, "the message's arena is full");
}

/* Append n bytes to the current field (n >= 1). */
static ms_status append_n(ms_msg *m, const char *p, size_t n, size_t offset)
{
    if (m->cur_len + n > m->opt.max_field_bytes) {
        return fail(m, MS_ELIMIT, offset,
                    "header field longer than the cap (MS_LIMIT_MSG_FIELD_BYTES, RFC 5322 §2.1.1)");
    }
    if (m->cur_len + n > m->cur_size) {
        size_t size = m->cur_size ? m->cur_size * 2 : 256;
        while (size < m->cur_len + n) {
            size *= 2;
        }
        if (size > m->opt.max_field_bytes) {
            size = m->opt.max_field_bytes;
        }
        char *q = ms_arena_alloc(m->arena, size);
        if (q == NULL) {
            return arena_fail(m, offset);
        }
        if (m->cur_len > 0) {
            memcpy(q, m->cur, m->cur_len);
        }
        m->cur = q;
        m->cur_size = size;
    }
    memcpy(m->cur + m->cur_len, p, n);
    m->cur_len += n;
    return MS_OK;
}

static ms_status append(ms_msg *m, char c, size_t offset)
{
    if (m->cur_len < m->cur_size && m->cur_len < m->opt.max_field_bytes) {
        m->cur[m->cur_len++] = c;
        return MS_OK;
    }
    return append_n(m, &c, 1, offset);
}

/* A content byte of the current line (not CR, not LF): flags and line bookkeeping. */
static ms_status content(ms_msg *m, char c, size_t offset)
{
    unsigned char u = (unsigned char)c;
    if (u == 0) {
        m->cur_flags |= MS_MSG_NUL;
    } else if (u >= 0x80) {
        m->cur_flags |= MS_MSG_EIGHT_BIT;
    } else if ((u < 0x20 && u != '\t' && u != '\r') || u == 0x7f) {
        m->cur_flags |= MS_MSG_CTL;
    }
    if (!ms__msg_is_wsp(u)) {
        m->line_only_wsp = false;
    }
    m->line_len++;
    return append(m, c, offset);
}

static ms_status start_field(ms_msg *m, size_t offset)
{
    if (m->n_fields >= m->opt.max_fields) {
        return fail(m, MS_ELIMIT, offset,
                    "more header fields than the cap (MS_LIMIT_MSG_FIELDS, RFC 5322 §3.6)");
    }
    m->in_field = true;
    m->cur_len = 0;
    m->cur_offset = offset;
    m->cur_name_len = 0;
    m->cur_value_offset = 0;
    m->cur_flags = 0;
    m->line_len = 0;
    m->line_is_fold = false;
    m->line_only_wsp = false;
    return MS_OK;
}

/* The current line is over (at a line end or the end of the input). */
static void line_done(ms_msg *m)
{
    if (m->line_len > MS_LIMIT_MSG_LINE) {
        m->cur_flags |= MS_MSG_LONG_LINE;
    }
    if (m->line_is_fold && m->line_only_wsp) {
        m->cur_flags |= MS_MSG_WSP_LINE;
    }
}

/* RFC 5322 §2.2.3: unfolding removes every CRLF that is followed by WSP. Inside a field every
 * line end is such a fold (a line end followed by anything else ended the field), so the
 * unfolded value is the raw value without its LFs and the CR just before each LF. */
static char *unfold(ms_arena *arena, const char *s, size_t len, size_t *out_len)
{
    char *v = ms_arena_alloc(arena, len + 1);
    if (v == NULL) {
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
            continue;
        }
        v[n++] = s[i];
    }
    v[n] = '\0';
    *out_len = n;
    return v;
}

static ms_status finish_field(ms_msg *m, size_t offset)
{
    m->in_field = false;
    if (m->n_fields == m->fields_size) {
        size_t size = m->fields_size ? m->fields_size * 2 : 32;
        ms_msg_field **p = ms_arena_alloc(m->arena, size * sizeof(*p));
        if (p == NULL) {
            return arena_fail(m, offset);
        }
        if (m->n_fields > 0) {
            memcpy(p, m->fields, m->n_fields * sizeof(*p));
        }
        m->fields = p;
        m->fields_size = size;
    }
    ms_msg_field *f = ms_arena_alloc(m->arena, sizeof(*f));
    char *raw = ms_arena_strndup(m->arena, m->cur, m->cur_len);
    if (f == NULL || raw == NULL) {
        return arena_fail(m, offset);
    }
    f->raw = raw;
    f->raw_len = m->cur_len;
    f->name = raw;
    f->name_len = m->cur_name_len;
    f->value_offset = m->cur_value_offset;
    const char *value = raw + f->value_offset;
    size_t value_len = f->raw_len - f->value_offset;
    if (memchr(value, '\n', value_len) == NULL) {
        f->value = value; /* one line: unfolding changes nothing, raw ends in its NUL */
        f->value_len = value_len;
    } else {
        f->value = unfold(m->arena, value, value_len, &f->value_len);
    }
    if (f->value == NULL) {
        return arena_fail(m, offset);
    }
    f->offset = m->cur_offset;
    f->index = m->n_fields;
    f->flags = m->cur_flags;
    m->flags |= f->flags;
    m->fields[m->n_fields++] = f;
    return MS_OK;
}

static void count_eol(ms_msg *m, ms__msg_eol eol)
{
    if (eol == MS__EOL_CRLF) {
        m->header_lines.n_crlf++;
        m->flags |= MS_MSG_CRLF;
    } else {
        m->header_lines.n_bare_lf++;
        m->flags |= MS_MSG_BARE_LF;
    }
}

/* A line end inside a field: folding if the next line starts with WSP, else the field's end. */
static void line_end(ms_msg *m, ms__msg_eol eol)
{
    line_done(m);
    count_eol(m, eol);
    if (eol == MS__EOL_LF) {
        m->cur_flags |= MS_MSG_BARE_LF;
    }
    m->pending_eol = eol;
    m->state = MS__MSG_LINE_START;
}

/* The empty line: the header block ends, RFC 5322 §2.1 and §3.5. */
static ms_status header_end(ms_msg *m, ms__msg_eol eol, size_t offset)
{
    count_eol(m, eol);
    if (m->in_field) {
        ms_status st = finish_field(m, offset);
        if (st != MS_OK) {
            return st;
        }
    }
    m->state = MS__MSG_BODY;
    m->body_prev_eol = eol;
    return MS_OK;
}

/* A line that starts with WSP continues the field before it (RFC 5322 §2.2.3). With no field
 * before, it is a malformed line of its own. */
static ms_status continue_field(ms_msg *m, size_t offset)
{
    if (!m->in_field) {
        ms_status st = start_field(m, offset);
        if (st != MS_OK) {
            return st;
        }
        m->cur_flags |= MS_MSG_MALFORMED;
        m->state = MS__MSG_VALUE;
        return MS_OK;
    }
    if (m->pending_eol == MS__EOL_CRLF) {
        ms_status st = append(m, '\r', offset);
        if (st != MS_OK) {
            return st;
        }
    }
    m->line_len = 0;
    m->state = MS__MSG_VALUE;
    return append(m, '\n', offset);
}

/* A line that starts with anything but WSP: the field before it (if any) is complete. */
static ms_status new_field(ms_msg *m, size_t offset)
{
    if (m->in_field) {
        ms_status st = finish_field(m, offset);
        if (st != MS_OK) {
            return st;
        }
    }
    return start_field(m, offset);
}

/* The name is over without a colon on its line (or with a byte that is not ftext): the line
 * is no field. Its value is what follows the name. */
static void malformed(ms_msg *m)
{
    m->cur_flags |= MS_MSG_MALFORMED;
    m->cur_value_offset = m->cur_name_len;
    m->state = MS__MSG_VALUE;
}

/* One header byte at message offset pos. Some states hand the byte on to another (redo). */
static ms_status header_byte(ms_msg *m, char c, size_t pos)
{
    unsigned char u = (unsigned char)c;
    ms_status st = MS_OK;
    for (int redo = 0; redo < 4; redo++) {
        switch (m->state) {
        case MS__MSG_LINE_START:
            if (c == '\r') {
                m->state = MS__MSG_LINE_START_CR;
                return MS_OK;
            }
            if (c == '\n') {
                return header_end(m, MS__EOL_LF, pos);
            }
            if (ms__msg_is_wsp(u)) {
                st = continue_field(m, pos);
                m->line_is_fold = true;
                m->line_only_wsp = true;
                return st == MS_OK ? content(m, c, pos) : st;
            }
            st = new_field(m, pos);
            if (st != MS_OK) {
                return st;
            }
            m->state = MS__MSG_NAME;
            continue;
        case MS__MSG_LINE_START_CR:
            if (c == '\n') {
                return header_end(m, MS__EOL_CRLF, pos);
            }
            /* A bare CR starts the line ("\r hack", DKIM-26): a parser that ends lines at CR
             * sees the empty line here; this one sees a line that is no field. */
            st = new_field(m, pos - 1);
            if (st != MS_OK) {
                return st;
            }
            m->cur_flags |= MS_MSG_BARE_CR | MS_MSG_MALFORMED;
            m->header_lines.n_bare_cr++;
            m->line_only_wsp = false;
            m->line_len = 1;
            st = append(m, '\r', pos - 1);
            if (st != MS_OK) {
                return st;
            }
            m->state = MS__MSG_VALUE;
            continue;
        case MS__MSG_NAME:
            if (ms__msg_is_ftext(u)) {
                m->cur_name_len++;
                return content(m, c, pos);
            }
            if (c == ':' && m->cur_name_len > 0) {
                m->cur_value_offset = m->cur_len + 1;
                m->state = MS__MSG_VALUE;
                return content(m, c, pos);
            }
            if (ms__msg_is_wsp(u) && m->cur_name_len > 0) {
                m->state = MS__MSG_NAME_WSP;
                return content(m, c, pos);
            }
            malformed(m);
            continue;
        case MS__MSG_NAME_WSP:
            if (ms__msg_is_wsp(u)) {
                return content(m, c, pos);
            }
            if (c == ':') {
                /* obs-optional (RFC 5322 §4.5.8): field-name *WSP ":". The name is found; the
                 * WSP stays in raw for canonicalisation (DKIM-25, DMARC-02). */
                m->cur_flags |= MS_MSG_WSP_BEFORE_COLON;
                m->cur_value_offset = m->cur_len + 1;
                m->state = MS__MSG_VALUE;
                return content(m, c, pos);
            }
            malformed(m);
            continue;
        case MS__MSG_VALUE:
            if (c == '\r') {
                m->state = MS__MSG_CR;
                return MS_OK;
            }
            if (c == '\n') {
                line_end(m, MS__EOL_LF);
                return MS_OK;
            }
            return content(m, c, pos);
        case MS__MSG_CR:
            if (c == '\n') {
                line_end(m, MS__EOL_CRLF);
                return MS_OK;
            }
            /* A bare CR inside a line is kept as a byte of the field. */
            m->cur_flags |= MS_MSG_BARE_CR;
            m->header_lines.n_bare_cr++;
            m->line_only_wsp = false;
            m->line_len++;
            st = append(m, '\r', pos - 1);
            if (st != MS_OK) {
                return st;
            }
            m->state = MS__MSG_VALUE;
            continue;
        case MS__MSG_BODY:
            return MS_OK;
        }
    }
    return MS_OK; /* not reached: every redo moves to a state that consumes the byte */
}

static void body_bare_cr(ms_msg *m)
{
    m->body_lines.n_bare_cr++;
    m->flags |= MS_MSG_BODY_BARE_CR;
    m->body_line = 2;
}

/* The first CR or LF at or after i (len if none), sixteen (SSE2) or eight bytes at a time: the
 * body is most of a message and this scan runs over all of it. Without SSE2, a byte equals CR
 * or LF where the classic SWAR "has zero byte" test on x ^ pattern sets its high bit. */
static size_t next_eol(const char *s, size_t i, size_t len)
{
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    while (i + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned hit =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (hit != 0) {
            return i + (size_t)__builtin_ctz(hit);
        }
        i += 16;
    }
#else
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    const uint64_t cr = 0x0d0d0d0d0d0d0d0du, lf = 0x0a0a0a0a0a0a0a0au;
    while (i + 8 <= len) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t a = x ^ cr, b = x ^ lf;
        if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs)) {
            break;
        }
        i += 8;
    }
#endif
    while (i < len && s[i] != '\r' && s[i] != '\n') {
        i++;
    }
    return i;
}

/* Body bytes are only looked at, never kept: line ends counted, smuggling shapes flagged. */
/* The body scan's state in locals: stores through m would make the compiler reload
 * everything after each (the body is char, which may alias anything). */
typedef struct body_state {
    size_t n_crlf, n_bare_lf, n_bare_cr;
    unsigned flags;
    ms__msg_eol prev_eol;
    int line;
    bool cr;
} body_state;

static inline void state_eol(body_state *b, ms__msg_eol eol)
{
    if (eol == MS__EOL_CRLF) {
        b->n_crlf++;
    } else {
        b->n_bare_lf++;
    }
    /* "\n.\r\n", "\r\n.\n": an SMTP server that takes a bare LF for CRLF ends the message at
     * this line (RFC 5321 §4.1.1.4, CVE-2023-51764). "\n.\n" in a file of LF lines is only a
     * line; in a CRLF message it is MIXED_EOL already. */
    if (b->line == 1 && eol != b->prev_eol) {
        b->flags |= MS_MSG_DOT_LINE;
    }
    b->prev_eol = eol;
    b->line = 0;
}

static void body_lines(ms_msg *m, const char *s, size_t len)
{
    body_state b = {0, 0, 0, 0, m->body_prev_eol, m->body_line, m->body_cr};
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (b.cr) {
            b.cr = false;
            if (c == '\n') {
                state_eol(&b, MS__EOL_CRLF);
                continue;
            }
            b.n_bare_cr++;
            b.line = 2;
        }
        if (c == '\r') {
            b.cr = true;
        } else if (c == '\n') {
            state_eol(&b, MS__EOL_LF);
        } else if (b.line == 0 && c == '.') {
            b.line = 1;
        } else {
            b.line = 2;
            i = next_eol(s, i + 1, len) - 1; /* fast path: to just before the next CR or LF */
        }
    }
    m->body_lines.n_crlf += b.n_crlf;
    m->body_lines.n_bare_lf += b.n_bare_lf;
    m->body_lines.n_bare_cr += b.n_bare_cr;
    m->flags |= b.flags | (b.n_crlf ? MS_MSG_CRLF : 0u) | (b.n_bare_lf ? MS_MSG_BODY_BARE_LF : 0u) |
                (b.n_bare_cr ? MS_MSG_BODY_BARE_CR : 0u);
    m->body_prev_eol = b.prev_eol;
    m->body_line = b.line;
    m->body_cr = b.cr;
}

static void body_scan(ms_msg *m, const char *s, size_t len)
{
    m->body_bytes += len;
    if (m->defer_body) {
        /* ms_msg_parse: the body is at hand whole; it is scanned when first asked about. */
        atomic_store_explicit(&m->body_lazy, MS__MSG_BODY_PENDING, memory_order_relaxed);
        return;
    }
    body_lines(m, s, len);
}

void ms__msg_body_settle(const ms_msg *cm)
{
    ms_msg *m = (ms_msg *)(uintptr_t)cm; /* allocated writable; only the deferred scan writes */
    int state = atomic_load_explicit(&m->body_lazy, memory_order_acquire);
    if (state == MS__MSG_BODY_SETTLED) {
        return;
    }
    int expected = MS__MSG_BODY_PENDING;
    if (state == MS__MSG_BODY_PENDING &&
        atomic_compare_exchange_strong_explicit(&m->body_lazy, &expected, MS__MSG_BODY_SCANNING,
                                                memory_order_acquire, memory_order_acquire)) {
        body_lines(m, m->body, m->body_bytes);
        if (m->body_cr) {
            m->body_cr = false;
            body_bare_cr(m);
        }
        atomic_store_explicit(&m->body_lazy, MS__MSG_BODY_SETTLED, memory_order_release);
        return;
    }
    /* Another thread is scanning: a body scan takes microseconds. */
    while (atomic_load_explicit(&m->body_lazy, memory_order_acquire) != MS__MSG_BODY_SETTLED) {
    }
}

/* Byte classes of a field value, for value_run. */
enum { V_NUL = 1, V_EIGHT_BIT = 2, V_CTL = 4, V_NOT_WSP = 8, V_EOL = 16 };

static inline unsigned value_class(unsigned char u)
{
    if (u >= 0x20 && u < 0x7f) {
        return u == ' ' ? 0u : V_NOT_WSP;
    }
    if (u == '\r' || u == '\n') {
        return V_EOL;
    }
    if (u == '\t') {
        return 0;
    }
    if (u == 0) {
        return V_NUL | V_NOT_WSP;
    }
    return (u >= 0x80 ? V_EIGHT_BIT : V_CTL) | V_NOT_WSP;
}

/* In MS__MSG_VALUE, the bytes up to the next CR or LF are content: taken in one piece, with
 * the flags content() would give each (NUL, 8-bit, CTL, a line of WSP only). Stops at the
 * header cap and at the field cap, so that the byte-wise path reports either at its exact
 * offset. Returns where the byte-wise path goes on. */
static size_t value_run(ms_msg *m, const char *chunk, size_t i, size_t len)
{
    size_t room =
        m->opt.max_header_bytes > m->header_bytes ? m->opt.max_header_bytes - m->header_bytes : 0;
    size_t field_room =
        m->opt.max_field_bytes > m->cur_len ? m->opt.max_field_bytes - m->cur_len : 0;
    if (field_room < room) {
        room = field_room;
    }
    size_t end = len - i < room ? len : i + room;
    size_t j = i;
    unsigned acc = 0;
    while (j < end) {
        unsigned k = value_class((unsigned char)chunk[j]);
        if (k & V_EOL) {
            break;
        }
        acc |= k;
        j++;
    }
    size_t n = j - i;
    if (n == 0) {
        return i;
    }
    if (append_n(m, chunk + i, n, m->header_bytes) != MS_OK) {
        return i; /* the arena is full: m->status says so, the caller returns it */
    }
    m->cur_flags |= (acc & V_NUL ? MS_MSG_NUL : 0u) | (acc & V_EIGHT_BIT ? MS_MSG_EIGHT_BIT : 0u) |
                    (acc & V_CTL ? MS_MSG_CTL : 0u);
    if (acc & V_NOT_WSP) {
        m->line_only_wsp = false;
    }
    m->line_len += n;
    m->header_bytes += n;
    return j;
}

ms_status ms_msg_feed(ms_msg *m, const char *chunk, size_t len, size_t *body_at)
{
    if (body_at != NULL) {
        *body_at = len;
    }
    if (m->status != MS_OK) {
        return m->status;
    }
    if (m->ended) {
        return MS_EINVAL;
    }
    size_t i = 0;
    for (; i < len && m->state != MS__MSG_BODY; i++) {
        if (m->state == MS__MSG_VALUE) {
            i = value_run(m, chunk, i, len);
            if (m->status != MS_OK) {
                return m->status;
            }
            if (i == len) {
                break;
            }
        }
        size_t pos = m->header_bytes;
        if (pos >= m->opt.max_header_bytes) {
            return fail(m, MS_ELIMIT, pos,
                        "header block larger than the parse cap (MS_LIMIT_MSG_HEADER_BYTES)");
        }
        m->header_bytes++;
        ms_status st = header_byte(m, chunk[i], pos);
        if (st != MS_OK) {
            return fail(m, st, pos, "header block");
        }
    }
    if (m->header_bytes > m->opt.policy_header_bytes) {
        m->flags |= MS_MSG_OVERSIZE;
    }
    if (m->state == MS__MSG_BODY) {
        if (body_at != NULL) {
            *body_at = i;
        }
        if (i < len) {
            body_scan(m, chunk + i, len - i);
        }
    }
    return MS_OK;
}

/* The input ended in the header block: complete what was being read. */
static ms_status end_in_header(ms_msg *m)
{
    size_t pos = m->header_bytes;
    ms_status st = MS_OK;
    switch (m->state) {
    case MS__MSG_LINE_START:
        break;
    case MS__MSG_LINE_START_CR:
        /* A last line of one bare CR: a field of its own, as in header_byte. */
        st = new_field(m, pos - 1);
        if (st != MS_OK) {
            return st;
        }
        m->cur_flags |= MS_MSG_BARE_CR | MS_MSG_MALFORMED | MS_MSG_UNTERMINATED;
        m->header_lines.n_bare_cr++;
        m->line_len = 1;
        st = append(m, '\r', pos - 1);
        break;
    case MS__MSG_NAME:
    case MS__MSG_NAME_WSP:
        malformed(m);
        m->cur_flags |= MS_MSG_UNTERMINATED;
        break;
    case MS__MSG_VALUE:
        m->cur_flags |= MS_MSG_UNTERMINATED;
        break;
    case MS__MSG_CR:
        m->cur_flags |= MS_MSG_BARE_CR | MS_MSG_UNTERMINATED;
        m->header_lines.n_bare_cr++;
        m->line_len++;
        st = append(m, '\r', pos - 1);
        break;
    case MS__MSG_BODY:
        return MS_OK;
    }
    if (st != MS_OK) {
        return st;
    }
    m->flags |= MS_MSG_NO_BODY;
    if (m->in_field) {
        line_done(m);
        return finish_field(m, pos);
    }
    return MS_OK;
}

ms_status ms_msg_end(ms_msg *m)
{
    if (m->status != MS_OK) {
        return m->status;
    }
    if (m->ended) {
        return MS_EINVAL;
    }
    m->ended = true;
    if (m->state != MS__MSG_BODY) {
        ms_status st = end_in_header(m);
        if (st != MS_OK) {
            return fail(m, st, m->header_bytes, "header block");
        }
    } else if (m->body_cr) {
        m->body_cr = false;
        body_bare_cr(m);
    }
    return MS_OK;
}

ms_status ms_msg_parse(const char *data, size_t len, const ms_msg_options *opt, ms_arena *arena,
                       ms_msg **out, ms_msg_error *err)
{
    *out = NULL;
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
    if (data == NULL && len > 0) {
        return MS_EINVAL;
    }
    ms_msg *m = NULL;
    ms_status st = ms_msg_new(opt, arena, &m);
    if (st != MS_OK) {
        return st;
    }
    size_t body_at = 0;
    m->defer_body = true;
    st = ms_msg_feed(m, data, len, &body_at);
    if (st == MS_OK) {
        st = ms_msg_end(m);
    }
    if (st != MS_OK) {
        if (err != NULL) {
            *err = m->err;
        }
        return st;
    }
    m->body = len > 0 ? data + body_at : "";
    m->defer_body = false;
    *out = m;
    return MS_OK;
}
