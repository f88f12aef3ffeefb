/* SPDX-License-Identifier: MIT */
/* Received fields as real MTAs write them (RFC 5321 §4.4) and Return-Path (RFC 5322 §3.6.7):
 * the client's address, HELO name and reverse-DNS name read back from each shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/msg.h"

typedef struct rcase {
    const char *name;
    const char *text;
    const char *ip, *helo, *rdns, *by, *envelope_from; /* NULL: want none */
} rcase;

static const rcase OK[] = {
    {"postfix",
     "from mail.shop.example (mail.shop.example [192.0.2.10])\r\n\tby mx.example.org "
     "(Postfix) with ESMTPS id 4ABC; Sun, 29 Nov 2026 10:00:00 +0000",
     "192.0.2.10", "mail.shop.example", "mail.shop.example", "mx.example.org", NULL},
    {"gmail from amazon ses",
     "from a48-93.smtp-out.amazonses.com (a48-93.smtp-out.amazonses.com. [54.240.48.93])\r\n"
     "        by mx.google.com with ESMTPS id x5-20020a05;\r\n        Sun, 29 Nov 2026 10:00:00 "
     "-0800 (PST)",
     "54.240.48.93", "a48-93.smtp-out.amazonses.com", "a48-93.smtp-out.amazonses.com",
     "mx.google.com", NULL},
    {"helo differs from rdns", "from client.local (host-1.isp.example [198.51.100.7]) by mx.t; d",
     "198.51.100.7", "client.local", "host-1.isp.example", "mx.t", NULL},
    {"exim helo=",
     "from [203.0.113.5] (helo=mail.example.net)\r\n\tby mx.t with esmtps (Exim "
     "4.96)\r\n\t(envelope-from <bounce@example.net>)\r\n\tid 1abc; date",
     "203.0.113.5", "mail.example.net", NULL, "mx.t", "<bounce@example.net>"},
    {"exim rdns ([ip] helo=)",
     "from host.example.net ([203.0.113.5] helo=mail.example.net) by mx.t", "203.0.113.5",
     "mail.example.net", "host.example.net", "mx.t", NULL},
    {"exim rdns ([ip])", "from mail.example.net ([203.0.113.5]) by mx.t", "203.0.113.5",
     "mail.example.net", NULL, "mx.t", NULL},
    {"qmail HELO", "from unknown (HELO mail.example.com) (192.0.2.1)\r\n  by mx.t with SMTP; date",
     "192.0.2.1", "mail.example.com", NULL, "mx.t", NULL},
    {"ipv6 literal", "from mail.example.com (mail.example.com [IPv6:2001:db8::25]) by mx.t; d",
     "2001:db8::25", "mail.example.com", "mail.example.com", "mx.t", NULL},
    {"ipv6 bare in brackets", "from mail.example.com (mail.example.com [2001:db8::25]) by mx.t",
     "2001:db8::25", "mail.example.com", "mail.example.com", "mx.t", NULL},
    {"microsoft",
     "from EUR05-AM6-obe.outbound.protection.outlook.com\r\n (mail-am6eur05on2101.outbound."
     "protection.outlook.com [40.107.22.101])\r\n by mx.t (Postfix) with ESMTPS id 4; date",
     "40.107.22.101", "EUR05-AM6-obe.outbound.protection.outlook.com",
     "mail-am6eur05on2101.outbound.protection.outlook.com", "mx.t", NULL},
    {"sendmail envelope-from",
     "from relay.example.com (relay.example.com [192.0.2.4]) (authenticated bits=0)\r\n\tby mx.t "
     "(8.17.1/8.17.1) with ESMTPSA id 2T (envelope-from <a@example.com>); date",
     "192.0.2.4", "relay.example.com", "relay.example.com", "mx.t", NULL},
    {"nested comment", "from h.example ((nested) h.example [192.0.2.9]) by mx.t", "192.0.2.9",
     "h.example", "h.example", "mx.t", NULL},
    {"no address", "from localhost by mx.t with LMTP", NULL, "localhost", NULL, "mx.t", NULL},
    {"unknown is not a helo", "from unknown (HELO [192.0.2.1]) ([192.0.2.1]) by mx.t", "192.0.2.1",
     "[192.0.2.1]", NULL, "mx.t", NULL},
};

static void check_str(const char *what, const char *name, const char *got, const char *want)
{
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
        fail_msg("%s: %s: got %s, want %s", name, what, got ? got : "(none)",
                 want ? want : "(none)");
    }
}

static void shapes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(OK) / sizeof(OK[0]); i++) {
        const rcase *c = &OK[i];
        ms_arena *arena = new_arena(0);
        const ms_msg_received *r = NULL;
        ms_msg_error err;
        ms_status st = ms_msg_received_parse(c->text, strlen(c->text), arena, &r, &err);
        if (st != MS_OK) {
            fail_msg("%s: got %s (%s), want MS_OK", c->name, ms_status_name(st),
                     err.reason ? err.reason : "");
        }
        check_str("ip", c->name, r->ip, c->ip);
        check_str("helo", c->name, r->helo, c->helo);
        check_str("rdns", c->name, r->rdns, c->rdns);
        check_str("by", c->name, r->by, c->by);
        if (c->envelope_from != NULL) {
            check_str("envelope-from", c->name, r->envelope_from, c->envelope_from);
        }
        ms_arena_free(arena);
    }
}

typedef struct bad_case {
    const char *name;
    const char *text;
    ms_status want;
    const char *reason_has;
} bad_case;

static void errors(void **state)
{
    (void)state;
    static const bad_case BAD[] = {
        {"no from clause", "by mx.google.com with SMTP id 2002:a05; date", MS_ESYNTAX, "from"},
        {"unterminated comment", "from a.example (a.example [192.0.2.1] by mx.t", MS_ESYNTAX,
         "unterminated"},
        {"nested too deep", "from a ((((((((((x)))))))))) by b", MS_ESYNTAX, "deep"},
        {"empty", "", MS_ESYNTAX, "from"},
    };
    for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        ms_arena *arena = new_arena(0);
        const ms_msg_received *r = NULL;
        ms_msg_error err;
        ms_status st = ms_msg_received_parse(BAD[i].text, strlen(BAD[i].text), arena, &r, &err);
        if (st != BAD[i].want || r != NULL || err.reason == NULL ||
            strstr(err.reason, BAD[i].reason_has) == NULL) {
            fail_msg("%s: got %s (%s), want %s with \"%s\"", BAD[i].name, ms_status_name(st),
                     err.reason ? err.reason : "no reason", ms_status_name(BAD[i].want),
                     BAD[i].reason_has);
        }
        ms_arena_free(arena);
    }
}

/* Not NUL-terminated: the parser stops at len. */
static void length_bound(void **state)
{
    (void)state;
    const char text[] = "from a.example (a.example [192.0.2.1]) by mx.tXXXX";
    ms_arena *arena = new_arena(0);
    const ms_msg_received *r = NULL;
    assert_int_equal(ms_msg_received_parse(text, strlen(text) - 4, arena, &r, NULL), MS_OK);
    assert_string_equal(r->by, "mx.t");
    ms_arena_free(arena);
}

static void return_path(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } CASES[] = {
        {" <bounce@shop.example>", "bounce@shop.example"},
        {"<>", ""},
        {"  < a@b.example >  ", "a@b.example"},
        {"<0100018c-ab@amazonses.com>", "0100018c-ab@amazonses.com"},
    };
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        ms_arena *arena = new_arena(0);
        const char *got = NULL;
        assert_int_equal(
            ms_msg_return_path(CASES[i].text, strlen(CASES[i].text), arena, &got, NULL), MS_OK);
        check_str("return-path", CASES[i].text, got, CASES[i].want);
        ms_arena_free(arena);
    }
    ms_arena *arena = new_arena(0);
    const char *got = NULL;
    ms_msg_error err;
    assert_int_equal(ms_msg_return_path("a@b.example", 11, arena, &got, &err), MS_ESYNTAX);
    assert_null(got);
    assert_non_null(err.reason);
    assert_int_equal(ms_msg_return_path("<a b@c>", 7, arena, &got, &err), MS_ESYNTAX);
    ms_arena_free(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shapes),
        cmocka_unit_test(errors),
        cmocka_unit_test(length_bound),
        cmocka_unit_test(return_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
