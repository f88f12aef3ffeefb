/* SPDX-License-Identifier: MIT */
/* The dkim method of Authentication-Results (RFC 8601 §2.7.1, RFC 6008 header.b): one result
 * per signature. Everything taken from the signature is printed as a token or a quoted-string,
 * so a hostile d=, s= or i= cannot add a property or a second line (bad-inputs DKIM-28). */
#include <string.h>

#include "authres/text.h"
#include "base/buf.h"
#include "base/str.h"
#include "mailseal/authres.h"

static void put_prop(ms__buf *b, const char *name, const char *value)
{
    if (value == NULL || value[0] == '\0') {
        return;
    }
    ms__buf_printf(b, " %s=", name);
    /* header.i is an address: local@domain stays bare when both halves are tokens or dots. */
    const char *at = strrchr(value, '@');
    bool is_address_ok = at != NULL && strcmp(name, "header.i") == 0;
    for (const char *p = value; is_address_ok && *p; p++) {
        unsigned char c = (unsigned char)*p;
        is_address_ok = c > 0x20 && c < 0x7f && (p == at || strchr("()<>,;:\\\"/[]?=", c) == NULL);
    }
    if (is_address_ok || ms__authres_is_token(value)) {
        ms__buf_puts(b, value);
    } else {
        ms__authres_put_quoted(b, value);
    }
}

ms_status ms_authres_dkim_format(const ms_dkim_sig_result *sig, ms_arena *arena, const char **out)
{
    *out = NULL;
    if (arena == NULL) {
        return MS_EINVAL;
    }
    ms__buf b;
    ms__buf_init(&b, arena, 4096);
    if (sig == NULL) {
        ms__buf_puts(&b, "dkim=none (no signatures)");
    } else {
        ms__buf_printf(&b, "dkim=%s", ms_dkim_result_name(sig->result));
        if (sig->result == MS_DKIM_PASS && sig->key_bits) {
            ms__buf_printf(&b, " (%u-bit %s key)", sig->key_bits, ms_dkim_alg_name(sig->alg));
        } else if (sig->reason != NULL) {
            ms__buf_puts(&b, " (");
            ms__authres_put_comment(&b, sig->reason);
            ms__buf_putc(&b, ')');
        }
        put_prop(&b, "header.d", sig->domain);
        put_prop(&b, "header.i", sig->auid);
        put_prop(&b, "header.s", sig->selector);
        if (sig->alg != MS_DKIM_ALG_UNKNOWN) {
            put_prop(&b, "header.a", ms_dkim_alg_name(sig->alg));
        }
        put_prop(&b, "header.b", sig->b_prefix);
    }
    if (ms__buf_status(&b) != MS_OK) {
        return ms__buf_status(&b);
    }
    *out = ms__buf_str(&b);
    return MS_OK;
}
