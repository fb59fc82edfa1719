"""``action: script``: the protocol (stdin/stdout JSON, cwd, PYTHONPATH → a sibling py_common,
stderr log levels), exit statuses, garbage output and timeouts."""

from __future__ import annotations

import shutil
import sys
import time

import pytest

from plugins_builtin.scrapers.engine import ScrapeError, ScrapeTimeout, scrape


@pytest.fixture
def with_py_common(tmp_path, community):
    shutil.copytree(community / "py_common", tmp_path / "py_common")
    return tmp_path


SCRIPT_YML = """
name: Scripted
sceneByURL:
  - action: script
    url: [example.com]
    script: [python, scraper.py, scene-by-url]
sceneByFragment:
  action: script
  script: [python3, scraper.py, scene-by-fragment]
sceneByQueryFragment:
  action: script
  script: [python, scraper.py, scene-by-query-fragment]
sceneByName:
  action: script
  script: [python, scraper.py, scene-by-name]
performerByFragment:
  action: script
  script: [python, scraper.py, performer-by-fragment]
"""

SCRIPT_PY = """
import json, os, sys
from pathlib import Path
from py_common import log
from py_common.util import scraper_args

op, args = scraper_args()
log.trace("trace line")
log.debug("debug line")
log.info(f"cwd={Path.cwd().name}")
log.warning("two\\nlines")
log.progress(0.5)
print("plain stderr line", file=sys.stderr)
if op == "scene-by-url":
    result = {"title": "From " + args["url"], "urls": [args["url"]], "code": os.environ.get("PYTHONPATH", ""),
              "studio": {"name": "S", "bogus": 1}, "unknown_field": 3, "details": None}
elif op == "scene-by-name":
    result = [{"title": args["name"] + " 1"}, {"title": args["name"] + " 2", "image": "data:image/png;base64,AA=="}]
else:
    result = {"title": op, "name": op, "details": json.dumps(args, sort_keys=True)}
print(json.dumps(result))
print("anything after the first JSON value is ignored")
"""


@pytest.fixture
def scripted(make_scraper, with_py_common):
    return make_scraper(SCRIPT_YML, name="Scripted", files={"scraper.py": SCRIPT_PY})


def test_script_protocol(scripted, log, with_py_common):
    result = scrape(scripted, "sceneByURL", {"url": "https://example.com/s/1"}, log=log)
    pythonpath = result.pop("code")
    assert str(with_py_common) in pythonpath.split(":")
    assert result == {
        "title": "From https://example.com/s/1",
        "urls": ["https://example.com/s/1"],
        "url": "https://example.com/s/1",
        "studio": {"name": "S"},
    }
    assert ("trace", "trace line") in log.lines
    assert ("debug", "debug line") in log.lines
    assert ("info", "cwd=Scripted") in log.lines
    assert ("warning", "two") in log.lines and ("warning", "lines") in log.lines
    assert ("progress", "0.5") in log.lines
    assert ("error", "plain stderr line") in log.lines
    assert 'reading script result: json: unknown field "unknown_field"' in log.messages("warning")
    assert 'reading script result: json: unknown field "studio.bogus"' in log.messages("warning")


def test_script_inputs_per_action(scripted, log):
    import json

    stored = {
        "id": "12",
        "title": "",
        "urls": ["https://example.com/a"],
        "date": None,
        "details": "d",
        "files": [{"path": "/v/clip.mp4", "fingerprints": [{"type": "oshash", "fingerprint": "ab"}]}],
    }
    out = scrape(scripted, "sceneByFragment", stored, log=log)
    sent = json.loads(out["details"])
    assert sent["title"] == "clip.mp4"  # Stash falls back to the file name
    assert sent["url"] == "https://example.com/a" and sent["files"][0]["fingerprints"][0]["fingerprint"] == "ab"

    out = scrape(scripted, "sceneByQueryFragment", {"title": "T", "urls": ["u"], "extra": 1}, log=log)
    assert json.loads(out["details"]) == {
        "code": None,
        "date": None,
        "details": None,
        "director": None,
        "remote_site_id": None,
        "title": "T",
        "url": None,
        "urls": ["u"],
    }

    out = scrape(scripted, "performerByFragment", {"name": "Anna", "url": "https://x/anna"}, log=log)
    assert out["name"] == "performer-by-fragment" and "title" not in out
    sent = json.loads(out["details"])
    assert sent["name"] == "Anna" and sent["url"] == "https://x/anna" and sent["gender"] is None


def test_script_search_returns_a_list(scripted, log):
    results = scrape(scripted, "sceneByName", {"name": 'say "hi"'}, log=log)
    assert results == [{"title": 'say "hi" 1'}, {"title": 'say "hi" 2', "image": "data:image/png;base64,AA=="}]


def one_shot(make_scraper, body: str, name: str = "One") -> object:
    return make_scraper(
        """
        name: One
        sceneByURL:
          - action: script
            url: [example.com]
            script: [python, one.py]
        """,
        name=name,
        files={"one.py": body},
    )


def test_garbage_output_is_an_error(make_scraper, log):
    defn = one_shot(make_scraper, "print('Traceback? no: <html>hello</html>')\n")
    with pytest.raises(ScrapeError, match="script printed something that is not JSON: 'Traceback\\? no: <html>"):
        scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log)


def test_empty_output_is_an_error(make_scraper, log):
    defn = one_shot(make_scraper, "pass\n")
    with pytest.raises(ScrapeError, match="printed nothing"):
        scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log)


def test_null_output_is_no_result(make_scraper, log):
    defn = one_shot(make_scraper, "print('null')\n")
    assert scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log) is None


def test_a_list_where_an_object_is_expected_is_an_error(make_scraper, log):
    defn = one_shot(make_scraper, "print('[1, 2]')\n")
    with pytest.raises(ScrapeError, match="expected a scene object"):
        scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log)


def test_exit_69_is_no_result(make_scraper, log, with_py_common):
    body = "from py_common import log\nimport sys\nsys.stdin.read()\nraise RuntimeError('site changed')\n"
    defn = one_shot(make_scraper, body)
    assert scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log) is None
    errors = "\n".join(log.messages("error"))
    assert "RuntimeError: site changed" in errors
    assert "script exited with status 69: no result" in log.messages("warning")


def test_other_exit_status_is_an_error_with_the_last_stderr_line(make_scraper, log):
    body = (
        "import sys\n"
        "print('first problem', file=sys.stderr)\n"
        "print('\\x01e\\x02 last problem', file=sys.stderr)\n"
        "sys.exit(3)\n"
    )
    defn = one_shot(make_scraper, body)
    with pytest.raises(ScrapeError, match=r"^scraper script error: exit status 3: last problem$"):
        scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log)


def test_a_script_that_loops_forever_is_stopped(make_scraper, log):
    body = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "while True:\n"
        "    time.sleep(0.05)\n"
    )
    defn = one_shot(make_scraper, body)
    start = time.monotonic()
    with pytest.raises(ScrapeTimeout, match=r"^script timed out after 1\.5 s$"):
        scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log, timeout=1.5)
    assert time.monotonic() - start < 6


def test_non_python_commands_run_in_the_scraper_folder(make_scraper, log):
    defn = make_scraper(
        """
        name: Sh
        sceneByURL:
          - action: script
            url: [example.com]
            script: [sh, run.sh]
        """,
        name="Sh",
        files={"run.sh": 'read input\necho "{\\"title\\": \\"$(basename "$PWD")\\"}"\n'},
    )
    assert scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log) == {"title": "Sh"}


def test_a_missing_program_is_an_error(make_scraper, log):
    defn = make_scraper(
        """
        name: Missing
        sceneByURL:
          - action: script
            url: [example.com]
            script: [definitely-not-a-program-xyz, a]
        """,
        name="Missing",
    )
    with pytest.raises(ScrapeError, match="could not run the scraper script"):
        scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log)


def test_the_python_argument_is_used(make_scraper, log, tmp_path):
    wrapper = tmp_path / "mypython"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c \'print("{{\\"title\\": \\"wrapped\\"}}")\'\n')
    wrapper.chmod(0o755)
    defn = one_shot(make_scraper, "print('null')\n")
    assert scrape(defn, "sceneByURL", {"url": "https://example.com/"}, log=log, python=str(wrapper)) == {
        "title": "wrapped"
    }
