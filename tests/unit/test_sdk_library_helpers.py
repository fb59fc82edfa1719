"""The SDK helpers the media plugins' scans and pages share: walking a root (``plugin_sdk.library``),
a list page's query string and chips (``plugin_sdk.listpage``) and the media column mixins
(``plugin_sdk.columns``), with the behaviour the audio, images and videos copies had."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from plugin_sdk.columns import EditableMixin, MarkerMixin, PlayableFileMixin, count_column, flag_column
from plugin_sdk.hashing import oshash_file
from plugin_sdk.library import MovedFiles, emptied_root_report, entry_stat, nearest_folder, walk_folders
from plugin_sdk.listpage import Chip, state_query


def _tree(root: Path) -> None:
    for rel in ("a.txt", ".hidden.txt", "sub/b.txt", "sub/deep/c.txt", ".secret/d.txt"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)


def test_walk_folders_skips_hidden_entries_and_follows_the_depth_limit(tmp_path: Path) -> None:
    _tree(tmp_path)
    problems: list[str] = []
    seen = {
        os.path.relpath(f.path, tmp_path): sorted(e.name for e in f.files)
        for f in walk_folders(str(tmp_path), problems)
    }
    assert seen == {".": ["a.txt"], "sub": ["b.txt"], os.path.join("sub", "deep"): ["c.txt"]}
    assert problems == []
    top = next(walk_folders(str(tmp_path), problems))
    assert {".hidden.txt", "sub", ".secret", "a.txt"} <= top.names  # every name, for sidecar lookups

    shallow = [f.path for f in walk_folders(str(tmp_path), problems, max_depth=1)]
    assert sorted(os.path.relpath(p, tmp_path) for p in shallow) == [".", "sub"]
    flat = [f.path for f in walk_folders(str(tmp_path), problems, recursive=False)]
    assert flat == [str(tmp_path)]


def test_walk_folders_reports_an_unreadable_root_and_goes_on(tmp_path: Path) -> None:
    problems: list[str] = []
    assert list(walk_folders(str(tmp_path / "missing"), problems)) == []
    assert len(problems) == 1 and problems[0].startswith(str(tmp_path / "missing") + ": ")


def test_entry_stat_reports_a_vanished_file(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x")
    with os.scandir(tmp_path) as entries:
        entry = next(e for e in entries if e.name == "x.txt")
    problems: list[str] = []
    st = entry_stat(entry, problems)
    assert st is not None and st.st_size == 1
    (tmp_path / "x.txt").unlink()
    entry = SimpleNamespace(path=str(tmp_path / "x.txt"), stat=lambda: os.stat(tmp_path / "x.txt"))
    assert entry_stat(entry, problems) is None  # type: ignore[arg-type]
    assert problems and problems[0].startswith(str(tmp_path / "x.txt") + ": ")


def test_nearest_folder_climbs_to_the_root_only() -> None:
    folders = {"/r", "/r/a"}
    assert nearest_folder("/r/a/b/c", "/r", folders) == "/r/a"
    assert nearest_folder("/r/a", "/r", folders) == "/r"
    assert nearest_folder("/r/x", "/r", {"/r/a"}) is None
    assert nearest_folder("/r/a/b", "/r", {"/r/a": "id"}) == "/r/a"  # a mapping keyed by path too


def test_moved_files_claims_each_gone_row_once_by_size_and_oshash(tmp_path: Path) -> None:
    moved_file = tmp_path / "moved.bin"
    moved_file.write_bytes(os.urandom(200_000))
    size, digest = moved_file.stat().st_size, oshash_file(str(moved_file))
    gone = [
        SimpleNamespace(id="other", file_size=size, oshash="0" * 16),
        SimpleNamespace(id="it", file_size=size, oshash=digest),
        SimpleNamespace(id="unhashed", file_size=size, oshash=None),
    ]
    moved = MovedFiles(gone)
    assert moved.claim(str(tmp_path / "missing.bin"), size) is None  # unreadable: no match
    assert moved.claim(str(moved_file), size + 1) is None  # no gone row of that size: not even hashed
    assert moved.claim(str(moved_file), size).id == "it"
    assert moved.claim(str(moved_file), size) is None  # claimed once
    assert moved.ids == {"it"}


def test_emptied_root_report_only_when_nothing_is_found_but_rows_are_known() -> None:
    root = SimpleNamespace(id="r1", path="/media/x")
    assert emptied_root_report(root, 0, 0, "clips") is None  # type: ignore[arg-type]
    assert emptied_root_report(root, 3, 1, "clips") is None  # type: ignore[arg-type]
    report = emptied_root_report(root, 3, 0, "clips")  # type: ignore[arg-type]
    assert report is not None
    assert (report["rootId"], report["path"], report["known"]) == ("r1", "/media/x", 3)
    assert "no clips now but 3 are known" in report["rootProblem"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "search=a+b&sort=date"),
        ({"sort": None}, "search=a+b"),
        ({"cursor": "xyz", "order": "asc"}, "search=a+b&sort=date&order=asc&cursor=xyz"),
        ({"flag": True, "tags": ["t1", "t2"]}, "search=a+b&sort=date&flag=true&tags=t1&tags=t2"),
        ({"unknown": "dropped"}, "search=a+b&sort=date"),
    ],
)
def test_state_query_keeps_the_keys_in_order(changes: dict, expected: str) -> None:
    keys = ("search", "sort", "order", "flag", "tags", "cursor")
    assert state_query({"sort": "date", "search": "a b"}, keys, **changes) == expected
    assert Chip("“a b”", "/x", ("search",)).keys == ("search",)


def test_the_column_mixins_declare_the_shared_media_columns() -> None:
    class Local(DeclarativeBase):  # not plugin_sdk.db.Base: no table of this test joins the migrations' metadata
        pass

    class Clip(PlayableFileMixin, Local):
        __tablename__ = "clips"
        id: Mapped[str] = mapped_column(String(36), primary_key=True)
        done: Mapped[bool] = flag_column()
        views: Mapped[int] = count_column()

    class ClipMarker(MarkerMixin, Local):
        __tablename__ = "clip_markers"
        clip_id: Mapped[str] = mapped_column(ForeignKey("clips.id"), nullable=False)

    columns = Clip.__table__.columns
    assert {c.name for c in columns} - {"id", "done", "views"} == {
        *EditableMixin.__annotations__,
        "file_path", "file_size", "file_mtime", "duration", "probed_at", "probe_error", "md5", "oshash",
        "play_count", "play_duration", "resume_time", "last_played_at",
    }  # fmt: skip
    assert columns["file_path"].unique and not columns["file_path"].nullable
    assert isinstance(columns["title"].type, Text) and not columns["title"].nullable
    assert isinstance(columns["done"].type, Boolean) and columns["done"].server_default.arg.text == "false"
    assert isinstance(columns["views"].type, Integer) and columns["views"].server_default.arg.text == "0"
    assert columns["is_nsfw"].default.arg is False and columns["play_count"].default.arg == 0
    markers = ClipMarker.__table__.columns
    assert {c.name for c in markers} == {"id", "title", "seconds", "end_seconds", "clip_id"}
    assert isinstance(markers["seconds"].type, Float) and markers["end_seconds"].nullable


def test_search_kinds_asks_the_wanted_kinds_and_merges_best_first() -> None:
    from plugin_sdk import SearchHit
    from plugin_sdk.search import search_kinds

    asked: list[tuple[str, int, int]] = []

    def kind(name: str, *scores: float):
        def search(db: object, query: str, limit: int, offset: int) -> list[SearchHit]:
            asked.append((name, limit, offset))
            return [SearchHit(name, f"{name}{i}", query, f"/{name}/{i}", score=s) for i, s in enumerate(scores)]

        return search

    searches = {"a": kind("a", 0.5, 0.2), "b": kind("b", 0.9, 0.3)}
    hits = search_kinds(None, "q", 5, None, 2, searches)  # type: ignore[arg-type]
    assert [h.id for h in hits] == ["b0", "a0", "b1", "a1"]
    assert asked == [("a", 5, 2), ("b", 5, 2)]
    assert [h.kind for h in search_kinds(None, "q", 5, ["b"], 0, searches)] == ["b", "b"]  # type: ignore[arg-type]
    assert search_kinds(None, "q", 0, None, 0, searches) == []  # type: ignore[arg-type]
