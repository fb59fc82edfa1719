"""Performers, studios and tags through the API: CRUD, find-or-create, favourite and rating,
pictures (upload, from a URL, delete), hierarchies without cycles, merges, and bad input."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.integration.taxonomy import rows

pytestmark = pytest.mark.integration


def _ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is True
    return body["data"]


def _err(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    body = resp.get_json()
    assert body["ok"] is False and body["error"]["message"]
    return body["error"]


def _png(size: tuple[int, int] = (40, 30), alpha: bool = False) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA" if alpha else "RGB", size, (200, 30, 30, 120) if alpha else (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def picture_server() -> Iterator[str]:
    """A loopback HTTP server: /photo.png, /page.html, /huge.jpg (announces 50 MiB), /missing,
    /to-file (redirects to file://)."""
    photo = _png((64, 48))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/photo.png":
                self._send(200, "image/png", photo)
            elif self.path == "/page.html":
                self._send(200, "text/html", b"<html>not a picture</html>")
            elif self.path == "/huge.jpg":
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
            elif self.path == "/garbage.png":
                self._send(200, "image/png", b"\x89PNG but not really")
            elif self.path == "/to-file":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
            else:
                self._send(404, "text/plain", b"nope")

        def _send(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_performer_crud_with_every_stash_field(client) -> None:
    created = _ok(
        client.post(
            "/api/performers",
            json={
                "name": "  Tom   Hanks ", "disambiguation": "actor", "aliases": ["Thomas Hanks", "thomas hanks", ""],
                "gender": "Male", "birthdate": "1956-07-09", "country": "US", "ethnicity": "Caucasian",
                "eyeColor": "Green", "hairColor": "Brown", "height": 183, "weight": 80, "measurements": "n/a",
                "tattoos": "none", "piercings": "none", "careerStart": 1979, "careerEnd": 2030,
                "details": "Two Oscars.\nMany films.", "urls": ["https://example.org/tom"], "favorite": True,
                "rating": 90,
            },
        ),
        201,
    )  # fmt: skip
    assert created["name"] == "Tom Hanks" and created["disambiguation"] == "actor"
    assert created["aliases"] == ["Thomas Hanks"], "aliases are trimmed and deduplicated case-insensitively"
    assert (created["gender"], created["birthdate"], created["height"], created["careerEnd"]) == (
        "male", "1956-07-09", 183, 2030,
    )  # fmt: skip
    assert created["details"] == "Two Oscars.\nMany films." and created["favorite"] is True
    assert created["counts"] == {} and created["imageUrl"] is None
    pid = created["id"]

    got = _ok(client.get(f"/api/performers/{pid}"))
    assert got == created
    patched = _ok(client.patch(f"/api/performers/{pid}", json={"country": None, "aliases": ["Tommy"], "rating": 70}))
    assert patched["country"] is None and patched["aliases"] == ["Tommy"] and patched["rating"] == 70
    assert patched["birthdate"] == "1956-07-09", "fields not sent are kept"

    assert _ok(client.patch(f"/api/performers/{pid}/favorite", json={}))["favorite"] is False, "empty body toggles"
    assert _ok(client.patch(f"/api/performers/{pid}/favorite", json={"favorite": True}))["favorite"] is True
    assert _ok(client.patch(f"/api/performers/{pid}/rating", json={"rating": 40}))["rating"] == 40
    assert _ok(client.patch(f"/api/performers/{pid}/rating", json={"rating": None}))["rating"] is None

    assert _ok(client.delete(f"/api/performers/{pid}", json={})) == {"id": pid, "deleted": True}
    _err(client.get(f"/api/performers/{pid}"), 404)


def test_names_are_unique_case_insensitively_and_find_or_create_is_one_row(client) -> None:
    tom = _ok(client.post("/api/performers", json={"name": "Tom Hanks"}), 201)
    err = _err(client.post("/api/performers", json={"name": " tom  HANKS "}), 409)
    assert err["code"] == "name_taken"
    other = _ok(client.post("/api/performers", json={"name": "Tom Hanks", "disambiguation": "Jr"}), 201)
    assert other["id"] != tom["id"], "a disambiguation tells two performers of one name apart"
    _err(client.patch(f"/api/performers/{other['id']}", json={"disambiguation": None}), 409)

    found = client.post("/api/performers/find-or-create", json={"name": " tom hanks "})
    assert found.status_code == 200 and found.get_json()["data"]["id"] == tom["id"]
    made = client.post("/api/studios/find-or-create", json={"name": "Playtone"})
    assert made.status_code == 201
    again = client.post("/api/studios/find-or-create", json={"name": "PLAYTONE"})
    assert again.status_code == 200 and again.get_json()["data"]["id"] == made.get_json()["data"]["id"]
    _err(client.post("/api/tags/find-or-create", json={"name": "   "}), 400)

    tag = _ok(client.post("/api/tags", json={"name": "Science Fiction", "aliases": ["Sci-Fi"]}), 201)
    by_alias = _ok(client.post("/api/tags/find-or-create", json={"name": "sci-fi"}))
    assert by_alias["id"] == tag["id"], "an alias finds its tag"
    assert _ok(client.get("/api/tags"))["total"] == 1


def test_performer_list_search_filters_sorts_and_sql_counts(client, runtime) -> None:
    root = rows.root(runtime)
    vids = rows.videos(runtime, root, ["A", "B", "C"])
    imgs = rows.images(runtime, root, ["i1", "i2"])
    for name, extra in [("Ann", {"gender": "female", "rating": 80, "favorite": True}),
                        ("Bob", {"gender": "male", "rating": 20, "aliases": ["Bobby Tables"]}),
                        ("Cid", {"gender": "male", "country": "FR", "disambiguation": "the painter"})]:  # fmt: skip
        _ok(client.post("/api/performers", json={"name": name, **extra}), 201)
    for vid in vids:
        _ok(client.patch(f"/api/videos/{vid}", json={"performerNames": ["Bob"]}))
    _ok(client.patch(f"/api/videos/{vids[0]}", json={"performerNames": ["Bob", "Ann"]}))
    _ok(client.patch("/api/images/bulk", json={"ids": imgs, "patch": {"performerNames": ["Ann"]}}))

    def names(query: str) -> list[str]:
        return [p["name"] for p in _ok(client.get(f"/api/performers?{query}"))["items"]]

    assert names("") == ["Ann", "Bob", "Cid"]
    assert names("search=tables") == ["Bob"], "search looks in aliases"
    assert names("search=PAINTER") == ["Cid"], "and in disambiguations"
    assert names("gender=male") == ["Bob", "Cid"] and names("favorite=true") == ["Ann"]
    assert names("ratingMin=50") == ["Ann"] and names("ratingMax=50") == ["Bob"] and names("country=fr") == ["Cid"]
    assert names("sort=scenes") == ["Bob", "Ann", "Cid"], "by linked videos"
    assert names("sort=count") == ["Ann", "Bob", "Cid"], "by every link"
    assert names("sort=rating&order=asc") == ["Bob", "Ann", "Cid"]
    assert names("sort=name&order=desc&perPage=2") == ["Cid", "Bob"]
    listed = {p["name"]: p["counts"] for p in _ok(client.get("/api/performers"))["items"]}
    assert listed == {"Ann": {"video": 1, "image": 2}, "Bob": {"video": 3}, "Cid": {}}
    _err(client.get("/api/performers?gender=robot"), 400)
    _err(client.get("/api/performers?sort=age"), 400)
    _err(client.get("/api/performers?perPage=501"), 400)


def test_pictures_upload_from_url_and_delete(client, picture_server) -> None:
    pid = _ok(client.post("/api/performers", json={"name": "Meg Ryan"}), 201)["id"]
    _err(client.get(f"/api/performers/{pid}/image"), 404)
    up = _ok(client.post(f"/api/performers/{pid}/image", data={"file": (io.BytesIO(_png()), "meg.png")}))
    assert up["imageUrl"].startswith(f"/api/performers/{pid}/image?v=")
    got = client.get(up["imageUrl"])
    assert got.status_code == 200 and got.mimetype == "image/jpeg", "opaque pictures are stored as JPEG"
    with Image.open(io.BytesIO(got.data)) as img:
        assert img.size == (40, 30)

    sid = _ok(client.post("/api/studios", json={"name": "Logo Studio"}), 201)["id"]
    logo = _ok(client.post(f"/api/studios/{sid}/image", data={"file": (io.BytesIO(_png(alpha=True)), "l.png")}))
    assert client.get(logo["imageUrl"]).mimetype == "image/png", "transparent logos stay PNG"

    tid = _ok(client.post("/api/tags", json={"name": "Beach"}), 201)["id"]
    fetched = _ok(client.post(f"/api/tags/{tid}/image/from-url", json={"url": f"{picture_server}/photo.png"}))
    with Image.open(io.BytesIO(client.get(fetched["imageUrl"]).data)) as img:
        assert img.size == (64, 48)
    assert _ok(client.get("/api/tags?hasImage=true"))["total"] == 1

    def from_url(url: str) -> object:
        return client.post(f"/api/tags/{tid}/image/from-url", json={"url": url})

    assert "not a picture" in _err(from_url(f"{picture_server}/page.html"), 415)["message"]
    assert "larger" in _err(from_url(f"{picture_server}/huge.jpg"), 400)["message"]
    _err(from_url(f"{picture_server}/garbage.png"), 415)
    assert "404" in _err(from_url(f"{picture_server}/missing"), 400)["message"]
    _err(from_url(f"{picture_server}/to-file"), 400)
    _err(from_url("file:///etc/passwd"), 400)
    _err(from_url("http://127.0.0.1:1/x.png"), 400)
    _err(client.post(f"/api/performers/{pid}/image", data={"file": (io.BytesIO(b"<svg/>"), "x.svg")}), 415)
    _err(client.post(f"/api/performers/{pid}/image", data={"other": (io.BytesIO(_png()), "x.png")}), 400)
    assert client.get(fetched["imageUrl"]).status_code == 200, "a failed replacement keeps the old picture"

    cleared = _ok(client.delete(f"/api/performers/{pid}/image", json={}))
    assert cleared["imageUrl"] is None
    _err(client.get(f"/api/performers/{pid}/image"), 404)


def test_studio_parents_and_tag_parents_refuse_cycles(client) -> None:
    top = _ok(client.post("/api/studios", json={"name": "Universal"}), 201)
    mid = _ok(client.post("/api/studios", json={"name": "Focus", "parentId": top["id"]}), 201)
    low = _ok(client.post("/api/studios", json={"name": "Focus Shorts", "parentId": mid["id"]}), 201)
    assert mid["parent"] == {"id": top["id"], "name": "Universal"}
    assert [c["name"] for c in _ok(client.get(f"/api/studios/{top['id']}"))["children"]] == ["Focus"]
    assert _err(client.patch(f"/api/studios/{top['id']}", json={"parentId": low["id"]}), 400)["code"] == "cycle"
    assert _err(client.patch(f"/api/studios/{top['id']}", json={"parentId": top["id"]}), 400)["code"] == "cycle"
    _err(client.patch(f"/api/studios/{top['id']}", json={"parentId": "nope"}), 404)
    assert [s["name"] for s in _ok(client.get("/api/studios?parent=none"))["items"]] == ["Universal"]
    assert _ok(client.patch(f"/api/studios/{low['id']}", json={"parentId": None}))["parent"] is None

    genre = _ok(client.post("/api/tags", json={"name": "Genre"}), 201)
    drama = _ok(client.post("/api/tags", json={"name": "Drama", "parentIds": [genre["id"]]}), 201)
    mood = _ok(client.post("/api/tags", json={"name": "Mood"}), 201)
    tear = _ok(client.post("/api/tags", json={"name": "Tearjerker", "parentIds": [drama["id"], mood["id"]]}), 201)
    assert [p["name"] for p in tear["parents"]] == ["Drama", "Mood"], "a tag may have many parents"
    assert [c["name"] for c in _ok(client.get(f"/api/tags/{drama['id']}"))["children"]] == ["Tearjerker"]
    assert _err(client.patch(f"/api/tags/{genre['id']}", json={"parentIds": [tear["id"]]}), 400)["code"] == "cycle"
    _err(client.patch(f"/api/tags/{genre['id']}", json={"parentIds": [genre["id"]]}), 400)
    assert {t["name"] for t in _ok(client.get("/api/tags?parent=none"))["items"]} == {"Genre", "Mood"}
    assert [t["name"] for t in _ok(client.get(f"/api/tags?parent={drama['id']}"))["items"]] == ["Tearjerker"]
    _ok(client.delete(f"/api/tags/{drama['id']}", json={}))
    assert [p["name"] for p in _ok(client.get(f"/api/tags/{tear['id']}"))["parents"]] == ["Mood"]
    _ok(client.delete(f"/api/studios/{mid['id']}", json={}))
    assert _ok(client.get(f"/api/studios/{low['id']}"))["parent"] is None, "sub-studios become top-level"


def test_merging_moves_links_keeps_aliases_and_deletes_sources(client, runtime) -> None:
    root = rows.root(runtime)
    v1, v2, v3 = rows.videos(runtime, root, ["One", "Two", "Three"])
    (img,) = rows.images(runtime, root, ["pic"])
    target = _ok(client.post("/api/performers", json={"name": "Thomas Hanks", "aliases": ["T.H."]}), 201)
    src1 = _ok(client.post("/api/performers", json={"name": "Tom Hanks", "aliases": ["Tommy"],
                                                     "country": "US", "favorite": True}), 201)  # fmt: skip
    src2 = _ok(client.post("/api/performers", json={"name": "T Hanks", "urls": ["https://example.org/th"]}), 201)
    _ok(client.post(f"/api/performers/{src1['id']}/image", data={"file": (io.BytesIO(_png()), "x.png")}))
    _ok(client.patch(f"/api/videos/{v1}", json={"performerNames": ["Thomas Hanks", "Tom Hanks"]}))
    _ok(client.patch(f"/api/videos/{v2}", json={"performerNames": ["Tom Hanks", "T Hanks"]}))
    _ok(client.patch(f"/api/videos/{v3}", json={"performerNames": ["T Hanks"]}))
    _ok(client.patch(f"/api/images/{img}", json={"performerNames": ["tom hanks"]}))

    merged = _ok(client.post(f"/api/performers/{target['id']}/merge", json={"sourceIds": [src1["id"], src2["id"]]}))
    assert merged["aliases"] == ["T.H.", "Tom Hanks", "Tommy", "T Hanks"]
    assert merged["counts"] == {"video": 3, "image": 1}, "links moved, the shared video counted once"
    assert merged["country"] == "US" and merged["favorite"] is True and merged["urls"] == ["https://example.org/th"]
    assert merged["imageUrl"] and client.get(merged["imageUrl"]).status_code == 200, "the source's picture is kept"
    for source in (src1, src2):
        _err(client.get(f"/api/performers/{source['id']}"), 404)
    assert [p["name"] for p in _ok(client.get(f"/api/videos/{v2}"))["performers"]] == ["Thomas Hanks"]
    assert rows.link_rows(runtime)["entity_performers"] == 4
    again = _ok(client.patch(f"/api/videos/{v3}", json={"performerNames": ["Tom Hanks"]}))
    assert [p["id"] for p in again["performers"]] == [target["id"]], "a merged name now finds the target"
    assert _ok(client.get("/api/performers"))["total"] == 1

    _err(client.post(f"/api/performers/{target['id']}/merge", json={"sourceIds": [target["id"]]}), 400)
    _err(client.post(f"/api/performers/{target['id']}/merge", json={"sourceIds": ["missing"]}), 404)
    _err(client.post(f"/api/performers/{target['id']}/merge", json={"sourceIds": []}), 400)


def test_merging_tags_and_studios_keeps_hierarchies_acyclic(client, runtime) -> None:
    root = rows.root(runtime)
    v1, v2 = rows.videos(runtime, root, ["One", "Two"])
    genre = _ok(client.post("/api/tags", json={"name": "Genre"}), 201)
    scifi = _ok(client.post("/api/tags", json={"name": "Science Fiction", "parentIds": [genre["id"]]}), 201)
    sf = _ok(client.post("/api/tags", json={"name": "SF", "parentIds": [scifi["id"]]}), 201)
    space = _ok(client.post("/api/tags", json={"name": "Space Opera", "parentIds": [sf["id"]]}), 201)
    _ok(client.patch(f"/api/videos/{v1}", json={"tagNames": ["SF", "Science Fiction"]}))
    _ok(client.patch(f"/api/videos/{v2}", json={"tagNames": ["sf"]}))
    merged = _ok(client.post(f"/api/tags/{scifi['id']}/merge", json={"sourceIds": [sf["id"]]}))
    assert merged["aliases"] == ["SF"] and merged["counts"] == {"video": 2}
    assert [p["name"] for p in merged["parents"]] == ["Genre"], "its own parent: no self-loop"
    assert [c["name"] for c in merged["children"]] == ["Space Opera"], "the source's children move up"
    assert [t["name"] for t in _ok(client.get(f"/api/videos/{v1}"))["tags"]] == ["Science Fiction"]
    _ok(client.get(f"/api/tags/{space['id']}"))

    parent = _ok(client.post("/api/studios", json={"name": "Parent"}), 201)
    a = _ok(client.post("/api/studios", json={"name": "A", "parentId": parent["id"]}), 201)
    b = _ok(client.post("/api/studios", json={"name": "B", "parentId": a["id"]}), 201)
    child = _ok(client.post("/api/studios", json={"name": "A kids", "parentId": a["id"]}), 201)
    _ok(client.patch(f"/api/videos/{v1}", json={"studioName": "A"}))
    _ok(client.patch(f"/api/videos/{v2}", json={"studioName": "B"}))
    merged = _ok(client.post(f"/api/studios/{b['id']}/merge", json={"sourceIds": [a["id"]]}))
    assert merged["parent"] == {"id": parent["id"], "name": "Parent"}, "the target takes the source's place"
    assert [c["name"] for c in merged["children"]] == ["A kids"]
    assert merged["counts"] == {"video": 2} and merged["aliases"] == ["A"]
    assert _ok(client.get(f"/api/studios/{child['id']}"))["parent"]["id"] == b["id"]


def test_bad_input_is_a_4xx_envelope(client) -> None:
    _err(client.post("/api/performers", json={}), 400)
    _err(client.post("/api/performers", json={"name": ""}), 400)
    _err(client.post("/api/performers", json={"name": "x" * 301}), 400)
    _err(client.post("/api/performers", json={"name": "X", "birthdate": "1990-02-30"}), 400)
    _err(client.post("/api/performers", json={"name": "X", "height": 9000}), 400)
    _err(client.post("/api/performers", json={"name": "X", "urls": ["javascript:alert(1)"]}), 400)
    _err(client.post("/api/performers", json={"name": "X", "careerStart": 2010, "careerEnd": 2000}), 400)
    _err(client.post("/api/performers", json={"name": "X", "unknown": 1}), 400)
    _err(client.post("/api/performers", data="{nope", content_type="application/json"), 400)
    pid = _ok(client.post("/api/performers", json={"name": "X", "careerStart": 2010}), 201)["id"]
    _err(client.patch(f"/api/performers/{pid}", json={"careerEnd": 2000}), 400)
    _err(client.patch(f"/api/performers/{pid}", json={"name": None}), 400)
    _err(client.patch(f"/api/performers/{pid}", json={"name": "   "}), 400)
    _err(client.patch(f"/api/performers/{pid}", json={"favorite": None}), 400)
    _err(client.patch(f"/api/performers/{pid}/rating", json={"rating": 101}), 400)
    _err(client.patch(f"/api/performers/{pid}/rating", json={}), 400)
    _err(client.get("/api/performers/" + "x" * 100), 404)
    _err(client.patch("/api/tags/missing", json={"name": "Y"}), 404)
    _err(client.post("/api/tags", json={"name": "Y", "parentIds": ["missing"]}), 404)
    _err(client.post("/api/studios", json={"name": "Y", "url": "ftp://x"}), 400)
    _err(client.get("/api/tags?ratingMin=-1"), 400)
    assert _ok(client.get("/api/performers?search=%25_%5C"))["total"] == 0, "LIKE wildcards are escaped"
