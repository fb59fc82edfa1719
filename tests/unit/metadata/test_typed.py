"""Typed results as the community plugins answer them, read and accepted (``metadata.typed``) and
recognised (``packages.actions.detect``). The answers are shaped like the real TMDB plugin's
(``movieToVideoResult``, ``tvToVideoResult``, ``folderSeriesFromTvDetail``: typed keys with the
legacy flat keys beside them) and the original's ``{kind, movie|series|episode}`` wrapper."""

from __future__ import annotations

from typing import Any

import pytest

from plugin_sdk.errors import ValidationError
from plugins_builtin.metadata import typed
from plugins_builtin.packages.actions import detect, to_results

IMG = "https://image.tmdb.org/t/p"
TMDB_MOVIE = {  # movieToVideoResult
    "title": "The Matrix", "originalTitle": "The Matrix", "overview": "A hacker learns the truth.",
    "tagline": "Welcome to the Real World.", "releaseDate": "1999-03-30", "runtime": 136,
    "genres": ["Action", "Science Fiction", "action"], "studioName": "Village Roadshow Pictures",
    "cast": [{"name": "Keanu Reeves", "character": "Neo", "order": 0, "profileUrl": f"{IMG}/w185/k.jpg"},
             {"name": "Carrie-Anne Moss", "character": "Trinity", "order": 1, "profileUrl": None}],
    "posterCandidates": [{"url": f"{IMG}/original/p.jpg", "source": "tmdb", "rank": 10}],
    "backdropCandidates": [{"url": f"{IMG}/original/b.jpg", "source": "tmdb", "rank": 9}],
    "externalIds": {"tmdb": "603"}, "date": "1999-03-30", "details": "A hacker learns the truth.",
    "urls": ["https://www.themoviedb.org/movie/603"], "performerNames": ["Keanu Reeves"], "tagNames": ["Action"],
    "imageUrl": f"{IMG}/w500/p.jpg", "episodeNumber": None, "series": None, "code": None, "director": "Lana",
}  # fmt: skip
TMDB_TV_VIDEO = {  # tvToVideoResult: a videoByName hit that is a TV show (legacy keys and a cast)
    "title": "Dark", "date": "2017-12-01", "details": "A missing child.", "urls": ["https://www.themoviedb.org/tv/70523"],
    "studioName": "Netflix", "cast": [{"name": "Louis Hofmann", "character": "Jonas", "order": 0}],
    "performerNames": ["Louis Hofmann"], "tagNames": ["Drama", "Mystery"], "imageUrl": f"{IMG}/w500/d.jpg",
    "episodeNumber": None, "series": {"name": "Dark", "externalId": "tmdb:70523"}, "code": None, "director": None,
}  # fmt: skip


def _episode(season: int, number: int, title: str) -> dict[str, Any]:
    return {"seasonNumber": season, "episodeNumber": number, "title": title, "overview": f"{title}.",
            "airDate": "2017-12-01", "runtime": 51, "stillCandidates": [{"url": f"{IMG}/w780/{season}{number}.jpg"}],
            "guestStars": [{"name": f"Guest {number}", "character": "Guest", "order": 3}],
            "externalIds": {"tmdb": f"{season}{number}"}, "matched": True,
            "localFilePath": f"/s{season}e{number}.mkv"}  # fmt: skip


TMDB_SERIES = {  # folderSeriesFromTvDetail (bare: no kind wrapper)
    "title": "Dark", "originalTitle": "Dark", "overview": "A missing child.", "tagline": None,
    "firstAirDate": "2017-12-01", "endAirDate": "2020-06-27", "status": "ended", "genres": ["Drama", "Mystery"],
    "studioName": "Netflix", "cast": [{"name": "Louis Hofmann", "character": "Jonas", "order": 0}],
    "posterCandidates": [{"url": f"{IMG}/original/p1.jpg"}, {"url": f"{IMG}/original/p2.jpg"}],
    "backdropCandidates": [], "logoCandidates": [{"url": f"{IMG}/w500/logo.png"}], "externalIds": {"tmdb": "70523"},
    "seasons": [
        {"seasonNumber": 1, "title": "Season 1", "overview": "Jonas.", "airDate": "2017-12-01",
         "posterCandidates": [{"url": f"{IMG}/original/s1.jpg"}], "externalIds": {"tmdb": "s1"},
         "episodes": [_episode(1, 1, "Secrets"), _episode(1, 2, "Lies")]},
        {"seasonNumber": 2, "title": "Season 2", "posterCandidates": [{"url": f"{IMG}/original/s2.jpg"}],
         "episodes": [_episode(2, 1, "Beginnings and Endings")]},
    ],
    "candidates": [{"externalIds": {"tmdb": "70523"}, "title": "Dark", "year": 2017},
                   {"externalIds": {"tmdb": "1"}, "title": "Dark Matter", "year": 2015}],
    "name": "Dark", "details": "A missing child.", "date": "2017-12-01", "tagNames": ["Drama"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (TMDB_MOVIE, "movie"),
        (TMDB_TV_VIDEO, "movie"),
        (TMDB_SERIES, "series"),
        ({"kind": "episode", "episode": _episode(1, 2, "Lies")}, "episode"),
        ({"kind": "series", "series": {"title": "Dark", "seasons": []}}, "series"),
        (_episode(1, 2, "Lies"), "episode"),
        ({"title": "Flat", "date": "2020-01-01", "performerNames": ["A"], "tagNames": ["B"]}, None),
        ({"name": "Folder", "details": "x", "imageUrl": "https://x/y.jpg"}, None),
    ],
)
def test_answers_are_recognised_as_the_original_recognises_them(answer: dict[str, Any], kind: str | None) -> None:
    found = detect(answer)
    assert (found[0] if found else None) == kind


def test_a_tmdb_movie_is_read_with_its_typed_keys_and_names_deduplicated() -> None:
    movie = typed.proposed("movie", TMDB_MOVIE)
    assert movie["genres"] == ["Action", "Science Fiction"]
    assert [c["name"] for c in movie["cast"]] == ["Keanu Reeves", "Carrie-Anne Moss"]
    assert movie["cast"][1] == {"name": "Carrie-Anne Moss", "character": "Trinity", "order": 1}
    assert (movie["releaseDate"], movie["runtime"], movie["externalIds"]) == ("1999-03-30", 136, {"tmdb": "603"})


def test_a_tv_show_answered_with_legacy_keys_keeps_its_date_overview_genres_and_poster() -> None:
    movie = typed.proposed("movie", TMDB_TV_VIDEO)
    assert (movie["overview"], movie["releaseDate"], movie["genres"]) == (
        "A missing child.",
        "2017-12-01",
        ["Drama", "Mystery"],
    )
    assert movie["posterCandidates"] == [{"url": f"{IMG}/w500/d.jpg", "source": "legacy"}]


def test_accepting_a_series_keeps_the_mask_and_the_cascade_choices() -> None:
    body = typed.proposed("series", TMDB_SERIES)
    options = {"acceptAllSeasons": True, "seasonOverrides": {
        "1": {"fieldMask": {"title": False}, "episodes": {"2": {"accepted": False}}},
        "2": {"accepted": False}}}  # fmt: skip
    fields = typed.accepted_fields("series", body, ["overview", "genres", "cast", "externalIds"], options)
    assert fields["tags"] == ["Drama", "Mystery"] and fields["performers"] == ["Louis Hofmann"]
    assert fields["cast"] == [{"name": "Louis Hofmann", "character": "Jonas", "order": 0}]
    assert "title" not in fields and "date" not in fields
    [season] = fields["seasons"]
    assert season["seasonNumber"] == 1 and "title" not in season["fields"] and season["fields"]["overview"] == "Jonas."
    assert [(e["episodeNumber"], e["fields"]["title"]) for e in season["episodes"]] == [(1, "Secrets")]
    assert season["episodes"][0]["fields"]["performers"] == ["Guest 1"]


@pytest.mark.parametrize(
    ("options", "slots"),
    [
        ({}, {"poster": "p1.jpg", "logo": "logo.png", "season:1:poster": "s1.jpg", "season:2:poster": "s2.jpg"}),
        ({"selectedImages": {"poster": f"{IMG}/original/p2.jpg", "logo": None}},
         {"poster": "p2.jpg", "season:1:poster": "s1.jpg", "season:2:poster": "s2.jpg"}),
        ({"acceptAllSeasons": False, "seasonOverrides": {"2": {"accepted": True, "selectedImages": {"poster": ""}}}},
         {"poster": "p1.jpg", "logo": "logo.png"}),
    ],
)  # fmt: skip
def test_the_images_downloaded_are_the_chosen_ones(options: dict[str, Any], slots: dict[str, str]) -> None:
    got = typed.image_slots("series", typed.proposed("series", TMDB_SERIES), options)
    assert {slot: url.rsplit("/", 1)[-1] for slot, url in got.items()} == slots


@pytest.mark.parametrize(
    ("kind", "fields", "options"),
    [
        ("series", ["performers"], {}),
        ("series", None, {"selectedImages": {"poster": "https://elsewhere.example/p.jpg"}}),
        ("series", None, {"seasonOverrides": {"1": {"fieldMask": ["title", "bogus"]}}}),
    ],
)
def test_bad_masks_and_image_choices_are_refused(kind: str, fields: Any, options: dict[str, Any]) -> None:
    body = typed.proposed(kind, TMDB_SERIES)
    with pytest.raises(ValidationError):
        typed.check_mask(fields)
        typed.image_slots(kind, body, options)
        typed.accepted_fields(kind, body, fields, options)


def test_ratings_are_stored_out_of_100() -> None:
    movie = typed.proposed("movie", {**TMDB_MOVIE, "rating": 8.7})
    assert typed.accepted_fields("movie", movie, ["rating"], {}) == {"rating": 87}


def test_results_of_a_list_answer_are_each_kept() -> None:
    results = to_results(
        [TMDB_MOVIE, TMDB_SERIES, "junk", {"title": "Flat", "tagNames": ["x"]}], "videoByName", "scene"
    )
    assert [(r.kind, r.raw.get("title")) for r in results] == [
        ("movie", "The Matrix"),
        ("series", "Dark"),
        (None, "Flat"),
    ]
    assert results[2].raw["tags"] == [{"name": "x"}]
