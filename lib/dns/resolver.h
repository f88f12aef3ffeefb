/* SPDX-License-Identifier: MIT */
/* The resolver's inside: an ops table every backend fills (unbound, zone, cache). */
#ifndef MS_DNS_RESOLVER_H
#define MS_DNS_RESOLVER_H

#include <stdatomic.h>

#include "mailseal/dns.h"

typedef struct ms_resolver_ops {
    const char *name; /* "unbound", "zone", "cache" */
    /* name is already validated and lowercased, without trailing dot. Produce an answer in
     * arena (MS_OK), or a status when the question could not be asked. */
    ms_status (*query)(ms_resolver *r, const char *name, uint16_t type, ms_arena *arena,
                       ms_dns_answer *out);
    void (*destroy)(ms_resolver *r);
} ms_resolver_ops;

struct ms_resolver {
    const ms_resolver_ops *ops;
    atomic_ullong n_queries;
};

/* Fill the common part; the backend embeds struct ms_resolver first. */
void ms__resolver_init(ms_resolver *r, const ms_resolver_ops *ops);

/* Copy one record, its strings included, into arena. */
ms_status ms__dns_rr_copy(const ms_dns_rr *src, ms_arena *arena, ms_dns_rr *dst);
/* Copy an answer (records and strings) into arena. */
ms_status ms__dns_answer_copy(const ms_dns_answer *src, ms_arena *arena, ms_dns_answer **out);
/* Lowercase, strip one trailing dot, check label and name lengths (RFC 1035 §2.3.4).
 * MS_EINVAL for an empty label or a name that cannot be a domain; out gets at most outlen-1
 * bytes plus NUL. */
ms_status ms__dns_name_normalize(const char *name, size_t len, char *out, size_t outlen);

#endif
