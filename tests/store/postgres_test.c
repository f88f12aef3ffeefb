/* SPDX-License-Identifier: MIT */
/* The store on PostgreSQL: the round-trip suite shared with SQLite
 * (tests/support/ms_store_suite.h) against the private server pg_server.sh started, whose
 * URI is in MS_STORE_URI; the received-reports suite (tests/support/
 * ms_store_reports_suite.h); the failure-report outbox suite (tests/support/
 * ms_store_failure_suite.h); and a server that is not there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "ms_store_failure_suite.h"
#include "ms_store_reports_suite.h"
#include "ms_store_suite.h"

/* A trigger makes TLS report inserts fail, so a rolled-back transaction can be seen. */
static void rsuite_break(bool on)
{
    PGconn *pg = PQconnectdb(rsuite_uri);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        fail_msg("connect %s: %s", rsuite_uri, pg ? PQerrorMessage(pg) : "no memory");
    }
    const char *sql =
        on ? "CREATE OR REPLACE FUNCTION ms_test_break() RETURNS trigger LANGUAGE plpgsql AS "
             "$$ BEGIN RAISE EXCEPTION 'broken by the test'; END $$; "
             "CREATE TRIGGER ms_test_break BEFORE INSERT ON report_tlsrpt FOR EACH ROW "
             "EXECUTE FUNCTION ms_test_break()"
           : "DROP TRIGGER ms_test_break ON report_tlsrpt";
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    }
    PQclear(res);
    PQfinish(pg);
}

static void test_backend(void **state)
{
    (void)state;
    ms_store *s = suite_open();
    assert_string_equal(ms_store_backend(s), "postgresql");
    ms_store_close(s);
}

/* No server behind the socket: a clear error, no handle. */
static void test_no_server(void **state)
{
    (void)state;
    ms_store *s = NULL;
    char err[512] = "";
    ms_status st =
        ms_store_open("postgresql:///postgres?host=/nonexistent-mailseal-pg&connect_timeout=2", &s,
                      err, sizeof err);
    if (st != MS_EIO || s || !strstr(err, "cannot connect")) {
        fail_msg("open without a server: got %s err \"%s\", want MS_EIO with \"cannot connect\"",
                 ms_status_name(st), err);
    }
}

int main(void)
{
    const char *uri = getenv("MS_STORE_URI");
    if (!uri || !*uri) {
        fprintf(stderr, "postgres_test: MS_STORE_URI is not set (run through pg_server.sh)\n");
        return 1;
    }
    (void)snprintf(ms_store_suite_uri, sizeof ms_store_suite_uri, "%s", uri);
    (void)snprintf(rsuite_uri, sizeof rsuite_uri, "%s", uri);
    (void)snprintf(fsuite_uri, sizeof fsuite_uri, "%s", uri);
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend),
        MS_STORE_SUITE_TESTS,
        MS_STORE_REPORTS_SUITE_TESTS,
        MS_STORE_FAILURE_SUITE_TESTS,
        cmocka_unit_test(test_no_server),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
