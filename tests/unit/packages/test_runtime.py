"""The plugin runtimes end to end: the test plugins of ``tests/fixtures/plugin_packages/plugins``
(the original Obscura's format) run as real child processes — Python, and Node.js when installed."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plugins_builtin.packages import runtime
from plugins_builtin.packages.manifest import Manifest, load_manifest
from plugins_builtin.packages.runtime import NodeMissing, PluginRunError, node_available, run, run_batch
from plugins_builtin.packages.runtime import process as proc_mod

PLUGINS = Path(__file__).resolve().parents[2] / "fixtures" / "plugin_packages" / "plugins"

needs_node = pytest.mark.skipif(not node_available(), reason="Node.js is not installed")


def plugin(name: str) -> tuple[Path, Manifest]:
    folder = PLUGINS / name
    return folder, load_manifest(folder)


class Log:
    """A ``log`` callable keeping ``(level, message)``."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __call__(self, level: str, message: str) -> None:
        self.lines.append((level, message))

    def messages(self, level: str | None = None) -> list[str]:
        return [m for lv, m in self.lines if level is None or lv == level]


def make_plugin(tmp_path: Path, name: str, code: str, *, caps: str = "videoByName: true") -> tuple[Path, Manifest]:
    """A throwaway python plugin ``name`` whose script is ``code``."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "manifest.yml").write_text(
        f'id: {name}\nname: {name}\nversion: "1.0.0"\nruntime: python\nscript: ["python3", "main.py"]\n'
        f"capabilities:\n  {caps}\n"
    )
    (folder / "main.py").write_text(textwrap.dedent(code))
    return folder, load_manifest(folder)


def gone(pid: int) -> bool:
    """Whether ``pid`` is no longer running (a zombie nobody reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status


def wait_until(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


# --- python ---------------------------------------------------------------------------------


def test_python_plugin_gets_the_envelope_in_its_folder_with_this_interpreter() -> None:
    folder, manifest = plugin("py-echo")
    result = run(folder, manifest, "videoByName", {"title": "Heat", "year": 1995}, {"ECHO_TOKEN": "s3cret"})
    assert result["action"] == "videoByName"
    assert result["input"] == {"title": "Heat", "year": 1995}
    assert result["authKeys"] == ["ECHO_TOKEN"]
    assert result["auth"] == {"ECHO_TOKEN": "s3cret"}
    assert result["obscuraVersion"] == 1
    assert result["envelopeKeys"] == ["action", "auth", "input", "obscura_version"]
    assert Path(result["cwd"]) == folder.resolve()
    assert result["executable"] == sys.executable


def test_stderr_lines_go_to_the_log_and_never_break_a_run() -> None:
    folder, manifest = plugin("py-stderr")
    log = Log()
    assert run(folder, manifest, "videoByName", {"title": "T"}, {}, log=log) == {"title": "T", "logged": 3}
    assert ("info", "looking up the title") in log.lines
    assert ("info", "second log line") in log.lines
    assert ("warning", "a warning with a Stash level prefix") in log.lines

    def broken(level: str, message: str) -> None:
        raise RuntimeError("the log sink is broken")

    assert run(folder, manifest, "videoByName", {"title": "U"}, {}, log=broken)["title"] == "U"


def test_stdout_lines_around_the_json_answer_are_logged() -> None:
    folder, manifest = plugin("py-noisy")
    log = Log()
    assert run(folder, manifest, "videoByName", {"title": "N"}, {}, log=log) == {"title": "N", "nested": {"a": 1}}
    assert log.messages("info") == ["Fetching https://example.invalid/search ...", "{not json either", "done."]


def test_not_json_fails_with_the_start_of_what_was_printed() -> None:
    folder, manifest = plugin("py-garbage")
    with pytest.raises(PluginRunError) as err:
        run(folder, manifest, "videoByName", {}, {})
    assert err.value.status == 502 and err.value.code == "plugin_failed"
    message = err.value.message
    assert message.startswith("Py Garbage printed something that is not JSON: <html><body>Definitely not JSON")
    assert len(message.split(": ", 1)[1]) == 200
    assert err.value.plugin_id == "py-garbage" and err.value.action == "videoByName"


def test_ok_false_fails_with_the_plugins_error() -> None:
    folder, manifest = plugin("py-fail")
    with pytest.raises(PluginRunError, match=r"answered ok: false: The API key was refused \(401\)$") as err:
        run(folder, manifest, "videoByName", {}, {})
    assert err.value.status == 502


def test_exit_code_fails_with_the_last_stderr_line() -> None:
    folder, manifest = plugin("py-exit")
    log = Log()
    with pytest.raises(PluginRunError) as err:
        run(folder, manifest, "videoByName", {}, {}, log=log)
    assert err.value.message == "Py Exit exited with code 3: fatal: the upstream API is down"
    assert err.value.stderr == "starting\nfatal: the upstream API is down"
    assert log.messages() == ["starting", "fatal: the upstream API is down"]


def test_exit_69_counts_as_success_and_empty_or_null_stdout_is_no_result(tmp_path: Path) -> None:
    folder, manifest = make_plugin(
        tmp_path,
        "exit69",
        """
        import json, sys
        sys.stdin.read()
        print(json.dumps({"ok": True, "result": {"title": "still fine"}}))
        sys.exit(69)
        """,
    )
    assert run(folder, manifest, "videoByName", {}, {}) == {"title": "still fine"}
    folder, manifest = make_plugin(tmp_path, "silent", "import sys\nsys.stdin.read()\n")
    assert run(folder, manifest, "videoByName", {}, {}) is None
    folder, manifest = make_plugin(tmp_path, "nullish", "print('null')\n")
    assert run(folder, manifest, "videoByName", {}, {}) is None


def test_killed_by_a_signal(tmp_path: Path) -> None:
    folder, manifest = make_plugin(tmp_path, "suicide", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    with pytest.raises(PluginRunError, match="suicide was killed by SIGKILL"):
        run(folder, manifest, "videoByName", {}, {})


def test_timeout_kills_the_plugin_and_its_grandchild(tmp_path: Path) -> None:
    folder, manifest = plugin("py-sleep")
    pid_file = tmp_path / "grandchild.pid"
    started = time.monotonic()
    with pytest.raises(PluginRunError) as err:
        run(folder, manifest, "videoByName", {"pidFile": str(pid_file)}, {}, timeout=1)
    assert err.value.message == "Py Sleep timed out after 1 s"
    assert time.monotonic() - started < 5
    pid = int(pid_file.read_text())
    assert wait_until(lambda: gone(pid)), f"the grandchild {pid} is still running"


def test_fractional_timeout_is_worded_as_given() -> None:
    folder, manifest = plugin("py-sleep")
    with pytest.raises(PluginRunError, match=r"timed out after 0\.5 s$"):
        run(folder, manifest, "videoByName", {}, {}, timeout=0.5)


def test_a_background_child_holding_stdout_does_not_hold_the_run(tmp_path: Path) -> None:
    pid_file = tmp_path / "bg.pid"
    folder, manifest = make_plugin(
        tmp_path,
        "leaves-child",
        f"""
        import json, subprocess, sys
        sys.stdin.read()
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        print(json.dumps({{"ok": True, "result": "answered"}}), flush=True)
        """,
    )
    started = time.monotonic()
    assert run(folder, manifest, "videoByName", {}, {}, timeout=20) == "answered"
    assert time.monotonic() - started < 5
    pid = int(pid_file.read_text())
    assert wait_until(lambda: gone(pid)), "what the plugin left running in its group is stopped"


def test_stdout_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proc_mod, "MAX_STDOUT_BYTES", 100_000)
    folder, manifest = make_plugin(
        tmp_path, "flood", "import sys\nsys.stdin.read()\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
    )
    with pytest.raises(PluginRunError, match="flood printed more than 100000 bytes on stdout"):
        run(folder, manifest, "videoByName", {}, {}, timeout=20)


def test_a_script_that_cannot_start(tmp_path: Path) -> None:
    folder = tmp_path / "nocmd"
    folder.mkdir()
    (folder / "manifest.yml").write_text(
        'id: nocmd\nname: No Cmd\nversion: "1"\nruntime: python\nscript: ["no-such-interpreter-xyz", "main.py"]\n'
    )
    with pytest.raises(PluginRunError, match=r"No Cmd could not be started \(no-such-interpreter-xyz\)"):
        run(folder, load_manifest(folder), "videoByName", {}, {})


# --- environment ----------------------------------------------------------------------------

ALLOWED_ENV = {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "PYTHONIOENCODING", "PYTHONUNBUFFERED"}


def test_the_child_gets_none_of_the_servers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSCURA_SECRET", "server-secret-value")
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:pw@db/obscura")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("NODE_OPTIONS", "--require /tmp/evil.js")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws")
    folder, manifest = plugin("py-env")
    result = run(folder, manifest, "videoByName", {}, {"API_KEY": "plugin-credential"})
    names = set(result["names"])
    assert names <= ALLOWED_ENV | {"PYTHONPATH"}, names - ALLOWED_ENV
    assert not names & {"OBSCURA_SECRET", "DATABASE_URL", "REDIS_URL", "NODE_OPTIONS", "AWS_SECRET_ACCESS_KEY"}
    values = result["values"]
    assert "plugin-credential" not in repr(values)
    assert values["PYTHONIOENCODING"] == "utf-8" and values["PYTHONUNBUFFERED"] == "1"
    assert values["PATH"] == os.environ["PATH"]
    assert values["PYTHONPATH"] == str(folder.resolve().parent)
    home = Path(values["HOME"])
    assert home != Path.home() and home.name == "py-env" and result["homeWritable"]
    assert oct(home.stat().st_mode & 0o777) == "0o700"


@needs_node
def test_a_node_child_gets_none_of_the_servers_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSCURA_SECRET", "server-secret-value")
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=1")
    folder = tmp_path / "js-env"
    (folder / "dist").mkdir(parents=True)
    (folder / "manifest.yml").write_text(
        'id: js-env\nname: JS Env\nversion: "1"\nruntime: typescript\nentry: dist/index.js\n'
    )
    (folder / "dist" / "index.js").write_text(
        "module.exports = { capabilities: {}, execute: async () => Object.keys(process.env).sort() };\n"
    )
    names = set(run(folder, load_manifest(folder), "videoByName", {}, {}))
    assert names <= ALLOWED_ENV, names - ALLOWED_ENV


# --- typescript -----------------------------------------------------------------------------


@needs_node
def test_typescript_plugin_runs_in_the_host_and_its_prints_are_logged() -> None:
    folder, manifest = plugin("js-echo")
    log = Log()
    result = run(folder, manifest, "videoByName", {"title": "Heat"}, {"ECHO_TOKEN": "s3cret"}, log=log)
    assert result["action"] == "videoByName"
    assert result["input"] == {"title": "Heat"}
    assert result["auth"] == {"ECHO_TOKEN": "s3cret"} and result["authKeys"] == ["ECHO_TOKEN"]
    assert Path(result["cwd"]) == folder.resolve()
    assert log.messages("info") == [
        "js-echo: console.log videoByName",
        "js-echo: console.info",
        "js-echo: process.stdout.write",
    ]


@needs_node
def test_typescript_undefined_is_no_result_and_promises_are_awaited() -> None:
    folder, manifest = plugin("js-echo")
    assert run(folder, manifest, "nothing", {}, {}) is None
    assert run(folder, manifest, "later", {"x": 1}, {})["input"] == {"x": 1}


@needs_node
def test_typescript_host_exits_even_if_the_plugin_leaves_a_timer() -> None:
    folder, manifest = plugin("js-echo")
    started = time.monotonic()
    assert run(folder, manifest, "leaveHandle", {}, {}, timeout=10)["action"] == "leaveHandle"
    assert time.monotonic() - started < 5


@needs_node
@pytest.mark.parametrize(
    ("action", "error"),
    [("async", "boom from js"), ("sync", "sync boom from js"), ("background", "background boom from js")],
)
def test_typescript_exceptions_answer_ok_false(action: str, error: str) -> None:
    folder, manifest = plugin("js-throws")
    with pytest.raises(PluginRunError) as err:
        run(folder, manifest, action, {}, {}, timeout=10)
    assert err.value.message == f"JS Throws answered ok: false: {error}"


@needs_node
def test_typescript_entry_falls_back_to_what_tsc_wrote() -> None:
    folder, manifest = plugin("js-tsc")
    assert manifest.entry == "dist/index.js" and not (folder / "dist" / "index.js").exists()
    assert run(folder, manifest, "videoByName", {"title": "Heat"}, {}) == {
        "title": "found Heat",
        "action": "videoByName",
    }


@needs_node
def test_typescript_module_without_execute(tmp_path: Path) -> None:
    folder = tmp_path / "js-bad"
    (folder / "dist").mkdir(parents=True)
    (folder / "manifest.yml").write_text(
        'id: js-bad\nname: JS Bad\nversion: "1"\nruntime: typescript\nentry: dist/x.js\n'
    )
    (folder / "dist" / "x.js").write_text("module.exports = { capabilities: {} };\n")
    with pytest.raises(PluginRunError, match="does not export an execute"):
        run(folder, load_manifest(folder), "videoByName", {}, {})


@needs_node
def test_typescript_timeout(tmp_path: Path) -> None:
    folder = tmp_path / "js-slow"
    (folder / "dist").mkdir(parents=True)
    (folder / "manifest.yml").write_text(
        'id: js-slow\nname: JS Slow\nversion: "1"\nruntime: typescript\nentry: dist/x.js\n'
    )
    (folder / "dist" / "x.js").write_text(
        "module.exports = { capabilities: {}, execute: () => new Promise((r) => setTimeout(r, 60000)) };\n"
    )
    with pytest.raises(PluginRunError, match="JS Slow timed out after 1 s"):
        run(folder, load_manifest(folder), "videoByName", {}, {}, timeout=1)


def test_without_node_a_typescript_plugin_needs_nodejs(monkeypatch: pytest.MonkeyPatch) -> None:
    folder, manifest = plugin("js-echo")
    monkeypatch.setattr(runtime, "node_available", lambda: False)
    assert runtime.runtime_status(manifest) == "needs Node.js"
    with pytest.raises(NodeMissing) as err:
        run(folder, manifest, "videoByName", {}, {})
    assert err.value.status == 409 and err.value.code == "needs_nodejs"
    assert err.value.message == "This plugin needs Node.js, which is not installed."
    with pytest.raises(NodeMissing):
        run_batch(folder, manifest, "videoByName", [("a", {})], {})
    assert runtime.runtime_status(plugin("py-echo")[1]) is None


def test_node_available_is_a_cached_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    from plugins_builtin.packages.runtime import node

    calls: list[str] = []

    def which(name: str) -> str | None:
        calls.append(name)
        return None

    node.node_path.cache_clear()
    monkeypatch.setattr(node.shutil, "which", which)
    try:
        assert node_available() is False and node_available() is False
        assert calls == ["node"]
    finally:
        node.node_path.cache_clear()


# --- batches --------------------------------------------------------------------------------


def test_python_batch_is_one_process_and_a_missing_item_is_an_error_value() -> None:
    folder, manifest = plugin("py-echo")
    items = [("a", {"title": "A"}), ("b", {"skip": True}), ("c", {"title": "C"})]
    results = run_batch(folder, manifest, "videoByURL", items, {"ECHO_TOKEN": "t"})
    assert list(results) == ["a", "b", "c"]
    assert results["a"]["input"] == {"title": "A"} and results["c"]["input"] == {"title": "C"}
    assert results["a"]["pid"] == results["c"]["pid"]
    assert results["a"]["auth"] == {"ECHO_TOKEN": "t"}
    assert isinstance(results["b"], PluginRunError)
    assert results["b"].message == "Py Echo missing result for item b"


def test_a_big_batch_through_the_pipes() -> None:
    folder, manifest = plugin("py-echo")
    items = [(f"item-{i}", {"title": f"T{i}", "blob": "x" * 2000}) for i in range(500)]
    results = run_batch(folder, manifest, "videoByURL", items, {})
    assert len(results) == 500
    assert results["item-499"]["input"]["title"] == "T499"


@needs_node
def test_typescript_batch_calls_execute_batch_as_a_method() -> None:
    folder, manifest = plugin("js-echo")
    results = run_batch(folder, manifest, "videoByURL", [("1", {"u": 1}), ("2", {"skip": True}), ("3", {"u": 3})], {})
    assert results["1"]["batch"] is True and results["1"]["input"] == {"u": 1}
    assert results["1"]["pid"] == results["3"]["pid"]
    assert isinstance(results["2"], PluginRunError)


@needs_node
def test_typescript_batch_without_execute_batch_runs_execute_per_item(tmp_path: Path) -> None:
    folder = tmp_path / "js-nobatch"
    (folder / "dist").mkdir(parents=True)
    (folder / "manifest.yml").write_text(
        'id: js-nobatch\nname: JS NoBatch\nversion: "1"\nruntime: typescript\nentry: dist/x.js\n'
        "capabilities:\n  supportsBatch: true\n"
    )
    (folder / "dist" / "x.js").write_text(
        "module.exports = { capabilities: {}, async execute(a, input) {"
        " if (input.bad) throw new Error('bad item'); return input.n * 2; } };\n"
    )
    results = run_batch(folder, load_manifest(folder), "videoByName", [("a", {"n": 2}), ("b", {"bad": True})], {})
    assert results["a"] == 4
    assert isinstance(results["b"], PluginRunError) and "bad item" in results["b"].message


def test_batch_failure_of_the_one_process_raises(tmp_path: Path) -> None:
    folder, manifest = make_plugin(
        tmp_path, "batch-exit", "import sys\nsys.stdin.read()\nsys.exit(2)\n", caps="supportsBatch: true"
    )
    with pytest.raises(PluginRunError, match="batch-exit exited with code 2"):
        run_batch(folder, manifest, "videoByName", [("a", {}), ("b", {})], {})


def test_without_batch_support_items_fan_out_and_failures_are_values() -> None:
    folder, manifest = plugin("py-series")
    assert not runtime.supports_batch(manifest)
    results = run_batch(folder, manifest, "movieByName", [(str(i), {"title": f"M{i}"}) for i in range(5)], {})
    assert list(results) == ["0", "1", "2", "3", "4"]
    assert [r["movie"]["title"] for r in results.values()] == ["M0", "M1", "M2", "M3", "M4"]

    folder, manifest = plugin("py-fail")
    failed = run_batch(folder, manifest, "videoByName", [("x", {}), ("y", {})], {})
    assert all(isinstance(v, PluginRunError) and "answered ok: false" in v.message for v in failed.values())


def test_fan_out_items_get_at_most_the_single_call_timeout(tmp_path: Path) -> None:
    folder, manifest = plugin("py-sleep")
    started = time.monotonic()
    results = run_batch(folder, manifest, "videoByName", [("a", {}), ("b", {})], {}, timeout=1)
    assert time.monotonic() - started < 5
    assert all(isinstance(v, PluginRunError) and v.message.endswith("timed out after 1 s") for v in results.values())


def test_batch_edge_cases() -> None:
    folder, manifest = plugin("py-echo")
    assert run_batch(folder, manifest, "videoByName", [], {}) == {}
    with pytest.raises(ValueError, match="unique"):
        run_batch(folder, manifest, "videoByName", [("a", {}), ("a", {})], {})


# --- typed results --------------------------------------------------------------------------


def test_series_cascade_answers_the_normalized_series_shape() -> None:
    folder, manifest = plugin("py-series")
    local = {
        "title": "Remote Show",
        "imageBase": "http://127.0.0.1:9/img",
        "localSeasons": [
            {"seasonNumber": 1, "episodes": [
                {"filePath": "/lib/Show/S01E01.mkv", "parsed": {"season": 1, "episode": 1}},
                {"filePath": "/lib/Show/S01E02.mkv", "parsed": {"season": 1, "episode": 2}},
            ]},
            {"seasonNumber": 2, "episodes": [{"episodeNumber": 5, "localFilePath": "/lib/Show/S02E05.mkv"}]},
        ],
    }  # fmt: skip
    answer: dict[str, Any] = run(folder, manifest, "folderCascade", local, {})
    assert answer["kind"] == "series"
    series = answer["series"]
    assert series["title"] == "Remote Show" and series["externalIds"] == {"tmdb": "123"}
    assert {"name", "character", "order"} <= set(series["cast"][0])
    assert series["posterCandidates"][0]["url"] == "http://127.0.0.1:9/img/series-poster.jpg"
    seasons = {s["seasonNumber"]: s for s in series["seasons"]}
    assert sorted(seasons) == [1, 2, 3]
    s1 = [(e["episodeNumber"], e["title"], e["matched"], e["localFilePath"]) for e in seasons[1]["episodes"]]
    assert s1 == [
        (1, "Remote S01E01 title", True, "/lib/Show/S01E01.mkv"),
        (2, "Remote S01E02 title", True, "/lib/Show/S01E02.mkv"),
        (3, "Remote S01E03 title", False, None),
    ]
    assert [e["episodeNumber"] for e in seasons[2]["episodes"]] == [5, 6]
    assert [e["matched"] for e in seasons[3]["episodes"]] == [False, False]
    assert seasons[1]["posterCandidates"][0]["url"].startswith("http://127.0.0.1:9/img/")
    assert len(series["candidates"]) == 2
    picked = run(folder, manifest, "seriesCascade", {**local, "externalIds": {"tmdb": "456"}}, {})
    assert picked["series"]["externalIds"] == {"tmdb": "456"} and "candidates" not in picked["series"]


def test_movie_by_name_answers_the_normalized_movie_shape() -> None:
    folder, manifest = plugin("py-series")
    answer = run(folder, manifest, "movieByName", {"title": "Heat", "imageBase": "http://h/i"}, {})
    assert answer["kind"] == "movie"
    movie = answer["movie"]
    assert movie["title"] == "Heat" and movie["releaseDate"] == "2021-06-01" and movie["runtime"] == 118
    assert movie["posterCandidates"][0]["url"] == "http://h/i/movie-poster.jpg"
    assert run(folder, manifest, "videoByName", {"name": "Ronin"}, {})["movie"]["title"] == "Ronin"


def test_without_pidfd_the_same_rules_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proc_mod, "_exit_watch", lambda pid: None)  # kernels before 5.3: polling
    folder, manifest = plugin("py-echo")
    assert run(folder, manifest, "videoByName", {"title": "P"}, {})["input"] == {"title": "P"}
    folder, manifest = plugin("py-exit")
    with pytest.raises(PluginRunError, match="exited with code 3"):
        run(folder, manifest, "videoByName", {}, {})
    folder, manifest = plugin("py-sleep")
    pid_file = tmp_path / "grandchild.pid"
    with pytest.raises(PluginRunError, match="timed out after 1 s"):
        run(folder, manifest, "videoByName", {"pidFile": str(pid_file)}, {}, timeout=1)
    pid = int(pid_file.read_text())
    assert wait_until(lambda: gone(pid))


@needs_node
def test_typescript_esm_entry(tmp_path: Path) -> None:
    folder = tmp_path / "js-esm"
    (folder / "dist").mkdir(parents=True)
    (folder / "manifest.yml").write_text(
        'id: js-esm\nname: JS Esm\nversion: "1"\nruntime: typescript\nentry: dist/x.mjs\n'
    )
    (folder / "dist" / "x.mjs").write_text(
        "export default { capabilities: {}, async execute(action, input) { return { esm: true, ...input }; } };\n"
    )
    assert run(folder, load_manifest(folder), "videoByName", {"a": 1}, {}) == {"esm": True, "a": 1}
