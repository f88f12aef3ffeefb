/* SPDX-License-Identifier: MIT */
/* libFuzzer target for SPF macro strings (RFC 7208 §7): the bytes are checked and expanded as a
 * domain-spec and as an explanation with fixed values for every letter, under a small and the
 * usual cap, and the result goes through the §7.3 truncation to 253 octets. Checks that check
 * and expand agree, that output stays under its cap and that truncation keeps whole labels. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/arena.h"

#include "base/limits.h"
#include "spf/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *p_name(void *user)
{
    return user;
}

static const ms__spf_macro_vars VARS = {
    .s = "strong-bad+tag@email.example.com",
    .l = "strong-bad+tag",
    .o = "email.example.com",
    .d = "a.b-c.d_e.f/g.h=i,j.example.com",
    .i = "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1",
    .v = "ip6",
    .h = "helo \"quoted\" [192.0.2.1]",
    .c = "2001:db8::cb01",
    .r = "mx.receiver.example",
    .t = "1700000000",
    .p = p_name,
    .p_user = "mx.example.org",
};

static void truncate_and_check(const char *name, size_t len)
{
    size_t kept_len = len;
    const char *kept = ms__spf_domain_truncate(name, &kept_len);
    if (kept < name || kept + kept_len != name + len) {
        __builtin_trap(); /* always a suffix */
    }
    if (len <= MS_LIMIT_DNS_NAME && (kept != name || kept_len != len)) {
        __builtin_trap(); /* short names stay as they are */
    }
    if (kept != name && kept[-1] != '.') {
        __builtin_trap(); /* whole labels only */
    }
    if (kept_len > MS_LIMIT_DNS_NAME && memchr(kept, '.', kept_len) != NULL) {
        __builtin_trap(); /* it stops only when it fits or no dot is left */
    }
}

static void one(const char *s, size_t len, ms__spf_macro_kind kind, size_t cap, ms_arena *arena)
{
    size_t err_off = 0;
    const char *why = ms__spf_macro_check(s, len, kind, &err_off);
    if (why != NULL && err_off > len) {
        __builtin_trap();
    }
    const char *out = NULL, *reason = NULL;
    size_t out_len = 0;
    ms_status st = ms__spf_macro_expand(s, len, kind, &VARS, cap, arena, &out, &out_len, &reason);
    if ((why != NULL) != (st == MS_ESYNTAX)) {
        __builtin_trap(); /* check and expand agree on validity */
    }
    if (st == MS_ESYNTAX && (reason == NULL || strcmp(reason, why) != 0)) {
        __builtin_trap();
    }
    if (st == MS_OK || st == MS_ELIMIT) {
        /* Within the cap, NUL-terminated, a reason exactly when something was cut. */
        if (out == NULL || out_len > cap || strlen(out) != out_len ||
            (st == MS_ELIMIT) != (reason != NULL)) {
            __builtin_trap();
        }
        if (st == MS_OK && kind == MS__MACRO_DOMAIN) {
            truncate_and_check(out, out_len);
        }
    } else if (st != MS_ESYNTAX && st != MS_ENOMEM) {
        __builtin_trap(); /* %{p} always has a value here */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    one(s, size, MS__MACRO_DOMAIN, MS_LIMIT_SPF_EXPANSION, arena);
    one(s, size, MS__MACRO_EXPLAIN, MS_LIMIT_SPF_EXPLANATION, arena);
    one(s, size, MS__MACRO_EXPLAIN, 17, arena);
    one(s, size, MS__MACRO_DOMAIN, 0, arena);
    ms_arena_free(arena);

    /* A small arena: running out is MS_ENOMEM, never a crash. */
    if (ms_arena_new(NULL, 256, &arena) == MS_OK) {
        one(s, size, MS__MACRO_EXPLAIN, MS_LIMIT_SPF_EXPLANATION, arena);
        ms_arena_free(arena);
    }
    /* The bytes as a name to truncate. */
    truncate_and_check(s, size);
    return 0;
}
