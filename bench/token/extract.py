"""Writes the title and abstract of every record of the daily JSON Lines listings named on the
command line to stdout, each record's text followed by a NUL byte (input of bench_token)."""
import gzip
import json
import sys

out = sys.stdout.buffer
for path in sys.argv[1:]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            for key in ("title", "summary"):
                v = rec.get(key)
                if isinstance(v, str) and v:
                    out.write(v.encode("utf-8"))
                    out.write(b"\0")
