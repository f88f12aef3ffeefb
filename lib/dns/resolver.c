/* SPDX-License-Identifier: MIT */
/* The resolver interface: argument checks, counting, and helpers every backend shares. */
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "base/str.h"
#include "dns/resolver.h"

const char *ms_dns_rcode_name(ms_dns_rcode rcode)
{
    switch (rcode) {
#define MS_DNS_RCODE_NAME(name, text)                                                              \
    case MS_DNS_##name:                                                                            \
        return #name;
        MS_DNS_RCODE_MAP(MS_DNS_RCODE_NAME)
#undef MS_DNS_RCODE_NAME
    }
    return "UNKNOWN";
}

const char *ms_dns_rcode_str(ms_dns_rcode rcode)
{
    switch (rcode) {
#define MS_DNS_RCODE_TEXT(name, text)                                                              \
    case MS_DNS_##name:                                                                            \
        return text;
        MS_DNS_RCODE_MAP(MS_DNS_RCODE_TEXT)
#undef MS_DNS_RCODE_TEXT
    }
    return "unknown";
}

const char *ms_dns_type_name(uint16_t type)
{
    switch (type) {
    case MS_DNS_A:
        return "A";
    case MS_DNS_NS:
        return "NS";
    case MS_DNS_CNAME:
        return "CNAME";
    case MS_DNS_SOA:
        return "SOA";
    case MS_DNS_PTR:
        return "PTR";
    case MS_DNS_MX:
        return "MX";
    case MS_DNS_TXT:
        return "TXT";
    case MS_DNS_AAAA:
        return "AAAA";
    case MS_DNS_SPF:
        return "SPF";
    default:
        return "TYPE?";
    }
}

void ms__resolver_init(ms_resolver *r, const ms_resolver_ops *ops)
{
    r->ops = ops;
    atomic_init(&r->n_queries, 0);
}

ms_status ms__dns_name_normalize(const char *name, size_t len, char *out, size_t outlen)
{
    if (len > 0 && name[len - 1] == '.') {
        len--; /* absolute form */
    }
    if (len == 0) {
        return MS_EINVAL; /* the root is never a question here */
    }
    if (len > MS_LIMIT_DNS_NAME || len >= outlen) {
        return MS_EINVAL;
    }
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c == '.') {
            if (label == 0) {
                return MS_EINVAL; /* empty label */
            }
            label = 0;
        } else {
            if (c == '\0' || ++label > MS_LIMIT_DNS_LABEL) {
                return MS_EINVAL;
            }
        }
        out[i] = ms__lower(c);
    }
    out[len] = '\0';
    return MS_OK;
}

ms_status ms_resolver_query(ms_resolver *r, const char *name, uint16_t type, ms_arena *arena,
                            const ms_dns_answer **out)
{
    *out = NULL;
    if (r == NULL || name == NULL || arena == NULL) {
        return MS_EINVAL;
    }
    char norm[MS_LIMIT_DNS_NAME + 1];
    ms_dns_answer *a = ms_arena_alloc(arena, sizeof(*a));
    if (a == NULL) {
        return ms_arena_status(arena);
    }
    memset(a, 0, sizeof(*a));
    a->qtype = type;
    if (ms__dns_name_normalize(name, strlen(name), norm, sizeof(norm)) != MS_OK) {
        /* A name that cannot be sent is not a question; answer it as malformed so callers
         * can keep it apart from the server's word. */
        a->qname = ms_arena_strdup(arena, name);
        a->canon_name = a->qname;
        a->rcode = MS_DNS_MALFORMED;
        a->why = "not a valid domain name";
        if (a->qname == NULL) {
            return ms_arena_status(arena);
        }
        *out = a;
        return MS_OK;
    }
    atomic_fetch_add(&r->n_queries, 1);
    ms_status st = r->ops->query(r, norm, type, arena, a);
    if (st != MS_OK) {
        return st;
    }
    if (a->qname == NULL) {
        a->qname = ms_arena_strdup(arena, norm);
        if (a->qname == NULL) {
            return ms_arena_status(arena);
        }
    }
    if (a->canon_name == NULL) {
        a->canon_name = a->qname;
    }
    *out = a;
    return MS_OK;
}

uint64_t ms_resolver_queries(const ms_resolver *r)
{
    return r ? atomic_load(&r->n_queries) : 0;
}

void ms_resolver_free(ms_resolver *r)
{
    if (r != NULL) {
        r->ops->destroy(r);
    }
}

static char *copy_str(ms_arena *arena, const char *s, int *failed)
{
    if (s == NULL) {
        return NULL;
    }
    char *p = ms_arena_strdup(arena, s);
    if (p == NULL) {
        *failed = 1;
    }
    return p;
}

ms_status ms__dns_rr_copy(const ms_dns_rr *src, ms_arena *arena, ms_dns_rr *dst)
{
    int failed = 0;
    *dst = *src;
    switch (src->type) {
    case MS_DNS_PTR:
    case MS_DNS_CNAME:
    case MS_DNS_NS:
        dst->u.name = copy_str(arena, src->u.name, &failed);
        break;
    case MS_DNS_MX:
        dst->u.mx.exchange = copy_str(arena, src->u.mx.exchange, &failed);
        break;
    case MS_DNS_SOA:
        dst->u.soa.mname = copy_str(arena, src->u.soa.mname, &failed);
        dst->u.soa.rname = copy_str(arena, src->u.soa.rname, &failed);
        break;
    case MS_DNS_TXT:
    case MS_DNS_SPF: {
        char *d = ms_arena_strndup(arena, src->u.txt.data, src->u.txt.len);
        uint8_t *l = ms_arena_alloc(arena, src->u.txt.n_strings + 1);
        if (d == NULL || l == NULL) {
            return ms_arena_status(arena);
        }
        if (src->u.txt.n_strings) {
            memcpy(l, src->u.txt.lens, src->u.txt.n_strings);
        }
        dst->u.txt.data = d;
        dst->u.txt.lens = l;
        break;
    }
    default:
        break;
    }
    return failed ? ms_arena_status(arena) : MS_OK;
}

ms_status ms__dns_answer_copy(const ms_dns_answer *src, ms_arena *arena, ms_dns_answer **out)
{
    int failed = 0;
    ms_dns_answer *a = ms_arena_alloc(arena, sizeof(*a));
    if (a == NULL) {
        return ms_arena_status(arena);
    }
    *a = *src;
    a->qname = copy_str(arena, src->qname, &failed);
    a->canon_name = copy_str(arena, src->canon_name, &failed);
    a->rr = NULL;
    if (src->n_rr) {
        ms_dns_rr *rr = ms_arena_alloc(arena, src->n_rr * sizeof(*rr));
        if (rr == NULL) {
            return ms_arena_status(arena);
        }
        for (size_t i = 0; i < src->n_rr; i++) {
            ms_status st = ms__dns_rr_copy(&src->rr[i], arena, &rr[i]);
            if (st != MS_OK) {
                return st;
            }
        }
        a->rr = rr;
    }
    if (failed) {
        return ms_arena_status(arena);
    }
    *out = a;
    return MS_OK;
}

ms_status ms_dns_reverse_name(const uint8_t *addr, size_t addr_len, char *buf, size_t buflen)
{
    static const char hex[] = "0123456789abcdef";
    size_t pos = 0;
    if (addr_len == 4) {
        int n =
            snprintf(buf, buflen, "%u.%u.%u.%u.in-addr.arpa", addr[3], addr[2], addr[1], addr[0]);
        return (n < 0 || (size_t)n >= buflen) ? MS_ELIMIT : MS_OK;
    }
    if (addr_len != 16) {
        return MS_EINVAL;
    }
    if (buflen < 16 * 4 + sizeof("ip6.arpa")) {
        return MS_ELIMIT;
    }
    for (size_t i = 16; i-- > 0;) {
        buf[pos++] = hex[addr[i] & 0xf];
        buf[pos++] = '.';
        buf[pos++] = hex[addr[i] >> 4];
        buf[pos++] = '.';
    }
    memcpy(buf + pos, "ip6.arpa", sizeof("ip6.arpa"));
    return MS_OK;
}
