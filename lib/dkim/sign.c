/* SPDX-License-Identifier: MIT */
/* The DKIM signer, RFC 6376 §5: keys read once (RFC 8301 §3.2, RFC 8463 §3), the header list
 * chosen and oversigned (§5.4, §5.4.2, §8.15), the body hashed once while it streams (§3.7),
 * the DKIM-Signature field written (§3.5: never l=, bad-inputs DKIM-01) and signed (§5.6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "dkim/canon.h"
#include "dkim/sign.h"
#include "dkim/signature.h"
#include "dkim/tags.h"
#include "mailseal/dkim.h"

#define RFC_DKIM29 "RFC 6376 §5.4, §8.15; bad-inputs DKIM-29"

typedef struct sign_key {
    ms__privkey *key;
    const char *selector; /* arena copy */
    ms_dkim_alg alg;
} sign_key;

struct ms_dkim_signer {
    ms_arena *arena; /* the signer's own strings */
    const char *domain;
    const char *auid;
    ms_dkim_canon canon_header, canon_body;
    const char **headers; /* the option's list, or NULL for the default set */
    size_t n_headers;
    unsigned long expire_s;
    bool allow_foreign_from;
    ms__dkim_sign_format fmt;
    sign_key keys[MS_LIMIT_DKIM_SIGN_KEYS];
    size_t n_keys;
};

struct ms_dkim_signing {
    const ms_dkim_signer *signer;
    const ms_msg *m;
    ms_arena *arena;
    long long now;
    const char **h; /* h= names in order, oversigned ones repeated */
    size_t n_h;
    ms__dkim_body_canon canon;
    ms__digest *digest; /* the body hash; NULL once released */
    bool is_failed;
};

/* The default set (§5.4.1 plus the fields that define what a reader sees); the first
 * N_OVERSIGNED are listed once more than present, so that adding one breaks the signature. */
static const char *const DEFAULT_HEADERS[] = {
    "from",
    "reply-to",
    "subject",
    "date",
    "to",
    "cc",
    "message-id",
    "content-type",
    "sender",
    "resent-date",
    "resent-from",
    "resent-to",
    "resent-cc",
    "in-reply-to",
    "references",
    "mime-version",
    "content-transfer-encoding",
    "list-id",
    "list-help",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "list-subscribe",
    "list-post",
    "list-owner",
    "list-archive",
};
#define N_DEFAULT (sizeof(DEFAULT_HEADERS) / sizeof(DEFAULT_HEADERS[0]))
#define N_OVERSIGNED 8u

const char *ms_dkim_refusal_name(ms_dkim_refusal kind)
{
    switch (kind) {
#define MS_DKIM_REFUSAL_NAME(name, text)                                                           \
    case MS_DKIM_REFUSAL_##name:                                                                   \
        return #name;
        MS_DKIM_REFUSAL_MAP(MS_DKIM_REFUSAL_NAME)
#undef MS_DKIM_REFUSAL_NAME
    }
    return "UNKNOWN";
}

const char *ms_dkim_refusal_str(ms_dkim_refusal kind)
{
    switch (kind) {
#define MS_DKIM_REFUSAL_TEXT(name, text)                                                           \
    case MS_DKIM_REFUSAL_##name:                                                                   \
        return text;
        MS_DKIM_REFUSAL_MAP(MS_DKIM_REFUSAL_TEXT)
#undef MS_DKIM_REFUSAL_TEXT
    }
    return "unknown refusal";
}

static ms_status refuse(ms_dkim_sign_error *err, ms_status st, ms_dkim_refusal kind,
                        const char *reason, const char *detail)
{
    if (err != NULL) {
        err->kind = kind;
        err->reason = reason;
        ms__dkim_escape(detail ? detail : "", detail ? strlen(detail) : 0, err->detail,
                        sizeof(err->detail));
    }
    return st;
}

static bool is_oversigned(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < N_OVERSIGNED; i++) {
        if (ms__str_ieq(name, len, DEFAULT_HEADERS[i], strlen(DEFAULT_HEADERS[i]))) {
            return true;
        }
    }
    return false;
}

/* Is domain d itself or a name below it (case-insensitive)? */
static bool is_within(const char *domain, const char *d)
{
    size_t len = strlen(domain), dl = strlen(d);
    if (ms__str_ieq(domain, len, d, dl)) {
        return true;
    }
    return len > dl + 1 && domain[len - dl - 1] == '.' && ms__str_ieq(domain + len - dl, dl, d, dl);
}

void ms_dkim_signer_options_default(ms_dkim_signer_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->canon_header = MS_DKIM_CANON_RELAXED;
    opt->canon_body = MS_DKIM_CANON_RELAXED;
}

/* i=: Local-part "@" domain within d= (§3.5). Only bytes that need no dkim-quoted-printable
 * encoding (§2.11) are taken, so the value is written as given. */
static bool auid_ok(const char *auid, const char *d, const char **why)
{
    const char *at = strchr(auid, '@');
    if (at == NULL) {
        *why = "i= must be [local-part]@domain (RFC 6376 §3.5 i=)";
        return false;
    }
    for (const char *p = auid; p < at; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == ';' || *p == '=' || *p == '@') {
            *why = "i= local-part: only printable ASCII without ';', '=' or '@' (RFC 6376 §2.11)";
            return false;
        }
    }
    size_t bad;
    if (!ms__dkim_domain_check(at + 1, strlen(at + 1), 2, &bad, why)) {
        return false;
    }
    if (!is_within(at + 1, d)) {
        *why = "i= domain must be d= or a subdomain of it (RFC 6376 §3.5 i=)";
        return false;
    }
    return true;
}

/* The option's colon-separated list into the signer's arena. From is always signed (§5.4). */
static ms_status parse_headers(ms_dkim_signer *s, const char *list, ms_dkim_sign_error *err)
{
    size_t cap = MS_LIMIT_DKIM_SIGN_HEADERS + 1;
    s->headers = ms_arena_alloc(s->arena, cap * sizeof(*s->headers));
    if (s->headers == NULL) {
        return ms_arena_status(s->arena);
    }
    bool has_from = false;
    const char *p = list;
    for (;;) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        const char *start = p;
        while (*p > 0x20 && *p < 0x7f && *p != ':') {
            p++;
        }
        size_t len = (size_t)(p - start);
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (len == 0 || (*p != ':' && *p != '\0')) {
            return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS,
                          "header list: field names separated by ':' (RFC 6376 §3.5 h=, RFC 5322 "
                          "§3.6.8)",
                          start);
        }
        if (s->n_headers + 1 >= cap) {
            return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS,
                          "header list: too many names (MS_LIMIT_DKIM_SIGN_HEADERS)", NULL);
        }
        has_from = has_from || ms__str_ieq(start, len, "from", 4);
        if ((s->headers[s->n_headers++] = ms_arena_strndup(s->arena, start, len)) == NULL) {
            return ms_arena_status(s->arena);
        }
        if (*p == '\0') {
            break;
        }
        p++;
    }
    if (!has_from) {
        memmove(s->headers + 1, s->headers, s->n_headers * sizeof(*s->headers));
        s->headers[0] = "from";
        s->n_headers++;
    }
    return MS_OK;
}

ms_status ms_dkim_signer_new(const ms_dkim_signer_options *opt, ms_dkim_signer **out,
                             ms_dkim_sign_error *err)
{
    *out = NULL;
    if (opt == NULL || opt->domain == NULL) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS, "a signer needs d= (RFC 6376 §3.5)",
                      NULL);
    }
    size_t bad;
    const char *why = NULL;
    if (!ms__dkim_domain_check(opt->domain, strlen(opt->domain), 2, &bad, &why)) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS, why, opt->domain);
    }
    if (opt->auid != NULL && !auid_ok(opt->auid, opt->domain, &why)) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS, why, opt->auid);
    }
    if ((opt->canon_header != MS_DKIM_CANON_SIMPLE && opt->canon_header != MS_DKIM_CANON_RELAXED) ||
        (opt->canon_body != MS_DKIM_CANON_SIMPLE && opt->canon_body != MS_DKIM_CANON_RELAXED)) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS,
                      "c= is simple or relaxed (RFC 6376 §3.4)", NULL);
    }
    if (opt->expire_s > 100000000000ul) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS,
                      "x= must fit 12 digits (RFC 6376 §3.5 x=)", NULL);
    }
    ms_dkim_signer *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return MS_ENOMEM;
    }
    ms_status st = ms_arena_new(NULL, 64u * 1024u, &s->arena);
    if (st != MS_OK) {
        free(s);
        return st;
    }
    s->domain = ms_arena_strdup(s->arena, opt->domain);
    s->auid = opt->auid ? ms_arena_strdup(s->arena, opt->auid) : NULL;
    s->canon_header = opt->canon_header;
    s->canon_body = opt->canon_body;
    s->expire_s = opt->expire_s;
    s->allow_foreign_from = opt->allow_foreign_from;
    st = ms_arena_status(s->arena);
    if (st == MS_OK && opt->headers != NULL) {
        st = parse_headers(s, opt->headers, err);
    }
    if (st != MS_OK) {
        ms_dkim_signer_free(s);
        return st;
    }
    *out = s;
    return MS_OK;
}

ms_status ms_dkim_signer_add_key(ms_dkim_signer *s, const char *selector, const char *pem,
                                 size_t pem_len, ms_dkim_sign_error *err)
{
    size_t bad;
    const char *why = NULL;
    if (selector == NULL || !ms__dkim_domain_check(selector, strlen(selector), 1, &bad, &why)) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS,
                      why ? why : "a key needs a selector (RFC 6376 §3.1)", selector);
    }
    if (s->n_keys >= MS_LIMIT_DKIM_SIGN_KEYS) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS,
                      "too many keys for one signer (MS_LIMIT_DKIM_SIGN_KEYS)", selector);
    }
    ms__key_error kerr;
    memset(&kerr, 0, sizeof(kerr));
    ms__privkey *key = NULL;
    ms_status st = ms__crypto_privkey_load_pem(pem, pem_len, &key, &kerr);
    if (st == MS_ENOMEM) {
        return st;
    }
    if (st != MS_OK) {
        return refuse(err, st, MS_DKIM_REFUSAL_KEY,
                      kerr.reason ? kerr.reason : "not a usable private key", selector);
    }
    const char *sel = ms_arena_strdup(s->arena, selector);
    if (sel == NULL) {
        ms__crypto_privkey_free(key);
        return ms_arena_status(s->arena);
    }
    sign_key *k = &s->keys[s->n_keys++];
    k->key = key;
    k->selector = sel;
    k->alg = ms__crypto_privkey_type(key) == MS__KEY_ED25519 ? MS_DKIM_ALG_ED25519_SHA256
                                                             : MS_DKIM_ALG_RSA_SHA256;
    return MS_OK;
}

void ms_dkim_signer_free(ms_dkim_signer *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n_keys; i++) {
        ms__crypto_privkey_free(s->keys[i].key);
    }
    ms_arena_free(s->arena);
    free(s);
}

void ms__dkim_signer_set_format(ms_dkim_signer *s, const ms__dkim_sign_format *f)
{
    s->fmt = *f;
}

/* ---- one message ------------------------------------------------------------------------ */

static void body_sink(void *user, const void *data, size_t len)
{
    ms_dkim_signing *g = user;
    if (ms__crypto_digest_update(g->digest, data, len) != MS_OK) {
        g->is_failed = true;
    }
}

static bool push_h(ms_dkim_signing *g, size_t cap, const char *name)
{
    if (g->n_h >= cap) {
        return false;
    }
    g->h[g->n_h++] = name;
    return true;
}

static size_t count_in(const char *const *names, size_t n, const char *name)
{
    size_t k = 0, len = strlen(name);
    for (size_t i = 0; i < n; i++) {
        k += ms__str_ieq(names[i], strlen(names[i]), name, len);
    }
    return k;
}

/* h= for this message (§5.4): the default set as present, or the option's list; the
 * oversigned names once more than the message holds (§5.4.2: a missing instance signs as
 * "absent", so one added later breaks the signature). */
static ms_status choose_headers(ms_dkim_signing *g, ms_dkim_sign_error *err)
{
    const ms_dkim_signer *s = g->signer;
    const char *const *base = s->headers ? s->headers : DEFAULT_HEADERS;
    size_t n_base = s->headers ? s->n_headers : N_DEFAULT;
    size_t cap = 0;
    for (size_t i = 0; i < n_base; i++) {
        size_t c = ms_msg_count(g->m, base[i], strlen(base[i]));
        cap += c + 2;
    }
    if (cap > MS_LIMIT_DKIM_H_ITEMS) {
        return refuse(err, MS_ELIMIT, MS_DKIM_REFUSAL_OPTIONS,
                      "more signed fields than h= may list (MS_LIMIT_DKIM_H_ITEMS)", NULL);
    }
    g->h = ms_arena_alloc(g->arena, cap * sizeof(*g->h));
    if (g->h == NULL) {
        return ms_arena_status(g->arena);
    }
    bool ok = true;
    if (s->headers == NULL) {
        for (size_t i = 0; i < N_DEFAULT; i++) {
            size_t c = ms_msg_count(g->m, base[i], strlen(base[i])) + (i < N_OVERSIGNED);
            for (size_t k = 0; k < c; k++) {
                ok = ok && push_h(g, cap, base[i]);
            }
        }
        return ok ? MS_OK : MS_ELIMIT;
    }
    for (size_t i = 0; i < n_base; i++) {
        ok = ok && push_h(g, cap, base[i]);
    }
    if (s->fmt.exact_headers) {
        return ok ? MS_OK : MS_ELIMIT;
    }
    for (size_t i = 0; i < n_base && ok; i++) {
        if (!is_oversigned(base[i]) || count_in(base, i, base[i]) > 0) {
            continue; /* not oversigned, or already seen */
        }
        size_t want = ms_msg_count(g->m, base[i], strlen(base[i])) + 1;
        for (size_t k = count_in(base, n_base, base[i]); k < want; k++) {
            ok = ok && push_h(g, cap, base[i]);
        }
    }
    return ok ? MS_OK : MS_ELIMIT;
}

ms_status ms_dkim_signing_new(const ms_dkim_signer *s, const ms_msg *m, long long now,
                              ms_arena *arena, ms_dkim_signing **out, ms_dkim_sign_error *err)
{
    *out = NULL;
    if (s == NULL || m == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    if (s->n_keys == 0) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_OPTIONS, "the signer has no key", NULL);
    }
    const ms_msg_mailbox *author = NULL;
    ms_msg_error merr;
    memset(&merr, 0, sizeof(merr));
    ms_status st = ms_msg_author(m, arena, &author, &merr);
    if (st != MS_OK && ms_arena_status(arena) != MS_OK) {
        return ms_arena_status(arena);
    }
    if (st != MS_OK) {
        /* ms_msg_author's reason is static and names the RFC rule; detail: where. */
        return refuse(err, MS_ESYNTAX, MS_DKIM_REFUSAL_NO_AUTHOR,
                      merr.reason ? merr.reason
                                  : "the author must be one From field holding one mailbox (RFC "
                                    "5322 §3.6.2; " RFC_DKIM29 ")",
                      merr.detail);
    }
    const char *ambiguity = ms_msg_ambiguity(m);
    if (ambiguity != NULL) {
        return refuse(err, MS_ESYNTAX, MS_DKIM_REFUSAL_AMBIGUOUS,
                      "the message's line ends could be read two ways, so what "
                      "is signed may not be what is delivered (RFC 5322 §2.3; CVE-2023-51764)",
                      ambiguity);
    }
    if (!s->allow_foreign_from &&
        ((author->flags & MS_MSG_ADDR_LITERAL) || !is_within(author->domain_ascii, s->domain))) {
        return refuse(err, MS_EINVAL, MS_DKIM_REFUSAL_FROM_DOMAIN,
                      "the From domain is neither d= nor below it, so the "
                      "signature would vouch for another domain's author (" RFC_DKIM29 ")",
                      author->domain_ascii);
    }
    ms_dkim_signing *g = ms_arena_alloc(arena, sizeof(*g));
    if (g == NULL) {
        return ms_arena_status(arena);
    }
    memset(g, 0, sizeof(*g));
    g->signer = s;
    g->m = m;
    g->arena = arena;
    g->now = now ? now : (long long)time(NULL);
    st = choose_headers(g, err);
    if (st != MS_OK) {
        return st;
    }
    if (ms__crypto_digest_new(MS__HASH_SHA256, &g->digest) != MS_OK) {
        return MS_ENOMEM;
    }
    ms__dkim_body_init(&g->canon,
                       s->canon_body == MS_DKIM_CANON_RELAXED ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE,
                       UINT64_MAX, body_sink, g);
    *out = g;
    return MS_OK;
}

ms_status ms_dkim_signing_body(ms_dkim_signing *g, const char *chunk, size_t len)
{
    if (g->digest == NULL) {
        return MS_EINVAL;
    }
    ms__dkim_body_update(&g->canon, chunk, len);
    return g->is_failed ? MS_ENOMEM : MS_OK;
}

void ms_dkim_signing_free(ms_dkim_signing *g)
{
    if (g != NULL) {
        ms__crypto_digest_free(g->digest);
        g->digest = NULL;
    }
}

/* ---- the DKIM-Signature field ----------------------------------------------------------- */

/* Writes tokens, folding with CRLF TAB before one that would pass the line width. */
typedef struct fold {
    ms__buf *b;
    size_t col; /* columns used on this line, a TAB counting 8 */
} fold;

static void put(fold *f, const char *joiner, const char *tok, size_t len)
{
    size_t jl = strlen(joiner);
    if (f->col > 8 && f->col + jl + len > MS_LIMIT_DKIM_SIGN_LINE) {
        ms__buf_append(f->b, "\r\n\t", 3);
        f->col = 8;
    } else {
        ms__buf_append(f->b, joiner, jl);
        f->col += jl;
    }
    ms__buf_append(f->b, tok, len);
    f->col += len;
}

static void put_tag(fold *f, const char *tag, const char *value)
{
    char tok[MS_LIMIT_DNS_NAME_TEXT];
    int n = snprintf(tok, sizeof(tok), "%s=%s;", tag, value);
    if (n > 0 && (size_t)n < sizeof(tok)) {
        put(f, " ", tok, (size_t)n);
    } else {
        f->b->status = MS_ELIMIT;
    }
}

/* Everything up to "b=" (what is hashed, §3.7), for key k. */
static void write_field(const ms_dkim_signing *g, const sign_key *k, const char *bh, fold *f)
{
    const ms_dkim_signer *s = g->signer;
    ms__buf_puts(f->b, "DKIM-Signature:");
    f->col = 15;
    put(f, " ", "v=1;", 4);
    put_tag(f, "a", ms_dkim_alg_name(k->alg));
    char c[32];
    snprintf(c, sizeof(c), "%s/%s", ms_dkim_canon_name(s->canon_header),
             ms_dkim_canon_name(s->canon_body));
    put_tag(f, "c", c);
    put_tag(f, "d", s->domain);
    if (s->auid != NULL) {
        put_tag(f, "i", s->auid);
    }
    if (s->fmt.with_q) {
        put(f, " ", "q=dns/txt;", 10);
    }
    put_tag(f, "s", k->selector);
    char num[32];
    snprintf(num, sizeof(num), "%lld", g->now);
    put_tag(f, "t", num);
    if (s->expire_s != 0) {
        snprintf(num, sizeof(num), "%lld", g->now + (long long)s->expire_s);
        put_tag(f, "x", num);
    }
    /* h=: "name:" tokens; with " : " the space after each colon is the joiner (or the fold). */
    const char *sep = s->fmt.h_sep ? s->fmt.h_sep : ":";
    size_t sep_len = strlen(sep);
    bool sep_space = sep_len > 0 && sep[sep_len - 1] == ' ';
    size_t core = sep_space ? sep_len - 1 : sep_len;
    for (size_t i = 0; i < g->n_h; i++) {
        char tok[MS_LIMIT_DNS_NAME_TEXT];
        int n = snprintf(tok, sizeof(tok), "%s%s%.*s", i == 0 ? "h=" : "", g->h[i],
                         i + 1 < g->n_h ? (int)core : 1, i + 1 < g->n_h ? sep : ";");
        if (n <= 0 || (size_t)n >= sizeof(tok)) {
            f->b->status = MS_ELIMIT;
            return;
        }
        put(f, i == 0 || sep_space ? " " : "", tok, (size_t)n);
    }
    put_tag(f, "bh", bh);
    /* b= starts a line of its own, so the text hashed with b= empty (§3.5) ends in "b=". */
    ms__buf_append(f->b, "\r\n\tb=", 5);
    f->col = 10;
}

/* The signed header fields, bottom-up per name (§5.4.2), then the field itself without b=
 * and without its CRLF (§3.7). */
static ms_status header_digest(const ms_dkim_signing *g, const ms__buf *field, uint8_t out[32])
{
    ms__dkim_canon_alg alg =
        g->signer->canon_header == MS_DKIM_CANON_RELAXED ? MS__DKIM_RELAXED : MS__DKIM_SIMPLE;
    const ms_msg_field **last = ms_arena_alloc(g->arena, (g->n_h ? g->n_h : 1) * sizeof(*last));
    if (last == NULL) {
        return ms_arena_status(g->arena);
    }
    ms__digest *d = NULL;
    if (ms__crypto_digest_new(MS__HASH_SHA256, &d) != MS_OK) {
        return MS_ENOMEM;
    }
    ms_status st = MS_OK;
    ms__buf b;
    for (size_t i = 0; i < g->n_h && st == MS_OK; i++) {
        size_t nlen = strlen(g->h[i]);
        const ms_msg_field *before = NULL;
        bool exhausted = false;
        for (size_t j = i; j-- > 0;) {
            if (ms__str_ieq(g->h[j], strlen(g->h[j]), g->h[i], nlen)) {
                before = last[j];
                exhausted = before == NULL;
                break;
            }
        }
        const ms_msg_field *f = exhausted ? NULL : ms_msg_prev(g->m, g->h[i], nlen, before);
        last[i] = f;
        if (f == NULL) {
            continue; /* oversigned: signs that there is no further instance */
        }
        ms__buf_init(&b, g->arena, MS_LIMIT_MSG_FIELD_BYTES + 2);
        ms__dkim_canon_header(alg, f->raw, f->raw_len, true, &b);
        st = ms__buf_status(&b);
        if (st == MS_OK) {
            st = ms__crypto_digest_update(d, b.data ? b.data : "", b.len);
        }
    }
    if (st == MS_OK) {
        ms__buf_init(&b, g->arena, MS_LIMIT_DKIM_SIG_BYTES + 2);
        ms__dkim_canon_header(alg, field->data, field->len, false, &b);
        st = ms__buf_status(&b);
        if (st == MS_OK) {
            st = ms__crypto_digest_update(d, b.data, b.len);
        }
    }
    if (st == MS_OK) {
        st = ms__crypto_digest_final(d, out, 32, NULL);
    }
    ms__crypto_digest_free(d);
    return st;
}

static ms_status sign_one(const ms_dkim_signing *g, const sign_key *k, const char *bh, ms__buf *out)
{
    ms__buf field;
    ms__buf_init(&field, g->arena, MS_LIMIT_DKIM_SIG_BYTES);
    fold f = {.b = &field, .col = 0};
    write_field(g, k, bh, &f);
    ms_status st = ms__buf_status(&field);
    uint8_t digest[32];
    if (st == MS_OK) {
        st = header_digest(g, &field, digest);
    }
    uint8_t sig[MS_LIMIT_SIGNATURE];
    size_t sig_len = 0;
    if (st == MS_OK) {
        st = ms__crypto_sign(k->key, MS__HASH_SHA256, digest, sizeof(digest), sig, sizeof(sig),
                             &sig_len);
    }
    char b64[MS_LIMIT_SIGNATURE * 2];
    size_t b64_len = 0;
    if (st == MS_OK) {
        st = ms__base64_encode(sig, sig_len, b64, sizeof(b64), &b64_len);
    }
    if (st != MS_OK) {
        return st;
    }
    /* b= folded anywhere (FWS is allowed inside base64, §3.5): full lines after the first. */
    for (size_t at = 0; at < b64_len;) {
        size_t room = MS_LIMIT_DKIM_SIGN_LINE - f.col;
        size_t take = b64_len - at < room ? b64_len - at : room;
        ms__buf_append(&field, b64 + at, take);
        at += take;
        if (at < b64_len) {
            ms__buf_append(&field, "\r\n\t", 3);
            f.col = 8;
        }
    }
    ms__buf_append(&field, "\r\n", 2);
    st = ms__buf_status(&field);
    if (st == MS_OK) {
        ms__buf_append(out, field.data, field.len);
    }
    return st;
}

ms_status ms_dkim_signing_end(ms_dkim_signing *g, const char **fields, size_t *len)
{
    *fields = NULL;
    *len = 0;
    if (g->digest == NULL) {
        return MS_EINVAL;
    }
    ms__dkim_body_final(&g->canon);
    uint8_t bh[32];
    ms_status st = g->is_failed ? MS_ENOMEM : ms__crypto_digest_final(g->digest, bh, 32, NULL);
    ms_dkim_signing_free(g);
    char bh64[48];
    if (st == MS_OK) {
        st = ms__base64_encode(bh, sizeof(bh), bh64, sizeof(bh64), NULL);
    }
    ms__buf out;
    ms__buf_init(&out, g->arena, MS_LIMIT_DKIM_SIG_BYTES * MS_LIMIT_DKIM_SIGN_KEYS);
    for (size_t i = 0; i < g->signer->n_keys && st == MS_OK; i++) {
        st = sign_one(g, &g->signer->keys[i], bh64, &out);
    }
    if (st == MS_OK) {
        st = ms__buf_status(&out);
    }
    if (st != MS_OK) {
        return st;
    }
    *fields = out.data;
    *len = out.len;
    return MS_OK;
}
