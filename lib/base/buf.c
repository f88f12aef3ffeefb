/* SPDX-License-Identifier: MIT */
/* Capped byte builder in an arena (see buf.h). */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"

void ms__buf_init(ms__buf *b, ms_arena *arena, size_t cap)
{
    b->arena = arena;
    b->data = NULL;
    b->len = 0;
    b->size = 0;
    b->cap = cap;
    b->status = MS_OK;
}

static int reserve(ms__buf *b, size_t extra)
{
    if (b->status != MS_OK) {
        return 0;
    }
    if (extra > b->cap || b->len > b->cap - extra) {
        b->status = MS_ELIMIT;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->size) {
        return 1;
    }
    size_t size = b->size ? b->size * 2 : 64;
    while (size < need) {
        size *= 2;
    }
    if (size > b->cap + 1) {
        size = b->cap + 1;
    }
    char *p = ms_arena_alloc(b->arena, size);
    if (p == NULL) {
        b->status = ms_arena_status(b->arena) == MS_ELIMIT ? MS_ELIMIT : MS_ENOMEM;
        return 0;
    }
    if (b->len) {
        memcpy(p, b->data, b->len);
    }
    b->data = p;
    b->size = size;
    return 1;
}

void ms__buf_append(ms__buf *b, const char *s, size_t len)
{
    if (!reserve(b, len)) {
        return;
    }
    if (len) {
        memcpy(b->data + b->len, s, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
}

void ms__buf_puts(ms__buf *b, const char *s)
{
    ms__buf_append(b, s, strlen(s));
}

void ms__buf_putc(ms__buf *b, char c)
{
    ms__buf_append(b, &c, 1);
}

void ms__buf_vprintf(ms__buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        b->status = MS_EINVAL;
        return;
    }
    if (!reserve(b, (size_t)n)) {
        return;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ms__buf_printf(ms__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ms__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

ms_status ms__buf_status(const ms__buf *b)
{
    return b->status;
}

const char *ms__buf_str(const ms__buf *b)
{
    return (b->data != NULL && b->status == MS_OK) ? b->data : "";
}

char *ms__arena_printf(ms_arena *arena, const char *fmt, ...)
{
    ms__buf b;
    ms__buf_init(&b, arena, 1u << 20);
    va_list ap;
    va_start(ap, fmt);
    ms__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (ms__buf_status(&b) != MS_OK) {
        return NULL;
    }
    return b.data ? b.data : ms_arena_strndup(arena, "", 0);
}
