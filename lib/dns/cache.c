/* SPDX-License-Identifier: MIT */
/* The answer cache: answers of an inner resolver kept for their TTL (RFC 1035 §3.2.1), negative
 * answers for their negative TTL (RFC 2308 §5), failures never (RFC 2308 §7 allows a short
 * hold; SPF's temperror is better answered afresh). Thread-safe, bounded, one malloc each. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/limits.h"
#include "dns/cache.h"
#include "dns/resolver.h"

#define MAX_STRIPES 16u /* locks; questions spread over them by hash */

/* One answer, flat: the header here, records and every string in data, so one free releases
 * it and a hit is one arena allocation, one memcpy and pointer rebasing. */
typedef struct entry {
    struct entry *next;          /* hash chain */
    struct entry *older, *newer; /* insertion order in the stripe: eviction takes the oldest */
    uint64_t expires_ms;
    uint32_t hash;
    size_t extra; /* bytes used in data */
    ms_dns_answer answer;
    alignas(max_align_t) unsigned char data[];
} entry;

typedef struct stripe {
    pthread_mutex_t mu;
    entry **buckets;
    size_t mask;
    entry *oldest, *newest;
    size_t n, cap;
    char pad[64]; /* keep two stripes' locks off one cache line */
} stripe;

typedef struct cache {
    ms_resolver base;
    ms_resolver *inner; /* borrowed */
    stripe *stripes;
    size_t n_stripes;
    uint64_t (*now_ms)(void *user);
    void *clock_user;
    atomic_ullong hits, misses;
} cache;

static const ms_resolver_ops cache_ops;

static uint64_t monotonic_ms(void *user)
{
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint32_t hash_key(const char *name, uint16_t type)
{
    uint32_t h = 2166136261u; /* FNV-1a, then a final mix so high and low bits both spread */
    for (const char *s = name; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 16777619u;
    }
    h ^= type;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n && p <= SIZE_MAX / 2) {
        p <<= 1;
    }
    return p;
}

ms_status ms_resolver_new_cache(ms_resolver *inner, size_t max_entries, ms_resolver **out)
{
    *out = NULL;
    if (inner == NULL) {
        return MS_EINVAL;
    }
    if (max_entries == 0) {
        max_entries = MS_LIMIT_DNS_CACHE_ENTRIES;
    }
    cache *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return MS_ENOMEM;
    }
    c->n_stripes = MAX_STRIPES;
    while (c->n_stripes > max_entries) {
        c->n_stripes /= 2;
    }
    c->stripes = calloc(c->n_stripes, sizeof(*c->stripes));
    if (c->stripes == NULL) {
        free(c);
        return MS_ENOMEM;
    }
    for (size_t i = 0; i < c->n_stripes; i++) {
        stripe *s = &c->stripes[i];
        s->cap = max_entries / c->n_stripes + (i < max_entries % c->n_stripes ? 1 : 0);
        size_t n_buckets = pow2_at_least(s->cap);
        s->mask = n_buckets - 1;
        s->buckets = calloc(n_buckets, sizeof(*s->buckets));
        if (s->buckets == NULL || pthread_mutex_init(&s->mu, NULL) != 0) {
            free(s->buckets);
            for (size_t j = 0; j < i; j++) {
                pthread_mutex_destroy(&c->stripes[j].mu);
                free(c->stripes[j].buckets);
            }
            free(c->stripes);
            free(c);
            return MS_ENOMEM;
        }
    }
    c->inner = inner;
    c->now_ms = monotonic_ms;
    atomic_init(&c->hits, 0);
    atomic_init(&c->misses, 0);
    ms__resolver_init(&c->base, &cache_ops);
    *out = &c->base;
    return MS_OK;
}

static void cache_destroy(ms_resolver *r)
{
    cache *c = (cache *)r;
    for (size_t i = 0; i < c->n_stripes; i++) {
        stripe *s = &c->stripes[i];
        for (entry *e = s->oldest; e != NULL;) {
            entry *newer = e->newer;
            free(e);
            e = newer;
        }
        free(s->buckets);
        pthread_mutex_destroy(&s->mu);
    }
    free(c->stripes);
    free(c);
}

void ms__cache_set_clock(ms_resolver *r, uint64_t (*now_ms)(void *user), void *user)
{
    if (r != NULL && r->ops == &cache_ops) {
        cache *c = (cache *)r;
        c->now_ms = now_ms ? now_ms : monotonic_ms;
        c->clock_user = user;
    }
}

void ms__cache_stats(const ms_resolver *r, ms_cache_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (r == NULL || r->ops != &cache_ops) {
        return;
    }
    cache *c = (cache *)(uintptr_t)r; /* the locks are taken; the cache is not changed */
    out->hits = atomic_load(&c->hits);
    out->misses = atomic_load(&c->misses);
    for (size_t i = 0; i < c->n_stripes; i++) {
        pthread_mutex_lock(&c->stripes[i].mu);
        out->entries += c->stripes[i].n;
        pthread_mutex_unlock(&c->stripes[i].mu);
    }
}

/* ---- flat copies ---------------------------------------------------------------------- */

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static bool same_name(const ms_dns_answer *a)
{
    return a->canon_name == NULL || a->canon_name == a->qname ||
           strcmp(a->canon_name, a->qname) == 0;
}

/* Bytes flatten() needs after the header. */
static size_t flat_size(const ms_dns_answer *a)
{
    size_t n = a->n_rr * sizeof(ms_dns_rr) + str_size(a->qname) + str_size(a->why);
    if (!same_name(a)) {
        n += str_size(a->canon_name);
    }
    for (size_t i = 0; i < a->n_rr; i++) {
        const ms_dns_rr *rr = &a->rr[i];
        switch (rr->type) {
        case MS_DNS_NS:
        case MS_DNS_CNAME:
        case MS_DNS_PTR:
            n += str_size(rr->u.name);
            break;
        case MS_DNS_MX:
            n += str_size(rr->u.mx.exchange);
            break;
        case MS_DNS_SOA:
            n += str_size(rr->u.soa.mname) + str_size(rr->u.soa.rname);
            break;
        case MS_DNS_TXT:
        case MS_DNS_SPF:
            n += rr->u.txt.len + 1 + rr->u.txt.n_strings;
            break;
        default:
            break;
        }
    }
    return n;
}

static const char *put_str(unsigned char **p, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t len = strlen(s) + 1;
    memcpy(*p, s, len);
    const char *copy = (const char *)*p;
    *p += len;
    return copy;
}

/* Copy src into dst plus buf (flat_size(src) bytes, aligned for records). */
static void flatten(const ms_dns_answer *src, ms_dns_answer *dst, unsigned char *buf)
{
    ms_dns_rr *rr = (ms_dns_rr *)(void *)buf;
    unsigned char *p = buf + src->n_rr * sizeof(ms_dns_rr);
    *dst = *src;
    dst->qname = put_str(&p, src->qname);
    dst->canon_name = same_name(src) ? dst->qname : put_str(&p, src->canon_name);
    dst->why = put_str(&p, src->why);
    dst->rr = src->n_rr ? rr : NULL;
    for (size_t i = 0; i < src->n_rr; i++) {
        rr[i] = src->rr[i];
        switch (rr[i].type) {
        case MS_DNS_NS:
        case MS_DNS_CNAME:
        case MS_DNS_PTR:
            rr[i].u.name = put_str(&p, src->rr[i].u.name);
            break;
        case MS_DNS_MX:
            rr[i].u.mx.exchange = put_str(&p, src->rr[i].u.mx.exchange);
            break;
        case MS_DNS_SOA:
            rr[i].u.soa.mname = put_str(&p, src->rr[i].u.soa.mname);
            rr[i].u.soa.rname = put_str(&p, src->rr[i].u.soa.rname);
            break;
        case MS_DNS_TXT:
        case MS_DNS_SPF: {
            size_t len = src->rr[i].u.txt.len, n = src->rr[i].u.txt.n_strings;
            if (len) {
                memcpy(p, src->rr[i].u.txt.data, len);
            }
            p[len] = '\0';
            rr[i].u.txt.data = (const char *)p;
            p += len + 1;
            if (n) {
                memcpy(p, src->rr[i].u.txt.lens, n);
            }
            rr[i].u.txt.lens = p;
            p += n;
            break;
        }
        default:
            break;
        }
    }
}

/* A pointer into e->data, moved to the same offset in to. */
static const char *rebase(const char *ptr, const entry *e, unsigned char *to)
{
    return ptr ? (const char *)(to + ((const unsigned char *)ptr - e->data)) : NULL;
}

/* The hit path: e's answer into arena, TTLs counted down to what is left. */
static ms_status copy_out(const entry *e, uint64_t now, ms_arena *arena, ms_dns_answer *out)
{
    unsigned char *buf = ms_arena_alloc(arena, e->extra);
    if (buf == NULL) {
        return ms_arena_status(arena);
    }
    memcpy(buf, e->data, e->extra);
    uint32_t left = (uint32_t)((e->expires_ms - now + 999u) / 1000u);
    *out = e->answer;
    out->qname = rebase(e->answer.qname, e, buf);
    out->canon_name = rebase(e->answer.canon_name, e, buf);
    out->why = rebase(e->answer.why, e, buf);
    out->ttl = out->ttl < left ? out->ttl : left;
    if (e->answer.n_rr == 0) {
        out->rr = NULL;
        return MS_OK;
    }
    ms_dns_rr *rr = (ms_dns_rr *)(void *)buf;
    out->rr = rr;
    for (size_t i = 0; i < out->n_rr; i++) {
        rr[i].ttl = rr[i].ttl < left ? rr[i].ttl : left;
        switch (rr[i].type) {
        case MS_DNS_NS:
        case MS_DNS_CNAME:
        case MS_DNS_PTR:
            rr[i].u.name = rebase(rr[i].u.name, e, buf);
            break;
        case MS_DNS_MX:
            rr[i].u.mx.exchange = rebase(rr[i].u.mx.exchange, e, buf);
            break;
        case MS_DNS_SOA:
            rr[i].u.soa.mname = rebase(rr[i].u.soa.mname, e, buf);
            rr[i].u.soa.rname = rebase(rr[i].u.soa.rname, e, buf);
            break;
        case MS_DNS_TXT:
        case MS_DNS_SPF:
            rr[i].u.txt.data = rebase(rr[i].u.txt.data, e, buf);
            rr[i].u.txt.lens = (const uint8_t *)rebase((const char *)rr[i].u.txt.lens, e, buf);
            break;
        default:
            break;
        }
    }
    return MS_OK;
}

/* ---- the table (callers hold s->mu) ----------------------------------------------------- */

static stripe *stripe_of(const cache *c, uint32_t hash)
{
    return &c->stripes[(hash >> 24) & (c->n_stripes - 1)];
}

static entry **find_slot(stripe *s, uint32_t hash, const char *name, uint16_t type)
{
    entry **pp = &s->buckets[hash & s->mask];
    for (; *pp != NULL; pp = &(*pp)->next) {
        const entry *e = *pp;
        if (e->hash == hash && e->answer.qtype == type && strcmp(e->answer.qname, name) == 0) {
            return pp;
        }
    }
    return pp;
}

/* Unlink e (at *pp in its chain) from the stripe; the caller frees it. */
static void unlink_entry(stripe *s, entry **pp)
{
    entry *e = *pp;
    *pp = e->next;
    if (e->older) {
        e->older->newer = e->newer;
    } else {
        s->oldest = e->newer;
    }
    if (e->newer) {
        e->newer->older = e->older;
    } else {
        s->newest = e->older;
    }
    s->n--;
}

static entry **chain_slot(stripe *s, const entry *e)
{
    entry **pp = &s->buckets[e->hash & s->mask];
    while (*pp != e) {
        pp = &(*pp)->next;
    }
    return pp;
}

/* Insert e; returns what it pushed out (replaced or oldest), for freeing after unlocking. */
static entry *insert(stripe *s, entry *e)
{
    entry *gone = NULL;
    entry **pp = find_slot(s, e->hash, e->answer.qname, e->answer.qtype);
    if (*pp != NULL) {
        gone = *pp;
        unlink_entry(s, pp);
    } else if (s->n >= s->cap && s->oldest != NULL) {
        gone = s->oldest;
        unlink_entry(s, chain_slot(s, gone));
    }
    pp = &s->buckets[e->hash & s->mask];
    e->next = *pp;
    *pp = e;
    e->newer = NULL;
    e->older = s->newest;
    if (s->newest) {
        s->newest->newer = e;
    } else {
        s->oldest = e;
    }
    s->newest = e;
    s->n++;
    return gone;
}

/* ---- the resolver ----------------------------------------------------------------------- */

static bool cacheable(const ms_dns_answer *a)
{
    return (a->rcode == MS_DNS_OK || a->rcode == MS_DNS_NXDOMAIN || a->rcode == MS_DNS_NODATA) &&
           !a->is_bogus && a->ttl > 0;
}

static void store(cache *c, const char *name, uint32_t hash, const ms_dns_answer *a)
{
    ms_dns_answer key = *a;
    key.qname = name; /* the key is the question as this cache got it */
    size_t extra = flat_size(&key);
    entry *e = malloc(sizeof(*e) + extra);
    if (e == NULL) {
        return; /* not kept: the next question asks again */
    }
    flatten(&key, &e->answer, e->data);
    e->extra = extra;
    e->hash = hash;
    uint32_t ttl = a->ttl < MS_LIMIT_DNS_CACHE_MAX_TTL ? a->ttl : MS_LIMIT_DNS_CACHE_MAX_TTL;
    e->expires_ms = c->now_ms(c->clock_user) + (uint64_t)ttl * 1000u; /* after the wait */
    stripe *s = stripe_of(c, hash);
    pthread_mutex_lock(&s->mu);
    entry *gone = insert(s, e);
    pthread_mutex_unlock(&s->mu);
    free(gone);
}

static ms_status cache_query(ms_resolver *r, const char *name, uint16_t type, ms_arena *arena,
                             ms_dns_answer *out)
{
    cache *c = (cache *)r;
    uint32_t hash = hash_key(name, type);
    stripe *s = stripe_of(c, hash);
    uint64_t now = c->now_ms(c->clock_user);
    entry *expired = NULL;
    pthread_mutex_lock(&s->mu);
    entry **pp = find_slot(s, hash, name, type);
    if (*pp != NULL) {
        if ((*pp)->expires_ms > now) {
            ms_status st = copy_out(*pp, now, arena, out);
            pthread_mutex_unlock(&s->mu);
            atomic_fetch_add_explicit(&c->hits, 1, memory_order_relaxed);
            return st;
        }
        expired = *pp;
        unlink_entry(s, pp);
    }
    pthread_mutex_unlock(&s->mu);
    free(expired);

    atomic_fetch_add_explicit(&c->misses, 1, memory_order_relaxed);
    const ms_dns_answer *a;
    ms_status st = ms_resolver_query(c->inner, name, type, arena, &a);
    if (st != MS_OK) {
        return st;
    }
    *out = *a;
    if (cacheable(a)) {
        store(c, name, hash, a);
    }
    return MS_OK;
}

static const ms_resolver_ops cache_ops = {"cache", cache_query, cache_destroy};
