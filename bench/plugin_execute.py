"""``POST /api/plugins/<id>/execute`` end to end: what the route adds around the plugin's run.

A video, the test plugins ``py-echo`` and ``js-echo`` registered in place, then ``--calls``
execute calls each through the app (the input built from the video, credentials read and
decrypted, the answer in the envelope; with ``--save`` also stored as a pending result). Printed
beside the runtime's own cost (``runtime.run`` of the same plugin with the same input), so the
difference is the route's share. Goal (issue 18): per call, p50 python ≤ 60 ms, node ≤ 120 ms over
the plugin's own work.

Usage: python -m bench.plugin_execute [--calls 40] [--save]
Needs PostgreSQL and Redis (``BENCH_ADMIN_URL``, ``BENCH_REDIS_URL``; defaults as bench.stashbox_identify).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stashbox_identify import runtime, seed_videos
from obscura_core.app import create_app

PLUGINS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "plugin_packages" / "plugins"


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--save", action="store_true", help="saveResult: store each answer as a pending result")
    args = parser.parse_args()
    rt = runtime("bench_plugin_execute", builtins=("videos", "taxonomy", "metadata", "packages"))
    _, [video] = seed_videos(rt, 1)
    client = create_app(runtime=rt).test_client()
    from plugins_builtin.packages import install
    from plugins_builtin.packages.runtime import node_available, run

    print(f"execute route vs the runtime alone, {args.calls} calls each{' (saveResult)' if args.save else ''}")
    for plugin_id in ("py-echo", "js-echo"):
        if plugin_id.startswith("js") and not node_available():
            print(f"  {plugin_id}: skipped (no node)")
            continue
        res = client.post("/api/plugins/packages", json={"localPath": str(PLUGINS / plugin_id)})
        assert res.status_code == 201, res.get_json()
        body = {"action": "videoByName", "entityType": "video", "entityId": video, "saveResult": args.save}
        route: list[float] = []
        for _ in range(args.calls + 3):
            started = time.perf_counter()
            res = client.post(f"/api/plugins/{plugin_id}/execute", json=body)
            route.append((time.perf_counter() - started) * 1000)
            assert res.status_code == 200, res.get_json()
        route = route[3:]  # warm-up
        with rt.session() as db:
            row, manifest = install.runnable(db, plugin_id)
        folder, given = install.installed_folder(row), res.get_json()["data"]["result"]["input"]
        alone: list[float] = []
        for _ in range(args.calls):
            started = time.perf_counter()
            run(folder, manifest, "videoByName", given, {})
            alone.append((time.perf_counter() - started) * 1000)
        p50, alone50 = statistics.median(route), statistics.median(alone)
        goal = 60 if plugin_id.startswith("py") else 120
        verdict = "ok" if p50 <= goal else "MISSED"
        print(f"  {plugin_id}: route p50 {p50:.1f} ms, p95 {_p(route, 0.95):.1f} ms;"
              f" runtime alone p50 {alone50:.1f} ms; the route's share {p50 - alone50:.1f} ms"
              f" (goal p50 <= {goal} ms: {verdict})")


if __name__ == "__main__":
    main()
