/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the DKIM key record parser (RFC 6376 §3.2, §3.6.1, §6.1.2; RFC 8463 §4):
 * the bytes are one TXT record, its strings joined. Checks what a parse promises (p= capped
 * before decoding and free of folding, revoked exactly when empty, an ed25519 key 32 bytes)
 * and matches the key against an rsa-sha256, an rsa-sha1 and an ed25519-sha256 signature. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/limits.h"
#include "dkim/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const SIGS[] = {
    "v=1; a=rsa-sha256; d=example.com; s=s; h=from; i=@a.example.com; "
    "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=QUJD",
    "v=1; a=rsa-sha1; d=example.com; s=s; h=from; bh=a1tsxn+Nkk390KsMynntsb/bycM=; b=QUJD",
    "v=1; a=ed25519-sha256; d=example.com; s=s; h=from; i=@example.com; "
    "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; "
    "b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
};

static void check_key(const ms__dkim_key *key, ms_arena *arena)
{
    if (key->p == NULL || strlen(key->p) != key->p_len || key->p_len > MS_LIMIT_DKIM_KEY_P ||
        key->is_revoked != (key->p_len == 0) ||
        (key->type == MS__DKIM_KEY_ED25519 && key->p_len != 0 && key->p_len != 44) ||
        (!key->has_h && !(key->allows_sha1 && key->allows_sha256))) {
        __builtin_trap();
    }
    for (size_t i = 0; i < key->p_len; i++) {
        if (ms__dkim_is_fws(key->p[i])) {
            __builtin_trap();
        }
    }
    for (size_t i = 0; i < sizeof(SIGS) / sizeof(SIGS[0]); i++) {
        const ms__dkim_sig *sig = NULL;
        if (ms__dkim_sig_parse(SIGS[i], strlen(SIGS[i]), arena, &sig, NULL) != MS_OK) {
            __builtin_trap();
        }
        ms__dkim_error err;
        memset(&err, 0, sizeof(err));
        if (ms__dkim_key_usable(key, sig, &err)) {
            if (key->is_revoked || !key->is_email ||
                (key->type == MS__DKIM_KEY_ED25519) != (sig->alg == MS_DKIM_ALG_ED25519_SHA256)) {
                __builtin_trap();
            }
        } else if (err.reason == NULL || err.kind == MS_DKIM_PERMFAIL_NONE) {
            __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *txt = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms__dkim_key *key = NULL;
    ms__dkim_error err;
    ms_status st = ms__dkim_key_parse(txt, size, arena, &key, &err);
    if (st == MS_OK) {
        check_key(key, arena);
    } else if (st == MS_ESYNTAX) {
        if (key != NULL || err.reason == NULL || err.kind == MS_DKIM_PERMFAIL_NONE ||
            (err.offset > size && err.offset != MS_LIMIT_DKIM_KEY_BYTES) ||
            memchr(err.detail, '\0', sizeof(err.detail)) == NULL) {
            __builtin_trap();
        }
        for (const char *p = err.detail; *p; p++) {
            if (*p < 0x20 || *p > 0x7e || *p == '"') {
                __builtin_trap();
            }
        }
    } else if (st != MS_ENOMEM) {
        __builtin_trap();
    }
    const ms__dkim_key *again = NULL;
    if (ms__dkim_key_parse(txt, size, arena, &again, NULL) != st) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
