/* SPDX-License-Identifier: MIT */
/* Library-internal side of the explain trace. */
#ifndef MS_BASE_TRACE_H
#define MS_BASE_TRACE_H

#include "mailseal/trace.h"

/* Add a step; a NULL trace makes this a no-op. Failure to record (cap, memory) is silent by
 * design: a trace is an aid, never a reason for a check to fail. */
void ms__trace_add(ms_trace *trace, ms_trace_kind kind, unsigned depth, const char *rfc,
                   unsigned n_lookups, unsigned n_void, const char *fmt, ...) MS_PRINTF(7, 8);

#endif
