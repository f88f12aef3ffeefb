/* SPDX-License-Identifier: MIT */
/* A capped byte builder that grows inside an arena. Appending past the cap sets the builder's
 * status to MS_ELIMIT and keeps what fitted; callers check ms__buf_status() once at the end. */
#ifndef MS_BASE_BUF_H
#define MS_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"

typedef struct ms__buf {
    ms_arena *arena;
    char *data; /* NUL-terminated while status is MS_OK */
    size_t len;
    size_t size; /* allocated bytes */
    size_t cap;  /* most bytes it may hold */
    ms_status status;
} ms__buf;

void ms__buf_init(ms__buf *b, ms_arena *arena, size_t cap);
void ms__buf_append(ms__buf *b, const char *s, size_t len);
void ms__buf_puts(ms__buf *b, const char *s);
void ms__buf_putc(ms__buf *b, char c);
void ms__buf_printf(ms__buf *b, const char *fmt, ...) MS_PRINTF(2, 3);
void ms__buf_vprintf(ms__buf *b, const char *fmt, va_list ap) MS_PRINTF(2, 0);
/* MS_OK, MS_ELIMIT or MS_ENOMEM. */
ms_status ms__buf_status(const ms__buf *b);
/* The text (never NULL: "" when empty or failed). */
const char *ms__buf_str(const ms__buf *b);

/* Print into the arena: a NUL-terminated copy, NULL on failure. */
char *ms__arena_printf(ms_arena *arena, const char *fmt, ...) MS_PRINTF(2, 3);

#endif
