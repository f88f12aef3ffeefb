/* SPDX-License-Identifier: MIT */
/* Base64, RFC 4648 §4, from (ptr, len): encode, and a strict decoder that can skip the folding
 * whitespace DKIM allows inside b=, bh= and p= (RFC 6376 §3.5, §3.6.1, §2.8 FWS). */
#ifndef MS_BASE_BASE64_H
#define MS_BASE_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/status.h"

/* Characters ms__base64_encode writes for len bytes, without the NUL; SIZE_MAX on overflow. */
size_t ms__base64_encoded_len(size_t len);
/* Most bytes len characters of base64 can decode to. */
size_t ms__base64_decoded_max(size_t len);

/* Write the padded encoding of in[0..len) and a NUL into out[0..out_size). *out_len (may be
 * NULL) gets the characters written. MS_ELIMIT when out is too small (nothing useful written). */
MS_MUST_CHECK ms_status ms__base64_encode(const uint8_t *in, size_t len, char *out, size_t out_size,
                                          size_t *out_len);

enum {
    /* Skip space, tab, CR and LF anywhere in the data, padding included (RFC 6376 §3.5 and
     * §3.6.1 let b=, bh= and p= be folded). Without it any whitespace is an error. */
    MS__BASE64_SKIP_FWS = 1u,
};

/* Where a decode went wrong; filled without allocating. */
typedef struct ms__base64_error {
    size_t offset;      /* in the input */
    const char *reason; /* static text ending in its RFC section */
} ms__base64_error;

/* Decode in[0..len) into out, at most out_cap bytes; *out_len gets the bytes decoded. Padding
 * is required and checked strictly (RFC 4648 §3.2, §3.3, §3.5: "=" only at the end, as many as
 * the last quantum needs, no data after it, unused bits zero). MS_ESYNTAX with err (may be
 * NULL) on any fault; MS_ELIMIT when the data would pass out_cap. out may be NULL when
 * out_cap is 0 (to validate only empty data). */
MS_MUST_CHECK ms_status ms__base64_decode(const char *in, size_t len, unsigned flags, uint8_t *out,
                                          size_t out_cap, size_t *out_len, ms__base64_error *err);

#endif
