"""Peer: rapidfuzz process.extract over all catalogue titles (WRatio, top 30), re-scored with
0.85 × title + 0.15 × token_set_ratio(artist, performers) — the baseline a user reaches for.

usage: rapidfuzz_peer.py WORKS USAGE OUT_RESULTS [--sample N] [--seed S] [--timing FILE]
"""
import argparse
import json
import time

from rapidfuzz import fuzz, process, utils

import common


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("works")
    ap.add_argument("usage")
    ap.add_argument("out")
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timing")
    ap.add_argument("--top", type=int, default=10)
    a = ap.parse_args()

    t0 = time.perf_counter()
    works, choices, owner = common.read_works(a.works)
    processed = [utils.default_process(c) for c in choices]
    t1 = time.perf_counter()
    lines = common.read_usage(a.usage, a.sample or None, a.seed)
    out = common.ResultsWriter(a.out)
    t2 = time.perf_counter()
    c2 = time.process_time()
    for row in lines:
        q = utils.default_process(row.get("title", ""))
        hits = process.extract(q, processed, scorer=fuzz.WRatio, limit=30, processor=None)
        best = {}
        for _, score, idx in hits:
            k = owner[idx]
            if score > best.get(k, -1):
                best[k] = score
        artist = row.get("artist", "") or ""
        scored = []
        for k, title_score in best.items():
            perf = " ".join(works[k]["performers"])
            art = fuzz.token_set_ratio(artist, perf, processor=utils.default_process) if artist and perf else 0.0
            scored.append((k, (0.85 * title_score + 0.15 * art) / 100.0))
        scored.sort(key=lambda x: -x[1])
        scored = scored[: a.top]
        decision = common.decide([s for _, s in scored], auto=0.92, review=0.75, margin=0.03)
        out.line(row["line_id"], scored, works, decision, "rapidfuzz-wratio")
    out.close()
    t3 = time.perf_counter()
    c3 = time.process_time()
    timing = {"load_s": t1 - t0, "match_s": t3 - t2, "match_cpu_s": c3 - c2, "lines": len(lines), "choices": len(choices),
              "line_ids_sampled": bool(a.sample)}
    if a.timing:
        with open(a.timing, "w") as f:
            json.dump(timing, f)
    print(json.dumps(timing))


if __name__ == "__main__":
    main()
