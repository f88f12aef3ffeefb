/* SPDX-License-Identifier: MIT */
/* The store handle, shared by the files of lib/store (store.c: opening, migrations, history;
 * reports.c: received reports). Every call takes mu, then works on conn through be. */
#ifndef MS_STORE_IMPL_H
#define MS_STORE_IMPL_H

#include <pthread.h>

#include "store/backend.h"

#define MS__STORE_ERR 512u

struct ms_store {
    pthread_mutex_t mu;
    const ms__store_backend *be;
    void *conn;
    int schema_version;
    char err[MS__STORE_ERR];
};

#endif
