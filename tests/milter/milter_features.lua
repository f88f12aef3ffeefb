-- SPDX-License-Identifier: MIT
-- Scripted sessions for tests/milter/milter_features.sh. MS_PHASE: "features" (reload,
-- TrustedAuthservIDs, queue id, Canonicalization), "load" (sessions while reloads arrive),
-- "dns" (Nameservers, SPF temperror). MS_SOCK: the socket; MS_T: the test directory.
local sock = os.getenv("MS_SOCK")
local phase = os.getenv("MS_PHASE")
local dir = os.getenv("MS_T")
local failures = 0
local function check(cond, what)
    if cond then
        mt.echo("ok: " .. what)
    else
        mt.echo("FAIL: " .. what)
        failures = failures + 1
    end
end

local function open(ip)
    local conn = mt.connect(sock, 20, 0.1)
    assert(conn ~= nil, "cannot connect to " .. sock)
    assert(mt.conninfo(conn, "client.test", ip) == nil)
    assert(mt.helo(conn, "client.test") == nil)
    return conn
end

-- One message on an open connection. opts: auth (SMTP AUTH name), qid (macro i at RCPT).
local function message(conn, from, rcpt, headers, opts)
    opts = opts or {}
    if opts.auth ~= nil then
        assert(mt.macro(conn, SMFIC_MAIL, "{auth_authen}", opts.auth) == nil)
    end
    assert(mt.mailfrom(conn, from) == nil)
    if opts.qid ~= nil then
        assert(mt.macro(conn, SMFIC_RCPT, "i", opts.qid) == nil)
    end
    assert(mt.rcptto(conn, rcpt) == nil)
    for _, h in ipairs(headers) do
        assert(mt.header(conn, h[1], h[2]) == nil)
    end
    assert(mt.eoh(conn) == nil)
    assert(mt.bodystring(conn, "Hello.\r\n") == nil)
    assert(mt.eom(conn) == nil)
    return conn
end

local function send(ip, from, rcpt, headers, opts)
    return message(open(ip), from, rcpt, headers, opts)
end

local function ar_of(c)
    return mt.getheader(c, "Authentication-Results", 0)
end

local function has(s, part)
    return s ~= nil and string.find(s, part, 1, true) ~= nil
end

local function reload(conf)
    local ok = os.execute("sh " .. dir .. "/reload.sh " .. dir .. "/" .. conf)
    assert(ok == true, "reload to " .. conf .. " failed")
end

if phase == "features" then
    -- [c1: Mode v, RejectFailures no, TrustedAuthservIDs fmx.test]
    -- 0. FailureReports with FailureReportsRateLimit 2: three spoofed messages from
    -- ruf.example (p=quarantine, ruf=) queue two reports, the third is dropped; a message
    -- that carries a report itself queues none (milter_features.sh reads the store).
    for i = 1, 3 do
        local c = send("198.51.100.9", "<x@spoofer.test>", "<b@rcpt.test>",
            { { "From", "a@ruf.example" }, { "Subject", "spoof " .. i },
              { "List-Unsubscribe", "<https://ruf.example/u>" } })
        check(mt.getreply(c) == SMFIR_CONTINUE, "spoof " .. i .. ": marked only")
        mt.disconnect(c)
    end
    local c0 = send("198.51.100.9", "<>", "<b@rcpt.test>",
        { { "From", "a@ruf.example" }, { "Subject", "a report" },
          { "Content-Type", "multipart/report; report-type=feedback-report; boundary=x" } })
    mt.disconnect(c0)
    -- 1. An internal relay (10.0.0.5) with fmx.test's spf=pass: our own SPF check of the relay
    -- fails, the trusted result makes DMARC pass, and our A-R says where it came from.
    local c = send("10.0.0.5", "<a@relayed.example>", "<b@rcpt.test>",
        { { "Authentication-Results", "fmx.test; spf=pass smtp.mailfrom=a@relayed.example" },
          { "Authentication-Results", "fmx.test; spf=fail smtp.mailfrom=a@relayed.example" },
          { "From", "a@relayed.example" }, { "Subject", "relayed" } })
    local ar = ar_of(c)
    check(mt.getreply(c) == SMFIR_CONTINUE, "trusted: accepted")
    check(has(ar, "dmarc=pass") and has(ar, "spf=pass (from trusted authserv-id fmx.test"),
        "trusted: the topmost trusted spf=pass used and said so, got " .. tostring(ar))
    check(has(ar, "smtp.mailfrom=a@relayed.example"), "trusted: smtp.mailfrom kept")
    mt.disconnect(c)

    -- 2. The same from an untrusted id: ignored, our own check (fail) stands.
    c = send("10.0.0.5", "<a@relayed.example>", "<b@rcpt.test>",
        { { "Authentication-Results", "evil.test; spf=pass smtp.mailfrom=a@relayed.example" },
          { "From", "a@relayed.example" }, { "Subject", "untrusted" } })
    ar = ar_of(c)
    check(has(ar, "dmarc=fail") and has(ar, "spf=fail") and not has(ar, "trusted"),
        "untrusted id: not believed, got " .. tostring(ar))
    mt.disconnect(c)

    -- 3. A trusted id from a client outside InternalHosts: not used.
    c = send("198.51.100.9", "<a@relayed.example>", "<b@rcpt.test>",
        { { "Authentication-Results", "fmx.test; spf=pass smtp.mailfrom=a@relayed.example" },
          { "From", "a@relayed.example" }, { "Subject", "external" } })
    ar = ar_of(c)
    check(has(ar, "dmarc=fail") and not has(ar, "trusted"),
        "external client: trusted A-R not used, got " .. tostring(ar))
    mt.disconnect(c)

    -- 4. Our own id, even though listed in TrustedAuthservIDs: a forgery, removed.
    c = send("10.0.0.5", "<a@relayed.example>", "<b@rcpt.test>",
        { { "Authentication-Results", "mx.test; spf=pass smtp.mailfrom=a@relayed.example" },
          { "From", "a@relayed.example" }, { "Subject", "own id" } })
    ar = ar_of(c)
    check(mt.eom_check(c, MT_HDRDELETE, "Authentication-Results"), "own id: removed")
    check(has(ar, "dmarc=fail") and not has(ar, "trusted"),
        "own id: never believed, got " .. tostring(ar))
    mt.disconnect(c)

    -- 5. A trusted result for another envelope domain: not used (logged).
    c = send("10.0.0.5", "<a@relayed.example>", "<b@rcpt.test>",
        { { "Authentication-Results", "fmx.test; spf=pass smtp.mailfrom=b@other.example" },
          { "From", "a@relayed.example" }, { "Subject", "mismatch" } })
    ar = ar_of(c)
    check(has(ar, "dmarc=fail") and not has(ar, "trusted"),
        "other envelope domain: not used, got " .. tostring(ar))
    mt.disconnect(c)

    -- 6. A connection opened under c1 keeps c1 after a reload to c2; new ones get c2.
    local old = open("192.0.2.10")
    c = send("192.0.2.10", "<a@reject.example>", "<b@rcpt.test>",
        { { "From", "a@reject.example" }, { "Subject", "c1" } })
    check(mt.getreply(c) == SMFIR_CONTINUE, "c1: p=reject fail only marked (RejectFailures no)")
    mt.disconnect(c)
    reload("c2.conf")
    message(old, "<a@reject.example>", "<b@rcpt.test>",
        { { "From", "a@reject.example" }, { "Subject", "in flight" } })
    ar = ar_of(old)
    check(mt.getreply(old) == SMFIR_CONTINUE and has(ar, "mx.test;"),
        "in flight: the connection keeps c1 (marked, mx.test), got " .. tostring(ar))
    mt.disconnect(old)
    c = send("192.0.2.10", "<a@reject.example>", "<b@rcpt.test>",
        { { "From", "a@reject.example" }, { "Subject", "c2" } })
    check(mt.getreply(c) == SMFIR_REPLYCODE, "c2: p=reject fail rejected (RejectFailures yes)")
    mt.disconnect(c)
    c = send("192.0.2.10", "<a@pass.example>", "<b@rcpt.test>",
        { { "From", "a@pass.example" }, { "Subject", "c2 pass" } })
    ar = ar_of(c)
    check(ar ~= nil and string.find(ar, "mx2.test;", 1, true) == 1,
        "c2: the new AuthservID, got " .. tostring(ar))
    mt.disconnect(c)

    -- 7. c2 signs (Mode sv) with c=simple/simple; an unmatched From is not signed, the log
    -- line carries the queue id sent with RCPT.
    c = send("198.51.100.7", "<me@sign.example>", "<you@rcpt.test>",
        { { "From", "me@sign.example" }, { "Subject", "signed" } }, { auth = "me" })
    local sig = mt.getheader(c, "DKIM-Signature", 0)
    check(has(sig, "c=simple/simple") and has(sig, "d=sign.example"),
        "c2: signed with Canonicalization simple/simple, got " .. tostring(sig))
    mt.disconnect(c)
    c = send("198.51.100.7", "<me@other.example>", "<you@rcpt.test>",
        { { "From", "me@other.example" }, { "Subject", "unsigned" } },
        { auth = "me", qid = "QF00001" })
    check(not mt.eom_check(c, MT_HDRINSERT, "DKIM-Signature"), "c2: unmatched From not signed")
    mt.disconnect(c)

    -- 8. A broken config is refused; c2 stays.
    reload("bad.conf")
    c = send("192.0.2.10", "<a@reject.example>", "<b@rcpt.test>",
        { { "From", "a@reject.example" }, { "Subject", "after bad" } })
    check(mt.getreply(c) == SMFIR_REPLYCODE, "after a broken reload: c2 still enforces")
    mt.disconnect(c)
    c = send("192.0.2.10", "<a@pass.example>", "<b@rcpt.test>",
        { { "From", "a@pass.example" }, { "Subject", "after bad pass" } })
    ar = ar_of(c)
    check(ar ~= nil and string.find(ar, "mx2.test;", 1, true) == 1,
        "after a broken reload: still mx2.test, got " .. tostring(ar))
    mt.disconnect(c)
    reload("c1.conf")
elseif phase == "load" then
    local n = tonumber(os.getenv("MS_N") or "40")
    for i = 1, n do
        local c = send("192.0.2.10", "<a@pass.example>", "<b@rcpt.test>",
            { { "From", "a@pass.example" }, { "Subject", "load " .. i } })
        local ar = ar_of(c)
        if mt.getreply(c) ~= SMFIR_CONTINUE or not has(ar, "dmarc=pass") then
            check(false, "load " .. i .. ": got " .. tostring(ar))
        end
        mt.disconnect(c)
    end
    check(true, n .. " sessions")
elseif phase == "dns" then
    -- An SPF temperror waits for DNSTimeout: more than miltertest's default 10 s read timeout.
    mt.set_timeout(60)
    -- The first Nameservers address is a closed port: every answer comes from the second.
    for i = 1, 4 do
        local c = send("192.0.2.10", "<a@pass.mfeat.test>", "<b@rcpt.test>",
            { { "From", "a@pass.mfeat.test" }, { "Subject", "dns " .. i } })
        local ar = ar_of(c)
        check(mt.getreply(c) == SMFIR_CONTINUE and has(ar, "dmarc=pass"),
            "Nameservers " .. i .. ": dmarc=pass, got " .. tostring(ar))
        mt.disconnect(c)
    end
    -- SPF temperror (an include the server refuses), no DKIM, p=reject: 451 4.7.5.
    local c = send("192.0.2.10", "<a@temp.mfeat.test>", "<b@rcpt.test>",
        { { "From", "a@temp.mfeat.test" }, { "Subject", "temperror" } })
    check(mt.getreply(c) == SMFIR_REPLYCODE, "SPF temperror: a custom reply (451 4.7.5)")
    mt.disconnect(c)
else
    error("MS_PHASE must be features, load or dns")
end

if failures > 0 then
    error(failures .. " check(s) failed")
end
mt.echo("all " .. phase .. " checks passed")
