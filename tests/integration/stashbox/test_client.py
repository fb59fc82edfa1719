"""The GraphQL client against the fake stash-box: the documents Stash sends (the server validates
them against the schema), the ``ApiKey`` header, groups of at most 40 scenes, retries of 429 and
5xx, timeouts and the server's own error messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plugins_builtin.stashbox.client import (
    BadApiKey,
    EndpointConfig,
    StashBoxClient,
    StashBoxError,
    Unreachable,
    _retry_after,
)
from plugins_builtin.stashbox.queries import OPERATIONS, document
from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import KEY

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[FakeStashBox]:
    with FakeStashBox(api_key=KEY) as box:
        studio = box.add_studio("Moon", parent=box.add_studio("Sun"))
        performer = box.add_performer("Jane Roe")
        box.add_tag("Outdoor")
        box.add_scene("Night and Day", fingerprints=[("OSHASH", "a000000000000001", 1800)], studio=studio,
                      performers=[performer])  # fmt: skip
        yield box


@pytest.fixture
def box(server: FakeStashBox) -> FakeStashBox:
    server.clear()
    server.html = server.not_graphql = server.other_schema = False
    server.delay = 0.0
    return server


class Sleeps(list):
    """A fake ``sleep`` recording what it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(box: FakeStashBox, key: str | None = KEY, **options: object) -> StashBoxClient:
    return StashBoxClient(EndpointConfig("e1", "Fake box", box.url, key), **options)  # type: ignore[arg-type]


def test_every_operation_is_a_valid_document_sent_with_the_api_key(box: FakeStashBox) -> None:
    client = _client(box)
    scene = next(iter(box.scenes.values()))
    performer = next(iter(box.performers.values()))
    assert client.me() == "tester"
    assert client.find_scene(scene["id"])["title"] == "Night and Day"
    assert [s["id"] for s in client.search_scene("night")] == [scene["id"]]
    assert client.find_performer(performer["id"])["name"] == "Jane Roe"
    assert [p["name"] for p in client.search_performer("jane")] == ["Jane Roe"]
    assert client.find_studio(name="moon")["parent"] == {"name": "Sun", "id": scene["studio"]["parent"]["id"]}
    assert client.find_studio(studio_id=scene["studio"]["id"])["name"] == "Moon"
    assert client.find_tag(name="outdoor")["name"] == "Outdoor"
    assert [t["name"] for t in client.query_tags("out")] == ["Outdoor"]
    assert client.find_scenes_by_fingerprints([[{"hash": "a000000000000001", "algorithm": "OSHASH"}]])[0][0][
        "id"] == scene["id"]  # fmt: skip
    calls = box.calls()
    assert {c.operation for c in calls} == {o for o, text in OPERATIONS.items() if text.startswith("query")}, (
        "the mutations are sent in test_submissions"
    )
    for call in calls:
        assert call.headers["apikey"] == KEY
        assert call.headers["content-type"] == "application/json"
        assert call.query == document(call.operation)
    queries = {c.operation: c.variables for c in calls}
    assert queries["QueryTags"] == {"input": {"name": "out", "page": 1, "per_page": 25, "sort": "NAME",
                                              "direction": "ASC"}}  # fmt: skip
    assert queries["FindStudio"] == {"id": scene["studio"]["id"], "name": None}


def test_the_documents_are_stashs(box: FakeStashBox) -> None:
    """Byte for byte the operations of Stash's ``graphql/stash-box/query.graphql`` (compacted),
    each with exactly the fragments it uses."""
    assert document("FindScenesBySceneFingerprints").split("\n") == [
        "query FindScenesBySceneFingerprints($fingerprints: [[FingerprintQueryInput!]!]!) "
        "{ findScenesBySceneFingerprints(fingerprints: $fingerprints) { ...SceneFragment } }",
        "fragment SceneFragment on Scene { id title code details director duration date urls { ...URLFragment } "
        "images { ...ImageFragment } studio { ...StudioFragment } tags { ...TagFragment } "
        "performers { ...PerformerAppearanceFragment } fingerprints { ...FingerprintFragment } }",
        "fragment URLFragment on URL { url type }",
        "fragment ImageFragment on Image { id url width height }",
        "fragment StudioFragment on Studio { name id aliases urls { ...URLFragment } parent { name id } "
        "images { ...ImageFragment } }",
        "fragment TagFragment on Tag { name id }",
        "fragment PerformerAppearanceFragment on PerformerAppearance { as performer { ...PerformerFragment } }",
        "fragment FingerprintFragment on Fingerprint { algorithm hash duration }",
        "fragment PerformerFragment on Performer { id name disambiguation aliases gender merged_ids deleted "
        "merged_into_id urls { ...URLFragment } images { ...ImageFragment } birth_date death_date ethnicity "
        "country eye_color hair_color height measurements { ...MeasurementsFragment } breast_type "
        "career_start_year career_end_year tattoos { ...BodyModificationFragment } "
        "piercings { ...BodyModificationFragment } }",
        "fragment MeasurementsFragment on Measurements { band_size cup_size waist hip }",
        "fragment BodyModificationFragment on BodyModification { location description }",
    ]
    assert document("Me") == "query Me { me { name } }"


def test_fingerprint_groups_go_40_at_a_time_and_come_back_in_order(box: FakeStashBox) -> None:
    scene = next(iter(box.scenes.values()))
    groups: list[list[dict[str, str]]] = []
    for i in range(95):
        if i % 19 == 7:
            groups.append([])  # a video without fingerprints is not sent
        elif i % 10 == 3:
            groups.append([{"hash": "a000000000000001", "algorithm": "OSHASH"}])
        else:
            groups.append([{"hash": f"{i:016x}", "algorithm": "OSHASH"}, {"hash": f"{i:x}", "algorithm": "PHASH"}])
    found = _client(box).find_scenes_by_fingerprints(groups)
    assert len(found) == 95
    assert [i for i, scenes in enumerate(found) if scenes] == [i for i in range(95) if i % 10 == 3 and i % 19 != 7]
    assert all(s[0]["id"] == scene["id"] for s in found if s)
    sizes = [len(c.variables["fingerprints"]) for c in box.calls("FindScenesBySceneFingerprints")]
    assert sizes == [40, 40, 10] and sum(sizes) == 95 - 5
    sent = [group for c in box.calls("FindScenesBySceneFingerprints") for group in c.variables["fingerprints"]]
    assert sent == [g for g in groups if g]


def test_a_429_is_retried_after_retry_after(box: FakeStashBox) -> None:
    box.fail_next(429, {"Retry-After": "2"}, b"slow down")
    sleeps = Sleeps()
    assert _client(box, sleep=sleeps).me() == "tester"
    assert sleeps == [2.0] and len(box.calls("Me")) == 2


def test_5xx_is_retried_with_backoff_and_then_reported(box: FakeStashBox) -> None:
    box.fail_next(500)
    box.fail_next(502)
    sleeps = Sleeps()
    assert _client(box, sleep=sleeps, backoff_s=0.5).me() == "tester"
    assert sleeps == [0.5, 1.0] and len(box.calls("Me")) == 3

    box.clear()
    for _ in range(4):
        box.fail_next(503, {"Content-Type": "text/html"}, b"<html>busy</html>")
    with pytest.raises(StashBoxError) as caught:
        _client(box, sleep=Sleeps()).me()
    assert caught.value.status == 502 and caught.value.code == "stashbox_unavailable"
    assert "HTTP 503" in caught.value.message and "4 attempt" in caught.value.message
    assert len(box.calls("Me")) == 4


def test_a_slow_server_is_unreachable_not_a_hang(box: FakeStashBox) -> None:
    box.delay = 1.0
    with pytest.raises(Unreachable) as caught:
        _client(box, timeout=0.2).me()
    assert caught.value.status == 502 and "did not answer within 0.2 seconds" in caught.value.message


def test_graphql_errors_carry_the_servers_message(box: FakeStashBox) -> None:
    too_many = [[{"hash": f"{i:016x}", "algorithm": "OSHASH"}] for i in range(41)]
    with pytest.raises(StashBoxError) as caught:
        _client(box).execute("FindScenesBySceneFingerprints", {"fingerprints": too_many})
    assert caught.value.code == "graphql_error"
    assert caught.value.message == "Fake box answered with an error: too many scenes"
    with pytest.raises(BadApiKey, match="needs an API key: not authorized"):
        _client(box, key=None).me()


def test_retry_after_takes_seconds_or_a_date() -> None:
    assert _retry_after("3") == 3.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after("soon") is None and _retry_after(None) is None


def test_an_oversized_answer_is_refused(box: FakeStashBox, monkeypatch: pytest.MonkeyPatch) -> None:
    from plugins_builtin.stashbox import client as client_module

    monkeypatch.setattr(client_module, "MAX_ANSWER_BYTES", 10)
    with pytest.raises(StashBoxError, match="more than a stash-box answer can be") as caught:
        _client(box).me()
    assert caught.value.code == "not_graphql"
