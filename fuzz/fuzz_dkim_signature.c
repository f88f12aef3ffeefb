/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the DKIM-Signature parser (RFC 6376 §3.2, §3.5, §6.1.1): the bytes are one
 * header value. Checks what a parse promises: d= and s= are valid names whose key name fits
 * 253 bytes, h= holds From and no more than the cap, i= sits in d=, x > t, bh= fits its hash,
 * every tag and b='s value are at their offsets; every error has a kind, a reason, an offset
 * inside the value and a printable detail. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "dkim/signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sig(const char *v, size_t size, const ms__dkim_sig *sig)
{
    size_t bad = 0;
    const char *why = NULL;
    size_t dlen = strlen(sig->d), slen = strlen(sig->s);
    if (!ms__dkim_domain_check(sig->d, dlen, 2, &bad, &why) ||
        !ms__dkim_domain_check(sig->s, slen, 1, &bad, &why) ||
        slen + strlen("._domainkey.") + dlen > MS_LIMIT_DNS_NAME) {
        __builtin_trap(); /* never a name a DNS query could be fooled by (DKIM-16) */
    }
    if (sig->n_h == 0 || sig->n_h > MS_LIMIT_DKIM_H_ITEMS) {
        __builtin_trap();
    }
    int has_from = 0;
    for (size_t i = 0; i < sig->n_h; i++) {
        has_from |= ms__str_ieq(sig->h[i], strlen(sig->h[i]), "from", 4);
    }
    if (!has_from || sig->auid == NULL || sig->auid_domain == NULL) {
        __builtin_trap();
    }
    size_t alen = strlen(sig->auid_domain);
    if (!(alen == dlen ? ms__str_ieq(sig->auid_domain, alen, sig->d, dlen)
                       : alen > dlen && sig->auid_domain[alen - dlen - 1] == '.' &&
                             ms__str_ieq(sig->auid_domain + alen - dlen, dlen, sig->d, dlen))) {
        __builtin_trap(); /* RFC 6376 §6.1.1: i= in d= */
    }
    if (sig->has_t && sig->has_x && sig->x <= sig->t) {
        __builtin_trap();
    }
    if (sig->bh_len != (sig->alg == MS_DKIM_ALG_RSA_SHA1 ? 28u : 44u) ||
        sig->b_len > MS_LIMIT_DKIM_BASE64 || strlen(sig->b) != sig->b_len) {
        __builtin_trap();
    }
    if (sig->b_value_off + sig->b_value_len > sig->b_end_off || sig->b_end_off > size) {
        __builtin_trap();
    }
    size_t k = 0;
    for (size_t i = sig->b_value_off; i < sig->b_value_off + sig->b_value_len; i++) {
        if (!ms__dkim_is_fws(v[i]) && (k >= sig->b_len || v[i] != sig->b[k++])) {
            __builtin_trap(); /* b= is what the verifier blanks */
        }
    }
    if (k != sig->b_len || sig->tags.n == 0 || sig->tags.n > MS_LIMIT_DKIM_TAGS) {
        __builtin_trap();
    }
    for (size_t i = 0; i < sig->tags.n; i++) {
        const ms__dkim_tag *t = &sig->tags.tags[i];
        size_t nl = strlen(t->name);
        if (t->name_off + nl > size || memcmp(v + t->name_off, t->name, nl) != 0 ||
            t->value_off + t->value_len > t->end_off || t->end_off > size ||
            memcmp(v + t->value_off, t->value, t->value_len) != 0 ||
            (t->end_off < size && v[t->end_off] != ';')) {
            __builtin_trap();
        }
    }
    ms__dkim_error err;
    if (ms__dkim_sig_usable(sig, &err)) {
        if (sig->alg != MS_DKIM_ALG_RSA_SHA256 && sig->alg != MS_DKIM_ALG_ED25519_SHA256) {
            __builtin_trap(); /* rsa-sha1 never goes on (RFC 8301 §3.1) */
        }
    } else if (err.reason == NULL || err.kind == MS_DKIM_PERMFAIL_NONE) {
        __builtin_trap();
    }
}

static void check_error(size_t size, const ms__dkim_error *err)
{
    if (err->reason == NULL || err->kind == MS_DKIM_PERMFAIL_NONE ||
        (err->offset > size && err->offset != MS_LIMIT_DKIM_SIG_BYTES) ||
        memchr(err->detail, '\0', sizeof(err->detail)) == NULL) {
        __builtin_trap();
    }
    for (const char *p = err->detail; *p; p++) {
        if (*p < 0x20 || *p > 0x7e || *p == '"') {
            __builtin_trap(); /* safe to log and to quote (DKIM-28) */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *v = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms__dkim_sig *sig = NULL;
    ms__dkim_error err;
    ms_status st = ms__dkim_sig_parse(v, size, arena, &sig, &err);
    if (st == MS_OK) {
        check_sig(v, size, sig);
    } else if (st == MS_ESYNTAX) {
        if (sig != NULL) {
            __builtin_trap();
        }
        check_error(size, &err);
    } else if (st != MS_ENOMEM) {
        __builtin_trap(); /* a header of any size fits the default arena */
    }
    const ms__dkim_sig *again = NULL;
    if (ms__dkim_sig_parse(v, size, arena, &again, NULL) != st) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
