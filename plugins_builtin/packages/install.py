"""Installing, updating, registering and removing plugin packages.

From the index (``pluginId``) or a zip (``zipUrl``): download → sha256 check (the index's or the
caller's; an index entry with an empty sha256 installs unverified) → safe unpack into a staging
folder (:mod:`plugin_sdk.archives`) → :func:`~.manifest.load_manifest` → only then the folder is
renamed to ``<data dir>/plugins/<id>/`` (an update replaces the old folder at this point) and the
row upserted. Any failure leaves nothing behind: no folder, no row, the previous version intact.
A local folder (``localPath``) is registered in place, never copied, moved or deleted.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from plugin_sdk.archives import ArchiveError, extract, packages_root, staging_dir, swap_into_place, sweep_stale
from plugin_sdk.errors import ConflictError, NotFoundError, ObscuraError, ValidationError
from plugin_sdk.remote import FetchError, Location, parse_location, read
from plugin_sdk.storage import confine, data_dir, is_within
from plugins_builtin.packages.index import IndexEntry, PluginIndex, PluginIndexError, index_location, load_index
from plugins_builtin.packages.manifest import (
    MANIFEST_FILE,
    Manifest,
    ManifestError,
    check_plugin_id,
    load_manifest,
    parse_manifest,
)
from plugins_builtin.packages.models import (
    COMMUNITY_SOURCE,
    LOCAL_SOURCE,
    PLUGIN_ID_MAX,
    ZIP_SOURCE,
    PluginAuth,
    PluginPackage,
)

PLUGINS_DIR = "plugins"
MAX_ZIP_BYTES = 50 * 1024 * 1024
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")

_lock = threading.RLock()


def plugins_root() -> Path:
    """``<data dir>/plugins`` (created when missing)."""
    return packages_root(PLUGINS_DIR)


def package_folder(plugin_id: str) -> Path:
    """The managed folder of a package, ``<data dir>/plugins/<id>``, confined to that root."""
    root = plugins_root()
    return confine(root / check_plugin_id(plugin_id), [root])


@dataclass
class Staged:
    """A package unpacked and validated, not yet in place."""

    staging: Path
    root: Path
    """The package's top folder inside ``staging`` (``staging`` itself, or a single sub-folder)."""
    manifest: Manifest
    sha256: str
    verified: bool

    def cleanup(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def _package_root(staging: Path) -> Path:
    """Where the manifest is: the zip's top level, or its one top folder (``tmdb/manifest.yml``)."""
    if (staging / MANIFEST_FILE).is_file():
        return staging
    children = [c for c in staging.iterdir() if c.name != "__MACOSX"]
    if len(children) == 1 and children[0].is_dir() and (children[0] / MANIFEST_FILE).is_file():
        return children[0]
    return staging


def _download(location: Location, what: str) -> bytes:
    try:
        return read(location, MAX_ZIP_BYTES)
    except FetchError as exc:
        raise ValidationError(f"The plugin {what} could not be downloaded: {exc}", code="download_failed") from None


def _verify(data: bytes, expected: str | None, what: str) -> tuple[str, bool]:
    """``(sha256 of data, whether it was checked)``.

    :raises ValidationError: (``sha256_mismatch``) a given ``expected`` differs.
    """
    digest = hashlib.sha256(data).hexdigest()
    if expected is None:
        return digest, False
    if digest != expected.lower():
        raise ValidationError(
            f"The plugin {what} failed its sha256 check: expected {expected.lower()}, got {digest}. "
            "Nothing was installed.",
            code="sha256_mismatch",
        )
    return digest, True


def stage(data: bytes, sha256: str, verified: bool, expected_id: str | None) -> Staged:
    """Unpack ``data`` into a staging folder and validate its manifest (nothing installed yet).

    :raises ValidationError: not a zip, an unsafe member, an invalid manifest, or a manifest whose
        id is not ``expected_id``.
    """
    root = plugins_root()
    sweep_stale(root)
    staging = staging_dir(root, expected_id or "zip")
    try:
        extract(data, staging)
        package_root = _package_root(staging)
        manifest = load_manifest(package_root)
        if expected_id is not None and manifest.id != expected_id:
            raise ManifestError(
                f"The package's manifest says id {manifest.id!r}, not {expected_id!r}; nothing was installed.",
                code="manifest_id_mismatch",
            )
    except ArchiveError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ValidationError(str(exc).replace("package", "plugin package"), code=exc.code) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Staged(staging, package_root, manifest, sha256, verified)


def _upsert(db: Session, manifest: Manifest, install_path: str, sha256: str | None, verified: bool, source: str):
    """Create or update the package's row (an update keeps ``enabled`` and the credentials)."""
    row = db.get(PluginPackage, manifest.id)
    if row is None:
        row = PluginPackage(plugin_id=manifest.id, enabled=True)
        db.add(row)
    row.name = manifest.name
    row.version = manifest.version
    row.runtime = manifest.runtime
    row.install_path = install_path
    row.sha256 = sha256
    row.verified = verified
    row.is_nsfw = manifest.is_nsfw
    row.capabilities = dict(manifest.capabilities)
    row.manifest_raw = json.loads(json.dumps(manifest.raw, default=str))  # YAML may hold dates, bytes…
    row.source_index = source
    return row


def _place(db: Session, staged: Staged, source: str) -> PluginPackage:
    """Swap the staged folder into ``<data dir>/plugins/<id>`` and record the row."""
    target = package_folder(staged.manifest.id)
    swap_into_place(staged.root, target)
    row = _upsert(db, staged.manifest, f"{PLUGINS_DIR}/{staged.manifest.id}", staged.sha256, staged.verified, source)
    db.commit()
    return row


def _local_allowed(location: Location, index_at: Location | None) -> None:
    """A local zip must lie in the data dir, or in the folder of a local index."""
    if location.path is None:
        return
    roots = [data_dir()]
    if index_at is not None and index_at.path is not None:
        roots.append(index_at.path.parent)
    if not any(is_within(location.path.resolve(), root) for root in roots):
        raise ValidationError(
            f"{location.path} is outside the local plugin index's folder and the data folder.", code="invalid_zip_url"
        )


def _source_of(index: PluginIndex) -> str:
    return COMMUNITY_SOURCE if index.is_default else index.source


def install_from_index(db: Session, plugin_id: str, sha256: str | None = None) -> PluginPackage:
    """Install (or reinstall: update) ``plugin_id`` from the index. When the cached index's entry
    fails (missing, a different digest, no zip), the index is read again once.

    :raises NotFoundError: the index has no such plugin.
    :raises ValidationError: download failed, sha256 mismatch, unsafe zip, invalid manifest.
    :raises PluginIndexError: (502) the index could not be read.
    """
    check_plugin_id(plugin_id)
    try:
        return _install_entry(db, load_index(), plugin_id, sha256)
    except (NotFoundError, ValidationError) as exc:
        if exc.code not in ("unknown_plugin", "sha256_mismatch", "download_failed"):
            raise
        return _install_entry(db, load_index(refresh=True), plugin_id, sha256)


def _install_entry(db: Session, index: PluginIndex, plugin_id: str, sha256: str | None) -> PluginPackage:
    entry: IndexEntry | None = index.get(plugin_id)
    if entry is None:
        raise NotFoundError(f"The plugin index has no plugin {plugin_id!r}.", code="unknown_plugin")
    location = index.zip_location(entry)
    _local_allowed(location, index.location)
    data = _download(location, plugin_id)
    digest, verified = _verify(data, sha256 or entry.sha256, plugin_id)
    with _lock:
        staged = stage(data, digest, verified, plugin_id)
        try:
            return _place(db, staged, _source_of(index))
        finally:
            staged.cleanup()


def install_from_zip(
    db: Session, zip_url: str, sha256: str | None = None, expected_id: str | None = None
) -> PluginPackage:
    """Install a package from a zip (``http(s)://``, ``file://``, a path in the data dir, or a path
    relative to the index); its id comes from its manifest (and must be ``expected_id`` if given).

    :raises ValidationError: a bad sha256 or location, download failed, mismatch, unsafe zip,
        invalid manifest.
    """
    if sha256 is not None and not SHA256_RE.match(sha256):
        raise ValidationError("sha256 must be 64 hexadecimal digits.", code="invalid_sha256")
    if expected_id is not None:
        check_plugin_id(expected_id)
    relative = not urlsplit(zip_url).scheme and not Path(zip_url).is_absolute()
    try:
        index_at = index_location()
    except PluginIndexError:
        index_at = None
    try:
        if relative and index_at is None:
            raise FetchError(f"{zip_url} is relative, and the plugin index location is not usable.")
        location = index_at.join(zip_url) if relative and index_at is not None else parse_location(zip_url)
    except FetchError as exc:
        raise ValidationError(f"The zip location is not usable: {exc}", code="invalid_zip_url") from None
    _local_allowed(location, index_at)
    data = _download(location, "zip")
    digest, verified = _verify(data, sha256, "zip")
    with _lock:
        staged = stage(data, digest, verified, expected_id)
        try:
            return _place(db, staged, ZIP_SOURCE)
        finally:
            staged.cleanup()


def register_local(db: Session, local_path: str, expected_id: str | None = None) -> PluginPackage:
    """Register the package in the folder ``local_path`` where it is (no copy).

    :raises ValidationError: not an existing folder, or no valid manifest there.
    """
    raw = (local_path or "").strip()
    if not raw or "\x00" in raw:
        raise ValidationError("localPath must name a folder.", code="invalid_local_path")
    folder = Path(raw).expanduser()
    if not folder.is_absolute():
        raise ValidationError(f"localPath must be an absolute path ({raw!r}).", code="invalid_local_path")
    folder = folder.resolve()
    if not folder.is_dir():
        raise ValidationError(f"{folder} is not an existing folder.", code="invalid_local_path")
    if is_within(folder, plugins_root()):
        raise ValidationError(f"{folder} is inside Obscura's own plugins folder.", code="invalid_local_path")
    manifest = load_manifest(folder)
    if expected_id is not None and manifest.id != expected_id:
        raise ManifestError(f"The folder's manifest says id {manifest.id!r}, not {expected_id!r}.")
    with _lock:
        previous = db.get(PluginPackage, manifest.id)
        managed = previous is not None and not previous.is_local
        row = _upsert(db, manifest, str(folder), None, False, LOCAL_SOURCE)
        db.commit()
        if managed:
            shutil.rmtree(package_folder(manifest.id), ignore_errors=True)
    return row


def get_package(db: Session, plugin_id: str) -> PluginPackage:
    """The installed package; ``NotFoundError`` (``plugin_not_found``) when there is none."""
    row = db.get(PluginPackage, plugin_id) if len(plugin_id) <= PLUGIN_ID_MAX else None
    if row is None:
        raise NotFoundError(f"No plugin {plugin_id[:80]!r} is installed.", code="plugin_not_found")
    return row


def list_packages(db: Session) -> list[PluginPackage]:
    """Every installed package, by name."""
    rows = db.execute(select(PluginPackage)).scalars().all()
    return sorted(rows, key=lambda r: (r.name.casefold(), r.plugin_id))


def installed_folder(row: PluginPackage) -> Path:
    """The package's folder: a managed one confined to ``<data dir>/plugins``, a local one as registered."""
    return row.folder if row.is_local else package_folder(row.plugin_id)


def current_manifest(row: PluginPackage) -> Manifest | None:
    """The package's manifest from its folder, else as recorded at install; ``None`` if neither is valid."""
    try:
        return load_manifest(installed_folder(row))
    except (ObscuraError, OSError):  # gone, no longer valid, or a folder link leading out (403)
        pass
    try:
        return parse_manifest(row.manifest_raw or {}, row.folder)
    except (ObscuraError, OSError):
        return None


def runnable(db: Session, plugin_id: str) -> tuple[PluginPackage, Manifest]:
    """The package and its manifest (read from its folder now), ready to run.

    :raises NotFoundError: not installed.
    :raises ConflictError: ``plugin_disabled``, or ``plugin_files_missing`` (its folder is gone).
    :raises ManifestError: its manifest is no longer valid.
    """
    row = get_package(db, plugin_id)
    if not row.enabled:
        raise ConflictError(f"The plugin {row.name} is disabled; enable it first.", code="plugin_disabled")
    folder = installed_folder(row)
    if not folder.is_dir():
        raise ConflictError(
            f"The files of the plugin {row.name} are missing ({folder}); reinstall it.", code="plugin_files_missing"
        )
    return row, load_manifest(folder)


def set_enabled(db: Session, plugin_id: str, enabled: bool) -> PluginPackage:
    """Enable or disable a package."""
    row = get_package(db, plugin_id)
    row.enabled = enabled
    db.commit()
    return row


def uninstall(db: Session, plugin_id: str) -> None:
    """Remove a package's row, credentials and (unless registered in place) its folder."""
    row = get_package(db, plugin_id)
    folder = None if row.is_local else package_folder(row.plugin_id)
    with _lock:
        db.execute(delete(PluginAuth).where(PluginAuth.plugin_id == row.plugin_id))
        db.delete(row)
        db.commit()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
