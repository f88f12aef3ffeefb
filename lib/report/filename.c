/* SPDX-License-Identifier: MIT */
/* The report file name of RFC 9990 §3.5.2 (the issue calls it §3.1.1 naming):
 *   filename = receiver "!" policy-domain "!" begin-timestamp "!" end-timestamp
 *              [ "!" unique-id ] "." extension
 * receiver and policy-domain are domain names (letters, digits, '-', '.', '_' for names such
 * as _report), unique-id is 1*(ALPHA / DIGIT), extension "xml" or "xml.gz". Anything else is
 * refused (NULL): the name is used as a path component and as a MIME filename parameter, so it
 * must never hold '/', quotes, spaces or line ends. */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "mailseal/report.h"

/* A domain-name as RFC 6376 imports it: labels of letters, digits, '-' (and '_'), dot-separated,
 * none empty, at most 253 bytes. */
static bool domain_ok(const char *d)
{
    size_t n = d ? strnlen(d, 254) : 0;
    if (n == 0 || n > 253) {
        return false;
    }
    size_t label = 0;
    for (size_t k = 0; k < n; k++) {
        char c = d[k];
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
        } else if (ms__is_alnum(c) || c == '-' || c == '_') {
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
    }
    return label > 0;
}

static bool unique_ok(const char *u)
{
    size_t n = strnlen(u, 65);
    if (n == 0 || n > 64) {
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (!ms__is_alnum(u[k])) {
            return false;
        }
    }
    return true;
}

const char *ms_report_filename(const char *receiver, const char *policy_domain, int64_t begin,
                               int64_t end, const char *unique_id, const char *ext, ms_arena *arena)
{
    if (arena == NULL || ext == NULL || !domain_ok(receiver) || !domain_ok(policy_domain) ||
        begin < 0 || end < begin || (unique_id != NULL && !unique_ok(unique_id)) ||
        (strcmp(ext, "xml") != 0 && strcmp(ext, "xml.gz") != 0)) {
        return NULL;
    }
    if (unique_id != NULL) {
        return ms__arena_printf(arena, "%s!%s!%lld!%lld!%s.%s", receiver, policy_domain,
                                (long long)begin, (long long)end, unique_id, ext);
    }
    return ms__arena_printf(arena, "%s!%s!%lld!%lld.%s", receiver, policy_domain, (long long)begin,
                            (long long)end, ext);
}
