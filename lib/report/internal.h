/* SPDX-License-Identifier: MIT */
/* Shared by the readers of lib/report: error filling, content typing by magic bytes, and the
 * small lenient MIME toolkit (RFC 2045 §6, RFC 2046 §5.1, RFC 5322 §2.2) the unpacker and the
 * failure-report parser walk messages with. */
#ifndef MS_REPORT_INTERNAL_H
#define MS_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/report.h"

/* Fills err (may be NULL) and returns st. detail is cut to fit and may be NULL. */
ms_status ms__report_fail(ms_report_error *err, ms_status st, size_t offset, const char *reason,
                          const char *detail, size_t detail_len);

typedef enum {
    MS__MAGIC_UNKNOWN,
    MS__MAGIC_GZIP,    /* 1f 8b (RFC 1952 §2.3.1) */
    MS__MAGIC_ZIP,     /* "PK\3\4" or "PK\5\6" (APPNOTE 4.3.7, 4.3.16) */
    MS__MAGIC_XML,     /* '<' after an optional BOM and white space */
    MS__MAGIC_JSON,    /* '{' after an optional BOM and white space */
    MS__MAGIC_MESSAGE, /* starts with an RFC 5322 header field */
} ms__report_magic;

/* The type of data[0..len) by its first bytes only. */
ms__report_magic ms__report_magic_of(const uint8_t *data, size_t len);

/* ---- MIME ---------------------------------------------------------------------------------- */
typedef struct ms__mime_entity {
    const char *header; /* the header block, without the empty line after it */
    size_t header_len;
    const char *body;
    size_t body_len;
} ms__mime_entity;

/* Splits an entity at its first empty line (CRLF CRLF, LF LF or a leading empty line). With no
 * empty line, all of it is header. */
void ms__mime_split(const char *p, size_t len, ms__mime_entity *e);

typedef struct ms__mime_field {
    const char *name, *value; /* value: raw, still folded, leading white space skipped */
    size_t name_len, value_len;
} ms__mime_field;

/* The next field of a header block from *pos: false at the end. Lines that are not fields
 * (no colon) are skipped. */
bool ms__mime_next_field(const char *hdr, size_t len, size_t *pos, ms__mime_field *f);

/* The unfolded, trimmed value of the first field named name (case-insensitive), into out
 * (NUL-terminated, cut to out_size - 1). false when absent. */
bool ms__mime_header(const char *hdr, size_t len, const char *name, char *out, size_t out_size);

/* Unfold and trim value[0..len) into out (cut to fit). Returns the length written. */
size_t ms__mime_unfold(const char *value, size_t len, char *out, size_t out_size);

/* "type/subtype" of a Content-Type value, lower-cased, into out. */
void ms__mime_type(const char *ctype, char *out, size_t out_size);

/* A parameter of a Content-Type or Content-Disposition value (RFC 2045 §5.1), unquoted, into
 * out; false when absent. */
bool ms__mime_param(const char *value, const char *param, char *out, size_t out_size);

/* The parts of a multipart body (RFC 2046 §5.1.1) between "--boundary" lines, preamble and
 * epilogue excluded. Calls fn for each part; stops at the first non-MS_OK return, or with
 * MS_ELIMIT past max_parts. */
typedef ms_status (*ms__mime_part_fn)(void *user, const char *part, size_t len);
ms_status ms__mime_parts(const char *body, size_t len, const char *boundary, size_t max_parts,
                         ms__mime_part_fn fn, void *user);

/* Decodes a body by its Content-Transfer-Encoding (base64 leniently, skipping characters
 * outside the alphabet; quoted-printable, RFC 2045 §6.7; others as is) into the arena.
 * MS_ELIMIT past cap bytes. */
ms_status ms__mime_decode(const char *body, size_t len, const char *cte, size_t cap,
                          ms_arena *arena, const uint8_t **out, size_t *out_len);

#endif
