"""Plugin package routes: installed packages, their credentials, the community index and updates.

``GET|POST /api/plugins/packages``, ``PATCH|DELETE /api/plugins/packages/<id>``,
``GET /api/plugins/packages/<id>/auth``, ``PUT /api/plugins/packages/<id>/auth/<key>``,
``GET /api/plugins/index`` and ``GET /api/plugins/check-updates``. (``GET /api/plugins``, the
entry-point plugins, is the core's.)
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint
from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel
from sqlalchemy.orm import Session

from plugin_sdk.db import get_db
from plugin_sdk.errors import ValidationError
from plugin_sdk.http import ApiModel, api_route, model_from, ok
from plugin_sdk.versions import is_newer_version
from plugins_builtin.packages import auth, install
from plugins_builtin.packages.index import IndexEntry, PluginIndex, load_index
from plugins_builtin.packages.manifest import Manifest
from plugins_builtin.packages.models import LOCAL_SOURCE, ZIP_SOURCE, PluginPackage

QUERY_MAX = 200


def runtime_status(manifest: Manifest | None) -> str | None:
    """What keeps the package's runtime from running here (``needs Node.js``), or ``None``: asks
    ``plugins_builtin.packages.runtime`` when it is there."""
    if manifest is None:
        return None
    try:
        from plugins_builtin.packages.runtime import runtime_status as probe
    except ImportError:
        return None
    return probe(manifest)


class AuthFieldOut(ApiModel):
    key: str
    label: str
    required: bool
    url: str | None = None
    status: str
    """``set`` or ``missing`` (unset, or not decryptable with the current ``OBSCURA_SECRET``)."""


class PackageOut(ApiModel):
    id: str
    name: str
    version: str
    runtime: str
    description: str | None = None
    author: str | None = None
    homepage: str | None = None
    is_nsfw: bool
    tags: list[str]
    capabilities: dict[str, bool]
    enabled: bool
    source_index: str
    sha256: str | None = None
    verified: bool
    """The zip matched a sha256 the index or the user gave."""
    install_path: str
    auth_status: str | None = None
    """``ok``, ``missing`` (a required credential is not set) or ``null`` (it needs none)."""
    auth_fields: list[AuthFieldOut]
    runtime_status: str | None = None
    """Why the package cannot run on this machine (``needs Node.js``), or ``null``."""
    created_at: datetime
    updated_at: datetime


class InstallIn(ApiModel):
    plugin_id: str | None = Field(None, min_length=1, max_length=200)
    """From the index (alone), or the id the zip or folder must have."""
    zip_url: str | None = Field(None, min_length=1, max_length=4000)
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    local_path: str | None = Field(None, min_length=1, max_length=4000)


class PatchIn(ApiModel):
    enabled: bool


class AuthIn(ApiModel):
    value: str | None = Field(None, max_length=auth.VALUE_MAX)
    """The credential; empty or ``null`` clears it."""


class DeletedOut(ApiModel):
    deleted: str


class _Query(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class IndexQuery(_Query):
    nsfw: bool | None = None
    """``false`` hides the NSFW plugins; default: all."""
    q: str | None = Field(None, max_length=QUERY_MAX)
    refresh: bool = False


class RefreshQuery(_Query):
    refresh: bool = False


class IndexItemOut(ApiModel):
    id: str
    name: str
    version: str | None = None
    date: str | None = None
    description: str | None = None
    author: str | None = None
    runtime: str | None = None
    is_nsfw: bool
    capabilities: dict[str, bool]
    sha256: str | None = None
    verified: bool
    """The index gives a sha256, so the download is checked."""
    installed: bool
    installed_version: str | None = None
    update_available: bool


class IndexOut(ApiModel):
    index_url: str
    items: list[IndexItemOut]


class UpdateOut(ApiModel):
    plugin_id: str
    installed_version: str
    available_version: str | None = None
    update_available: bool
    zip_url: str | None = None
    sha256: str | None = None


def package_out(db: Session, row: PluginPackage) -> PackageOut:
    """The API view of an installed package (its manifest read from its folder when it can be)."""
    manifest = install.current_manifest(row)
    auth_fields = auth.fields(db, row, manifest)
    return model_from(
        PackageOut,
        row,
        id=row.plugin_id,
        description=manifest.description if manifest else None,
        author=manifest.author if manifest else None,
        homepage=manifest.homepage if manifest else None,
        tags=list(manifest.tags) if manifest else [],
        capabilities={str(k): bool(v) for k, v in (row.capabilities or {}).items()},
        auth_status=auth.status_of(auth_fields),
        auth_fields=[AuthFieldOut(**f) for f in auth_fields],
        runtime_status=runtime_status(manifest),
    )


def _update_available(row: PluginPackage | None, entry: IndexEntry) -> bool:
    """A package from an index (not a zip or local folder) the index has a newer version of."""
    if row is None or row.source_index in (ZIP_SOURCE, LOCAL_SOURCE):
        return False
    return is_newer_version(entry.version, row.version)


def index_items(db: Session, index: PluginIndex, query: IndexQuery) -> list[IndexItemOut]:
    """The index's plugins with what is installed, filtered, by name."""
    rows = {r.plugin_id: r for r in install.list_packages(db)}
    needle = (query.q or "").strip().casefold()
    out: list[IndexItemOut] = []
    for entry in sorted(index.entries.values(), key=lambda e: (e.name.casefold(), e.id)):
        if query.nsfw is False and entry.is_nsfw:
            continue
        haystack = f"{entry.id} {entry.name} {entry.description or ''}".casefold()
        if needle and needle not in haystack:
            continue
        row = rows.get(entry.id)
        out.append(
            model_from(
                IndexItemOut,
                entry,
                verified=entry.sha256 is not None,
                installed=row is not None,
                installed_version=row.version if row is not None else None,
                update_available=_update_available(row, entry),
            )
        )
    return out


def check_updates(db: Session, index: PluginIndex) -> list[UpdateOut]:
    """Every installed package with what the index offers for it."""
    out: list[UpdateOut] = []
    for row in install.list_packages(db):
        entry = index.get(row.plugin_id)
        out.append(
            UpdateOut(
                plugin_id=row.plugin_id,
                installed_version=row.version,
                available_version=entry.version if entry else None,
                update_available=entry is not None and _update_available(row, entry),
                zip_url=str(index.zip_location(entry)) if entry else None,
                sha256=entry.sha256 if entry else None,
            )
        )
    return out


def _install(db: Session, body: InstallIn) -> PluginPackage:
    ways = [w for w in (body.zip_url, body.local_path) if w is not None]
    if len(ways) > 1 or (not ways and body.plugin_id is None):
        raise ValidationError("Give exactly one of pluginId (from the index), zipUrl or localPath.")
    if body.sha256 is not None and body.local_path is not None:
        raise ValidationError("sha256 checks a zip; a local folder has none.")
    if body.zip_url is not None:
        return install.install_from_zip(db, body.zip_url, body.sha256, body.plugin_id)
    if body.local_path is not None:
        return install.register_local(db, body.local_path, body.plugin_id)
    assert body.plugin_id is not None
    return install.install_from_index(db, body.plugin_id, body.sha256)


def make_blueprint() -> Blueprint:
    bp = Blueprint("packages_api", __name__)

    @api_route(bp, "/api/plugins/packages", response=list[PackageOut])
    def list_installed():
        """Installed plugin packages with their credentials' state and whether their runtime is available."""
        db = get_db()
        out = [package_out(db, row) for row in install.list_packages(db)]
        db.commit()
        return ok(out)

    @api_route(bp, "/api/plugins/packages", methods=["POST"], body=InstallIn, response=PackageOut, status=201)
    def install_package(body: InstallIn):
        """Install or update a package from the index (``pluginId``), a zip (``zipUrl``) or a local folder."""
        db = get_db()
        row = _install(db, body)
        return ok(package_out(db, row), 201)

    @api_route(bp, "/api/plugins/packages/<plugin_id>", methods=["PATCH"], body=PatchIn, response=PackageOut)
    def patch_package(plugin_id: str, body: PatchIn):
        """Enable or disable a package."""
        db = get_db()
        return ok(package_out(db, install.set_enabled(db, plugin_id, body.enabled)))

    @api_route(bp, "/api/plugins/packages/<plugin_id>", methods=["DELETE"], response=DeletedOut)
    def delete_package(plugin_id: str):
        """Uninstall a package: its row, its credentials and its folder (a local folder is kept)."""
        install.uninstall(get_db(), plugin_id)
        return ok({"deleted": plugin_id})

    @api_route(bp, "/api/plugins/packages/<plugin_id>/auth", response=list[AuthFieldOut])
    def get_auth(plugin_id: str):
        """The credentials a package asks for and whether each is set (never their values)."""
        db = get_db()
        row = install.get_package(db, plugin_id)
        out = [AuthFieldOut(**f) for f in auth.fields(db, row, install.current_manifest(row))]
        db.commit()
        return ok(out)

    @api_route(
        bp, "/api/plugins/packages/<plugin_id>/auth/<auth_key>", methods=["PUT"], body=AuthIn, response=PackageOut
    )
    def put_auth(plugin_id: str, auth_key: str, body: AuthIn):
        """Set (encrypted with ``OBSCURA_SECRET``) or clear one credential of a package."""
        db = get_db()
        auth.set_value(db, plugin_id, auth_key, body.value)
        return ok(package_out(db, install.get_package(db, plugin_id)))

    @api_route(bp, "/api/plugins/index", query=IndexQuery, response=IndexOut)
    def get_index(query: IndexQuery):
        """The community plugin index (cached five minutes; ``refresh`` reads it again) with what is installed."""
        index = load_index(refresh=query.refresh)
        db = get_db()
        items = index_items(db, index, query)
        db.commit()
        return ok(IndexOut(index_url=str(index.location), items=items))

    @api_route(bp, "/api/plugins/check-updates", query=RefreshQuery, response=list[UpdateOut])
    def get_updates(query: RefreshQuery):
        """Installed packages with the index's version of each and whether it is newer."""
        index = load_index(refresh=query.refresh)
        db = get_db()
        out = check_updates(db, index)
        db.commit()
        return ok(out)

    return bp
