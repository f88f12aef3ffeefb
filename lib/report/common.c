/* SPDX-License-Identifier: MIT */
/* Error filling and content typing by magic bytes for the report readers (RPT-07: the type of
 * a payload comes from its bytes, never from its name or declared Content-Type). */
#include <stdio.h>
#include <string.h>

#include "report/internal.h"

ms_status ms__report_fail(ms_report_error *err, ms_status st, size_t offset, const char *reason,
                          const char *detail, size_t detail_len)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
        err->detail[0] = '\0';
        if (detail != NULL) {
            size_t n = detail_len < sizeof(err->detail) - 1 ? detail_len : sizeof(err->detail) - 1;
            for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)detail[i];
                /* keep the detail one printable line */
                err->detail[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
            }
            err->detail[n] = '\0';
        }
    }
    return st;
}

static bool is_field_name_char(unsigned char c)
{
    return c >= 33 && c <= 126 && c != ':';
}

ms__report_magic ms__report_magic_of(const uint8_t *d, size_t len)
{
    if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        return MS__MAGIC_GZIP;
    }
    if (len >= 4 && d[0] == 'P' && d[1] == 'K' &&
        ((d[2] == 3 && d[3] == 4) || (d[2] == 5 && d[3] == 6))) {
        return MS__MAGIC_ZIP;
    }
    if (len >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff))) {
        return MS__MAGIC_XML; /* a UTF-16 byte order mark: only XML is read in UTF-16 */
    }
    size_t i = 0;
    if (len >= 3 && d[0] == 0xef && d[1] == 0xbb && d[2] == 0xbf) {
        i = 3;
    }
    size_t ws = i;
    while (ws < len && ws < 4096 &&
           (d[ws] == ' ' || d[ws] == '\t' || d[ws] == '\r' || d[ws] == '\n')) {
        ws++;
    }
    if (ws < len && d[ws] == '<') {
        return MS__MAGIC_XML;
    }
    if (ws < len && d[ws] == '{') {
        return MS__MAGIC_JSON;
    }
    /* RFC 5322 §2.2: a field name of printable characters, then ':' (mbox "From " lines are
     * allowed first). */
    size_t p = i;
    if (len - p >= 5 && memcmp(d + p, "From ", 5) == 0) {
        const uint8_t *nl = memchr(d + p, '\n', len - p);
        if (nl == NULL) {
            return MS__MAGIC_UNKNOWN;
        }
        p = (size_t)(nl - d) + 1;
    }
    size_t n = 0;
    while (p + n < len && n < 128 && is_field_name_char(d[p + n])) {
        n++;
    }
    if (n > 0 && p + n < len && d[p + n] == ':') {
        return MS__MAGIC_MESSAGE;
    }
    return MS__MAGIC_UNKNOWN;
}
