"""The stdin/stdout protocol of plugin processes, without processes: the envelope, reading the
answer (the original's rules plus log lines around the JSON), batch results, exit statuses."""

from __future__ import annotations

import json

import pytest

from plugins_builtin.packages.runtime.process import (
    Finished,
    PluginRunError,
    answer_result,
    answer_results,
    check_finished,
    child_env,
    envelope,
    parse_answer,
)


def test_envelope_single_and_batch() -> None:
    single = json.loads(envelope("videoByName", {"K": "v"}, input={"title": "Heat"}))
    assert single == {"obscura_version": 1, "action": "videoByName", "auth": {"K": "v"}, "input": {"title": "Heat"}}
    batch = json.loads(envelope("videoByURL", {}, batch=[("1", {"url": "u"}), ("2", {})]))
    assert batch == {
        "obscura_version": 1,
        "action": "videoByURL",
        "auth": {},
        "batch": [{"id": "1", "input": {"url": "u"}}, {"id": "2", "input": {}}],
    }
    assert "Über" in envelope("a", {}, input={"title": "Über"}).decode("utf-8")


@pytest.mark.parametrize("stdout", [b"", b"  \n", b"null", b"null\n"])
def test_nothing_printed_is_no_answer(stdout: bytes) -> None:
    assert parse_answer(stdout, "P") is None
    assert answer_result(None, "P") is None
    assert answer_results(None, ["a", "b"], "P") == {"a": None, "b": None}


def test_one_json_document_is_the_answer() -> None:
    assert parse_answer(b'{"ok": true, "result": {"t": 1}}\n', "P") == {"ok": True, "result": {"t": 1}}
    pretty = json.dumps({"ok": True, "result": [1, 2]}, indent=2).encode()
    assert parse_answer(pretty, "P") == {"ok": True, "result": [1, 2]}


def test_log_lines_around_the_answer() -> None:
    lines: list[tuple[str, str]] = []
    stdout = b'starting\n{"partial": true\n{"ok": true, "result": 3}\nbye\n'
    assert parse_answer(stdout, "P", lambda lv, m: lines.append((lv, m))) == {"ok": True, "result": 3}
    assert lines == [("info", "starting"), ("info", '{"partial": true'), ("info", "bye")]


def test_the_last_answer_wins_and_nested_objects_are_not_answers() -> None:
    stdout = b'log\n{"ok": true, "result": 1}\n{"ok": true, "result": 2}\n'
    assert parse_answer(stdout, "P")["result"] == 2
    pretty = b'log\n{\n  "ok": true,\n  "results": [\n    {"id": "a", "result": 1}\n  ]\n}\n'
    assert parse_answer(pretty, "P")["results"] == [{"id": "a", "result": 1}]


def test_not_json() -> None:
    with pytest.raises(PluginRunError, match=r"^P printed something that is not JSON: Traceback"):
        parse_answer(b"Traceback (most recent call last):\n  oops\n", "P")
    with pytest.raises(PluginRunError, match="not JSON"):
        parse_answer(b'log\n{"result": 1}\n', "P")  # the fallback needs an "ok" key


def test_json_that_is_not_an_object_is_a_missing_result() -> None:
    with pytest.raises(PluginRunError, match="P missing result: it answered a JSON list"):
        parse_answer(b"[1, 2]", "P")


def test_ok_and_errors() -> None:
    assert answer_result({"ok": True, "result": {"a": 1}}, "P") == {"a": 1}
    assert answer_result({"ok": True}, "P") is None  # as the original: result ?? null
    assert answer_result({"result": 5}, "P") == 5
    with pytest.raises(PluginRunError, match=r"^P answered ok: false: nope$"):
        answer_result({"ok": False, "error": "nope"}, "P")
    with pytest.raises(PluginRunError, match=r"^P answered ok: false: no ok key$"):
        answer_result({"error": "no ok key"}, "P")
    with pytest.raises(PluginRunError, match=r"^P answered ok: false$"):
        answer_result({"ok": False}, "P")
    with pytest.raises(PluginRunError, match=r'answered ok: false: \{"code": 7\}'):
        answer_result({"ok": False, "error": {"code": 7}}, "P")


def test_batch_results() -> None:
    answer = {
        "ok": True,
        "results": [
            {"id": "b", "result": {"n": 2}},
            {"id": 1, "result": None},
            {"id": "zzz", "result": "not asked"},
            {"id": "c", "result": None, "error": "rate limited"},
            "junk",
        ],
    }
    results = answer_results(answer, ["1", "b", "c", "d"], "P")
    assert list(results) == ["1", "b", "c", "d"]
    assert results["1"] is None and results["b"] == {"n": 2}
    assert isinstance(results["c"], PluginRunError) and results["c"].message == "P failed for item c: rate limited"
    assert isinstance(results["d"], PluginRunError) and results["d"].message == "P missing result for item d"
    assert answer_results({"ok": True}, ["x"], "P") == {"x": None}
    with pytest.raises(PluginRunError, match="results is a JSON dict"):
        answer_results({"ok": True, "results": {"x": 1}}, ["x"], "P")
    with pytest.raises(PluginRunError, match="answered ok: false: down"):
        answer_results({"ok": False, "error": "down"}, ["x"], "P")


@pytest.mark.parametrize(
    ("finished", "message"),
    [
        (Finished(code=0, stdout=b"", last_stderr="x"), None),
        (Finished(code=69, stdout=b"", last_stderr=""), None),
        (Finished(code=3, stdout=b"", last_stderr="boom"), "P exited with code 3: boom"),
        (Finished(code=1, stdout=b"", last_stderr=""), "P exited with code 1"),
        (Finished(code=-9, stdout=b"", last_stderr=""), "P was killed by SIGKILL"),
        (Finished(code=-9, stdout=b"", last_stderr="", timed_out=True), "P timed out after 30 s"),
        (Finished(code=-9, stdout=b"", last_stderr="", too_big=True), "P printed more than 16 MB on stdout"),
    ],
)
def test_exit_statuses(finished: Finished, message: str | None) -> None:
    if message is None:
        check_finished(finished, "P", 30.0)
        return
    with pytest.raises(PluginRunError) as err:
        check_finished(finished, "P", 30.0)
    assert err.value.message == message


def test_child_env_is_small_and_home_is_per_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSCURA_SECRET", "s")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    env = child_env("weird/../id with spaces", {"PYTHONPATH": "/x"})
    assert set(env) == {
        "PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONIOENCODING", "PYTHONUNBUFFERED", "PYTHONPATH"
    }  # fmt: skip
    assert "/../" not in env["HOME"] and env["HOME"].endswith("weird_.._id_with_spaces")
    assert child_env("a")["HOME"] != child_env("b")["HOME"]
