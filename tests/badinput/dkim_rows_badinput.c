/* SPDX-License-Identifier: MIT */
/* The DKIM rows of shared/bad-inputs.md §3.2, one named test per row (DKIM-01 ... DKIM-29),
 * end to end: a message is signed (by the signer, or by hand here when the signer refuses to
 * make the hostile form: l=, ambiguous line ends), its key published in a zone resolver, and
 * the verifier's result, permfail kind and DNS query count checked. Plus a 1 GB body streamed
 * in bounded memory, malformed b=, and a key record that is not a key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sys/resource.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/limits.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "dkim/canon.h"
#include "dkim/sign.h"
#include "mailseal/authres.h"
#include "mailseal/dkim.h"
#include "mailseal/dkimkey.h"
#include "mailseal/dns.h"
#include "mailseal/msg.h"

#define NOW 1700000000LL
#define D "example.com"

static ms_resolver *zone;
static char *rsa_pem;
static char *rsa_p; /* the p= of rsa_pem */
static char *ed_pem;

static const char MSG[] = "From: Alice <alice@example.com>\r\n"
                          "To: Bob <bob@example.net>\r\n"
                          "Subject: Lunch\r\n"
                          "Date: Mon, 13 Nov 2023 22:13:20 +0000\r\n"
                          "Message-ID: <1@example.com>\r\n"
                          "\r\n"
                          "Hello Bob,\r\n"
                          "\r\n"
                          "lunch at noon?\r\n";

/* ---- helpers ------------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One TXT RR made of raw text cut into strings of at most 255 bytes. */
static void txt(const char *owner, const char *text)
{
    size_t len = strlen(text);
    size_t n = len / 255 + 1;
    uint8_t *lens = malloc(n);
    assert_non_null(lens);
    size_t k = 0;
    for (size_t left = len; left > 0; left -= lens[k - 1]) {
        lens[k++] = (uint8_t)(left > 255 ? 255 : left);
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = text;
    rr.u.txt.len = len;
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = k;
    assert_int_equal(ms_zone_add(zone, owner, &rr), MS_OK);
    free(lens);
}

/* The key record "v=DKIM1; k=rsa; p=<rsa_p>" with prefix/suffix text, at sel._domainkey.D. */
static void publish(const char *sel, const char *fmt_before_p, const char *after)
{
    char owner[256], value[4096];
    snprintf(owner, sizeof(owner), "%s._domainkey." D, sel);
    snprintf(value, sizeof(value), "%sp=%s%s", fmt_before_p, rsa_p, after);
    txt(owner, value);
}

static char *new_key(ms_dkim_key_type type, const char *owner, char **p_out)
{
    ms_dkim_keypair *kp = NULL;
    assert_int_equal(ms_dkim_keypair_generate(type, 0, &kp), MS_OK);
    size_t len = 0;
    const char *p = ms_dkim_keypair_public_b64(kp, &len);
    char value[2048];
    snprintf(value, sizeof(value), "v=DKIM1; k=%s; p=%s", ms_dkim_key_type_name(type), p);
    txt(owner, value);
    if (p_out != NULL) {
        *p_out = strdup(p);
    }
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
    rsa_pem = new_key(MS_DKIM_KEY_RSA, "rsa._domainkey." D, &rsa_p);
    ed_pem = new_key(MS_DKIM_KEY_ED25519, "ed._domainkey." D, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ms_resolver_free(zone);
    free(rsa_pem);
    free(rsa_p);
    free(ed_pem);
    return 0;
}

/* A signer for D with the RSA key at selector sel; headers non-NULL: exactly that h= list
 * (no oversigning added). */
static ms_dkim_signer *signer(const char *sel, const char *headers, unsigned long expire_s)
{
    ms_dkim_signer_options opt;
    ms_dkim_signer_options_default(&opt);
    opt.domain = D;
    opt.headers = headers;
    opt.expire_s = expire_s;
    ms_dkim_signer *s = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(ms_dkim_signer_new(&opt, &s, &err), MS_OK);
    if (headers != NULL) {
        ms__dkim_sign_format f = {.exact_headers = true};
        ms__dkim_signer_set_format(s, &f);
    }
    assert_int_equal(ms_dkim_signer_add_key(s, sel, rsa_pem, strlen(rsa_pem), &err), MS_OK);
    return s;
}

/* Signed copy of msg (malloc): the DKIM-Signature fields, then msg. */
static char *sign_with(ms_dkim_signer *s, const char *msg, long long now)
{
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_parse(msg, strlen(msg), NULL, arena, &m, NULL), MS_OK);
    ms_dkim_signing *g = NULL;
    ms_dkim_sign_error err;
    assert_int_equal(ms_dkim_signing_new(s, m, now, arena, &g, &err), MS_OK);
    size_t body_len = 0;
    const char *body = ms_msg_body(m, &body_len);
    assert_int_equal(ms_dkim_signing_body(g, body, body_len), MS_OK);
    const char *fields = NULL;
    size_t len = 0;
    assert_int_equal(ms_dkim_signing_end(g, &fields, &len), MS_OK);
    char *out = malloc(len + strlen(msg) + 1);
    memcpy(out, fields, len);
    memcpy(out + len, msg, strlen(msg) + 1);
    ms_arena_free(arena);
    return out;
}

static char *sign_simple(const char *sel, const char *headers, const char *msg, long long now)
{
    ms_dkim_signer *s = signer(sel, headers, 0);
    char *out = sign_with(s, msg, now);
    ms_dkim_signer_free(s);
    return out;
}

/* text (malloc) = prefix + msg + suffix. */
static char *wrap(const char *prefix, const char *msg, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(msg), c = strlen(suffix);
    char *out = malloc(a + b + c + 1);
    memcpy(out, prefix, a);
    memcpy(out + a, msg, b);
    memcpy(out + a + b, suffix, c + 1);
    return out;
}

static void sink(void *user, const void *data, size_t len)
{
    assert_int_equal(ms__crypto_digest_update(user, data, len), MS_OK);
}

/* By hand, RFC 6376 §3.7 (relaxed/relaxed, rsa-sha256 with the RSA key, s=rsa): a
 * DKIM-Signature with the given h= and extra tags (e.g. "l=123; ") over msg, prepended
 * (malloc). bh covers at most bh_limit canonical body bytes (UINT64_MAX: all). */
static char *craft_alg(bool sha1, const char *h, const char *extra, uint64_t bh_limit,
                       const char *msg)
{
    ms__hash hash = sha1 ? MS__HASH_SHA1 : MS__HASH_SHA256;
    size_t dl = sha1 ? 20 : 32;
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_parse(msg, strlen(msg), NULL, arena, &m, NULL), MS_OK);
    ms__digest *dg = NULL;
    assert_int_equal(ms__crypto_digest_new(hash, &dg), MS_OK);
    ms__dkim_body_canon *c = malloc(sizeof(*c));
    ms__dkim_body_init(c, MS__DKIM_RELAXED, bh_limit, sink, dg);
    size_t body_len = 0;
    const char *body = ms_msg_body(m, &body_len);
    ms__dkim_body_update(c, body, body_len);
    ms__dkim_body_final(c);
    free(c);
    uint8_t dig[32];
    char bh[64];
    assert_int_equal(ms__crypto_digest_final(dg, dig, sizeof(dig), NULL), MS_OK);
    assert_int_equal(ms__base64_encode(dig, dl, bh, sizeof(bh), NULL), MS_OK);

    size_t value_cap = strlen(h) + strlen(extra) + 256;
    char *value = malloc(value_cap);
    snprintf(value, value_cap,
             "DKIM-Signature: v=1; a=%s; c=relaxed/relaxed; d=" D
             "; s=rsa; t=%lld; %sh=%s; bh=%s; b=",
             sha1 ? "rsa-sha1" : "rsa-sha256", NOW, extra, h, bh);

    /* Header hash: h= names bottom-up (§5.4.2), then the signature field without b= data. */
    assert_int_equal(ms__crypto_digest_reset(dg), MS_OK);
    ms__buf hb;
    ms__buf_init(&hb, arena, 1u << 20);
    size_t nf = ms_msg_field_count(m);
    char *used = calloc(nf + 1, 1);
    char *names = strdup(h);
    for (char *save = NULL, *name = strtok_r(names, ":", &save); name != NULL;
         name = strtok_r(NULL, ":", &save)) {
        for (size_t i = nf; i-- > 0;) {
            const ms_msg_field *f = ms_msg_field_at(m, i);
            if (!used[i] && f->name_len == strlen(name) &&
                strncasecmp(f->name, name, f->name_len) == 0) {
                used[i] = 1;
                ms__dkim_canon_header(MS__DKIM_RELAXED, f->raw, f->raw_len, true, &hb);
                break;
            }
        }
    }
    free(names);
    free(used);
    ms__dkim_canon_header(MS__DKIM_RELAXED, value, strlen(value), false, &hb);
    assert_int_equal(ms__buf_status(&hb), MS_OK);
    const char *hs = ms__buf_str(&hb);
    assert_int_equal(ms__crypto_digest_update(dg, hs, strlen(hs)), MS_OK);
    assert_int_equal(ms__crypto_digest_final(dg, dig, sizeof(dig), NULL), MS_OK);
    ms__crypto_digest_free(dg);

    uint8_t sig[1024];
    size_t sig_len = sizeof(sig);
    if (sha1) { /* the library never signs with SHA-1 (RFC 8301 §3.1): OpenSSL directly */
        BIO *bio = BIO_new_mem_buf(rsa_pem, -1);
        EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        assert_non_null(pk);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha1()), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, sig, &sig_len, dig, 20), 1);
        EVP_PKEY_CTX_free(ctx);
        EVP_PKEY_free(pk);
        BIO_free(bio);
    } else {
        ms__privkey *key = NULL;
        assert_int_equal(ms__crypto_privkey_load_pem(rsa_pem, strlen(rsa_pem), &key, NULL), MS_OK);
        assert_int_equal(ms__crypto_sign(key, MS__HASH_SHA256, dig, 32, sig, sizeof(sig), &sig_len),
                         MS_OK);
        ms__crypto_privkey_free(key);
    }
    char b[2048];
    assert_int_equal(ms__base64_encode(sig, sig_len, b, sizeof(b), NULL), MS_OK);

    size_t vl = strlen(value);
    size_t out_cap = vl + strlen(b) + 2 + strlen(msg) + 1;
    char *out = malloc(out_cap);
    snprintf(out, out_cap, "%s%s\r\n%s", value, b, msg);
    free(value);
    ms_arena_free(arena);
    return out;
}

static char *craft(const char *h, const char *extra, uint64_t bh_limit, const char *msg)
{
    return craft_alg(false, h, extra, bh_limit, msg);
}

/* One verification. */
typedef struct vrun {
    ms_arena *arena;
    const ms_dkim_sig_result *r;
    size_t n;
    uint64_t queries;
    ms_msg *m;
} vrun;

static void verify_opt(vrun *v, const char *msg, size_t len, const ms_dkim_verify_options *o)
{
    memset(v, 0, sizeof(*v));
    assert_int_equal(ms_arena_new(NULL, 0, &v->arena), MS_OK);
    assert_int_equal(ms_msg_parse(msg, len, NULL, v->arena, &v->m, NULL), MS_OK);
    ms_dkim_verify_options opt;
    ms_dkim_verify_options_default(&opt);
    opt.now = NOW + 10;
    if (o != NULL) {
        opt = *o;
    }
    uint64_t before = ms_resolver_queries(zone);
    ms_dkim_verifier *dv = NULL;
    assert_int_equal(ms_dkim_verifier_new(zone, &opt, v->m, v->arena, NULL, &dv), MS_OK);
    size_t body_len = 0;
    const char *body = ms_msg_body(v->m, &body_len);
    for (size_t i = 0; i < body_len; i += 5) {
        assert_int_equal(ms_dkim_verifier_body(dv, body + i, body_len - i < 5 ? body_len - i : 5),
                         MS_OK);
    }
    assert_int_equal(ms_dkim_verifier_end(dv, &v->r, &v->n), MS_OK);
    v->queries = ms_resolver_queries(zone) - before;
}

static void verify(vrun *v, const char *msg)
{
    verify_opt(v, msg, strlen(msg), NULL);
}

static void done(vrun *v)
{
    ms_arena_free(v->arena);
}

/* Signature i of the run gave want (and kind, unless kind < 0). */
static void expect(const char *row, const vrun *v, size_t i, ms_dkim_result want, int kind)
{
    if (i >= v->n) {
        fail_msg("%s: %zu signatures, want one at %zu", row, v->n, i);
    }
    const ms_dkim_sig_result *r = &v->r[i];
    if (r->result != want) {
        fail_msg("%s: got %s (%s: %s; %s), want %s", row, ms_dkim_result_name(r->result),
                 ms_dkim_permfail_name(r->permfail), r->reason ? r->reason : "",
                 r->detail ? r->detail : "", ms_dkim_result_name(want));
    }
    if (kind >= 0 && r->permfail != (ms_dkim_permfail)kind) {
        fail_msg("%s: got permfail %s (%s), want %s", row, ms_dkim_permfail_name(r->permfail),
                 r->reason ? r->reason : "", ms_dkim_permfail_name((ms_dkim_permfail)kind));
    }
    if (r->reason == NULL ||
        (strstr(r->reason, "RFC ") == NULL && strstr(r->reason, "CVE-") == NULL)) {
        fail_msg("%s: reason \"%s\" cites no RFC", row, r->reason ? r->reason : "(null)");
    }
}

static void expect_queries(const char *row, const vrun *v, uint64_t max)
{
    if (v->queries > max) {
        fail_msg("%s: %llu DNS queries, want at most %llu", row, (unsigned long long)v->queries,
                 (unsigned long long)max);
    }
}

/* A hand-made signature field value (no b= computation) on top of MSG. */
static void one_field(const char *row, const char *tags, ms_dkim_result want, int kind,
                      uint64_t max_queries)
{
    size_t msg_cap = strlen(tags) + sizeof(MSG) + 32;
    char *msg = malloc(msg_cap);
    snprintf(msg, msg_cap, "DKIM-Signature: %s\r\n%s", tags, MSG);
    vrun v;
    verify(&v, msg);
    expect(row, &v, 0, want, kind);
    expect_queries(row, &v, max_queries);
    done(&v);
    free(msg);
}

/* 344 characters: base64 of 256 bytes (a 2048-bit signature's size). */
static char *b64_of(size_t n, uint8_t fill)
{
    uint8_t *raw = malloc(n);
    memset(raw, fill, n);
    size_t cap = ms__base64_encoded_len(n) + 1;
    char *out = malloc(cap);
    assert_int_equal(ms__base64_encode(raw, n, out, cap, NULL), MS_OK);
    free(raw);
    return out;
}

/* ---- §3.2 rows ---------------------------------------------------------------------------- */

static const char MIME_TOP[] = "Content-Type: multipart/mixed; boundary=X\r\n";
static const char MIME_TAIL[] =
    "\r\n--X\r\nContent-Type: text/html\r\n\r\n<a href=evil>\r\n--X--\r\n";

/* DKIM-01: l= the original length, then a MIME part appended: policy by default, fail with
 * PARTIAL_FAIL, pass only with PARTIAL_PASS (reported with has_l). */
static void dkim_01_l_partial_body(void **state)
{
    (void)state;
    /* The relaxed canonical body of MSG: "Hello Bob,\r\n\r\nlunch at noon?\r\n". */
    const uint64_t l = 30;
    char extra[32];
    snprintf(extra, sizeof(extra), "l=%llu; ", (unsigned long long)l);
    char *signed_msg = craft("from:to:subject:date", extra, l, MSG);
    vrun v;
    verify(&v, signed_msg);
    expect("DKIM-01 untouched", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    assert_true(v.r[0].has_l && v.r[0].l == l && v.r[0].body_length == l);
    done(&v);

    char *evil = wrap(MIME_TOP, signed_msg, MIME_TAIL);
    verify(&v, evil);
    expect("DKIM-01 appended, default", &v, 0, MS_DKIM_POLICY, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    ms_dkim_verify_options o;
    ms_dkim_verify_options_default(&o);
    o.now = NOW + 10;
    o.partial = MS_DKIM_PARTIAL_FAIL;
    verify_opt(&v, evil, strlen(evil), &o);
    expect("DKIM-01 appended, PARTIAL_FAIL", &v, 0, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    o.partial = MS_DKIM_PARTIAL_PASS;
    verify_opt(&v, evil, strlen(evil), &o);
    expect("DKIM-01 appended, PARTIAL_PASS", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    if (!v.r[0].has_l || v.r[0].body_length <= v.r[0].l) {
        fail_msg("DKIM-01: a partial pass must report l= below the body length");
    }
    done(&v);
    free(evil);
    free(signed_msg);

    /* The signer never emits l=. */
    char *s = sign_simple("rsa", NULL, MSG, NOW);
    if (strstr(s, " l=") != NULL || strstr(s, "\tl=") != NULL || strstr(s, ";l=") != NULL) {
        fail_msg("DKIM-01: the signer wrote l=");
    }
    free(s);
}

/* DKIM-02: l= greater than the canonical body: fail. */
static void dkim_02_l_longer_than_body(void **state)
{
    (void)state;
    char *signed_msg = craft("from:to:subject:date", "l=40; ", UINT64_MAX, MSG);
    vrun v;
    verify(&v, signed_msg);
    expect("DKIM-02", &v, 0, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    free(signed_msg);
}

/* DKIM-04: h=from:to:subject:date (not oversigned) and a second Subject on top: the bottom-up
 * selection verifies, flagged has_unsigned_singleton. */
static void dkim_04_unsigned_singleton(void **state)
{
    (void)state;
    char *signed_msg = sign_simple("rsa", "from:to:subject:date", MSG, NOW);
    vrun v;
    verify(&v, signed_msg);
    expect("DKIM-04 untouched", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    if (v.r[0].has_unsigned_singleton) {
        fail_msg("DKIM-04: untouched message flagged has_unsigned_singleton");
    }
    done(&v);
    char *evil = wrap("Subject: Your invoice\r\n", signed_msg, "");
    verify(&v, evil);
    expect("DKIM-04 second Subject", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    if (!v.r[0].has_unsigned_singleton) {
        fail_msg("DKIM-04: a Subject above the signed one is not flagged has_unsigned_singleton");
    }
    done(&v);
    free(evil);
    free(signed_msg);
}

/* DKIM-05: h=from:from:subject:subject: pass; a From added on top: fail. */
static void dkim_05_oversigned(void **state)
{
    (void)state;
    char *signed_msg = sign_simple("rsa", "from:from:subject:subject", MSG, NOW);
    vrun v;
    verify(&v, signed_msg);
    expect("DKIM-05 oversigned", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    char *evil = wrap("From: <admin@example.com>\r\n", signed_msg, "");
    verify(&v, evil);
    expect("DKIM-05 From added", &v, 0, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    free(evil);
    free(signed_msg);
}

/* DKIM-07: provider-signed mail with From: <admin@provider> prepended: DKIM may pass but is
 * flagged when From is not oversigned; fails when it is (the signer's default). */
static void dkim_07_prepended_from(void **state)
{
    (void)state;
    char *plain = sign_simple("rsa", "from:to:subject:date", MSG, NOW);
    char *evil = wrap("From: <admin@example.com>\r\n", plain, "");
    vrun v;
    verify(&v, evil);
    expect("DKIM-07 From not oversigned", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    if (!v.r[0].has_unsigned_singleton) {
        fail_msg("DKIM-07: prepended From not flagged has_unsigned_singleton");
    }
    done(&v);
    free(evil);
    free(plain);
    char *over = sign_simple("rsa", NULL, MSG, NOW);
    evil = wrap("From: <admin@example.com>\r\n", over, "");
    verify(&v, evil);
    expect("DKIM-07 From oversigned", &v, 0, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    free(evil);
    free(over);
}

/* DKIM-08: replay passes; x= in the past: permerror; t= beyond the clock skew: permerror;
 * t= within it: pass. */
static void dkim_08_replay_expiry_future(void **state)
{
    (void)state;
    ms_dkim_verify_options o;
    ms_dkim_verify_options_default(&o);
    o.now = NOW;
    vrun v;

    char *s = sign_simple("rsa", NULL, MSG, NOW - 100);
    for (int i = 0; i < 3; i++) { /* the same message again and again */
        verify_opt(&v, s, strlen(s), &o);
        expect("DKIM-08 replay", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
        assert_non_null(v.r[0].b_prefix);
        done(&v);
    }
    free(s);

    ms_dkim_signer *sx = signer("rsa", NULL, 60);
    s = sign_with(sx, MSG, NOW - 3600);
    ms_dkim_signer_free(sx);
    verify_opt(&v, s, strlen(s), &o);
    expect("DKIM-08 x= in the past", &v, 0, MS_DKIM_PERMERROR, -1);
    if (strstr(v.r[0].reason, "x=") == NULL) {
        fail_msg("DKIM-08 x= in the past: reason \"%s\" does not name x=", v.r[0].reason);
    }
    done(&v);
    free(s);

    s = sign_simple("rsa", NULL, MSG, NOW + 86400);
    verify_opt(&v, s, strlen(s), &o);
    expect("DKIM-08 t= a day ahead", &v, 0, MS_DKIM_PERMERROR, -1);
    if (strstr(v.r[0].reason, "t=") == NULL) {
        fail_msg("DKIM-08 t= a day ahead: reason \"%s\" does not name t=", v.r[0].reason);
    }
    done(&v);
    free(s);

    s = sign_simple("rsa", NULL, MSG, NOW + 301);
    verify_opt(&v, s, strlen(s), &o);
    expect("DKIM-08 t= 301 s ahead", &v, 0, MS_DKIM_PERMERROR, -1);
    done(&v);
    free(s);

    s = sign_simple("rsa", NULL, MSG, NOW + 300);
    verify_opt(&v, s, strlen(s), &o);
    expect("DKIM-08 t= 300 s ahead", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    free(s);
}

/* DKIM-10: a valid a=rsa-sha1 signature (2048-bit key, made with OpenSSL since the library
 * never signs with SHA-1): permerror naming RFC 8301, no DNS query. */
static void dkim_10_rsa_sha1(void **state)
{
    (void)state;
    char *full = craft_alg(true, "from:to:subject:date", "", UINT64_MAX, MSG);
    vrun v;
    verify(&v, full);
    expect("DKIM-10", &v, 0, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_HISTORIC_ALGORITHM);
    if (strstr(v.r[0].reason, "RFC 8301") == NULL) {
        fail_msg("DKIM-10: reason \"%s\" does not name RFC 8301", v.r[0].reason);
    }
    expect_queries("DKIM-10", &v, 0);
    done(&v);
    free(full);
}

/* DER length octets. */
static size_t der_len(uint8_t *out, size_t len)
{
    if (len < 128) {
        out[0] = (uint8_t)len;
        return 1;
    }
    out[0] = 0x82;
    out[1] = (uint8_t)(len >> 8);
    out[2] = (uint8_t)len;
    return 3;
}

/* p= (malloc) of an RSA SubjectPublicKeyInfo with a modulus of bits bits. */
static char *big_rsa_p(unsigned bits)
{
    size_t nbytes = bits / 8;
    uint8_t *n = malloc(nbytes + 1);
    n[0] = 0;
    memset(n + 1, 0xc3, nbytes);
    n[1] = 0xc3;
    n[nbytes] |= 1;
    static const uint8_t e[] = {0x02, 0x03, 0x01, 0x00, 0x01};
    uint8_t *rsakey = malloc(nbytes + 64);
    size_t k = 0;
    /* INTEGER n */
    uint8_t inner[8];
    size_t il = der_len(inner, nbytes + 1);
    size_t int_len = 1 + il + nbytes + 1;
    size_t seq_body = int_len + sizeof(e);
    rsakey[k++] = 0x30;
    k += der_len(rsakey + k, seq_body);
    rsakey[k++] = 0x02;
    memcpy(rsakey + k, inner, il);
    k += il;
    memcpy(rsakey + k, n, nbytes + 1);
    k += nbytes + 1;
    memcpy(rsakey + k, e, sizeof(e));
    k += sizeof(e);
    static const uint8_t alg[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                  0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    uint8_t *spki = malloc(k + 64);
    size_t bit_body = k + 1;
    uint8_t bl[8];
    size_t bll = der_len(bl, bit_body);
    size_t spki_body = sizeof(alg) + 1 + bll + bit_body;
    size_t j = 0;
    spki[j++] = 0x30;
    j += der_len(spki + j, spki_body);
    memcpy(spki + j, alg, sizeof(alg));
    j += sizeof(alg);
    spki[j++] = 0x03;
    memcpy(spki + j, bl, bll);
    j += bll;
    spki[j++] = 0x00;
    memcpy(spki + j, rsakey, k);
    j += k;
    size_t cap = ms__base64_encoded_len(j) + 1;
    char *out = malloc(cap);
    assert_int_equal(ms__base64_encode(spki, j, out, cap, NULL), MS_OK);
    free(spki);
    free(rsakey);
    free(n);
    return out;
}

/* DKIM-11: keys with 16384- and 32768-bit moduli published: permerror, bounded time. */
static void dkim_11_huge_modulus(void **state)
{
    (void)state;
    static const unsigned BITS[] = {16384, 32768};
    static const char *const SEL[] = {"big16k", "big32k"};
    for (size_t i = 0; i < 2; i++) {
        char *p = big_rsa_p(BITS[i]);
        char owner[128];
        snprintf(owner, sizeof(owner), "%s._domainkey." D, SEL[i]);
        char *rec = wrap("v=DKIM1; k=rsa; p=", p, "");
        txt(owner, rec);
        char *s = sign_simple(SEL[i], NULL, MSG, NOW);
        double t0 = now_s();
        vrun v;
        verify(&v, s);
        double dt = now_s() - t0;
        char row[64];
        snprintf(row, sizeof(row), "DKIM-11 %u-bit (p= %zu chars)", BITS[i], strlen(p));
        expect(row, &v, 0, MS_DKIM_PERMERROR, -1);
        /* The detail names the key record (it once pointed at a dead stack buffer). */
        if (i == 0 && (v.r[0].detail == NULL || strcmp(v.r[0].detail, owner) != 0)) {
            fail_msg("%s: detail is not the key's name %s", row, owner);
        }
        if (v.r[0].key_bits > 8192) {
            fail_msg("%s: key_bits %u accepted", row, v.r[0].key_bits);
        }
        expect_queries(row, &v, 1);
        print_message("%s: %s (%s; %s; %s) in %.4f s\n", row, ms_dkim_result_name(v.r[0].result),
                      ms_dkim_permfail_name(v.r[0].permfail), v.r[0].reason,
                      v.r[0].detail ? v.r[0].detail : "", dt);
        if (dt > 1.0) {
            fail_msg("%s: %.3f s, want bounded (< 1 s)", row, dt);
        }
        done(&v);
        free(s);
        free(rec);
        free(p);
    }
}

/* An RSA key under 1024 bits (RFC 8301 §3.2): permerror, the key named in the detail. */
static void rsa_key_under_1024(void **state)
{
    (void)state;
    char *p = big_rsa_p(512);
    char *rec = wrap("v=DKIM1; k=rsa; p=", p, "");
    txt("small._domainkey." D, rec);
    char *s = sign_simple("small", NULL, MSG, NOW);
    vrun v;
    verify(&v, s);
    expect("512-bit key", &v, 0, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_KEY_ALGORITHM);
    if (v.r[0].detail == NULL || strcmp(v.r[0].detail, "small._domainkey." D) != 0) {
        fail_msg("512-bit key: detail is not the key's name");
    }
    done(&v);
    free(s);
    free(rec);
    free(p);
}

/* DKIM-13: bh= of 20 bytes (rsa-sha256) or 96 bytes (ed25519-sha256): permerror, body hash
 * size. */
static void dkim_13_bh_size(void **state)
{
    (void)state;
    char *b = b64_of(256, 0x5a);
    char *b64 = b64_of(64, 0x5a);
    char *bh20 = b64_of(20, 0x11);
    char *bh96 = b64_of(96, 0x11);
    char tags[2048];
    snprintf(tags, sizeof(tags),
             "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" D "; s=rsa; h=from; bh=%s; b=%s", bh20, b);
    one_field("DKIM-13 bh 20 bytes", tags, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_BODY_HASH_SIZE, 1);
    snprintf(tags, sizeof(tags),
             "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=" D "; s=ed; h=from; bh=%s; b=%s", bh96,
             b64);
    one_field("DKIM-13 bh 96 bytes", tags, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_BODY_HASH_SIZE, 1);
    free(bh96);
    free(bh20);
    free(b64);
    free(b);
}

/* DKIM-14: no bh=; empty b=; b=@@@: permerror. */
static void dkim_14_missing_bh_bad_b(void **state)
{
    (void)state;
    char *b = b64_of(256, 0x5a);
    char *bh = b64_of(32, 0x11);
    char tags[2048];
    snprintf(tags, sizeof(tags),
             "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" D "; s=rsa; h=from; b=%s", b);
    one_field("DKIM-14 no bh=", tags, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_MISSING_TAG, 0);
    snprintf(tags, sizeof(tags),
             "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" D "; s=rsa; h=from; bh=%s; b=", bh);
    one_field("DKIM-14 b= empty", tags, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_SIGNATURE_EMPTY, 0);
    snprintf(tags, sizeof(tags),
             "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" D "; s=rsa; h=from; bh=%s; b=@@@", bh);
    one_field("DKIM-14 b=@@@", tags, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_SYNTAX, 0);
    free(bh);
    free(b);
}

/* DKIM-16: hostile d= / s=: permerror before DNS, zero queries. */
static void dkim_16_hostile_domain_no_dns(void **state)
{
    (void)state;
    static const char *const DS[][2] = {
        {"legitimate.t(.attack.t", "rsa"},    {"legitimate.t'a.attack.t", "rsa"},
        {"example.com", "attack.t.\x01.any"}, {"exa\x01mple.com", "rsa"},
        {"exa\x1fmple.com", "rsa"},
    };
    char *b = b64_of(256, 0x5a);
    char *bh = b64_of(32, 0x11);
    for (size_t i = 0; i < sizeof(DS) / sizeof(DS[0]); i++) {
        char tags[2048], row[64];
        snprintf(tags, sizeof(tags),
                 "v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=%s; h=from; bh=%s; b=%s", DS[i][0],
                 DS[i][1], bh, b);
        snprintf(row, sizeof(row), "DKIM-16 case %zu", i);
        one_field(row, tags, MS_DKIM_PERMERROR, -1, 0);
    }
    /* s= with a NUL byte: the field holds it as is. */
    char tags[2048];
    int n = snprintf(tags, sizeof(tags),
                     "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=attack.t.X.any; "
                     "h=from; bh=%s; b=%s\r\n%s",
                     bh, b, MSG);
    strstr(tags, "t.X.")[2] = '\0';
    vrun v;
    verify_opt(&v, tags, (size_t)n, NULL);
    expect("DKIM-16 NUL in s=", &v, 0, MS_DKIM_PERMERROR, -1);
    expect_queries("DKIM-16 NUL in s=", &v, 0);
    done(&v);
    free(bh);
    free(b);
}

/* DKIM-17: d=a.t with i=@b.t: permerror, domain mismatch. */
static void dkim_17_i_outside_d(void **state)
{
    (void)state;
    char *b = b64_of(256, 0x5a);
    char *bh = b64_of(32, 0x11);
    char tags[2048];
    snprintf(tags, sizeof(tags),
             "v=1; a=rsa-sha256; c=relaxed/relaxed; d=a.t; i=@b.t; s=rsa; h=from; bh=%s; b=%s", bh,
             b);
    one_field("DKIM-17", tags, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_DOMAIN_MISMATCH, 0);
    free(bh);
    free(b);
}

/* DKIM-19: each hostile key record at the selector: permerror with its kind. */
static void dkim_19_key_records(void **state)
{
    (void)state;
    static const struct {
        const char *sel, *before, *after;
        ms_dkim_permfail kind;
    } C[] = {
        {"k19a", "v=DKIM1\\; ", "", MS_DKIM_PERMFAIL_KEY_VERSION}, /* v= is "DKIM1\\" */
        {"k19b", "v=DKIM2; ", "", MS_DKIM_PERMFAIL_KEY_VERSION},
        {"k19c", "v=DKIM1; k=foo; ", "", MS_DKIM_PERMFAIL_KEY_TYPE},
        {"k19d", "v=DKIM1; h=sha1; k=rsa; ", "", MS_DKIM_PERMFAIL_KEY_HASH},
        {"k19e", "v=DKIM1; s=tlsrpt; k=rsa; ", "", MS_DKIM_PERMFAIL_KEY_SERVICE},
    };
    for (size_t i = 0; i < sizeof(C) / sizeof(C[0]); i++) {
        publish(C[i].sel, C[i].before, C[i].after);
        char *s = sign_simple(C[i].sel, NULL, MSG, NOW);
        char row[64];
        snprintf(row, sizeof(row), "DKIM-19 %s%s", C[i].before, "p=...");
        vrun v;
        verify(&v, s);
        expect(row, &v, 0, MS_DKIM_PERMERROR, (int)C[i].kind);
        expect_queries(row, &v, 1);
        done(&v);
        free(s);
    }
}

/* DKIM-20: a key split into two strings is joined; two TXT RRs at the selector give the same
 * result every time, no crash. */
static void dkim_20_split_and_two_rrs(void **state)
{
    (void)state;
    char rec[2048];
    snprintf(rec, sizeof(rec), "v=DKIM1; k=rsa; p=%s", rsa_p);
    const char *cut = strstr(rec, "p=");
    uint8_t lens[16];
    size_t k = 0;
    lens[k++] = (uint8_t)(cut - rec); /* "v=DKIM1; k=rsa; " */
    for (size_t left = strlen(cut); left > 0; left -= lens[k - 1]) {
        lens[k++] = (uint8_t)(left > 255 ? 255 : left);
    }
    ms_dns_rr rr = {.type = MS_DNS_TXT, .ttl = 300};
    rr.u.txt.data = rec;
    rr.u.txt.len = strlen(rec);
    rr.u.txt.lens = lens;
    rr.u.txt.n_strings = k;
    assert_int_equal(ms_zone_add(zone, "split._domainkey." D, &rr), MS_OK);
    char *s = sign_simple("split", NULL, MSG, NOW);
    vrun v;
    verify(&v, s);
    expect("DKIM-20 split strings", &v, 0, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE);
    done(&v);
    free(s);

    /* Two RRs: the valid key and a second, different record, in both orders. */
    publish("two", "v=DKIM1; k=rsa; ", "");
    txt("two._domainkey." D, "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
    txt("owt._domainkey." D, "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
    publish("owt", "v=DKIM1; k=rsa; ", "");
    for (int order = 0; order < 2; order++) {
        s = sign_simple(order ? "owt" : "two", NULL, MSG, NOW);
        verify(&v, s);
        ms_dkim_result first = v.r[0].result;
        ms_dkim_permfail first_kind = v.r[0].permfail;
        expect_queries("DKIM-20 two RRs", &v, 1);
        done(&v);
        for (int i = 0; i < 5; i++) {
            verify(&v, s);
            if (v.r[0].result != first || v.r[0].permfail != first_kind) {
                fail_msg("DKIM-20 two RRs: got %s then %s", ms_dkim_result_name(first),
                         ms_dkim_result_name(v.r[0].result));
            }
            done(&v);
        }
        /* Every usable key at the selector is tried: the order DNS gives is irrelevant. */
        if (first != MS_DKIM_PASS) {
            fail_msg("DKIM-20 two RRs (%s first): got %s (%s), want pass whatever the order",
                     order ? "junk" : "valid", ms_dkim_result_name(first),
                     ms_dkim_permfail_name(first_kind));
        }
        free(s);
    }
}

/* DKIM-22: 10,000 DKIM-Signature fields (junk, then a valid one at the bottom): the message
 * parses, 10 are examined and the rest reported as skipped (neutral, LIMIT); being a header block
 * over the 64 KiB policy cap, the examined ones are refused (permerror, LIMIT) without a single
 * DNS query. 50 junk signatures and a valid one at the bottom (under the cap): 10 examined, the
 * rest neutral (LIMIT), at most 10 DNS queries. */
static void dkim_22_many_signatures(void **state)
{
    (void)state;
    char *b = b64_of(256, 0x5a);
    char *bh = b64_of(32, 0x11);
    char junk[1024];
    int jl = snprintf(junk, sizeof(junk),
                      "DKIM-Signature: v=1; a=rsa-sha256; d=junk.t; s=s; h=from; bh=%s; b=%s\r\n",
                      bh, b);
    static const char SHORT[] = "DKIM-Signature: v=1; d=junk.t; s=s; b=x\r\n";
    char *valid = sign_simple("rsa", NULL, MSG, NOW);
    size_t cap = 10000 * (sizeof(SHORT) - 1) + strlen(valid) + 1;
    char *big = malloc(cap);
    size_t k = 0;
    for (int i = 0; i < 10000; i++) {
        memcpy(big + k, SHORT, sizeof(SHORT) - 1);
        k += sizeof(SHORT) - 1;
    }
    memcpy(big + k, valid, strlen(valid) + 1);
    double t0 = now_s();
    vrun v;
    verify(&v, big);
    double dt = now_s() - t0;
    assert_int_equal(v.n, 10001);
    for (size_t i = 0; i < v.n; i++) {
        bool examined = i < MS_LIMIT_DKIM_SIGNATURES;
        char row[64];
        snprintf(row, sizeof(row), "DKIM-22 10,000 fields, #%zu", i);
        expect(row, &v, i, examined ? MS_DKIM_PERMERROR : MS_DKIM_NEUTRAL, MS_DKIM_PERMFAIL_LIMIT);
    }
    expect_queries("DKIM-22 10,000 fields", &v, 0);
    if (dt > 2.0) {
        fail_msg("DKIM-22 10,000 fields: %.3f s", dt);
    }
    done(&v);
    free(big);

    big = malloc(50 * (size_t)jl + strlen(valid) + 1);
    k = 0;
    for (int i = 0; i < 50; i++) {
        memcpy(big + k, junk, (size_t)jl);
        k += (size_t)jl;
    }
    memcpy(big + k, valid, strlen(valid) + 1);
    verify(&v, big);
    assert_int_equal(v.n, 51);
    size_t examined = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.r[i].result == MS_DKIM_NEUTRAL && v.r[i].permfail == MS_DKIM_PERMFAIL_LIMIT) {
            continue;
        }
        examined++;
    }
    if (examined != 10) {
        fail_msg("DKIM-22: %zu signatures examined, want 10", examined);
    }
    expect("DKIM-22 the valid one at the bottom", &v, 50, MS_DKIM_NEUTRAL, MS_DKIM_PERMFAIL_LIMIT);
    expect_queries("DKIM-22", &v, 10);
    done(&v);
    free(big);
    free(valid);
    free(bh);
    free(b);
}

/* DKIM-23: h= with 1,501 items; h= of 64 KiB of ':': permerror. */
static void dkim_23_huge_h(void **state)
{
    (void)state;
    char *b = b64_of(256, 0x5a);
    char *bh = b64_of(32, 0x11);
    size_t cap = 70000 + 2048;
    char *h = malloc(cap);
    size_t k = 0;
    for (int i = 0; i < 1501; i++) {
        k += (size_t)snprintf(h + k, cap - k, "%sfrom", i ? ":" : "");
    }
    char *tags = malloc(cap + 1024);
    snprintf(tags, cap + 1024,
             "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" D "; s=rsa; h=%s; bh=%s; b=%s", h, bh, b);
    one_field("DKIM-23 1,501 items", tags, MS_DKIM_PERMERROR, -1, 0);
    memset(h, ':', 65536);
    h[65536] = '\0';
    snprintf(tags, cap + 1024,
             "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" D "; s=rsa; h=%s; bh=%s; b=%s", h, bh, b);
    one_field("DKIM-23 64 KiB of ':'", tags, MS_DKIM_PERMERROR, -1, 0);
    free(tags);
    free(h);
    free(bh);
    free(b);
}

/* DKIM-25: "Subject:\r\n foo", "Subject :", 8-bit bytes: the same result every time; a header
 * block over 64 KiB is refused by policy (permerror, LIMIT) before any DNS query. */
static void dkim_25_header_forms(void **state)
{
    (void)state;
    static const char *const MSGS[] = {
        "From: alice@example.com\r\nSubject:\r\n foo\r\n\r\nbody\r\n",
        "From: alice@example.com\r\nSubject : foo\r\n\r\nbody\r\n",
        "From: alice@example.com\r\nSubject: caf\xc3\xa9 \xff\r\n\r\nbody\r\n",
    };
    for (size_t i = 0; i < sizeof(MSGS) / sizeof(MSGS[0]); i++) {
        char *s = sign_simple("rsa", NULL, MSGS[i], NOW);
        vrun v;
        verify(&v, s);
        ms_dkim_result first = v.r[0].result;
        done(&v);
        verify(&v, s);
        if (v.r[0].result != first) {
            fail_msg("DKIM-25 case %zu: not deterministic", i);
        }
        print_message("DKIM-25 case %zu: %s\n", i, ms_dkim_result_name(first));
        done(&v);
        free(s);
    }
    /* > 64 KiB of header: a folded X-Pad of 70,000 bytes below the signature. */
    char *s = sign_simple("rsa", NULL, MSG, NOW);
    size_t pad = 70000;
    char *big = malloc(pad + strlen(s) + 64);
    size_t big_cap = pad + strlen(s) + 64;
    size_t k = (size_t)snprintf(big, big_cap, "X-Pad: x");
    while (k < pad) {
        k += (size_t)snprintf(big + k, big_cap - k, "\r\n %s",
                              "0123456789012345678901234567890123456789");
    }
    k += (size_t)snprintf(big + k, big_cap - k, "\r\n");
    memcpy(big + k, s, strlen(s) + 1);
    vrun v;
    verify(&v, big);
    ms_msg_stats st;
    ms_msg_get_stats(v.m, &st);
    if (!(st.flags & MS_MSG_OVERSIZE)) {
        fail_msg("DKIM-25 > 64 KiB header block: not flagged oversize");
    }
    /* Refused by policy, not verified: no key fetched. */
    expect("DKIM-25 > 64 KiB header block", &v, 0, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_LIMIT);
    expect_queries("DKIM-25 > 64 KiB header block", &v, 0);
    done(&v);
    free(big);
    free(s);
}

/* DKIM-26: a bare CR line after the header block, or a body with "\n.\r\n", signed by hand
 * (the signer refuses them): never pass. */
static void dkim_26_boundary(void **state)
{
    (void)state;
    static const char *const MSGS[] = {
        "From: alice@example.com\r\nSubject: x\r\n\r hack\r\n\r\nbody\r\n",
        "From: alice@example.com\r\nSubject: x\r\n\r\nline\n.\r\nMAIL FROM:<x@y>\r\n",
    };
    for (size_t i = 0; i < 2; i++) {
        char *s = craft("from:subject", "", UINT64_MAX, MSGS[i]);
        vrun v;
        verify(&v, s);
        char row[32];
        snprintf(row, sizeof(row), "DKIM-26 case %zu", i);
        if (v.n == 0 || v.r[0].result == MS_DKIM_PASS) {
            fail_msg("%s: got %s, want anything but pass", row,
                     v.n ? ms_dkim_result_name(v.r[0].result) : "no signature");
        }
        print_message("%s: %s (%s)\n", row, ms_dkim_result_name(v.r[0].result), v.r[0].reason);
        done(&v);
        free(s);
    }
}

/* DKIM-28: hostile bytes in d=/s=/i= of a failing signature: the A-R text is one line of
 * printable ASCII. */
static void dkim_28_hostile_authres(void **state)
{
    (void)state;
    char *b = b64_of(256, 0x5a);
    char *bh = b64_of(32, 0x11);
    static const char *const DSI[][3] = {
        {"%n%s%s.example.com", "rsa", "@%n%s%s.example.com"},
        {"example.com", "a\"b;c", "\"x;y\"@example.com"},
        {"ex\r\n ample.com", "s\r\n el", "@ex\r\n ample.com"},
        {"ex\x01\x7f\xff.com", "s\x1b[31m", "\x01@ex.com"},
        {"example.com", "rsa", "x\\\"; dkim=pass@example.com"},
        {"example.com", "rsa", "%n%s%s@example.com"},
        {"example.com", "rsa", "a\"b(c)\\@example.com"},
    };
    for (size_t i = 0; i < sizeof(DSI) / sizeof(DSI[0]); i++) {
        char tags[2048];
        snprintf(tags, sizeof(tags),
                 "DKIM-Signature: v=1; a=rsa-sha256; d=%s; s=%s; i=%s; h=from; bh=%s; b=%s\r\n%s",
                 DSI[i][0], DSI[i][1], DSI[i][2], bh, b, MSG);
        vrun v;
        verify(&v, tags);
        if (v.n != 1 || v.r[0].result == MS_DKIM_PASS) {
            fail_msg("DKIM-28 case %zu: want one failing signature", i);
        }
        const char *ar = NULL;
        assert_int_equal(ms_authres_dkim_format(&v.r[0], v.arena, &ar), MS_OK);
        for (const char *p = ar; *p; p++) {
            if (*p < 0x20 || *p > 0x7e) {
                fail_msg("DKIM-28 case %zu: byte 0x%02x in the A-R text \"%s\"", i,
                         (unsigned char)*p, ar);
            }
        }
        if (strstr(ar, "dkim=pass") != NULL) {
            fail_msg("DKIM-28 case %zu: A-R text says pass: %s", i, ar);
        }
        print_message("DKIM-28 case %zu: %s\n", i, ar);
        done(&v);
    }
    free(bh);
    free(b);
}

/* DKIM-29: ms_dkim_signing_new refuses what a reader could attribute to someone else. */
static void dkim_29_signer_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        ms_dkim_refusal kind;
    } C[] = {
        {"From: a@example.com, b@example.com\r\nSubject: x\r\n\r\nb\r\n",
         MS_DKIM_REFUSAL_NO_AUTHOR},
        {"From: a@example.com\r\nFrom: b@example.com\r\nSubject: x\r\n\r\nb\r\n",
         MS_DKIM_REFUSAL_NO_AUTHOR},
        {"From:admin@example.com\\,<user@example.com>\r\nSubject: x\r\n\r\nb\r\n",
         MS_DKIM_REFUSAL_NO_AUTHOR},
        {"From: ceo@bank.t\r\nSubject: x\r\n\r\nb\r\n", MS_DKIM_REFUSAL_FROM_DOMAIN},
    };
    ms_dkim_signer *s = signer("rsa", NULL, 0);
    for (size_t i = 0; i < sizeof(C) / sizeof(C[0]); i++) {
        ms_arena *arena = NULL;
        assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
        ms_msg *m = NULL;
        assert_int_equal(ms_msg_parse(C[i].msg, strlen(C[i].msg), NULL, arena, &m, NULL), MS_OK);
        ms_dkim_signing *g = NULL;
        ms_dkim_sign_error err;
        memset(&err, 0, sizeof(err));
        ms_status st = ms_dkim_signing_new(s, m, NOW, arena, &g, &err);
        if (st == MS_OK || err.kind != C[i].kind || err.reason == NULL) {
            fail_msg("DKIM-29 case %zu: got %s %s, want refusal %s", i, ms_status_name(st),
                     ms_dkim_refusal_name(err.kind), ms_dkim_refusal_name(C[i].kind));
        }
        ms_dkim_signing_free(g);
        ms_arena_free(arena);
    }
    ms_dkim_signer_free(s);
}

/* ---- extra hostile inputs ----------------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define BIG_BODY (64ull << 20)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_BODY (64ull << 20)
#endif
#endif
#ifndef BIG_BODY
#define BIG_BODY (1ull << 30)
#endif

#if BIG_BODY != (1ull << 30)
/* Under ASan, catch result fields that point into a dead stack frame of the verifier (a key
 * name once did): stack-use-after-return is off by default. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_stack_use_after_return=1";
}
#endif

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* A 1 GB body (64 MiB under ASan) in 1 MiB chunks made on the fly: a result (fail: the body
 * is not the signed one) in bounded memory. */
static void big_body_streamed(void **state)
{
    (void)state;
    char *s = sign_simple("rsa", NULL, MSG, NOW);
    *strstr(s, "\r\n\r\n") = '\0'; /* the header block only */
    char *hdr = wrap(s, "\r\n\r\n", "");
    long rss0 = maxrss_kb();
    ms_arena *arena = NULL;
    assert_int_equal(ms_arena_new(NULL, 0, &arena), MS_OK);
    ms_msg *m = NULL;
    assert_int_equal(ms_msg_parse(hdr, strlen(hdr), NULL, arena, &m, NULL), MS_OK);
    ms_dkim_verify_options opt;
    ms_dkim_verify_options_default(&opt);
    opt.now = NOW + 10;
    ms_dkim_verifier *dv = NULL;
    assert_int_equal(ms_dkim_verifier_new(zone, &opt, m, arena, NULL, &dv), MS_OK);
    char *chunk = malloc(1u << 20);
    for (size_t i = 0; i < (1u << 20); i++) {
        chunk[i] = (i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n' : (char)('a' + i % 26);
    }
    double t0 = now_s();
    for (uint64_t done_b = 0; done_b < BIG_BODY; done_b += 1u << 20) {
        chunk[0] = (char)('A' + (done_b >> 20) % 26); /* made on the fly */
        assert_int_equal(ms_dkim_verifier_body(dv, chunk, 1u << 20), MS_OK);
    }
    const ms_dkim_sig_result *r = NULL;
    size_t n = 0;
    assert_int_equal(ms_dkim_verifier_end(dv, &r, &n), MS_OK);
    double dt = now_s() - t0;
    assert_int_equal(n, 1);
    if (r[0].result != MS_DKIM_FAIL) {
        fail_msg("big body: got %s, want fail", ms_dkim_result_name(r[0].result));
    }
    if (r[0].body_length < BIG_BODY) {
        fail_msg("big body: canonical length %llu", (unsigned long long)r[0].body_length);
    }
    long grown_kb = maxrss_kb() - rss0;
    if (grown_kb > 32 * 1024) {
        fail_msg("big body: max RSS grew by %ld KiB, want bounded (< 32 MiB)", grown_kb);
    }
    print_message("big body: %llu MiB in %.2f s, RSS +%ld KiB\n",
                  (unsigned long long)(BIG_BODY >> 20), dt, grown_kb);
    free(chunk);
    ms_arena_free(arena);
    free(hdr);
    free(s);
}

/* b= not base64; b= of the wrong length for the key: permerror, each with its kind. */
static void bad_b_data(void **state)
{
    (void)state;
    char *s = sign_simple("rsa", NULL, MSG, NOW);
    /* Replace the b= data by malformed base64 of the same form. */
    char *bpos = strstr(s, "bh=");
    assert_non_null(bpos);
    while ((bpos = strstr(bpos + 1, "b=")) != NULL && bpos[-1] == 'h') {
    }
    assert_non_null(bpos);
    bpos -= 1;
    char *copy = strdup(s);
    char *bc = copy + (bpos - s) + 3;
    bc[0] = '=';
    bc[1] = '*';
    vrun v;
    verify(&v, copy);
    expect("bad b= base64", &v, 0, MS_DKIM_PERMERROR, -1);
    done(&v);
    free(copy);

    /* b= of 100 bytes for a 2048-bit key, in place of the real data (the body hash holds). */
    char *b100 = b64_of(100, 0x5a);
    size_t head = (size_t)(bpos - s) + 3;
    const char *end = s + head;
    while (!(end[0] == '\r' && end[1] == '\n' && end[2] != ' ' && end[2] != '\t')) {
        end++;
    }
    char *wrong = malloc(strlen(s) + strlen(b100) + 1);
    memcpy(wrong, s, head);
    memcpy(wrong + head, b100, strlen(b100));
    memcpy(wrong + head + strlen(b100), end, strlen(end) + 1);
    verify(&v, wrong);
    /* RFC 8017 §8.2.2: a signature of the wrong length is "invalid signature": fail, with
     * the length named in the detail (not the SIGNATURE_SIZE permerror kind). */
    expect("b= of 100 bytes for a 2048-bit key", &v, 0, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE);
    if (v.r[0].detail == NULL || strstr(v.r[0].detail, "length") == NULL) {
        fail_msg("b= of 100 bytes: detail \"%s\" does not name the length",
                 v.r[0].detail ? v.r[0].detail : "");
    }
    done(&v);
    free(wrong);
    free(b100);
    free(s);
}

/* A key record whose p= is valid base64 but no key: permerror, key syntax. */
static void key_not_a_key(void **state)
{
    (void)state;
    txt("nokey._domainkey." D, "v=DKIM1; k=rsa; p=aGVsbG8gd29ybGQsIEkgYW0gbm90IGEga2V5");
    txt("noed._domainkey." D, "v=DKIM1; k=ed25519; p=aGVsbG8=");
    char *s = sign_simple("nokey", NULL, MSG, NOW);
    vrun v;
    verify(&v, s);
    expect("key not a key (rsa)", &v, 0, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_KEY_SYNTAX);
    if (v.r[0].detail == NULL || strcmp(v.r[0].detail, "nokey._domainkey." D) != 0) {
        fail_msg("key not a key: detail is not the key's name");
    }
    done(&v);
    free(s);
    /* Ed25519 p= of 5 bytes, not 32 (RFC 8463 §4): the key is reported before the body. */
    char *b = b64_of(64, 0x5a);
    char *bh = b64_of(32, 0x11);
    char tags[1024];
    snprintf(tags, sizeof(tags),
             "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=" D "; s=noed; h=from; bh=%s; b=%s", bh,
             b);
    one_field("key not a key (ed25519)", tags, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_KEY_ALGORITHM,
              1);
    free(bh);
    free(b);
    (void)ed_pem;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dkim_01_l_partial_body),
        cmocka_unit_test(dkim_02_l_longer_than_body),
        cmocka_unit_test(dkim_04_unsigned_singleton),
        cmocka_unit_test(dkim_05_oversigned),
        cmocka_unit_test(dkim_07_prepended_from),
        cmocka_unit_test(dkim_08_replay_expiry_future),
        cmocka_unit_test(dkim_10_rsa_sha1),
        cmocka_unit_test(dkim_11_huge_modulus),
        cmocka_unit_test(dkim_13_bh_size),
        cmocka_unit_test(dkim_14_missing_bh_bad_b),
        cmocka_unit_test(dkim_16_hostile_domain_no_dns),
        cmocka_unit_test(dkim_17_i_outside_d),
        cmocka_unit_test(dkim_19_key_records),
        cmocka_unit_test(dkim_20_split_and_two_rrs),
        cmocka_unit_test(dkim_22_many_signatures),
        cmocka_unit_test(dkim_23_huge_h),
        cmocka_unit_test(dkim_25_header_forms),
        cmocka_unit_test(dkim_26_boundary),
        cmocka_unit_test(dkim_28_hostile_authres),
        cmocka_unit_test(dkim_29_signer_refusals),
        cmocka_unit_test(big_body_streamed),
        cmocka_unit_test(bad_b_data),
        cmocka_unit_test(key_not_a_key),
        cmocka_unit_test(rsa_key_under_1024),
    };
    return cmocka_run_group_tests_name("badinput_dkim", tests, setup, teardown);
}
