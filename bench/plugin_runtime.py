"""Script plugin runtimes: what running a plugin costs when the plugin itself does no work.

1. One ``run`` call of a no-op plugin (start the process, envelope on stdin, JSON answer on
   stdout, process group cleaned up): p50/p95 over ``--calls`` calls, Python and Node.js.
   Goals: p50 ≤ 60 ms (python), ≤ 120 ms (node). The bare interpreter start (``python -c pass``,
   ``node -e 0``, with the same small environment a plugin gets) is shown for comparison.
2. ``run_batch`` of ``--items`` items through one process (``"batch"`` / ``executeBatch``):
   median of 3. Goal ≤ 2 s.

Usage: python -m bench.plugin_runtime [--calls 40] [--items 500]
(the plugins are written to a temporary folder; Node.js parts are skipped without ``node``)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugins_builtin.packages.manifest import Manifest, load_manifest
from plugins_builtin.packages.runtime import node_available, run, run_batch
from plugins_builtin.packages.runtime.node import node_path
from plugins_builtin.packages.runtime.process import child_env

PY_MANIFEST = """id: noop-py
name: Noop Py
version: "1.0.0"
runtime: python
script: ["python3", "noop.py"]
capabilities:
  videoByName: true
  supportsBatch: true
"""
PY_SCRIPT = """import json, sys
env = json.loads(sys.stdin.read())
if "batch" in env:
    print(json.dumps({"ok": True, "results": [{"id": i["id"], "result": None} for i in env["batch"]]}))
else:
    print(json.dumps({"ok": True, "result": None}))
"""
JS_MANIFEST = """id: noop-js
name: Noop JS
version: "1.0.0"
runtime: typescript
entry: dist/index.js
capabilities:
  videoByName: true
  supportsBatch: true
"""
JS_ENTRY = """"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.default = {
  capabilities: { videoByName: true, supportsBatch: true },
  async execute() { return null; },
  async executeBatch(action, items) { return items.map((i) => ({ id: i.id, result: null })); },
};
"""

GOALS = {"python": 0.060, "node": 0.120}
BATCH_GOAL = 2.0


def timings(fn: Callable[[], object], n: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def paired(fn: Callable[[], object], base: Callable[[], object], n: int) -> tuple[list[float], list[float]]:
    """``fn`` and ``base`` timed alternately (so both see the same machine load)."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(n):
        a += timings(fn, 1, warmup=0)
        b += timings(base, 1, warmup=0)
    return a, b


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=40)
    ap.add_argument("--items", type=int, default=500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="obscura-plugin-bench-") as tmp:
        root = Path(tmp)
        plugins = {
            "python": write(root / "noop-py", {"manifest.yml": PY_MANIFEST, "noop.py": PY_SCRIPT}),
            "node": write(root / "noop-js", {"manifest.yml": JS_MANIFEST, "dist/index.js": JS_ENTRY}),
        }
        bare = {"python": [sys.executable, "-c", "pass"], "node": [node_path() or "node", "-e", "0"]}
        items = [
            (str(i), {"title": f"Title {i}", "filePath": f"/library/show/S01E{i:03d}.mkv"}) for i in range(args.items)
        ]
        print(f"plugin runtime overhead (a no-op plugin), {args.calls} calls each")
        for kind, folder in plugins.items():
            if kind == "node" and not node_available():
                print("  node: skipped (Node.js is not installed)")
                continue
            manifest = load_manifest(folder)

            def call(f: Path = folder, m: Manifest = manifest) -> object:
                return run(f, m, "videoByName", {"title": "x"}, {"K": "v"})

            def start(cmd: list[str] = bare[kind]) -> object:
                return subprocess.run(cmd, check=True, env=child_env("bench"))

            timings(call, 3)
            calls, base = paired(call, start, args.calls)
            extra = [c - b for c, b in zip(calls, base, strict=True)]
            ok = "ok" if p(calls, 0.5) <= GOALS[kind] else "MISSED"
            print(
                f"  {kind:6} run: p50 {p(calls, 0.5) * 1000:.1f} ms, p95 {p(calls, 0.95) * 1000:.1f} ms "
                f"(goal p50 <= {GOALS[kind] * 1000:.0f} ms: {ok}); bare interpreter start p50 "
                f"{p(base, 0.5) * 1000:.1f} ms; run minus bare start p50 {p(extra, 0.5) * 1000:.1f} ms"
            )
            batch = timings(lambda f=folder, m=manifest: run_batch(f, m, "videoByName", items, {}), 3, warmup=1)
            med = statistics.median(batch)
            ok = "ok" if med <= BATCH_GOAL else "MISSED"
            print(f"  {kind:6} run_batch of {args.items} items: {med * 1000:.0f} ms (goal <= {BATCH_GOAL:g} s: {ok})")


if __name__ == "__main__":
    main()
