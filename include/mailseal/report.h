/* SPDX-License-Identifier: MIT */
/* Feedback reports a domain owner receives at its rua=/ruf= addresses, and the aggregate
 * reports a receiver sends:
 *   - DMARC aggregate reports: RFC 9990 (namespace urn:ietf:params:xml:ns:dmarc-2.0), RFC 7489
 *     Appendix C (no namespace) and the older draft format, read tolerantly; written as RFC 9990;
 *   - DMARC failure reports: ARF (RFC 5965) with the auth-failure extension (RFC 6591, 9991);
 *   - SMTP TLS reports: RFC 8460 JSON.
 * Reports arrive packed: plain, gzip, zip, or attached to a message (any mix); ms_report_unpack()
 * finds the payloads by their magic bytes, never by their names, with caps on inflated sizes.
 * Everything parsed lives in the caller's arena; every parser takes (pointer, length) and turns
 * bad input into MS_ESYNTAX (or MS_ELIMIT past a cap) with an ms_report_error saying why. */
#ifndef MAILSEAL_REPORT_H
#define MAILSEAL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailseal/api.h"
#include "mailseal/arena.h"
#include "mailseal/status.h"

typedef struct ms_report_error {
    size_t offset;      /* byte offset in the payload, when known (0 otherwise) */
    const char *reason; /* static text, e.g. "a DOCTYPE is not allowed in a report" */
    char detail[96];    /* the element, member or value concerned, cut to fit */
} ms_report_error;

/* ---- unpacking ----------------------------------------------------------------------------- */
typedef enum {
    MS_REPORT_PAYLOAD_XML,  /* an aggregate report */
    MS_REPORT_PAYLOAD_JSON, /* a TLS report */
    MS_REPORT_PAYLOAD_ARF,  /* a failure report: the whole multipart/report message */
} ms_report_payload_type;

typedef struct ms_report_payload {
    ms_report_payload_type type;
    const char *name;    /* file, zip member or attachment name; "" when none */
    const uint8_t *data; /* inflated, decoded bytes (in the arena) */
    size_t len;
} ms_report_payload;

/* Finds every report payload in data: a plain XML or JSON document, gzip, zip (members read
 * one level deep, never recursively into nested archives), or an RFC 5322 message whose MIME
 * parts (base64, quoted-printable) hold any of those, or which is itself an ARF report.
 * Content is typed by its magic bytes; the declared type or name is only a hint.
 * Inflated sizes are capped on the bytes actually produced (MS_LIMIT_REPORT_INFLATED), as are
 * zip members and MIME parts (lib/base/limits.h). MS_OK with *n_out >= 1; MS_ESYNTAX or
 * MS_ELIMIT with err filled when nothing usable was found or a cap was hit (nothing returned). */
MS_API MS_MUST_CHECK ms_status ms_report_unpack(const uint8_t *data, size_t len, ms_arena *arena,
                                                const ms_report_payload **out, size_t *n_out,
                                                ms_report_error *err);

/* ---- DMARC aggregate reports ----------------------------------------------------------------- */
typedef struct ms_report_dkim {
    const char *domain, *selector, *result, *human_result; /* selector/human may be NULL */
} ms_report_dkim;

typedef struct ms_report_spf {
    const char *domain, *scope, *result, *human_result; /* scope "mfrom"/"helo", may be NULL */
} ms_report_spf;

typedef struct ms_report_reason {
    const char *type, *comment; /* PolicyOverrideReason; comment may be NULL */
} ms_report_reason;

typedef struct ms_report_record {
    const char *source_ip; /* as written; an IPv4/IPv6 address unless source_ip_invalid */
    uint64_t count;
    const char *disposition; /* policy_evaluated: "none" "quarantine" "reject" (as reported) */
    const char *dkim;        /* policy_evaluated/dkim: "pass" "fail" (lower-cased) */
    const char *spf;         /* policy_evaluated/spf */
    const ms_report_reason *reasons;
    size_t n_reasons;
    const char *header_from, *envelope_from, *envelope_to; /* identifiers; may be NULL */
    const ms_report_dkim *dkim_results;
    size_t n_dkim;
    const ms_report_spf *spf_results;
    size_t n_spf;
    bool source_ip_invalid; /* source_ip is kept as written but is not an IP address (seen in
                             * real reports; the record is kept rather than the report lost) */
} ms_report_record;

typedef struct ms_report_aggregate {
    const char *format;  /* "rfc9990", "rfc7489" or "draft" (what the document looked like) */
    const char *version; /* <version>, may be NULL */
    /* report_metadata */
    const char *org_name, *email, *extra_contact_info, *report_id, *generator;
    int64_t begin, end; /* date_range, Unix seconds UTC */
    const char *const *errors;
    size_t n_errors;
    /* policy_published */
    const char *domain; /* lower case */
    const char *adkim, *aspf, *p, *sp, *np, *fo, *testing, *discovery_method; /* may be NULL */
    int pct;                                                                /* -1 absent */
    const ms_report_record *records;
    size_t n_records;
    uint64_t n_messages; /* sum of the records' counts */
} ms_report_aggregate;

/* Parses one aggregate report (libxml2 with DTDs, entities and network off: a DOCTYPE is an
 * error). Required elements missing, a count that is not a non-negative integer, a date out of
 * range, a field over MS_LIMIT_REPORT_FIELD or more than MS_LIMIT_REPORT_RECORDS records are
 * errors (MS_ESYNTAX / MS_ELIMIT), never a partial report. */
MS_API MS_MUST_CHECK ms_status ms_report_parse_aggregate(const char *xml, size_t len,
                                                         ms_arena *arena,
                                                         const ms_report_aggregate **out,
                                                         ms_report_error *err);

/* Writes r as an RFC 9990 aggregate report (namespace, version 1.0, valid against the RFC 9990
 * XSD) into the arena. */
MS_API MS_MUST_CHECK ms_status ms_report_write_aggregate(const ms_report_aggregate *r,
                                                         ms_arena *arena, const char **xml,
                                                         size_t *len);

/* gzip-compresses data (RFC 1952) into the arena. */
MS_API MS_MUST_CHECK ms_status ms_report_gzip(const uint8_t *data, size_t len, ms_arena *arena,
                                              const uint8_t **out, size_t *out_len);

/* The file name RFC 9990 §3.1.1 gives: "receiver!policy-domain!begin!end[!unique-id].xml.gz"
 * (ext is "xml.gz" or "xml"), in the arena; NULL on a name that would not be safe. */
MS_API const char *ms_report_filename(const char *receiver, const char *policy_domain,
                                      int64_t begin, int64_t end, const char *unique_id,
                                      const char *ext, ms_arena *arena);

/* ---- DMARC failure reports (RFC 5965, 6591, 9991) -------------------------------------------- */
typedef struct ms_report_failure {
    const char *feedback_type;  /* "auth-failure" (others are accepted and kept as given) */
    const char *version, *user_agent;
    const char *auth_failure;   /* "dmarc" "dkim" "spf" "adsp", may be NULL */
    const char *reported_domain; /* lower case */
    const char *source_ip;
    int64_t arrival;             /* Arrival-Date, Unix seconds; 0 when absent or unreadable */
    const char *original_mail_from, *original_rcpt_to, *original_envelope_id, *reporting_mta;
    const char *authentication_results, *delivery_result, *identity_alignment;
    const char *dkim_domain, *dkim_identity, *dkim_selector, *spf_dns;
    uint64_t incidents;          /* 1 when absent */
    /* from the returned original message or its headers (third part), when present */
    const char *original_from, *original_subject, *original_message_id;
    const char *original_headers; /* the returned header block, capped at MS_LIMIT_REPORT_FIELD
                                   * * 64 bytes */
    size_t original_headers_len;
    const char *report_date;      /* Date of the report message itself, as written */
} ms_report_failure;

/* Parses a multipart/report; report-type=feedback-report message (the ARF payload). */
MS_API MS_MUST_CHECK ms_status ms_report_parse_failure(const char *msg, size_t len,
                                                       ms_arena *arena,
                                                       const ms_report_failure **out,
                                                       ms_report_error *err);

/* ---- SMTP TLS reports (RFC 8460) ------------------------------------------------------------ */
typedef struct ms_tlsrpt_failure {
    const char *result_type; /* "starttls-not-supported" "certificate-expired" ... */
    const char *sending_mta_ip, *receiving_mx_hostname, *receiving_mx_helo, *receiving_ip;
    const char *additional_information, *failure_reason_code; /* may be NULL */
    uint64_t failed_session_count;
} ms_tlsrpt_failure;

typedef struct ms_tlsrpt_policy {
    const char *policy_type;   /* "sts" "tlsa" "no-policy-found" */
    const char *policy_domain; /* lower case */
    const char *const *policy_strings;
    size_t n_policy_strings;
    const char *const *mx_hosts;
    size_t n_mx_hosts;
    uint64_t total_successful, total_failure;
    const ms_tlsrpt_failure *failures;
    size_t n_failures;
} ms_tlsrpt_policy;

typedef struct ms_tlsrpt_report {
    const char *organization_name, *contact_info, *report_id;
    int64_t begin, end; /* date-range, Unix seconds */
    const ms_tlsrpt_policy *policies;
    size_t n_policies;
} ms_tlsrpt_report;

/* Parses one RFC 8460 JSON report (json-c, depth and size capped). */
MS_API MS_MUST_CHECK ms_status ms_tlsrpt_parse(const char *json, size_t len, ms_arena *arena,
                                               const ms_tlsrpt_report **out,
                                               ms_report_error *err);

/* ---- everything at once --------------------------------------------------------------------- */
typedef enum {
    MS_REPORT_AGGREGATE,
    MS_REPORT_FAILURE,
    MS_REPORT_TLSRPT,
} ms_report_kind;

typedef struct ms_report {
    ms_report_kind kind;
    const char *name; /* the payload's name */
    const ms_report_aggregate *aggregate; /* the one matching kind is set */
    const ms_report_failure *failure;
    const ms_tlsrpt_report *tlsrpt;
    uint8_t digest[32]; /* SHA-256 of the payload: the duplicate key of reports without an id */
} ms_report;

/* Unpacks data and parses every payload. MS_OK when every payload parsed; otherwise the status
 * of the first failure with err filled and *n_out 0 (a source is stored whole or kept aside
 * whole, never in part). */
MS_API MS_MUST_CHECK ms_status ms_report_read(const uint8_t *data, size_t len, ms_arena *arena,
                                              const ms_report **out, size_t *n_out,
                                              ms_report_error *err);

#endif
