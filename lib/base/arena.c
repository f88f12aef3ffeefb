/* SPDX-License-Identifier: MIT */
/* Bump allocator in growing blocks with a byte cap; one free for everything (nginx pools). */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailseal/arena.h"

#include "base/limits.h"

typedef struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} block;

struct ms_arena {
    ms_allocator alloc;
    block *head; /* current block, newest first */
    size_t cap;  /* bytes that may be handed out */
    size_t used; /* bytes handed out */
    ms_status last;
};

static void *default_alloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void default_release(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

static block *block_new(ms_arena *a, size_t size)
{
    if (size > SIZE_MAX - sizeof(block)) {
        return NULL;
    }
    block *b = a->alloc.alloc(a->alloc.user, sizeof(block) + size);
    if (b == NULL) {
        return NULL;
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

ms_status ms_arena_new(const ms_allocator *allocator, size_t cap_bytes, ms_arena **out)
{
    *out = NULL;
    ms_allocator al = {default_alloc, default_release, NULL};
    if (allocator != NULL) {
        al = *allocator;
    }
    ms_arena *a = al.alloc(al.user, sizeof(*a));
    if (a == NULL) {
        return MS_ENOMEM;
    }
    a->alloc = al;
    a->head = NULL;
    a->cap = cap_bytes ? cap_bytes : MS_LIMIT_ARENA_DEFAULT;
    a->used = 0;
    a->last = MS_OK;
    *out = a;
    return MS_OK;
}

void ms_arena_free(ms_arena *a)
{
    if (a == NULL) {
        return;
    }
    block *b = a->head;
    while (b != NULL) {
        block *next = b->next;
        a->alloc.release(a->alloc.user, b);
        b = next;
    }
    a->alloc.release(a->alloc.user, a);
}

void ms_arena_reset(ms_arena *a)
{
    if (a == NULL || a->head == NULL) {
        return;
    }
    /* Keep the largest block (the newest: blocks double), free the rest: an arena reused for
     * message after message then allocates nothing once it has seen its largest message. */
    block *keep = a->head;
    block *b = keep->next;
    while (b != NULL) {
        block *next = b->next;
        a->alloc.release(a->alloc.user, b);
        b = next;
    }
    keep->next = NULL;
    keep->used = 0;
    a->used = 0;
    a->last = MS_OK;
}

void *ms_arena_alloc(ms_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size == 0) {
        size = 1;
    }
    if (size > a->cap || a->used > a->cap - size) {
        a->last = MS_ELIMIT;
        return NULL;
    }
    size_t rounded = (size + align - 1) & ~(align - 1);
    block *b = a->head;
    if (b == NULL || b->size - b->used < rounded) {
        size_t want = b ? b->size * 2 : MS_LIMIT_ARENA_BLOCK;
        if (want < rounded) {
            want = rounded;
        }
        if (want > a->cap) {
            want = rounded > a->cap ? rounded : a->cap;
        }
        block *nb = block_new(a, want);
        if (nb == NULL) {
            a->last = MS_ENOMEM;
            return NULL;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    a->used += size;
    return p;
}

char *ms_arena_strndup(ms_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX) {
        a->last = MS_ELIMIT;
        return NULL;
    }
    char *p = ms_arena_alloc(a, len + 1);
    if (p == NULL) {
        return NULL;
    }
    if (len) {
        memcpy(p, s, len);
    }
    p[len] = '\0';
    return p;
}

char *ms_arena_strdup(ms_arena *a, const char *s)
{
    return ms_arena_strndup(a, s, strlen(s));
}

ms_status ms_arena_status(const ms_arena *a)
{
    return a->last;
}

size_t ms_arena_used(const ms_arena *a)
{
    return a->used;
}
