#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Markdown table of a bench/spf run (benchmark tooling only).

  summarize.py RESULTS.jsonl [--json SUMMARY.json] [--also OTHER.jsonl]

RESULTS.jsonl has one line per measurement, written by bench/spf/run.sh:
  {"set": "issue", "row": "mailseal+cache", "run": 1, "result": {...harness JSON line...}}
Prints, per policy set, one row per implementation: the median queries/s over the runs, the
min-max, the ratio of medians to libspf2+cache (same set), the median µs per query, the CPU
share of the wall time, and the mismatches against expected.tsv in every run.  --also adds
the medians (and ratios) of another run of the same sets as a reproducibility column.
"""
import argparse
import collections
import json
import statistics

# row id -> (implementation, DNS path); the order of the table
ROWS = collections.OrderedDict([
    ("mailseal+cache", ("mailseal `ms_spf_check`, `ms_resolver_new_cache` over libunbound",
                        "in-process answer cache")),
    ("mailseal", ("mailseal `ms_spf_check`, `ms_resolver_new_unbound` only",
                  "libunbound's own cache, via its worker thread")),
    ("mailseal-zone", ("mailseal `ms_spf_check`, zone view (`ms_resolver_new_zone`)",
                       "no DNS: records in memory (the zone view's look-up instead of the "
                       "cache's)")),
    ("libspf2+cache", ("libspf2, `SPF_DNS_CACHE` (what spfquery uses)",
                       "in-process cache; it does not keep `exists` answers (UDP each time)")),
    ("libspf2-spfquery", ("libspf2 `spfquery -file -` CLI (6-copy minus 1-copy)",
                          "as `SPF_DNS_CACHE`")),
    ("libspf2", ("libspf2, `SPF_DNS_RESOLV`", "every look-up a UDP query to unbound")),
    ("pyspf+cache", ("pyspf + dnspython in-process cache", "in-process cache")),
    ("pyspf", ("pyspf (dnspython)", "every look-up a UDP query to unbound")),
])
SETS = collections.OrderedDict([
    ("issue", "the issue's policy set (includes three deep, ip4/ip6 lists, mx, a, "
              "exists with macros, redirect)"),
    ("noexists", "the same set with every `exists` replaced by ip4 (all look-ups cacheable "
                 "by libspf2's `SPF_DNS_CACHE`)"),
])
BASE = "libspf2+cache"


def fmt_int(x):
    return "{:,}".format(int(round(x)))


def load(path):
    data = collections.defaultdict(lambda: collections.defaultdict(list))
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            data[rec["set"]][rec["row"]].append(rec["result"])
    return data


def medians(rows):
    return {r: statistics.median(x["msgs_per_s"] for x in rows[r]) for r in rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--json", default=None)
    ap.add_argument("--also", default=None, help="another run's RESULTS.jsonl")
    args = ap.parse_args()

    data = load(args.results)
    other = load(args.also) if args.also else {}

    summary = {}
    out = []
    for s in list(SETS) + sorted(set(data) - set(SETS)):
        if s not in data:
            continue
        rows = data[s]
        med = medians(rows)
        base = med.get(BASE)
        med2 = medians(other[s]) if s in other else {}
        also = " | other run: queries/s (× libspf2+cache)" if other else ""
        n = next(iter(rows.values()))[0]["n"]
        out.append("### Policy set `%s`: %s; %d queries\n" % (s, SETS.get(s, s), n))
        out.append("| implementation | DNS path | queries/s (median) | min–max | "
                   "× libspf2+cache | µs/query | CPU/wall | mismatches%s |" % also)
        out.append("|---|---|---:|---|---:|---:|---:|---|%s" % ("---:|" if other else ""))
        summary[s] = {}
        for r in list(ROWS) + sorted(set(rows) - set(ROWS)):
            if r not in rows:
                continue
            rs = rows[r]
            rates = [x["msgs_per_s"] for x in rs]
            name, path = ROWS.get(r, (r, "?"))
            ratio = "%.2f" % (med[r] / base) if base else "–"
            cpu = [x["cpu_seconds"] / x["seconds"] for x in rs
                   if x.get("cpu_seconds") and x.get("seconds")]
            cpu_share = "%d %%" % round(100 * statistics.median(cpu)) if cpu else "–"
            mism = sorted({x.get("mismatches", -1) for x in rs})
            col = ""
            if other:
                col = " –"
                if r in med2:
                    b2 = med2.get(BASE)
                    col = " %s (%s)" % (fmt_int(med2[r]), "%.2f" % (med2[r] / b2) if b2 else "–")
                col += " |"
            out.append("| %s | %s | **%s** | %s–%s | %s | %.1f | %s | %s |%s" % (
                name, path, fmt_int(med[r]), fmt_int(min(rates)), fmt_int(max(rates)), ratio,
                1e6 / med[r], cpu_share, ", ".join(str(m) for m in mism), col))
            summary[s][r] = dict(median=med[r], min=min(rates), max=max(rates),
                                 runs=len(rates), ratio_to_libspf2_cache=(
                                     med[r] / base if base else None), mismatches=mism)
        out.append("")
    print("\n".join(out))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
