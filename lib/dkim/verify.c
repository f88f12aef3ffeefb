/* SPDX-License-Identifier: MIT */
/* The DKIM verifier, RFC 6376 §6: every DKIM-Signature (up to a cap) is parsed, its body hash
 * computed while the body streams (one canonicalizer per distinct c=/l=), then at the end its
 * key fetched (§3.6.2), the signed header fields selected bottom-up (§5.4.2), hashed with the
 * signature field itself (b= empty, §3.7) and the signature checked (RFC 8301, RFC 8463). */
#include <string.h>
#include <time.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "base/trace.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "dkim/canon.h"
#include "dkim/key.h"
#include "dkim/keycache.h"
#include "dkim/signature.h"
#include "mailseal/dkim.h"

#define RFC_VERIFY "RFC 6376 §6.1"

/* One body canonicalization shared by every signature with the same c= body and l=. */
typedef struct body_hash {
    ms__dkim_body_canon canon;
    ms__digest *digest;
    uint8_t value[MS__DIGEST_MAX];
    bool is_final;
} body_hash;

typedef struct sig_state {
    const ms_msg_field *field;
    const char *norm; /* the field's raw bytes with bare LF made CRLF */
    size_t norm_len;
    const ms__dkim_sig *sig; /* NULL when it did not parse or is not usable */
    body_hash *bh;
    ms_dkim_sig_result *res;
} sig_state;

struct ms_dkim_verifier {
    ms_resolver *resolver;
    ms_dkim_verify_options opt;
    const ms_msg *m;
    ms_arena *arena;
    ms_trace *trace;
    sig_state *sigs;
    size_t n_sigs;
    body_hash **hashes;
    size_t n_hashes;
    ms_dkim_sig_result *results;
    const char *oversize_detail; /* the header block is over the policy cap: verify nothing */
    ms_status fatal;
};

void ms_dkim_verify_options_default(ms_dkim_verify_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->max_signatures = MS_LIMIT_DKIM_SIGNATURES;
    opt->clock_skew_s = MS_LIMIT_DKIM_CLOCK_SKEW_S;
    opt->partial = MS_DKIM_PARTIAL_POLICY;
}

static void set(ms_dkim_sig_result *r, ms_dkim_result result, ms_dkim_permfail kind,
                const char *reason, const char *detail)
{
    r->result = result;
    r->permfail = kind;
    r->reason = reason;
    r->detail = detail;
}

static void digest_sink(void *user, const void *data, size_t len)
{
    body_hash *h = user;
    /* A digest update cannot fail for lack of memory once the context exists. */
    if (ms__crypto_digest_update(h->digest, data, len) != MS_OK) {
        h->is_final = true;
    }
}

/* Bare LF to CRLF, so the signature parser and the canonicalizers see one form. */
static const char *normalize(ms_arena *arena, const char *raw, size_t len, size_t *out_len)
{
    size_t extra = 0;
    for (size_t i = 0; i < len; i++) {
        extra += raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r');
    }
    if (extra == 0) {
        *out_len = len;
        return raw;
    }
    char *p = ms_arena_alloc(arena, len + extra + 1);
    if (p == NULL) {
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
            p[k++] = '\r';
        }
        p[k++] = raw[i];
    }
    p[k] = '\0';
    *out_len = k;
    return p;
}

static body_hash *find_hash(ms_dkim_verifier *v, const ms__dkim_sig *sig)
{
    ms__dkim_canon_alg alg =
        sig->canon_body == MS_DKIM_CANON_RELAXED ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE;
    uint64_t limit = sig->has_l ? sig->l : UINT64_MAX;
    for (size_t i = 0; i < v->n_hashes; i++) {
        if (v->hashes[i]->canon.alg == alg && v->hashes[i]->canon.limit == limit) {
            return v->hashes[i];
        }
    }
    body_hash *h = ms_arena_alloc(v->arena, sizeof(*h));
    if (h == NULL) {
        v->fatal = ms_arena_status(v->arena);
        return NULL;
    }
    memset(h, 0, sizeof(*h));
    if (ms__crypto_digest_new(MS__HASH_SHA256, &h->digest) != MS_OK) {
        v->fatal = MS_ENOMEM;
        return NULL;
    }
    ms__dkim_body_init(&h->canon, alg, limit, digest_sink, h);
    v->hashes[v->n_hashes++] = h;
    return h;
}

static void free_hashes(ms_dkim_verifier *v)
{
    for (size_t i = 0; i < v->n_hashes; i++) {
        ms__crypto_digest_free(v->hashes[i]->digest);
        v->hashes[i]->digest = NULL;
    }
    v->n_hashes = 0;
}

static void setup_one(ms_dkim_verifier *v, sig_state *s, size_t examined)
{
    ms_dkim_sig_result *r = s->res;
    r->field_index = s->field->index;
    if (examined >= v->opt.max_signatures) {
        set(r, MS_DKIM_NEUTRAL, MS_DKIM_PERMFAIL_LIMIT,
            "not examined: over the cap on signatures per message (RFC 6376 §4.2, §8.4)", NULL);
        return;
    }
    if (v->oversize_detail != NULL) {
        /* Refused before any DNS query or hashing: a header block this large is either abuse
         * or a message no MTA should have accepted (bad-inputs DKIM-25, MLT-10). */
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_LIMIT,
            "not verified: the header block is over the policy cap (RFC 6376 §8.4)",
            v->oversize_detail);
        return;
    }
    s->norm = normalize(v->arena, s->field->raw, s->field->raw_len, &s->norm_len);
    if (s->norm == NULL) {
        v->fatal = ms_arena_status(v->arena);
        return;
    }
    size_t voff = s->field->value_offset;
    ms__dkim_error err;
    memset(&err, 0, sizeof(err));
    const ms__dkim_sig *sig = NULL;
    ms_status st = ms__dkim_sig_parse(s->norm + voff, s->norm_len - voff, v->arena, &sig, &err);
    if (st == MS_ENOMEM) {
        v->fatal = st;
        return;
    }
    if (st != MS_OK || !ms__dkim_sig_usable(sig, &err)) {
        if (sig != NULL) {
            r->domain = sig->d;
            r->selector = sig->s;
            r->alg = sig->alg;
        }
        set(r, MS_DKIM_PERMERROR, err.kind ? err.kind : MS_DKIM_PERMFAIL_SYNTAX,
            err.reason ? err.reason : "invalid signature (RFC 6376 §6.1.1)",
            ms_arena_strdup(v->arena, err.detail));
        ms__trace_add(v->trace, MS_TRACE_RULE, 0, RFC_VERIFY, 0, 0,
                      "DKIM-Signature #%zu: permerror, %s (%s)", s->field->index, r->reason,
                      err.detail);
        return;
    }
    s->sig = sig;
    r->domain = sig->d;
    r->selector = sig->s;
    r->auid = sig->auid;
    r->alg = sig->alg;
    r->canon_header = sig->canon_header;
    r->canon_body = sig->canon_body;
    r->has_l = sig->has_l;
    r->l = sig->l;
    r->headers = sig->h;
    r->n_headers = sig->n_h;
    r->b_prefix = ms_arena_strndup(v->arena, sig->b, sig->b_len < 8 ? sig->b_len : 8);
    s->bh = find_hash(v, sig);
    ms__trace_add(v->trace, MS_TRACE_RECORD, 0, "RFC 6376 §3.5", 0, 0,
                  "DKIM-Signature #%zu: d=%s s=%s a=%s c=%s/%s%s", s->field->index, sig->d, sig->s,
                  ms_dkim_alg_name(sig->alg), ms_dkim_canon_name(sig->canon_header),
                  ms_dkim_canon_name(sig->canon_body), sig->has_l ? " l=" : "");
}

ms_status ms_dkim_verifier_new(ms_resolver *resolver, const ms_dkim_verify_options *opt,
                               const ms_msg *m, ms_arena *arena, ms_trace *trace,
                               ms_dkim_verifier **out)
{
    *out = NULL;
    if (resolver == NULL || m == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    ms_dkim_verifier *v = ms_arena_alloc(arena, sizeof(*v));
    if (v == NULL) {
        return ms_arena_status(arena);
    }
    memset(v, 0, sizeof(*v));
    v->resolver = resolver;
    if (opt) {
        v->opt = *opt;
    } else {
        ms_dkim_verify_options_default(&v->opt);
    }
    v->m = m;
    v->arena = arena;
    v->trace = trace;
    ms_msg_stats stats;
    ms_msg_get_stats(m, &stats);
    if (stats.flags & MS_MSG_OVERSIZE) {
        v->oversize_detail = ms__arena_printf(arena, "%zu header bytes", stats.header_bytes);
        if (v->oversize_detail == NULL) {
            return ms_arena_status(arena);
        }
    }
    static const char name[] = "DKIM-Signature";
    size_t n = ms_msg_count(m, name, sizeof(name) - 1);
    v->sigs = ms_arena_alloc(arena, (n ? n : 1) * sizeof(*v->sigs));
    v->results = ms_arena_alloc(arena, (n ? n : 1) * sizeof(*v->results));
    size_t n_hash_slots = n < v->opt.max_signatures ? n : v->opt.max_signatures;
    v->hashes = ms_arena_alloc(arena, (n_hash_slots ? n_hash_slots : 1) * sizeof(*v->hashes));
    if (v->sigs == NULL || v->results == NULL || v->hashes == NULL) {
        return ms_arena_status(arena);
    }
    memset(v->results, 0, (n ? n : 1) * sizeof(*v->results));
    const ms_msg_field *f = NULL;
    for (size_t i = 0; i < n && (f = ms_msg_next(m, name, sizeof(name) - 1, f)) != NULL; i++) {
        sig_state *s = &v->sigs[v->n_sigs++];
        memset(s, 0, sizeof(*s));
        s->field = f;
        s->res = &v->results[i];
        setup_one(v, s, i);
        if (v->fatal != MS_OK) {
            free_hashes(v);
            return v->fatal;
        }
    }
    *out = v;
    return MS_OK;
}

ms_status ms_dkim_verifier_body(ms_dkim_verifier *v, const char *chunk, size_t len)
{
    for (size_t i = 0; i < v->n_hashes; i++) {
        ms__dkim_body_update(&v->hashes[i]->canon, chunk, len);
    }
    return MS_OK;
}

/* §5.4.2: each name in h= takes the next instance from the bottom not yet used; an instance
 * that is not there contributes nothing ("treated as the null string"). */
static ms_status hash_headers(ms_dkim_verifier *v, sig_state *s, uint8_t digest[32])
{
    const ms__dkim_sig *sig = s->sig;
    ms__dkim_canon_alg alg =
        sig->canon_header == MS_DKIM_CANON_RELAXED ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE;
    const ms_msg_field **last = ms_arena_alloc(v->arena, (sig->n_h ? sig->n_h : 1) * sizeof(*last));
    ms__digest *d = NULL;
    if (last == NULL || ms__crypto_digest_new(MS__HASH_SHA256, &d) != MS_OK) {
        return MS_ENOMEM;
    }
    ms__buf b;
    ms_status st = MS_OK;
    for (size_t i = 0; i < sig->n_h && st == MS_OK; i++) {
        const char *name = sig->h[i];
        size_t nlen = strlen(name);
        /* The instance above the last one this name used (names compare case-insensitively). */
        const ms_msg_field *before = NULL;
        for (size_t j = i; j-- > 0;) {
            if (ms__str_ieq(sig->h[j], strlen(sig->h[j]), name, nlen)) {
                before = last[j];
                break;
            }
        }
        bool exhausted = false;
        for (size_t j = i; j-- > 0;) {
            if (ms__str_ieq(sig->h[j], strlen(sig->h[j]), name, nlen) && last[j] == NULL) {
                exhausted = true; /* an earlier instance was already missing */
                break;
            }
        }
        const ms_msg_field *f = exhausted ? NULL : ms_msg_prev(v->m, name, nlen, before);
        last[i] = f;
        if (f == NULL) {
            continue;
        }
        size_t norm_len;
        const char *norm = normalize(v->arena, f->raw, f->raw_len, &norm_len);
        if (norm == NULL) {
            st = ms_arena_status(v->arena);
            break;
        }
        ms__buf_init(&b, v->arena, MS_LIMIT_MSG_FIELD_BYTES + 2);
        ms__dkim_canon_header(alg, norm, norm_len, true, &b);
        st = ms__buf_status(&b);
        if (st == MS_OK) {
            st = ms__crypto_digest_update(d, b.data ? b.data : "", b.len);
        }
    }
    /* The signature field itself, b= value removed, without its final CRLF (§3.7). */
    if (st == MS_OK) {
        size_t cut = s->field->value_offset + sig->b_value_off;
        char *blank = ms_arena_alloc(v->arena, s->norm_len + 1);
        if (blank == NULL) {
            st = ms_arena_status(v->arena);
        } else {
            memcpy(blank, s->norm, cut);
            memcpy(blank + cut, s->norm + cut + sig->b_value_len,
                   s->norm_len - cut - sig->b_value_len);
            ms__buf_init(&b, v->arena, MS_LIMIT_MSG_FIELD_BYTES + 2);
            ms__dkim_canon_header(alg, blank, s->norm_len - sig->b_value_len, false, &b);
            st = ms__buf_status(&b);
            if (st == MS_OK) {
                st = ms__crypto_digest_update(d, b.data ? b.data : "", b.len);
            }
        }
    }
    size_t out_len = 0;
    if (st == MS_OK) {
        st = ms__crypto_digest_final(d, digest, 32, &out_len);
    }
    ms__crypto_digest_free(d);
    return st;
}

/* Names of fields a second, unsigned instance of which changes what a reader sees (DKIM-04,
 * RFC 6376 §8.15). */
static bool has_unsigned_singleton(const ms_dkim_verifier *v, const ms__dkim_sig *sig)
{
    static const char *const singletons[] = {"from", "to",       "cc",     "subject",
                                             "date", "reply-to", "sender", "message-id"};
    for (size_t k = 0; k < sizeof(singletons) / sizeof(singletons[0]); k++) {
        size_t nlen = strlen(singletons[k]);
        size_t signed_n = 0;
        for (size_t i = 0; i < sig->n_h; i++) {
            signed_n += ms__str_ieq(sig->h[i], strlen(sig->h[i]), singletons[k], nlen);
        }
        if (signed_n > 0 && ms_msg_count(v->m, singletons[k], nlen) > signed_n) {
            return true;
        }
    }
    return false;
}

/* Fetch the usable keys at s._domainkey.d (§3.6.2.2) into keys (new references); *n_keys 0
 * with r set when there is none. */
static void fetch_keys(ms_dkim_verifier *v, sig_state *s, ms__pubkey **keys, size_t *n_keys)
{
    const ms__dkim_sig *sig = s->sig;
    ms_dkim_sig_result *r = s->res;
    char name[MS_LIMIT_DNS_NAME + 2];
    size_t sl = strlen(sig->s), dl = strlen(sig->d);
    if (sl + dl + sizeof("._domainkey.") > sizeof(name)) {
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_SYNTAX,
            "the key name is longer than a domain name may be (RFC 6376 §3.6.2.1)", sig->d);
        return;
    }
    memcpy(name, sig->s, sl);
    memcpy(name + sl, "._domainkey.", 12);
    memcpy(name + sl + 12, sig->d, dl + 1);
    const ms_dns_answer *a;
    ms__trace_add(v->trace, MS_TRACE_QUERY, 1, "RFC 6376 §3.6.2.2", 0, 0, "TXT %s?", name);
    ms_status st = ms_resolver_query(v->resolver, name, MS_DNS_TXT, v->arena, &a);
    if (st != MS_OK) {
        v->fatal = st;
        return;
    }
    if (a->rcode == MS_DNS_TEMPFAIL || a->rcode == MS_DNS_MALFORMED) {
        set(r, MS_DKIM_TEMPERROR, MS_DKIM_PERMFAIL_NONE,
            "the key could not be fetched (RFC 6376 §6.1.2)", a->why);
        return;
    }
    if (a->rcode != MS_DNS_OK || a->n_rr == 0) {
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_KEY_SYNTAX,
            "no key for the signature (RFC 6376 §6.1.2)", ms_arena_strdup(v->arena, name));
        return;
    }
    ms__trace_add(v->trace, MS_TRACE_ANSWER, 1, NULL, 0, 0, "TXT %s: %zu record%s", name, a->n_rr,
                  a->n_rr == 1 ? "" : "s");
    /* Several records (a key being rotated, or junk beside the key): every usable key is
     * kept, at most MS_LIMIT_DKIM_KEYS_PER_NAME, and the signature is checked against each, so
     * the verdict does not depend on the order DNS gives them (RFC 6376 §3.6.2.2 lets the
     * verifier try them in turn). When none is usable, the first record's fault is reported. */
    bool have_fault = false;
    for (size_t i = 0; i < a->n_rr && *n_keys < MS_LIMIT_DKIM_KEYS_PER_NAME; i++) {
        ms__dkim_error err;
        memset(&err, 0, sizeof(err));
        const ms__dkim_key *key = NULL;
        const char *fault = NULL, *fault_detail = NULL;
        ms_dkim_permfail kind = MS_DKIM_PERMFAIL_KEY_SYNTAX;
        st = ms__dkim_key_parse(a->rr[i].u.txt.data, a->rr[i].u.txt.len, v->arena, &key, &err);
        if (st == MS_ENOMEM) {
            v->fatal = st;
            return;
        }
        ms__pubkey *pk = NULL;
        if (key == NULL || !ms__dkim_key_usable(key, sig, &err)) {
            kind = err.kind ? err.kind : MS_DKIM_PERMFAIL_KEY_SYNTAX;
            fault = err.reason ? err.reason : "invalid key record (RFC 6376 §6.1.2)";
            fault_detail = ms_arena_strdup(v->arena, err.detail);
        } else {
            ms__key_error kerr;
            memset(&kerr, 0, sizeof(kerr));
            ms__key_type type = key->type == MS__DKIM_KEY_ED25519 ? MS__KEY_ED25519 : MS__KEY_RSA;
            st = v->opt.key_cache ? ms__dkim_key_cache_get(v->opt.key_cache, type, key->p,
                                                           key->p_len, &pk, &kerr)
                                  : ms__crypto_pubkey_parse(type, key->p, key->p_len, &pk, &kerr);
            if (st == MS_ENOMEM) {
                v->fatal = st;
                return;
            }
            if (st != MS_OK) {
                fault = kerr.reason ? kerr.reason : "the key's p= is not a key (RFC 6376 §3.6.1)";
                fault_detail = ms_arena_strdup(v->arena, name);
                pk = NULL;
            } else if (key->type == MS__DKIM_KEY_RSA && ms__crypto_pubkey_bits(pk) < 1024) {
                kind = MS_DKIM_PERMFAIL_KEY_ALGORITHM;
                fault = "RSA keys under 1024 bits never verify (RFC 8301 §3.2)";
                fault_detail = ms_arena_strdup(v->arena, name);
                r->key_bits = ms__crypto_pubkey_bits(pk);
                ms__crypto_pubkey_free(pk);
                pk = NULL;
            }
        }
        if (pk != NULL) {
            if (*n_keys == 0) {
                r->is_testing = key->is_testing;
                r->key_bits = ms__crypto_pubkey_bits(pk);
            }
            keys[(*n_keys)++] = pk;
        } else if (!have_fault) {
            set(r, MS_DKIM_PERMERROR, kind, fault, fault_detail);
            have_fault = true;
        }
    }
    if (*n_keys > 0) {
        /* A usable key was found: a fault of another record is not the verdict. */
        r->result = MS_DKIM_NONE;
        r->permfail = MS_DKIM_PERMFAIL_NONE;
        r->reason = NULL;
        r->detail = NULL;
    }
}

static void check_keys(ms_dkim_verifier *v, sig_state *s, long long now, ms__pubkey **keys_out,
                       size_t *n_keys_out);

/* One signature against every usable key of its selector; the keys are released here. */
static void check_one(ms_dkim_verifier *v, sig_state *s, long long now)
{
    ms__pubkey *keys[MS_LIMIT_DKIM_KEYS_PER_NAME];
    size_t n_keys = 0;
    check_keys(v, s, now, keys, &n_keys);
    for (size_t i = 0; i < n_keys; i++) {
        ms__crypto_pubkey_free(keys[i]);
    }
}

static void check_keys(ms_dkim_verifier *v, sig_state *s, long long now, ms__pubkey **keys_out,
                       size_t *n_keys_out)
{
    const ms__dkim_sig *sig = s->sig;
    ms_dkim_sig_result *r = s->res;
    body_hash *h = s->bh;
    r->body_length = h->canon.total;
    if (sig->has_x && (long long)sig->x < now) {
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_NONE, "signature expired (RFC 6376 §3.5 x=)",
            NULL);
        return;
    }
    if (sig->has_t && (long long)sig->t > now + (long long)v->opt.clock_skew_s) {
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_NONE,
            "signature timestamp in the future (RFC 6376 §3.5 t=)", NULL);
        return;
    }
    /* §6.1.2 before §6.1.3: a key problem is reported as such even when the body changed. */
    ms__pubkey *keys[MS_LIMIT_DKIM_KEYS_PER_NAME];
    size_t n_keys = 0;
    *n_keys_out = 0;
    fetch_keys(v, s, keys, &n_keys);
    if (n_keys == 0) {
        return;
    }
    *n_keys_out = n_keys;
    memcpy(keys_out, keys, n_keys * sizeof(*keys));
    if (sig->has_l && sig->l > h->canon.total) {
        set(r, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE,
            "l= is longer than the body: content was removed (RFC 6376 §3.5 l=)", NULL);
        return;
    }
    uint8_t bh[64];
    size_t bh_len = 0;
    ms__base64_error berr;
    if (ms__base64_decode(sig->bh, sig->bh_len, MS__BASE64_SKIP_FWS, bh, sizeof(bh), &bh_len,
                          &berr) != MS_OK ||
        bh_len != 32) {
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_BODY_HASH_SIZE,
            "bh= is not a SHA-256 hash in base64 (RFC 6376 §3.5)", NULL);
        return;
    }
    if (memcmp(bh, h->value, 32) != 0) {
        set(r, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE,
            "body hash did not verify: the body changed after signing (RFC 6376 §6.1.3)", NULL);
        r->body_hash_mismatch = true;
        ms__trace_add(v->trace, MS_TRACE_RULE, 1, "RFC 6376 §6.1.3", 0, 0,
                      "d=%s s=%s: the body hash differs (%llu canonical bytes)", sig->d, sig->s,
                      (unsigned long long)h->canon.total);
        return;
    }
    uint8_t b[MS_LIMIT_SIGNATURE];
    size_t b_len = 0;
    if (ms__base64_decode(sig->b, sig->b_len, MS__BASE64_SKIP_FWS, b, sizeof(b), &b_len, &berr) !=
        MS_OK) {
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_SIGNATURE_SIZE,
            "b= is not valid base64 (RFC 6376 §3.5)", berr.reason);
        return;
    }
    uint8_t digest[32];
    ms_status st = hash_headers(v, s, digest);
    bool is_valid = false;
    const char *why = NULL;
    for (size_t k = 0; st == MS_OK && k < n_keys && !is_valid; k++) {
        st = ms__crypto_verify(keys[k], MS__HASH_SHA256, digest, 32, b, b_len, &is_valid, &why);
        if (is_valid) {
            s->res->key_bits = ms__crypto_pubkey_bits(keys[k]);
        }
    }
    if (st != MS_OK) {
        if (st == MS_ENOMEM || st == MS_ELIMIT) {
            v->fatal = st;
        }
        set(r, MS_DKIM_PERMERROR, MS_DKIM_PERMFAIL_SIGNATURE_SIZE,
            "the signature could not be checked (RFC 6376 §6.1.3)", ms_status_str(st));
        return;
    }
    if (!is_valid) {
        set(r, MS_DKIM_FAIL, MS_DKIM_PERMFAIL_NONE,
            "signature did not verify: a signed header changed, or the key does not match "
            "(RFC 6376 §6.1.3)",
            why);
        return;
    }
    r->has_unsigned_singleton = has_unsigned_singleton(v, sig);
    const char *ambiguity = ms_msg_ambiguity(v->m);
    if (ambiguity != NULL) {
        set(r, MS_DKIM_POLICY, MS_DKIM_PERMFAIL_NONE,
            "verified, but the message's line ends could be read two ways, so what was signed "
            "may not be what is delivered (CVE-2023-51764)",
            ambiguity);
        return;
    }
    if (sig->has_l && sig->l < h->canon.total && v->opt.partial != MS_DKIM_PARTIAL_PASS) {
        set(r, v->opt.partial == MS_DKIM_PARTIAL_FAIL ? MS_DKIM_FAIL : MS_DKIM_POLICY,
            MS_DKIM_PERMFAIL_NONE,
            "verified, but l= leaves part of the body unsigned (RFC 6376 §8.2)",
            ms__arena_printf(v->arena, "%llu of %llu body bytes signed", (unsigned long long)sig->l,
                             (unsigned long long)h->canon.total));
        return;
    }
    set(r, MS_DKIM_PASS, MS_DKIM_PERMFAIL_NONE, "signature verified (RFC 6376 §6.1.3)", NULL);
}

ms_status ms_dkim_verifier_end(ms_dkim_verifier *v, const ms_dkim_sig_result **results, size_t *n)
{
    *results = v->results;
    *n = v->n_sigs;
    for (size_t i = 0; i < v->n_hashes; i++) {
        body_hash *h = v->hashes[i];
        ms__dkim_body_final(&h->canon);
        size_t len = 0;
        if (ms__crypto_digest_final(h->digest, h->value, sizeof(h->value), &len) != MS_OK) {
            v->fatal = MS_ENOMEM;
        }
    }
    long long now = v->opt.now ? v->opt.now : (long long)time(NULL);
    for (size_t i = 0; i < v->n_sigs && v->fatal == MS_OK; i++) {
        sig_state *s = &v->sigs[i];
        if (s->sig != NULL && s->res->reason == NULL) {
            check_one(v, s, now);
            ms__trace_add(v->trace, MS_TRACE_RULE, 0, RFC_VERIFY, 0, 0,
                          "DKIM-Signature #%zu d=%s s=%s: %s, %s%s%s", s->field->index, s->sig->d,
                          s->sig->s, ms_dkim_result_name(s->res->result), s->res->reason,
                          s->res->detail ? ": " : "", s->res->detail ? s->res->detail : "");
        }
    }
    free_hashes(v);
    return v->fatal;
}
