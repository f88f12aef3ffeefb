/* SPDX-License-Identifier: MIT */
/* Receiving DMARC and TLS reports into the store, loss-free (issue 7 section 1).
 * A source is a file (.xml, .xml.gz, .zip, .json, .eml: typed by content), a directory (walked;
 * Maildir folders in it are read as such), a Maildir folder (new/ and cur/), an mbox file
 * (split on "From " lines) or an IMAP mailbox (imaps://user@host[:port]/MAILBOX, libcurl).
 * Each item (file, message) is read whole, parsed by ms_report_read(), and stored with its
 * source key in one transaction (ms_store_reports_add); only then is it marked done: a Maildir
 * message moved to cur/ with the Seen flag (":2,S"), an IMAP message flagged
 * $MailsealIngested. An item that cannot be parsed is kept aside with the reason
 * (ms_store_kept_aside_add) and not read again on the next run. Source keys:
 *   file:/abs/path#SHA256   mbox:/abs/path#SHA256-of-the-message
 *   maildir:/abs/folder/UNIQUE   imap://host/mailbox;UIDVALIDITY=v;UID=u */
#ifndef MAILSEAL_INGEST_H
#define MAILSEAL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/status.h"
#include "mailseal/store.h"

typedef enum {
    MS_INGEST_STORED,     /* at least one report of the item was new */
    MS_INGEST_DUPLICATE,  /* every report of the item was stored before */
    MS_INGEST_SEEN,       /* the item was done on an earlier run: nothing read */
    MS_INGEST_KEPT_ASIDE, /* could not be read: kept aside with the reason */
} ms_ingest_outcome;

/* One item done. Strings live only during the callback. */
typedef struct ms_ingest_event {
    const char *item;       /* the path or URL of the item, for people */
    const char *source_key; /* what the store recorded */
    ms_ingest_outcome outcome;
    size_t n_added, n_duplicate; /* reports */
    char reason[320];            /* MS_INGEST_KEPT_ASIDE: why (cut to fit); "" otherwise */
} ms_ingest_event;

typedef struct ms_ingest_stats {
    uint64_t items, stored, duplicate, seen, kept_aside; /* items by outcome */
    uint64_t reports_added, reports_duplicate;
} ms_ingest_stats;

typedef struct ms_ingest_options {
    const char *imap_password; /* IMAP: the password (NULL: none) */
    const char *cacert;        /* IMAP: a PEM file of CAs to trust instead of the system's */
    void (*on_item)(void *user, const ms_ingest_event *event); /* may be NULL */
    void *user;
} ms_ingest_options;

/* Ingests one source (see above), adding to *stats. MS_OK when every item was stored, found
 * done or kept aside; MS_EIO (err says why) when the source cannot be read or the store
 * failed: items done until then stay done, the others are left for the next run. MS_EINVAL for
 * a source that names nothing usable. */
MS_API MS_MUST_CHECK ms_status ms_ingest(ms_store *store, const char *source,
                                         const ms_ingest_options *options, ms_ingest_stats *stats,
                                         char *err, size_t errlen);

/* Ingests one item held in memory under source_key (NULL: not recorded as a source) and fills
 * *event (item = source_key). MS_OK with the outcome, or MS_EIO when the store failed. */
MS_API MS_MUST_CHECK ms_status ms_ingest_item(ms_store *store, const char *source_key,
                                              const uint8_t *data, size_t len,
                                              ms_ingest_event *event, char *err, size_t errlen);

#endif
