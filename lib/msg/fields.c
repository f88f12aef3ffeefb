/* SPDX-License-Identifier: MIT */
/* Reading a split message: fields by position and by name, top-down and bottom-up (RFC 6376
 * §5.4.2), statistics, flag names, and whether the boundary is ambiguous (RFC 5322 §2.3). */
#include <string.h>

#include "base/str.h"
#include "msg/split.h"

const char *ms_msg_flag_name(unsigned flag)
{
    switch (flag) {
#define MS_MSG_FLAG_CASE(name, bit, text)                                                          \
    case MS_MSG_##name:                                                                            \
        return text;
        MS_MSG_FLAG_MAP(MS_MSG_FLAG_CASE)
#undef MS_MSG_FLAG_CASE
    default:
        return NULL;
    }
}

unsigned ms__msg_flags(const ms_msg *m)
{
    ms__msg_body_settle(m);
    unsigned f = m->flags;
    if (m->in_field) {
        f |= m->cur_flags;
    }
    if ((f & MS_MSG_CRLF) && (f & (MS_MSG_BARE_LF | MS_MSG_BODY_BARE_LF))) {
        f |= MS_MSG_MIXED_EOL;
    }
    return f;
}

void ms_msg_get_stats(const ms_msg *m, ms_msg_stats *out)
{
    memset(out, 0, sizeof(*out));
    ms__msg_body_settle(m);
    out->header_bytes = m->header_bytes;
    out->body_bytes = m->body_bytes;
    out->n_fields = m->n_fields;
    out->flags = ms__msg_flags(m);
    out->in_body = m->state == MS__MSG_BODY;
    out->ended = m->ended;
    out->header = m->header_lines;
    out->body = m->body_lines;
}

const char *ms_msg_body(const ms_msg *m, size_t *len)
{
    if (len != NULL) {
        *len = m->body_bytes;
    }
    return m->body;
}

const ms_msg_error *ms_msg_last_error(const ms_msg *m)
{
    return m->status == MS_OK ? NULL : &m->err;
}

const char *ms_msg_ambiguity(const ms_msg *m)
{
    unsigned f = ms__msg_flags(m);
    if (f & MS_MSG_BARE_CR) {
        return "bare CR in the header block: a parser that ends lines at CR finds another "
               "header/body boundary (RFC 5322 §2.2, §2.3)";
    }
    if (f & MS_MSG_MALFORMED) {
        return "a header-block line that is not a field: other parsers end the header there "
               "or join it to a field (RFC 5322 §2.2, §3.5)";
    }
    if (f & MS_MSG_MIXED_EOL) {
        return "CRLF and bare LF line ends mixed: the boundary and the body depend on which "
               "counts as a line end (RFC 5322 §2.1, §2.3)";
    }
    if (f & MS_MSG_DOT_LINE) {
        return "a body line \".\" between two different line ends: an SMTP server may end the "
               "message there (RFC 5321 §4.1.1.4)";
    }
    if (f & MS_MSG_BODY_BARE_CR) {
        return "bare CR in the body: may be changed in transit (RFC 5322 §2.3)";
    }
    return NULL;
}

size_t ms_msg_field_count(const ms_msg *m)
{
    return m->n_fields;
}

const ms_msg_field *ms_msg_field_at(const ms_msg *m, size_t index)
{
    return index < m->n_fields ? m->fields[index] : NULL;
}

static bool named(const ms_msg_field *f, const char *name, size_t name_len)
{
    return ms__str_ieq(f->name, f->name_len, name, name_len);
}

size_t ms_msg_count(const ms_msg *m, const char *name, size_t name_len)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_fields; i++) {
        const ms_msg_field *f = m->fields[i];
        n += f->name_len == name_len && named(f, name, name_len) ? 1 : 0;
    }
    return n;
}

/* A field passed back in must be one of this message's (checked, not trusted). */
static bool owned(const ms_msg *m, const ms_msg_field *f)
{
    return f->index < m->n_fields && m->fields[f->index] == f;
}

const ms_msg_field *ms_msg_next(const ms_msg *m, const char *name, size_t name_len,
                                const ms_msg_field *after)
{
    size_t i = 0;
    if (after != NULL) {
        if (!owned(m, after)) {
            return NULL;
        }
        i = after->index + 1;
    }
    for (; i < m->n_fields; i++) {
        if (named(m->fields[i], name, name_len)) {
            return m->fields[i];
        }
    }
    return NULL;
}

const ms_msg_field *ms_msg_prev(const ms_msg *m, const char *name, size_t name_len,
                                const ms_msg_field *before)
{
    size_t i = m->n_fields;
    if (before != NULL) {
        if (!owned(m, before)) {
            return NULL;
        }
        i = before->index;
    }
    while (i-- > 0) {
        if (named(m->fields[i], name, name_len)) {
            return m->fields[i];
        }
    }
    return NULL;
}
