/* SPDX-License-Identifier: MIT */
/* Test stand-in for the `mailseal dkim` dispatcher (cli/cmd_dkim.c) while it is not in the
 * tree: routes `dkim sign` and `dkim keygen` to their commands, as the dispatcher does. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "dkim") == 0) {
        if (strcmp(argv[2], "sign") == 0) {
            return cmd_dkim_sign(argc - 2, argv + 2);
        }
        if (strcmp(argv[2], "keygen") == 0) {
            return cmd_dkim_keygen(argc - 2, argv + 2);
        }
    }
    fputs("usage: mailseal dkim sign|keygen ...\n", stderr);
    return CLI_USAGE;
}
