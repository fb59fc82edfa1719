"""``action: script``: running a scraper's command (Stash's ``script.go`` and ``pkg/python``).

The command is the ``script:`` list; ``python``/``python3`` as its first word is the server's own
interpreter (the ``python`` argument), with ``PYTHONPATH`` = the existing one + the parent of the
scraper's folder, so a sibling ``py_common`` package imports. The working directory is the YAML's
folder. The input JSON goes to stdin, which is then closed; stdout must hold one JSON document
(``null`` = no result; anything after the first document is ignored, as Go's decoder does).
stderr lines are log lines: ``\\x01<c>\\x02`` picks the level (t, d, i, w, e, p), other lines are
errors. Exit status 0 is success, 69 (py_common's "logged and gave up") is no result, anything
else is an error quoting the last stderr line. After ``timeout`` seconds the whole process group
is killed and the scrape fails with :class:`ScrapeTimeout`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from plugins_builtin.scrapers.engine.errors import ScrapeError, ScrapeTimeout
from plugins_builtin.scrapers.engine.log import ScrapeLog

__all__ = ["EXIT_NO_RESULT", "NO_RESULT", "run_script"]

EXIT_NO_RESULT = 69
MAX_STDOUT_BYTES = 64 * 1024 * 1024
_LEVELS = {"t": "trace", "d": "debug", "i": "info", "w": "warning", "e": "error", "p": "progress"}


class _NoResult:
    def __repr__(self) -> str:
        return "NO_RESULT"


NO_RESULT = _NoResult()
"""What :func:`run_script` returns for exit status 69."""


def handle_stderr_line(line: str, log: ScrapeLog) -> str:
    """Log one stderr line by its ``\\x01<c>\\x02`` prefix (Stash's ``PluginLogger``); returns the text."""
    level = None
    if len(line) >= 3 and line[0] == "\x01" and line[2] == "\x02" and line[1] in _LEVELS:
        level = _LEVELS[line[1]]
        line = line[3:]
    text = line.strip()
    if level == "progress":
        try:
            float(text)
        except ValueError:
            log.error(f"Error parsing progress value '{text}'")
            return text
    log.log(level or "error", text)
    return text


def _command(script: list[str], scraper_dir: Path, python: str) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    first = script[0]
    if first in ("python", "python3"):
        cmd = [python, *script[1:]]
        parent = str(scraper_dir.parent.resolve())
        existing = env.get("PYTHONPATH", "")
        env["PYTHONPATH"] = existing + os.pathsep + parent if existing else parent
        env.setdefault("PYTHONIOENCODING", "utf-8")
        return cmd, env
    if os.sep not in first and "/" not in first:
        found = shutil.which(first)
        if found is None and (scraper_dir / first).is_file():
            found = str(scraper_dir / first)
        if found is not None:
            first = found
    return [first, *script[1:]], env


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Obscura runs on POSIX
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def run_script(
    script: list[str],
    input_json: str,
    *,
    scraper_dir: Path,
    log: ScrapeLog,
    timeout: float = 30.0,
    python: str = sys.executable,
) -> Any:
    """Run a scraper script; returns the decoded JSON output, ``None`` for ``null`` and
    :data:`NO_RESULT` for exit status 69. Raises :class:`ScrapeError`/:class:`ScrapeTimeout`."""
    cmd, env = _command(script, scraper_dir, python)
    log.debug(f"Scraper script <{' '.join(cmd)}> started")
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=str(scraper_dir),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise ScrapeError(f"could not run the scraper script {script[0]!r}: {exc.strerror or exc}") from None

    stdout_chunks: list[bytes] = []
    stderr_state = {"last": ""}
    too_big = threading.Event()

    def feed() -> None:
        try:
            assert proc.stdin is not None
            proc.stdin.write(input_json.encode("utf-8"))
        except (BrokenPipeError, OSError):
            pass
        finally:
            try:
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass

    def read_stdout() -> None:
        assert proc.stdout is not None
        size = 0
        try:
            for chunk in iter(lambda: proc.stdout.read(64 * 1024), b""):  # type: ignore[union-attr]
                size += len(chunk)
                if size > MAX_STDOUT_BYTES:
                    too_big.set()
                    _kill_group(proc)
                    break
                stdout_chunks.append(chunk)
        except (OSError, ValueError):  # the pipe was closed under us after a kill
            pass

    def read_stderr() -> None:
        assert proc.stderr is not None
        try:
            for raw in iter(proc.stderr.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line == "":
                    continue
                text = handle_stderr_line(line, log)
                if text:
                    stderr_state["last"] = text
        except (OSError, ValueError):
            pass

    threads = [threading.Thread(target=f, daemon=True) for f in (feed, read_stdout, read_stderr)]
    for t in threads:
        t.start()
    try:
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.wait()
            for t in threads:
                t.join(timeout=2)
            log.error(f"script timed out after {timeout:g} s and was stopped")
            raise ScrapeTimeout(f"script timed out after {timeout:g} s") from None
        # the readers finish when every process holding the pipes has exited
        for t in threads:
            t.join(timeout=5)
        if any(t.is_alive() for t in threads[1:]):
            _kill_group(proc)
            for t in threads:
                t.join(timeout=2)
    finally:
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
    log.debug("Scraper script finished")
    if too_big.is_set():
        raise ScrapeError(f"the script printed more than {MAX_STDOUT_BYTES // (1024 * 1024)} MB")
    if code == EXIT_NO_RESULT:
        log.warning(f"script exited with status {EXIT_NO_RESULT}: no result")
        return NO_RESULT
    if code != 0:
        last = stderr_state["last"]
        detail = f": {last}" if last else ""
        raise ScrapeError(f"scraper script error: exit status {code}{detail}")
    return decode_output(b"".join(stdout_chunks))


def decode_output(raw: bytes) -> Any:
    """The first JSON document of a script's stdout (Go's ``json.Decoder.Decode``)."""
    text = raw.decode("utf-8", "replace")
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        raise ScrapeError("the script printed nothing (expected JSON)")
    try:
        value, _ = json.JSONDecoder().raw_decode(stripped)
    except json.JSONDecodeError:
        first = stripped[:80].replace("\n", "\\n")
        raise ScrapeError(f"script printed something that is not JSON: {first!r}") from None
    return value
