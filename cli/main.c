/* SPDX-License-Identifier: MIT */
/* mailseal: the command table. Each subcommand lives in its own cmd_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command COMMANDS[] = {
    {"spf", cmd_spf, "check whether an IP may send for a domain (SPF, RFC 7208)"},
    {"check", cmd_check, "audit a sending domain's SPF, DKIM and DMARC and say what to fix"},
    {"dkim", cmd_dkim, "verify and sign with DKIM, make keys (RFC 6376, 8301, 8463)"},
    {"dmarc", cmd_dmarc, "show the DMARC policy that applies to a domain (RFC 9989)"},
    {"verify", cmd_verify, "the receiver's verdict on a message: SPF, DKIM, DMARC, explained"},
    {"report", cmd_report, "DMARC and TLS reports: receive them into the store, summarise them"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mailseal COMMAND [options]   (mailseal COMMAND --help for more)\n\n"
               "Email authentication: SPF, DKIM, DMARC.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++) {
        fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    }
    fprintf(f, "\n" CLI_GLOBAL_HELP);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mailseal %s\n", MS_VERSION);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(COMMANDS) / sizeof(COMMANDS[0]); i++) {
        if (strcmp(argv[1], COMMANDS[i].name) == 0) {
            return COMMANDS[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "mailseal: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
