"""Settings → Import as the server renders it: the section with its module, the form, the file
dialog, and the latest runs as JSON for the page module (its first state)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.integration.stash_import.conftest import StashLibrary

pytestmark = pytest.mark.integration

INITIAL = re.compile(r'<script type="application/json" data-stash-import-initial>(.*?)</script>', re.S)


def _section(client: Any) -> tuple[str, dict[str, Any]]:
    resp = client.get("/settings")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    found = INITIAL.search(html)
    assert found, "the section's first state is in the page"
    return html, json.loads(found.group(1))


def test_the_section_renders_with_its_module_and_no_runs(client) -> None:
    html, initial = _section(client)
    assert 'id="section-import"' in html
    assert 'data-section-module="/static/stash_import/section.js"' in html
    assert 'id="si-path"' in html and 'id="si-browse-dialog"' in html and 'id="si-create-roots"' in html
    assert initial == {"runs": []}
    assert client.get("/static/stash_import/section.js").status_code == 200
    assert client.get("/static/stash_import/section.css").status_code == 200


def test_the_section_starts_with_the_latest_run(client, stash: StashLibrary) -> None:
    body = {"path": str(stash.db_path), "pathMap": stash.path_map, "dryRun": True, "createRoots": False}
    assert client.post("/api/imports/stash", json=body).status_code == 202
    _, initial = _section(client)
    (run,) = initial["runs"]
    assert run["status"] == "waiting"
    assert run["payload"]["path"] == str(stash.db_path)
    assert run["payload"]["pathMap"] == stash.path_map
    assert (run["payload"]["dryRun"], run["payload"]["createRoots"]) == (True, False)
