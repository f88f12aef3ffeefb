/* SPDX-License-Identifier: MIT */
/* Which identity SPF checks and what its parts are: MAIL FROM, HELO, or the null sender as
 * postmaster@HELO (RFC 7208 §2.3, §2.4, §4.3). */
#ifndef MS_SPF_IDENTITY_H
#define MS_SPF_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/arena.h"
#include "mailseal/spf.h"

typedef struct ms__spf_identity_parts {
    const char *sender;  /* local@domain as used for %{s} */
    const char *local;   /* never empty: "postmaster" substitutes (§4.3) */
    const char *domain;  /* exactly the bytes evaluated and reported */
    const char *helo;    /* %{h} */
    const char *invalid; /* NULL, or why the domain cannot be checked (result none, §4.3) */
} ms__spf_identity_parts;

ms_status ms__spf_identity(const ms_spf_request *req, ms_arena *arena, ms__spf_identity_parts *out);

/* §4.3: a domain that can be checked: labels of 1..63 octets (a trailing dot allowed), at most
 * 253 octets, at least two labels, letters, digits, '-' and '_' only (A-labels for IDNs).
 * NULL when fine, else the reason. */
const char *ms__spf_domain_invalid(const char *domain, size_t len);

/* A name built from a record's domain-spec: any visible bytes (RFC 7208 §7.1 allows them), but
 * it must be a name DNS can carry (labels of 1..63 octets, 253 in all). */
const char *ms__spf_target_invalid(const char *name, size_t len);

#endif
