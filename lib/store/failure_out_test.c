/* SPDX-License-Identifier: MIT */
/* The failure-report outbox in a SQLite store (a temporary file): the suite shared with
 * PostgreSQL (tests/support/ms_store_failure_suite.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ms_store_failure_suite.h"
#include "ms_test_util.h"

static char tmp_dir[256];

static int setup(void **state)
{
    (void)state;
    if (!ms_test_tmpdir("ms-failure-out", tmp_dir, sizeof tmp_dir)) {
        return -1;
    }
    (void)snprintf(fsuite_uri, sizeof fsuite_uri, "sqlite:%s/store.db", tmp_dir);
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
        MS_STORE_FAILURE_SUITE_TESTS,
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
