/* SPDX-License-Identifier: MIT */
/* The DKIM signer (RFC 6376 §5) against the verifier (§6): round trips with both algorithms
 * and canonicalizations, dual signing, LF files, empty bodies, tampering and oversigning
 * (§5.4.2), the refusals of bad-inputs DKIM-29, and RFC 8463 A.3 made again byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/base64.h"
#include "crypto/test_keys.h"
#include "dkim/sign.h"
#include "dkim/signature.h"
#include "mailseal/dkim.h"
#include "mailseal/dkimkey.h"
#include "mailseal/dns.h"
#include "mailseal/msg.h"

#include "ms_expect.h"

#define NOW 1700000000LL
#define DOMAIN "example.com"

static ms_resolver *zone;
static char *rsa_pem, *ed_pem;

static const char MSG[] = "Received: from x by y; Mon, 13 Nov 2023 22:13:20 +0000\r\n"
                          "From: Alice <alice@example.com>\r\n"
                          "To: Bob <bob@example.net>\r\n"
                          "Subject: Lunch\r\n"
                          "Date: Mon, 13 Nov 2023 22:13:20 +0000\r\n"
                          "Message-ID: <1@example.com>\r\n"
                          "List-Unsubscribe: <https://example.com/u>\r\n"
                          "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                          "\r\n"
                          "Hello  Bob, \r\n"
                          "\r\n"
                          "see you.\r\n"
                          "\r\n";

/* TXT at owner, split into 255-octet strings as a DNS server holds it. */
static void add_key(const char *owner, const char *type, const char *p)
{
    char value[2048];
    int n = snprintf(value, sizeof(value), "v=DKIM1; k=%s; p=%s", type, p);
    assert_true(n > 0 && (size_t)n < sizeof(value));
    uint8_t lens[16];
    size_t k = 0;
    for (size_t left = (size_t)n; left > 0; left -= lens[k - 1]) {
        lens[k++] = (uint8_t)(left > 255 ? 255 : left);
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = value;
    rr.u.txt.len = (size_t)n;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = k;
    assert_int_equal(ms_zone_add(zone, owner, &rr), MS_OK);
}

static char *new_key(ms_dkim_key_type type, const char *owner)
{
    ms_dkim_keypair *kp = NULL;
    assert_int_equal(ms_dkim_keypair_generate(type, 0, &kp), MS_OK);
    size_t len = 0;
    add_key(owner, ms_dkim_key_type_name(type), ms_dkim_keypair_public_b64(kp, &len));
    char *pem = strdup(ms_dkim_keypair_private_pem(kp, &len));
    ms_dkim_keypair_free(kp);
    return pem;
}

static int setup(void **state)
{
    (void)state;
    if (ms_resolver_new_zone(&zone) != MS_OK) {
        return -1;
    }
    rsa_pem = new_key(MS_DKIM_KEY_RSA, "rsa._domainkey.example.com");
    ed_pem = new_key(MS_DKIM_KEY_ED25519, "ed._domainkey.example.com");
    add_key("brisbane._domainkey.football.example.com", "ed25519", RFC8463_ED25519_P);
    add_key("test._domainkey.football.example.com", "rsa", RFC8463_RSA_P);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ms_resolver_free(zone);
    free(rsa_pem);
    free(ed_pem);
    return 0;
}

static ms_dkim_signer *new_signer(const ms_dkim_signer_options *opt, int keys)
{
    ms_dkim_signer *s = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(ms_dkim_signer_new(opt, &s, &err), MS_OK);
    if (keys & 1) {
        assert_int_equal(ms_dkim_signer_add_key(s, "rsa", rsa_pem, strlen(rsa_pem), &err), MS_OK);
    }
    if (keys & 2) {
        assert_int_equal(ms_dkim_signer_add_key(s, "ed", ed_pem, strlen(ed_pem), &err), MS_OK);
    }
    return s;
}

/* Sign msg; *signed_msg (malloc) is the fields, with LF line ends when lf, then msg. */
static ms_status sign(const ms_dkim_signer *s, const char *msg, long long now, bool lf,
                      char **signed_msg, ms_dkim_sign_error *err)
{
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_parse(msg, strlen(msg), NULL, arena, &m, NULL), MS_OK);
    ms_dkim_signing *g = NULL;
    memset(err, 0, sizeof(*err));
    ms_status st = ms_dkim_signing_new(s, m, now, arena, &g, err);
    *signed_msg = NULL;
    if (st == MS_OK) {
        size_t body_len = 0;
        const char *body = ms_msg_body(m, &body_len);
        /* In small chunks: a CRLF may fall across two. */
        for (size_t i = 0; i < body_len && st == MS_OK; i += 7) {
            st = ms_dkim_signing_body(g, body + i, body_len - i < 7 ? body_len - i : 7);
        }
        const char *fields = NULL;
        size_t len = 0;
        assert_int_equal(st, MS_OK);
        assert_int_equal(ms_dkim_signing_end(g, &fields, &len), MS_OK);
        assert_int_equal(strlen(fields), len);
        char *out = malloc(len + strlen(msg) + 1);
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            if (!(lf && fields[i] == '\r')) {
                out[k++] = fields[i];
            }
        }
        memcpy(out + k, msg, strlen(msg) + 1);
        *signed_msg = out;
    }
    ms_arena_free(arena);
    return st;
}

/* Verify; the results in order, as a string of result names ("pass,fail"). */
static void verify(const char *msg, long long now, char *out, size_t size)
{
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_parse(msg, strlen(msg), NULL, arena, &m, NULL), MS_OK);
    ms_dkim_verify_options opt;
    ms_dkim_verify_options_default(&opt);
    opt.now = now;
    ms_dkim_verifier *v = NULL;
    assert_int_equal(ms_dkim_verifier_new(zone, &opt, m, arena, NULL, &v), MS_OK);
    size_t body_len = 0;
    const char *body = ms_msg_body(m, &body_len);
    assert_int_equal(ms_dkim_verifier_body(v, body, body_len), MS_OK);
    const ms_dkim_sig_result *r = NULL;
    size_t n = 0;
    assert_int_equal(ms_dkim_verifier_end(v, &r, &n), MS_OK);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i ? "," : "", ms_dkim_result_name(r[i].result));
    }
    ms_arena_free(arena);
}

/* Lines no longer than 78 columns (TAB = 8), every one after the first folded, no l=. */
static void check_form(const char *name, const char *signed_msg, const char *msg)
{
    const char *end = signed_msg + strlen(signed_msg) - strlen(msg);
    size_t col = 0;
    for (const char *p = signed_msg; p < end; p++) {
        if (*p == '\n') {
            EXPECT(col <= 78, "%s: a line of %zu columns, want <= 78", name, col);
            EXPECT(p[1] == '\t' || strncmp(p + 1, "DKIM-Signature:", 15) == 0 || p + 1 == end,
                   "%s: a line that does not start with TAB", name);
            col = 0;
        } else if (*p != '\r') {
            col += *p == '\t' ? 8 : 1;
        }
    }
    EXPECT(strstr(signed_msg, " l=") == NULL && strstr(signed_msg, "\tl=") == NULL,
           "%s: l= in the signature (bad-inputs DKIM-01)", name);
}

/* Replace the first occurrence of from by to (malloc). */
static char *edit(const char *msg, const char *from, const char *to)
{
    const char *at = strstr(msg, from);
    assert_non_null(at);
    size_t head = (size_t)(at - msg), fl = strlen(from), tl = strlen(to);
    char *out = malloc(strlen(msg) - fl + tl + 1);
    memcpy(out, msg, head);
    memcpy(out + head, to, tl);
    memcpy(out + head + tl, at + fl, strlen(at + fl) + 1);
    return out;
}

typedef struct roundtrip_case {
    const char *name;
    int keys; /* 1 rsa, 2 ed25519, 3 both */
    ms_dkim_canon ch, cb;
    bool lf;
    const char *msg;
    const char *want;
} roundtrip_case;

static const char LF_MSG[] = "From: alice@example.com\nTo: bob@example.net\nSubject: a\n"
                             " folded subject\n\nline one\n\n\nline  two \n\n\n";
static const char EMPTY_BODY[] = "From: alice@example.com\r\nSubject: empty\r\n\r\n";
static const char NO_BODY[] = "From: alice@mail.example.com\r\nSubject: no body\r\n";

static const roundtrip_case ROUNDTRIPS[] = {
    {"rsa relaxed", 1, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_RELAXED, false, MSG, "pass"},
    {"rsa simple", 1, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_SIMPLE, false, MSG, "pass"},
    {"ed25519 relaxed", 2, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_RELAXED, false, MSG, "pass"},
    {"ed25519 simple/relaxed", 2, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_RELAXED, false, MSG, "pass"},
    {"dual relaxed", 3, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_RELAXED, false, MSG, "pass,pass"},
    {"dual simple", 3, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_SIMPLE, false, MSG, "pass,pass"},
    {"LF file relaxed", 3, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_RELAXED, true, LF_MSG, "pass,pass"},
    {"LF file simple", 3, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_SIMPLE, true, LF_MSG, "pass,pass"},
    {"empty body relaxed", 3, MS_DKIM_CANON_RELAXED, MS_DKIM_CANON_RELAXED, false, EMPTY_BODY,
     "pass,pass"},
    {"empty body simple", 3, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_SIMPLE, false, EMPTY_BODY,
     "pass,pass"},
    {"no body, subdomain From", 1, MS_DKIM_CANON_SIMPLE, MS_DKIM_CANON_SIMPLE, false, NO_BODY,
     "pass"},
};

static void test_roundtrip(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(ROUNDTRIPS) / sizeof(ROUNDTRIPS[0]); i++) {
        const roundtrip_case *c = &ROUNDTRIPS[i];
        ms_dkim_signer_options opt;
        ms_dkim_signer_options_default(&opt);
        opt.domain = DOMAIN;
        opt.canon_header = c->ch;
        opt.canon_body = c->cb;
        ms_dkim_signer *s = new_signer(&opt, c->keys);
        char *signed_msg = NULL;
        ms_dkim_sign_error err;
        ms_status st = sign(s, c->msg, NOW, c->lf, &signed_msg, &err);
        EXPECT(st == MS_OK, "%s: got %s (%s), want MS_OK", c->name, ms_status_name(st),
               err.reason ? err.reason : "");
        if (signed_msg != NULL) {
            char got[64];
            verify(signed_msg, NOW + 10, got, sizeof(got));
            EXPECT(strcmp(got, c->want) == 0, "%s: got %s, want %s", c->name, got, c->want);
            check_form(c->name, signed_msg, c->msg);
            EXPECT(strstr(signed_msg, "t=1700000000;") != NULL, "%s: t= missing", c->name);
            EXPECT(strstr(signed_msg, " x=") == NULL, "%s: x= without expire_s", c->name);
        }
        free(signed_msg);
        ms_dkim_signer_free(s);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct tamper_case {
    const char *name;
    const char *from, *to; /* the edit made after signing */
    const char *want;
} tamper_case;

static const tamper_case TAMPERS[] = {
    {"untouched", "Subject: Lunch", "Subject: Lunch", "pass,pass"},
    {"signed header changed", "Subject: Lunch", "Subject: Dinner", "fail,fail"},
    {"body changed", "see you.", "see you!", "fail,fail"},
    {"body line added", "see you.\r\n", "see you.\r\nP.S.\r\n", "fail,fail"},
    {"second From on top (oversigned)",
     "Received:", "From: Mallory <m@example.com>\r\nReceived:", "fail,fail"},
    {"second From below", "To: Bob", "From: Mallory <m@example.com>\r\nTo: Bob", "fail,fail"},
    {"second Subject", "Received:", "Subject: Pay now\r\nReceived:", "fail,fail"},
    {"Reply-To added (absent, oversigned)",
     "Received:", "Reply-To: m@evil.example\r\nReceived:", "fail,fail"},
    {"Cc added (absent, oversigned)", "Received:", "Cc: m@evil.example\r\nReceived:", "fail,fail"},
    {"unsigned field added", "Received:", "X-Mailer: anything\r\nReceived:", "pass,pass"},
    {"relaxed: whitespace changes pass", "Subject: Lunch", "subject:    Lunch  ", "pass,pass"},
};

static void test_tamper(void **state)
{
    (void)state;
    n_bad = 0;
    ms_dkim_signer_options opt;
    ms_dkim_signer_options_default(&opt);
    opt.domain = DOMAIN;
    ms_dkim_signer *s = new_signer(&opt, 3);
    char *signed_msg = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(sign(s, MSG, NOW, false, &signed_msg, &err), MS_OK);
    for (size_t i = 0; i < sizeof(TAMPERS) / sizeof(TAMPERS[0]); i++) {
        const tamper_case *c = &TAMPERS[i];
        char *changed = edit(signed_msg, c->from, c->to);
        char got[64];
        verify(changed, NOW + 10, got, sizeof(got));
        EXPECT(strcmp(got, c->want) == 0, "%s: got %s, want %s", c->name, got, c->want);
        free(changed);
    }
    free(signed_msg);
    ms_dkim_signer_free(s);
    assert_int_equal(n_bad, 0);
}

/* The h= of the first signature in signed_msg, through the signature parser. */
static void first_h(const char *signed_msg, char *out, size_t size)
{
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    const char *v = signed_msg + strlen("DKIM-Signature:");
    const char *end = strstr(v, "\r\n");
    while (end[2] == '\t') {
        end = strstr(end + 2, "\r\n");
    }
    const ms__dkim_sig *sig = NULL;
    ms__dkim_error err;
    assert_int_equal(ms__dkim_sig_parse(v, (size_t)(end - v), arena, &sig, &err), MS_OK);
    out[0] = '\0';
    for (size_t i = 0; i < sig->n_h; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i ? ":" : "", sig->h[i]);
    }
    ms_arena_free(arena);
}

typedef struct headers_case {
    const char *name;
    const char *headers;
    const char *want;
} headers_case;

static const headers_case HEADERS[] = {
    {"default set", NULL,
     "from:from:reply-to:subject:subject:date:date:to:to:cc:message-id:message-id:content-type:"
     "list-unsubscribe:list-unsubscribe-post"},
    {"given list, From added and oversigned", "Subject:X-Custom:List-Unsubscribe",
     "from:Subject:X-Custom:List-Unsubscribe:from:Subject"},
    {"given list already oversigned", "from:from:to:to:to", "from:from:to:to:to"},
    {"spaces around names", " from : date ", "from:date:from:date"},
};

static void test_headers(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(HEADERS) / sizeof(HEADERS[0]); i++) {
        const headers_case *c = &HEADERS[i];
        ms_dkim_signer_options opt;
        ms_dkim_signer_options_default(&opt);
        opt.domain = DOMAIN;
        opt.headers = c->headers;
        ms_dkim_signer *s = new_signer(&opt, 2);
        char *signed_msg = NULL;
        ms_dkim_sign_error err;
        assert_int_equal(sign(s, MSG, NOW, false, &signed_msg, &err), MS_OK);
        char got[512];
        first_h(signed_msg, got, sizeof(got));
        EXPECT(strcmp(got, c->want) == 0, "%s: got h=%s, want h=%s", c->name, got, c->want);
        verify(signed_msg, NOW + 10, got, sizeof(got));
        EXPECT(strcmp(got, "pass") == 0, "%s: got %s, want pass", c->name, got);
        free(signed_msg);
        ms_dkim_signer_free(s);
    }
    assert_int_equal(n_bad, 0);
}

static void test_expire(void **state)
{
    (void)state;
    n_bad = 0;
    ms_dkim_signer_options opt;
    ms_dkim_signer_options_default(&opt);
    opt.domain = DOMAIN;
    opt.expire_s = 3600;
    ms_dkim_signer *s = new_signer(&opt, 2);
    char *signed_msg = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(sign(s, MSG, NOW, false, &signed_msg, &err), MS_OK);
    assert_non_null(strstr(signed_msg, "t=1700000000; x=1700003600;"));
    char got[64];
    verify(signed_msg, NOW + 3599, got, sizeof(got));
    assert_string_equal(got, "pass");
    verify(signed_msg, NOW + 3601, got, sizeof(got));
    assert_string_equal(got, "permerror");
    free(signed_msg);
    ms_dkim_signer_free(s);
}

typedef struct refusal_case {
    const char *name;
    const char *from_fields; /* replaces "From: Alice <alice@example.com>\r\n" */
    bool allow_foreign;
    ms_status want_st;
    ms_dkim_refusal want;
} refusal_case;

static const refusal_case REFUSALS[] = {
    {"two From fields", "From: alice@example.com\r\nFrom: admin@example.com\r\n", false, MS_ESYNTAX,
     MS_DKIM_REFUSAL_NO_AUTHOR},
    {"From with two mailboxes", "From: alice@example.com, bob@example.com\r\n", false, MS_ESYNTAX,
     MS_DKIM_REFUSAL_NO_AUTHOR},
    {"From with an escaped comma", "From: admin@p\\,<user@p>\r\n", false, MS_ESYNTAX,
     MS_DKIM_REFUSAL_NO_AUTHOR},
    {"From as a group", "From: team: alice@example.com;\r\n", false, MS_ESYNTAX,
     MS_DKIM_REFUSAL_NO_AUTHOR},
    {"no From", "", false, MS_ESYNTAX, MS_DKIM_REFUSAL_NO_AUTHOR},
    {"obsolete 'From :' as a second From", "From: alice@example.com\r\nFrom : x@example.com\r\n",
     false, MS_ESYNTAX, MS_DKIM_REFUSAL_NO_AUTHOR},
    {"From domain outside d=", "From: alice@example.org\r\n", false, MS_EINVAL,
     MS_DKIM_REFUSAL_FROM_DOMAIN},
    {"From domain that only ends like d=", "From: alice@badexample.com\r\n", false, MS_EINVAL,
     MS_DKIM_REFUSAL_FROM_DOMAIN},
    {"From domain a literal", "From: alice@[192.0.2.1]\r\n", false, MS_EINVAL,
     MS_DKIM_REFUSAL_FROM_DOMAIN},
    {"From domain outside d=, allowed", "From: alice@example.org\r\n", true, MS_OK,
     MS_DKIM_REFUSAL_NONE},
    {"From in a subdomain of d=", "From: alice@News.Example.COM\r\n", false, MS_OK,
     MS_DKIM_REFUSAL_NONE},
    {"mixed line ends", "From: alice@example.com\nX-A: b\r\n", false, MS_ESYNTAX,
     MS_DKIM_REFUSAL_AMBIGUOUS},
};

static void test_refusals(void **state)
{
    (void)state;
    n_bad = 0;
    ms_dkim_signer_options opt;
    ms_dkim_signer_options_default(&opt);
    opt.domain = DOMAIN;
    for (size_t i = 0; i < sizeof(REFUSALS) / sizeof(REFUSALS[0]); i++) {
        const refusal_case *c = &REFUSALS[i];
        opt.allow_foreign_from = c->allow_foreign;
        ms_dkim_signer *s = new_signer(&opt, 1);
        char *msg = edit(MSG, "From: Alice <alice@example.com>\r\n", c->from_fields);
        char *signed_msg = NULL;
        ms_dkim_sign_error err;
        ms_status st = sign(s, msg, NOW, false, &signed_msg, &err);
        EXPECT(st == c->want_st && err.kind == c->want, "%s: got %s %s (%s: %s), want %s %s",
               c->name, ms_status_name(st), ms_dkim_refusal_name(err.kind),
               err.reason ? err.reason : "", err.detail, ms_status_name(c->want_st),
               ms_dkim_refusal_name(c->want));
        EXPECT(st == MS_OK || (err.reason != NULL && strstr(err.reason, "RFC") != NULL),
               "%s: a refusal without a reason citing its RFC", c->name);
        EXPECT((st == MS_OK) == (signed_msg != NULL), "%s: output and status disagree", c->name);
        free(signed_msg);
        free(msg);
        ms_dkim_signer_free(s);
    }
    assert_int_equal(n_bad, 0);
}

typedef struct options_case {
    const char *name;
    const char *domain, *auid, *headers, *selector;
    ms_status want;
} options_case;

static const options_case OPTIONS[] = {
    {"good", "example.com", "@example.com", "from:to", "s1", MS_OK},
    {"auid in a subdomain", "example.com", "news@mail.example.com", NULL, "s1", MS_OK},
    {"no domain", NULL, NULL, NULL, "s1", MS_EINVAL},
    {"one-label domain", "com", NULL, NULL, "s1", MS_EINVAL},
    {"domain with a space", "exa mple.com", NULL, NULL, "s1", MS_EINVAL},
    {"auid outside d=", "example.com", "a@example.org", NULL, "s1", MS_EINVAL},
    {"auid without @", "example.com", "example.com", NULL, "s1", MS_EINVAL},
    {"auid with ';'", "example.com", "a;b@example.com", NULL, "s1", MS_EINVAL},
    {"empty header name", "example.com", NULL, "from::to", "s1", MS_EINVAL},
    {"header name with a space", "example.com", NULL, "fr om", "s1", MS_EINVAL},
    {"bad selector", "example.com", NULL, NULL, "s_1!", MS_EINVAL},
    {"dotted selector", "example.com", NULL, NULL, "2024.eu", MS_OK},
};

static void test_options(void **state)
{
    (void)state;
    n_bad = 0;
    for (size_t i = 0; i < sizeof(OPTIONS) / sizeof(OPTIONS[0]); i++) {
        const options_case *c = &OPTIONS[i];
        ms_dkim_signer_options opt;
        ms_dkim_signer_options_default(&opt);
        opt.domain = c->domain;
        opt.auid = c->auid;
        opt.headers = c->headers;
        ms_dkim_signer *s = NULL;
        ms_dkim_sign_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_dkim_signer_new(&opt, &s, &err);
        if (st == MS_OK) {
            st = ms_dkim_signer_add_key(s, c->selector, ed_pem, strlen(ed_pem), &err);
        }
        EXPECT(st == c->want, "%s: got %s (%s), want %s", c->name, ms_status_name(st),
               err.reason ? err.reason : "", ms_status_name(c->want));
        EXPECT(st == MS_OK || err.kind == MS_DKIM_REFUSAL_OPTIONS, "%s: kind %s, want OPTIONS",
               c->name, ms_dkim_refusal_name(err.kind));
        ms_dkim_signer_free(s);
    }
    /* A key that is not one, and a signer without keys. */
    ms_dkim_signer_options opt;
    ms_dkim_signer_options_default(&opt);
    opt.domain = DOMAIN;
    ms_dkim_signer *s = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(ms_dkim_signer_new(&opt, &s, &err), MS_OK);
    assert_int_not_equal(ms_dkim_signer_add_key(s, "k", "not a key", 9, &err), MS_OK);
    assert_int_equal(err.kind, MS_DKIM_REFUSAL_KEY);
    char *signed_msg = NULL;
    assert_int_equal(sign(s, MSG, NOW, false, &signed_msg, &err), MS_EINVAL);
    assert_int_equal(err.kind, MS_DKIM_REFUSAL_OPTIONS);
    ms_dkim_signer_free(s);
    assert_int_equal(n_bad, 0);
}

/* ---- RFC 8463 Appendix A.3, made again ------------------------------------------------- */

static const char DKIMPY_MSG[] = "From: Joe SixPack <joe@football.example.com>\n"
                                 "To: Suzie Q <suzie@shopping.example.net>\n"
                                 "Subject: Is dinner ready?\n"
                                 "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
                                 "Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
                                 "\n"
                                 "Hi.\n"
                                 "\n"
                                 "We lost the game.  Are you hungry yet?\n"
                                 "\n"
                                 "Joe.\n"
                                 "\n";

/* shared/conformance/dkim/rfc8463/dkimpy-rfc6376.msg (SOURCES.md §3a) when it is there. */
static char *read_dkimpy_msg(void)
{
    const char *src = getenv("MS_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/../shared/conformance/dkim/rfc8463/dkimpy-rfc6376.msg",
             src ? src : ".");
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        print_message("note: %s not found; using the copy in this test\n", path);
        return strdup(DKIMPY_MSG);
    }
    char *buf = calloc(1, 4096);
    size_t n = fread(buf, 1, 4095, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, DKIMPY_MSG);
    return buf;
}

/* The b= value of the nth (0-based) signature in text, FWS removed. */
static void b_value(const char *text, size_t nth, char *out, size_t size)
{
    const char *p = text;
    for (size_t i = 0; i <= nth; i++) {
        p = strstr(i == 0 ? p : p + 1, "DKIM-Signature:");
        assert_non_null(p);
    }
    const char *b = NULL;
    for (const char *q = p + 1; *q; q++) {
        if (q[0] == 'b' && q[1] == '=' && (q[-1] == ' ' || q[-1] == '\t')) {
            b = q + 2;
            break;
        }
    }
    assert_non_null(b);
    size_t k = 0;
    for (; *b && *b != ';' && k + 1 < size; b++) {
        if (*b == '\r' || *b == '\n') {
            if (b[0] == '\n' && b[1] != ' ' && b[1] != '\t') {
                break;
            }
            continue;
        }
        if (*b != ' ' && *b != '\t') {
            out[k++] = *b;
        }
    }
    out[k] = '\0';
}

static void test_rfc8463_a3(void **state)
{
    (void)state;
    n_bad = 0;
    uint8_t der[48] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                       0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
    size_t n = 0;
    assert_int_equal(ms__base64_decode(RFC8463_ED25519_SEED, strlen(RFC8463_ED25519_SEED), 0,
                                       der + 16, 32, &n, NULL),
                     MS_OK);
    char b64[80], a1_ed_pem[200];
    assert_int_equal(ms__base64_encode(der, sizeof(der), b64, sizeof(b64), NULL), MS_OK);
    snprintf(a1_ed_pem, sizeof(a1_ed_pem),
             "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64);

    ms_dkim_signer_options opt;
    ms_dkim_signer_options_default(&opt);
    opt.domain = "football.example.com";
    opt.auid = "@football.example.com";
    opt.headers = "from:to:subject:date:message-id:from:subject:date";
    ms_dkim_signer *s = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(ms_dkim_signer_new(&opt, &s, &err), MS_OK);
    /* A.3's form: q= written, " : " between h= names, its h= exactly (To and Message-ID not
     * oversigned). */
    ms__dkim_sign_format fmt = {.with_q = true, .h_sep = " : ", .exact_headers = true};
    ms__dkim_signer_set_format(s, &fmt);
    assert_int_equal(ms_dkim_signer_add_key(s, "brisbane", a1_ed_pem, strlen(a1_ed_pem), &err),
                     MS_OK);
    assert_int_equal(
        ms_dkim_signer_add_key(s, "test", RFC8463_RSA_PEM, strlen(RFC8463_RSA_PEM), &err), MS_OK);
    char *msg = read_dkimpy_msg();
    char *signed_msg = NULL;
    assert_int_equal(sign(s, msg, 1528637909LL, true, &signed_msg, &err), MS_OK);

    char got[1024], want[1024];
    b_value(signed_msg, 0, got, sizeof(got));
    b_value("x DKIM-Signature: b=" RFC8463_ED25519_B ";", 0, want, sizeof(want));
    EXPECT(strlen(want) == 88 && strcmp(got, want) == 0, "ed25519 b=: got %s, want %s", got, want);
    b_value(signed_msg, 1, got, sizeof(got));
    b_value("x DKIM-Signature: b=" RFC8463_RSA_B ";", 0, want, sizeof(want));
    EXPECT(strlen(want) == 172 && strcmp(got, want) == 0, "rsa b=: got %s, want %s", got, want);
    EXPECT(strstr(signed_msg, "bh=" RFC8463_BH ";") != NULL, "bh= differs from A.3's");
    verify(signed_msg, 1528637909LL + 60, got, sizeof(got));
    EXPECT(strcmp(got, "pass,pass") == 0, "verify: got %s, want pass,pass", got);
    free(signed_msg);
    free(msg);
    ms_dkim_signer_free(s);
    assert_int_equal(n_bad, 0);
}

static void test_names(void **state)
{
    (void)state;
    n_bad = 0;
    assert_string_equal(ms_dkim_refusal_name(MS_DKIM_REFUSAL_FROM_DOMAIN), "FROM_DOMAIN");
    assert_string_equal(ms_dkim_refusal_str(MS_DKIM_REFUSAL_NO_AUTHOR),
                        "not exactly one From field holding one mailbox");
    assert_string_equal(ms_dkim_refusal_name((ms_dkim_refusal)99), "UNKNOWN");
    ms_dkim_signer_free(NULL);
    ms_dkim_signing_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_headers),    cmocka_unit_test(test_expire),
        cmocka_unit_test(test_refusals),   cmocka_unit_test(test_options),
        cmocka_unit_test(test_rfc8463_a3), cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
