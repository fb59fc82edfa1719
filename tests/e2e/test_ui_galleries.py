"""The images UI in headless Chromium against ``obscura serve``: a generated picture library (nested
folders, an EXIF-rotated JPEG, a cbz) is scanned, then the galleries grid, a gallery page, the
lightbox by keyboard and by touch (swipe, pinch), zoom, the slideshow, an image's page and its edit
form, bulk rating and a drag-and-drop upload — with screenshots at phone and desktop sizes."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from tests.e2e.ui import VIEWPORTS, api, opened_page, screenshot, wait_for_jobs

pytestmark = pytest.mark.e2e

SIZES = [pytest.param("phone", id="phone"), pytest.param("desktop", id="desktop")]
ROTATED = "Sideways.jpg"  # stored 600×400 with EXIF orientation 6: shown 400×600
HOLIDAY_SIZES = [(1200, 800), (800, 1200), (900, 900), (1600, 600), (1000, 750), (750, 1000), (1280, 720)]
PALETTE = [(224, 122, 95), (61, 64, 91), (129, 178, 154), (242, 204, 143), (86, 130, 177), (188, 108, 165),
           (230, 170, 80), (70, 150, 160), (150, 90, 60), (110, 120, 200), (200, 80, 90), (90, 160, 110)]  # fmt: skip

#: The lightbox's current picture (not its placeholder), in page JavaScript.
CURRENT_IMG = (
    """document.querySelector('.pswp__item[aria-hidden="false"] img.pswp__img:not(.pswp__img--placeholder)')"""
)
THUMBS_LOADED = """(sel) => {
  const imgs = [...document.querySelectorAll(sel)];
  return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
}"""


# ----------------------------------------------------------------------------------------- library


def picture(width: int, height: int, n: int) -> Image.Image:
    """A picture that reads as one at thumbnail size: a two-colour gradient sky, a sun, hills."""
    top, bottom = PALETTE[n % len(PALETTE)], PALETTE[(n + 5) % len(PALETTE)]
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / max(height - 1, 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    r = min(width, height) // 7
    cx, cy = width * (0.25 + (n % 3) * 0.25), height * 0.3
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 236, 190))
    hill = PALETTE[(n + 2) % len(PALETTE)]
    ridge = [(0, height * 0.7), (width * 0.4, height * 0.55), (width, height * 0.75)]
    draw.polygon([(0, height), *ridge, (width, height)], fill=tuple(c // 2 for c in hill))
    return img


def jpeg(img: Image.Image, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.save(out, "JPEG", quality=85, exif=exif.tobytes() if orientation else b"")
    return out.getvalue()


def make_picture_library(root: Path) -> dict[str, Path]:
    """``Holidays/`` (8 pictures, one EXIF-rotated), ``Holidays/Day Two/`` (2), ``Comics/Issue 7.cbz``
    (4 pages) and ``Sketches/`` (1 PNG)."""
    files: dict[str, Path] = {}
    holidays = root / "Holidays"
    holidays.mkdir(parents=True)
    for n, (w, h) in enumerate(HOLIDAY_SIZES):
        path = holidays / f"Holiday {n + 1:02d}.jpg"
        path.write_bytes(jpeg(picture(w, h, n)))
    files["rotated"] = holidays / ROTATED
    # the pixels are stored on their side (wide); the camera's EXIF says "rotate 90° clockwise"
    files["rotated"].write_bytes(jpeg(picture(600, 900, 3).rotate(90, expand=True), orientation=6))
    day_two = holidays / "Day Two"
    day_two.mkdir()
    for n in range(2):
        (day_two / f"Beach {n + 1}.jpg").write_bytes(jpeg(picture(900, 600 + n * 100, n + 4)))
    files["day_two"] = day_two
    comics = root / "Comics"
    comics.mkdir()
    with zipfile.ZipFile(comics / "Issue 7.cbz", "w") as zf:
        for n in range(4):
            zf.writestr(f"page{n + 1:02d}.jpg", jpeg(picture(500, 750, n + 7)))
    sketches = root / "Sketches"
    sketches.mkdir()
    picture(640, 480, 9).save(sketches / "Sketch.png")
    return files


@pytest.fixture(scope="module")
def library(served: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("pictures")
    files = make_picture_library(root)
    # the UI needs thumbnails, not fingerprints: half the jobs, a faster module
    api(served.url, "PUT", "/api/settings/library", {"autoGenerateFingerprints": False})
    created = api(served.url, "POST", "/api/libraries", {"path": str(root), "label": "Pictures"})["data"]
    api(served.url, "POST", f"/api/libraries/{created['id']}/scan")
    wait_for_jobs(served.url, timeout=120)
    galleries = api(served.url, "GET", "/api/galleries?perPage=100")["data"]["items"]
    by_title = {g["title"]: g for g in galleries}
    holidays = api(served.url, "GET", f"/api/galleries/{by_title['Holidays']['id']}?perPage=100")["data"]
    return {"root": created, "path": root, "files": files, "galleries": by_title,
            "holidays": holidays["images"]["items"]}  # fmt: skip


# ----------------------------------------------------------------------------------------- helpers


def open_size(browser: Any, size: str) -> Any:
    return opened_page(browser, VIEWPORTS[size], mobile=size == "phone")


def thumbs_loaded(page: Any, selector: str) -> None:
    for img in page.locator(selector).all():
        img.scroll_into_view_if_needed()
    page.wait_for_function(THUMBS_LOADED, arg=selector, timeout=15_000)
    page.evaluate("window.scrollTo(0, 0)")


def gallery_ready(page: Any) -> None:
    """The page module is mounted (tiles open the lightbox, keys work)."""
    page.wait_for_selector('#im-gallery[data-ready="true"]')


def open_holidays(page: Any, served: Any, library: dict[str, Any]) -> None:
    page.goto(f"{served.url}/galleries/{library['galleries']['Holidays']['id']}")
    gallery_ready(page)
    thumbs_loaded(page, ".im-jg .im-tile img")


def counter(page: Any) -> str:
    return page.locator(".pswp__counter").inner_text().replace(" ", "")


def wait_counter(page: Any, text: str) -> None:
    page.wait_for_function(
        "(t) => document.querySelector('.pswp__counter')?.textContent.replace(/\\s/g, '') === t", arg=text
    )


def settle_slide(page: Any) -> None:
    """Wait until the current slide's image has loaded and no animation is running."""
    page.wait_for_function(
        f"() => {{ const img = {CURRENT_IMG}; return img && img.complete && img.naturalWidth > 0; }}",
        timeout=10_000,
    )
    page.wait_for_timeout(400)


def touch(cdp: Any, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
    )


def swipe(page: Any, cdp: Any, dx: float) -> None:
    """A one-finger horizontal swipe across the middle of the screen, as a real touch screen sends it."""
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    x0, y = vw / 2 - dx / 2, vh / 2
    touch(cdp, "touchStart", [(x0, y)])
    for step in range(1, 9):
        page.wait_for_timeout(16)
        touch(cdp, "touchMove", [(x0 + dx * step / 8, y)])
    touch(cdp, "touchEnd", [])


def pinch(page: Any, cdp: Any, spread: float) -> None:
    """Two fingers moving apart by ``spread`` pixels around the centre of the screen."""
    vw, vh = page.viewport_size["width"], page.viewport_size["height"]
    cx, cy = vw / 2, vh / 2
    touch(cdp, "touchStart", [(cx - 40, cy), (cx + 40, cy)])
    for step in range(1, 11):
        page.wait_for_timeout(16)
        d = 40 + spread / 2 * step / 10
        touch(cdp, "touchMove", [(cx - d, cy), (cx + d, cy)])
    touch(cdp, "touchEnd", [])


# ----------------------------------------------------------------------------------------- tests


def test_empty_library(served: Any, browser: Any) -> None:
    if api(served.url, "GET", "/api/libraries")["data"]:
        pytest.skip("needs the server before the module's library is added (run the whole module)")
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        page.goto(served.url + "/galleries")
        page.wait_for_selector('#im-results[data-ready="true"]')
        assert page.locator(".im-empty h2").inner_text() == "Add a library folder to get started"
        assert page.locator(".im-empty a[href='/settings']").is_visible()
        assert page.locator("#im-filters").is_hidden()
        screenshot(page, "images-empty")
        watch.assert_clean()


@pytest.mark.parametrize("size", SIZES)
def test_galleries_grid(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    g = library["galleries"]
    with open_size(browser, size) as (page, watch):
        page.goto(served.url + "/")
        page.locator("a[href='/galleries']:visible").first.click()
        page.wait_for_url("**/galleries")
        page.wait_for_selector('#im-results[data-ready="true"]')
        cards = page.locator("#im-grid .im-card")
        # top-level galleries, by title: "Day Two" is inside Holidays, "Comics" holds only an archive
        assert [c.locator(".title").inner_text() for c in cards.all()] == ["Holidays", "Issue 7", "Sketches"]
        holidays = page.locator("#im-grid .im-card", has_text="Holidays")
        assert "1 sub-gallery" in holidays.inner_text()
        assert holidays.locator(".corner .badge").inner_text().strip() == "8"
        assert page.locator("#im-grid .im-card", has_text="Issue 7").locator(".im-kind").inner_text() == "Archive"
        thumbs_loaded(page, "#im-grid .thumb img")
        screenshot(page, "images-galleries")
        if size == "desktop":
            # a search looks at every level, lives in the address, and back restores the grid
            page.locator("input[name=search]").fill("two")
            page.wait_for_url(re.compile(r"search=two"))
            page.wait_for_selector("#im-results:not([aria-busy])")
            assert [t.inner_text() for t in page.locator("#im-grid .im-card .title").all()] == ["Day Two"]
            page.go_back()
            page.wait_for_url(lambda url: url.endswith("/galleries"))
            page.wait_for_selector("#im-results:not([aria-busy])")
            assert page.locator("#im-grid .im-card", has_text="Holidays").count() == 1
            assert page.locator("input[name=search]").input_value() == ""
        assert g["Day Two"]["parentId"] == g["Holidays"]["id"]
        watch.assert_clean()


@pytest.mark.parametrize("size", SIZES)
def test_gallery_page(served: Any, browser: Any, library: dict[str, Any], size: str) -> None:
    g = library["galleries"]
    rotated = next(i for i in library["holidays"] if i["title"] == "Sideways")
    with open_size(browser, size) as (page, watch):
        page.goto(served.url + "/galleries")
        page.locator("#im-grid .im-card", has_text="Holidays").click()
        page.wait_for_url(f"**/galleries/{g['Holidays']['id']}")
        gallery_ready(page)
        assert page.locator("h1 [data-field=title]").inner_text() == "Holidays"
        assert "8 images" in page.locator(".im-facts").inner_text()
        assert page.locator(".im-children .im-card .title").all_inner_texts() == ["Day Two"]
        tiles = page.locator(".im-jg .im-tile")
        assert tiles.count() == 8
        thumbs_loaded(page, ".im-jg .im-tile img")
        # the EXIF-rotated photo: its thumbnail and its tile are portrait, the right way up
        tile = page.locator(f".im-tile[data-id='{rotated['id']}']")
        natural = tile.locator("img").evaluate("i => [i.naturalWidth, i.naturalHeight]")
        assert natural[1] > natural[0] and abs(natural[0] / natural[1] - 2 / 3) < 0.02, natural
        box = tile.bounding_box()
        assert box and abs(box["width"] / box["height"] - 2 / 3) < 0.03, box
        # and the top of the picture (the sky) is at the top: its top row is lighter than the hills below
        top, bottom = tile.locator("img").evaluate(
            """(img) => { const c = document.createElement('canvas');
                 c.width = img.naturalWidth; c.height = img.naturalHeight;
                 const x = c.getContext('2d'); x.drawImage(img, 0, 0);
                 const row = (y) => { const d = x.getImageData(0, y, c.width, 1).data; let s = 0;
                   for (let i = 0; i < d.length; i += 4) s += d[i] + d[i + 1] + d[i + 2]; return s / (d.length / 4); };
                 return [row(2), row(c.height - 3)]; }"""
        )
        assert top > bottom + 60, (top, bottom)
        # rows are justified: every full row spans the grid's width
        grid = page.locator(".im-jg").first.bounding_box()
        rows: dict[int, float] = {}
        for b in (t.bounding_box() for t in tiles.all()):
            rows[round(b["y"])] = max(rows.get(round(b["y"]), 0), b["x"] + b["width"])
        full = sorted(rows.items())[:-1]
        assert full and all(abs(right - (grid["x"] + grid["width"])) < 2 for _, right in full), (rows, grid)
        screenshot(page, "images-gallery")
        watch.assert_clean()


def test_lightbox_keyboard_zoom_slideshow(served: Any, browser: Any, library: dict[str, Any]) -> None:
    images = library["holidays"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        open_holidays(page, served, library)
        page.locator(".im-tile-link").first.focus()
        page.keyboard.press("Enter")  # a tile opens the lightbox, from the keyboard too
        page.locator(".pswp.pswp--open").wait_for()
        wait_counter(page, "1/8")
        settle_slide(page)
        assert page.url.endswith("#view=1")
        assert page.locator(".pswp__caption .lb-title").inner_text() == images[0]["title"]
        # the neighbours' previews are fetched before the user gets there
        page.wait_for_function(
            "(u) => performance.getEntriesByType('resource').some((e) => e.name.includes(u))",
            arg=images[1]["previewUrl"].split("?")[0] + "?size=preview",
        )
        download = page.locator(".pswp__button--download")
        assert download.get_attribute("href") == images[0]["fileUrl"]
        assert page.request.get(served.url + images[0]["fileUrl"]).body()[:2] == b"\xff\xd8"  # the original JPEG
        screenshot(page, "images-lightbox", full_page=False)

        page.keyboard.press("ArrowRight")
        wait_counter(page, "2/8")
        assert page.url.endswith("#view=2")
        assert page.locator(".pswp__caption .lb-title").inner_text() == images[1]["title"]
        assert download.get_attribute("href") == images[1]["fileUrl"]
        page.keyboard.press("ArrowRight")
        wait_counter(page, "3/8")
        page.keyboard.press("ArrowLeft")
        wait_counter(page, "2/8")

        # zoom: the Z key, the button, the mouse wheel
        settle_slide(page)
        page.keyboard.press("z")
        page.wait_for_selector(".pswp.pswp--zoomed-in")
        page.keyboard.press("z")
        page.wait_for_selector(".pswp:not(.pswp--zoomed-in)")
        page.locator(".pswp__button--zoom").click()
        page.wait_for_selector(".pswp.pswp--zoomed-in")
        page.locator(".pswp__button--zoom").click()
        page.wait_for_selector(".pswp:not(.pswp--zoomed-in)")
        page.mouse.move(720, 450)
        page.mouse.wheel(0, -400)
        page.wait_for_selector(".pswp.pswp--zoomed-in")
        page.keyboard.press("z")
        page.wait_for_selector(".pswp:not(.pswp--zoomed-in)")

        # the slideshow: 3 s between pictures, Space pauses it
        interval = page.locator(".pswp__button--interval")
        while interval.inner_text().strip() != "3 s":
            interval.click()
        page.locator(".pswp__button--slideshow").click()
        assert page.locator(".pswp__button--slideshow").get_attribute("aria-pressed") == "true"
        wait_counter(page, "3/8")  # by itself, after the interval
        page.keyboard.press(" ")
        assert page.locator(".pswp__button--slideshow").get_attribute("aria-pressed") == "false"
        page.wait_for_timeout(3300)
        assert counter(page) == "3/8"
        assert page.evaluate("localStorage.getItem('obscura-images-slideshow-interval')") == "3000"

        # Esc closes onto the grid and takes the #view entry away
        page.keyboard.press("Escape")
        page.wait_for_selector(".pswp", state="detached")
        page.wait_for_function("() => !location.hash")
        assert any(images[1]["previewUrl"].split("&")[0] in u for u in requested)
        watch.assert_clean()


def test_lightbox_touch(served: Any, browser: Any, library: dict[str, Any]) -> None:
    images = library["holidays"]
    rotated_index = next(n for n, i in enumerate(images) if i["title"] == "Sideways")
    with opened_page(browser, VIEWPORTS["phone"], mobile=True) as (page, watch):
        open_holidays(page, served, library)
        cdp = page.context.new_cdp_session(page)
        page.locator(".im-tile-link").first.tap()
        page.locator(".pswp.pswp--open").wait_for()
        wait_counter(page, "1/8")
        settle_slide(page)
        swipe(page, cdp, -260)  # finger right to left: the next picture
        wait_counter(page, "2/8")
        settle_slide(page)
        swipe(page, cdp, 260)
        wait_counter(page, "1/8")
        settle_slide(page)
        pinch(page, cdp, 220)
        page.wait_for_selector(".pswp.pswp--zoomed-in")
        screenshot(page, "images-lightbox-zoomed", full_page=False)
        # a double tap zooms back out
        vw, vh = page.viewport_size["width"], page.viewport_size["height"]
        page.touchscreen.tap(vw / 2, vh / 2)
        page.wait_for_timeout(60)
        page.touchscreen.tap(vw / 2, vh / 2)
        page.wait_for_selector(".pswp:not(.pswp--zoomed-in)")

        page.locator(".pswp__button--close").tap()
        page.wait_for_selector(".pswp", state="detached")
        assert "#view" not in page.url

        # a link into the lightbox opens it there: the rotated photo, upright in the lightbox too
        page.goto(f"{page.url}#view={rotated_index + 1}")
        page.locator(".pswp.pswp--open").wait_for()
        wait_counter(page, f"{rotated_index + 1}/8")
        settle_slide(page)
        size = page.evaluate(
            f"""() => {{ const img = {CURRENT_IMG}; const r = img.getBoundingClientRect();
                       return [img.naturalWidth, img.naturalHeight, r.width, r.height]; }}"""
        )
        assert size[1] > size[0] and size[3] > size[2], size
        screenshot(page, "images-lightbox", full_page=False)
        # the back button closes the lightbox, not the page
        page.go_back()
        page.wait_for_selector(".pswp", state="detached")
        assert "/galleries/" in page.url and "#view" not in page.url

        # a long press starts selecting with that picture; taps then add to the selection
        tile = page.locator(".im-tile").nth(1)
        tile.scroll_into_view_if_needed()
        box = tile.bounding_box()
        touch(cdp, "touchStart", [(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)])
        page.wait_for_timeout(700)
        touch(cdp, "touchEnd", [])
        page.locator("#im-selbar").wait_for()
        assert page.locator(".im-tile.is-selected").count() == 1 and page.locator(".pswp").count() == 0
        page.locator(".im-tile").nth(2).tap()
        assert page.locator("[data-sel-count]").inner_text() == "2 selected"
        page.wait_for_timeout(250)  # the selected tiles' transition
        screenshot(page, "images-select", full_page=False)
        page.locator(".im-selclose").tap()
        assert page.locator("#im-selbar").is_hidden()
        watch.assert_clean()


def test_image_page_and_edit(served: Any, browser: Any, library: dict[str, Any]) -> None:
    images = library["holidays"]
    second = images[1]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        open_holidays(page, served, library)
        page.locator(".im-tile-link").nth(1).click()
        page.locator(".pswp.pswp--open").wait_for()
        settle_slide(page)
        page.locator(".pswp__button--info").click()  # "details and edit"
        page.wait_for_url(f"**/images/{second['id']}")
        page.wait_for_selector('#im-image[data-ready="true"]')
        page.locator(".pswp").wait_for(state="detached")
        assert page.locator("h1 [data-field=title]").inner_text() == second["title"]
        facts = page.locator(".im-side dl.facts").inner_text()
        assert f"{second['width']} × {second['height']}" in facts and "JPEG" in facts and "Holiday 02.jpg" in facts
        page.wait_for_function("() => document.querySelector('[data-stage-img]').naturalWidth > 0")

        form = page.locator("[data-image-form]")
        form.locator("input[name=title]").fill("")
        form.locator("[data-save]").click()
        assert form.locator("[data-form-error]").inner_text() == "The title cannot be empty."
        form.locator("input[name=title]").fill("Dusk over the hills")
        form.locator(".im-rate-star").nth(4).click()
        form.locator("textarea[name=details]").fill("The second evening.")
        form.locator("input[name=organized]").check()
        screenshot(page, "images-detail")
        form.locator("[data-save]").click()
        form.locator("[data-saved]", has_text="Saved").wait_for()
        assert page.locator("h1 [data-field=title]").inner_text() == "Dusk over the hills"
        assert page.locator("[data-field=stars] .im-stars").get_attribute("aria-label") == "5 of 5 stars"
        saved = api(served.url, "GET", f"/api/images/{second['id']}")["data"]
        assert (saved["title"], saved["rating"], saved["details"], saved["organized"]) == (
            "Dusk over the hills", 100, "The second evening.", True,
        )  # fmt: skip
        page.reload()
        assert page.locator("input[name=title]").input_value() == "Dusk over the hills"
        assert page.locator("h1 [data-field=title]").inner_text() == "Dusk over the hills"

        # ← and → walk the gallery
        page.wait_for_selector('#im-image[data-ready="true"]')
        page.locator("h1").click()
        page.keyboard.press("ArrowRight")
        page.wait_for_url(f"**/images/{images[2]['id']}")
        page.wait_for_selector('#im-image[data-ready="true"]')
        page.keyboard.press("ArrowLeft")
        page.wait_for_url(f"**/images/{second['id']}")
        watch.assert_clean()
    api(served.url, "PATCH", f"/api/images/{second['id']}",
        {"title": second["title"], "rating": None, "details": None, "organized": False})  # fmt: skip


def test_bulk_rating(served: Any, browser: Any, library: dict[str, Any]) -> None:
    images = library["holidays"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        open_holidays(page, served, library)
        page.locator("[data-select-toggle]").first.click()
        bar = page.locator("#im-selbar")
        assert bar.is_visible() and bar.locator("[data-sel-count]").inner_text() == "0 selected"
        page.locator(".im-tile").nth(2).click()
        page.locator(".im-tile").nth(4).click()
        assert bar.locator("[data-sel-count]").inner_text() == "2 selected"
        assert page.locator(".im-tile.is-selected").count() == 2
        page.wait_for_timeout(250)
        screenshot(page, "images-select", full_page=False)
        bar.locator("[data-sel-rate='80']").click()
        page.locator(".toast", has_text="2 images").wait_for()
        for n in (2, 4):
            assert page.locator(".im-tile").nth(n).locator(".im-tile-badges").inner_text() == "★ 4"
            assert api(served.url, "GET", f"/api/images/{images[n]['id']}")["data"]["rating"] == 80
        assert api(served.url, "GET", f"/api/images/{images[3]['id']}")["data"]["rating"] is None
        page.keyboard.press("Escape")
        assert bar.is_hidden() and page.locator(".im-tile.is-selected").count() == 0
        # out of selection mode a click opens the lightbox again
        page.locator(".im-tile-link").nth(2).click()
        page.locator(".pswp.pswp--open").wait_for()
        wait_counter(page, "3/8")
        settle_slide(page)
        page.keyboard.press("Escape")
        page.wait_for_selector(".pswp", state="detached")
        watch.assert_clean()
    api(served.url, "PATCH", "/api/images/bulk", {"ids": [images[2]["id"], images[4]["id"]], "patch": {"rating": None}})


def test_drop_upload(served: Any, browser: Any, library: dict[str, Any]) -> None:
    day_two = library["galleries"]["Day Two"]
    with opened_page(browser, VIEWPORTS["desktop"]) as (page, watch):
        page.goto(f"{served.url}/galleries/{day_two['id']}")
        gallery_ready(page)
        assert page.locator(".im-jg .im-tile").count() == 2
        source = library["holidays"][3]["fileUrl"]  # real JPEG bytes, from the server
        page.evaluate(
            """async (url) => {
                const blob = await (await fetch(url)).blob();
                const dt = new DataTransfer();
                dt.items.add(new File([blob], 'Dropped Sunset.jpg', { type: 'image/jpeg' }));
                window.__drop = dt;
                window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
            }""",
            source,
        )
        assert page.locator("#im-drop").is_visible()
        assert "Day Two" in page.locator("#im-drop").inner_text()
        screenshot(page, "images-drop", full_page=False)
        page.evaluate(
            "() => document.body.dispatchEvent(new DragEvent('drop', "
            "{ dataTransfer: window.__drop, bubbles: true, cancelable: true }))"
        )
        assert page.locator("#im-drop").is_hidden()
        page.locator("#im-tray [data-tray-title]", has_text="Added 1 image").wait_for(timeout=30_000)
        assert page.locator("#im-tray .progress").get_attribute("aria-valuenow") == "100"
        tiles = page.locator(".im-jg .im-tile")
        tiles.nth(2).wait_for()
        assert tiles.count() == 3 and page.locator("[data-total-badge]").inner_text() == "3"
        # its thumbnail follows once the worker has made it
        tiles.nth(2).locator("img").wait_for(timeout=60_000)
        page.wait_for_function(THUMBS_LOADED, arg=".im-jg .im-tile img", timeout=15_000)
        assert (library["files"]["day_two"] / "Dropped Sunset.jpg").is_file()
        detail = api(served.url, "GET", f"/api/galleries/{day_two['id']}")["data"]
        assert detail["imageCount"] == 3 and detail["images"]["items"][-1]["title"] == "Dropped Sunset"
        watch.assert_clean()
    wait_for_jobs(served.url, timeout=60)
