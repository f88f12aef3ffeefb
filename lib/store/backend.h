/* SPDX-License-Identifier: MIT */
/* What lib/store/store.c asks of a database: run a script, run one statement with parameters
 * and read its rows as text, begin a write transaction. sqlite.c and postgres.c implement it.
 * Statements use $1, $2, ... placeholders, valid in both dialects. */
#ifndef MS_STORE_BACKEND_H
#define MS_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "mailseal/status.h"

typedef enum { MS__SQL_NULL, MS__SQL_TEXT, MS__SQL_INT } ms__sql_kind;

typedef struct {
    ms__sql_kind kind;
    const char *text; /* MS__SQL_TEXT */
    int64_t i;        /* MS__SQL_INT */
} ms__sql_param;

/* One result row: vals[k] is column k as text, NULL for SQL NULL. 0 to go on. */
typedef int (*ms__sql_row_cb)(void *user, size_t ncols, const char *const *vals);

typedef struct {
    const char *name;     /* "sqlite", "postgresql" */
    int postgres;         /* picks the migration dialect */
    const char *lock_sql; /* run after BEGIN of a migration (serialises MTAs), or NULL */
    /* A script of statements without parameters. */
    ms_status (*exec)(void *conn, const char *sql, char *err, size_t errlen);
    /* One statement; cb (may be NULL) sees each row. */
    ms_status (*query)(void *conn, const char *sql, const ms__sql_param *params, size_t n,
                       ms__sql_row_cb cb, void *user, char *err, size_t errlen);
    /* Starts a transaction that will write (SQLite takes the write lock now). */
    ms_status (*begin)(void *conn, char *err, size_t errlen);
    void (*close)(void *conn);
} ms__store_backend;

extern const ms__store_backend ms__store_sqlite;
extern const ms__store_backend ms__store_postgres;

/* Opens the connection; MS_EIO with err set when it cannot. */
ms_status ms__store_sqlite_open(const char *path, void **conn, char *err, size_t errlen);
ms_status ms__store_postgres_open(const char *conninfo, void **conn, char *err, size_t errlen);

#endif
