"""Global search at scale: 100,000 videos, 20,000 performers (a fifth with an alias), 5,000 tags
and 500 studios, titles and names made of common words and made-up ones.

Prints p50/p95 of ``GET /api/search?q=`` (every kind, 8 hits each) for typo, prefix, common-word,
multi-word and exact queries, in both modes: ``trigram`` (pg_trgm + GIN indexes; target p95 ≤ 80 ms)
and ``fallback`` (what the embedded PostgreSQL without pg_trgm runs), plus the plan of the videos
query of one typo search in each mode.

Usage: python -m bench.search [--videos 100000 --performers 20000 --tags 5000] [--runs 40]
Needs PostgreSQL with pg_trgm at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
and Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/10). Requests go through the real Flask
app (routing, validation, every plugin's hook, serialisation) in-process.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.app import create_app
from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime, set_runtime
from obscura_core.settings import Settings
from plugin_sdk.models import LibraryRoot
from plugin_sdk.search import FALLBACK, TRIGRAM, force_search_mode
from plugins_builtin.taxonomy.names import name_key

DB = "obscura_bench_search"
SYLLABLES = ["ka", "ri", "mo", "ne", "sa", "to", "li", "va", "de", "ro", "mi", "zu", "an", "el", "or", "is"]
COMMON = ["night", "love", "the", "city", "summer", "story", "part", "blue", "house", "road", "girl", "home",
          "dream", "last", "first", "dark", "light", "water", "fire", "time"]  # fmt: skip


def _made_up(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _name(rng: random.Random, used: set[str], words: int) -> str:
    while True:
        name = " ".join(_made_up(rng).capitalize() for _ in range(words))
        if name_key(name) not in used:
            used.add(name_key(name))
            return name


def _longest(name: str) -> int:
    return max(len(w) for w in name.split())


def _title(rng: random.Random) -> str:
    words = [rng.choice(COMMON) if rng.random() < 0.35 else _made_up(rng) for _ in range(rng.randint(2, 5))]
    return " ".join(words).capitalize()


def fill(rt, videos: int, performers: int, tags: int, studios: int) -> dict[str, str]:
    rng = random.Random(11)
    with rt.session() as db:
        root = LibraryRoot(path="/media/bench", label="bench")
        db.add(root)
        db.commit()
        root_id = root.id
    url = rt.settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    used: set[str] = set()
    picked: dict[str, str] = {}
    with psycopg.connect(url) as raw, raw.cursor() as cur:
        with cur.copy("COPY videos (id, kind, library_root_id, title, sort_title, file_path, created_at, updated_at) "
                      "FROM STDIN") as copy:  # fmt: skip
            for i in range(videos):
                title = "Mandelbrot Zoom" if i == videos // 2 else _title(rng)
                created = start + timedelta(minutes=i)
                copy.write_row((str(uuid.uuid4()), "movie", root_id, title, title.lower(), f"/media/bench/{i}.mp4",
                                created, created))  # fmt: skip
        with cur.copy("COPY performers (id, name, name_key, aliases, alias_keys, created_at, updated_at) "
                      "FROM STDIN") as copy:  # fmt: skip
            for i in range(performers):
                name = _name(rng, used, 2)
                alias = _name(rng, used, 2) if rng.random() < 0.2 else None
                if i >= performers // 3 and "performer" not in picked and _longest(name) >= 6:
                    picked["performer"] = name
                if alias and "alias" not in picked and _longest(alias) >= 6:
                    picked["alias"] = alias
                copy.write_row((str(uuid.uuid4()), name, name_key(name), [alias] if alias else [],
                                [name_key(alias)] if alias else [], start, start))  # fmt: skip
        for table, count in (("tags", tags), ("studios", studios)):
            with cur.copy(f"COPY {table} (id, name, name_key, created_at, updated_at) FROM STDIN") as copy:
                for _ in range(count):
                    name = _name(rng, used, 1 if table == "tags" else 2)
                    copy.write_row((str(uuid.uuid4()), name, name_key(name), start, start))
        raw.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("videos", "performers", "tags", "studios")}  # fmt: skip
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    return picked


def _typo(name: str) -> str:
    """One letter of the longest word replaced by its neighbour in the alphabet (a slip of a key).
    ("mandlebrot", two letters swapped, is the other kind of typo measured.)"""
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    i = len(word) // 2
    words[longest] = word[:i] + chr((ord(word[i]) - 96) % 26 + 97) + word[i + 1 :]
    return " ".join(words)


def measure(client, q: str, runs: int) -> tuple[float, float, int]:
    times = []
    hits = 0
    url = f"/api/search?q={quote(q)}"
    client.get(url)  # warm the plan cache and the pages
    for _ in range(runs):
        t0 = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.get_json()
        hits = sum(len(g["items"]) for g in resp.get_json()["data"]["groups"])
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", type=int, default=100_000)
    ap.add_argument("--performers", type=int, default=20_000)
    ap.add_argument("--tags", type=int, default=5_000)
    ap.add_argument("--studios", type=int, default=500)
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/" + DB,
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"),
        data_dir=Path(tempfile.mkdtemp(prefix="obscura-search-bench-")),
    )
    rt = build_runtime(
        "web", settings, builtins=("videos", "images", "audio", "taxonomy", "search"), load_entrypoints=False
    )
    set_runtime(rt)
    upgrade_all(rt)
    t0 = time.perf_counter()
    picked = fill(rt, args.videos, args.performers, args.tags, args.studios)
    print(f"filled in {time.perf_counter() - t0:.1f} s")
    client = create_app(runtime=rt).test_client()
    cases = {
        "typo 'mandlebrot'": "mandlebrot",
        f"typo in a performer '{_typo(picked['performer'])}'": _typo(picked["performer"]),
        f"typo in an alias '{_typo(picked['alias'])}'": _typo(picked["alias"]),
        "prefix 'mandel'": "mandel",
        "prefix 'kari'": "kari",
        "common word 'night'": "night",
        "common word 'the'": "the",
        "two common words 'summer night'": "summer night",
        f"exact performer '{picked['performer']}'": picked["performer"],
    }
    try:
        for mode in (TRIGRAM, FALLBACK):
            force_search_mode(mode)
            print(f"\n/api/search, mode {mode}, in-process Flask client, {args.runs} runs each:")
            for label, q in cases.items():
                p50, p95, hits = measure(client, q, args.runs)
                print(f"  {label:44} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({hits} hits shown)")
    finally:
        force_search_mode(None)

    from sqlalchemy import select

    from plugin_sdk.search import match
    from plugins_builtin.videos.models import Video

    for mode in (TRIGRAM, FALLBACK):
        force_search_mode(mode)
        try:
            with rt.session() as db:
                m = match(db, [Video.title], "mandlebrot")
                stmt = select(Video.id, m.score).where(m.where).order_by(m.score.desc()).limit(9)
                compiled = stmt.compile(dialect=db.get_bind().dialect)
                rows = db.connection().exec_driver_sql("EXPLAIN ANALYZE " + str(compiled), compiled.params)
                print(f"\nplan of the videos query for 'mandlebrot', mode {mode}:")
                for (line,) in rows:
                    print("  " + line)
        finally:
            force_search_mode(None)
    rt.close()


if __name__ == "__main__":
    main()
