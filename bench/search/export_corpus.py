#!/usr/bin/python3
"""Export the papers of a paperboy database as the search benchmark's corpus: one JSON object a
line, {"id", "title", "abstract", "authors", "categories"}, in the table's row order, so every
engine indexes exactly the documents paperboy's own index sees. Text is exported as stored
(normalised by the importer, LaTeX left in); authors stay "\\n"-separated, categories
space-separated; a missing abstract becomes "". Run with Debian's /usr/bin/python3 (stdlib only).
usage: export_corpus.py DB OUT.jsonl"""
import json
import os
import sqlite3
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    db, out = sys.argv[1], sys.argv[2]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    n = 0
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        for pid, title, abstract, authors, cats in con.execute(
                "SELECT id, title, abstract, authors, categories FROM papers"
                " WHERE is_deleted = 0 ORDER BY pid"):
            f.write(json.dumps({"id": pid, "title": title or "", "abstract": abstract or "",
                                "authors": authors or "", "categories": cats or ""},
                               ensure_ascii=False) + "\n")
            n += 1
    os.replace(out + ".tmp", out)
    print("export_corpus: %d papers from %s -> %s" % (n, db, out), file=sys.stderr)


if __name__ == "__main__":
    main()
