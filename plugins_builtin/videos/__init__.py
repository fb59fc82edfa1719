"""Videos: movies and series (scan, probe, fingerprint, previews, subtitles) and streaming.

Hook implementations only; the work lives in the modules beside this one (the thin hooks pass the
call on with ``plugin_sdk.hookimpls``, importing the module at the first call).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from plugin_sdk import JobContext, JobRun, ModelSet, NavItem, ShellPart, hookimpl, hookimpls
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.mediahooks import FollowUp, enqueue_follow_ups, finished_result, run_subject
from plugin_sdk.models import LibrarySettings
from plugin_sdk.settings import read_settings
from plugins_builtin.videos import assets, queues, settings
from plugins_builtin.videos.models import MODELS, Video, VideoSeries

obscura_models = hookimpls.returning([ModelSet(plugin="videos", models=list(MODELS))])
obscura_settings_groups = hookimpls.returning([settings.GENERATION, settings.PLAYBACK])
obscura_root_options = hookimpls.returning(settings.ROOT_OPTIONS)
obscura_queues = hookimpls.returning(queues.QUEUES)
obscura_scan_roots = hookimpl(queues.enqueue_scans)
obscura_processors = hookimpls.deferred_processors(queues.PROCESSORS)
obscura_entity_deleted = hookimpls.root_rows_deleted(
    [("video", Video, assets.delete_video_files), ("series", VideoSeries, assets.delete_series_files)]
)


@hookimpl
def obscura_job_finished(run: JobRun, result: Any, ctx: JobContext) -> None:
    """media-probe → fingerprint, previews (when the file decodes) and subtitles (when it probes),
    each only when its switch is on (Fingerprints, Previews, Subtitles), one run per video, whether
    the probe covered one video or a scan's batch. Follow-ups are automatic work: the switches
    decide them even after a probe run by hand. A video whose hashes are known (an import brought
    them) is not hashed again: only its pHash is made, when that switch wants it."""
    from plugins_builtin.videos.generation import fingerprint_follow_ups

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
    videos = [v for v in probe.get("videos") or [probe] if isinstance(v, Mapping) and v.get("videoId")]
    hashes = (
        fingerprint_follow_ups(ctx.db, [str(v["videoId"]) for v in videos])
        if queues.FINGERPRINT in follow and videos
        else {}
    )
    for video in videos:
        if not follow:
            break
        video_id = str(video["videoId"])
        label = video.get("title") or run_subject(run, video_id)
        item = ({"videoId": video_id}, "video", video_id)
        if queues.FINGERPRINT in follow and (payload := hashes.get(video_id, {"videoId": video_id})) is not None:
            follow[queues.FINGERPRINT].append((payload, "video", video_id, f"Fingerprint · {label}"))
        if queues.PREVIEW in follow and video.get("probed") and video.get("width"):
            follow[queues.PREVIEW].append((*item, f"Previews · {label}"))
        if queues.EXTRACT_SUBTITLES in follow and video.get("probed"):
            follow[queues.EXTRACT_SUBTITLES].append((*item, f"Subtitles · {label}"))
    enqueue_follow_ups(ctx.db, follow)


@hookimpl
def obscura_system_status(db: Session) -> Mapping[str, Any] | None:
    from plugins_builtin.videos.scan import root_problems

    problems = root_problems(db)
    return {"rootProblems": problems} if problems else None


obscura_blueprints = hookimpls.deferred_blueprints(
    "plugins_builtin.videos.routes:make_blueprints", "plugins_builtin.videos.pages:make_blueprint"
)
obscura_stylesheets = hookimpls.returning(plugin_stylesheets("videos", __file__, order=50))
obscura_nav_items = hookimpls.returning([NavItem("Videos", "/videos", icon="film", order=10)])
# the upload tray: rendered once in the shell, its uploads go on (in sight) across page swaps
obscura_shell_parts = hookimpls.returning(
    [ShellPart("videos-uploads", "videos/upload_tray.html", module="/static/videos/upload_tray.js", order=20)]
)


# videos and series by title in the search; videos in collections; every video's thumbnail,
# preview clip, sprite and trickplay track, in both storage layouts, for moves and the orphan sweep
obscura_panels = hookimpls.deferred_panels("plugins_builtin.videos.pages.panels:panels")
obscura_search = hookimpls.deferred_search("plugins_builtin.videos.pages.search:search")
obscura_collection_sources = hookimpls.deferred("plugins_builtin.videos.collection_source:sources")
obscura_generated_assets = hookimpls.deferred("plugins_builtin.videos.asset_source:sources")
obscura_metadata_targets = hookimpls.deferred("plugins_builtin.videos.metadata_target:targets")
# video and video_marker records of an import source (a Stash database) into the plugin's tables
obscura_importers = hookimpls.deferred("plugins_builtin.videos.importer:importers")


@hookimpl
def obscura_entities_deleted(db: Session, entity_type: str, entity_ids: Sequence[str]) -> None:
    """Deleted tags leave the markers that named them."""
    if entity_type == "tag" and entity_ids:
        from plugins_builtin.videos.marker_tags import forget_tags

        forget_tags(db, entity_ids)
