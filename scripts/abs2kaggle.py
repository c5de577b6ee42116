#!/usr/bin/env python3
"""Convert arXiv .abs metadata records (and arXiv listing files, which hold the same records,
gzip or not) into the JSON Lines of Kaggle's "arxiv-metadata-oai-snapshot", for tests and
benchmarks of paperboy's Kaggle importer. Standard library only.

    scripts/abs2kaggle.py [-o OUT] [--limit N] PATH...

PATH is a .abs file, a listing file, or a directory walked recursively for both. Records are
deduplicated by id (the one with the most versions, then with an abstract, wins) and written in
id order. Mapping: "arXiv:"/"Paper:" -> id, From (name only) -> submitter, Date / Date (revised
vN) -> versions [{"version","created"}], Title/Authors/Comments/Report-no/Journal-ref/DOI/License/
Categories as in Kaggle (line breaks kept, LaTeX kept), abstract between the second and third
"\\\\" lines, update_date = day of the latest version (Kaggle's is the OAI datestamp, which
.abs files do not carry), authors_parsed = [keyname, forenames, suffix] with LaTeX accents turned
into Unicode (like Kaggle's). Listing records have no abstract: "abstract" is then "".
"""
import argparse
import email.utils
import gzip
import json
import os
import re
import sys
import unicodedata

FIELDS = {
    "title": "title", "authors": "authors", "categories": "categories",
    "comments": "comments", "report-no": "report-no", "journal-ref": "journal-ref",
    "doi": "doi", "license": "license", "from": "from",
}
ID_RE = re.compile(r"^(?:arXiv:|Paper:)\s*(\S+)")
DATE_RE = re.compile(r"^Date(?: \(revised (v\d+)\))?:\s*(.*?)\s*(?:\(\d+kb[^)]*\))?\s*$")
SEP_RE = re.compile(r"^(-{20,}|%[-%]{20,})\s*$")

ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
           "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
           "c": "\u0327", "k": "\u0328"}
LETTERS = {"ss": "\u00df", "o": "\u00f8", "O": "\u00d8", "l": "\u0142", "L": "\u0141",
           "aa": "\u00e5", "AA": "\u00c5", "ae": "\u00e6", "AE": "\u00c6", "oe": "\u0153",
           "i": "\u0131"}
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le",
             "dos", "das", "ter", "ten", "st.", "zu"}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "sj"}


def tex2utf(s):
    """Common LaTeX accent macros to Unicode: \\'a, \\'{a}, {\\'a}, \\c{c}, \\ss, \\o ..."""
    def accent(m):
        mark, letter = m.group(1), m.group(2) or m.group(3)
        return unicodedata.normalize("NFC", letter + ACCENTS[mark])
    s = re.sub(r"\\([`'^\"~=.])\s*(?:\{(\w)\}|(\w))", accent, s)
    s = re.sub(r"\\([uvHck])(?:\{(\w)\}|\s+(\w))", accent, s)
    s = re.sub(r"\\(ss|aa|AA|ae|AE|oe|o|O|l|L|i)\b\s*", lambda m: LETTERS[m.group(1)], s)
    return re.sub(r"\{(\S*?)\}", r"\1", s)


def split_authors(s):
    """arXiv author string -> names (affiliations in parentheses dropped)."""
    out, depth = [], 0
    flat = []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            flat.append(ch)
    flat = re.sub(r"\s+", " ", "".join(flat))
    for part in re.split(r",|;|\band\b|&", flat):
        part = part.strip()
        if part:
            out.append(part)
    return out


def parse_name(name):
    name = tex2utf(name)
    words = name.split()
    suffix = ""
    if len(words) > 1 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if not words:
        return [suffix, "", ""]
    i = len(words) - 1
    while i > 0 and words[i - 1].lower() in PARTICLES:
        i -= 1
    return [" ".join(words[i:]), " ".join(words[:i]), suffix]


def authors_parsed(s):
    names = split_authors(s)
    out = []
    for n in names:
        # "Smith, Jr." splits into a piece of its own: attach it to the previous author.
        if n.lower() in SUFFIXES and out:
            out[-1][2] = n
            continue
        out.append(parse_name(n))
    return out


def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def records(text):
    """Yield dicts of header fields, versions and abstract for every record in text."""
    lines = text.split("\n")
    i, n = 0, len(lines)
    while i < n:
        if lines[i].rstrip() != "\\\\" or i + 1 >= n or not ID_RE.match(lines[i + 1]):
            i += 1
            continue
        rec = {"id": ID_RE.match(lines[i + 1]).group(1), "versions": {}, "abstract": ""}
        i += 2
        key = None
        while i < n and not lines[i].startswith("\\\\") and not SEP_RE.match(lines[i]):
            line = lines[i]
            m = DATE_RE.match(line)
            if m:
                rec["versions"][m.group(1) or "v1"] = m.group(2)
                key = None
            elif line[:1] in (" ", "\t") and key:
                rec[key] += "\n" + line
            else:
                k, sep, v = line.partition(":")
                k = k.strip().lower()
                key = FIELDS.get(k) if sep else None
                if key:
                    rec[key] = v.strip()
            i += 1
        if i < n and lines[i].rstrip() == "\\\\":
            i += 1
            body = []
            while i < n and not lines[i].startswith("\\\\") and not SEP_RE.match(lines[i]):
                body.append(lines[i])
                i += 1
            if i < n and lines[i].startswith("\\\\"):
                rec["abstract"] = "\n".join(body) + "\n" if body else ""
                i += 1
        if "title" in rec:
            yield rec


def version_key(v):
    return int(v[1:]) if v[1:].isdigit() else 0


def to_kaggle(rec):
    versions = sorted(rec["versions"].items(), key=lambda kv: version_key(kv[0]))
    update = None
    if versions:
        try:
            update = email.utils.parsedate_to_datetime(versions[-1][1]).strftime("%Y-%m-%d")
        except (TypeError, ValueError):
            update = None
    submitter = re.sub(r"\s*<[^>]*>\s*$", "", rec.get("from", "")).strip() or None
    return {
        "id": rec["id"],
        "submitter": submitter,
        "authors": rec.get("authors", ""),
        "title": rec["title"],
        "comments": rec.get("comments"),
        "journal-ref": rec.get("journal-ref"),
        "doi": rec.get("doi"),
        "report-no": rec.get("report-no"),
        "categories": re.sub(r"\s+", " ", rec.get("categories", "")).strip(),
        "license": rec.get("license"),
        "abstract": rec["abstract"],
        "versions": [{"version": v, "created": d} for v, d in versions],
        "update_date": update,
        "authors_parsed": authors_parsed(rec.get("authors", "")),
    }


def walk(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    yield os.path.join(root, f)
        else:
            yield p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("-o", "--out", default="-")
    ap.add_argument("--limit", type=int, default=0, help="write at most N records")
    args = ap.parse_args()
    best = {}
    for path in walk(args.paths):
        base = os.path.basename(path)
        if not (base.endswith(".abs") or "/listings/" in path.replace(os.sep, "/")):
            continue
        for rec in records(read_text(path)):
            old = best.get(rec["id"])
            score = (len(rec["versions"]), bool(rec["abstract"].strip()))
            if old is None or score > (len(old["versions"]), bool(old["abstract"].strip())):
                best[rec["id"]] = rec
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    n = 0
    for rid in sorted(best):
        if args.limit and n >= args.limit:
            break
        out.write(json.dumps(to_kaggle(best[rid]), ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        n += 1
    if out is not sys.stdout:
        out.close()
    print(f"abs2kaggle: {n} records", file=sys.stderr)


if __name__ == "__main__":
    main()
