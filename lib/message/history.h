/* SPDX-License-Identifier: MIT */
/* Spotting report-carrying mail in a message body as it streams past (lib/message/history.c):
 * MIME part headers naming multipart/report, a TLS report type, or an attachment named like a
 * DMARC or TLS report file (RFC 9990 §3.5.2, RFC 8460 §5.3). Bounded state: one line. */
#ifndef MS_MESSAGE_HISTORY_H
#define MS_MESSAGE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#define MS__REPORT_SCAN_LINE 512u /* bytes of a body line looked at; the rest is ignored */

typedef struct ms__report_scan {
    char line[MS__REPORT_SCAN_LINE];
    size_t len;   /* bytes kept of the current line */
    bool in_mime; /* the previous line was a Content-Type/-Disposition field (folding) */
    bool found;   /* a report was seen */
} ms__report_scan;

/* Feed the next body bytes. */
void ms__report_scan_feed(ms__report_scan *sc, const char *p, size_t n);
/* Does this (unfolded) Content-Type or Content-Disposition value say "a report"? */
bool ms__report_mime_value(const char *v, size_t n);

/* What lib/message/message.c keeps that the row and failure report builders read. */
typedef struct ms_message ms_message;
const char *ms__message_client_ip(const ms_message *m);
const char *ms__message_helo(const ms_message *m);
const char *ms__message_mail_from(const ms_message *m);
const char *ms__message_authserv_id(const ms_message *m);
int ms__message_dmarc_mode(const ms_message *m); /* an ms_dmarc_mode */
bool ms__message_body_has_report(const ms_message *m);

#endif
