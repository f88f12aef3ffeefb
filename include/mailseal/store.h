/* SPDX-License-Identifier: MIT */
/* The store: where the milter's per-message history (and later, received DMARC reports) lives.
 * One interface, two backends chosen by the URI given to ms_store_open():
 *   "sqlite:PATH" or a plain PATH   a SQLite file (WAL mode, busy_timeout), the default;
 *   "postgresql://..." "postgres://..."  a libpq connection URI, for several MTAs sharing one
 *                                        store.
 * The schema is created and upgraded on open by numbered migrations built into the library,
 * each applied once in its own transaction and recorded in the schema_version table.
 *
 * Thread-safety: an ms_store may be shared by any number of threads; an internal mutex runs
 * one call at a time on its connection. Threads (or processes, or MTAs) that want to write in
 * parallel open one ms_store each: SQLite serialises writers with its lock and a busy timeout
 * (MS_LIMIT_STORE_BUSY_MS), PostgreSQL runs them concurrently. A callback given to
 * ms_store_history_each() must not call the same ms_store (it would wait on itself). */
#ifndef MAILSEAL_STORE_H
#define MAILSEAL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/report.h"
#include "mailseal/status.h"

typedef struct ms_store ms_store;

/* One DKIM signature's verdict (RFC 9990 DKIMAuthResultType). */
typedef struct {
    const char *domain;       /* d= */
    const char *selector;     /* s= */
    const char *result;       /* "none" "pass" "fail" "policy" "neutral" "temperror" "permerror" */
    const char *human_result; /* free text, may be NULL */
} ms_history_dkim;

/* One reason the disposition differs from the published policy (RFC 9990
 * PolicyOverrideReason): type is "local_policy", "mailing_list", "other", ... */
typedef struct {
    const char *type;
    const char *comment; /* may be NULL */
} ms_history_override;

/* One message as the receiver saw it: what an RFC 9990 aggregate report needs. Every string
 * may be NULL (stored as NULL) and is at most MS_LIMIT_STORE_FIELD bytes. Result words are
 * stored as given (the RFC 9990 spellings are expected). */
typedef struct {
    int64_t received;          /* Unix seconds, UTC */
    const char *queue_id;      /* the MTA's queue id */
    const char *source_ip;     /* the connecting client, text form */
    const char *header_from;   /* RFC5322.From domain */
    const char *envelope_from; /* RFC5321.MailFrom domain */
    const char *helo;          /* HELO/EHLO name */
    const char *envelope_to;   /* RFC5321.RcptTo domain (the first) */

    const char *spf_domain; /* the domain SPF checked */
    const char *spf_scope;  /* "mfrom" or "helo" */
    const char *spf_result; /* "none" "neutral" "pass" "fail" "softfail" "temperror" ... */
    const char *spf_human;  /* free text, may be NULL */

    const ms_history_dkim *dkim; /* n_dkim entries, at most MS_LIMIT_STORE_DKIM */
    size_t n_dkim;

    const char *dmarc_result;  /* "pass" "fail" "none" "temperror" "permerror" */
    const char *policy_domain; /* where the DMARC record was found; stored in lower case */
    /* policy_published as evaluated (RFC 9990 PolicyPublishedType; pct from RFC 7489) */
    const char *p, *sp, *np;  /* "none" "quarantine" "reject" */
    const char *adkim, *aspf; /* "r" or "s" */
    const char *fo;           /* as published, e.g. "0:d" */
    const char *testing;      /* "y" or "n" */
    const char *discovery;    /* "psl" or "treewalk" */
    int pct;                  /* 0..100, -1 when not published */

    const char *disposition; /* what was applied: "none" "quarantine" "reject" */
    int dkim_aligned;        /* the reporter's view: 1 aligned pass, 0 not */
    int spf_aligned;
    const ms_history_override *overrides; /* at most MS_LIMIT_STORE_OVERRIDES */
    size_t n_overrides;
    int carries_report; /* 1: the message carried reports (ms_message_carries_report); report
                         * generation skips it: report mail is never itself reported */
} ms_history_row;

/* Opens (creating when needed) the store the URI names and applies pending migrations.
 * On failure *out is NULL and err (when errlen > 0) holds a sentence saying what failed:
 * MS_EINVAL for a bad URI, MS_EIO for a store that cannot be opened or migrated. */
MS_API MS_MUST_CHECK ms_status ms_store_open(const char *uri, ms_store **out, char *err,
                                             size_t errlen);
MS_API void ms_store_close(ms_store *store);

/* "sqlite" or "postgresql". */
MS_API const char *ms_store_backend(const ms_store *store);
/* The highest migration applied (the schema version). */
MS_API int ms_store_schema_version(const ms_store *store);
/* Copies the last error any call on this store met (empty when none) into buf. */
MS_API void ms_store_last_error(ms_store *store, char *buf, size_t len);

/* Stores one message's row with its DKIM and override rows in one transaction, committed
 * (durable) before returning. MS_ELIMIT for a field over its cap (nothing stored),
 * MS_EIO when the store failed. */
MS_API MS_MUST_CHECK ms_status ms_store_history_add(ms_store *store, const ms_history_row *row);

/* Deletes the rows received before older_than (Unix seconds); *n_deleted counts messages. */
MS_API MS_MUST_CHECK ms_status ms_store_history_expire(ms_store *store, int64_t older_than,
                                                       uint64_t *n_deleted);

/* Calls cb once per message whose policy domain is policy_domain (any case) and that was
 * received in [since, until), oldest store order first. The row and its strings live only
 * during the call. cb returns 0 to go on, anything else to stop (the call then returns MS_OK).
 * Memory stays bounded whatever the number of rows (they are read in pages). */
typedef int (*ms_history_cb)(void *user, const ms_history_row *row);
MS_API MS_MUST_CHECK ms_status ms_store_history_each(ms_store *store, const char *policy_domain,
                                                     int64_t since, int64_t until, ms_history_cb cb,
                                                     void *user);

/* ---- received reports (issue 7; migration 0002) ---------------------------------------------
 * Loss-free ingestion: a source (file path, Maildir file, IMAP UIDVALIDITY/UID, ...) is marked
 * done only inside the transaction that stores its reports, so a crash at any point leaves it
 * to be ingested again, and ingesting it again stores nothing twice. */

typedef enum {
    MS_STORE_ADDED,     /* stored now */
    MS_STORE_DUPLICATE, /* the same report was stored before (aggregate: same org_name, case-
                         * insensitive, and report_id; others: same payload digest) */
    MS_STORE_SEEN,      /* the source key was recorded before; nothing read again */
} ms_store_add_result;

/* Has this source key been recorded (stored or kept aside)? */
MS_API MS_MUST_CHECK ms_status ms_store_source_seen(ms_store *store, const char *source_key,
                                                    bool *seen);

/* Stores every report of one source in one transaction together with source_key (may be NULL
 * for sources that cannot be re-read) and commits before returning. results[i] (n entries,
 * may be NULL) says what happened to reports[i]. MS_ELIMIT for a field over its cap, MS_EIO
 * when the store failed: nothing stored then. */
MS_API MS_MUST_CHECK ms_status ms_store_reports_add(ms_store *store, const char *source_key,
                                                    const ms_report *reports, size_t n,
                                                    ms_store_add_result *results);

/* Records a source that could not be read, with the reason and up to MS_LIMIT_STORE_KEPT
 * bytes of it, so it is never dropped silently and is not retried on every run. */
MS_API MS_MUST_CHECK ms_status ms_store_kept_aside_add(ms_store *store, const char *source_key,
                                                       const char *reason, const uint8_t *data,
                                                       size_t len);

/* Selects received reports: policy domain (NULL: all, any case) and the report's date range
 * overlapping [since, until) (Unix seconds; 0 and INT64_MAX for open ends). */
typedef struct ms_store_report_query {
    const char *domain;
    int64_t since, until;
} ms_store_report_query;

/* Calls cb once per aggregate record of the selected reports, oldest report first; meta is the
 * report with records == NULL and n_records == 0. Everything lives only during the call; memory
 * stays bounded (paged). cb returns 0 to go on. */
typedef int (*ms_store_record_cb)(void *user, const ms_report_aggregate *meta,
                                  const ms_report_record *record);
MS_API MS_MUST_CHECK ms_status ms_store_aggregate_each(ms_store *store,
                                                       const ms_store_report_query *q,
                                                       ms_store_record_cb cb, void *user);

typedef int (*ms_store_failure_cb)(void *user, const ms_report_failure *failure);
MS_API MS_MUST_CHECK ms_status ms_store_failure_each(ms_store *store,
                                                     const ms_store_report_query *q,
                                                     ms_store_failure_cb cb, void *user);

typedef int (*ms_store_tlsrpt_cb)(void *user, const ms_tlsrpt_report *report);
MS_API MS_MUST_CHECK ms_status ms_store_tlsrpt_each(ms_store *store, const ms_store_report_query *q,
                                                    ms_store_tlsrpt_cb cb, void *user);

/* Lists the kept-aside sources (newest first): key, reason, when (Unix seconds). */
typedef int (*ms_store_kept_cb)(void *user, const char *source_key, const char *reason,
                                int64_t when);
MS_API MS_MUST_CHECK ms_status ms_store_kept_aside_each(ms_store *store, ms_store_kept_cb cb,
                                                        void *user);

/* The policy domains that have history rows received in [since, until): cb once each, sorted. */
typedef int (*ms_store_domain_cb)(void *user, const char *domain);
MS_API MS_MUST_CHECK ms_status ms_store_history_domains(ms_store *store, int64_t since,
                                                        int64_t until, ms_store_domain_cb cb,
                                                        void *user);

/* ---- sending reports (issue 7 section 3; migration 0003) ------------------------------------
 * What `mailseal report send` did with each (report file, destination) pair, and how each
 * destination address has been failing across runs, so delivery retries with backoff and gives
 * up on an address that keeps failing. */

typedef enum {
    MS_OUTBOX_PENDING, /* to try again at next_attempt */
    MS_OUTBOX_SENT,    /* delivered (accepted by the relay) */
    MS_OUTBOX_SKIPPED, /* never to be sent there: over the destination's size, not authorised */
    MS_OUTBOX_GAVE_UP, /* the destination address was given up */
} ms_outbox_state;

MS_API const char *ms_outbox_state_name(ms_outbox_state state); /* "gave-up" */

typedef struct ms_outbox_entry {
    const char *report_file;   /* the report's file name (RFC 9990 §3.5.2) */
    const char *policy_domain; /* lower case */
    const char *destination;   /* the mailto address */
    ms_outbox_state state;
    unsigned attempts;
    int64_t created, last_attempt, next_attempt; /* Unix seconds; last_attempt 0: never */
    const char *last_error;                      /* may be NULL */
} ms_outbox_entry;

/* The entry for (report_file, destination), its strings in arena; *found false when none. */
MS_API MS_MUST_CHECK ms_status ms_store_outbox_get(ms_store *store, const char *report_file,
                                                   const char *destination, ms_arena *arena,
                                                   ms_outbox_entry *out, bool *found);
/* Creates or replaces the entry for (e->report_file, e->destination), committed. */
MS_API MS_MUST_CHECK ms_status ms_store_outbox_put(ms_store *store, const ms_outbox_entry *e);
/* Every entry, oldest first; strings live only during the call. cb returns 0 to go on. */
typedef int (*ms_store_outbox_cb)(void *user, const ms_outbox_entry *e);
MS_API MS_MUST_CHECK ms_status ms_store_outbox_each(ms_store *store, ms_store_outbox_cb cb,
                                                    void *user);

typedef struct ms_outbox_destination {
    unsigned consecutive_failures;
    int64_t first_failure; /* of the current run of failures; 0 when none */
    int64_t last_failure;
    int64_t gave_up; /* when it was given up; 0 when it was not */
} ms_outbox_destination;

/* The destination's record (all zero when it never failed). */
MS_API MS_MUST_CHECK ms_status ms_store_destination_get(ms_store *store, const char *address,
                                                        ms_outbox_destination *out);
/* Records one delivery attempt to address at now: success clears its failures (and a give-up);
 * a failure counts one more, and gives the address up when it has failed give_up_after times
 * in a row over at least give_up_secs seconds. *out (may be NULL) gets the new record. */
MS_API MS_MUST_CHECK ms_status ms_store_destination_result(ms_store *store, const char *address,
                                                           bool success, int64_t now,
                                                           unsigned give_up_after,
                                                           int64_t give_up_secs,
                                                           ms_outbox_destination *out);

/* ---- failure reports waiting to be sent (RFC 9991; migration 0004) -------------------------
 * The milter (and `mailseal verify --store`) queue each failure report they make; `mailseal
 * report send` mails them to the ruf= addresses of the DMARC record they carry, through the
 * same outbox (report_file "failure-<id>") as aggregate reports. Queuing is rate-limited in
 * the store itself, so every milter process and every MTA sharing a store counts together
 * (RFC 9991 §2: report generators MUST rate-limit; §8.1: the remainder is discarded). */

typedef struct ms_failure_limits {
    unsigned per_domain; /* reports queued per policy domain per window; 0: none at all */
    unsigned total;      /* reports queued per window over all domains; 0: none at all */
    int64_t window_secs; /* the window: fixed intervals of this length (e.g. 3600) */
} ms_failure_limits;

typedef struct ms_failure_out {
    int64_t id;                /* set by the store */
    int64_t created;           /* Unix seconds */
    const char *policy_domain; /* lower case */
    const char *kind;          /* the Auth-Failure: "dmarc" "signature" "bodyhash" "revoked" "spf" */
    const char *record;        /* the DMARC record the report was made for: its ruf= say where */
    const char *message;       /* the report mail, 7-bit text with CRLF, without a To field */
    size_t message_len;        /* at most MS_LIMIT_FAILURE_MESSAGE */
} ms_failure_out;

/* Queues one report at r->created unless a limit of its window is reached: then nothing is
 * queued, the drop is counted and *queued is false. Committed before returning. MS_ELIMIT
 * for a field over its cap, MS_EIO when the store failed. */
MS_API MS_MUST_CHECK ms_status ms_store_failure_out_queue(ms_store *store, const ms_failure_out *r,
                                                          const ms_failure_limits *limits,
                                                          bool *queued);
/* Calls cb once per queued report not yet marked done, oldest first; its strings live only
 * during the call. Paged: memory stays bounded. cb returns 0 to go on. */
typedef int (*ms_store_failure_out_cb)(void *user, const ms_failure_out *r);
MS_API MS_MUST_CHECK ms_status ms_store_failure_out_each(ms_store *store,
                                                         ms_store_failure_out_cb cb, void *user);
/* Marks a report done: every destination was sent, skipped or given up. */
MS_API MS_MUST_CHECK ms_status ms_store_failure_out_done(ms_store *store, int64_t id);
/* Reports queued and dropped by the rate limits in windows starting at or after since. */
MS_API MS_MUST_CHECK ms_status ms_store_failure_out_counts(ms_store *store, int64_t since,
                                                           uint64_t *queued, uint64_t *dropped);
/* Deletes done reports, and rate windows, older than older_than (Unix seconds). */
MS_API MS_MUST_CHECK ms_status ms_store_failure_out_expire(ms_store *store, int64_t older_than,
                                                           uint64_t *n_deleted);

#endif
