/* SPDX-License-Identifier: MIT */
/* --store URI, shared by `verify` and the `report` subcommands: sqlite:PATH, a plain path, or
 * postgresql://...; without it a SQLite file in the user's data folder (XDG Base Directory:
 * $XDG_DATA_HOME/mailseal/mailseal.db, $XDG_DATA_HOME defaulting to ~/.local/share). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* mkdir -p, 0700 for what it creates. */
static bool make_dir(const char *path)
{
    char p[4096];
    int n = snprintf(p, sizeof p, "%s", path);
    if (n <= 0 || (size_t)n >= sizeof p) {
        return false;
    }
    for (char *c = p + 1; *c; c++) {
        if (*c == '/') {
            *c = '\0';
            if (mkdir(p, 0700) != 0 && errno != EEXIST) {
                return false;
            }
            *c = '/';
        }
    }
    return mkdir(p, 0700) == 0 || errno == EEXIST;
}

bool cli_store_uri(const char *given, char *buf, size_t len)
{
    if (given != NULL) {
        int n = snprintf(buf, len, "%s", given);
        return n > 0 && (size_t)n < len;
    }
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char dir[4096];
    int n;
    if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(dir, sizeof dir, "%s/mailseal", xdg);
    } else if (home != NULL && home[0] == '/') {
        char share[4096];
        n = snprintf(share, sizeof share, "%s/.local/share", home);
        if (n <= 0 || (size_t)n >= sizeof share) {
            fprintf(stderr, "mailseal: $HOME is too long for the default store\n");
            return false;
        }
        n = snprintf(dir, sizeof dir, "%s/mailseal", share);
    } else {
        fprintf(stderr, "mailseal: neither XDG_DATA_HOME nor HOME is set: give --store URI\n");
        return false;
    }
    if (n <= 0 || (size_t)n >= sizeof dir || !make_dir(dir)) {
        fprintf(stderr, "mailseal: cannot create the store folder %s: give --store URI\n", dir);
        return false;
    }
    n = snprintf(buf, len, "%s/mailseal.db", dir);
    return n > 0 && (size_t)n < len;
}

ms_store *cli_store_open(const char *given)
{
    char uri[4096];
    if (!cli_store_uri(given, uri, sizeof uri)) {
        return NULL;
    }
    ms_store *s = NULL;
    char err[512] = "";
    if (ms_store_open(uri, &s, err, sizeof err) != MS_OK) {
        fprintf(stderr, "mailseal: cannot open the store: %s\n", err);
        return NULL;
    }
    return s;
}
