/* SPDX-License-Identifier: MIT */
/* The store handle, shared by the files of lib/store (store.c: opening, migrations, history;
 * reports.c: received reports). Every call takes mu, then works on conn through be. */
#ifndef MS_STORE_IMPL_H
#define MS_STORE_IMPL_H

#include <pthread.h>
#include <stdbool.h>

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

#endif
