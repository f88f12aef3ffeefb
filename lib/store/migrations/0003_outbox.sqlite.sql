-- SPDX-License-Identifier: MIT
-- Migration 3: sending aggregate reports (issue 7 section 3).
-- history.carries_report: the message carried DMARC or TLS reports (multipart/report, a report
-- attachment, or a "Report Domain:" subject); report generation skips it so that report mail is
-- never itself reported (no report loops).
ALTER TABLE history ADD COLUMN carries_report INTEGER NOT NULL DEFAULT 0;

-- One row per (report file, destination address): what `mailseal report send` did with it.
-- state: 'pending' (to try at next_attempt), 'sent', 'skipped' (never to send: too large for
-- the destination's !size, destination not authorised), 'gave_up' (the address kept failing).
CREATE TABLE report_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_file TEXT NOT NULL,
    policy_domain TEXT NOT NULL,
    destination TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created BIGINT NOT NULL,
    last_attempt BIGINT,
    next_attempt BIGINT NOT NULL,
    last_error TEXT,
    UNIQUE (report_file, destination)
);

CREATE INDEX report_outbox_state ON report_outbox (state, next_attempt);

-- One row per destination address: its consecutive delivery failures across runs and reports.
-- An address that failed N times in a row over at least M days is given up (gave_up set).
CREATE TABLE report_destination (
    address TEXT PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    first_failure BIGINT,
    last_failure BIGINT,
    gave_up BIGINT
);
