"""Accepting StashBox matches: N pending fingerprint matches (each remote scene with a studio, 3
performers and 5 tags carrying their remote ids, as the fake stash-box answers them) accepted
through ``POST /api/scrape-results/accept`` and real forked RQ workers.

Usage: python -m bench.stashbox_accept [--results 1000] [--workers 2]
Needs PostgreSQL at BENCH_ADMIN_URL and Redis at BENCH_REDIS_URL (see ``bench.stashbox_identify``;
do not run both at once: they share the Redis database). The matches are made for real first:
N fingerprinted videos identified against the fake (endpoint unthrottled). The names come from
pools (50 studios, 600 performers, 120 tags), so early accepts create most of them and later
ones find them by stash id. Prints the time from the accept request to the last job completed,
and checks every video got its fields, links and stash ids (video, studio, performers, tags).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stashbox_identify import make_endpoint, runtime, seed_box, seed_videos, wait_for_queue
from obscura_core.app import create_app
from obscura_core.runtime import Runtime
from tests.fixtures.stashbox.server import FakeStashBox


def check(rt: Runtime, count: int, states: dict[str, int], url: str) -> str:
    from plugins_builtin.metadata.models import ScrapeResultRow, StashIdRow
    from plugins_builtin.taxonomy.models import EntityPerformer, EntityStudio, EntityTag, Performer, Studio, Tag
    from plugins_builtin.videos.models import Video

    with rt.session() as db:
        accepted = db.scalar(select(func.count()).where(ScrapeResultRow.status == "accepted"))
        titled = db.scalar(select(func.count()).where(Video.title.like("Remote scene %"), Video.organized.is_(True)))
        links = tuple(
            db.scalar(select(func.count()).select_from(m)) for m in (EntityPerformer, EntityTag, EntityStudio)
        )
        made = [db.scalar(select(func.count()).select_from(m)) for m in (Studio, Performer, Tag)]
        stash_ids = dict(db.execute(select(StashIdRow.entity_type, func.count()).where(StashIdRow.endpoint == url)
                                    .group_by(StashIdRow.entity_type)).all())  # fmt: skip
    assert set(states) == {"completed"} and accepted == count and titled == count, (states, accepted, titled)
    assert links == (3 * count, 5 * count, count), links
    assert stash_ids.get("video") == count, stash_ids
    assert [stash_ids.get(k) for k in ("studio", "performer", "tag")] == made, (stash_ids, made)
    return (f"{accepted} accepted, {titled} videos titled and organized, {links[2]} studio links, {links[0]} "
            f"performer links, {links[1]} tag links; {made[0]} studios, {made[1]} performers, {made[2]} tags "
            f"created, each with its stash id; {stash_ids['video']} video stash ids")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    from obscura_core.jobs.worker import fork_workers, stop_children

    rt = runtime("obscura_bench_stashbox_accept")
    root_id, _ = seed_videos(rt, args.results)
    pids = fork_workers(rt, args.workers)
    try:
        with FakeStashBox(api_key="bench-key") as box:
            seed_box(box, range(args.results))
            app = create_app(runtime=rt)
            url = box.url
            endpoint = make_endpoint(app, url, 60_000)
            client = app.test_client()
            time.sleep(1.0)  # workers register
            t0 = time.perf_counter()
            res = client.post(f"/api/stashbox-endpoints/{endpoint['id']}/identify",
                              json={"filter": {"rootId": root_id}, "action": "findByFingerprint"})  # fmt: skip
            assert res.status_code == 202, res.get_json()
            wait_for_queue(rt, "metadata-import")
            identified = time.perf_counter() - t0
            requests = len(box.calls())
            listed = client.get("/api/scrape-results?status=pending&perPage=500").get_json()["data"]
            result_ids = [r["id"] for r in listed["items"]]
            page = 2
            while len(result_ids) < listed["total"]:
                more = client.get(f"/api/scrape-results?status=pending&perPage=500&page={page}").get_json()["data"]
                result_ids += [r["id"] for r in more["items"]]
                page += 1
            assert len(result_ids) == args.results, len(result_ids)

            t0 = time.perf_counter()
            res = client.post("/api/scrape-results/accept", json={"resultIds": result_ids})
            assert res.status_code == 202, res.get_json()
            states = wait_for_queue(rt, "metadata-import")
            elapsed = time.perf_counter() - t0
            assert len(box.calls()) == requests, "accepting asks the server nothing"
    finally:
        stop_children(pids, redis=rt.redis)
    checked = check(rt, args.results, states, url)
    print(f"identify (setup): {args.results} videos in {identified:.2f} s, {requests} requests to the fake")
    print(f"accept of {args.results} StashBox matches (studio, 3 performers, 5 tags with remote ids each; "
          f"{args.workers} forking workers): {elapsed:.2f} s = {args.results / elapsed:.0f} results/s, "
          f"{elapsed / args.results * 1000:.1f} ms each (goal <= 20 s)")  # fmt: skip
    print(f"checked: {checked}")


if __name__ == "__main__":
    main()
