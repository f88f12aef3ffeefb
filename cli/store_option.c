/* SPDX-License-Identifier: MIT */
/* The store a subcommand uses: --store URI, or the XDG default (see store_option.h). */
#include "store_option.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p for the default's folders (only those: a given URI is used as it is). */
static bool make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') {
            continue;
        }
        *p = '\0';
        bool ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok) {
            return false;
        }
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

bool cli_store_uri(const char *given, char *buf, size_t len)
{
    if (given) {
        int n = snprintf(buf, len, "%s", given);
        return n >= 0 && (size_t)n < len;
    }
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char dir[4096];
    int n;
    /* XDG Base Directory: a relative XDG_DATA_HOME is invalid and is ignored. */
    if (xdg && xdg[0] == '/') {
        n = snprintf(dir, sizeof dir, "%s/mailseal", xdg);
    } else if (home && home[0] == '/') {
        n = snprintf(dir, sizeof dir, "%s/.local/share/mailseal", home);
    } else {
        fprintf(stderr, "mailseal: neither XDG_DATA_HOME nor HOME is set: give --store URI\n");
        return false;
    }
    if (n < 0 || (size_t)n >= sizeof dir) {
        fprintf(stderr, "mailseal: the data folder's name is too long: give --store URI\n");
        return false;
    }
    if (!make_dirs(dir)) {
        fprintf(stderr, "mailseal: cannot create %s: %s\n", dir, strerror(errno));
        return false;
    }
    n = snprintf(buf, len, "sqlite:%s/mailseal.db", dir);
    return n >= 0 && (size_t)n < len;
}

ms_store *cli_store_open(const char *prog, const char *given)
{
    char uri[4200];
    if (!cli_store_uri(given, uri, sizeof uri)) {
        return NULL;
    }
    ms_store *store = NULL;
    char err[512] = "";
    if (ms_store_open(uri, &store, err, sizeof err) != MS_OK) {
        fprintf(stderr, "mailseal %s: %s\n", prog, err);
        return NULL;
    }
    return store;
}
