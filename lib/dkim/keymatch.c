/* SPDX-License-Identifier: MIT */
/* Does a published DKIM key record hold the public half of a key pair (mailseal/dkimkey.h)?
 * The record is parsed as a verifier would (RFC 6376 §3.6.1, RFC 8463 §4), then its decoded
 * p= bytes are compared with the key's: what mailseal-milter --check-config asks before a
 * signer goes live with a key nobody can verify. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/base64.h"
#include "base/limits.h"
#include "dkim/key.h"
#include "mailseal/dkimkey.h"

const char *ms_dkim_record_match_name(ms_dkim_record_match m)
{
    switch (m) {
#define NAME_CASE(name, text)                                                                      \
    case MS_DKIM_RECORD_##name:                                                                    \
        return #name;
        MS_DKIM_RECORD_MATCH_MAP(NAME_CASE)
#undef NAME_CASE
    }
    return "UNKNOWN";
}

const char *ms_dkim_record_match_str(ms_dkim_record_match m)
{
    switch (m) {
#define STR_CASE(name, text)                                                                       \
    case MS_DKIM_RECORD_##name:                                                                    \
        return text;
        MS_DKIM_RECORD_MATCH_MAP(STR_CASE)
#undef STR_CASE
    }
    return "unknown";
}

/* Decode base64 (folding allowed, RFC 6376 §3.6.1) into out; false when it does not decode. */
static bool decode(const char *b64, size_t len, uint8_t *out, size_t cap, size_t *n)
{
    return ms__base64_decode(b64, len, MS__BASE64_SKIP_FWS, out, cap, n, NULL) == MS_OK;
}

ms_status ms_dkim_keypair_match_record(const ms_dkim_keypair *kp, const char *txt, size_t len,
                                       ms_dkim_record_match *out, const char **reason)
{
    *out = MS_DKIM_RECORD_UNUSABLE;
    if (reason != NULL) {
        *reason = NULL;
    }
    if (kp == NULL || (txt == NULL && len > 0)) {
        return MS_EINVAL;
    }
    ms_arena *arena = NULL;
    ms_status st = ms_arena_new(NULL, 0, &arena);
    if (st != MS_OK) {
        return st;
    }
    const ms__dkim_key *key = NULL;
    ms__dkim_error err;
    memset(&err, 0, sizeof(err));
    st = ms__dkim_key_parse(txt != NULL ? txt : "", len, arena, &key, &err);
    if (st == MS_ESYNTAX || (st == MS_ELIMIT && err.reason != NULL)) {
        if (reason != NULL) {
            *reason = err.reason != NULL ? err.reason : ms_dkim_permfail_str(err.kind);
        }
        ms_arena_free(arena);
        return MS_OK;
    }
    if (st != MS_OK) {
        ms_arena_free(arena);
        return st;
    }
    if (key->is_revoked) {
        *out = MS_DKIM_RECORD_REVOKED;
        ms_arena_free(arena);
        return MS_OK;
    }
    bool is_ed25519 = ms_dkim_keypair_type(kp) == MS_DKIM_KEY_ED25519;
    *out = MS_DKIM_RECORD_DIFFERS;
    if (is_ed25519 != (key->type == MS__DKIM_KEY_ED25519)) {
        if (reason != NULL) {
            *reason = is_ed25519 ? "the record is an RSA key (k=rsa or no k=), the private key "
                                   "is Ed25519 (RFC 8463 §4)"
                                 : "the record says k=ed25519, the private key is RSA "
                                   "(RFC 6376 §3.6.1)";
        }
        ms_arena_free(arena);
        return MS_OK;
    }
    uint8_t published[MS_LIMIT_DKIM_KEY_DER], mine[MS_LIMIT_DKIM_KEY_DER];
    size_t n_pub = 0, n_mine = 0, mine_len = 0;
    const char *mine_b64 = ms_dkim_keypair_public_b64(kp, &mine_len);
    if (!decode(key->p, key->p_len, published, sizeof(published), &n_pub)) {
        *out = MS_DKIM_RECORD_UNUSABLE;
        if (reason != NULL) {
            *reason = "p= is not valid base64 (RFC 6376 §3.6.1)";
        }
        ms_arena_free(arena);
        return MS_OK;
    }
    if (!decode(mine_b64, mine_len, mine, sizeof(mine), &n_mine)) {
        ms_arena_free(arena);
        return MS_EINVAL; /* cannot happen: the key pair made it */
    }
    /* RSA: the SubjectPublicKeyInfo ends with the RSAPublicKey (RFC 3279 §2.3.1), the form
     * some signers publish instead (RFC 8017 §A.1.1); a bare one starts with a SEQUENCE. */
    bool same = n_pub == n_mine && memcmp(published, mine, n_pub) == 0;
    if (!same && !is_ed25519 && n_pub > 0 && n_pub < n_mine && published[0] == 0x30) {
        same = memcmp(published, mine + (n_mine - n_pub), n_pub) == 0;
    }
    if (same) {
        *out = MS_DKIM_RECORD_MATCHES;
    } else if (reason != NULL) {
        *reason = "the published p= is not the public half of this private key";
    }
    ms_arena_free(arena);
    return MS_OK;
}
