"""One plugin call as a child process: its environment, the stdin/stdout JSON protocol, limits.

The child is started in its own session (``start_new_session=True``) with a small environment
(:func:`child_env`), is given the envelope on stdin (which is then closed), and has ``timeout``
seconds. When the time is up — or stdout passes :data:`MAX_STDOUT_BYTES` — the whole process
group is killed with SIGKILL, grandchildren included. When the plugin's main process exits,
whatever it left running in its process group is killed too. stderr is read line by line and
handed to ``log("info", line)`` (a Stash-style ``\\x01<c>\\x02`` prefix picks another level);
logging never breaks a run.

The answer (:func:`parse_answer`) is the original's: stdout holds one JSON document
``{"ok": …, "result" | "results": …, "error": …}``; empty stdout or ``null`` means no result;
exit status 0 and 69 are both accepted. Unlike the original, which fails when anything else is
printed, a run whose stdout has lines before (or after) the JSON answer still succeeds: the last
line-started JSON object with an ``ok`` key is the answer and the other lines are logged.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plugin_sdk.errors import ObscuraError

__all__ = [
    "EXIT_OK",
    "MAX_STDERR_LOG_BYTES",
    "MAX_STDOUT_BYTES",
    "Finished",
    "LogFn",
    "PluginRunError",
    "answer_result",
    "answer_results",
    "call",
    "check_finished",
    "child_env",
    "envelope",
    "parse_answer",
    "result_of",
    "results_of",
    "run_process",
    "scratch_home",
]

LogFn = Callable[[str, str], None]
"""``log(level, message)``: where a plugin's stderr lines go."""

EXIT_OK = (0, 69)
"""Exit statuses that count as success (69 is py_common's "logged and gave up")."""
MAX_STDOUT_BYTES = 16 * 1024 * 1024
"""A plugin printing more than this is stopped and the run fails."""
MAX_STDERR_LOG_BYTES = 1024 * 1024
"""stderr past this much is read and dropped (only the last line is kept for the error message)."""
MAX_LINE_BYTES = 64 * 1024
"""A longer stderr line is cut into pieces of this size."""
_READ_CHUNK = 64 * 1024
_EXIT_GRACE_S = 2.0
_LEVELS = {"t": "trace", "d": "debug", "i": "info", "w": "warning", "e": "error", "p": "progress"}
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")


class PluginRunError(ObscuraError):
    """502 ``plugin_failed``: the plugin ran but did not give an answer; the message says why
    ("timed out after 30 s", "exited with code 3: <last stderr line>", "printed something that
    is not JSON: …", "answered ok: false: <error>", "missing result")."""

    status = 502
    code = "plugin_failed"

    def __init__(
        self, message: str, *, plugin_id: str | None = None, action: str | None = None, stderr: str = ""
    ) -> None:
        super().__init__(message)
        self.plugin_id = plugin_id
        self.action = action
        self.stderr = stderr


@dataclass(frozen=True, slots=True)
class Finished:
    """How a child process ended: exit ``code`` (negative: killed by that signal), its stdout,
    the last stderr line, and whether it was stopped for time (``timed_out``) or for printing
    too much (``too_big``)."""

    code: int
    stdout: bytes
    last_stderr: str
    timed_out: bool = False
    too_big: bool = False


# --- environment ---------------------------------------------------------------------------


def scratch_home(plugin_id: str) -> Path:
    """The plugin's own writable home: ``<system temp>/obscura-plugins-<uid>/<id>`` (mode 700).

    It lasts between runs (a plugin may cache there) and holds nothing of the server's.
    """
    base = Path(tempfile.gettempdir()) / f"obscura-plugins-{os.getuid()}"
    base.mkdir(mode=0o700, exist_ok=True)
    info = base.lstat()
    if base.is_symlink() or info.st_uid != os.getuid():
        # someone else owns the shared name: use a private directory instead
        base = Path(tempfile.mkdtemp(prefix="obscura-plugins-"))
    home = base / (_SAFE_ID.sub("_", plugin_id).strip("._") or "plugin")
    home.mkdir(mode=0o700, exist_ok=True)
    return home


def child_env(plugin_id: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a plugin process: ``PATH``, ``HOME`` (:func:`scratch_home`),
    ``LANG``/``LC_ALL`` (the server's, else ``C.UTF-8``), ``TMPDIR``, ``PYTHONIOENCODING=utf-8``,
    ``PYTHONUNBUFFERED=1`` and ``extra`` — nothing else of the server's environment (no
    ``OBSCURA_SECRET``, database or Redis URL, no ``NODE_OPTIONS``)."""
    env = {
        "PATH": os.environ.get("PATH") or os.defpath,
        "HOME": str(scratch_home(plugin_id)),
        "LANG": os.environ.get("LANG") or "C.UTF-8",
        "TMPDIR": tempfile.gettempdir(),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
    }
    if os.environ.get("LC_ALL"):
        env["LC_ALL"] = os.environ["LC_ALL"]
    if extra:
        env.update(extra)
    return env


# --- protocol ------------------------------------------------------------------------------


def envelope(
    action: str,
    auth: Mapping[str, str],
    *,
    input: Mapping[str, Any] | None = None,
    batch: Sequence[tuple[str, Mapping[str, Any]]] | None = None,
) -> bytes:
    """The stdin document: ``{"obscura_version": 1, "action", "auth", "input"}`` or, for a batch,
    ``"batch": [{"id", "input"}]`` instead of ``input``."""
    doc: dict[str, Any] = {"obscura_version": 1, "action": action, "auth": dict(auth)}
    if batch is not None:
        doc["batch"] = [{"id": item_id, "input": dict(item)} for item_id, item in batch]
    else:
        doc["input"] = dict(input or {})
    return json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")


def _fallback_answer(text: str) -> tuple[dict[str, Any], int, int] | None:
    """The last object with an ``ok`` key that starts a line of ``text``: (answer, start, end)."""
    starts = [m.start(1) for m in re.finditer(r"(?m)^[ \t]*(\{)", text)]
    decoder = json.JSONDecoder()
    for start in reversed(starts):
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if isinstance(value, dict) and "ok" in value:
            return value, start, end
    return None


def _log_lines(log: LogFn | None, text: str) -> None:
    for line in text.splitlines():
        if line.strip():
            _emit(log, "info", line.rstrip())


def parse_answer(stdout: bytes, who: str, log: LogFn | None = None) -> dict[str, Any] | None:
    """The plugin's answer object, ``None`` for an empty or ``null`` stdout.

    :raises PluginRunError: stdout holds no JSON answer ("printed something that is not JSON")
        or a JSON value that is not an object ("missing result").
    """
    text = stdout.decode("utf-8", "replace").strip()
    if not text or text == "null":
        return None
    try:
        value = json.loads(text)
    except ValueError:
        found = _fallback_answer(text)
        if found is None:
            raise PluginRunError(f"{who} printed something that is not JSON: {text[:200]}") from None
        value, start, end = found
        _log_lines(log, text[:start])
        _log_lines(log, text[end:])
    if not isinstance(value, dict):
        raise PluginRunError(f"{who} missing result: it answered a JSON {type(value).__name__}, not an object")
    return value


def _check_ok(answer: Mapping[str, Any], who: str) -> None:
    error = answer.get("error")
    if not answer.get("ok") and error:
        text = error if isinstance(error, str) else json.dumps(error, default=str)
        raise PluginRunError(f"{who} answered ok: false: {text[:1000]}")
    if answer.get("ok") is False:
        raise PluginRunError(f"{who} answered ok: false")


def answer_result(answer: Mapping[str, Any] | None, who: str) -> Any:
    """The ``result`` of a single call (``None`` when absent, as in the original).

    :raises PluginRunError: the plugin answered ``ok: false``.
    """
    if answer is None:
        return None
    _check_ok(answer, who)
    return answer.get("result")


def answer_results(answer: Mapping[str, Any] | None, ids: Sequence[str], who: str) -> dict[str, Any]:
    """``{item id: result}`` of a batch answer, in the order of ``ids``.

    No answer or no ``results`` gives ``None`` for every item (the original's behaviour); an item
    the plugin left out, or answered with ``{"id", "error"}``, gets a :class:`PluginRunError` as
    its value ("missing result"); ids nobody asked for are ignored.

    :raises PluginRunError: the plugin answered ``ok: false``, or ``results`` is not a list.
    """
    if answer is None:
        return dict.fromkeys(ids)
    _check_ok(answer, who)
    results = answer.get("results")
    if results is None:
        return dict.fromkeys(ids)
    if not isinstance(results, list):
        raise PluginRunError(f"{who} missing result: results is a JSON {type(results).__name__}, not a list")
    wanted = set(ids)
    got: dict[str, Any] = {}
    for entry in results:
        if not isinstance(entry, Mapping) or entry.get("id") is None:
            continue
        item_id = str(entry["id"])
        if item_id not in wanted or item_id in got:
            continue
        if entry.get("result") is None and entry.get("error"):
            got[item_id] = PluginRunError(f"{who} failed for item {item_id}: {str(entry['error'])[:1000]}")
        else:
            got[item_id] = entry.get("result")
    return {
        item_id: got[item_id] if item_id in got else PluginRunError(f"{who} missing result for item {item_id}")
        for item_id in ids
    }


# --- the process ---------------------------------------------------------------------------


def _emit(log: LogFn | None, level: str, message: str) -> None:
    if log is None:
        return
    try:
        log(level, message)
    except Exception:  # a broken log sink never breaks a run
        pass


class _Stderr:
    """Splits stderr into lines, logs them (up to a budget) and remembers the last one."""

    def __init__(self, log: LogFn | None) -> None:
        self.log = log
        self.buffer = b""
        self.logged = 0
        self.last = ""
        self.tail: list[str] = []

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while True:
            cut = self.buffer.find(b"\n")
            if cut < 0:
                if len(self.buffer) >= MAX_LINE_BYTES:
                    cut = MAX_LINE_BYTES
                    line, self.buffer = self.buffer[:cut], self.buffer[cut:]
                    self._line(line)
                    continue
                return
            line, self.buffer = self.buffer[:cut], self.buffer[cut + 1 :]
            self._line(line)

    def close(self) -> None:
        if self.buffer:
            self._line(self.buffer)
            self.buffer = b""

    def _line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", "replace").rstrip("\r")
        level = "info"
        if len(line) >= 3 and line[0] == "\x01" and line[2] == "\x02" and line[1] in _LEVELS:
            level, line = _LEVELS[line[1]], line[3:]
        line = line.rstrip()
        if not line.strip():
            return
        self.last = line
        self.tail = [*self.tail[-19:], line]
        if self.logged < MAX_STDERR_LOG_BYTES:
            self.logged += len(raw) + 1
            _emit(self.log, level, line)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _exit_watch(pid: int) -> int | None:
    """A pidfd that becomes readable when ``pid`` exits (Linux ≥ 5.3), else ``None``."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        return int(opener(pid))
    except OSError:
        return None


def run_process(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    stdin: bytes,
    timeout: float,
    log: LogFn | None = None,
    who: str = "The plugin",
) -> tuple[Finished, list[str]]:
    """Run ``cmd`` to the end (or the deadline); returns how it finished and the stderr tail.

    :raises PluginRunError: the command could not be started.
    """
    try:
        proc = subprocess.Popen(
            list(cmd),
            cwd=str(cwd),
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        raise PluginRunError(f"{who} could not be started ({cmd[0]}): {exc.strerror or exc}") from None
    try:
        return _Pump(proc, stdin, timeout, log).run()
    finally:
        if proc.returncode is None:  # _drive did not finish: stop everything
            _kill_group(proc.pid)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        if proc.returncode is None:
            proc.wait()


class _Pump:
    """Feeds stdin and drains stdout/stderr of one child until it is done or out of time."""

    def __init__(self, proc: subprocess.Popen[bytes], data: bytes, timeout: float, log: LogFn | None) -> None:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        self.proc = proc
        self.deadline = time.monotonic() + timeout
        self.stdin_fd, self.stdout_fd = proc.stdin.fileno(), proc.stdout.fileno()
        self.view = memoryview(data)
        self.sent = 0
        self.stderr = _Stderr(log)
        self.chunks: list[bytes] = []
        self.size = 0
        self.open_reads = 2
        self.timed_out = self.too_big = self.exited = False
        self.exited_at = 0.0
        self.pidfd = _exit_watch(proc.pid)

    def _exit(self) -> None:
        """The main process is gone: stop what it left in its group, so the pipes close."""
        self.exited, self.exited_at = True, time.monotonic()
        _kill_group(self.proc.pid)

    def _write(self, sel: selectors.BaseSelector) -> None:
        try:
            self.sent += os.write(self.stdin_fd, self.view[self.sent : self.sent + _READ_CHUNK])
        except BlockingIOError:
            return
        except OSError:  # the plugin closed stdin (EPIPE): it read what it wanted
            self.sent = len(self.view)
        if self.sent >= len(self.view):
            sel.unregister(self.stdin_fd)
            self.proc.stdin.close()  # type: ignore[union-attr]

    def _read(self, sel: selectors.BaseSelector, fd: int) -> None:
        try:
            chunk = os.read(fd, _READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            sel.unregister(fd)
            self.open_reads -= 1
        elif fd != self.stdout_fd:
            self.stderr.feed(chunk)
        else:
            self.size += len(chunk)
            if self.size > MAX_STDOUT_BYTES:
                self.too_big = True
            else:
                self.chunks.append(chunk)

    def _running(self) -> bool:
        # until stdout and stderr are closed and (with a pidfd) the main process has exited: its
        # group is then killed while it is still a zombie, so its id cannot be reused yet
        return bool(self.open_reads) or (self.pidfd is not None and not self.exited)

    def _loop(self, sel: selectors.BaseSelector) -> None:
        while self._running() and not self.too_big:
            limit = min(self.deadline, self.exited_at + _EXIT_GRACE_S) if self.exited else self.deadline
            remaining = limit - time.monotonic()
            if remaining <= 0:
                # past the deadline; or the main process exited but something outside its
                # process group still holds the pipes: take what was printed
                self.timed_out = not self.exited
                return
            polling = self.pidfd is None and not self.exited
            for key, _mask in sel.select(min(remaining, 0.02) if polling else remaining):
                if key.fd == self.stdin_fd:
                    self._write(sel)
                elif key.fd == self.pidfd:
                    sel.unregister(key.fd)
                    self._exit()
                else:
                    self._read(sel, key.fd)
                if self.too_big:
                    return
            if polling and self.proc.poll() is not None:
                self._exit()

    def run(self) -> tuple[Finished, list[str]]:
        proc = self.proc
        with selectors.DefaultSelector() as sel:
            sel.register(self.stdout_fd, selectors.EVENT_READ)
            sel.register(proc.stderr.fileno(), selectors.EVENT_READ)  # type: ignore[union-attr]
            if self.pidfd is not None:
                sel.register(self.pidfd, selectors.EVENT_READ)
            if self.view:
                os.set_blocking(self.stdin_fd, False)
                sel.register(self.stdin_fd, selectors.EVENT_WRITE)
            else:
                proc.stdin.close()  # type: ignore[union-attr]
            try:
                self._loop(sel)
            finally:
                if self.pidfd is not None:
                    os.close(self.pidfd)
        if not (self.timed_out or self.too_big):
            try:
                proc.wait(timeout=max(0.0, self.deadline - time.monotonic()) + 0.5)
            except subprocess.TimeoutExpired:
                self.timed_out = True
        if proc.returncode is None:
            _kill_group(proc.pid)
            proc.wait()
        self.stderr.close()
        finished = Finished(
            code=proc.returncode,
            stdout=b"".join(self.chunks),
            last_stderr=self.stderr.last,
            timed_out=self.timed_out,
            too_big=self.too_big,
        )
        return finished, self.stderr.tail


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def check_finished(finished: Finished, who: str, timeout: float) -> None:
    """Raise the :class:`PluginRunError` a failed process deserves; nothing for exit 0/69."""
    if finished.timed_out:
        raise PluginRunError(f"{who} timed out after {timeout:g} s")
    if finished.too_big:
        raise PluginRunError(f"{who} printed more than {_size(MAX_STDOUT_BYTES)} on stdout")
    if finished.code in EXIT_OK:
        return
    if finished.code < 0:
        try:
            name = signal.Signals(-finished.code).name
        except ValueError:
            name = str(-finished.code)
        what = f"was killed by {name}"
    else:
        what = f"exited with code {finished.code}"
    detail = f": {finished.last_stderr[:500]}" if finished.last_stderr else ""
    raise PluginRunError(f"{who} {what}{detail}")


# --- one call, start to answer -------------------------------------------------------------


def _tag(exc: PluginRunError, manifest: Any, action: str) -> PluginRunError:
    exc.plugin_id, exc.action = manifest.id, action
    return exc


def call(
    cmd: Sequence[str],
    *,
    folder: Path,
    env: Mapping[str, str],
    manifest: Any,
    action: str,
    stdin: bytes,
    timeout: float,
    log: LogFn | None,
) -> dict[str, Any] | None:
    """Run one plugin process and read its answer (:func:`parse_answer`).

    :raises PluginRunError: it could not start, timed out, printed too much, exited with another
        status than 0/69 or printed no JSON answer; ``stderr`` holds its last stderr lines.
    """
    who = manifest.name
    try:
        finished, tail = run_process(cmd, cwd=folder, env=env, stdin=stdin, timeout=timeout, log=log, who=who)
    except PluginRunError as exc:
        raise _tag(exc, manifest, action) from None
    try:
        check_finished(finished, who, timeout)
        return parse_answer(finished.stdout, who, log)
    except PluginRunError as exc:
        exc.stderr = "\n".join(tail)
        raise _tag(exc, manifest, action) from None


def result_of(answer: Mapping[str, Any] | None, manifest: Any, action: str) -> Any:
    """:func:`answer_result`, the error naming the plugin and action."""
    try:
        return answer_result(answer, manifest.name)
    except PluginRunError as exc:
        raise _tag(exc, manifest, action) from None


def results_of(answer: Mapping[str, Any] | None, ids: Sequence[str], manifest: Any, action: str) -> dict[str, Any]:
    """:func:`answer_results`, the errors naming the plugin and action."""
    try:
        results = answer_results(answer, ids, manifest.name)
    except PluginRunError as exc:
        raise _tag(exc, manifest, action) from None
    for value in results.values():
        if isinstance(value, PluginRunError):
            _tag(value, manifest, action)
    return results


Launch = Callable[[Path, Any], tuple[list[str], dict[str, str]]]
"""A runtime's ``(folder, manifest) -> (argv, environment)`` of the plugin's process."""


def run_child(
    launch: Launch, folder: Path, manifest: Any, action: str, input: Mapping[str, Any], auth: Mapping[str, str],
    *, timeout: float, log: LogFn | None = None,
) -> Any:  # fmt: skip
    """One call in one process: the plugin's ``result``. :raises PluginRunError:."""
    cmd, env = launch(folder, manifest)
    stdin = envelope(action, auth, input=input)
    answer = call(cmd, folder=folder, env=env, manifest=manifest, action=action, stdin=stdin, timeout=timeout, log=log)
    return result_of(answer, manifest, action)


def run_child_batch(
    launch: Launch, folder: Path, manifest: Any, action: str, items: Sequence[tuple[str, Mapping[str, Any]]],
    auth: Mapping[str, str], *, timeout: float, log: LogFn | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Every item in one process (``"batch": [{"id", "input"}]``): ``{item id: result}``."""
    cmd, env = launch(folder, manifest)
    stdin = envelope(action, auth, batch=items)
    answer = call(cmd, folder=folder, env=env, manifest=manifest, action=action, stdin=stdin, timeout=timeout, log=log)
    return results_of(answer, [item_id for item_id, _ in items], manifest, action)
