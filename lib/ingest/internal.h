/* SPDX-License-Identifier: MIT */
/* What the files of lib/ingest share: one item's ingestion and the event it makes. */
#ifndef MS_INGEST_INTERNAL_H
#define MS_INGEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/ingest.h"

typedef struct ms__ingest_run {
    ms_store *store;
    const ms_ingest_options *opt;
    ms_ingest_stats *stats;
    char *err;
    size_t errlen;
} ms__ingest_run;

/* Counts the event and tells the caller. */
void ms__ingest_report(ms__ingest_run *run, const ms_ingest_event *ev);

/* Reports item, whose key the store has already seen (MS_INGEST_SEEN). */
void ms__ingest_report_seen(ms__ingest_run *run, const char *item, const char *key);

/* Has the store recorded key? MS_EIO (run->err set) when the store failed. */
ms_status ms__ingest_seen(ms__ingest_run *run, const char *key, bool *seen);

/* Ingests data under key, reports the event with item as its name. MS_EIO: store failure. */
ms_status ms__ingest_data(ms__ingest_run *run, const char *item, const char *key,
                          const uint8_t *data, size_t len);

/* Lower-case hex SHA-256 of data into out[65]. */
ms_status ms__ingest_sha256_hex(const uint8_t *data, size_t len, char out[65]);

/* imaps://user@host[:port]/MAILBOX (imap.c). */
ms_status ms__ingest_imap(ms__ingest_run *run, const char *url);

void ms__ingest_err(ms__ingest_run *run, const char *fmt, ...) MS_PRINTF(2, 3);

#endif
