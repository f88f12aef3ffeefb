/* SPDX-License-Identifier: MIT */
/* `mailseal report SUBCOMMAND`: DMARC and TLS reports (issue 7). Each subcommand lives in its
 * own cmd_report_<name>.c; this file is only the table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
    const char *summary;
} report_command;

static const report_command REPORT_COMMANDS[] = {
    {"ingest", cmd_report_ingest, "store received DMARC and TLS reports (files, Maildir, IMAP)"},
    {"summary", cmd_report_summary,
     "who sends as your domain and whether it passes, with what to do (text, JSON, CSV, HTML)"},
    {"generate", cmd_report_generate,
     "aggregate reports (RFC 9990) from the history, one per domain"},
    {"send", cmd_report_send,
     "mail generated reports to rua= addresses, queued failure reports to ruf= addresses"},
    {"kept-aside", cmd_report_kept, "the sources ingest could not read, with the reason"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mailseal report SUBCOMMAND [options]   (--help after it for more)\n\n"
               "subcommands:\n");
    for (size_t i = 0; i < sizeof REPORT_COMMANDS / sizeof REPORT_COMMANDS[0]; i++) {
        fprintf(f, "  %-11s %s\n", REPORT_COMMANDS[i].name, REPORT_COMMANDS[i].summary);
    }
}

int cmd_report(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof REPORT_COMMANDS / sizeof REPORT_COMMANDS[0]; i++) {
        if (strcmp(argv[1], REPORT_COMMANDS[i].name) == 0) {
            return REPORT_COMMANDS[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "mailseal report: unknown subcommand '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
