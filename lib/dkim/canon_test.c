/* SPDX-License-Identifier: MIT */
/* DKIM canonicalization (RFC 6376 §3.4): the §3.4.6 example exactly, empty bodies, trailing
 * empty lines, bare LF files, bare CR, l= caps, and chunking: feeding a body one byte at a
 * time must give the same bytes as feeding it whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dkim/canon.h"

#include "ms_expect.h"

typedef struct sink_buf {
    char data[4096];
    size_t len;
} sink_buf;

static void to_buf(void *user, const void *p, size_t n)
{
    sink_buf *b = user;
    if (b->len + n <= sizeof(b->data)) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

/* Canonicalize body in chunks of `step` bytes (0 = whole). */
static void canon_body(ms__dkim_canon_alg alg, const char *body, size_t step, uint64_t limit,
                       sink_buf *out, uint64_t *total)
{
    ms__dkim_body_canon c;
    memset(out, 0, sizeof(*out));
    ms__dkim_body_init(&c, alg, limit, to_buf, out);
    size_t len = strlen(body);
    if (step == 0) {
        ms__dkim_body_update(&c, body, len);
    } else {
        for (size_t i = 0; i < len; i += step) {
            ms__dkim_body_update(&c, body + i, len - i < step ? len - i : step);
        }
    }
    ms__dkim_body_final(&c);
    *total = c.total;
}

typedef struct body_case {
    const char *name;
    const char *body;
    const char *want_simple;
    const char *want_relaxed;
} body_case;

static const body_case BODIES[] = {
    {"RFC 6376 §3.4.6 example", " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n", " C\r\nD E\r\n"},
    {"empty body", "", "\r\n", ""},
    {"only empty lines", "\r\n\r\n\r\n", "\r\n", ""},
    {"no final line end", "abc", "abc\r\n", "abc\r\n"},
    {"bare LF file", "line one\nline two\n\n\n", "line one\r\nline two\r\n",
     "line one\r\nline two\r\n"},
    {"mixed line ends", "a\r\nb\nc\r\n", "a\r\nb\r\nc\r\n", "a\r\nb\r\nc\r\n"},
    {"inner empty lines kept", "a\r\n\r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n",
     "a\r\n\r\n\r\nb\r\n"},
    {"white-space-only lines", "a\r\n  \r\n\t\r\n", "a\r\n  \r\n\t\r\n", "a\r\n"},
    {"leading white space is one SP (relaxed)", "  \t x  y \r\n", "  \t x  y \r\n", " x y\r\n"},
    {"bare CR is content", "a\rb\r\n", "a\rb\r\n", "a\rb\r\n"},
    {"CR at the very end", "a\r", "a\r\r\n", "a\r\r\n"},
    {"dot lines stay", ".\r\n..\r\n", ".\r\n..\r\n", ".\r\n..\r\n"},
};

static void test_bodies(void **state)
{
    (void)state;
    n_bad = 0;
    static const size_t steps[] = {0, 1, 2, 3, 7};
    for (size_t i = 0; i < sizeof(BODIES) / sizeof(BODIES[0]); i++) {
        const body_case *c = &BODIES[i];
        for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
            for (int r = 0; r < 2; r++) {
                const char *want = r ? c->want_relaxed : c->want_simple;
                sink_buf out;
                uint64_t total;
                canon_body(r ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE, c->body, steps[s], UINT64_MAX,
                           &out, &total);
                EXPECT(out.len == strlen(want) && memcmp(out.data, want, out.len) == 0 &&
                           total == out.len,
                       "%s, %s, chunks of %zu: got %zu bytes \"%.*s\", want \"%s\"", c->name,
                       r ? "relaxed" : "simple", steps[s], out.len, (int)out.len, out.data, want);
            }
        }
    }
    assert_int_equal(n_bad, 0);
}

static void test_length_limit(void **state)
{
    (void)state;
    sink_buf out;
    uint64_t total;
    /* l=5 hashes the first 5 canonical bytes; total still counts the whole body. */
    canon_body(MS__DKIM_SIMPLE, "hello world\r\nmore\r\n", 1, 5, &out, &total);
    assert_int_equal(out.len, 5);
    assert_memory_equal(out.data, "hello", 5);
    assert_int_equal(total, strlen("hello world\r\nmore\r\n"));
    canon_body(MS__DKIM_RELAXED, "a  b\r\n", 0, 0, &out, &total);
    assert_int_equal(out.len, 0);
    assert_int_equal(total, 5);
}

/* The plain reading of §3.4.3 and §3.4.4, line by line, to compare the streaming
 * canonicalizer with: lines end at CRLF or a bare LF (a lone CR is content), relaxed turns
 * each run of WSP into one SP and drops it at the end of a line, empty lines at the end go. */
static size_t reference_canon(bool relaxed, const char *body, size_t len, char *out)
{
    size_t n = 0, keep = 0; /* keep: output length up to the last line with content */
    size_t i = 0;
    while (i < len) {
        size_t line_start = n;
        bool wsp = false;
        while (i < len && body[i] != '\n' &&
               !(body[i] == '\r' && i + 1 < len && body[i + 1] == '\n')) {
            char ch = body[i++];
            if (relaxed && (ch == ' ' || ch == '\t')) {
                wsp = true;
                continue;
            }
            if (wsp) {
                out[n++] = ' ';
                wsp = false;
            }
            out[n++] = ch;
        }
        i += i < len && body[i] == '\r' ? 2 : (i < len ? 1 : 0);
        bool has_content = n > line_start;
        out[n++] = '\r';
        out[n++] = '\n';
        if (has_content) {
            keep = n;
        }
    }
    if (keep == 0 && !relaxed) {
        memcpy(out, "\r\n", 2);
        return 2;
    }
    return keep;
}

/* Pseudo-random bodies of words, long runs (past the 32-byte vector steps), SP, HTAB, CR, LF
 * and dots, fed whole and in chunks of several sizes: the streaming canonicalizer must write
 * exactly the reference's bytes, and with an l= cap exactly their prefix. */
static void test_random_bodies(void **state)
{
    (void)state;
    n_bad = 0;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    static const size_t steps[] = {0, 1, 3, 16, 31, 64};
    for (int round = 0; round < 3000; round++) {
        char body[1200];
        size_t len = 0, want_len = (size_t)(seed >> 33) % 1100;
        while (len < want_len) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            unsigned k = (unsigned)(seed >> 59); /* 0..31 */
            if (k < 12) {
                size_t w = 1 + (size_t)(seed >> 40) % (k < 2 ? 70 : 8);
                for (size_t j = 0; j < w && len < sizeof(body) - 1; j++) {
                    body[len++] = (char)('a' + (j % 26));
                }
            } else if (k < 20) {
                body[len++] = ' ';
            } else if (k < 22) {
                body[len++] = '\t';
            } else if (k < 27) {
                body[len++] = '\r';
                if (len < sizeof(body) - 1) {
                    body[len++] = '\n';
                }
            } else if (k < 29) {
                body[len++] = '\n';
            } else if (k < 30) {
                body[len++] = '\r';
            } else {
                body[len++] = '.';
            }
        }
        body[len] = '\0';
        for (int r = 0; r < 2; r++) {
            char want[2600];
            size_t wl = reference_canon(r == 1, body, len, want);
            for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
                uint64_t limit = s == 2 ? (uint64_t)(seed >> 20) % (wl + 3) : UINT64_MAX;
                sink_buf out;
                uint64_t total;
                canon_body(r ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE, body, steps[s], limit, &out,
                           &total);
                size_t exp = limit < wl ? (size_t)limit : wl;
                EXPECT(out.len == exp && memcmp(out.data, want, exp) == 0 && total == wl,
                       "round %d, %s, chunks of %zu, l=%llu: got %zu bytes (total %llu), want %zu "
                       "of %zu",
                       round, r ? "relaxed" : "simple", steps[s], (unsigned long long)limit,
                       out.len, (unsigned long long)total, exp, wl);
            }
        }
    }
    assert_int_equal(n_bad, 0);
}

typedef struct header_case {
    const char *name;
    const char *raw;
    const char *want_simple;
    const char *want_relaxed;
} header_case;

static const header_case HEADERS[] = {
    {"RFC 6376 §3.4.6 A", "A: X\r\n", "A: X\r\n", "a:X\r\n"},
    {"RFC 6376 §3.4.6 B", "B : Y\t\r\n\tZ  \r\n", "B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n"},
    {"no line end", "Subject: hi", "Subject: hi\r\n", "subject:hi\r\n"},
    {"bare LF folding", "Subject: a\n b\n", "Subject: a\r\n b\r\n", "subject:a b\r\n"},
    {"value starts on the next line", "Subject:\r\n foo\r\n", "Subject:\r\n foo\r\n",
     "subject:foo\r\n"},
    {"empty value", "X-Empty:   \r\n", "X-Empty:   \r\n", "x-empty:\r\n"},
    {"upper-case name, tabs", "FROM:\tJoe \t <j@x.example>\r\n", "FROM:\tJoe \t <j@x.example>\r\n",
     "from:Joe <j@x.example>\r\n"},
    {"8-bit bytes kept", "Subject: caf\xc3\xa9\r\n", "Subject: caf\xc3\xa9\r\n",
     "subject:caf\xc3\xa9\r\n"},
};

static void test_headers(void **state)
{
    (void)state;
    n_bad = 0;
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    for (size_t i = 0; i < sizeof(HEADERS) / sizeof(HEADERS[0]); i++) {
        const header_case *c = &HEADERS[i];
        for (int r = 0; r < 2; r++) {
            const char *want = r ? c->want_relaxed : c->want_simple;
            ms__buf b;
            ms__buf_init(&b, arena, 4096);
            ms__dkim_canon_header(r ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE, c->raw, strlen(c->raw),
                                  true, &b);
            EXPECT(ms__buf_status(&b) == MS_OK && strcmp(ms__buf_str(&b), want) == 0,
                   "%s, %s: got \"%s\", want \"%s\"", c->name, r ? "relaxed" : "simple",
                   ms__buf_str(&b), want);
            /* Without the final CRLF (the signature field itself, §3.7). */
            ms__buf_init(&b, arena, 4096);
            ms__dkim_canon_header(r ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE, c->raw, strlen(c->raw),
                                  false, &b);
            size_t wl = strlen(want) - 2;
            EXPECT(b.len == wl && memcmp(ms__buf_str(&b), want, wl) == 0,
                   "%s, %s, no CRLF: got \"%s\"", c->name, r ? "relaxed" : "simple",
                   ms__buf_str(&b));
        }
    }
    ms_arena_free(arena);
    assert_int_equal(n_bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_random_bodies),
        cmocka_unit_test(test_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
