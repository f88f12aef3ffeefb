/* SPDX-License-Identifier: MIT */
/* libFuzzer target for DKIM public-key parsing (RFC 6376 §3.6.1 p=, RFC 3279 §2.3.1, RFC 8017
 * §A.1.1, RFC 8463 §4): the bytes are a p= value (base64 -> key) and also, as they stand, the
 * decoded DER. Checks what a parse promises: a status from the documented set, a key within its
 * caps or an error with a reason and an offset inside the input; a parsed key survives a
 * verify of a signature of the right length, and dup/free. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/limits.h"
#include "crypto/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_key(ms__key_type type, ms__pubkey *key, const uint8_t *data, size_t size)
{
    unsigned bits = ms__crypto_pubkey_bits(key);
    if (ms__crypto_pubkey_type(key) != type || bits > MS_LIMIT_RSA_BITS ||
        (type == MS__KEY_ED25519 && bits != 256) || (type == MS__KEY_RSA && bits < 2)) {
        __builtin_trap();
    }
    /* A signature of exactly the key's length, made of the input: verify must answer, and
     * (short of a forged signature) say no. */
    uint8_t digest[32] = {0}, sig[MS_LIMIT_SIGNATURE] = {0};
    size_t sig_len = type == MS__KEY_RSA ? (bits + 7) / 8 : 64;
    memcpy(sig, data, size < sig_len ? size : sig_len);
    ms__pubkey *ref = ms__crypto_pubkey_dup(key);
    bool ok = true;
    const char *why = NULL;
    ms_status st =
        ms__crypto_verify(ref, MS__HASH_SHA256, digest, sizeof(digest), sig, sig_len, &ok, &why);
    if (st == MS_OK && !ok && why == NULL) {
        __builtin_trap();
    }
    if (st != MS_OK && st != MS_ENOMEM) {
        __builtin_trap();
    }
    ms__crypto_pubkey_free(ref);
}

static void check(ms__key_type type, ms_status st, ms__pubkey *key, const ms__key_error *err,
                  size_t text_len, size_t der_len)
{
    if (st == MS_OK) {
        if (key == NULL) {
            __builtin_trap();
        }
        return;
    }
    if (key != NULL || (st != MS_ESYNTAX && st != MS_ELIMIT && st != MS_ENOMEM)) {
        __builtin_trap();
    }
    if (err->reason == NULL || strstr(err->reason, "§") == NULL) {
        __builtin_trap(); /* every refusal names its rule */
    }
    if (err->offset > (err->is_in_text ? text_len : der_len)) {
        __builtin_trap();
    }
    (void)type;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const ms__key_type TYPES[] = {MS__KEY_RSA, MS__KEY_ED25519};
    for (size_t i = 0; i < 2; i++) {
        /* The bytes as p= text. */
        ms__pubkey *key = NULL;
        ms__key_error err = {NULL, 0, false};
        ms_status st = ms__crypto_pubkey_parse(TYPES[i], (const char *)data, size, &key, &err);
        check(TYPES[i], st, key, &err, size, MS_LIMIT_DKIM_KEY_DER);
        if (st == MS_OK) {
            check_key(TYPES[i], key, data, size);
        }
        ms__crypto_pubkey_free(key);

        /* The bytes as the decoded key. */
        key = NULL;
        err = (ms__key_error){NULL, 0, false};
        st = ms__crypto_pubkey_from_der(TYPES[i], data, size, &key, &err);
        check(TYPES[i], st, key, &err, 0, size);
        if (st == MS_OK) {
            check_key(TYPES[i], key, data, size);
        }
        if (size > MS_LIMIT_DKIM_KEY_DER && st != MS_ELIMIT) {
            __builtin_trap();
        }
        ms__crypto_pubkey_free(key);
    }
    return 0;
}
