/* SPDX-License-Identifier: MIT */
/* DKIM-Signature parsing, RFC 6376 §3.5 (tags), §6.1.1 (what makes a signature invalid before
 * any DNS query), §2.11 (i= dkim-quoted-printable); RFC 8301 §3.1 (rsa-sha1 refused by name)
 * and RFC 8463 §3 (ed25519-sha256). */
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "dkim/signature.h"

const char *ms_dkim_alg_name(ms_dkim_alg alg)
{
    switch (alg) {
#define MS_DKIM_ALG_TEXT(name, text)                                                               \
    case MS_DKIM_ALG_##name:                                                                       \
        return text;
        MS_DKIM_ALG_MAP(MS_DKIM_ALG_TEXT)
#undef MS_DKIM_ALG_TEXT
    }
    return "unknown";
}

const char *ms_dkim_canon_name(ms_dkim_canon canon)
{
    switch (canon) {
#define MS_DKIM_CANON_TEXT(name, text)                                                             \
    case MS_DKIM_CANON_##name:                                                                     \
        return text;
        MS_DKIM_CANON_MAP(MS_DKIM_CANON_TEXT)
#undef MS_DKIM_CANON_TEXT
    }
    return "unknown";
}

/* ---- names ------------------------------------------------------------------------------ */

bool ms__dkim_domain_check(const char *name, size_t len, unsigned min_labels, size_t *bad_off,
                           const char **why)
{
    static const char *const bad_char = "only letters, digits, '-' and '.' in a domain name: "
                                        "A-labels (RFC 6376 §3.5, RFC 5321 §4.1.2)";
    static const char *const bad_label = "empty label, or a label that starts or ends with '-' "
                                         "(RFC 5321 §4.1.2 sub-domain)";
    unsigned n_labels = 0;
    size_t label_len = 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '.') {
            if (label_len == 0 || name[i - 1] == '-') {
                *bad_off = i;
                *why = bad_label;
                return false;
            }
            n_labels++;
            label_len = 0;
        } else if (ms__is_alnum(c) || c == '-') {
            if (c == '-' && label_len == 0) {
                *bad_off = i;
                *why = bad_label;
                return false;
            }
            if (++label_len > MS_LIMIT_DNS_LABEL) {
                *bad_off = i;
                *why = "label longer than 63 bytes (RFC 1035 §2.3.4)";
                return false;
            }
        } else {
            *bad_off = i;
            *why = bad_char;
            return false;
        }
    }
    if (label_len == 0 || name[len - 1] == '-') {
        *bad_off = len == 0 ? 0 : len - 1;
        *why = len == 0 ? "empty domain name (RFC 6376 §3.5)" : bad_label;
        return false;
    }
    n_labels++;
    if (len > MS_LIMIT_DNS_NAME) {
        *bad_off = MS_LIMIT_DNS_NAME;
        *why = "domain name longer than 253 bytes (RFC 1035 §2.3.4)";
        return false;
    }
    if (n_labels < min_labels) {
        *bad_off = 0;
        *why = "d= needs at least two labels: sub-domain 1*(\".\" sub-domain) (RFC 6376 §3.5)";
        return false;
    }
    return true;
}

/* Is domain[0..dlen) the same as d or a subdomain of it (ASCII case-insensitive)? */
static bool is_within(const char *domain, size_t dlen, const char *d)
{
    size_t n = strlen(d);
    if (dlen == n) {
        return ms__str_ieq(domain, dlen, d, n);
    }
    return dlen > n && domain[dlen - n - 1] == '.' && ms__str_ieq(domain + dlen - n, n, d, n);
}

/* ---- parser state ----------------------------------------------------------------------- */

typedef struct parser {
    const char *text;
    size_t len;
    ms_arena *arena;
    ms__dkim_error *err;
    ms__dkim_sig *sig;
} parser;

static ms_status fail_tag(parser *ps, ms_dkim_permfail kind, const ms__dkim_tag *t, const char *tag,
                          size_t rel_off, const char *reason)
{
    return ms__dkim_fail(ps->err, kind, tag, t->value_off + rel_off, reason, t->value,
                         t->value_len);
}

static bool is_alpha_alnums(const char *s, size_t len)
{
    if (len == 0 || !ms__is_alpha(s[0])) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!ms__is_alnum(s[i])) {
            return false;
        }
    }
    return true;
}

/* a= sig-a-tag-k "-" sig-a-tag-h, each ALPHA *(ALPHA / DIGIT). */
static ms_status parse_a(parser *ps, const ms__dkim_tag *t)
{
    const char *v = t->value;
    size_t n = t->value_len;
    const char *dash = memchr(v, '-', n);
    if (dash == NULL || !is_alpha_alnums(v, (size_t)(dash - v)) ||
        !is_alpha_alnums(dash + 1, n - (size_t)(dash - v) - 1)) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "a", 0,
                        "a= is a key type '-' a hash name (RFC 6376 §3.5 sig-a-tag-alg)");
    }
    static const struct {
        const char *name;
        ms_dkim_alg alg;
    } known[] = {
        {"rsa-sha256", MS_DKIM_ALG_RSA_SHA256},
        {"ed25519-sha256", MS_DKIM_ALG_ED25519_SHA256},
        {"rsa-sha1", MS_DKIM_ALG_RSA_SHA1},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        /* Values are case-sensitive unless a tag says otherwise (§3.2). */
        if (n == strlen(known[i].name) && memcmp(v, known[i].name, n) == 0) {
            ps->sig->alg = known[i].alg;
            ps->sig->a = v;
            return MS_OK;
        }
    }
    return fail_tag(ps, MS_DKIM_PERMFAIL_ALGORITHM, t, "a", 0,
                    "unknown signing algorithm: rsa-sha256 or ed25519-sha256 "
                    "(RFC 6376 §3.3, RFC 8463 §3)");
}

/* b= and bh=: base64string with FWS, kept without the folding. */
static ms_status parse_base64(parser *ps, const ms__dkim_tag *t, const char *tag, bool may_be_empty,
                              const char **out, size_t *out_len)
{
    size_t n = 0;
    for (size_t i = 0; i < t->value_len; i++) {
        n += !ms__dkim_is_fws(t->value[i]);
    }
    if (n > MS_LIMIT_DKIM_BASE64) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_LIMIT, t, tag, 0,
                        "base64 value longer than MS_LIMIT_DKIM_BASE64 characters "
                        "(RFC 6376 §3.5)");
    }
    size_t bad = 0;
    const char *why = NULL;
    if (!(may_be_empty && n == 0) && !ms__dkim_base64_check(t->value, t->value_len, &bad, &why)) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, tag, bad, why);
    }
    *out = ms__dkim_strip_fws(ps->arena, t->value, t->value_len, out_len);
    return *out ? MS_OK : ms_arena_status(ps->arena);
}

/* c= sig-c-tag-alg ["/" sig-c-tag-alg]; one name means that header algorithm and simple body. */
static ms_status parse_c(parser *ps, const ms__dkim_tag *t)
{
    const char *v = t->value;
    size_t n = t->value_len;
    const char *slash = memchr(v, '/', n);
    size_t hlen = slash ? (size_t)(slash - v) : n;
    const char *parts[2] = {v, slash ? slash + 1 : NULL};
    size_t lens[2] = {hlen, slash ? n - hlen - 1 : 0};
    ms_dkim_canon *canon[2] = {&ps->sig->canon_header, &ps->sig->canon_body};
    for (int i = 0; i < 2 && parts[i]; i++) {
        if (!ms__dkim_is_hyphenated_word(parts[i], lens[i])) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "c", (size_t)(parts[i] - v),
                            "c= is one or two algorithm names separated by '/' "
                            "(RFC 6376 §3.5 sig-c-tag)");
        }
        if (lens[i] == 6 && memcmp(parts[i], "simple", 6) == 0) {
            *canon[i] = MS_DKIM_CANON_SIMPLE;
        } else if (lens[i] == 7 && memcmp(parts[i], "relaxed", 7) == 0) {
            *canon[i] = MS_DKIM_CANON_RELAXED;
        } else {
            return fail_tag(ps, MS_DKIM_PERMFAIL_CANONICALIZATION, t, "c", (size_t)(parts[i] - v),
                            "unknown canonicalization: simple or relaxed (RFC 6376 §3.4)");
        }
    }
    return MS_OK;
}

static ms_status parse_domain(parser *ps, const ms__dkim_tag *t, const char *tag,
                              unsigned min_labels)
{
    size_t bad = 0;
    const char *why = NULL;
    if (!ms__dkim_domain_check(t->value, t->value_len, min_labels, &bad, &why)) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, tag, bad, why);
    }
    return MS_OK;
}

/* h= hdr-name *( [FWS] ":" [FWS] hdr-name ), hdr-name = field-name = 1*ftext (RFC 5322 §3.6.8). */
static ms_status parse_h(parser *ps, const ms__dkim_tag *t)
{
    const char *v = t->value;
    size_t n = t->value_len;
    if (n > MS_LIMIT_DKIM_H_BYTES) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_LIMIT, t, "h", MS_LIMIT_DKIM_H_BYTES,
                        "h= longer than MS_LIMIT_DKIM_H_BYTES (RFC 6376 §3.5; bad-inputs DKIM-23)");
    }
    size_t n_items = 1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ':' && ++n_items > MS_LIMIT_DKIM_H_ITEMS) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_LIMIT, t, "h", i,
                            "more than MS_LIMIT_DKIM_H_ITEMS names in h= "
                            "(RFC 6376 §3.5; bad-inputs DKIM-23)");
        }
    }
    const char **names = ms_arena_alloc(ps->arena, n_items * sizeof(*names));
    if (names == NULL) {
        return ms_arena_status(ps->arena);
    }
    size_t pos = 0, k = 0, len = 0;
    const char *item = NULL;
    bool has_from = false;
    int r;
    while ((r = ms__dkim_list_next(v, n, ':', &pos, &item, &len)) == 1) {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)item[i];
            if (c < 33 || c > 126) {
                return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "h", (size_t)(item - v) + i,
                                "a header field name is printable ASCII without ':' "
                                "(RFC 6376 §3.5, RFC 5322 §3.6.8)");
            }
        }
        has_from = has_from || ms__str_ieq(item, len, "from", 4);
        names[k] = ms_arena_strndup(ps->arena, item, len);
        if (names[k] == NULL) {
            return ms_arena_status(ps->arena);
        }
        k++;
    }
    if (r < 0) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "h", pos,
                        "h= is field names separated by ':', none empty "
                        "(RFC 6376 §3.5 sig-h-tag)");
    }
    if (!has_from) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_FROM_NOT_SIGNED, t, "h", 0,
                        "h= must include From (RFC 6376 §5.4, §6.1.1)");
    }
    ps->sig->h = names;
    ps->sig->n_h = k;
    return MS_OK;
}

static int hex_value(char c)
{
    /* §2.11: "0123456789ABCDEF", no lowercase characters permitted */
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Length of the well-formed UTF-8 sequence at s[0..len) (RFC 3629 §4), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80;
        hi = s[0] == 0xed ? 0x9f : 0xbf;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
        lo = s[0] == 0xf0 ? 0x90 : 0x80;
        hi = s[0] == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (len < need || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < need; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf) {
            return 0;
        }
    }
    return need;
}

static bool is_atext(unsigned char c)
{
    return ms__is_alnum((char)c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 5321 §4.1.2 Local-part = Dot-string / Quoted-string, with UTF-8 as RFC 6532 §3.2
 * allows; an empty local-part is allowed (RFC 6376 §3.5 i=). Returns its length, the offset
 * of the '@' that must follow, or SIZE_MAX when it is malformed (*bad at the fault). */
static size_t local_part(const unsigned char *s, size_t n, size_t *bad)
{
    size_t i = 0;
    if (n > 0 && s[0] == '"') {
        for (i = 1; i < n && s[i] != '"'; i++) {
            if (s[i] == '\\' && i + 1 < n && s[i + 1] >= 32 && s[i + 1] <= 126) {
                i++; /* quoted-pairSMTP */
            } else if (s[i] >= 0x80) {
                size_t u = utf8_len(s + i, n - i);
                if (u == 0) {
                    *bad = i;
                    return SIZE_MAX;
                }
                i += u - 1;
            } else if (s[i] < 32 || s[i] > 126 || s[i] == '\\') {
                *bad = i; /* qtextSMTP is %d32-33 / %d35-91 / %d93-126 */
                return SIZE_MAX;
            }
        }
        if (i == n) {
            *bad = n;
            return SIZE_MAX;
        }
        return i + 1;
    }
    for (; i < n && s[i] != '@'; i++) {
        if (s[i] == '.') {
            if (i == 0 || s[i - 1] == '.' || i + 1 == n || s[i + 1] == '@') {
                *bad = i; /* Dot-string = Atom *("." Atom) */
                return SIZE_MAX;
            }
        } else if (s[i] >= 0x80) {
            size_t u = utf8_len(s + i, n - i);
            if (u == 0) {
                *bad = i;
                return SIZE_MAX;
            }
            i += u - 1;
        } else if (!is_atext(s[i])) {
            *bad = i;
            return SIZE_MAX;
        }
    }
    return i;
}

/* i= [ Local-part ] "@" domain-name, dkim-quoted-printable (§2.11); its domain is d= or a
 * subdomain of it (§3.5, §6.1.1). */
static ms_status parse_i(parser *ps, const ms__dkim_tag *t)
{
    static const char *const bad_qp = "i= is dkim-quoted-printable: '=' and two upper-case hex "
                                      "digits, or '!'..'~' but ';' and '=' (RFC 6376 §2.11)";
    const char *v = t->value;
    unsigned char *dec = ms_arena_alloc(ps->arena, t->value_len + 1);
    if (dec == NULL) {
        return ms_arena_status(ps->arena);
    }
    size_t n = 0;
    for (size_t i = 0; i < t->value_len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (ms__dkim_is_fws((char)c)) {
            continue; /* FWS is not part of the value (§2.11) */
        }
        if (c == '=') {
            int hi = i + 2 < t->value_len ? hex_value(v[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value(v[i + 2]) : -1;
            if (lo < 0) {
                return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "i", i, bad_qp);
            }
            dec[n++] = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else if (c >= 0x21 && c <= 0x7e && c != ';') {
            dec[n++] = c;
        } else {
            return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "i", i, bad_qp);
        }
    }
    dec[n] = '\0';
    size_t bad = 0;
    size_t at = local_part(dec, n, &bad);
    if (at == SIZE_MAX || at >= n || dec[at] != '@') {
        return ms__dkim_fail(ps->err, MS_DKIM_PERMFAIL_SYNTAX, "i", t->value_off,
                             "i= is [local-part] \"@\" domain-name "
                             "(RFC 6376 §3.5, RFC 5321 §4.1.2)",
                             (const char *)dec, n);
    }
    if (at > MS_LIMIT_DKIM_LOCAL_PART) {
        return ms__dkim_fail(ps->err, MS_DKIM_PERMFAIL_LIMIT, "i", t->value_off,
                             "i= local-part longer than 64 bytes (RFC 5321 §4.5.3.1.1)",
                             (const char *)dec, n);
    }
    const char *domain = (const char *)dec + at + 1;
    size_t dlen = n - at - 1;
    const char *why = NULL;
    if (!ms__dkim_domain_check(domain, dlen, 2, &bad, &why)) {
        return ms__dkim_fail(ps->err, MS_DKIM_PERMFAIL_SYNTAX, "i", t->value_off, why,
                             (const char *)dec, n);
    }
    if (!is_within(domain, dlen, ps->sig->d)) {
        return ms__dkim_fail(ps->err, MS_DKIM_PERMFAIL_DOMAIN_MISMATCH, "i", t->value_off,
                             "the i= domain must be d= or a subdomain of it "
                             "(RFC 6376 §3.5, §6.1.1)",
                             (const char *)dec, n);
    }
    ps->sig->auid = (const char *)dec;
    ps->sig->auid_domain = domain;
    ps->sig->has_i = true;
    return MS_OK;
}

/* 1*max_digits DIGIT into a 64-bit value. */
static ms_status parse_number(parser *ps, const ms__dkim_tag *t, const char *tag, size_t max_digits,
                              uint64_t *out)
{
    static const char *const bad_digits = "a decimal number is digits only (RFC 6376 §3.5)";
    if (t->value_len == 0) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, tag, 0, bad_digits);
    }
    uint64_t v = 0;
    for (size_t i = 0; i < t->value_len; i++) {
        char c = t->value[i];
        if (!ms__is_digit(c)) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, tag, i, bad_digits);
        }
        if (i == max_digits) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, tag, i,
                            max_digits == MS_LIMIT_DKIM_TIMESTAMP_DIGITS
                                ? "t= and x= have at most 12 digits (RFC 6376 §3.5)"
                                : "l= has at most 76 digits (RFC 6376 §3.5)");
        }
        uint64_t d = (uint64_t)(c - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_LIMIT, t, tag, i,
                            "l= does not fit 64 bits (RFC 6376 §3.5: test for overflow)");
        }
        v = v * 10 + d;
    }
    *out = v;
    return MS_OK;
}

/* q= sig-q-tag-method *([FWS] ":" [FWS] sig-q-tag-method); "dns/txt" must be among them. */
static ms_status parse_q(parser *ps, const ms__dkim_tag *t)
{
    size_t pos = 0, len = 0;
    const char *item = NULL;
    bool has_dns_txt = false;
    int r;
    while ((r = ms__dkim_list_next(t->value, t->value_len, ':', &pos, &item, &len)) == 1) {
        const char *slash = memchr(item, '/', len);
        size_t type_len = slash ? (size_t)(slash - item) : len;
        if (!ms__dkim_is_hyphenated_word(item, type_len)) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "q", (size_t)(item - t->value),
                            "a query method is a name, then '/' and options "
                            "(RFC 6376 §3.5 sig-q-tag)");
        }
        has_dns_txt = has_dns_txt || (len == 7 && memcmp(item, "dns/txt", 7) == 0);
    }
    if (r < 0) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "q", pos,
                        "q= is query methods separated by ':' (RFC 6376 §3.5 sig-q-tag)");
    }
    if (!has_dns_txt) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_QUERY_METHOD, t, "q", 0,
                        "no known query method: dns/txt is the only one (RFC 6376 §3.5)");
    }
    ps->sig->q = t->value;
    return MS_OK;
}

/* bh= is the hash itself: 32 bytes (44 characters, one '=') for SHA-256, 20 (28, one '=')
 * for SHA-1. Checked here so that no size mismatch reaches the compare (DKIM-13). */
static ms_status check_bh_size(parser *ps, const ms__dkim_tag *t)
{
    const ms__dkim_sig *sig = ps->sig;
    size_t want = sig->alg == MS_DKIM_ALG_RSA_SHA1 ? 28 : 44;
    if (sig->bh_len != want || sig->bh[want - 1] != '=' || sig->bh[want - 2] == '=') {
        return fail_tag(ps, MS_DKIM_PERMFAIL_BODY_HASH_SIZE, t, "bh", 0,
                        sig->alg == MS_DKIM_ALG_RSA_SHA1
                            ? "bh= must be 20 bytes (28 base64 characters) for SHA-1 "
                              "(RFC 6376 §3.7)"
                            : "bh= must be 32 bytes (44 base64 characters) for SHA-256 "
                              "(RFC 6376 §3.7)");
    }
    return MS_OK;
}

static const char *const REQUIRED[] = {"v", "a", "b", "bh", "d", "h", "s"};

static ms_status parse_tags(parser *ps)
{
    ms__dkim_sig *sig = ps->sig;
    const ms__dkim_tags *tags = &sig->tags;
    const ms__dkim_tag *v = ms__dkim_tags_find(tags, "v");
    if (v && !(v->value_len == 1 && v->value[0] == '1')) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_VERSION, v, "v", 0,
                        "v= must be 1 (RFC 6376 §3.5, §6.1.1)");
    }
    for (size_t i = 0; i < sizeof(REQUIRED) / sizeof(REQUIRED[0]); i++) {
        if (ms__dkim_tags_find(tags, REQUIRED[i]) == NULL) {
            return ms__dkim_fail(ps->err, MS_DKIM_PERMFAIL_MISSING_TAG, REQUIRED[i], ps->len,
                                 "required tag missing: v a b bh d h s (RFC 6376 §3.5, §6.1.1)",
                                 REQUIRED[i], strlen(REQUIRED[i]));
        }
    }
    const ms__dkim_tag *t;
    ms_status st;
    if ((st = parse_a(ps, ms__dkim_tags_find(tags, "a"))) != MS_OK) {
        return st;
    }
    t = ms__dkim_tags_find(tags, "b");
    if ((st = parse_base64(ps, t, "b", true, &sig->b, &sig->b_len)) != MS_OK) {
        return st;
    }
    sig->b_value_off = t->value_off;
    sig->b_value_len = t->value_len;
    sig->b_end_off = t->end_off;
    t = ms__dkim_tags_find(tags, "bh");
    if ((st = parse_base64(ps, t, "bh", false, &sig->bh, &sig->bh_len)) != MS_OK ||
        (st = check_bh_size(ps, t)) != MS_OK) {
        return st;
    }
    if ((t = ms__dkim_tags_find(tags, "c")) != NULL && (st = parse_c(ps, t)) != MS_OK) {
        return st;
    }
    t = ms__dkim_tags_find(tags, "d");
    if ((st = parse_domain(ps, t, "d", 2)) != MS_OK) {
        return st;
    }
    sig->d = t->value;
    t = ms__dkim_tags_find(tags, "s");
    if ((st = parse_domain(ps, t, "s", 1)) != MS_OK) {
        return st;
    }
    sig->s = t->value;
    if (strlen(sig->s) + strlen("._domainkey.") + strlen(sig->d) > MS_LIMIT_DNS_NAME) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "s", 0,
                        "the key's name s._domainkey.d is longer than 253 bytes "
                        "(RFC 6376 §3.6.2.1, RFC 1035 §2.3.4)");
    }
    if ((st = parse_h(ps, ms__dkim_tags_find(tags, "h"))) != MS_OK) {
        return st;
    }
    if ((t = ms__dkim_tags_find(tags, "i")) != NULL) {
        if ((st = parse_i(ps, t)) != MS_OK) {
            return st;
        }
    } else {
        /* §6.1.1: behave as though i= were "@d". */
        char *auid = ms_arena_alloc(ps->arena, strlen(sig->d) + 2);
        if (auid == NULL) {
            return ms_arena_status(ps->arena);
        }
        auid[0] = '@';
        memcpy(auid + 1, sig->d, strlen(sig->d) + 1);
        sig->auid = auid;
        sig->auid_domain = auid + 1;
    }
    if ((t = ms__dkim_tags_find(tags, "l")) != NULL) {
        if ((st = parse_number(ps, t, "l", MS_LIMIT_DKIM_LENGTH_DIGITS, &sig->l)) != MS_OK) {
            return st;
        }
        sig->has_l = true;
    }
    if ((t = ms__dkim_tags_find(tags, "q")) != NULL && (st = parse_q(ps, t)) != MS_OK) {
        return st;
    }
    if ((t = ms__dkim_tags_find(tags, "t")) != NULL) {
        if ((st = parse_number(ps, t, "t", MS_LIMIT_DKIM_TIMESTAMP_DIGITS, &sig->t)) != MS_OK) {
            return st;
        }
        sig->has_t = true;
    }
    if ((t = ms__dkim_tags_find(tags, "x")) != NULL) {
        if ((st = parse_number(ps, t, "x", MS_LIMIT_DKIM_TIMESTAMP_DIGITS, &sig->x)) != MS_OK) {
            return st;
        }
        sig->has_x = true;
        if (sig->has_t && sig->x <= sig->t) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_SYNTAX, t, "x", 0,
                            "x= must be greater than t= (RFC 6376 §3.5)");
        }
    }
    if ((t = ms__dkim_tags_find(tags, "z")) != NULL) {
        sig->z = t->value; /* diagnostic copies only (§3.5): kept as written, not decoded */
    }
    return MS_OK;
}

ms_status ms__dkim_sig_parse(const char *value, size_t len, ms_arena *arena,
                             const ms__dkim_sig **out, ms__dkim_error *err)
{
    *out = NULL;
    if (err) {
        memset(err, 0, sizeof(*err));
    }
    if (len > MS_LIMIT_DKIM_SIG_BYTES) {
        return ms__dkim_fail(err, MS_DKIM_PERMFAIL_LIMIT, NULL, MS_LIMIT_DKIM_SIG_BYTES,
                             "DKIM-Signature longer than MS_LIMIT_DKIM_SIG_BYTES (RFC 6376 §3.5)",
                             value, 16);
    }
    ms__dkim_sig *sig = ms_arena_alloc(arena, sizeof(*sig));
    if (sig == NULL) {
        return ms_arena_status(arena);
    }
    memset(sig, 0, sizeof(*sig));
    sig->canon_header = MS_DKIM_CANON_SIMPLE;
    sig->canon_body = MS_DKIM_CANON_SIMPLE;
    sig->q = "dns/txt";
    parser ps = {value, len, arena, err, sig};
    ms_status st = ms__dkim_tags_parse(value, len, MS_LIMIT_DKIM_TAGS, MS_DKIM_PERMFAIL_SYNTAX,
                                       arena, &sig->tags, err);
    if (st == MS_OK) {
        st = parse_tags(&ps);
    }
    if (st != MS_OK) {
        return st;
    }
    *out = sig;
    return MS_OK;
}

bool ms__dkim_sig_usable(const ms__dkim_sig *sig, ms__dkim_error *err)
{
    const ms__dkim_tag *b = ms__dkim_tags_find(&sig->tags, "b");
    size_t b_off = b ? b->value_off : 0;
    if (sig->alg == MS_DKIM_ALG_RSA_SHA1) {
        const ms__dkim_tag *a = ms__dkim_tags_find(&sig->tags, "a");
        (void)ms__dkim_fail(err, MS_DKIM_PERMFAIL_HISTORIC_ALGORITHM, "a", a ? a->value_off : 0,
                            "rsa-sha1 must not be used: treated as failed evaluation "
                            "(RFC 8301 §3.1)",
                            sig->a, strlen(sig->a));
        return false;
    }
    if (sig->alg != MS_DKIM_ALG_RSA_SHA256 && sig->alg != MS_DKIM_ALG_ED25519_SHA256) {
        (void)ms__dkim_fail(err, MS_DKIM_PERMFAIL_ALGORITHM, "a", 0,
                            "unknown signing algorithm (RFC 6376 §3.3)", sig->a,
                            sig->a ? strlen(sig->a) : 0);
        return false;
    }
    if (sig->b_len == 0) {
        (void)ms__dkim_fail(err, MS_DKIM_PERMFAIL_SIGNATURE_EMPTY, "b", b_off,
                            "b= is empty: there is no signature to verify (RFC 6376 §3.5)", "", 0);
        return false;
    }
    /* RFC 8463 §3: an Ed25519 signature is 64 bytes, 88 base64 characters ending "==". */
    if (sig->alg == MS_DKIM_ALG_ED25519_SHA256 &&
        (sig->b_len != 88 || sig->b[86] != '=' || sig->b[85] == '=')) {
        (void)ms__dkim_fail(
            err, MS_DKIM_PERMFAIL_SIGNATURE_SIZE, "b", b_off,
            "an ed25519-sha256 signature is 64 bytes (RFC 8463 §3, RFC 8032 §5.1.6)", sig->b,
            sig->b_len);
        return false;
    }
    return true;
}
