/* SPDX-License-Identifier: MIT */
/* Identifier alignment, RFC 9989 §3.2.10 (strict and relaxed), §4.4.1 (DKIM d=), §4.4.2 (the
 * SPF-authenticated domain), §4.10.2 (organizational domains by tree walk); RFC 7489 §3.1 with
 * the Public Suffix List. */
#include <string.h>

#include "base/buf.h"
#include "base/trace.h"
#include "dmarc/align.h"

ms_status ms__dmarc_align(ms__dmarc_walk *w, ms_dmarc_alignment mode, const char *author,
                          const char *author_org, const char *ident, ms__dmarc_alignment *out)
{
    memset(out, 0, sizeof(*out));
    if (ident == NULL) {
        out->why = "no identifier";
        return MS_OK;
    }
    const char *id = NULL, *why = NULL;
    ms_status st = ms__dmarc_domain_norm(ident, w->arena, &id, &why);
    if (st == MS_ESYNTAX) {
        out->why = ms__arena_printf(w->arena,
                                    "\"%.64s\" is not a host name (%s): never aligned "
                                    "(bad-inputs DMARC-26)",
                                    ident, why);
        ms__trace_add(w->trace, MS_TRACE_RULE, 0, "RFC 9989 §3.2.10", w->n_queries, 0, "%s",
                      out->why != NULL ? out->why : "");
        return ms_arena_status(w->arena);
    }
    if (st != MS_OK) {
        return st;
    }
    if (strcmp(id, author) == 0) {
        out->aligned = true;
        out->why = ms__arena_printf(w->arena, "%s is the author domain (%s alignment)", id,
                                    mode == MS_DMARC_ALIGN_STRICT ? "strict" : "relaxed");
        return ms_arena_status(w->arena);
    }
    if (mode == MS_DMARC_ALIGN_STRICT) {
        out->why = ms__arena_printf(w->arena,
                                    "%s is not %s: strict alignment wants the same domain "
                                    "(RFC 9989 §3.2.10.2)",
                                    id, author);
        return ms_arena_status(w->arena);
    }
    const char *org_a = author_org;
    if (org_a == NULL) {
        st = ms__dmarc_org(w, author, &org_a, &why);
        if (st != MS_OK) {
            return st;
        }
        if (org_a == NULL) {
            out->temperror = true;
            out->why = ms__arena_printf(w->arena,
                                        "the organizational domain of %s is unknown: %s "
                                        "(RFC 9989 §4.10.2)",
                                        author, why != NULL ? why : "DNS error");
            return ms_arena_status(w->arena);
        }
    }
    const char *org_i = NULL;
    st = ms__dmarc_org(w, id, &org_i, &why);
    if (st != MS_OK) {
        return st;
    }
    if (org_i == NULL) {
        out->temperror = true;
        out->why = ms__arena_printf(w->arena,
                                    "the organizational domain of %s is unknown: %s "
                                    "(RFC 9989 §4.10.2)",
                                    id, why != NULL ? why : "DNS error");
        return ms_arena_status(w->arena);
    }
    out->aligned = strcmp(org_a, org_i) == 0;
    out->why = ms__arena_printf(w->arena,
                                "%s has the organizational domain %s, %s has %s: %s "
                                "(RFC 9989 §3.2.10.1)",
                                id, org_i, author, org_a, out->aligned ? "aligned" : "not aligned");
    return ms_arena_status(w->arena);
}
