#!/usr/bin/env python3
"""Writes SQL that fills a paperboy database with N confirmed subscribers for bench/mail:
half trending (4/5 daily, 1/5 weekly), half saved searches drawn from a pool of Q distinct
queries made of frequent title words and word pairs of the database itself (popular topics are
shared by many subscribers, as on a real instance; the draw is Zipf-like). Every saved search's
watermark is the pid before the last listing day, so that day's papers are its new papers.

usage: subscribers.py DB N Q > subs.sql   (reads titles with the sqlite3 command)"""
import collections
import random
import re
import subprocess
import sys

db, n, q = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
titles = subprocess.run(["sqlite3", db, "SELECT title FROM papers"], capture_output=True,
                        text=True, check=True).stdout.splitlines()
stop = set("a an the of for and in on with to from by via using towards toward is are at as "
           "its their our we under over into based new can do not or be".split())
words, pairs = collections.Counter(), collections.Counter()
for t in titles:
    w = [x for x in re.findall(r"[a-z][a-z0-9-]{2,}", t.lower()) if x not in stop]
    words.update(w)
    pairs.update(" ".join(p) for p in zip(w, w[1:]))
pool = [p for p, _ in pairs.most_common(q * 3 // 4)] + [w for w, _ in words.most_common(q)]
pool = list(dict.fromkeys(pool))[:q]
last_day = subprocess.run(["sqlite3", db, "SELECT max(day) FROM listings"], capture_output=True,
                          text=True, check=True).stdout.strip()
wm = subprocess.run(["sqlite3", db, "SELECT min(pid) - 1 FROM listings l WHERE day = '%s' AND "
                     "NOT EXISTS (SELECT 1 FROM listings m WHERE m.pid = l.pid AND m.day < "
                     "'%s')" % (last_day, last_day)], capture_output=True, text=True,
                    check=True).stdout.strip() or "0"
print("BEGIN;")
print("DELETE FROM outbox; DELETE FROM subscriptions;")
weights = [1.0 / (i + 1) for i in range(len(pool))]
for i in range(n):
    if i % 2 == 0:
        every = "weekly" if i % 10 == 0 else "daily"
        print("INSERT INTO subscriptions(email, kind, query, every, state, created_at, "
              "confirmed_at, last_pid) VALUES('t%d@bench.example.org', 'trending', '', '%s', "
              "'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', %s);" % (i, every, wm))
    else:
        qq = random.choices(pool, weights)[0].replace("'", "''")
        every = "weekly" if i % 10 == 1 else "daily"
        print("INSERT INTO subscriptions(email, kind, query, every, state, created_at, "
              "confirmed_at, last_pid) VALUES('s%d@bench.example.org', 'search', '%s', '%s', "
              "'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', %s);" % (i, qq, every, wm))
print("COMMIT;")
print("-- last listing day %s, watermark pid %s, %d distinct queries" % (last_day, wm, len(pool)),
      file=sys.stderr)
