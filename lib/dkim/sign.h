/* SPDX-License-Identifier: MIT */
/* DKIM signer internals (RFC 6376 §5): a way for tests to make the signature field take the
 * exact form of a published example (RFC 8463 Appendix A.3), tag for tag. */
#ifndef MS_DKIM_SIGN_H
#define MS_DKIM_SIGN_H

#include <stdbool.h>

#include "mailseal/dkim.h"

typedef struct ms__dkim_sign_format {
    bool with_q;        /* write q=dns/txt (the default, §3.5) after i= */
    const char *h_sep;  /* between h= names: ":" (NULL) or " : " as A.3 writes them */
    bool exact_headers; /* sign the options' header list as given: no oversigning added */
} ms__dkim_sign_format;

/* Before any signing starts; f is copied (h_sep must be static). */
void ms__dkim_signer_set_format(ms_dkim_signer *signer, const ms__dkim_sign_format *f);

#endif
