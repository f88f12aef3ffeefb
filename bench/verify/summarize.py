#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Markdown table of a bench/verify/run.sh results file (medians of the interleaved rounds).

  summarize.py RESULTS.jsonl DUMPS_DIR CORPUS [--openssl OPENSSL_DIR --kit BENCH_KIT]
               [--json OUT.json]

RESULTS.jsonl has one line per measurement ({"row", "run", "result": harness JSON line});
DUMPS_DIR/<row>.<run>.tsv the per-message verdicts of that measurement (file, spf,
dkim passing/signatures, dmarc result, disposition).

Checked for every run of every row (exit status 1 when one fails): the DKIM pass/fail counts
against CORPUS/manifest.tsv (`expect`), no harness errors, and per message the same SPF result,
DKIM passing/signature count, DMARC result and disposition as the peers' run of the same round.
x peers is the median over the rounds of the ratio within each round. With --openssl and
--kit, the kit's corpus DKIM crypto floor (bench kit summarize.py, imported by path) of each
round gives a "% of DKIM crypto floor" column: the floor counts only DKIM's public-key
operations and body hashes, so it bounds the whole verdict from above."""
import argparse
import csv
import glob
import importlib.util
import json
import os
import statistics
import sys

NAMES = {
    "mailseal": "mailseal `ms_message_*` (RFC 9989 DMARC, key cache on)",
    "mailseal-rfc7489": "mailseal `ms_message_*`, RFC 7489 mode (PSL)",
    "mailseal-no-key-cache": "mailseal `ms_message_*`, key cache off",
    "peers": "libspf2 + libopendkim + libopendmarc (C harness)",
}
ORDER = ["mailseal", "mailseal-rfc7489", "mailseal-no-key-cache", "peers"]
# DKIM verification alone on the same messages, and the verdict row each is part of.
DKIM_ONLY = {
    "mailseal-dkim": ("mailseal `ms_dkim_bench verify` (bench/dkim)", "mailseal"),
    "opendkim-dkim": ("libopendkim, the kit's `opendkim_bench verify`", "peers"),
}
FIELDS = ("spf", "dkim", "dmarc", "disposition")


def fmt(x, nd=0):
    return "–" if x is None else "{:,.{}f}".format(x, nd)


def cpu_rate(x):
    """Messages per CPU-second of the measured process."""
    return x["msgs_per_s"] * x["seconds"] / x["cpu_seconds"]


def per_round(rs, base, f):
    """Median over the rounds of f(run) / f(base's run of the same round)."""
    by_run = {x["_run"]: x for x in base or []}
    vals = [f(x) / f(by_run[x["_run"]]) for x in rs if x["_run"] in by_run]
    return statistics.median(vals) if vals else None


def load_kit(kit):
    spec = importlib.util.spec_from_file_location("kit_summarize", os.path.join(kit, "summarize.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_dump(path):
    """file -> dict of verdict fields; None when the dump is missing."""
    if not os.path.exists(path):
        return None
    out = {}
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) == 5:
                out[cols[0]] = dict(zip(FIELDS, cols[1:]))
    return out


def compare(a, b):
    """Per field, the number of messages on which dumps a and b agree, and the examples that
    differ."""
    agree = {k: 0 for k in FIELDS}
    diffs = []
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name), b.get(name)
        if x is None or y is None:
            diffs.append((name, x, y))
            continue
        same = True
        for k in FIELDS:
            if x[k] == y[k]:
                agree[k] += 1
            else:
                same = False
        if not same:
            diffs.append((name, x, y))
    return agree, diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("dumps")
    ap.add_argument("corpus")
    ap.add_argument("--openssl", default=None)
    ap.add_argument("--kit", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    manifest = list(csv.DictReader(open(os.path.join(args.corpus, "manifest.tsv")), delimiter="\t"))
    n_msgs = len(manifest)
    exp_pass = sum(r["expect"] == "pass" for r in manifest)

    floor_by_round = {}
    lim = {}
    if args.openssl and args.kit:
        kit = load_kit(args.kit)
        lim, _ = kit.limits(args.openssl)
        for path in glob.glob(os.path.join(args.openssl, "speed.*.txt")):
            lr = kit.parse_speed(path)
            try:
                rnd = int(os.path.basename(path).split(".")[1])
            except ValueError:
                continue
            if {"sha256_8k_Bps", "rsa2048_verify", "ed25519_verify"} <= set(lr):
                lr.setdefault("rsa2048_sign", 1.0)  # unused by the verify floor
                lr.setdefault("ed25519_sign", 1.0)
                floor_by_round[rnd] = kit.crypto_floor(args.corpus, lr)["verify"]

    rows = {}
    for line in open(args.results):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            res = r["result"]
            res["_run"] = r["run"]
            rows.setdefault(r["row"], []).append(res)

    problems = []
    peers = {x["_run"]: x for x in rows.get("peers", [])}
    agreement = {}  # row -> list of (run, agree dict, n diffs)
    examples = {}
    for row, rs in rows.items():
        for x in rs:
            if x.get("pass") != exp_pass or x.get("fail") != n_msgs - exp_pass:
                problems.append("%s run %d: DKIM pass/fail %s/%s, manifest %d/%d" % (
                    row, x["_run"], x.get("pass"), x.get("fail"), exp_pass, n_msgs - exp_pass))
            if row in DKIM_ONLY:
                continue
            if x.get("errors", 0) or x.get("dmarc_other", 0):
                problems.append("%s run %d: %s errors, %s DMARC temperror/permerror" % (
                    row, x["_run"], x.get("errors"), x.get("dmarc_other", 0)))
            if row == "peers":
                continue
            mine = load_dump(os.path.join(args.dumps, "%s.%d.tsv" % (row, x["_run"])))
            theirs = load_dump(os.path.join(args.dumps, "peers.%d.tsv" % x["_run"]))
            if mine is None or theirs is None:
                problems.append("%s run %d: no verdict dump to compare" % (row, x["_run"]))
                continue
            agree, diffs = compare(mine, theirs)
            agreement.setdefault(row, []).append((x["_run"], agree, len(diffs)))
            if diffs:
                problems.append("%s run %d: %d messages differ from the peers" % (
                    row, x["_run"], len(diffs)))
                examples.setdefault(row, diffs[:5])

    print("| implementation | msgs/s (median) | min–max | × peers ¹ | msgs per CPU-s (median) "
          "| × peers, CPU ¹ | % of DKIM crypto floor ¹ | CPU/wall | DKIM pass/fail (manifest) "
          "| SPF pass | DMARC pass/fail/none (reject, quarantine) | same verdicts as peers ² |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---|---:|---|---|")
    out = []
    for row in ORDER + sorted(set(rows) - set(ORDER) - set(DKIM_ONLY)):
        rs = rows.get(row)
        if not rs:
            continue
        vals = [x["msgs_per_s"] for x in rs]
        med = statistics.median(vals)
        cpu = statistics.median(x["cpu_seconds"] / x["seconds"] for x in rs)
        ratio = per_round(rs, rows.get("peers"), lambda x: x["msgs_per_s"])
        cpu_med = statistics.median(cpu_rate(x) for x in rs)
        cpu_ratio = per_round(rs, rows.get("peers"), cpu_rate)
        pcts = [100 * x["msgs_per_s"] / floor_by_round[x["_run"]] for x in rs
                if x["_run"] in floor_by_round]
        pct = statistics.median(pcts) if pcts else None
        counts = sorted(set((x["pass"], x["fail"], x["spf_pass"], x["dmarc_pass"], x["dmarc_fail"],
                             x["dmarc_none"], x["reject"], x["quarantine"]) for x in rs))
        c = counts[0]
        stable = "" if len(counts) == 1 else " **(varies between runs)**"
        if row == "peers":
            agree_txt = "–"
        elif row in agreement:
            worst = {k: min(a[k] for _, a, _ in agreement[row]) for k in FIELDS}
            rounds = len(agreement[row])
            if all(v == n_msgs for v in worst.values()):
                agree_txt = "%d/%d in each of %d rounds" % (n_msgs, n_msgs, rounds)
            else:
                agree_txt = "**SPF %d, DKIM %d, DMARC %d, disposition %d of %d** (worst of %d " \
                    "rounds)" % (worst["spf"], worst["dkim"], worst["dmarc"],
                                 worst["disposition"], n_msgs, rounds)
        else:
            agree_txt = "no peer run"
        print("| %s | **%s** | %s–%s | %s | %s | %s | %s | %.2f | %d/%d (%d/%d) | %d "
              "| %d/%d/%d (%d, %d)%s | %s |" % (
            NAMES.get(row, row), fmt(med), fmt(min(vals)), fmt(max(vals)),
            ("%.2f×" % ratio) if ratio else "–", fmt(cpu_med),
            ("%.2f×" % cpu_ratio) if cpu_ratio else "–", ("%.1f %%" % pct) if pct else "–", cpu,
            c[0], c[1], exp_pass, n_msgs - exp_pass, c[2], c[3], c[4], c[5], c[6], c[7], stable,
            agree_txt))
        out.append(dict(row=row, runs=len(vals), median=med, min=min(vals), max=max(vals),
                        ratio_peers=ratio, per_cpu_s=cpu_med, ratio_peers_cpu=cpu_ratio,
                        floor_pct=pct, cpu_wall=cpu, counts=counts,
                        agreement=agreement.get(row)))
    print()
    dk = [r for r in DKIM_ONLY if rows.get(r)]
    if dk:
        print("DKIM verification alone, same messages, same rounds (the rest of the verdict — SPF, "
              "DMARC, the From parse, Authentication-Results — costs the difference):\n")
        print("| implementation | msgs/s (median) | msgs per CPU-s (median) | DKIM pass/fail "
              "| verdict row's CPU time per message ÷ this row's ³ |")
        print("|---|---:|---:|---|---:|")
        for row in dk:
            rs = rows[row]
            name, full = DKIM_ONLY[row]
            share = per_round(rs, rows.get(full), cpu_rate)
            got = sorted(set((x["pass"], x["fail"]) for x in rs))
            print("| %s | %s | %s | %s | %s |" % (
                name, fmt(statistics.median(x["msgs_per_s"] for x in rs)),
                fmt(statistics.median(cpu_rate(x) for x in rs)),
                ", ".join("%d/%d" % g for g in got), ("%.2f× (%s)" % (share, full)) if share else "–"))
            out.append(dict(row=row, runs=len(rs), median=statistics.median(x["msgs_per_s"] for x in rs),
                            per_cpu_s=statistics.median(cpu_rate(x) for x in rs), verdict_over_dkim=share))
        print("\n³ Per round: this row's msgs per CPU-s divided by its verdict row's (mailseal, "
              "peers), then the median; 1.00× means SPF + DMARC + the rest cost nothing measurable.")
        print()
    print("¹ Per round, then the median of the rounds: each run divided by the peers' run (and by "
          "the DKIM crypto floor from `openssl speed`) of the same round.")
    print("² Per message: SPF result, DKIM passing/signature count, DMARC result and disposition, "
          "compared with the peers' verdicts of the same round (fields: %s)." % ", ".join(FIELDS))
    if floor_by_round:
        print("\nDKIM crypto floor (kit definition, verify): %s msgs/s (median of the rounds; "
              "`openssl speed` RSA-2048 verify %s/s, Ed25519 verify %s/s, SHA-256 %s MB/s)." % (
                  fmt(statistics.median(floor_by_round.values())), fmt(lim.get("rsa2048_verify")),
                  fmt(lim.get("ed25519_verify")), fmt((lim.get("sha256_8k_Bps") or 0) / 1e6)))
    print()
    if problems:
        print("Problems: " + "; ".join(problems))
        for row, diffs in examples.items():
            for name, x, y in diffs:
                print("  %s %s: %s / peers %s" % (row, name, x, y))
    else:
        print("Verdicts: every run of every row gave DKIM %d pass / %d fail (the manifest), no "
              "errors, and every mailseal run agreed with the peers' run of its round on every "
              "message (SPF, DKIM, DMARC result and disposition)." % (exp_pass, n_msgs - exp_pass))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(limits=lim, floor_by_round=floor_by_round, rows=out, problems=problems),
                      f, indent=1)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
