/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/dns/rdata.c: wire names (RFC 1035 §3.1, §4.1.4), RDATA of each type read,
 * malformed RDATA, and the CNAME chain of an answer section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/limits.h"
#include "dns/rdata.h"

#define W(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

typedef struct name_case {
    const char *what;
    const uint8_t *wire;
    size_t len;
    size_t start;
    bool allow_pointers;
    ms_status want_status;
    const char *want; /* presentation form, or NULL */
    size_t want_pos;
} name_case;

static void test_wire_names(void **state)
{
    (void)state;
    const name_case cases[] = {
        {"root", W(0), 0, false, MS_OK, "", 1},
        {"two labels", W(3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0), 0, false,
         MS_OK, "www.example", 13},
        {"case kept", W(2, 'A', 'b', 0), 0, false, MS_OK, "Ab", 4},
        {"dot and backslash as \\DDD", W(3, 'a', '.', 'b', 2, '\\', 'c', 0), 0, false, MS_OK,
         "a\\046b.\\092c", 8},
        {"space and binary as \\DDD", W(3, ' ', 0, 0xff, 0), 0, false, MS_OK, "\\032\\000\\255", 5},
        {"other printable bytes kept", W(4, ';', '(', ')', '"', 0), 0, false, MS_OK, ";()\"", 6},
        {"label overruns", W(5, 'a', 'b', 0), 0, false, MS_ESYNTAX, NULL, 0},
        {"no terminating root", W(1, 'a'), 0, false, MS_ESYNTAX, NULL, 0},
        {"empty data", (const uint8_t *)"", 0, 0, false, MS_ESYNTAX, NULL, 0},
        {"reserved label type 01", W(0x41, 'a', 0), 0, false, MS_ESYNTAX, NULL, 0},
        {"reserved label type 10", W(0x81, 'a', 0), 0, false, MS_ESYNTAX, NULL, 0},
        {"pointer refused in rdata", W(1, 'a', 0, 0xc0, 0), 3, false, MS_ESYNTAX, NULL, 0},
        {"pointer followed", W(1, 'a', 0, 1, 'b', 0xc0, 0), 3, true, MS_OK, "b.a", 7},
        {"pointer forwards refused", W(0xc0, 2, 1, 'a', 0), 0, true, MS_ESYNTAX, NULL, 0},
        {"pointer to itself refused", W(1, 'a', 0xc0, 0), 0, true, MS_ESYNTAX, NULL, 0},
        {"pointer cut short", W(1, 'a', 0, 0xc0), 3, true, MS_ESYNTAX, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const name_case *c = &cases[i];
        char out[MS_LIMIT_DNS_NAME_TEXT + 1];
        const char *why = NULL;
        size_t pos = c->start;
        ms_status st =
            ms__dns_wire_name(c->wire, c->len, &pos, c->allow_pointers, out, sizeof(out), &why);
        if (st != c->want_status) {
            fail_msg("%s: got %s, want %s", c->what, ms_status_name(st),
                     ms_status_name(c->want_status));
        }
        if (st == MS_OK) {
            if (strcmp(out, c->want) != 0) {
                fail_msg("%s: got \"%s\", want \"%s\"", c->what, out, c->want);
            }
            if (pos != c->want_pos) {
                fail_msg("%s: got pos %zu, want %zu", c->what, pos, c->want_pos);
            }
        } else if (st == MS_ESYNTAX && why == NULL) {
            fail_msg("%s: no reason given", c->what);
        }
    }
}

static void test_wire_name_lengths(void **state)
{
    (void)state;
    uint8_t wire[300];
    char out[MS_LIMIT_DNS_NAME_TEXT + 1];
    const char *why;
    /* Four labels of 63 octets plus the root: 257 octets, over RFC 1035's 255. */
    size_t n = 0;
    for (int l = 0; l < 4; l++) {
        wire[n++] = 63;
        memset(wire + n, 'x', 63);
        n += 63;
    }
    wire[n++] = 0;
    size_t pos = 0;
    assert_int_equal(ms__dns_wire_name(wire, n, &pos, false, out, sizeof(out), &why), MS_ESYNTAX);
    /* 3 x 63 + 61 + root = 255 octets: the longest name, which fits. */
    wire[3 * 64] = 61;
    wire[3 * 64 + 62] = 0;
    pos = 0;
    assert_int_equal(ms__dns_wire_name(wire, 3 * 64 + 63, &pos, false, out, sizeof(out), &why),
                     MS_OK);
    assert_int_equal(strlen(out), 253);
    /* The worst case for escapes: every byte \DDD still fits MS_LIMIT_DNS_NAME_TEXT. */
    memset(wire, 0, sizeof(wire));
    for (int l = 0; l < 4; l++) {
        wire[l * 64] = l < 3 ? 63 : 61;
    }
    pos = 0;
    assert_int_equal(ms__dns_wire_name(wire, 3 * 64 + 63, &pos, false, out, sizeof(out), &why),
                     MS_OK);
    assert_int_equal(strlen(out), 250 * 4 + 3);
    /* A buffer too small is MS_ELIMIT, never a cut name. */
    char small[3];
    pos = 0;
    assert_int_equal(
        ms__dns_wire_name(W(3, 'a', 'b', 'c', 0), &pos, false, small, sizeof(small), &why),
        MS_ELIMIT);
}

typedef struct rdata_case {
    const char *what;
    uint16_t type;
    const uint8_t *rdata;
    size_t len;
    ms_status want_status;
} rdata_case;

static void test_rdata_malformed(void **state)
{
    (void)state;
    const rdata_case cases[] = {
        {"A too short", MS_DNS_A, W(1, 2, 3), MS_ESYNTAX},
        {"A too long", MS_DNS_A, W(1, 2, 3, 4, 5), MS_ESYNTAX},
        {"AAAA 4 octets", MS_DNS_AAAA, W(1, 2, 3, 4), MS_ESYNTAX},
        {"MX no name", MS_DNS_MX, W(0, 10), MS_ESYNTAX},
        {"MX label overruns", MS_DNS_MX, W(0, 10, 4, 'a', 0), MS_ESYNTAX},
        {"MX trailing bytes", MS_DNS_MX, W(0, 10, 1, 'a', 0, 9), MS_ESYNTAX},
        {"CNAME empty", MS_DNS_CNAME, (const uint8_t *)"", 0, MS_ESYNTAX},
        {"CNAME compressed", MS_DNS_CNAME, W(0xc0, 12), MS_ESYNTAX},
        {"PTR trailing byte", MS_DNS_PTR, W(1, 'a', 0, 0), MS_ESYNTAX},
        {"NS no root", MS_DNS_NS, W(1, 'a'), MS_ESYNTAX},
        {"TXT empty rdata", MS_DNS_TXT, (const uint8_t *)"", 0, MS_ESYNTAX},
        {"TXT string overruns", MS_DNS_TXT, W(3, 'a', 'b'), MS_ESYNTAX},
        {"TXT second string overruns", MS_DNS_TXT, W(1, 'a', 2, 'b'), MS_ESYNTAX},
        {"SPF string overruns", MS_DNS_SPF, W(9, 'v'), MS_ESYNTAX},
        {"SOA numbers short", MS_DNS_SOA, W(0, 0, 0, 0, 0, 1), MS_ESYNTAX},
        {"SOA numbers long", MS_DNS_SOA,
         W(0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 9), MS_ESYNTAX},
        {"SOA rname missing", MS_DNS_SOA, W(0), MS_ESYNTAX},
        {"unknown type accepted", 65, W(1, 2, 3), MS_OK},
    };
    ms_arena *arena;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const rdata_case *c = &cases[i];
        ms_dns_rr rr;
        const char *why = NULL;
        ms_status st = ms__dns_rdata_parse(c->type, c->rdata, c->len, arena, &rr, &why);
        if (st != c->want_status) {
            fail_msg("%s: got %s, want %s", c->what, ms_status_name(st),
                     ms_status_name(c->want_status));
        }
        if (st == MS_ESYNTAX && why == NULL) {
            fail_msg("%s: no reason given", c->what);
        }
    }
    ms_arena_free(arena);
}

static void test_rdata_good(void **state)
{
    (void)state;
    ms_arena *arena;
    ms_dns_rr rr;
    const char *why;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);

    assert_int_equal(ms__dns_rdata_parse(MS_DNS_A, W(192, 0, 2, 1), arena, &rr, &why), MS_OK);
    assert_int_equal(rr.type, MS_DNS_A);
    assert_memory_equal(rr.u.a, ((uint8_t[]){192, 0, 2, 1}), 4);

    assert_int_equal(ms__dns_rdata_parse(
                         MS_DNS_AAAA, W(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
                         arena, &rr, &why),
                     MS_OK);
    assert_int_equal(rr.u.aaaa[0], 0x20);
    assert_int_equal(rr.u.aaaa[15], 1);

    assert_int_equal(ms__dns_rdata_parse(
                         MS_DNS_MX,
                         W(0, 10, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0),
                         arena, &rr, &why),
                     MS_OK);
    assert_int_equal(rr.u.mx.preference, 10);
    assert_string_equal(rr.u.mx.exchange, "mail.example");

    /* RFC 7505 null MX: preference 0, exchange the root. */
    assert_int_equal(ms__dns_rdata_parse(MS_DNS_MX, W(0, 0, 0), arena, &rr, &why), MS_OK);
    assert_string_equal(rr.u.mx.exchange, "");

    assert_int_equal(ms__dns_rdata_parse(MS_DNS_CNAME, W(1, 'b', 1, 'c', 0), arena, &rr, &why),
                     MS_OK);
    assert_string_equal(rr.u.name, "b.c");
    assert_int_equal(ms__dns_rdata_parse(MS_DNS_PTR, W(4, 'h', 'o', 's', 't', 0), arena, &rr, &why),
                     MS_OK);
    assert_string_equal(rr.u.name, "host");
    assert_int_equal(ms__dns_rdata_parse(MS_DNS_NS, W(2, 'n', 's', 0), arena, &rr, &why), MS_OK);
    assert_string_equal(rr.u.name, "ns");

    /* TXT: character-strings joined, each length kept; an empty string counts. */
    assert_int_equal(
        ms__dns_rdata_parse(MS_DNS_TXT,
                            W(7, 'v', '=', 's', 'p', 'f', '1', ' ', 0, 4, '-', 'a', 'l', 'l'),
                            arena, &rr, &why),
        MS_OK);
    assert_int_equal(rr.u.txt.len, 11);
    assert_memory_equal(rr.u.txt.data, "v=spf1 -all", 12);
    assert_int_equal(rr.u.txt.n_strings, 3);
    assert_int_equal(rr.u.txt.lens[0], 7);
    assert_int_equal(rr.u.txt.lens[1], 0);
    assert_int_equal(rr.u.txt.lens[2], 4);

    /* NUL bytes inside a TXT string are kept (the length tells). */
    assert_int_equal(ms__dns_rdata_parse(MS_DNS_SPF, W(3, 'a', 0, 'b'), arena, &rr, &why), MS_OK);
    assert_int_equal(rr.type, MS_DNS_SPF);
    assert_int_equal(rr.u.txt.len, 3);
    assert_memory_equal(rr.u.txt.data, "a\0b", 4);

    assert_int_equal(
        ms__dns_rdata_parse(MS_DNS_SOA,
                            W(2, 'n', 's', 0, 4, 'h', 'o', 's', 't', 0, 0, 0, 0, 1, 0, 0, 0x0e,
                              0x10, 0, 0, 3, 0x84, 0, 9, 0x3a, 0x80, 0, 0, 1, 0x2c),
                            arena, &rr, &why),
        MS_OK);
    assert_string_equal(rr.u.soa.mname, "ns");
    assert_string_equal(rr.u.soa.rname, "host");
    assert_int_equal(rr.u.soa.serial, 1);
    assert_int_equal(rr.u.soa.refresh, 3600);
    assert_int_equal(rr.u.soa.retry, 900);
    assert_int_equal(rr.u.soa.expire, 604800);
    assert_int_equal(rr.u.soa.minimum, 300);
    ms_arena_free(arena);
}

/* A response: header, question alias.t A, answers alias CNAME b, b CNAME c (compressed). */
/* clang-format off */
static const uint8_t chain_msg[] = {
    0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
    /* 12: question */
    5, 'a', 'l', 'i', 'a', 's', 1, 't', 0, 0, 1, 0, 1,
    /* 25: alias.t CNAME b.t (owner is a pointer to 12) */
    0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 4, 1, 'B', 0xc0, 18,
    /* 41: c.t A 192.0.2.1 (an unrelated record first, to make the walk search) */
    1, 'c', 0xc0, 18, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 192, 0, 2, 1,
    /* 59: b.t CNAME c.t */
    0xc0, 37, 0, 5, 0, 1, 0, 0, 1, 0x2c, 0, 2, 0xc0, 41};
/* clang-format on */

static void test_canon_name(void **state)
{
    (void)state;
    char out[MS_LIMIT_DNS_NAME_TEXT + 1];
    const char *why;
    assert_int_equal(
        ms__dns_msg_canon_name(chain_msg, sizeof(chain_msg), "alias.t", out, sizeof(out), &why),
        MS_OK);
    assert_string_equal(out, "c.t");
    /* No CNAME for the name asked: the name itself. */
    assert_int_equal(
        ms__dns_msg_canon_name(chain_msg, sizeof(chain_msg), "c.t", out, sizeof(out), &why), MS_OK);
    assert_string_equal(out, "c.t");
    /* Case does not matter when matching owners. */
    assert_int_equal(
        ms__dns_msg_canon_name(chain_msg, sizeof(chain_msg), "ALIAS.T", out, sizeof(out), &why),
        MS_OK);
    assert_string_equal(out, "c.t");
    /* Every cut of the message is refused with a reason, never read past. */
    for (size_t len = 0; len < sizeof(chain_msg); len++) {
        why = NULL;
        ms_status st = ms__dns_msg_canon_name(chain_msg, len, "alias.t", out, sizeof(out), &why);
        if (st != MS_ESYNTAX || why == NULL) {
            fail_msg("cut at %zu: got %s, want MS_ESYNTAX with a reason", len, ms_status_name(st));
        }
    }
}

static void test_canon_loop(void **state)
{
    (void)state;
    /* a CNAME b, b CNAME a: the walk stops. */
    /* clang-format off */
    static const uint8_t msg[] = {0, 0, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
                                  /* 12 */ 1, 'a', 0, 0, 1, 0, 1,
                                  /* 19 */ 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 1, 0, 3, 1, 'b', 0,
                                  /* 34 */ 0xc0, 31, 0, 5, 0, 1, 0, 0, 0, 1, 0, 2, 0xc0, 12};
    /* clang-format on */
    char out[64];
    const char *why;
    assert_int_equal(ms__dns_msg_canon_name(msg, sizeof(msg), "a", out, sizeof(out), &why), MS_OK);
    assert_true(strcmp(out, "a") == 0 || strcmp(out, "b") == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_names),      cmocka_unit_test(test_wire_name_lengths),
        cmocka_unit_test(test_rdata_malformed), cmocka_unit_test(test_rdata_good),
        cmocka_unit_test(test_canon_name),      cmocka_unit_test(test_canon_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
