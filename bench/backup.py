"""Backup and restore of a 100,000-video library: ``obscura backup``'s and ``obscura restore``'s
work (snapshot, manifest, ``pg_dump``, archive; ``pg_restore`` and the row check), timed.

Usage: python bench/backup.py [--videos 100000]
Needs PostgreSQL at BENCH_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres). The
library: every built-in plugin's tables; ``videos`` filled as ``bench/videos_list.py`` does, plus
2,000 performers, 300 tags and 100 studios linked to every video (3 performers, 4 tags, 1 studio
each), and one completed job run per video. Goals: backup <= 30 s, restore <= 60 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from obscura_core.migrate import upgrade_all
from obscura_core.runtime import build_runtime
from obscura_core.settings import Settings
from plugin_sdk.database import libpq_url
from plugins_builtin.backups.archive import create_backup
from plugins_builtin.backups.restore import restore_backup

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]


def fill(url: str, videos: int) -> None:
    rng = random.Random(42)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    root_id = str(uuid.uuid4())
    video_ids = [str(uuid.uuid4()) for _ in range(videos)]
    performers = [str(uuid.uuid4()) for _ in range(2000)]
    tags = [str(uuid.uuid4()) for _ in range(300)]
    studios = [str(uuid.uuid4()) for _ in range(100)]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO library_roots (id, path, label) VALUES (%s, '/media/bench', 'bench')", (root_id,))
        cols = (
            "id, kind, library_root_id, title, sort_title, file_path, file_size, duration, width, height, "
            "video_codec, rating, organized, play_count, created_at, updated_at, date, oshash, phash, md5"
        )
        with cur.copy(f"COPY videos ({cols}) FROM STDIN") as copy:
            for i, vid in enumerate(video_ids):
                title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
                created = start + timedelta(minutes=i)
                height = rng.choice([360, 480, 720, 1080, 2160])
                copy.write_row((
                    vid, "movie", root_id, title, title.lower(), f"/media/bench/{i}.mp4", rng.randint(10**7, 10**10),
                    rng.uniform(60, 7200), height * 16 // 9, height, rng.choice(["h264", "hevc"]),
                    rng.choice([None, 20, 40, 60, 80, 100]), rng.random() < 0.3, rng.choice([0, 0, 1, 5]),
                    created, created, f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(64):016x}", f"{rng.getrandbits(128):032x}",
                ))  # fmt: skip
        for table, ids, label in (("performers", performers, "Performer"), ("tags", tags, "Tag"),
                                  ("studios", studios, "Studio")):  # fmt: skip
            with cur.copy(f"COPY {table} (id, name, name_key) FROM STDIN") as copy:
                for i, row_id in enumerate(ids):
                    name = f"{rng.choice(WORDS).title()} {label} {i:04d}"
                    copy.write_row((row_id, name, name.lower()))
        with cur.copy("COPY entity_performers (entity_type, entity_id, performer_id) FROM STDIN") as copy:
            for vid in video_ids:
                for performer in rng.sample(performers, 3):
                    copy.write_row(("video", vid, performer))
        with cur.copy("COPY entity_tags (entity_type, entity_id, tag_id) FROM STDIN") as copy:
            for vid in video_ids:
                for tag in rng.sample(tags, 4):
                    copy.write_row(("video", vid, tag))
        with cur.copy("COPY entity_studios (entity_type, entity_id, studio_id) FROM STDIN") as copy:
            for vid in video_ids:
                copy.write_row(("video", vid, rng.choice(studios)))
        with cur.copy(
            "COPY job_runs (id, queue_name, status, target_type, target_id, payload, result, max_attempts) FROM STDIN"
        ) as copy:
            for vid in video_ids:
                copy.write_row((str(uuid.uuid4()), "media-probe", "completed", "video", vid,
                                f'{{"videoId": "{vid}"}}', '{"probed": true}', 15))  # fmt: skip
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def recreate(admin: str, name: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--videos", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=1, help="pg_restore --jobs (1: streamed from the archive)")
    args = ap.parse_args()
    admin = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    source = recreate(admin, "obscura_bench_backup")
    target = recreate(admin, "obscura_bench_restore")
    data_dir = Path(tempfile.mkdtemp(prefix="obscura-backup-bench-"))
    settings = Settings.from_env().with_overrides(database_url=source, data_dir=data_dir)
    rt = build_runtime("cli", settings, load_entrypoints=False)
    upgrade_all(rt)
    rt.close()
    t0 = time.perf_counter()
    fill(source, args.videos)
    print(f"filled {args.videos:,} videos with links and job runs in {time.perf_counter() - t0:.1f} s")

    with psycopg.connect(source) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    t0 = time.perf_counter()
    info = create_backup(libpq_url(source), data_dir)
    backup_s = time.perf_counter() - t0
    rows = sum(info.manifest["tables"].values())
    print(f"backup:  {backup_s:6.1f} s  (goal <= 30 s)  database {size / 2**20:.0f} MiB, {rows:,} rows in "
          f"{len(info.manifest['tables'])} tables -> {info.path.name} {info.size_bytes / 2**20:.1f} MiB")  # fmt: skip

    t0 = time.perf_counter()
    report = restore_backup(info.path, libpq_url(target), data_dir=data_dir, jobs=args.jobs)
    restore_s = time.perf_counter() - t0
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
    print(
        f"restore: {restore_s:6.1f} s  (goal <= 60 s)  {report.rows:,} rows in {report.tables} tables, "
        f"every count as in the manifest; --jobs {args.jobs} ({phases})"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in ("obscura_bench_backup", "obscura_bench_restore"):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    info.path.unlink()


if __name__ == "__main__":
    main()
