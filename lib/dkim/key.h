/* SPDX-License-Identifier: MIT */
/* DKIM key records, RFC 6376 §3.6.1 (+ RFC 8463 §4 k=ed25519): parsed from the TXT strings
 * joined (§3.6.2.2), then matched against a signature as §6.1.2 steps 5 to 8 ask. */
#ifndef MS_DKIM_KEY_H
#define MS_DKIM_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include "dkim/signature.h"
#include "dkim/tags.h"
#include "mailseal/arena.h"
#include "mailseal/status.h"

typedef enum { MS__DKIM_KEY_RSA, MS__DKIM_KEY_ED25519 } ms__dkim_key_type;

/* One parsed key record; strings are arena copies as written. Owned by the arena given to
 * ms__dkim_key_parse. */
typedef struct ms__dkim_key {
    ms__dkim_key_type type; /* k=, default rsa */
    const char *p;          /* p= base64, folding removed, not decoded; "" when revoked */
    size_t p_len;           /* characters in p, at most MS_LIMIT_DKIM_KEY_P */
    bool is_revoked;        /* p= empty (§3.6.1) */
    bool has_h;             /* h= given: only the hashes it lists are acceptable */
    bool allows_sha1;       /* h= absent, or lists sha1 */
    bool allows_sha256;     /* h= absent, or lists sha256 */
    const char *h;          /* h= as written, NULL when absent */
    bool is_email;          /* s= absent, or lists "*" or "email" */
    const char *s;          /* s= as written, NULL when absent */
    bool is_testing;        /* t= has y */
    bool is_strict;         /* t= has s: i= domain must equal d= */
    const char *t;          /* t= as written, NULL when absent */
    const char *n;          /* n= notes as written, NULL when absent */
    ms__dkim_tags tags;     /* every tag, unknown ones (g= of RFC 4871 ...) included */
} ms__dkim_key;

/* Parse one key record (TXT character-strings already joined with nothing between them).
 * MS_OK with *out; MS_ESYNTAX with err filled (err may be NULL) and *out NULL for a record
 * that must be ignored: tag-list syntax or duplicate tags (kind KEY_SYNTAX), v= not first or
 * not exactly DKIM1 (KEY_VERSION), an unknown k= (KEY_TYPE), no p=, bad base64, a p= longer
 * than MS_LIMIT_DKIM_KEY_P characters before any decoding (LIMIT, bad-inputs DKIM-11), an
 * ed25519 p= that is not 32 bytes (KEY_ALGORITHM), bad h=, s= or t= lists (KEY_SYNTAX), a
 * record over MS_LIMIT_DKIM_KEY_BYTES (LIMIT). MS_ENOMEM or MS_ELIMIT when the arena fails. */
MS_MUST_CHECK ms_status ms__dkim_key_parse(const char *txt, size_t len, ms_arena *arena,
                                           const ms__dkim_key **out, ms__dkim_error *err);

/* Can key verify sig (RFC 6376 §6.1.2 steps 6-8 and §3.6.1 s=, t=s)? false with err filled
 * (err may be NULL; offsets into the key record) for a key not for email (KEY_SERVICE), a
 * hash the key's h= does not list (KEY_HASH), a revoked key (KEY_REVOKED), a key type that
 * does not fit a= (KEY_ALGORITHM) and, under t=s, an i= domain other than d= (KEY_STRICT). */
bool ms__dkim_key_usable(const ms__dkim_key *key, const ms__dkim_sig *sig, ms__dkim_error *err);

#endif
