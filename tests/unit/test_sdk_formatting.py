"""``plugin_sdk.formatting``: what every media plugin's pages show for durations, sizes, dates,
counts and ratings (the behaviour of the copies the videos, images, audio and taxonomy pages had)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from plugin_sdk.formatting import fmt_bytes, fmt_count, fmt_date, fmt_duration, stars


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, ""),
        (-1, ""),
        (-0.5, ""),
        (0, "0:00"),
        (0.99, "0:00"),  # floored, like the players' clocks
        (7, "0:07"),
        (59.999, "0:59"),
        (60, "1:00"),
        (187, "3:07"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723.4, "1:02:03"),
        (36000, "10:00:00"),
        (360000, "100:00:00"),
    ],
)
def test_fmt_duration(seconds: float | None, expected: str) -> None:
    assert fmt_duration(seconds) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (None, ""),
        (0, "0 B"),
        (12, "12 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (1234, "1.2 KB"),
        (9_949, "9.9 KB"),
        (9_960, "10.0 KB"),  # under 10 before rounding: one decimal
        (10_000, "10 KB"),
        (640_000, "640 KB"),
        (999_999, "1000 KB"),
        (1_200_000, "1.2 MB"),
        (45_600_000, "46 MB"),
        (3_400_000_000, "3.4 GB"),
        (2_000_000_000_000, "2.0 TB"),
        (5_000_000_000_000_000, "5.0 PB"),
        (7_000_000_000_000_000_000, "7000 PB"),  # nothing past PB
    ],
)
def test_fmt_bytes(n: int | None, expected: str) -> None:
    assert fmt_bytes(n) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (datetime(2024, 3, 4, 23, 59, tzinfo=UTC), "Mar 4, 2024"),
        (datetime(1999, 12, 31), "Dec 31, 1999"),
        (date(2020, 1, 9), "Jan 9, 2020"),
    ],
)
def test_fmt_date(value: date | datetime | None, expected: str) -> None:
    assert fmt_date(value) == expected


@pytest.mark.parametrize(
    ("n", "word", "plural", "expected"),
    [
        (0, "image", None, "0 images"),
        (1, "image", None, "1 image"),
        (2, "image", None, "2 images"),
        (1204, "image", None, "1,204 images"),
        (1, "gallery", "galleries", "1 gallery"),
        (3, "gallery", "galleries", "3 galleries"),
        (2, "series", "series", "2 series"),
        (1_000_000, "track", None, "1,000,000 tracks"),
    ],
)
def test_fmt_count(n: int, word: str, plural: str | None, expected: str) -> None:
    assert fmt_count(n, word, plural) == expected


@pytest.mark.parametrize(
    ("rating", "expected"),
    [
        (None, None),
        (0, 0),
        (9, 0),
        (10, 0),  # 0.5 rounds to even
        (11, 1),
        (20, 1),
        (50, 2),  # 2.5 rounds to even
        (60, 3),
        (70, 4),  # 3.5 rounds to even
        (80, 4),
        (100, 5),
        (150, 5),  # clamped
        (-20, 0),
    ],
)
def test_stars(rating: int | None, expected: int | None) -> None:
    assert stars(rating) == expected
