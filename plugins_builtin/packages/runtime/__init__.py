"""Running a script plugin package: one call (:func:`run`) or many items (:func:`run_batch`).

Runtimes, by ``manifest.runtime``:

* ``python`` (:mod:`.python`): the manifest's ``script`` as a child process in the package folder,
  ``python``/``python3`` being this server's interpreter;
* ``typescript`` (:mod:`.node`): ``node host.cjs <entry>``, the host loading the compiled entry
  and calling its ``execute``/``executeBatch`` (Node.js needed: :class:`NodeMissing` otherwise);
* ``stash-compat`` (:mod:`.stash_compat`): the Stash scraper definition, run by the ``scrapers``
  plugin's engine in this process.

Both child-process runtimes speak the original's protocol (:mod:`.process`): the envelope on
stdin, one JSON answer on stdout, a timeout killing the whole process group, an environment that
holds nothing of the server's, stderr lines going to ``log("info", line)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from plugin_sdk.errors import ValidationError
from plugins_builtin.packages.runtime import node, python, stash_compat
from plugins_builtin.packages.runtime.node import NodeMissing
from plugins_builtin.packages.runtime.process import LogFn, PluginRunError, run_child, run_child_batch

__all__ = [
    "BATCH_TIMEOUT_S",
    "FAN_OUT",
    "RUN_TIMEOUT_S",
    "NodeMissing",
    "PluginRunError",
    "node_available",
    "run",
    "run_batch",
    "runtime_status",
    "supports_batch",
]

RUN_TIMEOUT_S = 30.0
"""Default time one call may take (the original's 30 s)."""
BATCH_TIMEOUT_S = 60.0
"""Default time one batch process may take (the original's 60 s)."""
LAUNCHERS = {"python": python.launch, "typescript": node.launch}
"""How each process runtime starts a plugin (stash-compat runs in-process, through the scrapers engine)."""
FAN_OUT = 3
"""Items run at once for a plugin without batch support (the original's ``fanOut`` concurrency)."""


def node_available() -> bool:
    """Whether ``node`` is installed (``shutil.which``, looked up once)."""
    return node.node_available()


def runtime_status(manifest: Any) -> str | None:
    """Why the plugin cannot run here — ``"needs Node.js"`` (typescript without node), ``"needs
    the scrapers plugin"`` (stash-compat without its engine) — or ``None`` when it can."""
    if manifest.runtime == "typescript" and not node_available():
        return "needs Node.js"
    if manifest.runtime == "stash-compat" and not stash_compat.engine_available():
        return "needs the scrapers plugin"
    return None


def supports_batch(manifest: Any) -> bool:
    """Whether :func:`run_batch` gives the plugin all items in one process
    (``capabilities.supportsBatch`` of a python or typescript plugin)."""
    caps = manifest.capabilities or {}
    return bool(caps.get("supportsBatch")) and manifest.runtime in ("python", "typescript")


def run(
    folder: Path,
    manifest: Any,
    action: str,
    input: Mapping[str, Any],
    auth: Mapping[str, str],
    *,
    timeout: float = RUN_TIMEOUT_S,
    log: LogFn | None = None,
) -> Any:
    """Run ``action`` of the plugin installed in ``folder`` on ``input``; returns its ``result``
    (``None`` when it has none). ``auth`` (key → plaintext) reaches the plugin only on stdin.

    :raises PluginRunError: (502 ``plugin_failed``) it timed out, exited with another status
        than 0/69, printed no JSON answer or answered ``ok: false``.
    :raises NodeMissing: (409 ``needs_nodejs``) a typescript plugin and no Node.js.
    :raises ConflictError: (409 ``needs_scrapers_plugin``) a stash-compat plugin without the
        scrapers plugin.
    :raises ValidationError: a stash-compat plugin given an action or input Stash has no use for.
    """
    folder = Path(folder)
    runtime = manifest.runtime
    if runtime == "typescript" and not node_available():
        raise NodeMissing()
    if runtime in LAUNCHERS:
        return run_child(LAUNCHERS[runtime], folder, manifest, action, input, auth, timeout=timeout, log=log)
    if runtime == "stash-compat":
        return stash_compat.run(folder, manifest, action, input, auth, timeout=timeout, log=log)
    raise PluginRunError(f"{manifest.name} has a runtime Obscura does not know: {runtime}", plugin_id=manifest.id)


def _item_ids(items: Sequence[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, Mapping[str, Any]]]:
    out = [(str(item_id), item) for item_id, item in items]
    if len({item_id for item_id, _ in out}) != len(out):
        raise ValueError("run_batch: item ids must be unique")
    return out


def run_batch(
    folder: Path,
    manifest: Any,
    action: str,
    items: Sequence[tuple[str, Mapping[str, Any]]],
    auth: Mapping[str, str],
    *,
    timeout: float = BATCH_TIMEOUT_S,
    log: LogFn | None = None,
) -> dict[str, Any]:
    """Run ``action`` on every ``(item id, input)``; returns ``{item id: result}`` in item order.

    A plugin with ``supportsBatch`` (:func:`supports_batch`) gets one process and
    ``"batch": [{"id", "input"}]`` (a TypeScript plugin's ``executeBatch``) within ``timeout``;
    if that process fails the whole batch raises :class:`PluginRunError`. Any other plugin runs
    :func:`run` per item, :data:`FAN_OUT` at a time, each within ``min(timeout, 30 s)``.

    An item that failed is never skipped: its value is the exception (a :class:`PluginRunError`,
    or a :class:`ValidationError` for stash-compat input) — check with ``isinstance(value,
    Exception)``. ``None`` means the plugin found nothing. ``log`` may be called from several
    threads at once.

    :raises NodeMissing: a typescript plugin and no Node.js.
    :raises ValueError: two items have the same id.
    """
    folder = Path(folder)
    pairs = _item_ids(items)
    if not pairs:
        return {}
    if manifest.runtime == "typescript" and not node_available():
        raise NodeMissing()
    if supports_batch(manifest):
        launch = LAUNCHERS[manifest.runtime]
        return run_child_batch(launch, folder, manifest, action, pairs, auth, timeout=timeout, log=log)

    item_timeout = min(timeout, RUN_TIMEOUT_S)

    def one(item: Mapping[str, Any]) -> Any:
        try:
            return run(folder, manifest, action, item, auth, timeout=item_timeout, log=log)
        except (PluginRunError, ValidationError) as exc:
            return exc

    with ThreadPoolExecutor(max_workers=min(FAN_OUT, len(pairs)), thread_name_prefix="plugin-run") as pool:
        futures = [(item_id, pool.submit(one, item)) for item_id, item in pairs]
        return {item_id: future.result() for item_id, future in futures}
