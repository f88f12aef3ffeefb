/* SPDX-License-Identifier: MIT */
/* The rows of shared/bad-inputs.md about header fields, the header/body boundary and From
 * (§3.2 DKIM, §3.3 DMARC, §3.1 SPF-19/20 as From forms, §3.6 MLT-02/05/10/11), one named test
 * per row, at the message layer (RFC 5322 §2.1-§3.6.2): what lib/msg must give so that DKIM and
 * DMARC can refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mailseal/msg.h"

#include "base/limits.h"

static ms_arena *arena_new(void)
{
    ms_arena *a = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &a), MS_OK);
    return a;
}

/* Split text whole and a byte at a time; both must agree on fields and flags. */
static ms_msg *split(ms_arena *a, const char *text, size_t len)
{
    ms_msg *m = NULL;
    ms_msg_error err;
    assert_int_equal(ms_msg_parse(text, len, NULL, a, &m, &err), MS_OK);
    ms_msg *fed = NULL;
    assert_int_equal(ms_msg_new(NULL, a, &fed), MS_OK);
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(ms_msg_feed(fed, text + i, 1, NULL), MS_OK);
    }
    assert_int_equal(ms_msg_end(fed), MS_OK);
    ms_msg_stats s1, s2;
    ms_msg_get_stats(m, &s1);
    ms_msg_get_stats(fed, &s2);
    assert_int_equal(s1.flags, s2.flags);
    assert_int_equal(s1.n_fields, s2.n_fields);
    assert_int_equal(s1.header_bytes, s2.header_bytes);
    return m;
}

static ms_msg *split_str(ms_arena *a, const char *text)
{
    return split(a, text, strlen(text));
}

static unsigned flags_of(const ms_msg *m)
{
    ms_msg_stats s;
    ms_msg_get_stats(m, &s);
    return s.flags;
}

/* The author is refused with a reason holding want. */
static void author_refused(const char *row, const char *text, const char *want)
{
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, text);
    const ms_msg_mailbox *mb = NULL;
    ms_msg_error err;
    ms_status st = ms_msg_author(m, a, &mb, &err);
    if (st != MS_ESYNTAX || err.reason == NULL || strstr(err.reason, want) == NULL) {
        fail_msg("%s: got %s (%s), want MS_ESYNTAX with \"%s\"", row, ms_status_name(st),
                 err.reason ? err.reason : (mb ? mb->domain : "(null)"), want);
    }
    assert_null(mb);
    ms_arena_free(a);
}

/* The author's domain is want (and its flags hold want_flags). */
static void author_is(const char *row, const char *text, const char *want, unsigned want_flags)
{
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, text);
    const ms_msg_mailbox *mb = NULL;
    ms_msg_error err;
    ms_status st = ms_msg_author(m, a, &mb, &err);
    if (st != MS_OK || strcmp(mb->domain, want) != 0 || (mb->flags & want_flags) != want_flags) {
        fail_msg("%s: got %s (%s, flags %x), want the author at %s with flags %x", row,
                 ms_status_name(st), err.reason ? err.reason : (mb ? mb->domain : "(null)"),
                 mb ? mb->flags : 0, want, want_flags);
    }
    ms_arena_free(a);
}

/* The address text is an error whose reason holds want. */
static void address_error(const char *row, const char *text, const char *want)
{
    ms_arena *a = arena_new();
    const ms_msg_address_list *list = NULL;
    ms_msg_error err;
    ms_status st = ms_msg_address_parse(text, strlen(text), a, &list, &err);
    if (st != MS_ESYNTAX || err.reason == NULL || strstr(err.reason, want) == NULL) {
        fail_msg("%s: \"%s\": got %s (%s), want MS_ESYNTAX with \"%s\"", row, text,
                 ms_status_name(st), err.reason ? err.reason : "(null)", want);
    }
    assert_null(list);
    ms_arena_free(a);
}

/* ---- §3.2 DKIM ---------------------------------------------------------------------------- */

/* DKIM-04: a second Subject prepended to a signed message: bottom-up selection finds the
 * signed (bottom) one; the count exposes the unsigned extra singleton. */
static void dkim_04_extra_singleton(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, "Subject: prepended\r\nFrom: a@b.t\r\nTo: c@d.t\r\n"
                             "Subject: signed\r\nDate: x\r\n\r\nbody\r\n");
    assert_int_equal(ms_msg_count(m, "subject", 7), 2);
    const ms_msg_field *f = ms_msg_prev(m, "subject", 7, NULL);
    assert_string_equal(f->value, " signed");
    f = ms_msg_prev(m, "subject", 7, f);
    assert_string_equal(f->value, " prepended");
    ms_arena_free(a);
}

/* DKIM-05: h=from:from over one From: the second instance is missing (hashed as empty); a From
 * added on top becomes that second instance, so verification fails. */
static void dkim_05_oversigned(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, "From: a@b.t\r\nSubject: s\r\n\r\n");
    const ms_msg_field *f = ms_msg_prev(m, "From", 4, NULL);
    assert_non_null(f);
    assert_null(ms_msg_prev(m, "From", 4, f));
    m = split_str(a, "From: evil@attack.t\r\nFrom: a@b.t\r\nSubject: s\r\n\r\n");
    f = ms_msg_prev(m, "From", 4, NULL);
    assert_string_equal(f->value, " a@b.t");
    f = ms_msg_prev(m, "From", 4, f);
    assert_string_equal(f->value, " evil@attack.t");
    ms_arena_free(a);
}

/* DKIM-07: a provider-signed message with a From prepended: no author (two From fields). */
static void dkim_07_prepended_from(void **state)
{
    (void)state;
    author_refused("DKIM-07",
                   "From: <admin@provider.t>\r\nDKIM-Signature: v=1; d=provider.t\r\n"
                   "From: user@provider.t\r\n\r\nbody\r\n",
                   "more than one From field");
}

/* DKIM-22: 10,000 DKIM-Signature fields: all parsed (the field cap is above what a header block
 * under the 1 MiB parse cap can sensibly hold), flagged OVERSIZE for policy, bounded memory;
 * DKIM then examines at most 10 (tests/badinput/dkim_rows_badinput.c). */
static void dkim_22_many_signatures(void **state)
{
    (void)state;
    const char *line = "DKIM-Signature: v=1; a=rsa-sha256; d=x.t; s=s; b=junk\r\n";
    size_t ll = strlen(line), n = 10000;
    char *text = malloc(ll * n + 2);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++) {
        memcpy(text + i * ll, line, ll);
    }
    memcpy(text + ll * n, "\r\n", 2);
    ms_arena *a = arena_new();
    ms_msg *m = NULL;
    ms_msg_error err;
    assert_int_equal(ms_msg_parse(text, ll * n + 2, NULL, a, &m, &err), MS_OK);
    assert_int_equal(ms_msg_count(m, "DKIM-Signature", 14), n);
    ms_msg_stats st;
    ms_msg_get_stats(m, &st);
    assert_true(st.flags & MS_MSG_OVERSIZE);
    /* Bounded memory: a few times the input, not more. */
    assert_true(ms_arena_used(a) < 6u * ll * n);
    ms_arena_free(a);
    free(text);
}

/* DKIM-25: a value starting on a folded line, WSP before the colon, 8-bit bytes: raw bytes kept
 * exactly for canonicalisation, names found; a header block over 64 KiB is flagged for policy
 * but parsed (the parse cap is 1 MiB). */
static void dkim_25_header_forms(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, "Subject:\r\n foo\r\nSubject : bar\r\nX-8bit: caf\xc3\xa9\xff\r\n"
                             "\r\nbody\r\n");
    const ms_msg_field *f = ms_msg_field_at(m, 0);
    assert_int_equal(f->raw_len, 14);
    assert_memory_equal(f->raw, "Subject:\r\n foo", 14);
    assert_string_equal(f->value, " foo");
    f = ms_msg_field_at(m, 1);
    assert_int_equal(f->name_len, 7);
    assert_memory_equal(f->raw, "Subject : bar", 13);
    assert_int_equal(f->value_offset, 9);
    assert_int_equal(f->flags, MS_MSG_WSP_BEFORE_COLON);
    assert_int_equal(ms_msg_count(m, "Subject", 7), 2);
    f = ms_msg_field_at(m, 2);
    assert_memory_equal(f->raw, "X-8bit: caf\xc3\xa9\xff", 15);
    assert_int_equal(f->flags, MS_MSG_EIGHT_BIT);
    assert_null(ms_msg_ambiguity(m)); /* none of these moves the boundary */

    /* 100 KiB of header: parsed, flagged OVERSIZE for the 64 KiB policy. */
    size_t n = 100 * 1024 / 256;
    char *big = malloc(n * 256 + 2);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) {
        memset(big + i * 256, 'x', 256);
        memcpy(big + i * 256, "X-Pad: ", 7);
        memcpy(big + i * 256 + 254, "\r\n", 2);
    }
    memcpy(big + n * 256, "\r\n", 2);
    m = split(a, big, n * 256 + 2);
    ms_msg_stats s;
    ms_msg_get_stats(m, &s);
    assert_true(s.flags & MS_MSG_OVERSIZE);
    assert_int_equal(s.header_bytes, n * 256 + 2);
    assert_true(s.header_bytes > MS_LIMIT_MSG_HEADER_POLICY);
    free(big);
    ms_arena_free(a);
}

/* DKIM-26: a line "\r hack" after the header block, and a body holding "\n.\r\n": the boundary
 * is the first empty line, and the message says it is ambiguous, so DKIM never passes it. */
static void dkim_26_bare_cr_boundary(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, "From: a@b.t\r\nSubject: x\r\n\r hack\r\n\r\nbody\r\n");
    ms_msg_stats s;
    ms_msg_get_stats(m, &s);
    assert_int_equal(s.n_fields, 3);
    assert_int_equal(s.header_bytes, 35);
    assert_true(s.flags & MS_MSG_BARE_CR);
    assert_true(s.flags & MS_MSG_MALFORMED);
    assert_non_null(ms_msg_ambiguity(m));
    assert_non_null(strstr(ms_msg_ambiguity(m), "bare CR"));

    m = split_str(a, "From: a@b.t\r\n\r\nline\n.\r\nMAIL FROM:<x@y.t>\r\n");
    assert_true(flags_of(m) & MS_MSG_DOT_LINE);
    assert_true(flags_of(m) & MS_MSG_AMBIGUOUS);
    assert_non_null(ms_msg_ambiguity(m));
    ms_arena_free(a);
}

/* DKIM-29: a signing request whose From is not one plain mailbox: refuse to sign. */
static void dkim_29_refuse_to_sign(void **state)
{
    (void)state;
    author_refused("DKIM-29 two addresses", "From: a@p.t, b@p.t\r\n\r\n", "more than one mailbox");
    author_refused("DKIM-29 two From fields", "From: a@p.t\r\nFrom: b@p.t\r\n\r\n",
                   "more than one From field");
    author_refused("DKIM-29 backslash", "From:admin@p\\,<user@p>\r\n\r\n", "backslash");
}

/* ---- §3.3 DMARC --------------------------------------------------------------------------- */

/* DMARC-01: two From fields: no author, so DMARC can permerror; never pass. */
static void dmarc_01_two_from(void **state)
{
    (void)state;
    author_refused("DMARC-01", "From: <first@attack.t>\r\nFrom: <admin@legitimate.t>\r\n\r\n",
                   "more than one From field");
}

/* DMARC-02: the second From written "From :" (obs-optional) still counts. */
static void dmarc_02_obs_from(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, "From: <first@attack.t>\r\nFrom : <admin@legitimate.t>\r\n\r\n");
    assert_int_equal(ms_msg_count(m, "From", 4), 2);
    ms_arena_free(a);
    author_refused("DMARC-02", "From: <first@attack.t>\r\nFrom : <admin@legitimate.t>\r\n\r\n",
                   "more than one From field");
}

/* DMARC-04: "From" with its colon on a folded line: malformed, found, refused. */
static void dmarc_04_folded_name(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, "From\r\n : <first@attack.t>\r\n\r\n");
    assert_int_equal(ms_msg_count(m, "From", 4), 1);
    assert_true(ms_msg_field_at(m, 0)->flags & MS_MSG_MALFORMED);
    assert_non_null(ms_msg_ambiguity(m));
    ms_arena_free(a);
    author_refused("DMARC-04", "From\r\n : <first@attack.t>\r\n\r\n", "malformed");
}

/* DMARC-05: no From; Sender and Resent-From are never used instead. */
static void dmarc_05_no_from(void **state)
{
    (void)state;
    author_refused("DMARC-05", "Sender: <admin@legitimate.t>\r\n\r\n", "no From field");
    author_refused("DMARC-05 Resent-From", "Resent-From: <admin@legitimate.t>\r\n\r\n",
                   "no From field");
}

/* DMARC-07: a mailbox then a word; a mailbox then an empty group: refused, no NULL. */
static void dmarc_07_trailing_junk(void **state)
{
    (void)state;
    author_refused("DMARC-07 word", "From: a@example.t, foo\r\n\r\n", "a name without an address");
    author_refused("DMARC-07 group", "From: a@example.t, undisclosed-recipients:;\r\n\r\n",
                   "group");
}

/* DMARC-08: an encoded-word display name decoding to an address: never decoded into the
 * addr-spec; with a comma it is an error, without one the author is attack.t and flagged. */
static void dmarc_08_encoded_word(void **state)
{
    (void)state;
    author_refused("DMARC-08 comma",
                   "From: =?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?=,<second@attack.t>\r\n\r\n",
                   "a name without an address");
    author_is("DMARC-08 display",
              "From: =?utf-8?b?PGFkbWluQGxlZ2l0aW1hdGUudD4=?= <second@attack.t>\r\n\r\n",
              "attack.t", MS_MSG_ADDR_DISPLAY_AT | MS_MSG_ADDR_DISPLAY_ENCODED);
}

/* DMARC-10: a backslash between two angle-addrs: syntax error. */
static void dmarc_10_backslash(void **state)
{
    (void)state;
    author_refused("DMARC-10", "From: <admin@legitimate.t>\\,<second@attack.t>\r\n\r\n",
                   "backslash");
}

/* DMARC-11: two mailboxes in two domains: both returned, never the easier one; no author. */
static void dmarc_11_two_domains(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    const char *v = "admin@legitimate.t,<second@attack.t>";
    const ms_msg_address_list *list;
    assert_int_equal(ms_msg_address_parse(v, strlen(v), a, &list, NULL), MS_OK);
    assert_int_equal(list->n_mailboxes, 2);
    assert_string_equal(list->mailboxes[0].domain, "legitimate.t");
    assert_string_equal(list->mailboxes[1].domain, "attack.t");
    ms_arena_free(a);
    author_refused("DMARC-11", "From: admin@legitimate.t,<second@attack.t>\r\n\r\n",
                   "more than one mailbox");
}

/* DMARC-13: unbalanced angle brackets: parse errors, never "no From". */
static void dmarc_13_unbalanced(void **state)
{
    (void)state;
    author_refused("DMARC-13 >", "From: user@example.t>\r\n\r\n", "'>' without '<'");
    author_refused("DMARC-13 <", "From: <user@example.t\r\n\r\n", "'<' without '>'");
}

/* DMARC-14: quoted-pairs and a comma in a quoted display name. */
static void dmarc_14_quoted_display(void **state)
{
    (void)state;
    author_is("DMARC-14", "From: \"\\\"Medtronic, Inc.\\\"\" <user@example.t>\r\n\r\n", "example.t",
              0);
}

/* DMARC-16: an address in the display name: the author is the addr-spec's, flagged. */
static void dmarc_16_address_in_display(void **state)
{
    (void)state;
    author_is("DMARC-16", "From: \"admin@legitimate.t\" <x@attack.t>\r\n\r\n", "attack.t",
              MS_MSG_ADDR_DISPLAY_AT);
}

/* DMARC-17: invisible, encoded, doubled-dot and hyphen-first domains are errors; one trailing
 * dot is normalised away. */
static void dmarc_17_odd_domains(void **state)
{
    (void)state;
    address_error("DMARC-17 U+200B", "a@legitimate\xe2\x80\x8b.t", "A-labels");
    address_error("DMARC-17 %00", "a@legitimate.t%00", "not a letter");
    address_error("DMARC-17 ..", "a@legitimate.t..", "empty label");
    address_error("DMARC-17 -", "a@-legitimate.t", "'-'");
    author_is("DMARC-17 one dot", "From: a@legitimate.t.\r\n\r\n", "legitimate.t",
              MS_MSG_ADDR_TRAILING_DOT);
}

/* DMARC-31: one From listing 1,000 mailboxes in 1,000 domains: MS_ELIMIT at the 101st, before
 * any DNS (the parser never looks past it). */
static void dmarc_31_thousand_mailboxes(void **state)
{
    (void)state;
    size_t n = 1000;
    char *v = malloc(n * 24);
    assert_non_null(v);
    size_t len = 0, at_cap = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == MS_LIMIT_MSG_ADDRESSES) {
            at_cap = len;
        }
        len += (size_t)snprintf(v + len, 24, "%su@d%zu.t", i ? ", " : "", i);
    }
    ms_arena *a = arena_new();
    const ms_msg_address_list *list = NULL;
    ms_msg_error err;
    clock_t t0 = clock();
    assert_int_equal(ms_msg_address_parse(v, len, a, &list, &err), MS_ELIMIT);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
    assert_null(list);
    assert_int_equal(err.offset, at_cap + 2);
    free(v);
    ms_arena_free(a);
}

/* ---- §3.1 SPF-19/20 as From fields --------------------------------------------------------- */

/* SPF-19: "<(any@legitimate.t>": an unclosed comment, never the domain after it. */
static void spf_19_paren_in_angle(void **state)
{
    (void)state;
    author_refused("SPF-19", "From: <(any@legitimate.t>\r\n\r\n", "unterminated comment");
}

/* SPF-20: a comment or a quote glued to the domain: errors, never legitimate.t. */
static void spf_20_ambiguous_domain(void **state)
{
    (void)state;
    author_refused("SPF-20 (", "From: <any@legitimate.t(a.attack.t>\r\n\r\n",
                   "unterminated comment");
    author_refused("SPF-20 '", "From: <any@legitimate.t'@any.attack.t>\r\n\r\n", "not a letter");
    address_error("SPF-20 bare (", "any@legitimate.t(a.attack.t", "unterminated comment");
}

/* ---- §3.6 milter rows at the message layer ----------------------------------------------- */

/* MLT-02: a field name with a control byte or an empty name: malformed, flagged, no OOB. */
static void mlt_02_bad_names(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split(a, "Fr\x01om: x\r\n: empty\r\nFrom\0: y\r\n\r\n", 32);
    assert_int_equal(ms_msg_field_count(m), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(ms_msg_field_at(m, i)->flags & MS_MSG_MALFORMED);
    }
    assert_true(flags_of(m) & MS_MSG_CTL);
    assert_true(flags_of(m) & MS_MSG_NUL);
    ms_arena_free(a);
}

/* MLT-05: two messages in a row share nothing but the arena, which is reset between them. */
static void mlt_05_two_messages(void **state)
{
    (void)state;
    ms_arena *a = arena_new();
    ms_msg *m = split_str(a, "From: a@b.t\r\nDKIM-Signature: x\r\n\r\nbody");
    assert_int_equal(ms_msg_field_count(m), 2);
    ms_arena_reset(a);
    m = split_str(a, "From: c@d.t\r\n\r\n");
    assert_int_equal(ms_msg_field_count(m), 1);
    assert_int_equal(ms_msg_count(m, "DKIM-Signature", 14), 0);
    ms_arena_free(a);
}

/* MLT-10: 100,000 fields and one 1 MiB field: MS_ELIMIT at the cap, reading no further. */
static void mlt_10_huge_headers(void **state)
{
    (void)state;
    size_t n = 100000;
    char *text = malloc(n * 6 + 2);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++) {
        memcpy(text + i * 6, "X: 1\r\n", 6);
    }
    memcpy(text + n * 6, "\r\n", 2);
    ms_arena *a = arena_new();
    ms_msg *m;
    ms_msg_error err;
    clock_t t0 = clock();
    assert_int_equal(ms_msg_parse(text, n * 6 + 2, NULL, a, &m, &err), MS_ELIMIT);
    assert_int_equal(err.offset, 6 * MS_LIMIT_MSG_FIELDS);
    free(text);

    size_t big = 1024 * 1024;
    text = malloc(big + 4);
    assert_non_null(text);
    memcpy(text, "X: ", 3);
    memset(text + 3, 'a', big - 3);
    memcpy(text + big, "\r\n\r\n", 4);
    assert_int_equal(ms_msg_parse(text, big + 4, NULL, a, &m, &err), MS_ELIMIT);
    assert_int_equal(err.offset, MS_LIMIT_MSG_FIELD_BYTES);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    free(text);
    ms_arena_free(a);
}

/* MLT-11: body chunks holding "\n.\r\n", "\r\n.\n" or a bare CR, cut anywhere: the body is
 * counted to the byte and the smuggling shapes flagged, whatever the chunking. */
static void mlt_11_body_line_ends(void **state)
{
    (void)state;
    const char *bodies[] = {"a\n.\r\nMAIL FROM:<x@y.t>\r\n", "a\r\n.\nRCPT TO:<v@w.t>\r\n",
                            "a\rb\r\n"};
    const unsigned want[] = {MS_MSG_DOT_LINE, MS_MSG_DOT_LINE, MS_MSG_BODY_BARE_CR};
    for (size_t b = 0; b < 3; b++) {
        char text[128];
        int len = snprintf(text, sizeof(text), "From: a@b.t\r\n\r\n%s", bodies[b]);
        assert_true(len > 0 && (size_t)len < sizeof(text));
        for (size_t cut = 0; cut <= (size_t)len; cut++) {
            ms_arena *a = arena_new();
            ms_msg *m;
            assert_int_equal(ms_msg_new(NULL, a, &m), MS_OK);
            size_t at1, at2;
            assert_int_equal(ms_msg_feed(m, text, cut, &at1), MS_OK);
            assert_int_equal(ms_msg_feed(m, text + cut, (size_t)len - cut, &at2), MS_OK);
            assert_int_equal(ms_msg_end(m), MS_OK);
            size_t body = (cut - at1) + ((size_t)len - cut - at2);
            ms_msg_stats s;
            ms_msg_get_stats(m, &s);
            assert_int_equal(body, strlen(bodies[b]));
            assert_int_equal(s.body_bytes, strlen(bodies[b]));
            assert_true(s.flags & want[b]);
            assert_non_null(ms_msg_ambiguity(m));
            ms_arena_free(a);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dkim_04_extra_singleton), cmocka_unit_test(dkim_05_oversigned),
        cmocka_unit_test(dkim_07_prepended_from),  cmocka_unit_test(dkim_22_many_signatures),
        cmocka_unit_test(dkim_25_header_forms),    cmocka_unit_test(dkim_26_bare_cr_boundary),
        cmocka_unit_test(dkim_29_refuse_to_sign),  cmocka_unit_test(dmarc_01_two_from),
        cmocka_unit_test(dmarc_02_obs_from),       cmocka_unit_test(dmarc_04_folded_name),
        cmocka_unit_test(dmarc_05_no_from),        cmocka_unit_test(dmarc_07_trailing_junk),
        cmocka_unit_test(dmarc_08_encoded_word),   cmocka_unit_test(dmarc_10_backslash),
        cmocka_unit_test(dmarc_11_two_domains),    cmocka_unit_test(dmarc_13_unbalanced),
        cmocka_unit_test(dmarc_14_quoted_display), cmocka_unit_test(dmarc_16_address_in_display),
        cmocka_unit_test(dmarc_17_odd_domains),    cmocka_unit_test(dmarc_31_thousand_mailboxes),
        cmocka_unit_test(spf_19_paren_in_angle),   cmocka_unit_test(spf_20_ambiguous_domain),
        cmocka_unit_test(mlt_02_bad_names),        cmocka_unit_test(mlt_05_two_messages),
        cmocka_unit_test(mlt_10_huge_headers),     cmocka_unit_test(mlt_11_body_line_ends),
    };
    return cmocka_run_group_tests_name("msg bad input, shared/bad-inputs.md §3.2, §3.3, §3.6",
                                       tests, NULL, NULL);
}
