#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A small concurrent SMTP sender for bench/milter/run-postfix.sh.

Sends corpus messages to a Postfix on 127.0.0.1, one SMTP session per message (as mail from
outside arrives), each presenting the message's own client IP and HELO through Postfix's
XCLIENT (so SPF sees the envelope the corpus was made for) and its own MAIL FROM; C sessions at
once. Every message is read into memory first; the clock runs from the first connect to the
last reply. Prints one JSON line: n, concurrency, seconds, msgs_per_s, replies by class
(2xx/4xx/5xx/error) and the first few non-2xx replies.

    smtp_send.py PORT ENVELOPES.tsv MSGS_DIR [--concurrency C] [--count N] [--rcpt ADDR]

ENVELOPES.tsv is bench/verify/gen_envelopes.py's output (file, client_ip, helo, mail_from).
--count N sends the first N envelopes (cycling when N is larger than the corpus).
"""
import argparse
import json
import smtplib
import sys
import threading
import time


def load(envelopes, msgs_dir):
    out = []
    with open(envelopes, encoding="ascii") as f:
        for line in f:
            name, ip, helo, mail_from = line.rstrip("\n").split("\t")
            with open("%s/%s" % (msgs_dir, name), "rb") as m:
                out.append((ip, helo, mail_from, m.read()))
    return out


def send_one(port, rcpt, env):
    ip, helo, mail_from, data = env
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="bench.client", timeout=120)
    try:
        s.ehlo()
        addr = ("IPV6:" + ip) if ":" in ip else ip
        code, msg = s.docmd("XCLIENT", "ADDR=%s NAME=[UNAVAILABLE]" % addr)
        if code != 220:
            return code, msg
        s.ehlo_resp = None
        s.ehlo(helo)
        code, msg = s.mail(mail_from)
        if code != 250:
            return code, msg
        code, msg = s.rcpt(rcpt)
        if code not in (250, 251):
            return code, msg
        code, msg = s.data(data)
        return code, msg
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("envelopes")
    ap.add_argument("msgs_dir")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--rcpt", default="bench@rcpt.test")
    a = ap.parse_args()
    corpus = load(a.envelopes, a.msgs_dir)
    n = a.count or len(corpus)
    lock = threading.Lock()
    state = {"next": 0, "2xx": 0, "4xx": 0, "5xx": 0, "error": 0, "bytes": 0}
    samples = []

    def worker():
        while True:
            with lock:
                i = state["next"]
                if i >= n:
                    return
                state["next"] = i + 1
            env = corpus[i % len(corpus)]
            try:
                code, msg = send_one(a.port, a.rcpt, env)
                cls = "%dxx" % (code // 100) if code // 100 in (2, 4, 5) else "error"
            except (smtplib.SMTPException, OSError) as e:
                code, msg, cls = 0, str(e).encode(), "error"
            with lock:
                state[cls] += 1
                state["bytes"] += len(env[3])
                if cls != "2xx" and len(samples) < 5:
                    samples.append("%d %s" % (code, msg.decode("ascii", "replace")))

    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    print(json.dumps({"n": n, "concurrency": a.concurrency, "seconds": round(secs, 3),
                      "msgs_per_s": round(n / secs, 1), "mib": round(state["bytes"] / 2**20, 1),
                      "2xx": state["2xx"], "4xx": state["4xx"], "5xx": state["5xx"],
                      "error": state["error"], "non_2xx_samples": samples}))
    return 0 if state["2xx"] == n else 1


if __name__ == "__main__":
    sys.exit(main())
