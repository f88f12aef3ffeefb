/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the message splitter (RFC 5322 §2.1-§2.3, §3.5): the bytes are a whole
 * message. Whole parsing and chunked feeding (chunks cut by a PRNG seeded from the input, and
 * a byte at a time) must agree on everything; under small caps too. Address fields are parsed
 * from their raw and their unfolded value, which must agree. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/msg.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

typedef struct outcome {
    ms_status st;
    ms_msg *m;
    ms_msg_error err;
    size_t body_start; /* SIZE_MAX when no body byte was handed back */
} outcome;

static void whole(const char *text, size_t size, const ms_msg_options *opt, ms_arena *arena,
                  outcome *out)
{
    out->m = NULL;
    out->st = ms_msg_parse(text, size, opt, arena, &out->m, &out->err);
    out->body_start = SIZE_MAX;
    if (out->st == MS_OK) {
        ms_msg_stats s;
        ms_msg_get_stats(out->m, &s);
        size_t len = 0;
        const char *body = ms_msg_body(out->m, &len);
        CHECK(s.header_bytes + s.body_bytes == size && len == s.body_bytes);
        CHECK(size == 0 || body == text + s.header_bytes);
        if (len > 0) {
            out->body_start = s.header_bytes;
        }
    } else {
        CHECK(out->m == NULL && out->err.reason != NULL && out->err.offset <= size);
        CHECK(out->st == MS_ELIMIT || out->st == MS_ENOMEM);
    }
}

/* Chunk lengths from a xorshift PRNG seeded by the input; step 0 means a byte at a time. */
static void chunked(const char *text, size_t size, const ms_msg_options *opt, ms_arena *arena,
                    uint32_t seed, outcome *out)
{
    out->body_start = SIZE_MAX;
    out->m = NULL;
    out->st = ms_msg_new(opt, arena, &out->m);
    CHECK(out->st == MS_OK);
    size_t pos = 0;
    while (pos < size && out->st == MS_OK) {
        size_t n = 1;
        if (seed != 0) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            n = 1 + seed % 23;
        }
        if (n > size - pos) {
            n = size - pos;
        }
        size_t at = 0;
        out->st = ms_msg_feed(out->m, text + pos, n, &at);
        if (out->st == MS_OK && at < n && out->body_start == SIZE_MAX) {
            out->body_start = pos + at;
        }
        CHECK(at <= n);
        pos += n;
    }
    if (out->st == MS_OK) {
        out->st = ms_msg_end(out->m);
    }
    if (out->st != MS_OK) {
        const ms_msg_error *e = ms_msg_last_error(out->m);
        CHECK(e != NULL);
        out->err = *e;
        /* An error sticks. */
        CHECK(ms_msg_feed(out->m, "x", 1, NULL) == out->st);
    }
}

static void same_field(const ms_msg_field *a, const ms_msg_field *b)
{
    CHECK(a->raw_len == b->raw_len && memcmp(a->raw, b->raw, a->raw_len) == 0);
    CHECK(a->name_len == b->name_len && a->value_offset == b->value_offset);
    CHECK(a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0);
    CHECK(a->offset == b->offset && a->index == b->index && a->flags == b->flags);
}

/* Member by member: padding bytes in a struct are unspecified. */
static bool same_stats(const ms_msg_stats *a, const ms_msg_stats *b)
{
    return a->header_bytes == b->header_bytes && a->body_bytes == b->body_bytes &&
           a->n_fields == b->n_fields && a->flags == b->flags && a->in_body == b->in_body &&
           a->ended == b->ended && a->header.n_crlf == b->header.n_crlf &&
           a->header.n_bare_lf == b->header.n_bare_lf &&
           a->header.n_bare_cr == b->header.n_bare_cr && a->body.n_crlf == b->body.n_crlf &&
           a->body.n_bare_lf == b->body.n_bare_lf && a->body.n_bare_cr == b->body.n_bare_cr;
}

static void same(const outcome *a, const outcome *b)
{
    CHECK(a->st == b->st);
    if (a->st != MS_OK) {
        CHECK(a->err.offset == b->err.offset && a->err.reason == b->err.reason);
        return;
    }
    ms_msg_stats sa, sb;
    ms_msg_get_stats(a->m, &sa);
    ms_msg_get_stats(b->m, &sb);
    CHECK(same_stats(&sa, &sb));
    CHECK(a->body_start == b->body_start);
    CHECK(ms_msg_field_count(a->m) == ms_msg_field_count(b->m));
    for (size_t i = 0; i < ms_msg_field_count(a->m); i++) {
        same_field(ms_msg_field_at(a->m, i), ms_msg_field_at(b->m, i));
    }
}

static bool is_ftext(unsigned char c)
{
    return c >= 33 && c <= 126 && c != ':';
}

/* What a field promises, read against the message's own bytes. */
static void check_fields(const char *text, size_t size, const ms_msg *m)
{
    ms_msg_stats s;
    ms_msg_get_stats(m, &s);
    size_t prev_end = 0;
    for (size_t i = 0; i < ms_msg_field_count(m); i++) {
        const ms_msg_field *f = ms_msg_field_at(m, i);
        CHECK(f->index == i && f->raw_len > 0 && f->offset >= prev_end);
        CHECK(f->offset + f->raw_len <= s.header_bytes && s.header_bytes <= size);
        CHECK(memcmp(text + f->offset, f->raw, f->raw_len) == 0 && f->raw[f->raw_len] == '\0');
        CHECK(f->name == f->raw && f->name_len <= f->value_offset && f->value_offset <= f->raw_len);
        CHECK(f->value_len <= f->raw_len - f->value_offset && f->value[f->value_len] == '\0');
        CHECK(memchr(f->value, '\n', f->value_len) == NULL); /* unfolded */
        for (size_t k = 0; k < f->name_len; k++) {
            CHECK(is_ftext((unsigned char)f->name[k]));
        }
        if (!(f->flags & MS_MSG_MALFORMED)) {
            CHECK(f->name_len > 0 && f->raw[f->value_offset - 1] == ':');
        }
        CHECK((s.flags & f->flags) == f->flags);
        prev_end = f->offset + f->raw_len;
    }
    CHECK(ms_msg_ambiguity(m) == NULL || (s.flags & MS_MSG_AMBIGUOUS) != 0);
    CHECK(ms_msg_ambiguity(m) != NULL || (s.flags & MS_MSG_AMBIGUOUS) == 0);
}

static bool same_string(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* RFC 5322 §2.2.3: an address field reads the same folded and unfolded. */
static void check_addresses(const ms_msg *m, ms_arena *arena)
{
    static const char *const names[] = {"From", "Sender", "To", "Cc", "Reply-To"};
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        size_t nl = strlen(names[n]);
        for (const ms_msg_field *f = ms_msg_next(m, names[n], nl, NULL); f != NULL;
             f = ms_msg_next(m, names[n], nl, f)) {
            const ms_msg_address_list *a = NULL, *b = NULL;
            ms_status sa = ms_msg_address_parse(f->raw + f->value_offset,
                                                f->raw_len - f->value_offset, arena, &a, NULL);
            ms_status sb = ms_msg_address_parse(f->value, f->value_len, arena, &b, NULL);
            CHECK(sa == sb);
            if (sa != MS_OK) {
                continue;
            }
            CHECK(a->n_mailboxes == b->n_mailboxes && a->n_groups == b->n_groups &&
                  a->flags == b->flags);
            for (size_t i = 0; i < a->n_mailboxes; i++) {
                const ms_msg_mailbox *x = &a->mailboxes[i], *y = &b->mailboxes[i];
                CHECK(same_string(x->display, y->display) && same_string(x->local, y->local));
                CHECK(same_string(x->domain, y->domain) &&
                      same_string(x->domain_raw, y->domain_raw));
                CHECK(same_string(x->domain_ascii, y->domain_ascii) &&
                      same_string(x->group, y->group) && x->flags == y->flags);
            }
        }
    }
    const ms_msg_mailbox *author = NULL;
    ms_msg_error err;
    ms_status st = ms_msg_author(m, arena, &author, &err);
    CHECK((st == MS_OK) == (author != NULL));
    CHECK(st == MS_OK || err.reason != NULL);
}

static uint32_t fnv1a(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) {
        h = (h ^ data[i]) * 16777619u;
    }
    return h | 1u; /* never 0: 0 is "a byte at a time" */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    /* Defaults, then caps small enough for the fuzzer to reach. */
    ms_msg_options small = {512, 8, 64, 128};
    const ms_msg_options *opts[] = {NULL, &small};
    for (size_t o = 0; o < 2; o++) {
        outcome w, c;
        whole(text, size, opts[o], arena, &w);
        chunked(text, size, opts[o], arena, fnv1a(data, size), &c);
        same(&w, &c);
        if (size <= 4096) {
            chunked(text, size, opts[o], arena, 0, &c);
            same(&w, &c);
        }
        if (w.st == MS_OK) {
            check_fields(text, size, w.m);
            if (o == 0) {
                check_addresses(w.m, arena);
            }
        }
        ms_arena_reset(arena);
    }
    ms_arena_free(arena);
    return 0;
}
