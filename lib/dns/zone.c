/* SPDX-License-Identifier: MIT */
/* The offline resolver: an in-memory view of one or more zones, filled from master files
 * (zonefile.c) or record by record (tests), plus scripted faults. Answers follow RFC 1034
 * §4.3.2: CNAMEs are followed (capped), a name with nothing at or below it is NXDOMAIN, an
 * empty non-terminal is NODATA, and wildcards are expanded per RFC 4592 §3.3.1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "dns/resolver.h"
#include "dns/zone.h"

typedef struct node {
    struct node *next; /* hash chain */
    char *name;        /* normalized owner */
    uint32_t hash;
    ms_dns_rr *rrs;
    size_t n_rrs, size_rrs;
} node;

typedef struct fault {
    char *name;
    uint16_t type;
    ms_dns_rcode rcode;
    const char *why;
} fault;

typedef struct zone {
    ms_resolver base;
    ms_arena *arena; /* owns every node, record and string */
    node **buckets;
    size_t n_buckets, n_nodes, n_records;
    fault *faults;
    size_t n_faults, size_faults;
} zone;

static const ms_resolver_ops zone_ops;

int ms__zone_is_zone(const ms_resolver *r)
{
    return r != NULL && r->ops == &zone_ops;
}

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 16777619u;
    }
    return h;
}

static node *find(const zone *z, const char *name)
{
    if (z->n_buckets == 0) {
        return NULL;
    }
    uint32_t h = hash_name(name);
    for (node *n = z->buckets[h & (z->n_buckets - 1)]; n; n = n->next) {
        if (n->hash == h && strcmp(n->name, name) == 0) {
            return n;
        }
    }
    return NULL;
}

static ms_status grow(zone *z)
{
    size_t nb = z->n_buckets ? z->n_buckets * 2 : 256;
    node **b = calloc(nb, sizeof(*b));
    if (b == NULL) {
        return MS_ENOMEM;
    }
    for (size_t i = 0; i < z->n_buckets; i++) {
        node *n = z->buckets[i];
        while (n) {
            node *next = n->next;
            n->next = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
            n = next;
        }
    }
    free(z->buckets);
    z->buckets = b;
    z->n_buckets = nb;
    return MS_OK;
}

static ms_status get_node(zone *z, const char *name, node **out)
{
    node *n = find(z, name);
    if (n) {
        *out = n;
        return MS_OK;
    }
    if (z->n_nodes + 1 > z->n_buckets) {
        ms_status st = grow(z);
        if (st != MS_OK) {
            return st;
        }
    }
    n = ms_arena_alloc(z->arena, sizeof(*n));
    if (n == NULL) {
        return ms_arena_status(z->arena);
    }
    memset(n, 0, sizeof(*n));
    n->name = ms_arena_strdup(z->arena, name);
    if (n->name == NULL) {
        return ms_arena_status(z->arena);
    }
    n->hash = hash_name(name);
    n->next = z->buckets[n->hash & (z->n_buckets - 1)];
    z->buckets[n->hash & (z->n_buckets - 1)] = n;
    z->n_nodes++;
    *out = n;
    return MS_OK;
}

ms_status ms_resolver_new_zone(ms_resolver **out)
{
    *out = NULL;
    zone *z = calloc(1, sizeof(*z));
    if (z == NULL) {
        return MS_ENOMEM;
    }
    ms_status st = ms_arena_new(NULL, (size_t)1 << 30, &z->arena);
    if (st != MS_OK) {
        free(z);
        return st;
    }
    ms__resolver_init(&z->base, &zone_ops);
    *out = &z->base;
    return MS_OK;
}

static void zone_destroy(ms_resolver *r)
{
    zone *z = (zone *)r;
    free(z->buckets);
    free(z->faults);
    ms_arena_free(z->arena);
    free(z);
}

static char *dup_or_fail(zone *z, const char *s, int *failed)
{
    char *p = ms_arena_strdup(z->arena, s ? s : "");
    if (p == NULL) {
        *failed = 1;
    }
    return p;
}

ms_status ms_zone_add(ms_resolver *r, const char *owner, const ms_dns_rr *rr)
{
    if (!ms__zone_is_zone(r) || owner == NULL || rr == NULL) {
        return MS_EINVAL;
    }
    zone *z = (zone *)r;
    if (z->n_records >= MS_LIMIT_ZONE_RECORDS) {
        return MS_ELIMIT;
    }
    char name[MS_LIMIT_DNS_NAME + 1];
    ms_status st = ms__dns_name_normalize(owner, strlen(owner), name, sizeof(name));
    if (st != MS_OK) {
        return st;
    }
    node *n;
    if ((st = get_node(z, name, &n)) != MS_OK) {
        return st;
    }
    /* Every ancestor exists too, as an empty non-terminal unless it has records. */
    for (const char *p = strchr(name, '.'); p; p = strchr(p + 1, '.')) {
        node *anc;
        if ((st = get_node(z, p + 1, &anc)) != MS_OK) {
            return st;
        }
    }
    if (n->n_rrs == n->size_rrs) {
        size_t size = n->size_rrs ? n->size_rrs * 2 : 2;
        ms_dns_rr *rrs = ms_arena_alloc(z->arena, size * sizeof(*rrs));
        if (rrs == NULL) {
            return ms_arena_status(z->arena);
        }
        if (n->n_rrs) {
            memcpy(rrs, n->rrs, n->n_rrs * sizeof(*rrs));
        }
        n->rrs = rrs;
        n->size_rrs = size;
    }
    ms_dns_rr copy = *rr;
    int failed = 0;
    switch (rr->type) {
    case MS_DNS_PTR:
    case MS_DNS_CNAME:
    case MS_DNS_NS:
        copy.u.name = dup_or_fail(z, rr->u.name, &failed);
        break;
    case MS_DNS_MX:
        copy.u.mx.exchange = dup_or_fail(z, rr->u.mx.exchange, &failed);
        break;
    case MS_DNS_SOA:
        copy.u.soa.mname = dup_or_fail(z, rr->u.soa.mname, &failed);
        copy.u.soa.rname = dup_or_fail(z, rr->u.soa.rname, &failed);
        break;
    case MS_DNS_TXT:
    case MS_DNS_SPF: {
        if (rr->u.txt.len > MS_LIMIT_DNS_TXT) {
            return MS_ELIMIT;
        }
        char *d = ms_arena_strndup(z->arena, rr->u.txt.data ? rr->u.txt.data : "", rr->u.txt.len);
        uint8_t *l = ms_arena_alloc(z->arena, rr->u.txt.n_strings + 1);
        if (d == NULL || l == NULL) {
            return ms_arena_status(z->arena);
        }
        if (rr->u.txt.n_strings) {
            memcpy(l, rr->u.txt.lens, rr->u.txt.n_strings);
        }
        copy.u.txt.data = d;
        copy.u.txt.lens = l;
        break;
    }
    default:
        break;
    }
    if (failed) {
        return ms_arena_status(z->arena);
    }
    n->rrs[n->n_rrs++] = copy;
    z->n_records++;
    return MS_OK;
}

ms_status ms_zone_add_fault(ms_resolver *r, const char *name, uint16_t type, ms_dns_rcode rcode,
                            const char *why)
{
    if (!ms__zone_is_zone(r) || name == NULL ||
        (rcode != MS_DNS_TEMPFAIL && rcode != MS_DNS_MALFORMED)) {
        return MS_EINVAL;
    }
    zone *z = (zone *)r;
    char norm[MS_LIMIT_DNS_NAME + 1];
    ms_status st = ms__dns_name_normalize(name, strlen(name), norm, sizeof(norm));
    if (st != MS_OK) {
        return st;
    }
    if (z->n_faults == z->size_faults) {
        size_t size = z->size_faults ? z->size_faults * 2 : 8;
        fault *f = realloc(z->faults, size * sizeof(*f));
        if (f == NULL) {
            return MS_ENOMEM;
        }
        z->faults = f;
        z->size_faults = size;
    }
    fault *f = &z->faults[z->n_faults];
    f->name = ms_arena_strdup(z->arena, norm);
    f->why = ms_arena_strdup(z->arena, why ? why : ms_dns_rcode_str(rcode));
    if (f->name == NULL || f->why == NULL) {
        return ms_arena_status(z->arena);
    }
    f->type = type;
    f->rcode = rcode;
    z->n_faults++;
    return MS_OK;
}

static const fault *find_fault(const zone *z, const char *name, uint16_t type, const node *n)
{
    const fault *any = NULL;
    for (size_t i = 0; i < z->n_faults; i++) {
        const fault *f = &z->faults[i];
        if (strcmp(f->name, name) != 0) {
            continue;
        }
        if (f->type == type) {
            return f;
        }
        if (f->type == 0) {
            any = f;
        }
    }
    if (any && n) {
        for (size_t i = 0; i < n->n_rrs; i++) {
            if (n->rrs[i].type == type) {
                return NULL; /* a record of the asked type wins over a fault for every type */
            }
        }
    }
    return any;
}

/* RFC 4592 §3.3.1: the closest encloser is the longest existing ancestor; the source of
 * synthesis is "*." + closest encloser. */
static const node *wildcard(const zone *z, const char *name)
{
    char buf[MS_LIMIT_DNS_NAME + 3];
    for (const char *p = strchr(name, '.'); p; p = strchr(p + 1, '.')) {
        if (find(z, p + 1) != NULL) {
            size_t len = strlen(p + 1);
            if (len + 2 >= sizeof(buf)) {
                return NULL;
            }
            buf[0] = '*';
            buf[1] = '.';
            memcpy(buf + 2, p + 1, len + 1);
            return find(z, buf);
        }
    }
    return NULL;
}

/* RFC 2308 §5: a negative answer lives min(SOA TTL, SOA MINIMUM) of the enclosing zone; a
 * view without an SOA above the name uses 300 seconds. */
static uint32_t negative_ttl(const zone *z, const char *name)
{
    for (const char *p = name; p != NULL; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        const node *n = find(z, p);
        for (size_t i = 0; n != NULL && i < n->n_rrs; i++) {
            if (n->rrs[i].type == MS_DNS_SOA) {
                uint32_t min = n->rrs[i].u.soa.minimum;
                return n->rrs[i].ttl < min ? n->rrs[i].ttl : min;
            }
        }
    }
    return 300;
}

static ms_status zone_query(ms_resolver *r, const char *qname, uint16_t type, ms_arena *arena,
                            ms_dns_answer *out)
{
    zone *z = (zone *)r;
    const char *name = qname;
    ms_dns_answer a;
    memset(&a, 0, sizeof(a));
    a.qname = qname;
    a.qtype = type;
    for (unsigned hops = 0;; hops++) {
        const node *n = find(z, name);
        const fault *f = find_fault(z, name, type, n);
        if (f != NULL) {
            a.rcode = f->rcode;
            a.why = f->why;
            break;
        }
        if (n == NULL) {
            n = wildcard(z, name);
        }
        if (n == NULL) {
            a.rcode = MS_DNS_NXDOMAIN;
            a.ttl = negative_ttl(z, name);
            break;
        }
        const ms_dns_rr *cname = NULL;
        size_t count = 0;
        for (size_t i = 0; i < n->n_rrs; i++) {
            if (n->rrs[i].type == type) {
                count++;
            } else if (n->rrs[i].type == MS_DNS_CNAME) {
                cname = &n->rrs[i];
            }
        }
        if (count == 0 && cname != NULL && type != MS_DNS_CNAME) {
            if (hops + 1 > MS_LIMIT_DNS_CNAME_CHAIN) {
                a.rcode = MS_DNS_TEMPFAIL;
                a.why = "CNAME chain too long or a CNAME loop (RFC 1034 §3.6.2)";
                break;
            }
            name = cname->u.name;
            a.canon_name = name;
            continue;
        }
        if (count == 0) {
            a.rcode = MS_DNS_NODATA;
            a.ttl = negative_ttl(z, name);
            break;
        }
        /* The records live in the zone: each is copied into arena, strings included. */
        ms_dns_rr *rrs = ms_arena_alloc(arena, count * sizeof(*rrs));
        if (rrs == NULL) {
            return ms_arena_status(arena);
        }
        size_t k = 0;
        uint32_t ttl = UINT32_MAX;
        for (size_t i = 0; i < n->n_rrs; i++) {
            if (n->rrs[i].type == type) {
                ms_status st = ms__dns_rr_copy(&n->rrs[i], arena, &rrs[k++]);
                if (st != MS_OK) {
                    return st;
                }
                if (n->rrs[i].ttl < ttl) {
                    ttl = n->rrs[i].ttl;
                }
            }
        }
        a.rcode = MS_DNS_OK;
        a.rr = rrs;
        a.n_rr = count;
        a.ttl = ttl;
        break;
    }
    /* qname is the caller's (ms_resolver_query copies it); the rest must not point into the
     * zone, which may be freed before the answer's arena. */
    a.qname = NULL;
    if (a.canon_name != NULL && (a.canon_name = ms_arena_strdup(arena, a.canon_name)) == NULL) {
        return ms_arena_status(arena);
    }
    if (a.why != NULL && (a.why = ms_arena_strdup(arena, a.why)) == NULL) {
        return ms_arena_status(arena);
    }
    *out = a;
    return MS_OK;
}

static const ms_resolver_ops zone_ops = {"zone", zone_query, zone_destroy};
