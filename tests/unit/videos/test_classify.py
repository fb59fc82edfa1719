"""Unit tests for depth-based video classification."""

from __future__ import annotations

from pathlib import Path, PurePath

import pytest

from plugins_builtin.videos.scanning.classify import Classification, classify_video

ROOT = Path("/media/library")


def classify(relative: str, *, movies: bool = True, series: bool = True) -> Classification:
    """Classify ``ROOT/relative`` with the given toggles."""
    return classify_video(ROOT, ROOT / relative, scan_movies=movies, scan_series=series)


# (relative path, scan_movies, scan_series, kind, season, series folder, season folder)
TABLE: list[tuple[str, bool, bool, str, int | None, str | None, str | None]] = [
    # depth 0
    ("Blade Runner (1982).mkv", True, True, "movie", None, None, None),
    ("Blade Runner (1982).mkv", True, False, "movie", None, None, None),
    ("Loose.mkv", False, True, "skip", None, None, None),
    ("Loose.mkv", False, False, "skip", None, None, None),
    # depth 1 — flat series
    ("The Expanse/S01E01.mkv", True, True, "episode", 0, "The Expanse", None),
    ("The Expanse/S01E01.mkv", False, True, "episode", 0, "The Expanse", None),
    ("The Expanse/S01E01.mkv", True, False, "skip", None, None, None),
    ("The Expanse/S01E01.mkv", False, False, "skip", None, None, None),
    # depth 2 — season folders
    (
        "Breaking Bad/Season 1/S01E01.mkv",
        True,
        True,
        "episode",
        1,
        "Breaking Bad",
        "Season 1",
    ),
    ("Breaking Bad/S02/x.mkv", False, True, "episode", 2, "Breaking Bad", "S02"),
    ("Dark/Staffel 3/x.mkv", True, True, "episode", 3, "Dark", "Staffel 3"),
    ("Show/12/x.mkv", True, True, "episode", 12, "Show", "12"),
    ("Show/Specials/Behind.mkv", True, True, "episode", 0, "Show", "Specials"),
    (
        "Show/Extras Folder/Interview.mkv",
        True,
        True,
        "episode",
        0,
        "Show",
        "Extras Folder",
    ),
    ("Show/Season 1/S01E01.mkv", True, False, "skip", None, None, None),
    # depth 3+
    ("Anime/One Piece/Arc 1/Episode 1.mkv", True, True, "skip", None, None, None),
    ("a/b/c/d/e.mkv", True, True, "skip", None, None, None),
]


@pytest.mark.parametrize(
    (
        "relative",
        "movies",
        "series",
        "kind",
        "season",
        "series_folder",
        "season_folder",
    ),
    TABLE,
    ids=[f"{row[0]}|m={row[1]}|s={row[2]}" for row in TABLE],
)
def test_classification_table(
    relative: str,
    movies: bool,
    series: bool,
    kind: str,
    season: int | None,
    series_folder: str | None,
    season_folder: str | None,
) -> None:
    """Depth 0/1/2/3 with every toggle combination lands where the rules say."""
    result = classify(relative, movies=movies, series=series)
    assert result.kind == kind
    assert result.season_number == season
    assert result.series_folder == series_folder
    assert result.season_folder == season_folder
    assert result.file_path == ROOT / relative
    assert (result.reason is None) is (kind != "skip")
    assert result.is_skip is (kind == "skip")


def test_movie_details() -> None:
    """A movie carries its relative path and depth 0 and no series fields."""
    result = classify("Heat (1995).mkv")
    assert result == Classification(
        kind="movie",
        file_path=ROOT / "Heat (1995).mkv",
        relative_path=PurePath("Heat (1995).mkv"),
        depth=0,
    )


def test_flat_episode_paths() -> None:
    """A depth-1 episode has the series path and no season folder."""
    result = classify("The Expanse/S01E01.mkv")
    assert result.depth == 1
    assert result.series_path == ROOT / "The Expanse"
    assert result.season_path is None
    assert result.rejected is False


def test_season_episode_paths() -> None:
    """A depth-2 episode has series and season paths."""
    result = classify("Breaking Bad/Season 2/S02E01.mkv")
    assert result.depth == 2
    assert result.series_path == ROOT / "Breaking Bad"
    assert result.season_path == ROOT / "Breaking Bad" / "Season 2"
    assert result.season_number == 2
    assert result.relative_path == PurePath("Breaking Bad/Season 2/S02E01.mkv")


def test_loose_file_reason_mentions_root() -> None:
    """Movies off + series on: a loose file is skipped with an explanation."""
    result = classify("Loose.mkv", movies=False)
    assert result.reason is not None
    assert "loose file at library root" in result.reason
    assert result.rejected is False


def test_both_toggles_off_reason() -> None:
    """Both toggles off: skipped, not rejected."""
    result = classify("Loose.mkv", movies=False, series=False)
    assert result.reason is not None
    assert "disabled" in result.reason
    assert result.rejected is False


def test_series_off_reason() -> None:
    """Series scanning off: files in folders are skipped."""
    result = classify("Show/x.mkv", series=False)
    assert result.reason is not None
    assert "series scanning is disabled" in result.reason


def test_too_deep_is_rejected() -> None:
    """Depth ≥ 3 is rejected with the depth in the reason."""
    result = classify("Anime/One Piece/Arc 1/Episode 1.mkv")
    assert result.kind == "skip"
    assert result.rejected is True
    assert result.depth == 3
    assert result.reason is not None
    assert "3 folders deep" in result.reason


@pytest.mark.parametrize(
    "file",
    [
        Path("/elsewhere/random.mkv"),
        Path("/media/library-other/x.mkv"),
        Path("/media/library/../escape.mkv"),
        Path("/media"),
    ],
)
def test_outside_root_is_rejected(file: Path) -> None:
    """Files outside the root (including ``..`` escapes and prefix look-alikes)."""
    result = classify_video(ROOT, file, scan_movies=True, scan_series=True)
    assert result.kind == "skip"
    assert result.rejected is True
    assert result.reason == "file is not under the library root path"


def test_root_itself_is_rejected() -> None:
    """The root is not a file inside the root."""
    result = classify_video(ROOT, ROOT, scan_movies=True, scan_series=True)
    assert result.kind == "skip"
    assert result.rejected is True


def test_paths_are_normalised_lexically() -> None:
    """``.``/``..`` segments and trailing slashes are collapsed before measuring depth."""
    result = classify_video(
        Path("/media/library/"),
        Path("/media/library/Show/./Season 1/../Season 2/x.mkv"),
        scan_movies=True,
        scan_series=True,
    )
    assert result.kind == "episode"
    assert result.season_number == 2
    assert result.file_path == ROOT / "Show" / "Season 2" / "x.mkv"


def test_relative_inputs_resolve_against_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative root and file paths are made absolute from the working directory."""
    monkeypatch.chdir(tmp_path)
    result = classify_video(Path("lib"), Path("lib/Show/x.mkv"), scan_movies=True, scan_series=True)
    assert result.kind == "episode"
    assert result.series_path == tmp_path / "lib" / "Show"


def test_symlinks_are_not_resolved(tmp_path: Path) -> None:
    """A symlinked series folder pointing elsewhere still classifies by its path."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.mkv").write_bytes(b"")
    root = tmp_path / "lib"
    root.mkdir()
    (root / "Show").symlink_to(outside, target_is_directory=True)
    result = classify_video(root, root / "Show" / "x.mkv", scan_movies=True, scan_series=True)
    assert result.kind == "episode"
    assert result.series_folder == "Show"
