/* SPDX-License-Identifier: MIT */
/* Messages, RFC 5322: header fields and body split at the first empty line (§2.1, §2.2, §3.5),
 * unfolding (§2.2.3), field names (§3.6.8, §4.5), addresses (§3.4, obsolete forms §4.4) with
 * UTF-8 (RFC 6532), and the author (§3.6.2). Fed whole or as a stream of chunks. */
#ifndef MAILSEAL_MSG_H
#define MAILSEAL_MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/status.h"

/* ---- flags ------------------------------------------------------------------------------ */

/* X(NAME, bit, "name"): what was seen. The first group applies to one field and, OR'ed, to the
 * message; the second group is about the whole message. */
#define MS_MSG_FLAG_MAP(X)                                                                         \
    X(MALFORMED, 0, "malformed")               /* a header-block line that is not a field */       \
    X(WSP_BEFORE_COLON, 1, "wsp-before-colon") /* "Subject :" (obs-optional, §4.5.8) */           \
    X(EIGHT_BIT, 2, "8bit")                    /* a byte >= 0x80 (kept as is) */                   \
    X(NUL, 3, "nul")                           /* a NUL byte (kept as is) */                       \
    X(CTL, 4, "ctl")                           /* another control byte but HTAB */                 \
    X(BARE_CR, 5, "bare-cr")                   /* a CR not followed by LF */                       \
    X(BARE_LF, 6, "bare-lf")                   /* a line ended by LF alone */                      \
    X(WSP_LINE, 7, "wsp-line")                 /* a folded line of only WSP (obs-FWS, §4.2) */    \
    X(LONG_LINE, 8, "long-line")               /* a line over 998 octets (§2.1.1) */              \
    X(UNTERMINATED, 9, "unterminated")         /* the input ended inside this line */              \
    X(CRLF, 16, "crlf")                        /* a line ended by CRLF */                          \
    X(MIXED_EOL, 17, "mixed-eol")              /* CRLF and bare LF line ends both */               \
    X(DOT_LINE, 18, "dot-line")                /* body "." line between unlike line ends */        \
    X(NO_BODY, 19, "no-body")                  /* the input ended in the header block */           \
    X(OVERSIZE, 20, "oversize")                /* header block over policy_header_bytes */         \
    X(BODY_BARE_CR, 21, "body-bare-cr")        /* a bare CR in the body */                         \
    X(BODY_BARE_LF, 22, "body-bare-lf")        /* a body line ended by LF alone */

enum {
#define MS_MSG_FLAG_ENUM(name, bit, text) MS_MSG_##name = 1u << (bit),
    MS_MSG_FLAG_MAP(MS_MSG_FLAG_ENUM)
#undef MS_MSG_FLAG_ENUM
};

/* The flags under which the header/body boundary or the body's lines may differ between this
 * parser and the MTA that delivers the message (bad-inputs DKIM-26, MLT-11): DKIM must not
 * report pass for such a message. */
#define MS_MSG_AMBIGUOUS                                                                           \
    (MS_MSG_MALFORMED | MS_MSG_BARE_CR | MS_MSG_MIXED_EOL | MS_MSG_DOT_LINE | MS_MSG_BODY_BARE_CR)

/* "bare-cr" for one flag bit, NULL for anything else. */
MS_API const char *ms_msg_flag_name(unsigned flag);

/* ---- a message -------------------------------------------------------------------------- */

typedef struct ms_msg ms_msg; /* opaque; lives in the arena it was made in (no free) */

/* One header field, exactly as it was in the message. Everything here lives in the message's
 * arena and is NUL-terminated after its length (the bytes themselves may hold NULs). */
typedef struct ms_msg_field {
    const char *raw;  /* from the first byte of the name to the line end that ends the field
                       * (excluded); folding line ends inside are kept byte for byte */
    size_t raw_len;   /* DKIM "simple" and "relaxed" (RFC 6376 §3.4) start from raw */
    const char *name; /* the field name as written, without WSP before the colon; points
                       * into raw. For a MALFORMED field, the leading ftext bytes (may be
                       * empty) so that "From\r\n :" is still found as a From */
    size_t name_len;
    size_t value_offset; /* raw + value_offset: the raw value, the bytes after the colon */
    const char *value;   /* the value unfolded (RFC 5322 §2.2.3): every CRLF or bare LF of
                          * the raw value removed; leading WSP and comments kept */
    size_t value_len;
    size_t offset; /* of raw[0] from the start of the message */
    size_t index;  /* 0 for the topmost field */
    unsigned flags;
} ms_msg_field;

typedef struct ms_msg_options {
    size_t max_header_bytes;    /* [MS_LIMIT_MSG_HEADER_BYTES, 1 MiB] parse cap: MS_ELIMIT */
    size_t max_fields;          /* [MS_LIMIT_MSG_FIELDS, 1000] MS_ELIMIT past it */
    size_t max_field_bytes;     /* [MS_LIMIT_MSG_FIELD_BYTES, 256 KiB] one field's raw bytes */
    size_t policy_header_bytes; /* [MS_LIMIT_MSG_HEADER_POLICY, 64 KiB] more sets OVERSIZE */
} ms_msg_options;

/* Defaults from lib/base/limits.h; a 0 in any member also means its default. */
MS_API void ms_msg_options_default(ms_msg_options *opt);

typedef struct ms_msg_error {
    size_t offset;      /* byte offset in the message (ms_msg) or in the parsed text */
    const char *reason; /* static text; NULL when there was no error */
    char detail[64];    /* the bytes at offset, cut to fit */
} ms_msg_error;

typedef struct ms_msg_lines {
    size_t n_crlf, n_bare_lf, n_bare_cr;
} ms_msg_lines;

typedef struct ms_msg_stats {
    size_t header_bytes; /* every field with its line ends, plus the empty line */
    size_t body_bytes;   /* bytes after the empty line */
    size_t n_fields;
    unsigned flags; /* MS_MSG_*: every field's flags OR'ed and the message's own */
    bool in_body;   /* the empty line has been seen */
    bool ended;     /* ms_msg_end was called */
    ms_msg_lines header, body;
} ms_msg_stats;

/* Split a whole message (CLI). Header fields are copied into arena; the body is not copied:
 * ms_msg_body() points into data, which must outlive the message. *out is NULL on error and
 * err (may be NULL) says where: MS_ELIMIT past a cap, MS_ENOMEM / MS_ELIMIT from the arena.
 * Malformed input is never an error: it is flagged. */
MS_API MS_MUST_CHECK ms_status ms_msg_parse(const char *data, size_t len, const ms_msg_options *opt,
                                            ms_arena *arena, ms_msg **out, ms_msg_error *err);

/* The same split as a resumable state machine (milter): chunks may end anywhere, also between
 * the CR and LF of a line end. opt NULL means defaults. */
MS_API MS_MUST_CHECK ms_status ms_msg_new(const ms_msg_options *opt, ms_arena *arena, ms_msg **out);
/* Feed the next bytes. *body_at (may be NULL) gets where the body starts in this chunk: 0 once
 * in the body, len while the chunk is all header. Body bytes are scanned for line ends and
 * counted, never kept: hash chunk + *body_at yourself. After an error every call returns it. */
MS_API MS_MUST_CHECK ms_status ms_msg_feed(ms_msg *m, const char *chunk, size_t len,
                                           size_t *body_at);
/* The end of the input: completes the last field. Feeding after it is MS_EINVAL. */
MS_API MS_MUST_CHECK ms_status ms_msg_end(ms_msg *m);
/* NULL when no error happened. */
MS_API const ms_msg_error *ms_msg_last_error(const ms_msg *m);

MS_API void ms_msg_get_stats(const ms_msg *m, ms_msg_stats *out);
/* The body as given to ms_msg_parse; NULL when fed in chunks (*len is still its size). */
MS_API const char *ms_msg_body(const ms_msg *m, size_t *len);
/* NULL when line ends and the header/body boundary are unambiguous; otherwise static text
 * saying why they are not (the MS_MSG_AMBIGUOUS flags), ending in its RFC section. */
MS_API const char *ms_msg_ambiguity(const ms_msg *m);

/* ---- fields ----------------------------------------------------------------------------- */
/* Fields appear as soon as they are complete (a field ends when the next line does not start
 * with WSP). Names compare case-insensitively (RFC 5322 §1.2.2); MALFORMED fields match too, so
 * a caller never misses a From that another parser would see: check their flags. */

MS_API size_t ms_msg_field_count(const ms_msg *m);
/* index 0 is the topmost field; NULL past the end. */
MS_API const ms_msg_field *ms_msg_field_at(const ms_msg *m, size_t index);
MS_API size_t ms_msg_count(const ms_msg *m, const char *name, size_t name_len);
/* Top-down: the first field named name below `after` (NULL: from the top); NULL when none. */
MS_API const ms_msg_field *ms_msg_next(const ms_msg *m, const char *name, size_t name_len,
                                       const ms_msg_field *after);
/* Bottom-up (DKIM h= selection, RFC 6376 §5.4.2): the first field named name above `before`
 * (NULL: from the bottom); NULL when none. */
MS_API const ms_msg_field *ms_msg_prev(const ms_msg *m, const char *name, size_t name_len,
                                       const ms_msg_field *before);

/* ---- addresses -------------------------------------------------------------------------- */

#define MS_MSG_ADDR_FLAG_MAP(X)                                                                    \
    X(LITERAL, 0, "literal")                 /* domain literal "[192.0.2.1]" (§3.4.1) */          \
    X(QUOTED_LOCAL, 1, "quoted-local")       /* local-part holds a quoted-string */                \
    X(OBS_LOCAL, 2, "obs-local")             /* obs-local-part: words, CFWS around dots (§4.4) */ \
    X(OBS_DOMAIN, 3, "obs-domain")           /* CFWS around the domain's dots (§4.4) */           \
    X(OBS_ROUTE, 4, "obs-route")             /* "<@a,@b:user@d>", the route ignored (§4.4) */     \
    X(OBS_PHRASE, 5, "obs-phrase")           /* "." in a display name (§4.1) */                   \
    X(OBS_LIST, 6, "obs-list")               /* empty list elements ", ," (§4.4) */               \
    X(COMMENT, 7, "comment")                 /* a comment somewhere in the mailbox */              \
    X(UTF8_LOCAL, 8, "utf8-local")           /* RFC 6532 local-part */                             \
    X(UTF8_DOMAIN, 9, "utf8-domain")         /* RFC 6532 domain; domain_ascii is its A-labels */   \
    X(TRAILING_DOT, 10, "trailing-dot")      /* one trailing "." in the domain, removed */         \
    X(IN_GROUP, 11, "in-group")              /* inside "name: ... ;" (§3.4) */                    \
    X(DISPLAY_AT, 12, "display-has-address") /* '@' in the display name, plain or encoded */       \
    X(DISPLAY_ENCODED, 13, "display-encoded") /* RFC 2047 encoded-word in the display name */      \
    X(DISPLAY_8BIT, 14, "display-8bit")       /* bytes that are not UTF-8 in a display/comment */

enum {
#define MS_MSG_ADDR_FLAG_ENUM(name, bit, text) MS_MSG_ADDR_##name = 1u << (bit),
    MS_MSG_ADDR_FLAG_MAP(MS_MSG_ADDR_FLAG_ENUM)
#undef MS_MSG_ADDR_FLAG_ENUM
};

MS_API const char *ms_msg_addr_flag_name(unsigned flag);

/* One mailbox. All strings are NUL-terminated and live in the arena. */
typedef struct ms_msg_mailbox {
    const char *display;      /* display name: words joined by one space, quoted-strings
                               * unquoted, comments dropped, encoded-words left encoded;
                               * NULL when there is none */
    const char *local;        /* local-part as written without CFWS; quotes kept */
    const char *domain_raw;   /* domain as written without CFWS ("[192.0.2.1]" for a literal) */
    const char *domain;       /* ASCII letters lowercased, one trailing dot removed; UTF-8 kept */
    const char *domain_ascii; /* the domain in A-label form (RFC 5890) for DNS; for a literal
                               * the literal */
    const char *group;        /* display name of the enclosing group, NULL outside a group */
    size_t offset;            /* where the mailbox starts in the parsed text */
    size_t length;            /* and how long it is there */
    unsigned flags;           /* MS_MSG_ADDR_* */
} ms_msg_mailbox;

typedef struct ms_msg_address_list {
    size_t n_mailboxes;
    const ms_msg_mailbox *mailboxes; /* in order */
    size_t n_groups;                 /* groups, empty ones included ("undisclosed-recipients:;") */
    unsigned flags;                  /* every mailbox's flags OR'ed, plus OBS_LIST */
} ms_msg_address_list;

/* Parse an address-list (RFC 5322 §3.4, with groups and the §4.4 obsolete forms) such as a
 * From, Sender, To or Reply-To value; folded (raw) and unfolded text are both accepted. Every
 * mailbox is returned, or none: MS_ESYNTAX with err (offset, reason, detail) for anything that
 * two parsers could read differently. More than MS_LIMIT_MSG_ADDRESSES (100) mailboxes or
 * groups is MS_ELIMIT, found before any further work; so is text longer than a field may be
 * (MS_LIMIT_MSG_FIELD_BYTES). */
MS_API MS_MUST_CHECK ms_status ms_msg_address_parse(const char *text, size_t len, ms_arena *arena,
                                                    const ms_msg_address_list **out,
                                                    ms_msg_error *err);

/* The author (RFC 5322 §3.6.2, RFC 7489 §6.6.1, RFC 9989 §5.3.1): MS_OK when the message has
 * exactly one From field, not MALFORMED, holding exactly one mailbox outside any group; *out
 * is that mailbox. Otherwise MS_ESYNTAX and err says why (no From field, several From fields,
 * a malformed one, a group, several mailboxes, or the address syntax error), err->offset
 * being an offset in the message; MS_ELIMIT past the address cap. Sender is never used. */
MS_API MS_MUST_CHECK ms_status ms_msg_author(const ms_msg *m, ms_arena *arena,
                                             const ms_msg_mailbox **out, ms_msg_error *err);

/* ---- trace fields ----------------------------------------------------------------------- */

/* What a Received field says about the hop it records (RFC 5321 §4.4). Strings in the arena,
 * NULL when the field does not say. */
typedef struct ms_msg_received {
    bool has_from;             /* the field has a "from" clause */
    size_t from_offset;        /* where "from" starts in the parsed text */
    const char *from_name;     /* the word after "from" as written (a name or "[IP]") */
    const char *helo;          /* the HELO/EHLO name: helo=/HELO in a comment, else from_name
                                * (never an address literal or "unknown") */
    const char *rdns;          /* the reverse-DNS name the receiver found, from the comment */
    const char *ip;            /* the client address (IPv4 or IPv6 text, "IPv6:" dropped) */
    const char *envelope_from; /* "(envelope-from <...>)" as Exim and Sendmail write it */
    const char *by;            /* the receiving host */
    const char *with;          /* the protocol ("ESMTPS") */
} ms_msg_received;

/* Parse a Received field value (raw or unfolded). MS_ESYNTAX with err when it has no "from"
 * clause or a comment is unterminated or nested too deep; MS_ELIMIT past a field's size. */
MS_API MS_MUST_CHECK ms_status ms_msg_received_parse(const char *text, size_t len, ms_arena *arena,
                                                     const ms_msg_received **out,
                                                     ms_msg_error *err);
/* The address of a Return-Path field value: "" for "<>" (the null reverse-path). MS_ESYNTAX
 * with err when the value is not "<...>". */
MS_API MS_MUST_CHECK ms_status ms_msg_return_path(const char *text, size_t len, ms_arena *arena,
                                                  const char **out, ms_msg_error *err);

/* The client that handed a received message to the receiving site, from the message's own trace
 * fields: the topmost Received field whose from clause names a public address (hops from
 * loopback, private, shared, link-local or unique-local addresses are the site's own relays and
 * are skipped), and MAIL FROM from Return-Path (else that hop's envelope-from). */
typedef struct ms_msg_client {
    const char *ip, *helo;
    const char *mail_from;   /* NULL when neither Return-Path nor envelope-from says */
    const char *by;          /* the host that wrote the chosen Received field */
    size_t received_ordinal; /* 1 = the topmost Received field */
    size_t n_skipped;        /* Received fields above it that were skipped */
    bool has_return_path;
} ms_msg_client;

/* MS_OK with *out filled, MS_ENOTFOUND when no Received field names a public address (out is
 * still filled as far as it goes), arena errors. */
MS_API MS_MUST_CHECK ms_status ms_msg_received_client(const ms_msg *m, ms_arena *arena,
                                                      ms_msg_client *out);

#endif
