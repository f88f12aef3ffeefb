/* SPDX-License-Identifier: MIT */
/* SPF macro strings, RFC 7208 §7: syntax check and expansion. */
#ifndef MS_SPF_MACRO_H
#define MS_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/arena.h"
#include "mailseal/status.h"

/* The values the macro letters stand for (§7.2). All NUL-terminated; c, r and t are used only
 * in explanation strings. p is computed on demand because it costs DNS lookups (§7.3). */
typedef struct ms__spf_macro_vars {
    const char *s, *l, *o, *d, *i, *v, *h;
    const char *c, *r, *t;
    const char *(*p)(void *user); /* returns the validated name or "unknown"; NULL on error */
    void *p_user;
} ms__spf_macro_vars;

/* Where a macro string is used: a domain-spec (§7.1: c, r, t forbidden) or an explanation
 * string (§6.2: spaces allowed, every letter allowed). */
typedef enum { MS__MACRO_DOMAIN, MS__MACRO_EXPLAIN } ms__spf_macro_kind;

/* Syntax only. NULL when valid; otherwise a static reason, with *err_off the offset. */
const char *ms__spf_macro_check(const char *s, size_t len, ms__spf_macro_kind kind,
                                size_t *err_off);

/* Expand into the arena. MS_OK with *out (NUL-terminated) and *out_len; MS_ESYNTAX with *reason
 * for a bad macro; MS_ELIMIT when the result passes cap bytes (for explanations the caller may
 * keep *out, which holds what fitted); MS_EIO when %{p} could not be computed; MS_ENOMEM when
 * the arena ran out (its cap included). */
ms_status ms__spf_macro_expand(const char *s, size_t len, ms__spf_macro_kind kind,
                               const ms__spf_macro_vars *vars, size_t cap, ms_arena *arena,
                               const char **out, size_t *out_len, const char **reason);

/* RFC 7208 §7.3: a name longer than 253 octets loses whole labels from the left until it
 * fits. Returns the start of the kept part (inside name). */
const char *ms__spf_domain_truncate(const char *name, size_t *len);

#endif
