/* SPDX-License-Identifier: MIT */
/* The message object shared by split.c (the RFC 5322 §2.1-§2.3 state machine) and fields.c
 * (lookups, statistics, the author). */
#ifndef MS_MSG_SPLIT_H
#define MS_MSG_SPLIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "mailseal/msg.h"

/* Where the header state machine is; nginx-style, one byte at a time, so any chunk boundary
 * (also between CR and LF) lands between two states. */
typedef enum {
    MS__MSG_LINE_START,    /* first byte of a line */
    MS__MSG_LINE_START_CR, /* a line began with CR: an empty line if LF follows */
    MS__MSG_NAME,          /* in the field name */
    MS__MSG_NAME_WSP,      /* WSP after the name, before the colon */
    MS__MSG_VALUE,         /* after the colon, or anywhere in a malformed line */
    MS__MSG_CR,            /* a CR inside a line: a line end if LF follows */
    MS__MSG_BODY,          /* after the empty line */
} ms__msg_state;

typedef enum { MS__EOL_NONE, MS__EOL_CRLF, MS__EOL_LF } ms__msg_eol;

struct ms_msg {
    ms_arena *arena;
    ms_msg_options opt;
    ms__msg_state state;
    ms_status status; /* sticky: the first error */
    ms_msg_error err;
    bool ended;

    /* Complete fields, each allocated once so pointers stay valid while the array grows. */
    ms_msg_field **fields;
    size_t n_fields, fields_size;

    /* The field being read: its bytes so far (scratch, reused) and what is known of it. */
    bool in_field;
    char *cur;
    size_t cur_len, cur_size;
    size_t cur_offset, cur_name_len, cur_value_offset;
    unsigned cur_flags;
    ms__msg_eol pending_eol; /* the line end that ended the last line: folding or the end */
    size_t line_len;         /* bytes of the current line, line end excluded */
    bool line_is_fold;       /* the current line started with WSP */
    bool line_only_wsp;      /* ... and holds nothing but WSP so far */

    size_t header_bytes, body_bytes;
    unsigned flags;
    ms_msg_lines header_lines, body_lines;

    /* The body scan: a CR waiting for its LF, the line end before the current line, and the
     * current line so far (0 empty, 1 exactly ".", 2 anything else). */
    bool body_cr;
    ms__msg_eol body_prev_eol;
    int body_line;
    const char *body; /* ms_msg_parse only: the caller's bytes after the header */
    /* ms_msg_parse defers the body scan (line ends, smuggling shapes) to the first question
     * about them (ms__msg_body_settle): a caller that only hashes the body (DKIM) never pays
     * for a pass over it. Atomic, as a parsed message may be read by several threads. */
    bool defer_body;
    atomic_int body_lazy; /* ms__msg_body_state */
};

typedef enum {
    MS__MSG_BODY_SETTLED, /* scanned (or nothing to scan) */
    MS__MSG_BODY_PENDING,
    MS__MSG_BODY_SCANNING,
} ms__msg_body_state;

/* Scan a deferred body now if it is not yet: before anything reads the flags, body_lines or
 * body_bytes-derived data. Safe to call from several threads at once. */
void ms__msg_body_settle(const ms_msg *m);

/* Flags including those computed from others (MIXED_EOL). */
unsigned ms__msg_flags(const ms_msg *m);

#endif
