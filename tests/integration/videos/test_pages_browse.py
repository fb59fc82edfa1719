"""The server-rendered videos pages: /videos (views, filters in the URL, keyset paging, empty states),
its fragments, /series/<id> (and its HTML 404), the palette search hook and the dashboard panels."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from plugin_sdk.models import LibraryRoot
from plugins_builtin.videos.models import Video, VideoSeason, VideoSeries
from plugins_builtin.videos.pages import browse
from plugins_builtin.videos.pages.filter_bar import forget_codecs
from plugins_builtin.videos.pages.panels import panels
from plugins_builtin.videos.pages.search import search

pytestmark = pytest.mark.integration

T0 = datetime(2024, 1, 1, tzinfo=UTC)


# ----------------------------------------------------------------------------------------- data


class Library:
    """Rows written straight to the database (the scan pipeline has its own tests)."""

    def __init__(self, runtime: Any) -> None:
        self.rt = runtime
        self.n = 0
        forget_codecs()

    def root(self, path: str = "/media/library", label: str = "Library", **kw: Any) -> str:
        with self.rt.session() as db:
            root = LibraryRoot(path=path, label=label, **kw)
            db.add(root)
            db.commit()
            return root.id

    def series(self, root_id: str, title: str, seasons: tuple[int, ...] = (1,), **kw: Any) -> str:
        with self.rt.session() as db:
            s = VideoSeries(
                library_root_id=root_id, folder_path=f"/media/library/{title}", relative_path=title, title=title, **kw
            )
            db.add(s)
            db.flush()
            for n in seasons:
                db.add(VideoSeason(series_id=s.id, season_number=n, title=f"Season {n}" if n else "Specials"))
            db.commit()
            return s.id

    def video(self, root_id: str, title: str, **kw: Any) -> str:
        self.n += 1
        kw.setdefault("kind", "episode" if kw.get("series_id") else "movie")
        kw.setdefault("created_at", T0 + timedelta(minutes=self.n))
        kw.setdefault("file_path", f"/media/library/{title}-{self.n}.mp4")
        with self.rt.session() as db:
            v = Video(library_root_id=root_id, title=title, sort_title=title.lower(), **kw)
            db.add(v)
            db.commit()
            return v.id


@pytest.fixture
def lib(runtime: Any) -> Library:
    return Library(runtime)


@pytest.fixture
def shelf(lib: Library) -> dict[str, str]:
    """Two movies and a series with two seasons and a special."""
    root = lib.root()
    stamp = T0 + timedelta(days=1)
    ids = {"root": root}
    ids["movie"] = lib.video(
        root, "Arrival Time", year=2016, duration=5400, width=1920, height=1080, video_codec="h264",
        file_size=4_200_000_000, resume_time=2700, rating=80, thumbnail_at=stamp, preview_at=stamp,
    )  # fmt: skip
    ids["movie4k"] = lib.video(
        root, "Zebra Crossing", year=2020, duration=600, width=3840, height=2160, video_codec="hevc",
        file_size=900_000_000, play_count=3, organized=True, thumbnail_at=stamp,
    )  # fmt: skip
    show = lib.series(root, "Clip Show", seasons=(0, 1, 2), year=2019, overview="A show about clips.")
    ids["series"] = show
    ep = {"series_id": show, "width": 640, "height": 360, "video_codec": "h264", "duration": 1500, "file_size": 10**8}
    # the special is inserted first: the poster must still come from S01E01
    ids["special"] = lib.video(root, "Behind the Clips", season_number=0, episode_number=1, thumbnail_at=stamp, **ep)
    ids["s2e1"] = lib.video(root, "Return", season_number=2, episode_number=1, thumbnail_at=stamp, **ep)
    ids["s1e2"] = lib.video(root, "Second", season_number=1, episode_number=2, play_count=1, thumbnail_at=stamp, **ep)
    ids["s1e1"] = lib.video(root, "Pilot", season_number=1, episode_number=1, thumbnail_at=stamp, **ep)
    return ids


def page(client: Any, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def card_ids(text: str) -> list[str]:
    return re.findall(r'<a class="media-card vb-card" href="/videos/([^"]+)"', text)


def row_ids(text: str) -> list[str]:
    return re.findall(r'<a class="vb-row-link" href="/videos/([^"]+)"', text)


def more_url(text: str) -> str | None:
    found = re.search(r'hx-get="(/videos/fragments/more\?[^"]+)"', text)
    return html.unescape(found.group(1)) if found else None


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


# ----------------------------------------------------------------------------------------- /videos


def test_empty_states(client, lib) -> None:
    text = page(client, "/videos")
    assert "Add a library folder to get started" in text and 'href="/settings"' in text
    assert "data-scan" not in text

    root = lib.root()
    text = page(client, "/videos")
    assert "No videos yet" in text and "Scan now" in text and "data-scan" in text
    assert "Add a library folder" not in text
    text = page(client, "/videos?search=nothing")  # nothing at all yet: a scan is what is missing
    assert "No videos yet" in text

    lib.video(root, "Only Movie", duration=100)
    text = page(client, "/videos?search=zzz&view=grid")
    assert "No videos match these filters" in text and "Clear filters" in text
    assert 'href="/videos?view=grid" data-clear' in text  # the view stays, the filters go
    assert "“zzz”" in text  # the active filter is shown as a removable chip
    text = page(client, "/videos?kind=episode")  # series view: no series, no movies among episodes
    assert "No videos match these filters" in text


def test_grid_cards(client, shelf) -> None:
    text = page(client, "/videos?view=grid")
    ids = card_ids(text)
    assert ids[0] == shelf["s1e1"] and len(ids) == 6  # newest first
    assert 'aria-pressed="true" title="Grid view"' in text
    movie = text[text.index(f'href="/videos/{shelf["movie"]}"') :].split("</li>", 1)[0]
    assert f'data-preview="/api/videos/{shelf["movie"]}/preview"' in movie
    assert 'loading="lazy" decoding="async"' in movie and f"/api/videos/{shelf['movie']}/thumbnail?v=" in movie
    assert ">1080p<" in movie and ">1:30:00<" in movie and 'style="width:50%"' in movie  # resume 45 of 90 min
    assert "Arrival Time" in movie and "2016" in movie
    zebra = text[text.index(f'href="/videos/{shelf["movie4k"]}"') :].split("</li>", 1)[0]
    assert ">4K<" in zebra and ">10:00<" in zebra and "3 plays" in zebra and "Watched" in zebra
    assert "data-preview" not in zebra  # no preview clip yet: nothing to play on hover
    second = text[text.index(f'href="/videos/{shelf["s1e2"]}"') :].split("</li>", 1)[0]
    assert ">S01E02<" in second and "Clip Show" in second and ">360p<" in second
    special = text[text.index(f'href="/videos/{shelf["special"]}"') :].split("</li>", 1)[0]
    assert ">S00E01<" in special
    # the whole page: filter bar, upload, the module
    assert 'data-page-module="/static/videos/browse.js"' in text
    assert 'id="vb-upload-dialog"' in text and "data-upload-open" in text
    assert '"label": "Library"' in text or '"label":"Library"' in text  # the roots uploads may go to


def test_filters_are_reflected_and_applied(client, shelf) -> None:
    url = "/videos?view=grid&search=arrival&resolution=1080p&codec=H264&played=false&sort=title&order=asc"
    text = page(client, url)
    assert card_ids(text) == [shelf["movie"]]
    assert 'name="search" value="arrival"' in text
    assert '<option value="1080p" selected>' in text
    assert '<option value="h264" selected>H.264</option>' in text
    assert '<option value="false" selected>Unwatched</option>' in text
    assert '<option value="title" selected>Title</option>' in text
    assert 'data-order="asc"' in text
    assert '<input type="hidden" name="view" value="grid">' in text
    chips = re.findall(r'data-remove="([^"]+)"', text)
    assert chips == ["search", "resolution", "codec", "played"]
    # each chip removes its own filter and keeps the rest of the state
    remove_codec = html.unescape(re.search(r'href="([^"]+)" data-remove="codec"', text).group(1))
    assert remove_codec == "/videos?view=grid&search=arrival&resolution=1080p&played=false&sort=title&order=asc"
    assert "data-filter-count>3<" in text  # search is not counted

    assert card_ids(page(client, "/videos?view=grid&kind=episode&season=1&sort=episode&order=asc")) == [
        shelf["s1e1"], shelf["s1e2"],
    ]  # fmt: skip
    assert card_ids(page(client, "/videos?view=grid&ratingMin=60")) == [shelf["movie"]]
    assert card_ids(page(client, "/videos?view=grid&organized=true")) == [shelf["movie4k"]]
    assert set(card_ids(page(client, "/videos?view=grid&played=true"))) == {shelf["movie4k"], shelf["s1e2"]}
    # the duration select without JS sends "min-max"
    text = page(client, "/videos?view=grid&duration=300-1200")
    assert card_ids(text) == [shelf["movie4k"]] and "5–20 min" in text
    text = page(client, "/videos?view=grid&durationMin=1000&durationMax=2000")  # not a preset
    assert '<option value="1000-2000" selected>16:40–33:20</option>' in text

    # values the API would refuse are dropped (and said so), the page still renders
    text = page(client, "/videos?view=grid&resolution=8k&ratingMin=500&sort=random&codec=hevc")
    assert card_ids(text) == [shelf["movie4k"]]
    assert "were not understood" in text and "resolution" in text and "ratingMin" in text and "sort" in text


def test_list_view(client, shelf) -> None:
    text = page(client, "/videos?view=list&sort=size")
    assert '<table class="table vb-table">' in text and 'aria-pressed="true" title="List view"' in text
    assert row_ids(text)[:2] == [shelf["movie"], shelf["movie4k"]]  # biggest first
    for header in ("Title", "Series / episode", "Duration", "Resolution", "Codec", "Size", "Rating", "Added"):
        assert header in text
    assert 'aria-sort="descending"' in text
    row = text[text.index(f'href="/videos/{shelf["movie"]}"') :].split("</tr>", 1)[0]
    assert "4.2 GB" in row and "H.264" in row and "1:30:00" in row and "1080p" in row and "Jan 1, 2024" in row
    assert 'aria-label="4 of 5 stars"' in row
    ep = text[text.index(f'href="/videos/{shelf["s1e2"]}"') :].split("</tr>", 1)[0]
    assert f'href="/series/{shelf["series"]}">Clip Show</a>' in ep and "S01E02" in ep
    # a sortable header toggles the order of its own sort
    assert 'href="/videos?view=list&amp;sort=size&amp;order=asc" data-sort-col="size"' in text


def test_series_view(client, lib, shelf) -> None:
    text = page(client, "/videos")  # default view when series exist
    assert 'aria-pressed="true" title="Series view"' in text
    assert "1 series · 2 movies" in text
    assert ">Series</h2>" in text and ">Movies</h2>" in text
    card = text[text.index(f'href="/series/{shelf["series"]}"') :].split("</li>", 1)[0]
    assert "Clip Show" in card and "2 seasons" in card and "4 episodes" in card and "2019" in card
    assert f"/api/videos/{shelf['s1e1']}/thumbnail" in card  # S01E01, not the special inserted first
    assert 'title="3 unwatched"' in card
    assert set(card_ids(text)) == {shelf["movie"], shelf["movie4k"]}  # movies apart, episodes in their series

    assert f'href="/series/{shelf["series"]}"' not in page(client, "/videos?kind=movie")
    text = page(client, "/videos?kind=episode")
    assert "Clip Show" in text and ">Movies</h2>" not in text
    # a search matches series by name, or by one of their episodes
    assert f'href="/series/{shelf["series"]}"' in page(client, "/videos?search=clip%20show")
    assert f'href="/series/{shelf["series"]}"' in page(client, "/videos?search=pilot")
    assert f'href="/series/{shelf["series"]}"' not in page(client, "/videos?search=arrival")
    assert f'href="/series/{shelf["series"]}"' not in page(client, "/videos?resolution=4k")

    # series beyond the first page come from the series fragment
    for i in range(browse.SERIES_PER_PAGE + 2):
        sid = lib.series(shelf["root"], f"Show {i:02d}")
        lib.video(shelf["root"], f"Show {i:02d} E1", series_id=sid, season_number=1, episode_number=1)
    text = page(client, "/videos")
    first = re.findall(r'href="/series/([^"]+)"', text)
    assert len(first) == browse.SERIES_PER_PAGE
    nxt = html.unescape(re.search(r'hx-get="(/videos/fragments/series\?[^"]+)"', text).group(1))
    rest = re.findall(r'href="/series/([^"]+)"', page(client, nxt))
    assert len(rest) == 3 and not set(rest) & set(first)


def test_keyset_paging_and_fragments(client, runtime, lib) -> None:
    root = lib.root()
    for i in range(130):
        lib.video(root, f"Movie {i:03d}", duration=60 + i, width=1280, height=720, video_codec="h264")
    expected = [i["id"] for i in client.get("/api/videos?perPage=200").get_json()["data"]["items"]]

    text = page(client, "/videos")
    seen = card_ids(text)
    assert len(seen) == browse.PER_PAGE["grid"]
    assert "data-autoload" in text and "Load more" in text
    # without JS, "Load more" is a link to the same page at the cursor
    href = html.unescape(re.search(r'class="btn vb-more-btn" href="([^"]+)"', text).group(1))
    assert href.startswith("/videos?cursor=")
    assert card_ids(page(client, href))[0] == expected[48]
    url = more_url(text)
    while url:
        assert "/fragments/more?" in url and "cursor=" in url and "view=grid" in url
        fragment = page(client, url)
        assert "<html" not in fragment and "<li>" in fragment
        seen += card_ids(fragment)
        url = more_url(fragment)
    assert seen == expected

    # list view: 60 rows a page, rows in the fragments
    text = page(client, "/videos?view=list&sort=duration&order=asc")
    rows = row_ids(text)
    assert len(rows) == 60
    fragment = page(client, more_url(text))
    assert fragment.lstrip().startswith("<tr>") and "<td" in fragment
    assert row_ids(fragment)[0] == rows[-1] or len(set(rows) & set(row_ids(fragment))) == 0
    rows += row_ids(fragment)
    rows += row_ids(page(client, more_url(fragment)))
    assert len(rows) == 130 and len(set(rows)) == 130

    # episode order pages by number (no cursor)
    text = page(client, "/videos?view=grid&sort=episode")
    assert "page=2" in more_url(text)
    assert len(card_ids(page(client, more_url(text)))) == 48

    # a cursor of another sort: the fragment adds nothing, the full page starts over
    cursor = re.search(r"cursor=([^&\"]+)", more_url(page(client, "/videos?view=grid"))).group(1)
    assert card_ids(page(client, f"/videos/fragments/more?view=grid&sort=title&cursor={cursor}")) == []
    assert card_ids(page(client, "/videos/fragments/more?view=grid&cursor=garbage")) == []
    assert len(card_ids(page(client, f"/videos?view=grid&sort=title&cursor={cursor}"))) == 48

    # results fragment: the region only
    fragment = page(client, "/videos/fragments/results?view=list&search=Movie%2012")
    assert "<html" not in fragment and 'data-view="list"' in fragment
    assert len(row_ids(fragment)) == 10 and "10 videos" in fragment  # Movie 120–129

    # a constant number of queries, whatever the page holds; the page stays small
    with count_queries(runtime) as grid_queries:
        text = page(client, "/videos?view=grid")
    assert len(grid_queries) <= 10, grid_queries
    assert len(text.encode()) < 60_000
    with count_queries(runtime) as list_queries:
        page(client, "/videos?view=list")
    assert len(list_queries) <= 10


def test_series_view_queries_do_not_grow(client, runtime, lib) -> None:
    root = lib.root()
    counts = []
    page(client, "/videos")  # once before counting: a process's first page also reads the migration gate
    for n in (1, 12):
        while len(counts) < n:
            sid = lib.series(root, f"Series {len(counts):02d}", seasons=(1, 2))
            for s in (1, 2):
                lib.video(root, f"S{len(counts)} {s}", series_id=sid, season_number=s, episode_number=1,
                          thumbnail_at=T0)  # fmt: skip
            counts.append(sid)
        forget_codecs()
        with count_queries(runtime) as queries:
            text = page(client, "/videos")
        assert len(re.findall(r'href="/series/', text)) == n
        counts_for = len(queries)
        if n == 1:
            one = counts_for
    assert counts_for == one


def test_series_page(client, shelf) -> None:
    text = page(client, f"/series/{shelf['series']}")
    assert "<title>Clip Show · Obscura</title>" in text
    assert 'data-page-module="/static/videos/series.js"' in text
    assert 'class="bottomnav"' in text  # the layout
    assert 'href="/videos" data-nav-command="Videos" aria-current="page"' in text  # still under Videos
    assert "A show about clips." in text and ">2019<" in text
    assert "2 seasons" in text and "4 episodes" in text and "1 of 4 watched" in text
    labels = re.findall(r'role="tab"[^>]*>([^<]+) <span', text)
    assert labels == ["Season 1", "Season 2", "Specials"]  # specials last
    order = [m for m in re.findall(r'class="sx-ep vb-card" href="/videos/([^"]+)"', text)]
    assert order == [shelf["s1e1"], shelf["s1e2"], shelf["s2e1"], shelf["special"]]
    assert ">S01E01<" in text and ">S02E01<" in text and ">S00E01<" in text
    assert "Watched</span>" in text  # S01E02 was played
    assert f'href="/videos/{shelf["s1e1"]}">' in text and "Play S01E01" in text  # next up: the first unwatched
    assert f"/api/videos/{shelf['s1e1']}/thumbnail" in text.split('class="sx-poster', 1)[1][:300]
    assert 'id="sx-edit"' in text and 'name="title"' in text and 'value="80" checked' not in text

    # an edit through the API shows on the page
    resp = page_patch = None
    resp = page_patch = client.patch(f"/api/series/{shelf['series']}", json={"title": "Clips!", "rating": 60})
    assert page_patch.status_code == 200, resp.get_json()
    text = page(client, f"/series/{shelf['series']}")
    assert "Clips!" in text and 'aria-label="3 of 5 stars"' in text and 'value="60" checked' in text


def test_series_page_404(client, lib) -> None:
    text = page(client, "/series/no-such-series", status=404)
    assert "This series does not exist" in text and 'class="bottomnav"' in text and "Back to videos" in text
    assert page(client, "/series/" + "x" * 100, status=404)


def test_series_with_only_loose_episodes(client, lib) -> None:
    root = lib.root()
    sid = lib.series(root, "Flat Show", seasons=(0,))
    for n in (3, 1, 2):
        lib.video(root, f"Flat Show - {n:03d}", series_id=sid, season_number=0, absolute_episode_number=n)
    text = page(client, f"/series/{sid}")
    assert ">Episodes</h2>" in text and "Specials" not in text and 'role="tablist"' not in text
    assert re.findall(r">E0(\d)<", text) == ["1", "2", "3"]


# ----------------------------------------------------------------------------------------- search


def test_search_hook(runtime, shelf, lib) -> None:
    lib.video(shelf["root"], "The Pilot's Story", duration=10)
    lib.series(shelf["root"], "Pilot Academy")
    with runtime.session() as db, count_queries(runtime) as queries:
        hits = search(db, "PILOT", 10)
    assert len([q for q in queries if q.startswith(("SELECT videos.", "SELECT video_series."))]) == 2  # one per kind
    by_title = {h.title: h for h in hits}
    assert set(by_title) == {"Pilot", "The Pilot's Story", "Pilot Academy"}
    assert by_title["Pilot"].kind == "video" and by_title["Pilot"].subtitle == "Clip Show · S01E01"
    assert by_title["Pilot"].url == f"/videos/{shelf['s1e1']}"
    assert by_title["Pilot"].thumbnail_url.startswith(f"/api/videos/{shelf['s1e1']}/thumbnail")
    assert by_title["Pilot Academy"].kind == "series" and by_title["Pilot Academy"].url.startswith("/series/")
    assert by_title["Pilot"].score > by_title["Pilot Academy"].score > by_title["The Pilot's Story"].score
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    with runtime.session() as db:
        found = search(db, "i", 2)
        assert [h.kind for h in found].count("video") == 2  # the limit holds per kind
        assert {h.kind for h in search(db, "i", 2, kinds=["series"])} == {"series"}
        movie = next(h for h in search(db, "arrival", 5))
        assert movie.subtitle == "Movie · 2016"
        show = next(h for h in search(db, "clip show", 5) if h.kind == "series")
        assert show.subtitle == "Series · 2019 · 4 episodes"
        assert show.thumbnail_url.startswith(f"/api/videos/{shelf['s1e1']}/thumbnail")
        assert search(db, "100%_sure", 5) == [] and search(db, "   ", 5) == []


def test_palette_uses_the_hook(client, shelf) -> None:
    groups = client.get("/api/palette?q=clip").get_json()["data"]["groups"]
    labels = {g["label"]: [i["title"] for i in g["items"]] for g in groups}
    assert (
        labels["Series"] == ["Clip Show"]
        or labels.get("Series") == ["Clip Show"]
        or any("Clip Show" in items for items in labels.values())
    )


# ----------------------------------------------------------------------------------------- panels


def test_panels(client, lib, shelf) -> None:
    found = panels("dashboard")
    assert [(p.title, p.order, p.url) for p in found] == [
        ("Library", 10, "/videos/fragments/panel-library"),
        ("Recently added", 20, "/videos/fragments/panel-recent"),
    ]
    assert all(p.template is None for p in found)
    assert panels("video") == [] and panels("series") == []

    dashboard = page(client, "/")
    assert 'hx-get="/videos/fragments/panel-library"' in dashboard
    assert dashboard.index("panel-library") < dashboard.index("panel-recent")

    text = page(client, "/videos/fragments/panel-library")
    stats = dict(re.findall(r"<b>([^<]+)</b><span>([^<]+)</span>", text))
    assert {v: k for k, v in stats.items()} == {
        "Movies": "2", "Episodes": "4", "Series": "1", "Total duration": "3 h 20 min", "Total size": "5.5 GB",
    }  # fmt: skip
    for i in range(12):
        lib.video(shelf["root"], f"New {i:02d}")
    text = page(client, "/videos/fragments/panel-recent")
    titles = re.findall(r'<span class="title">([^<]+)</span>', text)
    assert titles == [f"New {i:02d}" for i in range(11, -1, -1)]


def test_panels_when_empty(client) -> None:
    for url in ("/videos/fragments/panel-library", "/videos/fragments/panel-recent"):
        text = page(client, url)
        assert 'href="/settings"' in text and "<html" not in text
