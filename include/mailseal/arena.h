/* SPDX-License-Identifier: MIT */
/* Arenas: everything parsed for one message or one check lives in one arena and dies with it
 * (nginx pools). Every arena has a byte cap; reaching it is MS_ELIMIT, never a truncation. */
#ifndef MAILSEAL_ARENA_H
#define MAILSEAL_ARENA_H

#include <stddef.h>

#include "mailseal/api.h"
#include "mailseal/status.h"

/* Where arena blocks come from. Tests install one that fails the Nth call (curl's torture
 * mode); NULL everywhere means malloc/free. */
typedef struct ms_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*release)(void *user, void *ptr);
    void *user;
} ms_allocator;

typedef struct ms_arena ms_arena;

/* cap_bytes 0 means MS_LIMIT_ARENA_DEFAULT (lib/base/limits.h). The arena owns its blocks. */
MS_API MS_MUST_CHECK ms_status ms_arena_new(const ms_allocator *allocator, size_t cap_bytes,
                                            ms_arena **out);
/* Accepts NULL. */
MS_API void ms_arena_free(ms_arena *arena);
/* Forget everything allocated, keep the first block for reuse. */
MS_API void ms_arena_reset(ms_arena *arena);
/* Aligned for any type. NULL when the cap is reached or the allocator fails; the arena then
 * remembers which (ms_arena_status) so callers can report MS_ELIMIT or MS_ENOMEM. */
MS_API void *ms_arena_alloc(ms_arena *arena, size_t size);
/* Copies len bytes and adds a NUL. */
MS_API char *ms_arena_strndup(ms_arena *arena, const char *s, size_t len);
MS_API char *ms_arena_strdup(ms_arena *arena, const char *s);
/* MS_OK, or the reason of the last failed allocation. */
MS_API ms_status ms_arena_status(const ms_arena *arena);
/* Bytes handed out so far (for tests and limits). */
MS_API size_t ms_arena_used(const ms_arena *arena);

#endif
