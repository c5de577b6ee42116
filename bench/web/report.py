#!/usr/bin/python3
"""Medians of bench/web/run.sh's results.tsv as a Markdown table: per paperboy --threads setting
and target, paperboy's and nginx's median req/s and p99, and paperboy / nginx.
usage: report.py results.tsv"""
import csv
import statistics
import sys
from collections import defaultdict


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    by = defaultdict(list)
    order = []
    for r in rows:
        key = (r["threads"], r["target"])
        if key not in order:
            order.append(key)
        by[key + (r["server"],)].append(r)
    print("| paperboy threads | target | paperboy req/s | p99 ms | CPU µs/req | nginx req/s "
          "| p99 ms | CPU µs/req | paperboy / nginx (req/s) | runs | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for th, target in order:
        pb, ng = by[(th, target, "paperboy")], by[(th, target, "nginx")]
        if not pb or not ng:
            continue
        med = lambda rs, k: statistics.median(float(x[k]) for x in rs)
        errs = sum(int(x["errors"]) for x in pb + ng)
        print("| %s | %s | %.0f | %.1f | %.0f | %.0f | %.1f | %.0f | %.2f | %d | %d |" % (
            th, target, med(pb, "req_s"), med(pb, "p99_ms"), med(pb, "cpu_us"),
            med(ng, "req_s"), med(ng, "p99_ms"), med(ng, "cpu_us"),
            med(pb, "req_s") / med(ng, "req_s"), len(pb), errs))


if __name__ == "__main__":
    main()
