/* SPDX-License-Identifier: MIT */
/* A whole Authentication-Results field value (RFC 8601 §2.2): the authserv-id (§2.5), then one
 * resinfo per method, or "none" (§2.2 no-result). Each method starts a line (CRLF TAB); a method
 * longer than a line is folded by putting CRLF before one of its spaces outside quoted-strings,
 * which unfolds back to the same text (RFC 5322 §2.2.3). */
#include <string.h>

#include "authres/text.h"
#include "base/buf.h"
#include "base/limits.h"
#include "mailseal/authres.h"

#define AR_FIELD_NAME_COLUMNS 24u /* "Authentication-Results: " before the value's first line */
#define AR_AUTHSERV_ID_MAX 255u   /* a domain name at most (RFC 8601 §2.5, RFC 1035 §2.3.4) */

/* Append one method, folding at spaces outside quoted-strings so that each line stays within
 * MS_LIMIT_AUTHRES_LINE columns where its words allow. *col is the current line's length. */
static void put_folded(ms__buf *b, const char *m, size_t *col)
{
    size_t n = strlen(m);
    size_t i = 0;
    while (i < n) {
        /* the next word: up to a space outside a quoted-string */
        size_t j = i + (m[i] == ' ' ? 1u : 0u);
        bool quoted = false;
        for (; j < n; j++) {
            if (quoted && m[j] == '\\' && j + 1 < n) {
                j++;
            } else if (m[j] == '"') {
                quoted = !quoted;
            } else if (m[j] == ' ' && !quoted) {
                break;
            }
        }
        size_t w = j - i;
        if (m[i] == ' ' && *col + w > MS_LIMIT_AUTHRES_LINE) {
            ms__buf_puts(b, "\r\n"); /* before the space: unfolding gives the text back */
            *col = 0;
        }
        ms__buf_append(b, m + i, w);
        *col += w;
        i = j;
    }
}

static bool authserv_id_ok(const char *id)
{
    return strlen(id) <= AR_AUTHSERV_ID_MAX &&
           (ms__authres_is_token(id) || ms__authres_is_dot_atom(id));
}

ms_status ms_authres_format(const ms_authres_input *in, ms_arena *arena, const char **out)
{
    if (out == NULL) {
        return MS_EINVAL;
    }
    *out = NULL;
    if (in == NULL || arena == NULL || in->authserv_id == NULL ||
        !authserv_id_ok(in->authserv_id) || (in->n_dkim > 0 && in->dkim == NULL)) {
        return MS_EINVAL;
    }
    ms__buf b;
    ms__buf_init(&b, arena, MS_LIMIT_AUTHRES_BYTES);
    ms__buf_printf(&b, "%s;", in->authserv_id);
    size_t col = AR_FIELD_NAME_COLUMNS + strlen(in->authserv_id) + 1;

    bool any_other = in->spf != NULL || in->spf_helo != NULL || in->dmarc != NULL;
    size_t n_parts = 0;
    for (int step = 0; step < 4; step++) {
        size_t count = step == 2 ? (in->n_dkim > 0 ? in->n_dkim : (any_other ? 1u : 0u)) : 1u;
        for (size_t k = 0; k < count; k++) {
            const char *part = NULL;
            ms_status st = MS_OK;
            switch (step) {
            case 0:
                if (in->spf != NULL) {
                    st = ms_authres_spf_format(in->spf, arena, &part);
                }
                break;
            case 1:
                if (in->spf_helo != NULL) {
                    st = ms_authres_spf_format(in->spf_helo, arena, &part);
                }
                break;
            case 2:
                st = ms_authres_dkim_format(in->n_dkim > 0 ? &in->dkim[k] : NULL, arena, &part);
                break;
            default:
                if (in->dmarc != NULL) {
                    st = ms_authres_dmarc_format(in->dmarc, arena, &part);
                }
                break;
            }
            if (st != MS_OK) {
                return st;
            }
            if (part == NULL) {
                continue;
            }
            if (n_parts > 0) {
                ms__buf_putc(&b, ';');
            }
            /* RFC 8601 §2.2 resinfo: [CFWS] ";" methodspec ...; each method on its own line */
            ms__buf_puts(&b, "\r\n\t");
            col = 1;
            put_folded(&b, part, &col);
            col++; /* the ';' that may follow */
            n_parts++;
        }
    }
    if (n_parts == 0) {
        ms__buf_puts(&b, " none"); /* RFC 8601 §2.2 no-result */
    }
    if (ms__buf_status(&b) != MS_OK) {
        return ms__buf_status(&b);
    }
    *out = ms__buf_str(&b);
    return MS_OK;
}
