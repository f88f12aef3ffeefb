/* SPDX-License-Identifier: MIT */
/* Private: the answer cache's hooks for tests (a clock to turn, counters to read). */
#ifndef MS_DNS_CACHE_H
#define MS_DNS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "mailseal/dns.h"

/* Replace the cache's clock (milliseconds, never going back; CLOCK_MONOTONIC by default).
 * Call before the cache is shared between threads. Ignored unless r is a cache. */
void ms__cache_set_clock(ms_resolver *r, uint64_t (*now_ms)(void *user), void *user);

typedef struct ms_cache_stats {
    uint64_t hits;   /* questions answered from the cache */
    uint64_t misses; /* questions passed to the inner resolver */
    size_t entries;  /* answers held now (expired ones included until dropped) */
} ms_cache_stats;

/* Zeroes when r is not a cache. */
void ms__cache_stats(const ms_resolver *r, ms_cache_stats *out);

#endif
