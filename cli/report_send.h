/* SPDX-License-Identifier: MIT */
/* `mailseal report send`, shared by its files: cmd_report_send.c (the command, report files),
 * report_send_deliver.c (destination checks, the message, SMTP, the outbox state of one
 * report and one destination), report_send_failure.c (the queued failure reports). */
#ifndef MS_CLI_REPORT_SEND_H
#define MS_CLI_REPORT_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define SEND_MAX_FILE (64u * 1024u * 1024u) /* bytes of one report file read */
#define SEND_MAX_RETRY_DELAY 86400          /* the backoff stops doubling at one day */

typedef struct send_args {
    cli_globals g;
    const char *relay, *from, *store;
    unsigned max_dest, give_up_after, give_up_days;
    long long retry_base, now;
    bool list;
} send_args;

typedef struct send_ctx {
    const send_args *a;
    ms_store *store;
    ms_resolver *resolver;
    int64_t now;
    unsigned n_sent, n_failed, n_skipped, n_waiting;
} send_ctx;

typedef struct report_file {
    const char *path, *name; /* name: the base name */
    char receiver[256], domain[256];
    uint8_t *data; /* the file (gzip or XML) */
    size_t len;
    bool gzip;
    char report_id[256]; /* "" when it could not be read */
    /* A queued failure report instead: name is "failure-<id>", domain its policy domain. */
    bool failure;
    const char *message; /* the ARF mail without its To field */
    size_t message_len;
    char key[64];
    char failure_from[320]; /* the report's From address */
} report_file;

/* NULL when addr is one plain local@domain a report may go to, else why not (RFC 6068,
 * bad-inputs RPT-17). */
const char *send_address_refused(const char *addr);
/* Records, once, that f is never to be sent to dest, and says why. */
void send_skip(send_ctx *c, ms_arena *arena, const report_file *f, const char *dest,
               const char *why);
/* One destination of a report: authorised, within the limits, not waiting: mailed, and the
 * outcome kept in the outbox. *taken counts the destinations the report goes to. */
void send_deliver(send_ctx *c, ms_arena *arena, const report_file *f, const ms_dmarc_uri *u,
                  unsigned *taken);
/* ms_store_failure_out_each's callback: one queued failure report to its ruf= addresses. */
int send_failure(void *user, const ms_failure_out *r);

#endif
