-- SPDX-License-Identifier: MIT
-- Migration 1: the milter's per-message history, one row per message with what an RFC 9990
-- aggregate report needs (issue 6 section 1). Two dialects differ only in the id column.
-- SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused).
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received BIGINT NOT NULL,
    queue_id TEXT,
    source_ip TEXT,
    header_from TEXT,
    envelope_from TEXT,
    helo TEXT,
    envelope_to TEXT,
    spf_domain TEXT,
    spf_scope TEXT,
    spf_result TEXT,
    spf_human TEXT,
    dmarc_result TEXT,
    policy_domain TEXT,
    pp_p TEXT,
    pp_sp TEXT,
    pp_np TEXT,
    pp_adkim TEXT,
    pp_aspf TEXT,
    pp_fo TEXT,
    pp_testing TEXT,
    pp_discovery TEXT,
    pp_pct INTEGER,
    disposition TEXT,
    dkim_aligned INTEGER NOT NULL,
    spf_aligned INTEGER NOT NULL
);

CREATE INDEX history_domain_time ON history (policy_domain, received);
CREATE INDEX history_time ON history (received);

-- One row per DKIM signature verdict of a message (RFC 9990 DKIMAuthResultType).
CREATE TABLE history_dkim (
    history_id BIGINT NOT NULL REFERENCES history (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    domain TEXT,
    selector TEXT,
    result TEXT,
    human_result TEXT,
    PRIMARY KEY (history_id, seq)
);

-- One row per policy override reason (RFC 9990 PolicyOverrideReason).
CREATE TABLE history_override (
    history_id BIGINT NOT NULL REFERENCES history (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT,
    comment TEXT,
    PRIMARY KEY (history_id, seq)
);
