"""Fallback scorer with the same definitions and JSON keys as `oeuvre evaluate --json`, used by
bench/run only when the oeuvre binary has no `evaluate` command.

top1            share of in-catalogue lines whose rank-1 work is the true work
recall_at_k     {k: share of in-catalogue lines whose true work is within the first k} for k = 1, 5, 10
auto_precision  correct auto decisions / auto decisions (an auto on an out-of-catalogue line is wrong)
auto_share, review_share, none_share   share of all truth lines by rank-1 decision (missing line = none)
wrong_auto_out  share of out-of-catalogue lines auto-matched
"""
import json
import sys


def evaluate(truth_path, results_path):
    truth = {}
    with open(truth_path, encoding="utf-8") as f:
        f.readline()
        for line in f:
            c = line.rstrip("\n").split("\t")
            if c and c[0]:
                truth[c[0]] = c[1] if len(c) > 1 else ""
    ranked, decision = {}, {}
    with open(results_path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {h: i for i, h in enumerate(header)}
        for line in f:
            c = line.rstrip("\n").split("\t")
            lid = c[col["line_id"]]
            rank = int(c[col["rank"]] or 0)
            if rank <= 1:
                decision[lid] = c[col["decision"]]
            if rank >= 1:
                ranked.setdefault(lid, []).append((rank, c[col["work_id"]]))
    inside = [l for l, w in truth.items() if w]
    outside = [l for l, w in truth.items() if not w]
    ks = [1, 5, 10]
    hits = {k: 0 for k in ks}
    top1 = 0
    auto = correct_auto = review = none = wrong_out = 0
    for lid, w in truth.items():
        cands = [wid for _, wid in sorted(ranked.get(lid, []))]
        d = decision.get(lid, "none")
        if d == "auto":
            auto += 1
            if w and cands and cands[0] == w:
                correct_auto += 1
            if not w:
                wrong_out += 1
        elif d == "review":
            review += 1
        else:
            none += 1
        if w:
            if cands and cands[0] == w:
                top1 += 1
            for k in ks:
                if w in cands[:k]:
                    hits[k] += 1
    n = max(1, len(truth))
    ni = max(1, len(inside))
    return {
        "lines": len(truth),
        "top1": top1 / ni,
        "recall_at_k": {str(k): hits[k] / ni for k in ks},
        "auto_precision": correct_auto / auto if auto else None,
        "auto_share": auto / n,
        "review_share": review / n,
        "none_share": none / n,
        "wrong_auto_out": wrong_out / len(outside) if outside else None,
    }


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--json"]
    print(json.dumps(evaluate(args[0], args[1]), indent=1))
