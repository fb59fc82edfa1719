"""The server-rendered images pages: /galleries (filters in the URL, keyset paging, empty states), a
gallery's page (sub-galleries, chapters, the justified grid and its paging), an image's page, the
HTML 404s, the dashboard panel, the palette hits, and the assets the pages load."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from plugin_sdk.models import LibraryRoot
from plugins_builtin.images.models import Gallery, GalleryItem, Image
from plugins_builtin.images.pages import galleries as galleries_page
from plugins_builtin.images.pages.search import search
from tests.integration.images.media import build_library

pytestmark = pytest.mark.integration

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def obscura_plugins() -> dict:
    return {"plugins": None, "builtins": ("images",), "load_entrypoints": False}


@pytest.fixture
def scanned(client, run_jobs, tmp_path: Path) -> dict[str, Any]:
    """The generated library (nested folders, an EXIF-rotated JPEG, a cbz, broken files), scanned."""
    root_dir = tmp_path / "Pictures"
    files = build_library(root_dir)
    root = client.post("/api/libraries", json={"path": str(root_dir), "label": "Pictures"}).get_json()["data"]
    client.post(f"/api/libraries/{root['id']}/scan", json={})
    run_jobs()
    galleries = client.get("/api/galleries?perPage=100").get_json()["data"]["items"]
    images = client.get("/api/images?perPage=100").get_json()["data"]["items"]
    by_name = {}
    for im in images:
        detail = client.get(f"/api/images/{im['id']}").get_json()["data"]
        by_name[Path(detail["filePath"]).name + (detail["member"] or "")] = detail
    return {"root": root, "dir": root_dir, "files": files, "galleries": {g["title"]: g for g in galleries},
            "images": by_name}  # fmt: skip


def page(client: Any, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def card_ids(text: str) -> list[str]:
    return re.findall(r'<a class="media-card im-card[^"]*" href="/galleries/([^"]+)"', text)


def tile_ids(text: str) -> list[str]:
    return re.findall(r'<div class="im-tile[^"]*" role="listitem"[^>]*data-id="([^"]+)"', text)


def more_url(text: str) -> str | None:
    found = re.search(r'data-more="([^"]+)"', text)
    return html.unescape(found.group(1)) if found else None


def card(text: str, gallery_id: str) -> str:
    """One gallery card's markup."""
    found = re.search(rf'<li><a class="media-card im-card[^"]*" href="/galleries/{gallery_id}">.*?</li>', text, re.S)
    assert found, gallery_id
    return found.group(0)


def chunk(text: str, marker: str, end: str = "</li>") -> str:
    """The markup from ``marker`` to the next ``end``."""
    return text[text.index(marker) :].split(end, 1)[0]


@contextmanager
def count_queries(runtime: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)


# ----------------------------------------------------------------------------------------- empty states


def test_empty_states(client, runtime, tmp_path: Path) -> None:
    text = page(client, "/galleries")
    assert "Add a library folder to get started" in text and 'href="/settings"' in text
    assert 'id="im-filters"' in text and 'aria-label="Filter galleries" hidden' in text  # nothing to filter yet
    assert 'data-page-module="/static/images/galleries.js"' in text
    assert "data-module=" not in text.split("<body", 1)[1].split(">", 1)[0]  # soft navigation, not the old contract

    with runtime.session() as db:
        db.add(LibraryRoot(path=str(tmp_path / "videos"), label="Videos only", options={"scan_images": False}))
        db.commit()
    text = page(client, "/galleries")
    assert "No library folder indexes images" in text

    (tmp_path / "empty").mkdir()
    added = client.post("/api/libraries", json={"path": str(tmp_path / "empty"), "label": "Empty"})
    assert added.status_code == 201, added.get_json()
    text = page(client, "/galleries")
    assert "No galleries yet" in text and "data-scan" in text and "Add a library folder" not in text
    assert "No galleries yet" in page(client, "/galleries?search=x")  # nothing at all: a scan is missing, not a match

    panel = page(client, "/galleries/fragments/panel-recent")
    assert "No galleries yet" in panel and 'href="/settings"' in panel


# ----------------------------------------------------------------------------------------- /galleries


def test_galleries_grid(client, scanned) -> None:
    g = scanned["galleries"]
    text = page(client, "/galleries")
    # top-level galleries by title; Beach lives inside Trips
    assert card_ids(text) == [g["evil"]["id"], g["Issue 1"]["id"], g["Trips"]["id"]]
    assert "3 galleries" in text
    trips = card(text, g["Trips"]["id"])
    assert "is-stack" in trips and "1 sub-gallery" in trips and ">3<" in trips  # 3 images of its own
    cover = re.search(r'<img src="(/api/images/[^"]+/thumbnail\?v=\d+)"', trips)
    assert cover, trips
    assert client.get(cover.group(1)).mimetype == "image/webp"
    comic = card(text, g["Issue 1"]["id"])
    assert ">Archive<" in comic and ">3<" in comic
    assert 'aria-label="Remove filter' not in text

    nested = page(client, "/galleries?nested=1")
    assert g["Beach"]["id"] in card_ids(nested) and len(card_ids(nested)) == 4
    assert 'name="nested" value="1" checked' in nested and "With sub-galleries" in nested

    found = page(client, "/galleries?search=bea")  # searching looks at every level
    assert card_ids(found) == [g["Beach"]["id"]]
    assert 'name="search" value="bea"' in found and "“bea”" in found

    zips = page(client, "/galleries?kind=zip&sort=images&order=asc")
    assert card_ids(zips) == [g["evil"]["id"], g["Issue 1"]["id"]]  # 1 image, then 3
    assert '<option value="zip" selected>' in zips and 'data-order="asc"' in zips
    assert re.findall(r'data-remove="([^"]+)"', zips) == ["kind"]
    remove = html.unescape(re.search(r'href="([^"]+)" data-remove="kind"', zips).group(1))
    assert remove == "/galleries?sort=images&order=asc"  # the sort stays

    inside = page(client, f"/galleries?parent={g['Trips']['id']}")
    assert card_ids(inside) == [g["Beach"]["id"]] and "Inside: Trips" in inside

    none = page(client, "/galleries?search=zzz")
    assert "No galleries match" in none and "Clear filters" in none and card_ids(none) == []

    # nonsense in the address is named, never a 500
    odd = page(client, "/galleries?kind=bogus&sort=nope&order=sideways&root=nope&parent=nope&nested=maybe&cursor=%%%")
    assert "were not understood and were ignored" in odd
    for word in (
        "kind=bogus",
        "sort=nope",
        "order=sideways",
        "root (no such library folder)",
        "parent (no such gallery)",
    ):
        assert html.escape(word) in odd, word
    assert card_ids(odd) == card_ids(text)

    fragment = page(client, "/galleries/fragments/results?kind=zip")
    assert "<html" not in fragment and card_ids(fragment) == [g["evil"]["id"], g["Issue 1"]["id"]]


@pytest.fixture
def many(runtime) -> dict[str, Any]:
    """130 galleries with titles, dates, ratings (some NULL) and creation times spread out."""
    with runtime.session() as db:
        ids = []
        for n in range(130):
            gallery = Gallery(
                kind="virtual", title=f"Set {n:03d}", sort_title=f"set {n:03d}", created_at=T0 + timedelta(hours=n),
                rating=None if n % 3 == 0 else (n * 7) % 101, date=None if n % 4 == 0 else f"2020-01-{n % 28 + 1:02d}",
                image_count=n % 5,
            )  # fmt: skip
            db.add(gallery)
            db.flush()
            ids.append(gallery.id)
        db.commit()
    return {"ids": ids}


def _walk(client: Any, url: str) -> list[str]:
    text = page(client, url)
    seen = card_ids(text)
    nxt = more_url(text)
    hops = 0
    while nxt:
        hops += 1
        assert hops < 10
        fragment = page(client, nxt)
        assert "<html" not in fragment
        seen += card_ids(fragment)
        nxt = more_url(fragment)
    return seen


@pytest.mark.parametrize(
    ("query", "key", "reverse"),
    [
        ("", lambda g: (g.sort_title, g.id), False),
        ("sort=recent", lambda g: (g.created_at, g.id), True),
        ("sort=rating", lambda g: (g.rating is not None, g.rating or 0, g.id), True),
        ("sort=rating&order=asc", lambda g: (g.rating is None, g.rating or 0, g.id), False),
        ("sort=date&order=asc", lambda g: (g.date is None, g.date or "", g.id), False),
        ("sort=images", lambda g: (g.image_count, g.id), True),
    ],
)
def test_keyset_paging_walks_every_gallery_once(client, runtime, many, query, key, reverse) -> None:
    seen = _walk(client, "/galleries?" + query)
    assert len(seen) == 130 and len(set(seen)) == 130
    with runtime.session() as db:
        rows = db.execute(select(Gallery)).scalars().all()
    expected = [g.id for g in sorted(rows, key=key, reverse=reverse)]
    if query == "sort=rating":  # descending, NULLs last (and among them, the id descending too)
        rated = sorted((g for g in rows if g.rating is not None), key=lambda g: (g.rating, g.id), reverse=True)
        expected = [g.id for g in rated] + sorted((g.id for g in rows if g.rating is None), reverse=True)
    assert seen == expected


def test_paging_cost_and_bad_cursors(client, runtime, many) -> None:
    text = page(client, "/galleries")
    assert len(card_ids(text)) == galleries_page.PER_PAGE and "130 galleries" in text
    nxt = more_url(text)
    assert nxt and nxt.startswith("/galleries/fragments/more?cursor=")
    no_js = re.search(r'<a class="btn im-more-btn" href="([^"]+)"', text).group(1)
    assert card_ids(page(client, html.unescape(no_js)))[0] == card_ids(page(client, nxt))[0]
    with count_queries(runtime) as first:
        page(client, "/galleries")
    with count_queries(runtime) as later:
        page(client, nxt)
    assert len(first) <= 8 and len(later) <= 6, (first, later)  # no query per card
    # a cursor of another sort, or garbage: the page starts over, the fragment adds nothing
    assert card_ids(page(client, "/galleries?sort=recent&" + nxt.split("?", 1)[1])) == card_ids(
        page(client, "/galleries?sort=recent")
    )
    assert card_ids(page(client, "/galleries/fragments/more?sort=rating&cursor=WzEsMl0")) == []
    assert card_ids(page(client, "/galleries/fragments/more?cursor=%%%")) == []


# ----------------------------------------------------------------------------------------- a gallery


def test_gallery_page(client, scanned) -> None:
    g, im = scanned["galleries"], scanned["images"]
    text = page(client, f"/galleries/{g['Trips']['id']}")
    assert 'data-page-module="/static/images/gallery.js"' in text
    assert '<h1><span data-field="title">Trips</span></h1>' in text
    assert "3 images" in text and "1 sub-gallery" in text
    assert card_ids(text) == [g["Beach"]["id"]]  # the sub-gallery, as a card
    assert "data-upload" in text and 'id="im-upload-input"' in text  # a folder gallery takes uploads
    tiles = tile_ids(text)
    assert len(tiles) == 3 and set(tiles) == {im["rotated.jpg"]["id"], im["plain.jpg"]["id"], im["broken.jpg"]["id"]}
    rotated = chunk(text, f'data-id="{im["rotated.jpg"]["id"]}"', "</div>")
    # EXIF orientation 6: stored 400×200, shown 200×400, so the tile is portrait
    assert 'style="--r:0.5"' in text.split(f'data-id="{im["rotated.jpg"]["id"]}"')[0].rsplit("<div", 1)[1]
    assert 'data-w="200" data-h="400"' in rotated and "data-zoom" in rotated
    assert f"/api/images/{im['rotated.jpg']['id']}/thumbnail?size=preview&amp;v=" in rotated
    broken = text.split(f'data-id="{im["broken.jpg"]["id"]}"')[0].rsplit("<div", 1)[1]
    assert "is-broken" in broken
    assert "(cannot be shown)" in chunk(text, f'data-id="{im["broken.jpg"]["id"]}"', "</div></div>")

    beach = page(client, f"/galleries/{g['Beach']['id']}")
    assert '<a href="/galleries/' + g["Trips"]["id"] + '">Trips</a>' in beach  # breadcrumbs
    gif = chunk(beach, f'data-id="{im["anim.gif"]["id"]}"', "</div></div>")
    assert "data-anim" in gif and ">GIF<" in gif

    comic = page(client, f"/galleries/{g['Issue 1']['id']}")
    assert "data-upload" not in comic and ">Archive<" in comic
    assert tile_ids(comic) == [
        im["Issue 1.cbz1.jpg"]["id"],
        im["Issue 1.cbz2.jpg"]["id"],
        im["Issue 1.cbz10.jpg"]["id"],
    ]
    assert "Add chapters" in comic

    # chapters cut the grid into sections, and are listed for jumping
    client.post(f"/api/galleries/{g['Issue 1']['id']}/chapters", json={"title": "Part two", "imageIndex": 1})
    comic = page(client, f"/galleries/{g['Issue 1']['id']}")
    assert comic.count('<section class="im-section"') == 2
    assert re.search(
        r'<h2 class="im-chapter" id="chapter-[^"]+"[^>]*>Part two<span class="im-chapter-at">from image 2', comic
    )
    assert 'data-jump="1"' in comic and "1 chapter" in comic
    assert '"title": "Part two"' in comic or '"title":"Part two"' in comic  # for the lightbox caption


def test_gallery_grid_pages_and_collections(client, runtime, scanned) -> None:
    """A collection of 130 images: the grid pages at 120, a chapter in the second page starts a section,
    and the second page's first section continues the first page's last."""
    with runtime.session() as db:
        root_id = scanned["root"]["id"]
        ids = []
        for n in range(130):
            image = Image(library_root_id=root_id, file_path=f"/nowhere/{n:03d}.jpg", title=f"Frame {n:03d}",
                          width=300 + n, height=200, format="jpeg")  # fmt: skip
            db.add(image)
            db.flush()
            ids.append(image.id)
        collection = Gallery(kind="virtual", title="Long one", sort_title="long one", image_count=130)
        db.add(collection)
        db.flush()
        for position, image_id in enumerate(ids):
            db.add(GalleryItem(gallery_id=collection.id, image_id=image_id, position=position))
        db.commit()
        cid = collection.id
    client.post(f"/api/galleries/{cid}/chapters", json={"title": "Late", "imageIndex": 125})
    text = page(client, f"/galleries/{cid}")
    assert tile_ids(text) == ids[:120] and ">Collection<" in text and "data-delete-collection" in text
    assert "data-upload" not in text and "data-sel-remove" in text
    assert "(thumbnail pending)" in text  # no thumbnails were made for these rows
    nxt = more_url(text)
    assert nxt == f"/galleries/{cid}/fragments/images?offset=120"
    fragment = page(client, nxt)
    assert tile_ids(fragment) == ids[120:] and more_url(fragment) is None
    sections = re.findall(r'<section class="im-section" data-from="(\d+)"( data-continue)?>', fragment)
    assert sections == [("120", " data-continue"), ("125", "")]
    assert 'data-i="129"' in fragment
    # no JavaScript: the same page from an offset
    assert tile_ids(page(client, f"/galleries/{cid}?offset=120")) == ids[120:]
    assert tile_ids(page(client, f"/galleries/{cid}?offset=99999")) == ids[-1:]

    empty = client.post("/api/galleries", json={"title": "Nothing yet"}).get_json()["data"]
    text = page(client, f"/galleries/{empty['id']}")
    assert "This collection is empty" in text and "im-sections" not in text


def test_not_found_pages(client, scanned) -> None:
    for url, what in [
        ("/galleries/no-such-gallery", "gallery"),
        ("/galleries/" + "x" * 300, "gallery"),
        ("/galleries/no-such-gallery/fragments/images?offset=5", "gallery"),
        ("/images/no-such-image", "image"),
        ("/images/" + "y" * 300, "image"),
    ]:
        text = page(client, url, 404)
        assert f"This {what} does not exist" in text and 'href="/galleries"' in text
    text = page(client, f"/galleries/{scanned['galleries']['Trips']['id']}?offset=-4")
    assert len(tile_ids(text)) == 3


# ----------------------------------------------------------------------------------------- an image


def test_image_page(client, scanned) -> None:
    im, g = scanned["images"], scanned["galleries"]
    rotated = im["rotated.jpg"]
    text = page(client, f"/images/{rotated['id']}")
    assert 'data-page-module="/static/images/image.js"' in text
    assert f'<a href="/galleries/{g["Trips"]["id"]}">Trips</a>' in text
    assert "200 × 400" in text and ">JPEG<" in text and rotated["md5"] in text
    stage = re.search(r"<img src=\"([^\"]+)\" alt=\"rotated\" width=\"(\d+)\" height=\"(\d+)\"", text)
    assert stage and "size=preview" in stage.group(1) and (stage.group(2), stage.group(3)) == ("200", "400")
    assert 'name="title" value="rotated"' in text and 'download="rotated.jpg"' in text
    assert re.search(r"Image \d of 3", text)
    assert "data-prev-link" in text or "data-next-link" in text
    # each image of the folder leads to the next, in the gallery's order
    order = tile_ids(page(client, f"/galleries/{g['Trips']['id']}"))
    first = page(client, f"/images/{order[0]}")
    assert f'href="/images/{order[1]}" data-next-link' in first and 'aria-label="No previous image"' in first
    last = page(client, f"/images/{order[-1]}")
    assert f'href="/images/{order[-2]}" data-prev-link' in last and 'aria-label="No next image"' in last

    broken = page(client, f"/images/{im['broken.jpg']['id']}")
    assert "This image cannot be shown" in broken and "data-zoom-open" not in broken
    assert html.escape(im["broken.jpg"]["thumbnailError"]) in broken

    member = page(client, f"/images/{im['Issue 1.cbz2.jpg']['id']}")
    assert "In archive" in member and ">2.jpg<" in member and 'data-member="1"' in member

    gif = page(client, f"/images/{im['anim.gif']['id']}")
    assert f'<img src="/api/images/{im["anim.gif"]["id"]}/file"' in gif  # animates: the original is shown
    assert "GIF · animated" in gif

    client.patch(f"/api/images/{rotated['id']}", json={"rating": 80, "organized": True})
    text = page(client, f"/images/{rotated['id']}")
    assert 'aria-label="4 of 5 stars"' in text and 'value="80" checked' in text
    assert 'name="organized" checked' in text


# ----------------------------------------------------------------------------------------- shell hooks


def test_panel_search_nav_and_assets(client, runtime, scanned) -> None:
    g = scanned["galleries"]
    panel = page(client, "/galleries/fragments/panel-recent")
    assert set(card_ids(panel)) == {x["id"] for x in g.values()}
    assert re.search(r"<b>4</b><span>Galleries</span>", panel) and "<span>Images</span>" in panel
    home = page(client, "/")
    assert 'hx-get="/galleries/fragments/panel-recent"' in home
    assert 'href="/galleries" data-nav-command="Images"' in home

    with runtime.session() as db:
        hits = search(db, "issue", 8)
        assert [h.title for h in hits] == ["Issue 1"]
        assert hits[0].url == f"/galleries/{g['Issue 1']['id']}" and hits[0].thumbnail_url
        assert hits[0].subtitle == "Archive · 3 images"
        assert search(db, "trips", 8)[0].title == "Trips"
        assert search(db, "   ", 8) == [] and search(db, "100%_", 8) == []
    palette = client.get("/api/palette?q=beach").get_json()["data"]["groups"]
    assert any(item["url"] == f"/galleries/{g['Beach']['id']}" for group in palette for item in group["items"])

    css = client.get(re.search(r'<link rel="stylesheet" href="([^"]+)"', home).group(1)).get_data(as_text=True)
    assert ".pswp__top-bar" in css and ".im-jg" in css
    module = client.get("/static/images/vendor/photoswipe/photoswipe.esm.min.js")
    assert module.status_code == 200 and "javascript" in module.mimetype and b"PhotoSwipe 5.4.4" in module.data
    for name in ("galleries.js", "gallery.js", "image.js", "lightbox.js", "select.js", "upload.js", "common.js"):
        assert client.get(f"/static/images/{name}").status_code == 200, name
    assert client.get("/static/images/vendor/photoswipe/../../../pages/__init__.py").status_code == 404
