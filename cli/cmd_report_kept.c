/* SPDX-License-Identifier: MIT */
/* `mailseal report kept-aside`: the sources ingest could not read (issue 7 §1: kept aside with
 * the reason, never dropped silently), newest first, so a person can look at them later: the
 * store keeps the reason and the first bytes of each. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "store_option.h"

static const char USAGE[] =
    "usage: mailseal report kept-aside [--store URI]\n"
    "\n"
    "Lists the sources `mailseal report ingest` kept aside because they could not be read\n"
    "(a broken or hostile report, a message without one), newest first: when, the source\n"
    "(file, Maildir message, IMAP mailbox and UID) and why. They are not read again.\n"
    "\n"
    "options:\n" CLI_STORE_HELP "\n"
    "exit status: 0 listed (even when none), 1 the store could not be read, 2 usage error\n";

enum { OPT_STORE = OPT_FIRST_LOCAL };

static int print_kept(void *user, const char *source_key, const char *reason, int64_t when)
{
    unsigned long *n = user;
    char date[32] = "?";
    time_t t = (time_t)when;
    struct tm tm;
    if (gmtime_r(&t, &tm) != NULL) {
        (void)strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
    }
    printf("%s UTC  %s\n    %s\n", date, source_key, reason);
    (*n)++;
    return 0;
}

int cmd_report_kept(int argc, char **argv)
{
    static const struct option LONG[] = {
        {"store", 1, NULL, OPT_STORE},
        {"help", 0, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *store_uri = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (o) {
        case OPT_STORE:
            store_uri = optarg;
            break;
        case 'h':
            fputs(USAGE, stdout);
            return CLI_OK;
        default:
            fputs(USAGE, stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "mailseal: report kept-aside takes no argument\n\n");
        fputs(USAGE, stderr);
        return CLI_USAGE;
    }
    ms_store *store = cli_store_open("report kept-aside", store_uri);
    if (store == NULL) {
        return CLI_FAILED;
    }
    unsigned long n = 0;
    ms_status st = ms_store_kept_aside_each(store, print_kept, &n);
    if (st != MS_OK) {
        char err[512] = "";
        ms_store_last_error(store, err, sizeof err);
        fprintf(stderr, "mailseal: the kept-aside sources could not be read: %s\n",
                err[0] ? err : ms_status_str(st));
    } else {
        printf("%lu source%s kept aside\n", n, n == 1 ? "" : "s");
    }
    ms_store_close(store);
    return st == MS_OK ? CLI_OK : CLI_FAILED;
}
