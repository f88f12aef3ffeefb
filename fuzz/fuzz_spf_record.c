/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the SPF record parser (RFC 7208 §4.5, §4.6.1, §5, §6, §12): the bytes are
 * one TXT record. Checks what a parse promises: terms point into the record, counts and caps
 * hold, every error has a reason, an offset inside the record and a C-string detail. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/spf.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const char *txt, size_t size, const ms_spf_record *rec)
{
    unsigned n_dns = 0;
    if (!ms_spf_is_record(txt, size) || rec->n_terms > MS_LIMIT_SPF_TERMS ||
        size > MS_LIMIT_SPF_RECORD) {
        __builtin_trap();
    }
    for (size_t i = 0; i < rec->n_terms; i++) {
        const ms_spf_term *t = &rec->terms[i];
        size_t len = strlen(t->text);
        /* The term is the bytes at its offset, without spaces. */
        if (len == 0 || t->offset + len > size || memcmp(txt + t->offset, t->text, len) != 0 ||
            memchr(t->text, ' ', len) != NULL) {
            __builtin_trap();
        }
        if (t->cidr4 > 32 || t->cidr6 > 128 || t->cidr4 < -1 || t->cidr6 < -1) {
            __builtin_trap();
        }
        switch (t->kind) {
        case MS_SPF_MECH_INCLUDE:
        case MS_SPF_MECH_EXISTS:
        case MS_SPF_MOD_REDIRECT:
        case MS_SPF_MOD_EXP:
            if (t->domain_spec == NULL || t->domain_spec[0] == '\0') {
                __builtin_trap(); /* these always name a domain-spec */
            }
            break;
        default:
            break;
        }
        if (t->kind == MS_SPF_MECH_INCLUDE || t->kind == MS_SPF_MECH_A ||
            t->kind == MS_SPF_MECH_MX || t->kind == MS_SPF_MECH_PTR ||
            t->kind == MS_SPF_MECH_EXISTS || t->kind == MS_SPF_MOD_REDIRECT) {
            n_dns++;
        }
        if ((t->kind == MS_SPF_MOD_REDIRECT && rec->redirect != t) ||
            (t->kind == MS_SPF_MOD_EXP && rec->exp != t)) {
            __builtin_trap(); /* one of each at most, and it is the one pointed to */
        }
    }
    if (n_dns != rec->n_dns_terms) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *txt = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms_spf_record *rec = NULL;
    ms_spf_parse_error err;
    ms_status st = ms_spf_record_parse(txt, size, arena, &rec, &err);
    if (st == MS_OK) {
        check_record(txt, size, rec);
    } else if (st == MS_ESYNTAX) {
        if (rec != NULL || err.reason == NULL || err.offset > size ||
            memchr(err.detail, '\0', sizeof(err.detail)) == NULL) {
            __builtin_trap();
        }
    } else if (st != MS_ENOMEM) {
        __builtin_trap(); /* a record of any size fits the default arena */
    }
    /* The same bytes without an error report, and a second parse into the same arena. */
    const ms_spf_record *again = NULL;
    if (ms_spf_record_parse(txt, size, arena, &again, NULL) != st) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
