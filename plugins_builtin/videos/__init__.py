"""Videos: movies and series (scan, probe, fingerprint, previews, subtitles) and streaming.

Hook implementations only; the work lives in the modules beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint
from sqlalchemy.orm import Session

from plugin_sdk import (
    AssetSource,
    JobContext,
    JobRun,
    ModelSet,
    NavItem,
    Panel,
    Processor,
    QueueDefinition,
    RootOption,
    SearchHit,
    SettingsGroup,
    Stylesheet,
    hookimpl,
)
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.mediahooks import FollowUp, enqueue_follow_ups, finished_result, library_root_deleted, run_subject
from plugin_sdk.models import LibraryRoot, LibrarySettings
from plugin_sdk.settings import read_settings
from plugins_builtin.videos import assets, queues, settings
from plugins_builtin.videos.models import MODELS, Video, VideoSeries


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="videos", models=list(MODELS))]


@hookimpl
def obscura_settings_groups() -> list[SettingsGroup]:
    return [settings.GENERATION, settings.PLAYBACK]


@hookimpl
def obscura_root_options() -> list[RootOption]:
    return list(settings.ROOT_OPTIONS)


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return list(queues.QUEUES)


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.videos.preview_processor import process_preview
    from plugins_builtin.videos.processors import process_fingerprint, process_media_probe
    from plugins_builtin.videos.scan import process_library_scan
    from plugins_builtin.videos.subtitles import process_extract_subtitles

    return {
        queues.LIBRARY_SCAN: process_library_scan,
        queues.MEDIA_PROBE: process_media_probe,
        queues.FINGERPRINT: process_fingerprint,
        queues.PREVIEW: process_preview,
        queues.EXTRACT_SUBTITLES: process_extract_subtitles,
    }


@hookimpl
def obscura_job_finished(run: JobRun, result: Any, ctx: JobContext) -> None:
    """media-probe → fingerprint, previews (when the file decodes) and subtitles (when it probes),
    each only when its switch is on (Fingerprints, Previews, Subtitles), one run per video, whether
    the probe covered one video or a scan's batch. Follow-ups are automatic work: the switches
    decide them even after a probe run by hand."""
    probe = finished_result(run, result, queues.MEDIA_PROBE)
    if probe is None:
        return
    library = LibrarySettings.get(ctx.db)
    wanted = {
        queues.FINGERPRINT: library.auto_generate_fingerprints,
        queues.PREVIEW: library.auto_generate_preview,
        queues.EXTRACT_SUBTITLES: read_settings(ctx.db, settings.GENERATION).generate_subtitles,
    }
    follow: dict[str, list[FollowUp]] = {queue: [] for queue, on in wanted.items() if on}
    for video in probe.get("videos") or [probe]:
        if not follow:
            break
        if not isinstance(video, Mapping) or not video.get("videoId"):
            continue
        video_id = str(video["videoId"])
        label = video.get("title") or run_subject(run, video_id)
        item = ({"videoId": video_id}, "video", video_id)
        if queues.FINGERPRINT in follow:
            follow[queues.FINGERPRINT].append((*item, f"Fingerprint · {label}"))
        if queues.PREVIEW in follow and video.get("probed") and video.get("width"):
            follow[queues.PREVIEW].append((*item, f"Previews · {label}"))
        if queues.EXTRACT_SUBTITLES in follow and video.get("probed"):
            follow[queues.EXTRACT_SUBTITLES].append((*item, f"Subtitles · {label}"))
    enqueue_follow_ups(ctx.db, follow)


@hookimpl
def obscura_scan_roots(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    return queues.enqueue_scans(db, list(roots), trigger)


@hookimpl
def obscura_system_status(db: Session) -> Mapping[str, Any] | None:
    from plugins_builtin.videos.scan import root_problems

    problems = root_problems(db)
    return {"rootProblems": problems} if problems else None


@hookimpl
def obscura_entity_deleted(entity_type: str, entity_id: str, db: Session) -> None:
    library_root_deleted(
        entity_type, entity_id, db, [("video", Video, assets.delete_video_files), ("series", VideoSeries, None)]
    )


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.videos.pages import make_blueprint
    from plugins_builtin.videos.routes import make_blueprints

    return [*make_blueprints(), make_blueprint()]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    return plugin_stylesheets("videos", __file__, order=50)


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Videos", "/videos", icon="film", order=10)]


@hookimpl
def obscura_shell_parts() -> list[Any]:
    """The upload tray: rendered once in the shell, its uploads go on (in sight) across page swaps."""
    from plugin_sdk import ShellPart

    return [ShellPart("videos-uploads", "videos/upload_tray.html", module="/static/videos/upload_tray.js", order=20)]


@hookimpl
def obscura_panels(entity_type: str) -> list[Panel]:
    from plugins_builtin.videos.pages.panels import panels

    return panels(entity_type)


@hookimpl
def obscura_search(db: Session, query: str, limit: int, kinds: Sequence[str] | None, offset: int) -> list[SearchHit]:
    """Videos and series by title."""
    from plugins_builtin.videos.pages.search import search

    return search(db, query, limit, kinds, offset)


@hookimpl
def obscura_collection_sources() -> list[Any]:
    """Videos in collections: their rule fields and how they are shown."""
    from plugins_builtin.videos.collection_source import sources

    return sources()


@hookimpl
def obscura_generated_assets() -> list[AssetSource]:
    """Thumbnail, preview clip, sprite and trickplay track of every video, in both storage layouts."""
    from plugins_builtin.videos.asset_source import sources

    return sources()
