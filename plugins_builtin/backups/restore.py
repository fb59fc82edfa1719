"""Restoring a backup archive into an empty database, then checking every table's rows."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import sql

from plugins_builtin.backups.archive import DUMP, read_manifest, secret_fingerprint, tool_env
from plugins_builtin.backups.errors import BackupFailed, BackupToolError, RestoreMismatch, RestoreRefused
from plugins_builtin.backups.pgtools import find_tools
from plugins_builtin.backups.snapshot import row_counts, server_version, user_objects, user_schemas

log = logging.getLogger("obscura.backups")

RESTORE_TIMEOUT_S: float | None = None


@dataclass
class RestoreReport:
    """What a restore did."""

    manifest: dict[str, Any]
    tables: int
    rows: int
    seconds: float
    dropped: list[str] = field(default_factory=list)
    """What ``force`` dropped from the target database first."""
    warnings: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent in ``pg_restore``, ``analyze`` and ``verify``."""


def drop_everything(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop every user schema (``public`` is created again, empty); returns the objects it held."""
    held = user_objects(conn)
    for schema in user_schemas(conn):
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    conn.execute("CREATE SCHEMA IF NOT EXISTS public")
    return held


def check_target(conn: psycopg.Connection[Any], force: bool) -> list[str]:
    """Refuse a database holding anything (unless ``force``: then empty it, whatever it holds)."""
    if force:
        return drop_everything(conn)
    existing = user_objects(conn)
    if existing:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise RestoreRefused(
            f"The target database is not empty ({len(existing)} tables, functions or types: {shown}). A backup "
            "is restored into an empty database: create one (e.g. createdb obscura_restored) and point "
            "DATABASE_URL at it, or pass --force to drop everything in this one first."
        )
    return []


def _dump_stream(tar: tarfile.TarFile, archive: Path) -> IO[bytes]:
    try:
        member = tar.getmember(DUMP)
    except KeyError:
        raise RestoreRefused(f"{archive.name} holds no {DUMP}.") from None
    source = tar.extractfile(member)
    if source is None:
        raise RestoreRefused(f"{archive.name}: {DUMP} is not a file.")
    return source


def _run_pg_restore(
    args: list[str], env: dict[str, str], source: IO[bytes] | None, timeout: float | None, *, listing: bool = False
) -> str:
    """Run ``pg_restore``, feeding it ``source`` on its standard input when given; its output when
    ``listing`` (``-l``: it stops reading once it has the table of contents)."""
    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as output:
        stdin = subprocess.PIPE if source is not None else subprocess.DEVNULL
        stdout = output if listing else subprocess.DEVNULL
        proc = subprocess.Popen(args, stdin=stdin, stdout=stdout, stderr=errors, env=env)
        if source is not None:
            assert proc.stdin is not None
            try:
                shutil.copyfileobj(source, proc.stdin, 1024 * 1024)
            except BrokenPipeError:
                pass  # pg_restore stopped reading: done (a listing), or failed (its status says)
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise BackupFailed(f"pg_restore did not finish within {timeout:.0f} s and was stopped.") from None
        errors.seek(0)
        detail = errors.read().decode(errors="replace").strip()[-2000:]
        output.seek(0)
        listed = output.read().decode(errors="replace")
    if proc.returncode != 0:
        raise BackupFailed(f"pg_restore failed (exit {proc.returncode}): {detail}")
    return listed


SEARCH_INDEX_SUFFIX = "_trgm"
"""``pg_trgm`` indexes are named ``…_trgm`` (``migrations/env.py``): left out where the extension is not."""
EXTENSION_RE = re.compile(r"^\d+; \d+ \d+ (?:COMMENT - )?EXTENSION (?:- )?(\S+)")
INDEX_RE = re.compile(r"^\d+; \d+ \d+ INDEX \S+ (\S+)")


def without_extensions(toc: str, missing: set[str]) -> tuple[str, list[str]]:
    """``pg_restore -l`` output without the ``missing`` extensions (and, for ``pg_trgm``, the
    search indexes built on it); returns the list and what was left out."""
    kept, left_out = [], []
    for line in toc.splitlines():
        ext = EXTENSION_RE.match(line)
        index = INDEX_RE.match(line)
        extension = ext is not None and ext.group(1) in missing
        search_index = index is not None and "pg_trgm" in missing and index.group(1).endswith(SEARCH_INDEX_SUFFIX)
        (left_out if extension or search_index else kept).append(line)
    return "\n".join(kept) + "\n", left_out


def _pg_restore(
    archive: Path, url: str, pg_restore: str, timeout: float | None, jobs: int, missing: set[str]
) -> list[str]:
    """Restore the archive's dump: streamed into ``pg_restore`` (no copy on disk), or with ``jobs``
    > 1 copied to a temporary file first (parallel restore needs to seek). Extensions the server
    does not have are left out (``missing``); returns the entries left out."""
    conninfo, env = tool_env(url)
    args = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={conninfo}"]
    with tempfile.TemporaryDirectory(prefix="obscura-restore-") as scratch:
        left_out: list[str] = []
        if missing:
            with tarfile.open(archive, "r:") as tar:
                toc = _run_pg_restore([pg_restore, "--list"], env, _dump_stream(tar, archive), timeout, listing=True)
            listing, left_out = without_extensions(toc, missing)
            (Path(scratch) / "toc.list").write_text(listing)
            args.append(f"--use-list={Path(scratch) / 'toc.list'}")
        with tarfile.open(archive, "r:") as tar:
            source = _dump_stream(tar, archive)
            if jobs <= 1:
                _run_pg_restore(args, env, source, timeout)
                return left_out
        with (
            tarfile.open(archive, "r:") as tar,
            tempfile.NamedTemporaryFile(prefix=".obscura-restore-", suffix=".dump") as copy,
        ):
            shutil.copyfileobj(_dump_stream(tar, archive), copy, 1024 * 1024)
            copy.flush()
            _run_pg_restore([*args, f"--jobs={jobs}", copy.name], env, None, timeout)
    return left_out


def verify(conn: psycopg.Connection[Any], expected: dict[str, int]) -> dict[str, int]:
    """The restored row counts; :class:`RestoreMismatch` naming every table that differs."""
    found = row_counts(conn)
    wrong = [
        f"{table}: {found.get(table, 'missing')} row(s), the backup had {count}"
        for table, count in sorted(expected.items())
        if found.get(table) != int(count)
    ]
    if wrong:
        raise RestoreMismatch("The restored database differs from the backup: " + "; ".join(wrong[:20]))
    return found


def restore_backup(
    archive: Path,
    url: str,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    timeout: float | None = None,
    jobs: int = 1,
) -> RestoreReport:
    """Restore ``archive`` into the (empty) database at ``url`` and check every table's row count.

    :param force: drop everything in the target database first.
    :param jobs: ``pg_restore --jobs`` (above 1 the dump is copied to a temporary file first).
    :param data_dir: the data folder (to compare the secret the credentials were encrypted with).
    :raises RestoreRefused: not a backup, or the database is not empty.
    :raises BackupToolError, BackupFailed, RestoreMismatch:
    """
    started = time.monotonic()
    try:
        manifest = read_manifest(archive)
    except ValueError as exc:
        raise RestoreRefused(str(exc)) from None
    with psycopg.connect(url, autocommit=True) as conn:
        major, version = server_version(conn)
        available = {e for (e,) in conn.execute("SELECT name FROM pg_available_extensions")}
        dropped = check_target(conn, force)
    wanted = set((manifest.get("database") or {}).get("extensions") or [])
    tools = find_tools(major, version)
    dumped_with = str((manifest.get("postgres") or {}).get("pgDump") or "0")
    if int(dumped_with.split(".")[0] or 0) > tools.major:
        raise BackupToolError(
            f"This backup was written by pg_dump {dumped_with}; the newest pg_restore found is {tools.version}. "
            f"Install the PostgreSQL {dumped_with.split('.')[0]} client tools to restore it."
        )
    phases: dict[str, float] = {}
    mark = time.monotonic()
    missing = wanted - available
    left_out = _pg_restore(
        archive, url, tools.pg_restore, timeout if timeout is not None else RESTORE_TIMEOUT_S, jobs, missing
    )
    phases["pg_restore"], mark = time.monotonic() - mark, time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # the planner's statistics are not part of a dump
        phases["analyze"], mark = time.monotonic() - mark, time.monotonic()
        counts = verify(conn, {str(k): int(v) for k, v in (manifest.get("tables") or {}).items()})
        phases["verify"] = time.monotonic() - mark
    report = RestoreReport(
        manifest, len(counts), sum(counts.values()), time.monotonic() - started, dropped, phases=phases
    )
    if missing:
        indexes = sum(1 for line in left_out if " INDEX " in line)
        report.warnings.append(
            f"This PostgreSQL server lacks the extension(s) {', '.join(sorted(missing))}: left out with the "
            f"{indexes} search index(es) built on them (search still works, without those indexes)."
        )
    stored = manifest.get("secretFingerprint")
    if stored and data_dir is not None and secret_fingerprint(data_dir) != stored:
        report.warnings.append(
            "This backup was made with another OBSCURA_SECRET: stored plugin credentials and StashBox API keys "
            "cannot be decrypted until the original secret is set (OBSCURA_SECRET, or secret.key in the data folder)."
        )
    log.info("restored %s: %d tables, %d rows (%.1f s)", archive, report.tables, report.rows, report.seconds)
    return report
