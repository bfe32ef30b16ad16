#!/usr/bin/env python3
"""Seeded generator of a works catalogue in the works CSV contract (ARCHITECTURE.md):
work_id, iswc, title, alt_titles, writers, writer_ipis, performers, isrcs, duration.

Deterministic for a given --seed. Includes what real catalogues have: ISWCs on ~80% of works
(a few shared by two works, a few with a bad check digit), 1-4 writers with IPI name numbers
(some missing, a few with bad check digits), alternate titles, quoted cells with commas and
quotes, non-ASCII names, 0-4 ISRCs per work (0.1% shared with another work) and m:ss durations.

  bench/gen-works-csv.py --works 1000000 --seed 42 --out works.csv
"""
import argparse
import random
import sys

WORDS = ("love night heart fire dream rain summer blue river home light dance shadow road angel wild "
         "time gold stone moon star sky ocean city girl boy world song rose lost forever tonight baby "
         "sweet little black white red green free broken heaven storm winter spring morning evening "
         "memory kiss secret paradise thunder silver crystal desert island highway midnight echo").split()
EXTRA = ("amor corazón noche été cœur liebe herz sommer nuit fuego mañana sol luna canción "
         "мечта ночь 夜 愛 사랑").split()
FIRST = ("john mary james anna robert linda michael susan david karen peter julia paul laura mark "
         "sofia lucas emma noah mia liam olivia jean françois björn zoë josé maría ольга 健").split()
LAST = ("smith jones taylor brown williams wilson johnson davies robinson wright thompson evans "
        "walker white roberts green hall wood jackson clarke müller schmidt dubois martin garcía "
        "rodríguez rossi andersson nielsen kowalski nowak tanaka kim иванов").split()
BANDS = ("the examples", "night drive", "silver lining", "the wanderers", "blue horizon", "echo park",
         "los caminos", "velvet rooms", "the northern lights", "paper moons")


def iswc(n: int) -> str:
    d = f"{n:09d}"
    s = 1 + sum((i + 1) * int(c) for i, c in enumerate(d))
    return f"T{d}{(10 - s % 10) % 10}"


def ipi(n: int) -> str:
    d = f"{n:09d}"
    t = sum(int(c) * (10 - i) for i, c in enumerate(d))
    r = t % 101
    c = 0 if r == 0 else (101 - r) % 100
    return f"{d}{c:02d}"


def cell(s: str) -> str:
    if any(ch in s for ch in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def title(rng: random.Random) -> str:
    n = rng.choice((1, 2, 2, 3, 3, 4, 5))
    words = [rng.choice(WORDS if rng.random() > 0.05 else EXTRA) for _ in range(n)]
    t = " ".join(words).title()
    r = rng.random()
    if r < 0.03:
        t += ", Pt. " + str(rng.randint(1, 3))
    elif r < 0.05:
        t = '"' + t + '"'
    elif r < 0.07:
        t += " (From \"" + rng.choice(WORDS).title() + "\")"
    return t


def person(rng: random.Random) -> str:
    return (rng.choice(FIRST) + " " + rng.choice(LAST)).title()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="")
    writers_pool = [(person(rng), ipi(100_000 + i) if rng.random() < 0.85 else "") for i in range(max(1000, a.works // 4))]
    w = out.write
    w("work_id,iswc,title,alt_titles,writers,writer_ipis,performers,isrcs,duration\r\n")
    isrc_seq = 0
    last_isrcs = []
    for i in range(a.works):
        wid = f"W{i + 1:08d}"
        r = rng.random()
        if r < 0.80:
            code = iswc(10_000_000 + i)
        elif r < 0.801 and i > 10:
            code = iswc(10_000_000 + rng.randint(0, i - 1))  # shared with an earlier work
        elif r < 0.802:
            good = iswc(10_000_000 + i)
            code = good[:-1] + str((int(good[-1]) + 1) % 10)  # bad check digit
        else:
            code = ""
        t = title(rng)
        alts = []
        if rng.random() < 0.15:
            alts.append(title(rng))
        if rng.random() < 0.03:
            alts.append(t.upper() + " (INSTRUMENTAL)")
        nw = rng.choice((1, 1, 2, 2, 2, 3, 4))
        ws = [rng.choice(writers_pool) for _ in range(nw)]
        names = [x[0] for x in ws]
        ipis = [x[1] for x in ws]
        if rng.random() < 0.001 and ipis[0]:
            ipis[0] = ipis[0][:-1] + str((int(ipis[0][-1]) + 1) % 10)
        performers = [rng.choice(BANDS) if rng.random() < 0.4 else person(rng) for _ in range(rng.choice((0, 1, 1, 1, 2)))]
        isrcs = []
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            if last_isrcs and rng.random() < 0.001:
                isrcs.append(rng.choice(last_isrcs))  # a recording credited to two works (medley, sample)
                continue
            isrc_seq += 1
            isrc_code = f"{rng.choice(('US', 'GB', 'FR', 'DE', 'SE'))}{rng.choice(('ABC', 'XYZ', 'Q1R', 'MUS'))}{(isrc_seq // 100000) % 100:02d}{isrc_seq % 100000:05d}"
            isrcs.append(isrc_code)
            last_isrcs.append(isrc_code)
            if len(last_isrcs) > 1000:
                del last_isrcs[:500]
        dur = rng.randint(90, 420)
        row = [wid, code, t, "|".join(alts), "|".join(names), "|".join(ipis) if any(ipis) else "",
               "|".join(performers), "|".join(isrcs), f"{dur // 60}:{dur % 60:02d}"]
        w(",".join(cell(c) for c in row) + "\r\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
