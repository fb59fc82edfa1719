"""Fixtures of the StashBox tests: the app with videos, taxonomy, metadata and stashbox, a fake
stash-box on loopback, an endpoint configured for it, and fingerprinted videos."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fixtures.stashbox.server import FakeStashBox

SECRET = "stashbox-test-secret"
KEY = "good-key"


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("videos", "taxonomy", "metadata", "stashbox"), "load_entrypoints": False,
            "secret": SECRET}  # fmt: skip


@pytest.fixture
def box() -> Iterator[FakeStashBox]:
    with FakeStashBox(api_key=KEY) as server:
        yield server


def ok(res: Any, status: int = 200) -> Any:
    """The ``data`` of a successful answer."""
    assert res.status_code == status, res.get_json()
    return res.get_json()["data"]


def error(res: Any, status: int) -> dict[str, Any]:
    """The ``error`` of a failed answer (the envelope's)."""
    assert res.status_code == status, res.get_json()
    body = res.get_json()
    assert body["ok"] is False
    return body["error"]


@pytest.fixture
def make_endpoint(client: Any, box: FakeStashBox) -> Callable[..., dict[str, Any]]:
    """``make_endpoint(**fields)``: an endpoint for the fake server, through the API."""

    def make(**fields: Any) -> dict[str, Any]:
        body = {"name": "Fake box", "endpoint": box.url, "apiKey": KEY, "maxRequestsPerMinute": 6000, **fields}
        return ok(client.post("/api/stashbox-endpoints", json=body), 201)

    return make


@pytest.fixture
def endpoint(make_endpoint: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return make_endpoint()


def oshash(n: int) -> str:
    return f"{0xA000000000000000 + n:016x}"


def phash(n: int) -> str:
    """A 16-digit pHash whose Stash form (no zero padding) is shorter: it starts with zeros."""
    return f"{0x0000F00000000000 + n:016x}"


def md5(n: int) -> str:
    return f"{n:032x}"


@pytest.fixture
def videos(runtime: Any) -> Callable[..., list[str]]:
    """``videos(titles, fingerprinted=True)``: video rows with an oshash, pHash, MD5 and duration
    each (``oshash(i)``… for the i-th)."""
    from plugins_builtin.videos.models import Video
    from tests.integration.taxonomy import rows

    root = rows.root(runtime)

    def make(titles: list[str], fingerprinted: bool = True, start: int = 0) -> list[str]:
        ids = rows.videos(runtime, root, titles)
        if fingerprinted:
            with runtime.session() as db:
                for i, video_id in enumerate(ids, start):
                    video = db.get(Video, video_id)
                    video.oshash, video.phash, video.md5, video.duration = oshash(i), phash(i), md5(i), 1800.7
                db.commit()
        return ids

    return make
