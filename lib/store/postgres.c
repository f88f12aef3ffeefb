/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend (libpq): several MTAs share one store. Parameters travel as text;
 * the server infers their types from the statement. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"
#include "store/backend.h"

/* libpq's messages end with a newline; the store's errors are one line. */
static void pg_err(const char *what, const char *msg, char *err, size_t errlen)
{
    if (errlen == 0) {
        return;
    }
    size_t len = msg ? strlen(msg) : 0;
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r')) {
        len--;
    }
    (void)snprintf(err, errlen, "postgresql: %s: %.*s", what, (int)len, msg ? msg : "");
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs ("already exists, skipping") are not errors */
}

ms_status ms__store_postgres_open(const char *conninfo, void **conn, char *err, size_t errlen)
{
    *conn = NULL;
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
    if (!opts) {
        pg_err("bad connection URI", perr ? perr : "out of memory", err, errlen);
        PQfreemem(perr);
        return MS_EINVAL;
    }
    PQconninfoFree(opts);
    PGconn *pg = PQconnectdb(conninfo);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        pg_err("cannot connect", pg ? PQerrorMessage(pg) : "out of memory", err, errlen);
        PQfinish(pg);
        return MS_EIO;
    }
    (void)PQsetNoticeProcessor(pg, pg_quiet, NULL);
    *conn = pg;
    return MS_OK;
}

static ms_status pg_result(PGresult *res, PGconn *pg, char *err, size_t errlen)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        return MS_OK;
    }
    pg_err("statement failed", res ? PQresultErrorMessage(res) : PQerrorMessage(pg), err, errlen);
    return MS_EIO;
}

static ms_status pg_exec(void *conn, const char *sql, char *err, size_t errlen)
{
    PGconn *pg = conn;
    PGresult *res = PQexec(pg, sql);
    ms_status status = pg_result(res, pg, err, errlen);
    PQclear(res);
    return status;
}

static ms_status pg_query(void *conn, const char *sql, const ms__sql_param *params, size_t n,
                          ms__sql_row_cb cb, void *user, char *err, size_t errlen)
{
    PGconn *pg = conn;
    if (n > MS_LIMIT_STORE_PARAMS) {
        pg_err("statement", "too many parameters", err, errlen);
        return MS_ELIMIT;
    }
    char ints[MS_LIMIT_STORE_PARAMS][24];
    const char *values[MS_LIMIT_STORE_PARAMS];
    for (size_t k = 0; k < n; k++) {
        switch (params[k].kind) {
        case MS__SQL_TEXT:
            values[k] = params[k].text;
            break;
        case MS__SQL_INT:
            (void)snprintf(ints[k], sizeof ints[k], "%" PRId64, params[k].i);
            values[k] = ints[k];
            break;
        default:
            values[k] = NULL;
            break;
        }
    }
    PGresult *res = PQexecParams(pg, sql, (int)n, NULL, values, NULL, NULL, 0);
    ms_status status = pg_result(res, pg, err, errlen);
    if (status == MS_OK && cb && PQresultStatus(res) == PGRES_TUPLES_OK) {
        int rows = PQntuples(res);
        int ncols = PQnfields(res);
        if (ncols < 0 || (size_t)ncols > MS_LIMIT_STORE_PARAMS) {
            pg_err("statement", "too many columns", err, errlen);
            status = MS_ELIMIT;
            rows = 0;
        }
        const char *vals[MS_LIMIT_STORE_PARAMS];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < ncols; c++) {
                vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
            }
            if (cb(user, (size_t)ncols, vals) != 0) {
                break;
            }
        }
    }
    PQclear(res);
    return status;
}

static ms_status pg_begin(void *conn, char *err, size_t errlen)
{
    PGconn *pg = conn;
    /* A server restart breaks the connection: try once to get it back before giving up. */
    if (PQstatus(pg) != CONNECTION_OK) {
        PQreset(pg);
    }
    return pg_exec(conn, "BEGIN", err, errlen);
}

static void pg_close(void *conn)
{
    PQfinish(conn);
}

const ms__store_backend ms__store_postgres = {
    .name = "postgresql",
    .postgres = 1,
    /* One migrator at a time across every MTA sharing the database. */
    .lock_sql = "SELECT pg_advisory_xact_lock(7316482910)",
    .exec = pg_exec,
    .query = pg_query,
    .begin = pg_begin,
    .close = pg_close,
};
