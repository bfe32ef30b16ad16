#!/usr/bin/env python3
"""Generates Oeuvre's own labelled training pairs (works.csv, usage.tsv, pairs.tsv) from a seed.

Everything here is invented by this script: word lists, names, identifiers. Identifiers are
well-formed (ISWC and IPI check digits valid, ISRC structure valid) but fictitious.

    python3 training-data/generate.py [--seed 20240601] [--works 1000] [--lines 1800] [--out training-data]

Deterministic for a seed (Python's random.Random). See training-data/README.md.
"""
import argparse
import csv
import os
import random

WORDS = {
    "en": ("love heart night fire rain summer dream light home road river sky blue golden wild young forever "
           "tonight dance shadow angel ocean moon star stay believe broken lonely heaven city lights girl boy "
           "time world money highway sweet little last first kiss tears gone free run").split(),
    "fr": ("amour coeur nuit feu pluie ete reve lumiere maison route riviere ciel bleu doux jeune toujours "
           "danse ombre ange ocean lune etoile reste vie monde temps fille garcon larmes libre").split(),
    "es": ("amor corazon noche fuego lluvia verano sueno luz casa camino rio cielo azul dulce joven siempre "
           "baila sombra angel mar luna estrella quedate vida mundo tiempo nina lagrimas libre").split(),
    "de": ("liebe herz nacht feuer regen sommer traum licht haus strasse fluss himmel blau suss jung immer "
           "tanz schatten engel meer mond stern bleib leben welt zeit madchen tranen frei").split(),
    "it": ("amore cuore notte fuoco pioggia estate sogno luce casa strada fiume cielo azzurro dolce giovane "
           "sempre ballo ombra angelo mare luna stella resta vita mondo tempo ragazza lacrime libero").split(),
    "pt": ("amor coracao noite fogo chuva verao sonho luz casa estrada rio ceu azul doce jovem sempre "
           "danca sombra anjo mar lua estrela fica vida mundo tempo menina lagrimas livre").split(),
}
# Non-Latin titles with their Latin (translated) alternates.
NON_LATIN = [
    ("夜空の星", "Stars in the Night Sky"), ("さくら", "Cherry Blossom"), ("愛してる", "I Love You"),
    ("Звезда", "Star"), ("Ночной город", "Night City"), ("Весна", "Spring"), ("Αγάπη μου", "My Love"),
    ("Θάλασσα", "Sea"), ("사랑해", "Love You"), ("하늘", "Sky"), ("月亮代表我的心", "The Moon Represents My Heart"),
    ("Любовь", "Love"), ("海の声", "Voice of the Sea"), ("Καλοκαίρι", "Summer"), ("별빛", "Starlight"),
]
FIRST = ("anna marie john paul lucia pedro hans sofia marco chiara joao beatriz emma louis claire diego carmen "
         "klaus greta luca giulia rita tiago yuki kenji olga ivan nikos eleni minho jisoo").split()
LAST = ("smith martin garcia muller rossi silva dubois lopez schneider bianchi santos moreau fernandez weber "
        "romano costa laurent torres fischer ricci oliveira tanaka sato ivanov petrova papadopoulos kim park").split()
BAND_A = "the blue red silver golden midnight electric velvet northern crystal".split()
BAND_B = "foxes rivers lanterns echoes wolves satellites sparrows machines pilots tides".split()
DECORATIONS = [
    ("{t} - Remastered {y}", "remaster"), ("{t} (Live at {v})", "live"), ("{t} - Live", "live"), ("{t} [Radio Edit]", "edit"),
    ("{t} (Acoustic)", "acoustic"), ("{t} (Karaoke Version)", "karaoke"), ("{t} (Instrumental)", "instrumental"),
    ("{t} ({r} Remix)", "remix"), ("{t} (Demo)", "demo"), ("{t} (feat. {f})", "feat"), ("{t} [Explicit]", "explicit"),
    ("{t} (Single Version)", "edit"), ("{t} - {y} Remaster", "remaster"),
]
VENUES = ["Wembley", "Olympia", "Madison Square Garden", "Budokan", "Montreux", "the BBC"]


def iswc(rng):
    digits = [rng.randrange(10) for _ in range(9)]
    s = 1 + sum((i + 1) * d for i, d in enumerate(digits))
    return "T" + "".join(map(str, digits)) + str((10 - s % 10) % 10)


def ipi(rng):
    digits = [rng.randrange(10) for _ in range(9)]
    r = sum(d * (10 - i) for i, d in enumerate(digits)) % 101
    check = 0 if r == 0 else (101 - r) % 100
    return "".join(map(str, digits)) + f"{check:02d}"


def isrc(rng):
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "QZ" + "".join(rng.choice(letters) for _ in range(3)) + f"{rng.randrange(100):02d}{rng.randrange(100000):05d}"


def person(rng):
    return f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}"


def band(rng):
    return f"{rng.choice(BAND_A).title()} {rng.choice(BAND_B).title()}"


def title(rng, lang):
    n = rng.choice([1, 2, 2, 3, 3, 4])
    return " ".join(rng.choice(WORDS[lang]) for _ in range(n)).title()


def typo(rng, text):
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + rng.choice("aeiourstn") + text[i + 1:]


def make_work(rng, k, titles_seen):
    w = {"work_id": f"OW{k:06d}"}
    lang = rng.choice(list(WORDS))
    alt = []
    if rng.random() < 0.06:
        original, latin = rng.choice(NON_LATIN)
        t = original
        alt.append(latin)
    elif titles_seen and rng.random() < 0.08:
        t = rng.choice(titles_seen)  # a different work with the same title
    else:
        t = title(rng, lang)
    if rng.random() < 0.12:
        alt.append(title(rng, rng.choice(list(WORDS))))  # a translated title
    titles_seen.append(t)
    writers = [person(rng) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
    performer = writers[0] if rng.random() < 0.25 else (band(rng) if rng.random() < 0.5 else person(rng))
    w.update({
        "iswc": iswc(rng) if rng.random() < 0.8 else "",
        "title": t,
        "alt_titles": "|".join(alt),
        "writers": "|".join(writers),
        "writer_ipis": "|".join(ipi(rng) for _ in writers) if rng.random() < 0.7 else "",
        "performers": performer,
        "isrcs": "|".join(isrc(rng) for _ in range(rng.choice([0, 0, 1, 1, 2]))),
        "duration": rng.randrange(140, 340),
    })
    w["_has_duration"] = rng.random() < 0.7
    return w


def make_line(rng, k, w, performers):
    """A usage line reporting a recording of work w (a dict as from make_work)."""
    t = w["title"]
    if w["alt_titles"] and rng.random() < 0.4:
        t = rng.choice(w["alt_titles"].split("|"))
    artist = w["performers"]
    cover = rng.random() < 0.3
    if cover:
        artist = rng.choice(performers)
    duration = w["duration"] + rng.randrange(-4, 5)
    r = rng.random()
    if r < 0.45:
        fmt, kind = rng.choice(DECORATIONS)
        t = fmt.format(t=t, y=rng.randrange(1995, 2024), v=rng.choice(VENUES), r=person(rng).split()[1], f=person(rng))
        if kind == "live":
            duration += rng.randrange(5, 40)
        elif kind == "remix":
            duration += rng.randrange(-30, 90)
        elif kind == "edit":
            duration -= rng.randrange(0, 40)
    if rng.random() < 0.12:
        t = typo(rng, t)
    if rng.random() < 0.15:
        t = t.upper() if rng.random() < 0.5 else t.lower()
    if rng.random() < 0.05 and len(t) > 12:
        t = t[: rng.randrange(8, len(t) - 2)]  # truncated by the service
    if rng.random() < 0.1:
        artist = ""
    elif rng.random() < 0.1 and not cover:
        artist = f"{artist} feat. {person(rng)}"
    line = {
        "line_id": f"L{k:06d}",
        "isrc": "",
        "title": t,
        "artist": artist,
        "duration": f"{duration // 60}:{duration % 60:02d}" if rng.random() < 0.85 else "",
        "plays": int(rng.paretovariate(1.2) * 10),
        "iswc": w["iswc"] if w["iswc"] and rng.random() < 0.05 else "",
        "writers": "|".join(w["writers"].split("|")[:1]) if rng.random() < 0.1 else "",
    }
    if w["isrcs"] and not cover and rng.random() < 0.3:
        line["isrc"] = rng.choice(w["isrcs"].split("|"))
    return line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--works", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=1800)
    ap.add_argument("--candidates", type=int, default=4, help="hard negatives per line")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    rng = random.Random(a.seed)

    titles_seen = []
    works = [make_work(rng, k + 1, titles_seen) for k in range(a.works)]
    # Works whose lines are reported but which are not in the catalogue (15% of lines).
    outside = [make_work(rng, 900000 + k, titles_seen) for k in range(a.works // 5)]
    performers = sorted({w["performers"] for w in works})
    by_word = {}
    for i, w in enumerate(works):
        for word in set(w["title"].lower().split()):
            by_word.setdefault(word, []).append(i)
    by_performer = {}
    for i, w in enumerate(works):
        by_performer.setdefault(w["performers"], []).append(i)

    lines, pairs = [], []
    for k in range(a.lines):
        inside = rng.random() < 0.85
        wi = rng.randrange(len(works)) if inside else None
        w = works[wi] if inside else rng.choice(outside)
        line = make_line(rng, k + 1, w, performers)
        lines.append(line)
        # Hard negatives: works sharing a title word, then the same performer, then random works.
        pool = []
        for word in set(w["title"].lower().split()):
            pool += by_word.get(word, [])
        pool += by_performer.get(w["performers"], [])
        pool = sorted(set(pool) - {wi})
        rng.shuffle(pool)
        negatives = pool[: a.candidates]
        while len(negatives) < a.candidates:
            j = rng.randrange(len(works))
            if j != wi and j not in negatives:
                negatives.append(j)
        split = "test" if rng.random() < 0.2 else "train"
        candidates = ([(wi, 1)] if inside else []) + [(j, 0) for j in negatives]
        rng.shuffle(candidates)
        for j, label in candidates:
            pairs.append({"line_id": line["line_id"], "work_id": works[j]["work_id"], "label": label, "split": split})

    with open(os.path.join(a.out, "works.csv"), "w", newline="", encoding="utf-8") as f:
        cols = ["work_id", "iswc", "title", "alt_titles", "writers", "writer_ipis", "performers", "isrcs", "duration"]
        wr = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        wr.writeheader()
        for w in works:
            row = dict(w)
            row["duration"] = f"{w['duration'] // 60}:{w['duration'] % 60:02d}" if w["_has_duration"] else ""
            wr.writerow(row)
    with open(os.path.join(a.out, "usage.tsv"), "w", encoding="utf-8") as f:
        cols = ["line_id", "isrc", "title", "artist", "duration", "plays", "iswc", "writers"]
        f.write("\t".join(cols) + "\n")
        for line in lines:
            f.write("\t".join(str(line[c]) for c in cols) + "\n")
    with open(os.path.join(a.out, "pairs.tsv"), "w", encoding="utf-8") as f:
        f.write("line_id\twork_id\tlabel\tsplit\n")
        for p in pairs:
            f.write(f"{p['line_id']}\t{p['work_id']}\t{p['label']}\t{p['split']}\n")
    print(f"{len(works)} works, {len(lines)} lines, {len(pairs)} pairs ({sum(p['label'] for p in pairs)} positive) in {a.out}")


if __name__ == "__main__":
    main()
