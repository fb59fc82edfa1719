"""Writing, listing and pruning backup archives.

A backup is one uncompressed ``.tar`` (the dump inside is already compressed) holding, in order:

- ``manifest.json``: format, kind, Obscura's version, the PostgreSQL and ``pg_dump`` versions,
  when, the database's size, each lineage's applied migration revisions, every table's row
  count (read in the dump's own snapshot), and a fingerprint of ``OBSCURA_SECRET`` (stored
  credentials are encrypted with it; the secret itself is never written);
- ``settings.json``: the core's and every plugin's settings, readable without a database;
- ``database.dump``: ``pg_dump --format=custom`` of the whole database.

Generated assets (thumbnails, previews…) are left out: they are rebuilt. Archives are written
under a hidden temporary name and renamed when complete, so a listed backup is always whole.
Names are ``obscura-<YYYYMMDD>-<HHMMSS>[-<n>][-auto].tar`` (UTC); ``-auto`` marks the ones taken
before a migration, the only ones pruned.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
import re
import subprocess
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from plugin_sdk.database import PendingMigration, app_version
from plugins_builtin.backups.errors import BackupFailed
from plugins_builtin.backups.pgtools import PgTools, find_tools
from plugins_builtin.backups.snapshot import Snapshot, open_snapshot

log = logging.getLogger("obscura.backups")

FORMAT = 1
MANIFEST, SETTINGS, DUMP = "manifest.json", "settings.json", "database.dump"
FOLDER = "backups"
NAME_RE = re.compile(r"^obscura-(\d{8})-(\d{6})(?:-(\d+))?(-auto)?\.tar$")
PARTIAL_PREFIX = ".obscura-"
STALE_PARTIAL_S = 6 * 3600
DUMP_TIMEOUT_S: float | None = None
"""``pg_dump`` runs as long as it needs from the shell; the web button passes its own limit."""


def backups_dir(data_dir: Path) -> Path:
    """``<data dir>/backups``: where backups go unless told otherwise."""
    return data_dir / FOLDER


def is_backup_name(name: str) -> bool:
    return NAME_RE.fullmatch(name) is not None


@dataclass(frozen=True)
class BackupInfo:
    """A backup archive and the figures of its manifest."""

    path: Path
    size_bytes: int
    manifest: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict, compare=False)
    """The settings read with the backup (only for a backup just written)."""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind", "manual"))

    @property
    def created_at(self) -> datetime:
        raw = self.manifest.get("createdAt")
        if isinstance(raw, str):
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                pass
        return datetime.fromtimestamp(self.path.stat().st_mtime, UTC)

    def to_json(self) -> dict[str, Any]:
        tables = self.manifest.get("tables") or {}
        return {
            "name": self.name,
            "sizeBytes": self.size_bytes,
            "createdAt": self.created_at.isoformat(),
            "kind": self.kind,
            "reason": self.manifest.get("reason"),
            "obscuraVersion": self.manifest.get("obscuraVersion"),
            "tables": len(tables),
            "rows": sum(int(v) for v in tables.values()),
            "databaseBytes": (self.manifest.get("database") or {}).get("sizeBytes"),
        }


def secret_fingerprint(data_dir: Path) -> str | None:
    """An HMAC of a fixed text under ``OBSCURA_SECRET`` (or ``<data dir>/secret.key``): tells whether
    a restore runs with the secret the stored credentials were encrypted with, without revealing it."""
    secret = os.environ.get("OBSCURA_SECRET")
    if not secret:
        key_file = data_dir / "secret.key"
        try:
            secret = key_file.read_text().strip()
        except OSError:
            return None
    if not secret:
        return None
    return hmac.new(secret.encode(), b"obscura-backup-secret-check", hashlib.sha256).hexdigest()[:24]


def tool_env(url: str) -> tuple[str, dict[str, str]]:
    """The conninfo to pass on a tool's command line (no password in the process list) and its
    environment (``PGPASSWORD`` when the URL has one)."""
    params = conninfo_to_dict(url)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None}), env


def run_tool(args: list[str], env: dict[str, str], what: str, timeout: float | None, **kwargs: Any) -> None:
    """Run ``pg_dump``/``pg_restore``; :class:`BackupFailed` with its error output when it fails."""
    try:
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    except subprocess.TimeoutExpired:
        raise BackupFailed(f"{what} did not finish within {timeout:.0f} s and was stopped.") from None
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout or "").strip()[-2000:]
        raise BackupFailed(f"{what} failed (exit {proc.returncode}): {detail}")


def _unique_name(folder: Path, when: datetime, kind: str) -> str:
    stamp = when.strftime("%Y%m%d-%H%M%S")
    suffix = "-auto" if kind == "auto" else ""
    name, n = f"obscura-{stamp}{suffix}.tar", 1
    while (folder / name).exists():
        n += 1
        name = f"obscura-{stamp}-{n}{suffix}.tar"
    return name


def _sweep_partials(folder: Path) -> None:
    """Remove what a backup killed half-way left (hidden ``.partial`` files, hours old)."""
    cutoff = time.time() - STALE_PARTIAL_S
    for path in folder.glob(f"{PARTIAL_PREFIX}*.partial"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _member(name: str, data: bytes, mtime: float) -> tuple[tarfile.TarInfo, io.BytesIO]:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    return info, io.BytesIO(data)


def _write_archive(path: Path, manifest: dict[str, Any], settings: dict[str, Any], dump: Path) -> None:
    now = time.time()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in (
            (MANIFEST, json.dumps(manifest, indent=2).encode()),
            (SETTINGS, json.dumps(settings, indent=2, default=str).encode()),
        ):
            tar.addfile(*_member(member, data, now))
        tar.add(dump, arcname=DUMP, recursive=False)
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
    path.chmod(0o600)


def build_manifest(
    snap: Snapshot,
    tools: PgTools,
    *,
    kind: str,
    reason: str,
    created: datetime,
    data_dir: Path,
    pending: Sequence[PendingMigration],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "kind": kind,
        "reason": reason,
        "createdAt": created.isoformat(),
        "obscuraVersion": app_version(),
        "postgres": {"serverVersion": snap.server_version, "pgDump": tools.version},
        "database": {"name": snap.database, "sizeBytes": snap.size_bytes, "extensions": snap.extensions},
        "migrations": snap.migrations,
        "tables": snap.tables,
        "pendingMigrations": [m.to_json() for m in pending],
        "secretFingerprint": secret_fingerprint(data_dir),
        "files": [MANIFEST, SETTINGS, DUMP],
    }


def create_backup(
    url: str,
    data_dir: Path,
    *,
    dest: Path | None = None,
    kind: str = "manual",
    reason: str = "manual",
    pending: Sequence[PendingMigration] = (),
    wait: bool = False,
    timeout: float | None = DUMP_TIMEOUT_S,
) -> BackupInfo:
    """Write a backup of the database at ``url`` into ``dest`` (``<data dir>/backups``).

    :param kind: ``manual`` or ``auto`` (taken before a migration; pruned).
    :param reason: why: ``manual``, ``migrate``, ``breaking-gate``.
    :param pending: the migrations about to be applied (recorded in the manifest).
    :param wait: wait for a backup in progress instead of failing with ``BackupBusy``.
    :param timeout: seconds ``pg_dump`` may take.
    :raises BackupBusy, BackupToolError, BackupFailed:
    """
    folder = dest or backups_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open_snapshot(url, wait=wait) as snap:
        tools = find_tools(snap.server_major, snap.server_version)
        created = datetime.now(UTC)
        _sweep_partials(folder)
        name = _unique_name(folder, created, kind)
        dump_tmp = folder / f"{PARTIAL_PREFIX}{name}.dump.partial"
        tar_tmp = folder / f"{PARTIAL_PREFIX}{name}.partial"
        conninfo, env = tool_env(url)
        try:
            run_tool(
                [tools.pg_dump, "--format=custom", f"--snapshot={snap.id}", f"--file={dump_tmp}",
                 f"--dbname={conninfo}"],
                env, "pg_dump", timeout,
            )  # fmt: skip
            manifest = build_manifest(
                snap, tools, kind=kind, reason=reason, created=created, data_dir=data_dir, pending=pending
            )
            final = folder / name
            try:
                _write_archive(tar_tmp, manifest, snap.settings, dump_tmp)
                os.replace(tar_tmp, final)
            except OSError as exc:
                raise BackupFailed(f"Writing the backup {final} failed: {exc.strerror or exc}.") from None
        finally:
            for leftover in (dump_tmp, tar_tmp):
                leftover.unlink(missing_ok=True)
    info = BackupInfo(final, final.stat().st_size, manifest, snap.settings)
    log.info(
        "backup %s written (%s, %d tables, %.1f s)", final, _mib(info.size_bytes), len(snap.tables),
        time.monotonic() - started,
    )  # fmt: skip
    return info


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a backup archive (its first member).

    :raises ValueError: not a backup archive of Obscura's.
    """
    try:
        with tarfile.open(path, "r:") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise ValueError(f"{path.name} is not an Obscura backup (no {MANIFEST} first)")
            raw = tar.extractfile(first)
            manifest = json.loads(raw.read()) if raw is not None else None
    except (tarfile.TarError, OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name} cannot be read as an Obscura backup: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{path.name} is not a backup this version of Obscura can read (format {FORMAT})")
    return manifest


def list_backups(folder: Path) -> list[BackupInfo]:
    """The complete backups in ``folder``, newest first (files that are not backups are skipped)."""
    if not folder.is_dir():
        return []
    found: list[BackupInfo] = []
    for path in folder.iterdir():
        if not is_backup_name(path.name) or not path.is_file():
            continue
        try:
            manifest = read_manifest(path)
        except ValueError as exc:
            log.warning("skipping %s: %s", path, exc)
            continue
        found.append(BackupInfo(path, path.stat().st_size, manifest))
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def prune_automatic(folder: Path, keep: int) -> list[Path]:
    """Delete the automatic backups beyond the newest ``keep``; backups made by hand stay."""
    automatic = [b for b in list_backups(folder) if b.kind == "auto"]
    removed = []
    for old in automatic[max(keep, 0) :]:
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
        log.info("removed the old automatic backup %s", old.path)
    return removed
