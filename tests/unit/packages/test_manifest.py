"""Reading and validating a plugin package's ``manifest.yml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plugin_sdk.errors import ValidationError
from plugins_builtin.packages.manifest import (
    CAPABILITIES,
    AuthField,
    ManifestError,
    check_plugin_id,
    load_manifest,
    parse_manifest,
    valid_plugin_id,
)
from tests.fixtures.plugin_packages.index_server import COMMUNITY

BASE: dict[str, Any] = {"id": "demo", "name": "Demo", "version": "1.0.0", "runtime": "typescript", "entry": "x.js"}


def _parse(folder: Path, **changes: Any) -> Any:
    data = {**BASE, **changes}
    return parse_manifest({k: v for k, v in data.items() if v is not None}, folder)


def test_the_community_manifests_load(tmp_path: Path) -> None:
    tmdb = load_manifest(COMMUNITY / "plugins" / "tmdb")
    assert (tmdb.id, tmdb.name, tmdb.version, tmdb.runtime) == ("tmdb", "The Movie Database", "0.1.0", "typescript")
    assert tmdb.entry == "dist/index.js" and tmdb.script == () and tmdb.stash_definition is None
    assert tmdb.auth == (
        AuthField("TMDB_API_KEY", "TMDB API Key (v3 auth)", True, "https://www.themoviedb.org/settings/api"),
    )
    assert tmdb.tags == ("movies", "tv", "series") and tmdb.homepage == "https://www.themoviedb.org"
    assert tmdb.supports("videoByName") and not tmdb.supports("supportsBatch") and not tmdb.is_nsfw
    assert tmdb.raw["auth"][0]["key"] == "TMDB_API_KEY"
    music = load_manifest(COMMUNITY / "plugins" / "musicbrainz")
    assert music.runtime == "python" and music.script == ("python3", "musicbrainz.py") and music.auth == ()
    mangadex = load_manifest(COMMUNITY / "plugins" / "mangadex")
    assert len(mangadex.auth) == 4 and mangadex.capabilities["mangaByName"] is True
    assert "mangaByName" not in CAPABILITIES and "seriesCascade" in CAPABILITIES and len(CAPABILITIES) == 25


def test_defaults_and_optional_fields(tmp_path: Path) -> None:
    m = _parse(tmp_path, auth=[{"key": "K"}, {"key": "O", "label": "Optional", "required": False, "url": "u"}])
    assert m.capabilities == {} and m.tags == () and m.requires == () and m.is_nsfw is False
    assert m.auth == (AuthField("K", "K"), AuthField("O", "Optional", False, "u"))
    assert _parse(tmp_path, version=1.5).version == "1.5"
    (tmp_path / "manifest.yml").write_text("id: n\nname: N\nversion: 1.10\nruntime: typescript\nentry: x.js\n")
    assert load_manifest(tmp_path).version == "1.10"  # numbers are read as written
    assert _parse(tmp_path, isNsfw=True, tags="one", requires=["py"]).tags == ("one",)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, "no 'id'"),
        ({"name": None}, "no 'name'"),
        ({"version": ""}, "no 'version'"),
        ({"runtime": None}, "no 'runtime'"),
        ({"runtime": "ruby"}, "unknown"),
        ({"id": "a/b"}, "not valid"),
        ({"id": "a\\b"}, "not valid"),
        ({"id": "a..b"}, "not valid"),
        ({"id": ".hidden"}, "not valid"),
        ({"id": "x" * 129}, "not valid"),
        ({"entry": None}, "needs 'entry'"),
        ({"entry": "../x.js"}, "outside"),
        ({"entry": "/etc/passwd"}, "inside the package"),
        ({"runtime": "python", "entry": None}, "needs 'script'"),
        ({"runtime": "python", "entry": None, "script": ["python3", "../../x.py"]}, "outside"),
        ({"runtime": "python", "entry": None, "script": ["../run.sh"]}, "outside"),
        ({"runtime": "python", "entry": None, "script": [["nested"]]}, "list of strings"),
        ({"runtime": "stash-compat", "entry": None}, "needs 'stashDefinition'"),
        ({"runtime": "stash-compat", "stashDefinition": "../s.yml"}, "outside"),
        ({"capabilities": ["videoByURL"]}, "mapping"),
        ({"capabilities": {"videoByURL": "yes"}}, "true or false"),
        ({"auth": {"key": "K"}}, "list"),
        ({"auth": [{"label": "no key"}]}, "needs a 'key'"),
        ({"auth": ["K"]}, "needs a 'key'"),
        ({"auth": [{"key": "K"}, {"key": "K"}]}, "twice"),
    ],
)
def test_invalid_manifests_say_what_is_wrong(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ManifestError) as exc:
        _parse(tmp_path, **changes)
    assert message in exc.value.message
    assert exc.value.status == 400 and isinstance(exc.value, ValidationError)


def test_unknown_capabilities_are_kept(tmp_path: Path) -> None:
    m = _parse(tmp_path, capabilities={"videoByURL": True, "bookByName": True, "supportsBatch": False})
    assert m.capabilities == {"videoByURL": True, "bookByName": True, "supportsBatch": False}


def test_a_symlink_may_not_lead_out_of_the_package(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (tmp_path / "outside.js").write_text("x")
    (folder / "x.js").symlink_to(tmp_path / "outside.js")
    with pytest.raises(ManifestError, match="outside"):
        parse_manifest(BASE, folder)
    (folder / "main.py").symlink_to(tmp_path / "outside.js")
    with pytest.raises(ManifestError, match="outside"):
        _parse(folder, runtime="python", entry=None, script=["python3", "-u", "main.py"])
    inside = folder / "real.js"
    inside.write_text("x")
    (folder / "alias.js").symlink_to(inside)
    assert _parse(folder, entry="alias.js").entry == "alias.js"
    assert _parse(folder, runtime="python", entry=None, script=["/usr/bin/python3", "-u", "real.js"]).script[0]


def test_load_manifest_errors(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"no manifest\.yml"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.yml").write_text("id: [broken\n")
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.yml").write_text("just text\n")
    with pytest.raises(ManifestError, match="not a mapping"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.yml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ManifestError, match="could not be read"):
        load_manifest(tmp_path)


@pytest.mark.parametrize(
    ("plugin_id", "valid"),
    [("tmdb", True), ("my-plugin_2.0", True), ("A", True), ("", False), ("a/b", False), ("..", False),
     ("-x", False), ("a b", False), (None, False), ("é", False)],
)  # fmt: skip
def test_plugin_ids(plugin_id: Any, valid: bool) -> None:
    assert valid_plugin_id(plugin_id) is valid
    if not valid and isinstance(plugin_id, str):
        with pytest.raises(ValidationError):
            check_plugin_id(plugin_id)
