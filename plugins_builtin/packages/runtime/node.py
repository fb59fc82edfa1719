"""The ``typescript`` runtime: ``node host.cjs <entry>`` runs the plugin's compiled JavaScript.

``host.cjs`` (next to this file, CommonJS, no npm dependencies) speaks the same stdin/stdout
protocol as a Python plugin, so :mod:`.process` handles both. The entry is ``manifest.entry``
relative to the package folder and must stay inside it. Because the community's compiled
plugins name ``dist/index.js`` in their manifests while ``tsc`` writes ``dist/<source name>.js``,
a missing entry falls back to ``<entry folder>/<plugin id>.js``, then to the only ``.js``/
``.cjs``/``.mjs`` file of the entry's folder.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path
from typing import Any

from plugin_sdk.errors import ObscuraError
from plugins_builtin.packages.runtime.process import (
    PluginRunError,
    child_env,
)

__all__ = ["HOST", "NodeMissing", "entry_path", "launch", "node_available", "node_path"]

HOST = Path(__file__).with_name("host.cjs")
_SCRIPT_SUFFIXES = (".js", ".cjs", ".mjs")


class NodeMissing(ObscuraError):
    """409 ``needs_nodejs``: a TypeScript plugin cannot run without Node.js."""

    status = 409
    code = "needs_nodejs"

    def __init__(self, message: str = "This plugin needs Node.js, which is not installed.") -> None:
        super().__init__(message)


@functools.lru_cache(maxsize=1)
def node_path() -> str | None:
    """Where ``node`` is (looked up once: ``shutil.which("node")``)."""
    return shutil.which("node")


def node_available() -> bool:
    """Whether Node.js is installed (cached; ``node_path.cache_clear()`` looks again)."""
    return node_path() is not None


def entry_path(folder: Path, manifest: Any) -> Path:
    """The absolute path of the plugin's compiled entry (see the module docstring).

    :raises PluginRunError: no entry in the manifest, it leaves the package folder, or no file.
    """
    if not manifest.entry:
        raise PluginRunError(f"{manifest.name} has no entry point", plugin_id=manifest.id)
    root = folder.resolve()
    entry = (root / manifest.entry).resolve()
    if not entry.is_relative_to(root):
        raise PluginRunError(f"{manifest.name}'s entry leaves its folder: {manifest.entry}", plugin_id=manifest.id)
    if entry.is_file():
        return entry
    guess = entry.parent / f"{manifest.id}.js"
    if guess.is_file() and guess.resolve().is_relative_to(root):
        return guess.resolve()
    if entry.parent.is_dir():
        scripts = sorted(p for p in entry.parent.iterdir() if p.suffix in _SCRIPT_SUFFIXES and p.is_file())
        if len(scripts) == 1 and scripts[0].resolve().is_relative_to(root):
            return scripts[0].resolve()
    raise PluginRunError(f"{manifest.name}'s entry file is missing: {manifest.entry}", plugin_id=manifest.id)


def launch(folder: Path, manifest: Any) -> tuple[list[str], dict[str, str]]:
    """``node host.cjs <entry>`` and the plugin's environment. :raises NodeMissing:."""
    node = node_path()
    if node is None:
        raise NodeMissing()
    return [node, str(HOST), str(entry_path(folder, manifest))], child_env(manifest.id)
