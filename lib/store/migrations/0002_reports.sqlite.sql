-- SPDX-License-Identifier: MIT
-- Migration 2: received DMARC aggregate and failure reports and SMTP TLS reports (issue 7
-- section 1), the sources they came from and the sources kept aside. The dialects differ only
-- in the id columns. SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused).

-- Every source ingested (a file, a Maildir message, an IMAP UIDVALIDITY/UID, an mbox message):
-- recorded in the same transaction that stores its reports (or keeps it aside), so a source
-- is marked done exactly when what it holds is durable. outcome: 'stored', 'duplicate' (every
-- report in it was already stored) or 'kept-aside'.
CREATE TABLE report_source (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_key TEXT NOT NULL UNIQUE,
    seen_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    n_reports INTEGER NOT NULL
);

-- DMARC aggregate reports (RFC 9990 / RFC 7489 Appendix C): report_metadata and
-- policy_published. org_key is org_name in ASCII lower case (computed by the library, so both
-- backends agree): (org_key, report_id) identifies a report, a second copy is a duplicate.
CREATE TABLE report_aggregate (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_key TEXT NOT NULL,
    report_id TEXT NOT NULL,
    stored_at BIGINT NOT NULL,
    source_key TEXT,
    name TEXT,
    digest TEXT NOT NULL,
    format TEXT,
    version TEXT,
    org_name TEXT NOT NULL,
    email TEXT,
    extra_contact_info TEXT,
    generator TEXT,
    begin_ts BIGINT NOT NULL,
    end_ts BIGINT NOT NULL,
    domain TEXT,
    pp_adkim TEXT,
    pp_aspf TEXT,
    pp_p TEXT,
    pp_sp TEXT,
    pp_np TEXT,
    pp_fo TEXT,
    pp_testing TEXT,
    pp_discovery TEXT,
    pp_pct INTEGER,
    n_errors INTEGER NOT NULL,
    n_records BIGINT NOT NULL,
    n_messages BIGINT NOT NULL,
    UNIQUE (org_key, report_id)
);
CREATE INDEX report_aggregate_time ON report_aggregate (begin_ts, id);
CREATE INDEX report_aggregate_domain ON report_aggregate (domain, begin_ts, id);

-- report_metadata/error, in document order.
CREATE TABLE report_aggregate_error (
    aggregate_id BIGINT NOT NULL REFERENCES report_aggregate (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT,
    PRIMARY KEY (aggregate_id, seq)
);

-- One <record>: row, identifiers, policy_evaluated.
CREATE TABLE report_record (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    aggregate_id BIGINT NOT NULL REFERENCES report_aggregate (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    source_ip TEXT,
    count BIGINT NOT NULL,
    disposition TEXT,
    dkim TEXT,
    spf TEXT,
    header_from TEXT,
    envelope_from TEXT,
    envelope_to TEXT,
    n_dkim INTEGER NOT NULL,
    n_spf INTEGER NOT NULL,
    n_reasons INTEGER NOT NULL
);
CREATE INDEX report_record_aggregate ON report_record (aggregate_id, id);

-- auth_results/dkim, auth_results/spf and policy_evaluated/reason of a record, in order.
CREATE TABLE report_record_dkim (
    record_id BIGINT NOT NULL REFERENCES report_record (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    domain TEXT,
    selector TEXT,
    result TEXT,
    human_result TEXT,
    PRIMARY KEY (record_id, seq)
);
CREATE TABLE report_record_spf (
    record_id BIGINT NOT NULL REFERENCES report_record (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    domain TEXT,
    scope TEXT,
    result TEXT,
    human_result TEXT,
    PRIMARY KEY (record_id, seq)
);
CREATE TABLE report_record_reason (
    record_id BIGINT NOT NULL REFERENCES report_record (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT,
    comment TEXT,
    PRIMARY KEY (record_id, seq)
);

-- DMARC failure reports (ARF, RFC 5965 / 6591 / 9991): no report id, the payload's SHA-256
-- (hex) identifies one.
CREATE TABLE report_failure (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    digest TEXT NOT NULL UNIQUE,
    stored_at BIGINT NOT NULL,
    source_key TEXT,
    name TEXT,
    arrival BIGINT NOT NULL,
    incidents BIGINT NOT NULL,
    feedback_type TEXT,
    version TEXT,
    user_agent TEXT,
    auth_failure TEXT,
    reported_domain TEXT,
    source_ip TEXT,
    original_mail_from TEXT,
    original_rcpt_to TEXT,
    original_envelope_id TEXT,
    reporting_mta TEXT,
    authentication_results TEXT,
    delivery_result TEXT,
    identity_alignment TEXT,
    dkim_domain TEXT,
    dkim_identity TEXT,
    dkim_selector TEXT,
    spf_dns TEXT,
    original_from TEXT,
    original_subject TEXT,
    original_message_id TEXT,
    original_headers TEXT,
    report_date TEXT
);
CREATE INDEX report_failure_time ON report_failure (arrival, id);

-- SMTP TLS reports (RFC 8460 section 4.4), identified by the payload's SHA-256 (hex).
CREATE TABLE report_tlsrpt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    digest TEXT NOT NULL UNIQUE,
    stored_at BIGINT NOT NULL,
    source_key TEXT,
    name TEXT,
    organization_name TEXT,
    contact_info TEXT,
    report_id TEXT,
    begin_ts BIGINT NOT NULL,
    end_ts BIGINT NOT NULL,
    n_policies INTEGER NOT NULL
);
CREATE INDEX report_tlsrpt_time ON report_tlsrpt (begin_ts, id);

CREATE TABLE report_tlsrpt_policy (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tlsrpt_id BIGINT NOT NULL REFERENCES report_tlsrpt (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    policy_type TEXT,
    policy_domain TEXT,
    total_successful BIGINT NOT NULL,
    total_failure BIGINT NOT NULL,
    n_strings INTEGER NOT NULL,
    n_mx_hosts INTEGER NOT NULL,
    n_failures INTEGER NOT NULL
);
CREATE INDEX report_tlsrpt_policy_report ON report_tlsrpt_policy (tlsrpt_id, seq);
CREATE INDEX report_tlsrpt_policy_domain ON report_tlsrpt_policy (policy_domain);

-- policy-string (kind 0) and mx-host (kind 1) entries of a policy, in order.
CREATE TABLE report_tlsrpt_string (
    policy_id BIGINT NOT NULL REFERENCES report_tlsrpt_policy (id) ON DELETE CASCADE,
    kind INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    value TEXT,
    PRIMARY KEY (policy_id, kind, seq)
);

CREATE TABLE report_tlsrpt_failure (
    policy_id BIGINT NOT NULL REFERENCES report_tlsrpt_policy (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    result_type TEXT,
    sending_mta_ip TEXT,
    receiving_mx_hostname TEXT,
    receiving_mx_helo TEXT,
    receiving_ip TEXT,
    additional_information TEXT,
    failure_reason_code TEXT,
    failed_session_count BIGINT NOT NULL,
    PRIMARY KEY (policy_id, seq)
);

-- Sources that could not be read: the reason and the first bytes (hex), so nothing is dropped
-- silently; their source_key is in report_source too (outcome 'kept-aside').
CREATE TABLE report_kept (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_key TEXT,
    reason TEXT NOT NULL,
    kept_at BIGINT NOT NULL,
    data_len BIGINT NOT NULL,
    data_hex TEXT
);
CREATE INDEX report_kept_time ON report_kept (kept_at, id);
