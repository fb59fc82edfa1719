"""Scraper package routes: the index, and installing, toggling, updating and removing packages.

``GET /api/scrapers/index``, ``GET|POST /api/scrapers/packages``,
``PATCH|DELETE /api/scrapers/packages/<id>``, ``POST /api/scrapers/packages/update-all``. The
scrape routes under ``/api/scrapers/<id>/…`` belong to the ``metadata`` plugin, which runs this
plugin's ``MetadataSource``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import Field

from plugin_sdk.db import get_db
from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel, Pagination, api_route, model_from, ok
from plugins_builtin.scrapers import packages
from plugins_builtin.scrapers.capabilities import kinds, supported_actions
from plugins_builtin.scrapers.index import Index, cached_index, load_index
from plugins_builtin.scrapers.models import ScraperPackage

QUERY_MAX = 200


class IndexQuery(Pagination):
    q: str | None = Field(None, max_length=QUERY_MAX)
    """Keep the entries whose id or name holds this text (case-insensitive)."""
    force: bool = False
    """Read the index again instead of answering from the five-minute cache."""


class IndexEntryOut(ApiModel):
    id: str
    name: str
    version: str | None = None
    date: str | None = None
    path: str
    sha256: str | None = None
    requires: list[str]
    is_library: bool
    """A dependency of other packages (``py_common``) rather than a scraper, as far as known."""
    installed: bool
    installed_version: str | None = None
    update_available: bool
    enabled: bool | None = None


class IndexOut(ApiModel):
    items: list[IndexEntryOut]
    total: int
    page: int
    per_page: int
    index_url: str
    fetched_at: datetime


class PackageOut(ApiModel):
    id: str
    name: str
    version: str | None = None
    date: str | None = None
    install_path: str
    sha256: str | None = None
    capabilities: dict[str, bool]
    actions: list[str]
    kinds: list[str]
    requires: list[str]
    enabled: bool
    is_nsfw: bool
    is_library: bool
    source_index: str
    update_available: bool
    available_version: str | None = None
    created_at: datetime
    updated_at: datetime


class InstallIn(ApiModel):
    package_id: str = Field(min_length=1, max_length=200)
    zip_url: str | None = Field(None, min_length=1, max_length=4000)
    """The zip to install (``http(s)://``, ``file://``, a path, or relative to the index); default:
    the index entry's."""
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    """The zip's expected sha256; default: the index entry's."""


class InstallOut(ApiModel):
    package: PackageOut
    installed: list[str]
    """Every package installed, the dependencies first, the package last."""


class PatchIn(ApiModel):
    enabled: bool | None = None
    is_nsfw: bool | None = None


class DeletedOut(ApiModel):
    deleted: str


class UpdatedOut(ApiModel):
    id: str
    from_version: str | None = None
    to_version: str | None = None


class FailedOut(ApiModel):
    id: str
    message: str
    code: str


class UpdateAllOut(ApiModel):
    updated: list[UpdatedOut]
    failed: list[FailedOut]
    checked: int


def package_out(row: ScraperPackage, index: Index | None) -> PackageOut:
    """The API view of an installed package (``updateAvailable`` from ``index``, when read)."""
    available, version = packages.update_info(row, index)
    return model_from(
        PackageOut,
        row,
        capabilities={str(k): bool(v) for k, v in (row.capabilities or {}).items()},
        actions=supported_actions(row.capabilities),
        kinds=kinds(row.capabilities),
        requires=list(row.requires or []),
        update_available=available,
        available_version=version,
    )


def index_entries(db: Any, index: Index, q: str | None) -> list[IndexEntryOut]:
    """The index's entries with what is installed, filtered by ``q``, by name."""
    rows = {r.id: r for r in packages.list_packages(db)}
    required = {dep for entry in index.entries.values() for dep in entry.requires}
    needle = (q or "").strip().casefold()
    out = []
    for entry in sorted(index.entries.values(), key=lambda e: (e.name.casefold(), e.id)):
        if needle and needle not in entry.id.casefold() and needle not in entry.name.casefold():
            continue
        row = rows.get(entry.id)
        out.append(
            IndexEntryOut(
                id=entry.id,
                name=entry.name,
                version=entry.version,
                date=entry.date,
                path=entry.path,
                sha256=entry.sha256,
                requires=list(entry.requires),
                is_library=row.is_library if row is not None else entry.id in required,
                installed=row is not None,
                installed_version=row.version if row is not None else None,
                update_available=row is not None and packages.is_update(row, entry),
                enabled=row.enabled if row is not None else None,
            )
        )
    return out


def make_blueprint() -> Blueprint:
    bp = Blueprint("scrapers_api", __name__)

    @api_route(bp, "/api/scrapers/index", query=IndexQuery, response=IndexOut)
    def get_index(query: IndexQuery):
        """The CommunityScrapers index (cached five minutes; ``force`` reads it again), with what is installed."""
        index = load_index(force=query.force)
        db = get_db()
        entries = index_entries(db, index, query.q)
        db.commit()
        window = entries[query.offset : query.offset + query.per_page]
        return ok(
            IndexOut(
                items=window,
                total=len(entries),
                page=query.page,
                per_page=query.per_page,
                index_url=str(index.location),
                fetched_at=index.fetched_at,
            )
        )

    @api_route(bp, "/api/scrapers/packages", response=list[PackageOut])
    def list_installed():
        """Installed packages (scrapers, then libraries) with their capabilities and whether an update is known."""
        db = get_db()
        index = cached_index()
        out = [package_out(row, index) for row in packages.list_packages(db)]
        db.commit()
        return ok(out)

    @api_route(bp, "/api/scrapers/packages", methods=["POST"], body=InstallIn, response=InstallOut, status=201)
    def install(body: InstallIn):
        """Install or update a package (and what it requires) from the index, or from ``zipUrl``."""
        db = get_db()
        result = packages.install(db, body.package_id, body.zip_url, body.sha256)
        return ok(InstallOut(package=package_out(result.package, cached_index()), installed=result.installed), 201)

    @api_route(bp, "/api/scrapers/packages/update-all", methods=["POST"], response=UpdateAllOut)
    def update_all():
        """Reinstall every installed package the index has a newer version of; says what was updated and what failed."""
        return ok(UpdateAllOut.model_validate(packages.update_all(get_db())))

    @api_route(bp, "/api/scrapers/packages/<package_id>", methods=["PATCH"], body=PatchIn, response=PackageOut)
    def patch(package_id: str, body: PatchIn):
        """Enable or disable a package, or change its NSFW flag."""
        db = get_db()
        row = packages.get_package(db, package_id)
        if body.enabled is None and body.is_nsfw is None:
            raise ValidationError("Give enabled or isNsfw.")
        if body.enabled is not None:
            row.enabled = body.enabled
        if body.is_nsfw is not None:
            row.is_nsfw = body.is_nsfw
        db.commit()
        return ok(package_out(row, cached_index()))

    @api_route(bp, "/api/scrapers/packages/<package_id>", methods=["DELETE"], response=DeletedOut)
    def delete(package_id: str):
        """Uninstall a package: its folder and its row (refused while another package requires it)."""
        packages.uninstall(get_db(), package_id)
        return ok({"deleted": package_id})

    return bp
