/* SPDX-License-Identifier: MIT */
/* The receiver's verdict for one message, fed as the mail stream arrives (design.md section 1):
 * connect (client IP, HELO), envelope (MAIL FROM), the message bytes (header fields, then the
 * body, in chunks of any size), end. At the end SPF, DKIM and DMARC have run and the
 * Authentication-Results field is ready. The CLI feeds a file through these calls; the milter
 * maps its callbacks onto them one to one. */
#ifndef MAILSEAL_MESSAGE_H
#define MAILSEAL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/dkim.h"
#include "mailseal/dmarc.h"
#include "mailseal/dns.h"
#include "mailseal/msg.h"
#include "mailseal/spf.h"
#include "mailseal/status.h"
#include "mailseal/store.h"
#include "mailseal/trace.h"

typedef struct ms_message_options {
    const char *authserv_id;     /* required: this receiver's name in Authentication-Results */
    bool check_helo;             /* also check the HELO identity (RFC 7208 §2.3) on its own */
    const char *receiver;        /* SPF %{r}; NULL: authserv_id */
    ms_spf_options spf;          /* defaults from ms_spf_options_default */
    ms_dkim_verify_options dkim; /* defaults from ms_dkim_verify_options_default */
    ms_dmarc_options dmarc;      /* defaults from ms_dmarc_options_default */
    ms_msg_options msg;          /* defaults from ms_msg_options_default */
} ms_message_options;

/* Every member set to its default; authserv_id stays NULL. */
MS_API void ms_message_options_default(ms_message_options *opt);

/* What the receiver concluded. Everything lives in the message's arena. */
typedef struct ms_verdicts {
    const ms_msg *msg;
    const ms_spf_verdict *spf;      /* MAIL FROM (postmaster@HELO for the null sender) */
    const ms_spf_verdict *spf_helo; /* the HELO check, NULL unless check_helo */
    const ms_dkim_sig_result *dkim; /* one per DKIM-Signature field, top to bottom */
    size_t n_dkim;
    const ms_dmarc_verdict *dmarc;
    const char *authentication_results; /* the field value, without the name */
} ms_verdicts;

typedef struct ms_message ms_message;

/* resolver, opt (copied) and trace (may be NULL) are borrowed; everything else lives in arena. */
MS_API MS_MUST_CHECK ms_status ms_message_new(ms_resolver *resolver, const ms_message_options *opt,
                                              ms_arena *arena, ms_trace *trace, ms_message **out);
/* The SMTP client: its address (IPv4 or IPv6 text) and HELO/EHLO name (may be NULL). */
MS_API MS_MUST_CHECK ms_status ms_message_connect(ms_message *m, const char *client_ip,
                                                  const char *helo);
/* MAIL FROM: the reverse-path, "" or "<>" for the null sender. */
MS_API MS_MUST_CHECK ms_status ms_message_envelope(ms_message *m, const char *mail_from);
/* The message itself, header fields then body, in chunks of any size (CRLF or LF). */
MS_API MS_MUST_CHECK ms_status ms_message_feed(ms_message *m, const char *chunk, size_t len);
/* End of message: runs SPF, DKIM and DMARC and formats Authentication-Results. MS_OK whenever
 * the checks ran; MS_EINVAL without connect/envelope; MS_ELIMIT when the message broke a
 * parse cap (ms_message_error says where). */
MS_API MS_MUST_CHECK ms_status ms_message_end(ms_message *m);
/* The message's header fields as far as fed (complete once the body started): lets a caller
 * read Received or Return-Path before ms_message_end. */
MS_API const ms_msg *ms_message_msg(const ms_message *m);
/* After a successful ms_message_end; NULL before. */
MS_API const ms_verdicts *ms_message_verdicts(const ms_message *m);
/* The message layer's error after MS_ELIMIT from feed/end; NULL when none. */
MS_API const ms_msg_error *ms_message_error(const ms_message *m);

/* ---- the receiver's history (what aggregate reports are made from) ------------------------ */

/* What the caller knows that the message does not. */
typedef struct ms_history_input {
    int64_t received;        /* Unix seconds, UTC */
    const char *queue_id;    /* may be NULL */
    const char *envelope_to; /* the first RCPT TO (address, "<address>" or domain); may be NULL */
    const char *disposition; /* what was applied: "none" "quarantine" "reject"; NULL: the DMARC
                              * verdict's disposition */
    const ms_history_override *overrides; /* reasons the disposition differs (may be NULL); NULL
                                           * with t=y lowering a failing message's policy gives
                                           * policy_test_mode (RFC 9990 §3.1.6) */
    size_t n_overrides;
    const ms_verdicts *verdicts; /* the verdicts acted on, when the caller changed them (the
                                  * milter's TrustedAuthservIDs SPF); NULL: the message's own */
} ms_history_input;

/* The history row for a message after a successful ms_message_end: client, envelope, SPF,
 * every DKIM signature (at most MS_LIMIT_STORE_DKIM), DMARC with the record as published,
 * the disposition, and whether the message carries reports. Strings point into the message's
 * arena or into arena. MS_EINVAL before ms_message_end. */
MS_API MS_MUST_CHECK ms_status ms_message_history_row(const ms_message *m,
                                                      const ms_history_input *in, ms_arena *arena,
                                                      ms_history_row *out);

/* Does the message carry DMARC or TLS reports: multipart/report (RFC 6522), a part of type
 * application/tlsrpt+*, an attachment named like a report file (RFC 9990 §3.5.2), a Subject
 * "Report Domain:" or a TLS-Report-Domain field (RFC 8460 §5.3)? Report mail is never itself
 * reported (no report loops). Complete once the message was fed whole. */
MS_API bool ms_message_carries_report(const ms_message *m);

/* ---- failure reports (RFC 9991, RFC 6591, ARF RFC 5965) ------------------------------------
 * What the DMARC record's ruf= and fo= (RFC 9989 §4.7) ask for one message: fo=0 (the
 * default) a "dmarc" report when neither SPF nor DKIM gave an aligned pass, fo=1 when either
 * did not, fo=d one report per DKIM signature that failed ("signature", "bodyhash",
 * "revoked"), fo=s one when SPF failed ("spf"). None at all when the record has no ruf=, has
 * psd=y (RFC 9991 §2), DMARC could not be evaluated, or the message carries reports (no report
 * loops). Each report is a complete multipart/report mail (RFC 6522, ARF) but for its To field:
 * a plain-words part, the message/feedback-report part and a text/rfc822-headers copy of the
 * message's header fields; the body is never copied (RFC 9991 §7: privacy), and URLs in the
 * copy are defanged ("hxxp", §7.3). */

typedef struct ms_failure_input {
    int64_t arrival;          /* Unix seconds, UTC (Arrival-Date) */
    const char *from;         /* the report's From address, e.g. "dmarc-noreply@mx.example" */
    const char *reporting_mta; /* this MTA's host name (Reporting-MTA); may be NULL */
    const char *envelope_to;  /* the first RCPT TO address (Original-Rcpt-To); may be NULL */
    const char *queue_id;     /* named in the plain-words part; may be NULL */
    const char *delivery_result; /* "delivered" "spam" "policy" "reject" "other" (RFC 6591
                                  * §3.2.2); NULL: not said */
    const ms_verdicts *verdicts; /* the verdicts acted on; NULL: the message's own */
} ms_failure_input;

typedef struct ms_failure_report {
    const char *auth_failure;  /* "dmarc" "signature" "bodyhash" "revoked" "spf" */
    const char *policy_domain; /* where the DMARC record was found, lower case */
    const char *record;        /* that record as published: its ruf= are the destinations */
    const char *message;       /* the report mail: 7-bit, CRLF, no To field */
    size_t message_len;        /* at most MS_LIMIT_FAILURE_MESSAGE */
} ms_failure_report;

/* The failure reports the message's DMARC record asks for (*n may be 0), at most
 * MS_LIMIT_FAILURE_PER_MESSAGE, in arena. MS_EINVAL before a successful ms_message_end or
 * without in->from. */
MS_API MS_MUST_CHECK ms_status ms_message_failure_reports(const ms_message *m,
                                                          const ms_failure_input *in,
                                                          ms_arena *arena,
                                                          const ms_failure_report **out, size_t *n);

#endif
