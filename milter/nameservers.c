/* SPDX-License-Identifier: MIT */
#include "nameservers.h"

#include <stdio.h>
#include <string.h>

int milter_nameserver_spec(const char *item, char *out, size_t size)
{
    const char *at = strchr(item, '@');
    int n;
    if (at == NULL) {
        n = snprintf(out, size, "%s", item);
    } else if (memchr(item, ':', (size_t)(at - item)) != NULL) {
        n = snprintf(out, size, "[%.*s]:%s", (int)(at - item), item, at + 1);
    } else {
        n = snprintf(out, size, "%.*s:%s", (int)(at - item), item, at + 1);
    }
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
