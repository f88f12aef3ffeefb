#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# bench/reports: the table of RESULTS.md from one run's JSON lines (ms_report_bench and
# mail_dmarc_parse.pl output). Rates per CPU second of each process, medians and best of the
# rounds (the machine is shared: the best round is the least disturbed one), wall rates beside.
#   summarize.py RESULTS.jsonl
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by = {}
for r in rows:
    key = r["impl"] + (" (common set)" if r.get("set") == "common" else " (all samples)")
    by.setdefault(key, []).append(r)
peer = next((k for k in by if k.startswith("Mail::DMARC")), None)


def med(k, f):
    return statistics.median(x[f] for x in by[k])


def best(k, f):
    return max(x[f] for x in by[k])


print("| parser (sample set) | XML parsed per round | reports per round | reports/s (median) "
      "| MB/s of XML (median) | MB/s (best) | MB/s wall (median) | vs Mail::DMARC (median, best) |")
print("|---|---|---|---|---|---|---|---|")
for k in by:
    rm = med(k, "mb_per_s") / med(peer, "mb_per_s") if peer else float("nan")
    rb = best(k, "mb_per_s") / best(peer, "mb_per_s") if peer else float("nan")
    print(f"| {k} | {by[k][0]['bytes'] / 1e6:.0f} MB | {by[k][0]['reports']} | "
          f"{med(k, 'reports_per_s'):,.0f} | {med(k, 'mb_per_s'):.1f} | {best(k, 'mb_per_s'):.1f} | "
          f"{med(k, 'wall_mb_per_s'):.1f} | {rm:.0f}x, {rb:.0f}x |")
print()
print("Rates per CPU second of the process (CLOCK_PROCESS_CPUTIME_ID; Perl's times); "
      f"{len(by[next(iter(by))])} rounds; failures: "
      + ", ".join(f"{k} {sum(x['failed'] for x in by[k])}" for k in by) + ".")
