"""Script plugins as a metadata source (``kind="plugins"``): the ``metadata`` plugin serves their
scrape routes under ``/api/plugins/<id>/…``, stores what they answer and runs bulk scrapes as jobs
(plugins with ``supportsBatch`` get a whole chunk through one ``executeBatch`` process).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk import MetadataSource, ScrapeRequest, ScrapeResult
from plugin_sdk.errors import ConflictError, ObscuraError
from plugins_builtin.packages import actions, auth, install
from plugins_builtin.packages.models import PluginPackage
from plugins_builtin.packages.runtime import run, run_batch, runtime_status

BATCH_SIZE = 100


def _described(row: PluginPackage, manifest: Any) -> dict[str, Any]:
    return {"id": row.plugin_id, "name": row.name, "kinds": actions.kinds_of(manifest),
            "actions": actions.actions_of(manifest), "runtime": manifest.runtime, "isNsfw": row.is_nsfw}  # fmt: skip


def describe(db: Session, source_id: str) -> dict[str, Any] | None:
    """An enabled, runnable package that can scrape something; ``None`` otherwise."""
    try:
        row, manifest = install.runnable(db, source_id)
    except ObscuraError:
        return None
    if runtime_status(manifest) or not actions.kinds_of(manifest):
        return None
    return _described(row, manifest)


def entries(db: Session) -> list[dict[str, Any]]:
    """What "Scrape with…" offers: every enabled package that can run here and scrape something."""
    out = []
    for row in install.list_packages(db):
        if not row.enabled:
            continue
        manifest = install.current_manifest(row)
        if manifest is not None and not runtime_status(manifest) and actions.kinds_of(manifest):
            out.append(_described(row, manifest))
    return out


def ready(db: Session, plugin_id: str) -> tuple[PluginPackage, Any]:
    """The package and its manifest, refusing one whose required credentials are not set."""
    row, manifest = install.runnable(db, plugin_id)
    if auth.status(db, row, manifest) == "missing":
        keys = ", ".join(f.key for f in manifest.auth if f.required)
        raise ConflictError(f"{row.name} needs its credentials ({keys}): set them on the Plugins page.",
                            code="auth_missing")  # fmt: skip
    return row, manifest


def execute(db: Session, request: ScrapeRequest, package: tuple[PluginPackage, Any] | None = None) -> tuple[str, Any]:
    """``(action, answer)``: the chosen action run for one entity (or for the request's input
    alone), with the plugin's credentials; ``package``: :func:`ready`'s answer when the caller
    has it already."""
    row, manifest = package or ready(db, request.source_id)
    action = actions.choose_action(manifest, request)
    answer = run(install.installed_folder(row), manifest, action, actions.build_input(request),
                 auth.values(db, row.plugin_id), log=request.log)  # fmt: skip
    return action, answer


def scrape(db: Session, request: ScrapeRequest) -> Sequence[ScrapeResult]:
    """Run the chosen action for one entity; its answer as results."""
    action, answer = execute(db, request)
    return actions.to_results(answer, action, request.kind)


def scrape_batch(db: Session, requests: Sequence[ScrapeRequest]) -> list[list[ScrapeResult]]:
    """Many entities of one bulk scrape: one ``executeBatch`` process per action for a plugin that
    supports batches, else a few runs at a time; an entity whose run failed gets no result and
    its error is logged."""
    if not requests:
        return []
    row, manifest = ready(db, requests[0].source_id)
    folder, secrets = install.installed_folder(row), auth.values(db, row.plugin_id)
    by_action: dict[str, list[int]] = {}
    for i, request in enumerate(requests):
        by_action.setdefault(actions.choose_action(manifest, request), []).append(i)
    out: list[list[ScrapeResult]] = [[] for _ in requests]
    for action, indexes in by_action.items():
        items = [(str(i), actions.build_input(requests[i])) for i in indexes]
        answers = run_batch(folder, manifest, action, items, secrets, log=requests[indexes[0]].log)
        for i in indexes:
            answer = answers.get(str(i))
            if isinstance(answer, Exception):
                requests[i].log("warning", f"{row.name}: {answer}")
                continue
            out[i] = actions.to_results(answer, action, requests[i].kind)
    return out


SOURCE = MetadataSource(
    kind="plugins", collection="plugins", label="Plugins", scrape=scrape, describe=describe, entries=entries,
    scrape_batch=scrape_batch, batch_size=BATCH_SIZE, typed=True,
)  # fmt: skip
