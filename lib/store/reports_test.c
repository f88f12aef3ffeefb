/* SPDX-License-Identifier: MIT */
/* Received reports in a SQLite store (a temporary file): the suite shared with PostgreSQL
 * (tests/support/ms_store_reports_suite.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ms_store_reports_suite.h"
#include "ms_test_util.h"

static char tmp_dir[256];
static char db_path[512];

/* A trigger in the database itself (another connection) makes TLS report inserts fail. */
static void rsuite_break(bool on)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    const char *sql = on ? "CREATE TRIGGER ms_test_break BEFORE INSERT ON report_tlsrpt BEGIN "
                           "SELECT RAISE(ABORT, 'broken by the test'); END"
                         : "DROP TRIGGER ms_test_break";
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s: %s", sql, msg ? msg : "?");
    }
    sqlite3_close(db);
}

static int setup(void **state)
{
    (void)state;
    if (!ms_test_tmpdir("ms-reports", tmp_dir, sizeof tmp_dir)) {
        return -1;
    }
    (void)snprintf(db_path, sizeof db_path, "%s/store.db", tmp_dir);
    (void)snprintf(rsuite_uri, sizeof rsuite_uri, "sqlite:%s", db_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ms_test_remove_store_dir(tmp_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MS_STORE_REPORTS_SUITE_TESTS,
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
