"""A private PostgreSQL cluster, run from the binaries of the ``pgserver`` package.

We use pgserver for its binaries only. Its ``PostgresServer`` wrapper keeps process-wide state (a
class-level instance map, one lock file in the user's runtime dir shared by every server,
``atexit`` hooks, a sweep that kills ``postgres`` processes started on the same path) and, as
root, makes every folder above the data dir and the virtualenv readable by others so that its
service user can reach them. Those permissions do not stay: pytest resets
``/tmp/pytest-of-<user>`` to 0700 at every session start, a home folder is 0700, and a server
whose folders its user can no longer reach fails at the next ``initdb``/``pg_ctl`` with
"Permission denied".

So here each cluster is its own: ``initdb`` / ``pg_ctl start`` / ``pg_ctl stop`` on one data
folder, nothing shared between two clusters, no permission changed outside our own folders.
PostgreSQL refuses to run as root; as root the cluster runs as the system user ``obscura-pg``:

- in place, ``<data dir>/pg``, when that user can already reach it;
- otherwise in ``/var/lib/obscura/postgres/<name>-<hash>``, with ``<data dir>/pg`` a symlink to
  it, so a data dir under ``/root`` or a private temporary folder works unchanged;
- the binaries are copied once to ``/var/lib/obscura/postgres/bin-<pgserver version>`` when the
  user cannot reach the virtualenv.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import pwd
import re
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger("obscura.services")

SERVICE_USER = "obscura-pg"
SYSTEM_HOME = Path("/var/lib/obscura/postgres")
SOCKET_NAME = ".s.PGSQL.5432"
MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS
START_TIMEOUT = 60


class EmbeddedPostgresError(RuntimeError):
    """The embedded PostgreSQL could not be started; the message says why and what to do."""


@dataclass(frozen=True)
class RunAs:
    """The account a cluster runs as."""

    uid: int
    gid: int
    name: str

    @classmethod
    def current(cls) -> RunAs:
        return cls(os.getuid(), os.getgid(), pwd.getpwuid(os.getuid()).pw_name)

    @property
    def is_self(self) -> bool:
        return self.uid == os.getuid()

    def groups(self) -> set[int]:
        return {self.gid, *os.getgrouplist(self.name, self.gid)}


def install_dir() -> Path:
    """pgserver's ``pginstall`` folder (bin, lib, share), found without importing pgserver."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the pgserver package is not installed (pip install pgserver)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def traversable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether ``uid`` (with groups ``gids``) may enter ``path`` and every folder above it."""
    for folder in (path, *path.parents):
        try:
            st = folder.stat()
        except OSError:
            return False
        if uid == 0:
            continue
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def relocated_dir(data_dir: Path, home: Path = SYSTEM_HOME) -> Path:
    """Where root keeps the cluster of ``data_dir`` when its service user cannot reach it."""
    resolved = data_dir.resolve()
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", resolved.name)[:24] or "data"
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:10]
    return home / f"{slug}-{digest}"


def socket_dir_for(folder: Path, run_as: RunAs, socket_name: str = SOCKET_NAME, kind: str = "pg") -> Path:
    """Where a server of ``folder`` puts its Unix socket: ``folder`` when the socket's path fits,
    else a short private folder in /tmp (``obscura-<kind>-<uid>-<hash>``), the same every time."""
    if len(str(folder / socket_name).encode()) <= MAX_SOCKET_PATH:
        return folder
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:10]
    short = Path(tempfile.gettempdir()) / f"obscura-{kind}-{run_as.uid}-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    if not run_as.is_self:
        os.chown(short, run_as.uid, run_as.gid)
    return short


def _ensure_service_user() -> RunAs:
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        try:
            subprocess.run(
                [useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", SERVICE_USER],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or exc
            raise EmbeddedPostgresError(
                f"PostgreSQL does not run as root and the user '{SERVICE_USER}' could not be created: {detail}. "
                "Create it, run Obscura as an ordinary user, or set DATABASE_URL."
            ) from exc
        entry = pwd.getpwnam(SERVICE_USER)
    return RunAs(entry.pw_uid, entry.pw_gid, entry.pw_name)


def _chown_tree(path: Path, run_as: RunAs) -> None:
    for folder, dirs, files in os.walk(path):
        os.chown(folder, run_as.uid, run_as.gid)
        for name in (*dirs, *files):
            os.chown(os.path.join(folder, name), run_as.uid, run_as.gid, follow_symlinks=False)


def _reachable_install(install: Path, run_as: RunAs) -> Path:
    """The binaries where ``run_as`` can run them: in place, or a copy under ``SYSTEM_HOME``."""
    if traversable_by(install / "bin", run_as.uid, run_as.groups()):
        return install
    version = importlib.metadata.version("pgserver")
    copy = SYSTEM_HOME / f"bin-{version}"
    if not (copy / "bin" / "postgres").exists():
        log.info("copying the PostgreSQL binaries to %s for %s", copy, run_as.name)
        SYSTEM_HOME.mkdir(parents=True, exist_ok=True)
        SYSTEM_HOME.chmod(0o755)
        staging = Path(tempfile.mkdtemp(prefix=".bin-", dir=SYSTEM_HOME))
        shutil.copytree(install, staging / "pginstall", symlinks=True, ignore=shutil.ignore_patterns("include"))
        for folder, _, files in os.walk(staging):
            os.chmod(folder, 0o755)
            for name in files:
                file = os.path.join(folder, name)
                if not os.path.islink(file):
                    os.chmod(file, os.stat(file).st_mode | 0o444)
        shutil.rmtree(copy, ignore_errors=True)
        (staging / "pginstall").rename(copy)
        shutil.rmtree(staging, ignore_errors=True)
    return copy


@dataclass(frozen=True)
class Postmaster:
    """What a running server wrote to ``postmaster.pid``."""

    pid: int
    socket_dir: Path

    @classmethod
    def read(cls, cluster: Path) -> Postmaster | None:
        try:
            lines = (cluster / "postmaster.pid").read_text().splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        if len(lines) < 8 or lines[7].strip() != "ready":
            return None
        try:
            pid = int(lines[0])
        except ValueError:
            return None
        return cls(pid, Path(lines[4].strip()))

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except (ProcessLookupError, PermissionError):  # gone, or a process that is not ours
            return False
        try:
            return Path(f"/proc/{self.pid}/exe").resolve().name == "postgres"
        except OSError:
            return True  # no /proc (macOS): trust the signal check


class EmbeddedPostgres:
    """One private cluster for one data dir: ``start()`` returns its URL, ``stop()`` stops it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.link = data_dir / "pg"
        self.cluster: Path | None = None
        self.socket_dir: Path | None = None
        self._run_as = RunAs.current()
        self._bin: Path | None = None
        self._started = False

    # -- set-up ------------------------------------------------------------------------------

    def _place(self) -> Path:
        """The cluster folder, made and owned by the account that runs it."""
        if self._run_as.is_self:
            self.link.mkdir(parents=True, exist_ok=True)
            return self.link
        gids = self._run_as.groups()
        if self.link.is_symlink():
            target = self.link.resolve()
            target.mkdir(parents=True, exist_ok=True)
            cluster = target
        elif self.link.is_dir() and traversable_by(self.link, self._run_as.uid, gids):
            cluster = self.link
        elif traversable_by(self.data_dir, self._run_as.uid, gids):
            self.link.mkdir(exist_ok=True)
            cluster = self.link
        elif self.link.exists() and any(self.link.iterdir()):
            raise EmbeddedPostgresError(
                f"the database in {self.link} cannot be reached by the user '{self._run_as.name}' "
                f"that PostgreSQL runs as: a folder above it is private. Move the data dir, give that "
                f"user access to its parent folders, or run Obscura as an ordinary user."
            )
        else:
            cluster = relocated_dir(self.data_dir)
            SYSTEM_HOME.mkdir(parents=True, exist_ok=True)
            SYSTEM_HOME.chmod(0o755)
            cluster.mkdir(mode=0o700, exist_ok=True)
            if self.link.exists():
                self.link.rmdir()
            self.link.symlink_to(cluster, target_is_directory=True)
            log.info("%s is private to root: the embedded PostgreSQL keeps its files in %s", self.data_dir, cluster)
        if cluster.stat().st_uid != self._run_as.uid:
            _chown_tree(cluster, self._run_as)
        cluster.chmod(0o700)
        return cluster

    def _run(self, tool: str, *args: str, timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess[str]:
        assert self._bin is not None and self.cluster is not None
        kwargs: dict = {}
        if not self._run_as.is_self:
            kwargs = {"user": self._run_as.uid, "group": self._run_as.gid, "extra_groups": []}
        return subprocess.run(
            [str(self._bin / "bin" / tool), "-D", str(self.cluster), *args],
            cwd=self.cluster,
            capture_output=True,
            text=True,
            timeout=timeout,
            **kwargs,
        )

    def _fail(self, what: str, proc: subprocess.CompletedProcess[str]) -> EmbeddedPostgresError:
        log_file = self.cluster / "log" if self.cluster else None
        tail = ""
        if log_file is not None and log_file.exists():
            tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-15:])
        return EmbeddedPostgresError(
            f"{what} failed (exit {proc.returncode}) for {self.cluster}:\n{proc.stderr.strip()}\n{tail}".rstrip()
        )

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> str:
        """Start the cluster (initialising it on first use) and return its URL."""
        if os.geteuid() == 0:
            self._run_as = _ensure_service_user()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._bin = _reachable_install(install_dir(), self._run_as)
        self.cluster = self._place()
        if not (self.cluster / "PG_VERSION").exists():
            log.info("initialising the embedded PostgreSQL in %s", self.cluster)
            proc = self._run("initdb", "--auth=trust", "--encoding=UTF8", "-U", "postgres")
            if proc.returncode:
                raise self._fail("initdb", proc)
        running = Postmaster.read(self.cluster)
        if running is not None and running.alive():
            log.info("the embedded PostgreSQL of %s is already running (pid %s)", self.cluster, running.pid)
            self.socket_dir = running.socket_dir
        else:
            self.socket_dir = socket_dir_for(self.cluster, self._run_as)
            options = f"-c listen_addresses='' -k {shlex.quote(str(self.socket_dir))}"
            proc = self._run(
                "pg_ctl", "-w", "-t", str(START_TIMEOUT), "-l", str(self.cluster / "log"), "-o", options, "start"
            )
            if proc.returncode:
                raise self._fail("starting PostgreSQL", proc)
        self._started = True
        return self.url

    @property
    def url(self) -> str:
        assert self.socket_dir is not None
        return f"postgresql://postgres@/postgres?host={quote(str(self.socket_dir), safe='/')}"

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended, committed work is kept)."""
        if not self._started or self.cluster is None:
            return
        self._started = False
        proc = self._run("pg_ctl", "-w", "-t", "30", "-m", "fast", "stop", timeout=40)
        if proc.returncode:
            running = Postmaster.read(self.cluster)
            if running is not None and running.alive():
                log.warning("pg_ctl stop failed (%s); stopping pid %s", proc.stderr.strip(), running.pid)
                os.kill(running.pid, signal.SIGQUIT)
                deadline = time.monotonic() + 10
                while running.alive() and time.monotonic() < deadline:
                    time.sleep(0.1)


def remove_cluster(data_dir: Path) -> None:
    """Delete the (stopped) cluster of ``data_dir``, wherever it was kept."""
    link = data_dir / "pg"
    if link.is_symlink():
        shutil.rmtree(link.resolve(), ignore_errors=True)
        link.unlink()
    elif link.exists():
        shutil.rmtree(link, ignore_errors=True)
