/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the address parser (RFC 5322 §3.4, §3.4.1, §4.4; RFC 6532): the bytes
 * are one field value. Checks what a parse promises: every mailbox has a local-part and a
 * host-name domain whose A-label form is ASCII, spans inside the text, caps hold, errors carry
 * a reason and an offset; and each mailbox written back as local@domain parses to itself. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mailseal/msg.h"

#include "base/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

static bool is_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static void check_mailbox(const ms_msg_mailbox *mb, size_t size)
{
    CHECK(mb->local != NULL && mb->local[0] != '\0');
    CHECK(strlen(mb->local) <= MS_LIMIT_MSG_LOCAL_PART);
    CHECK(mb->domain != NULL && mb->domain[0] != '\0' && mb->domain_raw != NULL);
    CHECK(mb->domain_ascii != NULL && mb->domain_ascii[0] != '\0');
    CHECK(mb->length > 0 && mb->offset + mb->length <= size);
    CHECK(((mb->flags & MS_MSG_ADDR_IN_GROUP) != 0) == (mb->group != NULL));
    for (const char *d = mb->domain; *d; d++) {
        CHECK(!(*d >= 'A' && *d <= 'Z'));
    }
    if (mb->flags & MS_MSG_ADDR_LITERAL) {
        size_t n = strlen(mb->domain);
        CHECK(mb->domain[0] == '[' && mb->domain[n - 1] == ']');
        return;
    }
    size_t n = strlen(mb->domain_ascii);
    CHECK(n <= MS_LIMIT_DNS_NAME && mb->domain_ascii[0] != '.' && mb->domain_ascii[n - 1] != '.');
    for (const char *d = mb->domain_ascii; *d; d++) {
        CHECK(is_host_char(*d));
        CHECK(!(d[0] == '.' && d[1] == '.'));
    }
    if (!(mb->flags & MS_MSG_ADDR_UTF8_DOMAIN)) {
        CHECK(strcmp(mb->domain, mb->domain_ascii) == 0);
    }
}

/* local@domain_raw, parsed alone, is the same mailbox. */
static void check_round_trip(const ms_msg_mailbox *mb, ms_arena *arena)
{
    size_t ll = strlen(mb->local), dl = strlen(mb->domain_raw);
    char *text = ms_arena_alloc(arena, ll + dl + 1);
    if (text == NULL) {
        return;
    }
    memcpy(text, mb->local, ll);
    text[ll] = '@';
    memcpy(text + ll + 1, mb->domain_raw, dl);
    const ms_msg_address_list *again = NULL;
    ms_status st = ms_msg_address_parse(text, ll + dl + 1, arena, &again, NULL);
    if (st == MS_ENOMEM || st == MS_ELIMIT) {
        return;
    }
    CHECK(st == MS_OK && again->n_mailboxes == 1 && again->n_groups == 0);
    const ms_msg_mailbox *b = &again->mailboxes[0];
    CHECK(strcmp(b->local, mb->local) == 0 && strcmp(b->domain, mb->domain) == 0);
    CHECK(strcmp(b->domain_ascii, mb->domain_ascii) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    ms_arena *arena = NULL;
    if (ms_arena_new(NULL, 0, &arena) != MS_OK) {
        return 0;
    }
    const ms_msg_address_list *list = NULL;
    ms_msg_error err;
    ms_status st = ms_msg_address_parse(text, size, arena, &list, &err);
    if (st == MS_OK) {
        CHECK(list != NULL && list->n_mailboxes + list->n_groups > 0);
        CHECK(list->n_mailboxes + list->n_groups <= MS_LIMIT_MSG_ADDRESSES);
        unsigned all = 0;
        for (size_t i = 0; i < list->n_mailboxes; i++) {
            const ms_msg_mailbox *mb = &list->mailboxes[i];
            check_mailbox(mb, size);
            CHECK(i == 0 ||
                  mb->offset >= list->mailboxes[i - 1].offset + list->mailboxes[i - 1].length);
            check_round_trip(mb, arena);
            all |= mb->flags;
        }
        CHECK((list->flags & all) == all);
    } else {
        CHECK(st == MS_ESYNTAX || st == MS_ELIMIT);
        CHECK(list == NULL && err.reason != NULL && err.offset <= size);
        CHECK(memchr(err.detail, '\0', sizeof(err.detail)) != NULL);
    }
    /* Deterministic, with or without an error report. */
    const ms_msg_address_list *again = NULL;
    CHECK(ms_msg_address_parse(text, size, arena, &again, NULL) == st);
    CHECK(st != MS_OK || again->n_mailboxes == list->n_mailboxes);
    ms_arena_free(arena);
    return 0;
}
