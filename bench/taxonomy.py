"""Taxonomy at scale: 100,000 videos, 20,000 performers, 5,000 tags (and 500 studios) with links.

Prints p50/p95 of the performer list with its per-media link counts (target: p95 ≤ 60 ms) and of
``/api/videos`` filtered by tags, performers and studio, plus the plans of the main queries.

Usage: python bench/taxonomy.py [--videos 100000 --performers 20000 --tags 5000]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11). Requests go through the real Flask
app (routing, validation, serialisation) in-process.
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
from plugins_builtin.taxonomy.names import name_key

SYLLABLES = ["ka", "ri", "mo", "ne", "sa", "to", "li", "va", "de", "ro", "mi", "zu", "an", "el", "or", "is"]


def _name(rng: random.Random, used: set[str], words: int) -> str:
    while True:
        name = " ".join(
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize() for _ in range(words)
        )
        if name_key(name) not in used:
            used.add(name_key(name))
            return name


def _zipf_pick(rng: random.Random, ids: list[str], k: int) -> set[str]:
    """``k`` distinct ids, the first ones of ``ids`` much more often (a few stars, a long tail)."""
    n = len(ids)
    return {ids[min(int(n * rng.random() ** 3), n - 1)] for _ in range(k)}


def fill(rt, videos: int, performers: int, tags: int, studios: int) -> dict[str, str]:
    rng = random.Random(7)
    with rt.session() as db:
        root = LibraryRoot(path="/media/bench", label="bench")
        db.add(root)
        db.commit()
        root_id = root.id
    url = rt.settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    video_ids = [str(uuid.uuid4()) for _ in range(videos)]
    performer_ids = [str(uuid.uuid4()) for _ in range(performers)]
    tag_ids = [str(uuid.uuid4()) for _ in range(tags)]
    studio_ids = [str(uuid.uuid4()) for _ in range(studios)]
    used: set[str] = set()
    names = {"performer": [], "tag": [], "studio": []}
    with psycopg.connect(url) as raw, raw.cursor() as cur:
        with cur.copy("COPY videos (id, kind, library_root_id, title, sort_title, file_path, created_at, updated_at) "
                      "FROM STDIN") as copy:  # fmt: skip
            for i, vid in enumerate(video_ids):
                created = start + timedelta(minutes=i)
                copy.write_row((vid, "movie", root_id, f"video {i}", f"video {i}", f"/media/bench/{i}.mp4", created,
                                created))  # fmt: skip
        genders = ["female", "male", "female", "non_binary", None]
        with cur.copy("COPY performers (id, name, name_key, aliases, alias_keys, gender, rating, favorite, "
                      "created_at, updated_at) FROM STDIN") as copy:  # fmt: skip
            for i, pid in enumerate(performer_ids):
                name = _name(rng, used, 2)
                alias = _name(rng, used, 1) if rng.random() < 0.2 else None
                names["performer"].append(name)
                created = start + timedelta(minutes=i)
                copy.write_row((pid, name, name_key(name), [alias] if alias else [], [name_key(alias)] if alias else [],
                                rng.choice(genders), rng.choice([None, None, 20, 60, 100]), rng.random() < 0.05,
                                created, created))  # fmt: skip
        with cur.copy("COPY tags (id, name, name_key, created_at, updated_at) FROM STDIN") as copy:
            for tid in tag_ids:
                name = _name(rng, used, 1)
                names["tag"].append(name)
                copy.write_row((tid, name, name_key(name), start, start))
        with cur.copy("COPY tag_parents (tag_id, parent_id) FROM STDIN") as copy:
            for i in range(50, tags):  # the first 50 tags are genres; 60% of the others sit under one
                if rng.random() < 0.6:
                    copy.write_row((tag_ids[i], tag_ids[rng.randrange(50)]))
        with cur.copy("COPY studios (id, name, name_key, parent_id, created_at, updated_at) FROM STDIN") as copy:
            for i, sid in enumerate(studio_ids):
                name = _name(rng, used, 2)
                names["studio"].append(name)
                parent = studio_ids[rng.randrange(20)] if i >= 20 and rng.random() < 0.5 else None
                copy.write_row((sid, name, name_key(name), parent, start, start))
        with cur.copy("COPY entity_performers (entity_type, entity_id, performer_id) FROM STDIN") as copy:
            for vid in video_ids:
                for pid in _zipf_pick(rng, performer_ids, rng.randint(0, 4)):
                    copy.write_row(("video", vid, pid))
        with cur.copy("COPY entity_tags (entity_type, entity_id, tag_id) FROM STDIN") as copy:
            for vid in video_ids:
                for tid in _zipf_pick(rng, tag_ids, rng.randint(0, 8)):
                    copy.write_row(("video", vid, tid))
        with cur.copy("COPY entity_studios (entity_type, entity_id, studio_id) FROM STDIN") as copy:
            for vid in video_ids:
                if rng.random() < 0.8:
                    copy.write_row(("video", vid, studio_ids[min(int(studios * rng.random() ** 2), studios - 1)]))
        raw.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("videos", "performers", "tags", "studios", "entity_performers", "entity_tags", "entity_studios")
        }
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    return {
        "star": names["performer"][0], "tail_performer": names["performer"][-1], "popular_tag": names["tag"][60],
        "genre": names["tag"][0], "rare_tag": names["tag"][-1], "studio": names["studio"][0],
    }  # fmt: skip


def measure(client, url: str, n: int = 60, headers: dict[str, str] | None = None) -> tuple[float, float, int]:
    times = []
    total = 0
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.get(url, headers=headers or {})
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.get_json()
        total = resp.get_json()["data"]["total"]
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", type=int, default=100_000)
    ap.add_argument("--performers", type=int, default=20_000)
    ap.add_argument("--tags", type=int, default=5_000)
    ap.add_argument("--studios", type=int, default=500)
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "obscura_bench_taxonomy" WITH (FORCE)')
        conn.execute('CREATE DATABASE "obscura_bench_taxonomy"')
    settings = Settings.from_env().with_overrides(
        database_url=admin.rsplit("/", 1)[0] + "/obscura_bench_taxonomy",
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        data_dir=Path(tempfile.mkdtemp(prefix="obscura-taxonomy-bench-")),
    )
    rt = build_runtime("web", settings, builtins=("videos", "taxonomy"), load_entrypoints=False)
    set_runtime(rt)
    upgrade_all(rt)
    t0 = time.perf_counter()
    names = fill(rt, args.videos, args.performers, args.tags, args.studios)
    print(f"filled in {time.perf_counter() - t0:.1f} s")
    client = create_app(runtime=rt).test_client()
    q = {k: quote(v) for k, v in names.items()}
    cases = {
        "performers, by name (page 1)": "/api/performers?perPage=60",
        "performers, by name (page 200)": "/api/performers?perPage=60&page=200",
        "performers, by scenes": "/api/performers?perPage=60&sort=scenes",
        "performers, by all links": "/api/performers?perPage=60&sort=count",
        "performers, by rating": "/api/performers?perPage=60&sort=rating",
        "performers, search 'kari'": "/api/performers?perPage=60&search=kari",
        "performers, female favourites": "/api/performers?perPage=60&gender=female&favorite=true",
        "tags, by scenes": "/api/tags?perPage=60&sort=scenes",
        "studios, by name": "/api/studios?perPage=60",
        "videos, no filter (links merged)": "/api/videos?perPage=60",
        "videos, popular tag": f"/api/videos?perPage=60&tags={q['popular_tag']}",
        "videos, genre tag (+ sub-tags)": f"/api/videos?perPage=60&tags={q['genre']}",
        "videos, rare tag": f"/api/videos?perPage=60&tags={q['rare_tag']}",
        "videos, two tags": f"/api/videos?perPage=60&tags={q['genre']}&tags={q['popular_tag']}",
        "videos, star performer": f"/api/videos?perPage=60&performers={q['star']}",
        "videos, studio (+ sub-studios)": f"/api/videos?perPage=60&studio={q['studio']}",
    }
    print(f"\nIn-process Flask client, {args.videos:,} videos, {args.performers:,} performers, {args.tags:,} tags:")
    for label, url in cases.items():
        p50, p95, total = measure(client, url)
        print(f"  {label:36} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({total:,} rows)")

    # SFW mode: 5 % of the videos flagged, 1 % of the tags and performers NSFW (hiding what they touch)
    with psycopg.connect(settings.sqlalchemy_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute("UPDATE videos SET is_nsfw = true WHERE abs(hashtext(id)) % 20 = 0")
        c.execute("UPDATE tags SET is_nsfw = true WHERE abs(hashtext(id)) % 100 = 0")
        c.execute("UPDATE performers SET is_nsfw = true WHERE abs(hashtext(id)) % 100 = 0")
        c.execute("VACUUM ANALYZE videos, tags, performers")
    sfw = {"X-Obscura-Nsfw-Mode": "off"}
    sfw_cases = {
        "videos, no filter": "/api/videos?perPage=60",
        "videos, popular tag": f"/api/videos?perPage=60&tags={q['popular_tag']}",
        "performers, by name, with counts": "/api/performers?perPage=60",
        "performers, by scenes": "/api/performers?perPage=60&sort=scenes",
    }
    print("\nSFW mode (5 % of videos, 1 % of tags and performers NSFW):")
    for label, url in sfw_cases.items():
        p50, p95, total = measure(client, url)
        s50, s95, shown = measure(client, url, headers=sfw)
        print(f"  {label:36} p50 {s50:6.1f} ms   p95 {s95:6.1f} ms   ({shown:,} of {total:,} rows; "
              f"outside SFW p95 {p95:.1f} ms)")

    from sqlalchemy import text

    plans = {
        "performer counts for a page": (
            "SELECT performer_id, entity_type, count(*) FROM entity_performers WHERE performer_id = ANY("
            "ARRAY(SELECT id FROM performers ORDER BY name_key LIMIT 60)) GROUP BY 1, 2"
        ),
        "performers by scenes": (
            "SELECT p.id FROM performers p LEFT JOIN (SELECT performer_id AS eid, count(*) AS n FROM entity_performers "
            "WHERE entity_type = 'video' GROUP BY performer_id) c ON c.eid = p.id "
            "ORDER BY coalesce(c.n, 0) DESC, p.name_key LIMIT 60"
        ),
    }
    with rt.engine.connect() as conn:
        for label, sql in plans.items():
            plan = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)).scalars().all()
            print(f"\nEXPLAIN ANALYZE — {label}:\n  " + "\n  ".join(plan))
    rt.close()


if __name__ == "__main__":
    main()
