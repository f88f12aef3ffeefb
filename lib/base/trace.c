/* SPDX-License-Identifier: MIT */
/* The explain trace: an append-only list of steps in an arena. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "base/trace.h"

struct ms_trace {
    ms_arena *arena;
    ms_trace_step *steps;
    size_t n, size;
};

ms_status ms_trace_new(ms_arena *arena, ms_trace **out)
{
    ms_trace *t = ms_arena_alloc(arena, sizeof(*t));
    if (t == NULL) {
        return ms_arena_status(arena);
    }
    memset(t, 0, sizeof(*t));
    t->arena = arena;
    *out = t;
    return MS_OK;
}

size_t ms_trace_count(const ms_trace *t)
{
    return t ? t->n : 0;
}

const ms_trace_step *ms_trace_at(const ms_trace *t, size_t i)
{
    return (t && i < t->n) ? &t->steps[i] : NULL;
}

const char *ms_trace_kind_name(ms_trace_kind kind)
{
    switch (kind) {
#define MS_TRACE_KIND_TEXT(name, text)                                                             \
    case MS_TRACE_##name:                                                                          \
        return text;
        MS_TRACE_KIND_MAP(MS_TRACE_KIND_TEXT)
#undef MS_TRACE_KIND_TEXT
    }
    return "?";
}

void ms__trace_add(ms_trace *t, ms_trace_kind kind, unsigned depth, const char *rfc,
                   unsigned n_lookups, unsigned n_void, const char *fmt, ...)
{
    if (t == NULL || t->n >= MS_LIMIT_TRACE_STEPS) {
        return;
    }
    if (t->n == t->size) {
        size_t size = t->size ? t->size * 2 : 32;
        ms_trace_step *s = ms_arena_alloc(t->arena, size * sizeof(*s));
        if (s == NULL) {
            return;
        }
        if (t->n) {
            memcpy(s, t->steps, t->n * sizeof(*s));
        }
        t->steps = s;
        t->size = size;
    }
    char line[MS_LIMIT_TRACE_LINE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    /* One step is one line: control bytes from DNS data are shown as '?'. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c == 0x7f) {
            line[i] = '?';
        }
    }
    char *text = ms_arena_strndup(t->arena, line, len);
    if (text == NULL) {
        return;
    }
    ms_trace_step *s = &t->steps[t->n++];
    s->kind = kind;
    s->depth = depth;
    s->text = text;
    s->rfc = rfc;
    s->n_lookups = n_lookups;
    s->n_void = n_void;
}
