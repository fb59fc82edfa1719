"""Scraper packages through the API: the index (local file, folder, HTTP; cache and force; search;
unreachable or malformed), installing with dependencies, the refusals that leave nothing installed
(sha256 mismatch, unsafe zips, bad ids, bad YAML), updates, update-all, enable/disable, uninstall."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from plugins_builtin.scrapers.index import ENV
from plugins_builtin.scrapers.models import ScraperPackage
from tests.integration.scrapers.packs import (
    SCRIPT_SCRAPER_PY,
    SCRIPT_SCRAPER_YML,
    IndexDir,
    http_server,
    make_zip,
    xpath_scraper_yml,
)

pytestmark = pytest.mark.integration


def _ok(resp, status: int = 200):
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    body = resp.get_json()
    assert body["ok"] is True
    return body["data"]


def _err(resp, status: int, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body["error"]
    return body["error"]


def _rows(runtime) -> dict[str, ScraperPackage]:
    with runtime.session() as db:
        rows = db.execute(select(ScraperPackage)).scalars().all()
        db.expunge_all()
    return {r.id: r for r in rows}


def _leftovers(scrapers_dir: Path) -> list[str]:
    """Anything in the packages folder (staging folders included)."""
    return sorted(p.name for p in scrapers_dir.iterdir()) if scrapers_dir.exists() else []


def _install(client, package_id: str, **extra):
    return client.post("/api/scrapers/packages", json={"packageId": package_id, **extra})


# --------------------------------------------------------------------------------------------- index


def test_index_lists_entries_with_install_state_and_searches(client, index: IndexDir) -> None:
    data = _ok(client.get("/api/scrapers/index"))
    assert data["total"] == 3
    assert [e["id"] for e in data["items"]] == ["ExampleSite", "py_common", "ScriptSite"]
    script = next(e for e in data["items"] if e["id"] == "ScriptSite")
    assert script == {
        "id": "ScriptSite",
        "name": "Script Site",
        "version": "aaaa111",
        "date": "2024-01-01 10:00:00",
        "path": "ScriptSite.zip",
        "sha256": index.entries["ScriptSite"]["sha256"],
        "requires": ["py_common"],
        "isLibrary": False,
        "installed": False,
        "installedVersion": None,
        "updateAvailable": False,
        "enabled": None,
    }
    assert next(e for e in data["items"] if e["id"] == "py_common")["isLibrary"] is True
    assert data["indexUrl"] == str(index.index_file)

    by_name = _ok(client.get("/api/scrapers/index?q=SCRIPT%20s"))
    assert [e["id"] for e in by_name["items"]] == ["ScriptSite"]
    by_id = _ok(client.get("/api/scrapers/index?q=py_c"))
    assert [e["id"] for e in by_id["items"]] == ["py_common"]
    assert _ok(client.get("/api/scrapers/index?q=nothing-like-it"))["total"] == 0
    paged = _ok(client.get("/api/scrapers/index?perPage=2&page=2"))
    assert paged["total"] == 3 and [e["id"] for e in paged["items"]] == ["ScriptSite"]


def test_index_is_cached_until_forced(client, index: IndexDir) -> None:
    assert _ok(client.get("/api/scrapers/index"))["total"] == 3
    index.add("Another", {"Another.yml": xpath_scraper_yml("Another")})
    assert _ok(client.get("/api/scrapers/index"))["total"] == 3  # the cache answers
    assert _ok(client.get("/api/scrapers/index?force=true"))["total"] == 4
    assert _ok(client.get("/api/scrapers/index"))["total"] == 4


def test_index_location_may_be_a_folder_or_a_file_url(client, index: IndexDir, monkeypatch) -> None:
    monkeypatch.setenv(ENV, str(index.root))
    assert _ok(client.get("/api/scrapers/index"))["total"] == 3
    monkeypatch.setenv(ENV, index.index_file.as_uri())
    data = _ok(client.get("/api/scrapers/index"))
    assert data["total"] == 3 and data["indexUrl"] == str(index.index_file)
    _ok(_install(client, "ExampleSite"), 201)


def test_index_and_install_over_http(client, served_index: str, scrapers_dir: Path) -> None:
    data = _ok(client.get("/api/scrapers/index"))
    assert data["total"] == 3 and data["indexUrl"] == served_index + "/index.yml"
    out = _ok(_install(client, "ScriptSite"), 201)
    assert out["installed"] == ["py_common", "ScriptSite"]
    assert out["package"]["sourceIndex"] == served_index + "/"
    assert (scrapers_dir / "ScriptSite" / "script_site.py").read_text() == SCRIPT_SCRAPER_PY


def test_unreachable_or_malformed_index_is_a_clear_error(client, tmp_path: Path, monkeypatch) -> None:
    with http_server(tmp_path) as base:  # serves an empty folder: index.yml is a 404
        monkeypatch.setenv(ENV, base + "/index.yml")
        err = _err(client.get("/api/scrapers/index"), 502, "index_unavailable")
        assert "HTTP 404" in err["message"]
    # nothing listens there any more
    err = _err(client.get("/api/scrapers/index?force=true"), 502, "index_unavailable")
    assert "could not be reached" in err["message"]

    monkeypatch.setenv(ENV, str(tmp_path / "missing" / "index.yml"))
    assert "does not exist" in _err(client.get("/api/scrapers/index"), 502, "index_unavailable")["message"]

    bad = tmp_path / "bad.yml"
    bad.write_text("id: [unclosed\n")
    monkeypatch.setenv(ENV, str(bad))
    assert "not valid YAML" in _err(client.get("/api/scrapers/index"), 502, "index_invalid")["message"]
    bad.write_text("just: a mapping\n")
    _err(client.get("/api/scrapers/index?force=1"), 502, "index_invalid")

    monkeypatch.setenv(ENV, "ftp://example.test/index.yml")
    _err(client.get("/api/scrapers/index"), 502, "index_unavailable")
    _err(_install(client, "ExampleSite"), 502, "index_unavailable")


# ------------------------------------------------------------------------------------------ install


def test_install_brings_its_requirements_along(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    out = _ok(_install(client, "ScriptSite"), 201)
    assert out["installed"] == ["py_common", "ScriptSite"]
    package = out["package"]
    assert package["id"] == "ScriptSite" and package["name"] == "Script Site"
    assert package["version"] == "aaaa111" and package["date"] == "2024-01-01 10:00:00"
    assert package["installPath"] == "scrapers/ScriptSite"
    assert package["sha256"] == index.entries["ScriptSite"]["sha256"]
    assert package["requires"] == ["py_common"]
    assert package["enabled"] is True and package["isNsfw"] is True and package["isLibrary"] is False
    assert package["sourceIndex"] == str(index.index_file)
    assert package["capabilities"]["sceneByName"] is True
    assert package["capabilities"]["sceneByURL"] is False
    assert set(package["actions"]) == {"sceneByName", "sceneByQueryFragment", "performerByName"}
    assert package["kinds"] == ["scene", "performer"]

    assert (scrapers_dir / "ScriptSite" / "ScriptSite.yml").read_text() == SCRIPT_SCRAPER_YML
    assert (scrapers_dir / "py_common" / "log.py").is_file()
    assert _leftovers(scrapers_dir) == ["ScriptSite", "py_common"]

    listed = _ok(client.get("/api/scrapers/packages"))
    assert [p["id"] for p in listed] == ["ScriptSite", "py_common"]  # scrapers, then libraries
    lib = listed[1]
    assert lib["isLibrary"] is True and lib["capabilities"] == {} and lib["kinds"] == []
    rows = _rows(runtime)
    assert rows["py_common"].scraper_file is None and rows["ScriptSite"].scraper_file == "ScriptSite.yml"

    index_view = _ok(client.get("/api/scrapers/index"))["items"]
    installed = {e["id"]: e["installed"] for e in index_view}
    assert installed == {"ExampleSite": False, "py_common": True, "ScriptSite": True}

    # installing again is a reinstall; py_common is not fetched again
    again = _ok(_install(client, "ScriptSite"), 201)
    assert again["installed"] == ["ScriptSite"]


def test_install_from_a_zip_url_relative_to_the_index(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    data = make_zip({"Custom.yml": xpath_scraper_yml("Custom Site")})
    (index.root / "builds").mkdir()
    (index.root / "builds" / "custom.zip").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    out = _ok(_install(client, "Custom", zipUrl="builds/custom.zip", sha256=digest.upper()), 201)
    assert out["package"]["name"] == "Custom Site" and out["package"]["sourceIndex"] == "local"
    assert out["package"]["version"] is None
    assert (scrapers_dir / "Custom" / "Custom.yml").is_file()
    # the index gets a package of that id: a zip of one's own is not "updated" from it
    index.add("Custom", {"Custom.yml": xpath_scraper_yml("Index Custom")}, version="zzzz999", date="2030-01-01")
    entry = next(e for e in _ok(client.get("/api/scrapers/index?force=true"))["items"] if e["id"] == "Custom")
    assert entry["installed"] is True and entry["updateAvailable"] is False
    assert _ok(client.post("/api/scrapers/packages/update-all", json={}))["updated"] == []

    outside = index.root.parent / "outside.zip"
    outside.write_bytes(data)
    err = _err(_install(client, "Outside", zipUrl=str(outside)), 400, "invalid_zip_url")
    assert "outside" in err["message"]
    _err(_install(client, "Outside", zipUrl="../outside.zip"), 400, "invalid_zip_url")
    assert "Outside" not in _rows(runtime)


def test_unknown_package_and_missing_zip(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    _err(_install(client, "NoSuchScraper"), 404, "unknown_package")
    (index.root / "ExampleSite.zip").unlink()
    err = _err(_install(client, "ExampleSite"), 400, "download_failed")
    assert "does not exist" in err["message"]
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []


def test_sha256_mismatch_installs_nothing(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    wrong = "0" * 64
    actual = index.add("Tampered", {"Tampered.yml": xpath_scraper_yml("Tampered")}, sha256=wrong)
    err = _err(_install(client, "Tampered"), 400, "sha256_mismatch")
    assert wrong in err["message"] and actual in err["message"]
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []

    # a digest given in the request wins over the index's, and is checked the same way
    err = _err(_install(client, "ExampleSite", sha256="ab" * 32), 400, "sha256_mismatch")
    assert "ab" * 32 in err["message"] and index.entries["ExampleSite"]["sha256"] in err["message"]
    _err(_install(client, "ExampleSite", sha256="not-a-digest"), 400, "validation_error")
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []


@pytest.mark.parametrize(
    ("files", "symlinks", "what"),
    [
        ({"Evil.yml": "name: Evil\n", "../escaped.txt": "gotcha"}, {}, "leaving its folder"),
        ({"Evil.yml": "name: Evil\n", "sub/../../escaped.txt": "gotcha"}, {}, "leaving its folder"),
        ({"Evil.yml": "name: Evil\n", "/tmp/obscura-scraper-escaped.txt": "gotcha"}, {}, "absolute path"),
        ({"Evil.yml": "name: Evil\n"}, {"link": "/etc/passwd"}, "symbolic link"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink"],
)
def test_unsafe_zips_install_nothing(
    client, runtime, index: IndexDir, scrapers_dir: Path, tmp_path: Path, files, symlinks, what
) -> None:
    index.add("Evil", zip_bytes=make_zip(files, symlinks))
    err = _err(_install(client, "Evil"), 400, "unsafe_archive")
    assert what in err["message"]
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []
    assert not (scrapers_dir.parent / "escaped.txt").exists()
    assert not Path("/tmp/obscura-scraper-escaped.txt").exists()


def test_a_file_that_is_not_a_zip_is_refused(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    index.add("NotZip", zip_bytes=b"PK but not really a zip file")
    _err(_install(client, "NotZip"), 400, "invalid_archive")
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []


@pytest.mark.parametrize("bad_id", ["a/b", "a\\b", "..", "../etc", "x..y", "with space", ".hidden", "é"])
def test_bad_package_ids_are_refused(client, runtime, index: IndexDir, bad_id: str) -> None:
    err = _err(_install(client, bad_id), 400, "invalid_package_id")
    assert "package id" in err["message"]
    assert _rows(runtime) == {}


def test_bad_scraper_yaml_names_file_and_key(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    broken = "name: Broken\nsceneByName:\n  action: script\n  script: [python, x.py]\nbogusKey: 1\n"
    index.add("Broken", {"Broken.yml": broken})
    err = _err(_install(client, "Broken"), 400, "invalid_scraper")
    assert "Broken/Broken.yml" in err["message"] and "bogusKey" in err["message"]
    index.add("Unparsable", {"Unparsable.yml": "name: [unclosed\n"})
    err = _err(_install(client, "Unparsable"), 400, "invalid_scraper")
    assert "Unparsable/Unparsable.yml" in err["message"]
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []


# ------------------------------------------------------------------------------------------- update


def test_update_replaces_the_old_version(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    index.add("Site", {"Site.yml": xpath_scraper_yml("Site v1"), "old_helper.py": "x = 1\n"}, version="v1")
    _ok(_install(client, "Site"), 201)
    (scrapers_dir / "Site" / "config.ini").write_text("[user]\nkey = secret\n")  # the user's own file

    index.add(
        "Site", {"Site.yml": xpath_scraper_yml("Site v2"), "new_helper.py": "y = 2\n"}, version="v2",
        date="2024-02-01 10:00:00",
    )  # fmt: skip
    listed = _ok(client.get("/api/scrapers/packages"))
    assert listed[0]["updateAvailable"] is False  # the cached index does not know v2 yet
    entry = next(e for e in _ok(client.get("/api/scrapers/index?force=true"))["items"] if e["id"] == "Site")
    assert entry["updateAvailable"] is True and entry["installedVersion"] == "v1"
    listed = _ok(client.get("/api/scrapers/packages"))
    assert listed[0]["updateAvailable"] is True and listed[0]["availableVersion"] == "v2"

    _ok(client.patch("/api/scrapers/packages/Site", json={"enabled": False}))
    out = _ok(_install(client, "Site"), 201)["package"]
    assert out["version"] == "v2" and out["name"] == "Site" and out["updateAvailable"] is False
    assert out["enabled"] is False  # an update keeps the user's choice
    folder = scrapers_dir / "Site"
    assert "Site v2" in (folder / "Site.yml").read_text()
    assert (folder / "new_helper.py").is_file() and not (folder / "old_helper.py").exists()
    assert (folder / "config.ini").read_text() == "[user]\nkey = secret\n"
    assert _leftovers(scrapers_dir) == ["Site"]

    # a broken new version leaves the installed one untouched
    index.add("Site", {"Site.yml": "name: Site v3\nnotAKey: 1\n"}, version="v3", date="2024-03-01 10:00:00")
    _err(_install(client, "Site"), 400, "invalid_scraper")
    assert "Site v2" in (folder / "Site.yml").read_text() and _rows(runtime)["Site"].version == "v2"
    assert _leftovers(scrapers_dir) == ["Site"]


def test_update_all(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    _ok(_install(client, "ScriptSite"), 201)
    _ok(_install(client, "ExampleSite"), 201)
    nothing = _ok(client.post("/api/scrapers/packages/update-all", json={}))
    assert nothing == {"updated": [], "failed": [], "checked": 3}

    index.add("py_common", {**{"__init__.py": "", "log.py": "def info(m):\n    pass\n"}, "extra.py": ""},
              version="bbbb222", date="2024-05-01 00:00:00")  # fmt: skip
    index.add("ExampleSite", {"ExampleSite.yml": xpath_scraper_yml("Example Site")}, version="cccc333",
              date="2024-05-01 00:00:00", sha256="f" * 64)  # fmt: skip
    index.add("ScriptSite", {"ScriptSite.yml": SCRIPT_SCRAPER_YML, "script_site.py": SCRIPT_SCRAPER_PY},
              version="older00", date="2023-01-01 00:00:00", requires=["py_common"])  # fmt: skip
    _ok(client.get("/api/scrapers/index?force=true"))
    out = _ok(client.post("/api/scrapers/packages/update-all", json={}))
    assert out["updated"] == [{"id": "py_common", "fromVersion": "aaaa111", "toVersion": "bbbb222"}]
    assert [(f["id"], f["code"]) for f in out["failed"]] == [("ExampleSite", "sha256_mismatch")]
    rows = _rows(runtime)
    assert rows["py_common"].version == "bbbb222" and (scrapers_dir / "py_common" / "extra.py").is_file()
    assert rows["ExampleSite"].version == "aaaa111"
    assert rows["ScriptSite"].version == "aaaa111"  # the index's is older: not an update


# ----------------------------------------------------------------------------- enable, uninstall


def test_enable_disable(client, runtime, index: IndexDir) -> None:
    _ok(_install(client, "ExampleSite"), 201)
    out = _ok(client.patch("/api/scrapers/packages/ExampleSite", json={"enabled": False}))
    assert out["enabled"] is False
    assert _rows(runtime)["ExampleSite"].enabled is False
    entry = next(e for e in _ok(client.get("/api/scrapers/index"))["items"] if e["id"] == "ExampleSite")
    assert entry["enabled"] is False
    out = _ok(client.patch("/api/scrapers/packages/ExampleSite", json={"enabled": True, "isNsfw": False}))
    assert out["enabled"] is True and out["isNsfw"] is False
    _err(client.patch("/api/scrapers/packages/ExampleSite", json={}), 400, "validation_error")
    _err(client.patch("/api/scrapers/packages/ExampleSite", json={"enabled": "maybe"}), 400)
    _err(client.patch("/api/scrapers/packages/Nope", json={"enabled": True}), 404, "package_not_found")
    _err(client.patch("/api/scrapers/packages/" + "x" * 300, json={"enabled": True}), 404)


def test_uninstall(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    _ok(_install(client, "ScriptSite"), 201)
    err = _err(client.delete("/api/scrapers/packages/py_common", json={}), 409, "package_required")
    assert "ScriptSite" in err["message"]
    assert _ok(client.delete("/api/scrapers/packages/ScriptSite", json={})) == {"deleted": "ScriptSite"}
    assert not (scrapers_dir / "ScriptSite").exists() and "ScriptSite" not in _rows(runtime)
    _ok(client.delete("/api/scrapers/packages/py_common", json={}))
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []
    _err(client.delete("/api/scrapers/packages/ScriptSite", json={}), 404, "package_not_found")
    _err(client.delete("/api/scrapers/packages/..%2F..%2Fetc", json={}), 404)


def test_mutations_need_json(client, index: IndexDir) -> None:
    resp = client.post("/api/scrapers/packages", data="packageId=ExampleSite",
                       content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert resp.status_code in (400, 415) and resp.get_json()["ok"] is False


# ---------------------------------------------------------------------------------------- page


def test_page_and_fragments(client, index: IndexDir, monkeypatch, tmp_path: Path) -> None:
    page = client.get("/scrapers")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Scrapers</h1>" in html and "No scrapers installed yet" in html
    assert 'href="/scrapers"' in html  # the nav entry

    available = client.get("/scrapers/available?q=script").get_data(as_text=True)
    assert 'data-entry="ScriptSite"' in available and 'data-entry="ExampleSite"' not in available
    assert 'data-install="ScriptSite"' in available

    _ok(_install(client, "ScriptSite"), 201)
    installed = client.get("/scrapers/installed").get_data(as_text=True)
    assert 'data-package="ScriptSite"' in installed and 'data-toggle-enabled="ScriptSite"' in installed
    assert 'data-package="py_common"' in installed and 'data-toggle-enabled="py_common"' not in installed
    available = client.get("/scrapers/available?page=abc").get_data(as_text=True)
    assert "data-installed-badge" in available

    monkeypatch.setenv(ENV, str(tmp_path / "nowhere"))
    broken = client.get("/scrapers/available")
    assert broken.status_code == 200 and "data-index-error" in broken.get_data(as_text=True)


def test_a_missing_requirement_installs_nothing(client, runtime, index: IndexDir, scrapers_dir: Path) -> None:
    index.add("Needy", {"Needy.yml": "name: Needy\n# requires: Missing\n" + SCRIPT_SCRAPER_YML.split("\n", 2)[2]})
    err = _err(_install(client, "Needy"), 400, "unknown_package")
    assert "Needy requires Missing" in err["message"]
    assert _rows(runtime) == {} and _leftovers(scrapers_dir) == []


def test_a_zip_url_works_without_a_readable_index(client, runtime, index: IndexDir, monkeypatch) -> None:
    data = make_zip({"Solo.yml": xpath_scraper_yml("Solo")})
    inside = Path(runtime.settings.data_dir) / "uploads" / "solo.zip"
    inside.parent.mkdir(parents=True)
    inside.write_bytes(data)
    monkeypatch.setenv(ENV, "ftp://example.test/index.yml")
    _err(_install(client, "Solo", zipUrl="solo.zip"), 400, "invalid_zip_url")
    out = _ok(_install(client, "Solo", zipUrl=inside.as_uri()), 201)
    assert out["package"]["name"] == "Solo" and out["package"]["sourceIndex"] == "local"
    assert out["package"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_routes_are_in_the_openapi_document(client) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/scrapers/index", "/api/scrapers/packages", "/api/scrapers/packages/update-all"):
        assert path in paths, sorted(paths)
    assert {"patch", "delete"} <= set(paths["/api/scrapers/packages/{package_id}"])
