"""Images and galleries: folder and zip/cbz galleries, thumbnails, fingerprints, duplicates.

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
    Stylesheet,
    hookimpl,
)
from plugin_sdk.blueprint import plugin_stylesheets
from plugin_sdk.mediahooks import finished_result, library_root_deleted, run_subject
from plugin_sdk.models import LibraryRoot, LibrarySettings
from plugins_builtin.images import assets, queues
from plugins_builtin.images.models import MODELS, Gallery, Image


@hookimpl
def obscura_root_options() -> list[RootOption]:
    return [RootOption("scan_images", "Images", "Index images and galleries found here.", order=30)]


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


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="images", models=list(MODELS))]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return list(queues.QUEUES)


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    from plugins_builtin.images.processors import process_image_fingerprint, process_image_thumbnail
    from plugins_builtin.images.scan import process_gallery_scan

    return {
        queues.GALLERY_SCAN: process_gallery_scan,
        queues.IMAGE_THUMBNAIL: process_image_thumbnail,
        queues.IMAGE_FINGERPRINT: process_image_fingerprint,
    }


@hookimpl
def obscura_job_finished(run: JobRun, result: Any, ctx: JobContext) -> None:
    """A thumbnail is made → fingerprint the image (its perceptual hash comes from the thumbnail)."""
    thumbnail = finished_result(run, result, queues.IMAGE_THUMBNAIL)
    image_id = thumbnail.get("imageId") if thumbnail and not thumbnail.get("error") else None
    if image_id and LibrarySettings.get(ctx.db).auto_generate_fingerprints:
        label = f"Fingerprint · {run_subject(run, image_id)}"
        ctx.enqueue(
            queues.IMAGE_FINGERPRINT, {"imageId": image_id}, target_type="image", target_id=image_id, target_label=label
        )


@hookimpl
def obscura_scan_roots(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    return queues.enqueue_scans(db, list(roots), trigger)


@hookimpl
def obscura_entity_deleted(entity_type: str, entity_id: str, db: Session) -> None:
    library_root_deleted(
        entity_type, entity_id, db, [("image", Image, assets.delete_image_files), ("gallery", Gallery, None)]
    )


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    from plugins_builtin.images.pages import make_blueprint
    from plugins_builtin.images.routes import make_blueprints

    return [*make_blueprints(), make_blueprint()]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    """PhotoSwipe's own CSS, then the plugin's."""
    from plugins_builtin.images.pages import VENDOR

    return [Stylesheet(VENDOR / "photoswipe.css", order=60), *plugin_stylesheets("images", __file__, order=60)]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Images", "/galleries", icon="image", order=20)]


@hookimpl
def obscura_panels(entity_type: str) -> list[Panel]:
    from plugins_builtin.images.pages.panels import panels

    return panels(entity_type)


@hookimpl
def obscura_search(db: Session, query: str, limit: int, kinds: Sequence[str] | None, offset: int) -> list[SearchHit]:
    """Galleries and images by title."""
    from plugins_builtin.images.pages.search import search

    return search(db, query, limit, kinds, offset)


@hookimpl
def obscura_collection_sources() -> list[Any]:
    """Galleries and images in collections: their rule fields and how they are shown."""
    from plugins_builtin.images.collection_source import sources

    return sources()


@hookimpl
def obscura_generated_assets() -> list[Any]:
    """The cache folders of the images (thumbnails stay in the cache), for the orphan sweep."""
    from plugins_builtin.images.asset_source import sources

    return sources()
