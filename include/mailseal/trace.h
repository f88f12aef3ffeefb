/* SPDX-License-Identifier: MIT */
/* The explain trace: every verdict can say which records it found where, which terms it
 * evaluated, and which rule decided, with the RFC section. `--explain` prints it in words,
 * `--json` as data. A trace lives in an arena and is optional everywhere (NULL = no trace). */
#ifndef MAILSEAL_TRACE_H
#define MAILSEAL_TRACE_H

#include <stddef.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"

#define MS_TRACE_KIND_MAP(X)                                                                       \
    X(QUERY, "query")   /* a DNS question asked */                                                 \
    X(ANSWER, "answer") /* what came back */                                                       \
    X(RECORD, "record") /* a policy record found and parsed */                                     \
    X(TERM, "term")     /* a term (mechanism, modifier, tag) evaluated */                          \
    X(RULE, "rule")     /* the rule that decided, with its RFC section */                          \
    X(NOTE, "note")     /* anything else worth telling */

typedef enum {
#define MS_TRACE_KIND_ENUM(name, text) MS_TRACE_##name,
    MS_TRACE_KIND_MAP(MS_TRACE_KIND_ENUM)
#undef MS_TRACE_KIND_ENUM
} ms_trace_kind;

typedef struct ms_trace_step {
    ms_trace_kind kind;
    unsigned depth;     /* include/redirect nesting, 0 at the top */
    const char *text;   /* one line, plain words */
    const char *rfc;    /* "RFC 7208 §4.6.4" or NULL */
    unsigned n_lookups; /* running DNS-querying-term count when the step was taken */
    unsigned n_void;    /* running void-lookup count */
} ms_trace_step;

typedef struct ms_trace ms_trace;

/* The trace and its steps live in arena. */
MS_API MS_MUST_CHECK ms_status ms_trace_new(ms_arena *arena, ms_trace **out);
MS_API size_t ms_trace_count(const ms_trace *trace);
MS_API const ms_trace_step *ms_trace_at(const ms_trace *trace, size_t index);
MS_API const char *ms_trace_kind_name(ms_trace_kind kind);

#endif
