"""The community plugin index: where it is, reading it tolerantly, and comparing versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugin_sdk.versions import compare_versions, is_newer_version
from plugins_builtin.packages.index import (
    DEFAULT_INDEX_URL,
    ENV,
    PluginIndexError,
    index_location,
    index_source,
    parse_index,
)
from tests.fixtures.plugin_packages.index_server import COMMUNITY


def test_the_community_index_parses() -> None:
    entries = parse_index((COMMUNITY / "index.yml").read_bytes())
    assert list(entries) == ["tvdb", "tmdb", "youtube", "musicbrainz", "anilist", "mangadex"]
    tvdb = entries["tvdb"]
    assert (tvdb.name, tvdb.version, tvdb.date, tvdb.path) == (
        "The TVDB",
        "0.1.0",
        "2026-04-12",
        "plugins/tvdb/tvdb.zip",
    )
    assert tvdb.sha256 is None and tvdb.runtime == "typescript" and tvdb.is_nsfw is False
    assert tvdb.capabilities == {
        "folderByName": True,
        "videoByURL": True,
        "folderCascade": True,
        "supportsBatch": False,
    }
    assert tvdb.author == "Obscura Community" and tvdb.requires == ()


def test_junk_entries_are_left_out_and_values_read_as_text() -> None:
    raw = b"""
- just a string
- {name: no id, path: x.zip}
- {id: nopath}
- {id: "../evil", path: e.zip}
- id: ok
  version: 1.10
  date: 2026-04-12
  path: ok.zip
  sha256: ABCDEF
  isNsfw: "yes"
  capabilities: {videoByURL: true, weird: "x"}
  requires: py_common
- id: listcaps
  path: l.zip
  capabilities: [a, b]
"""
    entries = parse_index(raw)
    assert sorted(entries) == ["listcaps", "ok"]
    ok = entries["ok"]
    assert ok.version == "1.10"  # numbers are read as written
    assert ok.date == "2026-04-12" and ok.sha256 == "abcdef" and ok.is_nsfw is False
    assert ok.capabilities == {"videoByURL": True} and ok.requires == ("py_common",) and ok.name == "ok"
    assert entries["listcaps"].capabilities == {}


@pytest.mark.parametrize("raw", [b"{not: a list}", b"- [unclosed", b"", b"42"])
def test_a_document_that_is_not_an_index_is_an_error(raw: bytes) -> None:
    with pytest.raises(PluginIndexError) as exc:
        parse_index(raw)
    assert exc.value.status == 502 and exc.value.code == "index_invalid"


def test_the_index_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert index_source() == DEFAULT_INDEX_URL
    assert index_location().url == DEFAULT_INDEX_URL + "/index.yml"
    assert index_location("https://host/base/").url == "https://host/base/index.yml"
    assert index_location("https://host/custom.yml").url == "https://host/custom.yml"
    assert index_location(str(tmp_path)).path == tmp_path / "index.yml"
    assert index_location(tmp_path.as_uri()).path == tmp_path / "index.yml"
    assert index_location(str(tmp_path / "mine.yml")).path == tmp_path / "mine.yml"
    monkeypatch.setenv(ENV, "  https://other/idx  ")
    assert index_source() == "https://other/idx"
    with pytest.raises(PluginIndexError):
        index_location("ftp://host/index.yml")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("0.10.0", "0.9.1", 1),
        ("1.0.0", "1.0.0-beta", 1),
        ("1.0.0-alpha.10", "1.0.0-alpha.2", 1),
        ("1.0.0-beta", "1.0.0-alpha.10", 1),
        ("1.0.0-rc.1", "1.0.0-rc.1", 0),
        ("v1.2", "1.2.0", 0),
        ("1.2.0+build.5", "1.2.0", 0),
        ("2", "1.99.99", 1),
        ("0.0.1", "not-a-version", 1),
        ("zzz", "aaa", 1),
        ("", "0.0.1", -1),
        (None, None, 0),
        ("1.0.0-", "1.0.0", -1),
        ("1..0", "1.0", -1),
    ],
)
def test_versions_compare_like_semver_and_never_fail(a: str | None, b: str | None, expected: int) -> None:
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected


def test_is_newer_version() -> None:
    assert is_newer_version("0.2.0", "0.1.0") and not is_newer_version("0.1.0", "0.2.0")
    assert not is_newer_version(None, "0.1.0") and not is_newer_version("", "0.1.0")
    assert is_newer_version("0.1.0", None) and not is_newer_version("0.1.0", "0.1.0")
