"""The server-side browser's file listing (``GET /api/libraries/browse?files=…``): the files of a
folder with the asked extensions, for pickers that choose a file rather than a folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": [], "builtins": (), "load_entrypoints": False}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "stash"
    (root / "blobs").mkdir(parents=True)
    (root / "zeta.DB").write_bytes(b"x" * 7)
    (root / "stash-go.sqlite").write_bytes(b"y" * 42)
    (root / "Alpha.sqlite").write_bytes(b"")
    (root / "notes.txt").write_text("not listed")
    (root / ".hidden.sqlite").write_bytes(b"hidden")
    (root / "stash-go.sqlite-wal").write_bytes(b"wal")
    (root / "folder.db").mkdir()  # a folder with the extension: a folder, not a file
    os.symlink(root / "stash-go.sqlite", root / "link.sqlite")
    os.symlink(root / "gone.sqlite", root / "broken.sqlite")
    return root


def _browse(client, query: str) -> dict:
    resp = client.get(f"/api/libraries/browse?{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["data"]


def test_files_with_the_asked_extensions_sorted_by_name(client, folder: Path) -> None:
    data = _browse(client, f"path={folder}&files=sqlite,db")
    assert data["files"] == [
        {"name": "Alpha.sqlite", "path": str(folder / "Alpha.sqlite"), "size": 0},
        {"name": "link.sqlite", "path": str(folder / "link.sqlite"), "size": 42},
        {"name": "stash-go.sqlite", "path": str(folder / "stash-go.sqlite"), "size": 42},
        {"name": "zeta.DB", "path": str(folder / "zeta.DB"), "size": 7},
    ]
    assert [d["name"] for d in data["directories"]] == ["blobs", "folder.db"], "folders listed as before"


def test_extensions_are_forgiving_about_dots_spaces_and_case(client, folder: Path) -> None:
    data = _browse(client, f"path={folder}&files=.SQLITE,%20,txt%20")
    assert [f["name"] for f in data["files"]] == ["Alpha.sqlite", "link.sqlite", "notes.txt", "stash-go.sqlite"]
    compound = _browse(client, f"path={folder}&files=sqlite-wal")
    assert [f["name"] for f in compound["files"]] == ["stash-go.sqlite-wal"]


def test_without_the_parameter_the_answer_lists_no_files(client, folder: Path) -> None:
    data = _browse(client, f"path={folder}")
    assert data["files"] == []
    assert [d["name"] for d in data["directories"]] == ["blobs", "folder.db"]
    assert data["parentPath"] == str(folder.parent)
    assert _browse(client, f"path={folder}&files=")["files"] == []


def test_bad_extensions_and_folders_are_clear_errors(client, folder: Path) -> None:
    resp = client.get(f"/api/libraries/browse?path={folder}&files=../etc")
    assert resp.status_code == 400
    assert "'../etc' is not a file extension" in resp.get_json()["error"]["message"]
    resp = client.get(f"/api/libraries/browse?path={folder / 'nope'}&files=sqlite")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "path_not_found"
