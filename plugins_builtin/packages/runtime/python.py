"""The ``python`` runtime: the manifest's ``script`` command, run in the package folder.

A leading ``python``/``python3`` becomes this server's interpreter (``sys.executable``), so a
plugin can import what the server has installed (``requests``, …). ``PYTHONPATH`` is the folder
holding the installed packages, so a sibling package named in ``requires`` (``py_common``)
imports, as in the original. Other commands are run as written (found on ``PATH``, or relative to
the package folder).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from plugins_builtin.packages.runtime.process import (
    LogFn,
    PluginRunError,
    call,
    child_env,
    envelope,
    result_of,
    results_of,
)

__all__ = ["command", "run", "run_batch"]


def command(folder: Path, manifest: Any) -> list[str]:
    """The argv of the plugin: ``manifest.script`` with ``python``/``python3`` → ``sys.executable``.

    :raises PluginRunError: the manifest has no script.
    """
    script = [str(part) for part in (manifest.script or ())]
    if not script or not script[0].strip():
        raise PluginRunError(f"{manifest.name} has no script to run", plugin_id=manifest.id)
    if script[0] in ("python", "python3"):
        script[0] = sys.executable
    elif "/" in script[0] and not Path(script[0]).is_absolute():
        script[0] = str((folder / script[0]).resolve())
    return script


def _call(folder: Path, manifest: Any, action: str, stdin: bytes, timeout: float, log: LogFn | None) -> Any:
    env = child_env(manifest.id, {"PYTHONPATH": str(folder.resolve().parent)})
    cmd = command(folder, manifest)
    return call(cmd, folder=folder, env=env, manifest=manifest, action=action, stdin=stdin, timeout=timeout, log=log)


def run(
    folder: Path,
    manifest: Any,
    action: str,
    input: Mapping[str, Any],
    auth: Mapping[str, str],
    *,
    timeout: float,
    log: LogFn | None = None,
) -> Any:
    """One call: the plugin's ``result``. :raises PluginRunError: see :mod:`.process`."""
    answer = _call(folder, manifest, action, envelope(action, auth, input=input), timeout, log)
    return result_of(answer, manifest, action)


def run_batch(
    folder: Path,
    manifest: Any,
    action: str,
    items: Sequence[tuple[str, Mapping[str, Any]]],
    auth: Mapping[str, str],
    *,
    timeout: float,
    log: LogFn | None = None,
) -> dict[str, Any]:
    """One process for every item (``"batch": [{"id", "input"}]``): ``{item id: result}``."""
    answer = _call(folder, manifest, action, envelope(action, auth, batch=items), timeout, log)
    return results_of(answer, [item_id for item_id, _ in items], manifest, action)
