/* SPDX-License-Identifier: MIT */
/* The fields that carry an SPF verdict: Received-SPF (RFC 7208 §9.1) and the spf method of
 * Authentication-Results (RFC 8601 §2.7.2). Values are quoted when they are not dot-atoms and
 * comments have their parentheses escaped, so DNS-supplied text cannot break the field. */
#include <string.h>

#include "authres/text.h"
#include "base/buf.h"
#include "base/str.h"
#include "mailseal/authres.h"

static void put_value(ms__buf *b, const char *s)
{
    if (ms__authres_is_dot_atom(s)) {
        ms__buf_puts(b, s);
    } else {
        ms__authres_put_quoted(b, s);
    }
}

/* local@domain unquoted when the local-part is a dot-atom (RFC 8601 §2.2 pvalue), else the
 * whole address as a quoted-string. */
static void put_address(ms__buf *b, const char *addr)
{
    const char *at = strrchr(addr, '@');
    if (at != NULL && at != addr) {
        size_t n = (size_t)(at - addr);
        char local[256];
        if (n < sizeof(local)) {
            memcpy(local, addr, n);
            local[n] = '\0';
            if (ms__authres_is_dot_atom(local) && ms__authres_is_dot_atom(at + 1)) {
                ms__buf_puts(b, addr);
                return;
            }
        }
    }
    put_value(b, addr);
}

/* The words of the comment, after the receiver: the usual phrasing of libspf2 and pyspf, which
 * operators grep for. */
static void put_story(ms__buf *b, const ms_spf_verdict *v, const char *ip)
{
    const char *who = v->sender ? v->sender : "";
    switch (v->result) {
    case MS_SPF_PASS:
        ms__buf_printf(b, "domain of %s designates %s as permitted sender", who, ip);
        break;
    case MS_SPF_FAIL:
        ms__buf_printf(b, "domain of %s does not designate %s as permitted sender", who, ip);
        break;
    case MS_SPF_SOFTFAIL:
        ms__buf_printf(b, "transitioning domain of %s does not designate %s as permitted sender",
                       who, ip);
        break;
    case MS_SPF_NEUTRAL:
        ms__buf_printf(b, "%s is neither permitted nor denied by domain of %s", ip, who);
        break;
    case MS_SPF_NONE:
        ms__buf_printf(b, "domain of %s does not designate permitted sender hosts", who);
        break;
    case MS_SPF_TEMPERROR:
        ms__buf_printf(b, "error in processing during lookup of %s: %s", who,
                       v->reason ? v->reason : "DNS error");
        break;
    case MS_SPF_PERMERROR:
        ms__buf_printf(b, "permanent error in processing during lookup of %s: %s", who,
                       v->reason ? v->reason : "invalid record");
        break;
    }
}

static ms_status finish(ms__buf *b, const char **out)
{
    if (ms__buf_status(b) != MS_OK) {
        return ms__buf_status(b);
    }
    *out = ms__buf_str(b);
    return MS_OK;
}

ms_status ms_received_spf_format(const ms_spf_verdict *v, const ms_spf_request *req,
                                 const char *receiver, ms_arena *arena, const char **out)
{
    *out = NULL;
    if (v == NULL || req == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    if (receiver == NULL) {
        receiver = req->receiver ? req->receiver : "unknown";
    }
    const char *ip = v->client_ip ? v->client_ip : (req->client_ip ? req->client_ip : "");
    ms__buf story, b;
    ms__buf_init(&story, arena, 4096);
    put_story(&story, v, ip);
    ms__buf_init(&b, arena, 8192);
    ms__buf_printf(&b, "%s (", ms_spf_result_name(v->result));
    ms__authres_put_comment(&b, receiver);
    ms__buf_puts(&b, ": ");
    ms__authres_put_comment(&b, ms__buf_str(&story));
    ms__buf_puts(&b, ") receiver=");
    put_value(&b, receiver);
    ms__buf_puts(&b, "; client-ip=");
    put_value(&b, ip);
    ms__buf_puts(&b, "; envelope-from=");
    const char *mf = req->mail_from ? req->mail_from : "";
    size_t mf_len = strlen(mf);
    if (mf_len >= 2 && mf[0] == '<' && mf[mf_len - 1] == '>') {
        mf = ms_arena_strndup(arena, mf + 1, mf_len - 2); /* the path without its brackets */
        if (mf == NULL) {
            return ms_arena_status(arena);
        }
    }
    ms__authres_put_quoted(&b, mf);
    if (req->helo && req->helo[0]) {
        ms__buf_puts(&b, "; helo=");
        put_value(&b, req->helo);
    }
    ms__buf_printf(&b, "; identity=%s", ms_spf_identity_name(v->identity));
    if (v->mechanism) {
        ms__buf_puts(&b, "; mechanism=");
        put_value(&b, v->mechanism);
    }
    if ((v->result == MS_SPF_PERMERROR || v->result == MS_SPF_TEMPERROR) && v->detail) {
        ms__buf_puts(&b, "; problem=");
        ms__authres_put_quoted(&b, v->detail);
    }
    ms__buf_putc(&b, ';');
    return finish(&b, out);
}

ms_status ms_authres_spf_format(const ms_spf_verdict *v, ms_arena *arena, const char **out)
{
    *out = NULL;
    if (v == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    ms__buf b;
    ms__buf_init(&b, arena, 4096);
    ms__buf_printf(&b, "spf=%s", ms_spf_result_name(v->result));
    bool is_helo = v->identity == MS_SPF_IDENTITY_HELO;
    ms__buf story;
    ms__buf_init(&story, arena, 4096);
    put_story(&story, v, v->client_ip ? v->client_ip : "the client");
    ms__buf_puts(&b, " (");
    ms__authres_put_comment(&b, ms__buf_str(&story));
    ms__buf_putc(&b, ')');
    /* RFC 8601 §2.7.2: smtp.mailfrom for the MAIL FROM identity, smtp.helo for HELO. */
    if (is_helo) {
        ms__buf_puts(&b, " smtp.helo=");
        put_value(&b, v->domain ? v->domain : "");
    } else {
        ms__buf_puts(&b, " smtp.mailfrom=");
        put_address(&b, v->sender ? v->sender : "");
    }
    return finish(&b, out);
}
