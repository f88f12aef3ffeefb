/* SPDX-License-Identifier: MIT */
/* `mailseal-milter --check-config -c FILE` (issue 6 §2): the command line and the config
 * check. Kept apart from main.c, which only dispatches. */
#ifndef MAILSEAL_MILTER_CHECK_CONFIG_H
#define MAILSEAL_MILTER_CHECK_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

/* Exit codes (also in --help and mailseal-milter(8)). */
enum {
    MILTER_EXIT_OK = 0,      /* the daemon ended normally; --check-config: the config is valid */
    MILTER_EXIT_FAILURE = 1, /* the daemon could not start; --check-config: a problem found */
    MILTER_EXIT_USAGE = 2,   /* bad command line */
};

typedef struct milter_args {
    const char *conf_path;
    bool check_config; /* --check-config / -n */
    bool strict;       /* --strict: a DNS lookup that cannot confirm a key is an error */
    bool foreground;   /* -f: accepted for OpenDKIM's command line; the daemon never forks */
    bool help;
} milter_args;

/* Parse the command line. false: a usage error, already explained on stderr. */
bool milter_parse_args(int argc, char **argv, milter_args *out);
void milter_usage(FILE *f);

/* Check the config at path and everything it names, printing one line per problem
 * ("error: ..." / "warning: ...") and a summary to out. MILTER_EXIT_OK when nothing but
 * warnings was found, else MILTER_EXIT_FAILURE. */
int milter_check_config(const char *path, bool strict, FILE *out);

#endif
