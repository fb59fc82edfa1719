"""The images plugin's importers (``obscura_importers``): ``gallery`` and ``image`` records.

An import source (the built-in Stash import) hands galleries first, then images (an image names
its galleries by their ids here). The record shapes are :data:`GALLERY_FIELDS` and
:data:`IMAGE_FIELDS`; the work is in :mod:`~plugins_builtin.images.import_galleries` and
:mod:`~plugins_builtin.images.import_images`, and the merge rule in
:func:`~plugins_builtin.images.import_values.changes_for`.
"""

from __future__ import annotations

from plugin_sdk.imports import Importer

GALLERY_FIELDS = """\
A gallery (import galleries before images):

  kind: "folder" | "zip" | "virtual"
  path: str | None       the folder, or the zip/cbz file, here (after path mapping); None for virtual
  missing: bool          the folder or archive is not on disk: kept, and scans keep it until it is back
  title: str | None      None: the name a scan gives it (folder or archive name; "Untitled gallery")
  code, details, photographer: str | None
  date: str | None       "YYYY", "YYYY-MM" or "YYYY-MM-DD"
  rating: int | None     0-100
  organized: bool
  urls: list[str]
  created_at, updated_at: datetime | ISO text | None
  chapters: list[{title: str, image_index: int}]   image_index counted from 1 (as in Stash)

Matched by target_id, then path (folder/zip), then title among virtual galleries; else created
under the library root holding its path (folder/zip outside every root: skipped). Chapters a
gallery lacks (same title and index) are added. Fields the user edited here are never written; a
missing value never erases one here; URLs are added to those here.
"""

IMAGE_FIELDS = """\
An image file, or an image inside a zip/cbz archive (import galleries first):

  path: str              the file, or the zip/cbz holding it, here (after path mapping)
  member: str            the path inside the archive; "" for a plain file
  missing: bool          the file is not on disk: kept (no thumbnail), and scans keep it until it is back
  size: int | None       bytes
  mtime: float | datetime | None   the file's modification time (epoch seconds)
  width, height: int | None
  format: str | None     "jpeg", "png"…
  md5: str | None        32 hex digits
  oshash: str | None     16 hex digits
  phash: str | None      16 hex digits (Stash's signed int64 written as unsigned hex)
  title: str | None      None: the name a scan gives it (the file name, tidied)
  code, details, photographer: str | None
  date: str | None       "YYYY", "YYYY-MM" or "YYYY-MM-DD"
  rating: int | None     0-100
  organized: bool
  o_counter: int         no home here: named unmapped when above 0
  urls: list[str]
  created_at, updated_at: datetime | ISO text | None
  gallery_ids: list[str] ids here of its galleries: the folder/zip one holding the file owns it,
                         virtual ones list it (appended in arrival order)
  cover_of: list[str]    ids here of galleries whose cover it is (a cover chosen here stays)

Matched by target_id, then file (path + member), then oshash (the row keeps its own path); else
created under the library root holding its file (outside every root: skipped). Fingerprints and
file facts fill what is empty here; new images on disk get thumbnails queued (not in a dry run).
"""


def importers() -> list[Importer]:
    """The ``gallery`` and ``image`` importers (``obscura_importers``)."""
    from plugins_builtin.images.import_galleries import import_galleries
    from plugins_builtin.images.import_images import import_images

    return [
        Importer("images", "gallery", apply=import_galleries, label="Galleries", fields=GALLERY_FIELDS),
        Importer("images", "image", apply=import_images, label="Images", fields=IMAGE_FIELDS),
    ]
