/* SPDX-License-Identifier: MIT */
/* DKIM canonicalization, RFC 6376 §3.4: header fields (simple, relaxed) and a streaming body
 * canonicalizer that feeds a sink (a digest) in runs, with the l= cap. Bare LF line ends (a
 * message saved on Unix) count as CRLF, as every signer and verifier of such files does. */
#ifndef MS_DKIM_CANON_H
#define MS_DKIM_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef enum { MS__DKIM_SIMPLE, MS__DKIM_RELAXED } ms__dkim_canon_alg;

/* Append the canonical form of one raw header field ("Name: value", folding and the final
 * line end included or not) to out. With RELAXED (§3.4.2): lower-case name, unfolded, runs of
 * WSP made one SP, WSP around the colon and at the end removed, CRLF appended. With SIMPLE
 * (§3.4.1): the bytes as they are, bare LF written as CRLF, and a CRLF appended when the raw
 * field has no line end. with_crlf false leaves the final CRLF out (the signature field
 * itself is hashed without it, §3.7). */
void ms__dkim_canon_header(ms__dkim_canon_alg alg, const char *raw, size_t len, bool with_crlf,
                           ms__buf *out);

/* Where canonical body bytes go. */
typedef void (*ms__dkim_sink)(void *user, const void *data, size_t len);

typedef struct ms__dkim_body_canon {
    ms__dkim_canon_alg alg;
    ms__dkim_sink sink;
    void *user;
    uint64_t limit;    /* l=: at most this many canonical bytes reach the sink (UINT64_MAX) */
    uint64_t total;    /* canonical bytes of the whole body, hashed or not */
    uint64_t hashed;   /* bytes that reached the sink */
    uint64_t n_crlf;   /* empty lines held back: trailing ones are dropped (§3.4.3, §3.4.4) */
    bool is_cr;        /* the last byte seen was a CR (a CRLF may span two chunks) */
    bool is_wsp;       /* relaxed: white space seen on this line, not yet written */
    bool is_line_open; /* the current line has content written */
    bool has_content;  /* anything at all was written */
    bool is_done;
    /* Within one ms__dkim_body_update call: the input bytes that are already canonical and
     * come next in the output (a run of lines that canonicalisation leaves as they are),
     * handed to the sink straight from the input, uncopied; where the held line ends start in
     * the input when they are all CRLF and adjacent (SIZE_MAX otherwise); where the held
     * white space is when it is one SP (relaxed; SIZE_MAX otherwise). */
    const char *span;
    size_t span_len;
    size_t eol_at;
    size_t wsp_at;
    /* Canonical bytes that differ from the input, and short runs, gathered before they go to
     * the sink: a digest update has a fixed cost. */
    size_t out_len;
    char out[4096];
} ms__dkim_body_canon;

void ms__dkim_body_init(ms__dkim_body_canon *c, ms__dkim_canon_alg alg, uint64_t limit,
                        ms__dkim_sink sink, void *user);
/* Feed body bytes in chunks of any size and boundary. */
void ms__dkim_body_update(ms__dkim_body_canon *c, const char *data, size_t len);
/* The end of the body: writes the final line end (simple: an empty body becomes CRLF). */
void ms__dkim_body_final(ms__dkim_body_canon *c);

#endif
