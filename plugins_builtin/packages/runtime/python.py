"""The ``python`` runtime: the manifest's ``script`` command, run in the package folder.

A leading ``python``/``python3`` becomes this server's interpreter (``sys.executable``), so a
plugin can import what the server has installed (``requests``, …). ``PYTHONPATH`` is the folder
holding the installed packages, so a sibling package named in ``requires`` (``py_common``)
imports, as in the original. Other commands are run as written (found on ``PATH``, or relative to
the package folder).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from plugins_builtin.packages.runtime.process import (
    PluginRunError,
    child_env,
)

__all__ = ["command", "launch"]


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


def launch(folder: Path, manifest: Any) -> tuple[list[str], dict[str, str]]:
    """The plugin's argv and environment (``PYTHONPATH``: the folder holding the packages)."""
    return command(folder, manifest), child_env(manifest.id, {"PYTHONPATH": str(folder.resolve().parent)})
