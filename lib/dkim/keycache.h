/* SPDX-License-Identifier: MIT */
/* Private side of the DKIM key cache (public API in include/mailseal/dkim.h). */
#ifndef MS_DKIM_KEYCACHE_H
#define MS_DKIM_KEYCACHE_H

#include "crypto/key.h"
#include "mailseal/dkim.h"

/* The parsed key for p= (a new reference the caller frees), from the cache or parsed now and
 * kept. Errors as ms__crypto_pubkey_parse; refused keys are not kept. */
MS_MUST_CHECK ms_status ms__dkim_key_cache_get(ms_dkim_key_cache *c, ms__key_type type,
                                               const char *p, size_t len, ms__pubkey **out,
                                               ms__key_error *err);

#endif
