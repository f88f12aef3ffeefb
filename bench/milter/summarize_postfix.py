#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The table of bench/milter/run-postfix.sh: medians per row, and mailseal versus the
OpenDKIM + OpenDMARC pair within each round (ratios of the same round, then their median).

    summarize_postfix.py RESULTS.jsonl
"""
import json
import statistics
import sys


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, nd=1):
    return "-" if x is None else ("%.*f" % (nd, x))


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    order = []
    by = {}
    for r in rows:
        if r["row"] not in by:
            order.append(r["row"])
        by.setdefault(r["row"], []).append(r)
    names = {"none": "Postfix, no milter", "mailseal": "Postfix + mailseal-milter",
             "mailseal-nostore": "Postfix + mailseal-milter, no Store",
             "pair": "Postfix + OpenDKIM + OpenDMARC"}
    n = rows[0]["n"] if rows else 0
    c = rows[0]["concurrency"] if rows else 0
    print("%d messages per run, %d concurrent SMTP sessions, %d rounds (medians)\n"
          % (n, c, max(r["round"] for r in rows) if rows else 0))
    print("| row | msgs/s | milter CPU ms/msg | milter VmRSS after warm-up (KiB) "
          "| milter VmHWM (KiB) | peak KiB per connection | all accepted | DMARC seen (last run) |")
    print("|---|---|---|---|---|---|---|---|")
    for k in order:
        rs = by[k]
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            names.get(k, k), fmt(med([r["msgs_per_s"] for r in rs])),
            fmt(med([r["milter_cpu_ms_per_msg"] for r in rs]), 3),
            fmt(med([r["milter_rss_kib_after_warmup"] for r in rs if k != "none"]), 0),
            fmt(med([r["milter_hwm_kib"] for r in rs if k != "none"]), 0),
            fmt(med([r["peak_kib_per_conn"] for r in rs]), 1),
            "yes" if all(r["all_accepted"] for r in rs) else "NO",
            rs[-1].get("dmarc_seen") or "-"))
    if "mailseal" in by and "pair" in by:
        ms = {r["round"]: r for r in by["mailseal"]}
        pr = {r["round"]: r for r in by["pair"]}
        rounds = sorted(set(ms) & set(pr))
        thr = [ms[i]["msgs_per_s"] / pr[i]["msgs_per_s"] for i in rounds]
        cpu = [pr[i]["milter_cpu_ms_per_msg"] / ms[i]["milter_cpu_ms_per_msg"]
               for i in rounds if ms[i]["milter_cpu_ms_per_msg"]]
        print()
        print("mailseal / pair, same round: throughput x%s (rounds: %s); "
              "milter CPU per message: pair uses x%s mailseal's (rounds: %s)"
              % (fmt(med(thr), 2), ", ".join("%.2f" % x for x in thr),
                 fmt(med(cpu), 2), ", ".join("%.2f" % x for x in cpu)))
        if "none" in by:
            nn = {r["round"]: r for r in by["none"]}
            cap = [ms[i]["msgs_per_s"] / nn[i]["msgs_per_s"] for i in rounds if i in nn]
            print("mailseal row as a fraction of Postfix without a milter: %s"
                  % ", ".join("%.2f" % x for x in cap))
    return 0


if __name__ == "__main__":
    sys.exit(main())
