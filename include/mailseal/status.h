/* SPDX-License-Identifier: MIT */
/* Status codes: "the operation could not run". Verdicts (pass, fail, ...) are values, never
 * statuses: a check that ran returns MS_OK with its verdict (design.md section 4). */
#ifndef MAILSEAL_STATUS_H
#define MAILSEAL_STATUS_H

#include "mailseal/api.h"

/* X(NAME, description): one list generates the enum, ms_status_name() and ms_status_str(). */
#define MS_STATUS_MAP(X)                                                                           \
    X(OK, "success")                                                                               \
    X(ENOMEM, "out of memory")                                                                     \
    X(EINVAL, "invalid argument")                                                                  \
    X(ELIMIT, "a configured limit was reached")                                                    \
    X(ESYNTAX, "syntax error")                                                                     \
    X(EIO, "input/output error")                                                                   \
    X(ENOTFOUND, "not found")                                                                      \
    X(EDNS, "the DNS resolver could not be set up")                                                \
    X(EUNSUPPORTED, "not supported")

typedef enum {
#define MS_STATUS_ENUM(name, text) MS_##name,
    MS_STATUS_MAP(MS_STATUS_ENUM)
#undef MS_STATUS_ENUM
} ms_status;

/* "MS_ELIMIT" */
MS_API const char *ms_status_name(ms_status s);
/* "a configured limit was reached" */
MS_API const char *ms_status_str(ms_status s);

#endif
