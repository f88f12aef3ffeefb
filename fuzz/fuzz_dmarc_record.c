/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the DMARC record parser (RFC 9989 §4.7, §4.8): the bytes are one TXT
 * record. Checks what a parse promises: a record only when "v=DMARC1" comes first, values in
 * range, URIs within their caps and well formed, every note and error with its RFC section, an
 * offset inside the record and a C-string detail; the same answer twice. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/dmarc.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool valid_policy(ms_dmarc_policy p)
{
    return p == MS_DMARC_POLICY_NONE || p == MS_DMARC_POLICY_QUARANTINE ||
           p == MS_DMARC_POLICY_REJECT;
}

static void check_uris(const ms_dmarc_uri *u, size_t n)
{
    if (n > MS_LIMIT_DMARC_URIS || (n > 0 && u == NULL)) {
        __builtin_trap();
    }
    for (size_t i = 0; i < n; i++) {
        if (u[i].uri == NULL || u[i].scheme == NULL || strchr(u[i].uri, ':') == NULL ||
            strchr(u[i].uri, ',') != NULL || strchr(u[i].uri, ' ') != NULL) {
            __builtin_trap();
        }
        bool mailto = strcmp(u[i].scheme, "mailto") == 0;
        if (mailto != (u[i].address != NULL) || mailto != (u[i].domain != NULL)) {
            __builtin_trap(); /* an address and its domain exactly for mailto: */
        }
        if (mailto && strchr(u[i].address, '@') == NULL) {
            __builtin_trap();
        }
    }
}

static void check_record(const char *txt, size_t size, const ms_dmarc_record *r)
{
    if (!ms_dmarc_is_record(txt, size) || size > MS_LIMIT_DMARC_RECORD) {
        __builtin_trap();
    }
    if (!valid_policy(r->p) || !valid_policy(r->sp) || !valid_policy(r->np) || r->pct > 100 ||
        (r->psd != 'y' && r->psd != 'n' && r->psd != 'u')) {
        __builtin_trap();
    }
    if (!r->has_p && r->n_rua == 0) {
        __builtin_trap(); /* §4.10.1: no valid p= is a record only with a valid rua= */
    }
    check_uris(r->rua, r->n_rua);
    check_uris(r->ruf, r->n_ruf);
    if (r->n_notes > MS_LIMIT_DMARC_NOTES) {
        __builtin_trap();
    }
    for (size_t i = 0; i < r->n_notes; i++) {
        if (r->notes[i] == NULL || strstr(r->notes[i], "RFC") == NULL) {
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
    const ms_dmarc_record *rec = NULL;
    ms_dmarc_parse_error err;
    ms_status st = ms_dmarc_record_parse(txt, size, arena, &rec, &err);
    if (st == MS_OK) {
        check_record(txt, size, rec);
    } else if (st == MS_ESYNTAX) {
        if (rec != NULL || err.reason == NULL || strstr(err.reason, "RFC") == NULL ||
            err.offset > size || memchr(err.detail, '\0', sizeof(err.detail)) == NULL) {
            __builtin_trap();
        }
    } else if (st != MS_ENOMEM) {
        __builtin_trap(); /* a record of any size fits the default arena */
    }
    const ms_dmarc_record *again = NULL;
    if (ms_dmarc_record_parse(txt, size, arena, &again, NULL) != st) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
