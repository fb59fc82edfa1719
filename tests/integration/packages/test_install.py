"""Installing plugin packages from the community index (over HTTP, ``file://`` and a plain path),
a zip or a local folder; what a bad package leaves behind (nothing); toggling, removing, updating."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from plugin_sdk.errors import ConflictError, NotFoundError
from plugins_builtin.packages import install
from plugins_builtin.packages.index import ENV
from tests.fixtures.plugin_packages.index_server import NEXT, PLUGINS, PluginIndexFixture, make_zip
from tests.integration.packages.conftest import error, ok

COMMUNITY_IDS = {"tvdb", "tmdb", "youtube", "musicbrainz", "anilist", "mangadex"}
STUB = "module.exports = {};\n"


def _install(client: Any, **body: Any) -> Any:
    return client.post("/api/plugins/packages", json=body)


def test_the_community_index_is_listed_with_what_is_installed(client, served, community) -> None:
    data = ok(client.get("/api/plugins/index"))
    assert data["indexUrl"] == served + "/index.yml"
    items = {i["id"]: i for i in data["items"]}
    assert set(items) == COMMUNITY_IDS
    tmdb = items["tmdb"]
    assert tmdb["name"] == "The Movie Database" and tmdb["version"] == "0.1.0" and tmdb["runtime"] == "typescript"
    assert tmdb["capabilities"]["videoByName"] is True and tmdb["capabilities"]["supportsBatch"] is False
    assert tmdb["sha256"] is None and tmdb["verified"] is False  # the published index's sha256 is ""
    assert tmdb["installed"] is False and tmdb["installedVersion"] is None and tmdb["updateAvailable"] is False
    assert items["musicbrainz"]["runtime"] == "python"

    ok(_install(client, pluginId="tmdb"), 201)
    items = {i["id"]: i for i in ok(client.get("/api/plugins/index?q=TMDB"))["items"]}
    assert set(items) == {"tmdb"}
    assert items["tmdb"]["installed"] is True and items["tmdb"]["installedVersion"] == "0.1.0"


def test_every_community_package_installs_with_its_capabilities_and_auth_fields(
    client, served, installed, plugins_dir
) -> None:
    for plugin_id in sorted(COMMUNITY_IDS):
        package = ok(_install(client, pluginId=plugin_id), 201)
        assert package["id"] == plugin_id
        assert package["installPath"] == f"plugins/{plugin_id}"
        assert (plugins_dir / plugin_id / "manifest.yml").is_file()
    listed = installed()
    assert set(listed) == COMMUNITY_IDS
    tmdb = listed["tmdb"]
    assert tmdb["authFields"] == [
        {
            "key": "TMDB_API_KEY",
            "label": "TMDB API Key (v3 auth)",
            "required": True,
            "url": "https://www.themoviedb.org/settings/api",
            "status": "missing",
        }
    ]
    assert tmdb["authStatus"] == "missing"
    assert tmdb["homepage"] == "https://www.themoviedb.org" and tmdb["tags"] == ["movies", "tv", "series"]
    assert tmdb["capabilities"] == {
        "videoByURL": True,
        "videoByName": True,
        "folderByName": True,
        "folderCascade": True,
        "supportsBatch": False,
    }
    assert (plugins_dir / "tmdb" / "dist" / "index.js").is_file()  # the manifest's entry
    assert tmdb["enabled"] is True and tmdb["isNsfw"] is False
    assert tmdb["sourceIndex"] == served  # not the default community index
    assert tmdb["verified"] is False and len(tmdb["sha256"]) == 64  # empty index sha256: unverified
    assert listed["anilist"]["authStatus"] is None and listed["anilist"]["authFields"] == []
    assert [f["key"] for f in listed["mangadex"]["authFields"]] == [
        "MANGADEX_CLIENT_ID",
        "MANGADEX_CLIENT_SECRET",
        "MANGADEX_USERNAME",
        "MANGADEX_PASSWORD",
    ]
    assert listed["mangadex"]["capabilities"]["mangaByName"] is True  # kept, though unknown to Obscura
    assert listed["musicbrainz"]["runtime"] == "python" and listed["musicbrainz"]["authStatus"] is None
    assert listed["youtube"]["capabilities"]["audioByURL"] is True


@pytest.mark.parametrize("form", ["file-url", "folder", "index-file"])
def test_a_local_index_installs_by_file_url_or_path(client, community, tmp_path, monkeypatch, installed, form) -> None:
    index_file = community.write(tmp_path / "community")
    source = {
        "file-url": index_file.as_uri(),
        "folder": str(index_file.parent),
        "index-file": str(index_file),
    }[form]
    monkeypatch.setenv(ENV, source)
    assert {i["id"] for i in ok(client.get("/api/plugins/index"))["items"]} == COMMUNITY_IDS
    package = ok(_install(client, pluginId="youtube"), 201)
    assert package["sourceIndex"] == source
    assert installed()["youtube"]["authFields"][0]["key"] == "YOUTUBE_API_KEY"


def test_a_sha256_given_by_the_index_is_checked(client, served, community, nothing_installed, installed) -> None:
    community.set("tmdb", sha256="0" * 64)
    err = error(_install(client, pluginId="tmdb"), 400)
    assert err["code"] == "sha256_mismatch" and "0000" in err["message"]
    nothing_installed("tmdb")

    community.set("tmdb", sha256="auto")
    package = ok(client.post("/api/plugins/packages", json={"pluginId": "tmdb"}), 201)
    assert package["verified"] is True and package["sha256"] == community.sha256("tmdb")
    item = next(i for i in ok(client.get("/api/plugins/index?refresh=true"))["items"] if i["id"] == "tmdb")
    assert item["verified"] is True and item["sha256"] == package["sha256"]


UNSAFE = {
    "parent": make_zip({"manifest.yml": "id: evil\n", "../escape.txt": "x"}),
    "absolute": make_zip({"manifest.yml": "id: evil\n", "/tmp/obscura-evil.txt": "x"}),
    "symlink": make_zip({"manifest.yml": "id: evil\n"}, symlinks={"link": "/etc/passwd"}),
    "not-a-zip": b"this is not a zip",
}


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_an_unsafe_zip_is_refused_and_leaves_nothing(client, served, community, nothing_installed, kind) -> None:
    community.put_zip("evil", UNSAFE[kind])
    err = error(_install(client, pluginId="evil"), 400)
    assert err["code"] in ("unsafe_archive", "invalid_archive")
    nothing_installed("evil")
    assert not Path("/tmp/obscura-evil.txt").exists()


def _manifest(**fields: Any) -> str:
    lines = [f"{k}: {v}" for k, v in fields.items() if v is not None]
    return "\n".join(lines) + "\n"


BAD_MANIFESTS = {
    "no-manifest": ({"index.js": STUB}, "has no manifest.yml"),
    "not-yaml": ({"manifest.yml": "id: [unclosed\n", "index.js": STUB}, "not valid YAML"),
    "not-a-mapping": ({"manifest.yml": "- a\n- b\n"}, "not a mapping"),
    "missing-id": (
        {"manifest.yml": _manifest(name="Bad", version="1.0.0", runtime="typescript", entry="index.js")},
        "'id'",
    ),
    "unknown-runtime": (
        {"manifest.yml": _manifest(id="bad", name="Bad", version="1.0.0", runtime="ruby", entry="index.js")},
        "runtime",
    ),
    "entry-outside": (
        {"manifest.yml": _manifest(id="bad", name="Bad", version="1.0.0", runtime="typescript", entry="../x.js")},
        "outside",
    ),
    "entry-absolute": (
        {"manifest.yml": _manifest(id="bad", name="Bad", version="1.0.0", runtime="typescript", entry="/etc/x.js")},
        "inside the package",
    ),
    "script-outside": (
        {
            "manifest.yml": _manifest(
                id="bad", name="Bad", version="1.0.0", runtime="python", script="[python3, ../x.py]"
            )
        },
        "outside",
    ),
    "id-with-slash": (
        {"manifest.yml": _manifest(id="bad/one", name="Bad", version="1.0.0", runtime="typescript", entry="index.js")},
        "not valid",
    ),
    "other-id": (
        {"manifest.yml": _manifest(id="other", name="Bad", version="1.0.0", runtime="typescript", entry="index.js")},
        "not 'bad'",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_MANIFESTS))
def test_an_invalid_manifest_is_refused_and_leaves_nothing(client, served, community, nothing_installed, kind) -> None:
    files, message = BAD_MANIFESTS[kind]
    community.put_zip("bad", make_zip(files))
    err = error(_install(client, pluginId="bad"), 400)
    assert message in err["message"], err
    nothing_installed("bad")
    nothing_installed("other")


def test_a_symlink_in_a_local_folder_may_not_lead_the_entry_out(client, tmp_path, installed) -> None:
    folder = tmp_path / "linked"
    folder.mkdir()
    (tmp_path / "outside.js").write_text(STUB)
    (folder / "index.js").symlink_to(tmp_path / "outside.js")
    (folder / "manifest.yml").write_text(
        _manifest(id="linked", name="L", version="1", runtime="typescript", entry="index.js")
    )
    err = error(_install(client, localPath=str(folder)), 400)
    assert "outside" in err["message"]
    assert "linked" not in installed()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "validation_error"),
        ({"pluginId": "a/b"}, "invalid_plugin_id"),
        ({"pluginId": ".."}, "invalid_plugin_id"),
        ({"zipUrl": "http://127.0.0.1:1/x.zip", "localPath": "/tmp"}, "validation_error"),
        ({"zipUrl": "http://127.0.0.1:1/x.zip", "sha256": "abc"}, "validation_error"),
        ({"zipUrl": "ftp://example.test/x.zip"}, "invalid_zip_url"),
        ({"zipUrl": "/etc/passwd"}, "invalid_zip_url"),
    ],
)
def test_bad_install_requests_are_400(client, served, body, code) -> None:
    assert error(_install(client, **body), 400)["code"] == code


def test_an_unknown_plugin_is_404(client, served) -> None:
    assert error(_install(client, pluginId="nope"), 404)["code"] == "unknown_plugin"


def test_install_from_a_zip_url(client, served, community, nothing_installed) -> None:
    url = f"{served}/plugins/tvdb/tvdb.zip"
    digest = community.sha256("tvdb")
    err = error(_install(client, zipUrl=url, sha256="f" * 64), 400)
    assert err["code"] == "sha256_mismatch"
    nothing_installed("tvdb")
    assert error(_install(client, zipUrl=url, pluginId="tmdb"), 400)["code"] == "manifest_id_mismatch"
    nothing_installed("tvdb")

    package = ok(_install(client, zipUrl=url, sha256=digest.upper()), 201)
    assert package["id"] == "tvdb" and package["sourceIndex"] == "zip" and package["verified"] is True
    unverified = ok(_install(client, zipUrl="plugins/tmdb/tmdb.zip"), 201)  # relative to the index
    assert unverified["id"] == "tmdb" and unverified["verified"] is False
    items = {i["id"]: i for i in ok(client.get("/api/plugins/index"))["items"]}
    assert items["tvdb"]["installed"] is True and items["tvdb"]["updateAvailable"] is False


def test_a_local_folder_is_registered_in_place(client, tmp_path, installed, plugins_dir) -> None:
    folder = tmp_path / "dev" / "install-basic"
    folder.parent.mkdir()
    shutil.copytree(PLUGINS / "install-basic", folder)
    package = ok(_install(client, localPath=str(folder)), 201)
    assert package["id"] == "install-basic" and package["installPath"] == str(folder.resolve())
    assert package["sourceIndex"] == "local" and package["sha256"] is None and package["verified"] is False
    assert package["capabilities"]["someFutureCapability"] is True
    assert not (plugins_dir / "install-basic").exists()  # nothing copied

    ok(client.delete("/api/plugins/packages/install-basic", json={}))
    assert "install-basic" not in installed()
    assert (folder / "manifest.yml").is_file()  # the user's folder is kept

    assert error(_install(client, localPath=str(tmp_path / "missing")), 400)["code"] == "invalid_local_path"
    assert error(_install(client, localPath=str(folder / "manifest.yml")), 400)["code"] == "invalid_local_path"
    assert error(_install(client, localPath="relative/path"), 400)["code"] == "invalid_local_path"
    assert error(_install(client, localPath=str(tmp_path)), 400)["code"] == "invalid_manifest"
    assert installed() == {}


def test_enable_disable_and_runnable(client, served, runtime) -> None:
    ok(_install(client, pluginId="musicbrainz"), 201)
    with runtime.session() as db:
        row, manifest = install.runnable(db, "musicbrainz")
        assert manifest.script == ("python3", "musicbrainz.py") and row.runtime == "python"
    assert ok(client.patch("/api/plugins/packages/musicbrainz", json={"enabled": False}))["enabled"] is False
    with runtime.session() as db:
        with pytest.raises(ConflictError) as disabled:
            install.runnable(db, "musicbrainz")
        assert disabled.value.code == "plugin_disabled"
        with pytest.raises(NotFoundError):
            install.runnable(db, "nope")
    assert ok(client.patch("/api/plugins/packages/musicbrainz", json={"enabled": True}))["enabled"] is True
    assert error(client.patch("/api/plugins/packages/nope", json={"enabled": True}), 404)["code"] == "plugin_not_found"
    assert error(client.patch("/api/plugins/packages/musicbrainz", json={}), 400)


def test_delete_removes_the_folder_and_the_credentials(client, served, runtime, plugins_dir) -> None:
    from sqlalchemy import func, select

    from plugins_builtin.packages.models import PluginAuth

    ok(_install(client, pluginId="tmdb"), 201)
    ok(client.put("/api/plugins/packages/tmdb/auth/TMDB_API_KEY", json={"value": "k-123"}))
    assert ok(client.delete("/api/plugins/packages/tmdb", json={})) == {"deleted": "tmdb"}
    assert not (plugins_dir / "tmdb").exists()
    with runtime.session() as db:
        assert db.scalar(select(func.count()).select_from(PluginAuth)) == 0
    assert error(client.delete("/api/plugins/packages/tmdb", json={}), 404)["code"] == "plugin_not_found"


def _use_next_tvdb(community: PluginIndexFixture) -> None:
    import yaml

    entry = yaml.safe_load((NEXT / "index-entry.yml").read_text())
    community.folders["tvdb"] = NEXT / "tvdb"
    community.set("tvdb", **entry)


def test_an_update_is_found_and_installed(client, served, community, plugins_dir, installed) -> None:
    ok(_install(client, pluginId="tvdb"), 201)
    ok(client.put("/api/plugins/packages/tvdb/auth/TVDB_API_KEY", json={"value": "tvdb-key"}))
    ok(client.patch("/api/plugins/packages/tvdb", json={"enabled": False}))
    updates = {u["pluginId"]: u for u in ok(client.get("/api/plugins/check-updates"))}
    assert updates["tvdb"]["updateAvailable"] is False and updates["tvdb"]["availableVersion"] == "0.1.0"

    _use_next_tvdb(community)
    cached = {u["pluginId"]: u for u in ok(client.get("/api/plugins/check-updates"))}
    assert cached["tvdb"]["availableVersion"] == "0.1.0"  # the index is cached for a few minutes
    updates = {u["pluginId"]: u for u in ok(client.get("/api/plugins/check-updates?refresh=1"))}
    assert updates["tvdb"] == {
        "pluginId": "tvdb",
        "installedVersion": "0.1.0",
        "availableVersion": "0.2.0",
        "updateAvailable": True,
        "zipUrl": f"{served}/plugins/tvdb/tvdb.zip",
        "sha256": None,
    }
    item = next(i for i in ok(client.get("/api/plugins/index"))["items"] if i["id"] == "tvdb")
    assert item["updateAvailable"] is True and item["installedVersion"] == "0.1.0"

    updated = ok(_install(client, pluginId="tvdb"), 201)
    assert updated["version"] == "0.2.0" and updated["capabilities"]["seriesCascade"] is True
    assert updated["enabled"] is False and updated["authStatus"] == "ok"  # kept across the update
    assert (plugins_dir / "tvdb" / "dist" / "tvdb.js").is_file()
    assert not (plugins_dir / "tvdb" / "dist" / "index.js").exists()  # the old folder was replaced
    assert not ok(client.get("/api/plugins/check-updates"))[0]["updateAvailable"]
    assert sorted(p.name for p in plugins_dir.iterdir()) == ["tvdb"]


def test_a_failed_update_keeps_the_installed_version(client, served, community, plugins_dir, installed) -> None:
    ok(_install(client, pluginId="tvdb"), 201)
    community.put_zip("tvdb", make_zip({"manifest.yml": "id: tvdb\nname: TVDB\nversion: 9.0.0\nruntime: cobol\n"}))
    community.set("tvdb", path="plugins/tvdb/tvdb.zip", version="9.0.0")
    assert error(_install(client, pluginId="tvdb"), 400)["code"] == "invalid_manifest"
    assert installed()["tvdb"]["version"] == "0.1.0"
    assert (plugins_dir / "tvdb" / "dist" / "index.js").is_file()
    assert sorted(p.name for p in plugins_dir.iterdir()) == ["tvdb"]


def test_nsfw_entries_can_be_hidden(client, served, community) -> None:
    community.add(PLUGINS / "install-nsfw")
    community.add(PLUGINS / "install-basic")
    ids = {i["id"] for i in ok(client.get("/api/plugins/index"))["items"]}
    assert {"install-nsfw", "install-basic"} <= ids
    ids = {i["id"] for i in ok(client.get("/api/plugins/index?nsfw=false"))["items"]}
    assert "install-nsfw" not in ids and "install-basic" in ids
    package = ok(_install(client, pluginId="install-nsfw"), 201)
    assert package["isNsfw"] is True and package["verified"] is True


def test_an_unreachable_index_is_a_502(client, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(ENV, "http://127.0.0.1:9/plugins")
    err = error(client.get("/api/plugins/index"), 502)
    assert err["code"] == "index_unavailable" and "could not be read" in err["message"]
    assert error(_install(client, pluginId="tmdb"), 502)["code"] == "index_unavailable"
    monkeypatch.setenv(ENV, str(tmp_path / "nowhere" / "index.yml"))
    assert error(client.get("/api/plugins/check-updates"), 502)["code"] == "index_unavailable"
    (tmp_path / "junk.yml").write_text("just: a mapping\n")
    monkeypatch.setenv(ENV, str(tmp_path / "junk.yml"))
    assert error(client.get("/api/plugins/index"), 502)["code"] == "index_invalid"
