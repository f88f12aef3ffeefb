/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the Received and Return-Path readers (RFC 5321 §4.4, RFC 5322 §3.6.7):
 * the bytes are one field value. A parse either gives a from clause whose address, when
 * present, is a valid IPv4 or IPv6 text, or an error with a reason inside the input; both are
 * deterministic. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms_msg_received *r = NULL;
    ms_msg_error err;
    ms_status st = ms_msg_received_parse(text, size, arena, &r, &err);
    if (st == MS_OK) {
        CHECK(r != NULL && r->has_from && r->from_offset <= size);
        if (r->ip != NULL) {
            unsigned char bin[16];
            CHECK(inet_pton(AF_INET, r->ip, bin) == 1 || inet_pton(AF_INET6, r->ip, bin) == 1);
        }
    } else {
        CHECK(st == MS_ESYNTAX || st == MS_ELIMIT);
        CHECK(r == NULL && err.reason != NULL && err.offset <= size);
        CHECK(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
    }
    const ms_msg_received *again = NULL;
    CHECK(ms_msg_received_parse(text, size, arena, &again, NULL) == st);

    const char *addr = NULL;
    st = ms_msg_return_path(text, size, arena, &addr, &err);
    if (st == MS_OK) {
        CHECK(addr != NULL && strlen(addr) < size);
        CHECK(strchr(addr, '<') == NULL && strchr(addr, ' ') == NULL);
    } else {
        CHECK(addr == NULL && (st == MS_ESYNTAX || st == MS_ELIMIT));
    }
    ms_arena_free(arena);
    return 0;
}
