"""Finding a ``pg_dump``/``pg_restore`` that can read the server.

``pg_dump`` refuses a server of a newer major version than its own, so the tools are chosen by
the server's version: the ``pgserver`` package's binaries (the embedded PostgreSQL's) when
present, then ``pg_dump`` on ``PATH``, then Debian's ``/usr/lib/postgresql/<major>/bin``; the first
whose major version is at least the server's wins.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from plugins_builtin.backups.errors import BackupToolError

DEBIAN_GLOB = "/usr/lib/postgresql/*/bin"
VERSION_RE = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class PgTools:
    """A ``pg_dump`` and the ``pg_restore`` beside it."""

    bin_dir: Path
    major: int
    version: str

    @property
    def pg_dump(self) -> str:
        return str(self.bin_dir / "pg_dump")

    @property
    def pg_restore(self) -> str:
        return str(self.bin_dir / "pg_restore")


def pgserver_bin() -> Path | None:
    """``pgserver``'s ``pginstall/bin`` (found without importing the package), if installed."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return folder if (folder / "pg_dump").exists() else None


def candidate_dirs() -> list[Path]:
    """Folders holding a ``pg_dump``, in order of preference (duplicates removed)."""
    found: list[Path] = []
    bundled = pgserver_bin()
    if bundled is not None:
        found.append(bundled)
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    found.extend(sorted(Path("/").glob(DEBIAN_GLOB.lstrip("/")), key=_debian_major, reverse=True))
    out: list[Path] = []
    for folder in found:
        if folder not in out and (folder / "pg_dump").exists():
            out.append(folder)
    return out


def _debian_major(folder: Path) -> int:
    try:
        return int(folder.parent.name)
    except ValueError:
        return 0


@functools.lru_cache(maxsize=16)
def tool_version(binary: str) -> tuple[int, str] | None:
    """``(major, "16.2")`` of a PostgreSQL tool, or ``None`` when it cannot run."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = VERSION_RE.search(out)
    if match is None:
        return None
    return int(match.group(1)), match.group(0).split()[-1]


def find_tools(server_major: int, server_version: str) -> PgTools:
    """The preferred tools able to dump a server of ``server_major``.

    :raises BackupToolError: none is installed, or all are too old (the message says which).
    """
    seen: list[str] = []
    for folder in candidate_dirs():
        version = tool_version(str(folder / "pg_dump"))
        if version is None or not (folder / "pg_restore").exists():
            continue
        major, text = version
        if major >= server_major:
            return PgTools(folder, major, text)
        seen.append(f"{folder / 'pg_dump'} ({text})")
    if not seen:
        raise BackupToolError(
            "No pg_dump was found: install the PostgreSQL client tools "
            f"(e.g. apt-get install postgresql-client-{server_major}) or the pgserver package."
        )
    raise BackupToolError(
        f"The PostgreSQL server is version {server_version}, and pg_dump cannot back up a server newer than "
        f"itself; found only {', '.join(seen)}. Install pg_dump {server_major} or newer "
        f"(e.g. apt-get install postgresql-client-{server_major})."
    )
