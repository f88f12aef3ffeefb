/* SPDX-License-Identifier: MIT */
/* Dates on the command line: YYYY-MM-DD, UTC, everywhere (issue 7). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"

bool cli_parse_date(const char *s, int64_t *out)
{
    /* YYYY-MM-DD, UTC midnight. */
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    int v[3] = {0, 0, 0};
    static const int START[3] = {0, 5, 8}, LEN[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++) {
        for (int k = 0; k < LEN[f]; k++) {
            char c = s[START[f] + k];
            if (c < '0' || c > '9') {
                return false;
            }
            v[f] = v[f] * 10 + (c - '0');
        }
    }
    static const int DAYS[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > DAYS[v[1] - 1]) {
        return false;
    }
    bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
    if (v[1] == 2 && v[2] == 29 && !leap) {
        return false;
    }
    /* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    int64_t y = v[0] - (v[1] <= 2);
    int64_t era = y / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (v[1] + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + v[2] - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = (era * 146097 + doe - 719468) * 86400;
    return true;
}
