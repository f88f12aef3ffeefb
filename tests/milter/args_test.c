/* SPDX-License-Identifier: MIT */
/* mailseal-milter's command line (milter/check_config.c): -c, -f, --check-config / -n,
 * --strict, --help; usage errors refused (exit code 2 in main). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check_config.h"

typedef struct args_case {
    const char *name;
    const char *argv[6]; /* after the program name, NULL-terminated */
    bool ok;
    const char *conf;
    bool check, strict, foreground, help;
} args_case;

static const args_case CASES[] = {
    {"daemon", {"-c", "/e/m.conf", NULL}, true, "/e/m.conf", false, false, false, false},
    {"foreground", {"-f", "-c", "/e/m.conf", NULL}, true, "/e/m.conf", false, false, true, false},
    {"check", {"--check-config", "-c", "x", NULL}, true, "x", true, false, false, false},
    {"check -n", {"-n", "-c", "x", NULL}, true, "x", true, false, false, false},
    {"check strict",
     {"-c", "x", "--check-config", "--strict", NULL},
     true,
     "x",
     true,
     true,
     false,
     false},
    {"help", {"--help", NULL}, true, NULL, false, false, false, true},
    {"help -h after -c", {"-c", "x", "-h", NULL}, true, "x", false, false, false, true},
    {"no -c", {"-f", NULL}, false, NULL, false, false, false, false},
    {"-c without a file", {"-c", NULL}, false, NULL, false, false, false, false},
    {"unknown option", {"-c", "x", "-x", NULL}, false, NULL, false, false, false, false},
    {"strict without check",
     {"-c", "x", "--strict", NULL},
     false,
     NULL,
     false,
     false,
     false,
     false},
};

static void test_args(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const args_case *c = &CASES[i];
        char *argv[8] = {"mailseal-milter"};
        int argc = 1;
        for (size_t k = 0; c->argv[k] != NULL; k++) {
            argv[argc++] = (char *)(uintptr_t)c->argv[k];
        }
        milter_args a;
        bool ok = milter_parse_args(argc, argv, &a);
        if (ok != c->ok) {
            print_message("%s: got ok=%d, want %d\n", c->name, ok, c->ok);
            failures++;
            continue;
        }
        if (!ok) {
            continue;
        }
        bool conf_ok = c->conf == NULL ? a.conf_path == NULL
                                       : a.conf_path != NULL && strcmp(a.conf_path, c->conf) == 0;
        if (!conf_ok || a.check_config != c->check || a.strict != c->strict ||
            a.foreground != c->foreground || a.help != c->help) {
            print_message("%s: got conf=%s check=%d strict=%d f=%d help=%d, want conf=%s "
                          "check=%d strict=%d f=%d help=%d\n",
                          c->name, a.conf_path ? a.conf_path : "-", a.check_config, a.strict,
                          a.foreground, a.help, c->conf ? c->conf : "-", c->check, c->strict,
                          c->foreground, c->help);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
