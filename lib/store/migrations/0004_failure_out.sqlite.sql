-- SPDX-License-Identifier: MIT
-- Migration 4: failure reports waiting to be sent (RFC 9991), lib/store/failure_out.c.
-- One row per report the milter (or `mailseal verify --store`) made: the report mail without
-- its To field, the DMARC record whose ruf= says where it goes, and whether `mailseal report
-- send` is done with it (done = 1: every destination was sent, skipped or given up).
CREATE TABLE failure_out (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created BIGINT NOT NULL,
    policy_domain TEXT NOT NULL,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    message TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX failure_out_done ON failure_out (done, id);

-- The rate limits (RFC 9991 sections 2 and 8.1): per fixed window (window_start a multiple of the
-- window's length), the reports queued and dropped for each policy domain (scope), and the
-- reports queued over all domains (scope '*'). Every process sharing the store counts here.
CREATE TABLE failure_rate (
    scope TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    queued INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, window_start)
);
