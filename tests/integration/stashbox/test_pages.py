"""The stashbox plugin's pages: the StashBox section of Settings and its endpoint list (names, URLs,
whether a key is set, the rate — never the key), the Identify page (the enabled endpoints, the library
folders, the chosen videos, the query string preselecting the form), the heads of the review's groups,
the "StashBox" panel of video and performer pages, the nav item, the stylesheet and the modules; and
malformed query strings answered 400, never 500."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from tests.fixtures.stashbox.server import FakeStashBox
from tests.integration.stashbox.conftest import KEY, ok, oshash
from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration

IDENTIFY = "/stashbox/identify"
CONTRIBUTIONS = "/stashbox/contributions"
CONTRIB_LIST = "/stashbox/fragments/contributions"
LIST = "/stashbox/fragments/endpoints"
TARGETS = "/stashbox/fragments/identify-targets"
PANEL = "/stashbox/fragments/stash-ids"
Make = Callable[..., dict[str, Any]]


def text_of(client: Any, url: str, status: int = 200) -> str:
    resp = client.get(url)
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, f"{url}: {resp.status_code}\n{body[:1500]}"
    assert resp.mimetype == "text/html"
    return body


def data_json(page: str, attribute: str) -> list[Any]:
    """Every JSON value of ``attribute="…"`` in the page."""
    return [json.loads(html.unescape(m)) for m in re.findall(rf'{attribute}="([^"]*)"', page)]


def stored_key(runtime: Any, endpoint_id: str) -> str:
    with runtime.engine.connect() as conn:
        return conn.execute(text("SELECT api_key FROM stashbox_endpoints WHERE id = :id"), {"id": endpoint_id}).scalar()


# ---------------------------------------------------------------------------------------------- Settings


def test_settings_lists_the_endpoints_with_their_state_but_never_the_key(
    client: Any, runtime: Any, box: FakeStashBox, make_endpoint: Make
) -> None:
    good = make_endpoint(name="StashDB", maxRequestsPerMinute=240, excludeTagPatterns=["^4K$", "watermark"])
    keyless = make_endpoint(name="Fans box", endpoint="https://fans.example/graphql", apiKey=None, enabled=False)
    page = text_of(client, "/settings")
    assert 'id="section-stashbox"' in page and 'href="#section-stashbox"' in page
    assert 'data-section-module="/static/stashbox/settings.js"' in page
    assert KEY not in page and stored_key(runtime, good["id"]) not in page

    good_item = re.search(rf'<li class="sb-endpoint" data-endpoint="{good["id"]}".*?</li>', page, re.S).group(0)
    assert "StashDB" in good_item and box.url in good_item
    assert 'data-key-state="set"' in good_item and "Key set" in good_item
    assert "240 requests/min" in good_item and "2 tag patterns left out" in good_item
    for action in ("Test", "Edit", "Delete"):
        assert f'aria-label="{action} StashDB"' in good_item

    other = re.search(rf'<li class="sb-endpoint is-disabled" data-endpoint="{keyless["id"]}".*?</li>', page, re.S)
    assert other, "a disabled endpoint is listed, marked"
    assert 'data-key-state="none"' in other.group(0) and "Disabled" in other.group(0)

    listed = {e["name"]: e for e in data_json(page, "data-endpoint-json")}
    assert listed["StashDB"] == {
        "id": good["id"], "name": "StashDB", "endpoint": box.url, "apiKeySet": True, "maxRequestsPerMinute": 240,
        "excludeTagPatterns": ["^4K$", "watermark"], "enabled": True, "submitMd5": True,
    }  # fmt: skip
    assert listed["Fans box"]["apiKeySet"] is False and listed["Fans box"]["enabled"] is False
    # the add / edit dialog: the key field is a password field that is never filled in
    assert 'name="apiKey" type="password"' in page and "Remove the stored key" in page
    assert 'name="submitMd5"' in page and "Send MD5 too (older servers match it)" in page
    assert 'href="/stashbox/contributions"' in page


def test_an_endpoint_without_md5_says_so(client: Any, make_endpoint: Make) -> None:
    made = make_endpoint(name="No MD5", submitMd5=False)
    listed = text_of(client, LIST)
    assert 'data-md5-state="off"' in listed and "MD5 not sent" in listed
    assert [e["submitMd5"] for e in data_json(listed, "data-endpoint-json") if e["id"] == made["id"]] == [False]


def test_the_list_fragment_is_empty_then_lists_what_was_added(client: Any, make_endpoint: Make) -> None:
    empty = text_of(client, LIST)
    assert "data-no-endpoints" in empty and "No StashBox server yet" in empty
    made = make_endpoint(name="Fake box")
    listed = text_of(client, LIST)
    assert f'data-endpoint="{made["id"]}"' in listed and "Fake box" in listed and KEY not in listed
    assert "<html" not in listed, "a fragment, not a page"


# ---------------------------------------------------------------------------------------------- Identify


def test_the_identify_page_offers_the_enabled_endpoints_and_the_library_folders(
    client: Any, runtime: Any, make_endpoint: Make
) -> None:
    first = make_endpoint(name="Alpha box")
    second = make_endpoint(name="Beta box", endpoint="https://beta.example/graphql")
    off = make_endpoint(name="Gone box", endpoint="https://gone.example/graphql", enabled=False)
    root = rows.root(runtime, "/media/clips")
    page = text_of(client, IDENTIFY)
    assert "<h1>Identify with StashBox</h1>" in page
    assert 'data-page-module="/static/stashbox/identify.js"' in page
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', page)
    assert (first["id"], " selected", "Alpha box") in options and (second["id"], "", "Beta box") in options
    assert f'<option value="{off["id"]}"' not in page, "a disabled endpoint is not offered"
    assert re.search(rf'<option value="{root}" title="/media/clips">taxonomy</option>', page)
    assert re.search(r'name="scope" value="unorganized" checked', page), "not organized yet, by default"
    assert 'value="chosen"' not in page
    assert re.search(r'name="action" id="sb-action-fp" value="findByFingerprint" checked', page)
    assert 'name="autoAccept"' in page and "Accept all single matches" in page
    endpoints = json.loads(html.unescape(re.search(r"<script type=\"application/json\" data-endpoints>(.*?)</script>",
                                                   page, re.S).group(1)))  # fmt: skip
    assert {e["name"] for e in endpoints} == {"Alpha box", "Beta box", "Gone box"}
    assert KEY not in page

    chosen = text_of(client, f"{IDENTIFY}?endpoint={second['id']}&organized=true&rootId={root}&kind=episode")
    assert f'<option value="{second["id"]}" selected>' in chosen
    assert re.search(r'name="scope" value="all" checked', chosen)
    assert re.search(rf'<option value="{root}" title="/media/clips" selected>', chosen)
    assert '<option value="episode" selected>' in chosen
    # an endpoint or folder that is gone: the first endpoint, every folder
    gone = text_of(client, f"{IDENTIFY}?endpoint={off['id']}&rootId=nope")
    assert f'<option value="{first["id"]}" selected>' in gone and "data-root-gone" in gone


def test_the_identify_page_names_the_chosen_videos(
    client: Any, runtime: Any, endpoint: dict[str, Any], videos: Callable[..., list[str]]
) -> None:
    ids = videos(["Evening Walk", "Morning Run"])
    page = html.unescape(text_of(client, f"{IDENTIFY}?ids={ids[0]},{ids[1]},{ids[0]}"))
    assert re.search(r'name="scope" value="chosen" checked', page)
    assert "The 2 chosen videos" in page and "Evening Walk, Morning Run" in page
    assert page.count('name="ids"') == 2
    series = rows.series(runtime, rows.root(runtime, "/media/shows"), "Clip Show")
    in_series = text_of(client, f"{IDENTIFY}?seriesId={series}")
    assert f'name="seriesId" value="{series}"' in in_series and "Clip Show" in in_series


def test_the_identify_page_without_an_endpoint_points_to_settings(client: Any) -> None:
    page = text_of(client, IDENTIFY)
    assert "data-no-endpoint" in page and 'href="/settings#section-stashbox"' in page
    assert "data-identify-form" not in page
    assert "data-review" in page, "results of an endpoint deleted since can still be reviewed"


def test_the_group_heads_describe_the_videos_in_the_order_asked(client: Any, videos: Callable[..., list[str]]) -> None:
    ids = videos(["Evening Walk", "Morning Run"])
    part = text_of(client, f"{TARGETS}?entity=video&ids={ids[1]},missing,{ids[0]}")
    assert "<html" not in part
    assert re.findall(r'data-group="([^"]+)"', part) == [ids[1], "missing", ids[0]]
    assert f'<a href="/videos/{ids[0]}" data-entity-link>Evening Walk</a>' in part
    assert "(not found)" in part
    assert oshash(0) in part and "OSHASH" in part and "30:00" in part, "fingerprints and duration"
    assert f"/media/taxonomy/{ids[0]}.mp4" in part


# ---------------------------------------------------------------------------------------------- the panel


def test_video_and_performer_pages_load_the_stash_id_panel(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Callable[..., list[str]]
) -> None:
    [video_id] = videos(["Evening Walk"])
    video_page = html.unescape(text_of(client, f"/videos/{video_id}"))
    assert f'hx-get="{PANEL}?entity=video&id={video_id}"' in video_page
    performer = ok(client.post("/api/performers", json={"name": "Jane Roe"}), 201)
    performer_page = html.unescape(text_of(client, f"/performers/{performer['id']}"))
    assert f'hx-get="{PANEL}?entity=performer&id={performer["id"]}"' in performer_page

    panel = text_of(client, f"{PANEL}?entity=video&id={video_id}")
    assert '<sb-stash-ids class="sb-stash-panel" data-entity="video"' in panel
    assert 'data-remote-kind="scenes"' in panel
    [endpoints] = data_json(panel, "data-endpoints")
    assert endpoints == [{"id": endpoint["id"], "name": "Fake box", "endpoint": box.url, "site": box.base,
                          "enabled": True}]  # fmt: skip
    assert f'href="/stashbox/identify?ids={video_id}"' in panel
    assert "data-contribute " in panel and 'data-contributions-url="/stashbox/contributions"' in panel
    people = text_of(client, f"{PANEL}?entity=performer&id={performer['id']}")
    assert 'data-remote-kind="performers"' in people and "/stashbox/identify" not in people
    assert "data-contribute " not in people, "only videos are contributed"
    assert KEY not in panel + people


def test_the_panel_without_endpoints_says_where_to_add_one(client: Any, videos: Callable[..., list[str]]) -> None:
    [video_id] = videos(["Evening Walk"])
    panel = text_of(client, f"{PANEL}?entity=video&id={video_id}")
    assert 'href="/settings#section-stashbox"' in panel and "/stashbox/identify" not in panel
    assert "data-contribute " not in panel


def test_the_shell_loads_the_modules_and_the_nav_links_the_page(client: Any) -> None:
    page = text_of(client, "/")
    assert 'data-module="/static/stashbox/elements.js"' in page
    assert re.search(r'<a[^>]+href="/stashbox/identify"', page)
    modules = ("elements.js", "settings.js", "identify.js", "common.js", "contribute.js", "contributions.js")
    for name in (*modules, "stashbox.css"):
        assert client.get(f"/static/stashbox/{name}").status_code == 200, name
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert ".sb-endpoint" in client.get(css).get_data(as_text=True)


# ---------------------------------------------------------------------------------------------- contributions


def _link(client: Any, url: str, video_id: str, scene_id: str) -> None:
    body = {"entityType": "video", "entityId": video_id, "endpoint": url, "stashId": scene_id}
    ok(client.post("/api/stash-ids", json=body), 201)


def test_the_contributions_page_lists_linked_videos_and_what_was_submitted(
    client: Any, box: FakeStashBox, endpoint: dict[str, Any], videos: Callable[..., list[str]]
) -> None:
    scene = box.add_scene("Night and Day")
    walk, run, _unlinked = videos(["Evening Walk", "Morning Run", "Unlinked"])
    _link(client, box.url, walk, scene["id"])
    _link(client, box.url, run, scene["id"])
    page = text_of(client, CONTRIBUTIONS)
    assert 'data-page-module="/static/stashbox/contributions.js"' in page
    assert "<h1>Fingerprint contributions</h1>" in page and 'href="/stashbox/identify"' in page
    assert 'data-list-url="/stashbox/fragments/contributions?page=1&amp;perPage=25&amp;endpointId="' in page
    assert re.findall(r'<li class="sb-contrib" data-video="([^"]+)"', page) == [run, walk], "the latest linked first"
    assert 'data-contrib-total="2"' in page and "Unlinked" not in page
    item = re.search(rf'data-video="{walk}".*?</li>\s*</ul>\s*</li>', page, re.S).group(0)
    assert oshash(0) in item and f'href="{box.base}/scenes/{scene["id"]}"' in item
    assert 'data-status="pending"' in item and "Not submitted yet" in item
    assert 'aria-label="Submit the fingerprints of Evening Walk to Fake box"' in item

    answer = ok(client.post(f"/api/stashbox-endpoints/{endpoint['id']}/submit-fingerprints", json={"videoId": walk}))
    assert answer["submitted"] == 3
    part = text_of(client, f"{CONTRIB_LIST}?endpointId={endpoint['id']}&perPage=1&page=2")
    assert "<html" not in part
    assert re.findall(r'data-video="([^"]+)"', part) == [walk]
    item = re.search(rf'data-video="{walk}".*', part, re.S).group(0)
    assert f'data-endpoint-id="{endpoint["id"]}" data-status="submitted"' in item and ">Submitted<" in item
    assert "data-submit-contribution" not in item
    states = re.findall(r'data-algorithm="(\w+)" data-status="(\w+)"', item)
    assert states == [("OSHASH", "submitted"), ("PHASH", "submitted"), ("MD5", "submitted")]
    assert 'rel="prev"' in part
    assert f'href="/stashbox/contributions?endpointId={endpoint["id"]}&amp;perPage=1"' in part
    assert text_of(client, f"{IDENTIFY}").count('href="/stashbox/contributions"') == 1


def test_the_contributions_page_without_endpoints_or_links(client: Any, make_endpoint: Make) -> None:
    assert "data-no-endpoints" in text_of(client, CONTRIBUTIONS)
    make_endpoint(name="Fake box")
    page = text_of(client, f"{CONTRIBUTIONS}?page=&endpointId=&utm=1")
    assert "data-no-contributions" in page and "No linked video yet" in page


# ---------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "url",
    [
        f"{IDENTIFY}?kind=film",
        f"{IDENTIFY}?organized=maybe",
        f"{IDENTIFY}?rootId=" + "r" * 65,
        f"{IDENTIFY}?endpoint=" + "e" * 65,
        f"{IDENTIFY}?ids=" + "x" * 65,
        f"{IDENTIFY}?ids=" + ",".join(f"v{i}" for i in range(501)),
        f"{IDENTIFY}?rootId=a%00b",
        f"{IDENTIFY}?ids=a%00",
        f"{TARGETS}",
        f"{TARGETS}?entity=video&ids=",
        f"{TARGETS}?entity=video&ids=" + ",".join(f"v{i}" for i in range(51)),
        f"{TARGETS}?entity=spaceship&ids=a",
        f"{TARGETS}?entity=video&ids=a%00",
        f"{PANEL}",
        f"{PANEL}?entity=video",
        f"{PANEL}?entity=series&id=a",
        f"{PANEL}?entity=video&id=" + "x" * 65,
        f"{PANEL}?entity=video&id=a%00b",
        f"{CONTRIBUTIONS}?page=0",
        f"{CONTRIBUTIONS}?page=two",
        f"{CONTRIBUTIONS}?perPage=101",
        f"{CONTRIBUTIONS}?endpointId=nope",
        f"{CONTRIBUTIONS}?endpointId=" + "e" * 65,
        f"{CONTRIBUTIONS}?endpointId=a%00b",
        f"{CONTRIB_LIST}?perPage=0",
        f"{CONTRIB_LIST}?endpointId=nope",
    ],
)
def test_malformed_query_strings_are_400(client: Any, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 400, (url, resp.status_code, resp.get_data(as_text=True)[:500])


def test_unknown_query_keys_and_blank_values_are_ignored(client: Any, endpoint: dict[str, Any]) -> None:
    page = text_of(client, f"{IDENTIFY}?utm_source=mail&rootId=&kind=&ids=&organized=")
    assert re.search(r'name="scope" value="unorganized" checked', page)
