/* SPDX-License-Identifier: MIT */
/* The identity under test: MAIL FROM (with the null reverse-path as postmaster@HELO) or HELO,
 * RFC 7208 §2.3, §2.4, §4.3; internationalised domains become A-labels (RFC 8616 §3). */
#include <idn2.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/str.h"
#include "spf/identity.h"

const char *ms__spf_domain_invalid(const char *d, size_t len)
{
    if (len > 0 && d[len - 1] == '.') {
        len--;
    }
    if (len == 0) {
        return "empty domain (RFC 7208 §4.3)";
    }
    if (d[0] == '[') {
        return "an address literal is not a domain (RFC 7208 §4.3)";
    }
    if (len > MS_LIMIT_DNS_NAME) {
        return "domain longer than 253 octets (RFC 7208 §4.3)";
    }
    size_t label = 0, n_labels = 1;
    for (size_t i = 0; i < len; i++) {
        char c = d[i];
        if (c == '.') {
            if (label == 0) {
                return "empty label in the domain (RFC 7208 §4.3)";
            }
            label = 0;
            n_labels++;
            continue;
        }
        if (!(ms__is_alnum(c) || c == '-' || c == '_')) {
            return "invalid character in the domain (RFC 7208 §4.3, RFC 5321 §4.1.2)";
        }
        if (++label > MS_LIMIT_DNS_LABEL) {
            return "label longer than 63 octets (RFC 7208 §4.3)";
        }
    }
    if (label == 0) {
        return "empty label in the domain (RFC 7208 §4.3)";
    }
    if (n_labels < 2) {
        return "not a multi-label domain name (RFC 7208 §4.3)";
    }
    return NULL;
}

/* RFC 5321 §4.1.2 Local-part = Dot-string / Quoted-string. A local-part holding an unquoted
 * special (RFC 5322 §3.2.3: ( ) < > [ ] : ; @ \\ , ") or a control byte is ambiguous: two
 * parsers may disagree on where the domain starts (Composition Kills A2/A5, CVE-2020-12272),
 * so it is not checked. Spaces are tolerated as the openspf suite's dorky-sentinel case
 * expects; bytes >= 0x80 are allowed for SMTPUTF8 (RFC 6531). */
static bool local_part_valid(const char *s, size_t len)
{
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        for (size_t i = 1; i + 1 < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == '\\') {
                if (++i + 1 >= len) {
                    return false;
                }
                continue;
            }
            if (c == '"' || c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || (c < 0x80 && strchr("()<>[]:;@\\,\"", c) != NULL)) {
            return false;
        }
    }
    return true;
}

const char *ms__spf_target_invalid(const char *name, size_t len)
{
    if (len > 0 && name[len - 1] == '.') {
        len--;
    }
    if (len == 0 || len > MS_LIMIT_DNS_NAME) {
        return "the expanded name is empty or longer than 253 octets (RFC 7208 §7.3)";
    }
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] == '.') {
            if (label == 0) {
                return "empty label in the expanded name (RFC 1035 §2.3.4)";
            }
            label = 0;
        } else if (name[i] == '\0' || ++label > MS_LIMIT_DNS_LABEL) {
            return "label longer than 63 octets in the expanded name (RFC 1035 §2.3.4)";
        }
    }
    return label == 0 ? "empty label in the expanded name (RFC 1035 §2.3.4)" : NULL;
}

static bool has_8bit(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80) {
            return true;
        }
    }
    return false;
}

/* RFC 8616 §3: an SMTPUTF8 domain is looked up in its A-label form. */
static const char *to_alabel(const char *domain, ms_arena *arena)
{
    char *ascii = NULL;
    if (idn2_lookup_u8((const uint8_t *)domain, (uint8_t **)&ascii, IDN2_NONTRANSITIONAL) !=
        IDN2_OK) {
        return NULL;
    }
    const char *copy = ms_arena_strdup(arena, ascii);
    idn2_free(ascii);
    return copy;
}

static ms_status set_domain(ms__spf_identity_parts *out, const char *domain, ms_arena *arena)
{
    out->domain = domain;
    if (has_8bit(domain)) {
        const char *alabel = to_alabel(domain, arena);
        if (alabel == NULL) {
            if (ms_arena_status(arena) != MS_OK) {
                return ms_arena_status(arena);
            }
            out->invalid = "internationalised domain that does not convert to A-labels "
                           "(RFC 8616 §3)";
            return MS_OK;
        }
        out->domain = alabel;
    }
    out->invalid = ms__spf_domain_invalid(out->domain, strlen(out->domain));
    return MS_OK;
}

ms_status ms__spf_identity(const ms_spf_request *req, ms_arena *arena, ms__spf_identity_parts *out)
{
    memset(out, 0, sizeof(*out));
    const char *helo = req->helo ? req->helo : "";
    out->helo = helo;
    const char *mf = req->mail_from ? req->mail_from : "";
    size_t len = strlen(mf);
    if (len >= 2 && mf[0] == '<' && mf[len - 1] == '>') {
        mf++;
        len -= 2;
    }
    bool null_sender = len == 0;
    if (req->identity == MS_SPF_IDENTITY_HELO || null_sender) {
        /* §2.3 HELO identity; §2.4 null reverse-path: both check postmaster@HELO. */
        out->local = "postmaster";
        ms_status st = set_domain(out, helo, arena);
        if (st != MS_OK) {
            return st;
        }
        out->sender = ms__arena_printf(arena, "postmaster@%s", helo);
        return out->sender ? MS_OK : ms_arena_status(arena);
    }
    /* RFC 5321 §4.1.2 source routes ("@a,@b:user@domain") are ignored. */
    if (mf[0] == '@') {
        const char *colon = memchr(mf, ':', len);
        if (colon) {
            len -= (size_t)(colon + 1 - mf);
            mf = colon + 1;
        }
    }
    const char *at = NULL;
    for (size_t i = len; i-- > 0;) {
        if (mf[i] == '@') {
            at = mf + i;
            break;
        }
    }
    const char *domain;
    size_t local_len;
    if (at == NULL) {
        local_len = 0;
        domain = ms_arena_strndup(arena, mf, len);
    } else {
        local_len = (size_t)(at - mf);
        domain = ms_arena_strndup(arena, at + 1, len - local_len - 1);
    }
    if (domain == NULL) {
        return ms_arena_status(arena);
    }
    /* §4.3: no local-part means "postmaster". */
    out->local = local_len ? ms_arena_strndup(arena, mf, local_len) : "postmaster";
    if (out->local == NULL) {
        return ms_arena_status(arena);
    }
    ms_status st = set_domain(out, domain, arena);
    if (st != MS_OK) {
        return st;
    }
    if (local_len > MS_LIMIT_SPF_LOCAL_PART * 4) {
        out->invalid = "local-part too long (RFC 5321 §4.5.3.1.1)";
    } else if (local_len && !local_part_valid(mf, local_len)) {
        out->invalid = "MAIL FROM local-part is not a valid RFC 5321 local-part, so the "
                       "address is ambiguous (RFC 5321 §4.1.2)";
    }
    out->sender = ms__arena_printf(arena, "%s@%s", out->local, domain);
    return out->sender ? MS_OK : ms_arena_status(arena);
}
