"""Install, update and remove CommunityScrapers packages under ``<data dir>/scrapers/<id>/``.

An install downloads the package's zip (the index names it, or the caller gives ``zipUrl``),
checks its sha256, unpacks it (:mod:`plugin_sdk.archives`) into a staging folder beside the packages, loads
its scraper YAML with the engine to validate it and learn its capabilities, installs what it
``requires`` (``py_common``…) if missing, and only then renames the staging folder into place: a
failed install or update leaves the installed package as it was, and nothing behind. Files the
user added to a package folder (a scraper's ``config.ini``) are carried over by updates.

Packages sit side by side, so the engine's ``PYTHONPATH`` (the parent of a scraper's folder)
makes ``import py_common`` work as in Stash.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin_sdk.archives import ArchiveError, extract, packages_root, staging_dir, swap_into_place, sweep_stale
from plugin_sdk.errors import ConflictError, NotFoundError, ObscuraError, ValidationError
from plugin_sdk.remote import FetchError, Location, parse_location, read
from plugin_sdk.storage import confine, data_dir, is_within
from plugins_builtin.scrapers.index import (
    Index,
    IndexEntry,
    IndexUnavailableError,
    index_location,
    is_newer,
    load_index,
)
from plugins_builtin.scrapers.models import LOCAL_SOURCE, PACKAGE_ID_MAX, ScraperPackage

SCRAPERS_DIR = "scrapers"
MAX_ZIP_BYTES = 50 * 1024 * 1024
MANIFEST = ".obscura-files"
"""The list of files a package's zip held, written in its folder: what an update may replace."""
PACKAGE_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
SCRAPER_SUFFIXES = (".yml", ".yaml")

_install_lock = threading.RLock()


def scrapers_root() -> Path:
    """``<data dir>/scrapers`` (created when missing)."""
    return packages_root(SCRAPERS_DIR)


def validate_package_id(package_id: str) -> str:
    """The id, if it can name a folder: ``[A-Za-z0-9_.-]``, no ``..``, at most 128 characters.

    :raises ValidationError: (``invalid_package_id``) otherwise.
    """
    if (
        not package_id
        or len(package_id) > PACKAGE_ID_MAX
        or not PACKAGE_ID_RE.match(package_id)
        or ".." in package_id
        or package_id.startswith(".")
    ):
        raise ValidationError(
            f"{package_id[:80]!r} is not a package id: use letters, digits, '_', '-' and '.', no '..', '/' or '\\'.",
            code="invalid_package_id",
        )
    return package_id


def package_dir(package_id: str) -> Path:
    """The folder of a package, confined to ``<data dir>/scrapers``."""
    root = scrapers_root()
    return confine(root / validate_package_id(package_id), [root])


def scraper_yaml(row: ScraperPackage) -> Path | None:
    """The scraper YAML of an installed package (``None`` for a library), confined to its folder."""
    if row.scraper_file is None:
        return None
    folder = package_dir(row.id)
    return confine(folder / row.scraper_file, [folder])


@dataclass
class Staged:
    """A package unpacked and validated in a staging folder, not yet in place."""

    package_id: str
    name: str
    version: str | None
    date: str | None
    sha256: str
    source_index: str
    folder: Path
    files: list[str]
    scraper_file: str | None
    capabilities: dict[str, bool] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class InstallResult:
    """What one install request did: the package's row and every package installed, dependencies
    first (``installed`` ends with the package itself)."""

    package: ScraperPackage
    installed: list[str]


def _configured_location() -> Location | None:
    try:
        return index_location()
    except IndexUnavailableError:
        return None


def _zip_location(index: Index | None, zip_url: str | None, entry: IndexEntry | None) -> Location:
    """Where to download the zip from: ``zip_url`` (relative to the index) or the entry's path.

    A local file must lie in the local index's folder or the data dir.
    """
    base = index.location if index is not None else _configured_location()
    try:
        if zip_url:
            relative = not urlsplit(zip_url).scheme and not Path(zip_url).is_absolute()
            if relative and base is None:
                raise FetchError(f"{zip_url} is relative, and the index location is not usable.")
            location = base.join(zip_url) if base is not None else parse_location(zip_url)
        else:
            assert base is not None and entry is not None
            location = base.join(entry.path)
    except FetchError as exc:
        raise ValidationError(f"The package location is not usable: {exc}", code="invalid_zip_url") from None
    if location.path is not None:
        roots = [data_dir()]
        if base is not None and base.path is not None:
            roots.append(base.path.parent)
        if not any(is_within(location.path.resolve(), root) for root in roots):
            raise ValidationError(
                f"{location.path} is outside the local index's folder and the data folder.", code="invalid_zip_url"
            )
    return location


def _index_for(zip_url: str | None) -> Index | None:
    """The index: required when it must name the zip; optional (``None`` if unreadable) when the
    caller gave the zip's URL."""
    if not zip_url:
        return load_index()
    try:
        return load_index()
    except IndexUnavailableError:
        return None


def _find_scraper_file(folder: Path, package_id: str) -> str | None:
    """The package's scraper YAML at the top of its folder: ``<id>.yml`` first, else the first one."""
    candidates = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SCRAPER_SUFFIXES)
    for name in candidates:
        if Path(name).stem == package_id:
            return name
    return candidates[0] if candidates else None


def _load_definition(folder: Path, package_id: str, scraper_file: str) -> Any:
    """The engine's ``ScraperDef`` of a staged scraper; its errors name the file in the package."""
    from plugins_builtin.scrapers.engine.config import load_scraper
    from plugins_builtin.scrapers.engine.errors import ScraperConfigError

    try:
        return load_scraper(folder / scraper_file)
    except ScraperConfigError as exc:
        message = str(exc).replace(str(folder), package_id)
        raise ValidationError(f"The scraper of {package_id} is not valid: {message}", code="invalid_scraper") from None


_RETRY_WITH_FRESH_INDEX = ("unknown_package", "sha256_mismatch", "download_failed")


def _fetch_zip(
    package_id: str, zip_url: str | None, sha256: str | None, index: Index | None
) -> tuple[bytes, str, IndexEntry | None]:
    """The package's zip, checked against its sha256: ``(data, digest, index entry)``."""
    entry = index.get(package_id) if index is not None else None
    if entry is None and not zip_url:
        raise NotFoundError(f"The scraper index has no package {package_id!r}.", code="unknown_package")
    location = _zip_location(index, zip_url, entry)
    try:
        data = read(location, MAX_ZIP_BYTES)
    except FetchError as exc:
        raise ValidationError(
            f"The package {package_id} could not be downloaded: {exc}", code="download_failed"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    expected = (sha256 or (entry.sha256 if entry else None) or "").lower() or None
    if expected is not None and digest != expected:
        raise ValidationError(
            f"The package {package_id} failed its sha256 check: expected {expected}, got {digest}. "
            "Nothing was installed.",
            code="sha256_mismatch",
        )
    return data, digest, entry


def _fetch_zip_fresh(
    package_id: str, zip_url: str | None, sha256: str | None
) -> tuple[bytes, str, Index | None, IndexEntry | None]:
    """:func:`_fetch_zip` with the cached index; when what the index says fails (no such package,
    a different digest, a missing zip) the index is read again once, in case it changed since."""
    index = _index_for(zip_url)
    try:
        data, digest, entry = _fetch_zip(package_id, zip_url, sha256, index)
    except (NotFoundError, ValidationError) as exc:
        if index is None or exc.code not in _RETRY_WITH_FRESH_INDEX or (zip_url and sha256):
            raise
        try:
            fresh = load_index(force=True)
        except IndexUnavailableError:
            raise exc from None
        if fresh.get(package_id) == index.get(package_id):
            raise
        index = fresh
        data, digest, entry = _fetch_zip(package_id, zip_url, sha256, index)
    return data, digest, index, entry


def stage(package_id: str, zip_url: str | None = None, sha256: str | None = None) -> Staged:
    """Download, verify, unpack and validate a package into a staging folder (nothing installed).

    :raises NotFoundError: the index has no such package (and no ``zip_url`` was given).
    :raises ValidationError: download failed, sha256 mismatch, unsafe zip, invalid scraper YAML.
    :raises IndexUnavailableError: the index is needed and could not be read.
    """
    validate_package_id(package_id)
    data, digest, index, entry = _fetch_zip_fresh(package_id, zip_url, sha256)
    root = scrapers_root()
    sweep_stale(root)
    folder = staging_dir(root, package_id)
    try:
        files = extract(data, folder)
        scraper_file = _find_scraper_file(folder, package_id)
        requires = list(entry.requires) if entry else []
        capabilities: dict[str, bool] = {}
        name = entry.name if entry else package_id
        if scraper_file is not None:
            defn = _load_definition(folder, package_id, scraper_file)
            capabilities = {str(k): bool(v) for k, v in defn.capabilities().items()}
            requires += [r for r in defn.requires if r not in requires]
            if entry is None:
                name = str(defn.name or package_id)
        requires = [validate_package_id(r) for r in requires if r != package_id]
    except ArchiveError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError(str(exc), code=exc.code) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    from_index = entry is not None and not zip_url
    return Staged(
        package_id=package_id,
        name=name,
        version=entry.version if from_index and entry else None,
        date=entry.date if from_index and entry else None,
        sha256=digest,
        source_index=index.source if from_index and index is not None else LOCAL_SOURCE,
        folder=folder,
        files=files,
        scraper_file=scraper_file,
        capabilities=capabilities,
        requires=requires,
    )


def _read_manifest(folder: Path) -> set[str] | None:
    try:
        names = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(n) for n in names} if isinstance(names, list) else None


def _carry_user_files(old: Path, new: Path, new_files: Iterable[str]) -> None:
    """Copy the files the user added to ``old`` (not in its manifest, not in the new zip) into ``new``."""
    shipped = _read_manifest(old)
    if shipped is None:
        return
    keep = shipped | set(new_files) | {MANIFEST}
    for path in old.rglob("*"):
        rel = path.relative_to(old)
        if "__pycache__" in rel.parts or not path.is_file() or path.is_symlink() or rel.as_posix() in keep:
            continue
        target = new / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _place(staged: Staged) -> Path:
    """Rename the staging folder into place, replacing the installed one only now that it is complete."""
    (staged.folder / MANIFEST).write_text(json.dumps(staged.files), encoding="utf-8")
    target = package_dir(staged.package_id)
    if target.is_dir():
        _carry_user_files(target, staged.folder, staged.files)
    return swap_into_place(staged.folder, target)


def _record(db: Session, staged: Staged) -> ScraperPackage:
    row = db.get(ScraperPackage, staged.package_id)
    if row is None:
        row = ScraperPackage(id=staged.package_id, enabled=True, is_nsfw=True)
        db.add(row)
    row.name = staged.name
    row.version = staged.version
    row.date = staged.date
    row.install_path = f"{SCRAPERS_DIR}/{staged.package_id}"
    row.scraper_file = staged.scraper_file
    row.sha256 = staged.sha256
    row.capabilities = staged.capabilities
    row.requires = staged.requires
    row.source_index = staged.source_index
    return row


def is_installed(db: Session, package_id: str) -> bool:
    """A row and its folder both exist."""
    row = db.get(ScraperPackage, package_id)
    return row is not None and package_dir(package_id).is_dir()


def install(
    db: Session,
    package_id: str,
    zip_url: str | None = None,
    sha256: str | None = None,
    *,
    _seen: set[str] | None = None,
) -> InstallResult:
    """Install (or reinstall, as an update) a package and the missing packages it requires.

    Each package is committed once it is in place, so a dependency installed for a package whose
    own install then fails stays installed (and is not fetched again).
    """
    seen = _seen if _seen is not None else set()
    seen.add(package_id)
    with _install_lock:
        staged = stage(package_id, zip_url, sha256)
        try:
            installed: list[str] = []
            for dep in staged.requires:
                if dep in seen or is_installed(db, dep):
                    continue
                try:
                    installed += install(db, dep, _seen=seen).installed
                except IndexUnavailableError:
                    raise
                except ObscuraError as exc:
                    raise ValidationError(
                        f"{package_id} requires {dep}, which could not be installed: {exc.message}", code=exc.code
                    ) from None
            _place(staged)
            row = _record(db, staged)
            db.commit()
        finally:
            staged.cleanup()
    return InstallResult(row, [*installed, package_id])


def get_package(db: Session, package_id: str) -> ScraperPackage:
    """The installed package; ``NotFoundError`` when there is none."""
    row = db.get(ScraperPackage, package_id) if len(package_id) <= PACKAGE_ID_MAX else None
    if row is None:
        raise NotFoundError(f"No scraper package {package_id[:80]!r} is installed.", code="package_not_found")
    return row


def list_packages(db: Session) -> list[ScraperPackage]:
    """Every installed package, scrapers before libraries, by name."""
    rows = db.execute(select(ScraperPackage)).scalars().all()
    return sorted(rows, key=lambda r: (r.is_library, r.name.lower(), r.id))


def dependents(db: Session, package_id: str) -> list[str]:
    """Ids of the installed packages that require ``package_id``."""
    return sorted(r.id for r in list_packages(db) if package_id in (r.requires or []) and r.id != package_id)


def uninstall(db: Session, package_id: str) -> None:
    """Remove a package's row and folder.

    :raises NotFoundError: not installed.
    :raises ConflictError: (``package_required``) other installed packages require it.
    """
    row = get_package(db, package_id)
    needed_by = dependents(db, package_id)
    if needed_by:
        raise ConflictError(
            f"{package_id} is required by {', '.join(needed_by)}: uninstall those first.", code="package_required"
        )
    folder = package_dir(row.id)
    db.delete(row)
    db.commit()
    shutil.rmtree(folder, ignore_errors=True)


def is_update(row: ScraperPackage, entry: IndexEntry | None) -> bool:
    """Whether ``entry`` is a newer version of the installed ``row``. A package installed from a
    zip of its own (``source_index`` ``local``) is never updated from the index."""
    return entry is not None and row.source_index != LOCAL_SOURCE and is_newer(entry, row.version, row.date)


def update_info(row: ScraperPackage, index: Index | None) -> tuple[bool, str | None]:
    """``(update available, the index's version)`` of an installed package, from ``index``."""
    entry = index.get(row.id) if index is not None else None
    return is_update(row, entry), entry.version if entry is not None else None


def update_all(db: Session) -> dict[str, Any]:
    """Reinstall every installed package the index has a newer version of.

    :return: ``{"updated": [{"id", "fromVersion", "toVersion"}], "failed": [{"id", "message",
        "code"}], "checked": N}``; one package failing does not stop the others.
    """
    index = load_index()
    updated: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    rows = list_packages(db)
    for row in sorted(rows, key=lambda r: (not r.is_library, r.id)):  # libraries first
        available, version = update_info(row, index)
        if not available:
            continue
        before = row.version
        try:
            install(db, row.id)
        except ObscuraError as exc:
            db.rollback()
            failed.append({"id": row.id, "message": exc.message, "code": exc.code})
            continue
        updated.append({"id": row.id, "fromVersion": before, "toVersion": version})
    return {"updated": updated, "failed": failed, "checked": len(rows)}
