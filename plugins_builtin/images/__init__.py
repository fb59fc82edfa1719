"""Images and galleries: folder and zip/cbz galleries, thumbnails, fingerprints, duplicates.

Hook implementations only; the work lives in the modules beside this one (the thin hooks pass the
call on with ``plugin_sdk.hookimpls``, importing the module at the first call).
"""

from __future__ import annotations

from typing import Any

from plugin_sdk import JobContext, JobRun, ModelSet, NavItem, RootOption, Stylesheet, hookimpl, hookimpls
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.mediahooks import finished_result, run_subject
from plugin_sdk.models import LibrarySettings
from plugins_builtin.images import assets, queues
from plugins_builtin.images.models import MODELS, Gallery, Image

obscura_root_options = hookimpls.returning(
    [RootOption("scan_images", "Images", "Index images and galleries found here.", order=30)]
)


@hookimpl
def obscura_startup(ctx: Any) -> None:
    if ctx.role == "worker":  # import and warm the heavy pieces once, before the work horses fork
        import io

        import imagehash
        import PIL.Image

        # Pillow's plugin registry, SciPy's FFT (phash) and libwebp initialise on first use: done
        # here, every forked job starts warm (a thumbnail job drops from ~0.6 s to ~0.05 s)
        PIL.Image.init()
        still = PIL.Image.new("RGB", (32, 32))
        imagehash.phash(still)
        still.save(io.BytesIO(), "WEBP")


obscura_models = hookimpls.returning([ModelSet(plugin="images", models=list(MODELS))])
obscura_queues = hookimpls.returning(queues.QUEUES)
obscura_processors = hookimpls.deferred_processors(queues.PROCESSORS)
obscura_scan_roots = hookimpl(queues.enqueue_scans)
obscura_entity_deleted = hookimpls.root_rows_deleted(
    [("image", Image, assets.delete_image_files), ("gallery", Gallery, None)]
)


@hookimpl
def obscura_job_finished(run: JobRun, result: Any, ctx: JobContext) -> None:
    """A thumbnail is made → fingerprint the image (its perceptual hash comes from the thumbnail),
    unless it has every fingerprint already (imported ones are never computed again)."""
    thumbnail = finished_result(run, result, queues.IMAGE_THUMBNAIL)
    image_id = thumbnail.get("imageId") if thumbnail and not thumbnail.get("error") else None
    if image_id and LibrarySettings.get(ctx.db).auto_generate_fingerprints and not fingerprinted(ctx.db, image_id):
        label = f"Fingerprint · {run_subject(run, image_id)}"
        ctx.enqueue(
            queues.IMAGE_FINGERPRINT, {"imageId": image_id}, target_type="image", target_id=image_id, target_label=label
        )


def fingerprinted(db: Any, image_id: str) -> bool:
    """Whether the image has its md5, oshash and perceptual hash (nothing for a fingerprint job)."""
    from sqlalchemy import select

    row = db.execute(select(Image.md5, Image.oshash, Image.phash).where(Image.id == image_id)).first()
    return row is not None and all(value is not None for value in row)


obscura_blueprints = hookimpls.deferred_blueprints(
    "plugins_builtin.images.routes:make_blueprints", "plugins_builtin.images.pages:make_blueprint"
)


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    """PhotoSwipe's own CSS, then the plugin's."""
    from plugins_builtin.images.pages import VENDOR

    return [Stylesheet(VENDOR / "photoswipe.css", order=60), *plugin_stylesheets("images", __file__, order=60)]


obscura_nav_items = hookimpls.returning([NavItem("Images", "/galleries", icon="image", order=20)])

# galleries and images by title in the search; both in collections; the images' cache folders
# (thumbnails stay in the cache) for the orphan sweep
obscura_panels = hookimpls.deferred_panels("plugins_builtin.images.pages.panels:panels")
obscura_search = hookimpls.deferred_search("plugins_builtin.images.pages.search:search")
obscura_collection_sources = hookimpls.deferred("plugins_builtin.images.collection_source:sources")
obscura_generated_assets = hookimpls.deferred("plugins_builtin.images.asset_source:sources")
obscura_metadata_targets = hookimpls.deferred("plugins_builtin.images.metadata_target:targets")
# galleries and images brought over by an import (Stash's database)
obscura_importers = hookimpls.deferred("plugins_builtin.images.importer:importers")
