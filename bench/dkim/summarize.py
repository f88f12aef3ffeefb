#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Markdown table of a bench/dkim/run.sh results file (medians of the interleaved runs).

  summarize.py RESULTS.jsonl OPENSSL_DIR CORPUS --kit BENCH_KIT [--json OUT.json]

The limits (openssl speed medians) and the corpus crypto floor come from the bench kit's
summarize.py (imported by path, not copied): one public-key operation per signature plus one
SHA-256 pass per body and body canonicalisation (verify); one private-key operation plus one
SHA-256 pass per message (sign). Verdict counts are checked against CORPUS/manifest.tsv
(`expect`; `expect_rsa_only` for Mail::DKIM, which has no Ed25519)."""
import argparse
import csv
import glob
import importlib.util
import json
import os
import statistics
import sys

NAMES = {
    "mailseal": "mailseal (parsed-key cache on)",
    "mailseal-no-key-cache": "mailseal, key cache off",
    "opendkim": "libopendkim (C harness)",
    "dkimpy": "dkimpy",
    "maildkim": "Mail::DKIM",
}
# The targets (DKIM issue §8), for the mailseal rows.
TARGETS = {
    ("verify", "mailseal"): (70.0, "≥ 70 % of floor, ≥ 4× libopendkim"),
    ("sign-rsa", "mailseal"): (90.0, "≥ 90 % of RSA sign limit"),
    ("sign-ed25519", "mailseal"): (50.0, "≥ 50 % of floor"),
}


def load_kit(kit):
    spec = importlib.util.spec_from_file_location("kit_summarize", os.path.join(kit, "summarize.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fmt(x, nd=0):
    if x is None:
        return "–"
    return "{:,.{}f}".format(x, nd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("openssl_dir")
    ap.add_argument("corpus")
    ap.add_argument("--kit", required=True)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    kit = load_kit(args.kit)

    lim, nspeed = kit.limits(args.openssl_dir)
    floor = kit.crypto_floor(args.corpus, lim) if lim else None
    manifest = list(csv.DictReader(open(os.path.join(args.corpus, "manifest.tsv")), delimiter="\t"))
    exp = sum(r["expect"] == "pass" for r in manifest)
    exp_rsa = sum(r["expect_rsa_only"] == "pass" for r in manifest)
    n_msgs = len(manifest)

    # The machine drifts between rounds (a shared VM): % of floor and × libopendkim are taken
    # per round (the floor from that round's openssl speed, libopendkim from the same round),
    # then the median of the rounds is quoted.
    round_floor = {}
    for path in glob.glob(os.path.join(args.openssl_dir, "speed.*.txt")):
        lr = kit.parse_speed(path)
        try:
            rnd = int(os.path.basename(path).split(".")[1])
        except ValueError:
            continue
        if {"sha256_8k_Bps", "rsa2048_verify", "rsa2048_sign", "ed25519_sign"} <= set(lr):
            round_floor[rnd] = kit.crypto_floor(args.corpus, lr)
    rows = {}
    for line in open(args.results):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        op, tool = r["row"].split(":", 1)
        r["result"]["_run"] = r["run"]
        rows.setdefault((op, tool), []).append(r["result"])

    print("## Limits (openssl speed, CPU 0, median of %d runs)\n" % nspeed)
    print("| operation | per second |")
    print("|---|---:|")
    for k, label in [("rsa2048_verify", "RSA-2048 verify"), ("rsa2048_sign", "RSA-2048 sign"),
                     ("ed25519_verify", "Ed25519 verify (OpenSSL)"),
                     ("ed25519_sign", "Ed25519 sign (OpenSSL)")]:
        if k in lim:
            print("| %s | %s ops/s |" % (label, fmt(lim[k])))
    if "sha256_8k_Bps" in lim:
        print("| SHA-256, 8 KiB blocks | %s MB/s |" % fmt(lim["sha256_8k_Bps"] / 1e6))
    if floor:
        print("\nCorpus: %d messages, %.1f MiB, %d signatures. Crypto floor: verify **%s** msgs/s, "
              "sign rsa-sha256 **%s** msgs/s, sign ed25519-sha256 **%s** msgs/s.\n" % (
                  floor["n"], floor["bytes"] / 1048576, floor["sigs"], fmt(floor["verify"]),
                  fmt(floor["sign_rsa"]), fmt(floor["sign_ed25519"])))

    print("× libopendkim and % of crypto floor: median over the rounds of the ratio within each "
          "round (floor from that round's openssl speed).\n")
    print("| op | implementation | msgs/s (median) | min–max | × libopendkim | % of crypto floor "
          "| CPU/wall | pass/fail (expected) | target |")
    print("|---|---|---:|---|---:|---:|---:|---|---|")
    out = []
    problems = []
    for op in ("verify", "sign-rsa", "sign-ed25519"):
        base = rows.get((op, "opendkim"))
        base_med = statistics.median(x["msgs_per_s"] for x in base) if base else None
        fl = None
        if floor:
            fl = {"verify": floor["verify"], "sign-rsa": floor["sign_rsa"],
                  "sign-ed25519": floor["sign_ed25519"]}[op]
        for tool in ("mailseal", "mailseal-no-key-cache", "opendkim", "dkimpy", "maildkim"):
            rs = rows.get((op, tool))
            if not rs:
                continue
            vals = [x["msgs_per_s"] for x in rs]
            med = statistics.median(vals)
            cpu = statistics.median(x["cpu_seconds"] / x["seconds"] for x in rs)
            if op == "verify":
                want = exp_rsa if tool == "maildkim" else exp
            else:
                want = n_msgs
            got = sorted(set((x.get("pass"), x.get("fail", x.get("fail_"))) for x in rs))
            ok = all(p == want for p, _ in got)
            if not ok:
                problems.append("%s %s: pass/fail %s, expected %d pass" % (op, tool, got, want))
            pf = "/".join(str(v) for v in got[0]) + ("" if ok else " **≠**")
            pf += " (%d/%d)" % (want, n_msgs - want)
            ver = [x.get("verified") for x in rs if x.get("verified")]
            if ver:
                pf += ", sample verified %s" % ver[-1]
            fkey = {"verify": "verify", "sign-rsa": "sign_rsa", "sign-ed25519": "sign_ed25519"}[op]
            base_by_run = {x["_run"]: x["msgs_per_s"] for x in (base or [])}
            pcts = [100 * x["msgs_per_s"] / round_floor[x["_run"]][fkey]
                    for x in rs if x["_run"] in round_floor]
            ratios = [x["msgs_per_s"] / base_by_run[x["_run"]] for x in rs if x["_run"] in base_by_run]
            pct = statistics.median(pcts) if pcts else (100 * med / fl if fl else None)
            ratio = statistics.median(ratios) if ratios else None
            tgt = ""
            t = TARGETS.get((op, tool))
            if t and pct is not None:
                met = pct >= t[0]
                if op == "verify" and ratio is not None:
                    met = met and ratio >= 4.0
                tgt = "%s: **%s**" % (t[1], "met" if met else "not met")
            name = NAMES.get(tool, tool)
            if tool == "mailseal" and op != "verify":
                name = "mailseal (key read once)"
            label = {"verify": "verify", "sign-rsa": "sign rsa-sha256",
                     "sign-ed25519": "sign ed25519-sha256"}[op]
            print("| %s | %s | **%s** | %s–%s | %s | %s | %.2f | %s | %s |" % (
                label, name, fmt(med), fmt(min(vals)), fmt(max(vals)),
                ("%.2f×" % ratio) if ratio else "–", ("%.1f %%" % pct) if pct else "–",
                cpu, pf, tgt))
            out.append(dict(op=op, tool=tool, runs=len(vals), median=med, min=min(vals),
                            max=max(vals), ratio_opendkim=ratio, floor_pct=pct, verdicts=got,
                            verdicts_ok=ok))
    print()
    if problems:
        print("Verdict mismatches: " + "; ".join(problems))
    else:
        print("Verdicts: every run of every row gave the expected counts (%d/%d; Mail::DKIM "
              "%d/%d; signing %d/%d)." % (exp, n_msgs - exp, exp_rsa, n_msgs - exp_rsa, n_msgs, 0))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(limits=lim, floor=floor, rows=out, problems=problems), f, indent=1)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
