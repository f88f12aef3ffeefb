/* SPDX-License-Identifier: MIT */
/* The SQLite backend: one file, WAL journal (readers never block the writer), a busy timeout
 * so writers from other handles or processes wait for the lock instead of failing, foreign
 * keys on, synchronous=FULL so a committed row survives a power loss. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "store/backend.h"

static void sqlite_err(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    if (errlen > 0) {
        (void)snprintf(err, errlen, "sqlite: %s: %s", what, db ? sqlite3_errmsg(db) : "no handle");
    }
}

ms_status ms__store_sqlite_open(const char *path, void **conn, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    *conn = NULL;
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        if (errlen > 0) {
            (void)snprintf(err, errlen, "sqlite: cannot open %s: %s", path,
                           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        }
        sqlite3_close(db);
        return MS_EIO;
    }
    (void)sqlite3_busy_timeout(db, (int)MS_LIMIT_STORE_BUSY_MS);
    char *msg = NULL;
    rc = sqlite3_exec(db,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                      "PRAGMA foreign_keys=ON;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (errlen > 0) {
            (void)snprintf(err, errlen, "sqlite: cannot use %s: %s", path,
                           msg ? msg : sqlite3_errstr(rc));
        }
        sqlite3_free(msg);
        sqlite3_close(db);
        return MS_EIO;
    }
    *conn = db;
    return MS_OK;
}

static ms_status sqlite_exec(void *conn, const char *sql, char *err, size_t errlen)
{
    sqlite3 *db = conn;
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (errlen > 0) {
            (void)snprintf(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
        }
        sqlite3_free(msg);
        return MS_EIO;
    }
    return MS_OK;
}

static ms_status sqlite_query(void *conn, const char *sql, const ms__sql_param *params, size_t n,
                              ms__sql_row_cb cb, void *user, char *err, size_t errlen)
{
    sqlite3 *db = conn;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite_err(db, "prepare", err, errlen);
        return MS_EIO;
    }
    ms_status status = MS_OK;
    for (size_t k = 0; k < n && status == MS_OK; k++) {
        char name[24];
        (void)snprintf(name, sizeof name, "$%zu", k + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (idx == 0) {
            continue; /* a parameter this statement does not use */
        }
        int rc;
        switch (params[k].kind) {
        case MS__SQL_TEXT:
            rc = sqlite3_bind_text(st, idx, params[k].text, -1, SQLITE_STATIC);
            break;
        case MS__SQL_INT:
            rc = sqlite3_bind_int64(st, idx, params[k].i);
            break;
        default:
            rc = sqlite3_bind_null(st, idx);
            break;
        }
        if (rc != SQLITE_OK) {
            sqlite_err(db, "bind", err, errlen);
            status = MS_EIO;
        }
    }
    while (status == MS_OK) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            sqlite_err(db, "step", err, errlen);
            status = MS_EIO;
            break;
        }
        int ncols = sqlite3_column_count(st);
        const char *vals[MS_LIMIT_STORE_PARAMS];
        if (ncols < 0 || (size_t)ncols > MS_LIMIT_STORE_PARAMS) {
            if (errlen > 0) {
                (void)snprintf(err, errlen, "sqlite: %d columns, more than %u", ncols,
                               MS_LIMIT_STORE_PARAMS);
            }
            status = MS_ELIMIT;
            break;
        }
        for (int c = 0; c < ncols; c++) {
            vals[c] = sqlite3_column_type(st, c) == SQLITE_NULL
                          ? NULL
                          : (const char *)sqlite3_column_text(st, c);
        }
        if (cb && cb(user, (size_t)ncols, vals) != 0) {
            break;
        }
    }
    sqlite3_finalize(st);
    return status;
}

static ms_status sqlite_begin(void *conn, char *err, size_t errlen)
{
    /* IMMEDIATE: take the write lock now (waiting up to the busy timeout), so a deferred read
     * lock never has to be upgraded, which SQLite cannot wait for. */
    return sqlite_exec(conn, "BEGIN IMMEDIATE", err, errlen);
}

static void sqlite_close_conn(void *conn)
{
    sqlite3_close(conn);
}

const ms__store_backend ms__store_sqlite = {
    .name = "sqlite",
    .postgres = 0,
    .lock_sql = NULL,
    .exec = sqlite_exec,
    .query = sqlite_query,
    .begin = sqlite_begin,
    .close = sqlite_close_conn,
};
