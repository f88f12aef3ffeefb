/* SPDX-License-Identifier: MIT */
/* Parsed DKIM public keys kept by their key record's p= text, so a busy verifier decodes each
 * key once (RFC 6376 §3.6.1 keys change rarely; the DNS cache keeps the TXT, this keeps the
 * parsed key). Thread-safe; entries are reference-counted keys, evicted oldest first. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "dkim/keycache.h"

typedef struct entry {
    char *p; /* the p= text, folding as published */
    size_t p_len;
    ms__key_type type;
    ms__pubkey *key; /* one reference held by the cache */
    uint64_t hash;
} entry;

struct ms_dkim_key_cache {
    pthread_mutex_t mu;
    entry *entries; /* a ring: next is the slot to fill (the oldest when full) */
    size_t size, n, next;
    uint64_t hits, misses;
};

static uint64_t hash_text(const char *s, size_t len, ms__key_type type)
{
    uint64_t h = 14695981039346656037u ^ (uint64_t)type; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (uint8_t)s[i]) * 1099511628211u;
    }
    return h;
}

ms_status ms_dkim_key_cache_new(size_t max_keys, ms_dkim_key_cache **out)
{
    *out = NULL;
    ms_dkim_key_cache *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return MS_ENOMEM;
    }
    c->size = max_keys ? max_keys : MS_LIMIT_DKIM_KEY_CACHE;
    c->entries = calloc(c->size, sizeof(*c->entries));
    if (c->entries == NULL || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c->entries);
        free(c);
        return MS_ENOMEM;
    }
    *out = c;
    return MS_OK;
}

static void clear(entry *e)
{
    ms__crypto_pubkey_free(e->key);
    free(e->p);
    memset(e, 0, sizeof(*e));
}

void ms_dkim_key_cache_free(ms_dkim_key_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        clear(&c->entries[i]);
    }
    pthread_mutex_destroy(&c->mu);
    free(c->entries);
    free(c);
}

ms_status ms__dkim_key_cache_get(ms_dkim_key_cache *c, ms__key_type type, const char *p, size_t len,
                                 ms__pubkey **out, ms__key_error *err)
{
    *out = NULL;
    uint64_t h = hash_text(p, len, type);
    pthread_mutex_lock(&c->mu);
    /* A linear look through at most MS_LIMIT_DKIM_KEY_CACHE entries: a receiver sees a few
     * hundred signing keys, and a hash compare is cheap next to one RSA verify. */
    for (size_t i = 0; i < c->n; i++) {
        entry *e = &c->entries[i];
        if (e->hash == h && e->type == type && e->p_len == len && memcmp(e->p, p, len) == 0) {
            *out = ms__crypto_pubkey_dup(e->key);
            c->hits++;
            pthread_mutex_unlock(&c->mu);
            return MS_OK;
        }
    }
    c->misses++;
    pthread_mutex_unlock(&c->mu);
    /* Parse outside the lock; a race may parse one key twice, never wrongly. */
    ms__pubkey *key = NULL;
    ms_status st = ms__crypto_pubkey_parse(type, p, len, &key, err);
    if (st != MS_OK) {
        return st;
    }
    char *copy = malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, p, len);
        copy[len] = '\0';
        pthread_mutex_lock(&c->mu);
        entry *e = &c->entries[c->next];
        if (c->n == c->size) {
            clear(e); /* the oldest */
        } else {
            c->n++;
        }
        e->p = copy;
        e->p_len = len;
        e->type = type;
        e->key = ms__crypto_pubkey_dup(key);
        e->hash = h;
        c->next = (c->next + 1) % c->size;
        pthread_mutex_unlock(&c->mu);
    }
    *out = key;
    return MS_OK;
}

void ms_dkim_key_cache_stats(ms_dkim_key_cache *c, uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&c->mu);
    *hits = c->hits;
    *misses = c->misses;
    pthread_mutex_unlock(&c->mu);
}
