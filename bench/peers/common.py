"""Shared I/O for the peer matchers: the works contract in, the results contract out.

Works:   work_id, iswc, title, alt_titles, writers, writer_ipis, performers, isrcs, duration  (CSV, `|` multi-values)
Usage:   line_id, isrc, title, artist, duration, plays, ...                                  (TSV)
Results: line_id, rank, work_id, iswc, work_title, confidence, decision, reason             (TSV)
"""
import csv
import random
import sys

csv.field_size_limit(sys.maxsize)


def read_works(path):
    """Returns (works, choices, owner): works = list of dicts; choices = every title (original and
    alternates) as a string; owner[i] = index into works of choices[i]."""
    works, choices, owner = [], [], []
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            w = {
                "id": row["work_id"],
                "iswc": row.get("iswc", "") or "",
                "title": row["title"],
                "performers": [p for p in (row.get("performers") or "").split("|") if p],
                "writers": [p for p in (row.get("writers") or "").split("|") if p],
            }
            k = len(works)
            works.append(w)
            titles = [row["title"]] + [t for t in (row.get("alt_titles") or "").split("|") if t]
            for t in dict.fromkeys(titles):
                choices.append(t)
                owner.append(k)
    return works, choices, owner


def read_usage(path, sample=None, seed=1):
    """Usage lines as dicts; `sample` keeps a seeded random subset (in file order)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if sample and sample < len(rows):
        keep = set(random.Random(seed).sample(range(len(rows)), sample))
        rows = [r for i, r in enumerate(rows) if i in keep]
    return rows


def write_truth_subset(truth_path, line_ids, out_path):
    keep = set(line_ids)
    with open(truth_path, encoding="utf-8") as f, open(out_path, "w", encoding="utf-8") as out:
        out.write(f.readline())
        for line in f:
            if line.split("\t", 1)[0] in keep:
                out.write(line)


def clean(s):
    return (s or "").replace("\t", " ").replace("\n", " ").replace("\r", " ")


class ResultsWriter:
    HEADER = ["line_id", "rank", "work_id", "iswc", "work_title", "confidence", "decision", "reason"]

    def __init__(self, path):
        self.f = open(path, "w", encoding="utf-8")
        self.f.write("\t".join(self.HEADER) + "\n")

    def line(self, line_id, ranked, works, decision, reason):
        """ranked: list of (work_index, confidence in 0..1), best first."""
        if not ranked:
            self.f.write(f"{line_id}\t0\t\t\t\t0\tnone\tno-candidate\n")
            return
        for rank, (k, conf) in enumerate(ranked, 1):
            w = works[k]
            d = decision if rank == 1 else ("review" if decision == "review" else "none")
            self.f.write(f"{line_id}\t{rank}\t{w['id']}\t{w['iswc']}\t{clean(w['title'])}\t{conf:.4f}\t{d}\t{reason}\n")

    def close(self):
        self.f.close()


def decide(scores, auto, review, margin):
    """A threshold policy a user would configure: auto above `auto` with a margin over the next
    work, review above `review`, none below."""
    if not scores:
        return "none"
    best = scores[0]
    second = scores[1] if len(scores) > 1 else 0.0
    if best >= auto and best - second >= margin:
        return "auto"
    if best >= review:
        return "review"
    return "none"
