"""``plugin_sdk.search`` without a database: normalising queries, the fallback's trigram share,
the mode switch, and the SQL ``match`` builds in each mode (compiled for PostgreSQL)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, Table, Text
from sqlalchemy.dialects import postgresql

from plugin_sdk import search
from plugin_sdk.search import FALLBACK, TRIGRAM, force_search_mode, match

clips = Table("clips", MetaData(), Column("title", Text), Column("artist", Text))


class NoDatabase:
    """Stands in for the session so the SQL ``match`` builds can be read without a server: records
    the statements it would send and answers the common-words count with ``common`` for every
    word (the real database answers in tests/integration/search)."""

    def __init__(self, common: int = 0) -> None:
        self.sent: list[str] = []
        self.info: dict[str, Any] = {}
        self.common = common

    def connection(self) -> None:
        return None

    def get_transaction(self) -> object:
        return self

    def execute(self, stmt: Any, params: Any = None) -> Any:
        self.sent.append(str(stmt))
        width = len(getattr(stmt, "selected_columns", ()))
        return SimpleNamespace(one=lambda: (self.common,) * width)


@pytest.fixture
def forced():
    yield force_search_mode
    force_search_mode(None)


def sql(expr: Any) -> str:
    return str(expr.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_queries_are_normalised_and_split_into_words() -> None:
    assert search.normalize("  Mandel\tBROT  zoom \x00") == "mandel brot zoom"
    assert len(search.normalize("x" * 500)) == search.QUERY_MAX
    assert search.query_words("Julia-Set (1080p), julia!") == ["julia", "set", "1080p"]
    assert search.query_words("a_b:* & c") == ["a", "b", "c"], "tsquery syntax never reaches to_tsquery"
    assert len(search.query_words(" ".join(f"w{i}" for i in range(20)))) == search.WORDS_MAX
    assert search.fuzzy_words(["zo", "zoo", "1080p", "mandlebrot"]) == ["zoo", "mandlebrot"]
    assert search.like_escape("100%_\\") == "100\\%\\_\\\\"


def test_the_fallback_trigram_share() -> None:
    assert search.trigrams("zoo") == [" zo", "zoo", "oo "]
    assert search.trigram_share("mandlebrot", "Mandelbrot Zoom") == pytest.approx(0.6)  # 6 of 10
    assert search.trigram_share("mandel", "Mandelbrot Zoom") == pytest.approx(5 / 6)
    assert search.trigram_share("zom", "Mandelbrot-Zoom") == pytest.approx(2 / 3)
    assert search.trigram_share("fractal", "Mandelbrot Zoom") < search.FALLBACK_SIMILARITY
    assert search.trigram_share("", "anything") == 0.0
    assert search.word_threshold("zom", FALLBACK) == search.SHORT_WORD_SIMILARITY
    assert search.word_threshold("mandlebrot", TRIGRAM) == search.WORD_SIMILARITY


def test_the_mode_switch(forced, monkeypatch) -> None:
    with pytest.raises(ValueError, match="search mode"):
        forced("fuzzy")
    forced(FALLBACK)
    assert search.search_mode(NoDatabase()) == FALLBACK  # type: ignore[arg-type]
    forced(None)
    monkeypatch.setenv(search.MODE_ENV, "trigram")
    assert search.search_mode(NoDatabase()) == TRIGRAM  # type: ignore[arg-type]
    assert search.wants(None, "video") and search.wants(["video"], "video") and not search.wants([], "video")


def test_trigram_mode_sql(forced) -> None:
    forced(TRIGRAM)
    db = NoDatabase()
    m = match(db, [clips.c.title, (clips.c.artist, 0.8)], "Mandle zoo 100%")  # type: ignore[arg-type]
    assert m is not None and m.mode == TRIGRAM
    where, score = sql(m.where), sql(m.score)
    assert "clips.title ILIKE '%%mandle zoo 100\\%%%%'" in where
    assert "to_tsvector('simple'::regconfig, coalesce(clips.title, '')) @@ to_tsquery('simple'::regconfig, " \
           "'mandle:* & zoo:* & 100:*')" in where  # fmt: skip
    assert "'mandle' <%% clips.title" in where and "'zoo' <%% clips.title" in where
    assert "'100' <%%" not in where, "numbers are not matched approximately"
    assert "word_similarity('zoo', clips.title) >= 0.5" in where, "short words need more"
    assert "clips.artist" in where and "greatest(" in score and "* 0.8" in score
    assert "lower(clips.title) ~ '\\mmandle'" in score, "the word-start tier is a regular expression"
    assert len(db.sent) == 2 and "count(" in db.sent[0] and "pg_trgm.word_similarity_threshold" in db.sent[1]
    match(db, [clips.c.title], "other")  # type: ignore[arg-type]
    assert len(db.sent) == 3 and "count(" in db.sent[2], "the threshold is set once per transaction"


def test_common_words_are_matched_as_prefixes_only(forced) -> None:
    forced(TRIGRAM)
    db = NoDatabase(common=search.COMMON_WORD_HITS)
    m = match(db, [clips.c.title], "night")  # type: ignore[arg-type]
    assert m is not None and "<%" not in sql(m.where) and "word_similarity" not in sql(m.where)
    assert not any("pg_trgm" in s for s in db.sent), "no approximate word, no threshold"


def test_fallback_mode_sql(forced) -> None:
    forced(FALLBACK)
    db = NoDatabase()
    m = match(db, [clips.c.title], "mandlebrot")  # type: ignore[arg-type]
    assert m is not None and m.mode == FALLBACK
    where = sql(m.where)
    assert "<%" not in where and "word_similarity" not in where and "pg_trgm" not in where
    assert "strpos(' ' || translate(lower(clips.title), " in where and "' ma') > 0" in where
    assert ">= 0.5" in where
    assert len(db.sent) == 1 and "count(" in db.sent[0], "only the common-words count, no pg_trgm setting"


def test_nothing_to_search_for(forced) -> None:
    forced(FALLBACK)
    assert match(NoDatabase(), [clips.c.title], "   ") is None  # type: ignore[arg-type]
    assert match(NoDatabase(), [], "zoom") is None  # type: ignore[arg-type]
    only_symbols = match(NoDatabase(), [clips.c.title], "%%")  # type: ignore[arg-type]
    assert only_symbols is not None and "to_tsquery" not in sql(only_symbols.where), "no words: substring only"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("pilot", "%pilot%"),
        ("50%", "%50\\%%"),
        ("a_b", "%a\\_b%"),
        ("c\\d", "%c\\\\d%"),
        ("%_\\", "%\\%\\_\\\\%"),
        ("", "%%"),
    ],
)
def test_contains_patterns_take_the_text_literally(text: str, pattern: str) -> None:
    assert search.contains_pattern(text) == pattern
    where = sql(search.ilike_contains(clips.c.title, text))
    assert where.endswith(" ESCAPE '\\'") and where.startswith("clips.title ILIKE ")
    assert search.LIKE_ESCAPE == "\\"
