/* SPDX-License-Identifier: MIT */
/* DKIM key record parsing, RFC 6376 §3.6.1 (tags v h k n p s t), §6.1.2 (which records and
 * keys a verifier must ignore), RFC 8463 §4 (k=ed25519), RFC 8301 §3.2 (key size, later). */
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "dkim/key.h"

typedef struct parser {
    ms_arena *arena;
    ms__dkim_error *err;
    ms__dkim_key *key;
} parser;

static ms_status fail_tag(parser *ps, ms_dkim_permfail kind, const ms__dkim_tag *t, const char *tag,
                          size_t rel_off, const char *reason)
{
    return ms__dkim_fail(ps->err, kind, tag, t->value_off + rel_off, reason, t->value,
                         t->value_len);
}

/* h=, s=, t=: names separated by ':' with FWS around them; each a hyphenated-word (or "*" for
 * s=). Calls seen(name) for each so the caller can pick out the ones it knows. */
typedef void (*seen_fn)(ms__dkim_key *key, const char *name, size_t len);

static ms_status parse_list(parser *ps, const ms__dkim_tag *t, const char *tag, bool allow_star,
                            seen_fn seen, const char *reason)
{
    size_t pos = 0, len = 0;
    const char *item = NULL;
    int r;
    while ((r = ms__dkim_list_next(t->value, t->value_len, ':', &pos, &item, &len)) == 1) {
        if (!ms__dkim_is_hyphenated_word(item, len) && !(allow_star && len == 1 && *item == '*')) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_SYNTAX, t, tag, (size_t)(item - t->value),
                            reason);
        }
        seen(ps->key, item, len);
    }
    if (r < 0) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_SYNTAX, t, tag, pos, reason);
    }
    return MS_OK;
}

static void seen_hash(ms__dkim_key *key, const char *name, size_t len)
{
    /* Unrecognised algorithms are ignored (§3.6.1 h=). */
    if (len == 4 && memcmp(name, "sha1", 4) == 0) {
        key->allows_sha1 = true;
    } else if (len == 6 && memcmp(name, "sha256", 6) == 0) {
        key->allows_sha256 = true;
    }
}

static void seen_service(ms__dkim_key *key, const char *name, size_t len)
{
    if ((len == 1 && name[0] == '*') || (len == 5 && memcmp(name, "email", 5) == 0)) {
        key->is_email = true;
    }
}

static void seen_flag(ms__dkim_key *key, const char *name, size_t len)
{
    /* Unrecognised flags are ignored (§3.6.1 t=). */
    if (len == 1 && name[0] == 'y') {
        key->is_testing = true;
    } else if (len == 1 && name[0] == 's') {
        key->is_strict = true;
    }
}

static ms_status parse_p(parser *ps, const ms__dkim_tag *t)
{
    ms__dkim_key *key = ps->key;
    size_t n = 0;
    for (size_t i = 0; i < t->value_len; i++) {
        n += !ms__dkim_is_fws(t->value[i]);
    }
    /* Before any decoding: a 16384-bit modulus is ~2,800 characters (bad-inputs DKIM-11). */
    if (n > MS_LIMIT_DKIM_KEY_P) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_LIMIT, t, "p", 0,
                        "p= longer than MS_LIMIT_DKIM_KEY_P characters: key too large "
                        "(RFC 6376 §3.3.3, RFC 8301 §3.2)");
    }
    size_t bad = 0;
    const char *why = NULL;
    if (n > 0 && !ms__dkim_base64_check(t->value, t->value_len, &bad, &why)) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_SYNTAX, t, "p", bad, why);
    }
    key->p = ms__dkim_strip_fws(ps->arena, t->value, t->value_len, &key->p_len);
    if (key->p == NULL) {
        return ms_arena_status(ps->arena);
    }
    key->is_revoked = key->p_len == 0;
    /* RFC 8463 §4.2: the raw 32-byte Ed25519 key, 44 characters with one '='. */
    if (key->type == MS__DKIM_KEY_ED25519 && !key->is_revoked &&
        (key->p_len != 44 || key->p[43] != '=' || key->p[42] == '=')) {
        return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_ALGORITHM, t, "p", 0,
                        "an ed25519 p= is the raw 32-byte public key (RFC 8463 §4.2)");
    }
    return MS_OK;
}

static ms_status parse_tags(parser *ps, const char *txt, size_t len)
{
    ms__dkim_key *key = ps->key;
    const ms__dkim_tags *tags = &key->tags;
    const ms__dkim_tag *t = ms__dkim_tags_find(tags, "v");
    if (t != NULL) {
        if (t != &tags->tags[0]) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_VERSION, t, "v", 0,
                            "v= must be the first tag of a key record (RFC 6376 §3.6.1)");
        }
        /* A string comparison: "DKIM1.0" is not "DKIM1" (§3.6.1 v=). */
        if (t->value_len != 5 || memcmp(t->value, "DKIM1", 5) != 0) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_VERSION, t, "v", 0,
                            "a key record's v= must be DKIM1 (RFC 6376 §3.6.1, §6.1.2)");
        }
    }
    ms_status st;
    if ((t = ms__dkim_tags_find(tags, "k")) != NULL) {
        if (!ms__dkim_is_hyphenated_word(t->value, t->value_len)) {
            return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_SYNTAX, t, "k", 0,
                            "k= is one key type name (RFC 6376 §3.6.1 key-k-tag)");
        }
        if (t->value_len == 3 && memcmp(t->value, "rsa", 3) == 0) {
            key->type = MS__DKIM_KEY_RSA;
        } else if (t->value_len == 7 && memcmp(t->value, "ed25519", 7) == 0) {
            key->type = MS__DKIM_KEY_ED25519;
        } else {
            return fail_tag(ps, MS_DKIM_PERMFAIL_KEY_TYPE, t, "k", 0,
                            "unknown key type: rsa or ed25519 (RFC 6376 §3.6.1, RFC 8463 §4)");
        }
    }
    if ((t = ms__dkim_tags_find(tags, "h")) != NULL) {
        key->has_h = true;
        key->h = t->value;
        key->allows_sha1 = false;
        key->allows_sha256 = false;
        if ((st = parse_list(ps, t, "h", false, seen_hash,
                             "h= is hash names separated by ':' (RFC 6376 §3.6.1 key-h-tag)")) !=
            MS_OK) {
            return st;
        }
    }
    if ((t = ms__dkim_tags_find(tags, "s")) != NULL) {
        key->s = t->value;
        key->is_email = false;
        if ((st = parse_list(ps, t, "s", true, seen_service,
                             "s= is service types or '*' separated by ':' "
                             "(RFC 6376 §3.6.1 key-s-tag)")) != MS_OK) {
            return st;
        }
    }
    if ((t = ms__dkim_tags_find(tags, "t")) != NULL) {
        key->t = t->value;
        if ((st = parse_list(ps, t, "t", false, seen_flag,
                             "t= is flags separated by ':' (RFC 6376 §3.6.1 key-t-tag)")) !=
            MS_OK) {
            return st;
        }
    }
    if ((t = ms__dkim_tags_find(tags, "n")) != NULL) {
        key->n = t->value; /* qp-section for people; nothing reads it (§3.6.1 n=) */
    }
    if ((t = ms__dkim_tags_find(tags, "p")) == NULL) {
        return ms__dkim_fail(ps->err, MS_DKIM_PERMFAIL_KEY_SYNTAX, "p", len,
                             "a key record needs p= (RFC 6376 §3.6.1)", txt, len);
    }
    return parse_p(ps, t);
}

ms_status ms__dkim_key_parse(const char *txt, size_t len, ms_arena *arena, const ms__dkim_key **out,
                             ms__dkim_error *err)
{
    *out = NULL;
    if (err) {
        memset(err, 0, sizeof(*err));
    }
    if (len > MS_LIMIT_DKIM_KEY_BYTES) {
        return ms__dkim_fail(err, MS_DKIM_PERMFAIL_LIMIT, NULL, MS_LIMIT_DKIM_KEY_BYTES,
                             "key record longer than MS_LIMIT_DKIM_KEY_BYTES (RFC 6376 §3.6.1)",
                             txt, 16);
    }
    ms__dkim_key *key = ms_arena_alloc(arena, sizeof(*key));
    if (key == NULL) {
        return ms_arena_status(arena);
    }
    memset(key, 0, sizeof(*key));
    key->type = MS__DKIM_KEY_RSA; /* k= default (§3.6.1) */
    key->allows_sha1 = true;      /* h= default: all algorithms */
    key->allows_sha256 = true;
    key->is_email = true; /* s= default "*" */
    parser ps = {arena, err, key};
    ms_status st = ms__dkim_tags_parse(txt, len, MS_LIMIT_DKIM_TAGS, MS_DKIM_PERMFAIL_KEY_SYNTAX,
                                       arena, &key->tags, err);
    if (st == MS_OK) {
        st = parse_tags(&ps, txt, len);
    }
    if (st != MS_OK) {
        return st;
    }
    *out = key;
    return MS_OK;
}

static bool key_fail(ms__dkim_error *err, ms_dkim_permfail kind, const ms__dkim_key *key,
                     const char *tag, const char *reason)
{
    const ms__dkim_tag *t = ms__dkim_tags_find(&key->tags, tag);
    (void)ms__dkim_fail(err, kind, tag, t ? t->value_off : 0, reason, t ? t->value : "",
                        t ? t->value_len : 0);
    return false;
}

bool ms__dkim_key_usable(const ms__dkim_key *key, const ms__dkim_sig *sig, ms__dkim_error *err)
{
    if (!key->is_email) {
        return key_fail(err, MS_DKIM_PERMFAIL_KEY_SERVICE, key, "s",
                        "the key's s= lists neither email nor '*': not for email "
                        "(RFC 6376 §3.6.1)");
    }
    bool is_sha1 = sig->alg == MS_DKIM_ALG_RSA_SHA1;
    if (is_sha1 ? !key->allows_sha1 : !key->allows_sha256) {
        return key_fail(err, MS_DKIM_PERMFAIL_KEY_HASH, key, "h",
                        "the key's h= does not list the signature's hash "
                        "(RFC 6376 §6.1.2 step 6)");
    }
    if (key->is_revoked) {
        return key_fail(err, MS_DKIM_PERMFAIL_KEY_REVOKED, key, "p",
                        "p= is empty: the key was revoked (RFC 6376 §3.6.1, §6.1.2 step 7)");
    }
    bool wants_ed25519 = sig->alg == MS_DKIM_ALG_ED25519_SHA256;
    if (wants_ed25519 != (key->type == MS__DKIM_KEY_ED25519)) {
        return key_fail(err, MS_DKIM_PERMFAIL_KEY_ALGORITHM, key, "k",
                        "the key type does not fit the signature's a= "
                        "(RFC 6376 §6.1.2 step 8, RFC 8463 §4)");
    }
    if (key->is_strict && sig->has_i &&
        !ms__str_ieq(sig->auid_domain, strlen(sig->auid_domain), sig->d, strlen(sig->d))) {
        return key_fail(err, MS_DKIM_PERMFAIL_KEY_STRICT, key, "t",
                        "key flag t=s: the i= domain must equal d=, not a subdomain "
                        "(RFC 6376 §3.6.1)");
    }
    return true;
}
