/* SPDX-License-Identifier: MIT */
/* The store on SQLite, in a temporary directory: the shared round-trip suite
 * (tests/support/ms_store_suite.h), then what only a file store meets: URIs that name no
 * store, places where no file can be made, a file that is not a database, a schema newer
 * than the library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ms_store_suite.h"
#include "ms_test_util.h"

static char tmp_dir[256];

static void remove_tree(const char *dir)
{
    /* Only files this test made: the databases and their WAL files, one directory level. */
    static const char *const names[] = {
        "store.db",     "store.db-wal", "store.db-shm", "garbage.db",   "newer.db", "newer.db-wal",
        "newer.db-shm", "plain.db",     "plain.db-wal", "plain.db-shm", "a-file",   "ro/x.db"};
    char path[512];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        (void)snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        (void)unlink(path);
    }
    (void)snprintf(path, sizeof path, "%s/ro", dir);
    (void)chmod(path, 0700);
    (void)rmdir(path);
    (void)rmdir(dir);
}

typedef struct {
    const char *name;
    const char *uri;
    ms_status want;
    const char *want_err; /* a part of the message */
} uri_case;

static void expect_open_fails(const char *name, const char *uri, ms_status want,
                              const char *want_err)
{
    ms_store *s = (ms_store *)(uintptr_t)1;
    char err[512] = "";
    ms_status st = ms_store_open(uri, &s, err, sizeof err);
    if (st != want || s != NULL || !strstr(err, want_err)) {
        fail_msg("%s: open(%.60s): got %s handle %s err \"%s\", want %s, no handle, err with "
                 "\"%s\"",
                 name, uri ? uri : "(null)", ms_status_name(st), s ? "set" : "NULL", err,
                 ms_status_name(want), want_err);
    }
}

static void test_bad_uris(void **state)
{
    (void)state;
    static char long_uri[MS_LIMIT_STORE_URI + 16];
    memset(long_uri, 'x', sizeof long_uri - 1);
    long_uri[sizeof long_uri - 1] = '\0';
    const uri_case cases[] = {
        {"null", NULL, MS_EINVAL, "empty URI"},
        {"empty", "", MS_EINVAL, "empty URI"},
        {"sqlite without path", "sqlite:", MS_EINVAL, "without a file path"},
        {"unknown scheme", "mysql://db.example/mail", MS_EINVAL, "unknown scheme 'mysql'"},
        {"sqlite:// relative", "sqlite://relative.db", MS_EINVAL, "absolute path"},
        {"too long", long_uri, MS_EINVAL, "longer than"},
        {"postgres bad option", "postgresql://localhost/db?no_such_option=1", MS_EINVAL,
         "no_such_option"},
        {"missing directory", "sqlite:/nonexistent-mailseal-dir/sub/store.db", MS_EIO,
         "cannot open /nonexistent-mailseal-dir/sub/store.db"},
        /* /proc refuses new files even to root: a read-only place whoever runs the test. */
        {"read-only place", "/proc/mailseal-store-test.db", MS_EIO, "cannot open"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        expect_open_fails(cases[k].name, cases[k].uri, cases[k].want, cases[k].want_err);
    }
}

static void test_unusable_files(void **state)
{
    (void)state;
    char path[512], uri[600];
    /* A path whose parent is a regular file. */
    (void)snprintf(path, sizeof path, "%s/a-file", tmp_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    (void)snprintf(uri, sizeof uri, "sqlite:%s/a-file/store.db", tmp_dir);
    expect_open_fails("parent is a file", uri, MS_EIO, "cannot open");

    /* A file that is not a database. */
    (void)snprintf(path, sizeof path, "%s/garbage.db", tmp_dir);
    f = fopen(path, "w");
    assert_non_null(f);
    for (int k = 0; k < 256; k++) {
        assert_int_equal(fputs("this is not an SQLite database\n", f) >= 0, 1);
    }
    assert_int_equal(fclose(f), 0);
    expect_open_fails("not a database", path, MS_EIO, "not a database");

    /* A read-only directory: only meaningful when not root (root writes anyway). */
    if (geteuid() != 0) {
        (void)snprintf(path, sizeof path, "%s/ro", tmp_dir);
        assert_int_equal(mkdir(path, 0500), 0);
        (void)snprintf(uri, sizeof uri, "%s/ro/x.db", tmp_dir);
        expect_open_fails("read-only directory", uri, MS_EIO, "cannot open");
    }
}

/* A plain path and "sqlite:" name the same file. */
static void test_plain_path(void **state)
{
    (void)state;
    char path[512], uri[600];
    (void)snprintf(path, sizeof path, "%s/plain.db", tmp_dir);
    ms_store *s = NULL;
    char err[512] = "";
    assert_int_equal(ms_store_open(path, &s, err, sizeof err), MS_OK);
    assert_string_equal(ms_store_backend(s), "sqlite");
    ms_history_row r = suite_full_row(1600000000, "plain.example");
    suite_add(s, &r);
    ms_store_close(s);
    (void)snprintf(uri, sizeof uri, "sqlite:%s", path);
    assert_int_equal(ms_store_open(uri, &s, err, sizeof err), MS_OK);
    suite_rows rows = {0};
    suite_query(s, "plain.example", 0, INT64_MAX, &rows);
    if (rows.n != 1) {
        fail_msg("rows through sqlite:PATH: got %zu, want 1", rows.n);
    }
    ms_store_close(s);
}

/* A store migrated by a newer mailseal is refused, not damaged. */
static void test_newer_schema(void **state)
{
    (void)state;
    char path[512];
    (void)snprintf(path, sizeof path, "%s/newer.db", tmp_dir);
    ms_store *s = NULL;
    char err[512] = "";
    assert_int_equal(ms_store_open(path, &s, err, sizeof err), MS_OK);
    ms_store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO schema_version (version, name, applied) "
                                  "VALUES (99, 'future', 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_open_fails("newer schema", path, MS_EIO, "schema is version 99");
}

static int setup(void **state)
{
    (void)state;
    if (!ms_test_tmpdir("ms-store", tmp_dir, sizeof tmp_dir)) {
        return -1;
    }
    (void)snprintf(ms_store_suite_uri, sizeof ms_store_suite_uri, "sqlite:%s/store.db", tmp_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmp_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        MS_STORE_SUITE_TESTS,
        cmocka_unit_test(test_bad_uris),
        cmocka_unit_test(test_unusable_files),
        cmocka_unit_test(test_plain_path),
        cmocka_unit_test(test_newer_schema),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
