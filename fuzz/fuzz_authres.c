/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the Authentication-Results reader (RFC 8601 §2.2): the bytes are one
 * field value. Checks what a parse promises: caps hold, names are lowercased Keywords found at
 * the method's offset, every problem has a reason, an offset inside the text and a printable
 * detail, errors come with a reason, and a second parse gives the same answer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/authres.h"

#include "base/limits.h"
#include "base/str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s)
{
    if (s == NULL || s[0] == '\0') {
        __builtin_trap();
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || ms__is_digit(*s) || *s == '-' || *s == '_')) {
            __builtin_trap(); /* a lowercased Keyword */
        }
    }
}

static void check_printable(const char *s)
{
    if (s == NULL) {
        __builtin_trap();
    }
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) {
            __builtin_trap();
        }
    }
}

static void check_result(const char *text, size_t size, const ms_authres *ar)
{
    if (ar->authserv_id == NULL || ar->n_methods > MS_LIMIT_AUTHRES_METHODS ||
        ar->n_problems > MS_LIMIT_AUTHRES_PROBLEMS || size > MS_LIMIT_AUTHRES_BYTES) {
        __builtin_trap();
    }
    for (size_t i = 0; i < ar->n_methods; i++) {
        const ms_authres_method *m = &ar->methods[i];
        check_name(m->method);
        check_name(m->result);
        size_t n = strlen(m->method);
        if (m->offset + n > size || !ms__str_ieq(text + m->offset, n, m->method, n) ||
            m->n_props > MS_LIMIT_AUTHRES_PROPS || (m->n_props > 0 && m->props == NULL)) {
            __builtin_trap();
        }
        for (size_t k = 0; k < m->n_props; k++) {
            check_name(m->props[k].ptype);
            check_name(m->props[k].property);
            if (m->props[k].value == NULL) { /* "" only from an empty quoted-string */
                __builtin_trap();
            }
        }
        if (i > 0 && m->offset <= ar->methods[i - 1].offset) {
            __builtin_trap(); /* in the order written */
        }
    }
    for (size_t i = 0; i < ar->n_problems; i++) {
        const ms_authres_problem *p = &ar->problems[i];
        if (p->reason == NULL || p->offset > size ||
            strlen(p->detail) > MS_LIMIT_AUTHRES_DETAIL + 3) {
            __builtin_trap();
        }
        check_printable(p->detail);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms_authres *ar = NULL;
    ms_msg_error err;
    ms_status st = ms_authres_parse(text, size, arena, &ar, &err);
    if (st == MS_OK) {
        check_result(text, size, ar);
    } else if (st == MS_ESYNTAX || st == MS_ELIMIT) {
        if (ar != NULL || err.reason == NULL || err.offset > size ||
            memchr(err.detail, '\0', sizeof(err.detail)) == NULL) {
            __builtin_trap();
        }
    } else if (st != MS_ENOMEM) {
        __builtin_trap();
    }
    const ms_authres *again = NULL;
    ms_status st2 = ms_authres_parse(text, size, arena, &again, NULL);
    if (st2 != st || (st == MS_OK &&
                      (again->n_methods != ar->n_methods || again->n_problems != ar->n_problems))) {
        __builtin_trap();
    }
    ms_arena_free(arena);
    return 0;
}
