#!/usr/bin/python3
"""Floor for the import benchmark: the same input files loaded into one plain SQLite table.

Usage: /usr/bin/python3 bench/import/floor.py DB FILE...      (FILE may end in .gz)

What it does, and on purpose no more (it is a floor, not a second importer):
  * daily JSON Lines (*.jsonl[.gz]): json.loads per line; id, title, authors (list joined with
    ", "), categories (list joined with " "), summary -> abstract, day = the file name's date.
    Rows of any schema are kept; a missing key becomes NULL.
  * arXiv .abs records, monthly listings, daily "new" mailings, past-week listings: a record
    starts at a line "arXiv:ID" or "Paper: ID" / "Paper (*cross-listing*): ID"; the header keys
    Title, Authors and Categories are read with their indented continuation lines; the text
    between the "\\\\" line that ends the header and the next "\\\\" line is the abstract.
    Everything else (From, Date, Comments, versions, replacements) is ignored; day is NULL.
  * No id normalisation, no deduplication, no merge, no validation, no text repair: every
    record becomes one row (id TEXT, title, authors, categories, abstract, day) of one table
    without indexes, in one transaction per file, WAL mode, synchronous=NORMAL (paperboy's
    settings).
A JSON line that is not an object is skipped and counted.
Prints one line: "N rows, N files, N empty files, N bad JSON lines, T s, R rows/s".
"""
import gzip
import json
import os
import re
import sqlite3
import sys
import time

START = re.compile(r"^(?:arXiv:|Paper(?: \(\*cross-listing\*\))?: *)(\S+)")
DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
KEYS = {"Title": 1, "Authors": 2, "Categories": 3}


def open_text(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, "r", encoding="utf-8", errors="replace")


def join(v, sep=" "):
    """A JSON value as something SQLite binds: lists joined, objects as JSON text."""
    if isinstance(v, list):
        return sep.join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v)
    return v


N_BAD = 0   # JSON lines that are not an object: skipped, counted


def rows_jsonl(path):
    global N_BAD
    m = DAY.search(os.path.basename(path))
    day = m.group(1) if m else None
    with open_text(path) as f:
        for line in f:
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                r = None
            if not isinstance(r, dict):
                N_BAD += 1
                continue
            yield (join(r.get("id")), join(r.get("title")), join(r.get("authors"), ", "),
                   join(r.get("categories")), join(r.get("summary")), day)


def rows_text(path):
    """.abs records and listing files: a minimal line state machine (see the module comment)."""
    rec = None          # [id, title, authors, categories, abstract-lines]
    state = 0           # 0 outside, 1 header, 2 abstract
    field = 0
    with open_text(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = START.match(line) if state != 2 else None
            if m:
                if rec:
                    yield finish(rec)
                rec = [m.group(1), None, None, None, []]
                state, field = 1, 0
                continue
            if rec is None:
                continue
            if state == 1:
                if line.startswith("\\\\"):
                    state = 2
                elif line.startswith((" ", "\t")) and field:
                    rec[field] += " " + line.strip()
                else:
                    k, sep, v = line.partition(":")
                    field = KEYS.get(k, 0) if sep else 0
                    if field:
                        rec[field] = v.strip()
            elif state == 2:
                if line.startswith("\\\\") or line.startswith("-----"):
                    state = 0
                else:
                    rec[4].append(line)
    if rec:
        yield finish(rec)


def finish(rec):
    abstract = "\n".join(rec[4]).strip() or None
    return (rec[0], rec[1], rec[2], rec[3], abstract, None)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: floor.py DB FILE...")
    db, files = sys.argv[1], sys.argv[2:]
    t0 = time.monotonic()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("CREATE TABLE IF NOT EXISTS paper(id TEXT, title TEXT, authors TEXT,"
                " categories TEXT, abstract TEXT, day TEXT)")
    n_rows = n_empty = 0
    for path in files:
        rows = rows_jsonl(path) if ".jsonl" in path else rows_text(path)
        con.execute("BEGIN")
        cur = con.executemany("INSERT INTO paper VALUES(?,?,?,?,?,?)", rows)
        con.execute("COMMIT")
        n = cur.rowcount
        n_rows += n
        n_empty += n == 0
    con.close()
    t = time.monotonic() - t0
    print("%d rows, %d files, %d empty files, %d bad JSON lines, %.1f s, %.0f rows/s"
          % (n_rows, len(files), n_empty, N_BAD, t, n_rows / t if t > 0 else 0))


if __name__ == "__main__":
    main()
