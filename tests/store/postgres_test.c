/* SPDX-License-Identifier: MIT */
/* The store on PostgreSQL: the round-trip suite shared with SQLite
 * (tests/support/ms_store_suite.h) against the private server pg_server.sh started, whose
 * URI is in MS_STORE_URI; and a server that is not there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ms_store_suite.h"

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
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend),
        MS_STORE_SUITE_TESTS,
        cmocka_unit_test(test_no_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
