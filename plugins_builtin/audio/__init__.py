"""Audio: libraries of tracks (scan, tags and covers, fingerprints, waveforms) and streaming.

Hook implementations only; the work lives in the modules beside this one (the thin hooks pass the
call on with ``plugin_sdk.hookimpls``, importing the module at the first call).
"""

from __future__ import annotations

from typing import Any

from plugin_sdk import JobContext, JobRun, ModelSet, NavItem, RootOption, ShellPart, hookimpl, hookimpls
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.mediahooks import finished_result
from plugin_sdk.models import LibrarySettings
from plugins_builtin.audio import assets, queues
from plugins_builtin.audio.models import MODELS, AudioLibrary, AudioTrack

obscura_models = hookimpls.returning([ModelSet(plugin="audio", models=list(MODELS))])
obscura_root_options = hookimpls.returning([RootOption("scan_audio", "Audio", "Index audio found here.", order=40)])
obscura_scan_roots = hookimpl(queues.enqueue_scans)
obscura_entity_deleted = hookimpls.root_rows_deleted(
    [
        ("audio-track", AudioTrack, assets.delete_track_files),
        ("audio-library", AudioLibrary, assets.delete_library_files),
    ]
)
obscura_queues = hookimpls.returning(queues.QUEUES)


@hookimpl
def obscura_metadata_targets() -> list[Any]:
    from plugins_builtin.audio.metadata_target import targets

    return targets()


obscura_processors = hookimpls.deferred_processors(queues.PROCESSORS)


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


obscura_blueprints = hookimpls.deferred_blueprints(
    "plugins_builtin.audio.routes:make_blueprints", "plugins_builtin.audio.pages:make_blueprint"
)
obscura_stylesheets = hookimpls.returning(plugin_stylesheets("audio", __file__, order=60))
obscura_nav_items = hookimpls.returning([NavItem("Audio", "/audio", icon="music", order=30)])


@hookimpl
def obscura_shell_parts() -> list[ShellPart]:
    """The mini player: rendered once in the shell's dock, it keeps playing across page swaps."""
    from plugins_builtin.audio.pages import PLAYER_MODULE

    return [ShellPart("audio-player", "audio/player.html", module=PLAYER_MODULE, order=10)]


# libraries and tracks (tracks also by artist and album) in the search; covers of both in
# collections; the tracks' and libraries' cache folders (waveforms, covers) for the orphan sweep
obscura_panels = hookimpls.deferred_panels("plugins_builtin.audio.pages.panels:panels")
obscura_search = hookimpls.deferred_search("plugins_builtin.audio.pages.search:search")
obscura_collection_sources = hookimpls.deferred("plugins_builtin.audio.collection_source:sources")
obscura_generated_assets = hookimpls.deferred("plugins_builtin.audio.asset_source:sources")
