/* SPDX-License-Identifier: MIT */
/* `--store URI` for every subcommand that reads or writes the store (report *, verify):
 * sqlite:PATH, a plain path, or postgresql://...; without it, a SQLite file in the user's data
 * folder (XDG Base Directory: $XDG_DATA_HOME, else ~/.local/share)/mailseal/mailseal.db. */
#ifndef MS_CLI_STORE_OPTION_H
#define MS_CLI_STORE_OPTION_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/store.h"

/* For --help texts. */
#define CLI_STORE_HELP                                                                             \
    "  --store URI          sqlite:PATH, a plain PATH or postgresql://... (default: a SQLite\n"    \
    "                       file, $XDG_DATA_HOME/mailseal/mailseal.db, XDG_DATA_HOME being\n"      \
    "                       ~/.local/share when unset)\n"

/* The URI to open: given when not NULL, else the default (its folder created, mode 0700).
 * false with a message on stderr when there is no home to put the default in. */
bool cli_store_uri(const char *given, char *buf, size_t len);

/* Opens the store; NULL with a message on stderr ("mailseal PROG: ...") when it cannot. */
ms_store *cli_store_open(const char *prog, const char *given);

#endif
