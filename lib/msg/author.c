/* SPDX-License-Identifier: MIT */
/* The author: the one mailbox of the one From field (RFC 5322 §3.6, §3.6.2; RFC 7489 §6.6.1;
 * RFC 9989 §5.3.1), or why a message has none that can be trusted (bad-inputs DMARC-01..11). */
#include <string.h>

#include "mailseal/msg.h"

static ms_status refuse(const ms_msg_field *f, size_t offset, const char *reason, ms_msg_error *err)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
        size_t n = 0;
        if (f != NULL) {
            n = f->raw_len < sizeof(err->detail) - 1 ? f->raw_len : sizeof(err->detail) - 1;
            memcpy(err->detail, f->raw, n);
        }
        err->detail[n] = '\0';
    }
    return MS_ESYNTAX;
}

ms_status ms_msg_author(const ms_msg *m, ms_arena *arena, const ms_msg_mailbox **out,
                        ms_msg_error *err)
{
    *out = NULL;
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
    const ms_msg_field *from = ms_msg_next(m, "From", 4, NULL);
    if (from == NULL) {
        return refuse(NULL, 0,
                      "no From field; Sender is not used instead (RFC 5322 §3.6, "
                      "RFC 9989 §5.3.1)",
                      err);
    }
    const ms_msg_field *second = ms_msg_next(m, "From", 4, from);
    if (second != NULL) {
        return refuse(second, second->offset,
                      "more than one From field (RFC 5322 §3.6, RFC 7489 §6.6.1)", err);
    }
    if (from->flags & MS_MSG_MALFORMED) {
        return refuse(from, from->offset,
                      "the From field is malformed: no colon on its first line or a name that "
                      "is not ftext (RFC 5322 §3.6.8, §4.5)",
                      err);
    }
    /* The raw value, so that an error offset is an offset in the message. */
    const ms_msg_address_list *list = NULL;
    size_t base = from->offset + from->value_offset;
    ms_status st = ms_msg_address_parse(from->raw + from->value_offset,
                                        from->raw_len - from->value_offset, arena, &list, err);
    if (st != MS_OK) {
        if (err != NULL) {
            err->offset += base;
        }
        return st;
    }
    if (list->n_groups > 0) {
        return refuse(from, from->offset, "a group in From: RFC 5322 §3.6.2 allows mailboxes only",
                      err);
    }
    if (list->n_mailboxes != 1) {
        return refuse(from, base + list->mailboxes[1].offset,
                      "more than one mailbox in From: no single author (RFC 7489 §6.6.1, "
                      "RFC 9989 §5.3.1)",
                      err);
    }
    *out = &list->mailboxes[0];
    return MS_OK;
}
