/* SPDX-License-Identifier: MIT */
/* mailseal: the command table. */
#include <stdio.h>
#include <string.h>

#include "mailseal/mailseal.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("mailseal %s\n", MS_VERSION);
        return 0;
    }
    fprintf(stderr, "usage: mailseal COMMAND ...\n");
    return 2;
}
