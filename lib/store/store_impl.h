/* SPDX-License-Identifier: MIT */
/* The store handle, shared by the files of lib/store (store.c: opening, migrations, history;
 * reports.c: received reports; failure_out.c: failure reports waiting to be sent). Every call
 * takes mu, then works on conn through be. */
#ifndef MS_STORE_IMPL_H
#define MS_STORE_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/store.h"

#include "store/backend.h"

#define MS__STORE_ERR 512u

/* One caller of ms_store_history_add waiting for its row's commit (group commit, store.c). */
typedef struct history_waiter {
    const ms_history_row *row;
    ms_status st;
    bool done;
    struct history_waiter *next;
} history_waiter;

struct ms_store {
    pthread_mutex_t mu;
    /* Group commit: rows queued by concurrent callers, written by one leader at a time. */
    pthread_mutex_t gc_mu;
    pthread_cond_t gc_cv;
    history_waiter *gc_head, *gc_tail;
    bool gc_leader;
    const ms__store_backend *be;
    void *conn;
    int schema_version;
    char err[MS__STORE_ERR];
};

/* ---- helpers of store.c for the other files of lib/store ---- */

/* Formats a sentence into err (nothing when errlen is 0). */
void ms__store_set_err(char *err, size_t errlen, const char *fmt, ...) MS_PRINTF(3, 4);
/* A statement parameter: text (NULL gives SQL NULL), or an integer. */
ms__sql_param ms__store_text_param(const char *v);
ms__sql_param ms__store_int_param(int64_t v);
/* A whole decimal integer (a column read as text); false for NULL, empty or anything else. */
bool ms__store_parse_i64(const char *s, int64_t *out);
/* A row callback (ms__sql_row_cb) that reads the first column as an integer into *(int64_t *)user,
 * or -1 when it is not one. */
int ms__store_first_i64(void *user, size_t ncols, const char *const *vals);
/* Copies src in lower case (ASCII), at most MS_LIMIT_STORE_FIELD bytes, then a NUL: dst has
 * MS_LIMIT_STORE_FIELD + 1 bytes. */
void ms__store_lower_copy(char *dst, const char *src);
/* Ends the transaction begun with be->begin: COMMIT when st is MS_OK, else ROLLBACK; returns
 * st, or the COMMIT's failure. */
ms_status ms__store_finish(ms_store *s, ms_status st);

#endif
