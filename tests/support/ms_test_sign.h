/* SPDX-License-Identifier: MIT */
/* Signing a test message with one key (selector "sel"): the DKIM-Signature field to put on
 * top of it. Include after <cmocka.h>; the test fails if signing does not work. */
#ifndef MS_TEST_SIGN_H
#define MS_TEST_SIGN_H

#include <string.h>

#include "mailseal/dkim.h"
#include "mailseal/msg.h"

/* The field for msg (header and body) signed by d=domain with the PEM key; headers: the h=
 * list (NULL: the signer's default); foreign: sign a From of another domain too. */
static inline const char *ms_test_sign(ms_arena *arena, const char *pem, const char *domain,
                                       const char *headers, bool foreign, const char *msg)
{
    ms_dkim_signer_options o;
    ms_dkim_signer_options_default(&o);
    o.domain = domain;
    o.headers = headers;
    o.allow_foreign_from = foreign;
    ms_dkim_signer *signer = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(ms_dkim_signer_new(&o, &signer, &err), MS_OK);
    assert_int_equal(ms_dkim_signer_add_key(signer, "sel", pem, strlen(pem), &err), MS_OK);
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_parse(msg, strlen(msg), NULL, arena, &m, NULL), MS_OK);
    ms_dkim_signing *g = NULL;
    assert_int_equal(ms_dkim_signing_new(signer, m, 0, arena, &g, &err), MS_OK);
    size_t blen = 0;
    const char *body = ms_msg_body(m, &blen);
    assert_int_equal(ms_dkim_signing_body(g, body, blen), MS_OK);
    const char *sig = NULL;
    size_t len = 0;
    assert_int_equal(ms_dkim_signing_end(g, &sig, &len), MS_OK);
    ms_dkim_signer_free(signer);
    return sig;
}

#endif
