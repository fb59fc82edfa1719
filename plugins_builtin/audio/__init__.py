"""Audio: libraries of tracks (scan, tags and covers, fingerprints, waveforms) and streaming.

Hook implementations only; the work lives in the modules beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint
from sqlalchemy.orm import Session

from plugin_sdk import (
    JobContext,
    JobRun,
    ModelSet,
    NavItem,
    Panel,
    Processor,
    QueueDefinition,
    RootOption,
    SearchHit,
    ShellPart,
    Stylesheet,
    hookimpl,
)
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.mediahooks import finished_result, library_root_deleted
from plugin_sdk.models import LibraryRoot, LibrarySettings
from plugins_builtin.audio import assets, queues
from plugins_builtin.audio.models import MODELS, AudioLibrary, AudioTrack


@hookimpl
def obscura_root_options() -> list[RootOption]:
    return [RootOption("scan_audio", "Audio", "Index audio found here.", order=40)]


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="audio", models=list(MODELS))]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return list(queues.QUEUES)


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.audio.processors import (
        process_audio_fingerprint,
        process_audio_probe,
        process_audio_waveform,
    )
    from plugins_builtin.audio.scan import process_audio_scan

    return {
        queues.AUDIO_SCAN: process_audio_scan,
        queues.AUDIO_PROBE: process_audio_probe,
        queues.AUDIO_FINGERPRINT: process_audio_fingerprint,
        queues.AUDIO_WAVEFORM: process_audio_waveform,
    }


@hookimpl
def obscura_job_finished(run: JobRun, result: Any, ctx: JobContext) -> None:
    """Probed tracks → fingerprints (when enabled) and waveforms (when previews are enabled)."""
    probe = finished_result(run, result, queues.AUDIO_PROBE)
    ids = [str(i) for i in (probe or {}).get("trackIds") or []]
    if not ids:
        return
    settings = LibrarySettings.get(ctx.db)
    if settings.auto_generate_fingerprints:
        ctx.enqueue(
            queues.AUDIO_FINGERPRINT,
            {"trackIds": ids},
            target_type="audio-batch",
            target_id=ids[0],
            target_label=f"Fingerprint · {len(ids)} track(s)",
        )
    if settings.auto_generate_preview:
        from sqlalchemy import select

        from plugin_sdk.jobs import enqueue_jobs

        rows = ctx.db.execute(select(AudioTrack.id, AudioTrack.title).where(AudioTrack.id.in_(ids))).all()
        enqueue_jobs(
            ctx.db,
            queues.AUDIO_WAVEFORM,
            (({"trackId": tid}, "audio-track", tid, f"Waveform · {title}") for tid, title in rows),
        )


@hookimpl
def obscura_scan_roots(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    return queues.enqueue_scans(db, list(roots), trigger)


@hookimpl
def obscura_entity_deleted(entity_type: str, entity_id: str, db: Session) -> None:
    kinds = [
        ("audio-track", AudioTrack, assets.delete_track_files),
        ("audio-library", AudioLibrary, assets.delete_library_files),
    ]
    library_root_deleted(entity_type, entity_id, db, kinds)


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.audio.pages import make_blueprint
    from plugins_builtin.audio.routes import make_blueprints

    return [*make_blueprints(), make_blueprint()]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    return plugin_stylesheets("audio", __file__, order=60)


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Audio", "/audio", icon="music", order=30)]


@hookimpl
def obscura_shell_parts() -> list[ShellPart]:
    """The mini player: rendered once in the shell's dock, it keeps playing across page swaps."""
    from plugins_builtin.audio.pages import PLAYER_MODULE

    return [ShellPart("audio-player", "audio/player.html", module=PLAYER_MODULE, order=10)]


@hookimpl
def obscura_panels(entity_type: str) -> list[Panel]:
    from plugins_builtin.audio.pages.panels import panels

    return panels(entity_type)


@hookimpl
def obscura_search(db: Session, query: str, limit: int, kinds: Sequence[str] | None, offset: int) -> list[SearchHit]:
    """Audio libraries and tracks (tracks also by artist and album)."""
    from plugins_builtin.audio.pages.search import search

    return search(db, query, limit, kinds, offset)


@hookimpl
def obscura_collection_sources() -> list[Any]:
    """Audio tracks in collections: their rule fields and how they are shown."""
    from plugins_builtin.audio.collection_source import sources

    return sources()


@hookimpl
def obscura_generated_assets() -> list[Any]:
    """The cache folders of the tracks and libraries (waveforms and covers stay in the cache), for the orphan sweep."""
    from plugins_builtin.audio.asset_source import sources

    return sources()
