"""Essential plugin: library roots (``/api/libraries``) and the server-side folder browser."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app
from pydantic import Field, create_model
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from obscura_core.jobs.scheduler import scan_roots
from plugin_sdk import hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError, NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.models import LibraryRoot


class LibraryRootOut(ApiModel):
    """A root's own fields; the plugins' switches (``RootOption``) are added to it."""

    id: str
    path: str
    label: str
    enabled: bool
    recursive: bool
    is_nsfw: bool
    last_scanned_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LibraryRootIn(ApiModel):
    path: str = Field(min_length=1, max_length=4096)
    label: str | None = Field(None, max_length=200)
    enabled: bool = True
    recursive: bool = True
    is_nsfw: bool = False


class LibraryRootPatch(ApiModel):
    path: str | None = Field(None, min_length=1, max_length=4096)
    label: str | None = Field(None, min_length=1, max_length=200)
    enabled: bool | None = None
    recursive: bool | None = None
    is_nsfw: bool | None = None


@dataclass(frozen=True)
class RootModels:
    """The wire models of a root with the loaded plugins' switches."""

    out: type[ApiModel]
    create: type[ApiModel]
    patch: type[ApiModel]


def root_models(registry: Any = None) -> RootModels:
    """The root models extended with every ``RootOption`` (built once per registry)."""
    if registry is None:
        registry = current_app.extensions["obscura"].registry
    options = registry.root_options
    return registry.derived(
        "root models",
        lambda: RootModels(
            out=create_model(
                "LibraryRootOut",
                __base__=LibraryRootOut,
                **{k: (bool, Field(description=o.label)) for k, o in options.items()},
            ),
            create=create_model(
                "LibraryRootIn",
                __base__=LibraryRootIn,
                **{k: (bool, Field(o.default, description=o.description)) for k, o in options.items()},
            ),
            patch=create_model(
                "LibraryRootPatch",
                __base__=LibraryRootPatch,
                **{k: (bool | None, Field(None, description=o.description)) for k, o in options.items()},
            ),
        ),
    )


def root_out(root: LibraryRoot, registry: Any = None) -> ApiModel:
    """A root as the API shows it: its columns and every plugin switch (defaults filled in)."""
    if registry is None:
        registry = current_app.extensions["obscura"].registry
    stored = root.options or {}
    data = {name: getattr(root, name) for name in LibraryRootOut.model_fields}
    data.update({k: bool(stored.get(k, o.default)) for k, o in registry.root_options.items()})
    return root_models(registry).out.model_validate(data)


class BrowseQuery(ApiModel):
    path: str | None = None
    files: str | None = Field(None, max_length=500)
    """A comma list of file extensions (``sqlite,db``): also list the folder's files that have one."""


class BrowseEntry(ApiModel):
    name: str
    path: str


class BrowseFile(ApiModel):
    name: str
    path: str
    size: int


class BrowseOut(ApiModel):
    path: str
    parent_path: str | None
    directories: list[BrowseEntry]
    files: list[BrowseFile] = Field(default_factory=list)
    """The files with one of the asked extensions (none unless ``files`` was given)."""


def browse_extensions(raw: str | None) -> tuple[str, ...]:
    """``"sqlite, .DB"`` → ``(".sqlite", ".db")``: the extensions of the browser's ``files`` parameter."""
    if not raw:
        return ()
    out: list[str] = []
    for part in raw.split(","):
        ext = part.strip().lower().lstrip(".")
        if not ext:
            continue
        if "/" in ext or "\\" in ext or "\x00" in ext:
            raise ValidationError(f"'{part.strip()}' is not a file extension.", code="bad_extension")
        out.append("." + ext)
    return tuple(dict.fromkeys(out))


def browse_files(entries: list[os.DirEntry[str]], extensions: tuple[str, ...]) -> list[BrowseFile]:
    """The visible regular files among ``entries`` whose name ends with one of ``extensions``."""
    files: list[BrowseFile] = []
    for e in entries:
        if e.name.startswith(".") or not e.name.lower().endswith(extensions):
            continue
        try:
            if not e.is_file(follow_symlinks=True):
                continue
            size = e.stat(follow_symlinks=True).st_size
        except OSError:  # vanished or unreadable meanwhile: not offered
            continue
        files.append(BrowseFile(name=e.name, path=e.path, size=size))
    return sorted(files, key=lambda f: f.name.lower())


def validate_root_path(db: Session, raw: str, exclude_id: str | None = None) -> str:
    """An existing directory, not inside another root and not containing one."""
    if "\x00" in raw:
        raise ValidationError("The path contains a NUL character.")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ValidationError(f"Use an absolute path (got '{raw}').", code="path_not_absolute")
    if not path.exists():
        raise ValidationError(f"The folder '{raw}' does not exist.", code="path_not_found")
    if not path.is_dir():
        raise ValidationError(f"'{raw}' is a file, not a folder.", code="path_not_directory")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ValidationError(f"The folder '{raw}' cannot be read by the server.", code="path_unreadable")
    resolved = path.resolve()
    for other in db.execute(select(LibraryRoot)).scalars():
        if other.id == exclude_id:
            continue
        existing = Path(other.path)
        if existing == resolved:
            raise ConflictError(f"'{resolved}' is already a library root.", code="root_exists")
        if resolved.is_relative_to(existing):
            raise ValidationError(f"'{resolved}' is inside the library root '{existing}'.", code="root_nested")
        if existing.is_relative_to(resolved):
            raise ValidationError(f"'{resolved}' contains the library root '{existing}'.", code="root_nested")
    return str(resolved)


def _get(db: Session, root_id: str) -> LibraryRoot:
    root = db.get(LibraryRoot, root_id)
    if root is None:
        raise NotFoundError(f"No library root with id '{root_id}'.")
    return root


def add_root(db: Session, body: ApiModel, registry: Any = None) -> LibraryRoot:
    """Add the root ``body`` (a ``root_models().create``) describes; commits."""
    if registry is None:
        registry = current_app.extensions["obscura"].registry
    data = body.model_dump()
    path = validate_root_path(db, data.pop("path"))
    label = data.pop("label", None)
    options = {k: data.pop(k) for k in list(data) if k in registry.root_options}
    root = LibraryRoot(path=path, label=(label or Path(path).name or path).strip(), options=options, **data)
    db.add(root)
    db.commit()
    return root


def apply_root_nsfw(db: Any, root_id: str, is_nsfw: bool) -> None:
    """A root's NSFW switch carries over to every row scanned from it (reference §4.6): each
    NSFW-capable model with a ``library_root_id`` column, whichever plugin owns it. Rows hidden by
    an NSFW tag, performer or studio stay hidden (that rule is applied when reading)."""
    from obscura_core.sfw import nsfw_models

    for model in nsfw_models():
        column = getattr(model, "library_root_id", None)
        if column is not None:
            db.execute(update(model).where(column == root_id).values(is_nsfw=is_nsfw))


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_libraries", __name__)

    def out_model() -> type[ApiModel]:
        return root_models().out

    def in_model() -> type[ApiModel]:
        return root_models().create

    def patch_model() -> type[ApiModel]:
        return root_models().patch

    @api_route(bp, "/api/libraries", response=lambda: list[out_model()])
    def list_roots():
        """Every library root."""
        rows = get_db().execute(select(LibraryRoot).order_by(LibraryRoot.path)).scalars()
        return ok([root_out(r) for r in rows])

    @api_route(bp, "/api/libraries", methods=["POST"], body=in_model, response=out_model, status=201)
    def create_root(body: ApiModel):
        """Add a library root (the folder must exist; roots may not nest)."""
        return ok(root_out(add_root(get_db(), body)), status=201)

    @api_route(bp, "/api/libraries/<root_id>", response=out_model)
    def get_root(root_id: str):
        """One library root."""
        return ok(root_out(_get(get_db(), root_id)))

    @api_route(bp, "/api/libraries/<root_id>", methods=["PATCH"], body=patch_model, response=out_model)
    def patch_root(root_id: str, body: ApiModel):
        """Change a root's label, path or switches."""
        db = get_db()
        root = _get(db, root_id)
        changes = body.model_dump(exclude_unset=True)
        if changes.get("path") is not None:
            changes["path"] = validate_root_path(db, changes["path"], exclude_id=root.id)
        for key, value in changes.items():
            if value is None:
                raise ValidationError(f"'{key}' cannot be null.")
        option_keys = current_app.extensions["obscura"].registry.root_options
        options = {k: changes.pop(k) for k in list(changes) if k in option_keys}
        if options:
            root.options = {**(root.options or {}), **options}
        for key, value in changes.items():
            setattr(root, key, value)
        if "is_nsfw" in changes:
            apply_root_nsfw(db, root.id, changes["is_nsfw"])
        db.commit()
        return ok(root_out(root))

    @api_route(bp, "/api/libraries/<root_id>", methods=["DELETE"])
    def delete_root(root_id: str):
        """Remove a root; its media rows go with it (the files on disk stay)."""
        db = get_db()
        root = _get(db, root_id)
        current_app.extensions["obscura"].hooks.notify(
            "obscura_entity_deleted", savepoint=db, entity_type="library_root", entity_id=root.id, db=db
        )
        db.delete(root)
        db.commit()
        return ok({"id": root_id, "deleted": True})

    @api_route(bp, "/api/libraries/<root_id>/scan", methods=["POST"])
    def scan_root(root_id: str):
        """Enqueue every plugin's scan of this root."""
        db = get_db()
        root = _get(db, root_id)
        if not root.enabled:
            raise ConflictError("This library root is disabled; enable it to scan it.", code="root_disabled")
        count = scan_roots(current_app.extensions["obscura"], db, "manual", [root.id])
        return ok({"enqueued": count})

    @api_route(bp, "/api/libraries/scan", methods=["POST"])
    def scan_all():
        """Enqueue every plugin's scan of every enabled root."""
        return ok({"enqueued": scan_roots(current_app.extensions["obscura"], get_db(), "manual")})

    @api_route(bp, "/api/libraries/browse", query=BrowseQuery, response=BrowseOut)
    def browse(query: BrowseQuery):
        """List the sub-folders of a server folder, to pick a library root (names only); with
        ``files=ext1,ext2`` also its files with those extensions, to pick a file."""
        raw = query.path or "/"
        extensions = browse_extensions(query.files)
        path = Path(raw).expanduser()
        if not path.is_absolute():
            raise ValidationError(f"Use an absolute path (got '{raw}').")
        path = path.resolve()
        if not path.is_dir():
            raise NotFoundError(f"The folder '{raw}' does not exist.", code="path_not_found")
        try:
            listed = list(os.scandir(path))
            entries = sorted(
                (e for e in listed if not e.name.startswith(".") and e.is_dir(follow_symlinks=True)),
                key=lambda e: e.name.lower(),
            )
        except PermissionError:
            raise ValidationError(f"The folder '{path}' cannot be read by the server.") from None
        return ok(
            BrowseOut(
                path=str(path),
                parent_path=str(path.parent) if path.parent != path else None,
                directories=[BrowseEntry(name=e.name, path=str(path / e.name)) for e in entries],
                files=browse_files(listed, extensions) if extensions else [],
            )
        )

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]
