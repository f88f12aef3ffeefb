/* SPDX-License-Identifier: MIT */
/* Names and descriptions of ms_status, generated from MS_STATUS_MAP. */
#include "mailseal/status.h"

const char *ms_status_name(ms_status s)
{
    switch (s) {
#define MS_STATUS_NAME(name, text)                                                                 \
    case MS_##name:                                                                                \
        return "MS_" #name;
        MS_STATUS_MAP(MS_STATUS_NAME)
#undef MS_STATUS_NAME
    }
    return "MS_UNKNOWN";
}

const char *ms_status_str(ms_status s)
{
    switch (s) {
#define MS_STATUS_TEXT(name, text)                                                                 \
    case MS_##name:                                                                                \
        return text;
        MS_STATUS_MAP(MS_STATUS_TEXT)
#undef MS_STATUS_TEXT
    }
    return "unknown status";
}
