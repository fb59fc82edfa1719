"""place_tree throughput on a generated root of mixed real-world shapes (pure: no files, no services).

Usage: python bench/layout.py [--files 20000] [--repeat 7]
Prints the median and best of ``--repeat`` runs of ``place_tree`` over one path list (paths/s),
each run cold (the module's name caches emptied first, as in a worker's first scan), and the
kinds it found. The tree mixes movie folders (``Movies/Title (Year)/Title (Year).mkv`` with
trailers, samples, featurettes, stacks and versions), release-named movie folders, loose movies in
a container, series with season folders under ``TV/`` (with specials and extras), flat series,
anime with absolute numbers, daily shows, Stash-style studio folders of loose scenes and deep
collection trees (4-5 levels); about 70 % of the files are episodes. Target: 20,000 paths well
under 0.5 s on the 2-core dev VM.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins_builtin.videos.scanning import layout
from plugins_builtin.videos.scanning.layout import place_tree

WORDS = [
    "Night",
    "Shift",
    "Test",
    "Pattern",
    "Fractal",
    "Zoom",
    "River",
    "Ghost",
    "Harbor",
    "Signal",
    "Empire",
    "Summer",
    "Winter",
    "Echo",
    "Iron",
    "Glass",
]
TAGS = ["1080p.BluRay.x264-GRP", "2160p.UHD.BluRay.x265.10bit.HDR-SWTYBLZ", "720p.WEB-DL.DDP5.1.H.264-NTb"]


def _title(rng: random.Random, i: int) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"


def make_paths(count: int, seed: int = 1) -> list[str]:
    """About ``count`` relative paths in 9 shapes, deterministic for a seed."""
    rng = random.Random(seed)
    out: list[str] = []
    i = 0
    while len(out) < count:
        i += 1
        shape = i % 9
        title, year = _title(rng, i), 1950 + i % 70
        if shape == 0:  # canonical movie folder with extras, sample, maybe stack / versions
            folder = f"Movies/{title} ({year})"
            if i % 4 == 0:
                out += [f"{folder}/{title} ({year}) - cd1.mkv", f"{folder}/{title} ({year}) - cd2.mkv"]
            elif i % 4 == 1:
                out += [f"{folder}/{title} ({year}) - 1080p.mkv", f"{folder}/{title} ({year}) - 2160p.mkv"]
            else:
                out.append(f"{folder}/{title} ({year}).mkv")
            out += [f"{folder}/{title} ({year})-trailer.mkv", f"{folder}/Featurettes/Making of {i}.mkv"]
            out.append(f"{folder}/sample.mkv")
        elif shape == 1:  # release-named folder
            dotted = title.replace(" ", ".")
            tag = rng.choice(TAGS)
            out.append(f"Movies/{dotted}.{year}.{tag}/{dotted.lower()}.{year}.{tag}.mkv")
        elif shape == 2:  # loose movies in a container
            out += [f"Films/{_title(rng, i * 10 + k)} ({year}).mp4" for k in range(4)]
        elif shape == 3:  # series with seasons, specials and extras
            show = f"TV/{title} ({year})"
            for s in range(1, 3):
                out += [f"{show}/Season {s:02d}/{title} - S{s:02d}E{e:02d} - Chapter {e}.mkv" for e in range(1, 9)]
            out += [f"{show}/Specials/{title} - S00E01.mkv", f"{show}/Extras/Interview {i}.mkv"]
        elif shape == 4:  # flat series, release names, multi-episode
            dotted = title.replace(" ", ".")
            out += [f"TV/{title}/{dotted}.S01E{e:02d}.720p.HDTV.x264-GRP.mkv" for e in range(1, 7)]
            out.append(f"TV/{title}/{dotted}.S01E07E08.720p.HDTV.x264-GRP.mkv")
        elif shape == 5:  # anime, absolute numbers
            out += [f"Anime/{title}/[SubsPlease] {title} - {e:03d} (1080p) [ABCD{e:04d}].mkv" for e in range(1, 13)]
        elif shape == 6:  # daily show
            out += [
                f"TV/{title} Tonight/{title} Tonight {2011 + i % 5}-{m:02d}-{d:02d}.mkv"
                for m in (1, 2)
                for d in (3, 17)
            ]
        elif shape == 7:  # Stash-style studio folders of loose scenes
            out += [f"Studios/{rng.choice(WORDS)} Studio {i % 40}/{_title(rng, i * 7 + k)} scene.mp4" for k in range(5)]
        else:  # deep collection trees
            out.append(
                f"Media/Collections/{rng.choice(WORDS)} Saga/Phase {i % 3}/{title} ({year})/{title} ({year}).mkv"
            )
            out.append(f"Media/Shows/{title}/Season 1/Disc 1/{title} S01E01.mkv")
    return out[:count]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    paths = make_paths(args.files)
    place_tree(paths[:50])  # compile the regular expressions
    times = []
    result = {}
    for _ in range(args.repeat):
        layout.forget_names()  # every run starts cold, as a first scan of this root would
        result = {}  # free the previous run's result outside the timed part
        t0 = time.perf_counter()
        result = place_tree(paths)
        times.append(time.perf_counter() - t0)
    median, best = statistics.median(times), min(times)
    kinds = Counter(p.kind for p in result.values())
    print(
        f"place_tree of {len(paths)} paths: median {median * 1000:.0f} ms = {len(paths) / median:,.0f} paths/s, "
        f"best {best * 1000:.0f} ms = {len(paths) / best:,.0f} paths/s over {args.repeat} runs"
    )
    print("kinds: " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
