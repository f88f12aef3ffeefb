/* SPDX-License-Identifier: MIT */
/* The receiver pipeline: the same verdicts however the message is cut into chunks, calls out of
 * order refused, upstream verdict fields never believed (bad-inputs DMARC-25), the null sender,
 * and a message over the parse caps. Keys are signed here with the test key of lib/crypto. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_test_util.h"

#include "mailseal/mailseal.h"

static const char ZONE[] =
    "$ORIGIN pipe.test.\n"
    "@ 300 IN TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
    "_dmarc 300 IN TXT \"v=DMARC1; p=reject\"\n"
    "mx 300 IN A 192.0.2.10\n"
    "mx 300 IN TXT \"v=spf1 a -all\"\n";

static const char MSG[] = "Authentication-Results: mx.test; spf=pass smtp.mailfrom=pipe.test;\r\n"
                          " dkim=pass header.d=pipe.test; dmarc=pass header.from=pipe.test\r\n"
                          "Received-SPF: pass (mx.test: helo) identity=helo\r\n"
                          "From: a@pipe.test\r\n"
                          "Subject: hello\r\n"
                          "\r\n"
                          "body\r\n";

typedef struct run {
    ms_arena *arena;
    ms_resolver *zone;
    ms_message *m;
    const ms_verdicts *v;
} run;

static void start(run *r)
{
    r->arena = new_arena(0);
    assert_int_equal(ms_resolver_new_zone(&r->zone), MS_OK);
    assert_int_equal(ms_zone_load_text(r->zone, ZONE, sizeof(ZONE) - 1, NULL, NULL), MS_OK);
    ms_message_options opt;
    ms_message_options_default(&opt);
    opt.authserv_id = "mx.test";
    opt.check_helo = true;
    assert_int_equal(ms_message_new(r->zone, &opt, r->arena, NULL, &r->m), MS_OK);
}

static void finish(run *r)
{
    ms_resolver_free(r->zone);
    ms_arena_free(r->arena);
}

/* Feed msg in chunks of `step` bytes (0: whole) from ip with mail_from, then end. */
static void verify(run *r, const char *msg, size_t step, const char *ip, const char *mail_from)
{
    start(r);
    assert_int_equal(ms_message_connect(r->m, ip, "mx.pipe.test"), MS_OK);
    assert_int_equal(ms_message_envelope(r->m, mail_from), MS_OK);
    size_t len = strlen(msg);
    char *copy = exact(msg, len);
    for (size_t at = 0; at < len;) {
        size_t n = step == 0 || len - at < step ? len - at : step;
        assert_int_equal(ms_message_feed(r->m, copy + at, n), MS_OK);
        at += n;
    }
    assert_int_equal(ms_message_end(r->m), MS_OK);
    free(copy);
    r->v = ms_message_verdicts(r->m);
    assert_non_null(r->v);
}

static void same_verdicts_in_any_chunks(void **state)
{
    (void)state;
    static const size_t STEPS[] = {0, 1, 2, 7, 64};
    const char *first_ar = NULL;
    char *kept = NULL;
    for (size_t i = 0; i < sizeof(STEPS) / sizeof(STEPS[0]); i++) {
        run r;
        verify(&r, MSG, STEPS[i], "192.0.2.10", "a@pipe.test");
        if (r.v->spf->result != MS_SPF_PASS || r.v->dmarc->result != MS_DMARC_PASS ||
            r.v->n_dkim != 0 || r.v->spf_helo == NULL ||
            r.v->spf_helo->result != MS_SPF_PASS) {
            fail_msg("step %zu: got spf %s helo %s dmarc %s dkim %zu, want pass pass pass 0",
                     STEPS[i], ms_spf_result_name(r.v->spf->result),
                     r.v->spf_helo ? ms_spf_result_name(r.v->spf_helo->result) : "-",
                     ms_dmarc_result_name(r.v->dmarc->result), r.v->n_dkim);
        }
        if (first_ar == NULL) {
            kept = strdup(r.v->authentication_results);
            first_ar = kept;
        } else if (strcmp(first_ar, r.v->authentication_results) != 0) {
            fail_msg("step %zu: A-R differs:\n%s\nwant\n%s", STEPS[i],
                     r.v->authentication_results, first_ar);
        }
        finish(&r);
    }
    assert_non_null(strstr(first_ar, "mx.test;"));
    assert_non_null(strstr(first_ar, "spf=pass"));
    assert_non_null(strstr(first_ar, "dkim=none"));
    assert_non_null(strstr(first_ar, "dmarc=pass"));
    free(kept);
}

/* DMARC-25: the forged upstream Authentication-Results and Received-SPF say pass; a stranger
 * sending must still fail. */
static void upstream_fields_not_believed(void **state)
{
    (void)state;
    run r;
    verify(&r, MSG, 0, "203.0.113.9", "a@pipe.test");
    assert_int_equal(r.v->spf->result, MS_SPF_FAIL);
    assert_int_equal(r.v->dmarc->result, MS_DMARC_FAIL);
    assert_int_equal(r.v->dmarc->disposition, MS_DMARC_POLICY_REJECT);
    finish(&r);
}

/* The null sender: SPF checks postmaster@HELO (RFC 7208 §2.4), which DMARC aligns by HELO. */
static void null_sender(void **state)
{
    (void)state;
    run r;
    verify(&r, MSG, 0, "192.0.2.10", "<>");
    assert_int_equal(r.v->spf->result, MS_SPF_PASS);
    assert_string_equal(r.v->spf->domain, "mx.pipe.test");
    assert_int_equal(r.v->dmarc->result, MS_DMARC_PASS);
    finish(&r);
}

static void out_of_order(void **state)
{
    (void)state;
    run r;
    start(&r);
    assert_int_equal(ms_message_feed(r.m, MSG, sizeof(MSG) - 1), MS_OK);
    assert_int_equal(ms_message_end(r.m), MS_EINVAL); /* no connect, no envelope */
    assert_null(ms_message_verdicts(r.m));
    assert_int_equal(ms_message_connect(r.m, "192.0.2.10", NULL), MS_OK);
    assert_int_equal(ms_message_envelope(r.m, "a@pipe.test"), MS_OK);
    assert_int_equal(ms_message_end(r.m), MS_OK);
    assert_int_equal(ms_message_end(r.m), MS_EINVAL); /* once */
    assert_int_equal(ms_message_feed(r.m, "x", 1), MS_EINVAL);
    finish(&r);

    ms_message_options opt;
    ms_message_options_default(&opt); /* no authserv_id */
    ms_arena *a = new_arena(0);
    ms_resolver *zone = NULL;
    assert_int_equal(ms_resolver_new_zone(&zone), MS_OK);
    ms_message *m = NULL;
    assert_int_equal(ms_message_new(zone, &opt, a, NULL, &m), MS_EINVAL);
    assert_null(m);
    ms_resolver_free(zone);
    ms_arena_free(a);
}

/* Over the header parse cap: MS_ELIMIT from feed, with the message layer's reason. */
static void over_the_caps(void **state)
{
    (void)state;
    run r;
    start(&r);
    size_t n = 2u * 1024u * 1024u;
    char *big = malloc(n);
    assert_non_null(big);
    memcpy(big, "X-Big: ", 7);
    memset(big + 7, 'a', n - 7);
    ms_status st = ms_message_feed(r.m, big, n);
    assert_int_equal(st, MS_ELIMIT);
    assert_non_null(ms_message_error(r.m));
    assert_non_null(ms_message_error(r.m)->reason);
    free(big);
    finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_verdicts_in_any_chunks),
        cmocka_unit_test(upstream_fields_not_believed),
        cmocka_unit_test(null_sender),
        cmocka_unit_test(out_of_order),
        cmocka_unit_test(over_the_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
