/* SPDX-License-Identifier: MIT */
/* Test helpers for lib/msg: fields, flags and mailboxes as one line of text each, bytes that
 * do not print shown as \r \n \t \xHH, so a case's "got X, want Y" reads as the input does. */
#ifndef MS_TEST_MSG_RENDER_H
#define MS_TEST_MSG_RENDER_H

#include <stdio.h>
#include <string.h>

#include "mailseal/msg.h"

typedef struct render_buf {
    char text[8192];
    size_t len;
} render_buf;

static inline void rb_reset(render_buf *b)
{
    b->len = 0;
    b->text[0] = '\0';
}

static inline void rb_put(render_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n && b->len + 5 < sizeof(b->text); i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char hex[5];
        switch (c) {
        case '\r':
            esc = "\\r";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\\':
            esc = "\\\\";
            break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                snprintf(hex, sizeof(hex), "\\x%02x", c);
                esc = hex;
            }
            break;
        }
        if (esc != NULL) {
            size_t el = strlen(esc);
            memcpy(b->text + b->len, esc, el);
            b->len += el;
        } else {
            b->text[b->len++] = (char)c;
        }
    }
    b->text[b->len] = '\0';
}

static inline void rb_puts(render_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 < sizeof(b->text)) {
        memcpy(b->text + b->len, s, n);
        b->len += n;
        b->text[b->len] = '\0';
    }
}

static inline void rb_flags(render_buf *b, unsigned flags, const char *(*name)(unsigned))
{
    int first = 1;
    for (unsigned bit = 0; bit < 32; bit++) {
        if (flags & (1u << bit)) {
            const char *n = name(1u << bit);
            rb_puts(b, first ? "" : ",");
            rb_puts(b, n ? n : "?");
            first = 0;
        }
    }
}

/* "name|raw|value|flags" */
static inline void rb_field(render_buf *b, const ms_msg_field *f)
{
    rb_put(b, f->name, f->name_len);
    rb_puts(b, "|");
    rb_put(b, f->raw, f->raw_len);
    rb_puts(b, "|");
    rb_put(b, f->value, f->value_len);
    rb_puts(b, "|");
    rb_flags(b, f->flags, ms_msg_flag_name);
}

/* Every field, one per line. */
static inline void rb_fields(render_buf *b, const ms_msg *m)
{
    rb_reset(b);
    for (size_t i = 0; i < ms_msg_field_count(m); i++) {
        rb_field(b, ms_msg_field_at(m, i));
        rb_puts(b, "\n");
    }
}

/* "display <local@domain> ascii [group] flags", one per line. */
static inline void rb_mailboxes(render_buf *b, const ms_msg_address_list *list)
{
    rb_reset(b);
    for (size_t i = 0; i < list->n_mailboxes; i++) {
        const ms_msg_mailbox *mb = &list->mailboxes[i];
        if (mb->display != NULL) {
            rb_puts(b, "\"");
            rb_put(b, mb->display, strlen(mb->display));
            rb_puts(b, "\" ");
        }
        rb_puts(b, "<");
        rb_put(b, mb->local, strlen(mb->local));
        rb_puts(b, "@");
        rb_put(b, mb->domain, strlen(mb->domain));
        rb_puts(b, ">");
        if (strcmp(mb->domain_ascii, mb->domain) != 0) {
            rb_puts(b, " ascii=");
            rb_puts(b, mb->domain_ascii);
        }
        if (strcmp(mb->domain_raw, mb->domain) != 0) {
            rb_puts(b, " raw=");
            rb_put(b, mb->domain_raw, strlen(mb->domain_raw));
        }
        if (mb->group != NULL) {
            rb_puts(b, " group=");
            rb_put(b, mb->group, strlen(mb->group));
        }
        if (mb->flags != 0) {
            rb_puts(b, " ");
            rb_flags(b, mb->flags, ms_msg_addr_flag_name);
        }
        rb_puts(b, "\n");
    }
}

#endif
