"""Benchmark: Oeuvre side by side with the tools a user would pick instead, on one generated data set.

Called by bench/run (which prepares the Python venv). See bench/README.md.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
PEERS = os.path.join(BENCH, "peers")

# Bump when `oeuvre synth` writes different files for the same settings (cached data sets are keyed by it).
# 2: hard negatives take the shortest title of three catalogued works (different songs share short titles).
# 3: --ugc (5% of lines presented as user-uploaded videos).
# 4: more user-upload title shapes (no separator, quotes, file names, track numbers).
# 5: the title space grows with the catalogue (specific titles above 10k works; smaller sets unchanged).
GENERATOR = 5
PRESETS = {
    # ≈ 5 minutes on the 2-core dev machine.
    "quick": {"works": 50_000, "lines": 50_000, "rapidfuzz_sample": 200, "tfidf_sample": 0, "seed": 20250301},
    # The issue-6/7 target scale: 1M works, 1M lines. Peers run on samples and are extrapolated.
    "full": {"works": 1_000_000, "lines": 1_000_000, "rapidfuzz_sample": 20, "tfidf_sample": 20_000, "seed": 20250301},
}


def log(msg):
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def timed(cmd, cwd=ROOT, stdout_path=None):
    """Runs cmd under /usr/bin/time -v; returns dict(ok, wall, rss_mb, stdout, stderr, cmd)."""
    full = ["/usr/bin/time", "-v"] + cmd
    log("$ " + " ".join(cmd))
    t0 = time.perf_counter()
    out_f = open(stdout_path, "w") if stdout_path else subprocess.PIPE
    p = subprocess.run(full, cwd=cwd, stdout=out_f, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if stdout_path:
        out_f.close()
    stderr = p.stderr or ""
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    rss = int(m.group(1)) / 1024 if m else None
    cpu = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", stderr)) or None
    # Keep only the program's own stderr (drop the time -v report).
    own = stderr.split("\tCommand being timed:")[0]
    return {"ok": p.returncode == 0, "code": p.returncode, "wall": wall, "rss_mb": rss, "cpu": cpu,
            "stdout": "" if stdout_path else p.stdout, "stderr": own.strip(), "cmd": " ".join(cmd)}


def first_error(r):
    lines = [l.strip() for l in r["stderr"].splitlines() if l.strip() and not l.startswith("Command exited with non-zero status")]
    errors = [l for l in lines if "error" in l.lower()]
    return ((errors or lines or [f"exit {r['code']}"])[0])[:160]


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        for _ in f:
            n += 1
    return max(0, n - 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("preset", nargs="?", default="quick", choices=sorted(PRESETS))
    ap.add_argument("--oeuvre", default=os.path.join(ROOT, ".build/release/oeuvre"))
    ap.add_argument("--no-build", action="store_true", help="do not (re)build the release binary")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--skip-oeuvre", action="store_true")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--works", type=int)
    ap.add_argument("--lines", type=int)
    ap.add_argument("--out", help="results markdown (default bench/results/<preset>.md)")
    ap.add_argument("--peers-from", help="reuse the peers' figures of an earlier run's report.json on the same data set")
    a = ap.parse_args()

    cfg = dict(PRESETS[a.preset])
    if a.works:
        cfg["works"] = a.works
    if a.lines:
        cfg["lines"] = a.lines
    started = time.perf_counter()
    # GENERATOR names the version of `oeuvre synth`'s output: a new version gets a new data directory.
    data = os.path.join(BENCH, ".data", f"{a.preset}-{cfg['works']}-{cfg['lines']}-{cfg['seed']}-g{GENERATOR}")
    work = os.path.join(data, "runs")
    os.makedirs(work, exist_ok=True)
    oeuvre = a.oeuvre

    if not a.no_build:
        log("building the release binary (swift build -c release --product oeuvre)")
        b = subprocess.run(["swift", "build", "-c", "release", "--product", "oeuvre"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if b.returncode != 0:
            print(b.stdout[-3000:], file=sys.stderr)
            sys.exit("release build failed")
    if not os.access(oeuvre, os.X_OK):
        sys.exit(f"no oeuvre binary at {oeuvre}")

    report = {"preset": a.preset, "config": cfg, "machine": machine(), "steps": {}, "tools": {}}

    # 1. BLAS: this machine's sgemm peak and kernel, in the same run.
    r = timed([oeuvre, "bench", "sgemm", "--json"])
    report["sgemm"] = json.loads(r["stdout"]) if r["ok"] else {"error": first_error(r)}

    # 2. Data set.
    works_csv, usage, truth = (os.path.join(data, f) for f in ("works.csv", "usage.tsv", "truth.tsv"))
    stamp = os.path.join(data, "synth.json")
    if not os.path.exists(stamp):
        r = timed([oeuvre, "synth", "--works", str(cfg["works"]), "--lines", str(cfg["lines"]), "--seed",
                   str(cfg["seed"]), "--out", data, "--no-cwr", "--no-dsr", "--json"])
        if not r["ok"]:
            sys.exit("oeuvre synth failed: " + first_error(r))
        info = json.loads(r["stdout"])
        info["wall"] = r["wall"]
        info["rss_mb"] = r["rss_mb"]
        with open(stamp, "w") as f:
            json.dump(info, f)
    with open(stamp) as f:
        report["synth"] = json.load(f)
    lines = count_lines(usage)

    # 3. Oeuvre: import, index build, match, evaluate.
    if not a.skip_oeuvre:
        report["tools"]["Oeuvre"] = run_oeuvre(oeuvre, data, work, works_csv, usage, truth, lines, report)

    # 4. Peers.
    if a.peers_from:
        with open(a.peers_from) as f:
            earlier = json.load(f)
        if earlier.get("config") != cfg:
            sys.exit("--peers-from: that run used another data set")
        for name, t in earlier["tools"].items():
            if name != "Oeuvre":
                notes = t.setdefault("notes", [])
                if "figures from an earlier run on the same data" not in notes:  # chained --peers-from: once
                    notes.append("figures from an earlier run on the same data")
                report["tools"][name] = t
    elif not a.skip_peers:
        report["tools"]["TF-IDF char-3 + sparse_dot_topn"] = run_peer(
            a.python, "tfidf_peer.py", "tfidf", cfg["tfidf_sample"], lines, oeuvre, data, work, works_csv, usage, truth)
        report["tools"]["rapidfuzz process.extract"] = run_peer(
            a.python, "rapidfuzz_peer.py", "rapidfuzz", cfg["rapidfuzz_sample"], lines, oeuvre, data, work, works_csv,
            usage, truth)

    report["seconds"] = time.perf_counter() - started
    md = render(report)
    out = a.out or os.path.join(BENCH, "results", f"{a.preset}.md")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(md)
    with open(os.path.join(work, "report.json"), "w") as f:
        json.dump(report, f, indent=1, default=str)
    print(md)
    log(f"written {out}")


def machine():
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform()}


def evaluate(oeuvre, truth, results, python):
    r = timed([oeuvre, "evaluate", "--truth", truth, "--results", results, "--json"])
    if r["ok"]:
        try:
            return json.loads(r["stdout"]), "oeuvre evaluate"
        except json.JSONDecodeError:
            pass
    r2 = timed([python, os.path.join(PEERS, "evaluate.py"), truth, results])
    if r2["ok"]:
        return json.loads(r2["stdout"]), "bench/peers/evaluate.py (no `oeuvre evaluate --truth --results` in this build)"
    return {"error": first_error(r2)}, "failed"


def run_oeuvre(oeuvre, data, work, works_csv, usage, truth, lines, report):
    tool = {"steps": {}, "notes": []}
    db = os.path.join(work, "oeuvre", "catalogue.sqlite")
    if os.path.exists(os.path.dirname(db)):
        shutil.rmtree(os.path.dirname(db))
    os.makedirs(os.path.dirname(db))
    results = os.path.join(work, "oeuvre-results.tsv")
    steps = [
        ("import", [oeuvre, "catalog", "import", works_csv, "--db", db]),
        ("index", [oeuvre, "index", "build", "--db", db]),
        ("match", [oeuvre, "match", usage, "--db", db, "--out", results]),
    ]
    for name, cmd in steps:
        r = timed(cmd)
        tool["steps"][name] = {"wall": r["wall"], "cpu": r["cpu"], "rss_mb": r["rss_mb"], "ok": r["ok"], "cmd": r["cmd"]}
        if not r["ok"]:
            tool["error"] = f"`{name}` failed: {first_error(r)}"
            log(tool["error"])
            return tool
        if name == "match":
            tool["match_stderr"] = r["stderr"][-2000:]
            m = re.findall(r"([0-9.]+)\s*GFLOP/s", r["stderr"])
            if m:
                tool["blas_gflops"] = m[-1]
    size = sum(os.path.getsize(os.path.join(os.path.dirname(db), f)) for f in os.listdir(os.path.dirname(db)))
    tool["catalogue_dir_mb"] = size / 2**20
    tool["lines"] = lines
    tool["lines_per_s"] = lines / tool["steps"]["match"]["wall"]
    if tool["steps"]["match"].get("cpu"):
        tool["lines_per_cpu_s"] = lines / tool["steps"]["match"]["cpu"]
    tool["rss_mb"] = max(s["rss_mb"] or 0 for s in tool["steps"].values())
    tool["metrics"], tool["scored_by"] = evaluate(oeuvre, truth, results, sys.executable)
    # ISRC-linked lines alone (the direct-hit path).
    linked = linked_subset(works_csv, usage, os.path.join(work, "usage-linked.tsv"))
    if linked:
        r = timed([oeuvre, "match", os.path.join(work, "usage-linked.tsv"), "--db", db, "--out",
                   os.path.join(work, "oeuvre-linked-results.tsv"), "--json-summary"])
        if r["ok"]:
            tool["linked"] = {"lines": linked, "wall": r["wall"], "lines_per_s": linked / r["wall"]}
            # The summary's own clock: reading the report and deciding every line, without process start-up,
            # model and index loading, writing the rows, the output's fsync and exit.
            for l in r["stderr"].splitlines():
                if l.startswith("{"):
                    try:
                        own = json.loads(l).get("lines_per_second")
                    except ValueError:
                        own = None
                    if own:
                        tool["linked"]["match_lines_per_s"] = own
    return tool


def linked_subset(works_csv, usage, out, min_lines=3_000_000):
    sys.path.insert(0, PEERS)
    import common  # noqa: E402
    linked = set()
    import csv
    with open(works_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for i in (row.get("isrcs") or "").split("|"):
                if i:
                    linked.add(i)
    rows = []
    with open(usage, encoding="utf-8") as f:
        header = f.readline()
        for line in f:
            c = line.split("\t", 2)
            if len(c) > 1 and c[1] in linked:
                rows.append(line)
    # A month's report has millions of lines: the subset is repeated (line ids suffixed ~2, ~3, …) to at
    # least 3M lines, so that process start-up, loading and the output's fsync (≈ 0.5 s together, session 13)
    # do not dominate the figure (at 1.2M lines they were 40% of it).
    n = 0
    with open(out, "w", encoding="utf-8") as o:
        o.write(header)
        copy = 1
        while rows and (copy == 1 or n < min_lines):
            for line in rows:
                if copy > 1:
                    lid, rest = line.split("\t", 1)
                    line = f"{lid}~{copy}\t{rest}"
                o.write(line)
                n += 1
            copy += 1
    return n


def run_peer(python, script, name, sample, lines, oeuvre, data, work, works_csv, usage, truth):
    tool = {"notes": []}
    results = os.path.join(work, f"{name}-results.tsv")
    timing = os.path.join(work, f"{name}-timing.json")
    cmd = [python, os.path.join(PEERS, script), works_csv, usage, results, "--timing", timing]
    sampled = bool(sample) and sample < lines
    if sampled:
        cmd += ["--sample", str(sample)]
    r = timed(cmd)
    if not r["ok"]:
        tool["error"] = first_error(r)
        log(f"{name} failed: {tool['error']}")
        return tool
    with open(timing) as f:
        t = json.load(f)
    tool["lines"] = t["lines"]
    tool["index_s"] = t["load_s"]
    tool["match_s"] = t["match_s"]
    tool["lines_per_s"] = t["lines"] / max(t["match_s"], 1e-9)
    if t.get("match_cpu_s"):
        tool["lines_per_cpu_s"] = t["lines"] / max(t["match_cpu_s"], 1e-9)
    tool["rss_mb"] = r["rss_mb"]
    tool["sampled"] = sampled
    if sampled:
        tool["notes"].append(f"sample of {t['lines']} lines, lines/s extrapolated")
        sys.path.insert(0, PEERS)
        import common  # noqa: E402
        ids = [l.split("\t", 1)[0] for l in open(results, encoding="utf-8").read().splitlines()[1:]]
        sub = os.path.join(work, f"{name}-truth.tsv")
        common.write_truth_subset(truth, ids, sub)
        truth = sub
    tool["metrics"], tool["scored_by"] = evaluate(oeuvre, truth, results, python)
    return tool


def rate(v):
    """A rate for the table: thousands separators, decimals only below 10 (a peer at 0.2 lines/s is not 0)."""
    return f"{v:,.0f}" if v >= 10 else f"{v:.2g}"


def fmt(v, pct=False, digits=3):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if pct:
        return f"{100 * v:.1f}%"
    return f"{v:.{digits}f}"


def recall10(m):
    r = m.get("recall_at_k")
    if isinstance(r, dict):
        if "10" in r:
            return r["10"]
        if 10 in r:
            return r[10]
        keys = sorted(r, key=lambda k: int(k))
        return r[keys[-1]] if keys else None
    return r


def render(rep):
    cfg, s, sg = rep["config"], rep["synth"], rep.get("sgemm", {})
    out = [f"# Benchmark `{rep['preset']}` — {datetime.date.today().isoformat()}", ""]
    out.append(f"Machine: {rep['machine']['cpu']}, {rep['machine']['cores']} cores; "
               f"OpenBLAS kernel **{sg.get('core', '?')}** ({sg.get('threads', '?')} threads), "
               f"sgemm peak **{sg.get('square_gflops', '?')} GFLOP/s** ({sg.get('square_size', '?')}³), "
               f"{sg.get('rerank_gflops', '?')} GFLOP/s at the re-ranking shape 256×12800×256.")
    if sg.get("kernel_warning"):
        out.append(f"BLAS warning: {sg['kernel_warning']}")
    out.append("")
    out.append(f"Data: `oeuvre synth --works {cfg['works']} --lines {cfg['lines']} --seed {cfg['seed']}` — "
               f"{s.get('works')} works ({s.get('linked_recordings')} ISRC-linked recordings), {s.get('lines')} lines, "
               f"{s.get('distinct_recordings')} distinct recordings, "
               f"{fmt(s.get('out_of_catalogue_lines', 0) / max(1, s.get('lines', 1)), pct=True)} of lines out of catalogue, "
               f"{fmt(s.get('isrc_linked_lines', 0) / max(1, s.get('lines', 1)), pct=True)} ISRC-linked; "
               f"generated in {s.get('wall', 0):.1f} s.")
    out.append("")
    out.append("| tool | lines/s | lines/CPU-s | top-1 | recall@10 | auto precision | auto share | wrong auto (out-of-catalogue) | peak RSS | notes |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, t in rep["tools"].items():
        if "error" in t:
            done = "; ".join(f"{k} {v['wall']:.1f} s" for k, v in t.get("steps", {}).items() if v.get("ok"))
            out.append(f"| {name} | – | – | – | – | – | – | – | – | not measured: {t['error']}{' (' + done + ')' if done else ''} |")
            continue
        m = t.get("metrics", {})
        notes = list(t.get("notes", []))
        if t.get("scored_by") and t["scored_by"] != "oeuvre evaluate":
            notes.append("scored by " + t["scored_by"])
        if name == "Oeuvre":
            st = t["steps"]
            notes.append(f"import {st['import']['wall']:.1f} s, index {st['index']['wall']:.1f} s, "
                         f"match {st['match']['wall']:.1f} s")
            # The speed target counts distinct recordings (a report repeats each one on several lines).
            if s.get("distinct_recordings") and st["match"].get("wall"):
                notes.append(f"**{s['distinct_recordings'] / st['match']['wall']:,.0f} distinct recordings/s** "
                             f"({s['distinct_recordings']:,} in the match step's wall time)")
            # The peak RSS column is the largest of the three steps (the index build's, as a rule); each step's own:
            if all(st[k].get("rss_mb") for k in ("import", "index", "match")):
                notes.append(f"peak RSS of import / index build / match: {st['import']['rss_mb']:,.0f} / "
                             f"{st['index']['rss_mb']:,.0f} / {st['match']['rss_mb']:,.0f} MB")
            if t.get("blas_gflops"):
                notes.append(f"dense re-ranking {t['blas_gflops']} GFLOP/s")
            if t.get("linked"):
                own = t["linked"].get("match_lines_per_s")
                notes.append(f"ISRC-linked lines alone ({t['linked']['lines']:,} lines: the linked subset repeated to ≥ 3M): "
                             f"{t['linked']['lines_per_s']:,.0f} lines/s in the process's wall time"
                             + (f" ({own:,.0f} lines/s reading and deciding, the summary's clock)" if own else ""))
        else:
            notes.append(f"index {t['index_s']:.1f} s")
        lps = t.get("lines_per_s")
        lps_s = rate(lps) + ("*" if t.get("sampled") else "") if lps else "–"
        rss = f"{t['rss_mb']:,.0f} MB" if t.get("rss_mb") else "–"
        cps = t.get("lines_per_cpu_s")
        cps_s = rate(cps) + ("*" if t.get("sampled") else "") if cps else "–"
        out.append(f"| {name} | {lps_s} | {cps_s} | {fmt(m.get('top1'))} | {fmt(recall10(m))} | {fmt(m.get('auto_precision'))} | "
                   f"{fmt(m.get('auto_share'), pct=True)} | {fmt(m.get('wrong_auto_out'), pct=True)} | {rss} | "
                   f"{'; '.join(notes)} |")
    out.append("")
    oe = rep["tools"].get("Oeuvre")
    if oe and "error" not in oe:
        for name, t in rep["tools"].items():
            if name == "Oeuvre" or "error" in t or not t.get("lines_per_s"):
                continue
            ratio = oe["lines_per_s"] / t["lines_per_s"]
            cpu_ratio = (f", {oe['lines_per_cpu_s'] / t['lines_per_cpu_s']:,.1f}× lines per CPU-second"
                         if oe.get("lines_per_cpu_s") and t.get("lines_per_cpu_s") else "")
            r_oe, r_p = recall10(oe.get("metrics", {})), recall10(t.get("metrics", {}))
            dr = f"{(r_oe - r_p):+.3f}" if isinstance(r_oe, (int, float)) and isinstance(r_p, (int, float)) else "–"
            out.append(f"- Oeuvre vs {name}: **{ratio:,.1f}×** lines/s{cpu_ratio}, recall@10 {dr}.")
        out.append("")
    out.append("`*` measured on a sample of the lines (same sample scored on quality), lines/s extrapolated. "
               "Peers' thresholds: rapidfuzz auto ≥ 0.92 (margin 0.03), review ≥ 0.75; TF-IDF auto ≥ 0.90 "
               "(margin 0.05), review ≥ 0.50. lines/s counts matching only (catalogue loading and indexing "
               "reported apart); Oeuvre's match time includes loading its index. lines/CPU-s divides by the "
               "process's user + system CPU time (steadier than wall time on a shared machine). Peak RSS from "
               "`/usr/bin/time -v`.")
    out.append("")
    out.append(f"Run: `bench/run {rep['preset']}` ({rep['seconds'] / 60:.1f} min in total).")
    if oe and oe.get("error"):
        out.append("")
        out.append(f"Oeuvre: {oe['error']}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
