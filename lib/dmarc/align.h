/* SPDX-License-Identifier: MIT */
/* Identifier alignment, RFC 9989 §3.2.10, §4.4, §4.10.2 (RFC 7489 §3.1). */
#ifndef MS_DMARC_ALIGN_H
#define MS_DMARC_ALIGN_H

#include <stdbool.h>

#include "dmarc/orgdomain.h"

typedef struct ms__dmarc_alignment {
    bool aligned;
    bool temperror;  /* an organizational domain could not be found (DNS) */
    const char *why; /* one line: how it was decided */
} ms__dmarc_alignment;

/* Is the authenticated identifier ident aligned with author (normalised)? author_org is the
 * author's organizational domain when known (NULL: found here if needed). A strict comparison
 * is exact, case-insensitive, one trailing dot ignored; relaxed compares the organizational
 * domains. An identifier that is not a host name is never aligned (bad-inputs DMARC-26). */
ms_status ms__dmarc_align(ms__dmarc_walk *w, ms_dmarc_alignment mode, const char *author,
                          const char *author_org, const char *ident, ms__dmarc_alignment *out);

#endif
