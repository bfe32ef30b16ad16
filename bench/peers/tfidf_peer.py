"""Peer: TF-IDF over character 3-grams of all catalogue titles (scikit-learn), cosine top-10 with
sparse_dot_topn (2 threads) — the scalable approach a data team would pick.

usage: tfidf_peer.py WORKS USAGE OUT_RESULTS [--sample N] [--seed S] [--timing FILE]
"""
import argparse
import json
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sparse_dot_topn import sp_matmul_topn

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
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    t0 = time.perf_counter()
    works, choices, owner = common.read_works(a.works)
    owner = np.asarray(owner, dtype=np.int64)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), lowercase=True, dtype=np.float32)
    catalogue = vec.fit_transform(choices)
    catalogue_t = catalogue.T.tocsr()
    t1 = time.perf_counter()
    lines = common.read_usage(a.usage, a.sample or None, a.seed)
    out = common.ResultsWriter(a.out)
    t2 = time.perf_counter()
    c2 = time.process_time()
    batch = 20000
    for start in range(0, len(lines), batch):
        part = lines[start:start + batch]
        q = vec.transform([r.get("title", "") or "" for r in part])
        m = sp_matmul_topn(q, catalogue_t, top_n=3 * a.top, threshold=0.05, sort=True, n_threads=a.threads)
        m = m.tocsr()
        for i, row in enumerate(part):
            lo, hi = m.indptr[i], m.indptr[i + 1]
            best = {}
            for j, v in zip(m.indices[lo:hi], m.data[lo:hi]):
                k = int(owner[j])
                if k not in best:
                    best[k] = float(v)
            scored = sorted(best.items(), key=lambda x: -x[1])[: a.top]
            decision = common.decide([s for _, s in scored], auto=0.9, review=0.5, margin=0.05)
            out.line(row["line_id"], scored, works, decision, "tfidf-char3")
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
