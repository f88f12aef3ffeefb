/* SPDX-License-Identifier: MIT */
#include "cli.h"
int cmd_report_send(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_USAGE;
}
