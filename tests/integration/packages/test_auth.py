"""A package's credentials: stored encrypted (never as plaintext), reported set or missing (never
sent back), only the manifest's keys, and missing again once ``OBSCURA_SECRET`` changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from plugin_sdk.secrets import decrypt
from plugins_builtin.packages import auth, install
from plugins_builtin.packages.models import PluginAuth
from tests.fixtures.plugin_packages.index_server import PLUGINS
from tests.integration.packages.conftest import SECRET, error, ok

KEY = "tmdb-v3-key-0123456789"


def _stored(runtime: Any, plugin_id: str) -> dict[str, str]:
    with runtime.session() as db:
        rows = db.execute(select(PluginAuth).where(PluginAuth.plugin_id == plugin_id)).scalars().all()
        return {r.auth_key: r.encrypted_value for r in rows}


@pytest.fixture
def tmdb(client: Any, served: str) -> dict[str, Any]:
    return ok(client.post("/api/plugins/packages", json={"pluginId": "tmdb"}), 201)


def test_a_credential_round_trips_encrypted(client, runtime, tmdb, installed) -> None:
    assert tmdb["authStatus"] == "missing"
    package = ok(client.put("/api/plugins/packages/tmdb/auth/TMDB_API_KEY", json={"value": KEY}))
    assert package["authStatus"] == "ok"
    stored = _stored(runtime, "tmdb")["TMDB_API_KEY"]
    assert KEY not in stored and len(stored.split(":")) == 4  # salt:iv:ciphertext:tag
    assert decrypt(stored, secret=SECRET) == KEY

    fields = ok(client.get("/api/plugins/packages/tmdb/auth"))
    assert fields == [
        {
            "key": "TMDB_API_KEY",
            "label": "TMDB API Key (v3 auth)",
            "required": True,
            "url": "https://www.themoviedb.org/settings/api",
            "status": "set",
        }
    ]
    listed = installed()["tmdb"]
    assert listed["authStatus"] == "ok" and listed["authFields"][0]["status"] == "set"
    assert KEY not in client.get("/api/plugins/packages").get_data(as_text=True)
    with runtime.session() as db:
        assert auth.values(db, "tmdb") == {"TMDB_API_KEY": KEY}

    ok(client.put("/api/plugins/packages/tmdb/auth/TMDB_API_KEY", json={"value": "second"}))
    with runtime.session() as db:
        assert auth.values(db, "tmdb") == {"TMDB_API_KEY": "second"}
    assert len(_stored(runtime, "tmdb")) == 1

    cleared = ok(client.put("/api/plugins/packages/tmdb/auth/TMDB_API_KEY", json={"value": ""}))
    assert cleared["authStatus"] == "missing" and _stored(runtime, "tmdb") == {}


def test_only_the_manifests_keys_are_accepted(client, tmdb) -> None:
    err = error(client.put("/api/plugins/packages/tmdb/auth/OTHER_KEY", json={"value": "x"}), 400)
    assert err["code"] == "unknown_auth_key" and "TMDB_API_KEY" in err["message"]
    assert error(client.put("/api/plugins/packages/nope/auth/KEY", json={"value": "x"}), 404)["code"] == (
        "plugin_not_found"
    )
    assert error(client.get("/api/plugins/packages/nope/auth"), 404)["code"] == "plugin_not_found"
    assert error(client.put("/api/plugins/packages/tmdb/auth/TMDB_API_KEY", json={"value": 5}), 400)


def test_a_changed_secret_makes_credentials_missing(client, runtime, tmdb, monkeypatch) -> None:
    ok(client.put("/api/plugins/packages/tmdb/auth/TMDB_API_KEY", json={"value": KEY}))
    monkeypatch.setattr(runtime, "settings", runtime.settings.with_overrides(secret="a-rotated-secret"))
    listed = {p["id"]: p for p in ok(client.get("/api/plugins/packages"))}
    assert listed["tmdb"]["authStatus"] == "missing"
    assert ok(client.get("/api/plugins/packages/tmdb/auth"))[0]["status"] == "missing"
    with runtime.session() as db:
        assert auth.values(db, "tmdb") == {}  # never garbage
    ok(client.put("/api/plugins/packages/tmdb/auth/TMDB_API_KEY", json={"value": "new"}))
    with runtime.session() as db:
        assert auth.values(db, "tmdb") == {"TMDB_API_KEY": "new"}


def test_every_required_key_must_be_set(client, runtime, tmp_path, served) -> None:
    ok(client.post("/api/plugins/packages", json={"localPath": str(PLUGINS / "install-basic")}), 201)
    base = "/api/plugins/packages/install-basic/auth"
    assert [f["required"] for f in ok(client.get(base))] == [True, False]
    assert ok(client.put(f"{base}/REGION", json={"value": "eu"}))["authStatus"] == "missing"
    assert ok(client.put(f"{base}/API_TOKEN", json={"value": "t"}))["authStatus"] == "ok"
    assert ok(client.put(f"{base}/REGION", json={"value": None}))["authStatus"] == "ok"  # optional

    ok(client.post("/api/plugins/packages", json={"pluginId": "mangadex"}), 201)
    for key in ("MANGADEX_CLIENT_ID", "MANGADEX_CLIENT_SECRET", "MANGADEX_USERNAME"):
        assert (
            ok(client.put(f"/api/plugins/packages/mangadex/auth/{key}", json={"value": key.lower()}))["authStatus"]
            == "missing"
        )
    done = ok(client.put("/api/plugins/packages/mangadex/auth/MANGADEX_PASSWORD", json={"value": "pw"}))
    assert done["authStatus"] == "ok"
    with runtime.session() as db:
        row, manifest = install.runnable(db, "mangadex")
        assert auth.status(db, row, manifest) == "ok" and len(auth.values(db, "mangadex")) == 4
        assert [f["status"] for f in auth.fields(db, row, manifest)] == ["set"] * 4
