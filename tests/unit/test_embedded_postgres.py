"""The embedded PostgreSQL's placement rules: who can reach a folder, where root keeps a cluster
its service user cannot reach, where the socket goes, what a ``postmaster.pid`` says."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from obscura_core.services.postgres import (
    MAX_SOCKET_PATH,
    Postmaster,
    RunAs,
    relocated_dir,
    socket_dir_for,
    traversable_by,
)

OTHER_UID = 54321
OTHER_GIDS = {54321}


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A folder every user can reach (pytest's own tmp_path sits under a private 0700 folder)."""
    folder = Path(tempfile.mkdtemp(dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    for inner, dirs, _ in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(inner, name), 0o755)
    shutil.rmtree(folder)


@pytest.mark.parametrize(
    ("modes", "reachable"),
    [
        ((0o755, 0o755), True),
        ((0o700, 0o755), False),  # a private folder above it (a home folder, /tmp/pytest-of-root)
        ((0o711, 0o711), True),  # search permission is enough
        ((0o755, 0o750), False),  # group-only, and the user is not in the group
    ],
)
def test_traversable_by_another_user(open_tmp: Path, modes: tuple[int, int], reachable: bool) -> None:
    top, leaf = open_tmp / "a", open_tmp / "a" / "b"
    leaf.mkdir(parents=True)
    top.chmod(modes[0])
    leaf.chmod(modes[1])
    assert traversable_by(leaf, OTHER_UID, OTHER_GIDS) is reachable


def test_owner_and_group_bits_count_for_their_owner_and_group(open_tmp: Path) -> None:
    folder = open_tmp / "mine"
    folder.mkdir(mode=0o700)
    me, my_groups = os.getuid(), {os.getgid()}
    if me == 0:  # root enters everything
        assert traversable_by(folder, 0, {0})
        return
    assert traversable_by(folder, me, my_groups)
    assert not traversable_by(folder, OTHER_UID, {os.getgid()})
    folder.chmod(0o710)
    assert traversable_by(folder, OTHER_UID, {os.getgid()})


def test_a_missing_folder_is_not_reachable(tmp_path: Path) -> None:
    assert not traversable_by(tmp_path / "nope", OTHER_UID, OTHER_GIDS)


def test_relocated_dir_is_stable_distinct_and_short(tmp_path: Path) -> None:
    home = Path("/var/lib/obscura/postgres")
    a = relocated_dir(tmp_path / "data", home)
    assert a == relocated_dir(tmp_path / "data", home)
    assert a != relocated_dir(tmp_path / "other" / "data", home)
    assert a.parent == home and a.name.startswith("data-")
    odd = relocated_dir(tmp_path / ("Fïlms & Séries " * 10), home)
    assert len(str(odd / ".s.PGSQL.5432")) <= MAX_SOCKET_PATH
    assert all(c.isalnum() or c in "-_." for c in odd.name)


def test_the_socket_stays_in_the_cluster_unless_the_path_is_too_long(tmp_path: Path) -> None:
    me = RunAs.current()
    short = tmp_path / "pg"
    assert socket_dir_for(short, me) == short
    deep = tmp_path / ("x" * 60) / ("y" * 60) / "pg"
    moved = socket_dir_for(deep, me)
    assert moved != deep and len(str(moved / ".s.PGSQL.5432")) <= MAX_SOCKET_PATH
    assert moved.is_dir() and (moved.stat().st_mode & 0o777) == 0o700
    assert socket_dir_for(deep, me) == moved  # the same place every time


def test_postmaster_pid_is_read_only_when_ready(tmp_path: Path) -> None:
    lines = [str(os.getpid()), str(tmp_path), "1700000000", "5432", "/run/sock", "", "  0  0", "ready   "]
    (tmp_path / "postmaster.pid").write_text("\n".join(lines) + "\n")
    pm = Postmaster.read(tmp_path)
    assert pm == Postmaster(os.getpid(), Path("/run/sock"))
    assert not pm.alive(), "this pid is alive but it is not a postgres process"
    lines[7] = "starting"
    (tmp_path / "postmaster.pid").write_text("\n".join(lines) + "\n")
    assert Postmaster.read(tmp_path) is None
    (tmp_path / "postmaster.pid").write_text("garbage")
    assert Postmaster.read(tmp_path) is None
    assert Postmaster.read(tmp_path / "missing") is None
