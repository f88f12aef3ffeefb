/* SPDX-License-Identifier: MIT */
/* Dates on the command line: YYYY-MM-DD, UTC, everywhere (issue 7). One parser for every
 * subcommand: the library's (lib/summary). */
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "mailseal/summary.h"

bool cli_parse_date(const char *s, int64_t *out)
{
    return ms_summary_parse_date(s, out);
}
