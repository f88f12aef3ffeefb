/* SPDX-License-Identifier: MIT */
/* Checks on an address's domain (RFC 5321 §4.1.2, RFC 1035 §2.3.4) and its A-label form
 * (RFC 5890 §2.3.2.1, RFC 6532 §3.2); RFC 2047 encoded-words in display names. */
#ifndef MS_MSG_DOMAIN_H
#define MS_MSG_DOMAIN_H

#include <stddef.h>

#include "mailseal/arena.h"
#include "mailseal/status.h"

/* NULL when d[0..len) is a host name: labels of letters, digits, '-' and '_' (1 to 63 octets,
 * no '-' first or last), 253 octets at most. Otherwise static text saying why not. */
const char *ms__msg_hostname_invalid(const char *d, size_t len);

/* The A-label form of a NUL-terminated domain holding UTF-8, by strict IDNA2008 (NFC, no UTS
 * #46 mapping). MS_OK with *out in arena; MS_ESYNTAX with *why when it does not convert;
 * MS_ENOMEM / MS_ELIMIT from the arena. */
ms_status ms__msg_domain_alabel(const char *domain, ms_arena *arena, const char **out,
                                const char **why);

/* MS_MSG_ADDR_DISPLAY_AT and MS_MSG_ADDR_DISPLAY_ENCODED for a display name: '@' (or a
 * full-width one) in the text, or in what an RFC 2047 encoded-word in it decodes to. */
unsigned ms__msg_display_flags(const char *s, size_t len);

#endif
